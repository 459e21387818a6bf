//! The verdict banner at the top of a report: the most likely cause in one sentence, what it
//! rests on, and its one action (the repaired download, or a command to copy). The only live
//! region of the report, so a screen reader hears the answer, not every re-render.

use std::rc::Rc;

use bootdoctor_core::report::Report;
use bootdoctor_core::verdict::{manual_action, verdict, Action, Support, Verdict};
use yew::prelude::*;

use crate::copy_button::CopyButton;

/// Props for [`VerdictBanner`].
#[derive(Properties, PartialEq)]
pub struct VerdictBannerProps {
    /// The diagnosis.
    pub report: Rc<Report>,
    /// Whether the page holds the package, so that it can repair it (a shared report does not).
    pub can_repair: bool,
    /// A repair is under way.
    #[prop_or_default]
    pub repairing: bool,
    /// Asks for the repaired package.
    #[prop_or_default]
    pub on_repair: Callback<()>,
}

/// Narrower than this (CSS pixels), the page scrolls the verdict into view when it arrives: on a
/// phone the report starts below the whole input form.
const PHONE_WIDTH: f64 = 700.0;

/// What the verdict rests on, in words.
fn support_words(support: Support) -> &'static str {
    match support {
        Support::Confirmed => "Confirmed: the error and the package agree",
        Support::Package => "Found in the package",
        Support::PackageWarning => "A warning from the package",
        Support::Error => "Read from the pasted error",
        Support::Resemblance => "A lead: resembles known reports",
    }
}

/// The banner.
#[function_component(VerdictBanner)]
pub fn verdict_banner(props: &VerdictBannerProps) -> Html {
    let v = use_memo(props.report.clone(), |r| verdict(r));
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(props.report.clone(), move |_| {
            let narrow = web_sys::window()
                .and_then(|w| w.inner_width().ok())
                .and_then(|w| w.as_f64())
                .is_some_and(|w| w < PHONE_WIDTH);
            if narrow {
                if let Some(el) = node.cast::<web_sys::Element>() {
                    el.scroll_into_view_with_bool(true);
                }
            }
        });
    }
    let (kind, id) = match &*v {
        Verdict::Cause { cause, support, .. } => (
            match support {
                Support::Confirmed | Support::Package => "verdict-error",
                _ => "verdict-lead",
            },
            *cause,
        ),
        Verdict::Clean { complete: true, .. } => ("verdict-clean", "clean"),
        Verdict::Clean { .. } => ("verdict-lead", "clean-partly"),
        Verdict::Nothing { .. } => ("verdict-none", "none"),
    };
    html! {
        <section ref={node} class={classes!("verdict", kind)} data-verdict={id} aria-labelledby="verdict-heading">
            <h2 id="verdict-heading" class="visually-hidden">{ "Verdict" }</h2>
            <div role="status" aria-live="polite">
                <p class="verdict-sentence">{ v.sentence().to_string() }</p>
                if let Verdict::Cause { support, .. } = &*v {
                    <p class="verdict-basis">{ support_words(*support) }
                        { " · " }<a href={format!("#/causes/{id}")}>{ "about this cause" }</a></p>
                }
            </div>
            if let Verdict::Cause { action, cause, .. } = &*v {
                { action_view(action, cause, props) }
            }
        </section>
    }
}

/// The verdict's one action.
fn action_view(action: &Action, cause: &'static str, props: &VerdictBannerProps) -> Html {
    let fallback;
    let action = match action {
        Action::Repair if !props.can_repair => {
            let fix = props.report.findings.iter().find(|f| f.id == cause).map(|f| f.fix.clone()).unwrap_or_default();
            fallback = manual_action(cause, &fix);
            &fallback
        }
        other => other,
    };
    match action {
        Action::Repair => {
            let on_repair = props.on_repair.clone();
            html! {
                <p class="verdict-action">
                    <button type="button" class="copy primary" data-action="repair" data-verdict-action="repair" disabled={props.repairing}
                        onclick={Callback::from(move |_| on_repair.emit(()))}>
                        { if props.repairing { "Repairing…" } else { "Download repaired package" } }
                    </button>
                    <span class="muted small">{ " Made in this page; your file is not uploaded." }</span>
                </p>
            }
        }
        Action::Command { toolchain, command } => html! {
            <div class="verdict-action verdict-command" data-verdict-action="command">
                <p class="muted small">{ format!("Fix ({toolchain}):") }</p>
                <pre><code>{ command.clone() }</code></pre>
                <CopyButton text={command.clone()} what={format!("command for {cause}")} label="Copy command" />
            </div>
        },
        Action::Advice(advice) => html! {
            <p class="verdict-action" data-verdict-action="advice">{ advice.clone() }</p>
        },
    }
}
