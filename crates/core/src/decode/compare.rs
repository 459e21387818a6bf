//! Context comparisons: facts that decide a cause only when read together, whichever vendor
//! printed them and on whichever lines they sit.
//!
//! - the address and port a server log says it listens on, against the port the platform probed;
//! - the module an import error says is missing, against the module the handler names;
//! - a Node `Cannot find module` against who required it (the runtime loading the handler, or the
//!   user's own code loading a dependency);
//! - an exec of a file that is not called `bootstrap` (Go's `go1.x` handler names the binary): a
//!   name that does not match, a missing binary or its loader — not a script's CRLF;
//! - a Python `KeyError` against the shape of its key (an `UPPER_SNAKE` name read from
//!   `os.environ` is a missing setting, not a bug in the data);
//! - an exec `no such file or directory` against the file's kind (a `.sh` script's interpreter is
//!   missing — CRLF or a wrong `#!` — not an ELF loader);
//! - an `EACCES` against what was done to the file (a source file *opened* for reading is not
//!   readable; nothing tried to execute it);
//! - a missing Python module against its name (`pkg._ext`, `_cffi_backend`: a compiled extension
//!   that is in the package but built for another platform or Python, not a missing dependency);
//! - a refused connection against its address (a database port on loopback: the host setting is
//!   missing, so the client's `localhost` default was used).
//!
//! Each comparison yields [`Verdict`]s: a cause raised (with the lines it rests on) or held down.

use super::facts::{prefix, Haystack};
use crate::ids;

/// What a comparison concluded about one cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Cause id.
    pub cause: &'static str,
    /// Raised to at least this confidence, or (when `cap`) held to at most it.
    pub confidence: u8,
    /// True: an upper bound (the comparison rules the cause out); false: a lower bound.
    pub cap: bool,
    /// Why, in words, with the compared values.
    pub because: String,
    /// The lines compared, as pasted.
    pub evidence: Vec<String>,
}

impl Verdict {
    fn raise(cause: &'static str, confidence: u8, because: String, evidence: Vec<String>) -> Self {
        Verdict { cause, confidence, cap: false, because, evidence }
    }

    fn cap(cause: &'static str, confidence: u8, because: String, evidence: Vec<String>) -> Self {
        Verdict { cause, confidence, cap: true, because, evidence }
    }

    /// The same reason raising several causes, each to its own confidence.
    fn raise_all(causes: &[(&'static str, u8)], because: &str, evidence: &[String]) -> Vec<Self> {
        causes
            .iter()
            .map(|&(cause, confidence)| Verdict::raise(cause, confidence, because.to_string(), evidence.to_vec()))
            .collect()
    }
}

/// Most lines a comparison reads; a paste's decisive lines are not beyond a few thousand.
const MAX_LINES: usize = 20_000;

/// Words after which a server log names the address it listens on.
const LISTEN_WORDS: &[&str] = &[
    "listening on",
    "listening at",
    "listening to",
    "listen on",
    "running on",
    "started on",
    "serving on",
    "serving at",
    "started at",
    "server started",
    "server is running",
    "bound to",
    "binding to",
    "booting worker",
    "now listening",
];

/// Words that mark a line as the platform probing a port.
const PROBE_WORDS: &[&str] = &[
    "health check",
    "healthcheck",
    "probe",
    "ping ca",
    "dial tcp",
    "failed to start and listen",
    "expected address",
    "refused connection",
    "failed to bind",
    "port scan",
    "no open ports",
    "readiness",
    "port=",
    "健康检查",
];

/// Every comparison over the paste.
pub fn compare(text: &Haystack<'_>) -> Vec<Verdict> {
    let mut verdicts = Vec::new();
    verdicts.extend(listen_against_probe(text));
    verdicts.extend(import_against_handler(text));
    verdicts.extend(node_require_origin(text));
    verdicts.extend(key_error_on_setting(text));
    verdicts.extend(exec_of_a_named_binary(text));
    verdicts.extend(import_of_a_native_module(text));
    verdicts.extend(root_module_missing(text));
    verdicts.extend(missing_file_is_a_command(text));
    verdicts.extend(exec_of_a_script(text));
    verdicts.extend(source_file_not_readable(text));
    verdicts.extend(compiled_module_missing(text));
    verdicts.extend(loopback_service_refused(text));
    verdicts.extend(module_attribute_missing(text));
    verdicts.extend(stdlib_name_not_importable(text));
    verdicts.extend(exec_of_an_assignment(text));
    verdicts.extend(extension_not_executable(text));
    verdicts.extend(loopback_said_in_words(text));
    verdicts
}

/// Ports of services a function connects to (databases, caches, queues) that never run inside a
/// function instance.
const SERVICE_PORTS: &[u16] = &[3306, 5432, 6379, 27017, 1433, 1521, 5984, 9042, 9200, 11211, 5672, 33060];

/// `connect ECONNREFUSED 127.0.0.1:5432`: the code connected to a database or cache on the
/// instance itself, where none runs — its host setting is missing, so the client's default
/// (`localhost`) was used.
fn loopback_service_refused(text: &Haystack<'_>) -> Vec<Verdict> {
    for (lower, raw) in lines(text) {
        let Some(at) = ["econnrefused", "connection refused", "could not connect to server"]
            .iter()
            .filter_map(|w| lower.find(w))
            .min()
        else {
            continue;
        };
        let Some(address) = address_in(&lower[at..]) else { continue };
        if !address.loopback() || !SERVICE_PORTS.contains(&address.port) {
            continue;
        }
        let evidence = vec![quoted_line(raw)];
        return Verdict::raise_all(
            &[(ids::CONFIG_MISSING, 76), (ids::NETWORK_UNREACHABLE, 50)],
            &format!(
                "The code connected to port {} on the instance itself, a database or cache port: no such service runs inside a function, so its host setting is missing and the client fell back to localhost.",
                address.port
            ),
            &evidence,
        );
    }
    Vec::new()
}

/// The last component of a missing Python module, when it names a compiled extension: a private
/// (`_`-prefixed, not dunder) module such as `psycopg2._psycopg` or `_cffi_backend`.
fn compiled_extension(module: &str) -> Option<&str> {
    let last = module.rsplit('.').next()?;
    (last.len() > 1 && last.starts_with('_') && !last.starts_with("__")).then_some(last)
}

/// Python: `No module named 'psycopg2._psycopg'` — the package is there but its compiled part did
/// not load: built for another platform (macOS, Windows, musl, another CPU) or another Python.
fn compiled_module_missing(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((module, raw)) = lines(text).find_map(|(l, r)| name_after(l, r, "no module named").map(|m| (m, r))) else {
        return Vec::new();
    };
    let Some(extension) = compiled_extension(&module) else { return Vec::new() };
    let evidence = vec![quoted_line(raw)];
    let mut verdicts = Verdict::raise_all(
        &[(ids::NATIVE_ADDON_WRONG_PLATFORM, 86), (ids::RUNTIME_VERSION_MISMATCH, 72)],
        &format!(
            "'{extension}' in '{module}' is a compiled extension: the package that holds it is installed, but its binary was built for another platform or Python version, so Python finds no loadable module by that name."
        ),
        &evidence,
    );
    verdicts.push(Verdict::cap(
        ids::DEPENDENCIES_MISSING,
        60,
        format!("Less likely: '{module}' is the compiled part of a package that is there, not a package left out."),
        evidence,
    ));
    verdicts
}

/// Extensions of files an interpreter reads rather than the kernel executes.
const SOURCE_EXTENSIONS: &[&str] = &[".js", ".mjs", ".cjs", ".ts", ".py", ".json", ".rb", ".php", ".pyc", ".jar"];

/// `EACCES: permission denied, open '/var/task/index.js'` or Python's `[Errno 13] Permission denied:
/// '/var/task/app.py'`: a source file was opened for reading and refused — the runtime's user cannot
/// read it (stored 0600/0640), which no execute bit would change.
fn source_file_not_readable(text: &Haystack<'_>) -> Vec<Verdict> {
    for (lower, raw) in lines(text) {
        let marker = ["permission denied, open", "eacces, permission denied", "[errno 13] permission denied:"]
            .into_iter()
            .find(|m| lower.contains(m));
        let Some(marker) = marker else { continue };
        let Some(path) = name_after(lower, raw, marker) else { continue };
        let lower_path = path.to_ascii_lowercase();
        if !SOURCE_EXTENSIONS.iter().any(|e| lower_path.ends_with(e)) {
            continue;
        }
        let evidence = vec![quoted_line(raw)];
        return vec![
            Verdict::raise(
                ids::NOT_READABLE,
                86,
                format!("'{path}' was opened for reading and refused: the user the function runs as cannot read it (a mode such as 0600 or 0640 in the zip)."),
                evidence.clone(),
            ),
            Verdict::cap(
                ids::EXEC_BIT_MISSING,
                45,
                format!("Less likely: '{path}' is read by the runtime, not executed, so an execute bit is not what it lacks."),
                evidence,
            ),
        ];
    }
    Vec::new()
}

/// `exec /docker-entrypoint.sh: no such file or directory` for a file that exists: a `.sh` script
/// whose `#!` interpreter is missing — most often `/bin/sh\r` from CRLF line ends — not an ELF
/// binary's loader.
fn exec_of_a_script(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((lower, raw)) = lines(text).find(|(l, _)| {
        l.contains("no such file or directory") && (l.contains("exec ") || l.contains("exec: ")) && l.contains(".sh")
    }) else {
        return Vec::new();
    };
    let Some(path) = ["fork/exec ", "exec: ", "exec "].iter().find_map(|m| name_after(lower, raw, m)) else {
        return Vec::new();
    };
    if !path.ends_with(".sh") {
        return Vec::new();
    }
    let evidence = vec![quoted_line(raw)];
    let mut verdicts = Verdict::raise_all(
        &[(ids::CRLF_SHEBANG, 80), (ids::SHEBANG_INTERPRETER_MISSING, 64)],
        &format!(
            "'{path}' is a shell script: exec reports 'no such file or directory' for a script that exists when its #! interpreter does not — '/bin/sh\\r' from CRLF line ends, or a shell the image lacks."
        ),
        &evidence,
    );
    verdicts.push(Verdict::cap(
        ids::ELF_INTERPRETER_MISSING,
        45,
        format!("Less likely: '{path}' is a script, not an ELF binary with a loader."),
        evidence,
    ));
    verdicts
}

/// "the file node is not exist": a "file" named like a bare command (no path, no extension) is a
/// program the start command names that the image does not have on PATH.
fn missing_file_is_a_command(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((lower, raw)) = lines(text)
        .find(|(l, _)| l.contains("the file ") && (l.contains("is not exist") || l.contains("does not exist")))
    else {
        return Vec::new();
    };
    let Some(name) = name_after(lower, raw, "the file ") else { return Vec::new() };
    if name.contains(['/', '.', '\\'])
        || name.len() > 40
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Vec::new();
    }
    vec![Verdict::raise(
        ids::COMMAND_NOT_FOUND,
        82,
        format!("'{name}' is a command, not a file of the package: the start command runs it, and the image has no '{name}' on its PATH (or under that name)."),
        vec![quoted_line(raw)],
    )]
}

/// Node: `Cannot find module '/var/task/index'` — a file right at the code root, that the platform
/// itself looked for (no start command of the user's names it): the classic cause is a zip whose
/// files sit inside a folder, so the root holds only that folder.
fn root_module_missing(text: &Haystack<'_>) -> Vec<Verdict> {
    if text.find("start command").is_some() {
        return Vec::new();
    }
    let Some((lower, raw)) = lines(text).find(|(l, _)| l.contains("cannot find module '/")) else {
        return Vec::new();
    };
    let Some(path) = name_after(lower, raw, "cannot find module") else { return Vec::new() };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // `/var/task/index`, `/code/index`, `/nodejsAction/x`: a root of one or two levels, then a name.
    if !(2..=3).contains(&segments.len()) || segments.iter().any(|s| s.is_empty() || *s == "node_modules") {
        return Vec::new();
    }
    vec![Verdict::raise(
        ids::ENTRY_NESTED,
        91,
        format!("'{path}' is a file right at the code root that the platform looked for itself: most often the zip holds a folder around the files, so the root has none of them."),
        vec![quoted_line(raw)],
    )]
}

/// Module names a function's own entry file conventionally has (the platforms' default handler
/// files and the usual web-app modules).
const ENTRY_MODULES: &[&str] = &[
    "main",
    "app",
    "index",
    "handler",
    "handlers",
    "lambda_function",
    "function",
    "functions",
    "wsgi",
    "asgi",
    "server",
    "application",
];

/// Standard-library modules that lost or gained attributes between Python versions
/// (`collections.MutableMapping`, `time.clock`, `asyncio.coroutine`, `inspect.getargspec` …).
const STDLIB_MODULES: &[&str] = &[
    "collections",
    "typing",
    "asyncio",
    "inspect",
    "time",
    "os",
    "sys",
    "ssl",
    "base64",
    "importlib",
    "html",
    "string",
    "json",
    "re",
    "datetime",
    "threading",
    "socket",
    "platform",
    "math",
    "gettext",
    "cgi",
    "imp",
    "pkgutil",
    "locale",
    "distutils",
    "abc",
    "functools",
    "itertools",
    "enum",
    "dataclasses",
    "contextlib",
    "logging",
    "http",
    "urllib",
    "email",
    "xml",
    "pathlib",
    "subprocess",
    "signal",
    "hashlib",
    "random",
    "uuid",
    "zipfile",
    "shutil",
    "tempfile",
    "io",
    "codecs",
];

/// The top-level package of a dotted Python module name, lowercase (`Flask.typing` → `flask`).
fn top_level(module: &str) -> String {
    module.split('.').next().unwrap_or(module).to_ascii_lowercase()
}

/// Python: "AttributeError: module 'X' has no attribute 'Y'". Which module X is decides the
/// cause: the function's own entry module means the handler names a function that is not there; a
/// standard-library module means code written for another Python version; any other module is a
/// library whose installed version lacks what the code or another package expects.
fn module_attribute_missing(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((lower, raw)) = lines(text).find(|(l, _)| l.contains("has no attribute") && l.contains("module '")) else {
        return Vec::new();
    };
    let Some(module) = name_after(lower, raw, "module '") else { return Vec::new() };
    let top = top_level(&module);
    let evidence = vec![quoted_line(raw)];
    if ENTRY_MODULES.contains(&top.as_str()) {
        return vec![Verdict::raise(
            ids::HANDLER_MISNAMED,
            84,
            format!("'{module}' is the function's own entry module: the function the handler setting names is not defined in it (its name, or a typo)."),
            evidence,
        )];
    }
    let not_handler = Verdict::cap(
        ids::HANDLER_MISNAMED,
        30,
        format!(
            "Unlikely: '{module}' is not the function's own module, so the handler setting is not what is missing."
        ),
        evidence.clone(),
    );
    if STDLIB_MODULES.contains(&top.as_str()) {
        let mut verdicts = Verdict::raise_all(
            &[(ids::RUNTIME_VERSION_MISMATCH, 76), (ids::INCOMPATIBLE_PACKAGES, 62)],
            &format!("'{module}' is part of Python's standard library, whose attributes change between Python versions: the code (or a package) was written for another version than the runtime's."),
            &evidence,
        );
        verdicts.push(not_handler);
        return verdicts;
    }
    vec![
        Verdict::raise(
            ids::INCOMPATIBLE_PACKAGES,
            84,
            format!("'{module}' is a library: the installed version does not have what the code or another package uses — the versions installed do not fit each other."),
            evidence,
        ),
        not_handler,
    ]
}

/// Python: "cannot import name 'X' from 'Y'" where Y is the standard library: the code (or a
/// package) was written for another Python version (`Mapping` left `collections` in 3.10).
fn stdlib_name_not_importable(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((lower, raw)) = lines(text).find(|(l, _)| l.contains("cannot import name") && l.contains("' from '"))
    else {
        return Vec::new();
    };
    let Some(module) = name_after(lower, raw, "' from '") else { return Vec::new() };
    let top = top_level(&module);
    if !STDLIB_MODULES.contains(&top.as_str()) {
        return Vec::new();
    }
    vec![Verdict::raise(
        ids::RUNTIME_VERSION_MISMATCH,
        84,
        format!("'{module}' is part of Python's standard library, and names move or go between Python versions: the code or a package was written for another version than the runtime's."),
        vec![quoted_line(raw)],
    )]
}

/// Whether `word` reads as a shell variable assignment (`PORT=8080`, `host=0.0.0.0`).
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else { return false };
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// The start command's first word is an assignment (`PORT=8080 node app.js`) and the platform
/// tried to execute it: the command is run without a shell (exec form), so nothing sets the
/// variable or expands the rest.
fn exec_of_an_assignment(text: &Haystack<'_>) -> Vec<Verdict> {
    const MARKERS: &[&str] = &["the executable ", "exec: ", "executable file not found", "failed to spawn command: "];
    for (lower, raw) in lines(text) {
        if !MARKERS.iter().any(|m| lower.contains(m)) {
            continue;
        }
        let named = ["the executable ", "exec: ", "failed to spawn command: "]
            .iter()
            .find_map(|m| name_after(lower, raw, m).filter(|n| is_assignment(n)));
        if let Some(word) = named {
            return vec![Verdict::raise(
                ids::ENV_NOT_EXPANDED,
                84,
                format!("The platform tried to execute '{word}', a variable assignment: the start command runs without a shell, so an assignment in front of the command is taken for the program's name. Set the variable in the platform's settings, or wrap the command in sh -c."),
                vec![quoted_line(raw)],
            )];
        }
    }
    Vec::new()
}

/// Lambda: an extension in `/opt/extensions/` that cannot be executed "because it does not exist".
/// Lambda starts the extensions it *lists* in that directory, so the file is there: what is
/// missing is what it needs to run — its `#!` interpreter (or a CRLF line end after it), or its
/// ELF loader.
fn extension_not_executable(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((_, raw)) =
        lines(text).find(|(l, _)| l.contains("/opt/extensions/") && l.contains("no such file or directory"))
    else {
        return Vec::new();
    };
    let evidence = vec![quoted_line(raw)];
    let because = "Lambda runs the extensions it finds in /opt/extensions, so this file exists: 'no such file' is about what it needs to start — the interpreter its #! line names (or that line ending in a Windows CR), or its ELF loader.";
    let mut verdicts = Verdict::raise_all(
        &[(ids::CRLF_SHEBANG, 72), (ids::ELF_INTERPRETER_MISSING, 66), (ids::SHEBANG_INTERPRETER_MISSING, 62)],
        because,
        &evidence,
    );
    verdicts.push(Verdict::cap(
        ids::ENTRY_MISSING,
        30,
        "Unlikely: Lambda found the extension by listing /opt/extensions, so the file is there.".to_string(),
        evidence,
    ));
    verdicts
}

/// In words, not a log line: "listening on 127.0.0.1 instead of 0.0.0.0" (no port to compare).
fn loopback_said_in_words(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((_, raw)) = lines(text).find(|(l, _)| {
        (l.contains("127.0.0.1") || l.contains("localhost"))
            && l.contains("0.0.0.0")
            && (l.contains("instead of") || l.contains("rather than") || l.contains("only listening"))
    }) else {
        return Vec::new();
    };
    vec![Verdict::raise(
        ids::LISTEN_LOCALHOST,
        82,
        "The text says the server listens on the loopback address rather than on all interfaces (0.0.0.0): the platform's health check comes from outside the instance and cannot reach it.".to_string(),
        vec![quoted_line(raw)],
    )]
}

/// Python: the handler's import failing with a loader message (`cannot open shared object file`,
/// `invalid ELF header`) means a compiled module in the package was built elsewhere (Alpine's musl,
/// macOS, another CPU) — the runtime's own loader is fine, since it is running Python.
fn import_of_a_native_module(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((_, raw)) = lines(text).find(|(l, _)| {
        l.contains("unable to import module")
            && (l.contains("cannot open shared object file") || l.contains("invalid elf header"))
    }) else {
        return Vec::new();
    };
    let evidence = vec![quoted_line(raw)];
    vec![
        Verdict::raise(
            ids::NATIVE_ADDON_WRONG_PLATFORM,
            86,
            "The handler's import failed in the dynamic loader: a compiled module in the package was built for another platform (musl, macOS, another CPU) or needs a library only that platform has.".to_string(),
            evidence.clone(),
        ),
        Verdict::cap(ids::ELF_INTERPRETER_MISSING, 45, "Less likely: the runtime itself runs (it is Python importing a module), so its loader is present.".to_string(), evidence),
    ]
}

/// `fork/exec <path>: no such file or directory` where the file is not a `bootstrap` script: the
/// platform ran the binary the handler names, so the name, the file or its ELF loader is missing;
/// a CRLF `#!` line (a script's failure) is unlikely.
fn exec_of_a_named_binary(text: &Haystack<'_>) -> Vec<Verdict> {
    let Some((lower, raw)) =
        lines(text).find(|(l, _)| l.contains("fork/exec ") && l.contains("no such file or directory"))
    else {
        return Vec::new();
    };
    let Some(path) = name_after(lower, raw, "fork/exec ") else { return Vec::new() };
    let file = path.rsplit('/').next().unwrap_or(&path);
    if file.is_empty() || file.eq_ignore_ascii_case("bootstrap") || file.ends_with(".sh") {
        return Vec::new();
    }
    let evidence = vec![quoted_line(raw)];
    let because = format!(
        "The platform executed '{path}', a binary the handler names (not a bootstrap script): either that name does not match the file in the package, the file is missing, or it is a dynamically linked binary whose loader the image lacks."
    );
    let mut verdicts = Verdict::raise_all(
        &[(ids::ENTRY_MISSING, 70), (ids::HANDLER_MISNAMED, 68), (ids::ELF_INTERPRETER_MISSING, 66)],
        &because,
        &evidence,
    );
    verdicts.push(Verdict::cap(
        ids::CRLF_SHEBANG,
        45,
        format!("Less likely: '{file}' is run as a binary, not a #! script."),
        evidence,
    ));
    verdicts
}

/// Whether `key` looks like an environment variable's name: upper case, digits and `_`, with a `_`
/// or at least four letters (`DATABASE_URL`, `TOKEN`), not a word like `ID`.
fn setting_name(key: &str) -> bool {
    key.len() >= 4
        && key.len() <= 80
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Python: a `KeyError` whose key is an environment variable's name (or raised reading
/// `os.environ`) means a setting the function does not have.
fn key_error_on_setting(text: &Haystack<'_>) -> Vec<Verdict> {
    let lower = text.lower();
    let Some(at) = lower.find("keyerror") else { return Vec::new() };
    let environ = lower.contains("os.environ") || lower.contains("environ[");
    // The key: quoted right after `KeyError:`, or the quoted message of an envelope nearby.
    let window_start = at.saturating_sub(300);
    let window = prefix(&text.raw[super::facts::char_floor(text.raw, window_start)..], 700);
    let key = window.split(['\'', '"']).map(str::trim).find(|k| setting_name(k));
    if key.is_none() && !environ {
        return Vec::new();
    }
    let key = key.unwrap_or("an environment variable");
    let line = lines(text).find(|(l, _)| l.contains("keyerror")).map(|(_, raw)| quoted_line(raw)).unwrap_or_default();
    vec![Verdict::raise(
        ids::CONFIG_MISSING,
        if environ { 82 } else { 76 },
        format!("The code looked up {key} and it is not set: a KeyError on a setting's name means the function's configuration lacks it, not that the code is wrong."),
        vec![line],
    )]
}

/// An address and port a line names: `http://127.0.0.1:8000`, `0.0.0.0:9000`, `localhost:3000`,
/// `[::]:8080`, `port 8080`, `PORT=8080`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    host: Option<String>,
    port: u16,
}

impl Address {
    fn loopback(&self) -> bool {
        self.host.as_deref().is_some_and(|h| matches!(h, "127.0.0.1" | "localhost" | "::1" | "[::1]" | "127.0.1.1"))
    }
}

/// The port a probe line names: after `port` first (a probe line often starts with a timestamp),
/// else in an address.
fn probed_port(s: &str) -> Option<u16> {
    for marker in ["port ", "port=", "port: ", "port:"] {
        if let Some(at) = s.find(marker) {
            let digits: String = s[at + marker.len()..].chars().take_while(char::is_ascii_digit).take(6).collect();
            if let Ok(port) = digits.parse::<u16>() {
                return Some(port);
            }
        }
    }
    address_in(s).map(|a| a.port)
}

/// The first address in `s` (already lowercase). A "host" of digits only is a clock (`08:11:02`).
fn address_in(s: &str) -> Option<Address> {
    let bytes = s.as_bytes();
    for (i, _) in s.match_indices(':') {
        let digits: String = s[i + 1..].chars().take_while(char::is_ascii_digit).take(6).collect();
        let Ok(port) = digits.parse::<u16>() else { continue };
        if digits.len() < 2 || s[i + 1 + digits.len()..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        let start = s[..i]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':')))
            .map_or(0, |(p, c)| p + c.len_utf8());
        let host = s[start..i].trim_start_matches("//").trim_start_matches(':');
        if (host.is_empty() && i > 0 && bytes[i - 1].is_ascii_alphabetic())
            || !host.is_empty() && host.bytes().all(|b| b.is_ascii_digit() || b == b':')
        {
            continue;
        }
        let host = (!host.is_empty()).then(|| host.to_string());
        return Some(Address { host, port });
    }
    for marker in ["port ", "port=", "port: "] {
        if let Some(at) = s.find(marker) {
            let digits: String = s[at + marker.len()..].chars().take_while(char::is_ascii_digit).take(6).collect();
            if let Ok(port) = digits.parse::<u16>() {
                return Some(Address { host: None, port });
            }
        }
    }
    None
}

/// The paste's lines, lowercased and as pasted, at most [`MAX_LINES`].
pub(super) fn lines<'a>(text: &'a Haystack<'_>) -> impl Iterator<Item = (&'a str, &'a str)> {
    text.lower().lines().zip(text.raw.lines()).take(MAX_LINES)
}

fn quoted_line(raw: &str) -> String {
    prefix(raw.trim(), 240).to_string()
}

/// A server that says where it listens, against the port the platform probed.
fn listen_against_probe(text: &Haystack<'_>) -> Vec<Verdict> {
    let mut listen: Option<(Address, String)> = None;
    let mut probe: Option<(u16, String)> = None;
    for (lower, raw) in lines(text) {
        if listen.is_none() {
            if let Some(at) = LISTEN_WORDS.iter().filter_map(|w| lower.find(w).map(|i| i + w.len())).min() {
                if let Some(a) = address_in(&lower[at..]).filter(|a| a.host.is_some() || a.port > 0) {
                    listen = Some((a, quoted_line(raw)));
                    continue;
                }
            }
        }
        if probe.is_none() && PROBE_WORDS.iter().any(|w| lower.contains(w)) {
            if let Some(port) = probed_port(lower) {
                probe = Some((port, quoted_line(raw)));
            }
        }
    }
    let Some((listened, listen_line)) = listen else { return Vec::new() };
    let Some((probed, probe_line)) = probe else { return listen_alone(&listened, listen_line) };
    let evidence = vec![listen_line, probe_line];
    let host = listened.host.clone().unwrap_or_else(|| "all addresses".to_string());
    let mut verdicts = Vec::new();
    if listened.loopback() {
        verdicts.push(Verdict::raise(
            ids::LISTEN_LOCALHOST,
            92,
            format!("The log says the server listens on {host}:{}, which only the instance itself can reach; the platform's check comes from outside.", listened.port),
            evidence.clone(),
        ));
    }
    if listened.port != probed {
        verdicts.push(Verdict::raise(
            ids::LISTEN_WRONG_PORT,
            if listened.loopback() { 80 } else { 92 },
            format!(
                "The log says the server listens on port {}, but the platform probed port {probed}.",
                listened.port
            ),
            evidence.clone(),
        ));
    } else {
        verdicts.push(Verdict::cap(
            ids::LISTEN_WRONG_PORT,
            15,
            format!("Unlikely: the server listens on port {probed}, the port the platform probed."),
            evidence.clone(),
        ));
    }
    if !listened.loopback() && listened.host.is_some() {
        verdicts.push(Verdict::cap(
            ids::LISTEN_LOCALHOST,
            15,
            format!("Unlikely: the server listens on {host}, not only on loopback."),
            evidence,
        ));
    }
    verdicts
}

/// A server that says where it listens, with no probe line to compare: it did start, so what is
/// left is where it listens — a weak lead, strong only for loopback.
fn listen_alone(listened: &Address, line: String) -> Vec<Verdict> {
    let at = format!("{}:{}", listened.host.as_deref().unwrap_or("*"), listened.port);
    if listened.loopback() {
        return vec![Verdict::raise(
            ids::LISTEN_LOCALHOST,
            60,
            format!("The log says the server listens on {at}, which only the instance itself can reach."),
            vec![line],
        )];
    }
    vec![Verdict::raise(
        ids::LISTEN_WRONG_PORT,
        30,
        format!("The server started and listens on {at}; if the platform still reports it unreachable, it expects another port (read it from the PORT variable)."),
        vec![line],
    )]
}

/// The quoted (or bare) name after `marker` on a lowercase line, in its original case.
fn name_after(lower: &str, raw: &str, marker: &str) -> Option<String> {
    let at = lower.find(marker)? + marker.len();
    let rest = raw.get(at..)?.trim_start();
    let rest = rest.trim_start_matches(['\'', '"', '`', '‘', '’']);
    let end = rest.find(|c: char| c.is_whitespace() || "'\"`‘’,:;()".contains(c)).unwrap_or(rest.len());
    let name = rest[..end].trim_end_matches('.');
    (!name.is_empty() && name.len() <= 200).then(|| name.to_string())
}

/// Python: "Unable to import module 'X': No module named 'Y'". When Y is the handler's own module
/// (or the package it sits in), the handler file is not where the runtime looks — a name or
/// folder problem, not a missing dependency.
fn import_against_handler(text: &Haystack<'_>) -> Vec<Verdict> {
    let mut handler = None;
    let mut missing = None;
    for (lower, raw) in lines(text) {
        if handler.is_none() {
            handler = name_after(lower, raw, "unable to import module").map(|n| (n, quoted_line(raw)));
        }
        if missing.is_none() {
            missing = name_after(lower, raw, "no module named").map(|n| (n, quoted_line(raw)));
        }
        if handler.is_some() && missing.is_some() {
            break;
        }
    }
    let (Some((handler, handler_line)), Some((missing, missing_line))) = (handler, missing) else { return Vec::new() };
    let mut evidence = vec![handler_line];
    if !evidence.contains(&missing_line) {
        evidence.push(missing_line);
    }
    let own = missing == handler
        || handler.starts_with(&format!("{missing}."))
        || handler.rsplit(['.', '/']).next() == Some(missing.as_str());
    if own {
        let because = format!(
            "The module that is missing, '{missing}', is the handler's own module '{handler}': the runtime did not find the handler file where the handler setting points (its name, or a folder around it)."
        );
        let mut verdicts = Verdict::raise_all(
            &[(ids::HANDLER_MISNAMED, 82), (ids::ENTRY_NESTED, 72), (ids::ENTRY_MISSING, 66)],
            &because,
            &evidence,
        );
        verdicts.push(Verdict::cap(
            ids::DEPENDENCIES_MISSING,
            25,
            format!("Unlikely: the missing module '{missing}' is the handler itself, not a dependency."),
            evidence,
        ));
        verdicts
    } else if compiled_extension(&missing).is_some() {
        // `compiled_module_missing` reads this one.
        Vec::new()
    } else {
        vec![Verdict::raise(
            ids::DEPENDENCIES_MISSING,
            86,
            format!("The handler module '{handler}' was found, but it imports '{missing}', which is not in the package or the runtime."),
            evidence,
        )]
    }
}

/// Node: "Cannot find module 'X'" required by the runtime's own loader is the handler file;
/// required from the user's code, it is a dependency (or, for a relative path, one of its files).
fn node_require_origin(text: &Haystack<'_>) -> Vec<Verdict> {
    let mut module = None;
    let mut requirer = None;
    let mut in_stack = false;
    for (lower, raw) in lines(text) {
        if module.is_none() {
            module = name_after(lower, raw, "cannot find module").map(|n| (n, quoted_line(raw)));
        }
        if lower.contains("require stack") {
            in_stack = true;
            continue;
        }
        if in_stack && requirer.is_none() {
            if let Some(entry) = lower.trim().strip_prefix("- ") {
                requirer = Some((entry.trim().to_string(), quoted_line(raw)));
            }
        }
        if module.is_some() && requirer.is_some() {
            break;
        }
    }
    let Some((module, module_line)) = module else { return Vec::new() };
    let Some((requirer, requirer_line)) = requirer else { return Vec::new() };
    let evidence = vec![module_line, requirer_line];
    let runtime_loader =
        ["/var/runtime/", "usercodeloader", "userfunction.js", "/opt/nodejs/"].iter().any(|w| requirer.contains(w));
    let relative = module.starts_with("./") || module.starts_with("../") || module.starts_with('/');
    let native = module.ends_with(".node") || module.to_ascii_lowercase().contains("build/release/");
    if native {
        return vec![Verdict::raise(
            ids::NATIVE_ADDON_WRONG_PLATFORM,
            86,
            format!("'{module}' is a compiled add-on ({requirer} loads it): it was not built for this platform, or its install step never ran here."),
            evidence,
        )];
    }
    if runtime_loader {
        let because = format!("The runtime's own loader ({requirer}) could not find '{module}': that is the handler file, not a dependency.");
        let mut verdicts = Verdict::raise_all(
            &[(ids::HANDLER_MISNAMED, 80), (ids::ENTRY_NESTED, 72), (ids::ENTRY_MISSING, 68)],
            &because,
            &evidence,
        );
        verdicts.push(Verdict::cap(
            ids::DEPENDENCIES_MISSING,
            25,
            format!("Unlikely: '{module}' is what the runtime loads as the handler."),
            evidence,
        ));
        verdicts
    } else if relative {
        vec![Verdict::raise(
            ids::IMPORT_PATH_WRONG,
            70,
            format!(
                "Your code ({requirer}) requires its own file '{module}', which is not at that path in the package."
            ),
            evidence,
        )]
    } else {
        vec![Verdict::raise(
            ids::DEPENDENCIES_MISSING,
            86,
            format!(
                "Your code ({requirer}) requires the package '{module}', which is not in the deployed node_modules."
            ),
            evidence,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdicts(text: &str) -> Vec<Verdict> {
        compare(&Haystack::new(text))
    }

    fn raised(text: &str, cause: &str) -> bool {
        verdicts(text).iter().any(|v| v.cause == cause && !v.cap)
    }

    #[test]
    fn loopback_listener_against_a_probe_on_another_line() {
        let text = "INFO:     Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)\n\
                    Default STARTUP TCP probe failed 1 time consecutively for container \"app\" on port 8080.";
        assert!(raised(text, "listen-localhost"));
        assert!(raised(text, "listen-wrong-port"));
    }

    #[test]
    fn right_address_and_port_rule_both_out() {
        let text = "Listening on 0.0.0.0:9000\nFunction instance health check failed on port 9000 in 120 seconds.";
        let v = verdicts(text);
        assert!(v.iter().all(|v| v.cap), "{v:?}");
        let alone = verdicts("Listening on 0.0.0.0:9000");
        assert!(
            alone.iter().all(|v| v.cause == "listen-wrong-port" && v.confidence <= 30),
            "a weak lead only: {alone:?}"
        );
        assert!(raised("Uvicorn running on http://127.0.0.1:8000", "listen-localhost"));
    }

    #[test]
    fn handler_module_missing_is_not_a_dependency() {
        let text =
            "{\"errorMessage\": \"Unable to import module 'lambda_function': No module named 'lambda_function'\"}";
        assert!(raised(text, "handler-misnamed"));
        assert!(verdicts(text).iter().any(|v| v.cause == "dependencies-missing" && v.cap));
        let dep = "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'requests'";
        assert!(raised(dep, "dependencies-missing"));
        assert!(!raised(dep, "handler-misnamed"));
    }

    #[test]
    fn the_module_without_the_attribute_decides_the_cause() {
        let library = "AttributeError: module 'flask' has no attribute 'typing'";
        assert!(raised(library, "incompatible-packages"));
        assert!(verdicts(library).iter().any(|v| v.cause == "handler-misnamed" && v.cap));
        let own = "AttributeError: module 'main' has no attribute 'test'";
        assert!(raised(own, "handler-misnamed"));
        assert!(!raised(own, "incompatible-packages"));
        let stdlib = "AttributeError: module 'collections' has no attribute 'MutableMapping'";
        assert!(raised(stdlib, "runtime-version-mismatch"));
        assert!(verdicts("AttributeError: 'NoneType' object has no attribute 'get'").is_empty());
    }

    #[test]
    fn a_standard_library_name_moved_between_versions() {
        assert!(raised("ImportError: cannot import name 'Mapping' from 'collections' (/var/lang/lib/python3.11/collections/__init__.py)", "runtime-version-mismatch"));
        assert!(verdicts("ImportError: cannot import name 'soft_unicode' from 'markupsafe'").is_empty());
    }

    #[test]
    fn an_assignment_executed_as_a_program() {
        assert!(raised("exec: \"PORT=8080\": executable file not found in $PATH", "env-not-expanded"));
        assert!(raised("The executable host=0.0.0.0 could not be found", "env-not-expanded"));
        assert!(!raised("exec: \"gunicorn\": executable file not found in $PATH", "env-not-expanded"));
    }

    #[test]
    fn a_listed_extension_that_does_not_exist_lacks_its_interpreter() {
        let text = "Error: fork/exec /opt/extensions/datadog-agent: no such file or directory\nExtension.LaunchError";
        assert!(raised(text, "crlf-shebang") && raised(text, "elf-interpreter-missing"));
        assert!(verdicts(text).iter().any(|v| v.cause == "entry-missing" && v.cap));
    }

    #[test]
    fn loopback_named_in_words() {
        assert!(raised("the app was only listening on `127.0.0.1` instead of `0.0.0.0`", "listen-localhost"));
        assert!(!raised("listening on 0.0.0.0", "listen-localhost"));
    }

    #[test]
    fn node_require_stack_tells_handler_from_dependency() {
        let handler = "Error: Cannot find module 'index'\nRequire stack:\n- /var/runtime/UserFunction.js\n- /var/runtime/index.js";
        assert!(raised(handler, "handler-misnamed"));
        let dep =
            "Error: Cannot find module 'express'\nRequire stack:\n- /var/task/app.js\n- /var/runtime/UserFunction.js";
        assert!(raised(dep, "dependencies-missing"));
        let own = "Error: Cannot find module './lib/db'\nRequire stack:\n- /var/task/app.js";
        assert!(raised(own, "import-path-wrong"));
    }

    #[test]
    fn key_error_on_a_setting_name() {
        let envelope = "{\n  \"errorMessage\": \"'DATABASE_URL'\",\n  \"errorType\": \"KeyError\"\n}";
        assert!(raised(envelope, "config-missing"));
        assert!(raised(
            "  File \"app.py\", line 3, in <module>\n    url = os.environ[name]\nKeyError: 'db'",
            "config-missing"
        ));
        assert!(!raised("KeyError: 'id'\n  File \"app.py\", line 9, in handler", "config-missing"));
    }

    #[test]
    fn multibyte_text_around_addresses_and_names() {
        let text = "服务监听在：127.0.0.1:8000\n健康检查失败，端口：9000 port 9000\nKeyError：'键'\n无法导入模块 Unable to import module '模块'：No module named '模块'";
        let _ = verdicts(text);
        assert!(raised("监听 running on 地址127.0.0.1:8000\nhealth check failed on port 9000", "listen-localhost"));
    }

    #[test]
    fn a_named_binary_is_not_a_crlf_script() {
        let go = "{\"errorMessage\": \"fork/exec /var/task/server_lambda: no such file or directory\", \"errorType\": \"PathError\"}";
        assert!(raised(go, "handler-misnamed"));
        assert!(verdicts(go).iter().any(|v| v.cause == "crlf-shebang" && v.cap));
        assert!(verdicts("Error: fork/exec /var/task/bootstrap: no such file or directory").is_empty());
    }

    #[test]
    fn native_modules_from_their_loader_lines() {
        let musl = "Unable to import module 'handler': libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory";
        assert!(raised(musl, "native-addon-wrong-platform"));
        let addon = "Cannot find module '../build/Release/sharp-linux-x64.node'\nRequire stack:\n- /var/task/node_modules/sharp/lib/sharp.js";
        assert!(raised(addon, "native-addon-wrong-platform"));
        assert!(!raised("Unable to import module 'app': No module named 'requests'", "native-addon-wrong-platform"));
    }

    #[test]
    fn a_root_file_the_platform_looked_for_is_usually_wrapped() {
        assert!(raised("{\"errorMessage\": \"Cannot find module '/var/task/index'\"}", "entry-nested"));
        let fc = "exited unexpectedly with start command 'npm run start '.\nError: Cannot find module '/code/not_exist_file.js'";
        assert!(!raised(fc, "entry-nested"), "the user's start command names it");
        assert!(!raised("Cannot find module '/var/task/node_modules/express/index.js'", "entry-nested"));
    }

    #[test]
    fn a_missing_file_named_like_a_command() {
        assert!(raised("{\"Code\":\"CAFileNotFound\",\"Message\":\"Failed to start function instance. Error: the file node is not exist\"}", "command-not-found"));
        assert!(!raised("Error: the file /code/bootstrap is not exist", "command-not-found"));
    }

    #[test]
    fn addresses() {
        assert_eq!(address_in("http://127.0.0.1:8000/").map(|a| a.port), Some(8000));
        assert!(address_in("http://localhost:3000").unwrap().loopback());
        assert_eq!(address_in("[::]:8080").unwrap().port, 8080);
        assert_eq!(address_in("port 9000").unwrap().port, 9000);
        assert_eq!(address_in("at 12:30:01 nothing"), None, "a clock is not an address");
        assert_eq!(probed_port("2024-03-02T08:11:02.120Z health check failed on port 9000"), Some(9000));
    }
}
