//! did:key: DIDs that are a public key, resolved offline.
//!
//! See the did:key method, <https://w3c-ccg.github.io/did-key-spec/> (format
//! `did:key:<publicKeyMultibase>`, verification method id `<did>#<publicKeyMultibase>`), and
//! Controlled Identifiers v1.0 <https://www.w3.org/TR/cid-1.0/#Multikey> for the `Multikey`
//! verification method type used in the documents produced here.

use crate::DidError;
use serde_json::{Value, json};

use crate::Error;
use crate::keys::PublicKey;

/// `did:key:` prefix.
const DID_KEY_PREFIX: &str = "did:key:";
/// Longest DID or DID URL accepted (a BLS12-381 G2 verification method id is 280 bytes).
pub const MAX_DID_LEN: usize = 1024;

/// The DID for `key`: `did:key:` followed by its `publicKeyMultibase`.
pub fn did_key(key: &PublicKey) -> String {
    format!("{DID_KEY_PREFIX}{}", key.to_multibase())
}

/// The verification method id for `key`: `did:key:<mb>#<mb>`.
pub fn verification_method_id(key: &PublicKey) -> String {
    let mb = key.to_multibase();
    format!("{DID_KEY_PREFIX}{mb}#{mb}")
}

/// Splits `did:<method>:<msid>` and checks the method is `key`; returns the method-specific id.
fn method_specific_id(did: &str) -> Result<&str, Error> {
    if did.len() > MAX_DID_LEN {
        return Err(Error::TooLarge {
            what: "DID",
            actual: did.len(),
            limit: MAX_DID_LEN,
        });
    }
    let rest = did
        .strip_prefix("did:")
        .ok_or(Error::Did(DidError::Invalid(
            "does not start with \"did:\"",
        )))?;
    let (method, msid) = rest
        .split_once(':')
        .ok_or(Error::Did(DidError::Invalid("no method-specific id")))?;
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(Error::Did(DidError::Invalid("invalid method name")));
    }
    if method != "key" {
        return Err(Error::Did(DidError::UnsupportedMethod));
    }
    if msid.is_empty() {
        return Err(Error::Did(DidError::Invalid("empty method-specific id")));
    }
    if msid.contains(['/', '?', '#', ':']) {
        return Err(Error::Did(DidError::Invalid(
            "path, query, fragment or version in a did:key",
        )));
    }
    Ok(msid)
}

/// Parses a did:key DID (no path, query or fragment) into its validated public key.
///
/// # Errors
/// [`crate::DidError::Invalid`] for bad syntax, [`crate::DidError::UnsupportedMethod`] for another method,
/// then as [`PublicKey::from_multibase`] (wrong prefix, bad base58btc, unsupported codec,
/// wrong length, invalid point).
pub fn parse_did_key(did: &str) -> Result<PublicKey, Error> {
    PublicKey::from_multibase(method_specific_id(did)?)
}

/// The DID of a DID URL: everything before the first `#` (the whole string when it has no
/// fragment), for example the controller of a verification method id.
pub fn did_of_url(url: &str) -> &str {
    url.split_once('#').map_or(url, |(did, _)| did)
}

/// Parses a did:key verification method id `did:key:<mb>#<mb>` into its validated public key.
/// The fragment is required and must equal the method-specific id.
///
/// # Errors
/// As [`parse_did_key`], plus [`crate::DidError::Invalid`] when there is no fragment and
/// [`crate::DidError::FragmentMismatch`] when it differs from the method-specific id.
pub fn parse_verification_method(id: &str) -> Result<PublicKey, Error> {
    if id.len() > MAX_DID_LEN {
        return Err(Error::TooLarge {
            what: "DID URL",
            actual: id.len(),
            limit: MAX_DID_LEN,
        });
    }
    let (did, fragment) = id.split_once('#').ok_or(Error::Did(DidError::Invalid(
        "verification method id has no fragment",
    )))?;
    let msid = method_specific_id(did)?;
    let key = PublicKey::from_multibase(msid)?;
    if fragment != msid {
        return Err(Error::Did(DidError::FragmentMismatch));
    }
    Ok(key)
}

/// The `Multikey` verification method object for `key`, as it appears in its DID document
/// (what a verifier gets by dereferencing [`verification_method_id`]).
pub fn verification_method(key: &PublicKey) -> Value {
    let mb = key.to_multibase();
    let did = format!("{DID_KEY_PREFIX}{mb}");
    json!({
        "id": format!("{did}#{mb}"),
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": mb,
    })
}

/// The DID document of the did:key for `key`, with one `Multikey` verification method
/// referenced from `assertionMethod`, `authentication`, `capabilityInvocation` and
/// `capabilityDelegation`
/// (<https://w3c-ccg.github.io/did-key-spec/#document-creation-algorithm>).
pub fn did_document(key: &PublicKey) -> Value {
    let did = did_key(key);
    let vm_id = verification_method_id(key);
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [verification_method(key)],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    })
}

/// Resolves a did:key DID offline to its DID document (see [`did_document`]).
///
/// # Errors
/// As [`parse_did_key`].
pub fn resolve(did: &str) -> Result<Value, Error> {
    Ok(did_document(&parse_did_key(did)?))
}

#[cfg(test)]
mod tests {
    use super::did_of_url;

    #[test]
    fn the_did_of_a_did_url() {
        assert_eq!(did_of_url("did:key:z6Mk#z6Mk"), "did:key:z6Mk");
        assert_eq!(did_of_url("did:key:z6Mk"), "did:key:z6Mk");
        assert_eq!(did_of_url("did:key:z6Mk#a#b"), "did:key:z6Mk");
        assert_eq!(did_of_url(""), "");
    }
}
