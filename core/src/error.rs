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
    // ---- JSON-LD ------------------------------------------------------------------------
    /// A remote context URL is neither bundled nor registered; nothing is ever fetched.
    #[error("JSON-LD: unknown context {url} (not bundled or registered; no network access)")]
    JsonLdUnknownContext {
        /// The context URL.
        url: String,
    },
    /// Safe mode: a property or type does not expand to an absolute IRI, so its data would be
    /// silently dropped from the signed statements.
    #[error("JSON-LD: term `{term}` is not defined by the active context")]
    JsonLdUndefinedTerm {
        /// The term, as written in the document.
        term: String,
    },
    /// The document is invalid JSON-LD; `code` is the JSON-LD 1.1 API error code
    /// (<https://www.w3.org/TR/json-ld11-api/#jsonlderrorcode>).
    #[error("JSON-LD: {code}{}", term.as_ref().map(|t| format!(" (term `{t}`)")).unwrap_or_default())]
    JsonLdSyntax {
        /// The JSON-LD error code, for example `invalid context entry`.
        code: &'static str,
        /// The term or keyword concerned, when known.
        term: Option<String>,
    },
    /// A context URL is bundled or already registered with other content; registrations
    /// cannot change what a known context URL means.
    #[error("JSON-LD: context {url} is already defined")]
    JsonLdContextConflict {
        /// The context URL.
        url: String,
    },
    /// The document exceeds an explicit processing limit (nesting depth, node count, context
    /// chain length).
    #[error("JSON-LD: {what} exceeds the limit of {limit}")]
    JsonLdLimit {
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}
