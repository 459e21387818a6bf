//! The knowledge base compiled from `knowledge/` by `build.rs`: [`CAUSES`], [`PATTERNS`] and
//! [`SCF_STATUSES`]. Edit the TOML files, not the generated code.

include!(concat!(env!("OUT_DIR"), "/knowledge.rs"));
