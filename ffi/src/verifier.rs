//! The credential verifier of the agency desk: a thin object over
//! [`civitas_core::verifier`], with its outcome as an enum ([`VerificationResult`]).

use std::sync::{Arc, PoisonError, RwLock};

use civitas_core::compact;
use civitas_core::verifier::{self, Policy, StatusLists, TrustList};
use serde_json::Value;

use crate::CivitasError;
use crate::context::{ContextDoc, jsonld, parse_json};

// ---- the verifier ------------------------------------------------------------------------

/// A disclosed claim of a verified credential: a leaf of the credential's JSON (outside
/// `@context` and `proof`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClaimValue {
    /// RFC 6901 JSON pointer of the leaf.
    pub pointer: String,
    /// Strings as they are; numbers, booleans and null as JSON text.
    pub value: String,
}

/// A credential that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedCredentialRecord {
    /// The issuer's DID.
    pub issuer: String,
    /// The issuer's name from the trust list.
    pub issuer_name: Option<String>,
    /// The credential's types.
    pub types: Vec<String>,
    /// The disclosed claims.
    pub claims: Vec<ClaimValue>,
    /// What binds the credential to its presenter: `secret` (a holder secret), `did` (issued
    /// to the presentation's signed holder) or `none` (accepted only with
    /// `--dangerous-allow-bearer`).
    pub holder_binding: String,
    /// The holder's pseudonym at this verifier (pseudonym features), or null.
    pub pseudonym: Option<String>,
}

impl From<&verifier::VerifiedCredential> for VerifiedCredentialRecord {
    fn from(c: &verifier::VerifiedCredential) -> Self {
        let claims = c
            .disclosed_claims()
            .into_iter()
            .map(|(pointer, v)| ClaimValue {
                value: match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                },
                pointer,
            })
            .collect();
        VerifiedCredentialRecord {
            issuer: c.issuer().to_owned(),
            issuer_name: c.issuer_name().map(str::to_owned),
            types: c.types().to_vec(),
            claims,
            holder_binding: c.holder_binding().name().to_owned(),
            pseudonym: c.pseudonym().map(str::to_owned),
        }
    }
}

/// A failed check.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FailureRecord {
    /// The check: `format`, `holder-proof`, `challenge`, `domain`, `proof`, `issuer`,
    /// `validity`, `status` or `required-claims`.
    pub check: String,
    /// The position of the credential concerned in the presentation, if any.
    pub credential: Option<u32>,
    /// Why (for logs; no claim values).
    pub reason: String,
}

impl From<&verifier::Failure> for FailureRecord {
    fn from(f: &verifier::Failure) -> Self {
        FailureRecord {
            check: f.check.name().to_owned(),
            credential: f.credential.map(|i| u32::try_from(i).unwrap_or(u32::MAX)),
            reason: f.reason.clone(),
        }
    }
}

/// The verifier's decision: an enum, so that a caller handles both outcomes. A presentation
/// that fails a check is a normal `Invalid` result with the failures, not an error.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum VerificationResult {
    /// Every check passed.
    Valid {
        /// The holder's DID: the signer of an identified presentation; null for an anonymous
        /// presentation or a bare credential.
        holder: Option<String>,
        /// The verified credentials.
        credentials: Vec<VerifiedCredentialRecord>,
        /// Checks the policy weakened on purpose, named by their command-line flag.
        dangers: Vec<String>,
    },
    /// At least one check failed.
    Invalid {
        /// The failed checks.
        failures: Vec<FailureRecord>,
        /// Checks the policy weakened on purpose, named by their command-line flag.
        dangers: Vec<String>,
    },
}

fn danger_names(dangers: &[verifier::Danger]) -> Vec<String> {
    dangers.iter().map(|d| d.flag().to_owned()).collect()
}

impl From<Result<verifier::VerifiedPresentation, verifier::Rejection>> for VerificationResult {
    fn from(r: Result<verifier::VerifiedPresentation, verifier::Rejection>) -> Self {
        match r {
            Ok(ok) => VerificationResult::Valid {
                holder: ok.holder().map(str::to_owned),
                credentials: ok.credentials().iter().map(Into::into).collect(),
                dangers: danger_names(ok.dangers()),
            },
            Err(rejection) => VerificationResult::Invalid {
                failures: rejection.failures().iter().map(Into::into).collect(),
                dangers: danger_names(rejection.dangers()),
            },
        }
    }
}

/// An agency's verifier: checks presentations against its trust list, the status lists it
/// was given, and the request's challenge, domain and required claims.
#[derive(uniffi::Object)]
pub struct Verifier {
    inner: verifier::Verifier,
    trust: TrustList,
    status_lists: RwLock<StatusLists>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifier")
    }
}

#[uniffi::export]
impl Verifier {
    /// A verifier trusting the issuers of `trust_toml` (the trust file format of the
    /// `civitas` command) for their credential types.
    #[uniffi::constructor]
    pub fn new(trust_toml: String, contexts: Vec<ContextDoc>) -> Result<Arc<Self>, CivitasError> {
        let trust = TrustList::from_toml(&trust_toml)?;
        Ok(Arc::new(Verifier {
            inner: verifier::Verifier::new(jsonld(&contexts)?),
            trust,
            status_lists: RwLock::new(StatusLists::new()),
        }))
    }

    /// Adds a status list credential (JSON text) for the revocation and suspension checks.
    pub fn add_status_list(&self, status_list_json: String) -> Result<(), CivitasError> {
        let list = parse_json(&status_list_json, "status list")?;
        self.status_lists
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(list)?;
        Ok(())
    }

    /// Verifies a presentation (JSON text). `challenge` and `domain`, when given, must be
    /// those of the presentation; every pointer of `required_claims` must be disclosed.
    /// Throws `InvalidInput` only when the input is not JSON.
    pub fn verify(
        &self,
        presentation_json: String,
        challenge: Option<String>,
        domain: Option<String>,
        required_claims: Vec<String>,
    ) -> Result<VerificationResult, CivitasError> {
        let presentation = parse_json(&presentation_json, "presentation")?;
        Ok(self.verify_value(&presentation, challenge, domain, required_claims))
    }

    /// Adds a Token Status List (a `statuslist+jwt`, for SD-JWT VCs).
    pub fn add_status_list_token(&self, jwt: String) -> Result<(), CivitasError> {
        self.status_lists
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert_token(&jwt)?;
        Ok(())
    }

    /// Verifies an SD-JWT VC presentation (the compact `~` form): `challenge` must be its Key
    /// Binding JWT's nonce and `domain` its aud; the result is the same as for bbs-2023.
    pub fn verify_sd_jwt(
        &self,
        presentation: String,
        challenge: Option<String>,
        domain: Option<String>,
        required_claims: Vec<String>,
    ) -> VerificationResult {
        let policy = self.policy(challenge, domain, required_claims);
        let lists = self
            .status_lists
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner
            .verify_sd_jwt(&presentation, &policy, &lists)
            .into()
    }

    /// Like [`Verifier::verify`], for a presentation scanned from a QR code (the wallet's
    /// `qr_payload`). Throws `InvalidInput` only when the payload does not decode.
    pub fn verify_qr_payload(
        &self,
        qr_payload: String,
        challenge: Option<String>,
        domain: Option<String>,
        required_claims: Vec<String>,
    ) -> Result<VerificationResult, CivitasError> {
        let presentation = compact::decode(&qr_payload)?;
        Ok(self.verify_value(&presentation, challenge, domain, required_claims))
    }
}

impl Verifier {
    fn verify_value(
        &self,
        presentation: &Value,
        challenge: Option<String>,
        domain: Option<String>,
        required_claims: Vec<String>,
    ) -> VerificationResult {
        let policy = self.policy(challenge, domain, required_claims);
        let lists = self
            .status_lists
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner.verify(presentation, &policy, &lists).into()
    }

    fn policy(
        &self,
        challenge: Option<String>,
        domain: Option<String>,
        required_claims: Vec<String>,
    ) -> Policy {
        let mut policy = Policy::new(self.trust.clone());
        if let Some(c) = challenge {
            policy = policy.challenge(c);
        }
        if let Some(d) = domain {
            policy = policy.domain(d);
        }
        for pointer in required_claims {
            policy = policy.require(pointer);
        }
        policy
    }
}
