//! Batched BBS verification benchmark: the verifier's whole path (`Verifier::verify` on bare
//! bbs-2023 derived diplomas, 22 BBS messages each, bound to the desk's challenge) one by one
//! and batched (`Verifier::verify_batch_on`), for 1, 10, 100 and 1,000 presentations from 1
//! and from 10 issuers, on one core and on two, in the same run.
//!
//! `cargo bench -p civitas-core --bench batch` prints a table and writes
//! `target/bench/batch.json`: a list of `{"presentations", "issuers", "cores",
//! "one_by_one_per_s", "batched_per_s", "floor_per_s"}`, each a throughput *per core*
//! (presentations per second divided by the cores used). `floor_per_s` is the arithmetic floor
//! of the BBS work of a batched verification, from plain blst calls: per proof the two MSMs of
//! ProofVerify (3 and L+3 points), per batch one Miller loop per issuer plus one and a final
//! exponentiation (measured as 2-pairing products: `(issuers + 1) / 2` of them), spread over
//! the presentations.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey;
use civitas_core::verifier::{
    Policy, StatusLists, TrustList, TrustedIssuer, Verifier, request_binding,
};
use serde_json::Value;

mod support;

use support::{FixedFloor, Floor, median_us};

const CHALLENGE: &str = "bench";
const DOMAIN: &str = "https://agency.example";
const MIN_TIME: Duration = Duration::from_millis(400);

/// Presentations per second (all cores together) of `f`, which verifies `n` presentations.
fn rate(n: usize, mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut runs = 0usize;
    while runs == 0 || start.elapsed() < MIN_TIME {
        f();
        runs += 1;
    }
    (n * runs) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let jsonld = JsonLdProcessor::default();
    jsonld
        .register_context(
            "https://civitas.example/contexts/diploma/v1",
            &std::fs::read_to_string(
                root.join("cli/data/civitas.example_contexts_diploma_v1.jsonld"),
            )
            .unwrap(),
        )
        .unwrap();
    let jsonld = Arc::new(jsonld);
    let bbs = Bbs2023::new(Arc::clone(&jsonld));
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("cli/data/diploma.json")).unwrap())
            .unwrap();
    let mandatory = vec!["/issuer".to_owned(), "/validFrom".to_owned()];
    let pointers = ["/credentialSubject/degree/name".to_owned()];
    let header = request_binding(CHALLENGE, Some(DOMAIN));

    // Ten issuers, each with a signed diploma.
    let mut trusted = Vec::new();
    let mut signed = Vec::new();
    for i in 0..10u8 {
        let pair = KeyPair::from_secret(
            SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[i + 1; 32], b"", None).unwrap(),
        );
        let key = PublicKey::Bls12381G2(pair.public().to_bytes());
        doc["issuer"]["id"] = did::did_key(&key).into();
        let options = ProofOptions::assertion(did::verification_method_id(&key));
        signed.push(bbs.sign(&doc, &pair, &options, &mandatory).unwrap());
        trusted.push(TrustedIssuer {
            jwk: None,
            x509_ca: None,
            did: did::did_key(&key),
            name: format!("University {i}"),
            credential_types: vec!["UniversityDegreeCredential".into()],
            status_list_signers: vec![],
            status_list_max_age: None,
        });
    }
    let policy = Policy::new(TrustList::from_issuers(trusted))
        .challenge(CHALLENGE)
        .domain(DOMAIN)
        .dangerous_allow_bearer()
        .dangerous_skip_status();
    let lists = StatusLists::new();
    let verifier = Verifier::new(Arc::clone(&jsonld));

    eprintln!("deriving 2 x 1000 presentations...");
    let make = |issuers: usize| -> Vec<Value> {
        (0..1000)
            .map(|i| {
                bbs.derive(&signed[i % issuers], &pointers, &header)
                    .unwrap()
            })
            .collect()
    };
    let sets = [(1usize, make(1)), (10usize, make(10))];

    // The floor, at L = 22 messages: per proof ProofVerify's T1 (3 points) and T2 (the L + 2
    // fixed generators, tables precomputed, plus D * r3^); per batch the two weighted sums
    // over the proofs' Abar and Bbar and the pairings.
    let floor = Floor::new(1000);
    let fixed = FixedFloor::new(&floor, 24, 8);
    let per_proof_us = median_us(50, MIN_TIME, || {
        floor.msm(3);
        fixed.msm(22 + 2);
        floor.mul();
    });
    let pairing2_us = median_us(50, MIN_TIME, || floor.pairing2());
    let weighted_us: Vec<(usize, f64)> = [1usize, 10, 100, 1000]
        .into_iter()
        .map(|n| (n, median_us(10, MIN_TIME, || floor.msm(n))))
        .collect();

    struct Row {
        presentations: usize,
        issuers: usize,
        cores: usize,
        one_by_one: f64,
        batched: f64,
        floor: f64,
    }
    let mut rows = Vec::new();
    for (issuers, set) in &sets {
        for n in [1usize, 10, 100, 1000] {
            let inputs = &set[..n];
            // The batch must accept every input (the benchmark measures the fast path).
            assert!(
                verifier
                    .verify_batch_on(inputs, &policy, &lists, 1)
                    .iter()
                    .all(Result::is_ok)
            );
            for cores in [1usize, 2] {
                eprintln!("  {n} from {issuers} issuer(s), {cores} core(s)");
                let one_by_one = rate(n, || {
                    let chunk = n.div_ceil(cores);
                    std::thread::scope(|scope| {
                        for part in inputs.chunks(chunk) {
                            let (verifier, policy, lists) = (&verifier, &policy, &lists);
                            scope.spawn(move || {
                                for input in part {
                                    assert!(verifier.verify(input, policy, lists).is_ok());
                                }
                            });
                        }
                    });
                });
                let batched = rate(n, || {
                    let r = verifier.verify_batch_on(inputs, &policy, &lists, cores);
                    assert_eq!(r.len(), n);
                });
                let pairings = (*issuers).min(n) as f64 + 1.0;
                let weighted = weighted_us
                    .iter()
                    .find(|(m, _)| *m == n)
                    .map_or(0.0, |(_, us)| *us);
                let floor_us =
                    per_proof_us + (2.0 * weighted + pairing2_us * pairings / 2.0) / n as f64;
                rows.push(Row {
                    presentations: n,
                    issuers: *issuers,
                    cores,
                    one_by_one: one_by_one / cores as f64,
                    batched: batched / cores as f64,
                    floor: 1e6 / floor_us,
                });
            }
        }
    }

    println!("batched BBS verification, presentations per second per core");
    println!(
        "{:>13} {:>7} {:>5} {:>11} {:>9} {:>8} {:>9}",
        "presentations", "issuers", "cores", "one-by-one", "batched", "speedup", "floor"
    );
    for r in &rows {
        println!(
            "{:>13} {:>7} {:>5} {:>11.0} {:>9.0} {:>7.2}x {:>9.0}",
            r.presentations,
            r.issuers,
            r.cores,
            r.one_by_one,
            r.batched,
            r.batched / r.one_by_one,
            r.floor
        );
    }
    let json: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{{\"presentations\":{},\"issuers\":{},\"cores\":{},\"one_by_one_per_s\":{:.1},\"batched_per_s\":{:.1},\"floor_per_s\":{:.1}}}",
                r.presentations, r.issuers, r.cores, r.one_by_one, r.batched, r.floor
            )
        })
        .collect();
    support::write_json("batch.json", &format!("[\n  {}\n]\n", json.join(",\n  ")));
}
