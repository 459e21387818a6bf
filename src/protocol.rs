//! What the page and its Web Worker say to each other. Each message is a plain JS object
//! `{ id, json, paste?, blob? }`: `json` is a [`Job`] or a [`Reply`] as JSON; the pasted
//! error travels beside it as the page's JS string (the job's `request.error_text` is then
//! replaced by it), the package as the dropped `Blob` (structured clone: a handle, never a copy of
//! the file), and a repaired zip comes back as a `Blob` too (slices of the dropped file and the
//! new bytes).

use bootdoctor_core::repair::Repaired;
use bootdoctor_core::report::{Report, Request};
use bootdoctor_core::share::ShareLink;
use serde::{Deserialize, Serialize};

/// A package as the page names it to the worker; its bytes are the message's `blob`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageRef {
    /// The file name as dropped.
    pub name: String,
    /// Its size in bytes, as the browser reports it.
    pub size: u64,
    /// Changes whenever the page holds a different file: the worker keeps one inspection per
    /// (generation, platform, start command) and reuses it while only the paste changes.
    pub generation: u64,
}

/// Work for the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Job {
    /// Diagnose the paste and, when given, the package.
    Diagnose { request: Request, package: Option<PackageRef> },
    /// Repair the package and diagnose the result.
    Repair { request: Request, package: PackageRef },
}

/// How far a job has got, sent while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Entries in the package's directory, once it is listed (0 before).
    #[serde(default)]
    pub entries: u64,
    /// Bytes of the package read so far (the directory, sniffed prefixes, entries opened).
    pub bytes_read: u64,
    /// Reads made from the file.
    pub reads: u64,
    /// Milliseconds those reads took.
    pub read_ms: u32,
    /// The worker's WebAssembly memory, in bytes.
    pub memory: u64,
    /// Milliseconds the worker has spent on the job: inspecting (or reusing) the package.
    pub inspect_ms: u32,
    /// … and then joining the paste, making the report and its share links.
    pub assemble_ms: u32,
}

/// The share links of a diagnosis: without the paste, and with it (redacted) when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    /// The link without the paste.
    pub plain: ShareLink,
    /// The link carrying the redacted paste, when one was given.
    pub with_paste: Option<ShareLink>,
}

/// What the worker sends back. Every reply carries the id of the job it answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reply {
    /// The worker has started and takes jobs (messages sent earlier would be lost).
    Ready,
    /// A job is under way.
    Progress(Progress),
    /// The diagnosis, with what the package part cost and its share links (made here: encoding a
    /// large report takes the time the page must not block for).
    Diagnosed { report: Box<Report>, links: Links, progress: Progress, reused_inspection: bool },
    /// The repaired package (its zip is the message's `blob`) and its before/after diagnosis.
    Repaired { repaired: Box<Repaired> },
    /// The job could not be done: one sentence for the user.
    Failed { message: String },
}

/// A field of a message object (`undefined` when absent): both sides read envelopes with it.
pub fn field(data: &wasm_bindgen::JsValue, name: &str) -> wasm_bindgen::JsValue {
    js_sys::Reflect::get(data, &name.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// The worker's script, written by Trunk beside the page (`data-type="worker"`, `data-loader-shim`).
pub const WORKER_SCRIPT: &str = "./bootdoctor-worker_loader.js";

/// The query a replacement worker is started with (after Cancel, the watchdog or a crash): it
/// skips the warm-up, whose work would only delay the job waiting for it (the paste decoded alone).
pub const REPLACEMENT_QUERY: &str = "?replacement";
