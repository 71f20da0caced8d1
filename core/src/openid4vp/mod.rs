//! OpenID for Verifiable Presentations 1.0
//! (<https://openid.net/specs/openid-4-verifiable-presentations-1_0.html>), transport-free:
//! this module builds and checks messages; it does no HTTP.
//!
//! - [`dcql`]: the Digital Credentials Query Language (§6) and claims path pointers (§7), for
//!   the `ldp_vc` format.
//! - [`request`]: wallet invocations, request parameters and signed Request Objects.
//! - [`response`]: the `vp_token`, `direct_post` and `direct_post.jwt` bodies, and the
//!   verifier's checks of what comes back.

pub mod dcql;
pub mod request;
pub mod response;
