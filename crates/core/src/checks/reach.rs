//! What the start loads: the Python entry's imports and the Node entry's `require`/`import` graph,
//! followed through the package the way the runtime resolves them — Python's package folders,
//! parent `__init__.py` files and extension modules (`_ext.cpython-312-x86_64-linux-gnu.so`);
//! Node's relative paths, `node_modules` looked up folder by folder, `package.json` `exports` and
//! `main`, and the platform packages a package chooses at run time from its `optionalDependencies`
//! (sharp's `@img/sharp-<os>-<cpu>`, esbuild's `@esbuild/<os>-<cpu>`).
//!
//! A check asks [`ReachGraph::reach`] (a file) or [`ReachGraph::reach_package`] (an npm package)
//! whether what it found is on that path:
//! - [`Reach::OnPath`] with `certain` when every import on the way runs whenever the module loads
//!   (Python at column 0, Node's static `import`, an unindented `require`) — a problem there stops
//!   the start;
//! - `OnPath` without `certain` when one sits inside a block, a `try`, a function, minified code or
//!   a dynamic `import()`;
//! - [`Reach::OffPath`] when the walk saw everything the start loads and the file was not among it;
//! - [`Reach::Unknown`] with the reason otherwise: no Python or JavaScript entry was read, a load
//!   is computed at run time in the package's own code, a Node package it requires is absent, or a
//!   budget stopped the walk.
//!
//! *Invariant*: bounded by the input — at most [`MAX_FILES`] files and [`BYTES_BUDGET`]
//! decompressed bytes are read, each file up to [`FILE_BYTES`], each file relaxed at most twice;
//! whatever that leaves out turns an `OffPath` into `Unknown`, never into a false "off the path".

use std::collections::{HashMap, HashSet, VecDeque};

use crate::archive::{Entry, EntryType, Package, PackageRead};
use crate::profiles::Profile;

/// Files the walk reads at most.
pub(crate) const MAX_FILES: usize = 2_000;
/// Decompressed bytes the walk reads at most, over all files.
pub(crate) const BYTES_BUDGET: u64 = 32 * 1024 * 1024;
/// Bytes read of one file; a longer one is read in part and the walk says so.
pub(crate) const FILE_BYTES: usize = 1024 * 1024;
/// Lines longer than this are minified or bundled code: a `require` in them may sit in any function.
const MINIFIED_LINE: usize = 400;
/// Steps of a chain shown in evidence.
const CHAIN_SHOWN: usize = 6;
/// Reasons an answer is `Unknown` kept (the first ones are shown).
const REASONS_KEPT: usize = 8;

/// Node's built-in modules: `require('fs')` names no file.
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
];

/// How a file was first reached (or reached for certain, which replaces an uncertain way).
#[derive(Debug, Clone)]
struct Edge {
    /// The file whose load reached it; `None` for the entry's own files.
    from: Option<String>,
    /// `file:line: code` of that load.
    line: String,
    /// Whether this load, and every one before it on the way, runs whenever the start runs.
    certain: bool,
    /// Loads between the entry and this file.
    depth: usize,
}

/// One load a source file makes: the line, whether it runs whenever the file loads, and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Load {
    /// 1-based line number.
    line: usize,
    /// The line's code, trimmed and cut.
    code: String,
    /// Whether it runs whenever the file is loaded (top level, not in a block).
    certain: bool,
    /// What it names: a Python module (with leading dots when relative) and the names it takes
    /// from it, or a Node specifier; `None` when computed at run time.
    target: Option<(String, Vec<String>)>,
}

/// Whether the start loads a file or package, as far as the walk could tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Loaded: the load lines from the entry to it, and whether each of them runs at load time.
    OnPath { chain: Vec<String>, certain: bool },
    /// The walk followed everything the start loads (`files` files) and this was not among it.
    OffPath { files: usize },
    /// No verdict, and why.
    Unknown(String),
}

impl Reach {
    /// One evidence line saying how (or whether) the start loads it.
    pub(crate) fn evidence(&self) -> String {
        match self {
            Reach::OnPath { chain, certain: true } => format!("on the start path: {}", chain.join(" → ")),
            Reach::OnPath { chain, certain: false } => format!(
                "the start may load it — a load on the way sits inside a block, a try or a function: {}",
                chain.join(" → ")
            ),
            Reach::OffPath { files: 1 } => {
                "off the start path: the entry loads no other file of the package, and not this one".into()
            }
            Reach::OffPath { files } => {
                format!("off the start path: the entry's imports, followed through {files} files, never load it")
            }
            Reach::Unknown(why) => format!("whether the start loads it is not known: {why}"),
        }
    }
}

/// The start's load graph, as far as it could be followed.
#[derive(Debug, Default)]
pub(crate) struct ReachGraph {
    reached: HashMap<String, Edge>,
    /// Why the walk cannot rule a file out (computed loads, absent packages, budgets).
    incomplete: Vec<String>,
    /// npm package folder reached → the platform packages its package.json lists in
    /// `optionalDependencies`, which it chooses from at run time.
    optional: HashMap<String, Vec<String>>,
    /// Whether any Python or JavaScript entry file was followed.
    followed: bool,
    /// Whether a budget stopped the walk or a file was read only in part.
    budget_hit: bool,
}

impl ReachGraph {
    /// Whether the start loads the file at `path`.
    pub(crate) fn reach(&self, path: &str) -> Reach {
        if !self.followed {
            return Reach::Unknown("the entry's Python or JavaScript code was not read".into());
        }
        match self.reached.get(path) {
            Some(edge) => Reach::OnPath { chain: self.chain(path), certain: edge.certain },
            None => self.not_reached(),
        }
    }

    /// Whether the start loads the npm package in folder `dir` (`node_modules/@img/sharp-linux-x64`):
    /// a file of it is reached, or a reached package lists it in `optionalDependencies` and picks it
    /// at run time.
    pub(crate) fn reach_package(&self, dir: &str) -> Reach {
        if !self.followed {
            return Reach::Unknown("the entry's JavaScript code was not read".into());
        }
        if let Some((path, certain)) = self.best_under(dir) {
            return Reach::OnPath { chain: self.chain(path), certain };
        }
        let name = dir.rsplit("node_modules/").next().unwrap_or(dir);
        let choosers: Vec<&String> =
            self.optional.iter().filter(|(_, names)| names.iter().any(|n| n == name)).map(|(d, _)| d).collect();
        for chooser in choosers {
            if let Some((path, certain)) = self.best_under(chooser) {
                let mut chain = self.chain(path);
                chain.push(format!(
                    "{}/package.json lists {name} in optionalDependencies and loads the one for the machine",
                    chooser
                ));
                return Reach::OnPath { chain, certain };
            }
        }
        self.not_reached()
    }

    /// The reached file under folder `dir` with the surest way in, then the shortest.
    fn best_under(&self, dir: &str) -> Option<(&str, bool)> {
        let prefix = format!("{dir}/");
        self.reached
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix) && !p.ends_with("/package.json"))
            .max_by_key(|(p, e)| (e.certain, std::cmp::Reverse(e.depth), std::cmp::Reverse(p.as_str())))
            .map(|(p, e)| (p.as_str(), e.certain))
    }

    /// Whether a budget stopped the walk or a file was read only in part.
    pub(crate) fn budget_hit(&self) -> bool {
        self.budget_hit
    }

    /// Files the walk reached.
    pub(crate) fn files(&self) -> usize {
        self.reached.len()
    }

    fn not_reached(&self) -> Reach {
        if self.incomplete.is_empty() {
            return Reach::OffPath { files: self.reached.len() };
        }
        let shown: Vec<&str> = self.incomplete.iter().take(3).map(String::as_str).collect();
        let more = if self.incomplete.len() > 3 { "; …" } else { "" };
        Reach::Unknown(format!("{}{more}", shown.join("; ")))
    }

    /// The load lines from the entry to `path`, entry first.
    fn chain(&self, path: &str) -> Vec<String> {
        let mut lines = Vec::new();
        let mut at = path;
        let mut seen = HashSet::new();
        while let Some(edge) = self.reached.get(at) {
            if !seen.insert(at) {
                break;
            }
            let Some(from) = edge.from.as_deref() else { break };
            lines.push(edge.line.clone());
            at = from;
        }
        lines.reverse();
        if lines.len() > CHAIN_SHOWN {
            let cut = lines.len() - (CHAIN_SHOWN - 1);
            lines.splice(1..cut, ["…".to_string()]);
        }
        if lines.is_empty() {
            lines.push(format!("{path} is the entry's own code"));
        }
        lines
    }

    fn note_incomplete(&mut self, why: String) {
        if self.incomplete.len() < REASONS_KEPT && !self.incomplete.contains(&why) {
            self.incomplete.push(why);
        }
    }
}

/// Which language a file is read as, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Python,
    JavaScript,
}

fn language_of(path: &str) -> Option<Language> {
    if path.ends_with(".py") {
        Some(Language::Python)
    } else if [".js", ".cjs", ".mjs"].iter().any(|ext| path.ends_with(ext)) {
        Some(Language::JavaScript)
    } else {
        None
    }
}

/// The folder holding `path` (`""` at the root).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, rest: &str) -> String {
    if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    }
}

/// The package's files indexed for module resolution.
struct Index<'a> {
    by_path: &'a HashMap<&'a str, usize>,
    entries: &'a [Entry],
    /// Python module key (`pkg/sub/mod`, no extension) → the files that provide it: `mod.py`,
    /// `mod/__init__.py`, `mod.<tag>.so`, `mod.pyd`.
    python_modules: HashMap<String, Vec<&'a str>>,
    /// Folders Python searches for top-level modules: the root, the entry's folder, and the folders
    /// holding installed distributions (`*.dist-info`).
    python_roots: Vec<String>,
    /// Top-level module names of installed Python distributions (`pydantic_core`), whose computed
    /// imports are theirs, not the function's.
    distributions: HashSet<String>,
}

impl<'a> Index<'a> {
    fn new(entries: &'a [Entry], by_path: &'a HashMap<&'a str, usize>, seeds: &[&str]) -> Self {
        let mut python_modules: HashMap<String, Vec<&'a str>> = HashMap::new();
        let mut python_roots = vec![String::new()];
        let mut distributions = HashSet::new();
        for e in entries.iter().filter(|e| e.entry_type != EntryType::Directory) {
            let path = e.path();
            if let Some(key) = python_module_key(path) {
                python_modules.entry(key).or_default().push(path);
            }
            // `x/site/pkg-1.0.dist-info/RECORD` → root `x/site`, distribution `pkg`.
            if let Some((before, _)) = path.split_once(".dist-info/") {
                let root = parent(before);
                let name = before.rsplit('/').next().unwrap_or(before);
                let name = name.split('-').next().unwrap_or(name).to_ascii_lowercase().replace('.', "_");
                distributions.insert(name);
                if python_roots.len() < 16 && !python_roots.iter().any(|r| r == root) {
                    python_roots.push(root.to_string());
                }
            }
        }
        for seed in seeds {
            let dir = parent(seed).to_string();
            if python_roots.len() < 17 && !python_roots.contains(&dir) {
                python_roots.push(dir);
            }
        }
        Index { by_path, entries, python_modules, python_roots, distributions }
    }

    fn is_file(&self, path: &str) -> bool {
        self.by_path.get(path).is_some_and(|&i| self.entries[i].entry_type != EntryType::Directory)
    }

    /// Whether a Python file belongs to an installed distribution rather than the function's code.
    fn is_python_dependency(&self, path: &str) -> bool {
        path.contains("site-packages/")
            || path.split('/').any(|part| self.distributions.contains(&part.to_ascii_lowercase()))
    }
}

/// The module key a file provides to Python's import system, if any.
fn python_module_key(path: &str) -> Option<String> {
    if path.ends_with("/__init__.py") {
        return Some(parent(path).to_string());
    }
    if let Some(stem) = path.strip_suffix(".py") {
        return (!stem.ends_with("__init__")).then(|| stem.to_string());
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".so") || name.ends_with(".pyd") {
        let stem = name.split('.').next().filter(|s| !s.is_empty())?;
        return Some(join(parent(path), stem));
    }
    None
}

/// The files a Python import resolves to: each package's `__init__.py` on the way and the module
/// itself, plus submodules among the names a `from … import` takes. Empty when it is not in the
/// package (the standard library or something absent).
fn resolve_python(index: &Index<'_>, from: &str, module: &str, names: &[String]) -> Vec<String> {
    let dots = module.chars().take_while(|&c| c == '.').count();
    let rest = &module[dots..];
    let mut bases: Vec<String> = Vec::new();
    if dots > 0 {
        let mut base = parent(from).to_string();
        for _ in 1..dots {
            base = parent(&base).to_string();
        }
        bases.push(base);
    } else {
        bases.extend(index.python_roots.iter().cloned());
    }
    for base in bases {
        let parts: Vec<&str> = rest.split('.').filter(|p| !p.is_empty()).collect();
        let first = parts.first().map(|p| join(&base, p)).unwrap_or_else(|| base.clone());
        if dots == 0 && !index.python_modules.contains_key(&first) {
            continue;
        }
        let mut files = Vec::new();
        let mut key = base.clone();
        for part in &parts {
            key = join(&key, part);
            match index.python_modules.get(&key) {
                Some(provided) => files.extend(provided.iter().map(|p| p.to_string())),
                None => break,
            }
        }
        if parts.is_empty() || index.python_modules.contains_key(&key) {
            for name in names {
                if let Some(provided) = index.python_modules.get(&join(&key, name)) {
                    files.extend(provided.iter().map(|p| p.to_string()));
                }
            }
        }
        if !files.is_empty() || dots > 0 {
            return files;
        }
    }
    Vec::new()
}

/// What a Node specifier resolves to.
enum NodeTarget {
    /// Files in the package (the resolved file; a package's folder when its package.json was read).
    Files(Vec<String>),
    /// A built-in module, or one the runtime provides.
    Provided,
    /// Not in the package.
    Absent,
}

/// The condition keys of package.json `exports` Node's `require` and `import` honour, in order.
const EXPORT_CONDITIONS: &[&str] = &["node", "require", "import", "default"];

/// The files an `exports` value may point to for Node, in the order of its conditions (the
/// first that exists is taken: `require` and `import` may point to different builds).
fn export_targets(value: &serde_json::Value, depth: usize, out: &mut Vec<String>) {
    if depth > 8 || out.len() > 16 {
        return;
    }
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| export_targets(v, depth + 1, out)),
        serde_json::Value::Object(map) => match map.get(".") {
            Some(dot) => export_targets(dot, depth + 1, out),
            None => {
                EXPORT_CONDITIONS.iter().filter_map(|key| map.get(*key)).for_each(|v| export_targets(v, depth + 1, out))
            }
        },
        _ => {}
    }
}

/// Walks the load graph from the entry's files.
struct Walk<'p, 'a, R: PackageRead> {
    package: &'p mut Package<R>,
    index: Index<'a>,
    profile: &'a Profile,
    graph: ReachGraph,
    /// Texts already read: path → the loads it makes, resolved.
    children: HashMap<String, Vec<(String, String, bool)>>,
    /// package.json of npm package folders, read once.
    manifests: HashMap<String, Option<serde_json::Value>>,
    bytes_left: u64,
}

/// Follows the start's loads from `seeds` (the entry's files already read: path and text).
pub(crate) fn follow<R: PackageRead>(
    package: &mut Package<R>,
    entries: &[Entry],
    by_path: &HashMap<&str, usize>,
    profile: &Profile,
    seeds: &[(String, String)],
) -> ReachGraph {
    let seeds: Vec<&(String, String)> = seeds.iter().filter(|(p, _)| language_of(p).is_some()).collect();
    let seed_paths: Vec<&str> = seeds.iter().map(|(p, _)| p.as_str()).collect();
    let mut walk = Walk {
        package,
        index: Index::new(entries, by_path, &seed_paths),
        profile,
        graph: ReachGraph { followed: !seeds.is_empty(), ..Default::default() },
        children: HashMap::new(),
        manifests: HashMap::new(),
        bytes_left: BYTES_BUDGET,
    };
    let mut queue: VecDeque<String> = VecDeque::new();
    for (path, text) in &seeds {
        let edge = Edge { from: None, line: format!("{path} (the entry)"), certain: true, depth: 0 };
        walk.graph.reached.insert(path.clone(), edge);
        let loads = walk.resolve_loads(path, text);
        walk.children.insert(path.clone(), loads);
        queue.push_back(path.clone());
    }
    while let Some(file) = queue.pop_front() {
        let Some(children) = walk.children_of(&file) else { continue };
        let (file_certain, depth) = walk.graph.reached.get(&file).map_or((false, 0), |e| (e.certain, e.depth + 1));
        for (child, line, load_certain) in children {
            let certain = file_certain && load_certain;
            let known = walk.graph.reached.get(&child).map(|e| e.certain);
            if known.is_none() && walk.graph.reached.len() >= MAX_FILES {
                walk.graph.budget_hit = true;
                walk.graph.note_incomplete(format!("the walk stopped at {MAX_FILES} files"));
                continue;
            }
            if known.is_none() || (known == Some(false) && certain) {
                walk.graph.reached.insert(child.clone(), Edge { from: Some(file.clone()), line, certain, depth });
                queue.push_back(child);
            }
        }
    }
    walk.graph
}

impl<R: PackageRead> Walk<'_, '_, R> {
    /// The resolved loads of `file`, reading it the first time (within the budgets).
    fn children_of(&mut self, file: &str) -> Option<Vec<(String, String, bool)>> {
        if let Some(known) = self.children.get(file) {
            return Some(known.clone());
        }
        language_of(file)?;
        let &i = self.index.by_path.get(file)?;
        if self.bytes_left == 0 {
            self.graph.budget_hit = true;
            self.graph.note_incomplete("the walk's byte budget ran out".into());
            return None;
        }
        let want = FILE_BYTES.min(self.bytes_left as usize);
        let bytes = self.package.read_prefix(i, want).ok()?;
        self.bytes_left -= (bytes.len() as u64).min(self.bytes_left);
        if self.index.entries[i].size > bytes.len() as u64 {
            self.graph.budget_hit = true;
            self.graph.note_incomplete(format!("{file} was read only in part"));
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let loads = self.resolve_loads(file, &text);
        self.children.insert(file.to_string(), loads.clone());
        Some(loads)
    }

    /// The loads in `text` (the file at `file`), each resolved to the files it reaches.
    fn resolve_loads(&mut self, file: &str, text: &str) -> Vec<(String, String, bool)> {
        let language = language_of(file);
        let loads = match language {
            Some(Language::Python) => python_loads(text),
            Some(Language::JavaScript) => node_loads(text),
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for load in loads {
            let line = format!("{file}:{}: {}", load.line, load.code);
            let Some((target, names)) = &load.target else {
                let own = match language {
                    Some(Language::Python) => !self.index.is_python_dependency(file),
                    _ => !file.contains("node_modules/"),
                };
                if own {
                    self.graph.note_incomplete(format!("{line} loads a module named at run time"));
                }
                continue;
            };
            let files = match language {
                Some(Language::Python) => resolve_python(&self.index, file, target, names),
                _ => match self.resolve_node(file, target) {
                    NodeTarget::Files(files) => files,
                    NodeTarget::Provided => Vec::new(),
                    NodeTarget::Absent => {
                        if !target.starts_with('.') && !target.starts_with('/') {
                            self.graph.note_incomplete(format!("{line}: {target} is not in the package"));
                        }
                        Vec::new()
                    }
                },
            };
            out.extend(files.into_iter().map(|f| (f, line.clone(), load.certain)));
        }
        out
    }

    /// Resolves a Node specifier from `from` as Node's CommonJS and ESM loaders do (simplified:
    /// no `imports` maps, no `exports` patterns).
    fn resolve_node(&mut self, from: &str, spec: &str) -> NodeTarget {
        let bare = spec.strip_prefix("node:");
        let first = spec.split('/').next().unwrap_or(spec);
        if bare.is_some() || NODE_BUILTINS.contains(&first) {
            return NodeTarget::Provided;
        }
        if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
            let Some(base) = crate::entry::normalize_relative(&join(parent(from), spec)) else {
                return NodeTarget::Absent;
            };
            return self.node_file_or_dir(&base).map_or(NodeTarget::Absent, NodeTarget::Files);
        }
        if let Some(absolute) = spec.strip_prefix('/') {
            let code_dir = self.profile.code_dir.trim_matches('/');
            return match absolute.strip_prefix(code_dir).and_then(|r| r.strip_prefix('/')) {
                Some(inside) => self.node_file_or_dir(inside).map_or(NodeTarget::Absent, NodeTarget::Files),
                None => NodeTarget::Provided,
            };
        }
        let name_parts = if spec.starts_with('@') { 2 } else { 1 };
        let mut parts = spec.splitn(name_parts + 1, '/');
        let name: Vec<&str> = parts.by_ref().take(name_parts).collect();
        let name = name.join("/");
        let subpath = parts.next();
        let mut dir = parent(from).to_string();
        loop {
            if !dir.ends_with("node_modules") {
                let package_dir = join(&dir, &join("node_modules", &name));
                if self.index.is_file(&format!("{package_dir}/package.json")) {
                    return self.package_entry(&package_dir, subpath).map_or(NodeTarget::Absent, NodeTarget::Files);
                }
            }
            if dir.is_empty() {
                break;
            }
            dir = parent(&dir).to_string();
        }
        let preinstalled = self.profile.runtime.map_or(&[][..], |r| r.preinstalled);
        let provided = preinstalled.iter().any(|p| match p.strip_suffix('/') {
            Some(scope) => name.starts_with(scope) && name[scope.len()..].starts_with('/'),
            None => *p == name,
        });
        if provided {
            NodeTarget::Provided
        } else {
            NodeTarget::Absent
        }
    }

    /// The files `require('<package>[/subpath]')` loads, with the package's package.json.
    fn package_entry(&mut self, package_dir: &str, subpath: Option<&str>) -> Option<Vec<String>> {
        let manifest = self.manifest(package_dir);
        let mut files = vec![format!("{package_dir}/package.json")];
        let mut targets = Vec::new();
        let exports = manifest.as_ref().and_then(|m| m.get("exports"));
        match subpath {
            Some(sub) => {
                if let Some(mapped) = exports.and_then(|e| e.get(format!("./{sub}"))) {
                    export_targets(mapped, 0, &mut targets);
                }
                targets.push(sub.to_string());
            }
            None => {
                if let Some(exports) = exports {
                    export_targets(exports, 0, &mut targets);
                }
                targets.extend(manifest.as_ref().and_then(|m| m.get("main")?.as_str().map(str::to_string)));
                targets.push("index".to_string());
            }
        }
        for target in targets {
            let Some(base) = crate::entry::normalize_relative(&join(package_dir, &target)) else { continue };
            if let Some(found) = self.node_file_or_dir(&base) {
                files.extend(found);
                return Some(files);
            }
        }
        None
    }

    /// package.json of an npm package folder, read once; its `optionalDependencies` are recorded.
    fn manifest(&mut self, package_dir: &str) -> Option<serde_json::Value> {
        if let Some(known) = self.manifests.get(package_dir) {
            return known.clone();
        }
        let path = format!("{package_dir}/package.json");
        let value = self
            .index
            .by_path
            .get(path.as_str())
            .and_then(|&i| self.package.read_prefix(i, 256 * 1024).ok())
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
        if let Some(optional) = value.as_ref().and_then(|v| v.get("optionalDependencies")?.as_object().cloned()) {
            self.graph.optional.insert(package_dir.to_string(), optional.keys().cloned().collect());
        }
        self.manifests.insert(package_dir.to_string(), value.clone());
        value
    }

    /// Node's LOAD_AS_FILE then LOAD_AS_DIRECTORY for `base`.
    fn node_file_or_dir(&mut self, base: &str) -> Option<Vec<String>> {
        for ext in ["", ".js", ".json", ".node", ".cjs", ".mjs"] {
            let candidate = format!("{base}{ext}");
            if self.index.is_file(&candidate) {
                return Some(vec![candidate]);
            }
        }
        let manifest_path = format!("{base}/package.json");
        if self.index.is_file(&manifest_path) {
            let main = self.manifest(base).and_then(|m| m.get("main")?.as_str().map(str::to_string));
            if let Some(main) = main.and_then(|m| crate::entry::normalize_relative(&join(base, &m))) {
                for ext in ["", ".js", ".json", ".node", "/index.js"] {
                    let candidate = format!("{main}{ext}");
                    if self.index.is_file(&candidate) {
                        return Some(vec![manifest_path, candidate]);
                    }
                }
            }
        }
        for index in ["index.js", "index.json", "index.node"] {
            let candidate = join(base, index);
            if self.index.is_file(&candidate) {
                return Some(vec![candidate]);
            }
        }
        None
    }
}

/// Cuts a line of code for evidence.
fn shown(code: &str) -> String {
    let code = code.trim();
    match code.char_indices().nth(100) {
        Some((at, _)) => format!("{} …", &code[..at]),
        None => code.to_string(),
    }
}

/// A Python identifier or dotted name at the start of `text`.
fn dotted_name(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).unwrap_or(text.len());
    &text[..end]
}

/// The imports in Python source: `import a.b, c as d`, `from .x import (y, z)`,
/// `importlib.import_module("m")`, and computed loads (`importlib.import_module(name)`,
/// `__import__(name)`). Lines inside triple-quoted strings are skipped; an import is certain at
/// column 0 only.
fn python_loads(text: &str) -> Vec<Load> {
    let mut out = Vec::new();
    let mut in_string: Option<&str> = None;
    let mut lines = text.lines().enumerate();
    while let Some((n, raw)) = lines.next() {
        let line = raw.trim_end_matches('\r');
        if let Some(quote) = in_string {
            if line.matches(quote).count() % 2 == 1 {
                in_string = None;
            }
            continue;
        }
        for quote in ["\"\"\"", "'''"] {
            if line.matches(quote).count() % 2 == 1 {
                in_string = Some(quote);
            }
        }
        let code = line.trim_start();
        let certain = code.len() == line.len();
        let statement = code.split('#').next().unwrap_or("").trim_end();
        let mut logical = statement.to_string();
        // `from x import (a,\n b)` and backslash continuations: join the lines (bounded).
        let mut joined = 0;
        while joined < 64
            && (logical.ends_with('\\') || (logical.contains('(') && !logical.contains(')')))
            && (logical.starts_with("from ") || logical.starts_with("import "))
        {
            let Some((_, next)) = lines.next() else { break };
            logical = format!("{} {}", logical.trim_end_matches('\\'), next.split('#').next().unwrap_or("").trim());
            joined += 1;
        }
        let load = |target| Load { line: n + 1, code: shown(statement), certain, target };
        if let Some(rest) = logical.strip_prefix("import ") {
            for part in rest.split(',') {
                let module = dotted_name(part.trim());
                if !module.is_empty() {
                    out.push(load(Some((module.to_string(), Vec::new()))));
                }
            }
        } else if let Some(rest) = logical.strip_prefix("from ") {
            let module = dotted_name(rest.trim_start());
            let Some((_, names)) = rest.split_once(" import ") else { continue };
            let names: Vec<String> = names
                .trim_matches(|c: char| c == '(' || c == ')' || c.is_whitespace())
                .split(',')
                .map(|n| dotted_name(n.trim().trim_matches(|c| c == '(' || c == ')')).to_string())
                .filter(|n| !n.is_empty() && !n.contains('.'))
                .collect();
            if !module.is_empty() {
                out.push(load(Some((module.to_string(), names))));
            }
        } else if let Some(at) = logical.find("import_module(").or_else(|| logical.find("__import__(")) {
            let args = &logical[at..];
            let args = &args[args.find('(').map_or(0, |p| p + 1)..];
            let literal = args
                .strip_prefix(['"', '\''])
                .and_then(|s| s.split_once(['"', '\'']))
                .map(|(m, _)| m.to_string())
                .filter(|m| !m.is_empty() && !m.starts_with('.'));
            out.push(Load { certain: false, ..load(literal.map(|m| (m, Vec::new()))) });
        }
    }
    out
}

/// A quoted string literal at the start of `text` (`'x'`, `"x"`, or a backtick without `${`).
fn string_literal(text: &str) -> Option<String> {
    let text = text.trim_start();
    let quote = text.chars().next().filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let rest = &text[1..];
    let end = rest.find(quote)?;
    let value = &rest[..end];
    (!value.contains("${") && !value.is_empty()).then(|| value.to_string())
}

/// The loads in JavaScript source: `require('x')`, static `import … from 'x'` / `import 'x'` /
/// `export … from 'x'` (certain: ESM loads them before the module runs), dynamic `import('x')`
/// (never certain), and computed `require(name)`. A `require` is certain on an unindented,
/// unminified line; comment lines are skipped.
fn node_loads(text: &str) -> Vec<Load> {
    let mut out = Vec::new();
    let mut in_comment = false;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let code = line.trim_start();
        if in_comment {
            if code.contains("*/") {
                in_comment = false;
            }
            continue;
        }
        if code.starts_with("//") || code.starts_with('*') {
            continue;
        }
        if code.starts_with("/*") && !code.contains("*/") {
            in_comment = true;
            continue;
        }
        let top = code.len() == line.len() && line.len() <= MINIFIED_LINE;
        let load = |certain, target: Option<String>| Load {
            line: n + 1,
            code: shown(code),
            certain,
            target: target.map(|t| (t, Vec::new())),
        };
        let is_static = ["import ", "import{", "import'", "import\"", "export ", "export{", "}"]
            .iter()
            .any(|p| code.starts_with(p));
        if is_static {
            if let Some(at) = code.rfind("from") {
                if let Some(spec) = string_literal(&code[at + 4..]) {
                    out.push(load(true, Some(spec)));
                    continue;
                }
            }
            if let Some(spec) = code.strip_prefix("import").and_then(string_literal) {
                out.push(load(true, Some(spec)));
                continue;
            }
        }
        for (keyword, always_lazy) in [("require(", false), ("import(", true)] {
            let mut from = 0;
            while let Some(found) = code[from..].find(keyword) {
                let at = from + found;
                from = at + keyword.len();
                let before = code[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.') {
                    continue;
                }
                let certain = top && !always_lazy;
                out.push(load(certain, string_literal(&code[from..])));
                if out.len() > 10_000 {
                    return out;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Limits;
    use crate::synth::ZipBuilder;

    fn graph(files: &[(&str, &str)], seed: &str) -> ReachGraph {
        let mut zip = ZipBuilder::new();
        for (path, text) in files {
            zip = zip.unix_file(path, 0o644, text.as_bytes());
        }
        let mut package = Package::open(std::io::Cursor::new(zip.finish()), Limits::default()).unwrap();
        let entries = package.entries().to_vec();
        let by_path: HashMap<&str, usize> = entries.iter().map(|e| (e.path(), e.index)).collect();
        let text = files.iter().find(|(p, _)| *p == seed).map(|(_, t)| t.to_string()).unwrap();
        let profile = crate::profiles::profile("aws-lambda-nodejs20.x").unwrap();
        follow(&mut package, &entries, &by_path, profile, &[(seed.to_string(), text)])
    }

    fn certain(r: &Reach) -> Option<bool> {
        match r {
            Reach::OnPath { certain, .. } => Some(*certain),
            _ => None,
        }
    }

    #[test]
    fn python_imports_are_followed_through_packages_to_extension_modules() {
        let g = graph(
            &[
                ("app.py", "import pydantic\n"),
                ("pydantic/__init__.py", "from .main import BaseModel\n"),
                ("pydantic/main.py", "import pydantic_core\n"),
                ("pydantic_core/__init__.py", "from ._pydantic_core import (\n    SchemaValidator,\n)\n"),
                ("pydantic_core/_pydantic_core.cpython-312-darwin.so", "x"),
                ("yaml/__init__.py", "try:\n    from .cyaml import *\nexcept ImportError:\n    pass\n"),
                ("yaml/_yaml.cpython-312-darwin.so", "x"),
            ],
            "app.py",
        );
        let r = g.reach("pydantic_core/_pydantic_core.cpython-312-darwin.so");
        assert_eq!(certain(&r), Some(true), "{r:?}");
        let Reach::OnPath { chain, .. } = r else { unreachable!() };
        assert_eq!(chain[0], "app.py:1: import pydantic");
        assert!(chain.last().unwrap().starts_with("pydantic_core/__init__.py:1: from ._pydantic_core"), "{chain:?}");
        // Nothing imports yaml: off the path.
        assert_eq!(g.reach("yaml/_yaml.cpython-312-darwin.so"), Reach::OffPath { files: g.files() });
    }

    #[test]
    fn imports_inside_blocks_are_not_certain() {
        let g = graph(
            &[
                ("app.py", "import yaml\n\ndef handler(e, c):\n    import heavy\n"),
                ("yaml/__init__.py", "try:\n    from .cyaml import *\nexcept ImportError:\n    pass\n"),
                ("yaml/cyaml.py", "from yaml._yaml import CParser\n"),
                ("yaml/_yaml.cpython-312-darwin.so", "x"),
                ("heavy.py", "x = 1\n"),
            ],
            "app.py",
        );
        assert_eq!(certain(&g.reach("yaml/_yaml.cpython-312-darwin.so")), Some(false));
        assert_eq!(certain(&g.reach("heavy.py")), Some(false));
        assert_eq!(certain(&g.reach("yaml/__init__.py")), Some(true));
    }

    #[test]
    fn a_computed_import_in_the_function_s_own_code_leaves_no_verdict() {
        let g = graph(
            &[("app.py", "import importlib\nmod = importlib.import_module(NAME)\n"), ("plugins/x.py", "")],
            "app.py",
        );
        assert!(matches!(g.reach("plugins/x.py"), Reach::Unknown(why) if why.contains("app.py:2")));
    }

    #[test]
    fn node_requires_resolve_through_node_modules_and_optional_platform_packages() {
        let g = graph(
            &[
                ("index.js", "const sharp = require('sharp');\nexports.handler = async () => {};\n"),
                (
                    "node_modules/sharp/package.json",
                    r#"{"main":"lib/index.js","optionalDependencies":{"@img/sharp-linux-x64":"0.33.5","@img/sharp-darwin-arm64":"0.33.5"}}"#,
                ),
                ("node_modules/sharp/lib/index.js", "const s = require('./sharp');\n"),
                ("node_modules/sharp/lib/sharp.js", "  m = require(`@img/sharp-${platform}/sharp.node`);\n"),
                ("node_modules/@img/sharp-darwin-arm64/package.json", r#"{"os":["darwin"]}"#),
                ("node_modules/@img/sharp-darwin-arm64/lib/sharp.node", "x"),
                ("node_modules/esbuild/package.json", r#"{"optionalDependencies":{"@esbuild/darwin-arm64":"1"}}"#),
                ("node_modules/@esbuild/darwin-arm64/package.json", r#"{"os":["darwin"]}"#),
            ],
            "index.js",
        );
        let r = g.reach_package("node_modules/@img/sharp-darwin-arm64");
        assert_eq!(certain(&r), Some(true), "{r:?}");
        assert!(r.evidence().contains("optionalDependencies"), "{}", r.evidence());
        // esbuild is installed but nothing requires it; the computed require sits in a dependency.
        assert_eq!(g.reach_package("node_modules/@esbuild/darwin-arm64"), Reach::OffPath { files: g.files() });
    }

    #[test]
    fn node_esm_exports_and_absent_packages() {
        let g = graph(
            &[
                ("index.mjs", "import { a } from 'lib';\nimport fs from 'node:fs';\n"),
                (
                    "node_modules/lib/package.json",
                    r#"{"exports":{".":{"import":"./esm/index.mjs","require":"./cjs/index.js"}}}"#,
                ),
                ("node_modules/lib/esm/index.mjs", "export * from './native.js'\n"),
                ("node_modules/lib/esm/native.js", "if (x) {\n  require('./build/addon.node')\n}\n"),
                ("node_modules/lib/esm/build/addon.node", "x"),
            ],
            "index.mjs",
        );
        assert_eq!(certain(&g.reach("node_modules/lib/esm/index.mjs")), Some(true));
        assert_eq!(certain(&g.reach("node_modules/lib/esm/build/addon.node")), Some(false));
        let absent = graph(
            &[("index.js", "require('sharp')\n"), ("node_modules/@img/sharp-darwin-arm64/package.json", "{}")],
            "index.js",
        );
        assert!(
            matches!(absent.reach_package("node_modules/@img/sharp-darwin-arm64"), Reach::Unknown(why) if why.contains("sharp is not in the package"))
        );
    }

    #[test]
    fn strings_comments_and_minified_lines() {
        assert!(python_loads("\"\"\"\nimport os\n\"\"\"\nx = 1\n").is_empty());
        assert_eq!(node_loads("// require('a')\n/*\nrequire('b')\n*/\nfoo.require('c')\n").len(), 0);
        let long = format!("var a=function(){{return require(\"x\")}};{}", " ".repeat(MINIFIED_LINE));
        assert!(!node_loads(&long)[0].certain);
        assert_eq!(node_loads("const x = require(name)\n")[0].target, None);
    }

    #[test]
    fn cycles_and_budgets_stay_bounded() {
        let files: Vec<(String, String)> = (0..50)
            .map(|i| (format!("m{i}.py"), format!("import m{}\nimport m{}\n", (i + 1) % 50, (i * 7) % 50)))
            .collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let g = graph(&refs, "m0.py");
        assert_eq!(g.files(), 50);
        assert_eq!(certain(&g.reach("m49.py")), Some(true));
    }

    #[test]
    fn nothing_followed_without_a_source_entry() {
        let g = graph(&[("bootstrap", "#!/bin/sh\n"), ("x.py", "")], "bootstrap");
        assert!(matches!(g.reach("x.py"), Reach::Unknown(_)));
    }
}
