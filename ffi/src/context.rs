//! The JSON-LD contexts the app hands in, and JSON text from the caller: shared by the
//! [`crate::Wallet`] and the [`crate::Verifier`].

use std::sync::Arc;

use civitas_core::jsonld::JsonLdProcessor;
use serde_json::Value;

use crate::CivitasError;

// ---- contexts ----------------------------------------------------------------------------

/// A JSON-LD context document the credentials use, registered for `url` (nothing is ever
/// fetched from the network; the W3C contexts are bundled).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContextDoc {
    /// The context URL, as written in the credentials' `@context`.
    pub url: String,
    /// The context document (JSON text).
    pub json: String,
}

/// The JSON-LD processor with the bundled contexts and `contexts`.
pub(crate) fn jsonld(contexts: &[ContextDoc]) -> Result<Arc<JsonLdProcessor>, CivitasError> {
    let processor = JsonLdProcessor::default();
    for c in contexts {
        processor.register_context(&c.url, &c.json)?;
    }
    Ok(Arc::new(processor))
}

/// Parses JSON text given by the caller; `what` names the argument in the error.
pub(crate) fn parse_json(text: &str, what: &'static str) -> Result<Value, CivitasError> {
    civitas_core::json::parse(text.as_bytes(), &civitas_core::json::JsonLimits::default()).map_err(
        |e| CivitasError::InvalidInput {
            reason: format!("{what}: {e}"),
        },
    )
}
