//! # civitas-core
//!
//! The library behind Civitas: self-sovereign identity for public services.
//!
//! - [`bbs`]: BBS signatures and zero-knowledge proofs of knowledge (IRTF CFRG draft
//!   "The BBS Signature Scheme", hashing order of draft-06 and later) for the ciphersuites
//!   BLS12-381-SHA-256 and BLS12-381-SHAKE-256, on `blst`.
//! - [`hazmat`]: the draft's low-level building blocks (generators, hash-to-scalar,
//!   message mapping, mocked random scalars) for conformance testing and protocol work.
//!
//! Every decoder validates its input and returns [`Error`] on bad input; nothing panics on
//! input-derived data.
#![cfg_attr(not(test), warn(missing_docs))]

pub mod bbs;
mod error;
pub mod hazmat;
pub mod jsonld;
pub mod rdf;

pub use error::Error;
