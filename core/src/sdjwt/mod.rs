//! Selective Disclosure for JWTs ([RFC 9901](https://www.rfc-editor.org/rfc/rfc9901)), the
//! SD-JWT VC profile ([`vc`], `draft-ietf-oauth-sd-jwt-vc-13`, the version OpenID4VC HAIP 1.0
//! cites) and the Token Status List ([`status`], `draft-ietf-oauth-status-list-14`), over the
//! ES256-only JOSE layer ([`crate::jose`]).
//!
//! Laid out in the order of RFC 9901:
//! - §4.1 the compact form `<Issuer-signed JWT>~<Disclosure>~...~[<KB-JWT>]` ([`SdJwt`]);
//! - §4.2 Disclosures (`[salt, name, value]` for an object property, `[salt, value]` for an
//!   array element, base64url of the JSON array) and their digests (base64url of SHA-256 of
//!   the encoded Disclosure; `_sd_alg` is `sha-256`, the only one accepted), embedded as
//!   `_sd` arrays and `{"...": digest}` array elements, with decoy digests ([`issue`]);
//! - §4.3 the Key Binding JWT (`typ: kb+jwt`, `iat`, `aud`, `nonce`, `sd_hash` over the
//!   presentation up to and including its last `~`) ([`present`], [`verify_key_binding`]);
//! - §7.1 and §7.3 verification: the signature first, then every Disclosure matched to
//!   exactly one digest (a digest found twice, a Disclosure not referenced, a claim name `_sd`
//!   or `...`, or a name already present refuse the SD-JWT), unmatched digests ignored as
//!   decoys, `_sd` and `_sd_alg` removed ([`SdJwt::verify`]).

pub mod status;
pub mod vc;

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::ecdsa::Signer;
use crate::jose::{JoseError, b64, jws};
use crate::keys::PublicKey;

/// Most Disclosures in one SD-JWT.
pub const MAX_DISCLOSURES: usize = 1024;
/// Deepest nesting of Disclosures within Disclosures.
pub const MAX_DEPTH: usize = 32;

/// What is wrong with an SD-JWT (see [`crate::Error::SdJwt`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdJwtError {
    /// The compact form, a Disclosure or a claim is malformed.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The issuer's or the holder's JWS.
    #[error("{0}")]
    Jose(#[from] JoseError),
    /// A digest appears twice in the payload (directly or through Disclosures).
    #[error("a digest appears more than once")]
    DuplicateDigest,
    /// A Disclosure is given twice.
    #[error("a Disclosure is given twice")]
    DuplicateDisclosure,
    /// A Disclosure no digest in the payload refers to.
    #[error("a Disclosure is not referenced by the issuer-signed JWT")]
    UnusedDisclosure,
    /// A Disclosure's claim name is reserved (`_sd`, `...`) or already present.
    #[error("a Disclosure's claim name is {0}")]
    BadClaimName(&'static str),
    /// `_sd_alg` names another hash than `sha-256`.
    #[error("unsupported _sd_alg (only sha-256 is accepted)")]
    UnsupportedHash,
    /// A header or claim is not what the profile requires.
    #[error("{0}")]
    Profile(String),
    /// The Key Binding JWT is missing or does not bind this presentation to this request.
    #[error("key binding: {0}")]
    KeyBinding(String),
}

impl SdJwtError {
    /// The classification of this error (see [`crate::ErrorKind`]).
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            SdJwtError::Jose(e) => e.kind(),
            SdJwtError::Malformed(_) | SdJwtError::Profile(_) => crate::ErrorKind::InvalidInput,
            SdJwtError::UnsupportedHash => crate::ErrorKind::Unsupported,
            SdJwtError::DuplicateDigest
            | SdJwtError::DuplicateDisclosure
            | SdJwtError::UnusedDisclosure
            | SdJwtError::BadClaimName(_)
            | SdJwtError::KeyBinding(_) => crate::ErrorKind::VerificationFailed,
        }
    }
}

/// The digest of an encoded Disclosure (§4.2.3): base64url of its SHA-256.
pub fn digest(encoded: &str) -> String {
    b64(&Sha256::digest(encoded.as_bytes()))
}

/// One Disclosure (§4.2.1, §4.2.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    encoded: String,
    /// The claim name, for an object property; `None` for an array element.
    pub name: Option<String>,
    /// The claim value.
    pub value: Value,
}

impl Disclosure {
    /// A new Disclosure of `value` (named for an object property) with a fresh 128-bit salt.
    pub fn new(name: Option<&str>, value: Value) -> Result<Disclosure, crate::Error> {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt).map_err(|_| crate::Error::Crypto("no randomness"))?;
        let array = match name {
            Some(n) => Value::Array(vec![Value::String(b64(&salt)), n.into(), value.clone()]),
            None => Value::Array(vec![Value::String(b64(&salt)), value.clone()]),
        };
        let json = serde_json::to_vec(&array)
            .map_err(|_| crate::Error::Crypto("cannot serialize a Disclosure"))?;
        Ok(Disclosure {
            encoded: b64(&json),
            name: name.map(str::to_owned),
            value,
        })
    }

    /// Read an encoded Disclosure: base64url of a JSON array of 2 (salt, value) or 3 (salt,
    /// name, value) elements, the salt and name strings.
    pub fn parse(encoded: &str) -> Result<Disclosure, SdJwtError> {
        let bad = SdJwtError::Malformed;
        let bytes = crate::jose::unb64(encoded, "a Disclosure is not base64url")?;
        let v = crate::json::parse(&bytes, &crate::json::JsonLimits::default())
            .map_err(|_| bad("a Disclosure is not JSON"))?;
        let Value::Array(items) = v else {
            return Err(bad("a Disclosure is a JSON array"));
        };
        let (name, value) = match items.as_slice() {
            [Value::String(_), value] => (None, value.clone()),
            [Value::String(_), Value::String(name), value] => (Some(name.clone()), value.clone()),
            [_, _] | [_, _, _] => return Err(bad("a Disclosure's salt and name are strings")),
            _ => return Err(bad("a Disclosure has 2 or 3 elements")),
        };
        Ok(Disclosure {
            encoded: encoded.to_owned(),
            name,
            value,
        })
    }

    /// The encoded form.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }

    /// Its digest.
    pub fn digest(&self) -> String {
        digest(&self.encoded)
    }
}

/// An SD-JWT in compact form (§4.1), not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdJwt {
    jwt: String,
    disclosures: Vec<Disclosure>,
    kb_jwt: Option<String>,
}

impl SdJwt {
    /// Split the compact form. An SD-JWT ends with `~`; an SD-JWT+KB ends with the KB-JWT.
    pub fn parse(compact: &str) -> Result<SdJwt, SdJwtError> {
        let bad = SdJwtError::Malformed;
        let compact = compact.trim();
        if compact.len() > crate::jose::MAX_COMPACT_LEN {
            return Err(JoseError::TooLarge {
                actual: compact.len(),
                limit: crate::jose::MAX_COMPACT_LEN,
            }
            .into());
        }
        let mut parts: Vec<&str> = compact.split('~').collect();
        if parts.len() < 2 {
            return Err(bad("an SD-JWT is a JWT followed by ~"));
        }
        let last = parts.pop().unwrap_or("");
        let kb_jwt = (!last.is_empty()).then(|| last.to_owned());
        let jwt = parts.first().copied().unwrap_or("");
        if jwt.split('.').count() != 3 {
            return Err(bad("the issuer-signed JWT has three segments"));
        }
        if let Some(kb) = &kb_jwt
            && kb.split('.').count() != 3
        {
            return Err(bad("the Key Binding JWT has three segments"));
        }
        let encoded = parts.get(1..).unwrap_or_default();
        if encoded.len() > MAX_DISCLOSURES {
            return Err(bad("more than 1024 Disclosures"));
        }
        let mut seen = HashSet::new();
        let mut disclosures = Vec::with_capacity(encoded.len());
        for d in encoded {
            if d.is_empty() {
                return Err(bad("an empty Disclosure"));
            }
            if !seen.insert(*d) {
                return Err(SdJwtError::DuplicateDisclosure);
            }
            disclosures.push(Disclosure::parse(d)?);
        }
        Ok(SdJwt {
            jwt: jwt.to_owned(),
            disclosures,
            kb_jwt,
        })
    }

    /// The compact form.
    pub fn to_compact(&self) -> String {
        let mut out = self.without_key_binding();
        if let Some(kb) = &self.kb_jwt {
            out.push_str(kb);
        }
        out
    }

    /// `<JWT>~<Disclosure>~...~`: what the KB-JWT's `sd_hash` covers.
    pub fn without_key_binding(&self) -> String {
        let mut out = format!("{}~", self.jwt);
        for d in &self.disclosures {
            out.push_str(d.encoded());
            out.push('~');
        }
        out
    }

    /// The issuer-signed JWT.
    pub fn issuer_jwt(&self) -> &str {
        &self.jwt
    }

    /// The Disclosures, in order.
    pub fn disclosures(&self) -> &[Disclosure] {
        &self.disclosures
    }

    /// The Key Binding JWT, if any.
    pub fn kb_jwt(&self) -> Option<&str> {
        self.kb_jwt.as_deref()
    }

    /// The issuer-signed JWT's header, *unverified*: only to find the key to verify with.
    pub fn unverified_header(&self) -> Result<Map<String, Value>, SdJwtError> {
        let h = self.jwt.split('.').next().unwrap_or("");
        object(&crate::jose::unb64(h, "the JWT header is not base64url")?)
    }

    /// The issuer-signed JWT's payload, *unverified*: only to find the key to verify with.
    pub fn unverified_payload(&self) -> Result<Map<String, Value>, SdJwtError> {
        let p = self.jwt.split('.').nth(1).unwrap_or("");
        object(&crate::jose::unb64(p, "the JWT payload is not base64url")?)
    }

    /// §7.1: verify the issuer's signature with `key` and that its `typ` is one of `typs`,
    /// then process the Disclosures (§7.3). The claims as disclosed.
    pub fn verify(&self, key: &PublicKey, typs: &[&str]) -> Result<VerifiedSdJwt, SdJwtError> {
        let verified = jws::verify(&self.jwt, key)?;
        let typ = verified
            .header()
            .get("typ")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !typs.contains(&typ) {
            return Err(SdJwtError::Profile(format!(
                "the JWT's typ is {:?}, not {}",
                typ.chars().take(40).collect::<String>(),
                typs.join(" or ")
            )));
        }
        let payload = object(verified.payload())?;
        let (claims, paths) = process(&payload, &self.disclosures)?;
        Ok(VerifiedSdJwt {
            header: verified.header().clone(),
            claims,
            disclosed: paths,
        })
    }
}

fn object(bytes: &[u8]) -> Result<Map<String, Value>, SdJwtError> {
    match crate::json::parse(bytes, &crate::json::JsonLimits::default()) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(SdJwtError::Malformed("not a JSON object")),
    }
}

/// An SD-JWT whose issuer signature verified and whose Disclosures were all matched: the
/// claims as disclosed. Only [`SdJwt::verify`] makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedSdJwt {
    header: Map<String, Value>,
    claims: Map<String, Value>,
    disclosed: Vec<String>,
}

impl VerifiedSdJwt {
    /// The issuer-signed JWT's protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }
    /// The claims: the payload with every Disclosure put in place, `_sd` and `_sd_alg`
    /// removed.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
    /// The JSON pointers (into [`VerifiedSdJwt::claims`]) of what came from Disclosures.
    pub fn disclosed(&self) -> &[String] {
        &self.disclosed
    }
}

/// §7.3: put the Disclosures in place. The processed claims and the pointer of each
/// Disclosure's value in them (in Disclosure order).
fn process(
    payload: &Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<(Map<String, Value>, Vec<String>), SdJwtError> {
    match payload.get("_sd_alg") {
        None => {}
        Some(Value::String(s)) if s == "sha-256" => {}
        Some(_) => return Err(SdJwtError::UnsupportedHash),
    }
    let by_digest: HashMap<String, usize> = disclosures
        .iter()
        .enumerate()
        .map(|(i, d)| (d.digest(), i))
        .collect();
    let mut state = Processing {
        disclosures,
        by_digest,
        seen: HashSet::new(),
        used: vec![None; disclosures.len()],
    };
    let mut top = payload.clone();
    top.remove("_sd_alg");
    let mut out = Value::Object(top);
    state.walk(&mut out, "", 0)?;
    if state.used.iter().any(Option::is_none) {
        return Err(SdJwtError::UnusedDisclosure);
    }
    let Value::Object(claims) = out else {
        return Err(SdJwtError::Malformed("the payload is not an object"));
    };
    Ok((claims, state.used.into_iter().flatten().collect()))
}

/// The claims with every Disclosure in place and the pointers of what came from them, for
/// the wallet's display of a credential it already verified at import.
pub(crate) fn process_for_wallet(
    payload: &Map<String, Value>,
    disclosures: &[Disclosure],
) -> Result<(Map<String, Value>, Vec<String>), SdJwtError> {
    process(payload, disclosures)
}

struct Processing<'a> {
    disclosures: &'a [Disclosure],
    by_digest: HashMap<String, usize>,
    seen: HashSet<String>,
    used: Vec<Option<String>>,
}

impl<'a> Processing<'a> {
    /// The Disclosure of `digest` (recorded as landing at `at`), `None` for a decoy or a
    /// claim not disclosed.
    fn take(&mut self, digest: &str, at: &str) -> Result<Option<&'a Disclosure>, SdJwtError> {
        if !self.seen.insert(digest.to_owned()) {
            return Err(SdJwtError::DuplicateDigest);
        }
        let Some(&i) = self.by_digest.get(digest) else {
            return Ok(None);
        };
        if let Some(slot) = self.used.get_mut(i) {
            *slot = Some(at.to_owned());
        }
        let all: &'a [Disclosure] = self.disclosures;
        Ok(all.get(i))
    }

    fn walk(&mut self, value: &mut Value, at: &str, depth: usize) -> Result<(), SdJwtError> {
        if depth > MAX_DEPTH {
            return Err(SdJwtError::Malformed("Disclosures nested too deep"));
        }
        match value {
            Value::Object(map) => {
                if let Some(sd) = map.remove("_sd") {
                    let Value::Array(digests) = sd else {
                        return Err(SdJwtError::Malformed("_sd is an array of strings"));
                    };
                    for d in digests {
                        let Value::String(d) = d else {
                            return Err(SdJwtError::Malformed("_sd is an array of strings"));
                        };
                        let path_of =
                            |name: &str| format!("{at}/{}", crate::json_pointer::escape(name));
                        let Some(found) = self.take(&d, at)? else {
                            continue;
                        };
                        let Some(name) = found.name.clone() else {
                            return Err(SdJwtError::Malformed(
                                "an array-element Disclosure is referenced from _sd",
                            ));
                        };
                        if name == "_sd" || name == "..." {
                            return Err(SdJwtError::BadClaimName("reserved (_sd or ...)"));
                        }
                        if map.contains_key(&name) {
                            return Err(SdJwtError::BadClaimName("already present"));
                        }
                        if let Some(i) = self.by_digest.get(&d).copied()
                            && let Some(slot) = self.used.get_mut(i)
                        {
                            *slot = Some(path_of(&name));
                        }
                        map.insert(name, found.value.clone());
                    }
                }
                if map.contains_key("...") {
                    return Err(SdJwtError::Malformed("a ... key outside an array element"));
                }
                let keys: Vec<String> = map.keys().cloned().collect();
                for k in keys {
                    if let Some(v) = map.get_mut(&k) {
                        let path = format!("{at}/{}", crate::json_pointer::escape(&k));
                        self.walk(v, &path, depth + 1)?;
                    }
                }
            }
            Value::Array(items) => {
                let old = std::mem::take(items);
                for item in old {
                    let reference = match &item {
                        Value::Object(m) if m.contains_key("...") => {
                            if m.len() != 1 {
                                return Err(SdJwtError::Malformed(
                                    "an array element with ... has no other key",
                                ));
                            }
                            match m.get("...") {
                                Some(Value::String(d)) => Some(d.clone()),
                                _ => return Err(SdJwtError::Malformed("... is a digest string")),
                            }
                        }
                        _ => None,
                    };
                    let Some(d) = reference else {
                        items.push(item);
                        continue;
                    };
                    let path = format!("{at}/{}", items.len());
                    let Some(found) = self.take(&d, &path)? else {
                        continue; // not disclosed: the element is left out
                    };
                    if found.name.is_some() {
                        return Err(SdJwtError::Malformed(
                            "an object-property Disclosure is referenced as an array element",
                        ));
                    }
                    items.push(found.value.clone());
                }
                for (i, item) in items.iter_mut().enumerate() {
                    self.walk(item, &format!("{at}/{i}"), depth + 1)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Issue an SD-JWT (§4, §6): `claims` with the properties and array elements at
/// `selectively_disclosable` (JSON pointers; nested ones inside others become recursive
/// Disclosures) replaced by digests, one to three decoy digests added to each `_sd`, the
/// digests of each `_sd` sorted, `_sd_alg: sha-256`; signed with ES256 under `header`
/// (whose `alg` is set). The compact SD-JWT (ending with `~`).
pub fn issue(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    selectively_disclosable: &[String],
    signer: &dyn Signer,
) -> Result<String, crate::Error> {
    let mut wanted = HashSet::new();
    for p in selectively_disclosable {
        crate::json_pointer::parse(p)?;
        if p.is_empty() {
            return Err(
                SdJwtError::Profile("the whole payload cannot be a Disclosure".into()).into(),
            );
        }
        wanted.insert(p.as_str());
    }
    let mut disclosures = Vec::new();
    let mut payload = Value::Object(claims.clone());
    conceal(&mut payload, "", &wanted, &mut disclosures)?;
    let Value::Object(mut payload) = payload else {
        return Err(SdJwtError::Malformed("the claims are an object").into());
    };
    payload.insert("_sd_alg".into(), "sha-256".into());
    let body = serde_json::to_vec(&Value::Object(payload))
        .map_err(|_| crate::Error::Crypto("cannot serialize the payload"))?;
    let jwt = jws::sign(header, &body, signer)?;
    let mut out = format!("{jwt}~");
    for d in &disclosures {
        out.push_str(d.encoded());
        out.push('~');
    }
    Ok(out)
}

fn decoy() -> Result<String, crate::Error> {
    let mut r = [0u8; 32];
    getrandom::getrandom(&mut r).map_err(|_| crate::Error::Crypto("no randomness"))?;
    Ok(b64(&Sha256::digest(r)))
}

fn conceal(
    value: &mut Value,
    at: &str,
    wanted: &HashSet<&str>,
    out: &mut Vec<Disclosure>,
) -> Result<(), crate::Error> {
    match value {
        Value::Object(map) => {
            if map.contains_key("_sd") || map.contains_key("...") {
                return Err(SdJwtError::BadClaimName("reserved (_sd or ...)").into());
            }
            let mut digests = Vec::new();
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                let path = format!("{at}/{}", crate::json_pointer::escape(&k));
                if let Some(v) = map.get_mut(&k) {
                    conceal(v, &path, wanted, out)?;
                }
                if wanted.contains(path.as_str())
                    && let Some(v) = map.remove(&k)
                {
                    let d = Disclosure::new(Some(&k), v)?;
                    digests.push(d.digest());
                    out.push(d);
                }
            }
            if !digests.is_empty() {
                let mut n = [0u8; 1];
                getrandom::getrandom(&mut n).map_err(|_| crate::Error::Crypto("no randomness"))?;
                for _ in 0..1 + n[0] % 3 {
                    digests.push(decoy()?);
                }
                digests.sort();
                map.insert(
                    "_sd".into(),
                    Value::Array(digests.into_iter().map(Value::String).collect()),
                );
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let path = format!("{at}/{i}");
                conceal(item, &path, wanted, out)?;
                if wanted.contains(path.as_str()) {
                    let d = Disclosure::new(None, std::mem::take(item))?;
                    let mut m = Map::new();
                    m.insert("...".into(), Value::String(d.digest()));
                    *item = Value::Object(m);
                    out.push(d);
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The pointers of every property and array element of `claims`, at every depth, except
/// the top-level names in `keep` (which stay plainly visible): "everything selectively
/// disclosable".
pub fn all_pointers(claims: &Map<String, Value>, keep: &[&str]) -> Vec<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let p = format!("{at}/{}", crate::json_pointer::escape(k));
                    out.push(p.clone());
                    walk(v, &p, out);
                }
            }
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    let p = format!("{at}/{i}");
                    out.push(p.clone());
                    walk(v, &p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (k, v) in claims {
        if keep.contains(&k.as_str()) {
            continue;
        }
        let p = format!("/{}", crate::json_pointer::escape(k));
        out.push(p.clone());
        walk(v, &p, &mut out);
    }
    out
}

/// What a Key Binding JWT must bind (§4.3, §7.3 step 5).
#[derive(Debug, Clone)]
pub struct KeyBindingCheck<'a> {
    /// The verifier's `aud`.
    pub audience: &'a str,
    /// The nonce it gave.
    pub nonce: &'a str,
    /// Now, Unix seconds.
    pub now: i64,
    /// How old `iat` may be, in seconds.
    pub max_age: i64,
    /// The clock difference accepted, in seconds.
    pub skew: i64,
}

/// Verify the Key Binding JWT of `sd` with the holder's key: `typ: kb+jwt`, ES256, `aud`
/// and `nonce` as expected, `iat` within the window, `sd_hash` over this presentation.
pub fn verify_key_binding(
    sd: &SdJwt,
    holder: &PublicKey,
    check: &KeyBindingCheck<'_>,
) -> Result<(), SdJwtError> {
    let kb = |why: &str| SdJwtError::KeyBinding(why.to_owned());
    let jwt = sd
        .kb_jwt()
        .ok_or_else(|| kb("there is no Key Binding JWT (a forwarded copy?)"))?;
    let verified = jws::verify(jwt, holder).map_err(|e| {
        SdJwtError::KeyBinding(format!(
            "the KB-JWT is not signed by the credential's holder key: {e}"
        ))
    })?;
    if verified.header().get("typ").and_then(Value::as_str) != Some("kb+jwt") {
        return Err(kb("the KB-JWT's typ is not kb+jwt"));
    }
    let claims = object(verified.payload())?;
    let text = |k: &str| claims.get(k).and_then(Value::as_str);
    if text("aud") != Some(check.audience) {
        return Err(kb("its aud is not this verifier"));
    }
    if text("nonce") != Some(check.nonce) {
        return Err(kb(
            "its nonce is not the one this verifier gave (replayed?)",
        ));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| kb("it has no iat"))?;
    if iat > check.now.saturating_add(check.skew) {
        return Err(kb("its iat is in the future"));
    }
    if iat
        < check
            .now
            .saturating_sub(check.max_age)
            .saturating_sub(check.skew)
    {
        return Err(kb("its iat is too old (replayed?)"));
    }
    let want = b64(&Sha256::digest(sd.without_key_binding().as_bytes()));
    if text("sd_hash") != Some(want.as_str()) {
        return Err(kb(
            "its sd_hash is not over this presentation (Disclosures changed?)",
        ));
    }
    Ok(())
}

/// Present `issued` (an SD-JWT as issued, all Disclosures): keep the Disclosures of the
/// claims at `disclose` (JSON pointers into the fully disclosed claims; a pointer keeps its
/// ancestors and everything under it) and, with `key_binding`, add a KB-JWT for `aud` and
/// `nonce` at `iat` signed by the holder's key. The issuer's signature is not checked here
/// (the wallet did at import).
pub fn present(
    issued: &SdJwt,
    disclose: &[String],
    key_binding: Option<(&dyn Signer, &str, &str, i64)>,
) -> Result<String, crate::Error> {
    let payload = issued.unverified_payload()?;
    let (_, paths) = process(&payload, &issued.disclosures)?;
    let covers = |outer: &str, inner: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    let kept: Vec<Disclosure> = issued
        .disclosures
        .iter()
        .zip(&paths)
        .filter(|(_, p)| disclose.iter().any(|d| covers(p, d) || covers(d, p)))
        .map(|(d, _)| d.clone())
        .collect();
    let mut out = SdJwt {
        jwt: issued.jwt.clone(),
        disclosures: kept,
        kb_jwt: None,
    };
    if let Some((signer, aud, nonce, iat)) = key_binding {
        let sd_hash = b64(&Sha256::digest(out.without_key_binding().as_bytes()));
        let mut header = Map::new();
        header.insert("typ".into(), "kb+jwt".into());
        let body = serde_json::json!({"iat": iat, "aud": aud, "nonce": nonce, "sd_hash": sd_hash});
        let body = serde_json::to_vec(&body)
            .map_err(|_| crate::Error::Crypto("cannot serialize the KB-JWT"))?;
        out.kb_jwt = Some(jws::sign(&header, &body, signer)?);
    }
    Ok(out.to_compact())
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::ecdsa::DeviceKey;
    use serde_json::json;

    fn claims() -> Map<String, Value> {
        json!({
            "iss": "https://uni.example",
            "given_name": "Ada",
            "address": {"locality": "Civitas", "country": "EU"},
            "nationalities": ["DE", "FR"],
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn the_rfcs_disclosure_digests() {
        // RFC 9901 §4.2.3: an object-property Disclosure (family_name: Möbius) and an
        // array-element one ("FR").
        let d =
            Disclosure::parse("WyI2cU1RdlJMNWhhaiIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0").unwrap();
        assert_eq!(d.name.as_deref(), Some("family_name"));
        assert_eq!(d.value, json!("Möbius"));
        assert_eq!(d.digest(), "uutlBuYeMDyjLLTpf6Jxi7yNkEF35jdyWMn9U7b_RYY");
        let e = Disclosure::parse("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIkZSIl0").unwrap();
        assert_eq!((e.name.as_deref(), &e.value), (None, &json!("FR")));
        assert_eq!(e.digest(), "w0I8EKcdCtUPkGCNUrfwVp2xEgNjtoIDlOxc9-PlOhs");
    }

    #[test]
    fn issue_verify_present_and_bind() {
        let issuer = DeviceKey::generate().unwrap();
        let holder = DeviceKey::generate().unwrap();
        let sd: Vec<String> = [
            "/given_name",
            "/address",
            "/address/locality",
            "/nationalities/1",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let mut header = Map::new();
        header.insert("typ".into(), "dc+sd-jwt".into());
        let compact = issue(&header, &claims(), &sd, &issuer).unwrap();
        let parsed = SdJwt::parse(&compact).unwrap();
        assert_eq!(parsed.disclosures().len(), 4);
        let full = parsed.verify(&issuer.public_key(), &["dc+sd-jwt"]).unwrap();
        assert_eq!(
            Value::Object(full.claims().clone()),
            Value::Object(claims())
        );
        assert!(!full.claims().contains_key("_sd_alg"));
        // Only the locality: its parent comes along, the name and nationality stay hidden.
        let shown = present(
            &parsed,
            &["/address/locality".to_owned()],
            Some((&holder, "https://desk.example", "n-1", 1_800_000_000)),
        )
        .unwrap();
        let p = SdJwt::parse(&shown).unwrap();
        let v = p.verify(&issuer.public_key(), &["dc+sd-jwt"]).unwrap();
        assert_eq!(
            v.claims()["address"],
            json!({"locality": "Civitas", "country": "EU"})
        );
        assert!(!v.claims().contains_key("given_name"));
        assert_eq!(v.claims()["nationalities"], json!(["DE"]));
        let check = KeyBindingCheck {
            audience: "https://desk.example",
            nonce: "n-1",
            now: 1_800_000_010,
            max_age: 300,
            skew: 60,
        };
        verify_key_binding(&p, &holder.public_key(), &check).unwrap();
        for (bad, why) in [
            (
                KeyBindingCheck {
                    nonce: "n-2",
                    ..check.clone()
                },
                "nonce",
            ),
            (
                KeyBindingCheck {
                    audience: "https://other.example",
                    ..check.clone()
                },
                "aud",
            ),
            (
                KeyBindingCheck {
                    now: 1_800_009_000,
                    ..check.clone()
                },
                "too old",
            ),
        ] {
            let e = verify_key_binding(&p, &holder.public_key(), &bad).unwrap_err();
            assert!(e.to_string().contains(why), "{e}");
        }
        assert!(verify_key_binding(&p, &issuer.public_key(), &check).is_err());
        // A Disclosure added after binding breaks sd_hash.
        let mut tampered = p.clone();
        tampered.disclosures.push(parsed.disclosures()[0].clone());
        let e = verify_key_binding(&tampered, &holder.public_key(), &check).unwrap_err();
        assert!(e.to_string().contains("sd_hash"), "{e}");
        // Without the KB-JWT: a forwarded copy.
        let bare = SdJwt::parse(&p.without_key_binding()).unwrap();
        assert!(verify_key_binding(&bare, &holder.public_key(), &check).is_err());
    }

    #[test]
    fn bad_disclosures_are_refused() {
        let issuer = DeviceKey::generate().unwrap();
        let mut header = Map::new();
        header.insert("typ".into(), "dc+sd-jwt".into());
        let compact = issue(&header, &claims(), &["/given_name".to_owned()], &issuer).unwrap();
        let parsed = SdJwt::parse(&compact).unwrap();
        let key = issuer.public_key();
        // The same Disclosure twice.
        let d = parsed.disclosures()[0].encoded().to_owned();
        assert_eq!(
            SdJwt::parse(&format!("{compact}{d}~")).unwrap_err(),
            SdJwtError::DuplicateDisclosure
        );
        // A Disclosure nothing refers to.
        let stray = Disclosure::new(Some("x"), json!(1)).unwrap();
        let extra = SdJwt::parse(&format!("{compact}{}~", stray.encoded())).unwrap();
        assert_eq!(
            extra.verify(&key, &["dc+sd-jwt"]).unwrap_err(),
            SdJwtError::UnusedDisclosure
        );
        // Reserved names and a name already present, signed by the issuer.
        for (name, want) in [
            ("_sd", "reserved"),
            ("...", "reserved"),
            ("iss", "already present"),
        ] {
            let d = Disclosure::new(Some(name), json!("v")).unwrap();
            let payload = json!({"iss": "x", "_sd": [d.digest()], "_sd_alg": "sha-256"});
            let jwt = jws::sign(&header, payload.to_string().as_bytes(), &issuer).unwrap();
            let sd = SdJwt::parse(&format!("{jwt}~{}~", d.encoded())).unwrap();
            let e = sd.verify(&key, &["dc+sd-jwt"]).unwrap_err();
            assert!(e.to_string().contains(want), "{name}: {e}");
        }
        // A digest twice in the payload; another _sd_alg; the wrong typ.
        let d = Disclosure::new(Some("a"), json!(1)).unwrap();
        let twice = json!({"_sd": [d.digest()], "o": {"_sd": [d.digest()]}});
        let jwt = jws::sign(&header, twice.to_string().as_bytes(), &issuer).unwrap();
        let sd = SdJwt::parse(&format!("{jwt}~{}~", d.encoded())).unwrap();
        assert_eq!(
            sd.verify(&key, &["dc+sd-jwt"]).unwrap_err(),
            SdJwtError::DuplicateDigest
        );
        let alg = json!({"_sd_alg": "sha-512"});
        let jwt = jws::sign(&header, alg.to_string().as_bytes(), &issuer).unwrap();
        assert_eq!(
            SdJwt::parse(&format!("{jwt}~"))
                .unwrap()
                .verify(&key, &["dc+sd-jwt"])
                .unwrap_err(),
            SdJwtError::UnsupportedHash
        );
        assert!(matches!(
            parsed.verify(&key, &["kb+jwt"]),
            Err(SdJwtError::Profile(_))
        ));
        // alg none, an unknown crit header: refused before anything else is read.
        let b64j = |v: &Value| crate::jose::b64(v.to_string().as_bytes());
        let body = b64j(&json!({"iss": "x", "_sd_alg": "sha-256"}));
        let none = format!(
            "{}.{body}.",
            b64j(&json!({"alg": "none", "typ": "dc+sd-jwt"}))
        );
        assert!(matches!(
            SdJwt::parse(&format!("{none}~"))
                .unwrap()
                .verify(&key, &["dc+sd-jwt"]),
            Err(SdJwtError::Jose(JoseError::Unsupported { what: "alg", .. }))
        ));
        let mut crit = header.clone();
        crit.insert("crit".into(), json!(["x-civitas"]));
        crit.insert("x-civitas".into(), json!(1));
        let jwt = jws::sign(&crit, br#"{"iss":"x"}"#, &issuer).unwrap();
        assert!(matches!(
            SdJwt::parse(&format!("{jwt}~"))
                .unwrap()
                .verify(&key, &["dc+sd-jwt"]),
            Err(SdJwtError::Jose(JoseError::Unsupported {
                what: "crit",
                ..
            }))
        ));
        // Malformed compact forms.
        for bad in ["", "abc", "a.b~", "~~", "x.y.z~%%~"] {
            assert!(
                SdJwt::parse(bad).is_err()
                    || SdJwt::parse(bad)
                        .unwrap()
                        .verify(&key, &["dc+sd-jwt"])
                        .is_err(),
                "{bad}"
            );
        }
    }
}
