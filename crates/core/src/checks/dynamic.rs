//! Load-time checks on Linux ELF objects of the right architecture: is their loader in the image,
//! is the image's glibc/libstdc++ new enough, can every needed library be found?
//! Ids: `elf-interpreter-missing`, `glibc-too-new`, `shared-lib-missing`.

use super::messages::{platform_says, StartFailure};
use super::{Ctx, Finding, Severity};
use crate::archive::{Entry, EntryType};
use crate::elf::{parse_version, ElfNeeds};
use crate::entry::{normalize_relative, Target};
use crate::ids;
use crate::profiles::{Profile, GLIBC_CORE, OPENSSL_SONAMES};

/// Library findings reported at most (a broken vendored tree can miss hundreds).
const MAX_LIBRARY_FINDINGS: usize = 50;

fn version_gt(needed: &str, have: &str) -> bool {
    match (parse_version(needed), parse_version(have)) {
        (Some(n), Some(h)) => n > h,
        _ => false,
    }
}

/// What an ELF at `path` fails with, for targets; `None` for files that are only loaded.
fn loader_message(ctx: &Ctx<'_>, target: Option<&Target>, log: &str) -> Option<String> {
    target.map(|t| platform_says(ctx.profile, StartFailure::Exit { status: 127, log }, &t.platform_path, &t.command))
}

fn severity_for(target: Option<&Target>) -> Severity {
    if target.is_some() {
        Severity::Error
    } else {
        Severity::Warning
    }
}

fn not_the_entry(target: Option<&Target>) -> &'static str {
    if target.is_some() {
        ""
    } else {
        " This file is not the entry: start-up fails when something loads or runs it."
    }
}

/// `PT_INTERP` names a loader the image does not have.
pub(crate) fn check_interpreter(
    ctx: &Ctx<'_>,
    entry: &Entry,
    needs: &ElfNeeds,
    target: Option<&Target>,
) -> Option<Finding> {
    let interp = needs.interpreter.as_deref()?;
    if ctx.profile.loaders.contains(&interp) {
        return None;
    }
    let (what, fix) = if interp.contains("ld-musl") {
        (
            "a musl (Alpine) build",
            "Link statically: CGO_ENABLED=0 go build …, or cargo build --target x86_64-unknown-linux-musl (static by \
             default); or build on a glibc distribution no newer than the runtime's.",
        )
    } else if interp.contains("linuxbrew") || interp.contains("/nix/store") || interp.contains("homebrew") {
        (
            "a Homebrew/Nix build whose loader lives in the build machine's store",
            "patchelf --set-interpreter /lib64/ld-linux-x86-64.so.2 <file>, or build inside the runtime's image.",
        )
    } else {
        ("a binary whose loader is not part of this image", "Build for the runtime's OS and CPU, or link statically.")
    };
    let path = entry.path();
    Some(Finding {
        id: ids::ELF_INTERPRETER_MISSING,
        severity: severity_for(target),
        path: Some(path.to_string()),
        title: format!("{path} needs the loader {interp}, which {} does not have", ctx.profile.image),
        evidence: vec![
            format!("PT_INTERP = {interp}"),
            format!("loaders in the image: {}", ctx.profile.loaders.join(", ")),
        ],
        platform_message: target
            .map(|t| platform_says(ctx.profile, StartFailure::Exec(2), &t.platform_path, &t.command)),
        explanation: format!(
            "It is {what}. The kernel cannot start the loader, so exec fails with ENOENT (no such file or directory) \
             although the file itself is there.{}",
            not_the_entry(target)
        ),
        fix: fix.into(),
    })
}

/// Symbol versions newer than the image's glibc or libstdc++.
pub(crate) fn check_versions(
    ctx: &Ctx<'_>,
    entry: &Entry,
    needs: &ElfNeeds,
    target: Option<&Target>,
) -> Option<Finding> {
    let p = ctx.profile;
    let path = entry.path();
    let mut too_new: Vec<String> = Vec::new();
    let mut evidence = Vec::new();
    if let Some(max) = needs.max_version("GLIBC_") {
        if version_gt(&max["GLIBC_".len()..], p.glibc) {
            too_new.push(max.clone());
            evidence.push(format!("needs {max}; the image has glibc {} ({})", p.glibc, p.glibc_provenance.describe()));
        }
    }
    if needs.needs_dt_relr() && version_gt("2.36", p.glibc) {
        too_new.push("GLIBC_ABI_DT_RELR".into());
        evidence.push(format!(
            "needs GLIBC_ABI_DT_RELR (packed relocations, glibc ≥ 2.36); the image has glibc {}",
            p.glibc
        ));
    }
    let bundles_libstdcxx = ctx.find_file_named("libstdc++.so.6").is_some();
    for (prefix, have) in [("GLIBCXX_", p.glibcxx), ("CXXABI_", p.cxxabi)] {
        if let Some(max) = needs.max_version(prefix) {
            if !bundles_libstdcxx && version_gt(&max[prefix.len()..], have) {
                too_new.push(max.clone());
                evidence.push(format!(
                    "needs {max}; the image's libstdc++ has {prefix}{have} ({})",
                    p.libstdcxx_provenance.describe()
                ));
            }
        }
    }
    if too_new.is_empty() {
        return None;
    }
    let first = &too_new[0];
    let library = if first.starts_with("GLIBCXX_") || first.starts_with("CXXABI_") {
        "/usr/lib64/libstdc++.so.6"
    } else {
        "/lib64/libc.so.6"
    };
    let platform_path = target.map(|t| t.platform_path.clone()).unwrap_or_else(|| format!("{}/{path}", p.code_dir));
    let log = format!("{platform_path}: {library}: version `{first}' not found (required by {platform_path})");
    let inferred = !p.glibc_provenance.is_documented() || first.starts_with("GLIBCXX_");
    let assumed = p.glibc_provenance.is_assumed();
    Some(Finding {
        id: ids::GLIBC_TOO_NEW,
        severity: if assumed { Severity::Warning } else { severity_for(target) },
        path: Some(path.to_string()),
        title: format!("{path} needs {} — newer than {}", too_new.join(", "), p.image),
        evidence,
        platform_message: loader_message(ctx, target, &log).or(Some(log)),
        explanation: format!(
            "It was linked on a newer system than the runtime. The dynamic loader refuses to start it.{}{}",
            if inferred {
                " The image's version is inferred (see evidence), so treat this as very likely rather than certain."
            } else {
                ""
            },
            not_the_entry(target)
        ),
        fix: {
            let mut fix = format!(
                "Build against the runtime's glibc: cargo zigbuild --target {}-unknown-linux-gnu.{} · build inside the \
                 runtime's image · CGO_ENABLED=0 for Go · a static musl build · or choose a newer runtime image.",
                if p.arch_label == "arm64" { "aarch64" } else { "x86_64" },
                p.glibc
            );
            if too_new.iter().any(|v| v == "GLIBC_ABI_DT_RELR") {
                fix.push_str("\nFor GLIBC_ABI_DT_RELR alone: relink without packed relocations: RUSTFLAGS='-C link-arg=-Wl,-z,nopack-relative-relocs' (or LDFLAGS=-Wl,-z,nopack-relative-relocs).");
            }
            fix
        },
    })
}

/// Directories (package paths) searched for the libraries of an ELF at `elf_path`.
fn search_dirs(ctx: &Ctx<'_>, elf_path: &str, needs: &ElfNeeds) -> Vec<String> {
    let elf_dir = elf_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let mut dirs = vec![elf_dir.to_string()];
    let code = ctx.profile.code_dir;
    for raw in needs.rpath.iter().chain(&needs.runpath) {
        let expanded = raw.replace("$ORIGIN", &format!("/{elf_dir}")).replace("${ORIGIN}", &format!("/{elf_dir}"));
        let rel = expanded.strip_prefix(code).unwrap_or(&expanded);
        if raw.contains("ORIGIN") || expanded.starts_with(code) {
            dirs.extend(normalize_relative(rel.trim_start_matches('/')).or(Some(String::new())));
        }
    }
    dirs.extend(ctx.profile.library_dirs.iter().map(|d| d.to_string()));
    dirs.extend(ctx.ld_library_path.iter().cloned());
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Each `DT_NEEDED` library neither in the image nor on the package's search path.
pub(crate) fn check_libraries(ctx: &Ctx<'_>, entry: &Entry, needs: &ElfNeeds, target: Option<&Target>) -> Vec<Finding> {
    let p = ctx.profile;
    let path = entry.path();
    let dirs = search_dirs(ctx, path, needs);
    let mut out = Vec::new();
    for lib in &needs.needed {
        if GLIBC_CORE.contains(&lib.as_str()) || p.libraries.contains(&lib.as_str()) {
            continue;
        }
        // musl's libc is reported where the cause is named: elf-interpreter-missing for programs,
        // native-addon-wrong-platform for modules.
        if lib.starts_with("libc.musl-") {
            continue;
        }
        let on_path = dirs.iter().any(|d| {
            let candidate = if d.is_empty() { lib.clone() } else { format!("{d}/{lib}") };
            ctx.lookup(&candidate).is_some_and(|e| e.entry_type != EntryType::Directory)
        });
        if on_path {
            continue;
        }
        let elsewhere = ctx.find_file_named(lib);
        let known_absent = OPENSSL_SONAMES.contains(&lib.as_str()) || lib.starts_with("libc.musl-");
        let mut evidence = vec![
            format!("DT_NEEDED {lib}"),
            format!(
                "searched in the package: {}",
                dirs.iter()
                    .map(|d| if d.is_empty() { "/ (root)".to_string() } else { format!("{d}/") })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ];
        if !needs.runpath.is_empty() || !needs.rpath.is_empty() {
            evidence.push(format!(
                "RUNPATH/RPATH: {}",
                needs.runpath.iter().chain(&needs.rpath).cloned().collect::<Vec<_>>().join(":")
            ));
        }
        let image_fact = if known_absent {
            format!(
                "{} ships {}, not {lib}",
                p.image,
                p.libraries.iter().filter(|l| l.starts_with("libssl")).cloned().collect::<Vec<_>>().join(", ")
            )
        } else {
            format!(
                "{lib} is not among the libraries Bootdoctor knows {} has ({})",
                p.image,
                p.library_provenance.describe()
            )
        };
        evidence.push(image_fact);
        let (severity, fix) = match elsewhere {
            Some(found) => {
                let dir = found.path().rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                evidence.push(format!("the package has it at {}, which is not on the search path", found.path()));
                (
                    severity_for(target),
                    format!(
                        "export LD_LIBRARY_PATH={}/{dir}:$LD_LIBRARY_PATH   # in the bootstrap, before starting the program\n\
                         # or: patchelf --set-rpath '$ORIGIN/{}' {path}",
                        p.code_dir,
                        relative_from(path, dir)
                    ),
                )
            }
            None => (
                if known_absent { severity_for(target) } else { Severity::Warning },
                format!(
                    "Bundle {lib} in lib/ (with RUNPATH $ORIGIN/lib or LD_LIBRARY_PATH), link it statically (Rust: rustls or \
                     the openssl 'vendored' feature), or use an image that ships it."
                ),
            ),
        };
        let platform_path = target.map(|t| t.platform_path.clone()).unwrap_or_else(|| format!("{}/{path}", p.code_dir));
        let log = format!("{platform_path}: error while loading shared libraries: {lib}: cannot open shared object file: No such file or directory");
        out.push(Finding {
            id: ids::SHARED_LIB_MISSING,
            severity,
            path: Some(path.to_string()),
            title: format!("{path} needs {lib}, which neither the image nor the package provides"),
            evidence,
            platform_message: loader_message(ctx, target, &log).or(Some(log)),
            explanation: format!(
                "The dynamic loader looks for each needed library in the image and on the search path; it stops at the first \
                 one it cannot find.{}{}",
                if known_absent || elsewhere.is_some() { "" } else { " Bootdoctor's list of image libraries is conservative, so check whether the image has it." },
                not_the_entry(target)
            ),
            fix,
        });
        if out.len() >= MAX_LIBRARY_FINDINGS {
            break;
        }
    }
    // A run path into the build machine: useless at run time.
    let build_paths: Vec<&String> = needs
        .rpath
        .iter()
        .chain(&needs.runpath)
        .filter(|r| {
            ["/home/", "/Users/", "/tmp/", "/build", "/opt/homebrew", "/nix/store", "/root/"]
                .iter()
                .any(|b| r.starts_with(b))
        })
        .collect();
    if !build_paths.is_empty() {
        out.push(Finding {
            id: ids::SHARED_LIB_MISSING,
            severity: Severity::Info,
            path: Some(path.to_string()),
            title: format!("{path} searches for libraries on the build machine"),
            evidence: vec![format!(
                "RUNPATH/RPATH entries: {}",
                build_paths.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )],
            platform_message: None,
            explanation:
                "These directories do not exist on the platform. Harmless when every library is found elsewhere, \
                          as above; otherwise the reason a library goes missing."
                    .into(),
            fix: format!("patchelf --set-rpath '$ORIGIN/lib' {path}   # or relink with -Wl,-rpath,'$ORIGIN/lib'"),
        });
    }
    out
}

/// `../lib` style path from the directory of `from` to `to_dir`.
fn relative_from(from: &str, to_dir: &str) -> String {
    let from_dir: Vec<&str> = from.rsplit_once('/').map(|(d, _)| d.split('/').collect()).unwrap_or_default();
    let to: Vec<&str> = if to_dir.is_empty() { Vec::new() } else { to_dir.split('/').collect() };
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to[common..]);
    parts.join("/")
}

/// A shared library executed as the entry: the kernel maps it, jumps nowhere useful, and it crashes.
fn check_not_a_program(ctx: &Ctx<'_>, entry: &Entry, needs: &ElfNeeds, target: Option<&Target>) -> Option<Finding> {
    let target = target?;
    if !needs.is_shared_library {
        return None;
    }
    Some(Finding {
        id: ids::NOT_AN_EXECUTABLE,
        severity: Severity::Error,
        path: Some(entry.path().to_string()),
        title: format!("{} is a shared library, not a program", entry.path()),
        evidence: vec!["ELF e_type ET_DYN with no PT_INTERP and no DF_1_PIE flag: a .so, not an executable".into()],
        platform_message: Some(platform_says(
            ctx.profile,
            StartFailure::Exit { status: 139, log: "Segmentation fault (core dumped)" },
            &target.platform_path,
            &target.command,
        )),
        explanation:
            "The start command points at a library (a .so renamed, or the wrong build output). Executed, it has \
                      no usable entry point and crashes at once."
                .into(),
        fix:
            "Point the start command at the program the build produced (e.g. target/release/<name>, not lib<name>.so)."
                .into(),
    })
}

/// The profile's view of one ELF: all its checks.
pub(crate) fn check_elf(ctx: &Ctx<'_>, entry: &Entry, needs: &ElfNeeds, target: Option<&Target>) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(check_not_a_program(ctx, entry, needs, target));
    out.extend(check_interpreter(ctx, entry, needs, target));
    out.extend(check_versions(ctx, entry, needs, target));
    out.extend(check_libraries(ctx, entry, needs, target));
    out
}

/// True when `profile` is a glibc image for which these checks make sense.
pub(crate) fn applies(profile: &Profile) -> bool {
    profile.libc == "glibc"
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, ids, run};
    use crate::checks::Severity;
    use crate::elf::testing::elf;
    use crate::synth::ZipBuilder;

    const LOADER: Option<&str> = Some("/lib64/ld-linux-x86-64.so.2");

    fn bootstrap(bytes: &[u8]) -> ZipBuilder {
        ZipBuilder::new().unix_file("bootstrap", 0o755, bytes)
    }

    #[test]
    fn musl_loader_fires_and_glibc_loader_does_not() {
        let musl = elf(Some("/lib/ld-musl-x86_64.so.1"), &["libc.musl-x86_64.so.1"], None, &[], 2);
        let i = run(bootstrap(&musl).finish(), "aws-lambda-al2023", "");
        assert!(errors(&i).contains(&"elf-interpreter-missing"), "{:?}", ids(&i));
        let f = i.findings.iter().find(|f| f.id == "elf-interpreter-missing").unwrap();
        assert!(f.platform_message.as_deref().unwrap().contains("no such file or directory"));
        let glibc = elf(LOADER, &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.17"])], 3);
        assert!(ids(&run(bootstrap(&glibc).finish(), "aws-lambda-al2023", "")).is_empty());
    }

    #[test]
    fn glibc_too_new_depends_on_the_image() {
        let bin = elf(LOADER, &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.2.5", "GLIBC_2.34"])], 3);
        let i = run(bootstrap(&bin).finish(), "aws-lambda-al2", "");
        assert_eq!(errors(&i), ["glibc-too-new"]);
        let msg = i.findings[0].platform_message.clone().unwrap();
        assert!(msg.contains("version `GLIBC_2.34' not found (required by /var/task/bootstrap)"), "{msg}");
        assert!(ids(&run(bootstrap(&bin).finish(), "aws-lambda-al2023", "")).is_empty());
    }

    #[test]
    fn dt_relr_needs_glibc_2_36() {
        let bin = elf(LOADER, &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.34", "GLIBC_ABI_DT_RELR"])], 3);
        assert_eq!(errors(&run(bootstrap(&bin).finish(), "aws-lambda-al2023", "")), ["glibc-too-new"]);
        assert!(ids(&run(bootstrap(&bin).finish(), "aliyun-fc-debian12", "")).is_empty());
    }

    #[test]
    fn glibcxx_is_checked_unless_bundled() {
        let addon = elf(None, &["libstdc++.so.6"], None, &[("libstdc++.so.6", &["GLIBCXX_3.4.21", "CXXABI_1.3.9"])], 3);
        let zip = bootstrap(b"#!/bin/sh\nexec node index.js\n").unix_file("node_modules/x/x.node", 0o644, &addon);
        let i = run(zip.finish(), "tencent-scf", "");
        let f = i.findings.iter().find(|f| f.id == "glibc-too-new").expect("GLIBCXX finding");
        assert_eq!(f.severity, Severity::Warning, "not the entry: a warning");
        assert!(f.title.contains("GLIBCXX_3.4.21"));
        let zip = bootstrap(b"#!/bin/sh\n").unix_file("node_modules/x/x.node", 0o644, &addon).unix_file(
            "lib/libstdc++.so.6",
            0o644,
            b"\x7fELF",
        );
        assert!(!ids(&run(zip.finish(), "tencent-scf", "")).contains(&"glibc-too-new"));
    }

    #[test]
    fn missing_libraries_and_where_they_are_found() {
        let bin = elf(LOADER, &["libssl.so.1.1", "libfoo.so.2", "libc.so.6"], Some("$ORIGIN/vendor"), &[], 3);
        let i = run(bootstrap(&bin).finish(), "aws-lambda-al2023", "");
        let libs: Vec<(&str, Severity)> = i
            .findings
            .iter()
            .filter(|f| f.id == "shared-lib-missing")
            .map(|f| (f.title.as_str(), f.severity))
            .collect();
        assert_eq!(libs.len(), 2, "{libs:?}");
        assert!(
            libs.iter().any(|(t, s)| t.contains("libssl.so.1.1") && *s == Severity::Error),
            "OpenSSL 1.1 is known absent"
        );
        assert!(
            libs.iter().any(|(t, s)| t.contains("libfoo.so.2") && *s == Severity::Warning),
            "unknown libraries are a warning"
        );

        // Bundled where RUNPATH $ORIGIN/vendor points, or in lib/: found.
        let zip =
            bootstrap(&bin).unix_file("vendor/libssl.so.1.1", 0o644, b"x").unix_file("lib/libfoo.so.2", 0o644, b"x");
        assert!(ids(&run(zip.finish(), "aws-lambda-al2023", "")).is_empty());

        // Bundled off the search path: found, but the fix says how to reach it.
        let zip =
            bootstrap(&bin).unix_file("deps/libssl.so.1.1", 0o644, b"x").unix_file("lib/libfoo.so.2", 0o644, b"x");
        let i = run(zip.finish(), "aws-lambda-al2023", "");
        assert!(i.findings[0].fix.contains("LD_LIBRARY_PATH=/var/task/deps"), "{}", i.findings[0].fix);
    }

    #[test]
    fn ld_library_path_in_the_bootstrap_counts() {
        let bin = elf(LOADER, &["libfoo.so.2"], None, &[], 3);
        let zip = ZipBuilder::new()
            .unix_file(
                "bootstrap",
                0o755,
                b"#!/bin/bash\nexport LD_LIBRARY_PATH=$LAMBDA_TASK_ROOT/deps:$LD_LIBRARY_PATH\nexec ./app\n",
            )
            .unix_file("app", 0o755, &bin)
            .unix_file("deps/libfoo.so.2", 0o644, b"x");
        assert!(ids(&run(zip.finish(), "aws-lambda-al2023", "")).is_empty());
    }

    #[test]
    fn a_shared_library_as_entry_fires() {
        let lib = elf(None, &["libc.so.6"], None, &[], 3);
        assert_eq!(errors(&run(bootstrap(&lib).finish(), "aws-lambda-al2023", "")), ["not-an-executable"]);
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\n")
            .unix_file("lib/libx.so", 0o644, &lib)
            .finish();
        assert!(ids(&run(zip, "aws-lambda-al2023", "")).is_empty(), "libraries elsewhere are fine");
    }

    #[test]
    fn build_machine_rpath_is_reported_as_info() {
        let bin = elf(LOADER, &["libc.so.6"], Some("/home/dev/project/target"), &[], 3);
        let i = run(bootstrap(&bin).finish(), "aliyun-fc", "");
        assert_eq!(i.findings.len(), 1);
        assert_eq!(i.findings[0].severity, Severity::Info);
    }
}
