//! `civitas log`: a log made, appended to, audited, and caught when a tile, a bundle or the
//! checkpoint is tampered with, or when another key tries to append.

use super::support::{Scratch, run, text};

#[test]
fn a_log_is_made_appended_audited_and_tampering_is_caught() {
    let d = Scratch::new("log");
    let key = d.path("log.key");
    let log = d.path("uni-log");
    assert_eq!(
        run(&["keygen", "--alg", "ed25519", "-o", &text(&key)]).code,
        0
    );
    let r = run(&[
        "log",
        "init",
        "--key",
        &text(&key),
        "--origin",
        "uni.example/log",
        &text(&log),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("uni.example/log+"), "{}", r.stdout);
    assert_eq!(std::fs::read_to_string(log.join("vkey")).unwrap(), r.stdout);
    let mut files = Vec::new();
    for i in 0..300 {
        let f = d.path(&format!("entry-{i:03}"));
        std::fs::write(&f, format!("entry {i}")).unwrap();
        files.push(text(&f));
    }
    let mut args = vec![
        "log".to_owned(),
        "append".into(),
        "--key".into(),
        text(&key),
        text(&log),
    ];
    args.extend(files.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("now has 300 entries"), "{}", r.stdout);
    let r = run(&[
        "log",
        "verify",
        "--vkey",
        &text(&log.join("vkey")),
        &text(&log),
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("is whole: 300 entries"), "{}", r.stdout);
    // Appended one by one past a tile edge, the superseded partial tiles are removed.
    for f in files.iter().take(220) {
        assert_eq!(
            run(&["log", "append", "--key", &text(&key), &text(&log), f]).code,
            0
        );
    }
    assert!(log.join("tile/0/001").is_file());
    assert!(
        !log.join("tile/0/001.p").exists(),
        "partials of a full tile are gone"
    );
    assert!(log.join("tile/0/002.p/8").is_file());
    let r = run(&["log", "verify", &text(&log)]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("is whole: 520 entries"), "{}", r.stdout);

    // Another key cannot append; a verifier pinning another key refuses the checkpoint.
    let other = d.path("other.key");
    assert_eq!(
        run(&["keygen", "--alg", "ed25519", "-o", &text(&other)]).code,
        0
    );
    let r = run(&[
        "log",
        "append",
        "--key",
        &text(&other),
        &text(&log),
        &files[0],
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is not the key of the log"),
        "{}",
        r.stderr
    );
    let other_log = d.path("other-log");
    assert_eq!(
        run(&[
            "log",
            "init",
            "--key",
            &text(&other),
            "--origin",
            "uni.example/log",
            &text(&other_log)
        ])
        .code,
        0
    );
    let r = run(&[
        "log",
        "verify",
        "--vkey",
        &text(&other_log.join("vkey")),
        &text(&log),
    ]);
    assert_eq!(r.code, 1, "{}", r.stdout);

    // A tampered tile, a truncated bundle: not whole, and no append builds on them.
    let tile = log.join("tile/0/002.p/8");
    let good = std::fs::read(&tile).unwrap();
    let mut bad = good.clone();
    bad[3] ^= 1;
    std::fs::write(&tile, &bad).unwrap();
    let r = run(&["log", "verify", &text(&log)]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("tile/0/002.p/8 does not match"),
        "{}",
        r.stdout
    );
    let r = run(&[
        "log",
        "append",
        "--key",
        &text(&key),
        &text(&log),
        &files[0],
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("do not match the signed checkpoint"),
        "{}",
        r.stderr
    );
    std::fs::write(&tile, &good).unwrap();
    let bundle = log.join("tile/entries/000");
    let b = std::fs::read(&bundle).unwrap();
    std::fs::write(&bundle, &b[..b.len() - 2]).unwrap();
    let r = run(&["log", "verify", &text(&log)]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("tile/entries/000 is truncated"),
        "{}",
        r.stdout
    );
    std::fs::write(&bundle, &b).unwrap();
    // A checkpoint with a changed size no longer verifies.
    let cp = std::fs::read_to_string(log.join("checkpoint")).unwrap();
    std::fs::write(log.join("checkpoint"), cp.replacen("\n520\n", "\n519\n", 1)).unwrap();
    let r = run(&["log", "verify", &text(&log)]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("does not verify"), "{}", r.stdout);
    std::fs::write(log.join("checkpoint"), cp).unwrap();
    assert_eq!(run(&["log", "verify", &text(&log)]).code, 0);
}

#[test]
fn every_status_list_version_is_logged_before_it_is_written() {
    use civitas_core::tlog::LogEntry;
    use civitas_core::tlog::parse_bundle;
    use sha2::Digest;
    let d = Scratch::new("log-status");
    let (log_key, status_key, log) = (d.path("log.key"), d.path("status.key"), d.path("log"));
    assert_eq!(
        run(&["keygen", "--alg", "ed25519", "-o", &text(&log_key)]).code,
        0
    );
    assert_eq!(
        run(&["keygen", "--alg", "p256", "-o", &text(&status_key)]).code,
        0
    );
    assert_eq!(
        run(&[
            "log",
            "init",
            "--key",
            &text(&log_key),
            "--origin",
            "uni.example/log",
            &text(&log)
        ])
        .code,
        0
    );
    let list = d.path("list.json");
    let logged = ["--log", &text(&log), "--log-key", &text(&log_key)];
    let (list_s, status_s) = (text(&list), text(&status_key));
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
    assert_eq!(run(&create).code, 0);
    let r = run(&[
        &[
            "status", "revoke", "--key", &status_s, "--list", &list_s, "--index", "9",
        ][..],
        &logged[..],
    ]
    .concat());
    assert_eq!(r.code, 0, "{}", r.stderr);
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
    let other = d.path("other.key");
    assert_eq!(
        run(&["keygen", "--alg", "ed25519", "-o", &text(&other)]).code,
        0
    );
    let before = std::fs::read(&list).unwrap();
    let r = run(&[
        "status",
        "revoke",
        "--key",
        &status_s,
        "--list",
        &list_s,
        "--index",
        "10",
        "--log",
        &text(&log),
        "--log-key",
        &text(&other),
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("is not the key of the log"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&list).unwrap(), before);
}
