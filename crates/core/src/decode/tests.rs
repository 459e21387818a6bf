//! Decoder tests: every example in both seed documents decodes to its documented cause.

use super::*;

fn top(text: &str) -> Vec<&'static str> {
    decode(text, None).hypotheses.iter().map(|h| h.cause).collect()
}

fn assert_top(text: &str, expected: &str) {
    let causes = top(text);
    assert_eq!(causes.first().copied(), Some(expected), "{text}\n→ {causes:?}");
}

fn assert_top3(text: &str, expected: &str) {
    let causes = top(text);
    assert!(causes.iter().take(3).any(|c| *c == expected), "{text}\n→ {causes:?}");
}

// ---- Alibaba FC seed: Custom Runtime error handling ----

#[test]
fn fc_bootstrap_not_exist() {
    assert_top("The function cannot be started. Failed to start function instance. Error: the file /code/bootstrap is not exist", "entry-missing");
    let d = decode("Error: the file /code/bootstrap is not exist", None);
    assert_eq!(d.variables.path.as_deref(), Some("/code/bootstrap"));
    assert_eq!(d.detected_vendor, Some("aliyun"));
}

#[test]
fn fc_health_check() {
    let text = "Function instance health check failed on port 9001 in 120 seconds.\\nLogs:";
    let causes = top(text);
    assert!(causes[..2].contains(&"listen-localhost") && causes[..2].contains(&"listen-wrong-port"), "{causes:?}");
    let d = decode(text, None);
    assert_eq!((d.variables.port, d.variables.seconds), (Some(9001), Some(120)));
}

#[test]
fn fc_code_2_bootstrap() {
    assert_top("Function instance exited unexpectedly(code 2, message:no such file or directory) with start command '/code/bootstrap '.\nLogs:", "entry-missing");
}

#[test]
fn fc_code_13_permission_denied() {
    let text = "The function cannot be started. Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.";
    assert_top(text, "exec-bit-missing");
    let d = decode(text, None);
    assert_eq!(d.variables.start_command.as_deref(), Some("/code/bootstrap"));
    assert!(d.code_reading.unwrap().contains("EACCES"));
}

#[test]
fn fc_python_missing_file() {
    assert_top("Function instance exited unexpectedly(code 2, message:no such file or directory) with start command 'python3 not_exist_file.py '.\nLogs:xxx", "entry-missing");
    let text = "Function instance exited unexpectedly(code 2, message:no such file or directory) with start command '/code/bootstrap '.\nLogs:python3: can't open file '/code/not_exist_file.py': [Errno 2] No such file or directory";
    assert_top(text, "entry-missing");
    let d = decode(text, None);
    assert_eq!(d.variables.path.as_deref(), Some("/code/not_exist_file.py"));
    assert!(d.code_reading.unwrap().contains("exited with status 2"));
}

const NPM_SEED: &str = "Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'npm run start '.
Logs:> nodejs-express@0.0.0 start /code
> node ./not_exist_file.js

internal/modules/cjs/loader.js:905
  throw err;
  ^

Error: Cannot find module '/code/not_exist_file.js'
    at Function.Module._resolveFilename (internal/modules/cjs/loader.js:902:15)
  code: 'MODULE_NOT_FOUND',
  requireStack: []
}
npm ERR! code ELIFECYCLE
npm ERR! errno 1";

#[test]
fn fc_trap_code_1_is_exit_status_not_permission() {
    let d = decode(NPM_SEED, None);
    assert_eq!(d.hypotheses[0].cause, "entry-missing");
    assert!(d.hypotheses.iter().all(|h| h.cause != "exec-bit-missing" && h.cause != "permission-denied-platform"));
    assert_eq!(d.variables.code_mechanism, Some(CodeMechanism::ExitStatus));
    assert!(d.code_reading.unwrap().contains("not an error description"));
    // The bare line without logs: still not a permission problem.
    let bare = top("Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'npm run start '.");
    assert_eq!(bare[0], "app-exited");
    assert!(!bare.contains(&"exec-bit-missing"));
}

#[test]
fn fc_java_php_ruby_dotnet_missing_files() {
    assert_top("Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'java -Dserver.port=9000 -jar target/not_exist_file.jar '.\nLogs:Error: Unable to access jarfile target/not_exist_file.jar", "entry-missing");
    assert_top("Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'php not_exist_file.php '.\nLogs:Could not open input file: not_exist_file.php", "entry-missing");
    assert_top("Function instance exited unexpectedly(code 1, message:operation not permitted) with start command 'ruby not_exist_file.rb '.\nLogs:Traceback (most recent call last):\nruby: No such file or directory -- not_exist_file.rb (LoadError)", "entry-missing");
    assert_top("Function instance exited unexpectedly(code 145) with start command 'dotnet ./target/NotExistFile.dll '.\nLogs:Could not execute because the application was not found or a compatible .NET SDK is not installed.\nPossible reasons for this include the following:\n  * You intended to execute a .NET program:\n      The application './target/NotExistFile.dll' does not exist.", "entry-missing");
}

#[test]
fn fc_exec_format_error() {
    let causes = top("Function instance exited unexpectedly(code 8, message:exec format error) with start command '/code/bootstrap '.\nLogs:");
    for c in ["binary-not-linux", "binary-wrong-arch", "shebang-missing"] {
        assert!(causes[..3].contains(&c), "{causes:?}");
    }
    assert_top(
        "Function instance exited unexpectedly(code 8, message:exec format error) with start command './main '.\nLogs:",
        "binary-not-linux",
    );
}

#[test]
fn fc_crlf_key_has_expired() {
    let text = "Function instance exited unexpectedly(code 127, message:key has expired) with start command '/code/bootstrap '.\nLogs:/usr/bin/env: ‘bash\\r’: No such file or directory";
    assert_top(text, "crlf-shebang");
    assert!(decode(text, None).hypotheses[0].confidence >= 90);
}

#[test]
fn fc_exit_137_oom() {
    assert_top("Exit Code 137", "out-of-memory");
    assert_top(
        "Function instance exited unexpectedly(code 137) with start command '/code/bootstrap '.",
        "out-of-memory",
    );
}

// ---- Tencent SCF seed: status codes ----

#[test]
fn every_scf_status_decodes_by_number_and_name() {
    for s in scf::SCF_STATUSES {
        let expected = s.causes[0].0;
        let by_number = format!("{{\"errorCode\":-1,\"errorMessage\":\"...\",\"statusCode\":{}}}", s.code);
        assert_top3(&by_number, expected);
        if !s.needs_number {
            for name in s.names {
                assert_top3(&format!("errorMessage: {name}"), expected);
            }
        }
        assert_top(&format!("{} {}", s.code, s.names[0]), expected);
    }
}

#[test]
fn scf_437_handler_not_found() {
    let causes = top("437 HandlerNotFound");
    assert_eq!(causes[..2], ["entry-missing", "entry-nested"]);
    let d = decode("{\"statusCode\":437}", None);
    assert_eq!(d.detected_vendor, Some("tencent"));
    assert_eq!((d.variables.status_code, d.variables.error_name.as_deref()), (Some(437), Some("HandlerNotFound")));
}

// ---- Other platforms and the general layer ----

#[test]
fn lambda_messages() {
    assert_top("Error: fork/exec /var/task/bootstrap: permission denied Runtime.InvalidEntrypoint", "exec-bit-missing");
    assert_top("Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]", "entry-missing");
    assert_top("/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /var/task/bootstrap)\nError: Runtime exited with error: exit status 1", "glibc-too-new");
    assert_top("Error: Runtime exited with error: signal: killed Runtime.ExitError", "out-of-memory");
    assert_top3("Error: fork/exec /var/task/bootstrap: exec format error", "binary-wrong-arch");
}

#[test]
fn cloud_run_port_lists_causes_in_frequency_order() {
    let causes = top("Revision 'api-00002-xyz' is not ready and cannot serve traffic. The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.");
    // The two most frequent causes are level; the listen causes follow.
    let mut first_two = causes[..2].to_vec();
    first_two.sort_unstable();
    assert_eq!(first_two, ["app-exited", "binary-wrong-arch"], "{causes:?}");
    assert_eq!(causes[2..4], ["listen-wrong-port", "listen-localhost"], "{causes:?}");
}

#[test]
fn nothing_matches_says_so() {
    let d = decode("hello, my function is sad", None);
    assert!(d.hypotheses.is_empty());
    assert!(d.summary.contains("Nothing"));
    // A failure nothing reads still gets an answer, that claims next to nothing and says what it read.
    let d = decode("the process returned exit code 42", None);
    assert!(!d.hypotheses.is_empty());
    assert!(d.hypotheses.iter().all(|h| h.basis == Basis::Resemblance && h.confidence <= resemblance::MAX_CONFIDENCE));
    assert!(d.summary.contains("exit code 42"), "{}", d.summary);
}

#[test]
fn huge_and_hostile_pastes_are_bounded() {
    let big = "x".repeat(MAX_PASTE_BYTES + 10) + "exec format error";
    let d = decode(&big, None);
    assert!(d.truncated);
    let d = decode(&"<script>alert(1)</script>exited unexpectedly(code 99999999999999999999".repeat(100), None);
    assert!(d.hypotheses.iter().all(|h| h.basis == Basis::Resemblance && h.confidence <= resemblance::MAX_CONFIDENCE));
}

#[test]
fn pattern_examples_match_their_pattern() {
    for p in PATTERNS {
        assert!(!p.examples.is_empty(), "{} has no example", p.id);
        for ex in p.examples {
            let h = Haystack::new(ex);
            let facts = extract(&h);
            assert!(
                pattern_matches(p, &h, &matcher::Found::scan(h.lower()), &facts).is_some(),
                "{} does not match its example {ex:?}",
                p.id
            );
        }
        for ex in p.counter_examples {
            let h = Haystack::new(ex);
            let facts = extract(&h);
            assert!(
                pattern_matches(p, &h, &matcher::Found::scan(h.lower()), &facts).is_none(),
                "{} matches its counter-example {ex:?}",
                p.id
            );
        }
        for (c, _) in p.causes {
            assert!(cause(c).is_some(), "{} names unknown cause {c}", p.id);
        }
    }
    for s in scf::SCF_STATUSES {
        for (c, _) in s.causes {
            assert!(cause(c).is_some(), "status {} names unknown cause {c}", s.code);
        }
    }
}

#[test]
fn json_envelopes_are_unescaped() {
    // A CRLF shebang seen through Lambda's JSON response: the \\r arrives doubly escaped.
    let text = r#"{"errorMessage":"RequestId: 1a2b Error: Runtime exited with error: exit status 127","logs":"/usr/bin/env: 'bash\\r': No such file or directory\nINIT_REPORT Init Duration: 3.1 ms"}"#;
    assert_top(text, "crlf-shebang");
    // Escaped quotes and newlines around a loader error.
    let text = r#"{"errorMessage":"\"/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.34' not found (required by /var/task/bootstrap)\"\n"}"#;
    assert_top(text, "glibc-too-new");
}

#[test]
fn every_example_decodes_to_its_patterns_leading_cause() {
    // A pattern whose own example ranks something else first would be dead weight: the example, as
    // a whole paste, must put the pattern's strongest cause in the top three.
    let mut misses = Vec::new();
    for p in PATTERNS {
        let leading = p.causes[0].0;
        for ex in p.examples {
            let d = decode(ex, p.vendor);
            let top3: Vec<&str> = d.hypotheses.iter().take(3).map(|h| h.cause).collect();
            if !top3.contains(&leading) {
                misses.push(format!("{}: {ex:?} → {top3:?}, expected {leading}", p.id));
            }
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn fragments_are_lowercase() {
    // Haystack lowercases the paste once; fragments stored lowercase skip a per-search copy.
    for p in PATTERNS {
        for f in p.any.iter().chain(p.all).chain(p.unless) {
            assert_eq!(*f, f.to_ascii_lowercase(), "{}: fragment {f:?} must be lowercase", p.id);
        }
    }
}

#[test]
fn lambda_report_line_decides_memory() {
    let killed = "Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n";
    let full = format!("{killed}REPORT RequestId: 3f2c Duration: 2000.00 ms Billed Duration: 2000 ms Memory Size: 128 MB Max Memory Used: 128 MB");
    let d = decode(&full, None);
    assert_eq!(d.hypotheses[0].cause, "out-of-memory");
    assert!(d.hypotheses[0].confidence >= 90);
    assert!(d.hypotheses[0].evidence.iter().any(|e| e.contains("Max Memory Used")));

    // aws-lambda-dotnet#480: killed at 18 MB of 512 — not memory.
    let low = format!("{killed}REPORT RequestId: 3f2c Duration: 20.00 ms Memory Size: 512 MB Max Memory Used: 18 MB");
    let d = decode(&low, None);
    let oom = d.hypotheses.iter().find(|h| h.cause == "out-of-memory").expect("still listed");
    assert!(oom.confidence <= 20, "{}", oom.confidence);
    assert!(oom.explanation.starts_with("Unlikely"));
    assert!(!d.summary.starts_with("Most likely"), "{}", d.summary);

    // A REPORT line alone, at the limit, raises the question by itself.
    let d = decode("REPORT RequestId: 1 Duration: 9.1 ms Memory Size: 256 MB Max Memory Used: 256 MB\nRuntime exited with error: exit status 1", None);
    assert!(d.hypotheses.iter().any(|h| h.cause == "out-of-memory" && h.confidence >= 70));
}

#[test]
fn nested_envelopes_are_unwrapped() {
    // Step Functions: the Lambda error is a JSON string inside `cause`.
    let text = r#"{"error": "Runtime.ExitError","cause": "{\"errorMessage\":\"RequestId: 5b0c Error: Runtime exited with error: signal: killed\",\"errorType\":\"Runtime.ExitError\"}"}"#;
    let d = decode(text, None);
    assert_eq!(d.hypotheses[0].cause, "out-of-memory");
    assert_eq!(d.variables.error_name.as_deref(), Some("Runtime.ExitError"));
    // API Gateway's test console quoting the function's response.
    let text = r#"Endpoint response body before transformations: {"errorType":"Runtime.HandlerNotFound","errorMessage":"index.handler is undefined or not exported","trace":["Runtime.HandlerNotFound: index.handler is undefined or not exported"]}"#;
    assert_top(text, "handler-misnamed");
}

#[test]
fn captures_read_their_values_from_the_examples() {
    let mut with_captures = 0;
    for p in PATTERNS.iter().filter(|p| !p.captures.is_empty()) {
        with_captures += 1;
        for ex in p.examples {
            let d = decode(ex, p.vendor);
            let names: Vec<&str> = p.captures.iter().map(|c| c.name).collect();
            assert!(
                d.variables.captured.iter().any(|c| names.contains(&c.name) && !c.value.is_empty()),
                "{}: nothing captured from {ex:?} ({:?})",
                p.id,
                d.variables.captured
            );
        }
    }
    assert!(with_captures >= 10, "{with_captures}");
    let d = decode("/var/fc/lang/python3.10/bin/python3: No module named 'uvicorn'", None);
    assert_eq!(d.variables.captured[0].value, "uvicorn");
    let d = decode("Function not ready: failed to start container in 0.1 seconds. Error: invalid start command: index.main_handler_mulit.", None);
    assert!(d.variables.captured.iter().any(|c| c.value == "index.main_handler_mulit"), "{:?}", d.variables.captured);
}

#[test]
fn fc_code_and_message_without_the_headline() {
    // Only the parenthesis pasted: still read as FC prints it, the strerror trap included.
    let d = decode("(code 1, message:operation not permitted)", None);
    assert_eq!(d.variables.exit_code, Some(1));
    assert_eq!(d.variables.fc_message.as_deref(), Some("operation not permitted"));
    assert_eq!(d.hypotheses[0].cause, "app-exited");
    assert_top("code 13, message:permission denied", "exec-bit-missing");
    // A "code" that is not FC's stays unread.
    assert_eq!(decode("postal code 12345, message: hello", None).variables.exit_code, None);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Pieces the comparisons, focus and fragments react to, mixed with multibyte text and noise.
    const PIECES: &str = "(listening on |running on http://|127\\.0\\.0\\.1:|0\\.0\\.0\\.0:|\\[::\\]:|port |PORT=|health check failed on port |KeyError: '|os\\.environ|Unable to import module '|No module named '|Cannot find module '|Require stack:\n- |/var/runtime/|exited unexpectedly\\(code |exit status |signal: killed|Max Memory Used: |Memory Size: |\r|\n|\r\n|错误|监听|地址|模块|'|\"|:|[a-zA-Z_]{1,6}|[0-9]{1,6}| ){0,60}";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        #[test]
        fn decoding_never_panics_and_never_overclaims(text in PIECES) {
            let d = decode(&text, None);
            for h in &d.hypotheses {
                prop_assert!(h.confidence <= 100);
                if h.basis == Basis::Resemblance {
                    prop_assert!(h.confidence <= resemblance::MAX_CONFIDENCE);
                }
            }
            let _ = compare::compare(&facts::Haystack::new(&text));
        }

        #[test]
        fn long_pastes_are_focused_without_panics(piece in PIECES, repeat in 1usize..4000) {
            let text = piece.repeat(repeat);
            if let Some(f) = focus::focus(&text, 4096) {
                prop_assert!(f.text.len() <= 4096 + 2 * 4096);
                prop_assert!(f.lines_kept <= f.lines_total);
            }
        }
    }
}

#[test]
fn vendor_words_inside_frames_are_not_vendors() {
    // A Python `<lambda>` frame and Go's `runtime.` package are not AWS Lambda.
    let python = "Traceback (most recent call last):\n  File \"app.py\", line 9, in <lambda>\n    key=lambda x: x[1]\nKeyError: 1";
    assert_ne!(decode(python, None).detected_vendor, Some("aws"));
    let go = "panic: runtime error: invalid memory address or nil pointer dereference\ngoroutine 1 [running]:\nruntime.gopanic(0x4a5b60)";
    assert_ne!(decode(go, None).detected_vendor, Some("aws"));
    // Plain vendor names still count, as words.
    assert_eq!(
        decode("No job functions found. Check your Azure Storage connection.", None).detected_vendor,
        Some("azure")
    );
}

#[test]
fn another_vendors_headline_is_kept_lower_not_dropped() {
    // Go's fork/exec wording (filed under AWS) in a Tencent SCF path still reads as EACCES.
    let d = decode("fork/exec /var/user/bootstrap: permission denied\nscf_bootstrap", None);
    assert_eq!(d.detected_vendor, Some("tencent"));
    assert_eq!(d.hypotheses.first().map(|h| h.cause), Some("exec-bit-missing"), "{:?}", d.hypotheses);
}

#[test]
fn exec_enoent_of_a_shell_script_reads_as_its_interpreter_not_a_loader() {
    assert_top("exec /docker-entrypoint.sh: no such file or directory", "crlf-shebang");
    // A binary keeps the loader reading.
    let causes = top("exec /app/server: no such file or directory");
    assert_ne!(causes[0], "crlf-shebang", "{causes:?}");
}

#[test]
fn eacces_on_a_source_file_opened_for_reading_is_not_readable() {
    assert_top("EACCES: permission denied, open '/var/task/index.js'", "not-readable");
    assert_top("PermissionError: [Errno 13] Permission denied: '/var/task/app.py'", "not-readable");
    // Executing the entry is still the execute bit.
    assert_top("fork/exec /var/task/bootstrap: permission denied", "exec-bit-missing");
}

#[test]
fn a_missing_compiled_extension_is_a_wrong_build_not_a_missing_package() {
    assert_top(
        "[ERROR] Runtime.ImportModuleError: Unable to import module 'app': No module named 'psycopg2._psycopg'",
        "native-addon-wrong-platform",
    );
    assert_top3("No module named 'psycopg2._psycopg'", "runtime-version-mismatch");
    // A public module stays a missing dependency; a dunder module is no extension.
    assert_top("Unable to import module 'app': No module named 'requests'", "dependencies-missing");
    assert_eq!(super::compare::compare(&Haystack::new("no module named '__main__'")), Vec::new());
}

#[test]
fn a_refused_database_on_loopback_is_a_missing_host_setting() {
    assert_top("Error: connect ECONNREFUSED 127.0.0.1:5432", "config-missing");
    // A refused call to a remote host, or to an app port on loopback, is not read so (by the rule;
    // a resemblance may still lead).
    for text in ["error: connect econnrefused 10.0.3.7:5432", "connect econnrefused 127.0.0.1:8080"] {
        let verdicts = super::compare::compare(&Haystack::new(text));
        assert!(verdicts.iter().all(|v| v.cause != "config-missing"), "{text}: {verdicts:?}");
    }
}

#[test]
fn a_port_held_by_another_process_and_an_absent_docker_are_local_causes() {
    assert_top("Error: listen EADDRINUSE: address already in use :::3000", "port-in-use");
    assert_top(
        "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
        "local-docker-unavailable",
    );
}
