//! The parts of the page shared by its two WebAssembly programs: the page itself (`main.rs`) and
//! the Web Worker that runs the engine (`bin/bootdoctor-worker.rs`).

pub mod blob_reader;
pub mod protocol;
pub mod worker;
