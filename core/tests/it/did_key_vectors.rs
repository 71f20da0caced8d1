//! did:key and Multikey against the did-method-key test vectors (2022 files: their
//! verification method types are the legacy ones, but keys and DIDs still apply), the
//! vc-di-bbs key material, and negative cases.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use civitas_core::Error;
use civitas_core::did::{
    did_document, did_key, parse_did_key, parse_verification_method, resolve, verification_method,
    verification_method_id,
};
use civitas_core::keys::{self, KeyType, PublicKey, SecretKey};
use civitas_core::keys::{Base, decode_base58btc, decode_base64url};
use civitas_core::{DidError, EncodingError};
use serde_json::Value;

use crate::common::vectors_dir;

fn load(rel: &str) -> Value {
    let path = vectors_dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn did_key_vectors(file: &str) -> serde_json::Map<String, Value> {
    load(&format!("did-method-key/test-vectors/{file}"))
        .as_object()
        .unwrap()
        .clone()
}

/// Checks everything that does not depend on the legacy verification method type: DID and
/// verification method round trips, and the ids in the document.
fn check_did(did: &str, case: &Value, expected_type: KeyType, expected_key: &[u8]) {
    let key = parse_did_key(did).unwrap_or_else(|e| panic!("{did}: {e}"));
    assert_eq!(key.key_type(), expected_type, "{did}");
    assert_eq!(key.as_bytes(), expected_key, "{did}");
    assert_eq!(did_key(&key), did);
    let msid = did.strip_prefix("did:key:").unwrap();
    assert_eq!(key.to_multibase(), msid);
    assert_eq!(PublicKey::from_multibase(msid).unwrap(), key);
    let vm = verification_method_id(&key);
    assert_eq!(vm, format!("{did}#{msid}"));
    assert_eq!(parse_verification_method(&vm).unwrap(), key);

    let doc = did_document(&key);
    assert_eq!(resolve(did).unwrap(), doc);
    assert_eq!(doc["verificationMethod"][0], verification_method(&key));
    let upstream = &case["didDocument"];
    assert_eq!(doc["id"], upstream["id"]);
    assert_eq!(
        doc["verificationMethod"][0]["id"],
        upstream["verificationMethod"][0]["id"]
    );
    assert_eq!(
        doc["verificationMethod"][0]["controller"],
        upstream["verificationMethod"][0]["controller"]
    );
    assert_eq!(doc["verificationMethod"][0]["type"], "Multikey");
    assert_eq!(doc["verificationMethod"][0]["publicKeyMultibase"], msid);
    for rel in [
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
    ] {
        assert_eq!(doc[rel], upstream[rel], "{did} {rel}");
    }
    assert_eq!(
        doc["@context"],
        serde_json::json!([
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/multikey/v1"
        ])
    );
}

#[test]
fn bls12_381_g2_vectors() {
    let mut g2 = 0;
    for (did, case) in did_key_vectors("bls12381.json") {
        let pair = &case["verificationKeyPair"];
        if did.starts_with("did:key:zUC7") {
            let pk = decode_base58btc(pair["publicKeyBase58"].as_str().unwrap()).unwrap();
            check_did(&did, &case, KeyType::Bls12381G2, &pk);
            // The secret key belongs to the public key: pk = sk * G2.
            let sk = decode_base58btc(pair["privateKeyBase58"].as_str().unwrap()).unwrap();
            let secret = SecretKey::from_bytes(KeyType::Bls12381G2, &sk).unwrap();
            let derived = blst::min_sig::SecretKey::from_bytes(secret.expose_bytes())
                .unwrap()
                .sk_to_pk()
                .compress();
            assert_eq!(derived.as_slice(), pk.as_slice());
            let smb = secret.to_multibase();
            assert_eq!(SecretKey::from_multibase(&smb).unwrap(), secret);
            // A secret key is never accepted as a public key.
            assert_eq!(
                PublicKey::from_multibase(&smb),
                Err(Error::Encoding(EncodingError::UnsupportedCodec {
                    codec: keys::BLS12_381_G2_PRIV
                }))
            );
            g2 += 1;
        } else {
            // z5Tc...: bls12_381-g1g2-pub (0xee), well-formed but not supported.
            assert_eq!(
                parse_did_key(&did),
                Err(Error::Encoding(EncodingError::UnsupportedCodec {
                    codec: 0xee
                })),
                "{did}"
            );
        }
    }
    assert_eq!(g2, 5);
}

#[test]
fn p256_vectors_and_other_nist_curves() {
    let (mut p256, mut others) = (0, 0);
    for (did, case) in did_key_vectors("nist-curves.json") {
        let vm = &case["verificationMethod"];
        if let Some(jwk) = vm.get("publicKeyJwk") {
            match jwk["crv"].as_str().unwrap() {
                "P-256" => {
                    let x = decode_base64url(jwk["x"].as_str().unwrap()).unwrap();
                    let y = decode_base64url(jwk["y"].as_str().unwrap()).unwrap();
                    let mut compressed = vec![0x02 | (y[31] & 1)];
                    compressed.extend_from_slice(&x);
                    check_did(&did, &case, KeyType::P256, &compressed);
                    let d = decode_base64url(vm["privateKeyJwk"]["d"].as_str().unwrap()).unwrap();
                    let secret = SecretKey::from_bytes(KeyType::P256, &d).unwrap();
                    assert_eq!(
                        SecretKey::from_multibase(&secret.to_multibase()).unwrap(),
                        secret
                    );
                    p256 += 1;
                }
                "P-384" => {
                    assert_eq!(
                        parse_did_key(&did),
                        Err(Error::Encoding(EncodingError::UnsupportedCodec {
                            codec: 0x1201
                        }))
                    );
                    others += 1;
                }
                "P-521" => {
                    assert_eq!(
                        parse_did_key(&did),
                        Err(Error::Encoding(EncodingError::UnsupportedCodec {
                            codec: 0x1202
                        }))
                    );
                    others += 1;
                }
                crv => panic!("unexpected curve {crv}"),
            }
        } else {
            // P256Key2021 with publicKeyBase58 (compressed SEC1) and privateKeyBase58.
            let pk = decode_base58btc(vm["publicKeyBase58"].as_str().unwrap()).unwrap();
            check_did(&did, &case, KeyType::P256, &pk);
            let sk = decode_base58btc(vm["privateKeyBase58"].as_str().unwrap()).unwrap();
            let secret = p256::SecretKey::from_slice(&sk).unwrap();
            let derived = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &secret.public_key(),
                true,
            );
            assert_eq!(derived.as_bytes(), pk.as_slice());
            p256 += 1;
        }
    }
    assert_eq!((p256, others), (3, 4));
}

#[test]
fn ed25519_vectors() {
    let mut n = 0;
    for (did, case) in did_key_vectors("ed25519-x25519.json") {
        let pair = &case["verificationKeyPair"];
        let pk = match pair.get("publicKeyBase58") {
            Some(b58) => decode_base58btc(b58.as_str().unwrap()).unwrap(),
            None => decode_base64url(pair["publicKeyJwk"]["x"].as_str().unwrap()).unwrap(),
        };
        check_did(&did, &case, KeyType::Ed25519, &pk);
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn unsupported_key_types_in_other_files() {
    let expect = [("secp256k1.json", 0xe7), ("rsa.json", 0x1205)];
    for (file, codec) in expect {
        for did in did_key_vectors(file).keys() {
            assert_eq!(
                parse_did_key(did),
                Err(Error::Encoding(EncodingError::UnsupportedCodec { codec })),
                "{did}"
            );
        }
    }
    let x25519 = did_key_vectors("x25519.json");
    for did in x25519["didDocument"].as_object().unwrap().keys() {
        assert_eq!(
            parse_did_key(did),
            Err(Error::Encoding(EncodingError::UnsupportedCodec {
                codec: 0xec
            })),
            "{did}"
        );
    }
}

#[test]
fn vc_di_bbs_key_material() {
    let material = load("vc-di-bbs/TestVectors/BBSKeyMaterial.json");
    let pk_bytes = hex::decode(material["publicKeyHex"].as_str().unwrap()).unwrap();
    let key = PublicKey::from_bytes(KeyType::Bls12381G2, &pk_bytes).unwrap();
    let mb = key.to_multibase();
    assert!(mb.starts_with("zUC7"));
    assert_eq!(PublicKey::from_multibase(&mb).unwrap(), key);
    let sk = hex::decode(material["privateKeyHex"].as_str().unwrap()).unwrap();
    let secret = SecretKey::from_bytes(KeyType::Bls12381G2, &sk).unwrap();
    let derived = blst::min_sig::SecretKey::from_bytes(secret.expose_bytes())
        .unwrap()
        .sk_to_pk()
        .compress();
    assert_eq!(derived.as_slice(), pk_bytes.as_slice());
    // The signed documents name this key by its did:key verification method.
    for doc in [
        "addSignedSDBase.json",
        "derivedRevealDocument.json",
        "prc/addSignedSDBase.json",
        "prc/derivedRevealDocument.json",
    ] {
        let signed = load(&format!("vc-di-bbs/TestVectors/{doc}"));
        let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
        assert_eq!(vm, verification_method_id(&key), "{doc}");
        assert_eq!(parse_verification_method(vm).unwrap(), key);
    }
}

fn with_codec(codec: u64, key: &[u8]) -> String {
    let mut raw = Vec::new();
    keys::encode_varint(codec, &mut raw);
    raw.extend_from_slice(key);
    Base::Base58Btc.encode(&raw)
}

fn invalid_point_reason(r: Result<PublicKey, Error>) -> &'static str {
    match r {
        Err(Error::Encoding(EncodingError::Point { reason, .. })) => reason,
        other => panic!("expected InvalidPoint, got {other:?}"),
    }
}

#[test]
fn negative_cases() {
    let good = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    let msid = &good[8..];
    assert!(parse_did_key(good).is_ok());

    // Syntax and method.
    assert!(matches!(
        parse_did_key("key:z6Mk"),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key("did:key"),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key("did:key:"),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key(&format!("{good}/path")),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key(&format!("{good}?q=1")),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key(&format!("{good}#{msid}")),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key(&format!("did:key:1:{msid}")),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert!(matches!(
        parse_did_key("did:KEY:z6Mk"),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert_eq!(
        parse_did_key("did:web:example.com"),
        Err(Error::Did(DidError::UnsupportedMethod))
    );
    assert!(matches!(
        parse_did_key(&format!("did:key:{}", "z".repeat(5000))),
        Err(Error::TooLarge { .. })
    ));

    // Multibase prefix and alphabet.
    assert_eq!(
        parse_did_key(&format!("did:key:u{}", &msid[1..])),
        Err(Error::Encoding(EncodingError::MultibasePrefix {
            expected: 'z'
        }))
    );
    assert!(matches!(
        parse_did_key("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0"),
        Err(Error::Encoding(EncodingError::Alphabet {
            encoding: "base58btc",
            position: 46
        }))
    ));

    // Codec and length.
    assert_eq!(
        PublicKey::from_multibase("z"),
        Err(Error::Encoding(EncodingError::Varint))
    );
    assert_eq!(
        PublicKey::from_multibase(&with_codec(keys::ED25519_PUB, &[1; 31])),
        Err(Error::Encoding(EncodingError::Length {
            what: "public key",
            expected: 32,
            actual: 31
        }))
    );
    assert_eq!(
        PublicKey::from_multibase(&with_codec(keys::BLS12_381_G2_PUB, &[0x80; 97])),
        Err(Error::Encoding(EncodingError::Length {
            what: "public key",
            expected: 96,
            actual: 97
        }))
    );
    assert_eq!(
        PublicKey::from_multibase(&with_codec(0x12, &[0; 32])),
        Err(Error::Encoding(EncodingError::UnsupportedCodec {
            codec: 0x12
        }))
    );

    // Verification method fragments.
    let vm = format!("{good}#{msid}");
    assert!(parse_verification_method(&vm).is_ok());
    assert!(matches!(
        parse_verification_method(good),
        Err(Error::Did(DidError::Invalid(_)))
    ));
    assert_eq!(
        parse_verification_method(&format!("{good}#key-1")),
        Err(Error::Did(DidError::FragmentMismatch))
    );
    assert_eq!(
        parse_verification_method(&format!("{good}#")),
        Err(Error::Did(DidError::FragmentMismatch))
    );
    let other = "z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG";
    assert!(PublicKey::from_multibase(other).is_ok());
    assert_eq!(
        parse_verification_method(&format!("{good}#{other}")),
        Err(Error::Did(DidError::FragmentMismatch))
    );
    assert_eq!(
        parse_verification_method("did:web:example.com#key-1"),
        Err(Error::Did(DidError::UnsupportedMethod))
    );
}

#[test]
fn invalid_points() {
    // BLS12-381 G2: identity, uncompressed flag, not on curve, not in the subgroup.
    let mut identity = [0u8; 96];
    identity[0] = 0xc0;
    assert_eq!(
        invalid_point_reason(PublicKey::from_bytes(KeyType::Bls12381G2, &identity)),
        "point is the identity"
    );
    assert_eq!(
        invalid_point_reason(PublicKey::from_bytes(KeyType::Bls12381G2, &[0u8; 96])),
        "malformed point encoding"
    );
    let mut reasons = std::collections::BTreeSet::new();
    for i in 1..=64u8 {
        let mut candidate = [0u8; 96];
        candidate[0] = 0x80;
        candidate[95] = i;
        match PublicKey::from_bytes(KeyType::Bls12381G2, &candidate) {
            Err(Error::Encoding(EncodingError::Point { reason, .. })) => {
                reasons.insert(reason);
            }
            other => panic!("small x accepted: {other:?}"),
        }
    }
    assert!(
        reasons.contains("point is not in the prime-order subgroup"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| *r == "point is not on the curve" || *r == "malformed point encoding"),
        "{reasons:?}"
    );
    // x >= p is non-canonical.
    let mut big = [0xffu8; 96];
    big[0] = 0x9f;
    assert!(matches!(
        PublicKey::from_bytes(KeyType::Bls12381G2, &big),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));

    // P-256: uncompressed or hybrid prefix, x without a point.
    let good =
        PublicKey::from_multibase("zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv").unwrap();
    let mut bytes = good.as_bytes().to_vec();
    bytes[0] = 0x04;
    assert_eq!(
        invalid_point_reason(PublicKey::from_bytes(KeyType::P256, &bytes)),
        "not a compressed SEC1 encoding"
    );
    let mut off_curve = 0;
    for i in 0..32u8 {
        let mut candidate = [0u8; 33];
        candidate[0] = 0x02;
        candidate[32] = i;
        if let Err(e) = PublicKey::from_bytes(KeyType::P256, &candidate) {
            assert!(matches!(
                e,
                Error::Encoding(EncodingError::Point {
                    reason: "not on the curve",
                    ..
                })
            ));
            off_curve += 1;
        }
    }
    assert!(off_curve > 0);
    let mut p = [0xffu8; 33];
    p[0] = 0x03;
    assert!(
        matches!(
            PublicKey::from_bytes(KeyType::P256, &p),
            Err(Error::Encoding(EncodingError::Point { .. }))
        ),
        "x >= p"
    );

    // Ed25519: identity (small order), non-canonical y, y without a point.
    let mut id = [0u8; 32];
    id[0] = 1;
    assert_eq!(
        invalid_point_reason(PublicKey::from_bytes(KeyType::Ed25519, &id)),
        "small-order point"
    );
    // y = p + 1 encodes the identity non-canonically.
    let mut noncanonical = [0xffu8; 32];
    noncanonical[0] = 0xee;
    noncanonical[31] = 0x7f;
    assert!(matches!(
        PublicKey::from_bytes(KeyType::Ed25519, &noncanonical),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));
    let mut not_on_curve = 0;
    for i in 2..40u8 {
        let mut candidate = [0u8; 32];
        candidate[0] = i;
        if let Err(Error::Encoding(EncodingError::Point {
            reason: "not on the curve",
            ..
        })) = PublicKey::from_bytes(KeyType::Ed25519, &candidate)
        {
            not_on_curve += 1;
        }
    }
    assert!(not_on_curve > 0);
}

#[test]
fn secret_keys() {
    assert_eq!(
        SecretKey::from_bytes(KeyType::Bls12381G2, &[0; 32]),
        Err(Error::Encoding(EncodingError::Scalar {
            what: "BLS12-381 secret key"
        }))
    );
    assert_eq!(
        SecretKey::from_bytes(KeyType::P256, &[0xff; 32]),
        Err(Error::Encoding(EncodingError::Scalar {
            what: "P-256 secret key"
        }))
    );
    assert!(matches!(
        SecretKey::from_bytes(KeyType::Ed25519, &[1; 31]),
        Err(Error::Encoding(EncodingError::Length { .. }))
    ));
    let sk = SecretKey::from_bytes(KeyType::Ed25519, &[7; 32]).unwrap();
    let shown = format!("{sk:?}");
    assert!(
        shown.contains("[redacted]") && !shown.contains('7'),
        "{shown}"
    );
    let mb = sk.to_multibase();
    assert_eq!(SecretKey::from_multibase(&mb).unwrap(), sk);
    assert_eq!(
        SecretKey::from_multibase(&with_codec(keys::ED25519_PUB, &[7; 32])),
        Err(Error::Encoding(EncodingError::UnsupportedCodec {
            codec: 0xed
        }))
    );
    assert_ne!(
        SecretKey::from_bytes(KeyType::Ed25519, &[8; 32]).unwrap(),
        sk
    );
}
