//! Credential offers ([OpenID4VCI 1.0 §4.1](https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#name-credential-offer)):
//! the `openid-credential-offer://` link a university hands a graduate (by value, or by
//! reference through `credential_offer_uri`), and the offer object it carries.
//!
//! Only the Pre-Authorized Code grant is read: an offer without it is refused, since this
//! wallet has no authorization code flow.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ErrorCode, MAX_STRING_LEN, PRE_AUTHORIZED_GRANT, VciError, bad};
use crate::openid4vp::{form_encode, parse_form};

/// The scheme of an offer link a wallet is invoked with (§4.1).
pub const OFFER_SCHEME: &str = "openid-credential-offer://";
/// Longest `tx_code.description` (§4.1.1).
pub const MAX_TX_CODE_DESCRIPTION: usize = 300;

fn invalid(description: impl Into<String>) -> VciError {
    bad(ErrorCode::InvalidRequest, description)
}

/// What the issuer expects as transaction code (the PIN sent by another channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct TxCode {
    /// `numeric` (the default) or `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<String>,
    /// Its length, to render the input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    /// Where the holder finds it (at most 300 characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl TxCode {
    /// Whether only digits are asked for.
    pub fn numeric(&self) -> bool {
        self.input_mode.as_deref() != Some("text")
    }
}

/// A credential offer with a Pre-Authorized Code grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialOffer {
    /// The Credential Issuer Identifier (checked: https, or http to this machine).
    pub credential_issuer: String,
    /// The offered credential configurations (non-empty, unique).
    pub credential_configuration_ids: Vec<String>,
    /// The pre-authorized code.
    pub pre_authorized_code: String,
    /// Present when a transaction code must be sent with the token request.
    pub tx_code: Option<TxCode>,
}

fn string(v: &Value, what: &str) -> Result<String, VciError> {
    match v.as_str() {
        Some(s) if !s.is_empty() && s.len() <= MAX_STRING_LEN => Ok(s.to_owned()),
        Some(_) => Err(invalid(format!(
            "{what} must be 1 to {MAX_STRING_LEN} characters"
        ))),
        None => Err(invalid(format!("{what} must be a string"))),
    }
}

impl CredentialOffer {
    /// Read an offer object (what `credential_offer` holds, or what `credential_offer_uri`
    /// returns). Unknown members are ignored, as §4.1.1 says; an offer without a
    /// Pre-Authorized Code grant is refused.
    pub fn from_json(bytes: &[u8]) -> Result<CredentialOffer, VciError> {
        let obj = super::parse_object(bytes, "credential offer", ErrorCode::InvalidRequest)?;
        Self::from_object(&obj)
    }

    fn from_object(obj: &Map<String, Value>) -> Result<CredentialOffer, VciError> {
        let issuer = string(
            obj.get("credential_issuer").unwrap_or(&Value::Null),
            "credential_issuer",
        )?;
        super::check_issuer_id(&issuer)?;
        let ids = obj
            .get("credential_configuration_ids")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty() && a.len() <= 64)
            .ok_or_else(|| {
                invalid("credential_configuration_ids must be a non-empty array of strings")
            })?;
        let mut configuration_ids: Vec<String> = Vec::with_capacity(ids.len());
        for id in ids {
            let id = string(id, "a credential configuration id")?;
            if configuration_ids.contains(&id) {
                return Err(invalid("credential_configuration_ids repeats an id"));
            }
            configuration_ids.push(id);
        }
        let grant = obj
            .get("grants")
            .and_then(|g| g.get(PRE_AUTHORIZED_GRANT))
            .ok_or_else(|| {
                invalid(
                    "the offer has no pre-authorized code grant (this wallet does not run the authorization code flow)",
                )
            })?;
        let code = string(
            grant.get("pre-authorized_code").unwrap_or(&Value::Null),
            "pre-authorized_code",
        )?;
        let tx_code = match grant.get("tx_code") {
            None => None,
            Some(Value::Object(t)) => {
                let input_mode = match t.get("input_mode") {
                    None => None,
                    Some(Value::String(m)) if m == "numeric" || m == "text" => Some(m.clone()),
                    Some(_) => return Err(invalid("tx_code.input_mode is numeric or text")),
                };
                let length = match t.get("length") {
                    None => None,
                    Some(l) => Some(
                        l.as_u64()
                            .and_then(|l| u32::try_from(l).ok())
                            .filter(|l| (1..=64).contains(l))
                            .ok_or_else(|| invalid("tx_code.length must be from 1 to 64"))?,
                    ),
                };
                let description = match t.get("description") {
                    None => None,
                    Some(Value::String(d)) if d.chars().count() <= MAX_TX_CODE_DESCRIPTION => {
                        Some(d.clone())
                    }
                    Some(_) => {
                        return Err(invalid(
                            "tx_code.description must be a string of at most 300 characters",
                        ));
                    }
                };
                Some(TxCode {
                    input_mode,
                    length,
                    description,
                })
            }
            Some(_) => return Err(invalid("tx_code must be an object")),
        };
        Ok(CredentialOffer {
            credential_issuer: issuer,
            credential_configuration_ids: configuration_ids,
            pre_authorized_code: code,
            tx_code,
        })
    }

    /// The offer object.
    pub fn to_json(&self) -> Value {
        let mut grant = Map::new();
        grant.insert(
            "pre-authorized_code".into(),
            self.pre_authorized_code.clone().into(),
        );
        if let Some(t) = &self.tx_code {
            grant.insert(
                "tx_code".into(),
                serde_json::to_value(t).unwrap_or_else(|_| Value::Object(Map::new())),
            );
        }
        serde_json::json!({
            "credential_issuer": self.credential_issuer,
            "credential_configuration_ids": self.credential_configuration_ids,
            "grants": {PRE_AUTHORIZED_GRANT: grant},
        })
    }

    /// The link carrying this offer by value: `openid-credential-offer://?credential_offer=...`.
    pub fn to_url(&self) -> String {
        format!(
            "{OFFER_SCHEME}?credential_offer={}",
            form_encode(&self.to_json().to_string())
        )
    }
}

/// The link pointing at an offer by reference (`credential_offer_uri`).
pub fn offer_uri_url(uri: &str) -> String {
    format!("{OFFER_SCHEME}?credential_offer_uri={}", form_encode(uri))
}

/// What an offer link holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferInvocation {
    /// The offer itself.
    ByValue(CredentialOffer),
    /// Where to fetch it (`GET`, `application/json`): https, or http to this machine.
    ByReference(String),
}

impl OfferInvocation {
    /// Read an offer link: `openid-credential-offer://` (or an `https` link a web page
    /// shows) with exactly one of `credential_offer` and `credential_offer_uri`.
    pub fn parse(url: &str) -> Result<OfferInvocation, VciError> {
        if url.len() > super::MAX_MESSAGE_LEN {
            return Err(invalid("the offer link is too long"));
        }
        let query = url
            .split_once('?')
            .map(|(_, q)| q)
            .ok_or_else(|| invalid("the offer link has no query"))?;
        let query = query.split('#').next().unwrap_or("");
        let params = parse_form(query).map_err(|e| invalid(e.description))?;
        match (
            params.get("credential_offer"),
            params.get("credential_offer_uri"),
        ) {
            (Some(_), Some(_)) => Err(invalid(
                "the offer link has both credential_offer and credential_offer_uri",
            )),
            (Some(Value::String(offer)), None) => Ok(OfferInvocation::ByValue(
                CredentialOffer::from_json(offer.as_bytes())?,
            )),
            (None, Some(Value::String(uri))) => {
                if !crate::openid4vp::transport_allowed(uri) {
                    return Err(invalid(
                        "credential_offer_uri must be an https URL (http only to this machine)",
                    ));
                }
                Ok(OfferInvocation::ByReference(uri.clone()))
            }
            _ => Err(invalid(
                "the offer link needs credential_offer or credential_offer_uri",
            )),
        }
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    /// §4.1.2's example link (by value, a text tx_code), with its issuer kept.
    const SPEC_LINK: &str = "openid-credential-offer://?credential_offer=%7B%22credential_issuer%22:%22https://credential-issuer.example.com%22,%22credential_configuration_ids%22:%5B%22org.iso.18013.5.1.mDL%22%5D,%22grants%22:%7B%22urn:ietf:params:oauth:grant-type:pre-authorized_code%22:%7B%22pre-authorized_code%22:%22oaKazRN8I0IbtZ0C7JuMn5%22,%22tx_code%22:%7B%22input_mode%22:%22text%22,%22description%22:%22Please%20enter%20the%20serial%20number%20of%20your%20physical%20drivers%20license%22%7D%7D%7D%7D";

    #[test]
    fn the_spec_example_link_reads() {
        let OfferInvocation::ByValue(offer) = OfferInvocation::parse(SPEC_LINK).unwrap() else {
            panic!("by value");
        };
        assert_eq!(
            offer.credential_issuer,
            "https://credential-issuer.example.com"
        );
        assert_eq!(
            offer.credential_configuration_ids,
            ["org.iso.18013.5.1.mDL"]
        );
        assert_eq!(offer.pre_authorized_code, "oaKazRN8I0IbtZ0C7JuMn5");
        let tx = offer.tx_code.clone().unwrap();
        assert!(!tx.numeric());
        assert!(tx.description.unwrap().starts_with("Please enter"));
        // Written back and read again, it is the same offer.
        assert_eq!(
            OfferInvocation::parse(&offer.to_url()).unwrap(),
            OfferInvocation::ByValue(offer)
        );
    }

    #[test]
    fn by_reference() {
        let link = offer_uri_url("https://server.example.com/credential-offer/GkurKxf5T0Y");
        assert_eq!(
            OfferInvocation::parse(&link).unwrap(),
            OfferInvocation::ByReference(
                "https://server.example.com/credential-offer/GkurKxf5T0Y".into()
            )
        );
        assert!(
            OfferInvocation::parse(&offer_uri_url("http://server.example.com/o")).is_err(),
            "plain http beyond this machine"
        );
    }

    #[test]
    fn bad_offers_are_refused_with_a_reason() {
        let cases = [
            ("openid-credential-offer://", "no query"),
            ("openid-credential-offer://?x=1", "needs credential_offer"),
            (
                "openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=https%3A%2F%2Fa",
                "both",
            ),
            (
                "openid-credential-offer://?credential_offer=nope",
                "not JSON",
            ),
        ];
        for (link, why) in cases {
            let e = OfferInvocation::parse(link).unwrap_err();
            assert!(e.description.contains(why), "{link}: {e}");
        }
        let offer = |v: Value| CredentialOffer::from_json(v.to_string().as_bytes());
        let grant = serde_json::json!({PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "c"}});
        assert!(offer(serde_json::json!({"credential_issuer": "https://u.example", "credential_configuration_ids": ["a"], "grants": grant})).is_ok());
        for (v, why) in [
            (
                serde_json::json!({"credential_issuer": "https://u.example", "credential_configuration_ids": [], "grants": grant}),
                "non-empty",
            ),
            (
                serde_json::json!({"credential_issuer": "https://u.example", "credential_configuration_ids": ["a", "a"], "grants": grant}),
                "repeats",
            ),
            (
                serde_json::json!({"credential_issuer": "ftp://u.example", "credential_configuration_ids": ["a"], "grants": grant}),
                "https",
            ),
            (
                serde_json::json!({"credential_issuer": "https://u.example", "credential_configuration_ids": ["a"], "grants": {"authorization_code": {}}}),
                "pre-authorized",
            ),
            (
                serde_json::json!({"credential_issuer": "https://u.example", "credential_configuration_ids": ["a"], "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": "c", "tx_code": {"length": 0}}}}),
                "length",
            ),
        ] {
            let e = offer(v).unwrap_err();
            assert!(e.description.contains(why), "{e}");
        }
    }
}
