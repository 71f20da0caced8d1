//! The IETF BBS fixtures (`bbs-signature/tooling/fixtures/fixture_data`): one suite per
//! ciphersuite and fixture kind, named `ietf-bbs/<sha-256|shake-256>/<kind>`. Each fixture
//! file is one case, except `MapMessageToScalarAsHash.json`, which holds one case per message.

use std::path::{Path, PathBuf};

use civitas_core::bbs::{self, Ciphersuite, Proof, PublicKey, SecretKey, Signature};
use civitas_core::hazmat;
use serde_json::Value;

use crate::SuiteReport;

/// The fixture kinds, in report order.
pub const KINDS: [&str; 7] = [
    "keypair",
    "generators",
    "h2s",
    "map-to-scalar",
    "mocked-rng",
    "signature",
    "proof",
];

fn fixture_dir(vectors: &Path, cs: Ciphersuite) -> PathBuf {
    vectors
        .join("bbs-signature/tooling/fixtures/fixture_data")
        .join(format!("bls12-381-{}", cs.short_name()))
}

pub(crate) fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("invalid JSON in {}: {e}", path.display()))
}

pub(crate) fn field<'a>(v: &'a Value, key: &str) -> Result<&'a Value, String> {
    v.get(key).ok_or_else(|| format!("missing field `{key}`"))
}

pub(crate) fn hex_field(v: &Value, key: &str) -> Result<Vec<u8>, String> {
    let s = field(v, key)?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string"))?;
    hex::decode(s).map_err(|e| format!("`{key}` is not hex: {e}"))
}

pub(crate) fn hex_list(v: &Value, key: &str) -> Result<Vec<Vec<u8>>, String> {
    field(v, key)?
        .as_array()
        .ok_or_else(|| format!("`{key}` is not an array"))?
        .iter()
        .map(|m| {
            m.as_str()
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| format!("`{key}` holds a non-hex entry"))
        })
        .collect()
}

pub(crate) fn expect_eq(what: &str, got: &[u8], want: &[u8]) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!(
            "{what}: got {}, want {}",
            hex::encode(got),
            hex::encode(want)
        ))
    }
}

pub(crate) fn expected_valid(v: &Value) -> Result<bool, String> {
    field(field(v, "result")?, "valid")?
        .as_bool()
        .ok_or_else(|| "`result.valid` is not a boolean".into())
}

/// The `*.json` files of a fixture folder, sorted by name.
pub(crate) fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

pub(crate) fn case_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn keypair_case(cs: Ciphersuite, v: &Value) -> Result<(), String> {
    let sk = SecretKey::key_gen(
        cs,
        &hex_field(v, "keyMaterial")?,
        &hex_field(v, "keyInfo")?,
        Some(&hex_field(v, "keyDst")?),
    )
    .map_err(|e| format!("KeyGen failed: {e}"))?;
    let pair = field(v, "keyPair")?;
    expect_eq(
        "secret key",
        sk.to_bytes().as_slice(),
        &hex_field(pair, "secretKey")?,
    )?;
    expect_eq(
        "public key",
        &sk.public_key().to_bytes(),
        &hex_field(pair, "publicKey")?,
    )
}

fn generators_case(cs: Ciphersuite, v: &Value) -> Result<(), String> {
    let p1 = hazmat::p1(cs).map_err(|e| e.to_string())?;
    expect_eq("P1", &p1, &hex_field(v, "P1")?)?;
    let hs = hex_list(v, "MsgGenerators")?;
    let gens = hazmat::create_generators(cs, hs.len() + 1).map_err(|e| e.to_string())?;
    let (q1, rest) = gens.split_first().ok_or("no generators returned")?;
    expect_eq("Q1", q1, &hex_field(v, "Q1")?)?;
    for (i, (got, want)) in rest.iter().zip(&hs).enumerate() {
        expect_eq(&format!("H_{}", i + 1), got, want)?;
    }
    Ok(())
}

fn h2s_case(cs: Ciphersuite, v: &Value) -> Result<(), String> {
    let s = hazmat::hash_to_scalar(cs, &hex_field(v, "message")?, &hex_field(v, "dst")?)
        .map_err(|e| e.to_string())?;
    expect_eq("scalar", &s.to_bytes(), &hex_field(v, "scalar")?)
}

fn map_to_scalar_cases(
    cs: Ciphersuite,
    v: &Value,
    report: &mut SuiteReport,
    name: &str,
) -> Result<(), String> {
    let dst = hex_field(v, "dst")?;
    let api_dst = [cs.api_id(), b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat();
    expect_eq("map dst", &dst, &api_dst)?;
    let cases = field(v, "cases")?
        .as_array()
        .ok_or("`cases` is not an array")?;
    for (i, case) in cases.iter().enumerate() {
        let outcome = (|| {
            let msg = hex_field(case, "message")?;
            let got = hazmat::messages_to_scalars(cs, &[msg]).map_err(|e| e.to_string())?;
            let s = got.first().ok_or("no scalar returned")?;
            expect_eq("scalar", &s.to_bytes(), &hex_field(case, "scalar")?)
        })();
        report.record(&format!("{name}#{i}"), outcome);
    }
    Ok(())
}

fn mocked_rng_case(cs: Ciphersuite, v: &Value) -> Result<(), String> {
    let count = field(v, "count")?
        .as_u64()
        .ok_or("`count` is not a number")? as usize;
    let got =
        hazmat::seeded_random_scalars(cs, &hex_field(v, "seed")?, &hex_field(v, "dst")?, count)
            .map_err(|e| e.to_string())?;
    let want = hex_list(v, "mockedScalars")?;
    if got.len() != want.len() {
        return Err(format!("got {} scalars, want {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        expect_eq(&format!("scalar {i}"), &g.to_bytes(), w)?;
    }
    Ok(())
}

fn signature_case(cs: Ciphersuite, v: &Value) -> Result<(), String> {
    let pair = field(v, "signerKeyPair")?;
    let pk_bytes = hex_field(pair, "publicKey")?;
    let header = hex_field(v, "header")?;
    let messages = hex_list(v, "messages")?;
    let sig_bytes = hex_field(v, "signature")?;
    let valid = expected_valid(v)?;
    let verified = match (
        PublicKey::from_bytes(&pk_bytes),
        Signature::from_bytes(&sig_bytes),
    ) {
        (Ok(pk), Ok(sig)) => bbs::verify(cs, &pk, &sig, &header, &messages).is_ok(),
        _ => false,
    };
    if verified != valid {
        return Err(format!("Verify returned {verified}, fixture says {valid}"));
    }
    if valid {
        let sk =
            SecretKey::from_bytes(&hex_field(pair, "secretKey")?).map_err(|e| e.to_string())?;
        let pk = PublicKey::from_bytes(&pk_bytes).map_err(|e| e.to_string())?;
        let sig =
            bbs::sign(cs, &sk, &pk, &header, &messages).map_err(|e| format!("Sign failed: {e}"))?;
        expect_eq("signature", &sig.to_bytes(), &sig_bytes)?;
    }
    Ok(())
}

fn proof_case(cs: Ciphersuite, v: &Value, mocked: &Value) -> Result<(), String> {
    let pk_bytes = hex_field(v, "signerPublicKey")?;
    let header = hex_field(v, "header")?;
    let ph = hex_field(v, "presentationHeader")?;
    let messages = hex_list(v, "messages")?;
    let proof_bytes = hex_field(v, "proof")?;
    let indexes: Vec<usize> = field(v, "disclosedIndexes")?
        .as_array()
        .ok_or("`disclosedIndexes` is not an array")?
        .iter()
        .map(|i| {
            i.as_u64()
                .map(|i| i as usize)
                .ok_or_else(|| "bad index".to_string())
        })
        .collect::<Result<_, _>>()?;
    let disclosed: Vec<&[u8]> = indexes
        .iter()
        .filter_map(|&i| messages.get(i).map(Vec::as_slice))
        .collect();
    let valid = expected_valid(v)?;
    let verified = match (
        PublicKey::from_bytes(&pk_bytes),
        Proof::from_bytes(&proof_bytes),
    ) {
        (Ok(pk), Ok(proof)) => {
            disclosed.len() == indexes.len()
                && bbs::proof_verify(cs, &pk, &proof, &header, &ph, &disclosed, &indexes).is_ok()
        }
        _ => false,
    };
    if verified != valid {
        return Err(format!(
            "ProofVerify returned {verified}, fixture says {valid}"
        ));
    }
    if valid {
        // Regenerate the proof with the draft's mocked random scalars: it must match exactly.
        let pk = PublicKey::from_bytes(&pk_bytes).map_err(|e| e.to_string())?;
        let sig = Signature::from_bytes(&hex_field(v, "signature")?).map_err(|e| e.to_string())?;
        let scalars = hazmat::messages_to_scalars(cs, &messages).map_err(|e| e.to_string())?;
        let count = 5 + messages.len() - indexes.len();
        let random = hazmat::seeded_random_scalars(
            cs,
            &hex_field(mocked, "seed")?,
            &hex_field(mocked, "dst")?,
            count,
        )
        .map_err(|e| e.to_string())?;
        let proof = hazmat::dangerous_core_proof_gen_with_scalars(
            cs, &pk, &sig, &header, &ph, &scalars, &indexes, &random,
        )
        .map_err(|e| format!("ProofGen failed: {e}"))?;
        expect_eq("proof", &proof.to_bytes(), &proof_bytes)?;
    }
    Ok(())
}

/// Run one suite: `kind` is one of [`KINDS`].
pub fn run_suite(vectors: &Path, cs: Ciphersuite, kind: &str) -> SuiteReport {
    let mut report = SuiteReport::new(format!("ietf-bbs/{}/{kind}", cs.short_name()));
    let dir = fixture_dir(vectors, cs);
    let single =
        |report: &mut SuiteReport, file: &str, check: &dyn Fn(&Value) -> Result<(), String>| {
            let path = dir.join(file);
            let outcome = read_json(&path).and_then(|v| check(&v));
            report.record(file, outcome);
        };
    match kind {
        "keypair" => single(&mut report, "keypair.json", &|v| keypair_case(cs, v)),
        "generators" => single(&mut report, "generators.json", &|v| generators_case(cs, v)),
        "h2s" => single(&mut report, "h2s.json", &|v| h2s_case(cs, v)),
        "mocked-rng" => single(&mut report, "mockedRng.json", &|v| mocked_rng_case(cs, v)),
        "map-to-scalar" => {
            let file = "MapMessageToScalarAsHash.json";
            let outcome = read_json(&dir.join(file))
                .and_then(|v| map_to_scalar_cases(cs, &v, &mut report, file));
            if let Err(e) = outcome {
                report.record(file, Err(e));
            }
        }
        "signature" | "proof" => {
            let mocked = read_json(&dir.join("mockedRng.json"));
            match json_files(&dir.join(kind)) {
                Ok(files) if !files.is_empty() => {
                    for path in files {
                        let outcome = read_json(&path).and_then(|v| {
                            if kind == "signature" {
                                signature_case(cs, &v)
                            } else {
                                let mocked = mocked.as_ref().map_err(Clone::clone)?;
                                proof_case(cs, &v, mocked)
                            }
                        });
                        report.record(&case_name(&path), outcome);
                    }
                }
                Ok(_) => report.record(
                    kind,
                    Err(format!("no fixtures in {}", dir.join(kind).display())),
                ),
                Err(e) => report.record(kind, Err(e)),
            }
        }
        other => report.record(other, Err(format!("unknown fixture kind `{other}`"))),
    }
    report
}

/// Every `ietf-bbs/...` suite, SHA-256 first.
pub fn run_all(vectors: &Path) -> Vec<SuiteReport> {
    [Ciphersuite::Bls12381Sha256, Ciphersuite::Bls12381Shake256]
        .into_iter()
        .flat_map(|cs| KINDS.iter().map(move |kind| run_suite(vectors, cs, kind)))
        .collect()
}
