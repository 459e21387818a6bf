//! Builds small zips with exact metadata (host byte, external attributes, method, flags, raw names).
//!
//! The checks are about metadata that ordinary zip writers normalise away, so tests and fixtures
//! need a writer that stores precisely what it is told. Entries are stored uncompressed unless
//! [`ZipBuilder::deflated_file`] is used.

use std::io::Write;

/// One entry to be written.
#[derive(Clone)]
struct SynthEntry {
    name: Vec<u8>,
    data: Vec<u8>,
    compressed: Vec<u8>,
    method: u16,
    host: u8,
    external_attributes: u32,
    flags: u16,
}

/// A zip writer that stores exactly the metadata it is given.
#[derive(Default, Clone)]
pub struct ZipBuilder {
    entries: Vec<SynthEntry>,
}

impl ZipBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry with every field chosen by the caller.
    pub fn raw_entry(
        mut self,
        name: &[u8],
        data: &[u8],
        host: u8,
        external_attributes: u32,
        method: u16,
        flags: u16,
    ) -> Self {
        self.entries.push(SynthEntry {
            name: name.to_vec(),
            data: data.to_vec(),
            compressed: data.to_vec(),
            method,
            host,
            external_attributes,
            flags,
        });
        self
    }

    /// A regular file written by a Unix zipper with permission bits `perm` (e.g. `0o755`).
    pub fn unix_file(self, name: &str, perm: u32, data: &[u8]) -> Self {
        let mode = if perm == 0 { 0 } else { 0o100000 | perm };
        self.raw_entry(name.as_bytes(), data, 3, mode << 16, 0, 0)
    }

    /// A regular file written by a Windows tool: host 0, archive attribute only, no Unix mode.
    pub fn dos_file(self, name: &str, data: &[u8]) -> Self {
        self.raw_entry(name.as_bytes(), data, 0, 0x20, 0, 0)
    }

    /// A directory written by a Unix zipper.
    pub fn unix_dir(self, name: &str, perm: u32) -> Self {
        self.raw_entry(name.as_bytes(), b"", 3, ((0o040000 | perm) << 16) | 0x10, 0, 0)
    }

    /// A symlink written by a Unix zipper (`zip -y`): the data is the target.
    pub fn unix_symlink(self, name: &str, target: &str) -> Self {
        self.raw_entry(name.as_bytes(), target.as_bytes(), 3, 0o120777 << 16, 0, 0)
    }

    /// A deflate-compressed regular Unix file.
    pub fn deflated_file(mut self, name: &str, perm: u32, data: &[u8]) -> Self {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("writing to a Vec cannot fail");
        let compressed = encoder.finish().expect("writing to a Vec cannot fail");
        self.entries.push(SynthEntry {
            name: name.as_bytes().to_vec(),
            data: data.to_vec(),
            compressed,
            method: 8,
            host: 3,
            external_attributes: (0o100000 | perm) << 16,
            flags: 0,
        });
        self
    }

    /// Serialises the archive: local headers, data, central directory, end record.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for e in &self.entries {
            let offset = out.len() as u32;
            let crc = crc32(&e.data);
            let version_needed: u16 = 20;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&version_needed.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(e.compressed.len() as u32).to_le_bytes());
            out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&e.name);
            out.extend_from_slice(&e.compressed);

            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[30, e.host]);
            central.extend_from_slice(&version_needed.to_le_bytes());
            central.extend_from_slice(&e.flags.to_le_bytes());
            central.extend_from_slice(&e.method.to_le_bytes());
            central.extend_from_slice(&[0, 0, 0x21, 0]);
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&(e.compressed.len() as u32).to_le_bytes());
            central.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]); // extra, comment, disk, internal attrs
            central.extend_from_slice(&e.external_attributes.to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(&e.name);
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(self.entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }
}

/// CRC-32 (IEEE), bitwise: fixtures are small.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= byte as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
