//! BBS benchmark: civitas against zkryptium 0.8 and against the arithmetic floor, in one run.
//!
//! `cargo bench -p civitas-core --bench bbs` prints a table and writes
//! `target/bench/bbs.json`: a list of `{"op","messages","civitas_us","zkryptium_us","floor_us"}`
//! with median microseconds. Everything runs single-threaded (blst is built with
//! `no-threads`; zkryptium does not spawn threads), so each operation uses one core.
//!
//! The floor of an operation is the cost of its unavoidable curve arithmetic, done with plain
//! blst calls on inputs of the same sizes (Pippenger MSM, constant-time scalar
//! multiplication, a two-pairing product with one final exponentiation):
//! - keygen: one G2 scalar multiplication (SkToPk);
//! - sign: MSM over L+2 points (B) and one G1 scalar multiplication (A);
//! - verify: MSM over L+3 points (A*e - B) and a 2-pairing product;
//! - proof_gen: MSMs over L+2 (B), U+1 (T2) and 2 (T1) points, four G1 scalar multiplications;
//! - proof_verify: MSMs over 3 (T1) and L+3 (T2) points and a 2-pairing product.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

use std::hint::black_box;
use std::time::Duration;

use civitas_core::bbs::{self, Ciphersuite, Proof, SecretKey};
use zkryptium::bbsplus::ciphersuites::Bls12381Sha256;
use zkryptium::keys::pair::KeyPair;
use zkryptium::schemes::algorithms::BBSplus;
use zkryptium::schemes::generics::{PoKSignature, Signature as ZkSignature};

mod support;

use support::{Floor, median_us};

type Zk = BBSplus<Bls12381Sha256>;
const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;

struct Row {
    op: &'static str,
    messages: usize,
    civitas_us: f64,
    zkryptium_us: f64,
    floor_us: f64,
}

fn bench_size(l: usize, floor: &Floor, rows: &mut Vec<Row>) {
    let messages: Vec<Vec<u8>> = (0..l)
        .map(|i| format!("claim {i}: value of a realistic length").into_bytes())
        .collect();
    let disclosed: Vec<usize> = (0..l).step_by(2).collect();
    let disclosed_msgs: Vec<Vec<u8>> = disclosed.iter().map(|&i| messages[i].clone()).collect();
    let u = l - disclosed.len();
    let header = b"bench header".as_slice();
    let ph = b"bench presentation header".as_slice();
    let material = [7u8; 32];
    let fast = Duration::from_millis(300);
    let slow = Duration::from_millis(800);

    let sk = SecretKey::key_gen(CS, &material, b"", None).unwrap();
    let pk = sk.public_key();
    let sig = bbs::sign(CS, &sk, &pk, header, &messages).unwrap();
    let proof = bbs::proof_gen(CS, &pk, &sig, header, ph, &messages, &disclosed).unwrap();
    let proof_bytes = proof.to_bytes();

    let zk_pair = KeyPair::<Zk>::generate(&material, None, None).unwrap();
    let zk_sig = ZkSignature::<Zk>::sign(
        Some(&messages),
        zk_pair.private_key(),
        zk_pair.public_key(),
        Some(header),
    )
    .unwrap();
    let zk_proof = PoKSignature::<Zk>::proof_gen(
        zk_pair.public_key(),
        &zk_sig.to_bytes(),
        Some(header),
        Some(ph),
        Some(&messages),
        Some(&disclosed),
    )
    .unwrap();

    let mut row = |op, c: f64, z: f64, f: f64| {
        rows.push(Row {
            op,
            messages: l,
            civitas_us: c,
            zkryptium_us: z,
            floor_us: f,
        })
    };

    row(
        "keygen",
        median_us(20, fast, || {
            sink(black_box(
                SecretKey::key_gen(CS, &material, b"", None)
                    .unwrap()
                    .public_key(),
            ))
        }),
        median_us(10, slow, || {
            sink(black_box(
                KeyPair::<Zk>::generate(&material, None, None).unwrap(),
            ))
        }),
        median_us(20, fast, || floor.keygen()),
    );
    row(
        "sign",
        median_us(20, fast, || {
            sink(black_box(
                bbs::sign(CS, &sk, &pk, header, &messages).unwrap(),
            ))
        }),
        median_us(10, slow, || {
            sink(black_box(
                ZkSignature::<Zk>::sign(
                    Some(&messages),
                    zk_pair.private_key(),
                    zk_pair.public_key(),
                    Some(header),
                )
                .unwrap(),
            ))
        }),
        median_us(20, fast, || {
            floor.msm(l + 2);
            floor.mul();
        }),
    );
    row(
        "verify",
        median_us(20, fast, || {
            bbs::verify(CS, &pk, &sig, header, &messages).unwrap()
        }),
        median_us(10, slow, || {
            assert!(
                zk_sig
                    .verify(zk_pair.public_key(), Some(&messages), Some(header))
                    .is_ok()
            )
        }),
        median_us(20, fast, || {
            floor.msm(l + 3);
            floor.pairing2();
        }),
    );
    row(
        "proof_gen",
        median_us(20, fast, || {
            sink(black_box(
                bbs::proof_gen(CS, &pk, &sig, header, ph, &messages, &disclosed).unwrap(),
            ))
        }),
        median_us(10, slow, || {
            sink(black_box(
                PoKSignature::<Zk>::proof_gen(
                    zk_pair.public_key(),
                    &zk_sig.to_bytes(),
                    Some(header),
                    Some(ph),
                    Some(&messages),
                    Some(&disclosed),
                )
                .unwrap(),
            ))
        }),
        median_us(20, fast, || {
            floor.msm(l + 2);
            floor.msm(u + 1);
            floor.msm(2);
            for _ in 0..4 {
                floor.mul();
            }
        }),
    );
    row(
        "proof_verify",
        median_us(20, fast, || {
            let p = Proof::from_bytes(&proof_bytes).unwrap();
            bbs::proof_verify(CS, &pk, &p, header, ph, &disclosed_msgs, &disclosed).unwrap()
        }),
        median_us(10, slow, || {
            assert!(
                zk_proof
                    .proof_verify(
                        zk_pair.public_key(),
                        Some(&disclosed_msgs),
                        Some(&disclosed),
                        Some(header),
                        Some(ph)
                    )
                    .is_ok()
            )
        }),
        median_us(20, fast, || {
            floor.msm(3);
            floor.msm(l + 3);
            floor.pairing2();
        }),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let floor = Floor::new(104);
    let mut rows = Vec::new();
    for l in [10, 100] {
        eprintln!("measuring {l} messages...");
        bench_size(l, &floor, &mut rows);
    }

    println!("BBS (BLS12-381-SHA-256), median microseconds per call, one core");
    println!(
        "{:<13} {:>4} {:>11} {:>13} {:>10} {:>9} {:>12}",
        "op", "L", "civitas", "zkryptium", "floor", "÷floor", "zk÷civitas"
    );
    for r in &rows {
        println!(
            "{:<13} {:>4} {:>11.1} {:>13.1} {:>10.1} {:>8.2}x {:>11.1}x",
            r.op,
            r.messages,
            r.civitas_us,
            r.zkryptium_us,
            r.floor_us,
            r.civitas_us / r.floor_us,
            r.zkryptium_us / r.civitas_us
        );
    }

    let json: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{{\"op\":\"{}\",\"messages\":{},\"civitas_us\":{:.1},\"zkryptium_us\":{:.1},\"floor_us\":{:.1}}}",
                r.op, r.messages, r.civitas_us, r.zkryptium_us, r.floor_us
            )
        })
        .collect();
    support::write_json("bbs.json", &format!("[\n  {}\n]\n", json.join(",\n  ")));
}

/// Discards a measured result (after `black_box`), whatever its type.
fn sink<T>(_: T) {}
