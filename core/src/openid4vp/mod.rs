//! OpenID for Verifiable Presentations 1.0
//! (<https://openid.net/specs/openid-4-verifiable-presentations-1_0.html>), transport-free:
//! this module builds and checks messages; it does no HTTP.
//!
//! - [`dcql`]: the Digital Credentials Query Language (§6) and claims path pointers (§7), for
//!   the `ldp_vc` format.
//! - requests ([`Invocation`], [`AuthorizationRequest`], [`sign_request_object`]): wallet invocations, request parameters and signed Request Objects.
//! - responses ([`build_response`], [`parse_response`], [`assess`]): the `vp_token`, `direct_post` and `direct_post.jwt` bodies, and the
//!   verifier's checks of what comes back.

pub mod dcql;
mod request;
mod response;

pub use request::{
    AuthorizationRequest, ClientId, ClientMetadata, Invocation, MAX_NONCE_LEN, MAX_REQUEST_LEN,
    REQUEST_OBJECT_TYP, RequestError, ResponseMode, form_decode, form_encode, parse_form,
    sign_request_object, sign_request_object_x509, transport_allowed, url_host,
};
pub use response::{
    ALWAYS_SHOWN, Expected, MAX_RESPONSE_LEN, PresentationVerdict, ResponseBody,
    SD_JWT_ALWAYS_SHOWN, VerifierReply, assess, build_error_response, build_response,
    check_vp_token, expanded_types, parse_response, presentations, read_reply, response_accepted,
    response_policy,
};
