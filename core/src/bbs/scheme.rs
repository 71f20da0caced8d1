//! The draft's core operations on scalar messages, in the order of its section "Core
//! Operations" and "Proof Protocol Subroutines".
//! <https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-bbs-signatures#name-core-operations>

use crate::BbsError;
use std::sync::{Arc, OnceLock};

use zeroize::Zeroize;

use super::curve::{G1, G1Affine, G2Prepared, Scalar, msm, pairing_check};
use super::generators::{GeneratorSet, Generators, MAX_MESSAGES, generators, generators_of};
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

/// The generators of one signature in the draft's order, with the `api_id` of the Interface
/// that uses them: `[P1, Q_1, H_1, ..., H_L]`, followed for the blind Interfaces by the blind
/// generators `Q_2, J_1, ..., J_(K-1)` (the draft's `generators.append(blind_generators)`).
/// Both parts are prefixes of cached lists with fixed-base tables.
pub(crate) struct Layout {
    api_id: &'static [u8],
    main: Arc<Generators>,
    l: usize,
    /// The blind generators' cache (`[P1, Q_2, J_1, ...]`) and how many of them are used.
    blind: Option<(Arc<Generators>, usize)>,
}

impl Layout {
    /// The BBS Signatures Interface with `l` messages.
    pub(crate) fn signatures(cs: Ciphersuite, l: usize) -> Result<Self, Error> {
        Ok(Layout {
            api_id: cs.api_id(),
            main: generators(cs, l)?,
            l,
            blind: None,
        })
    }

    /// The Interface of `set` with `l` signer messages and `k` blind generators
    /// (`Q_2, J_1, ..., J_(k-1)` of `blind_set`).
    pub(crate) fn with_blind(
        cs: Ciphersuite,
        set: GeneratorSet,
        blind_set: GeneratorSet,
        l: usize,
        k: usize,
    ) -> Result<Self, Error> {
        let total = l.saturating_add(k);
        if total > MAX_MESSAGES {
            return Err(Error::Bbs(BbsError::TooManyMessages {
                count: total,
                limit: MAX_MESSAGES,
            }));
        }
        Ok(Layout {
            api_id: set.api_id(cs),
            main: generators_of(cs, set, l)?,
            l,
            blind: Some((generators_of(cs, blind_set, k.saturating_sub(1))?, k)),
        })
    }

    /// `api_id || "H2S_"`.
    pub(crate) fn h2s_dst(&self) -> Vec<u8> {
        [self.api_id, b"H2S_"].concat()
    }

    /// Number of signed messages: `L` plus the blind generators used.
    pub(crate) fn message_count(&self) -> usize {
        self.l + self.blind.as_ref().map_or(0, |(_, k)| *k)
    }

    /// The blind generators used, compressed.
    pub(crate) fn blind_compressed(&self) -> &[[u8; 48]] {
        match &self.blind {
            Some((g, k)) => g.compressed().get(1..1 + k).unwrap_or(&[]),
            None => &[],
        }
    }

    /// `sum(G_i * scalars[i])` over `[P1, Q_1, H_1..H_L, Q_2, J_1, ...]`; `scalars` may be
    /// shorter than the list.
    pub(crate) fn msm(&self, scalars: &[Scalar]) -> G1 {
        let split = (2 + self.l).min(scalars.len());
        let (head, tail) = scalars.split_at(split);
        let sum = self.main.msm(head);
        match &self.blind {
            Some((g, _)) if !tail.is_empty() => {
                // The blind cache starts with P1, which takes no part here.
                let mut s = Vec::with_capacity(tail.len() + 1);
                s.push(Scalar::ZERO);
                s.extend_from_slice(tail);
                let blind = g.msm(&s);
                s.iter_mut().for_each(Zeroize::zeroize);
                sum.add(&blind)
            }
            _ => sum,
        }
    }

    /// calculate_domain (draft "Domain Calculation") over every generator of the layout:
    /// `hash_to_scalar(PK || I2OSP(n, 8) || Q_1 || H_1..H_L || [Q_2 || J_1..] || api_id ||
    /// I2OSP(len(header), 8) || header)` with `n` the number of message generators.
    pub(crate) fn domain(
        &self,
        cs: Ciphersuite,
        pk: &PublicKey,
        header: &[u8],
    ) -> Result<Scalar, Error> {
        let q1 = self
            .main
            .compressed()
            .get(1)
            .ok_or(Error::Crypto("generators missing Q_1"))?;
        let hs = self.main.compressed().get(2..2 + self.l).ok_or(Error::Bbs(
            BbsError::MessageCount {
                expected: self.l,
                actual: self.main.message_count(),
            },
        ))?;
        let n = self.message_count();
        let n_bytes = (n as u64).to_be_bytes();
        let header_len = (header.len() as u64).to_be_bytes();
        let blind = self.blind_compressed();
        let mut parts: Vec<&[u8]> = Vec::with_capacity(n + 6);
        parts.push(pk.as_bytes());
        parts.push(&n_bytes);
        parts.push(q1);
        parts.extend(hs.iter().map(|h| h.as_slice()));
        parts.extend(blind.iter().map(|h| h.as_slice()));
        parts.push(self.api_id);
        parts.push(&header_len);
        parts.push(header);
        cs.hash_to_scalar(&parts, &self.h2s_dst())
    }
}

/// `[1, domain, msg_1, ..., msg_L]`: the scalars of `B = P1 + Q_1 * domain + sum(H_i * msg_i)`
/// over `[P1, Q_1, H_1, ..., H_L]`.
pub(crate) fn b_scalars(domain: &Scalar, messages: &[Scalar]) -> Vec<Scalar> {
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
    let layout = Layout::signatures(cs, l)?;
    let domain = layout.domain(cs, pk, header)?;
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
    let b = layout.msm(&b_s);
    b_s.iter_mut().for_each(Zeroize::zeroize);
    finalize_sign(sk, &b, e)
}

/// `A = B * (1 / (SK + e))`, the signature `(A, e)`.
pub(crate) fn finalize_sign(sk: &SecretKey, b: &G1, e: Scalar) -> Result<Signature, Error> {
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
    let layout = Layout::signatures(cs, messages.len())?;
    core_verify_with(cs, &layout, pk, sig, header, messages)
}

/// CoreVerify over the generators of `layout` (one message per generator).
pub(crate) fn core_verify_with(
    cs: Ciphersuite,
    layout: &Layout,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    messages: &[Scalar],
) -> Result<bool, Error> {
    if messages.len() != layout.message_count() {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: layout.message_count(),
            actual: messages.len(),
        }));
    }
    let domain = layout.domain(cs, pk, header)?;
    // -B = P1 * (-1) + Q_1 * (-domain) + sum(H_i * (-msg_i))
    let mut neg: Vec<Scalar> = b_scalars(&domain, messages)
        .iter()
        .map(Scalar::neg)
        .collect();
    let c = G1::from_affine(&sig.a).mul(&sig.e).add(&layout.msm(&neg));
    neg.iter_mut().for_each(Zeroize::zeroize);
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
            return Err(Error::Bbs(BbsError::Index { index: i, count: l }));
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

/// ProofChallengeCalculate; `extra` are the points an extension adds after `T2` (the
/// pseudonym draft's `pseudonym, OP, Ut`), none for plain BBS.
fn challenge(
    layout: &Layout,
    cs: Ciphersuite,
    init: &InitResult,
    extra: &[G1Affine],
    disclosed_indexes: &[usize],
    disclosed_messages: &[Scalar],
    ph: &[u8],
) -> Result<Scalar, Error> {
    let r = disclosed_indexes.len();
    let mut buf: Vec<u8> = Vec::with_capacity(8 + r * 40 + (5 + extra.len()) * 48 + 32 + 8);
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
    for p in extra {
        buf.extend_from_slice(&p.compress());
    }
    buf.extend_from_slice(&init.domain.to_be_bytes());
    buf.extend_from_slice(&(ph.len() as u64).to_be_bytes());
    cs.hash_to_scalar(&[&buf, ph], &layout.h2s_dst())
}

/// CoreProofGen with the given random scalars `(r1, r2, e~, r1~, r3~, m~_j1, ..., m~_jU)`.
#[expect(
    clippy::too_many_arguments,
    reason = "CoreProofGen's parameters plus the ciphersuite and the random scalars"
)]
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
    let layout = Layout::signatures(cs, messages.len())?;
    core_proof_gen_with(
        cs,
        &layout,
        pk,
        sig,
        header,
        ph,
        messages,
        disclosed_indexes,
        random,
        None,
    )
    .map(|(proof, _)| proof)
}

/// CoreProofGen over the generators of `layout`. With `nym_base = Some(OP)` it is the
/// pseudonym draft's CoreProofGenWithNym: the last message is the `nym_secret`, never
/// disclosed, and the pseudonym `OP * nym_secret` is returned beside the proof.
#[expect(
    clippy::too_many_arguments,
    reason = "CoreProofGen's parameters plus the ciphersuite, generator layout, random scalars and nym base"
)]
pub(crate) fn core_proof_gen_with(
    cs: Ciphersuite,
    layout: &Layout,
    pk: &PublicKey,
    sig: &Signature,
    header: &[u8],
    ph: &[u8],
    messages: &[Scalar],
    disclosed_indexes: &[usize],
    random: &[Scalar],
    nym_base: Option<&G1>,
) -> Result<(Proof, Option<G1Affine>), Error> {
    let l = messages.len();
    if l != layout.message_count() {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: layout.message_count(),
            actual: l,
        }));
    }
    check_indexes(disclosed_indexes, l)?;
    if nym_base.is_some()
        && let Some(&last) = disclosed_indexes.last().filter(|&&i| i + 1 == l)
    {
        return Err(Error::Bbs(BbsError::UndisclosableIndex { index: last }));
    }
    let u = l - disclosed_indexes.len();
    let [r1, r2, e_t, r1_t, r3_t, m_t @ ..] = random else {
        return Err(Error::Crypto("too few random scalars"));
    };
    if m_t.len() != u {
        return Err(Error::Crypto(
            "random scalar count does not match the undisclosed messages",
        ));
    }

    // ProofInit
    let domain = layout.domain(cs, pk, header)?;
    let mut b_s = b_scalars(&domain, messages);
    let b = layout.msm(&b_s);
    let d = b.mul(r2);
    let abar = G1::from_affine(&sig.a).mul(&r1.mul(r2));
    let bbar = d.mul(r1).add(&abar.mul(&sig.e).neg());
    let t1 = abar.mul(e_t).add(&d.mul(r1_t));
    // T2 = D * r3~ + sum over undisclosed j of H_j * m~_j: the generator part is one
    // fixed-base sum over the layout with zero where nothing is added.
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
    let t2 = d.mul(r3_t).add(&layout.msm(&t2_s));
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

    // PseudonymProofInit: pseudonym = OP * nym_secret, Ut = OP * m~ of the nym_secret.
    let mut extra = Vec::new();
    let mut pseudonym = None;
    if let Some(op) = nym_base {
        let (Some(nym_secret), Some(nym_t)) = (messages.last(), m_t.last()) else {
            return Err(Error::Bbs(BbsError::MessageCount {
                expected: 1,
                actual: 0,
            }));
        };
        let nym = op.mul(nym_secret);
        let ut = op.mul(nym_t);
        if nym.is_identity() || ut.is_identity() {
            return Err(Error::Crypto("pseudonym is the identity"));
        }
        let nym = nym.to_affine();
        extra = vec![nym, op.to_affine(), ut.to_affine()];
        pseudonym = Some(nym);
    }

    let disclosed_msgs: Vec<Scalar> = disclosed_indexes
        .iter()
        .filter_map(|&i| messages.get(i).copied())
        .collect();
    let c = challenge(
        layout,
        cs,
        &init,
        &extra,
        disclosed_indexes,
        &disclosed_msgs,
        ph,
    )?;

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
    Ok((
        Proof {
            abar: init.abar,
            bbar: init.bbar,
            d: init.d,
            e_hat,
            r1_hat,
            r3_hat,
            m_hat,
            c,
        },
        pseudonym,
    ))
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
    let l = disclosed_indexes.len() + proof.m_hat.len();
    let layout = Layout::signatures(cs, l)?;
    core_proof_verify_with(
        cs,
        &layout,
        pk,
        proof,
        header,
        ph,
        disclosed_messages,
        disclosed_indexes,
        None,
    )
}

/// CoreProofVerify over the generators of `layout`. With `nym = Some((pseudonym, OP))` it
/// is the pseudonym draft's CoreProofVerifyWithNym: the last message (the `nym_secret`) must
/// be undisclosed and the pseudonym's proof is checked with the same challenge.
#[expect(
    clippy::too_many_arguments,
    reason = "CoreProofVerify's parameters plus the ciphersuite, generator layout and pseudonym"
)]
pub(crate) fn core_proof_verify_with(
    cs: Ciphersuite,
    layout: &Layout,
    pk: &PublicKey,
    proof: &Proof,
    header: &[u8],
    ph: &[u8],
    disclosed_messages: &[Scalar],
    disclosed_indexes: &[usize],
    nym: Option<(&G1Affine, &G1)>,
) -> Result<bool, Error> {
    let u = proof.m_hat.len();
    let r = disclosed_indexes.len();
    if disclosed_messages.len() != r {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: r,
            actual: disclosed_messages.len(),
        }));
    }
    let l = r + u;
    if l != layout.message_count() {
        return Err(Error::Bbs(BbsError::MessageCount {
            expected: layout.message_count(),
            actual: l,
        }));
    }
    check_indexes(disclosed_indexes, l)?;
    if nym.is_some()
        && let Some(&last) = disclosed_indexes.last().filter(|&&i| i + 1 == l)
    {
        return Err(Error::Bbs(BbsError::UndisclosableIndex { index: last }));
    }

    // ProofVerifyInit
    let domain = layout.domain(cs, pk, header)?;
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
    let t2 = layout
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

    // PseudonymProofVerifyInit: Uv = OP * m^ of the nym_secret - pseudonym * c.
    let mut extra = Vec::new();
    if let Some((pseudonym, op)) = nym {
        let Some(nym_hat) = proof.m_hat.last() else {
            return Ok(false);
        };
        let op = op.to_affine();
        let uv = msm(&[op, *pseudonym], &[*nym_hat, c.neg()]);
        if uv.is_identity() {
            return Ok(false);
        }
        extra = vec![*pseudonym, op, uv.to_affine()];
    }

    let expected = challenge(
        layout,
        cs,
        &init,
        &extra,
        disclosed_indexes,
        disclosed_messages,
        ph,
    )?;
    if expected != *c {
        return Ok(false);
    }
    // h(Abar, W) * h(Bbar, -BP2) == 1  <=>  h(Abar, W) * h(-Bbar, BP2) == 1
    // Inside a batch (super::batch) the pairing equation is deferred and checked there for
    // all proofs at once.
    if super::batch::defer(&proof.abar, &proof.bbar, pk.point()) {
        return Ok(true);
    }
    let neg_bbar = G1::from_affine(&proof.bbar).neg().to_affine();
    Ok(pairing_check(
        &proof.abar,
        pk.point(),
        &neg_bbar,
        bp2_prepared(),
    ))
}

/// The prepared base point of G2 (shared with the batch check).
pub(crate) fn bp2() -> &'static G2Prepared {
    bp2_prepared()
}
