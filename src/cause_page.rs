//! A page per cause (`#/causes/<id>`): what happens, how to fix it (commands to copy), how to
//! confirm it, the messages platforms print for it (behind a disclosure), and the sources. Links from findings and hypotheses land here; people can share them.

use bootdoctor_core::causes::{cause, CauseKind, CAUSES};
use bootdoctor_core::checks::CHECK_IDS;
use bootdoctor_core::decode::patterns::PATTERNS;
use bootdoctor_core::decode::scf::SCF_STATUSES;
use yew::prelude::*;

use crate::copy_button::CopyButton;
use crate::prose::with_code;

/// Props: the cause id from the URL.
#[derive(Properties, PartialEq)]
pub struct CausePageProps {
    /// A cause id; unknown ids show the index.
    pub id: AttrValue,
    /// Whether a diagnosis is there to go back to (else the page links to all causes only).
    #[prop_or_default]
    pub has_diagnosis: bool,
}

fn kind_label(kind: CauseKind) -> &'static str {
    match kind {
        CauseKind::Package => "in the package",
        CauseKind::Code => "in the code's behaviour",
        CauseKind::Configuration => "in the function's configuration",
        CauseKind::Platform => "in the account or the platform",
    }
}

/// One cause, or the index of all causes when the id is unknown.
#[function_component(CausePage)]
pub fn cause_page(props: &CausePageProps) -> Html {
    let Some(c) = cause(&props.id) else {
        return html! {
            <section class="cause-page" data-cause-page="index">
                <h2>{ "Causes Bootdoctor knows" }</h2>
                if !props.id.is_empty() {
                    <p class="notice notice-error">{ format!("No cause is called \"{}\".", props.id) }</p>
                }
                <ul class="cause-index">
                    { for CAUSES.iter().map(|c| html! {
                        <li><a href={format!("#/causes/{}", c.id)}><code>{ c.id }</code></a>{ format!(" — {}", c.title) }</li>
                    }) }
                </ul>
            </section>
        };
    };
    let messages: Vec<(&str, &str, &str)> = PATTERNS
        .iter()
        .filter(|p| p.causes.iter().any(|(id, _)| *id == c.id))
        .flat_map(|p| {
            p.examples
                .iter()
                .map(move |e| (p.vendor.unwrap_or("any platform"), *e, p.sources.first().copied().unwrap_or("")))
        })
        .collect();
    let statuses: Vec<String> = SCF_STATUSES
        .iter()
        .filter(|s| s.causes.iter().any(|(id, _)| *id == c.id))
        .map(|s| format!("{} {}", s.code, s.names[0]))
        .collect();
    let checked = CHECK_IDS.contains(&c.id);
    let shows = messages.len() + statuses.len();
    html! {
        <article class="cause-page card" data-cause-page={c.id}>
            <p class="muted">
                if props.has_diagnosis {
                    <a href="#/">{ "← back to the diagnosis" }</a>{ " · " }
                }
                <a href="#/causes/">{ "All causes" }</a>
            </p>
            <h2>{ c.title }</h2>
            <p><code class="id">{ c.id }</code><span class="muted">{ format!(" — the problem lies {}", kind_label(c.kind)) }</span></p>
            <p>{ with_code(c.summary) }</p>
            <h3>{ "How to fix it" }</h3>
            <p>{ with_code(c.fix) }</p>
            if !c.fixes.is_empty() {
                <dl class="toolchain-fixes">
                    { for c.fixes.iter().map(|f| html! {
                        <>
                            <dt>{ f.toolchain }</dt>
                            if f.runnable {
                                <dd class="fix"><pre><code>{ f.command }</code></pre><CopyButton text={f.command} what={format!("the {} command for {}", f.toolchain, c.id)} label="Copy" /></dd>
                            } else {
                                <dd><p class="step">{ f.command }</p></dd>
                            }
                        </>
                    }) }
                </dl>
            }
            <h3>{ "How to confirm it" }</h3>
            if !c.confirm.is_empty() {
                <p>{ with_code(c.confirm) }</p>
            }
            <p class="muted">{ if checked {
                "Or drop your package on Bootdoctor: this is one of its package checks, and a finding with this id shows the bytes it rests on."
            } else {
                "This cause is not visible in the package; the platform's logs and the function's configuration decide it."
            } }</p>
            if shows > 0 {
                <details class="cause-messages">
                    <summary>{ format!("How it shows: {shows} message{} platforms print", if shows == 1 { "" } else { "s" }) }</summary>
                    <ul class="evidence">
                        { for messages.iter().map(|(vendor, example, source)| html! {
                            <li><span class="badge">{ *vendor }</span><code>{ *example }</code><span class="muted small">{ format!(" ({source})") }</span></li>
                        }) }
                        { for statuses.iter().map(|s| html! { <li><span class="badge">{ "tencent" }</span><code>{ s.clone() }</code></li> }) }
                    </ul>
                </details>
            }
            <h3>{ "Sources" }</h3>
            <ul class="sources">{ for c.sources.iter().map(|s| html! { <li><a href={*s} rel="noreferrer noopener" target="_blank">{ *s }</a></li> }) }</ul>
        </article>
    }
}
