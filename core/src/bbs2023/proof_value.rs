//! bbs-2023 proof values: the CBOR structures, behind a three-byte header and multibase
//! base64url-no-pad (`u`), that carry the BBS signature of a base proof and the BBS proof of a
//! derived proof.
//!
//! Algorithms:
//! [serializeBaseProofValue](https://www.w3.org/TR/vc-di-bbs/#serializebaseproofvalue),
//! [parseBaseProofValue](https://www.w3.org/TR/vc-di-bbs/#parsebaseproofvalue),
//! [serializeDerivedProofValue](https://www.w3.org/TR/vc-di-bbs/#serializederivedproofvalue),
//! [parseDerivedProofValue](https://www.w3.org/TR/vc-di-bbs/#parsederivedproofvalue),
//! [compressLabelMap](https://www.w3.org/TR/vc-di-bbs/#compresslabelmap),
//! [decompressLabelMap](https://www.w3.org/TR/vc-di-bbs/#decompresslabelmap).
//!
//! Only the `"baseline"` feature is implemented. The other feature options are recognised by
//! their header bytes and refused with [`Error::UnsupportedFeature`]; [`BaseFeature`] and
//! [`DerivedFeature`] are where their extra components will go.
//!
//! Parsing is strict: canonical base64url, the exact component count, the exact CBOR types
//! (a missing presentation header is an empty byte string, never `null`), shortest CBOR heads,
//! no tags, no trailing bytes, and the explicit limits below. Serializing is deterministic
//! (label map keys in increasing order), so a canonical input re-serializes byte for byte.

use core::fmt;
use std::collections::{BTreeMap, BTreeSet};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::cbor::{Reader, Writer};
use crate::keys::multibase::{Base, decode_base64url};
use crate::keys::{KeyType, PublicKey};
use crate::{CborErrorKind, Error};

/// Longest proof value string accepted, in characters (1 MiB).
pub const MAX_PROOF_VALUE_LEN: usize = 1 << 20;
/// Most mandatory pointers in a base proof.
pub const MAX_MANDATORY_POINTERS: usize = 4096;
/// Longest mandatory pointer, in bytes.
pub const MAX_POINTER_LEN: usize = 4096;
/// Most mandatory or selective indexes in a derived proof.
pub const MAX_INDEXES: usize = 1 << 16;
/// Most label map entries in a derived proof.
pub const MAX_LABEL_MAP_ENTRIES: usize = 1 << 16;
/// Longest presentation header, in bytes.
pub const MAX_PRESENTATION_HEADER_LEN: usize = 1 << 16;

/// Length of a BBS signature (BLS12-381 ciphersuites): A (48) || e (32).
pub const BBS_SIGNATURE_LEN: usize = 80;
/// Length of the bbs-2023 BBS header: proofHash (32) || mandatoryHash (32).
pub const BBS_HEADER_LEN: usize = 64;
/// Length of a compressed BLS12-381 G2 public key.
pub const PUBLIC_KEY_LEN: usize = 96;
/// Length of the HMAC key.
pub const HMAC_KEY_LEN: usize = 32;
/// Length of a BBS proof with no undisclosed message: Abar, Bbar, D (3 × 48) and e^, r1^,
/// r3^, challenge (4 × 32); each undisclosed message adds 32 bytes.
pub const BBS_PROOF_MIN_LEN: usize = 272;

/// The bbs-2023 feature options, each with its own pair of header bytes
/// (<https://www.w3.org/TR/vc-di-bbs/#parsebaseproofvalue>).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `"baseline"`: base `d9 5d 02`, derived `d9 5d 03`.
    Baseline,
    /// `"anonymous_holder_binding"`: base `d9 5d 04`, derived `d9 5d 05`.
    AnonymousHolderBinding,
    /// `"pseudonym"`: base `d9 5d 06`, derived `d9 5d 07`.
    Pseudonym,
    /// `"holder_binding_pseudonym"`: base `d9 5d 08`, derived `d9 5d 09`.
    HolderBindingPseudonym,
}

/// Whether a proof value is a base proof (issuer to holder) or a derived proof (holder to
/// verifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProofKind {
    /// A base proof value.
    Base,
    /// A derived (disclosure) proof value.
    Derived,
}

impl ProofKind {
    const fn name(self) -> &'static str {
        match self {
            ProofKind::Base => "base",
            ProofKind::Derived => "derived",
        }
    }
}

impl Feature {
    const ALL: [Feature; 4] = [
        Feature::Baseline,
        Feature::AnonymousHolderBinding,
        Feature::Pseudonym,
        Feature::HolderBindingPseudonym,
    ];

    /// The feature option name used by the specification.
    pub const fn name(self) -> &'static str {
        match self {
            Feature::Baseline => "baseline",
            Feature::AnonymousHolderBinding => "anonymous_holder_binding",
            Feature::Pseudonym => "pseudonym",
            Feature::HolderBindingPseudonym => "holder_binding_pseudonym",
        }
    }

    /// The three header bytes of a proof value of this feature and kind.
    pub const fn header(self, kind: ProofKind) -> [u8; 3] {
        let base = match self {
            Feature::Baseline => 0x02,
            Feature::AnonymousHolderBinding => 0x04,
            Feature::Pseudonym => 0x06,
            Feature::HolderBindingPseudonym => 0x08,
        };
        let last = match kind {
            ProofKind::Base => base,
            ProofKind::Derived => base + 1,
        };
        [0xd9, 0x5d, last]
    }

    /// Identifies the feature and kind of a proof value from its first three bytes.
    pub fn from_header(header: [u8; 3]) -> Option<(Feature, ProofKind)> {
        Feature::ALL.into_iter().find_map(|f| {
            [ProofKind::Base, ProofKind::Derived]
                .into_iter()
                .find(|&k| f.header(k) == header)
                .map(|k| (f, k))
        })
    }
}

/// The 32-byte HMAC key of a base proof, used to relabel blank nodes. Secret: zeroized on
/// drop, `[redacted]` in `Debug`, compared in constant time.
#[derive(Clone)]
pub struct HmacKey(Zeroizing<[u8; HMAC_KEY_LEN]>);

impl HmacKey {
    /// Wraps key bytes.
    pub fn new(bytes: [u8; HMAC_KEY_LEN]) -> Self {
        HmacKey(Zeroizing::new(bytes))
    }

    /// The key bytes. Do not copy them into memory that is not zeroized.
    pub fn expose(&self) -> &[u8; HMAC_KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacKey([redacted])")
    }
}

impl PartialEq for HmacKey {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.ct_eq(&*other.0))
    }
}

impl Eq for HmacKey {}

/// Feature-specific components of a base proof value. Only `Baseline` exists so far; the
/// pseudonym features will add `signer_nym_entropy` here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseFeature {
    /// No extra component.
    Baseline,
}

impl BaseFeature {
    /// The feature option.
    pub const fn feature(&self) -> Feature {
        match self {
            BaseFeature::Baseline => Feature::Baseline,
        }
    }
}

/// The components of a base proof value
/// (<https://www.w3.org/TR/vc-di-bbs/#serializebaseproofvalue>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseProofValue {
    /// The BBS signature.
    pub bbs_signature: [u8; BBS_SIGNATURE_LEN],
    /// The BBS header: proofHash || mandatoryHash.
    pub bbs_header: [u8; BBS_HEADER_LEN],
    /// The issuer's compressed BLS12-381 G2 public key (not validated here).
    pub public_key: [u8; PUBLIC_KEY_LEN],
    /// The HMAC key.
    pub hmac_key: HmacKey,
    /// The issuer's mandatory JSON pointers.
    pub mandatory_pointers: Vec<String>,
    /// The feature option and its extra components.
    pub feature: BaseFeature,
}

/// Feature-specific components of a derived proof value. Only `Baseline` exists so far; the
/// holder-binding and pseudonym features will add `lengthBBSMessages`, `nym_domain` and
/// `pseudonym` here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerivedFeature {
    /// No extra component.
    Baseline,
}

impl DerivedFeature {
    /// The feature option.
    pub const fn feature(&self) -> Feature {
        match self {
            DerivedFeature::Baseline => Feature::Baseline,
        }
    }
}

/// A compressed label map (<https://www.w3.org/TR/vc-di-bbs/#compresslabelmap>): canonical
/// blank node label `c14nN` to HMAC-derived label `bM`, stored as `N -> M`. One-to-one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelMap {
    map: BTreeMap<u32, u32>,
    /// The values, to keep the map one-to-one in O(log n) per insertion.
    values: BTreeSet<u32>,
}

fn parse_label_number(label: &str, prefix: &str) -> Option<u32> {
    let digits = label.strip_prefix(prefix)?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !canonical {
        return None;
    }
    digits.parse().ok()
}

impl LabelMap {
    /// An empty label map.
    pub fn new() -> Self {
        LabelMap::default()
    }

    /// Adds `c14n{canonical}` -> `b{hmac}`.
    ///
    /// # Errors
    /// [`Error::InvalidLabelMap`] if `canonical` is already mapped or `hmac` already used.
    pub fn insert(&mut self, canonical: u32, hmac: u32) -> Result<(), Error> {
        if self.map.contains_key(&canonical) {
            return Err(Error::InvalidLabelMap("duplicate canonical label"));
        }
        if !self.values.insert(hmac) {
            return Err(Error::InvalidLabelMap(
                "two canonical labels map to the same label",
            ));
        }
        self.map.insert(canonical, hmac);
        Ok(())
    }

    /// compressLabelMap: builds the map from `("c14nN", "bM")` pairs.
    ///
    /// # Errors
    /// [`Error::InvalidLabelMap`] for a key not `c14n` + decimal, a value not `b` + decimal
    /// (no sign, no leading zero, at most `u32::MAX`), or a map that is not one-to-one.
    pub fn compress<'a, I>(labels: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut map = LabelMap::new();
        for (k, v) in labels {
            let canonical = parse_label_number(k, "c14n")
                .ok_or(Error::InvalidLabelMap("key is not a c14n label"))?;
            let hmac = parse_label_number(v, "b")
                .ok_or(Error::InvalidLabelMap("value is not a b label"))?;
            map.insert(canonical, hmac)?;
        }
        Ok(map)
    }

    /// decompressLabelMap: the `("c14nN", "bM")` pairs, in increasing `N`.
    pub fn decompress(&self) -> Vec<(String, String)> {
        self.map
            .iter()
            .map(|(k, v)| (format!("c14n{k}"), format!("b{v}")))
            .collect()
    }

    /// The HMAC label number for canonical label number `canonical`.
    pub fn get(&self, canonical: u32) -> Option<u32> {
        self.map.get(&canonical).copied()
    }

    /// The `(N, M)` entries in increasing `N`.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.map.iter().map(|(&k, &v)| (k, v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// The components of a derived proof value
/// (<https://www.w3.org/TR/vc-di-bbs/#serializederivedproofvalue>).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedProofValue {
    /// The BBS proof.
    pub bbs_proof: Vec<u8>,
    /// The label map, compressed.
    pub label_map: LabelMap,
    /// Positions of the mandatory statements among the disclosed ones.
    pub mandatory_indexes: Vec<u32>,
    /// Positions of the selectively disclosed statements among the non-mandatory ones.
    pub selective_indexes: Vec<u32>,
    /// The BBS presentation header; empty when there is none.
    pub presentation_header: Vec<u8>,
    /// The feature option and its extra components.
    pub feature: DerivedFeature,
}

/// Decodes the multibase string, checks the limit, and identifies the header.
fn open(proof_value: &str, expected: ProofKind) -> Result<(Feature, Zeroizing<Vec<u8>>), Error> {
    if proof_value.len() > MAX_PROOF_VALUE_LEN {
        return Err(Error::TooLarge {
            what: "proof value",
            actual: proof_value.len(),
            limit: MAX_PROOF_VALUE_LEN,
        });
    }
    let body = proof_value
        .strip_prefix('u')
        .ok_or(Error::MultibasePrefix { expected: 'u' })?;
    let bytes = Zeroizing::new(decode_base64url(body)?);
    let header: [u8; 3] = bytes
        .get(..3)
        .and_then(|h| h.try_into().ok())
        .ok_or(Error::UnknownProofHeader)?;
    let (feature, kind) = Feature::from_header(header).ok_or(Error::UnknownProofHeader)?;
    if kind != expected {
        return Err(Error::ProofKindMismatch {
            expected: expected.name(),
            found: kind.name(),
        });
    }
    if feature != Feature::Baseline {
        return Err(Error::UnsupportedFeature {
            feature: feature.name(),
        });
    }
    Ok((feature, bytes))
}

fn fixed<const N: usize>(bytes: &[u8], what: &'static str) -> Result<[u8; N], Error> {
    bytes.try_into().map_err(|_| Error::InvalidLength {
        what,
        expected: N,
        actual: bytes.len(),
    })
}

fn read_indexes(r: &mut Reader<'_>) -> Result<Vec<u32>, Error> {
    let n = r.array(MAX_INDEXES)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(r.uint_u32()?);
    }
    Ok(out)
}

impl BaseProofValue {
    /// serializeBaseProofValue: header bytes, then the CBOR array of components, as multibase
    /// base64url-no-pad. The result contains the HMAC key: it is as secret as the key.
    pub fn serialize(&self) -> String {
        let header = self.feature.feature().header(ProofKind::Base);
        // Reserve the whole encoding up front so that the buffer holding the HMAC key is
        // never reallocated (which would leave an unzeroized copy behind).
        let pointers: usize = self.mandatory_pointers.iter().map(|p| p.len() + 9).sum();
        let mut buffer = Vec::with_capacity(
            3 + 9
                + 4 * 9
                + BBS_SIGNATURE_LEN
                + BBS_HEADER_LEN
                + PUBLIC_KEY_LEN
                + HMAC_KEY_LEN
                + 9
                + pointers,
        );
        buffer.extend_from_slice(&header);
        let mut w = Writer::new(buffer);
        match self.feature {
            BaseFeature::Baseline => w.array(5),
        }
        w.bytes(&self.bbs_signature);
        w.bytes(&self.bbs_header);
        w.bytes(&self.public_key);
        w.bytes(self.hmac_key.expose());
        w.array(self.mandatory_pointers.len());
        for p in &self.mandatory_pointers {
            w.text(p);
        }
        let bytes = Zeroizing::new(w.into_inner());
        Base::Base64Url.encode(&bytes)
    }

    /// The issuer public key component, validated as a BLS12-381 G2 point.
    ///
    /// # Errors
    /// [`Error::InvalidPoint`].
    pub fn issuer_public_key(&self) -> Result<PublicKey, Error> {
        PublicKey::from_bytes(KeyType::Bls12381G2, &self.public_key)
    }

    /// parseBaseProofValue.
    ///
    /// # Errors
    /// [`Error::MultibasePrefix`], [`Error::InvalidEncoding`], [`Error::TooLarge`],
    /// [`Error::UnknownProofHeader`], [`Error::ProofKindMismatch`] for a derived proof,
    /// [`Error::UnsupportedFeature`], [`Error::Cbor`] for malformed or mistyped CBOR or a
    /// component count other than 5, [`Error::InvalidLength`] for a component of the wrong
    /// length.
    pub fn parse(proof_value: &str) -> Result<Self, Error> {
        let (_feature, bytes) = open(proof_value, ProofKind::Base)?;
        let mut r = Reader::new(bytes.get(3..).unwrap_or_default(), 3);
        r.array_exact(5)?;
        let bbs_signature = fixed(r.bytes(BBS_SIGNATURE_LEN)?, "bbsSignature")?;
        let bbs_header = fixed(r.bytes(BBS_HEADER_LEN)?, "bbsHeader")?;
        let public_key = fixed(r.bytes(PUBLIC_KEY_LEN)?, "publicKey")?;
        let hmac_key = HmacKey::new(fixed(r.bytes(HMAC_KEY_LEN)?, "hmacKey")?);
        let n = r.array(MAX_MANDATORY_POINTERS)?;
        let mut mandatory_pointers = Vec::with_capacity(n);
        for _ in 0..n {
            mandatory_pointers.push(r.text(MAX_POINTER_LEN)?.to_owned());
        }
        r.finish()?;
        Ok(BaseProofValue {
            bbs_signature,
            bbs_header,
            public_key,
            hmac_key,
            mandatory_pointers,
            feature: BaseFeature::Baseline,
        })
    }
}

impl DerivedProofValue {
    /// serializeDerivedProofValue: header bytes, then the CBOR array of components (the label
    /// map as a map of unsigned integers, keys increasing), as multibase base64url-no-pad.
    ///
    /// Values beyond the parse limits (for example more than [`MAX_INDEXES`] indexes) are
    /// serialized all the same but will not parse.
    pub fn serialize(&self) -> String {
        let header = self.feature.feature().header(ProofKind::Derived);
        let mut w = Writer::new(header.to_vec());
        match self.feature {
            DerivedFeature::Baseline => w.array(5),
        }
        w.bytes(&self.bbs_proof);
        w.map(self.label_map.len());
        for (k, v) in self.label_map.iter() {
            w.uint(u64::from(k));
            w.uint(u64::from(v));
        }
        for indexes in [&self.mandatory_indexes, &self.selective_indexes] {
            w.array(indexes.len());
            for &i in indexes {
                w.uint(u64::from(i));
            }
        }
        w.bytes(&self.presentation_header);
        Base::Base64Url.encode(&w.into_inner())
    }

    /// parseDerivedProofValue (with decompressLabelMap left to [`LabelMap::decompress`]).
    ///
    /// # Errors
    /// As [`BaseProofValue::parse`] (a base proof gives [`Error::ProofKindMismatch`]), plus
    /// [`Error::InvalidLength`] for a BBS proof whose length is not 272 + 32·k bytes,
    /// [`Error::InvalidLabelMap`] for a label map that is not one-to-one, and
    /// [`Error::Cbor`] with [`CborErrorKind::DuplicateKey`] for a repeated key.
    pub fn parse(proof_value: &str) -> Result<Self, Error> {
        let (_feature, bytes) = open(proof_value, ProofKind::Derived)?;
        let mut r = Reader::new(bytes.get(3..).unwrap_or_default(), 3);
        r.array_exact(5)?;
        let bbs_proof = r.bytes(MAX_PROOF_VALUE_LEN)?;
        if bbs_proof.len() < BBS_PROOF_MIN_LEN
            || !(bbs_proof.len() - BBS_PROOF_MIN_LEN).is_multiple_of(32)
        {
            return Err(Error::InvalidLength {
                what: "bbsProof",
                expected: BBS_PROOF_MIN_LEN,
                actual: bbs_proof.len(),
            });
        }
        let bbs_proof = bbs_proof.to_vec();
        let entries = r.map(MAX_LABEL_MAP_ENTRIES)?;
        let mut label_map = LabelMap::new();
        for _ in 0..entries {
            let at = r.offset();
            let k = r.uint_u32()?;
            let v = r.uint_u32()?;
            if label_map.get(k).is_some() {
                return Err(Error::Cbor {
                    offset: at,
                    kind: CborErrorKind::DuplicateKey,
                });
            }
            label_map.insert(k, v)?;
        }
        let mandatory_indexes = read_indexes(&mut r)?;
        let selective_indexes = read_indexes(&mut r)?;
        // One proof, one encoding: the indexes are strictly increasing, as derivation makes them.
        for indexes in [&mandatory_indexes, &selective_indexes] {
            if indexes.windows(2).any(|w| w.first() >= w.get(1)) {
                return Err(Error::Bbs2023(
                    "mandatoryIndexes and selectiveIndexes must be strictly increasing",
                ));
            }
        }
        let presentation_header = r.bytes(MAX_PRESENTATION_HEADER_LEN)?.to_vec();
        r.finish()?;
        Ok(DerivedProofValue {
            bbs_proof,
            label_map,
            mandatory_indexes,
            selective_indexes,
            presentation_header,
            feature: DerivedFeature::Baseline,
        })
    }
}

/// Identifies a proof value's kind and feature from its header, without parsing the rest.
///
/// # Errors
/// [`Error::MultibasePrefix`], [`Error::InvalidEncoding`], [`Error::TooLarge`],
/// [`Error::UnknownProofHeader`].
pub fn identify(proof_value: &str) -> Result<(ProofKind, Feature), Error> {
    if proof_value.len() > MAX_PROOF_VALUE_LEN {
        return Err(Error::TooLarge {
            what: "proof value",
            actual: proof_value.len(),
            limit: MAX_PROOF_VALUE_LEN,
        });
    }
    let body = proof_value
        .strip_prefix('u')
        .ok_or(Error::MultibasePrefix { expected: 'u' })?;
    // Four base64url characters cover the three header bytes.
    let head = body.get(..4).ok_or(Error::UnknownProofHeader)?;
    let bytes = decode_base64url(head)?;
    let header: [u8; 3] = bytes
        .get(..3)
        .and_then(|h| h.try_into().ok())
        .ok_or(Error::UnknownProofHeader)?;
    Feature::from_header(header)
        .map(|(f, k)| (k, f))
        .ok_or(Error::UnknownProofHeader)
}
