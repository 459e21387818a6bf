//! Any text as a share link: `decode_link` returns a state or an error, never panics, and a state
//! always renders into a report.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(state) = bootdoctor_core::share::decode_link(&text) {
        let _ = state.to_report();
    }
    // The same bytes as the payload of a well-formed link reach the inflater and the deserialiser.
    let link = format!("/r/1.{}", base64_url(data));
    if let Ok(state) = bootdoctor_core::share::decode_link(&link) {
        let _ = state.to_report();
    }
});

fn base64_url(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
