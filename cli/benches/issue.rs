//! The issuer role of `civitas serve` under load on loopback, beside the signing floor in
//! the same run.
//!
//! 1. Starts the demo (`civitas serve --demo --port 0`) in a scratch directory and writes a
//!    class of N graduates (CSV).
//! 2. Timed: `civitas offers` for the class (an offer record, a PIN and a QR PNG per row).
//! 3. Not timed: M offers redeemed at the token endpoint with their PINs, and M wallet
//!    commitments (`holder_binding_pseudonym`) made in-process.
//! 4. Timed: C client threads post the M credential requests; the issuer checks each
//!    commitment, fills the template, gives a random status index, blind-signs and records.
//!    Every request must be answered with a credential.
//! 5. Timed, the floor: core's `CredentialIssuer::issue_bound` on the same template and
//!    commitments in this process, on all cores (no HTTP, no files).
//!
//! Writes `target/bench/issue.json` and prints a table. Options (environment):
//! `CIVITAS_BENCH_ROWS` (default 500), `CIVITAS_BENCH_N` (credentials, 200),
//! `CIVITAS_BENCH_CLIENTS` (8).
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark fails by panicking on bad setup"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use civitas_core::CredentialIssuer;
use civitas_core::bbs2023::Feature;
use civitas_core::bbs2023::{Bbs2023, CommitmentRequest};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::openid4vci::IssuerMetadata;
use civitas_core::openid4vci::token_request_form;
use civitas_core::openid4vci::{CredentialOffer, OfferInvocation};
use civitas_core::wallet::{MemoryStore, Wallet};
use serde_json::{Value, json};

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

fn main() {
    let rows = env("CIVITAS_BENCH_ROWS", 500);
    let n = env("CIVITAS_BENCH_N", 200).min(rows);
    let clients = env("CIVITAS_BENCH_CLIENTS", 8);
    let bin = env!("CARGO_BIN_EXE_civitas");
    let scratch = std::env::temp_dir().join(format!("civitas-bench-issue-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let dir = scratch.join("demo");

    let mut server = Command::new(bin)
        .args(["serve", "--demo", "--port", "0", "--dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().expect("the service did not start").unwrap();
        if let Some(rest) = line.strip_prefix("civitas serve: the desk page is at ") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let port = base.rsplit(':').next().unwrap().to_owned();

    // 1. The class.
    let csv = scratch.join("class.csv");
    let mut f = std::fs::File::create(&csv).unwrap();
    writeln!(
        f,
        "student_number,given_name,family_name,birth_date,degree,field,awarded_on"
    )
    .unwrap();
    for i in 0..rows {
        writeln!(
            f,
            "S-2026-{i:05},Given{i},Family{i},1999-0{}-1{},MSc Computer Science,Computer Science,2026-06-30",
            1 + i % 9,
            i % 10
        )
        .unwrap();
    }
    drop(f);

    // 2. Offers.
    let out_dir = scratch.join("offers");
    let started = Instant::now();
    let out = Command::new(bin)
        .args(["offers", "--config"])
        .arg(dir.join("config.toml"))
        .arg("--csv")
        .arg(&csv)
        .arg("--out-dir")
        .arg(&out_dir)
        .args(["--port", &port])
        .stderr(Stdio::null())
        .output()
        .unwrap();
    let offers_s = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let png_bytes: u64 = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
        .map(|e| e.metadata().unwrap().len())
        .sum();

    // 3. Tokens and commitments (not timed).
    eprintln!("redeeming {n} offers at the token endpoint ...");
    let http = agent();
    let text = |path: &Path| std::fs::read_to_string(path).unwrap().trim().to_owned();
    let metadata_text = http
        .get(IssuerMetadata::url_for(&base))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let metadata = IssuerMetadata::from_json(metadata_text.as_bytes(), &base).unwrap();
    let jsonld = Arc::new(JsonLdProcessor::default());
    jsonld
        .register_context(
            "https://civitas.example/contexts/diploma/v1",
            &std::fs::read_to_string(dir.join("contexts/diploma-v1.jsonld")).unwrap(),
        )
        .unwrap();
    let wallet = Wallet::new(
        Arc::new(MemoryStore::new()),
        Bbs2023::new(Arc::clone(&jsonld)),
    );
    let mut requests: Vec<(String, String)> = Vec::with_capacity(n); // (token, body)
    let mut commitments: Vec<CommitmentRequest> = Vec::with_capacity(n);
    for i in 0..n {
        let stem = format!("S-2026-{i:05}");
        let link = text(&out_dir.join(format!("{stem}.offer")));
        let pin = text(&out_dir.join(format!("{stem}.pin")));
        let OfferInvocation::ByReference(uri) = OfferInvocation::parse(&link).unwrap() else {
            panic!("by reference")
        };
        let mut r = http.get(&uri).call().unwrap();
        let offer =
            CredentialOffer::from_json(r.body_mut().read_to_string().unwrap().as_bytes()).unwrap();
        let form = token_request_form(&offer, Some(&pin)).unwrap();
        let mut r = http
            .post(format!("{base}/openid4vci/token"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(form)
            .unwrap();
        let token: Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        let body = wallet
            .openid4vci_commitment_request(&metadata, "diploma", Feature::HolderBindingPseudonym, 1)
            .unwrap();
        commitments.push(
            CommitmentRequest::from_json(&body["proofs"]["x-civitas-bbs-2023-commitment"][0])
                .unwrap(),
        );
        requests.push((
            token["access_token"].as_str().unwrap().to_owned(),
            body.to_string(),
        ));
    }

    // 4. The credential endpoint.
    eprintln!("posting {n} credential requests with {clients} clients ...");
    let queue = Arc::new(Mutex::new(requests));
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let queue = Arc::clone(&queue);
            let issued = Arc::clone(&issued);
            let base = base.clone();
            std::thread::spawn(move || {
                let http = agent();
                loop {
                    let Some((token, body)) = queue.lock().unwrap().pop() else {
                        break;
                    };
                    let mut r = http
                        .post(format!("{base}/openid4vci/credential"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", format!("Bearer {token}"))
                        .send(body)
                        .unwrap();
                    let status = r.status().as_u16();
                    let text = r.body_mut().read_to_string().unwrap();
                    assert_eq!(status, 200, "{text}");
                    issued.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let endpoint_s = started.elapsed().as_secs_f64();
    let issued = issued.load(Ordering::Relaxed);
    assert_eq!(issued, n);
    let _ = server.kill();
    let _ = server.wait();

    // 5. The floor: the same signing in-process, on all cores.
    let template: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("diploma-template.json")).unwrap())
            .unwrap();
    let filled = serde_json::to_string(&template)
        .unwrap()
        .replace("{{given_name}}", "Ada")
        .replace("{{family_name}}", "Lovelace")
        .replace("{{birth_date}}", "1990-12-10")
        .replace("{{student_number}}", "S-1")
        .replace("{{degree}}", "MSc Computer Science")
        .replace("{{field}}", "Computer Science")
        .replace("{{awarded_on}}", "2026-06-30");
    let doc: Value = serde_json::from_str(&filled).unwrap();
    // A key of its own: the signing cost does not depend on which key signs.
    let key = civitas_core::bbs::KeyPair::from_secret(
        civitas_core::bbs::SecretKey::generate(civitas_core::bbs::Ciphersuite::Bls12381Sha256)
            .unwrap(),
    );
    let issuer = Arc::new(CredentialIssuer::new(
        Bbs2023::new(Arc::clone(&jsonld)),
        key,
    ));
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let commitments = Arc::new(Mutex::new(commitments));
    let mandatory = vec!["/credentialSubject/degree/type".to_owned()];
    let started = Instant::now();
    let workers: Vec<_> = (0..cores)
        .map(|_| {
            let commitments = Arc::clone(&commitments);
            let issuer = Arc::clone(&issuer);
            let doc = doc.clone();
            let mandatory = mandatory.clone();
            std::thread::spawn(move || {
                loop {
                    let Some(c) = commitments.lock().unwrap().pop() else {
                        break;
                    };
                    c.check().unwrap();
                    issuer
                        .issue_bound(doc.clone(), None, &mandatory, &c)
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let floor_s = started.elapsed().as_secs_f64();

    let result = json!({
        "date": civitas_core::wallet::rfc3339_from_unix(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        ),
        "cores": cores,
        "offers": {
            "rows": rows,
            "seconds": offers_s,
            "offers_per_second": rows as f64 / offers_s,
            "png_bytes_per_offer": png_bytes / rows.max(1) as u64,
        },
        "credential_endpoint": {
            "credentials": issued,
            "clients": clients,
            "feature": "holder_binding_pseudonym",
            "seconds": endpoint_s,
            "credentials_per_second": issued as f64 / endpoint_s,
        },
        "floor_in_process": {
            "credentials": n,
            "seconds": floor_s,
            "credentials_per_second": n as f64 / floor_s,
        },
    });
    let out: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("issue.json"),
        serde_json::to_string_pretty(&result).unwrap(),
    )
    .unwrap();
    println!("civitas serve as an issuer ({cores} cores, loopback)");
    println!(
        "  civitas offers (record, PIN, QR PNG)     : {rows} offers in {offers_s:.2} s = {:.0} offers/s",
        rows as f64 / offers_s
    );
    println!(
        "  credential endpoint ({clients} clients, bound)  : {issued} credentials in {endpoint_s:.2} s = {:.1} credentials/s",
        issued as f64 / endpoint_s
    );
    println!(
        "  floor: issue_bound in-process, {cores} cores  : {n} credentials in {floor_s:.2} s = {:.1} credentials/s",
        n as f64 / floor_s
    );
    println!("written to target/bench/issue.json");
    let _ = std::fs::remove_dir_all(&scratch);
}
