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

    // ---- keys, did:key, proof values -------------------------------------------------------
    /// A multibase string does not start with the prefix the context requires (`z` for
    /// base58btc, `u` for base64url-no-pad).
    #[error("multibase: expected prefix '{expected}'")]
    MultibasePrefix {
        /// The required prefix character.
        expected: char,
    },
    /// A base58btc or base64url string holds a character outside its alphabet, has an
    /// impossible length, or (base64url) has non-zero padding bits.
    #[error("invalid {encoding} encoding at character {position}")]
    InvalidEncoding {
        /// `"base58btc"` or `"base64url"`.
        encoding: &'static str,
        /// Index of the first offending character (after the multibase prefix).
        position: usize,
    },
    /// A multicodec prefix is not a well-formed unsigned varint.
    #[error("malformed multicodec varint")]
    InvalidVarint,
    /// The multicodec code is well formed but not supported where it was found (for example
    /// a P-384 key, or a secret key where a public key is required).
    #[error("unsupported multicodec 0x{codec:x}")]
    UnsupportedCodec {
        /// The multicodec code.
        codec: u64,
    },
    /// A DID or DID URL is not syntactically valid for this use.
    #[error("invalid DID: {0}")]
    InvalidDid(&'static str),
    /// The DID method is not `key`; only did:key is resolved offline.
    #[error("unsupported DID method (only did:key is supported)")]
    UnsupportedDidMethod,
    /// A did:key verification method fragment differs from the method-specific identifier.
    #[error("did:key verification method fragment does not match the DID")]
    FragmentMismatch,
    /// A proof value starts with a three-byte header that no bbs-2023 feature defines.
    #[error("unknown bbs-2023 proof value header")]
    UnknownProofHeader,
    /// A base proof value was given where a derived one was expected, or the reverse.
    #[error("expected a {expected} proof value, found a {found} proof value")]
    ProofKindMismatch {
        /// `"base"` or `"derived"`.
        expected: &'static str,
        /// `"base"` or `"derived"`.
        found: &'static str,
    },
    /// The proof value uses a bbs-2023 feature that this implementation does not support yet.
    #[error("unsupported bbs-2023 feature: {feature}")]
    UnsupportedFeature {
        /// The feature option name from the specification.
        feature: &'static str,
    },
    /// The CBOR of a proof value is malformed or outside the strict subset accepted.
    #[error("CBOR at byte {offset}: {kind}")]
    Cbor {
        /// Byte offset of the offending item in the decoded proof value, header included.
        offset: usize,
        /// What is wrong.
        kind: CborErrorKind,
    },
    /// A label map entry is not of the form `c14nN` -> `bM`, or the map is not one-to-one.
    #[error("invalid label map: {0}")]
    InvalidLabelMap(&'static str),

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
    /// The document exceeds an explicit processing limit (nesting depth, node count, context
    /// chain length).
    #[error("JSON-LD: {what} exceeds the limit of {limit}")]
    JsonLdLimit {
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: usize,
    },

    // ---- bbs-2023 cryptosuite
    /// A JSON pointer is malformed or does not resolve in the document.
    #[error("JSON pointer {pointer:?}: {reason}")]
    InvalidPointer {
        /// The pointer (at most 200 characters).
        pointer: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A document or proof is not what the cryptosuite accepts (wrong proof type, missing
    /// field, unsupported construct); the message names the rule.
    #[error("bbs-2023: {0}")]
    Bbs2023(&'static str),
    /// A document uses a construct Civitas refuses to sign or derive over, named here.
    #[error("unsupported in a credential: {0}")]
    Unsupported(&'static str),
    /// The proof does not verify: what was checked failed (tampered data, wrong key, wrong
    /// presentation header, or a base proof given where a derived proof is needed).
    #[error("proof verification failed: {0}")]
    VerificationFailed(&'static str),

    // ---- wallet
    /// A stored wallet record cannot be read back: wrong storage key, a tampered, truncated
    /// or swapped file, or an unknown format. Nothing is returned from such a record.
    #[error("wallet storage: {reason}")]
    WalletStorage {
        /// Which check failed.
        reason: &'static str,
    },
    /// A file system operation of the wallet store failed (paths are not reported: they may
    /// name the user).
    #[error("wallet storage I/O: {op}: {kind}")]
    WalletIo {
        /// The operation (`"write"`, `"rename"`, ...).
        op: &'static str,
        /// The operating system's error kind.
        kind: std::io::ErrorKind,
    },
    /// A credential offered to the wallet is not one it accepts (not JSON, no bbs-2023 base
    /// proof, ...); the message names the rule. A base proof that does not verify is reported
    /// with the cryptosuite's own error instead.
    #[error("wallet: credential refused: {0}")]
    WalletInvalidCredential(&'static str),
    /// No credential with the given id is in the wallet.
    #[error("wallet: no such credential")]
    WalletNotFound,
    /// A requested JSON pointer does not name a claim of the credential.
    #[error("wallet: pointer {pointer:?} does not name a claim of this credential")]
    WalletUnknownPointer {
        /// The pointer as requested (at most 200 characters).
        pointer: String,
    },
}

/// What is wrong with a CBOR item (see [`Error::Cbor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CborErrorKind {
    /// The input ends inside an item.
    #[error("truncated input")]
    Truncated,
    /// Bytes remain after the top-level item.
    #[error("trailing bytes after the top-level item")]
    TrailingBytes,
    /// The item has another major type or simple value than the one required here.
    #[error("expected {expected}")]
    UnexpectedType {
        /// What was required (`"byte string"`, `"array"`, ...).
        expected: &'static str,
    },
    /// A length or integer is not encoded in its shortest form.
    #[error("non-shortest length or integer encoding")]
    NonCanonical,
    /// Indefinite-length items are not accepted.
    #[error("indefinite-length item")]
    IndefiniteLength,
    /// Additional information values 28..=30 are reserved.
    #[error("reserved additional information")]
    Reserved,
    /// A CBOR tag appears; the specification forbids tagging the components.
    #[error("tagged item")]
    Tagged,
    /// A text string is not valid UTF-8.
    #[error("text string is not UTF-8")]
    InvalidUtf8,
    /// An array has the wrong number of elements.
    #[error("array of {actual} elements, expected {expected}")]
    ArrayLength {
        /// Required number of elements.
        expected: usize,
        /// Number found.
        actual: usize,
    },
    /// A length or count exceeds the explicit limit.
    #[error("length {actual} exceeds the limit {limit}")]
    TooLong {
        /// The declared length or count.
        actual: u64,
        /// The limit.
        limit: u64,
    },
    /// An integer exceeds the range allowed for this field.
    #[error("integer out of range")]
    IntegerRange,
    /// A map repeats a key.
    #[error("duplicate map key")]
    DuplicateKey,
}
