//! `civitas derive`.

use std::path::Path;
use std::sync::Arc;

use civitas_core::bbs2023::Bbs2023;
use civitas_core::jsonld::JsonLdProcessor;

use crate::util::{
    CliResult, EXIT_VALID, hex_arg, read_json, read_pointers, refuse_output_onto_input,
    write_json_out,
};

/// The presentation header a derivation binds to.
pub(crate) enum Header {
    /// None (empty).
    None,
    /// Given in hexadecimal (`--presentation-header`).
    Hex(String),
    /// A verifier's request: challenge and optional domain (`--challenge`, `--domain`),
    /// encoded as `civitas_core::verifier::request_binding`.
    Request(String, Option<String>),
}

pub(crate) fn run(
    jsonld: &Arc<JsonLdProcessor>,
    disclose: &Path,
    header: Header,
    signed: &Path,
    output: Option<&Path>,
) -> CliResult<u8> {
    refuse_output_onto_input(output, &[signed, disclose])?;
    let pointers = read_pointers(disclose)?;
    let ph = match header {
        Header::None => Vec::new(),
        Header::Hex(h) => hex_arg("--presentation-header", &h)?,
        Header::Request(c, d) => civitas_core::verifier::request_binding(&c, d.as_deref()),
    };
    let signed = read_json(signed)?;
    let derived = Bbs2023::new(Arc::clone(jsonld)).derive(&signed, &pointers, &ph)?;
    write_json_out(output, &derived)?;
    Ok(EXIT_VALID)
}
