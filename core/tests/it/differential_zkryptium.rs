//! Differential tests against zkryptium 0.8, an independent implementation of the same draft:
//! for every message count from 1 to 64 and both ciphersuites, with random key material,
//! messages, headers, presentation headers and disclosures, each side verifies the other's
//! signatures and proofs, and the deterministic parts (keys, signatures) agree byte for byte.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::bbs::{self, Ciphersuite, Proof, SecretKey, Signature};
use zkryptium::bbsplus::ciphersuites::{BbsCiphersuite, Bls12381Sha256, Bls12381Shake256};
use zkryptium::keys::pair::KeyPair;
use zkryptium::schemes::algorithms::BBSplus;
use zkryptium::schemes::generics::{PoKSignature, Signature as ZkSignature};

/// A small deterministic generator (SplitMix64) so failures are reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Between `min` and `min + spread - 1` random bytes.
    fn bytes(&mut self, min: usize, spread: usize) -> Vec<u8> {
        let len = min + self.below(spread);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

fn run<CS: BbsCiphersuite>(cs: Ciphersuite, seed: u64) {
    let mut rng = Rng(seed);
    for n in 1..=64usize {
        let ctx = format!("{cs:?}, {n} messages, seed {seed:#x}");
        let material = rng.bytes(32, 33);
        let info = rng.bytes(0, 20);
        let header = rng.bytes(0, 40);
        let ph = rng.bytes(0, 40);
        let messages: Vec<Vec<u8>> = (0..n).map(|_| rng.bytes(0, 100)).collect();
        let disclosed: Vec<usize> = (0..n).filter(|_| rng.below(2) == 0).collect();
        let disclosed_msgs: Vec<Vec<u8>> = disclosed.iter().map(|&i| messages[i].clone()).collect();

        // Keys: the same KeyGen on both sides.
        let sk = SecretKey::key_gen(cs, &material, &info, None).unwrap();
        let pk = sk.public_key();
        let dst = [cs.id(), b"KEYGEN_DST_"].concat();
        let zk_pair = KeyPair::<BBSplus<CS>>::generate(&material, Some(&info), Some(&dst)).unwrap();
        assert_eq!(
            zk_pair.private_key().to_bytes(),
            *sk.to_bytes(),
            "secret keys differ: {ctx}"
        );
        assert_eq!(
            zk_pair.public_key().to_bytes(),
            pk.to_bytes(),
            "public keys differ: {ctx}"
        );

        // Signatures are deterministic: identical bytes, and each side verifies the other's.
        let sig = bbs::sign(cs, &sk, &pk, &header, &messages).unwrap();
        let zk_sig = ZkSignature::<BBSplus<CS>>::sign(
            Some(&messages),
            zk_pair.private_key(),
            zk_pair.public_key(),
            Some(&header),
        )
        .unwrap();
        assert_eq!(
            zk_sig.to_bytes(),
            sig.to_bytes(),
            "signatures differ: {ctx}"
        );
        let zk_from_ours = ZkSignature::<BBSplus<CS>>::from_bytes(&sig.to_bytes()).unwrap();
        assert!(
            zk_from_ours
                .verify(zk_pair.public_key(), Some(&messages), Some(&header))
                .is_ok(),
            "zkryptium rejects our signature: {ctx}"
        );
        let ours_from_zk = Signature::from_bytes(&zk_sig.to_bytes()).unwrap();
        bbs::verify(cs, &pk, &ours_from_zk, &header, &messages).unwrap();

        // Proofs are randomized: each side verifies the other's.
        let proof = bbs::proof_gen(cs, &pk, &sig, &header, &ph, &messages, &disclosed).unwrap();
        let zk_view = PoKSignature::<BBSplus<CS>>::from_bytes(&proof.to_bytes()).unwrap();
        assert!(
            zk_view
                .proof_verify(
                    zk_pair.public_key(),
                    Some(&disclosed_msgs),
                    Some(&disclosed),
                    Some(&header),
                    Some(&ph)
                )
                .is_ok(),
            "zkryptium rejects our proof: {ctx}"
        );
        let zk_proof = PoKSignature::<BBSplus<CS>>::proof_gen(
            zk_pair.public_key(),
            &zk_sig.to_bytes(),
            Some(&header),
            Some(&ph),
            Some(&messages),
            Some(&disclosed),
        )
        .unwrap();
        let ours_view = Proof::from_bytes(&zk_proof.to_bytes()).unwrap();
        bbs::proof_verify(
            cs,
            &pk,
            &ours_view,
            &header,
            &ph,
            &disclosed_msgs,
            &disclosed,
        )
        .unwrap_or_else(|e| panic!("we reject zkryptium's proof: {ctx}: {e}"));

        // Both reject the same tampering: another presentation header.
        let mut wrong_ph = ph.clone();
        wrong_ph.push(1);
        assert!(
            bbs::proof_verify(
                cs,
                &pk,
                &ours_view,
                &header,
                &wrong_ph,
                &disclosed_msgs,
                &disclosed
            )
            .is_err()
        );
        assert!(
            zk_view
                .proof_verify(
                    zk_pair.public_key(),
                    Some(&disclosed_msgs),
                    Some(&disclosed),
                    Some(&header),
                    Some(&wrong_ph)
                )
                .is_err()
        );
    }
}

#[test]
fn sha256_matches_zkryptium() {
    run::<Bls12381Sha256>(Ciphersuite::Bls12381Sha256, 0x5EED_0001);
}

#[test]
fn shake256_matches_zkryptium() {
    run::<Bls12381Shake256>(Ciphersuite::Bls12381Shake256, 0x5EED_0002);
}
