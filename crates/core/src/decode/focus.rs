//! Long pastes (a whole CloudWatch or Cloud Logging export) are read for the lines that matter:
//! one Aho–Corasick pass marks every line holding a pattern fragment or a failure word, the
//! best-scoring lines (with a little context, and the paste's last lines) are kept up to a byte
//! budget, and the decoder reads only those, in their original order. Lines longer than
//! 2 KiB (a 1 MiB single-line JSON) contribute a window around each hit, not the whole line.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind};

use super::facts::char_floor;
use super::patterns::PATTERNS;

/// A paste up to this size is read whole.
pub const FOCUS_BYTES: usize = 256 * 1024;

/// A line longer than this contributes windows around its hits.
const LONG_LINE: usize = 2048;

/// Bytes kept on each side of a hit in a long line.
const WINDOW: usize = 400;

/// Lines of context kept before and after a line with a hit.
const CONTEXT: usize = 2;

/// The paste's last lines, always kept (platforms print the verdict last).
const TAIL_LINES: usize = 60;

/// What the decoder reads of a long paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focus {
    /// The kept lines (or windows), joined by newlines.
    pub text: String,
    /// Lines kept.
    pub lines_kept: usize,
    /// Lines in the paste.
    pub lines_total: usize,
}

/// Words that make a line worth reading: every pattern fragment (weight 3) and the failure words
/// (weight 1).
fn automaton() -> &'static (AhoCorasick, Vec<u32>) {
    static AUTOMATON: OnceLock<(AhoCorasick, Vec<u32>)> = OnceLock::new();
    AUTOMATON.get_or_init(|| {
        let mut words: Vec<&'static str> = Vec::new();
        let mut weights = Vec::new();
        for p in PATTERNS {
            for f in p.any.iter().chain(p.all) {
                words.push(f);
                weights.push(3);
            }
        }
        for w in crate::knowledge::FAILURE_WORDS {
            words.push(w);
            weights.push(1);
        }
        let searcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&words)
            .expect("fragments are short literals");
        (searcher, weights)
    })
}

/// Line spans of `text`: `\n`, `\r\n` and a lone `\r` all end a line.
fn line_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while let Some(at) = memchr::memchr2(b'\n', b'\r', &bytes[i..]).map(|p| p + i) {
        spans.push((start, at));
        i = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') { at + 2 } else { at + 1 };
        start = i;
    }
    if start < bytes.len() {
        spans.push((start, bytes.len()));
    }
    spans
}

/// The lines of `text` that matter, within `budget` bytes; `None` when the text fits whole.
#[allow(clippy::needless_range_loop)] // line indices address three parallel arrays (spans, scores, kept)
pub fn focus(text: &str, budget: usize) -> Option<Focus> {
    if text.len() <= budget {
        return None;
    }
    let spans = line_spans(text);
    let (searcher, weights) = automaton();
    let mut score = vec![0u32; spans.len()];
    let mut hits_in_line: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    let mut line = 0;
    for m in searcher.find_iter(text) {
        while line + 1 < spans.len() && spans[line].1 < m.start() {
            line += 1;
        }
        score[line] = score[line].saturating_add(weights[m.pattern().as_usize()]);
        if spans[line].1 - spans[line].0 > LONG_LINE && hits_in_line[line].len() < 64 {
            hits_in_line[line].push(m.start());
        }
    }
    let mut keep = vec![false; spans.len()];
    let mut used = 0usize;
    let cost = |i: usize| (spans[i].1 - spans[i].0).min(LONG_LINE.max(2 * WINDOW * hits_in_line[i].len().max(1))) + 1;
    for i in spans.len().saturating_sub(TAIL_LINES)..spans.len() {
        if used + cost(i) <= budget / 4 {
            keep[i] = true;
            used += cost(i);
        }
    }
    let mut ranked: Vec<usize> = (0..spans.len()).filter(|&i| score[i] > 0).collect();
    ranked.sort_by(|&a, &b| score[b].cmp(&score[a]).then(a.cmp(&b)));
    'lines: for i in ranked {
        for j in i.saturating_sub(CONTEXT)..(i + CONTEXT + 1).min(spans.len()) {
            if keep[j] {
                continue;
            }
            if used + cost(j) > budget {
                break 'lines;
            }
            keep[j] = true;
            used += cost(j);
        }
    }
    let mut out = String::with_capacity(used);
    let mut kept = 0;
    for (i, &(start, end)) in spans.iter().enumerate() {
        if !keep[i] {
            continue;
        }
        kept += 1;
        if end - start <= LONG_LINE || hits_in_line[i].is_empty() {
            let end = char_floor(text, start + (end - start).min(LONG_LINE));
            out.push_str(&text[start..end]);
        } else {
            let mut last_end = start;
            for &hit in &hits_in_line[i] {
                let from = char_floor(text, hit.saturating_sub(WINDOW).max(last_end));
                let to = char_floor(text, (hit + WINDOW).min(end));
                if from < to {
                    out.push_str(&text[from..to]);
                    out.push('\n');
                    last_end = to;
                }
            }
        }
        out.push('\n');
    }
    Some(Focus { text: out, lines_kept: kept, lines_total: spans.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_buried_line_is_kept_and_noise_dropped() {
        let noise = "2024-05-12T10:21:33.120Z 1-6640a0c1 INFO request handled in 12 ms path=/api/items status=200\n";
        let mut text = noise.repeat(20_000);
        text.insert_str(text.len() / 2, "2024-05-12T10:21:34Z Function instance exited unexpectedly(code 13, message:permission denied) with start command '/code/bootstrap '.\n");
        let f = focus(&text, FOCUS_BYTES).expect("long");
        assert!(f.text.contains("exited unexpectedly(code 13"));
        assert!(f.text.len() <= FOCUS_BYTES + 1024);
        assert!(f.lines_kept < f.lines_total / 10);
    }

    #[test]
    fn cr_only_line_endings_and_a_single_long_line() {
        let cr = "noise line\r".repeat(100_000) + "Error: fork/exec /var/task/bootstrap: permission denied\r";
        let f = focus(&cr, FOCUS_BYTES).expect("long");
        assert!(f.lines_total > 100_000);
        assert!(f.text.contains("permission denied"));
        let single = "x".repeat(600_000) + " exec format error " + &"y".repeat(600_000);
        let f = focus(&single, FOCUS_BYTES).expect("long");
        assert!(f.text.contains("exec format error"));
        assert!(f.text.len() < 4 * WINDOW);
    }

    #[test]
    fn short_text_is_read_whole() {
        assert_eq!(focus("exec format error", FOCUS_BYTES), None);
    }
}
