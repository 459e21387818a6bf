//! Any text as a pasted error: decoding and redaction never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = bootdoctor_core::decode::decode(&text, None);
    let _ = bootdoctor_core::share::redact(&text);
});
