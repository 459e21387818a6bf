//! Permission checks on files the kernel executes. Id: `exec-bit-missing`.
//!
//! The mode comes from the central directory (checks.md §1.5): only a Unix host byte carries one.

use super::messages::{platform_says, StartFailure};
use super::{Ctx, Finding, Severity};
use crate::archive::{Entry, HostSystem, StoredMode};
use crate::entry::Target;
use crate::profiles::Provenance;

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
            let severity = match profile.user_provenance {
                Provenance::Documented => Severity::Error,
                Provenance::Derived(_) => Severity::Warning,
            };
            let user_fact = match profile.user_provenance {
                Provenance::Documented => "runs your code as a non-root user".to_string(),
                Provenance::Derived(note) => format!("probably runs your code as a non-root user ({note})"),
            };
            (
                format!("{} is executable only by its owner ({:04o})", entry.path(), perms),
                vec![format!("{}: {host}, {stored}", entry.path()), attrs, format!("{} {user_fact}", profile.name)],
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
        id: "exec-bit-missing",
        severity,
        path: Some(entry.path().to_string()),
        title,
        evidence,
        platform_message: Some(platform_says(profile, StartFailure::Exec(13), &target.platform_path, &target.command)),
        explanation,
        fix,
    })
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
    fn read_targets_need_no_exec_bit() {
        let zip = ZipBuilder::new().dos_file("app.py", b"print(1)\n").finish();
        assert!(ids(&run(zip, "aliyun-fc", "python3 app.py")).is_empty());
    }
}
