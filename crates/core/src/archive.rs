//! Reading a code package: the central directory of a zip, and small sniff windows of chosen entries.
//!
//! Everything here goes through [`PackageRead`] (`Read + Seek` plus a read-ahead hint), so a caller
//! can feed byte ranges of a large file lazily. Nothing is ever inflated beyond what the caller asks.

use std::cell::RefCell;
use std::io::{Read, Seek, SeekFrom};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

/// Bounds on what reading a package may cost, whatever the package claims about itself.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most entries listed; a central directory claiming more is refused (each entry costs memory).
    pub max_entries: usize,
    /// Most bytes read from the start of one entry's decompressed data.
    pub sniff_bytes: usize,
    /// Longest entry name kept (longer names are cut, and flagged).
    pub max_name_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: 200_000, sniff_bytes: 4096, max_name_bytes: 4096 }
    }
}

/// The operating system recorded in an entry's "version made by" high byte (APPNOTE 4.4.2).
///
/// It decides whether the external attributes carry a Unix mode at all: Windows tools write host 0
/// (or 11, 14) and no mode, which extractors turn into a non-executable file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostSystem {
    /// 0: MS-DOS / FAT, written by Windows Explorer, 7-Zip on Windows, Java, Go `Create`.
    Dos,
    /// 3: Unix, written by Info-ZIP, p7zip, Python on Unix, most CI tools.
    Unix,
    /// 10 or 11 (the byte kept): Windows NTFS. APPNOTE names 10 NTFS; Info-ZIP names 11 NTFS
    /// (and Windows XP Explorer writes 11).
    Ntfs(u8),
    /// 14: VFAT.
    Vfat,
    /// 19: OS X; Info-ZIP's unzip ignores the mode stored under it.
    MacOsX,
    /// Any other byte.
    Other(u8),
}

impl HostSystem {
    /// Maps the raw high byte of "version made by".
    pub fn from_byte(byte: u8) -> Self {
        match byte {
            0 => HostSystem::Dos,
            3 => HostSystem::Unix,
            10 | 11 => HostSystem::Ntfs(byte),
            14 => HostSystem::Vfat,
            19 => HostSystem::MacOsX,
            other => HostSystem::Other(other),
        }
    }

    /// Human wording with the raw byte, for evidence lines ("host 0 (MS-DOS/Windows)").
    pub fn describe(self) -> String {
        match self {
            HostSystem::Dos => "host 0 (MS-DOS/Windows)".into(),
            HostSystem::Unix => "host 3 (Unix)".into(),
            HostSystem::Ntfs(b) => format!("host {b} (Windows NTFS)"),
            HostSystem::Vfat => "host 14 (VFAT)".into(),
            HostSystem::MacOsX => "host 19 (OS X)".into(),
            HostSystem::Other(255) => "host unknown (a value zip readers do not recognise)".into(),
            HostSystem::Other(b) => format!("host {b}"),
        }
    }

    /// True for the hosts written by Windows tools.
    pub fn is_windows_like(self) -> bool {
        matches!(self, HostSystem::Dos | HostSystem::Ntfs(_) | HostSystem::Vfat)
    }
}

/// What kind of thing an entry is, from its name and stored mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryType {
    /// A regular file.
    File,
    /// A directory (name ends in `/`, or the mode says so).
    Directory,
    /// A symbolic link (mode `0o120000`); its data is the target path.
    Symlink,
    /// A FIFO, device or socket: nothing a package should hold.
    Special,
}

/// The Unix permission story of one entry, as a platform's extractor will see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StoredMode {
    /// A Unix host stored a non-zero mode: it is used as is.
    Unix {
        /// The full `st_mode` (type and permission bits).
        mode: u32,
    },
    /// A Unix host stored mode 0 (.NET before 7 on Linux, PowerShell 7): extracted as `----------`.
    UnixZero,
    /// A non-Unix host: whatever high bits it stored are ignored by Info-ZIP-style extractors,
    /// which give files 0644 and directories 0755 — never an executable file.
    NotStored {
        /// High 16 bits as stored, when non-zero (a host-0 zipper that also wrote a mode).
        ignored_mode: Option<u32>,
    },
}

impl StoredMode {
    /// Derives the mode story from the host and the raw external attributes (checks.md §1.5).
    pub fn from_attributes(host: HostSystem, external_attributes: u32) -> Self {
        let high = external_attributes >> 16;
        match host {
            HostSystem::Unix if high == 0 => StoredMode::UnixZero,
            HostSystem::Unix => StoredMode::Unix { mode: high },
            _ => StoredMode::NotStored { ignored_mode: (high != 0).then_some(high) },
        }
    }

    /// The permission bits the file will have after extraction on Linux (Info-ZIP behaviour).
    pub fn effective_permissions(self, is_dir: bool) -> u32 {
        match self {
            StoredMode::Unix { mode } => mode & 0o7777,
            StoredMode::UnixZero => 0,
            StoredMode::NotStored { .. } => {
                if is_dir {
                    0o755
                } else {
                    0o644
                }
            }
        }
    }

    /// `ls -l` style rendering of the stored mode, or a note that none was stored.
    pub fn describe(self) -> String {
        match self {
            StoredMode::Unix { mode } => format!("{} ({:04o})", mode_string(mode), mode & 0o7777),
            StoredMode::UnixZero => "mode 0000 stored (----------)".into(),
            StoredMode::NotStored { ignored_mode: None } => "no Unix mode stored".into(),
            StoredMode::NotStored { ignored_mode: Some(m) } => {
                format!("no usable Unix mode (high bits {:06o} under a non-Unix host are ignored)", m)
            }
        }
    }
}

/// `-rwxr-xr-x` for a full `st_mode`.
pub fn mode_string(mode: u32) -> String {
    let kind = match mode & 0o170000 {
        0o040000 => 'd',
        0o120000 => 'l',
        0o010000 => 'p',
        0o020000 => 'c',
        0o060000 => 'b',
        0o140000 => 's',
        _ => '-',
    };
    let mut s = String::with_capacity(10);
    s.push(kind);
    for shift in [6u32, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// One central-directory entry, with everything the checks need and nothing decompressed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the central directory.
    pub index: usize,
    /// The name as stored (lossily decoded when not UTF-8), `/`-separated by the zip spec.
    pub name: String,
    /// Who wrote the entry, from "version made by".
    pub host: HostSystem,
    /// The raw external file attributes, for evidence.
    pub external_attributes: u32,
    /// What the extractor will make of the mode.
    pub stored_mode: StoredMode,
    /// File, directory, link or special file.
    pub entry_type: EntryType,
    /// Uncompressed size the entry claims.
    pub size: u64,
    /// Compressed size.
    pub compressed_size: u64,
    /// Compression method number (0 stored, 8 deflate, …).
    pub method: u16,
    /// Encrypted (ZipCrypto or AES).
    pub encrypted: bool,
    /// The stored name is not valid UTF-8 (a Windows code page such as GBK or Shift-JIS).
    pub name_not_utf8: bool,
}

impl Entry {
    /// The path without a trailing `/`.
    pub fn path(&self) -> &str {
        self.name.trim_end_matches('/')
    }

    /// Final path component.
    pub fn file_name(&self) -> &str {
        let p = self.path();
        p.rsplit('/').next().unwrap_or(p)
    }

    /// Permission bits after extraction on Linux.
    pub fn effective_permissions(&self) -> u32 {
        self.stored_mode.effective_permissions(self.entry_type == EntryType::Directory)
    }

    /// Whether the extracted file has any execute bit.
    pub fn is_executable(&self) -> bool {
        self.effective_permissions() & 0o111 != 0
    }
}

/// Why a package could not be read at all. Each variant carries a message meant for the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PackageError {
    /// Zero bytes.
    Empty,
    /// A known non-zip format (tar.gz, 7z, rar …).
    OtherFormat {
        /// The format recognised from the first bytes.
        format: String,
    },
    /// Not a zip, nor anything recognised.
    NotZip,
    /// A zip whose directory is damaged or cut short.
    Damaged {
        /// What the reader said.
        detail: String,
    },
    /// A zip with no entries at all.
    NoEntries,
    /// More entries than [`Limits::max_entries`].
    TooManyEntries {
        /// The count the archive claims.
        claimed: usize,
        /// The limit.
        limit: usize,
    },
}

impl PackageError {
    /// One sentence explaining the problem and what to do.
    pub fn message(&self) -> String {
        match self {
            PackageError::Empty => "The file is empty (0 bytes). Upload the zip you deployed.".into(),
            PackageError::OtherFormat { format } => format!(
                "This is a {format} file, not a zip. Function platforms take a .zip code package: \
                 repack it with `zip -r ../function.zip .` from inside the folder."
            ),
            PackageError::NotZip => "This is not a zip archive (no zip directory found). \
                 Function platforms take a .zip code package."
                .into(),
            PackageError::Damaged { detail } => format!(
                "The zip is damaged or truncated and cannot be listed ({detail}). The platform will reject \
                 it too: zip it again and check the upload completed."
            ),
            PackageError::NoEntries => "The zip is valid but empty: it holds no files. The platform rejects \
                 empty packages."
                .into(),
            PackageError::TooManyEntries { claimed, limit } => {
                format!("The zip claims {claimed} entries, more than the {limit} this tool will list.")
            }
        }
    }
}

impl std::fmt::Display for PackageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for PackageError {}

/// Recognises a few common non-zip formats from their first bytes, for a precise message.
fn sniff_other_format(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1f, 0x8b]) {
        Some("gzip (.tar.gz / .gz)")
    } else if head.starts_with(&[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) {
        Some("7z")
    } else if head.starts_with(b"Rar!\x1a\x07") {
        Some("RAR")
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        Some("tar")
    } else if head.starts_with(b"BZh") {
        Some("bzip2")
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Some("xz")
    } else {
        None
    }
}

/// Bytes `start..start + len` of the package file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    /// Offset of the first byte.
    pub start: u64,
    /// How many bytes.
    pub len: u64,
}

/// What the engine reads a package through: `Read + Seek`, plus a hint that some ranges are about
/// to be read. A reader whose every call is costly — the page's, where each read is a browser call
/// worth about 170 KiB of copying — fetches them together; readers over memory or a local file
/// ignore it. The hint never changes what a read returns.
pub trait PackageRead: Read + Seek {
    /// `ranges` (most wanted first) will be read soon.
    fn prefetch(&mut self, _ranges: &[ByteRange]) {}
}

impl<T: AsRef<[u8]>> PackageRead for std::io::Cursor<T> {}
impl PackageRead for std::fs::File {}
impl<R: Read + Seek> PackageRead for std::io::BufReader<R> {}
impl<R: PackageRead + ?Sized> PackageRead for &mut R {
    fn prefetch(&mut self, ranges: &[ByteRange]) {
        (**self).prefetch(ranges)
    }
}

/// The package's reader, shared between the zip reader (which owns it) and [`Package`] (which
/// passes read-ahead hints to it).
pub struct SharedReader<R>(Rc<RefCell<R>>);

impl<R: Read> Read for SharedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl<R: Seek> Seek for SharedReader<R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.0.borrow_mut().seek(to)
    }
}

/// Most bytes of local header (signature, fixed fields, name, extra field) counted before an
/// entry's data when planning a read-ahead: the local extra field may differ from the central one.
const LOCAL_HEADER_ALLOWANCE: u64 = 30 + 1024;

/// Compressed bytes past the wanted output counted when planning a prefix's read-ahead: the zip
/// reader pulls compressed data in 8 KiB buffers.
const INFLATE_ALLOWANCE: u64 = 16 << 10;

/// Where an entry's bytes sit in the file, for read-ahead plans.
#[derive(Debug, Clone, Copy)]
struct Location {
    header_start: u64,
    name_len: u64,
    compressed_size: u64,
    stored: bool,
}

/// An opened package: its entries, and the reader kept for sniffing.
pub struct Package<R: PackageRead> {
    archive: zip::ZipArchive<SharedReader<R>>,
    reader: Rc<RefCell<R>>,
    entries: Vec<Entry>,
    locations: Vec<Location>,
    duplicates: Vec<String>,
    prefix_bytes: u64,
    trailing_bytes: u64,
    limits: Limits,
    total_bytes: u64,
    /// Bytes handed out by sniffs, for the "bytes read" figure.
    bytes_sniffed: u64,
}

impl<R: PackageRead> Package<R> {
    /// Lists the central directory. Fails with a user-facing [`PackageError`] on anything unreadable.
    pub fn open(mut reader: R, limits: Limits) -> Result<Self, PackageError> {
        let total_bytes = reader.seek(SeekFrom::End(0)).map_err(io_damaged)?;
        if total_bytes == 0 {
            return Err(PackageError::Empty);
        }
        reader.seek(SeekFrom::Start(0)).map_err(io_damaged)?;
        let mut head = [0u8; 512];
        let head_len = read_up_to(&mut reader, &mut head).map_err(io_damaged)?;
        if let Some(format) = sniff_other_format(&head[..head_len]) {
            return Err(PackageError::OtherFormat { format: format.into() });
        }
        let walk = walk_directory(&mut reader, total_bytes, limits.max_entries).unwrap_or_default();
        reader.seek(SeekFrom::Start(0)).map_err(io_damaged)?;
        let shared = Rc::new(RefCell::new(reader));
        let archive = zip::ZipArchive::new(SharedReader(Rc::clone(&shared)))
            .map_err(|e| classify_zip_error(e, &head[..head_len]))?;
        if archive.len() > limits.max_entries {
            return Err(PackageError::TooManyEntries { claimed: archive.len(), limit: limits.max_entries });
        }
        if archive.is_empty() {
            return Err(PackageError::NoEntries);
        }
        let mut entries = Vec::with_capacity(archive.len());
        let mut locations = Vec::with_capacity(archive.len());
        for index in 0..archive.len() {
            let meta = archive.by_index_data(index).map_err(|e| PackageError::Damaged { detail: e.to_string() })?;
            locations.push(Location {
                header_start: meta.header_start(),
                name_len: meta.name_raw().len() as u64,
                compressed_size: meta.compressed_size(),
                stored: meta.compression() == zip::CompressionMethod::Stored && !meta.encrypted(),
            });
            let name_not_utf8 = std::str::from_utf8(meta.name_raw()).is_err();
            let mut name = String::from_utf8_lossy(meta.name_raw()).into_owned();
            if name.len() > limits.max_name_bytes {
                let mut cut = limits.max_name_bytes;
                while !name.is_char_boundary(cut) {
                    cut -= 1;
                }
                name.truncate(cut);
            }
            let host = HostSystem::from_byte(meta.system() as u8);
            let external_attributes = meta.external_attributes();
            let stored_mode = StoredMode::from_attributes(host, external_attributes);
            let unix_type = match stored_mode {
                StoredMode::Unix { mode } => Some(mode & 0o170000),
                _ => None,
            };
            let entry_type = if name.ends_with('/') || unix_type == Some(0o040000) || external_attributes & 0x10 != 0 {
                EntryType::Directory
            } else {
                match unix_type {
                    Some(0o120000) => EntryType::Symlink,
                    Some(0o100000) | Some(0) | None => EntryType::File,
                    Some(_) => EntryType::Special,
                }
            };
            entries.push(Entry {
                index,
                name,
                host,
                external_attributes,
                stored_mode,
                entry_type,
                size: meta.size(),
                compressed_size: meta.compressed_size(),
                method: compression_number(meta.compression()),
                encrypted: meta.encrypted(),
                name_not_utf8,
            });
        }
        // The zip reader decodes code-page names for us; only the raw walk sees they were not UTF-8.
        if walk.duplicates.is_empty() {
            for &position in &walk.code_page_names {
                if let Some(e) = entries.get_mut(position) {
                    e.name_not_utf8 = true;
                }
            }
        }
        let prefix_bytes = archive.offset();
        Ok(Package {
            archive,
            reader: shared,
            entries,
            locations,
            duplicates: walk.duplicates,
            prefix_bytes,
            trailing_bytes: walk.trailing_bytes,
            limits,
            total_bytes,
            bytes_sniffed: 0,
        })
    }

    /// All entries, in central-directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Names stored more than once in the central directory (a name-keyed listing shows only one).
    pub fn duplicates(&self) -> &[String] {
        &self.duplicates
    }

    /// Bytes before the first entry (a self-extractor stub or other prepended data).
    pub fn prefix_bytes(&self) -> u64 {
        self.prefix_bytes
    }

    /// Bytes after the end-of-central-directory record and its comment.
    pub fn trailing_bytes(&self) -> u64 {
        self.trailing_bytes
    }

    /// The reader, for what it can tell about itself (how much a counting reader has read). Let
    /// the borrow go before the package reads again: the zip reader borrows the same reader.
    pub fn reader(&self) -> std::cell::Ref<'_, R> {
        self.reader.borrow()
    }

    /// The bounds it was opened with.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Size of the zip file itself.
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Decompressed bytes read so far by [`Package::sniff`].
    pub fn bytes_sniffed(&self) -> u64 {
        self.bytes_sniffed
    }

    /// Reads at most [`Limits::sniff_bytes`] from the start of an entry's data.
    ///
    /// Encrypted entries and unsupported methods give an error string instead of bytes.
    pub fn sniff(&mut self, index: usize) -> Result<Vec<u8>, String> {
        let limit = self.limits.sniff_bytes;
        self.read_prefix(index, limit)
    }

    /// The underlying zip reader, for raw copies (the repair writes entries it does not change
    /// without decompressing them).
    pub fn archive_mut(&mut self) -> &mut zip::ZipArchive<SharedReader<R>> {
        &mut self.archive
    }

    /// Tells the reader that the first `limit` decompressed bytes of each entry in `indices` (in
    /// the order given, most wanted first) are about to be read, so a reader with costly calls can
    /// fetch them together. The ranges are estimates; a read outside them is served as usual.
    pub fn prefetch_prefixes(&mut self, indices: &[usize], limit: usize) {
        let ranges: Vec<ByteRange> = indices
            .iter()
            .filter_map(|&i| self.locations.get(i))
            .map(|at| {
                // Stored data is read as it is; compressed data may need a little more than the
                // output wanted, in the zip reader's buffer-sized steps.
                let data = if at.stored { limit as u64 } else { (limit as u64).saturating_add(INFLATE_ALLOWANCE) };
                ByteRange {
                    start: at.header_start,
                    len: LOCAL_HEADER_ALLOWANCE + at.name_len + at.compressed_size.min(data),
                }
            })
            .collect();
        if !ranges.is_empty() {
            self.reader.borrow_mut().prefetch(&ranges);
        }
    }

    /// Reads at most `limit` bytes from the start of an entry (callers bound `limit`: the ELF reader
    /// by [`crate::elf::MAX_ELF_BYTES`], text readers by a few KiB). Never more than the entry holds.
    pub fn read_prefix(&mut self, index: usize, limit: usize) -> Result<Vec<u8>, String> {
        let entry = self.entries.get(index).ok_or("no such entry")?;
        if entry.encrypted {
            return Err("the entry is encrypted".into());
        }
        let want = entry.size.min(limit as u64) as usize;
        let file = self.archive.by_index(index).map_err(|e| e.to_string())?;
        let mut buf = Vec::with_capacity(want);
        file.take(want as u64).read_to_end(&mut buf).map_err(|e| e.to_string())?;
        self.bytes_sniffed += buf.len() as u64;
        Ok(buf)
    }
}

/// Walks the central directory by hand to find names stored twice: readers keyed by name
/// (the zip crate's included) keep one copy and hide the others, and extractors disagree on which
/// wins. `None` when the directory cannot be walked (zip64, damage): the zip reader reports those.
/// What the hand walk learns: names stored twice, and bytes after the end record (trailing junk).
#[derive(Default)]
struct DirectoryWalk {
    duplicates: Vec<String>,
    trailing_bytes: u64,
    /// Central-directory positions of names that are not UTF-8 and lack the UTF-8 flag (bit 11).
    code_page_names: Vec<usize>,
}

fn walk_directory<R: PackageRead>(reader: &mut R, total: u64, max_entries: usize) -> Option<DirectoryWalk> {
    let tail_len = total.min(22 + 65_535);
    reader.seek(SeekFrom::Start(total - tail_len)).ok()?;
    let mut tail = vec![0u8; tail_len as usize];
    reader.read_exact(&mut tail).ok()?;
    let eocd = tail.windows(4).rposition(|w| w == b"PK\x05\x06")?;
    let field = |at: usize, len: usize| -> Option<u64> {
        let bytes = tail.get(eocd + at..eocd + at + len)?;
        Some(bytes.iter().rev().fold(0u64, |acc, &b| (acc << 8) | b as u64))
    };
    let (count, size, offset) = (field(10, 2)?, field(12, 4)?, field(16, 4)?);
    let comment_len = field(20, 2)?;
    let trailing_bytes = (tail.len() as u64).saturating_sub(eocd as u64 + 22 + comment_len);
    if count == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff || count as usize > max_entries {
        return None;
    }
    if offset.checked_add(size)? > total || size > 64 << 20 {
        return None;
    }
    // The zip reader reads the directory again after this walk: one fetch serves both.
    reader.prefetch(&[ByteRange { start: offset, len: size }]);
    reader.seek(SeekFrom::Start(offset)).ok()?;
    let mut directory = vec![0u8; size as usize];
    reader.read_exact(&mut directory).ok()?;
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = Vec::new();
    let mut at = 0usize;
    let mut code_page_names = Vec::new();
    for position in 0..count as usize {
        let header = directory.get(at..at + 46)?;
        if &header[..4] != b"PK\x01\x02" {
            return None;
        }
        let le16 = |i: usize| u16::from_le_bytes([header[i], header[i + 1]]) as usize;
        let (name_len, extra_len, comment_len) = (le16(28), le16(30), le16(32));
        let name = directory.get(at + 46..at + 46 + name_len)?;
        if !seen.insert(name) {
            duplicates.push(String::from_utf8_lossy(name).into_owned());
        }
        let utf8_flag = le16(8) & 0x0800 != 0;
        if !utf8_flag && std::str::from_utf8(name).is_err() {
            code_page_names.push(position);
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(DirectoryWalk { duplicates, trailing_bytes, code_page_names })
}

fn compression_number(method: zip::CompressionMethod) -> u16 {
    #[allow(deprecated)]
    match method {
        zip::CompressionMethod::Stored => 0,
        zip::CompressionMethod::Deflated => 8,
        zip::CompressionMethod::Unsupported(number) => number,
        _ => u16::MAX,
    }
}

fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn io_damaged(e: std::io::Error) -> PackageError {
    PackageError::Damaged { detail: e.to_string() }
}

fn classify_zip_error(error: zip::result::ZipError, head: &[u8]) -> PackageError {
    let starts_like_zip = head.starts_with(b"PK");
    match error {
        zip::result::ZipError::InvalidArchive(_) | zip::result::ZipError::Io(_) if !starts_like_zip => {
            PackageError::NotZip
        }
        other => PackageError::Damaged { detail: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::ZipBuilder;
    use std::io::Cursor;

    /// A reader over memory that records the hints it is given and the bytes read afterwards.
    struct Recording {
        inner: Cursor<Vec<u8>>,
        hints: Vec<ByteRange>,
        read_after_hint: Vec<(u64, u64)>,
    }

    impl Read for Recording {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let at = self.inner.position();
            let n = self.inner.read(buf)?;
            if !self.hints.is_empty() && n > 0 {
                self.read_after_hint.push((at, n as u64));
            }
            Ok(n)
        }
    }

    impl Seek for Recording {
        fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
            self.inner.seek(to)
        }
    }

    impl PackageRead for Recording {
        fn prefetch(&mut self, ranges: &[ByteRange]) {
            self.hints.extend_from_slice(ranges);
        }
    }

    #[test]
    fn a_prefix_hint_covers_every_byte_the_prefix_reads() {
        let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("line {i}\n").into_bytes()).collect();
        let noise: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        let zip = ZipBuilder::new()
            .unix_file("stored.bin", 0o755, &noise)
            .deflated_file("text.sh", 0o755, &text)
            .deflated_file("noise.so", 0o644, &noise)
            .finish();
        let reader = Recording { inner: Cursor::new(zip), hints: Vec::new(), read_after_hint: Vec::new() };
        let mut package = Package::open(reader, Limits::default()).unwrap();
        let hinted_by_directory = package.reader.borrow().hints.len();
        assert_eq!(hinted_by_directory, 1, "the directory walk hints the directory");
        for limit in [4096, 64 << 10] {
            package.reader.borrow_mut().hints.clear();
            package.reader.borrow_mut().read_after_hint.clear();
            package.prefetch_prefixes(&[0, 1, 2], limit);
            for i in 0..3 {
                assert!(!package.read_prefix(i, limit).unwrap().is_empty());
            }
            let reader = package.reader.borrow();
            assert_eq!(reader.hints.len(), 3);
            for &(at, len) in &reader.read_after_hint {
                let covered = reader.hints.iter().any(|h| at >= h.start && at + len <= h.start + h.len);
                assert!(covered, "limit {limit}: {len} bytes read at {at} outside {:?}", reader.hints);
            }
        }
    }

    fn open(bytes: Vec<u8>) -> Result<Package<Cursor<Vec<u8>>>, PackageError> {
        Package::open(Cursor::new(bytes), Limits::default())
    }

    #[test]
    fn lists_modes_hosts_and_types() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\n")
            .dos_file("win.txt", b"x")
            .unix_file("zero", 0, b"x")
            .unix_dir("lib/", 0o755)
            .unix_symlink("link", "bootstrap")
            .finish();
        let pkg = open(zip).unwrap();
        let e = pkg.entries();
        assert_eq!(e[0].stored_mode, StoredMode::Unix { mode: 0o100755 });
        assert!(e[0].is_executable());
        assert_eq!(e[1].host, HostSystem::Dos);
        assert_eq!(e[1].stored_mode, StoredMode::NotStored { ignored_mode: None });
        assert!(!e[1].is_executable());
        assert_eq!(e[2].stored_mode, StoredMode::UnixZero);
        assert_eq!(e[3].entry_type, EntryType::Directory);
        assert_eq!(e[4].entry_type, EntryType::Symlink);
    }

    #[test]
    fn sniff_is_bounded() {
        let big = vec![b'a'; 100_000];
        let zip = ZipBuilder::new().unix_file("big", 0o644, &big).finish();
        let mut pkg = open(zip).unwrap();
        assert_eq!(pkg.sniff(0).unwrap().len(), 4096);
        assert_eq!(pkg.bytes_sniffed(), 4096);
    }

    #[test]
    fn a_zip_bomb_is_never_inflated() {
        // 8 MiB of zeros deflate to ~8 KiB (1000:1); only the sniff window is ever decompressed.
        let zeros = vec![0u8; 8 << 20];
        let zip = ZipBuilder::new().deflated_file("bootstrap", 0o755, &zeros).finish();
        assert!(zip.len() < 20_000);
        let mut pkg = open(zip).unwrap();
        assert_eq!(pkg.entries()[0].size, 8 << 20);
        assert_eq!(pkg.sniff(0).unwrap().len(), 4096);
        assert_eq!(pkg.bytes_sniffed(), 4096);
    }

    #[test]
    fn bad_inputs_give_messages_not_panics() {
        assert_eq!(open(vec![]).err(), Some(PackageError::Empty));
        assert_eq!(open(b"hello world, not a zip".to_vec()).err(), Some(PackageError::NotZip));
        assert!(matches!(open(vec![0x1f, 0x8b, 8, 0, 0, 0]).err(), Some(PackageError::OtherFormat { .. })));
        let zip = ZipBuilder::new().unix_file("a", 0o644, b"abc").finish();
        for cut in [4, 30, zip.len() - 10] {
            let err = open(zip[..cut].to_vec()).err().expect("truncated zip must fail");
            assert!(!err.message().is_empty());
        }
        // An end-of-central-directory record alone: a valid but empty zip.
        let mut eocd = b"PK\x05\x06".to_vec();
        eocd.extend_from_slice(&[0u8; 18]);
        assert_eq!(open(eocd).err(), Some(PackageError::NoEntries));
    }

    #[test]
    fn duplicates_are_found() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"a")
            .unix_file("bootstrap", 0o644, b"b")
            .unix_file("x", 0o644, b"")
            .finish();
        let pkg = open(zip).unwrap();
        assert_eq!(pkg.duplicates(), ["bootstrap"]);
        let zip = ZipBuilder::new().unix_file("a", 0o644, b"").unix_file("b", 0o644, b"").finish();
        assert!(open(zip).unwrap().duplicates().is_empty());
    }

    #[test]
    fn host_bytes_are_described() {
        assert_eq!(HostSystem::from_byte(11), HostSystem::Ntfs(11));
        assert_eq!(HostSystem::from_byte(10).describe(), "host 10 (Windows NTFS)");
        assert_eq!(HostSystem::from_byte(11).describe(), "host 11 (Windows NTFS)");
        assert!(HostSystem::Dos.describe().contains("host 0"));
        assert_eq!(mode_string(0o100755), "-rwxr-xr-x");
        assert_eq!(mode_string(0o040700), "drwx------");
    }
}
