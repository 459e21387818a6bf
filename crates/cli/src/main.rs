//! `bootdoctor`: the engine on the command line.
//!
//! `check` inspects a package (optionally with the error the platform printed); `explain` decodes an
//! error alone; `fix` writes a repaired package and diagnoses it again. Exit status: 0 no error
//! finding, 1 an error finding (after repair, for `fix`), 2 unusable input.

mod render;

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::export::{self, share_url};
use bootdoctor_core::profiles::PROFILES;
use bootdoctor_core::repair::repair;
use bootdoctor_core::report::{diagnose, Report, Request};
use bootdoctor_core::share::make_link;
use clap::{Parser, Subcommand, ValueEnum};

/// Why your serverless function will not start, and how to fix it.
#[derive(Parser)]
#[command(name = "bootdoctor", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// For people, in a terminal.
    Text,
    /// The report as JSON (the schema the page downloads too).
    Json,
    /// For an issue or a support ticket.
    Markdown,
    /// SARIF 2.1.0, for code scanning in CI (package findings only).
    Sarif,
}

/// How the function is configured, shared by `check` and `fix`.
#[derive(clap::Args)]
struct FunctionArgs {
    /// Platform profile id (see `bootdoctor platforms`); detected from --error or defaulted otherwise.
    #[arg(long)]
    platform: Option<String>,
    /// The start command configured on the platform (e.g. "python3 app.py").
    #[arg(long)]
    start_command: Option<String>,
    /// The handler of an event function (e.g. index.main_handler).
    #[arg(long)]
    handler: Option<String>,
}

impl FunctionArgs {
    /// The request for the engine (a start command wins over a handler).
    fn request(self, error_text: Option<String>) -> Request {
        let start = match (self.start_command, self.handler) {
            (Some(c), _) => StartSpec { start_command: Some(c), handler: None },
            (None, Some(h)) => StartSpec { start_command: None, handler: Some(h) },
            (None, None) => StartSpec::default(),
        };
        Request { platform: self.platform, start, error_text }
    }
}

/// Options for the share link, shared by `check` and `explain`.
#[derive(clap::Args)]
struct LinkArgs {
    /// Print the share URL of the diagnosis (after text or Markdown; on stderr with json/sarif).
    #[arg(long)]
    link: bool,
    /// Include the error text, redacted, in the share link.
    #[arg(long)]
    share_error: bool,
    /// Where the Bootdoctor page is served, for share links and rule help.
    #[arg(long, env = "BOOTDOCTOR_BASE_URL", default_value = bootdoctor_core::export::DEFAULT_BASE_URL)]
    base_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect a code package (zip) for everything that stops it starting.
    Check {
        /// The zip you deploy.
        package: PathBuf,
        #[command(flatten)]
        function: FunctionArgs,
        /// A file holding the error the platform printed, or - for standard input.
        #[arg(long)]
        error: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Print on stderr what the check cost: time, bytes read from the file, bytes decompressed.
        #[arg(long)]
        stats: bool,
        #[command(flatten)]
        share: LinkArgs,
    },
    /// Decode a start-up error into ranked causes and fixes.
    Explain {
        /// A file holding the error, or - (the default) for standard input.
        file: Option<String>,
        /// Platform profile id, when known.
        #[arg(long)]
        platform: Option<String>,
        /// Output format (sarif has no package to report on and is refused).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        share: LinkArgs,
    },
    /// Repair what can be repaired without guessing (modes, CRLF/BOM in scripts, a wrapper folder,
    /// macOS metadata), write the result, and diagnose it again.
    Fix {
        /// The zip to repair.
        package: PathBuf,
        /// Where to write the repaired zip.
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        function: FunctionArgs,
        /// Output format for the summary (json: actions plus the reports before and after).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// List the platform profiles and their facts.
    Platforms,
}

/// A reader that counts the bytes taken from the file, for `--stats`.
struct CountingReader<R> {
    inner: R,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl<R: io::Seek> io::Seek for CountingReader<R> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

/// Reads a text argument: a path, or `-` for standard input. Bounded to what the decoder reads.
fn read_text(source: &str) -> io::Result<String> {
    let mut bytes = Vec::new();
    let limit = bootdoctor_core::decode::MAX_PASTE_BYTES as u64 + 1;
    if source == "-" {
        io::stdin().take(limit).read_to_end(&mut bytes)?;
    } else {
        File::open(source)?.take(limit).read_to_end(&mut bytes)?;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn unusable(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("bootdoctor: {message}");
    ExitCode::from(2)
}

/// Writes any serialisable value as pretty JSON to stdout, streaming (no intermediate tree).
fn print_json<T: serde::Serialize>(value: &T) {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, value).expect("reports serialise");
    let _ = writeln!(out);
}

/// Prints the report in `format`, then the share link when asked.
fn emit(report: &Report, format: Format, paste: Option<&str>, share: &LinkArgs, artifact: &str, explain: bool) {
    let url = share.link.then(|| {
        let link = make_link(report, paste, share.share_error);
        (share_url(&share.base_url, &link.fragment), link)
    });
    match format {
        Format::Json if explain => print_json(&render::explain_json(report)),
        Format::Json => print_json(report),
        Format::Text if explain => print!("{}", render::explain_text(report)),
        Format::Text => print!("{}", render::check_text(report)),
        Format::Markdown => {
            print!("{}", export::markdown(report, url.as_ref().map(|(u, _)| u.as_str())))
        }
        Format::Sarif => print_json(&export::sarif(report, artifact, &share.base_url)),
    }
    if let Some((url, link)) = url {
        let dropped: Vec<&str> = link.omitted.iter().map(|o| o.describe()).collect();
        let note = if dropped.is_empty() {
            String::new()
        } else {
            format!(" (left out to stay short: {})", dropped.join("; "))
        };
        match format {
            Format::Text => println!("\nShare: {url}{note}"),
            Format::Markdown => {}
            Format::Json | Format::Sarif => eprintln!("share: {url}{note}"),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { package, function, error, format, stats, share } => {
            let started = std::time::Instant::now();
            let error_text = match error.as_deref().map(read_text).transpose() {
                Ok(t) => t,
                Err(e) => return unusable(format!("cannot read the error text: {e}")),
            };
            let file = match File::open(&package) {
                Ok(f) => f,
                Err(e) => return unusable(format!("cannot open {}: {e}", package.display())),
            };
            let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let request = function.request(error_text);
            let read = std::rc::Rc::new(std::cell::Cell::new(0u64));
            let counted = CountingReader { inner: file, read: read.clone() };
            let report = match diagnose(Some((name.as_str(), BufReader::new(counted))), &request) {
                Ok(r) => r,
                Err(e) => return unusable(e),
            };
            if let Some(message) = &report.package_error {
                return unusable(message);
            }
            emit(&report, format, request.error_text.as_deref(), &share, &package.to_string_lossy(), false);
            if stats {
                let summary = report.package.as_ref();
                eprintln!(
                    "stats: {:.1} ms, {} bytes read of {} in the file, {} bytes decompressed from {} files, {} entries",
                    started.elapsed().as_secs_f64() * 1000.0,
                    read.get(),
                    summary.map_or(0, |p| p.size),
                    summary.map_or(0, |p| p.bytes_sniffed),
                    summary.map_or(0, |p| p.files_sniffed),
                    summary.map_or(0, |p| p.entries),
                );
            }
            if report.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Explain { file, platform, format, share } => {
            if format == Format::Sarif {
                return unusable("SARIF reports package findings: use it with `check`");
            }
            let text = match read_text(file.as_deref().unwrap_or("-")) {
                Ok(t) => t,
                Err(e) => return unusable(format!("cannot read the error text: {e}")),
            };
            if text.trim().is_empty() {
                return unusable("the error text is empty: paste what the platform printed");
            }
            let request = Request { platform, start: StartSpec::default(), error_text: Some(text) };
            let report: Report = match diagnose::<io::Cursor<Vec<u8>>>(None, &request) {
                Ok(r) => r,
                Err(e) => return unusable(e),
            };
            emit(&report, format, request.error_text.as_deref(), &share, "", true);
            ExitCode::SUCCESS
        }
        Command::Fix { package, output, function, format } => {
            if output == package
                || std::fs::canonicalize(&output).ok().is_some_and(|o| std::fs::canonicalize(&package).ok() == Some(o))
            {
                return unusable("the output must be a different file from the package");
            }
            let bytes = match std::fs::read(&package) {
                Ok(b) => b,
                Err(e) => return unusable(format!("cannot read {}: {e}", package.display())),
            };
            let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let request = function.request(None);
            let fixed = match repair(&bytes, &name, &request) {
                Ok(f) => f,
                Err(e) => return unusable(e),
            };
            if let Err(e) = std::fs::write(&output, &fixed.bytes) {
                return unusable(format!("cannot write {}: {e}", output.display()));
            }
            match format {
                Format::Json => print_json(&fixed),
                _ => print!("{}", render::fix_text(&fixed, &output.to_string_lossy())),
            }
            if fixed.after.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::Platforms => {
            for p in PROFILES {
                println!(
                    "{:<26} {}\n{:<26} {} {}, glibc {}, code in {}, port {}",
                    p.id,
                    p.name,
                    "",
                    p.image,
                    p.arch_label,
                    p.glibc,
                    p.code_dir,
                    p.port.map_or("none (runtime API)".to_string(), |n| n.to_string())
                );
            }
            ExitCode::SUCCESS
        }
    }
}
