//! Bad input and privacy properties of the bbs-2023 optional features, on the W3C feature
//! vectors' license credential and keys: every tampering is a typed error, never a panic.

#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::{Bbs2023Error, BbsError, EncodingError};
use std::sync::Arc;

use civitas_core::bbs::blind::{HolderSecret, ProverBlind};
use civitas_core::bbs::pseudonym::ProverNym;
use civitas_core::bbs::{KeyPair, SecretKey};
use civitas_core::bbs2023::{
    Bbs2023, BindingSecrets, CommitmentRequest, ProofOptions, commitment_request,
};
use civitas_core::bbs2023::{DerivedProofValue, Feature};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::{Base, decode_base64url};
use civitas_core::{Error, Timestamp};
use serde_json::Value;

fn read(p: &str) -> Value {
    let path = civitas_test_vectors::vectors_dir()
        .join("vc-di-bbs/TestVectors")
        .join(p);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Fixture {
    suite: Bbs2023,
    doc: Value,
    key: KeyPair,
    options: ProofOptions,
    mandatory: Vec<String>,
    selective: Vec<String>,
}

fn fixture() -> Fixture {
    let keys = read("BBSKeyMaterial.json");
    let sk = hex::decode(keys["privateKeyHex"].as_str().unwrap()).unwrap();
    let cfg = read("HolderBinding/addProofConfig.json");
    Fixture {
        suite: Bbs2023::new(Arc::new(JsonLdProcessor::default())),
        doc: read("FeatureInputs/license.json"),
        key: KeyPair::from_secret(SecretKey::from_bytes(&sk).unwrap()),
        options: ProofOptions {
            verification_method: cfg["verificationMethod"].as_str().unwrap().into(),
            created: cfg["created"].as_str().map(Into::into),
            proof_purpose: "assertionMethod".into(),
        },
        mandatory: serde_json::from_value(read("FeatureInputs/licenseMandatory.json")).unwrap(),
        selective: serde_json::from_value(read("FeatureInputs/licenseSelective.json")).unwrap(),
    }
}

/// One holder: fresh secrets.
struct Holder {
    secret: HolderSecret,
    nym: ProverNym,
}

impl Holder {
    fn new() -> Self {
        Holder {
            secret: HolderSecret::generate().unwrap(),
            nym: ProverNym::generate().unwrap(),
        }
    }

    fn request(&self, feature: Feature) -> (CommitmentRequest, ProverBlind) {
        let (s, n) = match feature {
            Feature::AnonymousHolderBinding => (Some(&self.secret), None),
            Feature::Pseudonym => (None, Some(&self.nym)),
            _ => (Some(&self.secret), Some(&self.nym)),
        };
        commitment_request(feature, s, n).unwrap()
    }

    fn secrets<'a>(&'a self, feature: Feature, blind: &'a ProverBlind) -> BindingSecrets<'a> {
        match feature {
            Feature::AnonymousHolderBinding => BindingSecrets::HolderBinding {
                holder_secret: &self.secret,
                prover_blind: blind,
            },
            Feature::Pseudonym => BindingSecrets::Pseudonym {
                prover_nym: &self.nym,
                prover_blind: blind,
            },
            _ => BindingSecrets::HolderBindingPseudonym {
                holder_secret: &self.secret,
                prover_nym: &self.nym,
                prover_blind: blind,
            },
        }
    }
}

const FEATURES: [Feature; 3] = [
    Feature::AnonymousHolderBinding,
    Feature::Pseudonym,
    Feature::HolderBindingPseudonym,
];

fn issue(f: &Fixture, holder: &Holder, feature: Feature) -> (Value, ProverBlind) {
    let (req, blind) = holder.request(feature);
    let signed = f
        .suite
        .sign_blind(&f.doc, &f.key, &f.options, &f.mandatory, &req)
        .unwrap();
    (signed, blind)
}

fn nym_domain(feature: Feature, d: &str) -> Option<&str> {
    (feature != Feature::AnonymousHolderBinding).then_some(d)
}

fn value_bytes(doc: &Value) -> Vec<u8> {
    decode_base64url(&doc["proof"]["proofValue"].as_str().unwrap()[1..]).unwrap()
}

fn with_value(doc: &Value, bytes: &[u8]) -> Value {
    let mut d = doc.clone();
    d["proof"]["proofValue"] = Base::Base64Url.encode(bytes).into();
    d
}

fn verify(f: &Fixture, doc: &Value, domain: Option<&str>) -> Result<(), Error> {
    f.suite
        .verify_with(doc, domain, Timestamp::now())
        .map(|_| ())
}

#[test]
fn issue_check_derive_verify_round_trip() {
    let f = fixture();
    let h = Holder::new();
    for feature in FEATURES {
        let (signed, blind) = issue(&f, &h, feature);
        let s = h.secrets(feature, &blind);
        assert_eq!(f.suite.verify_base_blind(&signed, &s).unwrap().1, feature);
        let d = f
            .suite
            .derive_bound(
                &signed,
                &f.selective,
                b"ph",
                &s,
                nym_domain(feature, "agency-a"),
            )
            .unwrap();
        let v = f.suite.verify_with(&d, None, Timestamp::now()).unwrap();
        assert_eq!(v.feature(), feature);
        assert_eq!(v.holder_bound(), feature != Feature::Pseudonym);
        assert_eq!(
            v.pseudonym().is_some(),
            feature != Feature::AnonymousHolderBinding
        );
        // The baseline entry points refuse bound credentials.
        assert!(matches!(
            f.suite.verify_base(&signed),
            Err(Error::Bbs2023(Bbs2023Error::Feature(_)))
        ));
        assert!(matches!(
            f.suite.derive(&signed, &f.selective, b"ph"),
            Err(Error::Bbs2023(Bbs2023Error::Feature(_)))
        ));
    }
}

#[test]
fn bit_flips_in_a_derived_proof_are_refused() {
    let f = fixture();
    let h = Holder::new();
    for feature in FEATURES {
        let (signed, blind) = issue(&f, &h, feature);
        let dom = nym_domain(feature, "agency-a");
        let d = f
            .suite
            .derive_bound(
                &signed,
                &f.selective,
                b"ph",
                &h.secrets(feature, &blind),
                dom,
            )
            .unwrap();
        let bytes = value_bytes(&d);
        let parsed = DerivedProofValue::parse(d["proof"]["proofValue"].as_str().unwrap()).unwrap();
        // Every 7th byte of the whole value, one bit each, and every byte of the pseudonym and
        // lengthBBSMessages (at the end).
        let tail = if feature == Feature::AnonymousHolderBinding {
            1
        } else {
            1 + 48
        };
        let positions: Vec<usize> = (0..bytes.len())
            .step_by(7)
            .chain(bytes.len() - tail..bytes.len())
            .collect();
        for i in positions {
            let mut b = bytes.clone();
            b[i] ^= 1 << (i % 8);
            assert!(
                verify(&f, &with_value(&d, &b), dom).is_err(),
                "{feature:?}: byte {i}"
            );
        }
        // lengthBBSMessages off by one either way.
        let l = parsed.feature.length_bbs_messages().unwrap() as u8;
        for other in [l - 1, l + 1] {
            let mut b = bytes.clone();
            *b.last_mut().unwrap() = other;
            assert!(verify(&f, &with_value(&d, &b), dom).is_err());
        }
        // A disclosed claim changed.
        let mut tampered = d.clone();
        tampered["credentialSubject"]["driversLicense"]["issuing_country"] = "UB".into();
        assert!(verify(&f, &tampered, dom).is_err());
        // A selective index inside the blind block (= L).
        let mut p = parsed.clone();
        p.selective_indexes = vec![l as u32];
        let mut t = d.clone();
        t["proof"]["proofValue"] = p.serialize().into();
        assert!(verify(&f, &t, dom).is_err());
    }
}

#[test]
fn nym_domains_and_pseudonyms() {
    let f = fixture();
    let (a, b) = (Holder::new(), Holder::new());
    for feature in [Feature::Pseudonym, Feature::HolderBindingPseudonym] {
        let (signed_a, blind_a) = issue(&f, &a, feature);
        let (signed_b, blind_b) = issue(&f, &b, feature);
        let sa = a.secrets(feature, &blind_a);
        let sb = b.secrets(feature, &blind_b);
        let derive = |signed: &Value, s: &BindingSecrets<'_>, dom: &str| {
            f.suite
                .derive_bound(signed, &f.selective, b"ph", s, Some(dom))
                .unwrap()
        };
        let nym = |d: &Value| {
            f.suite
                .verify_with(d, None, Timestamp::now())
                .unwrap()
                .pseudonym()
                .unwrap()
                .to_bytes()
        };
        let a1 = derive(&signed_a, &sa, "agency-a");
        let a2 = derive(&signed_a, &sa, "agency-a");
        let a_other = derive(&signed_a, &sa, "agency-b");
        let b1 = derive(&signed_b, &sb, "agency-a");
        // Stable at one verifier, different across verifiers and holders.
        assert_eq!(nym(&a1), nym(&a2));
        assert_ne!(nym(&a1), nym(&a_other));
        assert_ne!(nym(&a1), nym(&b1));
        // Another nym_domain than the proof's: refused.
        assert_eq!(
            verify(&f, &a1, Some("agency-b")),
            Err(Error::Bbs2023(Bbs2023Error::NymDomainMismatch))
        );
        // A proof whose nym_domain was rewritten: the pseudonym does not verify.
        let mut p = DerivedProofValue::parse(a1["proof"]["proofValue"].as_str().unwrap()).unwrap();
        if let civitas_core::bbs2023::DerivedFeature::Pseudonym(n)
        | civitas_core::bbs2023::DerivedFeature::HolderBindingPseudonym(n) = &mut p.feature
        {
            n.nym_domain = Some("agency-b".into());
        }
        let mut t = a1.clone();
        t["proof"]["proofValue"] = p.serialize().into();
        assert!(matches!(
            verify(&f, &t, None),
            Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_)))
        ));
        // Without any nym_domain: a typed error.
        if let civitas_core::bbs2023::DerivedFeature::Pseudonym(n)
        | civitas_core::bbs2023::DerivedFeature::HolderBindingPseudonym(n) = &mut p.feature
        {
            n.nym_domain = None;
        }
        t["proof"]["proofValue"] = p.serialize().into();
        assert_eq!(
            verify(&f, &t, None),
            Err(Error::Bbs2023(Bbs2023Error::MissingNymDomain))
        );
        assert!(verify(&f, &t, Some("agency-b")).is_err());
        // Another holder's pseudonym in the proof.
        let pb = DerivedProofValue::parse(b1["proof"]["proofValue"].as_str().unwrap()).unwrap();
        let mut pa = DerivedProofValue::parse(a1["proof"]["proofValue"].as_str().unwrap()).unwrap();
        let theirs = pb.feature.nym().unwrap().pseudonym;
        if let civitas_core::bbs2023::DerivedFeature::Pseudonym(n)
        | civitas_core::bbs2023::DerivedFeature::HolderBindingPseudonym(n) = &mut pa.feature
        {
            n.pseudonym = theirs;
        }
        let mut t = a1.clone();
        t["proof"]["proofValue"] = pa.serialize().into();
        assert!(matches!(
            verify(&f, &t, None),
            Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_)))
        ));
        // A derived pseudonym proof without a nym_domain from the derivation: refused.
        assert_eq!(
            f.suite
                .derive_bound(&signed_a, &f.selective, b"", &sa, None),
            Err(Error::Bbs2023(Bbs2023Error::MissingNymDomain))
        );
    }
}

#[test]
fn wrong_holder_secrets_are_refused() {
    let f = fixture();
    let (h, other) = (Holder::new(), Holder::new());
    for feature in FEATURES {
        let (signed, blind) = issue(&f, &h, feature);
        let (_, other_blind) = h.request(feature);
        let dom = nym_domain(feature, "agency-a");
        let wrong = [
            other.secrets(feature, &blind),
            h.secrets(feature, &other_blind),
            // The right blind with the other holder's secret and the right nym, where both exist.
            match feature {
                Feature::HolderBindingPseudonym => BindingSecrets::HolderBindingPseudonym {
                    holder_secret: &h.secret,
                    prover_nym: &other.nym,
                    prover_blind: &blind,
                },
                _ => other.secrets(feature, &blind),
            },
        ];
        for s in wrong {
            assert!(matches!(
                f.suite.verify_base_blind(&signed, &s),
                Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_)))
            ));
            assert!(matches!(
                f.suite.derive_bound(&signed, &f.selective, b"", &s, dom),
                Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_)))
            ));
        }
        // Secrets of another feature: a typed mismatch (pseudonym secrets may meet the
        // vectors' holder_binding_pseudonym header, where the signature check decides).
        for other_feature in FEATURES.into_iter().filter(|g| *g != feature) {
            let s = h.secrets(other_feature, &blind);
            let r = f.suite.verify_base_blind(&signed, &s);
            assert!(
                r.is_err(),
                "{feature:?} checked with {other_feature:?} secrets"
            );
        }
    }
}

#[test]
fn issuer_refuses_bad_commitments() {
    let f = fixture();
    let h = Holder::new();
    let sign = |req: &CommitmentRequest| {
        f.suite
            .sign_blind(&f.doc, &f.key, &f.options, &f.mandatory, req)
    };
    // The wrong number of committed values for the feature.
    let (hbp, _) = h.request(Feature::HolderBindingPseudonym);
    let (hb, _) = h.request(Feature::AnonymousHolderBinding);
    for (commitment, feature) in [
        (hbp.commitment.clone(), Feature::AnonymousHolderBinding),
        (hbp.commitment.clone(), Feature::Pseudonym),
        (hb.commitment.clone(), Feature::HolderBindingPseudonym),
    ] {
        assert!(matches!(
            sign(&CommitmentRequest {
                feature,
                commitment
            }),
            Err(Error::Bbs(BbsError::CommittedMessageCount { .. }))
        ));
    }
    // The right count under the other Interface: its proof does not verify.
    assert_eq!(
        sign(&CommitmentRequest {
            feature: Feature::Pseudonym,
            commitment: hb.commitment.clone()
        }),
        Err(Error::Bbs(BbsError::CommitmentProofInvalid))
    );
    // A tampered commitment (one bit of s^).
    let mut bytes = hb.commitment.to_bytes();
    bytes[60] ^= 1;
    if let Ok(c) = civitas_core::bbs::blind::CommitmentWithProof::from_bytes(&bytes) {
        assert_eq!(
            sign(&CommitmentRequest {
                feature: Feature::AnonymousHolderBinding,
                commitment: c
            }),
            Err(Error::Bbs(BbsError::CommitmentProofInvalid))
        );
    }
    // A scalar >= r in the commitment: refused when decoded.
    let mut bytes = hb.commitment.to_bytes();
    bytes[48..80].fill(0xff);
    assert!(civitas_core::bbs::blind::CommitmentWithProof::from_bytes(&bytes).is_err());
    // Baseline, or the wrong secrets for a request: typed errors.
    assert!(commitment_request(Feature::Baseline, Some(&h.secret), None).is_err());
    assert!(commitment_request(Feature::Pseudonym, Some(&h.secret), None).is_err());
    assert!(commitment_request(Feature::HolderBindingPseudonym, None, Some(&h.nym)).is_err());
    // Two commitments to one secret differ.
    let (c1, _) = h.request(Feature::AnonymousHolderBinding);
    let (c2, _) = h.request(Feature::AnonymousHolderBinding);
    assert_ne!(c1.commitment.to_bytes(), c2.commitment.to_bytes());
}

#[test]
fn headers_and_out_of_range_scalars_are_typed_errors() {
    let f = fixture();
    let h = Holder::new();
    let (signed, blind) = issue(&f, &h, Feature::HolderBindingPseudonym);
    let s = h.secrets(Feature::HolderBindingPseudonym, &blind);
    let base = value_bytes(&signed);
    // signer_nym_entropy >= r.
    let mut b = base.clone();
    let n = b.len();
    b[n - 32..].fill(0xff);
    assert!(matches!(
        f.suite.verify_base_blind(&with_value(&signed, &b), &s),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    // Unknown header bytes, and a derived header on a base proof.
    for last in [0x00, 0x0a, 0x05] {
        let mut b = base.clone();
        b[2] = last;
        assert!(
            f.suite
                .verify_base_blind(&with_value(&signed, &b), &s)
                .is_err()
        );
    }
    // The base header of another feature (06: pseudonym) over this layout: the holder's
    // secrets do not match it.
    let mut b = base.clone();
    b[2] = 0x04;
    assert!(
        f.suite
            .verify_base_blind(&with_value(&signed, &b), &s)
            .is_err()
    );
    let d = f
        .suite
        .derive_bound(&signed, &f.selective, b"", &s, Some("agency-a"))
        .unwrap();
    let bytes = value_bytes(&d);
    for last in [0x00, 0x03, 0x05, 0x07, 0x08, 0x0b] {
        let mut b = bytes.clone();
        b[2] = last;
        assert!(
            verify(&f, &with_value(&d, &b), None).is_err(),
            "header {last:#x}"
        );
    }
    // A scalar >= r in the BBS proof (the last scalar, the challenge).
    let p = DerivedProofValue::parse(d["proof"]["proofValue"].as_str().unwrap()).unwrap();
    let mut q = p.clone();
    let n = q.bbs_proof.len();
    q.bbs_proof[n - 32..].fill(0xff);
    let mut t = d.clone();
    t["proof"]["proofValue"] = q.serialize().into();
    assert!(matches!(
        verify(&f, &t, None),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    // A derived proof given to the holder check, a base proof to the verifier.
    assert!(f.suite.verify_base_blind(&d, &s).is_err());
    assert!(matches!(
        verify(&f, &signed, None),
        Err(Error::Bbs2023(Bbs2023Error::VerificationFailed(_)))
    ));
}

/// All 32-byte windows of `a` that occur in `b`.
fn shared_windows(a: &[u8], b: &[u8]) -> usize {
    let set: std::collections::HashSet<&[u8]> = b.windows(32).collect();
    a.windows(32).filter(|w| set.contains(w)).count()
}

#[test]
fn two_derivations_share_nothing_but_disclosed_data() {
    let f = fixture();
    let h = Holder::new();
    for feature in FEATURES {
        let (signed, blind) = issue(&f, &h, feature);
        let s = h.secrets(feature, &blind);
        let dom = nym_domain(feature, "agency-a");
        let d1 = f
            .suite
            .derive_bound(&signed, &f.selective, b"", &s, dom)
            .unwrap();
        let d2 = f
            .suite
            .derive_bound(&signed, &f.selective, b"", &s, dom)
            .unwrap();
        let p1 = DerivedProofValue::parse(d1["proof"]["proofValue"].as_str().unwrap()).unwrap();
        let p2 = DerivedProofValue::parse(d2["proof"]["proofValue"].as_str().unwrap()).unwrap();
        // Everything but the BBS proof is disclosed data, header, label map, indexes, L and (by
        // design, at one verifier) the pseudonym; the BBS proofs share no 32-byte window with
        // each other or with the second proof value.
        assert_eq!(
            shared_windows(&p1.bbs_proof, &p2.bbs_proof),
            0,
            "{feature:?}"
        );
        assert_eq!(
            shared_windows(&p1.bbs_proof, &value_bytes(&d2)),
            0,
            "{feature:?}"
        );
        // Nor with the base proof (signature, key, HMAC key).
        assert_eq!(
            shared_windows(&p1.bbs_proof, &value_bytes(&signed)),
            0,
            "{feature:?}"
        );
        // The base proof's signature never appears in a derived proof value.
        let base = value_bytes(&signed);
        assert_eq!(
            shared_windows(&base[5..85], &value_bytes(&d1)),
            0,
            "{feature:?}"
        );
    }
}

#[test]
fn secrets_do_not_appear_in_debug_output() {
    let h = Holder::new();
    let (req, blind) = h.request(Feature::HolderBindingPseudonym);
    let s = h.secrets(Feature::HolderBindingPseudonym, &blind);
    let debug = format!("{s:?} {req:?}");
    for secret in [
        hex::encode(&*h.secret.to_bytes()),
        hex::encode(*h.nym.to_bytes()),
        hex::encode(*blind.to_bytes()),
    ] {
        assert!(!debug.contains(&secret));
    }
    assert!(debug.contains("[redacted]"));
}
