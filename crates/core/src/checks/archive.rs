//! Archive-level checks: entries no platform extractor can unpack. Ids: `zip-encrypted`,
//! `zip-method-unsupported`.
//!
//! Platforms unpack with ordinary extractors that know stored (0) and deflate (8) only, and no
//! password is ever given, so an encrypted or exotically compressed entry is a failed upload or a
//! missing file at start-up.

use super::{Ctx, Finding, Severity};

/// Entries named in evidence at most.
const NAMED: usize = 5;

/// The name of a zip compression method number (APPNOTE 4.4.5).
pub fn method_name(method: u16) -> &'static str {
    match method {
        0 => "stored",
        1 => "shrink",
        2..=5 => "reduce",
        6 => "implode",
        8 => "deflate",
        9 => "deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "xz",
        96 => "JPEG",
        97 => "WavPack",
        98 => "PPMd",
        99 => "AES encryption",
        _ => "unknown",
    }
}

fn aws_unzip_message(ctx: &Ctx<'_>) -> Option<String> {
    (ctx.profile.vendor == "aws").then(|| {
        "Could not unzip uploaded file. Please check your file, then try to upload again. (InvalidZipFileException)"
            .to_string()
    })
}

fn listed(names: &[&str], total: usize) -> String {
    let more = if total > names.len() { format!(" and {} more", total - names.len()) } else { String::new() };
    format!("{}{more}", names.join(", "))
}

/// Encrypted entries and compression methods other than stored and deflate.
pub(crate) fn check_archive(ctx: &Ctx<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    let encrypted: Vec<&str> = ctx.entries.iter().filter(|e| e.encrypted).map(|e| e.path()).collect();
    if !encrypted.is_empty() {
        out.push(Finding {
            id: "zip-encrypted",
            severity: Severity::Error,
            path: (encrypted.len() == 1).then(|| encrypted[0].to_string()),
            title: format!("{} of {} entries are password-protected", encrypted.len(), ctx.entries.len()),
            evidence: vec![format!(
                "encryption flag (general purpose bit 0) or AES method set on: {}",
                listed(&encrypted[..encrypted.len().min(NAMED)], encrypted.len())
            )],
            platform_message: aws_unzip_message(ctx),
            explanation: "The platform unpacks the zip without a password, so encrypted files cannot be extracted: \
                          the upload is refused or the files are missing at start-up."
                .into(),
            fix: "Zip again without a password: zip -r function.zip .   (7-Zip: leave \"Enter password\" empty)".into(),
        });
    }
    let exotic: Vec<&super::Entry> = ctx
        .entries
        .iter()
        .filter(|e| !e.encrypted && !matches!(e.method, 0 | 8) && e.entry_type != super::EntryType::Directory)
        .collect();
    if !exotic.is_empty() {
        let mut methods: Vec<u16> = exotic.iter().map(|e| e.method).collect();
        methods.sort_unstable();
        methods.dedup();
        let method_list = methods.iter().map(|m| format!("{m} ({})", method_name(*m))).collect::<Vec<_>>().join(", ");
        let names: Vec<&str> = exotic.iter().take(NAMED).map(|e| e.path()).collect();
        out.push(Finding {
            id: "zip-method-unsupported",
            severity: Severity::Error,
            path: (exotic.len() == 1).then(|| exotic[0].path().to_string()),
            title: format!("{} entries use compression the platform cannot unpack: method {method_list}", exotic.len()),
            evidence: vec![format!("compression method {method_list} on: {}", listed(&names, exotic.len()))],
            platform_message: aws_unzip_message(ctx),
            explanation: "Platform extractors read stored (0) and deflate (8) entries only. 7-Zip's LZMA/PPMd/xz \
                          options, bzip2, Zstandard and Windows' deflate64 for large files are not understood."
                .into(),
            fix:
                "Zip again with plain deflate: zip -r function.zip .   (7-Zip: Archive format zip, Compression method \
                  Deflate)"
                    .into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, run};
    use crate::synth::ZipBuilder;

    const SCRIPT: &[u8] = b"#!/bin/sh\nexec ./main\n";

    #[test]
    fn encrypted_entries_fire() {
        let zip = ZipBuilder::new().raw_entry(b"bootstrap", SCRIPT, 3, 0o100755 << 16, 0, 1).finish();
        let i = run(zip, "aws-lambda-al2023", "");
        assert!(errors(&i).contains(&"zip-encrypted"), "{:?}", errors(&i));
        let f = i.findings.iter().find(|f| f.id == "zip-encrypted").unwrap();
        assert!(f.platform_message.as_deref().unwrap().contains("Could not unzip"));
    }

    #[test]
    fn exotic_methods_fire() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .raw_entry(b"data.bin", b"xx", 3, 0o100644 << 16, 14, 0)
            .finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["zip-method-unsupported"]);
        assert!(i.findings[0].title.contains("14 (LZMA)"));
    }

    #[test]
    fn stored_and_deflate_do_not_fire() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .deflated_file("app.py", 0o644, b"print(1)\n")
            .finish();
        assert!(errors(&run(zip, "aliyun-fc", "")).is_empty());
    }
}
