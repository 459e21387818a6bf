//! Permission checks. Ids: `exec-bit-missing` (files the kernel executes), `not-readable` (files and
//! directories the platform's non-root user cannot read or enter).
//!
//! The mode comes from the central directory (checks.md §1.5): only a Unix host byte carries one.

use super::messages::{platform_says, StartFailure};
use super::{Ctx, Finding, Severity};
use crate::archive::{Entry, HostSystem, StoredMode};
use crate::entry::Target;
use crate::ids;

/// Fires when the extracted file will lack the execute bit the platform's user needs.
pub(crate) fn check_exec_bit(ctx: &Ctx<'_>, target: &Target, entry: &Entry) -> Option<Finding> {
    let profile = ctx.profile;
    let perms = entry.effective_permissions();
    let host = entry.host.describe();
    let stored = entry.stored_mode.describe();
    let attrs = format!("external attributes 0x{:08x}", entry.external_attributes);
    let (title, mut evidence, explanation, severity) = match entry.stored_mode {
        StoredMode::NotStored { ignored_mode } => {
            let who = if entry.host == HostSystem::MacOsX {
                "a macOS library that writes host 19, whose modes Info-ZIP-style extractors ignore"
            } else if entry.host.is_windows_like() {
                "a Windows tool (Explorer, 7-Zip, PowerShell, .NET), Java's jar or Go's archive/zip"
            } else {
                "a tool whose host system does not carry Unix modes"
            };
            let mut ev = vec![format!("{}: {host}, {stored}", entry.path()), attrs];
            if let Some(m) = ignored_mode.filter(|m| m & 0o111 != 0) {
                ev.push(format!("the ignored high bits {:o} do include x, but extractors discard them under this host", m & 0o7777));
            }
            ev.push("extracted on Linux as -rw-r--r-- (0644)".into());
            (
                format!("{} has no Unix permissions stored: it will not be executable", entry.path()),
                ev,
                format!("The zip was written by {who}. Without a stored mode, the platform extracts the file without its execute bit and exec fails with EACCES."),
                Severity::Error,
            )
        }
        StoredMode::UnixZero => (
            format!("{} is stored with mode 0000: unreadable and not executable", entry.path()),
            vec![format!("{}: {host}, {stored}", entry.path()), attrs],
            "A Unix host byte with mode 0 is what .NET before 7 and PowerShell 7 on Linux write. Extractors apply it literally: nobody may read or execute the file.".into(),
            Severity::Error,
        ),
        StoredMode::Unix { .. } if perms & 0o111 == 0 => (
            format!("{} is not executable ({:04o})", entry.path(), perms),
            vec![format!("{}: {host}, {stored}", entry.path()), attrs],
            "The mode stored in the zip has no execute bit, so exec fails with EACCES.".into(),
            Severity::Error,
        ),
        StoredMode::Unix { .. } if !profile.runs_as_root && perms & 0o001 == 0 => {
            let severity = if profile.user_provenance.is_documented() { Severity::Error } else { Severity::Warning };
            let user_fact = user_fact(profile);
            (
                format!("{} is executable only by its owner ({:04o})", entry.path(), perms),
                vec![format!("{}: {host}, {stored}", entry.path()), attrs, user_fact],
                "Files are extracted owned by another user, so the 'others' execute bit is the one that counts.".into(),
                severity,
            )
        }
        _ => return None,
    };
    evidence.dedup();
    let fix = format!(
        "chmod 755 {file} && zip -r function.zip .   # on Linux, macOS or WSL\n\
         # from Windows: use WSL, or a packer that sets modes (build-lambda-zip, cargo lambda, serverless-devs)",
        file = entry.path()
    );
    Some(Finding {
        id: ids::EXEC_BIT_MISSING,
        severity,
        path: Some(entry.path().to_string()),
        title,
        evidence,
        platform_message: Some(platform_says(profile, StartFailure::Exec(13), &target.platform_path, &target.command)),
        explanation,
        fix,
    })
}

/// "… runs your code as a non-root user (documented)" with how sure that is.
fn user_fact(profile: &crate::profiles::Profile) -> String {
    format!("{} runs your code as a non-root user ({})", profile.name, profile.user_provenance.describe())
}

/// Files named at most in the aggregated finding.
const NAMED: usize = 10;

/// The platform runs code as a non-root user: files need o+r, directories o+x.
/// `exec_targets` are left to `exec-bit-missing`, which already names their mode.
pub(crate) fn check_readable(
    ctx: &Ctx<'_>,
    read_targets: &[(&Target, &Entry)],
    exec_targets: &[usize],
) -> Vec<Finding> {
    let profile = ctx.profile;
    if profile.runs_as_root {
        return Vec::new();
    }
    let unreadable = |e: &Entry| match e.stored_mode {
        StoredMode::UnixZero => true,
        StoredMode::Unix { mode } if e.entry_type == crate::archive::EntryType::Directory => mode & 0o001 == 0,
        StoredMode::Unix { mode } => mode & 0o004 == 0,
        StoredMode::NotStored { .. } => false,
    };
    let user_fact = user_fact(profile);
    let target_severity = if profile.user_provenance.is_documented() { Severity::Error } else { Severity::Warning };
    let fix = "chmod -R a+rX . && zip -r function.zip .   # files 644, directories and programs 755
               # Python zipfile.writestr: set info.external_attr = 0o100644 << 16"
        .to_string();
    let mut out = Vec::new();
    let mut reported: Vec<usize> = Vec::new();
    for (target, entry) in read_targets.iter().filter(|(_, e)| unreadable(e)) {
        reported.push(entry.index);
        out.push(Finding {
            id: ids::NOT_READABLE,
            severity: target_severity,
            path: Some(entry.path().to_string()),
            title: format!("{} cannot be read by the platform's user ({})", entry.path(), entry.stored_mode.describe()),
            evidence: vec![
                format!("{}: {}, {}", entry.path(), entry.host.describe(), entry.stored_mode.describe()),
                user_fact.clone(),
            ],
            platform_message: Some(format!(
                "[Errno 13] Permission denied: '{}' / EACCES: permission denied, open '{0}'",
                target.platform_path
            )),
            explanation: "The files are extracted owned by another user, so only the 'others' permission bits apply: \
                          without r the file cannot be opened."
                .into(),
            fix: fix.clone(),
        });
    }
    let rest: Vec<&Entry> = ctx
        .entries
        .iter()
        .filter(|e| unreadable(e) && !reported.contains(&e.index) && !exec_targets.contains(&e.index))
        .collect();
    if !rest.is_empty() {
        let names: Vec<String> =
            rest.iter().take(NAMED).map(|e| format!("{} ({})", e.path(), e.stored_mode.describe())).collect();
        let more = if rest.len() > NAMED { format!(" and {} more", rest.len() - NAMED) } else { String::new() };
        out.push(Finding {
            id: ids::NOT_READABLE,
            severity: Severity::Warning,
            path: Some(rest[0].path().to_string()),
            title: format!("{} entries cannot be read (or entered) by the platform's user", rest.len()),
            evidence: vec![format!("{}{more}", names.join(", ")), user_fact],
            platform_message: None,
            explanation: "Files without the 'others' read bit and directories without the 'others' execute bit are \
                          unusable to a non-root user: importing or opening them fails with EACCES."
                .into(),
            fix,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, ids, run};
    use crate::checks::Severity;
    use crate::synth::ZipBuilder;

    const SCRIPT: &[u8] = b"#!/bin/sh\necho hi\n";

    #[test]
    fn windows_zip_has_no_mode() {
        let i = run(ZipBuilder::new().dos_file("bootstrap", SCRIPT).finish(), "aliyun-fc", "");
        assert_eq!(errors(&i), ["exec-bit-missing"]);
        let f = &i.findings[0];
        assert!(f.evidence[0].contains("host 0"), "{:?}", f.evidence);
        assert!(f.platform_message.as_deref().unwrap().contains("code 13, message:permission denied"));
    }

    #[test]
    fn host_zero_with_exec_bits_is_still_not_executable() {
        let zip = ZipBuilder::new().raw_entry(b"bootstrap", SCRIPT, 0, 0o100755 << 16, 0, 0).finish();
        assert_eq!(errors(&run(zip, "aws-lambda-al2023", "")), ["exec-bit-missing"]);
    }

    #[test]
    fn mode_zero_and_0644_fire() {
        assert_eq!(
            errors(&run(ZipBuilder::new().unix_file("bootstrap", 0, SCRIPT).finish(), "aliyun-fc", "")),
            ["exec-bit-missing"]
        );
        assert_eq!(
            errors(&run(ZipBuilder::new().unix_file("bootstrap", 0o644, SCRIPT).finish(), "aliyun-fc", "")),
            ["exec-bit-missing"]
        );
    }

    #[test]
    fn owner_only_depends_on_user() {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o744, SCRIPT).finish();
        assert!(ids(&run(zip.clone(), "aliyun-fc", "")).is_empty(), "FC runs as root");
        let lambda = run(zip.clone(), "aws-lambda-al2023", "");
        assert_eq!(lambda.findings[0].severity, Severity::Error);
        let scf = run(zip, "tencent-scf", "");
        assert_eq!(scf.findings[0].severity, Severity::Warning, "SCF's user is not documented");
    }

    #[test]
    fn executable_modes_do_not_fire() {
        for perm in [0o755, 0o777, 0o775, 0o555] {
            let zip = ZipBuilder::new().unix_file("bootstrap", perm, SCRIPT).finish();
            assert!(ids(&run(zip, "aws-lambda-al2", "")).is_empty(), "{perm:o}");
        }
    }

    #[test]
    fn unreadable_files_fire_for_non_root_platforms() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .unix_file("handler.py", 0o600, b"def handler(e, c): pass\n")
            .unix_dir("lib/", 0o700)
            .finish();
        let i = run(zip.clone(), "aws-lambda-al2023", "");
        let f = i.findings.iter().find(|f| f.id == "not-readable").expect("not-readable");
        assert_eq!(f.severity, Severity::Warning);
        assert!(f.title.starts_with("2 entries"), "{}", f.title);
        assert!(ids(&run(zip, "aliyun-fc", "")).is_empty(), "FC runs as root");

        let zip = ZipBuilder::new().unix_file("app.py", 0o640, b"print(1)\n").finish();
        let i = run(zip, "gcp-cloud-run", "python3 app.py");
        assert_eq!(i.findings[0].id, "not-readable");
        assert_eq!(i.findings[0].severity, Severity::Warning, "Cloud Run's user is derived: a warning");
        let zip = ZipBuilder::new().unix_file("index.py", 0o600, b"def main_handler(e, c): pass\n").finish();
        let i = run(zip, "aws-lambda-al2023", "python3 index.py");
        assert_eq!(errors(&i), ["not-readable"]);
    }

    #[test]
    fn readable_modes_do_not_fire() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .unix_file("a.py", 0o644, b"")
            .unix_dir("lib/", 0o755)
            .dos_file("b.py", b"")
            .finish();
        assert!(ids(&run(zip, "aws-lambda-al2023", "")).is_empty());
    }

    #[test]
    fn read_targets_need_no_exec_bit() {
        let zip = ZipBuilder::new().dos_file("app.py", b"print(1)\n").finish();
        assert!(ids(&run(zip, "aliyun-fc", "python3 app.py")).is_empty());
    }
}
