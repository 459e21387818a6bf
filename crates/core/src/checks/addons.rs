//! Native add-ons and language packages built for another platform. Id: `native-addon-wrong-platform`.
//!
//! Three sources of evidence: the bytes of native modules (`.node`, `.so`, `.pyd`, `.dylib`), the
//! `os`/`cpu`/`libc` fields of npm platform packages (and sharp's `config.glibc`), and the `Tag:` lines
//! of installed Python wheels (`*.dist-info/WHEEL`). Platform-variant packages come in families
//! (`@img/sharp-darwin-arm64`, `@img/sharp-linux-x64` …): a variant for another platform is harmless
//! when the family has one for this platform, and fatal when it is the only one.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::reach::{Reach, ReachGraph};
use super::{Ctx, Finding, Severity};
use crate::archive::Entry;
use crate::elf::parse_version;
use crate::ids;
use crate::sniff::{Arch, ElfOs, FileKind};

/// Native module extensions.
const NATIVE_EXTENSIONS: &[&str] = &[".node", ".so", ".pyd", ".dylib", ".dll", ".jnilib"];

/// Whether a path is a native module or shared library by name.
pub(crate) fn is_native_module(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    NATIVE_EXTENSIONS.iter().any(|ext| name.ends_with(ext)) || name.contains(".so.")
}

/// The npm package directory holding `path` (`node_modules/@img/sharp-linux-x64`).
pub(crate) fn npm_package_dir(path: &str) -> Option<String> {
    let at = path.rfind("node_modules/")?;
    let rest = &path[at + "node_modules/".len()..];
    let mut parts = rest.split('/');
    let first = parts.next()?;
    let name = if first.starts_with('@') { format!("{first}/{}", parts.next()?) } else { first.to_string() };
    Some(format!("{}{name}", &path[..at + "node_modules/".len()]))
}

/// Whether an npm package's name says which platform it is for (`@esbuild/darwin-arm64`).
pub(crate) fn names_a_platform(package_dir: &str) -> bool {
    let name = package_dir.rsplit("node_modules/").next().unwrap_or(package_dir);
    ["darwin", "linux", "win32", "freebsd", "android", "musl"].iter().any(|t| name.contains(t))
}

/// The platform-independent name of a platform-variant package: `@img/sharp-darwin-arm64` → `@img/sharp`.
fn family(package_dir: &str) -> String {
    let name = package_dir.rsplit("node_modules/").next().unwrap_or(package_dir);
    let tokens = ["darwin", "linux", "linuxmusl", "win32", "windows", "freebsd", "android", "sunos", "wasm32"];
    let cut = name
        .char_indices()
        .filter(|&(i, c)| c == '-' && i > 0)
        .find(|&(i, _)| tokens.iter().any(|t| name[i + 1..].starts_with(t)))
        .map(|(i, _)| i);
    match cut {
        Some(i) => name[..i].to_string(),
        None => name.to_string(),
    }
}

/// The fields of `package.json` that restrict where a package may be installed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PlatformFields {
    #[serde(default)]
    os: Vec<String>,
    #[serde(default)]
    cpu: Vec<String>,
    #[serde(default)]
    libc: Vec<String>,
    #[serde(default)]
    config: Option<serde_json::Value>,
}

fn npm_cpu(arch: Arch) -> &'static str {
    match arch {
        Arch::Arm64 => "arm64",
        _ => "x64",
    }
}

/// npm's matching rule: a list of allowed values, or of `!excluded` ones.
fn npm_list_allows(list: &[String], value: &str) -> bool {
    if list.is_empty() {
        return true;
    }
    let (negated, allowed): (Vec<&String>, Vec<&String>) = list.iter().partition(|v| v.starts_with('!'));
    if negated.iter().any(|v| &v[1..] == value) {
        return false;
    }
    allowed.is_empty() || allowed.iter().any(|v| v.as_str() == value)
}

/// Why a package's platform fields exclude the profile, or `None` when they allow it.
fn npm_mismatch(fields: &PlatformFields, ctx: &Ctx<'_>) -> Option<String> {
    let cpu = npm_cpu(ctx.profile.arch);
    let mut reasons = Vec::new();
    if !npm_list_allows(&fields.os, "linux") {
        reasons.push(format!("os {:?}", fields.os));
    }
    if !npm_list_allows(&fields.cpu, cpu) {
        reasons.push(format!("cpu {:?}", fields.cpu));
    }
    if !npm_list_allows(&fields.libc, "glibc") {
        reasons.push(format!("libc {:?}", fields.libc));
    }
    (!reasons.is_empty()).then(|| reasons.join(", "))
}

/// sharp-style `config.glibc: ">=2.28"` above the image's glibc.
fn glibc_requirement(fields: &PlatformFields, ctx: &Ctx<'_>) -> Option<String> {
    let wanted = fields.config.as_ref()?.get("glibc")?.as_str()?;
    let version = wanted.trim_start_matches(['>', '=', ' ']);
    match (parse_version(version), parse_version(ctx.profile.glibc)) {
        (Some(w), Some(h)) if w > h => Some(wanted.to_string()),
        _ => None,
    }
}

/// What is wrong with a native module's bytes for this platform.
fn native_mismatch(kind: &FileKind, ctx: &Ctx<'_>, entry_index: usize) -> Option<String> {
    match kind {
        FileKind::MachO { arch } => Some(format!("a macOS Mach-O {} file", arch.name())),
        FileKind::MachOUniversal { .. } => Some("a macOS universal Mach-O file".into()),
        FileKind::Pe { arch } => Some(format!("a Windows PE {} file", arch.name())),
        FileKind::Elf(h) if h.os != ElfOs::Linux => Some(format!("an ELF for another OS (OSABI {})", h.osabi)),
        FileKind::Elf(h) if h.arch != ctx.profile.arch => {
            Some(format!("a Linux {} ELF; the function runs {}", h.arch.name(), ctx.profile.arch_label))
        }
        FileKind::Elf(_) => {
            let needs = ctx.needs.get(&entry_index)?;
            needs
                .needed
                .iter()
                .find(|l| l.starts_with("libc.musl-"))
                .map(|l| format!("a musl (Alpine) build: DT_NEEDED {l}"))
        }
        _ => None,
    }
}

fn install_fix(ctx: &Ctx<'_>) -> String {
    let cpu = npm_cpu(ctx.profile.arch);
    let (docker, pip) = match ctx.profile.arch {
        Arch::Arm64 => ("linux/arm64", "manylinux2014_aarch64"),
        _ => ("linux/amd64", "manylinux2014_x86_64"),
    };
    format!(
        "Node:   npm ci --os=linux --cpu={cpu} --libc=glibc   (npm ≥ 10), or run npm ci in Docker --platform {docker}\n\
         Python: pip install --platform {pip} --only-binary=:all: --target . -r requirements.txt"
    )
}

/// One npm platform package and what was learned about it.
struct NpmVariant<'a> {
    dir: String,
    mismatch: Option<String>,
    glibc_needed: Option<String>,
    natives: Vec<(&'a Entry, String)>,
    /// Native modules that fit this platform inside a folder named for it (`prebuilds/linux-x64/`,
    /// `bin/linux-x64-node-20/`): the package picks its variant when it loads.
    fitting_variants: usize,
}

/// Why a Node.js addon cannot load on the runtime's Node.js: it exports the registration symbol of
/// another `NODE_MODULE_VERSION` (Node looks for its own; N-API addons export none of these).
fn node_version_mismatch(ctx: &Ctx<'_>, index: usize) -> Option<String> {
    let runtime = ctx.profile.runtime.filter(|r| r.language == crate::profiles::Language::Node)?;
    let built = ctx.needs.get(&index)?.node_module_version?;
    (built.to_string() != runtime.abi).then(|| {
        format!(
            "built for NODE_MODULE_VERSION {built} (it exports node_register_module_v{built}); Node.js {} needs {}",
            runtime.version, runtime.abi
        )
    })
}

/// The folder between an npm package and one of its native modules that names a platform
/// (`linux-x64-node-20`, `darwin-arm64`), when there is one: packages with such folders
/// (prebuildify's `prebuilds/<os>-<arch>/`, node-pre-gyp, deasync's `bin/<os>-<arch>-node-<v>/`)
/// load only the one that matches the machine.
fn platform_folder<'p>(package_dir: &str, path: &'p str) -> Option<&'p str> {
    const OS: &[&str] = &["darwin", "linux", "win32", "windows", "freebsd", "android", "musl", "macos", "osx", "sunos"];
    let inner = path.strip_prefix(package_dir)?.trim_start_matches('/');
    let (folders, _file) = inner.rsplit_once('/')?;
    folders.split('/').find(|f| {
        let lower = f.to_ascii_lowercase();
        OS.iter().any(|os| lower.starts_with(os) || lower.contains(&format!("-{os}")))
    })
}

/// Whether a platform folder's Node.js version tag (`node-20`, `node-v115`, `napi`) admits the
/// runtime's Node.js; a folder without one admits any.
fn folder_fits_node(folder: &str, ctx: &Ctx<'_>) -> bool {
    let Some(runtime) = ctx.profile.runtime.filter(|r| r.language == crate::profiles::Language::Node) else {
        return true;
    };
    let lower = folder.to_ascii_lowercase();
    if lower.contains("napi") {
        return true;
    }
    match lower.split_once("node-") {
        Some((_, tag)) => {
            let tag: String = tag.trim_start_matches('v').chars().take_while(|c| c.is_ascii_digit()).collect();
            tag.is_empty() || tag == runtime.version || tag == runtime.abi
        }
        None => true,
    }
}

/// The Python `major.minor` named by an interpreter in a command (`/var/fc/lang/python3.10/bin/python3`,
/// `/var/lang/python39/bin/python3.9`, `python3.11 app.py`), with the word it came from.
pub(crate) fn python_version_in(text: &str) -> Option<(String, String)> {
    for word in text.split_whitespace() {
        for (at, _) in word.match_indices("python") {
            let digits: String = word[at + 6..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let version = match digits.split_once('.') {
                Some((major, minor)) if !major.is_empty() && !minor.is_empty() => {
                    format!("{major}.{}", minor.split('.').next().unwrap_or(minor))
                }
                None if digits.len() >= 2 => format!("{}.{}", &digits[..1], &digits[1..]),
                _ => continue,
            };
            return Some((version, word.to_string()));
        }
    }
    None
}

/// How the entry reaches the Python extension module at `path`: `Some((line, direct))` with the
/// entry's import line as `file:line: code`, `direct` when it imports that very module
/// (`import _cffi_backend`), not only the package holding it (`import yaml` for `yaml/_yaml….so`,
/// which many packages import inside a `try`, falling back to pure Python). Only the code the entry
/// runs is read: a module reached through another package is not seen.
fn imported_by_entry(path: &str, sources: &[(String, String)]) -> Option<(String, bool)> {
    let stem = path.split(".cpython-").next().unwrap_or(path);
    let stem = stem.strip_suffix(".so").unwrap_or(stem);
    let stem = stem.strip_suffix(".abi3").unwrap_or(stem);
    let dotted = stem.replace('/', ".");
    let top = dotted.split('.').next().filter(|t| !t.is_empty())?;
    if let Some((file, line, code)) = super::deps::import_line(sources, &dotted, true) {
        return Some((format!("{file}:{line}: {code}"), true));
    }
    let (file, line, code) = super::deps::import_line(sources, top, true)?;
    Some((format!("{file}:{line}: {code}"), dotted == top))
}

/// The severity and the evidence line for a Python extension module that cannot load, from
/// whether the start loads it ([`ReachGraph`]): an error on the start path, a warning when an
/// import on the way may not run or the start does not load it at all. When the walk cannot tell,
/// the entry's own imports decide: an error when it imports that very module.
fn python_reach(path: &str, sources: &[(String, String)], graph: &ReachGraph) -> (Severity, Option<String>) {
    let reach = graph.reach(path);
    match &reach {
        Reach::OnPath { certain: true, .. } => (Severity::Error, Some(format!("{}, so the start fails", reach.evidence()))),
        Reach::OnPath { certain: false, .. } | Reach::OffPath { .. } => (Severity::Warning, Some(reach.evidence())),
        Reach::Unknown(_) => match imported_by_entry(path, sources) {
            Some((line, true)) => (
                Severity::Error,
                Some(format!("{line}: the entry imports it, so the start fails")),
            ),
            Some((line, false)) => (
                Severity::Warning,
                Some(format!(
                    "{line}: the entry imports the package that holds it (fatal unless the package falls back without it); {}",
                    reach.evidence()
                )),
            ),
            None => (Severity::Warning, Some(reach.evidence())),
        },
    }
}

/// What Python prints when it imports the extension module at `path` built for another version:
/// the dotted module is not found (its file's tag does not match), inside Lambda's envelope there.
fn import_error(ctx: &Ctx<'_>, path: &str) -> String {
    let module = path.split(".cpython-").next().unwrap_or(path).replace('/', ".");
    let not_found = format!("No module named '{module}'");
    let handler_module = ctx.targets.iter().find_map(|t| crate::entry::handler_module(ctx.profile, t));
    match (ctx.profile.vendor, handler_module) {
        ("aws", Some(handler_module)) => {
            format!("[ERROR] Runtime.ImportModuleError: Unable to import module '{handler_module}': {not_found}")
        }
        _ => format!("ModuleNotFoundError: {not_found}"),
    }
}

/// CPython extension modules built for another Python than the one the function runs.
fn check_python_abi(
    ctx: &Ctx<'_>,
    python: Option<&(String, String)>,
    sources: &[(String, String)],
    graph: &ReachGraph,
) -> Option<Finding> {
    let (version, source) = python?;
    let wanted = version.replace('.', "");
    let mut mismatched: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for e in ctx.entries {
        let name = e.file_name();
        let Some(tag) = name.split(".cpython-").nth(1) else { continue };
        let abi: String = tag.chars().take_while(|c| c.is_ascii_digit()).collect();
        if abi.len() >= 2 && abi != wanted && name.ends_with(".so") {
            mismatched.entry(abi).or_default().push(e.path());
        }
    }
    let (abi, files) = mismatched.iter().max_by_key(|(_, f)| f.len())?;
    let built = format!("{}.{}", &abi[..1], &abi[1..]);
    let (severity, reached) = files
        .iter()
        .map(|f| python_reach(f, sources, graph))
        .max_by_key(|(severity, line)| (*severity == Severity::Error, line.is_some()))
        .unwrap_or((Severity::Warning, None));
    let mut evidence = vec![
        format!(
            "{}{}",
            files.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            if files.len() > 5 { ", …" } else { "" }
        ),
        format!("the function runs {source}"),
    ];
    evidence.extend(reached);
    Some(Finding {
        id: ids::RUNTIME_VERSION_MISMATCH,
        severity,
        path: Some(files[0].to_string()),
        title: match files.len() {
            1 => format!("{} is built for Python {built}; the function runs Python {version}", files[0]),
            n => format!("{n} extension modules are built for Python {built}; the function runs Python {version}"),
        },
        evidence,
        platform_message: Some(import_error(ctx, files[0])),
        explanation: "CPython loads only extension modules tagged for its own minor version (or abi3): these were \
                      installed by a different Python."
            .into(),
        fix: format!(
            "pip install --python-version {version} --only-binary=:all: --platform manylinux2014_{} -t . -r requirements.txt",
            if ctx.profile.arch == Arch::Arm64 { "aarch64" } else { "x86_64" }
        ),
    })
}

/// The (os, arch) a native library inside a jar is for, from its path
/// (`META-INF/native/libnetty_transport_native_epoll_x86_64.so`, `org/sqlite/native/Mac/aarch64/…`).
fn jar_native_platform(name: &str) -> (&'static str, &'static str) {
    let lower = name.to_ascii_lowercase();
    let os =
        if lower.ends_with(".dll") || lower.contains("windows") || lower.contains("win32") || lower.contains("/win") {
            "windows"
        } else if lower.ends_with(".dylib")
            || lower.ends_with(".jnilib")
            || ["osx", "darwin", "/mac/", "macos"].iter().any(|t| lower.contains(t))
        {
            "macos"
        } else {
            "linux"
        };
    let arch = if ["aarch64", "arm64"].iter().any(|t| lower.contains(t)) {
        "aarch64"
    } else if ["x86_64", "amd64", "x64"].iter().any(|t| lower.contains(t)) {
        "x86_64"
    } else {
        "unknown"
    };
    (os, arch)
}

/// Jars whose native libraries exist only for other platforms (`UnsatisfiedLinkError` when loaded).
pub(crate) fn check_jar_natives(ctx: &Ctx<'_>, jars: &[(String, Vec<String>)]) -> Vec<Finding> {
    let want = match ctx.profile.arch {
        Arch::Arm64 => "aarch64",
        _ => "x86_64",
    };
    jars.iter()
        .filter(|(_, natives)| !natives.is_empty())
        .filter(|(_, natives)| {
            !natives.iter().any(|n| matches!(jar_native_platform(n), ("linux", a) if a == want || a == "unknown"))
        })
        .map(|(jar, natives)| Finding {
            id: ids::NATIVE_ADDON_WRONG_PLATFORM,
            severity: Severity::Warning,
            path: Some(jar.clone()),
            title: format!("{jar} carries native libraries, none for linux-{want}"),
            evidence: natives
                .iter()
                .take(6)
                .map(|n| {
                    let (os, arch) = jar_native_platform(n);
                    format!("{n} ({os}, {arch})")
                })
                .collect(),
            platform_message: Some("java.lang.UnsatisfiedLinkError: no … in java.library.path".into()),
            explanation: "The library's Java code loads its native part for the platform it runs on; this jar only \
                          brings builds for other systems."
                .into(),
            fix: format!("Add the Linux classifier of the dependency (e.g. netty-transport-native-epoll:linux-{want}), or a jar that bundles all platforms."),
        })
        .collect()
}

/// All `native-addon-wrong-platform` findings.
pub(crate) fn check_addons(
    ctx: &Ctx<'_>,
    package_json: &BTreeMap<String, PlatformFields>,
    wheels: &BTreeMap<String, String>,
    python: Option<&(String, String)>,
    sources: &[(String, String)],
    graph: &ReachGraph,
) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(check_python_abi(ctx, python, sources, graph));
    // Group native modules and platform fields by npm package; the rest stand alone.
    let mut npm: BTreeMap<String, NpmVariant<'_>> = BTreeMap::new();
    for (dir, fields) in package_json {
        npm.insert(
            dir.clone(),
            NpmVariant {
                dir: dir.clone(),
                mismatch: npm_mismatch(fields, ctx),
                glibc_needed: glibc_requirement(fields, ctx),
                natives: Vec::new(),
                fitting_variants: 0,
            },
        );
    }
    let mut loose: Vec<(&Entry, String)> = Vec::new();
    for entry in ctx.entries.iter().filter(|e| is_native_module(e.path())) {
        let Some(kind) = ctx.kind(entry.index) else { continue };
        let why = native_mismatch(kind, ctx, entry.index).or_else(|| node_version_mismatch(ctx, entry.index));
        let Some(dir) = npm_package_dir(entry.path()) else {
            loose.extend(why.map(|why| (entry, why)));
            continue;
        };
        let folder = platform_folder(&dir, entry.path());
        let variant = npm.entry(dir.clone()).or_insert_with(|| NpmVariant {
            dir,
            mismatch: None,
            glibc_needed: None,
            natives: Vec::new(),
            fitting_variants: 0,
        });
        match why {
            Some(why) => variant.natives.push((entry, why)),
            // A build for this machine outside any platform folder (node-gyp's build/Release) fits too.
            None if folder.is_none_or(|f| folder_fits_node(f, ctx)) => variant.fitting_variants += 1,
            None => variant
                .natives
                .push((entry, format!("in {}, a build for another Node.js than the runtime's", folder.unwrap_or("")))),
        }
    }

    // Families with a variant that fits this platform make the others harmless.
    let fits: Vec<String> = npm
        .values()
        .filter(|v| v.mismatch.is_none() && v.natives.is_empty() && v.glibc_needed.is_none())
        .filter(|v| family(&v.dir) != v.dir.rsplit("node_modules/").next().unwrap_or(""))
        .map(|v| family(&v.dir))
        .collect();
    for v in npm.values().filter(|v| v.mismatch.is_some() || !v.natives.is_empty() || v.glibc_needed.is_some()) {
        let fam = family(&v.dir);
        // Every misfit sits in a platform folder beside one that fits: the package loads that one.
        let picks_its_variant = v.mismatch.is_none()
            && v.glibc_needed.is_none()
            && v.fitting_variants > 0
            && v.natives.iter().all(|(e, _)| platform_folder(&v.dir, e.path()).is_some());
        let sibling_fits = fits.contains(&fam);
        let mut evidence = Vec::new();
        if let Some(m) = &v.mismatch {
            evidence.push(format!(
                "{}/package.json declares {m}; this function is linux {} glibc",
                v.dir,
                npm_cpu(ctx.profile.arch)
            ));
        }
        if let Some(g) = &v.glibc_needed {
            evidence.push(format!(
                "{}/package.json requires glibc {g}; {} has {}",
                v.dir, ctx.profile.image, ctx.profile.glibc
            ));
        }
        for (e, why) in v.natives.iter().take(5) {
            evidence.push(format!("{} is {why}", e.path()));
        }
        let (severity, verdict) = if sibling_fits && !picks_its_variant {
            (Severity::Info, format!("Another variant of {fam} fits this platform, so this one is just unused weight."))
        } else if picks_its_variant {
            (
                Severity::Info,
                format!("{fam} also ships a build for this platform and loads the one that matches: the others are unused weight."),
            )
        } else if v.mismatch.is_some() || !v.natives.is_empty() {
            // Whether the start loads it decides between "fails at start-up" and unused weight.
            let reach = graph.reach_package(&v.dir);
            let platform = format!("linux-{}", npm_cpu(ctx.profile.arch));
            let (severity, verdict) = match &reach {
                Reach::OnPath { certain: true, .. } | Reach::Unknown(_) => (
                    Severity::Error,
                    format!("No variant of {fam} in the package fits {platform}: loading it fails at start-up."),
                ),
                Reach::OnPath { certain: false, .. } => (
                    Severity::Warning,
                    format!("No variant of {fam} in the package fits {platform}: the start fails if that load runs."),
                ),
                Reach::OffPath { .. } => (
                    Severity::Warning,
                    format!(
                        "No variant of {fam} in the package fits {platform}, but the start does not load it: it fails \
                         only if code loads it later."
                    ),
                ),
            };
            evidence.push(reach.evidence());
            (severity, verdict)
        } else {
            (Severity::Warning, "The package says it needs a newer glibc than the image has.".to_string())
        };
        evidence.push(verdict.clone());
        out.push(Finding {
            id: ids::NATIVE_ADDON_WRONG_PLATFORM,
            severity,
            path: Some(
                v.natives
                    .first()
                    .map(|(e, _)| e.path().to_string())
                    .unwrap_or_else(|| format!("{}/package.json", v.dir)),
            ),
            title: if picks_its_variant {
                format!(
                    "{} also ships builds for other platforms",
                    v.dir.rsplit("node_modules/").next().unwrap_or(&v.dir)
                )
            } else {
                format!("{} is installed for another platform", v.dir.rsplit("node_modules/").next().unwrap_or(&v.dir))
            },
            evidence,
            platform_message: v.natives.first().map(|(e, _)| {
                format!("Error: {}/{}: invalid ELF header (code: 'ERR_DLOPEN_FAILED')", ctx.profile.code_dir, e.path())
            }),
            explanation: "npm installs native packages for the machine it runs on. Installed on a Mac or Windows (or \
                          Alpine), the function gets binaries Linux cannot load."
                .into(),
            fix: install_fix(ctx),
        });
    }
    for (e, why) in loose {
        let (severity, reached) = python_reach(e.path(), sources, graph);
        let mut evidence = vec![format!("{} is {why}", e.path())];
        evidence.extend(reached);
        out.push(Finding {
            id: ids::NATIVE_ADDON_WRONG_PLATFORM,
            severity,
            path: Some(e.path().to_string()),
            title: format!("{} is a native module for another platform", e.path()),
            evidence,
            platform_message: Some(format!("{}/{}: invalid ELF header", ctx.profile.code_dir, e.path())),
            explanation:
                "Loading it fails (invalid ELF header, wrong ELF class, or a missing musl libc). It matters when \
                          your code imports it."
                    .into(),
            fix: install_fix(ctx),
        });
    }
    for (path, text) in wheels {
        if let Some(f) = check_wheel(ctx, path, text) {
            out.push(f);
        }
    }
    out
}

/// Why one wheel platform tag cannot run on the profile, or `None` when it can.
fn wheel_tag_problem(platform_tag: &str, ctx: &Ctx<'_>) -> Option<String> {
    let arch = match ctx.profile.arch {
        Arch::Arm64 => "aarch64",
        _ => "x86_64",
    };
    if platform_tag == "any" || platform_tag == format!("linux_{arch}") {
        return None;
    }
    if platform_tag.starts_with("macosx") {
        return Some(format!("{platform_tag} is a macOS build"));
    }
    if platform_tag.starts_with("win") {
        return Some(format!("{platform_tag} is a Windows build"));
    }
    if platform_tag.starts_with("musllinux") {
        return Some(format!("{platform_tag} is a musl (Alpine) build; {} is glibc", ctx.profile.image));
    }
    let legacy = [("manylinux1_", "2.5"), ("manylinux2010_", "2.12"), ("manylinux2014_", "2.17")];
    let (glibc, tag_arch) = if let Some((prefix, glibc)) = legacy.iter().find(|(p, _)| platform_tag.starts_with(p)) {
        (glibc.to_string(), &platform_tag[prefix.len()..])
    } else if let Some(rest) = platform_tag.strip_prefix("manylinux_") {
        let mut parts = rest.splitn(3, '_');
        let (major, minor, tag_arch) = (parts.next()?, parts.next()?, parts.next()?);
        (format!("{major}.{minor}"), tag_arch)
    } else if let Some(tag_arch) = platform_tag.strip_prefix("linux_") {
        return (tag_arch != arch).then(|| format!("{platform_tag} is built for {tag_arch}"));
    } else {
        return None;
    };
    if tag_arch != arch {
        return Some(format!("{platform_tag} is built for {tag_arch}; the function runs {arch}"));
    }
    match (parse_version(&glibc), parse_version(ctx.profile.glibc)) {
        (Some(need), Some(have)) if need > have => {
            Some(format!("{platform_tag} needs glibc {glibc}; {} has {}", ctx.profile.image, ctx.profile.glibc))
        }
        _ => None,
    }
}

fn check_wheel(ctx: &Ctx<'_>, path: &str, text: &str) -> Option<Finding> {
    let tags: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("Tag:")).map(str::trim).collect();
    if tags.is_empty() {
        return None;
    }
    let mut problems = Vec::new();
    for tag in &tags {
        let platform = tag.rsplit('-').next().unwrap_or(tag);
        // A compressed tag set (manylinux_2_17_x86_64.manylinux2014_x86_64) fits when any part fits.
        let parts: Vec<Option<String>> = platform.split('.').map(|p| wheel_tag_problem(p, ctx)).collect();
        if parts.iter().any(Option::is_none) {
            return None;
        }
        problems.extend(parts.into_iter().flatten());
    }
    let dist = path.trim_end_matches("/WHEEL");
    Some(Finding {
        id: ids::NATIVE_ADDON_WRONG_PLATFORM,
        severity: Severity::Warning,
        path: Some(path.to_string()),
        title: format!("{} was installed from a wheel for another platform", dist.rsplit('/').next().unwrap_or(dist)),
        evidence: tags.iter().map(|t| format!("Tag: {t}")).chain(problems).collect(),
        platform_message: Some("Runtime.ImportModuleError / ImportError when the module is imported".into()),
        explanation:
            "pip installed the build for the machine it ran on. Its compiled parts cannot load on the function's \
                      platform, so importing the package fails."
                .into(),
        fix: install_fix(ctx),
    })
}

#[cfg(test)]
mod tests {
    use super::{family, npm_package_dir};
    use crate::checks::test_support::{ids, run};
    use crate::checks::Severity;
    use crate::synth::ZipBuilder;

    const MACHO: &[u8] = &[0xcf, 0xfa, 0xed, 0xfe, 12, 0, 0, 1, 0, 0, 0, 0];

    #[test]
    fn names() {
        assert_eq!(
            npm_package_dir("node_modules/@img/sharp-darwin-arm64/lib/x.node").as_deref(),
            Some("node_modules/@img/sharp-darwin-arm64")
        );
        assert_eq!(
            npm_package_dir("a/node_modules/bcrypt/build/Release/b.node").as_deref(),
            Some("a/node_modules/bcrypt")
        );
        assert_eq!(family("node_modules/@img/sharp-darwin-arm64"), "@img/sharp");
        assert_eq!(family("node_modules/@esbuild/linux-x64"), "@esbuild/linux-x64");
    }

    fn node_pkg(zip: ZipBuilder, dir: &str, json: &str, native: Option<&[u8]>) -> ZipBuilder {
        let zip = zip.unix_file(&format!("node_modules/{dir}/package.json"), 0o644, json.as_bytes());
        match native {
            Some(bytes) => zip.unix_file(&format!("node_modules/{dir}/lib/addon.node"), 0o644, bytes),
            None => zip,
        }
    }

    fn base() -> ZipBuilder {
        ZipBuilder::new().unix_file("index.js", 0o644, b"require('sharp')")
    }

    #[test]
    fn only_a_darwin_variant_is_an_error() {
        let zip = node_pkg(base(), "@img/sharp-darwin-arm64", r#"{"os":["darwin"],"cpu":["arm64"]}"#, Some(MACHO));
        let i = run(zip.finish(), "aws-lambda-al2023", "index.handler");
        let f = i.findings.iter().find(|f| f.id == "native-addon-wrong-platform").unwrap();
        assert_eq!(f.severity, Severity::Error);
        assert!(f.evidence.iter().any(|e| e.contains("os [\"darwin\"]")));
        assert!(f.evidence.iter().any(|e| e.contains("macOS Mach-O arm64")));
    }

    #[test]
    fn a_fitting_sibling_makes_it_info() {
        let zip = node_pkg(base(), "@img/sharp-darwin-arm64", r#"{"os":["darwin"],"cpu":["arm64"]}"#, Some(MACHO));
        let zip = node_pkg(zip, "@img/sharp-linux-x64", r#"{"os":["linux"],"cpu":["x64"],"libc":["glibc"]}"#, None);
        let i = run(zip.finish(), "aws-lambda-al2023", "index.handler");
        let f = i.findings.iter().find(|f| f.id == "native-addon-wrong-platform").unwrap();
        assert_eq!(f.severity, Severity::Info);
    }

    #[test]
    fn linux_packages_do_not_fire_and_config_glibc_does() {
        let json = r#"{"os":["linux"],"cpu":["x64"],"libc":["glibc"],"config":{"glibc":">=2.28"}}"#;
        let zip = node_pkg(base(), "@img/sharp-linux-x64", json, None);
        assert!(!ids(&run(zip.clone().finish(), "aws-lambda-al2023", "index.handler"))
            .contains(&"native-addon-wrong-platform"));
        let i = run(zip.finish(), "aws-lambda-al2", "index.handler");
        let f = i.findings.iter().find(|f| f.id == "native-addon-wrong-platform").expect("glibc >= 2.28 on AL2");
        assert_eq!(f.severity, Severity::Warning);
    }

    #[test]
    fn python_versions_from_commands() {
        assert_eq!(super::python_version_in("exec /var/fc/lang/python3.10/bin/python3 app.py").unwrap().0, "3.10");
        assert_eq!(super::python_version_in("/var/lang/python39/bin/python3.9 index.py").unwrap().0, "3.9");
        assert_eq!(super::python_version_in("python3 app.py"), None);
    }

    #[test]
    fn extension_modules_for_another_python() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec /var/fc/lang/python3.10/bin/python3 app.py\n")
            .unix_file("app.py", 0o644, b"import pydantic_core\napp.run(host='0.0.0.0', port=9000)\n")
            .unix_file("pydantic_core/_pydantic_core.cpython-312-x86_64-linux-gnu.so", 0o644, b"\x7fELF")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        let f = i.findings.iter().find(|f| f.id == "runtime-version-mismatch").expect("ABI mismatch");
        assert!(f.title.contains("Python 3.12") && f.title.contains("Python 3.10"), "{}", f.title);
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec /var/fc/lang/python3.10/bin/python3 app.py\n")
            .unix_file("app.py", 0o644, b"app.run(host='0.0.0.0', port=9000)\n")
            .unix_file("pydantic_core/_pydantic_core.cpython-310-x86_64-linux-gnu.so", 0o644, b"\x7fELF")
            .finish();
        assert!(!ids(&run(zip, "aliyun-fc", "")).contains(&"runtime-version-mismatch"));
        // A managed runtime states its Python: a cp311 wheel's module on python3.12 is found without a command.
        let zip = ZipBuilder::new()
            .unix_file("lambda_function.py", 0o644, b"import pydantic\ndef lambda_handler(e, c):\n    pass\n")
            .unix_file("pydantic_core/_pydantic_core.cpython-311-x86_64-linux-gnu.so", 0o644, b"\x7fELF")
            .finish();
        let i = run(zip, "aws-lambda-python3.12", "");
        let f = i.findings.iter().find(|f| f.id == "runtime-version-mismatch").expect("cp311 on python3.12");
        assert!(f.evidence[1].contains("python3.12"), "{:?}", f.evidence);
    }

    #[test]
    fn packages_that_pick_their_platform_folder_at_load_time_are_not_errors() {
        let linux = crate::synth::elf(None, &["libc.so.6"], None, &[], 3);
        let macho = [[0xCF, 0xFA, 0xED, 0xFE, 0x07, 0x00, 0x00, 0x01].as_slice(), &[0u8; 56]].concat();
        let code: &[u8] = b"require('deasync');\nexports.handler = async () => 1;\n";
        let with = |linux_folder: &str| {
            ZipBuilder::new()
                .unix_file("index.js", 0o644, code)
                .unix_file("node_modules/deasync/bin/darwin-x64-node-20/deasync.node", 0o644, &macho)
                .unix_file(&format!("node_modules/deasync/bin/{linux_folder}/deasync.node"), 0o644, &linux)
                .finish()
        };
        let severity = |zip: Vec<u8>| {
            run(zip, "aws-lambda-nodejs20.x", "")
                .findings
                .iter()
                .find(|f| f.id == "native-addon-wrong-platform")
                .map(|f| f.severity)
        };
        // The folder for this platform and this Node.js is there: the macOS one is never loaded.
        assert_eq!(severity(with("linux-x64-node-20")), Some(Severity::Info));
        // Only a folder for another Node.js: nothing fits nodejs20.x.
        assert_eq!(severity(with("linux-x64-node-16")), Some(Severity::Error));
        // Only other platforms: an error, as before.
        let macos_only = ZipBuilder::new()
            .unix_file("index.js", 0o644, code)
            .unix_file("node_modules/deasync/bin/darwin-x64-node-20/deasync.node", 0o644, &macho)
            .finish();
        assert_eq!(severity(macos_only), Some(Severity::Error));
        // A linux build for another NODE_MODULE_VERSION does not load either.
        let old_abi = crate::synth::elf(None, &["libc.so.6", "node_register_module_v108"], None, &[], 3);
        let zip = ZipBuilder::new()
            .unix_file("index.js", 0o644, code)
            .unix_file("node_modules/better-sqlite3/build/Release/better_sqlite3.node", 0o644, &old_abi)
            .finish();
        let i = run(zip, "aws-lambda-nodejs20.x", "");
        let f = i.findings.iter().find(|f| f.id == "native-addon-wrong-platform").expect("ABI 108 on Node 20");
        assert!(
            f.evidence.iter().any(|e| e.contains("NODE_MODULE_VERSION 108") && e.contains("needs 115")),
            "{:?}",
            f.evidence
        );
    }

    #[test]
    fn jar_natives_need_a_linux_build() {
        let mac_only = ZipBuilder::new()
            .unix_file("META-INF/native/libnetty_transport_native_kqueue_aarch_64.jnilib", 0o644, b"x")
            .finish();
        let both = ZipBuilder::new()
            .unix_file("META-INF/native/libnetty_transport_native_kqueue_aarch_64.jnilib", 0o644, b"x")
            .unix_file("META-INF/native/libnetty_transport_native_epoll_x86_64.so", 0o644, b"x")
            .finish();
        let zip = |jar: &[u8]| {
            ZipBuilder::new()
                .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec java -jar app.jar\n")
                .unix_file("lib/netty.jar", 0o644, jar)
                .finish()
        };
        let i = run(zip(&mac_only), "aliyun-fc", "");
        assert!(
            i.findings
                .iter()
                .any(|f| f.id == "native-addon-wrong-platform" && f.path.as_deref() == Some("lib/netty.jar")),
            "{:?}",
            ids(&i)
        );
        let i = run(zip(&both), "aliyun-fc", "");
        assert!(!ids(&i).contains(&"native-addon-wrong-platform"));
    }

    #[test]
    fn wheel_tags() {
        let wheel = |tag: &str| {
            ZipBuilder::new()
                .unix_file("index.py", 0o644, b"import ninja")
                .unix_file("ninja-1.13.dist-info/WHEEL", 0o644, format!("Wheel-Version: 1.0\nTag: {tag}\n").as_bytes())
                .finish()
        };
        for bad in [
            "py3-none-musllinux_1_2_x86_64",
            "cp311-cp311-macosx_11_0_arm64",
            "cp311-cp311-win_amd64",
            "cp311-cp311-manylinux_2_28_x86_64",
        ] {
            let i = run(wheel(bad), "aws-lambda-al2", "index.handler");
            assert!(ids(&i).contains(&"native-addon-wrong-platform"), "{bad}");
        }
        for good in [
            "py3-none-any",
            "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
            "cp311-abi3-manylinux2014_x86_64",
        ] {
            let i = run(wheel(good), "aws-lambda-al2", "index.handler");
            assert!(!ids(&i).contains(&"native-addon-wrong-platform"), "{good}");
        }
        let i = run(wheel("cp311-cp311-manylinux2014_x86_64"), "aws-lambda-al2023-arm64", "index.handler");
        assert!(ids(&i).contains(&"native-addon-wrong-platform"), "x86_64 wheel on arm64");
    }
}
