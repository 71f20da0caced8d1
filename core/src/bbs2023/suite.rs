//! The `bbs-2023` cryptosuite algorithms, in the order of the specification:
//! [transformation](https://www.w3.org/TR/vc-di-bbs/#base-proof-transformation-bbs-2023),
//! [hashing](https://www.w3.org/TR/vc-di-bbs/#base-proof-hashing-bbs-2023),
//! [proof configuration](https://www.w3.org/TR/vc-di-bbs/#base-proof-configuration-bbs-2023),
//! [base proof serialization](https://www.w3.org/TR/vc-di-bbs/#base-proof-serialization-bbs-2023),
//! [derived proof](https://www.w3.org/TR/vc-di-bbs/#add-derived-proof-bbs-2023) and
//! [verification](https://www.w3.org/TR/vc-di-bbs/#verify-derived-proof-bbs-2023),
//! with the selective disclosure primitives of
//! [DI-ECDSA section 3.4](https://www.w3.org/TR/vc-di-ecdsa/#selective-disclosure-functions)
//! they rely on.

use crate::{Bbs2023Error, BbsError, CredentialError};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::features::{self, BindingSecrets, CommitmentRequest, Randomness};
use super::labels::{mapped_labels, shuffled_label_map};
use super::proof_value::{
    BaseFeature, BaseProofValue, DerivedFeature, DerivedProofValue, Feature, HmacKey, LabelMap,
    Profile,
};
use super::select::select_json_ld;
use crate::Error;
use crate::bbs::pseudonym::{Pseudonym, SignerNymEntropy};
use crate::bbs::{self, Ciphersuite, KeyPair, Proof, PublicKey, Signature};
use crate::jsonld::{JsonLdProcessor, ToRdfOptions};
use crate::rdf::write_quad;
use crate::rdf::{CanonOptions, canonicalize};
use crate::rdf::{Quad, Term};
use crate::time::Timestamp;

/// bbs-2023 uses the BLS12-381-SHA-256 ciphersuite.
/// The reason given when a bound credential's blind signature does not verify with the
/// holder secrets offered (another holder's, or another request's prover blind).
pub(crate) const WRONG_HOLDER_SECRETS: &str =
    "the issuer's blind signature does not verify with these holder secrets";

const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;

/// The proof options of a base proof: everything in the proof but its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// The verification method, for example `did:key:zUC7...#zUC7...`.
    pub verification_method: String,
    /// `created`, an XML Schema dateTime, if any.
    pub created: Option<String>,
    /// The proof purpose; `assertionMethod` for credentials.
    pub proof_purpose: String,
}

impl ProofOptions {
    /// Options for an issuer's assertion with the given verification method.
    pub fn assertion(verification_method: impl Into<String>) -> Self {
        Self {
            verification_method: verification_method.into(),
            created: None,
            proof_purpose: "assertionMethod".into(),
        }
    }

    /// The proof object without `proofValue`.
    fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), "DataIntegrityProof".into());
        m.insert("cryptosuite".into(), "bbs-2023".into());
        if let Some(created) = &self.created {
            m.insert("created".into(), created.clone().into());
        }
        m.insert(
            "verificationMethod".into(),
            self.verification_method.clone().into(),
        );
        m.insert("proofPurpose".into(), self.proof_purpose.clone().into());
        m
    }
}

/// The canonical N-Quads of a document, grouped (canonicalizeAndGroup's output for the
/// groups bbs-2023 uses). Statements are lines ending in `\n`, in the shuffled canonical order.
#[derive(Debug, Clone, Default)]
pub struct Grouped {
    /// All statements, with HMAC-shuffled blank node labels, sorted.
    pub nquads: Vec<String>,
    /// Input blank node label -> shuffled label (`bN`).
    pub label_map: HashMap<String, String>,
    /// For each group: the indexes into `nquads` of its statements, increasing.
    pub matching: HashMap<&'static str, Vec<usize>>,
    /// For each group: the deskolemized statements of the selection (input labels).
    pub selections: HashMap<&'static str, Vec<Quad>>,
}

/// Intermediate values of base proof creation, for conformance tests and audits.
#[derive(Debug, Clone)]
pub struct BaseProofData {
    /// Grouped statements (only the `mandatory` group).
    pub grouped: Grouped,
    /// Mandatory statements, in order.
    pub mandatory: Vec<String>,
    /// Non-mandatory statements (the BBS messages), in order.
    pub non_mandatory: Vec<String>,
    /// SHA-256 of the canonical proof configuration.
    pub proof_hash: [u8; 32],
    /// SHA-256 of the joined mandatory statements.
    pub mandatory_hash: [u8; 32],
}

/// A derived credential whose proof verified: only this library constructs it.
#[derive(Debug, Clone)]
pub struct VerifiedDocument {
    document: Value,
    issuer_key: PublicKey,
    verification_method: String,
    presentation_header: Vec<u8>,
    quads: Vec<Quad>,
    feature: Feature,
    pseudonym: Option<Pseudonym>,
    nym_domain: Option<String>,
}

impl VerifiedDocument {
    /// The verified statements (what the proof covers), with the document's own blank node
    /// labels. Policy reads fields from these, not from the JSON (see [`crate::vc`]).
    pub fn quads(&self) -> &[Quad] {
        &self.quads
    }
    /// The disclosed document, without its proof.
    pub fn document(&self) -> &Value {
        &self.document
    }
    /// The issuer's BBS public key the proof verified against.
    pub fn issuer_key(&self) -> &PublicKey {
        &self.issuer_key
    }
    /// The proof's verification method (a did:key URL).
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }
    /// The presentation header the holder bound the proof to.
    pub fn presentation_header(&self) -> &[u8] {
        &self.presentation_header
    }
    /// The feature option the proof verified under (for a `holder_binding_pseudonym` header
    /// with no committed holder secret, as the W3C vectors' `Pseudonym` set: `pseudonym`).
    pub fn feature(&self) -> Feature {
        self.feature
    }
    /// Whether only the holder of a secret committed at issuance could have made the proof.
    pub fn holder_bound(&self) -> bool {
        matches!(
            self.feature,
            Feature::AnonymousHolderBinding | Feature::HolderBindingPseudonym
        )
    }
    /// The holder's pseudonym at [`VerifiedDocument::nym_domain`], for the pseudonym features.
    pub fn pseudonym(&self) -> Option<&Pseudonym> {
        self.pseudonym.as_ref()
    }
    /// The `nym_domain` the pseudonym was verified for.
    pub fn nym_domain(&self) -> Option<&str> {
        self.nym_domain.as_deref()
    }
}

/// The bbs-2023 cryptosuite over a JSON-LD processor (whose bundled and registered contexts
/// it uses, offline).
#[derive(Debug, Clone)]
pub struct Bbs2023 {
    jsonld: Arc<JsonLdProcessor>,
    canon: CanonOptions,
    rdf: ToRdfOptions,
    /// Issuer keys already decoded and validated (subgroup check), by verification method:
    /// a verifier desk sees the same few issuers all day.
    keys: Arc<std::sync::Mutex<HashMap<String, PublicKey>>>,
}

/// Most issuer keys kept decoded.
const KEY_CACHE: usize = 256;

/// Statements as lines, each ending in `\n`, with blank nodes relabelled through `labels`.
fn relabel_lines(quads: &[Quad], labels: &HashMap<String, String>) -> Result<Vec<String>, Error> {
    let relabel = |t: &Term| -> Result<Term, Error> {
        match t {
            Term::BlankNode(b) => {
                labels
                    .get(b)
                    .map(|l| Term::BlankNode(l.clone()))
                    .ok_or(Error::Bbs2023(Bbs2023Error::Invalid(
                        "a blank node has no label in the label map",
                    )))
            }
            other => Ok(other.clone()),
        }
    };
    let mut out = Vec::with_capacity(quads.len());
    for q in quads {
        let q = Quad {
            subject: relabel(&q.subject)?,
            predicate: q.predicate.clone(),
            object: relabel(&q.object)?,
            graph: q.graph.as_ref().map(relabel).transpose()?,
        };
        let mut line = String::new();
        write_quad(&mut line, &q);
        out.push(line);
    }
    Ok(out)
}

fn sha256(parts: impl IntoIterator<Item = impl AsRef<[u8]>>) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_ref());
    }
    h.finalize().into()
}

/// The document's `@context`, required by the cryptosuite.
fn context_of(document: &Value) -> Result<&Value, Error> {
    document
        .get("@context")
        .ok_or(Error::Bbs2023(Bbs2023Error::Invalid(
            "the document has no @context",
        )))
}

impl Bbs2023 {
    /// The cryptosuite over `jsonld`, with default canonicalization limits and safe-mode
    /// JSON-LD (a term that does not expand is an error, never a silently dropped claim).
    pub fn new(jsonld: Arc<JsonLdProcessor>) -> Self {
        Self {
            jsonld,
            canon: CanonOptions::default(),
            rdf: ToRdfOptions::default(),
            keys: Arc::default(),
        }
    }

    /// The BBS key of a did:key verification method, decoded once.
    fn issuer_key(&self, method: &str) -> Result<PublicKey, Error> {
        if let Some(k) = self.keys.lock().ok().and_then(|m| m.get(method).cloned()) {
            return Ok(k);
        }
        let key = key_from_method(method)?;
        if let Ok(mut m) = self.keys.lock() {
            if m.len() >= KEY_CACHE {
                m.clear();
            }
            m.insert(method.to_owned(), key.clone());
        }
        Ok(key)
    }

    /// The JSON-LD processor in use.
    pub fn jsonld(&self) -> &Arc<JsonLdProcessor> {
        &self.jsonld
    }

    /// Deserialize to RDF with skolemized node identities: every node object without an
    /// IRI keeps the same blank node label in every selection of the same document.
    fn skolemize(&self, document: &Value) -> Result<(Value, String), Error> {
        self.jsonld.skolemize(document, &self.rdf)
    }

    /// toDeskolemizedNQuads: statements of a skolemized document, skolem IRIs turned back
    /// into blank nodes. Any other blank node (list nodes, references written as `"_:x"`
    /// strings) would not keep its identity across selections, so it is refused.
    fn deskolemized(&self, skolemized: &Value, prefix: &str) -> Result<Vec<Quad>, Error> {
        let mut quads = self.jsonld.to_rdf(skolemized, &self.rdf)?;
        let fix = |t: &mut Term| -> Result<(), Error> {
            match t {
                Term::Iri(iri) => {
                    if let Some(label) = iri.strip_prefix(prefix) {
                        *t = Term::BlankNode(label.to_owned());
                    }
                    Ok(())
                }
                Term::BlankNode(_) => Err(Error::Credential(CredentialError::Unsupported(
                    "a blank node without a JSON object of its own (an @list value or a \"_:\" reference)",
                ))),
                Term::Literal(_) => Ok(()),
            }
        };
        for q in &mut quads {
            fix(&mut q.subject)?;
            fix(&mut q.object)?;
            if let Some(g) = &mut q.graph {
                fix(g)?;
            }
        }
        Ok(quads)
    }

    /// canonicalizeAndGroup with the shuffled (HMAC) label map, for the named pointer groups.
    pub fn canonicalize_and_group(
        &self,
        document: &Value,
        hmac_key: &HmacKey,
        groups: &[(&'static str, &[String])],
    ) -> Result<Grouped, Error> {
        let (skolemized, prefix) = self.skolemize(document)?;
        let quads = self.deskolemized(&skolemized, &prefix)?;
        let canonical = canonicalize(&quads, &self.canon)?;
        let label_map = shuffled_label_map(hmac_key, canonical.issued_identifiers())?;
        let mut nquads = relabel_lines(&quads_dedup(quads), &label_map)?;
        nquads.sort_unstable();
        nquads.dedup();
        let mut matching = HashMap::new();
        let mut selections = HashMap::new();
        for (name, pointers) in groups {
            let selected = match select_json_ld(&skolemized, pointers)? {
                Some(selection) => self.deskolemized(&selection, &prefix)?,
                None => Vec::new(),
            };
            let lines: HashSet<String> =
                relabel_lines(&selected, &label_map)?.into_iter().collect();
            let idx: Vec<usize> = nquads
                .iter()
                .enumerate()
                .filter(|(_, nq)| lines.contains(*nq))
                .map(|(i, _)| i)
                .collect();
            matching.insert(*name, idx);
            selections.insert(*name, selected);
        }
        Ok(Grouped {
            nquads,
            label_map,
            matching,
            selections,
        })
    }

    /// Base proof configuration and hashing: SHA-256 of the canonical proof configuration
    /// (the proof without its value, under the document's `@context`).
    pub fn proof_hash(
        &self,
        proof: &Map<String, Value>,
        context: &Value,
    ) -> Result<[u8; 32], Error> {
        match proof.get("type").and_then(Value::as_str) {
            Some("DataIntegrityProof") => {}
            _ => {
                return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                    "proof type is not DataIntegrityProof",
                )));
            }
        }
        match proof.get("cryptosuite").and_then(Value::as_str) {
            Some("bbs-2023") => {}
            _ => {
                return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                    "cryptosuite is not bbs-2023",
                )));
            }
        }
        let mut config = proof.clone();
        config.remove("proofValue");
        config.insert("@context".into(), context.clone());
        let quads = self.jsonld.to_rdf(&Value::Object(config), &self.rdf)?;
        let canonical = canonicalize(&quads, &self.canon)?;
        Ok(sha256([canonical.nquads()]))
    }

    /// The transformation and hashing steps of a base proof, with a given HMAC key.
    pub fn base_proof_data(
        &self,
        document: &Value,
        options: &ProofOptions,
        mandatory_pointers: &[String],
        hmac_key: &HmacKey,
    ) -> Result<BaseProofData, Error> {
        let context = context_of(document)?;
        let proof_hash = self.proof_hash(&options.to_json(), context)?;
        let grouped =
            self.canonicalize_and_group(document, hmac_key, &[("mandatory", mandatory_pointers)])?;
        let mandatory_idx: HashSet<usize> = grouped
            .matching
            .get("mandatory")
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        let (mut mandatory, mut non_mandatory) = (Vec::new(), Vec::new());
        for (i, nq) in grouped.nquads.iter().enumerate() {
            if mandatory_idx.contains(&i) {
                mandatory.push(nq.clone())
            } else {
                non_mandatory.push(nq.clone())
            }
        }
        let mandatory_hash = sha256(&mandatory);
        Ok(BaseProofData {
            grouped,
            mandatory,
            non_mandatory,
            proof_hash,
            mandatory_hash,
        })
    }

    /// Create a base proof with a fresh random HMAC key: the signed document.
    pub fn sign(
        &self,
        document: &Value,
        key: &KeyPair,
        options: &ProofOptions,
        mandatory_pointers: &[String],
    ) -> Result<Value, Error> {
        let mut hmac = [0u8; 32];
        getrandom::getrandom(&mut hmac).map_err(|_| Error::Crypto("no system randomness"))?;
        let hmac_key = HmacKey::new(hmac);
        zeroize::Zeroize::zeroize(&mut hmac);
        self.sign_with_hmac_key(document, key, options, mandatory_pointers, hmac_key)
    }

    /// Create a base proof with the given HMAC key. The key must be fresh and secret for each
    /// credential; this entry point exists for reproducing published test vectors.
    pub fn sign_with_hmac_key(
        &self,
        document: &Value,
        key: &KeyPair,
        options: &ProofOptions,
        mandatory_pointers: &[String],
        hmac_key: HmacKey,
    ) -> Result<Value, Error> {
        self.sign_inner(
            document,
            options,
            mandatory_pointers,
            hmac_key,
            Profile::Spec,
            key.public(),
            |header, messages| {
                let signature = bbs::sign(CS, key.secret(), key.public(), header, messages)?;
                Ok((signature, BaseFeature::Baseline))
            },
        )
        .map(|(signed, _)| signed)
    }

    /// Issue a credential bound to the holder's commitment (the feature of `request`): the
    /// blind base proof, with a fresh HMAC key and, for the pseudonym features, fresh
    /// `signer_nym_entropy`. The commitment's proof is checked first
    /// ([`crate::BbsError::CommitmentProofInvalid`]), and it must hold the feature's number of values
    /// ([`crate::BbsError::CommittedMessageCount`]).
    pub fn sign_blind(
        &self,
        document: &Value,
        key: &KeyPair,
        options: &ProofOptions,
        mandatory_pointers: &[String],
        request: &CommitmentRequest,
    ) -> Result<Value, Error> {
        let mut hmac = [0u8; 32];
        getrandom::getrandom(&mut hmac).map_err(|_| Error::Crypto("no system randomness"))?;
        let hmac_key = HmacKey::new(hmac);
        zeroize::Zeroize::zeroize(&mut hmac);
        self.sign_blind_with(
            document,
            key,
            options,
            mandatory_pointers,
            request,
            hmac_key,
            None,
            Profile::Spec,
        )
    }

    /// [`Bbs2023::sign_blind`] with the given HMAC key, `signer_nym_entropy` (fresh when
    /// `None`) and proof value profile. The HMAC key must be fresh and secret for each
    /// credential; this entry point exists for reproducing published test vectors.
    #[expect(
        clippy::too_many_arguments,
        reason = "sign_blind's inputs plus the HMAC key, nym entropy and profile a published vector fixes"
    )]
    pub fn sign_blind_with(
        &self,
        document: &Value,
        key: &KeyPair,
        options: &ProofOptions,
        mandatory_pointers: &[String],
        request: &CommitmentRequest,
        hmac_key: HmacKey,
        signer_nym_entropy: Option<SignerNymEntropy>,
        profile: Profile,
    ) -> Result<Value, Error> {
        self.sign_inner(
            document,
            options,
            mandatory_pointers,
            hmac_key,
            profile,
            key.public(),
            |header, messages| {
                features::sign(
                    key.secret(),
                    key.public(),
                    request,
                    signer_nym_entropy,
                    header,
                    messages,
                )
            },
        )
        .map(|(signed, _)| signed)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "bbs-2023's base proof inputs plus the key and signer that differ between plain and blind signing"
    )]
    fn sign_inner(
        &self,
        document: &Value,
        options: &ProofOptions,
        mandatory_pointers: &[String],
        hmac_key: HmacKey,
        profile: Profile,
        pk: &PublicKey,
        signer: impl FnOnce(&[u8], &[String]) -> Result<(Signature, BaseFeature), Error>,
    ) -> Result<(Value, PublicKey), Error> {
        let Value::Object(doc) = document else {
            return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                "the document is not a JSON object",
            )));
        };
        if doc.contains_key("proof") {
            return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                "the document already has a proof",
            )));
        }
        let data = self.base_proof_data(document, options, mandatory_pointers, &hmac_key)?;
        let header: Vec<u8> = [data.proof_hash, data.mandatory_hash].concat();
        let (signature, feature) = signer(&header, &data.non_mandatory)?;
        let mut bbs_header = [0u8; 64];
        bbs_header.copy_from_slice(&header);
        let value = BaseProofValue {
            bbs_signature: signature.to_bytes(),
            bbs_header,
            public_key: pk.to_bytes(),
            hmac_key,
            mandatory_pointers: mandatory_pointers.to_vec(),
            feature,
        };
        let mut proof = options.to_json();
        proof.insert("proofValue".into(), value.serialize_with(profile).into());
        let mut signed = doc.clone();
        signed.insert("proof".into(), Value::Object(proof));
        Ok((Value::Object(signed), pk.clone()))
    }

    /// Split a secured document into the unsecured document and its single proof object.
    fn split<'a>(&self, secured: &'a Value) -> Result<(Value, &'a Map<String, Value>), Error> {
        let Value::Object(doc) = secured else {
            return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                "the document is not a JSON object",
            )));
        };
        let proof = match doc.get("proof") {
            Some(Value::Object(p)) => p,
            Some(Value::Array(_)) => {
                return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                    "more than one proof; give one bbs-2023 proof",
                )));
            }
            _ => {
                return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                    "the document has no proof",
                )));
            }
        };
        let mut unsecured = doc.clone();
        unsecured.remove("proof");
        Ok((Value::Object(unsecured), proof))
    }

    /// Holder-side check of a base proof (the issuer's signature over the whole credential),
    /// for a wallet importing a credential. Returns the issuer's key.
    pub fn verify_base(&self, signed: &Value) -> Result<PublicKey, Error> {
        let (base, pk, signature, header, messages) = self.base_check(signed)?;
        if base.feature != BaseFeature::Baseline {
            return Err(Error::Bbs2023(Bbs2023Error::Feature(
                "a bound credential is checked with the holder's secrets (verify_base_blind)",
            )));
        }
        bbs::verify(CS, &pk, &signature, &header, &messages).map_err(|_| {
            Error::Bbs2023(Bbs2023Error::VerificationFailed(
                "the issuer's BBS signature does not verify",
            ))
        })?;
        Ok(pk)
    }

    /// The holder's check on receipt of a bound credential: the document and proof options
    /// are what the issuer signed, and the blind signature verifies with the holder's secrets
    /// (for the pseudonym features, VerifyFinalizeWithNym, whose nym secret is dropped at
    /// once). Returns the issuer's key and the feature.
    pub fn verify_base_blind(
        &self,
        signed: &Value,
        secrets: &BindingSecrets<'_>,
    ) -> Result<(PublicKey, Feature), Error> {
        let (base, pk, signature, header, messages) = self.base_check(signed)?;
        features::check(&pk, &signature, &base.feature, secrets, &header, &messages).map_err(
            |e| match e {
                Error::Bbs(BbsError::SignatureInvalid) => {
                    Error::Bbs2023(Bbs2023Error::VerificationFailed(WRONG_HOLDER_SECRETS))
                }
                other => other,
            },
        )?;
        Ok((pk, secrets.feature()))
    }

    /// Parse a base proof and check the document and options against its header.
    #[expect(
        clippy::type_complexity,
        reason = "the parsed base proof with its key, signature, header and non-mandatory statements"
    )]
    fn base_check(
        &self,
        signed: &Value,
    ) -> Result<(BaseProofValue, PublicKey, Signature, Vec<u8>, Vec<String>), Error> {
        let (document, proof) = self.split(signed)?;
        let value = proof_value_str(proof)?;
        let base = BaseProofValue::parse(value)?;
        let options = options_from_proof(proof)?;
        let data = self.base_proof_data(
            &document,
            &options,
            &base.mandatory_pointers,
            &base.hmac_key,
        )?;
        let header: Vec<u8> = [data.proof_hash, data.mandatory_hash].concat();
        if header != base.bbs_header {
            return Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(
                "the document or proof options differ from what the issuer signed",
            )));
        }
        let pk = PublicKey::from_bytes(&base.public_key)?;
        check_key_matches_method(&pk, &options.verification_method)?;
        let signature = Signature::from_bytes(&base.bbs_signature)?;
        Ok((base, pk, signature, header, data.non_mandatory))
    }

    /// Add a derived proof (createDisclosureData and serializeDerivedProofValue): the reveal
    /// document with the derived proof, disclosing the mandatory statements and those the
    /// selective pointers reach, bound to `presentation_header`.
    pub fn derive(
        &self,
        signed: &Value,
        selective_pointers: &[String],
        presentation_header: &[u8],
    ) -> Result<Value, Error> {
        self.derive_inner(
            signed,
            selective_pointers,
            presentation_header,
            None,
            None,
            Randomness::System,
            Profile::Spec,
        )
    }

    /// Add a derived proof to a bound credential (holder binding and/or pseudonym): as
    /// [`Bbs2023::derive`], with the holder's secrets (the blind signature is verified with
    /// them first) and, for the pseudonym features, the verifier's `nym_domain`. The derived
    /// proof carries `lengthBBSMessages` and, with pseudonyms, the pseudonym and `nym_domain`.
    pub fn derive_bound(
        &self,
        signed: &Value,
        selective_pointers: &[String],
        presentation_header: &[u8],
        secrets: &BindingSecrets<'_>,
        nym_domain: Option<&str>,
    ) -> Result<Value, Error> {
        self.derive_inner(
            signed,
            selective_pointers,
            presentation_header,
            Some(secrets),
            nym_domain,
            Randomness::System,
            Profile::Spec,
        )
    }

    /// [`Bbs2023::derive_bound`] with the BBS drafts' mocked random scalars
    /// (`seeded_random_scalars(seed, dst, count)`) and the given proof value profile.
    ///
    /// DANGEROUS: a proof made with known randomness reveals the holder's secrets and every
    /// hidden claim. Only for reproducing published vectors; compiled only with the
    /// `dangerous-test-vectors` feature.
    #[cfg(feature = "dangerous-test-vectors")]
    #[expect(
        clippy::too_many_arguments,
        reason = "derive_bound's inputs plus the seed, DST and profile of the published vectors"
    )]
    pub fn dangerous_derive_bound_with_seed(
        &self,
        signed: &Value,
        selective_pointers: &[String],
        presentation_header: &[u8],
        secrets: &BindingSecrets<'_>,
        nym_domain: Option<&str>,
        seed: &[u8],
        dst: &[u8],
        profile: Profile,
    ) -> Result<Value, Error> {
        self.derive_inner(
            signed,
            selective_pointers,
            presentation_header,
            Some(secrets),
            nym_domain,
            Randomness::Seeded { seed, dst },
            profile,
        )
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "bbs-2023's derived proof inputs plus the secrets, nym domain, randomness and profile of each variant"
    )]
    fn derive_inner(
        &self,
        signed: &Value,
        selective_pointers: &[String],
        presentation_header: &[u8],
        secrets: Option<&BindingSecrets<'_>>,
        nym_domain: Option<&str>,
        rng: Randomness<'_>,
        profile: Profile,
    ) -> Result<Value, Error> {
        let (document, proof) = self.split(signed)?;
        let base = BaseProofValue::parse(proof_value_str(proof)?)?;
        match (&base.feature, secrets) {
            (BaseFeature::Baseline, None) => {}
            (BaseFeature::Baseline, Some(s)) => {
                return Err(Error::Bbs2023(Bbs2023Error::FeatureMismatch {
                    expected: s.feature().name(),
                    found: Feature::Baseline.name(),
                }));
            }
            (_, None) => {
                return Err(Error::Bbs2023(Bbs2023Error::Feature(
                    "a bound credential needs the holder's secrets to derive (derive_bound)",
                )));
            }
            (f, Some(s)) => s.check_base(f)?,
        }
        let pk = PublicKey::from_bytes(&base.public_key)?;
        let signature = Signature::from_bytes(&base.bbs_signature)?;
        let mandatory_pointers = base.mandatory_pointers.clone();
        let combined: Vec<String> = mandatory_pointers
            .iter()
            .chain(selective_pointers)
            .cloned()
            .collect();
        let grouped = self.canonicalize_and_group(
            &document,
            &base.hmac_key,
            &[
                ("mandatory", &mandatory_pointers),
                ("selective", selective_pointers),
                ("combined", &combined),
            ],
        )?;
        let get = |name: &str| grouped.matching.get(name).cloned().unwrap_or_default();
        let (mandatory, selective, combined_idx) =
            (get("mandatory"), get("selective"), get("combined"));
        let mandatory_set: HashSet<usize> = mandatory.iter().copied().collect();
        // Positions of mandatory statements among the combined ones.
        let mandatory_indexes: Vec<u32> = combined_idx
            .iter()
            .enumerate()
            .filter(|(_, i)| mandatory_set.contains(i))
            .map(|(pos, _)| pos as u32)
            .collect();
        // Positions of selected statements among the non-mandatory ones.
        let non_mandatory: Vec<usize> = (0..grouped.nquads.len())
            .filter(|i| !mandatory_set.contains(i))
            .collect();
        let selective_set: HashSet<usize> = selective.iter().copied().collect();
        let selective_indexes: Vec<usize> = non_mandatory
            .iter()
            .enumerate()
            .filter(|(_, i)| selective_set.contains(i))
            .map(|(pos, _)| pos)
            .collect();
        let messages: Vec<String> = non_mandatory
            .iter()
            .filter_map(|&i| grouped.nquads.get(i).cloned())
            .collect();
        let (bbs_proof, feature) = match secrets {
            None => (
                bbs::proof_gen(
                    CS,
                    &pk,
                    &signature,
                    &base.bbs_header,
                    presentation_header,
                    &messages,
                    &selective_indexes,
                )?,
                DerivedFeature::Baseline,
            ),
            Some(secrets) => features::prove(
                &pk,
                &signature,
                &base.feature,
                secrets,
                &base.bbs_header,
                presentation_header,
                &messages,
                &selective_indexes,
                nym_domain,
                rng,
            )
            .map_err(|e| match e {
                Error::Bbs(BbsError::SignatureInvalid) => {
                    Error::Bbs2023(Bbs2023Error::VerificationFailed(WRONG_HOLDER_SECRETS))
                }
                other => other,
            })?,
        };

        // The label map the verifier needs: its canonical labels of the revealed statements
        // -> the shuffled labels they were signed under.
        let combined_quads = grouped
            .selections
            .get("combined")
            .cloned()
            .unwrap_or_default();
        let canonical = canonicalize(&quads_dedup(combined_quads), &self.canon)?;
        let label_map =
            LabelMap::compress(canonical.issued_identifiers().iter().map(|(input, c14n)| {
                (
                    c14n.as_str(),
                    grouped
                        .label_map
                        .get(input)
                        .map(String::as_str)
                        .unwrap_or(""),
                )
            }))?;
        let value = DerivedProofValue {
            bbs_proof: bbs_proof.to_bytes(),
            label_map,
            mandatory_indexes,
            selective_indexes: selective_indexes.iter().map(|&i| i as u32).collect(),
            presentation_header: presentation_header.to_vec(),
            feature,
        };
        let mut reveal = match select_json_ld(&document, &combined)? {
            Some(Value::Object(m)) => m,
            _ => {
                return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                    "nothing is disclosed: give mandatory or selective pointers",
                )));
            }
        };
        let mut new_proof = proof.clone();
        new_proof.insert("proofValue".into(), value.serialize_with(profile).into());
        reveal.insert("proof".into(), Value::Object(new_proof));
        Ok(Value::Object(reveal))
    }

    /// Verify a derived proof (createVerifyData, then ProofVerify). The issuer's key comes from
    /// the proof's did:key verification method, offline.
    pub fn verify(&self, secured: &Value) -> Result<VerifiedDocument, Error> {
        self.verify_at(secured, Timestamp::now())
    }

    /// [`Bbs2023::verify`] at the given time, against which the proof's `expires` is
    /// checked (an audit's `--at`); `created` and `expires` must be `xsd:dateTimeStamp`s.
    pub fn verify_at(&self, secured: &Value, now: Timestamp) -> Result<VerifiedDocument, Error> {
        self.verify_with(secured, None, now)
    }

    /// [`Bbs2023::verify_at`] for every feature option, with the verifier's own `nym_domain`
    /// for pseudonym proofs: when given, the pseudonym is verified for it (and a proof that
    /// names another one is refused with [`crate::Bbs2023Error::NymDomainMismatch`]); when not, the
    /// proof's own `nym_domain` is used and reported in [`VerifiedDocument::nym_domain`] (a
    /// proof without one is refused with [`crate::Bbs2023Error::MissingNymDomain`]).
    pub fn verify_with(
        &self,
        secured: &Value,
        nym_domain: Option<&str>,
        now: Timestamp,
    ) -> Result<VerifiedDocument, Error> {
        let (document, proof) = self.split(secured)?;
        check_proof_times(proof, now)?;
        let value = proof_value_str(proof)?;
        let (kind, _) = super::proof_value::identify(value)?;
        if kind == super::proof_value::ProofKind::Base {
            return Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(
                "this is a base proof, which only the holder may see; expected a derived proof",
            )));
        }
        let derived = DerivedProofValue::parse(value)?;
        let options = options_from_proof(proof)?;
        let pk = self.issuer_key(&options.verification_method)?;
        let proof_hash = self.proof_hash(proof, context_of(&document)?)?;

        // labelReplacementCanonicalize with the proof's label map.
        let quads = quads_dedup(self.jsonld.to_rdf(&document, &self.rdf)?);
        let canonical = canonicalize(&quads, &self.canon)?;
        let label_map: HashMap<String, String> =
            derived.label_map.decompress().into_iter().collect();
        let labels = mapped_labels(canonical.issued_identifiers(), &label_map)?;
        let mut nquads = relabel_lines(&quads, &labels)?;
        nquads.sort_unstable();
        nquads.dedup();

        let mandatory_set: HashSet<usize> = derived
            .mandatory_indexes
            .iter()
            .map(|&i| i as usize)
            .collect();
        if derived
            .mandatory_indexes
            .iter()
            .any(|&i| i as usize >= nquads.len())
        {
            return Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(
                "a mandatory index points past the disclosed statements",
            )));
        }
        let (mut mandatory, mut non_mandatory) = (Vec::new(), Vec::new());
        for (i, nq) in nquads.iter().enumerate() {
            if mandatory_set.contains(&i) {
                mandatory.push(nq.as_str())
            } else {
                non_mandatory.push(nq.as_str())
            }
        }
        let mandatory_hash = sha256(&mandatory);
        let header: Vec<u8> = [proof_hash, mandatory_hash].concat();
        let bbs_proof = Proof::from_bytes(&derived.bbs_proof)?;
        let selective: Vec<usize> = derived
            .selective_indexes
            .iter()
            .map(|&i| i as usize)
            .collect();
        if non_mandatory.len() != selective.len()
            || mandatory.len() != derived.mandatory_indexes.len()
        {
            return Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(
                "the disclosed statements do not match what the proof covers (a claim was added or removed)",
            )));
        }
        let bound = match &derived.feature {
            DerivedFeature::Baseline => {
                bbs::proof_verify(CS, &pk, &bbs_proof, &header, &derived.presentation_header, &non_mandatory, &selective)
                    .map_err(|e| match e {
                        Error::Bbs(BbsError::ProofInvalid) => Error::Bbs2023(Bbs2023Error::VerificationFailed(
                            "the BBS proof does not verify (tampered or missing claims, another issuer key, or another presentation header)",
                        )),
                        other => other,
                    })?;
                features::BoundVerified {
                    feature: Feature::Baseline,
                    pseudonym: None,
                    nym_domain: None,
                }
            }
            feature => features::verify(
                &pk,
                &bbs_proof,
                feature,
                &header,
                &derived.presentation_header,
                &non_mandatory,
                &selective,
                nym_domain,
            )?,
        };
        Ok(VerifiedDocument {
            document,
            issuer_key: pk,
            verification_method: options.verification_method,
            presentation_header: derived.presentation_header,
            quads,
            feature: bound.feature,
            pseudonym: bound.pseudonym,
            nym_domain: bound.nym_domain,
        })
    }
}

/// Remove duplicate statements (an RDF dataset is a set).
fn quads_dedup(mut quads: Vec<Quad>) -> Vec<Quad> {
    quads.sort_unstable();
    quads.dedup();
    quads
}

/// The proof's `created` and `expires`: `xsd:dateTimeStamp`s, and `expires` not passed at
/// `now` ([DI §2.1](https://www.w3.org/TR/vc-data-integrity/#proofs)).
fn check_proof_times(proof: &Map<String, Value>, now: Timestamp) -> Result<(), Error> {
    let stamp = |key: &str| -> Result<Option<Timestamp>, Error> {
        match proof.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => {
                Timestamp::parse(s)
                    .map(Some)
                    .ok_or(Error::Bbs2023(Bbs2023Error::Invalid(
                        "the proof's created or expires is not a date-time with a time zone",
                    )))
            }
            Some(_) => Err(Error::Bbs2023(Bbs2023Error::Invalid(
                "the proof's created or expires is not a string",
            ))),
        }
    };
    stamp("created")?;
    if stamp("expires")?.is_some_and(|expires| expires < now) {
        return Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(
            "the proof has expired",
        )));
    }
    Ok(())
}

fn proof_value_str(proof: &Map<String, Value>) -> Result<&str, Error> {
    proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or(Error::Bbs2023(Bbs2023Error::Invalid(
            "the proof has no proofValue string",
        )))
}

fn options_from_proof(proof: &Map<String, Value>) -> Result<ProofOptions, Error> {
    let text = |k: &str| proof.get(k).and_then(Value::as_str).map(str::to_owned);
    Ok(ProofOptions {
        verification_method: text("verificationMethod").ok_or(Error::Bbs2023(
            Bbs2023Error::Invalid("the proof has no verificationMethod"),
        ))?,
        created: text("created"),
        proof_purpose: text("proofPurpose").ok_or(Error::Bbs2023(Bbs2023Error::Invalid(
            "the proof has no proofPurpose",
        )))?,
    })
}

/// The BBS key of a did:key verification method.
fn key_from_method(method: &str) -> Result<PublicKey, Error> {
    match crate::did::parse_verification_method(method)? {
        crate::keys::PublicKey::Bls12381G2(bytes) => PublicKey::from_bytes(&bytes),
        _ => Err(Error::Bbs2023(Bbs2023Error::Invalid(
            "the verification method is not a BLS12-381 G2 key",
        ))),
    }
}

/// A base proof's embedded key must be the verification method's key.
fn check_key_matches_method(pk: &PublicKey, method: &str) -> Result<(), Error> {
    if key_from_method(method)? == *pk {
        Ok(())
    } else {
        Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(
            "the proof's public key is not the verification method's key",
        )))
    }
}
