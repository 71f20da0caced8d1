//! UniFFI layer of Civitas for mobile wallets and Python.
//!
//! Not built yet: the wallet and verifier objects arrive with the wallet issue. This crate
//! exists so that the library name (`civitas_ffi`, never `ffi`) is fixed from the start.

/// The version of the Civitas library this layer wraps.
pub fn civitas_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
