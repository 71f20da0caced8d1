//! Interop both ways with an independent bbs-2023 implementation: Digital Bazaar's
//! `@digitalbazaar/bbs-2023-cryptosuite` under node, through the offline harness in
//! `interop/bbs2023-js`. Our derived proofs must verify there, theirs here, and a holder must be
//! able to derive from the other side's base proof, on documents of our own making.
//!
//! These need node and the harness's npm packages, so they are `#[ignore]`d in a plain
//! `cargo test`; `scripts/test.sh` installs the packages (`scripts/interop-setup.sh`) and runs
//! them with `cargo test -p civitas-test-vectors --test interop_js -- --ignored`.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey as MultikeyPublic;
use serde_json::{Value, json};

const DIPLOMA_CONTEXT: &str = "https://civitas.example/contexts/diploma/v1";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn suite() -> Bbs2023 {
    let jsonld = JsonLdProcessor::default();
    let ctx = repo().join("cli/data/civitas.example_contexts_diploma_v1.jsonld");
    jsonld
        .register_context(DIPLOMA_CONTEXT, &std::fs::read_to_string(ctx).unwrap())
        .unwrap();
    Bbs2023::new(Arc::new(jsonld))
}

/// Run the harness; returns (exit code, stdout).
fn node(args: &[&str]) -> (i32, String) {
    let harness = repo().join("interop/bbs2023-js/bbs2023.mjs");
    assert!(
        repo().join("interop/bbs2023-js/node_modules").is_dir(),
        "run scripts/interop-setup.sh first (installs the JavaScript peer from npm)"
    );
    let out = Command::new("node")
        .arg(&harness)
        .args(args)
        .args(["--contexts", repo().join("core/contexts").to_str().unwrap()])
        .args([
            "--contexts",
            repo().join("test-vectors/contexts").to_str().unwrap(),
        ])
        .args(["--contexts", repo().join("cli/data").to_str().unwrap()])
        .output()
        .expect("node is not installed");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), format!("{stdout}{stderr}"))
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    p.to_str().unwrap().to_owned()
}

fn read(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Case {
    doc: Value,
    mandatory: Vec<String>,
    selective: Vec<String>,
}

/// The diploma (our test data) and the W3C windsurf document, with their pointers.
fn cases(issuer_did: &str) -> Vec<(&'static str, Case)> {
    let td = repo().join("test-vectors/data");
    let mut diploma: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("cli/data/diploma.json")).unwrap(),
    )
    .unwrap();
    diploma["issuer"]["id"] = json!(issuer_did);
    let mandatory: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(td.join("diploma-mandatory.json")).unwrap())
            .unwrap();
    let vectors = civitas_test_vectors::vectors_dir().join("vc-di-bbs/TestVectors");
    let wind: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors.join("windDoc.json")).unwrap())
            .unwrap();
    let wind_m: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(vectors.join("windMandatory.json")).unwrap())
            .unwrap();
    let wind_s: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(vectors.join("windSelective.json")).unwrap())
            .unwrap();
    vec![
        (
            "diploma",
            Case {
                doc: diploma,
                mandatory,
                selective: vec![
                    "/credentialSubject/degree/name".into(),
                    "/credentialSubject/grades/1".into(),
                ],
            },
        ),
        (
            "windsurf",
            Case {
                doc: wind,
                mandatory: wind_m,
                selective: wind_s,
            },
        ),
    ]
}

struct Issuer {
    key: KeyPair,
    did: String,
    method: String,
    key_file: Value,
}

fn issuer() -> Issuer {
    let sk =
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[0x5a; 32], b"interop", None).unwrap();
    let pk = sk.public_key();
    let key = MultikeyPublic::Bls12381G2(pk.to_bytes());
    let method = did::verification_method_id(&key);
    let did = did::did_key(&key);
    let key_file = json!({
        "publicKeyHex": hex::encode(pk.to_bytes()),
        "privateKeyHex": hex::encode(sk.to_bytes().as_slice()),
    });
    Issuer {
        key: KeyPair::from_secret(sk),
        did,
        method,
        key_file,
    }
}

#[test]
#[ignore = "needs node and the npm packages: run through scripts/test.sh"]
fn our_proofs_verify_in_javascript() {
    let tmp = tempdir();
    let suite = suite();
    let issuer = issuer();
    for (name, case) in cases(&issuer.did) {
        let signed = suite
            .sign(
                &case.doc,
                &issuer.key,
                &ProofOptions::assertion(issuer.method.clone()),
                &case.mandatory,
            )
            .unwrap();
        for ph in [&b""[..], b"\x01\x02verifier-nonce"] {
            let derived = suite.derive(&signed, &case.selective, ph).unwrap();
            let file = write(&tmp, &format!("{name}-ours.json"), &derived);
            let mut args = vec!["verify", file.as_str()];
            let ph_hex = hex::encode(ph);
            if !ph.is_empty() {
                args.extend(["--presentation-header", ph_hex.as_str()]);
            }
            let (code, out) = node(&args);
            assert_eq!(
                code, 0,
                "{name}: JavaScript rejects our derived proof (ph {ph_hex}): {out}"
            );
            // And it rejects a tampered copy, as we do.
            let mut tampered = derived.clone();
            tampered["credentialSubject"]["sailNumber"] = json!("Mars999");
            if name == "diploma" {
                tampered["credentialSubject"]["degree"]["name"] = json!("PhD");
            }
            let file = write(&tmp, &format!("{name}-tampered.json"), &tampered);
            let mut args = vec!["verify", file.as_str()];
            if !ph.is_empty() {
                args.extend(["--presentation-header", ph_hex.as_str()]);
            }
            let (code, out) = node(&args);
            assert_eq!(code, 1, "{name}: JavaScript accepts a tampered copy: {out}");
        }
        // A holder using JavaScript can derive from our base proof.
        let signed_file = write(&tmp, &format!("{name}-base-ours.json"), &signed);
        let reveal = write(&tmp, &format!("{name}-reveal.json"), &json!(case.selective));
        let out_file = tmp.join(format!("{name}-js-derived.json"));
        let (code, out) = node(&[
            "derive",
            &signed_file,
            "--reveal",
            &reveal,
            "-o",
            out_file.to_str().unwrap(),
        ]);
        assert_eq!(
            code, 0,
            "{name}: JavaScript cannot derive from our base proof: {out}"
        );
        suite.verify(&read(out_file.to_str().unwrap())).unwrap();
    }
}

#[test]
#[ignore = "needs node and the npm packages: run through scripts/test.sh"]
fn javascript_proofs_verify_here() {
    let tmp = tempdir();
    let suite = suite();
    let issuer = issuer();
    let key = write(&tmp, "key.json", &issuer.key_file);
    for (name, case) in cases(&issuer.did) {
        let unsigned = write(&tmp, &format!("{name}-unsigned.json"), &case.doc);
        let mandatory = write(
            &tmp,
            &format!("{name}-mandatory.json"),
            &json!(case.mandatory),
        );
        let signed_file = tmp.join(format!("{name}-js-signed.json"));
        let (code, out) = node(&[
            "sign",
            &unsigned,
            "--key",
            &key,
            "--mandatory",
            &mandatory,
            "-o",
            signed_file.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{name}: JavaScript signing failed: {out}");
        let signed = read(signed_file.to_str().unwrap());
        // The holder side here accepts their base proof and derives from it.
        suite
            .verify_base(&signed)
            .unwrap_or_else(|e| panic!("{name}: their base proof: {e}"));
        let ours = suite.derive(&signed, &case.selective, b"nonce").unwrap();
        suite.verify(&ours).unwrap();
        // Their derived proof verifies here.
        let reveal = write(&tmp, &format!("{name}-reveal.json"), &json!(case.selective));
        let derived_file = tmp.join(format!("{name}-js-derived.json"));
        let (code, out) = node(&[
            "derive",
            signed_file.to_str().unwrap(),
            "--reveal",
            &reveal,
            "--presentation-header",
            "c0ffee",
            "-o",
            derived_file.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{name}: JavaScript derive failed: {out}");
        let derived = read(derived_file.to_str().unwrap());
        let verified = suite
            .verify(&derived)
            .unwrap_or_else(|e| panic!("{name}: their derived proof: {e}"));
        assert_eq!(verified.presentation_header(), [0xc0, 0xff, 0xee]);
    }
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "civitas-interop-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
