//! The verdict: the one answer a report leads with — the most likely cause in a plain sentence,
//! what it rests on, and the one thing to do about it.
//!
//! Derived from a [`Report`] alone (never stored in it), so a report read back from JSON or
//! rebuilt from a share link gives the same verdict as the one it was made from.
//!
//! *Invariant*: the verdict never claims more than the report does. A cause the package confirms
//! is stated as certain; one only the pasted error points at is worded by its confidence; a
//! resemblance is offered as a lead; a package with nothing found is clean only for what was read.

use crate::causes::cause;
use crate::checks::messages::capitalized;
use crate::checks::{Finding, Severity};
use crate::decode::{Basis, Certainty, Hypothesis};
use crate::ids;
use crate::repair::{size_allows_repair, REPAIRS};
use crate::report::Report;

/// What the verdict's cause rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The pasted error points at it and the package shows it.
    Confirmed,
    /// The package shows an error that stops the start (no paste, or a paste that does not say
    /// otherwise).
    Package,
    /// The package shows something that may stop the start (a warning).
    PackageWarning,
    /// A rule read the pasted error; no package confirms it.
    Error,
    /// The pasted error only resembles known reports of the cause.
    Resemblance,
}

/// The one action the verdict offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// The page (or `bootdoctor fix`) can repair the package: offer the repaired download.
    Repair,
    /// A command to run, for the toolchain named.
    Command {
        /// Where the command runs ("Linux / macOS / WSL").
        toolchain: &'static str,
        /// The command, runnable as it stands.
        command: String,
    },
    /// No command fits every case; the advice to follow.
    Advice(String),
}

/// The report's answer, in the words a person reads first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A most likely cause.
    Cause {
        /// Its id (the same as the cause card's `data-cause-id`).
        cause: &'static str,
        /// One plain sentence: the cause and how sure the report is.
        sentence: String,
        /// What it rests on.
        support: Support,
        /// What to do.
        action: Action,
    },
    /// A package was read and nothing in it stops the start; `complete` is false when budgets
    /// left part of it unread.
    Clean {
        /// The sentence to show.
        sentence: String,
        /// Whether everything that matters was read.
        complete: bool,
    },
    /// Neither the package nor the paste points at a cause (a paste that reports no failure, or
    /// a package that could not be read).
    Nothing {
        /// The sentence to show.
        sentence: String,
    },
}

impl Verdict {
    /// The sentence shown in the banner.
    pub fn sentence(&self) -> &str {
        match self {
            Verdict::Cause { sentence, .. } | Verdict::Clean { sentence, .. } | Verdict::Nothing { sentence } => {
                sentence
            }
        }
    }

    /// The cause id, when there is one.
    pub fn cause(&self) -> Option<&'static str> {
        match self {
            Verdict::Cause { cause, .. } => Some(cause),
            _ => None,
        }
    }
}

/// The verdict of `report`.
pub fn verdict(report: &Report) -> Verdict {
    let first_error = report.findings.iter().find(|f| f.severity == Severity::Error);
    let top = report.hypotheses.first();
    let confirmed = top.filter(|h| h.package_note.as_deref().is_some_and(|n| n.starts_with("Confirmed")));
    if let Some(h) = confirmed {
        let finding = report.findings.iter().find(|f| f.id == h.cause);
        return from_hypothesis(report, h, finding, Support::Confirmed);
    }
    // A package error stops the start whatever the paste says, unless the paste's own reading is
    // near-certain about something else (then the package error is the second card).
    if let Some(f) = first_error {
        if top.is_none_or(|h| h.basis != Basis::Rule || h.confidence < 85) {
            return from_finding(report, f, Support::Package);
        }
    }
    if let Some(h) = top {
        let support = if h.basis == Basis::Resemblance { Support::Resemblance } else { Support::Error };
        return from_hypothesis(report, h, None, support);
    }
    if let Some(f) = report.findings.iter().find(|f| f.severity == Severity::Warning) {
        return from_finding(report, f, Support::PackageWarning);
    }
    if let Some(p) = &report.package {
        let complete = p.not_analysed().is_empty();
        let sentence = if complete {
            format!("Nothing in this package stops it starting on {}.", report.platform_name)
        } else {
            format!(
                "Nothing that was read in this package stops it starting on {}, but not everything was read.",
                report.platform_name
            )
        };
        return Verdict::Clean { sentence, complete };
    }
    let sentence = match (&report.package_error, &report.error) {
        (Some(_), _) => "The package could not be read, so there is nothing to check yet.".to_string(),
        (None, Some(_)) => "The pasted text reports no failure Bootdoctor recognises.".to_string(),
        (None, None) => "Nothing was given to diagnose.".to_string(),
    };
    Verdict::Nothing { sentence }
}

/// The verdict for a hypothesis (with the finding that confirms it, if any).
fn from_hypothesis(report: &Report, h: &Hypothesis, finding: Option<&Finding>, support: Support) -> Verdict {
    if h.cause == ids::NO_ERROR {
        return Verdict::Nothing { sentence: "The text reports success: nothing failed here.".to_string() };
    }
    let title = h.title.trim_end_matches('.');
    let sentence = match support {
        Support::Confirmed => format!(
            "{} — the pasted error says so and your package shows it.",
            finding.map_or_else(|| title.to_string(), finding_words)
        ),
        Support::Resemblance => format!(
            "Perhaps: {} — the error resembles known reports of this cause, but no rule reads it with confidence.",
            lower_first(title)
        ),
        _ => format!(
            "{}: {}, from the pasted error{}.",
            capitalized(Certainty::of(h.confidence).adverb()),
            lower_first(title),
            if report.package.is_some() { "; your package neither confirms nor rules it out" } else { "" }
        ),
    };
    Verdict::Cause { cause: h.cause, sentence, support, action: action(report, h.cause, &h.fix) }
}

/// The verdict for a package finding.
fn from_finding(report: &Report, f: &Finding, support: Support) -> Verdict {
    let words = finding_words(f);
    let sentence = if support == Support::PackageWarning {
        format!("Possibly: {} — a warning; nothing in the package certainly stops the start.", lower_first(&words))
    } else {
        format!("{words} — the function will not start on {}.", report.platform_name)
    };
    Verdict::Cause { cause: f.id, sentence, support, action: action(report, f.id, &f.fix) }
}

/// A finding's own title (it names the file and what is wrong with it), with its path when the
/// title does not say it.
fn finding_words(f: &Finding) -> String {
    let title = f.title.trim_end_matches('.');
    match f.path.as_deref() {
        Some(p) if !title.contains(p) => format!("{title} ({p})"),
        _ => title.to_string(),
    }
}

/// The one action for `cause_id`: the repaired download when the package shows something the
/// repair fixes (and the package is not too large to repair), else the cause's first runnable command, else the advice.
fn action(report: &Report, cause_id: &str, fix: &str) -> Action {
    let repairable = size_allows_repair(report)
        && REPAIRS.contains(&cause_id)
        && report.findings.iter().any(|f| f.id == cause_id && f.severity != Severity::Info);
    if repairable {
        return Action::Repair;
    }
    manual_action(cause_id, fix)
}

/// The action for `cause_id` when no repair can be offered (a shared report has no package to
/// repair): the cause's first runnable command, else `fix`, the advice.
pub fn manual_action(cause_id: &str, fix: &str) -> Action {
    match cause(cause_id).and_then(|c| c.fixes.iter().find(|f| f.runnable)) {
        Some(f) => Action::Command { toolchain: f.toolchain, command: f.command.to_string() },
        None => Action::Advice(fix.to_string()),
    }
}

/// `The start file …` → `the start file …`, leaving acronyms and names alone (`ELF`, `GLIBC`).
fn lower_first(title: &str) -> String {
    let mut chars = title.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            format!("{}{b}{}", a.to_lowercase(), chars.as_str())
        }
        _ => title.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::StartSpec;
    use crate::report::{diagnose, Request};
    use crate::synth::ZipBuilder;
    use std::io::Cursor;

    fn report(zip: Option<Vec<u8>>, paste: &str) -> Report {
        let request = Request {
            platform: Some("aliyun-fc".into()),
            start: StartSpec::default(),
            error_text: (!paste.is_empty()).then(|| paste.to_string()),
        };
        diagnose(zip.as_ref().map(|z| ("f.zip", Cursor::new(z.as_slice()))), &request).unwrap()
    }

    const CODE_13: &str = "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.";

    #[test]
    fn a_cause_the_package_confirms_is_stated_as_certain_with_the_repair() {
        let zip = ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\nexec python3 app.py\n").finish();
        let v = verdict(&report(Some(zip), CODE_13));
        let Verdict::Cause { cause, support, action, sentence } = v else { panic!("{v:?}") };
        assert_eq!((cause, support, action), ("exec-bit-missing", Support::Confirmed, Action::Repair));
        assert!(
            sentence.contains("bootstrap")
                && sentence.ends_with(" — the pasted error says so and your package shows it."),
            "{sentence}"
        );
    }

    #[test]
    fn a_package_too_large_to_repair_gets_the_command_instead() {
        let zip = ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\nexec python3 app.py\n").finish();
        let mut report = report(Some(zip), CODE_13);
        report.package.as_mut().unwrap().size = crate::repair::MAX_REPAIR_BYTES + 1;
        let Verdict::Cause { cause, action, .. } = verdict(&report) else { panic!() };
        assert_eq!(cause, "exec-bit-missing");
        assert!(matches!(action, Action::Command { ref command, .. } if command.starts_with("chmod")), "{action:?}");
    }

    #[test]
    fn a_paste_alone_is_worded_by_its_confidence_and_offers_a_command() {
        let v = verdict(&report(None, CODE_13));
        let Verdict::Cause { cause, support, action, sentence } = v else { panic!("{v:?}") };
        assert_eq!((cause, support), ("exec-bit-missing", Support::Error));
        assert!(matches!(action, Action::Command { ref command, .. } if command.starts_with("chmod")), "{action:?}");
        assert!(!sentence.contains("package"), "{sentence}");
        assert!(
            sentence.starts_with("Almost certainly: the start file") || sentence.starts_with("Likely: the start file"),
            "{sentence}"
        );
    }

    #[test]
    fn a_package_error_leads_when_no_paste_names_a_cause() {
        let zip = ZipBuilder::new().unix_file("myfunc/bootstrap", 0o755, b"#!/bin/sh\nexec ./main\n").finish();
        let v = verdict(&report(Some(zip), ""));
        assert_eq!(v.cause(), Some("entry-nested"), "{v:?}");
        assert!(matches!(v, Verdict::Cause { support: Support::Package, action: Action::Repair, .. }));
    }

    #[test]
    fn a_clean_package_is_clean_and_says_nothing_else() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec python3 -m http.server 9000 --bind 0.0.0.0\n")
            .finish();
        let v = verdict(&report(Some(zip), ""));
        assert!(matches!(v, Verdict::Clean { complete: true, .. }), "{v:?}");
        assert_eq!(v.cause(), None);
    }

    #[test]
    fn text_that_reports_no_failure_gets_no_cause() {
        let v = verdict(&report(None, "START RequestId: 1 Version: $LATEST\nEND RequestId: 1"));
        // A Lambda log is a failure context: a cause or a lead, never a clean bill.
        assert!(!matches!(v, Verdict::Clean { .. }));
        let v = verdict(&report(None, "Build finished: 3 files copied."));
        assert!(matches!(v, Verdict::Nothing { .. }), "{v:?}");
    }

    #[test]
    fn confidence_reads_as_words() {
        assert_eq!(Certainty::of(95).adverb(), "almost certainly");
        assert_eq!(Certainty::of(70).adverb(), "likely");
        assert_eq!(Certainty::of(40).adverb(), "possibly");
        assert_eq!(Certainty::of(10).adverb(), "perhaps");
        assert_eq!(Certainty::of(85).adjective(), "almost certain");
        assert_eq!(Certainty::of(34).class(), "long-shot");
    }

    #[test]
    fn titles_lose_their_capital_but_not_acronyms() {
        assert_eq!(lower_first("The start file is not executable"), "the start file is not executable");
        assert_eq!(lower_first("ELF loader missing"), "ELF loader missing");
    }
}
