use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::*;
use crate::elf::testing::elf;
use crate::entry::StartSpec;
use crate::synth::ZipBuilder;

/// A repair of bytes in memory, with the repaired zip's bytes beside what was done.
#[derive(Debug)]
struct Fixed {
    bytes: Vec<u8>,
    repaired: Repaired,
}

impl std::ops::Deref for Fixed {
    type Target = Repaired;
    fn deref(&self) -> &Repaired {
        &self.repaired
    }
}

fn repair(zip: &[u8], name: &str, request: &Request) -> Result<Fixed, RepairError> {
    let (repaired, bytes) = super::repair_in_memory(zip, name, request)?;
    Ok(Fixed { bytes, repaired })
}

fn request(platform: &str) -> Request {
    Request { platform: Some(platform.into()), start: StartSpec::default(), error_text: None }
}

fn ids(report: &Report) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.id).collect()
}

/// (name, unix mode, host) of every entry, and each entry's raw (compressed) bytes.
fn listing(bytes: &[u8]) -> Vec<(String, Option<u32>, Vec<u8>, u32)> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index_raw(i).unwrap();
            let (name, mode, crc) =
                (String::from_utf8_lossy(file.name_raw()).into_owned(), file.unix_mode(), file.crc32());
            let mut raw = Vec::new();
            file.read_to_end(&mut raw).unwrap();
            (name, mode, raw, crc)
        })
        .collect()
}

#[test]
fn a_windows_zip_in_a_folder_with_mac_junk_comes_out_clean() {
    let zip = ZipBuilder::new()
        .dos_file("myfunc/bootstrap", b"\xEF\xBB\xBF#!/bin/bash\r\nexec python3 app.py\r\n")
        .dos_file(
            "myfunc/app.py",
            b"from http.server import *\nHTTPServer(('0.0.0.0', 9000), BaseHTTPRequestHandler).serve_forever()\n",
        )
        .dos_file("__MACOSX/myfunc/._bootstrap", b"\x00\x05\x16\x07")
        .dos_file("myfunc/.DS_Store", b"Bud1")
        .finish();
    let fixed = repair(&zip, "function.zip", &request("aliyun-fc")).unwrap();
    let before = ids(&fixed.before);
    for id in ["entry-nested", "macos-metadata"] {
        assert!(before.contains(&id), "{before:?}");
    }
    assert!(
        fixed.after.findings.iter().all(|f| f.severity != crate::checks::Severity::Error),
        "{:?}",
        ids(&fixed.after)
    );
    for id in ["entry-nested", "macos-metadata", "exec-bit-missing", "bom-before-shebang", "crlf-shebang"] {
        assert!(!ids(&fixed.after).contains(&id), "{id} still there: {:?}", ids(&fixed.after));
    }
    let entries = listing(&fixed.bytes);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, ["bootstrap", "app.py"]);
    assert_eq!(entries[0].1.map(|m| m & 0o777), Some(0o755));
    assert_eq!(entries[1].1.map(|m| m & 0o777), Some(0o644));
    let mut archive = ZipArchive::new(Cursor::new(fixed.bytes.as_slice())).unwrap();
    let mut text = String::new();
    archive.by_name("bootstrap").unwrap().read_to_string(&mut text).unwrap();
    assert_eq!(text, "#!/bin/bash\nexec python3 app.py\n");
    let described: Vec<String> = fixed.actions.iter().map(RepairAction::describe).collect();
    assert!(described[0].contains("wrapper folder myfunc/"), "{described:?}");
    assert!(described.iter().any(|d| d == "bootstrap: 2 lines from CRLF to LF"), "{described:?}");
    assert!(described.iter().any(|d| d.contains("byte-order mark")));
    assert!(described.iter().any(|d| d.starts_with("__MACOSX/myfunc/._bootstrap")));
    assert_eq!(fixed.rewritten, 1);
}

#[test]
fn unchanged_entries_are_copied_byte_for_byte() {
    let big = "print('hello')\n".repeat(500);
    let zip = ZipBuilder::new()
        .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec python3 app.py\n")
        .deflated_file("app.py", 0o644, big.as_bytes())
        .unix_dir("lib/", 0o755)
        .unix_symlink("lib/current", "../app.py")
        .finish();
    let original = listing(&zip);
    let zip_bytes = zip.clone();
    let fixed = repair(&zip, "good.zip", &request("aliyun-fc")).unwrap();
    assert!(fixed.actions.is_empty(), "{:?}", fixed.actions);
    assert_eq!(fixed.rewritten, 0);
    assert_eq!(listing(&fixed.bytes), original, "names, modes, compressed bytes and CRCs unchanged");
    assert!(fixed.bytes == zip_bytes, "nothing to repair: the very same bytes");
}

#[test]
fn modes_only_change_by_raw_copy_and_never_lose_an_execute_bit() {
    let data = "x".repeat(3000);
    let zip = ZipBuilder::new()
        .dos_file("bootstrap", b"#!/bin/sh\nexec ./tool\n")
        .deflated_file("tool", 0o700, data.as_bytes())
        .deflated_file("data.txt", 0o600, data.as_bytes())
        .finish();
    let original = listing(&zip);
    let original_zip = zip.clone();
    let fixed = repair(&zip, "f.zip", &request("aws-lambda-al2023")).unwrap();
    let after = listing(&fixed.bytes);
    assert_eq!(after[1].1.map(|m| m & 0o777), Some(0o755), "an execute bit stays");
    assert_eq!(after[2].1.map(|m| m & 0o777), Some(0o644), "readable by others");
    for i in 0..3 {
        assert_eq!((&after[i].2, after[i].3), (&original[i].2, original[i].3), "entry {i} recompressed");
    }
    assert_eq!(after[1].1.map(|m| m & 0o170000), Some(0o100000), "still a regular file");
    assert_eq!(fixed.copied_raw, 3);
    // The local headers too: a mode lives only in the central directory, so each local block
    // (header, name, extra, data) is the original's, byte for byte.
    let blocks = |zip: &[u8]| -> Vec<Vec<u8>> {
        let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
        (0..archive.len())
            .map(|i| {
                let f = archive.by_index_raw(i).unwrap();
                zip[f.header_start() as usize..(f.data_start().unwrap() + f.compressed_size()) as usize].to_vec()
            })
            .collect()
    };
    assert_eq!(blocks(&fixed.bytes), blocks(&original_zip));
    assert!(!ids(&fixed.after).contains(&"not-readable"), "{:?}", ids(&fixed.after));
}

#[test]
fn what_cannot_be_repaired_is_left_and_still_reported() {
    let mut arm = elf(None, &[], None, &[], 2);
    arm[18] = 183; // EM_AARCH64
    arm[19] = 0;
    let zip = ZipBuilder::new().dos_file("bootstrap", &arm).finish();
    let fixed = repair(&zip, "arm.zip", &request("aliyun-fc")).unwrap();
    assert!(ids(&fixed.before).contains(&"exec-bit-missing"));
    assert!(!ids(&fixed.after).contains(&"exec-bit-missing"));
    assert!(ids(&fixed.after).contains(&"binary-wrong-arch"), "{:?}", ids(&fixed.after));
    assert_eq!(fixed.fixed_ids(), ["exec-bit-missing"]);
}

#[test]
fn unreadable_packages_are_refused_with_a_reason() {
    let err = repair(b"not a zip at all", "x.zip", &request("aliyun-fc")).unwrap_err();
    assert!(matches!(err, RepairError::Unreadable(_)), "{err:?}");
    assert!(!err.to_string().is_empty());
}

#[test]
fn windows_separators_are_turned_into_slashes_and_the_folder_then_unwrapped() {
    // PowerShell 5.1's Compress-Archive: host 0 and "build\\bootstrap".
    let zip = ZipBuilder::new().dos_file("build\\bootstrap", b"#!/bin/sh\necho hi\n").finish();
    let fixed = repair(&zip, "ps51.zip", &request("aliyun-fc")).unwrap();
    assert!(ids(&fixed.before).contains(&"unsafe-path"), "{:?}", ids(&fixed.before));
    let described: Vec<String> = fixed.actions.iter().map(RepairAction::describe).collect();
    assert!(described.iter().any(|d| d == "build\\bootstrap → build/bootstrap: Windows separators"), "{described:?}");
    assert!(described.iter().any(|d| d.contains("wrapper folder build/")), "{described:?}");
    assert_eq!(listing(&fixed.bytes).iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["bootstrap"]);
    assert!(
        fixed.after.findings.iter().all(|f| f.severity != crate::checks::Severity::Error),
        "{:?}",
        ids(&fixed.after)
    );
    assert!(fixed.fixed_ids().contains(&"unsafe-path"));
}

#[test]
fn only_what_the_repair_addresses_is_claimed_as_fixed() {
    // A Unix-host name with a backslash is a legal file name: not ours to rename.
    let zip = ZipBuilder::new()
        .unix_file("bootstrap", 0o755, b"#!/bin/sh\necho\n")
        .unix_file("odd\\name.txt", 0o644, b"x")
        .finish();
    let fixed = repair(&zip, "u.zip", &request("aliyun-fc")).unwrap();
    assert!(fixed.actions.is_empty(), "{:?}", fixed.actions);
    assert!(fixed.fixed_ids().is_empty());
}

fn names(bytes: &[u8]) -> Vec<String> {
    listing(bytes).into_iter().map(|e| e.0).collect()
}

fn left_out(fixed: &Repaired) -> Vec<&str> {
    fixed
        .actions
        .iter()
        .filter_map(|a| match a {
            RepairAction::LeftOut { path, .. } => Some(path.as_str()),
            _ => None,
        })
        .collect()
}

#[test]
fn names_that_climb_out_or_are_absolute_are_never_written() {
    let zip = ZipBuilder::new()
        .unix_file("bootstrap", 0o755, b"#!/bin/sh\necho\n")
        .unix_file("../../etc/passwd", 0o644, b"root::0:0::/:/bin/sh\n")
        .unix_file("/abs", 0o644, b"x")
        .unix_file("//server/share/x", 0o644, b"x")
        .unix_file("C:/Windows/x", 0o644, b"x")
        .dos_file("lib\\..\\..\\up", b"x")
        .finish();
    let fixed = repair(&zip, "evil.zip", &request("aliyun-fc")).unwrap();
    assert_eq!(names(&fixed.bytes), ["bootstrap"]);
    assert_eq!(left_out(&fixed), ["../../etc/passwd", "/abs", "//server/share/x", "C:/Windows/x", "lib\\..\\..\\up"]);
    assert!(fixed.actions.iter().map(RepairAction::describe).all(|d| d.contains("left out") || d.contains("mode")));
}

#[test]
fn a_rewrite_never_makes_an_unsafe_name() {
    // Unwrapping "myfunc/" would turn "myfunc//abs" into "/abs"; Windows separators would turn
    // "\\\\server\\share\\x" into "//server/share/x".
    let zip = ZipBuilder::new()
        .dos_file("myfunc\\bootstrap", b"#!/bin/sh\necho\n")
        .dos_file("myfunc\\\\abs", b"x")
        .dos_file("\\\\server\\share\\x", b"x")
        .finish();
    let fixed = repair(&zip, "rewrite.zip", &request("aliyun-fc")).unwrap();
    for name in names(&fixed.bytes) {
        assert!(crate::checks::unsafe_reason(&name, true).is_none(), "wrote {name:?}");
    }
    assert!(left_out(&fixed).contains(&"//server/share/x"), "{:?}", fixed.actions);

    let nested =
        ZipBuilder::new().dos_file("myfunc\\bootstrap", b"#!/bin/sh\necho\n").dos_file("myfunc\\\\abs", b"x").finish();
    let fixed = repair(&nested, "nested.zip", &request("aliyun-fc")).unwrap();
    assert_eq!(names(&fixed.bytes), ["bootstrap"]);
    assert_eq!(left_out(&fixed), ["/abs"], "{:?}", fixed.actions);
}

#[test]
fn two_entries_that_become_one_name_keep_the_first() {
    let zip = ZipBuilder::new()
        .dos_file("bootstrap", b"#!/bin/sh\necho first\n")
        .dos_file("lib/a.sh", b"one")
        .dos_file("lib\\a.sh", b"two")
        .finish();
    let fixed = repair(&zip, "dup.zip", &request("aliyun-fc")).unwrap();
    assert_eq!(names(&fixed.bytes), ["bootstrap", "lib/a.sh"]);
    assert_eq!(left_out(&fixed), ["lib/a.sh"]);
}

/// A zip whose second central record points at the first entry's bytes (an overlap bomb's trick).
fn overlapping_zip() -> Vec<u8> {
    let mut zip =
        ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\necho\n").dos_file("other", b"#!/bin/sh\necho\n").finish();
    let central = zip.windows(4).rposition(|w| w == [0x50, 0x4b, 0x01, 0x02]).unwrap();
    zip[central + 42..central + 46].copy_from_slice(&0u32.to_le_bytes());
    zip
}

#[test]
fn entries_that_share_bytes_are_refused() {
    let err = repair(&overlapping_zip(), "bomb.zip", &request("aliyun-fc")).unwrap_err();
    assert!(matches!(err, RepairError::Refused(_)), "{err:?}");
    assert!(err.to_string().contains("share bytes"), "{err}");
}

#[test]
fn ordinary_entries_do_not_count_as_overlapping() {
    let zip = ZipBuilder::new()
        .dos_file("bootstrap", b"#!/bin/sh\necho\n")
        .deflated_file("app.py", 0o644, "print(1)\n".repeat(100).as_bytes())
        .unix_dir("lib/", 0o755)
        .finish();
    assert!(repair(&zip, "ok.zip", &request("aliyun-fc")).is_ok());
}

/// Counts the bytes read through it.
struct Counting<'a> {
    inner: Cursor<&'a [u8]>,
    read: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

impl std::io::Seek for Counting<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

impl PackageRead for Counting<'_> {}

#[test]
fn a_repair_reads_headers_and_scripts_and_copies_the_rest_unread() {
    let blob: Vec<u8> = (0..8_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let zip = ZipBuilder::new()
        .dos_file("bootstrap", b"#!/bin/bash\r\nexec ./server\r\n")
        .unix_file("assets/model.dat", 0o644, &blob)
        .unix_file("server", 0o644, &elf(None, &[], None, &[], 2))
        .finish();
    let mut reader = Counting { inner: Cursor::new(&zip), read: 0 };
    let repaired = super::repair(&mut reader, "big.zip", &request("aliyun-fc")).unwrap();
    // Diagnosed before and after, and rewritten: a few sniffs each, never the 8 MB blob.
    assert!(reader.read < 1_000_000, "{} bytes read", reader.read);
    assert!(repaired.zip.new_bytes() < 4096, "{} new bytes", repaired.zip.new_bytes());
    assert!(repaired.zip.len() > 8_000_000);
    let bytes = repaired.zip.to_vec(&zip).unwrap();
    let after = listing(&bytes);
    assert_eq!(after.iter().find(|e| e.0 == "assets/model.dat").unwrap().2, blob, "copied as stored");
    assert!(repaired.fixed_ids().contains(&"crlf-shebang"), "{:?}", repaired.fixed_ids());
}
