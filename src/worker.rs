//! The Web Worker side: runs the engine on the jobs the page sends (see [`crate::protocol`]) and
//! answers each. It reads the dropped file lazily through [`crate::blob_reader`], keeps the last
//! package inspection while only the paste changes, and reports progress while it reads.
//!
//! Invariant: the worker never blocks the page — it is the only place the engine runs on a
//! package — and a job it cannot finish ends in a [`Reply::Failed`] or, if the worker itself dies
//! (a trap, memory exhausted), in the page's watchdog restarting it.

use std::cell::RefCell;

use bootdoctor_core::checks::messages::capitalized;
use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::repair::{repair, Piece, RepairedZip};
use bootdoctor_core::report::{PackagePart, Plan, Request};
use bootdoctor_core::share::make_link;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use crate::blob_reader::{BlobSource, RangeReader, ReadStats};
use crate::protocol::{field, Job, Links, PackageRef, Progress, Reply, REPLACEMENT_QUERY};

/// Progress is posted at most this often (milliseconds).
const PROGRESS_EVERY_MS: f64 = 100.0;

/// The inspection kept from the last package job, with what reading the file for it cost.
struct Kept {
    generation: u64,
    platform: &'static str,
    start: StartSpec,
    part: PackagePart,
    stats: ReadStats,
}

thread_local! {
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The reader every dropped file goes through: one type, so the engine's code for it is one copy
/// in the wasm — and the copy [`warm_up`] runs is the one the first drop runs.
type FileReader = RangeReader<BlobSource, Box<dyn FnMut(ReadStats)>>;

/// Starts answering jobs and tells the page so, then warms the engine up; a job that arrives
/// meanwhile waits for it.
pub fn start() {
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(handle);
    scope().set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    post(0.0, &Reply::Ready, None);
    if !is_replacement() {
        warm_up();
    }
}

/// This worker replaces one that was stopped ([`REPLACEMENT_QUERY`] in its address).
fn is_replacement() -> bool {
    field(&field(&scope(), "location"), "search").as_string().as_deref() == Some(REPLACEMENT_QUERY)
}

/// Diagnoses a small package built here, through the same reader, checks, report and link code a
/// dropped file goes through, and throws the result away.
///
/// V8 runs WebAssembly first as baseline code and optimises the functions that have run: without
/// this, the benchmark package dropped at once after load took 949 ms in the worker, against about
/// 600 ms dropped 1–3 s later; with it, the drop at once went from 1,199–1,260 to 997–1,038 ms.
fn warm_up() {
    let zip = warm_up_package();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(zip.as_slice()));
    let Ok(blob) = Blob::new_with_u8_array_sequence(&parts) else { return };
    let request = Request { platform: Some("aliyun-fc".into()), ..Request::default() };
    let Ok(plan) = Plan::new(&request, true) else { return };
    let Ok(source) = BlobSource::new(blob) else { return };
    let mut reader: FileReader = RangeReader::new(source, Box::new(|_| {}));
    let Ok(mut opened) = Plan::open(&mut reader) else { return };
    let part = plan.inspect_opened("warm-up.zip", &mut opened);
    drop(opened);
    let report = plan.assemble(Some(part));
    let _ = make_link(&report, None, false);
    let _ = serde_json::to_string(&report);
}

/// A custom-runtime package with what the checks read: a start script, a dynamically linked
/// program and libraries (deflated, read whole or in depth), a CRLF script, a few hundred small
/// files.
fn warm_up_package() -> Vec<u8> {
    use bootdoctor_core::synth::{elf, ZipBuilder};
    let body: Vec<u8> =
        (0..96 * 1024u32).map(|i| b"function exports return 0123456789 "[(i * 7 % 35) as usize]).collect();
    let mut program = elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6", "libwarm.so.1"], None, &[], 2);
    program.extend_from_slice(&body);
    let mut library = elf(None, &["libc.so.6", "libmissing.so.2"], None, &[("libc.so.6", &["GLIBC_2.34"])], 3);
    library.extend_from_slice(&body[..32 * 1024]);
    let mut zip = ZipBuilder::new()
        .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexport LD_LIBRARY_PATH=$PWD/lib\nexec ./server\n")
        .deflated_file("server", 0o755, &program)
        .deflated_file("lib/libwarm.so.1", 0o755, &library)
        .unix_file("bin/tool.sh", 0o755, b"#!/bin/sh\r\necho tool\r\n");
    for i in 0..300 {
        zip = zip.deflated_file(&format!("node_modules/p{}/lib/f{i}.js", i / 30), 0o644, &body[i * 64..i * 64 + 512]);
    }
    zip.finish()
}

/// The worker's WebAssembly memory in bytes.
fn memory_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// Sends `reply` for job `id`, with a `blob` (the repaired zip) beside it when given.
fn post(id: f64, reply: &Reply, blob: Option<Blob>) {
    let message = js_sys::Object::new();
    let json = serde_json::to_string(reply).unwrap_or_else(|e| {
        serde_json::to_string(&Reply::Failed { message: format!("The worker could not send its answer: {e}") })
            .unwrap_or_default()
    });
    let _ = js_sys::Reflect::set(&message, &"id".into(), &id.into());
    let _ = js_sys::Reflect::set(&message, &"json".into(), &json.into());
    if let Some(blob) = blob {
        let _ = js_sys::Reflect::set(&message, &"blob".into(), &blob);
    }
    if scope().post_message(&message).is_err() {
        web_sys::console::error_1(&"bootdoctor worker: a reply could not be posted".into());
    }
}

fn handle(event: MessageEvent) {
    let data = event.data();
    let id = field(&data, "id").as_f64().unwrap_or(0.0);
    let json = field(&data, "json").as_string().unwrap_or_default();
    let blob = field(&data, "blob").dyn_into::<Blob>().ok();
    // The paste travels beside the JSON, as the page's JS string: read into Rust only here.
    let paste = field(&data, "paste").as_string();
    let with_paste = |mut request: Request| {
        if paste.is_some() {
            request.error_text = paste.clone();
        }
        request
    };
    match serde_json::from_str::<Job>(&json) {
        Ok(Job::Diagnose { request, package }) => {
            let request = with_paste(request);
            let reply = diagnose(id, &request, package.zip(blob));
            post(id, &reply, None);
        }
        Ok(Job::Repair { request, package }) => match blob {
            Some(blob) => {
                let request = with_paste(request);
                let (reply, bytes) = repair_package(&request, &package, &blob);
                post(id, &reply, bytes);
            }
            None => {
                post(id, &Reply::Failed { message: "The package to repair did not reach the worker.".into() }, None)
            }
        },
        Err(e) => {
            let message = format!("The page and its worker do not understand each other ({e}); reload the page.");
            post(id, &Reply::Failed { message }, None);
        }
    }
}

/// Diagnoses the paste and the package, reusing the kept inspection when the package, platform
/// and start spec are those it was made for.
fn diagnose(id: f64, request: &Request, package: Option<(PackageRef, Blob)>) -> Reply {
    let plan = match Plan::new(request, package.is_some()) {
        Ok(plan) => plan,
        Err(e) => return Reply::Failed { message: capitalized(&e.to_string()) },
    };
    let mut progress = Progress::default();
    let mut reused_inspection = false;
    let started = js_sys::Date::now();
    let part = package.map(|(package, blob)| {
        let (platform, start) = plan.package_key();
        let kept = KEPT.with(|k| {
            k.borrow()
                .as_ref()
                .filter(|k| k.generation == package.generation && plan.can_reuse(&k.part, k.platform, &k.start))
                .map(|k| (k.part.clone(), k.stats))
        });
        // A reused inspection reports what reading the file cost when it was made.
        let (part, stats) = match kept {
            Some(kept) => {
                reused_inspection = true;
                kept
            }
            None => {
                let (part, stats) = inspect_blob(id, &plan, &package, blob);
                let kept =
                    Kept { generation: package.generation, platform, start: start.clone(), part: part.clone(), stats };
                KEPT.with(|k| *k.borrow_mut() = Some(kept));
                (part, stats)
            }
        };
        progress.bytes_read = stats.bytes;
        progress.reads = stats.reads;
        progress.read_ms = stats.read_ms as u32;
        part
    });
    let inspected = js_sys::Date::now();
    let report = plan.assemble(part);
    let paste = request.error_text.as_deref().filter(|p| !p.trim().is_empty());
    let links =
        Links { plain: make_link(&report, paste, false), with_paste: paste.map(|p| make_link(&report, Some(p), true)) };
    progress.memory = memory_bytes();
    progress.inspect_ms = (inspected - started) as u32;
    progress.assemble_ms = (js_sys::Date::now() - inspected) as u32;
    Reply::Diagnosed { report: Box::new(report), links, progress, reused_inspection }
}

/// Inspects the dropped file through a lazy reader, posting progress as it reads.
fn inspect_blob(id: f64, plan: &Plan, package: &PackageRef, blob: Blob) -> (PackagePart, ReadStats) {
    let source = match BlobSource::new(blob) {
        Ok(source) => source,
        Err(e) => {
            let message = format!("The browser could not read {}: {e}", package.name);
            return (PackagePart::Unreadable { message }, ReadStats::default());
        }
    };
    let entries = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let listed = entries.clone();
    let mut last_post = js_sys::Date::now();
    let mut reader: FileReader = RangeReader::new(
        source,
        Box::new(move |stats: ReadStats| {
            let now = js_sys::Date::now();
            if now - last_post >= PROGRESS_EVERY_MS {
                last_post = now;
                post(id, &Reply::Progress(progress_of(stats, listed.get())), None);
            }
        }),
    );
    let mut opened = match Plan::open(&mut reader) {
        Ok(opened) => opened,
        Err(e) => return (PackagePart::Unreadable { message: e.message() }, reader.stats()),
    };
    // Listing the directory is the first thing a large package costs: say how many entries it has.
    entries.set(opened.entries().len() as u64);
    let stats = opened.reader().stats();
    post(id, &Reply::Progress(progress_of(stats, entries.get())), None);
    let part = plan.inspect_opened(&package.name, &mut opened);
    drop(opened);
    (part, reader.stats())
}

/// What a job in progress has read.
fn progress_of(stats: ReadStats, entries: u64) -> Progress {
    Progress { entries, bytes_read: stats.bytes, reads: stats.reads, memory: memory_bytes(), ..Progress::default() }
}

/// Repairs the dropped file read lazily, as the diagnosis reads it, and hands back the repaired
/// zip as a `Blob` made of slices of the dropped file and the new bytes: nothing of the package is
/// copied into memory beyond what the repair reads and writes.
fn repair_package(request: &Request, package: &PackageRef, blob: &Blob) -> (Reply, Option<Blob>) {
    let unreadable = |e: std::io::Error| {
        let message = format!("The browser could not read {}: {e}", package.name);
        (Reply::Failed { message }, None)
    };
    let mut reader: FileReader = match BlobSource::new(blob.clone()) {
        Ok(source) => RangeReader::new(source, Box::new(|_| {})),
        Err(e) => return unreadable(e),
    };
    let repaired = match repair(&mut reader, &package.name, request) {
        Ok(repaired) => repaired,
        Err(e) => return (Reply::Failed { message: capitalized(&e.to_string()) }, None),
    };
    match pieces_blob(&repaired.zip, blob) {
        Ok(out) => (Reply::Repaired { repaired: Box::new(repaired) }, Some(out)),
        Err(_) => (Reply::Failed { message: "The repaired package could not be put together.".into() }, None),
    }
}

/// The repaired zip as one `Blob`: its copied pieces are slices of `original`, its new bytes
/// arrays.
fn pieces_blob(zip: &RepairedZip, original: &Blob) -> Result<Blob, JsValue> {
    let parts = js_sys::Array::new();
    for piece in zip.pieces() {
        match piece {
            Piece::Copy { start, len } => {
                let slice = original.slice_with_f64_and_f64(*start as f64, (start + len) as f64)?;
                parts.push(&slice);
            }
            Piece::New(bytes) => {
                parts.push(&js_sys::Uint8Array::from(bytes.as_slice()));
            }
        }
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/zip");
    Blob::new_with_blob_sequence_and_options(&parts, &options)
}
