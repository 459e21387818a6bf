//! The package's files with what was learned about each: mode, exec bit, line endings, kind.

use bootdoctor_core::archive::EntryType;
use bootdoctor_core::checks::FileInfo;
use std::rc::Rc;
use yew::prelude::*;

/// Rows rendered at most; the rest are counted.
const MAX_ROWS: usize = 2000;

/// Props: the per-file facts.
#[derive(Properties, PartialEq)]
pub struct FileTreeProps {
    /// One row per entry listed by the engine.
    pub files: Rc<Vec<FileInfo>>,
    /// Entries the engine left out of its table (none a finding names).
    #[prop_or_default]
    pub not_listed: usize,
}

/// A table of the package's entries, filterable to the ones with findings.
#[function_component(FileTree)]
pub fn file_tree(props: &FileTreeProps) -> Html {
    let only_findings = use_state(|| false);
    let toggle = {
        let only_findings = only_findings.clone();
        Callback::from(move |_| only_findings.set(!*only_findings))
    };
    let with_findings = props.files.iter().filter(|f| !f.finding_ids.is_empty()).count();
    let shown: Vec<&FileInfo> =
        props.files.iter().filter(|f| !*only_findings || !f.finding_ids.is_empty()).take(MAX_ROWS).collect();
    let total = if *only_findings { with_findings } else { props.files.len() + props.not_listed };
    html! {
        <section class="files" aria-labelledby="files-heading">
            <div class="section-head">
                <h2 id="files-heading">{ format!("Files ({})", props.files.len() + props.not_listed) }</h2>
                <label class="filter">
                    <input type="checkbox" checked={*only_findings} onchange={toggle} />
                    { format!(" Only files with findings ({with_findings})") }
                </label>
            </div>
            <div class="table-wrap">
                <table>
                    <thead><tr><th>{ "Path" }</th><th>{ "Mode as stored" }</th><th>{ "Kind" }</th><th>{ "Size" }</th></tr></thead>
                    <tbody>
                        { for shown.iter().map(|f| row(f)) }
                    </tbody>
                </table>
            </div>
            if total > shown.len() {
                <p class="muted">{ format!("Showing {} of {total} entries.", shown.len()) }</p>
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
