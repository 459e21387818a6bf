//! Layout checks: is the file the platform runs where it looks, under its exact name?
//! Ids: `entry-missing`, `entry-nested`, `entry-is-directory`.

use super::messages::{platform_says, StartFailure};
use super::{Ctx, Finding, Severity};
use crate::archive::{Entry, EntryType};
use crate::entry::{Target, TargetOrigin, TargetRole};
use crate::ids;

/// Where a target's file is.
pub(crate) enum Located<'a> {
    /// At the path the platform uses.
    Found(&'a Entry),
    /// Under a wrapper folder (`entry-nested` recorded): the file that will be there once unwrapped.
    Nested(&'a Entry),
    /// Nowhere (`entry-missing` recorded).
    Missing,
}

/// Finds the entry for a target, recording why it is not where the platform looks when it is not.
pub(crate) fn locate_target<'a>(ctx: &Ctx<'a>, target: &Target, findings: &mut Vec<Finding>) -> Located<'a> {
    if let Some(entry) = target.alternatives.iter().find_map(|alt| ctx.lookup(alt)) {
        return Located::Found(entry);
    }
    match find_nested(ctx, target) {
        Some(nested) => {
            findings.push(entry_nested(ctx, target, nested));
            Located::Nested(nested)
        }
        None => {
            findings.push(entry_missing(ctx, target));
            Located::Missing
        }
    }
}

/// The shallowest file whose path ends with `/<target>`: the entry under a wrapper folder.
fn find_nested<'a>(ctx: &Ctx<'a>, target: &Target) -> Option<&'a Entry> {
    ctx.entries
        .iter()
        .filter(|e| e.entry_type != EntryType::Directory && !e.path().starts_with("__MACOSX/"))
        .filter(|e| target.alternatives.iter().any(|alt| e.path().ends_with(&format!("/{alt}"))))
        .min_by_key(|e| e.path().matches('/').count())
}

fn failure_message(ctx: &Ctx<'_>, target: &Target) -> String {
    if let Some(module) = crate::entry::handler_module(ctx.profile, target).filter(|_| ctx.profile.runtime.is_some()) {
        let module = module.as_str();
        let said =
            super::messages::handler_says(ctx.profile, super::messages::HandlerProblem::ModuleMissing { module });
        if !said.is_empty() {
            return said;
        }
    }
    let failure = match (&target.origin, &target.role) {
        (TargetOrigin::DefaultEntry, _) => StartFailure::EntryAbsent,
        (_, TargetRole::Exec) => StartFailure::Exec(2),
        (_, TargetRole::Read { by }) => {
            StartFailure::Exit { status: exit_status_for(by), log: &missing_file_log(by, target) }
        }
    };
    platform_says(ctx.profile, failure, &target.platform_path, &target.command)
}

/// What the interpreter exits with when its script is missing (python 2, node/php/java/ruby 1, dotnet 145).
fn exit_status_for(interpreter: &str) -> i32 {
    match interpreter {
        "python" => 2,
        "dotnet" => 145,
        _ => 1,
    }
}

fn missing_file_log(interpreter: &str, target: &Target) -> String {
    let p = &target.platform_path;
    let raw = target
        .command
        .split_whitespace()
        .find(|t| target.path.ends_with(t.trim_start_matches("./")))
        .unwrap_or(&target.path);
    match interpreter {
        "python" => format!("python3: can't open file '{p}': [Errno 2] No such file or directory"),
        "node" => format!("Error: Cannot find module '{p}'"),
        "java" => format!("Error: Unable to access jarfile {raw}"),
        "php" => format!("Could not open input file: {raw}"),
        "ruby" => format!("ruby: No such file or directory -- {raw} (LoadError)"),
        "dotnet" => format!("The application '{raw}' does not exist."),
        "npm" | "yarn" | "pnpm" => {
            format!("npm ERR! enoent Could not read package.json: Error: ENOENT: no such file or directory, open '{p}'")
        }
        _ => format!("{raw}: No such file or directory"),
    }
}

fn entry_nested(ctx: &Ctx<'_>, target: &Target, nested: &Entry) -> Finding {
    let top = nested.path().split('/').next().unwrap_or("");
    let all_under_top = ctx.entries.iter().all(|e| e.path() == top || e.path().starts_with(&format!("{top}/")));
    let wrapper = nested.path().strip_suffix(&format!("/{}", nested.file_name())).unwrap_or(top);
    let mut evidence = vec![format!("{} is at {} ({})", target.path, nested.path(), nested.stored_mode.describe())];
    if all_under_top {
        evidence.push(format!("all {} entries are under {top}/", ctx.entries.len()));
    }
    evidence.push(format!("nothing named {} at the package root", target.path));
    let mut fix = format!("cd {wrapper} && zip -r ../function.zip .   # zip the folder's contents, not the folder");
    if let crate::profiles::EntryConvention::RootExecutable { start_command_allowed: true, .. } = ctx.profile.entry {
        fix.push_str(&format!("\nor set the start command to {}/{}", ctx.profile.code_dir, nested.path()));
    }
    Finding {
        id: ids::ENTRY_NESTED,
        severity: Severity::Error,
        path: Some(nested.path().to_string()),
        title: format!("{} is inside the folder {wrapper}/, not at the package root", target.path),
        evidence,
        platform_message: Some(failure_message(ctx, target)),
        explanation: format!(
            "The platform looks for {} and extracts the zip as it is. The package was zipped with its folder, \
             so the file is one level down.",
            target.platform_path
        ),
        fix,
    }
}

/// Names that are probably the entry under a wrong name: case, extension, SCF's two conventions.
fn near_misses<'a>(ctx: &Ctx<'a>, target: &Target) -> Vec<&'a Entry> {
    near_misses_in(ctx.entries, target)
}

/// [`near_misses`] over a package's entries (the server checks follow the first one to read the
/// code the misnamed entry would run).
pub(crate) fn near_misses_in<'a>(entries: &'a [Entry], target: &Target) -> Vec<&'a Entry> {
    let wanted = target.path.rsplit('/').next().unwrap_or(&target.path).to_ascii_lowercase();
    let wanted_stem = wanted.split('.').next().unwrap_or(&wanted).to_string();
    let swaps: &[(&str, &str)] = &[("bootstrap", "scf_bootstrap"), ("scf_bootstrap", "bootstrap")];
    entries
        .iter()
        .filter(|e| e.entry_type != EntryType::Directory && e.path().matches('/').count() <= 1)
        .filter(|e| !e.path().starts_with("__MACOSX/"))
        .filter(|e| {
            let name = e.path().rsplit(['/', '\\']).next().unwrap_or("").to_ascii_lowercase();
            let stem = name.split('.').next().unwrap_or(&name);
            name == wanted || stem == wanted_stem || swaps.iter().any(|(a, b)| wanted == *a && name == *b)
        })
        .take(5)
        .collect()
}

fn entry_missing(ctx: &Ctx<'_>, target: &Target) -> Finding {
    let misses = near_misses(ctx, target);
    let mut evidence = Vec::new();
    // The first names are enough to say it: compiled forms (.pyc, .so) need not be listed.
    let wanted = if target.alternatives.len() > 1 {
        target.alternatives.iter().take(3).cloned().collect::<Vec<_>>().join(" or ")
    } else {
        target.path.clone()
    };
    evidence.push(format!("no entry named {wanted} among {} entries", ctx.entries.len()));
    let root: Vec<&str> = ctx.entries.iter().map(|e| e.path()).filter(|p| !p.contains('/')).take(8).collect();
    if !root.is_empty() {
        evidence.push(format!("the root holds: {}", root.join(", ")));
    }
    for m in &misses {
        if m.path().contains('\\') {
            evidence.push(format!("{} uses backslashes: most extractors create one file literally named so", m.path()));
            if !m.is_executable() && target.role == TargetRole::Exec {
                evidence.push(format!(
                    "{} is also stored with {}: fixing the separators alone leaves it without its exec bit",
                    m.path(),
                    m.stored_mode.describe()
                ));
            }
        } else {
            evidence.push(format!("close match: {} ({})", m.path(), m.stored_mode.describe()));
        }
    }
    let title = match (&target.origin, misses.first()) {
        (TargetOrigin::Handler, _) => format!("The handler {} needs {wanted} at the package root", target.command),
        (_, Some(m)) => format!("{} is missing; did you mean {}?", target.path, m.path()),
        (_, None) => format!("{} is missing from the package", target.path),
    };
    let fix = match misses.first() {
        Some(m) if m.path().contains('\\') => {
            "Re-create the zip with a tool that writes '/' separators: on Windows use Compress-Archive from \
             PowerShell 7 or 7-Zip; on Linux/macOS: zip -r function.zip ."
                .to_string()
        }
        Some(m) => format!("mv {} {}   # then zip again (names are case-sensitive on Linux)", m.path(), target.path),
        None => match target.origin {
            TargetOrigin::DefaultEntry => format!(
                "Add an executable {} at the root of the zip (chmod 755 {0}), or set a start command that names your program.",
                target.path
            ),
            TargetOrigin::StartCommand => format!(
                "Fix the path in the start command, or add {} to the package. Paths are relative to {}.",
                target.path, ctx.profile.code_dir
            ),
            TargetOrigin::Handler => format!(
                "Put {wanted} at the root of the zip, or set the handler to <file without extension>.<function>."
            ),
        },
    };
    Finding {
        id: ids::ENTRY_MISSING,
        severity: Severity::Error,
        path: Some(target.path.clone()),
        title,
        evidence,
        platform_message: Some(failure_message(ctx, target)),
        explanation: format!(
            "The platform runs {} (from the {}), and that file is not in the package.",
            target.platform_path,
            match target.origin {
                TargetOrigin::DefaultEntry => "platform's default entry",
                TargetOrigin::StartCommand => "start command",
                TargetOrigin::Handler => "handler",
            }
        ),
        fix,
    }
}

/// The target path is a directory.
pub(crate) fn entry_is_directory(ctx: &Ctx<'_>, target: &Target, entry: &Entry) -> Finding {
    let inside: Vec<&str> =
        ctx.entries.iter().map(|e| e.path()).filter(|p| p.starts_with(&format!("{}/", entry.path()))).take(5).collect();
    let mut evidence = vec![format!("{} is a directory entry ({})", entry.name, entry.stored_mode.describe())];
    if !inside.is_empty() {
        evidence.push(format!("it contains: {}", inside.join(", ")));
    }
    Finding {
        id: ids::ENTRY_IS_DIRECTORY,
        severity: Severity::Error,
        path: Some(entry.path().to_string()),
        title: format!("{} is a directory, not a file", target.path),
        evidence,
        platform_message: Some(platform_says(
            ctx.profile,
            super::messages::StartFailure::Exec(13),
            &target.platform_path,
            &target.command,
        )),
        explanation:
            "Executing a directory fails with EACCES (permission denied), which reads like a missing exec bit.".into(),
        fix: match inside.first() {
            Some(first) => {
                format!("Point the start command at the program inside, e.g. {}/{first}", ctx.profile.code_dir)
            }
            None => format!("Replace the directory {} with the executable file.", entry.path()),
        },
    }
}

/// The entry a symlink points to (when it is in the package), else the entry itself.
pub(crate) fn follow_symlink<'a>(ctx: &Ctx<'a>, entry: &'a Entry) -> &'a Entry {
    ctx.links.get(&entry.index).map(|&i| &ctx.entries[i]).unwrap_or(entry)
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, run};
    use crate::synth::ZipBuilder;

    const SCRIPT: &[u8] = b"#!/bin/bash\necho ready\n";

    #[test]
    fn entry_missing_fires_with_near_miss() {
        let zip = ZipBuilder::new().unix_file("bootstrap.sh", 0o755, SCRIPT).finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["entry-missing"]);
        let f = &i.findings[0];
        assert!(f.title.contains("did you mean bootstrap.sh"), "{}", f.title);
        assert!(f.platform_message.as_deref().unwrap().contains("the file /code/bootstrap is not exist"));
        let zip = ZipBuilder::new().unix_file("Bootstrap", 0o755, SCRIPT).finish();
        assert!(run(zip, "aws-lambda-al2023", "").findings[0].title.contains("Bootstrap"));
    }

    #[test]
    fn entry_present_does_not_fire() {
        let zip =
            ZipBuilder::new().unix_file("bootstrap", 0o755, SCRIPT).unix_file("main.py", 0o644, b"print(1)").finish();
        assert!(errors(&run(zip, "aliyun-fc", "")).is_empty());
    }

    #[test]
    fn scf_web_wants_scf_bootstrap() {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o755, SCRIPT).finish();
        let i = run(zip, "tencent-scf-web", "");
        assert_eq!(errors(&i), ["entry-missing"]);
        assert!(i.findings[0].title.contains("did you mean bootstrap"));
    }

    #[test]
    fn nested_fires_and_flat_does_not() {
        let zip = ZipBuilder::new()
            .unix_dir("myfunc/", 0o755)
            .unix_file("myfunc/bootstrap", 0o755, SCRIPT)
            .unix_file("myfunc/index.js", 0o644, b"")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["entry-nested"]);
        assert!(i.findings[0].fix.contains("cd myfunc && zip -r ../function.zip ."));
        assert!(i.findings[0].fix.contains("/code/myfunc/bootstrap"));
        assert!(i.findings[0].evidence.iter().any(|e| e.contains("all 3 entries are under myfunc/")));
    }

    #[test]
    fn a_nested_entry_is_also_checked_as_it_will_run() {
        // Wrapped, zipped on Windows, CRLF: all three at once, so one round of fixes is enough.
        let zip = ZipBuilder::new()
            .dos_file("myfunc/bootstrap", b"#!/bin/bash\r\nexec node index.js\r\n")
            .dos_file("myfunc/index.js", b"")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        let mut got = errors(&i);
        got.sort_unstable();
        assert_eq!(got, ["crlf-shebang", "entry-nested", "exec-bit-missing"]);
        assert!(i
            .findings
            .iter()
            .filter(|f| f.id != "entry-nested")
            .all(|f| f.path.as_deref() == Some("myfunc/bootstrap")));
    }

    #[test]
    fn directory_entry_fires() {
        let zip = ZipBuilder::new().unix_dir("bootstrap/", 0o755).unix_file("bootstrap/run", 0o755, SCRIPT).finish();
        assert_eq!(errors(&run(zip, "aliyun-fc", "")), ["entry-is-directory"]);
    }

    #[test]
    fn start_command_files_are_checked() {
        let zip = ZipBuilder::new().unix_file("app.py", 0o644, b"print(1)").finish();
        assert!(errors(&run(zip.clone(), "aliyun-fc", "python3 app.py")).is_empty());
        let i = run(zip, "aliyun-fc", "python3 not_exist_file.py");
        assert_eq!(errors(&i), ["entry-missing"]);
        assert!(i.findings[0]
            .platform_message
            .as_deref()
            .unwrap()
            .contains("can't open file '/code/not_exist_file.py'"));
    }

    #[test]
    fn handler_resolves_to_a_file() {
        let zip = ZipBuilder::new().unix_file("src/index.py", 0o644, b"def main_handler(e, c): pass").finish();
        let i = run(zip, "tencent-scf", "index.main_handler");
        assert_eq!(errors(&i), ["entry-nested"]);
        let zip = ZipBuilder::new().unix_file("index.py", 0o644, b"def main_handler(e, c): pass").finish();
        assert!(errors(&run(zip, "tencent-scf", "index.main_handler")).is_empty());
    }

    #[test]
    fn backslash_names_are_explained() {
        let zip = ZipBuilder::new().dos_file("build\\bootstrap", SCRIPT).finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["entry-missing", "unsafe-path"]);
        assert!(i.findings[0].evidence.iter().any(|e| e.contains("backslashes")));
    }
}
