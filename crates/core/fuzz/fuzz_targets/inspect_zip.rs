//! Opening and inspecting any bytes as a package, on a custom runtime and a managed-style one:
//! a report or a package error, never a panic.
#![no_main]

use bootdoctor_core::report::{diagnose, Request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for platform in ["aliyun-fc", "aws-lambda-al2023"] {
        let request = Request { platform: Some(platform.into()), ..Request::default() };
        let _ = diagnose(Some(("f.zip", std::io::Cursor::new(data))), &request);
    }
});
