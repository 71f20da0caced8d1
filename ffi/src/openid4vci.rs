//! The wallet's side of OpenID4VCI 1.0 (`civitas_core::openid4vci`), Pre-Authorized Code
//! Flow, without HTTP: the app fetches and posts with its platform's stack. The flow:
//!
//! 1. [`parse_openid4vci_offer_url`] on the scanned `openid-credential-offer://` link: the
//!    offer itself, or the URL to GET it from (then [`openid4vci_offer`] on what came back).
//! 2. The app GETs [`OpenId4VciOffer::issuer_metadata_url`] and passes the text to
//!    [`OpenId4VciOffer::with_issuer_metadata`] (checked: the issuer it names is the
//!    offer's), then GETs [`OpenId4VciIssuer::authorization_server_metadata_url`] and passes
//!    that to [`OpenId4VciIssuer::set_authorization_server_metadata`].
//! 3. [`OpenId4VciIssuer::display`] is the screen: who offers what, and whether a PIN is
//!    asked (and how long it is, where it was sent).
//! 4. [`OpenId4VciIssuer::token_request`] with the PIN gives the POST to send; its answer
//!    goes to [`OpenId4VciIssuer::read_token`].
//! 5. For an identified credential the app POSTs to [`OpenId4VciIssuer::nonce_url`] and
//!    gives the answer to [`OpenId4VciIssuer::read_nonce`].
//! 6. [`Wallet::openid4vci_credential_request`] gives the credential request to POST (a
//!    commitment to the wallet's secrets, or a key proof of its device key);
//!    [`Wallet::openid4vci_import`] checks and imports what comes back.
//!
//! Errors from the issuer are `CivitasError::VerificationFailed` (refused: a wrong PIN, a used
//! offer) or `InvalidInput` (malformed), with the OpenID4VCI error code in the reason.

use std::sync::{Arc, Mutex};

use civitas_core::openid4vci::VciError;
use civitas_core::openid4vci::{AuthorizationServerMetadata, IssuerMetadata};
use civitas_core::openid4vci::{CredentialOffer, OfferInvocation};
use civitas_core::openid4vci::{Proofs, credential_request_json, jwt_proof, read_nonce_response};
use civitas_core::openid4vci::{TokenResponse, read_error, token_request_form};
use zeroize::Zeroizing;

use crate::CivitasError;
use crate::wallet::{CredentialSummary, HolderBinding, Wallet};

fn vci(e: VciError) -> CivitasError {
    civitas_core::Error::from(e).into()
}

/// What a scanned offer link holds.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum OpenId4VciOfferInvocation {
    /// The offer is in the link.
    ByValue {
        /// The offer.
        offer: Arc<OpenId4VciOffer>,
    },
    /// GET the offer from `uri` (`Accept: application/json`), then pass the text to
    /// [`openid4vci_offer`].
    FetchOffer {
        /// Where the offer is (https, or http to this machine).
        uri: String,
    },
}

/// Read a scanned `openid-credential-offer://` link (nothing is fetched here).
#[uniffi::export]
pub fn parse_openid4vci_offer_url(url: String) -> Result<OpenId4VciOfferInvocation, CivitasError> {
    Ok(match OfferInvocation::parse(url.trim()).map_err(vci)? {
        OfferInvocation::ByValue(offer) => OpenId4VciOfferInvocation::ByValue {
            offer: Arc::new(OpenId4VciOffer { offer }),
        },
        OfferInvocation::ByReference(uri) => OpenId4VciOfferInvocation::FetchOffer { uri },
    })
}

/// Read an offer fetched from a `credential_offer_uri`.
#[uniffi::export]
pub fn openid4vci_offer(json: String) -> Result<Arc<OpenId4VciOffer>, CivitasError> {
    Ok(Arc::new(OpenId4VciOffer {
        offer: CredentialOffer::from_json(json.as_bytes()).map_err(vci)?,
    }))
}

/// A credential offer (its pre-authorized code stays inside).
#[derive(uniffi::Object)]
pub struct OpenId4VciOffer {
    offer: CredentialOffer,
}

impl std::fmt::Debug for OpenId4VciOffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenId4VciOffer")
            .field("credential_issuer", &self.offer.credential_issuer)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl OpenId4VciOffer {
    /// The Credential Issuer Identifier (untrusted until its metadata is checked).
    pub fn credential_issuer(&self) -> String {
        self.offer.credential_issuer.clone()
    }

    /// Where the issuer's metadata is.
    pub fn issuer_metadata_url(&self) -> String {
        IssuerMetadata::url_for(&self.offer.credential_issuer)
    }

    /// The issuer's metadata, fetched from [`OpenId4VciOffer::issuer_metadata_url`], checked:
    /// it names this issuer, its endpoints are https (or http to this machine), and it
    /// describes the offered credential.
    pub fn with_issuer_metadata(
        &self,
        json: String,
    ) -> Result<Arc<OpenId4VciIssuer>, CivitasError> {
        let metadata = IssuerMetadata::from_json(json.as_bytes(), &self.offer.credential_issuer)
            .map_err(vci)?;
        let configuration_id = self
            .offer
            .credential_configuration_ids
            .first()
            .cloned()
            .unwrap_or_default();
        metadata.configuration(&configuration_id).map_err(vci)?;
        Ok(Arc::new(OpenId4VciIssuer {
            offer: self.offer.clone(),
            metadata,
            configuration_id,
            state: Mutex::new(Session::default()),
        }))
    }
}

#[derive(Default)]
struct Session {
    server: Option<AuthorizationServerMetadata>,
    token: Option<Zeroizing<String>>,
    nonce: Option<String>,
}

/// What the app shows before asking for the PIN.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenId4VciDisplay {
    /// The issuer's name (from its metadata), when given.
    pub issuer_name: Option<String>,
    /// The Credential Issuer Identifier the PIN will go to.
    pub issuer_url: String,
    /// The credential's name, when given.
    pub credential_name: Option<String>,
    /// Its description, when given.
    pub description: Option<String>,
    /// CSS colours for the card, when given.
    pub background_color: Option<String>,
    /// CSS colour of the card's text, when given.
    pub text_color: Option<String>,
    /// The claims the issuer describes, in its order: (path joined by `/`, display name).
    pub claims: Vec<OpenId4VciClaimName>,
    /// Whether a PIN must be typed.
    pub pin_required: bool,
    /// The PIN's length, when the issuer gives it.
    pub pin_length: Option<u32>,
    /// Whether the PIN is digits only.
    pub pin_numeric: bool,
    /// Where the holder finds the PIN, when the issuer says (text only).
    pub pin_description: Option<String>,
    /// The bindings the issuer offers for this credential (strongest first).
    pub bindings: Vec<HolderBinding>,
}

/// A claim's display name.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenId4VciClaimName {
    /// Its path, joined by `/` (array indexes as numbers).
    pub path: String,
    /// Its name for the holder.
    pub name: String,
}

/// An HTTP POST for the app to send.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenId4VciPost {
    /// Where.
    pub url: String,
    /// The `Content-Type`.
    pub content_type: String,
    /// The `Authorization` header value, when one is needed (`Bearer ...`).
    pub authorization: Option<String>,
    /// The body.
    pub body: String,
}

/// An issuer, its metadata checked, and this issuance's state (token, nonce).
#[derive(uniffi::Object)]
pub struct OpenId4VciIssuer {
    offer: CredentialOffer,
    metadata: IssuerMetadata,
    configuration_id: String,
    state: Mutex<Session>,
}

impl std::fmt::Debug for OpenId4VciIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenId4VciIssuer")
            .field("credential_issuer", &self.offer.credential_issuer)
            .finish_non_exhaustive()
    }
}

fn poisoned() -> CivitasError {
    CivitasError::Internal {
        reason: "the issuance state is unusable after a panic".into(),
    }
}

/// Read an answer: a 2xx body through `ok`, anything else as the issuer's error.
fn answer<T>(
    status: u16,
    body: &str,
    ok: impl FnOnce(&[u8]) -> Result<T, VciError>,
) -> Result<T, CivitasError> {
    if (200..300).contains(&status) {
        ok(body.as_bytes()).map_err(vci)
    } else {
        Err(vci(read_error(body.as_bytes())))
    }
}

impl OpenId4VciIssuer {
    fn configuration(
        &self,
    ) -> Result<&civitas_core::openid4vci::CredentialConfiguration, CivitasError> {
        self.metadata
            .configuration(&self.configuration_id)
            .map_err(vci)
    }
}

#[uniffi::export]
impl OpenId4VciIssuer {
    /// Where the authorization server's metadata is.
    pub fn authorization_server_metadata_url(&self) -> String {
        self.metadata.authorization_server_metadata_url()
    }

    /// The authorization server's metadata, fetched from
    /// [`OpenId4VciIssuer::authorization_server_metadata_url`], checked.
    pub fn set_authorization_server_metadata(&self, json: String) -> Result<(), CivitasError> {
        let server = AuthorizationServerMetadata::from_json(
            json.as_bytes(),
            self.metadata.authorization_server(),
        )
        .map_err(vci)?;
        self.state.lock().map_err(|_| poisoned())?.server = Some(server);
        Ok(())
    }

    /// What to show the holder.
    pub fn display(&self) -> Result<OpenId4VciDisplay, CivitasError> {
        let c = self.configuration()?;
        let shown = c
            .credential_metadata
            .as_ref()
            .and_then(|m| m.display.first());
        let features = c.commitment_features().unwrap_or_default();
        let mut bindings: Vec<HolderBinding> = [
            HolderBinding::HolderSecretPseudonym,
            HolderBinding::HolderSecret,
            HolderBinding::Pseudonym,
        ]
        .into_iter()
        .filter(|b| {
            b.feature()
                .is_some_and(|f| features.iter().any(|n| n == f.name()))
        })
        .collect();
        if c.accepts_jwt_es256() {
            bindings.push(HolderBinding::None);
        }
        Ok(OpenId4VciDisplay {
            issuer_name: self.metadata.display_name(None).map(str::to_owned),
            issuer_url: self.offer.credential_issuer.clone(),
            credential_name: c.display_name(None).map(str::to_owned),
            description: shown.and_then(|d| d.description.clone()),
            background_color: shown.and_then(|d| d.background_color.clone()),
            text_color: shown.and_then(|d| d.text_color.clone()),
            claims: c
                .credential_metadata
                .iter()
                .flat_map(|m| m.claims.iter())
                .filter_map(|k| {
                    let name = k.display.first()?.name.clone()?;
                    let path = k
                        .path
                        .iter()
                        .map(|p| match p {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("/");
                    Some(OpenId4VciClaimName { path, name })
                })
                .collect(),
            pin_required: self.offer.tx_code.is_some(),
            pin_length: self.offer.tx_code.as_ref().and_then(|t| t.length),
            pin_numeric: self.offer.tx_code.as_ref().is_none_or(|t| t.numeric()),
            pin_description: self
                .offer
                .tx_code
                .as_ref()
                .and_then(|t| t.description.clone()),
            bindings,
        })
    }

    /// The token request to POST, with the PIN the holder typed (when the offer asks for one).
    pub fn token_request(&self, pin: Option<String>) -> Result<OpenId4VciPost, CivitasError> {
        let pin = pin.map(Zeroizing::new);
        let state = self.state.lock().map_err(|_| poisoned())?;
        let server = state.server.as_ref().ok_or(CivitasError::InvalidInput {
            reason: "set the authorization server's metadata first".into(),
        })?;
        let body =
            token_request_form(&self.offer, pin.as_ref().map(|p| p.as_str())).map_err(vci)?;
        Ok(OpenId4VciPost {
            url: server.token_endpoint.clone(),
            content_type: "application/x-www-form-urlencoded".into(),
            authorization: None,
            body,
        })
    }

    /// Read the token endpoint's answer (HTTP `status`, `body`); the token is kept inside.
    pub fn read_token(&self, status: u16, body: String) -> Result<(), CivitasError> {
        let token = answer(status, &body, TokenResponse::from_json)?;
        self.state.lock().map_err(|_| poisoned())?.token =
            Some(Zeroizing::new(token.access_token.clone()));
        Ok(())
    }

    /// Where to POST for a `c_nonce` (needed for an identified credential), when the issuer
    /// has a nonce endpoint.
    pub fn nonce_url(&self) -> Option<String> {
        self.metadata.nonce_endpoint.clone()
    }

    /// Read the nonce endpoint's answer.
    pub fn read_nonce(&self, status: u16, body: String) -> Result<(), CivitasError> {
        let nonce = answer(status, &body, read_nonce_response)?;
        self.state.lock().map_err(|_| poisoned())?.nonce = Some(nonce);
        Ok(())
    }
}

fn unix_now() -> i64 {
    civitas_core::Timestamp::now().unix_seconds()
}

#[uniffi::export]
impl Wallet {
    /// The credential request to POST to `issuer`: `count` credentials bound to this wallet
    /// with `binding` (a fresh commitment to its secrets for each), or with
    /// [`HolderBinding::None`] one credential issued to [`Wallet::holder_did`] (a `jwt` key
    /// proof signed by the device key, with the `c_nonce` read before).
    pub fn openid4vci_credential_request(
        &self,
        issuer: Arc<OpenId4VciIssuer>,
        binding: HolderBinding,
        count: u32,
    ) -> Result<OpenId4VciPost, CivitasError> {
        let state = issuer.state.lock().map_err(|_| poisoned())?;
        let token = state.token.as_ref().ok_or(CivitasError::InvalidInput {
            reason: "read the token first".into(),
        })?;
        let body = match binding.feature() {
            Some(feature) => self.core().openid4vci_commitment_request(
                &issuer.metadata,
                &issuer.configuration_id,
                feature,
                usize::try_from(count).unwrap_or(usize::MAX),
            )?,
            None => {
                if count != 1 {
                    return Err(CivitasError::InvalidInput {
                        reason:
                            "an identified credential is asked for one at a time (one device key)"
                                .into(),
                    });
                }
                if issuer.metadata.nonce_endpoint.is_some() && state.nonce.is_none() {
                    return Err(CivitasError::InvalidInput {
                        reason: "read a c_nonce from the nonce endpoint first".into(),
                    });
                }
                let proof = jwt_proof(
                    self.device_key()?,
                    &issuer.offer.credential_issuer,
                    state.nonce.as_deref(),
                    unix_now(),
                )?;
                credential_request_json(&issuer.configuration_id, &Proofs::Jwt(vec![proof]))
            }
        };
        Ok(OpenId4VciPost {
            url: issuer.metadata.credential_endpoint.clone(),
            content_type: "application/json".into(),
            authorization: Some(format!("Bearer {}", token.as_str())),
            body: body.to_string(),
        })
    }

    /// Check and import the credential endpoint's answer (HTTP `status`, `body`): each
    /// credential must be of the offered type and, when bound, verify with this wallet's
    /// secrets. The imported credentials.
    pub fn openid4vci_import(
        &self,
        issuer: Arc<OpenId4VciIssuer>,
        status: u16,
        body: String,
    ) -> Result<Vec<CredentialSummary>, CivitasError> {
        if !(200..300).contains(&status) {
            return Err(vci(read_error(body.as_bytes())));
        }
        Ok(self
            .core()
            .openid4vci_import(issuer.configuration()?, body.as_bytes())?
            .into_iter()
            .map(CredentialSummary::from)
            .collect())
    }
}
