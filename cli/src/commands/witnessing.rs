//! The log's side of witnessing (c2sp.org/tlog-witness): send a new checkpoint with a
//! consistency proof to each witness of the log's policy, merge the cosignatures they return,
//! and publish only once the policy's quorum is met.
//!
//! A log directory whose `DIR/.witness-policy` exists is witnessed on every append (`civitas
//! log append`, `civitas status ... --log`, `civitas issue --log`). An append whose
//! checkpoint did not reach the quorum is not published: its signed checkpoint waits in
//! `DIR/.pending-checkpoint` (tiles are already written beyond the published size, which is
//! harmless), further appends are refused, and `civitas log witness DIR` finishes it. That
//! way no witness ever holds a cosigned checkpoint the log could abandon.

use std::path::{Path, PathBuf};
use std::time::Duration;

use civitas_core::openid4vp::transport_allowed;
use civitas_core::tlog::Note;
use civitas_core::tlog::Policy;
use civitas_core::tlog::TileHashes;
use civitas_core::tlog::consistency_proof;
use civitas_core::tlog::{AddCheckpoint, merge_cosignatures};
use civitas_core::tlog::{LogStore, StoreTiles};
use serde::{Deserialize, Serialize};

use crate::util::{CliError, CliResult, escape, read_bytes, write_atomic};

/// The log's witness policy, kept in its directory (not served: a dotfile).
pub(crate) const POLICY_FILE: &str = ".witness-policy";
/// A signed checkpoint waiting for its quorum.
pub(crate) const PENDING_FILE: &str = ".pending-checkpoint";

/// Longest witness answer read.
const MAX_ANSWER: u64 = 64 * 1024;

/// A checkpoint signed by the log and not yet published.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The checkpoint it replaces (the compare-and-swap's old value).
    pub old: String,
    /// Its tree size.
    pub old_size: u64,
    /// The new checkpoint, as the log signed it.
    pub note: String,
}

/// Read a witness policy file.
pub(crate) fn read_policy(path: &Path) -> CliResult<Policy> {
    let text = String::from_utf8(read_bytes(path)?)
        .map_err(|_| CliError::input(format!("{} is not UTF-8", path.display())))?;
    Policy::parse(&text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

/// The policy kept in the log directory, if any.
pub(crate) fn log_policy(dir: &Path) -> CliResult<Option<Policy>> {
    let p = dir.join(POLICY_FILE);
    if p.exists() {
        read_policy(&p).map(Some)
    } else {
        Ok(None)
    }
}

pub(crate) fn pending_path(dir: &Path) -> PathBuf {
    dir.join(PENDING_FILE)
}

/// The pending checkpoint of the log in `dir`, if any.
pub(crate) fn read_pending(dir: &Path) -> CliResult<Option<Pending>> {
    let p = pending_path(dir);
    if !p.exists() {
        return Ok(None);
    }
    let bytes = read_bytes(&p)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| CliError::input(format!("{} is damaged: {e}", p.display())))
}

pub(crate) fn write_pending(dir: &Path, pending: &Pending) -> CliResult<()> {
    let json = serde_json::to_vec_pretty(pending)
        .map_err(|e| CliError::input(format!("cannot record the pending checkpoint: {e}")))?;
    write_atomic(&pending_path(dir), &json, false)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// What collecting gave: the note with every cosignature received, who gave one, and why
/// the others did not.
#[derive(Debug)]
pub(crate) struct Collected {
    pub note: String,
    pub cosigned: Vec<String>,
    pub failures: Vec<String>,
    pub quorum: bool,
}

/// Ask every witness of `policy` with a URL to cosign `note` (of the log `origin`, tree
/// `size`), starting from `old_size` as the size each witness last cosigned and following
/// its 409 answer when it says otherwise. Consistency proofs come from the tiles in `store`.
pub(crate) fn collect(
    policy: &Policy,
    store: &dyn LogStore,
    origin: &str,
    note: &str,
    size: u64,
    old_size: u64,
) -> CliResult<Collected> {
    let mut merged = Note::parse(note.as_bytes())
        .map_err(|e| CliError::input(format!("the checkpoint to witness: {e}")))?;
    let reader = StoreTiles(store);
    let tiles = TileHashes::new(&reader, size);
    let agent = agent();
    let mut failures = Vec::new();
    for w in policy.witnesses() {
        let Some(url) = &w.url else {
            continue;
        };
        let endpoint = format!("{}/add-checkpoint", url.trim_end_matches('/'));
        if !transport_allowed(&endpoint) {
            failures.push(format!(
                "{}: only https:// (or http:// to this machine) is used",
                w.name
            ));
            continue;
        }
        let mut old = old_size.min(size);
        let mut outcome = Err(format!("{}: no answer", w.name));
        for _ in 0..3 {
            let proof = if old == 0 || old == size {
                Vec::new()
            } else {
                match consistency_proof(&tiles, old, size) {
                    Ok(p) => p,
                    Err(e) => {
                        outcome = Err(format!("{}: no consistency proof from {old}: {e}", w.name));
                        break;
                    }
                }
            };
            let body = AddCheckpoint {
                old_size: old,
                proof,
                note: note.to_owned(),
            }
            .to_bytes();
            let answer = agent
                .post(&endpoint)
                .header("Content-Type", "text/plain; charset=utf-8")
                .send(&body[..]);
            let mut answer = match answer {
                Ok(a) => a,
                Err(e) => {
                    outcome = Err(format!("{}: {}: {e}", w.name, escape(&endpoint)));
                    break;
                }
            };
            let status = answer.status().as_u16();
            let text = answer
                .body_mut()
                .with_config()
                .limit(MAX_ANSWER)
                .read_to_string()
                .unwrap_or_default();
            match status {
                200 => {
                    outcome = merge_cosignatures(&mut merged, text.as_bytes(), &w.key)
                        .map(|_| ())
                        .map_err(|e| format!("{}: its answer does not verify: {e}", w.name));
                    break;
                }
                409 => match text.trim().parse::<u64>() {
                    Ok(latest) if latest != old && latest <= size => old = latest,
                    Ok(latest) if latest > size => {
                        outcome = Err(format!(
                            "{}: it has cosigned a larger tree ({latest} entries) than this checkpoint's {size}: the log was rolled back",
                            w.name
                        ));
                        break;
                    }
                    _ => {
                        outcome = Err(format!(
                            "{}: 409, it holds another checkpoint of this size (a fork)",
                            w.name
                        ));
                        break;
                    }
                },
                _ => {
                    let first = text.lines().next().unwrap_or("");
                    outcome = Err(format!(
                        "{}: {status} {}",
                        w.name,
                        escape(&first.chars().take(200).collect::<String>())
                    ));
                    break;
                }
            }
        }
        if let Err(why) = outcome {
            failures.push(why);
        }
    }
    let text = merged.to_text();
    let (quorum, cosigned) = match policy.check(text.as_bytes(), origin) {
        Ok(c) => (true, c.witnesses().to_vec()),
        Err(_) => (false, cosigners(policy, &merged)),
    };
    Ok(Collected {
        note: text,
        cosigned,
        failures,
        quorum,
    })
}

/// The names of the policy's witnesses that signed `note` (signature lines matched by key
/// name and id; the caller verified them when merging).
fn cosigners(policy: &Policy, note: &Note) -> Vec<String> {
    policy
        .witnesses()
        .iter()
        .filter(|w| {
            note.signatures()
                .iter()
                .any(|s| s.name == w.key.name() && s.id == w.key.id())
        })
        .map(|w| w.name.clone())
        .collect()
}
