//! A log: entries appended to tiles and entry bundles laid out as tlog-tiles says, and a
//! checkpoint signed after each append, over any [`LogStore`] (a directory, object storage).
//!
//! What an append guarantees, in order:
//! 1. the current checkpoint is read and verified (the log's key, its origin);
//! 2. the stored tiles are not trusted: the root they give must be the checkpoint's, which
//!    authenticates every partial tile the append builds on;
//! 3. the new tiles and bundles are computed in memory, and the new tree must be consistent
//!    with the old one (a consistency proof made from the new tiles verifies) before
//!    anything is signed;
//! 4. tiles and bundles are written first (a crash then leaves only files beyond the signed
//!    size, which the next append rewrites), and the checkpoint last, through the store's
//!    compare-and-swap: an append that raced another one fails instead of forking the log.

use std::collections::HashMap;

use super::checkpoint::{Checkpoint, open_checkpoint};
use super::merkle::{Hash, consistency_proof, empty_root, leaf_hash, mth, verify_consistency};
use super::note::{Note, NoteError, NoteSigner};
use super::tiles::{
    MAX_ENTRY_LEN, TILE_WIDTH, TileHashes, TileId, TileReader, bundle_bytes, parse_bundle,
    parse_tile, tile_bytes,
};

/// Most entries one append takes.
pub const MAX_APPEND: usize = 100_000;

/// Why a log operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The checkpoint does not verify, or is malformed.
    #[error("checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    /// The stored tiles or bundles do not match the signed checkpoint (tampered, truncated
    /// or missing).
    #[error("the stored tiles do not match the signed checkpoint: {0}")]
    Tiles(&'static str),
    /// An entry is empty or longer than a bundle allows, or an append is too large.
    #[error("entry: {0}")]
    Entry(&'static str),
    /// Another append changed the checkpoint first: nothing was published.
    #[error("another append changed the checkpoint first; try again")]
    Conflict,
    /// The store failed.
    #[error("storage: {0}")]
    Storage(String),
}

/// Where a log lives. Paths are those of tlog-tiles (`checkpoint`, `tile/...`).
pub trait LogStore {
    /// The bytes at `path`, `None` when absent.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, LogError>;
    /// Write `bytes` at `path` atomically (replacing what is there).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), LogError>;
    /// Replace the checkpoint with `new` if it is still `old` (`None`: no checkpoint yet),
    /// atomically; `false` when it was not.
    fn swap_checkpoint(&self, old: Option<&[u8]>, new: &[u8]) -> Result<bool, LogError>;
    /// Remove the partial tiles (and, at level 0, partial bundles) of tile `index` at
    /// `level`, whose full tile now exists (tlog-tiles allows it). The default keeps them.
    fn remove_partials(&self, level: u8, index: u64) -> Result<(), LogError> {
        let _ = (level, index);
        Ok(())
    }
}

/// The store's tiles as a [`TileReader`], with the tiles of an append not yet written.
struct Overlay<'a> {
    store: &'a dyn LogStore,
    fresh: &'a HashMap<TileId, Vec<u8>>,
}

impl TileReader for Overlay<'_> {
    fn read(&self, id: TileId) -> Option<Vec<u8>> {
        if let Some(t) = self.fresh.get(&id) {
            return Some(t.clone());
        }
        self.store.read(&id.path()).ok().flatten()
    }
}

/// The signed checkpoint of an empty log.
pub fn init(store: &dyn LogStore, signer: &NoteSigner, origin: &str) -> Result<String, LogError> {
    let text = Checkpoint {
        origin: origin.to_owned(),
        size: 0,
        root: empty_root(),
        extensions: Vec::new(),
    }
    .to_text();
    let note = Note::sign(&text, &[signer], 0)?;
    if !store.swap_checkpoint(None, note.as_bytes())? {
        return Err(LogError::Conflict);
    }
    Ok(note)
}

/// Read and verify the current checkpoint.
pub fn current(
    store: &dyn LogStore,
    signer: &NoteSigner,
    origin: &str,
) -> Result<(Vec<u8>, Checkpoint), LogError> {
    let bytes = store.read("checkpoint")?.ok_or(LogError::Tiles(
        "the log has no checkpoint: initialise it first",
    ))?;
    let signed = open_checkpoint(&bytes, origin, &signer.verifier(), &[])?;
    Ok((bytes, signed.checkpoint().clone()))
}

/// Append `entries` and sign the new checkpoint (see the module documentation). The index
/// of the first entry and the new checkpoint note.
pub fn append(
    store: &dyn LogStore,
    signer: &NoteSigner,
    origin: &str,
    entries: &[Vec<u8>],
) -> Result<(u64, String), LogError> {
    let staged = stage(store, signer, origin, entries)?;
    let first = staged.first;
    let note = staged.note.clone();
    publish(store, &staged, &note)?;
    Ok((first, note))
}

/// An append whose tiles are written and whose checkpoint is signed by the log but not yet
/// published: the time to collect witness cosignatures (tlog-witness), which need the
/// consistency proofs that [`StoreTiles`] over the store now gives.
#[derive(Debug, Clone)]
pub struct Staged {
    /// The checkpoint the append started from (what [`publish`] swaps out).
    pub old: Vec<u8>,
    /// Its tree size.
    pub old_size: u64,
    /// The index of the first new entry.
    pub first: u64,
    /// The new tree size.
    pub size: u64,
    /// The new checkpoint, signed by the log only.
    pub note: String,
    full: Vec<(u8, u64)>,
}

/// Publish a staged append: swap in `note` (the staged note, with any cosignatures added)
/// if the checkpoint is still the one the append started from.
pub fn publish(store: &dyn LogStore, staged: &Staged, note: &str) -> Result<(), LogError> {
    publish_note(store, &staged.old, &staged.note, note)?;
    // Partial tiles superseded by a full tile of this append are no longer needed.
    for &(level, index) in &staged.full {
        store.remove_partials(level, index)?;
    }
    Ok(())
}

/// Publish a staged checkpoint kept elsewhere (an append whose cosignatures were collected
/// later): swap `old` for `note` if `note` is `staged_note` with other signatures added.
pub fn publish_note(
    store: &dyn LogStore,
    old: &[u8],
    staged_note: &str,
    note: &str,
) -> Result<(), LogError> {
    let parsed = Note::parse(note.as_bytes())?;
    let staged_text = Note::parse(staged_note.as_bytes())?;
    if parsed.text() != staged_text.text() {
        return Err(LogError::Entry(
            "the note to publish is not the staged checkpoint",
        ));
    }
    if !store.swap_checkpoint(Some(old), note.as_bytes())? {
        return Err(LogError::Conflict);
    }
    Ok(())
}

/// Replace the current checkpoint by `note`, the same checkpoint with other (fresher)
/// cosignatures, if the checkpoint is still `old`.
pub fn recosign(store: &dyn LogStore, old: &[u8], note: &str) -> Result<(), LogError> {
    let a = Note::parse(old)?;
    let b = Note::parse(note.as_bytes())?;
    if a.text() != b.text() {
        return Err(LogError::Entry(
            "the cosigned note is not the current checkpoint",
        ));
    }
    if !store.swap_checkpoint(Some(old), note.as_bytes())? {
        return Err(LogError::Conflict);
    }
    Ok(())
}

/// A store's tiles as a [`TileReader`] (untrusted, like all tiles).
pub struct StoreTiles<'a>(pub &'a dyn LogStore);

impl std::fmt::Debug for StoreTiles<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreTiles").finish_non_exhaustive()
    }
}

impl TileReader for StoreTiles<'_> {
    fn read(&self, id: TileId) -> Option<Vec<u8>> {
        self.0.read(&id.path()).ok().flatten()
    }
}

/// Write the tiles and bundles of appending `entries` and sign the new checkpoint, without
/// publishing it (see [`Staged`], [`publish`]).
pub fn stage(
    store: &dyn LogStore,
    signer: &NoteSigner,
    origin: &str,
    entries: &[Vec<u8>],
) -> Result<Staged, LogError> {
    if entries.is_empty() || entries.len() > MAX_APPEND {
        return Err(LogError::Entry("append 1 to 100,000 entries"));
    }
    if entries
        .iter()
        .any(|e| e.is_empty() || e.len() > MAX_ENTRY_LEN)
    {
        return Err(LogError::Entry("an entry is 1 to 65,535 bytes"));
    }
    let (old_bytes, old) = current(store, signer, origin)?;
    let none = HashMap::new();
    let reader = Overlay {
        store,
        fresh: &none,
    };
    let old_size = old.size;
    if old_size > 0 {
        let stored = TileHashes::new(&reader, old_size).root();
        if stored != Some(old.root) {
            return Err(LogError::Tiles(
                "the root of the stored tiles is not the checkpoint's",
            ));
        }
    }
    let new_size = old_size + entries.len() as u64;
    let mut fresh: HashMap<TileId, Vec<u8>> = HashMap::new();

    // Level 0 and the entry bundles.
    let first_tile = old_size / TILE_WIDTH;
    let old_partial = u16::try_from(old_size % TILE_WIDTH).unwrap_or(0);
    let (mut hashes, mut bundle): (Vec<Hash>, Vec<Vec<u8>>) = if old_partial > 0 {
        let id = TileId {
            level: 0,
            index: first_tile,
            width: old_partial,
        };
        let tile = parse_tile(&reader.read(id).unwrap_or_default(), old_partial).ok_or(
            LogError::Tiles("a partial level-0 tile is missing or damaged"),
        )?;
        let b = store
            .read(&id.entries_path())?
            .and_then(|b| parse_bundle(&b, old_partial))
            .ok_or(LogError::Tiles(
                "a partial entry bundle is missing or damaged",
            ))?;
        if b.iter().map(|e| leaf_hash(e)).collect::<Vec<_>>() != tile {
            return Err(LogError::Tiles("an entry bundle does not hash to its tile"));
        }
        (tile, b)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut bundles: Vec<(TileId, Vec<u8>)> = Vec::new();
    // Hashes of the level being built, from the start of its first touched tile.
    let mut level_hashes: Vec<Hash> = Vec::new();
    let mut index = first_tile;
    for e in entries {
        hashes.push(leaf_hash(e));
        bundle.push(e.clone());
        if hashes.len() == 256 {
            let id = TileId {
                level: 0,
                index,
                width: 256,
            };
            let refs: Vec<&[u8]> = bundle.iter().map(Vec::as_slice).collect();
            bundles.push((id, bundle_bytes(&refs).ok_or(LogError::Entry("too long"))?));
            fresh.insert(id, tile_bytes(&hashes));
            level_hashes.push(mth(&hashes));
            hashes.clear();
            bundle.clear();
            index += 1;
        }
    }
    if !hashes.is_empty() {
        let id = TileId {
            level: 0,
            index,
            width: u16::try_from(hashes.len()).unwrap_or(256),
        };
        let refs: Vec<&[u8]> = bundle.iter().map(Vec::as_slice).collect();
        bundles.push((id, bundle_bytes(&refs).ok_or(LogError::Entry("too long"))?));
        fresh.insert(id, tile_bytes(&hashes));
    }

    // Levels 1 and up: each completed tile below adds one hash here.
    let mut level = 1u8;
    let mut completed = level_hashes; // hashes of level `level` that are new, in order
    while level <= super::tiles::MAX_TILE_LEVEL {
        let old_count = old_size >> (8 * u32::from(level));
        let new_count = new_size >> (8 * u32::from(level));
        if new_count == 0 {
            break;
        }
        if new_count == old_count {
            break;
        }
        let first = old_count / TILE_WIDTH;
        let partial = u16::try_from(old_count % TILE_WIDTH).unwrap_or(0);
        let mut row: Vec<Hash> = if partial > 0 {
            let id = TileId {
                level,
                index: first,
                width: partial,
            };
            parse_tile(&reader.read(id).unwrap_or_default(), partial)
                .ok_or(LogError::Tiles("a partial tile is missing or damaged"))?
        } else {
            Vec::new()
        };
        let mut next_completed = Vec::new();
        let mut idx = first;
        for h in completed {
            row.push(h);
            if row.len() == 256 {
                fresh.insert(
                    TileId {
                        level,
                        index: idx,
                        width: 256,
                    },
                    tile_bytes(&row),
                );
                next_completed.push(mth(&row));
                row.clear();
                idx += 1;
            }
        }
        if !row.is_empty() {
            fresh.insert(
                TileId {
                    level,
                    index: idx,
                    width: u16::try_from(row.len()).unwrap_or(256),
                },
                tile_bytes(&row),
            );
        }
        completed = next_completed;
        level += 1;
    }

    // The new tree, from the new tiles, and its consistency with the signed one.
    let overlay = Overlay {
        store,
        fresh: &fresh,
    };
    let tiles = TileHashes::new(&overlay, new_size);
    let root = tiles
        .root()
        .ok_or(LogError::Tiles("the new tiles do not give a root"))?;
    if old_size > 0 {
        let proof = consistency_proof(&tiles, old_size, new_size)
            .map_err(|_| LogError::Tiles("no consistency proof from the new tiles"))?;
        verify_consistency(old_size, new_size, &old.root, &root, &proof)
            .map_err(|_| LogError::Tiles("the new tree is not consistent with the signed one"))?;
    }
    for (id, bytes) in &bundles {
        store.write(&id.entries_path(), bytes)?;
    }
    for (id, bytes) in &fresh {
        store.write(&id.path(), bytes)?;
    }
    let text = Checkpoint {
        origin: origin.to_owned(),
        size: new_size,
        root,
        extensions: Vec::new(),
    }
    .to_text();
    let note = Note::sign(&text, &[signer], 0)?;
    Ok(Staged {
        old: old_bytes,
        old_size,
        first: old_size,
        size: new_size,
        note,
        full: fresh
            .keys()
            .filter(|id| id.width == 256)
            .map(|id| (id.level, id.index))
            .collect(),
    })
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::tlog::merkle::{inclusion_proof, verify_inclusion};
    use std::cell::RefCell;

    #[derive(Default)]
    struct Memory(RefCell<HashMap<String, Vec<u8>>>);

    impl LogStore for Memory {
        fn read(&self, path: &str) -> Result<Option<Vec<u8>>, LogError> {
            Ok(self.0.borrow().get(path).cloned())
        }
        fn write(&self, path: &str, bytes: &[u8]) -> Result<(), LogError> {
            self.0.borrow_mut().insert(path.to_owned(), bytes.to_vec());
            Ok(())
        }
        fn swap_checkpoint(&self, old: Option<&[u8]>, new: &[u8]) -> Result<bool, LogError> {
            let mut m = self.0.borrow_mut();
            if m.get("checkpoint").map(Vec::as_slice) != old {
                return Ok(false);
            }
            m.insert("checkpoint".into(), new.to_vec());
            Ok(true)
        }
    }

    fn entry(i: u64) -> Vec<u8> {
        format!("entry {i}").into_bytes()
    }

    #[test]
    fn appends_build_the_tree_the_leaves_give() {
        let store = Memory::default();
        let key = NoteSigner::from_seed("uni.example/log", &[5; 32], false).unwrap();
        init(&store, &key, "uni.example/log").unwrap();
        let mut all: Vec<Hash> = Vec::new();
        let mut next = 0u64;
        // Batches that cross tile and level boundaries.
        for batch in [1usize, 254, 1, 300, 65_000, 600, 1] {
            let entries: Vec<Vec<u8>> = (next..next + batch as u64).map(entry).collect();
            let (first, note) = append(&store, &key, "uni.example/log", &entries).unwrap();
            assert_eq!(first, next);
            next += batch as u64;
            all.extend(entries.iter().map(|e| leaf_hash(e)));
            let cp = Checkpoint::parse(Note::parse(note.as_bytes()).unwrap().text()).unwrap();
            assert_eq!(cp.size, next);
            assert_eq!(cp.root, mth(&all), "after {next} entries");
        }
        // Every tile of the final tree is stored as the leaves give it, and a proof from
        // the stored tiles verifies.
        for id in crate::tlog::tiles::tiles_of(next) {
            let want = tile_bytes(&crate::tlog::tiles::tile_from_leaves(&all, id).unwrap());
            assert_eq!(
                store.read(&id.path()).unwrap().unwrap(),
                want,
                "{}",
                id.path()
            );
        }
        let none = HashMap::new();
        let reader = Overlay {
            store: &store,
            fresh: &none,
        };
        let th = TileHashes::new(&reader, next);
        let p = inclusion_proof(&th, 12_345, next).unwrap();
        verify_inclusion(12_345, next, &all[12_345], &p, &mth(&all)).unwrap();
        let bundle = store.read("tile/entries/048").unwrap().unwrap();
        assert_eq!(
            parse_bundle(&bundle, 256).unwrap()[57],
            entry(48 * 256 + 57)
        );
    }

    #[test]
    fn tampering_races_and_bad_entries_are_refused() {
        let store = Memory::default();
        let key = NoteSigner::from_seed("uni.example/log", &[5; 32], false).unwrap();
        init(&store, &key, "uni.example/log").unwrap();
        assert_eq!(
            init(&store, &key, "uni.example/log"),
            Err(LogError::Conflict)
        );
        append(
            &store,
            &key,
            "uni.example/log",
            &(0..10).map(entry).collect::<Vec<_>>(),
        )
        .unwrap();
        // A tampered partial tile: the stored root is not the checkpoint's.
        let path = "tile/0/000.p/10";
        let good = store.read(path).unwrap().unwrap();
        let mut bad = good.clone();
        bad[0] ^= 1;
        store.write(path, &bad).unwrap();
        assert!(matches!(
            append(&store, &key, "uni.example/log", &[entry(10)]),
            Err(LogError::Tiles(_))
        ));
        store.write(path, &good).unwrap();
        // A truncated bundle.
        let bpath = "tile/entries/000.p/10";
        let b = store.read(bpath).unwrap().unwrap();
        store.write(bpath, &b[..b.len() - 1]).unwrap();
        assert!(matches!(
            append(&store, &key, "uni.example/log", &[entry(10)]),
            Err(LogError::Tiles(_))
        ));
        store.write(bpath, &b).unwrap();
        // Another key, another origin, bad entries.
        let other = NoteSigner::from_seed("uni.example/log", &[6; 32], false).unwrap();
        assert!(matches!(
            append(&store, &other, "uni.example/log", &[entry(10)]),
            Err(LogError::Checkpoint(_))
        ));
        assert!(matches!(
            append(&store, &key, "other.example/log", &[entry(10)]),
            Err(LogError::Checkpoint(_))
        ));
        assert!(matches!(
            append(&store, &key, "uni.example/log", &[vec![]]),
            Err(LogError::Entry(_))
        ));
        assert!(matches!(
            append(&store, &key, "uni.example/log", &[]),
            Err(LogError::Entry(_))
        ));
        // Still whole: the next append works.
        let (first, _) = append(&store, &key, "uni.example/log", &[entry(10)]).unwrap();
        assert_eq!(first, 10);
    }

    /// A store that dies (every write fails) after `budget` writes: a crash mid-append.
    struct Crashing<'a> {
        inner: &'a Memory,
        budget: std::cell::Cell<usize>,
    }

    impl LogStore for Crashing<'_> {
        fn read(&self, path: &str) -> Result<Option<Vec<u8>>, LogError> {
            self.inner.read(path)
        }
        fn write(&self, path: &str, bytes: &[u8]) -> Result<(), LogError> {
            if self.budget.get() == 0 {
                return Err(LogError::Storage("crashed".into()));
            }
            self.budget.set(self.budget.get() - 1);
            self.inner.write(path, bytes)
        }
        fn swap_checkpoint(&self, old: Option<&[u8]>, new: &[u8]) -> Result<bool, LogError> {
            if self.budget.get() == 0 {
                return Err(LogError::Storage("crashed".into()));
            }
            self.budget.set(self.budget.get() - 1);
            self.inner.swap_checkpoint(old, new)
        }
    }

    #[test]
    fn a_crash_at_any_write_leaves_a_log_that_reopens_consistent() {
        let key = NoteSigner::from_seed("uni.example/log", &[5; 32], false).unwrap();
        let first: Vec<Vec<u8>> = (0..300).map(entry).collect();
        let second: Vec<Vec<u8>> = (300..900).map(entry).collect();
        // Every point of the second append at which the store can die.
        for budget in 0..12 {
            let store = Memory::default();
            init(&store, &key, "uni.example/log").unwrap();
            append(&store, &key, "uni.example/log", &first).unwrap();
            let crashing = Crashing {
                inner: &store,
                budget: std::cell::Cell::new(budget),
            };
            let crashed = append(&crashing, &key, "uni.example/log", &second).is_err();
            // Reopened: the checkpoint verifies, its tiles give its root, and appending
            // goes on from it to the tree the leaves give.
            let (_, cp) = current(&store, &key, "uni.example/log").unwrap();
            assert_eq!(cp.size, if crashed { 300 } else { 900 }, "budget {budget}");
            assert_eq!(
                TileHashes::new(&StoreTiles(&store), cp.size).root(),
                Some(cp.root)
            );
            let rest: Vec<Vec<u8>> = (cp.size..1000).map(entry).collect();
            let (_, note) = append(&store, &key, "uni.example/log", &rest).unwrap();
            let all: Vec<Hash> = (0..1000).map(|i| leaf_hash(&entry(i))).collect();
            let last = Checkpoint::parse(Note::parse(note.as_bytes()).unwrap().text()).unwrap();
            assert_eq!((last.size, last.root), (1000, mth(&all)), "budget {budget}");
        }
    }
}
