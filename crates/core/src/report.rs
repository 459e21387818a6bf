//! One diagnosis from a package, a pasted error, or both: the shape the CLI prints and the page renders.
//!
//! When both are given they meet on cause ids: a hypothesis the package confirms rises, one the
//! package rules out falls, and each says why.

use crate::archive::PackageRead;

use serde::{Deserialize, Serialize};

use crate::archive::{Limits, Package};
use crate::checks::{inspect, FileInfo, Finding, Inspection, PackageSummary, Severity, CHECK_IDS};
use crate::decode::{decode, Decoding, Hypothesis};
use crate::entry::{StartSpec, Target};
use crate::ids;
use crate::profiles::{profile, profile_ids, EntryConvention, Language, Profile, DEFAULT_PROFILE};

/// How the platform of a report was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlatformBasis {
    /// The user chose it.
    Chosen,
    /// Read from the pasted error.
    Detected,
    /// Nothing said; the default profile.
    Default,
    /// Nothing said, and the package showed it (`scf_bootstrap`, `lambda_function.py` at the root).
    Package,
}

/// What the user gives, besides the package bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// A profile id, or `None` to detect or default.
    pub platform: Option<String>,
    /// The start command or handler the function is configured with.
    pub start: StartSpec,
    /// The pasted error, if any.
    pub error_text: Option<String>,
}

/// Why no report could be made at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// The platform id is not one of [`crate::profiles::PROFILES`].
    UnknownPlatform(String),
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::UnknownPlatform(id) => {
                write!(f, "unknown platform '{id}'; choose one of: {}", profile_ids().join(", "))
            }
        }
    }
}

impl std::error::Error for RequestError {}

/// The pasted error's part of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorSection {
    /// The decoder's output (hypotheses are lifted into [`Report::hypotheses`]).
    #[serde(flatten)]
    pub decoding: Decoding,
}

/// A full diagnosis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// The profile id the diagnosis is for.
    #[serde(deserialize_with = "crate::statics::str")]
    pub platform: crate::statics::StaticStr,
    /// Its name.
    #[serde(deserialize_with = "crate::statics::str")]
    pub platform_name: crate::statics::StaticStr,
    /// Chosen, detected from the error, or default.
    pub platform_basis: PlatformBasis,
    /// The start command / handler used to find the entry.
    pub start: StartSpec,
    /// Where the start spec came from, when not from the user.
    pub start_note: Option<String>,
    /// Package facts, when a package was read.
    pub package: Option<PackageSummary>,
    /// Why the package could not be read, when it could not.
    pub package_error: Option<String>,
    /// The files the platform runs or reads first.
    pub targets: Vec<Target>,
    /// Package findings, errors first.
    pub findings: Vec<Finding>,
    /// Per-file facts for the tree.
    pub files: Vec<FileInfo>,
    /// The decoded error, when one was pasted.
    pub error: Option<Decoding>,
    /// Causes of the pasted error, most likely first, adjusted by the package.
    pub hypotheses: Vec<Hypothesis>,
}

impl Report {
    /// True when any finding is an error: the package will not start.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// The profile a vendor's text most likely comes from.
fn profile_for_vendor(vendor: &str, text: &str) -> &'static str {
    let lower = text.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    // A custom runtime's start (a bootstrap, a start command) outranks a managed runtime's traces.
    let custom = has(&["bootstrap", "start command", "runtime.invalidentrypoint", "runtime.exiterror", "fork/exec"]);
    let language = managed_language(&lower);
    match (vendor, language) {
        ("aliyun", Some(Language::Python)) if !custom => "aliyun-fc-python3.10",
        ("aliyun", Some(Language::Node)) if !custom => "aliyun-fc-nodejs18",
        ("aliyun", _) => "aliyun-fc",
        ("tencent", _) if has(&["scf_bootstrap", "9000", "portbinding"]) => "tencent-scf-web",
        ("tencent", Some(Language::Python)) if !custom => "tencent-scf-python3.9",
        ("tencent", Some(Language::Node)) if !custom => "tencent-scf-nodejs16.13",
        ("tencent", _) => "tencent-scf",
        ("aws", Some(language)) if !custom => {
            let arm = has(&["arm64", "aarch64"]);
            match language {
                Language::Python if has(&["python3.9", "python39"]) => "aws-lambda-python3.9",
                Language::Python if arm => "aws-lambda-python3.12-arm64",
                Language::Python => "aws-lambda-python3.12",
                Language::Node if has(&["nodejs18", "node:18", "node.js v18", "node/v18"]) => "aws-lambda-nodejs18.x",
                Language::Node if arm => "aws-lambda-nodejs20.x-arm64",
                Language::Node => "aws-lambda-nodejs20.x",
                Language::Java => "aws-lambda-java21",
            }
        }
        ("aws", _) if has(&["arm64", "aarch64"]) => "aws-lambda-al2023-arm64",
        ("aws", _) if has(&["provided.al2 ", "provided:al2."]) => "aws-lambda-al2",
        ("aws", _) => "aws-lambda-al2023",
        ("gcp", Some(Language::Python))
            if has(&["functions-framework", "functions_framework", "missingtargetexception", "cloudfunctions"]) =>
        {
            "gcp-cloud-functions-python312"
        }
        ("gcp", Some(Language::Node))
            if has(&["functions-framework", "cloudfunctions", "is not defined in the provided module"]) =>
        {
            "gcp-cloud-functions-nodejs20"
        }
        ("gcp", _) => "gcp-cloud-run",
        ("huawei", _) => "huawei-functiongraph",
        ("azure", _) => "azure-custom-handler",
        _ => DEFAULT_PROFILE,
    }
}

/// The language whose managed runtime a paste shows: its runtime's own error types, its stack
/// frames and paths (`Runtime.ImportModuleError` with a Python module, `/var/runtime/index.mjs`,
/// `java.lang.`). `None` when it shows none, or more than one.
fn managed_language(lower: &str) -> Option<Language> {
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let python = has(&[
        "traceback (most recent call last)",
        "no module named",
        "lambda_function",
        "unable to import module",
        ".py\", line",
        "/var/lang/lib/python",
        "modulenotfounderror",
        "missingtargetexception",
    ]);
    let node = has(&[
        "/var/runtime/index.mjs",
        "cannot find module",
        "is undefined or not exported",
        "node:internal",
        "err_require_esm",
        "cannot use import statement outside a module",
        "/var/task/index.js",
    ]);
    let java = has(&["java.lang.", "classnotfoundexception", "::handlerequest"]);
    match (python, node, java) {
        (true, false, false) => Some(Language::Python),
        (false, true, false) => Some(Language::Node),
        (false, false, true) => Some(Language::Java),
        _ => None,
    }
}

/// The profile a package shows by files only one platform uses, and what showed it: `None` when
/// it shows none (a `bootstrap` runs on FC, Lambda and SCF alike; an `index.js` on all of them).
fn detect_platform(entries: &[crate::archive::Entry]) -> Option<(&'static Profile, String)> {
    const SIGNS: &[(&str, &str, &str)] = &[
        ("scf_bootstrap", "tencent-scf-web", "scf_bootstrap at the root is the entry of a Tencent SCF web function"),
        (
            "lambda_function.py",
            "aws-lambda-python3.12",
            "lambda_function.py at the root is the AWS Lambda console's default Python handler",
        ),
        ("host.json", "azure-custom-handler", "host.json at the root configures Azure Functions"),
    ];
    let at_root = |name: &str| entries.iter().any(|e| e.path() == name);
    SIGNS.iter().find(|(file, _, _)| at_root(file)).and_then(|(_, id, why)| Some((profile(id)?, why.to_string())))
}

/// What a diagnosis settles before reading the package: the profile, the start spec and the decoded
/// paste. The package side depends only on [`Plan::package_key`], so a caller that keeps the
/// [`PackagePart`] of an earlier plan with the same key need not read the package again (the page
/// re-decodes on each edit of the paste, and inspects once per package, platform and start command).
#[derive(Debug, Clone)]
pub struct Plan {
    profile: &'static Profile,
    basis: PlatformBasis,
    start: StartSpec,
    start_note: Option<String>,
    decoding: Option<Decoding>,
}

/// What inspecting a package gave: its facts and findings, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
// One value per diagnosis, moved once: boxing the inspection would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum PackagePart {
    /// The package was opened and checked.
    Inspected(Inspection),
    /// It could not be opened: the reason, in one sentence.
    Unreadable { message: String },
}

impl Plan {
    /// Decodes the paste and chooses the profile and start spec. `has_package` says whether a
    /// package will be inspected (a start command quoted by the paste is only taken up then).
    pub fn new(request: &Request, has_package: bool) -> Result<Plan, RequestError> {
        let chosen = match request.platform.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(id) => Some(profile(id).ok_or_else(|| RequestError::UnknownPlatform(id.to_string()))?),
            None => None,
        };
        let error_text = request.error_text.as_deref().filter(|t| !t.trim().is_empty());
        let decoding = error_text.map(|t| decode(t, chosen.map(|p| p.vendor)));
        let (profile, basis): (&'static Profile, PlatformBasis) =
            match (chosen, decoding.as_ref().and_then(|d| d.detected_vendor)) {
                (Some(p), _) => (p, PlatformBasis::Chosen),
                (None, Some(vendor)) => (
                    profile(profile_for_vendor(vendor, error_text.unwrap_or(""))).expect("vendor profiles exist"),
                    PlatformBasis::Detected,
                ),
                (None, None) => (profile(DEFAULT_PROFILE).expect("default profile exists"), PlatformBasis::Default),
            };

        // A start command quoted by the platform is the best guide to which files to check.
        let mut start = request.start.clone();
        let mut start_note = None;
        let user_gave_start = start.start_command.is_some() || start.handler.is_some();
        let command_allowed = matches!(
            profile.entry,
            EntryConvention::RootExecutable { start_command_allowed: true, .. } | EntryConvention::StartCommandOnly
        );
        if !user_gave_start && command_allowed && has_package {
            let default_entry = profile.default_entry_path();
            let quoted = decoding.as_ref().and_then(|d| d.variables.start_command.clone());
            if let Some(cmd) = quoted.filter(|c| !c.is_empty() && default_entry.as_deref() != Some(c.as_str())) {
                start_note = Some(format!("Start command taken from the pasted error: {cmd}"));
                start = StartSpec { start_command: Some(cmd), handler: None };
            }
        }
        Ok(Plan { profile, basis, start, start_note, decoding })
    }

    /// What the package side depends on: the profile id (empty when the package itself is to
    /// say, so a later explicit choice of the default profile is not served the detected one)
    /// and the start spec.
    pub fn package_key(&self) -> (&'static str, &StartSpec) {
        (if self.basis == PlatformBasis::Default { "" } else { self.profile.id }, &self.start)
    }

    /// Whether `part`, made by a plan whose [`Plan::package_key`] was `(made_for, start)`, is what
    /// this plan's inspection would give: the same key, or the same profile the part was in fact
    /// checked against (a part made with nothing said was checked against the profile its
    /// package showed, else the default), with the same start spec.
    pub fn can_reuse(&self, part: &PackagePart, made_for: &str, start: &StartSpec) -> bool {
        let (key, own_start) = self.package_key();
        if start != own_start {
            return false;
        }
        let checked = match part {
            PackagePart::Inspected(i) if made_for.is_empty() => {
                i.detected_platform.as_ref().map_or(DEFAULT_PROFILE, |(id, _)| id.as_str())
            }
            _ => made_for,
        };
        key == made_for || (!key.is_empty() && key == checked)
    }

    /// Inspects the package `name` read through `reader` for this plan's profile and start spec.
    pub fn inspect<R: PackageRead>(&self, name: &str, reader: R) -> PackagePart {
        match Plan::open(reader) {
            Ok(mut package) => self.inspect_opened(name, &mut package),
            Err(e) => PackagePart::Unreadable { message: e.message() },
        }
    }

    /// Lists the package's directory with the engine's limits, checking nothing yet (a caller
    /// showing progress can say how many entries there are).
    pub fn open<R: PackageRead>(reader: R) -> Result<Package<R>, crate::archive::PackageError> {
        Package::open(reader, Limits::default())
    }

    /// Inspects an opened package named `name` for this plan's profile and start spec; with no
    /// platform chosen or read from a paste, for the one the package shows when it shows one.
    pub fn inspect_opened<R: PackageRead>(&self, name: &str, package: &mut Package<R>) -> PackagePart {
        let detected = (self.basis == PlatformBasis::Default).then(|| detect_platform(package.entries())).flatten();
        let profile = detected.as_ref().map_or(self.profile, |(p, _)| p);
        let mut inspection = inspect(package, name, profile, &self.start);
        inspection.detected_platform = detected.map(|(p, why)| (p.id.to_string(), why));
        PackagePart::Inspected(inspection)
    }

    /// Joins the decoded paste with the package part (when a package was given) into a report.
    pub fn assemble(self, package: Option<PackagePart>) -> Report {
        let mut report = Report {
            platform: self.profile.id,
            platform_name: self.profile.name,
            platform_basis: self.basis,
            start: self.start,
            start_note: self.start_note,
            package: None,
            package_error: None,
            targets: Vec::new(),
            findings: Vec::new(),
            files: Vec::new(),
            error: None,
            hypotheses: Vec::new(),
        };
        let mut inspected = false;
        match package {
            Some(PackagePart::Inspected(inspection)) => {
                match inspection.detected_platform.as_ref().and_then(|(id, why)| Some((profile(id)?, why))) {
                    Some((detected, why)) => {
                        report.platform = detected.id;
                        report.platform_name = detected.name;
                        report.platform_basis = PlatformBasis::Package;
                        report.start_note.get_or_insert_with(|| format!("Platform detected from the package: {why}."));
                    }
                    None if report.platform_basis == PlatformBasis::Default => {
                        report.start_note.get_or_insert_with(|| {
                            format!(
                                "The package does not say which platform it is for (a bootstrap or an index file \
                                 runs on several): checked as {}; choose yours for an exact check.",
                                report.platform_name
                            )
                        });
                    }
                    None => {}
                }
                report.package = Some(inspection.summary);
                report.targets = inspection.targets;
                report.findings = inspection.findings;
                report.files = inspection.files;
                inspected = true;
            }
            Some(PackagePart::Unreadable { message }) => report.package_error = Some(message),
            None => {}
        }
        if let Some(mut d) = self.decoding {
            let mut hypotheses = std::mem::take(&mut d.hypotheses);
            if inspected {
                weigh_against_package(&mut hypotheses, &report);
                d.summary = crate::decode::summarize(&hypotheses, &d.variables, d.detected_vendor);
            }
            report.hypotheses = hypotheses;
            report.error = Some(d);
        }
        report
    }
}

/// Makes a diagnosis. `package` is the zip's name and a reader over its bytes.
pub fn diagnose<R: PackageRead>(package: Option<(&str, R)>, request: &Request) -> Result<Report, RequestError> {
    let plan = Plan::new(request, package.is_some())?;
    let part = package.map(|(name, reader)| plan.inspect(name, reader));
    Ok(plan.assemble(part))
}

/// Causes decided by reading the entry's code rather than its bytes.
const SERVER_CAUSES: &[&str] =
    &[ids::LISTEN_LOCALHOST, ids::LISTEN_WRONG_PORT, ids::NOT_A_SERVER, ids::DEPENDENCIES_MISSING];

/// Causes read from ELF objects' load-time needs: a package rules them out only when every object
/// was read whole (none left out by the read budget, none over the name and count limits).
const ELF_CAUSES: &[&str] = &[
    ids::GLIBC_TOO_NEW,
    ids::SHARED_LIB_MISSING,
    ids::ELF_INTERPRETER_MISSING,
    ids::NOT_AN_EXECUTABLE,
    ids::SYSTEM_LIB_TOO_OLD,
];

/// Causes read from files found by sniffing entries: ruled out only when the sniff budget covered
/// every candidate.
const SNIFFED_CAUSES: &[&str] =
    &[ids::NATIVE_ADDON_WRONG_PLATFORM, ids::BINARY_WRONG_ARCH, ids::BINARY_NOT_LINUX, ids::LFS_POINTER];

/// Whether the checks behind `cause` ran over everything they read, so that finding nothing rules
/// the cause out. A check that was skipped or cut short by a budget rules nothing out.
fn checks_ran_fully(cause: &str, report: &Report) -> bool {
    let Some(p) = report.package.as_ref() else { return false };
    // The handler check is silent when it cannot follow how a module exports, the version check
    // reads only CPython's tags and the module-format check only the handler's file: their
    // silence is no proof.
    if matches!(cause, ids::HANDLER_MISNAMED | ids::RUNTIME_VERSION_MISMATCH | ids::ESM_CJS_MISMATCH) {
        return false;
    }
    if ELF_CAUSES.contains(&cause) && (p.elf_analysed < p.elf_objects || p.elf_over_limits) {
        return false;
    }
    if SNIFFED_CAUSES.contains(&cause) && p.sniff_budget_exhausted {
        return false;
    }
    // The server checks read the code the entry runs; with none read, they saw nothing.
    !(SERVER_CAUSES.contains(&cause) && p.code_read.is_empty())
}

/// Raises hypotheses the package confirms and lowers those it rules out, saying why each time.
fn weigh_against_package(hypotheses: &mut Vec<Hypothesis>, report: &Report) {
    let start_failure = hypotheses.iter().any(|h| CHECK_IDS.contains(&h.cause));
    let targets_all_seen = !report.targets.is_empty()
        && report.targets.iter().all(|t| {
            t.alternatives
                .iter()
                .any(|a| report.files.iter().any(|f| f.path.trim_end_matches('/') == a && f.kind.is_some()))
        });
    let target_list = report.targets.iter().map(|t| t.path.as_str()).collect::<Vec<_>>().join(", ");

    for h in hypotheses.iter_mut() {
        if let Some(f) = report.findings.iter().find(|f| f.id == h.cause) {
            // Confirmed causes rise above the rest but keep their order: what the message itself
            // read (a rule) stays ahead of what it only resembled.
            let floor: u8 = if f.severity == Severity::Error { 90 } else { 70 };
            h.confidence = h.confidence.max(floor + h.confidence / 10).min(99);
            h.package_note = Some(format!("Confirmed by your package: {}", f.title));
        } else if h.cause == ids::ENTRY_MISSING {
            if let Some(nested) = report.findings.iter().find(|f| f.id == ids::ENTRY_NESTED) {
                let said = report
                    .error
                    .as_ref()
                    .and_then(|d| d.variables.path.clone())
                    .or_else(|| report.targets.first().map(|t| t.platform_path.clone()));
                h.confidence = h.confidence.max(90);
                h.package_note = Some(format!(
                    "The error says {} does not exist; your package has it at {}.",
                    said.unwrap_or_else(|| "the start file".into()),
                    nested.path.clone().unwrap_or_default()
                ));
            } else if targets_all_seen {
                h.confidence /= 4;
                h.package_note =
                    Some(format!("Ruled out by your package: it has {target_list} where the platform looks."));
            }
        } else if CHECK_IDS.contains(&h.cause) && targets_all_seen && checks_ran_fully(h.cause, report) {
            let read = report.package.as_ref().map(|p| p.code_read.clone()).unwrap_or_default();
            let checked = if SERVER_CAUSES.contains(&h.cause) && !read.is_empty() {
                read.join(", ")
            } else {
                target_list.clone()
            };
            h.confidence /= 4;
            h.package_note =
                Some(format!("Your package does not show this: Bootdoctor checked {checked} and found no sign of it."));
        }
    }
    // Package errors the message did not name, but which explain a start failure.
    if start_failure {
        for f in report.findings.iter().filter(|f| f.severity == Severity::Error) {
            if hypotheses.iter().any(|h| h.cause == f.id) {
                continue;
            }
            let Some(c) = crate::causes::cause(f.id) else { continue };
            hypotheses.push(Hypothesis {
                fix: f.fix.clone(),
                package_note: Some(format!("Not named by the message, but your package shows it: {}", f.title)),
                ..Hypothesis::new(c, 70, f.explanation.clone())
            });
        }
    }
    hypotheses.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.cause.cmp(b.cause)));
    // What the package settled is no longer ambiguous; what it could not see still is.
    crate::decode::mark_ambiguity(hypotheses);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::ZipBuilder;
    use std::io::Cursor;

    fn req(platform: Option<&str>, error: &str) -> Request {
        Request { platform: platform.map(String::from), start: StartSpec::default(), error_text: Some(error.into()) }
    }

    #[test]
    fn a_paste_from_a_managed_runtime_picks_that_runtime() {
        let py =
            "[ERROR] Runtime.ImportModuleError: Unable to import module 'lambda_function': No module named 'requests'";
        assert_eq!(profile_for_vendor("aws", py), "aws-lambda-python3.12");
        let node =
            r#"{"errorType":"Runtime.HandlerNotFound","errorMessage":"index.handler is undefined or not exported"}"#;
        assert_eq!(profile_for_vendor("aws", node), "aws-lambda-nodejs20.x");
        // A custom runtime's start outranks a Python trace in its logs.
        let custom = "Error: fork/exec /var/task/bootstrap: exec format error\nTraceback (most recent call last):";
        assert_eq!(profile_for_vendor("aws", custom), "aws-lambda-al2023");
        let gcf = "MissingTargetException: File /workspace/main.py is expected to contain a function named 'hello'";
        assert_eq!(profile_for_vendor("gcp", gcf), "gcp-cloud-functions-python312");
        assert_eq!(profile_for_vendor("tencent", "437 HandlerNotFound"), "tencent-scf");
    }

    #[test]
    fn confirmed_causes_keep_the_order_the_message_gave_them() {
        // The package shows both a mode without x and a file the script runs that is missing; the
        // message read code 13 (EACCES), so the exec bit leads, whatever else resemblance offered.
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o644, b"#!/bin/sh\nexec ./main\n").finish();
        let r = diagnose(
            Some(("f.zip", Cursor::new(zip))),
            &req(None, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."),
        )
        .unwrap();
        assert_eq!(
            r.hypotheses[0].cause,
            "exec-bit-missing",
            "{:?}",
            r.hypotheses.iter().map(|h| (h.cause, h.confidence)).collect::<Vec<_>>()
        );
        assert!(r.hypotheses[0].confidence >= 95);
    }

    /// Serializes `report` as the page's worker does and reads it back.
    fn read_back(report: &Report) -> Report {
        serde_json::from_str(&serde_json::to_string(report).unwrap()).unwrap()
    }

    #[test]
    fn reports_read_back_equal_to_what_was_written() {
        // Findings, files, an ELF, a decoded paste with captured values and hypotheses, weighed.
        let elf = crate::synth::elf(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libc.so.6", "libssl.so.3"],
            None,
            &[("libc.so.6", &["GLIBC_2.34"])],
            2,
        );
        let zip = ZipBuilder::new()
            .dos_file("bootstrap", b"#!/bin/bash\r\nexec ./server\r\n")
            .unix_file("server", 0o755, &elf)
            .unix_file("lib/x.so", 0o644, &elf)
            .finish();
        let pastes = [
            "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.",
            "/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /var/task/bootstrap)",
            "",
        ];
        for paste in pastes {
            let with_package = diagnose(Some(("f.zip", Cursor::new(&zip))), &req(None, paste)).unwrap();
            assert!(!with_package.findings.is_empty() && !with_package.files.is_empty());
            assert_eq!(read_back(&with_package), with_package);
            let paste_only = diagnose(None::<(&str, Cursor<&[u8]>)>, &req(None, paste)).unwrap();
            assert_eq!(read_back(&paste_only), paste_only);
        }
        let unreadable = diagnose(Some(("f.zip", Cursor::new(b"not a zip".to_vec()))), &req(None, "")).unwrap();
        assert!(unreadable.package_error.is_some());
        assert_eq!(read_back(&unreadable), unreadable);
    }

    #[test]
    fn a_kept_package_part_gives_the_report_a_fresh_inspection_gives() {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o644, b"#!/bin/sh\nexec ./main\n").finish();
        let first =
            Plan::new(&req(None, "Function instance exited unexpectedly(code 8, message:exec format error)"), true)
                .unwrap();
        let part = first.inspect("f.zip", Cursor::new(&zip));
        let request = req(None, "Function instance exited unexpectedly(code 13, message:permission denied)");
        let second = Plan::new(&request, true).unwrap();
        assert_eq!(first.package_key(), second.package_key());
        let reused = second.assemble(Some(part));
        assert_eq!(reused, diagnose(Some(("f.zip", Cursor::new(&zip))), &request).unwrap());
        // A paste that names another platform changes the key: the part must not be reused.
        let fc =
            Plan::new(&req(None, "exited unexpectedly(code 13) with start command '/code/bootstrap'"), true).unwrap();
        let lambda = Plan::new(&req(None, "Runtime.InvalidEntrypoint fork/exec /var/task/bootstrap"), true).unwrap();
        assert_ne!(fc.package_key(), lambda.package_key());
        // With nothing said, the package decides: its key is not the default profile's, but what it
        // was checked against serves a later plan for that profile.
        let nothing = Plan::new(&req(None, ""), true).unwrap();
        let chosen_fc = Plan::new(&req(Some("aliyun-fc"), ""), true).unwrap();
        assert_ne!(nothing.package_key(), chosen_fc.package_key());
        let undetected = nothing.inspect("f.zip", Cursor::new(&zip));
        assert!(chosen_fc.can_reuse(&undetected, "", &StartSpec::default()));
        assert!(!Plan::new(&req(Some("tencent-scf"), ""), true).unwrap().can_reuse(
            &undetected,
            "",
            &StartSpec::default()
        ));
        // A part made for FC does not serve "nothing said": the package might show another platform.
        assert!(!nothing.can_reuse(&undetected, "aliyun-fc", &StartSpec::default()));
    }

    #[test]
    fn the_package_says_its_platform_when_nothing_else_does() {
        let scf = ZipBuilder::new().unix_file("scf_bootstrap", 0o755, b"#!/bin/bash\nexec python3 app.py\n").finish();
        let report = diagnose(Some(("f.zip", Cursor::new(&scf))), &req(None, "")).unwrap();
        assert_eq!((report.platform, report.platform_basis), ("tencent-scf-web", PlatformBasis::Package));
        assert!(report.start_note.as_deref().unwrap().contains("scf_bootstrap at the root"));
        let lambda =
            ZipBuilder::new().unix_file("lambda_function.py", 0o644, b"def lambda_handler(e, c):\n    pass\n").finish();
        let report = diagnose(Some(("f.zip", Cursor::new(&lambda))), &req(None, "")).unwrap();
        assert_eq!(report.platform, "aws-lambda-python3.12");
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        // A bootstrap runs on several platforms: the default, and the report says it could not tell.
        let bootstrap = ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec ./main\n").finish();
        let report = diagnose(Some(("f.zip", Cursor::new(&bootstrap))), &req(None, "")).unwrap();
        assert_eq!(report.platform_basis, PlatformBasis::Default);
        assert!(report.start_note.as_deref().unwrap().contains("does not say which platform"));
        // A choice, or a paste, wins over the package.
        let report = diagnose(Some(("f.zip", Cursor::new(&scf))), &req(Some("aliyun-fc"), "")).unwrap();
        assert_eq!(report.platform, "aliyun-fc");
    }

    /// The GLIBC hypothesis's package note for `bootstrap`, with a paste naming GLIBC_2.34.
    fn glibc_note(bootstrap: &[u8]) -> Option<String> {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o755, bootstrap).finish();
        let r = diagnose(
            Some(("f.zip", Cursor::new(zip))),
            &req(Some("aws-lambda-al2"), "/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /var/task/bootstrap)"),
        )
        .unwrap();
        r.hypotheses.iter().find(|h| h.cause == "glibc-too-new").and_then(|h| h.package_note.clone())
    }

    #[test]
    fn a_check_that_did_not_run_rules_nothing_out() {
        // An ELF whose needs cannot be read (the program headers point past its end).
        let mut unreadable =
            crate::elf::testing::elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &[], 2);
        unreadable.truncate(300);
        let note = glibc_note(&unreadable);
        assert!(!note.as_deref().unwrap_or_default().contains("does not show this"), "{note:?}");
        // One read whole, needing nothing new, rules it out.
        let plain = crate::elf::testing::elf(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libc.so.6"],
            None,
            &[("libc.so.6", &["GLIBC_2.17"])],
            2,
        );
        let note = glibc_note(&plain);
        assert!(note.as_deref().unwrap_or_default().contains("does not show this"), "{note:?}");
    }

    #[test]
    fn names_amplified_by_an_elf_stay_small_in_the_report() {
        // 3,000 DT_NEEDED entries all pointing at one 4 MiB name: the report names it once, cut.
        let long = "x".repeat(4 << 20);
        let needed: Vec<&str> = std::iter::repeat_n(long.as_str(), 3000).collect();
        let bomb = crate::elf::testing::elf(Some("/lib64/ld-linux-x86-64.so.2"), &needed, None, &[], 2);
        let zip = ZipBuilder::new().deflated_file("bootstrap", 0o755, &bomb).finish();
        assert!(zip.len() < 64 << 10, "the bomb is small: {} bytes", zip.len());
        let r = diagnose(Some(("bomb.zip", Cursor::new(zip))), &req(Some("aws-lambda-al2023"), "")).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.len() < 64 << 10, "report of {} bytes", json.len());
        assert!(r.package.as_ref().is_some_and(|p| p.elf_over_limits));
    }

    #[test]
    fn package_confirms_and_rules_out() {
        let zip = ZipBuilder::new().dos_file("bootstrap", b"#!/bin/bash\necho ready\n").finish();
        let r = diagnose(
            Some(("f.zip", Cursor::new(zip))),
            &req(None, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."),
        )
        .unwrap();
        assert_eq!(r.platform, "aliyun-fc");
        assert_eq!(r.platform_basis, PlatformBasis::Detected);
        assert_eq!(r.hypotheses[0].cause, "exec-bit-missing");
        assert!(r.hypotheses[0].confidence >= 95);
        assert!(r.hypotheses[0].package_note.as_deref().unwrap().starts_with("Confirmed"));

        let good = ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/bash\necho ready\n").finish();
        let r = diagnose(
            Some(("f.zip", Cursor::new(good))),
            &req(None, "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."),
        )
        .unwrap();
        let h = r.hypotheses.iter().find(|h| h.cause == "exec-bit-missing").unwrap();
        assert!(h.confidence < 30, "{}", h.confidence);
        assert!(h.package_note.as_deref().unwrap().contains("does not show"));
    }

    #[test]
    fn nested_package_explains_missing_file() {
        let zip = ZipBuilder::new().unix_file("myapp/bootstrap", 0o755, b"#!/bin/bash\n").finish();
        let r = diagnose(
            Some(("f.zip", Cursor::new(zip))),
            &req(Some("aliyun-fc"), "Error: the file /code/bootstrap is not exist"),
        )
        .unwrap();
        let h = r.hypotheses.iter().find(|h| h.cause == "entry-missing").unwrap();
        assert_eq!(
            h.package_note.as_deref(),
            Some("The error says /code/bootstrap does not exist; your package has it at myapp/bootstrap.")
        );
        assert!(r.hypotheses.iter().take(2).any(|h| h.cause == "entry-nested"));
    }

    #[test]
    fn start_command_from_error_guides_the_package_check() {
        let zip = ZipBuilder::new().unix_file("app.py", 0o644, b"print(1)\n").finish();
        let r = diagnose(
            Some(("f.zip", Cursor::new(zip))),
            &req(None, "Function instance exited unexpectedly(code 2, message:no such file or directory) with start command 'python3 not_exist_file.py '."),
        )
        .unwrap();
        assert_eq!(r.start.start_command.as_deref(), Some("python3 not_exist_file.py"));
        assert!(r.findings.iter().any(|f| f.id == "entry-missing" && f.path.as_deref() == Some("not_exist_file.py")));
        assert_eq!(r.hypotheses[0].cause, "entry-missing");
    }

    #[test]
    fn unknown_platform_and_bad_package() {
        let err = diagnose::<Cursor<Vec<u8>>>(None, &req(Some("heroku"), "x")).unwrap_err();
        assert!(err.to_string().contains("aliyun-fc"));
        let r = diagnose(Some(("x.zip", Cursor::new(b"not a zip".to_vec()))), &Request::default()).unwrap();
        assert!(r.package_error.unwrap().contains("not a zip"));
    }
}
