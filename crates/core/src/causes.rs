//! The cause catalogue: every reason a function fails to start that Bootdoctor can name.
//!
//! A cause id is shared by package findings and error hypotheses wherever the cause is the same, so
//! "the error says X" and "the package shows X" meet on one id. Ids are public (CLI, links, pages).
//! Texts here are general; findings and hypotheses add the specifics (paths, modes, codes). The
//! catalogue is data: one TOML file per cause under `knowledge/causes/`, compiled by the build script.

use serde::Serialize;

/// Where the problem lives, which tells the user who can fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CauseKind {
    /// Something in the package (files, modes, binaries): the package check can see it.
    Package,
    /// The code's behaviour at run time (ports, crashes): partly visible in the package.
    Code,
    /// The function's configuration (memory, timeout, start command, handler).
    Configuration,
    /// The account or the platform itself: not the package.
    Platform,
}

/// A fix for one language or toolchain (`Go`, `Python (pip)`, `Windows (PowerShell)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ToolchainFix {
    /// Who this fix is for.
    pub toolchain: &'static str,
    /// The command, ready to copy — or, when not [`ToolchainFix::runnable`], the step to take.
    pub command: &'static str,
    /// Whether `command` runs as it stands (a shell command, a Dockerfile line, code); a step in
    /// an editor or a console is shown but not offered to copy.
    pub runnable: bool,
}

/// One cause, with its general explanation and fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// Public id (`exec-bit-missing`).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Where the problem lives.
    pub kind: CauseKind,
    /// What happens at start-up and why, in two or three sentences.
    pub summary: &'static str,
    /// How to confirm it is this cause and not a look-alike; shown when a paste is ambiguous.
    pub confirm: &'static str,
    /// The general fix (commands where possible).
    pub fix: &'static str,
    /// The fix for particular languages and toolchains, as commands to copy.
    pub fixes: &'static [ToolchainFix],
    /// Sources: documentation and public reports.
    pub sources: &'static [&'static str],
}

pub use crate::knowledge::CAUSES;

/// Looks a cause up by id.
pub fn cause(id: &str) -> Option<&'static Cause> {
    CAUSES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finding_id_has_a_cause_page() {
        for id in crate::checks::CHECK_IDS {
            assert!(cause(id).is_some(), "finding id {id} has no cause in the catalogue");
        }
    }

    /// The engine names causes through `crate::ids`, never by a string a typo could break: no
    /// non-test source of the engine quotes a cause id.
    #[test]
    fn the_engine_names_causes_by_their_constants() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        assert!(files.len() > 20);
        let mut quoted = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for c in CAUSES {
                if code.contains(&format!("\"{}\"", c.id)) {
                    quoted.push(format!("{}: \"{}\"", path.display(), c.id));
                }
            }
        }
        assert!(quoted.is_empty(), "use crate::ids::… for {quoted:#?}");
        assert_eq!(crate::ids::EXEC_BIT_MISSING, "exec-bit-missing");
    }

    #[test]
    fn ids_are_unique_and_texts_present() {
        let mut ids: Vec<_> = CAUSES.iter().map(|c| c.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate cause id");
        for c in CAUSES {
            assert!(!c.summary.is_empty() && !c.fix.is_empty() && !c.sources.is_empty(), "{}", c.id);
        }
    }

    #[test]
    fn commands_offered_to_copy_are_commands() {
        // The build refuses a command that opens like a sentence; steps in an editor or a console
        // are `advice` and are shown without a copy button.
        let (runnable, steps): (Vec<&ToolchainFix>, Vec<&ToolchainFix>) =
            CAUSES.iter().flat_map(|c| c.fixes).partition(|f| f.runnable);
        assert!(runnable.len() > 100 && !steps.is_empty());
        for f in runnable {
            let first = f.command.split_whitespace().next().unwrap_or_default();
            assert!(
                !(first.len() > 1
                    && first.starts_with(char::is_uppercase)
                    && first[1..].chars().all(char::is_lowercase)),
                "{}: {}",
                f.toolchain,
                f.command
            );
        }
    }
}
