//! The handler's function: a managed runtime imports the file the handler names and looks up one
//! function or export in it. A name the file never mentions is certain to fail; a name it mentions
//! but does not visibly define or export is a warning, since code can export in ways a static
//! reading does not see (computed names, re-exports). Also here: whether Node loads the handler's
//! file as the module format its syntax is written in (`esm-cjs-mismatch`).

use super::messages::{handler_says, HandlerProblem};
use super::{Ctx, Finding, Severity};
use crate::entry::{parse_handler, Target, TargetOrigin};
use crate::ids;
use crate::profiles::Language;

/// What a reading of the module says about the function.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Lookup {
    /// Defined at the top level (Python) or exported (Node).
    Found,
    /// The module exports in a way that cannot be followed here (`from x import *`,
    /// `export * from`, `module.exports = require(…)`): no verdict.
    Undecidable,
    /// The name occurs, but not as a top-level definition or export: the line where it occurs.
    NotExported(usize, String),
    /// The name does not occur in the module at all.
    Absent,
}

/// Findings for handler targets whose file is in the package and was read (`sources`), but whose
/// function is not there. `read_whole` tells whether a file was read to its end (a longer one may
/// define the name past what was read, so an absent name is then only a warning).
pub(crate) fn check_handler_functions(
    ctx: &Ctx<'_>,
    sources: &[(String, String)],
    read_whole: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // A custom runtime's handler setting is free-form: its bootstrap reads it however it likes.
    if ctx.profile.runtime.is_none() {
        return out;
    }
    let fixed_file = ctx.profile.fixed_file();
    for target in ctx.targets.iter().filter(|t| t.origin == TargetOrigin::Handler) {
        let Some((path, text)) = source_of(target, sources) else { continue };
        if path.ends_with(".json") {
            // package.json's "main" names the file; it is not followed yet.
            continue;
        }
        let language = ctx.profile.language();
        let handler = if fixed_file.is_some() && target.command == target.path { continue } else { &target.command };
        let Some(parts) = parse_handler(language, fixed_file, handler) else { continue };
        let Some(function) = parts.function.as_deref() else { continue };
        let lookup = match language {
            Some(Language::Python) => python_lookup(text, function),
            Some(Language::Node) => node_lookup(text, function),
            _ => continue,
        };
        let whole = read_whole(path);
        if let Some(finding) = finding(ctx, target, path, &parts.module, function, lookup, whole, text) {
            out.push(finding);
        }
    }
    out
}

/// How Node loads a file: an ES module or CommonJS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModuleFormat {
    Esm,
    CommonJs,
}

/// The format Node gives `path`: `.mjs` is ESM, `.cjs` CommonJS, and `.js` follows the root
/// package.json's `"type"` (a package.json deeper in the tree is not looked for).
fn loaded_as(path: &str, package_type: Option<&str>) -> Option<ModuleFormat> {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("mjs") => Some(ModuleFormat::Esm),
        Some("cjs") => Some(ModuleFormat::CommonJs),
        Some("js") if package_type == Some("module") => Some(ModuleFormat::Esm),
        Some("js") => Some(ModuleFormat::CommonJs),
        _ => None,
    }
}

/// The first line written in the other format than `format`, with its number: a static `import`
/// or `export` statement in CommonJS; `require(`, `module.exports` or `exports.` in an ES module.
fn foreign_syntax(text: &str, format: ModuleFormat) -> Option<(usize, String)> {
    // An ES module that makes its own `require` (createRequire, esbuild's banner) may call it.
    if format == ModuleFormat::Esm && (text.contains("createRequire") || text.contains("const require =")) {
        return None;
    }
    let mut in_block_comment = false;
    for (n, line) in text.lines().enumerate() {
        let l = line.trim_start();
        if in_block_comment {
            in_block_comment = !l.contains("*/");
            continue;
        }
        if l.starts_with("/*") {
            in_block_comment = !l.contains("*/");
            continue;
        }
        // Comments, indented code and minified lines (bundles) are not read as statements.
        if l.starts_with("//") || line.starts_with([' ', '\t']) || line.len() > 2000 {
            continue;
        }
        let hit = match format {
            ModuleFormat::CommonJs => {
                (l.starts_with("import ")
                    && (l.contains(" from ") || l.starts_with("import '") || l.starts_with("import \"")))
                    || l.starts_with("import {")
                    || [
                        "export const ",
                        "export function ",
                        "export async function ",
                        "export default ",
                        "export {",
                        "export let ",
                        "export class ",
                    ]
                    .iter()
                    .any(|p| l.starts_with(p))
            }
            ModuleFormat::Esm => {
                l.starts_with("module.exports")
                    || l.starts_with("exports.")
                    || has_word(l, "require") && l.contains("require(")
            }
        };
        if hit {
            return Some((n + 1, l.chars().take(120).collect()));
        }
    }
    None
}

/// `esm-cjs-mismatch` for the Node handler's own file: ES module syntax in a file Node loads as
/// CommonJS, or CommonJS in an ES module. Node 20.19 and later detect ES syntax in an ambiguous
/// `.js` and load it as ESM after a warning, so there the first case is a warning (assuming the
/// runtime's Node 20 is 20.19 or later, as current ones are).
pub(crate) fn check_module_format(
    ctx: &Ctx<'_>,
    sources: &[(String, String)],
    package_json: Option<&str>,
) -> Vec<Finding> {
    let Some(runtime) = ctx.profile.runtime.filter(|r| r.language == Language::Node) else { return Vec::new() };
    let package_type = package_json
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string));
    let mut out = Vec::new();
    for target in ctx.targets.iter().filter(|t| t.origin == TargetOrigin::Handler) {
        let Some((path, text)) = source_of(target, sources) else { continue };
        // Node reads the nearest package.json; one between the root and the file is not read here.
        let mut folder = path.as_str();
        let mut nearer = false;
        while let Some((parent, _)) = folder.rsplit_once('/') {
            nearer |= ctx.lookup(&format!("{parent}/package.json")).is_some();
            folder = parent;
        }
        if nearer {
            continue;
        }
        let Some(format) = loaded_as(path, package_type.as_deref()) else { continue };
        let Some((line, code)) = foreign_syntax(text, format) else { continue };
        let detects =
            runtime.version.parse::<u32>().is_ok_and(|v| v >= 20) && path.ends_with(".js") && package_type.is_none();
        let (severity, said, fix) = match format {
            ModuleFormat::CommonJs if detects => (
                Severity::Warning,
                "Warning: Module type of the handler is not specified and it doesn't parse as CommonJS. Reparsing as ES module because module syntax was detected.",
                format!("Rename {path} to .mjs, or add \"type\": \"module\" to package.json, so Node does not parse it twice."),
            ),
            ModuleFormat::CommonJs => (
                Severity::Error,
                "SyntaxError: Cannot use import statement outside a module",
                format!("Rename {path} to .mjs, or add \"type\": \"module\" to package.json (then every .js file is an ES module)."),
            ),
            ModuleFormat::Esm => (
                Severity::Error,
                "ReferenceError: require is not defined in ES module scope, you can use import instead",
                format!("Use import in {path}, or rename it to .cjs (or drop \"type\": \"module\") to keep require and module.exports."),
            ),
        };
        let kind = if format == ModuleFormat::Esm { "an ES module" } else { "CommonJS" };
        let mut evidence = vec![
            format!("{path}:{line}: {code}"),
            match (&package_type, path.rsplit_once('.').map(|(_, e)| e)) {
                (_, Some("mjs" | "cjs")) => format!("{path}'s extension makes it {kind}"),
                (Some(t), _) => format!("package.json has \"type\": \"{t}\", so {path} is {kind}"),
                (None, _) => format!("no \"type\" in a root package.json, so {path} is {kind}"),
            },
        ];
        if detects {
            evidence.push(format!(
                "Node.js {} detects ES syntax in a .js file of no declared type and retries it as ESM, with a warning",
                runtime.version
            ));
        }
        out.push(Finding {
            id: ids::ESM_CJS_MISMATCH,
            severity,
            path: Some(path.clone()),
            title: format!("{path} is written as the other module format than Node loads it as ({kind})"),
            evidence,
            platform_message: Some(said.to_string()),
            explanation: "Node decides per file whether it is an ES module or CommonJS (.mjs, .cjs, or package.json's \
                          \"type\" for .js); syntax of the other format fails when the runtime loads the handler."
                .into(),
            fix,
        });
    }
    out
}

/// The handler target's file as read, when it is in the package and was read.
fn source_of<'s>(target: &Target, sources: &'s [(String, String)]) -> Option<&'s (String, String)> {
    sources.iter().find(|(p, _)| target.alternatives.contains(p))
}

/// The language a file is in, by its extension.
fn language_of(path: &str) -> Option<Language> {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("py") => Some(Language::Python),
        Some("js" | "mjs" | "cjs") => Some(Language::Node),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    ctx: &Ctx<'_>,
    target: &Target,
    path: &str,
    module: &str,
    function: &str,
    lookup: Lookup,
    whole: bool,
    text: &str,
) -> Option<Finding> {
    let (severity, mut evidence) = match (&lookup, whole) {
        (Lookup::Found | Lookup::Undecidable, _) => return None,
        (Lookup::Absent, true) => (Severity::Error, vec![format!("{path} never mentions {function}")]),
        (Lookup::Absent, false) => (
            Severity::Warning,
            vec![format!("{function} does not occur in the first {} KiB of {path}, which is longer", text.len() >> 10)],
        ),
        (Lookup::NotExported(line, code), _) => (
            Severity::Warning,
            vec![
                format!("{path}:{line}: {code}"),
                format!("{function} occurs there, but not as a top-level definition or export"),
            ],
        ),
    };
    let defined = defined_names(text, language_of(path));
    if !defined.is_empty() {
        evidence.push(format!("{path} defines: {}", defined.join(", ")));
    }
    let handler = target.command.as_str();
    let said = handler_says(ctx.profile, HandlerProblem::FunctionMissing { module, function, handler });
    let suggestion = defined.iter().find(|d| d.eq_ignore_ascii_case(function) || d.contains("handler")).cloned();
    // Cloud Functions' entry point is the function's name alone.
    let setting = |name: &str| match ctx.profile.fixed_file() {
        Some(_) => format!("the entry point to {name}"),
        None => format!("the handler to {module}.{name}"),
    };
    let fix = match suggestion {
        Some(name) => format!("Set {}, or rename the function in {path} to {function}.", setting(&name)),
        None => format!("Define (and export) {function} in {path}, or set {}.", setting("<the function's name>")),
    };
    Some(Finding {
        id: ids::HANDLER_MISNAMED,
        severity,
        path: Some(path.to_string()),
        title: match (lookup, ctx.profile.language()) {
            (Lookup::NotExported(..), Some(Language::Node)) => format!("{path} does not export {function}"),
            (Lookup::NotExported(..), _) => format!("{path} does not define {function} at the top level"),
            _ => format!("{path} has no function {function} (the handler is {handler})"),
        },
        evidence,
        platform_message: (!said.is_empty()).then_some(said),
        explanation: format!(
            "The runtime imports {path} and looks up {function} in it (from the handler {handler}); a function that \
             is not defined at the top level, or not exported, is not found and every invocation fails."
        ),
        fix,
    })
}

/// Whether `word` occurs in `line` as a whole identifier.
fn has_word(line: &str, word: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

/// Python: a top-level `def`/`async def`/`class`, assignment, or import binding the name.
fn python_lookup(text: &str, function: &str) -> Lookup {
    let mut first_mention = None;
    // Inside a parenthesised top-level `from x import (` list, as black formats long imports.
    let mut in_import_list = false;
    for (n, line) in text.lines().enumerate() {
        if in_import_list {
            if has_word(line, function) {
                return Lookup::Found;
            }
            in_import_list = !line.contains(')');
            continue;
        }
        if line.starts_with("from ") && line.contains("import (") && !line.contains(')') {
            in_import_list = true;
        }
        if !has_word(line, function) {
            if line.starts_with("from ") && line.trim_end().ends_with("import *") {
                return Lookup::Undecidable;
            }
            continue;
        }
        let top_level = !line.starts_with([' ', '\t']);
        let rest = line.trim_start_matches("async ");
        let defines = rest.strip_prefix("def ").or_else(|| rest.strip_prefix("class ")).is_some_and(|r| {
            r.trim_start().starts_with(function)
                && !r.trim_start()[function.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        });
        let assigns = line.starts_with(function)
            && line[function.len()..].trim_start().starts_with(['=', ':'])
            && !line[function.len()..].trim_start().starts_with("==");
        let imports = (line.starts_with("from ") || line.starts_with("import ")) && line.contains("import");
        if top_level && (defines || assigns || imports) {
            return Lookup::Found;
        }
        first_mention.get_or_insert((n + 1, line.trim().chars().take(120).collect::<String>()));
    }
    match first_mention {
        Some((n, code)) => Lookup::NotExported(n, code),
        None => Lookup::Absent,
    }
}

/// Node: CommonJS `exports.x =`, `module.exports = { x }`, `Object.defineProperty(exports, "x"`,
/// ES `export function x`, `export const x`, `export { y as x }`, and bundlers' `__export(t, { x: … })`.
fn node_lookup(text: &str, function: &str) -> Lookup {
    const UNFOLLOWABLE: &[&str] =
        &["export * from", "__exportStar(", "Object.assign(module.exports", "Object.assign(exports", "__reExport("];
    if UNFOLLOWABLE.iter().any(|u| text.contains(u)) {
        return Lookup::Undecidable;
    }
    let direct = [
        format!("exports.{function}"),
        format!("exports[\"{function}\"]"),
        format!("exports['{function}']"),
        format!("Object.defineProperty(exports, \"{function}\""),
        format!("Object.defineProperty(exports, '{function}'"),
    ];
    if direct.iter().any(|d| {
        text.match_indices(d.as_str())
            .any(|(i, _)| !text[i + d.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    }) {
        return Lookup::Found;
    }
    for keyword in ["function", "function*", "async function", "const", "let", "var", "class"] {
        let declared = format!("export {keyword} {function}");
        if text.match_indices(declared.as_str()).any(|(i, _)| {
            !text[i + declared.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
        }) {
            return Lookup::Found;
        }
    }
    // Braced lists: `export { a, b as handler }`, `module.exports = { handler }`, `__export(x, { handler: … })`.
    for opener in ["export {", "export{", "module.exports = {", "module.exports={", "__export("] {
        for (i, _) in text.match_indices(opener).take(64) {
            if has_word(braced(&text[i + opener.len()..]), function) {
                return Lookup::Found;
            }
        }
    }
    // The Functions Framework registers by name: `functions.http('helloHttp', …)`.
    for register in ["functions.http(", "functions.cloudEvent("] {
        for quote in ['\'', '"', '`'] {
            if text.contains(&format!("{register}{quote}{function}{quote}")) {
                return Lookup::Found;
            }
        }
    }
    // `module.exports = something` other than an object literal: its properties are not visible here.
    if text.match_indices("module.exports").any(|(i, _)| {
        let rest = text[i + "module.exports".len()..].trim_start();
        rest.starts_with('=') && !rest[1..].trim_start().starts_with('{') && !rest.starts_with("==")
    }) {
        return Lookup::Undecidable;
    }
    match text.lines().enumerate().find(|(_, l)| has_word(l, function)) {
        Some((n, line)) => Lookup::NotExported(n + 1, line.trim().chars().take(120).collect()),
        None => Lookup::Absent,
    }
}

/// The text up to the `}` closing the list that `body` starts inside, within 8 KiB (nested braces
/// — methods, default values — balanced; cut at a character boundary).
fn braced(body: &str) -> &str {
    let mut window = body.len().min(8192);
    while !body.is_char_boundary(window) {
        window -= 1;
    }
    let body = &body[..window];
    let mut depth = 0usize;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return &body[..i],
            '}' => depth -= 1,
            _ => {}
        }
    }
    body
}

/// Top-level functions a module defines (Python `def`, Node exported names), for "did you mean".
fn defined_names(text: &str, language: Option<Language>) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').collect::<String>();
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let name = match language {
            Some(Language::Python) => line.trim_start_matches("async ").strip_prefix("def ").map(ident),
            Some(Language::Node) => line
                .trim_start()
                .strip_prefix("exports.")
                .or_else(|| line.trim_start().strip_prefix("module.exports."))
                .map(ident)
                .or_else(|| {
                    ["export async function ", "export function ", "export const ", "export let "]
                        .iter()
                        .find_map(|p| line.trim_start().strip_prefix(p))
                        .map(ident)
                }),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !n.is_empty() && !names.contains(n)) {
            names.push(name);
        }
        if names.len() == 6 {
            break;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::run;
    use crate::synth::ZipBuilder;

    fn ids(zip: Vec<u8>, platform: &str, handler: &str) -> Vec<(&'static str, Severity)> {
        run(zip, platform, handler)
            .findings
            .iter()
            .filter(|f| f.id == "handler-misnamed" || f.id == "entry-missing")
            .map(|f| (f.id, f.severity))
            .collect()
    }

    #[test]
    fn python_handlers_must_be_defined_at_the_top_level() {
        assert_eq!(
            python_lookup("import json\n\ndef lambda_handler(event, context):\n    return 1\n", "lambda_handler"),
            Lookup::Found
        );
        assert_eq!(python_lookup("async def main(e):\n  pass\n", "main"), Lookup::Found);
        assert_eq!(python_lookup("from app import handler\n", "handler"), Lookup::Found);
        assert_eq!(python_lookup("handler = Mangum(app)\n", "handler"), Lookup::Found);
        assert_eq!(python_lookup("def handler_v2(e, c):\n    pass\n", "handler"), Lookup::Absent);
        assert!(matches!(
            python_lookup("class A:\n    def handler(self):\n        pass\n", "handler"),
            Lookup::NotExported(2, _)
        ));
        assert_eq!(python_lookup("from .impl import *\n", "handler"), Lookup::Undecidable);
        assert_eq!(python_lookup("from app.main import (\n    helper,\n    handler,\n)\n", "handler"), Lookup::Found);
    }

    #[test]
    fn node_handlers_must_be_exported() {
        for code in [
            "exports.handler = async (event) => ({ statusCode: 200 });",
            "module.exports.handler = serverless(app);",
            "export const handler = async () => {};",
            "export async function handler(event) {}",
            "const handler = () => 1;\nmodule.exports = {\n  handler,\n};",
            "async function main() {}\nexport { main as handler };",
            "Object.defineProperty(exports, \"handler\", { enumerable: true, get: function () { return h; } });",
            "__export(src_exports, {\n  handler: () => handler\n});",
            "module.exports = {\n  helper() { return 1; },\n  handler,\n};",
            "functions.http('handler', (req, res) => res.send('ok'));",
        ] {
            assert_eq!(node_lookup(code, "handler"), Lookup::Found, "{code}");
        }
        assert!(matches!(
            node_lookup("const handler = async () => {};\nexport default handler;", "handler"),
            Lookup::NotExported(1, _)
        ));
        assert_eq!(node_lookup("exports.main = () => 1;", "handler"), Lookup::Absent);
        assert_eq!(node_lookup("module.exports = require('./dist/app');", "handler"), Lookup::Undecidable);
        assert_eq!(node_lookup("export * from './impl.js';", "handler"), Lookup::Undecidable);
        assert_eq!(node_lookup("exports.handlerV2 = 1;", "handler"), Lookup::Absent);
        // No closing brace within the window, multi-byte text at its edge: no panic.
        let long = format!("export {{ {}", "函数".repeat(5000));
        assert_eq!(node_lookup(&long, "handler"), Lookup::Absent);
    }

    #[test]
    fn a_lambda_python_package_without_its_handler_function_fails() {
        let zip = ZipBuilder::new()
            .unix_file("lambda_function.py", 0o644, b"def handler(event, context):\n    return 1\n")
            .finish();
        let report = run(zip.clone(), "aws-lambda-python3.12", "");
        let f = report.findings.iter().find(|f| f.id == "handler-misnamed").expect("handler-misnamed");
        assert_eq!(f.severity, Severity::Error);
        assert!(f
            .platform_message
            .as_deref()
            .unwrap()
            .contains("Handler 'lambda_handler' missing on module 'lambda_function'"));
        assert!(f.fix.contains("lambda_function.handler"), "{}", f.fix);
        // The same package with the handler it defines is clean of both ids.
        assert_eq!(ids(zip, "aws-lambda-python3.12", "lambda_function.handler"), []);
    }

    #[test]
    fn node_loads_each_file_as_its_extension_and_type_say() {
        let esm = b"import { S3Client } from '@aws-sdk/client-s3';\nexport const handler = async () => ({});\n";
        let format = |files: &[(&str, &[u8])], platform: &str| {
            let mut zip = ZipBuilder::new();
            for (path, bytes) in files {
                zip = zip.unix_file(path, 0o644, bytes);
            }
            run(zip.finish(), platform, "").findings.iter().find(|f| f.id == "esm-cjs-mismatch").map(|f| f.severity)
        };
        // ESM in index.js with no "type": Node 18 fails, Node 20 retries it as ESM.
        assert_eq!(format(&[("index.js", esm)], "aws-lambda-nodejs18.x"), Some(Severity::Error));
        assert_eq!(format(&[("index.js", esm)], "aws-lambda-nodejs20.x"), Some(Severity::Warning));
        // Declared, or named .mjs: fine.
        assert_eq!(
            format(&[("index.js", esm), ("package.json", b"{\"type\": \"module\"}")], "aws-lambda-nodejs18.x"),
            None
        );
        assert_eq!(format(&[("index.mjs", esm)], "aws-lambda-nodejs18.x"), None);
        // CommonJS in an ES module.
        let cjs: &[u8] = b"const AWS = require('aws-sdk');\nexports.handler = async () => ({});\n";
        assert_eq!(format(&[("index.mjs", cjs)], "aws-lambda-nodejs20.x"), Some(Severity::Error));
        assert_eq!(format(&[("index.js", cjs)], "aws-lambda-nodejs20.x"), None);
        // A dynamic import() and comments are not statements.
        let dynamic: &[u8] =
            b"// import x from 'y'\nexports.handler = async () => (await import('./esm.mjs')).run();\n";
        assert_eq!(format(&[("index.js", dynamic)], "aws-lambda-nodejs18.x"), None);
        // An ES module that creates its own require may call it.
        let own_require: &[u8] = b"import { createRequire } from 'module';\nconst require = createRequire(import.meta.url);\nconst x = require('x');\nexport const handler = async () => x;\n";
        assert_eq!(format(&[("index.mjs", own_require)], "aws-lambda-nodejs20.x"), None);
        // A package.json nearer the file than the root decides it: not read, so no verdict.
        let mut zip = ZipBuilder::new();
        for (p, b) in [("dist/index.js", esm.as_slice()), ("dist/package.json", b"{\"type\":\"module\"}".as_slice())] {
            zip = zip.unix_file(p, 0o644, b);
        }
        let i = run(zip.finish(), "aws-lambda-nodejs18.x", "dist/index.handler");
        assert!(!i.findings.iter().any(|f| f.id == "esm-cjs-mismatch"), "{:?}", i.findings);
    }

    #[test]
    fn a_custom_runtime_s_handler_is_free_form() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/sh\nexec python3 index.py\n")
            .unix_file("index.py", 0o644, b"def main_handler(event, context):\n    return 1\n")
            .finish();
        assert_eq!(ids(zip, "aws-lambda-al2023", "index.handler"), []);
    }

    #[test]
    fn a_lambda_node_package_is_checked_for_its_file_and_export() {
        let good =
            ZipBuilder::new().unix_file("index.mjs", 0o644, b"export const handler = async () => ({});\n").finish();
        assert_eq!(ids(good, "aws-lambda-nodejs20.x", ""), []);
        let wrong_file =
            ZipBuilder::new().unix_file("app.js", 0o644, b"exports.handler = async () => ({});\n").finish();
        assert_eq!(ids(wrong_file, "aws-lambda-nodejs20.x", ""), [("entry-missing", Severity::Error)]);
        let unexported = ZipBuilder::new()
            .unix_file("index.js", 0o644, b"const handler = async () => ({});\nexport default handler;\n")
            .finish();
        assert_eq!(ids(unexported, "aws-lambda-nodejs20.x", ""), [("handler-misnamed", Severity::Warning)]);
        let nested =
            ZipBuilder::new().unix_file("dist/index.js", 0o644, b"exports.handler = async () => ({});\n").finish();
        assert_eq!(ids(nested, "aws-lambda-nodejs20.x", "dist/index.handler"), []);
    }
}
