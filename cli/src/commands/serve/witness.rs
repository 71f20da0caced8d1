//! The witness role of `civitas serve` (c2sp.org/tlog-witness v1.0.0): `POST
//! /add-checkpoint` cosigns a checkpoint of a log it follows once the consistency proof from
//! the last checkpoint it cosigned verifies. The check and the state update happen under one
//! lock, and the new state is on disk (written atomically, synced) before the cosignature is
//! sent, so a crash or two racing requests cannot make it cosign a rollback.
//!
//! Requests it refuses as possible misbehaviour (an inconsistent proof, a second root for a
//! size it cosigned) are kept in `STATE/evidence/`, as the text allows.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use civitas_core::tlog::Hash;
use civitas_core::tlog::{AddCheckpoint, Cosigned, Witness, WitnessError};
use civitas_core::tlog::{NoteSigner, NoteVerifier, valid_key_name};
use civitas_core::tlog::{b64_decode, b64_encode};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::util::{CliError, CliResult, escape, read_bytes, write_atomic};

/// Largest `add-checkpoint` body.
const BODY_LIMIT: usize = 64 * 1024;

/// `[witness]` as written in the configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWitness {
    /// The witness's Ed25519 key file (civitas keygen --alg ed25519).
    key: PathBuf,
    /// Its name (the cosignature key name), e.g. `audit.example/witness`.
    name: String,
    /// Where it keeps the last checkpoint cosigned per log.
    state_dir: PathBuf,
    /// The logs it follows: signed-note verifier keys, inline.
    #[serde(default)]
    logs: Vec<String>,
    /// The logs it follows: files holding one verifier key each (a log's `vkey`).
    #[serde(default)]
    log_files: Vec<PathBuf>,
}

/// A running witness.
pub(crate) struct WitnessService {
    witness: Witness,
    state_dir: PathBuf,
    lock: Mutex<()>,
}

impl std::fmt::Debug for WitnessService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WitnessService")
            .field("witness", &self.witness)
            .field("state_dir", &self.state_dir)
            .finish_non_exhaustive()
    }
}

impl WitnessService {
    /// Load `[witness]` (paths relative to the configuration file's directory `base`).
    pub(crate) fn load(raw: RawWitness, base: &Path) -> CliResult<WitnessService> {
        if !valid_key_name(&raw.name) {
            return Err(CliError::input(
                "[witness] name must be non-empty, without spaces or + (e.g. audit.example/witness)",
            ));
        }
        let (seed, _) = crate::util::load_ed25519_key(&base.join(&raw.key), "a witness")?;
        let signer = NoteSigner::from_seed(&raw.name, &seed, true)
            .map_err(|e| CliError::input(format!("[witness] key: {e}")))?;
        let mut logs = Vec::new();
        for v in &raw.logs {
            logs.push(
                NoteVerifier::parse(v.trim())
                    .map_err(|e| CliError::input(format!("[witness] logs: {}: {e}", escape(v))))?,
            );
        }
        for f in &raw.log_files {
            let p = base.join(f);
            let text = String::from_utf8(read_bytes(&p)?)
                .map_err(|_| CliError::input(format!("{} is not UTF-8", p.display())))?;
            logs.push(
                NoteVerifier::parse(text.trim())
                    .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?,
            );
        }
        if logs.is_empty() {
            return Err(CliError::input(
                "[witness] follows no log: give logs = [\"<vkey>\"] or log_files = [\"uni-log/vkey\"]",
            ));
        }
        let state_dir = base.join(&raw.state_dir);
        std::fs::create_dir_all(&state_dir)
            .map_err(|e| CliError::input(format!("cannot create {}: {e}", state_dir.display())))?;
        let witness =
            Witness::new(signer, logs).map_err(|e| CliError::input(format!("[witness]: {e}")))?;
        Ok(WitnessService {
            witness,
            state_dir,
            lock: Mutex::new(()),
        })
    }

    /// The witness's verifier key (for the policies that name it).
    pub(crate) fn vkey(&self) -> String {
        self.witness.verifier().vkey()
    }

    fn state_path(&self, origin: &str) -> PathBuf {
        self.state_dir
            .join(hex::encode(Sha256::digest(origin.as_bytes())))
    }

    /// The last checkpoint cosigned for `origin`. A damaged state file is an error, never
    /// "nothing cosigned" (which would let a log roll back).
    fn latest(&self, origin: &str) -> Result<Option<Cosigned>, String> {
        let path = self.state_path(origin);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mut lines = text.lines();
        let ok = (|| {
            if lines.next()? != origin {
                return None;
            }
            let size = lines.next()?.parse().ok()?;
            let root: Hash = b64_decode(lines.next()?)?.try_into().ok()?;
            Some(Cosigned { size, root })
        })();
        ok.map(Some)
            .ok_or_else(|| format!("{} is damaged", path.display()))
    }

    fn keep_evidence(&self, origin: &str, body: &[u8]) {
        let dir = self.state_dir.join("evidence");
        let name = format!(
            "{}-{}",
            crate::util::now_unix(),
            hex::encode(Sha256::digest(body)).get(..16).unwrap_or("")
        );
        let _ = std::fs::create_dir_all(&dir);
        let _ = write_atomic(&dir.join(name), body, false);
        eprintln!(
            "civitas serve: witness: kept a refused checkpoint of {} as possible misbehaviour",
            escape(origin)
        );
    }

    /// Answer one `add-checkpoint` body: the status, the content type and the body.
    pub(crate) fn handle(&self, body: &[u8]) -> (StatusCode, &'static str, String) {
        let text = "text/plain; charset=utf-8";
        let refuse = |e: &WitnessError| {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            match e {
                WitnessError::Conflict { latest } => {
                    (status, "text/x.tlog.size", format!("{latest}\n"))
                }
                _ => (status, text, format!("{e}\n")),
            }
        };
        let request = match AddCheckpoint::parse(body) {
            Ok(r) => r,
            Err(e) => return refuse(&e),
        };
        let origin = match Witness::origin_of(&request) {
            Ok(o) => o,
            Err(e) => return refuse(&e),
        };
        // One request at a time: the check and the persisted update are one step.
        let _guard = self
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let latest = match self.latest(&origin) {
            Ok(l) => l,
            Err(why) => {
                eprintln!("civitas serve: witness: {why}");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    text,
                    "the witness's state is damaged\n".into(),
                );
            }
        };
        match self
            .witness
            .add_checkpoint(&request, latest, crate::util::now_unix())
        {
            Ok((state, line)) => {
                let record = format!("{origin}\n{}\n{}\n", state.size, b64_encode(&state.root));
                if let Err(e) = write_atomic(&self.state_path(&origin), record.as_bytes(), false) {
                    eprintln!("civitas serve: witness: {}", e.message);
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        text,
                        "the witness could not save its state\n".into(),
                    );
                }
                (StatusCode::OK, text, line)
            }
            Err(e) => {
                let suspicious = matches!(e, WitnessError::Inconsistent { .. })
                    || matches!(e, WitnessError::Conflict { latest: l } if l == request_size(&request));
                if suspicious {
                    self.keep_evidence(&origin, body);
                }
                refuse(&e)
            }
        }
    }
}

/// The checkpoint size a request carries (0 when unreadable; only used to tell a second
/// root for a cosigned size from a stale old size).
fn request_size(request: &AddCheckpoint) -> u64 {
    civitas_core::tlog::Note::parse(request.note.as_bytes())
        .ok()
        .and_then(|n| civitas_core::tlog::Checkpoint::parse(n.text()).ok())
        .map_or(0, |c| c.size)
}

async fn add_checkpoint(State(svc): State<Arc<WitnessService>>, body: Bytes) -> Response {
    let (status, kind, text) = match tokio::task::spawn_blocking(move || svc.handle(&body)).await {
        Ok(r) => r,
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "text/plain; charset=utf-8",
            "the witness failed\n".into(),
        ),
    };
    let mut r = (status, text).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The witness's routes (the submission prefix is the service's base URL).
pub(super) fn router<S: Clone + Send + Sync + 'static>(svc: Arc<WitnessService>) -> Router<S> {
    Router::new()
        .route("/add-checkpoint", post(add_checkpoint))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(svc)
}
