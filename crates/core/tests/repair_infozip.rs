//! The repaired package as Info-ZIP sees it: `zipinfo` shows Unix hosts and the new modes,
//! `unzip -t` finds every entry intact, `unzip -p` gives LF text. Skips when Info-ZIP is missing.

use std::process::Command;

use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::repair::repair_in_memory;
use bootdoctor_core::report::Request;
use bootdoctor_core::synth::ZipBuilder;

fn have(tool: &str) -> bool {
    Command::new(tool).arg("-h").output().is_ok()
}

#[test]
fn info_zip_agrees_with_the_repair() {
    if !have("zipinfo") || !have("unzip") {
        eprintln!("SKIPPED: Info-ZIP (zipinfo, unzip) not installed");
        return;
    }
    let zip = ZipBuilder::new()
        .dos_file("myfunc/bootstrap", b"#!/bin/bash\r\nexec ./server\r\n")
        .dos_file("myfunc/server", &{
            let mut elf = vec![0u8; 64];
            elf[..4].copy_from_slice(b"\x7fELF");
            elf[4] = 2;
            elf[5] = 1;
            elf[6] = 1;
            elf[16] = 2; // ET_EXEC
            elf[18] = 62; // x86_64
            elf
        })
        .dos_file("myfunc/static/index.html", b"<h1>hi</h1>\n")
        .dos_file("__MACOSX/myfunc/._server", b"\x00\x05\x16\x07")
        .finish();
    let request = Request { platform: Some("aliyun-fc".into()), start: StartSpec::default(), error_text: None };
    let (_, fixed_bytes) = repair_in_memory(&zip, "function.zip", &request).expect("repairs");
    let dir = std::env::temp_dir().join(format!("bootdoctor-repair-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("fixed.zip");
    std::fs::write(&out, &fixed_bytes).unwrap();

    let listing = Command::new("zipinfo").arg(&out).output().unwrap();
    let text = String::from_utf8_lossy(&listing.stdout);
    let line = |name: &str| {
        text.lines()
            .find(|l| l.ends_with(&format!(" {name}")))
            .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
            .to_string()
    };
    assert!(line("bootstrap").starts_with("-rwxr-xr-x") && line("bootstrap").contains(" unx "), "{text}");
    assert!(line("server").starts_with("-rwxr-xr-x"), "{text}");
    assert!(
        line("static/index.html").starts_with("-rw-r--r--") && line("static/index.html").contains(" unx "),
        "{text}"
    );
    assert!(!text.contains("__MACOSX") && !text.contains("myfunc/"), "{text}");

    let test = Command::new("unzip").arg("-t").arg(&out).output().unwrap();
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stdout));
    assert!(String::from_utf8_lossy(&test.stdout).contains("No errors detected"));
    let script = Command::new("unzip").arg("-p").arg(&out).arg("bootstrap").output().unwrap();
    assert_eq!(script.stdout, b"#!/bin/bash\nexec ./server\n");
    let page = Command::new("unzip").arg("-p").arg(&out).arg("static/index.html").output().unwrap();
    assert_eq!(page.stdout, b"<h1>hi</h1>\n");
    let _ = std::fs::remove_dir_all(&dir);
}
