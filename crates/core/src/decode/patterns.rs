//! The error patterns: what a platform or a program prints, and the causes it points to.
//!
//! The patterns themselves are data: one TOML file per pattern under `knowledge/patterns/<vendor>/`,
//! compiled into [`PATTERNS`] by the build script. Matching is by case-insensitive literal fragments
//! plus, for exit codes, the number the facts scanner read. Every pattern carries examples that must
//! match and may carry counter-examples that must not; the tests check both.

use super::facts::CodeMechanism;

/// How specific a pattern's evidence is; log lines from the failing program beat generic codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Specificity {
    /// A program's own words in the log tail (`can't open file`, `bash\r`): the strongest evidence.
    Log,
    /// The platform's headline for a failure class (health check, bootstrap not found).
    Headline,
    /// Only an exit code or errno: read by mechanism, weakest.
    ExitCode,
}

/// One recognisable message.
#[derive(Debug, Clone, Copy)]
pub struct Pattern {
    /// Stable id.
    pub id: &'static str,
    /// The vendor that prints it (`aliyun`, `tencent`, `aws`, `gcp`), or `None` for generic text.
    pub vendor: Option<&'static str>,
    /// How specific the evidence is.
    pub specificity: Specificity,
    /// At least one of these fragments must occur (case-insensitive). Empty: no fragment needed.
    pub any: &'static [&'static str],
    /// All of these must occur too.
    pub all: &'static [&'static str],
    /// None of these may occur.
    pub unless: &'static [&'static str],
    /// The extracted exit code must equal this.
    pub code: Option<i32>,
    /// And be read by this mechanism.
    pub mechanism: Option<CodeMechanism>,
    /// Causes with base confidence (0–100).
    pub causes: &'static [(&'static str, u8)],
    /// What this message means, specifically.
    pub meaning: &'static str,
    /// The fix on a given platform, by vendor, where it differs from the cause's general fix.
    pub fixes: &'static [(&'static str, &'static str)],
    /// Values to read out of the matched text (a module name, a library).
    pub captures: &'static [Capture],
    /// Where the wording comes from (documentation or public reports).
    pub sources: &'static [&'static str],
    /// Texts that must match.
    pub examples: &'static [&'static str],
    /// Texts that must not match (near misses).
    pub counter_examples: &'static [&'static str],
}

/// A value a pattern reads out of the text: what follows `after`, up to the first character of
/// `until` (or the end of the line), bounded in length.
#[derive(Debug, Clone, Copy)]
pub struct Capture {
    /// The variable's name as shown to the user (`module`, `library`).
    pub name: &'static str,
    /// The fragment just before the value (case-insensitive).
    pub after: &'static str,
    /// Characters that end the value; empty means quotes, whitespace and line ends.
    pub until: &'static str,
}

pub use crate::knowledge::PATTERNS;

impl Pattern {
    /// The fix this pattern gives for a vendor, if it has one.
    pub fn fix_for(&self, vendor: &str) -> Option<&'static str> {
        self.fixes.iter().find(|(v, _)| *v == vendor).map(|(_, f)| *f)
    }
}
