//! UniFFI layer of Civitas for mobile wallets (Kotlin, Swift) and Python.
//!
//! Thin objects over `civitas-core`, no logic of their own: every function decodes its
//! arguments with the core decoders, calls one core operation and encodes the result. The
//! bindings under `bindings/` are generated from this crate's compiled library
//! (`bindings/generate.sh`) and tested from each language (`bindings/test.sh`).
//!
//! Rules at this boundary:
//! - One error type, [`CivitasError`], built from [`civitas_core::Error`] in one `From`.
//!   Its messages carry no personal data: no claim values, no key bytes.
//! - Secrets are created inside Rust and never returned. [`IssuerKey`] holds its BBS secret
//!   key, [`Wallet`] its P-256 device key, for their lifetime; the foreign object's `close()` / `deinit` / `__del__` drops the
//!   Rust object, which zeroizes the key. A secret that ever has to come *in* as bytes must be
//!   wrapped in [`zeroize::Zeroizing`] at once (uniffi frees its buffers without zeroizing).
//! - All BBS operations use the ciphersuite BLS12-381-SHA-256, the one bbs-2023 requires.

// The workspace's `deny(unsafe_code)` stays in force here. UniFFI's scaffolding (from
// `setup_scaffolding!`, `#[uniffi::export]` and the derives) does contain `unsafe`
// (`extern "C"` entry points, `#[unsafe(no_mangle)]`, raw handles), but it is expanded from an
// external proc-macro crate, which rustc does not lint (checked with uniffi 0.32.2). Should a
// later uniffi trip the lint, allow `unsafe_code` for this crate only (`#![allow(unsafe_code)]`
// here) with this reason; the hand-written code below has no `unsafe`.
uniffi::setup_scaffolding!();

mod bbs;
mod context;
mod error;
mod issuer;
mod openid4vci;
mod openid4vp;
mod verifier;
mod wallet;

pub use bbs::{BbsVerifier, derive_proof};
pub use context::ContextDoc;
pub use error::CivitasError;
pub use issuer::{IssuerKey, PublicKeyInfo, live_secret_keys};
pub use openid4vci::{
    OpenId4VciClaimName, OpenId4VciDisplay, OpenId4VciIssuer, OpenId4VciOffer,
    OpenId4VciOfferInvocation, OpenId4VciPost, openid4vci_offer, parse_openid4vci_offer_url,
};
pub use openid4vp::{
    OpenId4VpConsent, OpenId4VpInvocation, OpenId4VpPost, OpenId4VpReply, OpenId4VpRequest,
    QueryConsent, openid4vp_reply, parse_openid4vp_url,
};
pub use verifier::{
    ClaimValue, FailureRecord, VerificationResult, VerifiedCredentialRecord, Verifier,
};
pub use wallet::{
    ClaimRecord, ConsentSummary, CredentialStore, CredentialSummary, DisclosedClaim,
    DisclosureRequest, HistoryRecord, HolderBinding, KeyStore, PresentationRequest,
    PresentationResult, PseudonymUse, Wallet, live_device_keys,
};

/// The ciphersuite of every BBS operation of this layer (the one bbs-2023 uses).
const SUITE: civitas_core::bbs::Ciphersuite = civitas_core::bbs::Ciphersuite::Bls12381Sha256;

/// The version of the Civitas library these bindings wrap (`major.minor.patch`).
#[uniffi::export]
pub fn civitas_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Converts disclosed indexes from the FFI's `u32` to `usize`. Lossless wherever pointers
/// have 32 bits or more; elsewhere an unrepresentable index becomes `usize::MAX`, which the
/// core rejects as out of range.
fn indexes(disclosed: &[u32]) -> Vec<usize> {
    disclosed
        .iter()
        .map(|&i| usize::try_from(i).unwrap_or(usize::MAX))
        .collect()
}
