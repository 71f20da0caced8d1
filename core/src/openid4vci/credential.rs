//! The nonce endpoint ([OpenID4VCI 1.0 §7](https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-nonce-endpoint))
//! and the credential endpoint (§8): credential requests with their key proofs, and credential
//! responses, for `ldp_vc` credentials signed with bbs-2023 and for `dc+sd-jwt` SD-JWT VCs
//! (Appendix A.3).
//!
//! Two proof types bind what is issued to the wallet (§8.1):
//! - `jwt` (Appendix F.1): `typ` `openid4vci-proof+jwt`, ES256, `aud` the Credential Issuer
//!   Identifier, `iat`, `nonce` a `c_nonce`. For `ldp_vc` its `kid` is a did:key URL of a
//!   P-256 key and the credential is issued to that DID (`credentialSubject.id`): the
//!   identified kind. For `dc+sd-jwt` its `jwk` header is the wallet's public P-256 key (no
//!   `kid`, no `x5c`), which becomes the SD-JWT VC's `cnf.jwk`.
//! - [`COMMITMENT_PROOF_TYPE`]: a bbs-2023 credential request (`docs/formats.md`, "Credential
//!   requests"), a blind commitment to the wallet's holder secret and/or prover nym with its
//!   proof of knowledge. The credential is bound to those secrets: anonymous holder binding,
//!   pseudonyms, or both. The commitment's proof takes no nonce or audience (the Blind BBS
//!   draft's `Commit` has no input for them), so this proof type carries none; see
//!   `docs/formats.md` for why a replayed commitment gains an attacker nothing.

use serde_json::{Map, Value, json};

use super::metadata::{CredentialConfiguration, DC_SD_JWT, LDP_VC};
use super::{COMMITMENT_PROOF_TYPE, ErrorCode, JWT_PROOF_TYP, MAX_STRING_LEN, VciError, bad};
use crate::bbs2023::CommitmentRequest;
use crate::ecdsa::Signer;
use crate::jose::EcJwk;
use crate::jose::jws;
use crate::keys::PublicKey;

/// How far a key proof's `iat` may lie in the future or the past, in seconds (clock skew
/// between phone and server; freshness itself comes from the `c_nonce`).
pub const PROOF_IAT_WINDOW: i64 = 300;
/// Most proofs one credential request may carry, whatever the metadata says.
pub const MAX_PROOFS: usize = 16;

fn invalid(description: impl Into<String>) -> VciError {
    bad(ErrorCode::InvalidCredentialRequest, description)
}

fn invalid_proof(description: impl Into<String>) -> VciError {
    bad(ErrorCode::InvalidProof, description)
}

/// A nonce response (§7.2), for the wallet: the `c_nonce`.
pub fn read_nonce_response(bytes: &[u8]) -> Result<String, VciError> {
    let obj = super::parse_object(bytes, "nonce response", ErrorCode::InvalidRequest)?;
    if let Some(e) = super::token::error_of(&obj) {
        return Err(e);
    }
    match obj.get("c_nonce").and_then(Value::as_str) {
        Some(n) if !n.is_empty() && n.len() <= MAX_STRING_LEN => Ok(n.to_owned()),
        _ => Err(bad(
            ErrorCode::InvalidRequest,
            "the nonce response has no c_nonce",
        )),
    }
}

/// Which credential is asked for (§8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// `credential_configuration_id`.
    Configuration(String),
    /// `credential_identifier` (from the token response's `authorization_details`).
    Identifier(String),
}

/// The key proofs of a request, by proof type (exactly one type per request, §8.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proofs {
    /// `jwt`: compact JWTs.
    Jwt(Vec<String>),
    /// [`COMMITMENT_PROOF_TYPE`]: credential request documents.
    Commitment(Vec<Value>),
}

impl Proofs {
    /// How many proofs (credentials asked for).
    pub fn len(&self) -> usize {
        match self {
            Proofs::Jwt(v) => v.len(),
            Proofs::Commitment(v) => v.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The proof type's name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Proofs::Jwt(_) => "jwt",
            Proofs::Commitment(_) => COMMITMENT_PROOF_TYPE,
        }
    }
}

/// A credential request (§8.2), as the issuer reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRequest {
    /// What is asked for.
    pub requested: Requested,
    /// The key proofs.
    pub proofs: Proofs,
}

/// What one checked proof binds a credential to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyBinding {
    /// The DID of the proof's key (`jwt`, `ldp_vc`): the credential's `credentialSubject.id`.
    Did(String),
    /// A checked commitment (the count of values and its proof of knowledge verified): the
    /// credential is blind-signed over it.
    Commitment(CommitmentRequest),
    /// The public key of the proof's `jwk` header (`jwt`, `dc+sd-jwt`), without a `kid`: the
    /// SD-JWT VC's `cnf.jwk`.
    Jwk(EcJwk),
}

/// What the issuer checks key proofs against.
pub struct ProofPolicy<'a> {
    /// The Credential Issuer Identifier (`aud`).
    pub credential_issuer: &'a str,
    /// The server's time, Unix seconds.
    pub now: i64,
    /// The most proofs a request may carry (`batch_size`, or 1 without batch issuance).
    pub batch_size: usize,
    /// Whether a `c_nonce` is one the server gave out and still valid.
    pub nonce_valid: &'a dyn Fn(&str) -> bool,
}

impl std::fmt::Debug for ProofPolicy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofPolicy")
            .field("credential_issuer", &self.credential_issuer)
            .field("now", &self.now)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl CredentialRequest {
    /// Read a credential request body (`application/json`). Unknown members are ignored
    /// (§8.2); `credential_response_encryption` is refused, as this issuer offers none.
    pub fn from_json(bytes: &[u8]) -> Result<CredentialRequest, VciError> {
        let obj = super::parse_object(
            bytes,
            "credential request",
            ErrorCode::InvalidCredentialRequest,
        )?;
        let text = |k: &str| -> Result<Option<String>, VciError> {
            match obj.get(k) {
                None => Ok(None),
                Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_STRING_LEN => {
                    Ok(Some(s.clone()))
                }
                Some(_) => Err(invalid(format!("{k} must be a non-empty string"))),
            }
        };
        let requested = match (
            text("credential_configuration_id")?,
            text("credential_identifier")?,
        ) {
            (Some(c), None) => Requested::Configuration(c),
            (None, Some(i)) => Requested::Identifier(i),
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "give credential_configuration_id or credential_identifier, not both",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "credential_configuration_id (or credential_identifier) is missing",
                ));
            }
        };
        if obj.contains_key("credential_response_encryption") {
            return Err(bad(
                ErrorCode::InvalidEncryptionParameters,
                "this issuer does not encrypt credential responses (it offers no credential_response_encryption)",
            ));
        }
        let proofs = match obj.get("proofs") {
            // `proof` (singular) is from the drafts; beside `proofs` it is an unrecognized
            // member and ignored (§8.2), alone it is named in the error.
            None if obj.contains_key("proof") => {
                return Err(invalid_proof(
                    "proofs is missing (proof, singular, is from the drafts: OpenID4VCI 1.0 uses proofs)",
                ));
            }
            None => return Err(invalid_proof("proofs is missing")),
            Some(Value::Object(p)) => {
                if p.len() != 1 {
                    return Err(invalid_proof("proofs holds exactly one proof type"));
                }
                let (name, list) = p
                    .iter()
                    .next()
                    .ok_or_else(|| invalid_proof("proofs is empty"))?;
                let list = list.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
                    invalid_proof(format!("proofs.{name} must be a non-empty array"))
                })?;
                if list.len() > MAX_PROOFS {
                    return Err(invalid_proof(format!(
                        "at most {MAX_PROOFS} proofs in a request"
                    )));
                }
                match name.as_str() {
                    "jwt" => Proofs::Jwt(
                        list.iter()
                            .map(|j| {
                                j.as_str()
                                    .map(str::to_owned)
                                    .ok_or_else(|| invalid_proof("a jwt proof is a string"))
                            })
                            .collect::<Result<_, _>>()?,
                    ),
                    COMMITMENT_PROOF_TYPE => Proofs::Commitment(list.clone()),
                    other => {
                        return Err(invalid_proof(format!(
                            "proof type {} is not supported",
                            other.chars().take(64).collect::<String>()
                        )));
                    }
                }
            }
            Some(_) => return Err(invalid_proof("proofs must be an object")),
        };
        Ok(CredentialRequest { requested, proofs })
    }

    /// Check every key proof against `configuration` and `policy`: the proof type is one the
    /// configuration accepts, there are at most `batch_size` proofs, each verifies, and no
    /// key or commitment appears twice. One binding per proof, in order; nothing is
    /// consumed (the caller marks the nonce used once it has issued).
    pub fn check_proofs(
        &self,
        configuration: &CredentialConfiguration,
        policy: &ProofPolicy<'_>,
    ) -> Result<Vec<KeyBinding>, VciError> {
        let name = self.proofs.type_name();
        let Some(accepted) = configuration.proof_types_supported.get(name) else {
            return Err(invalid_proof(format!(
                "this credential configuration does not accept {name} proofs"
            )));
        };
        if self.proofs.len() > policy.batch_size.max(1) {
            return Err(invalid_proof(format!(
                "{} proofs, but at most {} credentials are issued per request (batch_size)",
                self.proofs.len(),
                policy.batch_size.max(1)
            )));
        }
        let mut bindings: Vec<KeyBinding> = Vec::with_capacity(self.proofs.len());
        match &self.proofs {
            Proofs::Jwt(jwts) => {
                let key_in = match configuration.format.as_str() {
                    LDP_VC => ProofKey::Kid,
                    DC_SD_JWT => ProofKey::Jwk,
                    _ => {
                        return Err(bad(
                            ErrorCode::UnknownCredentialConfiguration,
                            "this issuer takes jwt proofs for ldp_vc and dc+sd-jwt credentials only",
                        ));
                    }
                };
                for (i, jwt) in jwts.iter().enumerate() {
                    let binding = verify_jwt_proof(jwt, policy, key_in).map_err(|e| {
                        VciError::new(e.code, format!("proof {i}: {}", e.description))
                    })?;
                    if bindings.contains(&binding) {
                        return Err(invalid_proof(format!(
                            "proof {i}: its key is already in another proof (each key binds one credential)"
                        )));
                    }
                    bindings.push(binding);
                }
            }
            Proofs::Commitment(docs) => {
                for (i, doc) in docs.iter().enumerate() {
                    let at = |d: String| invalid_proof(format!("proof {i}: {d}"));
                    let request =
                        CommitmentRequest::from_json(doc).map_err(|e| at(e.to_string()))?;
                    if !accepted
                        .features
                        .iter()
                        .any(|f| f == request.feature.name())
                    {
                        return Err(at(format!(
                            "this credential configuration does not bind to {}",
                            request.feature.name()
                        )));
                    }
                    request.check().map_err(|e| at(e.to_string()))?;
                    let binding = KeyBinding::Commitment(request);
                    if bindings.contains(&binding) {
                        return Err(at("the same commitment is in another proof".into()));
                    }
                    bindings.push(binding);
                }
            }
        }
        Ok(bindings)
    }
}

/// Where a `jwt` key proof names its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProofKey {
    /// `kid`, a did:key URL (`ldp_vc`: issued to the DID).
    Kid,
    /// `jwk`, a public P-256 JWK (`dc+sd-jwt`: its `cnf.jwk`).
    Jwk,
}

/// Check one `jwt` key proof (Appendix F.1, F.4): its key (named as `key_in` says), its
/// signature, `aud`, `iat` and `nonce`; what the credential is bound to.
fn verify_jwt_proof(
    jwt: &str,
    policy: &ProofPolicy<'_>,
    key_in: ProofKey,
) -> Result<KeyBinding, VciError> {
    if jwt.len() > 16 * 1024 {
        return Err(invalid_proof("the key proof is too long"));
    }
    let header_segment = jwt.split('.').next().unwrap_or("");
    let header_bytes = crate::keys::decode_base64url(header_segment)
        .map_err(|_| invalid_proof("the key proof's header is not base64url"))?;
    let header = match crate::json::parse(&header_bytes, &crate::json::JsonLimits::default()) {
        Ok(Value::Object(h)) => h,
        _ => return Err(invalid_proof("the key proof's header is not a JSON object")),
    };
    if header.get("typ").and_then(Value::as_str) != Some(JWT_PROOF_TYP) {
        return Err(invalid_proof(
            "the key proof's typ must be openid4vci-proof+jwt",
        ));
    }
    let (key, binding) = match key_in {
        ProofKey::Kid => {
            if header.contains_key("jwk") || header.contains_key("x5c") {
                return Err(invalid_proof(
                    "this issuer binds credentials to a did:key: name the key with kid (a did:key URL), not jwk or x5c",
                ));
            }
            let kid = header
                .get("kid")
                .and_then(Value::as_str)
                .ok_or_else(|| invalid_proof("the key proof's header has no kid"))?;
            let key = crate::did::parse_verification_method(kid)
                .map_err(|e| invalid_proof(format!("kid: {e}")))?;
            if !matches!(key, PublicKey::P256 { .. }) {
                return Err(invalid_proof(
                    "kid must name a P-256 key (the key proof is ES256)",
                ));
            }
            let did = crate::did::did_of_url(kid).to_owned();
            (key, KeyBinding::Did(did))
        }
        ProofKey::Jwk => {
            // Appendix F.1: kid, jwk and x5c exclude each other; the credential is bound to
            // the jwk, so it is the one this issuer takes.
            if header.contains_key("x5c") || header.contains_key("trust_chain") {
                return Err(invalid_proof(
                    "this issuer binds SD-JWT VCs to the key in the jwk header: x5c and trust_chain are not accepted",
                ));
            }
            let Some(jwk) = header.get("jwk") else {
                return Err(invalid_proof(
                    "the key proof's header has no jwk (the public key the SD-JWT VC is bound to)",
                ));
            };
            if header.contains_key("kid") {
                return Err(invalid_proof(
                    "the key proof's header has both kid and jwk (Appendix F.1 allows one of them)",
                ));
            }
            if !jwk.is_object() {
                return Err(invalid_proof("the key proof's jwk is not a JSON object"));
            }
            let mut jwk = EcJwk::from_json(jwk)
                .map_err(|e| invalid_proof(format!("the key proof's jwk: {e}")))?;
            jwk.kid = None;
            (jwk.public_key(), KeyBinding::Jwk(jwk))
        }
    };
    let verified =
        jws::verify(jwt, &key).map_err(|e| invalid_proof(format!("the key proof: {e}")))?;
    let claims = match crate::json::parse(verified.payload(), &crate::json::JsonLimits::default()) {
        Ok(Value::Object(c)) => c,
        _ => {
            return Err(invalid_proof(
                "the key proof's payload is not a JSON object",
            ));
        }
    };
    if claims.get("aud").and_then(Value::as_str) != Some(policy.credential_issuer) {
        return Err(invalid_proof(
            "the key proof's aud is not this Credential Issuer Identifier",
        ));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid_proof("the key proof has no iat (a number)"))?;
    if iat.abs_diff(policy.now) > PROOF_IAT_WINDOW.unsigned_abs() {
        return Err(invalid_proof(format!(
            "the key proof's iat is more than {PROOF_IAT_WINDOW} s from the server's time"
        )));
    }
    match claims.get("nonce") {
        None => {
            return Err(invalid_proof(
                "the key proof has no nonce: get a c_nonce from the nonce endpoint",
            ));
        }
        Some(Value::String(n)) if (policy.nonce_valid)(n) => {}
        Some(_) => {
            return Err(bad(
                ErrorCode::InvalidNonce,
                "the key proof's nonce is not a valid c_nonce: fetch a new one",
            ));
        }
    }
    Ok(binding)
}

/// A `jwt` key proof signed by `signer` (the wallet's device key, P-256), its `kid` the
/// key's did:key verification method: for `audience` (the Credential Issuer Identifier),
/// with `nonce` and `iat` (Unix seconds). No `iss`: the token came from anonymous access.
/// For `ldp_vc` credentials issued to the key's DID.
pub fn jwt_proof(
    signer: &dyn Signer,
    audience: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, crate::Error> {
    let key = signer.public_key();
    let mut header = Map::new();
    header.insert("typ".into(), JWT_PROOF_TYP.into());
    header.insert(
        "kid".into(),
        crate::did::verification_method_id(&key).into(),
    );
    sign_proof(header, signer, audience, nonce, iat)
}

/// A `jwt` key proof signed by `signer` with the key's public JWK in the `jwk` header (and
/// no `kid`): for a `dc+sd-jwt` credential bound to that key (`cnf.jwk`). Otherwise as
/// [`jwt_proof`].
pub fn jwt_proof_jwk(
    signer: &dyn Signer,
    audience: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, crate::Error> {
    let jwk = EcJwk::from_public_key(&signer.public_key(), None)
        .map_err(|_| crate::Error::Crypto("the signer's key is not P-256"))?;
    let mut header = Map::new();
    header.insert("typ".into(), JWT_PROOF_TYP.into());
    header.insert("jwk".into(), jwk.to_json());
    sign_proof(header, signer, audience, nonce, iat)
}

fn sign_proof(
    header: Map<String, Value>,
    signer: &dyn Signer,
    audience: &str,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, crate::Error> {
    let mut claims = Map::new();
    claims.insert("aud".into(), audience.into());
    claims.insert("iat".into(), iat.into());
    if let Some(n) = nonce {
        claims.insert("nonce".into(), n.into());
    }
    let payload = serde_json::to_vec(&Value::Object(claims))
        .map_err(|_| crate::Error::Crypto("cannot serialize a key proof"))?;
    jws::sign(&header, &payload, signer)
}

/// A credential request body for `configuration_id` with `proofs`.
pub fn credential_request_json(configuration_id: &str, proofs: &Proofs) -> Value {
    let list = match proofs {
        Proofs::Jwt(j) => Value::from(j.clone()),
        Proofs::Commitment(c) => Value::from(c.clone()),
    };
    json!({
        "credential_configuration_id": configuration_id,
        "proofs": {proofs.type_name(): list},
    })
}

/// A credential response (§8.3) with `credentials`: each an `ldp_vc` (a JSON object) or a
/// `dc+sd-jwt` SD-JWT VC (a JSON string holding its compact form, Appendix A.3.4).
pub fn credential_response_json(credentials: &[Value]) -> Value {
    json!({
        "credentials": credentials
            .iter()
            .map(|c| json!({"credential": c}))
            .collect::<Vec<_>>()
    })
}

/// What a credential endpoint issued, by format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuedCredentials {
    /// `ldp_vc`: each a JSON object.
    LdpVc(Vec<Value>),
    /// `dc+sd-jwt`: each the compact SD-JWT VC (Appendix A.3.4: a string, not re-encoded).
    SdJwtVc(Vec<String>),
}

impl IssuedCredentials {
    /// How many.
    pub fn len(&self) -> usize {
        match self {
            IssuedCredentials::LdpVc(v) => v.len(),
            IssuedCredentials::SdJwtVc(v) => v.len(),
        }
    }

    /// Whether there are none (never, as read).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Read a credential endpoint's answer for a configuration of `format` ([`LDP_VC`] or
/// [`DC_SD_JWT`]), for the wallet: the issued credentials (JSON objects for `ldp_vc`, strings
/// for `dc+sd-jwt`; anything else is refused), or the error response as the error. A
/// deferred answer (`transaction_id`) is refused: this wallet does not poll.
pub fn read_issued_credentials(bytes: &[u8], format: &str) -> Result<IssuedCredentials, VciError> {
    let obj = super::parse_object(bytes, "credential response", ErrorCode::InvalidRequest)?;
    if let Some(e) = super::token::error_of(&obj) {
        return Err(e);
    }
    if obj.contains_key("transaction_id") {
        return Err(bad(
            ErrorCode::InvalidRequest,
            "the issuer deferred issuance (transaction_id); deferred issuance is not supported",
        ));
    }
    let list = obj
        .get("credentials")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad(ErrorCode::InvalidRequest, "the response has no credentials"))?;
    if list.len() > MAX_PROOFS {
        return Err(bad(
            ErrorCode::InvalidRequest,
            format!("the response has more than {MAX_PROOFS} credentials"),
        ));
    }
    let entries = list.iter().map(|c| {
        c.get("credential").ok_or_else(|| {
            bad(
                ErrorCode::InvalidRequest,
                "a credentials entry has no credential",
            )
        })
    });
    match format {
        LDP_VC => entries
            .map(|c| match c? {
                v @ Value::Object(_) => Ok(v.clone()),
                _ => Err(bad(
                    ErrorCode::InvalidRequest,
                    "an ldp_vc credential must be a JSON object",
                )),
            })
            .collect::<Result<_, _>>()
            .map(IssuedCredentials::LdpVc),
        DC_SD_JWT => entries
            .map(|c| match c? {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                _ => Err(bad(
                    ErrorCode::InvalidRequest,
                    "a dc+sd-jwt credential must be a string (the compact SD-JWT VC)",
                )),
            })
            .collect::<Result<_, _>>()
            .map(IssuedCredentials::SdJwtVc),
        _ => Err(bad(
            ErrorCode::UnknownCredentialConfiguration,
            "this wallet reads ldp_vc and dc+sd-jwt credentials only",
        )),
    }
}

/// Read a credential endpoint's answer, for the wallet: the issued credentials (JSON
/// objects, as `ldp_vc` requires), or the error response as the error. A deferred answer
/// (`transaction_id`) is refused: this wallet does not poll. For `dc+sd-jwt` use
/// [`read_issued_credentials`].
pub fn read_credential_response(bytes: &[u8]) -> Result<Vec<Value>, VciError> {
    match read_issued_credentials(bytes, LDP_VC)? {
        IssuedCredentials::LdpVc(v) => Ok(v),
        IssuedCredentials::SdJwtVc(_) => Err(bad(
            ErrorCode::InvalidRequest,
            "an ldp_vc credential must be a JSON object",
        )),
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::bbs2023::Feature;
    use crate::ecdsa::DeviceKey;
    use crate::openid4vci::metadata::ProofTypeMetadata;
    use std::collections::BTreeMap;

    const ISSUER: &str = "https://uni.example";
    const NOW: i64 = 1_800_000_000;

    fn configuration() -> CredentialConfiguration {
        let mut proofs = BTreeMap::new();
        proofs.insert(
            "jwt".to_owned(),
            ProofTypeMetadata {
                proof_signing_alg_values_supported: vec!["ES256".into()],
                features: vec![],
            },
        );
        proofs.insert(
            COMMITMENT_PROOF_TYPE.to_owned(),
            ProofTypeMetadata {
                proof_signing_alg_values_supported: vec!["bbs-2023".into()],
                features: vec!["anonymous_holder_binding".into()],
            },
        );
        CredentialConfiguration {
            format: "ldp_vc".into(),
            scope: None,
            credential_definition: None,
            vct: None,
            credential_signing_alg_values_supported: vec![],
            cryptographic_binding_methods_supported: vec!["did:key".into()],
            proof_types_supported: proofs,
            credential_metadata: None,
        }
    }

    /// The proofs of `body` checked for `configuration` (nonce "fresh", batches of two).
    fn check_for(
        configuration: &CredentialConfiguration,
        body: &Value,
    ) -> Result<Vec<KeyBinding>, VciError> {
        let valid = |n: &str| n == "fresh";
        let policy = ProofPolicy {
            credential_issuer: ISSUER,
            now: NOW,
            batch_size: 2,
            nonce_valid: &valid,
        };
        CredentialRequest::from_json(body.to_string().as_bytes())?
            .check_proofs(configuration, &policy)
    }

    fn check(body: &Value) -> Result<Vec<KeyBinding>, VciError> {
        check_for(&configuration(), body)
    }

    fn jwt_body(proofs: Vec<String>) -> Value {
        credential_request_json("diploma", &Proofs::Jwt(proofs))
    }

    fn sd_jwt_configuration() -> CredentialConfiguration {
        let mut proofs = BTreeMap::new();
        proofs.insert(
            "jwt".to_owned(),
            ProofTypeMetadata {
                proof_signing_alg_values_supported: vec!["ES256".into()],
                features: vec![],
            },
        );
        CredentialConfiguration {
            format: DC_SD_JWT.into(),
            scope: None,
            credential_definition: None,
            vct: Some("https://uni.example/pid".into()),
            credential_signing_alg_values_supported: vec!["ES256".into()],
            cryptographic_binding_methods_supported: vec!["jwk".into()],
            proof_types_supported: proofs,
            credential_metadata: None,
        }
    }

    fn check_sd(body: &Value) -> Result<Vec<KeyBinding>, VciError> {
        check_for(&sd_jwt_configuration(), body)
    }

    /// A proof with `header` (typ added) and the usual claims, signed by `key`.
    fn proof_with(header: Value, key: &DeviceKey, nonce: &str) -> String {
        let Value::Object(mut h) = header else {
            unreachable!()
        };
        h.insert("typ".into(), JWT_PROOF_TYP.into());
        let payload = json!({"aud": ISSUER, "iat": NOW, "nonce": nonce}).to_string();
        jws::sign(&h, payload.as_bytes(), key).unwrap()
    }

    #[test]
    fn a_jwk_proof_binds_its_key_for_dc_sd_jwt() {
        let key = DeviceKey::generate().unwrap();
        let other = DeviceKey::generate().unwrap();
        let proofs = vec![
            jwt_proof_jwk(&key, ISSUER, Some("fresh"), NOW).unwrap(),
            jwt_proof_jwk(&other, ISSUER, Some("fresh"), NOW).unwrap(),
        ];
        let bindings = check_sd(&jwt_body(proofs)).unwrap();
        let expected: Vec<KeyBinding> = [&key, &other]
            .iter()
            .map(|k| {
                KeyBinding::Jwk(
                    EcJwk::from_public_key(&crate::ecdsa::Signer::public_key(*k), None).unwrap(),
                )
            })
            .collect();
        assert_eq!(bindings, expected);
        // A kid inside the JWK is dropped: cnf.jwk is the bare key.
        let mut jwk = EcJwk::from_public_key(&crate::ecdsa::Signer::public_key(&key), None)
            .unwrap()
            .to_json();
        jwk["kid"] = "k1".into();
        let bindings = check_sd(&jwt_body(vec![proof_with(
            json!({"jwk": jwk}),
            &key,
            "fresh",
        )]))
        .unwrap();
        assert_eq!(bindings, expected[..1]);
        // The same key twice is one credential, not two.
        let twice = vec![
            jwt_proof_jwk(&key, ISSUER, Some("fresh"), NOW).unwrap(),
            jwt_proof_jwk(&key, ISSUER, Some("fresh"), NOW).unwrap(),
        ];
        let e = check_sd(&jwt_body(twice)).unwrap_err();
        assert!(e.description.contains("already"), "{e}");
    }

    #[test]
    fn bad_jwk_proofs_are_refused_for_dc_sd_jwt() {
        let key = DeviceKey::generate().unwrap();
        let public = crate::ecdsa::Signer::public_key(&key);
        let jwk = EcJwk::from_public_key(&public, None).unwrap().to_json();
        let kid = crate::did::verification_method_id(&public);
        // A private JWK in the header: the key's scalar must never travel.
        let mut private = jwk.clone();
        private["d"] = crate::jose::b64(&[7u8; 32]).into();
        let other = DeviceKey::generate().unwrap();
        let other_jwk = EcJwk::from_public_key(&crate::ecdsa::Signer::public_key(&other), None)
            .unwrap()
            .to_json();
        let cases: Vec<(String, ErrorCode, &str)> = vec![
            (
                proof_with(json!({"jwk": private}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "private key",
            ),
            (
                proof_with(json!({"jwk": jwk, "kid": kid}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "both kid and jwk",
            ),
            (
                proof_with(json!({"kid": kid}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "no jwk",
            ),
            (
                proof_with(json!({}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "no jwk",
            ),
            (
                proof_with(json!({"jwk": jwk, "x5c": ["MIIB"]}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "x5c",
            ),
            (
                proof_with(
                    json!({"jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}),
                    &key,
                    "fresh",
                ),
                ErrorCode::InvalidProof,
                "jwk",
            ),
            (
                proof_with(json!({"jwk": "not an object"}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "not a JSON object",
            ),
            (
                jwt_proof_jwk(&key, ISSUER, Some("stale"), NOW).unwrap(),
                ErrorCode::InvalidNonce,
                "nonce",
            ),
            (
                jwt_proof_jwk(&key, ISSUER, None, NOW).unwrap(),
                ErrorCode::InvalidProof,
                "no nonce",
            ),
            (
                jwt_proof_jwk(&key, "https://other.example", Some("fresh"), NOW).unwrap(),
                ErrorCode::InvalidProof,
                "aud",
            ),
            (
                jwt_proof_jwk(&key, ISSUER, Some("fresh"), NOW + 3600).unwrap(),
                ErrorCode::InvalidProof,
                "iat",
            ),
            // Signed by another key than the one in the header.
            (
                proof_with(json!({"jwk": other_jwk}), &key, "fresh"),
                ErrorCode::InvalidProof,
                "signature",
            ),
        ];
        for (proof, code, why) in cases {
            let e = check_sd(&jwt_body(vec![proof])).unwrap_err();
            assert_eq!(e.code, code, "{e}");
            assert!(e.description.contains(why), "{why}: {e}");
        }
        // A wrong typ.
        let Value::Object(h) = json!({"typ": "JWT", "jwk": jwk}) else {
            unreachable!()
        };
        let payload = json!({"aud": ISSUER, "iat": NOW, "nonce": "fresh"}).to_string();
        let e = check_sd(&jwt_body(vec![
            jws::sign(&h, payload.as_bytes(), &key).unwrap(),
        ]))
        .unwrap_err();
        assert!(e.description.contains("typ"), "{e}");
        // A did:key proof (kid) is still the ldp_vc kind, and a jwk one is refused there.
        let e = check(&jwt_body(vec![
            jwt_proof_jwk(&key, ISSUER, Some("fresh"), NOW).unwrap(),
        ]))
        .unwrap_err();
        assert!(e.description.contains("not jwk or x5c"), "{e}");
        // A commitment for an SD-JWT VC configuration: it accepts jwt proofs only.
        let secret = crate::bbs::blind::HolderSecret::generate().unwrap();
        let (request, _) = crate::bbs2023::commitment_request(
            Feature::AnonymousHolderBinding,
            Some(&secret),
            None,
        )
        .unwrap();
        let e = check_sd(&credential_request_json(
            "pid",
            &Proofs::Commitment(vec![request.to_json()]),
        ))
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidProof);
    }

    #[test]
    fn a_jwt_proof_binds_its_did() {
        let key = DeviceKey::generate().unwrap();
        let proof = jwt_proof(&key, ISSUER, Some("fresh"), NOW).unwrap();
        let bindings = check(&jwt_body(vec![proof])).unwrap();
        let did = crate::did::did_key(&crate::ecdsa::Signer::public_key(&key));
        assert_eq!(bindings, [KeyBinding::Did(did)]);
    }

    #[test]
    fn bad_jwt_proofs_get_the_spec_codes() {
        let key = DeviceKey::generate().unwrap();
        let other = DeviceKey::generate().unwrap();
        let cases: Vec<(String, ErrorCode, &str)> = vec![
            (
                jwt_proof(&key, ISSUER, Some("stale"), NOW).unwrap(),
                ErrorCode::InvalidNonce,
                "nonce",
            ),
            (
                jwt_proof(&key, ISSUER, None, NOW).unwrap(),
                ErrorCode::InvalidProof,
                "no nonce",
            ),
            (
                jwt_proof(&key, "https://other.example", Some("fresh"), NOW).unwrap(),
                ErrorCode::InvalidProof,
                "aud",
            ),
            (
                jwt_proof(&key, ISSUER, Some("fresh"), NOW - 3600).unwrap(),
                ErrorCode::InvalidProof,
                "iat",
            ),
            ("a.b.c".into(), ErrorCode::InvalidProof, "header"),
        ];
        for (proof, code, why) in cases {
            let e = check(&jwt_body(vec![proof])).unwrap_err();
            assert_eq!(e.code, code, "{e}");
            assert!(e.description.contains(why), "{e}");
        }
        // A proof whose signature is another key's.
        let good = jwt_proof(&key, ISSUER, Some("fresh"), NOW).unwrap();
        let forged = jwt_proof(&other, ISSUER, Some("fresh"), NOW).unwrap();
        let (h, _) = good.rsplit_once('.').unwrap();
        let (_, sig) = forged.rsplit_once('.').unwrap();
        let e = check(&jwt_body(vec![format!("{h}.{sig}")])).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidProof);
        // The same key twice; more proofs than batch_size.
        let e = check(&jwt_body(vec![good.clone(), good.clone()])).unwrap_err();
        assert!(e.description.contains("already"), "{e}");
        let e = check(&jwt_body(vec![good.clone(), good.clone(), good])).unwrap_err();
        assert!(e.description.contains("batch_size"), "{e}");
    }

    #[test]
    fn a_wrong_typ_or_a_jwk_header_is_refused() {
        let key = DeviceKey::generate().unwrap();
        let kid = crate::did::verification_method_id(&crate::ecdsa::Signer::public_key(&key));
        let payload = json!({"aud": ISSUER, "iat": NOW, "nonce": "fresh"}).to_string();
        for (header, why) in [
            (json!({"typ": "JWT", "kid": kid}), "typ"),
            (json!({"typ": JWT_PROOF_TYP, "kid": kid, "jwk": {}}), "jwk"),
            (json!({"typ": JWT_PROOF_TYP}), "kid"),
        ] {
            let Value::Object(h) = header else {
                unreachable!()
            };
            let jwt = jws::sign(&h, payload.as_bytes(), &key).unwrap();
            let e = check(&jwt_body(vec![jwt])).unwrap_err();
            assert!(e.description.contains(why), "{e}");
        }
    }

    #[test]
    fn commitments_are_checked() {
        let secret = crate::bbs::blind::HolderSecret::generate().unwrap();
        let (request, _blind) = crate::bbs2023::commitment_request(
            Feature::AnonymousHolderBinding,
            Some(&secret),
            None,
        )
        .unwrap();
        let body = credential_request_json("diploma", &Proofs::Commitment(vec![request.to_json()]));
        assert_eq!(
            check(&body).unwrap(),
            [KeyBinding::Commitment(request.clone())]
        );
        // The same commitment twice.
        let twice = credential_request_json(
            "diploma",
            &Proofs::Commitment(vec![request.to_json(), request.to_json()]),
        );
        assert!(
            check(&twice)
                .unwrap_err()
                .description
                .contains("another proof")
        );
        // A feature the configuration does not bind to.
        let nym = crate::bbs::pseudonym::ProverNym::generate().unwrap();
        let (p, _) =
            crate::bbs2023::commitment_request(Feature::Pseudonym, None, Some(&nym)).unwrap();
        let e = check(&credential_request_json(
            "diploma",
            &Proofs::Commitment(vec![p.to_json()]),
        ))
        .unwrap_err();
        assert!(e.description.contains("does not bind to pseudonym"), "{e}");
        // A damaged commitment proof.
        let mut bytes = request.commitment.to_bytes();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let mut doc = request.to_json();
        doc["commitmentWithProof"] = crate::keys::Base::Base64Url.encode(&bytes).into();
        let e = check(&credential_request_json(
            "diploma",
            &Proofs::Commitment(vec![doc]),
        ))
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidProof, "{e}");
    }

    #[test]
    fn a_kid_of_another_key_type_or_a_commitment_of_the_wrong_size_is_refused() {
        // A BBS (BLS12-381 G2) did:key cannot sign ES256.
        let bls = crate::keys::PublicKey::Bls12381G2(
            crate::bbs::SecretKey::generate(crate::bbs::Ciphersuite::Bls12381Sha256)
                .unwrap()
                .public_key()
                .to_bytes(),
        );
        let kid = crate::did::verification_method_id(&bls);
        let key = DeviceKey::generate().unwrap();
        let payload = json!({"aud": ISSUER, "iat": NOW, "nonce": "fresh"}).to_string();
        let Value::Object(h) = json!({"typ": JWT_PROOF_TYP, "kid": kid}) else {
            unreachable!()
        };
        let jwt = jws::sign(&h, payload.as_bytes(), &key).unwrap();
        let e = check(&jwt_body(vec![jwt])).unwrap_err();
        assert!(e.description.contains("P-256"), "{e}");
        // A holder_binding_pseudonym request carrying a one-value commitment.
        let secret = crate::bbs::blind::HolderSecret::generate().unwrap();
        let (one, _) = crate::bbs2023::commitment_request(
            Feature::AnonymousHolderBinding,
            Some(&secret),
            None,
        )
        .unwrap();
        let mut doc = one.to_json();
        doc["feature"] = "holder_binding_pseudonym".into();
        let mut configuration = configuration();
        configuration
            .proof_types_supported
            .get_mut(COMMITMENT_PROOF_TYPE)
            .unwrap()
            .features
            .push("holder_binding_pseudonym".into());
        let valid = |n: &str| n == "fresh";
        let policy = ProofPolicy {
            credential_issuer: ISSUER,
            now: NOW,
            batch_size: 2,
            nonce_valid: &valid,
        };
        let body = credential_request_json("diploma", &Proofs::Commitment(vec![doc]));
        let e = CredentialRequest::from_json(body.to_string().as_bytes())
            .unwrap()
            .check_proofs(&configuration, &policy)
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidProof);
        assert!(e.description.contains("committed"), "{e}");
    }

    #[test]
    fn malformed_requests() {
        for (body, code) in [
            (
                json!({"proofs": {"jwt": ["x"]}}),
                ErrorCode::InvalidCredentialRequest,
            ),
            (
                json!({"credential_configuration_id": "d"}),
                ErrorCode::InvalidProof,
            ),
            (
                json!({"credential_configuration_id": "d", "proofs": {"jwt": []}}),
                ErrorCode::InvalidProof,
            ),
            (
                json!({"credential_configuration_id": "d", "proofs": {"di_vp": [{}]}}),
                ErrorCode::InvalidProof,
            ),
            (
                json!({"credential_configuration_id": "d", "proofs": {"jwt": ["x"], COMMITMENT_PROOF_TYPE: [{}]}}),
                ErrorCode::InvalidProof,
            ),
            (
                json!({"credential_configuration_id": "d", "credential_identifier": "i", "proofs": {"jwt": ["x"]}}),
                ErrorCode::InvalidCredentialRequest,
            ),
            (
                json!({"credential_configuration_id": "d", "proofs": {"jwt": ["x"]}, "credential_response_encryption": {}}),
                ErrorCode::InvalidEncryptionParameters,
            ),
        ] {
            assert_eq!(
                CredentialRequest::from_json(body.to_string().as_bytes())
                    .unwrap_err()
                    .code,
                code,
                "{body}"
            );
        }
    }

    #[test]
    fn a_draft_proof_member_beside_proofs_is_ignored() {
        let body = json!({"credential_configuration_id": "d", "proofs": {"jwt": ["x"]}, "proof": {"proof_type": "jwt"}});
        let r = CredentialRequest::from_json(body.to_string().as_bytes()).unwrap();
        assert_eq!(r.proofs, Proofs::Jwt(vec!["x".into()]));
    }

    #[test]
    fn responses() {
        let c = json!({"@context": [], "type": ["VerifiableCredential"]});
        let body = credential_response_json(std::slice::from_ref(&c)).to_string();
        assert_eq!(read_credential_response(body.as_bytes()).unwrap(), [c]);
        assert!(read_credential_response(br#"{"transaction_id":"x","interval":5}"#).is_err());
        assert!(
            read_credential_response(br#"{"credentials":[{"credential":"a string"}]}"#).is_err()
        );
        assert_eq!(
            read_credential_response(br#"{"error":"invalid_nonce"}"#)
                .unwrap_err()
                .code,
            ErrorCode::InvalidNonce
        );
        assert_eq!(read_nonce_response(br#"{"c_nonce":"n1"}"#).unwrap(), "n1");
    }

    #[test]
    fn sd_jwt_responses_are_strings() {
        let body = credential_response_json(&["eyJ.a.b~d1~".into(), "eyJ.c.d~".into()]);
        assert_eq!(
            body,
            json!({"credentials": [{"credential": "eyJ.a.b~d1~"}, {"credential": "eyJ.c.d~"}]})
        );
        let text = body.to_string();
        assert_eq!(
            read_issued_credentials(text.as_bytes(), DC_SD_JWT).unwrap(),
            IssuedCredentials::SdJwtVc(vec!["eyJ.a.b~d1~".into(), "eyJ.c.d~".into()])
        );
        // An ldp_vc wallet does not take strings, a dc+sd-jwt one does not take objects.
        assert!(read_credential_response(text.as_bytes()).is_err());
        assert!(read_issued_credentials(text.as_bytes(), LDP_VC).is_err());
        let object = br#"{"credentials":[{"credential":{"type":["VerifiableCredential"]}}]}"#;
        let e = read_issued_credentials(object, DC_SD_JWT).unwrap_err();
        assert!(e.description.contains("must be a string"), "{e}");
        assert!(matches!(
            read_issued_credentials(object, LDP_VC).unwrap(),
            IssuedCredentials::LdpVc(v) if v.len() == 1
        ));
        for bad in [
            &br#"{"credentials":[{"credential":""}]}"#[..],
            br#"{"credentials":[]}"#,
            br#"{"credentials":[{"other":"x"}]}"#,
        ] {
            assert!(read_issued_credentials(bad, DC_SD_JWT).is_err());
        }
        assert_eq!(
            read_issued_credentials(br#"{"error":"invalid_proof"}"#, DC_SD_JWT)
                .unwrap_err()
                .code,
            ErrorCode::InvalidProof
        );
        assert_eq!(
            read_issued_credentials(object, "mso_mdoc")
                .unwrap_err()
                .code,
            ErrorCode::UnknownCredentialConfiguration
        );
    }
}
