//! The `ecdsa-rdfc-2019` cryptosuite with P-256, in the order of the specification:
//! [create proof](https://www.w3.org/TR/vc-di-ecdsa/#create-proof-ecdsa-rdfc-2019),
//! [verify proof](https://www.w3.org/TR/vc-di-ecdsa/#verify-proof-ecdsa-rdfc-2019),
//! [transformation](https://www.w3.org/TR/vc-di-ecdsa/#transformation-ecdsa-rdfc-2019),
//! [hashing](https://www.w3.org/TR/vc-di-ecdsa/#hashing-ecdsa-rdfc-2019),
//! [proof configuration](https://www.w3.org/TR/vc-di-ecdsa/#proof-configuration-ecdsa-rdfc-2019),
//! [proof serialization](https://www.w3.org/TR/vc-di-ecdsa/#proof-serialization-ecdsa-rdfc-2019)
//! and [proof verification](https://www.w3.org/TR/vc-di-ecdsa/#proof-verification-ecdsa-rdfc-2019).
//!
//! Scope and choices:
//! - P-256 only (SHA-256 hashing). A P-384 verification method is refused with
//!   [`crate::EcdsaError::UnsupportedCurve`].
//! - Keys come from did:key verification methods, resolved offline.
//! - A secured document carries exactly one proof object; a `proof` array (proof sets and
//!   chains) is refused with [`crate::EcdsaError::Proof`].
//! - JSON-LD runs in safe mode: a term that the contexts do not define is an error, never a
//!   statement silently left out of the signature.

use crate::{EcdsaError, EncodingError};
use std::sync::Arc;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Signer, verify_p256};
use crate::Error;
use crate::jsonld::{JsonLdProcessor, ToRdfOptions};
use crate::keys::Base;
use crate::keys::{KeyType, PublicKey};
use crate::rdf::{CanonOptions, canonicalize};
use crate::time::Timestamp;

/// The cryptosuite identifier, the proof's `cryptosuite` value.
pub const CRYPTOSUITE: &str = "ecdsa-rdfc-2019";
/// The proof type of every Data Integrity proof.
const PROOF_TYPE: &str = "DataIntegrityProof";
/// Longest `proofValue` accepted, in characters: base58btc of 64 bytes is at most 88.
const MAX_PROOF_VALUE_LEN: usize = 100;

/// The options of a new proof: everything in the proof but its value
/// ([DI §2.1 Proofs](https://www.w3.org/TR/vc-data-integrity/#proofs)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdsaProofOptions {
    /// The did:key verification method of the signer's P-256 key
    /// (`did:key:zDn...#zDn...`).
    pub verification_method: String,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub proof_purpose: String,
    /// `created`, an XML Schema dateTime; omitted from the proof when `None`.
    pub created: Option<String>,
    /// `expires`, an XML Schema dateTime; omitted when `None`.
    pub expires: Option<String>,
    /// The verifier's `challenge` (presentations), against replay.
    pub challenge: Option<String>,
    /// The verifier's `domain` (presentations).
    pub domain: Option<String>,
}

impl EcdsaProofOptions {
    /// Options for an issuer's credential proof (`assertionMethod`).
    pub fn assertion(verification_method: impl Into<String>) -> Self {
        Self {
            verification_method: verification_method.into(),
            proof_purpose: "assertionMethod".into(),
            created: None,
            expires: None,
            challenge: None,
            domain: None,
        }
    }

    /// Options for a holder's presentation proof (`authentication`) bound to the verifier's
    /// `challenge` and `domain`.
    pub fn authentication(
        verification_method: impl Into<String>,
        challenge: impl Into<String>,
        domain: impl Into<String>,
    ) -> Self {
        Self {
            verification_method: verification_method.into(),
            proof_purpose: "authentication".into(),
            created: None,
            expires: None,
            challenge: Some(challenge.into()),
            domain: Some(domain.into()),
        }
    }

    /// The proof object without `proofValue`, keys in the order of the specification's
    /// examples.
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), PROOF_TYPE.into());
        m.insert("cryptosuite".into(), CRYPTOSUITE.into());
        if let Some(created) = &self.created {
            m.insert("created".into(), created.clone().into());
        }
        if let Some(expires) = &self.expires {
            m.insert("expires".into(), expires.clone().into());
        }
        m.insert(
            "verificationMethod".into(),
            self.verification_method.clone().into(),
        );
        m.insert("proofPurpose".into(), self.proof_purpose.clone().into());
        if let Some(challenge) = &self.challenge {
            m.insert("challenge".into(), challenge.clone().into());
        }
        if let Some(domain) = &self.domain {
            m.insert("domain".into(), domain.clone().into());
        }
        m
    }
}

/// The intermediate values of the transformation and hashing steps, for conformance tests and
/// audits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcdsaHashData {
    /// The canonical N-Quads (RDFC-1.0) of the document without its proof.
    pub canonical_document: String,
    /// The canonical N-Quads of the proof configuration.
    pub canonical_proof_config: String,
    /// SHA-256 of `canonical_proof_config`.
    pub proof_config_hash: [u8; 32],
    /// SHA-256 of `canonical_document`.
    pub document_hash: [u8; 32],
}

impl EcdsaHashData {
    /// `hashData`: the proof configuration hash followed by the document hash, the message
    /// that is signed ([§3.2.4](https://www.w3.org/TR/vc-di-ecdsa/#hashing-ecdsa-rdfc-2019)).
    pub fn hash_data(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        let (config, document) = out.split_at_mut(32);
        config.copy_from_slice(&self.proof_config_hash);
        document.copy_from_slice(&self.document_hash);
        out
    }
}

/// A document whose ecdsa-rdfc-2019 proof verified. Only this library constructs it.
///
/// What the proof claims beyond the signature (the purpose, the challenge and domain a
/// verifier expects, the `created` time) is reported here for the caller's policy to check.
#[derive(Debug, Clone)]
pub struct VerifiedEcdsa {
    document: Value,
    verification_method: String,
    public_key: PublicKey,
    proof_purpose: String,
    challenge: Option<String>,
    domain: Option<String>,
    created: Option<String>,
    expires: Option<String>,
    quads: Vec<crate::rdf::Quad>,
}

impl VerifiedEcdsa {
    /// The verified statements of the document (its canonical form). Policy reads fields
    /// from these, not from the JSON (see [`crate::vc`]).
    pub fn quads(&self) -> &[crate::rdf::Quad] {
        &self.quads
    }
    /// The document, without its proof.
    pub fn document(&self) -> &Value {
        &self.document
    }
    /// The proof's verification method (a did:key URL).
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }
    /// The signer's P-256 public key the proof verified against.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
    /// The proof purpose (`assertionMethod`, `authentication`, ...).
    pub fn proof_purpose(&self) -> &str {
        &self.proof_purpose
    }
    /// The proof's `challenge`, if any.
    pub fn challenge(&self) -> Option<&str> {
        self.challenge.as_deref()
    }
    /// The proof's `domain`, if any.
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }
    /// The proof's `created` dateTime, if any.
    pub fn created(&self) -> Option<&str> {
        self.created.as_deref()
    }
    /// The proof's `expires` dateTime, if any (already checked against the clock).
    pub fn expires(&self) -> Option<&str> {
        self.expires.as_deref()
    }
}

/// The `ecdsa-rdfc-2019` cryptosuite (P-256) over a JSON-LD processor, whose bundled and
/// registered contexts it uses, offline.
#[derive(Debug, Clone)]
pub struct EcdsaRdfc2019 {
    jsonld: Arc<JsonLdProcessor>,
    canon: CanonOptions,
    rdf: ToRdfOptions,
}

fn sha256(data: &str) -> [u8; 32] {
    Sha256::digest(data.as_bytes()).into()
}

/// The P-256 key of a did:key verification method.
fn key_from_method(method: &str) -> Result<PublicKey, Error> {
    match crate::did::parse_verification_method(method) {
        Ok(key @ PublicKey::P256 { .. }) => Ok(key),
        Ok(_) => Err(Error::Ecdsa(EcdsaError::UnsupportedCurve(
            "the verification method is not a P-256 key",
        ))),
        // P-384 (`p384-pub`, 0x1201) and other codecs are not supported here.
        Err(Error::Encoding(EncodingError::UnsupportedCodec { .. })) => {
            Err(Error::Ecdsa(EcdsaError::UnsupportedCurve(
                "the verification method's key type is not supported (only P-256)",
            )))
        }
        Err(e) => Err(e),
    }
}

/// A string member of the proof; `None` when absent, an error when not a string.
fn opt_string(proof: &Map<String, Value>, key: &'static str) -> Result<Option<String>, Error> {
    match proof.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::Ecdsa(EcdsaError::Proof(match key {
            "challenge" => "challenge is not a string",
            "domain" => "domain is not a single string (domain sets are not supported)",
            "created" => "created is not a string",
            "expires" => "expires is not a string",
            "verificationMethod" => "verificationMethod is not a string",
            "proofPurpose" => "proofPurpose is not a string",
            _ => "a proof member is not a string",
        }))),
    }
}

/// Decodes a `proofValue`: multibase base58btc of the 64-byte signature.
fn decode_proof_value(proof: &Map<String, Value>) -> Result<[u8; 64], Error> {
    let value = match proof.get("proofValue") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(Error::Ecdsa(EcdsaError::ProofValue("not a string"))),
        None => return Err(Error::Ecdsa(EcdsaError::ProofValue("missing"))),
    };
    if value.len() > MAX_PROOF_VALUE_LEN {
        return Err(Error::Ecdsa(EcdsaError::ProofValue(
            "too long for a P-256 signature",
        )));
    }
    if !value.starts_with('z') {
        return Err(Error::Ecdsa(EcdsaError::ProofValue(
            "not multibase base58btc (must start with 'z')",
        )));
    }
    let bytes = Base::Base58Btc
        .decode(value)
        .map_err(|_| Error::Ecdsa(EcdsaError::ProofValue("invalid base58btc")))?;
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| Error::Ecdsa(EcdsaError::ProofValue("not a 64-byte P-256 signature")))
}

/// Checks `created` and `expires` and, when `now` is given, that `expires` has not passed.
fn check_times(proof: &Map<String, Value>, now: Option<i64>) -> Result<(), Error> {
    if let Some(created) = opt_string(proof, "created")? {
        Timestamp::parse(&created).ok_or(Error::Ecdsa(EcdsaError::InvalidDateTime {
            field: "created",
        }))?;
    }
    if let Some(expires) = opt_string(proof, "expires")? {
        let at = Timestamp::parse(&expires).ok_or(Error::Ecdsa(EcdsaError::InvalidDateTime {
            field: "expires",
        }))?;
        if now.is_some_and(|now| now > at.unix_seconds()) {
            return Err(Error::Ecdsa(EcdsaError::ProofExpired));
        }
    }
    Ok(())
}

impl EcdsaRdfc2019 {
    /// The cryptosuite over `jsonld`, with default canonicalization limits and safe-mode
    /// JSON-LD.
    pub fn new(jsonld: Arc<JsonLdProcessor>) -> Self {
        Self {
            jsonld,
            canon: CanonOptions::default(),
            rdf: ToRdfOptions::default(),
        }
    }

    /// The JSON-LD processor in use.
    pub fn jsonld(&self) -> &Arc<JsonLdProcessor> {
        &self.jsonld
    }

    /// [Transformation](https://www.w3.org/TR/vc-di-ecdsa/#transformation-ecdsa-rdfc-2019):
    /// the RDFC-1.0 canonical N-Quads of the unsecured document.
    ///
    /// # Errors
    /// JSON-LD errors (unknown context, undefined term in safe mode) and canonicalization
    /// limits.
    pub fn transform(&self, unsecured: &Value) -> Result<String, Error> {
        let quads = self.jsonld.to_rdf(unsecured, &self.rdf)?;
        Ok(canonicalize(&quads, &self.canon)?.nquads().to_owned())
    }

    /// [Proof configuration](https://www.w3.org/TR/vc-di-ecdsa/#proof-configuration-ecdsa-rdfc-2019):
    /// checks `type` and `cryptosuite` and `created`, sets `@context` to the document's
    /// `@context`, and returns the canonical N-Quads. `proof_options` is the proof without
    /// `proofValue` (a `proofValue` member is ignored).
    ///
    /// # Errors
    /// [`crate::EcdsaError::ProofType`], [`crate::EcdsaError::Cryptosuite`], [`crate::EcdsaError::InvalidDateTime`],
    /// [`crate::EcdsaError::Proof`] when the document has no `@context`, and JSON-LD errors.
    pub fn proof_configuration(
        &self,
        proof_options: &Map<String, Value>,
        unsecured: &Value,
    ) -> Result<String, Error> {
        if proof_options.get("type").and_then(Value::as_str) != Some(PROOF_TYPE) {
            return Err(Error::Ecdsa(EcdsaError::ProofType));
        }
        if proof_options.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE) {
            return Err(Error::Ecdsa(EcdsaError::Cryptosuite));
        }
        check_times(proof_options, None)?;
        let context = unsecured
            .get("@context")
            .ok_or(Error::Ecdsa(EcdsaError::Proof(
                "the document has no @context",
            )))?;
        let mut config = proof_options.clone();
        config.remove("proofValue");
        config.insert("@context".into(), context.clone());
        self.transform(&Value::Object(config))
    }

    /// Transformation, proof configuration and
    /// [hashing](https://www.w3.org/TR/vc-di-ecdsa/#hashing-ecdsa-rdfc-2019) (SHA-256 for
    /// P-256) of an unsecured document and proof options.
    ///
    /// # Errors
    /// As [`EcdsaRdfc2019::proof_configuration`] and [`EcdsaRdfc2019::transform`].
    pub fn hash_data(
        &self,
        unsecured: &Value,
        proof_options: &Map<String, Value>,
    ) -> Result<EcdsaHashData, Error> {
        let canonical_proof_config = self.proof_configuration(proof_options, unsecured)?;
        let canonical_document = self.transform(unsecured)?;
        Ok(EcdsaHashData {
            proof_config_hash: sha256(&canonical_proof_config),
            document_hash: sha256(&canonical_document),
            canonical_document,
            canonical_proof_config,
        })
    }

    /// [Create a proof](https://www.w3.org/TR/vc-di-ecdsa/#create-proof-ecdsa-rdfc-2019) and
    /// return the secured document (the document with `proof` added).
    ///
    /// The signer's key must be the P-256 key of `options.verification_method` (a did:key),
    /// and the signature it returns is verified before use.
    ///
    /// # Errors
    /// [`crate::EcdsaError::Proof`] when the document is not an object or already has a proof,
    /// [`crate::EcdsaError::UnsupportedCurve`] for a non-P-256 key, [`crate::EcdsaError::KeyMismatch`] when the
    /// signer's key is not the verification method's, [`crate::EcdsaError::InvalidDateTime`], the
    /// signer's own errors, and [`crate::EcdsaError::Signer`] when its signature does not verify.
    pub fn sign(
        &self,
        document: &Value,
        signer: &dyn Signer,
        options: &EcdsaProofOptions,
    ) -> Result<Value, Error> {
        let Value::Object(doc) = document else {
            return Err(Error::Ecdsa(EcdsaError::Proof(
                "the document is not a JSON object",
            )));
        };
        if doc.contains_key("proof") {
            return Err(Error::Ecdsa(EcdsaError::Proof(
                "the document already has a proof (only one proof is supported)",
            )));
        }
        let public = signer.public_key();
        if public.key_type() != KeyType::P256 {
            return Err(Error::Ecdsa(EcdsaError::UnsupportedCurve(
                "the signer's key is not P-256",
            )));
        }
        if key_from_method(&options.verification_method)? != public {
            return Err(Error::Ecdsa(EcdsaError::KeyMismatch));
        }
        let proof_options = options.to_json();
        let hash = self.hash_data(document, &proof_options)?.hash_data();
        let signature = signer.sign(&hash)?;
        verify_p256(&public, &hash, &signature).map_err(|_| {
            Error::Ecdsa(EcdsaError::Signer(
                "the signer returned an invalid signature",
            ))
        })?;
        let mut proof = proof_options;
        proof.insert(
            "proofValue".into(),
            Base::Base58Btc.encode(&signature).into(),
        );
        let mut secured = doc.clone();
        secured.insert("proof".into(), Value::Object(proof));
        Ok(Value::Object(secured))
    }

    /// [Verify a proof](https://www.w3.org/TR/vc-di-ecdsa/#verify-proof-ecdsa-rdfc-2019) of
    /// a secured document, checking `expires` against the system clock. The key comes from
    /// the proof's did:key verification method, offline.
    ///
    /// The caller's policy must still check the proof purpose, challenge and domain it
    /// expects (see [`VerifiedEcdsa`]).
    ///
    /// # Errors
    /// [`crate::EcdsaError::Proof`] (not an object, no proof, several proofs, missing fields, a proof
    /// `@context` that is not a prefix of the document's), [`crate::EcdsaError::ProofType`],
    /// [`crate::EcdsaError::Cryptosuite`], [`crate::EcdsaError::ProofValue`],
    /// [`crate::EcdsaError::InvalidDateTime`], [`crate::EcdsaError::ProofExpired`],
    /// [`crate::EcdsaError::UnsupportedCurve`], did:key errors, JSON-LD errors, and
    /// [`crate::EcdsaError::SignatureMismatch`].
    pub fn verify(&self, secured: &Value) -> Result<VerifiedEcdsa, Error> {
        self.verify_at(secured, Timestamp::now().unix_seconds())
    }

    /// Verify a holder's presentation: the proof must verify (as [`EcdsaRdfc2019::verify`]),
    /// its purpose must be `authentication`, its `challenge` must be `expected_challenge`, and
    /// its `domain` must be `expected_domain` (`None`: the proof must have no domain). See
    /// [DI §4.3 Verify Proof](https://www.w3.org/TR/vc-data-integrity/#verify-proof), steps on
    /// `expectedProofPurpose`, `domain` and `challenge`.
    ///
    /// The credentials inside the presentation are not verified here: verify each with
    /// [`EcdsaRdfc2019::verify`] or the cryptosuite it uses.
    ///
    /// # Errors
    /// As [`EcdsaRdfc2019::verify`], and [`crate::EcdsaError::UnexpectedProof`] naming the field that
    /// differs.
    pub fn verify_presentation(
        &self,
        secured: &Value,
        expected_challenge: &str,
        expected_domain: Option<&str>,
    ) -> Result<VerifiedEcdsa, Error> {
        let verified = self.verify(secured)?;
        if verified.proof_purpose() != "authentication" {
            return Err(Error::Ecdsa(EcdsaError::UnexpectedProof {
                field: "proofPurpose",
            }));
        }
        if verified.challenge() != Some(expected_challenge) {
            return Err(Error::Ecdsa(EcdsaError::UnexpectedProof {
                field: "challenge",
            }));
        }
        if verified.domain() != expected_domain {
            return Err(Error::Ecdsa(EcdsaError::UnexpectedProof {
                field: "domain",
            }));
        }
        Ok(verified)
    }

    /// [`EcdsaRdfc2019::verify`] at the given time (seconds since the Unix epoch), against
    /// which `expires` is checked.
    ///
    /// # Errors
    /// As [`EcdsaRdfc2019::verify`].
    pub fn verify_at(&self, secured: &Value, now_unix: i64) -> Result<VerifiedEcdsa, Error> {
        let Value::Object(doc) = secured else {
            return Err(Error::Ecdsa(EcdsaError::Proof(
                "the document is not a JSON object",
            )));
        };
        let proof = match doc.get("proof") {
            Some(Value::Object(p)) => p,
            Some(Value::Array(_)) => {
                return Err(Error::Ecdsa(EcdsaError::Proof(
                    "several proofs (a proof set or chain) are not supported; give one proof",
                )));
            }
            Some(_) => {
                return Err(Error::Ecdsa(EcdsaError::Proof(
                    "the proof is not a JSON object",
                )));
            }
            None => return Err(Error::Ecdsa(EcdsaError::Proof("the document has no proof"))),
        };
        if proof.get("type").and_then(Value::as_str) != Some(PROOF_TYPE) {
            return Err(Error::Ecdsa(EcdsaError::ProofType));
        }
        if proof.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE) {
            return Err(Error::Ecdsa(EcdsaError::Cryptosuite));
        }
        let verification_method = opt_string(proof, "verificationMethod")?.ok_or(Error::Ecdsa(
            EcdsaError::Proof("the proof has no verificationMethod"),
        ))?;
        // The key first: a P-384 proof is reported as an unsupported curve, not as a
        // signature of the wrong length.
        let public_key = key_from_method(&verification_method)?;
        let signature = decode_proof_value(proof)?;
        let proof_purpose = opt_string(proof, "proofPurpose")?.ok_or(Error::Ecdsa(
            EcdsaError::Proof("the proof has no proofPurpose"),
        ))?;
        let challenge = opt_string(proof, "challenge")?;
        let domain = opt_string(proof, "domain")?;
        check_times(proof, Some(now_unix))?;

        let mut unsecured = doc.clone();
        unsecured.remove("proof");
        let mut proof_options = proof.clone();
        proof_options.remove("proofValue");
        // A proof with its own @context: the document's must start with it, and it is the
        // context the proof is processed under (verify proof, step 4).
        if let Some(proof_context) = proof_options.remove("@context") {
            let as_list = |v: &Value| match v {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            let document_context =
                unsecured
                    .get("@context")
                    .map(as_list)
                    .ok_or(Error::Ecdsa(EcdsaError::Proof(
                        "the document has no @context",
                    )))?;
            let wanted = as_list(&proof_context);
            if !document_context.starts_with(&wanted) {
                return Err(Error::Ecdsa(EcdsaError::Proof(
                    "the proof's @context is not a prefix of the document's @context",
                )));
            }
            unsecured.insert("@context".into(), proof_context);
        }
        let unsecured = Value::Object(unsecured);
        let hash_data = self.hash_data(&unsecured, &proof_options)?;
        verify_p256(&public_key, &hash_data.hash_data(), &signature)?;
        let quads = crate::rdf::parse_nquads(&hash_data.canonical_document)?;

        let mut document = doc.clone();
        document.remove("proof");
        Ok(VerifiedEcdsa {
            document: Value::Object(document),
            verification_method,
            public_key,
            proof_purpose,
            challenge,
            domain,
            created: opt_string(proof, "created")?,
            expires: opt_string(proof, "expires")?,
            quads,
        })
    }
}
