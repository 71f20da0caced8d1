//! Generators (draft section "Generators Calculation"), computed once per ciphersuite and
//! cached with fixed-base tables.
//!
//! The sequence `Q_1, H_1, H_2, ...` is prefix-stable (generator `i` does not depend on how
//! many are requested), so one growing list per ciphersuite serves every message count. The
//! cache holds `[P1, Q_1, H_1, ..., H_n]` so that `B = P1 + Q_1 * domain + sum(H_i * msg_i)`
//! and the proof's `T2` are each a single multi-scalar multiplication over a prefix.

use crate::BbsError;
use std::sync::{Arc, Mutex, PoisonError};

use super::curve::{FixedBaseTable, G1, G1_LEN, G1Affine, Scalar, msm};
use super::suite::{Ciphersuite, EXPAND_LEN};
use crate::Error;

/// Most messages one signature may carry. Generators and their tables are kept in memory
/// for the largest count seen, so the limit bounds that memory.
pub const MAX_MESSAGES: usize = 4096;

/// Window of the fixed-base tables: 2^(w-1) precomputed points of 96 bytes per generator.
const TABLE_WBITS: usize = 8;
/// Generators (counting P1 and Q_1) covered by fixed-base tables; later ones use Pippenger.
const TABLE_MAX_POINTS: usize = 258;

/// `P1, Q_1, H_1..H_n` of one ciphersuite, with the state to extend the list.
#[derive(Debug)]
pub(crate) struct Generators {
    /// `[P1, Q_1, H_1, ..., H_n]`.
    points: Vec<G1Affine>,
    /// The same points compressed, for hashing the domain without re-encoding them.
    compressed: Vec<[u8; G1_LEN]>,
    table: FixedBaseTable,
    /// The running `v` of create_generators, to extend the list without starting over.
    v: [u8; EXPAND_LEN],
}

impl Generators {
    /// Number of message generators `H_i` available.
    pub(crate) fn message_count(&self) -> usize {
        self.points.len().saturating_sub(2)
    }

    /// `[P1, Q_1, H_1, ..., H_n]`, compressed.
    pub(crate) fn compressed(&self) -> &[[u8; G1_LEN]] {
        &self.compressed
    }

    /// `[P1, Q_1, H_1, ..., H_n]`.
    pub(crate) fn all(&self) -> &[G1Affine] {
        &self.points
    }

    /// `sum(G_i * scalars[i])` over `[P1, Q_1, H_1, ...]`, for `scalars.len() <= points`.
    pub(crate) fn msm(&self, scalars: &[Scalar]) -> G1 {
        let in_table = scalars.len().min(self.table.len());
        let head = self.table.msm(scalars.get(..in_table).unwrap_or(&[]));
        match (self.points.get(in_table..), scalars.get(in_table..)) {
            (Some(points), Some(rest)) if !rest.is_empty() => head.add(&msm(points, rest)),
            _ => head,
        }
    }
}

/// Which generator sequence: the `api_id` that seeds `Q_1, H_1, ...` (draft
/// "Generators Calculation"). `P1` is the ciphersuite's constant in every set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum GeneratorSet {
    /// The BBS Signatures Interface: `ciphersuite_id || "H2G_HM2S_"`.
    Signatures,
    /// The Blind BBS Interface: `ciphersuite_id || "BLIND_H2G_HM2S_"`.
    Blind,
    /// The blind generators `Q_2, J_1, ...` of the Blind BBS Interface:
    /// `"BLIND_" || ciphersuite_id || "BLIND_H2G_HM2S_"`.
    BlindCommitted,
    /// The pseudonym Interface of draft-irtf-cfrg-bbs-per-verifier-linkability-01:
    /// `ciphersuite_id || "H2G_HM2S_PSEUDONYM_"`.
    Pseudonym,
    /// The blind generators of that Interface: `"BLIND_" || ciphersuite_id || "H2G_HM2S_PSEUDONYM_"`.
    PseudonymCommitted,
}

impl GeneratorSet {
    /// The `api_id` whose seeds create this sequence.
    pub(crate) fn api_id(self, cs: Ciphersuite) -> &'static [u8] {
        use Ciphersuite::{Bls12381Sha256 as Sha, Bls12381Shake256 as Shake};
        match (self, cs) {
            (GeneratorSet::Signatures, _) => cs.api_id(),
            (GeneratorSet::Blind, Sha) => b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_BLIND_H2G_HM2S_",
            (GeneratorSet::Blind, Shake) => b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_BLIND_H2G_HM2S_",
            (GeneratorSet::BlindCommitted, Sha) => {
                b"BLIND_BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_BLIND_H2G_HM2S_"
            }
            (GeneratorSet::BlindCommitted, Shake) => {
                b"BLIND_BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_BLIND_H2G_HM2S_"
            }
            (GeneratorSet::Pseudonym, Sha) => {
                b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_PSEUDONYM_"
            }
            (GeneratorSet::Pseudonym, Shake) => {
                b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_H2G_HM2S_PSEUDONYM_"
            }
            (GeneratorSet::PseudonymCommitted, Sha) => {
                b"BLIND_BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_PSEUDONYM_"
            }
            (GeneratorSet::PseudonymCommitted, Shake) => {
                b"BLIND_BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_H2G_HM2S_PSEUDONYM_"
            }
        }
    }
}

type Cache = Mutex<Option<Arc<Generators>>>;

fn state(cs: Ciphersuite, set: GeneratorSet) -> &'static Cache {
    const SETS: usize = 5;
    static SHA: [Cache; SETS] = [const { Mutex::new(None) }; SETS];
    static SHAKE: [Cache; SETS] = [const { Mutex::new(None) }; SETS];
    let caches = match cs {
        Ciphersuite::Bls12381Sha256 => &SHA,
        Ciphersuite::Bls12381Shake256 => &SHAKE,
    };
    let [
        signatures,
        blind,
        blind_committed,
        pseudonym,
        pseudonym_committed,
    ] = caches;
    match set {
        GeneratorSet::Signatures => signatures,
        GeneratorSet::Blind => blind,
        GeneratorSet::BlindCommitted => blind_committed,
        GeneratorSet::Pseudonym => pseudonym,
        GeneratorSet::PseudonymCommitted => pseudonym_committed,
    }
}

/// The cached generators of `cs` with at least `messages` message generators.
pub(crate) fn generators(cs: Ciphersuite, messages: usize) -> Result<Arc<Generators>, Error> {
    generators_of(cs, GeneratorSet::Signatures, messages)
}

/// The cached generators `[P1, Q_1, H_1, ...]` of `set` with at least `messages` message
/// generators `H_i`.
pub(crate) fn generators_of(
    cs: Ciphersuite,
    set: GeneratorSet,
    messages: usize,
) -> Result<Arc<Generators>, Error> {
    if messages > MAX_MESSAGES {
        return Err(Error::Bbs(BbsError::TooManyMessages {
            count: messages,
            limit: MAX_MESSAGES,
        }));
    }
    let mut guard = state(cs, set)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(g) = guard.as_ref()
        && g.message_count() >= messages
    {
        return Ok(Arc::clone(g));
    }
    // Grow geometrically so that a run of increasing counts does not rebuild each time.
    let have = guard.as_ref().map_or(0, |g| g.message_count());
    let target = messages.max(have.saturating_mul(2)).clamp(16, MAX_MESSAGES);
    let extended = Arc::new(match guard.as_ref() {
        Some(g) => extend(cs, set, g, target)?,
        None => {
            let empty = start(cs, set)?;
            extend(cs, set, &empty, target)?
        }
    });
    *guard = Some(Arc::clone(&extended));
    Ok(extended)
}

/// `[P1, Q_1]` of `set` with its table.
fn start(cs: Ciphersuite, set: GeneratorSet) -> Result<Generators, Error> {
    // P1: create_generators(1) of the BBS Signatures Interface with generator_seed =
    // api_id || "BP_MESSAGE_GENERATOR_SEED"; a constant of the ciphersuite in every set.
    let api_id = cs.api_id();
    let seed_dst = [api_id, b"SIG_GENERATOR_SEED_"].concat();
    let generator_dst = [api_id, b"SIG_GENERATOR_DST_"].concat();
    let p1_seed = [api_id, b"BP_MESSAGE_GENERATOR_SEED"].concat();
    let mut v = [0u8; EXPAND_LEN];
    cs.expand_message(&[&p1_seed], &seed_dst, &mut v)?;
    let p1 = next_generator(cs, &mut v, 1, &seed_dst, &generator_dst)?;
    // Q_1 starts the message-generator sequence of the set's api_id.
    let api_id = set.api_id(cs);
    let seed_dst = [api_id, b"SIG_GENERATOR_SEED_"].concat();
    let generator_dst = [api_id, b"SIG_GENERATOR_DST_"].concat();
    let seed = [api_id, b"MESSAGE_GENERATOR_SEED"].concat();
    cs.expand_message(&[&seed], &seed_dst, &mut v)?;
    let q1 = next_generator(cs, &mut v, 1, &seed_dst, &generator_dst)?;
    let points = vec![p1, q1];
    let compressed = points.iter().map(G1Affine::compress).collect();
    let mut table = FixedBaseTable::new(TABLE_WBITS);
    table.extend(&points);
    Ok(Generators {
        points,
        compressed,
        table,
        v,
    })
}

/// A copy of `g` (of `set`) extended to `target` message generators.
fn extend(
    cs: Ciphersuite,
    set: GeneratorSet,
    g: &Generators,
    target: usize,
) -> Result<Generators, Error> {
    let api_id = set.api_id(cs);
    let seed_dst = [api_id, b"SIG_GENERATOR_SEED_"].concat();
    let generator_dst = [api_id, b"SIG_GENERATOR_DST_"].concat();
    let mut v = g.v;
    let mut points = g.points.clone();
    let first_new = points.len();
    // Counter i of create_generators: Q_1 is i = 1, so H_k is i = k + 1 = index in `points`.
    while points.len() < target + 2 {
        let i = points.len() as u64;
        points.push(next_generator(cs, &mut v, i, &seed_dst, &generator_dst)?);
    }
    let mut compressed = g.compressed.clone();
    compressed.extend(points.iter().skip(first_new).map(G1Affine::compress));
    let mut table = g.table.clone();
    let table_end = points.len().min(TABLE_MAX_POINTS);
    if let Some(new) = points.get(first_new.min(table_end)..table_end) {
        table.extend(new);
    }
    Ok(Generators {
        points,
        compressed,
        table,
        v,
    })
}

/// One step of create_generators: `v = expand_message(v || I2OSP(i, 8), seed_dst)`,
/// `generator_i = hash_to_curve_g1(v, generator_dst)`.
fn next_generator(
    cs: Ciphersuite,
    v: &mut [u8; EXPAND_LEN],
    i: u64,
    seed_dst: &[u8],
    generator_dst: &[u8],
) -> Result<G1Affine, Error> {
    let prev = *v;
    cs.expand_message(&[&prev, &i.to_be_bytes()], seed_dst, v)?;
    Ok(cs.hash_to_curve(v, generator_dst)?.to_affine())
}

/// `create_generators(count, api_id)` as the draft defines it: `Q_1, H_1, ...`, `count` in all.
pub(crate) fn create_generators(cs: Ciphersuite, count: usize) -> Result<Vec<G1Affine>, Error> {
    create_generators_of(cs, GeneratorSet::Signatures, count)
}

/// `create_generators(count, api_id)` for the `api_id` of `set`: `Q_1, H_1, ...`, `count` in all.
pub(crate) fn create_generators_of(
    cs: Ciphersuite,
    set: GeneratorSet,
    count: usize,
) -> Result<Vec<G1Affine>, Error> {
    let g = generators_of(cs, set, count.saturating_sub(1))?;
    Ok(g.all().iter().skip(1).take(count).copied().collect())
}

/// The ciphersuite's fixed point `P1`.
pub(crate) fn p1(cs: Ciphersuite) -> Result<G1Affine, Error> {
    let g = generators(cs, 0)?;
    g.all()
        .first()
        .copied()
        .ok_or(Error::Crypto("generator cache is empty"))
}
