//! The W3C bbs-2023 vectors (`vc-di-bbs/TestVectors`): suites `w3c-bbs-2023/baseline` (the
//! windsurf example) and `w3c-bbs-2023/prc` (the permanent resident card). Each intermediate
//! value the vectors publish is one case: canonical N-Quads, HMAC-relabelled N-Quads, the
//! mandatory and non-mandatory groups, the canonical proof configuration, the proof and
//! mandatory hashes, the base proof value (byte for byte: BBS signing is deterministic), the
//! holder's check of the base proof, verification of the published derived document, and a
//! fresh derivation from the published base document (same reveal document, label map and
//! indexes as the vectors; the BBS proof itself is randomized) that then verifies.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::bbs::{KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::bbs2023::{DerivedProofValue, HmacKey};
use civitas_core::jsonld::JsonLdProcessor;
use serde_json::Value;

use crate::SuiteReport;

#[path = "bbs2023_features.rs"]
pub mod features;

/// One vector set.
struct Set {
    name: &'static str,
    /// Folder with the `add*`/`derived*` files.
    dir: PathBuf,
    /// The unsigned document as published (checked against the signed one where it matches).
    unsigned: PathBuf,
    mandatory: PathBuf,
    selective: PathBuf,
}

fn sets(vectors: &Path) -> [Set; 2] {
    let root = vectors.join("vc-di-bbs/TestVectors");
    [
        Set {
            name: "baseline",
            dir: root.clone(),
            unsigned: root.join("windDoc.json"),
            mandatory: root.join("windMandatory.json"),
            selective: root.join("windSelective.json"),
        },
        Set {
            name: "prc",
            dir: root.join("prc"),
            unsigned: root.join("prCredUnsigned.json"),
            mandatory: root.join("prCredMandatory.json"),
            selective: root.join("prCredSelective.json"),
        },
    ]
}

pub(crate) fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("invalid JSON in {}: {e}", path.display()))
}

pub(crate) fn strings(v: &Value) -> Result<Vec<String>, String> {
    v.as_array()
        .ok_or("not an array")?
        .iter()
        .map(|s| {
            s.as_str()
                .map(str::to_owned)
                .ok_or_else(|| "not a string".to_string())
        })
        .collect()
}

/// A `{"dataType":"Map","value":[[index, nquad], ...]}` object as (index, nquad) pairs.
pub(crate) fn index_map(v: &Value) -> Result<Vec<(usize, String)>, String> {
    v.get("value")
        .and_then(Value::as_array)
        .ok_or("not a serialized Map")?
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([i, s]) => Ok((
                i.as_u64().ok_or("index is not a number")? as usize,
                s.as_str().ok_or("entry is not a string")?.to_owned(),
            )),
            _ => Err("entry is not a pair".to_string()),
        })
        .collect()
}

/// JSON equality where numbers compare by value (`7` and `7.0` are the same number; the
/// vectors were written by JavaScript, which prints `7.0` as `7`).
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

pub(crate) fn same_json(what: &str, got: &Value, want: &Value) -> Result<(), String> {
    if json_eq(got, want) {
        Ok(())
    } else {
        Err(format!("{what} differs:\n  got  {got}\n  want {want}"))
    }
}

pub(crate) fn same<T: PartialEq + std::fmt::Debug>(
    what: &str,
    got: T,
    want: T,
) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what} differs:\n  got  {got:?}\n  want {want:?}"))
    }
}

struct Inputs {
    suite: Bbs2023,
    doc: Value,
    mandatory: Vec<String>,
    selective: Vec<String>,
    key: KeyPair,
    hmac: [u8; 32],
    options: ProofOptions,
    ph: Vec<u8>,
}

fn inputs(root: &Path, set: &Set) -> Result<Inputs, String> {
    let keys = read(&root.join("BBSKeyMaterial.json"))?;
    let hex_field = |v: &Value, k: &str| -> Result<Vec<u8>, String> {
        hex::decode(
            v.get(k)
                .and_then(Value::as_str)
                .ok_or(format!("missing {k}"))?,
        )
        .map_err(|e| e.to_string())
    };
    let sk =
        SecretKey::from_bytes(&hex_field(&keys, "privateKeyHex")?).map_err(|e| e.to_string())?;
    let hmac: [u8; 32] = hex_field(&keys, "hmacKeyString")?
        .try_into()
        .map_err(|_| "HMAC key is not 32 bytes")?;
    let config = read(&set.dir.join("addProofConfig.json"))?;
    let text = |k: &str| config.get(k).and_then(Value::as_str).map(str::to_owned);
    let options = ProofOptions {
        verification_method: text("verificationMethod")
            .ok_or("proof config has no verificationMethod")?,
        created: text("created"),
        proof_purpose: text("proofPurpose").ok_or("proof config has no proofPurpose")?,
    };
    let derive = read(&root.join("BBSDeriveMaterial.json"))?;
    // The document the vectors signed is their signed base document without its proof. (The
    // top-level prCredUnsigned.json has another description than the prc set signed.)
    let mut doc = read(&set.dir.join("addSignedSDBase.json"))?;
    doc.as_object_mut()
        .ok_or("signed base document is not an object")?
        .remove("proof");
    if set.name == "baseline" {
        same_json("windDoc.json", &read(&set.unsigned)?, &doc)?;
    }
    Ok(Inputs {
        suite: Bbs2023::new(Arc::new(JsonLdProcessor::default())),
        doc,
        mandatory: strings(&read(&set.mandatory)?)?,
        selective: strings(&read(&set.selective)?)?,
        key: KeyPair::from_secret(sk),
        hmac,
        options,
        ph: hex_field(&derive, "presentationHeaderHex")?,
    })
}

/// Run the suite for one vector set (`baseline` or `prc`).
pub fn run_suite(vectors: &Path, name: &str) -> SuiteReport {
    let mut report = SuiteReport::new(format!("w3c-bbs-2023/{name}"));
    let root = vectors.join("vc-di-bbs/TestVectors");
    let Some(set) = sets(vectors).into_iter().find(|s| s.name == name) else {
        report.record(name, Err("unknown vector set".into()));
        return report;
    };
    let inp = match inputs(&root, &set) {
        Ok(i) => i,
        Err(e) => {
            report.record("inputs", Err(e));
            return report;
        }
    };
    let dir = &set.dir;
    let hmac = || HmacKey::new(inp.hmac);

    let base = inp
        .suite
        .base_proof_data(&inp.doc, &inp.options, &inp.mandatory, &hmac());
    report.record(
        "addBaseDocCanon.json",
        (|| {
            let quads = inp
                .suite
                .jsonld()
                .to_rdf(&inp.doc, &Default::default())
                .map_err(|e| e.to_string())?;
            let canonical = civitas_core::canonicalize(&quads, &Default::default())
                .map_err(|e| e.to_string())?;
            let got: Vec<String> = canonical.lines().map(str::to_owned).collect();
            same(
                "canonical N-Quads",
                got,
                strings(&read(&dir.join("addBaseDocCanon.json"))?)?,
            )
        })(),
    );
    let base = match base {
        Ok(b) => b,
        Err(e) => {
            report.record("base proof transformation", Err(e.to_string()));
            return report;
        }
    };
    report.record(
        "addBaseDocHMACCanon.json",
        (|| {
            same(
                "HMAC-relabelled N-Quads",
                base.grouped.nquads.clone(),
                strings(&read(&dir.join("addBaseDocHMACCanon.json"))?)?,
            )
        })(),
    );
    report.record(
        "addBaseTransform.json",
        (|| {
            let t = read(&dir.join("addBaseTransform.json"))?;
            let mandatory_idx = base
                .grouped
                .matching
                .get("mandatory")
                .cloned()
                .unwrap_or_default();
            let got_m: Vec<(usize, String)> = mandatory_idx
                .iter()
                .filter_map(|&i| base.grouped.nquads.get(i).map(|n| (i, n.clone())))
                .collect();
            let got_n: Vec<(usize, String)> = (0..base.grouped.nquads.len())
                .filter(|i| !mandatory_idx.contains(i))
                .filter_map(|i| base.grouped.nquads.get(i).map(|n| (i, n.clone())))
                .collect();
            same(
                "mandatory group",
                got_m,
                index_map(t.get("mandatory").ok_or("no mandatory")?)?,
            )?;
            same(
                "non-mandatory group",
                got_n,
                index_map(t.get("nonMandatory").ok_or("no nonMandatory")?)?,
            )
        })(),
    );
    report.record(
        "addHashData.json",
        (|| {
            let h = read(&dir.join("addHashData.json"))?;
            same(
                "proofHash",
                hex::encode(base.proof_hash).as_str(),
                h.pointer("/proofHash")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            )?;
            same(
                "mandatoryHash",
                hex::encode(base.mandatory_hash).as_str(),
                h.pointer("/mandatoryHash")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            )
        })(),
    );
    let signed_vector = read(&dir.join("addSignedSDBase.json"));
    report.record(
        "addSignedSDBase.json",
        (|| {
            let want = signed_vector.clone()?;
            let got = inp
                .suite
                .sign_with_hmac_key(&inp.doc, &inp.key, &inp.options, &inp.mandatory, hmac())
                .map_err(|e| e.to_string())?;
            same(
                "base proof value",
                got.pointer("/proof/proofValue").and_then(Value::as_str),
                want.pointer("/proof/proofValue").and_then(Value::as_str),
            )?;
            same_json("signed document", &got, &want)
        })(),
    );
    report.record(
        "addSignedSDBase.json (holder check)",
        signed_vector.clone().and_then(|signed| {
            inp.suite
                .verify_base(&signed)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }),
    );
    report.record(
        "derivedRevealDocument.json",
        read(&dir.join("derivedRevealDocument.json"))
            .and_then(|d| inp.suite.verify(&d).map(|_| ()).map_err(|e| e.to_string())),
    );
    report.record(
        "derive from addSignedSDBase.json",
        (|| {
            let signed = signed_vector.clone()?;
            let derived = inp
                .suite
                .derive(&signed, &inp.selective, &inp.ph)
                .map_err(|e| e.to_string())?;
            let mut unsigned = derived.clone();
            if let Some(m) = unsigned.as_object_mut() {
                m.remove("proof");
            }
            same_json(
                "reveal document",
                &unsigned,
                &read(&dir.join("derivedUnsignedReveal.json"))?,
            )?;
            let value = derived
                .pointer("/proof/proofValue")
                .and_then(Value::as_str)
                .ok_or("no proofValue")?;
            let ours = DerivedProofValue::parse(value).map_err(|e| e.to_string())?;
            let theirs = DerivedProofValue::parse(
                read(&dir.join("derivedRevealDocument.json"))?
                    .pointer("/proof/proofValue")
                    .and_then(Value::as_str)
                    .ok_or("no proofValue")?,
            )
            .map_err(|e| e.to_string())?;
            same(
                "label map",
                ours.label_map.iter().collect::<Vec<_>>(),
                theirs.label_map.iter().collect(),
            )?;
            same(
                "mandatory indexes",
                &ours.mandatory_indexes,
                &theirs.mandatory_indexes,
            )?;
            same(
                "selective indexes",
                &ours.selective_indexes,
                &theirs.selective_indexes,
            )?;
            same(
                "presentation header",
                &ours.presentation_header,
                &theirs.presentation_header,
            )?;
            inp.suite
                .verify(&derived)
                .map(|_| ())
                .map_err(|e| format!("our derived proof does not verify: {e}"))
        })(),
    );
    report
}

/// The baseline suites, then the optional-feature suites ([`features`]).
pub fn run_all(vectors: &Path) -> Vec<SuiteReport> {
    let mut reports: Vec<SuiteReport> = ["baseline", "prc"]
        .iter()
        .map(|n| run_suite(vectors, n))
        .collect();
    reports.extend(features::run_all(vectors));
    reports
}
