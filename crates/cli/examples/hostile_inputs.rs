//! Writes the hostile inputs of the CLI's hostile tier into a directory and lists them, one per
//! line as `zip|paste <TAB> case <TAB> path`, for the browser tests and benchmarks that drop them
//! into the page. Usage: cargo run -p bootdoctor-cli --example hostile_inputs -- DIR

#[path = "../tests/hostile_cases/mod.rs"]
mod hostile_cases;

fn main() {
    let Some(dir) = std::env::args_os().nth(1).map(std::path::PathBuf::from) else {
        eprintln!("usage: hostile_inputs DIR");
        std::process::exit(2);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(2);
    }
    for (kind, cases) in [("zip", hostile_cases::zips(&dir)), ("paste", hostile_cases::pastes(&dir))] {
        for (case, path) in cases {
            println!("{kind}\t{case}\t{}", path.display());
        }
    }
}
