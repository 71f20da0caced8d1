//! Metadata ([OpenID4VCI 1.0 §12](https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-metadata)):
//! the Credential Issuer's (`/.well-known/openid-credential-issuer`, §12.2) with its
//! credential configurations for `ldp_vc` (Appendix A.1.2) and `dc+sd-jwt` (Appendix A.3) and
//! display data, and the
//! Authorization Server's (RFC 8414, `/.well-known/oauth-authorization-server`, §12.3).
//!
//! Typed both ways: the issuer serializes them, the wallet reads them (unknown members
//! ignored, as §12.2.4 says) and checks what it relies on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{COMMITMENT_PROOF_TYPE, ErrorCode, VciError, bad};

/// The format identifier of Data Integrity credentials (Appendix A.1.2).
pub const LDP_VC: &str = "ldp_vc";
/// The format identifier of IETF SD-JWT VCs (Appendix A.3).
pub const DC_SD_JWT: &str = "dc+sd-jwt";
/// The binding method of a credential bound to a key given as a JWK (§12.2.4): an SD-JWT VC's
/// `cnf.jwk`.
pub const JWK_BINDING: &str = "jwk";
/// The well-known name of the issuer's metadata.
pub const ISSUER_WELL_KNOWN: &str = "openid-credential-issuer";
/// The well-known name of the authorization server's metadata.
pub const AS_WELL_KNOWN: &str = "oauth-authorization-server";

fn invalid(description: impl Into<String>) -> VciError {
    bad(ErrorCode::InvalidRequest, description)
}

/// A logo (§12.2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Logo {
    /// Where the wallet gets it (`https:` or `data:`).
    pub uri: String,
    /// Its alternative text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_text: Option<String>,
}

/// Display properties for one language (§12.2.4, `display` of the issuer and of a
/// credential configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Display {
    /// The display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its language (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// A logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo: Option<Logo>,
    /// A description (credentials only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A CSS background colour (credentials only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_color: Option<String>,
    /// A CSS text colour (credentials only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_color: Option<String>,
}

/// A claim's display name for one language (Appendix B.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDisplay {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// A claims description object of the issuer metadata (Appendix B.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDescription {
    /// The claims path pointer (names and indexes from the credential's top level).
    pub path: Vec<Value>,
    /// Whether the issuer always includes it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mandatory: bool,
    /// Display names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<ClaimDisplay>,
}

/// `credential_metadata` (§12.2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CredentialMetadata {
    /// How to show the credential.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<Display>,
    /// How to show its claims, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<ClaimDescription>,
}

/// `credential_definition` of an `ldp_vc` configuration (Appendix A.1.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialDefinition {
    /// The credential's `@context` (not processed as JSON-LD, as the appendix says).
    #[serde(rename = "@context")]
    pub context: Vec<Value>,
    /// Its `type` values.
    #[serde(rename = "type")]
    pub types: Vec<String>,
}

/// The metadata of one proof type (§12.2.4 `proof_types_supported`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofTypeMetadata {
    /// The algorithms accepted (`ES256` for `jwt`; `bbs-2023` for the commitment).
    pub proof_signing_alg_values_supported: Vec<String>,
    /// For [`COMMITMENT_PROOF_TYPE`]: the bbs-2023 features the issuer binds credentials to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// One entry of `credential_configurations_supported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialConfiguration {
    /// The format ([`LDP_VC`] or [`DC_SD_JWT`] here).
    pub format: String,
    /// A scope value for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The credential's contexts and types (`ldp_vc`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_definition: Option<CredentialDefinition>,
    /// The credential's type (`dc+sd-jwt`, Appendix A.3.2: required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vct: Option<String>,
    /// The issuer's signature suites (`bbs-2023`) or JWS algorithms (`ES256`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credential_signing_alg_values_supported: Vec<String>,
    /// How the credential can be bound (`did:key`, `jwk`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cryptographic_binding_methods_supported: Vec<String>,
    /// The key proofs accepted, by proof type.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub proof_types_supported: BTreeMap<String, ProofTypeMetadata>,
    /// Display data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_metadata: Option<CredentialMetadata>,
}

impl CredentialConfiguration {
    /// The credential's name for `locale` (its first display otherwise).
    pub fn display_name(&self, locale: Option<&str>) -> Option<&str> {
        let displays = &self.credential_metadata.as_ref()?.display;
        locale
            .and_then(|l| displays.iter().find(|d| d.locale.as_deref() == Some(l)))
            .or_else(|| displays.first())
            .and_then(|d| d.name.as_deref())
    }

    /// The bbs-2023 features the issuer binds to, when it accepts [`COMMITMENT_PROOF_TYPE`].
    pub fn commitment_features(&self) -> Option<&[String]> {
        self.proof_types_supported
            .get(COMMITMENT_PROOF_TYPE)
            .map(|p| p.features.as_slice())
    }

    /// Whether the issuer accepts `jwt` key proofs signed with ES256.
    pub fn accepts_jwt_es256(&self) -> bool {
        self.proof_types_supported.get("jwt").is_some_and(|p| {
            p.proof_signing_alg_values_supported
                .iter()
                .any(|a| a == "ES256")
        })
    }

    /// Whether this is an SD-JWT VC configuration (`format: dc+sd-jwt`).
    pub fn is_sd_jwt_vc(&self) -> bool {
        self.format == DC_SD_JWT
    }

    /// For a `dc+sd-jwt` configuration the wallet can take: its `vct`. Refused when the
    /// format is another, the `vct` is missing or empty (Appendix A.3.2 requires it), or the
    /// issuer does not bind the credential to a JWK with ES256 `jwt` key proofs (the only
    /// binding this wallet makes for an SD-JWT VC).
    pub fn sd_jwt_vct(&self) -> Result<&str, VciError> {
        if !self.is_sd_jwt_vc() {
            return Err(bad(
                ErrorCode::UnknownCredentialConfiguration,
                "this credential configuration is not an SD-JWT VC (dc+sd-jwt)",
            ));
        }
        let vct = self
            .vct
            .as_deref()
            .filter(|v| !v.is_empty() && v.len() <= super::MAX_STRING_LEN)
            .ok_or_else(|| invalid("a dc+sd-jwt credential configuration names its vct"))?;
        if !self
            .cryptographic_binding_methods_supported
            .iter()
            .any(|m| m == JWK_BINDING)
            || !self.accepts_jwt_es256()
        {
            return Err(bad(
                ErrorCode::UnknownCredentialConfiguration,
                "the issuer does not bind this SD-JWT VC to a JWK with ES256 jwt key proofs",
            ));
        }
        Ok(vct)
    }
}

/// `batch_credential_issuance` (§12.2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchIssuance {
    /// The most proofs one credential request may carry (at least 2).
    pub batch_size: u32,
}

/// The Credential Issuer Metadata (§12.2.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerMetadata {
    /// The Credential Issuer Identifier.
    pub credential_issuer: String,
    /// Authorization servers (absent: the issuer is its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// The credential endpoint.
    pub credential_endpoint: String,
    /// The nonce endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce_endpoint: Option<String>,
    /// Batch issuance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_credential_issuance: Option<BatchIssuance>,
    /// The issuer's display data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub display: Vec<Display>,
    /// What it issues, by configuration id.
    pub credential_configurations_supported: BTreeMap<String, CredentialConfiguration>,
}

fn check_endpoint(url: &str, what: &str) -> Result<(), VciError> {
    if url.len() > super::MAX_STRING_LEN || !crate::openid4vp::transport_allowed(url) {
        return Err(invalid(format!(
            "{what} must be an https URL (http only to this machine)"
        )));
    }
    Ok(())
}

impl IssuerMetadata {
    /// Where the metadata of `issuer` is (§12.2.2).
    pub fn url_for(issuer: &str) -> String {
        super::well_known_url(issuer, ISSUER_WELL_KNOWN)
    }

    /// Read metadata fetched for `expected_issuer`: its `credential_issuer` must be that
    /// identifier exactly (§12.2.4: otherwise the data must not be used), the endpoints
    /// https (or http to this machine), the batch size at least 2.
    pub fn from_json(bytes: &[u8], expected_issuer: &str) -> Result<IssuerMetadata, VciError> {
        let obj = super::parse_object(bytes, "issuer metadata", ErrorCode::InvalidRequest)?;
        let m: IssuerMetadata = super::typed(obj, "issuer metadata", ErrorCode::InvalidRequest)?;
        if m.credential_issuer != expected_issuer {
            return Err(invalid(
                "the metadata's credential_issuer is not the issuer it was fetched for",
            ));
        }
        check_endpoint(&m.credential_endpoint, "credential_endpoint")?;
        if let Some(n) = &m.nonce_endpoint {
            check_endpoint(n, "nonce_endpoint")?;
        }
        for a in &m.authorization_servers {
            super::check_issuer_id(a)?;
        }
        if m.batch_credential_issuance
            .is_some_and(|b| b.batch_size < 2)
        {
            return Err(invalid("batch_size must be 2 or more"));
        }
        Ok(m)
    }

    /// The configuration `id`.
    pub fn configuration(&self, id: &str) -> Result<&CredentialConfiguration, VciError> {
        self.credential_configurations_supported
            .get(id)
            .ok_or_else(|| {
                bad(
                    ErrorCode::UnknownCredentialConfiguration,
                    "the issuer's metadata has no such credential configuration",
                )
            })
    }

    /// The issuer's name for `locale` (its first display otherwise).
    pub fn display_name(&self, locale: Option<&str>) -> Option<&str> {
        locale
            .and_then(|l| self.display.iter().find(|d| d.locale.as_deref() == Some(l)))
            .or_else(|| self.display.first())
            .and_then(|d| d.name.as_deref())
    }

    /// Where the authorization server's metadata is: that of the first
    /// `authorization_servers` entry, or the issuer's own.
    pub fn authorization_server_metadata_url(&self) -> String {
        let server = self
            .authorization_servers
            .first()
            .unwrap_or(&self.credential_issuer);
        super::well_known_url(server, AS_WELL_KNOWN)
    }

    /// The authorization server the wallet expects in the AS metadata's `issuer`.
    pub fn authorization_server(&self) -> &str {
        self.authorization_servers
            .first()
            .unwrap_or(&self.credential_issuer)
    }
}

/// The Authorization Server Metadata members this flow uses (RFC 8414, §12.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationServerMetadata {
    /// The server's issuer identifier.
    pub issuer: String,
    /// Its token endpoint.
    pub token_endpoint: String,
    /// Grant types (the pre-authorized code one here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types_supported: Vec<String>,
    /// Whether a token request needs no `client_id` (§12.3).
    #[serde(
        default,
        rename = "pre-authorized_grant_anonymous_access_supported",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub anonymous_access: bool,
    /// How clients authenticate at the token endpoint (`none`: anonymous pre-authorized
    /// access; RFC 8414 §2 defaults to `client_secret_basic` when absent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub token_endpoint_auth_methods_supported: Vec<String>,
}

impl AuthorizationServerMetadata {
    /// Read metadata fetched for `expected_issuer` (RFC 8414 §3.3: `issuer` identical).
    /// `response_types_supported` may be absent: §12.3 allows it for a server with only the
    /// pre-authorized code grant.
    /// This wallet has no client registration: the server must accept anonymous
    /// pre-authorized token requests.
    pub fn from_json(
        bytes: &[u8],
        expected_issuer: &str,
    ) -> Result<AuthorizationServerMetadata, VciError> {
        let obj = super::parse_object(
            bytes,
            "authorization server metadata",
            ErrorCode::InvalidRequest,
        )?;
        let m: AuthorizationServerMetadata = super::typed(
            obj,
            "authorization server metadata",
            ErrorCode::InvalidRequest,
        )?;
        if m.issuer != expected_issuer {
            return Err(invalid(
                "the authorization server metadata's issuer is not the server it was fetched for",
            ));
        }
        check_endpoint(&m.token_endpoint, "token_endpoint")?;
        if !m.grant_types_supported.is_empty()
            && !m
                .grant_types_supported
                .iter()
                .any(|g| g == super::PRE_AUTHORIZED_GRANT)
        {
            return Err(invalid(
                "the authorization server does not support the pre-authorized code grant",
            ));
        }
        if !m.anonymous_access {
            return Err(bad(
                ErrorCode::InvalidClient,
                "the authorization server does not accept anonymous pre-authorized token requests (pre-authorized_grant_anonymous_access_supported), and this wallet has no client registration",
            ));
        }
        Ok(m)
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
    use serde_json::json;

    fn metadata() -> Value {
        json!({
            "credential_issuer": "https://uni.example",
            "credential_endpoint": "https://uni.example/openid4vci/credential",
            "nonce_endpoint": "https://uni.example/openid4vci/nonce",
            "batch_credential_issuance": {"batch_size": 4},
            "display": [{"name": "Universität", "locale": "de"}, {"name": "University", "locale": "en"}],
            "some_future_member": true,
            "credential_configurations_supported": {
                "diploma": {
                    "format": "ldp_vc",
                    "credential_definition": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]},
                    "proof_types_supported": {
                        "jwt": {"proof_signing_alg_values_supported": ["ES256"]},
                        COMMITMENT_PROOF_TYPE: {"proof_signing_alg_values_supported": ["bbs-2023"], "features": ["anonymous_holder_binding"]}
                    },
                    "credential_metadata": {"display": [{"name": "Diploma"}], "claims": [{"path": ["credentialSubject", "name"], "display": [{"name": "Name"}]}]}
                }
            }
        })
    }

    #[test]
    fn issuer_metadata_reads_and_round_trips() {
        let bytes = metadata().to_string();
        let m = IssuerMetadata::from_json(bytes.as_bytes(), "https://uni.example").unwrap();
        assert_eq!(m.display_name(Some("en")), Some("University"));
        assert_eq!(m.display_name(None), Some("Universität"));
        let c = m.configuration("diploma").unwrap();
        assert!(c.accepts_jwt_es256());
        assert_eq!(
            c.commitment_features().unwrap(),
            ["anonymous_holder_binding"]
        );
        assert_eq!(c.display_name(None), Some("Diploma"));
        assert_eq!(
            m.configuration("x").unwrap_err().code,
            ErrorCode::UnknownCredentialConfiguration
        );
        let again = serde_json::to_string(&m).unwrap();
        assert_eq!(
            IssuerMetadata::from_json(again.as_bytes(), "https://uni.example").unwrap(),
            m
        );
        assert_eq!(
            m.authorization_server_metadata_url(),
            "https://uni.example/.well-known/oauth-authorization-server"
        );
    }

    #[test]
    fn sd_jwt_vc_configurations_read_and_round_trip() {
        let mut m = metadata();
        m["credential_configurations_supported"]["pid"] = json!({
            "format": "dc+sd-jwt",
            "scope": "pid",
            "vct": "https://uni.example/credentials/pid",
            "cryptographic_binding_methods_supported": ["jwk"],
            "credential_signing_alg_values_supported": ["ES256"],
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}},
            "credential_metadata": {"display": [{"name": "PID"}],
                "claims": [{"path": ["given_name"], "display": [{"name": "Given name", "locale": "en"}]}]}
        });
        let parsed =
            IssuerMetadata::from_json(m.to_string().as_bytes(), "https://uni.example").unwrap();
        let pid = parsed.configuration("pid").unwrap();
        assert!(pid.is_sd_jwt_vc());
        assert_eq!(
            pid.sd_jwt_vct().unwrap(),
            "https://uni.example/credentials/pid"
        );
        assert!(pid.credential_definition.is_none());
        assert_eq!(pid.display_name(None), Some("PID"));
        let claims = &pid.credential_metadata.as_ref().unwrap().claims;
        assert_eq!(claims[0].path, [json!("given_name")]);
        // Produced as read: the same members, nothing added.
        assert_eq!(
            serde_json::to_value(pid).unwrap(),
            m["credential_configurations_supported"]["pid"]
        );
        // The ldp_vc configuration is not an SD-JWT VC.
        let diploma = parsed.configuration("diploma").unwrap();
        assert!(!diploma.is_sd_jwt_vc());
        assert_eq!(
            diploma.sd_jwt_vct().unwrap_err().code,
            ErrorCode::UnknownCredentialConfiguration
        );
        assert!(serde_json::to_value(diploma).unwrap().get("vct").is_none());
        // No vct, or no jwk binding with ES256 jwt proofs: not one this wallet takes.
        let mut no_vct = pid.clone();
        no_vct.vct = None;
        assert_eq!(
            no_vct.sd_jwt_vct().unwrap_err().code,
            ErrorCode::InvalidRequest
        );
        let mut no_jwk = pid.clone();
        no_jwk.cryptographic_binding_methods_supported = vec!["did:key".into()];
        assert!(no_jwk.sd_jwt_vct().is_err());
        let mut no_jwt = pid.clone();
        no_jwt.proof_types_supported.clear();
        assert!(no_jwt.sd_jwt_vct().is_err());
    }

    #[test]
    fn issuer_metadata_for_another_issuer_is_not_used() {
        let bytes = metadata().to_string();
        let e = IssuerMetadata::from_json(bytes.as_bytes(), "https://evil.example").unwrap_err();
        assert!(e.description.contains("not the issuer"), "{e}");
        let mut m = metadata();
        m["credential_endpoint"] = json!("http://uni.example/c");
        assert!(
            IssuerMetadata::from_json(m.to_string().as_bytes(), "https://uni.example").is_err()
        );
        let mut m = metadata();
        m["batch_credential_issuance"]["batch_size"] = json!(1);
        assert!(
            IssuerMetadata::from_json(m.to_string().as_bytes(), "https://uni.example").is_err()
        );
    }

    #[test]
    fn authorization_server_metadata() {
        let good = json!({"issuer": "https://uni.example", "token_endpoint": "https://uni.example/token",
            "grant_types_supported": [crate::openid4vci::PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": true});
        assert!(
            AuthorizationServerMetadata::from_json(
                good.to_string().as_bytes(),
                "https://uni.example"
            )
            .unwrap()
            .anonymous_access
        );
        let mut no_anon = good.clone();
        no_anon["pre-authorized_grant_anonymous_access_supported"] = json!(false);
        assert_eq!(
            AuthorizationServerMetadata::from_json(
                no_anon.to_string().as_bytes(),
                "https://uni.example"
            )
            .unwrap_err()
            .code,
            ErrorCode::InvalidClient
        );
        assert!(
            AuthorizationServerMetadata::from_json(
                good.to_string().as_bytes(),
                "https://other.example"
            )
            .is_err()
        );
    }
}
