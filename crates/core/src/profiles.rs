//! Platform profiles: what each serverless runtime expects of a package, as data with sources.
//!
//! The facts live in `knowledge/profiles/<id>.toml` (one file per profile, a variant `extends` its
//! base) and `knowledge/images/<os>.toml` (libc, libstdc++, OpenSSL, interpreters and libraries of
//! one OS image); `build.rs` validates them and compiles them into [`PROFILES`]. This module holds
//! the types and what is computed from them.
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
    /// The OS image the code runs on, as people name it.
    pub image: &'static str,
    /// The id of the image file (`knowledge/images/<os>.toml`) every libc, libstdc++, OpenSSL,
    /// interpreter and library fact comes from.
    pub os: &'static str,
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
    /// The OpenSSL version the image ships (`3.0`, `1.1.1`), or `unknown`.
    pub openssl: &'static str,
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

/// Dynamic loaders of an x86_64 glibc image.
const X86_64_LOADERS: &[&str] = &["/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"];
/// Dynamic loaders of an arm64 glibc image.
const ARM64_LOADERS: &[&str] = &["/lib/ld-linux-aarch64.so.1", "/lib64/ld-linux-aarch64.so.1"];

// `PROFILES`, compiled by build.rs from `knowledge/profiles/*.toml` and `knowledge/images/*.toml`.
include!(concat!(env!("OUT_DIR"), "/profiles.rs"));

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
