//! Writes the generated seeds of `fuzz/corpus/` from the project's own test data
//! (`test-vectors/data`, `test-vectors/contexts`, `core/tests/data`) and fixed keys:
//! `cargo run --manifest-path fuzz/Cargo.toml --bin make_seeds` (from the repository root).
//! Hand-made seeds sit next to them, named `hand-*`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::bbs::blind::HolderSecret;
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::Bbs2023;
use civitas_core::bbs2023::{BaseProofValue, DerivedProofValue};
use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
use civitas_core::status::{StatusList, StatusPurpose, build_status_list_credential};
use civitas_core::{CanonOptions, CredentialIssuer, canonicalize, compact, did, keys};
use serde_json::Value;

const DIPLOMA_CTX: &str = "https://civitas.example/contexts/diploma/v1";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn write(target: &str, name: &str, bytes: impl AsRef<[u8]>) {
    let dir = root().join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).expect("corpus dir");
    std::fs::write(dir.join(name), bytes).expect("write seed");
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).expect(path)
}

fn main() {
    let jsonld = JsonLdProcessor::default();
    jsonld
        .register_context(
            DIPLOMA_CTX,
            &read("cli/data/civitas.example_contexts_diploma_v1.jsonld"),
        )
        .expect("diploma context");
    let jsonld = Arc::new(jsonld);

    let diploma_text = read("cli/data/diploma.json");
    let diploma: Value = serde_json::from_str(&diploma_text).expect("diploma JSON");
    let mandatory: Vec<String> =
        serde_json::from_str(&read("test-vectors/data/diploma-mandatory.json")).expect("ptrs");
    let compact_vp = read("core/tests/data/compact_presentation.json");

    for t in ["json_parse", "jsonld_to_rdf", "verifier_verify"] {
        write(t, "diploma.json", &diploma_text);
        write(t, "compact_presentation.json", &compact_vp);
    }

    // RDF of the diploma: N-Quads and their canonical form.
    let quads = jsonld
        .to_rdf(&diploma, &ToRdfOptions::default())
        .expect("diploma toRdf");
    let nq = civitas_core::rdf::to_nquads(&quads);
    write("nquads", "diploma.nq", &nq);
    write("rdfc", "diploma.nq", &nq);
    let canon = canonicalize(&quads, &CanonOptions::default()).expect("canon");
    write("nquads", "diploma-canon.nq", canon.nquads());
    write("rdfc", "diploma-canon.nq", canon.nquads());

    // A signed diploma (fixed issuer key) and a derived credential from it.
    let pair = KeyPair::from_secret(
        SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[11u8; 32], b"", None).expect("key"),
    );
    let issuer = CredentialIssuer::new(Bbs2023::new(Arc::clone(&jsonld)), pair.clone());
    let signed = issuer
        .issue(diploma.clone(), None, &mandatory)
        .expect("issue diploma");
    let signed_text = serde_json::to_string_pretty(&signed).expect("json");
    for t in ["json_parse", "jsonld_to_rdf", "verifier_verify"] {
        write(t, "diploma-signed.json", &signed_text);
    }
    let base = signed["proof"]["proofValue"].as_str().expect("proofValue");
    BaseProofValue::parse(base).expect("base proof parses");
    write("bbs2023_base_proof", "diploma-base.txt", base);
    let bbs = Bbs2023::new(Arc::clone(&jsonld));
    let derived = bbs
        .derive(
            &signed,
            &["/credentialSubject/degree/name".to_string()],
            b"",
        )
        .expect("derive");
    let derived_text = serde_json::to_string_pretty(&derived).expect("json");
    for t in ["json_parse", "jsonld_to_rdf", "verifier_verify"] {
        write(t, "diploma-derived.json", &derived_text);
    }
    let dpv = derived["proof"]["proofValue"].as_str().expect("proofValue");
    let parsed = DerivedProofValue::parse(dpv).expect("derived parses");
    write("bbs2023_derived_proof", "diploma-derived.txt", dpv);
    if let Some(vp_dpv) = serde_json::from_str::<Value>(&compact_vp)
        .ok()
        .and_then(|v| {
            v["verifiableCredential"][0]["proof"]["proofValue"]
                .as_str()
                .map(str::to_owned)
        })
    {
        write("bbs2023_derived_proof", "compact-presentation.txt", vp_dpv);
    }

    // The CIV1 payloads of the same documents.
    for (name, doc) in [("diploma-derived", &derived), ("diploma", &diploma)] {
        if let Ok(payload) = compact::encode_json(doc) {
            write("compact_civ1", &format!("{name}.civ1"), payload);
        }
    }
    if let Ok(vp) = serde_json::from_str::<Value>(&compact_vp) {
        let payload = compact::encode_json(&vp).expect("encode VP");
        write("compact_civ1", "compact-presentation.civ1", payload);
    }

    // BBS octets: selector byte, then the encoding (see bbs_bytes.rs).
    let pk = pair.public().to_bytes();
    let with = |sel: u8, bytes: &[u8]| [&[sel][..], bytes].concat();
    write("bbs_bytes", "public-key", with(0, &pk));
    let bpv = BaseProofValue::parse(base).expect("base");
    write("bbs_bytes", "signature", with(1, &bpv.bbs_signature));
    write("bbs_bytes", "proof", with(2, &parsed.bbs_proof));
    write(
        "bbs_bytes",
        "secret-key",
        with(9, &pair.secret().to_bytes()[..]),
    );
    let holder = HolderSecret::from_bytes(&[7u8; 32]).expect("holder secret");
    write("bbs_bytes", "holder-secret", with(5, &holder.to_bytes()));
    let mut scalar = [0u8; 32];
    scalar[31] = 5;
    for sel in [6u8, 7, 8] {
        write("bbs_bytes", &format!("scalar-{sel}"), with(sel, &scalar));
    }

    // Multikey / did:key.
    let key = keys::PublicKey::Bls12381G2(pk);
    write("multikey_did_key", "bls-multikey", key.to_multibase());
    write("multikey_did_key", "bls-did-key", did::did_key(&key));
    write(
        "multikey_did_key",
        "bls-verification-method",
        did::verification_method_id(&key),
    );
    if let Some(holder) = serde_json::from_str::<Value>(&compact_vp)
        .ok()
        .and_then(|v| v["holder"].as_str().map(str::to_owned))
    {
        write("multikey_did_key", "p256-did-key", holder);
    }

    // Status lists: selector byte = status size.
    let mut list = StatusList::with_len(131_072, 1).expect("list");
    list.set(5, 1).expect("set");
    write(
        "status_encoded_list",
        "revocation-131072",
        [&[1u8][..], list.encode().expect("encode").as_bytes()].concat(),
    );
    let mut two = StatusList::with_len(131_072, 2).expect("list");
    two.set(3, 2).expect("set");
    write(
        "status_encoded_list",
        "message-2bit",
        [&[2u8][..], two.encode().expect("encode").as_bytes()].concat(),
    );
    let slc = build_status_list_credential(
        "https://uni.example/status/11",
        issuer.did(),
        StatusPurpose::Revocation,
        &list,
        "2026-01-01T00:00:00Z",
        None,
    )
    .expect("status list credential");
    write(
        "json_parse",
        "status-list-credential.json",
        serde_json::to_string_pretty(&slc).expect("json"),
    );
}
