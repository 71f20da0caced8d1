//! Making X.509 certificates for P-256 keys (RFC 5280 profiles of the RustCrypto
//! `x509-cert` builder): a self-signed root, an intermediate CA (path length 0), and a leaf
//! with dNSName Subject Alternative Names, each signed through this crate's
//! [`crate::ecdsa::Signer`], so the CA's key may live in secure hardware.
//!
//! For an ecosystem's or a test's own CA (`civitas cert`); agencies whose certificates come
//! from an existing PKI need none of this.

use core::str::FromStr;
use core::time::Duration;

use p256::ecdsa::signature::{Keypair, Signer as SignatureSigner};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::{Decode, Encode};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::{
    AlgorithmIdentifierOwned, DynSignatureAlgorithmIdentifier, EncodePublicKey, ObjectIdentifier,
    SubjectPublicKeyInfoOwned,
};
use x509_cert::time::Validity;

use super::{CertificateChain, X509Error, malformed};
use crate::ecdsa::Signer;
use crate::keys::PublicKey;

/// Longest validity accepted, in days (100 years).
pub const MAX_VALID_DAYS: u32 = 36_500;

/// What kind of certificate to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateKind {
    /// A self-signed root CA (a trust anchor; never sent in `x5c`).
    Root,
    /// An intermediate CA that may sign leaves only (path length 0).
    Intermediate,
    /// An end-entity certificate (digitalSignature), e.g. a desk's request-signing key.
    Leaf,
}

/// A certificate to make.
#[derive(Debug, Clone)]
pub struct CertificateRequest<'a> {
    /// The subject as an RFC 4514 string (`CN=...,O=...,C=..`).
    pub subject: &'a str,
    /// The subject's P-256 public key.
    pub public_key: &'a PublicKey,
    /// Root, intermediate or leaf.
    pub kind: CertificateKind,
    /// Days of validity from now (1 to [`MAX_VALID_DAYS`]).
    pub valid_days: u32,
    /// dNSName Subject Alternative Names (leaves only).
    pub dns_names: &'a [String],
}

/// What a certificate says, for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSummary {
    /// The subject (RFC 4514).
    pub subject: String,
    /// The issuer (RFC 4514).
    pub issuer: String,
    /// Start of validity (RFC 3339).
    pub not_before: String,
    /// End of validity (RFC 3339).
    pub not_after: String,
    /// Whether subject and issuer are the same name (a root).
    pub self_issued: bool,
}

/// Read a certificate's names and validity.
pub fn summary(der: &[u8]) -> Result<CertificateSummary, X509Error> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| malformed(format!("not an X.509 certificate ({e})")))?;
    let tbs = &cert.tbs_certificate;
    Ok(CertificateSummary {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        not_before: tbs.validity.not_before.to_string(),
        not_after: tbs.validity.not_after.to_string(),
        self_issued: tbs.subject == tbs.issuer,
    })
}

/// The builder's signer: the secret stays behind [`Signer`]; this only turns its `r || s`
/// into DER.
struct DerSigner<'a> {
    signer: &'a dyn Signer,
    verifying: p256::ecdsa::VerifyingKey,
}

fn verifying_key(public: &PublicKey) -> Result<p256::ecdsa::VerifyingKey, X509Error> {
    match public {
        PublicKey::P256 { compressed } => p256::ecdsa::VerifyingKey::from_sec1_bytes(compressed)
            .map_err(|_| X509Error::UnsupportedKey),
        PublicKey::Bls12381G2(_) | PublicKey::Ed25519(_) => Err(X509Error::UnsupportedKey),
    }
}

impl Keypair for DerSigner<'_> {
    type VerifyingKey = p256::ecdsa::VerifyingKey;
    fn verifying_key(&self) -> Self::VerifyingKey {
        self.verifying
    }
}

impl DynSignatureAlgorithmIdentifier for DerSigner<'_> {
    fn signature_algorithm_identifier(&self) -> x509_cert::spki::Result<AlgorithmIdentifierOwned> {
        Ok(AlgorithmIdentifierOwned {
            // ecdsa-with-SHA256 (RFC 5758 §3.2), no parameters.
            oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
            parameters: None,
        })
    }
}

impl SignatureSigner<p256::ecdsa::DerSignature> for DerSigner<'_> {
    fn try_sign(&self, msg: &[u8]) -> Result<p256::ecdsa::DerSignature, p256::ecdsa::Error> {
        let raw = self
            .signer
            .sign(msg)
            .map_err(|_| p256::ecdsa::Error::new())?;
        Ok(p256::ecdsa::Signature::from_slice(&raw)?.to_der())
    }
}

fn serial() -> Result<SerialNumber, X509Error> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|_| malformed("no randomness for a serial number"))?;
    // Positive, 16 bytes, no leading zero byte (a DER INTEGER, RFC 5280 §4.1.2.2).
    let [first, ..] = &mut bytes;
    *first = (*first & 0x7f) | 0x40;
    SerialNumber::new(&bytes).map_err(|e| malformed(format!("serial number: {e}")))
}

/// Make a certificate for `request`, signed by `signer`: for a root, `signer` must hold the
/// request's own key and `issuer` is `None`; otherwise `issuer` is the issuing CA's
/// certificate (DER), whose key `signer` must hold.
pub fn make_certificate(
    request: &CertificateRequest<'_>,
    issuer: Option<&[u8]>,
    signer: &dyn Signer,
) -> Result<Vec<u8>, X509Error> {
    if !(1..=MAX_VALID_DAYS).contains(&request.valid_days) {
        return Err(malformed(format!(
            "validity must be 1 to {MAX_VALID_DAYS} days"
        )));
    }
    if request.kind != CertificateKind::Leaf && !request.dns_names.is_empty() {
        return Err(malformed("DNS names are for leaf certificates"));
    }
    let signer_key = signer.public_key();
    let issuer_name = match (request.kind, issuer) {
        (CertificateKind::Root, None) => {
            if &signer_key != request.public_key {
                return Err(malformed("a root is signed by its own key"));
            }
            None
        }
        (CertificateKind::Root, Some(_)) => return Err(malformed("a root has no issuer")),
        (_, None) => return Err(malformed("an intermediate or leaf needs its issuer")),
        (_, Some(der)) => {
            let chain = CertificateChain::from_der(vec![der.to_vec()])?;
            if chain.leaf_public_key()? != signer_key {
                return Err(malformed("the signer does not hold the issuer's key"));
            }
            let cert = x509_cert::Certificate::from_der(der)
                .map_err(|e| malformed(format!("the issuer: {e}")))?;
            Some(cert.tbs_certificate.subject)
        }
    };
    let profile = match (request.kind, issuer_name) {
        (CertificateKind::Root, _) => Profile::Root,
        (CertificateKind::Intermediate, Some(issuer)) => Profile::SubCA {
            issuer,
            path_len_constraint: Some(0),
        },
        (CertificateKind::Leaf, Some(issuer)) => Profile::Leaf {
            issuer,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        (_, None) => return Err(malformed("an intermediate or leaf needs its issuer")),
    };
    let subject = Name::from_str(request.subject)
        .map_err(|e| malformed(format!("the subject {:?}: {e}", request.subject)))?;
    let spki_der = verifying_key(request.public_key)?
        .to_public_key_der()
        .map_err(|e| malformed(format!("the public key: {e}")))?;
    let spki = SubjectPublicKeyInfoOwned::from_der(spki_der.as_bytes())
        .map_err(|e| malformed(format!("the public key: {e}")))?;
    let validity = Validity::from_now(Duration::from_secs(u64::from(request.valid_days) * 86_400))
        .map_err(|e| malformed(format!("validity: {e}")))?;
    let der_signer = DerSigner {
        signer,
        verifying: verifying_key(&signer_key)?,
    };
    let mut builder =
        CertificateBuilder::new(profile, serial()?, validity, subject, spki, &der_signer)
            .map_err(|e| malformed(format!("cannot build the certificate: {e}")))?;
    if !request.dns_names.is_empty() {
        let names = request
            .dns_names
            .iter()
            .map(|d| {
                x509_cert::der::asn1::Ia5String::new(d)
                    .map(GeneralName::DnsName)
                    .map_err(|_| malformed(format!("the DNS name {d:?} is not ASCII")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        builder
            .add_extension(&SubjectAltName(names))
            .map_err(|e| malformed(format!("subjectAltName: {e}")))?;
    }
    builder
        .build::<p256::ecdsa::DerSignature>()
        .map_err(|e| malformed(format!("cannot sign the certificate: {e}")))?
        .to_der()
        .map_err(|e| malformed(format!("cannot encode the certificate: {e}")))
}
