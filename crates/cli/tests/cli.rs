//! The `bootdoctor` binary end to end: exit statuses, text and JSON output, stdin, bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use bootdoctor_core::synth::ZipBuilder;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bootdoctor"))
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bootdoctor-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // A command that refuses its arguments exits without reading: a broken pipe here is its answer,
    // not a test failure (the exit status and stderr are checked by the caller).
    if let Err(e) = child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn clean_package_exits_0() {
    let zip =
        temp_file("good.zip", &ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/bash\necho ready\n").finish());
    let out = bin().args(["check", zip.to_str().unwrap(), "--platform", "aliyun-fc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 errors"));
}

#[test]
fn fix_refuses_formats_it_cannot_write_and_platforms_state_port_rules() {
    let zip = temp_file("fmt.zip", &ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\necho\n").finish());
    let out_zip = std::env::temp_dir().join(format!("bootdoctor-fmt-{}.zip", std::process::id()));
    for format in ["markdown", "sarif"] {
        let out = bin()
            .args(["fix", zip.to_str().unwrap(), "-o", out_zip.to_str().unwrap(), "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("fix reports in text or json"), "{err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(!out_zip.exists(), "nothing written for a refused format");
    }
    let out = bin().arg("platforms").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("port the one the platform assigns in $FUNCTIONS_CUSTOMHANDLER_PORT"), "{text}");
    assert!(text.contains("port 9000 (or $FC_SERVER_PORT when set)"), "{text}");
    assert!(!text.contains("none (runtime API)"), "{text}");
}

#[test]
fn a_verdict_covers_only_what_was_read() {
    // More likely executables than the sniff budget reads: no finding, yet not a clean bill.
    let mut many = ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/bash\necho ready\n");
    for i in 0..=bootdoctor_core::checks::SNIFF_BUDGET {
        many = many.unix_file(&format!("bin/tool{i}"), 0o755, b"#!/bin/sh\necho\n");
    }
    let zip = temp_file("many.zip", &many.finish());
    let out = bin().args(["check", zip.to_str().unwrap(), "--platform", "aliyun-fc"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Nothing that was read stops it starting."), "{text}");
    assert!(text.contains("not analysed: files past the first 2000 likely executables"), "{text}");
    assert!(!text.contains("Nothing in the package stops it starting"), "{text}");
    // A package read whole gets the plain verdict and no gaps.
    let good =
        temp_file("whole.zip", &ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/bash\necho ready\n").finish());
    let out = bin().args(["check", good.to_str().unwrap(), "--platform", "aliyun-fc"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Nothing in the package stops it starting.") && !text.contains("not analysed"), "{text}");
}

#[test]
fn broken_package_exits_1_with_text_and_json() {
    let zip =
        temp_file("win.zip", &ZipBuilder::new().dos_file("bootstrap", b"#!/bin/bash\r\nexec ./main\r\n").finish());
    let out = bin().args(["check", zip.to_str().unwrap(), "--platform", "aliyun-fc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error[exec-bit-missing] bootstrap"), "{text}");
    assert!(text.contains("error[crlf-shebang]"), "{text}");
    assert!(text.contains("code 13, message:permission denied"), "{text}");

    let out = bin()
        .args(["check", zip.to_str().unwrap(), "--platform", "aws-lambda-al2023", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["platform"], "aws-lambda-al2023");
    let findings = v["findings"].as_array().unwrap();
    let ids: Vec<&str> = findings.iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"exec-bit-missing") && ids.contains(&"crlf-shebang"), "{ids:?}");
    for f in findings {
        for key in ["id", "severity", "path", "title", "evidence", "fix", "platform_message", "explanation"] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
    }
    assert_eq!(v["package"]["entries"], 1);
}

#[test]
fn check_with_error_from_stdin_ranks_the_confirmed_cause() {
    let zip =
        temp_file("perm.zip", &ZipBuilder::new().unix_file("bootstrap", 0o644, b"#!/bin/sh\nexec ./main\n").finish());
    let out = run_with_stdin(
        &["check", zip.to_str().unwrap(), "--error", "-", "--format", "json"],
        "Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.",
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["platform"], "aliyun-fc");
    assert_eq!(v["platform_basis"], "detected");
    assert_eq!(v["hypotheses"][0]["cause"], "exec-bit-missing");
    assert!(v["hypotheses"][0]["package_note"].as_str().unwrap().starts_with("Confirmed"));
}

#[test]
fn start_command_and_handler_flags() {
    let zip = temp_file("py.zip", &ZipBuilder::new().unix_file("app.py", 0o644, b"print(1)\n").finish());
    let ok = bin().args(["check", zip.to_str().unwrap(), "--start-command", "python3 app.py"]).output().unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stdout));
    let missing = bin()
        .args([
            "check",
            zip.to_str().unwrap(),
            "--platform",
            "tencent-scf",
            "--handler",
            "index.main_handler",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(json(&missing)["findings"][0]["id"], "entry-missing");
}

#[test]
fn managed_runtimes_check_the_handler_not_a_bootstrap() {
    let code = b"import boto3\n\ndef handler(event, context):\n    return 1\n";
    let zip = ZipBuilder::new()
        .unix_file("src/app.py", 0o644, code)
        .unix_file("requirements.txt", 0o644, b"boto3\n")
        .finish();
    let zip = temp_file("managed.zip", &zip);
    let check = |handler: &str| {
        let mut args = vec!["check", zip.to_str().unwrap(), "--platform", "aws-lambda-python3.12", "--format", "json"];
        if !handler.is_empty() {
            args.extend(["--handler", handler]);
        }
        bin().args(&args).output().unwrap()
    };
    // The console default names a file the package lacks.
    let default = check("");
    assert_eq!(default.status.code(), Some(1));
    assert_eq!(json(&default)["findings"][0]["id"], "entry-missing");
    // The file is there, the function is not.
    let misnamed = check("src.app.lambda_handler");
    assert_eq!(json(&misnamed)["findings"][0]["id"], "handler-misnamed");
    // Both right, and boto3 ships with the runtime: clean.
    let good = check("src/app.handler");
    assert_eq!(good.status.code(), Some(0), "{}", String::from_utf8_lossy(&good.stdout));
}

#[test]
fn explain_sorts_hypotheses_and_reports_platform() {
    let out = run_with_stdin(&["explain", "--format", "json"], "437 HandlerNotFound");
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["platform"], "tencent-scf");
    let hs = v["hypotheses"].as_array().unwrap();
    assert_eq!(hs[0]["cause"], "entry-missing");
    let confidences: Vec<u64> = hs.iter().map(|h| h["confidence"].as_u64().unwrap()).collect();
    assert!(confidences.windows(2).all(|w| w[0] >= w[1]), "{confidences:?}");
    for h in hs {
        assert!(h["title"].is_string() && h["fix"].is_string());
    }

    let file = temp_file("err.txt", b"Function instance exited unexpectedly(code 127, message:key has expired) with start command '/code/bootstrap '.\nLogs:/usr/bin/env: \xe2\x80\x98bash\\r\xe2\x80\x99: No such file or directory");
    let out = bin().args(["explain", file.to_str().unwrap()]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[crlf-shebang]"), "{text}");
    assert!(text.contains("key has expired"), "{text}");
}

#[test]
fn explain_unknown_text_has_null_platform_and_no_guess() {
    let out = run_with_stdin(&["explain", "--format", "json"], "my function is sad");
    let v = json(&out);
    assert!(v["platform"].is_null());
    assert!(v["hypotheses"].as_array().unwrap().is_empty());
}

#[test]
fn unusable_input_exits_2_with_a_message() {
    let not_zip = temp_file("notes.zip", b"this is not a zip");
    let out = bin().args(["check", not_zip.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a zip"));

    let out = bin().args(["check", "/nonexistent/x.zip"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));

    let zip = temp_file("ok.zip", &ZipBuilder::new().unix_file("bootstrap", 0o755, b"#!/bin/sh\n").finish());
    let out = bin().args(["check", zip.to_str().unwrap(), "--platform", "heroku"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("aws-lambda-al2023"));

    let empty = temp_file("empty.zip", b"");
    let out = bin().args(["check", empty.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty"));

    let out = run_with_stdin(&["explain"], "   ");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn platforms_lists_every_profile() {
    let out = bin().arg("platforms").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for id in bootdoctor_core::profiles::profile_ids() {
        assert!(text.contains(id), "{id}");
    }
}

#[test]
fn markdown_sarif_and_share_links() {
    let zip = temp_file("md.zip", &ZipBuilder::new().dos_file("bootstrap", b"#!/bin/bash\r\nexec ./main\r\n").finish());
    let path = zip.to_str().unwrap();
    let out = bin()
        .args([
            "check",
            path,
            "--platform",
            "aliyun-fc",
            "--format",
            "markdown",
            "--link",
            "--base-url",
            "https://dr.example/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(md.starts_with("## Bootdoctor: `md.zip` on Alibaba Cloud"), "{md}");
    assert!(md.contains("(`exec-bit-missing`)"));
    assert!(md.contains("[Open this diagnosis in Bootdoctor](https://dr.example/#/r/1."), "{md}");

    let out = bin()
        .args(["check", path, "--platform", "aliyun-fc", "--format", "sarif", "--link"])
        .env("BOOTDOCTOR_BASE_URL", "https://env.example/")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log = json(&out);
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "exec-bit-missing" && r["level"] == "error"));
    assert_eq!(results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let url = stderr.trim().strip_prefix("share: ").unwrap_or_else(|| panic!("{stderr}"));
    assert!(url.starts_with("https://env.example/#/r/1."), "{url}");

    // The link opens to the same findings.
    let fragment = url.split_once('#').unwrap().1;
    let state = bootdoctor_core::share::decode_link(fragment).unwrap();
    let ids: Vec<String> = state.findings.iter().map(|f| f.id.clone()).collect();
    assert!(ids.contains(&"exec-bit-missing".to_string()) && ids.contains(&"crlf-shebang".to_string()), "{ids:?}");
    assert_eq!(state.paste, None);

    // explain: the error travels only with --share-error, redacted.
    let paste =
        "RequestId: 6e2b1a9c-7d3f-4b8e-9a1c-2f4e6d8b0a1c Error: fork/exec /var/task/bootstrap: exec format error";
    let out = run_with_stdin(&["explain", "--link", "--share-error"], paste);
    let text = String::from_utf8_lossy(&out.stdout);
    let url = text.lines().find_map(|l| l.strip_prefix("Share: ")).unwrap_or_else(|| panic!("{text}"));
    let state = bootdoctor_core::share::decode_link(url.split_once('#').unwrap().1).unwrap();
    let shared = state.paste.unwrap();
    assert!(shared.contains("exec format error") && !shared.contains("6e2b1a9c"), "{shared}");
    let out = run_with_stdin(&["explain", "--format", "sarif"], paste);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fix_writes_a_repaired_package_and_reports_what_is_left() {
    let zip = temp_file(
        "tofix.zip",
        &ZipBuilder::new()
            .dos_file("app/bootstrap", b"#!/bin/bash\r\nexec python3 app.py\r\n")
            .dos_file("app/app.py", b"print(1)\n")
            .finish(),
    );
    let out_path = zip.with_file_name("fixed.zip");
    let out = bin()
        .args(["fix", zip.to_str().unwrap(), "-o", out_path.to_str().unwrap(), "--platform", "aliyun-fc"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 entries moved out of the wrapper folder app/"), "{text}");
    assert!(text.contains("Fixed: entry-nested"), "{text}");
    assert!(
        text.contains("bootstrap: 2 lines from CRLF to LF") && text.contains("1 other file given mode 0644"),
        "{text}"
    );
    let again = bin()
        .args(["check", out_path.to_str().unwrap(), "--platform", "aliyun-fc", "--format", "json"])
        .output()
        .unwrap();
    let v = json(&again);
    let ids: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    for gone in ["entry-nested", "exec-bit-missing", "crlf-shebang"] {
        assert!(!ids.contains(&gone), "{gone} in {ids:?}");
    }
    let same = bin().args(["fix", zip.to_str().unwrap(), "-o", zip.to_str().unwrap()]).output().unwrap();
    assert_eq!(same.status.code(), Some(2));
    let json_out = bin()
        .args(["fix", zip.to_str().unwrap(), "-o", out_path.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v = json(&json_out);
    assert!(v["actions"].as_array().unwrap().iter().any(|a| a["kind"] == "unwrapped"));
    assert!(v["before"]["findings"].is_array() && v["after"]["findings"].is_array());
}

/// The page and the CLI rank the same way: `explain - --format json` with no platform gives the
/// order `report::diagnose` (what the page runs) gives, on real pastes from the corpus.
#[test]
fn explain_ranks_real_errors_as_the_engine_does() {
    use bootdoctor_core::report::{diagnose, Request};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/pastes");
    let mut pastes = Vec::new();
    for name in ["aws-lambda-managed.txt", "aliyun-fc.txt", "tencent-scf.txt", "gcp.txt", "other-platforms.txt"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        // Every fourth paste of each file: a spread of platforms and shapes without 400 processes.
        pastes.extend(
            text.split("@@@ paste\n")
                .skip(1)
                .step_by(4)
                .map(|p| p.split("@@@ case").next().unwrap().trim_end().to_string()),
        );
    }
    assert!(pastes.len() >= 40, "{}", pastes.len());
    for paste in &pastes {
        let out = run_with_stdin(&["explain", "-", "--format", "json"], paste);
        let cli: Vec<String> = json(&out)["hypotheses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| format!("{}:{}", h["cause"].as_str().unwrap(), h["confidence"]))
            .collect();
        let request = Request { error_text: Some(paste.clone()), ..Request::default() };
        let engine: Vec<String> = diagnose::<std::io::Cursor<Vec<u8>>>(None, &request)
            .unwrap()
            .hypotheses
            .iter()
            .map(|h| format!("{}:{}", h.cause, h.confidence))
            .collect();
        assert_eq!(cli, engine, "{paste}");
    }
}

#[test]
fn control_and_bidi_characters_in_names_and_pastes_are_shown_not_obeyed() {
    let zip = temp_file(
        "ansi.zip",
        &ZipBuilder::new()
            .dos_file("bootstrap", b"#!/bin/sh\necho\n")
            .dos_file("evil\x1b[31mred\u{202e}txt.exe", b"x")
            .finish(),
    );
    for format in ["text", "markdown"] {
        let out = bin()
            .args(["check", zip.to_str().unwrap(), "--platform", "aliyun-fc", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains('\x1b') && !text.contains('\u{202e}'), "{format}: {text:?}");
    }
    let out = run_with_stdin(
        &["explain", "-"],
        "exited unexpectedly(code 13, message:permission denied)\x1b]0;owned\x07\r\x1b[2K",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\\u{1b}"), "{text}");
    assert!(!text.chars().any(|c| c == '\x1b' || c == '\x07' || c == '\r'), "{text:?}");
}

#[test]
fn a_closed_stdout_ends_the_cli_quietly() {
    let zip = temp_file("pipe.zip", &ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\necho\n").finish());
    let mut child = bin()
        .args(["check", zip.to_str().unwrap(), "--platform", "aliyun-fc", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.code().is_some(), "killed by a signal: {:?}", out.status);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn fix_refuses_to_write_over_its_input_by_any_name() {
    let zip = temp_file("linked.zip", &ZipBuilder::new().dos_file("bootstrap", b"#!/bin/sh\necho\n").finish());
    let link = zip.with_file_name("hard-link.zip");
    let _ = std::fs::remove_file(&link);
    std::fs::hard_link(&zip, &link).unwrap();
    let before = std::fs::read(&zip).unwrap();
    for output in [&link, &zip] {
        let out = bin().args(["fix", zip.to_str().unwrap(), "-o", output.to_str().unwrap()]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("different file"));
    }
    assert_eq!(std::fs::read(&zip).unwrap(), before);
}

#[test]
fn fix_writes_no_name_that_leaves_the_package() {
    let zip = temp_file(
        "slip.zip",
        &ZipBuilder::new()
            .dos_file("bootstrap", b"#!/bin/sh\necho\n")
            .unix_file("../../etc/passwd", 0o644, b"root::0:0::/:/bin/sh\n")
            .dos_file("\\\\server\\share\\x", b"x")
            .finish(),
    );
    let output = zip.with_file_name("slip-fixed.zip");
    let out = bin()
        .args(["fix", zip.to_str().unwrap(), "-o", output.to_str().unwrap(), "--platform", "aliyun-fc"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("left out"), "{text}");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&output).unwrap()).unwrap();
    let names: Vec<String> =
        (0..archive.len()).map(|i| archive.by_index_raw(i).unwrap().name().unwrap().to_string()).collect();
    assert_eq!(names, ["bootstrap"]);
}

#[test]
fn completions_print_for_every_shell_and_help_has_examples() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef bootdoctor"),
        ("fish", "complete -c bootdoctor"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}: no {marker:?}");
        // Every subcommand is completed.
        for sub in ["check", "explain", "fix", "platforms", "completions"] {
            assert!(script.contains(sub), "{shell} completes no {sub}");
        }
    }
    let out = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    for sub in ["check", "explain", "fix", "platforms", "completions"] {
        let help = String::from_utf8(bin().args([sub, "--help"]).output().unwrap().stdout).unwrap();
        assert!(help.contains("Example"), "{sub} --help has no example");
    }
}
