//! Reading the load-time needs of any bytes as an ELF, and checking the output stays bounded.
#![no_main]

use bootdoctor_core::elf::{read_needs, MAX_LIBRARIES, MAX_NAME_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(needs) = read_needs(|n| Ok(data[..n.min(data.len())].to_vec())) {
        assert!(needs.needed.len() <= MAX_LIBRARIES);
        assert!(needs.needed.iter().all(|n| n.len() <= 3 * MAX_NAME_BYTES));
    }
});
