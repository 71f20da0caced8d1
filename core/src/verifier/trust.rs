//! The trust list: which issuers a desk accepts, for which credential types.
//!
//! ```toml
//! # Issuers this desk accepts.
//! [[issuer]]
//! did = "did:key:zUC7..."                       # the key that signs its credentials (bbs-2023)
//! name = "University of Civitas"                # shown to the officer
//! credential_types = ["UniversityDegreeCredential"]
//! status_list_signers = ["did:key:zDn..."]      # keys that sign its status lists (ecdsa-rdfc-2019)
//! status_list_max_age = "24h"                   # optional: oldest list without validUntil accepted
//!
//! # An SD-JWT VC issuer known by its key (instead of a DID); its types are vct values.
//! [[issuer]]
//! jwk = { kty = "EC", crv = "P-256", x = "...", y = "..." }
//! name = "Federal Identity Office"
//! credential_types = ["urn:eudi:pid:1"]
//!
//! # An SD-JWT VC issuer known by its X.509 CA (HAIP): its credentials carry their signing
//! # certificate and chain in `x5c`, which must lead to this CA, and the leaf must name `iss`.
//! [[issuer]]
//! x509_ca = """
//! -----BEGIN CERTIFICATE-----
//! ...
//! -----END CERTIFICATE-----
//! """
//! name = "PID providers of the State"
//! credential_types = ["urn:eudi:pid:1"]
//!
//! # JSON-LD contexts its credentials use beyond the bundled ones, obtained from the issuer.
//! [[context]]
//! url = "https://civitas.example/contexts/diploma/v1"
//! file = "contexts/diploma-v1.jsonld"           # relative to the trust file
//! ```
//!
//! `status_list_max_age` applies to this issuer's status lists that have no `validUntil`: such
//! a list is refused when its `validFrom` (required then) is older than this at the time of the
//! check. It is a whole number followed by one unit, `s`, `m`, `h` or `d` (`"90m"`, `"24h"`,
//! `"7d"`), or an integer number of seconds (`86400`); it must be above zero.
//!
//! This module only parses the file; the caller loads the contexts (the `civitas` command
//! reads each `file` relative to the trust file and registers it for its `url`).

use serde::Deserialize;

use crate::Error;

/// Longest trust file accepted.
const MAX_TRUST_FILE: usize = 1 << 20;

/// One trusted issuer.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The issuer's DID: the controller of the key that signs its credentials (empty when
    /// the issuer is named by `jwk`).
    #[serde(default)]
    pub did: String,
    /// The issuer's public key as a P-256 JWK, for SD-JWT VC issuers named by their key
    /// instead of a DID.
    #[serde(default)]
    pub jwk: Option<serde_json::Value>,
    /// PEM certificates of the CAs whose SD-JWT VC issuers this entry trusts (`x5c` chains,
    /// HAIP), instead of a DID or a JWK.
    #[serde(default)]
    pub x509_ca: Option<String>,
    /// The name shown to the officer.
    pub name: String,
    /// The credential types this issuer may issue (`VerifiableCredential` itself never counts).
    pub credential_types: Vec<String>,
    /// DIDs whose keys may sign this issuer's status list credentials (besides `did`).
    #[serde(default)]
    pub status_list_signers: Vec<String>,
    /// The oldest a status list without `validUntil` may be (its `validFrom` against the time
    /// of the check); `None`: no limit. See the module documentation for the format.
    #[serde(default, deserialize_with = "max_age")]
    pub status_list_max_age: Option<std::time::Duration>,
}

/// `status_list_max_age`: seconds as an integer, or a string `<n>s|m|h|d`.
fn max_age<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<std::time::Duration>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Seconds(u64),
        Text(String),
    }
    let bad = || {
        serde::de::Error::custom(
            "status_list_max_age: give a number of seconds or a number with a unit s, m, h or d (\"24h\"), above zero",
        )
    };
    let seconds = match Raw::deserialize(d).map_err(|_| bad())? {
        Raw::Seconds(n) => n,
        Raw::Text(t) => {
            let t = t.trim();
            let (number, unit) = [('s', 1), ('m', 60), ('h', 3_600), ('d', 86_400)]
                .into_iter()
                .find_map(|(c, unit)| t.strip_suffix(c).map(|n| (n, unit)))
                .ok_or_else(bad)?;
            if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            number
                .parse::<u64>()
                .ok()
                .and_then(|n| n.checked_mul(unit))
                .ok_or_else(bad)?
        }
    };
    if seconds == 0 {
        return Err(bad());
    }
    Ok(Some(std::time::Duration::from_secs(seconds)))
}

/// A JSON-LD context the desk's issuers use, named in the trust file: the desk vouches for
/// it as it vouches for the issuers (a context decides what each claim means).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedContext {
    /// The URL credentials name in their `@context`.
    pub url: String,
    /// Where the context document is, as written in the trust file (the `civitas` command
    /// reads a relative path relative to the trust file).
    pub file: String,
}

/// The issuers a desk trusts, and the contexts their credentials need.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustList {
    #[serde(default, rename = "issuer")]
    issuers: Vec<TrustedIssuer>,
    #[serde(default, rename = "context")]
    contexts: Vec<TrustedContext>,
    /// The parsed `x509_ca` of each issuer that has one (by index in `issuers`): read once,
    /// not on every verification.
    #[serde(skip)]
    x509: Vec<(usize, crate::x509::TrustAnchors)>,
}

impl TrustList {
    /// An empty list: trusts nobody.
    pub fn empty() -> Self {
        Self::default()
    }

    /// A list of the given issuers.
    /// An `x509_ca` that is not a PEM certificate trusts nobody ([`TrustList::from_toml`]
    /// refuses it).
    pub fn from_issuers(issuers: Vec<TrustedIssuer>) -> Self {
        let x509 = issuers
            .iter()
            .enumerate()
            .filter_map(|(n, i)| {
                let pem = i.x509_ca.as_ref()?;
                Some((n, crate::x509::TrustAnchors::from_pem(pem).ok()?))
            })
            .collect();
        Self {
            issuers,
            contexts: Vec::new(),
            x509,
        }
    }

    /// Parse a trust file. Unknown keys, a missing field, a DID that is not `did:...` or an
    /// issuer DID listed twice (which entry would count?) is an error naming what is wrong;
    /// so is a `[[context]]` with an empty `url` or `file`, or a context URL listed twice.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        if text.len() > MAX_TRUST_FILE {
            return Err(Error::TooLarge {
                what: "trust file",
                actual: text.len(),
                limit: MAX_TRUST_FILE,
            });
        }
        let mut list: TrustList =
            toml::from_str(text).map_err(|e| Error::TrustFile(e.message().to_owned()))?;
        let mut seen = std::collections::HashMap::new();
        let mut x509 = Vec::new();
        for (n, i) in list.issuers.iter().enumerate() {
            if let Some(pem) = &i.x509_ca {
                if i.jwk.is_some() || !i.did.is_empty() {
                    return Err(Error::TrustFile(format!(
                        "issuer {:?}: give one of did, jwk or x509_ca",
                        i.name
                    )));
                }
                let anchors = crate::x509::TrustAnchors::from_pem(pem)
                    .map_err(|e| Error::TrustFile(format!("issuer {:?}: x509_ca: {e}", i.name)))?;
                x509.push((n, anchors));
                continue;
            }
            match (&i.jwk, i.did.is_empty()) {
                (Some(jwk), true) => {
                    crate::jose::EcJwk::from_json(jwk)
                        .map_err(|e| Error::TrustFile(format!("issuer {:?}: jwk: {e}", i.name)))?;
                    continue;
                }
                (Some(_), false) => {
                    return Err(Error::TrustFile(format!(
                        "issuer {:?}: give did or jwk, not both",
                        i.name
                    )));
                }
                (None, true) => {
                    return Err(Error::TrustFile(format!(
                        "issuer {:?}: give its did (or, for an SD-JWT VC issuer, its jwk or x509_ca)",
                        i.name
                    )));
                }
                (None, false) => {}
            }
            if !i.did.starts_with("did:")
                || i.status_list_signers.iter().any(|s| !s.starts_with("did:"))
            {
                return Err(Error::TrustFile(format!(
                    "issuer {:?}: DIDs must start with did:",
                    i.name
                )));
            }
            if let Some(first) = seen.insert(i.did.as_str(), i.name.as_str()) {
                return Err(Error::TrustFile(format!(
                    "issuer {:?}: DID {} is already the DID of issuer {first:?}; each issuer DID may appear once",
                    i.name, i.did
                )));
            }
        }
        let mut urls = std::collections::HashSet::new();
        for c in &list.contexts {
            if c.url.is_empty() || c.file.is_empty() {
                return Err(Error::TrustFile(
                    "a [[context]] needs a url and a file".to_owned(),
                ));
            }
            if !urls.insert(c.url.as_str()) {
                return Err(Error::TrustFile(format!(
                    "context {} is listed twice",
                    c.url
                )));
            }
        }
        list.x509 = x509;
        Ok(list)
    }

    /// The contexts the trust file names, in its order.
    pub fn contexts(&self) -> &[TrustedContext] {
        &self.contexts
    }

    /// The entry for `did`.
    pub fn get(&self, did: &str) -> Option<&TrustedIssuer> {
        self.issuers
            .iter()
            .find(|i| !i.did.is_empty() && i.did == did)
    }

    /// All entries.
    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.issuers
    }

    /// The entries named by their X.509 CA, with the CA's certificates as parsed anchors.
    pub(crate) fn x509_issuers(
        &self,
    ) -> impl Iterator<Item = (&TrustedIssuer, &crate::x509::TrustAnchors)> {
        self.x509
            .iter()
            .filter_map(|(n, a)| self.issuers.get(*n).map(|i| (i, a)))
    }

    /// The parsed X.509 anchors of `issuer`, if it is an entry of this list named by its CA.
    pub(crate) fn x509_anchors_of(
        &self,
        issuer: &TrustedIssuer,
    ) -> Option<&crate::x509::TrustAnchors> {
        self.x509_issuers()
            .find(|(i, _)| std::ptr::eq(*i, issuer))
            .map(|(_, a)| a)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let t = TrustList::from_toml(
            "[[issuer]]\ndid = \"did:key:zUC7x\"\nname = \"Uni\"\ncredential_types = [\"Diploma\"]\n",
        )
        .unwrap();
        assert_eq!(t.get("did:key:zUC7x").unwrap().name, "Uni");
        assert!(t.get("did:key:other").is_none());
        assert!(
            TrustList::from_toml("[[issuer]]\ndid = \"x\"\nname = \"U\"\ncredential_types = []\n")
                .is_err()
        );
        assert!(TrustList::from_toml("[[issuer]]\nname = \"U\"\n").is_err());
        assert!(
            TrustList::from_toml(
                "[[issuer]]\ndid = \"did:a\"\nname = \"U\"\ncredential_types = []\nsurprise = 1\n"
            )
            .is_err()
        );
        assert!(TrustList::from_toml("not toml [").is_err());
        // The same DID twice: an error naming both entries, whatever the rest says.
        let twice = "[[issuer]]\ndid = \"did:key:zUC7x\"\nname = \"Uni\"\ncredential_types = [\"Diploma\"]\n\
                     [[issuer]]\ndid = \"did:key:zUC7x\"\nname = \"Agency\"\ncredential_types = [\"PermanentResidentCard\"]\n";
        let e = TrustList::from_toml(twice).unwrap_err().to_string();
        assert!(
            e.contains("did:key:zUC7x") && e.contains("Uni") && e.contains("Agency"),
            "{e}"
        );
        assert_eq!(TrustList::from_toml("").unwrap().issuers().len(), 0);
        // Contexts: listed in order; each needs both fields, and a URL appears once.
        let ctx = "[[context]]\nurl = \"https://a.example/v1\"\nfile = \"contexts/a.jsonld\"\n";
        let t = TrustList::from_toml(ctx).unwrap();
        assert_eq!(
            t.contexts(),
            [TrustedContext {
                url: "https://a.example/v1".into(),
                file: "contexts/a.jsonld".into()
            }]
        );
        assert!(TrustList::from_toml(&format!("{ctx}{ctx}")).is_err());
        assert!(TrustList::from_toml("[[context]]\nurl = \"https://a.example/v1\"\n").is_err());
        assert!(TrustList::from_toml("[[context]]\nurl = \"\"\nfile = \"x\"\n").is_err());
        assert!(
            TrustList::from_toml(&format!("{ctx}surprise = 1\n")).is_err(),
            "unknown keys in a context"
        );
    }
}
