//! Declared dependencies that were not installed into the package. Id: `dependencies-missing`.
//!
//! Custom runtimes install nothing: `node_modules`, site-packages, `vendor/` must be uploaded. A
//! dependency counts as installed when its package directory or `*.dist-info` is anywhere in the
//! package. A missing one that the entry's code imports is an error (the import fails at start-up);
//! one nothing visibly imports is a warning (bundlers inline dependencies legitimately).

use std::collections::BTreeMap;

use super::{Ctx, Finding, Severity};
use crate::ids;

/// Dependencies named at most in one finding.
const NAMED: usize = 12;

/// `Flask_Login` / `flask-login` / `flask.login` → `flask_login` (PEP 503 normalisation, with `_`).
fn normalize_python(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['-', '.'], "_")
}

/// Package names from a requirements.txt (options, includes, URLs and comments skipped).
pub(crate) fn requirements(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('-') && !l.contains("://"))
        .filter_map(|l| {
            let name: String =
                l.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// Dependency names from pyproject.toml's `[project] dependencies = [...]` (PEP 621).
pub(crate) fn pyproject_dependencies(text: &str) -> Vec<String> {
    let mut in_project = false;
    let mut collecting = false;
    let mut names = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') && !collecting {
            in_project = line == "[project]";
            continue;
        }
        if in_project && line.starts_with("dependencies") && line.contains('[') {
            collecting = true;
        }
        if collecting {
            for quoted in line.split(['"', '\'']).skip(1).step_by(2) {
                names.extend(requirements(quoted));
            }
            if line.contains(']') {
                collecting = false;
            }
        }
    }
    names
}

/// Gem names from a Gemfile's `gem "name"` lines.
pub(crate) fn gemfile_gems(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("gem "))
        .filter_map(|rest| rest.split(['"', '\'']).nth(1).map(str::to_string))
        .collect()
}

/// Dependency names from package.json's `dependencies`.
pub(crate) fn npm_dependencies(json: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("dependencies").and_then(|d| d.as_object()).map(|d| d.keys().cloned().collect()))
        .unwrap_or_default()
}

/// composer.json `require` entries that are packages (not `php` or `ext-*`).
pub(crate) fn composer_requires(json: &str) -> Vec<String> {
    serde_json::from_str::<serde_json::Value>(json)
        .ok()
        .and_then(|v| v.get("require").and_then(|d| d.as_object()).map(|d| d.keys().cloned().collect::<Vec<_>>()))
        .unwrap_or_default()
        .into_iter()
        .filter(|k| k != "php" && !k.starts_with("ext-") && k.contains('/'))
        .collect()
}

/// The manifest files Bootdoctor reads, by the ecosystem they belong to.
#[derive(Debug, Default)]
pub(crate) struct Manifests {
    /// (path, text) of `requirements.txt` files at the root or next to the entry.
    pub python: Vec<(String, String)>,
    /// (path, text) of the root `package.json`.
    pub node: Vec<(String, String)>,
    /// (path, text) of the root `composer.json`.
    pub php: Vec<(String, String)>,
    /// (path, text) of the root `pyproject.toml`.
    pub pyproject: Vec<(String, String)>,
    /// (path, text) of the root `Gemfile`.
    pub ruby: Vec<(String, String)>,
}

/// Lines of the entry's code that import `module` (Python `import x` / `from x`, JS `require('x')` / `from 'x'`).
pub(crate) fn import_line<'a>(
    sources: &'a [(String, String)],
    module: &str,
    python: bool,
) -> Option<(&'a str, usize, &'a str)> {
    for (path, text) in sources {
        for (n, line) in text.lines().enumerate() {
            let l = line.trim();
            let hit = if python {
                let m = module.to_ascii_lowercase();
                let lower = l.to_ascii_lowercase();
                lower.starts_with(&format!("import {m}"))
                    && lower[7 + m.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric() && c != '_')
                    || lower.starts_with(&format!("from {m} "))
                    || lower.starts_with(&format!("from {m}."))
            } else {
                l.contains(&format!("require('{module}')"))
                    || l.contains(&format!("require(\"{module}\")"))
                    || l.contains(&format!("from '{module}'"))
                    || l.contains(&format!("from \"{module}\""))
            };
            if hit {
                return Some((path.as_str(), n + 1, l));
            }
        }
    }
    None
}

/// The findings for declared-but-absent dependencies.
pub(crate) fn check_dependencies(ctx: &Ctx<'_>, manifests: &Manifests, sources: &[(String, String)]) -> Vec<Finding> {
    if ctx.profile.installs_dependencies {
        return Vec::new();
    }
    let mut out = Vec::new();
    // What is installed: Python distributions and top-level modules, npm package directories.
    let mut python_installed: Vec<String> = Vec::new();
    let mut npm_installed: Vec<String> = Vec::new();
    let mut has_vendor = false;
    let (want_python, want_node) =
        (!manifests.python.is_empty() || !manifests.pyproject.is_empty(), !manifests.node.is_empty());
    let mut has_bundle = false;
    for e in ctx.entries {
        let path = e.path();
        if want_python {
            if let Some(dist) = path.split('/').find(|c| c.ends_with(".dist-info") || c.ends_with(".egg-info")) {
                let name = dist.split('-').next().unwrap_or(dist);
                python_installed.push(normalize_python(name));
            }
            // Modules and package directories, at any depth (site-packages, python/, vendor/).
            python_installed.extend(path.split('/').map(|part| normalize_python(part.trim_end_matches(".py"))));
        }
        if want_node {
            if let Some(dir) = super::addons::npm_package_dir(path) {
                npm_installed.push(dir.rsplit("node_modules/").next().unwrap_or("").to_string());
            }
        }
        has_vendor |= path.starts_with("vendor/autoload.php");
        has_bundle |= path.starts_with("vendor/bundle/") || path.starts_with(".bundle/");
    }
    python_installed.sort();
    python_installed.dedup();
    npm_installed.sort();
    npm_installed.dedup();

    // What the managed runtime ships (boto3 on Lambda, FC's SDKs) is there without the package.
    let preinstalled = ctx.profile.runtime.map_or(&[][..], |r| r.preinstalled);
    let provided = |name: &str| {
        preinstalled.iter().any(|p| match p.strip_suffix('/') {
            Some(scope) => name.starts_with(scope) && name[scope.len()..].starts_with('/'),
            None => normalize_python(p) == normalize_python(name),
        })
    };
    let mut report = |manifest: &str, ecosystem: &str, missing: Vec<String>, python: bool, fix: &str| {
        let missing: Vec<String> = missing.into_iter().filter(|m| !provided(m)).collect();
        if missing.is_empty() {
            return;
        }
        let imported: BTreeMap<&String, (&str, usize, &str)> =
            missing.iter().filter_map(|m| import_line(sources, m, python).map(|hit| (m, hit))).collect();
        let severity = if imported.is_empty() { Severity::Warning } else { Severity::Error };
        let mut evidence = vec![format!(
            "{manifest} lists {} not installed in the package: {}{}",
            missing.len(),
            missing.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", "),
            if missing.len() > NAMED { ", …" } else { "" }
        )];
        evidence.extend(imported.iter().take(3).map(|(m, (p, n, l))| format!("{p}:{n}: {l}   (imports {m})")));
        let example = imported.keys().next().map(|m| m.as_str()).unwrap_or(missing[0].as_str());
        let message = if python {
            format!("ModuleNotFoundError: No module named '{example}'")
        } else {
            format!("Error: Cannot find module '{example}'")
        };
        out.push(Finding {
            id: ids::DEPENDENCIES_MISSING,
            severity,
            path: Some(manifest.to_string()),
            title: format!("{ecosystem} dependencies from {manifest} are not in the package"),
            evidence,
            platform_message: Some(message),
            explanation: if imported.is_empty() {
                "The platform installs nothing from the manifest. Nothing in the entry's code visibly imports these, so this \
                 is fine if you bundle them (esbuild, webpack, PyInstaller); otherwise the import fails at start-up."
                    .into()
            } else {
                "The platform installs nothing from the manifest, and the entry's code imports these: the import fails at \
                 start-up."
                    .into()
            },
            fix: fix.to_string(),
        });
    };

    for (path, text) in &manifests.python {
        let missing: Vec<String> =
            requirements(text).into_iter().filter(|r| !python_installed.contains(&normalize_python(r))).collect();
        report(
            path,
            "Python",
            missing,
            true,
            "pip install -r requirements.txt -t .   # into the package root, on Linux for the runtime's Python and CPU\n\
             # cross-platform: pip install --platform manylinux2014_x86_64 --only-binary=:all: -t . -r requirements.txt",
        );
    }
    for (path, text) in &manifests.pyproject {
        let missing: Vec<String> = pyproject_dependencies(text)
            .into_iter()
            .filter(|r| !python_installed.contains(&normalize_python(r)))
            .collect();
        report(
            path,
            "Python",
            missing,
            true,
            "pip install . -t .   # or: pip install -t . <dependencies>, on Linux for the runtime",
        );
    }
    for (path, text) in &manifests.ruby {
        let gems = gemfile_gems(text);
        if !gems.is_empty() && !has_bundle {
            report(
                path,
                "Ruby",
                gems,
                false,
                "bundle config set --local path vendor/bundle && bundle install   # then zip with vendor/bundle",
            );
        }
    }
    for (path, text) in &manifests.node {
        let missing: Vec<String> = npm_dependencies(text).into_iter().filter(|d| !npm_installed.contains(d)).collect();
        report(
            path,
            "npm",
            missing,
            false,
            "npm ci --omit=dev   # then zip with node_modules (on Linux for native modules)",
        );
    }
    for (path, text) in &manifests.php {
        let requires = composer_requires(text);
        if !requires.is_empty() && !has_vendor {
            report(
                path,
                "Composer",
                requires,
                false,
                "composer install --no-dev --optimize-autoloader   # then zip with vendor/",
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::test_support::{errors, ids, run};
    use crate::synth::ZipBuilder;

    #[test]
    fn what_a_managed_runtime_ships_is_not_missing() {
        let zip = ZipBuilder::new()
            .unix_file(
                "lambda_function.py",
                0o644,
                b"import boto3\nimport requests\ndef lambda_handler(e, c):\n    pass\n",
            )
            .unix_file("requirements.txt", 0o644, b"boto3==1.34\nrequests\n")
            .finish();
        let i = run(zip, "aws-lambda-python3.12", "");
        let f = i.findings.iter().find(|f| f.id == "dependencies-missing").expect("requests is missing");
        assert!(f.evidence[0].contains("requests") && !f.evidence[0].contains("boto3"), "{:?}", f.evidence);
        assert_eq!(f.severity, Severity::Error);
    }

    #[test]
    fn parsers() {
        assert_eq!(
            requirements("flask==2.0 # web\n-r base.txt\nPyYAML>=6\nuvicorn[standard]\ngit+https://x/y\n"),
            ["flask", "PyYAML", "uvicorn"]
        );
        assert_eq!(
            npm_dependencies(r#"{"dependencies":{"express":"^4","@img/sharp":"1"},"devDependencies":{"jest":"1"}}"#),
            ["@img/sharp", "express"]
        );
        assert_eq!(composer_requires(r#"{"require":{"php":">=8","ext-json":"*","slim/slim":"4"}}"#), ["slim/slim"]);
        let pyproject = "[build-system]\nrequires = [\"setuptools\"]\n[project]\nname = \"app\"\ndependencies = [\n  \"fastapi>=0.100\",\n  \"uvicorn[standard]\",\n]\n";
        assert_eq!(pyproject_dependencies(pyproject), ["fastapi", "uvicorn"]);
        assert_eq!(
            gemfile_gems("source 'https://rubygems.org'\ngem 'sinatra', '~> 3'\ngem \"puma\"\n"),
            ["sinatra", "puma"]
        );
    }

    fn py(extra: ZipBuilder) -> Vec<u8> {
        extra
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec python3 app.py\n")
            .unix_file("requirements.txt", 0o644, b"flask==3.0\nPyYAML\n")
            .unix_file(
                "app.py",
                0o644,
                b"import yaml\nfrom flask import Flask\napp = Flask(__name__)\napp.run(host='0.0.0.0', port=9000)\n",
            )
            .finish()
    }

    #[test]
    fn python_requirements_imported_but_absent_fire() {
        let i = run(py(ZipBuilder::new()), "aliyun-fc", "");
        assert_eq!(errors(&i), ["dependencies-missing"]);
        assert!(
            i.findings[0].evidence.iter().any(|e| e.contains("app.py:2: from flask import Flask")),
            "{:?}",
            i.findings[0].evidence
        );
        let installed = ZipBuilder::new()
            .unix_file("flask/__init__.py", 0o644, b"")
            .unix_file("Flask-3.0.0.dist-info/METADATA", 0o644, b"")
            .unix_file("PyYAML-6.0.dist-info/METADATA", 0o644, b"")
            .unix_file("yaml/__init__.py", 0o644, b"");
        assert!(ids(&run(py(installed), "aliyun-fc", "")).is_empty());
        // Package directories alone (vendored without metadata) count too.
        let dirs_only = ZipBuilder::new().unix_file("flask/__init__.py", 0o644, b"").unix_file(
            "python/PyYAML-6.0.dist-info/METADATA",
            0o644,
            b"",
        );
        let i = run(py(dirs_only), "aliyun-fc", "");
        assert!(ids(&i).is_empty(), "{:?}", i.findings);
    }

    #[test]
    fn npm_dependencies_and_bundles() {
        let zip = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec node index.js\n")
            .unix_file("package.json", 0o644, br#"{"dependencies":{"express":"^4","lodash":"^4"}}"#)
            .unix_file("index.js", 0o644, b"const express = require('express');\nexpress().listen(9000, '0.0.0.0');\n")
            .finish();
        let i = run(zip, "aliyun-fc", "");
        assert_eq!(errors(&i), ["dependencies-missing"]);
        // A bundle that imports nothing from node_modules: a warning only.
        let bundled = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec node dist/server.js\n")
            .unix_file("package.json", 0o644, br#"{"dependencies":{"express":"^4"}}"#)
            .unix_file("dist/server.js", 0o644, b"/* bundled */ server.listen(9000, '0.0.0.0');\n")
            .finish();
        let i = run(bundled, "aliyun-fc", "");
        assert_eq!(ids(&i), ["dependencies-missing"]);
        assert!(errors(&i).is_empty());
        // Installed: nothing to say; Cloud Run installs dependencies itself.
        let installed = ZipBuilder::new()
            .unix_file("bootstrap", 0o755, b"#!/bin/bash\nexec node index.js\n")
            .unix_file("package.json", 0o644, br#"{"dependencies":{"express":"^4"}}"#)
            .unix_file("node_modules/express/package.json", 0o644, b"{}")
            .unix_file("index.js", 0o644, b"require('express')().listen(9000, '0.0.0.0')\n")
            .finish();
        assert!(ids(&run(installed, "aliyun-fc", "")).is_empty());
        let source_only = ZipBuilder::new()
            .unix_file("package.json", 0o644, br#"{"dependencies":{"express":"^4"}}"#)
            .unix_file("index.js", 0o644, b"require('express')().listen(process.env.PORT)\n")
            .finish();
        assert!(ids(&run(source_only, "gcp-cloud-run", "node index.js")).is_empty());
    }
}
