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

/// The example diploma's context URL.
pub(crate) const DIPLOMA_CONTEXT: &str = "https://civitas.example/contexts/diploma/v1";

/// Register the example diploma's context (`cli/data/`) on `jsonld`.
pub(crate) fn register_diploma_context(jsonld: &civitas_core::jsonld::JsonLdProcessor) {
    let text =
        std::fs::read_to_string(example("civitas.example_contexts_diploma_v1.jsonld")).unwrap();
    jsonld.register_context(DIPLOMA_CONTEXT, &text).unwrap();
}

/// The unsigned example diploma (`cli/data/diploma.json`).
pub(crate) fn diploma() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(example("diploma.json")).unwrap()).unwrap()
}
