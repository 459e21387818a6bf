//! Platform profiles: what each serverless runtime expects of a package, as data with sources.
//!
//! Facts that a vendor documents are marked [`Provenance::Documented`]; facts inferred from other facts
//! (a distribution's package version, say) are [`Provenance::Derived`] with the reasoning, and the
//! page shows them so. Ids are public: the CLI, links and the page use them.

use serde::Serialize;

use crate::sniff::Arch;

/// Whether a fact is documented by the vendor or inferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "note", rename_all = "kebab-case")]
pub enum Provenance {
    /// Stated in the vendor's documentation (see the profile's sources).
    Documented,
    /// Inferred; the note says from what.
    Derived(&'static str),
    /// Not documented and not derivable: a working assumption. Checks that rest on it warn, never error.
    Assumed(&'static str),
}

impl Provenance {
    /// "documented", "derived: …" or "assumed: …", for evidence lines and the page.
    pub fn describe(self) -> String {
        match self {
            Provenance::Documented => "documented".into(),
            Provenance::Derived(note) => format!("derived: {note}"),
            Provenance::Assumed(note) => format!("assumed, not documented: {note}"),
        }
    }

    /// True for documented facts, on which a check may base an error.
    pub fn is_documented(self) -> bool {
        matches!(self, Provenance::Documented)
    }

    /// True for working assumptions, on which a check may base a warning at most.
    pub fn is_assumed(self) -> bool {
        matches!(self, Provenance::Assumed(_))
    }
}

/// How the platform starts the code in a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EntryConvention {
    /// A fixed executable file at the package root, exec'd directly (`bootstrap`, `scf_bootstrap`).
    /// A start command, when the platform allows one, replaces it.
    RootExecutable {
        /// The file name, exactly (Linux is case-sensitive).
        file: &'static str,
        /// Whether the user can configure a start command instead.
        start_command_allowed: bool,
    },
    /// Azure Functions custom handlers: `host.json` names the executable
    /// (`customHandler.description.defaultExecutablePath`).
    HostJson,
    /// The start command comes from the deployment (a container `CMD`, a Procfile, buildpacks);
    /// only a start command given by the user can be checked.
    StartCommandOnly,
    /// A managed runtime: the platform's own interpreter loads a file and calls a function the
    /// handler setting names (`lambda_function.lambda_handler`, `index.handler`).
    Handler {
        /// The console's default handler, used when none is given; `None` where the function name
        /// must always be given (Cloud Functions' entry point).
        default_handler: Option<&'static str>,
        /// The file the runtime always loads, when the handler names only a function (Cloud
        /// Functions: `main.py`, `index.js`).
        fixed_file: Option<&'static str>,
    },
}

/// The language a managed runtime runs, which decides how a handler names its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    /// CPython: `package.module.function`, file `package/module.py`.
    Python,
    /// Node.js: `dir/module.export`, file `dir/module.js` (`.mjs`, `.cjs`).
    Node,
    /// The JVM: `package.Class::method`, a class in the package or in `lib/*.jar`.
    Java,
}

/// The language runtime a managed profile provides, for handler, ABI and dependency checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LanguageRuntime {
    /// Python, Node.js or Java.
    pub language: Language,
    /// The version as the platform names it (`3.12`, `20`, `21`).
    pub version: &'static str,
    /// The binary interface native code must match: a CPython ABI tag (`cp312`), Node's
    /// `NODE_MODULE_VERSION` (`115`), or the newest Java class-file major version (`65`).
    pub abi: &'static str,
    /// The interpreter's path in the image.
    pub interpreter: &'static str,
    /// What the runtime provides without the package shipping it, as a manifest names it: Python
    /// distributions (`boto3`, `python-dateutil`) or npm packages; a name ending in `/` is a scope
    /// (`@aws-sdk/`).
    pub preinstalled: &'static [&'static str],
    /// Where the language facts come from.
    pub provenance: Provenance,
}

/// What the code must do once started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServerContract {
    /// Listen for HTTP on `0.0.0.0:<port>`.
    HttpServer,
    /// Poll the platform's runtime API (AWS Lambda custom runtimes).
    RuntimeApi,
    /// Nothing: the platform's runtime loads the handler and calls it (managed runtimes).
    Handler,
}

/// A source for the facts of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Source {
    /// What the source is.
    pub title: &'static str,
    /// Where it is.
    pub url: &'static str,
}

/// A size limit on the package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SizeLimit {
    /// The limit in bytes.
    pub bytes: u64,
    /// True when nothing gets past it; false when another upload route lifts it (S3, OSS, COS).
    pub hard: bool,
    /// What the limit is and what to do about it, in the vendor's terms.
    pub note: &'static str,
}

impl Profile {
    /// Where the code must listen, in words: `9000 (or $FC_SERVER_PORT)`, `the one in
    /// $FUNCTIONS_CUSTOMHANDLER_PORT`, or none for runtime-API platforms.
    pub fn port_rule(&self) -> String {
        match (self.contract, self.port, self.port_env) {
            (ServerContract::RuntimeApi, _, _) => "none: the code polls the runtime API".into(),
            (ServerContract::Handler, _, _) => "none: the runtime calls the handler".into(),
            (ServerContract::HttpServer, Some(port), Some(var)) => format!("{port} (or ${var} when set)"),
            (ServerContract::HttpServer, Some(port), None) => port.to_string(),
            (ServerContract::HttpServer, None, Some(var)) => format!("the one the platform assigns in ${var}"),
            (ServerContract::HttpServer, None, None) => "not documented".into(),
        }
    }
}

impl SizeLimit {
    /// The limit in binary units, as vendors mean their "MB" (52,428,800 bytes is `50 MiB`).
    pub fn size_text(&self) -> String {
        const MIB: u64 = 1 << 20;
        if self.bytes.is_multiple_of(MIB) {
            format!("{} MiB", self.bytes / MIB)
        } else {
            format!("{:.1} MiB", self.bytes as f64 / MIB as f64)
        }
    }
}

/// Everything Bootdoctor knows about one runtime target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Public id (`aliyun-fc`, `aws-lambda-al2023`, …).
    pub id: &'static str,
    /// Name shown to people.
    pub name: &'static str,
    /// The vendor family, for grouping and for telling platforms apart in pasted text.
    pub vendor: &'static str,
    /// The OS image the code runs on.
    pub image: &'static str,
    /// CPU architecture the code must be built for.
    pub arch: Arch,
    /// `uname -m` spelling, for messages.
    pub arch_label: &'static str,
    /// C library of the image.
    pub libc: &'static str,
    /// glibc version of the image.
    pub glibc: &'static str,
    /// Where the glibc version comes from.
    pub glibc_provenance: Provenance,
    /// Highest `GLIBCXX_` version of the image's libstdc++.
    pub glibcxx: &'static str,
    /// Highest `CXXABI_` version of the image's libstdc++.
    pub cxxabi: &'static str,
    /// Where the libstdc++ versions come from (always inferred from the compiler the image ships).
    pub libstdcxx_provenance: Provenance,
    /// Dynamic loaders present in the image (`PT_INTERP` values that work).
    pub loaders: &'static [&'static str],
    /// Shared libraries known to be in the image (beyond the glibc core, see [`GLIBC_CORE`]).
    pub libraries: &'static [&'static str],
    /// Interpreter paths (for `#!` lines) known to be in the image; an entry ending in `/` is a prefix.
    pub interpreters: &'static [&'static str],
    /// Commands known to be absent from the image's `PATH` (`#!/usr/bin/env python3` on an OS-only image).
    pub absent_commands: &'static [&'static str],
    /// Directories, relative to the code directory, that the platform's `LD_LIBRARY_PATH` searches.
    pub library_dirs: &'static [&'static str],
    /// Where the library facts come from.
    pub library_provenance: Provenance,
    /// Where the package is extracted.
    pub code_dir: &'static str,
    /// How the code is started.
    pub entry: EntryConvention,
    /// Serve HTTP or poll a runtime API.
    pub contract: ServerContract,
    /// The port the platform expects, when it listens for the code.
    pub port: Option<u16>,
    /// The environment variable that carries the port, when there is one.
    pub port_env: Option<&'static str>,
    /// Limits on the zip file's size, smallest first.
    pub zipped_limits: &'static [SizeLimit],
    /// Limit on the sum of uncompressed sizes.
    pub unzipped_limit: Option<SizeLimit>,
    /// Whether the code directory is writable at run time (Lambda's and SCF's are not).
    pub code_dir_writable: bool,
    /// Whether the platform installs declared dependencies itself (buildpacks), so none need be uploaded.
    pub installs_dependencies: bool,
    /// The platform connects to the server over loopback (Huawei HTTP functions, Azure custom
    /// handlers), so binding 127.0.0.1 is fine there.
    pub loopback_reachable: bool,
    /// Whether code runs as root (readability of files matters when it does not).
    pub runs_as_root: bool,
    /// Where the run-as-root fact comes from.
    pub user_provenance: Provenance,
    /// Vendor documentation the facts come from.
    pub sources: &'static [Source],
    /// The language runtime, for managed runtimes (`None` for custom runtimes and containers).
    pub runtime: Option<LanguageRuntime>,
}

impl Profile {
    /// The absolute path the platform execs for the root entry (`/code/bootstrap`), when fixed.
    pub fn default_entry_path(&self) -> Option<String> {
        match self.entry {
            EntryConvention::RootExecutable { file, .. } => Some(format!("{}/{}", self.code_dir, file)),
            EntryConvention::StartCommandOnly | EntryConvention::HostJson | EntryConvention::Handler { .. } => None,
        }
    }

    /// The root entry file name, when fixed.
    pub fn entry_file(&self) -> Option<&'static str> {
        match self.entry {
            EntryConvention::RootExecutable { file, .. } => Some(file),
            EntryConvention::StartCommandOnly | EntryConvention::HostJson | EntryConvention::Handler { .. } => None,
        }
    }

    /// The file a managed runtime always loads (Cloud Functions' `main.py`), when it has one.
    pub fn fixed_file(&self) -> Option<&'static str> {
        match self.entry {
            EntryConvention::Handler { fixed_file, .. } => fixed_file,
            _ => None,
        }
    }

    /// The language a managed runtime runs, when this is one.
    pub fn language(&self) -> Option<Language> {
        self.runtime.map(|r| r.language)
    }
}

/// Libraries every glibc image has: glibc itself and the GCC runtime.
pub const GLIBC_CORE: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libresolv.so.2",
    "libutil.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
];

/// OpenSSL sonames, each present on some images and absent on others: a needed one the image
/// lacks is a certain failure, not a guess.
pub const OPENSSL_SONAMES: &[&str] =
    &["libssl.so.10", "libcrypto.so.10", "libssl.so.1.1", "libcrypto.so.1.1", "libssl.so.3", "libcrypto.so.3"];

/// Interpreters every image has.
const SHELLS: &[&str] = &["/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/env", "/usr/bin/sh", "/usr/bin/bash"];

/// Language runtimes that OS-only images (Lambda `provided.*`) do not have.
const LANGUAGE_COMMANDS: &[&str] =
    &["python", "python3", "node", "nodejs", "java", "ruby", "php", "dotnet", "deno", "bun"];

const X86_64_LOADERS: &[&str] = &["/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"];
const ARM64_LOADERS: &[&str] = &["/lib/ld-linux-aarch64.so.1", "/lib64/ld-linux-aarch64.so.1"];

const FC_SOURCES: &[Source] = &[
    Source {
        title: "Alibaba Cloud Function Compute: Custom Runtime error handling",
        url: "https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/troubleshooting-2",
    },
    Source {
        title: "Function Compute 3.0: custom runtime principles (default /code/bootstrap, port 9000, 0.0.0.0)",
        url: "https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/principles-1",
    },
    Source {
        title: "Function Compute FAQ: functions created after 2021-12-01 run as root",
        url: "https://help.aliyun.com/en/functioncompute/faq-about-custom-runtimes/",
    },
];

const SCF_SOURCES: &[Source] = &[
    Source {
        title: "Tencent Cloud SCF: web function scf_bootstrap rules (name, 755/777, LF, 0.0.0.0:9000)",
        url: "https://cloud.tencent.com/document/product/583/56126",
    },
    Source {
        title: "Tencent Cloud SCF: Custom Runtime (bootstrap, executable permission)",
        url: "https://cloud.tencent.com/document/product/583/47274",
    },
    Source {
        title: "Tencent Cloud SCF: invocation status codes",
        url: "https://www.tencentcloud.com/document/product/583/35311",
    },
];

const LAMBDA_SOURCES: &[Source] = &[
    Source {
        title: "AWS Lambda: building a custom runtime (bootstrap in the package root)",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html",
    },
    Source {
        title: "Amazon Linux 2023 User Guide: glibc, gcc and binutils (AL2 glibc 2.26, AL2023 glibc 2.34)",
        url: "https://docs.aws.amazon.com/linux/al2023/ug/glibc-gcc-and-binutils.html",
    },
    Source {
        title: "AWS re:Post: Lambda deployment package permission errors (644 files, 755 executables)",
        url: "https://repost.aws/knowledge-center/lambda-deployment-package-errors",
    },
];

const CLOUD_RUN_SOURCES: &[Source] = &[Source {
    title: "Cloud Run container runtime contract (listen on 0.0.0.0:$PORT, linux/amd64)",
    url: "https://cloud.google.com/run/docs/container-contract",
}];

const FC_DEBIAN10: Profile = Profile {
    id: "aliyun-fc",
    name: "Alibaba Cloud FC — custom runtime (Debian 10)",
    vendor: "aliyun",
    image: "Debian 10 (custom.debian10)",
    arch: Arch::X86_64,
    arch_label: "x86_64",
    libc: "glibc",
    glibc: "2.28",
    glibc_provenance: Provenance::Derived("Debian 10 ships glibc 2.28; assumes FC's image tracks Debian's packages"),
    glibcxx: "3.4.25",
    cxxabi: "1.3.11",
    libstdcxx_provenance: Provenance::Derived("Debian 10's libstdc++ is from GCC 8"),
    loaders: X86_64_LOADERS,
    interpreters: &["/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/env", "/usr/bin/bash", "/var/fc/lang/"],
    absent_commands: &[],
    libraries: &["libz.so.1", "libssl.so.1.1", "libcrypto.so.1.1", "libcrypt.so.1"],
    library_dirs: &["", "lib"],
    library_provenance: Provenance::Derived("Debian 10 packages; FC adds /code and /code/lib to LD_LIBRARY_PATH"),
    code_dir: "/code",
    entry: EntryConvention::RootExecutable { file: "bootstrap", start_command_allowed: true },
    contract: ServerContract::HttpServer,
    port: Some(9000),
    port_env: Some("FC_SERVER_PORT"),
    zipped_limits: &[
        SizeLimit {
            bytes: 78_643_200,
            hard: false,
            note: "100 MB after base64 through the SDK/OpenAPI (about 75 MB of zip); up to 500 MB through the console, Serverless Devs or OSS",
        },
        SizeLimit { bytes: 524_288_000, hard: true, note: "500 MB through the console, Serverless Devs or OSS (adjustable by ticket)" },
    ],
    unzipped_limit: None,
    code_dir_writable: true,
    installs_dependencies: false,
    loopback_reachable: false,
    runs_as_root: true,
    user_provenance: Provenance::Documented,
    sources: FC_SOURCES,
    runtime: None,
};

const SCF_CUSTOM: Profile = Profile {
    id: "tencent-scf",
    name: "Tencent Cloud SCF — custom runtime (bootstrap)",
    vendor: "tencent",
    image: "CentOS 7",
    arch: Arch::X86_64,
    arch_label: "x86_64",
    libc: "glibc",
    glibc: "2.17",
    glibc_provenance: Provenance::Derived("CentOS 7 ships glibc 2.17; SCF documents a CentOS 7.6 image"),
    glibcxx: "3.4.19",
    cxxabi: "1.3.7",
    libstdcxx_provenance: Provenance::Derived("CentOS 7's libstdc++ is from GCC 4.8.5"),
    loaders: X86_64_LOADERS,
    interpreters: &["/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/env", "/usr/bin/bash", "/var/lang/"],
    absent_commands: &[],
    libraries: &["libz.so.1", "libssl.so.10", "libcrypto.so.10", "libcrypt.so.1"],
    library_dirs: &[],
    library_provenance: Provenance::Derived("CentOS 7 packages; SCF's LD_LIBRARY_PATH for code is not documented"),
    code_dir: "/var/user",
    entry: EntryConvention::RootExecutable { file: "bootstrap", start_command_allowed: false },
    contract: ServerContract::RuntimeApi,
    port: None,
    port_env: None,
    zipped_limits: &[SizeLimit {
        bytes: 15_728_640,
        hard: false,
        note: "the API's ZipFile field takes 20 MB of base64 (about 15 MB of zip); larger packages go through COS",
    }],
    unzipped_limit: Some(SizeLimit {
        bytes: 524_288_000,
        hard: true,
        note: "500 MB of code before compression, layers included",
    }),
    code_dir_writable: false,
    installs_dependencies: false,
    loopback_reachable: false,
    runs_as_root: false,
    user_provenance: Provenance::Derived("not documented; only /tmp is writable, so assume a non-root user"),
    sources: SCF_SOURCES,
    runtime: None,
};

const LAMBDA_AL2023: Profile = Profile {
    id: "aws-lambda-al2023",
    name: "AWS Lambda — provided.al2023 (x86_64)",
    vendor: "aws",
    image: "Amazon Linux 2023",
    arch: Arch::X86_64,
    arch_label: "x86_64",
    libc: "glibc",
    glibc: "2.34",
    glibc_provenance: Provenance::Documented,
    glibcxx: "3.4.29",
    cxxabi: "1.3.13",
    libstdcxx_provenance: Provenance::Derived("Amazon Linux 2023 ships GCC 11"),
    loaders: X86_64_LOADERS,
    interpreters: SHELLS,
    absent_commands: LANGUAGE_COMMANDS,
    libraries: &["libz.so.1", "libssl.so.3", "libcrypto.so.3"],
    library_dirs: &["", "lib"],
    library_provenance: Provenance::Derived(
        "Amazon Linux 2023 minimal packages; LD_LIBRARY_PATH includes /var/task, /var/task/lib and /opt/lib (AWS base images)",
    ),
    code_dir: "/var/task",
    entry: EntryConvention::RootExecutable { file: "bootstrap", start_command_allowed: false },
    contract: ServerContract::RuntimeApi,
    port: None,
    port_env: None,
    zipped_limits: &[SizeLimit {
        bytes: 52_428_800,
        hard: false,
        note: "50 MB for a direct upload (RequestEntityTooLargeException); larger packages go through S3",
    }],
    unzipped_limit: Some(SizeLimit {
        bytes: 262_144_000,
        hard: true,
        note: "Unzipped size must be smaller than 262144000 bytes (250 MiB, layers included)",
    }),
    code_dir_writable: false,
    installs_dependencies: false,
    loopback_reachable: false,
    runs_as_root: false,
    user_provenance: Provenance::Documented,
    sources: LAMBDA_SOURCES,
    runtime: None,
};

const CLOUD_RUN: Profile = Profile {
    id: "gcp-cloud-run",
    name: "Google Cloud Run (linux/amd64)",
    vendor: "gcp",
    image: "your container image (buildpacks for source deploys)",
    arch: Arch::X86_64,
    arch_label: "x86_64",
    libc: "glibc",
    glibc: "2.35",
    glibc_provenance: Provenance::Derived(
        "Google's buildpacks base (Ubuntu 22.04) ships glibc 2.35; your own image may differ",
    ),
    glibcxx: "3.4.30",
    cxxabi: "1.3.13",
    libstdcxx_provenance: Provenance::Derived("Ubuntu 22.04 ships GCC 12's libstdc++"),
    loaders: X86_64_LOADERS,
    interpreters: SHELLS,
    absent_commands: &[],
    libraries: &["libz.so.1", "libssl.so.3", "libcrypto.so.3", "libcrypt.so.1"],
    library_dirs: &[],
    library_provenance: Provenance::Derived(
        "Ubuntu 22.04 packages of Google's buildpacks run image; your image may differ",
    ),
    code_dir: "/workspace",
    entry: EntryConvention::StartCommandOnly,
    contract: ServerContract::HttpServer,
    port: Some(8080),
    port_env: Some("PORT"),
    zipped_limits: &[],
    unzipped_limit: None,
    code_dir_writable: true,
    installs_dependencies: true,
    loopback_reachable: false,
    runs_as_root: false,
    user_provenance: Provenance::Derived("buildpacks images run as a non-root user"),
    sources: CLOUD_RUN_SOURCES,
    runtime: None,
};

const LAMBDA_AL2: Profile = Profile {
    id: "aws-lambda-al2",
    name: "AWS Lambda — provided.al2 (x86_64)",
    image: "Amazon Linux 2",
    glibc: "2.26",
    // A different image: every image fact is restated, none inherited from AL2023.
    glibcxx: "3.4.24",
    cxxabi: "1.3.11",
    libstdcxx_provenance: Provenance::Derived(
        "Amazon Linux 2 ships GCC 7.3 (GLIBCXX_3.4.24, aws/aws-lambda-base-images#87)",
    ),
    interpreters: SHELLS,
    absent_commands: LANGUAGE_COMMANDS,
    libraries: &["libz.so.1", "libssl.so.10", "libcrypto.so.10"],
    library_provenance: Provenance::Derived(
        "Amazon Linux 2 packages (OpenSSL 1.0.2k: libssl.so.10, no libssl.so.3); LD_LIBRARY_PATH includes /var/task, /var/task/lib and /opt/lib (AWS base images)",
    ),
    ..LAMBDA_AL2023
};

/// Sources for the managed Lambda runtimes.
const LAMBDA_MANAGED_SOURCES: &[Source] = &[
    Source {
        title: "AWS Lambda runtimes: each runtime's identifier and operating system (Amazon Linux 2 or 2023)",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
    },
    Source {
        title: "Lambda Python handlers: lambda_function.lambda_handler by default; the runtime includes boto3",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html",
    },
    Source {
        title: "Lambda Node.js handlers: index.handler by default; .js, .mjs, .cjs; the AWS SDK for JavaScript v3 from nodejs18.x",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html",
    },
    Source {
        title: "Lambda Java handlers: package.Class::method, classes at the zip root or jars in lib/",
        url: "https://docs.aws.amazon.com/lambda/latest/dg/java-handler.html",
    },
];

/// Modules the Lambda Python runtimes ship: the AWS SDK and what it depends on.
const LAMBDA_PYTHON_MODULES: &[&str] =
    &["boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3", "six"];

/// The AWS SDK for JavaScript v3, which the Node.js 18 and later runtimes ship (`@aws-sdk/…`).
const LAMBDA_NODE_MODULES: &[&str] = &["@aws-sdk/", "@smithy/"];

/// Interpreters a managed Lambda runtime has: the shells and its language under /var/lang.
const LAMBDA_MANAGED_INTERPRETERS: &[&str] =
    &["/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/env", "/usr/bin/sh", "/usr/bin/bash", "/var/lang/bin/"];

const LAMBDA_PYTHON_HANDLER: EntryConvention =
    EntryConvention::Handler { default_handler: Some("lambda_function.lambda_handler"), fixed_file: None };
const LAMBDA_NODE_HANDLER: EntryConvention =
    EntryConvention::Handler { default_handler: Some("index.handler"), fixed_file: None };

/// A Lambda Python runtime's language facts.
const fn lambda_python(version: &'static str, abi: &'static str, interpreter: &'static str) -> Option<LanguageRuntime> {
    Some(LanguageRuntime {
        language: Language::Python,
        version,
        abi,
        interpreter,
        preinstalled: LAMBDA_PYTHON_MODULES,
        provenance: Provenance::Documented,
    })
}

/// A Lambda Node.js runtime's language facts (`abi` is its NODE_MODULE_VERSION).
const fn lambda_node(version: &'static str, abi: &'static str) -> Option<LanguageRuntime> {
    Some(LanguageRuntime {
        language: Language::Node,
        version,
        abi,
        interpreter: "/var/lang/bin/node",
        preinstalled: LAMBDA_NODE_MODULES,
        provenance: Provenance::Derived(
            "the AWS SDK v3 is documented; NODE_MODULE_VERSION is Node.js's own (108 for 18, 115 for 20)",
        ),
    })
}

/// A managed Lambda runtime on `image_base` (AL2 or AL2023): what every one of them shares — the
/// interpreters under /var/lang, no server, the Lambda handler docs — with its own names, default
/// handler and language.
const fn lambda_managed(
    id: &'static str,
    name: &'static str,
    image: &'static str,
    entry: EntryConvention,
    runtime: Option<LanguageRuntime>,
    image_base: Profile,
) -> Profile {
    Profile {
        id,
        name,
        image,
        interpreters: LAMBDA_MANAGED_INTERPRETERS,
        absent_commands: &[],
        entry,
        contract: ServerContract::Handler,
        sources: LAMBDA_MANAGED_SOURCES,
        runtime,
        ..image_base
    }
}

const LAMBDA_PYTHON312: Profile = lambda_managed(
    "aws-lambda-python3.12",
    "AWS Lambda — python3.12 (x86_64)",
    "Amazon Linux 2023 (Lambda python3.12)",
    LAMBDA_PYTHON_HANDLER,
    lambda_python("3.12", "cp312", "/var/lang/bin/python3.12"),
    LAMBDA_AL2023,
);

const LAMBDA_NODEJS20: Profile = lambda_managed(
    "aws-lambda-nodejs20.x",
    "AWS Lambda — nodejs20.x (x86_64)",
    "Amazon Linux 2023 (Lambda nodejs20.x)",
    LAMBDA_NODE_HANDLER,
    lambda_node("20", "115"),
    LAMBDA_AL2023,
);

const FC_BUILTIN_SOURCES: &[Source] = &[
    Source {
        title: "Function Compute Python runtimes: python3.10 on Debian 10 (x86_64) and its built-in modules",
        url: "https://www.alibabacloud.com/help/en/functioncompute/user-guide/runtime-overview-2",
    },
    Source {
        title: "Function Compute Node.js runtimes: nodejs18 and nodejs20 on Debian 10 (x86_64); ES modules from Node.js 18 through \"type\": \"module\" or .mjs",
        url: "https://alibabacloud.com/help/en/functioncompute/node-js",
    },
];

const SCF_BUILTIN_SOURCES: &[Source] = &[
    Source {
        title: "SCF Python runtime environment: PYTHONPATH /var/user:/opt; no built-in libraries from Python 3.7",
        url: "https://tencentcloud.com/document/product/583/40323",
    },
    Source {
        title: "SCF development: functions run on CentOS 7; only /tmp is writable; the entry file at the zip root",
        url: "https://tencentcloud.com/document/product/583/40325",
    },
];

const GCF_SOURCES: &[Source] = &[
    Source {
        title: "Cloud Run functions Python runtimes: python312 on the google-22 stack (Ubuntu 22.04); the entry point names a function in main.py",
        url: "https://docs.cloud.google.com/run/docs/runtimes/python",
    },
    Source {
        title: "Cloud Functions execution environment: each runtime's Ubuntu version",
        url: "https://docs.cloud.google.com/functions/1stgendocs/concepts/execution-environment.md.txt",
    },
];

/// Cloud Functions (2nd gen) on the google-22 stack: a Cloud Run service the platform builds.
const GCF_PYTHON312: Profile = Profile {
    id: "gcp-cloud-functions-python312",
    name: "Google Cloud Functions — python312",
    image: "Ubuntu 22.04 (google-22 stack, python312)",
    entry: EntryConvention::Handler { default_handler: None, fixed_file: Some("main.py") },
    contract: ServerContract::Handler,
    port: None,
    port_env: None,
    sources: GCF_SOURCES,
    runtime: Some(LanguageRuntime {
        language: Language::Python,
        version: "3.12",
        abi: "cp312",
        interpreter: "python3.12",
        preinstalled: &[],
        provenance: Provenance::Documented,
    }),
    ..CLOUD_RUN
};

/// FC's built-in runtimes on Debian 10: the image of the Debian 10 custom runtime, the handler
/// `index.handler`.
const FC_PYTHON310: Profile = Profile {
    id: "aliyun-fc-python3.10",
    name: "Alibaba Cloud FC — python3.10 (built-in runtime)",
    image: "Debian 10 (built-in python3.10)",
    entry: EntryConvention::Handler { default_handler: Some("index.handler"), fixed_file: None },
    contract: ServerContract::Handler,
    port: None,
    port_env: None,
    sources: FC_BUILTIN_SOURCES,
    runtime: Some(LanguageRuntime {
        language: Language::Python,
        version: "3.10",
        abi: "cp310",
        interpreter: "/var/fc/lang/python3.10/bin/python3",
        preinstalled: &[
            "oss2",
            "tablestore",
            "aliyun-fc2",
            "aliyun-python-sdk-ecs",
            "aliyun-python-sdk-vpc",
            "aliyun-python-sdk-rds",
            "aliyun-python-sdk-kms",
            "aliyun-mns",
            "aliyun-python-sdk-cdn",
            "aliyun-python-sdk-ram",
            "aliyun-python-sdk-sts",
            "aliyun-python-sdk-iot",
            "aliyun-log-python-sdk",
            "wand",
            "scrapy",
            "PyMySQL",
            "elasticsearch",
            "Pillow",
            "pyOpenSSL",
            "redis",
            "requests",
        ],
        provenance: Provenance::Documented,
    }),
    ..FC_DEBIAN10
};

/// SCF event functions on CentOS 7: the handler `index.main_handler`, code in /var/user.
const SCF_PYTHON39: Profile = Profile {
    id: "tencent-scf-python3.9",
    name: "Tencent Cloud SCF — Python 3.9 (event function)",
    image: "CentOS 7 (SCF Python 3.9)",
    entry: EntryConvention::Handler { default_handler: Some("index.main_handler"), fixed_file: None },
    contract: ServerContract::Handler,
    sources: SCF_BUILTIN_SOURCES,
    runtime: Some(LanguageRuntime {
        language: Language::Python,
        version: "3.9",
        abi: "cp39",
        interpreter: "/var/lang/python39/bin/python3",
        preinstalled: &[],
        provenance: Provenance::Derived("no built-in libraries from Python 3.7 (documented); the interpreter path follows SCF's /var/lang/<lang><version> rule"),
    }),
    ..SCF_CUSTOM
};

const HUAWEI_SOURCES: &[Source] = &[
    Source {
        title: "Huawei FunctionGraph: HTTP functions (bootstrap, port 8000, bound to 127.0.0.1)",
        url: "https://support.huaweicloud.com/intl/en-us/ae-ad-1-usermanual-functiongraph/functiongraph_01_1442.html",
    },
    Source {
        title: "Huawei FunctionGraph: notes and constraints (package sizes)",
        url: "https://docs.otc.t-systems.com/function-graph/umn/service_overview/notes_and_constraints.html",
    },
];

const AZURE_SOURCES: &[Source] = &[Source {
    title: "Azure Functions custom handlers (host.json customHandler, FUNCTIONS_CUSTOMHANDLER_PORT)",
    url: "https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers",
}];

/// Every profile, in the order the page lists them. Variants state only what differs from their base.
pub const PROFILES: &[Profile] = &[
    FC_DEBIAN10,
    Profile {
        id: "aliyun-fc-debian12",
        name: "Alibaba Cloud FC — custom runtime (Debian 12)",
        image: "Debian 12 (custom.debian12)",
        glibc: "2.36",
        glibc_provenance: Provenance::Derived(
            "Debian 12 ships glibc 2.36; assumes FC's image tracks Debian's packages",
        ),
        // A different image: every image fact is restated, none inherited from Debian 10.
        glibcxx: "3.4.30",
        cxxabi: "1.3.13",
        libstdcxx_provenance: Provenance::Derived("Debian 12's libstdc++ is from GCC 12"),
        interpreters: &["/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/env", "/usr/bin/bash", "/usr/bin/python3"],
        libraries: &["libz.so.1", "libssl.so.3", "libcrypto.so.3", "libcrypt.so.1"],
        library_provenance: Provenance::Derived(
            "Debian 12 packages (OpenSSL 3; FC's runtime table lists Python 3.11 at /usr/bin/python3); FC adds /code and /code/lib to LD_LIBRARY_PATH",
        ),
        ..FC_DEBIAN10
    },
    SCF_CUSTOM,
    Profile {
        id: "tencent-scf-web",
        name: "Tencent Cloud SCF — web function (scf_bootstrap)",
        entry: EntryConvention::RootExecutable { file: "scf_bootstrap", start_command_allowed: false },
        contract: ServerContract::HttpServer,
        port: Some(9000),
        ..SCF_CUSTOM
    },
    LAMBDA_AL2,
    LAMBDA_AL2023,
    Profile {
        id: "aws-lambda-al2023-arm64",
        name: "AWS Lambda — provided.al2023 (arm64)",
        arch: Arch::Arm64,
        arch_label: "arm64",
        loaders: ARM64_LOADERS,
        ..LAMBDA_AL2023
    },
    CLOUD_RUN,
    Profile {
        id: "huawei-functiongraph",
        name: "Huawei Cloud FunctionGraph — HTTP function (bootstrap)",
        vendor: "huawei",
        image: "FunctionGraph runtime (OS not documented)",
        arch: Arch::X86_64,
        arch_label: "x86_64",
        libc: "glibc",
        glibc: "2.17",
        glibc_provenance: Provenance::Assumed("the image's OS is not documented; 2.17 (CentOS 7 / EulerOS 2) is the cautious guess"),
        glibcxx: "3.4.19",
        cxxabi: "1.3.7",
        libstdcxx_provenance: Provenance::Assumed("follows the assumed glibc"),
        loaders: X86_64_LOADERS,
        interpreters: &["/bin/sh", "/bin/bash", "/usr/bin/env", "/bin/env", "/usr/bin/bash", "/opt/function/runtime/"],
        absent_commands: &[],
        libraries: &["libz.so.1"],
        library_dirs: &[],
        library_provenance: Provenance::Assumed("the image's packages are not documented"),
        code_dir: "/opt/function/code",
        entry: EntryConvention::RootExecutable { file: "bootstrap", start_command_allowed: false },
        contract: ServerContract::HttpServer,
        port: Some(8000),
        port_env: None,
        zipped_limits: &[SizeLimit {
            bytes: 41_943_040,
            hard: false,
            note: "40 MB through the console; larger packages go through OBS (the English and Chinese pages disagree on the API limit)",
        }],
        unzipped_limit: None,
        code_dir_writable: true,
        installs_dependencies: false,
        loopback_reachable: true,
        runs_as_root: false,
        user_provenance: Provenance::Derived("container functions run as UID/GID 1003; assumed the same for code packages"),
        sources: HUAWEI_SOURCES,
        runtime: None,
    },
    Profile {
        id: "azure-custom-handler",
        name: "Azure Functions — custom handler (Linux)",
        vendor: "azure",
        image: "Azure Functions Linux host (Debian 11)",
        arch: Arch::X86_64,
        arch_label: "x86_64",
        libc: "glibc",
        glibc: "2.31",
        glibc_provenance: Provenance::Derived("the Functions v4 Linux images are based on Debian 11 (bullseye), which ships glibc 2.31"),
        glibcxx: "3.4.28",
        cxxabi: "1.3.12",
        libstdcxx_provenance: Provenance::Derived("Debian 11's libstdc++ is from GCC 10"),
        loaders: X86_64_LOADERS,
        interpreters: SHELLS,
        absent_commands: &[],
        libraries: &["libz.so.1", "libssl.so.1.1", "libcrypto.so.1.1", "libcrypt.so.1"],
        library_dirs: &[],
        library_provenance: Provenance::Derived("Debian 11 packages"),
        code_dir: "/home/site/wwwroot",
        entry: EntryConvention::HostJson,
        contract: ServerContract::HttpServer,
        port: None,
        port_env: Some("FUNCTIONS_CUSTOMHANDLER_PORT"),
        zipped_limits: &[],
        unzipped_limit: None,
        code_dir_writable: true,
        installs_dependencies: false,
        loopback_reachable: true,
        runs_as_root: false,
        user_provenance: Provenance::Assumed("the worker's user is not documented; read and execute bits are checked as for a non-root user"),
        sources: AZURE_SOURCES,
        runtime: None,
    },
    LAMBDA_PYTHON312,
    Profile {
        id: "aws-lambda-python3.12-arm64",
        name: "AWS Lambda — python3.12 (arm64)",
        arch: Arch::Arm64,
        arch_label: "arm64",
        loaders: ARM64_LOADERS,
        ..LAMBDA_PYTHON312
    },
    lambda_managed(
        "aws-lambda-python3.9",
        "AWS Lambda — python3.9 (x86_64)",
        "Amazon Linux 2 (Lambda python3.9)",
        LAMBDA_PYTHON_HANDLER,
        lambda_python("3.9", "cp39", "/var/lang/bin/python3.9"),
        LAMBDA_AL2,
    ),
    LAMBDA_NODEJS20,
    Profile {
        id: "aws-lambda-nodejs20.x-arm64",
        name: "AWS Lambda — nodejs20.x (arm64)",
        arch: Arch::Arm64,
        arch_label: "arm64",
        loaders: ARM64_LOADERS,
        ..LAMBDA_NODEJS20
    },
    lambda_managed(
        "aws-lambda-nodejs18.x",
        "AWS Lambda — nodejs18.x (x86_64)",
        "Amazon Linux 2 (Lambda nodejs18.x)",
        LAMBDA_NODE_HANDLER,
        lambda_node("18", "108"),
        LAMBDA_AL2,
    ),
    lambda_managed(
        "aws-lambda-java21",
        "AWS Lambda — java21 (x86_64)",
        "Amazon Linux 2023 (Lambda java21)",
        EntryConvention::Handler { default_handler: Some("example.Hello::handleRequest"), fixed_file: None },
        Some(LanguageRuntime {
            language: Language::Java,
            version: "21",
            abi: "65",
            interpreter: "/var/lang/bin/java",
            preinstalled: &[],
            provenance: Provenance::Derived("Java 21 reads class files up to major version 65"),
        }),
        LAMBDA_AL2023,
    ),
    FC_PYTHON310,
    Profile {
        id: "aliyun-fc-nodejs18",
        name: "Alibaba Cloud FC — nodejs18 (built-in runtime)",
        image: "Debian 10 (built-in nodejs18)",
        runtime: Some(LanguageRuntime {
            language: Language::Node,
            version: "18",
            abi: "108",
            interpreter: "/var/fc/lang/nodejs18/bin/node",
            preinstalled: &["co", "gm", "ali-oss", "aliyun-sdk", "@alicloud/fc2", "tablestore", "body", "raw-body", "ali-mns", "@alicloud/pop-core"],
            provenance: Provenance::Documented,
        }),
        ..FC_PYTHON310
    },
    SCF_PYTHON39,
    Profile {
        id: "tencent-scf-nodejs16.13",
        name: "Tencent Cloud SCF — Node.js 16.13 (event function)",
        image: "CentOS 7 (SCF Node.js 16.13)",
        runtime: Some(LanguageRuntime {
            language: Language::Node,
            version: "16",
            abi: "93",
            interpreter: "/var/lang/node16/bin/node",
            preinstalled: &[],
            provenance: Provenance::Derived("Node.js 16 has NODE_MODULE_VERSION 93; the interpreter path follows SCF's /var/lang/<lang><version> rule"),
        }),
        ..SCF_PYTHON39
    },
    GCF_PYTHON312,
    Profile {
        id: "gcp-cloud-functions-nodejs20",
        name: "Google Cloud Functions — nodejs20",
        image: "Ubuntu 22.04 (google-22 stack, nodejs20)",
        entry: EntryConvention::Handler { default_handler: None, fixed_file: Some("index.js") },
        runtime: Some(LanguageRuntime {
            language: Language::Node,
            version: "20",
            abi: "115",
            interpreter: "node",
            preinstalled: &[],
            provenance: Provenance::Derived("Node.js 20 has NODE_MODULE_VERSION 115"),
        }),
        ..GCF_PYTHON312
    },
];

/// The profile used when none is chosen.
pub const DEFAULT_PROFILE: &str = "aliyun-fc";

/// Looks a profile up by its public id.
pub fn profile(id: &str) -> Option<&'static Profile> {
    PROFILES.iter().find(|p| p.id == id)
}

/// Every public profile id, for messages listing the choices.
pub fn profile_ids() -> Vec<&'static str> {
    PROFILES.iter().map(|p| p.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Variants on another image state that image's facts; these are the ones a base once leaked.
    #[test]
    fn a_variant_on_another_image_has_that_image_s_libraries() {
        let facts = |id: &str| {
            let p = profile(id).unwrap();
            (p.glibc, p.glibcxx, p.libraries.iter().find(|l| l.starts_with("libssl.so.")).copied())
        };
        assert_eq!(facts("aliyun-fc"), ("2.28", "3.4.25", Some("libssl.so.1.1")));
        assert_eq!(facts("aliyun-fc-debian12"), ("2.36", "3.4.30", Some("libssl.so.3")));
        assert_eq!(facts("aws-lambda-al2023"), ("2.34", "3.4.29", Some("libssl.so.3")));
        assert_eq!(facts("aws-lambda-al2"), ("2.26", "3.4.24", Some("libssl.so.10")));
        assert!(profile("aliyun-fc-debian12").unwrap().interpreters.contains(&"/usr/bin/python3"));
        assert!(!profile("aliyun-fc-debian12").unwrap().interpreters.contains(&"/var/fc/lang/"));
    }

    #[test]
    fn managed_runtimes_state_their_language_and_call_a_handler() {
        for p in PROFILES {
            let managed = matches!(p.entry, EntryConvention::Handler { .. });
            assert_eq!(managed, p.runtime.is_some(), "{}: a handler entry goes with a language runtime", p.id);
            assert_eq!(managed, p.contract == ServerContract::Handler, "{}", p.id);
            let Some(r) = p.runtime else { continue };
            let abi_fits = match r.language {
                Language::Python => r.abi == format!("cp{}", r.version.replace('.', "")),
                Language::Node | Language::Java => r.abi.parse::<u32>().is_ok(),
            };
            assert!(abi_fits, "{}: ABI {} for {:?} {}", p.id, r.abi, r.language, r.version);
            assert!(p.id.contains(&r.version.replace('.', "")) || p.id.contains(r.version), "{}: {}", p.id, r.version);
        }
        // The facts of the image follow the image, not the language.
        assert_eq!(profile("aws-lambda-python3.9").unwrap().glibc, "2.26");
        assert_eq!(profile("aws-lambda-python3.12").unwrap().glibc, "2.34");
        assert_eq!(profile("aws-lambda-nodejs20.x-arm64").unwrap().arch, Arch::Arm64);
        assert_eq!(profile("tencent-scf-python3.9").unwrap().glibc, "2.17");
    }

    #[test]
    fn port_rules_say_what_the_platform_expects() {
        assert_eq!(profile("aliyun-fc").unwrap().port_rule(), "9000 (or $FC_SERVER_PORT when set)");
        assert_eq!(profile("aws-lambda-al2023").unwrap().port_rule(), "none: the code polls the runtime API");
        assert_eq!(
            profile("azure-custom-handler").unwrap().port_rule(),
            "the one the platform assigns in $FUNCTIONS_CUSTOMHANDLER_PORT"
        );
    }

    #[test]
    fn limits_read_in_the_units_vendors_mean() {
        let limit = |bytes| SizeLimit { bytes, hard: true, note: "" }.size_text();
        assert_eq!(limit(52_428_800), "50 MiB");
        assert_eq!(limit(524_288_000), "500 MiB");
        assert_eq!(limit(78_643_200), "75 MiB");
        assert_eq!(limit(3_000_000), "2.9 MiB");
        for p in PROFILES {
            for l in p.zipped_limits.iter().chain(&p.unzipped_limit) {
                assert!(!l.size_text().contains('.'), "{}: {} is not a whole number of MiB", p.id, l.bytes);
            }
        }
    }

    #[test]
    fn required_ids_exist_and_are_unique() {
        for id in [
            "aliyun-fc",
            "aliyun-fc-debian12",
            "tencent-scf",
            "tencent-scf-web",
            "aws-lambda-al2",
            "aws-lambda-al2023",
            "aws-lambda-al2023-arm64",
            "gcp-cloud-run",
            "huawei-functiongraph",
            "azure-custom-handler",
            "aws-lambda-python3.12",
            "aws-lambda-python3.12-arm64",
            "aws-lambda-python3.9",
            "aws-lambda-nodejs20.x",
            "aws-lambda-nodejs20.x-arm64",
            "aws-lambda-nodejs18.x",
            "aws-lambda-java21",
            "aliyun-fc-python3.10",
            "aliyun-fc-nodejs18",
            "tencent-scf-python3.9",
            "tencent-scf-nodejs16.13",
            "gcp-cloud-functions-python312",
            "gcp-cloud-functions-nodejs20",
        ] {
            assert!(profile(id).is_some(), "{id}");
        }
        let mut ids = profile_ids();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), PROFILES.len());
        assert!(profile(DEFAULT_PROFILE).is_some());
        assert_eq!(profile("aliyun-fc").unwrap().default_entry_path().as_deref(), Some("/code/bootstrap"));
    }
}
