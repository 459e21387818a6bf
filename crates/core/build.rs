//! Compiles the knowledge base (`knowledge/`: causes, error patterns, Tencent SCF status codes,
//! platform profiles and their OS images) from
//! TOML into Rust constants, so the engine (and the wasm) parses nothing at start-up.
//!
//! Everything a data file can get wrong is refused here, with the file's name: unknown fields, an
//! id that differs from the file name, a cause id no cause file defines, a confidence outside
//! 1–100, a pattern with no example. The examples themselves are checked by the engine's tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use common::{check, parse, strs, toml_files, VENDORS};

#[path = "build_common.rs"]
mod common;
#[path = "corpus.rs"]
mod corpus;
#[path = "build_profiles.rs"]
mod profiles;
#[path = "src/decode/tokens.rs"]
mod tokens;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CauseFile {
    id: String,
    title: String,
    kind: String,
    summary: String,
    #[serde(default)]
    confirm: String,
    fix: String,
    #[serde(default)]
    fixes: Vec<ToolchainFixFile>,
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolchainFixFile {
    toolchain: String,
    /// Runnable as it stands: copied by the page's Copy buttons.
    #[serde(default)]
    command: Option<String>,
    /// A step that is not a command (an editor setting, a choice in a console): shown, not copied.
    #[serde(default)]
    advice: Option<String>,
}

impl ToolchainFixFile {
    /// The text, and whether it is a runnable command.
    fn text(&self) -> (&str, bool) {
        match (&self.command, &self.advice) {
            (Some(c), _) => (c, true),
            (None, Some(a)) => (a, false),
            (None, None) => ("", false),
        }
    }
}

/// Whether `command` opens like an English sentence ("Use …", "Click …", "Set the …") rather than a
/// program, a shell keyword or a Dockerfile instruction (`COPY`).
fn reads_as_prose(command: &str) -> bool {
    let first = command.split_whitespace().next().unwrap_or("");
    let mut chars = first.chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.as_str().chars().all(char::is_lowercase)
        && !chars.as_str().is_empty()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PatternFile {
    id: String,
    specificity: String,
    #[serde(default)]
    code: Option<i32>,
    #[serde(default)]
    mechanism: Option<String>,
    #[serde(default)]
    any: Vec<String>,
    #[serde(default)]
    all: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
    causes: BTreeMap<String, u8>,
    meaning: String,
    #[serde(default)]
    fix: BTreeMap<String, String>,
    #[serde(default)]
    capture: Vec<CaptureFile>,
    sources: Vec<String>,
    examples: Vec<String>,
    #[serde(default)]
    counter_examples: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaptureFile {
    name: String,
    after: String,
    #[serde(default)]
    until: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusTable {
    status: Vec<StatusRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRow {
    code: u16,
    names: Vec<String>,
    meaning: String,
    causes: BTreeMap<String, u8>,
    #[serde(default)]
    needs_number: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalsFile {
    failure: Vec<String>,
    sources: Vec<String>,
    vendor: Vec<MarkerGroup>,
    stage: Vec<MarkerGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MarkerGroup {
    id: String,
    markers: Vec<String>,
}

/// Checks and writes `knowledge/signals.toml`: failure words, vendor markers, stage markers.
fn emit_signals(out: &mut String, path: &Path) {
    let signals: SignalsFile = parse(path);
    check(path, !signals.sources.is_empty(), "signals need sources");
    let all = signals.failure.iter().chain(signals.vendor.iter().chain(&signals.stage).flat_map(|g| &g.markers));
    for word in all {
        check(path, !word.is_empty() && *word == word.to_lowercase(), &format!("`{word}`: fragments are lowercase"));
    }
    for g in &signals.vendor {
        check(path, VENDORS[1..].contains(&g.id.as_str()), &format!("unknown vendor {}", g.id));
    }
    writeln!(
        out,
        "/// Words that say a text reports a failure.\npub const FAILURE_WORDS: &[&str] = {};",
        strs(&signals.failure)
    )
    .expect("write");
    let groups = |groups: &[MarkerGroup]| {
        groups.iter().map(|g| format!("({:?}, {})", g.id, strs(&g.markers))).collect::<Vec<_>>().join(", ")
    };
    writeln!(
        out,
        "/// Words that say which vendor printed a text.\npub const VENDOR_MARKERS: &[(&str, &[&str])] = &[{}];",
        groups(&signals.vendor)
    )
    .expect("write");
    writeln!(
        out,
        "/// Words that say at which stage a text failed.\npub const STAGE_MARKERS: &[(&str, &[&str])] = &[{}];\n",
        groups(&signals.stage)
    )
    .expect("write");
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("knowledge");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut out = String::from("// Generated by build.rs from knowledge/. Do not edit.\n\n");

    let causes = read_causes(&root.join("causes"));
    let cause_ids: BTreeSet<&str> = causes.iter().map(|c| c.id.as_str()).collect();
    emit_causes(&mut out, &causes);

    let mut patterns = Vec::new();
    for vendor in VENDORS {
        let dir = root.join("patterns").join(vendor);
        for path in toml_files(&dir) {
            let p: PatternFile = parse(&path);
            check_id(&path, &p.id);
            check_causes(&path, &p.causes, &cause_ids);
            check(&path, !p.examples.is_empty(), "a pattern needs at least one example");
            check(&path, !p.sources.is_empty(), "a pattern needs a source");
            check(
                &path,
                !p.any.is_empty() || !p.all.is_empty() || p.code.is_some(),
                "a pattern needs `any` or `all` fragments, or a `code`",
            );
            for key in p.fix.keys() {
                check(
                    &path,
                    VENDORS[1..].contains(&key.as_str()),
                    "fix keys are vendors (aliyun, tencent, aws, gcp, azure, huawei)",
                );
            }
            for c in &p.capture {
                check(
                    &path,
                    !c.name.is_empty() && !c.after.is_empty(),
                    "a capture needs a name and an `after` fragment",
                );
            }
            patterns.push((*vendor, p));
        }
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let mut seen = BTreeSet::new();
    for (_, p) in &patterns {
        assert!(seen.insert(p.id.clone()), "knowledge: two patterns are called {}", p.id);
    }
    emit_patterns(&mut out, &patterns);

    let status_path = root.join("tencent-status-codes.toml");
    let table: StatusTable = parse(&status_path);
    for row in &table.status {
        check_causes(&status_path, &row.causes, &cause_ids);
        check(&status_path, !row.names.is_empty(), "a status needs a name");
    }
    emit_statuses(&mut out, &table.status);

    let signals_path = root.join("signals.toml");
    println!("cargo:rerun-if-changed={}", signals_path.display());
    emit_signals(&mut out, &signals_path);

    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let docs = training_documents(&manifest.join("tests/pastes"), &patterns, &cause_ids);
    emit_model(&mut out, &docs);

    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    fs::write(out_dir.join("knowledge.rs"), out).expect("write generated knowledge");

    let mut profiles =
        String::from("// Generated by build.rs from knowledge/profiles/ and knowledge/images/. Do not edit.\n\n");
    profiles::emit(&mut profiles, &root);
    fs::write(out_dir.join("profiles.rs"), profiles).expect("write generated profiles");
}

fn check_id(path: &Path, id: &str) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    check(path, stem == id, "the id must equal the file name");
    check(
        path,
        !id.is_empty() && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
        "ids are lowercase words joined by dashes",
    );
}

fn check_causes(path: &Path, causes: &BTreeMap<String, u8>, known: &BTreeSet<&str>) {
    check(path, !causes.is_empty(), "at least one cause");
    for (id, confidence) in causes {
        check(path, known.contains(id.as_str()), &format!("cause `{id}` has no file in knowledge/causes/"));
        check(path, (1..=100).contains(confidence), &format!("confidence of `{id}` must be 1–100"));
    }
}

fn read_causes(dir: &Path) -> Vec<CauseFile> {
    toml_files(dir)
        .into_iter()
        .map(|path| {
            let c: CauseFile = parse(&path);
            check_id(&path, &c.id);
            check(&path, ["package", "code", "configuration", "platform"].contains(&c.kind.as_str()), "unknown kind");
            check(
                &path,
                !c.summary.is_empty() && !c.fix.is_empty() && !c.sources.is_empty(),
                "summary, fix and sources are required",
            );
            for f in &c.fixes {
                check(&path, f.command.is_some() != f.advice.is_some(), "a fix has either a command or advice");
                if let Some(command) = &f.command {
                    check(
                        &path,
                        !reads_as_prose(command),
                        &format!(
                            "the {} fix's command reads as prose; write it as `advice`, or as a runnable command",
                            f.toolchain
                        ),
                    );
                }
            }
            c
        })
        .collect()
}

fn variant(kebab: &str) -> String {
    kebab.split('-').map(|w| w[..1].to_ascii_uppercase() + &w[1..]).collect()
}

/// Cause pairs ordered by confidence, highest first (ties by id), as `&[("id", n), …]`.
fn cause_pairs(causes: &BTreeMap<String, u8>) -> String {
    let mut pairs: Vec<(&String, &u8)> = causes.iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let inner: Vec<String> = pairs.iter().map(|(id, n)| format!("({id:?}, {n})")).collect();
    format!("&[{}]", inner.join(", "))
}

fn emit_causes(out: &mut String, causes: &[CauseFile]) {
    out.push_str(
        "/// Every cause Bootdoctor knows, from `knowledge/causes/`.\npub const CAUSES: &[crate::causes::Cause] = &[\n",
    );
    for c in causes {
        let fixes: Vec<String> = c
            .fixes
            .iter()
            .map(|f| {
                let (text, runnable) = f.text();
                format!(
                    "crate::causes::ToolchainFix {{ toolchain: {:?}, command: {text:?}, runnable: {runnable} }}",
                    f.toolchain
                )
            })
            .collect();
        writeln!(
            out,
            "    crate::causes::Cause {{ id: {:?}, title: {:?}, kind: crate::causes::CauseKind::{}, summary: {:?}, confirm: {:?}, fix: {:?}, fixes: &[{}], sources: {} }},",
            c.id,
            c.title,
            variant(&c.kind),
            c.summary,
            c.confirm,
            c.fix,
            fixes.join(", "),
            strs(&c.sources)
        )
        .expect("write to string");
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// Every cause id as a constant, so a check that names a cause by a misspelt id fails to\n\
         /// compile. Generated from `knowledge/causes/<id>.toml`.\npub mod ids {\n",
    );
    for c in causes {
        writeln!(
            out,
            "    /// `{}`: {}\n    pub const {}: &str = {:?};",
            c.id,
            c.title.replace('`', "'"),
            c.id.replace('-', "_").to_ascii_uppercase(),
            c.id
        )
        .expect("write to string");
    }
    out.push_str("}\n\n");
}

fn emit_patterns(out: &mut String, patterns: &[(&str, PatternFile)]) {
    out.push_str("/// Every error pattern, from `knowledge/patterns/<vendor>/`.\npub const PATTERNS: &[crate::decode::patterns::Pattern] = &[\n");
    for (vendor, p) in patterns {
        let specificity = match p.specificity.as_str() {
            s @ ("log" | "headline" | "exit-code") => variant(s),
            other => panic!("knowledge: pattern {}: unknown specificity {other}", p.id),
        };
        let mechanism = match p.mechanism.as_deref() {
            None => "None".to_string(),
            Some(m @ ("exec-errno-or-exit" | "exit-status" | "signal")) => {
                format!("Some(crate::decode::facts::CodeMechanism::{})", variant(m))
            }
            Some(other) => panic!("knowledge: pattern {}: unknown mechanism {other}", p.id),
        };
        let vendor = if *vendor == "generic" { "None".to_string() } else { format!("Some({vendor:?})") };
        let code = p.code.map_or("None".to_string(), |c| format!("Some({c})"));
        let fixes: Vec<String> = p.fix.iter().map(|(v, f)| format!("({v:?}, {f:?})")).collect();
        let captures: Vec<String> = p
            .capture
            .iter()
            .map(|c| {
                format!(
                    "crate::decode::patterns::Capture {{ name: {:?}, after: {:?}, until: {:?} }}",
                    c.name, c.after, c.until
                )
            })
            .collect();
        writeln!(
            out,
            "    crate::decode::patterns::Pattern {{ id: {:?}, vendor: {vendor}, specificity: crate::decode::patterns::Specificity::{specificity}, \
             any: {}, all: {}, unless: {}, code: {code}, mechanism: {mechanism}, causes: {}, meaning: {:?}, fixes: &[{}], \
             captures: &[{}], sources: {}, examples: {}, counter_examples: {} }},",
            p.id,
            strs(&p.any),
            strs(&p.all),
            strs(&p.unless),
            cause_pairs(&p.causes),
            p.meaning,
            fixes.join(", "),
            captures.join(", "),
            strs(&p.sources),
            strs(&p.examples),
            strs(&p.counter_examples),
        )
        .expect("write to string");
    }
    out.push_str("];\n\n");
}

fn emit_statuses(out: &mut String, rows: &[StatusRow]) {
    out.push_str("/// Tencent SCF's status table, from `knowledge/tencent-status-codes.toml`.\npub const SCF_STATUSES: &[crate::decode::scf::ScfStatus] = &[\n");
    for r in rows {
        writeln!(
            out,
            "    crate::decode::scf::ScfStatus {{ code: {}, names: {}, meaning: {:?}, causes: {}, needs_number: {} }},",
            r.code,
            strs(&r.names),
            r.meaning,
            cause_pairs(&r.causes),
            r.needs_number
        )
        .expect("write to string");
    }
    out.push_str("];\n");
}

/// One labelled text the fallback ranker learns from.
struct Document {
    cause: String,
    tokens: Vec<String>,
}

/// The fallback ranker's training texts: the corpus's *train* part (never its test part) and every
/// pattern's examples, labelled with the pattern's leading cause.
fn training_documents(corpus_dir: &Path, patterns: &[(&str, PatternFile)], known: &BTreeSet<&str>) -> Vec<Document> {
    let mut docs = Vec::new();
    for (_, p) in patterns {
        let Some((cause, _)) = p.causes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) else { continue };
        for example in &p.examples {
            docs.push(Document { cause: cause.clone(), tokens: tokens::tokens(example) });
        }
    }
    if !corpus_dir.exists() {
        return docs;
    }
    println!("cargo:rerun-if-changed={}", corpus_dir.display());
    let known_path = corpus_dir.join("known-sources.list");
    println!("cargo:rerun-if-changed={}", known_path.display());
    let known_sources = corpus::known_sources(&fs::read_to_string(&known_path).unwrap_or_default());
    for path in corpus::files(corpus_dir) {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let text = fs::read_to_string(&path).expect("corpus file");
        let records = corpus::parse(&name, &text).unwrap_or_else(|e| panic!("corpus: {e}"));
        for r in records {
            if corpus::part(&r.source, &known_sources) == corpus::Part::Train && known.contains(r.cause.as_str()) {
                docs.push(Document { cause: r.cause, tokens: tokens::tokens(&r.paste) });
            }
        }
    }
    docs
}

/// Writes what `tokens::learn` learnt: classes, the vocabulary with document frequencies, and
/// every training text as the sorted ids of its tokens.
fn emit_model(out: &mut String, docs: &[Document]) {
    let pairs: Vec<(String, Vec<String>)> = docs.iter().map(|d| (d.cause.clone(), d.tokens.clone())).collect();
    let learnt = tokens::learn(&pairs);
    out.push_str("\n/// The fallback ranker, learned at build time from the corpus's train part and the patterns' examples.\npub mod resemblance_model {\n");
    writeln!(out, "    /// Cause ids, by class index.\n    pub const CLASSES: &[&str] = {};", strs(&learnt.classes))
        .expect("write");
    out.push_str("    /// Tokens, sorted, with how many training texts hold each.\n    pub const VOCABULARY: &[(&str, u32)] = &[\n");
    for (token, df) in &learnt.vocabulary {
        writeln!(out, "        ({token:?}, {df}),").expect("write");
    }
    out.push_str(
        "    ];\n    /// Training texts: class and sorted token ids.\n    pub const DOCUMENTS: &[(u16, &[u16])] = &[\n",
    );
    for (class, ids) in &learnt.documents {
        writeln!(out, "        ({class}, &{ids:?}),").expect("write");
    }
    out.push_str("    ];\n}\n");
}
