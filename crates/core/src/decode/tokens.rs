//! The words the fallback ranker counts: one tokenizer shared by the build script (which learns
//! from the corpus's train part) and the engine (which scores a paste), so both see the same words.
//! `std` only, because the build script includes this file by path.

/// Most distinct tokens taken from one text; a long log says little more after this.
pub const MAX_TOKENS_PER_TEXT: usize = 3000;

/// Most bytes of a text read for tokens.
pub const MAX_TOKEN_BYTES: usize = 256 * 1024;

/// The distinct tokens of `text`, in first-seen order: lowercase ASCII words (2–40 characters,
/// not hex-like ids, numbers only up to three digits: exit codes and statuses), adjacent word pairs
/// (`permission denied`), and pairs of adjacent CJK characters (`超时`).
pub fn tokens(text: &str) -> Vec<String> {
    let mut bag = Bag::default();
    let mut word = String::new();
    let mut previous_word: Option<String> = None;
    let mut previous_cjk: Option<char> = None;
    for c in head(text, MAX_TOKEN_BYTES).chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c.to_ascii_lowercase());
            previous_cjk = None;
            continue;
        }
        bag.end_word(&mut word, &mut previous_word);
        if is_cjk(c) {
            if let Some(p) = previous_cjk {
                bag.push(format!("{p}{c}"));
            }
            previous_cjk = Some(c);
            previous_word = None;
        } else {
            previous_cjk = None;
            // Words pair across spaces and identifiers' punctuation, not across lines.
            if c == '\n' || c == '\r' {
                previous_word = None;
            }
        }
    }
    bag.end_word(&mut word, &mut previous_word);
    bag.tokens
}

/// Distinct tokens in first-seen order, at most [`MAX_TOKENS_PER_TEXT`].
#[derive(Default)]
struct Bag {
    tokens: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Bag {
    fn push(&mut self, token: String) {
        if self.tokens.len() < MAX_TOKENS_PER_TEXT && self.seen.insert(token.clone()) {
            self.tokens.push(token);
        }
    }

    /// Takes the word being read (if any) as a token, paired with the word before it.
    fn end_word(&mut self, word: &mut String, previous_word: &mut Option<String>) {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        if !keep_word(&w) {
            *previous_word = None;
            return;
        }
        if let Some(p) = previous_word.as_ref() {
            self.push(format!("{p} {w}"));
        }
        self.push(w.clone());
        *previous_word = Some(w);
    }
}

/// What the fallback ranker is made of, learnt from labelled texts: the vocabulary with each
/// token's document frequency, and every training text as the sorted ids of its tokens. Shared by
/// the build script (which writes it as constants) and by tests that learn on part of the corpus
/// and score the rest (cross-validation), so both learn the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Learnt {
    /// Cause ids, sorted; a class is an index into this.
    pub classes: Vec<String>,
    /// Tokens seen in at least [`MIN_DOCUMENTS`] texts, sorted, with how many texts hold each.
    pub vocabulary: Vec<(String, u32)>,
    /// Every training text: its class and its tokens' vocabulary ids, sorted.
    pub documents: Vec<(u16, Vec<u16>)>,
}

/// A token must occur in this many training texts to count: a word one report used is noise.
pub const MIN_DOCUMENTS: u32 = 2;

/// Learns from `(cause, tokens)` pairs.
pub fn learn(docs: &[(String, Vec<String>)]) -> Learnt {
    use std::collections::{BTreeMap, BTreeSet};
    let classes: Vec<String> = docs.iter().map(|(c, _)| c.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut df: BTreeMap<&str, u32> = BTreeMap::new();
    for (_, tokens) in docs {
        for t in tokens.iter().collect::<BTreeSet<_>>() {
            *df.entry(t.as_str()).or_default() += 1;
        }
    }
    let vocabulary: Vec<(String, u32)> = df
        .into_iter()
        .filter(|(_, n)| *n >= MIN_DOCUMENTS)
        .take(usize::from(u16::MAX))
        .map(|(t, n)| (t.to_string(), n))
        .collect();
    let documents = docs
        .iter()
        .map(|(cause, tokens)| {
            let class = classes.binary_search(cause).expect("a class of its own") as u16;
            let mut ids: Vec<u16> = tokens
                .iter()
                .filter_map(|t| vocabulary.binary_search_by(|(v, _)| v.as_str().cmp(t)).ok())
                .map(|i| i as u16)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            (class, ids)
        })
        .collect();
    Learnt { classes, vocabulary, documents }
}

/// Words too common in any English text to say anything about a cause (`not` and `no` stay: they
/// carry `not found`, `no such file`).
const STOPWORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "for", "from", "had", "has", "have",
    "he", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that", "the", "then",
    "there", "this", "to", "us", "was", "we", "were", "what", "when", "which", "will", "with", "you", "your",
];

fn keep_word(w: &str) -> bool {
    if w.len() < 2 || w.len() > 40 || STOPWORDS.contains(&w) {
        return false;
    }
    let digits = w.bytes().filter(u8::is_ascii_digit).count();
    if digits == w.len() {
        return w.len() <= 3;
    }
    let hex_like = w.bytes().all(|b| b.is_ascii_hexdigit()) && digits > 0;
    !hex_like && digits <= 4
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{3040}'..='\u{30ff}')
}

fn head(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::tokens;

    #[test]
    fn words_pairs_and_cjk() {
        let t = tokens("Error: fork/exec /var/task/bootstrap: permission denied (code 13) 4f2a9c 函数超时");
        for want in [
            "error",
            "fork",
            "exec",
            "fork exec",
            "bootstrap",
            "permission denied",
            "code",
            "13",
            "函数",
            "数超",
            "超时",
        ] {
            assert!(t.iter().any(|x| x == want), "{want} missing from {t:?}");
        }
        assert!(!t.iter().any(|x| x == "4f2a9c"), "hex ids are noise: {t:?}");
    }

    #[test]
    fn no_pairs_across_lines_and_bounded() {
        let t = tokens("alpha\nbeta");
        assert!(!t.iter().any(|x| x == "alpha beta"));
        let long: String = (0..20_000).map(|i| format!("w{} ", i % 9000 + 1000)).collect();
        assert!(tokens(&long).len() <= super::MAX_TOKENS_PER_TEXT);
    }
}
