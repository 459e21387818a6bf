//! Decoding any text as a pasted error, with and without a platform, and redacting it for a link.
#![no_main]

use bootdoctor_core::decode::decode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode(&text, None);
    let _ = decode(&text, Some("tencent"));
    let _ = bootdoctor_core::share::redact(&text);
});
