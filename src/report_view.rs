//! Renders a [`Report`]: what was checked, the package findings by severity, the hypotheses for
//! the pasted error, and the file tree. Every finding carries `data-finding-id`, every hypothesis
//! `data-cause-id`: stable hooks for tests and users' scripts.

use std::rc::Rc;

use bootdoctor_core::cause_list::{cause_list, CauseEntry};
use bootdoctor_core::checks::messages::capitalized;
use bootdoctor_core::checks::{Finding, Severity};
use bootdoctor_core::decode::Certainty;
use bootdoctor_core::decode::{Basis, Hypothesis};
use bootdoctor_core::entry::TargetRole;
use bootdoctor_core::export::human_size;
use bootdoctor_core::report::{PlatformBasis, Report};
use yew::prelude::*;

use crate::copy_button::CopyButton;
use crate::file_tree::FileTree;
use crate::prose::with_code;
use crate::slices::use_drawn_in_slices;

/// Props: the report to show.
#[derive(Properties, PartialEq)]
pub struct ReportViewProps {
    /// The diagnosis.
    pub report: Rc<Report>,
    /// The pasted error as typed, to show with its evidence highlighted.
    #[prop_or_default]
    pub paste: AttrValue,
    /// Whether the report shows why the package could not be read (the live page says it beside
    /// the file picker instead).
    #[prop_or(true)]
    pub show_package_error: bool,
}

/// Cards shown per kind of finding before "Show more": a package can have thousands of one kind
/// (every missing file a script runs), and a card each would bury the rest and block the page.
const CARDS_PER_KIND: usize = 10;

/// Finding cards drawn per task (a card is about 23 elements; 32 cards were a third of the
/// benchmark report's first render).
const CARDS_PER_TASK: usize = 8;

/// Props for [`FindingList`].
#[derive(Properties, PartialEq)]
struct FindingListProps {
    /// The findings, in report order.
    findings: Rc<Vec<Rc<Finding>>>,
    /// Shown inside a cause card (the fix is the card's).
    #[prop_or_default]
    nested: bool,
}

/// The findings in report order, grouped by kind past [`CARDS_PER_KIND`] of one kind.
#[function_component(FindingList)]
fn finding_list(props: &FindingListProps) -> Html {
    // Kinds in the order they first appear (errors first, as the engine sorts them).
    let groups = use_memo(props.findings.clone(), |findings| {
        let mut groups: Vec<(&'static str, Vec<Rc<Finding>>)> = Vec::new();
        for f in findings.iter() {
            match groups.iter_mut().find(|(id, _)| *id == f.id) {
                Some((_, list)) => list.push(f.clone()),
                None => groups.push((f.id, vec![f.clone()])),
            }
        }
        groups
    });
    // The cards each group shows at first, drawn a slice per task (see `slices`).
    let wanted: usize = groups.iter().map(|(_, list)| list.len().min(CARDS_PER_KIND)).sum();
    let drawn = use_drawn_in_slices(props.findings.clone(), wanted, CARDS_PER_TASK, CARDS_PER_TASK);
    let mut before = 0;
    html! {
        { for groups.iter().map_while(|(id, list)| {
            // The cards this group may draw now: all it wants once every slice is drawn.
            let limit = if drawn >= wanted { usize::MAX } else { drawn.saturating_sub(before) };
            before += list.len().min(CARDS_PER_KIND);
            (limit > 0).then(|| html! { <FindingGroup key={*id} findings={list.clone()} nested={props.nested} {limit} /> })
        }) }
    }
}

/// Props for [`FindingGroup`].
#[derive(Properties, PartialEq)]
struct FindingGroupProps {
    findings: Vec<Rc<Finding>>,
    nested: bool,
    /// The most cards to draw now (the list is drawn a slice per task).
    limit: usize,
}

/// The findings of one kind: the first few, and the rest a page at a time.
#[function_component(FindingGroup)]
fn finding_group(props: &FindingGroupProps) -> Html {
    let shown = use_state(|| CARDS_PER_KIND);
    let total = props.findings.len();
    let more = {
        let shown = shown.clone();
        Callback::from(move |_| shown.set(*shown + 5 * CARDS_PER_KIND))
    };
    html! {
        <>
            { for props.findings.iter().take((*shown).min(props.limit)).map(|f| html! { <FindingCard finding={f.clone()} nested={props.nested} /> }) }
            if total > *shown && props.limit >= *shown {
                <p class="muted finding-overflow" data-more-findings={props.findings[0].id}>
                    { format!("{} more findings of this kind ({}) — {} of {total} shown. ", total - *shown, props.findings[0].id, *shown) }
                    <button type="button" class="link-button" onclick={more}>{ format!("Show {} more", (5 * CARDS_PER_KIND).min(total - *shown)) }</button>
                </p>
            }
        </>
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// A cause card's content, owned so the component tree can hold it.
#[derive(PartialEq)]
struct CauseCard {
    hypothesis: Rc<Hypothesis>,
    findings: Rc<Vec<Rc<Finding>>>,
    explanation: Option<String>,
    evidence: Vec<String>,
}

/// [`cause_list`] of a report, owned.
#[derive(PartialEq)]
struct Causes {
    shared_explanation: Option<String>,
    shared_evidence: Vec<String>,
    likely: Vec<Rc<CauseCard>>,
    ruled_out: Vec<Rc<CauseCard>>,
    other_findings: Rc<Vec<Rc<Finding>>>,
}

impl Causes {
    fn of(report: &Report) -> Self {
        let list = cause_list(report);
        let card = |e: &CauseEntry<'_>| {
            Rc::new(CauseCard {
                hypothesis: Rc::new(e.hypothesis.clone()),
                findings: Rc::new(e.findings.iter().map(|f| Rc::new((*f).clone())).collect()),
                explanation: e.explanation.map(str::to_string),
                evidence: e.evidence.iter().map(|e| e.to_string()).collect(),
            })
        };
        Causes {
            shared_explanation: list.shared_explanation.map(str::to_string),
            shared_evidence: list.shared_evidence.iter().map(|e| e.to_string()).collect(),
            likely: list.likely.iter().map(card).collect(),
            ruled_out: list.ruled_out.iter().map(card).collect(),
            other_findings: Rc::new(list.other_findings.iter().map(|f| Rc::new((*f).clone())).collect()),
        }
    }
}

/// The diagnosis: the causes of the pasted error (each once, with the package's findings of the
/// same cause inside), the package's other findings, what was read, and the file tree.
#[function_component(ReportView)]
pub fn report_view(props: &ReportViewProps) -> Html {
    let r = &props.report;
    let basis = match r.platform_basis {
        PlatformBasis::Chosen => "chosen",
        PlatformBasis::Detected => "detected from the error",
        PlatformBasis::Default => "default — choose yours above",
        PlatformBasis::Package => "detected from the package",
    };
    let errors = r.findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = r.findings.iter().filter(|f| f.severity == Severity::Warning).count();
    let files = use_memo(r.clone(), |r| r.files.clone());
    let causes = use_memo(r.clone(), |r| Causes::of(r));
    let gaps = r.package.as_ref().map(|p| p.not_analysed()).unwrap_or_default();
    let joined = r.findings.len() - causes.other_findings.len();
    html! {
        <>
            if let Some(message) = r.package_error.as_ref().filter(|_| props.show_package_error) {
                <p class="notice notice-error" role="alert" data-package-error="">{ message.clone() }</p>
            }
            if let Some(d) = &r.error {
                <section class="hypotheses" aria-labelledby="error-heading">
                    <div class="section-head"><h2 id="error-heading">{ "The pasted error" }</h2></div>
                    <p class="decode-summary">{ d.summary.clone() }</p>
                    if let Some(reading) = &d.code_reading {
                        <p class="code-reading">{ reading.clone() }</p>
                    }
                    <Variables report={r.clone()} />
                    <HighlightedPaste text={props.paste.clone()} marks={r.hypotheses.iter().flat_map(|h| h.evidence.iter().cloned()).collect::<Vec<_>>()} />
                    if d.truncated {
                        <p class="muted">{ format!("Only the first {} MiB of the paste was read.", bootdoctor_core::decode::MAX_PASTE_BYTES >> 20) }</p>
                    }
                    if let Some(l) = d.lines_read {
                        <p class="muted" data-lines-read={l.read.to_string()}>{ format!("A long paste: read the {} of its {} lines that carry error words, and the last ones.", l.read, l.total) }</p>
                    }
                    if causes.shared_explanation.is_some() || !causes.shared_evidence.is_empty() {
                        <div class="shared-reading" data-shared-reading="">
                            <p><span class="label">{ "The error says" }</span>{ with_code(causes.shared_explanation.as_deref().unwrap_or_default()) }</p>
                            if !causes.shared_evidence.is_empty() {
                                <ul class="evidence">{ for causes.shared_evidence.iter().map(|e| html! { <li><mark>{ e.clone() }</mark></li> }) }</ul>
                            }
                            <p class="muted small">{ "Several causes print this; each card says what tells it apart." }</p>
                        </div>
                    }
                    <ol class="hypothesis-list">
                        { for causes.likely.iter().map(|c| html! { <li><HypothesisCard card={c.clone()} /></li> }) }
                    </ol>
                    if !causes.ruled_out.is_empty() {
                        <details class="ruled-out" data-ruled-out={causes.ruled_out.len().to_string()}>
                            <summary>{ format!("{} your package rules out", if causes.ruled_out.len() == 1 { "1 cause".to_string() } else { format!("{} causes", causes.ruled_out.len()) }) }</summary>
                            <ol class="hypothesis-list">
                                { for causes.ruled_out.iter().map(|c| html! { <li><HypothesisCard card={c.clone()} /></li> }) }
                            </ol>
                        </details>
                    }
                </section>
            }
            if r.package.is_some() {
                <section class="findings" aria-labelledby="findings-heading">
                    <div class="section-head">
                        <h2 id="findings-heading">{ if joined > 0 { "Other package findings" } else { "Package findings" } }</h2>
                        <span class={classes!("counts", (errors > 0).then_some("has-errors"))}>
                            { format!("{} · {} in the package", plural(errors, "error"), plural(warnings, "warning")) }
                        </span>
                    </div>
                    if r.findings.is_empty() && gaps.is_empty() {
                        <p class="notice notice-ok" data-clean="">{ format!("Nothing in this package stops it starting on {}.", r.platform_name) }</p>
                    } else if r.findings.is_empty() {
                        <p class="notice notice-ok" data-clean="">{ format!("Nothing that was read stops it starting on {} — but not everything was read (see “Not analysed” below).", r.platform_name) }</p>
                    } else if causes.other_findings.is_empty() {
                        <p class="muted">{ "Every finding is shown with its cause above." }</p>
                    }
                    <FindingList findings={causes.other_findings.clone()} />
                </section>
            }
            <div class="summary" data-report="" data-platform={r.platform}>
                <p><span class="label">{ "Platform" }</span>{ r.platform_name }<span class="muted">{ format!(" ({basis})") }</span></p>
                <PlatformFacts id={r.platform} />
                if let Some(p) = &r.package {
                    <p><span class="label">{ "Package" }</span><strong>{ p.name.clone() }</strong>
                        { format!(" — {}, {}, {} unzipped", if p.entries == 1 { "1 entry".to_string() } else { format!("{} entries", p.entries) }, human_size(p.size), human_size(p.uncompressed_size)) }</p>
                    <p><span class="label">{ "Zipped by" }</span>{ p.zipper.clone() }</p>
                    if p.elf_objects > 0 {
                        <p><span class="label">{ "Binaries" }</span>
                            { format!("load-time needs read for {} of {} Linux ELF objects", p.elf_analysed, p.elf_objects) }
                            if p.elf_analysed < p.elf_objects {
                                <span class="muted">{ " (the rest exceeded the read budget; the CLI reads the same)" }</span>
                            }
                        </p>
                    }
                }
                if !gaps.is_empty() {
                    <p data-not-analysed=""><span class="label">{ "Not analysed" }</span>{ gaps.join("; ") }</p>
                }
                { for r.targets.iter().map(|t| html! {
                    <p><span class="label">{ "Runs" }</span><code>{ t.platform_path.clone() }</code>
                        <span class="muted">{ format!(" ({})", match t.role {
                            TargetRole::Exec => "executed directly".to_string(),
                            TargetRole::Read { ref by } => format!("read by {by}"),
                        }) }</span></p>
                }) }
                if let Some(note) = &r.start_note {
                    <p class="muted">{ note.clone() }</p>
                }
            </div>
            if !r.files.is_empty() {
                <FileTree files={files} not_listed={r.package.as_ref().map_or(0, |p| p.files_not_listed)} />
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct FindingProps {
    finding: Rc<Finding>,
    /// Inside a cause card: the card shows the fix.
    #[prop_or_default]
    nested: bool,
}

#[function_component(FindingCard)]
fn finding_card(props: &FindingProps) -> Html {
    let f = &props.finding;
    let severity = f.severity.as_str();
    html! {
        <article class={classes!("card", "finding", severity)} data-finding-id={f.id} data-severity={severity}>
            <header>
                <span class={classes!("badge", format!("sev-{severity}"))}>{ severity }</span>
                <h3>{ f.title.clone() }</h3>
                <a class="id" href={format!("#/causes/{}", f.id)} title="What this is, on every platform"><code>{ f.id }</code></a>
            </header>
            <dl>
                <dt>{ "Evidence" }</dt>
                <dd><ul class="evidence">{ for f.evidence.iter().map(|e| html! { <li><code>{ e.clone() }</code></li> }) }</ul></dd>
                if let Some(m) = &f.platform_message {
                    <dt>{ "The platform says" }</dt>
                    <dd><pre class="platform-message">{ m.clone() }</pre></dd>
                }
                <dt>{ "Why" }</dt>
                <dd>{ with_code(&f.explanation) }</dd>
                if !props.nested {
                    <dt>{ "Fix" }</dt>
                    <dd class="fix"><pre>{ f.fix.clone() }</pre><CopyButton text={f.fix.clone()} what={format!("the fix for {}", f.id)} /></dd>
                }
            </dl>
        </article>
    }
}

#[derive(Properties, PartialEq)]
struct HypothesisProps {
    card: Rc<CauseCard>,
}

/// One cause: how sure, why (what is not shared with the other causes), what the package shows of
/// it, how to tell it apart, and the fix — advice, then the commands to copy.
#[function_component(HypothesisCard)]
fn hypothesis_card(props: &HypothesisProps) -> Html {
    let card = &props.card;
    let h = &card.hypothesis;
    let commands = bootdoctor_core::causes::cause(h.cause).map(|c| c.fixes).unwrap_or_default();
    // A finding of this cause knows the file: its fix is the one to follow.
    let advice = card.findings.first().map_or_else(|| h.fix.clone(), |f| f.fix.clone());
    html! {
        <article class={classes!("card", "hypothesis", Certainty::of(h.confidence).class())} data-cause-id={h.cause} data-confidence={h.confidence.to_string()}>
            <header>
                <span class="confidence">
                    { capitalized(Certainty::of(h.confidence).adjective()) }
                    <span class="muted">{ format!(" · {} %", h.confidence) }</span>
                </span>
                <h3>{ h.title.clone() }</h3>
                <a class="id" href={format!("#/causes/{}", h.cause)} title="What this is, on every platform"><code>{ h.cause }</code></a>
            </header>
            if h.basis == Basis::Resemblance {
                <p class="resemblance" data-basis="resemblance">{ format!("Resembles known reports of “{}” — a lead to check, not a reading of the error.", h.title) }</p>
            }
            if let Some(explanation) = &card.explanation {
                <p>{ with_code(explanation) }</p>
            }
            if !card.evidence.is_empty() {
                <ul class="evidence">{ for card.evidence.iter().map(|e| html! { <li><mark>{ e.clone() }</mark></li> }) }</ul>
            }
            if let Some(note) = &h.package_note {
                <p class="package-note">{ note.clone() }</p>
            }
            if !card.findings.is_empty() {
                <div class="joined-findings">
                    <p class="label">{ "What your package shows" }</p>
                    <FindingList findings={card.findings.clone()} nested={true} />
                </div>
            }
            if let Some(tell) = &h.how_to_tell {
                <p class="how-to-tell"><span class="label">{ "How to tell" }</span>{ with_code(tell) }</p>
            }
            <div class="fix">
                <p class="fix-advice"><span class="label">{ "Fix" }</span>{ with_code(&advice) }</p>
                if let Some((first, rest)) = commands.split_first() {
                    <ul class="commands">{ command_item(first, h.cause) }</ul>
                    if !rest.is_empty() {
                        <details class="more-commands">
                            <summary>{ format!("For {}", rest.iter().map(|c| c.toolchain).collect::<Vec<_>>().join(", ")) }</summary>
                            <ul class="commands">{ for rest.iter().map(|c| command_item(c, h.cause)) }</ul>
                        </details>
                    }
                }
            </div>
        </article>
    }
}

/// One toolchain's fix: a runnable command with a copy button named after the cause, or a step to
/// take (shown, not offered to copy).
fn command_item(c: &bootdoctor_core::causes::ToolchainFix, cause: &str) -> Html {
    html! {
        <li>
            <span class="toolchain">{ c.toolchain }</span>
            if c.runnable {
                <pre><code>{ c.command }</code></pre>
                <CopyButton text={c.command} what={format!("the {} command for {cause}", c.toolchain)} label="Copy" />
            } else {
                <p class="step">{ c.command }</p>
            }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct VariablesProps {
    report: Rc<Report>,
}

/// The numbers and names read from the paste, as chips.
#[function_component(Variables)]
fn variables(props: &VariablesProps) -> Html {
    let Some(d) = &props.report.error else { return Html::default() };
    let v = &d.variables;
    let mut chips: Vec<(&str, String)> = Vec::new();
    if let Some(c) = v.exit_code {
        chips.push(("code", c.to_string()));
    }
    if let Some(c) = &v.start_command {
        chips.push(("start command", c.clone()));
    }
    if let Some(p) = v.port {
        chips.push(("port", p.to_string()));
    }
    if let Some(s) = v.seconds {
        chips.push(("seconds", s.to_string()));
    }
    if let Some(p) = &v.path {
        chips.push(("path", p.clone()));
    }
    if let Some(s) = v.status_code {
        chips.push(("status", s.to_string()));
    }
    if let Some(name) = &v.error_name {
        chips.push(("error", name.clone()));
    }
    if let Some(s) = &v.missing_version {
        chips.push(("needs", s.clone()));
    }
    if let Some(s) = &v.missing_library {
        chips.push(("library", s.clone()));
    }
    for c in &v.captured {
        chips.push((c.name, c.value.clone()));
    }
    if let Some(vendor) = d.detected_vendor {
        chips.push(("looks like", vendor.to_string()));
    }
    if chips.is_empty() {
        return Html::default();
    }
    html! {
        <ul class="variables" aria-label="Read from the error">
            { for chips.into_iter().map(|(k, val)| html! { <li><span class="k">{ k }</span><code>{ val }</code></li> }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
struct PlatformFactsProps {
    id: &'static str,
}

/// The image facts the checks rely on, with inferred ones marked as inferred.
#[function_component(PlatformFacts)]
fn platform_facts(props: &PlatformFactsProps) -> Html {
    let Some(p) = bootdoctor_core::profiles::profile(props.id) else { return Html::default() };
    let glibc_note = p.glibc_provenance.describe();
    let user_note = p.user_provenance.describe();
    let limits: Vec<String> = p
        .zipped_limits
        .iter()
        .map(|l| format!("zip ≤ {}{}: {}", l.size_text(), if l.hard { "" } else { " (this route)" }, l.note))
        .chain(p.unzipped_limit.map(|l| format!("unzipped ≤ {}: {}", l.size_text(), l.note)))
        .collect();
    let facts: Vec<(&str, String, Option<String>)> = vec![
        ("glibc", p.glibc.to_string(), Some(glibc_note.clone())),
        ("libstdc++", format!("GLIBCXX_{}, CXXABI_{}", p.glibcxx, p.cxxabi), Some(p.libstdcxx_provenance.describe())),
        ("OpenSSL", p.openssl.to_string(), Some(p.library_provenance.describe())),
        ("loaders", p.loaders.join(", "), None),
        ("interpreters", p.interpreters.join(", "), None),
        ("libraries", format!("glibc core, {}", p.libraries.join(", ")), Some(p.library_provenance.describe())),
        ("port", p.port_rule(), None),
        (
            "code directory",
            format!("{}{}", p.code_dir, if p.code_dir_writable { "" } else { " (read-only; only /tmp is writable)" }),
            None,
        ),
        ("user", if p.runs_as_root { "root".into() } else { "a non-root user".into() }, Some(user_note.clone())),
        (
            "size limits",
            if limits.is_empty() { "none documented for source packages".into() } else { limits.join(" · ") },
            None,
        ),
    ];
    html! {
        <>
        <p class="platform-facts">
            <span class="label">{ "Image" }</span>
            { format!("{}, {}, {} {}", p.image, p.arch_label, p.libc, p.glibc) }
            <span class="muted" title={glibc_note.clone()}>{ format!(" ({glibc_note})") }</span>
            { format!(" · code in {}", p.code_dir) }
            { p.port.map(|port| format!(" · port {port}")).unwrap_or_default() }
            { format!(" · runs as {}", if p.runs_as_root { "root" } else { "a non-root user" }) }
            <span class="muted">{ format!(" ({user_note})") }</span>
        </p>
        <details class="platform-details">
            <summary>{ "Everything Bootdoctor assumes about this platform" }</summary>
            <dl>
                { for facts.into_iter().map(|(k, v, note)| html! {
                    <>
                        <dt>{ k }</dt>
                        <dd>{ v }{ note.map(|n| html! { <span class="muted">{ format!(" ({n})") }</span> }).unwrap_or_default() }</dd>
                    </>
                }) }
                <dt>{ "sources" }</dt>
                <dd><ul>{ for p.sources.iter().map(|src| html! {
                    <li><a href={src.url} rel="noreferrer noopener" target="_blank">{ src.title }</a></li>
                }) }</ul></dd>
            </dl>
        </details>
        </>
    }
}

/// Longest part of a paste shown with highlights (the decoder reads up to 1 MiB; the page shows less).
const SHOWN_PASTE_BYTES: usize = 16 * 1024;

#[derive(Properties, PartialEq)]
struct HighlightedPasteProps {
    text: AttrValue,
    marks: Vec<String>,
}

/// The paste as typed, with the fragments the hypotheses rest on marked.
#[function_component(HighlightedPaste)]
fn highlighted_paste(props: &HighlightedPasteProps) -> Html {
    let full = props.text.as_str();
    if full.trim().is_empty() {
        return Html::default();
    }
    let mut end = full.len().min(SHOWN_PASTE_BYTES);
    while !full.is_char_boundary(end) {
        end -= 1;
    }
    let text = &full[..end];
    let mut ranges: Vec<(usize, usize)> = props
        .marks
        .iter()
        .filter(|m| !m.is_empty())
        .filter_map(|m| text.find(m.as_str()).map(|at| (at, at + m.len())))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, stop) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(stop),
            _ => merged.push((start, stop)),
        }
    }
    let mut pieces = Vec::new();
    let mut at = 0;
    for (start, stop) in merged {
        pieces.push(html! { { text[at..start].to_string() } });
        pieces.push(html! { <mark>{ text[start..stop].to_string() }</mark> });
        at = stop;
    }
    pieces.push(html! { { text[at..].to_string() } });
    html! {
        <details class="paste" open={full.len() <= 2048}>
            <summary>{ "Your paste, with what the diagnosis rests on highlighted" }</summary>
            <pre class="paste-text">{ for pieces }</pre>
            if full.len() > end {
                <p class="muted small">{ format!("Showing the first {} KiB of {} KiB.", end / 1024, full.len() / 1024) }</p>
            }
        </details>
    }
}
