//! The `bbs-2023` Data Integrity cryptosuite (W3C "Data Integrity BBS Cryptosuites v1.0",
//! <https://www.w3.org/TR/vc-di-bbs/>).
//!
//! - [`proof_value`]: serialization and parsing of base and derived proof values
//!   (<https://www.w3.org/TR/vc-di-bbs/#bbs-2023-functions>).

pub mod features;
mod labels;
pub mod proof_value;
pub mod select;
mod suite;

pub use features::{BindingSecrets, CommitmentRequest, commitment_request};
pub(crate) use suite::WRONG_HOLDER_SECRETS;
pub use suite::{BaseProofData, Bbs2023, Grouped, ProofOptions, VerifiedDocument};
