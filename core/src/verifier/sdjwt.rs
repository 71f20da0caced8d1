//! The verifier's checks on an SD-JWT VC presentation (the compact `~`-separated form), with
//! the same policy, check names and result as bbs-2023 presentations:
//! - `format`: an SD-JWT VC (`typ: dc+sd-jwt` or `vc+sd-jwt`, a `vct`, an `iss`, the
//!   profile's claims in plain view, every Disclosure matched once);
//! - `proof`: the issuer's ES256 signature, by a key the trust file names (a `jwk` entry, or a
//!   `did:key` entry whose DID is the `iss`);
//! - `issuer`: that entry is trusted for the `vct`;
//! - `validity`: `nbf`, `exp` (and `iat` not in the future), with the policy's clock skew;
//! - `status`: the Token Status List the credential names, signed by the issuer's key;
//! - `holder-binding`: a `cnf.jwk` and a Key Binding JWT signed by it over this very
//!   presentation (`sd_hash`); `challenge` is the KB-JWT's `nonce`, `domain` its `aud`;
//! - `required-claims`: JSON pointers into the disclosed claims.

use serde_json::Value;

use super::{
    Check, Danger, Failure, HolderBinding, Policy, Rejection, StatusLists, VerifiedCredential,
    VerifiedPresentation, Verifier, unix,
};
use crate::keys::PublicKey;
use crate::sdjwt::status::verify_token;
use crate::sdjwt::vc::{self, SdJwtVc};
use crate::sdjwt::{KeyBindingCheck, SdJwt, verify_key_binding};

/// How old a Key Binding JWT's `iat` may be, in seconds.
pub const KB_MAX_AGE: i64 = 300;

/// Whether `compact` looks like an SD-JWT (a JWT followed by `~`), not JSON.
pub fn looks_like_sd_jwt(text: &str) -> bool {
    let t = text.trim();
    !t.starts_with('{')
        && t.contains('~')
        && t.split('~')
            .next()
            .is_some_and(|j| j.split('.').count() == 3)
}

impl Verifier {
    /// Verify an SD-JWT VC presentation (see the module documentation) against `policy`,
    /// with the Token Status Lists in `lists`.
    pub fn verify_sd_jwt(
        &self,
        compact: &str,
        policy: &Policy,
        lists: &StatusLists,
    ) -> Result<VerifiedPresentation, Rejection> {
        let mut failures: Vec<Failure> = Vec::new();
        let mut fail = |check: Check, credential: Option<usize>, reason: String| {
            failures.push(Failure {
                check,
                credential,
                reason,
            });
        };
        let reject = |failures: Vec<Failure>| Rejection {
            failures,
            dangers: policy.dangers.clone(),
        };
        let sd = match SdJwt::parse(compact) {
            Ok(sd) => sd,
            Err(e) => {
                fail(Check::Format, None, format!("not an SD-JWT: {e}"));
                return Err(reject(failures));
            }
        };
        // The issuer's key: from the trust file, never from the credential alone.
        let claimed = sd.unverified_payload().ok();
        let iss = claimed
            .as_ref()
            .and_then(|c| c.get("iss"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let mut candidates: Vec<(Option<&super::TrustedIssuer>, PublicKey)> = Vec::new();
        // An x5c chain (HAIP): its leaf key counts only for an entry whose CA the chain
        // leads to, and only if the leaf names the issuer.
        let x5c = sd
            .unverified_header()
            .ok()
            .and_then(|h| h.get("x5c").cloned());
        let chain = match x5c.as_ref().map(crate::x509::CertificateChain::from_x5c) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                fail(Check::Format, Some(0), format!("the SD-JWT VC's x5c: {e}"));
                return Err(reject(failures));
            }
        };
        let mut chain_error = None;
        for t in policy.trust.issuers() {
            if let (Some(anchors), Some(chain)) = (policy.trust.x509_anchors_of(t), &chain) {
                let now = crate::Timestamp::from_system_time(policy.now());
                match crate::x509::verify_chain(chain, anchors, now) {
                    Ok(leaf) if leaf.names_issuer(&iss) => {
                        candidates.push((Some(t), leaf.public_key().clone()));
                    }
                    Ok(_) => {
                        chain_error.get_or_insert_with(|| {
                            format!(
                                "the x5c leaf certificate does not name the issuer {} (as a URI or, for https, a DNS name)",
                                iss.chars().take(200).collect::<String>()
                            )
                        });
                    }
                    Err(e) => {
                        chain_error.get_or_insert_with(|| format!("the SD-JWT VC's x5c: {e}"));
                    }
                }
            } else if let Some(jwk) = &t.jwk
                && let Ok(k) = crate::jose::EcJwk::from_json(jwk)
            {
                candidates.push((Some(t), k.public_key()));
            } else if !t.did.is_empty()
                && t.did == iss
                && let Ok(k) = crate::did::parse_did_key(&t.did)
            {
                candidates.push((Some(t), k));
            }
        }
        if policy.has(Danger::AllowAnyIssuer)
            && let Ok(k) = crate::did::parse_did_key(&iss)
        {
            candidates.push((None, k));
        }
        let mut verified: Option<(Option<&super::TrustedIssuer>, PublicKey, SdJwtVc)> = None;
        let mut profile_error = None;
        for (t, key) in candidates {
            match vc::verify(&sd, &key) {
                Ok(v) => {
                    verified = Some((t, key, v));
                    break;
                }
                Err(crate::sdjwt::SdJwtError::Jose(_)) => {}
                Err(e) => {
                    profile_error = Some(e);
                    break;
                }
            }
        }
        let Some((trusted, issuer_key, credential)) = verified else {
            match (profile_error, chain_error) {
                (Some(e), _) => fail(Check::Format, Some(0), e.to_string()),
                (None, Some(e)) => fail(Check::Proof, Some(0), e),
                (None, None) => fail(
                    Check::Proof,
                    Some(0),
                    if iss.is_empty() {
                        "the SD-JWT VC is not signed by any issuer key of the trust list".into()
                    } else {
                        format!(
                            "the SD-JWT VC is not signed by a key the trust list gives for an issuer (iss {})",
                            iss.chars().take(200).collect::<String>()
                        )
                    },
                ),
            }
            return Err(reject(failures));
        };
        // Issuer: trusted for this vct.
        let issuer_name = trusted.map(|t| t.name.clone());
        match trusted {
            Some(t) if t.credential_types.iter().any(|c| c == credential.vct()) => {}
            Some(t) => fail(
                Check::Issuer,
                Some(0),
                format!("{} is not trusted to issue {}", t.name, credential.vct()),
            ),
            None if policy.has(Danger::AllowAnyIssuer) => {}
            None => fail(
                Check::Issuer,
                Some(0),
                "the issuer is not in the trust list".into(),
            ),
        }
        // Validity.
        let now = unix(policy.now());
        let skew = i64::try_from(policy.clock_skew.as_secs()).unwrap_or(i64::MAX);
        if let Some(nbf) = credential.time("nbf")
            && nbf > now.saturating_add(skew)
        {
            fail(
                Check::Validity,
                Some(0),
                format!("not valid before {}", rfc3339(nbf)),
            );
        }
        if let Some(exp) = credential.time("exp")
            && exp < now.saturating_sub(skew)
        {
            fail(
                Check::Validity,
                Some(0),
                format!("expired at {}", rfc3339(exp)),
            );
        }
        if let Some(iat) = credential.time("iat")
            && iat > now.saturating_add(skew)
        {
            fail(
                Check::Validity,
                Some(0),
                "issued in the future (iat)".into(),
            );
        }
        // Status.
        let mut status = Vec::new();
        if let Some(r) = credential.status() {
            if policy.has(Danger::SkipStatus) {
                status.push("not checked (--dangerous-skip-status)".to_owned());
            } else {
                match lists.tokens.get(&r.uri) {
                    None => fail(
                        Check::Status,
                        Some(0),
                        format!("status list {} is not available", r.uri),
                    ),
                    Some(jwt) => match token_key(jwt, trusted, &issuer_key, policy)
                        .and_then(|key| verify_token(jwt, &key, &r.uri, now, skew))
                    {
                        Err(e) => fail(
                            Check::Status,
                            Some(0),
                            format!("status list {}: {e}", r.uri),
                        ),
                        Ok(token) => match token.status(r.idx) {
                            None => fail(
                                Check::Status,
                                Some(0),
                                format!("index {} is outside status list {}", r.idx, r.uri),
                            ),
                            Some(0) => status.push("token status list: valid".to_owned()),
                            Some(1) => fail(Check::Status, Some(0), "revoked by its issuer".into()),
                            Some(2) => {
                                fail(Check::Status, Some(0), "suspended by its issuer".into())
                            }
                            Some(v) => fail(
                                Check::Status,
                                Some(0),
                                format!("status {v:#04x}, which this verifier does not accept"),
                            ),
                        },
                    },
                }
            }
        }
        // Holder binding, challenge and domain: the KB-JWT.
        let mut challenge = None;
        let mut domain = None;
        let holder_binding = match credential.holder_key() {
            Some(holder) => {
                let kb_claims = sd.kb_jwt().and_then(kb_payload);
                challenge = kb_claims
                    .as_ref()
                    .and_then(|c| c.get("nonce"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                domain = kb_claims
                    .as_ref()
                    .and_then(|c| c.get("aud"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                match (&policy.challenge, policy.has(Danger::NoChallenge)) {
                    (None, false) => fail(
                        Check::Challenge,
                        None,
                        "this desk gave no challenge: replay protection is on by default (give the challenge, or name the danger --dangerous-no-challenge)".into(),
                    ),
                    (Some(c), _) if challenge.as_deref() != Some(c.as_str()) => fail(
                        Check::Challenge,
                        None,
                        "the Key Binding JWT's nonce is not this desk's challenge (replayed, or made for another request)".into(),
                    ),
                    _ => {}
                }
                if let Some(d) = &policy.domain
                    && domain.as_deref() != Some(d.as_str())
                {
                    fail(
                        Check::Domain,
                        None,
                        "the Key Binding JWT's aud is not this desk's domain".into(),
                    );
                }
                // Against this desk's challenge and domain; the KB-JWT's own values only where
                // the desk named none (the danger is reported, or no domain was set).
                let check = KeyBindingCheck {
                    audience: policy.domain.as_deref().or(domain.as_deref()).unwrap_or(""),
                    nonce: policy
                        .challenge
                        .as_deref()
                        .or(challenge.as_deref())
                        .unwrap_or(""),
                    now,
                    max_age: KB_MAX_AGE,
                    skew,
                };
                match verify_key_binding(&sd, holder, &check) {
                    Ok(()) => HolderBinding::Key,
                    Err(e) => {
                        fail(Check::HolderBinding, Some(0), e.to_string());
                        HolderBinding::None
                    }
                }
            }
            None => {
                if sd.kb_jwt().is_some() {
                    fail(
                        Check::HolderBinding,
                        Some(0),
                        "a Key Binding JWT is given but the credential names no holder key (cnf)"
                            .into(),
                    );
                } else if !policy.has(Danger::AllowBearer) {
                    fail(
                        Check::HolderBinding,
                        Some(0),
                        "nothing binds this credential to the person presenting it (no cnf key, no Key Binding JWT); a bearer credential needs --dangerous-allow-bearer".into(),
                    );
                }
                HolderBinding::None
            }
        };
        // Required claims.
        let document = Value::Object(credential.claims().clone());
        for pointer in &policy.required_claims {
            if crate::json_pointer::resolve(&document, pointer).is_none() {
                fail(
                    Check::RequiredClaims,
                    Some(0),
                    format!("{pointer} is not disclosed"),
                );
            }
        }
        if policy.transparency.is_some() {
            // The logs record issuer keys by verification method; an SD-JWT VC key is not one.
            fail(
                Check::Transparency,
                Some(0),
                "transparency logs record did:key issuer keys; this SD-JWT VC's key is not one"
                    .into(),
            );
        }
        if !failures.is_empty() {
            return Err(reject(failures));
        }
        // Shown elsewhere in the result (issuer, types, status, holder binding): the claims
        // the officer reads are the rest.
        let mut document = document;
        if let Some(m) = document.as_object_mut() {
            for k in ["iss", "vct", "cnf", "status"] {
                m.remove(k);
            }
        }
        Ok(VerifiedPresentation {
            credentials: vec![VerifiedCredential {
                document,
                issuer: credential.iss().to_owned(),
                issuer_name,
                types: vec![credential.vct().to_owned()],
                status,
                holder_binding,
                pseudonym: None,
            }],
            holder: None,
            challenge,
            domain,
            dangers: policy.dangers.clone(),
        })
    }
}

/// The key a status list token must be signed by: the issuer's, or, for an issuer trusted by
/// its X.509 CA (`x509_ca`) whose token carries its own `x5c` chain, that chain's leaf key
/// once the chain validates to the same CA (HAIP: status list tokens carry `x5c`).
fn token_key(
    jwt: &str,
    trusted: Option<&super::TrustedIssuer>,
    issuer_key: &PublicKey,
    policy: &Policy,
) -> Result<PublicKey, crate::sdjwt::SdJwtError> {
    let profile =
        |e: crate::x509::X509Error| crate::sdjwt::SdJwtError::Profile(format!("x5c: {e}"));
    let Some(anchors) = trusted.and_then(|t| policy.trust.x509_anchors_of(t)) else {
        return Ok(issuer_key.clone());
    };
    let Some(chain) = crate::sdjwt::status::token_chain(jwt).map_err(profile)? else {
        return Ok(issuer_key.clone());
    };
    let now = crate::Timestamp::from_system_time(policy.now());
    let leaf = crate::x509::verify_chain(&chain, anchors, now).map_err(profile)?;
    Ok(leaf.public_key().clone())
}

fn kb_payload(jwt: &str) -> Option<serde_json::Map<String, Value>> {
    let p = jwt.split('.').nth(1)?;
    let bytes = crate::jose::unb64(p, "").ok()?;
    match crate::json::parse(&bytes, &crate::json::JsonLimits::default()).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn rfc3339(t: i64) -> String {
    u64::try_from(t).map_or_else(|_| t.to_string(), crate::wallet::rfc3339_from_unix)
}
