//! The integration tests of the `civitas` command, one test binary: each module is one
//! former test file (the command's cases, QR images, status and issuance, the desk service, the
//! OpenID4VCI issuer); `support` holds what they share (running `civitas`, scratch directories,
//! the test diploma context).
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests: a failed expectation is a panic"
)]

mod cli;
mod haip;
mod issuer;
mod log;
mod qr;
mod sdjwt;
mod serve;
mod status_issuance;
mod support;
mod transparency;
mod vci_sdjwt;

/// The repository's root.
fn repo() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
