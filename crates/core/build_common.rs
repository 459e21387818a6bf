//! What the build script's parts share: reading TOML files and refusing bad data with the file's
//! name. Included by `build.rs` and by the tests that feed the profile compiler broken data.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Directory names under `knowledge/patterns/`: the vendor that prints a pattern's text.
pub const VENDORS: &[&str] = &["generic", "aliyun", "tencent", "aws", "gcp", "azure", "huawei"];

/// The `.toml` files in `dir`, sorted, each registered with cargo for rebuilds.
pub fn toml_files(dir: &Path) -> Vec<PathBuf> {
    if !dir.exists() {
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("knowledge: cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    files
}

/// Parses `path` as `T`, or stops the build naming the file.
pub fn parse<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("knowledge: cannot read {}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("knowledge: {}: {e}", path.display()))
}

/// Stops the build with `what` about `path` unless `ok`.
pub fn check(path: &Path, ok: bool, what: &str) {
    assert!(ok, "knowledge: {}: {what}", path.display());
}

/// `items` as a Rust `&[&str]` literal.
pub fn strs(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", inner.join(", "))
}
