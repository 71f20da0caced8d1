//! `civitas log`: a transparency log in a directory, laid out as c2sp.org/tlog-tiles says
//! (`DIR/checkpoint`, `DIR/tile/<L>/<N>`, `DIR/tile/entries/<N>`), servable as static files
//! by any web server, plus `DIR/vkey` (the log's signed-note verifier key, one line).
//!
//! The checkpoint is replaced only under an exclusive lock of `DIR/.lock` and only when it is
//! still the one the append started from (compare-and-swap); every file is written
//! atomically (a temporary file, synced, renamed).

use std::path::{Path, PathBuf};

use civitas_core::tlog::{Checkpoint, open_checkpoint};
use civitas_core::tlog::{Hash, leaf_hash, mth};
use civitas_core::tlog::{LogError, LogStore};
use civitas_core::tlog::{Note, NoteSigner, NoteVerifier, valid_key_name};
use civitas_core::tlog::{
    TILE_WIDTH, TileId, parse_bundle, tile_bytes, tile_from_leaves, tiles_of,
};

use civitas_core::tlog::Policy;

use super::witnessing::{
    Collected, PENDING_FILE, POLICY_FILE, Pending, collect, log_policy, pending_path, read_pending,
    read_policy, write_pending,
};
use crate::util::{
    CliError, CliResult, EXIT_INVALID, EXIT_VALID, escape, read_bytes, write_atomic,
};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum LogCommand {
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
        /// Witness every checkpoint under this c2sp.org/tlog-policy file (kept as
        /// DIR/.witness-policy): appends publish only once its quorum has cosigned.
        #[arg(long, value_name = "POLICY")]
        witness_policy: Option<PathBuf>,
        /// The log directory (new or empty).
        dir: PathBuf,
    },
    /// Have the log's witnesses cosign: finish a checkpoint that waits for its quorum, or
    /// refresh the cosignatures of the current one.
    #[command(
        after_help = "Example: civitas log witness --policy uni-log.policy uni-log\n\nThe policy (c2sp.org/tlog-policy) names the log, its witnesses with their URLs, and the quorum; given here it is kept as DIR/.witness-policy for later appends."
    )]
    Witness {
        /// The witness policy (default: the one kept in DIR/.witness-policy).
        #[arg(long, value_name = "POLICY")]
        policy: Option<PathBuf>,
        /// The log directory.
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
    /// Follow a log as a monitor: check each new checkpoint against the policy and for
    /// consistency with the last one seen, and report any revocation undone and any two
    /// versions of a status list with overlapping validity and different content.
    #[command(
        after_help = "Example: civitas log monitor --policy logs.policy --state monitor-state --status-dir published-lists https://uni.example/log\n\nLOG is the log's URL (https://, http:// to this machine) or directory. With --vkey instead of --policy, the log's own signature is enough (no witnesses).\n\nExit status: 0 nothing wrong, 1 an alert (un-revocation, fork, a served list that is not the latest logged), 2 usage or input error. Run it from cron; the state directory must be kept."
    )]
    Monitor {
        /// Where the monitor keeps what it saw (the last checkpoint per log, copies of the
        /// list versions it compared).
        #[arg(long, value_name = "DIR")]
        state: PathBuf,
        /// A c2sp.org/tlog-policy file naming the log (and its witnesses and quorum).
        #[arg(
            long,
            value_name = "POLICY",
            required_unless_present = "vkey",
            conflicts_with = "vkey"
        )]
        policy: Option<PathBuf>,
        /// The log's verifier key file (no witnesses required).
        #[arg(long, value_name = "VKEY")]
        vkey: Option<PathBuf>,
        /// Published status list files, matched to log entries by their SHA-256 (otherwise
        /// each list is fetched from its https:// URL).
        #[arg(long, value_name = "DIR")]
        status_dir: Option<PathBuf>,
        /// The log: its URL or directory.
        log: String,
    },
    /// Record an issuer key event (added, rotated, retired) in the log.
    #[command(
        after_help = "Example: civitas log key --key log.key --event retired --issuer-key old-bbs.key uni-log\n\nVerifiers with --log-policy accept credentials only from issuer keys their log lists as added and not retired. Give --issuer-key (a key file; only its public key is read) or --key-id (the verification method URL)."
    )]
    Key {
        /// The log's key file.
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// What happened to the issuer key.
        #[arg(long, value_enum)]
        event: KeyEventArg,
        /// The issuer's key file (its public key names it).
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present = "key_id",
            conflicts_with = "key_id"
        )]
        issuer_key: Option<PathBuf>,
        /// The issuer key's verification method URL (did:key:...#...).
        #[arg(long, value_name = "URL")]
        key_id: Option<String>,
        /// The log directory.
        dir: PathBuf,
    },
    /// Print the signed-note verifier key of an Ed25519 key file under a name: a log's
    /// (the name is its origin) or, with --witness, a witness's, for policy files.
    #[command(
        after_help = "Example: civitas log vkey --witness --name audit.example/witness witness.key"
    )]
    Vkey {
        /// The key name (a log's origin, a witness's name).
        #[arg(long, value_name = "NAME")]
        name: String,
        /// A witness's cosignature key (type 0x04) instead of a log's.
        #[arg(long)]
        witness: bool,
        /// The Ed25519 key file.
        key: PathBuf,
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
pub(crate) struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    /// The log in `dir`.
    pub(crate) fn new(dir: &Path) -> DirStore {
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
pub(crate) fn append_entries(key: &Path, dir: &Path, entries: &[Vec<u8>]) -> CliResult<(u64, u64)> {
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
    if read_pending(dir)?.is_some() {
        return Err(CliError::input(format!(
            "a checkpoint of the log in {} awaits its witnesses' quorum ({}): run `civitas log witness {}` first",
            dir.display(),
            PENDING_FILE,
            dir.display()
        )));
    }
    let Some(policy) = log_policy(dir)? else {
        let (first, note) =
            civitas_core::tlog::append(&store, &signer, vkey.name(), entries).map_err(log_err)?;
        drop(lock);
        let size = Note::parse(note.as_bytes())
            .ok()
            .and_then(|n| Checkpoint::parse(n.text()).ok())
            .map_or(0, |c| c.size);
        return Ok((first, size));
    };
    let staged =
        civitas_core::tlog::stage(&store, &signer, vkey.name(), entries).map_err(log_err)?;
    let collected = collect(
        &policy,
        &store,
        vkey.name(),
        &staged.note,
        staged.size,
        staged.old_size,
    )?;
    if !collected.quorum {
        write_pending(
            dir,
            &Pending {
                old: String::from_utf8_lossy(&staged.old).into_owned(),
                old_size: staged.old_size,
                note: staged.note.clone(),
            },
        )?;
        return Err(not_witnessed(dir, &collected));
    }
    civitas_core::tlog::publish(&store, &staged, &collected.note).map_err(log_err)?;
    drop(lock);
    report_cosigned(&collected);
    Ok((staged.first, staged.size))
}

fn not_witnessed(dir: &Path, c: &Collected) -> CliError {
    let mut msg = format!(
        "the new checkpoint is cosigned by {} only, short of the witness policy's quorum: it is NOT published (kept in {}/{}); run `civitas log witness {}` when the witnesses answer",
        if c.cosigned.is_empty() {
            "none".to_owned()
        } else {
            c.cosigned.join(", ")
        },
        dir.display(),
        PENDING_FILE,
        dir.display()
    );
    if !c.failures.is_empty() {
        msg.push_str(&format!(" (witness {})", c.failures.join("; witness ")));
    }
    CliError::input(msg)
}

fn report_cosigned(c: &Collected) {
    eprintln!("cosigned by {}", c.cosigned.join(", "));
    for f in &c.failures {
        eprintln!("  (witness {f})");
    }
}

/// The note with only the log's own signatures (the cosignatures are asked for afresh).
fn log_signed_only(note: &[u8], origin: &str) -> CliResult<String> {
    let n = Note::parse(note).map_err(|e| CliError::input(format!("the checkpoint: {e}")))?;
    let mut text = format!("{}\n", n.text());
    for s in n.signatures().iter().filter(|s| s.name == origin) {
        text.push_str(&s.line());
    }
    Ok(text)
}

/// `civitas log witness`: finish a pending checkpoint, or refresh the cosignatures of the
/// current one.
fn witness(policy_file: Option<&Path>, dir: &Path) -> CliResult<u8> {
    let vkey = read_vkey(&dir.join("vkey"))?;
    let policy = match policy_file {
        Some(p) => {
            let policy = read_policy(p)?;
            check_policy_names(&policy, &vkey, p)?;
            write_atomic(&dir.join(POLICY_FILE), &read_bytes(p)?, false)?;
            policy
        }
        None => log_policy(dir)?.ok_or_else(|| {
            CliError::input(format!(
                "the log in {} has no witness policy: give --policy POLICY (it is kept in {}/{})",
                dir.display(),
                dir.display(),
                POLICY_FILE
            ))
        })?,
    };
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
    let current = store
        .read("checkpoint")
        .map_err(log_err)?
        .ok_or_else(|| CliError::input(format!("{} holds no log", dir.display())))?;
    let signed = open_checkpoint(&current, vkey.name(), &vkey, &[])
        .map_err(|e| CliError::input(format!("the log's checkpoint: {e}")))?;
    if let Some(p) = read_pending(dir)? {
        if p.old.as_bytes() != current.as_slice() {
            return Err(CliError::input(format!(
                "{}/{} does not follow the published checkpoint (it was changed by hand?): inspect it; nothing was done",
                dir.display(),
                PENDING_FILE
            )));
        }
        let size = Note::parse(p.note.as_bytes())
            .ok()
            .and_then(|n| Checkpoint::parse(n.text()).ok())
            .map_or(0, |c| c.size);
        let c = collect(&policy, &store, vkey.name(), &p.note, size, p.old_size)?;
        if !c.quorum {
            return Err(not_witnessed(dir, &c));
        }
        civitas_core::tlog::publish_note(&store, current.as_slice(), &p.note, &c.note)
            .map_err(log_err)?;
        std::fs::remove_file(pending_path(dir))
            .map_err(|e| CliError::input(format!("{}: {e}", pending_path(dir).display())))?;
        report_cosigned(&c);
        println!("published the checkpoint of {size} entries");
        return Ok(EXIT_VALID);
    }
    let size = signed.checkpoint().size;
    let fresh = log_signed_only(&current, vkey.name())?;
    let c = collect(&policy, &store, vkey.name(), &fresh, size, size)?;
    if !c.quorum {
        return Err(not_witnessed(dir, &c));
    }
    civitas_core::tlog::recosign(&store, &current, &c.note).map_err(log_err)?;
    report_cosigned(&c);
    println!("the checkpoint of {size} entries is cosigned afresh");
    Ok(EXIT_VALID)
}

/// A witness policy for a log must name that log with its key.
fn check_policy_names(policy: &Policy, vkey: &NoteVerifier, file: &Path) -> CliResult<()> {
    match policy.log(vkey.name()) {
        Some(l) if l.key == *vkey => Ok(()),
        Some(_) => Err(CliError::input(format!(
            "{} names the log {} with another key than {}",
            file.display(),
            escape(vkey.name()),
            escape(&vkey.vkey())
        ))),
        None => Err(CliError::input(format!(
            "{} has no `log` line for {}: add `log {}`",
            file.display(),
            escape(vkey.name()),
            escape(&vkey.vkey())
        ))),
    }
}

/// Log issued credentials as salted commitments (each `(file, signed credential)`; see
/// `civitas_core::tlog::commit_credential`) and
/// write each one's offline inclusion proof beside it, `FILE.tlog-proof` (c2sp.org/tlog-proof,
/// its `extra` line the 32-byte salt the holder keeps; see `docs/formats.md`).
pub(crate) fn log_credentials(
    key: &Path,
    dir: &Path,
    issued: &[(PathBuf, serde_json::Value)],
) -> CliResult<()> {
    use civitas_core::tlog::TlogProof;
    use civitas_core::tlog::{LogEntry, commit_credential};
    use civitas_core::tlog::{inclusion_proof, verify_inclusion};
    if issued.is_empty() {
        return Ok(());
    }
    let mut salts = Vec::with_capacity(issued.len());
    let mut entries = Vec::with_capacity(issued.len());
    for (_, signed) in issued {
        let mut salt = [0u8; 32];
        getrandom::getrandom(&mut salt).map_err(|_| CliError::input("no system randomness"))?;
        // The issuer as the wallet finds it: the DID of the key that signed.
        let issuer = signed
            .pointer("/proof/verificationMethod")
            .and_then(serde_json::Value::as_str)
            .map(civitas_core::did::did_of_url)
            .ok_or_else(|| CliError::input("the credential has no proof to log"))?;
        let entry = LogEntry::Credential {
            commitment: commit_credential(issuer, &salt, signed),
        }
        .to_bytes()
        .ok_or_else(|| CliError::input("cannot encode a credential entry"))?;
        salts.push(salt);
        entries.push(entry);
    }
    let (first, _) = append_entries(key, dir, &entries)?;
    let vkey = read_vkey(&dir.join("vkey"))?;
    let store = DirStore::new(dir);
    let checkpoint = store
        .read("checkpoint")
        .map_err(log_err)?
        .ok_or_else(|| CliError::input("the log lost its checkpoint"))?;
    let signed = open_checkpoint(&checkpoint, vkey.name(), &vkey, &[])
        .map_err(|e| CliError::input(format!("the log's checkpoint: {e}")))?;
    let c = signed.checkpoint();
    let reader = civitas_core::tlog::StoreTiles(&store);
    let tiles = civitas_core::tlog::TileHashes::new(&reader, c.size);
    let text = String::from_utf8_lossy(&checkpoint).into_owned();
    for (i, ((file, _), (salt, entry))) in issued.iter().zip(salts.iter().zip(&entries)).enumerate()
    {
        let index = first + i as u64;
        let proof = inclusion_proof(&tiles, index, c.size)
            .map_err(|e| CliError::input(format!("no inclusion proof for entry {index}: {e}")))?;
        verify_inclusion(index, c.size, &leaf_hash(entry), &proof, &c.root).map_err(|e| {
            CliError::input(format!(
                "the log's tiles give a bad proof for entry {index}: {e}"
            ))
        })?;
        let out = TlogProof {
            extra: Some(salt.to_vec()),
            index,
            proof,
            checkpoint: text.clone(),
        };
        let mut path = file.clone().into_os_string();
        path.push(".tlog-proof");
        write_atomic(Path::new(&path), out.to_text().as_bytes(), false)?;
    }
    Ok(())
}

/// An issuer key event, as `--event` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum KeyEventArg {
    /// The key was put in use.
    Added,
    /// The key replaced another.
    Rotated,
    /// The key is no longer used.
    Retired,
}

/// Log a key event for the key whose verification method is `key_id`.
pub(crate) fn log_key_event(
    log_key: &Path,
    dir: &Path,
    event: KeyEventArg,
    key_id: &str,
) -> CliResult<(u64, u64)> {
    use civitas_core::tlog::{KeyEvent, LogEntry};
    let entry = LogEntry::Key {
        event: match event {
            KeyEventArg::Added => KeyEvent::Added,
            KeyEventArg::Rotated => KeyEvent::Rotated,
            KeyEventArg::Retired => KeyEvent::Retired,
        },
        time: crate::util::now_unix(),
        key_id: key_id.to_owned(),
    }
    .to_bytes()
    .ok_or_else(|| CliError::input("the key id is too long for a log entry"))?;
    append_entries(log_key, dir, &[entry])
}

fn monitor(
    state: &Path,
    policy: Option<&Path>,
    vkey: Option<&Path>,
    status_dir: Option<&Path>,
    log: &str,
) -> CliResult<u8> {
    let url = if log.contains("://") {
        log.trim_end_matches('/').to_owned()
    } else {
        let p = std::fs::canonicalize(log)
            .map_err(|e| CliError::input(format!("{}: {e}", escape(log))))?;
        format!("file://{}", p.display())
    };
    let policy = match (policy, vkey) {
        (Some(p), _) => read_policy(p)?,
        (None, Some(v)) => {
            let key = read_vkey(v)?;
            Policy::parse(&format!("log {}\nquorum none\n", key.vkey()))
                .map_err(|e| CliError::input(e.to_string()))?
        }
        (None, None) => return Err(CliError::input("give --policy POLICY or --vkey VKEY")),
    };
    let chosen = match policy.logs() {
        [one] => one.clone(),
        many => many
            .iter()
            .find(|l| l.url.as_deref().map(|u| u.trim_end_matches('/')) == Some(url.as_str()))
            .cloned()
            .ok_or_else(|| {
                CliError::input(format!(
                    "the policy names several logs and none at {}",
                    escape(&url)
                ))
            })?,
    };
    let log = civitas_core::tlog::PolicyLog {
        key: chosen.key,
        url: Some(url),
    };
    let f = super::logview::monitor(&policy, &log, state, status_dir)?;
    println!(
        "monitored {}: {} entries, {} new",
        escape(log.key.name()),
        f.size,
        f.entries
    );
    for n in &f.notices {
        println!("notice: {n}");
    }
    for a in &f.alerts {
        println!("ALERT: {a}");
    }
    Ok(if f.alerts.is_empty() {
        EXIT_VALID
    } else {
        EXIT_INVALID
    })
}

pub(crate) fn run(cmd: LogCommand) -> CliResult<u8> {
    match cmd {
        LogCommand::Monitor {
            state,
            policy,
            vkey,
            status_dir,
            log,
        } => monitor(
            &state,
            policy.as_deref(),
            vkey.as_deref(),
            status_dir.as_deref(),
            &log,
        ),
        LogCommand::Key {
            key,
            event,
            issuer_key,
            key_id,
            dir,
        } => {
            let id = match (issuer_key, key_id) {
                (Some(f), _) => {
                    let public = match crate::util::load_key(&f)? {
                        crate::util::LoadedKey::Bbs { public, .. }
                        | crate::util::LoadedKey::P256 { public, .. }
                        | crate::util::LoadedKey::Ed25519 { public, .. } => public,
                    };
                    civitas_core::did::verification_method_id(&public)
                }
                (None, Some(id)) => {
                    civitas_core::did::parse_verification_method(&id)
                        .map_err(|e| CliError::input(format!("--key-id {}: {e}", escape(&id))))?;
                    id
                }
                (None, None) => {
                    return Err(CliError::input("give --issuer-key FILE or --key-id URL"));
                }
            };
            let (index, size) = log_key_event(&key, &dir, event, &id)?;
            println!(
                "logged key {} as {:?} at entry {index}; the log now has {size} entries",
                escape(&id),
                event
            );
            Ok(EXIT_VALID)
        }
        LogCommand::Vkey { name, witness, key } => {
            if !valid_key_name(&name) {
                return Err(CliError::input(
                    "--name must be non-empty, without spaces or +",
                ));
            }
            let (seed, _) = crate::util::load_ed25519_key(&key, "a log or witness")?;
            let signer = NoteSigner::from_seed(&name, &seed, witness)
                .map_err(|e| CliError::input(e.to_string()))?;
            println!("{}", signer.verifier().vkey());
            Ok(EXIT_VALID)
        }
        LogCommand::Witness { policy, dir } => witness(policy.as_deref(), &dir),
        LogCommand::Init {
            key,
            origin,
            witness_policy,
            dir,
        } => {
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
            let policy = match &witness_policy {
                Some(p) => {
                    let policy = read_policy(p)?;
                    check_policy_names(&policy, &signer.verifier(), p)?;
                    Some(read_bytes(p)?)
                }
                None => None,
            };
            std::fs::create_dir_all(&dir)
                .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
            let vkey = signer.verifier().vkey();
            write_atomic(&dir.join("vkey"), format!("{vkey}\n").as_bytes(), false)?;
            civitas_core::tlog::init(&DirStore::new(&dir), &signer, &origin).map_err(log_err)?;
            println!("{vkey}");
            if let Some(bytes) = policy {
                write_atomic(&dir.join(POLICY_FILE), &bytes, false)?;
                if let Err(e) = witness(None, &dir) {
                    eprintln!(
                        "warning: the empty log's checkpoint is not cosigned yet: {}",
                        e.message
                    );
                }
            }
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
