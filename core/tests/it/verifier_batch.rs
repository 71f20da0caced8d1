//! Batched verification gives the verdicts of one-by-one verification: randomized batches of
//! presentations from 1 to 10 issuers, mixing valid and invalid inputs and the bbs-2023
//! features, one input that is invalid only in its pairing equation, duplicates, and an
//! empty batch.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::sync::Arc;

use civitas_core::bbs::blind::HolderSecret;
use civitas_core::bbs::pseudonym::ProverNym;
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{BaseProofValue, Feature};
use civitas_core::bbs2023::{Bbs2023, BindingSecrets, ProofOptions, commitment_request};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::verifier::{
    Policy, StatusLists, TrustList, TrustedIssuer, Verifier, request_binding,
};
use serde_json::Value;

const CHALLENGE: &str = "batch-challenge";
const DOMAIN: &str = "https://agency.example";
const DEGREE: &str = "/credentialSubject/degree/name";

struct Issuer {
    pair: KeyPair,
    did: String,
    method: String,
}

struct World {
    jsonld: Arc<JsonLdProcessor>,
    bbs: Bbs2023,
    issuers: Vec<Issuer>,
    doc: Value,
}

fn world(issuers: u8) -> World {
    let p = JsonLdProcessor::default();
    crate::common::register_diploma_context(&p);
    let jsonld = Arc::new(p);
    let issuers = (0..issuers)
        .map(|i| {
            let pair = KeyPair::from_secret(
                SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[i + 1; 32], b"", None).unwrap(),
            );
            let key = PublicKey::Bls12381G2(pair.public().to_bytes());
            Issuer {
                did: did::did_key(&key),
                method: did::verification_method_id(&key),
                pair,
            }
        })
        .collect();
    let mut doc: Value = crate::common::diploma();
    doc["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    World {
        bbs: Bbs2023::new(Arc::clone(&jsonld)),
        jsonld,
        issuers,
        doc,
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    /// A bare baseline derived credential (accepted with --dangerous-allow-bearer).
    Baseline,
    /// A bare derived credential bound by a holder secret.
    HolderBound,
    /// Bound by a holder secret, with a pseudonym for the desk's domain.
    Pseudonymous,
    /// A proof made from a signature with another `e`: its challenge is consistent, only its
    /// pairing equation fails.
    ForgedPairing,
    /// A disclosed claim changed after derivation.
    Tampered,
    /// Made for another challenge.
    OtherChallenge,
    /// Not even a credential.
    Garbage,
}

impl World {
    fn input(&self, kind: Kind, issuer: usize) -> Value {
        let is = &self.issuers[issuer % self.issuers.len()];
        let mut doc = self.doc.clone();
        doc["issuer"]["id"] = is.did.clone().into();
        let options = ProofOptions::assertion(is.method.clone());
        let mandatory = vec!["/issuer".to_owned(), "/validFrom".to_owned()];
        let header = request_binding(CHALLENGE, Some(DOMAIN));
        let pointers = [DEGREE.to_owned()];
        match kind {
            Kind::Garbage => serde_json::json!({"type": ["VerifiablePresentation"], "x": 1}),
            Kind::Pseudonymous => {
                let secret = HolderSecret::generate().unwrap();
                let nym = ProverNym::generate().unwrap();
                let (req, blind) =
                    commitment_request(Feature::HolderBindingPseudonym, Some(&secret), Some(&nym))
                        .unwrap();
                let signed = self
                    .bbs
                    .sign_blind(&doc, &is.pair, &options, &mandatory, &req)
                    .unwrap();
                let secrets = BindingSecrets::HolderBindingPseudonym {
                    holder_secret: &secret,
                    prover_nym: &nym,
                    prover_blind: &blind,
                };
                self.bbs
                    .derive_bound(&signed, &pointers, &header, &secrets, Some(DOMAIN))
                    .unwrap()
            }
            Kind::HolderBound => {
                let secret = HolderSecret::generate().unwrap();
                let (req, blind) =
                    commitment_request(Feature::AnonymousHolderBinding, Some(&secret), None)
                        .unwrap();
                let signed = self
                    .bbs
                    .sign_blind(&doc, &is.pair, &options, &mandatory, &req)
                    .unwrap();
                let secrets = BindingSecrets::HolderBinding {
                    holder_secret: &secret,
                    prover_blind: &blind,
                };
                self.bbs
                    .derive_bound(&signed, &pointers, &header, &secrets, None)
                    .unwrap()
            }
            _ => {
                let mut signed = self.bbs.sign(&doc, &is.pair, &options, &mandatory).unwrap();
                if let Kind::ForgedPairing = kind {
                    let value = signed["proof"]["proofValue"].as_str().unwrap();
                    let mut base = BaseProofValue::parse(value).unwrap();
                    base.bbs_signature[60] ^= 1;
                    signed["proof"]["proofValue"] = base.serialize().into();
                }
                let header = match kind {
                    Kind::OtherChallenge => request_binding("another", Some(DOMAIN)),
                    _ => header,
                };
                let mut derived = self.bbs.derive(&signed, &pointers, &header).unwrap();
                if let Kind::Tampered = kind {
                    derived["credentialSubject"]["degree"]["name"] = "PhD Everything".into();
                }
                derived
            }
        }
    }

    fn policy(&self) -> Policy {
        let trust = TrustList::from_issuers(
            self.issuers
                .iter()
                .map(|i| TrustedIssuer {
                    jwk: None,
                    x509_ca: None,
                    did: i.did.clone(),
                    name: "Uni".into(),
                    credential_types: vec!["UniversityDegreeCredential".into()],
                    status_list_signers: vec![],
                    status_list_max_age: None,
                })
                .collect(),
        );
        Policy::new(trust)
            .challenge(CHALLENGE)
            .domain(DOMAIN)
            .dangerous_allow_bearer()
    }
}

/// A small deterministic generator for the batch mixes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

fn same_verdicts(w: &World, inputs: &[Value]) {
    let verifier = Verifier::new(Arc::clone(&w.jsonld));
    let lists = StatusLists::new();
    let policy = w.policy();
    let alone: Vec<String> = inputs
        .iter()
        .map(|i| format!("{:?}", verifier.verify(i, &policy, &lists)))
        .collect();
    for threads in [1, 2] {
        let batched: Vec<String> = verifier
            .verify_batch_on(inputs, &policy, &lists, threads)
            .iter()
            .map(|r| format!("{r:?}"))
            .collect();
        assert_eq!(batched.len(), alone.len());
        for (i, (b, a)) in batched.iter().zip(&alone).enumerate() {
            assert_eq!(b, a, "input {i}, {threads} thread(s)");
        }
    }
}

#[test]
fn randomized_batches_give_the_one_by_one_verdicts() {
    let kinds = [
        Kind::Baseline,
        Kind::HolderBound,
        Kind::Pseudonymous,
        Kind::ForgedPairing,
        Kind::Tampered,
        Kind::OtherChallenge,
        Kind::Garbage,
    ];
    let mut rng = Lcg(0x5eed);
    for (size, issuers) in [(1usize, 1u8), (2, 2), (9, 3), (40, 10), (300, 10)] {
        let w = world(issuers);
        // Mostly valid, as a day's presentations are; a few of every invalid kind.
        let mut kinds_used = Vec::new();
        let inputs: Vec<Value> = (0..size)
            .map(|_| {
                let roll = rng.next(20);
                let kind = if roll < 12 {
                    Kind::Baseline
                } else if roll < 14 {
                    Kind::HolderBound
                } else if roll < 15 {
                    Kind::Pseudonymous
                } else {
                    kinds[rng.next(kinds.len())]
                };
                kinds_used.push(kind);
                w.input(kind, rng.next(usize::from(issuers)))
            })
            .collect();
        same_verdicts(&w, &inputs);
        // The verdicts compared are the right ones: valid kinds accepted, the rest refused.
        let verifier = Verifier::new(Arc::clone(&w.jsonld));
        let results = verifier.verify_batch(&inputs, &w.policy(), &StatusLists::new());
        for (kind, r) in kinds_used.iter().zip(&results) {
            let valid = matches!(
                kind,
                Kind::Baseline | Kind::HolderBound | Kind::Pseudonymous
            );
            assert_eq!(r.is_ok(), valid, "{kind:?}: {r:?}");
        }
    }
}

#[test]
fn one_input_bad_only_in_its_pairing_is_refused_and_the_rest_accepted() {
    let w = world(2);
    let mut inputs: Vec<Value> = (0..20).map(|i| w.input(Kind::Baseline, i)).collect();
    inputs[13] = w.input(Kind::ForgedPairing, 1);
    let verifier = Verifier::new(Arc::clone(&w.jsonld));
    let results = verifier.verify_batch(&inputs, &w.policy(), &StatusLists::new());
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.is_ok(), i != 13, "input {i}: {r:?}");
    }
    same_verdicts(&w, &inputs);
}

#[test]
fn duplicates_and_an_empty_batch() {
    let w = world(1);
    let one = w.input(Kind::Baseline, 0);
    let forged = w.input(Kind::ForgedPairing, 0);
    same_verdicts(&w, &[one.clone(), one.clone(), forged.clone(), forged, one]);
    let verifier = Verifier::new(Arc::clone(&w.jsonld));
    assert!(
        verifier
            .verify_batch(&[], &w.policy(), &StatusLists::new())
            .is_empty()
    );
}
