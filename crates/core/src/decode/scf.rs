//! Tencent SCF's invocation status codes (seed document: the status-code table), by number and name.
//! The table is data: `knowledge/tencent-status-codes.toml`, compiled by the build script.

use super::facts::{prefix, Haystack};

/// One row of the SCF status table.
#[derive(Debug, Clone, Copy)]
pub struct ScfStatus {
    /// The status code.
    pub code: u16,
    /// The status message(s) as printed (the table's spelling, typos included).
    pub names: &'static [&'static str],
    /// What the table says it means.
    pub meaning: &'static str,
    /// Causes with base confidence.
    pub causes: &'static [(&'static str, u8)],
    /// The name is an everyday word ("Success"): count it only next to the number.
    pub needs_number: bool,
}

pub use crate::knowledge::SCF_STATUSES;

/// True when `name` occurs in `text` as a whole word (no letter or digit on either side).
fn contains_word(h: &Haystack<'_>, name: &str) -> Option<usize> {
    let text = h.raw;
    let mut from = 0;
    while let Some(start) = h.find_from(from, name) {
        let end = start + name.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return Some(start);
        }
        from = end;
    }
    None
}

/// Reads a status code from the contexts SCF uses: `"statusCode":437`, `status code 437`,
/// `437 HandlerNotFound`, or a paste that is just the number.
fn status_number(h: &Haystack<'_>) -> Option<u16> {
    let text = h.raw;
    let trimmed = text.trim();
    if trimmed.len() == 3 {
        if let Ok(n) = trimmed.parse::<u16>() {
            return Some(n);
        }
    }
    for marker in ["\"statuscode\":", "statuscode:", "statuscode =", "status code", "statuscode", "status:", "status "]
    {
        if let Some(i) = h.find(marker) {
            let rest = prefix(&text[i + marker.len()..], 12).trim_start_matches([' ', '"', ':', '=']);
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            if digits.len() == 3 {
                return digits.parse().ok();
            }
        }
    }
    None
}

/// The SCF statuses a text names, with the fragment that named each. A number that appears with its
/// name counts once; a name shared by two codes (InvalidParameterValue) is settled by the number.
pub fn find_statuses(h: &Haystack<'_>) -> Vec<(&'static ScfStatus, String)> {
    let text = h.raw;
    let named: Vec<(&'static ScfStatus, usize, &'static str)> = SCF_STATUSES
        .iter()
        .filter_map(|s| s.names.iter().find_map(|n| contains_word(h, n).map(|at| (s, at, *n))))
        .collect();
    // The number: from a statusCode field, or written just before a name ("437 HandlerNotFound").
    let number = status_number(h).or_else(|| {
        named.iter().find(|(s, at, _)| text[..*at].trim_end().ends_with(&s.code.to_string())).map(|(s, _, _)| s.code)
    });
    match number {
        Some(code) => SCF_STATUSES
            .iter()
            .filter(|s| s.code == code)
            .map(|s| {
                let fragment = match named.iter().find(|(n, _, _)| n.code == code) {
                    Some((_, _, name)) => format!("{code} {name}"),
                    None => format!("status {code}"),
                };
                (s, fragment)
            })
            .collect(),
        // A name shared by two codes (InvalidParameterValue) without a number: both, and the caller sees it.
        None => named.into_iter().filter(|(s, _, _)| !s.needs_number).map(|(s, _, n)| (s, n.to_string())).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_by_number_and_by_name() {
        for s in SCF_STATUSES {
            let by_number = find_statuses(&Haystack::new(&format!("{{\"errorCode\":-1,\"statusCode\":{}}}", s.code)));
            assert!(by_number.iter().any(|(f, _)| f.code == s.code), "number {}", s.code);
            for name in s.names.iter().filter(|_| !s.needs_number) {
                let by_name = find_statuses(&Haystack::new(&format!("error: {name}")));
                assert!(by_name.iter().any(|(f, _)| f.code == s.code), "name {name}");
            }
            let both = find_statuses(&Haystack::new(&format!("{} {}", s.code, s.names[0])));
            assert_eq!(both.len(), 1, "{} {}", s.code, s.names[0]);
        }
    }

    #[test]
    fn words_not_substrings() {
        assert!(find_statuses(&Haystack::new("ResourceLimitReached")).iter().all(|(s, _)| s.code == 432));
        assert!(find_statuses(&Haystack::new("line 437 of app.py")).is_empty());
    }
}
