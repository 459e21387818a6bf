//! The page: inputs (drop zone, file picker, platform, start command, error box) and the report.

use std::rc::Rc;

use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::profiles::{DEFAULT_PROFILE, PROFILES};
use bootdoctor_core::report::{PlatformBasis, Request};
use bootdoctor_core::share::{decode_link, ShareLink, ROUTE};
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::cause_page::CausePage;
use crate::diagnosis::{use_diagnosis, PackageFile, UseDiagnosis};
use crate::paste::Paste;
use crate::report_view::ReportView;
use crate::share_bar::ShareBar;
use crate::theme::ThemeToggle;
use crate::verdict_banner::VerdictBanner;
use bootdoctor_core::verdict::{verdict, Action, Verdict};
use bootdoctor_web::protocol::Progress;

/// The location hash (`#/causes/exec-bit-missing`), or "" outside a browser.
fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// The page's address without its fragment: the base of share links.
fn page_base() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Puts `fragment` in the address bar without adding a history entry (`None` clears it).
fn replace_fragment(fragment: Option<&str>) {
    let Some(window) = web_sys::window() else { return };
    let Ok(history) = window.history() else { return };
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address(&window, fragment)));
}

/// Leaves the current address for the page's own (no fragment) as a new history entry, so that
/// Back returns to it: used when the user leaves a shared diagnosis for one of their own.
fn push_own_address() {
    let Some(window) = web_sys::window() else { return };
    let Ok(history) = window.history() else { return };
    let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address(&window, None)));
}

/// The page's address with `fragment` (none: the path and query alone).
fn address(window: &web_sys::Window, fragment: Option<&str>) -> String {
    match fragment {
        Some(f) => format!("#{f}"),
        None => {
            window.location().pathname().unwrap_or_else(|_| "/".into())
                + &window.location().search().unwrap_or_default()
        }
    }
}

/// Example pastes from the platforms' own documents, one click away, named by platform and symptom.
const EXAMPLES: &[(&str, &str)] = &[
    ("Alibaba FC · permission denied", "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."),
    ("Alibaba FC · script not found", "Function instance exited unexpectedly(code 127, message:key has expired) with start command '/code/bootstrap '.\nLogs:/usr/bin/env: ‘bash\\r’: No such file or directory"),
    ("Alibaba FC · health check failed", "Function instance health check failed on port 9000 in 120 seconds.\nLogs:"),
    ("Tencent SCF · handler not found", "{\"errorCode\":-1,\"errorMessage\":\"HandlerNotFound\",\"statusCode\":437}"),
    ("AWS Lambda · exec format error", "Error: fork/exec /var/task/bootstrap: exec format error Runtime.InvalidEntrypoint"),
];

/// Edits of the error box wait this long for the next keystroke before the paste is decoded.
const PASTE_DEBOUNCE_MS: u32 = 150;

/// The most the error box keeps: what the decoder reads (UTF-16 units, as `maxlength` counts).
const MAX_PASTE_CHARS: usize = bootdoctor_core::decode::MAX_PASTE_BYTES;

/// `1234567` → `1,234,567`.
fn thousands(n: impl Into<u64>) -> String {
    let n: u64 = n.into();
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1.5 MiB`, `12.0 KiB`, `900 B` for a size the browser gives as a number
/// ([`bootdoctor_core::export::human_size`]).
pub fn human_size(bytes: f64) -> String {
    bootdoctor_core::export::human_size(bytes.max(0.0) as u64)
}

/// The inputs the user controls: one reducer, as in Yew's `function_todomvc`.
#[derive(Clone, PartialEq, Default)]
pub struct PageState {
    /// Chosen profile id, or "" to detect.
    pub platform: String,
    /// Start command or handler as typed.
    pub start: String,
    /// The pasted error (in the box, or held beside it when large).
    pub paste: Paste,
    /// The package held (never read on this thread).
    pub package: Option<PackageFile>,
    /// Generation of the next file held.
    next_generation: u64,
    /// A file is being dragged over the page.
    pub dragging: bool,
    /// Include the paste in the share link.
    pub share_paste: bool,
}

/// What the user does.
pub enum PageAction {
    /// Chose a platform.
    Platform(String),
    /// Typed a start command.
    Start(String),
    /// Edited or pasted into the error box, or clicked an example.
    Paste(Paste),
    /// Dropped or picked a file, or chose to check a repaired package.
    Package { name: String, blob: web_sys::Blob },
    /// Removed the package.
    RemovePackage,
    /// Started or stopped dragging over the page.
    Dragging(bool),
    /// Ticked or unticked "include the paste".
    SharePaste(bool),
}

impl Reducible for PageState {
    type Action = PageAction;

    fn reduce(self: Rc<Self>, action: PageAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            PageAction::Platform(p) => s.platform = p,
            PageAction::Start(t) => s.start = t,
            PageAction::Paste(p) => s.paste = p,
            PageAction::Package { name, blob } => {
                s.next_generation += 1;
                let size = blob.size();
                s.package = Some(PackageFile { name, size, blob, generation: s.next_generation });
            }
            PageAction::RemovePackage => s.package = None,
            PageAction::Dragging(d) if d == s.dragging => return self,
            PageAction::Dragging(d) => s.dragging = d,
            PageAction::SharePaste(v) => s.share_paste = v,
        }
        Rc::new(s)
    }
}

/// The request a platform choice and a start command make, without the paste (which travels
/// beside it, see [`Paste`]).
fn request_for(platform: &str, start: &str) -> Request {
    Request {
        platform: (!platform.is_empty()).then(|| platform.to_string()),
        start: StartSpec::from_user_text(start),
        error_text: None,
    }
}

impl PageState {
    /// The request the inputs make.
    fn request(&self) -> Request {
        request_for(&self.platform, &self.start)
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let page = use_reducer(PageState::default);
    let diagnosis = use_diagnosis();
    let state = diagnosis.state.clone();
    let route = use_state(current_hash);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                gloo_events::EventListener::new(&window, "hashchange", move |_| route.set(current_hash()))
            });
            move || drop(listener)
        });
    }

    // Send the inputs to the worker: at once when the package, platform or start command change,
    // after a pause in typing when only the paste does.
    let last_sent = use_mut_ref(|| None::<(String, String, Option<u64>)>);
    {
        let diagnosis = diagnosis.clone();
        let page_now = page.clone();
        let deps = (page.platform.clone(), page.start.clone(), page.paste.id(), page.package.clone());
        use_effect_with(deps, move |(platform, start, _, package)| {
            let key = (platform.clone(), start.clone(), package.as_ref().map(|p| p.generation));
            let only_paste = last_sent.borrow().as_ref() == Some(&key);
            *last_sent.borrow_mut() = Some(key);
            let request = page_now.request();
            let paste = page_now.paste.clone();
            let package = package.clone();
            diagnosis.forget_repair();
            let timer = if only_paste {
                diagnosis.pending();
                Some(Timeout::new(PASTE_DEBOUNCE_MS, move || diagnosis.diagnose_paste_edit(request, paste, package)))
            } else {
                diagnosis.diagnose(request, paste, package);
                None
            };
            move || drop(timer)
        });
    }

    let report = state.report.clone();
    // What the diagnosis detected, for the platform control (nothing when it fell back to the default).
    let detected_platform: Option<AttrValue> = report
        .as_ref()
        .filter(|r| matches!(r.platform_basis, PlatformBasis::Detected | PlatformBasis::Package))
        .map(|r| AttrValue::from(r.platform_name));
    // The share link of the live diagnosis; the address bar follows it.
    let link: Rc<Option<ShareLink>> = use_memo((state.links.clone(), page.share_paste), |(links, include)| {
        links.as_ref().map(|l| match (&l.with_paste, *include) {
            (Some(with_paste), true) => with_paste.clone(),
            _ => l.plain.clone(),
        })
    });
    // The last fragment the page wrote for a live diagnosis, to tell it from a link someone opened.
    let live_link = use_mut_ref(|| None::<String>);
    {
        let route = route.clone();
        let live_link = live_link.clone();
        use_effect_with(link.clone(), move |link| {
            let on_cause_page = route.starts_with("#/causes");
            match (&**link, on_cause_page) {
                (_, true) => {}
                (Some(l), false) => {
                    replace_fragment(Some(&l.fragment));
                    *live_link.borrow_mut() = Some(format!("#{}", l.fragment));
                    route.set(format!("#{}", l.fragment));
                }
                (None, false) if live_link.borrow().as_deref() == Some(route.as_str()) => {
                    replace_fragment(None);
                    route.set(String::new());
                }
                (None, false) => {}
            }
        });
    }
    // A link opened with no live inputs: decoded once per address.
    let shared = use_memo((*route).clone(), |route| {
        route.strip_prefix('#').filter(|r| r.starts_with(ROUTE)).map(|r| {
            decode_link(r).map(|state| {
                let (report, unknown) = state.to_report();
                (Rc::new(report), state, unknown)
            })
        })
    });

    // A link someone opened (not the one this page wrote for its own diagnosis) stays on screen,
    // with the inputs held, until the user starts a diagnosis of their own.
    let viewing_shared = matches!(&*shared, Some(Ok(_)))
        && !route.starts_with("#/causes")
        && live_link.borrow().as_deref() != Some(route.as_str());
    let on_new_diagnosis = {
        let route = route.clone();
        Callback::from(move |_: MouseEvent| {
            push_own_address();
            route.set(String::new());
        })
    };

    // Callbacks that keep their identity across renders, so that a keystroke in the error box
    // does not re-render the report, the share bar or the drop zone (keystroke → paint).
    let dispatch = page.dispatcher();
    // A file dropped again is a new generation: checked again, even one that was stopped before.
    let on_file = use_callback(dispatch.clone(), |(name, blob): (String, web_sys::Blob), d| {
        d.dispatch(PageAction::Package { name, blob })
    });
    let on_remove = use_callback(dispatch.clone(), |(), d| d.dispatch(PageAction::RemovePackage));
    let on_action = use_callback(dispatch.clone(), |action: PageAction, d| d.dispatch(action));
    let on_share_paste = use_callback(dispatch.clone(), |v: bool, d| d.dispatch(PageAction::SharePaste(v)));
    let ondragover = use_callback(dispatch.clone(), |e: DragEvent, d| {
        e.prevent_default();
        d.dispatch(PageAction::Dragging(true));
    });
    let ondragleave = use_callback(dispatch.clone(), |e: DragEvent, d| {
        if e.related_target().is_none() {
            d.dispatch(PageAction::Dragging(false));
        }
    });
    let ondrop = use_callback(
        (on_file.clone(), viewing_shared, route.clone()),
        move |e: DragEvent, (on_file, viewing_shared, route)| {
            e.prevent_default();
            dispatch.dispatch(PageAction::Dragging(false));
            if let Some(file) = e.data_transfer().and_then(|dt| dt.files()).and_then(|files| files.get(0)) {
                // Dropping a package is starting a diagnosis of one's own: Back returns to the link.
                if *viewing_shared {
                    push_own_address();
                    route.set(String::new());
                }
                on_file.emit((file.name(), file.into()));
            }
        },
    );

    let request =
        use_memo((page.platform.clone(), page.start.clone()), |(platform, start)| request_for(platform, start));
    // The inputs as they are now, read when the repair is asked for (not a dependency of it).
    let current = use_mut_ref(PageState::default);
    *current.borrow_mut() = (*page).clone();
    let on_repair = use_callback(diagnosis.clone(), move |(), diagnosis| {
        let page = current.borrow();
        if let Some(p) = page.package.as_ref() {
            diagnosis.repair(page.request(), page.paste.clone(), p);
        }
    });

    html! {
        <div class={classes!("page", page.dragging.then_some("dragging"), route.starts_with("#/causes").then_some("cause-route"))} {ondragover} {ondragleave} {ondrop}>
            <a class="skip-link" href="#results" onclick={Callback::from(|e: MouseEvent| {
                // Focus the report without writing #results into the address (routes live there).
                e.prevent_default();
                if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("results")) {
                    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            })}>{ "Skip to the diagnosis" }</a>
            <header class="masthead">
                <div class="masthead-row">
                    <h1><span class="logo" aria-hidden="true">{ "✓" }</span>{ "Bootdoctor" }</h1>
                    <ThemeToggle />
                </div>
                <p class="tagline">{ "Why your serverless function will not start — and how to fix it. Your package and your error never leave this page." }</p>
            </header>
            <main>
                <div class="input-column">
                if viewing_shared {
                    <p class="notice shared-hold" data-shared-hold="">
                        { "You are looking at a shared diagnosis; the inputs are held so that nothing replaces it. " }
                        <button type="button" class="copy primary" data-action="new-diagnosis" onclick={on_new_diagnosis.clone()}>{ "Start a new diagnosis" }</button>
                    </p>
                }
                <section class="inputs" aria-label="Your function" inert={viewing_shared.then_some(AttrValue::Static(""))}>
                    <DropZone package={page.package.clone()} diagnosis={diagnosis.clone()} on_file={on_file.clone()} {on_remove} />
                    <Fields platform={page.platform.clone()} detected={detected_platform.clone()} start={page.start.clone()} paste={page.paste.clone()} {on_action} />
                </section>
                </div>
                <section class="report" id="results" tabindex="-1" aria-label="Diagnosis" aria-busy={state.working.to_string()}>
                    { match (route.strip_prefix("#/causes/").or_else(|| (*route == "#/causes").then_some("")), &report, &state.failure) {
                        (Some(id), _, _) => html! { <CausePage id={id.to_string()} has_diagnosis={report.is_some()} /> },
                        (None, _, Some(message)) => html! { <p class="notice notice-error" role="alert">{ message.clone() }</p> },
                        (None, Some(report), None) if !viewing_shared => {
                            let l = (*link).clone().unwrap_or_else(|| ShareLink { fragment: String::new(), omitted: Vec::new(), redactions: 0 });
                            html! {
                                <>
                                    <VerdictBanner report={report.clone()} can_repair={page.package.is_some()} repairing={state.repairing} on_repair={on_repair.clone()} />
                                    // Nothing to share or export when neither a package nor an error was read.
                                    if report.package.is_some() || report.error.is_some() {
                                        <ShareBar report={report.clone()} url={format!("{}#{}", page_base(), l.fragment)} omitted={l.omitted.clone()}
                                            redactions={l.redactions} has_paste={!state.report_paste.trim().is_empty()} share_paste={page.share_paste} paste={state.report_paste.clone()}
                                            {on_share_paste}
                                            package={page.package.as_ref().map(|p| p.name.clone())} request={request.clone()}
                                            repairing={state.repairing} repaired={state.repaired.clone()}
                                            repair_in_verdict={page.package.is_some() && matches!(verdict(report), Verdict::Cause { action: Action::Repair, .. })}
                                            {on_repair} on_check_repaired={on_file.clone()} />
                                    }
                                    <ReportView report={report.clone()} paste={state.report_paste.clone()} show_package_error={page.package.is_none()} />
                                </>
                            }
                        }
                        (None, _, None) => match &*shared {
                            Some(Ok((report, shared_state, unknown))) => html! {
                                <>
                                    <div class="notice shared-banner" role="status" data-shared="">
                                        <strong>{ "A shared diagnosis. " }</strong>
                                        { "It was made elsewhere; your browser rebuilt it from the link. The package is not in the link: start a new diagnosis and drop it to check it again." }
                                        if !shared_state.omitted.is_empty() {
                                            <span class="muted">{ format!(" The link leaves out {}.", shared_state.omitted.iter().map(|o| o.describe()).collect::<Vec<_>>().join("; ")) }</span>
                                        }
                                        if *unknown > 0 {
                                            <span class="muted">{ format!(" {unknown} item(s) this version does not know were skipped.") }</span>
                                        }
                                        if shared_state.had_error && shared_state.paste.is_none() {
                                            <span class="muted">{ " The pasted error itself was not shared." }</span>
                                        }
                                    </div>
                                    <VerdictBanner report={report.clone()} can_repair={false} />
                                    <ShareBar report={report.clone()} url={format!("{}{}", page_base(), *route)} omitted={shared_state.omitted.clone()}
                                        redactions={0} has_paste={false} share_paste={false} on_share_paste={Callback::noop()}
                                        package={None::<String>} request={request.clone()} repairing={false} repaired={None}
                                        on_repair={Callback::noop()} on_check_repaired={Callback::noop()} />
                                    <ReportView report={report.clone()} paste={shared_state.paste.clone().unwrap_or_default()} />
                                </>
                            },
                            Some(Err(e)) => html! {
                                <>
                                    <p class="notice notice-error" role="alert" data-link-error="">{ e.to_string() }</p>
                                    <Intro />
                                </>
                            },
                            None => html! { <Intro /> },
                        },
                    } }
                </section>
            </main>
            <footer>
                <p>{ "Bootdoctor reads the zip's directory and the few parts of the files that matter, in your browser, in a background worker; the file is never uploaded or copied whole. Facts come from the platforms' documentation; inferred facts are marked as such. " }<a href="#/causes/">{ "Every cause it knows" }</a></p>
            </footer>
        </div>
    }
}

/// Props for [`DropZone`].
#[derive(Properties, PartialEq)]
struct DropZoneProps {
    package: Option<PackageFile>,
    diagnosis: UseDiagnosis,
    on_file: Callback<(String, web_sys::Blob)>,
    on_remove: Callback<()>,
}

/// How far the check has got: the entries listed (once the directory is read) and the bytes read.
fn progress_text(progress: Progress) -> String {
    let read = human_size(progress.bytes_read as f64);
    match progress.entries {
        0 => format!(" — {read} read"),
        1 => format!(" — 1 entry listed, {read} read"),
        n => format!(" — {} entries listed, {read} read", thousands(n)),
    }
}

/// The file picker, what is held, and the check's progress with Cancel.
#[function_component(DropZone)]
fn drop_zone(props: &DropZoneProps) -> Html {
    let state = &props.diagnosis.state;
    let on_pick = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                on_file.emit((file.name(), file.into()));
            }
            input.set_value("");
        })
    };
    let on_cancel = {
        let diagnosis = props.diagnosis.clone();
        Callback::from(move |_| diagnosis.cancel())
    };
    let on_remove = props.on_remove.reform(|_: MouseEvent| ());
    let status = match &props.package {
        Some(p) if state.working && state.reading_package => {
            let read = state.progress.map(progress_text).unwrap_or_default();
            html! {
                <p class="file-status" role="status" data-checking="">
                    { format!("Checking {} ({}){read}…", p.name, human_size(p.size)) }
                    <button type="button" class="link-button" data-action="cancel" onclick={on_cancel}>{ "Cancel" }</button>
                </p>
            }
        }
        Some(p) => html! {
            <p class="file-status" role="status">
                <strong>{ p.name.clone() }</strong>{ format!(" — {}", human_size(p.size)) }
                if let Some(cost) = state.cost.filter(|c| c.bytes_read > 0) {
                    <span class="muted" data-bytes-read={cost.bytes_read.to_string()} data-worker-memory={cost.memory.to_string()} data-worker-ms={(cost.inspect_ms + cost.assemble_ms).to_string()} data-assemble-ms={cost.assemble_ms.to_string()} data-reads={cost.reads.to_string()} data-read-ms={cost.read_ms.to_string()} data-inspection-reused={state.reused_inspection.to_string()}>{ format!(" · {} read to check it", human_size(cost.bytes_read as f64)) }</span>
                }
                <button type="button" class="link-button" onclick={on_remove}>{ "Remove" }</button>
            </p>
        },
        None => {
            let on_file = props.on_file.clone();
            let try_sample = Callback::from(move |_: MouseEvent| {
                if let Some(blob) = sample_package() {
                    on_file.emit((SAMPLE_NAME.to_string(), blob));
                }
            });
            html! {
                <p class="file-status muted">{ "No package yet. " }
                    <button type="button" class="link-button" data-action="sample" onclick={try_sample}>{ "Try a sample package" }</button>
                </p>
            }
        }
    };
    html! {
        <div class="dropzone">
            <p class="drop-title">{ "Drop the .zip you deployed anywhere on this page" }</p>
            <label class="file-button">
                { "Choose a package…" }
                <input type="file" name="package" accept=".zip,.jar,application/zip" onchange={on_pick} />
            </label>
            { status }
            // The package could not be read: said here, beside the file it is about.
            if let Some(message) = state.report.as_ref().and_then(|r| r.package_error.clone()).filter(|_| props.package.is_some()) {
                <p class="file-status notice-error" role="alert" data-package-error="">{ message }</p>
            }
            if let Some(stopped) = &state.stopped {
                <p class="file-status notice-error" role="alert" data-stopped="">{ stopped.message.clone() }</p>
            }
        </div>
    }
}

/// The name the sample package is shown under.
const SAMPLE_NAME: &str = "sample-made-on-windows.zip";

/// A small broken package, built in the page (nothing is downloaded): zipped on Windows, so its
/// bootstrap has no Unix mode and CRLF line ends, and its server listens on 127.0.0.1:8000.
fn sample_package() -> Option<web_sys::Blob> {
    let zip = bootdoctor_core::synth::ZipBuilder::new()
        .dos_file("bootstrap", b"#!/bin/bash\r\nexec python3 app.py\r\n")
        .dos_file(
            "app.py",
            b"from http.server import HTTPServer, SimpleHTTPRequestHandler\n\nHTTPServer(('127.0.0.1', 8000), SimpleHTTPRequestHandler).serve_forever()\n",
        )
        .finish();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(zip.as_slice()));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/zip");
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()
}

/// Props for [`Fields`].
#[derive(Properties, PartialEq)]
struct FieldsProps {
    platform: String,
    /// The platform the last diagnosis detected (from the error or the package), shown in the
    /// control's "detect" choice while nothing is chosen.
    #[prop_or_default]
    detected: Option<AttrValue>,
    start: String,
    paste: Paste,
    on_action: Callback<PageAction>,
}

/// Platform, start command and the error box, with example errors.
#[function_component(Fields)]
fn fields(props: &FieldsProps) -> Html {
    let on_platform =
        props.on_action.reform(|e: Event| PageAction::Platform(e.target_unchecked_into::<HtmlSelectElement>().value()));
    let on_start = props
        .on_action
        .reform(|e: InputEvent| PageAction::Start(e.target_unchecked_into::<HtmlInputElement>().value()));
    let textarea = use_node_ref();
    // The box is not bound to the state (a bound box is redrawn whole on every edit): it holds
    // what was typed, and a large text that reached it (dropped, set by a script) leaves it
    // before it is drawn.
    let on_error = props.on_action.reform(|e: InputEvent| {
        let textarea = e.target_unchecked_into::<HtmlTextAreaElement>();
        let paste = Paste::from_js(js_sys::Reflect::get(&textarea, &"value".into()).unwrap_or_default());
        if paste.is_held() {
            textarea.set_value("");
        }
        PageAction::Paste(paste)
    });
    // A large paste never enters the box: it replaces what the box held.
    let on_paste = {
        let on_action = props.on_action.clone();
        let textarea = textarea.clone();
        Callback::from(move |e: Event| {
            let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else { return };
            let Some(data) = e.clipboard_data() else { return };
            let get =
                js_sys::Reflect::get(&data, &"getData".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            let Some(text) = get.and_then(|get| get.call1(&data, &"text".into()).ok()) else { return };
            let paste = Paste::from_js(text);
            if paste.is_held() {
                e.prevent_default();
                if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                    t.set_value("");
                }
                on_action.emit(PageAction::Paste(paste));
            }
        })
    };
    let set_box = {
        let on_action = props.on_action.clone();
        let textarea = textarea.clone();
        move |text: &str| {
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                t.set_value(text);
            }
            on_action.emit(PageAction::Paste(Paste::from_text(text)));
        }
    };
    let on_clear_held = {
        let set_box = set_box.clone();
        Callback::from(move |_: MouseEvent| set_box(""))
    };
    let at_limit = props.paste.units() as usize >= MAX_PASTE_CHARS;
    let default_name = PROFILES.iter().find(|p| p.id == DEFAULT_PROFILE).map(|p| p.name).unwrap_or(DEFAULT_PROFILE);
    html! {
        <div class="fields">
            <label for="platform">{ "Platform" }</label>
            <select id="platform" name="platform" onchange={on_platform}>
                <option value="" selected={props.platform.is_empty()}>{ match &props.detected {
                    Some(name) => format!("Detected: {name}"),
                    None => format!("Detect from the error or the package (else {default_name})"),
                } }</option>
                <optgroup label="Custom runtimes and containers">
                    { for PROFILES.iter().filter(|p| p.runtime.is_none()).map(|p| html! {
                        <option value={p.id} selected={props.platform == p.id}>{ p.name }</option>
                    }) }
                </optgroup>
                <optgroup label="Managed runtimes (a handler in Python, Node.js, Java)">
                    { for PROFILES.iter().filter(|p| p.runtime.is_some()).map(|p| html! {
                        <option value={p.id} selected={props.platform == p.id}>{ p.name }</option>
                    }) }
                </optgroup>
            </select>
            <label for="start">{ "Start command or handler " }<span class="muted">{ "(optional)" }</span></label>
            <input id="start" name="start" type="text" autocomplete="off" spellcheck="false"
                placeholder="python3 app.py · npm run start · index.handler · src/app.handler — blank: the platform's default"
                value={props.start.clone()} oninput={on_start} />
            <label for="error">{ "Error message " }<span class="muted">{ "(optional)" }</span></label>
            if props.paste.is_held() {
                <p class="paste-held" role="status" data-paste-held="">
                    { format!("Pasted: {} characters — read in full, but kept out of the box below, which would take the browser seconds to draw. Typing in the box replaces it. ", thousands(props.paste.units())) }
                    <button type="button" class="link-button" onclick={on_clear_held}>{ "Clear the paste" }</button>
                </p>
            }
            <textarea id="error" name="error" rows="6" spellcheck="false" maxlength={MAX_PASTE_CHARS.to_string()} ref={textarea}
                placeholder="Paste what the platform printed, e.g. Function instance exited unexpectedly(code 13, message:permission denied) …"
                oninput={on_error} onpaste={on_paste} />
            if at_limit {
                <p class="muted small" role="status" data-paste-limit="">{ format!("The error box keeps the first {} MiB of a paste, all the decoder reads.", MAX_PASTE_CHARS >> 20) }</p>
            }
            <div class="examples" aria-label="Example errors">
                <span class="muted">{ "Try: " }</span>
                { for EXAMPLES.iter().map(|(label, text)| {
                    let set_box = set_box.clone();
                    let cb = Callback::from(move |_: MouseEvent| set_box(text));
                    html! { <button type="button" class="chip" onclick={cb}>{ *label }</button> }
                }) }
            </div>
        </div>
    }
}

/// What the report area says before there is anything to diagnose.
#[function_component(Intro)]
fn intro() -> Html {
    html! {
        <div class="intro">
            <h2>{ "What it checks" }</h2>
            <ul>
                <li>{ "The start file is there, under its exact name, at the root — not inside a folder." }</li>
                <li>{ "It is executable: zips made on Windows store no Unix permissions." }</li>
                <li>{ "Scripts start with #! and have Linux line endings, without a byte-order mark." }</li>
                <li>{ "Binaries are Linux programs for the function's CPU — not Mach-O, PE or arm64 on x86_64." }</li>
                <li>{ "Paste the error too: Bootdoctor reads exit codes the way each platform prints them, and checks its guesses against your package." }</li>
            </ul>
        </div>
    }
}
