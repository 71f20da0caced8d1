//! The Blind BBS fixtures (`draft-irtf-cfrg-bbs-blind-signatures/fixtures/fixture_data`) and the
//! pseudonym -01 fixtures (`draft-irtf-cfrg-bbs-pseudonyms-01/fixtures/fixture_data`, draft
//! `draft-irtf-cfrg-bbs-per-verifier-linkability-01`): one suite per draft, ciphersuite and
//! fixture kind, named `ietf-bbs-blind/<sha-256|shake-256>/<kind>` and
//! `ietf-bbs-pseudonym-01/<sha-256|shake-256>/<kind>`.
//!
//! Every fixture file is one case: what it states is recomputed byte for byte (generators,
//! commitments and proofs with the fixtures' mocked random scalars, signatures) and what it
//! says is valid must verify through the safe API of `civitas_core::bbs::{blind, pseudonym}`.
//! The intermediate values a file lists as its trace (`B`, `domain`, `OP`, the mocked scalars)
//! are one more case, `<file>#trace`; a trace value known to be wrong in the fixtures is listed
//! in `exceptions/ietf-bbs-blind.json` (the case is then skipped, and fails once it passes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use civitas_core::bbs::blind::{self, CommitmentWithProof, ProverBlind};
use civitas_core::bbs::pseudonym::{self, NymSecret, ProverNym, Pseudonym, SignerNymEntropy};
use civitas_core::bbs::{Ciphersuite, Proof, PublicKey, SecretKey, Signature};
use civitas_core::hazmat::{self, Scalar};
use serde_json::Value;

use crate::SuiteReport;
use crate::bbs::{
    case_name, expect_eq, expected_valid, field, hex_field, hex_list, json_files, read_json,
};

/// The fixture kinds of both drafts, in report order.
pub const KINDS: [&str; 4] = ["generators", "commit", "signature", "proof"];

/// The two drafts whose fixtures are read here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draft {
    /// `draft-irtf-cfrg-bbs-blind-signatures` (fixtures of -01/-02).
    Blind,
    /// `draft-irtf-cfrg-bbs-per-verifier-linkability-01` (pseudonyms, one prover nym).
    Pseudonym01,
}

impl Draft {
    /// The suite name prefix.
    pub fn suite_prefix(self) -> &'static str {
        match self {
            Draft::Blind => "ietf-bbs-blind",
            Draft::Pseudonym01 => "ietf-bbs-pseudonym-01",
        }
    }

    fn root(self, vectors: &Path) -> PathBuf {
        match self {
            Draft::Blind => {
                vectors.join("draft-irtf-cfrg-bbs-blind-signatures/fixtures/fixture_data")
            }
            Draft::Pseudonym01 => {
                vectors.join("draft-irtf-cfrg-bbs-pseudonyms-01/fixtures/fixture_data")
            }
        }
    }

    /// The folder of a fixture kind.
    fn folder(self, kind: &str) -> &'static str {
        match (self, kind) {
            (Draft::Blind, "commit") => "commit",
            (Draft::Blind, "signature") => "signature",
            (Draft::Blind, "proof") => "proof",
            (Draft::Pseudonym01, "commit") => "nymCommit",
            (Draft::Pseudonym01, "signature") => "nymSignature",
            (Draft::Pseudonym01, "proof") => "nymProof",
            _ => "",
        }
    }
}

/// One entry of `exceptions/ietf-bbs-blind.json`: a trace value of a fixture that is known
/// not to match, with the reason.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Exception {
    /// `<suite>/<file>#trace`, for example `ietf-bbs-blind/sha-256/signature/signature003.json#trace`.
    pub id: String,
    /// Why the fixture's value is not what the algorithm computes.
    pub reason: String,
}

/// The exceptions file, by id.
pub fn exceptions() -> BTreeMap<String, Exception> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("exceptions/ietf-bbs-blind.json");
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Vec<Exception>>(&t).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect()
}

fn record_listed(
    report: &mut SuiteReport,
    exceptions: &BTreeMap<String, Exception>,
    case: &str,
    outcome: Result<(), String>,
) {
    let id = format!("{}/{case}", report.suite);
    match (exceptions.get(&id), outcome) {
        (None, outcome) => report.record(case, outcome),
        (Some(_), Err(_)) => report.skipped += 1,
        (Some(_), Ok(())) => report.record(
            case,
            Err("listed in exceptions/ietf-bbs-blind.json but passes: remove it".into()),
        ),
    }
}

fn str_field<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    field(v, key)?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string"))
}

fn usize_field(v: &Value, key: &str) -> Result<usize, String> {
    field(v, key)?
        .as_u64()
        .map(|n| n as usize)
        .ok_or_else(|| format!("`{key}` is not a number"))
}

/// A hex field that may be `null`.
fn opt_hex(v: &Value, key: &str) -> Result<Option<Vec<u8>>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => hex_field(v, key).map(Some),
    }
}

/// A hex list that may be `null` (read as empty).
fn opt_hex_list(v: &Value, key: &str) -> Result<Vec<Vec<u8>>, String> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => hex_list(v, key),
    }
}

/// A `{"index": "hex"}` map (or `null`), as sorted indexes and messages.
fn revealed(v: &Value, key: &str) -> Result<(Vec<usize>, Vec<Vec<u8>>), String> {
    let Some(map) = v.get(key).and_then(Value::as_object) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let mut entries: Vec<(usize, Vec<u8>)> = map
        .iter()
        .map(|(k, m)| {
            let i = k
                .parse::<usize>()
                .map_err(|_| format!("`{key}`: bad index {k}"))?;
            let m = m
                .as_str()
                .and_then(|s| hex::decode(s).ok())
                .ok_or_else(|| format!("`{key}`: non-hex message"))?;
            Ok((i, m))
        })
        .collect::<Result<_, String>>()?;
    entries.sort_by_key(|(i, _)| *i);
    Ok(entries.into_iter().unzip())
}

fn scalar_hex(s: &Scalar) -> Vec<u8> {
    s.to_bytes().to_vec()
}

/// The mocked random scalars of `mockRngParameters.<which>` (`SEED` and `DST` given as ASCII
/// strings), as many as the algorithm draws (`needed`). The fixture's own `count` is part of
/// the trace: the second value says whether it agrees.
fn mocked(
    cs: Ciphersuite,
    v: &Value,
    which: &str,
    needed: usize,
) -> Result<(Vec<Scalar>, Result<(), String>), String> {
    let params = field(v, "mockRngParameters")?;
    let seed = str_field(params, "SEED")?;
    let p = field(params, which)?;
    let dst = str_field(p, "DST")?;
    let count = usize_field(p, "count")?;
    let scalars = hazmat::seeded_random_scalars(cs, seed.as_bytes(), dst.as_bytes(), needed)
        .map_err(|e| e.to_string())?;
    let agrees = if count == needed {
        Ok(())
    } else {
        Err(format!(
            "mockRngParameters.{which}.count is {count}; the algorithm draws {needed}"
        ))
    };
    Ok((scalars, agrees))
}

fn check_scalar_list(what: &str, got: &[Scalar], want: &[Vec<u8>]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!(
            "{what}: {} scalars, want {}",
            got.len(),
            want.len()
        ));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        expect_eq(&format!("{what}[{i}]"), &scalar_hex(g), w)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// generators

type CreateGenerators = fn(Ciphersuite, usize) -> Result<Vec<[u8; 48]>, civitas_core::Error>;

fn generators_case(draft: Draft, cs: Ciphersuite, v: &Value) -> Result<(), String> {
    let (api_id, gens, blind_gens): (&[u8], CreateGenerators, CreateGenerators) = match draft {
        Draft::Blind => (
            hazmat::blind::api_id(cs),
            hazmat::blind::create_generators,
            hazmat::blind::create_blind_generators,
        ),
        Draft::Pseudonym01 => (
            hazmat::pseudonym::api_id(cs),
            hazmat::pseudonym::create_generators,
            hazmat::pseudonym::create_blind_generators,
        ),
    };
    let p1 = hazmat::p1(cs).map_err(|e| e.to_string())?;
    let blind_api_id = [b"BLIND_".as_slice(), api_id].concat();
    for (section, want_api, create) in [
        ("generators", api_id.to_vec(), gens),
        ("blindGenerators", blind_api_id, blind_gens),
    ] {
        let s = field(v, section)?;
        expect_eq(
            &format!("{section}.api_id"),
            &want_api,
            str_field(s, "api_id")?.as_bytes(),
        )?;
        expect_eq(&format!("{section}.P1"), &p1, &hex_field(s, "P1")?)?;
        let hs = hex_list(s, "MsgGenerators")?;
        let got = create(cs, hs.len() + 1).map_err(|e| e.to_string())?;
        let (q, rest) = got.split_first().ok_or("no generators returned")?;
        expect_eq(&format!("{section}.Q1"), q, &hex_field(s, "Q1")?)?;
        for (i, (g, w)) in rest.iter().zip(&hs).enumerate() {
            expect_eq(&format!("{section}.MsgGenerators[{i}]"), g, w)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// commit

/// The commitment recomputed with the mocked scalars; the trace (the mocked scalars) is
/// returned as a second outcome.
fn commit_case(draft: Draft, cs: Ciphersuite, v: &Value) -> Result<Result<(), String>, String> {
    if !expected_valid(v)? {
        return Err("no invalid commit fixtures are expected".into());
    }
    let committed = hex_list(v, "committedMessages")?;
    // (prover blind, s~, m~ per committed value); the prover nym is one more committed value.
    let needed = committed.len() + 2 + usize::from(draft == Draft::Pseudonym01);
    let (random, count_agrees) = mocked(cs, v, "commit", needed)?;
    let want = hex_field(v, "commitmentWithProof")?;
    let (commitment, blind) = match draft {
        Draft::Blind => {
            let scalars =
                hazmat::blind::messages_to_scalars(cs, &committed).map_err(|e| e.to_string())?;
            hazmat::blind::dangerous_core_commit_with_scalars(cs, &scalars, &random)
        }
        Draft::Pseudonym01 => {
            let scalars = hazmat::pseudonym::messages_to_scalars(cs, &committed)
                .map_err(|e| e.to_string())?;
            let nym =
                ProverNym::from_bytes(&hex_field(v, "proverNym")?).map_err(|e| e.to_string())?;
            hazmat::pseudonym::dangerous_core_commit_with_nym_with_scalars(
                cs, &scalars, &nym, &random,
            )
        }
    }
    .map_err(|e| format!("Commit failed: {e}"))?;
    expect_eq("commitmentWithProof", &commitment.to_bytes(), &want)?;
    expect_eq(
        "proverBlind",
        blind.to_bytes().as_slice(),
        &hex_field(v, "proverBlind")?,
    )?;
    // The fixture's commitment decodes and its proof verifies.
    let decoded = CommitmentWithProof::from_bytes(&want).map_err(|e| e.to_string())?;
    match draft {
        Draft::Blind => blind::verify_commitment(cs, &decoded),
        Draft::Pseudonym01 => pseudonym::verify_commitment_with_nym(cs, &decoded),
    }
    .map_err(|e| format!("commitment proof: {e}"))?;
    // Trace: the mocked scalars (prover blind, s~, m~...) and their count.
    let trace = count_agrees.and_then(|()| {
        let t = field(field(v, "trace")?, "random_scalars")?;
        let (first, rest) = random.split_first().ok_or("no mocked scalars")?;
        expect_eq(
            "proverBlind",
            &scalar_hex(first),
            &hex_field(v, "proverBlind")?,
        )?;
        let (s, m) = rest.split_first().ok_or("no s~")?;
        expect_eq("s_tilde", &scalar_hex(s), &hex_field(t, "s_tilde")?)?;
        check_scalar_list("m_tildes", m, &hex_list(t, "m_tildes")?)
    });
    Ok(trace)
}

// ---------------------------------------------------------------------------------------------
// signature

fn check_sign_trace(v: &Value, trace: &hazmat::blind::BlindSignTrace) -> Result<(), String> {
    let t = field(v, "trace")?;
    let b = expect_eq("trace.B", &trace.b, &hex_field(t, "B")?);
    let domain = expect_eq(
        "trace.domain",
        &scalar_hex(&trace.domain),
        &hex_field(t, "domain")?,
    );
    match (b, domain) {
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Ok(())) | (Ok(()), Err(e)) => Err(e),
        (Err(a), Err(b)) => Err(format!("{a}; {b}")),
    }
}

fn signature_case(draft: Draft, cs: Ciphersuite, v: &Value) -> Result<Result<(), String>, String> {
    if !expected_valid(v)? {
        return Err("no invalid signature fixtures are expected".into());
    }
    let pair = field(v, "signerKeyPair")?;
    let sk = SecretKey::from_bytes(&hex_field(pair, "secretKey")?).map_err(|e| e.to_string())?;
    let pk = PublicKey::from_bytes(&hex_field(pair, "publicKey")?).map_err(|e| e.to_string())?;
    let header = hex_field(v, "header")?;
    let messages = hex_list(v, "messages")?;
    let committed = opt_hex_list(v, "committedMessages")?;
    let want_sig = hex_field(v, "signature")?;
    let commitment = opt_hex(v, "commitmentWithProof")?
        .map(|b| CommitmentWithProof::from_bytes(&b))
        .transpose()
        .map_err(|e| e.to_string())?;
    let prover_blind = opt_hex(v, "proverBlind")?
        .map(|b| ProverBlind::from_bytes(&b))
        .transpose()
        .map_err(|e| e.to_string())?;
    let fixture_sig = Signature::from_bytes(&want_sig).map_err(|e| e.to_string())?;
    let trace = match draft {
        Draft::Blind => {
            let sig = blind::blind_sign(
                cs,
                &sk,
                &pk,
                commitment.as_ref(),
                committed.len(),
                &header,
                &messages,
            )
            .map_err(|e| format!("BlindSign failed: {e}"))?;
            expect_eq("signature", &sig.to_bytes(), &want_sig)?;
            blind::verify_blind_sign(
                cs,
                &pk,
                &fixture_sig,
                &header,
                &messages,
                &committed,
                prover_blind.as_ref(),
            )
            .map_err(|e| format!("VerifyBlindSign: {e}"))?;
            let scalars =
                hazmat::blind::messages_to_scalars(cs, &messages).map_err(|e| e.to_string())?;
            hazmat::blind::blind_sign_with_trace(
                cs,
                &sk,
                &pk,
                commitment.as_ref(),
                &header,
                &scalars,
            )
        }
        Draft::Pseudonym01 => {
            let commitment = commitment.ok_or("a pseudonym signature needs a commitment")?;
            let prover_blind = prover_blind.ok_or("a pseudonym signature needs a prover blind")?;
            let entropy = SignerNymEntropy::from_bytes(&hex_field(v, "signer_nym_entropy")?)
                .map_err(|e| e.to_string())?;
            let nym =
                ProverNym::from_bytes(&hex_field(v, "proverNym")?).map_err(|e| e.to_string())?;
            let sig = pseudonym::blind_sign_with_nym(
                cs,
                &sk,
                &pk,
                &commitment,
                committed.len(),
                &entropy,
                &header,
                &messages,
            )
            .map_err(|e| format!("BlindSignWithNym failed: {e}"))?;
            expect_eq("signature", &sig.to_bytes(), &want_sig)?;
            let nym_secret = pseudonym::verify_finalize_with_nym(
                cs,
                &pk,
                &fixture_sig,
                &header,
                &messages,
                &committed,
                &nym,
                &entropy,
                &prover_blind,
            )
            .map_err(|e| format!("VerifyFinalizeWithNym: {e}"))?;
            expect_eq(
                "nym_secret",
                nym_secret.to_bytes().as_slice(),
                &hex_field(v, "nym_secret")?,
            )?;
            let scalars =
                hazmat::pseudonym::messages_to_scalars(cs, &messages).map_err(|e| e.to_string())?;
            hazmat::pseudonym::blind_sign_with_nym_trace(
                cs,
                &sk,
                &pk,
                &commitment,
                &entropy,
                &header,
                &scalars,
            )
        }
    }
    .map_err(|e| format!("BlindSign (trace) failed: {e}"))?;
    expect_eq("signature (trace)", &trace.signature.to_bytes(), &want_sig)?;
    Ok(check_sign_trace(v, &trace))
}

// ---------------------------------------------------------------------------------------------
// proof

/// The messages of the proof fixtures: `messages.json` beside the ciphersuite folders.
struct AllMessages {
    messages: Vec<Vec<u8>>,
    committed: Vec<Vec<u8>>,
}

fn all_messages(root: &Path) -> Result<AllMessages, String> {
    let v = read_json(&root.join("messages.json"))?;
    Ok(AllMessages {
        messages: hex_list(&v, "messages")?,
        committed: hex_list(&v, "committedMessages")?,
    })
}

fn proof_case(
    draft: Draft,
    cs: Ciphersuite,
    v: &Value,
    all: &AllMessages,
) -> Result<Result<(), String>, String> {
    if !expected_valid(v)? {
        return Err("no invalid proof fixtures are expected".into());
    }
    let pk = PublicKey::from_bytes(&hex_field(v, "signerPublicKey")?).map_err(|e| e.to_string())?;
    let sig = Signature::from_bytes(&hex_field(v, "signature")?).map_err(|e| e.to_string())?;
    let header = hex_field(v, "header")?;
    let ph = hex_field(v, "presentationHeader")?;
    let l = usize_field(v, "L")?;
    let want_proof = hex_field(v, "proof")?;
    let proof = Proof::from_bytes(&want_proof).map_err(|e| e.to_string())?;
    let (idx, msgs) = revealed(v, "revealedMessages")?;
    let (cidx, cmsgs) = revealed(v, "revealedCommittedMessages")?;
    let prover_blind = opt_hex(v, "proverBlind")?
        .map(|b| ProverBlind::from_bytes(&b))
        .transpose()
        .map_err(|e| e.to_string())?;
    // The signed messages: the first L of messages.json and the first M committed messages,
    // M read from the proof's size as the verifier does (total = R + U = L + 1 + M, one
    // more for the nym secret). BlindProofGen takes no commitment, so the fixture's
    // `commitmentWithProof` is not read.
    let nym_extra = usize::from(draft == Draft::Pseudonym01);
    let total = idx.len() + cidx.len() + proof.undisclosed_count();
    let m = total
        .checked_sub(l + 1 + nym_extra)
        .ok_or("the proof covers fewer messages than L")?;
    let messages = all.messages.get(..l).ok_or("messages.json is too short")?;
    let committed = all.committed.get(..m).ok_or("messages.json is too short")?;
    for (i, msg) in idx.iter().zip(&msgs) {
        expect_eq(
            &format!("revealedMessages[{i}]"),
            msg,
            messages.get(*i).ok_or("index")?,
        )?;
    }
    for (j, msg) in cidx.iter().zip(&cmsgs) {
        expect_eq(
            &format!("revealedCommittedMessages[{j}]"),
            msg,
            committed.get(*j).ok_or("index")?,
        )?;
    }
    let (random, count_agrees) = mocked(cs, v, "proof", 5 + proof.undisclosed_count())?;
    let trace_random = count_agrees.and_then(|()| {
        let t = field(field(v, "trace")?, "random_scalars")?;
        let names: [&[&str]; 5] = [
            &["r1"],
            &["r2"],
            &["e_tilde", "e_Tilde"],
            &["r1_tilde", "r1_Tilde"],
            &["r3_tilde", "r3_Tilde"],
        ];
        for (s, keys) in random.iter().zip(names) {
            let key = keys
                .iter()
                .find(|k| t.get(**k).is_some())
                .ok_or_else(|| format!("trace lacks {}", keys.join("/")))?;
            expect_eq(key, &scalar_hex(s), &hex_field(t, key)?)?;
        }
        check_scalar_list(
            "m_tilde_scalars",
            random.get(5..).unwrap_or(&[]),
            &hex_list(t, "m_tilde_scalars")?,
        )
    });
    match draft {
        Draft::Blind => {
            blind::blind_proof_verify(cs, &pk, &proof, &header, &ph, l, &msgs, &cmsgs, &idx, &cidx)
                .map_err(|e| format!("BlindProofVerify: {e}"))?;
            let mut signed =
                hazmat::blind::messages_to_scalars(cs, messages).map_err(|e| e.to_string())?;
            // The prover blind, or zero for a signature made without a commitment.
            let blind_scalar = match &prover_blind {
                Some(b) => Scalar::from_bytes(b.to_bytes().as_slice()),
                None => Scalar::from_bytes(&[0u8; 32]),
            }
            .map_err(|e| e.to_string())?;
            signed.push(blind_scalar);
            signed.extend(
                hazmat::blind::messages_to_scalars(cs, committed).map_err(|e| e.to_string())?,
            );
            let indexes: Vec<usize> = idx
                .iter()
                .copied()
                .chain(cidx.iter().map(|j| j + l + 1))
                .collect();
            let regenerated = hazmat::blind::dangerous_core_proof_gen_with_scalars(
                cs, &pk, &sig, &header, &ph, l, &signed, &indexes, &random,
            )
            .map_err(|e| format!("BlindProofGen failed: {e}"))?;
            expect_eq("proof", &regenerated.to_bytes(), &want_proof)?;
            // The safe API generates a proof (fresh randomness) that verifies too.
            let fresh = blind::blind_proof_gen(
                cs,
                &pk,
                &sig,
                &header,
                &ph,
                messages,
                committed,
                &idx,
                &cidx,
                prover_blind.as_ref(),
            )
            .map_err(|e| format!("BlindProofGen (random): {e}"))?;
            blind::blind_proof_verify(cs, &pk, &fresh, &header, &ph, l, &msgs, &cmsgs, &idx, &cidx)
                .map_err(|e| format!("BlindProofVerify of a fresh proof: {e}"))?;
            Ok(trace_random)
        }
        Draft::Pseudonym01 => {
            let context_id = hex_field(v, "context_id")?;
            let want_nym = hex_field(v, "pseudonym")?;
            let nym = Pseudonym::from_bytes(&want_nym).map_err(|e| e.to_string())?;
            let nym_secret =
                NymSecret::from_bytes(&hex_field(v, "nym_secret")?).map_err(|e| e.to_string())?;
            let prover_blind = prover_blind.ok_or("a pseudonym proof needs a prover blind")?;
            pseudonym::proof_verify_with_nym(
                cs,
                &pk,
                &proof,
                &nym,
                &context_id,
                &header,
                &ph,
                l,
                &msgs,
                &cmsgs,
                &idx,
                &cidx,
            )
            .map_err(|e| format!("ProofVerifyWithNym: {e}"))?;
            let calculated =
                Pseudonym::calculate(cs, &context_id, &nym_secret).map_err(|e| e.to_string())?;
            expect_eq("pseudonym (calculated)", &calculated.to_bytes(), &want_nym)?;
            let ms =
                hazmat::pseudonym::messages_to_scalars(cs, messages).map_err(|e| e.to_string())?;
            let cs_ =
                hazmat::pseudonym::messages_to_scalars(cs, committed).map_err(|e| e.to_string())?;
            let (regenerated, regenerated_nym) =
                hazmat::pseudonym::dangerous_proof_gen_with_nym_with_scalars(
                    cs,
                    &pk,
                    &sig,
                    &header,
                    &ph,
                    &context_id,
                    &nym_secret,
                    &ms,
                    &cs_,
                    &idx,
                    &cidx,
                    &prover_blind,
                    &random,
                )
                .map_err(|e| format!("ProofGenWithNym failed: {e}"))?;
            expect_eq("proof", &regenerated.to_bytes(), &want_proof)?;
            expect_eq("pseudonym", &regenerated_nym.to_bytes(), &want_nym)?;
            let (fresh, fresh_nym) = pseudonym::proof_gen_with_nym(
                cs,
                &pk,
                &sig,
                &header,
                &ph,
                &context_id,
                &nym_secret,
                messages,
                committed,
                &idx,
                &cidx,
                &prover_blind,
            )
            .map_err(|e| format!("ProofGenWithNym (random): {e}"))?;
            expect_eq("pseudonym (fresh proof)", &fresh_nym.to_bytes(), &want_nym)?;
            pseudonym::proof_verify_with_nym(
                cs,
                &pk,
                &fresh,
                &fresh_nym,
                &context_id,
                &header,
                &ph,
                l,
                &msgs,
                &cmsgs,
                &idx,
                &cidx,
            )
            .map_err(|e| format!("ProofVerifyWithNym of a fresh proof: {e}"))?;
            let trace = trace_random.and_then(|()| {
                let op =
                    hazmat::pseudonym::context_point(cs, &context_id).map_err(|e| e.to_string())?;
                expect_eq("trace.OP", &op, &hex_field(field(v, "trace")?, "OP")?)
            });
            Ok(trace)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// suites

/// Run one suite: `kind` is one of [`KINDS`].
pub fn run_suite(vectors: &Path, draft: Draft, cs: Ciphersuite, kind: &str) -> SuiteReport {
    let mut report = SuiteReport::new(format!(
        "{}/{}/{kind}",
        draft.suite_prefix(),
        cs.short_name()
    ));
    let root = draft.root(vectors);
    let dir = root.join(format!("bls12-381-{}", cs.short_name()));
    let exceptions = exceptions();
    if kind == "generators" {
        let outcome =
            read_json(&dir.join("generators.json")).and_then(|v| generators_case(draft, cs, &v));
        report.record("generators.json", outcome);
        return report;
    }
    if !matches!(kind, "commit" | "signature" | "proof") {
        report.record(kind, Err(format!("unknown fixture kind `{kind}`")));
        return report;
    }
    let all = match all_messages(&root) {
        Ok(all) => all,
        Err(e) => {
            report.record("messages.json", Err(e));
            return report;
        }
    };
    let folder = dir.join(draft.folder(kind));
    let files = match json_files(&folder) {
        Ok(files) if !files.is_empty() => files,
        Ok(_) => {
            report.record(kind, Err(format!("no fixtures in {}", folder.display())));
            return report;
        }
        Err(e) => {
            report.record(kind, Err(e));
            return report;
        }
    };
    for path in files {
        let name = format!("{}/{}", draft.folder(kind), case_name(&path));
        let outcome = read_json(&path).and_then(|v| match kind {
            "commit" => commit_case(draft, cs, &v),
            "signature" => signature_case(draft, cs, &v),
            _ => proof_case(draft, cs, &v, &all),
        });
        match outcome {
            Ok(trace) => {
                report.record(&name, Ok(()));
                record_listed(&mut report, &exceptions, &format!("{name}#trace"), trace);
            }
            Err(e) => report.record(&name, Err(e)),
        }
    }
    report
}

/// Every `ietf-bbs-blind/...` and `ietf-bbs-pseudonym-01/...` suite, SHA-256 first.
pub fn run_all(vectors: &Path) -> Vec<SuiteReport> {
    let mut out = Vec::new();
    for draft in [Draft::Blind, Draft::Pseudonym01] {
        for cs in [Ciphersuite::Bls12381Sha256, Ciphersuite::Bls12381Shake256] {
            for kind in KINDS {
                out.push(run_suite(vectors, draft, cs, kind));
            }
        }
    }
    out
}
