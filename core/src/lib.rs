//! # civitas-core
//!
//! The library behind Civitas: self-sovereign identity for public services.
//!
//! - [`bbs`]: BBS signatures and zero-knowledge proofs of knowledge (IRTF CFRG draft
//!   "The BBS Signature Scheme", hashing order of draft-06 and later) for the ciphersuites
//!   BLS12-381-SHA-256 and BLS12-381-SHAKE-256, on `blst`; [`bbs::blind`] (Blind BBS) and
//!   [`bbs::pseudonym`] (per-verifier pseudonyms, draft -01) on top.
//! - `hazmat` (public with the `hazmat` feature, for conformance tests): the draft's low-level building blocks (generators, hash-to-scalar,
//!   message mapping, mocked random scalars) for conformance testing and protocol work.
//! - [`keys`]: Multikey public keys (BLS12-381 G2, P-256, Ed25519) with multibase and
//!   multicodec encodings; [`did`]: did:key formatting, parsing and documents.
//! - [`bbs2023`]: the bbs-2023 cryptosuite's proof values (base and derived).
//! - [`ecdsa`]: ECDSA P-256 keys and signers, and the `ecdsa-rdfc-2019` cryptosuite.
//! - [`issuance`]: the issuer's policy every credential gets ([`CredentialIssuer`]): the VC
//!   data model's basics, status indexes inside the list, the proof's contexts, and the
//!   pointers a holder may never hide.
//! - [`wallet`]: the holder wallet: encrypted storage, import, display data, consent
//!   summaries and presentation history.
//! - [`verifier`]: the verifier's policy (trust, validity, status, replay, required claims)
//!   over both cryptosuites; [`presentation`]: holder-signed Verifiable Presentations.
//! - [`rdf`]: the RDF data model, N-Quads, and RDFC-1.0 dataset canonicalization
//!   ([`canonicalize`]).
//! - [`status`]: W3C Bitstring Status List: status bitstrings, `encodedList`, status list
//!   credentials and entries, and the verifier's status check ([`check_status`]).
//!
//! Every decoder validates its input and returns [`Error`] on bad input; nothing panics on
//! input-derived data.
#![cfg_attr(not(test), warn(missing_docs))]

pub mod bbs;
pub mod bbs2023;
pub(crate) mod cbor;
pub mod compact;
pub mod did;
pub mod ecdsa;
mod error;
// The low-level building blocks: public only with the `hazmat` feature (conformance testing,
// protocols built on BBS); without it, bbs-2023's features still use them inside the crate.
#[cfg(feature = "hazmat")]
pub mod hazmat;
#[cfg(not(feature = "hazmat"))]
#[allow(
    dead_code,
    unreachable_pub,
    reason = "without the hazmat feature only what bbs2023 uses is reachable"
)]
mod hazmat;
pub mod issuance;
pub mod jose;
pub mod json;
pub mod json_pointer;
pub mod jsonld;
pub mod keys;
pub mod openid4vci;
pub mod openid4vp;
pub mod presentation;
pub mod rdf;
pub mod sdjwt;
pub mod status;
mod time;
pub mod tlog;
pub mod vc;
pub mod verifier;
pub mod wallet;
pub mod x509;

pub use error::{CborErrorKind, Error, ErrorKind};
pub use issuance::{AssignedIndexes, CredentialIssuer, StatusAssignment};
pub use rdf::{CanonOptions, Canonicalized, canonicalize, canonicalize_nquads};
pub use status::{
    BitstringStatusListEntry, StatusList, StatusListCredential, StatusPurpose, StatusResult,
    VerifiedStatusList, check_status,
};
pub use time::Timestamp;
