//! SD-JWT VCs in the wallet: imported after the issuer's signature and the holder key are
//! checked, kept beside the bbs-2023 credentials (records `sd-jwt-vc:<id>`), shown as a claim
//! tree, and presented with only the Disclosures asked for and a Key Binding JWT signed by
//! the holder's key through any [`Signer`] (a phone's secure hardware included).

use crate::WalletError;
use std::collections::BTreeSet;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::store::hex_lower;
use super::{Claim, MAX_CREDENTIAL_BYTES, Wallet, claims};
use crate::Error;
use crate::ecdsa::Signer;
use crate::keys::PublicKey;
use crate::sdjwt::{SdJwt, present, vc};

/// Where an SD-JWT VC is kept: this prefix and its id.
const PREFIX: &str = "sd-jwt-vc:";

/// The SD-JWT VC id of a DCQL selection's credential id (`sd-jwt-vc:<id>`), if it is one.
pub(super) fn selection_id(credential_id: &str) -> Option<&str> {
    credential_id.strip_prefix(PREFIX)
}

/// Display data of a stored SD-JWT VC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdJwtVcSummary {
    /// The wallet's id: lower-case hex SHA-256 of the SD-JWT as issued.
    pub id: String,
    /// Its type (`vct`).
    pub vct: String,
    /// Its issuer (`iss`).
    pub issuer: String,
    /// `iat`, `exp` (Unix seconds), when present.
    pub issued_at: Option<i64>,
    /// Expiry.
    pub expires_at: Option<i64>,
    /// The claims (the registered ones aside), with `mandatory` set on those always shown
    /// (not selectively disclosable).
    pub claims: Vec<Claim>,
    /// Whether it is bound to the holder key the wallet presents with (`cnf`).
    pub key_bound: bool,
}

/// Parse an SD-JWT VC as issued: within the size limit, without a Key Binding JWT.
fn parse_issued(compact: &str) -> Result<SdJwt, Error> {
    if compact.len() > MAX_CREDENTIAL_BYTES {
        return Err(Error::TooLarge {
            what: "credential",
            actual: compact.len(),
            limit: MAX_CREDENTIAL_BYTES,
        });
    }
    let sd = SdJwt::parse(compact)?;
    if sd.kb_jwt().is_some() {
        return Err(Error::Wallet(WalletError::InvalidCredential(
            "a presentation (with a Key Binding JWT), not an issued SD-JWT VC",
        )));
    }
    Ok(sd)
}

fn id_of(compact: &str) -> String {
    hex_lower(&Sha256::digest(compact.as_bytes()))
}

fn summarize(id: &str, compact: &str) -> Result<SdJwtVcSummary, Error> {
    let sd = SdJwt::parse(compact)?;
    let payload = sd.unverified_payload()?;
    let (claims_map, disclosed) = crate::sdjwt::process_for_wallet(&payload, sd.disclosures())?;
    let text = |k: &str| claims_map.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut shown = claims_map.clone();
    for k in ["iss", "vct", "cnf", "status"] {
        shown.remove(k);
    }
    let doc = Value::Object(shown);
    // Always shown: every top-level claim that no Disclosure gave.
    let plain: BTreeSet<String> = doc
        .as_object()
        .map(|m| {
            m.keys()
                .map(|k| format!("/{}", crate::json_pointer::escape(k)))
                .filter(|p| !disclosed.contains(p))
                .collect()
        })
        .unwrap_or_default();
    let tree = claims::claim_tree(&doc, &plain);
    Ok(SdJwtVcSummary {
        id: id.to_owned(),
        vct: text("vct").unwrap_or_default(),
        issuer: text("iss").unwrap_or_default(),
        issued_at: claims_map.get("iat").and_then(Value::as_i64),
        expires_at: claims_map.get("exp").and_then(Value::as_i64),
        claims: tree,
        key_bound: claims_map.get("cnf").is_some(),
    })
}

impl Wallet {
    /// Import an SD-JWT VC (compact, all Disclosures): its issuer signature must verify with
    /// `issuer_key` or, without one, with the `did:key` its `iss` names; it must follow the
    /// SD-JWT VC profile; and a `cnf` key must be `holder` (the key this wallet presents
    /// with), else it was issued to another wallet.
    pub fn import_sd_jwt_vc(
        &self,
        compact: &str,
        issuer_key: Option<&PublicKey>,
        holder: &PublicKey,
    ) -> Result<SdJwtVcSummary, Error> {
        let compact = compact.trim();
        let sd = parse_issued(compact)?;
        let key = match issuer_key {
            Some(k) => k.clone(),
            None => {
                let iss = sd
                    .unverified_payload()?
                    .get("iss")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_default();
                crate::did::parse_did_key(&iss).map_err(|_| {
                    Error::Wallet(WalletError::Refused(
                        "the issuer is not a did:key: give its key to check its signature",
                    ))
                })?
            }
        };
        let checked = vc::verify(&sd, &key)?;
        match checked.holder_key() {
            Some(k) if k != holder => {
                return Err(Error::Wallet(WalletError::Refused(
                    "the SD-JWT VC is bound to another key: it was issued to another wallet",
                )));
            }
            _ => {}
        }
        self.store_sd_jwt_vc(compact)
    }

    fn store_sd_jwt_vc(&self, compact: &str) -> Result<SdJwtVcSummary, Error> {
        let id = id_of(compact);
        self.store
            .put(&format!("{PREFIX}{id}"), compact.as_bytes())?;
        summarize(&id, compact)
    }

    /// Check and import what an OpenID4VCI credential endpoint answered for the `dc+sd-jwt`
    /// `configuration` (OpenID4VCI Appendix A.3): every credential a string holding an
    /// SD-JWT VC as issued (no Key Binding JWT), its issuer signature verifying with one of
    /// `issuer_keys` (the issuer's JWT VC Issuer Metadata, or a key the holder was given),
    /// its `iss` equal to `expected_iss` when one is given, its `vct` the configuration's,
    /// and bound (`cnf.jwk`) to `holder`, the key whose proof asked for it. Nothing is stored
    /// unless every credential passes. An error response is returned as
    /// [`Error::OpenId4Vci`].
    pub fn openid4vci_import_sd_jwt(
        &self,
        configuration: &crate::openid4vci::CredentialConfiguration,
        response: &[u8],
        issuer_keys: &[PublicKey],
        expected_iss: Option<&str>,
        holder: &PublicKey,
    ) -> Result<Vec<SdJwtVcSummary>, Error> {
        let vct = configuration.sd_jwt_vct()?;
        let crate::openid4vci::IssuedCredentials::SdJwtVc(credentials) =
            crate::openid4vci::read_issued_credentials(response, crate::openid4vci::DC_SD_JWT)?
        else {
            return Err(Error::Wallet(WalletError::InvalidCredential(
                "the issuer sent another format than dc+sd-jwt",
            )));
        };
        if issuer_keys.is_empty() {
            return Err(Error::Wallet(WalletError::Refused(
                "no key of the issuer to check the SD-JWT VC's signature with",
            )));
        }
        let mut checked = Vec::with_capacity(credentials.len());
        for compact in &credentials {
            let compact = compact.trim();
            let sd = parse_issued(compact)?;
            let mut verified = None;
            for key in issuer_keys {
                match vc::verify(&sd, key) {
                    Ok(v) => {
                        verified = Some(v);
                        break;
                    }
                    Err(crate::sdjwt::SdJwtError::Jose(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            let v = verified.ok_or(Error::Wallet(WalletError::Refused(
                "the SD-JWT VC is not signed by the issuer's key",
            )))?;
            if expected_iss.is_some_and(|i| i != v.iss()) {
                return Err(Error::Wallet(WalletError::Refused(
                    "the SD-JWT VC names another issuer (iss) than the one that issued it",
                )));
            }
            if v.vct() != vct {
                return Err(Error::Wallet(WalletError::InvalidCredential(
                    "the issuer sent an SD-JWT VC of another type (vct) than the one offered",
                )));
            }
            match v.holder_key() {
                Some(k) if k == holder => {}
                Some(_) => {
                    return Err(Error::Wallet(WalletError::Refused(
                        "the SD-JWT VC is bound to another key than the one this wallet proved",
                    )));
                }
                None => {
                    return Err(Error::Wallet(WalletError::Refused(
                        "the SD-JWT VC is not bound to a key (no cnf): it could be presented by anyone who holds it",
                    )));
                }
            }
            if checked.contains(&compact) {
                return Err(Error::Wallet(WalletError::InvalidCredential(
                    "the issuer sent the same SD-JWT VC twice",
                )));
            }
            checked.push(compact);
        }
        checked
            .into_iter()
            .map(|c| self.store_sd_jwt_vc(c))
            .collect()
    }

    /// Every stored SD-JWT VC.
    pub fn sd_jwt_vcs(&self) -> Result<Vec<SdJwtVcSummary>, Error> {
        let mut out = Vec::new();
        for id in self.sd_jwt_ids()? {
            if let Some(compact) = self.sd_jwt_compact(&id)? {
                out.push(summarize(&id, &compact)?);
            }
        }
        Ok(out)
    }

    /// Every SD-JWT VC as a DCQL candidate: its selection id, its claims in full (with `vct`),
    /// and whether it is key-bound.
    pub(super) fn sd_jwt_candidates(&self) -> Result<Vec<(String, Value, bool)>, Error> {
        let mut out = Vec::new();
        for id in self.sd_jwt_ids()? {
            let Some(compact) = self.sd_jwt_compact(&id)? else {
                continue;
            };
            let sd = SdJwt::parse(&compact)?;
            let (claims, _) =
                crate::sdjwt::process_for_wallet(&sd.unverified_payload()?, sd.disclosures())?;
            let bound = claims.contains_key("cnf");
            out.push((format!("{PREFIX}{id}"), Value::Object(claims), bound));
        }
        Ok(out)
    }

    fn sd_jwt_ids(&self) -> Result<Vec<String>, Error> {
        let mut ids: Vec<String> = self
            .store
            .list()?
            .into_iter()
            .filter_map(|r| r.strip_prefix(PREFIX).map(str::to_owned))
            .collect();
        ids.sort();
        Ok(ids)
    }

    fn sd_jwt_compact(&self, id: &str) -> Result<Option<String>, Error> {
        Ok(self
            .store
            .get(&format!("{PREFIX}{id}"))?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// What presenting SD-JWT VC `id` with `pointers` shows (the claims not selectively
    /// disclosable, and those the pointers reach) and keeps hidden, for the consent screen.
    pub(super) fn sd_jwt_preview(
        &self,
        id: &str,
        pointers: &[String],
    ) -> Result<super::ConsentSummary, Error> {
        let compact = self
            .sd_jwt_compact(id)?
            .ok_or(Error::Wallet(WalletError::NotFound))?;
        let s = summarize(id, &compact)?;
        let covers = |outer: &str, inner: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        let mut summary = super::ConsentSummary {
            credential_id: format!("{PREFIX}{id}"),
            disclosed: Vec::new(),
            hidden: Vec::new(),
            pseudonym: super::PseudonymUse::None,
        };
        let mut stack: Vec<&Claim> = s.claims.iter().rev().collect();
        while let Some(c) = stack.pop() {
            if !c.children.is_empty() {
                stack.extend(c.children.iter().rev());
                continue;
            }
            let shown = c.mandatory
                || pointers
                    .iter()
                    .any(|p| covers(p, &c.pointer) || covers(&c.pointer, p));
            if shown {
                summary.disclosed.push(super::DisclosedClaim {
                    pointer: c.pointer.clone(),
                    label: c.label.clone(),
                    value: c.value.clone().unwrap_or_default(),
                    mandatory: c.mandatory,
                });
            } else {
                summary.hidden.push(c.pointer.clone());
            }
        }
        Ok(summary)
    }

    /// Remove SD-JWT VC `id` (absent is not an error).
    pub fn delete_sd_jwt_vc(&self, id: &str) -> Result<(), Error> {
        self.store.delete(&format!("{PREFIX}{id}"))
    }

    /// Present SD-JWT VC `id` to the verifier `audience` (its Client Identifier) for `nonce`:
    /// the Disclosures `pointers` need (each with its ancestors and all below it) and a Key
    /// Binding JWT signed by `signer` at `iat` (Unix seconds).
    pub fn present_sd_jwt_vc(
        &self,
        id: &str,
        pointers: &[String],
        audience: &str,
        nonce: &str,
        iat: i64,
        signer: &dyn Signer,
    ) -> Result<String, Error> {
        let compact = self
            .sd_jwt_compact(id)?
            .ok_or(Error::Wallet(WalletError::NotFound))?;
        let sd = SdJwt::parse(&compact)?;
        for p in pointers {
            crate::json_pointer::parse(p)?;
        }
        present(&sd, pointers, Some((signer, audience, nonce, iat)))
    }
}
