//! A button that copies a text (a fix, a command) to the clipboard and says so.

use yew::prelude::*;

/// Props: the text to copy and what it is, for screen readers.
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// Copied verbatim.
    #[prop_or_default]
    pub text: AttrValue,
    /// Makes the text when the button is pressed, instead of [`CopyButtonProps::text`]: for
    /// texts too costly to make on every render (the report as Markdown).
    #[prop_or_default]
    pub make: Option<Callback<(), String>>,
    /// "fix", "command" …
    #[prop_or(AttrValue::Static("fix"))]
    pub what: AttrValue,
    /// The button's words before copying.
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
}

/// "Copy" → "Copied" (or "Copy failed" when the browser refuses clipboard access), said to screen
/// readers too; back to "Copy" when the text to copy changes, so "Copied" never stands for an older
/// text.
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let state = use_state(|| None::<&'static str>);
    {
        let state = state.clone();
        use_effect_with(props.text.clone(), move |_| state.set(None));
    }
    let onclick = {
        let state = state.clone();
        let text = props.text.clone();
        let make = props.make.clone();
        Callback::from(move |_| {
            let state = state.clone();
            let text = make.as_ref().map_or_else(|| text.to_string(), |m| m.emit(()));
            let Some(window) = web_sys::window() else { return };
            let promise = window.navigator().clipboard().write_text(&text);
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(promise).await {
                    Ok(_) => state.set(Some("Copied")),
                    Err(_) => state.set(Some("Copy failed")),
                }
            });
        })
    };
    html! {
        <>
            <button type="button" class="copy" {onclick} aria-label={format!("Copy {}", props.what)}>{ state.map_or(props.label.clone(), AttrValue::Static) }</button>
            <span class="visually-hidden" role="status">{ state.map(|s| format!("{s}: {}", props.what)).unwrap_or_default() }</span>
        </>
    }
}
