//! Reading back the `&'static str` fields of a report (ids, profile names, labels), so that a report
//! serialized in one place — the page's Web Worker — can be deserialized in another.
//!
//! Those fields hold names drawn from the built-in knowledge; each distinct name is interned once
//! (leaked into a process-wide set) and every later copy shares it, so the memory this costs is
//! bounded by the number of distinct names, not by the number of reports read.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use serde::{Deserialize, Deserializer};

/// `&'static str` under another name, for fields read with [`str`]: serde borrows a field spelled
/// `&'static str` from its input (which would tie every report to the input's lifetime), not one
/// spelled through an alias.
pub type StaticStr = &'static str;

/// The one `&'static str` equal to `s`.
pub fn intern(s: &str) -> &'static str {
    static SET: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut set = SET.get_or_init(Default::default).lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(&known) = set.get(s) {
        return known;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

/// `#[serde(deserialize_with = "crate::statics::str")]` for a `&'static str` field.
pub fn str<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let s: Cow<'de, str> = Deserialize::deserialize(d)?;
    Ok(intern(&s))
}

/// The same for an `Option<&'static str>` field.
pub fn opt_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    let s: Option<Cow<'de, str>> = Deserialize::deserialize(d)?;
    Ok(s.map(|s| intern(&s)))
}

/// The same for a `Vec<&'static str>` field.
pub fn vec_str<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<&'static str>, D::Error> {
    let v: Vec<Cow<'de, str>> = Deserialize::deserialize(d)?;
    Ok(v.iter().map(|s| intern(s)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_share_one_allocation() {
        let a = intern(&String::from("exec-bit-missing"));
        let b = intern(&String::from("exec-bit-missing"));
        assert_eq!(a, "exec-bit-missing");
        assert!(std::ptr::eq(a, b));
        assert!(!std::ptr::eq(intern("other"), a));
    }
}
