//! The fallback ranker: which causes a paste *resembles*, by the words it shares with real reports.
//!
//! A naive-Bayes model over [`tokens`](super::tokens) (words, word pairs, CJK pairs), learned at
//! build time from the corpus's train part and the patterns' examples (see `build.rs`). It is used
//! for recall — when no rule is confident — and to break near-ties between rules; its hypotheses are
//! labelled as resemblance and never claim more than [`MAX_CONFIDENCE`].

use super::tokens::tokens;
use crate::knowledge::resemblance_model::{CLASSES, CLASS_DOCS, CLASS_TOKENS, TOKENS};

/// The most a resemblance may claim: it is a likeness, not a reading of the evidence.
pub const MAX_CONFIDENCE: u8 = 40;

/// Additive smoothing of per-class token counts.
const SMOOTHING: f64 = 0.5;

/// One cause a paste resembles.
#[derive(Debug, Clone, PartialEq)]
pub struct Resemblance {
    /// Cause id.
    pub cause: &'static str,
    /// Posterior probability among the model's causes (0–1).
    pub probability: f64,
    /// The paste's words that point most to this cause, strongest first.
    pub words: Vec<&'static str>,
}

impl Resemblance {
    /// The confidence shown for it: low, and growing with the posterior up to [`MAX_CONFIDENCE`].
    pub fn confidence(&self) -> u8 {
        (12.0 + f64::from(MAX_CONFIDENCE - 12) * self.probability).round().min(f64::from(MAX_CONFIDENCE)) as u8
    }
}

fn lookup(token: &str) -> Option<&'static (&'static str, &'static [(u16, u16)])> {
    TOKENS.binary_search_by(|(t, _)| (*t).cmp(token)).ok().map(|i| &TOKENS[i])
}

/// Causes the text resembles, most probable first; empty when it shares no known word.
pub fn rank(text: &str) -> Vec<Resemblance> {
    let known: Vec<&'static (&'static str, &'static [(u16, u16)])> =
        tokens(text).iter().filter_map(|t| lookup(t)).collect();
    if known.is_empty() || CLASSES.is_empty() {
        return Vec::new();
    }
    let vocabulary = TOKENS.len() as f64;
    let total_docs: f64 = CLASS_DOCS.iter().map(|&d| f64::from(d).sqrt()).sum();
    let log_p = |class: usize, count: u16| {
        ((f64::from(count) + SMOOTHING) / (f64::from(CLASS_TOKENS[class]) + SMOOTHING * vocabulary)).ln()
    };
    let count_in = |per_class: &[(u16, u16)], class: usize| {
        per_class.iter().find(|(c, _)| usize::from(*c) == class).map_or(0, |(_, n)| *n)
    };
    let mut scores: Vec<f64> = (0..CLASSES.len())
        .map(|class| {
            let prior = (f64::from(CLASS_DOCS[class]).sqrt() / total_docs).ln();
            prior + known.iter().map(|(_, per_class)| log_p(class, count_in(per_class, class))).sum::<f64>()
        })
        .collect();
    // Temper: tokens of one paste are far from independent; without this every posterior is 0 or 1.
    let temper = 1.0 / (known.len() as f64).sqrt().max(1.0);
    let best = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for s in &mut scores {
        *s = ((*s - best) * temper).exp();
    }
    let sum: f64 = scores.iter().sum();
    let mut ranked: Vec<Resemblance> = scores
        .iter()
        .enumerate()
        .map(|(class, s)| Resemblance { cause: CLASSES[class], probability: s / sum, words: Vec::new() })
        .collect();
    ranked.sort_by(|a, b| b.probability.total_cmp(&a.probability).then(a.cause.cmp(b.cause)));
    ranked.truncate(5);
    for r in &mut ranked {
        let class = CLASSES.iter().position(|c| *c == r.cause).expect("a class");
        let mut lift: Vec<(f64, &'static str)> = known
            .iter()
            .map(|(token, per_class)| {
                let here = log_p(class, count_in(per_class, class));
                let mean =
                    (0..CLASSES.len()).map(|k| log_p(k, count_in(per_class, k))).sum::<f64>() / CLASSES.len() as f64;
                (here - mean, *token)
            })
            .filter(|(l, _)| *l > 0.5)
            .collect();
        lift.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        r.words = lift.into_iter().take(4).map(|(_, t)| t).collect();
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_message_resembles_its_cause() {
        let ranked = rank("Runtime exited with error: signal: killed Runtime.ExitError REPORT Max Memory Used: 128 MB");
        assert!(ranked.iter().take(3).any(|r| r.cause == "out-of-memory"), "{ranked:?}");
        assert!(ranked.iter().all(|r| r.confidence() <= MAX_CONFIDENCE));
        let sum: f64 = ranked.iter().map(|r| r.probability).sum();
        assert!(sum <= 1.0 + 1e-9);
    }

    #[test]
    fn unknown_words_resemble_nothing() {
        assert!(rank("qqqzx vvvwy").is_empty());
        assert!(rank("").is_empty());
    }
}
