//! Knowledge texts are written with `backticks` around commands, paths and settings: shown as code,
//! not as raw backticks.

use yew::prelude::*;

/// `text` with each `…`-quoted part as `<code>`; an unmatched backtick is kept as it is.
pub fn with_code(text: &str) -> Html {
    let parts: Vec<&str> = text.split('`').collect();
    // An odd number of backticks leaves the last part unclosed: join it back as plain text.
    let closed = if parts.len().is_multiple_of(2) { parts.len() - 1 } else { parts.len() };
    let mut out: Vec<Html> = Vec::with_capacity(parts.len());
    for (i, part) in parts[..closed].iter().enumerate() {
        if i % 2 == 1 {
            out.push(html! { <code>{ part.to_string() }</code> });
        } else if !part.is_empty() {
            out.push(html! { { part.to_string() } });
        }
    }
    if closed < parts.len() {
        out.push(html! { { format!("`{}", parts[closed..].join("`")) } });
    }
    html! { <>{ for out }</> }
}
