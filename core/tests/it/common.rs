//! Helpers shared by the test modules.

use std::path::PathBuf;

/// The upstream vectors: `CIVITAS_VECTORS`, or `../shared/vectors` beside the checkout.
pub(crate) fn vectors_dir() -> PathBuf {
    match std::env::var_os("CIVITAS_VECTORS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
    }
}

/// A file of the project's example data (the diploma and its context, kept with the
/// `civitas demo` that ships them: `cli/data/`).
pub(crate) fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../cli/data")
        .join(name)
}
