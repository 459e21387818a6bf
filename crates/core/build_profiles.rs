//! Compiles the platform profiles (`knowledge/profiles/*.toml`) and the OS images they run on
//! (`knowledge/images/*.toml`) into `PROFILES`, refusing what a data file can get wrong.
//!
//! A profile may `extends` another and state only what differs, but image facts are never
//! inherited by accident: libc, libstdc++, OpenSSL, the image's interpreters and libraries live in
//! the image file the profile's `os` names, and a profile whose `os` differs from its base's must
//! restate everything that depends on the image (`image`, `runtime_interpreters`,
//! `absent_commands`). `unset` removes an optional fact the base states (a port, say).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::common::{check, parse, strs, toml_files, VENDORS};

/// Keys a profile must state itself when its image differs from its base's.
const IMAGE_DEPENDENT: &[&str] = &["image", "runtime_interpreters", "absent_commands"];

/// Optional keys `unset` may remove.
const UNSETTABLE: &[&str] = &["port", "port_env", "unzipped_limit", "library_dirs_note", "runtime"];

/// Where a fact comes from, as the data files write it: `"documented"`, `{ derived = "…" }` or
/// `{ assumed = "…" }`.
#[derive(Deserialize, Clone)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
enum ProvenanceFile {
    Documented,
    Derived(String),
    Assumed(String),
}

impl ProvenanceFile {
    fn rust(&self) -> String {
        match self {
            ProvenanceFile::Documented => "Provenance::Documented".into(),
            ProvenanceFile::Derived(note) => format!("Provenance::Derived({note:?})"),
            ProvenanceFile::Assumed(note) => format!("Provenance::Assumed({note:?})"),
        }
    }

    /// The image's provenance with the platform's own note appended (`Debian 10 packages; FC adds
    /// /code/lib to LD_LIBRARY_PATH`); a documented fact with a derived addition is derived.
    fn with_note(&self, note: Option<&str>) -> ProvenanceFile {
        let Some(note) = note else { return self.clone() };
        match self {
            ProvenanceFile::Documented => ProvenanceFile::Derived(note.to_string()),
            ProvenanceFile::Derived(own) => ProvenanceFile::Derived(format!("{own}; {note}")),
            ProvenanceFile::Assumed(own) => ProvenanceFile::Assumed(format!("{own}; {note}")),
        }
    }
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    title: String,
    url: String,
}

/// `knowledge/images/<id>.toml`: the facts of one OS image.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageFile {
    id: String,
    libc: String,
    glibc: String,
    glibc_provenance: ProvenanceFile,
    glibcxx: String,
    cxxabi: String,
    libstdcxx_provenance: ProvenanceFile,
    openssl: String,
    libraries: Vec<String>,
    library_provenance: ProvenanceFile,
    interpreters: Vec<String>,
    sources: Vec<SourceFile>,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum EntryFile {
    RootExecutable {
        file: String,
        start_command_allowed: bool,
    },
    HostJson,
    StartCommandOnly,
    Handler {
        #[serde(default)]
        default_handler: Option<String>,
        #[serde(default)]
        fixed_file: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitFile {
    bytes: u64,
    hard: bool,
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuntimeFile {
    language: String,
    version: String,
    abi: String,
    interpreter: String,
    preinstalled: Vec<String>,
    provenance: ProvenanceFile,
}

/// A profile once its `extends` chain is resolved.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    id: String,
    name: String,
    vendor: String,
    os: String,
    image: String,
    arch: String,
    runtime_interpreters: Vec<String>,
    absent_commands: Vec<String>,
    library_dirs: Vec<String>,
    #[serde(default)]
    library_dirs_note: Option<String>,
    code_dir: String,
    entry: EntryFile,
    contract: String,
    #[serde(default)]
    port: Option<u16>,
    #[serde(default)]
    port_env: Option<String>,
    zipped_limits: Vec<LimitFile>,
    #[serde(default)]
    unzipped_limit: Option<LimitFile>,
    code_dir_writable: bool,
    installs_dependencies: bool,
    loopback_reachable: bool,
    runs_as_root: bool,
    user_provenance: ProvenanceFile,
    sources: Vec<SourceFile>,
    #[serde(default)]
    runtime: Option<RuntimeFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderFile {
    order: Vec<String>,
}

/// Reads, checks and writes every profile as `pub const PROFILES: &[Profile]`, in the order
/// `knowledge/profile-order.toml` gives.
pub fn emit(out: &mut String, root: &Path) {
    let images = read_images(&root.join("images"));
    let raw = read_raw_profiles(&root.join("profiles"));
    let order_path = root.join("profile-order.toml");
    println!("cargo:rerun-if-changed={}", order_path.display());
    let order: OrderFile = parse(&order_path);
    let listed: BTreeSet<&str> = order.order.iter().map(String::as_str).collect();
    let files: BTreeSet<&str> = raw.keys().map(String::as_str).collect();
    check(&order_path, listed.len() == order.order.len(), "an id is listed twice");
    check(&order_path, listed == files, "the order must list every file in profiles/ exactly once");

    let mut resolved = BTreeMap::new();
    let mut names = BTreeSet::new();
    out.push_str("/// Every profile, in the order the page lists them, from `knowledge/profiles/`.\npub const PROFILES: &[Profile] = &[\n");
    for id in &order.order {
        let table = resolve(id, &raw, &mut resolved, &mut Vec::new());
        let path = &raw[id].0;
        let profile: ProfileFile =
            toml::Value::Table(table).try_into().unwrap_or_else(|e| panic!("knowledge: {}: {e}", path.display()));
        check_profile(path, &profile, &images);
        check(path, names.insert(profile.name.clone()), "two profiles have this name");
        emit_profile(out, &profile, &images[&profile.os].1);
    }
    out.push_str("];\n");
}

fn read_images(dir: &Path) -> BTreeMap<String, (PathBuf, ImageFile)> {
    let mut images = BTreeMap::new();
    for path in toml_files(dir) {
        let image: ImageFile = parse(&path);
        check_stem(&path, &image.id);
        check_image(&path, &image);
        images.insert(image.id.clone(), (path, image));
    }
    println!("cargo:rerun-if-changed={}", dir.display());
    images
}

fn read_raw_profiles(dir: &Path) -> BTreeMap<String, (PathBuf, toml::Table)> {
    let mut raw = BTreeMap::new();
    for path in toml_files(dir) {
        let table: toml::Table = parse(&path);
        let id = table.get("id").and_then(toml::Value::as_str).unwrap_or_default().to_string();
        check_stem(&path, &id);
        raw.insert(id, (path, table));
    }
    println!("cargo:rerun-if-changed={}", dir.display());
    raw
}

/// The profile's table with its base's keys filled in, `extends` and `unset` applied.
fn resolve(
    id: &str,
    raw: &BTreeMap<String, (PathBuf, toml::Table)>,
    resolved: &mut BTreeMap<String, toml::Table>,
    chain: &mut Vec<String>,
) -> toml::Table {
    if let Some(done) = resolved.get(id) {
        return done.clone();
    }
    let (path, own) = &raw[id];
    check(path, !chain.iter().any(|c| c == id), &format!("`extends` loops: {} → {id}", chain.join(" → ")));
    chain.push(id.to_string());
    let mut table = match own.get("extends").map(|v| v.as_str()) {
        None => toml::Table::new(),
        Some(Some(base)) => {
            check(path, raw.contains_key(base), &format!("`extends` names {base}, which has no file"));
            let base_table = resolve(base, raw, resolved, chain);
            let os_changes = own.get("os").is_some_and(|os| Some(os) != base_table.get("os"));
            for key in IMAGE_DEPENDENT.iter().filter(|_| os_changes) {
                check(
                    path,
                    own.contains_key(*key),
                    &format!("the image differs from {base}'s, so `{key}` must be stated here, not inherited"),
                );
            }
            check(path, own.contains_key("name"), "a variant states its own `name`");
            base_table
        }
        Some(None) => panic!("knowledge: {}: `extends` is a profile id", path.display()),
    };
    for (key, value) in own.iter().filter(|(k, _)| !matches!(k.as_str(), "extends" | "unset")) {
        table.insert(key.clone(), value.clone());
    }
    for key in own.get("unset").and_then(toml::Value::as_array).into_iter().flatten() {
        let key = key.as_str().unwrap_or_default();
        check(path, UNSETTABLE.contains(&key), &format!("`unset` takes optional keys ({})", UNSETTABLE.join(", ")));
        check(path, !own.contains_key(key), &format!("`{key}` is both set and unset"));
        table.remove(key);
    }
    chain.pop();
    resolved.insert(id.to_string(), table.clone());
    table
}

fn check_stem(path: &Path, id: &str) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    check(path, stem == id, "the id must equal the file name");
    check(
        path,
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
        "ids are lowercase words, digits and dots joined by dashes",
    );
}

/// A dotted version of numbers (`2.34`, `3.4.29`).
fn is_version(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// The libssl soname an OpenSSL version installs (`1.0.2` → `libssl.so.10`, as Red Hat's and
/// Amazon Linux's builds name it).
fn openssl_soname(version: &str) -> Option<&'static str> {
    match version.split('.').take(2).collect::<Vec<_>>().as_slice() {
        ["1", "0"] => Some("libssl.so.10"),
        ["1", "1"] => Some("libssl.so.1.1"),
        ["3", _] => Some("libssl.so.3"),
        _ => None,
    }
}

fn check_image(path: &Path, image: &ImageFile) {
    check(path, image.libc == "glibc", "only glibc images are described");
    check(path, is_version(&image.glibc), "glibc is a version");
    check(
        path,
        is_version(&image.glibcxx) && image.glibcxx.starts_with("3.4."),
        "glibcxx is the highest GLIBCXX_3.4.N",
    );
    check(path, is_version(&image.cxxabi) && image.cxxabi.starts_with("1.3."), "cxxabi is the highest CXXABI_1.3.N");
    let ssl_names: Vec<&str> =
        image.libraries.iter().map(String::as_str).filter(|l| l.starts_with("libssl.so.")).collect();
    match (image.openssl.as_str(), openssl_soname(&image.openssl)) {
        ("unknown", _) => check(path, ssl_names.is_empty(), "an unknown OpenSSL lists no libssl"),
        (version, Some(soname)) => {
            check(path, ssl_names == [soname], &format!("OpenSSL {version} installs {soname} and no other libssl"));
            let crypto = soname.replace("libssl", "libcrypto");
            check(path, image.libraries.contains(&crypto), &format!("OpenSSL {version} installs {crypto} too"));
        }
        (version, None) => panic!("knowledge: {}: unknown OpenSSL version {version}", path.display()),
    }
    check(path, image.interpreters.iter().all(|i| i.starts_with('/')), "interpreters are absolute paths");
    check(path, image.interpreters.iter().any(|i| i == "/bin/sh"), "every image has /bin/sh");
    check_sources(path, &image.sources);
}

fn check_sources(path: &Path, sources: &[SourceFile]) {
    check(path, !sources.is_empty(), "facts need sources");
    for s in sources {
        check(
            path,
            !s.title.is_empty() && s.url.starts_with("https://"),
            &format!("source {}: a title and an https URL", s.url),
        );
    }
}

fn check_profile(path: &Path, p: &ProfileFile, images: &BTreeMap<String, (PathBuf, ImageFile)>) {
    check(path, VENDORS[1..].contains(&p.vendor.as_str()), &format!("unknown vendor {}", p.vendor));
    check(path, images.contains_key(&p.os), &format!("`os` names {}, which has no file in images/", p.os));
    check(path, ["x86_64", "arm64"].contains(&p.arch.as_str()), "arch is x86_64 or arm64");
    check(path, p.code_dir.starts_with('/'), "code_dir is absolute");
    check(path, ["http-server", "runtime-api", "handler"].contains(&p.contract.as_str()), "unknown contract");
    let managed = matches!(p.entry, EntryFile::Handler { .. });
    check(path, managed == p.runtime.is_some(), "a handler entry goes with a [runtime], and only it");
    check(path, managed == (p.contract == "handler"), "a handler entry goes with the handler contract");
    let listens = p.contract == "http-server";
    check(
        path,
        listens == (p.port.is_some() || p.port_env.is_some()),
        "a server has a port or a port variable, and only it",
    );
    for limit in p.zipped_limits.iter().chain(&p.unzipped_limit) {
        check(path, limit.bytes % (1 << 20) == 0, &format!("{} bytes is not a whole number of MiB", limit.bytes));
        check(path, !limit.note.is_empty(), "a limit says what it is");
    }
    check(path, p.zipped_limits.windows(2).all(|w| w[0].bytes < w[1].bytes), "zipped limits go smallest first");
    if let Some(r) = &p.runtime {
        check(path, is_version(&r.version), "the language version is a version");
        let abi_fits = match r.language.as_str() {
            "python" => r.abi == format!("cp{}", r.version.replace('.', "")),
            "node" | "java" => r.abi.parse::<u32>().is_ok(),
            other => panic!("knowledge: {}: unknown language {other}", path.display()),
        };
        check(path, abi_fits, &format!("ABI {} does not fit {} {}", r.abi, r.language, r.version));
    }
    check_sources(path, &p.sources);
}

fn opt_str(value: &Option<String>) -> String {
    value.as_ref().map_or("None".into(), |s| format!("Some({s:?})"))
}

fn limit(l: &LimitFile) -> String {
    format!("SizeLimit {{ bytes: {}, hard: {}, note: {:?} }}", l.bytes, l.hard, l.note)
}

fn entry(e: &EntryFile) -> String {
    match e {
        EntryFile::RootExecutable { file, start_command_allowed } => {
            format!(
                "EntryConvention::RootExecutable {{ file: {file:?}, start_command_allowed: {start_command_allowed} }}"
            )
        }
        EntryFile::HostJson => "EntryConvention::HostJson".into(),
        EntryFile::StartCommandOnly => "EntryConvention::StartCommandOnly".into(),
        EntryFile::Handler { default_handler, fixed_file } => format!(
            "EntryConvention::Handler {{ default_handler: {}, fixed_file: {} }}",
            opt_str(default_handler),
            opt_str(fixed_file)
        ),
    }
}

fn runtime(r: &Option<RuntimeFile>) -> String {
    let Some(r) = r else { return "None".into() };
    let language = match r.language.as_str() {
        "python" => "Python",
        "node" => "Node",
        _ => "Java",
    };
    format!(
        "Some(LanguageRuntime {{ language: Language::{language}, version: {:?}, abi: {:?}, interpreter: {:?}, preinstalled: {}, provenance: {} }})",
        r.version,
        r.abi,
        r.interpreter,
        strs(&r.preinstalled),
        r.provenance.rust()
    )
}

fn emit_profile(out: &mut String, p: &ProfileFile, image: &ImageFile) {
    let interpreters: Vec<String> = image.interpreters.iter().chain(&p.runtime_interpreters).cloned().collect();
    let mut sources = p.sources.clone();
    for s in &image.sources {
        if !sources.iter().any(|own| own.url == s.url) {
            sources.push(s.clone());
        }
    }
    let sources: Vec<String> =
        sources.iter().map(|s| format!("Source {{ title: {:?}, url: {:?} }}", s.title, s.url)).collect();
    let (arch, loaders) = match p.arch.as_str() {
        "arm64" => ("Arch::Arm64", "ARM64_LOADERS"),
        _ => ("Arch::X86_64", "X86_64_LOADERS"),
    };
    let contract = match p.contract.as_str() {
        "http-server" => "HttpServer",
        "runtime-api" => "RuntimeApi",
        _ => "Handler",
    };
    let zipped: Vec<String> = p.zipped_limits.iter().map(limit).collect();
    writeln!(
        out,
        "    Profile {{ id: {:?}, name: {:?}, vendor: {:?}, image: {:?}, os: {:?}, arch: {arch}, arch_label: {:?}, \
         libc: {:?}, glibc: {:?}, glibc_provenance: {}, glibcxx: {:?}, cxxabi: {:?}, libstdcxx_provenance: {}, \
         openssl: {:?}, loaders: {loaders}, libraries: {}, interpreters: {}, absent_commands: {}, library_dirs: {}, \
         library_provenance: {}, code_dir: {:?}, entry: {}, contract: ServerContract::{contract}, port: {}, \
         port_env: {}, zipped_limits: &[{}], unzipped_limit: {}, code_dir_writable: {}, installs_dependencies: {}, \
         loopback_reachable: {}, runs_as_root: {}, user_provenance: {}, sources: &[{}], runtime: {} }},",
        p.id,
        p.name,
        p.vendor,
        p.image,
        p.os,
        p.arch,
        image.libc,
        image.glibc,
        image.glibc_provenance.rust(),
        image.glibcxx,
        image.cxxabi,
        image.libstdcxx_provenance.rust(),
        image.openssl,
        strs(&image.libraries),
        strs(&interpreters),
        strs(&p.absent_commands),
        strs(&p.library_dirs),
        image.library_provenance.with_note(p.library_dirs_note.as_deref()).rust(),
        p.code_dir,
        entry(&p.entry),
        p.port.map_or("None".into(), |port| format!("Some({port})")),
        opt_str(&p.port_env),
        zipped.join(", "),
        p.unzipped_limit.as_ref().map_or("None".into(), |l| format!("Some({})", limit(l))),
        p.code_dir_writable,
        p.installs_dependencies,
        p.loopback_reachable,
        p.runs_as_root,
        p.user_provenance.rust(),
        sources.join(", "),
        runtime(&p.runtime),
    )
    .expect("write to string");
}
