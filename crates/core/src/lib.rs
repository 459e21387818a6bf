//! Bootdoctor's engine: why a serverless function will not start.
//!
//! - [`archive`] lists a zip's central directory and sniffs entries, through `Read + Seek`.
//! - [`sniff`] classifies a file from its first bytes (ELF, Mach-O, PE, script, text); [`elf`] reads
//!   what a dynamic ELF needs at load time (interpreter, libraries, symbol versions).
//! - [`profiles`] and [`causes`] are the knowledge: platforms and failure causes, as data with sources.
//! - [`entry`] resolves which files a platform runs; [`checks`] turns all that into findings.
//! - [`decode`] turns a pasted platform error into ranked hypotheses.
//! - [`report`] joins package and error into one diagnosis, the shape the CLI and the page render;
//!   [`verdict`] says its answer in one sentence with one action.
//!
//! No web dependencies: everything here runs under plain `cargo test`.

pub mod archive;
pub mod cause_list;
pub mod causes;
pub mod checks;
pub mod decode;
pub mod elf;
pub mod entry;
pub mod export;
pub mod knowledge;
/// Every cause id as a constant (`ids::EXEC_BIT_MISSING`), generated from the cause files.
pub use knowledge::ids;
pub mod profiles;
pub mod repair;
pub mod report;
pub mod share;
pub mod shell;
pub mod sniff;
pub mod statics;
pub mod synth;
pub mod verdict;
