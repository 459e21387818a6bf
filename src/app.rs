//! The page: inputs (drop zone, file picker, platform, start command, error box) and the report.

use std::io::Cursor;
use std::rc::Rc;

use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::profiles::{DEFAULT_PROFILE, PROFILES};
use bootdoctor_core::report::{diagnose, Report, Request};
use bootdoctor_core::share::{decode_link, make_link, ShareLink, ROUTE};
use web_sys::{DragEvent, File, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::cause_page::CausePage;
use crate::report_view::ReportView;
use crate::share_bar::{PackageBytes, ShareBar};

/// The location hash (`#/causes/exec-bit-missing`), or "" outside a browser.
fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Largest package the page reads into memory (the platforms' own limits are far lower).
const MAX_PACKAGE_BYTES: f64 = 512.0 * 1024.0 * 1024.0;

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
    let url = match fragment {
        Some(f) => format!("#{f}"),
        None => {
            window.location().pathname().unwrap_or_else(|_| "/".into())
                + &window.location().search().unwrap_or_default()
        }
    };
    let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
}

/// A package read into memory.
type LoadedPackage = PackageBytes;

/// Where reading the chosen file stands.
#[derive(Clone, PartialEq)]
enum Loading {
    Idle,
    Reading(String),
    Failed(String),
}

/// Example pastes from the platforms' own documents, one click away.
const EXAMPLES: &[(&str, &str)] = &[
    ("FC: code 13", "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."),
    ("FC: bash\\r", "Function instance exited unexpectedly(code 127, message:key has expired) with start command '/code/bootstrap '.\nLogs:/usr/bin/env: ‘bash\\r’: No such file or directory"),
    ("FC: health check", "Function instance health check failed on port 9000 in 120 seconds.\nLogs:"),
    ("SCF: 437", "{\"errorCode\":-1,\"errorMessage\":\"HandlerNotFound\",\"statusCode\":437}"),
    ("Lambda: exec format", "Error: fork/exec /var/task/bootstrap: exec format error Runtime.InvalidEntrypoint"),
];

fn human_size(bytes: f64) -> String {
    if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", bytes / 1024.0 / 1024.0)
    } else if bytes >= 1024.0 {
        format!("{:.1} KiB", bytes / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let platform = use_state(String::new);
    let start = use_state(String::new);
    let error_text = use_state(String::new);
    let package = use_state(|| None::<LoadedPackage>);
    let loading = use_state(|| Loading::Idle);
    let dragging = use_state(|| false);
    let route = use_state(current_hash);
    let share_paste = use_state(|| false);
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                gloo_events::EventListener::new(&window, "hashchange", move |_| route.set(current_hash()))
            });
            move || drop(listener)
        });
    }

    let request: Rc<Request> =
        use_memo(((*platform).clone(), (*start).clone(), (*error_text).clone()), |(platform, start, error)| Request {
            platform: (!platform.is_empty()).then(|| platform.clone()),
            start: StartSpec::from_user_text(start),
            error_text: Some(error.clone()),
        });
    let report: Rc<Option<Result<Rc<Report>, String>>> =
        use_memo((request.clone(), (*package).clone()), |(request, package)| {
            if package.is_none() && request.error_text.as_deref().is_none_or(|e| e.trim().is_empty()) {
                return None;
            }
            let pkg = package.as_ref().map(|p| (p.name.as_str(), Cursor::new(p.bytes.as_slice())));
            Some(diagnose(pkg, request).map(Rc::new).map_err(|e| e.to_string()))
        });
    // The share link of the live diagnosis; the address bar follows it.
    let link: Rc<Option<ShareLink>> =
        use_memo((report.clone(), (*error_text).clone(), *share_paste), |(report, paste, include)| match &**report {
            Some(Ok(r)) => Some(make_link(r, Some(paste.as_str()), *include)),
            _ => None,
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

    let on_file = {
        let package = package.clone();
        let loading = loading.clone();
        Callback::from(move |file: File| {
            let name = file.name();
            let size = file.size();
            if size > MAX_PACKAGE_BYTES {
                loading.set(Loading::Failed(format!(
                    "{name} is {}: larger than the {} this page reads. Platforms refuse packages this size too \
                     (Lambda: 50 MB zipped, FC: 500 MB).",
                    human_size(size),
                    human_size(MAX_PACKAGE_BYTES)
                )));
                return;
            }
            loading.set(Loading::Reading(name.clone()));
            let blob = gloo_file::File::from(file);
            let package = package.clone();
            let loading = loading.clone();
            wasm_bindgen_futures::spawn_local(async move {
                match gloo_file::futures::read_as_bytes(&blob).await {
                    Ok(bytes) => {
                        package.set(Some(LoadedPackage { name, bytes: Rc::new(bytes) }));
                        loading.set(Loading::Idle);
                    }
                    Err(e) => loading.set(Loading::Failed(format!("Could not read {name}: {e}"))),
                }
            });
        })
    };

    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            if e.related_target().is_none() {
                dragging.set(false);
            }
        })
    };
    let ondrop = {
        let dragging = dragging.clone();
        let on_file = on_file.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e.data_transfer().and_then(|dt| dt.files()).and_then(|files| files.get(0)) {
                on_file.emit(file);
            }
        })
    };
    let on_pick = {
        let on_file = on_file.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                on_file.emit(file);
            }
            input.set_value("");
        })
    };
    let on_remove = {
        let package = package.clone();
        let loading = loading.clone();
        Callback::from(move |_| {
            package.set(None);
            loading.set(Loading::Idle);
        })
    };
    let on_platform = {
        let platform = platform.clone();
        Callback::from(move |e: Event| platform.set(e.target_unchecked_into::<HtmlSelectElement>().value()))
    };
    let on_start = {
        let start = start.clone();
        Callback::from(move |e: InputEvent| start.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_error = {
        let error_text = error_text.clone();
        Callback::from(move |e: InputEvent| error_text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value()))
    };

    let package_status = match (&*loading, &*package) {
        (Loading::Reading(name), _) => {
            html! { <p class="file-status" role="status">{ format!("Reading {name}…") }</p> }
        }
        (Loading::Failed(message), _) => {
            html! { <p class="file-status notice-error" role="alert">{ message.clone() }</p> }
        }
        (Loading::Idle, Some(p)) => html! {
            <p class="file-status" role="status">
                <strong>{ p.name.clone() }</strong>{ format!(" — {}", human_size(p.bytes.len() as f64)) }
                <button type="button" class="link-button" onclick={on_remove}>{ "Remove" }</button>
            </p>
        },
        (Loading::Idle, None) => html! { <p class="file-status muted">{ "No package yet." }</p> },
    };

    let default_name = PROFILES.iter().find(|p| p.id == DEFAULT_PROFILE).map(|p| p.name).unwrap_or(DEFAULT_PROFILE);

    html! {
        <div class={classes!("page", dragging.then_some("dragging"))} {ondragover} {ondragleave} {ondrop}>
            <header class="masthead">
                <h1><span class="logo" aria-hidden="true">{ "✓" }</span>{ "Bootdoctor" }</h1>
                <p class="tagline">{ "Why your serverless function will not start — and how to fix it. Your package and your error never leave this page." }</p>
            </header>
            <main>
                <section class="inputs" aria-label="Your function">
                    <div class="dropzone">
                        <p class="drop-title">{ "Drop the .zip you deployed anywhere on this page" }</p>
                        <label class="file-button">
                            { "Choose a package…" }
                            <input type="file" name="package" accept=".zip,.jar,application/zip" onchange={on_pick} />
                        </label>
                        { package_status }
                    </div>
                    <div class="fields">
                        <label for="platform">{ "Platform" }</label>
                        <select id="platform" name="platform" onchange={on_platform}>
                            <option value="" selected={platform.is_empty()}>{ format!("Detect from the error (else {default_name})") }</option>
                            { for PROFILES.iter().map(|p| html! {
                                <option value={p.id} selected={*platform == p.id}>{ p.name }</option>
                            }) }
                        </select>
                        <label for="start">{ "Start command or handler " }<span class="muted">{ "(optional)" }</span></label>
                        <input id="start" name="start" type="text" autocomplete="off" spellcheck="false"
                            placeholder="python3 app.py · npm run start · index.main_handler — blank: the platform's bootstrap"
                            value={(*start).clone()} oninput={on_start} />
                        <label for="error">{ "Error message " }<span class="muted">{ "(optional)" }</span></label>
                        <textarea id="error" name="error" rows="6" spellcheck="false"
                            placeholder="Paste what the platform printed, e.g. Function instance exited unexpectedly(code 13, message:permission denied) …"
                            value={(*error_text).clone()} oninput={on_error} />
                        <div class="examples" aria-label="Example errors">
                            <span class="muted">{ "Try: " }</span>
                            { for EXAMPLES.iter().map(|(label, text)| {
                                let error_text = error_text.clone();
                                let text = text.to_string();
                                html! { <button type="button" class="chip" onclick={move |_| error_text.set(text.clone())}>{ *label }</button> }
                            }) }
                        </div>
                    </div>
                </section>
                <section class="report" aria-live="polite" aria-label="Diagnosis">
                    { match (route.strip_prefix("#/causes/").or_else(|| (*route == "#/causes").then_some("")), &*report) {
                        (Some(id), _) => html! { <CausePage id={id.to_string()} /> },
                        (None, Some(Err(message))) => html! { <p class="notice notice-error" role="alert">{ message.clone() }</p> },
                        (None, Some(Ok(report))) => {
                            let l = (*link).clone().unwrap_or_else(|| ShareLink { fragment: String::new(), omitted: Vec::new(), redactions: 0 });
                            html! {
                                <>
                                    <ShareBar report={report.clone()} url={format!("{}#{}", page_base(), l.fragment)} omitted={l.omitted.clone()}
                                        redactions={l.redactions} has_paste={!error_text.trim().is_empty()} share_paste={*share_paste} paste={(*error_text).clone()}
                                        on_share_paste={{ let s = share_paste.clone(); Callback::from(move |v| s.set(v)) }}
                                        package={(*package).clone()} request={request.clone()}
                                        on_check_repaired={{ let p = package.clone(); Callback::from(move |r| p.set(Some(r))) }} />
                                    <ReportView report={report.clone()} paste={(*error_text).clone()} />
                                </>
                            }
                        }
                        (None, None) => match &*shared {
                            Some(Ok((report, state, unknown))) => html! {
                                <>
                                    <div class="notice shared-banner" role="status" data-shared="">
                                        <strong>{ "A shared diagnosis. " }</strong>
                                        { "It was made elsewhere; your browser rebuilt it from the link. The package is not in the link — drop it here to check it again." }
                                        if !state.omitted.is_empty() {
                                            <span class="muted">{ format!(" The link leaves out {}.", state.omitted.iter().map(|o| o.describe()).collect::<Vec<_>>().join("; ")) }</span>
                                        }
                                        if *unknown > 0 {
                                            <span class="muted">{ format!(" {unknown} item(s) this version does not know were skipped.") }</span>
                                        }
                                        if state.had_error && state.paste.is_none() {
                                            <span class="muted">{ " The pasted error itself was not shared." }</span>
                                        }
                                    </div>
                                    <ShareBar report={report.clone()} url={format!("{}{}", page_base(), *route)} omitted={state.omitted.clone()}
                                        redactions={0} has_paste={false} share_paste={false} on_share_paste={Callback::noop()}
                                        package={None::<PackageBytes>} request={request.clone()} on_check_repaired={Callback::noop()} />
                                    <ReportView report={report.clone()} paste={state.paste.clone().unwrap_or_default()} />
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
                <p>{ "Bootdoctor reads the zip's directory and a few bytes of the files that matter, in your browser. Facts come from the platforms' documentation; inferred facts are marked as such. " }<a href="#/causes/">{ "Every cause it knows" }</a></p>
            </footer>
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
