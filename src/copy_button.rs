//! A button that copies a text (a fix, a command) to the clipboard and says so.

use yew::prelude::*;

/// Props: the text to copy and what it is, for screen readers.
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// Copied verbatim.
    pub text: AttrValue,
    /// "fix", "command" …
    #[prop_or(AttrValue::Static("fix"))]
    pub what: AttrValue,
}

/// "Copy" → "Copied" (or "Copy failed" when the browser refuses clipboard access).
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let state = use_state(|| "Copy");
    let onclick = {
        let state = state.clone();
        let text = props.text.clone();
        Callback::from(move |_| {
            let state = state.clone();
            let Some(window) = web_sys::window() else { return };
            let promise = window.navigator().clipboard().write_text(&text);
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => state.set("Copied"),
                    Err(_) => state.set("Copy failed"),
                }
            });
        })
    };
    html! {
        <button type="button" class="copy" {onclick} aria-label={format!("Copy {}", props.what)}>{ *state }</button>
    }
}
