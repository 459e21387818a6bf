//! Decoding a pasted start-up error into ranked hypotheses, in layers that never let a vendor
//! discard evidence:
//!
//! 1. [`focus`] keeps a long paste's lines that matter; [`envelope`] unwraps JSON messages.
//! 2. Signals: [`facts::extract`] reads exit codes, ports, paths, loader facts, memory, stage.
//! 3. Rules: every [`patterns`] fragment found in one pass ([`matcher`]) and the SCF status table
//!    ([`scf`]); matches merge per cause, log lines demoting the generic exit-code reading, a
//!    foreign vendor's headline counting a little less.
//! 4. Comparisons ([`compare`]): facts read together (listened vs probed port, missing module vs
//!    handler module, who required a missing file).
//! 5. Resemblance ([`resemblance`]): nearest known reports, for recall and near-ties, labelled.
//!
//! A paste that reports a failure always gets an answer; text that reports none and resembles no
//! known report gets none, and the summary says so.

pub mod compare;
pub mod envelope;
pub mod facts;
pub mod focus;
pub mod matcher;
pub mod patterns;
pub mod resemblance;
pub mod scf;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::causes::cause;
use crate::ids;
use facts::{extract, prefix, CapturedValue, CodeMechanism, Facts, Haystack};
use patterns::{Capture, Pattern, Specificity, PATTERNS};

/// Longest paste decoded; the rest is ignored (and the user told). Past [`focus::FOCUS_BYTES`],
/// only the lines that matter are read (see [`focus`]).
pub const MAX_PASTE_BYTES: usize = 16 << 20;

/// One possible cause of the pasted error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hypothesis {
    /// Cause id (shared with package findings).
    #[serde(deserialize_with = "crate::statics::str")]
    pub cause: crate::statics::StaticStr,
    /// 0–100: how much the evidence supports this cause.
    pub confidence: u8,
    /// The cause's title.
    pub title: String,
    /// What the matched messages mean for this cause.
    pub explanation: String,
    /// The general fix for the cause.
    pub fix: String,
    /// The fragments of the paste that point here, as pasted.
    pub evidence: Vec<String>,
    /// Ids of the patterns that matched.
    #[serde(default, deserialize_with = "crate::statics::vec_str")]
    pub patterns: Vec<&'static str>,
    /// What the package says about this cause, when a package was inspected too.
    pub package_note: Option<String>,
    /// How to tell this cause from the others listed, when the paste alone cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub how_to_tell: Option<String>,
    /// What the hypothesis rests on: a rule that read the evidence, or a resemblance to real reports.
    pub basis: Basis,
}

/// What a hypothesis rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// A pattern, status or comparison read it from the paste.
    #[default]
    Rule,
    /// The paste only resembles known reports of this cause (the fallback ranker): a lead, not a reading.
    Resemblance,
}

/// The pattern id a resemblance hypothesis lists, so share links (which carry pattern ids) keep the basis.
pub const RESEMBLANCE_PATTERN: &str = "resemblance";

impl Hypothesis {
    /// A hypothesis for `cause` with its title and general fix, and no evidence yet.
    pub fn new(cause: &crate::causes::Cause, confidence: u8, explanation: String) -> Self {
        Hypothesis {
            cause: cause.id,
            confidence,
            title: cause.title.to_string(),
            explanation,
            fix: cause.fix.to_string(),
            evidence: Vec::new(),
            patterns: Vec::new(),
            package_note: None,
            how_to_tell: None,
            basis: Basis::Rule,
        }
    }

    /// "almost certain", "likely", "possible" or "a long shot", for people ([`Certainty`]).
    pub fn confidence_label(&self) -> &'static str {
        Certainty::of(self.confidence).adjective()
    }
}

/// How sure a confidence (0–100) lets the words be: one scale for the summary, the CLI, the page's
/// cards and the verdict, so that the same number never reads two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// 85 and above.
    AlmostCertain,
    /// 60–84.
    Likely,
    /// 35–59.
    Possible,
    /// Below 35.
    LongShot,
}

impl Certainty {
    /// The step `confidence` is on.
    pub fn of(confidence: u8) -> Self {
        match confidence {
            85.. => Certainty::AlmostCertain,
            60..=84 => Certainty::Likely,
            35..=59 => Certainty::Possible,
            _ => Certainty::LongShot,
        }
    }

    /// "almost certain", "likely", "possible", "a long shot".
    pub fn adjective(self) -> &'static str {
        match self {
            Certainty::AlmostCertain => "almost certain",
            Certainty::Likely => "likely",
            Certainty::Possible => "possible",
            Certainty::LongShot => "a long shot",
        }
    }

    /// "almost certainly", "likely", "possibly", "perhaps": to open a sentence.
    pub fn adverb(self) -> &'static str {
        match self {
            Certainty::AlmostCertain => "almost certainly",
            Certainty::Likely => "likely",
            Certainty::Possible => "possibly",
            Certainty::LongShot => "perhaps",
        }
    }

    /// A CSS class name: `almost-certain`, `likely`, `possible`, `long-shot`.
    pub fn class(self) -> &'static str {
        match self {
            Certainty::AlmostCertain => "almost-certain",
            Certainty::Likely => "likely",
            Certainty::Possible => "possible",
            Certainty::LongShot => "long-shot",
        }
    }
}

/// The result of decoding a paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decoding {
    /// The vendor the text looks like (`aliyun`, `tencent`, `aws`, `gcp`), when it says.
    #[serde(default, deserialize_with = "crate::statics::opt_str")]
    pub detected_vendor: Option<crate::statics::StaticStr>,
    /// Numbers and names read from the text.
    pub variables: Facts,
    /// How the exit code reads, in words, when there is one.
    pub code_reading: Option<String>,
    /// Causes, most likely first. (Empty inside a [`crate::report::Report`], which lifts them out.)
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hypotheses: Vec<Hypothesis>,
    /// A sentence on what was and was not recognised.
    pub summary: String,
    /// True when the paste was longer than [`MAX_PASTE_BYTES`] and was cut.
    pub truncated: bool,
    /// For a long paste: how many of its lines were read (those with error words, and the last ones).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines_read: Option<LinesRead>,
}

/// How much of a long paste was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinesRead {
    /// Lines read.
    pub read: usize,
    /// Lines in the paste.
    pub total: usize,
}

/// The original-case fragment of `text` at the first case-insensitive match of `needle`, widened to
/// the rest of its line (bounded), for quoting.
fn quote(h: &Haystack<'_>, needle: &str) -> Option<String> {
    let text = h.raw;
    let at = h.find(needle)?;
    let line_start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let start = if at - line_start > 80 { at } else { line_start };
    let line_end = text[at..].find('\n').map(|i| at + i).unwrap_or(text.len());
    Some(prefix(&text[start..line_end], 240).trim().to_string())
}

fn pattern_matches(p: &Pattern, text: &Haystack<'_>, found: &matcher::Found, facts: &Facts) -> Option<String> {
    if let Some(code) = p.code {
        if facts.exit_code != Some(code) {
            return None;
        }
    }
    if let Some(m) = p.mechanism {
        if facts.code_mechanism != Some(m) {
            return None;
        }
    }
    if !p.all.iter().all(|f| found.has(f)) || p.unless.iter().any(|f| found.has(f)) {
        return None;
    }
    if !p.any.is_empty() && !p.any.iter().any(|f| found.has(f)) {
        return None;
    }
    if p.any.is_empty() {
        return Some(match (p.code, p.all.first()) {
            (Some(code), _) => exit_code_quote(text, code).unwrap_or_else(|| format!("code {code}")),
            (None, Some(fragment)) => quote(text, fragment).unwrap_or_default(),
            (None, None) => String::new(),
        });
    }
    p.any.iter().find_map(|f| quote(text, f))
}

fn exit_code_quote(text: &Haystack<'_>, code: i32) -> Option<String> {
    [format!("(code {code}"), format!("exit status {code}"), format!("exit({code})"), format!("exit code {code}")]
        .iter()
        .find_map(|n| quote(text, n))
}

/// The vendor whose markers (knowledge/signals.toml) and matched patterns the text shows most.
fn detect_vendor(text: &Haystack<'_>, matched: &[&Pattern], scf_statuses: usize) -> Option<&'static str> {
    let mut best: Option<(&'static str, usize)> = None;
    for &(vendor, markers) in crate::knowledge::VENDOR_MARKERS {
        let mut score = markers.iter().filter(|m| text.contains_word(m)).count();
        score += matched.iter().filter(|p| p.vendor == Some(vendor)).count() * 2;
        if vendor == "tencent" {
            score += scf_statuses * 2;
        }
        if score > 0 && best.is_none_or(|(_, s)| score > s) {
            best = Some((vendor, score));
        }
    }
    best.map(|(v, _)| v)
}

fn code_reading(facts: &Facts, vendor: Option<&str>) -> Option<String> {
    let code = facts.exit_code?;
    let fc_note = match (&facts.fc_message, vendor) {
        (Some(m), _) if !m.is_empty() => format!(" FC printed \"message:{m}\", which is strerror({code})"),
        _ => String::new(),
    };
    Some(match facts.code_mechanism? {
        CodeMechanism::ExecErrnoOrExit => {
            let errno = match code {
                2 => "ENOENT",
                8 => "ENOEXEC",
                13 => "EACCES",
                _ => "an errno",
            };
            format!("code {code}: exec failed with {errno} before your program ran (it could also be an exit status {code}, but nothing in the logs says so).{fc_note}")
        }
        CodeMechanism::ExitStatus => {
            let trap =
                if code == 1 || code == 127 { " — a number, not an error description: ignore the text" } else { "" };
            format!("code {code}: your program ran and exited with status {code}.{fc_note}{trap}")
        }
        CodeMechanism::Signal => {
            let sig = facts::signal_name(code).unwrap_or("a signal");
            format!("code {code} = 128 + {}: the process was killed by {sig}.", code - 128)
        }
    })
}

/// Decodes a pasted error. `platform_vendor` narrows vendor-specific patterns when the user chose
/// a platform; pass `None` to detect it from the text.
pub fn decode(input: &str, platform_vendor: Option<&str>) -> Decoding {
    decode_with(input, platform_vendor, &resemblance::BUILT)
}

/// [`decode`] with another fallback model (cross-validation learns one on part of the corpus).
pub fn decode_with(input: &str, platform_vendor: Option<&str>, model: &resemblance::Model<'_>) -> Decoding {
    let truncated = input.len() > MAX_PASTE_BYTES;
    let cut = prefix(input, MAX_PASTE_BYTES);
    let focused = focus::focus(cut, focus::FOCUS_BYTES);
    let lines_read = focused.as_ref().map(|f| LinesRead { read: f.lines_kept, total: f.lines_total });
    let normalised = focused.map(|f| f.text).or_else(|| lone_carriage_returns(cut));
    let cut = normalised.as_deref().unwrap_or(cut);
    // Messages pasted from JSON envelopes carry escapes (`\n`, `\"`, `\\r`) and may nest JSON in
    // a string; match the unescaped text and the envelopes' messages as well, appended after the
    // original so quotes still come from what was pasted first.
    let unwrapped = envelope::unwrap(cut);
    let mut views: Vec<String> = Vec::new();
    views.extend(unescaped_view(cut));
    views.extend(unwrapped.messages.iter().filter(|m| !cut.contains(m.as_str())).cloned());
    let combined = (!views.is_empty()).then(|| format!("{cut}\n{}", views.join("\n")));
    let text = Haystack::new(combined.as_deref().unwrap_or(cut));
    let mut variables = extract(&text);
    if variables.error_name.is_none() {
        variables.error_name = unwrapped.error_type.clone();
    }

    struct Hit {
        pattern: &'static Pattern,
        quote: String,
    }
    let found = matcher::Found::scan(text.lower());
    let hits: Vec<Hit> = PATTERNS
        .iter()
        .filter_map(|p| pattern_matches(p, &text, &found, &variables).map(|quote| Hit { pattern: p, quote }))
        .collect();
    let matched: Vec<&Pattern> = hits.iter().map(|h| h.pattern).collect();
    let statuses = scf::find_statuses(&text);
    if let [(status, _)] = statuses.as_slice() {
        variables.status_code.get_or_insert(status.code);
        variables.error_name.get_or_insert_with(|| status.names[0].to_string());
    }
    let detected_vendor = detect_vendor(&text, &matched, statuses.len());
    let vendor = detected_vendor.or(platform_vendor);
    for hit in &hits {
        for capture in hit.pattern.captures {
            if let Some(value) = read_capture(&text, capture) {
                if !variables.captured.iter().any(|c| c.name == capture.name && c.value == value) {
                    variables.captured.push(CapturedValue { name: capture.name, value });
                }
            }
        }
    }
    let has_log = hits.iter().any(|h| h.pattern.specificity == Specificity::Log);

    let mut hypotheses: Vec<Hypothesis> = Vec::new();
    let mut add = |cause_id: &'static str,
                   confidence: u8,
                   pattern: &'static str,
                   meaning: &str,
                   quote: &str,
                   platform_fix: Option<&'static str>| {
        let Some(c) = cause(cause_id) else { return };
        let existing = hypotheses.iter_mut().find(|h| h.cause == cause_id);
        let h = match existing {
            Some(h) => h,
            None => {
                hypotheses.push(Hypothesis::new(c, 0, String::new()));
                hypotheses.last_mut().expect("just pushed")
            }
        };
        if confidence > h.confidence {
            h.confidence = confidence;
            h.explanation = meaning.to_string();
            if let Some(fix) = platform_fix {
                h.fix = fix.to_string();
            }
        } else if h.confidence == confidence && !h.explanation.contains(meaning) {
            h.explanation = format!("{} {meaning}", h.explanation);
        }
        if !quote.is_empty() && !h.evidence.iter().any(|e| e == quote) {
            h.evidence.push(quote.to_string());
        }
        if !h.patterns.contains(&pattern) {
            h.patterns.push(pattern);
        }
    };
    for hit in &hits {
        let demote = has_log && hit.pattern.specificity == Specificity::ExitCode;
        // A vendor only adjusts priors: another vendor's headline still counts, a little lower.
        let foreign = matches!((hit.pattern.vendor, vendor), (Some(pv), Some(v)) if pv != v)
            && hit.pattern.specificity == Specificity::Headline;
        for &(cause_id, base) in hit.pattern.causes {
            let confidence = if demote { scale(base, 3, 5) } else { base };
            let confidence = if foreign { scale(confidence, 4, 5) } else { confidence };
            let platform_fix = vendor.and_then(|v| hit.pattern.fix_for(v));
            add(cause_id, confidence, hit.pattern.id, hit.pattern.meaning, &hit.quote, platform_fix);
        }
    }
    // SCF's table read in another vendor's text is a number that may mean something else there.
    let foreign_statuses = vendor.is_some_and(|v| v != "tencent");
    for (status, fragment) in statuses {
        let meaning = format!("SCF status {}: {}", status.code, status.meaning);
        for &(cause_id, base) in status.causes {
            let confidence = if has_log { scale(base, 4, 5) } else { base };
            let confidence = if foreign_statuses { scale(confidence, 3, 5) } else { confidence };
            add(cause_id, confidence, "scf-status", &meaning, &fragment, None);
        }
    }
    weigh_comparisons(&mut hypotheses, &text);
    // A platform's own log lines (its markers, a stage) are pasted because something failed, even
    // when no failure word survives in them (`END RequestId` after a silent hang).
    let failure = reports_failure(&found) || detected_vendor.is_some() || variables.stage.is_some();
    // Without a failure word, a text still gets leads when it is close to a known report (a
    // message that says "No job functions found" reports a failure in its own words).
    weigh_resemblance(&mut hypotheses, &text, model, if failure { 0.0 } else { SIMILAR_ENOUGH });
    weigh_memory(&mut hypotheses, &variables, &text);
    if failure {
        weigh_unknown_failure(&mut hypotheses, &variables, &text);
    }
    hypotheses.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.cause.cmp(b.cause)));
    mark_ambiguity(&mut hypotheses);

    let code_reading = code_reading(&variables, vendor);
    let summary = summarize(&hypotheses, &variables, detected_vendor);
    Decoding { detected_vendor, variables, code_reading, hypotheses, summary, truncated, lines_read }
}

/// The text with lone carriage returns (old Mac or some terminals' line ends) read as line ends,
/// when it has any; `\r\n` is left alone.
fn lone_carriage_returns(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let lone = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    lone.then(|| {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(if c == '\r' && chars.peek() != Some(&'\n') { '\n' } else { c });
        }
        out
    })
}

/// Lambda's REPORT line settles memory questions: a run that used all its memory makes running out
/// likely (a kill at the limit needs no other clue); one that used under half rules it out, whatever
/// the exit code suggests (a `signal: killed` at 18 MB of 512 is not the OOM killer).
fn weigh_memory(hypotheses: &mut Vec<Hypothesis>, facts: &Facts, text: &Haystack<'_>) {
    let (Some(size), Some(used)) = (facts.memory_size_mb, facts.max_memory_used_mb) else { return };
    if size == 0 {
        return;
    }
    let evidence = quote(text, "max memory used").unwrap_or_else(|| format!("Max Memory Used: {used} MB"));
    let at_limit = u64::from(used) * 100 >= u64::from(size) * 95;
    let existing = hypotheses.iter().position(|h| h.cause == ids::OUT_OF_MEMORY);
    match (at_limit, existing) {
        (true, Some(i)) => {
            let h = &mut hypotheses[i];
            h.confidence = h.confidence.max(92);
            h.explanation = format!("{} The run used {used} MB of its {size} MB.", h.explanation);
            if !h.evidence.contains(&evidence) {
                h.evidence.push(evidence);
            }
        }
        (true, None) => {
            let Some(c) = cause(ids::OUT_OF_MEMORY) else { return };
            hypotheses.push(Hypothesis {
                evidence: vec![evidence],
                patterns: vec!["lambda-report-memory"],
                ..Hypothesis::new(
                    c,
                    70,
                    format!(
                        "The run used {used} MB of its {size} MB: it reached the memory limit, which ends a run however the error words it."
                    ),
                )
            });
        }
        (false, Some(i)) if u64::from(used) * 2 < u64::from(size) => {
            let h = &mut hypotheses[i];
            h.confidence = h.confidence.min(20);
            h.explanation =
                format!("Unlikely: the run used only {used} MB of its {size} MB, so the kill was not for memory.");
            if !h.evidence.contains(&evidence) {
                h.evidence.push(evidence);
            }
        }
        _ => {}
    }
}

/// The pattern id a comparison's hypothesis lists.
pub const COMPARISON_PATTERN: &str = "comparison";

/// Applies the context comparisons: a cause they raise reaches their confidence (with the compared
/// lines as evidence); a cause they rule out is held down, with the reason.
fn weigh_comparisons(hypotheses: &mut Vec<Hypothesis>, text: &Haystack<'_>) {
    for v in compare::compare(text) {
        let existing = hypotheses.iter().position(|h| h.cause == v.cause);
        let h = match (existing, v.cap) {
            (Some(i), _) => &mut hypotheses[i],
            (None, true) => continue,
            (None, false) => {
                let Some(c) = cause(v.cause) else { continue };
                hypotheses.push(Hypothesis::new(c, 0, String::new()));
                hypotheses.last_mut().expect("just pushed")
            }
        };
        let changes = if v.cap { h.confidence > v.confidence } else { h.confidence < v.confidence };
        if !changes {
            continue;
        }
        h.confidence = v.confidence;
        h.explanation = if h.explanation.is_empty() { v.because } else { format!("{} {}", v.because, h.explanation) };
        for e in v.evidence {
            if !h.evidence.contains(&e) {
                h.evidence.push(e);
            }
        }
        if !h.patterns.contains(&COMPARISON_PATTERN) {
            h.patterns.push(COMPARISON_PATTERN);
        }
    }
}

/// A rule hypothesis at least this confident (a near-certain reading) leaves no room for resemblance
/// leads; set by cross-validation inside the train part.
const CONFIDENT: u8 = 90;
/// Hypotheses a resemblance may fill the list up to.
const LEADS: usize = 3;
/// How close (cosine) a text with no failure word must be to a known report to get leads (sharing
/// at least two words with it, or one at a cosine of 0.5).
const SIMILAR_ENOUGH: f64 = 0.35;
/// The least share of the neighbours' votes a resemblance needs to be offered at all.
const MIN_RESEMBLANCE: f64 = 0.08;
/// The most a resemblance adds to a rule hypothesis of the same cause: enough to break a near-tie.
const TIE_BREAK: f64 = 6.0;

/// Whether the text says something failed (so it deserves an answer): one of the failure words of
/// `knowledge/signals.toml`, found in the same pass as the patterns' fragments.
fn reports_failure(found: &matcher::Found) -> bool {
    crate::knowledge::FAILURE_WORDS.iter().any(|w| found.has(w))
}

/// The fallback ranker's part: it nudges rule hypotheses it agrees with (breaking near-ties) and,
/// when no rule is near-certain, adds the causes the paste most resembles, labelled as resemblance.
/// Only neighbours at least `min_similarity` close count.
fn weigh_resemblance(
    hypotheses: &mut Vec<Hypothesis>,
    text: &Haystack<'_>,
    model: &resemblance::Model<'_>,
    min_similarity: f64,
) {
    let mut ranked = resemblance::rank_with(model, text.raw);
    // A text with no failure word must share more than one word with a report, or be very close
    // to it: one rare word ("hello") makes a short text look close to a short report.
    let close_enough = |r: &resemblance::Resemblance| {
        min_similarity == 0.0 || (r.similarity >= min_similarity && (r.words.len() >= 2 || r.similarity >= 0.5))
    };
    ranked.retain(close_enough);
    for h in hypotheses.iter_mut() {
        if let Some(r) = ranked.iter().find(|r| r.cause == h.cause) {
            h.confidence = h.confidence.saturating_add((TIE_BREAK * r.probability).round() as u8).min(100);
        }
    }
    let top_rule = hypotheses.iter().map(|h| h.confidence).max().unwrap_or(0);
    if top_rule >= CONFIDENT {
        return;
    }
    // Fill the list up to LEADS, and offer at least one lead beside unconfident rules.
    let room = LEADS.saturating_sub(hypotheses.len()).max(1);
    let fresh: Vec<&resemblance::Resemblance> = ranked
        .iter()
        .filter(|r| r.probability >= MIN_RESEMBLANCE && !hypotheses.iter().any(|h| h.cause == r.cause))
        .take(room)
        .collect();
    for r in fresh {
        let Some(c) = cause(r.cause) else { continue };
        let words = r.words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ");
        let explanation = if words.is_empty() {
            format!("No rule reads this paste with confidence; it resembles known reports of this cause ({:.0} % of the nearest reports' votes).", 100.0 * r.probability)
        } else {
            format!(
                "No rule reads this paste with confidence; it resembles known reports of this cause, sharing {words}."
            )
        };
        let mut h = Hypothesis::new(c, r.confidence(), explanation);
        h.basis = Basis::Resemblance;
        h.patterns.push(RESEMBLANCE_PATTERN);
        if let Some(q) = line_sharing_most(text, &r.words) {
            h.evidence.push(q);
        }
        hypotheses.push(h);
    }
}

/// The pasted line holding the most of `words` (the first such line), as evidence for a resemblance.
fn line_sharing_most(text: &Haystack<'_>, words: &[String]) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for (lower, raw) in compare::lines(text) {
        let n = words.iter().filter(|w| lower.contains(w.as_str())).count();
        if n > 0 && best.is_none_or(|(m, _)| n > m) {
            best = Some((n, raw));
        }
    }
    best.map(|(_, raw)| prefix(raw.trim(), 240).to_string())
}

/// The last resort for a failure nothing else reads: the closest generic causes, at a confidence
/// that claims almost nothing, so the answer is never empty.
fn weigh_unknown_failure(hypotheses: &mut Vec<Hypothesis>, facts: &Facts, text: &Haystack<'_>) {
    if !hypotheses.is_empty() {
        return;
    }
    let exited = facts.exit_code.is_some() || facts.signal.is_some();
    let order: [&str; 2] =
        if exited { [ids::APP_EXITED, ids::APP_EXCEPTION] } else { [ids::APP_EXCEPTION, ids::APP_EXITED] };
    for (i, id) in order.into_iter().enumerate() {
        let Some(c) = cause(id) else { continue };
        let mut h = Hypothesis::new(
            c,
            15 - 5 * i as u8,
            "The paste reports a failure, but neither a rule nor a known report matches it: read the program's own log lines around it.".to_string(),
        );
        h.basis = Basis::Resemblance;
        h.patterns.push(RESEMBLANCE_PATTERN);
        if let Some(q) = crate::knowledge::FAILURE_WORDS.iter().find_map(|w| quote(text, w)) {
            h.evidence.push(q);
        }
        hypotheses.push(h);
    }
}

/// Confidence within which two causes count as "the paste cannot tell them apart".
const AMBIGUITY_MARGIN: u8 = 25;

/// When the leading causes are close, each of them says how to tell it from the others.
pub fn mark_ambiguity(hypotheses: &mut [Hypothesis]) {
    let Some(top) = hypotheses.first().map(|h| h.confidence) else { return };
    let close = hypotheses.iter().filter(|h| h.confidence + AMBIGUITY_MARGIN >= top).count();
    for h in hypotheses.iter_mut() {
        h.how_to_tell = None;
        if close >= 2 && h.confidence + AMBIGUITY_MARGIN >= top {
            h.how_to_tell = cause(h.cause).map(|c| c.confirm).filter(|c| !c.is_empty()).map(str::to_string);
        }
    }
}

/// Reads one capture: the text after its fragment, up to a stop character, at most 120 characters.
fn read_capture(text: &Haystack<'_>, capture: &Capture) -> Option<String> {
    let rest = text.after(capture.after)?;
    let rest = rest.trim_start_matches(['\'', '"', '`', '‘', '’', ' ']);
    let stops = |c: char| {
        c == '\n'
            || c == '\r'
            || if capture.until.is_empty() {
                c.is_whitespace() || "'\"`‘’".contains(c)
            } else {
                capture.until.contains(c)
            }
    };
    let end = rest.find(stops).unwrap_or(rest.len());
    let value: String = prefix(&rest[..end], 480).chars().take(120).collect();
    let value = value.trim().trim_end_matches(['.', ',', ':', ';']).to_string();
    (!value.is_empty()).then_some(value)
}

/// The paste with JSON string escapes undone, when it has any.
fn unescaped_view(text: &str) -> Option<String> {
    if !(text.contains("\\n") || text.contains("\\\"") || text.contains("\\\\")) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Some(out)
}

/// `confidence × num / den`, computed wide so it never overflows (a u8 product would, from 52 × 5).
fn scale(confidence: u8, num: u16, den: u16) -> u8 {
    (u16::from(confidence) * num / den).min(100) as u8
}

/// What was read from the paste, in words: exit code, signal, platform, stage, names and ports.
fn what_was_read(variables: &Facts, detected_vendor: Option<&str>) -> Vec<String> {
    let mut seen = Vec::new();
    if let Some(c) = variables.exit_code {
        seen.push(format!("exit code {c}"));
    }
    if let Some(s) = variables.signal.as_deref().filter(|s| !s.is_empty()) {
        seen.push(format!("signal {s}"));
    }
    if let Some(n) = &variables.error_name {
        seen.push(format!("error {n}"));
    }
    if let Some(s) = variables.status_code {
        seen.push(format!("status {s}"));
    }
    if let Some(p) = variables.port {
        seen.push(format!("port {p}"));
    }
    if let Some(v) = detected_vendor {
        seen.push(format!("platform {v}"));
    }
    if let Some(s) = variables.stage {
        seen.push(format!("stage {s}"));
    }
    seen
}

/// One sentence on the outcome: the top cause, or what was recognised when nothing matched.
pub fn summarize(hypotheses: &[Hypothesis], variables: &Facts, detected_vendor: Option<&str>) -> String {
    let seen = what_was_read(variables, detected_vendor);
    let read = if seen.is_empty() { String::new() } else { format!(" Read: {}.", seen.join(", ")) };
    if let Some(top) = hypotheses.first() {
        if top.basis == Basis::Resemblance {
            return format!(
                "No rule reads this error with confidence.{read} It most resembles known reports of: {} ({}%, a lead to check, not a diagnosis).",
                top.title, top.confidence
            );
        }
        if top.confidence < 45 {
            return format!(
                "No cause stands out.{read} The closest: {} ({}%, {}).",
                top.title,
                top.confidence,
                top.confidence_label()
            );
        }
        return format!("Most likely: {} ({}%, {}).", top.title, top.confidence, top.confidence_label());
    }
    if seen.is_empty() {
        "Nothing in this text matches a start-up error Bootdoctor knows. Paste the platform's whole message, \
         including the Logs: part."
            .to_string()
    } else {
        format!(
            "Recognised {} but no known cause; Bootdoctor will not guess. Paste the whole message with its Logs: tail, or drop the package.",
            seen.join(" and ")
        )
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod scale_tests {
    #[test]
    fn demotion_never_overflows() {
        assert_eq!(super::scale(95, 3, 5), 57);
        assert_eq!(super::scale(100, 4, 5), 80);
    }
}
