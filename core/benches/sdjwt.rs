//! SD-JWT VC verification beside bbs-2023 verification, in one run, one core.
//!
//! Rows (median microseconds per call, and calls per second):
//! - `sd-jwt-vc`: `Verifier::verify_sd_jwt` on a PID-like SD-JWT VC presentation (8 claims
//!   issued, 3 disclosed) with a Key Binding JWT and a Token Status List: the issuer's and
//!   the holder's ES256 signatures, the status list token's, the Disclosures, the policy;
//! - its floor: the three P-256 ECDSA verifications alone (`ecdsa::verify_p256`);
//! - `sd-jwt-vc x5c`: the same presentation issued under an `x5c` chain (leaf and
//!   intermediate, HAIP), its issuer trusted by its root CA (`x509_ca`): the chain is
//!   validated (rustls-webpki, two certificate signatures) on every call; floor five P-256
//!   verifications;
//! - `bbs-2023`: `Verifier::verify` on a derived bbs-2023 diploma (3 claims disclosed
//!   beside the mandatory ones), no status, through the same verifier and policy shape;
//! - the peer: `@sd-jwt/sd-jwt-vc` verifying the same presentation in Node.js, when
//!   `interop/sdjwt-peer/node_modules` exists (`interop/sdjwt-peer/run.sh` installs it).
//!
//! Writes `target/bench/sdjwt.json` and prints a table.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::ecdsa::{DeviceKey, Signer, verify_p256};
use civitas_core::jose::EcJwk;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::sdjwt::status::{StatusRef, build_token};
use civitas_core::sdjwt::{SdJwt, present, vc};
use civitas_core::verifier::{Policy, StatusLists, TrustList, TrustedIssuer, Verifier};
use civitas_core::x509::{CertificateChain, certificate_to_pem};
use civitas_core::x509::{CertificateKind, CertificateRequest, make_certificate};
use civitas_core::{did, keys};
use serde_json::{Value, json};
use support::median_us;

const T: Duration = Duration::from_millis(600);

fn data(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/data")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn main() {
    let now = i64::try_from(
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let jsonld = Arc::new(JsonLdProcessor::default());
    let ctx = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../cli/data/civitas.example_contexts_diploma_v1.jsonld");
    jsonld
        .register_context(
            "https://civitas.example/contexts/diploma/v1",
            &std::fs::read_to_string(ctx).unwrap(),
        )
        .unwrap();
    let verifier = Verifier::new(Arc::clone(&jsonld));

    // ---- SD-JWT VC ------------------------------------------------------------------------
    let issuer = DeviceKey::generate().unwrap();
    let holder = DeviceKey::generate().unwrap();
    let claims = json!({
        "given_name": "Ada", "family_name": "Lovelace", "birthdate": "1990-12-10",
        "place_of_birth": {"locality": "London", "country": "UK"},
        "nationalities": ["EU", "UK"], "age_over_18": true,
    });
    // Issued (by `iss`, with an x5c chain or not) and presented: 3 of the 6 claims, bound
    // to the desk's nonce and name.
    let shown_by = |iss: &str, chain: Option<&CertificateChain>| {
        let issued = vc::issue_with_chain(
            &vc::Issue {
                iss,
                vct: "urn:eudi:pid:1",
                claims: claims.as_object().unwrap(),
                plain: &[],
                holder: Some(&EcJwk::from_public_key(&holder.public_key(), None).unwrap()),
                status: Some(&StatusRef {
                    uri: "https://pid.example/status/1".into(),
                    idx: 77,
                }),
                iat: now - 60,
                exp: Some(now + 86_400 * 365),
            },
            chain,
            &issuer,
        )
        .unwrap();
        present(
            &SdJwt::parse(&issued).unwrap(),
            &[
                "/given_name".into(),
                "/family_name".into(),
                "/age_over_18".into(),
            ],
            Some((&holder, "https://desk.example", "n-1", now)),
        )
        .unwrap()
    };
    let shown = shown_by(&did::did_key(&issuer.public_key()), None);
    let token = build_token(
        &issuer,
        "https://pid.example/status/1",
        2,
        &vec![0u8; 131_072],
        now - 60,
        Some(now + 86_400),
        None,
    )
    .unwrap();
    let mut lists = StatusLists::new();
    lists.insert_token(&token).unwrap();
    let pid_trust = TrustList::from_issuers(vec![TrustedIssuer {
        did: did::did_key(&issuer.public_key()),
        jwk: None,
        x509_ca: None,
        name: "PID Provider".into(),
        credential_types: vec!["urn:eudi:pid:1".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let policy = Policy::new(pid_trust)
        .challenge("n-1")
        .domain("https://desk.example");
    verifier.verify_sd_jwt(&shown, &policy, &lists).unwrap();
    let sd_us = median_us(200, T, || {
        std::hint::black_box(verifier.verify_sd_jwt(&shown, &policy, &lists).unwrap());
    });
    let (msg, sig) = (
        b"the signing input of a JWS of about this length".to_vec(),
        {
            let s = issuer
                .sign(b"the signing input of a JWS of about this length")
                .unwrap();
            <[u8; 64]>::try_from(s.as_slice()).unwrap()
        },
    );
    let public = issuer.public_key();
    let floor = |n: usize| {
        median_us(200, T, || {
            for _ in 0..n {
                verify_p256(&public, &msg, &sig).unwrap();
            }
        })
    };
    let floor_us = floor(3);
    let floor5_us = floor(5);

    // ---- SD-JWT VC under an x5c chain --------------------------------------------------------
    let cert = |subject: &str,
                key: &DeviceKey,
                kind: CertificateKind,
                issuer: Option<(&[u8], &DeviceKey)>| {
        let public = key.public_key();
        let dns = ["pid.example".to_owned()];
        let request = CertificateRequest {
            subject,
            public_key: &public,
            kind,
            valid_days: 30,
            dns_names: if kind == CertificateKind::Leaf {
                &dns
            } else {
                &[]
            },
        };
        match issuer {
            None => make_certificate(&request, None, key).unwrap(),
            Some((der, signer)) => make_certificate(&request, Some(der), signer).unwrap(),
        }
    };
    let root_key = DeviceKey::generate().unwrap();
    let root = cert("CN=Root", &root_key, CertificateKind::Root, None);
    let ica_key = DeviceKey::generate().unwrap();
    let ica = cert(
        "CN=Intermediate",
        &ica_key,
        CertificateKind::Intermediate,
        Some((&root, &root_key)),
    );
    let leaf = cert(
        "CN=PID Provider",
        &issuer,
        CertificateKind::Leaf,
        Some((&ica, &ica_key)),
    );
    let chain = CertificateChain::from_der(vec![leaf, ica]).unwrap();
    let shown_x5c = shown_by("https://pid.example", Some(&chain));
    let x5c_trust = TrustList::from_toml(&format!(
        "[[issuer]]\nx509_ca = \"\"\"\n{}\"\"\"\nname = \"PID providers\"\ncredential_types = [\"urn:eudi:pid:1\"]\n",
        certificate_to_pem(&root)
    ))
    .unwrap();
    let x5c_policy = Policy::new(x5c_trust)
        .challenge("n-1")
        .domain("https://desk.example");
    verifier
        .verify_sd_jwt(&shown_x5c, &x5c_policy, &lists)
        .unwrap();
    let x5c_us = median_us(200, T, || {
        std::hint::black_box(
            verifier
                .verify_sd_jwt(&shown_x5c, &x5c_policy, &lists)
                .unwrap(),
        );
    });

    // ---- bbs-2023 -------------------------------------------------------------------------
    let sk = SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[7; 32], b"", None).unwrap();
    let pair = KeyPair::from_secret(sk);
    let bbs_public = keys::PublicKey::Bls12381G2(pair.public().to_bytes());
    let method = did::verification_method_id(&bbs_public);
    let mut doc = data("diploma.json");
    let uni = did::did_key(&bbs_public);
    doc["issuer"]["id"] = json!(uni);
    let mandatory: Vec<String> = serde_json::from_value(data("diploma-mandatory.json")).unwrap();
    let suite = Bbs2023::new(Arc::clone(&jsonld));
    let signed = suite
        .sign(&doc, &pair, &ProofOptions::assertion(method), &mandatory)
        .unwrap();
    let derived = suite
        .derive(
            &signed,
            &[
                "/credentialSubject/degree/name".into(),
                "/credentialSubject/degree/type".into(),
                "/credentialSubject/givenName".into(),
            ],
            b"nonce",
        )
        .unwrap();
    let bbs_trust = TrustList::from_issuers(vec![TrustedIssuer {
        did: uni,
        jwk: None,
        x509_ca: None,
        name: "University".into(),
        credential_types: vec!["UniversityDegreeCredential".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let bbs_policy = Policy::new(bbs_trust)
        .dangerous_no_challenge()
        .dangerous_allow_bearer();
    let bbs_result = verifier.verify(&derived, &bbs_policy, &StatusLists::new());
    assert!(bbs_result.is_ok(), "{:?}", bbs_result.err());
    let bbs_us = median_us(50, T, || {
        std::hint::black_box(
            verifier
                .verify(&derived, &bbs_policy, &StatusLists::new())
                .unwrap(),
        );
    });

    // ---- the peer, in Node.js ------------------------------------------------------------
    let peer = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/sdjwt-peer");
    let peer_us = if peer.join("node_modules/@sd-jwt/sd-jwt-vc").is_dir() {
        let dir = std::env::temp_dir().join(format!("civitas-bench-sdjwt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let jwk = EcJwk::from_public_key(&issuer.public_key(), None)
            .unwrap()
            .to_json();
        std::fs::write(dir.join("vp"), &shown).unwrap();
        std::fs::write(dir.join("jwk"), jwk.to_string()).unwrap();
        std::fs::write(dir.join("status"), &token).unwrap();
        let out = std::process::Command::new("node")
            .arg(peer.join("bench.mjs"))
            .arg(&dir)
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        out.ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|t| {
                t.trim()
                    .strip_prefix("verify_us ")
                    .and_then(|n| n.parse::<f64>().ok())
            })
    } else {
        None
    };

    let per_s = |us: f64| 1e6 / us;
    println!("SD-JWT VC and bbs-2023 verification, one core (median µs per call)");
    println!(
        "  sd-jwt-vc verify (3 of 6 claims, KB-JWT, token status list): {sd_us:>8.1} µs  {:>7.0}/s",
        per_s(sd_us)
    );
    println!(
        "    floor: 3 P-256 ECDSA verifications:                       {floor_us:>8.1} µs  ({:.2}x)",
        sd_us / floor_us
    );
    println!(
        "  sd-jwt-vc verify, issuer by x5c chain to its CA (HAIP):       {x5c_us:>8.1} µs  {:>7.0}/s",
        per_s(x5c_us)
    );
    println!(
        "    floor: 5 P-256 ECDSA verifications:                       {:>8.1} µs  ({:.2}x)",
        floor5_us,
        x5c_us / floor5_us
    );
    println!(
        "  bbs-2023 verify (derived diploma, Verifier::verify):          {bbs_us:>8.1} µs  {:>7.0}/s",
        per_s(bbs_us)
    );
    match peer_us {
        Some(us) => println!(
            "  peer @sd-jwt/sd-jwt-vc 0.19 verify (Node.js), same input:    {us:>8.1} µs  {:>7.0}/s",
            per_s(us)
        ),
        None => println!("  peer: not measured (run interop/sdjwt-peer/run.sh once to install it)"),
    }
    let result = json!({
        "sd_jwt_vc_verify_us": sd_us,
        "sd_jwt_vc_floor_three_p256_verifications_us": floor_us,
        "sd_jwt_vc_x5c_verify_us": x5c_us,
        "sd_jwt_vc_x5c_floor_five_p256_verifications_us": floor5_us,
        "bbs2023_verify_us": bbs_us,
        "peer_sd_jwt_vc_verify_us": peer_us,
        "presentation_bytes": shown.len(),
    });
    support::write_json(
        "sdjwt.json",
        &serde_json::to_string_pretty(&result).unwrap(),
    );
}
