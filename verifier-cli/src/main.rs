//! `civitas`: the command for agency verifiers and issuers.
//!
//! The verify, issue, derive, present, status and qr commands arrive with the CLI issue; until
//! then the command only reports its version, so that nothing appears to work that does not.

use clap::Parser;

/// Civitas: verify presentations at the agency desk; issue and revoke credentials.
#[derive(Debug, Parser)]
#[command(name = "civitas", version, about)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    println!(
        "civitas {}: no commands are available yet; see README.md",
        env!("CARGO_PKG_VERSION")
    );
}
