//! Repairing a package: what can be fixed without guessing, and nothing else.
//!
//! Repairs: Unix modes (0755 on the entry, `#!` scripts and ELF executables, and on anything that
//! already had an execute bit; 0644 on other files; host byte Unix); CRLF → LF and BOM removal in
//! `#!` scripts; unwrapping a single wrapper folder when the entry was found inside it; dropping
//! `__MACOSX/` and `.DS_Store`. Everything else is copied as stored: an entry whose bytes do not
//! change is copied compressed, without recompressing (a raw copy keeps its CRC, sizes, method and
//! extra fields). The result is diagnosed again by the caller; what still fails needs a manual fix
//! (architecture, glibc, missing files).

use std::io::{Cursor, Read, Seek, Write};

use serde::Serialize;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::archive::{EntryType, Limits, Package, StoredMode};
use crate::report::{diagnose, Report, Request, RequestError};
use crate::sniff::{classify, FileKind};

/// Largest script whose text is rewritten (CRLF, BOM); larger ones keep their bytes and are listed.
pub const MAX_REWRITE_BYTES: u64 = 8 << 20;

/// One change made to the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Repaired {
    /// The new zip.
    #[serde(skip)]
    pub bytes: Vec<u8>,
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
    "exec-bit-missing",
    "not-readable",
    "crlf-shebang",
    "bom-before-shebang",
    "entry-nested",
    "macos-metadata",
    "unsafe-path",
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
}

impl std::fmt::Display for RepairError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RepairError::Request(e) => write!(f, "{e}"),
            RepairError::Unreadable(m) => write!(f, "the package cannot be repaired because it cannot be read: {m}"),
            RepairError::Write(m) => write!(f, "writing the repaired package failed: {m}"),
        }
    }
}

impl std::error::Error for RepairError {}

fn is_macos_metadata(path: &str) -> bool {
    path.starts_with("__MACOSX/") || path == "__MACOSX" || path.rsplit('/').next() == Some(".DS_Store")
}

/// The wrapper folder to remove: the entry was found nested, and every kept entry is inside it.
fn wrapper_folder(report: &Report, paths: &[String]) -> Option<String> {
    let nested = report.findings.iter().find(|f| f.id == "entry-nested")?.path.clone()?;
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

/// Repairs a package held in memory and diagnoses the result. `name` is the file name; `request` as
/// for [`diagnose`] (the repair uses its platform and start command to know the entry). Taking bytes,
/// not a reader, keeps one instantiation of the whole check pipeline in the wasm (the page holds the
/// zip in memory anyway; the output is built in memory too).
pub fn repair(zip: &[u8], name: &str, request: &Request) -> Result<Repaired, RepairError> {
    let first = repair_once(zip, name, request)?;
    // A repair can uncover the next one (separators fixed → the entry is now seen inside a folder):
    // one more pass, never more.
    let uncovered = first
        .after
        .findings
        .iter()
        .any(|f| REPAIRS.contains(&f.id) && !first.before.findings.iter().any(|b| b.id == f.id));
    if !uncovered {
        return Ok(first);
    }
    let mut second = repair_once(&first.bytes, name, &after_request(request, &first.before, None))?;
    let mut actions = first.actions;
    actions.append(&mut second.actions);
    second.actions = actions;
    second.copied_raw = first.copied_raw;
    second.rewritten += first.rewritten;
    second.skipped.extend(first.skipped);
    second.before = first.before;
    Ok(second)
}

fn repair_once(zip: &[u8], name: &str, request: &Request) -> Result<Repaired, RepairError> {
    let before = diagnose(Some((name, Cursor::new(zip))), request).map_err(RepairError::Request)?;
    if let Some(message) = &before.package_error {
        return Err(RepairError::Unreadable(message.clone()));
    }
    let mut package =
        Package::open(Cursor::new(zip), Limits::default()).map_err(|e| RepairError::Unreadable(e.to_string()))?;
    let entries = package.entries().to_vec();
    let paths: Vec<String> = entries.iter().map(|e| e.name.clone()).collect();
    let folder = wrapper_folder(&before, &paths);
    let targets: Vec<String> = before.targets.iter().map(|t| t.path.clone()).collect();

    let mut actions = Vec::new();
    let mut skipped = Vec::new();
    let (mut copied_raw, mut rewritten, mut moved, mut normalised) = (0, 0, 0, 0);
    // The mode each written entry must end with (`None`: keep what the copy carried).
    let mut modes: Vec<Option<u32>> = Vec::new();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for entry in &entries {
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
        let unix = match entry.stored_mode {
            StoredMode::Unix { mode } => Some(mode),
            _ => None,
        };
        let mut content: Option<Vec<u8>> = None;
        let perms = match entry.entry_type {
            EntryType::Directory => Some(0o755),
            EntryType::File => {
                let kind =
                    if entry.encrypted { None } else { package.sniff(entry.index).ok().map(|head| classify(&head)) };
                let runs = targets.iter().any(|t| *t == shown || *t == path)
                    || matches!(&kind, Some(FileKind::Script(s)) if s.has_shebang)
                    || matches!(&kind, Some(FileKind::Elf(h)) if h.e_type == 2 || (h.e_type == 3 && !entry.file_name().contains(".so")));
                let had_exec = unix.is_some_and(|m| m & 0o111 != 0);
                if matches!(&kind, Some(FileKind::Script(s)) if s.has_shebang) {
                    match rewrite_script(&mut package, entry.index, entry.size) {
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
        match content {
            Some(text) => {
                let modified = package.archive_mut().by_index_raw(entry.index).map_err(write_error)?.last_modified();
                let options = SimpleFileOptions::default()
                    .compression_method(CompressionMethod::Deflated)
                    .last_modified_time(modified.unwrap_or_default());
                writer.start_file(new_name.as_str(), options).map_err(write_error)?;
                writer.write_all(&text).map_err(write_error)?;
                rewritten += 1;
            }
            None => {
                let file = package.archive_mut().by_index_raw(entry.index).map_err(write_error)?;
                if new_name == entry.name {
                    writer.raw_copy_file(file).map_err(write_error)?;
                } else {
                    writer.raw_copy_file_rename(file, new_name.as_str()).map_err(write_error)?;
                }
                copied_raw += 1;
            }
        }
        modes.push(mode);
    }
    let mut bytes = writer.finish().map_err(write_error)?.into_inner();
    // The writer copies each entry's host byte and attributes; set Unix modes where they change.
    set_unix_modes(&mut bytes, &modes).map_err(RepairError::Write)?;
    if normalised > 0 {
        actions.push(RepairAction::Normalised { files: normalised });
    }
    if let Some(folder) = &folder {
        actions.insert(0, RepairAction::Unwrapped { folder: folder.clone(), entries: moved });
    }

    let after = diagnose(Some((name, Cursor::new(&bytes[..]))), &after_request(request, &before, folder.as_deref()))
        .map_err(RepairError::Request)?;
    Ok(Repaired { bytes, actions, copied_raw, rewritten, skipped, before, after })
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
fn rewrite_script<R: Read + Seek>(
    package: &mut Package<R>,
    index: usize,
    size: u64,
) -> Result<Option<(Vec<u8>, usize, bool)>, ()> {
    if size > MAX_REWRITE_BYTES {
        return Err(());
    }
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

/// Rewrites, in the central directory the writer produced, the host byte ("version made by" high
/// byte: 3, Unix) and the external attributes (`mode << 16`) of every entry with a `Some` mode.
/// `modes` is in central-directory order. Local headers carry neither field, so nothing else moves.
fn set_unix_modes(zip: &mut [u8], modes: &[Option<u32>]) -> Result<(), String> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ZIP64_LOCATOR: [u8; 4] = [0x50, 0x4b, 0x06, 0x07];
    const CENTRAL: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let u16_at = |b: &[u8], at: usize| b.get(at..at + 2).map(|s| u16::from_le_bytes([s[0], s[1]]) as usize);
    let u32_at = |b: &[u8], at: usize| b.get(at..at + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64);
    let u64_at = |b: &[u8], at: usize| b.get(at..at + 8).map(|s| u64::from_le_bytes(s.try_into().expect("8 bytes")));
    let eocd = zip.len().checked_sub(22).filter(|at| zip[*at..].starts_with(&EOCD)).ok_or("no end record")?;
    let mut offset = u32_at(zip, eocd + 16).ok_or("short end record")?;
    if offset == 0xFFFF_FFFF {
        let locator =
            eocd.checked_sub(20).filter(|at| zip[*at..].starts_with(&ZIP64_LOCATOR)).ok_or("no zip64 locator")?;
        let record = u64_at(zip, locator + 8).ok_or("short zip64 locator")? as usize;
        offset = u64_at(zip, record + 48).ok_or("short zip64 end record")?;
    }
    let mut at = usize::try_from(offset).map_err(|_| "offset too large")?;
    for mode in modes {
        if !zip.get(at..).is_some_and(|s| s.starts_with(&CENTRAL)) {
            return Err("central directory does not match what was written".into());
        }
        if let Some(mode) = mode {
            zip[at + 5] = 3;
            let dos_dir = if mode & 0o170000 == 0o040000 { 0x10 } else { 0 };
            zip[at + 38..at + 42].copy_from_slice(&((mode << 16) | dos_dir).to_le_bytes());
        }
        let name = u16_at(zip, at + 28).ok_or("short record")?;
        let extra = u16_at(zip, at + 30).ok_or("short record")?;
        let comment = u16_at(zip, at + 32).ok_or("short record")?;
        at += 46 + name + extra + comment;
    }
    Ok(())
}

fn write_error(e: impl std::fmt::Display) -> RepairError {
    RepairError::Write(e.to_string())
}

#[cfg(test)]
mod tests;
