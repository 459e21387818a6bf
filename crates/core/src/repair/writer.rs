//! The repaired zip's writer: entries the repair does not rewrite are copied byte for byte from the
//! original — local header, name, extra fields, compressed data, data descriptor — and their
//! central-directory record is copied too, with only the fields a repair changes patched (offset,
//! and the name or the mode when those change). A zip library's writer would regenerate every
//! header; this keeps what the user's zipper wrote.
//!
//! It writes [`RepairedZip`] pieces: copied data stays a range of the original and is never read
//! (only headers are). Bounded by the input: every range is checked against the source's size.
//! Zip64 offsets and more than 65,535 entries are refused (no function package comes near either).

use std::io::{SeekFrom, Write};

use super::pieces::RepairedZip;
use crate::archive::PackageRead;

use flate2::write::DeflateEncoder;
use flate2::Compression;

const LOCAL: [u8; 4] = [0x50, 0x4b, 0x03, 0x04];
const CENTRAL: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
const DESCRIPTOR: [u8; 4] = [0x50, 0x4b, 0x07, 0x08];
const END: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];

/// Where one entry sits in the original zip (from the zip reader).
pub(super) struct Source {
    /// Offset of the local header.
    pub header_start: u64,
    /// Offset of the central-directory record.
    pub central_start: u64,
    /// Offset of the compressed data.
    pub data_start: u64,
    /// Compressed size.
    pub compressed_size: u64,
}

/// Builds a zip from copied and new entries.
pub(super) struct RawZipWriter<'a> {
    src: &'a mut dyn PackageRead,
    src_len: u64,
    out: RepairedZip,
    central: Vec<u8>,
    count: usize,
}

/// `start..start + len` when it lies within a source of `src_len` bytes.
fn within(src_len: u64, start: u64, len: u64) -> Result<(), String> {
    match start.checked_add(len) {
        Some(end) if end <= src_len => Ok(()),
        _ => Err("an entry points outside the file".to_string()),
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> RawZipWriter<'a> {
    /// A writer copying from `src`, the original zip of `src_len` bytes.
    pub fn new(src: &'a mut dyn PackageRead, src_len: u64) -> Self {
        RawZipWriter { src, src_len, out: RepairedZip::default(), central: Vec::new(), count: 0 }
    }

    /// Reads `len` bytes of the original from `start` (header fields: at most a few KiB).
    fn read(&mut self, start: u64, len: u64) -> Result<Vec<u8>, String> {
        within(self.src_len, start, len)?;
        let mut bytes = vec![0u8; usize::try_from(len).map_err(|_| "length out of range")?];
        self.src.seek(SeekFrom::Start(start)).map_err(|e| e.to_string())?;
        self.src.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        Ok(bytes)
    }

    /// The original's bytes `start..start + len` go to the output as they are, unread.
    fn copy_range(&mut self, start: u64, len: u64) -> Result<(), String> {
        within(self.src_len, start, len)?;
        self.out.push_copy(start, len);
        Ok(())
    }

    /// The DOS time and date in the local header at `header_start`.
    pub fn local_date(&mut self, header_start: u64) -> Option<(u16, u16)> {
        let b = self.read(header_start + 10, 4).ok()?;
        Some((u16::from_le_bytes([b[0], b[1]]), u16::from_le_bytes([b[2], b[3]])))
    }

    /// The output's size so far, as a 32-bit zip offset.
    fn offset(&self) -> Result<u32, String> {
        u32::try_from(self.out.len()).map_err(|_| "the repaired zip would need zip64".to_string())
    }

    /// Copies an entry as stored. `name`: a new name (UTF-8), or `None` to keep the stored bytes.
    /// `mode`: a Unix mode (type and permission bits) to record with a Unix host byte, or `None`.
    pub fn copy(&mut self, at: &Source, name: Option<&str>, mode: Option<u32>) -> Result<(), String> {
        let local = self.read(at.header_start, 30)?;
        let record = self.read(at.central_start, 46)?;
        if local[..4] != LOCAL || record[..4] != CENTRAL {
            return Err("the zip's directory does not point at its headers".into());
        }
        if u32_at(&record, 42) == u32::MAX {
            return Err("zip64 offsets are not repaired".into());
        }
        let local_name_len = u64::from(u16_at(&local, 26));
        let local_extra_len = u64::from(u16_at(&local, 28));
        let flags = u16_at(&local, 6);
        // The data descriptor, when bit 3 says sizes follow the data.
        let data_end = at.data_start.checked_add(at.compressed_size).ok_or("size out of range")?;
        let mut descriptor = 0u64;
        if flags & 0x0008 != 0 {
            let zip64 = u32_at(&record, 20) == u32::MAX || u32_at(&record, 24) == u32::MAX;
            let signed = self.read(data_end, 4).is_ok_and(|s| s == DESCRIPTOR);
            descriptor = u64::from(signed) * 4 + if zip64 { 20 } else { 12 };
        }
        let offset = self.offset()?;
        let name_len = u64::from(u16_at(&record, 28));
        let extra_len = u64::from(u16_at(&record, 30));
        let comment_len = u64::from(u16_at(&record, 32));
        let stored_name = self.read(at.central_start + 46, name_len)?;
        let extra = self.read(at.central_start + 46 + name_len, extra_len)?;
        let comment = self.read(at.central_start + 46 + name_len + extra_len, comment_len)?;
        let new_name = name.map(str::as_bytes);
        let utf8_flag = |flags: u16, n: &[u8]| if n.is_ascii() { flags } else { flags | 0x0800 };

        // Local header, name, extra, data, descriptor.
        match new_name {
            None => {
                let end = data_end + descriptor;
                let len = end.checked_sub(at.header_start).ok_or("an entry's data lies before its header")?;
                self.copy_range(at.header_start, len)?;
            }
            Some(n) => {
                let mut header = local.clone();
                header[6..8].copy_from_slice(&utf8_flag(flags, n).to_le_bytes());
                header[26..28].copy_from_slice(&u16::try_from(n.len()).map_err(|_| "name too long")?.to_le_bytes());
                let extra_start = at.header_start + 30 + local_name_len;
                within(self.src_len, extra_start, local_extra_len)?;
                within(self.src_len, at.data_start, at.compressed_size + descriptor)?;
                self.out.push_new(&header);
                self.out.push_new(n);
                self.copy_range(extra_start, local_extra_len)?;
                self.copy_range(at.data_start, at.compressed_size + descriptor)?;
            }
        }

        // Central record: as stored, with the new offset (and name, mode).
        let mut fixed = record;
        fixed[42..46].copy_from_slice(&offset.to_le_bytes());
        let name_bytes = new_name.map_or(stored_name, <[u8]>::to_vec);
        if let Some(n) = new_name {
            let f = utf8_flag(u16_at(&fixed, 8), n);
            fixed[8..10].copy_from_slice(&f.to_le_bytes());
            fixed[28..30].copy_from_slice(&u16::try_from(n.len()).map_err(|_| "name too long")?.to_le_bytes());
        }
        if let Some(mode) = mode {
            set_mode(&mut fixed, mode);
        }
        self.central.extend_from_slice(&fixed);
        self.central.extend_from_slice(&name_bytes);
        self.central.extend_from_slice(&extra);
        self.central.extend_from_slice(&comment);
        self.count += 1;
        Ok(())
    }

    /// Adds an entry with new contents (deflated when that is smaller), dated `dos_time`/`dos_date`.
    pub fn add(&mut self, name: &str, data: &[u8], mode: u32, dos_time: u16, dos_date: u16) -> Result<(), String> {
        let mut deflater = DeflateEncoder::new(Vec::new(), Compression::default());
        deflater.write_all(data).map_err(|e| e.to_string())?;
        let deflated = deflater.finish().map_err(|e| e.to_string())?;
        let (method, body): (u16, &[u8]) = if deflated.len() < data.len() { (8, &deflated) } else { (0, data) };
        let crc = crc32fast::hash(data);
        let size = u32::try_from(data.len()).map_err(|_| "file too large")?;
        let csize = u32::try_from(body.len()).map_err(|_| "file too large")?;
        let name_len = u16::try_from(name.len()).map_err(|_| "name too long")?;
        let flags: u16 = if name.is_ascii() { 0 } else { 0x0800 };
        let offset = self.offset()?;
        let version_needed: u16 = 20;

        let mut common = Vec::with_capacity(26);
        common.extend_from_slice(&flags.to_le_bytes());
        common.extend_from_slice(&method.to_le_bytes());
        common.extend_from_slice(&dos_time.to_le_bytes());
        common.extend_from_slice(&dos_date.to_le_bytes());
        common.extend_from_slice(&crc.to_le_bytes());
        common.extend_from_slice(&csize.to_le_bytes());
        common.extend_from_slice(&size.to_le_bytes());
        common.extend_from_slice(&name_len.to_le_bytes());
        common.extend_from_slice(&0u16.to_le_bytes()); // extra length

        self.out.push_new(&LOCAL);
        self.out.push_new(&version_needed.to_le_bytes());
        self.out.push_new(&common);
        self.out.push_new(name.as_bytes());
        self.out.push_new(body);

        let mut record = Vec::with_capacity(46);
        record.extend_from_slice(&CENTRAL);
        record.extend_from_slice(&((3u16 << 8) | version_needed).to_le_bytes());
        record.extend_from_slice(&version_needed.to_le_bytes());
        record.extend_from_slice(&common);
        record.extend_from_slice(&0u16.to_le_bytes()); // comment length
        record.extend_from_slice(&0u16.to_le_bytes()); // disk
        record.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        record.extend_from_slice(&0u32.to_le_bytes()); // external attributes, set below
        record.extend_from_slice(&offset.to_le_bytes());
        set_mode(&mut record, mode);
        self.central.extend_from_slice(&record);
        self.central.extend_from_slice(name.as_bytes());
        self.count += 1;
        Ok(())
    }

    /// Appends the central directory and its end record (with the archive comment) and returns
    /// the zip.
    pub fn finish(mut self, comment: &[u8]) -> Result<RepairedZip, String> {
        let count = u16::try_from(self.count).map_err(|_| "more than 65,535 entries would need zip64")?;
        let cd_offset = self.offset()?;
        let cd_size = u32::try_from(self.central.len()).map_err(|_| "the repaired zip would need zip64")?;
        let comment = &comment[..comment.len().min(u16::MAX as usize)];
        let mut end = std::mem::take(&mut self.central);
        end.extend_from_slice(&END);
        end.extend_from_slice(&[0, 0, 0, 0]); // this disk, the directory's disk
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&cd_size.to_le_bytes());
        end.extend_from_slice(&cd_offset.to_le_bytes());
        end.extend_from_slice(&(comment.len() as u16).to_le_bytes());
        end.extend_from_slice(comment);
        self.out.push_new(&end);
        Ok(self.out)
    }
}

/// Records a Unix mode in a central-directory record: host byte 3 (Unix) and `mode << 16` in the
/// external attributes (with the DOS directory bit for directories, as Info-ZIP writes it).
fn set_mode(record: &mut [u8], mode: u32) {
    record[5] = 3;
    let dos_dir = if mode & 0o170000 == 0o040000 { 0x10 } else { 0 };
    record[38..42].copy_from_slice(&((mode << 16) | dos_dir).to_le_bytes());
}
