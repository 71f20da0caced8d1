//! Verification off the async threads, batched across requests.
//!
//! Every presentation the service verifies (desk responses and the VC API) goes into one
//! bounded queue. A verifier thread takes what is waiting, up to [`MAX_BATCH`], and checks it
//! with `civitas_core::bbs::verify_batch` on every core: alone when it is alone (no
//! added latency), in one multi-pairing when requests arrive together (the verdicts are the
//! same either way). A full queue answers "busy" at once rather than growing without bound.
//!
//! Status lists are read from the configured directory again whenever a file in it changes
//! (name, size or modification time), so a revocation counts from the next response.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use civitas_core::verifier::{Policy, Rejection, StatusLists, VerifiedPresentation, Verifier};
use serde_json::Value;
use tokio::sync::oneshot;

/// Most presentations checked in one batch.
pub(super) const MAX_BATCH: usize = 256;
/// Most presentations waiting.
pub(super) const MAX_QUEUE: usize = 4096;

/// A verifier's verdict.
pub(super) type Verdict = Result<VerifiedPresentation, Rejection>;

struct Job {
    presentation: Value,
    policy: Arc<Policy>,
    lists: Arc<StatusLists>,
    reply: oneshot::Sender<Verdict>,
}

/// The queue is full (or the verifier thread is gone).
#[derive(Debug, Clone, Copy)]
pub(super) struct Busy;

/// The shared verifier.
#[derive(Clone)]
pub(super) struct Pool {
    queue: SyncSender<Job>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}

impl Pool {
    /// Start the verifier thread, batching on `threads` cores.
    pub(super) fn start(verifier: Arc<Verifier>, threads: usize) -> std::io::Result<Pool> {
        let (queue, rx) = std::sync::mpsc::sync_channel(MAX_QUEUE);
        std::thread::Builder::new()
            .name("civitas-verify".into())
            .spawn(move || run(&verifier, &rx, threads.max(1)))?;
        Ok(Pool { queue })
    }

    /// Verify `presentations` (all under `policy` and `lists`), in order.
    pub(super) async fn verify(
        &self,
        presentations: Vec<Value>,
        policy: Arc<Policy>,
        lists: Arc<StatusLists>,
    ) -> Result<Vec<Verdict>, Busy> {
        let mut waiting = Vec::with_capacity(presentations.len());
        for presentation in presentations {
            let (reply, rx) = oneshot::channel();
            let job = Job {
                presentation,
                policy: Arc::clone(&policy),
                lists: Arc::clone(&lists),
                reply,
            };
            match self.queue.try_send(job) {
                Ok(()) => waiting.push(rx),
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => return Err(Busy),
            }
        }
        let mut out = Vec::with_capacity(waiting.len());
        for rx in waiting {
            out.push(rx.await.map_err(|_| Busy)?);
        }
        Ok(out)
    }
}

/// One presentation: a JSON one, or an SD-JWT VC in its compact form (a JSON string, as a
/// `vp_token` carries it).
fn verify_one(verifier: &Verifier, job: &Job) -> Verdict {
    match &job.presentation {
        Value::String(compact) => verifier.verify_sd_jwt(compact, &job.policy, &job.lists),
        other => verifier.verify(other, &job.policy, &job.lists),
    }
}

fn run(verifier: &Verifier, rx: &Receiver<Job>, threads: usize) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // A panic (a bug: verification returns errors, it does not panic) fails this batch
        // closed, its callers see "busy", and the thread goes on with the next batch.
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let [one] = batch.as_slice() {
                vec![verify_one(verifier, one)]
            } else {
                let jobs: Vec<_> = batch
                    .iter()
                    .map(|j| move || verify_one(verifier, j))
                    .collect();
                civitas_core::bbs::verify_batch(jobs, threads)
            }
        }));
        let Ok(verdicts) = run else {
            eprintln!(
                "civitas serve: a verification failed unexpectedly; its responses are refused"
            );
            continue;
        };
        for (job, verdict) in batch.into_iter().zip(verdicts) {
            // The request may have timed out and gone; nothing to do then.
            let _ = job.reply.send(verdict);
        }
    }
}

/// A directory's files by name, size and modification time.
type Fingerprint = Vec<(String, u64, Option<SystemTime>)>;

/// The status lists of a directory, read again when it changes.
#[derive(Debug)]
pub(super) struct StatusDir {
    dir: Option<PathBuf>,
    cached: Mutex<(Fingerprint, Arc<StatusLists>)>,
}

impl StatusDir {
    /// Lists from `dir` (none without one).
    pub(super) fn new(dir: Option<PathBuf>) -> StatusDir {
        StatusDir {
            dir,
            cached: Mutex::new((
                vec![("".into(), u64::MAX, None)],
                Arc::new(StatusLists::new()),
            )),
        }
    }

    fn fingerprint(dir: &Path) -> Fingerprint {
        let mut out: Vec<_> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| {
                        let m = e.metadata().ok()?;
                        Some((
                            e.file_name().to_string_lossy().into_owned(),
                            m.len(),
                            m.modified().ok(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }

    /// The current lists. A directory that cannot be used (two files for one list) gives no
    /// lists, so that every credential with a status fails its status check: never a stale
    /// "not revoked".
    pub(super) fn current(&self) -> Arc<StatusLists> {
        let Some(dir) = &self.dir else {
            return Arc::new(StatusLists::new());
        };
        let print = Self::fingerprint(dir);
        let mut cached = self
            .cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cached.0 != print {
            let lists = match crate::commands::verify::status_lists(Some(dir)) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("civitas serve: status lists not used: {}", e.message);
                    let mut l = StatusLists::new();
                    l.note_unusable(dir.display().to_string());
                    l
                }
            };
            *cached = (print, Arc::new(lists));
        }
        Arc::clone(&cached.1)
    }
}
