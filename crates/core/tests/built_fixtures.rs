//! Real fixtures, built on this machine with real toolchains and zippers: gcc, gcc -static,
//! musl-gcc, aarch64-linux-gnu-gcc, Go cross builds for darwin/windows/linux, Info-ZIP, p7zip,
//! Python's zipfile, Go's archive/zip and jar. Each case skips with a printed reason when its tool
//! is missing (scripts/setup installs them on CI machines); nothing built here is committed.

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;

use bootdoctor_core::checks::Severity;
use bootdoctor_core::entry::StartSpec;
use bootdoctor_core::report::{diagnose, Request};

fn have(tool: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().map(|o| o.status.success()).unwrap_or(false)
}

fn skip_unless(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools.iter().copied().filter(|t| !have(t)).collect();
    if !missing.is_empty() {
        println!("SKIPPED: {} not installed (scripts/setup installs it)", missing.join(", "));
    }
    missing.is_empty()
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bootdoctor-built-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) {
    let out = Command::new(program).args(args).current_dir(dir).envs(env.iter().copied()).output().unwrap();
    assert!(out.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Error ids and all ids for a zip on a platform.
fn check(zip: &Path, platform: &str, start: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    let bytes = fs::read(zip).unwrap();
    let request =
        Request { platform: Some(platform.into()), start: StartSpec::from_user_text(start), error_text: None };
    let report = diagnose(Some(("f.zip", Cursor::new(bytes))), &request).unwrap();
    assert!(report.package_error.is_none(), "{:?}", report.package_error);
    let errors = report.findings.iter().filter(|f| f.severity == Severity::Error).map(|f| f.id).collect();
    let all = report.findings.iter().map(|f| f.id).collect();
    (errors, all)
}

const HELLO_C: &str = "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n";
const HELLO_GO: &str = "package main\nimport \"fmt\"\nfunc main(){ fmt.Println(\"hi\") }\n";
const SCRIPT: &str = "#!/bin/bash\nexec ./app\n";

/// Compiles hello.c with `cc` and `flags` into `bootstrap`, zipped with Info-ZIP.
fn c_package(name: &str, cc: &str, flags: &[&str]) -> PathBuf {
    let dir = workdir(name);
    fs::write(dir.join("hello.c"), HELLO_C).unwrap();
    let mut args = vec!["-O2", "-o", "bootstrap", "hello.c"];
    args.extend_from_slice(flags);
    run(&dir, cc, &args, &[]);
    chmod(&dir.join("bootstrap"), 0o755);
    run(&dir, "zip", &["-q", "f.zip", "bootstrap"], &[]);
    dir.join("f.zip")
}

#[test]
fn gcc_dynamic_needs_the_build_hosts_glibc() {
    if !skip_unless(&["gcc", "zip"]) {
        return;
    }
    let zip = c_package("gcc", "gcc", &[]);
    // Built on glibc ≥ 2.34, every program references __libc_start_main@GLIBC_2.34.
    let (errors, _) = check(&zip, "aws-lambda-al2", "");
    assert_eq!(errors, ["glibc-too-new"], "AL2 has glibc 2.26");
    let (errors, all) = check(&zip, "aws-lambda-al2023", "");
    assert!(errors.is_empty(), "AL2023 has glibc 2.34: {all:?}");
    assert!(check(&zip, "aliyun-fc-debian12", "").0.is_empty());
}

#[test]
fn gcc_static_runs_anywhere_on_x86_64() {
    if !skip_unless(&["gcc", "zip"]) {
        return;
    }
    let zip = c_package("gcc-static", "gcc", &["-static"]);
    for platform in ["aws-lambda-al2", "tencent-scf", "aliyun-fc"] {
        let (_, all) = check(&zip, platform, "");
        assert!(all.is_empty(), "{platform}: {all:?}");
    }
    assert_eq!(check(&zip, "aws-lambda-al2023-arm64", "").0, ["binary-wrong-arch"]);
}

#[test]
fn musl_gcc_needs_the_musl_loader() {
    if !skip_unless(&["musl-gcc", "zip"]) {
        return;
    }
    let zip = c_package("musl", "musl-gcc", &[]);
    assert_eq!(check(&zip, "aws-lambda-al2023", "").0, ["elf-interpreter-missing"]);
    let zip = c_package("musl-static", "musl-gcc", &["-static"]);
    assert!(check(&zip, "aws-lambda-al2023", "").1.is_empty(), "static musl needs nothing");
}

#[test]
fn aarch64_cross_build_is_the_wrong_arch_on_x86_64() {
    if !skip_unless(&["aarch64-linux-gnu-gcc", "zip"]) {
        return;
    }
    let zip = c_package("aarch64", "aarch64-linux-gnu-gcc", &[]);
    assert_eq!(check(&zip, "aws-lambda-al2023", "").0, ["binary-wrong-arch"]);
    assert_eq!(check(&zip, "aliyun-fc", "").0, ["binary-wrong-arch"]);
    let (errors, all) = check(&zip, "aws-lambda-al2023-arm64", "");
    assert!(errors.is_empty(), "arm64 AL2023: {all:?}");
}

/// `go build` for a target into `bootstrap`, zipped with Info-ZIP.
fn go_package(name: &str, goos: &str, goarch: &str) -> PathBuf {
    let dir = workdir(name);
    fs::write(dir.join("main.go"), HELLO_GO).unwrap();
    let cache = std::env::temp_dir().join("bootdoctor-go-cache");
    run(
        &dir,
        "go",
        &["build", "-o", "bootstrap", "main.go"],
        &[
            ("GOOS", goos),
            ("GOARCH", goarch),
            ("CGO_ENABLED", "0"),
            ("GOCACHE", cache.to_str().unwrap()),
            ("GOFLAGS", "-mod=mod"),
            ("GO111MODULE", "off"),
        ],
    );
    chmod(&dir.join("bootstrap"), 0o755);
    run(&dir, "zip", &["-q", "f.zip", "bootstrap"], &[]);
    dir.join("f.zip")
}

#[test]
fn go_cross_builds() {
    if !skip_unless(&["go", "zip"]) {
        return;
    }
    assert_eq!(check(&go_package("go-darwin", "darwin", "arm64"), "aliyun-fc", "").0, ["binary-not-linux"]);
    assert_eq!(check(&go_package("go-windows", "windows", "amd64"), "aws-lambda-al2023", "").0, ["binary-not-linux"]);
    let linux = go_package("go-linux", "linux", "amd64");
    for platform in ["aliyun-fc", "aws-lambda-al2", "tencent-scf"] {
        assert!(check(&linux, platform, "").1.is_empty(), "{platform}");
    }
    assert_eq!(check(&go_package("go-arm64", "linux", "arm64"), "aws-lambda-al2", "").0, ["binary-wrong-arch"]);
}

/// A correct package tree: an executable script, a program, a library directory.
fn good_tree(name: &str) -> PathBuf {
    let dir = workdir(name);
    let src = dir.join("src");
    fs::create_dir_all(src.join("lib")).unwrap();
    fs::write(src.join("bootstrap"), SCRIPT).unwrap();
    fs::write(src.join("app"), "#!/bin/sh\necho hi\n").unwrap();
    fs::write(src.join("lib/data.txt"), "x\n").unwrap();
    chmod(&src.join("bootstrap"), 0o755);
    chmod(&src.join("app"), 0o755);
    chmod(&src.join("lib/data.txt"), 0o644);
    src
}

#[test]
fn correct_packages_from_real_zippers_are_clean() {
    let mut zippers = 0;
    if have("zip") {
        let src = good_tree("infozip");
        run(&src, "zip", &["-qr", "../f.zip", "."], &[]);
        assert_clean(&src.join("../f.zip"), "Info-ZIP");
        zippers += 1;
    } else {
        println!("SKIPPED Info-ZIP: zip not installed");
    }
    if have("7z") {
        let src = good_tree("p7zip");
        run(&src, "7z", &["a", "-tzip", "-bd", "../f.zip", "."], &[]);
        assert_clean(&src.join("../f.zip"), "p7zip");
        zippers += 1;
    } else {
        println!("SKIPPED p7zip: 7z not installed");
    }
    if have("python3") {
        let src = good_tree("python");
        let code = "import zipfile,os\nwith zipfile.ZipFile('../f.zip','w',zipfile.ZIP_DEFLATED) as z:\n  \
                    for r,ds,fs in os.walk('.'):\n    for f in fs: z.write(os.path.join(r,f))\n";
        run(&src, "python3", &["-c", code], &[]);
        assert_clean(&src.join("../f.zip"), "Python zipfile.write");
        zippers += 1;
    } else {
        println!("SKIPPED Python: python3 not installed");
    }
    if have("go") {
        let src = good_tree("gozip");
        let program = "package main\nimport (\"archive/zip\";\"io\";\"os\";\"path/filepath\")\nfunc main(){\n\
            out,_ := os.Create(\"../f.zip\"); w := zip.NewWriter(out)\n\
            filepath.Walk(\".\", func(p string, info os.FileInfo, err error) error {\n\
              if info.IsDir() { return nil }\n\
              h,_ := zip.FileInfoHeader(info); h.Name = filepath.ToSlash(p); h.Method = zip.Deflate\n\
              f,_ := w.CreateHeader(h); in,_ := os.Open(p); io.Copy(f, in); in.Close(); return nil })\n\
            w.Close(); out.Close() }\n";
        fs::write(src.join("../zipper.go"), program).unwrap();
        let cache = std::env::temp_dir().join("bootdoctor-go-cache");
        run(&src, "go", &["run", "../zipper.go"], &[("GOCACHE", cache.to_str().unwrap()), ("GO111MODULE", "off")]);
        assert_clean(&src.join("../f.zip"), "Go archive/zip FileInfoHeader");
        zippers += 1;
    } else {
        println!("SKIPPED Go archive/zip: go not installed");
    }
    println!("{zippers} real zippers produced clean packages");
}

fn assert_clean(zip: &Path, zipper: &str) {
    for platform in ["aliyun-fc", "aws-lambda-al2023", "tencent-scf"] {
        let (errors, all) = check(zip, platform, "");
        assert!(errors.is_empty(), "{zipper} on {platform}: {all:?}");
    }
}

#[test]
fn jar_and_crlf_packages_fire() {
    if have("jar") {
        let src = good_tree("jar");
        run(&src, "jar", &["--create", "--no-manifest", "--file", "../f.zip", "."], &[]);
        // jar writes host 0 with no attributes: the bootstrap loses its exec bit, and so does the
        // app it execs (fixing the bootstrap alone would not be enough).
        assert_eq!(check(&src.join("../f.zip"), "aliyun-fc", "").0, ["exec-bit-missing", "exec-bit-missing"]);
    } else {
        println!("SKIPPED jar: not installed");
    }
    if have("unix2dos") && have("zip") {
        let src = good_tree("crlf");
        run(&src, "unix2dos", &["-q", "bootstrap"], &[]);
        run(&src, "zip", &["-qr", "../f.zip", "."], &[]);
        assert_eq!(check(&src.join("../f.zip"), "aws-lambda-al2023", "").0, ["crlf-shebang"]);
    } else {
        println!("SKIPPED CRLF: unix2dos or zip not installed");
    }
}

const HELLO_JAVA: &str = "package example;\npublic class Hello {\n  public String handleRequest(Object in, Object ctx) { return \"hi\"; }\n}\n";

#[test]
fn javac_built_handlers_load_from_the_classpath() {
    if !skip_unless(&["javac", "jar", "zip"]) {
        return;
    }
    let dir = workdir("javac");
    fs::create_dir_all(dir.join("src/example")).unwrap();
    fs::write(dir.join("src/example/Hello.java"), HELLO_JAVA).unwrap();
    run(&dir, "javac", &["--release", "17", "-d", "classes", "src/example/Hello.java"], &[]);
    run(&dir, "jar", &["--create", "--file", "app.jar", "-C", "classes", "."], &[]);
    // The jar itself uploaded as the package: classes at its root.
    let (errors, all) = check(&dir.join("app.jar"), "aws-lambda-java21", "example.Hello::handleRequest");
    assert!(errors.is_empty(), "{all:?}");
    assert_eq!(check(&dir.join("app.jar"), "aws-lambda-java21", "example.Hello::handle").0, ["handler-misnamed"]);
    assert_eq!(check(&dir.join("app.jar"), "aws-lambda-java21", "example.Main").0, ["entry-missing"]);
    // The Gradle/Maven layout Lambda documents: the jar under lib/.
    fs::create_dir_all(dir.join("pkg/lib")).unwrap();
    fs::copy(dir.join("app.jar"), dir.join("pkg/lib/app.jar")).unwrap();
    run(&dir.join("pkg"), "zip", &["-qr", "../lib.zip", "."], &[]);
    let (errors, all) = check(&dir.join("lib.zip"), "aws-lambda-java21", "example.Hello");
    assert!(errors.is_empty(), "{all:?}");
    // The jar zipped at the root of a zip: not on the classpath.
    run(&dir, "zip", &["-q", "root.zip", "app.jar"], &[]);
    assert_eq!(check(&dir.join("root.zip"), "aws-lambda-java21", "example.Hello").0, ["entry-nested"]);
}
