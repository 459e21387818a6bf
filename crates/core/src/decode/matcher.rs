//! Every pattern fragment (and every failure word) found in one pass over the paste (Aho–Corasick,
//! as ripgrep does), instead of one substring search per fragment: the cost is linear in the paste,
//! whatever the knowledge size.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::patterns::PATTERNS;

/// The automaton over every distinct pattern fragment and failure word, with each one's index.
struct Automaton {
    searcher: AhoCorasick,
    index: HashMap<&'static str, usize>,
}

fn automaton() -> &'static Automaton {
    static AUTOMATON: OnceLock<Automaton> = OnceLock::new();
    AUTOMATON.get_or_init(|| {
        let mut fragments: Vec<&'static str> = Vec::new();
        let mut index = HashMap::new();
        let words = PATTERNS.iter().flat_map(|p| p.any.iter().chain(p.all).chain(p.unless));
        for f in words.chain(crate::knowledge::FAILURE_WORDS) {
            index.entry(*f).or_insert_with(|| {
                fragments.push(f);
                fragments.len() - 1
            });
        }
        let searcher = AhoCorasick::new(&fragments).expect("fragments are short literals");
        Automaton { searcher, index }
    })
}

/// Which fragments occur in a text.
pub struct Found {
    present: Vec<bool>,
}

impl Found {
    /// Scans `lower` (the paste, ASCII-lowercased, as the fragments are) once.
    pub fn scan(lower: &str) -> Self {
        let a = automaton();
        let mut present = vec![false; a.index.len()];
        let mut left = present.len();
        for m in a.searcher.find_overlapping_iter(lower) {
            let seen = &mut present[m.pattern().as_usize()];
            if !*seen {
                *seen = true;
                left -= 1;
                if left == 0 {
                    break;
                }
            }
        }
        Found { present }
    }

    /// Whether `fragment` (one of the patterns' fragments) occurs.
    pub fn has(&self, fragment: &str) -> bool {
        automaton().index.get(fragment).is_some_and(|&i| self.present[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_fragment_a_substring_search_finds() {
        let text =
            "Error: fork/exec /var/task/bootstrap: permission denied\nRuntime.InvalidEntrypoint".to_ascii_lowercase();
        let found = Found::scan(&text);
        for p in PATTERNS {
            for f in p.any.iter().chain(p.all).chain(p.unless) {
                assert_eq!(found.has(f), text.contains(f), "{f}");
            }
        }
        for w in crate::knowledge::FAILURE_WORDS {
            assert_eq!(found.has(w), text.contains(w), "{w}");
        }
    }
}
