//! Decoding any text as a share link's fragment, and rendering what decodes.
#![no_main]

use bootdoctor_core::share::decode_link;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fragment = String::from_utf8_lossy(data);
    if let Ok(shared) = decode_link(&fragment) {
        let _ = shared.to_report();
    }
});
