//! X.509 certificate chains for the JOSE `x5c` header
//! ([RFC 7515 §4.1.6](https://www.rfc-editor.org/rfc/rfc7515#section-4.1.6)): the verifier's
//! Request Objects under the `x509_hash:` and `x509_san_dns:` Client Identifier Prefixes
//! ([OpenID4VP 1.0 §5.9.3](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#section-5.9.3)),
//! as the [HAIP 1.0](https://openid.net/specs/openid4vc-high-assurance-interoperability-profile-1_0.html)
//! profile requires them.
//!
//! Path validation (RFC 5280: signatures up the chain, validity periods, basic constraints,
//! key usage, name constraints, unknown critical extensions refused) is done by
//! [rustls-webpki](https://docs.rs/rustls-webpki), with this crate's pure-Rust P-256
//! verifier as its only signature algorithm (ECDSA P-256 with SHA-256). What HAIP adds is
//! checked here: the leaf is not self-signed and the trust anchor is not sent in `x5c`. The
//! leaf's key must be a P-256 key (ES256, the only JWS algorithm this library verifies).
//!
//! Only [`verify_chain`] makes a [`VerifiedLeaf`]: holding one means the chain was checked
//! against the caller's trust anchors at the given time.

mod make;

pub use make::{
    CertificateKind, CertificateRequest, CertificateSummary, MAX_VALID_DAYS, make_certificate,
    summary,
};

use p256::ecdsa::signature::Verifier as _;
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
    TrustAnchor, UnixTime, alg_id,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::keys::PublicKey;
use crate::time::Timestamp;

/// Most certificates accepted in one `x5c` chain or trust-anchor file.
pub const MAX_CHAIN_LEN: usize = 8;
/// Largest certificate accepted, in bytes of DER.
pub const MAX_CERT_LEN: usize = 16 * 1024;
/// Most trust anchors read from one file.
pub const MAX_ANCHORS: usize = 256;

/// Why a certificate chain was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum X509Error {
    /// The `x5c` value or PEM text is not a list of base64 DER certificates within the limits.
    #[error("malformed certificate data: {0}")]
    Malformed(String),
    /// No trust anchors are configured, so no chain can be trusted.
    #[error("no trust anchors are configured for X.509 certificates")]
    NoTrustAnchors,
    /// The leaf certificate is self-signed (HAIP forbids it).
    #[error("the leaf certificate is self-signed")]
    SelfSigned,
    /// The chain contains one of the trust anchors (HAIP: the anchor is not sent).
    #[error("the x5c chain includes a trust anchor's certificate (it must not)")]
    AnchorIncluded,
    /// The leaf's key is not a P-256 key.
    #[error("the leaf certificate's key is not a P-256 key")]
    UnsupportedKey,
    /// Path validation failed (the reason as the validator gives it).
    #[error("the certificate chain does not validate: {0}")]
    Path(String),
    /// The leaf is not valid for the required name.
    #[error("the leaf certificate has no dNSName {0:?}")]
    Name(String),
}

impl X509Error {
    /// This error's [`crate::ErrorKind`].
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Malformed(_) => crate::ErrorKind::InvalidInput,
            Self::UnsupportedKey => crate::ErrorKind::Unsupported,
            Self::NoTrustAnchors
            | Self::SelfSigned
            | Self::AnchorIncluded
            | Self::Path(_)
            | Self::Name(_) => crate::ErrorKind::VerificationFailed,
        }
    }
}

fn malformed(what: impl Into<String>) -> X509Error {
    X509Error::Malformed(what.into())
}

/// Standard base64 with padding (RFC 4648 §4), as `x5c` and PEM use.
fn decode_base64(s: &str) -> Result<Vec<u8>, X509Error> {
    if !s.len().is_multiple_of(4) || s.contains(['-', '_']) {
        return Err(malformed("not standard base64"));
    }
    let body = s.trim_end_matches('=');
    if s.len() - body.len() > 2 || body.contains('=') {
        return Err(malformed("bad base64 padding"));
    }
    let url: String = body
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    crate::keys::decode_base64url(&url).map_err(|_| malformed("not standard base64"))
}

fn encode_base64(bytes: &[u8]) -> String {
    let mut out: String = crate::keys::encode_base64url(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

fn check_der(der: &[u8]) -> Result<(), X509Error> {
    if der.is_empty() || der.len() > MAX_CERT_LEN {
        return Err(malformed(format!(
            "a certificate must be 1 to {MAX_CERT_LEN} bytes"
        )));
    }
    webpki::EndEntityCert::try_from(&CertificateDer::from(der))
        .map(drop)
        .map_err(|e| malformed(format!("not an X.509 v3 certificate ({e:?})")))
}

/// The DER certificates of a PEM text (`-----BEGIN CERTIFICATE-----` blocks, in order; other
/// blocks and text between them are ignored).
pub fn certificates_from_pem(pem: &str) -> Result<Vec<Vec<u8>>, X509Error> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let mut out = Vec::new();
    let mut rest = pem;
    while let Some(start) = rest.find(BEGIN) {
        let after = rest.get(start + BEGIN.len()..).unwrap_or("");
        let end = after
            .find(END)
            .ok_or_else(|| malformed("a PEM certificate block has no END line"))?;
        let body: String = after
            .get(..end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = decode_base64(&body)?;
        check_der(&der)?;
        out.push(der);
        if out.len() > MAX_CHAIN_LEN.max(MAX_ANCHORS) {
            return Err(malformed("too many certificates"));
        }
        rest = after.get(end + END.len()..).unwrap_or("");
    }
    if out.is_empty() {
        return Err(malformed("no PEM certificate found"));
    }
    Ok(out)
}

/// One certificate as PEM text.
pub fn certificate_to_pem(der: &[u8]) -> String {
    let b64 = encode_base64(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A certificate chain as sent in `x5c`: the leaf first, then intermediates, no trust anchor.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateChain {
    certs: Vec<Vec<u8>>,
}

impl core::fmt::Debug for CertificateChain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CertificateChain")
            .field("len", &self.certs.len())
            .field("leaf_hash", &self.leaf_hash())
            .finish_non_exhaustive()
    }
}

impl CertificateChain {
    /// A chain from DER certificates, leaf first.
    pub fn from_der(certs: Vec<Vec<u8>>) -> Result<Self, X509Error> {
        if certs.is_empty() || certs.len() > MAX_CHAIN_LEN {
            return Err(malformed(format!(
                "a chain has 1 to {MAX_CHAIN_LEN} certificates"
            )));
        }
        for der in &certs {
            check_der(der)?;
        }
        Ok(Self { certs })
    }

    /// A chain from PEM text, leaf first.
    pub fn from_pem(pem: &str) -> Result<Self, X509Error> {
        Self::from_der(certificates_from_pem(pem)?)
    }

    /// The JOSE `x5c` header value: an array of standard base64 DER certificates.
    pub fn from_x5c(value: &Value) -> Result<Self, X509Error> {
        let items = value
            .as_array()
            .ok_or_else(|| malformed("x5c must be an array of base64 strings"))?;
        if items.is_empty() || items.len() > MAX_CHAIN_LEN {
            return Err(malformed(format!(
                "x5c has 1 to {MAX_CHAIN_LEN} certificates"
            )));
        }
        let certs = items
            .iter()
            .map(|v| {
                let s = v
                    .as_str()
                    .ok_or_else(|| malformed("x5c must be an array of base64 strings"))?;
                if s.len() > MAX_CERT_LEN * 2 {
                    return Err(malformed("an x5c certificate is too large"));
                }
                decode_base64(s)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_der(certs)
    }

    /// This chain as an `x5c` header value.
    pub fn to_x5c(&self) -> Value {
        Value::Array(
            self.certs
                .iter()
                .map(|c| Value::String(encode_base64(c)))
                .collect(),
        )
    }

    /// The leaf certificate's DER.
    pub fn leaf(&self) -> &[u8] {
        self.certs.first().map_or(&[], Vec::as_slice)
    }

    /// The `x509_hash` of the leaf: base64url (no padding) of SHA-256 of its DER
    /// (OpenID4VP §5.9.3).
    pub fn leaf_hash(&self) -> String {
        crate::keys::encode_base64url(&Sha256::digest(self.leaf()))
    }

    /// The leaf's dNSName Subject Alternative Names (unverified: for display and set-up
    /// checks; [`VerifiedLeaf::check_dns_name`] is the check).
    pub fn leaf_dns_names(&self) -> Vec<String> {
        let der = CertificateDer::from(self.leaf());
        webpki::EndEntityCert::try_from(&der)
            .map(|c| c.valid_dns_names().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The leaf's public key, if it is P-256 (unverified: for matching a signing key).
    pub fn leaf_public_key(&self) -> Result<PublicKey, X509Error> {
        let der = CertificateDer::from(self.leaf());
        let cert = webpki::EndEntityCert::try_from(&der)
            .map_err(|e| malformed(format!("the leaf: {e:?}")))?;
        p256_key_of_spki(cert.subject_public_key_info().as_ref())
    }
}

/// The DER `AlgorithmIdentifier` of id-ecPublicKey with the P-256 curve, inside an SPKI,
/// followed by the BIT STRING header of a 65-byte uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

fn p256_key_of_spki(spki: &[u8]) -> Result<PublicKey, X509Error> {
    let point = spki
        .strip_prefix(&P256_SPKI_PREFIX[..])
        .ok_or(X509Error::UnsupportedKey)?;
    let key = p256::PublicKey::from_sec1_bytes(point).map_err(|_| X509Error::UnsupportedKey)?;
    let encoded = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, true);
    let compressed: [u8; 33] = encoded
        .as_bytes()
        .try_into()
        .map_err(|_| X509Error::UnsupportedKey)?;
    Ok(PublicKey::P256 { compressed })
}

/// The trust anchors a wallet (or verifier) accepts chains to, as certificates.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TrustAnchors {
    certs: Vec<Vec<u8>>,
}

impl core::fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrustAnchors")
            .field("len", &self.certs.len())
            .finish_non_exhaustive()
    }
}

impl TrustAnchors {
    /// No anchors: every chain is refused with [`X509Error::NoTrustAnchors`].
    pub fn none() -> Self {
        Self::default()
    }

    /// Anchors from PEM text (one or more certificates).
    pub fn from_pem(pem: &str) -> Result<Self, X509Error> {
        let mut anchors = Self::none();
        anchors.add_pem(pem)?;
        Ok(anchors)
    }

    /// Add the certificates of a PEM text.
    pub fn add_pem(&mut self, pem: &str) -> Result<(), X509Error> {
        for der in certificates_from_pem(pem)? {
            self.add_der(der)?;
        }
        Ok(())
    }

    /// Add one DER certificate.
    pub fn add_der(&mut self, der: Vec<u8>) -> Result<(), X509Error> {
        if self.certs.len() >= MAX_ANCHORS {
            return Err(malformed(format!("at most {MAX_ANCHORS} trust anchors")));
        }
        let cert = CertificateDer::from(der.as_slice());
        webpki::anchor_from_trusted_cert(&cert)
            .map_err(|e| malformed(format!("not a usable trust anchor ({e:?})")))?;
        if !self.certs.contains(&der) {
            self.certs.push(der);
        }
        Ok(())
    }

    /// How many anchors.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

/// A leaf certificate whose chain validated against trust anchors: only [`verify_chain`]
/// makes one.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedLeaf {
    der: Vec<u8>,
    key: PublicKey,
    hash: String,
    dns_names: Vec<String>,
    uri_names: Vec<String>,
}

impl core::fmt::Debug for VerifiedLeaf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VerifiedLeaf")
            .field("hash", &self.hash)
            .field("dns_names", &self.dns_names)
            .finish_non_exhaustive()
    }
}

impl VerifiedLeaf {
    /// The leaf's P-256 public key (what the JWS must verify under).
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// The leaf's `x509_hash` (base64url SHA-256 of its DER).
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The leaf's dNSName Subject Alternative Names.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// The leaf's uniformResourceIdentifier Subject Alternative Names.
    pub fn uri_names(&self) -> &[String] {
        &self.uri_names
    }

    /// Whether the leaf names the SD-JWT VC issuer `iss` (SD-JWT VC §3.5; HAIP 1.0, "Issuer identification and key resolution"): as a
    /// uniformResourceIdentifier SAN equal to it, or, for an `https://` URL, its host as a
    /// dNSName SAN.
    pub fn names_issuer(&self, iss: &str) -> bool {
        if self.uri_names.iter().any(|u| u == iss) {
            return true;
        }
        if !iss.starts_with("https://") {
            return false;
        }
        let host = crate::openid4vp::url_host(iss);
        !host.is_empty() && self.check_dns_name(host).is_ok()
    }

    /// Whether the leaf is valid for the DNS name `name` (RFC 6125 matching by the path
    /// validator: exact, case-insensitive, or a left-most wildcard label).
    pub fn check_dns_name(&self, name: &str) -> Result<(), X509Error> {
        let der = CertificateDer::from(self.der.as_slice());
        let cert = webpki::EndEntityCert::try_from(&der)
            .map_err(|e| malformed(format!("the leaf: {e:?}")))?;
        let server_name = rustls_pki_types::ServerName::try_from(name)
            .map_err(|_| X509Error::Name(name.to_owned()))?;
        if !matches!(server_name, rustls_pki_types::ServerName::DnsName(_)) {
            return Err(X509Error::Name(name.to_owned()));
        }
        cert.verify_is_valid_for_subject_name(&server_name)
            .map_err(|_| X509Error::Name(name.to_owned()))
    }
}

/// ECDSA P-256 with SHA-256 over DER signatures, for certificate signatures.
#[derive(Debug)]
struct EcdsaP256Sha256;

impl SignatureVerificationAlgorithm for EcdsaP256Sha256 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key =
            p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let sig = p256::ecdsa::DerSignature::from_bytes(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &sig).map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P256
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA256
    }

    fn fips(&self) -> bool {
        false
    }
}

/// Any extended key usage: HAIP leaves certificate profiles to each ecosystem (a reader
/// authentication certificate of ISO 18013-5 carries its own EKU).
struct AnyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyUsage {
    fn validate(&self, iter: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        for purpose in iter {
            purpose?;
        }
        Ok(())
    }
}

fn path_reason(e: &webpki::Error) -> String {
    match e {
        webpki::Error::CertExpired { .. } => "a certificate has expired".into(),
        webpki::Error::CertNotValidYet { .. } => "a certificate is not valid yet".into(),
        webpki::Error::UnknownIssuer => "it does not lead to a trusted anchor".into(),
        webpki::Error::InvalidSignatureForPublicKey => {
            "a certificate's signature is invalid".into()
        }
        webpki::Error::CaUsedAsEndEntity => "the leaf is a CA certificate".into(),
        webpki::Error::EndEntityUsedAsCa => "an intermediate is not a CA certificate".into(),
        webpki::Error::UnsupportedSignatureAlgorithmContext(_)
        | webpki::Error::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "a certificate is signed with an algorithm other than ECDSA P-256 SHA-256".into()
        }
        other => format!("{other:?}"),
    }
}

/// Validate `chain` (leaf first, no anchor) against `anchors` at time `now`: path validation
/// by RFC 5280 rules, the leaf not self-signed, no anchor inside the chain, the leaf's key
/// P-256.
pub fn verify_chain(
    chain: &CertificateChain,
    anchors: &TrustAnchors,
    now: Timestamp,
) -> Result<VerifiedLeaf, X509Error> {
    if anchors.is_empty() {
        return Err(X509Error::NoTrustAnchors);
    }
    if chain.certs.iter().any(|c| anchors.certs.contains(c)) {
        return Err(X509Error::AnchorIncluded);
    }
    let leaf_der = CertificateDer::from(chain.leaf());
    let leaf = webpki::EndEntityCert::try_from(&leaf_der)
        .map_err(|e| malformed(format!("the leaf: {e:?}")))?;
    if leaf.subject() == leaf.issuer() {
        return Err(X509Error::SelfSigned);
    }
    let key = p256_key_of_spki(leaf.subject_public_key_info().as_ref())?;
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .certs
        .iter()
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let trust: Vec<TrustAnchor<'_>> = anchor_ders
        .iter()
        .map(webpki::anchor_from_trusted_cert)
        .collect::<Result<_, _>>()
        .map_err(|e| malformed(format!("a trust anchor: {e:?}")))?;
    let intermediates: Vec<CertificateDer<'_>> = chain
        .certs
        .iter()
        .skip(1)
        .map(|c| CertificateDer::from(c.as_slice()))
        .collect();
    let secs = u64::try_from(now.unix_seconds()).map_err(|_| X509Error::Path("time".into()))?;
    leaf.verify_for_usage(
        &[&EcdsaP256Sha256],
        &trust,
        &intermediates,
        UnixTime::since_unix_epoch(core::time::Duration::from_secs(secs)),
        AnyUsage,
        None,
        None,
    )
    .map_err(|e| X509Error::Path(path_reason(&e)))?;
    Ok(VerifiedLeaf {
        der: chain.leaf().to_vec(),
        key,
        hash: chain.leaf_hash(),
        dns_names: leaf.valid_dns_names().map(str::to_owned).collect(),
        uri_names: leaf.valid_uri_names().map(str::to_owned).collect(),
    })
}
