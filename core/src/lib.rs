//! # civitas-core
//!
//! The library behind Civitas: self-sovereign identity for public services. All logic lives
//! here, transport-free; the `civitas` command and the FFI layer call it and add none.
//!
//! ## How the API is laid out
//! A public module is a namespace a caller names: one per specification or concept. The
//! files that implement a namespace are private, and the namespace re-exports what they
//! offer with `pub use` (so `tlog::inclusion_proof`, not `tlog::merkle::inclusion_proof`).
//! Only a sub-specification with its own operations keeps a namespace of its own
//! ([`bbs::blind`], [`bbs::pseudonym`], [`jose::jws`], [`jose::jwe`], [`openid4vp::dcql`],
//! [`sdjwt::vc`], [`sdjwt::status`]). The lint `unreachable_pub` holds this: an item marked
//! `pub` that no re-export reaches is a warning, and warnings fail CI.
//!
//! ## Namespaces
//! - Signatures: [`bbs`] (IRTF CFRG BBS, BLS12-381-SHA-256 and -SHAKE-256, on `blst`; Blind
//!   BBS and per-verifier pseudonyms on top), [`ecdsa`] (P-256 keys, signers and
//!   `ecdsa-rdfc-2019`), [`keys`] (Multikey, multibase, multicodec), [`did`] (did:key),
//!   [`jose`] (JWK, JWS, JWE), [`x509`] (certificate chains for HAIP).
//! - Credentials as signed: [`bbs2023`] (the bbs-2023 cryptosuite: base and derived proofs,
//!   holder binding, pseudonyms), [`jsonld`] and [`rdf`] (JSON-LD to RDF, RDFC-1.0:
//!   [`canonicalize`]), [`vc`] (the VC data model read from the signed statements),
//!   [`sdjwt`] (SD-JWT, SD-JWT VC, Token Status Lists), [`status`] (Bitstring Status List:
//!   [`check_status`]), [`compact`] (the QR payload).
//! - Roles: [`CredentialIssuer`] (the issuer's policy every credential gets: the data model's
//!   basics, status indexes, the proof's contexts, the pointers a holder may never hide),
//!   [`wallet`] (encrypted storage, import, consent, history), [`present`] and
//!   [`DevicePresentationBuilder`] (holder-signed presentations), [`verifier`] (trust,
//!   validity, status, replay, required claims, over every format).
//! - Protocols: [`openid4vp`] (OpenID4VP 1.0 and DCQL), [`openid4vci`] (OpenID4VCI 1.0),
//!   [`tlog`] (C2SP transparency logs and witnesses).
//! - Shared concepts: [`json`] (bounded JSON), [`json_pointer`] (RFC 6901), [`Timestamp`].
//! - `hazmat` (public with the `hazmat` feature, for conformance tests): the BBS draft's
//!   low-level building blocks (generators, hash-to-scalar, message mapping, mocked random
//!   scalars).
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
mod issuance;
pub mod jose;
pub mod json;
pub mod json_pointer;
pub mod jsonld;
pub mod keys;
pub mod openid4vci;
pub mod openid4vp;
mod presentation;
pub mod rdf;
pub mod sdjwt;
pub mod status;
mod time;
pub mod tlog;
pub mod vc;
pub mod verifier;
pub mod wallet;
pub mod x509;

pub use error::{
    Bbs2023Error, BbsError, CborErrorKind, CompactError, CredentialError, DidError, EcdsaError,
    EncodingError, Error, ErrorKind, JsonError, JsonLdError, RdfError, StatusError, WalletError,
};
pub use issuance::{
    ALWAYS_MANDATORY, AssignedIndexes, CredentialIssuer, DATA_INTEGRITY_CONTEXT, DataModel,
    STATUS_LIST_CONTEXT, StatusAssignment, VC_1_1_CONTEXT, VC_2_0_CONTEXT, add_proof_contexts,
    check_data_model, mandatory_pointers,
};
pub use presentation::{DevicePresentationBuilder, present};
pub use rdf::{CanonOptions, Canonicalized, canonicalize, canonicalize_nquads};
pub use status::{
    BitstringStatusListEntry, StatusList, StatusListCredential, StatusPurpose, StatusResult,
    VerifiedStatusList, check_status,
};
pub use time::Timestamp;
