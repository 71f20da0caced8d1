//! OpenID for Verifiable Presentations 1.0
//! (<https://openid.net/specs/openid-4-verifiable-presentations-1_0.html>), transport-free:
//! this module builds and checks messages; it does no HTTP.
//!
//! - [`dcql`]: the Digital Credentials Query Language (§6) and claims path pointers (§7), for
//!   the `ldp_vc` format.
//! - [`request`]: wallet invocations, request parameters and signed Request Objects.

pub mod dcql;
pub mod request;
