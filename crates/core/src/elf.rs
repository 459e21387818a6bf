//! What a dynamically linked ELF needs at load time: its interpreter (`PT_INTERP`), libraries
//! (`DT_NEEDED`), search paths (`DT_RPATH`, `DT_RUNPATH`) and symbol versions (`DT_VERNEED`).
//!
//! Everything is read through the program headers and the dynamic segment, never the section
//! headers, so stripped binaries without section headers are read the same way. The caller hands in
//! a function that returns the first `n` bytes of the file; this module asks for only as much as
//! the structures it follows need, up to [`MAX_ELF_BYTES`].

use serde::{Deserialize, Serialize};

/// Most bytes of one ELF read to follow its dynamic structures.
pub const MAX_ELF_BYTES: usize = 64 << 20;

/// Longest name read from the string table (a soname, a path, a version); real ones are far
/// shorter, and a hostile one could otherwise be the whole table, once per entry that points at it.
pub const MAX_NAME_BYTES: usize = 1024;

/// Most `DT_NEEDED` libraries kept (real programs need tens), and most `RPATH`/`RUNPATH` entries.
pub const MAX_LIBRARIES: usize = 256;

/// Most version-need records (libraries) and most versions kept in all.
pub const MAX_VERSION_NEEDS: usize = 64;
/// Most versions kept across all version-need records.
pub const MAX_VERSIONS: usize = 1024;

/// The load-time needs of an ELF object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElfNeeds {
    /// `PT_INTERP`: the dynamic loader the kernel starts.
    pub interpreter: Option<String>,
    /// `DT_NEEDED` sonames, in order.
    pub needed: Vec<String>,
    /// `DT_RPATH` entries.
    pub rpath: Vec<String>,
    /// `DT_RUNPATH` entries.
    pub runpath: Vec<String>,
    /// `DT_VERNEED`: (library, versions needed from it).
    pub version_needs: Vec<(String, Vec<String>)>,
    /// No `PT_INTERP` and no `PT_DYNAMIC`: needs nothing from the image.
    pub is_static: bool,
    /// `e_type` is `ET_DYN` with no interpreter and no PIE flag: a shared library.
    pub is_shared_library: bool,
    /// Some entries were left out: more than [`MAX_LIBRARIES`] libraries or paths, more than
    /// [`MAX_VERSION_NEEDS`]/[`MAX_VERSIONS`] version needs, or a name longer than
    /// [`MAX_NAME_BYTES`] (cut). Repeats are dropped and do not count.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub over_limits: bool,
    /// A Node.js addon's `node_register_module_v<N>` export: the `NODE_MODULE_VERSION` it was
    /// built for (Node looks up the symbol for its own version). N-API addons export
    /// `napi_register_module_v1` instead and fit every version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_module_version: Option<u32>,
}

impl ElfNeeds {
    /// The highest version with `prefix` (`GLIBC_`, `GLIBCXX_`, `CXXABI_`) across all libraries,
    /// compared numerically.
    pub fn max_version(&self, prefix: &str) -> Option<String> {
        self.version_needs
            .iter()
            .flat_map(|(_, versions)| versions.iter())
            .filter_map(|v| v.strip_prefix(prefix).and_then(parse_version).map(|n| (n, v)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, v)| v.clone())
    }

    /// True when any library requires `GLIBC_ABI_DT_RELR` (packed relative relocations: glibc ≥ 2.36).
    pub fn needs_dt_relr(&self) -> bool {
        self.version_needs.iter().any(|(_, vs)| vs.iter().any(|v| v == "GLIBC_ABI_DT_RELR"))
    }
}

/// `2.34` → `[2, 34]`; `3.4.29` → `[3, 4, 29]`. `None` for anything else.
pub fn parse_version(text: &str) -> Option<Vec<u32>> {
    text.split('.').map(|p| p.parse::<u32>().ok()).collect()
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_STRSZ: u64 = 10;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;
const DT_FLAGS_1: u64 = 0x6fff_fffb;
const DT_VERNEED: u64 = 0x6fff_fffe;
const DT_VERNEEDNUM: u64 = 0x6fff_ffff;
const DF_1_PIE: u64 = 0x0800_0000;

/// Fixed-width reads in the file's byte order, bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    little: bool,
}

impl Reader<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.little { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) })
    }
    fn u32(&self, at: usize) -> Option<u32> {
        let b: [u8; 4] = self.bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }
    fn u64(&self, at: usize) -> Option<u64> {
        let b: [u8; 8] = self.bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(if self.little { u64::from_le_bytes(b) } else { u64::from_be_bytes(b) })
    }
    fn word(&self, at: usize, is_64: bool) -> Option<u64> {
        if is_64 {
            self.u64(at)
        } else {
            self.u32(at).map(u64::from)
        }
    }
    /// The NUL-terminated string at `at` (within `max` bytes), cut at [`MAX_NAME_BYTES`]; the flag
    /// says whether it was cut.
    fn c_string(&self, at: usize, max: usize) -> Option<(String, bool)> {
        let tail = self.bytes.get(at..)?;
        let end = memchr::memchr(0, &tail[..max.min(tail.len())])?;
        let cut = end > MAX_NAME_BYTES;
        let mut name = &tail[..end.min(MAX_NAME_BYTES)];
        if cut {
            // Never split a UTF-8 sequence: lossy decoding would show a replacement character.
            while let Some((&last, rest)) = name.split_last() {
                if last & 0xC0 != 0x80 {
                    name = if last >= 0xC0 { rest } else { name };
                    break;
                }
                name = rest;
            }
        }
        Some((String::from_utf8_lossy(name).into_owned(), cut))
    }
}

#[derive(Clone, Copy)]
struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

/// Why the needs of an ELF could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElfError {
    /// The header or a structure it points to is malformed or outside the file.
    Malformed(&'static str),
    /// A structure lies beyond [`MAX_ELF_BYTES`] or beyond what could be read.
    TooFar,
    /// Reading the file failed.
    Read(String),
}

/// Whether the ELF whose first bytes are `head` has a program interpreter (`PT_INTERP`), read from
/// its program headers alone; `None` when `head` is not an ELF header or does not reach them.
/// Programs linked dynamically have one; shared libraries do not (cheap, where
/// [`read_needs`] reads on to the dynamic section, often near the end of the file).
pub fn has_interpreter(head: &[u8]) -> Option<bool> {
    if head.len() < 52 || &head[..4] != b"\x7fELF" {
        return None;
    }
    let h = HeaderFields::read(head)?;
    if h.phentsize < h.min_phentsize() || h.phnum > 4096 {
        return None;
    }
    let r = Reader { bytes: head, little: h.little };
    let mut found = false;
    for i in 0..h.phnum {
        let at = usize::try_from(h.phoff.checked_add(i * h.phentsize)?).ok()?;
        found |= r.u32(at)? == PT_INTERP;
    }
    Some(found)
}

/// The ELF header fields both readers start from: class, byte order, type and where the program
/// headers are.
struct HeaderFields {
    is_64: bool,
    little: bool,
    e_type: u16,
    phoff: u64,
    phentsize: u64,
    phnum: u64,
}

impl HeaderFields {
    /// Reads them from the file's first bytes; `None` when the header is cut short.
    fn read(head: &[u8]) -> Option<Self> {
        let is_64 = *head.get(4)? == 2;
        let little = *head.get(5)? == 1;
        let r = Reader { bytes: head, little };
        let (phoff, phentsize, phnum) = if is_64 {
            (r.u64(32)?, r.u16(54)? as u64, r.u16(56)? as u64)
        } else {
            (r.u32(28)? as u64, r.u16(42)? as u64, r.u16(44)? as u64)
        };
        Some(HeaderFields { is_64, little, e_type: r.u16(16)?, phoff, phentsize, phnum })
    }

    /// The smallest program-header entry of this class.
    fn min_phentsize(&self) -> u64 {
        if self.is_64 {
            56
        } else {
            32
        }
    }
}

/// The `NODE_MODULE_VERSION` in a `node_register_module_v<N>` name within a string table.
fn node_module_version_in(strings: &[u8]) -> Option<u32> {
    const PREFIX: &[u8] = b"node_register_module_v";
    let at = memchr::memmem::find(strings, PREFIX)? + PREFIX.len();
    let digits: Vec<u8> = strings[at..].iter().take(6).take_while(|b| b.is_ascii_digit()).copied().collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// Reads the load-time needs of an ELF. `read_prefix(n)` returns the file's first `n` bytes (or
/// fewer, at end of file).
pub fn read_needs(mut read_prefix: impl FnMut(usize) -> Result<Vec<u8>, String>) -> Result<ElfNeeds, ElfError> {
    // One body for every caller's closure (the checks and the repair call it with different ones):
    // the reader is generic only in this shim, which keeps one copy of the parser in the wasm.
    read_needs_from(&mut read_prefix)
}

fn read_needs_from(mut read_prefix: &mut dyn FnMut(usize) -> Result<Vec<u8>, String>) -> Result<ElfNeeds, ElfError> {
    let mut buf = read_prefix(4096).map_err(ElfError::Read)?;
    let ensure = |buf: &mut Vec<u8>, end: u64, read_prefix: &mut dyn FnMut(usize) -> Result<Vec<u8>, String>| {
        let end = usize::try_from(end).map_err(|_| ElfError::TooFar)?;
        if end > MAX_ELF_BYTES {
            return Err(ElfError::TooFar);
        }
        if end > buf.len() {
            *buf = read_prefix(end.max(buf.len() * 2).min(MAX_ELF_BYTES)).map_err(ElfError::Read)?;
            if end > buf.len() {
                return Err(ElfError::Malformed("a structure extends past the end of the file"));
            }
        }
        Ok(())
    };

    if buf.len() < 52 || &buf[..4] != b"\x7fELF" {
        return Err(ElfError::Malformed("not an ELF header"));
    }
    let header = HeaderFields::read(&buf).ok_or(ElfError::Malformed("short header"))?;
    let HeaderFields { is_64, little, e_type, phoff, phentsize, phnum } = header;
    if phnum == 0 || phentsize < header.min_phentsize() || phnum > 4096 {
        return Err(ElfError::Malformed("no usable program headers"));
    }
    ensure(&mut buf, phoff.saturating_add(phentsize.saturating_mul(phnum)), &mut read_prefix)?;

    let mut segments = Vec::with_capacity(phnum as usize);
    {
        let r = Reader { bytes: &buf, little };
        for i in 0..phnum {
            let at = phoff.saturating_add(i * phentsize) as usize;
            let seg = if is_64 {
                Segment {
                    kind: r.u32(at).ok_or(ElfError::Malformed("program header"))?,
                    offset: r.u64(at + 8).ok_or(ElfError::Malformed("program header"))?,
                    vaddr: r.u64(at + 16).ok_or(ElfError::Malformed("program header"))?,
                    filesz: r.u64(at + 32).ok_or(ElfError::Malformed("program header"))?,
                }
            } else {
                Segment {
                    kind: r.u32(at).ok_or(ElfError::Malformed("program header"))?,
                    offset: r.u32(at + 4).ok_or(ElfError::Malformed("program header"))? as u64,
                    vaddr: r.u32(at + 8).ok_or(ElfError::Malformed("program header"))? as u64,
                    filesz: r.u32(at + 16).ok_or(ElfError::Malformed("program header"))? as u64,
                }
            };
            segments.push(seg);
        }
    }

    let mut needs = ElfNeeds::default();
    if let Some(interp) = segments.iter().find(|s| s.kind == PT_INTERP) {
        let len = interp.filesz.min(4096);
        ensure(&mut buf, interp.offset.saturating_add(len), &mut read_prefix)?;
        let r = Reader { bytes: &buf, little };
        needs.interpreter = r.c_string(interp.offset as usize, len as usize).map(|(name, _)| name);
    }
    let Some(dynamic) = segments.iter().find(|s| s.kind == PT_DYNAMIC).copied() else {
        needs.is_static = needs.interpreter.is_none();
        return Ok(needs);
    };
    let dyn_size = dynamic.filesz.min(64 * 1024);
    ensure(&mut buf, dynamic.offset.saturating_add(dyn_size), &mut read_prefix)?;

    let entry = if is_64 { 16 } else { 8 };
    let mut tags: Vec<(u64, u64)> = Vec::new();
    {
        let r = Reader { bytes: &buf, little };
        let mut at = dynamic.offset as usize;
        let end = dynamic.offset.saturating_add(dyn_size) as usize;
        while at.saturating_add(entry) <= end {
            let tag = r.word(at, is_64).ok_or(ElfError::Malformed("dynamic entry"))?;
            let val = r.word(at + entry / 2, is_64).ok_or(ElfError::Malformed("dynamic entry"))?;
            if tag == DT_NULL {
                break;
            }
            tags.push((tag, val));
            at += entry;
        }
    }
    let find = |t: u64| tags.iter().find(|(tag, _)| *tag == t).map(|(_, v)| *v);
    let to_offset = |vaddr: u64| {
        segments
            .iter()
            .filter(|s| s.kind == PT_LOAD)
            .find(|s| vaddr >= s.vaddr && vaddr < s.vaddr.saturating_add(s.filesz))
            .map(|s| vaddr - s.vaddr + s.offset)
    };
    let flags_1 = find(DT_FLAGS_1).unwrap_or(0);
    needs.is_shared_library = e_type == 3 && needs.interpreter.is_none() && flags_1 & DF_1_PIE == 0;

    let strtab = find(DT_STRTAB).and_then(to_offset).ok_or(ElfError::Malformed("dynamic string table not mapped"))?;
    let strsz = find(DT_STRSZ).unwrap_or(0).min(16 << 20);
    ensure(&mut buf, strtab.saturating_add(strsz), &mut read_prefix)?;
    needs.node_module_version =
        buf.get(strtab as usize..strtab.saturating_add(strsz) as usize).and_then(node_module_version_in);
    let mut over_limits = false;
    let names_cut = std::cell::Cell::new(false);
    let string_at = |buf: &[u8], off: u64| -> Option<String> {
        if off >= strsz {
            return None;
        }
        let (name, cut) =
            Reader { bytes: buf, little }.c_string(strtab.saturating_add(off) as usize, (strsz - off) as usize)?;
        names_cut.set(names_cut.get() | cut);
        Some(name)
    };
    // Each list keeps distinct names, up to its cap; entries that point at one string are read once.
    let mut seen_offsets = std::collections::HashSet::new();
    for (tag, val) in &tags {
        if !matches!(*tag, DT_NEEDED | DT_RPATH | DT_RUNPATH) || !seen_offsets.insert((*tag, *val)) {
            continue;
        }
        let list = match *tag {
            DT_NEEDED => &mut needs.needed,
            DT_RPATH => &mut needs.rpath,
            _ => &mut needs.runpath,
        };
        if list.len() >= MAX_LIBRARIES {
            over_limits = true;
            continue;
        }
        let Some(name) = string_at(&buf, *val) else { continue };
        let names = if *tag == DT_NEEDED { vec![name] } else { split_paths(&name) };
        for name in names {
            if list.len() >= MAX_LIBRARIES {
                over_limits = true;
            } else if !list.contains(&name) {
                list.push(name);
            }
        }
    }

    if let (Some(verneed), Some(count)) = (find(DT_VERNEED).and_then(to_offset), find(DT_VERNEEDNUM)) {
        let mut at = verneed;
        let mut versions_kept = 0usize;
        let mut visited = std::collections::HashSet::new();
        over_limits |= count > MAX_VERSION_NEEDS as u64;
        for _ in 0..count.min(MAX_VERSION_NEEDS as u64) {
            // A `vn_next` chain that loops back is read once.
            if !visited.insert(at) {
                break;
            }
            ensure(&mut buf, at.saturating_add(16), &mut read_prefix)?;
            let (cnt, file, aux, next) = {
                let r = Reader { bytes: &buf, little };
                let a = at as usize;
                (
                    r.u16(a + 2).ok_or(ElfError::Malformed("verneed"))?,
                    r.u32(a + 4).ok_or(ElfError::Malformed("verneed"))?,
                    r.u32(a + 8).ok_or(ElfError::Malformed("verneed"))?,
                    r.u32(a + 12).ok_or(ElfError::Malformed("verneed"))?,
                )
            };
            let library = string_at(&buf, file as u64).unwrap_or_default();
            let mut versions = Vec::new();
            let mut aux_at = at.saturating_add(aux as u64);
            let mut aux_visited = std::collections::HashSet::new();
            for _ in 0..cnt.min(256) {
                if versions_kept >= MAX_VERSIONS || !aux_visited.insert(aux_at) {
                    over_limits |= versions_kept >= MAX_VERSIONS;
                    break;
                }
                ensure(&mut buf, aux_at.saturating_add(16), &mut read_prefix)?;
                let (name, aux_next) = {
                    let r = Reader { bytes: &buf, little };
                    let a = aux_at as usize;
                    (
                        r.u32(a + 8).ok_or(ElfError::Malformed("vernaux"))?,
                        r.u32(a + 12).ok_or(ElfError::Malformed("vernaux"))?,
                    )
                };
                if let Some(v) = string_at(&buf, name as u64).filter(|v| !versions.contains(v)) {
                    versions.push(v);
                    versions_kept += 1;
                }
                if aux_next == 0 {
                    break;
                }
                aux_at = aux_at.saturating_add(aux_next as u64);
            }
            match needs.version_needs.iter_mut().find(|(l, _)| *l == library) {
                Some((_, known)) => {
                    for v in versions {
                        if !known.contains(&v) {
                            known.push(v);
                        }
                    }
                }
                None => needs.version_needs.push((library, versions)),
            }
            if next == 0 {
                break;
            }
            at = at.saturating_add(next as u64);
        }
    }
    needs.over_limits = over_limits || names_cut.get();
    Ok(needs)
}

fn split_paths(s: &str) -> Vec<String> {
    s.split(':').filter(|p| !p.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
pub(crate) mod testing {
    //! The ELF writer lives in [`crate::synth`] (the CLI's hostile tests use it too).
    pub(crate) use crate::synth::elf;
}

#[cfg(test)]
mod tests {
    use super::testing::elf;
    use super::*;

    fn needs_of(bytes: &[u8]) -> Result<ElfNeeds, ElfError> {
        read_needs(|n| Ok(bytes[..n.min(bytes.len())].to_vec()))
    }

    #[test]
    fn node_addons_name_the_module_version_they_register_for() {
        assert_eq!(node_module_version_in(b"\0napi_register_module_v1\0"), None);
        assert_eq!(node_module_version_in(b"\0_ZN2v8\0node_register_module_v108\0memcpy\0"), Some(108));
        // The string table of a parsed ELF is read for it.
        let elf = crate::synth::elf(None, &["libc.so.6", "node_register_module_v115"], None, &[], 3);
        let needs = read_needs(|n| Ok(elf[..n.min(elf.len())].to_vec())).unwrap();
        assert_eq!(needs.node_module_version, Some(115));
    }

    #[test]
    fn the_interpreter_is_read_from_the_program_headers_alone() {
        let program = elf(Some("/lib64/ld-linux-x86-64.so.2"), &["libc.so.6"], None, &[], 3);
        let library = elf(None, &["libc.so.6"], None, &[], 3);
        assert_eq!(has_interpreter(&program[..program.len().min(4096)]), Some(true));
        assert_eq!(has_interpreter(&library[..library.len().min(4096)]), Some(false));
        assert_eq!(has_interpreter(&program[..40]), None, "too short for a header");
        assert_eq!(has_interpreter(b"#!/bin/sh\n"), None);
        let mut far = program.clone();
        far[32..40].copy_from_slice(&(1u64 << 40).to_le_bytes()); // program headers out of reach
        assert_eq!(has_interpreter(&far), None);
    }

    #[test]
    fn reads_interp_needed_runpath_and_versions() {
        let bytes = elf(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["libssl.so.1.1", "libc.so.6"],
            Some("$ORIGIN/lib:/home/me/build"),
            &[
                ("libc.so.6", &["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.17"]),
                ("libstdc++.so.6", &["GLIBCXX_3.4.21", "CXXABI_1.3.9"]),
            ],
            3,
        );
        let n = needs_of(&bytes).unwrap();
        assert_eq!(n.interpreter.as_deref(), Some("/lib64/ld-linux-x86-64.so.2"));
        assert_eq!(n.needed, ["libssl.so.1.1", "libc.so.6"]);
        assert_eq!(n.runpath, ["$ORIGIN/lib", "/home/me/build"]);
        assert_eq!(n.max_version("GLIBC_").as_deref(), Some("GLIBC_2.34"));
        assert_eq!(n.max_version("GLIBCXX_").as_deref(), Some("GLIBCXX_3.4.21"));
        assert!(!n.is_static && !n.is_shared_library);
    }

    #[test]
    fn many_entries_pointing_at_one_long_string_are_read_once_and_cut() {
        let long = "x".repeat(4 << 20);
        let needed: Vec<&str> = std::iter::repeat_n(long.as_str(), 3000).collect();
        let bytes = elf(None, &needed, None, &[], 2);
        let n = needs_of(&bytes).unwrap();
        assert_eq!(n.needed.len(), 1, "repeats are one library");
        assert_eq!(n.needed[0].len(), MAX_NAME_BYTES);
        assert!(n.over_limits);
    }

    #[test]
    fn library_and_version_counts_are_capped() {
        let names: Vec<String> = (0..600).map(|i| format!("lib{i}.so")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let versions: Vec<String> = (0..200).map(|i| format!("V_{i}")).collect();
        let vrefs: Vec<&str> = versions.iter().map(String::as_str).collect();
        let libs: Vec<(&str, &[&str])> = refs.iter().take(100).map(|l| (*l, vrefs.as_slice())).collect();
        let n = needs_of(&elf(None, &refs, None, &libs, 2)).unwrap();
        assert_eq!(n.needed.len(), MAX_LIBRARIES);
        assert!(n.version_needs.len() <= MAX_VERSION_NEEDS);
        assert!(n.version_needs.iter().map(|(_, v)| v.len()).sum::<usize>() <= MAX_VERSIONS);
        assert!(n.over_limits);
        // An ordinary binary is under every limit.
        let plain = needs_of(&elf(None, &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.17"])], 2)).unwrap();
        assert!(!plain.over_limits);
    }

    #[test]
    fn versions_compare_numerically() {
        let bytes = elf(None, &["libc.so.6"], None, &[("libc.so.6", &["GLIBC_2.9", "GLIBC_2.10"])], 3);
        let n = needs_of(&bytes).unwrap();
        assert_eq!(n.max_version("GLIBC_").as_deref(), Some("GLIBC_2.10"));
        assert!(n.is_shared_library);
    }

    #[test]
    fn malformed_and_truncated_are_errors_not_panics() {
        let bytes = elf(Some("/lib/ld-musl-x86_64.so.1"), &["libc.musl-x86_64.so.1"], None, &[], 2);
        for cut in [0, 10, 60, 100, 200, bytes.len() - 1] {
            let _ = needs_of(&bytes[..cut]);
        }
        let mut wild = bytes.clone();
        wild[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(needs_of(&wild).is_err());
    }
}
