//! Offline inclusion proofs ([c2sp.org/tlog-proof](https://c2sp.org/tlog-proof), `@v1`): a
//! checkpoint with its cosignatures, an entry's index and its inclusion proof, and optional
//! unauthenticated extra data, in one text file (`.tlog-proof`).
//!
//! In the order of the text: the header line `c2sp.org/tlog-proof@v1`, an optional `extra`
//! line (base64), the `index` line (decimal, no leading zero), zero or more base64 proof
//! hashes (from the leaf's sibling up), an empty line, the checkpoint verbatim. Verifying:
//! the leaf hash (ours: [`super::merkle::leaf_hash`] of the entry), the checkpoint under a
//! [`Policy`] (its log's key and a quorum of cosignatures), then the inclusion proof.

use super::merkle::{Hash, ProofError, leaf_hash, verify_inclusion};
use super::note::Note;
use super::policy::{Policy, PolicyCheckpoint, PolicyError};
use super::{b64_decode, b64_encode};

/// The first line of a proof.
pub const PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// Longest proof file read (a checkpoint with many cosignatures and 63 proof lines fit
/// easily).
pub const MAX_PROOF_LEN: usize = 64 * 1024;

/// Why a proof is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TlogProofError {
    /// The file is not a tlog-proof.
    #[error("not a c2sp.org/tlog-proof@v1 file: {0}")]
    Malformed(&'static str),
    /// The checkpoint does not satisfy the policy.
    #[error("{0}")]
    Policy(#[from] PolicyError),
    /// The inclusion proof does not bind the entry to the checkpoint's root.
    #[error("the inclusion proof: {0}")]
    Inclusion(#[from] ProofError),
}

impl TlogProofError {
    /// This error's [`crate::ErrorKind`] (a match with no wildcard).
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            Self::Malformed(_) => crate::ErrorKind::InvalidInput,
            Self::Policy(_) | Self::Inclusion(_) => crate::ErrorKind::VerificationFailed,
        }
    }
}

/// A parsed tlog-proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    /// Unauthenticated extra data (never trusted by itself).
    pub extra: Option<Vec<u8>>,
    /// The entry's index in the log.
    pub index: u64,
    /// The inclusion proof.
    pub proof: Vec<Hash>,
    /// The checkpoint note, cosignatures included.
    pub checkpoint: String,
}

fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

impl TlogProof {
    /// Read a proof file.
    pub fn parse(bytes: &[u8]) -> Result<TlogProof, TlogProofError> {
        let bad = TlogProofError::Malformed;
        if bytes.len() > MAX_PROOF_LEN {
            return Err(bad("longer than 64 KiB"));
        }
        let s = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))?;
        let (head, checkpoint) = s
            .split_once("\n\n")
            .ok_or(bad("no empty line before the checkpoint"))?;
        let mut lines = head.split('\n');
        if lines.next() != Some(PROOF_HEADER) {
            return Err(bad("the first line is c2sp.org/tlog-proof@v1"));
        }
        let mut next = lines.next();
        let mut extra = None;
        if let Some(e) = next.and_then(|l| l.strip_prefix("extra ")) {
            extra = Some(b64_decode(e).ok_or(bad("the extra line is not base64"))?);
            next = lines.next();
        }
        let index = next
            .and_then(|l| l.strip_prefix("index "))
            .and_then(decimal)
            .ok_or(bad("no index line (index and a decimal)"))?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == 63 {
                return Err(bad("more than 63 inclusion proof lines"));
            }
            proof.push(
                b64_decode(l)
                    .and_then(|h| Hash::try_from(h).ok())
                    .ok_or(bad("a proof line is one base64 SHA-256 hash"))?,
            );
        }
        Note::parse(checkpoint.as_bytes())
            .map_err(|_| bad("the checkpoint is not a signed note"))?;
        Ok(TlogProof {
            extra,
            index,
            proof,
            checkpoint: checkpoint.to_owned(),
        })
    }

    /// The proof file's text.
    pub fn to_text(&self) -> String {
        let mut out = format!("{PROOF_HEADER}\n");
        if let Some(e) = &self.extra {
            out.push_str(&format!("extra {}\n", b64_encode(e)));
        }
        out.push_str(&format!("index {}\n", self.index));
        for h in &self.proof {
            out.push_str(&b64_encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        out
    }

    /// Verify that `entry` is in the log `origin` under `policy` (the checkpoint signed by
    /// the log and cosigned by a quorum); the checkpoint as checked.
    pub fn verify(
        &self,
        entry: &[u8],
        policy: &Policy,
        origin: &str,
    ) -> Result<PolicyCheckpoint, TlogProofError> {
        let checked = policy.check(self.checkpoint.as_bytes(), origin)?;
        let c = checked.signed().checkpoint();
        verify_inclusion(self.index, c.size, &leaf_hash(entry), &self.proof, &c.root)?;
        Ok(checked)
    }
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::tlog::checkpoint::Checkpoint;
    use crate::tlog::merkle::{inclusion_proof, mth};
    use crate::tlog::note::NoteSigner;

    #[test]
    fn a_proof_round_trips_and_binds_its_entry() {
        let log = NoteSigner::from_seed("uni.example/log", &[1; 32], false).unwrap();
        let w = NoteSigner::from_seed("audit.example/w", &[2; 32], true).unwrap();
        let entries: Vec<Vec<u8>> = (0u8..7).map(|i| vec![i; 3]).collect();
        let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e)).collect();
        let text = Checkpoint {
            origin: "uni.example/log".into(),
            size: 7,
            root: mth(&leaves),
            extensions: Vec::new(),
        }
        .to_text();
        let note = Note::sign(&text, &[&log, &w], 1_800_000_000).unwrap();
        let policy = Policy::parse(&format!(
            "log {}\nwitness w {}\nquorum w\n",
            log.verifier().vkey(),
            w.verifier().vkey()
        ))
        .unwrap();
        let proof = TlogProof {
            extra: Some(b"salt".to_vec()),
            index: 3,
            proof: inclusion_proof(leaves.as_slice(), 3, 7).unwrap(),
            checkpoint: note,
        };
        let back = TlogProof::parse(proof.to_text().as_bytes()).unwrap();
        assert_eq!(back, proof);
        back.verify(&entries[3], &policy, "uni.example/log")
            .unwrap();
        assert!(matches!(
            back.verify(&entries[4], &policy, "uni.example/log"),
            Err(TlogProofError::Inclusion(ProofError::RootMismatch))
        ));
        let alone = Policy::parse(&format!(
            "log {}\nwitness v {}\nquorum v\n",
            log.verifier().vkey(),
            NoteSigner::from_seed("other/w", &[3; 32], true)
                .unwrap()
                .verifier()
                .vkey()
        ))
        .unwrap();
        assert!(matches!(
            back.verify(&entries[3], &alone, "uni.example/log"),
            Err(TlogProofError::Policy(PolicyError::NoQuorum { .. }))
        ));
        for bad in [
            "".to_owned(),
            "c2sp.org/tlog-proof@v2\nindex 0\n\nx\n".to_owned(),
            proof.to_text().replace("index 3", "index 03"),
            proof.to_text().replace("\n\n", "\n"),
        ] {
            assert!(TlogProof::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
