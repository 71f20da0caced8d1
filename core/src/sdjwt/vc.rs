//! SD-JWT VC ([draft-ietf-oauth-sd-jwt-vc-13](https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/13/),
//! the version OpenID4VC HAIP 1.0 cites): an SD-JWT with `typ: dc+sd-jwt` (`vc+sd-jwt`, the
//! older name, is accepted), `vct` the credential type, `iss`, optional `iat`/`nbf`/`exp`,
//! `cnf.jwk` the holder's key (RFC 7800) and `status` (a Token Status List reference). The
//! claims `iss`, `nbf`, `exp`, `cnf`, `vct`, `vct#integrity` and `status` are never
//! selectively disclosable (§3.2.2.2): one that comes from a Disclosure is refused.

use serde_json::{Map, Value};

use super::status::StatusRef;
use super::{SdJwt, SdJwtError, VerifiedSdJwt};
use crate::ecdsa::Signer;
use crate::jose::jwk::EcJwk;
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
    super::issue(&header, &claims, &sd, signer)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ecdsa::DeviceKey;
    use serde_json::json;

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
