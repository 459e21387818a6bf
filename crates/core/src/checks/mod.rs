//! Package checks: from the central directory and a few sniffed bytes, every reason the package will
//! not start on the chosen platform, each with evidence, the platform's message and a fix.
//!
//! [`inspect`] is the one entry point. It resolves which files the platform runs ([`crate::entry`]),
//! sniffs only those and a bounded set of likely executables, and hands each to the check modules.

mod addons;
mod archive;
pub(crate) use archive::unsafe_reason;
mod binaries;
mod deps;
mod dynamic;
mod handler;
mod java;
mod layout;
pub mod messages;
mod permissions;
mod reach;
mod scripts;
mod server;

use crate::archive::PackageRead;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::archive::{Entry, EntryType, HostSystem, Package, StoredMode};
use crate::elf::{read_needs, ElfNeeds, MAX_ELF_BYTES};
use crate::entry::{command_targets_in, normalize_relative, resolve_targets, StartSpec, Target, TargetRole};
use crate::ids;
use crate::profiles::Profile;
use crate::sniff::{classify, FileKind};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The function will not start.
    Error,
    /// It may not start, or something else will break; the evidence is not conclusive.
    Warning,
    /// Worth knowing; not a start-up failure.
    Info,
}

impl Severity {
    /// The lowercase name used in JSON and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One problem found in the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Public check id, shared with error causes (`exec-bit-missing`).
    #[serde(deserialize_with = "crate::statics::str")]
    pub id: crate::statics::StaticStr,
    /// Error, warning or info.
    pub severity: Severity,
    /// The path in the package the finding is about, when there is one.
    pub path: Option<String>,
    /// One line saying what is wrong, with the specifics.
    pub title: String,
    /// The facts it rests on: bytes, stored mode, host byte, ELF fields.
    pub evidence: Vec<String>,
    /// What the platform will print when it fails this way.
    pub platform_message: Option<String>,
    /// Why this breaks start-up.
    pub explanation: String,
    /// What to run or change; copyable.
    pub fix: String,
}

/// What the package looks like overall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageSummary {
    /// The file name as given by the caller.
    pub name: String,
    /// Size of the zip.
    pub size: u64,
    /// Number of entries in the central directory.
    pub entries: usize,
    /// Regular files.
    pub files: usize,
    /// Sum of uncompressed sizes of files.
    pub uncompressed_size: u64,
    /// The tool that probably wrote the zip, from the host bytes and attributes.
    pub zipper: String,
    /// Decompressed bytes read to reach the verdict.
    pub bytes_sniffed: u64,
    /// Files whose contents were sniffed.
    pub files_sniffed: usize,
    /// True when the sniff budget ran out before every candidate was read.
    pub sniff_budget_exhausted: bool,
    /// Linux ELF objects for this CPU found in the package.
    pub elf_objects: usize,
    /// How many of them had their load-time needs read (the rest exceeded the read budget).
    pub elf_analysed: usize,
    /// Some object's needs were over the limits of `elf.rs` (names cut, entries left out).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub elf_over_limits: bool,
    /// Source files and scripts read for the server and dependency checks.
    pub code_read: Vec<String>,
    /// Files the start was followed into through its Python imports and Node `require`s.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub imports_followed: usize,
    /// The import walk stopped at a budget (files, bytes) or read a file only in part.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub imports_budget_hit: bool,
    /// Entries left out of the file table (past [`MAX_FILES_LISTED`]; none a finding names).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub files_not_listed: usize,
}

impl PackageSummary {
    /// What the checks did not look into because a budget or limit stopped them, in words (empty
    /// when everything they needed was read). A verdict of "nothing stops it" holds only for
    /// what was read, and says so.
    pub fn not_analysed(&self) -> Vec<String> {
        let mut gaps = Vec::new();
        if self.sniff_budget_exhausted {
            gaps.push(format!(
                "files past the first {SNIFF_BUDGET} likely executables were not looked into (the sniff budget)"
            ));
        }
        if self.elf_analysed < self.elf_objects {
            gaps.push(format!(
                "the load-time needs of {} of {} Linux ELF objects (over the read budget)",
                self.elf_objects - self.elf_analysed,
                self.elf_objects
            ));
        }
        if self.elf_over_limits {
            gaps.push("libraries or versions past what is read from an ELF object's dynamic section".into());
        }
        if self.imports_budget_hit {
            gaps.push(format!(
                "imports past what the walk reads (at most {} files, {} MiB) were not followed",
                reach::MAX_FILES,
                reach::BYTES_BUDGET >> 20
            ));
        }
        gaps
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What the file tree shows for each entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    /// Path in the zip.
    pub path: String,
    /// File, directory, link, special.
    pub entry_type: EntryType,
    /// Stored mode, rendered (`-rwxr-xr-x (0755)` or "no Unix mode stored").
    pub mode: String,
    /// The host byte, rendered.
    pub host: String,
    /// Executable after extraction.
    pub executable: bool,
    /// Uncompressed size.
    pub size: u64,
    /// Format label when sniffed (`ELF x86_64`, `script (/bin/bash)`).
    pub kind: Option<String>,
    /// `LF`, `CRLF` when sniffed text.
    #[serde(default, deserialize_with = "crate::statics::opt_str")]
    pub line_endings: Option<crate::statics::StaticStr>,
    /// For dynamic ELF objects: the loader, or "static".
    pub linkage: Option<String>,
    /// The highest glibc symbol version the object needs (`GLIBC_2.34`, plus `GLIBC_ABI_DT_RELR`).
    pub needs_glibc: Option<String>,
    /// Ids of the findings about this path.
    #[serde(default, deserialize_with = "crate::statics::vec_str")]
    pub finding_ids: Vec<&'static str>,
}

/// The full result of inspecting a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    /// Overall facts.
    pub summary: PackageSummary,
    /// The files the platform runs or reads first.
    pub targets: Vec<Target>,
    /// Findings, errors first.
    pub findings: Vec<Finding>,
    /// One row per entry, in zip order.
    pub files: Vec<FileInfo>,
    /// The profile detected from the package when none was chosen or read from a paste: its id
    /// and what showed it (`scf_bootstrap at the root …`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detected_platform: Option<(String, String)>,
}

/// Every finding id these checks can produce: a cause among these that a package shows no sign of
/// is ruled out (when the package's targets were read).
pub const CHECK_IDS: &[&str] = &[
    ids::ENTRY_MISSING,
    ids::HANDLER_MISNAMED,
    ids::ENTRY_NESTED,
    ids::ENTRY_IS_DIRECTORY,
    ids::EXEC_BIT_MISSING,
    ids::CRLF_SHEBANG,
    ids::BOM_BEFORE_SHEBANG,
    ids::SHEBANG_MISSING,
    ids::BINARY_NOT_LINUX,
    ids::BINARY_WRONG_ARCH,
    ids::ZIP_ENCRYPTED,
    ids::ZIP_METHOD_UNSUPPORTED,
    ids::ELF_INTERPRETER_MISSING,
    ids::GLIBC_TOO_NEW,
    ids::SHARED_LIB_MISSING,
    ids::NATIVE_ADDON_WRONG_PLATFORM,
    ids::RUNTIME_VERSION_MISMATCH,
    ids::ESM_CJS_MISMATCH,
    ids::NOT_READABLE,
    ids::SHEBANG_INTERPRETER_MISSING,
    ids::LISTEN_LOCALHOST,
    ids::LISTEN_WRONG_PORT,
    ids::NOT_A_SERVER,
    ids::DEPENDENCIES_MISSING,
    ids::UNSAFE_PATH,
    ids::DUPLICATE_ENTRY,
    ids::SYMLINK_OUTSIDE,
    ids::MACOS_METADATA,
    ids::SIZE_LIMIT,
    ids::LFS_POINTER,
    ids::READONLY_FILESYSTEM,
    ids::COMMAND_NOT_FOUND,
    ids::NOT_AN_EXECUTABLE,
    ids::ZIP_EXTRA_DATA,
    ids::SLOW_START,
];

/// Most entries whose first bytes are read beyond the targets (each costs a decompressor start).
pub const SNIFF_BUDGET: usize = 2000;

/// Largest jar opened to look for native libraries inside it.
const JAR_BYTES: u64 = 32 << 20;

/// Most metadata files (package.json of platform packages, wheel WHEEL files, jars) read.
pub const METADATA_BUDGET: usize = 500;

/// Most decompressed bytes spent reading the dynamic structures of ELF objects that are not
/// targets (each costs a decompression up to its `.dynamic`, near the end). Small objects go first,
/// so the budget covers as many as it can; the summary says how many.
pub const DEEP_BYTES_BUDGET: u64 = 16 << 20;

/// Most decompressed bytes spent on the ELF objects the platform executes (each read whole, up to
/// `MAX_ELF_BYTES`, for its needs and the runtime-API fingerprint). A real start runs one or a few;
/// a script that runs dozens of large binaries gets the first ones read, and the summary says so.
pub const TARGET_BYTES_BUDGET: u64 = 160 << 20;

/// Most entries in the report's file table beyond those a finding, a target or a sniff touched
/// (all of which are always listed).
pub const MAX_FILES_LISTED: usize = 1000;

/// Extensions of files that may be executables or scripts worth sniffing whatever their mode.
const SNIFF_EXTENSIONS: &[&str] = &["sh", "bash", "exe", "so", "node", "dylib", "dll", "pyd", "out"];

/// Extensions that name programs only sometimes: sniffed when the zip says the file is executable
/// or says nothing of modes. In function packages `.bin` mostly names data (model weights,
/// firmware, caches), often hundreds of stored files, and in the browser each file sniffed is one
/// more read of the dropped file (about a millisecond each in Chromium, whatever its size). A
/// `0644` program in a Unix zip fails on its missing exec bit first, and that check needs no sniff.
const SNIFF_EXTENSIONS_IF_EXECUTABLE: &[&str] = &["bin"];

/// Package directories that a start script puts on `LD_LIBRARY_PATH` (`export LD_LIBRARY_PATH=
/// $LAMBDA_TASK_ROOT/lib:…`), as package paths.
fn ld_library_path_dirs(script: &str, code_dir: &str) -> Vec<String> {
    let mut dirs = Vec::new();
    for line in script.lines().filter(|l| l.contains("LD_LIBRARY_PATH=")) {
        let value = line.split("LD_LIBRARY_PATH=").nth(1).unwrap_or("");
        let value = value.split_whitespace().next().unwrap_or("").trim_matches(|c| c == '"' || c == '\'');
        for item in value.split(':') {
            let item = ["$LAMBDA_TASK_ROOT", "${LAMBDA_TASK_ROOT}", "$PWD", "${PWD}", "$(pwd)", code_dir]
                .iter()
                .find_map(|prefix| item.strip_prefix(prefix))
                .or_else(|| item.strip_prefix("./").or((item == ".").then_some("")))
                .or_else(|| (!item.starts_with('/') && !item.starts_with('$') && !item.is_empty()).then_some(item));
            if let Some(rel) = item {
                dirs.push(normalize_relative(rel.trim_start_matches('/')).unwrap_or_default());
            }
        }
    }
    dirs
}

/// Shared view of the package for the check modules.
pub(crate) struct Ctx<'a> {
    pub profile: &'a Profile,
    pub entries: &'a [Entry],
    pub by_path: HashMap<&'a str, usize>,
    pub kinds: HashMap<usize, FileKind>,
    /// Symlink entry index → the entry it points to, when that is in the package.
    pub links: HashMap<usize, usize>,
    /// Load-time needs of the Linux ELF objects read in depth.
    pub needs: HashMap<usize, ElfNeeds>,
    /// Package directories a start script adds to `LD_LIBRARY_PATH`.
    pub ld_library_path: Vec<String>,
    /// Symlink entry index → the target path stored in it.
    pub link_texts: BTreeMap<usize, String>,
    /// The files the platform runs or reads first.
    pub targets: &'a [Target],
    /// File name (last path component) → first entry with it, for "is this library anywhere?".
    pub by_file_name: HashMap<&'a str, usize>,
}

impl<'a> Ctx<'a> {
    pub fn lookup(&self, path: &str) -> Option<&'a Entry> {
        self.by_path.get(path).map(|&i| &self.entries[i])
    }

    pub fn kind(&self, index: usize) -> Option<&FileKind> {
        self.kinds.get(&index)
    }

    /// The first non-directory entry whose file name is `name`, anywhere in the package.
    pub fn find_file_named(&self, name: &str) -> Option<&'a Entry> {
        self.by_file_name.get(name).map(|&i| &self.entries[i])
    }
}

/// Whether `entry` may be a program, script, library or link, and so worth its first bytes.
fn is_sniff_candidate(entry: &Entry) -> bool {
    if entry.entry_type == EntryType::Symlink && !entry.encrypted {
        return true; // its data is the link target: a few bytes
    }
    if entry.entry_type != EntryType::File || entry.encrypted || entry.size == 0 {
        return false;
    }
    if entry.path().starts_with("__MACOSX/") {
        return false;
    }
    if addons::is_native_module(entry.path()) {
        return true;
    }
    let name = entry.file_name();
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let mode_unknown = !matches!(entry.stored_mode, crate::archive::StoredMode::Unix { .. });
    match ext {
        None => true,
        Some(e) if SNIFF_EXTENSIONS_IF_EXECUTABLE.contains(&e.as_str()) => entry.is_executable() || mode_unknown,
        Some(e) => SNIFF_EXTENSIONS.contains(&e.as_str()) || entry.is_executable(),
    }
}

/// Guesses the zipping tool from host bytes and attributes of the entries.
fn zipper_fingerprint(entries: &[Entry]) -> String {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for e in entries {
        *counts.entry(e.host.describe()).or_default() += 1;
    }
    let all = |pred: &dyn Fn(&Entry) -> bool| entries.iter().all(pred);
    let guess = if all(&|e| e.host == HostSystem::Dos && e.external_attributes == 0) {
        "Windows Explorer, Java jar or Go archive/zip (host 0, no attributes at all)"
    } else if all(&|e| e.host == HostSystem::Dos) {
        "a Windows tool (7-Zip, WinRAR, PowerShell, .NET): host 0, DOS attributes only"
    } else if all(&|e| matches!(e.host, HostSystem::Ntfs(_))) {
        "Windows XP Explorer or another NTFS-host tool (host 10 or 11)"
    } else if all(&|e| e.host == HostSystem::MacOsX) {
        "a macOS library writing host 19 (OS X)"
    } else if all(&|e| e.host == HostSystem::Unix && matches!(e.stored_mode, StoredMode::UnixZero)) {
        ".NET/PowerShell on Linux (host 3 with mode 0)"
    } else if all(&|e| e.host == HostSystem::Unix) {
        "a Unix zipper (Info-ZIP, p7zip, Python, Go with modes, cargo-lambda …): host 3 with modes"
    } else {
        "mixed hosts"
    };
    let mut parts: Vec<_> = counts.into_iter().collect();
    parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let detail = parts.iter().map(|(h, n)| format!("{n}× {h}")).collect::<Vec<_>>().join(", ");
    format!("{guess} — {detail}")
}

/// Most bytes of one source file read to find listen calls.
const SOURCE_BYTES: usize = 256 * 1024;

/// What a Spring Boot jar listens on: `-Dserver.port` / `--server.port` in the command, else
/// `server.port` in its application.properties, else Spring's default 8080.
fn spring_listen(jar_path: &str, bytes: &[u8], command: &str, evidence: &mut server::ServerEvidence) {
    let Ok(mut jar) = Package::open(std::io::Cursor::new(bytes), crate::archive::Limits::default()) else { return };
    let is_boot = jar.entries().iter().any(|e| e.path().starts_with("BOOT-INF/"));
    let properties = jar
        .entries()
        .iter()
        .find(|e| e.path().ends_with("application.properties"))
        .map(|e| (e.index, e.path().to_string()));
    let from_command = command.split_whitespace().find_map(|w| {
        w.strip_prefix("-Dserver.port=")
            .or_else(|| w.strip_prefix("--server.port="))
            .and_then(|p| p.parse::<u16>().ok())
    });
    let (text, port) = if let Some(port) = from_command {
        (command.to_string(), Some(server::Port::Fixed { port, default_of: None }))
    } else if let Some((index, path)) = properties {
        let text =
            jar.read_prefix(index, 64 * 1024).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.trim_start().starts_with("server.port")) {
            server::scan_source(&format!("{jar_path}!/{path}"), line, evidence);
            return;
        }
        (format!("{jar_path}!/{path} sets no server.port"), is_boot.then(spring_default))
    } else {
        (format!("{jar_path}: a Spring Boot jar without server.port"), is_boot.then(spring_default))
    };
    if let Some(port) = port {
        evidence.listens.push(server::Listen {
            path: jar_path.to_string(),
            line: 0,
            text,
            host: server::Host::All,
            port,
        });
    }
}

fn spring_default() -> server::Port {
    server::Port::Fixed { port: 8080, default_of: Some("Spring Boot (default server.port 8080)") }
}

/// What the ELF pass learned about the binaries the platform executes, and what is left of
/// [`TARGET_BYTES_BUDGET`] for them — the entry binaries and the ones a script runs share it.
struct ExecutedElfs {
    /// Entry index → whether the binary is a runtime-API client.
    runtime_api: HashMap<usize, bool>,
    /// Decompressed bytes still allowed for reading executed binaries whole.
    budget: u64,
}

impl ExecutedElfs {
    /// The whole of executed binary `index` (up to `MAX_ELF_BYTES`), when what it claims fits what is
    /// left of the budget; the bytes really read are charged.
    fn read_whole<R: PackageRead>(&mut self, package: &mut Package<R>, index: usize, claimed: u64) -> Option<Vec<u8>> {
        if claimed.min(MAX_ELF_BYTES as u64) > self.budget {
            return None;
        }
        let whole = package.read_prefix(index, MAX_ELF_BYTES).ok()?;
        self.budget -= (whole.len() as u64).min(self.budget);
        Some(whole)
    }
}

/// Reads the code the entry runs — start scripts, the files their commands name, the start command
/// itself — and the entry binaries (reusing what the ELF pass already learned, [`ExecutedElfs`]), for
/// the server checks.
fn gather_server_evidence<R: PackageRead>(
    package: &mut Package<R>,
    entries: &[Entry],
    by_path: &HashMap<&str, usize>,
    kinds: &HashMap<usize, FileKind>,
    profile: &Profile,
    targets: &[Target],
    executed: &mut ExecutedElfs,
) -> server::ServerEvidence {
    let mut evidence = server::ServerEvidence {
        web_adapter: entries.iter().any(|e| e.path().contains("lambda-adapter")),
        ..Default::default()
    };
    // Each queued file remembers the script that named it (to report the ones that are missing and
    // check the ones it executes), whether that was the script's last command, and the directory
    // the script was in when it named it (its own `cd`s moved it).
    let code_dir = Some(profile.code_dir.to_string());
    let mut queue: Vec<(Target, Option<String>, bool, Option<String>)> =
        targets.iter().map(|t| (t.clone(), None, true, code_dir.clone())).collect();
    let mut seen: Vec<usize> = Vec::new();
    for t in targets.iter().filter(|t| t.origin == crate::entry::TargetOrigin::StartCommand) {
        server::scan_source("start command", &t.command, &mut evidence);
    }
    while let Some((t, named_by, last_command, cwd)) = queue.pop() {
        let found = t.alternatives.iter().find_map(|a| by_path.get(a.as_str())).copied();
        // An entry under a wrong name (`bootstrap` for `scf_bootstrap`) is reported by the layout
        // check; the code it runs is still read, so what would fail after the rename is said now.
        let misnamed = || {
            let root = named_by.is_none() && t.origin == crate::entry::TargetOrigin::DefaultEntry;
            // At the root only: a nested entry is checked as it will run once unwrapped.
            let at_root = |e: &&Entry| !e.path().contains(['/', '\\']);
            root.then(|| layout::near_misses_in(entries, &t).into_iter().find(at_root).map(|e| e.index)).flatten()
        };
        let Some(i) = found.or_else(misnamed) else {
            if let Some(script) = named_by {
                evidence.missing_from_scripts.push((script, t.command.clone(), t.path.clone()));
            }
            continue;
        };
        if seen.contains(&i) || seen.len() >= 32 || entries[i].entry_type != EntryType::File {
            continue;
        }
        seen.push(i);
        if let (Some(script), TargetRole::Exec) = (&named_by, &t.role) {
            let run = server::ScriptRun { script: script.clone(), target: t.clone(), index: i, certain: last_command };
            evidence.script_runs.push(run);
        }
        match kinds.get(&i) {
            Some(FileKind::Elf(_)) if t.role == TargetRole::Exec => {
                let is_client = match executed.runtime_api.get(&i) {
                    Some(&known) => known,
                    // A binary a script runs, not read yet: within what is left of the budget (a
                    // script that runs dozens of large binaries gets the first ones).
                    None => executed
                        .read_whole(package, i, entries[i].size)
                        .is_some_and(|b| server::is_runtime_api_client(&b)),
                };
                if is_client {
                    evidence.runtime_api_clients.push(entries[i].path().to_string());
                }
            }
            Some(FileKind::Elf(_) | FileKind::MachO { .. } | FileKind::MachOUniversal { .. } | FileKind::Pe { .. }) => {
            }
            Some(FileKind::Zip) if matches!(&t.role, TargetRole::Read { by } if by == "java") => {
                if entries[i].size <= JAR_BYTES {
                    if let Ok(bytes) = package.read_prefix(i, JAR_BYTES as usize) {
                        spring_listen(entries[i].path(), &bytes, &t.command, &mut evidence);
                    }
                }
            }
            _ => {
                let Ok(bytes) = package.read_prefix(i, SOURCE_BYTES) else { continue };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                server::scan_source(entries[i].path(), &text, &mut evidence);
                let shebang_shell = matches!(kinds.get(&i), Some(FileKind::Script(script))
                    if script.interpreter.as_deref().is_some_and(|i| i.ends_with("sh") || i.ends_with("sh\r")));
                let read_by_shell = matches!(&t.role, TargetRole::Read { by } if SHELL_READERS.contains(&by.as_str()));
                if shebang_shell || read_by_shell {
                    evidence.web_adapter |= text.contains("AWS_LWA_");
                    server::scan_script_commands(entries[i].path(), &text, &mut evidence);
                    let script = crate::shell::ScriptContext {
                        code_dir: profile.code_dir,
                        script: entries[i].path(),
                        cwd: cwd.as_deref(),
                    };
                    queue.extend(script_targets(&script, &text));
                }
                evidence.sources.push((entries[i].path().to_string(), text));
            }
        }
    }
    evidence
}

/// Readers that run a file as a shell script: `sh run.sh`, `bash run.sh`, `. env.sh`.
const SHELL_READERS: &[&str] = &["sh", "bash", "source"];

/// The files a shell script starts or sources, read as the shell runs it ([`crate::shell`]), each
/// with the script's name, whether it is the script's last command, and the directory it runs in.
fn script_targets(
    script: &crate::shell::ScriptContext<'_>,
    text: &str,
) -> Vec<(Target, Option<String>, bool, Option<String>)> {
    let steps = crate::shell::steps(script, text);
    let last_run = steps.iter().rposition(|s| s.kind == crate::shell::StepKind::Run);
    let named_by = Some(script.script.to_string());
    let mut out = Vec::new();
    for (k, step) in steps.iter().enumerate() {
        let targets = match step.kind {
            crate::shell::StepKind::Run => command_targets_in(script.code_dir, step.cwd.as_deref(), &step.command),
            crate::shell::StepKind::Source => {
                command_targets_in(script.code_dir, step.cwd.as_deref(), &format!("source {}", step.command))
            }
        };
        out.extend(targets.into_iter().map(|t| (t, named_by.clone(), Some(k) == last_run, step.cwd.clone())));
    }
    out
}

/// The files start scripts execute, checked as the entry is — execute bit, script, binary format,
/// load-time needs — since the start fails on them just the same. Each finding says which script
/// runs the file; one named by an earlier command than the script's last is a warning (it may sit
/// in a branch not taken).
fn check_script_runs(
    ctx: &Ctx<'_>,
    runs: &[server::ScriptRun],
    checked: &mut Vec<usize>,
    exec_targets: &mut Vec<usize>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for run in runs {
        if checked.contains(&run.index) || ctx.entries[run.index].entry_type != EntryType::File {
            continue;
        }
        checked.push(run.index);
        let entry = layout::follow_symlink(ctx, &ctx.entries[run.index]);
        exec_targets.push(entry.index);
        let mut found: Vec<Finding> = permissions::check_exec_bit(ctx, &run.target, entry).into_iter().collect();
        if let Some(kind) = ctx.kind(entry.index) {
            found.extend(scripts::check_exec_script(ctx, &run.target, entry, kind));
            found.extend(binaries::check_exec_binary(ctx, &run.target, entry, kind));
        }
        if let Some(needs) = ctx.needs.get(&entry.index).filter(|_| dynamic::applies(ctx.profile)) {
            checked.push(entry.index);
            found.extend(dynamic::check_elf(ctx, entry, needs, Some(&run.target)));
        }
        // A shell runs a text file without #! as a shell script itself: no exec failure to report.
        found.retain(|f| f.id != ids::SHEBANG_MISSING);
        for f in &mut found {
            // The platform starts the script; the shell is the one that fails to run the file.
            let shell_error = match f.id {
                ids::EXEC_BIT_MISSING => Some("Permission denied"),
                ids::BINARY_NOT_LINUX | ids::BINARY_WRONG_ARCH => Some("cannot execute binary file: Exec format error"),
                _ => None,
            };
            if let Some(what) = shell_error {
                f.platform_message = Some(shell_says(ctx, run, what));
            }
            f.evidence.insert(0, format!("{} runs it: {}", run.script, run.target.command));
            if !run.certain && f.severity == Severity::Error {
                f.severity = Severity::Warning;
                f.evidence.insert(1, "not the script's last command: it may not run on every start".into());
            }
        }
        findings.extend(found);
    }
    findings
}

/// What the platform prints when the start script's shell cannot run `run` (exit 126).
fn shell_says(ctx: &Ctx<'_>, run: &server::ScriptRun, what: &str) -> String {
    let profile = ctx.profile;
    let program = run.target.command.split_whitespace().next().unwrap_or(&run.target.command);
    let log = format!("{}/{}: {program}: {what}", profile.code_dir, run.script);
    let (path, command) = ctx
        .targets
        .first()
        .map_or((run.script.as_str(), run.script.as_str()), |t| (t.platform_path.as_str(), t.command.as_str()));
    messages::platform_says(profile, messages::StartFailure::Exit { status: 126, log: &log }, path, command)
}

/// Inspects a package for the given platform and start spec.
pub fn inspect<R: PackageRead>(
    package: &mut Package<R>,
    name: &str,
    profile: &Profile,
    spec: &StartSpec,
) -> Inspection {
    let entries: Vec<Entry> = package.entries().to_vec();
    // Azure custom handlers name their executable in host.json.
    let mut spec = spec.clone();
    if profile.entry == crate::profiles::EntryConvention::HostJson
        && spec.start_command.is_none()
        && spec.handler.is_none()
    {
        if let Some(host_json) = entries.iter().find(|e| e.path() == "host.json") {
            if let Ok(bytes) = package.read_prefix(host_json.index, SOURCE_BYTES) {
                spec.start_command = crate::entry::host_json_command(&String::from_utf8_lossy(&bytes));
            }
        }
    }
    let targets = resolve_targets(profile, &spec);

    let mut by_path: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for e in &entries {
        by_path.entry(e.path()).or_insert(e.index);
    }

    // Sniff the targets first (following one symlink hop), then the likely executables.
    let mut to_sniff: Vec<usize> = Vec::new();
    for t in &targets {
        for alt in &t.alternatives {
            if let Some(&i) = by_path.get(alt.as_str()) {
                to_sniff.push(i);
            }
        }
    }
    let mut budget_exhausted = false;
    let mut extra = 0usize;
    for e in &entries {
        if is_sniff_candidate(e) && !to_sniff.contains(&e.index) {
            if extra == SNIFF_BUDGET {
                budget_exhausted = true;
                break;
            }
            to_sniff.push(e.index);
            extra += 1;
        }
    }
    package.prefetch_prefixes(&to_sniff, package.limits().sniff_bytes);
    let mut kinds: HashMap<usize, FileKind> = HashMap::new();
    let mut links: HashMap<usize, usize> = HashMap::new();
    let mut link_texts: BTreeMap<usize, String> = BTreeMap::new();
    for &i in &to_sniff {
        if entries[i].entry_type == EntryType::Directory {
            continue;
        }
        let Ok(head) = package.sniff(i) else { continue };
        if entries[i].entry_type != EntryType::Symlink {
            kinds.insert(i, classify(&head));
            continue;
        }
        // A link's data is its target path: follow it once so the target's content is known too.
        let dir = entries[i].path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let link_text = String::from_utf8_lossy(&head).into_owned();
        let joined = format!("{dir}/{link_text}");
        link_texts.insert(i, link_text);
        let target = crate::entry::normalize_relative(&joined).and_then(|p| by_path.get(p.as_str()).copied());
        if let Some(ti) = target {
            links.insert(i, ti);
            if let std::collections::hash_map::Entry::Vacant(slot) = kinds.entry(ti) {
                if let Ok(h) = package.sniff(ti) {
                    slot.insert(classify(&h));
                }
            }
        }
    }

    // Read the dynamic structures of Linux ELF objects built for this CPU: targets first.
    let mut needs: HashMap<usize, ElfNeeds> = HashMap::new();
    let target_indices: Vec<usize> =
        targets.iter().flat_map(|t| t.alternatives.iter()).filter_map(|a| by_path.get(a.as_str()).copied()).collect();
    let mut deep: Vec<usize> = to_sniff
        .iter()
        .copied()
        .filter(|i| matches!(kinds.get(i), Some(FileKind::Elf(h)) if h.os == crate::sniff::ElfOs::Linux && h.arch == profile.arch))
        .collect();
    let elf_objects = deep.len();
    deep.sort_by_key(|i| (!target_indices.contains(i), entries[*i].size));
    // The objects the platform executes are read whole within their own budget; the others, the
    // smallest first, while their sizes fit `DEEP_BYTES_BUDGET` — all of those are read ahead.
    let mut budget = DEEP_BYTES_BUDGET;
    deep.retain(|i| {
        if target_indices.contains(i) {
            return true;
        }
        let fits = entries[*i].size <= budget;
        if fits {
            budget -= entries[*i].size;
        }
        fits
    });
    let others: Vec<usize> = deep.iter().copied().filter(|i| !target_indices.contains(i)).collect();
    package.prefetch_prefixes(&others, MAX_ELF_BYTES);
    let mut executed = ExecutedElfs { runtime_api: HashMap::new(), budget: TARGET_BYTES_BUDGET };
    let mut malformed: Vec<(usize, &'static str)> = Vec::new();
    for i in deep {
        let is_target = target_indices.contains(&i);
        if is_target {
            // The entry binary is read whole once: for its load-time needs and for the runtime-API
            // client fingerprint the server checks look for.
            let Some(whole) = executed.read_whole(package, i, entries[i].size) else { continue };
            executed.runtime_api.insert(i, server::is_runtime_api_client(&whole));
            match read_needs(|len| Ok(whole[..len.min(whole.len())].to_vec())) {
                Ok(n) => {
                    needs.insert(i, n);
                }
                Err(crate::elf::ElfError::Malformed(why)) => malformed.push((i, why)),
                Err(_) => {}
            }
        } else if let Ok(n) = read_needs(|len| package.read_prefix(i, len.min(MAX_ELF_BYTES))) {
            needs.insert(i, n);
        }
    }
    let elf_analysed = needs.len();
    let elf_over_limits = needs.values().any(|n| n.over_limits);
    let mut ld_library_path = Vec::new();
    for t in targets.iter().filter(|t| t.role == TargetRole::Exec) {
        if let Some(&i) = by_path.get(t.path.as_str()) {
            if matches!(kinds.get(&i), Some(FileKind::Script(_))) {
                if let Ok(head) = package.sniff(i) {
                    ld_library_path.extend(ld_library_path_dirs(&String::from_utf8_lossy(&head), profile.code_dir));
                }
            }
        }
    }

    // Package metadata that names platforms: npm packages holding native modules or named for a
    // platform, and installed Python wheels.
    let mut package_json: BTreeMap<String, addons::PlatformFields> = BTreeMap::new();
    let mut wheels: BTreeMap<String, String> = BTreeMap::new();
    // Package directories holding native modules, plus those whose name is a platform.
    let mut npm_dirs: Vec<String> = entries
        .iter()
        .filter(|e| addons::is_native_module(e.path()))
        .filter_map(|e| addons::npm_package_dir(e.path()))
        .collect();
    npm_dirs.extend(
        entries
            .iter()
            .filter(|e| e.path().ends_with("/package.json"))
            .filter_map(|e| addons::npm_package_dir(e.path()))
            .filter(|dir| addons::names_a_platform(dir)),
    );
    npm_dirs.sort();
    npm_dirs.dedup();
    for dir in npm_dirs.into_iter().take(METADATA_BUDGET) {
        let Some(&i) = by_path.get(format!("{dir}/package.json").as_str()) else { continue };
        if let Ok(bytes) = package.read_prefix(i, 256 * 1024) {
            if let Ok(fields) = serde_json::from_slice::<addons::PlatformFields>(&bytes) {
                package_json.insert(dir, fields);
            }
        }
    }
    for e in entries.iter().filter(|e| e.path().ends_with(".dist-info/WHEEL")).take(METADATA_BUDGET) {
        if let Ok(bytes) = package.read_prefix(e.index, 16 * 1024) {
            wheels.insert(e.path().to_string(), String::from_utf8_lossy(&bytes).into_owned());
        }
    }

    // Native libraries inside jars (one level deep, bounded): Java loads them by platform.
    // The Java handler's class, in the package or in the jars (classpath jars first).
    let mut java_evidence =
        java::handler_for(profile, &spec).map(|handler| java::JavaEvidence::search_package(handler, package, &entries));
    let mut jar_natives: Vec<(String, Vec<String>)> = Vec::new();
    for (n, e) in java::jars_in_search_order(&entries).into_iter().enumerate() {
        if n >= METADATA_BUDGET || e.size > JAR_BYTES {
            if let Some(java) = java_evidence.as_mut().filter(|j| j.wants_jars()) {
                java.unread_jars.push(e.path().to_string());
            }
            continue;
        }
        let Ok(bytes) = package.read_prefix(e.index, JAR_BYTES as usize) else { continue };
        let Ok(mut jar) = Package::open(std::io::Cursor::new(bytes), crate::archive::Limits::default()) else {
            continue;
        };
        match java_evidence.as_mut() {
            Some(java) if n < java::MAX_JARS_SEARCHED => java.search_jar(e.path(), &mut jar),
            Some(java) if java.wants_jars() => java.unread_jars.push(e.path().to_string()),
            _ => {}
        }
        let natives: Vec<String> = jar
            .entries()
            .iter()
            .map(|j| j.path().to_string())
            .filter(|n| addons::is_native_module(n) || n.ends_with(".jnilib"))
            .collect();
        jar_natives.push((e.path().to_string(), natives));
    }
    let server_evidence = gather_server_evidence(package, &entries, &by_path, &kinds, profile, &targets, &mut executed);
    // What the entry's Python or JavaScript loads, followed through its imports.
    let reach = reach::follow(package, &entries, &by_path, profile, &server_evidence.sources);
    let mut manifests = deps::Manifests::default();
    for name in ["requirements.txt", "package.json", "composer.json", "pyproject.toml", "Gemfile"] {
        let Some(&i) = by_path.get(name) else { continue };
        let Ok(bytes) = package.read_prefix(i, SOURCE_BYTES) else { continue };
        let manifest = (name.to_string(), String::from_utf8_lossy(&bytes).into_owned());
        match name {
            "requirements.txt" => manifests.python.push(manifest),
            "package.json" => manifests.node.push(manifest),
            "pyproject.toml" => manifests.pyproject.push(manifest),
            "Gemfile" => manifests.ruby.push(manifest),
            _ => manifests.php.push(manifest),
        }
    }

    let mut by_file_name: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for e in entries.iter().filter(|e| e.entry_type != EntryType::Directory) {
        by_file_name.entry(e.file_name()).or_insert(e.index);
    }
    let ctx = Ctx {
        profile,
        entries: &entries,
        by_path,
        kinds,
        links,
        needs,
        ld_library_path,
        link_texts,
        targets: &targets,
        by_file_name,
    };
    let mut findings = Vec::new();
    let mut checked: Vec<usize> = Vec::new();
    let mut read_targets: Vec<(&Target, &Entry)> = Vec::new();
    let mut exec_targets: Vec<usize> = Vec::new();
    for target in &targets {
        let entry = match layout::locate_target(&ctx, target, &mut findings) {
            layout::Located::Found(entry) => entry,
            layout::Located::Nested(nested) => {
                // Unwrapping the folder is not the whole story when the file itself would not run:
                // check it as it will be at the root, so one round of fixes is enough.
                if target.role == TargetRole::Exec && nested.entry_type == EntryType::File {
                    checked.push(nested.index);
                    findings.extend(permissions::check_exec_bit(&ctx, target, nested));
                    if let Some(kind) = ctx.kind(nested.index) {
                        findings.extend(scripts::check_exec_script(&ctx, target, nested, kind));
                        findings.extend(binaries::check_exec_binary(&ctx, target, nested, kind));
                    }
                }
                continue;
            }
            layout::Located::Missing => continue,
        };
        checked.push(entry.index);
        if entry.entry_type == EntryType::Directory {
            findings.push(layout::entry_is_directory(&ctx, target, entry));
            continue;
        }
        let resolved = layout::follow_symlink(&ctx, entry);
        if target.role != TargetRole::Exec {
            read_targets.push((target, resolved));
            continue;
        }
        exec_targets.push(resolved.index);
        findings.extend(permissions::check_exec_bit(&ctx, target, resolved));
        if let Some(kind) = ctx.kind(resolved.index) {
            findings.extend(scripts::check_exec_script(&ctx, target, resolved, kind));
            findings.extend(binaries::check_exec_binary(&ctx, target, resolved, kind));
        }
        if let Some(n) = ctx.needs.get(&resolved.index).filter(|_| dynamic::applies(profile)) {
            checked.push(resolved.index);
            findings.extend(dynamic::check_elf(&ctx, resolved, n, Some(target)));
        }
    }
    findings.extend(check_script_runs(&ctx, &server_evidence.script_runs, &mut checked, &mut exec_targets));
    if dynamic::applies(profile) {
        let mut others: Vec<usize> = ctx.needs.keys().copied().filter(|i| !checked.contains(i)).collect();
        others.sort_unstable();
        for i in others {
            findings.extend(dynamic::check_elf(&ctx, &entries[i], &ctx.needs[&i], None));
        }
    }
    for &(i, why) in &malformed {
        findings.push(Finding {
            id: ids::NOT_AN_EXECUTABLE,
            severity: Severity::Error,
            path: Some(entries[i].path().to_string()),
            title: format!("{} is a truncated or malformed ELF", entries[i].path()),
            evidence: vec![format!("the ELF header is valid, but {why}"), format!("{} bytes stored", entries[i].size)],
            platform_message: None,
            explanation: "A cut-off upload or a broken build step left a file the loader cannot map: exec fails with \
                          exec format error or the process crashes at once."
                .into(),
            fix: "Rebuild the binary and zip it again; compare its size and checksum with the build output.".into(),
        });
    }
    findings.extend(server::check_server(&ctx, &server_evidence));
    let read_whole = |path: &str| ctx.lookup(path).is_some_and(|e| e.size <= SOURCE_BYTES as u64);
    findings.extend(handler::check_handler_functions(&ctx, &server_evidence.sources, &read_whole));
    let root_package_json = manifests.node.iter().find(|(p, _)| p == "package.json").map(|(_, t)| t.as_str());
    findings.extend(handler::check_module_format(&ctx, &server_evidence.sources, root_package_json));
    findings.extend(server::check_environment(&ctx, &server_evidence));
    findings.extend(deps::check_dependencies(&ctx, &manifests, &server_evidence.sources));
    findings.extend(permissions::check_readable(&ctx, &read_targets, &exec_targets));
    findings.extend(archive::check_archive(&ctx));
    findings.extend(archive::check_layout(
        &ctx,
        package.duplicates(),
        package.total_bytes(),
        package.prefix_bytes(),
        package.trailing_bytes(),
    ));
    findings.extend(addons::check_jar_natives(&ctx, &jar_natives));
    if let Some(java) = &java_evidence {
        findings.extend(java::check_java_handler(&ctx, java));
    }
    // The Python the function runs: the one a managed runtime states, else one a start command names.
    let stated = profile
        .runtime
        .filter(|r| r.language == crate::profiles::Language::Python)
        .map(|r| (r.version.to_string(), format!("{} (the {} runtime)", r.interpreter, profile.id)));
    let python = stated.or_else(|| {
        targets
            .iter()
            .map(|t| t.command.as_str())
            .chain(server_evidence.sources.iter().filter(|(p, _)| !p.ends_with(".py")).map(|(_, text)| text.as_str()))
            .find_map(|text| text.lines().find_map(addons::python_version_in))
    });
    findings.extend(addons::check_addons(
        &ctx,
        &package_json,
        &wheels,
        python.as_ref(),
        &server_evidence.sources,
        &reach,
    ));
    findings.extend(binaries::check_other_binaries(&ctx, &checked));
    findings.extend(scripts::check_other_scripts(&ctx, &checked));
    findings.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| a.path.cmp(&b.path)));

    let mut ids_by_path: HashMap<&str, Vec<&'static str>> = HashMap::new();
    for f in &findings {
        if let Some(path) = f.path.as_deref() {
            ids_by_path.entry(path).or_default().push(f.id);
        }
    }
    // The table lists every entry a finding, a target or a sniff touched, then others in order up
    // to MAX_FILES_LISTED: a 200,000-entry package gives a table of what matters, not 60 MB of JSON.
    let target_paths: std::collections::HashSet<&str> =
        targets.iter().flat_map(|t| t.alternatives.iter().map(String::as_str)).collect();
    let notable = |e: &&Entry| {
        ids_by_path.contains_key(e.path()) || target_paths.contains(e.path()) || ctx.kind(e.index).is_some()
    };
    let mut others_left = MAX_FILES_LISTED.saturating_sub(entries.iter().filter(notable).count());
    let listed: Vec<&Entry> = entries
        .iter()
        .filter(|e| {
            notable(e) || {
                let take = others_left > 0;
                others_left = others_left.saturating_sub(1);
                take
            }
        })
        .collect();
    let files_not_listed = entries.len() - listed.len();
    let files = listed
        .into_iter()
        .map(|e| {
            let kind = ctx.kind(e.index);
            let line_endings = match kind {
                Some(FileKind::Script(s)) => Some(if s.any_crlf { "CRLF" } else { "LF" }),
                Some(FileKind::Text { crlf, .. }) if e.entry_type == EntryType::File => {
                    Some(if *crlf { "CRLF" } else { "LF" })
                }
                _ => None,
            };
            let mut finding_ids: Vec<&'static str> = ids_by_path.get(e.path()).cloned().unwrap_or_default();
            finding_ids.dedup();
            let needs = ctx.needs.get(&e.index);
            let linkage = needs.map(|n| match (&n.interpreter, n.is_static, n.is_shared_library) {
                (Some(interp), _, _) => format!("loader {interp}"),
                (None, true, _) => "static".to_string(),
                (None, false, true) => "shared library".to_string(),
                (None, false, false) => "static-pie".to_string(),
            });
            let needs_glibc = needs.and_then(|n| {
                let max = n.max_version("GLIBC_");
                match (max, n.needs_dt_relr()) {
                    (Some(m), true) => Some(format!("{m} + GLIBC_ABI_DT_RELR")),
                    (Some(m), false) => Some(m),
                    (None, true) => Some("GLIBC_ABI_DT_RELR".into()),
                    (None, false) => None,
                }
            });
            FileInfo {
                linkage,
                needs_glibc,
                path: e.name.clone(),
                entry_type: e.entry_type,
                mode: e.stored_mode.describe(),
                host: e.host.describe(),
                executable: e.is_executable(),
                size: e.size,
                kind: kind.filter(|_| e.entry_type == EntryType::File).map(FileKind::label),
                line_endings,
                finding_ids,
            }
        })
        .collect();

    let summary = PackageSummary {
        name: name.to_string(),
        size: package.total_bytes(),
        entries: entries.len(),
        files: entries.iter().filter(|e| e.entry_type == EntryType::File).count(),
        uncompressed_size: entries.iter().filter(|e| e.entry_type == EntryType::File).map(|e| e.size).sum(),
        zipper: zipper_fingerprint(&entries),
        bytes_sniffed: package.bytes_sniffed(),
        files_sniffed: ctx.kinds.len(),
        sniff_budget_exhausted: budget_exhausted,
        elf_objects,
        elf_analysed,
        elf_over_limits,
        files_not_listed,
        imports_followed: reach.files(),
        imports_budget_hit: reach.budget_hit(),
        code_read: server_evidence.sources.iter().map(|(path, _)| path.clone()).collect(),
    };
    Inspection { summary, targets, findings, files, detected_platform: None }
}

#[cfg(test)]
mod tests {
    use super::ld_library_path_dirs;
    use super::test_support::run;
    use super::Inspection;
    use crate::synth::{elf, ZipBuilder};

    /// A `.bin` is looked into when it is executable or the zip keeps no modes, not when a Unix
    /// zip says it is data; run by the start without its exec bit, it is still reported.
    #[test]
    fn data_named_bin_is_not_sniffed_but_programs_named_bin_are() {
        let program = elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &[], 2);
        let unix = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec ./server.bin\n")
            .unix_file("server.bin", 0o644, &program)
            .unix_file("tools/helper.bin", 0o755, &program)
            .unix_file("models/weights.bin", 0o644, &program)
            .finish();
        let inspection = run(unix, "aliyun-fc", "");
        let sniffed = |i: &Inspection| -> Vec<String> {
            i.files.iter().filter(|f| f.kind.is_some()).map(|f| f.path.clone()).collect()
        };
        assert_eq!(sniffed(&inspection), ["bootstrap", "tools/helper.bin"]);
        let missing_bit = inspection.findings.iter().find(|f| f.id == "exec-bit-missing").expect("exec-bit-missing");
        assert_eq!(missing_bit.path.as_deref(), Some("server.bin"));
        let windows = ZipBuilder::new()
            .dos_file("bootstrap", b"#!/bin/sh\nexec ./server.bin\n")
            .dos_file("models/weights.bin", &program)
            .finish();
        assert_eq!(sniffed(&run(windows, "aliyun-fc", "")), ["bootstrap", "models/weights.bin"]);
    }

    #[test]
    fn ld_library_path_from_scripts() {
        let script = "#!/bin/bash\nexport LD_LIBRARY_PATH=$LAMBDA_TASK_ROOT/lib:./vendor/so:/opt/lib:$LD_LIBRARY_PATH\nexec ./app\n";
        assert_eq!(ld_library_path_dirs(script, "/var/task"), ["lib", "vendor/so"]);
        assert_eq!(ld_library_path_dirs("LD_LIBRARY_PATH=/code/deps ./main", "/code"), ["deps"]);
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::archive::Limits;
    use crate::profiles::profile;
    use std::io::Cursor;

    /// Inspects a synthesized zip for a profile id and a start text.
    pub fn run(zip: Vec<u8>, profile_id: &str, start: &str) -> Inspection {
        let mut pkg = Package::open(Cursor::new(zip), Limits::default()).expect("test zip opens");
        inspect(&mut pkg, "test.zip", profile(profile_id).unwrap(), &StartSpec::from_user_text(start))
    }

    /// The ids of the error findings.
    pub fn errors(i: &Inspection) -> Vec<&'static str> {
        i.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.id).collect()
    }

    /// All finding ids.
    pub fn ids(i: &Inspection) -> Vec<&'static str> {
        i.findings.iter().map(|f| f.id).collect()
    }
}
