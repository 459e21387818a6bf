//! What the user can do with a diagnosis: copy its link (with or without the pasted error), copy it
//! as Markdown, download it as JSON or SARIF, and download a repaired package — shown with what the
//! repair changed and what it could not.

use std::rc::Rc;

use bootdoctor_core::export;
use bootdoctor_core::repair::{size_allows_repair, REPAIRS};
use bootdoctor_core::report::{Report, Request};
use bootdoctor_core::share::Omission;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::copy_button::CopyButton;
use crate::diagnosis::RepairedPackage;

/// Props for [`ShareBar`].
#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    /// The diagnosis on screen.
    pub report: Rc<Report>,
    /// The full share URL for it.
    pub url: AttrValue,
    /// What the link left out to stay short.
    pub omitted: Vec<Omission>,
    /// Identifiers the redaction removed from the shared paste.
    pub redactions: usize,
    /// Whether an error was pasted (the checkbox only matters then).
    pub has_paste: bool,
    /// The user's choice: include the paste in the link.
    pub share_paste: bool,
    /// The paste as typed (shown redacted, as the link carries it, when shared).
    #[prop_or_default]
    pub paste: AttrValue,
    /// Toggles [`ShareBarProps::share_paste`].
    pub on_share_paste: Callback<bool>,
    /// The name of the package, when one is held (the repair is offered then).
    pub package: Option<String>,
    /// The request the report was made with.
    pub request: Rc<Request>,
    /// A repair is under way in the worker.
    pub repairing: bool,
    /// The latest repair's result.
    pub repaired: Option<Result<Rc<RepairedPackage>, String>>,
    /// Asks the worker for a repair.
    pub on_repair: Callback<()>,
    /// The verdict above already offers the repaired download (so the bar does not repeat it).
    #[prop_or_default]
    pub repair_in_verdict: bool,
    /// Called with the repaired package (name, zip) when the user wants it checked in the page.
    pub on_check_repaired: Callback<(String, web_sys::Blob)>,
}

/// Starts a download of `bytes` as `name` through a temporary object URL.
fn download(name: &str, mime: &str, bytes: &[u8]) {
    download_blob(name, gloo_file::Blob::new_with_options(bytes, Some(mime)));
}

/// Starts a download of `blob` as `name`.
fn download_blob(name: &str, blob: gloo_file::Blob) {
    let url = gloo_file::ObjectUrl::from(blob);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(anchor) = document.create_element("a") else { return };
    let Ok(anchor) = anchor.dyn_into::<web_sys::HtmlAnchorElement>() else { return };
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The browser fetches the blob after the click returns: keep the URL alive until the next
    // download replaces (and so revokes) it.
    LAST_DOWNLOAD.with(|last| *last.borrow_mut() = Some(url));
}

thread_local! {
    static LAST_DOWNLOAD: std::cell::RefCell<Option<gloo_file::ObjectUrl>> = const { std::cell::RefCell::new(None) };
}

/// `function.zip` → `function-repaired.zip`.
fn repaired_name(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}-repaired.{ext}"),
        _ => format!("{name}-repaired.zip"),
    }
}

/// `function.zip` → `function` (for export file names).
fn stem(report: &Report) -> String {
    report
        .package
        .as_ref()
        .map(|p| p.name.rsplit_once('.').map_or(p.name.as_str(), |(s, _)| s).to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "diagnosis".to_string())
}

/// The toolbar under the verdict.
#[function_component(ShareBar)]
pub fn share_bar(props: &ShareBarProps) -> Html {
    {
        // Each new repaired package is downloaded once, when it arrives from the worker.
        let name = repaired_name(props.package.as_deref().unwrap_or("package.zip"));
        let arrived = props.repaired.clone().and_then(Result::ok);
        use_effect_with(arrived.as_ref().map(|r| Rc::as_ptr(r) as usize), move |_| {
            if let Some(r) = arrived {
                download_blob(&name, gloo_file::Blob::from(r.blob.clone()));
            }
        });
    }
    let report = props.report.clone();
    let url = props.url.to_string();
    // Made when copied: a large report's Markdown takes long enough to make that it is not made
    // on every render.
    let markdown = {
        let report = report.clone();
        let url = url.clone();
        Callback::from(move |()| export::markdown(&report, Some(&url)))
    };
    let base = url.split('#').next().unwrap_or("").to_string();
    let on_json = {
        let report = report.clone();
        Callback::from(move |_| {
            let json = serde_json::to_vec_pretty(&*report).unwrap_or_default();
            download(&format!("{}.bootdoctor.json", stem(&report)), "application/json", &json);
        })
    };
    let on_sarif = {
        let report = report.clone();
        Callback::from(move |_| {
            let artifact = report.package.as_ref().map_or("package.zip".to_string(), |p| p.name.clone());
            let log = export::sarif(&report, &artifact, &base);
            let bytes = serde_json::to_vec_pretty(&log).unwrap_or_default();
            download(&format!("{}.sarif", stem(&report)), "application/sarif+json", &bytes);
        })
    };
    let on_repair = {
        let on_repair = props.on_repair.clone();
        let repaired = props.repaired.clone();
        let name = repaired_name(props.package.as_deref().unwrap_or("package.zip"));
        Callback::from(move |_| match repaired.as_ref() {
            // Already repaired for these inputs: download the same file again.
            Some(Ok(r)) => download_blob(&name, gloo_file::Blob::from(r.blob.clone())),
            _ => on_repair.emit(()),
        })
    };
    let on_toggle = {
        let cb = props.on_share_paste.clone();
        Callback::from(move |e: Event| {
            cb.emit(e.target_unchecked_into::<web_sys::HtmlInputElement>().checked());
        })
    };
    // Offered only when the package shows something the repair fixes and is not too large to repair.
    let repairable = props.package.is_some()
        && !props.repair_in_verdict
        && size_allows_repair(&report)
        && report.findings.iter().any(|f| REPAIRS.contains(&f.id));
    html! {
        <div class="share-bar" aria-label="Share and export">
            <div class="share-row">
                <CopyButton text={props.url.clone()} what="link" label="Copy link" />
                <CopyButton make={markdown} what="as Markdown" label="Copy as Markdown" />
                <button type="button" class="copy" onclick={on_json}>{ "Download JSON" }</button>
                <button type="button" class="copy" onclick={on_sarif}>{ "Download SARIF" }</button>
                if repairable {
                    <button type="button" class="copy primary" onclick={on_repair} data-action="repair" disabled={props.repairing}>
                        { if props.repairing { "Repairing…" } else { "Download repaired package" } }
                    </button>
                }
            </div>
            if props.has_paste {
                <label class="share-paste">
                    <input type="checkbox" name="share-paste" checked={props.share_paste} onchange={on_toggle} />
                    { " Include the pasted error in the link" }
                    <span class="muted">{ " (request ids, account ids, addresses and tokens are removed" }
                        { if props.share_paste && props.redactions > 0 { format!(": {} removed)", props.redactions) } else { ")".to_string() } }
                    </span>
                </label>
                if props.share_paste {
                    <details class="shared-paste">
                        <summary>{ "What the link carries of your error" }</summary>
                        <pre data-shared-paste="">{ bootdoctor_core::share::carried_paste(&props.paste).0 }</pre>
                    </details>
                }
            }
            <p class="muted small share-note" data-link-length={props.url.len().to_string()}>
                { format!("The link holds the diagnosis itself ({} characters), never your files. ", props.url.len()) }
                if !props.omitted.is_empty() {
                    { format!("To keep it short it leaves out {}.", props.omitted.iter().map(|o| o.describe()).collect::<Vec<_>>().join("; ")) }
                }
            </p>
            { match &props.repaired {
                None => Html::default(),
                Some(Err(message)) => html! { <p class="notice notice-error" role="alert">{ message.clone() }</p> },
                Some(Ok(r)) => html! { <RepairSummary repaired={r.clone()} on_check={props.on_check_repaired.clone()} name={repaired_name(props.package.as_deref().unwrap_or_default())} /> },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct RepairSummaryProps {
    repaired: Rc<RepairedPackage>,
    name: String,
    on_check: Callback<(String, web_sys::Blob)>,
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Before and after: what the repair changed, what it fixed, what is left with its manual fix.
#[function_component(RepairSummary)]
fn repair_summary(props: &RepairSummaryProps) -> Html {
    let r = &props.repaired.repaired;
    let count = |report: &Report, sev: bootdoctor_core::checks::Severity| {
        report.findings.iter().filter(|f| f.severity == sev).count()
    };
    use bootdoctor_core::checks::Severity::{Error, Warning};
    let left: Vec<_> =
        r.after.findings.iter().filter(|f| f.severity != bootdoctor_core::checks::Severity::Info).collect();
    let on_check = {
        let cb = props.on_check.clone();
        let blob = props.repaired.blob.clone();
        let name = props.name.clone();
        Callback::from(move |_| cb.emit((name.clone(), blob.clone())))
    };
    html! {
        <section class="repair card" data-repair="" aria-label="Repaired package">
            <h3>{ format!("Repaired: {}", props.name) }</h3>
            <p class="before-after">
                <span data-before={count(&r.before, Error).to_string()}>{ format!("Before: {}, {}", plural(count(&r.before, Error), "error"), plural(count(&r.before, Warning), "warning")) }</span>
                { " → " }
                <span data-after={count(&r.after, Error).to_string()}>{ format!("after: {}, {}", plural(count(&r.after, Error), "error"), plural(count(&r.after, Warning), "warning")) }</span>
            </p>
            if r.actions.is_empty() {
                <p>{ "Nothing needed repairing; the download is an identical copy." }</p>
            } else {
                <ul class="repair-actions">{ for r.actions.iter().map(|a| html! { <li>{ a.describe() }</li> }) }</ul>
            }
            <p class="muted small">{ format!("{} copied without recompressing, {} rewritten.", if r.copied_raw == 1 { "1 entry".to_string() } else { format!("{} entries", r.copied_raw) }, r.rewritten) }</p>
            if !left.is_empty() {
                <h4>{ "Still to fix by hand" }</h4>
                <ul class="repair-left">
                    { for left.iter().map(|f| html! {
                        <li data-left-id={f.id}><code>{ f.id }</code>{ format!(" {}", f.title) }<pre>{ f.fix.clone() }</pre></li>
                    }) }
                </ul>
            }
            <button type="button" class="link-button" onclick={on_check}>{ "Check the repaired package here" }</button>
        </section>
    }
}
