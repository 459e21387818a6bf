//! Java handlers (`example.Hello::handleRequest`, or `example.Hello` for a `RequestHandler`): the
//! Lambda Java runtime loads the class from its classpath — the package root (`/var/task`) and the
//! jars in `lib/` — and calls the public method the handler names. So the class must be at
//! `example/Hello.class` in one of those, compiled for a class-file version the runtime reads
//! (65 for Java 21), with the method declared.
//!
//! Evidence comes from the package's directory, the jars' directories (jars up to `JAR_BYTES`,
//! at most `MAX_JARS_SEARCHED`) and the handler class's own bytes: its version and the methods it
//! declares. A method it does not declare may be inherited from a superclass that is not read: then
//! only a warning.

use std::io::Cursor;

use super::messages::{handler_says, HandlerProblem};
use super::{Ctx, Finding, Severity};
use crate::archive::{Entry, EntryType, Package, PackageRead};
use crate::entry::StartSpec;
use crate::ids;
use crate::profiles::{EntryConvention, Language, Profile};

/// The largest handler class read, in bytes.
const MAX_CLASS_BYTES: usize = 1 << 20;

/// Most jars whose directories are searched for the handler class.
pub const MAX_JARS_SEARCHED: usize = 64;

/// The method Lambda calls when the handler names only a class (`RequestHandler.handleRequest`).
const DEFAULT_METHOD: &str = "handleRequest";

/// A Java handler setting, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JavaHandler {
    /// As given (`example.Hello::handleRequest`).
    pub setting: String,
    /// The binary class name (`example.Hello`).
    pub class: String,
    /// The class file's path in a jar or the package (`example/Hello.class`).
    pub class_path: String,
    /// The method the runtime calls.
    pub method: String,
}

/// Reads `package.Class::method` or `package.Class`; `None` when it is not a class name.
pub(crate) fn parse_java_handler(setting: &str) -> Option<JavaHandler> {
    let setting = setting.trim();
    let (class, method) = match setting.split_once("::") {
        Some((class, method)) => (class, method),
        None => (setting, DEFAULT_METHOD),
    };
    let identifier = |part: &str| {
        part.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
            && part.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    if !class.split('.').all(identifier) || !identifier(method) {
        return None;
    }
    Some(JavaHandler {
        setting: setting.to_string(),
        class: class.to_string(),
        class_path: format!("{}.class", class.replace('.', "/")),
        method: method.to_string(),
    })
}

/// The Java handler a managed Java profile runs: the one given, or the console's default.
pub(crate) fn handler_for(profile: &Profile, spec: &StartSpec) -> Option<JavaHandler> {
    if profile.language() != Some(Language::Java) {
        return None;
    }
    let given = crate::entry::given_handler(profile, spec);
    let default = match profile.entry {
        EntryConvention::Handler { default_handler, .. } => default_handler,
        _ => None,
    };
    parse_java_handler(given.or(default)?)
}

/// Where the handler class was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ClassPlace {
    /// At its path in the package root: on the classpath.
    Root,
    /// In a jar directly under `lib/`: on the classpath.
    LibJar(String),
    /// Somewhere the runtime does not look: under a folder (`build/classes/…/example/Hello.class`),
    /// in a jar outside `lib/`, or in a Spring Boot jar's `BOOT-INF/classes/`.
    OffClasspath(String),
}

/// What the package says about the handler class.
#[derive(Debug, Clone)]
pub(crate) struct JavaEvidence {
    /// The handler.
    pub handler: JavaHandler,
    /// Where the class is, with its first bytes, once found.
    pub found: Option<(ClassPlace, Vec<u8>)>,
    /// Jars not searched (too large, or past the budget), which might hold it.
    pub unread_jars: Vec<String>,
}

/// Whether a jar at `path` is on the Lambda classpath (`lib/x.jar`, not `lib/sub/x.jar`).
fn on_classpath(path: &str) -> bool {
    path.strip_prefix("lib/").is_some_and(|rest| !rest.contains('/'))
}

impl JavaEvidence {
    /// Looks for the class in the package itself: at the root, else under a folder.
    pub(crate) fn search_package<R: PackageRead>(
        handler: JavaHandler,
        package: &mut Package<R>,
        entries: &[Entry],
    ) -> JavaEvidence {
        let mut evidence = JavaEvidence { handler, found: None, unread_jars: Vec::new() };
        let nested_suffix = format!("/{}", evidence.handler.class_path);
        let at_root = entries.iter().find(|e| e.path() == evidence.handler.class_path);
        let nested = || entries.iter().find(|e| e.path().ends_with(&nested_suffix));
        if let Some(e) = at_root.or_else(nested).filter(|e| e.entry_type == EntryType::File) {
            let place = if e.path() == evidence.handler.class_path {
                ClassPlace::Root
            } else {
                ClassPlace::OffClasspath(e.path().to_string())
            };
            let bytes = package.read_prefix(e.index, MAX_CLASS_BYTES).unwrap_or_default();
            evidence.found = Some((place, bytes));
        }
        evidence
    }

    /// Whether a jar is still worth opening: the class is not found on the classpath yet.
    pub(crate) fn wants_jars(&self) -> bool {
        !matches!(self.found, Some((ClassPlace::Root | ClassPlace::LibJar(_), _)))
    }

    /// Looks for the class in one opened jar (`jar_path` in the package).
    pub(crate) fn search_jar(&mut self, jar_path: &str, jar: &mut Package<Cursor<Vec<u8>>>) {
        if !self.wants_jars() {
            return;
        }
        let class_path = self.handler.class_path.clone();
        let boot = format!("BOOT-INF/classes/{class_path}");
        let Some((index, inner)) = jar
            .entries()
            .iter()
            .find(|e| e.path() == class_path || e.path() == boot)
            .map(|e| (e.index, e.path().to_string()))
        else {
            return;
        };
        let place = if on_classpath(jar_path) && inner == class_path {
            ClassPlace::LibJar(jar_path.to_string())
        } else {
            ClassPlace::OffClasspath(format!("{jar_path}!/{inner}"))
        };
        // One found on the classpath wins over one found off it.
        if matches!(place, ClassPlace::OffClasspath(_)) && self.found.is_some() {
            return;
        }
        let bytes = jar.read_prefix(index, MAX_CLASS_BYTES).unwrap_or_default();
        self.found = Some((place, bytes));
    }
}

/// The jars to search, those on the classpath first.
pub(crate) fn jars_in_search_order(entries: &[Entry]) -> Vec<&Entry> {
    let mut jars: Vec<&Entry> =
        entries.iter().filter(|e| e.entry_type == EntryType::File && e.path().ends_with(".jar")).collect();
    jars.sort_by_key(|e| (!on_classpath(e.path()), e.index));
    jars
}

/// What a class file says: its version, superclass and declared methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClassInfo {
    /// Class-file major version (65 = Java 21).
    pub major: u16,
    /// The superclass's internal name (`java/lang/Object`).
    pub super_class: Option<String>,
    /// Names of the methods it declares.
    pub methods: Vec<String>,
}

/// Reads a class file's header, constant pool and method table; `None` when it is not a whole
/// class file (truncated, or not one at all).
pub(crate) fn class_info(bytes: &[u8]) -> Option<ClassInfo> {
    let mut r = Reader { bytes, at: 0 };
    if r.u32()? != 0xCAFE_BABE {
        return None;
    }
    let _minor = r.u16()?;
    let major = r.u16()?;
    let count = r.u16()? as usize;
    // Index → UTF-8 text, and index → the UTF-8 index a Class entry names.
    let mut utf8: Vec<Option<String>> = vec![None; count];
    let mut class_names: Vec<Option<usize>> = vec![None; count];
    let mut i = 1;
    while i < count {
        let tag = r.u8()?;
        match tag {
            1 => {
                let len = r.u16()? as usize;
                utf8[i] = Some(String::from_utf8_lossy(r.take(len)?).into_owned());
            }
            7 => class_names[i] = Some(r.u16()? as usize),
            8 | 16 | 19 | 20 => r.skip(2)?,
            15 => r.skip(3)?,
            3 | 4 | 9 | 10 | 11 | 12 | 17 | 18 => r.skip(4)?,
            5 | 6 => {
                r.skip(8)?;
                i += 1; // longs and doubles take two slots
            }
            _ => return None,
        }
        i += 1;
    }
    let text = |index: usize| utf8.get(index).cloned().flatten();
    let _access = r.u16()?;
    let _this = r.u16()?;
    let super_index = r.u16()? as usize;
    let super_class = class_names.get(super_index).copied().flatten().and_then(text);
    let interfaces = r.u16()? as usize;
    r.skip(interfaces * 2)?;
    skip_members(&mut r)?; // fields
    let method_count = r.u16()?;
    let mut methods = Vec::new();
    for _ in 0..method_count {
        let _access = r.u16()?;
        let name = r.u16()? as usize;
        let _descriptor = r.u16()?;
        skip_attributes(&mut r)?;
        if let Some(name) = text(name) {
            methods.push(name);
        }
    }
    skip_attributes(&mut r)?; // the class's own: a whole file ends with them
    Some(ClassInfo { major, super_class, methods })
}

fn skip_members(r: &mut Reader<'_>) -> Option<()> {
    for _ in 0..r.u16()? {
        r.skip(6)?;
        skip_attributes(r)?;
    }
    Some(())
}

fn skip_attributes(r: &mut Reader<'_>) -> Option<()> {
    for _ in 0..r.u16()? {
        r.skip(2)?;
        let len = r.u32()? as usize;
        r.skip(len)?;
    }
    Some(())
}

/// A big-endian cursor that fails instead of reading past the end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let slice = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(slice)
    }
    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// The Java release a class-file major version belongs to (65 → 21).
fn java_release(major: u16) -> String {
    match major {
        45..=48 => format!("1.{}", major - 44),
        49.. => (major - 44).to_string(),
        _ => format!("class version {major}"),
    }
}

/// The command that puts a class found at `at` on the classpath: a jar moved into `lib/`, or the
/// package zipped from the folder that holds the class's package directories.
fn off_classpath_fix(at: &str, class_path: &str) -> String {
    match at.split_once("!/") {
        Some((_, inner)) if inner.starts_with("BOOT-INF/") => {
            "mvn package -Dspring-boot.repackage.skip=true && zip -r function.zip -j target/*.jar".into()
        }
        Some((jar, _)) => format!("mkdir -p lib && mv {jar} lib/ && zip -r ../function.zip ."),
        None => {
            let folder = at.strip_suffix(class_path).unwrap_or("").trim_end_matches('/');
            let up = "../".repeat(folder.split('/').filter(|p| !p.is_empty()).count());
            format!("cd {folder} && zip -r {up}function.zip .")
        }
    }
}

/// Findings for the Java handler: class missing or off the classpath, compiled for a newer Java,
/// method not declared.
pub(crate) fn check_java_handler(ctx: &Ctx<'_>, evidence: &JavaEvidence) -> Vec<Finding> {
    let Some(runtime) = ctx.profile.runtime.filter(|r| r.language == Language::Java) else { return Vec::new() };
    let h = &evidence.handler;
    let code_dir = ctx.profile.code_dir;
    let classpath = format!("{code_dir}/ and {code_dir}/lib/*.jar");
    let Some((place, bytes)) = &evidence.found else {
        let unsure = !evidence.unread_jars.is_empty();
        let mut facts = vec![
            format!("handler {}: class {} is read from {}", h.setting, h.class, h.class_path),
            format!("no {} at the package root or in any jar searched", h.class_path),
        ];
        if unsure {
            facts.push(format!(
                "{} jar(s) not searched (larger than 32 MiB, or past {MAX_JARS_SEARCHED}): {}",
                evidence.unread_jars.len(),
                evidence.unread_jars.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        return vec![Finding {
            id: ids::ENTRY_MISSING,
            severity: if unsure { Severity::Warning } else { Severity::Error },
            path: Some(h.class_path.clone()),
            title: format!("The handler's class {} is not in the package", h.class),
            evidence: facts,
            platform_message: Some(handler_says(ctx.profile, HandlerProblem::ModuleMissing { module: &h.class })),
            explanation: format!(
                "The Java runtime loads the handler class from its classpath, {classpath}; a class that is in \
                 none of them fails every invocation before your code runs."
            ),
            fix: "mvn package && aws lambda update-function-code --function-name <name> --zip-file fileb://target/<artifact>.jar"
                .into(),
        }];
    };
    let mut out = Vec::new();
    if let ClassPlace::OffClasspath(at) = place {
        out.push(Finding {
            id: ids::ENTRY_NESTED,
            severity: Severity::Error,
            path: Some(at.clone()),
            title: format!("The handler's class {} is at {at}, where the runtime does not look", h.class),
            evidence: vec![
                format!("handler {}: class {} is read from {}", h.setting, h.class, h.class_path),
                format!("found at {at}"),
                format!("the runtime's classpath: {classpath}"),
            ],
            platform_message: Some(handler_says(ctx.profile, HandlerProblem::ModuleMissing { module: &h.class })),
            explanation: "Classes load from the package root or from jars directly in lib/; a class under another \
                          folder, in a jar elsewhere, or in a Spring Boot jar's BOOT-INF/classes is not on the \
                          classpath."
                .into(),
            fix: off_classpath_fix(at, &h.class_path),
        });
    }
    let Some(info) = class_info(bytes) else { return out };
    let place_text = match place {
        ClassPlace::Root => h.class_path.clone(),
        ClassPlace::LibJar(jar) => format!("{jar}!/{}", h.class_path),
        ClassPlace::OffClasspath(at) => at.clone(),
    };
    let newest: u16 = runtime.abi.parse().unwrap_or(u16::MAX);
    if info.major > newest {
        out.push(Finding {
            id: ids::RUNTIME_VERSION_MISMATCH,
            severity: Severity::Error,
            path: Some(place_text.clone()),
            title: format!(
                "{} is compiled for Java {}; the function runs Java {}",
                h.class,
                java_release(info.major),
                runtime.version
            ),
            evidence: vec![
                format!("{place_text}: class-file major version {}", info.major),
                format!("Java {} reads class files up to major version {newest}", runtime.version),
            ],
            platform_message: Some(format!(
                "java.lang.UnsupportedClassVersionError: {} has been compiled by a more recent version of the Java \
                 Runtime (class file version {}.0), this version of the Java Runtime only recognizes class file \
                 versions up to {newest}.0",
                h.class.replace('.', "/"),
                info.major
            )),
            explanation: "A JVM refuses classes compiled for a newer release than its own.".into(),
            fix: format!("mvn clean package -Dmaven.compiler.release={}", runtime.version),
        });
    }
    if !info.methods.contains(&h.method) {
        let inherits = info.super_class.as_deref().is_some_and(|s| s != "java/lang/Object");
        let declared: Vec<&str> = info
            .methods
            .iter()
            .map(String::as_str)
            .filter(|m| !m.starts_with('<') && !m.contains('$'))
            .take(8)
            .collect();
        let mut facts = vec![
            format!(
                "{place_text} declares: {}",
                if declared.is_empty() { "no methods".into() } else { declared.join(", ") }
            ),
            format!("the handler calls {}", h.method),
        ];
        if let Some(parent) = info.super_class.as_deref().filter(|_| inherits) {
            facts.push(format!("it extends {}, which may declare {} (not read)", parent.replace('/', "."), h.method));
        }
        out.push(Finding {
            id: ids::HANDLER_MISNAMED,
            severity: if inherits { Severity::Warning } else { Severity::Error },
            path: Some(place_text),
            title: format!("{} declares no method {}", h.class, h.method),
            evidence: facts,
            platform_message: Some(handler_says(
                ctx.profile,
                HandlerProblem::FunctionMissing { module: &h.class, function: &h.method, handler: &h.setting },
            )),
            explanation: "The runtime calls the public method the handler names after `::` (handleRequest when it \
                          names only the class); a class that does not have it fails every invocation."
                .into(),
            fix: match declared.first() {
                Some(m) => format!(
                    "aws lambda update-function-configuration --function-name <name> --handler {}::{m}",
                    h.class
                ),
                None => format!(
                    "aws lambda update-function-configuration --function-name <name> --handler {}::<method>",
                    h.class
                ),
            },
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A class file as javac lays it out: `class_name` extends `super_name` and declares `methods`.
    pub(crate) fn class_file(major: u16, class_name: &str, super_name: &str, methods: &[&str]) -> Vec<u8> {
        let mut pool: Vec<Vec<u8>> = Vec::new();
        let utf8 = |pool: &mut Vec<Vec<u8>>, s: &str| {
            let mut e = vec![1];
            e.extend((s.len() as u16).to_be_bytes());
            e.extend(s.as_bytes());
            pool.push(e);
            pool.len() as u16
        };
        let this_name = utf8(&mut pool, class_name);
        pool.push([vec![7], this_name.to_be_bytes().to_vec()].concat());
        let this = pool.len() as u16;
        let super_utf8 = utf8(&mut pool, super_name);
        pool.push([vec![7], super_utf8.to_be_bytes().to_vec()].concat());
        let sup = pool.len() as u16;
        pool.push([vec![5], vec![0; 8]].concat()); // a long: two slots
        pool.push(Vec::new());
        let descriptor = utf8(&mut pool, "()V");
        let code = utf8(&mut pool, "Code");
        let names: Vec<u16> = methods.iter().map(|m| utf8(&mut pool, m)).collect();
        let mut out = vec![0xCA, 0xFE, 0xBA, 0xBE, 0, 0];
        out.extend(major.to_be_bytes());
        out.extend((pool.len() as u16 + 1).to_be_bytes());
        for e in &pool {
            out.extend(e);
        }
        out.extend([0, 0x21]);
        out.extend(this.to_be_bytes());
        out.extend(sup.to_be_bytes());
        out.extend([0, 0, 0, 0]); // no interfaces, no fields
        out.extend((names.len() as u16).to_be_bytes());
        for n in names {
            out.extend([0, 1]);
            out.extend(n.to_be_bytes());
            out.extend(descriptor.to_be_bytes());
            out.extend([0, 1]);
            out.extend(code.to_be_bytes());
            out.extend(3u32.to_be_bytes());
            out.extend([0xB1, 0, 0]);
        }
        out.extend([0, 0]);
        out
    }

    #[test]
    fn handlers_name_a_class_and_a_method() {
        let h = parse_java_handler("example.Hello::handleRequest").unwrap();
        assert_eq!((h.class_path.as_str(), h.method.as_str()), ("example/Hello.class", "handleRequest"));
        assert_eq!(parse_java_handler("com.acme.Fn").unwrap().method, "handleRequest");
        assert_eq!(parse_java_handler("a.Outer$Inner::go").unwrap().class_path, "a/Outer$Inner.class");
        for odd in ["", "::x", "a..B::c", "a.B::", "a/B::c", "a.B::c d", "a.B:::c"] {
            assert_eq!(parse_java_handler(odd), None, "{odd}");
        }
    }

    #[test]
    fn class_files_are_read_and_truncation_is_refused() {
        let bytes = class_file(65, "example/Hello", "java/lang/Object", &["<init>", "handleRequest"]);
        let info = class_info(&bytes).unwrap();
        assert_eq!(info.major, 65);
        assert_eq!(info.super_class.as_deref(), Some("java/lang/Object"));
        assert_eq!(info.methods, ["<init>", "handleRequest"]);
        for cut in 0..bytes.len() {
            assert_eq!(class_info(&bytes[..cut]), None, "cut at {cut}");
        }
        assert_eq!(class_info(b"PK\x03\x04"), None);
        assert_eq!(java_release(65), "21");
        assert_eq!(java_release(52), "8");
    }

    use crate::checks::test_support::{errors, ids as finding_ids, run};
    use crate::synth::ZipBuilder;

    fn hello(major: u16, methods: &[&str]) -> Vec<u8> {
        class_file(major, "example/Hello", "java/lang/Object", methods)
    }

    fn jar(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        files.iter().fold(ZipBuilder::new(), |z, (path, bytes)| z.unix_file(path, 0o644, bytes)).finish()
    }

    #[test]
    fn a_class_on_the_classpath_with_its_method_is_clean() {
        let at_root = jar(&[("example/Hello.class", hello(65, &["<init>", "handleRequest"]))]);
        assert_eq!(finding_ids(&run(at_root, "aws-lambda-java21", "")), Vec::<&str>::new());
        let inner = jar(&[("example/Hello.class", hello(61, &["handleRequest"]))]);
        let in_lib = jar(&[("lib/app.jar", inner)]);
        assert_eq!(errors(&run(in_lib, "aws-lambda-java21", "example.Hello::handleRequest")), Vec::<&str>::new());
        // Not a Java runtime: classes are just files.
        let other = jar(&[
            ("example/Hello.class", hello(70, &[])),
            ("bootstrap", b"#!/bin/sh\nexec java -cp . example.Hello\n".to_vec()),
        ]);
        assert!(!finding_ids(&run(other, "aws-lambda-al2023", "")).contains(&"handler-misnamed"));
    }

    #[test]
    fn a_missing_class_fails_with_the_runtime_s_words() {
        let i = run(jar(&[("other/Main.class", hello(65, &["main"]))]), "aws-lambda-java21", "example.Hello");
        assert_eq!(errors(&i), ["entry-missing"]);
        let f = &i.findings[0];
        assert_eq!(
            f.platform_message.as_deref(),
            Some("Class not found: example.Hello: java.lang.ClassNotFoundException")
        );
    }

    #[test]
    fn a_class_off_the_classpath_is_nested() {
        let inner = jar(&[("example/Hello.class", hello(65, &["handleRequest"]))]);
        let i = run(jar(&[("app.jar", inner)]), "aws-lambda-java21", "");
        assert_eq!(errors(&i), ["entry-nested"]);
        assert!(i.findings[0].fix.starts_with("mkdir -p lib && mv app.jar lib/"), "{}", i.findings[0].fix);
        let folder = jar(&[("build/classes/java/main/example/Hello.class", hello(65, &["handleRequest"]))]);
        let i = run(folder, "aws-lambda-java21", "");
        assert_eq!(errors(&i), ["entry-nested"]);
        assert_eq!(i.findings[0].fix, "cd build/classes/java/main && zip -r ../../../../function.zip .");
        let boot =
            jar(&[("lib/app.jar", jar(&[("BOOT-INF/classes/example/Hello.class", hello(65, &["handleRequest"]))]))]);
        assert_eq!(errors(&run(boot, "aws-lambda-java21", "")), ["entry-nested"]);
    }

    #[test]
    fn a_newer_class_version_and_a_missing_method_fail() {
        let i = run(jar(&[("example/Hello.class", hello(66, &["handleRequest"]))]), "aws-lambda-java21", "");
        assert_eq!(errors(&i), ["runtime-version-mismatch"]);
        assert!(i.findings[0].title.contains("Java 22"), "{}", i.findings[0].title);
        let i = run(jar(&[("example/Hello.class", hello(65, &["<init>", "handle"]))]), "aws-lambda-java21", "");
        assert_eq!(errors(&i), ["handler-misnamed"]);
        assert!(i.findings[0].fix.ends_with("--handler example.Hello::handle"), "{}", i.findings[0].fix);
        // A method a superclass may declare is only a warning.
        let child = class_file(65, "example/Hello", "com/acme/BaseHandler", &["<init>"]);
        let i = run(jar(&[("example/Hello.class", child)]), "aws-lambda-java21", "");
        assert_eq!(errors(&i), Vec::<&str>::new());
        assert_eq!(finding_ids(&i), ["handler-misnamed"]);
    }
}
