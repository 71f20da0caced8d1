//! `civitas qr`.

use std::path::PathBuf;

use clap::Subcommand;

use crate::util::{
    CliError, CliResult, EXIT_VALID, read_json, refuse_holder_secret, refuse_output_onto_input,
};

#[derive(Debug, Subcommand)]
pub(crate) enum QrCommand {
    /// Encode a presentation as a QR code PNG (compact payload: DEFLATE with a preset
    /// dictionary, then Base45; error correction M).
    #[command(after_help = "Example: civitas qr encode presentation.json -o presentation.png")]
    Encode {
        /// The presentation (or derived credential) to encode.
        input: PathBuf,
        /// The PNG to write.
        #[arg(short, long, value_name = "OUT.png")]
        output: PathBuf,
    },
}

pub(crate) fn run(cmd: QrCommand) -> CliResult<u8> {
    match cmd {
        QrCommand::Encode { input, output } => {
            refuse_output_onto_input(Some(&output), &[&input])?;
            let v = read_json(&input)?;
            refuse_holder_secret(&input, &v, "civitas qr encode")?;
            let raw = serde_json::to_vec(&v)
                .map_err(|e| CliError::input(e.to_string()))?
                .len();
            let payload = civitas_core::compact::encode_json(&v)?;
            let info = civitas_cli::qr::encode_png(&payload, &output)
                .map_err(|e| CliError::input(format!("{}: {e}", output.display())))?;
            println!(
                "wrote {}: QR version {} ({} modules), {} payload characters from {} bytes of JSON",
                output.display(),
                info.version,
                info.modules,
                payload.len(),
                raw
            );
            Ok(EXIT_VALID)
        }
    }
}
