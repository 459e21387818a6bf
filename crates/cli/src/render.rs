//! Text and JSON renderings of a report for the terminal.

use bootdoctor_core::export::human_size;
use std::fmt::Write;

use bootdoctor_core::decode::{Basis, Hypothesis};
use bootdoctor_core::report::{PlatformBasis, Report};
use serde_json::json;

fn basis(report: &Report) -> &'static str {
    match report.platform_basis {
        PlatformBasis::Chosen => "chosen",
        PlatformBasis::Detected => "detected from the error",
        PlatformBasis::Default => "default; pass --platform to choose",
        PlatformBasis::Package => "detected from the package",
    }
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}\n")).collect()
}

fn hypotheses_text(out: &mut String, hypotheses: &[Hypothesis]) {
    for (i, h) in hypotheses.iter().enumerate() {
        let label = match h.basis {
            Basis::Rule => h.confidence_label(),
            Basis::Resemblance => "resembles known reports",
        };
        let _ = writeln!(out, "  {}. {}% {label} — {} [{}]", i + 1, h.confidence, h.title, h.cause);
        let _ = write!(out, "{}", indent(&h.explanation, "       "));
        for e in &h.evidence {
            let _ = writeln!(out, "       evidence: {e}");
        }
        if let Some(note) = &h.package_note {
            let _ = writeln!(out, "       package:  {note}");
        }
        let _ = writeln!(out, "       fix:      {}", h.fix);
    }
}

fn error_text(out: &mut String, report: &Report) {
    let Some(d) = &report.error else { return };
    let _ = writeln!(out, "\nThe pasted error: {}", d.summary);
    if let Some(reading) = &d.code_reading {
        let _ = writeln!(out, "  {reading}");
    }
    if d.truncated {
        let _ = writeln!(
            out,
            "  (only the first {} MiB of the text was read)",
            bootdoctor_core::decode::MAX_PASTE_BYTES >> 20
        );
    }
    if let Some(l) = d.lines_read {
        let _ = writeln!(
            out,
            "  (a long paste: read the {} of {} lines that carry error words, and the last ones)",
            l.read, l.total
        );
    }
    hypotheses_text(out, &report.hypotheses);
}

/// The `check` report for people.
pub fn check_text(report: &Report) -> String {
    let mut out = String::new();
    if let Some(p) = &report.package {
        let _ = writeln!(
            out,
            "{}: {} entr{}, {} ({} unzipped)\n  zipped by {}",
            p.name,
            p.entries,
            if p.entries == 1 { "y" } else { "ies" },
            human_size(p.size),
            human_size(p.uncompressed_size),
            p.zipper
        );
    }
    if let Some(p) = report.package.as_ref().filter(|p| p.elf_objects > 0) {
        let _ = writeln!(out, "  load-time needs read for {} of {} Linux ELF objects", p.elf_analysed, p.elf_objects);
    }
    let _ = writeln!(out, "platform: {} — {} ({})", report.platform, report.platform_name, basis(report));
    if let Some(note) = &report.start_note {
        let _ = writeln!(out, "{note}");
    }
    for t in &report.targets {
        let _ = writeln!(out, "runs: {}", t.platform_path);
    }
    for f in &report.findings {
        let path = f.path.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
        let _ = writeln!(out, "\n{}[{}]{}: {}", f.severity.as_str(), f.id, path, f.title);
        for e in &f.evidence {
            let _ = writeln!(out, "  evidence: {e}");
        }
        if let Some(m) = &f.platform_message {
            let _ = write!(out, "  the platform says:\n{}", indent(m, "    "));
        }
        let _ = write!(out, "  why: {}\n  fix:\n{}", f.explanation, indent(&f.fix, "    "));
    }
    let errors = report.findings.iter().filter(|f| f.severity.as_str() == "error").count();
    let warnings = report.findings.iter().filter(|f| f.severity.as_str() == "warning").count();
    let gaps = report.package.as_ref().map(|p| p.not_analysed()).unwrap_or_default();
    let verdict = match (errors, warnings, gaps.is_empty()) {
        (0, 0, true) => " Nothing in the package stops it starting.",
        (0, 0, false) => " Nothing that was read stops it starting.",
        (0, _, _) => " No error; the warnings may still stop it.",
        _ => "",
    };
    let _ = writeln!(
        out,
        "\n{} error{}, {} warning{}.{verdict}",
        errors,
        if errors == 1 { "" } else { "s" },
        warnings,
        if warnings == 1 { "" } else { "s" },
    );
    for gap in &gaps {
        let _ = writeln!(out, "not analysed: {gap}");
    }
    error_text(&mut out, report);
    out
}

/// The `explain` report for people.
pub fn explain_text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "platform: {} — {} ({})", report.platform, report.platform_name, basis(report));
    error_text(&mut out, report);
    out
}

/// The `explain` JSON: the platform (null when neither chosen nor detected) and the hypotheses.
pub fn explain_json(report: &Report) -> serde_json::Value {
    let platform = match report.platform_basis {
        PlatformBasis::Default => serde_json::Value::Null,
        _ => json!(report.platform),
    };
    let decoding = report.error.as_ref();
    json!({
        "platform": platform,
        "detected_vendor": decoding.and_then(|d| d.detected_vendor),
        "summary": decoding.map(|d| d.summary.clone()),
        "code_reading": decoding.and_then(|d| d.code_reading.clone()),
        "variables": decoding.map(|d| serde_json::to_value(&d.variables).expect("facts serialise")),
        "truncated": decoding.is_some_and(|d| d.truncated),
        "hypotheses": serde_json::to_value(&report.hypotheses).expect("hypotheses serialise"),
    })
}

/// The `fix` summary for people: what changed, what that fixed, what is left with its manual fix.
pub fn fix_text(fixed: &bootdoctor_core::repair::Repaired, output: &str) -> String {
    let mut out = String::new();
    if fixed.actions.is_empty() {
        let _ = writeln!(out, "Nothing to repair; wrote an identical copy to {output}.");
    } else {
        let _ = writeln!(out, "Repaired package written to {output}:");
        for a in &fixed.actions {
            let _ = writeln!(out, "  - {}", a.describe());
        }
    }
    let entries = |n: usize| if n == 1 { "1 entry".to_string() } else { format!("{n} entries") };
    let _ =
        writeln!(out, "  ({} copied without recompressing, {} rewritten)", entries(fixed.copied_raw), fixed.rewritten);
    for s in &fixed.skipped {
        let _ = writeln!(out, "  ! {s}: too large to rewrite, left as it was");
    }
    let fixed_ids = fixed.fixed_ids();
    if !fixed_ids.is_empty() {
        let _ = writeln!(out, "\nFixed: {}", fixed_ids.join(", "));
    }
    let left: Vec<_> =
        fixed.after.findings.iter().filter(|f| f.severity != bootdoctor_core::checks::Severity::Info).collect();
    if left.is_empty() {
        let _ = writeln!(
            out,
            "Left: nothing — the repaired package has no errors or warnings on {}.",
            fixed.after.platform_name
        );
    } else {
        let _ = writeln!(out, "\nLeft for you to fix (Bootdoctor does not guess at these):");
        for f in left {
            let _ = writeln!(out, "  {}[{}] {}", f.severity.as_str(), f.id, f.title);
            for (i, line) in f.fix.lines().enumerate() {
                let _ = writeln!(out, "      {}{line}", if i == 0 { "fix: " } else { "     " });
            }
        }
    }
    out
}
