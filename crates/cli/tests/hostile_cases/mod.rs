//! The hostile inputs, built by code (nothing committed): used by the CLI's hostile tier
//! (`tests/hostile.rs`, with time and memory budgets) and, through the `hostile_inputs` example
//! that writes them to a directory, by the browser tests, which drop them into the page.

use std::io::Write;
use std::path::{Path, PathBuf};

use bootdoctor_core::synth::{deflate_of_zeros, elf, ZipBuilder};

/// A small dynamically linked x86_64 executable's bytes.
pub fn small_elf() -> Vec<u8> {
    elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.17"])], 2)
}

/// A zip whose central directory lists `copies` more entries pointing at the first entry's bytes.
fn with_overlapping_copies(zip: Vec<u8>, copies: usize) -> Vec<u8> {
    let end = zip.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let cd_size = u32::from_le_bytes(zip[end + 12..end + 16].try_into().unwrap()) as usize;
    let cd_offset = u32::from_le_bytes(zip[end + 16..end + 20].try_into().unwrap()) as usize;
    let first = zip[cd_offset..cd_offset + cd_size].to_vec();
    let mut out = zip[..cd_offset + cd_size].to_vec();
    for i in 0..copies {
        let name = format!("copy{i:05}");
        let mut record = first[..46].to_vec();
        record[28..30].copy_from_slice(&(name.len() as u16).to_le_bytes());
        record.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&record);
    }
    let new_cd_size = out.len() - cd_offset;
    let count = (1 + copies) as u16;
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(new_cd_size as u32).to_le_bytes());
    out.extend_from_slice(&(cd_offset as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Cases written to disk as they are built, so at most one input is in memory at a time.
struct Cases<'a>(&'a Path, Vec<(&'static str, PathBuf)>);

impl Cases<'_> {
    fn push(&mut self, (case, bytes): (&'static str, Vec<u8>)) {
        let path = self.0.join(case.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
        std::fs::write(&path, bytes).unwrap();
        self.1.push((case, path));
    }
}

/// The hostile zips, by name, written into `dir`.
pub fn zips(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let script = b"#!/bin/sh\nexec ./server\n";
    let mut cases = Cases(dir, Vec::new());
    cases.push((
        "deflate bomb 1 GiB",
        ZipBuilder::new()
            .precompressed("bootstrap", 0o755, deflate_of_zeros(b"#!/bin/sh\n", 1 << 30), (1 << 30) + 10, 0)
            .finish(),
    ));
    cases.push((
        "4 KB claiming 4 GiB",
        ZipBuilder::new()
            .unix_file("bootstrap", 0o755, script)
            .precompressed("server", 0o755, deflate_of_zeros(&small_elf(), 100), u64::from(u32::MAX), 0)
            .finish(),
    ));
    let bomb = ZipBuilder::new()
        .precompressed("bootstrap", 0o755, deflate_of_zeros(b"#!/bin/sh\n", 64 << 20), (64 << 20) + 10, 0)
        .finish();
    cases.push(("overlapping entries x2000", with_overlapping_copies(bomb, 2000)));
    let long = "x".repeat(4 << 20);
    let needed: Vec<&str> = std::iter::repeat_n(long.as_str(), 3000).collect();
    cases.push((
        "DT_NEEDED amplification",
        ZipBuilder::new()
            .precompressed(
                "bootstrap",
                0o755,
                compress(&elf(Some("/lib64/ld-linux-x86-64.so.2"), &needed, None, &[], 2)),
                0,
                0,
            )
            .finish(),
    ));
    let versions: Vec<&str> = std::iter::repeat_n(long.as_str(), 256).collect();
    let libraries: Vec<(&str, &[&str])> = (0..256).map(|_| (long.as_str(), versions.as_slice())).collect();
    cases.push((
        "verneed 256x256",
        ZipBuilder::new()
            .precompressed(
                "bootstrap",
                0o755,
                compress(&elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &libraries, 2)),
                0,
                0,
            )
            .finish(),
    ));
    let mut fan_out = String::from("#!/bin/sh\n");
    let mut builder = ZipBuilder::new();
    for i in 0..31 {
        fan_out.push_str(&format!("./bin{i} &\n"));
        builder = builder.precompressed(
            &format!("bin{i}"),
            0o755,
            deflate_of_zeros(&small_elf(), 100 << 20),
            (100 << 20) + 1000,
            0,
        );
    }
    cases.push(("script runs 31 ELFs of 100 MiB", builder.unix_file("bootstrap", 0o755, fan_out.as_bytes()).finish()));
    let mut many = ZipBuilder::new().unix_file("bootstrap", 0o755, script);
    // 200,000 entries in all: the most a package may list (`Limits::max_entries`), reported on.
    for i in 0..199_999 {
        many = many.unix_file(&format!("node_modules/p{}/f{i}.js", i % 997), 0o644, b"");
    }
    cases.push(("200,000 entries", many.finish()));
    cases.push((
        "names that escape or drive a terminal",
        ZipBuilder::new()
            .unix_file("bootstrap", 0o755, script)
            .unix_file("../../etc/passwd", 0o644, b"x")
            .unix_file("/abs", 0o644, b"x")
            .dos_file("C:\\Windows\\x", b"x")
            .dos_file("\\\\server\\share\\x", b"x")
            .raw_entry(b"nul\0byte", b"x", 3, 0o100644 << 16, 0, 0)
            .unix_file("\x1b[31mred\x1b]0;title\x07", 0o644, b"x")
            .unix_file("evil\u{202e}txt.exe", 0o644, b"x")
            .unix_file("<script>alert(1)</script>", 0o644, b"x")
            .finish(),
    ));
    let good =
        ZipBuilder::new().unix_file("bootstrap", 0o755, script).unix_file("server", 0o755, &small_elf()).finish();
    cases.push(("truncated in half", good[..good.len() / 2].to_vec()));
    let mut lying = good.clone();
    let end = lying.len() - 22;
    lying[end + 10..end + 12].copy_from_slice(&u16::MAX.to_le_bytes());
    lying[end + 16..end + 20].copy_from_slice(&u32::MAX.to_le_bytes());
    cases.push(("end record lies", lying));
    let mut noise = Vec::with_capacity(2 << 20);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    while noise.len() < 2 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    cases.push(("2 MiB of noise", noise));
    let huge = dir.join("2-5-GB-sparse-package");
    write_sparse_package(&huge, 2_500_000_000, SPARSE_SCRIPT).unwrap();
    cases.1.push(("2.5 GB sparse package", huge));
    // Over what a repair could hold in memory (the page once stopped at 512 MiB, the CLI's budget
    // here is 256 MiB) and with something to repair: the repair must copy it, not hold it.
    let repairable = dir.join("600-MB-sparse-package-crlf");
    write_sparse_package(&repairable, 600_000_000, b"#!/bin/sh\r\nexec ./data.bin\r\n").unwrap();
    cases.1.push(("600 MB sparse package to repair", repairable));
    cases.1
}

/// One zip entry's local header and central record, stored (method 0), made on Unix.
struct Stored<'a> {
    name: &'a str,
    mode: u32,
    size: u32,
    crc: u32,
    offset: u32,
}

impl Stored<'_> {
    fn local_header(&self) -> Vec<u8> {
        let mut h = b"PK\x03\x04".to_vec();
        for v in [20u16, 0, 0, 0, 0x21] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.crc, self.size, self.size] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        h.extend_from_slice(&(self.name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(self.name.as_bytes());
        h
    }

    fn central_record(&self) -> Vec<u8> {
        let mut r = b"PK\x01\x02".to_vec();
        for v in [0x031Eu16, 20, 0, 0, 0, 0x21] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.crc, self.size, self.size] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        for v in [self.name.len() as u16, 0, 0, 0, 0] {
            r.extend_from_slice(&v.to_le_bytes());
        }
        r.extend_from_slice(&((0o100000 | self.mode) << 16).to_le_bytes());
        r.extend_from_slice(&self.offset.to_le_bytes());
        r.extend_from_slice(self.name.as_bytes());
        r
    }
}

/// The CRC-32 of `n` zero bytes, without reading them (CRCs of halves combine).
fn crc_of_zeros(mut n: u64) -> u32 {
    let mut total = crc32fast::Hasher::new();
    let mut block = crc32fast::Hasher::new();
    block.update(&[0]);
    while n > 0 {
        if n & 1 == 1 {
            total.combine(&block);
        }
        let copy = block.clone();
        block.combine(&copy);
        n >>= 1;
    }
    total.finalize()
}

/// The bootstrap of the sparse packages.
pub const SPARSE_SCRIPT: &[u8] = b"#!/bin/sh\nexec ./data.bin\n";

/// A valid zip of about `size` bytes, nearly all of it a hole in the file (sparse on disk): the
/// bootstrap `script` and `data.bin`, stored, of zeros. A package this size must be diagnosed by
/// reading its directory and the entries that matter, not refused and not read whole.
pub fn write_sparse_package(path: &Path, size: u32, script: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let first =
        Stored { name: "bootstrap", mode: 0o755, size: script.len() as u32, crc: crc32fast::hash(script), offset: 0 };
    let head = first.local_header();
    let data_offset = (head.len() + script.len()) as u32;
    let mut second = Stored { name: "data.bin", mode: 0o644, size: 0, crc: 0, offset: data_offset };
    let header_len = second.local_header().len() as u32;
    second.size = size.saturating_sub(data_offset + header_len + 200);
    second.crc = crc_of_zeros(u64::from(second.size));
    let mut file = std::fs::File::create(path)?;
    file.write_all(&head)?;
    file.write_all(script)?;
    file.write_all(&second.local_header())?;
    let cd_offset = file.seek(SeekFrom::Current(i64::from(second.size)))? as u32;
    let mut cd = first.central_record();
    cd.extend_from_slice(&second.central_record());
    file.write_all(&cd)?;
    let mut end = b"PK\x05\x06\0\0\0\0".to_vec();
    for v in [2u16, 2] {
        end.extend_from_slice(&v.to_le_bytes());
    }
    end.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    end.extend_from_slice(&cd_offset.to_le_bytes());
    end.extend_from_slice(&0u16.to_le_bytes());
    file.write_all(&end)
}

fn compress(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// The hostile pastes, by name, written into `dir`.
pub fn pastes(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let line = "2024-05-01T10:00:00Z INFO request handled in 12 ms, nothing to see here\n";
    let mut ten = line.repeat((10 << 20) / line.len()).into_bytes();
    ten.extend_from_slice(b"Function instance exited unexpectedly(code 13, message:permission denied)\n");
    let mut cases = Cases(dir, Vec::new());
    for case in [
        ("10 MiB log", ten),
        ("1 MiB of CR-only line ends", "error\r".repeat((1 << 20) / 6).into_bytes()),
        ("1,000,000 lines", "x\n".repeat(1_000_000).into_bytes()),
        ("20 MiB on one line", "a".repeat(20 << 20).into_bytes()),
        (
            "NUL, ANSI and bad UTF-8",
            b"\x1b[2J\x1b]0;owned\x07exec format error\0\xff\xfe\r\x1b[1A\xe2\x80\xaeGLIBC_2.34 not found".to_vec(),
        ),
    ] {
        cases.push(case);
    }
    cases.1
}
