//! `civitas derive`.

use std::path::Path;
use std::sync::Arc;

use civitas_core::bbs2023::Bbs2023;
use civitas_core::jsonld::JsonLdProcessor;

use crate::util::{
    CliResult, EXIT_VALID, hex_arg, read_json, read_pointers, refuse_output_onto_input,
    write_json_out,
};

pub fn run(
    jsonld: &Arc<JsonLdProcessor>,
    disclose: &Path,
    presentation_header: Option<&str>,
    signed: &Path,
    output: Option<&Path>,
) -> CliResult<u8> {
    refuse_output_onto_input(output, &[signed, disclose])?;
    let pointers = read_pointers(disclose)?;
    let ph = presentation_header
        .map(|h| hex_arg("--presentation-header", h))
        .transpose()?
        .unwrap_or_default();
    let signed = read_json(signed)?;
    let derived = Bbs2023::new(Arc::clone(jsonld)).derive(&signed, &pointers, &ph)?;
    write_json_out(output, &derived)?;
    Ok(EXIT_VALID)
}
