//! Batched verification of BBS proofs: the pairing equations of many proofs checked at once.
//!
//! Every BBS proof (the core proof of `ProofVerify`, Blind BBS's `BlindProofVerify` and the
//! pseudonym draft's `ProofVerifyWithNym`, which all end in CoreProofVerify) ends with the
//! pairing equation `e(Abar, PK) * e(-Bbar, BP2) = 1`, after its challenge has been checked.
//! [`verify_batch`] runs verification jobs with that last step *deferred*: each job runs as it
//! would alone (all its parsing, hashing, challenge checks and policy), and the pairing
//! equations of all of them are then checked together with random weights:
//!
//! ```text
//! prod over issuers k: e(sum_{i of k} r_i * Abar_i, PK_k) * e(-sum_i r_i * Bbar_i, BP2) = 1
//! ```
//!
//! one multi-Miller loop of (issuers + 1) pairings and one final exponentiation, plus two
//! multi-scalar multiplications, instead of two pairings and a final exponentiation per proof.
//!
//! When the combined equation fails, the jobs are split in halves and each half is checked
//! again (with fresh weights) until every job whose own equation fails is found; those jobs
//! are then run again on their own, without deferral, so that their result is exactly what
//! one-by-one verification gives (every error and reason included). Jobs whose equations hold
//! keep the result they computed, which is what they would have computed alone, since the
//! deferred check is the last step of every proof verification and it holds.
//!
//! # Soundness
//!
//! Write `g_i = e(Abar_i, PK_i) * e(-Bbar_i, BP2)`, an element of GT. Every point was checked
//! at decoding to lie in its prime-order subgroup (G1 and G2 of order r; decoding refuses
//! anything else), so every `g_i` lies in the order-r subgroup of GT, and the batch accepts
//! exactly when `prod_i g_i^{r_i} = 1`. Suppose some `g_j != 1`. Fix all weights but `r_j`;
//! since `g_j` has order exactly r (prime), `r_j -> g_j^{r_j}` is injective on `[0, r)`, so at
//! most one value of `r_j` makes the product 1. The weights are drawn uniformly from the
//! `2^128 - 1` non-zero 128-bit integers by the operating system's generator *after* the
//! proofs are fixed (never derived from them, so a prover cannot aim at them), so the batch
//! wrongly accepts with probability at most `2^-128`; each re-check after a split draws fresh
//! weights, and a wrongly accepted half can only hide bad proofs with the same bound. Without
//! the subgroup checks a point with a small-order component would make `g_j` of small order
//! `q`, and the batch would accept with probability `1/q`: the checks at decoding are what
//! the argument stands on.

use std::cell::RefCell;

use super::curve::{G1Affine, G2Affine, Scalar, msm, pairing_product_check};
use crate::Error;

/// One deferred pairing equation: `e(abar, pk) * e(-bbar, BP2) = 1`.
#[derive(Clone, Copy)]
pub(crate) struct PairingClaim {
    abar: G1Affine,
    bbar: G1Affine,
    pk: G2Affine,
}

thread_local! {
    /// The claims deferred by the job running on this thread, when it runs inside a batch.
    static DEFERRED: RefCell<Option<Vec<PairingClaim>>> = const { RefCell::new(None) };
}

/// Inside a batch job: record the equation and return `true` (the batch checks it). Outside:
/// `false`, and the caller checks it at once.
pub(crate) fn defer(abar: &G1Affine, bbar: &G1Affine, pk: &G2Affine) -> bool {
    DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(claims) => {
            claims.push(PairingClaim {
                abar: *abar,
                bbar: *bbar,
                pk: *pk,
            });
            true
        }
        None => false,
    })
}

/// Run `job` with the pairing equations it reaches deferred; its result and the equations.
fn run_deferred<T>(job: impl FnOnce() -> T) -> (T, Vec<PairingClaim>) {
    let previous = DEFERRED.with(|d| d.replace(Some(Vec::new())));
    // Restored even if the job panics, so that a caller catching the panic does not go on
    // deferring.
    struct Restore(Option<Option<Vec<PairingClaim>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                DEFERRED.with(|d| d.replace(previous));
            }
        }
    }
    let mut restore = Restore(Some(previous));
    let out = job();
    let claims = DEFERRED
        .with(|d| d.replace(restore.0.take().unwrap_or_default()))
        .unwrap_or_default();
    (out, claims)
}

/// Run `job` with nothing deferred (its pairing equations are checked as it goes), even when
/// called from inside another batch job.
fn run_alone<T>(job: impl FnOnce() -> T) -> T {
    let previous = DEFERRED.with(|d| d.replace(None));
    let out = job();
    DEFERRED.with(|d| d.replace(previous));
    out
}

/// A non-zero 128-bit weight from the operating system's generator.
fn weight(bytes: &[u8]) -> Scalar {
    let w = Scalar::from_be_bytes_reduced(bytes);
    if w.is_zero() { Scalar::one() } else { w }
}

/// Whether every claim of `claims` holds (with probability of error at most 2^-128).
fn check(claims: &[&PairingClaim]) -> Result<bool, Error> {
    if claims.is_empty() {
        return Ok(true);
    }
    let mut random = zeroize::Zeroizing::new(vec![0u8; 16 * claims.len()]);
    getrandom::getrandom(random.as_mut_slice())
        .map_err(|_| Error::Crypto("no system randomness"))?;
    let weights: Vec<Scalar> = random.chunks_exact(16).map(weight).collect();
    // Group by issuer key: sum r_i * Abar_i per key; sum r_i * Bbar_i over all.
    let mut keys: Vec<G2Affine> = Vec::new();
    let mut groups: Vec<(Vec<G1Affine>, Vec<Scalar>)> = Vec::new();
    for (claim, w) in claims.iter().zip(&weights) {
        let at = match keys.iter().position(|k| *k == claim.pk) {
            Some(at) => at,
            None => {
                keys.push(claim.pk);
                groups.push((Vec::new(), Vec::new()));
                keys.len() - 1
            }
        };
        if let Some((points, scalars)) = groups.get_mut(at) {
            points.push(claim.abar);
            scalars.push(*w);
        }
    }
    let bbars: Vec<G1Affine> = claims.iter().map(|c| c.bbar).collect();
    let neg_b = msm(&bbars, &weights).neg().to_affine();
    let pairs: Vec<(G1Affine, G2Affine)> = groups
        .iter()
        .zip(&keys)
        .map(|((points, scalars), pk)| (msm(points, scalars).to_affine(), *pk))
        .collect();
    Ok(pairing_product_check(&pairs, &neg_b, super::scheme::bp2()))
}

/// Below this many jobs a failing group is checked job by job instead of split again.
const SPLIT_MIN: usize = 4;

/// The positions (in `jobs`) of the jobs whose claims do not all hold.
fn find_bad(
    jobs: &[usize],
    claims: &[Vec<PairingClaim>],
    bad: &mut Vec<usize>,
) -> Result<(), Error> {
    let gather = |range: &[usize]| -> Vec<&PairingClaim> {
        range
            .iter()
            .filter_map(|&j| claims.get(j))
            .flatten()
            .collect()
    };
    if check(&gather(jobs))? {
        return Ok(());
    }
    if jobs.len() <= SPLIT_MIN {
        for &j in jobs {
            if !check(&gather(&[j]))? {
                bad.push(j);
            }
        }
        return Ok(());
    }
    let (left, right) = jobs.split_at(jobs.len() / 2);
    find_bad(left, claims, bad)?;
    find_bad(right, claims, bad)
}

/// Run every job of `jobs` (each a verification: of one BBS proof, one bbs-2023 credential,
/// one presentation, ...) with its BBS pairing equations deferred, check all the equations in
/// one batch, and return the results in order: the same, job for job, as running each job on
/// its own. Jobs whose equations fail are run again alone for their result. `threads` jobs
/// run at a time (at least one); each job must be deterministic given its inputs for the
/// results to match one-by-one runs exactly.
///
/// An error of the batch itself (no system randomness) is returned as every job's result
/// after running all jobs alone: the batch never turns a failure into a success.
pub fn verify_batch<T, F>(jobs: Vec<F>, threads: usize) -> Vec<T>
where
    F: Fn() -> T + Sync,
    T: Send,
{
    let n = jobs.len();
    let threads = threads.clamp(1, n.max(1));
    let mut results: Vec<Option<(T, Vec<PairingClaim>)>> = Vec::with_capacity(n);
    results.resize_with(n, || None);
    if threads == 1 {
        for (slot, job) in results.iter_mut().zip(&jobs) {
            *slot = Some(run_deferred(job));
        }
    } else {
        let chunk = n.div_ceil(threads);
        std::thread::scope(|scope| {
            for (slots, jobs) in results.chunks_mut(chunk).zip(jobs.chunks(chunk)) {
                scope.spawn(move || {
                    for (slot, job) in slots.iter_mut().zip(jobs) {
                        *slot = Some(run_deferred(job));
                    }
                });
            }
        });
    }
    let (mut outputs, claims): (Vec<Option<T>>, Vec<Vec<PairingClaim>>) = results
        .into_iter()
        .map(|r| match r {
            Some((t, c)) => (Some(t), c),
            None => (None, Vec::new()),
        })
        .unzip();
    let all: Vec<usize> = (0..n)
        .filter(|&j| claims.get(j).is_some_and(|c| !c.is_empty()))
        .collect();
    let mut bad = Vec::new();
    let rerun: Vec<usize> = match find_bad(&all, &claims, &mut bad) {
        Ok(()) => bad,
        Err(_) => (0..n).collect(),
    };
    for j in rerun {
        if let (Some(slot), Some(job)) = (outputs.get_mut(j), jobs.get(j)) {
            *slot = Some(run_alone(job));
        }
    }
    // Every slot was filled by a thread (a job that panicked has propagated its panic out of
    // the scope above), or is run alone now.
    outputs
        .into_iter()
        .zip(&jobs)
        .map(|(o, job)| match o {
            Some(t) => t,
            None => run_alone(job),
        })
        .collect()
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::BbsError;
    use crate::bbs::{self, Ciphersuite, SecretKey, Signature};

    const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;

    fn proof(seed: u8, forged: bool) -> (bbs::PublicKey, bbs::Proof, Vec<Vec<u8>>) {
        let sk = SecretKey::key_gen(CS, &[seed; 32], b"", None).unwrap();
        let pk = sk.public_key();
        let messages: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 8]).collect();
        let mut sig = bbs::sign(CS, &sk, &pk, b"h", &messages).unwrap().to_bytes();
        if forged {
            // Another e: ProofGen does not check the signature, so the proof's challenge is
            // consistent and only its pairing equation fails.
            sig[60] ^= 1;
        }
        let sig = Signature::from_bytes(&sig).unwrap();
        let p = bbs::proof_gen(CS, &pk, &sig, b"h", b"ph", &messages, &[0, 2]).unwrap();
        (pk, p, vec![messages[0].clone(), messages[2].clone()])
    }

    #[test]
    fn a_proof_bad_only_in_its_pairing_is_found_in_a_batch() {
        let items: Vec<_> = (0..9u8).map(|i| proof(i % 3, i == 5)).collect();
        let one_by_one: Vec<_> = items
            .iter()
            .map(|(pk, p, m)| bbs::proof_verify(CS, pk, p, b"h", b"ph", m, &[0, 2]))
            .collect();
        assert_eq!(one_by_one[5], Err(Error::Bbs(BbsError::ProofInvalid)));
        assert!(
            one_by_one
                .iter()
                .enumerate()
                .all(|(i, r)| i == 5 || r.is_ok())
        );
        for threads in [1, 2] {
            let jobs: Vec<_> = items
                .iter()
                .map(|(pk, p, m)| move || bbs::proof_verify(CS, pk, p, b"h", b"ph", m, &[0, 2]))
                .collect();
            assert_eq!(verify_batch(jobs, threads), one_by_one);
        }
    }

    #[test]
    fn an_empty_batch_and_nothing_deferred_outside_one() {
        let jobs: Vec<fn() -> u8> = Vec::new();
        assert!(verify_batch(jobs, 2).is_empty());
        let (pk, p, m) = proof(1, true);
        // Outside a batch the pairing is checked at once.
        assert!(bbs::proof_verify(CS, &pk, &p, b"h", b"ph", &m, &[0, 2]).is_err());
    }

    #[test]
    fn the_weights_are_never_zero() {
        assert!(!weight(&[0u8; 16]).is_zero());
    }

    #[test]
    fn a_bad_claim_among_many_fails_the_combined_check() {
        let good = proof(1, false);
        let bad = proof(2, true);
        let claims = |items: &[&(bbs::PublicKey, bbs::Proof, Vec<Vec<u8>>)]| {
            let (_, c) = run_deferred(|| {
                for (pk, p, m) in items {
                    let _ = bbs::proof_verify(CS, pk, p, b"h", b"ph", m, &[0, 2]);
                }
            });
            c
        };
        let c = claims(&[&good, &good, &bad]);
        assert_eq!(c.len(), 3);
        assert!(!check(&c.iter().collect::<Vec<_>>()).unwrap());
        let c = claims(&[&good, &good]);
        assert!(check(&c.iter().collect::<Vec<_>>()).unwrap());
    }
}
