//! The fallback ranker: which causes a paste *resembles*, by the words it shares with real reports.
//!
//! Nearest neighbours over [`tokens`](super::tokens) (words, word pairs, CJK pairs) weighted by
//! inverse document frequency: the paste is compared (cosine) with every training text — the
//! corpus's train part and the patterns' examples, learnt at build time (see `build.rs`) — and the
//! [`NEIGHBOURS`] closest vote for their causes. Chosen over naive Bayes by cross-validation inside
//! the train part (top-3 66 % against 61 %, the ranker alone). It is used for recall — when no rule
//! is confident — and to break near-ties between rules; its hypotheses are labelled as resemblance
//! and never claim more than [`MAX_CONFIDENCE`].

use super::tokens::{tokens, Learnt};
use crate::knowledge::resemblance_model;

/// The most a resemblance may claim: it is a likeness, not a reading of the evidence.
pub const MAX_CONFIDENCE: u8 = 40;

/// Training texts that vote (set by cross-validation inside the train part).
pub const NEIGHBOURS: usize = 10;

/// A learnt model: the compiled one ([`BUILT`]), or one learnt in a test ([`Views::model`]).
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    /// Cause ids, by class index.
    pub classes: &'a [&'a str],
    /// Tokens, sorted, with how many training texts hold each.
    pub vocabulary: &'a [(&'a str, u32)],
    /// Training texts: class and sorted token ids.
    pub documents: &'a [(u16, &'a [u16])],
}

/// The model `build.rs` learnt from the corpus's train part and the patterns' examples.
pub const BUILT: Model<'static> = Model {
    classes: resemblance_model::CLASSES,
    vocabulary: resemblance_model::VOCABULARY,
    documents: resemblance_model::DOCUMENTS,
};

/// Borrowed views of a [`Learnt`], to make a [`Model`] of it.
pub struct Views<'a> {
    classes: Vec<&'a str>,
    vocabulary: Vec<(&'a str, u32)>,
    documents: Vec<(u16, &'a [u16])>,
}

impl<'a> Views<'a> {
    /// Views of `learnt`.
    pub fn of(learnt: &'a Learnt) -> Self {
        Views {
            classes: learnt.classes.iter().map(String::as_str).collect(),
            vocabulary: learnt.vocabulary.iter().map(|(t, n)| (t.as_str(), *n)).collect(),
            documents: learnt.documents.iter().map(|(c, ids)| (*c, ids.as_slice())).collect(),
        }
    }

    /// The model.
    pub fn model(&self) -> Model<'_> {
        Model { classes: &self.classes, vocabulary: &self.vocabulary, documents: &self.documents }
    }
}

/// One cause a paste resembles.
#[derive(Debug, Clone, PartialEq)]
pub struct Resemblance {
    /// Cause id.
    pub cause: &'static str,
    /// Its share of the neighbours' votes (0–1).
    pub probability: f64,
    /// Cosine similarity (0–1) of the closest training text of this cause.
    pub similarity: f64,
    /// The paste's words shared with that text, rarest first.
    pub words: Vec<String>,
}

impl Resemblance {
    /// The confidence shown: low, growing with the vote share and with how close the nearest
    /// report is, up to [`MAX_CONFIDENCE`].
    pub fn confidence(&self) -> u8 {
        let closeness = (2.0 * self.similarity).min(1.0);
        (12.0 + f64::from(MAX_CONFIDENCE - 12) * self.probability * closeness).round().min(f64::from(MAX_CONFIDENCE))
            as u8
    }
}

/// Causes the text resembles under the compiled model, most probable first.
pub fn rank(text: &str) -> Vec<Resemblance> {
    rank_with(&BUILT, text)
}

/// Inverse document frequency of a token held by `df` of `n` texts.
fn idf(n: f64, df: u32) -> f64 {
    (n / (1.0 + f64::from(df))).ln().max(0.0)
}

/// Causes the text resembles under `model`, most probable first; empty when it shares no known
/// word. Causes the knowledge base does not know are skipped.
pub fn rank_with(model: &Model<'_>, text: &str) -> Vec<Resemblance> {
    let mut query: Vec<u16> = tokens(text)
        .iter()
        .filter_map(|t| model.vocabulary.binary_search_by(|(v, _)| (*v).cmp(t.as_str())).ok())
        .map(|i| i as u16)
        .collect();
    query.sort_unstable();
    query.dedup();
    if query.is_empty() || model.documents.is_empty() {
        return Vec::new();
    }
    let n = model.documents.len() as f64;
    let weight = |id: u16| idf(n, model.vocabulary[usize::from(id)].1).powi(2);
    let query_norm = query.iter().map(|&id| weight(id)).sum::<f64>().sqrt();
    if query_norm == 0.0 {
        return Vec::new();
    }
    let mut similar: Vec<(f64, usize)> = model
        .documents
        .iter()
        .enumerate()
        .filter_map(|(i, (_, ids))| {
            let dot: f64 = shared(&query, ids).map(weight).sum();
            let norm = ids.iter().map(|&id| weight(id)).sum::<f64>().sqrt();
            (dot > 0.0 && norm > 0.0).then(|| (dot / (query_norm * norm), i))
        })
        .collect();
    similar.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    similar.truncate(NEIGHBOURS);
    let total: f64 = similar.iter().map(|(s, _)| s).sum();
    // Per class: vote, and its closest text.
    let mut votes: Vec<(usize, f64, f64, usize)> = Vec::new();
    for &(sim, doc) in &similar {
        let class = usize::from(model.documents[doc].0);
        match votes.iter_mut().find(|v| v.0 == class) {
            Some(v) => v.1 += sim,
            None => votes.push((class, sim, sim, doc)),
        }
    }
    votes.sort_by(|a, b| b.1.total_cmp(&a.1).then(model.classes[a.0].cmp(model.classes[b.0])));
    votes
        .into_iter()
        .filter_map(|(class, vote, closest, doc)| {
            let cause = crate::causes::cause(model.classes[class])?.id;
            let mut words: Vec<u16> = shared(&query, model.documents[doc].1).collect();
            words.sort_by(|a, b| {
                model.vocabulary[usize::from(*a)].1.cmp(&model.vocabulary[usize::from(*b)].1).then(a.cmp(b))
            });
            let words = words.into_iter().take(4).map(|id| model.vocabulary[usize::from(id)].0.to_string()).collect();
            Some(Resemblance { cause, probability: vote / total, similarity: closest, words })
        })
        .take(5)
        .collect()
}

/// The ids in both sorted lists.
fn shared<'a>(a: &'a [u16], b: &'a [u16]) -> impl Iterator<Item = u16> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
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
