//! `bootdoctor`: the engine on the command line.
//!
//! `check` inspects a package (optionally with the error the platform printed); `explain` decodes an
//! error alone; `fix` writes a repaired package and diagnoses it again; `platforms` lists the
//! profiles; `completions` prints a shell's completion script. Exit status: 0 no error
//! finding, 1 an error finding (after repair, for `fix`), 2 unusable input. Everything runs in
//! [`run`]; `main` only turns its outcome into a status. Text and Markdown pass through
//! [`visible_controls`], so names and pastes cannot drive the terminal; a closed stdout (`| head`)
//! ends the program quietly.

mod render;

use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::export::{self, share_url, visible_controls};
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
    /// The handler of a managed runtime or an event function (e.g. lambda_function.lambda_handler,
    /// src/app.handler, index.main_handler); blank means the console's default.
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
    #[command(
        after_help = "Examples:\n  bootdoctor check function.zip --platform aws-lambda-al2023\n  bootdoctor check function.zip --start-command \"python3 app.py\" --error error.txt --format json\n  bootdoctor check function.zip --format sarif > bootdoctor.sarif"
    )]
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
    #[command(
        after_help = "Examples:\n  pbpaste | bootdoctor explain --platform aliyun-fc\n  bootdoctor explain error.txt --format markdown --link"
    )]
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
    #[command(
        after_help = "Examples:\n  bootdoctor fix function.zip -o function-fixed.zip\n  bootdoctor fix function.zip -o fixed.zip --platform tencent-scf --format json"
    )]
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
    #[command(after_help = "Example:\n  bootdoctor platforms | grep lambda")]
    Platforms,
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  bootdoctor completions bash > ~/.local/share/bash-completion/completions/bootdoctor\n  bootdoctor completions zsh > ~/.zfunc/_bootdoctor\n  bootdoctor completions fish > ~/.config/fish/completions/bootdoctor.fish\n  bootdoctor completions powershell >> $PROFILE"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
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

/// Why the CLI stops without a report.
#[derive(Debug)]
enum Stop {
    /// The input cannot be used: one sentence for the user (exit status 2).
    Unusable(String),
    /// Whoever reads stdout closed it (`| head`): stop quietly.
    Closed,
}

fn unusable(message: impl std::fmt::Display) -> Stop {
    Stop::Unusable(visible_controls(&message.to_string()).into_owned())
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            unusable(format!("cannot write the output: {e}"))
        }
    }
}

/// Writes text for people to stdout, with control and bidi characters made visible.
fn print_text(text: &str) -> Result<(), Stop> {
    let mut out = io::stdout().lock();
    out.write_all(visible_controls(text).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes bytes the program made itself (a completion script) to stdout as they are.
fn print_bytes(bytes: &[u8]) -> Result<(), Stop> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(())
}

/// Writes any serialisable value as pretty JSON to stdout, streaming (no intermediate tree).
fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Stop> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(io::Error::from)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// Prints the report in `format`, then the share link when asked.
fn emit(
    report: &Report,
    format: Format,
    paste: Option<&str>,
    share: &LinkArgs,
    artifact: &str,
    explain: bool,
) -> Result<(), Stop> {
    let url = share.link.then(|| {
        let link = make_link(report, paste, share.share_error);
        (share_url(&share.base_url, &link.fragment), link)
    });
    match format {
        Format::Json if explain => print_json(&render::explain_json(report))?,
        Format::Json => print_json(report)?,
        Format::Text if explain => print_text(&render::explain_text(report))?,
        Format::Text => print_text(&render::check_text(report))?,
        Format::Markdown => print_text(&export::markdown(report, url.as_ref().map(|(u, _)| u.as_str())))?,
        Format::Sarif => print_json(&export::sarif(report, artifact, &share.base_url))?,
    }
    if let Some((url, link)) = url {
        let dropped: Vec<&str> = link.omitted.iter().map(|o| o.describe()).collect();
        let note = if dropped.is_empty() {
            String::new()
        } else {
            format!(" (left out to stay short: {})", dropped.join("; "))
        };
        match format {
            Format::Text => print_text(&format!("\nShare: {url}{note}\n"))?,
            Format::Markdown => {}
            Format::Json | Format::Sarif => eprintln!("share: {url}{note}"),
        }
    }
    Ok(())
}

/// Whether two paths name the same file (device and inode on Unix, so hard links count); a path
/// that does not exist names no file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(x), Ok(y)) if x == y)
    }
}

/// Writes `path` through `write` into a temporary file in the same directory and a rename, so a
/// failed write leaves no half file and an existing `path` is replaced, never written through.
fn write_replacing(
    path: &std::path::Path,
    write: impl FnOnce(&mut io::BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.bootdoctor-{}", std::process::id()));
    let written = File::create(&temporary)
        .and_then(|file| {
            let mut out = io::BufWriter::new(file);
            write(&mut out)?;
            out.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(status) => status,
        Err(Stop::Closed) => ExitCode::SUCCESS,
        Err(Stop::Unusable(message)) => {
            eprintln!("bootdoctor: {message}");
            ExitCode::from(2)
        }
    }
}

/// Runs one command: its exit status, or why it stopped.
fn run(cli: Cli) -> Result<ExitCode, Stop> {
    match cli.command {
        Command::Check { package, function, error, format, stats, share } => {
            let started = std::time::Instant::now();
            let error_text = match error.as_deref().map(read_text).transpose() {
                Ok(t) => t,
                Err(e) => return Err(unusable(format!("cannot read the error text: {e}"))),
            };
            let file = match File::open(&package) {
                Ok(f) => f,
                Err(e) => return Err(unusable(format!("cannot open {}: {e}", package.display()))),
            };
            let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let request = function.request(error_text);
            let read = std::rc::Rc::new(std::cell::Cell::new(0u64));
            let counted = CountingReader { inner: file, read: read.clone() };
            let report = match diagnose(Some((name.as_str(), BufReader::new(counted))), &request) {
                Ok(r) => r,
                Err(e) => return Err(unusable(e)),
            };
            if let Some(message) = &report.package_error {
                return Err(unusable(message));
            }
            emit(&report, format, request.error_text.as_deref(), &share, &package.to_string_lossy(), false)?;
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
            Ok(if report.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Explain { file, platform, format, share } => {
            if format == Format::Sarif {
                return Err(unusable("SARIF reports package findings: use it with `check`"));
            }
            let text = match read_text(file.as_deref().unwrap_or("-")) {
                Ok(t) => t,
                Err(e) => return Err(unusable(format!("cannot read the error text: {e}"))),
            };
            if text.trim().is_empty() {
                return Err(unusable("the error text is empty: paste what the platform printed"));
            }
            let request = Request { platform, start: StartSpec::default(), error_text: Some(text) };
            let report: Report = match diagnose::<io::Cursor<Vec<u8>>>(None, &request) {
                Ok(r) => r,
                Err(e) => return Err(unusable(e)),
            };
            emit(&report, format, request.error_text.as_deref(), &share, "", true)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Fix { package, output, function, format } => {
            if matches!(format, Format::Markdown | Format::Sarif) {
                return Err(unusable(
                    "fix reports in text or json; for Markdown or SARIF, run check on the repaired package",
                ));
            }
            if output == package || same_file(&output, &package) {
                return Err(unusable("the output must be a different file from the package"));
            }
            let file = match File::open(&package) {
                Ok(f) => f,
                Err(e) => return Err(unusable(format!("cannot open {}: {e}", package.display()))),
            };
            let mut input = BufReader::new(file);
            let name = package.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let request = function.request(None);
            let fixed = match repair(&mut input, &name, &request) {
                Ok(f) => f,
                Err(e) => return Err(unusable(e)),
            };
            if let Err(e) = write_replacing(&output, |out| fixed.zip.write_to(&mut input, out)) {
                return Err(unusable(format!("cannot write {}: {e}", output.display())));
            }
            match format {
                Format::Json => print_json(&fixed)?,
                // Markdown and SARIF were refused above.
                _ => print_text(&render::fix_text(&fixed, &output.to_string_lossy()))?,
            }
            Ok(if fixed.after.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Platforms => {
            let mut text = String::new();
            for p in PROFILES {
                text.push_str(&format!(
                    "{:<26} {}\n{:<26} {} {}, glibc {}, code in {}, port {}\n",
                    p.id,
                    p.name,
                    "",
                    p.image,
                    p.arch_label,
                    p.glibc,
                    p.code_dir,
                    p.port_rule()
                ));
            }
            print_text(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "bootdoctor", &mut script);
            print_bytes(&script)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
