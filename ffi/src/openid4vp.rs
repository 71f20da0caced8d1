//! The wallet's side of OpenID4VP 1.0 (`civitas_core::openid4vp`), without HTTP: the app
//! fetches and posts with its platform's stack. The flow:
//!
//! 1. [`parse_openid4vp_url`] on the scanned `openid4vp://` URL says what to fetch.
//! 2. The app GETs (or POSTs, when told) the Request Object with
//!    `Accept: application/oauth-authz-req+jwt`, and hands its text to
//!    [`Wallet::openid4vp_request`], which checks its signature, `typ` and client id and
//!    evaluates its DCQL query against the stored credentials.
//! 3. [`Wallet::openid4vp_consent`] is the consent screen: who asks, what each credential
//!    would disclose and keep hidden, the pseudonym at this verifier.
//! 4. After consent, [`Wallet::openid4vp_respond`] (or [`Wallet::openid4vp_decline`]) gives
//!    the body, content type and URL to post.
//! 5. [`openid4vp_reply`] reads the verifier's answer.

use std::sync::Arc;

use civitas_core::openid4vp::dcql::Selection;
use civitas_core::openid4vp::{self, VerifierReply};
use civitas_core::openid4vp::{AuthorizationRequest, Invocation, RequestError, transport_allowed};

use crate::CivitasError;
use crate::wallet::{ConsentSummary, Wallet};

/// `https://`, or `http://` to this machine only.
fn checked_url(what: &str, url: &str) -> Result<(), CivitasError> {
    if transport_allowed(url) {
        Ok(())
    } else {
        Err(CivitasError::InvalidInput {
            reason: format!(
                "invalid_request: the {what} must be https:// (http:// only to this machine)"
            ),
        })
    }
}

fn refused(e: RequestError) -> CivitasError {
    CivitasError::InvalidInput {
        reason: format!("{}: {}", e.code, e.description),
    }
}

/// What a scanned `openid4vp://` URL asks the app to do.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum OpenId4VpInvocation {
    /// Fetch the Request Object from `request_uri` (GET; POST with an empty form when
    /// `post`), then pass its text and `client_id` to [`Wallet::openid4vp_request`].
    FetchRequest {
        /// The verifier's Client Identifier, as the URL gives it.
        client_id: String,
        /// Where the signed Request Object is.
        request_uri: String,
        /// `request_uri_method=post`.
        post: bool,
    },
    /// The request is in the URL itself (unsigned; only `redirect_uri:` clients, for
    /// development): pass the whole URL to [`Wallet::openid4vp_request_by_value`].
    ByValue,
}

/// What to do with a scanned `openid4vp://` URL (nothing is fetched here).
#[uniffi::export]
pub fn parse_openid4vp_url(url: String) -> Result<OpenId4VpInvocation, CivitasError> {
    Ok(match Invocation::parse(url.trim()).map_err(refused)? {
        Invocation::ByReference {
            client_id,
            request_uri,
            post,
        } => {
            checked_url("request_uri", &request_uri)?;
            OpenId4VpInvocation::FetchRequest {
                client_id,
                request_uri,
                post,
            }
        }
        Invocation::ByValue(_) => OpenId4VpInvocation::ByValue,
    })
}

/// A verifier's request, checked, with the wallet's answer to its DCQL query.
#[derive(uniffi::Object)]
pub struct OpenId4VpRequest {
    request: AuthorizationRequest,
    /// The credentials and claims that answer it, or why the wallet cannot.
    selections: Result<Vec<Selection>, String>,
}

impl std::fmt::Debug for OpenId4VpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenId4VpRequest")
            .field("client_id", &self.request.client_id.as_str())
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl OpenId4VpRequest {
    /// The verifier's full Client Identifier (for example
    /// `decentralized_identifier:did:key:...`).
    pub fn client_id(&self) -> String {
        self.request.client_id.as_str().to_owned()
    }
    /// Whether the request was signed by the key its client id names.
    pub fn signed(&self) -> bool {
        self.request.signed
    }
    /// Where the response goes.
    pub fn response_uri(&self) -> String {
        self.request.response_uri.clone()
    }
}

/// One credential the answer would present.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QueryConsent {
    /// The verifier's Credential Query it answers.
    pub query_id: String,
    /// What it discloses, keeps hidden, and the pseudonym it shows.
    pub summary: ConsentSummary,
}

/// The consent screen of a request.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenId4VpConsent {
    /// Who asks: the verifier's full Client Identifier.
    pub verifier: String,
    /// Whether the request was signed by the key its client id names.
    pub signed: bool,
    /// Whether the wallet holds what is asked; when false, `reason` says why and the only
    /// answer is [`Wallet::openid4vp_decline`].
    pub answerable: bool,
    /// Why the wallet cannot answer.
    pub reason: Option<String>,
    /// Each credential the answer would present, in query order.
    pub credentials: Vec<QueryConsent>,
}

/// An HTTP request for the app to send.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OpenId4VpPost {
    /// The verifier's `response_uri`.
    pub url: String,
    /// `application/x-www-form-urlencoded`.
    pub content_type: String,
    /// The body.
    pub body: String,
}

impl From<openid4vp::ResponseBody> for OpenId4VpPost {
    fn from(r: openid4vp::ResponseBody) -> Self {
        OpenId4VpPost {
            url: r.uri,
            content_type: r.content_type.to_owned(),
            body: r.body,
        }
    }
}

/// What the verifier answered.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum OpenId4VpReply {
    /// It took the response.
    Accepted {
        /// Where to send the user on (same-device flows), when given.
        redirect_uri: Option<String>,
    },
    /// It refused it.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The OAuth error code, when given.
        error: Option<String>,
        /// The verifier's description, when given (show it as text only).
        description: Option<String>,
    },
}

/// Read the verifier's answer (HTTP `status` and `body`) to a posted response.
#[uniffi::export]
pub fn openid4vp_reply(status: u16, body: String) -> OpenId4VpReply {
    match openid4vp::read_reply(status, &body) {
        VerifierReply::Accepted { redirect_uri } => OpenId4VpReply::Accepted { redirect_uri },
        VerifierReply::Refused {
            status,
            error,
            description,
        } => OpenId4VpReply::Refused {
            status,
            error,
            description,
        },
    }
}

impl Wallet {
    fn openid4vp_answer(
        &self,
        request: AuthorizationRequest,
    ) -> Result<Arc<OpenId4VpRequest>, CivitasError> {
        checked_url("response_uri", &request.response_uri)?;
        let selections = self
            .core()
            .dcql_select(&request.dcql_query, &[])
            .map_err(|e| e.to_string());
        Ok(Arc::new(OpenId4VpRequest {
            request,
            selections,
        }))
    }
}

#[uniffi::export]
impl Wallet {
    /// The Request Object fetched from the `request_uri` of a
    /// [`OpenId4VpInvocation::FetchRequest`], checked (signed by the client's did:key, `typ`
    /// `oauth-authz-req+jwt`, the same `client_id` inside and outside, no
    /// `transaction_data`), with the wallet's answer to its DCQL query.
    pub fn openid4vp_request(
        &self,
        client_id: String,
        request_object: String,
    ) -> Result<Arc<OpenId4VpRequest>, CivitasError> {
        let request = AuthorizationRequest::from_request_object(request_object.trim(), &client_id)
            .map_err(refused)?;
        self.openid4vp_answer(request)
    }

    /// The same for verifiers that sign under an X.509 certificate (`x509_hash:` or
    /// `x509_san_dns:` Client Identifiers, as HAIP 1.0 verifiers do): the request's `x5c`
    /// chain must validate, now, to one of `verifier_trust_anchors_pem` (PEM certificates of
    /// the CAs the wallet trusts for verifiers); `did:key` clients are read as by
    /// `openid4vp_request`.
    pub fn openid4vp_request_trusting(
        &self,
        client_id: String,
        request_object: String,
        verifier_trust_anchors_pem: String,
    ) -> Result<Arc<OpenId4VpRequest>, CivitasError> {
        let anchors = civitas_core::x509::TrustAnchors::from_pem(&verifier_trust_anchors_pem)
            .map_err(|e| CivitasError::InvalidInput {
                reason: format!("verifier trust anchors: {e}"),
            })?;
        let request = AuthorizationRequest::from_request_object_with(
            request_object.trim(),
            &client_id,
            &anchors,
            civitas_core::Timestamp::now(),
        )
        .map_err(refused)?;
        self.openid4vp_answer(request)
    }

    /// An unsigned request carried in the URL itself (development verifiers with the
    /// `redirect_uri:` prefix only).
    pub fn openid4vp_request_by_value(
        &self,
        url: String,
    ) -> Result<Arc<OpenId4VpRequest>, CivitasError> {
        let Invocation::ByValue(params) = Invocation::parse(url.trim()).map_err(refused)? else {
            return Err(CivitasError::InvalidInput {
                reason: "the URL points to a Request Object: fetch it and use openid4vp_request"
                    .into(),
            });
        };
        let request = AuthorizationRequest::from_unsigned(&params).map_err(refused)?;
        self.openid4vp_answer(request)
    }

    /// The consent screen of `request`.
    pub fn openid4vp_consent(
        &self,
        request: Arc<OpenId4VpRequest>,
    ) -> Result<OpenId4VpConsent, CivitasError> {
        let (answerable, reason, credentials) = match &request.selections {
            Ok(selections) => (
                true,
                None,
                self.core()
                    .dcql_consent(&request.request, selections)?
                    .into_iter()
                    .map(|q| QueryConsent {
                        query_id: q.query_id,
                        summary: q.summary.into(),
                    })
                    .collect(),
            ),
            Err(reason) => (false, Some(reason.clone()), Vec::new()),
        };
        Ok(OpenId4VpConsent {
            verifier: request.request.client_id.as_str().to_owned(),
            signed: request.request.signed,
            answerable,
            reason,
            credentials,
        })
    }

    /// After the holder's consent: the response to post, anonymous bbs-2023 presentations of
    /// exactly the asked claims bound to the request's nonce and client id (encrypted to the
    /// verifier for `direct_post.jwt`), and for an SD-JWT VC only its asked Disclosures with a
    /// Key Binding JWT by the device key. Each bbs-2023 presentation is recorded in the
    /// history.
    pub fn openid4vp_respond(
        &self,
        request: Arc<OpenId4VpRequest>,
    ) -> Result<OpenId4VpPost, CivitasError> {
        let selections =
            request
                .selections
                .as_ref()
                .map_err(|reason| CivitasError::InvalidInput {
                    reason: format!("the wallet cannot answer this request: {reason}"),
                })?;
        Ok(self
            .core()
            .respond_with(&request.request, selections, Some(self.device_key()?))?
            .into())
    }

    /// The holder declines (or cannot answer): the `access_denied` error response to post.
    pub fn openid4vp_decline(&self, request: Arc<OpenId4VpRequest>) -> OpenId4VpPost {
        openid4vp::build_error_response(&request.request, "access_denied").into()
    }
}
