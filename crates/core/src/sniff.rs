//! What a file is, from its first bytes: an ELF for some machine, a Mach-O, a PE, a script and its
//! shebang, text and its line endings.
//!
//! Works on a sniff window (a few KiB), never on a whole file. Binary headers are parsed with goblin
//! after checking the window is long enough, so a malformed header is a classification, not a panic.

use serde::{Deserialize, Serialize};

/// A CPU architecture as the platforms name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// x86-64 / amd64.
    X86_64,
    /// arm64 / aarch64.
    Arm64,
    /// 32-bit x86.
    I386,
    /// 32-bit ARM.
    Arm32,
    /// Anything else, with the machine number.
    Other(u32),
}

impl Arch {
    /// The name `file` and the platforms use.
    pub fn name(self) -> String {
        match self {
            Arch::X86_64 => "x86_64".into(),
            Arch::Arm64 => "arm64".into(),
            Arch::I386 => "i386".into(),
            Arch::Arm32 => "arm (32-bit)".into(),
            Arch::Other(n) => format!("machine {n}"),
        }
    }
}

/// The operating system an ELF file targets, from `EI_OSABI` and its interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElfOs {
    /// SYSV (0) or GNU/Linux (3).
    Linux,
    /// FreeBSD (9).
    FreeBsd,
    /// NetBSD, OpenBSD, Solaris …, with the raw `EI_OSABI`.
    Other(u8),
}

/// The header facts of an ELF file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElfHeader {
    /// 64-bit class.
    pub is_64: bool,
    /// Little-endian data.
    pub little_endian: bool,
    /// `e_machine`, raw.
    pub machine: u16,
    /// `e_machine`, named.
    pub arch: Arch,
    /// `EI_OSABI`, raw.
    pub osabi: u8,
    /// OS from OSABI.
    pub os: ElfOs,
    /// `e_type` (2 executable, 3 shared object / PIE, 1 relocatable).
    pub e_type: u16,
}

/// The header facts of a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Script {
    /// The first line as stored, without its line terminator (CR kept visible as `\r`).
    pub first_line: String,
    /// Starts with `#!` (after any BOM).
    pub has_shebang: bool,
    /// A UTF-8 byte order mark precedes everything.
    pub bom: bool,
    /// The first line ends in CR LF.
    pub first_line_crlf: bool,
    /// Any CR LF in the sniff window.
    pub any_crlf: bool,
    /// The interpreter path from the shebang (with a trailing CR kept if present).
    pub interpreter: Option<String>,
}

/// What a file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FileKind {
    /// An ELF object.
    Elf(ElfHeader),
    /// A thin Mach-O (macOS/iOS) object.
    MachO {
        /// CPU.
        arch: Arch,
    },
    /// A universal ("fat") Mach-O holding several architectures.
    MachOUniversal {
        /// CPUs inside.
        arches: Vec<Arch>,
    },
    /// A Windows PE executable or DLL.
    Pe {
        /// COFF machine.
        arch: Arch,
    },
    /// A Java class file (shares `CAFEBABE` with fat Mach-O).
    JavaClass,
    /// A zip or jar.
    Zip,
    /// WebAssembly.
    Wasm,
    /// Text starting with `#!` (possibly after a BOM).
    Script(Script),
    /// Text without a shebang.
    Text {
        /// A UTF-8 BOM is present.
        bom: bool,
        /// Has CR LF line endings in the window.
        crlf: bool,
        /// UTF-16 text (a BOM `FF FE`/`FE FF`), as Windows PowerShell writes by default.
        utf16: bool,
    },
    /// A Git LFS pointer: a small text file standing in for the real content, which was never fetched.
    LfsPointer,
    /// Zero bytes.
    Empty,
    /// Unrecognised binary data.
    Binary,
}

impl FileKind {
    /// True for the formats a kernel could be asked to exec as a native program.
    pub fn is_native_binary(&self) -> bool {
        matches!(
            self,
            FileKind::Elf(_) | FileKind::MachO { .. } | FileKind::MachOUniversal { .. } | FileKind::Pe { .. }
        )
    }

    /// Short label for badges: `ELF x86_64`, `Mach-O arm64`, `script (bash)`, `text`.
    pub fn label(&self) -> String {
        match self {
            FileKind::Elf(h) => match h.os {
                ElfOs::Linux => format!("ELF {}", h.arch.name()),
                ElfOs::FreeBsd => format!("ELF FreeBSD {}", h.arch.name()),
                ElfOs::Other(abi) => format!("ELF OSABI {abi} {}", h.arch.name()),
            },
            FileKind::MachO { arch } => format!("Mach-O {}", arch.name()),
            FileKind::MachOUniversal { arches } => {
                format!("Mach-O universal ({})", arches.iter().map(|a| a.name()).collect::<Vec<_>>().join(", "))
            }
            FileKind::Pe { arch } => format!("PE (Windows) {}", arch.name()),
            FileKind::JavaClass => "Java class".into(),
            FileKind::Zip => "zip/jar".into(),
            FileKind::Wasm => "WebAssembly".into(),
            FileKind::Script(s) => match &s.interpreter {
                Some(i) => format!("script ({})", i.replace('\r', "\\r")),
                None => "script".into(),
            },
            FileKind::Text { utf16: true, .. } => "text (UTF-16)".into(),
            FileKind::Text { .. } => "text".into(),
            FileKind::LfsPointer => "Git LFS pointer".into(),
            FileKind::Empty => "empty".into(),
            FileKind::Binary => "data".into(),
        }
    }
}

fn elf_arch(machine: u16) -> Arch {
    use goblin::elf::header::*;
    match machine {
        EM_X86_64 => Arch::X86_64,
        EM_AARCH64 => Arch::Arm64,
        EM_386 => Arch::I386,
        EM_ARM => Arch::Arm32,
        other => Arch::Other(other as u32),
    }
}

fn macho_arch(cputype: u32) -> Arch {
    use goblin::mach::cputype::*;
    match cputype {
        CPU_TYPE_X86_64 => Arch::X86_64,
        CPU_TYPE_ARM64 => Arch::Arm64,
        CPU_TYPE_X86 => Arch::I386,
        CPU_TYPE_ARM => Arch::Arm32,
        other => Arch::Other(other),
    }
}

fn pe_arch(machine: u16) -> Arch {
    match machine {
        0x8664 => Arch::X86_64,
        0xaa64 => Arch::Arm64,
        0x14c => Arch::I386,
        0x1c0 | 0x1c4 => Arch::Arm32,
        other => Arch::Other(other as u32),
    }
}

/// Classifies a file from the first bytes of its data.
pub fn classify(head: &[u8]) -> FileKind {
    if head.is_empty() {
        return FileKind::Empty;
    }
    if head.starts_with(b"\x7fELF") {
        return classify_elf(head);
    }
    if head.len() >= 8 {
        let be = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
        let le = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        if be == 0xCAFE_BABE || be == 0xCAFE_BABF {
            return classify_cafebabe(head);
        }
        if matches!(le, 0xFEED_FACE | 0xFEED_FACF) {
            let cputype = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
            return FileKind::MachO { arch: macho_arch(cputype) };
        }
        if matches!(be, 0xFEED_FACE | 0xFEED_FACF) {
            let cputype = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
            return FileKind::MachO { arch: macho_arch(cputype) };
        }
    }
    if head.starts_with(b"MZ") {
        if let Some(kind) = classify_pe(head) {
            return kind;
        }
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return FileKind::Zip;
    }
    if head.starts_with(b"\0asm") {
        return FileKind::Wasm;
    }
    if head.starts_with(b"version https://git-lfs.github.com/spec/") {
        return FileKind::LfsPointer;
    }
    classify_text(head)
}

fn classify_elf(head: &[u8]) -> FileKind {
    use goblin::elf::header::{EI_OSABI, ELFOSABI_FREEBSD};
    match goblin::elf::Elf::parse_header(head) {
        Ok(h) => {
            let osabi = h.e_ident[EI_OSABI];
            let os = match osabi {
                0 | 3 => ElfOs::Linux,
                ELFOSABI_FREEBSD => ElfOs::FreeBsd,
                other => ElfOs::Other(other),
            };
            FileKind::Elf(ElfHeader {
                is_64: h.e_ident[goblin::elf::header::EI_CLASS] == goblin::elf::header::ELFCLASS64,
                little_endian: h.e_ident[goblin::elf::header::EI_DATA] == goblin::elf::header::ELFDATA2LSB,
                machine: h.e_machine,
                arch: elf_arch(h.e_machine),
                osabi,
                os,
                e_type: h.e_type,
            })
        }
        Err(_) => FileKind::Binary,
    }
}

/// `CAFEBABE` is both a fat Mach-O and a Java class; a class file has its major version (≥ 45)
/// where a fat header has a small architecture count.
fn classify_cafebabe(head: &[u8]) -> FileKind {
    let count = u32::from_be_bytes([head[4], head[5], head[6], head[7]]);
    if count == 0 || count >= 45 {
        return FileKind::JavaClass;
    }
    let is_64 = head[3] == 0xBF;
    let record = if is_64 { 32 } else { 20 };
    let mut arches = Vec::new();
    for i in 0..count as usize {
        let at = 8 + i * record;
        if at + 4 > head.len() {
            break;
        }
        let cputype = u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
        arches.push(macho_arch(cputype));
    }
    FileKind::MachOUniversal { arches }
}

fn classify_pe(head: &[u8]) -> Option<FileKind> {
    if head.len() < 0x40 {
        return None;
    }
    let lfanew = u32::from_le_bytes([head[0x3c], head[0x3d], head[0x3e], head[0x3f]]) as usize;
    let pe = head.get(lfanew..lfanew.checked_add(6)?)?;
    if &pe[..4] != b"PE\0\0" {
        return None;
    }
    let machine = u16::from_le_bytes([pe[4], pe[5]]);
    Some(FileKind::Pe { arch: pe_arch(machine) })
}

fn classify_text(head: &[u8]) -> FileKind {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return FileKind::Text { bom: true, crlf: contains_crlf_utf16(head), utf16: true };
    }
    let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = if bom { &head[3..] } else { head };
    let nul_or_control = body.iter().take(1024).filter(|&&b| b < 9).count();
    if nul_or_control > 0 && !body.starts_with(b"#!") {
        return FileKind::Binary;
    }
    let any_crlf = body.windows(2).any(|w| w == b"\r\n");
    if body.starts_with(b"#!") || (bom && body.starts_with(b"#!")) {
        let line_end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
        let line = &body[..line_end];
        let first_line_crlf = line.ends_with(b"\r");
        let first_line = String::from_utf8_lossy(line).into_owned();
        let interpreter = shebang_interpreter(line);
        return FileKind::Script(Script {
            first_line: first_line.replace('\r', "\\r"),
            has_shebang: true,
            bom,
            first_line_crlf,
            any_crlf,
            interpreter,
        });
    }
    FileKind::Text { bom, crlf: any_crlf, utf16: false }
}

/// The interpreter the kernel would run: the shebang up to the first space or tab (a trailing CR
/// stays part of it, exactly as the kernel sees it). For `/usr/bin/env X`, returns `env X`'s X too.
fn shebang_interpreter(line: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(b"#!")?;
    let text = String::from_utf8_lossy(rest);
    let trimmed = text.trim_start_matches([' ', '\t']);
    let mut parts = trimmed.split([' ', '\t']).filter(|p| !p.is_empty());
    let program = parts.next()?.to_string();
    if program == "/usr/bin/env" || program == "/bin/env" {
        if let Some(arg) = parts.next() {
            return Some(format!("{program} {arg}"));
        }
    }
    Some(program)
}

fn contains_crlf_utf16(head: &[u8]) -> bool {
    head.windows(4).any(|w| w == [b'\r', 0, b'\n', 0] || w == [0, b'\r', 0, b'\n'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elf(machine: u16, osabi: u8) -> Vec<u8> {
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2; // 64-bit
        h[5] = 1; // little-endian
        h[6] = 1;
        h[7] = osabi;
        h[16..18].copy_from_slice(&2u16.to_le_bytes());
        h[18..20].copy_from_slice(&machine.to_le_bytes());
        h[20..24].copy_from_slice(&1u32.to_le_bytes());
        h[52..54].copy_from_slice(&64u16.to_le_bytes());
        h
    }

    #[test]
    fn elf_machines_and_os() {
        let FileKind::Elf(h) = classify(&elf(62, 0)) else { panic!() };
        assert_eq!(h.arch, Arch::X86_64);
        assert_eq!(h.os, ElfOs::Linux);
        let FileKind::Elf(h) = classify(&elf(183, 3)) else { panic!() };
        assert_eq!(h.arch, Arch::Arm64);
        let FileKind::Elf(h) = classify(&elf(62, 9)) else { panic!() };
        assert_eq!(h.os, ElfOs::FreeBsd);
        assert_eq!(classify(b"\x7fELF\x02"), FileKind::Binary, "a cut header is data, not a panic");
    }

    #[test]
    fn macho_fat_and_java_class() {
        assert_eq!(classify(&[0xcf, 0xfa, 0xed, 0xfe, 12, 0, 0, 1]), FileKind::MachO { arch: Arch::Arm64 });
        let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2];
        fat.extend_from_slice(&[1, 0, 0, 7]);
        fat.extend_from_slice(&[0; 16]);
        fat.extend_from_slice(&[1, 0, 0, 12]);
        fat.extend_from_slice(&[0; 16]);
        assert_eq!(classify(&fat), FileKind::MachOUniversal { arches: vec![Arch::X86_64, Arch::Arm64] });
        assert_eq!(classify(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), FileKind::JavaClass);
    }

    #[test]
    fn pe_machine() {
        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        assert_eq!(classify(&pe), FileKind::Pe { arch: Arch::X86_64 });
        // MZ with a wild e_lfanew is not a PE, and does not panic.
        pe[0x3c..0x40].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(!matches!(classify(&pe), FileKind::Pe { .. }));
    }

    #[test]
    fn lfs_pointers_are_recognised() {
        let pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n";
        assert_eq!(classify(pointer), FileKind::LfsPointer);
    }

    #[test]
    fn scripts_crlf_bom_and_env() {
        let FileKind::Script(s) = classify(b"#!/usr/bin/env bash\r\necho hi\r\n") else { panic!() };
        assert!(s.first_line_crlf);
        assert_eq!(s.interpreter.as_deref(), Some("/usr/bin/env bash\r"));
        let FileKind::Script(s) = classify(b"\xef\xbb\xbf#!/bin/sh\nexec ./main\n") else { panic!() };
        assert!(s.bom && !s.first_line_crlf);
        assert_eq!(s.interpreter.as_deref(), Some("/bin/sh"));
        assert_eq!(classify(b"echo hi\n"), FileKind::Text { bom: false, crlf: false, utf16: false });
        assert!(matches!(classify(b"\xff\xfe#\0!\0"), FileKind::Text { utf16: true, .. }));
    }
}
