//! Checks on native executables. Ids: `binary-not-linux`, `binary-wrong-arch`.
//!
//! Only the header is needed: the magic number, ELF `EI_OSABI` and `e_machine`, the Mach-O CPU
//! types, the PE COFF machine.

use super::messages::{platform_says, StartFailure};
use super::{Ctx, Finding, Severity};
use crate::archive::Entry;
use crate::entry::Target;
use crate::ids;
use crate::profiles::Profile;
use crate::sniff::{Arch, ElfOs, FileKind};

fn build_fixes(profile: &Profile, file: &str) -> String {
    let (goarch, rust) = match profile.arch {
        Arch::Arm64 => ("arm64", "aarch64-unknown-linux-musl"),
        _ => ("amd64", "x86_64-unknown-linux-musl"),
    };
    let dotnet = if profile.arch == Arch::Arm64 { "linux-arm64" } else { "linux-x64" };
    format!(
        "Go:   CGO_ENABLED=0 GOOS=linux GOARCH={goarch} go build -o {file}\n\
         Rust: cargo build --release --target {rust}   (or: cargo lambda build --release{arm})\n\
         .NET: dotnet publish -r {dotnet} --self-contained\n\
         Then check: file {file}   →   ELF 64-bit LSB executable, {arch_label}",
        arm = if profile.arch == Arch::Arm64 { " --arm64" } else { "" },
        arch_label = if profile.arch == Arch::Arm64 { "ARM aarch64" } else { "x86-64" },
    )
}

/// The finding for a binary of the wrong kind, or `None` when it can run on the profile.
fn assess(
    ctx: &Ctx<'_>,
    entry: &Entry,
    kind: &FileKind,
    severity: Severity,
    target: Option<&Target>,
) -> Option<Finding> {
    let profile = ctx.profile;
    let want = profile.arch_label;
    let path = entry.path();
    let (id, title, evidence, errno, explanation) = match kind {
        FileKind::MachO { arch } => (
            ids::BINARY_NOT_LINUX,
            format!("{path} is a macOS program (Mach-O {}), not a Linux one", arch.name()),
            vec![format!("magic cf fa ed fe / ce fa ed fe: Mach-O, CPU {}", arch.name())],
            8,
            "It was built for macOS (Go's default GOOS on a Mac is darwin). Linux cannot execute Mach-O files.".to_string(),
        ),
        FileKind::MachOUniversal { arches } => (
            ids::BINARY_NOT_LINUX,
            format!("{path} is a macOS universal binary, not a Linux one"),
            vec![format!(
                "magic ca fe ba be: universal Mach-O holding {}",
                arches.iter().map(|a| a.name()).collect::<Vec<_>>().join(" + ")
            )],
            8,
            "A universal (fat) binary bundles macOS builds for several CPUs; none of them runs on Linux.".to_string(),
        ),
        FileKind::Pe { arch } => (
            ids::BINARY_NOT_LINUX,
            format!("{path} is a Windows program (PE {}), not a Linux one", arch.name()),
            vec![format!("magic 4d 5a (MZ) with a PE header, machine {}", arch.name())],
            8,
            "It was built for Windows (an .exe or a .NET apphost). Linux cannot execute PE files.".to_string(),
        ),
        FileKind::Elf(h) if h.os != ElfOs::Linux => (
            ids::BINARY_NOT_LINUX,
            format!("{path} is an ELF for another operating system (OSABI {})", h.osabi),
            vec![format!(
                "ELF e_ident[EI_OSABI] = {} ({}), e_machine {} ({})",
                h.osabi,
                if h.os == ElfOs::FreeBsd { "FreeBSD" } else { "not Linux" },
                h.machine,
                h.arch.name()
            )],
            2,
            "It targets another OS; its dynamic loader (FreeBSD's /libexec/ld-elf.so.1) does not exist on Linux, so exec \
             fails with ENOENT although the file is there."
                .to_string(),
        ),
        FileKind::Elf(h) if h.arch != profile.arch => {
            let loader_missing = matches!(h.arch, Arch::I386 | Arch::Arm32);
            (
                ids::BINARY_WRONG_ARCH,
                format!("{path} is built for {}, but {} runs {want}", h.arch.name(), profile.name),
                vec![format!(
                    "ELF {}-bit, e_machine {} ({}); the function needs {want}",
                    if h.is_64 { 64 } else { 32 },
                    h.machine,
                    h.arch.name()
                )],
                if loader_missing { 2 } else { 8 },
                if loader_missing {
                    "A 32-bit binary needs a 32-bit loader (/lib/ld-linux.so.2) that the image does not have: exec fails \
                     with ENOENT, or ENOEXEC."
                        .to_string()
                } else {
                    "The CPU cannot execute another architecture's machine code: exec fails with ENOEXEC (exec format \
                     error)."
                        .to_string()
                },
            )
        }
        FileKind::LfsPointer => (
            ids::LFS_POINTER,
            format!("{path} is a Git LFS pointer, not the file itself"),
            vec!["starts with \"version https://git-lfs.github.com/spec/v1\" followed by an oid and a size".into()],
            8,
            "The package was built from a checkout where Git LFS files were never fetched: the file holds a few lines \
             of text that point at the real content."
                .to_string(),
        ),
        FileKind::JavaClass | FileKind::Zip | FileKind::Wasm => (
            ids::BINARY_NOT_LINUX,
            format!("{path} is a {} file, which cannot be executed directly", kind.label()),
            vec![format!("content: {}", kind.label())],
            8,
            "Only ELF programs and #! scripts can be executed. A jar or class runs with java, WebAssembly with a runtime."
                .to_string(),
        ),
        FileKind::Binary if target.is_some() => (
            ids::BINARY_NOT_LINUX,
            format!("{path} is binary data in no executable format Bootdoctor recognises"),
            vec!["first bytes are not ELF, Mach-O, PE or #!".into()],
            8,
            "The kernel refuses files it cannot recognise with ENOEXEC. This may also be a damaged upload.".to_string(),
        ),
        _ => return None,
    };
    let severity = if matches!(kind, FileKind::Binary) { Severity::Warning } else { severity };
    let fix = match kind {
        FileKind::JavaClass | FileKind::Zip => format!("Start it with: java -jar {}/{path}", profile.code_dir),
        FileKind::LfsPointer => {
            "git lfs install && git lfs pull   # then build the package again (in CI: actions/checkout with lfs: true)"
                .to_string()
        }
        _ => build_fixes(profile, entry.file_name()),
    };
    Some(Finding {
        id,
        severity,
        path: Some(path.to_string()),
        title,
        evidence,
        platform_message: target
            .map(|t| platform_says(profile, StartFailure::Exec(errno), &t.platform_path, &t.command)),
        explanation,
        fix,
    })
}

/// Checks an executed target whose content is a binary.
pub(crate) fn check_exec_binary(ctx: &Ctx<'_>, target: &Target, entry: &Entry, kind: &FileKind) -> Option<Finding> {
    assess(ctx, entry, kind, Severity::Error, Some(target))
}

/// Library extensions whose platform checks belong to native add-on inspection, not to executables.
const LIBRARY_EXTENSIONS: &[&str] = &[".so", ".node", ".dylib", ".dll", ".jnilib", ".pyd"];

/// Executables elsewhere in the package built for another OS or CPU: warnings, since only the
/// entry is known to run.
pub(crate) fn check_other_binaries(ctx: &Ctx<'_>, checked: &[usize]) -> Vec<Finding> {
    let mut indices: Vec<_> = ctx.kinds.keys().copied().filter(|i| !checked.contains(i)).collect();
    indices.sort_unstable();
    indices
        .into_iter()
        .filter_map(|i| {
            let entry = &ctx.entries[i];
            let kind = ctx.kind(i)?;
            let lfs = matches!(kind, FileKind::LfsPointer);
            if !lfs && (!kind.is_native_binary() || LIBRARY_EXTENSIONS.iter().any(|ext| entry.path().contains(ext))) {
                return None;
            }
            let mut f = assess(ctx, entry, kind, Severity::Warning, None)?;
            f.explanation.push_str(" It is not the entry, so start-up fails only if your code runs it.");
            Some(f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{errors, ids, run};
    use crate::synth::ZipBuilder;

    fn elf(machine: u16, osabi: u8, class64: bool) -> Vec<u8> {
        let mut h = vec![0u8; 128];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = if class64 { 2 } else { 1 };
        h[5] = 1;
        h[6] = 1;
        h[7] = osabi;
        h[16..18].copy_from_slice(&2u16.to_le_bytes());
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h[20..24].copy_from_slice(&1u32.to_le_bytes());
        if class64 {
            h[52..54].copy_from_slice(&64u16.to_le_bytes());
        } else {
            h[40..42].copy_from_slice(&52u16.to_le_bytes());
        }
        h
    }

    fn bootstrap(bytes: &[u8]) -> Vec<u8> {
        ZipBuilder::new().unix_file("bootstrap", 0o755, bytes).finish()
    }

    #[test]
    fn macho_and_pe_are_not_linux() {
        let i = run(bootstrap(&[0xcf, 0xfa, 0xed, 0xfe, 12, 0, 0, 1, 0, 0, 0, 0]), "aliyun-fc", "");
        assert_eq!(errors(&i), ["binary-not-linux"]);
        assert!(i.findings[0].title.contains("Mach-O arm64"));
        assert!(i.findings[0].fix.contains("GOOS=linux GOARCH=amd64"));
        let mut pe = vec![0u8; 256];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        assert_eq!(errors(&run(bootstrap(&pe), "aws-lambda-al2023", "")), ["binary-not-linux"]);
    }

    #[test]
    fn freebsd_elf_is_not_linux() {
        assert_eq!(errors(&run(bootstrap(&elf(62, 9, true)), "aliyun-fc", "")), ["binary-not-linux"]);
    }

    #[test]
    fn arch_mismatch_fires_both_ways() {
        let i = run(bootstrap(&elf(183, 0, true)), "aws-lambda-al2023", "");
        assert_eq!(errors(&i), ["binary-wrong-arch"]);
        assert!(i.findings[0].platform_message.as_deref().unwrap().contains("exec format error"));
        assert_eq!(errors(&run(bootstrap(&elf(62, 0, true)), "aws-lambda-al2023-arm64", "")), ["binary-wrong-arch"]);
        assert_eq!(errors(&run(bootstrap(&elf(3, 0, false)), "aliyun-fc", "")), ["binary-wrong-arch"]);
    }

    #[test]
    fn matching_elf_is_clean() {
        // Complete executables (program headers, dynamic section), as a linker writes them.
        let x86 = crate::elf::testing::elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &[], 2);
        assert!(ids(&run(bootstrap(&x86), "aws-lambda-al2023", "")).is_empty());
        let mut arm = crate::elf::testing::elf(Some("/lib/ld-linux-aarch64.so.1"), &["libc.so.6"], None, &[], 2);
        arm[18..20].copy_from_slice(&183u16.to_le_bytes());
        assert!(ids(&run(bootstrap(&arm), "aws-lambda-al2023-arm64", "")).is_empty());
        // A header with nothing behind it cannot be loaded.
        assert_eq!(errors(&run(bootstrap(&elf(62, 0, true)), "aws-lambda-al2023", "")), ["not-an-executable"]);
    }

    #[test]
    fn other_executables_warn_and_libraries_are_left_alone() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec ./tool\n")
            .unix_file("tool", 0o755, &[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])
            .unix_file("node_modules/x/build/Release/x.node", 0o644, &[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])
            .finish();
        let i = run(zip, "aliyun-fc", "");
        // The add-on is native-addon-wrong-platform's business, not this check's; the tool the
        // bootstrap execs fails the start (an error, with the script that runs it).
        let mut found = errors(&i);
        found.sort_unstable();
        assert_eq!(found, ["binary-not-linux", "native-addon-wrong-platform"]);
        let not_linux: Vec<_> = i.findings.iter().filter(|f| f.id == "binary-not-linux").collect();
        assert_eq!(not_linux.len(), 1);
        assert_eq!(not_linux[0].path.as_deref(), Some("tool"));
        assert_eq!(not_linux[0].evidence[0], "bootstrap runs it: ./tool");
        // A binary nothing runs only warns.
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec ./server\n")
            .unix_file("server", 0o755, &crate::synth::elf(None, &[], None, &[], 2))
            .unix_file("tools/tool", 0o755, &[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1])
            .finish();
        let i = run(zip, "aliyun-fc", "");
        assert!(errors(&i).is_empty(), "{:?}", errors(&i));
        assert!(i
            .findings
            .iter()
            .any(|f| f.id == "binary-not-linux" && f.severity == crate::checks::Severity::Warning));
    }

    #[test]
    fn lfs_pointers_fire_as_entry_and_elsewhere() {
        let pointer: &[u8] = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n";
        let i = run(bootstrap(pointer), "aws-lambda-al2023", "");
        assert_eq!(errors(&i), ["lfs-pointer"]);
        assert!(i.findings[0].fix.contains("git lfs pull"));
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\necho ready\n")
            .unix_file("lib/libmodel.so", 0o644, pointer)
            .finish();
        let i = run(zip, "aws-lambda-al2023", "");
        assert!(errors(&i).is_empty());
        assert_eq!(ids(&i), ["lfs-pointer"]);
    }

    #[test]
    fn jar_as_entry_explains_java_jar() {
        let zip = ZipBuilder::new().unix_file("bootstrap", 0o755, b"PK\x03\x04rest").finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["binary-not-linux"]);
        assert!(i.findings[0].fix.contains("java -jar"));
    }
}
