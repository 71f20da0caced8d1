//! ecdsa-rdfc-2019 with P-256: a credential inside a presentation, both signed and verified,
//! and every tampering rejected with its typed error.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::EcdsaError;
use std::path::PathBuf;
use std::sync::Arc;

use civitas_core::Error;
use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019, Signer, verify_p256};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use serde_json::{Value, json};

const CHALLENGE: &str = "8b6f2c1e-challenge-from-the-desk";
const DOMAIN: &str = "https://verifier.example";

fn suite() -> EcdsaRdfc2019 {
    let processor = JsonLdProcessor::default();
    // The W3C examples context (one `@vocab`), which the library does not bundle.
    processor
        .register_context(
            "https://www.w3.org/ns/credentials/examples/v2",
            r#"{"@context":{"@vocab":"https://www.w3.org/ns/credentials/examples#"}}"#,
        )
        .unwrap();
    EcdsaRdfc2019::new(Arc::new(processor))
}

fn credential(issuer: &DeviceKey, holder: &DeviceKey) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2"
        ],
        "id": "urn:uuid:0b7e6e0c-5f0e-4c59-9d3c-2a7a1f3c9a11",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": civitas_core::did::did_key(&issuer.public_key()),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": civitas_core::did::did_key(&holder.public_key()),
            "alumniOf": "The School of Examples"
        }
    })
}

struct Fixture {
    suite: EcdsaRdfc2019,
    issuer: DeviceKey,
    holder: DeviceKey,
    vc: Value,
    vp: Value,
}

fn fixture() -> Fixture {
    let suite = suite();
    let issuer = DeviceKey::generate().unwrap();
    let holder = DeviceKey::generate().unwrap();
    let mut options = EcdsaProofOptions::assertion(issuer.verification_method());
    options.created = Some("2024-01-01T00:00:00Z".into());
    let vc = suite
        .sign(&credential(&issuer, &holder), &issuer, &options)
        .unwrap();
    let presentation = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": civitas_core::did::did_key(&holder.public_key()),
        "verifiableCredential": [vc.clone()]
    });
    let mut options =
        EcdsaProofOptions::authentication(holder.verification_method(), CHALLENGE, DOMAIN);
    options.created = Some("2024-06-01T10:00:00Z".into());
    let vp = suite.sign(&presentation, &holder, &options).unwrap();
    Fixture {
        suite,
        issuer,
        holder,
        vc,
        vp,
    }
}

fn set(doc: &mut Value, pointer: &str, value: Value) {
    *doc.pointer_mut(pointer).unwrap() = value;
}

#[test]
fn presentation_round_trip() {
    let f = fixture();
    let proof = f.vp.get("proof").unwrap();
    assert_eq!(proof["proofPurpose"], "authentication");
    assert_eq!(proof["cryptosuite"], "ecdsa-rdfc-2019");
    assert!(proof["proofValue"].as_str().unwrap().starts_with('z'));

    let verified = f.suite.verify(&f.vp).unwrap();
    assert_eq!(verified.proof_purpose(), "authentication");
    assert_eq!(verified.challenge(), Some(CHALLENGE));
    assert_eq!(verified.domain(), Some(DOMAIN));
    assert_eq!(verified.created(), Some("2024-06-01T10:00:00Z"));
    assert_eq!(verified.public_key(), &f.holder.public_key());
    assert_eq!(
        verified.verification_method(),
        f.holder.verification_method()
    );
    assert!(verified.document().get("proof").is_none());

    // The embedded credential verifies on its own, under the issuer's key.
    let inner = &verified.document()["verifiableCredential"][0];
    let vc = f.suite.verify(inner).unwrap();
    assert_eq!(vc.proof_purpose(), "assertionMethod");
    assert_eq!(vc.public_key(), &f.issuer.public_key());
    assert_eq!(vc.challenge(), None);
    assert_eq!(inner, &f.vc);
}

#[test]
fn presentation_policy() {
    let f = fixture();
    let verified = f
        .suite
        .verify_presentation(&f.vp, CHALLENGE, Some(DOMAIN))
        .unwrap();
    assert_eq!(verified.public_key(), &f.holder.public_key());
    let unexpected = |field| Error::Ecdsa(EcdsaError::UnexpectedProof { field });
    assert_eq!(
        f.suite
            .verify_presentation(&f.vp, "another-challenge", Some(DOMAIN))
            .unwrap_err(),
        unexpected("challenge")
    );
    assert_eq!(
        f.suite
            .verify_presentation(&f.vp, CHALLENGE, Some("https://other.example"))
            .unwrap_err(),
        unexpected("domain")
    );
    assert_eq!(
        f.suite
            .verify_presentation(&f.vp, CHALLENGE, None)
            .unwrap_err(),
        unexpected("domain")
    );
    // A credential's assertion proof is not a presentation proof.
    assert_eq!(
        f.suite
            .verify_presentation(&f.vc, CHALLENGE, Some(DOMAIN))
            .unwrap_err(),
        unexpected("proofPurpose")
    );
    // A tampered presentation fails on the signature first.
    let mut vp = f.vp.clone();
    set(&mut vp, "/holder", json!("did:example:someone-else"));
    assert_eq!(
        f.suite
            .verify_presentation(&vp, CHALLENGE, Some(DOMAIN))
            .unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
}

#[test]
fn deterministic_signatures() {
    let f = fixture();
    let mut options =
        EcdsaProofOptions::authentication(f.holder.verification_method(), CHALLENGE, DOMAIN);
    options.created = Some("2024-06-01T10:00:00Z".into());
    let mut unsigned = f.vp.clone();
    unsigned.as_object_mut().unwrap().remove("proof");
    assert_eq!(f.suite.sign(&unsigned, &f.holder, &options).unwrap(), f.vp);
}

#[test]
fn changed_claim_is_rejected() {
    let f = fixture();
    // In the presentation's embedded credential: the holder's proof covers it.
    let mut vp = f.vp.clone();
    set(
        &mut vp,
        "/verifiableCredential/0/credentialSubject/alumniOf",
        json!("Another School"),
    );
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
    // In the credential itself.
    let mut vc = f.vc.clone();
    set(&mut vc, "/validFrom", json!("2020-01-01T00:00:00Z"));
    assert_eq!(
        f.suite.verify(&vc).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
    // An added claim.
    let mut vc = f.vc.clone();
    vc.as_object_mut()
        .unwrap()
        .insert("name".into(), json!("Injected"));
    assert_eq!(
        f.suite.verify(&vc).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
}

#[test]
fn changed_challenge_or_domain_is_rejected() {
    let f = fixture();
    let mut vp = f.vp.clone();
    set(&mut vp, "/proof/challenge", json!("another-challenge"));
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
    let mut vp = f.vp.clone();
    set(&mut vp, "/proof/domain", json!("https://evil.example"));
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
    let mut vp = f.vp.clone();
    vp["proof"].as_object_mut().unwrap().remove("challenge");
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
    let mut vp = f.vp.clone();
    set(&mut vp, "/proof/proofPurpose", json!("assertionMethod"));
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
}

#[test]
fn other_key_is_rejected() {
    let f = fixture();
    // The proof claims another key.
    let other = DeviceKey::generate().unwrap();
    let mut vp = f.vp.clone();
    set(
        &mut vp,
        "/proof/verificationMethod",
        json!(other.verification_method()),
    );
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
    // A signer whose key is not the verification method's.
    let options = EcdsaProofOptions::assertion(f.issuer.verification_method());
    let unsigned = credential(&f.issuer, &f.holder);
    assert_eq!(
        f.suite.sign(&unsigned, &other, &options).unwrap_err(),
        Error::Ecdsa(EcdsaError::KeyMismatch)
    );
    // A signature by another key over the same data.
    let forged = f
        .suite
        .sign(
            &unsigned,
            &other,
            &EcdsaProofOptions::assertion(other.verification_method()),
        )
        .unwrap();
    let mut vc = forged.clone();
    set(
        &mut vc,
        "/proof/verificationMethod",
        json!(f.issuer.verification_method()),
    );
    assert_eq!(
        f.suite.verify(&vc).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
}

#[test]
fn malformed_proof_value_is_rejected() {
    let f = fixture();
    let good = f.vp["proof"]["proofValue"].as_str().unwrap().to_owned();
    let cases: [(Value, &str); 7] = [
        (json!(42), "not a string"),
        (
            json!(format!("u{}", &good[1..])),
            "not multibase base58btc (must start with 'z')",
        ),
        (
            json!(format!("Q{}", &good[1..])),
            "not multibase base58btc (must start with 'z')",
        ),
        (
            json!(format!("{}0", &good[..good.len() - 1])),
            "invalid base58btc",
        ),
        (
            json!(&good[..good.len() - 4]),
            "not a 64-byte P-256 signature",
        ),
        (
            json!(format!("{good}1111")),
            "not a 64-byte P-256 signature",
        ),
        (
            json!(format!("z{}", "1".repeat(64))),
            "r or s is zero or not below the group order",
        ),
    ];
    for (value, reason) in cases {
        let mut vp = f.vp.clone();
        set(&mut vp, "/proof/proofValue", value.clone());
        assert_eq!(
            f.suite.verify(&vp).unwrap_err(),
            Error::Ecdsa(EcdsaError::ProofValue(reason)),
            "{value}"
        );
    }
    let mut vp = f.vp.clone();
    vp["proof"].as_object_mut().unwrap().remove("proofValue");
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::ProofValue("missing"))
    );
    // A valid encoding of a 64-byte signature that is not the right one.
    let mut vp = f.vp.clone();
    let mut sig = civitas_core::keys::Base::Base58Btc.decode(&good).unwrap();
    sig[40] ^= 1;
    set(
        &mut vp,
        "/proof/proofValue",
        json!(civitas_core::keys::Base::Base58Btc.encode(&sig)),
    );
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::SignatureMismatch)
    );
}

#[test]
fn wrong_type_cryptosuite_and_shape_are_rejected() {
    let f = fixture();
    let mut vp = f.vp.clone();
    set(&mut vp, "/proof/cryptosuite", json!("ecdsa-jcs-2019"));
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::Cryptosuite)
    );
    let mut vp = f.vp.clone();
    set(&mut vp, "/proof/type", json!("EcdsaSecp256r1Signature2019"));
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::ProofType)
    );
    let mut vp = f.vp.clone();
    let proof = vp["proof"].clone();
    set(&mut vp, "/proof", json!([proof.clone(), proof]));
    assert!(matches!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::Proof(_))
    ));
    let mut vp = f.vp.clone();
    vp.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        f.suite.verify(&vp).unwrap_err(),
        Error::Ecdsa(EcdsaError::Proof("the document has no proof"))
    );
    // Signing a document that already has a proof.
    let options = EcdsaProofOptions::assertion(f.issuer.verification_method());
    assert!(matches!(
        f.suite.sign(&f.vc, &f.issuer, &options).unwrap_err(),
        Error::Ecdsa(EcdsaError::Proof(_))
    ));
}

#[test]
fn unsupported_curves_are_rejected() {
    let f = fixture();
    // A BLS12-381 G2 did:key as verification method.
    let bls = civitas_core::bbs::KeyPair::from_secret(
        civitas_core::bbs::SecretKey::from_bytes(&[7u8; 32]).unwrap(),
    );
    let bls_key = PublicKey::Bls12381G2(bls.public().to_bytes());
    let mut vc = f.vc.clone();
    set(
        &mut vc,
        "/proof/verificationMethod",
        json!(civitas_core::did::verification_method_id(&bls_key)),
    );
    assert!(matches!(
        f.suite.verify(&vc).unwrap_err(),
        Error::Ecdsa(EcdsaError::UnsupportedCurve(_))
    ));
    // The W3C P-384 vector, when the vectors are present.
    let dir = std::env::var_os("CIVITAS_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"))
        .join("vc-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/signedECDSAP384.json");
    if let Ok(text) = std::fs::read_to_string(dir) {
        let p384: Value = serde_json::from_str(&text).unwrap();
        let err = f.suite.verify(&p384).unwrap_err();
        assert!(
            matches!(err, Error::Ecdsa(EcdsaError::UnsupportedCurve(_))),
            "{err:?}"
        );
    }
    assert!(matches!(
        verify_p256(&bls_key, b"m", &[1u8; 64]).unwrap_err(),
        Error::Ecdsa(EcdsaError::UnsupportedCurve(_))
    ));
}

#[test]
fn times_are_checked() {
    let s = suite();
    let key = DeviceKey::generate().unwrap();
    let holder = DeviceKey::generate().unwrap();
    let doc = credential(&key, &holder);
    let mut options = EcdsaProofOptions::assertion(key.verification_method());
    options.created = Some("2024-02-30T00:00:00Z".into());
    assert_eq!(
        s.sign(&doc, &key, &options).unwrap_err(),
        Error::Ecdsa(EcdsaError::InvalidDateTime { field: "created" })
    );
    options.created = Some("2024-01-01T00:00:00Z".into());
    options.expires = Some("2025-01-01T00:00:00Z".into());
    let signed = s.sign(&doc, &key, &options).unwrap();
    // 2024-06-01 and 2026-01-01.
    assert!(s.verify_at(&signed, 1_717_200_000).is_ok());
    assert_eq!(
        s.verify_at(&signed, 1_767_225_600).unwrap_err(),
        Error::Ecdsa(EcdsaError::ProofExpired)
    );
    let mut bad = signed.clone();
    set(&mut bad, "/proof/created", json!("yesterday"));
    assert_eq!(
        s.verify_at(&bad, 1_717_200_000).unwrap_err(),
        Error::Ecdsa(EcdsaError::InvalidDateTime { field: "created" })
    );
}

/// A signer standing in for a hardware key that returns a wrong signature.
struct BrokenSigner(PublicKey);

impl Signer for BrokenSigner {
    fn public_key(&self) -> PublicKey {
        self.0.clone()
    }
    fn sign(&self, _message: &[u8]) -> Result<[u8; 64], Error> {
        Ok([0x11; 64])
    }
}

/// A signer that defers to a key it holds, as a secure element binding would.
struct External(DeviceKey);

impl Signer for External {
    fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }
    fn sign(&self, message: &[u8]) -> Result<[u8; 64], Error> {
        Signer::sign(&self.0, message)
    }
}

#[test]
fn external_signers() {
    let f = fixture();
    let unsigned = credential(&f.issuer, &f.holder);
    let options = EcdsaProofOptions::assertion(f.issuer.verification_method());
    assert_eq!(
        f.suite
            .sign(&unsigned, &BrokenSigner(f.issuer.public_key()), &options)
            .unwrap_err(),
        Error::Ecdsa(EcdsaError::Signer(
            "the signer returned an invalid signature"
        ))
    );
    let issuer = DeviceKey::from_multikey(&f.issuer.to_multikey()).unwrap();
    let signed = f
        .suite
        .sign(&unsigned, &External(issuer), &options)
        .unwrap();
    f.suite.verify(&signed).unwrap();
}

#[test]
fn device_key_is_redacted() {
    let key = DeviceKey::generate().unwrap();
    assert_eq!(format!("{key:?}"), "DeviceKey([redacted])");
    assert_eq!(format!("{key:#?}"), "DeviceKey([redacted])");
}
