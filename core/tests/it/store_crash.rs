//! The wallet's encrypted store under `kill -9`: a child process (this test binary again, in
//! writer mode) writes credentials and the presentation history to an [`EncryptedFileStore`]
//! in a loop, reporting on stdout each write that returned; the parent kills it with SIGKILL
//! at random moments, [`KILLS`] times. After every kill the store opens with the same key,
//! every reported write is there with its exact bytes, nothing half-written is visible (every
//! listed record decrypts and is a complete write; temporary files are never listed), and the
//! next writer run continues where the store says the last one stopped.
//!
//! The records use the wallet's layout: a credential's id is the SHA-256 of its bytes, the
//! history is one record under [`HISTORY_RECORD_ID`] in the wallet's format, rewritten on
//! every presentation (so replacements are killed too), and [`Wallet::history`] reads it back.
#![expect(clippy::panic, clippy::unwrap_used, reason = "tests fail by panicking")]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use civitas_core::bbs2023::Bbs2023;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::wallet::{
    CredentialStore, EncryptedFileStore, HISTORY_RECORD_ID, Wallet, rfc3339_from_unix,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Environment variable naming the store directory: set, the child test is the writer.
const CHILD_ENV: &str = "STORE_CRASH_CHILD";
/// SIGKILLs sent in total.
const KILLS: usize = 200;
/// History entries kept in the history record (the wallet keeps more; the record only needs
/// to change on every write).
const HISTORY_KEPT: u64 = 40;
/// The writer stops by itself after this many credentials, should the parent be gone.
const CHILD_MAX_WRITES: u64 = 100_000;

fn key() -> Zeroizing<[u8; 32]> {
    Zeroizing::new([0x5au8; 32])
}

/// The bytes of credential number `n`: some JSON, 100 to ~6,000 bytes long depending on `n`.
fn credential(n: u64) -> Vec<u8> {
    let pad = usize::try_from((n * 7919) % 6000).unwrap();
    serde_json::to_vec(&json!({
        "type": ["VerifiableCredential", "CrashTestCredential"],
        "seq": n,
        "pad": "x".repeat(pad),
    }))
    .unwrap()
}

/// The wallet's id of credential `n`: lower-case hex SHA-256 of its bytes.
fn credential_id(n: u64) -> String {
    hex::encode(Sha256::digest(credential(n)))
}

/// The history record after presentation `n`, in the wallet's format: the last
/// [`HISTORY_KEPT`] presentations, the sequence number in each entry's domain.
fn history(n: u64) -> Vec<u8> {
    let entries: Vec<_> = (n.saturating_sub(HISTORY_KEPT - 1)..=n)
        .map(|k| {
            json!({
                "at": rfc3339_from_unix(1_800_000_000 + k),
                "domain": format!("https://desk.example/{k}"),
                "credentialId": credential_id(k),
                "disclosedPointers": ["/issuer", "/credentialSubject/degree/name"],
            })
        })
        .collect();
    serde_json::to_vec(&json!({"version": 1, "entries": entries})).unwrap()
}

fn wallet(store: EncryptedFileStore) -> Wallet {
    Wallet::new(
        Arc::new(store),
        Bbs2023::new(Arc::new(JsonLdProcessor::default())),
    )
}

/// The number of the last presentation the history records, from the wallet's own reading.
fn last_presentation(store: EncryptedFileStore) -> Option<u64> {
    let history = wallet(store).history().unwrap();
    history.last().map(|e| {
        e.domain
            .as_deref()
            .unwrap()
            .strip_prefix("https://desk.example/")
            .unwrap()
            .parse()
            .unwrap()
    })
}

/// The writer: continues after the last recorded presentation; for each number, stores the
/// credential, reports `C n`, rewrites the history, reports `H n`. Each report is written
/// and flushed only after the store's `put` returned.
#[test]
fn store_crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return; // Not a child: nothing to do.
    };
    let dir = PathBuf::from(dir);
    let mut out = std::io::stdout().lock();
    let store = EncryptedFileStore::open(&dir, key()).unwrap();
    let start =
        last_presentation(EncryptedFileStore::open(&dir, key()).unwrap()).map_or(0, |h| h + 1);
    // On a line of its own: the harness has printed `test store_crash_child ... `.
    writeln!(out, "\nW START {start}").unwrap();
    out.flush().unwrap();
    for n in start..start + CHILD_MAX_WRITES {
        store.put(&credential_id(n), &credential(n)).unwrap();
        writeln!(out, "W C {n}").unwrap();
        out.flush().unwrap();
        store.put(HISTORY_RECORD_ID, &history(n)).unwrap();
        writeln!(out, "W H {n}").unwrap();
        out.flush().unwrap();
    }
}

/// SplitMix64: deterministic delays without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// One writer run killed after `delay`: the complete report lines it wrote.
fn run_and_kill(dir: &Path, delay: Duration) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store_crash::store_crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut r = BufReader::new(stdout);
        let mut line = String::new();
        // Only complete lines: a report cut by the kill does not count.
        while r.read_line(&mut line).unwrap() > 0 {
            // The test harness prints its own lines; the writer's start with `W `.
            if let Some(l) = line.strip_suffix('\n').and_then(|l| l.strip_prefix("W ")) {
                lines.push(l.to_owned());
            }
            line.clear();
        }
        lines
    });
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the writer finished before it was killed ({status})"
    );
    reader.join().unwrap()
}

#[derive(Default)]
struct Seen {
    /// Every credential number reported as written.
    credentials: BTreeSet<u64>,
    /// The last presentation reported as recorded.
    last_history: Option<u64>,
    /// The highest number any run reported (a write of the next one may have completed
    /// unreported).
    highest: Option<u64>,
}

#[test]
fn the_encrypted_store_survives_kill_9() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("civitas-store-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = Rng(0x00c1_71a5_u64);
    let mut seen = Seen::default();
    let mut ids: BTreeMap<String, u64> = BTreeMap::new();
    let mut stored_history: Option<u64> = None;
    let (mut runs_with_writes, mut verified_reads) = (0usize, 0usize);
    let (mut temp_files_left, mut kills_leaving_temp) = (0usize, 0usize);
    for kill in 0..KILLS {
        let delay = Duration::from_millis(2 + rng.next() % 59);
        let lines = run_and_kill(&dir, delay);
        let mut wrote = false;
        for line in &lines {
            let (what, n) = line.split_once(' ').unwrap();
            let n: u64 = n.parse().unwrap();
            match what {
                "START" => {
                    // The run continues right after the last presentation the store held
                    // when the previous run was killed.
                    assert_eq!(
                        n,
                        stored_history.map_or(0, |h| h + 1),
                        "kill {kill}: the writer resumed at {n}"
                    );
                }
                "C" => {
                    seen.credentials.insert(n);
                    wrote = true;
                }
                "H" => seen.last_history = Some(n),
                other => panic!("unexpected report {other}"),
            }
            if what != "START" {
                seen.highest = seen.highest.max(Some(n));
            }
        }
        runs_with_writes += usize::from(wrote);
        let next = seen.highest.map_or(0, |h| h + 1);
        for n in ids.values().copied().max().map_or(0, |m| m + 1)..=next {
            ids.insert(credential_id(n), n);
        }

        let temp_files = || {
            std::fs::read_dir(&dir)
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .starts_with(".tmp-")
                })
                .count()
        };
        let left = temp_files();
        temp_files_left += left;
        kills_leaving_temp += usize::from(left > 0);
        // The store opens with the same key, and removes what the killed write left.
        let store = EncryptedFileStore::open(&dir, key())
            .unwrap_or_else(|e| panic!("kill {kill}: the store does not open: {e}"));
        // Every listed record decrypts (list fails otherwise) and is a complete write.
        let listed = store
            .list()
            .unwrap_or_else(|e| panic!("kill {kill}: listing fails: {e}"));
        let listed: BTreeSet<String> = listed.into_iter().collect();
        for id in &listed {
            let bytes = store.get(id).unwrap().unwrap();
            verified_reads += 1;
            if id == HISTORY_RECORD_ID {
                continue; // checked below
            }
            let n = *ids
                .get(id)
                .unwrap_or_else(|| panic!("kill {kill}: a record no writer wrote: {id}"));
            assert!(n <= next, "kill {kill}: credential {n} was never started");
            assert_eq!(bytes, credential(n), "kill {kill}: credential {n} differs");
        }
        // Every reported credential is there.
        for &n in &seen.credentials {
            assert!(
                listed.contains(&credential_id(n)),
                "kill {kill}: reported credential {n} is missing"
            );
        }
        // The history is the last reported one, or the next one (written, not reported).
        match (store.get(HISTORY_RECORD_ID).unwrap(), seen.last_history) {
            (None, None) => stored_history = None,
            (None, Some(h)) => panic!("kill {kill}: history {h} was reported and is gone"),
            (Some(bytes), last) => {
                let h = last_presentation(EncryptedFileStore::open(&dir, key()).unwrap()).unwrap();
                // Never behind what was reported or what was stored before; ahead of the
                // reports only by writes that returned unreported.
                assert!(
                    Some(h) >= last && Some(h) >= stored_history,
                    "kill {kill}: history at {h}, last reported {last:?}, stored before {stored_history:?}"
                );
                assert!(h <= next, "kill {kill}: history {h} was never started");
                assert_eq!(bytes, history(h), "kill {kill}: history {h} differs");
                stored_history = Some(h);
            }
        }
        assert_eq!(temp_files(), 0, "kill {kill}: open left temporary files");
    }
    let files = std::fs::read_dir(&dir).unwrap().count();
    println!(
        "{KILLS} kills in {:.1} s; {runs_with_writes} runs reported a write; {} credentials and {:?} presentations reported; {verified_reads} records read back and compared; {files} files in the store; {kills_leaving_temp} kills left a temporary file ({temp_files_left} in all), each removed by the next open",
        started.elapsed().as_secs_f64(),
        seen.credentials.len(),
        seen.last_history.map(|h| h + 1),
    );
    let _ = std::fs::remove_dir_all(&dir);
}
