//! Following a log, as a verifier or a monitor does: keep the last checkpoint believed (under
//! a [`Policy`]) and the tree's right edge ([`Frontier`]), and on each newer checkpoint read
//! the new entries, authenticate them by recomputing the new root from the kept edge (no
//! stored tile is trusted, and a matching root is itself the proof that the new tree extends
//! the old one), and index what they say: the latest logged version of every status list and
//! the state of every issuer key.
//!
//! A checkpoint that cannot be reconciled with the one kept (same size and another root, a
//! smaller tree that is not a prefix, new entries that do not lead to the signed root while
//! the log's own tiles prove no consistency) is refused with [`Misbehaviour`]: the two signed
//! checkpoints and the failing proof, which anyone can check, as the Go checksum database
//! client reports a forked log.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::entry::{KeyEvent, LogEntry};
use super::merkle::{Frontier, Hash, consistency_proof, leaf_hash, verify_consistency};
use super::policy::{Policy, PolicyError};
use super::tiles::{TILE_WIDTH, TileHashes, TileId, TileReader, parse_bundle};
use super::{b64_decode, b64_encode};

/// Most new entries one update reads.
pub const MAX_UPDATE: u64 = 1_000_000;

/// Where a followed log is read from (a directory, a web server): the bytes at a
/// tlog-tiles path, `None` when absent. Not trusted.
pub trait LogSource {
    /// The bytes at `path` (`checkpoint`, `tile/...`).
    fn get(&self, path: &str) -> Option<Vec<u8>>;
}

struct Tiles<'a>(&'a dyn LogSource);

impl TileReader for Tiles<'_> {
    fn read(&self, id: TileId) -> Option<Vec<u8>> {
        self.0.get(&id.path())
    }
}

/// Evidence that a log misbehaved: two checkpoints it signed (each policy-checked) that no
/// consistency proof reconciles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misbehaviour {
    /// What is wrong, in words.
    pub reason: String,
    /// The checkpoint kept from before.
    pub kept: String,
    /// The checkpoint served now.
    pub served: String,
    /// The consistency proof tried (base64 hashes; empty when none could be had).
    pub proof: Vec<String>,
}

/// Why an update failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FollowError {
    /// The log serves no checkpoint.
    #[error("the log serves no checkpoint")]
    NoCheckpoint,
    /// The served checkpoint does not satisfy the policy.
    #[error("{0}")]
    Policy(#[from] PolicyError),
    /// An entry bundle is missing, damaged, or does not lead to the signed root while the
    /// log's tiles do prove consistency (the served data is bad; the log signed nothing
    /// contradictory).
    #[error("the log's entries: {0}")]
    Entries(String),
    /// The log forked or rolled back: evidence attached.
    #[error("the log misbehaved: {}", .0.reason)]
    Misbehaved(Box<Misbehaviour>),
    /// The update is larger than [`MAX_UPDATE`] entries.
    #[error("more than {MAX_UPDATE} new entries in one update")]
    TooLarge,
}

/// The latest logged version of a status list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    /// Its index in the log.
    pub index: u64,
    /// SHA-256 of the exact published credential (hex).
    pub sha256: String,
    /// Its `validFrom` (Unix seconds).
    pub valid_from: u64,
    /// Its `validUntil` (Unix seconds; 0 when none).
    pub valid_until: u64,
}

/// A key's state as the log tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyState {
    /// Added or rotated in, not retired.
    Active,
    /// Retired.
    Retired,
}

/// What a follower knows of one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogView {
    origin: String,
    size: u64,
    checkpoint: String,
    frontier: Vec<String>,
    lists: BTreeMap<String, ListVersion>,
    keys: BTreeMap<String, KeyState>,
}

impl LogView {
    /// A view of `origin` that has seen nothing yet.
    pub fn new(origin: &str) -> LogView {
        LogView {
            origin: origin.to_owned(),
            size: 0,
            checkpoint: String::new(),
            frontier: Vec::new(),
            lists: BTreeMap::new(),
            keys: BTreeMap::new(),
        }
    }

    /// The log's origin.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The tree size seen.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The last checkpoint believed (empty before the first update).
    pub fn checkpoint(&self) -> &str {
        &self.checkpoint
    }

    /// The latest logged version of the status list at `url`.
    pub fn list(&self, url: &str) -> Option<&ListVersion> {
        self.lists.get(url)
    }

    /// The state of key `key_id` (a verification method URL).
    pub fn key(&self, key_id: &str) -> Option<KeyState> {
        self.keys.get(key_id).copied()
    }

    /// The latest logged version of every status list, by URL.
    pub fn lists(&self) -> &BTreeMap<String, ListVersion> {
        &self.lists
    }

    /// The newest cosignature timestamp of the kept checkpoint among `policy`'s witnesses
    /// (`None` before the first update or with no cosignature).
    pub fn cosigned_at(&self, policy: &Policy) -> Option<u64> {
        policy
            .check(self.checkpoint.as_bytes(), &self.origin)
            .ok()
            .and_then(|c| c.newest_cosignature())
    }

    /// Every key the log named and its state.
    pub fn keys(&self) -> &BTreeMap<String, KeyState> {
        &self.keys
    }

    fn frontier(&self) -> Result<Frontier, FollowError> {
        let hashes: Option<Vec<Hash>> = self
            .frontier
            .iter()
            .map(|h| b64_decode(h).and_then(|b| Hash::try_from(b).ok()))
            .collect();
        hashes
            .and_then(|h| Frontier::from_hashes(self.size, &h))
            .ok_or_else(|| FollowError::Entries("the kept state is damaged".into()))
    }

    fn misbehaved(&self, reason: String, served: &[u8], proof: &[Hash]) -> FollowError {
        FollowError::Misbehaved(Box::new(Misbehaviour {
            reason,
            kept: self.checkpoint.clone(),
            served: String::from_utf8_lossy(served).into_owned(),
            proof: proof.iter().map(|h| b64_encode(h)).collect(),
        }))
    }

    /// Read the log's current checkpoint from `source`, check it under `policy`, reconcile
    /// it with the one kept, and take in the new entries (see the module documentation).
    /// The new entries with their indexes; the view is changed only on success.
    pub fn update(
        &mut self,
        policy: &Policy,
        source: &dyn LogSource,
    ) -> Result<Vec<(u64, LogEntry)>, FollowError> {
        let served = source.get("checkpoint").ok_or(FollowError::NoCheckpoint)?;
        let checked = policy.check(&served, &self.origin)?;
        let c = checked.signed().checkpoint().clone();
        let kept_root = self.frontier()?.root();
        let tiles = Tiles(source);
        if c.size < self.size {
            // A smaller tree: fine if it is a prefix of ours (a stale copy), proven by the
            // log's tiles; we keep our newer view.
            let hashes = TileHashes::new(&tiles, self.size);
            let proof = consistency_proof(&hashes, c.size, self.size).unwrap_or_default();
            if c.size == 0
                || verify_consistency(c.size, self.size, &c.root, &kept_root, &proof).is_ok()
            {
                return Ok(Vec::new());
            }
            return Err(self.misbehaved(
                format!(
                    "the log serves a tree of {} entries that is not a prefix of the {} already cosigned",
                    c.size, self.size
                ),
                &served,
                &proof,
            ));
        }
        if c.size == self.size {
            if c.root != kept_root {
                return Err(self.misbehaved(
                    format!(
                        "two cosigned checkpoints of size {} with different roots",
                        c.size
                    ),
                    &served,
                    &[],
                ));
            }
            self.checkpoint = String::from_utf8_lossy(&served).into_owned();
            return Ok(Vec::new());
        }
        if c.size - self.size > MAX_UPDATE {
            return Err(FollowError::TooLarge);
        }
        let mut frontier = self.frontier()?;
        let mut new = Vec::new();
        let mut at = self.size;
        while at < c.size {
            let index = at / TILE_WIDTH;
            let end = ((index + 1) * TILE_WIDTH).min(c.size);
            let width = u16::try_from(end - index * TILE_WIDTH).unwrap_or(256);
            let id = TileId {
                level: 0,
                index,
                width,
            };
            let bundle = source
                .get(&id.entries_path())
                .and_then(|b| parse_bundle(&b, width))
                .ok_or_else(|| {
                    FollowError::Entries(format!("{} is missing or damaged", id.entries_path()))
                })?;
            let skip = usize::try_from(at - index * TILE_WIDTH).unwrap_or(0);
            for e in bundle.iter().skip(skip) {
                frontier.push(leaf_hash(e));
                if let Some(entry) = LogEntry::from_bytes(e) {
                    new.push((frontier.size() - 1, entry));
                }
            }
            at = end;
        }
        if frontier.root() != c.root {
            let hashes = TileHashes::new(&tiles, c.size);
            let proof = if self.size == 0 {
                Vec::new()
            } else {
                consistency_proof(&hashes, self.size, c.size).unwrap_or_default()
            };
            let consistent = hashes.root() == Some(c.root)
                && (self.size == 0
                    || verify_consistency(self.size, c.size, &kept_root, &c.root, &proof).is_ok());
            if consistent {
                return Err(FollowError::Entries(
                    "the entry bundles do not lead to the signed root (tampered or truncated)"
                        .into(),
                ));
            }
            return Err(self.misbehaved(
                format!(
                    "no consistency between the cosigned tree of {} entries and the new one of {}",
                    self.size, c.size
                ),
                &served,
                &proof,
            ));
        }
        for (index, entry) in &new {
            match entry {
                LogEntry::StatusList {
                    valid_from,
                    valid_until,
                    url,
                    sha256,
                } => {
                    self.lists.insert(
                        url.clone(),
                        ListVersion {
                            index: *index,
                            sha256: sha256.iter().map(|b| format!("{b:02x}")).collect(),
                            valid_from: *valid_from,
                            valid_until: *valid_until,
                        },
                    );
                }
                LogEntry::Key { event, key_id, .. } => {
                    let state = match event {
                        KeyEvent::Added | KeyEvent::Rotated => KeyState::Active,
                        KeyEvent::Retired => KeyState::Retired,
                    };
                    // A retired key stays retired: a later "added" cannot revive it.
                    if self.keys.get(key_id) != Some(&KeyState::Retired) {
                        self.keys.insert(key_id.clone(), state);
                    }
                }
                LogEntry::Credential { .. } => {}
            }
        }
        self.size = c.size;
        self.frontier = frontier.hashes().iter().map(|h| b64_encode(h)).collect();
        self.checkpoint = String::from_utf8_lossy(&served).into_owned();
        Ok(new)
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::tlog::log::{LogError, LogStore, append, init};
    use crate::tlog::note::NoteSigner;
    use std::cell::RefCell;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Mem(RefCell<HashMap<String, Vec<u8>>>);

    impl LogStore for Mem {
        fn read(&self, path: &str) -> Result<Option<Vec<u8>>, LogError> {
            Ok(self.0.borrow().get(path).cloned())
        }
        fn write(&self, path: &str, bytes: &[u8]) -> Result<(), LogError> {
            self.0.borrow_mut().insert(path.into(), bytes.to_vec());
            Ok(())
        }
        fn swap_checkpoint(&self, old: Option<&[u8]>, new: &[u8]) -> Result<bool, LogError> {
            let cur = self.0.borrow().get("checkpoint").cloned();
            if cur.as_deref() != old {
                return Ok(false);
            }
            self.0
                .borrow_mut()
                .insert("checkpoint".into(), new.to_vec());
            Ok(true)
        }
    }

    impl LogSource for Mem {
        fn get(&self, path: &str) -> Option<Vec<u8>> {
            self.0.borrow().get(path).cloned()
        }
    }

    fn list(url: &str, n: u8) -> Vec<u8> {
        LogEntry::StatusList {
            valid_from: 1,
            valid_until: 0,
            url: url.into(),
            sha256: [n; 32],
        }
        .to_bytes()
        .unwrap()
    }

    #[test]
    fn a_view_follows_indexes_and_catches_a_fork() {
        let log = NoteSigner::from_seed("uni.example/log", &[1; 32], false).unwrap();
        let policy =
            Policy::parse(&format!("log {}\nquorum none\n", log.verifier().vkey())).unwrap();
        let store = Mem::default();
        init(&store, &log, "uni.example/log").unwrap();
        let mut view = LogView::new("uni.example/log");
        assert!(view.update(&policy, &store).unwrap().is_empty());
        let batch: Vec<Vec<u8>> = (0..300u16)
            .map(|i| list(&format!("https://u/{i}"), 1))
            .collect();
        append(&store, &log, "uni.example/log", &batch).unwrap();
        assert_eq!(view.update(&policy, &store).unwrap().len(), 300);
        append(&store, &log, "uni.example/log", &[list("https://u/7", 2)]).unwrap();
        let new = view.update(&policy, &store).unwrap();
        assert_eq!(new.len(), 1);
        assert_eq!(
            view.list("https://u/7").unwrap().sha256,
            hex::encode([2u8; 32])
        );
        assert_eq!(view.list("https://u/7").unwrap().index, 300);
        let saved = serde_json::to_string(&view).unwrap();
        let mut back: LogView = serde_json::from_str(&saved).unwrap();
        assert_eq!(back, view);

        // A fork: another store with another entry at the same size, signed by the same key.
        let other = Mem::default();
        init(&other, &log, "uni.example/log").unwrap();
        append(&other, &log, "uni.example/log", &batch).unwrap();
        append(&other, &log, "uni.example/log", &[list("https://u/7", 3)]).unwrap();
        assert!(matches!(
            back.update(&policy, &other),
            Err(FollowError::Misbehaved(_))
        ));
        append(&other, &log, "uni.example/log", &[list("https://u/8", 3)]).unwrap();
        let Err(FollowError::Misbehaved(m)) = back.update(&policy, &other) else {
            panic!("a fork must be caught");
        };
        assert!(m.reason.contains("no consistency"), "{}", m.reason);
        assert_eq!(back, view, "a refused update changes nothing");

        // A tampered bundle in an honest log is bad data, not a fork.
        append(&store, &log, "uni.example/log", &[list("https://u/9", 1)]).unwrap();
        let id = TileId {
            level: 0,
            index: 1,
            width: 46,
        };
        let mut b = store.get(&id.entries_path()).unwrap();
        let last = b.len() - 1;
        b[last] ^= 1;
        store.write(&id.entries_path(), &b).unwrap();
        assert!(matches!(
            view.update(&policy, &store),
            Err(FollowError::Entries(_))
        ));
    }
}
