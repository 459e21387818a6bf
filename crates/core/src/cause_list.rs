//! One ranked list of causes for a report: each cause once, with the package findings of the same
//! id inside it, the causes the package rules out set apart with their reason, and what several
//! causes share (the matched message's meaning, the quoted line) said once above them.
//!
//! A view of a [`Report`] for people (the page, Markdown): nothing is dropped — every hypothesis
//! and every finding appears exactly once, in a cause or among the findings no cause carries.

use crate::checks::Finding;
use crate::decode::Hypothesis;
use crate::report::Report;

/// One cause, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CauseEntry<'a> {
    /// The hypothesis (its id, confidence, title, fix).
    pub hypothesis: &'a Hypothesis,
    /// The package's findings of the same cause id, in report order.
    pub findings: Vec<&'a Finding>,
    /// The hypothesis's explanation, or `None` when it is the one [`CauseList::shared_explanation`]
    /// says for several causes.
    pub explanation: Option<&'a str>,
    /// The quoted lines that are this cause's own (the shared ones, quoted longer or shorter, are
    /// left out).
    pub evidence: Vec<&'a str>,
}

/// The causes of a report, ranked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CauseList<'a> {
    /// What the matched message means, when several causes rest on the same reading.
    pub shared_explanation: Option<&'a str>,
    /// Quoted lines that at least half of the listed causes (two or more) rest on.
    pub shared_evidence: Vec<&'a str>,
    /// The causes still in question, most likely first.
    pub likely: Vec<CauseEntry<'a>>,
    /// The causes the package rules out (each hypothesis's package note says why).
    pub ruled_out: Vec<CauseEntry<'a>>,
    /// Findings no listed cause carries, in report order.
    pub other_findings: Vec<&'a Finding>,
}

/// Whether the package's note rules the hypothesis out.
pub fn is_ruled_out(h: &Hypothesis) -> bool {
    h.package_note
        .as_deref()
        .is_some_and(|n| n.starts_with("Ruled out") || n.starts_with("Your package does not show this"))
}

/// The cause list of `report`.
pub fn cause_list(report: &Report) -> CauseList<'_> {
    let (ruled_out, likely): (Vec<&Hypothesis>, Vec<&Hypothesis>) =
        report.hypotheses.iter().partition(|h| is_ruled_out(h));
    let shared_explanation = most_repeated(likely.iter().map(|h| h.explanation.as_str()));
    // A quoted line that half the causes or more (at least two) rest on is said once.
    let mut shared_evidence: Vec<&str> = Vec::new();
    for h in &likely {
        for e in &h.evidence {
            let holders = likely.iter().filter(|o| o.evidence.contains(e)).count();
            if holders >= 2 && 2 * holders >= likely.len() && !shared_evidence.contains(&e.as_str()) {
                shared_evidence.push(e);
            }
        }
    }
    let shared = Shared { explanation: shared_explanation, evidence: &shared_evidence };
    let likely: Vec<CauseEntry<'_>> = likely.into_iter().map(|h| entry(report, h, Some(&shared))).collect();
    let ruled_out: Vec<CauseEntry<'_>> = ruled_out.into_iter().map(|h| entry(report, h, None)).collect();
    let other_findings =
        report.findings.iter().filter(|f| !report.hypotheses.iter().any(|h| h.cause == f.id)).collect();
    CauseList { shared_explanation, shared_evidence, likely, ruled_out, other_findings }
}

/// What several causes share, left out of each one's entry.
struct Shared<'a, 's> {
    explanation: Option<&'a str>,
    evidence: &'s [&'a str],
}

/// The entry of `h`: its findings, and its own explanation and evidence (without what `shared`
/// says for all).
fn entry<'a>(report: &'a Report, h: &'a Hypothesis, shared: Option<&Shared<'a, '_>>) -> CauseEntry<'a> {
    let findings = report.findings.iter().filter(|f| f.id == h.cause).collect();
    let explanation =
        Some(h.explanation.as_str()).filter(|e| !e.is_empty() && shared.is_none_or(|s| s.explanation != Some(*e)));
    let evidence = h
        .evidence
        .iter()
        .map(String::as_str)
        .filter(|e| !shared.is_some_and(|s| s.evidence.iter().any(|x| same_line(x, e))))
        .collect();
    CauseEntry { hypothesis: h, findings, explanation, evidence }
}

/// Whether two quotes are the same pasted line quoted longer or shorter (cut at a length, or
/// from its middle): the shorter one's first 48 characters (all of it, if shorter) are in the other.
fn same_line(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let head: String = short.chars().take(48).collect();
    !head.is_empty() && long.contains(head.as_str())
}

/// The value given by at least two of `values` (the most often, the first of equals), if any.
fn most_repeated<'a>(values: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let values: Vec<&str> = values.filter(|v| !v.is_empty()).collect();
    let mut best: Option<(&str, usize)> = None;
    for v in &values {
        let n = values.iter().filter(|x| *x == v).count();
        if n >= 2 && best.is_none_or(|(_, m)| n > m) {
            best = Some((v, n));
        }
    }
    best.map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::StartSpec;
    use crate::report::{diagnose, Request};
    use crate::synth::ZipBuilder;
    use std::io::Cursor;

    fn report(zip: Option<Vec<u8>>, paste: &str, platform: &str) -> Report {
        let request = Request {
            platform: Some(platform.into()),
            start: StartSpec::default(),
            error_text: (!paste.is_empty()).then(|| paste.to_string()),
        };
        diagnose(zip.as_ref().map(|z| ("f.zip", Cursor::new(z.as_slice()))), &request).unwrap()
    }

    #[test]
    fn a_confirmed_cause_carries_its_finding_and_is_listed_once() {
        let zip = ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\nexec python3 app.py\n").finish();
        let r = report(
            Some(zip),
            "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.",
            "aliyun-fc",
        );
        let list = cause_list(&r);
        let first = &list.likely[0];
        assert_eq!(first.hypothesis.cause, "exec-bit-missing");
        assert_eq!(first.findings.len(), 1);
        assert!(!list.other_findings.iter().any(|f| f.id == "exec-bit-missing"));
        // Every hypothesis and every finding appears exactly once.
        let listed = list.likely.len() + list.ruled_out.len();
        assert_eq!(listed, r.hypotheses.len());
        let findings: usize = list.likely.iter().chain(&list.ruled_out).map(|e| e.findings.len()).sum::<usize>()
            + list.other_findings.len();
        assert_eq!(findings, r.findings.len());
    }

    #[test]
    fn what_the_package_rules_out_is_set_apart() {
        // A healthy executable bootstrap, and a paste that could mean a missing or a CRLF script.
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec python3 -m http.server 9000 --bind 0.0.0.0\n")
            .finish();
        let r = report(Some(zip), "Function instance exited unexpectedly(code 2, message:no such file or directory) with start command '/code/bootstrap '.", "aliyun-fc");
        let list = cause_list(&r);
        assert!(list.ruled_out.iter().all(|e| is_ruled_out(e.hypothesis)));
        assert!(list.likely.iter().all(|e| !is_ruled_out(e.hypothesis)));
        assert!(
            list.ruled_out.iter().any(|e| e.hypothesis.cause == "entry-missing"),
            "{:?}",
            r.hypotheses.iter().map(|h| (h.cause, &h.package_note)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_reading_several_causes_share_is_said_once() {
        let r = report(None, "The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable.", "gcp-cloud-run");
        let list = cause_list(&r);
        assert!(list.likely.len() >= 2);
        let shared = list.shared_explanation.expect("a shared reading");
        assert!(list.likely.iter().filter(|e| e.explanation.is_none()).count() >= 2);
        assert!(list.likely.iter().all(|e| e.explanation != Some(shared)));
        assert!(!list.shared_evidence.is_empty());
        for line in &list.shared_evidence {
            assert!(list.likely.iter().all(|e| e.evidence.iter().all(|x| !same_line(x, line))));
        }
    }

    #[test]
    fn one_cause_keeps_its_own_words() {
        let r = report(
            None,
            "/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /var/task/bootstrap)",
            "aws-lambda-al2",
        );
        let list = cause_list(&r);
        let top = &list.likely[0];
        assert_eq!(top.hypothesis.cause, "glibc-too-new");
        assert!(top.explanation.is_some() && !top.evidence.is_empty());
    }
}
