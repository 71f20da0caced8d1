//! Authorization requests ([OpenID4VP 1.0 §5](https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#name-authorization-request)):
//! the wallet invocation URL, request parameters, and signed Request Objects (JAR, `typ`
//! `oauth-authz-req+jwt`), for the Client Identifier Prefixes `decentralized_identifier:`
//! (did:key with a P-256 key; the request must be signed), `x509_hash:` and `x509_san_dns:`
//! (§5.9.3: signed by the leaf of an `x5c` chain that validates to the wallet's trust anchors,
//! as HAIP 1.0 requires; see [`crate::x509`]) and `redirect_uri:` (unsigned, for development
//! and tests).
//!
//! Transport-free: [`Invocation::parse`] says which URL the app fetches the Request Object
//! from; [`AuthorizationRequest::from_request_object`] checks what it fetched.

use crate::EcdsaError;
use serde_json::{Map, Value};

use super::dcql::DcqlQuery;
use crate::jose::EcJwk;
use crate::jose::jwe::Enc;
use crate::jose::jws;

/// The `typ` a Request Object must carry (RFC 9101).
pub const REQUEST_OBJECT_TYP: &str = "oauth-authz-req+jwt";
/// Longest invocation URL or Request Object accepted, in bytes.
pub const MAX_REQUEST_LEN: usize = 256 * 1024;
/// Longest `nonce` or `state` accepted.
pub const MAX_NONCE_LEN: usize = 512;

/// An error response code of OpenID4VP §8.5 / RFC 6749, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct RequestError {
    /// The error code to send back (`invalid_request`, `invalid_client`,
    /// `invalid_request_uri_method`, `invalid_transaction_data`, `vp_formats_not_supported`,
    /// `access_denied`).
    pub code: &'static str,
    /// What was wrong (no personal data).
    pub description: String,
}

fn invalid(description: impl Into<String>) -> RequestError {
    RequestError {
        code: "invalid_request",
        description: description.into(),
    }
}

/// A Client Identifier with its prefix (§5.9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientId {
    /// `decentralized_identifier:<did>`: requests are signed by a key of the DID.
    Did {
        /// The full Client Identifier, prefix included (what presentations are bound to).
        full: String,
        /// The DID.
        did: String,
    },
    /// `x509_hash:<hash>`: requests are signed by the leaf of an `x5c` chain whose SHA-256
    /// (base64url) is the hash.
    X509Hash {
        /// The full Client Identifier.
        full: String,
        /// The base64url SHA-256 of the leaf certificate's DER.
        hash: String,
    },
    /// `x509_san_dns:<name>`: requests are signed by the leaf of an `x5c` chain valid for the
    /// DNS name, and the response URI is on that host.
    X509SanDns {
        /// The full Client Identifier.
        full: String,
        /// The DNS name.
        dns: String,
    },
    /// `redirect_uri:<uri>`: requests are not signed; the URI is the response URI.
    RedirectUri {
        /// The full Client Identifier.
        full: String,
        /// The URI.
        uri: String,
    },
}

impl ClientId {
    /// Read a Client Identifier; only the two supported prefixes are accepted (a
    /// pre-registered client, or another prefix, is `invalid_request`: this wallet knows no
    /// pre-registered verifiers).
    pub fn parse(s: &str) -> Result<ClientId, RequestError> {
        match s.split_once(':') {
            Some(("decentralized_identifier", did)) if did.starts_with("did:") => {
                Ok(ClientId::Did {
                    full: s.to_owned(),
                    did: did.to_owned(),
                })
            }
            Some(("redirect_uri", uri))
                if uri.starts_with("https://") || uri.starts_with("http://") =>
            {
                Ok(ClientId::RedirectUri {
                    full: s.to_owned(),
                    uri: uri.to_owned(),
                })
            }
            Some(("x509_hash", hash))
                if hash.len() == 43
                    && crate::keys::decode_base64url(hash).is_ok_and(|h| h.len() == 32) =>
            {
                Ok(ClientId::X509Hash {
                    full: s.to_owned(),
                    hash: hash.to_owned(),
                })
            }
            Some(("x509_hash", _)) => Err(invalid(
                "an x509_hash: Client Identifier is the base64url SHA-256 of a certificate",
            )),
            Some(("x509_san_dns", dns))
                if !dns.is_empty()
                    && dns.len() <= 253
                    && dns
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.') =>
            {
                Ok(ClientId::X509SanDns {
                    full: s.to_owned(),
                    dns: dns.to_ascii_lowercase(),
                })
            }
            Some(("x509_san_dns", _)) => {
                Err(invalid("an x509_san_dns: Client Identifier is a DNS name"))
            }
            Some(("origin", _)) => Err(invalid(
                "the origin: Client Identifier Prefix is not accepted in requests",
            )),
            _ => Err(invalid(
                "unsupported Client Identifier Prefix (decentralized_identifier:, x509_hash:, x509_san_dns: and redirect_uri: are supported)",
            )),
        }
    }

    /// The full Client Identifier (presentations are bound to it).
    pub fn as_str(&self) -> &str {
        match self {
            ClientId::Did { full, .. }
            | ClientId::X509Hash { full, .. }
            | ClientId::X509SanDns { full, .. }
            | ClientId::RedirectUri { full, .. } => full,
        }
    }
}

/// How the wallet sends its response (§8.2, §8.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    /// `direct_post`: a form POST of `vp_token` and `state` to `response_uri`.
    DirectPost,
    /// `direct_post.jwt`: the same parameters encrypted to the verifier (JWE), posted as
    /// `response`.
    DirectPostJwt,
}

/// What the wallet was invoked with (§7 wallet invocation): a request by value (its
/// parameters) or by reference (`request_uri`, fetched with GET or POST).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// The Request Object is at `request_uri`.
    ByReference {
        /// The `client_id` outside the Request Object (must equal the one inside).
        client_id: String,
        /// Where to fetch the Request Object.
        request_uri: String,
        /// `true` for `request_uri_method=post`.
        post: bool,
    },
    /// The request parameters themselves (unsigned; only `redirect_uri:` clients).
    ByValue(Map<String, Value>),
}

/// Decode `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte).
pub fn form_decode(s: &str) -> Result<String, RequestError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| invalid("bad percent-encoding"))?;
                out.push(hex);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| invalid("a parameter is not UTF-8"))
}

/// Encode text for `application/x-www-form-urlencoded` (unreserved characters kept).
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The parameters of a URL query or form body; a repeated parameter is an error.
pub fn parse_form(query: &str) -> Result<Map<String, Value>, RequestError> {
    let mut params = Map::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = form_decode(k)?;
        if params
            .insert(k.clone(), Value::String(form_decode(v)?))
            .is_some()
        {
            return Err(invalid(format!("parameter {k} appears twice")));
        }
    }
    Ok(params)
}

impl Invocation {
    /// Read a wallet invocation URL (`openid4vp://?...`, or any URL whose query carries the
    /// request).
    pub fn parse(url: &str) -> Result<Invocation, RequestError> {
        if url.len() > MAX_REQUEST_LEN {
            return Err(invalid("the invocation URL is too long"));
        }
        let query = url
            .split_once('?')
            .map(|(_, q)| q)
            .ok_or_else(|| invalid("the invocation URL has no query"))?;
        let query = query.split('#').next().unwrap_or(query);
        let params = parse_form(query)?;
        let text = |k: &str| params.get(k).and_then(Value::as_str).map(str::to_owned);
        if let Some(request_uri) = text("request_uri") {
            let client_id = text("client_id").ok_or_else(|| invalid("client_id is required"))?;
            let post = match text("request_uri_method").as_deref() {
                None | Some("get") => false,
                Some("post") => true,
                Some(_) => {
                    return Err(RequestError {
                        code: "invalid_request_uri_method",
                        description: "request_uri_method is get or post".into(),
                    });
                }
            };
            if !request_uri.starts_with("https://") && !request_uri.starts_with("http://") {
                return Err(invalid("request_uri must be an http(s) URL"));
            }
            return Ok(Invocation::ByReference {
                client_id,
                request_uri,
                post,
            });
        }
        if params.contains_key("request") {
            return Err(invalid(
                "a Request Object by value (request=) is not supported; use request_uri",
            ));
        }
        Ok(Invocation::ByValue(params))
    }
}

/// The verifier metadata the wallet uses (§5.1 `client_metadata`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientMetadata {
    /// The P-256 keys for response encryption (keys of other types are ignored).
    pub encryption_keys: Vec<EcJwk>,
    /// The accepted `enc` values (default `A128GCM`), the supported ones only.
    pub enc_values: Vec<Enc>,
}

/// A checked Authorization Request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The verifier.
    pub client_id: ClientId,
    /// How to respond.
    pub response_mode: ResponseMode,
    /// Where to post the response.
    pub response_uri: String,
    /// The verifier's nonce (presentations are bound to it).
    pub nonce: String,
    /// The verifier's state, echoed in the response.
    pub state: Option<String>,
    /// What is asked.
    pub dcql_query: DcqlQuery,
    /// The verifier's metadata.
    pub client_metadata: ClientMetadata,
    /// Whether it came as a signed Request Object (and whose signature verified).
    pub signed: bool,
}

fn json_param(params: &Map<String, Value>, key: &str) -> Result<Option<Value>, RequestError> {
    match params.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => {
            crate::json::parse(s.as_bytes(), &crate::json::JsonLimits::default())
                .map(Some)
                .map_err(|_| invalid(format!("{key} is not JSON")))
        }
        Some(v @ Value::Object(_)) => Ok(Some(v.clone())),
        Some(_) => Err(invalid(format!("{key} must be a JSON object"))),
    }
}

fn string_param(params: &Map<String, Value>, key: &str) -> Result<Option<String>, RequestError> {
    match params.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(format!("{key} must be a string"))),
    }
}

impl AuthorizationRequest {
    /// Check request parameters (from an unsigned request, or a verified Request Object's
    /// claims): `response_type` `vp_token`, a supported `response_mode`, a `response_uri`, a
    /// `nonce`, a DCQL query (no `scope`), no `transaction_data` (not supported: refused as
    /// §5.1 requires); unknown parameters are ignored.
    fn from_params(
        params: &Map<String, Value>,
        client_id: ClientId,
        signed: bool,
    ) -> Result<AuthorizationRequest, RequestError> {
        if params.contains_key("transaction_data") {
            return Err(RequestError {
                code: "invalid_transaction_data",
                description: "transaction_data is not supported".into(),
            });
        }
        if string_param(params, "response_type")?.as_deref() != Some("vp_token") {
            return Err(invalid("response_type must be vp_token"));
        }
        let response_mode = match string_param(params, "response_mode")?.as_deref() {
            Some("direct_post") => ResponseMode::DirectPost,
            Some("direct_post.jwt") => ResponseMode::DirectPostJwt,
            _ => {
                return Err(invalid(
                    "response_mode must be direct_post or direct_post.jwt",
                ));
            }
        };
        let response_uri = string_param(params, "response_uri")?
            .ok_or_else(|| invalid("response_uri is required with direct_post"))?;
        if params.contains_key("redirect_uri") {
            return Err(invalid("redirect_uri must not be present with direct_post"));
        }
        if let ClientId::RedirectUri { uri, .. } = &client_id
            && *uri != response_uri
        {
            return Err(invalid(
                "with the redirect_uri: prefix the Client Identifier must be the response_uri",
            ));
        }
        let nonce = string_param(params, "nonce")?.ok_or_else(|| invalid("nonce is required"))?;
        if nonce.is_empty() || nonce.len() > MAX_NONCE_LEN {
            return Err(invalid("nonce must be 1 to 512 characters"));
        }
        let state = string_param(params, "state")?;
        if let Some(s) = &state
            && (s.is_empty()
                || s.len() > MAX_NONCE_LEN
                || !s
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)))
        {
            return Err(invalid("state must be URL-safe ASCII"));
        }
        if params.contains_key("scope") {
            return Err(invalid("scope is not supported; send a dcql_query"));
        }
        let dcql =
            json_param(params, "dcql_query")?.ok_or_else(|| invalid("dcql_query is required"))?;
        let dcql_query = DcqlQuery::parse(&dcql).map_err(|e| match e {
            super::dcql::DcqlError::UnsupportedFormat(f) => RequestError {
                code: "vp_formats_not_supported",
                description: format!("format {f} is not supported"),
            },
            other => invalid(other.to_string()),
        })?;
        let mut client_metadata = ClientMetadata::default();
        if let Some(meta) = json_param(params, "client_metadata")? {
            if let Some(keys) = meta.pointer("/jwks/keys").and_then(Value::as_array) {
                client_metadata.encryption_keys = keys
                    .iter()
                    .filter(|k| k.get("kty").and_then(Value::as_str) == Some("EC"))
                    .filter(|k| k.get("crv").and_then(Value::as_str) == Some("P-256"))
                    .map(EcJwk::from_json)
                    .collect::<Result<_, _>>()
                    .map_err(|e| invalid(format!("client_metadata.jwks: {e}")))?;
            }
            client_metadata.enc_values = match meta.get("encrypted_response_enc_values_supported") {
                None => vec![Enc::A128Gcm],
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .filter_map(Enc::from_name)
                    .collect(),
                Some(_) => {
                    return Err(invalid(
                        "encrypted_response_enc_values_supported must be an array",
                    ));
                }
            };
        } else {
            client_metadata.enc_values = vec![Enc::A128Gcm];
        }
        if response_mode == ResponseMode::DirectPostJwt
            && (client_metadata.encryption_keys.is_empty() || client_metadata.enc_values.is_empty())
        {
            return Err(invalid(
                "direct_post.jwt needs a P-256 encryption key and a supported enc in client_metadata",
            ));
        }
        Ok(AuthorizationRequest {
            client_id,
            response_mode,
            response_uri,
            nonce,
            state,
            dcql_query,
            client_metadata,
            signed,
        })
    }

    /// An unsigned request by value: only the `redirect_uri:` prefix may be unsigned.
    pub fn from_unsigned(
        params: &Map<String, Value>,
    ) -> Result<AuthorizationRequest, RequestError> {
        let client_id = ClientId::parse(
            &string_param(params, "client_id")?.ok_or_else(|| invalid("client_id is required"))?,
        )?;
        if !matches!(client_id, ClientId::RedirectUri { .. }) {
            return Err(invalid(
                "only a redirect_uri: request may be unsigned; this one must be a signed Request Object",
            ));
        }
        Self::from_params(params, client_id, false)
    }

    /// A Request Object fetched from `request_uri`, with no X.509 trust anchors (so an
    /// `x509_hash:` or `x509_san_dns:` client is refused): see
    /// [`AuthorizationRequest::from_request_object_with`].
    pub fn from_request_object(
        jwt: &str,
        outer_client_id: &str,
    ) -> Result<AuthorizationRequest, RequestError> {
        Self::from_request_object_with(
            jwt,
            outer_client_id,
            &crate::x509::TrustAnchors::none(),
            crate::Timestamp::now(),
        )
    }

    /// A Request Object fetched from `request_uri`: `typ` `oauth-authz-req+jwt`; its
    /// `client_id` equal to `outer_client_id` (the one in the invocation); signed (ES256):
    /// - `decentralized_identifier:` by the did:key named in `client_id`, its `kid` a
    ///   verification method of that DID;
    /// - `x509_hash:` by the leaf of the `x5c` chain, which validates to `anchors` at `now`
    ///   and whose SHA-256 is the hash;
    /// - `x509_san_dns:` by the leaf of the `x5c` chain, which validates to `anchors` at `now`
    ///   and is valid for the DNS name, and `response_uri` must be on that host (§5.9.3: this
    ///   wallet keeps no list of trusted Client Identifiers);
    /// - `redirect_uri:` is unsigned (`alg` `none`), which is not accepted over JAR, so the
    ///   prefix is refused here.
    ///
    /// `iss` is ignored.
    pub fn from_request_object_with(
        jwt: &str,
        outer_client_id: &str,
        anchors: &crate::x509::TrustAnchors,
        now: crate::Timestamp,
    ) -> Result<AuthorizationRequest, RequestError> {
        if jwt.len() > MAX_REQUEST_LEN {
            return Err(invalid("the Request Object is too long"));
        }
        let client_id = ClientId::parse(outer_client_id)?;
        let header_segment = jwt.split('.').next().unwrap_or("");
        let header_bytes = crate::keys::decode_base64url(header_segment)
            .map_err(|_| invalid("the Request Object's header is not base64url"))?;
        let header: Value = crate::json::parse(&header_bytes, &crate::json::JsonLimits::default())
            .map_err(|_| invalid("the Request Object's header is not JSON"))?;
        let bad_client = |description: String| RequestError {
            code: "invalid_client",
            description,
        };
        let key = match &client_id {
            ClientId::Did { did, .. } => {
                // The key comes from the header's kid, which must be a verification method
                // of the client's DID.
                let kid = header
                    .get("kid")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid("the Request Object's header has no kid"))?;
                if crate::did::did_of_url(kid) != did {
                    return Err(bad_client(
                        "the Request Object's kid is not a key of the client's DID".into(),
                    ));
                }
                crate::did::parse_verification_method(kid)
                    .map_err(|e| bad_client(format!("the Request Object's kid: {e}")))?
            }
            ClientId::X509Hash { .. } | ClientId::X509SanDns { .. } => {
                let x5c = header
                    .get("x5c")
                    .ok_or_else(|| invalid("the Request Object's header has no x5c"))?;
                let chain = crate::x509::CertificateChain::from_x5c(x5c)
                    .map_err(|e| invalid(format!("the Request Object's x5c: {e}")))?;
                let leaf = crate::x509::verify_chain(&chain, anchors, now)
                    .map_err(|e| bad_client(format!("the Request Object's x5c: {e}")))?;
                match &client_id {
                    ClientId::X509Hash { hash, .. } if leaf.hash() != hash => {
                        return Err(bad_client(
                            "the x509_hash of the Client Identifier is not the hash of the x5c leaf certificate"
                                .into(),
                        ));
                    }
                    ClientId::X509SanDns { dns, .. } => leaf
                        .check_dns_name(dns)
                        .map_err(|e| bad_client(format!("the Request Object's x5c: {e}")))?,
                    _ => {}
                }
                leaf.public_key().clone()
            }
            ClientId::RedirectUri { .. } => {
                return Err(invalid(
                    "a Request Object must be signed: a redirect_uri: client cannot send one",
                ));
            }
        };
        let verified =
            jws::verify(jwt, &key).map_err(|e| bad_client(format!("the Request Object: {e}")))?;
        if verified.header().get("typ").and_then(Value::as_str) != Some(REQUEST_OBJECT_TYP) {
            return Err(invalid(
                "the Request Object's typ must be oauth-authz-req+jwt",
            ));
        }
        let claims = crate::json::parse(verified.payload(), &crate::json::JsonLimits::default())
            .map_err(|_| invalid("the Request Object's payload is not JSON"))?;
        let Value::Object(claims) = claims else {
            return Err(invalid("the Request Object's payload is not a JSON object"));
        };
        if claims.get("client_id").and_then(Value::as_str) != Some(outer_client_id) {
            return Err(bad_client(
                "the client_id inside the Request Object differs from the one outside".into(),
            ));
        }
        let request = Self::from_params(&claims, client_id, true)?;
        if let ClientId::X509SanDns { dns, .. } = &request.client_id
            && !url_host(&request.response_uri).eq_ignore_ascii_case(dns)
        {
            return Err(bad_client(format!(
                "with x509_san_dns:{dns} the response_uri must be on {dns}"
            )));
        }
        Ok(request)
    }

    /// The BBS presentation header binding a bbs-2023 presentation to this request: the
    /// verifier's request binding ([`crate::verifier::request_binding`]) of the `nonce` and
    /// the full Client Identifier (see `docs/formats.md`).
    pub fn presentation_header(&self) -> Vec<u8> {
        crate::verifier::request_binding(&self.nonce, Some(self.client_id.as_str()))
    }
}

/// Whether a wallet may send to (or fetch from) `url`: `https://`, or `http://` to this
/// machine only (`localhost`, a loopback address), for development and tests. Wallets apply it
/// to `request_uri` and `response_uri`; a `redirect_uri` must be `https://`.
pub fn transport_allowed(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    if !url.starts_with("http://") {
        return false;
    }
    let name = url_host(url);
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of an `http(s)://` URL (no port, no user info, IPv6 without brackets); empty for
/// another scheme.
pub fn url_host(url: &str) -> &str {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return "";
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    if host.starts_with('[') {
        host.split(']').next().map(|h| h.trim_start_matches('['))
    } else {
        host.split(':').next()
    }
    .unwrap_or("")
}

/// The verifier's side: a signed Request Object for `params` (which must include
/// `client_id`), `typ` `oauth-authz-req+jwt`, `kid` the signer's verification method.
pub fn sign_request_object(
    params: &Map<String, Value>,
    signer: &dyn crate::ecdsa::Signer,
) -> Result<String, crate::Error> {
    let mut header = Map::new();
    header.insert("typ".into(), REQUEST_OBJECT_TYP.into());
    header.insert(
        "kid".into(),
        crate::did::verification_method_id(&signer.public_key()).into(),
    );
    let payload = serde_json::to_vec(&Value::Object(params.clone()))
        .map_err(|_| crate::Error::Crypto("cannot serialize a Request Object"))?;
    jws::sign(&header, &payload, signer)
}

/// The verifier's side under `x509_hash:` or `x509_san_dns:`: a signed Request Object for
/// `params` (which must include `client_id`), `typ` `oauth-authz-req+jwt`, `x5c` the chain
/// (leaf first, no trust anchor), signed by the leaf's key. Refused if `signer` does not hold
/// the leaf's key.
pub fn sign_request_object_x509(
    params: &Map<String, Value>,
    signer: &dyn crate::ecdsa::Signer,
    chain: &crate::x509::CertificateChain,
) -> Result<String, crate::Error> {
    if chain.leaf_public_key()? != signer.public_key() {
        return Err(crate::Error::Ecdsa(EcdsaError::KeyMismatch));
    }
    let mut header = Map::new();
    header.insert("typ".into(), REQUEST_OBJECT_TYP.into());
    header.insert("x5c".into(), chain.to_x5c());
    let payload = serde_json::to_vec(&Value::Object(params.clone()))
        .map_err(|_| crate::Error::Crypto("cannot serialize a Request Object"))?;
    jws::sign(&header, &payload, signer)
}
