//! The hostile tier: inputs built to hurt — bombs, lies in the zip's records, amplifying ELF
//! structures, script fan-out, 200,000 entries, names that escape or drive a terminal, huge and odd
//! pastes — run through the CLI with a memory and time budget each. Every case must end with a
//! report or one plain sentence (exit 0, 1 or 2), never a signal or a panic, and print no control
//! character from its input. The figures (time, peak memory) are printed for every case; the
//! budgets are limits against runaway costs, far above what a case should take.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod hostile_cases;

use hostile_cases::{pastes, zips};

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
    // A forked child's peak starts from the parent's resident size: hand the heap freed by the
    // cases built before (200,000-entry zips, 10 MiB pastes) back to the system first, whichever
    // test ran earlier in this process.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free heap pages; no pointer is touched.
    unsafe {
        libc::malloc_trim(0);
    }
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

/// The runs of one test at a time: a forked child's peak memory starts from this process's size,
/// which another test's inputs would swell.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn hostile_packages_get_a_report_or_a_sentence_within_budget() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (case, path) in zips(&dir()) {
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

#[test]
fn hostile_pastes_get_a_report_or_a_sentence_within_budget() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for (case, path) in pastes(&dir()) {
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
    let parent = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_string))
        .unwrap_or_default();
    assert!(r.max_rss_kib < 64 << 10, "{} MiB for `platforms` (this test process: {parent})", r.max_rss_kib >> 10);
}

#[test]
fn the_sparse_package_is_a_valid_zip() {
    // Checked at 10 MB, read whole (CRC included) by another reader; the tier uses 2.5 GB.
    let path = dir().join("sparse-check.zip");
    hostile_cases::write_sparse_package(&path, 10_000_000, hostile_cases::SPARSE_SCRIPT).unwrap();
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut data = archive.by_name("data.bin").unwrap();
    let copied = std::io::copy(&mut data, &mut std::io::sink()).unwrap();
    assert!(copied > 9_000_000 && copied < 10_000_000, "{copied}");
    drop(data);
    assert!(std::fs::metadata(&path).unwrap().len().abs_diff(10_000_000) < 256);
    let _ = std::fs::remove_file(&path);
}
