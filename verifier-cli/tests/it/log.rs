//! `civitas log`: a log made, appended to, audited, and caught when a tile, a bundle or the
//! checkpoint is tampered with, or when another key tries to append.

use std::path::Path;

use super::serve::{civitas, scratch};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = civitas().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn a_log_is_made_appended_audited_and_tampering_is_caught() {
    let dir = scratch("log");
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("log.key");
    let log = dir.join("uni-log");
    assert_eq!(run(&["keygen", "--alg", "ed25519", "-o", &p(&key)]).0, 0);
    let (code, vkey, err) = run(&[
        "log",
        "init",
        "--key",
        &p(&key),
        "--origin",
        "uni.example/log",
        &p(&log),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(vkey.starts_with("uni.example/log+"), "{vkey}");
    assert_eq!(std::fs::read_to_string(log.join("vkey")).unwrap(), vkey);
    let mut files = Vec::new();
    for i in 0..300 {
        let f = dir.join(format!("entry-{i:03}"));
        std::fs::write(&f, format!("entry {i}")).unwrap();
        files.push(p(&f));
    }
    let mut args = vec![
        "log".to_owned(),
        "append".into(),
        "--key".into(),
        p(&key),
        p(&log),
    ];
    args.extend(files.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("now has 300 entries"), "{out}");
    let (code, out, _) = run(&["log", "verify", "--vkey", &p(&log.join("vkey")), &p(&log)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is whole: 300 entries"), "{out}");
    // Appended one by one past a tile edge, the superseded partial tiles are removed.
    for f in files.iter().take(220) {
        assert_eq!(run(&["log", "append", "--key", &p(&key), &p(&log), f]).0, 0);
    }
    assert!(log.join("tile/0/001").is_file());
    assert!(
        !log.join("tile/0/001.p").exists(),
        "partials of a full tile are gone"
    );
    assert!(log.join("tile/0/002.p/8").is_file());
    let (code, out, _) = run(&["log", "verify", &p(&log)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is whole: 520 entries"), "{out}");

    // Another key cannot append; a verifier pinning another key refuses the checkpoint.
    let other = dir.join("other.key");
    assert_eq!(run(&["keygen", "--alg", "ed25519", "-o", &p(&other)]).0, 0);
    let (code, _, err) = run(&["log", "append", "--key", &p(&other), &p(&log), &files[0]]);
    assert_eq!(code, 2);
    assert!(err.contains("is not the key of the log"), "{err}");
    let other_log = dir.join("other-log");
    assert_eq!(
        run(&[
            "log",
            "init",
            "--key",
            &p(&other),
            "--origin",
            "uni.example/log",
            &p(&other_log)
        ])
        .0,
        0
    );
    let (code, out, _) = run(&[
        "log",
        "verify",
        "--vkey",
        &p(&other_log.join("vkey")),
        &p(&log),
    ]);
    assert_eq!(code, 1, "{out}");

    // A tampered tile, a truncated bundle: not whole, and no append builds on them.
    let tile = log.join("tile/0/002.p/8");
    let good = std::fs::read(&tile).unwrap();
    let mut bad = good.clone();
    bad[3] ^= 1;
    std::fs::write(&tile, &bad).unwrap();
    let (code, out, _) = run(&["log", "verify", &p(&log)]);
    assert_eq!(code, 1);
    assert!(out.contains("tile/0/002.p/8 does not match"), "{out}");
    let (code, _, err) = run(&["log", "append", "--key", &p(&key), &p(&log), &files[0]]);
    assert_eq!(code, 2);
    assert!(err.contains("do not match the signed checkpoint"), "{err}");
    std::fs::write(&tile, &good).unwrap();
    let bundle = log.join("tile/entries/000");
    let b = std::fs::read(&bundle).unwrap();
    std::fs::write(&bundle, &b[..b.len() - 2]).unwrap();
    let (code, out, _) = run(&["log", "verify", &p(&log)]);
    assert_eq!(code, 1);
    assert!(out.contains("tile/entries/000 is truncated"), "{out}");
    std::fs::write(&bundle, &b).unwrap();
    // A checkpoint with a changed size no longer verifies.
    let cp = std::fs::read_to_string(log.join("checkpoint")).unwrap();
    std::fs::write(log.join("checkpoint"), cp.replacen("\n520\n", "\n519\n", 1)).unwrap();
    let (code, out, _) = run(&["log", "verify", &p(&log)]);
    assert_eq!(code, 1);
    assert!(out.contains("does not verify"), "{out}");
    std::fs::write(log.join("checkpoint"), cp).unwrap();
    assert_eq!(run(&["log", "verify", &p(&log)]).0, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_status_list_version_is_logged_before_it_is_written() {
    use civitas_core::tlog::entry::LogEntry;
    use civitas_core::tlog::tiles::parse_bundle;
    use sha2::Digest;
    let dir = scratch("log-status");
    std::fs::create_dir_all(&dir).unwrap();
    let (log_key, status_key, log) = (dir.join("log.key"), dir.join("status.key"), dir.join("log"));
    assert_eq!(
        run(&["keygen", "--alg", "ed25519", "-o", &p(&log_key)]).0,
        0
    );
    assert_eq!(
        run(&["keygen", "--alg", "p256", "-o", &p(&status_key)]).0,
        0
    );
    assert_eq!(
        run(&[
            "log",
            "init",
            "--key",
            &p(&log_key),
            "--origin",
            "uni.example/log",
            &p(&log)
        ])
        .0,
        0
    );
    let list = dir.join("list.json");
    let logged = ["--log", &p(&log), "--log-key", &p(&log_key)];
    let (list_s, status_s) = (p(&list), p(&status_key));
    let mut create = vec![
        "status",
        "create",
        "--key",
        &status_s,
        "--id",
        "https://uni.example/status/1",
        "-o",
        &list_s,
    ];
    create.extend_from_slice(&logged);
    assert_eq!(run(&create).0, 0);
    let (code, _, err) = run(&[
        &[
            "status", "revoke", "--key", &status_s, "--list", &list_s, "--index", "9",
        ][..],
        &logged[..],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    // Two versions logged; the last one is exactly the file now published.
    let bundle = std::fs::read(log.join("tile/entries/000.p/2")).unwrap();
    let entries = parse_bundle(&bundle, 2).unwrap();
    let Some(LogEntry::StatusList {
        url,
        sha256,
        valid_from,
        ..
    }) = LogEntry::from_bytes(&entries[1])
    else {
        panic!("a status list entry")
    };
    assert_eq!(url, "https://uni.example/status/1");
    assert!(valid_from > 1_700_000_000);
    assert_eq!(
        sha256,
        <[u8; 32]>::from(sha2::Sha256::digest(std::fs::read(&list).unwrap()))
    );
    // With another log key nothing is logged, and the list is not rewritten either.
    let other = dir.join("other.key");
    assert_eq!(run(&["keygen", "--alg", "ed25519", "-o", &p(&other)]).0, 0);
    let before = std::fs::read(&list).unwrap();
    let (code, _, err) = run(&[
        "status",
        "revoke",
        "--key",
        &status_s,
        "--list",
        &list_s,
        "--index",
        "10",
        "--log",
        &p(&log),
        "--log-key",
        &p(&other),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not the key of the log"), "{err}");
    assert_eq!(std::fs::read(&list).unwrap(), before);
    let _ = std::fs::remove_dir_all(&dir);
}
