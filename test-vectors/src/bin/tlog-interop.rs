//! The Rust side of the Go transparency-log interop (`interop/tlog-go/run.sh`):
//!
//! - `tlog-interop prove DIR OLD_SIZE INDEX...` prints, as JSON, our inclusion proofs of the
//!   entries at INDEX in the log of DIR (at its checkpoint's size) and our consistency proof
//!   from OLD_SIZE, all made from the stored tiles, for the Go program to check;
//! - `tlog-interop check DIR` reads the Go program's proofs (JSON on standard input) and
//!   checks them with `civitas_core::tlog::merkle` against the checkpoint's root and the
//!   old root it gives; it prints one line per check and exits 1 if any fails.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a test harness run by interop/tlog-go/run.sh: a failed expectation ends it"
)]

use std::io::Read;
use std::path::Path;

use civitas_core::tlog::Checkpoint;
use civitas_core::tlog::Note;
use civitas_core::tlog::{
    Hash, consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion,
};
use civitas_core::tlog::{TileHashes, TileId, TileReader, parse_bundle};
use serde_json::{Value, json};

struct Dir<'a>(&'a Path);

impl TileReader for Dir<'_> {
    fn read(&self, id: TileId) -> Option<Vec<u8>> {
        std::fs::read(self.0.join(id.path())).ok()
    }
}

fn b64(h: &Hash) -> String {
    civitas_core::tlog::b64_encode(h)
}

fn unb64(s: &str) -> Option<Hash> {
    civitas_core::tlog::b64_decode(s)?.try_into().ok()
}

fn checkpoint(dir: &Path) -> Checkpoint {
    let bytes = std::fs::read(dir.join("checkpoint")).expect("the checkpoint");
    let note = Note::parse(&bytes).expect("a note");
    Checkpoint::parse(note.text()).expect("a checkpoint")
}

fn entry(dir: &Path, index: u64) -> Vec<u8> {
    let size = checkpoint(dir).size;
    let tile = index / 256;
    let width = if (tile + 1) * 256 <= size {
        256
    } else {
        (size % 256) as u16
    };
    let id = TileId {
        level: 0,
        index: tile,
        width,
    };
    let bundle = std::fs::read(dir.join(id.entries_path())).expect("the bundle");
    parse_bundle(&bundle, width).expect("a bundle")[(index % 256) as usize].clone()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = Path::new(
        args.get(1)
            .expect("usage: tlog-interop prove|check DIR ..."),
    );
    let cp = checkpoint(dir);
    let reader = Dir(dir);
    let tiles = TileHashes::new(&reader, cp.size);
    match args.first().map(String::as_str) {
        Some("prove") => {
            let old: u64 = args[2].parse().unwrap();
            let mut inclusion = Vec::new();
            for i in &args[3..] {
                let i: u64 = i.parse().unwrap();
                let proof = inclusion_proof(&tiles, i, cp.size).unwrap();
                inclusion
                    .push(json!({"index": i, "proof": proof.iter().map(b64).collect::<Vec<_>>()}));
            }
            let consistency = consistency_proof(&tiles, old, cp.size).unwrap();
            println!(
                "{}",
                json!({
                    "size": cp.size,
                    "old_size": old,
                    "inclusion": inclusion,
                    "consistency": consistency.iter().map(b64).collect::<Vec<_>>(),
                })
            );
        }
        Some("check") => {
            let mut text = String::new();
            std::io::stdin().read_to_string(&mut text).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            let mut failed = 0;
            let proof = |p: &Value| -> Vec<Hash> {
                p.as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|h| h.as_str().and_then(unb64))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            for inc in v["inclusion"].as_array().unwrap() {
                let i = inc["index"].as_u64().unwrap();
                let ok = verify_inclusion(
                    i,
                    cp.size,
                    &leaf_hash(&entry(dir, i)),
                    &proof(&inc["proof"]),
                    &cp.root,
                )
                .is_ok();
                println!(
                    "{} civitas: Go's inclusion proof of entry {i} in the tree of {}",
                    if ok { "ok  " } else { "FAIL" },
                    cp.size
                );
                failed += usize::from(!ok);
            }
            let old = v["old_size"].as_u64().unwrap();
            let old_root = unb64(v["old_root"].as_str().unwrap()).unwrap();
            let ok =
                verify_consistency(old, cp.size, &old_root, &cp.root, &proof(&v["consistency"]))
                    .is_ok();
            println!(
                "{} civitas: Go's consistency proof from {old} to {}",
                if ok { "ok  " } else { "FAIL" },
                cp.size
            );
            failed += usize::from(!ok);
            // A changed proof must fail here too.
            let mut bad = proof(&v["consistency"]);
            if let Some(h) = bad.first_mut() {
                h[0] ^= 1;
            }
            let refused = verify_consistency(old, cp.size, &old_root, &cp.root, &bad).is_err();
            println!(
                "{} civitas: Go's consistency proof with one bit changed is refused",
                if refused { "ok  " } else { "FAIL" }
            );
            failed += usize::from(!refused);
            std::process::exit(i32::from(failed > 0));
        }
        _ => {
            eprintln!("usage: tlog-interop prove DIR OLD_SIZE INDEX... | check DIR < go.json");
            std::process::exit(2);
        }
    }
}
