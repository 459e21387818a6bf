//! Builds small zips with exact metadata (host byte, external attributes, method, flags, raw names).
//!
//! The checks are about metadata that ordinary zip writers normalise away, so tests and fixtures
//! need a writer that stores precisely what it is told. Entries are stored uncompressed unless
//! [`ZipBuilder::deflated_file`] or [`ZipBuilder::precompressed`] is used. Hostile inputs are built
//! here too: [`deflate_of_zeros`] makes a gigabyte bomb in milliseconds, [`ZipBuilder::precompressed`]
//! stores any size claim, and more than 65,535 entries get zip64 end records.

use std::io::Write;

/// One entry to be written.
#[derive(Clone)]
struct SynthEntry {
    name: Vec<u8>,
    compressed: Vec<u8>,
    method: u16,
    host: u8,
    external_attributes: u32,
    flags: u16,
    /// The uncompressed size written in the headers.
    size: u64,
    crc: u32,
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
            compressed: data.to_vec(),
            method,
            host,
            external_attributes,
            flags,
            size: data.len() as u64,
            crc: crc32(data),
        });
        self
    }

    /// A Unix file whose compressed bytes, claimed uncompressed size and CRC are given as they are
    /// (method deflate): a bomb, or a size that lies. Sizes above 4 GiB − 1 are written as
    /// 0xFFFFFFFF with no zip64 field (itself a lie readers must survive).
    pub fn precompressed(mut self, name: &str, perm: u32, compressed: Vec<u8>, claimed_size: u64, crc: u32) -> Self {
        self.entries.push(SynthEntry {
            name: name.as_bytes().to_vec(),
            compressed,
            method: 8,
            host: 3,
            external_attributes: (0o100000 | perm) << 16,
            flags: 0,
            size: claimed_size,
            crc,
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
    pub fn deflated_file(self, name: &str, perm: u32, data: &[u8]) -> Self {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(data).expect("writing to a Vec cannot fail");
        let compressed = encoder.finish().expect("writing to a Vec cannot fail");
        self.precompressed(name, perm, compressed, data.len() as u64, crc32(data))
    }

    /// Serialises the archive: local headers, data, central directory, end record.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for e in &self.entries {
            let offset = out.len() as u32;
            let crc = e.crc;
            let size = u32::try_from(e.size).unwrap_or(u32::MAX);
            let version_needed: u16 = 20;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&version_needed.to_le_bytes());
            out.extend_from_slice(&e.flags.to_le_bytes());
            out.extend_from_slice(&e.method.to_le_bytes());
            out.extend_from_slice(&[0, 0, 0x21, 0]); // time, date (1980-01-01)
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(e.compressed.len() as u32).to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
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
            central.extend_from_slice(&size.to_le_bytes());
            central.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]); // extra, comment, disk, internal attrs
            central.extend_from_slice(&e.external_attributes.to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(&e.name);
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        let count = self.entries.len();
        if count > usize::from(u16::MAX) {
            // Zip64 end of central directory record and its locator.
            let zip64_end = out.len() as u64;
            out.extend_from_slice(b"PK\x06\x06");
            out.extend_from_slice(&44u64.to_le_bytes());
            out.extend_from_slice(&[45, 3, 45, 0]); // made by, needed
            out.extend_from_slice(&[0; 8]); // this disk, directory's disk
            out.extend_from_slice(&(count as u64).to_le_bytes());
            out.extend_from_slice(&(count as u64).to_le_bytes());
            out.extend_from_slice(&(central.len() as u64).to_le_bytes());
            out.extend_from_slice(&u64::from(cd_offset).to_le_bytes());
            out.extend_from_slice(b"PK\x06\x07");
            out.extend_from_slice(&0u32.to_le_bytes());
            out.extend_from_slice(&zip64_end.to_le_bytes());
            out.extend_from_slice(&1u32.to_le_bytes());
        }
        let short_count = u16::try_from(count).unwrap_or(u16::MAX);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&short_count.to_le_bytes());
        out.extend_from_slice(&short_count.to_le_bytes());
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

/// The bytes of a 64-bit little-endian x86_64 ELF with the given load-time needs, laid out as a
/// linker would (one LOAD segment): tests, fixtures and hostile inputs (a string-table amplification
/// is thousands of `needed` entries that are one slice).
pub fn elf(
    interp: Option<&str>,
    needed: &[&str],
    runpath: Option<&str>,
    verneed: &[(&str, &[&str])],
    e_type: u16,
) -> Vec<u8> {
    let mut strtab = vec![0u8];
    let mut seen: std::collections::HashMap<(usize, usize), u64> = std::collections::HashMap::new();
    let mut add = |s: &str| {
        // The same string slice is stored once, as linkers merge strings (and as a string-table
        // amplification needs: many entries pointing at one string). Keyed by the slice itself,
        // so a 4 MiB name is not hashed once per entry.
        let key = (s.as_ptr() as usize, s.len());
        if let Some(at) = seen.get(&key) {
            return *at;
        }
        let at = strtab.len() as u64;
        strtab.extend_from_slice(s.as_bytes());
        strtab.push(0);
        seen.insert(key, at);
        at
    };
    let needed_off: Vec<u64> = needed.iter().map(|n| add(n)).collect();
    let runpath_off = runpath.map(&mut add);
    let verneed_strs: Vec<(u64, Vec<u64>)> =
        verneed.iter().map(|(lib, vs)| (add(lib), vs.iter().map(|v| add(v)).collect())).collect();

    let phnum = 3u64;
    let interp_off = 64 + 56 * phnum;
    let interp_bytes: Vec<u8> = interp.map(|i| [i.as_bytes(), b"\0"].concat()).unwrap_or_default();
    let strtab_off = interp_off + interp_bytes.len() as u64;
    let verneed_off = (strtab_off + strtab.len() as u64 + 7) & !7;
    let mut verneed_bytes = Vec::new();
    for (i, (file, versions)) in verneed_strs.iter().enumerate() {
        let last = i + 1 == verneed_strs.len();
        let size = 16 + 16 * versions.len() as u32;
        verneed_bytes.extend_from_slice(&1u16.to_le_bytes());
        verneed_bytes.extend_from_slice(&(versions.len() as u16).to_le_bytes());
        verneed_bytes.extend_from_slice(&(*file as u32).to_le_bytes());
        verneed_bytes.extend_from_slice(&16u32.to_le_bytes());
        verneed_bytes.extend_from_slice(&(if last { 0 } else { size }).to_le_bytes());
        for (j, name) in versions.iter().enumerate() {
            verneed_bytes.extend_from_slice(&0u32.to_le_bytes());
            verneed_bytes.extend_from_slice(&0u16.to_le_bytes());
            verneed_bytes.extend_from_slice(&0u16.to_le_bytes());
            verneed_bytes.extend_from_slice(&(*name as u32).to_le_bytes());
            verneed_bytes.extend_from_slice(&(if j + 1 == versions.len() { 0u32 } else { 16 }).to_le_bytes());
        }
    }
    let dynamic_off = (verneed_off + verneed_bytes.len() as u64 + 7) & !7;
    let mut dynamic: Vec<(u64, u64)> = needed_off.iter().map(|o| (1, *o)).collect();
    if let Some(o) = runpath_off {
        dynamic.push((29, o));
    }
    dynamic.push((5, strtab_off));
    dynamic.push((10, strtab.len() as u64));
    if !verneed_strs.is_empty() {
        dynamic.push((0x6fff_fffe, verneed_off));
        dynamic.push((0x6fff_ffff, verneed_strs.len() as u64));
    }
    dynamic.push((0, 0));
    let total = dynamic_off + 16 * dynamic.len() as u64;

    let mut out = vec![0u8; total as usize];
    out[..4].copy_from_slice(b"\x7fELF");
    out[4] = 2;
    out[5] = 1;
    out[6] = 1;
    out[16..18].copy_from_slice(&e_type.to_le_bytes());
    out[18..20].copy_from_slice(&62u16.to_le_bytes());
    out[20..24].copy_from_slice(&1u32.to_le_bytes());
    out[32..40].copy_from_slice(&64u64.to_le_bytes());
    out[52..54].copy_from_slice(&64u16.to_le_bytes());
    out[54..56].copy_from_slice(&56u16.to_le_bytes());
    out[56..58].copy_from_slice(&(phnum as u16).to_le_bytes());
    let mut ph = |i: u64, kind: u32, off: u64, size: u64| {
        let at = (64 + 56 * i) as usize;
        out[at..at + 4].copy_from_slice(&kind.to_le_bytes());
        out[at + 8..at + 16].copy_from_slice(&off.to_le_bytes());
        out[at + 16..at + 24].copy_from_slice(&off.to_le_bytes());
        out[at + 32..at + 40].copy_from_slice(&size.to_le_bytes());
        out[at + 40..at + 48].copy_from_slice(&size.to_le_bytes());
    };
    // Without an interpreter the slot stays a PT_NULL header.
    if interp.is_some() {
        ph(0, 3, interp_off, interp_bytes.len() as u64);
    }
    ph(1, 1, 0, total);
    ph(2, 2, dynamic_off, 16 * dynamic.len() as u64);
    out[interp_off as usize..interp_off as usize + interp_bytes.len()].copy_from_slice(&interp_bytes);
    out[strtab_off as usize..strtab_off as usize + strtab.len()].copy_from_slice(&strtab);
    out[verneed_off as usize..verneed_off as usize + verneed_bytes.len()].copy_from_slice(&verneed_bytes);
    for (i, (tag, val)) in dynamic.iter().enumerate() {
        let at = dynamic_off as usize + 16 * i;
        out[at..at + 8].copy_from_slice(&tag.to_le_bytes());
        out[at + 8..at + 16].copy_from_slice(&val.to_le_bytes());
    }
    out
}

/// Writes deflate's fixed-Huffman codes least-significant bit first, as the format packs them.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    bits: u64,
    count: u32,
}

impl BitWriter {
    /// `n` bits of `value`, low bit first (headers and extra bits).
    fn bits(&mut self, value: u64, n: u32) {
        self.bits |= value << self.count;
        self.count += n;
        while self.count >= 8 {
            self.out.push(self.bits as u8);
            self.bits >>= 8;
            self.count -= 8;
        }
    }

    /// A Huffman code of `n` bits, most significant bit first.
    fn code(&mut self, code: u32, n: u32) {
        let reversed = code.reverse_bits() >> (32 - n);
        self.bits(u64::from(reversed), n);
    }

    /// A literal byte in the fixed code.
    fn literal(&mut self, byte: u8) {
        if byte < 144 {
            self.code(0x30 + u32::from(byte), 8);
        } else {
            self.code(0x190 + u32::from(byte - 144), 9);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.out.push(self.bits as u8);
        }
        self.out
    }
}

/// A raw deflate stream of `prefix` followed by `zeros` zero bytes, built directly (one fixed-
/// Huffman block of 258-byte back-references: about 1.6 bytes per KiB), so a test makes a gigabyte
/// bomb in milliseconds where compressing it would take seconds.
pub fn deflate_of_zeros(prefix: &[u8], zeros: u64) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.bits(1, 1); // final block
    w.bits(1, 2); // fixed Huffman
    for &b in prefix {
        w.literal(b);
    }
    let mut left = zeros;
    if left > 0 {
        w.literal(0);
        left -= 1;
    }
    while left >= 258 {
        w.code(0xC5, 8); // length symbol 285: 258 bytes
        w.code(0, 5); // distance code 0: 1 byte back
        left -= 258;
    }
    for _ in 0..left {
        w.literal(0);
    }
    w.code(0, 7); // end of block (symbol 256)
    w.finish()
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn zeros_inflate_to_what_was_asked() {
        let stream = super::deflate_of_zeros(b"\x7fELF", 1_000_003);
        assert!(stream.len() < 8 << 10, "{} bytes", stream.len());
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&stream[..]).read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 1_000_007);
        assert_eq!(&out[..4], b"\x7fELF");
        assert!(out[4..].iter().all(|&b| b == 0));
    }

    #[test]
    fn more_than_65535_entries_are_listed_through_zip64() {
        let mut b = super::ZipBuilder::new();
        for i in 0..70_000 {
            b = b.unix_file(&format!("f{i}"), 0o644, b"");
        }
        let zip = b.finish();
        let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        assert_eq!(archive.len(), 70_000);
    }
}
