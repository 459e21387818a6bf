//! `use_diagnosis`: the page's handle on the engine, which runs in a Web Worker (as in Yew's
//! `web_worker_prime`, over a plain `web_sys::Worker` so that it can be terminated). The main
//! thread only sends jobs, receives reports and renders them.
//!
//! Invariants:
//! - only the answer to the latest diagnosis job is shown (replies carry their job's id);
//! - a job that takes longer than [`TIME_BUDGET_MS`], a worker whose memory passes
//!   [`MEMORY_BUDGET`], a worker that dies, and Cancel all end the same way: the worker is
//!   terminated, a fresh one started, the page says what happened and what was read, and the
//!   pasted error is decoded alone. The package that stopped it is not sent again until the user
//!   drops a file again.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use bootdoctor_core::repair::Repaired;
use bootdoctor_core::report::{Report, Request};
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker};
use yew::prelude::*;

use bootdoctor_web::protocol::{field, Job, Links, PackageRef, Progress, Reply, REPLACEMENT_QUERY, WORKER_SCRIPT};

use crate::app::human_size;
use crate::paste::Paste;

/// Longest a job may run before the worker is stopped (milliseconds).
pub const TIME_BUDGET_MS: u32 = 30_000;

/// Largest worker memory tolerated: past it the worker is stopped before the browser kills it.
pub const MEMORY_BUDGET: u64 = 2 << 30;

/// What the watchdog allows a job: [`TIME_BUDGET_MS`] and [`MEMORY_BUDGET`], unless the page's
/// address lowers them (`?watchdog-ms=…&watchdog-memory=…`, for testing the watchdog itself and
/// for trying a package under tighter limits). A budget can only be lowered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budgets {
    /// Milliseconds a job may run.
    pub time_ms: u32,
    /// Bytes of worker memory a job may reach.
    pub memory: u64,
}

impl Budgets {
    /// The budgets for a page address's query string (`?a=1&b=2`).
    pub fn from_query(query: &str) -> Self {
        let mut budgets = Budgets { time_ms: TIME_BUDGET_MS, memory: MEMORY_BUDGET };
        for pair in query.trim_start_matches('?').split('&') {
            match pair.split_once('=') {
                Some(("watchdog-ms", v)) => {
                    budgets.time_ms = v.parse().map_or(budgets.time_ms, |ms: u32| ms.clamp(1, TIME_BUDGET_MS))
                }
                Some(("watchdog-memory", v)) => {
                    budgets.memory = v.parse().map_or(budgets.memory, |m: u64| m.clamp(1, MEMORY_BUDGET))
                }
                _ => {}
            }
        }
        budgets
    }

    /// `30 s`, `0.3 s`.
    fn time_text(self) -> String {
        if self.time_ms.is_multiple_of(1000) {
            format!("{} s", self.time_ms / 1000)
        } else {
            format!("{} s", f64::from(self.time_ms) / 1000.0)
        }
    }
}

/// A file the page holds: never read on the main thread; the worker reads the slices it needs.
#[derive(Clone)]
pub struct PackageFile {
    /// File name as dropped.
    pub name: String,
    /// Size in bytes.
    pub size: f64,
    /// The file itself.
    pub blob: Blob,
    /// Distinguishes this file from every other the page has held.
    pub generation: u64,
}

impl PartialEq for PackageFile {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

impl PackageFile {
    fn as_ref(&self) -> PackageRef {
        PackageRef { name: self.name.clone(), size: self.size as u64, generation: self.generation }
    }
}

/// A repaired package: the before/after diagnosis and the new zip, kept as a `Blob`.
pub struct RepairedPackage {
    /// What the repair did, with the diagnoses before and after.
    pub repaired: Repaired,
    /// The repaired zip.
    pub blob: Blob,
}

impl PartialEq for RepairedPackage {
    fn eq(&self, other: &Self) -> bool {
        self.repaired == other.repaired
    }
}

/// Why a job ended without an answer.
#[derive(Clone, PartialEq)]
pub struct Stopped {
    /// One or two sentences for the user.
    pub message: String,
}

/// Everything the page shows about the engine's work.
#[derive(Clone, PartialEq, Default)]
pub struct DiagnosisState {
    /// Id of the latest diagnosis job; replies to older ones are ignored.
    latest: u64,
    /// A diagnosis job is under way, or an edit waits to be sent: the shown report is not the
    /// answer to the current inputs (`aria-busy` on the report).
    pub working: bool,
    /// An edit of the paste waits out its debounce: the answer to the job before it does not end
    /// `working`.
    edit_waiting: bool,
    /// The running job reads the package (the drop zone shows progress and Cancel): a new
    /// package, or one the worker reports reading; not an edit of the paste answered from what the
    /// worker kept. False when no job runs.
    pub reading_package: bool,
    /// How far it has got.
    pub progress: Option<Progress>,
    /// The latest report, with the paste it was made from.
    pub report: Option<Rc<Report>>,
    /// The head of the paste the report was made from.
    pub report_paste: AttrValue,
    /// The report's share links.
    pub links: Option<Rc<Links>>,
    /// What reading the package cost for the shown report.
    pub cost: Option<Progress>,
    /// The shown report reused the worker's kept inspection (only the paste changed).
    pub reused_inspection: bool,
    /// The request could not be diagnosed at all (unknown platform …).
    pub failure: Option<String>,
    /// The last job was stopped (Cancel, watchdog, worker died).
    pub stopped: Option<Stopped>,
    /// Id of the latest repair job.
    repair_latest: u64,
    /// A repair is under way.
    pub repairing: bool,
    /// The latest repair's result.
    pub repaired: Option<Result<Rc<RepairedPackage>, String>>,
}

/// What changes [`DiagnosisState`].
pub enum Action {
    /// A diagnosis job was sent.
    Started { id: u64, reading_package: bool, keep_stopped: bool },
    /// Inputs changed and a job will follow (the paste is being typed): the report is stale.
    Pending,
    /// Nothing to diagnose: no package, no paste.
    Clear,
    /// The worker reported progress on job `id`.
    Progressed { id: u64, progress: Progress },
    /// Job `id` produced a report; `paste` is the head of the paste it was made from.
    Diagnosed { id: u64, report: Rc<Report>, links: Rc<Links>, paste: AttrValue, cost: Progress, reused: bool },
    /// Job `id` could not be done.
    Failed { id: u64, message: String },
    /// The worker was stopped; the running jobs are gone.
    Stopped(Stopped),
    /// A repair job was sent.
    RepairStarted { id: u64 },
    /// Repair job `id` finished.
    Repaired { id: u64, result: Result<Rc<RepairedPackage>, String> },
    /// A new package or request makes the last repair stale.
    ForgetRepair,
}

impl Reducible for DiagnosisState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Started { id, reading_package, keep_stopped } => {
                s.latest = id;
                s.working = true;
                s.edit_waiting = false;
                s.reading_package = reading_package;
                s.progress = None;
                if !keep_stopped {
                    s.stopped = None;
                }
            }
            Action::Pending if s.working && s.edit_waiting => return self,
            Action::Pending => {
                s.working = true;
                s.edit_waiting = true;
            }
            Action::Clear => {
                s.latest += 1;
                s.working = false;
                s.edit_waiting = false;
                s.report = None;
                s.links = None;
                s.failure = None;
                s.stopped = None;
                s.cost = None;
            }
            Action::Progressed { id, progress } if id == s.latest => {
                // Only reading the file reports progress.
                s.reading_package = true;
                s.progress = Some(progress);
            }
            Action::Diagnosed { id, report, links, paste, cost, reused } if id == s.latest => {
                s.reused_inspection = reused;
                s.working = s.edit_waiting;
                s.reading_package = false;
                s.report = Some(report);
                s.links = Some(links);
                s.report_paste = paste;
                s.cost = Some(cost);
                s.failure = None;
            }
            Action::Failed { id, message } if id == s.latest => {
                s.working = s.edit_waiting;
                s.reading_package = false;
                s.report = None;
                s.links = None;
                s.failure = Some(message);
            }
            Action::Stopped(stopped) => {
                s.working = s.edit_waiting;
                s.reading_package = false;
                s.repairing = false;
                s.stopped = Some(stopped);
            }
            Action::RepairStarted { id } => {
                s.repair_latest = id;
                s.repairing = true;
                s.repaired = None;
            }
            Action::Repaired { id, result } if id == s.repair_latest => {
                s.repairing = false;
                s.repaired = Some(result);
            }
            Action::ForgetRepair => s.repaired = None,
            _ => return self,
        }
        Rc::new(s)
    }
}

/// What a job was, kept until its answer arrives.
#[derive(Clone)]
enum Sent {
    Diagnose { request: Request, paste: Paste, package: Option<PackageFile> },
    Repair,
}

/// The worker's message and error handlers, kept alive as long as it is.
type Handlers = (Closure<dyn FnMut(MessageEvent)>, Closure<dyn FnMut(ErrorEvent)>);

/// The worker and what it has been asked.
struct Bridge {
    dispatch: UseReducerDispatcher<DiagnosisState>,
    worker: Option<Worker>,
    ready: bool,
    queue: Vec<JsValue>,
    next_id: u64,
    outstanding: BTreeMap<u64, Sent>,
    last_progress: Option<Progress>,
    budgets: Budgets,
    watchdog: Option<Timeout>,
    /// The file generation that was stopped: not sent again (a file dropped again is a new
    /// generation, so it is checked again).
    stopped_generation: Option<u64>,
    handlers: Option<Handlers>,
    /// A worker was started before: the next one is a replacement.
    spawned: bool,
    me: Weak<RefCell<Bridge>>,
}

/// The message for job `id`: the job as JSON, and beside it the paste (a JS string, cloned by the
/// browser, never serialized here) and the package's `Blob`.
fn envelope(id: u64, job: &Job, paste: &Paste, blob: Option<&Blob>) -> JsValue {
    let message = js_sys::Object::new();
    let json = serde_json::to_string(job).unwrap_or_default();
    let _ = js_sys::Reflect::set(&message, &"id".into(), &(id as f64).into());
    let _ = js_sys::Reflect::set(&message, &"json".into(), &json.into());
    if !paste.is_blank() {
        let _ = js_sys::Reflect::set(&message, &"paste".into(), paste.text());
    }
    if let Some(blob) = blob {
        let _ = js_sys::Reflect::set(&message, &"blob".into(), blob);
    }
    message.into()
}

impl Bridge {
    /// Starts a worker; messages wait in the queue until it says it is ready. The first one warms
    /// the engine up for the drop to come; a replacement does not (a job is already waiting).
    fn spawn(&mut self) {
        self.ready = false;
        let script =
            if self.spawned { format!("{WORKER_SCRIPT}{REPLACEMENT_QUERY}") } else { WORKER_SCRIPT.to_string() };
        self.spawned = true;
        let worker = match Worker::new(&script) {
            Ok(w) => w,
            Err(_) => {
                self.dispatch.dispatch(Action::Stopped(Stopped {
                    message: "This browser would not start Bootdoctor's background worker, so nothing can be checked. \
                              Reload the page, or use the command line: bootdoctor check function.zip"
                        .into(),
                }));
                return;
            }
        };
        let me = self.me.clone();
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(bridge) = me.upgrade() {
                Bridge::received(&bridge, e.data());
            }
        });
        let me = self.me.clone();
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            if let Some(bridge) = me.upgrade() {
                let detail = e.message();
                let detail = if detail.is_empty() { "the worker failed".to_string() } else { detail };
                bridge.borrow_mut().stop(&format!("stopped: {detail}"));
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        self.handlers = Some((onmessage, onerror));
        self.worker = Some(worker);
    }

    fn send(&mut self, message: JsValue) {
        match (&self.worker, self.ready) {
            (Some(worker), true) => {
                if worker.post_message(&message).is_err() {
                    self.stop("could not be sent to the worker");
                }
            }
            _ => self.queue.push(message),
        }
    }

    /// Sends a job and arms the watchdog.
    fn submit(&mut self, sent: Sent, job: Job, paste: &Paste, blob: Option<&Blob>) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        if self.worker.is_none() {
            self.spawn();
        }
        self.send(envelope(id, &job, paste, blob));
        let was_idle = self.outstanding.is_empty();
        self.outstanding.insert(id, sent);
        if was_idle {
            self.arm();
        }
        id
    }

    fn arm(&mut self) {
        let me = self.me.clone();
        let budgets = self.budgets;
        self.watchdog = Some(Timeout::new(budgets.time_ms, move || {
            if let Some(bridge) = me.upgrade() {
                bridge.borrow_mut().stop(&format!("was stopped after {}, its time budget", budgets.time_text()));
            }
        }));
    }

    fn received(this: &Rc<RefCell<Bridge>>, data: JsValue) {
        let id = field(&data, "id").as_f64().unwrap_or(0.0) as u64;
        let json = field(&data, "json").as_string().unwrap_or_default();
        let reply = match serde_json::from_str::<Reply>(&json) {
            Ok(reply) => reply,
            Err(e) => {
                Reply::Failed { message: format!("The worker's answer could not be read ({e}); reload the page.") }
            }
        };
        let mut bridge = this.borrow_mut();
        match reply {
            Reply::Ready => {
                bridge.ready = true;
                for message in std::mem::take(&mut bridge.queue) {
                    bridge.send(message);
                }
            }
            Reply::Progress(progress) => {
                bridge.last_progress = Some(progress);
                bridge.dispatch.dispatch(Action::Progressed { id, progress });
                let budget = bridge.budgets.memory;
                if progress.memory > budget {
                    bridge.stop(&format!("was stopped: the worker's memory passed {}", human_size(budget as f64)));
                }
            }
            final_reply => {
                let Some(sent) = bridge.outstanding.remove(&id) else { return };
                bridge.last_progress = None;
                if bridge.outstanding.is_empty() {
                    bridge.watchdog = None;
                } else {
                    bridge.arm();
                }
                let action = match (final_reply, sent) {
                    (Reply::Diagnosed { report, links, progress, reused_inspection }, Sent::Diagnose { paste, .. }) => {
                        Action::Diagnosed {
                            id,
                            report: Rc::new(*report),
                            links: Rc::new(links),
                            paste: paste.head(),
                            cost: progress,
                            reused: reused_inspection,
                        }
                    }
                    (Reply::Repaired { repaired }, Sent::Repair) => match field(&data, "blob").dyn_into::<Blob>() {
                        Ok(blob) => {
                            Action::Repaired { id, result: Ok(Rc::new(RepairedPackage { repaired: *repaired, blob })) }
                        }
                        Err(_) => Action::Repaired { id, result: Err("The repaired package did not arrive.".into()) },
                    },
                    (Reply::Failed { message }, Sent::Repair) => Action::Repaired { id, result: Err(message) },
                    (Reply::Failed { message }, Sent::Diagnose { .. }) => Action::Failed { id, message },
                    _ => return,
                };
                // Reading a large answer and drawing it are two tasks, not one: the page stays
                // responsive between them (a 600-finding report: about 60 ms, then its render).
                let dispatch = bridge.dispatch.clone();
                Timeout::new(0, move || dispatch.dispatch(action)).forget();
            }
        }
    }

    /// Terminates the worker (whatever it is doing), starts a fresh one, says why, and decodes
    /// the paste of the stopped diagnosis alone. `what` completes "The check of f.zip …".
    fn stop(&mut self, what: &str) {
        if let Some(worker) = self.worker.take() {
            worker.terminate();
        }
        self.handlers = None;
        self.watchdog = None;
        self.queue.clear();
        let outstanding = std::mem::take(&mut self.outstanding);
        let read = self.last_progress.take();
        let last = outstanding.values().rev().find_map(|s| match s {
            Sent::Diagnose { request, paste, package } => Some((request.clone(), paste.clone(), package.clone())),
            Sent::Repair => None,
        });
        let name = last.as_ref().and_then(|(_, _, p)| p.as_ref()).map(|p| p.name.clone());
        if let Some((_, _, Some(p))) = &last {
            self.stopped_generation = Some(p.generation);
        }
        let subject = match &name {
            Some(name) => format!("The check of {name}"),
            None if outstanding.values().any(|s| matches!(s, Sent::Repair)) => "The repair".to_string(),
            None => "The diagnosis".to_string(),
        };
        let read = read.map(|p| format!(" after reading {}", human_size(p.bytes_read as f64))).unwrap_or_default();
        let after = match &last {
            Some((_, paste, Some(_))) if !paste.is_blank() => {
                " The report below is from the pasted error alone; drop the file again to check it again."
            }
            Some((_, _, Some(_))) => " Nothing of the package was analysed; drop the file again to check it again.",
            _ => "",
        };
        self.dispatch.dispatch(Action::Stopped(Stopped { message: format!("{subject} {what}{read}.{after}") }));
        self.spawn();
        if let Some((request, paste, Some(_))) = last {
            if !paste.is_blank() {
                let job = Job::Diagnose { request: request.clone(), package: None };
                let id =
                    self.submit(Sent::Diagnose { request, paste: paste.clone(), package: None }, job, &paste, None);
                self.dispatch.dispatch(Action::Started { id, reading_package: false, keep_stopped: true });
            }
        }
    }
}

/// The page's handle: the state to render and the three things it can ask.
#[derive(Clone)]
pub struct UseDiagnosis {
    /// What to render.
    pub state: UseReducerHandle<DiagnosisState>,
    bridge: Rc<RefCell<Bridge>>,
}

impl PartialEq for UseDiagnosis {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

impl UseDiagnosis {
    /// Diagnoses `request` with `paste` and `package`, or clears the report when there is neither
    /// a package nor a paste.
    pub fn diagnose(&self, request: Request, paste: Paste, package: Option<PackageFile>) {
        self.submit_diagnosis(request, paste, package, true);
    }

    /// Diagnoses an edit of the paste alone: the worker reuses what it kept of the package, so
    /// the drop zone does not say the package is being checked again.
    pub fn diagnose_paste_edit(&self, request: Request, paste: Paste, package: Option<PackageFile>) {
        self.submit_diagnosis(request, paste, package, false);
    }

    fn submit_diagnosis(&self, request: Request, paste: Paste, package: Option<PackageFile>, package_changed: bool) {
        let paste_given = !paste.is_blank();
        let mut bridge = self.bridge.borrow_mut();
        // A file that had to be stopped is not read again until it is dropped again.
        let stopped = package.as_ref().is_some_and(|p| bridge.stopped_generation == Some(p.generation));
        let package = package.filter(|_| !stopped);
        if package.is_none() && !paste_given {
            bridge.dispatch.dispatch(if stopped { Action::ForgetRepair } else { Action::Clear });
            return;
        }
        let job = Job::Diagnose { request: request.clone(), package: package.as_ref().map(PackageFile::as_ref) };
        let blob = package.as_ref().map(|p| p.blob.clone());
        let reading_package = package.is_some() && package_changed;
        let id = bridge.submit(Sent::Diagnose { request, paste: paste.clone(), package }, job, &paste, blob.as_ref());
        bridge.dispatch.dispatch(Action::Started { id, reading_package, keep_stopped: stopped });
    }

    /// Marks the report stale until the next job's answer (a debounced paste is on its way).
    pub fn pending(&self) {
        self.state.dispatch(Action::Pending);
    }

    /// Repairs `package` for `request` and `paste`; the result arrives in
    /// [`DiagnosisState::repaired`].
    pub fn repair(&self, request: Request, paste: Paste, package: &PackageFile) {
        let mut bridge = self.bridge.borrow_mut();
        let job = Job::Repair { request, package: package.as_ref() };
        let id = bridge.submit(Sent::Repair, job, &paste, Some(&package.blob));
        bridge.dispatch.dispatch(Action::RepairStarted { id });
    }

    /// Stops the running job at once (the worker is terminated and replaced).
    pub fn cancel(&self) {
        self.bridge.borrow_mut().stop("was cancelled");
    }

    /// Drops the last repair result.
    pub fn forget_repair(&self) {
        self.state.dispatch(Action::ForgetRepair);
    }
}

/// The worker behind a hook: created on first use, terminated when the page goes.
#[hook]
pub fn use_diagnosis() -> UseDiagnosis {
    let state = use_reducer(DiagnosisState::default);
    let dispatch = state.dispatcher();
    let bridge = use_memo((), move |_| {
        Rc::new_cyclic(|me| {
            RefCell::new(Bridge {
                dispatch,
                worker: None,
                ready: false,
                queue: Vec::new(),
                next_id: 0,
                outstanding: BTreeMap::new(),
                last_progress: None,
                budgets: Budgets::from_query(
                    &web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default(),
                ),
                watchdog: None,
                stopped_generation: None,
                handlers: None,
                spawned: false,
                me: me.clone(),
            })
        })
    });
    let bridge: Rc<RefCell<Bridge>> = (*bridge).clone();
    {
        let bridge = bridge.clone();
        use_effect_with((), move |_| {
            bridge.borrow_mut().spawn();
            move || {
                if let Some(worker) = bridge.borrow_mut().worker.take() {
                    worker.terminate();
                }
            }
        });
    }
    UseDiagnosis { state, bridge }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The answer to a job does not end `working` while an edit of the paste waits to be sent:
    /// the report shown then is not the answer to what the box holds.
    #[test]
    fn an_answer_leaves_the_page_busy_while_an_edit_waits() {
        let request = Request { error_text: Some("exec format error".into()), ..Request::default() };
        let report =
            Rc::new(bootdoctor_core::report::diagnose(None::<(&str, std::io::Cursor<Vec<u8>>)>, &request).unwrap());
        let link = bootdoctor_core::share::make_link(&report, None, false);
        let links = Rc::new(Links { plain: link, with_paste: None });
        let diagnosed = |id| Action::Diagnosed {
            id,
            report: report.clone(),
            links: links.clone(),
            paste: AttrValue::default(),
            cost: Progress::default(),
            reused: false,
        };
        let started = |id| Action::Started { id, reading_package: true, keep_stopped: false };
        let state = Rc::new(DiagnosisState::default()).reduce(started(1)).reduce(Action::Pending);
        let state = state.reduce(diagnosed(1));
        assert!(state.working, "the edit is still to be sent");
        assert!(!state.reading_package, "the package is not being read while the edit waits");
        assert!(state.report.is_some(), "the answer is shown meanwhile");
        let edit = Action::Started { id: 2, reading_package: false, keep_stopped: false };
        let state = state.reduce(edit);
        assert!(!state.reading_package, "an edit answered from the kept inspection reads nothing");
        let state = state.reduce(Action::Progressed { id: 2, progress: Progress::default() });
        assert!(state.reading_package, "a worker that has to read the package again says so");
        let state = state.reduce(diagnosed(2));
        assert!(!state.working, "the answer to the edit ends it");
        let state = state.reduce(Action::Pending).reduce(Action::Clear);
        assert!(!state.working, "nothing left to diagnose");
    }

    #[test]
    fn the_address_can_only_lower_the_budgets() {
        let defaults = Budgets { time_ms: TIME_BUDGET_MS, memory: MEMORY_BUDGET };
        assert_eq!(Budgets::from_query(""), defaults);
        assert_eq!(Budgets::from_query("?watchdog-ms=300&x=1"), Budgets { time_ms: 300, ..defaults });
        assert_eq!(Budgets::from_query("?watchdog-memory=1000000"), Budgets { memory: 1_000_000, ..defaults });
        assert_eq!(Budgets::from_query("?watchdog-ms=999999999&watchdog-memory=99999999999999"), defaults);
        assert_eq!(Budgets::from_query("?watchdog-ms=0&watchdog-memory=abc"), Budgets { time_ms: 1, ..defaults });
        assert_eq!(Budgets::from_query("?watchdog-ms=300").time_text(), "0.3 s");
        assert_eq!(defaults.time_text(), "30 s");
    }
}
