//! The one error type of `civitas-core`.
//!
//! Variants carry no personal data: never a claim value, a key or a message, only positions,
//! lengths, names of terms or pointers the caller supplied, and fixed reasons.

/// Everything that can go wrong in `civitas-core`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- BBS: encodings -------------------------------------------------------------------
    /// An encoded value has the wrong length.
    #[error("{what}: expected {expected} bytes, got {actual}")]
    InvalidLength {
        /// What was being decoded (`"public key"`, `"signature"`, ...).
        what: &'static str,
        /// The length required (for proofs: the smallest valid length).
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A point encoding is not a valid compressed point, is not in the prime-order subgroup,
    /// or is the identity.
    #[error("{what}: {reason}")]
    InvalidPoint {
        /// What was being decoded.
        what: &'static str,
        /// Which rule failed.
        reason: &'static str,
    },
    /// A scalar is zero or not below the group order.
    #[error("{what}: scalar is zero or not below the group order")]
    InvalidScalar {
        /// What was being decoded.
        what: &'static str,
    },
    /// Key material is shorter than 32 bytes or key_info longer than 65535 bytes.
    #[error("invalid key material: {0}")]
    InvalidKeyMaterial(&'static str),
    /// Disclosed indexes are not strictly increasing or point past the last message.
    #[error(
        "invalid disclosed index {index} (messages: {count}); indexes must be unique, sorted and in range"
    )]
    InvalidIndex {
        /// The offending index.
        index: usize,
        /// The number of messages.
        count: usize,
    },
    /// The number of messages does not match what the operation needs.
    #[error("message count mismatch: expected {expected}, got {actual}")]
    MessageCount {
        /// Expected count.
        expected: usize,
        /// Given count.
        actual: usize,
    },
    /// More messages than this implementation supports in one signature.
    #[error("too many messages: {count} (limit {limit})")]
    TooManyMessages {
        /// Given count.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// An input exceeds an explicit size limit.
    #[error("{what} too large: {actual} bytes (limit {limit})")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its size.
        actual: usize,
        /// The limit.
        limit: usize,
    },
    /// A signature did not verify.
    #[error("signature is not valid")]
    SignatureInvalid,
    /// A proof did not verify.
    #[error("proof is not valid")]
    ProofInvalid,
    /// A computation produced a value the draft treats as failure (for example `SK + e = 0`).
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),

    // ---- RDF / RDFC-1.0 -------------------------------------------------------------------
    /// An N-Quads document does not match the grammar
    /// (<https://www.w3.org/TR/n-quads/#sec-grammar>).
    #[error("N-Quads syntax error at line {line}, column {column}: {reason}")]
    NQuadsSyntax {
        /// 1-based line number.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// Which rule failed.
        reason: &'static str,
    },
    /// A quad given to the canonicalizer has a term kind its position does not allow
    /// (for example a literal subject or a blank node predicate).
    #[error("invalid quad at index {index}: {reason}")]
    InvalidQuad {
        /// 0-based index of the quad in the input.
        index: usize,
        /// Which rule failed.
        reason: &'static str,
    },
    /// RDFC-1.0 gave up on a dataset that needs more work than the configured limit
    /// (<https://www.w3.org/TR/rdf-canon/#dataset-poisoning>).
    #[error("canonicalization refused: {what} exceeds the limit of {limit}")]
    CanonicalizationLimit {
        /// The counter that ran out.
        what: &'static str,
        /// The configured limit.
        limit: usize,
    },
}
