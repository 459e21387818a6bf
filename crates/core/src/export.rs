//! Exports of a report: Markdown for an issue or a support ticket, and SARIF 2.1.0 for code scanning
//! in CI. (JSON is the serialised [`Report`] itself.) Shared by the page and the CLI.
//!
//! Everything here is text the user controls (file names, the paste) placed into other formats, so
//! it is escaped for each: Markdown inline code and fences sized to the content, JSON by serde.

use serde_json::{json, Value};

use crate::causes::cause;
use crate::checks::Severity;
use crate::report::{PlatformBasis, Report};

/// Where the page is served when nothing else says (what `scripts/serve` serves); the CLI's
/// `--base-url` and `BOOTDOCTOR_BASE_URL` override it.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/";

/// A size people read, in binary units as platforms state their limits: `900 B`, `12.0 KiB`,
/// `1.5 MiB`, `2.33 GiB`. One formatter for the CLI and the page.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    match bytes {
        b if b >= GIB => format!("{:.2} GiB", b as f64 / GIB as f64),
        b if b >= MIB => format!("{:.1} MiB", b as f64 / MIB as f64),
        b if b >= KIB => format!("{:.1} KiB", b as f64 / KIB as f64),
        b => format!("{b} B"),
    }
}

/// `text` as Markdown inline code, with a backtick fence longer than any run inside it.
fn code(text: &str) -> String {
    let one_line = text.replace(['\n', '\r'], " ");
    let longest = longest_backtick_run(&one_line);
    let fence = "`".repeat(longest + 1);
    if longest > 0 || one_line.starts_with(' ') || one_line.ends_with(' ') {
        format!("{fence} {one_line} {fence}")
    } else {
        format!("{fence}{one_line}{fence}")
    }
}

/// `text` as a fenced block, with a fence longer than any backtick run inside it.
fn block(text: &str, lang: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(text) + 1).max(3));
    format!("{fence}{lang}\n{}\n{fence}\n", text.trim_end())
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Escapes Markdown's inline syntax (and HTML) in prose the user controls.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn icon(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "❌",
        Severity::Warning => "⚠️",
        Severity::Info => "ℹ️",
    }
}

/// The report as Markdown: verdict, findings with evidence and fixes, the error's causes, and a link
/// back to the diagnosis when one is given.
pub fn markdown(report: &Report, link: Option<&str>) -> String {
    visible_controls(&markdown_raw(report, link)).into_owned()
}

/// Whether a character would act on a terminal or reorder text instead of showing: C0 controls
/// other than newline and tab (ESC starts ANSI sequences, CR overwrites a line), DEL, C1 controls,
/// and the invisible format characters that reorder or hide text (bidi embeddings, overrides and
/// isolates, marks, zero-width characters, the BOM).
fn acts_instead_of_showing(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// `text` with every character that would act on a terminal or reorder the text shown as its
/// escape (`\u{1b}`, `\u{202e}`), so names and pastes cannot colour, move the cursor, rewrite
/// lines or reverse text in a terminal or a rendered issue. Newlines and tabs stay.
pub fn visible_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(acts_instead_of_showing) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if acts_instead_of_showing(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn markdown_raw(report: &Report, link: Option<&str>) -> String {
    let mut out = String::new();
    let subject = report.package.as_ref().map_or_else(|| "a start-up error".to_string(), |p| code(&p.name));
    let basis = match report.platform_basis {
        PlatformBasis::Chosen => "",
        PlatformBasis::Detected => " (detected from the error)",
        PlatformBasis::Default => " (default platform)",
        PlatformBasis::Package => " (detected from the package)",
    };
    out.push_str(&format!("## Bootdoctor: {subject} on {}{basis}\n\n", prose(report.platform_name)));
    if let Some(p) = &report.package {
        let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).count();
        let warnings = report.findings.iter().filter(|f| f.severity == Severity::Warning).count();
        out.push_str(&format!(
            "{} bytes, {} entr{}, written by {}. **{errors} error{}, {warnings} warning{}.**\n\n",
            p.size,
            p.entries,
            if p.entries == 1 { "y" } else { "ies" },
            prose(&p.zipper),
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        ));
    }
    if let Some(message) = &report.package_error {
        out.push_str(&format!("The package could not be read: {}\n\n", prose(message)));
    }
    for f in &report.findings {
        out.push_str(&format!("### {} {} ({})\n\n", icon(f.severity), prose(&f.title), code(f.id)));
        for e in &f.evidence {
            out.push_str(&format!("- {}\n", code(e)));
        }
        if !f.evidence.is_empty() {
            out.push('\n');
        }
        if let Some(m) = &f.platform_message {
            out.push_str("The platform says:\n\n");
            out.push_str(&block(m, "text"));
            out.push('\n');
        }
        out.push_str(&format!("{}\n\nFix:\n\n", prose(&f.explanation)));
        out.push_str(&block(&f.fix, "sh"));
        out.push('\n');
    }
    if let Some(d) = &report.error {
        out.push_str(&format!("### The pasted error\n\n{}\n\n", prose(&d.summary)));
        if let Some(reading) = &d.code_reading {
            out.push_str(&format!("{}\n\n", prose(reading)));
        }
        for (i, h) in report.hypotheses.iter().enumerate() {
            out.push_str(&format!(
                "{}. **{}** — {}% {} ({})\n",
                i + 1,
                prose(&h.title),
                h.confidence,
                h.confidence_label(),
                code(h.cause)
            ));
            if let Some(note) = &h.package_note {
                out.push_str(&format!("   {}\n", prose(note)));
            }
        }
        if let Some(top) = report.hypotheses.first() {
            out.push_str("\nFix for the most likely cause:\n\n");
            out.push_str(&block(&top.fix, "sh"));
        }
        out.push('\n');
    }
    if let Some(link) = link {
        out.push_str(&format!(
            "[Open this diagnosis in Bootdoctor]({})\n",
            link.replace(' ', "%20").replace(')', "%29")
        ));
    }
    out
}

/// The report's package findings as a SARIF 2.1.0 log. `artifact` is the package's path as the CI
/// job sees it; `base_url` is where the page is, for rule help links.
pub fn sarif(report: &Report, artifact: &str, base_url: &str) -> Value {
    let base = base_url.trim_end_matches('#');
    let mut rule_ids: Vec<&str> = report.findings.iter().map(|f| f.id).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids
        .iter()
        .map(|id| {
            let c = cause(id);
            json!({
                "id": id,
                "name": id.split('-').map(|w| { let mut s = w.to_string(); if let Some(f) = s.get_mut(0..1) { f.make_ascii_uppercase(); } s }).collect::<String>(),
                "shortDescription": { "text": c.map_or(*id, |c| c.title) },
                "fullDescription": { "text": c.map_or("", |c| c.summary) },
                "help": { "text": c.map_or("", |c| c.fix) },
                "helpUri": format!("{base}#/causes/{id}"),
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut text = f.title.clone();
            for e in &f.evidence {
                text.push_str(&format!("\n- {e}"));
            }
            text.push_str(&format!("\nFix: {}", f.fix));
            let mut location = json!({ "physicalLocation": { "artifactLocation": { "uri": artifact } } });
            if let Some(path) = &f.path {
                location["logicalLocations"] = json!([{ "fullyQualifiedName": path, "kind": "member" }]);
            }
            json!({
                "ruleId": f.id,
                "ruleIndex": rule_ids.iter().position(|id| *id == f.id),
                "level": level,
                "message": { "text": text },
                "locations": [location],
                "partialFingerprints": { "bootdoctor/v1": format!("{}:{}", f.id, f.path.as_deref().unwrap_or("")) },
                "properties": {
                    "evidence": f.evidence,
                    "platformMessage": f.platform_message,
                    "fix": f.fix,
                    "platform": report.platform,
                },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "Bootdoctor",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": base,
                "rules": rules,
            }},
            "artifacts": [{ "location": { "uri": artifact } }],
            "results": results,
            "properties": { "platform": report.platform, "platformName": report.platform_name },
        }],
    })
}

/// The share URL for a fragment made by [`crate::share::make_link`].
pub fn share_url(base_url: &str, fragment: &str) -> String {
    let base = base_url.split('#').next().unwrap_or(base_url);
    format!("{base}#{fragment}")
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::entry::StartSpec;
    use crate::report::{diagnose, Request};
    use crate::synth::ZipBuilder;

    #[test]
    fn controls_and_bidi_are_made_visible_and_plain_text_is_untouched() {
        assert_eq!(visible_controls("a\x1b[31mb\rc\u{202e}d\u{7}"), "a\\u{1b}[31mb\\u{d}c\\u{202e}d\\u{7}");
        let plain = "line 1\n\tline 2 — café 函数 ✓";
        assert!(matches!(visible_controls(plain), std::borrow::Cow::Borrowed(t) if t == plain));
    }

    #[test]
    fn markdown_shows_a_hostile_name_without_its_escapes() {
        let md = markdown(&report("evil\x1b]0;x\x07\u{2066}.zip"), None);
        assert!(!md.contains('\x1b') && !md.contains('\x07') && !md.contains('\u{2066}'), "{md}");
        assert!(md.contains("\\u{1b}"), "{md}");
    }

    fn report(name: &str) -> Report {
        let zip = ZipBuilder::new().dos_file("bootstrap", b"#!/bin/bash\r\necho\r\n").finish();
        let request = Request {
            platform: Some("aliyun-fc".into()),
            start: StartSpec::default(),
            error_text: Some("Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.".into()),
        };
        diagnose(Some((name, Cursor::new(zip))), &request).unwrap()
    }

    #[test]
    fn markdown_has_findings_fixes_causes_and_the_link() {
        let md = markdown(&report("function.zip"), Some("http://x/#/r/1.abc"));
        assert!(md.starts_with("## Bootdoctor: `function.zip` on Alibaba Cloud"), "{md}");
        assert!(md.contains("(`exec-bit-missing`)"));
        assert!(md.contains("```sh\nchmod 755 bootstrap"));
        assert!(md.contains("1. **The start file is not executable**"));
        assert!(md.contains("[Open this diagnosis in Bootdoctor](http://x/#/r/1.abc)"));
    }

    #[test]
    fn markdown_escapes_what_the_user_controls() {
        let md = markdown(&report("evil`<img src=x onerror=alert(1)>`.zip"), None);
        assert!(md.contains("`` evil`<img src=x onerror=alert(1)>`.zip ``"), "{md}");
        assert_eq!(prose("a *b* [c](d) <e>"), "a \\*b\\* \\[c\\](d) \\<e\\>");
        assert_eq!(block("```\nx", "sh"), "````sh\n```\nx\n````\n");
    }

    #[test]
    fn sarif_is_a_2_1_0_log_with_rules_and_results() {
        let log = sarif(&report("function.zip"), "dist/function.zip", "https://example.test/");
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(
            rules
                .iter()
                .any(|r| r["id"] == "exec-bit-missing"
                    && r["helpUri"] == "https://example.test/#/causes/exec-bit-missing")
        );
        let results = run["results"].as_array().unwrap();
        let r = results.iter().find(|r| r["ruleId"] == "exec-bit-missing").unwrap();
        assert_eq!(r["level"], "error");
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "dist/function.zip");
        assert_eq!(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "bootstrap");
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], "exec-bit-missing");
    }

    #[test]
    fn share_url_replaces_any_fragment() {
        assert_eq!(share_url("https://a.test/app/#/causes/x", "/r/1.q"), "https://a.test/app/#/r/1.q");
    }
}
