//! The issuer role of `civitas serve`: OpenID4VCI 1.0 with the Pre-Authorized Code Flow, for
//! a university handing diplomas to its graduates' wallets. Configured by the `[issuer]`
//! table of the configuration file (see `docs/serve.md`); the offers are made by
//! `civitas offers` (or `POST /issuer/offers`) and kept in the state directory. Each
//! configuration issues `ldp_vc` (bbs-2023, the default) or `dc+sd-jwt` (an SD-JWT VC signed
//! with ES256 by its `sd_jwt_key`, bound to the key of the wallet's `jwt` proof, with a
//! Token Status List entry; the keys are published at `/.well-known/jwt-vc-issuer`).
//!
//! The state directory holds files written atomically (a temporary file, synced, renamed),
//! chosen over an embedded database because every record is small, written once or twice,
//! and read by name; a file per record needs no C library and no schema migrations, and an
//! administrator can read, back up and delete it with ordinary tools:
//! - `offers/<id>.json`: one offer (its id is the first 32 hex digits of SHA-256 of the
//!   pre-authorized code); the row's values until the credential is issued, then none;
//! - `issued/<id>.json`: what was issued for an offer: the row id, the configuration, the
//!   status list and the indexes given (what the university needs to revoke later), no
//!   other personal data;
//! - `indexes/<list>/<index>`: an empty file per status index given, created exclusively, so
//!   an index is never given twice, even by two processes;
//! - `serve.lock`: held by the one `civitas serve` using the directory.
//!
//! The PIN (the transaction code) is stored salted and hashed; five wrong PINs lock the offer.
//! `c_nonce` values are stateless (a time and an HMAC under a key made at start) and valid for
//! five minutes; an access token is valid for ten minutes and for one credential request.

use civitas_core::CredentialError;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use civitas_core::bbs2023::Bbs2023;
use civitas_core::bbs2023::Feature;
use civitas_core::ecdsa::{DeviceKey, Signer};
use civitas_core::jose::EcJwk;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::openid4vci::{
    AuthorizationServerMetadata, BatchIssuance, ClaimDescription, ClaimDisplay,
    CredentialConfiguration, CredentialDefinition, CredentialMetadata, DC_SD_JWT, Display,
    IssuerMetadata, JWK_BINDING, LDP_VC, ProofTypeMetadata,
};
use civitas_core::openid4vci::{COMMITMENT_PROOF_TYPE, ErrorCode, PRE_AUTHORIZED_GRANT, VciError};
use civitas_core::openid4vci::{CredentialOffer, TxCode, offer_uri_url};
use civitas_core::openid4vci::{
    CredentialRequest, KeyBinding, ProofPolicy, Requested, credential_response_json,
};
use civitas_core::openid4vci::{TokenRequest, TokenResponse};
use civitas_core::sdjwt::status::StatusRef;
use civitas_core::status::{DecodeLimits, StatusListCredential};
use civitas_core::{CredentialIssuer, StatusAssignment};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::util::{CliError, CliResult, write_atomic};

/// Default offer lifetime.
pub(crate) const DEFAULT_OFFER_DAYS: u64 = 30;
/// Longest offer lifetime.
pub(crate) const MAX_OFFER_DAYS: u64 = 365;
/// Wrong PINs before an offer is locked.
pub(crate) const MAX_PIN_ATTEMPTS: u32 = 5;
/// How long an access token is valid.
pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(600);
/// How long a `c_nonce` is valid.
pub(crate) const NONCE_TTL: Duration = Duration::from_secs(300);
/// Most values a row may carry into an offer.
const MAX_ROW_VALUES: usize = 64;
/// Longest value of a row.
const MAX_VALUE_LEN: usize = 4096;
/// Longest `valid_days` of an SD-JWT VC configuration (ten years).
pub(crate) const MAX_VALID_DAYS: u64 = 3650;

// ---- configuration -----------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIssuer {
    key: PathBuf,
    state_dir: PathBuf,
    name: Option<String>,
    locale: Option<String>,
    offer_valid_days: Option<u64>,
    pin_length: Option<u32>,
    batch_size: Option<u32>,
    admin_token: Option<String>,
    admin_token_file: Option<PathBuf>,
    #[serde(rename = "credential")]
    credentials: Vec<RawCredential>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredential {
    id: String,
    format: Option<String>,
    name: Option<String>,
    description: Option<String>,
    background_color: Option<String>,
    text_color: Option<String>,
    /// A JSON file (relative to the configuration), or an inline table.
    template: Value,
    mandatory: Option<Vec<String>>,
    status_list: Option<PathBuf>,
    features: Option<Vec<String>>,
    identified: Option<bool>,
    vct: Option<String>,
    sd_jwt_key: Option<PathBuf>,
    sd_jwt_certificate: Option<PathBuf>,
    plain: Option<Vec<String>>,
    valid_days: Option<u64>,
    #[serde(default, rename = "claim")]
    claims: Vec<RawClaim>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    path: Vec<Value>,
    name: String,
    #[serde(default)]
    mandatory: bool,
}

/// One credential the issuer offers.
#[derive(Debug)]
pub(crate) struct OfferedCredential {
    /// Its configuration id.
    pub id: String,
    /// The unsigned credential (`ldp_vc`) or its claims (`dc+sd-jwt`), with `{{column}}`
    /// placeholders.
    pub template: Value,
    /// The columns the template uses.
    pub columns: Vec<String>,
    /// Pointers the holder must always disclose (besides the issuer policy's; `ldp_vc`).
    pub mandatory: Vec<String>,
    /// The status list file, when credentials get a status entry: a status list credential
    /// (`ldp_vc`) or a Token Status List (`dc+sd-jwt`).
    pub status_list: Option<PathBuf>,
    /// For a `dc+sd-jwt` configuration: what the SD-JWT VC is made of.
    pub sd_jwt: Option<SdJwtSettings>,
    /// The metadata entry.
    pub metadata: CredentialConfiguration,
}

/// What a `dc+sd-jwt` configuration issues with.
#[derive(Debug, Clone)]
pub(crate) struct SdJwtSettings {
    /// The credential type (`vct`).
    pub vct: String,
    /// The P-256 key file that signs (ES256), as `civitas keygen --alg p256` writes it.
    pub key_file: PathBuf,
    /// JSON pointers of claims kept plainly visible (every other one is selectively
    /// disclosable).
    pub plain: Vec<String>,
    /// Days until `exp`, if the credentials expire.
    pub valid_days: Option<u64>,
    /// The key's X.509 chain for the `x5c` header (HAIP), if given.
    pub chain: Option<civitas_core::x509::CertificateChain>,
}

/// Claims an SD-JWT VC template may not hold: the issuer sets them.
const SD_JWT_RESERVED: [&str; 10] = [
    "iss",
    "vct",
    "vct#integrity",
    "iat",
    "nbf",
    "exp",
    "cnf",
    "status",
    "_sd",
    "_sd_alg",
];

/// Sign an SD-JWT VC of `settings` with `claims` (a filled template): `iss` the Credential
/// Issuer Identifier, `iat` now, `exp` from `valid_days`, bound to `holder`, with `status`.
pub(crate) fn issue_sd_jwt(
    settings: &SdJwtSettings,
    claims: &Value,
    iss: &str,
    holder: Option<&EcJwk>,
    status: Option<&StatusRef>,
    now: i64,
    signer: &dyn Signer,
) -> Result<String, String> {
    let Value::Object(claims) = claims else {
        return Err("the template is not a JSON object of claims".into());
    };
    let exp = settings
        .valid_days
        .map(|d| now.saturating_add(i64::try_from(d.saturating_mul(86_400)).unwrap_or(i64::MAX)));
    civitas_core::sdjwt::vc::issue_with_chain(
        &civitas_core::sdjwt::vc::Issue {
            iss,
            vct: &settings.vct,
            claims,
            plain: &settings.plain,
            holder,
            status,
            iat: now,
            exp,
        },
        settings.chain.as_ref(),
        signer,
    )
    .map_err(|e| e.to_string())
}

/// The template of `credential` filled with a row's `values`, or why the row cannot make a
/// credential (a column missing or empty).
pub(crate) fn fill_row(
    credential: &OfferedCredential,
    values: &BTreeMap<String, String>,
) -> Result<Value, String> {
    if let Some(c) = credential
        .columns
        .iter()
        .find(|c| values.get(*c).is_none_or(|v| v.trim().is_empty()))
    {
        return Err(format!("the column {c} is missing or empty"));
    }
    Ok(crate::commands::issue::fill(&credential.template, &|col| {
        values.get(col).cloned().unwrap_or_default()
    }))
}

/// The `[issuer]` table.
#[derive(Debug)]
pub(crate) struct IssuerConfig {
    pub key_file: PathBuf,
    pub state_dir: PathBuf,
    pub name: String,
    pub locale: Option<String>,
    pub offer_ttl: Duration,
    pub pin_length: u32,
    pub batch_size: u32,
    /// The token of the issuing endpoints (`/issuer/offers`, `/credentials/issue`); without
    /// one they are closed.
    pub admin_token: Option<super::config::Token>,
    pub credentials: Vec<OfferedCredential>,
}

impl IssuerConfig {
    pub(crate) fn load(
        raw: RawIssuer,
        base: &Path,
        at: &dyn Fn(String) -> CliError,
    ) -> CliResult<IssuerConfig> {
        let days = raw.offer_valid_days.unwrap_or(DEFAULT_OFFER_DAYS);
        if !(1..=MAX_OFFER_DAYS).contains(&days) {
            return Err(at(format!(
                "issuer.offer_valid_days: from 1 to {MAX_OFFER_DAYS}"
            )));
        }
        let pin_length = raw.pin_length.unwrap_or(6);
        if !(4..=12).contains(&pin_length) {
            return Err(at("issuer.pin_length: from 4 to 12 digits".into()));
        }
        let batch_size = raw.batch_size.unwrap_or(1);
        if !(1..=16).contains(&batch_size) {
            return Err(at("issuer.batch_size: from 1 to 16".into()));
        }
        let admin_token =
            super::config::Token::read(raw.admin_token, raw.admin_token_file.as_deref(), base)
                .map_err(|e| at(format!("issuer.admin_token: {e}")))?;
        if raw.credentials.is_empty() {
            return Err(at(
                "[issuer] needs at least one [[issuer.credential]]".into()
            ));
        }
        let mut credentials: Vec<OfferedCredential> = Vec::new();
        for c in raw.credentials {
            let here = |what: String| at(format!("issuer.credential {:?}: {what}", c.id));
            if c.id.is_empty()
                || c.id.len() > 64
                || !c
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            {
                return Err(here("an id is 1 to 64 letters, digits, -, _ or .".into()));
            }
            if credentials.iter().any(|k| k.id == c.id) {
                return Err(here("named twice".into()));
            }
            let template = match &c.template {
                Value::String(f) => crate::util::read_json(&base.join(f))?,
                v @ Value::Object(_) => v.clone(),
                _ => {
                    return Err(here(
                        "template: a JSON file (its name), or an inline table".into(),
                    ));
                }
            };
            let mut columns = Vec::new();
            crate::commands::issue::placeholders(&template, &mut columns);
            columns.dedup();
            let display = CredentialMetadata {
                display: vec![Display {
                    name: Some(c.name.clone().unwrap_or_else(|| c.id.clone())),
                    locale: raw.locale.clone(),
                    description: c.description.clone(),
                    background_color: c.background_color.clone(),
                    text_color: c.text_color.clone(),
                    logo: None,
                }],
                claims: c
                    .claims
                    .iter()
                    .map(|k| ClaimDescription {
                        path: k.path.clone(),
                        mandatory: k.mandatory,
                        display: vec![ClaimDisplay {
                            name: Some(k.name.clone()),
                            locale: raw.locale.clone(),
                        }],
                    })
                    .collect(),
            };
            let status_list = c.status_list.as_ref().map(|p| base.join(p));
            let refuse_key = |given: bool, key: &str, why: &str| {
                if given {
                    Err(here(format!("{key} {why}")))
                } else {
                    Ok(())
                }
            };
            let offered = match c.format.as_deref() {
                None | Some(LDP_VC) => {
                    for (given, key) in [
                        (c.vct.is_some(), "vct"),
                        (c.sd_jwt_key.is_some(), "sd_jwt_key"),
                        (c.sd_jwt_certificate.is_some(), "sd_jwt_certificate"),
                        (c.plain.is_some(), "plain"),
                        (c.valid_days.is_some(), "valid_days"),
                    ] {
                        refuse_key(
                            given,
                            key,
                            "is for format = \"dc+sd-jwt\" (this configuration is ldp_vc)",
                        )?;
                    }
                    ldp_vc_credential(&c, template, columns, status_list, display, &here)?
                }
                Some(DC_SD_JWT) => {
                    for (given, key) in [
                        (c.mandatory.is_some(), "mandatory"),
                        (c.features.is_some(), "features"),
                        (c.identified.is_some(), "identified"),
                    ] {
                        refuse_key(
                            given,
                            key,
                            "is for ldp_vc; an SD-JWT VC keeps claims visible with plain = [POINTERS] and is bound to the key of the wallet's jwt proof",
                        )?;
                    }
                    sd_jwt_credential(&c, base, template, columns, status_list, display, &here)?
                }
                Some(other) => {
                    return Err(here(format!(
                        "format {other:?}: \"ldp_vc\" (the default) or \"dc+sd-jwt\""
                    )));
                }
            };
            credentials.push(offered);
        }
        Ok(IssuerConfig {
            key_file: base.join(raw.key),
            state_dir: base.join(raw.state_dir),
            name: raw.name.unwrap_or_else(|| "Credential issuer".into()),
            locale: raw.locale,
            offer_ttl: Duration::from_secs(days * 86_400),
            pin_length,
            batch_size,
            admin_token,
            credentials,
        })
    }
}

/// An `ldp_vc` configuration (bbs-2023): the template is an unsigned credential.
fn ldp_vc_credential(
    c: &RawCredential,
    template: Value,
    columns: Vec<String>,
    status_list: Option<PathBuf>,
    display: CredentialMetadata,
    here: &dyn Fn(String) -> CliError,
) -> CliResult<OfferedCredential> {
    let context = match template.get("@context") {
        Some(Value::Array(a)) => a.clone(),
        Some(v @ Value::String(_)) => vec![v.clone()],
        _ => return Err(here("the template has no @context".into())),
    };
    let types: Vec<String> = match template.get("type") {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(t)) => vec![t.clone()],
        _ => Vec::new(),
    };
    if !types.iter().any(|t| t == "VerifiableCredential") {
        return Err(here(
            "the template's type must include VerifiableCredential".into(),
        ));
    }
    if !template
        .get("credentialSubject")
        .is_some_and(Value::is_object)
    {
        return Err(here(
            "the template's credentialSubject must be one object".into(),
        ));
    }
    let mandatory = c.mandatory.clone().unwrap_or_default();
    for m in &mandatory {
        civitas_core::json_pointer::parse(m).map_err(|e| here(format!("mandatory {m}: {e}")))?;
    }
    let features = match &c.features {
        None => vec![
            Feature::HolderBindingPseudonym,
            Feature::AnonymousHolderBinding,
            Feature::Pseudonym,
        ],
        Some(names) => names
            .iter()
            .map(|n| match n.as_str() {
                "anonymous_holder_binding" => Ok(Feature::AnonymousHolderBinding),
                "pseudonym" => Ok(Feature::Pseudonym),
                "holder_binding_pseudonym" => Ok(Feature::HolderBindingPseudonym),
                other => Err(here(format!(
                    "feature {other:?}: anonymous_holder_binding, pseudonym or holder_binding_pseudonym"
                ))),
            })
            .collect::<CliResult<_>>()?,
    };
    let identified = c.identified.unwrap_or(true);
    if features.is_empty() && !identified {
        return Err(here(
            "with no features and identified = false, no wallet could receive it".into(),
        ));
    }
    let mut proof_types = BTreeMap::new();
    if identified {
        proof_types.insert(
            "jwt".to_owned(),
            ProofTypeMetadata {
                proof_signing_alg_values_supported: vec!["ES256".into()],
                features: Vec::new(),
            },
        );
    }
    if !features.is_empty() {
        proof_types.insert(
            COMMITMENT_PROOF_TYPE.to_owned(),
            ProofTypeMetadata {
                proof_signing_alg_values_supported: vec!["bbs-2023".into()],
                features: features.iter().map(|f| f.name().to_owned()).collect(),
            },
        );
    }
    let metadata = CredentialConfiguration {
        format: LDP_VC.into(),
        scope: Some(c.id.clone()),
        credential_definition: Some(CredentialDefinition { context, types }),
        vct: None,
        credential_signing_alg_values_supported: vec!["bbs-2023".into()],
        // §12.2.4: binding methods are listed whenever proof types are; without
        // did:key the only binding is the commitment to the wallet's secrets.
        cryptographic_binding_methods_supported: if identified {
            vec!["did:key".into()]
        } else {
            vec![COMMITMENT_PROOF_TYPE.into()]
        },
        proof_types_supported: proof_types,
        credential_metadata: Some(display),
    };
    Ok(OfferedCredential {
        id: c.id.clone(),
        template,
        columns,
        mandatory,
        status_list,
        sd_jwt: None,
        metadata,
    })
}

/// A `dc+sd-jwt` configuration (OpenID4VCI Appendix A.3): the template is a JSON object of
/// claims, signed with ES256 by `sd_jwt_key`, bound to the `jwk` of the wallet's proof.
fn sd_jwt_credential(
    c: &RawCredential,
    base: &Path,
    template: Value,
    columns: Vec<String>,
    status_list: Option<PathBuf>,
    display: CredentialMetadata,
    here: &dyn Fn(String) -> CliError,
) -> CliResult<OfferedCredential> {
    let vct = c
        .vct
        .clone()
        .ok_or_else(|| here("a dc+sd-jwt configuration needs vct (its credential type, e.g. \"https://university.example/credentials/diploma\")".into()))?;
    if vct.is_empty()
        || vct.len() > civitas_core::openid4vci::MAX_STRING_LEN
        || vct.chars().any(|ch| ch.is_control() || ch.is_whitespace())
    {
        return Err(here(
            "vct: 1 to 1024 characters, no spaces or control characters".into(),
        ));
    }
    let key_file = c.sd_jwt_key.as_ref().map(|k| base.join(k)).ok_or_else(|| {
        here("a dc+sd-jwt configuration needs sd_jwt_key (a P-256 key file: civitas keygen --alg p256)".into())
    })?;
    let Some(claims) = template.as_object() else {
        return Err(here(
            "the template of a dc+sd-jwt configuration is a JSON object of claims".into(),
        ));
    };
    if let Some(r) = SD_JWT_RESERVED.iter().find(|r| claims.contains_key(**r)) {
        return Err(here(format!(
            "the template holds {r}, which the issuer sets itself"
        )));
    }
    let chain = match &c.sd_jwt_certificate {
        None => None,
        Some(f) => Some(
            crate::util::read_chain(&base.join(f), None)
                .map_err(|e| here(format!("sd_jwt_certificate {}", e.message)))?,
        ),
    };
    let plain = c.plain.clone().unwrap_or_default();
    for p in &plain {
        civitas_core::json_pointer::parse(p).map_err(|e| here(format!("plain {p}: {e}")))?;
    }
    if let Some(d) = c.valid_days
        && !(1..=MAX_VALID_DAYS).contains(&d)
    {
        return Err(here(format!("valid_days: from 1 to {MAX_VALID_DAYS}")));
    }
    let mut proof_types = BTreeMap::new();
    proof_types.insert(
        "jwt".to_owned(),
        ProofTypeMetadata {
            proof_signing_alg_values_supported: vec!["ES256".into()],
            features: Vec::new(),
        },
    );
    let metadata = CredentialConfiguration {
        format: DC_SD_JWT.into(),
        scope: Some(c.id.clone()),
        credential_definition: None,
        vct: Some(vct.clone()),
        credential_signing_alg_values_supported: vec!["ES256".into()],
        cryptographic_binding_methods_supported: vec![JWK_BINDING.into()],
        proof_types_supported: proof_types,
        credential_metadata: Some(display),
    };
    Ok(OfferedCredential {
        id: c.id.clone(),
        template,
        columns,
        mandatory: Vec::new(),
        status_list,
        sd_jwt: Some(SdJwtSettings {
            vct,
            key_file,
            plain,
            valid_days: c.valid_days,
            chain,
        }),
        metadata,
    })
}

impl IssuerConfig {
    /// The configuration `id`.
    pub(crate) fn credential(&self, id: &str) -> Option<&OfferedCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }

    /// The Credential Issuer Metadata for the issuer at `base_url`.
    pub(crate) fn metadata(&self, base_url: &str) -> IssuerMetadata {
        IssuerMetadata {
            credential_issuer: base_url.to_owned(),
            authorization_servers: Vec::new(),
            credential_endpoint: format!("{base_url}/openid4vci/credential"),
            nonce_endpoint: Some(format!("{base_url}/openid4vci/nonce")),
            batch_credential_issuance: (self.batch_size >= 2).then_some(BatchIssuance {
                batch_size: self.batch_size,
            }),
            display: vec![Display {
                name: Some(self.name.clone()),
                locale: self.locale.clone(),
                ..Display::default()
            }],
            credential_configurations_supported: self
                .credentials
                .iter()
                .map(|c| (c.id.clone(), c.metadata.clone()))
                .collect(),
        }
    }
}

/// The Authorization Server Metadata of the issuer at `base_url` (it is its own server).
pub(crate) fn authorization_server_metadata(base_url: &str) -> AuthorizationServerMetadata {
    AuthorizationServerMetadata {
        issuer: base_url.to_owned(),
        token_endpoint: format!("{base_url}/openid4vci/token"),
        grant_types_supported: vec![PRE_AUTHORIZED_GRANT.into()],
        anonymous_access: true,
        token_endpoint_auth_methods_supported: vec!["none".into()],
    }
}

// ---- the state directory ----------------------------------------------------------------

fn now_unix() -> i64 {
    civitas_core::Timestamp::now().unix_seconds()
}

fn hex_sha256(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    hex::encode(h.finalize())
}

fn random_bytes<const N: usize>() -> Result<[u8; N], VciError> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b)
        .map_err(|_| VciError::new(ErrorCode::CredentialRequestDenied, "no system randomness"))?;
    Ok(b)
}

fn internal(what: impl std::fmt::Display) -> VciError {
    // Storage failures are the server's; the wallet is told to try later, with no detail.
    eprintln!("civitas serve: issuer: {what}");
    VciError::new(
        ErrorCode::CredentialRequestDenied,
        "the issuer could not complete the request; try again later",
    )
}

/// Where an offer is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OfferState {
    /// Made, not yet redeemed at the token endpoint.
    Offered,
    /// A token was given; the credential not yet issued.
    TokenIssued,
    /// The credential was issued (the row's values are gone).
    Redeemed,
    /// Too many wrong PINs.
    Locked,
}

/// An offer as stored.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct OfferRecord {
    pub version: u32,
    pub id: String,
    pub row: String,
    pub configuration: String,
    /// The template's columns for this row; emptied once issued or expired.
    pub values: BTreeMap<String, String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub pin_salt: String,
    pub pin_hash: String,
    pub pin_attempts: u32,
    pub state: OfferState,
    #[serde(default)]
    pub token_hash: Option<String>,
    #[serde(default)]
    pub token_expires_at: Option<i64>,
}

/// What was issued for one offer (kept to revoke later).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct IssuedRecord {
    pub version: u32,
    pub offer: String,
    pub row: String,
    pub configuration: String,
    pub issued_at: i64,
    pub status_list: Option<String>,
    pub status_indexes: Vec<u64>,
    pub binding: String,
}

/// A new offer: its link parts and the PIN (shown once, never stored in clear).
pub(crate) struct CreatedOffer {
    pub offer: CredentialOffer,
    pub pin: Zeroizing<String>,
    pub expires_at: i64,
}

/// The state directory.
#[derive(Debug, Clone)]
pub(crate) struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// Open (and create) `dir`, owner-only.
    pub(crate) fn open(dir: &Path) -> CliResult<StateDir> {
        for sub in ["offers", "issued", "indexes"] {
            std::fs::create_dir_all(dir.join(sub)).map_err(|e| {
                CliError::input(format!("cannot create {}: {e}", dir.join(sub).display()))
            })?;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
        Ok(StateDir {
            dir: dir.to_owned(),
        })
    }

    /// Take the directory for this process (`serve.lock`); refused while another holds it.
    pub(crate) fn lock(&self) -> CliResult<std::fs::File> {
        let path = self.dir.join("serve.lock");
        let f = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| CliError::input(format!("cannot open {}: {e}", path.display())))?;
        match f.try_lock() {
            Ok(()) => Ok(f),
            Err(_) => Err(CliError::input(format!(
                "{} is in use by another civitas serve: one issuer process per state directory",
                self.dir.display()
            ))),
        }
    }

    fn offer_path(&self, id: &str) -> Option<PathBuf> {
        (id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| self.dir.join("offers").join(format!("{id}.json")))
    }

    /// Read offer `id` (None when there is none).
    pub(crate) fn read_offer(&self, id: &str) -> Result<Option<OfferRecord>, VciError> {
        let Some(path) = self.offer_path(id) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| internal(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(internal(format!("{}: {e}", path.display()))),
        }
    }

    fn write_offer(&self, offer: &OfferRecord) -> Result<(), VciError> {
        let path = self
            .offer_path(&offer.id)
            .ok_or_else(|| internal("bad offer id"))?;
        let bytes = serde_json::to_vec_pretty(offer).map_err(internal)?;
        write_atomic(&path, &bytes, true).map_err(|e| internal(e.message))
    }

    /// Make an offer of `configuration` for `row` with `values` (the template's columns).
    pub(crate) fn create_offer(
        &self,
        cfg: &IssuerConfig,
        credential: &OfferedCredential,
        issuer_url: &str,
        row: &str,
        values: BTreeMap<String, String>,
        now: i64,
    ) -> CliResult<CreatedOffer> {
        if values.len() > MAX_ROW_VALUES || values.values().any(|v| v.len() > MAX_VALUE_LEN) {
            return Err(CliError::input(format!(
                "row {row}: at most {MAX_ROW_VALUES} values of at most {MAX_VALUE_LEN} bytes"
            )));
        }
        let fail = |e: VciError| CliError::input(e.description);
        let code = civitas_core::keys::encode_base64url(&random_bytes::<32>().map_err(fail)?);
        let id = offer_id(&code);
        let pin = Zeroizing::new(random_pin(cfg.pin_length).map_err(fail)?);
        let salt = hex::encode(random_bytes::<16>().map_err(fail)?);
        let expires_at =
            now.saturating_add(i64::try_from(cfg.offer_ttl.as_secs()).unwrap_or(i64::MAX));
        let record = OfferRecord {
            version: 1,
            id: id.clone(),
            row: row.to_owned(),
            configuration: credential.id.clone(),
            values,
            created_at: now,
            expires_at,
            pin_hash: hex_sha256(&[salt.as_bytes(), pin.as_bytes()]),
            pin_salt: salt,
            pin_attempts: 0,
            state: OfferState::Offered,
            token_hash: None,
            token_expires_at: None,
        };
        self.write_offer(&record).map_err(fail)?;
        Ok(CreatedOffer {
            offer: offer_for(cfg, issuer_url, &credential.id, code),
            pin,
            expires_at,
        })
    }

    /// The ids of the stored offers.
    fn offer_ids(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("offers")) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_suffix(".json")
                    .map(str::to_owned)
            })
            .collect()
    }

    /// The issuance records of row `row`, oldest first.
    pub(crate) fn issued_for(&self, row: &str) -> CliResult<Vec<IssuedRecord>> {
        let dir = self.dir.join("issued");
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| CliError::input(format!("cannot read {}: {e}", dir.display())))?;
        let mut out: Vec<IssuedRecord> = entries
            .flatten()
            .filter_map(|e| std::fs::read(e.path()).ok())
            .filter_map(|b| serde_json::from_slice::<IssuedRecord>(&b).ok())
            .filter(|r| r.row == row)
            .collect();
        out.sort_by_key(|r| r.issued_at);
        Ok(out)
    }

    /// Record that index `index` of the list at `url` is already given (by an issuance
    /// outside this service), so the service never gives it again.
    pub(crate) fn mark_index_used(&self, url: &str, index: u64) -> CliResult<()> {
        let dir = self.index_dir(url);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join(index.to_string()), b""))
            .map_err(|e| CliError::input(format!("cannot write in {}: {e}", dir.display())))
    }

    fn index_dir(&self, url: &str) -> PathBuf {
        self.dir
            .join("indexes")
            .join(hex_sha256(&[url.as_bytes()]).get(..16).unwrap_or("list"))
    }

    /// Give a status index of `list` not given before: random (so that an index says
    /// nothing about issuance order), reserved by creating its marker file exclusively.
    fn reserve_index(&self, list: &IssuingList) -> Result<(u64, PathBuf), VciError> {
        let dir = self.index_dir(list.url());
        std::fs::create_dir_all(&dir).map_err(|e| internal(format!("{}: {e}", dir.display())))?;
        let entries = u64::try_from(list.entries()).unwrap_or(u64::MAX).max(1);
        for _ in 0..64 {
            let index = u64::from_le_bytes(random_bytes::<8>()?) % entries;
            let marker = dir.join(index.to_string());
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&marker)
            {
                Ok(_) => return Ok((index, marker)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(internal(format!("{}: {e}", marker.display()))),
            }
        }
        Err(VciError::new(
            ErrorCode::CredentialRequestDenied,
            "the status list is nearly full: the university must publish a new one",
        ))
    }
}

fn random_pin(length: u32) -> Result<String, VciError> {
    let mut pin = String::new();
    while pin.len() < usize::try_from(length).unwrap_or(6) {
        let [b] = random_bytes::<1>()?;
        // Rejection sampling: 250..=255 would make 0..=5 likelier.
        if b < 250 {
            pin.push(char::from(b'0' + b % 10));
        }
    }
    Ok(pin)
}

// ---- the service -------------------------------------------------------------------------

/// A status list the issuer gives indexes of.
#[derive(Debug)]
enum IssuingList {
    /// A W3C status list credential (`ldp_vc`).
    W3c(StatusAssignment),
    /// A Token Status List (`dc+sd-jwt`): its URI (`sub`) and how many entries it has.
    Token { uri: String, entries: usize },
}

impl IssuingList {
    fn url(&self) -> &str {
        match self {
            IssuingList::W3c(a) => a.url(),
            IssuingList::Token { uri, .. } => uri,
        }
    }

    fn entries(&self) -> usize {
        match self {
            IssuingList::W3c(a) => a.entries(),
            IssuingList::Token { entries, .. } => *entries,
        }
    }
}

/// The issuer's running state.
pub(crate) struct IssuerService {
    pub config: IssuerConfig,
    pub state: StateDir,
    pub base_url: String,
    pub metadata: IssuerMetadata,
    /// The JWT VC Issuer Metadata (`/.well-known/jwt-vc-issuer`), when a configuration
    /// issues SD-JWT VCs.
    pub jwt_vc_issuer: Option<Value>,
    core: CredentialIssuer,
    /// The SD-JWT VC signing key of each `dc+sd-jwt` configuration, by configuration id.
    sd_keys: HashMap<String, DeviceKey>,
    lists: HashMap<String, IssuingList>,
    nonce_key: Zeroizing<[u8; 32]>,
    used_nonces: Mutex<HashMap<String, i64>>,
    in_flight: Mutex<HashSet<String>>,
    _lock: std::fs::File,
}

impl std::fmt::Debug for IssuerService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerService")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

type HmacSha256 = hmac::Hmac<Sha256>;

/// Releases an offer's in-flight mark when dropped.
struct InFlight<'a> {
    set: &'a Mutex<HashSet<String>>,
    id: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.set.lock() {
            s.remove(&self.id);
        }
    }
}

fn read_list(path: &Path) -> CliResult<StatusAssignment> {
    let list = crate::util::read_json(path)?;
    StatusListCredential::from_json(&list, &DecodeLimits::default())
        .and_then(|parsed| StatusAssignment::from_list(&parsed))
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

/// A Token Status List (as `civitas status create --format token` writes it), signed by
/// `key`: its URI (`sub`) and its number of entries.
fn read_token_list(
    path: &Path,
    key: &civitas_core::keys::PublicKey,
    now: i64,
) -> CliResult<IssuingList> {
    let at = |what: String| CliError::input(format!("{}: {what}", path.display()));
    let text =
        String::from_utf8(crate::util::read_bytes(path)?).map_err(|_| at("not UTF-8".into()))?;
    let uri = civitas_core::sdjwt::status::token_uri(&text)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| at("not a Token Status List (no sub)".into()))?;
    let token = civitas_core::sdjwt::status::verify_token(&text, key, &uri, now, 300)
        .map_err(|e| {
            at(format!(
                "{e} (a Token Status List signed by the configuration's sd_jwt_key: civitas status create --format token --key ...)"
            ))
        })?;
    let entries = token.statuses().len();
    if entries == 0 {
        return Err(at("the status list has no entries".into()));
    }
    Ok(IssuingList::Token { uri, entries })
}

impl IssuerService {
    /// Start the issuer: its key, its status lists, its state directory (locked).
    pub(crate) fn start(
        config: IssuerConfig,
        jsonld: &Arc<JsonLdProcessor>,
        base_url: &str,
    ) -> CliResult<IssuerService> {
        let (key, _) = crate::util::load_bbs_key(&config.key_file)?;
        let core = CredentialIssuer::new(Bbs2023::new(Arc::clone(jsonld)), key);
        let mut lists = HashMap::new();
        let mut sd_keys = HashMap::new();
        let mut jwks: Vec<EcJwk> = Vec::new();
        for c in &config.credentials {
            match &c.sd_jwt {
                None => {
                    if let Some(p) = &c.status_list {
                        lists.insert(c.id.clone(), IssuingList::W3c(read_list(p)?));
                    }
                }
                Some(sd) => {
                    let (key, public) = crate::util::load_p256_key(
                        &sd.key_file,
                        "an SD-JWT VC issuer (sd_jwt_key)",
                    )?;
                    let jwk = EcJwk::from_public_key(&public, None)
                        .map_err(|e| CliError::input(format!("{}: {e}", sd.key_file.display())))?;
                    if let Some(chain) = &sd.chain
                        && chain.leaf_public_key().ok().as_ref() != Some(&public)
                    {
                        return Err(CliError::input(format!(
                            "credential {}: the leaf of sd_jwt_certificate is not for sd_jwt_key {}",
                            c.id,
                            sd.key_file.display()
                        )));
                    }
                    if !jwks.contains(&jwk) {
                        jwks.push(jwk);
                    }
                    if let Some(p) = &c.status_list {
                        lists.insert(c.id.clone(), read_token_list(p, &public, now_unix())?);
                    }
                    sd_keys.insert(c.id.clone(), key);
                }
            }
        }
        let jwt_vc_issuer = (!jwks.is_empty())
            .then(|| civitas_core::sdjwt::vc::issuer_metadata_json(base_url, &jwks));
        let state = StateDir::open(&config.state_dir)?;
        let lock = state.lock()?;
        let mut nonce_key = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(nonce_key.as_mut())
            .map_err(|_| CliError::input("no system randomness"))?;
        let metadata = config.metadata(base_url);
        Ok(IssuerService {
            metadata,
            jwt_vc_issuer,
            base_url: base_url.to_owned(),
            state,
            core,
            sd_keys,
            lists,
            nonce_key,
            used_nonces: Mutex::new(HashMap::new()),
            in_flight: Mutex::new(HashSet::new()),
            _lock: lock,
            config,
        })
    }

    /// Sign `credential` as the VC API's `/credentials/issue` asks: the issuer policy of
    /// core (the issuer set to the key's DID, the data model and JSON-LD profile checked,
    /// `/issuer`, validity and status always mandatory), with `mandatory` besides.
    pub(crate) fn issue_plain(
        &self,
        credential: Value,
        mandatory: &[String],
    ) -> Result<Value, civitas_core::Error> {
        // An index of a list this issuer assigns at redemption could be handed out twice.
        let ours = |v: &Value| {
            v.get("statusListCredential")
                .and_then(Value::as_str)
                .is_some_and(|u| self.lists.values().any(|l| l.url() == u))
        };
        let refused = match credential.get("credentialStatus") {
            Some(Value::Array(a)) => a.iter().any(ours),
            Some(v) => ours(v),
            None => false,
        };
        if refused {
            return Err(civitas_core::Error::Credential(CredentialError::Invalid {
                field: "credentialStatus",
                reason: "points into a status list whose indexes this issuer assigns itself at redemption; use another list",
            }));
        }
        self.core.issue(credential, None, mandatory)
    }

    /// Remove the row values of offers past their expiry (unless a token given for them is
    /// still valid: its credential request may be on its way), and their files after a
    /// further 30 days (a wallet that comes late is told the offer is unknown). Each offer is
    /// claimed as the endpoints claim it, so a purge never races a redemption. How many were
    /// purged.
    pub(crate) fn purge_expired(&self, now: i64) -> usize {
        let mut purged = 0;
        for id in self.state.offer_ids() {
            let Ok(_flight) = self.claim(&id) else {
                continue;
            };
            let Ok(Some(mut offer)) = self.state.read_offer(&id) else {
                continue;
            };
            let token_live = offer.state == OfferState::TokenIssued
                && offer.token_expires_at.is_some_and(|t| t > now);
            if offer.expires_at > now || token_live {
                continue;
            }
            if now - offer.expires_at > 30 * 86_400 {
                if let Some(path) = self.state.offer_path(&id) {
                    let _ = std::fs::remove_file(path);
                    purged += 1;
                }
            } else if !offer.values.is_empty() {
                offer.values.clear();
                if self.state.write_offer(&offer).is_ok() {
                    purged += 1;
                }
            }
        }
        purged
    }

    /// Whether `values` make a credential of `credential` that the issuer would sign (every
    /// column present and non-empty, and the filled template passing core's issuer policy,
    /// or signing as an SD-JWT VC): checked when an offer is made, so that no offer fails
    /// only at redemption.
    pub(crate) fn check_row(
        &self,
        credential: &OfferedCredential,
        values: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        let doc = fill_row(credential, values)?;
        match &credential.sd_jwt {
            Some(sd) => {
                let key = self
                    .sd_keys
                    .get(&credential.id)
                    .ok_or("the configuration's sd_jwt_key is not loaded")?;
                issue_sd_jwt(sd, &doc, &self.base_url, None, None, now_unix(), key)
                    .map(drop)
                    .map_err(|e| format!("would not make a valid SD-JWT VC: {e}"))
            }
            None => self
                .core
                .prepare(doc, None, &credential.mandatory)
                .map(drop)
                .map_err(|e| format!("would not make a valid credential: {e}")),
        }
    }

    /// The issuer's DID (its signing key's).
    pub(crate) fn did(&self) -> &str {
        self.core.did()
    }

    /// The offer object behind `credential_offer_uri` `<base>/openid4vci/offers/<code>`
    /// (only while it can be redeemed). The code is not stored, only its hash: the URI holds
    /// it, so the URI is as secret as the code (the PIN still guards it).
    pub(crate) fn offer_object(&self, code: &str, now: i64) -> Result<Option<Value>, VciError> {
        if code.is_empty() || code.len() > 128 {
            return Ok(None);
        }
        let id = offer_id(code);
        let Some(offer) = self.state.read_offer(&id)? else {
            return Ok(None);
        };
        if offer.state != OfferState::Offered || offer.expires_at <= now {
            return Ok(None);
        }
        Ok(Some(
            offer_for(
                &self.config,
                &self.base_url,
                &offer.configuration,
                code.to_owned(),
            )
            .to_json(),
        ))
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        let Ok(mut m) = HmacSha256::new_from_slice(self.nonce_key.as_ref()) else {
            return Vec::new();
        };
        m.update(data);
        m.finalize().into_bytes().to_vec()
    }

    /// A fresh `c_nonce`: the time and random bytes, with an HMAC under this process's key.
    pub(crate) fn nonce(&self, now: i64) -> Result<String, VciError> {
        let mut body = now.to_be_bytes().to_vec();
        body.extend_from_slice(&random_bytes::<16>()?);
        let mac = self.mac(&body);
        body.extend_from_slice(mac.get(..16).unwrap_or_default());
        Ok(civitas_core::keys::encode_base64url(&body))
    }

    /// Whether `nonce` is one of this process's, at most [`NONCE_TTL`] old, and unused.
    fn nonce_valid(&self, nonce: &str, now: i64) -> bool {
        let Ok(bytes) = civitas_core::keys::decode_base64url(nonce) else {
            return false;
        };
        let (Some(body), Some(tag)) = (bytes.get(..24), bytes.get(24..)) else {
            return false;
        };
        let expected = self.mac(body);
        if tag.len() != 16
            || !bool::from(subtle::ConstantTimeEq::ct_eq(
                tag,
                expected.get(..16).unwrap_or_default(),
            ))
        {
            return false;
        }
        let ts = body
            .get(..8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, i64::from_be_bytes);
        let ttl = i64::try_from(NONCE_TTL.as_secs()).unwrap_or(300);
        if now < ts - 5 || now - ts > ttl {
            return false;
        }
        self.used_nonces
            .lock()
            .is_ok_and(|used| !used.contains_key(nonce))
    }

    fn use_nonces(&self, nonces: &[String], now: i64) {
        if let Ok(mut used) = self.used_nonces.lock() {
            let ttl = i64::try_from(NONCE_TTL.as_secs()).unwrap_or(300);
            used.retain(|_, at| now - *at <= ttl + 5);
            for n in nonces {
                used.insert(n.clone(), now);
            }
        }
    }

    fn claim(&self, id: &str) -> Result<InFlight<'_>, VciError> {
        let mut set = self
            .in_flight
            .lock()
            .map_err(|_| internal("lock poisoned"))?;
        if !set.insert(id.to_owned()) {
            return Err(VciError::new(
                ErrorCode::InvalidGrant,
                "this offer is being redeemed by another request",
            ));
        }
        Ok(InFlight {
            set: &self.in_flight,
            id: id.to_owned(),
        })
    }

    /// The token endpoint: exchange a pre-authorized code and its PIN for an access token.
    pub(crate) fn token(&self, body: &[u8], now: i64) -> Result<TokenResponse, VciError> {
        let request = TokenRequest::from_form(body)?;
        let unknown = || {
            VciError::new(
                ErrorCode::InvalidGrant,
                "unknown, used or expired pre-authorized code",
            )
        };
        let id = offer_id(&request.pre_authorized_code);
        let _flight = self.claim(&id)?;
        let mut offer = self.state.read_offer(&id)?.ok_or_else(unknown)?;
        if offer.expires_at <= now {
            return Err(unknown());
        }
        match offer.state {
            OfferState::Offered => {}
            OfferState::Locked => {
                return Err(VciError::new(
                    ErrorCode::InvalidGrant,
                    "this offer is locked after too many wrong PINs: ask the university for a new one",
                ));
            }
            OfferState::TokenIssued | OfferState::Redeemed => return Err(unknown()),
        }
        let Some(pin) = request.tx_code.as_deref() else {
            return Err(VciError::new(
                ErrorCode::InvalidRequest,
                "this offer needs its PIN (tx_code)",
            ));
        };
        let given = hex_sha256(&[offer.pin_salt.as_bytes(), pin.as_bytes()]);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            given.as_bytes(),
            offer.pin_hash.as_bytes(),
        )) {
            offer.pin_attempts += 1;
            let left = MAX_PIN_ATTEMPTS.saturating_sub(offer.pin_attempts);
            if left == 0 {
                offer.state = OfferState::Locked;
                offer.values.clear();
            }
            self.state.write_offer(&offer)?;
            return Err(VciError::new(
                ErrorCode::InvalidGrant,
                if left == 0 {
                    "wrong PIN; the offer is now locked: ask the university for a new one".into()
                } else {
                    format!("wrong PIN ({left} attempts left)")
                },
            ));
        }
        let secret = civitas_core::keys::encode_base64url(&random_bytes::<32>()?);
        offer.state = OfferState::TokenIssued;
        offer.token_hash = Some(hex_sha256(&[secret.as_bytes()]));
        let ttl = TOKEN_TTL.as_secs();
        offer.token_expires_at = Some(now.saturating_add(i64::try_from(ttl).unwrap_or(600)));
        self.state.write_offer(&offer)?;
        Ok(TokenResponse::bearer(format!("{id}.{secret}"), ttl))
    }

    /// The credential endpoint: check the access token and the key proofs, issue one
    /// credential per proof, record what was issued, and only then answer. Nothing is kept
    /// of a request that fails (its reserved status indexes are released).
    pub(crate) fn credential(
        &self,
        authorization: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Value, VciError> {
        let bad_token = || {
            VciError::new(
                ErrorCode::InvalidToken,
                "a valid access token is required (Authorization: Bearer ...)",
            )
        };
        let token = authorization
            .and_then(|a| {
                a.strip_prefix("Bearer ")
                    .or_else(|| a.strip_prefix("bearer "))
            })
            .ok_or_else(bad_token)?;
        let (id, secret) = token.split_once('.').ok_or_else(bad_token)?;
        let _flight = self.claim(id).map_err(|_| bad_token())?;
        let mut offer = self.state.read_offer(id)?.ok_or_else(bad_token)?;
        let hash = hex_sha256(&[secret.as_bytes()]);
        let token_ok = offer.state == OfferState::TokenIssued
            && offer.token_expires_at.is_some_and(|t| t > now)
            && offer.token_hash.as_deref().is_some_and(|h| {
                bool::from(subtle::ConstantTimeEq::ct_eq(h.as_bytes(), hash.as_bytes()))
            });
        if !token_ok {
            return Err(bad_token());
        }
        let request = CredentialRequest::from_json(body)?;
        match &request.requested {
            Requested::Configuration(c) if *c == offer.configuration => {}
            Requested::Configuration(c) if self.config.credential(c).is_none() => {
                return Err(VciError::new(
                    ErrorCode::UnknownCredentialConfiguration,
                    "no such credential configuration",
                ));
            }
            Requested::Configuration(_) => {
                return Err(VciError::new(
                    ErrorCode::CredentialRequestDenied,
                    "this access token is for another credential configuration",
                ));
            }
            Requested::Identifier(_) => {
                return Err(VciError::new(
                    ErrorCode::UnknownCredentialIdentifier,
                    "this issuer gives no credential identifiers: use credential_configuration_id",
                ));
            }
        }
        let credential = self
            .config
            .credential(&offer.configuration)
            .ok_or_else(|| internal("an offer names a configuration no longer configured"))?;
        if credential
            .columns
            .iter()
            .any(|c| offer.values.get(c).is_none_or(|v| v.is_empty()))
        {
            return Err(VciError::new(
                ErrorCode::CredentialRequestDenied,
                "the data of this offer is no longer held (it expired): ask the university for a new offer",
            ));
        }
        let nonces_seen: Vec<String> = match &request.proofs {
            civitas_core::openid4vci::Proofs::Jwt(jwts) => jwts
                .iter()
                .filter_map(|j| {
                    let payload = j.split('.').nth(1)?;
                    let bytes = civitas_core::keys::decode_base64url(payload).ok()?;
                    let v: Value = serde_json::from_slice(&bytes).ok()?;
                    v.get("nonce")?.as_str().map(str::to_owned)
                })
                .collect(),
            civitas_core::openid4vci::Proofs::Commitment(_) => Vec::new(),
        };
        let valid = |n: &str| self.nonce_valid(n, now);
        let policy = ProofPolicy {
            credential_issuer: &self.base_url,
            now,
            batch_size: usize::try_from(self.config.batch_size).unwrap_or(1),
            nonce_valid: &valid,
        };
        let bindings = request.check_proofs(&credential.metadata, &policy)?;

        // Issue everything in memory first.
        let list = self.lists.get(&credential.id);
        let mut reserved: Vec<(u64, PathBuf)> = Vec::new();
        let release = |reserved: &[(u64, PathBuf)]| {
            for (_, marker) in reserved {
                let _ = std::fs::remove_file(marker);
            }
        };
        let mut issued = Vec::with_capacity(bindings.len());
        for binding in &bindings {
            let result = (|| -> Result<Value, VciError> {
                let mut doc = crate::commands::issue::fill(&credential.template, &|col| {
                    offer.values.get(col).cloned().unwrap_or_default()
                });
                let status = match list {
                    Some(l) => {
                        let r = self.state.reserve_index(l)?;
                        let index = r.0;
                        reserved.push(r);
                        Some((l, index))
                    }
                    None => None,
                };
                let refused = |e: civitas_core::Error| match e.kind() {
                    civitas_core::ErrorKind::VerificationFailed => {
                        VciError::new(ErrorCode::InvalidProof, e.to_string())
                    }
                    _ => VciError::new(
                        ErrorCode::CredentialRequestDenied,
                        format!("the credential could not be issued: {e}"),
                    ),
                };
                if let Some(sd) = &credential.sd_jwt {
                    let KeyBinding::Jwk(holder) = binding else {
                        return Err(internal(
                            "an SD-JWT VC configuration got a proof that is not a jwk",
                        ));
                    };
                    let key = self
                        .sd_keys
                        .get(&credential.id)
                        .ok_or_else(|| internal("the configuration's sd_jwt_key is not loaded"))?;
                    let status = status.map(|(l, idx)| StatusRef {
                        uri: l.url().to_owned(),
                        idx,
                    });
                    return issue_sd_jwt(
                        sd,
                        &doc,
                        &self.base_url,
                        Some(holder),
                        status.as_ref(),
                        now,
                        key,
                    )
                    .map(Value::String)
                    .map_err(|e| {
                        VciError::new(
                            ErrorCode::CredentialRequestDenied,
                            format!("the credential could not be issued: {e}"),
                        )
                    });
                }
                let status = match status {
                    Some((IssuingList::W3c(l), index)) => Some((l, index)),
                    Some((IssuingList::Token { .. }, _)) => {
                        return Err(internal("an ldp_vc configuration with a token status list"));
                    }
                    None => None,
                };
                let subject = doc
                    .get_mut("credentialSubject")
                    .and_then(Value::as_object_mut)
                    .ok_or_else(|| internal("the template has no credentialSubject object"))?;
                let signed = match binding {
                    KeyBinding::Did(did) => {
                        subject.insert("id".into(), did.clone().into());
                        self.core.issue(doc, status, &credential.mandatory)
                    }
                    KeyBinding::Commitment(c) => {
                        subject.remove("id");
                        self.core.issue_bound(doc, status, &credential.mandatory, c)
                    }
                    KeyBinding::Jwk(_) => {
                        return Err(internal("an ldp_vc configuration got a jwk proof"));
                    }
                };
                signed.map_err(refused)
            })();
            match result {
                Ok(v) => issued.push(v),
                Err(e) => {
                    release(&reserved);
                    return Err(e);
                }
            }
        }
        let record = IssuedRecord {
            version: 1,
            offer: offer.id.clone(),
            row: offer.row.clone(),
            configuration: offer.configuration.clone(),
            issued_at: now,
            status_list: list.map(|l| l.url().to_owned()),
            status_indexes: reserved.iter().map(|(i, _)| *i).collect(),
            binding: match bindings.first() {
                Some(KeyBinding::Did(_)) => "did".into(),
                Some(KeyBinding::Jwk(_)) => "jwk".into(),
                Some(KeyBinding::Commitment(c)) => c.feature.name().into(),
                None => "none".into(),
            },
        };
        let record_path = self
            .state
            .dir
            .join("issued")
            .join(format!("{}.json", offer.id));
        let written = serde_json::to_vec_pretty(&record)
            .map_err(internal)
            .and_then(|bytes| {
                write_atomic(&record_path, &bytes, true).map_err(|e| internal(e.message))
            });
        if let Err(e) = written {
            release(&reserved);
            return Err(e);
        }
        offer.state = OfferState::Redeemed;
        offer.values.clear();
        offer.token_hash = None;
        // On failure the record stays (the indexes are given); the credentials are not sent.
        self.state.write_offer(&offer)?;
        self.use_nonces(&nonces_seen, now);
        Ok(credential_response_json(&issued))
    }
}

/// The offer id of a pre-authorized code: the first 32 hex digits of its SHA-256.
fn offer_id(code: &str) -> String {
    hex_sha256(&[code.as_bytes()])
        .get(..32)
        .unwrap_or_default()
        .to_owned()
}

/// The offer object for `configuration` with `code`: a numeric PIN of the configured length.
fn offer_for(
    cfg: &IssuerConfig,
    issuer_url: &str,
    configuration: &str,
    code: String,
) -> CredentialOffer {
    CredentialOffer {
        credential_issuer: issuer_url.to_owned(),
        credential_configuration_ids: vec![configuration.to_owned()],
        pre_authorized_code: code,
        tx_code: Some(TxCode {
            input_mode: Some("numeric".into()),
            length: Some(cfg.pin_length),
            description: Some(
                "The PIN your university sent you separately (by letter, e-mail or text message)"
                    .into(),
            ),
        }),
    }
}

/// The link to put in a graduate's QR code: by reference (`credential_offer_uri`, a short
/// link and a small QR code) or by value (the whole offer in the link).
pub(crate) fn offer_link(created: &CreatedOffer, by_value: bool) -> String {
    if by_value {
        created.offer.to_url()
    } else {
        offer_uri_url(&format!(
            "{}/openid4vci/offers/{}",
            created.offer.credential_issuer, created.offer.pre_authorized_code
        ))
    }
}

/// The Unix time now (the handlers' clock).
pub(crate) fn now() -> i64 {
    now_unix()
}
