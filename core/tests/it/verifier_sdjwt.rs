//! SD-JWT VC presentations through the verifier's policy: accepted with key binding and a
//! Token Status List, and refused with a reason when forwarded (no or another key's KB-JWT),
//! replayed (another nonce, a stale iat), tampered (a Disclosure changed or added), revoked,
//! from an untrusted issuer or for a type it is not trusted for, or missing a required claim.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use civitas_core::ecdsa::DeviceKey;
use civitas_core::jose::EcJwk;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::sdjwt::status::{StatusRef, build_token};
use civitas_core::sdjwt::{SdJwt, present, vc};
use civitas_core::verifier::{Check, HolderBinding, Policy, StatusLists, TrustList, Verifier};
use serde_json::json;

const NOW: i64 = 1_800_000_000;
const VCT: &str = "urn:eudi:pid:1";
const LIST: &str = "https://pid.example/status/1";

struct Setup {
    issuer: DeviceKey,
    holder: DeviceKey,
    issued: String,
    trust: TrustList,
}

fn setup() -> Setup {
    let issuer = DeviceKey::generate().unwrap();
    let holder = DeviceKey::generate().unwrap();
    let holder_jwk = EcJwk::from_public_key(&holder.public_key(), None).unwrap();
    let claims = json!({
        "given_name": "Ada",
        "family_name": "Lovelace",
        "birthdate": "1990-12-10",
        "address": {"locality": "Civitas", "country": "EU"},
        "nationalities": ["EU", "UK"],
    });
    let issued = vc::issue(
        &vc::Issue {
            iss: "https://pid.example",
            vct: VCT,
            claims: claims.as_object().unwrap(),
            plain: &[],
            holder: Some(&holder_jwk),
            status: Some(&StatusRef {
                uri: LIST.into(),
                idx: 3,
            }),
            iat: NOW - 86_400,
            exp: Some(NOW + 86_400 * 365),
        },
        &issuer,
    )
    .unwrap();
    let jwk = EcJwk::from_public_key(&issuer.public_key(), None)
        .unwrap()
        .to_json();
    let trust = TrustList::from_toml(&format!(
        "[[issuer]]\njwk = {}\nname = \"PID Provider\"\ncredential_types = [\"{VCT}\"]\n",
        toml_inline(&jwk)
    ))
    .unwrap();
    Setup {
        issuer,
        holder,
        issued,
        trust,
    }
}

fn toml_inline(v: &serde_json::Value) -> String {
    let m = v.as_object().unwrap();
    let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k} = {}", v)).collect();
    format!("{{ {} }}", parts.join(", "))
}

fn lists(issuer: &DeviceKey, revoked: bool) -> StatusLists {
    let mut statuses = vec![0u8; 64];
    if revoked {
        statuses[3] = 1;
    }
    let token = build_token(issuer, LIST, 1, &statuses, NOW - 60, Some(NOW + 3600), None).unwrap();
    let mut l = StatusLists::new();
    l.insert_token(&token).unwrap();
    l
}

fn policy(trust: &TrustList, nonce: &str) -> Policy {
    Policy::new(trust.clone())
        .at(SystemTime::UNIX_EPOCH + Duration::from_secs(NOW as u64))
        .challenge(nonce)
        .domain("https://desk.example")
}

fn shown(s: &Setup, signer: &DeviceKey, nonce: &str, iat: i64) -> String {
    let sd = SdJwt::parse(&s.issued).unwrap();
    present(
        &sd,
        &["/given_name".to_owned(), "/address/locality".to_owned()],
        Some((signer, "https://desk.example", nonce, iat)),
    )
    .unwrap()
}

fn reasons(r: &civitas_core::verifier::Rejection) -> Vec<(Check, String)> {
    r.failures()
        .iter()
        .map(|f| (f.check, f.reason.clone()))
        .collect()
}

#[test]
fn an_sd_jwt_vc_with_key_binding_and_status_is_accepted() {
    let s = setup();
    let v = Verifier::new(Arc::new(JsonLdProcessor::default()));
    let p = shown(&s, &s.holder, "n-1", NOW - 5);
    let ok = v
        .verify_sd_jwt(
            &p,
            &policy(&s.trust, "n-1").require("/given_name"),
            &lists(&s.issuer, false),
        )
        .unwrap();
    let c = &ok.credentials()[0];
    assert_eq!(c.types(), [VCT]);
    assert_eq!(c.issuer_name(), Some("PID Provider"));
    assert_eq!(c.holder_binding(), HolderBinding::Key);
    assert_eq!(c.document()["given_name"], "Ada");
    assert_eq!(c.document()["address"]["locality"], "Civitas");
    assert!(c.document().get("birthdate").is_none(), "not disclosed");
    assert_eq!(ok.challenge(), Some("n-1"));
    assert_eq!(ok.domain(), Some("https://desk.example"));
}

#[test]
fn forwarded_replayed_tampered_revoked_and_untrusted_ones_are_refused() {
    let s = setup();
    let v = Verifier::new(Arc::new(JsonLdProcessor::default()));
    let good = lists(&s.issuer, false);
    let refused =
        |p: &str, pol: &Policy, l: &StatusLists| reasons(&v.verify_sd_jwt(p, pol, l).unwrap_err());
    let has = |r: &[(Check, String)], check: Check, text: &str| {
        assert!(
            r.iter().any(|(c, m)| *c == check && m.contains(text)),
            "{check:?} {text}: {r:?}"
        );
    };
    // Forwarded: a KB-JWT by someone else's key, or none at all.
    let thief = DeviceKey::generate().unwrap();
    has(
        &refused(
            &shown(&s, &thief, "n-1", NOW),
            &policy(&s.trust, "n-1"),
            &good,
        ),
        Check::HolderBinding,
        "not signed by the credential's holder key",
    );
    let bare = SdJwt::parse(&shown(&s, &s.holder, "n-1", NOW))
        .unwrap()
        .without_key_binding();
    has(
        &refused(&bare, &policy(&s.trust, "n-1"), &good),
        Check::HolderBinding,
        "no Key Binding JWT",
    );
    // Replayed: another request's nonce, or an old one.
    let r = refused(
        &shown(&s, &s.holder, "n-0", NOW),
        &policy(&s.trust, "n-1"),
        &good,
    );
    has(&r, Check::Challenge, "nonce");
    has(
        &refused(
            &shown(&s, &s.holder, "n-1", NOW - 3600),
            &policy(&s.trust, "n-1"),
            &good,
        ),
        Check::HolderBinding,
        "too old",
    );
    // For another desk.
    let other_desk = policy(&s.trust, "n-1").domain("https://other.example");
    has(
        &refused(&shown(&s, &s.holder, "n-1", NOW), &other_desk, &good),
        Check::Domain,
        "aud",
    );
    // Tampered: a Disclosure replaced by one the issuer never signed.
    let p = shown(&s, &s.holder, "n-1", NOW);
    let forged = civitas_core::sdjwt::Disclosure::new(Some("given_name"), json!("Eve")).unwrap();
    let parts: Vec<&str> = p.split('~').collect();
    let mut t = parts.clone();
    t[1] = forged.encoded();
    has(
        &refused(&t.join("~"), &policy(&s.trust, "n-1"), &good),
        Check::Format,
        "not referenced",
    );
    // Over-disclosing after binding: a Disclosure added breaks sd_hash.
    let all = SdJwt::parse(&s.issued).unwrap();
    let birth = all
        .disclosures()
        .iter()
        .find(|d| d.name.as_deref() == Some("birthdate"))
        .unwrap()
        .encoded()
        .to_owned();
    let mut added: Vec<&str> = parts.clone();
    added.insert(1, &birth);
    has(
        &refused(&added.join("~"), &policy(&s.trust, "n-1"), &good),
        Check::HolderBinding,
        "sd_hash",
    );
    // Revoked; its list missing; its list signed by another key.
    has(
        &refused(&p, &policy(&s.trust, "n-1"), &lists(&s.issuer, true)),
        Check::Status,
        "revoked",
    );
    has(
        &refused(&p, &policy(&s.trust, "n-1"), &StatusLists::new()),
        Check::Status,
        "not available",
    );
    has(
        &refused(&p, &policy(&s.trust, "n-1"), &lists(&thief, false)),
        Check::Status,
        "signature",
    );
    // An issuer the desk does not trust; one not trusted for this vct.
    has(
        &refused(&p, &policy(&TrustList::empty(), "n-1"), &good),
        Check::Proof,
        "not signed by a key the trust list gives",
    );
    let jwk = EcJwk::from_public_key(&s.issuer.public_key(), None)
        .unwrap()
        .to_json();
    let narrow = TrustList::from_toml(&format!(
        "[[issuer]]\njwk = {}\nname = \"PID Provider\"\ncredential_types = [\"urn:other\"]\n",
        toml_inline(&jwk)
    ))
    .unwrap();
    has(
        &refused(&p, &policy(&narrow, "n-1"), &good),
        Check::Issuer,
        "not trusted to issue urn:eudi:pid:1",
    );
    // A required claim not disclosed; expired.
    has(
        &refused(&p, &policy(&s.trust, "n-1").require("/birthdate"), &good),
        Check::RequiredClaims,
        "/birthdate",
    );
    let late = policy(&s.trust, "n-1")
        .at(SystemTime::UNIX_EPOCH + Duration::from_secs((NOW + 86_400 * 400) as u64));
    has(&refused(&p, &late, &good), Check::Validity, "expired");
    // Not an SD-JWT at all.
    has(
        &refused("{}", &policy(&s.trust, "n-1"), &good),
        Check::Format,
        "not an SD-JWT",
    );
}
