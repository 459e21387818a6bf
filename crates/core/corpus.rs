//! The real-world paste corpus (`tests/pastes/*.txt`): its record format and its train/test split.
//!
//! Shared, as a `#[path]` module, by the build script (which learns the fallback ranker from the
//! *train* part only) and by the evaluation test (which scores both parts), so the two can never
//! disagree on which paste is which. No dependencies beyond `std`.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One labelled paste.
#[derive(Debug, Clone)]
pub struct Record {
    /// Cause id the thread's resolution names.
    pub cause: String,
    /// Platform it ran on (`aws-lambda`, `aliyun-fc`, …).
    pub platform: String,
    /// Language of the paste's own words (`en`, `zh`, …).
    pub lang: String,
    /// The thread's URL; the split key.
    pub source: String,
    /// What the thread says fixed it.
    pub resolution: String,
    /// The paste, verbatim.
    pub paste: String,
    /// The file it came from, for messages.
    pub file: String,
}

/// Which part of the corpus a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// Rules and weights may be derived from it.
    Train,
    /// Only ever scored.
    Test,
}

/// Parses one corpus file. Errors name the file and line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Record>, String> {
    let mut records = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if line.trim().is_empty() || (records.is_empty() && line.starts_with('#')) {
            continue;
        }
        if line.trim_end() != "@@@ case" {
            return Err(format!("{file}:{}: expected `@@@ case`, found {line:?}", n + 1));
        }
        let mut record = Record {
            cause: String::new(),
            platform: String::new(),
            lang: String::new(),
            source: String::new(),
            resolution: String::new(),
            paste: String::new(),
            file: file.to_string(),
        };
        let mut body = false;
        for (n, line) in lines.by_ref() {
            if line.trim_end() == "@@@ paste" {
                body = true;
                break;
            }
            let Some((key, value)) = line.split_once(':') else {
                return Err(format!("{file}:{}: expected `key: value`, found {line:?}", n + 1));
            };
            let value = value.trim().to_string();
            match key.trim() {
                "cause" => record.cause = value,
                "platform" => record.platform = value,
                "lang" => record.lang = value,
                "source" => record.source = value,
                "resolution" => record.resolution = value,
                other => return Err(format!("{file}:{}: unknown field {other:?}", n + 1)),
            }
        }
        if !body {
            return Err(format!("{file}: a record has no `@@@ paste` line"));
        }
        while let Some((_, line)) = lines.peek() {
            if line.trim_end() == "@@@ case" {
                break;
            }
            record.paste.push_str(line);
            record.paste.push('\n');
            lines.next();
        }
        let kept = record.paste.trim_end().len();
        record.paste.truncate(kept);
        for (field, value) in [("cause", &record.cause), ("platform", &record.platform), ("source", &record.source)] {
            if value.is_empty() {
                return Err(format!("{file}: a record has no {field} (source {:?})", record.source));
            }
        }
        if record.paste.trim().is_empty() {
            return Err(format!("{file}: the record from {} has an empty paste", record.source));
        }
        records.push(record);
    }
    Ok(records)
}

/// The split key of a URL: lowercased, `http` → `https`, fragment, query and trailing `/` dropped,
/// GitHub pull requests read as issues (the same number is one thread).
pub fn normalise_source(url: &str) -> String {
    let mut u = url.trim().to_lowercase();
    if let Some(rest) = u.strip_prefix("http://") {
        u = format!("https://{rest}");
    }
    if let Some(i) = u.find('#') {
        u.truncate(i);
    }
    if let Some(i) = u.find('?') {
        u.truncate(i);
    }
    while u.ends_with('/') {
        u.pop();
    }
    if u.starts_with("https://github.com/") {
        u = u.replacen("/pull/", "/issues/", 1);
    }
    u
}

/// 64-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The sources the project cited before the corpus existed (`tests/pastes/known-sources.list`):
/// rules were written from them, so they are always train.
pub fn known_sources(text: &str) -> BTreeSet<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(normalise_source).collect()
}

/// Train (~70 %) or test, by the source's hash; a known source is always train.
pub fn part(source: &str, known: &BTreeSet<String>) -> Part {
    let key = normalise_source(source);
    if known.contains(&key) || fnv1a(key.as_bytes()) % 10 < 7 {
        Part::Train
    } else {
        Part::Test
    }
}

/// The corpus files in `dir`, sorted: every `*.txt` except the collectors' `new-causes-*.txt` notes.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| e == "txt")
                && !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("new-causes-"))
        })
        .collect();
    files.sort();
    files
}
