//! The draft's core operations on scalar messages, in the order of its section "Core
//! Operations" and "Proof Protocol Subroutines".
//! <https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-bbs-signatures#name-core-operations>

use std::sync::OnceLock;

use zeroize::Zeroize;

use super::curve::{G1, G1Affine, G2Prepared, Scalar, msm, pairing_check};
use super::generators::{Generators, generators};
use super::suite::Ciphersuite;
use super::{Proof, PublicKey, SecretKey, Signature};
use crate::Error;

fn bp2_prepared() -> &'static G2Prepared {
    static BP2: OnceLock<G2Prepared> = OnceLock::new();
    BP2.get_or_init(G2Prepared::generator)
}

/// `api_id || "H2S_"`.
fn h2s_dst(cs: Ciphersuite) -> Vec<u8> {
    [cs.api_id(), b"H2S_"].concat()
}

/// calculate_domain (draft "Domain Calculation"):
/// `hash_to_scalar(PK || serialize((L, Q_1, H_1..H_L)) || api_id || I2OSP(len(header), 8) || header)`.
fn calculate_domain(
    cs: Ciphersuite,
    pk: &PublicKey,
    gens: &Generators,
    l: usize,
    header: &[u8],
) -> Result<Scalar, Error> {
    let q1 = gens
        .compressed()
        .get(1)
        .ok_or(Error::Crypto("generators missing Q_1"))?;
    let hs = gens.compressed().get(2..2 + l).ok_or(Error::MessageCount {
        expected: l,
        actual: gens.message_count(),
    })?;
    let l_bytes = (l as u64).to_be_bytes();
    let header_len = (header.len() as u64).to_be_bytes();
    let mut parts: Vec<&[u8]> = Vec::with_capacity(l + 6);
    parts.push(pk.as_bytes());
    parts.push(&l_bytes);
    parts.push(q1);
    parts.extend(hs.iter().map(|h| h.as_slice()));
    parts.push(cs.api_id());
    parts.push(&header_len);
    parts.push(header);
    cs.hash_to_scalar(&parts, &h2s_dst(cs))
}

/// `[1, domain, msg_1, ..., msg_L]`: the scalars of `B = P1 + Q_1 * domain + sum(H_i * msg_i)`
/// over `[P1, Q_1, H_1, ..., H_L]`.
fn b_scalars(domain: &Scalar, messages: &[Scalar]) -> Vec<Scalar> {
    let mut s = Vec::with_capacity(messages.len() + 2);
    s.push(Scalar::one());
    s.push(*domain);
    s.extend_from_slice(messages);
    s
}

/// CoreSign.
pub(crate) fn core_sign(
    cs: Ciphersuite,
    sk: &SecretKey,
    pk: &PublicKey,
    header: &[u8],
    messages: &[Scalar],
) -> Result<Signature, Error> {
    let l = messages.len();
    let gens = generators(cs, l)?;
    let domain = calculate_domain(cs, pk, &gens, l, header)?;
    // e = hash_to_scalar(serialize((SK, msg_1, ..., msg_L, domain)), hash_to_scalar_dst)
    let mut sk_bytes = sk.scalar().to_be_bytes();
    let mut msg_bytes: Vec<u8> = Vec::with_capacity(32 * (l + 1));
    for m in messages {
        msg_bytes.extend_from_slice(&m.to_be_bytes());
    }
    msg_bytes.extend_from_slice(&domain.to_be_bytes());
    let e = cs.hash_to_scalar(&[&sk_bytes, &msg_bytes], &h2s_dst(cs));
    sk_bytes.zeroize();
    msg_bytes.zeroize();
    let e = e?;
    let mut b_s = b_scalars(&domain, messages);
    let b = gens.msm(&b_s);
    b_s.iter_mut().for_each(Zeroize::zeroize);
    let mut sk_e = sk.scalar().add(&e);
    let inv = sk_e.invert();
    sk_e.zeroize();
    let mut inv = inv.ok_or(Error::Crypto("SK + e is zero"))?;
    let a = b.mul(&inv);
    inv.zeroize();
    if a.is_identity() {
        return Err(Error::Crypto("signature point is the identity"));
    }
    Ok(Signature {
        a: a.to_affine(),
        e,
    })
}

/// CoreVerify: `h(A, W) * h(A * e - B, BP2) == 1`.
pub(crate) fn core_verify(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    messages: &[Scalar],
) -> Result<bool, Error> {
    let l = messages.len();
    let gens = generators(cs, l)?;
    let domain = calculate_domain(cs, pk, &gens, l, header)?;
    // -B = P1 * (-1) + Q_1 * (-domain) + sum(H_i * (-msg_i))
    let neg: Vec<Scalar> = b_scalars(&domain, messages)
        .iter()
        .map(Scalar::neg)
        .collect();
    let c = G1::from_affine(&sig.a).mul(&sig.e).add(&gens.msm(&neg));
    Ok(pairing_check(
        &sig.a,
        pk.point(),
        &c.to_affine(),
        bp2_prepared(),
    ))
}

/// Check that `indexes` are strictly increasing and below `l`.
pub(crate) fn check_indexes(indexes: &[usize], l: usize) -> Result<(), Error> {
    let mut prev: Option<usize> = None;
    for &i in indexes {
        if i >= l || prev.is_some_and(|p| i <= p) {
            return Err(Error::InvalidIndex { index: i, count: l });
        }
        prev = Some(i);
    }
    Ok(())
}

/// The values ProofInit and ProofVerifyInit hand to the challenge.
struct InitResult {
    abar: G1Affine,
    bbar: G1Affine,
    d: G1Affine,
    t1: G1,
    t2: G1,
    domain: Scalar,
}

/// ProofChallengeCalculate.
fn challenge(
    cs: Ciphersuite,
    init: &InitResult,
    disclosed_indexes: &[usize],
    disclosed_messages: &[Scalar],
    ph: &[u8],
) -> Result<Scalar, Error> {
    let r = disclosed_indexes.len();
    let mut buf: Vec<u8> = Vec::with_capacity(8 + r * 40 + 5 * 48 + 32 + 8);
    buf.extend_from_slice(&(r as u64).to_be_bytes());
    for (i, m) in disclosed_indexes.iter().zip(disclosed_messages) {
        buf.extend_from_slice(&(*i as u64).to_be_bytes());
        buf.extend_from_slice(&m.to_be_bytes());
    }
    buf.extend_from_slice(&init.abar.compress());
    buf.extend_from_slice(&init.bbar.compress());
    buf.extend_from_slice(&init.d.compress());
    buf.extend_from_slice(&init.t1.compress());
    buf.extend_from_slice(&init.t2.compress());
    buf.extend_from_slice(&init.domain.to_be_bytes());
    buf.extend_from_slice(&(ph.len() as u64).to_be_bytes());
    cs.hash_to_scalar(&[&buf, ph], &h2s_dst(cs))
}

/// CoreProofGen with the given random scalars `(r1, r2, e~, r1~, r3~, m~_j1, ..., m~_jU)`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn core_proof_gen(
    cs: Ciphersuite,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    ph: &[u8],
    messages: &[Scalar],
    disclosed_indexes: &[usize],
    random: &[Scalar],
) -> Result<Proof, Error> {
    let l = messages.len();
    check_indexes(disclosed_indexes, l)?;
    let u = l - disclosed_indexes.len();
    let [r1, r2, e_t, r1_t, r3_t, m_t @ ..] = random else {
        return Err(Error::Crypto("too few random scalars"));
    };
    if m_t.len() != u {
        return Err(Error::Crypto(
            "random scalar count does not match the undisclosed messages",
        ));
    }
    let gens = generators(cs, l)?;

    // ProofInit
    let domain = calculate_domain(cs, pk, &gens, l, header)?;
    let mut b_s = b_scalars(&domain, messages);
    let b = gens.msm(&b_s);
    let d = b.mul(r2);
    let abar = G1::from_affine(&sig.a).mul(&r1.mul(r2));
    let bbar = d.mul(r1).add(&abar.mul(&sig.e).neg());
    let t1 = abar.mul(e_t).add(&d.mul(r1_t));
    // T2 = D * r3~ + sum over undisclosed j of H_j * m~_j: the generator part is one
    // fixed-base sum over [P1, Q_1, H_1..H_L] with zero where nothing is added.
    let mut t2_s = vec![Scalar::ZERO; l + 2];
    let mut disclosed = disclosed_indexes.iter().peekable();
    let mut undisclosed_msgs: Vec<Scalar> = Vec::with_capacity(u);
    let mut m_t_iter = m_t.iter();
    for (i, (slot, msg)) in t2_s.iter_mut().skip(2).zip(messages).enumerate() {
        if disclosed.peek() == Some(&&i) {
            disclosed.next();
        } else if let Some(m) = m_t_iter.next() {
            *slot = *m;
            undisclosed_msgs.push(*msg);
        }
    }
    let t2 = d.mul(r3_t).add(&gens.msm(&t2_s));
    t2_s.iter_mut().for_each(Zeroize::zeroize);
    b_s.iter_mut().for_each(Zeroize::zeroize);
    let init = InitResult {
        abar: abar.to_affine(),
        bbar: bbar.to_affine(),
        d: d.to_affine(),
        t1,
        t2,
        domain,
    };
    if init.abar.is_identity() || init.bbar.is_identity() || init.d.is_identity() {
        return Err(Error::Crypto("proof point is the identity"));
    }
    let disclosed_msgs: Vec<Scalar> = disclosed_indexes
        .iter()
        .filter_map(|&i| messages.get(i).copied())
        .collect();
    let c = challenge(cs, &init, disclosed_indexes, &disclosed_msgs, ph)?;

    // ProofFinalize
    let r3 = r2.invert().ok_or(Error::Crypto("r2 is zero"))?;
    let e_hat = e_t.add(&sig.e.mul(&c));
    let r1_hat = r1_t.sub(&r1.mul(&c));
    let r3_hat = r3_t.sub(&r3.mul(&c));
    let m_hat: Vec<Scalar> = m_t
        .iter()
        .zip(&undisclosed_msgs)
        .map(|(mt, m)| mt.add(&m.mul(&c)))
        .collect();
    undisclosed_msgs.iter_mut().for_each(Zeroize::zeroize);
    Ok(Proof {
        abar: init.abar,
        bbar: init.bbar,
        d: init.d,
        e_hat,
        r1_hat,
        r3_hat,
        m_hat,
        c,
    })
}

/// CoreProofVerify.
pub(crate) fn core_proof_verify(
    cs: Ciphersuite,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    ph: &[u8],
    disclosed_messages: &[Scalar],
    disclosed_indexes: &[usize],
) -> Result<bool, Error> {
    let u = proof.m_hat.len();
    let r = disclosed_indexes.len();
    if disclosed_messages.len() != r {
        return Err(Error::MessageCount {
            expected: r,
            actual: disclosed_messages.len(),
        });
    }
    let l = r + u;
    check_indexes(disclosed_indexes, l)?;
    let gens = generators(cs, l)?;

    // ProofVerifyInit
    let domain = calculate_domain(cs, pk, &gens, l, header)?;
    let c = &proof.c;
    let t1 = msm(
        &[proof.bbar, proof.abar, proof.d],
        &[*c, proof.e_hat, proof.r1_hat],
    );
    // T2 = Bv * c + D * r3^ + sum(H_j * m^_j)
    //    = P1 * c + Q_1 * (domain * c) + sum_disclosed(H_i * (msg_i * c)) + sum_undisclosed(H_j * m^_j) + D * r3^
    let mut t2_s = Vec::with_capacity(l + 2);
    t2_s.push(*c);
    t2_s.push(domain.mul(c));
    let mut disclosed = disclosed_indexes.iter().zip(disclosed_messages).peekable();
    let mut m_hat = proof.m_hat.iter();
    for i in 0..l {
        let s = match disclosed.peek() {
            Some((di, msg)) if **di == i => {
                let s = msg.mul(c);
                disclosed.next();
                s
            }
            _ => *m_hat
                .next()
                .ok_or(Error::Crypto("commitment count mismatch"))?,
        };
        t2_s.push(s);
    }
    let t2 = gens
        .msm(&t2_s)
        .add(&G1::from_affine(&proof.d).mul(&proof.r3_hat));
    let init = InitResult {
        abar: proof.abar,
        bbar: proof.bbar,
        d: proof.d,
        t1,
        t2,
        domain,
    };
    let expected = challenge(cs, &init, disclosed_indexes, disclosed_messages, ph)?;
    if expected != *c {
        return Ok(false);
    }
    // h(Abar, W) * h(Bbar, -BP2) == 1  <=>  h(Abar, W) * h(-Bbar, BP2) == 1
    let neg_bbar = G1::from_affine(&proof.bbar).neg().to_affine();
    Ok(pairing_check(
        &proof.abar,
        pk.point(),
        &neg_bbar,
        bp2_prepared(),
    ))
}
