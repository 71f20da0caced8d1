//! The BBS octet decoders (keys, signatures, proofs, blind commitments, pseudonyms and the
//! secret scalars): never panic, and what they accept encodes back to the same octets.
//! The first byte picks the decoder; the rest is its input.
#![no_main]

use civitas_core::bbs::blind::{CommitmentWithProof, HolderSecret, ProverBlind};
use civitas_core::bbs::pseudonym::{NymSecret, ProverNym, Pseudonym, SignerNymEntropy};
use civitas_core::bbs::{Proof, PublicKey, SecretKey, Signature};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    match which % 10 {
        0 => {
            if let Ok(v) = PublicKey::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        1 => {
            if let Ok(v) = Signature::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        2 => {
            if let Ok(v) = Proof::from_bytes(bytes) {
                assert_eq!(v.to_bytes(), bytes);
            }
        }
        3 => {
            if let Ok(v) = CommitmentWithProof::from_bytes(bytes) {
                assert_eq!(v.to_bytes(), bytes);
            }
        }
        4 => {
            if let Ok(v) = Pseudonym::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        5 => {
            if let Ok(v) = HolderSecret::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        6 => {
            if let Ok(v) = ProverBlind::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        7 => {
            if let Ok(v) = ProverNym::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        8 => {
            if let Ok(v) = NymSecret::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
            if let Ok(v) = SignerNymEntropy::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
            }
        }
        _ => {
            if let Ok(v) = SecretKey::from_bytes(bytes) {
                assert_eq!(&v.to_bytes()[..], bytes);
                let _ = v.public_key();
            }
        }
    }
});
