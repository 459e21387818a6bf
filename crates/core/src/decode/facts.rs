//! Reading the numbers and names out of a paste: exit code, start command, port, seconds, path,
//! status code, signal, missing glibc version or library. Small hand-written scanners, no regex.

use serde::{Deserialize, Serialize};

/// How a number after "code" should be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeMechanism {
    /// `execve` failed with this errno (2 ENOENT, 8 ENOEXEC, 13 EACCES); or, rarely, the exit status.
    ExecErrnoOrExit,
    /// The process started and exited with this status.
    ExitStatus,
    /// 128 + N: killed by signal N.
    Signal,
}

/// Everything extracted from a paste.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The number after `code` (FC), `exit status` (Lambda) or `exit(` (Cloud Run).
    pub exit_code: Option<i32>,
    /// How to read [`Facts::exit_code`].
    pub code_mechanism: Option<CodeMechanism>,
    /// The text FC printed after `message:` — `strerror(code)`, meaningful only for exec errnos.
    pub fc_message: Option<String>,
    /// The start command, as the platform quoted it.
    pub start_command: Option<String>,
    /// A port the platform mentions (health check, PORT=).
    pub port: Option<u16>,
    /// A time window in seconds (health check, timeouts).
    pub seconds: Option<u32>,
    /// A file path the message is about.
    pub path: Option<String>,
    /// An HTTP-like platform status code (SCF 4xx, FC 412).
    pub status_code: Option<u16>,
    /// A platform error name (`HandlerNotFound`, `CAExited`, `Runtime.InvalidEntrypoint`).
    pub error_name: Option<String>,
    /// A signal name (`killed`, `segmentation fault`).
    pub signal: Option<String>,
    /// A symbol version the loader did not find (`GLIBC_2.34`).
    pub missing_version: Option<String>,
    /// A shared library the loader did not find.
    pub missing_library: Option<String>,
    /// The `Logs:` tail, when present.
    pub logs: Option<String>,
    /// The stage it failed at, as the words say (`deploy`, `init`, `invoke`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(default, deserialize_with = "crate::statics::opt_str")]
    pub stage: Option<crate::statics::StaticStr>,
    /// Lambda's REPORT line: the function's memory size in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_size_mb: Option<u32>,
    /// Lambda's REPORT line: the most memory the run used, in MB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_memory_used_mb: Option<u32>,
    /// Values the matched patterns read out (`module: uvicorn`), in match order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub captured: Vec<CapturedValue>,
}

/// One value a pattern read out of the paste.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapturedValue {
    /// What it is (`module`, `library`, `handler`).
    #[serde(deserialize_with = "crate::statics::str")]
    pub name: crate::statics::StaticStr,
    /// The value as pasted.
    pub value: String,
}

/// A text with its ASCII-lowercased twin, so case-insensitive searches over a large paste use the
/// standard library's fast substring search. Offsets are the same in both (ASCII lowercasing keeps
/// every byte's position).
pub struct Haystack<'a> {
    /// The text as pasted.
    pub raw: &'a str,
    lower: String,
}

impl<'a> Haystack<'a> {
    /// Lowercases once.
    pub fn new(raw: &'a str) -> Self {
        Haystack { raw, lower: raw.to_ascii_lowercase() }
    }

    /// The text ASCII-lowercased (same byte offsets as [`Haystack::raw`]).
    pub fn lower(&self) -> &str {
        &self.lower
    }

    /// Byte offset of the first case-insensitive occurrence of `needle`.
    pub fn find(&self, needle: &str) -> Option<usize> {
        if needle.bytes().any(|b| b.is_ascii_uppercase()) {
            self.lower.find(&needle.to_ascii_lowercase())
        } else {
            self.lower.find(needle)
        }
    }

    /// Like [`Haystack::find`], starting at byte `from`.
    pub fn find_from(&self, from: usize, needle: &str) -> Option<usize> {
        let tail = self.lower.get(from..)?;
        let found = if needle.bytes().any(|b| b.is_ascii_uppercase()) {
            tail.find(&needle.to_ascii_lowercase())
        } else {
            tail.find(needle)
        };
        found.map(|i| i + from)
    }

    /// Whether `needle` occurs as a word: a needle that begins (ends) with a letter or digit must not
    /// continue a word on that side, and no occurrence counts inside `<…>` (`<lambda>` is not Lambda).
    pub fn contains_word(&self, needle: &str) -> bool {
        let (first, last) = match (needle.bytes().next(), needle.bytes().last()) {
            (Some(f), Some(l)) => (f, l),
            _ => return false,
        };
        let bytes = self.lower.as_bytes();
        let mut from = 0;
        while let Some(at) = self.find_from(from, needle) {
            let end = at + needle.len();
            let before = at.checked_sub(1).map(|i| bytes[i]);
            let after = bytes.get(end).copied();
            let open_word = first.is_ascii_alphanumeric() && before.is_some_and(|b| b.is_ascii_alphanumeric());
            let runs_on = last.is_ascii_alphanumeric() && after.is_some_and(|b| b.is_ascii_alphanumeric());
            let bracketed = before == Some(b'<') && after == Some(b'>');
            if !open_word && !runs_on && !bracketed {
                return true;
            }
            from = at + 1;
            while from < bytes.len() && !self.lower.is_char_boundary(from) {
                from += 1;
            }
        }
        false
    }

    /// The raw text after the first occurrence of `needle`.
    pub fn after(&self, needle: &str) -> Option<&'a str> {
        self.find(needle).map(|i| &self.raw[i + needle.len()..])
    }
}

/// Position just after `needle` (ASCII case-insensitive), searching from `from`.
pub(crate) fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || n.len() > h.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The largest character boundary of `s` at or below byte `i`.
pub(crate) fn char_floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    &s[..char_floor(s, max)]
}

fn after<'a>(text: &'a str, needle: &str) -> Option<&'a str> {
    find_ci(text, needle).map(|i| &text[i + needle.len()..])
}

fn leading_number(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).take(9).collect();
    let n: i64 = digits.parse().ok()?;
    Some(if neg { -n } else { n })
}

fn quoted(s: &str) -> Option<String> {
    let s = s.trim_start();
    let open = s.chars().next()?;
    let close = match open {
        '\'' | '"' | '`' => open,
        '‘' => '’',
        '“' => '”',
        _ => return None,
    };
    let rest = &s[open.len_utf8()..];
    let end = rest.find(close)?;
    Some(rest[..end].to_string())
}

fn token(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '\'' | '"' | ',' | ')' | '(' | '`' | ']'))
        .take(512)
        .collect()
}

/// Platform error names worth showing as a fact (SCF's are in [`super::scf`]).
const ERROR_NAMES: &[&str] = &[
    "CAExited",
    "CAFileNotFound",
    "CAFilePermission",
    "FunctionNotStarted",
    "InternalServerError",
    "Runtime.InvalidEntrypoint",
    "Runtime.ExitError",
    "Runtime.ImportModuleError",
    "Runtime.HandlerNotFound",
    "Runtime.OutOfMemory",
    "Runtime.Unknown",
    "Sandbox.Timedout",
    "HealthCheckContainerError",
];

/// Scans a paste for facts. Linear in the text's length.
pub fn extract(h: &Haystack<'_>) -> Facts {
    let text = h.raw;
    let mut f = Facts::default();

    // FC: "exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '".
    if let Some(rest) = h.after("exited unexpectedly") {
        if let Some(code_part) = after(prefix(rest, 64), "code ") {
            f.exit_code = leading_number(code_part).map(|n| n as i32);
        }
        if let Some(m) = after(prefix(rest, 160), "message:") {
            let end = m.find(')').unwrap_or(m.len());
            f.fc_message = Some(prefix(&m[..end], 80).trim().to_string());
        }
    }
    // FC's "(code 1, message:operation not permitted)" pasted without its headline.
    if f.exit_code.is_none() {
        if let Some(at) = h.find(", message:") {
            let before = &text[..at];
            let digits: String = before.chars().rev().take_while(|c| c.is_ascii_digit()).collect();
            let head = &before[..before.len() - digits.len()];
            if !digits.is_empty() && digits.len() <= 3 && head.to_ascii_lowercase().ends_with("code ") {
                f.exit_code = digits.chars().rev().collect::<String>().parse().ok();
                let m = &text[at + ", message:".len()..];
                let end = m.find(')').unwrap_or(m.len());
                f.fc_message = Some(prefix(&m[..end], 80).trim().to_string());
            }
        }
    }
    if f.exit_code.is_none() {
        if let Some(rest) = h.after("exit status ") {
            f.exit_code = leading_number(rest).map(|n| n as i32);
        } else if let Some(rest) = h.after("container called exit(") {
            f.exit_code = leading_number(rest).map(|n| n as i32);
        } else if let Some(rest) = h.after("exit code ") {
            f.exit_code = leading_number(rest).map(|n| n as i32);
        } else if let Some(rest) = h.after("exited with code ") {
            f.exit_code = leading_number(rest).map(|n| n as i32);
        } else if let Some(rest) = h.after("exited with status ") {
            f.exit_code = leading_number(rest).map(|n| n as i32);
        }
    }
    if let Some(rest) = h.after("with start command ") {
        f.start_command = quoted(rest).map(|c| c.trim().to_string());
    }
    if let Some(rest) = h.after("signal: ") {
        let sig: String = rest.chars().take_while(|c| c.is_ascii_alphabetic() || *c == ' ').take(40).collect();
        f.signal = Some(sig.trim().to_string());
    }

    // Ports and windows.
    if let Some(rest) = h.after("on port ") {
        f.port = leading_number(rest).and_then(|n| u16::try_from(n).ok());
        if let Some(r) = after(rest, " in ") {
            f.seconds = leading_number(r).and_then(|n| u32::try_from(n).ok());
        }
    } else if let Some(rest) = h.after("PORT=") {
        f.port = leading_number(rest).and_then(|n| u16::try_from(n).ok());
    } else if let Some(rest) = h.after("dial tcp ") {
        if let Some(colon) = prefix(rest, 40).rfind(':') {
            f.port = leading_number(&rest[colon + 1..]).and_then(|n| u16::try_from(n).ok());
        }
    }
    if f.seconds.is_none() {
        if let Some(rest) = h.after("timed out after ") {
            f.seconds = leading_number(rest).and_then(|n| u32::try_from(n).ok());
        }
    }

    // Paths.
    let path_markers = [
        "the file ",
        "fork/exec ",
        "can't open file ",
        "cannot find module ",
        "unable to access jarfile ",
        "could not open input file: ",
        "no such file or directory -- ",
        "the application ",
        "failed to load ",
        "bad interpreter: ",
    ];
    for marker in path_markers {
        if let Some(rest) = h.after(marker) {
            let p = quoted(rest).unwrap_or_else(|| token(rest));
            let p = p.trim_end_matches(':').to_string();
            if !p.is_empty() && p.len() < 512 {
                f.path = Some(p);
                break;
            }
        }
    }

    // Loader.
    if let Some(rest) = h.after("version `") {
        f.missing_version = rest.split('\'').next().map(|v| v.chars().take(40).collect());
    } else if let Some(rest) = h.after("version '") {
        f.missing_version = rest.split('\'').next().map(|v| v.chars().take(40).collect());
    }
    if let Some(rest) = h.after("error while loading shared libraries: ") {
        f.missing_library = Some(rest.split(':').next().unwrap_or("").trim().chars().take(120).collect());
    } else if let Some(i) = h.find(": cannot open shared object file") {
        let before = &text[..i];
        let start = before.rfind(|c: char| c.is_whitespace() || c == '\'' || c == '"').map(|s| s + 1).unwrap_or(0);
        let lib = before[start..].to_string();
        if !lib.is_empty() {
            f.missing_library = Some(lib);
        }
    }

    for name in ERROR_NAMES {
        if let Some(i) = h.find(name) {
            f.error_name = Some((*name).to_string());
            // "412 CAExited": an HTTP-style status written just before the name.
            let before = text[..i].trim_end_matches([' ', ':', '"']);
            let digits: String = before.chars().rev().take_while(|c| c.is_ascii_digit()).collect();
            if digits.len() == 3 {
                f.status_code = digits.chars().rev().collect::<String>().parse().ok();
            }
            break;
        }
    }

    // Lambda: "REPORT RequestId: … Memory Size: 128 MB Max Memory Used: 128 MB".
    f.memory_size_mb = h.after("memory size: ").and_then(leading_number).and_then(|n| u32::try_from(n).ok());
    f.max_memory_used_mb = h.after("max memory used: ").and_then(leading_number).and_then(|n| u32::try_from(n).ok());

    if let Some(i) = h.find("logs:") {
        let tail = text[i + 5..].trim();
        if !tail.is_empty() {
            f.logs = Some(tail.chars().take(4000).collect());
        }
    }

    f.stage = crate::knowledge::STAGE_MARKERS
        .iter()
        .find(|(_, markers)| markers.iter().any(|m| h.contains_word(m)))
        .map(|(stage, _)| *stage);

    // Read the code by mechanism (errors.md §1.1).
    if let Some(code) = f.exit_code {
        let logs_explain_exit = f.logs.as_deref().is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            ["can't open file", "errno", "traceback", "error:", "not found", "no such file or directory --"]
                .iter()
                .any(|m| l.contains(m))
        });
        f.code_mechanism = Some(match code {
            8 | 13 => CodeMechanism::ExecErrnoOrExit,
            2 if !logs_explain_exit => CodeMechanism::ExecErrnoOrExit,
            129..=192 => CodeMechanism::Signal,
            _ => CodeMechanism::ExitStatus,
        });
    }
    f
}

/// The signal name for an exit status above 128.
pub fn signal_name(status: i32) -> Option<&'static str> {
    Some(match status - 128 {
        6 => "SIGABRT",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fc_exit_line() {
        let f = extract(&Haystack::new("Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '."));
        assert_eq!(f.exit_code, Some(13));
        assert_eq!(f.fc_message.as_deref(), Some("permission denied"));
        assert_eq!(f.start_command.as_deref(), Some("/code/bootstrap"));
        assert_eq!(f.code_mechanism, Some(CodeMechanism::ExecErrnoOrExit));
    }

    #[test]
    fn code_2_with_python_log_is_an_exit_status() {
        let f = extract(&Haystack::new("Function instance exited unexpectedly(code 2, message:no such file or directory) with start command '/code/bootstrap '.\nLogs:python3: can't open file '/code/not_exist_file.py': [Errno 2] No such file or directory"));
        assert_eq!(f.code_mechanism, Some(CodeMechanism::ExitStatus));
        assert_eq!(f.path.as_deref(), Some("/code/not_exist_file.py"));
    }

    #[test]
    fn health_check_port_and_seconds() {
        let f = extract(&Haystack::new("Function instance health check failed on port 9001 in 120 seconds.\\nLogs:"));
        assert_eq!((f.port, f.seconds), (Some(9001), Some(120)));
    }

    #[test]
    fn error_names_and_statuses() {
        let f = extract(&Haystack::new("412 CAExited: Function instance exited unexpectedly (code 0)"));
        assert_eq!((f.status_code, f.error_name.as_deref()), (Some(412), Some("CAExited")));
    }

    #[test]
    fn loader_messages() {
        let f = extract(&Haystack::new(
            "/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /var/task/bootstrap)",
        ));
        assert_eq!(f.missing_version.as_deref(), Some("GLIBC_2.34"));
        let f = extract(&Haystack::new(
            "bootstrap: error while loading shared libraries: libssl.so.1.1: cannot open shared object file",
        ));
        assert_eq!(f.missing_library.as_deref(), Some("libssl.so.1.1"));
    }

    #[test]
    fn nothing_in_noise() {
        let f = extract(&Haystack::new("hello world"));
        assert_eq!(f, Facts::default());
        // Multi-byte text near markers must not split a character.
        let _ = extract(&Haystack::new("exited unexpectedly(code 错误 message:错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误错误"));
    }
}
