//! Times `decode` in-process on one paste file, for `bench/decode`: the first call (which also
//! builds the matching automata, once per process) and the median of five warm calls.
//! Usage: `cargo run --release -p bootdoctor-core --example decode_timing -- FILE`.

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: decode_timing FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            eprintln!("decode_timing: {path}: {e}");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    let first = bootdoctor_core::decode::decode(&text, None);
    let cold = start.elapsed();
    let mut warm: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let _ = bootdoctor_core::decode::decode(&text, None);
            start.elapsed().as_secs_f64()
        })
        .collect();
    warm.sort_by(f64::total_cmp);
    let top = first.hypotheses.first().map_or("none", |h| h.cause);
    println!("{:.4} {:.4} {top}", cold.as_secs_f64(), warm[2]);
}
