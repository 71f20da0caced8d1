//! Merkle tree hashing and proofs of [RFC 9162 §2.1](https://www.rfc-editor.org/rfc/rfc9162#section-2.1)
//! (the same as RFC 6962 §2.1): leaves `SHA-256(0x00 || entry)`, nodes
//! `SHA-256(0x01 || left || right)`, the tree of `n` leaves split at the largest power of two
//! below `n`.
//!
//! In the order of the RFC: the tree head (§2.1.1), inclusion proofs made (§2.1.3.1) and
//! verified (§2.1.3.2), consistency proofs made (§2.1.4.1) and verified (§2.1.4.2). Proofs
//! are made from any [`HashSource`] (the leaf hashes in memory, or tiles); verification needs
//! only the proof.

use sha2::{Digest, Sha256};

/// A SHA-256 hash: a leaf, a node or a tree head.
pub type Hash = [u8; 32];

/// Longest proof accepted: a tree of 2^64 leaves needs 64 hashes (inclusion) or 128
/// (consistency); anything longer is not a proof.
pub const MAX_PROOF_HASHES: usize = 130;

/// Why a proof does not verify, or cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not inside the tree.
    #[error("leaf index {index} is not inside a tree of {size} leaves")]
    IndexOutOfRange {
        /// The index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The first tree is larger than the second.
    #[error("the first tree ({first} leaves) is larger than the second ({second})")]
    SizesReversed {
        /// The first size.
        first: u64,
        /// The second size.
        second: u64,
    },
    /// A consistency proof from the empty tree proves nothing.
    #[error("a consistency proof from the empty tree proves nothing")]
    FromEmptyTree,
    /// The proof has the wrong number of hashes for these sizes.
    #[error("the proof has the wrong number of hashes for these tree sizes")]
    WrongLength,
    /// The proof leads to another root than the one given.
    #[error("the proof does not lead to the given root")]
    RootMismatch,
    /// The hash source lacks a hash the proof needs.
    #[error("a hash the proof needs is not available")]
    Unavailable,
}

/// The hash of an entry as a leaf: `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256("")`.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Where a proof's hashes come from: the hash of the complete or partial subtree of the
/// leaves `start..end`.
pub trait HashSource {
    /// The hash of the leaves `start..end` (`start < end`), computed as the RFC's MTH over
    /// them; `None` when not available.
    fn subtree(&self, start: u64, end: u64) -> Option<Hash>;
}

/// Leaf hashes held in memory.
impl HashSource for [Hash] {
    fn subtree(&self, start: u64, end: u64) -> Option<Hash> {
        let (s, e) = (usize::try_from(start).ok()?, usize::try_from(end).ok()?);
        let leaves = self.get(s..e)?;
        Some(mth(leaves))
    }
}

/// §2.1.1: the Merkle Tree Hash of `leaves` (their leaf hashes).
pub fn mth(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [one] => *one,
        _ => {
            let k = usize::try_from(split(leaves.len() as u64)).unwrap_or(leaves.len() / 2);
            let (l, r) = leaves.split_at(k);
            node_hash(&mth(l), &mth(r))
        }
    }
}

/// §2.1.3.1: the inclusion proof of leaf `index` in the tree of the first `size` leaves.
pub fn inclusion_proof<S: HashSource + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut proof = Vec::new();
    path(source, index, 0, size, &mut proof)?;
    Ok(proof)
}

/// PATH(m, D[start..end]) with `m` relative to `start`, appended bottom-up.
fn path<S: HashSource + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(source, m, start, start + k, out)?;
        out.push(
            source
                .subtree(start + k, end)
                .ok_or(ProofError::Unavailable)?,
        );
    } else {
        path(source, m - k, start + k, end, out)?;
        out.push(
            source
                .subtree(start, start + k)
                .ok_or(ProofError::Unavailable)?,
        );
    }
    Ok(())
}

/// §2.1.3.2: the root an inclusion proof of `leaf` at `index` leads to in a tree of `size`.
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    if proof.len() > MAX_PROOF_HASHES {
        return Err(ProofError::WrongLength);
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    Ok(r)
}

/// §2.1.3.2: whether `proof` shows `leaf` at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion(index, size, leaf, proof)?;
    if bool::from(subtle::ConstantTimeEq::ct_eq(&computed[..], &root[..])) {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// §2.1.4.1: the consistency proof between the trees of the first `first` and `second`
/// leaves (`0 < first <= second`).
pub fn consistency_proof<S: HashSource + ?Sized>(
    source: &S,
    first: u64,
    second: u64,
) -> Result<Vec<Hash>, ProofError> {
    if first > second {
        return Err(ProofError::SizesReversed { first, second });
    }
    if first == 0 {
        return Err(ProofError::FromEmptyTree);
    }
    let mut proof = Vec::new();
    subproof(source, first, 0, second, true, &mut proof)?;
    Ok(proof)
}

/// SUBPROOF(m, D[start..end], b), appended bottom-up.
fn subproof<S: HashSource + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    whole: bool,
    out: &mut Vec<Hash>,
) -> Result<(), ProofError> {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(source.subtree(start, end).ok_or(ProofError::Unavailable)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(source, m, start, start + k, whole, out)?;
        out.push(
            source
                .subtree(start + k, end)
                .ok_or(ProofError::Unavailable)?,
        );
    } else {
        subproof(source, m - k, start + k, end, false, out)?;
        out.push(
            source
                .subtree(start, start + k)
                .ok_or(ProofError::Unavailable)?,
        );
    }
    Ok(())
}

/// §2.1.4.2: whether `proof` shows the tree of `second` leaves with `second_root` extends the
/// tree of `first` leaves with `first_root`. Equal sizes need an empty proof and equal roots;
/// a proof from the empty tree is refused (it proves nothing).
pub fn verify_consistency(
    first: u64,
    second: u64,
    first_root: &Hash,
    second_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if first > second {
        return Err(ProofError::SizesReversed { first, second });
    }
    if first == 0 {
        return Err(ProofError::FromEmptyTree);
    }
    let equal = |a: &Hash, b: &Hash| bool::from(subtle::ConstantTimeEq::ct_eq(&a[..], &b[..]));
    if first == second {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if equal(first_root, second_root) {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() || proof.len() > MAX_PROOF_HASHES {
        return Err(ProofError::WrongLength);
    }
    // When the first tree is a complete subtree of the second, its root is the path's start.
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if first.is_power_of_two() {
        path.push(*first_root);
    }
    path.extend_from_slice(proof);
    let (mut f, mut s) = (first - 1, second - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let Some((start, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength);
    };
    let (mut fr, mut sr) = (*start, *start);
    for c in rest {
        if s == 0 {
            return Err(ProofError::WrongLength);
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(ProofError::WrongLength);
    }
    if equal(&fr, first_root) && equal(&sr, second_root) {
        Ok(())
    } else {
        Err(ProofError::RootMismatch)
    }
}

/// The right edge of a tree (a "compact range" from 0): one hash per perfect subtree, largest
/// first, as the binary digits of the size say. Enough to extend the tree leaf by leaf and
/// compute each new root, so a follower that keeps it authenticates every new entry against
/// the next signed root without trusting any stored tile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    /// `(height, hash)`: subtrees of `2^height` leaves, left to right.
    nodes: Vec<(u8, Hash)>,
}

impl Frontier {
    /// The frontier of the empty tree.
    pub fn new() -> Frontier {
        Frontier::default()
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Add one leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u8, leaf);
        while let Some(&(h, left)) = self.nodes.last() {
            if h != node.0 {
                break;
            }
            self.nodes.pop();
            node = (h + 1, node_hash(&left, &node.1));
        }
        self.nodes.push(node);
        self.size += 1;
    }

    /// The root of the tree so far (§2.1.1: the subtrees folded from the right).
    pub fn root(&self) -> Hash {
        let mut iter = self.nodes.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return empty_root();
        };
        for (_, left) in iter {
            acc = node_hash(left, &acc);
        }
        acc
    }

    /// The subtree hashes, left to right (as many as the size has one bits).
    pub fn hashes(&self) -> Vec<Hash> {
        self.nodes.iter().map(|&(_, h)| h).collect()
    }

    /// The frontier of a tree of `size` leaves from its subtree hashes (as
    /// [`Frontier::hashes`] gives them); `None` when their number does not fit the size.
    pub fn from_hashes(size: u64, hashes: &[Hash]) -> Option<Frontier> {
        let heights: Vec<u8> = (0..64u8).rev().filter(|&b| size >> b & 1 == 1).collect();
        if heights.len() != hashes.len() {
            return None;
        }
        Some(Frontier {
            size,
            nodes: heights.into_iter().zip(hashes.iter().copied()).collect(),
        })
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn every_proof_made_verifies_and_a_changed_one_does_not() {
        let all = leaves(70);
        for size in 1..=70u64 {
            let root = mth(&all[..usize::try_from(size).unwrap()]);
            for index in 0..size {
                let proof = inclusion_proof(&all[..], index, size).unwrap();
                verify_inclusion(
                    index,
                    size,
                    &all[usize::try_from(index).unwrap()],
                    &proof,
                    &root,
                )
                .unwrap();
                let leaf = &all[usize::try_from(index).unwrap()];
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    bad[0][0] ^= 1;
                    assert_eq!(
                        verify_inclusion(index, size, leaf, &bad, &root),
                        Err(ProofError::RootMismatch)
                    );
                }
            }
            for first in 1..=size {
                let old = mth(&all[..usize::try_from(first).unwrap()]);
                let proof = consistency_proof(&all[..], first, size).unwrap();
                verify_consistency(first, size, &old, &root, &proof).unwrap();
                if first < size {
                    let mut bad = proof.clone();
                    let last = bad.len() - 1;
                    bad[last][31] ^= 1;
                    assert_eq!(
                        verify_consistency(first, size, &old, &root, &bad),
                        Err(ProofError::RootMismatch)
                    );
                }
            }
        }
    }

    #[test]
    fn the_rfc_shapes() {
        // The empty tree's root is SHA-256 of nothing; a tree of one leaf is its leaf.
        assert_eq!(
            hex::encode(empty_root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let l = leaves(1);
        assert_eq!(mth(&l), l[0]);
        assert_eq!(split(2), 1);
        assert_eq!(split(8), 4);
        assert_eq!(split(9), 8);
        assert_eq!(
            verify_consistency(0, 3, &empty_root(), &empty_root(), &[]),
            Err(ProofError::FromEmptyTree)
        );
        assert!(matches!(
            inclusion_proof(&l[..], 1, 1),
            Err(ProofError::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn frontier_gives_every_root_and_round_trips() {
        let leaves: Vec<Hash> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for (n, leaf) in leaves.iter().enumerate() {
            f.push(*leaf);
            assert_eq!(f.root(), mth(&leaves[..=n]), "size {}", n + 1);
            let back = Frontier::from_hashes(f.size(), &f.hashes()).unwrap();
            assert_eq!(back, f);
        }
        assert!(Frontier::from_hashes(300, &[empty_root()]).is_none());
    }
}
