//! Which files in the package the platform will run or read first: the default entry of the profile,
//! the files a start command names, or the file an SCF handler (`index.main_handler`) points to.

use serde::{Deserialize, Serialize};

use crate::profiles::{EntryConvention, Language, Profile};

/// How the user says their function starts, beyond the profile's default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSpec {
    /// A start command as configured on the platform (`python3 app.py`, `/code/bootstrap`).
    pub start_command: Option<String>,
    /// An event-function handler (`index.main_handler`, `main`, `example.Hello::mainHandler`).
    pub handler: Option<String>,
}

/// File extensions that mark a token as a file rather than a `file.function` handler.
const FILE_EXTENSIONS: &[&str] =
    &["py", "js", "mjs", "cjs", "ts", "sh", "bash", "jar", "php", "rb", "dll", "pl", "exe", "bin"];

impl StartSpec {
    /// Reads one free-text field: a handler when it looks like one (`index.main_handler`,
    /// `pkg.Class::method`), a start command otherwise. Blank means the profile default.
    pub fn from_user_text(text: &str) -> Self {
        let text = text.trim();
        if text.is_empty() {
            return StartSpec::default();
        }
        if looks_like_handler(text) {
            StartSpec { start_command: None, handler: Some(text.to_string()) }
        } else {
            StartSpec { start_command: Some(text.to_string()), handler: None }
        }
    }
}

fn looks_like_handler(text: &str) -> bool {
    if text.contains(char::is_whitespace) || text.contains('/') {
        return false;
    }
    if text.contains("::") {
        return true;
    }
    let Some((file, function)) = text.rsplit_once('.') else { return false };
    !file.is_empty()
        && !function.is_empty()
        && !FILE_EXTENSIONS.contains(&function.to_ascii_lowercase().as_str())
        && function.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether the kernel executes a target or an interpreter reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum TargetRole {
    /// Executed directly: needs the exec bit and a runnable format.
    Exec,
    /// Read by an interpreter in the image (`python3`, `node`, `java -jar` …).
    Read {
        /// The program that reads it.
        by: String,
    },
}

/// Where a target came from, for the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetOrigin {
    /// The profile's fixed entry (bootstrap, scf_bootstrap).
    DefaultEntry,
    /// A start command given by the user.
    StartCommand,
    /// An event-function handler.
    Handler,
}

/// A file the platform needs, as a path in the package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Path inside the zip, `/`-separated, no leading `./`. When several files could satisfy the
    /// target (a handler's `index.py` or `index.js`), the first of [`Target::alternatives`].
    pub path: String,
    /// Every acceptable path (just `path` in most cases).
    pub alternatives: Vec<String>,
    /// The absolute path the platform uses (`/code/bootstrap`).
    pub platform_path: String,
    /// Exec'd or read.
    pub role: TargetRole,
    /// Default entry, start command or handler.
    pub origin: TargetOrigin,
    /// The command line as the platform shows it, for messages.
    pub command: String,
}

/// The commands of a shell script worth following: `exec ` and leading `VAR=value` assignments
/// stripped, comments, control flow and shell builtins skipped.
pub fn script_commands(text: &str) -> Vec<String> {
    const SKIP: &[&str] = &[
        "if", "then", "else", "fi", "for", "do", "done", "while", "case", "esac", "export", "set", "cd", "echo",
        "source", ".", "{", "}", "function", "return", "trap", "ulimit", "mkdir", "cp", "mv", "rm", "chmod", "ln",
        "sleep", "wait", "unset", "local",
    ];
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let mut words: Vec<&str> = l.split_whitespace().collect();
            while let Some(first) = words.first() {
                if *first == "exec" || (first.contains('=') && !first.starts_with('-')) {
                    words.remove(0);
                } else {
                    break;
                }
            }
            let first = *words.first()?;
            (!SKIP.contains(&first)).then(|| words.join(" ").trim_end_matches('&').trim().to_string())
        })
        .collect()
}

/// Interpreters that take a script file as their first non-option argument.
const SCRIPT_INTERPRETERS: &[&str] = &["python", "node", "php", "ruby", "perl", "bash", "sh", "bun", "deno", "dotnet"];

/// Normalises a path from a command line into a package path (relative to the code directory).
/// Returns `None` for absolute paths outside the code directory (they live in the image).
pub fn package_path(raw: &str, code_dir: &str) -> Option<String> {
    let raw = raw.trim_matches(|c| c == '"' || c == '\'');
    let rel = if let Some(rest) = raw.strip_prefix(code_dir).and_then(|r| r.strip_prefix('/')) {
        rest
    } else if raw.starts_with('/') {
        return None;
    } else {
        raw
    };
    normalize_relative(rel)
}

/// Resolves `.` and `..` in a relative path; `None` when nothing is left or it climbs out.
pub fn normalize_relative(rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

fn base_program(program: &str) -> String {
    let name = program.rsplit('/').next().unwrap_or(program);
    // python3.10 → python, node18 → node
    let trimmed: String = name.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    trimmed.to_ascii_lowercase()
}

/// The handler the user gave: the handler field, or on a managed runtime the one field when it
/// is a single word (`src/app.handler` has a slash, which elsewhere marks a path).
pub fn given_handler<'a>(profile: &Profile, spec: &'a StartSpec) -> Option<&'a str> {
    let managed = matches!(profile.entry, EntryConvention::Handler { .. });
    let typed_handler = spec
        .start_command
        .as_deref()
        .map(str::trim)
        .filter(|c| managed && !c.is_empty() && !c.contains(char::is_whitespace));
    spec.handler.as_deref().map(str::trim).filter(|h| !h.is_empty()).or(typed_handler)
}

/// The targets for a profile and what the user told us. Never empty when the profile has a fixed entry.
pub fn resolve_targets(profile: &Profile, spec: &StartSpec) -> Vec<Target> {
    let code_dir = profile.code_dir;
    if let Some(handler) = given_handler(profile, spec) {
        return handler_targets(profile, handler).into_iter().collect();
    }
    if let Some(command) = spec.start_command.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return command_targets(code_dir, command);
    }
    match profile.entry {
        EntryConvention::RootExecutable { file, .. } => vec![Target {
            path: file.to_string(),
            alternatives: vec![file.to_string()],
            platform_path: format!("{code_dir}/{file}"),
            role: TargetRole::Exec,
            origin: TargetOrigin::DefaultEntry,
            command: format!("{code_dir}/{file}"),
        }],
        EntryConvention::HostJson => vec![Target {
            path: "host.json".into(),
            alternatives: vec!["host.json".into()],
            platform_path: format!("{code_dir}/host.json"),
            role: TargetRole::Read { by: "the Functions host".into() },
            origin: TargetOrigin::DefaultEntry,
            command: "host.json".into(),
        }],
        EntryConvention::StartCommandOnly => Vec::new(),
        EntryConvention::Handler { default_handler, fixed_file } => match (fixed_file, default_handler) {
            // Cloud Functions: the file is fixed, the function is the entry point (not known here).
            (Some(file), _) => vec![Target {
                path: file.to_string(),
                alternatives: if file == "index.js" {
                    vec![file.into(), "package.json".into()]
                } else {
                    vec![file.into()]
                },
                platform_path: format!("{code_dir}/{file}"),
                role: TargetRole::Read { by: reader_of(profile) },
                origin: TargetOrigin::Handler,
                command: file.to_string(),
            }],
            (None, Some(handler)) => handler_targets(profile, handler).into_iter().collect(),
            (None, None) => Vec::new(),
        },
    }
}

/// The program that reads a managed runtime's handler file (`python3.12`, `node`).
fn reader_of(profile: &Profile) -> String {
    match profile.runtime {
        Some(r) => r.interpreter.rsplit('/').next().unwrap_or(r.interpreter).to_string(),
        None => "the runtime".into(),
    }
}

/// A handler setting read the way the runtime reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerParts {
    /// The module as the runtime names it in errors (`lambda_function`, `src/app`).
    pub module: String,
    /// Package paths that may hold the module, in the order the runtime tries them.
    pub files: Vec<String>,
    /// The function or export the runtime calls, when the handler names one.
    pub function: Option<String>,
}

/// Splits a handler into its module files and function, by the language's rules:
/// - Python (`a.b.func`, `a/b.func`): the module is all before the last dot, dots and slashes are
///   folders: `a/b.py` or the package `a/b/__init__.py`;
/// - Node (`dist/index.handler`, `index.nested.fn`): folders up to the last slash, then the module
///   ends at the first dot (`dist/index` → `.js`, `.mjs`, `.cjs`); the export is what follows;
/// - unknown language (a custom runtime's handler): `file.function`, any usual extension;
/// - no dot at all (Go's `main`): the executable itself, no function.
///
/// `fixed_file` is the file a runtime always loads (Cloud Functions' `main.py`), where the handler
/// names only the function. Java's `package.Class::method` gives `None` (its class sits in a jar).
pub fn parse_handler(language: Option<Language>, fixed_file: Option<&str>, handler: &str) -> Option<HandlerParts> {
    let handler = handler.trim();
    if handler.is_empty() || handler.contains("::") || language == Some(Language::Java) {
        return None;
    }
    if let Some(file) = fixed_file {
        let module = file.rsplit_once('.').map_or(file, |(m, _)| m).to_string();
        return Some(HandlerParts { module, files: vec![file.to_string()], function: Some(handler.to_string()) });
    }
    let with = |module: &str, exts: &[&str]| exts.iter().map(|e| format!("{module}.{e}")).collect::<Vec<_>>();
    match language {
        Some(Language::Python) => {
            let (module, function) = handler.rsplit_once('.')?;
            let path = module.replace('.', "/");
            // A sourceless .pyc and a compiled module (Cython, Nuitka) import as well.
            let mut files = vec![
                format!("{path}.py"),
                format!("{path}/__init__.py"),
                format!("{path}.pyc"),
                format!("{path}.abi3.so"),
                format!("{path}.so"),
            ];
            files.retain(|f| normalize_relative(f).as_deref() == Some(f.as_str()));
            if files.is_empty() || function.is_empty() {
                return None;
            }
            Some(HandlerParts { module: module.to_string(), files, function: Some(function.to_string()) })
        }
        Some(Language::Node) => {
            let (dir, base) = handler.rsplit_once('/').map_or(("", handler), |(d, b)| (d, b));
            let (name, export) = base.split_once('.')?;
            let module = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
            let function = export.split('.').next().filter(|f| !f.is_empty()).map(str::to_string);
            let path = normalize_relative(&module)?;
            Some(HandlerParts { module, files: with(&path, &["js", "mjs", "cjs"]), function })
        }
        _ => match handler.rsplit_once('.') {
            Some((file, function)) => {
                let path = file.replace('.', "/");
                Some(HandlerParts {
                    module: file.to_string(),
                    files: with(&path, &["py", "js", "mjs", "cjs", "php"]),
                    function: Some(function.to_string()),
                })
            }
            None => {
                Some(HandlerParts { module: handler.to_string(), files: vec![handler.to_string()], function: None })
            }
        },
    }
}

/// The start command an Azure custom handler's `host.json` configures:
/// `customHandler.description.defaultExecutablePath` and its `arguments`.
pub fn host_json_command(json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let description = v.get("customHandler")?.get("description")?;
    let raw = description.get("defaultExecutablePath")?.as_str()?;
    // A bare name is a file in wwwroot (`handler`) unless it is a runtime on PATH (`node`, `python3`).
    let runtime = SCRIPT_INTERPRETERS.contains(&base_program(raw).as_str()) || base_program(raw) == "java";
    let relative = format!("./{raw}");
    let path = if raw.contains('/') || runtime { raw } else { relative.as_str() };
    let args: Vec<&str> = description
        .get("arguments")
        .and_then(|a| a.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    Some(std::iter::once(path).chain(args).collect::<Vec<_>>().join(" "))
}

/// The files one command line names (its program when in the package, or the script an interpreter
/// reads), as targets relative to `code_dir`, for a command run in the code directory.
pub fn command_targets(code_dir: &str, command: &str) -> Vec<Target> {
    command_targets_in(code_dir, Some(code_dir), command)
}

/// [`command_targets`] for a command run in `cwd` (absolute; `None` when a script's `cd` went
/// somewhere unknown, so relative paths name nothing). Words still holding a `$` name nothing:
/// what they expand to is not known, so no file is reported missing for them.
pub fn command_targets_in(code_dir: &str, cwd: Option<&str>, command: &str) -> Vec<Target> {
    let package_path = |raw: &str, code_dir: &str| {
        let raw = raw.trim_matches(|c| c == '"' || c == '\'');
        crate::shell::absolute(raw, cwd).and_then(|abs| package_path(&abs, code_dir))
    };
    let tokens: Vec<&str> = command.split_whitespace().collect();
    let Some(&program) = tokens.first() else { return Vec::new() };
    let base = base_program(program);
    let make = |path: String, role: TargetRole| Target {
        alternatives: vec![path.clone()],
        platform_path: format!("{code_dir}/{path}"),
        path,
        role,
        origin: TargetOrigin::StartCommand,
        command: command.to_string(),
    };
    let read_by = |by: &str| TargetRole::Read { by: by.to_string() };
    let args = &tokens[1..];
    let first_file_arg = || args.iter().find(|a| !a.starts_with('-')).copied();
    let mut targets = Vec::new();
    if base == "java" {
        if let Some(pos) = args.iter().position(|a| *a == "-jar") {
            if let Some(jar) = args.get(pos + 1).and_then(|j| package_path(j, code_dir)) {
                targets.push(make(jar, read_by("java")));
            }
        }
    } else if base == "source" || program == "." {
        // `. ./env.sh` reads the file into the running shell: it needs no execute bit.
        if let Some(path) = first_file_arg().and_then(|f| package_path(f, code_dir)) {
            targets.push(make(path, read_by("source")));
        }
    } else if matches!(base.as_str(), "npm" | "yarn" | "pnpm") {
        targets.push(make("package.json".into(), read_by(&base)));
    } else if matches!(base.as_str(), "uvicorn" | "gunicorn" | "hypercorn") {
        if let Some(app) = first_file_arg() {
            let module = app.split(':').next().unwrap_or(app).replace('.', "/");
            if let Some(path) = package_path(&format!("{module}.py"), code_dir) {
                targets.push(make(path, read_by(&base)));
            }
        }
    } else if SCRIPT_INTERPRETERS.contains(&base.as_str()) {
        // An interpreter from the image (`python3`, `/var/fc/lang/python3.10/bin/python3`) or shipped in
        // the package (`./python/bin/python3`, then exec'd itself). `python3 -m module` runs a module,
        // not a file: nothing to check by name.
        if program.contains('/') {
            if let Some(path) = package_path(program, code_dir) {
                targets.push(make(path, TargetRole::Exec));
            }
        }
        if args.first() != Some(&"-m") {
            if let Some(path) = first_file_arg().and_then(|f| package_path(f, code_dir)) {
                targets.push(make(path, read_by(&base)));
            }
        }
    } else if program.contains('/') {
        // A path: the program is in the package (`./main`, `bin/server`, `/code/bootstrap`) and the
        // kernel execs it. A bare name is looked up on PATH, so it names no file of the package.
        if let Some(path) = package_path(program, code_dir) {
            targets.push(make(path, TargetRole::Exec));
        }
    }
    targets
}

/// The module a handler target names, as the handler writes it (`lambda_function`, `src/app`,
/// `src.app`): what the runtime's import errors quote. `None` for other targets.
pub fn handler_module(profile: &Profile, target: &Target) -> Option<String> {
    if target.origin != TargetOrigin::Handler {
        return None;
    }
    parse_handler(profile.language(), profile.fixed_file(), &target.command).map(|p| p.module)
}

fn handler_targets(profile: &Profile, handler: &str) -> Option<Target> {
    let code_dir = profile.code_dir;
    let fixed_file = profile.fixed_file();
    let mut parts = parse_handler(profile.language(), fixed_file, handler)?;
    // Node Cloud Functions load package.json's "main" when there is one (index.js is only the
    // default): either file is the start.
    if fixed_file == Some("index.js") {
        parts.files.push("package.json".into());
    }
    let first = parts.files.first()?.clone();
    // A handler without a function (Go's `main`) names the executable itself.
    let role = match (&parts.function, profile.runtime) {
        (None, None) => TargetRole::Exec,
        _ => TargetRole::Read { by: reader_of(profile) },
    };
    Some(Target {
        platform_path: format!("{code_dir}/{first}"),
        path: first,
        alternatives: parts.files,
        role,
        origin: TargetOrigin::Handler,
        command: handler.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::profile;

    fn targets(profile_id: &str, text: &str) -> Vec<Target> {
        resolve_targets(profile(profile_id).unwrap(), &StartSpec::from_user_text(text))
    }

    #[test]
    fn default_entries() {
        let t = targets("aliyun-fc", "");
        assert_eq!(t[0].path, "bootstrap");
        assert_eq!(t[0].platform_path, "/code/bootstrap");
        assert_eq!(targets("tencent-scf-web", "")[0].path, "scf_bootstrap");
        assert!(targets("gcp-cloud-run", "").is_empty());
    }

    #[test]
    fn start_commands_name_files() {
        let t = targets("aliyun-fc", "python3 app.py");
        assert_eq!((t[0].path.as_str(), &t[0].role), ("app.py", &TargetRole::Read { by: "python".into() }));
        let t = targets("aliyun-fc", "java -Dserver.port=9000 -jar target/app.jar");
        assert_eq!(t[0].path, "target/app.jar");
        assert_eq!(targets("aliyun-fc", "npm run start")[0].path, "package.json");
        assert_eq!(targets("aliyun-fc", "dotnet ./target/App.dll")[0].path, "target/App.dll");
        let t = targets("aliyun-fc", "/code/bootstrap");
        assert_eq!((t[0].path.as_str(), &t[0].role), ("bootstrap", &TargetRole::Exec));
        let t = targets("aliyun-fc", "./main");
        assert_eq!((t[0].path.as_str(), &t[0].role), ("main", &TargetRole::Exec));
        assert_eq!(targets("aliyun-fc", "uvicorn app.main:app --host 0.0.0.0")[0].path, "app/main.py");
        assert!(targets("aliyun-fc", "python3 -m http.server 9000").is_empty());
        // An interpreter shipped in the package: both it and the script matter.
        let t = targets("aliyun-fc", "./python/bin/python3 app.py");
        assert_eq!(t.iter().map(|t| t.path.as_str()).collect::<Vec<_>>(), ["python/bin/python3", "app.py"]);
        // An interpreter from the image by absolute path, then the script.
        assert_eq!(targets("aliyun-fc", "/var/fc/lang/python3.10/bin/python3 index.py")[0].path, "index.py");
    }

    #[test]
    fn host_json_names_the_handler() {
        let json = r#"{"version":"2.0","customHandler":{"description":{"defaultExecutablePath":"handler","arguments":["--port","x"]}}}"#;
        assert_eq!(host_json_command(json).as_deref(), Some("./handler --port x"));
        let node = r#"{"customHandler":{"description":{"defaultExecutablePath":"node","arguments":["server.js"]}}}"#;
        assert_eq!(host_json_command(node).as_deref(), Some("node server.js"));
        assert_eq!(host_json_command("{}"), None);
        assert_eq!(targets("azure-custom-handler", "")[0].path, "host.json");
    }

    #[test]
    fn script_commands_are_followed() {
        let script = "#!/bin/bash\nset -e\nexport PORT=9000\nPYTHONPATH=/code/lib exec python3 app.py\n# node x.js\n";
        assert_eq!(script_commands(script), ["python3 app.py"]);
    }

    #[test]
    fn managed_runtimes_read_handlers_by_their_language() {
        let py = |h: &str| parse_handler(Some(Language::Python), None, h).unwrap();
        assert_eq!(py("lambda_function.lambda_handler").files[0], "lambda_function.py");
        assert_eq!(py("src.app.handler").files[..2], ["src/app.py", "src/app/__init__.py"]);
        assert_eq!(py("src/app.handler").files[0], "src/app.py");
        assert_eq!(py("src.app.handler").function.as_deref(), Some("handler"));
        let node = |h: &str| parse_handler(Some(Language::Node), None, h).unwrap();
        assert_eq!(node("dist/index.handler").files, ["dist/index.js", "dist/index.mjs", "dist/index.cjs"]);
        // Node's module ends at the first dot after the last slash; the rest is the export path.
        let nested = node("index.routes.get");
        assert_eq!((nested.files[0].as_str(), nested.function.as_deref()), ("index.js", Some("routes")));
        let gcf = parse_handler(Some(Language::Python), Some("main.py"), "hello_http").unwrap();
        assert_eq!((gcf.files[0].as_str(), gcf.function.as_deref()), ("main.py", Some("hello_http")));
        assert_eq!(parse_handler(Some(Language::Java), None, "example.Hello::handleRequest"), None);
        // Paths that climb or start at / name no package file, and never panic.
        for odd in ["./app.handler", "/var/task/app.handler", "..handler", "a..b.handler", "app."] {
            let _ = targets("aws-lambda-python3.12", odd);
        }
        assert_eq!(targets("aws-lambda-python3.12", " ")[0].path, "lambda_function.py");
        // The console defaults apply when no handler is given.
        assert_eq!(targets("aws-lambda-python3.12", "")[0].path, "lambda_function.py");
        assert_eq!(targets("aws-lambda-nodejs20.x", "")[0].alternatives[1], "index.mjs");
        assert_eq!(targets("tencent-scf-python3.9", "")[0].path, "index.py");
        assert_eq!(targets("gcp-cloud-functions-python312", "")[0].path, "main.py");
        assert_eq!(targets("aws-lambda-python3.12", "app.main")[0].role, TargetRole::Read { by: "python3.12".into() });
        assert_eq!(targets("aws-lambda-nodejs20.x", "src/app.handler")[0].path, "src/app.js");
    }

    #[test]
    fn handlers_resolve_to_files() {
        let t = targets("tencent-scf", "index.main_handler");
        assert_eq!(t[0].origin, TargetOrigin::Handler);
        assert!(t[0].alternatives.contains(&"index.py".to_string()));
        assert!(t[0].alternatives.contains(&"index.js".to_string()));
        assert!(StartSpec::from_user_text("app.py").start_command.is_some());
        assert!(StartSpec::from_user_text("example.Hello::mainHandler").handler.is_some());
    }
}
