//! Rough timing of JSON to quads for a 20-claim credential (not a benchmark harness).
#![allow(clippy::unwrap_used)]
use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
use serde_json::json;

fn main() {
    let mut subject = serde_json::Map::new();
    subject.insert("id".into(), json!("did:example:subject"));
    for i in 0..20 {
        subject.insert(format!("claim{i}"), json!(format!("value {i}")));
    }
    let doc = json!({
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/undefined-terms/v2"
        ],
        "id": "urn:uuid:1234",
        "type": ["VerifiableCredential"],
        "issuer": "https://issuer.example/",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": subject,
    });
    let text = serde_json::to_string(&doc).unwrap();
    // `jsonld_timing {expand|rdf|all} N`: only that step, N times (for profilers).
    if let Some(step) = std::env::args().nth(1) {
        let n: usize = std::env::args()
            .nth(2)
            .and_then(|a| a.parse().ok())
            .unwrap_or(1000);
        let p = JsonLdProcessor::default();
        let o = ToRdfOptions::default();
        let e = p.expand(&doc, &o).unwrap();
        for _ in 0..n {
            match step.as_str() {
                "expand" => drop(p.expand(&doc, &o).unwrap()),
                "rdf" => drop(p.expanded_to_rdf(&e, &o).unwrap()),
                _ => drop(p.to_rdf(&doc, &o).unwrap()),
            }
        }
        return;
    }
    let p = JsonLdProcessor::default();
    let opts = ToRdfOptions::default();
    let n: u32 = 20_000;
    for _ in 0..1000 {
        let d: serde_json::Value = serde_json::from_str(&text).unwrap();
        p.to_rdf(&d, &opts).unwrap();
    }
    let t = std::time::Instant::now();
    let mut q: usize = 0;
    for _ in 0..n {
        let d: serde_json::Value = serde_json::from_str(&text).unwrap();
        q += p.to_rdf(&d, &opts).unwrap().len();
    }
    let dt = t.elapsed();
    println!("{} quads, {:?} per parse+to_rdf", q / n as usize, dt / n);
    let d: serde_json::Value = serde_json::from_str(&text).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..n {
        p.to_rdf(&d, &opts).unwrap();
    }
    println!("{:?} per to_rdf", t.elapsed() / n);
    let t = std::time::Instant::now();
    for _ in 0..n {
        p.expand(&d, &opts).unwrap();
    }
    println!("{:?} per expand", t.elapsed() / n);
    let e = p.expand(&d, &opts).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..n {
        p.expanded_to_rdf(&e, &opts).unwrap();
    }
    println!("{:?} per expanded_to_rdf", t.elapsed() / n);
}
