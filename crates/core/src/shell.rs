//! Start scripts read the way the shell runs them, so the files they start are found where the
//! shell finds them: the working directory follows `cd` (`cd "$(dirname "$0")"`, `cd app`),
//! variables carry their values and defaults (`${APP_DIR:-/code/app}`), `$0` and
//! `$(dirname "$0")` name the script's own directory, `. file` and `source file` read another
//! script, heredocs are not commands, and `then exec ./server` is a command.
//!
//! What cannot be known without running the script (a variable the platform sets, `$(hostname)`,
//! `cd "$DIR"` with `DIR` unknown) stays unresolved: its words keep their `$`, and the caller names
//! no file by them rather than report one missing.
//!
//! *Invariant*: the cost is linear in the script's length. Values are cut at [`MAX_VALUE`] bytes,
//! expanded lines at [`MAX_LINE`], substitutions nest at most [`MAX_DEPTH`] deep and at most
//! [`MAX_VARIABLES`] variables are kept, so `A=$A$A` repeated cannot grow without bound.

use std::collections::BTreeMap;

/// Longest value a variable keeps, in bytes.
pub const MAX_VALUE: usize = 1024;
/// Longest expanded command, in bytes; the rest of a longer one is left out.
pub const MAX_LINE: usize = 4096;
/// Deepest `$( … )` nesting evaluated; deeper ones stay unresolved.
pub const MAX_DEPTH: usize = 4;
/// Most variables remembered; later assignments are ignored.
pub const MAX_VARIABLES: usize = 256;

/// Where a script runs.
#[derive(Debug, Clone, Copy)]
pub struct ScriptContext<'a> {
    /// The platform's code directory (`/code`), where the package is extracted.
    pub code_dir: &'a str,
    /// The script's path in the package (`bootstrap`, `app/start.sh`): `$0` is this under `code_dir`.
    pub script: &'a str,
    /// The absolute directory the script starts in (its caller's), `None` when not known.
    pub cwd: Option<&'a str>,
}

/// What a command line does for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Runs a program (`exec ./server -p 9000`, `python3 app.py`).
    Run,
    /// Reads another script into this shell (`. ./env.sh`, `source lib/common.sh`); the command
    /// is the file's path.
    Source,
}

/// One command of a script, its words expanded, with the directory it runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Run or source.
    pub kind: StepKind,
    /// The command with variables, `$0` and known substitutions expanded and quotes removed;
    /// unresolved words keep their `$`.
    pub command: String,
    /// The absolute working directory at this command, `None` when a `cd` went somewhere unknown.
    pub cwd: Option<String>,
}

/// Words that start no program of the package: control flow, builtins and file utilities.
const NOT_PROGRAMS: &[&str] = &[
    "if", "fi", "for", "while", "until", "case", "esac", "{", "}", "(", ")", "function", "return", "trap", "ulimit",
    "mkdir", "cp", "mv", "rm", "chmod", "chown", "ln", "sleep", "wait", "unset", "echo", "printf", "set", "shift",
    "exit", "read", "test", "[", "[[", "true", "false", ":", "umask", "touch", "cat", "shopt", "alias", "popd", "elif",
    "done", "eval", "let", "getopts", "break", "continue",
];

/// Words a command may start with that hand the rest to the program they prefix.
const PREFIXES: &[&str] = &["exec", "then", "else", "do", "nohup", "command", "time"];

/// Words that assign variables in this shell (`export PORT=9000`).
const DECLARERS: &[&str] = &["export", "readonly", "local", "declare", "typeset"];

/// Reads `text` as the shell would run it in `ctx`, and returns its commands in order.
pub fn steps(ctx: &ScriptContext<'_>, text: &str) -> Vec<Step> {
    let mut shell = Shell { ctx: *ctx, cwd: ctx.cwd.map(str::to_string), vars: BTreeMap::new() };
    let mut out = Vec::new();
    let mut heredoc: Option<String> = None;
    for line in logical_lines(text.trim_start_matches('\u{feff}')) {
        let trimmed = line.trim();
        if let Some(end) = &heredoc {
            if trimmed == end {
                heredoc = None;
            }
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        heredoc = heredoc_end(trimmed);
        for segment in segments(trimmed) {
            shell.command(segment, &mut out);
        }
    }
    out
}

/// Lines with `\` continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for raw in text.lines() {
        let raw = raw.trim_end_matches('\r');
        match raw.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(raw);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The word that ends a heredoc opened on this line (`cat <<'EOF' > x` → `EOF`).
fn heredoc_end(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches(['-', '~']).trim_start();
    if rest.starts_with('<') {
        return None; // a here-string (`<<<`)
    }
    let word: String = rest.chars().take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | ')')).collect();
    let word = word.trim_matches(|c| c == '\'' || c == '"');
    (!word.is_empty()).then(|| word.to_string())
}

/// Splits a line at `;`, `&&`, `||`, `|` and `&` outside quotes and substitutions.
fn segments(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut scan = Scanner::default();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // `2>&1` and `&>` redirect; they separate nothing.
        let redirect = b == b'&' && (i > 0 && matches!(bytes[i - 1], b'>' | b'<') || bytes.get(i + 1) == Some(&b'>'));
        if scan.top_level() && matches!(b, b';' | b'&' | b'|') && !redirect {
            out.push(&line[start..i]);
            while i + 1 < bytes.len() && matches!(bytes[i + 1], b';' | b'&' | b'|') {
                i += 1;
            }
            start = i + 1;
        } else {
            scan.step(bytes, i);
        }
        i += 1;
    }
    out.push(&line[start..]);
    out.into_iter().map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// Tracks quotes and `$( … )` / `` ` `` nesting across a line, byte by byte.
#[derive(Default)]
struct Scanner {
    single: bool,
    double: bool,
    backtick: bool,
    parens: usize,
    escaped: bool,
}

impl Scanner {
    fn top_level(&self) -> bool {
        !self.single && !self.double && !self.backtick && self.parens == 0 && !self.escaped
    }

    fn step(&mut self, bytes: &[u8], i: usize) {
        let b = bytes[i];
        if self.escaped {
            self.escaped = false;
            return;
        }
        match b {
            b'\\' if !self.single => self.escaped = true,
            b'\'' if !self.double && !self.backtick => self.single = !self.single,
            b'"' if !self.single => self.double = !self.double,
            b'`' if !self.single => self.backtick = !self.backtick,
            b'(' if !self.single && i > 0 && bytes[i - 1] == b'$' => self.parens += 1,
            b'(' if !self.single && self.parens > 0 => self.parens += 1,
            b')' if !self.single && self.parens > 0 => self.parens -= 1,
            _ => {}
        }
    }
}

/// Splits a command into words at whitespace outside quotes and substitutions.
fn words(segment: &str) -> Vec<&str> {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut scan = Scanner::default();
    let mut start = None;
    for i in 0..bytes.len() {
        if scan.top_level() && bytes[i].is_ascii_whitespace() {
            if let Some(s) = start.take() {
                out.push(&segment[s..i]);
            }
        } else {
            start.get_or_insert(i);
            scan.step(bytes, i);
        }
    }
    if let Some(s) = start {
        out.push(&segment[s..]);
    }
    out
}

/// `NAME=value` → (`NAME`, `value`).
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, value))
}

/// `dir/file` → `dir`, as `dirname` prints it.
fn dirname(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rsplit_once('/') {
        Some(("", _)) => "/".into(),
        Some((dir, _)) => dir.to_string(),
        None if trimmed.is_empty() && path.starts_with('/') => "/".into(),
        None => ".".into(),
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved; `None` when it is relative
/// and the directory is unknown, or when it holds something unresolved.
pub fn absolute(path: &str, cwd: Option<&str>) -> Option<String> {
    if path.is_empty() || path.contains(['$', '`']) {
        return None;
    }
    let joined = if path.starts_with('/') { path.to_string() } else { format!("{}/{path}", cwd?) };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// A bounded shell: the working directory and the variables it has seen.
struct Shell<'a> {
    ctx: ScriptContext<'a>,
    cwd: Option<String>,
    vars: BTreeMap<String, Option<String>>,
}

impl Shell<'_> {
    /// `$0`: the script as the platform or its caller names it.
    fn script_path(&self) -> String {
        format!("{}/{}", self.ctx.code_dir, self.ctx.script)
    }

    /// Runs one simple command for its effect on the shell, and records it when it starts something.
    fn command(&mut self, segment: &str, out: &mut Vec<Step>) {
        let all = words(segment);
        if !all.is_empty() && all.iter().all(|w| assignment(w).is_some()) {
            // Only assignments: they set variables for the rest of the script.
            for word in &all {
                self.assign(word);
            }
            return;
        }
        // Assignments before a program set its environment only; `exec`, `then`, `env` hand the
        // rest on.
        let mut rest: &[&str] = &all;
        while let Some((first, tail)) = rest.split_first() {
            if assignment(first).is_some() || PREFIXES.contains(first) || *first == "env" {
                rest = tail;
            } else {
                break;
            }
        }
        if rest.is_empty() {
            return;
        }
        let program = rest[0];
        let args = &rest[1..];
        if DECLARERS.contains(&program) {
            for word in args.iter().filter(|w| !w.starts_with('-')) {
                self.assign(word);
            }
            return;
        }
        match program {
            "cd" | "pushd" => self.cd(args.iter().find(|a| !a.starts_with('-')).copied()),
            "." | "source" => {
                if let Some(file) = args.first() {
                    let command = self.expand(file, 0);
                    out.push(Step { kind: StepKind::Source, command, cwd: self.cwd.clone() });
                }
            }
            _ if NOT_PROGRAMS.contains(&program) || program.ends_with("()") || program.starts_with('#') => {}
            _ => {
                let mut command = String::new();
                for word in rest.iter().take_while(|w| !w.starts_with('#')) {
                    let expanded = self.expand(word, 0);
                    if command.len() + expanded.len() + 1 > MAX_LINE {
                        break;
                    }
                    if !command.is_empty() {
                        command.push(' ');
                    }
                    command.push_str(&expanded);
                }
                out.push(Step { kind: StepKind::Run, command, cwd: self.cwd.clone() });
            }
        }
    }

    fn assign(&mut self, word: &str) {
        let Some((name, value)) = assignment(word) else { return };
        if self.vars.len() >= MAX_VARIABLES && !self.vars.contains_key(name) {
            return;
        }
        let expanded = self.expand(value, 0);
        let known = (!expanded.contains(['$', '`'])).then(|| truncate(expanded, MAX_VALUE));
        self.vars.insert(name.to_string(), known);
    }

    fn cd(&mut self, target: Option<&str>) {
        self.cwd = match target {
            // `cd` alone goes to $HOME, `cd -` back: neither is known here.
            None | Some("-") => None,
            Some(dir) => absolute(&self.expand(dir, 0), self.cwd.as_deref()),
        };
    }

    /// The value of a variable, when known.
    fn lookup(&self, name: &str) -> Option<String> {
        match name {
            "0" | "BASH_SOURCE" | "BASH_SOURCE[0]" => Some(self.script_path()),
            "PWD" => self.cwd.clone(),
            _ => self.vars.get(name).cloned().flatten(),
        }
    }

    /// Expands quotes, variables and known substitutions in one word; what cannot be known keeps
    /// its `$`.
    fn expand(&self, word: &str, depth: usize) -> String {
        let chars: Vec<char> = word.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let mut single = false;
        while i < chars.len() && out.len() < MAX_LINE {
            let c = chars[i];
            match c {
                '\'' => single = !single,
                '"' if !single => {}
                '\\' if !single && i + 1 < chars.len() => {
                    out.push(chars[i + 1]);
                    i += 1;
                }
                '$' if !single && chars.get(i + 1) == Some(&'(') && chars.get(i + 2) != Some(&'(') => {
                    let end = closing(&chars, i + 1, '(', ')');
                    let inner: String = chars[i + 2..end.min(chars.len())].iter().collect();
                    match (depth < MAX_DEPTH).then(|| self.substitute(&inner, depth + 1)).flatten() {
                        Some(value) => out.push_str(&value),
                        None => out.extend(&chars[i..(end + 1).min(chars.len())]),
                    }
                    i = end;
                }
                '`' if !single => {
                    let end = chars[i + 1..].iter().position(|&c| c == '`').map_or(chars.len(), |p| i + 1 + p);
                    let inner: String = chars[i + 1..end].iter().collect();
                    match (depth < MAX_DEPTH).then(|| self.substitute(&inner, depth + 1)).flatten() {
                        Some(value) => out.push_str(&value),
                        None => out.extend(&chars[i..(end + 1).min(chars.len())]),
                    }
                    i = end;
                }
                '$' if !single && chars.get(i + 1) == Some(&'{') => {
                    let end = closing(&chars, i + 1, '{', '}');
                    let inner: String = chars[i + 2..end.min(chars.len())].iter().collect();
                    match self.parameter(&inner, depth) {
                        Some(value) => out.push_str(&value),
                        None => out.extend(&chars[i..(end + 1).min(chars.len())]),
                    }
                    i = end;
                }
                '$' if !single && chars.get(i + 1).is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') => {
                    let name_len = if chars[i + 1].is_ascii_digit() {
                        1
                    } else {
                        chars[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_').count()
                    };
                    let name: String = chars[i + 1..i + 1 + name_len].iter().collect();
                    match self.lookup(&name) {
                        Some(value) => out.push_str(&value),
                        None => {
                            out.push('$');
                            out.push_str(&name);
                        }
                    }
                    i += name_len;
                }
                _ => out.push(c),
            }
            i += 1;
        }
        truncate(out, MAX_LINE)
    }

    /// `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:=default}`, `${BASH_SOURCE[0]}`.
    fn parameter(&self, inner: &str, depth: usize) -> Option<String> {
        let split = inner.find([':', '-', '=', '+', '?', '#', '%', '/']);
        let (name, op) = match split {
            Some(at) => (&inner[..at], &inner[at..]),
            None => (inner, ""),
        };
        let value = self.lookup(name).filter(|v| !(op.starts_with(':') && v.is_empty()));
        let default = ["-", ":-", "=", ":="].iter().find_map(|p| op.strip_prefix(p));
        match (value, default) {
            (Some(v), _) if op.is_empty() || default.is_some() => Some(v),
            (None, Some(default)) => {
                let expanded = self.expand(default, depth);
                (!expanded.contains(['$', '`'])).then_some(expanded)
            }
            _ => None,
        }
    }

    /// The output of a command substitution, for the few commands whose output follows from
    /// paths: `dirname`, `basename`, `pwd`, `cd … && pwd`, `realpath`, `readlink -f`, `echo`.
    fn substitute(&self, inner: &str, depth: usize) -> Option<String> {
        let mut cwd = self.cwd.clone();
        let mut output = None;
        for segment in segments(inner) {
            let all = words(segment);
            let (program, args) = all.split_first()?;
            let operands: Vec<String> =
                args.iter().filter(|a| !a.starts_with('-')).map(|a| self.expand(a, depth)).collect();
            let first = operands.first().cloned();
            output = match *program {
                "dirname" => Some(dirname(&first?)),
                "basename" => Some(first?.rsplit('/').next().unwrap_or_default().to_string()),
                "pwd" => cwd.clone(),
                "cd" => {
                    cwd = absolute(&first?, cwd.as_deref());
                    cwd.as_ref()?;
                    None
                }
                "realpath" | "readlink" | "greadlink" => absolute(&first?, cwd.as_deref()),
                "echo" => Some(operands.join(" ")),
                _ => return None,
            };
        }
        output.filter(|o| !o.contains(['$', '`']))
    }
}

/// The index of the bracket that closes the one at `open_at`, or the end.
fn closing(chars: &[char], open_at: usize, open: char, close: char) -> usize {
    let mut depth = 0;
    for (i, &c) in chars.iter().enumerate().skip(open_at) {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    chars.len()
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str, text: &str) -> Vec<(StepKind, String, Option<String>)> {
        let ctx = ScriptContext { code_dir: "/code", script, cwd: Some("/code") };
        steps(&ctx, text).into_iter().map(|s| (s.kind, s.command, s.cwd)).collect()
    }

    fn commands(text: &str) -> Vec<String> {
        run("bootstrap", text).into_iter().map(|s| s.1).collect()
    }

    #[test]
    fn cd_moves_the_directory_commands_run_in() {
        let s = run("app/start.sh", "#!/bin/bash\ncd \"$(dirname \"$0\")\"\nexec ./server -p 9000\n");
        assert_eq!(s, [(StepKind::Run, "./server -p 9000".into(), Some("/code/app".into()))]);
        let s = run("bootstrap", "cd app && exec ./server\n");
        assert_eq!(s[0].2.as_deref(), Some("/code/app"));
        let s = run("bootstrap", "cd $SOMEWHERE\n./server\n");
        assert_eq!(s[0].2, None, "a cd to an unknown place makes relative paths unknown");
        let s = run(
            "bootstrap",
            "SCRIPT_DIR=$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\ncd \"$SCRIPT_DIR/bin\"\n./x\n",
        );
        assert_eq!(s[0].2.as_deref(), Some("/code/bin"));
    }

    #[test]
    fn variables_and_their_defaults_expand() {
        assert_eq!(commands("APP_DIR=${APP_DIR:-/code/app}\nexec $APP_DIR/server\n"), ["/code/app/server"]);
        assert_eq!(commands("export BIN=/code/bin\n\"${BIN}/run\" --port 9000\n"), ["/code/bin/run --port 9000"]);
        assert_eq!(commands("exec \"$(dirname \"$0\")/mini_httpd\" -p 9000\n"), ["/code/mini_httpd -p 9000"]);
        assert_eq!(commands("exec `dirname $0`/server\n"), ["/code/server"]);
        // What the platform sets at run time stays unresolved.
        assert_eq!(commands("exec $RUNTIME_DIR/server\n"), ["$RUNTIME_DIR/server"]);
        assert_eq!(commands("exec $(hostname)/x\n"), ["$(hostname)/x"]);
    }

    #[test]
    fn control_flow_sourcing_and_heredocs() {
        let text = "if [ -f .env ]; then . ./.env; fi\nif [ -x ./a ]; then exec ./a; else exec ./b; fi\ncat > conf <<'EOF'\n./not-a-command\nEOF\nPORT=9000 python3 app.py &\n";
        let s = run("bootstrap", text);
        let got: Vec<(StepKind, &str)> = s.iter().map(|(k, c, _)| (*k, c.as_str())).collect();
        assert_eq!(
            got,
            [
                (StepKind::Source, "./.env"),
                (StepKind::Run, "./a"),
                (StepKind::Run, "./b"),
                (StepKind::Run, "python3 app.py")
            ]
        );
        assert_eq!(
            commands("set -e\nexport PORT=9000\nPYTHONPATH=/code/lib exec python3 app.py\n# node x.js\n"),
            ["python3 app.py"]
        );
        assert_eq!(commands("exec node \\\n  server.js\n"), ["node server.js"]);
    }

    #[test]
    fn dirname_and_absolute_follow_the_shell() {
        assert_eq!(dirname("/code/bootstrap"), "/code");
        assert_eq!(dirname("bootstrap"), ".");
        assert_eq!(dirname("/bootstrap"), "/");
        assert_eq!(absolute("../x", Some("/code/app")).as_deref(), Some("/code/x"));
        assert_eq!(absolute("x", None), None);
        assert_eq!(absolute("$X/y", Some("/code")), None);
    }

    #[test]
    fn hostile_scripts_cost_what_their_length_costs() {
        let doubling = "A=xxxxxxxx\n".to_string() + &"A=$A$A\n".repeat(64) + "exec ./$A\n";
        let s = commands(&doubling);
        assert!(s[0].len() <= MAX_VALUE + 2, "{}", s[0].len());
        let nested = "exec ".to_string() + &"$(dirname ".repeat(200) + "$0" + &")".repeat(200);
        let _ = commands(&nested);
        let unbalanced = "exec \"$(dirname ${A:-$(\n'\"`\\";
        let _ = commands(unbalanced);
        let many = (0..10_000).map(|i| format!("V{i}=x\n")).collect::<String>() + "exec ./$V9999\n";
        assert_eq!(commands(&many), ["./$V9999"], "variables past the cap stay unknown");
    }
}
