//! Repairing any bytes as a package: a repaired zip with no unsafe name, or a refusal.
#![no_main]

use bootdoctor_core::report::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let request = Request { platform: Some("aliyun-fc".into()), ..Request::default() };
    if let Ok((_, bytes)) = bootdoctor_core::repair::repair_in_memory(data, "f.zip", &request) {
        if let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
            for i in 0..archive.len() {
                let name = archive.by_index_raw(i).map(|f| String::from_utf8_lossy(f.name_raw()).into_owned());
                if let Ok(name) = name {
                    assert!(!name.starts_with('/') && !name.split(['/', '\\']).any(|c| c == ".."), "{name:?}");
                }
            }
        }
    }
});
