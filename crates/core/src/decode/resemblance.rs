//! The fallback ranker: which causes a paste *resembles*, by the words it shares with real reports.
//!
//! A naive-Bayes model over [`tokens`](super::tokens) (words, word pairs, CJK pairs), learned at
//! build time from the corpus's train part and the patterns' examples (see `build.rs`). It is used
//! for recall — when no rule is confident — and to break near-ties between rules; its hypotheses are
//! labelled as resemblance and never claim more than [`MAX_CONFIDENCE`].

use super::tokens::{tokens, Counts};
use crate::knowledge::resemblance_model;

/// A naive-Bayes model: the compiled one ([`BUILT`]), or one learnt in a test ([`Model::view`]).
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    /// Cause ids, by class index.
    pub classes: &'a [&'a str],
    /// Training texts per class.
    pub class_docs: &'a [u32],
    /// Token occurrences per class.
    pub class_tokens: &'a [u32],
    /// Tokens, sorted, with their per-class counts.
    pub tokens: &'a [(&'a str, &'a [(u16, u16)])],
}

/// The model `build.rs` learnt from the corpus's train part and the patterns' examples.
pub const BUILT: Model<'static> = Model {
    classes: resemblance_model::CLASSES,
    class_docs: resemblance_model::CLASS_DOCS,
    class_tokens: resemblance_model::CLASS_TOKENS,
    tokens: resemblance_model::TOKENS,
};

/// Borrowed views of learnt [`Counts`], to make a [`Model`] of them.
pub struct Views<'a> {
    classes: Vec<&'a str>,
    tokens: Vec<(&'a str, &'a [(u16, u16)])>,
    counts: &'a Counts,
}

impl<'a> Views<'a> {
    /// Views of `counts`.
    pub fn of(counts: &'a Counts) -> Self {
        Views {
            classes: counts.classes.iter().map(String::as_str).collect(),
            tokens: counts.tokens.iter().map(|(t, c)| (t.as_str(), c.as_slice())).collect(),
            counts,
        }
    }

    /// The model.
    pub fn model(&self) -> Model<'_> {
        Model {
            classes: &self.classes,
            class_docs: &self.counts.class_docs,
            class_tokens: &self.counts.class_tokens,
            tokens: &self.tokens,
        }
    }
}

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
    pub words: Vec<String>,
}

impl Resemblance {
    /// The confidence shown for it: low, and growing with the posterior up to [`MAX_CONFIDENCE`].
    pub fn confidence(&self) -> u8 {
        (12.0 + f64::from(MAX_CONFIDENCE - 12) * self.probability).round().min(f64::from(MAX_CONFIDENCE)) as u8
    }
}

/// Causes the text resembles under the compiled model, most probable first.
pub fn rank(text: &str) -> Vec<Resemblance> {
    rank_with(&BUILT, text)
}

/// Causes the text resembles under `model`, most probable first; empty when it shares no known
/// word. Causes the knowledge base does not know are skipped.
pub fn rank_with(model: &Model<'_>, text: &str) -> Vec<Resemblance> {
    let lookup = |token: &str| model.tokens.binary_search_by(|(t, _)| (*t).cmp(token)).ok().map(|i| model.tokens[i]);
    let known: Vec<(&str, &[(u16, u16)])> = tokens(text).iter().filter_map(|t| lookup(t)).collect();
    let classes = model.classes.len();
    if known.is_empty() || classes == 0 {
        return Vec::new();
    }
    let vocabulary = model.tokens.len() as f64;
    let total_docs: f64 = model.class_docs.iter().map(|&d| f64::from(d).sqrt()).sum();
    let log_p = |class: usize, count: u16| {
        ((f64::from(count) + SMOOTHING) / (f64::from(model.class_tokens[class]) + SMOOTHING * vocabulary)).ln()
    };
    let count_in = |per_class: &[(u16, u16)], class: usize| {
        per_class.iter().find(|(c, _)| usize::from(*c) == class).map_or(0, |(_, n)| *n)
    };
    let mut scores: Vec<f64> = (0..classes)
        .map(|class| {
            let prior = (f64::from(model.class_docs[class]).sqrt() / total_docs).ln();
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
    let mut ranked: Vec<(usize, f64)> = scores.iter().map(|s| s / sum).enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(model.classes[a.0].cmp(model.classes[b.0])));
    ranked
        .into_iter()
        .filter_map(|(class, probability)| {
            let cause = crate::causes::cause(model.classes[class])?.id;
            let mut lift: Vec<(f64, &str)> = known
                .iter()
                .map(|(token, per_class)| {
                    let here = log_p(class, count_in(per_class, class));
                    let mean = (0..classes).map(|k| log_p(k, count_in(per_class, k))).sum::<f64>() / classes as f64;
                    (here - mean, *token)
                })
                .filter(|(l, _)| *l > 0.5)
                .collect();
            lift.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
            let words = lift.into_iter().take(4).map(|(_, t)| t.to_string()).collect();
            Some(Resemblance { cause, probability, words })
        })
        .take(5)
        .collect()
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
