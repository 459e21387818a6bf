//! Bootdoctor's web page: a thin Yew layer over `bootdoctor-core`. Everything runs in the browser;
//! nothing dropped or pasted is sent anywhere.

mod app;
mod cause_page;
mod copy_button;
mod diagnosis;
mod file_tree;
mod paste;
mod prose;
mod report_view;
mod share_bar;
mod slices;
mod theme;
mod verdict_banner;

fn main() {
    // index.html paints a static copy of the page's top until the app runs; the app replaces it.
    if let Some(shell) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("shell")) {
        shell.remove();
    }
    yew::Renderer::<app::App>::new().render();
    register_service_worker();
}

/// Registers the service worker the build wrote (`sw.js`, see `scripts/offline.mjs`), so that the
/// page reloads and diagnoses offline after a first visit. Browsers without service workers, or
/// pages served where they are not allowed, simply go without.
fn register_service_worker() {
    let Some(window) = web_sys::window() else { return };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        return;
    }
    // Relative to the page, so a copy served under a path (GitHub Pages) registers its own.
    let _ = navigator.service_worker().register("sw.js");
}
