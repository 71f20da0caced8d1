//! The transparency log: appends per second (in memory and on disk, by batch size and with
//! a checkpoint every 100 ms and every second), the cost of verifying an
//! inclusion proof, a consistency proof and a checkpoint with k cosignatures, and proof sizes
//! against tree size; beside the floor of the same run, SHA-256 of the leaf and node hashes an
//! append must compute.
//!
//! Writes `target/bench/tlog.json` and prints a table. `CIVITAS_BENCH_ENTRIES` (default
//! 100,000) sets the log size.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

mod support;

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use civitas_core::tlog::{Checkpoint, open_checkpoint};
use civitas_core::tlog::{
    Hash, consistency_proof, inclusion_proof, leaf_hash, mth, node_hash, verify_consistency,
    verify_inclusion,
};
use civitas_core::tlog::{LogError, LogStore, append, init};
use civitas_core::tlog::{Note, NoteSigner};
use civitas_core::tlog::{TileHashes, TileId, TileReader};
use serde_json::json;

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

impl TileReader for Memory {
    fn read(&self, id: TileId) -> Option<Vec<u8>> {
        self.0.borrow().get(&id.path()).cloned()
    }
}

/// A store on disk (a directory, files written and renamed as a real log does, no fsync;
/// superseded partial tiles removed, as `civitas log` does).
struct Disk(std::path::PathBuf);

impl LogStore for Disk {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, LogError> {
        Ok(std::fs::read(self.0.join(path)).ok())
    }
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), LogError> {
        let p = self.0.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let tmp = p.with_extension("tmp");
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        Ok(())
    }
    fn swap_checkpoint(&self, old: Option<&[u8]>, new: &[u8]) -> Result<bool, LogError> {
        if std::fs::read(self.0.join("checkpoint")).ok().as_deref() != old {
            return Ok(false);
        }
        self.write("checkpoint", new)?;
        Ok(true)
    }
    fn remove_partials(&self, level: u8, index: u64) -> Result<(), LogError> {
        let full = TileId {
            level,
            index,
            width: 256,
        };
        let _ = std::fs::remove_dir_all(self.0.join(format!("{}.p", full.path())));
        if level == 0 {
            let _ = std::fs::remove_dir_all(self.0.join(format!("{}.p", full.entries_path())));
        }
        Ok(())
    }
}

fn entry(i: u64) -> Vec<u8> {
    // About the size of a status-list-version entry.
    let mut e = b"CIVTLOG1\x02".to_vec();
    e.extend_from_slice(&i.to_be_bytes());
    e.extend_from_slice(&[0u8; 8]);
    e.extend_from_slice(b"\x00\x1chttps://uni.example/status/1");
    e.extend_from_slice(&[7u8; 32]);
    e
}

fn appends_per_second(store: &dyn LogStore, key: &NoteSigner, n: u64, batch: u64) -> f64 {
    init(store, key, "uni.example/log").unwrap();
    let started = Instant::now();
    let mut next = 0;
    while next < n {
        let k = batch.min(n - next);
        let entries: Vec<Vec<u8>> = (next..next + k).map(entry).collect();
        append(store, key, "uni.example/log", &entries).unwrap();
        next += k;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let n = std::env::var("CIVITAS_BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000u64);
    let key = NoteSigner::from_seed("uni.example/log", &[5; 32], false).unwrap();

    // Appends: one checkpoint per batch. At 0.3 appends/s (10 million a year) a checkpoint
    // every 100 ms or 1 s carries one entry; the rates below say how far above that we are.
    let mut appends = Vec::new();
    for batch in [1u64, 16, 256, 4096] {
        let count = if batch == 1 { n.min(5_000) } else { n };
        let memory = Memory::default();
        let mem = appends_per_second(&memory, &key, count, batch);
        let dir =
            std::env::temp_dir().join(format!("civitas-bench-tlog-{}-{batch}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let disk = appends_per_second(&Disk(dir.clone()), &key, count.min(20_000), batch);
        let bytes: u64 = walk(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        appends.push(json!({"entries_per_checkpoint": batch, "entries": count,
            "in_memory_per_second": mem, "on_disk_per_second": disk,
            "bytes_on_disk_per_entry": bytes as f64 / count.min(20_000) as f64}));
    }

    // A log that checkpoints on a timer: entries arrive as fast as a producer thread makes
    // them, and every `interval` whatever has queued is appended under one new checkpoint
    // (on disk). The sustained rate, and how many entries each checkpoint carried.
    let mut timed = Vec::new();
    for interval_ms in [100u64, 1000] {
        let dir = std::env::temp_dir().join(format!(
            "civitas-bench-tlog-timer-{}-{interval_ms}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let disk = Disk(dir.clone());
        init(&disk, &key, "uni.example/log").unwrap();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(1 << 20);
        let run_for = Duration::from_millis(interval_ms * 5).max(Duration::from_secs(2));
        let producer = std::thread::spawn(move || {
            let mut i = 0u64;
            while tx.send(entry(i)).is_ok() {
                i += 1;
            }
        });
        let started = Instant::now();
        let (mut total, mut checkpoints_made) = (0usize, 0usize);
        while started.elapsed() < run_for {
            let tick = Instant::now();
            let mut queued: Vec<Vec<u8>> = rx.try_iter().collect();
            if queued.is_empty() {
                queued.push(rx.recv().unwrap());
            }
            total += queued.len();
            // One append takes at most MAX_APPEND entries: more queued means more appends.
            for batch in queued.chunks(civitas_core::tlog::MAX_APPEND) {
                append(&disk, &key, "uni.example/log", batch).unwrap();
                checkpoints_made += 1;
            }
            if let Some(rest) = Duration::from_millis(interval_ms).checked_sub(tick.elapsed()) {
                std::thread::sleep(rest);
            }
        }
        let secs = started.elapsed().as_secs_f64();
        drop(rx);
        producer.join().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        timed.push(json!({"checkpoint_every_ms": interval_ms, "seconds": secs,
            "entries": total, "checkpoints": checkpoints_made,
            "appends_per_second": total as f64 / secs}));
    }

    // The floor: the SHA-256 calls an append of one entry makes at the least (its leaf
    // hash and, amortised, one node hash).
    let leaf = leaf_hash(b"x");
    let floor_us = support::median_us(10_000, Duration::from_millis(300), || {
        std::hint::black_box(node_hash(
            &leaf_hash(std::hint::black_box(&entry(1))),
            &leaf,
        ));
    });

    // Proofs over a tree of n leaves, made from its tiles.
    let store = Memory::default();
    init(&store, &key, "uni.example/log").unwrap();
    let entries: Vec<Vec<u8>> = (0..n).map(entry).collect();
    let (_, note) = append(&store, &key, "uni.example/log", &entries).unwrap();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
    let root = mth(&leaves);
    let tiles = TileHashes::new(&store, n);
    let index = n / 3;
    let inc = inclusion_proof(&tiles, index, n).unwrap();
    let inclusion_us = support::median_us(2_000, Duration::from_millis(300), || {
        verify_inclusion(index, n, &leaves[index as usize], &inc, &root).unwrap();
    });
    let old = n / 2 + 1;
    let cons = consistency_proof(&tiles, old, n).unwrap();
    let old_root = mth(&leaves[..old as usize]);
    let consistency_us = support::median_us(2_000, Duration::from_millis(300), || {
        verify_consistency(old, n, &old_root, &root, &cons).unwrap();
    });
    let prove_us = support::median_us(200, Duration::from_millis(300), || {
        let t = TileHashes::new(&store, n);
        inclusion_proof(&t, index, n).unwrap();
    });

    // A checkpoint with k cosignatures.
    let text = Note::parse(note.as_bytes()).unwrap().text().to_owned();
    let mut checkpoints = Vec::new();
    for k in [0usize, 1, 3, 5] {
        let witnesses: Vec<NoteSigner> = (0..k)
            .map(|i| {
                NoteSigner::from_seed(&format!("w{i}.example"), &[10 + i as u8; 32], true).unwrap()
            })
            .collect();
        let mut signers: Vec<&NoteSigner> = vec![&key];
        signers.extend(witnesses.iter());
        let signed = Note::sign(&text, &signers, 1_800_000_000).unwrap();
        let verifiers: Vec<_> = witnesses.iter().map(NoteSigner::verifier).collect();
        let log = key.verifier();
        let us = support::median_us(500, Duration::from_millis(300), || {
            let c =
                open_checkpoint(signed.as_bytes(), "uni.example/log", &log, &verifiers).unwrap();
            assert_eq!(c.cosigned_by().len(), k);
        });
        checkpoints.push(json!({"cosignatures": k, "verify_us": us, "bytes": signed.len()}));
    }
    let _ = Checkpoint::parse(&text).unwrap();

    // Proof sizes against tree size (the hashes of a proof at the middle of the tree).
    let sizes: Vec<_> = [1_000u64, 1_000_000, 100_000_000, 10_000_000_000]
        .iter()
        .map(|&s| {
            let hashes = 64 - (s - 1).leading_zeros();
            json!({"tree_size": s, "inclusion_hashes": hashes, "inclusion_bytes": hashes * 32})
        })
        .collect();

    let result = json!({
        "entries": n,
        "appends": appends,
        "timed_checkpoints": timed,
        "floor_sha256_per_entry_us": floor_us,
        "inclusion": {"hashes": inc.len(), "bytes": inc.len() * 32, "verify_us": inclusion_us, "prove_from_tiles_us": prove_us},
        "consistency": {"from": old, "to": n, "hashes": cons.len(), "verify_us": consistency_us},
        "checkpoints": checkpoints,
        "proof_sizes": sizes,
    });
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("tlog.json"),
        serde_json::to_string_pretty(&result).unwrap(),
    )
    .unwrap();
    println!("transparency log ({n} entries)");
    for a in &appends {
        println!(
            "  {:>5} entries per checkpoint: {:>9.0} appends/s in memory, {:>8.0} on disk, {:.0} bytes on disk per entry",
            a["entries_per_checkpoint"],
            a["in_memory_per_second"].as_f64().unwrap(),
            a["on_disk_per_second"].as_f64().unwrap(),
            a["bytes_on_disk_per_entry"].as_f64().unwrap()
        );
    }
    for t in &timed {
        println!(
            "  checkpoint every {:>4} ms: {:>9.0} appends/s on disk ({} entries under {} checkpoints)",
            t["checkpoint_every_ms"],
            t["appends_per_second"].as_f64().unwrap(),
            t["entries"],
            t["checkpoints"]
        );
    }
    println!("  floor: SHA-256 of a leaf and a node            {floor_us:.2} µs per entry");
    println!(
        "  inclusion proof: {} hashes, verify {inclusion_us:.1} µs, made from tiles in {prove_us:.1} µs",
        inc.len()
    );
    println!(
        "  consistency proof {old} -> {n}: {} hashes, verify {consistency_us:.1} µs",
        cons.len()
    );
    for c in &checkpoints {
        println!(
            "  checkpoint with {} cosignatures: verify {:.1} µs ({} bytes)",
            c["cosignatures"],
            c["verify_us"].as_f64().unwrap(),
            c["bytes"]
        );
    }
    println!("written to target/bench/tlog.json");
}

fn walk(dir: &std::path::Path) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        total += if p.is_dir() {
            walk(&p)
        } else {
            e.metadata().unwrap().len()
        };
    }
    total
}
