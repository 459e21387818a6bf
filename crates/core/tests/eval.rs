//! The decoder's evaluation set: realistic pastes labelled with their true cause
//! (`tests/eval/pastes.txt`). Prints top-1 and top-3 accuracy; fails below 90 % top-3.

use bootdoctor_core::causes::cause;
use bootdoctor_core::decode::decode;

struct Case {
    cause: String,
    source: String,
    paste: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("eval/pastes.txt");
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("### ") {
            let (cause, source) = header.split_once('|').unwrap_or((header, ""));
            cases.push(Case { cause: cause.trim().into(), source: source.trim().into(), paste: String::new() });
        } else if let Some(case) = cases.last_mut() {
            case.paste.push_str(line);
            case.paste.push('\n');
        }
    }
    cases
}

#[test]
fn evaluation_set_accuracy() {
    let cases = cases();
    assert!(cases.len() >= 60, "the evaluation set has {} pastes; it needs at least 60", cases.len());
    let (mut top1, mut top3) = (0, 0);
    let mut misses = Vec::new();
    let mut second = Vec::new();
    for case in &cases {
        assert!(cause(&case.cause).is_some(), "unknown cause id {} ({})", case.cause, case.source);
        let ranked: Vec<&str> = decode(&case.paste, None).hypotheses.iter().map(|h| h.cause).collect();
        if ranked.first() == Some(&case.cause.as_str()) {
            top1 += 1;
        } else if ranked.iter().take(3).any(|c| *c == case.cause) {
            second.push(format!(
                "{} ({}): ranked {:?}",
                case.cause,
                case.source,
                ranked.iter().take(3).collect::<Vec<_>>()
            ));
        }
        if ranked.iter().take(3).any(|c| *c == case.cause) {
            top3 += 1;
        } else {
            misses.push(format!(
                "{} ({}): got {:?}",
                case.cause,
                case.source,
                ranked.iter().take(3).collect::<Vec<_>>()
            ));
        }
    }
    let n = cases.len() as f64;
    println!(
        "evaluation set: {} pastes, top-1 {:.1} %, top-3 {:.1} %",
        cases.len(),
        100.0 * top1 as f64 / n,
        100.0 * top3 as f64 / n
    );
    for m in &second {
        println!("  not first: {m}");
    }
    for m in &misses {
        println!("  missed: {m}");
    }
    assert!(top3 as f64 / n >= 0.9, "top-3 accuracy below 90 %");
}
