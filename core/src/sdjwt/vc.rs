//! SD-JWT VC ([draft-ietf-oauth-sd-jwt-vc-13](https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/13/),
//! the version OpenID4VC HAIP 1.0 cites): an SD-JWT with `typ: dc+sd-jwt` (`vc+sd-jwt`, the
//! older name, is accepted), `vct` the credential type, `iss`, optional `iat`/`nbf`/`exp`,
//! `cnf.jwk` the holder's key (RFC 7800) and `status` (a Token Status List reference). The
//! claims `iss`, `nbf`, `exp`, `cnf`, `vct`, `vct#integrity` and `status` are never
//! selectively disclosable (§3.2.2.2): one that comes from a Disclosure is refused.
//!
//! §5, JWT VC Issuer Metadata: `/.well-known/jwt-vc-issuer` of the `iss`, `{"issuer", "jwks":
//! {"keys": [...]}}`, built by [`issuer_metadata_json`] and read by [`read_issuer_metadata`]
//! (the `issuer` identical to the `iss` it was fetched for; `jwks` inline, `jwks_uri` is not
//! followed).

use crate::EcdsaError;
use serde_json::{Map, Value};

use super::status::StatusRef;
use super::{SdJwt, SdJwtError, VerifiedSdJwt};
use crate::ecdsa::Signer;
use crate::jose::EcJwk;
use crate::keys::PublicKey;

/// The `typ` values accepted: `dc+sd-jwt`, and `vc+sd-jwt` (its name before draft -06).
pub const TYPS: [&str; 2] = ["dc+sd-jwt", "vc+sd-jwt"];

/// Claims that must be plainly in the issuer-signed payload.
pub const NEVER_DISCLOSABLE: [&str; 7] =
    ["iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"];

/// An SD-JWT VC whose issuer signature verified and whose claims follow the profile.
#[derive(Debug, Clone, PartialEq)]
pub struct SdJwtVc {
    verified: VerifiedSdJwt,
    vct: String,
    iss: String,
    holder: Option<PublicKey>,
    status: Option<StatusRef>,
}

impl SdJwtVc {
    /// Check the profile's claims of a verified SD-JWT.
    pub fn from_verified(verified: VerifiedSdJwt) -> Result<SdJwtVc, SdJwtError> {
        let claims = verified.claims();
        for name in NEVER_DISCLOSABLE {
            let at = format!("/{}", crate::json_pointer::escape(name));
            if verified.disclosed().contains(&at) {
                return Err(SdJwtError::Profile(format!(
                    "{name} is selectively disclosed; the profile requires it in plain view"
                )));
            }
        }
        let vct = claims
            .get("vct")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| SdJwtError::Profile("an SD-JWT VC has a vct (its type)".into()))?;
        let iss = claims
            .get("iss")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| SdJwtError::Profile("the SD-JWT VC names no issuer (iss)".into()))?;
        for t in ["iat", "nbf", "exp"] {
            if claims.get(t).is_some_and(|v| v.as_i64().is_none()) {
                return Err(SdJwtError::Profile(format!("{t} is a NumericDate")));
            }
        }
        let holder = match claims.get("cnf") {
            None => None,
            Some(cnf) => {
                let jwk = cnf
                    .get("jwk")
                    .ok_or_else(|| SdJwtError::Profile("cnf holds no jwk".into()))?;
                Some(EcJwk::from_json(jwk)?.public_key())
            }
        };
        let status = claims
            .get("status")
            .map(StatusRef::from_claim)
            .transpose()?;
        Ok(SdJwtVc {
            vct: vct.to_owned(),
            iss: iss.to_owned(),
            holder,
            status,
            verified,
        })
    }

    /// The credential type.
    pub fn vct(&self) -> &str {
        &self.vct
    }
    /// The issuer (`iss`).
    pub fn iss(&self) -> &str {
        &self.iss
    }
    /// The holder's key (`cnf.jwk`), if the credential is bound to one.
    pub fn holder_key(&self) -> Option<&PublicKey> {
        self.holder.as_ref()
    }
    /// Its status reference.
    pub fn status(&self) -> Option<&StatusRef> {
        self.status.as_ref()
    }
    /// A NumericDate claim (`iat`, `nbf`, `exp`).
    pub fn time(&self, name: &str) -> Option<i64> {
        self.verified.claims().get(name).and_then(Value::as_i64)
    }
    /// Every claim as disclosed.
    pub fn claims(&self) -> &Map<String, Value> {
        self.verified.claims()
    }
}

/// Verify an SD-JWT VC's issuer signature with `key` and its profile.
pub fn verify(sd: &SdJwt, key: &PublicKey) -> Result<SdJwtVc, SdJwtError> {
    SdJwtVc::from_verified(sd.verify(key, &TYPS)?)
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    /// `iss`.
    pub iss: &'a str,
    /// `vct`.
    pub vct: &'a str,
    /// The subject's claims (each selectively disclosable unless in `plain`).
    pub claims: &'a Map<String, Value>,
    /// JSON pointers of claims to keep plainly visible (besides the profile's own).
    pub plain: &'a [String],
    /// The holder's key for `cnf.jwk`.
    pub holder: Option<&'a EcJwk>,
    /// The status reference.
    pub status: Option<&'a StatusRef>,
    /// `iat`.
    pub iat: i64,
    /// `exp`, if any.
    pub exp: Option<i64>,
}

/// Issue an SD-JWT VC: `typ: dc+sd-jwt`, the profile's claims in plain view, every other
/// claim (at every depth) selectively disclosable unless listed in `plain`.
pub fn issue(what: &Issue<'_>, signer: &dyn Signer) -> Result<String, crate::Error> {
    issue_with_chain(what, None, signer)
}

/// [`issue`], with the issuer's certificate chain in the `x5c` header when given (HAIP
/// 1.0: the leaf, for `signer`'s key, naming `iss`; intermediates; never the root).
/// Refused if the leaf's key is not `signer`'s.
pub fn issue_with_chain(
    what: &Issue<'_>,
    chain: Option<&crate::x509::CertificateChain>,
    signer: &dyn Signer,
) -> Result<String, crate::Error> {
    if let Some(c) = chain
        && c.leaf_public_key()? != signer.public_key()
    {
        return Err(crate::Error::Ecdsa(EcdsaError::KeyMismatch));
    }
    let mut claims = what.claims.clone();
    for reserved in NEVER_DISCLOSABLE
        .iter()
        .chain(["iat", "_sd", "_sd_alg"].iter())
    {
        if claims.contains_key(*reserved) {
            return Err(SdJwtError::Profile(format!(
                "{reserved} is set by the issuer, not given among the claims"
            ))
            .into());
        }
    }
    let sd: Vec<String> = super::all_pointers(&claims, &[])
        .into_iter()
        .filter(|p| {
            !what.plain.iter().any(|k| {
                p == k
                    || p.strip_prefix(k.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
        })
        .collect();
    claims.insert("iss".into(), what.iss.into());
    claims.insert("vct".into(), what.vct.into());
    claims.insert("iat".into(), what.iat.into());
    if let Some(exp) = what.exp {
        claims.insert("exp".into(), exp.into());
    }
    if let Some(h) = what.holder {
        claims.insert("cnf".into(), serde_json::json!({"jwk": h.to_json()}));
    }
    if let Some(s) = what.status {
        claims.insert(
            "status".into(),
            serde_json::json!({"status_list": {"idx": s.idx, "uri": s.uri}}),
        );
    }
    let mut header = Map::new();
    header.insert("typ".into(), "dc+sd-jwt".into());
    if let Some(c) = chain {
        header.insert("x5c".into(), c.to_x5c());
    }
    super::issue(&header, &claims, &sd, signer)
}

/// The well-known name of JWT VC Issuer Metadata (§5.1).
pub const ISSUER_METADATA_WELL_KNOWN: &str = "jwt-vc-issuer";
/// Most keys read from JWT VC Issuer Metadata.
pub const MAX_ISSUER_KEYS: usize = 16;
/// Longest JWT VC Issuer Metadata document read, in bytes.
pub const MAX_ISSUER_METADATA_LEN: usize = 64 * 1024;

/// Where the JWT VC Issuer Metadata of the issuer `iss` (an https URL) is: `/.well-known/jwt-vc-issuer`
/// inserted between the host and the path (§5.1).
pub fn issuer_metadata_url(iss: &str) -> String {
    crate::openid4vci::well_known_url(iss, ISSUER_METADATA_WELL_KNOWN)
}

/// JWT VC Issuer Metadata (§5.2) for `issuer` with its signing `keys` inline (`jwks`).
pub fn issuer_metadata_json(issuer: &str, keys: &[EcJwk]) -> Value {
    serde_json::json!({
        "issuer": issuer,
        "jwks": {"keys": keys.iter().map(EcJwk::to_json).collect::<Vec<_>>()},
    })
}

/// Read JWT VC Issuer Metadata fetched for `expected_issuer` (§5.3): its `issuer` must be
/// that identifier exactly, its keys inline in `jwks` (a `jwks_uri` is not followed). The
/// P-256 keys for signing (`use` absent or `sig`); other key types are passed over, a JWK
/// holding a private key is refused, and at least one P-256 key must remain.
pub fn read_issuer_metadata(
    bytes: &[u8],
    expected_issuer: &str,
) -> Result<Vec<PublicKey>, SdJwtError> {
    let malformed = SdJwtError::Malformed;
    if bytes.len() > MAX_ISSUER_METADATA_LEN {
        return Err(malformed("the JWT VC Issuer Metadata is too long"));
    }
    let Ok(Value::Object(m)) = crate::json::parse(bytes, &crate::json::JsonLimits::default())
    else {
        return Err(malformed("the JWT VC Issuer Metadata is not a JSON object"));
    };
    if m.get("issuer").and_then(Value::as_str) != Some(expected_issuer) {
        return Err(SdJwtError::Profile(
            "the JWT VC Issuer Metadata's issuer is not the issuer it was fetched for".into(),
        ));
    }
    let Some(jwks) = m.get("jwks") else {
        return Err(SdJwtError::Profile(if m.contains_key("jwks_uri") {
            "the JWT VC Issuer Metadata gives jwks_uri; only inline jwks are read".into()
        } else {
            "the JWT VC Issuer Metadata has no jwks".into()
        }));
    };
    if m.contains_key("jwks_uri") {
        return Err(SdJwtError::Profile(
            "the JWT VC Issuer Metadata has both jwks and jwks_uri (§5.2 allows one)".into(),
        ));
    }
    let keys = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or(malformed("jwks.keys is an array"))?;
    if keys.len() > MAX_ISSUER_KEYS {
        return Err(malformed("jwks holds too many keys"));
    }
    let mut out = Vec::new();
    for k in keys {
        let is_p256 = k.get("kty").and_then(Value::as_str) == Some("EC")
            && k.get("crv").and_then(Value::as_str) == Some("P-256");
        let for_signing = k.get("use").is_none_or(|u| u.as_str() == Some("sig"));
        if !is_p256 || !for_signing {
            continue;
        }
        let key = EcJwk::from_json(k)?.public_key();
        if !out.contains(&key) {
            out.push(key);
        }
    }
    if out.is_empty() {
        return Err(SdJwtError::Profile(
            "the JWT VC Issuer Metadata has no P-256 signing key".into(),
        ));
    }
    Ok(out)
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::ecdsa::DeviceKey;
    use serde_json::json;

    #[test]
    fn issuer_metadata_round_trips_and_bad_metadata_is_refused() {
        let a = DeviceKey::generate().unwrap();
        let jwk = EcJwk::from_public_key(&a.public_key(), None).unwrap();
        let doc = issuer_metadata_json("https://uni.example", std::slice::from_ref(&jwk));
        assert_eq!(doc["jwks"]["keys"][0]["kty"], "EC");
        let text = doc.to_string();
        assert_eq!(
            read_issuer_metadata(text.as_bytes(), "https://uni.example").unwrap(),
            [a.public_key()]
        );
        assert_eq!(
            issuer_metadata_url("https://uni.example"),
            "https://uni.example/.well-known/jwt-vc-issuer"
        );
        let e = read_issuer_metadata(text.as_bytes(), "https://evil.example").unwrap_err();
        assert!(e.to_string().contains("fetched for"), "{e}");
        let mut private = jwk.to_json();
        private["d"] = crate::jose::b64(&[1u8; 32]).into();
        let rsa = json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"});
        for (bad, why) in [
            (
                json!({"issuer": "https://uni.example", "jwks_uri": "https://uni.example/jwks"}),
                "jwks_uri",
            ),
            (
                json!({"issuer": "https://uni.example", "jwks": {"keys": [private]}}),
                "private",
            ),
            (
                json!({"issuer": "https://uni.example", "jwks": {"keys": [rsa.clone()]}}),
                "no P-256",
            ),
            (json!({"issuer": "https://uni.example", "jwks": {}}), "keys"),
            (json!(["not", "an", "object"]), "JSON object"),
        ] {
            let e = read_issuer_metadata(bad.to_string().as_bytes(), "https://uni.example")
                .unwrap_err();
            assert!(e.to_string().contains(why), "{why}: {e}");
        }
        // An RSA key beside the P-256 one is passed over.
        let both = json!({"issuer": "https://uni.example", "jwks": {"keys": [rsa, jwk.to_json()]}});
        assert_eq!(
            read_issuer_metadata(both.to_string().as_bytes(), "https://uni.example")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn issued_vcs_verify_and_the_profile_is_enforced() {
        let issuer = DeviceKey::generate().unwrap();
        let holder = DeviceKey::generate().unwrap();
        let holder_jwk = EcJwk::from_public_key(&holder.public_key(), None).unwrap();
        let claims = json!({"given_name": "Ada", "birthdate": "1990-01-01"});
        let status = StatusRef {
            uri: "https://uni.example/status/1".into(),
            idx: 7,
        };
        let compact = issue(
            &Issue {
                iss: "https://uni.example",
                vct: "https://uni.example/diploma",
                claims: claims.as_object().unwrap(),
                plain: &[],
                holder: Some(&holder_jwk),
                status: Some(&status),
                iat: 1_800_000_000,
                exp: Some(1_900_000_000),
            },
            &issuer,
        )
        .unwrap();
        let sd = SdJwt::parse(&compact).unwrap();
        let vc = verify(&sd, &issuer.public_key()).unwrap();
        assert_eq!(vc.vct(), "https://uni.example/diploma");
        assert_eq!(vc.holder_key(), Some(&holder.public_key()));
        assert_eq!(vc.status(), Some(&status));
        assert_eq!(vc.claims()["given_name"], "Ada");
        // vct selectively disclosed: refused.
        let mut header = Map::new();
        header.insert("typ".into(), "dc+sd-jwt".into());
        let bad = super::super::issue(
            &header,
            json!({"iss": "x", "vct": "t"}).as_object().unwrap(),
            &["/vct".to_owned()],
            &issuer,
        )
        .unwrap();
        let e = verify(&SdJwt::parse(&bad).unwrap(), &issuer.public_key()).unwrap_err();
        assert!(
            e.to_string().contains("vct is selectively disclosed"),
            "{e}"
        );
        // A claim the issuer sets cannot be smuggled in.
        let smuggled = json!({"cnf": {}});
        assert!(
            issue(
                &Issue {
                    claims: smuggled.as_object().unwrap(),
                    iss: "x",
                    vct: "t",
                    plain: &[],
                    holder: None,
                    status: None,
                    iat: 0,
                    exp: None
                },
                &issuer
            )
            .is_err()
        );
    }
}
