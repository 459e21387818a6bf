//! The registry tier: packages built from real registry artifacts — PyPI wheels and npm tarballs
//! that `scripts/fetch-registry` downloads into `target/registry/` — on managed runtimes, clean
//! ones beside broken ones. Nothing here is invented but the few lines of handler code. A case
//! whose artifact is absent (offline, no pip or npm) is skipped and says so.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};

use bootdoctor_core::checks::Severity;
use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::report::{diagnose, Report, Request};

/// `target/registry/` of this workspace.
fn registry() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/registry")
}

/// One file of a package under construction.
struct File {
    path: String,
    mode: u32,
    bytes: Vec<u8>,
}

impl File {
    fn new(path: &str, bytes: &[u8]) -> Self {
        File { path: path.to_string(), mode: 0o644, bytes: bytes.to_vec() }
    }
}

/// The files of the first wheel in `target/registry/<dir>/`, as `pip install --target` lays them out.
fn wheel(dir: &str) -> Option<Vec<File>> {
    let path = std::fs::read_dir(registry().join(dir))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))?;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).ok()?).ok()?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).ok()?;
        if entry.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).ok()?;
        files.push(File { path: entry.name().ok()?.to_string(), mode: 0o644, bytes });
    }
    Some(files)
}

/// The files of an npm tarball in `target/registry/`, under `node_modules/<name>/` as npm installs them.
fn npm_tarball(file: &str, name: &str) -> Option<Vec<File>> {
    let gz = std::fs::read(registry().join(file)).ok()?;
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut tar).ok()?;
    let mut files = Vec::new();
    let mut at = 0;
    while at + 512 <= tar.len() && tar[at] != 0 {
        let header = &tar[at..at + 512];
        let text = |range: std::ops::Range<usize>| {
            String::from_utf8_lossy(&header[range]).trim_end_matches('\0').trim().to_string()
        };
        let size = usize::from_str_radix(&text(124..136), 8).ok()?;
        let (prefix, base) = (text(345..500), text(0..100));
        let full = if prefix.is_empty() { base } else { format!("{prefix}/{base}") };
        let body = tar.get(at + 512..at + 512 + size)?;
        if header[156] == b'0' || header[156] == 0 {
            let inner = full.strip_prefix("package/").unwrap_or(&full);
            files.push(File { path: format!("node_modules/{name}/{inner}"), mode: 0o644, bytes: body.to_vec() });
        }
        at += 512 + size.div_ceil(512) * 512;
    }
    Some(files)
}

/// A zip of `files`, written by the `zip` crate with Unix modes (as zip -r would).
fn package(files: &[File]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for f in files {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(f.mode);
        writer.start_file(f.path.as_str(), options).unwrap();
        writer.write_all(&f.bytes).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn check(zip: &[u8], platform: &str, handler: &str) -> Report {
    let request = Request {
        platform: Some(platform.into()),
        start: StartSpec { start_command: None, handler: (!handler.is_empty()).then(|| handler.to_string()) },
        error_text: None,
    };
    diagnose(Some(("function.zip", Cursor::new(zip))), &request).unwrap()
}

fn ids(report: &Report, severity: Severity) -> BTreeSet<&'static str> {
    report.findings.iter().filter(|f| f.severity == severity).map(|f| f.id).collect()
}

/// A handler module importing pydantic_core, defining `function`.
fn pydantic_handler(function: &str) -> Vec<u8> {
    format!("import pydantic_core\n\n\ndef {function}(event, context):\n    return pydantic_core.__version__\n")
        .into_bytes()
}

/// Where each platform's console default looks: the file and function (Cloud Functions takes the
/// function as its entry point, given as the handler).
fn default_handler(platform: &str) -> (&'static str, &'static str, &'static str) {
    match platform.split('-').next() {
        Some("gcp") => ("main.py", "hello", "hello"),
        Some("aliyun") => ("index.py", "handler", ""),
        _ => ("lambda_function.py", "lambda_handler", ""),
    }
}

/// Skips with a reason when an artifact is missing; returns whether the case ran.
fn skipped(what: &str, files: &Option<Vec<File>>) -> bool {
    if files.is_none() {
        println!("SKIPPED {what}: not in target/registry (run scripts/fetch-registry; offline or without pip/npm it cannot fetch)");
    }
    files.is_none()
}

#[test]
fn registry_python_wheels_on_managed_runtimes() {
    let cases: &[(&str, &str, &[&str], &[&str])] = &[
        // A cp311 build zipped for python3.12 or 3.10: the compiled module is not found at import.
        // The handler imports pydantic_core, whose __init__.py imports the compiled module at its
        // top level: on the start path, an error.
        ("pydantic-core-cp311-linux", "aws-lambda-python3.12", &["runtime-version-mismatch"], &[]),
        ("pydantic-core-cp311-linux", "aliyun-fc-python3.10", &["runtime-version-mismatch"], &[]),
        // The cp312 build on the runtimes that run 3.12: clean.
        ("pydantic-core-cp312-linux", "aws-lambda-python3.12", &[], &[]),
        ("pydantic-core-cp312-linux", "gcp-cloud-functions-python312", &[], &[]),
        // A wheel pip chose on a Mac, and one for the other CPU (the .so and the wheel's tag).
        // The .so is on the start path; the wheel's tag (metadata, not loaded) stays a warning.
        (
            "pydantic-core-cp312-macos",
            "aws-lambda-python3.12",
            &["native-addon-wrong-platform"],
            &["native-addon-wrong-platform"],
        ),
        (
            "pydantic-core-cp312-aarch64",
            "aws-lambda-python3.12",
            &["native-addon-wrong-platform"],
            &["native-addon-wrong-platform"],
        ),
        ("pydantic-core-cp312-aarch64", "aws-lambda-python3.12-arm64", &[], &[]),
    ];
    let mut ran = 0;
    for (wheel_dir, platform, errors, warnings) in cases {
        let files = wheel(wheel_dir);
        if skipped(wheel_dir, &files) {
            continue;
        }
        let mut files = files.unwrap();
        let (handler_file, function, handler) = default_handler(platform);
        files.push(File::new(handler_file, &pydantic_handler(function)));
        let report = check(&package(&files), platform, handler);
        let (got_errors, got_warnings) = (ids(&report, Severity::Error), ids(&report, Severity::Warning));
        println!("{wheel_dir:<28} {platform:<30} errors {got_errors:?} warnings {got_warnings:?}");
        assert_eq!(got_errors, errors.iter().copied().collect(), "{wheel_dir} on {platform}: errors");
        assert_eq!(got_warnings, warnings.iter().copied().collect(), "{wheel_dir} on {platform}: warnings");
        ran += 1;
    }
    // The message a cp311 build gets on python3.12 is Lambda's own.
    if let Some(mut files) = wheel("pydantic-core-cp311-linux") {
        files.push(File::new("lambda_function.py", &pydantic_handler("lambda_handler")));
        let report = check(&package(&files), "aws-lambda-python3.12", "");
        let f = report.findings.iter().find(|f| f.id == "runtime-version-mismatch").unwrap();
        assert_eq!(
            f.platform_message.as_deref(),
            Some("[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'pydantic_core._pydantic_core'")
        );
    }
    println!("registry tier, Python: {ran} of {} cases ran", cases.len());
}

#[test]
fn registry_npm_prebuilt_variants_on_managed_runtimes() {
    let files = npm_tarball("deasync-0.1.29.tgz", "deasync");
    if skipped("deasync-0.1.29.tgz", &files) {
        return;
    }
    let mut files = files.unwrap();
    files.push(File::new(
        "index.js",
        b"const deasync = require('deasync');\nexports.handler = async () => ({ statusCode: 200 });\n",
    ));
    let zip = package(&files);
    // deasync ships bin/<os>-<arch>-node-<v>/ folders and loads the one for the machine: its
    // macOS and Windows builds are unused weight, never errors, where a Linux x64 build fits.
    for platform in ["aws-lambda-nodejs20.x", "aws-lambda-nodejs18.x", "aliyun-fc-nodejs18"] {
        let report = check(&zip, platform, "");
        println!("deasync-0.1.29                 {platform:<30} errors {:?}", ids(&report, Severity::Error));
        assert_eq!(ids(&report, Severity::Error), BTreeSet::new(), "{platform}");
    }
    // On arm64 no folder fits: loading it fails.
    let report = check(&zip, "aws-lambda-nodejs20.x-arm64", "");
    assert!(ids(&report, Severity::Error).contains("native-addon-wrong-platform"), "{:?}", report.findings);
    // With the handler it does not export, the handler check speaks.
    let report = check(&zip, "aws-lambda-nodejs20.x", "index.main");
    assert_eq!(ids(&report, Severity::Error), ["handler-misnamed"].into_iter().collect());
}

/// Which severity the finding with `id` has, if any.
fn severity_of(report: &Report, id: &str) -> Option<Severity> {
    report.findings.iter().filter(|f| f.id == id).map(|f| f.severity).min()
}

#[test]
fn registry_reachability_decides_severity() {
    // PyYAML imports its compiled _yaml inside `try: from .cyaml import *` and falls back to pure
    // Python: a macOS build is a warning that says the import may not run, never an error.
    let macos = wheel("pyyaml-cp312-macos");
    if !skipped("pyyaml-cp312-macos", &macos) {
        let mut files = macos.unwrap();
        files.push(File::new(
            "lambda_function.py",
            b"import yaml

def lambda_handler(event, context):\n    return yaml.safe_load('a: 1')\n",
        ));
        let report = check(&package(&files), "aws-lambda-python3.12", "");
        let f = report
            .findings
            .iter()
            .find(|f| f.id == "native-addon-wrong-platform" && f.path.as_deref().is_some_and(|p| p.ends_with(".so")))
            .expect("the macOS _yaml module");
        println!("pyyaml-cp312-macos             aws-lambda-python3.12          {:?}: {:?}", f.severity, f.evidence);
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.evidence.iter().any(|e| e.contains("may load it") && e.contains("yaml/__init__.py")),
            "{:?}",
            f.evidence
        );
        // Imported by nothing at all: off the start path, and it says so.
        let mut files = wheel("pyyaml-cp312-macos").unwrap();
        files.push(File::new(
            "lambda_function.py",
            b"import json\n\ndef lambda_handler(event, context):\n    return json.dumps(event)\n",
        ));
        let report = check(&package(&files), "aws-lambda-python3.12", "");
        let f = report
            .findings
            .iter()
            .find(|f| f.id == "native-addon-wrong-platform" && f.path.as_deref().is_some_and(|p| p.ends_with(".so")))
            .unwrap();
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.evidence.iter().any(|e| e.contains("off the start path")), "{:?}", f.evidence);
    }
    let linux = wheel("pyyaml-cp312-linux");
    if !skipped("pyyaml-cp312-linux", &linux) {
        let mut files = linux.unwrap();
        files.push(File::new(
            "lambda_function.py",
            b"import yaml\n\ndef lambda_handler(event, context):\n    return 1\n",
        ));
        let report = check(&package(&files), "aws-lambda-python3.12", "");
        assert_eq!(ids(&report, Severity::Error), BTreeSet::new(), "{:?}", report.findings);
        assert_eq!(ids(&report, Severity::Warning), BTreeSet::new(), "{:?}", report.findings);
    }

    // sharp installed on a Mac: the handler requires sharp, which picks @img/sharp-<platform> at
    // run time from its optionalDependencies, and only the darwin one is there: an error on the path.
    let sharp = npm_tarball("sharp-0.33.5.tgz", "sharp");
    let darwin = npm_tarball("img-sharp-darwin-arm64-0.33.5.tgz", "@img/sharp-darwin-arm64");
    let linux = npm_tarball("img-sharp-linux-x64-0.33.5.tgz", "@img/sharp-linux-x64");
    let libvips = npm_tarball("img-sharp-libvips-linux-x64-1.0.4.tgz", "@img/sharp-libvips-linux-x64");
    let handler =
        File::new("index.js", b"const sharp = require('sharp');\nexports.handler = async () => sharp.versions;\n");
    if ![
        ("sharp", &sharp),
        ("@img/sharp-darwin-arm64", &darwin),
        ("@img/sharp-linux-x64", &linux),
        ("libvips", &libvips),
    ]
    .iter()
    .any(|(what, files)| skipped(what, files))
    {
        let mac: Vec<File> = sharp
            .iter()
            .chain(&darwin)
            .flatten()
            .map(|f| File { path: f.path.clone(), mode: f.mode, bytes: f.bytes.clone() })
            .chain([File::new("index.js", &handler.bytes)])
            .collect();
        let report = check(&package(&mac), "aws-lambda-nodejs20.x", "");
        let f = report.findings.iter().find(|f| f.id == "native-addon-wrong-platform").expect("the darwin sharp");
        println!("sharp 0.33.5 + darwin-arm64    aws-lambda-nodejs20.x          {:?}: {:?}", f.severity, f.evidence);
        assert_eq!(f.severity, Severity::Error);
        assert!(
            f.evidence
                .iter()
                .any(|e| e.starts_with("on the start path: index.js:1") && e.contains("optionalDependencies")),
            "{:?}",
            f.evidence
        );
        // Installed for Linux (with its libvips): clean.
        let fixed: Vec<File> = sharp
            .iter()
            .chain(&linux)
            .chain(&libvips)
            .flatten()
            .map(|f| File { path: f.path.clone(), mode: f.mode, bytes: f.bytes.clone() })
            .chain([File::new("index.js", &handler.bytes)])
            .collect();
        let report = check(&package(&fixed), "aws-lambda-nodejs20.x", "");
        println!(
            "sharp 0.33.5 + linux-x64       aws-lambda-nodejs20.x          errors {:?}",
            ids(&report, Severity::Error)
        );
        assert_eq!(ids(&report, Severity::Error), BTreeSet::new(), "{:?}", report.findings);
        assert_eq!(severity_of(&report, "native-addon-wrong-platform"), None);
    }

    // esbuild installed on a Mac as a build tool the handler never requires: off the start path.
    let esbuild = npm_tarball("esbuild-0.24.0.tgz", "esbuild");
    let esbuild_darwin = npm_tarball("esbuild-darwin-arm64-0.24.0.tgz", "@esbuild/darwin-arm64");
    if !skipped("esbuild-0.24.0.tgz", &esbuild) && !skipped("esbuild-darwin-arm64-0.24.0.tgz", &esbuild_darwin) {
        let files: Vec<File> = esbuild
            .iter()
            .chain(&esbuild_darwin)
            .flatten()
            .map(|f| File { path: f.path.clone(), mode: f.mode, bytes: f.bytes.clone() })
            .chain([File::new("index.js", b"exports.handler = async () => ({ statusCode: 200 });\n")])
            .collect();
        let report = check(&package(&files), "aws-lambda-nodejs20.x", "");
        let f = report.findings.iter().find(|f| f.id == "native-addon-wrong-platform").expect("the darwin esbuild");
        println!("esbuild 0.24.0 + darwin-arm64  aws-lambda-nodejs20.x          {:?}: {:?}", f.severity, f.evidence);
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.evidence.iter().any(|e| e.contains("off the start path")), "{:?}", f.evidence);
        assert!(report.findings.iter().all(|f| f.severity != Severity::Error), "{:?}", report.findings);
    }
}
