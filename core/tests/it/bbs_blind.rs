//! Blind BBS and pseudonyms (-01): round trips through the safe API, bad input (typed errors,
//! never a panic) and the privacy properties the features promise.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]

use civitas_core::bbs::blind::{self, CommitmentWithProof, HolderSecret, ProverBlind};
use civitas_core::bbs::pseudonym::{self, NymSecret, ProverNym, Pseudonym, SignerNymEntropy};
use civitas_core::bbs::{Ciphersuite, Proof, PublicKey, SecretKey, Signature};
use civitas_core::{BbsError, EncodingError};
use civitas_core::{Error, ErrorKind, hazmat};
use proptest::prelude::*;

const NONE: [&[u8]; 0] = [];
/// The group order r, big-endian.
const R: &str = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001";

fn keys(cs: Ciphersuite) -> (SecretKey, PublicKey) {
    let sk = SecretKey::key_gen(cs, &[42u8; 32], b"blind tests", None).unwrap();
    let pk = sk.public_key();
    (sk, pk)
}

fn issued() -> Vec<Vec<u8>> {
    (0..4).map(|i| format!("claim {i}").into_bytes()).collect()
}

struct Issued {
    sk: SecretKey,
    pk: PublicKey,
    secret: HolderSecret,
    extra: Vec<u8>,
    blind: ProverBlind,
    commitment: CommitmentWithProof,
    sig: Signature,
}

/// A holder with two committed messages (a holder secret and one more) and an issuer with
/// four messages.
fn issue(cs: Ciphersuite) -> Issued {
    let (sk, pk) = keys(cs);
    let secret = HolderSecret::generate().unwrap();
    let extra = b"committed extra".to_vec();
    let committed: [&[u8]; 2] = [secret.as_ref(), &extra];
    let (commitment, blind) = blind::commit(cs, &committed).unwrap();
    let sig = blind::blind_sign(cs, &sk, &pk, Some(&commitment), 2, b"header", &issued()).unwrap();
    Issued {
        sk,
        pk,
        secret,
        extra,
        blind,
        commitment,
        sig,
    }
}

fn flip(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[bit / 8] ^= 1 << (bit % 8);
    b
}

#[test]
fn blind_round_trip_with_every_disclosure_shape() {
    for cs in Ciphersuite::ALL {
        let i = issue(cs);
        let committed: [&[u8]; 2] = [i.secret.as_ref(), &i.extra];
        let msgs = issued();
        blind::verify_blind_sign(
            cs,
            &i.pk,
            &i.sig,
            b"header",
            &msgs,
            &committed,
            Some(&i.blind),
        )
        .unwrap();
        for (di, dc) in [
            (vec![], vec![]),
            (vec![0, 1, 2, 3], vec![0, 1]),
            (vec![1, 3], vec![1]),
            (vec![], vec![0]),
            (vec![2], vec![]),
        ] {
            let proof = blind::blind_proof_gen(
                cs,
                &i.pk,
                &i.sig,
                b"header",
                b"ph",
                &msgs,
                &committed,
                &di,
                &dc,
                Some(&i.blind),
            )
            .unwrap();
            let dm: Vec<&[u8]> = di.iter().map(|&k| msgs[k].as_slice()).collect();
            let dcm: Vec<&[u8]> = dc.iter().map(|&k| committed[k]).collect();
            blind::blind_proof_verify(cs, &i.pk, &proof, b"header", b"ph", 4, &dm, &dcm, &di, &dc)
                .unwrap();
            // Another presentation header, header, L or disclosed value: refused.
            let wrong_ph = blind::blind_proof_verify(
                cs, &i.pk, &proof, b"header", b"other", 4, &dm, &dcm, &di, &dc,
            );
            assert_eq!(wrong_ph, Err(Error::Bbs(BbsError::ProofInvalid)));
            let wrong_header = blind::blind_proof_verify(
                cs, &i.pk, &proof, b"other", b"ph", 4, &dm, &dcm, &di, &dc,
            );
            assert_eq!(wrong_header, Err(Error::Bbs(BbsError::ProofInvalid)));
            if !di.is_empty() {
                let mut bad = dm.clone();
                bad[0] = b"forged";
                let r = blind::blind_proof_verify(
                    cs, &i.pk, &proof, b"header", b"ph", 4, &bad, &dcm, &di, &dc,
                );
                assert_eq!(r, Err(Error::Bbs(BbsError::ProofInvalid)));
            }
            // Shifting the split between Signer and committed messages changes the layout.
            if di.is_empty() && dc.is_empty() {
                let r = blind::blind_proof_verify(
                    cs, &i.pk, &proof, b"header", b"ph", 3, &dm, &dcm, &di, &dc,
                );
                assert_eq!(r, Err(Error::Bbs(BbsError::ProofInvalid)));
            }
        }
    }
}

#[test]
fn a_signature_without_commitment_verifies_with_no_blind() {
    for cs in Ciphersuite::ALL {
        let (sk, pk) = keys(cs);
        let msgs = issued();
        let sig = blind::blind_sign(cs, &sk, &pk, None, 0, b"", &msgs).unwrap();
        blind::verify_blind_sign(cs, &pk, &sig, b"", &msgs, &NONE, None).unwrap();
        let proof =
            blind::blind_proof_gen(cs, &pk, &sig, b"", b"", &msgs, &NONE, &[1], &[], None).unwrap();
        blind::blind_proof_verify(cs, &pk, &proof, b"", b"", 4, &[&msgs[1]], &NONE, &[1], &[])
            .unwrap();
        // Not a plain BBS signature: the blind Interface has its own generators.
        assert!(civitas_core::bbs::verify(cs, &pk, &sig, b"", &msgs).is_err());
    }
}

#[test]
fn the_issuer_refuses_a_tampered_commitment() {
    for cs in Ciphersuite::ALL {
        let i = issue(cs);
        let bytes = i.commitment.to_bytes();
        // Every bit of the point and of each scalar: a decode error or a refused proof.
        for bit in (0..bytes.len() * 8).step_by(5) {
            let tampered = flip(&bytes, bit);
            let outcome = CommitmentWithProof::from_bytes(&tampered).and_then(|c| {
                blind::blind_sign(cs, &i.sk, &i.pk, Some(&c), 2, b"header", &issued())
            });
            match outcome {
                Err(Error::Bbs(BbsError::CommitmentProofInvalid)) => {}
                Err(
                    Error::Encoding(EncodingError::Point { .. })
                    | Error::Encoding(EncodingError::Scalar { .. }),
                ) => {}
                other => panic!("bit {bit}: {other:?}"),
            }
        }
        assert_eq!(
            blind::verify_commitment(cs, &i.commitment),
            Ok(()),
            "the original still verifies"
        );
        assert_eq!(
            Error::Bbs(BbsError::CommitmentProofInvalid).kind(),
            ErrorKind::VerificationFailed
        );
    }
}

#[test]
fn the_issuer_refuses_another_number_of_committed_messages() {
    let cs = Ciphersuite::Bls12381Sha256;
    let i = issue(cs);
    for expected in [0, 1, 3] {
        let r = blind::blind_sign(cs, &i.sk, &i.pk, Some(&i.commitment), expected, b"", &NONE);
        assert_eq!(
            r,
            Err(Error::Bbs(BbsError::CommittedMessageCount {
                expected,
                actual: 2
            }))
        );
    }
    let r = blind::blind_sign(cs, &i.sk, &i.pk, None, 1, b"", &NONE);
    assert_eq!(
        r,
        Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected: 1,
            actual: 0
        }))
    );
    // A commitment made for one ciphersuite or Interface is refused by the other.
    let other = Ciphersuite::Bls12381Shake256;
    let (sk2, pk2) = keys(other);
    let r = blind::blind_sign(other, &sk2, &pk2, Some(&i.commitment), 2, b"", &NONE);
    assert_eq!(r, Err(Error::Bbs(BbsError::CommitmentProofInvalid)));
    let entropy = SignerNymEntropy::generate().unwrap();
    let r =
        pseudonym::blind_sign_with_nym(cs, &i.sk, &i.pk, &i.commitment, 1, &entropy, b"", &NONE);
    assert_eq!(r, Err(Error::Bbs(BbsError::CommitmentProofInvalid)));
}

#[test]
fn a_commitment_with_a_dropped_or_added_scalar_is_refused() {
    let cs = Ciphersuite::Bls12381Sha256;
    let i = issue(cs);
    let bytes = i.commitment.to_bytes();
    // Drop the last m^ (keeping the challenge): the proof no longer fits the generators.
    let mut shorter = bytes[..bytes.len() - 64].to_vec();
    shorter.extend_from_slice(&bytes[bytes.len() - 32..]);
    let c = CommitmentWithProof::from_bytes(&shorter).unwrap();
    assert_eq!(c.committed_count(), 1);
    assert_eq!(
        blind::blind_sign(cs, &i.sk, &i.pk, Some(&c), 1, b"", &NONE),
        Err(Error::Bbs(BbsError::CommitmentProofInvalid))
    );
    // Truncated, or not a whole number of scalars: a length error.
    for len in [0, 47, 48, 111, bytes.len() - 1, bytes.len() + 1] {
        let mut b = bytes.clone();
        b.resize(len, 1);
        assert!(matches!(
            CommitmentWithProof::from_bytes(&b),
            Err(Error::Encoding(EncodingError::Length { .. }))
        ));
    }
}

#[test]
fn scalars_at_or_above_r_and_bad_points_are_refused() {
    let r = hex::decode(R).unwrap();
    let max = [0xffu8; 32];
    for bytes in [&r[..], &max[..], &[0u8; 32][..]] {
        assert!(matches!(
            ProverBlind::from_bytes(bytes),
            Err(Error::Encoding(EncodingError::Scalar { .. }))
        ));
        assert!(matches!(
            ProverNym::from_bytes(bytes),
            Err(Error::Encoding(EncodingError::Scalar { .. }))
        ));
        assert!(matches!(
            NymSecret::from_bytes(bytes),
            Err(Error::Encoding(EncodingError::Scalar { .. }))
        ));
        assert!(matches!(
            SignerNymEntropy::from_bytes(bytes),
            Err(Error::Encoding(EncodingError::Scalar { .. }))
        ));
    }
    assert!(matches!(
        ProverBlind::from_bytes(&[1u8; 31]),
        Err(Error::Encoding(EncodingError::Length { .. }))
    ));
    let cs = Ciphersuite::Bls12381Sha256;
    let i = issue(cs);
    let mut bytes = i.commitment.to_bytes();
    // The challenge set to r.
    let n = bytes.len();
    bytes[n - 32..].copy_from_slice(&r);
    assert!(matches!(
        CommitmentWithProof::from_bytes(&bytes),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    // The commitment point as the identity, and as a point off the curve.
    let mut identity = i.commitment.to_bytes();
    identity[..48].copy_from_slice(&[0u8; 48]);
    identity[0] = 0xc0;
    assert!(matches!(
        CommitmentWithProof::from_bytes(&identity),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));
    let mut off = i.commitment.to_bytes();
    off[..48].copy_from_slice(&[0x9au8; 48]);
    assert!(matches!(
        CommitmentWithProof::from_bytes(&off),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));
    // Pseudonyms: the identity, BP1 and a non-canonical point.
    let mut id = [0u8; 48];
    id[0] = 0xc0;
    assert!(matches!(
        Pseudonym::from_bytes(&id),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));
    let bp1 = hex::decode("97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb").unwrap();
    assert!(matches!(
        Pseudonym::from_bytes(&bp1),
        Err(Error::Encoding(EncodingError::Point { .. }))
    ));
}

#[test]
fn indexes_must_stay_in_their_lists_and_never_name_the_blind() {
    let cs = Ciphersuite::Bls12381Sha256;
    let i = issue(cs);
    let committed: [&[u8]; 2] = [i.secret.as_ref(), &i.extra];
    let msgs = issued();
    let make = |di: &[usize], dc: &[usize]| {
        blind::blind_proof_gen(
            cs,
            &i.pk,
            &i.sig,
            b"header",
            b"",
            &msgs,
            &committed,
            di,
            dc,
            Some(&i.blind),
        )
    };
    // A Signer index at L would be the prover blind; past the committed list; unsorted.
    assert_eq!(
        make(&[4], &[]).unwrap_err(),
        Error::Bbs(BbsError::Index { index: 4, count: 4 })
    );
    assert_eq!(
        make(&[], &[2]).unwrap_err(),
        Error::Bbs(BbsError::Index { index: 2, count: 2 })
    );
    assert_eq!(
        make(&[2, 1], &[]).unwrap_err(),
        Error::Bbs(BbsError::Index { index: 1, count: 4 })
    );
    assert_eq!(
        make(&[], &[1, 1]).unwrap_err(),
        Error::Bbs(BbsError::Index { index: 1, count: 2 })
    );
    // Verification: the same rules, and counts that do not match.
    let proof = make(&[0], &[0]).unwrap();
    let v = |l: usize, dm: &[&[u8]], dcm: &[&[u8]], di: &[usize], dc: &[usize]| {
        blind::blind_proof_verify(cs, &i.pk, &proof, b"header", b"", l, dm, dcm, di, dc)
    };
    assert_eq!(v(4, &[&msgs[0]], &[committed[0]], &[0], &[0]), Ok(()));
    assert!(matches!(
        v(4, &[&msgs[0]], &[committed[0]], &[4], &[0]),
        Err(Error::Bbs(BbsError::Index { index: 4, .. }))
    ));
    assert!(matches!(
        v(4, &[&msgs[0]], &[], &[0], &[0]),
        Err(Error::Bbs(BbsError::CommittedMessageCount { .. }))
    ));
    assert!(matches!(
        v(4, &[], &[committed[0]], &[0], &[0]),
        Err(Error::Bbs(BbsError::MessageCount { .. }))
    ));
    // L larger than the proof can hold.
    for l in [40, usize::MAX] {
        assert!(matches!(
            v(l, &[&msgs[0]], &[committed[0]], &[0], &[0]),
            Err(Error::Bbs(BbsError::MessageCount { .. }))
        ));
    }
    let r = hazmat::blind::core_proof_verify(cs, &i.pk, &proof, b"", b"", usize::MAX, &[], &[]);
    assert!(matches!(r, Err(Error::Bbs(BbsError::MessageCount { .. }))));
    // The raw building blocks refuse the prover blind's index in the combined list.
    let signed = hazmat::blind::messages_to_scalars(cs, &msgs).unwrap();
    let r =
        hazmat::blind::core_proof_verify(cs, &i.pk, &proof, b"header", b"", 4, &signed[..1], &[4]);
    assert_eq!(
        r,
        Err(Error::Bbs(BbsError::UndisclosableIndex { index: 4 }))
    );
}

#[test]
fn only_the_holder_of_the_blind_and_committed_values_can_verify_or_prove() {
    for cs in Ciphersuite::ALL {
        let i = issue(cs);
        let msgs = issued();
        let committed: [&[u8]; 2] = [i.secret.as_ref(), &i.extra];
        let other_secret = HolderSecret::generate().unwrap();
        let wrong: [&[u8]; 2] = [other_secret.as_ref(), &i.extra];
        let (_, other_blind) = blind::commit(cs, &committed).unwrap();
        let verify = |c: &[&[u8]], b: Option<&ProverBlind>| {
            blind::verify_blind_sign(cs, &i.pk, &i.sig, b"header", &msgs, c, b)
        };
        assert_eq!(verify(&committed, Some(&i.blind)), Ok(()));
        assert_eq!(
            verify(&wrong, Some(&i.blind)),
            Err(Error::Bbs(BbsError::SignatureInvalid))
        );
        assert_eq!(
            verify(&committed, Some(&other_blind)),
            Err(Error::Bbs(BbsError::SignatureInvalid))
        );
        assert_eq!(
            verify(&committed, None),
            Err(Error::Bbs(BbsError::SignatureInvalid))
        );
        // A proof made with the wrong secret or blind does not verify, even disclosing only
        // Signer messages.
        for (c, b) in [(&wrong, &i.blind), (&committed, &other_blind)] {
            let proof = blind::blind_proof_gen(
                cs,
                &i.pk,
                &i.sig,
                b"header",
                b"",
                &msgs,
                c,
                &[0],
                &[],
                Some(b),
            )
            .unwrap();
            let r = blind::blind_proof_verify(
                cs,
                &i.pk,
                &proof,
                b"header",
                b"",
                4,
                &[&msgs[0]],
                &NONE,
                &[0],
                &[],
            );
            assert_eq!(r, Err(Error::Bbs(BbsError::ProofInvalid)));
        }
    }
}

#[test]
fn two_commitments_to_one_secret_differ_and_proofs_share_no_window() {
    let cs = Ciphersuite::Bls12381Sha256;
    let secret = HolderSecret::generate().unwrap();
    let (a, blind_a) = blind::commit(cs, &[&secret]).unwrap();
    let (b, blind_b) = blind::commit(cs, &[&secret]).unwrap();
    assert_ne!(a.to_bytes(), b.to_bytes());
    assert_ne!(blind_a, blind_b);
    let i = issue(cs);
    let msgs = issued();
    let committed: [&[u8]; 2] = [i.secret.as_ref(), &i.extra];
    let make = || {
        blind::blind_proof_gen(
            cs,
            &i.pk,
            &i.sig,
            b"header",
            b"",
            &msgs,
            &committed,
            &[1],
            &[],
            Some(&i.blind),
        )
        .unwrap()
        .to_bytes()
    };
    let (p, q) = (make(), make());
    let windows: std::collections::HashSet<&[u8]> = p.windows(32).collect();
    assert!(q.windows(32).all(|w| !windows.contains(w)));
}

#[test]
fn secrets_never_appear_in_debug_or_errors() {
    let cs = Ciphersuite::Bls12381Sha256;
    let i = issue(cs);
    let nym = ProverNym::generate().unwrap();
    let blind_hex = hex::encode(i.blind.to_bytes().as_slice());
    let nym_hex = hex::encode(nym.to_bytes().as_slice());
    let secret_hex = hex::encode(i.secret.to_bytes().as_slice());
    assert_eq!(format!("{:?}", i.blind), "ProverBlind([redacted])");
    assert_eq!(format!("{nym:?}"), "ProverNym([redacted])");
    assert_eq!(format!("{:?}", i.secret), "HolderSecret([redacted])");
    let everything = format!(
        "{:?} {:?} {:?} {:?}",
        i.commitment,
        i.sig,
        blind::blind_sign(cs, &i.sk, &i.pk, Some(&i.commitment), 9, b"", &NONE),
        blind::verify_blind_sign(cs, &i.pk, &i.sig, b"", &NONE, &NONE, Some(&i.blind)),
    );
    for s in [&blind_hex, &nym_hex, &secret_hex] {
        assert!(!everything.contains(s.as_str()));
        assert!(!everything.contains(&s[..16]));
    }
    // Constant-time equality behaves as equality.
    let copy = ProverBlind::from_bytes(i.blind.to_bytes().as_slice()).unwrap();
    assert_eq!(copy, i.blind);
    assert_eq!(
        HolderSecret::from_bytes(i.secret.to_bytes().as_slice()).unwrap(),
        i.secret
    );
    assert!(HolderSecret::from_bytes(&[1u8; 15]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Pseudonyms

struct NymHolder {
    sk: SecretKey,
    pk: PublicKey,
    secret: HolderSecret,
    blind: ProverBlind,
    nym_secret: NymSecret,
    sig: Signature,
}

fn issue_nym(cs: Ciphersuite, nym: &ProverNym, entropy: &SignerNymEntropy) -> NymHolder {
    let (sk, pk) = keys(cs);
    let secret = HolderSecret::generate().unwrap();
    let (commitment, blind) = pseudonym::commit_with_nym(cs, &[&secret], nym).unwrap();
    pseudonym::verify_commitment_with_nym(cs, &commitment).unwrap();
    let sig =
        pseudonym::blind_sign_with_nym(cs, &sk, &pk, &commitment, 1, entropy, b"header", &issued())
            .unwrap();
    let nym_secret = pseudonym::verify_finalize_with_nym(
        cs,
        &pk,
        &sig,
        b"header",
        &issued(),
        &[&secret],
        nym,
        entropy,
        &blind,
    )
    .unwrap();
    NymHolder {
        sk,
        pk,
        secret,
        blind,
        nym_secret,
        sig,
    }
}

fn present(cs: Ciphersuite, h: &NymHolder, context: &[u8], ph: &[u8]) -> (Proof, Pseudonym) {
    pseudonym::proof_gen_with_nym(
        cs,
        &h.pk,
        &h.sig,
        b"header",
        ph,
        context,
        &h.nym_secret,
        &issued(),
        &[&h.secret],
        &[2],
        &[],
        &h.blind,
    )
    .unwrap()
}

fn check(
    cs: Ciphersuite,
    h: &NymHolder,
    proof: &Proof,
    nym: &Pseudonym,
    context: &[u8],
    ph: &[u8],
) -> Result<(), Error> {
    let msgs = issued();
    pseudonym::proof_verify_with_nym(
        cs,
        &h.pk,
        proof,
        nym,
        context,
        b"header",
        ph,
        4,
        &[&msgs[2]],
        &NONE,
        &[2],
        &[],
    )
}

#[test]
fn pseudonyms_are_stable_per_verifier_and_differ_across() {
    for cs in Ciphersuite::ALL {
        let nym = ProverNym::generate().unwrap();
        let entropy = SignerNymEntropy::generate().unwrap();
        let h = issue_nym(cs, &nym, &entropy);
        let (p1, a1) = present(cs, &h, b"agency-a", b"n1");
        let (p2, a2) = present(cs, &h, b"agency-a", b"n2");
        let (p3, b1) = present(cs, &h, b"agency-b", b"n3");
        assert_eq!(a1, a2);
        assert_ne!(a1, b1);
        assert_eq!(
            a1,
            Pseudonym::calculate(cs, b"agency-a", &h.nym_secret).unwrap()
        );
        check(cs, &h, &p1, &a1, b"agency-a", b"n1").unwrap();
        check(cs, &h, &p2, &a2, b"agency-a", b"n2").unwrap();
        check(cs, &h, &p3, &b1, b"agency-b", b"n3").unwrap();
        // Another verifier's context, another pseudonym, a flipped pseudonym bit: refused.
        assert_eq!(
            check(cs, &h, &p1, &a1, b"agency-b", b"n1"),
            Err(Error::Bbs(BbsError::ProofInvalid))
        );
        assert_eq!(
            check(cs, &h, &p1, &b1, b"agency-a", b"n1"),
            Err(Error::Bbs(BbsError::ProofInvalid))
        );
        for bit in [0usize, 7, 100, 383] {
            let flipped = flip(&a1.to_bytes(), bit);
            match Pseudonym::from_bytes(&flipped) {
                Ok(p) => assert_eq!(
                    check(cs, &h, &p1, &p, b"agency-a", b"n1"),
                    Err(Error::Bbs(BbsError::ProofInvalid))
                ),
                Err(e) => assert!(matches!(e, Error::Encoding(EncodingError::Point { .. }))),
            }
        }
        // Another holder's pseudonym with this proof.
        let other = issue_nym(cs, &ProverNym::generate().unwrap(), &entropy);
        let (_, other_nym) = present(cs, &other, b"agency-a", b"n1");
        assert_ne!(other_nym, a1);
        assert_eq!(
            check(cs, &h, &p1, &other_nym, b"agency-a", b"n1"),
            Err(Error::Bbs(BbsError::ProofInvalid))
        );
        // The issuer's entropy changes the pseudonym of the same prover nym.
        let re = issue_nym(cs, &nym, &SignerNymEntropy::generate().unwrap());
        let (_, re_nym) = present(cs, &re, b"agency-a", b"n1");
        assert_ne!(re_nym, a1);
        let _ = &h.sk;
    }
}

#[test]
fn pseudonym_proofs_need_the_right_secrets() {
    let cs = Ciphersuite::Bls12381Sha256;
    let nym = ProverNym::generate().unwrap();
    let entropy = SignerNymEntropy::generate().unwrap();
    let h = issue_nym(cs, &nym, &entropy);
    let msgs = issued();
    // VerifyFinalizeWithNym with a wrong prover nym, entropy or blind.
    let other_nym = ProverNym::generate().unwrap();
    let other_entropy = SignerNymEntropy::generate().unwrap();
    let (_, other_blind) = pseudonym::commit_with_nym(cs, &NONE, &nym).unwrap();
    for (n, e, b) in [
        (&other_nym, &entropy, &h.blind),
        (&nym, &other_entropy, &h.blind),
        (&nym, &entropy, &other_blind),
    ] {
        let r = pseudonym::verify_finalize_with_nym(
            cs,
            &h.pk,
            &h.sig,
            b"header",
            &msgs,
            &[&h.secret],
            n,
            e,
            b,
        );
        assert_eq!(r.unwrap_err(), Error::Bbs(BbsError::SignatureInvalid));
    }
    // A proof with a wrong nym secret carries a pseudonym that is not the signed one.
    let wrong = NymSecret::from_bytes(other_nym.to_bytes().as_slice()).unwrap();
    let (proof, p) = pseudonym::proof_gen_with_nym(
        cs,
        &h.pk,
        &h.sig,
        b"header",
        b"",
        b"ctx",
        &wrong,
        &msgs,
        &[&h.secret],
        &[2],
        &[],
        &h.blind,
    )
    .unwrap();
    assert_eq!(
        check(cs, &h, &proof, &p, b"ctx", b""),
        Err(Error::Bbs(BbsError::ProofInvalid))
    );
    // Bits flipped in the proof: a decode error or an invalid proof, never a panic.
    let (proof, p) = present(cs, &h, b"ctx", b"");
    let bytes = proof.to_bytes();
    for bit in (0..bytes.len() * 8).step_by(97) {
        match Proof::from_bytes(&flip(&bytes, bit)) {
            Ok(tampered) => assert_eq!(
                check(cs, &h, &tampered, &p, b"ctx", b""),
                Err(Error::Bbs(BbsError::ProofInvalid))
            ),
            Err(e) => assert!(matches!(
                e,
                Error::Encoding(EncodingError::Point { .. })
                    | Error::Encoding(EncodingError::Scalar { .. })
            )),
        }
    }
    // A disclosed committed index past the committed messages, or the nym secret's place.
    let r = pseudonym::proof_gen_with_nym(
        cs,
        &h.pk,
        &h.sig,
        b"header",
        b"",
        b"ctx",
        &h.nym_secret,
        &msgs,
        &[&h.secret],
        &[],
        &[1],
        &h.blind,
    );
    assert_eq!(
        r.unwrap_err(),
        Error::Bbs(BbsError::Index { index: 1, count: 1 })
    );
    let r = pseudonym::proof_verify_with_nym(
        cs,
        &h.pk,
        &proof,
        &p,
        b"ctx",
        b"header",
        b"",
        4,
        &[&msgs[2]],
        &[b"x".as_slice()],
        &[2],
        &[5],
    );
    assert!(
        matches!(r, Err(Error::Bbs(BbsError::Index { .. }))),
        "{r:?}"
    );
    // A blind proof is not a pseudonym proof, and the reverse.
    let plain = blind::blind_proof_gen(
        cs,
        &h.pk,
        &h.sig,
        b"header",
        b"",
        &msgs,
        &[&h.secret],
        &[2],
        &[],
        Some(&h.blind),
    )
    .unwrap();
    assert!(check(cs, &h, &plain, &p, b"ctx", b"").is_err());
    let _ = &h.sk;
}

#[test]
fn the_nym_issuer_refuses_a_commitment_without_the_nym() {
    let cs = Ciphersuite::Bls12381Shake256;
    let (sk, pk) = keys(cs);
    let entropy = SignerNymEntropy::generate().unwrap();
    let nym = ProverNym::generate().unwrap();
    let (c, _) = pseudonym::commit_with_nym(cs, &NONE, &nym).unwrap();
    // Expecting one committed message besides the nym.
    assert_eq!(
        pseudonym::blind_sign_with_nym(cs, &sk, &pk, &c, 1, &entropy, b"", &NONE),
        Err(Error::Bbs(BbsError::CommittedMessageCount {
            expected: 1,
            actual: 0
        }))
    );
    // A Blind BBS commitment has other generators.
    let (blind_c, _) = blind::commit(cs, &NONE).unwrap();
    let r = pseudonym::blind_sign_with_nym(cs, &sk, &pk, &blind_c, 0, &entropy, b"", &NONE);
    assert!(r.is_err(), "{r:?}");
    assert!(pseudonym::verify_commitment_with_nym(cs, &blind_c).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = CommitmentWithProof::from_bytes(&bytes);
        let _ = Pseudonym::from_bytes(&bytes);
        let _ = ProverBlind::from_bytes(&bytes);
        let _ = ProverNym::from_bytes(&bytes);
        let _ = NymSecret::from_bytes(&bytes);
        let _ = SignerNymEntropy::from_bytes(&bytes);
        let _ = HolderSecret::from_bytes(&bytes);
    }

    #[test]
    fn verifiers_never_panic_on_random_indexes(
        di in proptest::collection::vec(0usize..12, 0..6),
        dc in proptest::collection::vec(0usize..6, 0..4),
        l in 0usize..10,
    ) {
        let cs = Ciphersuite::Bls12381Sha256;
        let (sk, pk) = keys(cs);
        let sig = blind::blind_sign(cs, &sk, &pk, None, 0, b"", &issued()).unwrap();
        let proof = blind::blind_proof_gen(cs, &pk, &sig, b"", b"", &issued(), &NONE, &[], &[], None).unwrap();
        let dm: Vec<&[u8]> = di.iter().map(|_| b"m".as_slice()).collect();
        let dcm: Vec<&[u8]> = dc.iter().map(|_| b"c".as_slice()).collect();
        let r = blind::blind_proof_verify(cs, &pk, &proof, b"", b"", l, &dm, &dcm, &di, &dc);
        prop_assert!(r.is_err() || (di.is_empty() && dc.is_empty() && l == 4));
        let p = Pseudonym::calculate(cs, b"x", &NymSecret::from_bytes(&[1u8; 32]).unwrap()).unwrap();
        let r = pseudonym::proof_verify_with_nym(cs, &pk, &proof, &p, b"x", b"", b"", l, &dm, &dcm, &di, &dc);
        prop_assert!(r.is_err());
    }
}
