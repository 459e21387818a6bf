//! The server contract, read statically from the code the entry runs: where it listens, on which
//! port, and whether it is a server at all. Ids: `listen-localhost`, `listen-wrong-port`, `not-a-server`.
//!
//! Only what the code shows is reported: a literal address or port in a listen call, a framework's
//! documented default when the call gives none, a port variable and its fallback. Each finding
//! quotes the line.

use super::{Ctx, Finding, Severity};
use crate::ids;
use crate::profiles::{Profile, ServerContract};

/// Where a listen call binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// 127.0.0.1 / localhost / ::1, literally or as the framework's default.
    Loopback { default_of: Option<&'static str> },
    /// 0.0.0.0, `::`, `*` or unspecified where the framework binds all interfaces.
    All,
    /// Not visible in the code.
    Unknown,
}

/// Which port a listen call uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Port {
    /// A number in the code, or the framework's default.
    Fixed { port: u16, default_of: Option<&'static str> },
    /// An environment variable, with the fallback the code uses when it is unset.
    Env { name: String, fallback: Option<u16> },
    /// Not visible in the code.
    Unknown,
}

/// One listen call found in the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listen {
    pub path: String,
    pub line: usize,
    pub text: String,
    pub host: Host,
    pub port: Port,
}

/// What the code the entry runs shows about serving.
#[derive(Debug, Default)]
pub(crate) struct ServerEvidence {
    pub listens: Vec<Listen>,
    /// (path, line, text) of event-handler definitions (`def main_handler(event, context)`).
    pub handlers: Vec<(String, usize, String)>,
    /// Executables containing the Lambda runtime API client.
    pub runtime_api_clients: Vec<String>,
    /// The package carries the Lambda Web Adapter (HTTP apps on Lambda).
    pub web_adapter: bool,
    /// (path, text) of every source file read, for other checks that read code.
    pub sources: Vec<(String, String)>,
    /// (path, line, text, program) of start-script commands that call a language runtime by bare name.
    pub bare_runtime_commands: Vec<(String, usize, String, String)>,
    /// (path, line, text, target) of code that writes next to itself (a relative path, not /tmp).
    pub writes: Vec<(String, usize, String, String)>,
    /// (script, command, package path) of files a start script runs that are not in the package.
    pub missing_from_scripts: Vec<(String, String, String)>,
    /// Files of the package a start script executes (by path, as `./server` or `exec bin/app`):
    /// checked as the platform's own entry is.
    pub script_runs: Vec<ScriptRun>,
    /// (path, line, text) of start-script commands that install or build at start-up.
    pub installs: Vec<(String, usize, String)>,
}

/// Commands that install dependencies or build code: slow, networked, and writing to disk.
const INSTALLERS: &[&str] = &[
    "pip install",
    "pip3 install",
    "-m pip install",
    "npm install",
    "npm ci",
    "npm i ",
    "yarn install",
    "pnpm install",
    "composer install",
    "bundle install",
    "apt-get install",
    "yum install",
    "apk add",
    "go build",
    "cargo build",
    "mvn ",
];

/// Language runtimes whose location differs per platform image.
const RUNTIMES: &[&str] = &["python", "node", "java", "php", "ruby", "dotnet", "deno", "bun", "npm", "npx"];

/// The string literal opening at the first quote after `at`, if any.
fn literal_after(line: &str, at: usize) -> Option<String> {
    let rest = &line[at..];
    let start = rest.find(['\'', '"', '`'])?;
    let quote = rest[start..].chars().next()?;
    let body = &rest[start + 1..];
    let end = body.find(quote)?;
    Some(body[..end].to_string())
}

fn relative_write_target(target: &str) -> bool {
    !target.is_empty()
        && !target.starts_with("/tmp")
        && !target.starts_with('/')
        && !target.starts_with('$')
        && !target.starts_with('&')
        && !target.starts_with(':')
        && !target.contains("${")
}

/// Writes to the code directory: `open('x.log', 'w')`, `fs.writeFileSync('./cache.json')`, `mkdir logs`, `> out.log`.
fn scan_writes(path: &str, n: usize, line: &str, evidence: &mut ServerEvidence) {
    let python_open = line.find("open(").filter(|_| {
        ["'w'", "\"w\"", "'a'", "\"a\"", "'wb'", "\"wb\"", "'ab'", "\"ab\"", "'w+'", "mode='w", "mode=\"w"]
            .iter()
            .any(|m| line.contains(m))
    });
    let calls = [
        "FileHandler(",
        "filename=",
        "sqlite3.connect(",
        "os.makedirs(",
        "os.mkdir(",
        "writeFileSync(",
        "writeFile(",
        "appendFileSync(",
        "mkdirSync(",
        "createWriteStream(",
        "dest:",
    ];
    let at = python_open.or_else(|| calls.iter().find_map(|c| line.find(c)));
    let mut target = at.and_then(|a| literal_after(line, a));
    if target.is_none() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.first() == Some(&"mkdir") {
            target = words.iter().skip(1).find(|w| !w.starts_with('-')).map(|w| w.to_string());
        } else if let Some(i) = words.iter().position(|w| *w == ">" || *w == ">>") {
            target = words.get(i + 1).map(|w| w.to_string());
        }
    }
    if let Some(t) = target.filter(|t| relative_write_target(t) && t != ":memory:") {
        evidence.writes.push((path.to_string(), n + 1, line.chars().take(200).collect(), t));
    }
}

/// The first number in `s` that is not part of a dotted one (an address such as `0.0.0.0` or
/// `127.0.0.1`, a version): in `(('0.0.0.0', 9000), H)` and `"127.0.0.1:8080"` the port.
fn first_number(s: &str) -> Option<u16> {
    let bytes = s.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        if !bytes[at].is_ascii_digit() {
            at += 1;
            continue;
        }
        let end = at + bytes[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        let dotted_before = at >= 2 && bytes[at - 1] == b'.' && bytes[at - 2].is_ascii_digit();
        let dotted_after = bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
        if !dotted_before && !dotted_after {
            return s[at..end.min(at + 6)].parse().ok();
        }
        at = end;
    }
    None
}

fn loopback_in(s: &str) -> bool {
    s.contains("127.0.0.1") || s.contains("localhost") || s.contains("'::1'") || s.contains("\"::1\"")
}

fn all_in(s: &str) -> bool {
    s.contains("0.0.0.0") || s.contains("\"::\"") || s.contains("'::'") || s.contains("\"*\"")
}

/// `os.environ.get('PORT', 8080)`, `process.env.PORT || 3000`, `${PORT:-8080}`, `$FC_SERVER_PORT`.
fn env_port(s: &str) -> Option<Port> {
    let markers = ["environ.get(", "environ[", "getenv(", "process.env.", "os.Getenv(", "${", "$"];
    for marker in markers {
        let Some(at) = s.find(marker) else { continue };
        let rest = &s[at + marker.len()..];
        let name: String = rest
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.contains("PORT") {
            continue;
        }
        let after = &rest[rest.find(&name).map(|i| i + name.len()).unwrap_or(0)..];
        let fallback = if let Some(i) =
            after.find("||").or_else(|| after.find(":-")).or_else(|| after.find(',')).or_else(|| after.find(" or "))
        {
            first_number(&after[i..]).filter(|_| i < 12)
        } else {
            None
        };
        return Some(Port::Env { name, fallback });
    }
    None
}

fn port_from(args: &str, default: Option<(u16, &'static str)>) -> Port {
    if let Some(p) = env_port(args) {
        return p;
    }
    if let Some(p) = first_number(args.split_once("port").map(|(_, r)| r).unwrap_or(args)) {
        return Port::Fixed { port: p, default_of: None };
    }
    match default {
        Some((port, framework)) => Port::Fixed { port, default_of: Some(framework) },
        None => Port::Unknown,
    }
}

fn host_from(args: &str, default_loopback: Option<&'static str>) -> Host {
    if loopback_in(args) {
        Host::Loopback { default_of: None }
    } else if all_in(args) {
        Host::All
    } else if let Some(framework) = default_loopback {
        Host::Loopback { default_of: Some(framework) }
    } else {
        Host::Unknown
    }
}

/// A file of the package that a start script executes.
#[derive(Debug, Clone)]
pub(crate) struct ScriptRun {
    /// The script that runs it.
    pub script: String,
    /// What the script's command makes of it (path, command line).
    pub target: crate::entry::Target,
    /// Its entry.
    pub index: usize,
    /// Named by the script's last command, the one a start script ends on: it runs. Earlier
    /// commands may sit in a branch not taken.
    pub certain: bool,
}

/// Reads listen calls and handler definitions out of one source file or start script.
pub(crate) fn scan_source(path: &str, text: &str, evidence: &mut ServerEvidence) {
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') && !line.starts_with("#!") || line.starts_with("//") {
            continue;
        }
        let mut push = |host: Host, port: Port| {
            evidence.listens.push(Listen {
                path: path.to_string(),
                line: n + 1,
                text: line.chars().take(200).collect(),
                host,
                port,
            })
        };
        let words: Vec<&str> = line.split_whitespace().collect();
        let has_flag =
            |flags: &[&str]| words.iter().any(|w| flags.iter().any(|f| w == f || w.starts_with(&format!("{f}="))));
        let flag_value = |flags: &[&str]| {
            words.iter().enumerate().find_map(|(i, w)| {
                flags.iter().find_map(|f| {
                    if *w == *f {
                        words.get(i + 1).map(|v| v.to_string())
                    } else {
                        w.strip_prefix(&format!("{f}=")).map(str::to_string)
                    }
                })
            })
        };
        // Command lines (start scripts).
        let program = words
            .iter()
            .find(|w| !w.contains('=') && **w != "exec")
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .unwrap_or("");
        match program {
            "uvicorn" | "hypercorn" => {
                let host = flag_value(&["--host"])
                    .map(|h| host_from(&h, None))
                    .unwrap_or(Host::Loopback { default_of: Some("uvicorn (default --host 127.0.0.1)") });
                let port = flag_value(&["--port"])
                    .map(|p| port_from(&p, None))
                    .unwrap_or(Port::Fixed { port: 8000, default_of: Some("uvicorn (default --port 8000)") });
                push(host, port);
                continue;
            }
            "gunicorn" => {
                match flag_value(&["-b", "--bind"]) {
                    Some(bind) => push(host_from(&bind, None), port_from(bind.rsplit(':').next().unwrap_or(""), None)),
                    None => push(
                        Host::Loopback { default_of: Some("gunicorn (default bind 127.0.0.1:8000)") },
                        Port::Fixed { port: 8000, default_of: Some("gunicorn (default bind 127.0.0.1:8000)") },
                    ),
                }
                continue;
            }
            "flask" if words.contains(&"run") => {
                let host = flag_value(&["--host", "-h"])
                    .map(|h| host_from(&h, None))
                    .unwrap_or(Host::Loopback { default_of: Some("flask run (default 127.0.0.1)") });
                let port = flag_value(&["--port", "-p"])
                    .map(|p| port_from(&p, None))
                    .unwrap_or(Port::Fixed { port: 5000, default_of: Some("flask run (default port 5000)") });
                push(host, port);
                continue;
            }
            "next" if words.contains(&"start") || words.contains(&"dev") => {
                let host = flag_value(&["-H", "--hostname"]).map(|h| host_from(&h, None)).unwrap_or(Host::All);
                let port = flag_value(&["-p", "--port"])
                    .map(|p| port_from(&p, None))
                    .unwrap_or(Port::Env { name: "PORT".into(), fallback: Some(3000) });
                push(host, port);
                continue;
            }
            "php" if has_flag(&["-S"]) => {
                let addr = flag_value(&["-S"]).unwrap_or_default();
                push(host_from(&addr, None), port_from(addr.rsplit(':').next().unwrap_or(""), None));
                continue;
            }
            _ => {}
        }
        if line.contains("http.server") && (program.starts_with("python") || line.contains("-m http.server")) {
            let after = line.split("http.server").nth(1).unwrap_or("");
            let host = flag_value(&["--bind", "-b"]).map(|h| host_from(&h, None)).unwrap_or(Host::All);
            push(host, port_from(after, Some((8000, "python -m http.server (default port 8000)"))));
            continue;
        }
        if line.contains("ASPNETCORE_URLS=") || line.contains("UseUrls(") || line.contains("--urls") {
            push(host_from(line, None), port_from(line.rsplit(':').next().unwrap_or(""), None));
            continue;
        }
        // Calls in source code.
        if let Some(at) = line.find(".run(").filter(|_| line.contains("app.run(") || line.contains("uvicorn.run(")) {
            let args = &line[at..];
            let (framework_host, framework_port) = if line.contains("uvicorn.run(") {
                ("uvicorn.run (default host 127.0.0.1)", (8000, "uvicorn.run (default port 8000)"))
            } else {
                ("Flask app.run (default host 127.0.0.1)", (5000, "Flask app.run (default port 5000)"))
            };
            push(host_from(args, Some(framework_host)), port_from(args, Some(framework_port)));
            continue;
        }
        if let Some(at) = line.find(".listen(") {
            let args = &line[at + ".listen(".len()..];
            push(host_from(args, None), port_from(args, None));
            continue;
        }
        for call in ["ListenAndServe(", "HTTPServer((", "TCPServer((", "serve_forever", "web.run_app("] {
            if let Some(at) = line.find(call) {
                let args = &line[at + call.len()..];
                let host = if call == "ListenAndServe(" && args.trim_start().starts_with("\":") {
                    Host::All
                } else {
                    host_from(args, None)
                };
                let host = if matches!(call, "HTTPServer((" | "TCPServer((")
                    && (args.starts_with("''") || args.starts_with("\"\""))
                {
                    Host::All
                } else {
                    host
                };
                push(host, port_from(args, None));
                break;
            }
        }
        if line.starts_with("server.port") {
            push(Host::All, port_from(line, None));
        }
        // Event-function handlers.
        let handler = (line.starts_with("def ")
            && (line.contains("(event, context)") || line.contains("(event,context)")))
            || line.contains("exports.handler")
            || line.contains("exports.main_handler")
            || line.starts_with("export const handler")
            || line.starts_with("export async function handler")
            || line.contains("lambda.Start(");
        if handler {
            evidence.handlers.push((path.to_string(), n + 1, line.chars().take(200).collect()));
        }
        scan_writes(path, n, line, evidence);
    }
}

/// Records the start-script commands that call a language runtime by its bare name.
pub(crate) fn scan_script_commands(path: &str, text: &str, evidence: &mut ServerEvidence) {
    for (n, raw) in text.lines().enumerate() {
        for command in crate::entry::script_commands(raw) {
            if INSTALLERS.iter().any(|i| command.contains(i)) {
                evidence.installs.push((path.to_string(), n + 1, raw.trim().chars().take(200).collect()));
            }
            let program = command.split_whitespace().next().unwrap_or("");
            let base: String = program.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            if !program.contains('/') && RUNTIMES.contains(&base.as_str()) {
                evidence.bare_runtime_commands.push((
                    path.to_string(),
                    n + 1,
                    raw.trim().chars().take(200).collect(),
                    base,
                ));
            }
        }
    }
}

/// Runtimes called by bare name where that is known to fail (SCF's documented rule, OS-only images;
/// not FC, whose own error guide shows `python3` and `npm` found on PATH), and writes next to the code
/// on read-only platforms.
pub(crate) fn check_environment(ctx: &Ctx<'_>, evidence: &ServerEvidence) -> Vec<Finding> {
    let p = ctx.profile;
    let mut out = Vec::new();
    for (path, line, text, program) in &evidence.bare_runtime_commands {
        let (severity, why) = if p.absent_commands.contains(&program.as_str()) {
            (Severity::Error, format!("{} is an OS-only image: there is no {program} on it at all", p.image))
        } else if p.vendor == "tencent" && path.ends_with("scf_bootstrap") {
            (
                Severity::Error,
                "SCF requires scf_bootstrap to call language runtimes by absolute path (/var/lang/<lang><version>/bin/…)".to_string(),
            )
        } else {
            continue;
        };
        out.push(Finding {
            id: ids::COMMAND_NOT_FOUND,
            severity,
            path: Some(path.clone()),
            title: format!("{path} calls {program} by name; the image may not have it on PATH"),
            evidence: vec![format!("{path}:{line}: {text}"), why],
            platform_message: Some(format!("{}/{path}: line {line}: {program}: command not found", p.code_dir)),
            explanation: "The start script runs, then the shell cannot find the runtime: exit 127.".into(),
            fix: match p.vendor {
                "tencent" => format!("Use the absolute path, e.g. /var/lang/python39/bin/python3.9 or /var/lang/node16/bin/node, instead of {program}."),
                _ => format!("Ship {program} in the package (or a layer) and call it by path, e.g. /opt/bin/{program}."),
            },
        });
    }
    for (script, command, missing) in &evidence.missing_from_scripts {
        let certain = command.starts_with("exec ") || !command.contains(' ');
        out.push(Finding {
            id: ids::ENTRY_MISSING,
            severity: if certain { Severity::Error } else { Severity::Warning },
            path: Some(missing.clone()),
            title: format!("{script} runs {command}, but {missing} is not in the package"),
            evidence: vec![format!("{script}: {command}"), format!("no entry named {missing}")],
            platform_message: None,
            explanation: "The start script itself starts, then the program or script it calls is missing: \
                          'No such file or directory' (exit 127) or the interpreter's 'can't open file'."
                .into(),
            fix: format!("Add {missing} to the package, or fix the path in {script}."),
        });
    }
    for (path, line, text) in evidence.installs.iter().take(3) {
        out.push(Finding {
            id: ids::SLOW_START,
            severity: Severity::Warning,
            path: Some(path.clone()),
            title: format!("{path} installs or builds at start-up"),
            evidence: vec![format!("{path}:{line}: {text}")],
            platform_message: None,
            explanation: format!(
                "Every cold start repeats it: it needs network access and time (FC waits 120 s, SCF its init timeout){}.",
                if p.code_dir_writable { "" } else { ", and the code directory is read-only here" }
            ),
            fix: "Install dependencies into the package before zipping (pip install -t ., npm ci) and start the program directly."
                .into(),
        });
    }
    if !p.code_dir_writable {
        for (path, line, text, target) in evidence.writes.iter().take(5) {
            out.push(Finding {
                id: ids::READONLY_FILESYSTEM,
                severity: Severity::Warning,
                path: Some(path.clone()),
                title: format!("{path} writes {target} next to the code, which is read-only on {}", p.name),
                evidence: vec![
                    format!("{path}:{line}: {text}"),
                    format!("{} is read-only; only /tmp is writable", p.code_dir),
                ],
                platform_message: Some(format!("EROFS: read-only file system, open '{}/{target}'", p.code_dir)),
                explanation:
                    "Writing logs, caches or databases beside the code fails at run time (and at start-up when it \
                              happens during initialisation)."
                        .into(),
                fix: format!("Write under /tmp instead: /tmp/{}", target.trim_start_matches("./")),
            });
        }
    }
    out
}

/// Bytes of a program that mark a runtime API client (AWS Lambda's or Tencent SCF's).
pub(crate) fn is_runtime_api_client(bytes: &[u8]) -> bool {
    let needles: [&[u8]; 4] =
        [b"AWS_LAMBDA_RUNTIME_API", b"/2018-06-01/runtime/invocation/next", b"SCF_RUNTIME_API", b"/runtime/init/ready"];
    needles.iter().any(|n| memchr::memmem::find(bytes, n).is_some())
}

fn quote(l: &Listen) -> String {
    format!("{}:{}: {}", l.path, l.line, l.text)
}

fn port_env_set_by(profile: &Profile, name: &str) -> bool {
    profile.port_env == Some(name)
}

/// The findings for a profile from what the code shows.
pub(crate) fn check_server(ctx: &Ctx<'_>, evidence: &ServerEvidence) -> Vec<Finding> {
    let p = ctx.profile;
    let mut out = Vec::new();
    match p.contract {
        ServerContract::HttpServer => {
            let want = p.port;
            let wanted = match (want, p.port_env) {
                (Some(port), _) => format!("port {port}"),
                (None, Some(var)) => format!("the port in ${var}"),
                (None, None) => "its port".into(),
            };
            for l in &evidence.listens {
                if let (Host::Loopback { default_of }, false) = (&l.host, p.loopback_reachable) {
                    let mut ev = vec![quote(l)];
                    if let Some(d) = default_of {
                        ev.push(format!("no host given: {d}"));
                    }
                    out.push(Finding {
                        id: ids::LISTEN_LOCALHOST,
                        severity: Severity::Error,
                        path: Some(l.path.clone()),
                        title: format!("{} listens on 127.0.0.1, which the platform cannot reach", l.path),
                        evidence: ev,
                        platform_message: health_check_message(p, want),
                        explanation: "The platform connects to the instance's network address, not its loopback, so \
                                      a server bound to 127.0.0.1/localhost is never seen."
                            .into(),
                        fix: "Listen on all interfaces: host 0.0.0.0 (uvicorn --host 0.0.0.0 · app.run(host='0.0.0.0') · \
                              app.listen(port, '0.0.0.0') · gunicorn -b 0.0.0.0:9000)"
                            .into(),
                    });
                }
                let effective = match &l.port {
                    Port::Fixed { port, default_of } => {
                        Some((*port, default_of.map(|d| format!("no port given: {d}"))))
                    }
                    Port::Env { name, fallback } if !port_env_set_by(p, name) => fallback
                        .map(|f| (f, Some(format!("{name} is not set on {}, so the fallback {f} is used", p.name)))),
                    _ => None,
                };
                if let Some((port, note)) = effective.filter(|(port, _)| Some(*port) != want) {
                    // FC and Cloud Run let you configure the port; SCF web and Huawei HTTP functions do not,
                    // and Azure assigns one at start.
                    let configurable = matches!(p.vendor, "aliyun" | "gcp");
                    let mut ev = vec![quote(l)];
                    ev.extend(note);
                    ev.push(format!(
                        "{} expects {wanted}{}",
                        p.name,
                        if configurable { " unless you configured another" } else { "" }
                    ));
                    out.push(Finding {
                        id: ids::LISTEN_WRONG_PORT,
                        severity: if configurable { Severity::Warning } else { Severity::Error },
                        path: Some(l.path.clone()),
                        title: format!("{} listens on port {port}; the platform checks {wanted}", l.path),
                        evidence: ev,
                        platform_message: health_check_message(p, want),
                        explanation: "The platform waits for a listener on its port; a server on another port looks \
                                      like one that never started."
                            .into(),
                        fix: match (p.port_env, want) {
                            (Some(var), Some(w)) => {
                                format!("Listen on ${var} (or {w}): port = int(os.environ.get('{var}', {w}))")
                            }
                            (Some(var), None) => format!("Read the port from ${var}: port = os.environ['{var}']"),
                            (None, Some(w)) => {
                                format!("Listen on port {w}: e.g. uvicorn app:app --host 0.0.0.0 --port {w}")
                            }
                            (None, None) => "Listen on the platform's port.".into(),
                        },
                    });
                }
            }
            if evidence.listens.is_empty()
                && (!evidence.handlers.is_empty() || !evidence.runtime_api_clients.is_empty())
            {
                let mut ev: Vec<String> =
                    evidence.handlers.iter().take(3).map(|(f, n, t)| format!("{f}:{n}: {t}")).collect();
                ev.extend(
                    evidence.runtime_api_clients.iter().map(|b| {
                        format!("{b} contains a runtime API client (AWS_LAMBDA_RUNTIME_API / SCF_RUNTIME_API)")
                    }),
                );
                ev.push("no listen call found in the code the entry runs".into());
                let path = evidence
                    .handlers
                    .first()
                    .map(|h| h.0.clone())
                    .or_else(|| evidence.runtime_api_clients.first().cloned());
                out.push(Finding {
                    id: ids::NOT_A_SERVER,
                    severity: Severity::Warning,
                    path,
                    title: format!("The code looks like an event handler, but {} needs an HTTP server", p.name),
                    evidence: ev,
                    platform_message: health_check_message(p, want),
                    explanation: "Custom runtimes and web functions start your program and wait for it to accept HTTP \
                                  on the port. Event-handler code (handler(event, context), a Lambda runtime client) \
                                  never listens, so the health check fails."
                        .into(),
                    fix: "Deploy event handlers to the platform's built-in runtime (handler index.main_handler), or \
                          wrap them in an HTTP server that listens on 0.0.0.0 and the platform's port."
                        .into(),
                });
            }
        }
        // The platform's runtime calls the handler: nothing to listen on, nothing to poll.
        ServerContract::Handler => {}
        ServerContract::RuntimeApi => {
            let lambda = p.vendor == "aws";
            let serves = !evidence.listens.is_empty();
            let adapted = lambda && evidence.web_adapter;
            if serves && !adapted && evidence.runtime_api_clients.is_empty() {
                let l = &evidence.listens[0];
                let mut ev = vec![quote(l)];
                if lambda {
                    ev.push("no Lambda Web Adapter (extensions/lambda-adapter) in the package".into());
                }
                out.push(Finding {
                    id: ids::NOT_A_SERVER,
                    severity: Severity::Warning,
                    path: Some(l.path.clone()),
                    title: format!(
                        "{} starts an HTTP server, but {} custom runtimes poll the runtime API",
                        l.path, p.name
                    ),
                    evidence: ev,
                    platform_message: Some(if lambda {
                        "INIT_REPORT Init Duration: … Status: timeout — Sandbox.Timedout / Task timed out".into()
                    } else {
                        "450 InitContainerTimeout / 433 TimeLimitReached".into()
                    }),
                    explanation: "A custom runtime must fetch events from the platform's runtime API; an HTTP server \
                                  waits for requests that never come."
                        .into(),
                    fix: if lambda {
                        "Add the Lambda Web Adapter layer (AWS_LWA_PORT) or use the language's runtime client \
                         (lambda_runtime, aws-lambda-go, awslambdaric)."
                            .into()
                    } else {
                        "Use an SCF web function (scf_bootstrap) for an HTTP server, or implement the runtime API loop."
                            .into()
                    },
                });
            }
            // Lambda Web Adapter listens on 9001 and uses 3000 itself.
            if adapted {
                for l in &evidence.listens {
                    if let Port::Fixed { port: port @ (9001 | 3000), .. } = l.port {
                        out.push(Finding {
                            id: ids::LISTEN_WRONG_PORT,
                            severity: Severity::Error,
                            path: Some(l.path.clone()),
                            title: format!("{} listens on {port}, which the Lambda Web Adapter uses itself", l.path),
                            evidence: vec![quote(l), "extensions/lambda-adapter is in the package".into()],
                            platform_message: Some("Error: listen EADDRINUSE: address already in use".into()),
                            explanation: "The Web Adapter runs in the same sandbox on ports 9001 and 3000.".into(),
                            fix:
                                "Listen on 8080 (the adapter's default AWS_LWA_PORT) or set AWS_LWA_PORT to your port."
                                    .into(),
                        });
                    }
                }
            }
            // SCF's custom runtime must report readiness before it gets events.
            let reports_ready = !evidence.runtime_api_clients.is_empty()
                || evidence
                    .sources
                    .iter()
                    .any(|(_, t)| t.contains("SCF_RUNTIME_API") || t.contains("/runtime/init/ready"));
            if p.vendor == "tencent" && !evidence.sources.is_empty() && evidence.listens.is_empty() && !reports_ready {
                let read: Vec<&str> = evidence.sources.iter().map(|(path, _)| path.as_str()).collect();
                out.push(Finding {
                    id: ids::NOT_A_SERVER,
                    severity: Severity::Warning,
                    path: read.first().map(|p| p.to_string()),
                    title: "The bootstrap never reports ready to SCF's runtime API".into(),
                    evidence: vec![
                        format!("read {}: no mention of SCF_RUNTIME_API or /runtime/init/ready", read.join(", ")),
                    ],
                    platform_message: Some("450 InitContainerTimeout (initialization never completes)".into()),
                    explanation: "An SCF custom runtime must POST to http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime/init/ready \
                                  after initialising, then long-poll /runtime/invocation/next. Without it the platform \
                                  waits until the initialization timeout."
                        .into(),
                    fix: "curl -d ' ' -X POST \"http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime/init/ready\"   # in the bootstrap, after start-up"
                        .into(),
                });
            }
        }
    }
    out
}

fn health_check_message(p: &Profile, port: Option<u16>) -> Option<String> {
    let port = port.map(|n| n.to_string()).unwrap_or_else(|| "<port>".into());
    Some(match p.vendor {
        "aliyun" => format!("Function instance health check failed on port {port} in 120 seconds."),
        "tencent" => "446 PortBindingFailed (or 405 ContainerStateExited)".into(),
        "gcp" => format!(
            "The user-provided container failed to start and listen on the port defined provided by the PORT={port} \
             environment variable within the allocated timeout."
        ),
        "azure" => "Initializing HttpWorker timed out.".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{errors, ids, run};
    use crate::synth::ZipBuilder;

    fn listens(path: &str, text: &str) -> Vec<Listen> {
        let mut e = ServerEvidence::default();
        scan_source(path, text, &mut e);
        e.listens
    }

    #[test]
    fn scanner_reads_common_stacks() {
        let l = listens("app.py", "app.run()\n");
        assert!(matches!(l[0].host, Host::Loopback { default_of: Some(_) }));
        assert_eq!(l[0].port, Port::Fixed { port: 5000, default_of: Some("Flask app.run (default port 5000)") });
        let l = listens("app.py", "app.run(host='0.0.0.0', port=int(os.environ.get('PORT', 8080)))\n");
        assert_eq!(
            (l[0].host.clone(), l[0].port.clone()),
            (Host::All, Port::Env { name: "PORT".into(), fallback: Some(8080) })
        );
        let l = listens("server.js", "app.listen(process.env.PORT || 3000, () => {})\n");
        assert_eq!(l[0].port, Port::Env { name: "PORT".into(), fallback: Some(3000) });
        let l = listens("server.js", "server.listen(9000, '127.0.0.1')\n");
        assert_eq!(l[0].host, Host::Loopback { default_of: None });
        let l = listens("main.go", "log.Fatal(http.ListenAndServe(\":8080\", nil))\n");
        assert_eq!((l[0].host.clone(), l[0].port.clone()), (Host::All, Port::Fixed { port: 8080, default_of: None }));
        let l = listens("bootstrap", "exec uvicorn main:app --host 0.0.0.0 --port 9000\n");
        assert_eq!((l[0].host.clone(), l[0].port.clone()), (Host::All, Port::Fixed { port: 9000, default_of: None }));
        let l = listens("bootstrap", "gunicorn app:app\n");
        assert!(matches!(l[0].host, Host::Loopback { .. }));
        assert_eq!(
            listens("bootstrap", "php -S 0.0.0.0:9000 -t public\n")[0].port,
            Port::Fixed { port: 9000, default_of: None }
        );
        assert!(listens("x.py", "# app.run()\nprint('hello')\n").is_empty());
    }

    #[test]
    fn the_port_is_not_read_out_of_an_address() {
        for (code, host, port) in [
            ("HTTPServer(('0.0.0.0', 9000), Handler).serve_forever()", Host::All, 9000),
            ("socketserver.TCPServer((\"127.0.0.1\", 8080), H)", Host::Loopback { default_of: None }, 8080),
            ("srv.listen(\"0.0.0.0:9000\")", Host::All, 9000),
            ("server.listen(3000, '10.0.0.1')", Host::Unknown, 3000),
        ] {
            let l = listens("app.py", code);
            assert_eq!(
                (l[0].host.clone(), l[0].port.clone()),
                (host, Port::Fixed { port, default_of: None }),
                "{code}"
            );
        }
        assert_eq!(first_number("version 1.2.3 then 42"), Some(42));
        assert_eq!(first_number("0.0.0.0"), None);
    }

    fn fc_package(bootstrap: &str, file: &str, code: &str) -> Vec<u8> {
        ZipBuilder::new()
            .unix_file("bootstrap", 0o755, bootstrap.as_bytes())
            .unix_file(file, 0o644, code.as_bytes())
            .finish()
    }

    #[test]
    fn the_code_a_misnamed_entry_runs_is_still_checked() {
        // SCF web functions start scf_bootstrap; this package names it bootstrap and binds loopback.
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\n/var/lang/python39/bin/python3.9 app.py\n")
            .unix_file("app.py", 0o644, b"HTTPServer(('127.0.0.1', 9000), Handler).serve_forever()\n")
            .finish();
        let mut found = errors(&run(zip.clone(), "tencent-scf-web", ""));
        found.sort_unstable();
        assert_eq!(found, ["entry-missing", "listen-localhost"]);
        // With the right name, only the bind is wrong; with a start command that names nothing, the
        // misnamed file is not guessed at.
        let renamed = ZipBuilder::new()
            .unix_file("scf_bootstrap", 0o755, b"#!/bin/bash\n/var/lang/python39/bin/python3.9 app.py\n")
            .unix_file("app.py", 0o644, b"HTTPServer(('127.0.0.1', 9000), Handler).serve_forever()\n")
            .finish();
        assert_eq!(errors(&run(renamed, "tencent-scf-web", "")), ["listen-localhost"]);
        assert_eq!(errors(&run(zip, "aliyun-fc", "./start.sh")), ["entry-missing"]);
    }

    #[test]
    fn localhost_fires_and_all_interfaces_do_not() {
        let zip = fc_package(
            "#!/bin/bash\nexec python3 app.py\n",
            "app.py",
            "from flask import Flask\napp = Flask(__name__)\napp.run(port=9000)\n",
        );
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["listen-localhost"]);
        assert!(i.findings[0].evidence[0].contains("app.py:3: app.run(port=9000)"));
        let zip = fc_package("#!/bin/bash\nexec python3 app.py\n", "app.py", "app.run(host='0.0.0.0', port=9000)\n");
        assert!(ids(&run(zip, "aliyun-fc", "")).is_empty());
    }

    #[test]
    fn wrong_port_depends_on_platform() {
        let zip = fc_package(
            "#!/bin/bash\nexec node server.js\n",
            "server.js",
            "app.listen(process.env.PORT || 3000, '0.0.0.0')\n",
        );
        let fc = run(zip.clone(), "aliyun-fc", "");
        assert_eq!(ids(&fc), ["listen-wrong-port"]);
        assert_eq!(fc.findings[0].severity, Severity::Warning, "FC's port is configurable");
        let scf = ZipBuilder::new()
            .unix_file("scf_bootstrap", 0o755, b"#!/bin/bash\n/var/lang/node16/bin/node server.js\n")
            .unix_file("server.js", 0o644, b"app.listen(3000)\n")
            .finish();
        assert_eq!(errors(&run(scf, "tencent-scf-web", "")), ["listen-wrong-port"]);
        let cloud_run =
            ZipBuilder::new().unix_file("server.js", 0o644, b"app.listen(process.env.PORT || 3000)\n").finish();
        assert!(ids(&run(cloud_run, "gcp-cloud-run", "node server.js")).is_empty(), "Cloud Run sets PORT");
    }

    #[test]
    fn loopback_platforms_and_assigned_ports() {
        let huawei =
            fc_package("#!/bin/bash\nexec python3 app.py\n", "app.py", "app.run(host='127.0.0.1', port=8000)\n");
        assert!(ids(&run(huawei, "huawei-functiongraph", "")).is_empty(), "FunctionGraph connects over loopback");
        let azure = ZipBuilder::new()
            .unix_file(
                "host.json",
                0o644,
                br#"{"customHandler":{"description":{"defaultExecutablePath":"server.py"}}}"#,
            )
            .unix_file("server.py", 0o755, b"#!/usr/bin/env python3\napp.run(port=8080)\n")
            .finish();
        let i = run(azure, "azure-custom-handler", "");
        let f = i.findings.iter().find(|f| f.id == "listen-wrong-port").expect("a fixed port on Azure");
        assert!(f.fix.contains("FUNCTIONS_CUSTOMHANDLER_PORT"));
    }

    #[test]
    fn bare_runtimes_and_readonly_writes() {
        let scf = ZipBuilder::new()
            .unix_file("scf_bootstrap", 0o755, b"#!/bin/bash\nexport PORT=9000\npython3 app.py\n")
            .unix_file(
                "app.py",
                0o644,
                b"app.run(host='0.0.0.0', port=9000)\nlogging.basicConfig(filename='app.log')\n",
            )
            .finish();
        let i = run(scf, "tencent-scf-web", "");
        assert_eq!(errors(&i), ["command-not-found"]);
        assert!(ids(&i).contains(&"readonly-filesystem"));
        let ok = ZipBuilder::new()
            .unix_file("scf_bootstrap", 0o755, b"#!/bin/bash\n/var/lang/python39/bin/python3.9 app.py\n")
            .unix_file("app.py", 0o644, b"app.run(host='0.0.0.0', port=9000)\nopen('/tmp/x.log', 'w')\n")
            .finish();
        assert!(ids(&run(ok, "tencent-scf-web", "")).is_empty());
        let lambda = ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec node index.js\n").finish();
        assert_eq!(errors(&run(lambda, "aws-lambda-al2023", "")), ["command-not-found"]);
    }

    #[test]
    fn spring_boot_ports() {
        let jar = ZipBuilder::new()
            .unix_file("BOOT-INF/classes/application.properties", 0o644, b"spring.application.name=demo\n")
            .finish();
        let zip = |jar: &[u8]| ZipBuilder::new().unix_file("target/app.jar", 0o644, jar).finish();
        let i = run(zip(&jar), "aliyun-fc", "java -jar target/app.jar");
        let f = i.findings.iter().find(|f| f.id == "listen-wrong-port").expect("Spring's default 8080");
        assert!(f.evidence.iter().any(|e| e.contains("Spring Boot (default server.port 8080)")), "{:?}", f.evidence);
        assert!(ids(&run(zip(&jar), "aliyun-fc", "java -Dserver.port=9000 -jar target/app.jar")).is_empty());
        let configured = ZipBuilder::new()
            .unix_file("BOOT-INF/classes/application.properties", 0o644, b"server.port=9000\n")
            .finish();
        assert!(ids(&run(zip(&configured), "aliyun-fc", "java -jar target/app.jar")).is_empty());
    }

    #[test]
    fn scripts_that_run_missing_files_or_install_at_start() {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec ./server\n").finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["entry-missing"]);
        assert!(
            i.findings[0].title.contains("runs exec ./server") || i.findings[0].title.contains("./server"),
            "{}",
            i.findings[0].title
        );
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\npip install -r requirements.txt\nexec python3 app.py\n")
            .unix_file("app.py", 0o644, b"app.run(host='0.0.0.0', port=9000)\n")
            .finish();
        assert_eq!(ids(&run(zip, "aliyun-fc", "")), ["slow-start"]);
    }

    #[test]
    fn web_adapter_ports() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec node index.js\n")
            .unix_file("index.js", 0o644, b"app.listen(3000)\n")
            .unix_file("extensions/lambda-adapter", 0o755, b"\x7fELF")
            .unix_file("bin/node", 0o755, b"\x7fELF")
            .finish();
        let i = run(zip, "aws-lambda-al2023", "");
        assert!(i.findings.iter().any(|f| f.id == "listen-wrong-port" && f.title.contains("3000")), "{:?}", ids(&i));
    }

    #[test]
    fn event_handlers_are_not_servers() {
        let zip = fc_package(
            "#!/bin/bash\nexec python3 index.py\n",
            "index.py",
            "def main_handler(event, context):\n    return 'hi'\n",
        );
        assert_eq!(ids(&run(zip, "aliyun-fc", "")), ["not-a-server"]);
        let lambda = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec ./python/bin/python3 app.py\n")
            .unix_file("python/bin/python3", 0o755, b"#!/bin/sh\n")
            .unix_file("app.py", 0o644, b"app.run(host='0.0.0.0', port=8080)\n")
            .finish();
        assert_eq!(ids(&run(lambda, "aws-lambda-al2023", "")), ["not-a-server"]);
    }

    #[test]
    fn scf_custom_runtime_must_report_ready() {
        let silent =
            ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/bash\nwhile true; do sleep 1; done\n").finish();
        assert_eq!(ids(&run(silent, "tencent-scf", "")), ["not-a-server"]);
        let ready = ZipBuilder::new()
            .unix_file(
                "bootstrap",
                0o755,
                b"#!/bin/bash\ncurl -d ' ' -X POST \"http://$SCF_RUNTIME_API:$SCF_RUNTIME_API_PORT/runtime/init/ready\"\n",
            )
            .finish();
        assert!(ids(&run(ready, "tencent-scf", "")).is_empty());
    }

    #[test]
    fn runtime_api_binaries_on_http_platforms() {
        let mut bin = crate::elf::testing::elf(None, &[], None, &[], 2);
        bin.extend_from_slice(b"AWS_LAMBDA_RUNTIME_API\0/2018-06-01/runtime/invocation/next\0");
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o755, &bin).finish();
        assert_eq!(ids(&run(zip.clone(), "aliyun-fc", "")), ["not-a-server"]);
        assert!(ids(&run(zip, "aws-lambda-al2023", "")).is_empty());
    }
}
