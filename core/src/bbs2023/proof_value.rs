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
//! All four feature options are implemented: `"baseline"`, `"anonymous_holder_binding"`,
//! `"pseudonym"` and `"holder_binding_pseudonym"`, each with its header bytes and extra
//! components ([`BaseFeature`], [`DerivedFeature`]).
//!
//! Serializing follows the specification's text ([`Profile::Spec`]). The published W3C
//! vectors differ from the text in three encoding details, which parsing accepts (see
//! `test-vectors/exceptions/w3c-bbs-2023-features.json`): base and derived proofs of the
//! `Pseudonym` set carry the `holder_binding_pseudonym` headers `d9 5d 08`/`d9 5d 09`
//! (parsed as that feature; which of the two pseudonym features it is follows from the number
//! of committed values, checked by the BBS layer), `signer_nym_entropy` is preceded by CBOR
//! tag 2 (the tag is accepted there and nowhere else), and derived pseudonym proofs have no
//! `nym_domain` (parsed as `None`: the verifier must then supply its own). The test-only
//! profile `Profile::VcDiBbsVectors` (feature `dangerous-test-vectors`) emits those forms.
//!
//! Parsing is strict: canonical base64url, the exact component count, the exact CBOR types
//! (a missing presentation header is an empty byte string, never `null`), shortest CBOR heads,
//! no tags, no trailing bytes, and the explicit limits below. Serializing is deterministic
//! (label map keys in increasing order), so a canonical input re-serializes byte for byte.

use crate::{Bbs2023Error, EncodingError};
use core::fmt;
use std::collections::{BTreeMap, BTreeSet};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::cbor::{Reader, Writer};
use crate::keys::{Base, decode_base64url};
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

    /// The feature option named `name` (the specification's names, as [`Feature::name`]).
    pub fn from_name(name: &str) -> Option<Feature> {
        Feature::ALL.into_iter().find(|f| f.name() == name)
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

/// How proof values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// As the specification's text says.
    #[default]
    Spec,
    /// As the W3C vectors (`TestVectors/{Pseudonym,PseudonymHB}`) carry them: the
    /// `holder_binding_pseudonym` headers for `pseudonym` too, `signer_nym_entropy` with CBOR
    /// tag 2, no `nym_domain` in derived proofs. Only for reproducing those vectors.
    #[cfg(feature = "dangerous-test-vectors")]
    VcDiBbsVectors,
}

impl Profile {
    /// Whether this is the vectors' profile.
    const fn vectors(self) -> bool {
        match self {
            Profile::Spec => false,
            #[cfg(feature = "dangerous-test-vectors")]
            Profile::VcDiBbsVectors => true,
        }
    }

    /// The header bytes of `feature` and `kind` in this profile.
    pub const fn header(self, feature: Feature, kind: ProofKind) -> [u8; 3] {
        match (self.vectors(), feature) {
            (true, Feature::Pseudonym) => Feature::HolderBindingPseudonym.header(kind),
            _ => feature.header(kind),
        }
    }
}

/// Length of `signer_nym_entropy` (a scalar).
pub const SIGNER_NYM_ENTROPY_LEN: usize = 32;
/// Length of a pseudonym (a compressed G1 point).
pub const PSEUDONYM_LEN: usize = 48;
/// Longest `nym_domain`, in bytes.
pub const MAX_NYM_DOMAIN_LEN: usize = 4096;

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

/// Feature-specific components of a base proof value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseFeature {
    /// No extra component.
    Baseline,
    /// Blind signature over the holder's commitment to its holder secret; no extra component.
    AnonymousHolderBinding,
    /// Pseudonym signature; the issuer's `signer_nym_entropy` (not validated here).
    Pseudonym {
        /// `I2OSP(signer_nym_entropy, 32)`.
        signer_nym_entropy: [u8; SIGNER_NYM_ENTROPY_LEN],
    },
    /// Pseudonym signature with a committed holder secret; the issuer's `signer_nym_entropy`.
    HolderBindingPseudonym {
        /// `I2OSP(signer_nym_entropy, 32)`.
        signer_nym_entropy: [u8; SIGNER_NYM_ENTROPY_LEN],
    },
}

impl BaseFeature {
    /// The feature option.
    pub const fn feature(&self) -> Feature {
        match self {
            BaseFeature::Baseline => Feature::Baseline,
            BaseFeature::AnonymousHolderBinding => Feature::AnonymousHolderBinding,
            BaseFeature::Pseudonym { .. } => Feature::Pseudonym,
            BaseFeature::HolderBindingPseudonym { .. } => Feature::HolderBindingPseudonym,
        }
    }

    /// `signer_nym_entropy`, for the pseudonym features.
    pub const fn signer_nym_entropy(&self) -> Option<&[u8; SIGNER_NYM_ENTROPY_LEN]> {
        match self {
            BaseFeature::Pseudonym { signer_nym_entropy }
            | BaseFeature::HolderBindingPseudonym { signer_nym_entropy } => {
                Some(signer_nym_entropy)
            }
            _ => None,
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

/// Feature-specific components of a derived proof value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DerivedFeature {
    /// No extra component.
    Baseline,
    /// `lengthBBSMessages`: the number of messages the issuer signed (the BBS `L`).
    AnonymousHolderBinding {
        /// `lengthBBSMessages`.
        length_bbs_messages: u32,
    },
    /// `nym_domain`, `pseudonym` and `lengthBBSMessages`.
    Pseudonym(NymComponents),
    /// As [`DerivedFeature::Pseudonym`], with a committed holder secret.
    HolderBindingPseudonym(NymComponents),
}

/// The pseudonym components of a derived proof value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NymComponents {
    /// The context the pseudonym was computed for (a CBOR text string); `None` when the proof
    /// value carries none (as the W3C vectors do), in which case the verifier supplies it.
    pub nym_domain: Option<String>,
    /// The pseudonym, a compressed G1 point (not validated here).
    pub pseudonym: [u8; PSEUDONYM_LEN],
    /// `lengthBBSMessages`.
    pub length_bbs_messages: u32,
}

impl DerivedFeature {
    /// The feature option.
    pub const fn feature(&self) -> Feature {
        match self {
            DerivedFeature::Baseline => Feature::Baseline,
            DerivedFeature::AnonymousHolderBinding { .. } => Feature::AnonymousHolderBinding,
            DerivedFeature::Pseudonym(_) => Feature::Pseudonym,
            DerivedFeature::HolderBindingPseudonym(_) => Feature::HolderBindingPseudonym,
        }
    }

    /// `lengthBBSMessages`, for the optional features.
    pub const fn length_bbs_messages(&self) -> Option<u32> {
        match self {
            DerivedFeature::Baseline => None,
            DerivedFeature::AnonymousHolderBinding {
                length_bbs_messages,
            } => Some(*length_bbs_messages),
            DerivedFeature::Pseudonym(n) | DerivedFeature::HolderBindingPseudonym(n) => {
                Some(n.length_bbs_messages)
            }
        }
    }

    /// The pseudonym components, for the pseudonym features.
    pub const fn nym(&self) -> Option<&NymComponents> {
        match self {
            DerivedFeature::Pseudonym(n) | DerivedFeature::HolderBindingPseudonym(n) => Some(n),
            _ => None,
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
    /// [`crate::Bbs2023Error::LabelMap`] if `canonical` is already mapped or `hmac` already used.
    pub fn insert(&mut self, canonical: u32, hmac: u32) -> Result<(), Error> {
        if self.map.contains_key(&canonical) {
            return Err(Error::Bbs2023(Bbs2023Error::LabelMap(
                "duplicate canonical label",
            )));
        }
        if !self.values.insert(hmac) {
            return Err(Error::Bbs2023(Bbs2023Error::LabelMap(
                "two canonical labels map to the same label",
            )));
        }
        self.map.insert(canonical, hmac);
        Ok(())
    }

    /// compressLabelMap: builds the map from `("c14nN", "bM")` pairs.
    ///
    /// # Errors
    /// [`crate::Bbs2023Error::LabelMap`] for a key not `c14n` + decimal, a value not `b` + decimal
    /// (no sign, no leading zero, at most `u32::MAX`), or a map that is not one-to-one.
    pub fn compress<'a, I>(labels: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut map = LabelMap::new();
        for (k, v) in labels {
            let canonical = parse_label_number(k, "c14n").ok_or(Error::Bbs2023(
                Bbs2023Error::LabelMap("key is not a c14n label"),
            ))?;
            let hmac = parse_label_number(v, "b").ok_or(Error::Bbs2023(Bbs2023Error::LabelMap(
                "value is not a b label",
            )))?;
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

/// The base64url text of a multibase (`u`) proof value of at most [`MAX_PROOF_VALUE_LEN`]
/// bytes.
fn multibase_body(proof_value: &str) -> Result<&str, Error> {
    if proof_value.len() > MAX_PROOF_VALUE_LEN {
        return Err(Error::TooLarge {
            what: "proof value",
            actual: proof_value.len(),
            limit: MAX_PROOF_VALUE_LEN,
        });
    }
    proof_value
        .strip_prefix('u')
        .ok_or(Error::Encoding(EncodingError::MultibasePrefix {
            expected: 'u',
        }))
}

/// Decodes the multibase string, checks the limit, and identifies the header.
fn open(proof_value: &str, expected: ProofKind) -> Result<(Feature, Zeroizing<Vec<u8>>), Error> {
    let body = multibase_body(proof_value)?;
    let bytes = Zeroizing::new(decode_base64url(body)?);
    let header: [u8; 3] = bytes
        .get(..3)
        .and_then(|h| h.try_into().ok())
        .ok_or(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))?;
    let (feature, kind) =
        Feature::from_header(header).ok_or(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))?;
    if kind != expected {
        return Err(Error::Bbs2023(Bbs2023Error::ProofKindMismatch {
            expected: expected.name(),
            found: kind.name(),
        }));
    }
    Ok((feature, bytes))
}

fn fixed<const N: usize>(bytes: &[u8], what: &'static str) -> Result<[u8; N], Error> {
    bytes.try_into().map_err(|_| {
        Error::Encoding(EncodingError::Length {
            what,
            expected: N,
            actual: bytes.len(),
        })
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
        self.serialize_with(Profile::Spec)
    }

    /// serializeBaseProofValue in the given [`Profile`].
    pub fn serialize_with(&self, profile: Profile) -> String {
        let header = profile.header(self.feature.feature(), ProofKind::Base);
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
                + pointers
                + 3
                + SIGNER_NYM_ENTROPY_LEN,
        );
        buffer.extend_from_slice(&header);
        let mut w = Writer::new(buffer);
        match self.feature {
            BaseFeature::Baseline | BaseFeature::AnonymousHolderBinding => w.array(5),
            BaseFeature::Pseudonym { .. } | BaseFeature::HolderBindingPseudonym { .. } => {
                w.array(6)
            }
        }
        w.bytes(&self.bbs_signature);
        w.bytes(&self.bbs_header);
        w.bytes(&self.public_key);
        w.bytes(self.hmac_key.expose());
        w.array(self.mandatory_pointers.len());
        for p in &self.mandatory_pointers {
            w.text(p);
        }
        let mut bytes = Zeroizing::new(w.into_inner());
        if let Some(entropy) = self.feature.signer_nym_entropy() {
            if profile.vectors() {
                bytes.push(0xc2);
            }
            let mut w = Writer::new(core::mem::take(&mut *bytes));
            w.bytes(entropy);
            *bytes = w.into_inner();
        }
        Base::Base64Url.encode(&bytes)
    }

    /// The issuer public key component, validated as a BLS12-381 G2 point.
    ///
    /// # Errors
    /// [`crate::EncodingError::Point`].
    pub fn issuer_public_key(&self) -> Result<PublicKey, Error> {
        PublicKey::from_bytes(KeyType::Bls12381G2, &self.public_key)
    }

    /// parseBaseProofValue.
    ///
    /// # Errors
    /// [`crate::EncodingError::MultibasePrefix`], [`crate::EncodingError::Alphabet`], [`Error::TooLarge`],
    /// [`crate::Bbs2023Error::UnknownProofHeader`], [`crate::Bbs2023Error::ProofKindMismatch`] for a derived proof,
    /// [`crate::Bbs2023Error::UnsupportedFeature`], [`crate::Bbs2023Error::Cbor`] for malformed or mistyped CBOR or a
    /// component count other than 5, [`crate::EncodingError::Length`] for a component of the wrong
    /// length.
    pub fn parse(proof_value: &str) -> Result<Self, Error> {
        let (feature, bytes) = open(proof_value, ProofKind::Base)?;
        let body = bytes.get(3..).unwrap_or_default();
        let mut r = Reader::new(body, 3);
        let pseudonym = matches!(
            feature,
            Feature::Pseudonym | Feature::HolderBindingPseudonym
        );
        r.array_exact(if pseudonym { 6 } else { 5 })?;
        let bbs_signature = fixed(r.bytes(BBS_SIGNATURE_LEN)?, "bbsSignature")?;
        let bbs_header = fixed(r.bytes(BBS_HEADER_LEN)?, "bbsHeader")?;
        let public_key = fixed(r.bytes(PUBLIC_KEY_LEN)?, "publicKey")?;
        let hmac_key = HmacKey::new(fixed(r.bytes(HMAC_KEY_LEN)?, "hmacKey")?);
        let n = r.array(MAX_MANDATORY_POINTERS)?;
        let mut mandatory_pointers = Vec::with_capacity(n);
        for _ in 0..n {
            mandatory_pointers.push(r.text(MAX_POINTER_LEN)?.to_owned());
        }
        let feature = match feature {
            Feature::Baseline => BaseFeature::Baseline,
            Feature::AnonymousHolderBinding => BaseFeature::AnonymousHolderBinding,
            Feature::Pseudonym | Feature::HolderBindingPseudonym => {
                // The vectors put CBOR tag 2 (bignum) before the entropy: accepted here only.
                let at = r.offset();
                let rest = bytes.get(at..).unwrap_or_default();
                let (rest, base) = match rest.split_first() {
                    Some((0xc2, tail)) => (tail, at + 1),
                    _ => (rest, at),
                };
                let mut e = Reader::new(rest, base);
                let signer_nym_entropy =
                    fixed(e.bytes(SIGNER_NYM_ENTROPY_LEN)?, "signer_nym_entropy")?;
                e.finish()?;
                r = Reader::new(&[], at);
                if feature == Feature::Pseudonym {
                    BaseFeature::Pseudonym { signer_nym_entropy }
                } else {
                    BaseFeature::HolderBindingPseudonym { signer_nym_entropy }
                }
            }
        };
        r.finish()?;
        Ok(BaseProofValue {
            bbs_signature,
            bbs_header,
            public_key,
            hmac_key,
            mandatory_pointers,
            feature,
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
        self.serialize_with(Profile::Spec)
    }

    /// serializeDerivedProofValue in the given [`Profile`]. A pseudonym proof without a
    /// `nym_domain` is written without one (as the vectors are).
    pub fn serialize_with(&self, profile: Profile) -> String {
        let header = profile.header(self.feature.feature(), ProofKind::Derived);
        let mut w = Writer::new(header.to_vec());
        let nym_domain = self
            .feature
            .nym()
            .and_then(|n| n.nym_domain.as_deref())
            .filter(|_| !profile.vectors());
        match &self.feature {
            DerivedFeature::Baseline => w.array(5),
            DerivedFeature::AnonymousHolderBinding { .. } => w.array(6),
            DerivedFeature::Pseudonym(_) | DerivedFeature::HolderBindingPseudonym(_) => {
                w.array(if nym_domain.is_some() { 8 } else { 7 })
            }
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
        if let Some(domain) = nym_domain {
            w.text(domain);
        }
        if let Some(nym) = self.feature.nym() {
            w.bytes(&nym.pseudonym);
        }
        if let Some(l) = self.feature.length_bbs_messages() {
            w.uint(u64::from(l));
        }
        Base::Base64Url.encode(&w.into_inner())
    }

    /// parseDerivedProofValue (with decompressLabelMap left to [`LabelMap::decompress`]).
    ///
    /// # Errors
    /// As [`BaseProofValue::parse`] (a base proof gives [`crate::Bbs2023Error::ProofKindMismatch`]), plus
    /// [`crate::EncodingError::Length`] for a BBS proof whose length is not 272 + 32·k bytes,
    /// [`crate::Bbs2023Error::LabelMap`] for a label map that is not one-to-one, and
    /// [`crate::Bbs2023Error::Cbor`] with [`CborErrorKind::DuplicateKey`] for a repeated key.
    pub fn parse(proof_value: &str) -> Result<Self, Error> {
        let (feature, bytes) = open(proof_value, ProofKind::Derived)?;
        let mut r = Reader::new(bytes.get(3..).unwrap_or_default(), 3);
        let count = match feature {
            Feature::Baseline => {
                r.array_exact(5)?;
                5
            }
            Feature::AnonymousHolderBinding => {
                r.array_exact(6)?;
                6
            }
            Feature::Pseudonym | Feature::HolderBindingPseudonym => {
                let at = r.offset();
                match r.array(8)? {
                    n @ (7 | 8) => n,
                    _ => {
                        return Err(Error::Bbs2023(Bbs2023Error::Cbor {
                            offset: at,
                            kind: CborErrorKind::UnexpectedType {
                                expected: "array of 7 or 8 components",
                            },
                        }));
                    }
                }
            }
        };
        let bbs_proof = r.bytes(MAX_PROOF_VALUE_LEN)?;
        if bbs_proof.len() < BBS_PROOF_MIN_LEN
            || !(bbs_proof.len() - BBS_PROOF_MIN_LEN).is_multiple_of(32)
        {
            return Err(Error::Encoding(EncodingError::Length {
                what: "bbsProof",
                expected: BBS_PROOF_MIN_LEN,
                actual: bbs_proof.len(),
            }));
        }
        let bbs_proof = bbs_proof.to_vec();
        let entries = r.map(MAX_LABEL_MAP_ENTRIES)?;
        let mut label_map = LabelMap::new();
        for _ in 0..entries {
            let at = r.offset();
            let k = r.uint_u32()?;
            let v = r.uint_u32()?;
            if label_map.get(k).is_some() {
                return Err(Error::Bbs2023(Bbs2023Error::Cbor {
                    offset: at,
                    kind: CborErrorKind::DuplicateKey,
                }));
            }
            label_map.insert(k, v)?;
        }
        let mandatory_indexes = read_indexes(&mut r)?;
        let selective_indexes = read_indexes(&mut r)?;
        // One proof, one encoding: the indexes are strictly increasing, as derivation makes them.
        for indexes in [&mandatory_indexes, &selective_indexes] {
            if indexes.windows(2).any(|w| w.first() >= w.get(1)) {
                return Err(Error::Bbs2023(Bbs2023Error::Invalid(
                    "mandatoryIndexes and selectiveIndexes must be strictly increasing",
                )));
            }
        }
        let presentation_header = r.bytes(MAX_PRESENTATION_HEADER_LEN)?.to_vec();
        let nym_domain = if count == 8 {
            Some(r.text(MAX_NYM_DOMAIN_LEN)?.to_owned())
        } else {
            None
        };
        let pseudonym = if count >= 7 {
            Some(fixed::<PSEUDONYM_LEN>(
                r.bytes(PSEUDONYM_LEN)?,
                "pseudonym",
            )?)
        } else {
            None
        };
        let length_bbs_messages = if count >= 6 { r.uint_u32()? } else { 0 };
        r.finish()?;
        let feature = match (feature, pseudonym) {
            (Feature::AnonymousHolderBinding, _) => DerivedFeature::AnonymousHolderBinding {
                length_bbs_messages,
            },
            (Feature::Pseudonym, Some(pseudonym)) => DerivedFeature::Pseudonym(NymComponents {
                nym_domain,
                pseudonym,
                length_bbs_messages,
            }),
            (Feature::HolderBindingPseudonym, Some(pseudonym)) => {
                DerivedFeature::HolderBindingPseudonym(NymComponents {
                    nym_domain,
                    pseudonym,
                    length_bbs_messages,
                })
            }
            _ => DerivedFeature::Baseline,
        };
        Ok(DerivedProofValue {
            bbs_proof,
            label_map,
            mandatory_indexes,
            selective_indexes,
            presentation_header,
            feature,
        })
    }
}

/// Identifies a proof value's kind and feature from its header, without parsing the rest.
///
/// # Errors
/// [`crate::EncodingError::MultibasePrefix`], [`crate::EncodingError::Alphabet`], [`Error::TooLarge`],
/// [`crate::Bbs2023Error::UnknownProofHeader`].
pub fn identify(proof_value: &str) -> Result<(ProofKind, Feature), Error> {
    let body = multibase_body(proof_value)?;
    // Four base64url characters cover the three header bytes.
    let head = body
        .get(..4)
        .ok_or(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))?;
    let bytes = decode_base64url(head)?;
    let header: [u8; 3] = bytes
        .get(..3)
        .and_then(|h| h.try_into().ok())
        .ok_or(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))?;
    Feature::from_header(header)
        .map(|(f, k)| (k, f))
        .ok_or(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;

    fn base(feature: BaseFeature) -> BaseProofValue {
        BaseProofValue {
            bbs_signature: [1; BBS_SIGNATURE_LEN],
            bbs_header: [2; BBS_HEADER_LEN],
            public_key: [3; PUBLIC_KEY_LEN],
            hmac_key: HmacKey::new([4; HMAC_KEY_LEN]),
            mandatory_pointers: vec!["/issuer".into()],
            feature,
        }
    }

    fn derived(feature: DerivedFeature) -> DerivedProofValue {
        let mut label_map = LabelMap::new();
        label_map.insert(0, 1).unwrap();
        DerivedProofValue {
            bbs_proof: vec![5; BBS_PROOF_MIN_LEN + 64],
            label_map,
            mandatory_indexes: vec![0, 2],
            selective_indexes: vec![1],
            presentation_header: vec![6, 7],
            feature,
        }
    }

    fn bytes(v: &str) -> Vec<u8> {
        decode_base64url(&v[1..]).unwrap()
    }

    fn nym(domain: Option<&str>) -> NymComponents {
        NymComponents {
            nym_domain: domain.map(str::to_owned),
            pseudonym: [9; PSEUDONYM_LEN],
            length_bbs_messages: 23,
        }
    }

    #[test]
    fn feature_base_proofs_round_trip_with_the_spec_headers() {
        for (f, header, count) in [
            (BaseFeature::AnonymousHolderBinding, 0x04, 0x85),
            (
                BaseFeature::Pseudonym {
                    signer_nym_entropy: [8; 32],
                },
                0x06,
                0x86,
            ),
            (
                BaseFeature::HolderBindingPseudonym {
                    signer_nym_entropy: [8; 32],
                },
                0x08,
                0x86,
            ),
        ] {
            let v = base(f.clone());
            let s = v.serialize();
            let b = bytes(&s);
            assert_eq!(&b[..4], &[0xd9, 0x5d, header, count]);
            // No CBOR tag anywhere in what we write.
            if f.signer_nym_entropy().is_some() {
                assert_eq!(&b[b.len() - 34..b.len() - 32], &[0x58, 0x20]);
            }
            assert_eq!(BaseProofValue::parse(&s).unwrap(), v);
        }
    }

    #[test]
    fn feature_derived_proofs_round_trip_with_the_spec_layout() {
        for (f, header, count) in [
            (
                DerivedFeature::AnonymousHolderBinding {
                    length_bbs_messages: 23,
                },
                0x05,
                0x86,
            ),
            (DerivedFeature::Pseudonym(nym(Some("agency-a"))), 0x07, 0x88),
            (
                DerivedFeature::HolderBindingPseudonym(nym(Some("agency-a"))),
                0x09,
                0x88,
            ),
            // Without a nym_domain (as the vectors): seven components.
            (DerivedFeature::Pseudonym(nym(None)), 0x07, 0x87),
        ] {
            let v = derived(f);
            let s = v.serialize();
            let b = bytes(&s);
            assert_eq!(&b[..4], &[0xd9, 0x5d, header, count]);
            assert_eq!(*b.last().unwrap(), 23);
            assert_eq!(DerivedProofValue::parse(&s).unwrap(), v);
        }
    }

    #[test]
    fn a_tag_is_accepted_before_the_entropy_only() {
        let v = base(BaseFeature::Pseudonym {
            signer_nym_entropy: [8; 32],
        });
        let mut b = bytes(&v.serialize());
        let at = b.len() - 34;
        b.insert(at, 0xc2);
        let s = Base::Base64Url.encode(&b);
        assert_eq!(BaseProofValue::parse(&s).unwrap(), v);
        // Two tags, or a tag elsewhere, are refused.
        let mut twice = b.clone();
        twice.insert(at, 0xc2);
        assert!(BaseProofValue::parse(&Base::Base64Url.encode(&twice)).is_err());
        let mut sig = bytes(&v.serialize());
        sig.insert(4, 0xc2);
        assert!(matches!(
            BaseProofValue::parse(&Base::Base64Url.encode(&sig)),
            Err(Error::Bbs2023(Bbs2023Error::Cbor { .. }))
        ));
    }

    #[test]
    fn wrong_counts_and_headers_are_typed_errors() {
        // A holder-binding derived proof without lengthBBSMessages.
        let v = derived(DerivedFeature::AnonymousHolderBinding {
            length_bbs_messages: 23,
        });
        let mut b = bytes(&v.serialize());
        b[3] = 0x85;
        b.pop();
        assert!(matches!(
            DerivedProofValue::parse(&Base::Base64Url.encode(&b)),
            Err(Error::Bbs2023(Bbs2023Error::Cbor { .. }))
        ));
        // A pseudonym derived proof with 6 components.
        let v = derived(DerivedFeature::Pseudonym(nym(None)));
        let mut b = bytes(&v.serialize());
        b[3] = 0x86;
        assert!(DerivedProofValue::parse(&Base::Base64Url.encode(&b)).is_err());
        // Unknown header bytes.
        for last in [0x00, 0x01, 0x0a, 0xff] {
            let mut b = bytes(&v.serialize());
            b[2] = last;
            assert_eq!(
                DerivedProofValue::parse(&Base::Base64Url.encode(&b)),
                Err(Error::Bbs2023(Bbs2023Error::UnknownProofHeader))
            );
        }
        // A base header on a derived layout.
        let mut b = bytes(&v.serialize());
        b[2] = 0x06;
        assert!(matches!(
            DerivedProofValue::parse(&Base::Base64Url.encode(&b)),
            Err(Error::Bbs2023(Bbs2023Error::ProofKindMismatch { .. }))
        ));
    }

    #[cfg(feature = "dangerous-test-vectors")]
    #[test]
    fn the_vectors_profile_writes_their_forms() {
        let v = base(BaseFeature::Pseudonym {
            signer_nym_entropy: [8; 32],
        });
        let b = bytes(&v.serialize_with(Profile::VcDiBbsVectors));
        assert_eq!(b[2], 0x08);
        assert_eq!(b[b.len() - 35], 0xc2);
        let d = derived(DerivedFeature::Pseudonym(nym(Some("x"))));
        let b = bytes(&d.serialize_with(Profile::VcDiBbsVectors));
        assert_eq!(&b[2..4], &[0x09, 0x87]);
    }
}
