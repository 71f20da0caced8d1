//! `civitas serve` under load on loopback, beside `civitas verify` in the same run.
//!
//! 1. Starts the demo desk (`civitas serve --demo --port 0`) in a scratch directory.
//! 2. Starts N checks and, with the demo wallet opened in-process, prepares each answer
//!    (fetch the signed Request Object, evaluate its DCQL query, derive an anonymous
//!    `holder_binding_pseudonym` presentation, encrypt the `direct_post.jwt` body). Not timed.
//! 3. Timed: C client threads post the N answers (bounded by N and by a time limit); the
//!    desk verifies them on both cores, batching what arrives together. Every answer must be
//!    accepted.
//! 4. Timed: `civitas verify` (batched, both cores) on N presentations of the same kind (the
//!    same credential, disclosure and feature, made by the same wallet for one challenge).
//! 5. The size and QR version of the desk's `openid4vp://` code.
//!
//! Writes `target/bench/serve.json` and prints a table. Options (environment):
//! `CIVITAS_BENCH_N` (default 400), `CIVITAS_BENCH_CLIENTS` (8), `CIVITAS_BENCH_SECONDS` (120).
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use civitas_core::bbs2023::Bbs2023;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::openid4vp::{AuthorizationRequest, Invocation};
use civitas_core::wallet::{Disclosure, EncryptedFileStore, PresentationRequest, Wallet};
use serde_json::{Value, json};
use zeroize::Zeroizing;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

fn open_wallet(dir: &Path) -> Wallet {
    let hex = std::fs::read_to_string(dir.join("wallet.key")).unwrap();
    let hex = hex.trim();
    let mut key = Zeroizing::new([0u8; 32]);
    for (i, b) in key.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap();
    }
    let jsonld = JsonLdProcessor::default();
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("contexts.json")).unwrap()).unwrap();
    for (url, file) in index.as_object().unwrap() {
        let text = std::fs::read_to_string(dir.join(file.as_str().unwrap())).unwrap();
        jsonld.register_context(url, &text).unwrap();
    }
    let store = EncryptedFileStore::open(dir.join("records"), key).unwrap();
    Wallet::new(Arc::new(store), Bbs2023::new(Arc::new(jsonld)))
}

fn main() {
    // `cargo bench` passes --bench; nothing else is taken.
    let n = env("CIVITAS_BENCH_N", 400);
    let clients = env("CIVITAS_BENCH_CLIENTS", 8);
    let limit = Duration::from_secs(env("CIVITAS_BENCH_SECONDS", 120) as u64);
    let bin = env!("CARGO_BIN_EXE_civitas");
    let scratch = std::env::temp_dir().join(format!("civitas-bench-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let desk_dir = scratch.join("desk");

    let mut server = Command::new(bin)
        .args(["serve", "--demo", "--port", "0", "--dir"])
        .arg(&desk_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the desk did not start").unwrap();
        if let Some(rest) = line.strip_prefix("civitas serve: the desk page is at ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let wallet = open_wallet(&desk_dir.join("wallet"));
    let http = agent();

    // 2. Prepare the answers.
    eprintln!("preparing {n} answers ...");
    let prepared_at = Instant::now();
    let mut answers: Vec<(String, String, String)> = Vec::with_capacity(n); // (id, uri, body)
    let mut url_len = 0;
    let mut qr_version = String::new();
    for i in 0..n {
        let mut r = http
            .post(format!("{base}/desk/checks"))
            .header("Content-Type", "application/json")
            .send(r#"{"check":"diploma"}"#)
            .unwrap();
        let tx: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        let url = tx["url"].as_str().unwrap().to_owned();
        if i == 0 {
            url_len = url.len();
            let qr = http
                .get(format!(
                    "{base}/desk/checks/{}/qr.svg",
                    tx["id"].as_str().unwrap()
                ))
                .call()
                .unwrap();
            qr_version = qr
                .headers()
                .get("x-qr-version")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("?")
                .to_owned();
        }
        let Invocation::ByReference {
            client_id,
            request_uri,
            ..
        } = Invocation::parse(&url).unwrap()
        else {
            panic!("by reference")
        };
        let jwt = http
            .get(&request_uri)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let request = AuthorizationRequest::from_request_object(&jwt, &client_id).unwrap();
        let selections = wallet.dcql_select(&request.dcql_query, &[]).unwrap();
        let body = wallet.respond(&request, &selections).unwrap();
        answers.push((tx["id"].as_str().unwrap().to_owned(), body.uri, body.body));
    }
    let prepare_s = prepared_at.elapsed().as_secs_f64();

    // 3. Post them, C at a time.
    eprintln!("posting {n} answers from {clients} clients ...");
    let next = AtomicUsize::new(0);
    let statuses = Mutex::new(Vec::with_capacity(n));
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..clients {
            s.spawn(|| {
                let http = agent();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((_, uri, body)) = answers.get(i) else {
                        break;
                    };
                    if started.elapsed() > limit {
                        break;
                    }
                    let status = http
                        .post(uri)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .send(body.as_str())
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    statuses.lock().unwrap().push(status);
                }
            });
        }
    });
    let serve_s = started.elapsed().as_secs_f64();
    let statuses = statuses.into_inner().unwrap();
    let posted = statuses.len();
    let accepted = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(
        accepted, posted,
        "every answer must be accepted: {statuses:?}"
    );
    let last = &answers[posted - 1].0;
    let state: Value = serde_json::from_str(
        &http
            .get(format!("{base}/desk/checks/{last}"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(state["state"], "valid", "{state}");
    let _ = server.kill();
    let _ = server.wait();

    // 4. civitas verify on presentations of the same kind.
    eprintln!("civitas verify on {posted} presentations of the same kind ...");
    let inbox = scratch.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let id = wallet.list().unwrap()[0].id.clone();
    let same = PresentationRequest {
        challenge: Some("bench-challenge".into()),
        domain: Some("https://agency.example".into()),
    };
    for i in 0..posted {
        let vp = wallet
            .present_anonymous(
                &[Disclosure {
                    credential_id: id.clone(),
                    pointers: vec!["/credentialSubject/degree/name".into()],
                }],
                &same,
            )
            .unwrap();
        std::fs::write(inbox.join(format!("p{i:05}.json")), vp.to_string()).unwrap();
    }
    let started = Instant::now();
    let out = Command::new(bin)
        .args(["verify", "--format", "json", "--trust"])
        .arg(desk_dir.join("trust.toml"))
        .arg("--status-dir")
        .arg(desk_dir.join("status"))
        .args([
            "--challenge",
            "bench-challenge",
            "--domain",
            "https://agency.example",
        ])
        .arg(&inbox)
        .output()
        .unwrap();
    let verify_s = started.elapsed().as_secs_f64();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["valid"], posted, "{}", report["summary"]);

    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let result = json!({
        "date": civitas_core::wallet::rfc3339_from_unix(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        ),
        "cores": cores,
        "responses": posted,
        "clients": clients,
        "serve": {
            "seconds": serve_s,
            "responses_per_second": posted as f64 / serve_s,
            "accepted": accepted,
        },
        "verify_cli": {
            "seconds": verify_s,
            "presentations_per_second": posted as f64 / verify_s,
            "batched": report["summary"]["batched"],
        },
        "wallet_prepare_seconds": prepare_s,
        "invocation_url": {"chars": url_len, "qr_version": qr_version, "ec_level": "M"},
    });
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("serve.json"),
        serde_json::to_string_pretty(&result).unwrap(),
    )
    .unwrap();
    println!("civitas serve under load ({cores} cores, {clients} clients, loopback)");
    println!(
        "  desk (HTTP, OpenID4VP direct_post.jwt) : {posted} responses in {serve_s:.2} s = {:.0} responses/s",
        posted as f64 / serve_s
    );
    println!(
        "  civitas verify (batched, same kind)     : {posted} presentations in {verify_s:.2} s = {:.0} presentations/s",
        posted as f64 / verify_s
    );
    println!("  openid4vp:// URL: {url_len} characters, QR version {qr_version} (level M)");
    println!("  (wallet side, not timed above: {prepare_s:.1} s to prepare {n} answers)");
    println!("written to target/bench/serve.json");
    let _ = std::fs::remove_dir_all(&scratch);
}
