//! The package's files with what was learned about each: mode, exec bit, line endings, kind.

use bootdoctor_core::archive::EntryType;
use bootdoctor_core::checks::FileInfo;
use std::rc::Rc;
use yew::prelude::*;

use crate::slices::use_drawn_in_slices;

/// Rows rendered at first, and added by each "Show more": drawing thousands of rows at once
/// blocks the page (5,000 rows took 380 ms).
pub const PAGE_ROWS: usize = 100;

/// Rows drawn per task: a page of rows is drawn a slice at a time, each in its own task, so that
/// the report above the table paints first and the page answers input between slices (a hundred
/// rows, about 1,300 elements, were most of the 88–129 ms the report's render blocked the page).
pub const ROWS_PER_TASK: usize = 25;

/// Props: the per-file facts.
#[derive(Properties, PartialEq)]
pub struct FileTreeProps {
    /// One row per entry listed by the engine.
    pub files: Rc<Vec<FileInfo>>,
    /// Entries the engine left out of its table (none a finding names).
    #[prop_or_default]
    pub not_listed: usize,
}

/// A table of the package's entries — those with findings first, then the rest in zip order —
/// shown a page at a time, filterable to the ones with findings.
#[function_component(FileTree)]
pub fn file_tree(props: &FileTreeProps) -> Html {
    let only_findings = use_state(|| false);
    let rows = use_state(|| PAGE_ROWS);
    {
        // A new report starts again from the first page.
        let rows = rows.clone();
        use_effect_with(props.files.clone(), move |_| rows.set(PAGE_ROWS));
    }
    let toggle = {
        let only_findings = only_findings.clone();
        Callback::from(move |_| only_findings.set(!*only_findings))
    };
    let with_findings = props.files.iter().filter(|f| !f.finding_ids.is_empty()).count();
    let listed = if *only_findings { with_findings } else { props.files.len() };
    let findings_first = props.files.iter().filter(|f| !f.finding_ids.is_empty());
    let the_rest = props.files.iter().filter(|f| !*only_findings && f.finding_ids.is_empty());
    let shown: Vec<&FileInfo> = findings_first.chain(the_rest).take(*rows).collect();
    let total = if *only_findings { with_findings } else { props.files.len() + props.not_listed };
    // A page of rows is drawn a slice per task (see `slices`).
    let drawn_now = use_drawn_in_slices(props.files.clone(), shown.len(), ROWS_PER_TASK, ROWS_PER_TASK);
    let more = {
        let rows = rows.clone();
        Callback::from(move |_| rows.set(*rows + PAGE_ROWS))
    };
    html! {
        <section class="files" aria-labelledby="files-heading">
            <div class="section-head">
                <h2 id="files-heading">{ format!("Files ({})", props.files.len() + props.not_listed) }</h2>
                <label class="filter">
                    <input type="checkbox" checked={*only_findings} onchange={toggle} />
                    { format!(" Only files with findings ({with_findings})") }
                </label>
            </div>
            // Scrolls sideways on a phone: focusable, so the keyboard can scroll it too.
            <div class="table-wrap" tabindex="0" role="region" aria-label="The files in the package" aria-busy={(drawn_now < shown.len()).to_string()}>
                <table>
                    <thead><tr><th>{ "Path" }</th><th>{ "Mode as stored" }</th><th>{ "Kind" }</th><th>{ "Size" }</th></tr></thead>
                    <tbody>
                        { for shown.iter().take(drawn_now).map(|f| row(f)) }
                    </tbody>
                </table>
            </div>
            if total > shown.len() {
                <p class="muted" data-rows-shown={shown.len().to_string()}>
                    { format!("Showing {} of {total} entries{}.", shown.len(), if props.not_listed > 0 && !*only_findings {
                        format!(" ({} that no finding names were not listed by the engine)", props.not_listed)
                    } else { String::new() }) }
                    if listed > shown.len() {
                        <button type="button" class="link-button" onclick={more} data-action="more-files">
                            { format!("Show {} more", PAGE_ROWS.min(listed - shown.len())) }
                        </button>
                    }
                </p>
            }
        </section>
    }
}

fn row(f: &FileInfo) -> Html {
    let is_file = f.entry_type == EntryType::File;
    html! {
        <tr class={classes!((!f.finding_ids.is_empty()).then_some("has-findings"))} data-path={f.path.clone()}>
            <td class="path">
                <code>{ f.path.clone() }</code>
                { for f.finding_ids.iter().map(|id| html! { <span class="badge badge-finding">{ *id }</span> }) }
            </td>
            <td>
                <code class="mode">{ f.mode.clone() }</code>
                if is_file {
                    if f.executable { <span class="badge badge-ok">{ "exec" }</span> } else { <span class="badge">{ "no exec" }</span> }
                }
                <div class="muted small">{ f.host.clone() }</div>
            </td>
            <td>
                { match f.entry_type {
                    EntryType::Directory => html! { <span class="muted">{ "directory" }</span> },
                    EntryType::Symlink => html! { <span class="badge">{ "symlink" }</span> },
                    EntryType::Special => html! { <span class="badge badge-warn">{ "special file" }</span> },
                    EntryType::File => html! {
                        <>
                            { f.kind.clone().map(|k| html! { <span class="badge">{ k }</span> }).unwrap_or_default() }
                            { f.linkage.clone().map(|l| html! { <span class="badge">{ l }</span> }).unwrap_or_default() }
                            { f.needs_glibc.clone().map(|g| html! { <span class="badge" title="highest glibc symbol version needed">{ format!("needs {g}") }</span> }).unwrap_or_default() }
                            { f.line_endings.map(|le| html! {
                                <span class={classes!("badge", (le == "CRLF").then_some("badge-warn"))}>{ le }</span>
                            }).unwrap_or_default() }
                        </>
                    },
                } }
            </td>
            <td class="num">{ if is_file { f.size.to_string() } else { String::new() } }</td>
        </tr>
    }
}
