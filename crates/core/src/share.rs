//! Share links: a diagnosis packed into a URL fragment, so a teammate opening the link sees the same
//! report without the package. The fragment never reaches a server.
//!
//! Format, version 1: `1.` followed by base64url (no padding) of raw-deflated postcard bytes of
//! [`SharedDiagnosis`]. Only what the page cannot re-derive travels: ids, paths, the evidence lines,
//! the few texts with specifics; titles and explanations of causes come from the page's own
//! knowledge. File contents never travel: evidence lines that quote a line of code are redacted. The pasted error travels only when the user agrees, and
//! then redacted ([`redact`]).
//!
//! Compatibility: links made by a version keep opening in later ones. A new field or variant means a
//! new version number with its own struct; `decode_link` keeps reading every version it ever wrote
//! (golden links in the tests hold this). Postcard encodes enum variants by position: never reorder.
//!
//! Length: links aim at [`TYPICAL_LINK_CHARS`]. When a diagnosis is longer, detail is dropped in the
//! order of [`Omission`] (least useful first) and the link says what was dropped.

use std::io::{Read, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use serde::{Deserialize, Serialize};

use crate::causes::cause;
use crate::checks::{Finding, PackageSummary, Severity, CHECK_IDS};
use crate::decode::patterns::{Pattern, PATTERNS};
use crate::decode::{decode, mark_ambiguity, summarize, Basis, Decoding, Hypothesis, RESEMBLANCE_PATTERN};
use crate::entry::StartSpec;
use crate::profiles::profile;
use crate::report::{PlatformBasis, Report};

/// The link format written today.
pub const LINK_VERSION: u32 = 1;
/// Links are kept under this many characters of fragment when the diagnosis allows.
pub const TYPICAL_LINK_CHARS: usize = 2000;
/// Fragments longer than this are refused unread (hand-edited or not ours).
pub const MAX_FRAGMENT_CHARS: usize = 32 * 1024;
/// The decompressed state may not exceed this (a link is a few KiB; this bounds a deflate bomb).
pub const MAX_STATE_BYTES: usize = 256 * 1024;
/// The longest paste a link carries.
pub const MAX_SHARED_PASTE_CHARS: usize = 4000;

/// Characters past [`MAX_SHARED_PASTE_CHARS`] that are redacted too before the cut.
const REDACTION_MARGIN_CHARS: usize = 4096;

/// A diagnosis as a link carries it (version 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedDiagnosis {
    /// Profile id.
    pub platform: String,
    /// 0 chosen, 1 detected, 2 default.
    pub basis: u8,
    /// The start command the diagnosis used.
    pub start_command: Option<String>,
    /// The handler the diagnosis used.
    pub handler: Option<String>,
    /// The package's summary, when a package was read.
    pub package: Option<SharedPackage>,
    /// Why the package could not be read.
    pub package_error: Option<String>,
    /// Every finding, errors first.
    pub findings: Vec<SharedFinding>,
    /// The error's causes, when an error was pasted.
    pub hypotheses: Vec<SharedHypothesis>,
    /// True when an error was pasted (even when the paste itself is not shared).
    pub had_error: bool,
    /// The pasted error, redacted, when the user agreed to share it.
    pub paste: Option<String>,
    /// What was left out to keep the link short.
    pub omitted: Vec<Omission>,
}

/// The package facts a link keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPackage {
    /// File name.
    pub name: String,
    /// Zip size in bytes.
    pub size: u64,
    /// Entries in the central directory.
    pub entries: u64,
    /// Regular files.
    pub files: u64,
    /// Sum of uncompressed sizes.
    pub uncompressed_size: u64,
    /// The tool that probably wrote the zip.
    pub zipper: String,
}

/// A finding as a link keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFinding {
    /// Check id.
    pub id: String,
    /// 0 error, 1 warning, 2 info.
    pub severity: u8,
    /// The path it is about.
    pub path: Option<String>,
    /// Its one-line title, with specifics.
    pub title: String,
    /// The evidence lines.
    pub evidence: Vec<String>,
    /// What the platform prints (dropped first when long).
    pub platform_message: Option<String>,
    /// Why it breaks start-up (dropped first when long; the cause's summary stands in).
    pub explanation: Option<String>,
    /// The fix (dropped when long; the cause's general fix stands in).
    pub fix: Option<String>,
}

/// A hypothesis as a link keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedHypothesis {
    /// Cause id.
    pub cause: String,
    /// 0–100.
    pub confidence: u8,
    /// Ids of the patterns that matched (their meanings are the explanation).
    pub patterns: Vec<String>,
    /// The quoted fragments (only when the paste is shared).
    pub evidence: Vec<String>,
    /// What the package said about it.
    pub package_note: Option<String>,
}

/// Detail dropped to keep a link short, in the order it is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Omission {
    /// Findings' explanations (the cause's summary stands in).
    Explanations,
    /// What the platform prints for each finding.
    PlatformMessages,
    /// The paste beyond its first 1,000 characters.
    PasteTail,
    /// Evidence lines beyond the first two per finding.
    ExtraEvidence,
    /// Informational findings.
    InfoFindings,
    /// Findings' specific fixes (the cause's general fix stands in).
    Fixes,
    /// The quoted fragments of the paste on each hypothesis.
    HypothesisQuotes,
    /// Warnings.
    Warnings,
    /// The paste itself.
    Paste,
}

impl Omission {
    /// Words for the user.
    pub fn describe(self) -> &'static str {
        match self {
            Omission::Explanations => "the findings' explanations (the general ones stand in)",
            Omission::PlatformMessages => "what the platform prints for each finding",
            Omission::PasteTail => "the pasted error beyond its first 1,000 characters",
            Omission::ExtraEvidence => "evidence beyond two lines per finding",
            Omission::InfoFindings => "informational findings",
            Omission::Fixes => "the findings' specific fixes (the general ones stand in)",
            Omission::HypothesisQuotes => "the quotes from the pasted error",
            Omission::Warnings => "warnings",
            Omission::Paste => "the pasted error",
        }
    }
}

/// Every omission, in the order they are applied.
pub const OMISSION_ORDER: &[Omission] = &[
    Omission::Explanations,
    Omission::PlatformMessages,
    Omission::PasteTail,
    Omission::ExtraEvidence,
    Omission::InfoFindings,
    Omission::Fixes,
    Omission::HypothesisQuotes,
    Omission::Warnings,
    Omission::Paste,
];

/// A link made for a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareLink {
    /// The fragment without `#`, e.g. `/r/1.…`.
    pub fragment: String,
    /// What was dropped to keep it under [`TYPICAL_LINK_CHARS`].
    pub omitted: Vec<Omission>,
    /// How many identifiers the redaction replaced in the shared paste.
    pub redactions: usize,
}

/// The route prefix of share links in the page's fragment.
pub const ROUTE: &str = "/r/";

/// Why a link could not be opened. Every variant has words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// Longer than [`MAX_FRAGMENT_CHARS`].
    TooLong(usize),
    /// No `<version>.` prefix, or characters outside base64url.
    NotALink,
    /// A version this build does not know (a newer Bootdoctor made it).
    UnknownVersion(String),
    /// The data is cut short or damaged.
    Damaged,
    /// It names a platform this version does not have.
    UnknownPlatform(String),
}

impl std::fmt::Display for LinkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkError::TooLong(n) => write!(f, "This link is {n} characters long, more than a Bootdoctor link can be; it was not read."),
            LinkError::NotALink => f.write_str("This is not a Bootdoctor share link (the part after #/r/ is not in the expected form)."),
            LinkError::UnknownVersion(v) => write!(
                f,
                "This link was made by a newer Bootdoctor (link version {v}); reload the page to get the latest version."
            ),
            LinkError::Damaged => f.write_str(
                "This link is damaged or cut short — it may have been truncated when it was copied. Ask for it again.",
            ),
            LinkError::UnknownPlatform(p) => write!(f, "This link names a platform this version does not know ({p})."),
        }
    }
}

impl std::error::Error for LinkError {}

/// The paste as a link carries it: redacted, then cut to [`MAX_SHARED_PASTE_CHARS`]; with the
/// number of identifiers removed. Only the part a link can carry is redacted, so a 10 MiB paste
/// costs no more than a short one; the margin keeps a token that straddles the cut whole enough to
/// be recognised.
pub fn carried_paste(paste: &str) -> (String, usize) {
    let end =
        paste.char_indices().nth(MAX_SHARED_PASTE_CHARS + REDACTION_MARGIN_CHARS).map_or(paste.len(), |(at, _)| at);
    let (text, n) = redact(&paste[..end]);
    (text.chars().take(MAX_SHARED_PASTE_CHARS).collect(), n)
}

/// The state a report shares. `paste` is the error as typed; it is included (redacted) only when
/// `include_paste` is true.
pub fn shared_state(report: &Report, paste: Option<&str>, include_paste: bool) -> (SharedDiagnosis, usize) {
    let (paste, redactions) = match paste.filter(|p| include_paste && !p.trim().is_empty()) {
        Some(p) => {
            let (text, n) = carried_paste(p);
            (Some(text), n)
        }
        None => (None, 0),
    };
    let state = SharedDiagnosis {
        platform: report.platform.to_string(),
        basis: match report.platform_basis {
            PlatformBasis::Chosen => 0,
            PlatformBasis::Detected => 1,
            PlatformBasis::Default => 2,
            PlatformBasis::Package => 3,
        },
        start_command: report.start.start_command.clone(),
        handler: report.start.handler.clone(),
        package: report.package.as_ref().map(|p| SharedPackage {
            name: p.name.clone(),
            size: p.size,
            entries: p.entries as u64,
            files: p.files as u64,
            uncompressed_size: p.uncompressed_size,
            zipper: p.zipper.clone(),
        }),
        package_error: report.package_error.clone(),
        findings: report
            .findings
            .iter()
            .map(|f| SharedFinding {
                id: f.id.to_string(),
                severity: match f.severity {
                    Severity::Error => 0,
                    Severity::Warning => 1,
                    Severity::Info => 2,
                },
                path: f.path.clone(),
                title: f.title.clone(),
                // Evidence can quote a line of code (a listen call, a #! line): redacted like a paste.
                evidence: f.evidence.iter().map(|e| redact(e).0).collect(),
                platform_message: f.platform_message.clone(),
                explanation: Some(f.explanation.clone()),
                fix: Some(f.fix.clone()),
            })
            .collect(),
        hypotheses: report
            .hypotheses
            .iter()
            .map(|h| SharedHypothesis {
                cause: h.cause.to_string(),
                confidence: h.confidence,
                patterns: h.patterns.iter().map(|p| p.to_string()).collect(),
                evidence: if paste.is_some() { h.evidence.iter().map(|e| redact(e).0).collect() } else { Vec::new() },
                package_note: h.package_note.clone(),
            })
            .collect(),
        had_error: report.error.is_some(),
        paste,
        omitted: Vec::new(),
    };
    (state, redactions)
}

/// Makes the share link for a report, dropping detail in [`OMISSION_ORDER`] until it fits
/// [`TYPICAL_LINK_CHARS`] (or nothing more can go).
pub fn make_link(report: &Report, paste: Option<&str>, include_paste: bool) -> ShareLink {
    let (mut state, redactions) = shared_state(report, paste, include_paste);
    let mut fitting = fitting_fragment(&state);
    for &step in OMISSION_ORDER {
        if fitting.is_some() {
            break;
        }
        if apply(&mut state, step) {
            state.omitted.push(step);
            fitting = fitting_fragment(&state);
        }
    }
    let fragment = fitting.unwrap_or_else(|| encode(&state));
    ShareLink { fragment, omitted: state.omitted, redactions }
}

/// The fragment for `state` if it fits [`TYPICAL_LINK_CHARS`] and can be opened again.
///
/// A large report takes several trials, so the cheap tests come first: a state over
/// [`MAX_STATE_BYTES`] never fits (no page would open it), and one whose quickly compressed
/// fragment is over twice the limit is far over it (the best level gains well under half on these
/// states: `quick_trials_agree_with_best_ones` measures it). Only near the limit is the state
/// compressed at the best level, as the link will be.
fn fitting_fragment(state: &SharedDiagnosis) -> Option<String> {
    let bytes = postcard::to_allocvec(state).expect("serialising plain data into a Vec cannot fail");
    if bytes.len() > MAX_STATE_BYTES || pack(&bytes, Compression::fast()).len() > 2 * TYPICAL_LINK_CHARS {
        return None;
    }
    Some(pack(&bytes, Compression::best())).filter(|fragment| fragment.len() <= TYPICAL_LINK_CHARS)
}

/// Drops one kind of detail; false when there was none to drop.
fn apply(state: &mut SharedDiagnosis, step: Omission) -> bool {
    let before = state.clone();
    match step {
        Omission::Explanations => state.findings.iter_mut().for_each(|f| f.explanation = None),
        Omission::PlatformMessages => state.findings.iter_mut().for_each(|f| f.platform_message = None),
        Omission::PasteTail => {
            if let Some(p) = &mut state.paste {
                if p.chars().count() > 1000 {
                    *p = p.chars().take(1000).collect();
                }
            }
        }
        Omission::ExtraEvidence => state.findings.iter_mut().for_each(|f| f.evidence.truncate(2)),
        Omission::InfoFindings => state.findings.retain(|f| f.severity != 2),
        Omission::Fixes => state.findings.iter_mut().for_each(|f| f.fix = None),
        Omission::HypothesisQuotes => state.hypotheses.iter_mut().for_each(|h| h.evidence.clear()),
        Omission::Warnings => state.findings.retain(|f| f.severity != 1),
        Omission::Paste => state.paste = None,
    }
    *state != before
}

/// The fragment (`/r/1.…`) for a state.
pub fn encode(state: &SharedDiagnosis) -> String {
    let bytes = postcard::to_allocvec(state).expect("serialising plain data into a Vec cannot fail");
    pack(&bytes, Compression::best())
}

/// The fragment for a serialised state, deflated at `level`.
fn pack(bytes: &[u8], level: Compression) -> String {
    let mut deflater = DeflateEncoder::new(Vec::new(), level);
    deflater.write_all(bytes).expect("writing into a Vec cannot fail");
    let packed = deflater.finish().expect("finishing into a Vec cannot fail");
    format!("{ROUTE}{LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a fragment (with or without the leading `#` and route). Never panics; bounded by
/// [`MAX_FRAGMENT_CHARS`] and [`MAX_STATE_BYTES`].
pub fn decode_link(fragment: &str) -> Result<SharedDiagnosis, LinkError> {
    if fragment.len() > MAX_FRAGMENT_CHARS {
        return Err(LinkError::TooLong(fragment.len()));
    }
    let body = fragment.trim().trim_start_matches('#');
    let body = body.strip_prefix(ROUTE).unwrap_or(body);
    let (version, data) = body.split_once('.').ok_or(LinkError::NotALink)?;
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) || version.len() > 6 {
        return Err(LinkError::NotALink);
    }
    if version != "1" {
        return Err(LinkError::UnknownVersion(version.to_string()));
    }
    let packed = URL_SAFE_NO_PAD.decode(data.trim_end_matches('=')).map_err(|_| LinkError::NotALink)?;
    let mut bytes = Vec::new();
    DeflateDecoder::new(packed.as_slice())
        .take(MAX_STATE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|_| LinkError::Damaged)?;
    if bytes.len() > MAX_STATE_BYTES {
        return Err(LinkError::Damaged);
    }
    let state: SharedDiagnosis = postcard::from_bytes(&bytes).map_err(|_| LinkError::Damaged)?;
    if profile(&state.platform).is_none() {
        return Err(LinkError::UnknownPlatform(state.platform.chars().take(60).collect()));
    }
    Ok(state)
}

impl SharedDiagnosis {
    /// The report this link describes, with texts re-rendered from this version's knowledge where the
    /// link left them out. Ids this version does not know are skipped and counted in the second value.
    pub fn to_report(&self) -> (Report, usize) {
        let profile = profile(&self.platform).expect("decode_link checked the platform");
        let mut unknown = 0;
        let findings: Vec<Finding> = self
            .findings
            .iter()
            .filter_map(|f| {
                let Some(id) = CHECK_IDS.iter().find(|id| **id == f.id).copied() else {
                    unknown += 1;
                    return None;
                };
                let general = cause(id);
                Some(Finding {
                    id,
                    severity: match f.severity {
                        0 => Severity::Error,
                        1 => Severity::Warning,
                        _ => Severity::Info,
                    },
                    path: f.path.clone(),
                    title: f.title.clone(),
                    evidence: f.evidence.clone(),
                    platform_message: f.platform_message.clone(),
                    explanation: f.explanation.clone().unwrap_or_else(|| general.map_or("", |c| c.summary).to_string()),
                    fix: f.fix.clone().unwrap_or_else(|| general.map_or("", |c| c.fix).to_string()),
                })
            })
            .collect();
        let decoded = self.paste.as_deref().map(|p| decode(p, Some(profile.vendor)));
        let mut hypotheses: Vec<Hypothesis> = self
            .hypotheses
            .iter()
            .filter_map(|h| {
                let Some(c) = cause(&h.cause) else {
                    unknown += 1;
                    return None;
                };
                let known: Vec<&'static Pattern> =
                    h.patterns.iter().filter_map(|p| PATTERNS.iter().find(|k| k.id == p)).collect();
                let explanation = known.first().map_or(c.summary, |k| k.meaning).to_string();
                let resemblance = h.patterns.iter().any(|p| p == RESEMBLANCE_PATTERN);
                let mut patterns: Vec<&'static str> = known.iter().map(|k| k.id).collect();
                if resemblance {
                    patterns.push(RESEMBLANCE_PATTERN);
                }
                Some(Hypothesis {
                    evidence: h.evidence.clone(),
                    patterns,
                    package_note: h.package_note.clone(),
                    basis: if resemblance { Basis::Resemblance } else { Basis::Rule },
                    ..Hypothesis::new(c, h.confidence.min(100), explanation)
                })
            })
            .collect();
        mark_ambiguity(&mut hypotheses);
        let error = if self.had_error {
            Some(match decoded {
                Some(mut d) => {
                    d.summary = summarize(&hypotheses, &d.variables, d.detected_vendor);
                    d.hypotheses = Vec::new();
                    d
                }
                None => Decoding {
                    detected_vendor: None,
                    variables: Default::default(),
                    code_reading: None,
                    hypotheses: Vec::new(),
                    summary: summarize(&hypotheses, &Default::default(), None),
                    truncated: false,
                    lines_read: None,
                },
            })
        } else {
            None
        };
        let report = Report {
            platform: profile.id,
            platform_name: profile.name,
            platform_basis: match self.basis {
                0 => PlatformBasis::Chosen,
                1 => PlatformBasis::Detected,
                3 => PlatformBasis::Package,
                _ => PlatformBasis::Default,
            },
            start: StartSpec { start_command: self.start_command.clone(), handler: self.handler.clone() },
            start_note: None,
            package: self.package.as_ref().map(|p| PackageSummary {
                name: p.name.clone(),
                size: p.size,
                entries: usize::try_from(p.entries).unwrap_or(usize::MAX),
                files: usize::try_from(p.files).unwrap_or(usize::MAX),
                uncompressed_size: p.uncompressed_size,
                zipper: p.zipper.clone(),
                bytes_sniffed: 0,
                files_sniffed: 0,
                sniff_budget_exhausted: false,
                elf_objects: 0,
                elf_analysed: 0,
                elf_over_limits: false,
                code_read: Vec::new(),
                files_not_listed: 0,
                imports_followed: 0,
                imports_budget_hit: false,
            }),
            package_error: self.package_error.clone(),
            targets: Vec::new(),
            findings,
            files: Vec::new(),
            error,
            hypotheses,
        };
        (report, unknown)
    }
}

/// Replaces identifiers and secrets in a paste with placeholders: request ids, UUIDs, AWS account
/// ids (12 digits) and ARNs holding them, e-mail addresses, IPv4 addresses other than 0.0.0.0 and
/// 127.0.0.1, AWS access key ids, JSON Web Tokens, the values of `password=`/`secret=`/`token=`-style
/// pairs, and long hex or base64 tokens. Returns the text and how many were replaced. What decodes the error (codes, paths,
/// messages, ports) stays.
pub fn redact(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut previous_word = String::new();
    let mut rest = text;
    while !rest.is_empty() {
        let start = rest.find(|c: char| is_token_char(c)).unwrap_or(rest.len());
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find(|c: char| !is_token_char(c)).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        if token.is_empty() {
            continue;
        }
        let after_request_key = is_request_key(&previous_word);
        match classify(token, after_request_key) {
            Some(placeholder) => {
                out.push_str(&placeholder);
                count += 1;
            }
            None => out.push_str(token),
        }
        previous_word = token.to_ascii_lowercase();
    }
    (out, count)
}

fn is_token_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+' | '/' | '=' | ':')
}

fn is_request_key(word: &str) -> bool {
    let w = word.trim_end_matches(':');
    matches!(w, "requestid" | "request-id" | "x-fc-request-id" | "request_id" | "reqid" | "invocationid")
        || w.ends_with("requestid")
}

/// The placeholder for a token that identifies someone or something, or `None` to keep it.
fn classify(token: &str, after_request_key: bool) -> Option<String> {
    // key=value where the key names a secret: keep the key, hide the value.
    if let Some((key, value)) = token.split_once('=') {
        let k = key.to_ascii_lowercase();
        if !value.is_empty()
            && ["password", "passwd", "secret", "token", "apikey", "api_key", "access_key", "credential"]
                .iter()
                .any(|s| k.contains(s))
        {
            return Some(format!("{key}=<secret>"));
        }
    }
    classify_fixed(token, after_request_key).map(str::to_string).or_else(|| {
        // host:port with an address to hide; the port stays (it decodes health-check errors).
        let (host, port) = token.rsplit_once(':')?;
        (is_ipv4(host) && host != "0.0.0.0" && host != "127.0.0.1" && port.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("<ip>:{port}"))
    })
}

fn classify_fixed(token: &str, after_request_key: bool) -> Option<&'static str> {
    // "RequestId:6e2b…" written without a space.
    if let Some((key, value)) = token.split_once(':') {
        if is_request_key(&key.to_ascii_lowercase()) && !value.is_empty() {
            return Some("RequestId:<request-id>");
        }
    }
    let bare = token.trim_end_matches(['.', ',', ':', ';']);
    if after_request_key && bare.len() >= 4 {
        return Some("<request-id>");
    }
    if is_uuid(bare) {
        return Some("<id>");
    }
    // AWS access key ids (AKIA…, ASIA…: 20 characters) and JSON Web Tokens (eyJ….….…).
    if bare.len() == 20
        && (bare.starts_with("AKIA") || bare.starts_with("ASIA"))
        && bare.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return Some("<token>");
    }
    if bare.starts_with("eyJ") && bare.matches('.').count() == 2 && bare.len() >= 20 {
        return Some("<token>");
    }
    if bare.contains('@') && bare.contains('.') && !bare.starts_with('@') {
        return Some("<email>");
    }
    if is_ipv4(bare) && bare != "0.0.0.0" && bare != "127.0.0.1" {
        return Some("<ip>");
    }
    if token.contains("arn:") || token.contains(':') {
        // ARNs: mask any 12-digit account segment but keep the rest readable.
        if token.split(':').any(|part| part.len() == 12 && part.bytes().all(|b| b.is_ascii_digit())) {
            return Some("<arn>");
        }
    }
    if bare.len() == 12 && bare.bytes().all(|b| b.is_ascii_digit()) {
        return Some("<account>");
    }
    // FC request ids: 1-6640a0c1-1f2e3d4c5b6a.
    let parts: Vec<&str> = bare.split('-').collect();
    if parts.len() >= 3
        && parts[0].len() == 1
        && parts[1..].iter().all(|p| p.len() >= 8 && p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Some("<request-id>");
    }
    if bare.len() >= 32
        && !bare.contains('/')
        && bare.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=' || b == b'+')
    {
        return Some("<token>");
    }
    None
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12].iter().zip(&parts).all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

#[cfg(test)]
mod tests;
