//! bbs-2023 proof values against the W3C vc-di-bbs vectors (baseline windsurf set and `prc/`):
//! every component checked against the intermediate files, byte-exact re-serialization, and
//! refusal of malformed input with typed errors.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use civitas_core::bbs2023::{
    BaseFeature, BaseProofValue, DerivedFeature, DerivedProofValue, Feature, HmacKey, LabelMap,
    MAX_MANDATORY_POINTERS, ProofKind, identify,
};
use civitas_core::keys::{Base, decode_base64url};
use civitas_core::{Bbs2023Error, EncodingError};
use civitas_core::{CborErrorKind, Error};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::vectors_dir;

fn load(rel: &str) -> Value {
    let path = vectors_dir().join("vc-di-bbs/TestVectors").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn proof_value(rel: &str) -> String {
    load(rel)["proof"]["proofValue"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn hex_of(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| u32::try_from(n.as_u64().unwrap()).unwrap())
        .collect()
}

fn decoded(pv: &str) -> Vec<u8> {
    decode_base64url(&pv[1..]).unwrap()
}

fn encoded(bytes: &[u8]) -> String {
    Base::Base64Url.encode(bytes)
}

fn cbor_kind(r: Result<impl std::fmt::Debug, Error>) -> CborErrorKind {
    match r {
        Err(Error::Bbs2023(Bbs2023Error::Cbor { kind, .. })) => kind,
        other => panic!("expected a CBOR error, got {other:?}"),
    }
}

fn check_base(dir: &str) -> BaseProofValue {
    let pv = proof_value(&format!("{dir}addSignedSDBase.json"));
    assert_eq!(identify(&pv).unwrap(), (ProofKind::Base, Feature::Baseline));
    let base = BaseProofValue::parse(&pv).unwrap();
    let raw = load(&format!("{dir}addRawBaseSignatureInfo.json"));
    let hashes = load(&format!("{dir}addHashData.json"));
    let keys = load("BBSKeyMaterial.json");
    let recovered = load(&format!("{dir}derivedRecoveredBaseData.json"));
    assert_eq!(base.bbs_signature.to_vec(), hex_of(&raw["bbsSignature"]));
    let mut header = hex_of(&hashes["proofHash"]);
    header.extend(hex_of(&hashes["mandatoryHash"]));
    assert_eq!(base.bbs_header.to_vec(), header);
    assert_eq!(base.public_key.to_vec(), hex_of(&keys["publicKeyHex"]));
    assert_eq!(
        base.hmac_key.expose().to_vec(),
        hex_of(&keys["hmacKeyString"])
    );
    assert_eq!(
        base.hmac_key.expose().to_vec(),
        hex_of(&recovered["hmacKey"])
    );
    assert_eq!(base.mandatory_pointers, strings(&raw["mandatoryPointers"]));
    assert_eq!(
        base.mandatory_pointers,
        strings(&recovered["mandatoryPointers"])
    );
    assert_eq!(base.feature, BaseFeature::Baseline);
    assert_eq!(base.serialize(), pv, "byte-exact re-serialization");
    base
}

fn check_derived(dir: &str) -> DerivedProofValue {
    let pv = proof_value(&format!("{dir}derivedRevealDocument.json"));
    assert_eq!(
        identify(&pv).unwrap(),
        (ProofKind::Derived, Feature::Baseline)
    );
    let derived = DerivedProofValue::parse(&pv).unwrap();
    let data = load(&format!("{dir}derivedDisclosureData.json"));
    assert_eq!(derived.bbs_proof, hex_of(&data["bbsProof"]));
    let labels: Vec<(String, String)> = data["labelMap"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(derived.label_map.decompress(), labels);
    let compressed =
        LabelMap::compress(labels.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    assert_eq!(derived.label_map, compressed);
    assert_eq!(derived.mandatory_indexes, u32s(&data["mandatoryIndexes"]));
    assert_eq!(
        derived.selective_indexes,
        u32s(&data["adjSelectiveIndexes"])
    );
    let ph = hex::decode(
        load("BBSDeriveMaterial.json")["presentationHeaderHex"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(derived.presentation_header, ph);
    let ph_object: Vec<u8> = (0..ph.len())
        .map(|i| u8::try_from(data["presentationHeader"][i.to_string()].as_u64().unwrap()).unwrap())
        .collect();
    assert_eq!(derived.presentation_header, ph_object);
    assert_eq!(derived.feature, DerivedFeature::Baseline);
    assert_eq!(derived.serialize(), pv, "byte-exact re-serialization");
    derived
}

#[test]
fn baseline_windsurf_vectors() {
    check_base("");
    let derived = check_derived("");
    let adj = load("derivedAdjIndexes.json");
    assert_eq!(derived.mandatory_indexes, u32s(&adj["adjMandatoryIndexes"]));
    assert_eq!(derived.selective_indexes, u32s(&adj["adjSelectiveIndexes"]));
    assert_eq!(derived.label_map.get(3), Some(7));
}

#[test]
fn prc_vectors() {
    check_base("prc/");
    let derived = check_derived("prc/");
    // verifyDerivedProofValue.json is the verifier's view of the same components.
    let verify = load("prc/verifyDerivedProofValue.json");
    assert_eq!(derived.bbs_proof, hex_of(&verify["bbsProof"]));
    let labels: Vec<(String, String)> = verify["labelMap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(derived.label_map.decompress(), labels);
    assert_eq!(derived.mandatory_indexes, u32s(&verify["mandatoryIndexes"]));
    assert_eq!(
        derived.selective_indexes,
        u32s(&verify["adjSelectedIndexes"])
    );
}

#[test]
fn other_features_are_recognised_and_parsed() {
    for (dir, base_feature, derived_len) in [
        ("HolderBinding/", Feature::AnonymousHolderBinding, None),
        // The vectors' Pseudonym set carries the holder_binding_pseudonym headers.
        ("Pseudonym/", Feature::HolderBindingPseudonym, Some(())),
        ("PseudonymHB/", Feature::HolderBindingPseudonym, Some(())),
    ] {
        let base = proof_value(&format!("{dir}addSignedSDBase.json"));
        let derived = proof_value(&format!("{dir}derivedRevealDocument.json"));
        let (kind, feature) = identify(&base).unwrap();
        assert_eq!(kind, ProofKind::Base);
        assert_eq!(feature, base_feature);
        assert_eq!(identify(&derived).unwrap(), (ProofKind::Derived, feature));
        let b = BaseProofValue::parse(&base).unwrap();
        assert_eq!(b.feature.feature(), base_feature);
        let d = DerivedProofValue::parse(&derived).unwrap();
        assert_eq!(d.feature.feature(), base_feature);
        assert_eq!(d.feature.length_bbs_messages(), Some(23));
        assert_eq!(d.feature.nym().is_some(), derived_len.is_some());
        if let Some(n) = d.feature.nym() {
            // The vectors' derived proofs carry no nym_domain.
            assert_eq!(n.nym_domain, None);
        }
    }
    // Headers of every feature and kind.
    for f in [
        Feature::Baseline,
        Feature::AnonymousHolderBinding,
        Feature::Pseudonym,
        Feature::HolderBindingPseudonym,
    ] {
        for k in [ProofKind::Base, ProofKind::Derived] {
            assert_eq!(Feature::from_header(f.header(k)), Some((f, k)));
        }
    }
    assert_eq!(
        Feature::Baseline.header(ProofKind::Base),
        [0xd9, 0x5d, 0x02]
    );
    assert_eq!(
        Feature::Baseline.header(ProofKind::Derived),
        [0xd9, 0x5d, 0x03]
    );
    assert_eq!(Feature::from_header([0xd9, 0x5d, 0x0a]), None);
}

#[test]
fn envelope_errors() {
    let base = proof_value("addSignedSDBase.json");
    let derived = proof_value("derivedRevealDocument.json");
    assert_eq!(
        BaseProofValue::parse(&base[1..]),
        Err(Error::Encoding(EncodingError::MultibasePrefix {
            expected: 'u'
        }))
    );
    assert_eq!(
        BaseProofValue::parse(&format!("z{}", &base[1..])),
        Err(Error::Encoding(EncodingError::MultibasePrefix {
            expected: 'u'
        }))
    );
    assert!(matches!(
        BaseProofValue::parse(&format!("{base}=")),
        Err(Error::Encoding(EncodingError::Alphabet {
            encoding: "base64url",
            ..
        }))
    ));
    assert!(matches!(
        DerivedProofValue::parse(&derived.replace('_', "/")),
        Err(Error::Encoding(EncodingError::Alphabet { .. }))
    ));
    assert_eq!(
        BaseProofValue::parse("u"),
        Err(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
    );
    assert_eq!(
        BaseProofValue::parse(&encoded(&[0xd9, 0x5d])),
        Err(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
    );
    assert_eq!(
        BaseProofValue::parse(&encoded(&[0xd9, 0x5d, 0x0a, 0x80])),
        Err(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
    );
    assert_eq!(
        BaseProofValue::parse(&encoded(&[0xd8, 0x5d, 0x02, 0x80])),
        Err(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
    );
    assert_eq!(
        BaseProofValue::parse(&derived),
        Err(Error::Bbs2023(Bbs2023Error::ProofKindMismatch {
            expected: "base",
            found: "derived"
        }))
    );
    assert_eq!(
        DerivedProofValue::parse(&base),
        Err(Error::Bbs2023(Bbs2023Error::ProofKindMismatch {
            expected: "derived",
            found: "base"
        }))
    );
    assert!(matches!(
        DerivedProofValue::parse(&format!("u{}", "A".repeat(1 << 21))),
        Err(Error::TooLarge { .. })
    ));
    // Three characters cannot hold the three header bytes.
    assert_eq!(
        identify("u2V0"),
        Err(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
    );
    assert_eq!(identify("u2V0C"), Ok((ProofKind::Base, Feature::Baseline)));
    assert_eq!(
        identify("x2V0C"),
        Err(Error::Encoding(EncodingError::MultibasePrefix {
            expected: 'u'
        }))
    );
}

#[test]
fn truncations_and_trailing_bytes() {
    for pv in [
        proof_value("addSignedSDBase.json"),
        proof_value("prc/derivedRevealDocument.json"),
    ] {
        let bytes = decoded(&pv);
        let derived = bytes[2] == 0x03;
        for len in 3..bytes.len() {
            let cut = encoded(&bytes[..len]);
            let kind = if derived {
                cbor_kind(DerivedProofValue::parse(&cut))
            } else {
                cbor_kind(BaseProofValue::parse(&cut))
            };
            assert_eq!(kind, CborErrorKind::Truncated, "cut at {len}");
        }
        let mut long = bytes.clone();
        long.push(0x00);
        let r = if derived {
            DerivedProofValue::parse(&encoded(&long)).map(|_| ())
        } else {
            BaseProofValue::parse(&encoded(&long)).map(|_| ())
        };
        assert_eq!(
            r,
            Err(Error::Bbs2023(Bbs2023Error::Cbor {
                offset: bytes.len(),
                kind: CborErrorKind::TrailingBytes
            }))
        );
    }
}

/// Decoded baseline base proof with `f` applied to the CBOR after the header.
fn tampered_base(f: impl FnOnce(&mut Vec<u8>)) -> Result<BaseProofValue, Error> {
    let mut bytes = decoded(&proof_value("addSignedSDBase.json"));
    f(&mut bytes);
    BaseProofValue::parse(&encoded(&bytes))
}

fn tampered_derived(f: impl FnOnce(&mut Vec<u8>)) -> Result<DerivedProofValue, Error> {
    let mut bytes = decoded(&proof_value("derivedRevealDocument.json"));
    f(&mut bytes);
    DerivedProofValue::parse(&encoded(&bytes))
}

/// Offset of the label map in the baseline derived proof: header, array head, 3-byte byte
/// string head and 528 bytes of BBS proof.
const LABEL_MAP_AT: usize = 3 + 1 + 3 + 528;

#[test]
fn wrong_types_and_shapes() {
    // Component count.
    assert_eq!(
        cbor_kind(tampered_base(|b| b[3] = 0x84)),
        CborErrorKind::ArrayLength {
            expected: 5,
            actual: 4
        }
    );
    assert_eq!(
        cbor_kind(tampered_derived(|b| b[3] = 0x86)),
        CborErrorKind::ArrayLength {
            expected: 5,
            actual: 6
        }
    );
    assert_eq!(
        cbor_kind(tampered_base(|b| b[3] = 0xa5)),
        CborErrorKind::UnexpectedType { expected: "array" }
    );
    assert_eq!(
        cbor_kind(tampered_base(|b| b[3] = 0x9f)),
        CborErrorKind::IndefiniteLength
    );
    // bbsSignature as a text string, as a tagged byte string.
    assert_eq!(
        cbor_kind(tampered_base(|b| b[4] = 0x78)),
        CborErrorKind::UnexpectedType {
            expected: "byte string"
        }
    );
    assert_eq!(
        cbor_kind(tampered_base(|b| b.insert(4, 0xc2))),
        CborErrorKind::Tagged
    );
    // Non-shortest head: 0x58 0x05 for a 5-byte string.
    assert_eq!(
        cbor_kind(tampered_base(|b| {
            b.truncate(4);
            b.extend([0x58, 0x05, 1, 2, 3, 4, 5]);
        })),
        CborErrorKind::NonCanonical
    );
    // Wrong component lengths.
    assert_eq!(
        tampered_base(|b| {
            b[5] = 0x4f;
            b.remove(6);
        }),
        Err(Error::Encoding(EncodingError::Length {
            what: "bbsSignature",
            expected: 80,
            actual: 79
        }))
    );
    assert_eq!(
        cbor_kind(tampered_base(|b| b[5] = 0x51)),
        CborErrorKind::TooLong {
            actual: 81,
            limit: 80
        }
    );
    // Oversized declared lengths: a 4 GiB byte string, 2^64-1 mandatory pointers.
    assert_eq!(
        cbor_kind(tampered_base(|b| {
            b.truncate(4);
            b.extend([0x5a, 0xff, 0xff, 0xff, 0xff]);
        })),
        CborErrorKind::TooLong {
            actual: 0xffff_ffff,
            limit: 80
        }
    );
    let pointers_at = 4 + 2 + 80 + 2 + 64 + 2 + 96 + 2 + 32;
    assert_eq!(
        cbor_kind(tampered_base(|b| {
            b.truncate(pointers_at);
            b.extend([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        })),
        CborErrorKind::TooLong {
            actual: u64::MAX,
            limit: MAX_MANDATORY_POINTERS as u64
        }
    );
    // A mandatory pointer that is not UTF-8, or not a text string.
    assert_eq!(
        cbor_kind(tampered_base(|b| b[pointers_at + 2] = 0xff)),
        CborErrorKind::InvalidUtf8
    );
    assert_eq!(
        cbor_kind(tampered_base(|b| b[pointers_at + 1] = 0x47)),
        CborErrorKind::UnexpectedType {
            expected: "text string"
        }
    );

    // Derived: a BBS proof of impossible length.
    assert_eq!(
        tampered_derived(|b| {
            b.truncate(4);
            b.extend([0x58, 0x20]);
            b.extend([0u8; 32]);
        }),
        Err(Error::Encoding(EncodingError::Length {
            what: "bbsProof",
            expected: 272,
            actual: 32
        }))
    );
    // Label map: duplicate key, non-injective, text key, negative integer.
    assert_eq!(
        tampered_derived(|b| b[LABEL_MAP_AT + 3] = 0x00),
        Err(Error::Bbs2023(Bbs2023Error::Cbor {
            offset: LABEL_MAP_AT + 3,
            kind: CborErrorKind::DuplicateKey
        }))
    );
    assert!(matches!(
        tampered_derived(|b| b[LABEL_MAP_AT + 4] = 0x02),
        Err(Error::Bbs2023(Bbs2023Error::LabelMap(_)))
    ));
    assert_eq!(
        cbor_kind(tampered_derived(|b| b[LABEL_MAP_AT + 1] = 0x60)),
        CborErrorKind::UnexpectedType {
            expected: "unsigned integer"
        }
    );
    assert_eq!(
        cbor_kind(tampered_derived(|b| b[LABEL_MAP_AT + 2] = 0x22)),
        CborErrorKind::UnexpectedType {
            expected: "unsigned integer"
        }
    );
    assert_eq!(
        cbor_kind(tampered_derived(|b| b[LABEL_MAP_AT] = 0x86)),
        CborErrorKind::UnexpectedType { expected: "map" }
    );
    // Label map values beyond u32.
    assert_eq!(
        cbor_kind(tampered_derived(|b| {
            b.splice(
                LABEL_MAP_AT + 2..LABEL_MAP_AT + 3,
                [0x1b, 1, 0, 0, 0, 0, 0, 0, 0],
            );
        })),
        CborErrorKind::IntegerRange
    );
    // Presentation header: CBOR null is not an empty byte string.
    assert_eq!(
        cbor_kind(tampered_derived(|b| {
            b.truncate(b.len() - 5);
            b.push(0xf6);
        })),
        CborErrorKind::UnexpectedType {
            expected: "byte string"
        }
    );
    let empty = tampered_derived(|b| {
        b.truncate(b.len() - 5);
        b.push(0x40);
    })
    .unwrap();
    assert!(empty.presentation_header.is_empty());
}

#[test]
fn empty_presentation_header_is_an_empty_byte_string() {
    let mut derived = DerivedProofValue::parse(&proof_value("derivedRevealDocument.json")).unwrap();
    derived.presentation_header.clear();
    let bytes = decoded(&derived.serialize());
    assert_eq!(bytes.last(), Some(&0x40));
    assert_eq!(DerivedProofValue::parse(&encoded(&bytes)).unwrap(), derived);
}

#[test]
fn label_maps() {
    let m = LabelMap::compress([("c14n10", "b2"), ("c14n0", "b10"), ("c14n2", "b0")]).unwrap();
    assert_eq!(m.iter().collect::<Vec<_>>(), vec![(0, 10), (2, 0), (10, 2)]);
    assert_eq!(
        m.decompress(),
        vec![
            ("c14n0".into(), "b10".into()),
            ("c14n2".into(), "b0".into()),
            ("c14n10".into(), "b2".into())
        ]
    );
    for bad in [
        [("c14n", "b1")],
        [("c14nx", "b1")],
        [("c14n01", "b1")],
        [("c14n-1", "b1")],
        [("c14n+1", "b1")],
        [("_:c14n1", "b1")],
        [("b1", "c14n1")],
        [("c14n1", "b")],
        [("c14n1", "b01")],
        [("c14n1", "B1")],
        [("c14n1", "b4294967296")],
        [("c14n１", "b1")],
    ] {
        assert!(
            matches!(
                LabelMap::compress(bad),
                Err(Error::Bbs2023(Bbs2023Error::LabelMap(_)))
            ),
            "{bad:?}"
        );
    }
    assert!(matches!(
        LabelMap::compress([("c14n1", "b1"), ("c14n1", "b2")]),
        Err(Error::Bbs2023(Bbs2023Error::LabelMap(_)))
    ));
    assert!(matches!(
        LabelMap::compress([("c14n1", "b1"), ("c14n2", "b1")]),
        Err(Error::Bbs2023(Bbs2023Error::LabelMap(_)))
    ));
    // Unsorted keys in CBOR are accepted; serialization sorts them.
    let mut derived = DerivedProofValue::parse(&proof_value("derivedRevealDocument.json")).unwrap();
    derived.label_map = m;
    let reparsed = DerivedProofValue::parse(&derived.serialize()).unwrap();
    assert_eq!(reparsed, derived);
    let mut bytes = decoded(&proof_value("derivedRevealDocument.json"));
    // Swap the first two entries (00 02, 01 04).
    bytes[LABEL_MAP_AT + 1..LABEL_MAP_AT + 5].copy_from_slice(&[0x01, 0x04, 0x00, 0x02]);
    let unsorted = DerivedProofValue::parse(&encoded(&bytes)).unwrap();
    assert_eq!(
        unsorted.serialize(),
        proof_value("derivedRevealDocument.json")
    );
}

#[test]
fn hmac_key_is_redacted_and_compared_in_constant_time() {
    let base = BaseProofValue::parse(&proof_value("addSignedSDBase.json")).unwrap();
    let shown = format!("{base:?}");
    assert!(shown.contains("HmacKey([redacted])"), "{shown}");
    assert!(
        !shown.contains("17, 34, 51"),
        "HMAC key bytes leaked: {shown}"
    );
    assert_eq!(HmacKey::new([1; 32]), HmacKey::new([1; 32]));
    assert_ne!(HmacKey::new([1; 32]), HmacKey::new([2; 32]));
}

#[test]
fn serialize_builds_the_vector() {
    // Build the baseline base proof from its components rather than by parsing.
    let raw = load("addRawBaseSignatureInfo.json");
    let hashes = load("addHashData.json");
    let keys = load("BBSKeyMaterial.json");
    let mut bbs_header = [0u8; 64];
    bbs_header[..32].copy_from_slice(&hex_of(&hashes["proofHash"]));
    bbs_header[32..].copy_from_slice(&hex_of(&hashes["mandatoryHash"]));
    let base = BaseProofValue {
        bbs_signature: hex_of(&raw["bbsSignature"]).try_into().unwrap(),
        bbs_header,
        public_key: hex_of(&keys["publicKeyHex"]).try_into().unwrap(),
        hmac_key: HmacKey::new(hex_of(&keys["hmacKeyString"]).try_into().unwrap()),
        mandatory_pointers: strings(&raw["mandatoryPointers"]),
        feature: BaseFeature::Baseline,
    };
    assert_eq!(base.serialize(), proof_value("addSignedSDBase.json"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(header in 0u8..12, body in proptest::collection::vec(any::<u8>(), 0..600)) {
        let mut bytes = vec![0xd9, 0x5d, header];
        bytes.extend(body);
        let pv = encoded(&bytes);
        let _ = BaseProofValue::parse(&pv);
        let _ = DerivedProofValue::parse(&pv);
        let _ = identify(&pv);
    }

    #[test]
    fn random_strings_never_panic(s in "u\\PC{0,200}") {
        let _ = BaseProofValue::parse(&s);
        let _ = DerivedProofValue::parse(&s);
        let _ = identify(&s);
    }

    #[test]
    fn mutated_vectors_never_panic(which in 0usize..4, at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()) {
        let file = ["addSignedSDBase.json", "derivedRevealDocument.json", "prc/addSignedSDBase.json", "prc/derivedRevealDocument.json"][which];
        let mut bytes = decoded(&proof_value(file));
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let keep = 3 + cut.index(bytes.len() - 2);
        bytes.truncate(keep);
        let pv = encoded(&bytes);
        if let Ok(base) = BaseProofValue::parse(&pv) {
            prop_assert_eq!(BaseProofValue::parse(&base.serialize()).unwrap(), base);
        }
        if let Ok(derived) = DerivedProofValue::parse(&pv) {
            prop_assert_eq!(DerivedProofValue::parse(&derived.serialize()).unwrap(), derived);
        }
    }
}

#[test]
fn issuer_public_key_is_validated() {
    let mut base = BaseProofValue::parse(&proof_value("addSignedSDBase.json")).unwrap();
    let key = base.issuer_public_key().unwrap();
    assert_eq!(key.as_bytes(), base.public_key.as_slice());
    base.public_key = [0u8; 96];
    base.public_key[0] = 0xc0;
    assert!(matches!(
        base.issuer_public_key(),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));
}

#[test]
fn large_label_maps_parse_quickly() {
    // 60,000 entries: insertion must not be quadratic.
    let labels: Vec<(String, String)> = (0..60_000u32)
        .map(|i| (format!("c14n{i}"), format!("b{}", 59_999 - i)))
        .collect();
    let map = LabelMap::compress(labels.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
    let mut derived = DerivedProofValue::parse(&proof_value("derivedRevealDocument.json")).unwrap();
    derived.label_map = map;
    let start = std::time::Instant::now();
    let reparsed = DerivedProofValue::parse(&derived.serialize()).unwrap();
    assert_eq!(reparsed, derived);
    assert!(start.elapsed().as_secs() < 5);
}
