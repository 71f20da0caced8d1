//! The W3C bbs-2023 optional-feature vectors (`vc-di-bbs/TestVectors/{HolderBinding,
//! Pseudonym,PseudonymHB}` with `FeatureInputs/`): suites `w3c-bbs-2023/holder-binding`,
//! `w3c-bbs-2023/pseudonym` and `w3c-bbs-2023/pseudonym-hb`.
//!
//! Each deterministic value the vectors publish is a case: canonical and HMAC'd N-Quads, the
//! groups, the hashes, the holder's commitment (its proof checked), the blind base signature
//! and the full base proof value (byte for byte, under the test-only vectors profile), the
//! holder's check on receipt, the nym secret, the published derived document (verified, its
//! pseudonym compared), and a derivation from the published base document with the vectors'
//! mocked randomness (reveal document, label map, indexes, presentation header,
//! `lengthBBSMessages`, pseudonym and the full proof value compared), plus a derivation in the
//! specification's encoding that verifies.
//!
//! Where the vectors contradict the specification's text, a case checks the text's rule on the
//! vector; it is listed in `exceptions/w3c-bbs-2023-features.json` with the reason, counted
//! as skipped while it fails, and fails the suite once it passes (the exception is then stale).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use civitas_core::bbs::blind::{CommitmentWithProof, HolderSecret, ProverBlind};
use civitas_core::bbs::pseudonym::{ProverNym, SignerNymEntropy};
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey, Signature};
use civitas_core::bbs2023::{
    BaseProofValue, DerivedProofValue, Feature, HmacKey, Profile, ProofKind,
};
use civitas_core::bbs2023::{Bbs2023, BindingSecrets, CommitmentRequest, ProofOptions};
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::{Timestamp, hazmat};
use serde_json::Value;

use super::{index_map, read, same, same_json, strings};
use crate::SuiteReport;

const CS: Ciphersuite = Ciphersuite::Bls12381Sha256;

/// The mocked random scalars' DST the specification's reference to the BBS draft gives for a
/// proof: `api_id || "MOCK_RANDOM_SCALARS_DST_"` with the BBS Interface's `api_id`.
const SPEC_MOCK_DST: &[u8] =
    b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_MOCK_RANDOM_SCALARS_DST_";

/// One entry of `exceptions/w3c-bbs-2023-features.json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Exception {
    /// `<suite>/<case>`.
    pub id: String,
    /// Why the vector contradicts the specification's text.
    pub reason: String,
}

/// The exceptions file, by id.
pub fn exceptions() -> BTreeMap<String, Exception> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("exceptions/w3c-bbs-2023-features.json");
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
    debug_assert!(
        LISTED_CASES.contains(&case),
        "{case} is not in LISTED_CASES"
    );
    match (exceptions.get(&id), outcome) {
        (None, outcome) => report.record(case, outcome),
        (Some(_), Err(_)) => report.skipped += 1,
        (Some(_), Ok(())) => report.record(
            case,
            Err("listed in exceptions/w3c-bbs-2023-features.json but passes: remove it".into()),
        ),
    }
}

/// The cases whose outcome the exceptions file may override.
const LISTED_CASES: [&str; 6] = [
    "derivedRevealDocument.json (mocked randomness)",
    "base proof header",
    "derived proof header",
    "base proof components",
    "signer_nym_entropy untagged",
    "nym_domain in the derived proof",
];

/// The three suite names and their folders and features.
pub const SETS: [(&str, &str, Feature); 3] = [
    (
        "holder-binding",
        "HolderBinding",
        Feature::AnonymousHolderBinding,
    ),
    ("pseudonym", "Pseudonym", Feature::Pseudonym),
    (
        "pseudonym-hb",
        "PseudonymHB",
        Feature::HolderBindingPseudonym,
    ),
];

fn hex_field(v: &Value, k: &str) -> Result<Vec<u8>, String> {
    let s = v
        .get(k)
        .and_then(Value::as_str)
        .ok_or(format!("missing {k}"))?;
    hex::decode(s).map_err(|e| format!("{k}: {e}"))
}

/// A scalar written in hex, possibly without its leading zeros (`nymSecret.json` has 63
/// digits), as `I2OSP(value, 32)`.
fn scalar_hex(s: &str) -> Result<[u8; 32], String> {
    let padded = format!("{s:0>64}");
    hex::decode(&padded)
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "longer than 32 bytes".to_string())
}

struct Holder {
    holder_secret: HolderSecret,
    prover_nym: ProverNym,
    prover_blind: ProverBlind,
}

impl Holder {
    fn secrets(&self, feature: Feature) -> BindingSecrets<'_> {
        match feature {
            Feature::Pseudonym => BindingSecrets::Pseudonym {
                prover_nym: &self.prover_nym,
                prover_blind: &self.prover_blind,
            },
            Feature::HolderBindingPseudonym => BindingSecrets::HolderBindingPseudonym {
                holder_secret: &self.holder_secret,
                prover_nym: &self.prover_nym,
                prover_blind: &self.prover_blind,
            },
            _ => BindingSecrets::HolderBinding {
                holder_secret: &self.holder_secret,
                prover_blind: &self.prover_blind,
            },
        }
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
    seed: Vec<u8>,
    nym_domain: String,
    entropy: [u8; 32],
    commitment_hex: String,
    holder: Holder,
}

fn inputs(root: &Path, dir: &Path) -> Result<Inputs, String> {
    let fi = root.join("FeatureInputs");
    let keys = read(&root.join("BBSKeyMaterial.json"))?;
    let sk =
        SecretKey::from_bytes(&hex_field(&keys, "privateKeyHex")?).map_err(|e| e.to_string())?;
    let hmac: [u8; 32] = hex_field(&keys, "hmacKeyString")?
        .try_into()
        .map_err(|_| "HMAC key is not 32 bytes")?;
    let config = read(&dir.join("addProofConfig.json"))?;
    let text = |k: &str| config.get(k).and_then(Value::as_str).map(str::to_owned);
    let options = ProofOptions {
        verification_method: text("verificationMethod")
            .ok_or("proof config has no verificationMethod")?,
        created: text("created"),
        proof_purpose: text("proofPurpose").ok_or("proof config has no proofPurpose")?,
    };
    let derive = read(&root.join("BBSDeriveMaterial.json"))?;
    let commitment = read(&dir.join("commitmentInfo.json"))?;
    let mut doc = read(&dir.join("addSignedSDBase.json"))?;
    doc.as_object_mut()
        .ok_or("signed base document is not an object")?
        .remove("proof");
    same_json(
        "FeatureInputs/license.json",
        &read(&fi.join("license.json"))?,
        &doc,
    )?;
    let holder = Holder {
        holder_secret: HolderSecret::from_bytes(&hex_field(
            &read(&fi.join("holderSecret.json"))?,
            "holderSecretHex",
        )?)
        .map_err(|e| e.to_string())?,
        prover_nym: ProverNym::from_bytes(&hex_field(
            &read(&fi.join("proverNym.json"))?,
            "proverNymHex",
        )?)
        .map_err(|e| e.to_string())?,
        prover_blind: ProverBlind::from_bytes(&hex_field(&commitment, "secretProverBlind")?)
            .map_err(|e| e.to_string())?,
    };
    Ok(Inputs {
        suite: Bbs2023::new(Arc::new(JsonLdProcessor::default())),
        doc,
        mandatory: strings(&read(&fi.join("licenseMandatory.json"))?)?,
        selective: strings(&read(&fi.join("licenseSelective.json"))?)?,
        key: KeyPair::from_secret(sk),
        hmac,
        options,
        ph: hex_field(&derive, "presentationHeaderHex")?,
        seed: hex_field(&derive, "pseudoRandSeedHex")?,
        nym_domain: read(&fi.join("verifierInfo.json"))?
            .get("verifierId")
            .and_then(Value::as_str)
            .ok_or("verifierInfo.json has no verifierId")?
            .to_owned(),
        entropy: hex_field(
            &read(&fi.join("signerNymEntropy.json"))?,
            "signerNymEntropyHex",
        )?
        .try_into()
        .map_err(|_| "signer nym entropy is not 32 bytes")?,
        commitment_hex: commitment
            .get("commitmentWithProof")
            .and_then(Value::as_str)
            .ok_or("no commitmentWithProof")?
            .to_owned(),
        holder,
    })
}

fn proof_value(doc: &Value) -> Result<&str, String> {
    doc.pointer("/proof/proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| "no proofValue".to_string())
}

fn decoded(value: &str) -> Result<Vec<u8>, String> {
    civitas_core::keys::decode_base64url(value.strip_prefix('u').ok_or("no u")?)
        .map_err(|e| e.to_string())
}

/// Run one suite (`holder-binding`, `pseudonym` or `pseudonym-hb`).
pub fn run_suite(vectors: &Path, name: &str) -> SuiteReport {
    let mut report = SuiteReport::new(format!("w3c-bbs-2023/{name}"));
    let exceptions = exceptions();
    let root = vectors.join("vc-di-bbs/TestVectors");
    let Some(&(_, folder, feature)) = SETS.iter().find(|s| s.0 == name) else {
        report.record(name, Err("unknown vector set".into()));
        return report;
    };
    let dir = root.join(folder);
    let inp = match inputs(&root, &dir) {
        Ok(i) => i,
        Err(e) => {
            report.record("inputs", Err(e));
            return report;
        }
    };
    let hmac = || HmacKey::new(inp.hmac);
    let report_cases: std::collections::BTreeSet<String> = LISTED_CASES
        .iter()
        .map(|c| format!("{}/{c}", report.suite))
        .collect();
    let pseudonym = matches!(
        feature,
        Feature::Pseudonym | Feature::HolderBindingPseudonym
    );

    // ---- base proof transformation and hashing
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
    let base = match inp
        .suite
        .base_proof_data(&inp.doc, &inp.options, &inp.mandatory, &hmac())
    {
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
            let m = base
                .grouped
                .matching
                .get("mandatory")
                .cloned()
                .unwrap_or_default();
            let got_m: Vec<(usize, String)> = m
                .iter()
                .filter_map(|&i| base.grouped.nquads.get(i).map(|n| (i, n.clone())))
                .collect();
            let got_n: Vec<(usize, String)> = (0..base.grouped.nquads.len())
                .filter(|i| !m.contains(i))
                .filter_map(|i| base.grouped.nquads.get(i).map(|n| (i, n.clone())))
                .collect();
            same(
                "mandatory",
                got_m,
                index_map(t.get("mandatory").ok_or("no mandatory")?)?,
            )?;
            same(
                "nonMandatory",
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
                hex::encode(base.proof_hash),
                hex::encode(hex_field(&h, "proofHash")?),
            )?;
            same(
                "mandatoryHash",
                hex::encode(base.mandatory_hash),
                hex::encode(hex_field(&h, "mandatoryHash")?),
            )
        })(),
    );
    // ---- the holder's commitment
    let commitment = hex::decode(&inp.commitment_hex)
        .map_err(|e| e.to_string())
        .and_then(|b| CommitmentWithProof::from_bytes(&b).map_err(|e| e.to_string()));
    report.record(
        "commitmentInfo.json",
        commitment.clone().and_then(|c| {
            same(
                "commitmentWithProof re-encoded",
                hex::encode(c.to_bytes()),
                inp.commitment_hex.clone(),
            )?;
            let expected = match feature {
                Feature::HolderBindingPseudonym => 2,
                _ => 1,
            };
            same("committed values", c.committed_count(), expected)?;
            let check = if pseudonym {
                civitas_core::bbs::pseudonym::verify_commitment_with_nym(CS, &c)
            } else {
                civitas_core::bbs::blind::verify_commitment(CS, &c)
            };
            check.map_err(|e| format!("the commitment's proof does not verify: {e}"))
        }),
    );
    let request = commitment.map(|commitment| CommitmentRequest {
        feature,
        commitment,
    });

    // ---- the issuer's blind base proof
    let entropy = || {
        SignerNymEntropy::from_bytes(&inp.entropy)
            .ok()
            .filter(|_| pseudonym)
    };
    let signed_vector = read(&dir.join("addSignedSDBase.json"));
    let ours = request.clone().and_then(|r| {
        inp.suite
            .sign_blind_with(
                &inp.doc,
                &inp.key,
                &inp.options,
                &inp.mandatory,
                &r,
                hmac(),
                entropy(),
                Profile::VcDiBbsVectors,
            )
            .map_err(|e| e.to_string())
    });
    report.record(
        "addRawBaseSignatureInfo.json",
        (|| {
            let raw = read(&dir.join("addRawBaseSignatureInfo.json"))?;
            let parsed = BaseProofValue::parse(proof_value(ours.as_ref().map_err(Clone::clone)?)?)
                .map_err(|e| e.to_string())?;
            same(
                "bbsSignature",
                hex::encode(parsed.bbs_signature),
                hex::encode(hex_field(&raw, "bbsSignature")?),
            )?;
            same(
                "bbsHeader",
                hex::encode(parsed.bbs_header),
                hex::encode(hex_field(&raw, "bbsHeader")?),
            )?;
            same(
                "publicKey",
                hex::encode(parsed.public_key),
                hex::encode(hex_field(&raw, "publicKey")?),
            )?;
            same(
                "hmacKey",
                hex::encode(parsed.hmac_key.expose()),
                hex::encode(hex_field(&raw, "hmacKey")?),
            )?;
            same(
                "mandatoryPointers",
                parsed.mandatory_pointers.clone(),
                strings(raw.get("mandatoryPointers").ok_or("no mandatoryPointers")?)?,
            )?;
            same(
                "featureOption",
                Some(feature.name()),
                raw.get("featureOption").and_then(Value::as_str),
            )?;
            if pseudonym {
                same(
                    "signer_nym_entropy",
                    parsed.feature.signer_nym_entropy().map(hex::encode),
                    Some(hex::encode(hex_field(&raw, "signerNymEntropyHex")?)),
                )?;
            }
            Ok(())
        })(),
    );
    report.record(
        "addSignedSDBase.json",
        (|| {
            let want = signed_vector.clone()?;
            let got = ours.clone()?;
            same("base proof value", proof_value(&got)?, proof_value(&want)?)?;
            same_json("signed document", &got, &want)
        })(),
    );
    report.record(
        "derivedRecoveredBaseData.json",
        (|| {
            let want = read(&dir.join("derivedRecoveredBaseData.json"))?;
            let parsed = BaseProofValue::parse(proof_value(&signed_vector.clone()?)?)
                .map_err(|e| e.to_string())?;
            same(
                "bbsSignature",
                hex::encode(parsed.bbs_signature),
                hex::encode(hex_field(&want, "bbsSignature")?),
            )?;
            same(
                "hmacKey",
                hex::encode(parsed.hmac_key.expose()),
                hex::encode(hex_field(&want, "hmacKey")?),
            )?;
            if pseudonym {
                same(
                    "signerNymEntropy",
                    parsed.feature.signer_nym_entropy().map(hex::encode),
                    Some(hex::encode(hex_field(&want, "signerNymEntropy")?)),
                )?;
            }
            Ok(())
        })(),
    );
    report.record(
        "addSignedSDBase.json (spec encoding)",
        (|| {
            // Our own issuance writes the text's encoding; it parses back to the same values
            // and its holder check passes.
            let r = request.clone()?;
            let spec = inp
                .suite
                .sign_blind_with(
                    &inp.doc,
                    &inp.key,
                    &inp.options,
                    &inp.mandatory,
                    &r,
                    hmac(),
                    entropy(),
                    Profile::Spec,
                )
                .map_err(|e| e.to_string())?;
            let value = proof_value(&spec)?;
            let (kind, f) = civitas_core::bbs2023::identify(value).map_err(|e| e.to_string())?;
            same("header", (kind, f), (ProofKind::Base, feature))?;
            let a = BaseProofValue::parse(value).map_err(|e| e.to_string())?;
            let b = BaseProofValue::parse(proof_value(&signed_vector.clone()?)?)
                .map_err(|e| e.to_string())?;
            same("bbsSignature", a.bbs_signature, b.bbs_signature)?;
            same(
                "signer_nym_entropy",
                a.feature.signer_nym_entropy(),
                b.feature.signer_nym_entropy(),
            )?;
            inp.suite
                .verify_base_blind(&spec, &inp.holder.secrets(feature))
                .map(|_| ())
                .map_err(|e| e.to_string())
        })(),
    );
    report.record(
        "addSignedSDBase.json (holder check)",
        signed_vector.clone().and_then(|signed| {
            let (_, f) = inp
                .suite
                .verify_base_blind(&signed, &inp.holder.secrets(feature))
                .map_err(|e| e.to_string())?;
            same("feature", f, feature)
        }),
    );
    if pseudonym {
        report.record(
            "nymSecret.json",
            (|| {
                let want = read(&dir.join("nymSecret.json"))?;
                let want = scalar_hex(
                    want.get("nymSecretHex")
                        .and_then(Value::as_str)
                        .ok_or("no nymSecretHex")?,
                )?;
                let t = read(&dir.join("addBaseTransform.json"))?;
                let msgs: Vec<String> = index_map(t.get("nonMandatory").ok_or("no nonMandatory")?)?
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect();
                let raw = read(&dir.join("addRawBaseSignatureInfo.json"))?;
                let sig = Signature::from_bytes(&hex_field(&raw, "bbsSignature")?)
                    .map_err(|e| e.to_string())?;
                let scalars =
                    hazmat::pseudonym::messages_to_scalars(CS, &msgs).map_err(|e| e.to_string())?;
                let committed: Vec<&[u8]> = match feature {
                    Feature::HolderBindingPseudonym => vec![inp.holder.holder_secret.as_ref()],
                    _ => Vec::new(),
                };
                let committed = hazmat::pseudonym::messages_to_scalars(CS, &committed)
                    .map_err(|e| e.to_string())?;
                let nym = hazmat::pseudonym::core_verify_finalize(
                    CS,
                    inp.key.public(),
                    &sig,
                    &hex_field(&raw, "bbsHeader")?,
                    &scalars,
                    &committed,
                    &inp.holder.prover_nym,
                    &SignerNymEntropy::from_bytes(&inp.entropy).map_err(|e| e.to_string())?,
                    &inp.holder.prover_blind,
                )
                .map_err(|e| e.to_string())?;
                same("nym_secret", *nym.to_bytes(), want)
            })(),
        );
    }

    // ---- derived proofs
    let disclosure = read(&dir.join("derivedDisclosureData.json"));
    let theirs = read(&dir.join("derivedRevealDocument.json"));
    report.record(
        "derivedRevealDocument.json",
        theirs.clone().and_then(|d| {
            let v = inp
                .suite
                .verify_with(&d, Some(&inp.nym_domain), Timestamp::now())
                .map_err(|e| e.to_string())?;
            same("feature", v.feature(), feature)?;
            if pseudonym {
                same(
                    "pseudonym",
                    v.pseudonym().map(|p| hex::encode(p.to_bytes())),
                    disclosure
                        .clone()?
                        .get("pseudonym")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                )?;
            }
            Ok(())
        }),
    );
    let holder_secrets = inp.holder.secrets(feature);
    let derived = signed_vector.clone().and_then(|signed| {
        inp.suite
            .dangerous_derive_bound_with_seed(
                &signed,
                &inp.selective,
                &inp.ph,
                &holder_secrets,
                Some(&inp.nym_domain),
                &inp.seed,
                SPEC_MOCK_DST,
                Profile::VcDiBbsVectors,
            )
            .map_err(|e| e.to_string())
    });
    report.record(
        "derivedDisclosureData.json",
        (|| {
            let d = derived.clone()?;
            let mut unsigned = d.clone();
            if let Some(m) = unsigned.as_object_mut() {
                m.remove("proof");
            }
            same_json(
                "reveal document",
                &unsigned,
                &read(&dir.join("derivedUnsignedReveal.json"))?,
            )?;
            let ours = DerivedProofValue::parse(proof_value(&d)?).map_err(|e| e.to_string())?;
            let theirs = DerivedProofValue::parse(proof_value(&theirs.clone()?)?)
                .map_err(|e| e.to_string())?;
            let dd = disclosure.clone()?;
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
            let adj = read(&dir.join("derivedAdjIndexes.json"))?;
            let u32s = |v: Option<&Value>| -> Vec<u32> {
                v.and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_u64)
                            .map(|n| n as u32)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            same(
                "adjMandatoryIndexes",
                ours.mandatory_indexes.clone(),
                u32s(adj.get("adjMandatoryIndexes")),
            )?;
            same(
                "adjSelectiveIndexes",
                ours.selective_indexes.clone(),
                u32s(adj.get("adjSelectiveIndexes")),
            )?;
            same(
                "presentation header",
                &ours.presentation_header,
                &theirs.presentation_header,
            )?;
            same(
                "lengthBBSMessages",
                ours.feature.length_bbs_messages().map(u64::from),
                dd.get("lengthBBSMessages").and_then(Value::as_u64),
            )?;
            same(
                "pseudonym",
                ours.feature.nym().map(|n| hex::encode(n.pseudonym)),
                dd.get("pseudonym")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            )?;
            same(
                "BBS proof length",
                ours.bbs_proof.len(),
                theirs.bbs_proof.len(),
            )?;
            inp.suite
                .verify_with(&d, Some(&inp.nym_domain), Timestamp::now())
                .map(|_| ())
                .map_err(|e| format!("our derived proof does not verify: {e}"))
        })(),
    );
    record_listed(
        &mut report,
        &exceptions,
        "derivedRevealDocument.json (mocked randomness)",
        (|| {
            let d = derived.clone()?;
            same(
                "derived proof value",
                proof_value(&d)?,
                proof_value(&theirs.clone()?)?,
            )
        })(),
    );
    report.record(
        "derive (spec encoding)",
        signed_vector.clone().and_then(|signed| {
            let d = inp
                .suite
                .derive_bound(
                    &signed,
                    &inp.selective,
                    &inp.ph,
                    &holder_secrets,
                    Some(&inp.nym_domain),
                )
                .map_err(|e| e.to_string())?;
            let value = proof_value(&d)?;
            let (kind, f) = civitas_core::bbs2023::identify(value).map_err(|e| e.to_string())?;
            same("header", (kind, f), (ProofKind::Derived, feature))?;
            let parsed = DerivedProofValue::parse(value).map_err(|e| e.to_string())?;
            same(
                "nym_domain",
                parsed.feature.nym().and_then(|n| n.nym_domain.clone()),
                pseudonym.then(|| inp.nym_domain.clone()),
            )?;
            // Verified with the proof's own nym_domain, and with the verifier's.
            for domain in [None, Some(inp.nym_domain.as_str())] {
                let v = inp
                    .suite
                    .verify_with(&d, domain, Timestamp::now())
                    .map_err(|e| e.to_string())?;
                same("feature", v.feature(), feature)?;
            }
            Ok(())
        }),
    );

    // ---- where the vectors contradict the text (each listed in the exceptions file)
    let base_bytes = signed_vector
        .clone()
        .and_then(|s| decoded(proof_value(&s)?));
    let derived_bytes = theirs.clone().and_then(|s| decoded(proof_value(&s)?));
    record_listed(
        &mut report,
        &exceptions,
        "base proof header",
        base_bytes.clone().and_then(|b| {
            same(
                "base header",
                b.get(..3).map(<[u8]>::to_vec),
                Some(feature.header(ProofKind::Base).to_vec()),
            )
        }),
    );
    record_listed(
        &mut report,
        &exceptions,
        "derived proof header",
        derived_bytes.clone().and_then(|b| {
            same(
                "derived header",
                b.get(..3).map(<[u8]>::to_vec),
                Some(feature.header(ProofKind::Derived).to_vec()),
            )
        }),
    );
    record_listed(
        &mut report,
        &exceptions,
        "base proof components",
        base_bytes.clone().and_then(|b| {
            // The text's count of the CBOR array: six for every optional feature ("an array
            // with six elements"), although it lists five values for holder binding.
            let want = match feature {
                Feature::Baseline => 0x85,
                _ => 0x86,
            };
            same("CBOR array head", b.get(3).copied(), Some(want))
        }),
    );
    if pseudonym {
        record_listed(
            &mut report,
            &exceptions,
            "signer_nym_entropy untagged",
            base_bytes.and_then(|b| {
                // "CBOR tagging MUST NOT be used on any of the components": the entropy, last,
                // is `58 20` + 32 bytes with no tag before it.
                let at = b.len().checked_sub(35).ok_or("too short")?;
                same(
                    "byte before the entropy's head",
                    b.get(at).copied() == Some(0xc2),
                    false,
                )
            }),
        );
        record_listed(
            &mut report,
            &exceptions,
            "nym_domain in the derived proof",
            derived_bytes.and_then(|b| {
                same(
                    "CBOR array head (8 components with nym_domain)",
                    b.get(3).copied(),
                    Some(0x88),
                )
            }),
        );
    }
    // An exception no case of this suite names is stale too (a renamed case or a typo).
    let prefix = format!("{}/", report.suite);
    let stale: Vec<String> = exceptions
        .keys()
        .filter(|id| id.starts_with(&prefix) && !report_cases.contains(id.as_str()))
        .cloned()
        .collect();
    for id in stale {
        report.record(&id, Err("listed in exceptions/w3c-bbs-2023-features.json but no case has this id: remove it".into()));
    }
    report
}

/// The three suites.
pub fn run_all(vectors: &Path) -> Vec<SuiteReport> {
    SETS.iter().map(|(n, _, _)| run_suite(vectors, n)).collect()
}
