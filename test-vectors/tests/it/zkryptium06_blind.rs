//! Differential tests of Blind BBS and pseudonyms (-01) against zkryptium 0.6, another
//! implementation of the same drafts: what one side makes, the other accepts, and the
//! deterministic outputs (blind signatures, nym secrets, pseudonyms) are equal byte for byte.
#![expect(clippy::indexing_slicing, reason = "tests fail by panicking")]

use civitas_core::BbsError;
use civitas_core::bbs::blind::{self, CommitmentWithProof, ProverBlind};
use civitas_core::bbs::pseudonym::{self, ProverNym, Pseudonym, SignerNymEntropy};
use civitas_core::bbs::{Ciphersuite, Proof, SecretKey};
use zkryptium06::bbsplus::commitment::BlindFactor;
use zkryptium06::bbsplus::keys::{BBSplusPublicKey, BBSplusSecretKey};
use zkryptium06::bbsplus::pseudonym::{BBSplusPseudonym, PseudonymSecret};
use zkryptium06::schemes::algorithms::{BbsBls12381Sha256, BbsBls12381Shake256};
use zkryptium06::schemes::generics::{BlindSignature, Commitment, PoKSignature};

fn messages() -> Vec<Vec<u8>> {
    [
        "name: Ada",
        "degree: MSc",
        "born: 1990-01-01",
        "issued: 2026",
    ]
    .iter()
    .map(|m| m.as_bytes().to_vec())
    .collect()
}

fn committed() -> Vec<Vec<u8>> {
    vec![
        b"holder secret 0123456789abcdef".to_vec(),
        b"second".to_vec(),
    ]
}

/// The disclosure shapes tried: (Signer indexes, committed indexes).
const SHAPES: [(&[usize], &[usize]); 5] = [
    (&[], &[]),
    (&[0, 1, 2, 3], &[0, 1]),
    (&[1, 3], &[1]),
    (&[], &[0]),
    (&[2], &[]),
];

fn pick(all: &[Vec<u8>], idx: &[usize]) -> Vec<Vec<u8>> {
    idx.iter().map(|&i| all[i].clone()).collect()
}

/// One ciphersuite: `$zk` is zkryptium's scheme type for `$cs`.
macro_rules! differential {
    ($blind_test:ident, $nym_test:ident, $zk:ty, $cs:expr) => {
        #[test]
        fn $blind_test() {
            let cs: Ciphersuite = $cs;
            let sk = SecretKey::key_gen(cs, &[9u8; 32], b"zkryptium", None).unwrap();
            let pk = sk.public_key();
            let zsk = BBSplusSecretKey::from_bytes(sk.to_bytes().as_slice()).unwrap();
            let zpk = BBSplusPublicKey::from_bytes(&pk.to_bytes()).unwrap();
            assert_eq!(zsk.public_key().to_bytes(), pk.to_bytes());
            let msgs = messages();
            let cm = committed();
            let header = b"header".as_slice();

            // Our commitment, signed by both: equal signatures (BlindSign is deterministic).
            let (ours, our_blind) = blind::commit(cs, &cm).unwrap();
            let zsig = BlindSignature::<$zk>::blind_sign(
                &zsk, &zpk, Some(&ours.to_bytes()), Some(header), Some(&msgs),
            )
            .expect("zkryptium signs over our commitment");
            let sig = blind::blind_sign(cs, &sk, &pk, Some(&ours), 2, header, &msgs).unwrap();
            assert_eq!(sig.to_bytes(), zsig.to_bytes(), "blind signatures differ");
            let zblind = BlindFactor::from_bytes(&our_blind.to_bytes()).unwrap();
            zsig.verify_blind_sign(&zpk, Some(header), Some(&msgs), Some(&cm), Some(&zblind))
                .expect("zkryptium verifies our blind signature");

            // Their commitment, signed by us.
            let (theirs, their_blind) = Commitment::<$zk>::commit(Some(&cm)).unwrap();
            let c = CommitmentWithProof::from_bytes(&theirs.to_bytes()).unwrap();
            blind::verify_commitment(cs, &c).unwrap();
            let sig2 = blind::blind_sign(cs, &sk, &pk, Some(&c), 2, header, &msgs).unwrap();
            let zsig2 = BlindSignature::<$zk>::blind_sign(
                &zsk, &zpk, Some(&theirs.to_bytes()), Some(header), Some(&msgs),
            )
            .unwrap();
            assert_eq!(sig2.to_bytes(), zsig2.to_bytes());
            let their_blind = ProverBlind::from_bytes(&their_blind.to_bytes()).unwrap();
            blind::verify_blind_sign(cs, &pk, &sig2, header, &msgs, &cm, Some(&their_blind))
                .unwrap();

            // Proofs both ways, for every disclosure shape.
            for (di, dc) in SHAPES {
                let (dm, dcm) = (pick(&msgs, di), pick(&cm, dc));
                let proof = blind::blind_proof_gen(
                    cs, &pk, &sig, header, b"ph", &msgs, &cm, di, dc, Some(&our_blind),
                )
                .unwrap();
                PoKSignature::<$zk>::from_bytes(&proof.to_bytes())
                    .unwrap()
                    .blind_proof_verify(
                        &zpk, Some(header), Some(b"ph"), Some(msgs.len()), Some(&dm), Some(&dcm),
                        Some(di), Some(dc),
                    )
                    .unwrap_or_else(|e| panic!("zkryptium rejects our proof {di:?} {dc:?}: {e:?}"));
                let zproof = PoKSignature::<$zk>::blind_proof_gen(
                    &zpk, &zsig.to_bytes(), Some(header), Some(b"ph"), Some(&msgs), Some(&cm),
                    Some(di), Some(dc), Some(&zblind),
                )
                .unwrap();
                let p = Proof::from_bytes(&zproof.to_bytes()).unwrap();
                blind::blind_proof_verify(cs, &pk, &p, header, b"ph", 4, &dm, &dcm, di, dc)
                    .unwrap_or_else(|e| panic!("we reject zkryptium's proof {di:?} {dc:?}: {e}"));
            }

            // Without a commitment.
            let sig0 = blind::blind_sign(cs, &sk, &pk, None, 0, header, &msgs).unwrap();
            let zsig0 =
                BlindSignature::<$zk>::blind_sign(&zsk, &zpk, None, Some(header), Some(&msgs))
                    .unwrap();
            assert_eq!(sig0.to_bytes(), zsig0.to_bytes());

            // A tampered commitment: both issuers refuse it.
            let mut bad = ours.to_bytes();
            let n = bad.len();
            bad[n - 1] ^= 1;
            assert!(
                BlindSignature::<$zk>::blind_sign(&zsk, &zpk, Some(&bad), Some(header), Some(&msgs))
                    .is_err()
            );
            let bad = CommitmentWithProof::from_bytes(&bad).unwrap();
            assert_eq!(
                blind::blind_sign(cs, &sk, &pk, Some(&bad), 2, header, &msgs),
                Err(civitas_core::Error::Bbs(BbsError::CommitmentProofInvalid))
            );
        }

        #[test]
        fn $nym_test() {
            let cs: Ciphersuite = $cs;
            let sk = SecretKey::key_gen(cs, &[11u8; 32], b"zkryptium nym", None).unwrap();
            let pk = sk.public_key();
            let zsk = BBSplusSecretKey::from_bytes(sk.to_bytes().as_slice()).unwrap();
            let zpk = BBSplusPublicKey::from_bytes(&pk.to_bytes()).unwrap();
            let msgs = messages();
            let cm = committed();
            let header = b"nym header".as_slice();
            let nym = ProverNym::generate().unwrap();
            let znym = PseudonymSecret::from_bytes(&nym.to_bytes()).unwrap();
            let entropy = SignerNymEntropy::generate().unwrap();
            let zentropy = PseudonymSecret::from_bytes(&entropy.to_bytes()).unwrap();

            // Our commitment, signed by both.
            let (ours, our_blind) = pseudonym::commit_with_nym(cs, &cm, &nym).unwrap();
            let sig = pseudonym::blind_sign_with_nym(cs, &sk, &pk, &ours, 2, &entropy, header, &msgs)
                .unwrap();
            let zsig = BlindSignature::<$zk>::blind_sign_with_nym(
                &zsk, &zpk, Some(&ours.to_bytes()), Some(header), &zentropy, Some(&msgs),
            )
            .expect("zkryptium signs over our nym commitment");
            assert_eq!(sig.to_bytes(), zsig.to_bytes(), "nym signatures differ");
            let zblind = BlindFactor::from_bytes(&our_blind.to_bytes()).unwrap();
            let znym_secret = zsig
                .verify_blind_sign_with_nym(
                    &zpk, Some(header), Some(&msgs), Some(&cm), Some(&znym), Some(&zentropy),
                    Some(&zblind),
                )
                .expect("zkryptium verifies our nym signature");
            let nym_secret = pseudonym::verify_finalize_with_nym(
                cs, &pk, &sig, header, &msgs, &cm, &nym, &entropy, &our_blind,
            )
            .unwrap();
            assert_eq!(nym_secret.to_bytes().as_slice(), &znym_secret.to_bytes());

            // Their commitment, signed by us.
            let (theirs, their_blind) =
                Commitment::<$zk>::commit_with_nym(Some(&cm), Some(&znym)).unwrap();
            let c = CommitmentWithProof::from_bytes(&theirs.to_bytes()).unwrap();
            let sig2 = pseudonym::blind_sign_with_nym(cs, &sk, &pk, &c, 2, &entropy, header, &msgs)
                .unwrap();
            let zsig2 = BlindSignature::<$zk>::blind_sign_with_nym(
                &zsk, &zpk, Some(&theirs.to_bytes()), Some(header), &zentropy, Some(&msgs),
            )
            .unwrap();
            assert_eq!(sig2.to_bytes(), zsig2.to_bytes());
            let their_blind = ProverBlind::from_bytes(&their_blind.to_bytes()).unwrap();
            pseudonym::verify_finalize_with_nym(
                cs, &pk, &sig2, header, &msgs, &cm, &nym, &entropy, &their_blind,
            )
            .unwrap();

            // Proofs and pseudonyms both ways.
            let zns = PseudonymSecret::from_bytes(&nym_secret.to_bytes()).unwrap();
            for (di, dc) in SHAPES {
                let (dm, dcm) = (pick(&msgs, di), pick(&cm, dc));
                let (proof, p) = pseudonym::proof_gen_with_nym(
                    cs, &pk, &sig, header, b"ph", b"agency-a", &nym_secret, &msgs, &cm, di, dc,
                    &our_blind,
                )
                .unwrap();
                let zp = BBSplusPseudonym::from_bytes(&p.to_bytes()).unwrap();
                PoKSignature::<$zk>::from_bytes(&proof.to_bytes())
                    .unwrap()
                    .proof_verify_with_nym(
                        &zpk, Some(header), Some(b"ph"), &zp, b"agency-a", Some(msgs.len()),
                        Some(&dm), Some(&dcm), Some(di), Some(dc),
                    )
                    .unwrap_or_else(|e| panic!("zkryptium rejects our nym proof {di:?} {dc:?}: {e:?}"));
                let (zproof, zpseudonym) = PoKSignature::<$zk>::proof_gen_with_nym(
                    &zpk, &zsig.to_bytes(), Some(header), Some(b"ph"), &zns, b"agency-a",
                    Some(&msgs), Some(&cm), Some(di), Some(dc), Some(&zblind),
                )
                .unwrap();
                assert_eq!(zpseudonym.to_bytes(), p.to_bytes().to_vec(), "pseudonyms differ");
                let proof = Proof::from_bytes(&zproof.to_bytes()).unwrap();
                let p2 = Pseudonym::from_bytes(&zpseudonym.to_bytes()).unwrap();
                pseudonym::proof_verify_with_nym(
                    cs, &pk, &proof, &p2, b"agency-a", header, b"ph", 4, &dm, &dcm, di, dc,
                )
                .unwrap_or_else(|e| panic!("we reject zkryptium's nym proof {di:?} {dc:?}: {e}"));
                // And at another verifier their proof is refused here.
                assert!(pseudonym::proof_verify_with_nym(
                    cs, &pk, &proof, &p2, b"agency-b", header, b"ph", 4, &dm, &dcm, di, dc,
                )
                .is_err());
            }
        }
    };
}

differential!(
    blind_sha256_matches_zkryptium,
    pseudonym_sha256_matches_zkryptium,
    BbsBls12381Sha256,
    Ciphersuite::Bls12381Sha256
);
differential!(
    blind_shake256_matches_zkryptium,
    pseudonym_shake256_matches_zkryptium,
    BbsBls12381Shake256,
    Ciphersuite::Bls12381Shake256
);
