use std::io::Cursor;

use proptest::prelude::*;

use super::*;
use crate::report::{diagnose, Request};
use crate::synth::ZipBuilder;

const FC_13: &str = "2024-05-12 10:21:33 RequestId: 1-6640a0c1-1f2e3d4c5b6a Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.";

fn windows_report(paste: Option<&str>) -> Report {
    let zip = ZipBuilder::new()
        .dos_file("bootstrap", b"#!/usr/bin/env bash\r\nexec python3 app.py\r\n")
        .dos_file("app.py", b"print('hi')\n")
        .finish();
    let request = Request { platform: None, start: StartSpec::default(), error_text: paste.map(String::from) };
    diagnose(Some(("function.zip", Cursor::new(zip))), &request).expect("diagnosis")
}

#[test]
fn a_report_survives_the_round_trip() {
    let report = windows_report(Some(FC_13));
    let link = make_link(&report, Some(FC_13), true);
    assert!(link.omitted.is_empty(), "{:?}", link.omitted);
    let state = decode_link(&link.fragment).expect("decodes");
    let (back, unknown) = state.to_report();
    assert_eq!(unknown, 0);
    assert_eq!(back.platform, report.platform);
    assert_eq!(
        back.package.as_ref().map(|p| (&p.name, p.size, p.entries)),
        report.package.as_ref().map(|p| (&p.name, p.size, p.entries))
    );
    let key = |r: &Report| {
        r.findings.iter().map(|f| (f.id, f.title.clone(), f.evidence.clone(), f.fix.clone())).collect::<Vec<_>>()
    };
    assert_eq!(key(&back), key(&report));
    let hyp = |r: &Report| r.hypotheses.iter().map(|h| (h.cause, h.confidence)).collect::<Vec<_>>();
    assert_eq!(hyp(&back), hyp(&report));
    assert_eq!(back.hypotheses[0].cause, "exec-bit-missing");
    assert!(back.hypotheses[0].package_note.as_deref().unwrap().starts_with("Confirmed"));
}

#[test]
fn typical_links_are_short_and_the_paste_travels_only_with_consent() {
    let report = windows_report(Some(FC_13));
    let without = make_link(&report, Some(FC_13), false);
    assert!(without.fragment.len() < TYPICAL_LINK_CHARS, "{}", without.fragment.len());
    let state = decode_link(&without.fragment).unwrap();
    assert_eq!(state.paste, None);
    assert!(state.had_error);
    assert!(state.hypotheses.iter().all(|h| h.evidence.is_empty()), "quotes are paste text");
    let (back, _) = state.to_report();
    assert!(back.error.is_some());
    assert_eq!(back.hypotheses[0].cause, "exec-bit-missing");

    let with = make_link(&report, Some(FC_13), true);
    let state = decode_link(&with.fragment).unwrap();
    let paste = state.paste.expect("shared");
    assert!(!paste.contains("6640a0c1"), "{paste}");
    assert!(paste.contains("code 13, message:permission denied"));
    assert!(with.redactions >= 1);
}

#[test]
fn long_diagnoses_drop_detail_in_the_documented_order() {
    let mut zip = ZipBuilder::new();
    for i in 0..120 {
        zip = zip.dos_file(&format!("bin/tool-{i:03}.sh"), format!("#!/bin/bash\r\necho {i}\r\n").as_bytes());
    }
    let zip = zip.dos_file("bootstrap", b"#!/bin/bash\r\n./bin/tool-000.sh\r\n").finish();
    let paste = format!("{FC_13}\nLogs:{}", "noise line with words\n".repeat(300));
    let request = Request { platform: None, start: StartSpec::default(), error_text: Some(paste.clone()) };
    let report = diagnose(Some(("big.zip", Cursor::new(zip))), &request).unwrap();
    let link = make_link(&report, Some(&paste), true);
    assert!(!link.omitted.is_empty());
    let order: Vec<usize> = link.omitted.iter().map(|o| OMISSION_ORDER.iter().position(|x| x == o).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{:?}", link.omitted);
    let state = decode_link(&link.fragment).unwrap();
    assert_eq!(state.omitted, link.omitted);
    let (back, _) = state.to_report();
    assert!(back.findings.iter().any(|f| f.id == "exec-bit-missing"), "errors are the last thing to go");
}

/// `make_link` as written before its quick trials: every step decided at the best level.
fn link_by_best_trials(report: &Report, paste: Option<&str>) -> (String, Vec<Omission>) {
    let (mut state, _) = shared_state(report, paste, paste.is_some());
    let fits = |state: &SharedDiagnosis| {
        let opens = postcard::to_allocvec(state).unwrap().len() <= MAX_STATE_BYTES;
        opens && encode(state).len() <= TYPICAL_LINK_CHARS
    };
    for &step in OMISSION_ORDER {
        if fits(&state) {
            break;
        }
        if apply(&mut state, step) {
            state.omitted.push(step);
        }
    }
    (encode(&state), state.omitted)
}

/// The quick trials leave out exactly what best-level trials would, from a report that fits
/// whole to one that keeps only its errors, with and without a long paste.
#[test]
fn quick_trials_agree_with_best_ones() {
    let mut steps_seen = std::collections::BTreeSet::new();
    for scripts in [1, 3, 8, 15, 25, 40, 70, 120, 300] {
        let mut zip = ZipBuilder::new();
        for i in 0..scripts {
            let name = format!("bin/tool-{i:03}.sh");
            zip = zip.unix_file(&name, 0o755, format!("#!/bin/bash\r\necho {i}\r\n").as_bytes());
        }
        let zip = zip.dos_file("bootstrap", b"#!/bin/bash\n./bin/tool-000.sh\n").finish();
        for paste in [None, Some(format!("{FC_13}\nLogs:{}", "noise line with words\n".repeat(scripts * 4)))] {
            let request = Request { platform: None, start: StartSpec::default(), error_text: paste.clone() };
            let report = diagnose(Some(("many.zip", Cursor::new(&zip))), &request).unwrap();
            let link = make_link(&report, paste.as_deref(), paste.is_some());
            let (fragment, omitted) = link_by_best_trials(&report, paste.as_deref());
            assert_eq!((&link.fragment, &link.omitted), (&fragment, &omitted), "{scripts} scripts");
            steps_seen.insert(omitted.len());
        }
    }
    assert!(steps_seen.len() >= 4, "the cases cover few omission depths: {steps_seen:?}");
}

#[test]
#[ignore = "prints golden links for tests/golden-links.txt; run by hand when adding some"]
fn print_golden_links() {
    for (paste, include) in [(Some(FC_13), true), (Some(FC_13), false), (None, false)] {
        let report = windows_report(paste);
        let link = make_link(&report, paste, include);
        let f: Vec<_> = report.findings.iter().map(|f| f.id).collect();
        let h: Vec<_> = report.hypotheses.iter().map(|h| h.cause).collect();
        println!("{}\t{}\t{}\t{}", link.fragment, report.platform, f.join(","), h.join(","));
    }
    // Unicode in the paste and a platform chosen by the user, with no package.
    let paste = "调用失败 446 PortBindingFailed 端口监听失败。请检查您的监听端口是否为9000 RequestId: 6e2b1a9c";
    let request = Request {
        platform: Some("tencent-scf-web".into()),
        start: StartSpec::default(),
        error_text: Some(paste.into()),
    };
    let report = diagnose::<Cursor<Vec<u8>>>(None, &request).unwrap();
    let link = make_link(&report, Some(paste), true);
    let h: Vec<_> = report.hypotheses.iter().map(|h| h.cause).collect();
    println!("{}\t{}\t\t{}", link.fragment, report.platform, h.join(","));
}

#[test]
fn quoted_code_in_evidence_is_redacted() {
    let zip = ZipBuilder::new()
        .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec python3 app.py\n")
        .unix_file("app.py", 0o644, b"import flask\napp = flask.Flask(__name__)\napp.run(host='127.0.0.1', port=9000)  # token=sk_live_0123456789abcdef\n")
        .unix_file("flask/__init__.py", 0o644, b"")
        .finish();
    let request = Request { platform: Some("aliyun-fc".into()), start: StartSpec::default(), error_text: None };
    let report = diagnose(Some(("f.zip", Cursor::new(zip))), &request).unwrap();
    let quoted = report.findings.iter().flat_map(|f| &f.evidence).any(|e| e.contains("sk_live"));
    assert!(quoted, "the finding quotes the line: {:?}", report.findings);
    let state = decode_link(&make_link(&report, None, false).fragment).unwrap();
    let evidence: Vec<&String> = state.findings.iter().flat_map(|f| &f.evidence).collect();
    assert!(evidence.iter().any(|e| e.contains("127.0.0.1")), "{evidence:?}");
    assert!(evidence.iter().all(|e| !e.contains("sk_live")), "{evidence:?}");
}

#[test]
fn damaged_links_say_so() {
    let good = make_link(&windows_report(Some(FC_13)), Some(FC_13), true).fragment;
    type Expect = fn(&LinkError) -> bool;
    let cases: Vec<(String, Expect)> = vec![
        (String::new(), |e| matches!(e, LinkError::NotALink)),
        ("/r/".into(), |e| matches!(e, LinkError::NotALink)),
        ("/r/1.".into(), |e| matches!(e, LinkError::Damaged)),
        ("/r/9.AAAA".into(), |e| matches!(e, LinkError::UnknownVersion(v) if v == "9")),
        ("/r/1.<script>alert(1)</script>".into(), |e| matches!(e, LinkError::NotALink)),
        (good[..good.len() / 2].to_string(), |e| matches!(e, LinkError::Damaged | LinkError::NotALink)),
        (format!("/r/1.{}", "A".repeat(MAX_FRAGMENT_CHARS)), |e| matches!(e, LinkError::TooLong(_))),
    ];
    for (fragment, expected) in cases {
        let err = decode_link(&fragment).expect_err(&fragment);
        assert!(expected(&err), "{fragment:.60}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
    // A flipped character anywhere either fails cleanly or still decodes; never panics.
    for i in 5..good.len() {
        let mut bytes = good.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let _ = decode_link(std::str::from_utf8(&bytes).unwrap());
    }
}

#[test]
fn a_deflate_bomb_is_refused() {
    let state = SharedDiagnosis {
        platform: "aliyun-fc".into(),
        basis: 0,
        start_command: None,
        handler: None,
        package: None,
        package_error: Some("x".repeat(MAX_STATE_BYTES * 2)),
        findings: Vec::new(),
        hypotheses: Vec::new(),
        had_error: false,
        paste: None,
        omitted: Vec::new(),
    };
    let fragment = encode(&state);
    assert!(fragment.len() < MAX_FRAGMENT_CHARS, "{}", fragment.len());
    assert_eq!(decode_link(&fragment), Err(LinkError::Damaged));
}

#[test]
fn redaction_keeps_what_decodes_and_hides_who() {
    let text = "RequestId: 5b0c1d2e Error: fork/exec /var/task/bootstrap: permission denied\n\
                arn:aws:lambda:us-east-1:123456789012:function:api 6e2b1a9c-7d3f-4b8e-9a1c-2f4e6d8b0a1c \
                dial tcp 21.0.12.34:9000 listening on 0.0.0.0:9000 and 127.0.0.1 owner ops@example.com \
                token AKIAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx key AKIAIOSFODNN7EXAMPLE \
                jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl DB_PASSWORD=hunter2 api_key=abc123";
    let (out, n) = redact(text);
    for hidden in [
        "5b0c1d2e",
        "123456789012",
        "6e2b1a9c",
        "21.0.12.34",
        "ops@example.com",
        "AKIAxxxx",
        "AKIAIOSFODNN7EXAMPLE",
        "eyJhbGci",
        "hunter2",
        "abc123",
    ] {
        assert!(!out.contains(hidden), "{hidden} in {out}");
    }
    for kept in
        ["fork/exec /var/task/bootstrap: permission denied", "0.0.0.0:9000", "127.0.0.1", "DB_PASSWORD=<secret>"]
    {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
    assert!(n >= 10, "{n}: {out}");
    // Redacted seed pastes decode to the same cause.
    for paste in [FC_13, "Function instance exited unexpectedly(code 127, message:key has expired) with start command '/code/bootstrap '.\nLogs:/usr/bin/env: ‘bash\\r’: No such file or directory"] {
        let before = decode(paste, None).hypotheses[0].cause;
        let after = decode(&redact(paste).0, None).hypotheses[0].cause;
        assert_eq!(before, after);
    }
}

fn text() -> impl Strategy<Value = String> {
    ".{0,40}"
}

prop_compose! {
    fn finding()(id in text(), severity in 0u8..4, path in proptest::option::of(text()), title in text(),
                 evidence in proptest::collection::vec(text(), 0..4), platform_message in proptest::option::of(text()),
                 explanation in proptest::option::of(text()), fix in proptest::option::of(text())) -> SharedFinding {
        SharedFinding { id, severity, path, title, evidence, platform_message, explanation, fix }
    }
}

prop_compose! {
    fn hypothesis()(cause in text(), confidence in any::<u8>(), patterns in proptest::collection::vec(text(), 0..3),
                    evidence in proptest::collection::vec(text(), 0..3), package_note in proptest::option::of(text())) -> SharedHypothesis {
        SharedHypothesis { cause, confidence, patterns, evidence, package_note }
    }
}

prop_compose! {
    fn diagnosis()(platform in proptest::sample::select(crate::profiles::PROFILES.iter().map(|p| p.id.to_string()).collect::<Vec<_>>()),
                   basis in 0u8..3, start_command in proptest::option::of(text()), handler in proptest::option::of(text()),
                   package in proptest::option::of((text(), any::<u64>(), any::<u64>(), any::<u64>(), any::<u64>(), text())),
                   package_error in proptest::option::of(text()),
                   findings in proptest::collection::vec(finding(), 0..6),
                   hypotheses in proptest::collection::vec(hypothesis(), 0..4),
                   had_error in any::<bool>(), paste in proptest::option::of(text()),
                   omitted in proptest::collection::vec(proptest::sample::select(OMISSION_ORDER.to_vec()), 0..3)) -> SharedDiagnosis {
        SharedDiagnosis {
            platform, basis, start_command, handler,
            package: package.map(|(name, size, entries, files, uncompressed_size, zipper)| SharedPackage { name, size, entries, files, uncompressed_size, zipper }),
            package_error, findings, hypotheses, had_error, paste, omitted,
        }
    }
}

proptest! {
    #[test]
    fn encode_then_decode_is_the_identity(state in diagnosis()) {
        let fragment = encode(&state);
        prop_assert_eq!(decode_link(&fragment), Ok(state.clone()));
        // And any state renders without panicking.
        let _ = state.to_report();
    }

    #[test]
    fn decode_never_panics_on_arbitrary_text(s in ".{0,300}") {
        let _ = decode_link(&s);
        let _ = decode_link(&format!("/r/1.{s}"));
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let fragment = format!("/r/1.{}", URL_SAFE_NO_PAD.encode(&bytes));
        let _ = decode_link(&fragment);
        // Valid deflate around arbitrary postcard bytes reaches the deserialiser itself.
        let mut deflater = DeflateEncoder::new(Vec::new(), Compression::fast());
        deflater.write_all(&bytes).unwrap();
        let fragment = format!("/r/1.{}", URL_SAFE_NO_PAD.encode(deflater.finish().unwrap()));
        if let Ok(state) = decode_link(&fragment) {
            let _ = state.to_report();
        }
    }
}

#[test]
fn a_huge_paste_is_redacted_only_as_far_as_the_link_carries_it() {
    // A key straddling the cut is still recognised and removed; the text past the link's
    // length is never scanned (10 MiB costs what 8 KiB costs).
    let mut paste = "x ".repeat((MAX_SHARED_PASTE_CHARS - 10) / 2);
    paste.push_str("key AKIAIOSFODNN7EXAMPLE end\n");
    paste.push_str(&"filler line\n".repeat(1 << 20));
    let (carried, removed) = carried_paste(&paste);
    assert!(!carried.contains("AKIAIOSF"), "{}", &carried[carried.len() - 40..]);
    assert_eq!(removed, 1);
    assert_eq!(carried.chars().count(), MAX_SHARED_PASTE_CHARS);
    let short = carried_paste("Runtime.ExitError");
    assert_eq!(short, ("Runtime.ExitError".to_string(), 0));
}
