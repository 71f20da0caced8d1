//! Bad input to the BBS API: every malformed key, signature or proof encoding, wrong length,
//! identity or off-subgroup point, out-of-range scalar and bad index gets a typed error and
//! never a panic.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::Error;
use civitas_core::bbs::{self, Ciphersuite, MAX_MESSAGES, Proof, PublicKey, SecretKey, Signature};
use civitas_core::{BbsError, EncodingError};
use proptest::prelude::*;

const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;
/// The group order r, big-endian.
const R: [u8; 32] = [
    0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05,
    0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
];

struct Fixture {
    sk: SecretKey,
    pk: PublicKey,
    sig: Signature,
    proof: Proof,
    messages: Vec<Vec<u8>>,
}

fn fixture() -> Fixture {
    let sk = SecretKey::key_gen(CS, &[42u8; 32], b"", None).unwrap();
    let pk = sk.public_key();
    let messages: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10]).collect();
    let sig = bbs::sign(CS, &sk, &pk, b"h", &messages).unwrap();
    let proof = bbs::proof_gen(CS, &pk, &sig, b"h", b"ph", &messages, &[1, 3]).unwrap();
    Fixture {
        sk,
        pk,
        sig,
        proof,
        messages,
    }
}

/// The compressed identity of G1 (48 bytes) or G2 (96 bytes).
fn identity(len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    v[0] = 0xc0;
    v
}

/// An encoding of a point on the curve but outside the prime-order subgroup: random
/// x-coordinates with the compression flag, until one decodes to such a point.
fn off_subgroup(len: usize, decode: impl Fn(&[u8]) -> Result<(), Error>) -> Vec<u8> {
    let mut seed = 1u64;
    for _ in 0..10_000 {
        let mut v: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 56) as u8
            })
            .collect();
        v[0] = 0x80 | (v[0] & 0x1f); // compressed, not infinity, x well below p
        if let Err(Error::Encoding(EncodingError::Point { reason, .. })) = decode(&v)
            && reason.contains("subgroup")
        {
            return v;
        }
    }
    panic!("no off-subgroup point found");
}

fn is_invalid_point(r: Result<impl Sized, Error>) -> bool {
    matches!(r, Err(Error::Encoding(EncodingError::Point { .. })))
}

#[test]
fn public_key_encodings() {
    for len in [0, 1, 48, 95, 97, 192] {
        assert!(
            matches!(PublicKey::from_bytes(&vec![0xaa; len]), Err(Error::Encoding(EncodingError::Length { actual, .. })) if actual == len)
        );
    }
    assert!(is_invalid_point(PublicKey::from_bytes(&identity(96))));
    // All-0xff x-coordinate: not a field element.
    assert!(is_invalid_point(PublicKey::from_bytes(&[0xff; 96])));
    // Uncompressed flag cleared on a 96-byte string: not a compressed encoding.
    let mut no_flag = fixture().pk.to_bytes();
    no_flag[0] &= 0x7f;
    assert!(is_invalid_point(PublicKey::from_bytes(&no_flag)));
    let off = off_subgroup(96, |b| PublicKey::from_bytes(b).map(|_| ()));
    assert!(
        matches!(PublicKey::from_bytes(&off), Err(Error::Encoding(EncodingError::Point { reason, .. })) if reason.contains("subgroup"))
    );
}

#[test]
fn secret_key_encodings() {
    assert!(matches!(
        SecretKey::from_bytes(&[0u8; 32]),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    assert!(matches!(
        SecretKey::from_bytes(&R),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    assert!(matches!(
        SecretKey::from_bytes(&[0xff; 32]),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    assert!(matches!(
        SecretKey::from_bytes(&[1u8; 31]),
        Err(Error::Encoding(EncodingError::Length { .. }))
    ));
    assert!(matches!(
        SecretKey::key_gen(CS, &[1u8; 31], b"", None),
        Err(Error::Bbs(BbsError::KeyMaterial(_)))
    ));
    assert!(matches!(
        SecretKey::key_gen(CS, &[1u8; 32], &vec![0u8; 65536], None),
        Err(Error::Bbs(BbsError::KeyMaterial(_)))
    ));
    let f = fixture();
    assert_eq!(format!("{:?}", f.sk), "SecretKey([redacted])");
    assert_eq!(
        SecretKey::from_bytes(f.sk.to_bytes().as_slice()).unwrap(),
        f.sk
    );
}

#[test]
fn signature_encodings() {
    let f = fixture();
    let good = f.sig.to_bytes();
    for len in [0, 48, 79, 81, 112] {
        assert!(matches!(
            Signature::from_bytes(&vec![1; len]),
            Err(Error::Encoding(EncodingError::Length { .. }))
        ));
    }
    let with = |a: &[u8], e: &[u8]| [a, e].concat();
    assert!(is_invalid_point(Signature::from_bytes(&with(
        &identity(48),
        &good[48..]
    ))));
    let off = off_subgroup(48, |b| {
        Signature::from_bytes(&with(b, &good[48..])).map(|_| ())
    });
    assert!(is_invalid_point(Signature::from_bytes(&with(
        &off,
        &good[48..]
    ))));
    assert!(matches!(
        Signature::from_bytes(&with(&good[..48], &[0; 32])),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    assert!(matches!(
        Signature::from_bytes(&with(&good[..48], &R)),
        Err(Error::Encoding(EncodingError::Scalar { .. }))
    ));
    // A valid encoding of the wrong signature is a verification failure, not a decode error.
    let mut other = good;
    other[79] ^= 1;
    let sig = Signature::from_bytes(&other).unwrap();
    assert_eq!(
        bbs::verify(CS, &f.pk, &sig, b"h", &f.messages),
        Err(Error::Bbs(BbsError::SignatureInvalid))
    );
}

#[test]
fn proof_encodings() {
    let f = fixture();
    let good = f.proof.to_bytes();
    assert_eq!(good.len(), Proof::encoded_len(3));
    for len in [
        0,
        Proof::MIN_LEN - 1,
        Proof::MIN_LEN + 1,
        good.len() - 31,
        good.len() + 16,
    ] {
        assert!(
            matches!(
                Proof::from_bytes(&vec![0x11; len]),
                Err(Error::Encoding(EncodingError::Length { .. }))
            ),
            "length {len}"
        );
    }
    for point in 0..3 {
        let mut p = good.clone();
        p[point * 48..(point + 1) * 48].copy_from_slice(&identity(48));
        assert!(
            is_invalid_point(Proof::from_bytes(&p)),
            "identity at point {point}"
        );
    }
    let scalars = (good.len() - 144) / 32;
    for i in 0..scalars {
        let at = 144 + 32 * i;
        let mut zero = good.clone();
        zero[at..at + 32].fill(0);
        assert!(
            matches!(
                Proof::from_bytes(&zero),
                Err(Error::Encoding(EncodingError::Scalar { .. }))
            ),
            "zero scalar {i}"
        );
        let mut big = good.clone();
        big[at..at + 32].copy_from_slice(&R);
        assert!(
            matches!(
                Proof::from_bytes(&big),
                Err(Error::Encoding(EncodingError::Scalar { .. }))
            ),
            "scalar {i} = r"
        );
    }
}

#[test]
fn indexes_and_counts() {
    let f = fixture();
    for bad in [&[3usize, 1][..], &[1, 1], &[5], &[0, 7]] {
        assert!(
            matches!(
                bbs::proof_gen(CS, &f.pk, &f.sig, b"h", b"", &f.messages, bad),
                Err(Error::Bbs(BbsError::Index { .. }))
            ),
            "proof_gen with {bad:?}"
        );
    }
    let disclosed = [&f.messages[1], &f.messages[3]];
    assert!(matches!(
        bbs::proof_verify(CS, &f.pk, &f.proof, b"h", b"ph", &disclosed, &[3, 1]),
        Err(Error::Bbs(BbsError::Index { .. }))
    ));
    assert!(matches!(
        bbs::proof_verify(CS, &f.pk, &f.proof, b"h", b"ph", &disclosed, &[1, 9]),
        Err(Error::Bbs(BbsError::Index { .. }))
    ));
    assert!(matches!(
        bbs::proof_verify(CS, &f.pk, &f.proof, b"h", b"ph", &disclosed[..1], &[1, 3]),
        Err(Error::Bbs(BbsError::MessageCount { .. }))
    ));
    bbs::proof_verify(CS, &f.pk, &f.proof, b"h", b"ph", &disclosed, &[1, 3]).unwrap();
    // The wrong message, header, presentation header or key: a plain rejection.
    let wrong = [&f.messages[1], &f.messages[2]];
    assert_eq!(
        bbs::proof_verify(CS, &f.pk, &f.proof, b"h", b"ph", &wrong, &[1, 3]),
        Err(Error::Bbs(BbsError::ProofInvalid))
    );
    assert_eq!(
        bbs::proof_verify(CS, &f.pk, &f.proof, b"x", b"ph", &disclosed, &[1, 3]),
        Err(Error::Bbs(BbsError::ProofInvalid))
    );
    assert_eq!(
        bbs::proof_verify(CS, &f.pk, &f.proof, b"h", b"", &disclosed, &[1, 3]),
        Err(Error::Bbs(BbsError::ProofInvalid))
    );
    let other_pk = SecretKey::key_gen(CS, &[7u8; 32], b"", None)
        .unwrap()
        .public_key();
    assert_eq!(
        bbs::proof_verify(CS, &other_pk, &f.proof, b"h", b"ph", &disclosed, &[1, 3]),
        Err(Error::Bbs(BbsError::ProofInvalid))
    );
    // Other ciphersuite: a rejection too.
    assert_eq!(
        bbs::proof_verify(
            Ciphersuite::Bls12381Shake256,
            &f.pk,
            &f.proof,
            b"h",
            b"ph",
            &disclosed,
            &[1, 3]
        ),
        Err(Error::Bbs(BbsError::ProofInvalid))
    );
}

#[test]
fn too_many_messages() {
    let f = fixture();
    let many = vec![[0u8; 1]; MAX_MESSAGES + 1];
    assert!(matches!(
        bbs::sign(CS, &f.sk, &f.pk, b"", &many),
        Err(Error::Bbs(BbsError::TooManyMessages { .. }))
    ));
    assert!(matches!(
        bbs::verify(CS, &f.pk, &f.sig, b"", &many),
        Err(Error::Bbs(BbsError::TooManyMessages { .. }))
    ));
    // A proof claiming more hidden messages than the limit is refused while decoding.
    let mut huge = f.proof.to_bytes();
    let extra = huge[144..176].to_vec();
    for _ in 0..=MAX_MESSAGES {
        huge.extend_from_slice(&extra);
    }
    assert!(matches!(
        Proof::from_bytes(&huge),
        Err(Error::Bbs(BbsError::TooManyMessages { .. }))
    ));
}

#[test]
fn empty_message_list_signs_and_proves() {
    let f = fixture();
    let none: [&[u8]; 0] = [];
    let sig = bbs::sign(CS, &f.sk, &f.pk, b"only a header", &none).unwrap();
    bbs::verify(CS, &f.pk, &sig, b"only a header", &none).unwrap();
    let proof = bbs::proof_gen(CS, &f.pk, &sig, b"only a header", b"", &none, &[]).unwrap();
    bbs::proof_verify(CS, &f.pk, &proof, b"only a header", b"", &none, &[]).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decoders_never_panic_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = PublicKey::from_bytes(&bytes);
        let _ = SecretKey::from_bytes(&bytes);
        let _ = Signature::from_bytes(&bytes);
        let _ = Proof::from_bytes(&bytes);
    }

    #[test]
    fn truncations_and_bit_flips_are_errors_or_rejections(cut in 0usize..400, flip in 0usize..400, bit in 0u8..8) {
        let f = fixture();
        let pk = f.pk.to_bytes();
        let sig = f.sig.to_bytes();
        let proof = f.proof.to_bytes();
        // Truncated keys and signatures never decode. A proof cut at a scalar boundary is a
        // well-formed encoding (of a proof with fewer hidden messages), so it must not verify.
        if cut < pk.len() { prop_assert!(PublicKey::from_bytes(&pk[..cut]).is_err()); }
        if cut < sig.len() { prop_assert!(Signature::from_bytes(&sig[..cut]).is_err()); }
        let disclosed = [&f.messages[1], &f.messages[3]];
        if cut < proof.len()
            && let Ok(p) = Proof::from_bytes(&proof[..cut]) {
                prop_assert!(bbs::proof_verify(CS, &f.pk, &p, b"h", b"ph", &disclosed, &[1, 3]).is_err());
            }
        // A flipped bit either fails to decode or fails to verify.
        if flip < proof.len() {
            let mut p = proof.clone();
            p[flip] ^= 1 << bit;
            if let Ok(p) = Proof::from_bytes(&p) {
                prop_assert!(bbs::proof_verify(CS, &f.pk, &p, b"h", b"ph", &disclosed, &[1, 3]).is_err());
            }
        }
        if flip < sig.len() {
            let mut s = sig;
            s[flip] ^= 1 << bit;
            if let Ok(s) = Signature::from_bytes(&s) {
                prop_assert!(bbs::verify(CS, &f.pk, &s, b"h", &f.messages).is_err());
            }
        }
    }
}
