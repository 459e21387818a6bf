//! The cause catalogue: every reason a function fails to start that Bootdoctor can name.
//!
//! A cause id is shared by package findings and error hypotheses wherever the cause is the same, so
//! "the error says X" and "the package shows X" meet on one id. Ids are public (CLI, links, pages).
//! Texts here are general; findings and hypotheses add the specifics (paths, modes, codes).

use serde::Serialize;

/// Where the problem lives, which tells the user who can fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CauseKind {
    /// Something in the package (files, modes, binaries): the package check can see it.
    Package,
    /// The code's behaviour at run time (ports, crashes): partly visible in the package.
    Code,
    /// The function's configuration (memory, timeout, start command, handler).
    Configuration,
    /// The account or the platform itself: not the package.
    Platform,
}

/// One cause, with its general explanation and fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// Public id (`exec-bit-missing`).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// Where the problem lives.
    pub kind: CauseKind,
    /// What happens at start-up and why, in two or three sentences.
    pub summary: &'static str,
    /// The general fix (commands where possible).
    pub fix: &'static str,
    /// Sources: documentation and public reports.
    pub sources: &'static [&'static str],
}

const FC_GUIDE: &str = "https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/troubleshooting-2";
const SCF_CODES: &str = "https://www.tencentcloud.com/document/product/583/35311";
const SCF_BOOTSTRAP: &str = "https://cloud.tencent.com/document/product/583/56126";
const LAMBDA_TROUBLE: &str = "https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html";

/// Every cause Bootdoctor knows.
pub const CAUSES: &[Cause] = &[
    Cause {
        id: "entry-missing",
        title: "The start file is not in the package",
        kind: CauseKind::Package,
        summary: "The platform starts your function by running a fixed file (bootstrap, scf_bootstrap) or the \
                  files your start command names. If that file is not where the platform looks — absent, \
                  misnamed, different case — the instance cannot start.",
        fix: "Put the start file at the root of the zip under its exact name, or change the start command to the \
              path where the file really is. Zip from inside the folder: cd myfunc && zip -r ../function.zip .",
        sources: &[FC_GUIDE, SCF_CODES, LAMBDA_TROUBLE],
    },
    Cause {
        id: "entry-nested",
        title: "The package is wrapped in a folder",
        kind: CauseKind::Package,
        summary: "Zipping a folder (rather than its contents) puts every file under one top-level directory, so \
                  the start file is at myfunc/bootstrap instead of bootstrap. The platform extracts the zip as is \
                  and does not find it.",
        fix: "Zip the folder's contents, not the folder: cd myfunc && zip -r ../function.zip .",
        sources: &[FC_GUIDE, SCF_CODES, LAMBDA_TROUBLE],
    },
    Cause {
        id: "entry-is-directory",
        title: "The start path is a directory",
        kind: CauseKind::Package,
        summary: "The path the platform executes is a directory in your package. Executing a directory fails \
                  with EACCES (permission denied).",
        fix: "Put the executable itself at that path, or point the start command at the file inside the directory.",
        sources: &[FC_GUIDE],
    },
    Cause {
        id: "exec-bit-missing",
        title: "The start file is not executable",
        kind: CauseKind::Package,
        summary: "A zip stores Unix permissions only when the zipping tool records them. Windows tools (Explorer, \
                  7-Zip, PowerShell), Java's jar and some libraries store none, so the platform extracts the file \
                  as -rw-r--r-- and exec fails with EACCES (code 13, permission denied).",
        fix: "chmod 755 bootstrap && zip -r function.zip . (on Linux, macOS or WSL; or a packer that sets modes, such \
              as build-lambda-zip)",
        sources: &[FC_GUIDE, SCF_BOOTSTRAP, "https://github.com/aws/aws-lambda-go/issues/13"],
    },
    Cause {
        id: "not-readable",
        title: "Files cannot be read by the platform's user",
        kind: CauseKind::Package,
        summary: "Lambda, SCF and Cloud Run run code as a non-root user that does not own the extracted files. Files \
                  stored as 0600/0640 (Python's zipfile.writestr default) or directories without o+x cannot be \
                  opened: EACCES, Permission denied, ImportModuleError.",
        fix: "chmod -R a+rX . && zip -r function.zip .   (files 644, directories and programs 755)",
        sources: &["https://repost.aws/knowledge-center/lambda-deployment-package-errors"],
    },
    Cause {
        id: "crlf-shebang",
        title: "The start script has Windows (CRLF) line endings",
        kind: CauseKind::Package,
        summary: "The kernel reads the interpreter from the first line up to the newline. With CRLF endings it looks \
                  for 'bash\\r' (or '/bin/sh\\r'), which does not exist: exit 127 via env, or ENOENT (code 2) \
                  when the interpreter path is absolute.",
        fix: "dos2unix bootstrap   (or: sed -i 's/\\r$//' bootstrap), then zip again. In Git: git config core.autocrlf input",
        sources: &[FC_GUIDE, SCF_BOOTSTRAP],
    },
    Cause {
        id: "bom-before-shebang",
        title: "A byte-order mark hides the shebang",
        kind: CauseKind::Package,
        summary: "The script starts with the UTF-8 byte-order mark EF BB BF, so its first two bytes are not '#!'. \
                  The kernel does not recognise it as a script and exec fails with ENOEXEC (exec format error).",
        fix: "sed -i '1s/^\\xEF\\xBB\\xBF//' bootstrap   (or save as \"UTF-8\" without BOM in your editor)",
        sources: &[FC_GUIDE],
    },
    Cause {
        id: "shebang-missing",
        title: "The start script has no shebang line",
        kind: CauseKind::Package,
        summary: "A script that is executed directly must begin with #! and the interpreter path. Without it the \
                  kernel refuses it with ENOEXEC (code 8, exec format error).",
        fix: "Add a first line such as #!/usr/bin/env bash (or #!/bin/bash) and zip again.",
        sources: &[FC_GUIDE, SCF_BOOTSTRAP],
    },
    Cause {
        id: "binary-not-linux",
        title: "The executable is not a Linux program",
        kind: CauseKind::Package,
        summary: "Serverless runtimes are Linux. A Mach-O (macOS) or PE (Windows) file, or an ELF built for another \
                  OS, cannot be executed: exec fails with ENOEXEC (code 8, exec format error), or ENOENT when its \
                  loader is missing.",
        fix: "Build for Linux: GOOS=linux GOARCH=amd64 go build -o bootstrap   ·   cargo lambda build --release   ·   \
              dotnet publish -r linux-x64",
        sources: &[FC_GUIDE, LAMBDA_TROUBLE],
    },
    Cause {
        id: "not-an-executable",
        title: "The start file is a library, not a program",
        kind: CauseKind::Package,
        summary: "The start command points at a shared library (.so) or object file. The kernel can map it but it has \
                  no usable entry point: it crashes at once.",
        fix: "Point the start command at the program your build produced, not at a library.",
        sources: &["https://man7.org/linux/man-pages/man5/elf.5.html"],
    },
    Cause {
        id: "lfs-pointer",
        title: "A file is a Git LFS pointer",
        kind: CauseKind::Package,
        summary: "The package was built from a checkout without Git LFS content: the binary or model is a three-line \
                  text pointer. Executed, it fails with exec format error; loaded, it is garbage.",
        fix: "git lfs install && git lfs pull, then rebuild the package (CI: checkout with lfs enabled).",
        sources: &["https://git-lfs.com/"],
    },
    Cause {
        id: "binary-wrong-arch",
        title: "The executable is built for another CPU",
        kind: CauseKind::Package,
        summary: "An arm64 binary cannot run on an x86_64 function, nor the reverse: exec fails with ENOEXEC (exec \
                  format error). 32-bit binaries fail because their loader is not in the image.",
        fix: "Rebuild for the function's architecture (GOARCH=amd64 / --target x86_64-unknown-linux-gnu), or switch \
              the function's architecture to match the binary.",
        sources: &[FC_GUIDE, LAMBDA_TROUBLE],
    },
    Cause {
        id: "zip-encrypted",
        title: "The zip is password-protected",
        kind: CauseKind::Package,
        summary: "Platforms unpack packages without a password; encrypted entries cannot be extracted, so the upload \
                  is refused or files are missing at start-up.",
        fix: "Zip again without a password: zip -r function.zip .",
        sources: &["https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-deployment.html"],
    },
    Cause {
        id: "zip-extra-data",
        title: "The zip has data before or after the archive",
        kind: CauseKind::Package,
        summary: "A self-extractor stub, a prepended file or trailing junk surrounds the zip. Lenient readers skip it; \
                  strict platform extractors may refuse the upload.",
        fix: "Zip the files again with a plain zip tool: zip -r function.zip .",
        sources: &["https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-deployment.html"],
    },
    Cause {
        id: "unsafe-path",
        title: "Entry names extractors reject or rewrite",
        kind: CauseKind::Package,
        summary: "Names with '..', absolute paths, drive letters, backslash separators, special files or code-page \
                  encodings are refused, stripped or renamed by extractors, so files end up missing or elsewhere.",
        fix: "Zip from inside the package directory with relative paths: cd myfunc && zip -r ../function.zip .",
        sources: &["https://github.com/PowerShell/Microsoft.PowerShell.Archive/issues/48"],
    },
    Cause {
        id: "duplicate-entry",
        title: "A name is stored more than once",
        kind: CauseKind::Package,
        summary: "Appending to an old zip leaves several copies of a file; extractors disagree on which one wins, so \
                  the function may get a stale copy.",
        fix: "Create the zip afresh from a clean directory instead of updating an old one.",
        sources: &["https://pkwaredownloads.blob.core.windows.net/pkware-general/Documentation/APPNOTE-6.3.9.TXT"],
    },
    Cause {
        id: "symlink-outside",
        title: "A symlink points outside the package",
        kind: CauseKind::Package,
        summary: "Links are restored as links; a target on the build machine (/usr/local/…, ../…) does not exist on \
                  the platform, so the link dangles.",
        fix: "Zip the file the link points to (zip -r without -y follows links), or copy the target in.",
        sources: &["https://github.com/aws/aws-sam-cli/pull/1140"],
    },
    Cause {
        id: "macos-metadata",
        title: "macOS metadata files in the package",
        kind: CauseKind::Package,
        summary: "Finder's Compress adds __MACOSX/ and ._* AppleDouble files and .DS_Store. They rarely stop a start \
                  but are not code, and confuse tools that glob for sources.",
        fix: "zip -r function.zip . -x '__MACOSX/*' '*.DS_Store' '._*'",
        sources: &["https://developer.apple.com/forums/thread/690457"],
    },
    Cause {
        id: "size-limit",
        title: "The package is over a size limit",
        kind: CauseKind::Package,
        summary: "Platforms cap the zip they accept on each upload route and the code's unzipped size (Lambda: 50 MB \
                  direct, 250 MB unzipped with layers; SCF: 500 MB unzipped; FC: 100 MB base64 through the API).",
        fix: "Upload through object storage (S3 / OSS / COS), drop dev dependencies and unused files, or use a container image.",
        sources: &["https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"],
    },
    Cause {
        id: "zip-method-unsupported",
        title: "The zip uses a compression method platforms cannot read",
        kind: CauseKind::Package,
        summary: "Only stored and deflate entries are safe. LZMA, PPMd, xz, bzip2, Zstandard and deflate64 (7-Zip \
                  options, Windows for large files) are not understood by the platforms' extractors.",
        fix: "Zip again with deflate: zip -r function.zip .  (7-Zip: format zip, method Deflate)",
        sources: &["https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-deployment.html"],
    },
    Cause {
        id: "elf-interpreter-missing",
        title: "The binary's loader is not in the image",
        kind: CauseKind::Package,
        summary: "A dynamically linked ELF names its loader (PT_INTERP). A musl build asks for /lib/ld-musl-*.so.1, \
                  which glibc images do not have, so exec fails with ENOENT (no such file or directory) although \
                  the file exists.",
        fix: "Link statically (CGO_ENABLED=0, or a *-musl target built static) or build against glibc on a distro \
              as old as the runtime's.",
        sources: &["https://github.com/aws/aws-sam-cli/issues/1856"],
    },
    Cause {
        id: "shebang-interpreter-missing",
        title: "The script's interpreter is not in the image",
        kind: CauseKind::Package,
        summary: "The #! line names a program the runtime image does not have (#!/usr/bin/python3 on an OS-only \
                  image, #!/usr/local/bin/python3.12), so exec fails with ENOENT or 'bad interpreter'.",
        fix: "Point the #! line at an interpreter the image has (#!/bin/bash, #!/usr/bin/env python3 where python3 is \
              on PATH), or bring the interpreter in the package or a layer.",
        sources: &["https://github.com/gkrizek/bash-lambda-layer/issues/70"],
    },
    Cause {
        id: "native-addon-wrong-platform",
        title: "A native module is built for another platform",
        kind: CauseKind::Package,
        summary: "A compiled module (.node, .so, a wheel's extension) was installed on macOS, Windows, Alpine or another \
                  CPU, so loading it fails with 'invalid ELF header' or a missing library.",
        fix: "Install dependencies on Linux for the runtime's CPU: npm ci --os=linux --cpu=x64 (or in Docker), \
              pip install --platform manylinux2014_x86_64 --only-binary=:all: -t . -r requirements.txt",
        sources: &["https://github.com/kelektiv/node.bcrypt.js/issues/505"],
    },
    Cause {
        id: "glibc-too-new",
        title: "The binary needs a newer glibc than the image has",
        kind: CauseKind::Package,
        summary: "A binary built on a newer distribution references GLIBC_x.y symbol versions the runtime image \
                  lacks; the loader stops with \"version `GLIBC_x.y' not found\".",
        fix: "Build on (or for) the runtime's glibc: cargo zigbuild --target x86_64-unknown-linux-gnu.2.26, build in \
              the runtime's image, CGO_ENABLED=0, or a static musl build.",
        sources: &["https://github.com/awslabs/aws-lambda-rust-runtime/issues/874"],
    },
    Cause {
        id: "shared-lib-missing",
        title: "A shared library is missing",
        kind: CauseKind::Package,
        summary: "The binary needs a library (libssl.so.1.1, libcrypt.so.1 …) that is neither in the image nor in \
                  the package: \"error while loading shared libraries … cannot open shared object file\" (exit 127).",
        fix: "Bundle the library next to the binary (lib/ with RUNPATH $ORIGIN/lib, or LD_LIBRARY_PATH in the \
              bootstrap), or link it statically (rustls instead of OpenSSL, vendored features).",
        sources: &["https://github.com/awslabs/aws-lambda-rust-runtime/issues/683"],
    },
    Cause {
        id: "command-not-found",
        title: "A command the start script runs is not found",
        kind: CauseKind::Package,
        summary: "The start script ran, but a program it calls is not on PATH in the image (python3, node, npm \
                  binaries in node_modules/.bin …): \"command not found\", exit 127.",
        fix: "Call interpreters by absolute path (FC: /var/fc/lang/…, SCF: /var/lang/<lang><ver>/bin/…), or ship \
              the program in the package and call it as ./bin/tool.",
        sources: &[FC_GUIDE, SCF_BOOTSTRAP],
    },
    Cause {
        id: "dependencies-missing",
        title: "Dependencies were not uploaded",
        kind: CauseKind::Package,
        summary: "Custom runtimes do not install dependencies: node_modules, site-packages or vendor/ must be in the \
                  package. A module import fails at start-up and the process exits.",
        fix: "Install into the package before zipping: npm ci --omit=dev   ·   pip install -r requirements.txt -t .   \
              ·   composer install --no-dev (on Linux, for the runtime's architecture).",
        sources: &[FC_GUIDE],
    },
    Cause {
        id: "app-exited",
        title: "Your program started, then exited",
        kind: CauseKind::Code,
        summary: "The start command ran and the process ended with a non-zero status. The number is your \
                  program's exit status, not an operating-system error: the log lines after it say why.",
        fix: "Read the Logs tail (traceback, panic, 'Cannot find module'). Run the start command locally in the \
              runtime's image to reproduce.",
        sources: &[FC_GUIDE, SCF_CODES],
    },
    Cause {
        id: "app-exception",
        title: "Your code raised an error",
        kind: CauseKind::Code,
        summary: "The function started and your code threw an exception while handling the request.",
        fix: "Read the stack trace in the invocation log and fix the code path it names.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "not-a-server",
        title: "Nothing keeps serving after start",
        kind: CauseKind::Code,
        summary: "The platform expects a long-running HTTP server, but the start command finished (exit code 0): \
                  event-handler code deployed as a custom runtime, or a server started in the background.",
        fix: "Run the server in the foreground as the last line of the bootstrap: exec node server.js",
        sources: &[FC_GUIDE],
    },
    Cause {
        id: "listen-localhost",
        title: "The server listens on 127.0.0.1",
        kind: CauseKind::Code,
        summary: "The platform checks the port from outside the process's loopback. A server bound to 127.0.0.1 or \
                  localhost is unreachable, so the health check fails.",
        fix: "Bind to all interfaces: host 0.0.0.0 (uvicorn --host 0.0.0.0, app.listen(9000, '0.0.0.0')).",
        sources: &[FC_GUIDE, SCF_BOOTSTRAP],
    },
    Cause {
        id: "listen-wrong-port",
        title: "The server listens on another port",
        kind: CauseKind::Code,
        summary: "The platform waits for a listener on the configured port (FC and SCF web: 9000; Cloud Run: $PORT, \
                  8080). A framework default (3000, 5000, 8000, 8080) is never seen.",
        fix: "Listen on the platform's port: 9000 for FC/SCF web (or read FC_SERVER_PORT), $PORT on Cloud Run.",
        sources: &[FC_GUIDE, SCF_CODES, "https://cloud.google.com/run/docs/container-contract"],
    },
    Cause {
        id: "slow-start",
        title: "Start-up takes longer than the platform waits",
        kind: CauseKind::Code,
        summary: "The server does listen, but only after the platform's start-up window (FC: 120 s; SCF: the \
                  initialization timeout): large packages, downloads or blocking calls at start.",
        fix: "Move slow work out of start-up, slim the package, or raise the initialization timeout.",
        sources: &[FC_GUIDE, SCF_CODES],
    },
    Cause {
        id: "out-of-memory",
        title: "The instance ran out of memory",
        kind: CauseKind::Configuration,
        summary: "The process was killed with SIGKILL (exit 137) or the platform reported its memory limit: the \
                  function needs more memory than configured, or leaks.",
        fix: "Raise the function's memory, and check for leaks or large in-memory files (/tmp can count as memory).",
        sources: &[FC_GUIDE, SCF_CODES],
    },
    Cause {
        id: "timeout",
        title: "The run exceeded its time limit",
        kind: CauseKind::Configuration,
        summary: "Execution or initialization did not finish within the configured timeout.",
        fix: "Raise the timeout, or make the slow part asynchronous.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "readonly-filesystem",
        title: "The code writes outside /tmp",
        kind: CauseKind::Code,
        summary: "The code directory is read-only on SCF and Lambda; writing logs, caches or uploads next to the \
                  code fails and the process exits.",
        fix: "Write only under /tmp. Test locally with: docker run --read-only -v /tmp:/tmp …",
        sources: &[SCF_CODES, SCF_BOOTSTRAP],
    },
    Cause {
        id: "handler-misnamed",
        title: "The handler does not match the code",
        kind: CauseKind::Configuration,
        summary: "The handler setting (file.function) names a file or function that is not in the package.",
        fix: "Set the handler to <file without extension>.<function>, e.g. index.main_handler for index.py.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "request-too-large",
        title: "The request or response is too large",
        kind: CauseKind::Configuration,
        summary: "The event or the response exceeded the platform's size limit (SCF: 6 MB synchronous, 128 KB \
                  asynchronous events; 6 MB responses).",
        fix: "Pass large payloads through object storage and send a reference.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "invalid-request",
        title: "The invocation parameters are invalid",
        kind: CauseKind::Configuration,
        summary: "The event was not JSON or the invoke parameters did not follow the API.",
        fix: "Send a JSON event and check the invoke parameters against the API reference.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "permission-denied-platform",
        title: "The account or role lacks a permission",
        kind: CauseKind::Platform,
        summary: "The caller's credentials or the function's role are not allowed to do this. This is about \
                  account permissions, not file modes in your package.",
        fix: "Grant the permission in the access-management console (CAM / RAM / IAM) to the caller or role.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "quota-exceeded",
        title: "A concurrency or resource quota was reached",
        kind: CauseKind::Platform,
        summary: "The account or region hit a concurrency, scaling-rate or resource limit. The package is not at fault.",
        fix: "Configure reserved or provisioned concurrency, lower memory, or ask for a higher quota.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "account-suspended",
        title: "The account or function is suspended",
        kind: CauseKind::Platform,
        summary: "Overdue payment or an abnormal function state stops invocations. The package is not at fault.",
        fix: "Top up the account, then wait for the function to return to normal status.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "function-not-found",
        title: "The function or version does not exist",
        kind: CauseKind::Configuration,
        summary: "The invocation names a function, version or alias that does not exist (or was deleted).",
        fix: "Check the function name, region, namespace and version in the invocation.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "network-config",
        title: "The function's network configuration is invalid",
        kind: CauseKind::Configuration,
        summary: "The VPC or subnet configured for the function is not valid.",
        fix: "Check the function's VPC and subnet settings.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "image-pull-failed",
        title: "The container image could not be pulled",
        kind: CauseKind::Configuration,
        summary: "The image is invalid, unreachable or too large to pull in time.",
        fix: "Check the image exists and downloads locally; slim it; raise the initialization timeout.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "request-canceled",
        title: "The request was canceled",
        kind: CauseKind::Configuration,
        summary: "The caller canceled, or an API gateway in front timed out before cold start plus execution finished.",
        fix: "Raise the gateway's backend timeout above initialization + execution time, or speed up start-up.",
        sources: &[SCF_CODES],
    },
    Cause {
        id: "platform-internal-error",
        title: "The platform had an internal error",
        kind: CauseKind::Platform,
        summary: "The platform reported its own error. Retry; if it persists, open a ticket with the request id. \
                  On some platforms a generic internal error has hidden a package problem, so check the package too.",
        fix: "Retry later; if it persists, contact support with the request id.",
        sources: &[SCF_CODES, "https://github.com/alibaba/funcraft/issues/533"],
    },
    Cause {
        id: "no-error",
        title: "This status means success",
        kind: CauseKind::Platform,
        summary: "The status in the text reports a successful run; nothing failed here.",
        fix: "Nothing to fix. If the function still misbehaves, paste the error it prints.",
        sources: &[SCF_CODES],
    },
];

/// Looks a cause up by id.
pub fn cause(id: &str) -> Option<&'static Cause> {
    CAUSES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finding_id_has_a_cause_page() {
        for id in crate::checks::CHECK_IDS {
            assert!(cause(id).is_some(), "finding id {id} has no cause in the catalogue");
        }
    }

    #[test]
    fn ids_are_unique_and_texts_present() {
        let mut ids: Vec<_> = CAUSES.iter().map(|c| c.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate cause id");
        for c in CAUSES {
            assert!(!c.summary.is_empty() && !c.fix.is_empty() && !c.sources.is_empty(), "{}", c.id);
        }
    }
}
