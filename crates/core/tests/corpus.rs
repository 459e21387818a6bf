//! Corpus tier: real third-party packages and zips from `../shared/corpus`, when it exists.
//!
//! `packages/expected.json` names findings in the research notes' check ids (PERM-01, BIN-04, …);
//! the table below maps each package to this project's ids per platform. Ids that belong to checks
//! not built yet are listed as pending and printed, never silently passed. Skips, with a printed
//! reason, when the corpus is absent (a fresh clone on a developer machine).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use bootdoctor_core::checks::{Severity, CHECK_IDS};
use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::report::{diagnose, Request};

fn corpus_dir() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(dir) = std::env::var("BOOTDOCTOR_CORPUS") {
        candidates.push(PathBuf::from(dir));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    candidates.push(manifest.join("../../../shared/corpus"));
    candidates.push(PathBuf::from("/work/shared/corpus"));
    candidates.into_iter().find(|p| p.join("packages/expected.json").is_file())
}

/// (package, profile, start text, expected error ids (exactly), ids that must also appear at any
/// severity, pending research ids that no check covers yet)
type Case = (&'static str, &'static str, &'static str, &'static [&'static str], &'static [&'static str], &'static str);

const CASES: &[Case] = &[
    ("p03-win-explorer-script.zip", "aws-lambda-al2023", "", &["exec-bit-missing"], &[], ""),
    ("p03-win-explorer-script.zip", "aliyun-fc", "", &["exec-bit-missing"], &[], ""),
    ("p03-win-explorer-script.zip", "tencent-scf-web", "", &["entry-missing"], &[], ""),
    ("p04-compress-archive-backslash.zip", "aliyun-fc", "", &["entry-missing", "unsafe-path"], &[], ""),
    ("p04-compress-archive-backslash.zip", "aws-lambda-al2", "", &["entry-missing", "unsafe-path"], &[], ""),
    ("p05-crlf.zip", "aliyun-fc", "", &["crlf-shebang"], &[], ""),
    ("p05-crlf.zip", "aws-lambda-al2023", "", &["crlf-shebang"], &[], ""),
    ("p06-bom.zip", "aliyun-fc", "", &["bom-before-shebang"], &[], ""),
    ("p06-bom.zip", "tencent-scf", "", &["bom-before-shebang"], &[], ""),
    ("p07-noshebang.zip", "aliyun-fc", "", &["shebang-missing"], &[], ""),
    ("p08-mode000-dotnet.zip", "aliyun-fc", "", &["exec-bit-missing"], &[], ""),
    ("p08-mode000-dotnet.zip", "aws-lambda-al2023", "", &["exec-bit-missing"], &[], ""),
    ("p09-owner-only-0700.zip", "aws-lambda-al2023", "", &["exec-bit-missing"], &["not-readable"], ""),
    ("p09-owner-only-0700.zip", "aliyun-fc", "", &[], &[], ""),
    ("p10-macho-go.zip", "aliyun-fc", "", &["binary-not-linux"], &[], ""),
    ("p11-fat-macho.zip", "aws-lambda-al2023", "", &["binary-not-linux"], &[], ""),
    ("p12-pe.zip", "aliyun-fc", "", &["binary-not-linux"], &[], ""),
    ("p13-i386.zip", "aliyun-fc", "", &["binary-wrong-arch"], &[], ""),
    ("p14-aarch64-on-x86.zip", "aws-lambda-al2023-arm64", "", &[], &[], ""),
    ("p14-aarch64-on-x86.zip", "aws-lambda-al2023", "", &["binary-wrong-arch"], &[], ""),
    ("p14-aarch64-on-x86.zip", "aliyun-fc", "", &["binary-wrong-arch"], &[], ""),
    ("p14-aarch64-on-x86.zip", "tencent-scf", "", &["binary-wrong-arch"], &[], ""),
    ("p15-musl.zip", "aliyun-fc", "", &["elf-interpreter-missing"], &[], ""),
    ("p16-relr.zip", "aws-lambda-al2023", "", &["glibc-too-new"], &[], ""),
    ("p16-relr.zip", "aliyun-fc-debian12", "", &[], &[], ""),
    ("p17-no-section-headers.zip", "aws-lambda-al2023", "", &[], &[], ""),
    ("p17-no-section-headers.zip", "tencent-scf", "", &[], &[], ""),
    ("p18-needed-ncurses5.zip", "aws-lambda-al2023", "", &[], &["shared-lib-missing"], ""),
    ("p19-freebsd.zip", "aliyun-fc", "", &["binary-not-linux"], &[], ""),
    ("p20-glibc-2.18.zip", "aws-lambda-al2", "", &[], &[], ""),
    ("p20-glibc-2.18.zip", "tencent-scf", "", &["glibc-too-new"], &[], ""),
    ("p20-glibc-2.18.zip", "aliyun-fc", "", &[], &["not-a-server"], ""),
    ("p21-node-darwin-addon.zip", "aws-lambda-al2023", "index.handler", &["native-addon-wrong-platform"], &[], ""),
    ("p21-node-darwin-addon.zip", "aliyun-fc", "index.handler", &["native-addon-wrong-platform"], &[], ""),
    (
        "p22-node-musl-addon.zip",
        "aws-lambda-al2023",
        "index.handler",
        &["native-addon-wrong-platform"],
        &["shared-lib-missing"],
        "",
    ),
    ("p23-node-glibc-addon.zip", "aws-lambda-al2023", "index.handler", &[], &["shared-lib-missing"], ""),
    ("p23-node-glibc-addon.zip", "tencent-scf", "index.handler", &[], &["glibc-too-new", "shared-lib-missing"], ""),
    (
        "p23-node-glibc-addon.zip",
        "aws-lambda-al2",
        "index.handler",
        &[],
        &["shared-lib-missing", "native-addon-wrong-platform"],
        "",
    ),
    (
        "p24-python-musllinux-wheel.zip",
        "aws-lambda-al2023",
        "index.handler",
        &[],
        &["elf-interpreter-missing", "native-addon-wrong-platform"],
        "",
    ),
    ("p25-nested-folder.zip", "aliyun-fc", "", &["entry-nested"], &[], ""),
    ("p25-nested-folder.zip", "aws-lambda-al2023", "", &["entry-nested"], &[], ""),
    ("p26-scf-event-handler-missing.zip", "tencent-scf", "index.main_handler", &["entry-nested"], &[], ""),
];

/// Each entry's local block (header, name, extra, compressed data) by name, as stored.
fn local_blocks(zip: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("opens");
    (0..archive.len())
        .filter_map(|i| {
            let file = archive.by_index_raw(i).ok()?;
            let (start, end) = (file.header_start() as usize, (file.data_start()? + file.compressed_size()) as usize);
            Some((String::from_utf8_lossy(file.name_raw()).into_owned(), zip.get(start..end)?.to_vec()))
        })
        .collect()
}

/// `unzip -tq` on a file: `Some(passed)`, or `None` when Info-ZIP is not installed.
fn unzip_tests(path: &Path) -> Option<bool> {
    let out = std::process::Command::new("unzip").arg("-tq").arg(path).output().ok()?;
    Some(out.status.success())
}

/// Every file under the corpus's `archives/` and `packages/`, depth first.
fn every_file(dir: &Path) -> Vec<PathBuf> {
    let mut stack = vec![dir.join("archives"), dir.join("packages")];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}

fn errors_for(
    path: &Path,
    platform: &str,
    start: &str,
) -> (BTreeSet<&'static str>, Vec<String>, BTreeSet<&'static str>) {
    let file = BufReader::new(File::open(path).expect("corpus file opens"));
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let request =
        Request { platform: Some(platform.into()), start: StartSpec::from_user_text(start), error_text: None };
    let report = diagnose(Some((name.as_str(), file)), &request).expect("known platform");
    assert!(report.package_error.is_none(), "{name}: {:?}", report.package_error);
    // The page's worker sends reports as JSON: every real package's report must read back whole.
    let read_back: bootdoctor_core::report::Report =
        serde_json::from_str(&serde_json::to_string(&report).unwrap()).expect("the report reads back");
    assert_eq!(read_back, report, "{name}: the report read back differs");
    let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.id).collect();
    let all = report.findings.iter().map(|f| format!("{}:{}", f.severity.as_str(), f.id)).collect();
    let ids = report.findings.iter().map(|f| f.id).collect();
    (errors, all, ids)
}

#[test]
fn corpus_packages_match_expected_findings() {
    let Some(dir) = corpus_dir() else {
        println!("SKIPPED corpus tier: ../shared/corpus not found (set BOOTDOCTOR_CORPUS to run it)");
        return;
    };
    let expected_json = std::fs::read_to_string(dir.join("packages/expected.json")).unwrap();
    let mut failures = Vec::new();
    let mut pending = 0;
    for (package, platform, start, expected, also, pending_note) in CASES {
        assert!(expected_json.contains(package), "{package} is not in expected.json");
        let (errors, all, ids) = errors_for(&dir.join("packages").join(package), platform, start);
        let expected: BTreeSet<&str> = expected.iter().copied().collect();
        // Only this project's implemented ids are compared; an error id outside them would be a bug too.
        assert!(errors.iter().all(|e| CHECK_IDS.contains(e)), "{package}: unknown id in {errors:?}");
        let missing_also: Vec<&str> = also.iter().copied().filter(|a| !ids.contains(a)).collect();
        let status = if errors == expected && missing_also.is_empty() { "ok  " } else { "FAIL" };
        println!("{status} {package:<38} {platform:<24} errors {errors:?} (all: {all:?})");
        if !pending_note.is_empty() {
            pending += 1;
            println!("     pending (later checks): {pending_note}");
        }
        if errors != expected {
            failures.push(format!("{package} on {platform}: expected errors {expected:?}, got {errors:?}"));
        }
        if !missing_also.is_empty() {
            failures.push(format!("{package} on {platform}: missing findings {missing_also:?} (all: {all:?})"));
        }
    }
    println!("corpus: {} cases, {} with pending later-issue checks", CASES.len(), pending);
    assert!(failures.is_empty(), "corpus mismatches:\n{}", failures.join("\n"));
}

#[test]
fn corpus_correct_packages_are_clean() {
    let Some(dir) = corpus_dir() else {
        println!("SKIPPED corpus tier: ../shared/corpus not found");
        return;
    };
    let good = dir.join("archives/cargo-lambda-good-bootstrap.zip");
    for platform in ["aws-lambda-al2023", "aws-lambda-al2"] {
        let (errors, all, _) = errors_for(&good, platform, "");
        println!("cargo-lambda-good-bootstrap.zip on {platform}: {all:?}");
        assert!(errors.is_empty(), "a correct package must produce no error: {errors:?}");
    }
}

/// Container defects the archive checks must name, by corpus file name.
const CONTAINER_CASES: &[(&str, &str)] = &[
    ("zipcrypto.zip", "zip-encrypted"),
    ("aes256.zip", "zip-encrypted"),
    ("aes_archive.zip", "zip-encrypted"),
    ("ppmd.zip", "zip-method-unsupported"),
    ("xz.zip", "zip-method-unsupported"),
    ("implode.zip", "zip-method-unsupported"),
    ("shrink.zip", "zip-method-unsupported"),
    ("reduce.zip", "zip-method-unsupported"),
];

/// Every zip in the corpus, damaged ones included, yields a report or a clear message: no panic.
#[test]
fn corpus_every_zip_is_handled() {
    let Some(dir) = corpus_dir() else {
        println!("SKIPPED corpus tier: ../shared/corpus not found");
        return;
    };
    let (mut read, mut refused) = (0, 0);
    let mut container_checked = 0;
    for path in every_file(&dir) {
        let Ok(file) = File::open(&path) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let report = diagnose(Some((name.as_str(), BufReader::new(file))), &Request::default()).unwrap();
        match &report.package_error {
            Some(message) => {
                refused += 1;
                assert!(!message.is_empty());
                println!("refused {name}: {message}");
            }
            None => read += 1,
        }
        if let Some((_, id)) = CONTAINER_CASES.iter().find(|(file, _)| *file == name) {
            let ids: Vec<&str> = report.findings.iter().map(|f| f.id).collect();
            assert!(ids.contains(id), "{name}: expected {id}, got {ids:?}");
            container_checked += 1;
        }
    }
    println!(
        "corpus sweep: {read} read, {refused} refused with a message, {container_checked} container defects named"
    );
    assert!(read > 20);
    assert_eq!(container_checked, CONTAINER_CASES.len());
}

/// Share links and repairs over every corpus case: each link opens to the same finding ids; link
/// lengths (typical and worst, with and without the paste) and repair results are printed for the
/// closing notes; a repair never adds an error and leaves none of the ids it repairs.
#[test]
fn corpus_share_links_and_repairs() {
    use bootdoctor_core::repair::repair_in_memory;
    use bootdoctor_core::share::{decode_link, make_link, TYPICAL_LINK_CHARS};
    let Some(dir) = corpus_dir() else {
        println!("SKIPPED corpus tier: ../shared/corpus not found");
        return;
    };
    const REPAIRED_IDS: &[&str] =
        &["exec-bit-missing", "crlf-shebang", "bom-before-shebang", "entry-nested", "macos-metadata"];
    let mut lengths = Vec::new();
    let mut failures = Vec::new();
    println!("{:<38} {:<24} {:>6} {:>6}  repair", "package", "platform", "link", "+paste");
    for (package, platform, start, _, _, _) in CASES {
        let path = dir.join("packages").join(package);
        let bytes = std::fs::read(&path).unwrap();
        let mut request =
            Request { platform: Some((*platform).into()), start: StartSpec::from_user_text(start), error_text: None };
        let plain = diagnose(Some((*package, std::io::Cursor::new(&bytes[..]))), &request).unwrap();
        // The error a user would paste: what the platform prints for the first error finding.
        let paste = plain.findings.iter().find_map(|f| f.platform_message.clone());
        request.error_text = paste.clone();
        let report = diagnose(Some((*package, std::io::Cursor::new(&bytes[..]))), &request).unwrap();
        let bare = make_link(&report, paste.as_deref(), false);
        let full = make_link(&report, paste.as_deref(), true);
        for link in [&bare, &full] {
            let (back, unknown) = decode_link(&link.fragment).expect("opens").to_report();
            let want: Vec<&str> = report.findings.iter().map(|f| f.id).collect();
            let got: Vec<&str> = back.findings.iter().map(|f| f.id).collect();
            if unknown != 0 || (link.omitted.is_empty() && got != want) {
                failures.push(format!("{package} on {platform}: link findings {got:?} ≠ {want:?}"));
            }
        }
        lengths.push(bare.fragment.len());
        lengths.push(full.fragment.len());

        request.error_text = None;
        let outcome = match repair_in_memory(&bytes, package, &request) {
            Ok((fixed, _)) => {
                let before: BTreeSet<&str> =
                    fixed.before.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.id).collect();
                let after: BTreeSet<&str> =
                    fixed.after.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.id).collect();
                if after.len() > before.len() && !before.contains("entry-nested") {
                    failures.push(format!("{package} on {platform}: repair added errors {before:?} → {after:?}"));
                }
                if let Some(id) = REPAIRED_IDS.iter().find(|id| after.contains(**id)) {
                    failures.push(format!("{package} on {platform}: {id} survived the repair"));
                }
                format!("errors {before:?} → {after:?}, {} actions", fixed.actions.len())
            }
            Err(e) => format!("refused: {e}"),
        };
        println!("{package:<38} {platform:<24} {:>6} {:>6}  {outcome}", bare.fragment.len(), full.fragment.len());
    }
    lengths.sort_unstable();
    let median = lengths[lengths.len() / 2];
    let worst = *lengths.last().unwrap();
    println!("links: {} made, median {median} characters, worst {worst} (fragment only)", lengths.len());
    assert!(median <= TYPICAL_LINK_CHARS, "typical link {median} > {TYPICAL_LINK_CHARS}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Repairing every zip in the corpus, damaged and exotic ones included, gives a readable zip or a
/// clear refusal: never a panic.
#[test]
fn corpus_every_zip_repairs_or_refuses() {
    use bootdoctor_core::repair::{repair_in_memory, RepairAction};
    let Some(dir) = corpus_dir() else {
        println!("SKIPPED corpus tier: ../shared/corpus not found");
        return;
    };
    let (mut repaired, mut refused, mut unchanged, mut infozip_checked, mut copied_checked) = (0, 0, 0, 0, 0);
    for path in every_file(&dir) {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match repair_in_memory(&bytes, &name, &Request::default()) {
            Ok((fixed, fixed_bytes)) => {
                repaired += 1;
                assert!(
                    fixed.after.package_error.is_none(),
                    "{name}: the repaired zip does not open: {:?}",
                    fixed.after.package_error
                );
                if fixed.actions.is_empty() {
                    unchanged += 1;
                    assert!(fixed_bytes == bytes, "{name}: nothing repaired, yet the bytes changed");
                } else {
                    // Every entry kept under its name and not rewritten is copied byte for byte:
                    // local header, name, extra fields, compressed data.
                    let rewritten: Vec<&str> = fixed
                        .actions
                        .iter()
                        .filter_map(|a| match a {
                            RepairAction::LineEndings { path, .. } | RepairAction::ByteOrderMark { path } => {
                                Some(path.as_str())
                            }
                            _ => None,
                        })
                        .collect();
                    let before = local_blocks(&bytes);
                    let after = local_blocks(&fixed_bytes);
                    for (entry, block) in &after {
                        if rewritten.contains(&entry.as_str()) {
                            continue;
                        }
                        if let Some(original) = before.get(entry) {
                            assert!(original == block, "{name}: {entry} was not copied byte for byte");
                            copied_checked += 1;
                        }
                    }
                }
                // Where Info-ZIP can test the original, it must be able to test the repair.
                if unzip_tests(&path) == Some(true) {
                    let out = std::env::temp_dir().join(format!("bootdoctor-sweep-{}-{name}", std::process::id()));
                    std::fs::write(&out, &fixed_bytes).unwrap();
                    let ok = unzip_tests(&out);
                    let _ = std::fs::remove_file(&out);
                    assert_eq!(ok, Some(true), "{name}: unzip -t fails on the repaired zip");
                    infozip_checked += 1;
                }
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
                println!("repair refused {name}: {e}");
            }
        }
    }
    println!(
        "corpus repair sweep: {repaired} repaired ({unchanged} needing nothing, byte-identical), {refused} refused with a message; \
         {copied_checked} copied entries byte-identical to the original; unzip -t passes on {infozip_checked} repaired zips whose original it could test"
    );
    assert!(repaired > 20);
}
