//! Any text as a start script: reading it as the shell would never panics, and what it yields
//! stays within the shell reader's caps whatever the script does to its variables.
#![no_main]

use bootdoctor_core::shell::{steps, ScriptContext, MAX_LINE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let ctx = ScriptContext { code_dir: "/code", script: "app/start.sh", cwd: Some("/code") };
    for step in steps(&ctx, &text) {
        assert!(step.command.len() <= MAX_LINE + 1, "a command of {} bytes", step.command.len());
    }
});
