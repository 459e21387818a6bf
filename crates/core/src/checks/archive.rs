//! Archive-level checks: entries no platform extractor can unpack or place where they belong, and
//! limits on the archive as a whole. Ids: `zip-encrypted`, `zip-method-unsupported`, `unsafe-path`,
//! `duplicate-entry`, `symlink-outside`, `macos-metadata`, `size-limit`.
//!
//! Platforms unpack with ordinary extractors that know stored (0) and deflate (8) only, and no
//! password is ever given, so an encrypted or exotically compressed entry is a failed upload or a
//! missing file at start-up.

use super::{Ctx, Finding, Severity};
use crate::ids;

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
            id: ids::ZIP_ENCRYPTED,
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
            id: ids::ZIP_METHOD_UNSUPPORTED,
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

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Why an entry name is unsafe to extract, or `None` (the repair refuses to write such names too).
pub(crate) fn unsafe_reason(name: &str, host_windows: bool) -> Option<&'static str> {
    let bytes = name.as_bytes();
    if name.starts_with('/') {
        Some("an absolute path")
    } else if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        Some("a Windows drive letter")
    } else if name.split(['/', '\\']).any(|c| c == "..") {
        Some("a '..' component that climbs out of the package")
    } else if name.contains('\\') && host_windows {
        Some("backslash separators (Windows PowerShell 5.1 Compress-Archive): most extractors create one file literally named so")
    } else if name.contains('\0') {
        Some("a NUL byte")
    } else if name.split('/').any(|c| c.len() > 255) || name.len() > 4096 {
        Some("a name longer than Linux allows (255 bytes per component, 4096 in all)")
    } else {
        None
    }
}

/// Names, links and sizes: the container-level layout.
pub(crate) fn check_layout(
    ctx: &Ctx<'_>,
    duplicates: &[String],
    total_bytes: u64,
    prefix_bytes: u64,
    trailing_bytes: u64,
) -> Vec<Finding> {
    let p = ctx.profile;
    let mut out = Vec::new();
    let unsafe_entries: Vec<(&super::Entry, &str)> = ctx
        .entries
        .iter()
        .filter_map(|e| {
            let special = (e.entry_type == super::EntryType::Special)
                .then_some("a FIFO, device or socket: extractors fail or hang on it");
            special.or_else(|| unsafe_reason(&e.name, e.host.is_windows_like())).map(|r| (e, r))
        })
        .collect();
    if !unsafe_entries.is_empty() {
        out.push(Finding {
            id: ids::UNSAFE_PATH,
            severity: Severity::Error,
            path: Some(unsafe_entries[0].0.name.clone()),
            title: format!(
                "{} entr{} with paths extractors reject or rewrite",
                unsafe_entries.len(),
                if unsafe_entries.len() == 1 { "y" } else { "ies" }
            ),
            evidence: unsafe_entries.iter().take(NAMED).map(|(e, r)| format!("{:?}: {r}", e.name)).collect(),
            platform_message: None,
            explanation:
                "Extractors refuse such paths, strip them (Info-ZIP: \"skipped ../ path component\"), or write \
                          the file somewhere else: either way it is not where your code expects it."
                    .into(),
            fix: "Zip from inside the package directory with relative paths: cd myfunc && zip -r ../function.zip .   \
                  (on Windows: PowerShell 7's Compress-Archive or 7-Zip write '/' separators)"
                .into(),
        });
    }
    let garbled: Vec<&super::Entry> = ctx.entries.iter().filter(|e| e.name_not_utf8).collect();
    if !garbled.is_empty() {
        out.push(Finding {
            id: ids::UNSAFE_PATH,
            severity: Severity::Warning,
            path: Some(garbled[0].name.clone()),
            title: format!("{} entr{} named in a Windows code page, not UTF-8", garbled.len(), if garbled.len() == 1 { "y is" } else { "ies are" }),
            evidence: garbled.iter().take(NAMED).map(|e| format!("{:?}: not valid UTF-8 ({})", e.name, e.host.describe())).collect(),
            platform_message: None,
            explanation: "Windows zippers write names in the system code page (GBK, Shift-JIS) without the UTF-8 flag; \
                          Linux extractors decode them differently, so the files get other, garbled names. It matters \
                          when your code opens them by name."
                .into(),
            fix: "Use ASCII file names, or zip with a tool that writes UTF-8 names (7-Zip: -mcu=on; Info-ZIP 3 on Linux).".into(),
        });
    }
    if prefix_bytes > 0 || trailing_bytes > 0 {
        let mut evidence = Vec::new();
        if prefix_bytes > 0 {
            evidence.push(format!(
                "{prefix_bytes} bytes before the first entry (a self-extractor stub or a file glued in front)"
            ));
        }
        if trailing_bytes > 0 {
            evidence.push(format!("{trailing_bytes} bytes after the end-of-central-directory record"));
        }
        out.push(Finding {
            id: ids::ZIP_EXTRA_DATA,
            severity: Severity::Warning,
            path: None,
            title: "The zip has data before or after the archive proper".into(),
            evidence,
            platform_message: if ctx.profile.vendor == "aws" {
                Some("Could not unzip uploaded file. Please check your file, then try to upload again.".into())
            } else {
                None
            },
            explanation: "Lenient readers skip it; strict platform extractors may refuse the upload. Self-extracting \
                          archives and files concatenated by a build step look like this."
                .into(),
            fix: "Zip the files again with a plain zip tool: zip -r function.zip .".into(),
        });
    }
    let unzipped_total: u64 = ctx.entries.iter().map(|e| e.size).sum();
    if total_bytes > 0 && unzipped_total / total_bytes.max(1) > 100 && unzipped_total > 100 << 20 {
        out.push(Finding {
            id: ids::SIZE_LIMIT,
            severity: Severity::Info,
            path: None,
            title: format!("The package inflates {}:1", unzipped_total / total_bytes.max(1)),
            evidence: vec![format!("{total_bytes} bytes zipped, {unzipped_total} bytes unzipped (from the directory)")],
            platform_message: None,
            explanation: "An extreme ratio means huge sparse or repetitive files (or a zip bomb): they still count \
                          against unzipped limits and cold-start time."
                .into(),
            fix: "Check the largest entries in the file list and drop what the function does not need.".into(),
        });
    }
    let files = ctx.entries.iter().filter(|e| e.entry_type == super::EntryType::File).count();
    if files > 10_000 {
        out.push(Finding {
            id: ids::SIZE_LIMIT,
            severity: Severity::Info,
            path: None,
            title: format!("{files} files in the package"),
            evidence: vec![format!("{files} regular files in the central directory")],
            platform_message: None,
            explanation: "No platform documents a file-count limit, but every file is extracted at cold start: many \
                          small files (node_modules, site-packages) slow start-up."
                .into(),
            fix: "Bundle the code (esbuild, ncc) or trim dependencies; move rarely used assets to object storage."
                .into(),
        });
    }
    if !duplicates.is_empty() {
        out.push(Finding {
            id: ids::DUPLICATE_ENTRY,
            severity: Severity::Warning,
            path: Some(duplicates[0].clone()),
            title: format!("{} name{} stored more than once", duplicates.len(), if duplicates.len() == 1 { " is" } else { "s are" }),
            evidence: vec![format!("central directory repeats: {}", listed(&duplicates.iter().take(NAMED).map(String::as_str).collect::<Vec<_>>(), duplicates.len()))],
            platform_message: None,
            explanation: "Which copy an extractor keeps differs (Info-ZIP asks or overwrites in order, others keep the \
                          last): the file your function gets may not be the one you checked. Bootdoctor inspects one copy."
                .into(),
            fix: "Re-create the zip from a clean directory instead of appending to an old zip (zip -r adds; use a new file).".into(),
        });
    }
    for (&link, target) in &ctx.link_texts {
        let entry = &ctx.entries[link];
        let dir = entry.path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let escapes = target.starts_with('/')
            || crate::entry::normalize_relative(&format!("{dir}/{target}")).is_none() && target.contains("..");
        if !escapes {
            continue;
        }
        let is_target = ctx.targets.iter().any(|t| t.alternatives.iter().any(|a| a == entry.path()));
        out.push(Finding {
            id: ids::SYMLINK_OUTSIDE,
            severity: if is_target { Severity::Error } else { Severity::Warning },
            path: Some(entry.path().to_string()),
            title: format!("{} is a link to {target}, outside the package", entry.path()),
            evidence: vec![format!("{}: symlink ({}) → {target}", entry.path(), entry.stored_mode.describe())],
            platform_message: None,
            explanation: format!(
                "Links are restored as links; {target} does not exist on the platform (it was a path on the machine that \
                 made the zip), so the link dangles."
            ),
            fix: "Zip the file the link points to instead of the link: zip -r (without -y) follows links, or copy the target in.".into(),
        });
    }
    let mac: Vec<&super::Entry> = ctx
        .entries
        .iter()
        .filter(|e| e.path().starts_with("__MACOSX") || e.file_name() == ".DS_Store" || e.file_name().starts_with("._"))
        .collect();
    if !mac.is_empty() {
        out.push(Finding {
            id: ids::MACOS_METADATA,
            severity: Severity::Info,
            path: Some(mac[0].path().to_string()),
            title: format!("{} macOS metadata entries (__MACOSX/, .DS_Store, ._*)", mac.len()),
            evidence: vec![format!(
                "{}, {} in all",
                listed(&mac.iter().take(5).map(|e| e.path()).collect::<Vec<_>>(), mac.len()),
                human(mac.iter().map(|e| e.size).sum())
            )],
            platform_message: None,
            explanation:
                "Finder's Compress adds these. They do not stop a start, but ._*.py and ._*.js files are not code \
                          and trip tools that glob for sources."
                    .into(),
            fix: "zip -r function.zip . -x '__MACOSX/*' '*.DS_Store' '._*'   (or: ditto -c -k --norsrc --noextattr)"
                .into(),
        });
    }
    for limit in p.zipped_limits {
        if total_bytes > limit.bytes {
            out.push(Finding {
                id: ids::SIZE_LIMIT,
                severity: if limit.hard { Severity::Error } else { Severity::Warning },
                path: None,
                title: format!("The zip is {}, over {} for {}", human(total_bytes), human(limit.bytes), p.name),
                evidence: vec![format!("zip file: {total_bytes} bytes; limit {} bytes", limit.bytes), limit.note.to_string()],
                platform_message: None,
                explanation: "The platform refuses uploads above this size on this route.".into(),
                fix: "Upload through object storage (S3 / OSS / COS), or slim the package: drop dev dependencies, tests, \
                      docs, source maps, __pycache__."
                    .into(),
            });
        }
    }
    if let Some(limit) = p.unzipped_limit {
        let unzipped: u64 = ctx.entries.iter().map(|e| e.size).sum();
        if unzipped > limit.bytes {
            let mut biggest: Vec<&super::Entry> = ctx.entries.iter().collect();
            biggest.sort_by_key(|e| std::cmp::Reverse(e.size));
            out.push(Finding {
                id: ids::SIZE_LIMIT,
                severity: Severity::Error,
                path: None,
                title: format!("Unzipped, the package is {}, over {} for {}", human(unzipped), human(limit.bytes), p.name),
                evidence: vec![
                    format!("sum of uncompressed sizes: {unzipped} bytes; limit {} bytes", limit.bytes),
                    limit.note.to_string(),
                    format!("largest: {}", biggest.iter().take(5).map(|e| format!("{} ({})", e.path(), human(e.size))).collect::<Vec<_>>().join(", ")),
                ],
                platform_message: Some(limit.note.to_string()),
                explanation: "The limit applies to the extracted code (with layers on Lambda); no upload route lifts it.".into(),
                fix: "Remove what the function does not need, move large assets to object storage, or use a container image."
                    .into(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, ids, run};
    use crate::synth::ZipBuilder;

    const SCRIPT: &[u8] = b"#!/bin/sh\necho ready\n";

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
    fn unsafe_paths_duplicates_links_and_mac_noise() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .unix_file("../evil", 0o644, b"")
            .unix_file("bootstrap", 0o755, SCRIPT)
            .unix_symlink("node", "/usr/local/bin/node")
            .unix_file("__MACOSX/._bootstrap", 0o644, b"\x00\x05\x16\x07")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        let ids: Vec<&str> = i.findings.iter().map(|f| f.id).collect();
        for id in ["unsafe-path", "duplicate-entry", "symlink-outside", "macos-metadata"] {
            assert!(ids.contains(&id), "{id} in {ids:?}");
        }
        assert_eq!(errors(&i), ["unsafe-path"]);
    }

    #[test]
    fn special_files_and_long_names() {
        let fifo = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .raw_entry(b"pipe", b"", 3, 0o010600 << 16, 0, 0)
            .finish();
        assert_eq!(errors(&run(fifo, "aliyun-fc", "")), ["unsafe-path"]);
        let long =
            ZipBuilder::new().unix_file("bootstrap", 0o755, SCRIPT).unix_file(&"x".repeat(300), 0o644, b"").finish();
        assert_eq!(errors(&run(long, "aliyun-fc", "")), ["unsafe-path"]);
        let gbk = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .raw_entry(b"\xd6\xd0\xce\xc4.txt", b"", 0, 0x20, 0, 0)
            .finish();
        let i = run(gbk, "aliyun-fc", "");
        assert!(errors(&i).is_empty(), "a garbled data file name is a warning");
        assert_eq!(ids(&i), ["unsafe-path"]);
    }

    #[test]
    fn data_around_the_archive_is_reported() {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o755, SCRIPT).finish();
        let mut prefixed = b"#!/bin/sh\nexec unzip \"$0\"\n".to_vec();
        prefixed.extend_from_slice(&zip);
        assert!(ids(&run(prefixed, "aws-lambda-al2023", "")).contains(&"zip-extra-data"));
        let mut trailing = zip.clone();
        trailing.extend_from_slice(b"junk after the end");
        assert!(ids(&run(trailing, "aws-lambda-al2023", "")).contains(&"zip-extra-data"));
        assert!(!ids(&run(zip, "aws-lambda-al2023", "")).contains(&"zip-extra-data"));
    }

    #[test]
    fn clean_layout_does_not_fire() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, SCRIPT)
            .unix_symlink("main", "bin/main")
            .unix_file("bin/main", 0o755, b"\x7fELF")
            .finish();
        assert!(!run(zip, "aliyun-fc", "").findings.iter().any(|f| matches!(
            f.id,
            "unsafe-path" | "duplicate-entry" | "symlink-outside" | "macos-metadata" | "size-limit"
        )));
    }

    #[test]
    fn unzipped_size_limit_from_the_directory_alone() {
        // A stored entry that claims 300 MB: the limit is computed from sizes, never by inflating.
        let mut zip =
            ZipBuilder::new().unix_file("bootstrap", 0o755, SCRIPT).unix_file("big.bin", 0o644, b"x").finish();
        let claim = 300_000_000u32.to_le_bytes();
        let cd = zip.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        zip[cd + 24..cd + 28].copy_from_slice(&claim);
        let i = run(zip, "aws-lambda-al2023", "");
        assert_eq!(errors(&i), ["size-limit"]);
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
