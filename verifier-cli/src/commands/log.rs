//! `civitas log`: a transparency log in a directory, laid out as c2sp.org/tlog-tiles says
//! (`DIR/checkpoint`, `DIR/tile/<L>/<N>`, `DIR/tile/entries/<N>`), servable as static files
//! by any web server, plus `DIR/vkey` (the log's signed-note verifier key, one line).
//!
//! The checkpoint is replaced only under an exclusive lock of `DIR/.lock` and only when it is
//! still the one the append started from (compare-and-swap); every file is written
//! atomically (a temporary file, synced, renamed).

use std::path::{Path, PathBuf};

use civitas_core::tlog::checkpoint::{Checkpoint, open_checkpoint};
use civitas_core::tlog::log::{LogError, LogStore};
use civitas_core::tlog::merkle::{Hash, leaf_hash, mth};
use civitas_core::tlog::note::{Note, NoteSigner, NoteVerifier, valid_key_name};
use civitas_core::tlog::tiles::{
    TILE_WIDTH, TileId, parse_bundle, tile_bytes, tile_from_leaves, tiles_of,
};

use crate::util::{CliError, CliResult, EXIT_INVALID, EXIT_VALID, escape, write_atomic};

#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Create an empty log in a new directory: its verifier key (DIR/vkey) and a signed
    /// checkpoint of size 0.
    #[command(
        after_help = "Example: civitas keygen --alg ed25519 -o log.key && civitas log init --key log.key --origin uni.example/log uni-log\n\nThe origin names the log in every checkpoint (a schema-less URL, e.g. the address it is served at, without https://). Publish DIR/vkey: verifiers and witnesses pin it."
    )]
    Init {
        /// The log's Ed25519 key file (civitas keygen --alg ed25519).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The log's origin (and key name).
        #[arg(long, value_name = "ORIGIN")]
        origin: String,
        /// The log directory (new or empty).
        dir: PathBuf,
    },
    /// Append entries (each file one entry) and sign the new checkpoint.
    #[command(
        after_help = "Example: civitas log append --key log.key uni-log entry1.bin entry2.bin"
    )]
    Append {
        /// The log's key file.
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// The log directory.
        dir: PathBuf,
        /// The entries (files of 1 to 65,535 bytes).
        #[arg(required = true)]
        entries: Vec<PathBuf>,
    },
    /// Audit a whole log: the checkpoint's signature, every entry bundle against its tile,
    /// every tile against the entries, and the root against the checkpoint.
    #[command(
        after_help = "Example: civitas log verify --vkey uni-log.vkey uni-log\n\nExit status: 0 the log is whole, 1 it is not (the reason is printed), 2 usage or input error."
    )]
    Verify {
        /// The log's verifier key file (default: DIR/vkey, which an auditor should not trust:
        /// pin the published one).
        #[arg(long, value_name = "VKEY")]
        vkey: Option<PathBuf>,
        /// The log directory.
        dir: PathBuf,
    },
}

/// A log directory as a [`LogStore`].
#[derive(Debug)]
pub struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    /// The log in `dir`.
    pub fn new(dir: &Path) -> DirStore {
        DirStore {
            dir: dir.to_owned(),
        }
    }

    fn path(&self, path: &str) -> Result<PathBuf, LogError> {
        if path
            .split('/')
            .any(|p| p.is_empty() || p == ".." || p.starts_with('.'))
        {
            return Err(LogError::Storage(format!("bad path {path}")));
        }
        Ok(self.dir.join(path))
    }
}

impl LogStore for DirStore {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, LogError> {
        let p = self.path(path)?;
        match std::fs::read(&p) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(LogError::Storage(format!("{}: {e}", p.display()))),
        }
    }

    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), LogError> {
        let p = self.path(path)?;
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| LogError::Storage(format!("{}: {e}", parent.display())))?;
        }
        write_atomic(&p, bytes, false).map_err(|e| LogError::Storage(e.message))
    }

    fn swap_checkpoint(&self, old: Option<&[u8]>, new: &[u8]) -> Result<bool, LogError> {
        let lock_path = self.dir.join(".lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| LogError::Storage(format!("{}: {e}", lock_path.display())))?;
        lock.lock()
            .map_err(|e| LogError::Storage(format!("{}: {e}", lock_path.display())))?;
        let current = self.read("checkpoint")?;
        if current.as_deref() != old {
            return Ok(false);
        }
        self.write("checkpoint", new)?;
        Ok(true)
    }

    fn remove_partials(&self, level: u8, index: u64) -> Result<(), LogError> {
        // A partial tile's path is `<full tile path>.p/<W>`: remove the `.p` directory.
        let full = TileId {
            level,
            index,
            width: 256,
        };
        let mut paths = vec![format!("{}.p", full.path())];
        if level == 0 {
            paths.push(format!("{}.p", full.entries_path()));
        }
        for p in paths {
            let dir = self.path(&p)?;
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(LogError::Storage(format!("{}: {e}", dir.display()))),
            }
        }
        Ok(())
    }
}

fn log_err(e: LogError) -> CliError {
    CliError::input(e.to_string())
}

/// The log's signer from its key file, named by the origin in `DIR/vkey`.
fn signer(key: &Path, origin: &str) -> CliResult<NoteSigner> {
    let (seed, _) = crate::util::load_ed25519_key(key, "a transparency log")?;
    NoteSigner::from_seed(origin, &seed, false).map_err(|e| CliError::input(e.to_string()))
}

fn read_vkey(path: &Path) -> CliResult<NoteVerifier> {
    let text = String::from_utf8(crate::util::read_bytes(path)?)
        .map_err(|_| CliError::input(format!("{} is not UTF-8", path.display())))?;
    NoteVerifier::parse(text.trim())
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

/// Append `entries` to the log in `dir` with `key`; the first entry's index and the new size.
pub fn append_entries(key: &Path, dir: &Path, entries: &[Vec<u8>]) -> CliResult<(u64, u64)> {
    let vkey = read_vkey(&dir.join("vkey"))?;
    let signer = signer(key, vkey.name())?;
    if signer.verifier() != vkey {
        return Err(CliError::input(format!(
            "{} is not the key of the log in {} (its vkey is {})",
            key.display(),
            dir.display(),
            escape(&vkey.vkey())
        )));
    }
    // One append at a time for the whole operation (tiles and bundles included), not only
    // the checkpoint's swap: two appends from one size would overwrite each other's tiles.
    // A file of its own: the swap locks `.lock`, and flock does not nest across handles.
    let lock_path = dir.join(".append.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| CliError::input(format!("{}: {e}", lock_path.display())))?;
    lock.lock()
        .map_err(|e| CliError::input(format!("{}: {e}", lock_path.display())))?;
    let store = DirStore::new(dir);
    let (first, note) =
        civitas_core::tlog::log::append(&store, &signer, vkey.name(), entries).map_err(log_err)?;
    drop(lock);
    let size = Note::parse(note.as_bytes())
        .ok()
        .and_then(|n| Checkpoint::parse(n.text()).ok())
        .map_or(0, |c| c.size);
    Ok((first, size))
}

pub fn run(cmd: LogCommand) -> CliResult<u8> {
    match cmd {
        LogCommand::Init { key, origin, dir } => {
            if !valid_key_name(&origin) {
                return Err(CliError::input(
                    "--origin must be non-empty, without spaces or + (e.g. uni.example/log)",
                ));
            }
            if dir.join("checkpoint").exists() {
                return Err(CliError::input(format!(
                    "{} already holds a log (checkpoint)",
                    dir.display()
                )));
            }
            let signer = signer(&key, &origin)?;
            std::fs::create_dir_all(&dir)
                .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
            let vkey = signer.verifier().vkey();
            write_atomic(&dir.join("vkey"), format!("{vkey}\n").as_bytes(), false)?;
            civitas_core::tlog::log::init(&DirStore::new(&dir), &signer, &origin)
                .map_err(log_err)?;
            println!("{vkey}");
            eprintln!(
                "created the log {} in {} (its verifier key, above, is in {}/vkey)",
                escape(&origin),
                dir.display(),
                dir.display()
            );
            Ok(EXIT_VALID)
        }
        LogCommand::Append { key, dir, entries } => {
            let bodies = entries
                .iter()
                .map(|p| crate::util::read_bytes(p))
                .collect::<CliResult<Vec<_>>>()?;
            let (first, size) = append_entries(&key, &dir, &bodies)?;
            println!(
                "appended {} entries at index {first}; the log now has {size} entries",
                bodies.len()
            );
            Ok(EXIT_VALID)
        }
        LogCommand::Verify { vkey, dir } => {
            let vkey_path = vkey.unwrap_or_else(|| dir.join("vkey"));
            let verifier = read_vkey(&vkey_path)?;
            match audit(&dir, &verifier) {
                Ok((size, root)) => {
                    println!(
                        "the log {} is whole: {size} entries, root {}",
                        escape(verifier.name()),
                        hex::encode(root)
                    );
                    Ok(EXIT_VALID)
                }
                Err(why) => {
                    println!("the log {} is NOT whole: {why}", escape(verifier.name()));
                    Ok(EXIT_INVALID)
                }
            }
        }
    }
}

/// Check a whole log; its size and root, or the first thing wrong.
fn audit(dir: &Path, verifier: &NoteVerifier) -> Result<(u64, Hash), String> {
    let store = DirStore::new(dir);
    let bytes = store
        .read("checkpoint")
        .map_err(|e| e.to_string())?
        .ok_or("no checkpoint")?;
    let signed = open_checkpoint(&bytes, verifier.name(), verifier, &[])
        .map_err(|e| format!("the checkpoint: {e}"))?;
    let size = signed.checkpoint().size;
    // Not preallocated from `size`: a hostile checkpoint may claim any size.
    let mut leaves: Vec<Hash> = Vec::new();
    let bundles = size.div_ceil(TILE_WIDTH);
    for index in 0..bundles {
        let width = if (index + 1) * TILE_WIDTH <= size {
            256
        } else {
            u16::try_from(size % TILE_WIDTH).unwrap_or(0)
        };
        let id = TileId {
            level: 0,
            index,
            width,
        };
        let bundle = store
            .read(&id.entries_path())
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{} is missing", id.entries_path()))?;
        let entries = parse_bundle(&bundle, width)
            .ok_or_else(|| format!("{} is truncated or damaged", id.entries_path()))?;
        leaves.extend(entries.iter().map(|e| leaf_hash(e)));
    }
    for id in tiles_of(size) {
        let want = tile_from_leaves(&leaves, id).ok_or("cannot compute a tile")?;
        let got = store
            .read(&id.path())
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{} is missing", id.path()))?;
        if got != tile_bytes(&want) {
            return Err(format!("{} does not match the entries", id.path()));
        }
    }
    let root = mth(&leaves);
    if root != signed.checkpoint().root {
        return Err("the entries do not give the checkpoint's root".into());
    }
    Ok((size, root))
}
