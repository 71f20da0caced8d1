//! Witnessing on loopback: the time from a log-signed checkpoint to one cosigned by 3
//! witnesses (`civitas serve` witness processes), beside the floor of the same run (the
//! witnesses' work in this process: verifying the log's signature and the consistency proof,
//! and cosigning, three times, with no HTTP), and the whole `civitas log append` of one entry
//! with and without the 3-witness policy.
//!
//! 1. Starts 3 witness-only `civitas serve` processes (scratch directory, ports chosen by the
//!    system) following one log.
//! 2. Timed, N times: a checkpoint one entry larger is signed in-process, then posted to the
//!    3 witnesses in turn (`add-checkpoint` with its consistency proof) and the 3
//!    cosignatures merged and checked under the quorum (`all`).
//! 3. Timed, the floor: the same 3 cosignatures made by core's `Witness` in this process.
//! 4. Timed: `civitas log append` (process start included) of one entry, M times with the
//!    policy and M times without.
//!
//! Writes `target/bench/witness.json` and prints a table. Options (environment):
//! `CIVITAS_BENCH_N` (default 200), `CIVITAS_BENCH_M` (20).
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use civitas_core::tlog::Checkpoint;
use civitas_core::tlog::Policy;
use civitas_core::tlog::{AddCheckpoint, Cosigned, Witness, merge_cosignatures};
use civitas_core::tlog::{Hash, consistency_proof, leaf_hash, mth};
use civitas_core::tlog::{Note, NoteSigner, NoteVerifier};
use serde_json::json;

fn civitas() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civitas"))
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = civitas().current_dir(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "civitas {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Start witness `i` following `logs`: the process, its URL and its verifier key.
fn start_witness(dir: &Path, i: usize, logs: &[&str]) -> (Killed, String, String) {
    let wdir = dir.join(format!("w{i}"));
    std::fs::create_dir_all(&wdir).unwrap();
    run(
        dir,
        &["keygen", "--alg", "ed25519", "-o", &format!("w{i}.key")],
    );
    let name = format!("w{i}.example/witness");
    let vkey = run(
        dir,
        &[
            "log",
            "vkey",
            "--witness",
            "--name",
            &name,
            &format!("w{i}.key"),
        ],
    );
    std::fs::write(
        wdir.join("witness.toml"),
        format!(
            "[witness]\nkey = \"../w{i}.key\"\nname = \"{name}\"\nstate_dir = \"state\"\nlogs = {}\n",
            serde_json::to_string(logs).unwrap()
        ),
    )
    .unwrap();
    let mut child = civitas()
        .args(["serve", "--port", "0", "--config"])
        .arg(wdir.join("witness.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.strip_prefix("civitas serve: witnessing at ") {
            break rest.trim_end_matches("/add-checkpoint").to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Killed(child), url, vkey)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("CIVITAS_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let m: usize = std::env::var("CIVITAS_BENCH_M")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("civitas-bench-witness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // An in-process log key for step 2, and the CLI's log for step 4.
    let log = NoteSigner::from_seed("bench.example/log", &[11; 32], false).unwrap();
    let log_vkey = log.verifier().vkey();
    run(&dir, &["keygen", "--alg", "ed25519", "-o", "cli-log.key"]);
    let cli_vkey = run(
        &dir,
        &["log", "vkey", "--name", "cli.example/log", "cli-log.key"],
    );
    let mut servers = Vec::new();
    let mut witnesses: Vec<(String, NoteVerifier)> = Vec::new();
    let mut policy = format!("log {log_vkey}\nlog {cli_vkey}\n");
    for i in 0..3 {
        // Each witness follows both logs.
        let (server, url, vkey) = start_witness(&dir, i, &[&log_vkey, &cli_vkey]);
        policy.push_str(&format!("witness w{i} {vkey} {url}\n"));
        witnesses.push((url, NoteVerifier::parse(&vkey).unwrap()));
        servers.push(server);
    }
    policy.push_str("group all3 all w0 w1 w2\nquorum all3\n");
    let parsed = Policy::parse(&policy).unwrap();

    // 2. A checkpoint one entry larger each time, cosigned by the 3 witnesses over HTTP.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut leaves: Vec<Hash> = Vec::new();
    let checkpoint = |leaves: &[Hash]| {
        let text = Checkpoint {
            origin: "bench.example/log".into(),
            size: leaves.len() as u64,
            root: mth(leaves),
            extensions: Vec::new(),
        }
        .to_text();
        Note::sign(&text, &[&log], 0).unwrap()
    };
    let mut times = Vec::new();
    let mut cosigned_bytes = 0;
    for i in 0..n {
        let old = leaves.len() as u64;
        leaves.push(leaf_hash(&(i as u64).to_be_bytes()));
        let note = checkpoint(&leaves);
        let started = Instant::now();
        let proof = if old == 0 {
            Vec::new()
        } else {
            consistency_proof(leaves.as_slice(), old, leaves.len() as u64).unwrap()
        };
        let body = AddCheckpoint {
            old_size: old,
            proof,
            note: note.clone(),
        }
        .to_bytes();
        let mut merged = Note::parse(note.as_bytes()).unwrap();
        for (url, key) in &witnesses {
            let mut r = agent
                .post(format!("{url}/add-checkpoint"))
                .send(&body[..])
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
            let text = r.body_mut().read_to_string().unwrap();
            merge_cosignatures(&mut merged, text.as_bytes(), key).unwrap();
        }
        let out = merged.to_text();
        parsed.check(out.as_bytes(), "bench.example/log").unwrap();
        times.push(started.elapsed().as_secs_f64() * 1e6);
        cosigned_bytes = out.len();
    }
    let http_us = median(times);

    // 3. The floor: the 3 witnesses' checks and cosignatures in this process.
    let local: Vec<Witness> = (0..3)
        .map(|i| {
            Witness::new(
                NoteSigner::from_seed(&format!("f{i}.example"), &[20 + i as u8; 32], true).unwrap(),
                vec![log.verifier()],
            )
            .unwrap()
        })
        .collect();
    let size = leaves.len() as u64;
    let old = size - 1;
    let note = checkpoint(&leaves);
    let request = AddCheckpoint {
        old_size: old,
        proof: consistency_proof(leaves.as_slice(), old, size).unwrap(),
        note,
    };
    let latest = Cosigned {
        size: old,
        root: mth(&leaves[..old as usize]),
    };
    let mut floor = Vec::new();
    for _ in 0..n.max(200) {
        let started = Instant::now();
        for w in &local {
            std::hint::black_box(
                w.add_checkpoint(&request, Some(latest), 1_800_000_000)
                    .unwrap(),
            );
        }
        floor.push(started.elapsed().as_secs_f64() * 1e6);
    }
    let floor_us = median(floor);

    // 4. `civitas log append` of one entry, with and without the policy.
    std::fs::write(
        dir.join("entry"),
        b"CIVTLOG1\x03................................",
    )
    .unwrap();
    std::fs::write(dir.join("policy"), &policy).unwrap();
    let append_ms = |witnessed: bool| {
        let name = if witnessed {
            "witnessed-log"
        } else {
            "plain-log"
        };
        let mut args = vec![
            "log",
            "init",
            "--key",
            "cli-log.key",
            "--origin",
            "cli.example/log",
        ];
        if witnessed {
            args.extend(["--witness-policy", "policy"]);
        }
        args.push(name);
        run(&dir, &args);
        let mut t = Vec::new();
        for _ in 0..m {
            let started = Instant::now();
            run(
                &dir,
                &["log", "append", "--key", "cli-log.key", name, "entry"],
            );
            t.push(started.elapsed().as_secs_f64() * 1e3);
        }
        median(t)
    };
    let plain_ms = append_ms(false);
    let witnessed_ms = append_ms(true);
    // The CLI log's witnesses must have moved on with it.
    drop(servers);

    let result = json!({
        "witnesses": 3,
        "checkpoints": n,
        "cosigned_checkpoint_over_http_us": http_us,
        "floor_three_cosignatures_in_process_us": floor_us,
        "cosigned_checkpoint_bytes": cosigned_bytes,
        "cli_append": {"runs": m, "plain_ms": plain_ms, "witnessed_ms": witnessed_ms},
    });
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("witness.json"),
        serde_json::to_string_pretty(&result).unwrap(),
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    println!("witnessing on loopback (3 witnesses, {n} checkpoints)");
    println!(
        "  log-signed -> cosigned by 3 over HTTP: {:>8.0} µs median ({cosigned_bytes} bytes)",
        http_us
    );
    println!("  floor: the 3 witnesses' work in-process: {floor_us:>8.0} µs");
    println!(
        "  civitas log append, 1 entry: {plain_ms:.1} ms without witnesses, {witnessed_ms:.1} ms with 3 ({m} runs, process start included)"
    );
    println!("written to target/bench/witness.json");
}
