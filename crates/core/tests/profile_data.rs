//! The profile compiler (`build_profiles.rs`, run by `build.rs`) refuses data that would make a
//! profile say something false: each test breaks one file of a copy of `knowledge/` and expects the
//! build to stop with a message naming it.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

#[path = "../build_common.rs"]
#[allow(dead_code)]
mod common;
#[path = "../build_profiles.rs"]
mod profiles;

/// A copy of the profile data in a fresh directory, to break.
struct Knowledge {
    root: PathBuf,
}

impl Knowledge {
    fn copy(name: &str) -> Knowledge {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let root = std::env::temp_dir().join(format!("bootdoctor-profile-data-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in ["images", "profiles"] {
            fs::create_dir_all(root.join(dir)).unwrap();
            for entry in fs::read_dir(source.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                fs::copy(&path, root.join(dir).join(path.file_name().unwrap())).unwrap();
            }
        }
        fs::copy(source.join("profile-order.toml"), root.join("profile-order.toml")).unwrap();
        Knowledge { root }
    }

    /// Replaces `from` by `to` in one file, which must contain it.
    fn edit(&self, file: &str, from: &str, to: &str) -> &Knowledge {
        let path = self.root.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    /// The generated code, or the message the build stops with.
    fn compile(&self) -> Result<String, String> {
        let root = self.root.clone();
        let result = panic::catch_unwind(move || {
            let mut out = String::new();
            profiles::emit(&mut out, &root);
            out
        });
        result.map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        })
    }

    /// Expects the build to stop with a message containing `what`.
    fn refused(&self, what: &str) {
        let message = self.compile().expect_err("the broken data compiled");
        assert!(message.contains(what), "expected {what:?} in {message:?}");
    }
}

impl Drop for Knowledge {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

#[test]
fn the_shipped_data_compiles_with_each_profile_s_image_facts() {
    let out = Knowledge::copy("shipped").compile().unwrap();
    assert_eq!(out.matches("    Profile {").count(), 23);
    // aliyun-fc-debian12 extends aliyun-fc yet has Debian 12's libraries and not FC Debian 10's
    // runtime directory.
    let line = out.lines().find(|l| l.contains("id: \"aliyun-fc-debian12\"")).unwrap();
    assert!(line.contains("\"libssl.so.3\"") && line.contains("glibcxx: \"3.4.30\""), "{line}");
    assert!(!line.contains("/var/fc/lang/"), "{line}");
}

#[test]
fn a_variant_on_another_image_must_restate_what_depends_on_it() {
    Knowledge::copy("restate")
        .edit("profiles/aliyun-fc-debian12.toml", "runtime_interpreters = []\n", "")
        .refused("`runtime_interpreters` must be stated here");
}

#[test]
fn a_variant_on_the_same_image_inherits_quietly() {
    let k = Knowledge::copy("inherit");
    k.edit("profiles/aws-lambda-al2023-arm64.toml", "arch = \"arm64\"", "arch = \"arm64\"\nos = \"al2023\"");
    assert!(k.compile().is_ok());
}

#[test]
fn openssl_must_match_the_libraries_the_image_lists() {
    Knowledge::copy("openssl")
        .edit("images/debian12.toml", "openssl = \"3.0\"", "openssl = \"1.1.1\"")
        .refused("OpenSSL 1.1.1 installs libssl.so.1.1 and no other libssl");
}

#[test]
fn unknown_fields_and_images_are_refused() {
    Knowledge::copy("field").edit("profiles/tencent-scf-web.toml", "port = 9000", "prot = 9000").refused("prot");
    Knowledge::copy("os")
        .edit("profiles/aliyun-fc.toml", "os = \"debian10\"", "os = \"debian9\"")
        .refused("`os` names debian9, which has no file in images/");
}

#[test]
fn a_managed_runtime_states_a_fitting_abi_and_no_port() {
    Knowledge::copy("abi")
        .edit("profiles/aws-lambda-python3.9.toml", "abi = \"cp39\"", "abi = \"cp312\"")
        .refused("ABI cp312 does not fit python 3.9");
    Knowledge::copy("port")
        .edit("profiles/aliyun-fc-python3.10.toml", "unset = [\"port\", \"port_env\"]\n", "")
        .refused("a server has a port or a port variable, and only it");
}

#[test]
fn extends_chains_end_and_the_order_lists_every_profile() {
    Knowledge::copy("loop")
        .edit("profiles/aliyun-fc.toml", "id = \"aliyun-fc\"", "id = \"aliyun-fc\"\nextends = \"aliyun-fc-debian12\"")
        .refused("`extends` loops");
    Knowledge::copy("order")
        .edit("profile-order.toml", "    \"gcp-cloud-run\",\n", "")
        .refused("the order must list every file in profiles/ exactly once");
}
