//! The hostile tier: inputs built to hurt — bombs, lies in the zip's records, amplifying ELF
//! structures, script fan-out, 200,000 entries, names that escape or drive a terminal, huge and odd
//! pastes — run through the CLI with a memory and time budget each. Every case must end with a
//! report or one plain sentence (exit 0, 1 or 2), never a signal or a panic, and print no control
//! character from its input. The figures (time, peak memory) are printed for every case; the
//! budgets are limits against runaway costs, far above what a case should take.

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bootdoctor_core::synth::{deflate_of_zeros, elf, ZipBuilder};

/// Peak resident memory any case may reach.
const MEMORY_BUDGET_KIB: i64 = 256 << 10;
/// Longest any case may run: a hang detector, not a benchmark (the target is 2 s; see the figures).
const TIME_BUDGET: Duration = Duration::from_secs(20);

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("bootdoctor-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// What a run cost and said.
struct Run {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
    elapsed: Duration,
    max_rss_kib: i64,
}

/// Runs the CLI with `args` (stdin from `stdin` when given) and measures it with `wait4`.
fn run(args: &[&str], stdin: Option<&Path>) -> Run {
    let out_path = dir().join(format!("out-{}", std::process::id()));
    let err_path = dir().join(format!("err-{}", std::process::id()));
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_bootdoctor"));
    // A hook forces fork + exec instead of vfork: a vfork child's peak memory starts from its
    // parent's peak, a forked one's from the parent's current size (small: inputs are on disk).
    // SAFETY: the hook does nothing, so it is async-signal-safe.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(|| Ok(()));
    }
    let mut child = command
        .args(args)
        .stdin(stdin.map_or_else(Stdio::null, |p| Stdio::from(std::fs::File::open(p).unwrap())))
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, zeroed is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // The child is killed if it outlives the budget (a watchdog thread), so wait4 returns.
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(TIME_BUDGET + Duration::from_secs(5));
        // SAFETY: signalling a pid we spawned; harmless if it has exited (the test then failed).
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    // SAFETY: waiting on our own child pid with valid pointers.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let elapsed = started.elapsed();
    drop(watchdog);
    let _ = child.try_wait();
    Run {
        status: std::process::ExitStatus::from_raw(status),
        stdout: std::fs::read(&out_path).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned(),
        elapsed,
        max_rss_kib: usage.ru_maxrss,
    }
}

/// Checks one run against the tier's rules and prints its figures.
fn judge(case: &str, args: &[&str], r: &Run) {
    println!(
        "{case:<28} {:<32} exit {:>4}  {:>7.0} ms  {:>6} MiB peak  {:>9} bytes out",
        args.iter().take(2).copied().collect::<Vec<_>>().join(" "),
        r.status.code().map_or_else(|| format!("sig{}", r.status.signal().unwrap_or(0)), |c| c.to_string()),
        r.elapsed.as_secs_f64() * 1000.0,
        r.max_rss_kib >> 10,
        r.stdout.len()
    );
    let code = r.status.code();
    assert!(matches!(code, Some(0..=2)), "{case}: ended with {:?}: {}", r.status, r.stderr);
    assert!(!r.stderr.contains("panicked"), "{case}: {}", r.stderr);
    assert!(r.max_rss_kib <= MEMORY_BUDGET_KIB, "{case}: {} MiB", r.max_rss_kib >> 10);
    assert!(r.elapsed <= TIME_BUDGET, "{case}: {:?}", r.elapsed);
    if code == Some(2) {
        let message = r.stderr.trim();
        assert!(message.starts_with("bootdoctor: ") && message.lines().count() == 1, "{case}: {message:?}");
        assert!(!message.contains("ZipCentralEntryBlock") && !message.contains("Error {"), "{case}: {message}");
    }
    let text = String::from_utf8_lossy(&r.stdout);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{case}: control characters reached the output");
    // JSON is for programs and keeps a string's characters; text and Markdown show bidi controls.
    let json = args.windows(2).any(|w| w == ["--format", "json"]);
    assert!(json || !text.contains('\u{202e}'), "{case}: a bidi control reached the output");
    assert!(r.stdout.len() < 16 << 20, "{case}: {} bytes of output", r.stdout.len());
}

/// A small dynamically linked x86_64 executable's bytes.
fn small_elf() -> Vec<u8> {
    elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.17"])], 2)
}

/// A zip whose central directory lists `copies` more entries pointing at the first entry's bytes.
fn with_overlapping_copies(zip: Vec<u8>, copies: usize) -> Vec<u8> {
    let end = zip.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let cd_size = u32::from_le_bytes(zip[end + 12..end + 16].try_into().unwrap()) as usize;
    let cd_offset = u32::from_le_bytes(zip[end + 16..end + 20].try_into().unwrap()) as usize;
    let first = zip[cd_offset..cd_offset + cd_size].to_vec();
    let mut out = zip[..cd_offset + cd_size].to_vec();
    for i in 0..copies {
        let name = format!("copy{i:05}");
        let mut record = first[..46].to_vec();
        record[28..30].copy_from_slice(&(name.len() as u16).to_le_bytes());
        record.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&record);
    }
    let new_cd_size = out.len() - cd_offset;
    let count = (1 + copies) as u16;
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(new_cd_size as u32).to_le_bytes());
    out.extend_from_slice(&(cd_offset as u32).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// Cases written to disk as they are built, so at most one input is in memory at a time.
#[derive(Default)]
struct Cases(Vec<(&'static str, PathBuf)>);

impl Cases {
    fn push(&mut self, (case, bytes): (&'static str, Vec<u8>)) {
        let path = dir().join(case.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
        std::fs::write(&path, bytes).unwrap();
        self.0.push((case, path));
    }
}

/// The runs of one test at a time: a forked child's peak memory starts from this process's size,
/// which another test's inputs would swell.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The hostile zips, by name, on disk.
fn zips() -> Vec<(&'static str, PathBuf)> {
    let script = b"#!/bin/sh\nexec ./server\n";
    let mut cases = Cases::default();
    cases.push((
        "deflate bomb 1 GiB",
        ZipBuilder::new()
            .precompressed("bootstrap", 0o755, deflate_of_zeros(b"#!/bin/sh\n", 1 << 30), (1 << 30) + 10, 0)
            .finish(),
    ));
    cases.push((
        "4 KB claiming 4 GiB",
        ZipBuilder::new()
            .unix_file("bootstrap", 0o755, script)
            .precompressed("server", 0o755, deflate_of_zeros(&small_elf(), 100), u64::from(u32::MAX), 0)
            .finish(),
    ));
    let bomb = ZipBuilder::new()
        .precompressed("bootstrap", 0o755, deflate_of_zeros(b"#!/bin/sh\n", 64 << 20), (64 << 20) + 10, 0)
        .finish();
    cases.push(("overlapping entries x2000", with_overlapping_copies(bomb, 2000)));
    let long = "x".repeat(4 << 20);
    let needed: Vec<&str> = std::iter::repeat_n(long.as_str(), 3000).collect();
    cases.push((
        "DT_NEEDED amplification",
        ZipBuilder::new()
            .precompressed(
                "bootstrap",
                0o755,
                compress(&elf(Some("/lib64/ld-linux-x86-64.so.2"), &needed, None, &[], 2)),
                0,
                0,
            )
            .finish(),
    ));
    let versions: Vec<&str> = std::iter::repeat_n(long.as_str(), 256).collect();
    let libraries: Vec<(&str, &[&str])> = (0..256).map(|_| (long.as_str(), versions.as_slice())).collect();
    cases.push((
        "verneed 256x256",
        ZipBuilder::new()
            .precompressed(
                "bootstrap",
                0o755,
                compress(&elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &libraries, 2)),
                0,
                0,
            )
            .finish(),
    ));
    let mut fan_out = String::from("#!/bin/sh\n");
    let mut builder = ZipBuilder::new();
    for i in 0..31 {
        fan_out.push_str(&format!("./bin{i} &\n"));
        builder = builder.precompressed(
            &format!("bin{i}"),
            0o755,
            deflate_of_zeros(&small_elf(), 100 << 20),
            (100 << 20) + 1000,
            0,
        );
    }
    cases.push(("script runs 31 ELFs of 100 MiB", builder.unix_file("bootstrap", 0o755, fan_out.as_bytes()).finish()));
    let mut many = ZipBuilder::new().unix_file("bootstrap", 0o755, script);
    // 200,000 entries in all: the most a package may list (`Limits::max_entries`), reported on.
    for i in 0..199_999 {
        many = many.unix_file(&format!("node_modules/p{}/f{i}.js", i % 997), 0o644, b"");
    }
    cases.push(("200,000 entries", many.finish()));
    cases.push((
        "names that escape or drive a terminal",
        ZipBuilder::new()
            .unix_file("bootstrap", 0o755, script)
            .unix_file("../../etc/passwd", 0o644, b"x")
            .unix_file("/abs", 0o644, b"x")
            .dos_file("C:\\Windows\\x", b"x")
            .dos_file("\\\\server\\share\\x", b"x")
            .raw_entry(b"nul\0byte", b"x", 3, 0o100644 << 16, 0, 0)
            .unix_file("\x1b[31mred\x1b]0;title\x07", 0o644, b"x")
            .unix_file("evil\u{202e}txt.exe", 0o644, b"x")
            .unix_file("<script>alert(1)</script>", 0o644, b"x")
            .finish(),
    ));
    let good =
        ZipBuilder::new().unix_file("bootstrap", 0o755, script).unix_file("server", 0o755, &small_elf()).finish();
    cases.push(("truncated in half", good[..good.len() / 2].to_vec()));
    let mut lying = good.clone();
    let end = lying.len() - 22;
    lying[end + 10..end + 12].copy_from_slice(&u16::MAX.to_le_bytes());
    lying[end + 16..end + 20].copy_from_slice(&u32::MAX.to_le_bytes());
    cases.push(("end record lies", lying));
    let mut noise = Vec::with_capacity(2 << 20);
    let mut x = 0x2545_f491_4f6c_dd1du64;
    while noise.len() < 2 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    cases.push(("2 MiB of noise", noise));
    cases.0
}

fn compress(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn hostile_packages_get_a_report_or_a_sentence_within_budget() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (case, path) in zips() {
        let zip = path.to_str().unwrap();
        let output = dir().join("fixed.zip");
        let fixed = output.to_str().unwrap();
        for args in [
            vec!["check", zip, "--platform", "aws-lambda-al2023", "--format", "json"],
            vec!["check", zip, "--platform", "aliyun-fc"],
            vec!["check", zip, "--format", "markdown"],
            vec!["fix", zip, "-o", fixed, "--platform", "aliyun-fc"],
        ] {
            let r = run(&args, None);
            judge(case, &args, &r);
            if args[0] == "fix" && r.status.code() != Some(2) {
                assert_fixed_zip_is_safe(case, &output);
            }
        }
        let _ = std::fs::remove_file(&path);
    }
}

/// A repaired zip holds no name that leaves the package, and no more bytes than a bound.
fn assert_fixed_zip_is_safe(case: &str, output: &Path) {
    let Ok(file) = std::fs::File::open(output) else { return };
    let Ok(mut archive) = zip::ZipArchive::new(file) else { panic!("{case}: fix wrote an unreadable zip") };
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).unwrap();
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        assert!(
            !name.starts_with('/') && !name.split(['/', '\\']).any(|c| c == "..") && !name.contains(':'),
            "{case}: fix wrote {name:?}"
        );
    }
    let _ = std::fs::remove_file(output);
}

/// The hostile pastes, by name, on disk.
fn pastes() -> Vec<(&'static str, PathBuf)> {
    let line = "2024-05-01T10:00:00Z INFO request handled in 12 ms, nothing to see here\n";
    let mut ten = line.repeat((10 << 20) / line.len()).into_bytes();
    ten.extend_from_slice(b"Function instance exited unexpectedly(code 13, message:permission denied)\n");
    let mut cases = Cases::default();
    for case in [
        ("10 MiB log", ten),
        ("1 MiB of CR-only line ends", "error\r".repeat((1 << 20) / 6).into_bytes()),
        ("1,000,000 lines", "x\n".repeat(1_000_000).into_bytes()),
        ("20 MiB on one line", "a".repeat(20 << 20).into_bytes()),
        (
            "NUL, ANSI and bad UTF-8",
            b"\x1b[2J\x1b]0;owned\x07exec format error\0\xff\xfe\r\x1b[1A\xe2\x80\xaeGLIBC_2.34 not found".to_vec(),
        ),
    ] {
        cases.push(case);
    }
    cases.0
}

#[test]
fn hostile_pastes_get_a_report_or_a_sentence_within_budget() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (case, path) in pastes() {
        for args in [
            vec!["explain", "-", "--format", "json"],
            vec!["explain", "-"],
            vec!["explain", "-", "--format", "markdown"],
        ] {
            let r = run(&args, Some(&path));
            judge(case, &args, &r);
        }
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn the_memory_figure_is_the_child_s_own() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    // A run that allocates next to nothing must report next to nothing, or the figures above mean
    // nothing (a child's peak starts from its parent's when the parent is large).
    let r = run(&["platforms"], None);
    assert!(r.max_rss_kib < 64 << 10, "{} MiB for `platforms`", r.max_rss_kib >> 10);
}
