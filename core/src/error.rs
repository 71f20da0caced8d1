//! The one error type of `civitas-core`.
//!
//! Variants carry no personal data: never a claim value, a key or a message, only positions,
//! lengths, names of terms or pointers the caller supplied, and fixed reasons.

/// Everything that can go wrong in `civitas-core`: one type, with the errors of each domain
/// in a sub-enum of their own ([`BbsError`], [`Bbs2023Error`], [`StatusError`], ...), so a
/// caller can match a domain as a whole. Every variant has one [`ErrorKind`] ([`Error::kind`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A byte or text encoding is malformed: lengths, points, scalars, multibase, multicodec.
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    /// A BBS signature, proof, commitment or key operation failed or got inconsistent input.
    #[error(transparent)]
    Bbs(#[from] BbsError),
    /// A DID or DID URL is malformed or not resolvable offline.
    #[error(transparent)]
    Did(#[from] DidError),
    /// A bbs-2023 proof value, document or optional feature is malformed, unsupported or does not verify.
    #[error(transparent)]
    Bbs2023(#[from] Bbs2023Error),
    /// N-Quads or RDFC-1.0 input is malformed or over its limit.
    #[error(transparent)]
    Rdf(#[from] RdfError),
    /// A JSON-LD document or context is invalid, unknown or over a limit.
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    /// Untrusted JSON or a JSON pointer is malformed or over a limit.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A credential breaks the VC data model, or its signed statements disagree with its JSON.
    #[error(transparent)]
    Credential(#[from] CredentialError),
    /// A Bitstring Status List, entry or status list credential is malformed or does not apply.
    #[error(transparent)]
    Status(#[from] StatusError),
    /// A compact (QR) payload is malformed or over a limit.
    #[error(transparent)]
    Compact(#[from] CompactError),
    /// An ECDSA key, signer or ecdsa-rdfc-2019 proof is malformed, unsupported or does not verify.
    #[error(transparent)]
    Ecdsa(#[from] EcdsaError),
    /// The wallet refuses a request, or cannot read its storage.
    #[error(transparent)]
    Wallet(#[from] WalletError),
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

    /// A computation produced a value the draft treats as failure (for example `SK + e = 0`).
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),

    /// An SD-JWT, SD-JWT VC, Key Binding JWT or Status List Token is malformed or does not
    /// verify.
    #[error("SD-JWT: {0}")]
    SdJwt(#[from] crate::sdjwt::SdJwtError),

    /// A transparency-log inclusion proof is malformed, or does not prove the credential's
    /// entry in a checkpoint the policy accepts.
    #[error("transparency proof: {0}")]
    TlogProof(#[from] crate::tlog::TlogProofError),

    /// A transparency-log policy (c2sp.org/tlog-policy) is malformed.
    #[error("transparency policy: {0}")]
    TlogPolicy(#[from] crate::tlog::PolicyError),

    /// A JWS, JWE or JWK is malformed, unsupported or does not verify or decrypt.
    #[error("JOSE: {0}")]
    Jose(#[from] crate::jose::JoseError),

    /// An X.509 certificate chain (`x5c`) is malformed or does not validate.
    #[error("X.509: {0}")]
    X509(#[from] crate::x509::X509Error),

    /// A DCQL query is invalid or unsupported, or the wallet cannot satisfy it.
    #[error("{0}")]
    Dcql(#[from] crate::openid4vp::dcql::DcqlError),

    /// An OpenID4VCI message is malformed or refused; the code is the one the specification
    /// names for it.
    #[error("OpenID4VCI: {0}")]
    OpenId4Vci(#[from] crate::openid4vci::VciError),

    /// The trust file is not valid: the message says where and why.
    #[error("trust file: {0}")]
    TrustFile(String),

    /// A holder-signed presentation cannot be built: no credential, or a request without the
    /// challenge or domain it must answer; the message names the rule.
    #[error("presentation: {0}")]
    Presentation(&'static str),
}

/// The errors of [`Error::Encoding`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodingError {
    /// An encoded value has the wrong length.
    #[error("{what}: expected {expected} bytes, got {actual}")]
    Length {
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
    Point {
        /// What was being decoded.
        what: &'static str,
        /// Which rule failed.
        reason: &'static str,
    },
    /// A scalar is zero or not below the group order.
    #[error("{what}: scalar is zero or not below the group order")]
    Scalar {
        /// What was being decoded.
        what: &'static str,
    },
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
    Alphabet {
        /// `"base58btc"` or `"base64url"`.
        encoding: &'static str,
        /// Index of the first offending character (after the multibase prefix).
        position: usize,
    },
    /// A multicodec prefix is not a well-formed unsigned varint.
    #[error("malformed multicodec varint")]
    Varint,
    /// The multicodec code is well formed but not supported where it was found (for example
    /// a P-384 key, or a secret key where a public key is required).
    #[error("unsupported multicodec 0x{codec:x}")]
    UnsupportedCodec {
        /// The multicodec code.
        codec: u64,
    },
}

/// The errors of [`Error::Bbs`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BbsError {
    /// Key material is shorter than 32 bytes or key_info longer than 65535 bytes.
    #[error("invalid key material: {0}")]
    KeyMaterial(&'static str),
    /// Disclosed indexes are not strictly increasing or point past the last message.
    #[error(
        "invalid disclosed index {index} (messages: {count}); indexes must be unique, sorted and in range"
    )]
    Index {
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
    /// A signature did not verify.
    #[error("signature is not valid")]
    SignatureInvalid,
    /// A proof did not verify.
    #[error("proof is not valid")]
    ProofInvalid,
    /// A commitment's proof of knowledge does not verify: the Signer refuses to sign over it
    /// (tampered commitment, wrong generators, or a commitment for another Interface).
    #[error("commitment proof is not valid")]
    CommitmentProofInvalid,
    /// A commitment (or a call) carries another number of committed messages than the
    /// operation expects.
    #[error("committed message count mismatch: expected {expected}, got {actual}")]
    CommittedMessageCount {
        /// Committed messages expected.
        expected: usize,
        /// Committed messages found.
        actual: usize,
    },
    /// A disclosed index names a value that is never disclosed: the prover blind or the
    /// pseudonym secret (index in the whole signed message list).
    #[error(
        "index {index} names the prover blind or the pseudonym secret, which is never disclosed"
    )]
    UndisclosableIndex {
        /// The offending index.
        index: usize,
    },
}

/// The errors of [`Error::Did`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DidError {
    /// A DID or DID URL is not syntactically valid for this use.
    #[error("invalid DID: {0}")]
    Invalid(&'static str),
    /// The DID method is not `key`; only did:key is resolved offline.
    #[error("unsupported DID method (only did:key is supported)")]
    UnsupportedMethod,
    /// A did:key verification method fragment differs from the method-specific identifier.
    #[error("did:key verification method fragment does not match the DID")]
    FragmentMismatch,
}

/// The errors of [`Error::Bbs2023`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Bbs2023Error {
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
    LabelMap(&'static str),
    /// A document or proof is not what the cryptosuite accepts (wrong proof type, missing
    /// field, unsupported construct); the message names the rule.
    #[error("bbs-2023: {0}")]
    Invalid(&'static str),
    /// The proof does not verify: what was checked failed (tampered data, wrong key, wrong
    /// presentation header, or a base proof given where a derived proof is needed).
    #[error("proof verification failed: {0}")]
    VerificationFailed(&'static str),
    /// The holder's secrets or the commitment request are for another feature option than
    /// the proof.
    #[error("bbs-2023: the proof is {found}, the holder's secrets are for {expected}")]
    FeatureMismatch {
        /// The feature the caller's secrets or request are for.
        expected: &'static str,
        /// The proof's feature.
        found: &'static str,
    },
    /// An optional feature's inputs are incomplete or inconsistent; the message names the rule.
    #[error("bbs-2023 feature: {0}")]
    Feature(&'static str),
    /// A pseudonym proof needs a `nym_domain`: the proof carries none and the verifier gave none.
    #[error("bbs-2023: a pseudonym proof needs a nym_domain (the verifier's own)")]
    MissingNymDomain,
    /// The proof's `nym_domain` is not the verifier's.
    #[error(
        "bbs-2023: made for another verifier (the proof's pseudonym domain, nym_domain, is not this verifier's)"
    )]
    NymDomainMismatch,
}

/// The errors of [`Error::Rdf`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RdfError {
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
    Quad {
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

/// The errors of [`Error::JsonLd`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonLdError {
    /// A remote context URL is neither bundled nor registered; nothing is ever fetched.
    #[error("JSON-LD: unknown context {url} (not bundled or registered; no network access)")]
    UnknownContext {
        /// The context URL.
        url: String,
    },
    /// Safe mode: a property or type does not expand to an absolute IRI, so its data would be
    /// silently dropped from the signed statements.
    #[error("JSON-LD: term `{term}` is not defined by the active context")]
    UndefinedTerm {
        /// The term, as written in the document.
        term: String,
    },
    /// The document is invalid JSON-LD; `code` is the JSON-LD 1.1 API error code
    /// (<https://www.w3.org/TR/json-ld11-api/#jsonlderrorcode>).
    #[error("JSON-LD: {code}{}", term.as_ref().map(|t| format!(" (term `{t}`)")).unwrap_or_default())]
    Syntax {
        /// The JSON-LD error code, for example `invalid context entry`.
        code: &'static str,
        /// The term or keyword concerned, when known.
        term: Option<String>,
    },
    /// A context URL is bundled or already registered with other content; registrations
    /// cannot change what a known context URL means.
    #[error("JSON-LD: context {url} is already defined")]
    ContextConflict {
        /// The context URL.
        url: String,
    },
    /// The document exceeds an explicit processing limit (nesting depth, node count, context
    /// chain length).
    #[error("JSON-LD: {what} exceeds the limit of {limit}")]
    Limit {
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// The errors of [`Error::Json`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonError {
    /// A JSON pointer is malformed or does not resolve in the document.
    #[error("JSON pointer {pointer:?}: {reason}")]
    Pointer {
        /// The pointer (at most 200 characters).
        pointer: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Not JSON.
    #[error("not valid JSON: {reason} at line {line}, column {column}")]
    Syntax {
        /// Line of the error (1-based).
        line: usize,
        /// Column of the error (1-based).
        column: usize,
        /// What kind of error (never content).
        reason: &'static str,
    },
    /// A JSON document exceeds a limit of [`crate::json::JsonLimits`].
    #[error("JSON document over its limit of {limit} {what}")]
    Limit {
        /// Which limit (`values`, `nesting depth`).
        what: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// The errors of [`Error::Credential`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// A document uses a construct Civitas refuses to sign or derive over, named here.
    #[error("unsupported in a credential: {0}")]
    Unsupported(&'static str),
    /// The document uses a JSON-LD feature a credential, presentation or status list may not
    /// use (see `docs/formats.md`, "What a credential may use").
    #[error("{pointer}: {reason}")]
    DisallowedJsonLd {
        /// JSON pointer of the offending member (keys only, never a claim value).
        pointer: String,
        /// Which rule.
        reason: &'static str,
    },
    /// The signed statements are ambiguous, or disagree with what the JSON shows.
    #[error("signed data: {0}")]
    SignedData(&'static str),
    /// A credential to be issued breaks a basic rule of the VC data model (first context,
    /// types, issuer, subject, validity dates); `field` names the property.
    #[error("not a valid credential: {field}: {reason}")]
    Invalid {
        /// The property at fault (`"@context"`, `"credentialSubject"`, ...).
        field: &'static str,
        /// Which rule.
        reason: &'static str,
    },
}

/// The errors of [`Error::Status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// A status list index is at or past the number of entries in the list (the spec's
    /// `RANGE_ERROR`, <https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm>).
    #[error("status list index {index} out of range (entries: {len})")]
    IndexOutOfRange {
        /// The index asked for.
        index: u64,
        /// The number of entries in the list.
        len: usize,
    },
    /// A status value does not fit in `statusSize` bits.
    #[error("status value {value} does not fit in {status_size} bits")]
    ValueOutOfRange {
        /// The value given.
        value: u8,
        /// The entry size in bits.
        status_size: u8,
    },
    /// `statusSize` is zero, or larger than this implementation supports
    /// ([`crate::status::MAX_STATUS_SIZE`]).
    #[error("unsupported statusSize {size} (supported: 1 to 8)")]
    UnsupportedSize {
        /// The size given.
        size: u64,
    },
    /// The list holds fewer entries than the minimum for herd privacy (the spec's
    /// `STATUS_LIST_LENGTH_ERROR`).
    #[error("status list too short: {entries} entries (minimum {minimum})")]
    ListTooShort {
        /// Entries in the list (bits divided by `statusSize`).
        entries: u64,
        /// The required minimum.
        minimum: u64,
    },
    /// `encodedList` is not a valid single-member GZIP stream.
    #[error("status list GZIP: {reason}")]
    Gzip {
        /// Which rule failed.
        reason: &'static str,
    },
    /// `encodedList` or its decompressed bitstring exceeds a configured limit (checked while
    /// inflating, so a decompression bomb stops at the limit).
    #[error("status list {what} exceeds the limit of {limit} bytes")]
    ListTooLarge {
        /// `"encodedList"` or `"bitstring"`.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// A status list entry or status list credential breaks a MUST of the data model (the
    /// spec's `MALFORMED_VALUE_ERROR`).
    #[error("malformed status {field}: {reason}")]
    Malformed {
        /// The property (`"statusListIndex"`, `"credentialSubject.type"`, ...).
        field: &'static str,
        /// Which rule failed.
        reason: &'static str,
    },
    /// The entry's `statusPurpose` is not among the status list credential's purposes.
    #[error("status purpose of the entry does not match the status list")]
    PurposeMismatch,
    /// The entry's `statusListCredential` differs from the status list credential's `id`.
    #[error("statusListCredential does not match the status list credential id")]
    ListUrlMismatch,
    /// The entry's `statusSize` differs from the one the status list declares.
    #[error("statusSize mismatch: entry {entry}, list {list}")]
    SizeMismatch {
        /// The entry's `statusSize`.
        entry: u8,
        /// The list's `statusSize`.
        list: u8,
    },
    /// The status list credential's `validFrom` is after the time of the check.
    #[error("status list credential is not valid yet")]
    ListNotYetValid,
    /// The status list credential's `validUntil` is before the time of the check.
    #[error("status list credential has expired")]
    ListExpired,
    /// A second status list credential with the same `id` was given: which one is current
    /// cannot be told (a stale copy would un-revoke), so it is refused.
    #[error("two status list credentials have the id {id}")]
    DuplicateList {
        /// The list's `id` (a URL).
        id: String,
    },
    /// A status list credential without `validUntil` whose `validFrom` is older than the
    /// maximum age the verifier's trust list sets for its issuer (or which has no `validFrom`).
    #[error(
        "status list credential has no validUntil and is older than the {max_age_seconds} s allowed"
    )]
    ListTooOld {
        /// The maximum age allowed, in seconds.
        max_age_seconds: u64,
    },
    /// An issuer tried to give two credentials the same status list index.
    #[error("status list index {index} is already assigned (at {first})")]
    IndexReused {
        /// The index.
        index: u64,
        /// Where it was first assigned, as the caller numbered it (a row, a line).
        first: usize,
    },
}

/// The errors of [`Error::Compact`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompactError {
    /// A compact payload does not start with a known `CIVn:` prefix.
    #[error("compact payload: {reason}")]
    Prefix {
        /// Missing prefix, or a version this build does not know.
        reason: &'static str,
    },
    /// The Base45 text of a compact payload is malformed.
    #[error("compact payload: bad Base45 at character {position}: {reason}")]
    Base45 {
        /// 0-based position in the Base45 text (after the prefix).
        position: usize,
        /// Which rule failed.
        reason: &'static str,
    },
    /// The DEFLATE data of a compact payload is malformed or truncated.
    #[error("compact payload: bad DEFLATE data: {reason}")]
    Deflate {
        /// Which rule failed.
        reason: &'static str,
    },
    /// A compact payload, or what it inflates to, exceeds a limit.
    #[error("compact payload: {what} exceed the limit of {limit}")]
    TooLarge {
        /// What was counted.
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// What a compact payload carries (or what was given to encode) is not one JSON value.
    #[error("compact payload: not JSON (line {line}, column {column})")]
    NotJson {
        /// 1-based line of the fault as reported by the parser (0 if unknown).
        line: usize,
        /// 1-based column of the fault (0 if unknown).
        column: usize,
    },
}

/// The errors of [`Error::Ecdsa`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EcdsaError {
    /// An ecdsa-rdfc-2019 `proofValue` is missing, not a string, not multibase base58btc
    /// (`z...`), or does not decode to a 64-byte P1363 signature `r || s` with `r` and `s` in
    /// `1..n`.
    #[error("ecdsa-rdfc-2019: bad proofValue: {0}")]
    ProofValue(&'static str),
    /// The proof's `type` is not `DataIntegrityProof`.
    #[error("ecdsa-rdfc-2019: proof type is not DataIntegrityProof")]
    ProofType,
    /// The proof's `cryptosuite` is not `ecdsa-rdfc-2019`.
    #[error("ecdsa-rdfc-2019: cryptosuite is not ecdsa-rdfc-2019")]
    Cryptosuite,
    /// The key is not a P-256 key (P-384, Ed25519, BLS12-381, ...): only ECDSA P-256 is
    /// supported.
    #[error("ecdsa: unsupported key type or curve: {0}")]
    UnsupportedCurve(&'static str),
    /// The ECDSA signature does not verify: the document, the proof options or the key differ
    /// from what was signed.
    #[error("ecdsa: the signature does not verify")]
    SignatureMismatch,
    /// The document or proof is malformed or not supported by ecdsa-rdfc-2019 here (no
    /// `@context`, no proof, several proofs, a missing field); the message names the rule.
    #[error("ecdsa-rdfc-2019: {0}")]
    Proof(&'static str),
    /// `created` or `expires` is not an XML Schema 1.1 `dateTimeStamp` (a dateTime with a
    /// time zone).
    #[error(
        "ecdsa-rdfc-2019: `{field}` is not an XML Schema dateTimeStamp (a date-time with a time zone)"
    )]
    InvalidDateTime {
        /// `"created"` or `"expires"`.
        field: &'static str,
    },
    /// The proof's `expires` time has passed.
    #[error("ecdsa-rdfc-2019: the proof has expired")]
    ProofExpired,
    /// The signer's public key is not the key of the verification method named in the proof.
    #[error("ecdsa: the signer's key is not the verification method's key")]
    KeyMismatch,
    /// A [`crate::ecdsa::Signer`] (a secure element, a keystore) could not sign.
    #[error("ecdsa: the signer failed: {0}")]
    Signer(&'static str),
    /// The proof verified but is not the proof the verifier asked for: another proof purpose,
    /// challenge or domain (a replayed or misdirected presentation).
    #[error("ecdsa-rdfc-2019: the proof's {field} is not the one expected")]
    UnexpectedProof {
        /// `"proofPurpose"`, `"challenge"` or `"domain"`.
        field: &'static str,
    },
}

/// The errors of [`Error::Wallet`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// A stored wallet record cannot be read back: wrong storage key, a tampered, truncated
    /// or swapped file, or an unknown format. Nothing is returned from such a record.
    #[error("wallet storage: {reason}")]
    Storage {
        /// Which check failed.
        reason: &'static str,
    },
    /// A file system operation of the wallet store failed (paths are not reported: they may
    /// name the user).
    #[error("wallet storage I/O: {op}: {kind}")]
    Io {
        /// The operation (`"write"`, `"rename"`, ...).
        op: &'static str,
        /// The operating system's error kind.
        kind: std::io::ErrorKind,
    },
    /// A credential offered to the wallet is not one it accepts (not JSON, no bbs-2023 base
    /// proof, ...); the message names the rule. A base proof that does not verify is reported
    /// with the cryptosuite's own error instead.
    #[error("wallet: credential refused: {0}")]
    InvalidCredential(&'static str),
    /// The wallet refuses what it was asked to do; the message names the rule (for example an
    /// anonymous presentation of a credential not bound to the holder secret, or a bound
    /// credential that matches none of the wallet's requests).
    #[error("wallet: {0}")]
    Refused(&'static str),
    /// No credential with the given id is in the wallet.
    #[error("wallet: no such credential")]
    NotFound,
    /// A requested JSON pointer does not name a claim of the credential.
    #[error("wallet: pointer {pointer:?} does not name a claim of this credential")]
    UnknownPointer {
        /// The pointer as requested (at most 200 characters).
        pointer: String,
    },
}

impl EncodingError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Length { .. }
            | Self::Point { .. }
            | Self::Scalar { .. }
            | Self::MultibasePrefix { .. }
            | Self::Alphabet { .. }
            | Self::Varint => ErrorKind::InvalidInput,
            Self::UnsupportedCodec { .. } => ErrorKind::Unsupported,
        }
    }
}

impl BbsError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::KeyMaterial(..)
            | Self::Index { .. }
            | Self::MessageCount { .. }
            | Self::TooManyMessages { .. }
            | Self::CommittedMessageCount { .. }
            | Self::UndisclosableIndex { .. } => ErrorKind::InvalidInput,
            Self::SignatureInvalid | Self::ProofInvalid | Self::CommitmentProofInvalid => {
                ErrorKind::VerificationFailed
            }
        }
    }
}

impl DidError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Invalid { .. } | Self::FragmentMismatch => ErrorKind::InvalidInput,
            Self::UnsupportedMethod => ErrorKind::Unsupported,
        }
    }
}

impl Bbs2023Error {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownProofHeader | Self::UnsupportedFeature { .. } => ErrorKind::Unsupported,
            Self::ProofKindMismatch { .. }
            | Self::Cbor { .. }
            | Self::LabelMap(..)
            | Self::Invalid { .. }
            | Self::FeatureMismatch { .. }
            | Self::Feature(..)
            | Self::MissingNymDomain => ErrorKind::InvalidInput,
            Self::VerificationFailed(..) | Self::NymDomainMismatch => ErrorKind::VerificationFailed,
        }
    }
}

impl RdfError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::NQuadsSyntax { .. } | Self::Quad { .. } | Self::CanonicalizationLimit { .. } => {
                ErrorKind::InvalidInput
            }
        }
    }
}

impl JsonLdError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnknownContext { .. }
            | Self::UndefinedTerm { .. }
            | Self::Syntax { .. }
            | Self::ContextConflict { .. }
            | Self::Limit { .. } => ErrorKind::InvalidInput,
        }
    }
}

impl JsonError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Syntax { .. } | Self::Limit { .. } | Self::Pointer { .. } => {
                ErrorKind::InvalidInput
            }
        }
    }
}

impl CredentialError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::DisallowedJsonLd { .. } | Self::Invalid { .. } => ErrorKind::InvalidInput,
            Self::SignedData(..) => ErrorKind::VerificationFailed,
            Self::Unsupported(..) => ErrorKind::Unsupported,
        }
    }
}

impl StatusError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::IndexOutOfRange { .. }
            | Self::ValueOutOfRange { .. }
            | Self::UnsupportedSize { .. }
            | Self::ListTooShort { .. }
            | Self::Gzip { .. }
            | Self::ListTooLarge { .. }
            | Self::Malformed { .. }
            | Self::PurposeMismatch
            | Self::ListUrlMismatch
            | Self::SizeMismatch { .. }
            | Self::ListNotYetValid
            | Self::ListExpired
            | Self::DuplicateList { .. }
            | Self::ListTooOld { .. }
            | Self::IndexReused { .. } => ErrorKind::InvalidInput,
        }
    }
}

impl CompactError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Prefix { .. }
            | Self::Base45 { .. }
            | Self::Deflate { .. }
            | Self::TooLarge { .. }
            | Self::NotJson { .. } => ErrorKind::InvalidInput,
        }
    }
}

impl EcdsaError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::ProofValue(..)
            | Self::ProofType
            | Self::Cryptosuite
            | Self::Proof(..)
            | Self::InvalidDateTime { .. } => ErrorKind::InvalidInput,
            Self::UnsupportedCurve(..) => ErrorKind::Unsupported,
            Self::SignatureMismatch
            | Self::ProofExpired
            | Self::KeyMismatch
            | Self::UnexpectedProof { .. } => ErrorKind::VerificationFailed,
            Self::Signer(..) => ErrorKind::Internal,
        }
    }
}

impl WalletError {
    /// This error's [`ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Storage { .. } | Self::Io { .. } => ErrorKind::Internal,
            Self::InvalidCredential(..)
            | Self::Refused(..)
            | Self::NotFound
            | Self::UnknownPointer { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// What is wrong with a CBOR item (see [`Bbs2023Error::Cbor`]).
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

/// How a caller should treat an [`Error`]: every variant has exactly one kind, decided in
/// [`Error::kind`] by a match with no wildcard, so a new variant cannot go unclassified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is malformed, too large, or not of a kind this library reads.
    InvalidInput,
    /// Something was checked and failed: a signature, a proof, a binding, signed data.
    VerificationFailed,
    /// A valid construct this library does not implement.
    Unsupported,
    /// Not the caller's fault: randomness, storage, a signer that misbehaved.
    Internal,
}

impl Error {
    /// This error's [`ErrorKind`]: decided by the domain's own `kind()`, each a match with no
    /// wildcard, so a new variant cannot go unclassified.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Encoding(e) => e.kind(),
            Self::Bbs(e) => e.kind(),
            Self::Did(e) => e.kind(),
            Self::Bbs2023(e) => e.kind(),
            Self::Rdf(e) => e.kind(),
            Self::JsonLd(e) => e.kind(),
            Self::Json(e) => e.kind(),
            Self::Credential(e) => e.kind(),
            Self::Status(e) => e.kind(),
            Self::Compact(e) => e.kind(),
            Self::Ecdsa(e) => e.kind(),
            Self::Wallet(e) => e.kind(),
            Self::Jose(e) => e.kind(),
            Self::SdJwt(e) => e.kind(),
            Self::X509(e) => e.kind(),
            Self::OpenId4Vci(e) => e.kind(),
            Self::TlogProof(e) => e.kind(),
            Self::Dcql(e) => e.kind(),
            Self::TlogPolicy(_) => ErrorKind::InvalidInput,
            Self::TooLarge { .. } | Self::TrustFile(_) | Self::Presentation(_) => {
                ErrorKind::InvalidInput
            }
            Self::Crypto(_) => ErrorKind::Internal,
        }
    }
}
