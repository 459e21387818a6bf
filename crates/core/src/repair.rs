//! Repairing a package: what can be fixed without guessing, and nothing else.
//!
//! Repairs: Unix modes (0755 on the entry, `#!` scripts and ELF executables, and on anything that
//! already had an execute bit; 0644 on other files; host byte Unix); CRLF → LF and BOM removal in
//! `#!` scripts; unwrapping a single wrapper folder when the entry was found inside it; dropping
//! `__MACOSX/` and `.DS_Store`. Everything else is copied as stored: an entry whose bytes do not
//! change is copied compressed, without recompressing (a raw copy keeps its CRC, sizes, method and
//! extra fields). The result is diagnosed again by the caller; what still fails needs a manual fix
//! (architecture, glibc, missing files).
//!
//! Safe by construction: no entry is written under a name that climbs out of the package or is
//! absolute (`..`, `/`, a drive letter, UNC), whether stored so or made so by a rewrite — such entries
//! are left out and listed; zips whose entries share bytes (overlap bombs) are refused; the input is
//! capped at [`MAX_REPAIR_BYTES`] and rewritten scripts at [`MAX_REWRITE_TOTAL`] in all, so the output
//! is never larger than the input plus the rewritten scripts.
//!
//! It reads the package through a reader and reads only what it checks and rewrites (headers, the
//! sniffed prefixes, scripts); the result is a [`RepairedZip`] of pieces, whose copied parts stay
//! ranges of the original until the caller writes them out.

use std::io::SeekFrom;

use serde::{Deserialize, Serialize};

use crate::archive::{EntryType, Limits, Package, PackageRead, StoredMode};
use crate::ids;
use crate::report::{diagnose, Report, Request, RequestError};
use crate::sniff::{classify, FileKind};

/// Largest script whose text is rewritten (CRLF, BOM); larger ones keep their bytes and are listed.
pub const MAX_REWRITE_BYTES: u64 = 8 << 20;

/// Script bytes rewritten in one repair, in all; scripts past it keep their bytes and are listed.
pub const MAX_REWRITE_TOTAL: u64 = 64 << 20;

/// Most entries a repaired zip holds: past 65,535 a zip needs zip64 end records, which the
/// writer does not write.
pub const MAX_REPAIR_ENTRIES: usize = 65_535;

/// Largest package repaired (1 GiB): no platform accepts a zip near this size, and writing the
/// result copies all of it.
pub const MAX_REPAIR_BYTES: u64 = 1 << 30;

/// One change made to the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RepairAction {
    /// A new mode (and host byte Unix).
    Mode {
        /// Path in the repaired package.
        path: String,
        /// The mode as it was stored, rendered.
        from: String,
        /// The new permission bits.
        to: u32,
    },
    /// CR LF line endings turned into LF.
    LineEndings {
        /// Path.
        path: String,
        /// Lines changed.
        lines: usize,
    },
    /// A UTF-8 byte-order mark removed from before `#!`.
    ByteOrderMark {
        /// Path.
        path: String,
    },
    /// Every entry moved out of one wrapper folder.
    Unwrapped {
        /// The folder removed from every path (`myfunc/`).
        folder: String,
        /// How many entries moved.
        entries: usize,
    },
    /// Windows separators (`\\`) in a Windows entry's name turned into `/`.
    Separators {
        /// The name as stored.
        from: String,
        /// The name as meant.
        to: String,
    },
    /// Files without a stored mode given 0644 and a Unix host byte: how they extract does not change.
    Normalised {
        /// How many.
        files: usize,
    },
    /// macOS metadata left out.
    Dropped {
        /// Path in the original package.
        path: String,
    },
    /// An entry left out because writing it would be unsafe or ambiguous.
    LeftOut {
        /// The name as stored (or as a rewrite would have made it).
        path: String,
        /// Why, in words.
        reason: String,
    },
}

impl RepairAction {
    /// One line for people.
    pub fn describe(&self) -> String {
        match self {
            RepairAction::Mode { path, from, to } => format!("{path}: mode {from} → {}", render_mode(*to)),
            RepairAction::LineEndings { path, lines } => {
                format!("{path}: {lines} line{} from CRLF to LF", if *lines == 1 { "" } else { "s" })
            }
            RepairAction::ByteOrderMark { path } => format!("{path}: byte-order mark removed before #!"),
            RepairAction::Unwrapped { folder, entries } => {
                format!("{entries} entries moved out of the wrapper folder {folder}")
            }
            RepairAction::Separators { from, to } => format!("{from} → {to}: Windows separators"),
            RepairAction::Normalised { files } => format!(
                "{files} other file{} given mode 0644 and a Unix host byte (they extracted as 0644 already)",
                if *files == 1 { "" } else { "s" }
            ),
            RepairAction::Dropped { path } => format!("{path}: macOS metadata left out"),
            RepairAction::LeftOut { path, reason } => format!("{path:?}: left out, {reason}"),
        }
    }
}

fn render_mode(perms: u32) -> String {
    let bits = ['r', 'w', 'x'];
    let mut s = String::from("-");
    for i in (0..9).rev() {
        s.push(if perms & (1 << i) != 0 { bits[(8 - i) % 3] } else { '-' });
    }
    format!("{s} ({perms:04o})")
}

/// The repaired package and what was done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repaired {
    /// The new zip, as pieces of the original and new bytes.
    #[serde(skip)]
    pub zip: RepairedZip,
    /// Every change, in entry order.
    pub actions: Vec<RepairAction>,
    /// Entries copied without recompressing.
    pub copied_raw: usize,
    /// Entries whose bytes were rewritten (and deflated).
    pub rewritten: usize,
    /// Scripts too large to rewrite, left as they were.
    pub skipped: Vec<String>,
    /// The diagnosis of the original package.
    pub before: Report,
    /// The diagnosis of the repaired package.
    pub after: Report,
}

impl Repaired {
    /// Ids the repair is built to fix that the original had and the result does not. (Other ids
    /// that vanish as a side effect are not claimed.)
    pub fn fixed_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = self
            .before
            .findings
            .iter()
            .map(|f| f.id)
            .filter(|id| REPAIRS.contains(id) && !self.after.findings.iter().any(|a| a.id == *id))
            .collect();
        ids.dedup();
        ids
    }
}

/// The finding ids a repair addresses.
pub const REPAIRS: &[&str] = &[
    ids::EXEC_BIT_MISSING,
    ids::NOT_READABLE,
    ids::CRLF_SHEBANG,
    ids::BOM_BEFORE_SHEBANG,
    ids::ENTRY_NESTED,
    ids::MACOS_METADATA,
    ids::UNSAFE_PATH,
];

/// Why a package could not be repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RepairError {
    /// The request itself is wrong (unknown platform).
    Request(RequestError),
    /// The package could not be read; the message says why.
    Unreadable(String),
    /// Writing the new zip failed.
    Write(String),
    /// The package is readable but not safe to rewrite (overlapping entries, too large).
    Refused(String),
}

impl std::fmt::Display for RepairError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepairError::Request(e) => write!(f, "{e}"),
            RepairError::Unreadable(m) => write!(f, "the package cannot be repaired because it cannot be read: {m}"),
            RepairError::Write(m) => write!(f, "writing the repaired package failed: {m}"),
            RepairError::Refused(m) => write!(f, "the package is not repaired: {m}"),
        }
    }
}

impl std::error::Error for RepairError {}

fn is_macos_metadata(path: &str) -> bool {
    path.starts_with("__MACOSX/") || path == "__MACOSX" || path.rsplit('/').next() == Some(".DS_Store")
}

/// The wrapper folder to remove: the entry was found nested, and every kept entry is inside it.
fn wrapper_folder(report: &Report, paths: &[String]) -> Option<String> {
    let nested = report.findings.iter().find(|f| f.id == ids::ENTRY_NESTED)?.path.clone()?;
    let folder = format!("{}/", nested.split('/').next()?);
    let kept = paths.iter().filter(|p| !is_macos_metadata(p));
    let mut any = false;
    for p in kept {
        any = true;
        if !p.starts_with(&folder) && p.as_str() != folder.trim_end_matches('/') {
            return None;
        }
    }
    any.then_some(folder)
}

/// Why a package of `size` bytes with `entries` entries is not repaired, or `None` when its size
/// and count allow a repair. Known from the report's package summary, so the page offers no
/// repair that would be refused.
pub fn refusal(size: u64, entries: usize) -> Option<String> {
    if size > MAX_REPAIR_BYTES {
        return Some(format!(
            "it is {} MiB, and repairs stop at {} MiB (no platform accepts a zip that large); `check` still diagnoses it",
            size >> 20,
            MAX_REPAIR_BYTES >> 20
        ));
    }
    (entries > MAX_REPAIR_ENTRIES).then(|| {
        format!(
            "it has {entries} entries, and the repaired zip would need zip64 records, which the repair does not write (at most {MAX_REPAIR_ENTRIES}); `check` still diagnoses it"
        )
    })
}

/// Whether the report's package may be repaired at all: it was read, and its size and entry
/// count pass [`refusal`]. Both the verdict and the page's export bar ask this.
pub fn size_allows_repair(report: &Report) -> bool {
    report.package.as_ref().is_some_and(|p| refusal(p.size, p.entries).is_none())
}

/// Repairs a package and diagnoses the result. `name` is the file name; `request` as for
/// [`diagnose`] (the repair uses its platform and start command to know the entry). The package is
/// read through `package` (only what the checks and rewrites need); the result's copied parts are
/// ranges of it. One reader type (`&mut dyn PackageRead`) for every pass keeps one instantiation
/// of the check pipeline in the wasm.
pub fn repair(package: &mut dyn PackageRead, name: &str, request: &Request) -> Result<Repaired, RepairError> {
    let size = package.seek(SeekFrom::End(0)).map_err(|e| RepairError::Unreadable(e.to_string()))?;
    if let Some(why) = refusal(size, 0) {
        return Err(RepairError::Refused(why));
    }
    // The writer does not write zip64: refuse what it cannot write before diagnosing twice.
    if let Ok(opened) = Package::open(&mut *package, Limits::default()) {
        if let Some(why) = refusal(size, opened.entries().len()) {
            return Err(RepairError::Refused(why));
        }
    }
    let before = diagnose(Some((name, &mut *package)), request).map_err(RepairError::Request)?;
    let (first, next_request) = repair_once(package, size, name, request, before)?;
    // A repair can uncover the next one (separators fixed → the entry is now seen inside a folder):
    // one more pass, never more. Its "before" is the first pass's "after": diagnosed once.
    let uncovered = first
        .after
        .findings
        .iter()
        .any(|f| REPAIRS.contains(&f.id) && !first.before.findings.iter().any(|b| b.id == f.id));
    if !uncovered {
        return Ok(first);
    }
    let mut view = first.zip.reader(&mut *package);
    let (mut second, _) = repair_once(&mut view, first.zip.len(), name, &next_request, first.after.clone())?;
    // The second pass copied from the first's result: as pieces of the original.
    second.zip = first.zip.then(std::mem::take(&mut second.zip));
    let mut actions = first.actions;
    actions.append(&mut second.actions);
    second.actions = actions;
    second.copied_raw = first.copied_raw;
    second.rewritten += first.rewritten;
    second.skipped.extend(first.skipped);
    second.before = first.before;
    Ok(second)
}

/// [`repair`] of a package held in memory, with the repaired zip's bytes.
pub fn repair_in_memory(zip: &[u8], name: &str, request: &Request) -> Result<(Repaired, Vec<u8>), RepairError> {
    let repaired = repair(&mut std::io::Cursor::new(zip), name, request)?;
    let bytes = repaired.zip.to_vec(zip).map_err(write_error)?;
    Ok((repaired, bytes))
}

/// One pass over a package of `size` bytes already diagnosed as `before` (with `request`). Also
/// returns the request the result was diagnosed with (the start command moved out of a removed
/// folder).
fn repair_once(
    source: &mut dyn PackageRead,
    size: u64,
    name: &str,
    request: &Request,
    before: Report,
) -> Result<(Repaired, Request), RepairError> {
    if let Some(message) = &before.package_error {
        return Err(RepairError::Unreadable(message.clone()));
    }
    let mut package =
        Package::open(&mut *source, Limits::default()).map_err(|e| RepairError::Unreadable(e.to_string()))?;
    let entries = package.entries().to_vec();
    let (sources, raw_names) = locate_entries(&mut package, entries.len())?;
    refuse_overlaps(&entries, &sources)?;
    let paths: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let folder = wrapper_folder(&before, &paths);
    let targets: Vec<String> = before.targets.iter().map(|t| t.path.clone()).collect();

    let mut actions = Vec::new();
    let mut skipped = Vec::new();
    let (mut copied_raw, mut rewritten, mut moved, mut normalised) = (0, 0, 0, 0);
    let mut rewrite_budget = MAX_REWRITE_TOTAL;
    let mut written_names = std::collections::HashSet::new();
    // What each entry becomes, decided while the package is open; written after.
    let mut plan: Vec<(usize, Written)> = Vec::new();
    // Every file is sniffed (is it a script, a program?): ask for their prefixes together.
    let files: Vec<usize> =
        entries.iter().filter(|e| e.entry_type == EntryType::File && !e.encrypted).map(|e| e.index).collect();
    package.prefetch_prefixes(&files, package.limits().sniff_bytes);
    for (entry, raw_name) in entries.iter().zip(raw_names) {
        if let Some(reason) = unsafe_stored_name(entry) {
            actions.push(RepairAction::LeftOut { path: entry.name.clone(), reason: reason.to_string() });
            continue;
        }
        if is_macos_metadata(&entry.name) {
            actions.push(RepairAction::Dropped { path: entry.name.clone() });
            continue;
        }
        if folder.as_deref().is_some_and(|f| entry.name == f || entry.name == f.trim_end_matches('/')) {
            continue;
        }
        // Windows PowerShell 5.1 stores '\\' as the separator of a Windows (host 0) entry: unambiguous.
        let windows_separators = matches!(entry.stored_mode, StoredMode::NotStored { .. }) && entry.name.contains('\\');
        let name_as_meant = if windows_separators { entry.name.replace('\\', "/") } else { entry.name.clone() };
        if windows_separators {
            actions.push(RepairAction::Separators { from: entry.name.clone(), to: name_as_meant.clone() });
        }
        let path = name_as_meant.trim_end_matches('/').to_string();
        let (shown, new_name) = match &folder {
            Some(f) => (
                path.strip_prefix(f.as_str()).unwrap_or(&path).to_string(),
                name_as_meant.strip_prefix(f.as_str()).unwrap_or(&name_as_meant).to_string(),
            ),
            None => (path.clone(), name_as_meant.clone()),
        };
        // What a rewrite makes of a name is checked like a stored name: `a\\..\\b` must not
        // become `a/../b`, nor `myfunc//abs` become `/abs`.
        if let Some(reason) =
            crate::checks::unsafe_reason(&new_name, false).or(new_name.is_empty().then_some("an empty name"))
        {
            actions.push(RepairAction::LeftOut {
                path: new_name.clone(),
                reason: format!("the rewritten name of {:?} would have {reason}", entry.name),
            });
            continue;
        }
        // Names compare as written: the stored bytes when kept (a code-page name is not its lossy
        // decoding), the new name when renamed.
        let written_name = if new_name == entry.name { raw_name } else { new_name.clone().into_bytes() };
        if !written_names.insert(written_name) {
            actions.push(RepairAction::LeftOut {
                path: new_name.clone(),
                reason: "an earlier entry already has this name (extractors would keep either copy)".to_string(),
            });
            continue;
        }
        let unix = match entry.stored_mode {
            StoredMode::Unix { mode } => Some(mode),
            _ => None,
        };
        let mut content: Option<Vec<u8>> = None;
        let perms = match entry.entry_type {
            EntryType::Directory => Some(0o755),
            EntryType::File => {
                let head = if entry.encrypted { None } else { package.sniff(entry.index).ok() };
                let kind = head.as_deref().map(classify);
                let runs = targets.iter().any(|t| *t == shown || *t == path)
                    || matches!(&kind, Some(FileKind::Script(s)) if s.has_shebang)
                    || matches!(&kind, Some(FileKind::Elf(h)) if is_program(&mut package, entry, h.e_type, head.as_deref().unwrap_or_default()));
                let had_exec = unix.is_some_and(|m| m & 0o111 != 0);
                if matches!(&kind, Some(FileKind::Script(s)) if s.has_shebang) {
                    match rewrite_script(&mut package, entry.index, entry.size, &mut rewrite_budget) {
                        Ok(Some((text, crlf_lines, bom))) => {
                            if bom {
                                actions.push(RepairAction::ByteOrderMark { path: shown.clone() });
                            }
                            if crlf_lines > 0 {
                                actions.push(RepairAction::LineEndings { path: shown.clone(), lines: crlf_lines });
                            }
                            content = Some(text);
                        }
                        Ok(None) => {}
                        Err(()) => skipped.push(path.clone()),
                    }
                }
                Some(if runs || had_exec { 0o755 } else { 0o644 })
            }
            // Links and special files keep what they have.
            EntryType::Symlink | EntryType::Special => None,
        };
        let type_bits = if entry.entry_type == EntryType::Directory { 0o040000 } else { 0o100000 };
        let mode = perms.filter(|p| unix.map(|m| m & 0o7777) != Some(*p) || content.is_some()).map(|p| p | type_bits);
        if let (Some(p), EntryType::File) = (perms, entry.entry_type) {
            if p == 0o644 && matches!(entry.stored_mode, StoredMode::NotStored { .. }) {
                normalised += 1;
            } else {
                push_mode_action(&mut actions, &shown, entry.stored_mode, unix, p);
            }
        }
        if new_name != entry.name {
            moved += 1;
        }
        let renamed = (new_name != entry.name).then_some(new_name);
        match content {
            Some(text) => {
                let mode = mode.unwrap_or(0o100755);
                plan.push((
                    entry.index,
                    Written::Rewritten { name: renamed.unwrap_or_else(|| entry.name.clone()), text, mode },
                ));
                rewritten += 1;
            }
            None => {
                plan.push((entry.index, Written::Copied { renamed, mode }));
                copied_raw += 1;
            }
        }
    }
    let comment = package.archive_mut().comment().to_vec();
    drop(package);
    let mut writer = writer::RawZipWriter::new(source, size);
    for (index, written) in plan {
        let at = &sources[index];
        match written {
            Written::Rewritten { name, text, mode } => {
                // The entry's own date, from its local header.
                let (time, date) = writer.local_date(at.header_start).unwrap_or((0, 0x21));
                writer.add(&name, &text, mode, time, date).map_err(RepairError::Write)?;
            }
            Written::Copied { renamed, mode } => {
                writer.copy(at, renamed.as_deref(), mode).map_err(RepairError::Write)?;
            }
        }
    }
    let written = writer.finish(&comment).map_err(RepairError::Write)?;
    if normalised > 0 {
        actions.push(RepairAction::Normalised { files: normalised });
    }
    if let Some(folder) = &folder {
        actions.insert(0, RepairAction::Unwrapped { folder: folder.clone(), entries: moved });
    }
    // Nothing to change: hand back the very bytes (a rebuilt end record could differ, e.g. zip64's).
    let zip = if actions.is_empty() { RepairedZip::unchanged(size) } else { written };

    let next_request = after_request(request, &before, folder.as_deref());
    let mut result = zip.reader(&mut *source);
    let after =
        diagnose(Some((name, &mut result as &mut dyn PackageRead)), &next_request).map_err(RepairError::Request)?;
    Ok((Repaired { zip, actions, copied_raw, rewritten, skipped, before, after }, next_request))
}

/// What the repair writes for one entry.
enum Written {
    /// Copied as stored, under a new name and with a new mode when given.
    Copied { renamed: Option<String>, mode: Option<u32> },
    /// Written anew with these bytes.
    Rewritten { name: String, text: Vec<u8>, mode: u32 },
}

/// The request for the repaired package: the same, with a start command that pointed into the
/// wrapper folder pointed at the new place.
fn after_request(request: &Request, before: &Report, folder: Option<&str>) -> Request {
    let mut request = request.clone();
    request.platform = Some(before.platform.to_string());
    if let (Some(folder), Some(cmd)) = (folder, request.start.start_command.as_mut()) {
        *cmd = cmd.replace(folder, "");
    }
    request
}

/// An ELF executable (or PIE), not a shared library — decided as the checks decide it. `head` is
/// the entry's sniffed start. A program interpreter in the program headers settles it at once
/// (dynamically linked programs have one, libraries do not); without one, a file named as a
/// library (`.so`) is one, and anything else is read on to its dynamic section (a static PIE
/// says so there).
fn is_program<R: PackageRead>(
    package: &mut Package<R>,
    entry: &crate::archive::Entry,
    e_type: u16,
    head: &[u8],
) -> bool {
    let named_library = entry.file_name().contains(".so");
    match e_type {
        2 => true,
        3 => match crate::elf::has_interpreter(head) {
            Some(true) => true,
            Some(false) if named_library => false,
            _ => crate::elf::read_needs(|n| package.read_prefix(entry.index, n))
                .map_or(!named_library, |needs| !needs.is_shared_library),
        },
        _ => false,
    }
}

fn push_mode_action(actions: &mut Vec<RepairAction>, path: &str, stored: StoredMode, unix: Option<u32>, perms: u32) {
    if unix.map(|m| m & 0o7777) == Some(perms) {
        return;
    }
    let from = match stored {
        StoredMode::Unix { mode } => render_mode(mode & 0o7777),
        StoredMode::UnixZero => "0000 (none)".to_string(),
        StoredMode::NotStored { .. } => "not stored (extracted as 0644)".to_string(),
    };
    actions.push(RepairAction::Mode { path: path.to_string(), from, to: perms });
}

/// The script's bytes without a BOM and with LF endings, when either changes anything:
/// `Ok(Some((bytes, crlf lines, had bom)))`; `Ok(None)` when it is fine; `Err` when too large.
fn rewrite_script<R: PackageRead>(
    package: &mut Package<R>,
    index: usize,
    size: u64,
    budget: &mut u64,
) -> Result<Option<(Vec<u8>, usize, bool)>, ()> {
    if size > MAX_REWRITE_BYTES || size > *budget {
        return Err(());
    }
    *budget -= size;
    let bytes = package.read_prefix(index, MAX_REWRITE_BYTES as usize).map_err(|_| ())?;
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &bytes[3..] } else { &bytes[..] };
    let crlf = body.windows(2).filter(|w| w == b"\r\n").count();
    if !bom && crlf == 0 {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\r' && body.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(body[i]);
        i += 1;
    }
    Ok(Some((out, crlf, bom)))
}

/// Why a stored name cannot be written as it is, or `None`. Windows separators are not a reason:
/// the repair turns them into `/` (and checks the result).
fn unsafe_stored_name(entry: &crate::archive::Entry) -> Option<&'static str> {
    crate::checks::unsafe_reason(&entry.name, false)
}

/// Where each entry's bytes sit in the original zip, and its stored name's bytes, in directory order.
fn locate_entries<R: PackageRead>(
    package: &mut Package<R>,
    count: usize,
) -> Result<(Vec<writer::Source>, Vec<Vec<u8>>), RepairError> {
    let mut sources = Vec::with_capacity(count);
    let mut names = Vec::with_capacity(count);
    for index in 0..count {
        let file = package.archive_mut().by_index_raw(index).map_err(write_error)?;
        names.push(file.name_raw().to_vec());
        sources.push(writer::Source {
            header_start: file.header_start(),
            central_start: file.central_header_start(),
            data_start: file.data_start().ok_or_else(|| write_error("an entry's data could not be located"))?,
            compressed_size: file.compressed_size(),
        });
    }
    Ok((sources, names))
}

/// Refuses a zip in which two entries share bytes: no zipper writes one; overlap bombs do (each
/// copy would be written again, multiplying the output).
fn refuse_overlaps(entries: &[crate::archive::Entry], sources: &[writer::Source]) -> Result<(), RepairError> {
    let mut spans: Vec<(u64, u64, usize)> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.header_start, s.data_start.saturating_add(s.compressed_size), i))
        .collect();
    spans.sort_unstable();
    for pair in spans.windows(2) {
        let ((_, end, a), (start, _, b)) = (pair[0], pair[1]);
        if start < end {
            return Err(RepairError::Refused(format!(
                "entries {:?} and {:?} share bytes in the file (an overlapping-entry zip bomb, or a damaged zip)",
                entries.get(a).map_or("?", |e| e.name.as_str()),
                entries.get(b).map_or("?", |e| e.name.as_str()),
            )));
        }
    }
    Ok(())
}

fn write_error(e: impl std::fmt::Display) -> RepairError {
    RepairError::Write(e.to_string())
}

mod pieces;
pub use pieces::{Piece, PiecesReader, RepairedZip};
mod writer;

#[cfg(test)]
mod tests;
