//! `civitas present`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::ecdsa::EcdsaRdfc2019;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::present;

use crate::util::{
    CliResult, EXIT_VALID, load_p256_key, read_json, refuse_holder_secret,
    refuse_output_onto_input, write_json_out,
};

pub(crate) fn run(
    jsonld: &Arc<JsonLdProcessor>,
    holder_key: &Path,
    challenge: &str,
    domain: &str,
    derived: &[PathBuf],
    output: Option<&Path>,
) -> CliResult<u8> {
    let mut inputs: Vec<&Path> = derived.iter().map(PathBuf::as_path).collect();
    inputs.push(holder_key);
    refuse_output_onto_input(output, &inputs)?;
    let (key, _) = load_p256_key(holder_key, "signing a presentation")?;
    let credentials = derived
        .iter()
        .map(|p| {
            let v = read_json(p)?;
            refuse_holder_secret(p, &v, "civitas present")?;
            Ok(v)
        })
        .collect::<CliResult<Vec<_>>>()?;
    let vp = present(
        &EcdsaRdfc2019::new(Arc::clone(jsonld)),
        credentials,
        &key,
        challenge,
        domain,
    )?;
    write_json_out(output, &vp)?;
    Ok(EXIT_VALID)
}
