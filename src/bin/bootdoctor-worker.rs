//! The Web Worker that runs Bootdoctor's engine off the page's main thread (see `worker.rs`).

fn main() {
    bootdoctor_web::worker::start();
}
