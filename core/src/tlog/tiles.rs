//! Tiles ([c2sp.org/tlog-tiles@v0.1.0](https://c2sp.org/tlog-tiles@v0.1.0)): the Merkle tree
//! served as static files. In the order of the specification: the paths
//! (`tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`, `<N>` in 3-digit `x`-prefixed
//! elements), the tiles of a tree (256 hashes wide; level 0 holds leaf hashes, level `l`
//! the roots of full level `l-1` tiles; the rightmost partial), and entry bundles (big-endian
//! `u16` length-prefixed entries).
//!
//! Tiles come from storage that is not trusted: [`TileHashes`] computes any subtree hash
//! from them for the proofs of [`super::merkle`], and nothing read from them is believed
//! until a proof made from them verifies against a signed checkpoint's root (a tampered tile
//! on the proof's path then makes it fail; [`TileHashes::root`] reads only the top tiles).

use super::merkle::{Hash, HashSource, mth};

/// Hashes in a full tile.
pub const TILE_WIDTH: u64 = 256;
/// The highest tile level (a tree of up to 2^63 leaves).
pub const MAX_TILE_LEVEL: u8 = 7;
/// Largest entry in a bundle (a `u16` length).
pub const MAX_ENTRY_LEN: usize = 65_535;

/// A tile's coordinates: its level, index and width (256 for a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    /// 0 for leaf hashes.
    pub level: u8,
    /// Its index within the level.
    pub index: u64,
    /// 1 to 256 hashes.
    pub width: u16,
}

/// The `<N>[.p/<W>]` part of a path.
fn index_path(index: u64, width: u16) -> String {
    let digits = format!("{index}");
    // Groups of three from the right, zero-padded, all but the last prefixed with x.
    let padded = format!("{:0>w$}", digits, w = digits.len().div_ceil(3) * 3);
    let groups: Vec<&str> = padded
        .as_bytes()
        .chunks(3)
        .map(|c| std::str::from_utf8(c).unwrap_or("000"))
        .collect();
    let mut out = String::new();
    for (i, g) in groups.iter().enumerate() {
        if i + 1 < groups.len() {
            out.push('x');
            out.push_str(g);
            out.push('/');
        } else {
            out.push_str(g);
        }
    }
    if width < 256 {
        out.push_str(&format!(".p/{width}"));
    }
    out
}

impl TileId {
    /// Its path under the log's prefix: `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, index_path(self.index, self.width))
    }

    /// The path of the entry bundle of a level-0 tile: `tile/entries/<N>[.p/<W>]`.
    pub fn entries_path(&self) -> String {
        format!("tile/entries/{}", index_path(self.index, self.width))
    }
}

/// The tiles of a tree of `size` leaves: at each level the full tiles, then a partial one
/// when the level's count is not a multiple of 256 (none for empty levels).
pub fn tiles_of(size: u64) -> Vec<TileId> {
    let mut out = Vec::new();
    let mut count = size; // hashes at this level
    let mut level = 0u8;
    while count > 0 && level <= MAX_TILE_LEVEL {
        for index in 0..count / TILE_WIDTH {
            out.push(TileId {
                level,
                index,
                width: 256,
            });
        }
        let rest = count % TILE_WIDTH;
        if rest > 0 {
            out.push(TileId {
                level,
                index: count / TILE_WIDTH,
                width: u16::try_from(rest).unwrap_or(256),
            });
        }
        count /= TILE_WIDTH;
        level += 1;
    }
    out
}

/// The hashes of tile `id` computed from all the leaf hashes of a tree (at least those the
/// tile covers).
pub fn tile_from_leaves(leaves: &[Hash], id: TileId) -> Option<Vec<Hash>> {
    let span = 1u64.checked_shl(8 * u32::from(id.level))?;
    (0..u64::from(id.width))
        .map(|i| {
            let start = (id.index * TILE_WIDTH + i).checked_mul(span)?;
            let (s, e) = (
                usize::try_from(start).ok()?,
                usize::try_from(start + span).ok()?,
            );
            Some(mth(leaves.get(s..e)?))
        })
        .collect()
}

/// A tile's bytes: its hashes concatenated.
pub fn tile_bytes(hashes: &[Hash]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.iter().copied()).collect()
}

/// Read a tile's bytes: exactly `width` hashes.
pub fn parse_tile(bytes: &[u8], width: u16) -> Option<Vec<Hash>> {
    if bytes.len() != usize::from(width) * 32 || width == 0 || width > 256 {
        return None;
    }
    bytes.chunks_exact(32).map(|c| c.try_into().ok()).collect()
}

/// An entry bundle: each entry as a big-endian `u16` length and its bytes.
pub fn bundle_bytes(entries: &[&[u8]]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len()).ok()?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    Some(out)
}

/// Read an entry bundle of `width` entries; `None` when truncated or with bytes left over.
pub fn parse_bundle(bytes: &[u8], width: u16) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::with_capacity(usize::from(width));
    let mut rest = bytes;
    while !rest.is_empty() {
        let (len, tail) = rest.split_at_checked(2)?;
        let len = usize::from(u16::from_be_bytes([*len.first()?, *len.get(1)?]));
        let (entry, tail) = tail.split_at_checked(len)?;
        out.push(entry.to_vec());
        rest = tail;
    }
    (out.len() == usize::from(width)).then_some(out)
}

/// Where [`TileHashes`] reads tiles from (a directory, a web server, memory): the bytes of
/// a tile, or `None` when missing. Not trusted.
pub trait TileReader {
    /// The bytes of tile `id`.
    fn read(&self, id: TileId) -> Option<Vec<u8>>;
}

/// Subtree hashes of a tree of `size` leaves, computed from its tiles (each read once and
/// kept). Every hash it gives comes from storage: verify each proof made from it against
/// the signed checkpoint's root before believing it.
pub struct TileHashes<'a> {
    reader: &'a dyn TileReader,
    size: u64,
    cache: std::cell::RefCell<std::collections::HashMap<TileId, Option<Vec<Hash>>>>,
}

impl std::fmt::Debug for TileHashes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileHashes")
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl<'a> TileHashes<'a> {
    /// The hashes of the tree of `size` leaves stored in `reader`.
    pub fn new(reader: &'a dyn TileReader, size: u64) -> TileHashes<'a> {
        TileHashes {
            reader,
            size,
            cache: std::cell::RefCell::new(std::collections::HashMap::new()),
        }
    }

    /// The tree size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The tree's root as its tiles give it.
    pub fn root(&self) -> Option<Hash> {
        if self.size == 0 {
            return Some(super::merkle::empty_root());
        }
        self.subtree(0, self.size)
    }

    /// Hash `position` of level `level` (the root of an aligned subtree of 256^level
    /// leaves), read from the tile that holds it in this tree.
    fn stored(&self, level: u8, position: u64) -> Option<Hash> {
        let index = position / TILE_WIDTH;
        let count = self.size >> (8 * u32::from(level));
        let width = if (index + 1) * TILE_WIDTH <= count {
            256
        } else {
            u16::try_from(count % TILE_WIDTH).ok()?
        };
        if width == 0 {
            return None;
        }
        let id = TileId {
            level,
            index,
            width,
        };
        let mut cache = self.cache.borrow_mut();
        let tile = cache
            .entry(id)
            .or_insert_with(|| parse_tile(&self.reader.read(id)?, width));
        tile.as_ref()?
            .get(usize::try_from(position % TILE_WIDTH).ok()?)
            .copied()
    }

    /// The root of the aligned subtree of `2^height` leaves starting at `index * 2^height`.
    fn aligned(&self, height: u32, index: u64) -> Option<Hash> {
        let level = u8::try_from(height / 8).ok()?;
        let r = height % 8;
        if r == 0 {
            return self.stored(level, index);
        }
        let first = index.checked_shl(r)?;
        let hashes: Option<Vec<Hash>> = (first..first + (1u64 << r))
            .map(|p| self.stored(level, p))
            .collect();
        Some(mth(&hashes?))
    }
}

impl HashSource for TileHashes<'_> {
    fn subtree(&self, start: u64, end: u64) -> Option<Hash> {
        if start >= end || end > self.size {
            return None;
        }
        let n = end - start;
        if n.is_power_of_two() && start.is_multiple_of(n) {
            return self.aligned(n.trailing_zeros(), start / n);
        }
        let k = if n >= 2 {
            1u64 << (63 - (n - 1).leading_zeros())
        } else {
            1
        };
        Some(super::merkle::node_hash(
            &self.subtree(start, start + k)?,
            &self.subtree(start + k, end)?,
        ))
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
    use crate::tlog::merkle::{
        consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
    };
    use std::collections::HashMap;

    struct Memory(HashMap<TileId, Vec<u8>>);

    impl TileReader for Memory {
        fn read(&self, id: TileId) -> Option<Vec<u8>> {
            self.0.get(&id).cloned()
        }
    }

    fn store(leaves: &[Hash]) -> Memory {
        let size = leaves.len() as u64;
        Memory(
            tiles_of(size)
                .into_iter()
                .map(|id| (id, tile_bytes(&tile_from_leaves(leaves, id).unwrap())))
                .collect(),
        )
    }

    #[test]
    fn paths_as_the_spec_writes_them() {
        let t = |level, index, width| TileId {
            level,
            index,
            width,
        };
        assert_eq!(t(0, 1_234_067, 256).path(), "tile/0/x001/x234/067");
        assert_eq!(t(1, 5, 17).path(), "tile/1/005.p/17");
        assert_eq!(t(0, 0, 256).entries_path(), "tile/entries/000");
        assert_eq!(t(0, 1000, 3).entries_path(), "tile/entries/x001/000.p/3");
    }

    #[test]
    fn the_tiles_of_the_spec_examples() {
        // 70,000 leaves: 273 full level-0 tiles, one of width 112, one full level-1 tile,
        // one of width 17, one level-2 tile of width 1.
        let tiles = tiles_of(70_000);
        let count = |l: u8, w: u16| {
            tiles
                .iter()
                .filter(|t| t.level == l && t.width == w)
                .count()
        };
        assert_eq!((count(0, 256), count(0, 112)), (273, 1));
        assert_eq!((count(1, 256), count(1, 17), count(2, 1)), (1, 1, 1));
        assert_eq!(tiles.len(), 277);
        // 256 leaves: one full level-0 tile and a level-1 tile of width 1.
        let t256 = tiles_of(256);
        assert_eq!(t256.len(), 2);
        assert_eq!(
            t256[1],
            TileId {
                level: 1,
                index: 0,
                width: 1
            }
        );
    }

    #[test]
    fn proofs_from_tiles_equal_proofs_from_leaves() {
        let leaves: Vec<Hash> = (0..70_000u64)
            .map(|i| leaf_hash(&i.to_be_bytes()))
            .collect();
        for size in [1u64, 2, 255, 256, 257, 511, 513, 65_536, 65_537, 70_000] {
            let prefix = &leaves[..usize::try_from(size).unwrap()];
            let tiles = store(prefix);
            let th = TileHashes::new(&tiles, size);
            let root = mth(prefix);
            assert_eq!(th.root(), Some(root), "size {size}");
            for index in [0, size / 3, size - 1] {
                let p = inclusion_proof(&th, index, size).unwrap();
                assert_eq!(p, inclusion_proof(prefix, index, size).unwrap());
                verify_inclusion(
                    index,
                    size,
                    &prefix[usize::try_from(index).unwrap()],
                    &p,
                    &root,
                )
                .unwrap();
            }
            if size > 1 {
                let first = size / 2;
                let p = consistency_proof(&th, first, size).unwrap();
                verify_consistency(
                    first,
                    size,
                    &mth(&prefix[..usize::try_from(first).unwrap()]),
                    &root,
                    &p,
                )
                .unwrap();
            }
        }
    }

    #[test]
    fn a_tampered_or_missing_tile_is_caught_by_the_signed_root() {
        let leaves: Vec<Hash> = (0..600u64).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let good = mth(&leaves);
        // A level-1 tile holds the roots of full level-0 tiles: the root changes.
        let mut tiles = store(&leaves);
        let top = TileId {
            level: 1,
            index: 0,
            width: 2,
        };
        tiles.0.get_mut(&top).unwrap()[5] ^= 1;
        assert_ne!(TileHashes::new(&tiles, 600).root(), Some(good));
        // A level-0 tile under it: the root is read above it, but a proof through it no
        // longer leads to the signed root.
        let mut tiles = store(&leaves);
        let id = TileId {
            level: 0,
            index: 1,
            width: 256,
        };
        tiles.0.get_mut(&id).unwrap()[32 * 7] ^= 1;
        let th = TileHashes::new(&tiles, 600);
        assert_eq!(th.root(), Some(good));
        let proof = inclusion_proof(&th, 300, 600).unwrap();
        assert!(verify_inclusion(300, 600, &leaves[300], &proof, &good).is_err());
        // Truncated or missing: no hash at all.
        tiles.0.get_mut(&id).unwrap().truncate(100);
        assert!(inclusion_proof(&TileHashes::new(&tiles, 600), 300, 600).is_err());
        tiles.0.remove(&id);
        assert!(inclusion_proof(&TileHashes::new(&tiles, 600), 300, 600).is_err());
    }

    #[test]
    fn bundles() {
        let entries: Vec<&[u8]> = vec![b"a", b"", b"hello"];
        let b = bundle_bytes(&entries).unwrap();
        assert_eq!(
            parse_bundle(&b, 3).unwrap(),
            vec![b"a".to_vec(), vec![], b"hello".to_vec()]
        );
        assert!(parse_bundle(&b[..b.len() - 1], 3).is_none(), "truncated");
        assert!(parse_bundle(&b, 2).is_none(), "another width");
        assert!(bundle_bytes(&[&vec![0u8; 70_000]]).is_none());
    }
}
