//! Checks on scripts the kernel executes. Ids: `crlf-shebang`, `bom-before-shebang`, `shebang-missing`,
//! `shebang-interpreter-missing`.
//!
//! The kernel (binfmt_script) runs a file as a script only if its first two bytes are `#!`, and takes
//! the interpreter path up to the first space or newline — a CR included.

use super::messages::{platform_says, StartFailure};
use super::{Ctx, Finding, Severity};
use crate::archive::Entry;
use crate::entry::Target;
use crate::ids;
use crate::sniff::{FileKind, Script};

const DOS2UNIX_FIX: &str = "dos2unix {file}   # or: sed -i 's/\\r$//' {file}\n\
                            git config core.autocrlf input   # stop Git from checking out CRLF";

fn crlf_first_line(
    ctx: &Ctx<'_>,
    target: Option<&Target>,
    entry: &Entry,
    script: &Script,
    severity: Severity,
) -> Finding {
    let interpreter = script.interpreter.clone().unwrap_or_default();
    let message = target.map(|t| {
        if let Some(program) =
            interpreter.strip_prefix("/usr/bin/env ").or_else(|| interpreter.strip_prefix("/bin/env "))
        {
            let program = program.trim_end_matches('\r');
            let log = format!("/usr/bin/env: ‘{program}\\r’: No such file or directory");
            platform_says(ctx.profile, StartFailure::Exit { status: 127, log: &log }, &t.platform_path, &t.command)
        } else {
            platform_says(ctx.profile, StartFailure::Exec(2), &t.platform_path, &t.command)
        }
    });
    Finding {
        id: ids::CRLF_SHEBANG,
        severity,
        path: Some(entry.path().to_string()),
        title: format!(
            "{} has Windows line endings: the kernel looks for '{}'",
            entry.path(),
            interpreter.replace('\r', "\\r")
        ),
        evidence: vec![
            format!("first line: {}\\n (bytes … 0d 0a)", script.first_line),
            format!("interpreter as the kernel reads it: {}", interpreter.replace('\r', "\\r")),
        ],
        platform_message: message,
        explanation: "The carriage return before the newline becomes part of the interpreter's name, and no program \
                      of that name exists."
            .into(),
        fix: DOS2UNIX_FIX.replace("{file}", entry.path()),
    }
}

fn bom(ctx: &Ctx<'_>, target: Option<&Target>, entry: &Entry, script: &Script, severity: Severity) -> Finding {
    Finding {
        id: ids::BOM_BEFORE_SHEBANG,
        severity,
        path: Some(entry.path().to_string()),
        title: format!("{} starts with a UTF-8 byte-order mark before #!", entry.path()),
        evidence: vec![
            "first bytes: ef bb bf 23 21 (BOM, then #!)".into(),
            format!("first line after the BOM: {}", script.first_line),
        ],
        platform_message: target
            .map(|t| platform_says(ctx.profile, StartFailure::Exec(8), &t.platform_path, &t.command)),
        explanation: "The first two bytes are EF BB, not #!, so the kernel does not treat the file as a script and \
                      refuses it with ENOEXEC (exec format error)."
            .into(),
        fix: format!("sed -i '1s/^\\xEF\\xBB\\xBF//' {}   # or save as UTF-8 without BOM", entry.path()),
    }
}

/// Checks an executed target whose content is a script or text.
pub(crate) fn check_exec_script(ctx: &Ctx<'_>, target: &Target, entry: &Entry, kind: &FileKind) -> Vec<Finding> {
    let mut out = Vec::new();
    match kind {
        FileKind::Script(script) => {
            out.extend(check_interpreter(ctx, target, entry, script));
            if script.bom {
                out.push(bom(ctx, Some(target), entry, script, Severity::Error));
            }
            if script.first_line_crlf {
                out.push(crlf_first_line(ctx, Some(target), entry, script, Severity::Error));
            } else if script.any_crlf {
                out.push(Finding {
                    id: ids::CRLF_SHEBANG,
                    severity: Severity::Warning,
                    path: Some(entry.path().to_string()),
                    title: format!("{} has Windows line endings after its first line", entry.path()),
                    evidence: vec![
                        format!("first line ends in LF: {}", script.first_line),
                        "later lines end in CR LF (0d 0a)".into(),
                    ],
                    platform_message: Some(format!("{}: line 2: $'\\r': command not found", target.platform_path)),
                    explanation: "The script starts, but the shell sees a trailing \\r on each command, so commands \
                                  and paths are not found."
                        .into(),
                    fix: DOS2UNIX_FIX.replace("{file}", entry.path()),
                });
            }
        }
        FileKind::Text { bom: has_bom, utf16, crlf } => {
            let mut evidence = vec![format!("{} does not start with #!", entry.path())];
            if *utf16 {
                evidence
                    .push("UTF-16 text (starts with ff fe or fe ff), as Windows PowerShell writes by default".into());
            } else if *has_bom {
                evidence.push("starts with a UTF-8 byte-order mark (ef bb bf)".into());
            }
            if *crlf {
                evidence.push("also has CR LF line endings".into());
            }
            out.push(Finding {
                id: ids::SHEBANG_MISSING,
                severity: Severity::Error,
                path: Some(entry.path().to_string()),
                title: format!("{} is a text file without a #! line", entry.path()),
                evidence,
                platform_message: Some(platform_says(
                    ctx.profile,
                    StartFailure::Exec(8),
                    &target.platform_path,
                    &target.command,
                )),
                explanation: "The platform executes the file directly. A script without #!interpreter on its first \
                              line is refused with ENOEXEC (exec format error); only a shell would guess /bin/sh."
                    .into(),
                fix: format!(
                    "sed -i '1i #!/usr/bin/env bash' {0}   # then: dos2unix {0} if it came from Windows",
                    entry.path()
                ),
            });
        }
        FileKind::Empty => out.push(Finding {
            id: ids::SHEBANG_MISSING,
            severity: Severity::Error,
            path: Some(entry.path().to_string()),
            title: format!("{} is empty", entry.path()),
            evidence: vec![format!("{}: 0 bytes", entry.path())],
            platform_message: Some(platform_says(
                ctx.profile,
                StartFailure::Exec(8),
                &target.platform_path,
                &target.command,
            )),
            explanation: "An empty file is neither a program nor a script: exec fails with ENOEXEC.".into(),
            fix: "Put your start script or binary in the package (check the build step that produced it).".into(),
        }),
        _ => {}
    }
    out
}

/// `/usr/bin/python3.11` → `python`: the command a path names, without version digits.
fn base_name(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).chars().take_while(|c| c.is_ascii_alphabetic()).collect()
}

/// Paths that only exist on a developer's machine.
const BUILD_MACHINE_PREFIXES: &[&str] = &["/usr/local/", "/opt/homebrew/", "/home/", "/Users/", "/nix/", "/root/"];

/// The `#!` line of an executed script names something the image does not have.
pub(crate) fn check_interpreter(ctx: &Ctx<'_>, target: &Target, entry: &Entry, script: &Script) -> Option<Finding> {
    if script.first_line_crlf || !script.has_shebang {
        return None; // crlf-shebang / shebang-missing say it better
    }
    if script.first_line.len() > 127 {
        return Some(Finding {
            id: ids::SHEBANG_INTERPRETER_MISSING,
            severity: Severity::Warning,
            path: Some(entry.path().to_string()),
            title: format!("{}'s #! line is {} bytes long", entry.path(), script.first_line.len()),
            evidence: vec![format!("first line: {}", script.first_line)],
            platform_message: None,
            explanation: "Linux before 5.1 reads only the first 127 bytes of a #! line (later kernels 255): a longer \
                          interpreter path is cut and not found."
                .into(),
            fix: "Use a short interpreter path (#!/bin/sh) and exec the long one from the script's body.".into(),
        });
    }
    let line = script.first_line.trim_start_matches("#!").trim();
    let (program, rest) = line.split_once([' ', '\t']).map(|(p, r)| (p, r.trim())).unwrap_or((line, ""));
    let profile = ctx.profile;
    let known = |path: &str| {
        profile.interpreters.iter().any(|i| if i.ends_with('/') { path.starts_with(i) } else { *i == path })
    };
    let in_package =
        |path: &str| crate::entry::package_path(path, profile.code_dir).is_some_and(|p| ctx.lookup(&p).is_some());
    let (severity, problem, log) = if program.ends_with("/env") && !rest.is_empty() {
        if rest.contains(char::is_whitespace) && !rest.starts_with("-S") {
            (
                Severity::Error,
                format!("env is asked for a program named '{rest}': the kernel passes everything after the interpreter as one argument"),
                format!("/usr/bin/env: ‘{rest}’: No such file or directory"),
            )
        } else if profile.absent_commands.contains(&rest) {
            (
                Severity::Error,
                format!("{} has no {rest} on PATH: it is an OS-only image", profile.image),
                format!("/usr/bin/env: ‘{rest}’: No such file or directory"),
            )
        } else if rest == "sh" || rest == "bash" || rest.starts_with("-S") {
            return None;
        } else {
            (
                Severity::Warning,
                format!("{rest} is not known to be on PATH in {}", profile.image),
                format!("/usr/bin/env: ‘{rest}’: No such file or directory"),
            )
        }
    } else if known(program) || in_package(program) {
        return None;
    } else if profile.absent_commands.contains(&base_name(program).as_str()) {
        (
            Severity::Error,
            format!("{} is an OS-only image: it has no {program}", profile.image),
            format!("{}: {program}: bad interpreter: No such file or directory", target.platform_path),
        )
    } else if BUILD_MACHINE_PREFIXES.iter().any(|p| program.starts_with(p)) {
        (
            Severity::Error,
            format!("{program} is a path on the machine that built the package"),
            format!("{}: {program}: bad interpreter: No such file or directory", target.platform_path),
        )
    } else if !program.starts_with('/') {
        (
            Severity::Warning,
            format!("{program} is a relative path: the kernel resolves it against the working directory, which the platform does not promise"),
            format!("{}: {program}: bad interpreter: No such file or directory", target.platform_path),
        )
    } else {
        (
            Severity::Warning,
            format!("{program} is not among the interpreters Bootdoctor knows {} has", profile.image),
            format!("{}: {program}: bad interpreter: No such file or directory", target.platform_path),
        )
    };
    Some(Finding {
        id: ids::SHEBANG_INTERPRETER_MISSING,
        severity,
        path: Some(entry.path().to_string()),
        title: format!("{}'s #! line names an interpreter the image may not have", entry.path()),
        evidence: vec![format!("first line: {}", script.first_line), problem],
        platform_message: Some(platform_says(profile, StartFailure::Exit { status: 127, log: &log }, &target.platform_path, &target.command)),
        explanation: "The kernel starts the interpreter named on the #! line. If it does not exist in the image, the \
                      start fails with 'No such file or directory' although the script is there."
            .into(),
        fix: "Use #!/bin/bash (or #!/bin/sh) and call the language runtime by its absolute path in the image — FC: \
              /var/fc/lang/<runtime>/bin/…, SCF: /var/lang/<lang><version>/bin/… — or ship the interpreter in the package. \
              For options use #!/bin/bash -e or 'set -e', not env with arguments."
            .into(),
    })
}

/// Scripts elsewhere in the package that a bootstrap may run: CRLF shebangs and BOMs are warnings
/// there, since the evidence that they are run is indirect (they are executable or named `.sh`).
pub(crate) fn check_other_scripts(ctx: &Ctx<'_>, checked: &[usize]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (&index, kind) in sorted(ctx) {
        if checked.contains(&index) {
            continue;
        }
        let entry = &ctx.entries[index];
        let FileKind::Script(script) = kind else { continue };
        let plausible = entry.is_executable() || entry.path().ends_with(".sh");
        if !plausible {
            continue;
        }
        if script.first_line_crlf {
            let mut f = crlf_first_line(ctx, None, entry, script, Severity::Warning);
            f.explanation.push_str(" This is not the entry, so it fails only when something runs it.");
            out.push(f);
        }
        if script.bom {
            out.push(bom(ctx, None, entry, script, Severity::Warning));
        }
    }
    out
}

fn sorted<'a>(ctx: &'a Ctx<'_>) -> Vec<(&'a usize, &'a FileKind)> {
    let mut v: Vec<_> = ctx.kinds.iter().collect();
    v.sort_by_key(|(i, _)| **i);
    v
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, ids, run};
    use crate::synth::ZipBuilder;

    fn one(script: &[u8]) -> Vec<u8> {
        ZipBuilder::new().unix_file("bootstrap", 0o755, script).finish()
    }

    #[test]
    fn crlf_shebang_fires_with_fc_message() {
        let i = run(one(b"#!/usr/bin/env bash\r\nnode /code/index.js\r\n"), "aliyun-fc", "");
        assert_eq!(errors(&i), ["crlf-shebang"]);
        let msg = i.findings[0].platform_message.clone().unwrap();
        assert!(msg.contains("code 127, message:key has expired"), "{msg}");
        assert!(msg.contains("bash\\r"), "{msg}");
        let i = run(one(b"#!/bin/bash\r\necho ready\r\n"), "aws-lambda-al2023", "");
        assert!(i.findings[0]
            .platform_message
            .as_deref()
            .unwrap()
            .contains("fork/exec /var/task/bootstrap: no such file or directory"));
    }

    #[test]
    fn lf_script_is_clean() {
        assert!(ids(&run(one(b"#!/bin/bash\necho ready\n"), "aliyun-fc", "")).is_empty());
    }

    #[test]
    fn later_crlf_is_a_warning() {
        let i = run(one(b"#!/bin/bash\necho ready\r\n"), "aliyun-fc", "");
        assert!(errors(&i).is_empty());
        assert_eq!(ids(&i), ["crlf-shebang"]);
    }

    #[test]
    fn bom_fires() {
        let i = run(one(b"\xef\xbb\xbf#!/bin/sh\necho ready\n"), "aliyun-fc", "");
        assert_eq!(errors(&i), ["bom-before-shebang"]);
        assert!(i.findings[0].platform_message.as_deref().unwrap().contains("code 8, message:exec format error"));
    }

    #[test]
    fn shebang_missing_fires_and_not_for_binaries() {
        assert_eq!(errors(&run(one(b"python3 app.py\n"), "aliyun-fc", "")), ["shebang-missing"]);
        assert_eq!(errors(&run(one(b"\xff\xfeh\0i\0"), "aliyun-fc", "")), ["shebang-missing"]);
        assert_eq!(errors(&run(one(b""), "aliyun-fc", "")), ["shebang-missing"]);
    }

    #[test]
    fn interpreters_the_image_lacks() {
        let i = run(one(b"#!/usr/bin/env bash -e\necho ready\n"), "aliyun-fc", "");
        assert_eq!(errors(&i), ["shebang-interpreter-missing"]);
        assert!(
            i.findings[0].platform_message.as_deref().unwrap().contains("'bash -e'")
                || i.findings[0].platform_message.as_deref().unwrap().contains("‘bash -e’")
        );
        assert_eq!(
            errors(&run(one(b"#!/usr/bin/env python3\nprint(1)\n"), "aws-lambda-al2023", "")),
            ["shebang-interpreter-missing"]
        );
        assert_eq!(
            errors(&run(one(b"#!/usr/local/bin/python3.12\nprint(1)\n"), "aliyun-fc", "")),
            ["shebang-interpreter-missing"]
        );
        let i = run(one(b"#!/usr/bin/env node\n"), "aliyun-fc", "");
        assert_eq!(ids(&i), ["shebang-interpreter-missing"]);
        assert!(errors(&i).is_empty(), "unknown on FC: a warning");
    }

    #[test]
    fn absolute_interpreters_absent_from_os_only_images() {
        let i = run(one(b"#!/usr/bin/python\nprint(1)\n"), "aws-lambda-al2", "");
        assert_eq!(errors(&i), ["shebang-interpreter-missing"]);
        assert!(i.findings[0].evidence.iter().any(|e| e.contains("OS-only")));
    }

    #[test]
    fn known_interpreters_do_not_fire() {
        for ok in [
            &b"#!/bin/bash\n"[..],
            b"#!/usr/bin/env bash\n",
            b"#!/bin/sh -e\n",
            b"#!/usr/bin/env -S bash -e\n",
            b"#!/var/fc/lang/python3.10/bin/python3\n",
        ] {
            assert!(ids(&run(one(ok), "aliyun-fc", "")).is_empty(), "{}", String::from_utf8_lossy(ok));
        }
        assert!(!ids(&run(one(b"#!/var/lang/python39/bin/python3.9\n"), "tencent-scf", ""))
            .contains(&"shebang-interpreter-missing"));
        // An interpreter shipped in the package.
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/code/bin/node\n")
            .unix_file("bin/node", 0o755, b"\x7fELF")
            .finish();
        assert!(!ids(&run(zip, "aliyun-fc", "")).contains(&"shebang-interpreter-missing"));
    }

    #[test]
    fn other_scripts_warn_only_when_runnable() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\n./setup.sh\nexec ./run.sh\n")
            .unix_file("setup.sh", 0o755, b"#!/bin/bash\r\necho\r\n")
            .unix_file("run.sh", 0o755, b"#!/bin/bash\necho\n")
            .unix_file("tools/other.sh", 0o755, b"#!/bin/bash\r\necho\r\n")
            .unix_file("notes", 0o644, b"#!/bin/bash\r\n")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        // setup.sh is run by an earlier command than the last (it may sit in a branch): a warning
        // that says who runs it; tools/other.sh is runnable but run by nothing: a warning.
        assert!(errors(&i).is_empty(), "{:?}", errors(&i));
        let crlf: Vec<_> = i.findings.iter().filter(|f| f.id == "crlf-shebang").collect();
        assert_eq!(crlf.iter().map(|f| f.path.as_deref().unwrap()).collect::<Vec<_>>(), ["setup.sh", "tools/other.sh"]);
        assert_eq!(crlf[0].evidence[0], "bootstrap runs it: ./setup.sh");
        assert!(i.findings.iter().all(|f| f.path.as_deref() != Some("notes")));
    }

    #[test]
    fn a_script_the_bootstrap_execs_fails_the_start() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec ./run.sh\n")
            .unix_file("run.sh", 0o755, b"#!/bin/bash\r\necho\r\n")
            .finish();
        assert_eq!(errors(&run(zip, "aliyun-fc", "")), ["crlf-shebang"]);
    }

    #[test]
    fn scripts_are_followed_where_the_shell_goes() {
        // `cd` into the script's own directory, then a relative path: the file under app/.
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\ncd \"$(dirname \"$0\")/app\"\nexec ./run.sh\n")
            .unix_file("app/run.sh", 0o755, b"#!/bin/bash\r\necho\r\n")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["crlf-shebang"]);
        assert!(!ids(&i).contains(&"entry-missing"), "{:?}", ids(&i));
        // A default the script gives its variable is where it looks.
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nAPP=${APP:-/code/srv}\nexec \"$APP/run.sh\"\n")
            .unix_file("srv/run.sh", 0o755, b"#!/bin/bash\r\necho\r\n")
            .finish();
        assert_eq!(errors(&run(zip, "aliyun-fc", "")), ["crlf-shebang"]);
    }

    #[test]
    fn what_only_the_platform_knows_names_no_missing_file() {
        let i = run(one(b"#!/bin/bash\nexec \"$RUNTIME_ROOT/server\" --port 9000\n"), "aliyun-fc", "");
        assert!(!ids(&i).contains(&"entry-missing"), "{:?}", ids(&i));
        let i = run(one(b"#!/bin/bash\ncd \"$WORKDIR\"\nexec ./server\n"), "aliyun-fc", "");
        assert!(!ids(&i).contains(&"entry-missing"), "{:?}", ids(&i));
    }

    #[test]
    fn a_sourced_file_is_read_as_shell_and_needs_no_execute_bit() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\n. ./env.sh\nexec python3 app.py\n")
            .unix_file("env.sh", 0o644, b"export X=1\n./prepare\n")
            .unix_file("app.py", 0o644, b"print(1)\n")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        let missing: Vec<_> = i.findings.iter().filter(|f| f.id == "entry-missing").collect();
        assert_eq!(missing.len(), 1, "{:?}", ids(&i));
        assert_eq!(missing[0].path.as_deref(), Some("prepare"));
        assert!(missing[0].title.starts_with("env.sh runs ./prepare"), "{}", missing[0].title);
        assert!(!ids(&i).contains(&"exec-bit-missing"), "{:?}", ids(&i));
    }
}
