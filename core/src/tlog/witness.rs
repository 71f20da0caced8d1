//! Witnessing ([c2sp.org/tlog-witness@v1.0.0](https://c2sp.org/tlog-witness@v1.0.0)), both
//! ends, transport-free and storage-free.
//!
//! In the order of the text: the `add-checkpoint` request body (`old N`, up to 63
//! consistency-proof lines, a blank line, the checkpoint note); the witness's checks and the
//! status each failure maps to (404 unknown origin, 403 no trusted signature, 400 old size
//! above the checkpoint's, 409 old size not the latest cosigned one, with that size, or the
//! same size with another root, 422 a consistency proof that does not verify); the response
//! (cosignature lines). The caller holds the per-origin state and must check and persist it
//! atomically (one lock around [`Witness::add_checkpoint`] and the write), as the text
//! requires, and persist before answering.

use super::checkpoint::Checkpoint;
use super::merkle::{Hash, empty_root, verify_consistency};
use super::note::{Note, NoteError, NoteSignature, NoteSigner, NoteVerifier};
use super::{b64_decode, b64_encode};

/// Most consistency-proof lines a request may carry.
pub const MAX_PROOF_LINES: usize = 63;
/// Largest request body read, in bytes.
pub const MAX_WITNESS_REQUEST_LEN: usize = 64 * 1024;

/// Why a witness refused a checkpoint, with the HTTP status the text assigns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WitnessError {
    /// 400: the body is malformed, or the old size is above the checkpoint's.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 404: the witness follows no log of this origin.
    #[error("this witness follows no log {0}")]
    UnknownLog(String),
    /// 403: no signature of the log's key verifies.
    #[error("the checkpoint is not signed by the log's key")]
    Forbidden,
    /// 409: the old size is not that of the latest checkpoint cosigned (given), or the same
    /// size was cosigned with another root.
    #[error("conflict: the latest cosigned size is {latest}")]
    Conflict {
        /// The latest cosigned size.
        latest: u64,
    },
    /// 422: the consistency proof does not verify: possible evidence of a fork, kept.
    #[error("the consistency proof from {old} to {new} does not verify")]
    Inconsistent {
        /// The old size.
        old: u64,
        /// The checkpoint's size.
        new: u64,
    },
}

impl WitnessError {
    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        match self {
            WitnessError::BadRequest(_) => 400,
            WitnessError::Forbidden => 403,
            WitnessError::UnknownLog(_) => 404,
            WitnessError::Conflict { .. } => 409,
            WitnessError::Inconsistent { .. } => 422,
        }
    }
}

/// An `add-checkpoint` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the previous checkpoint the witness is believed to have cosigned.
    pub old_size: u64,
    /// A consistency proof from `old_size` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint note, signatures included.
    pub note: String,
}

fn decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok().filter(|&v| v <= i64::MAX as u64)
}

impl AddCheckpoint {
    /// Read a request body.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint, WitnessError> {
        let bad = WitnessError::BadRequest;
        if body.len() > MAX_WITNESS_REQUEST_LEN {
            return Err(bad("the request is too long"));
        }
        let s = std::str::from_utf8(body).map_err(|_| bad("the request is UTF-8"))?;
        let (head, note) = s
            .split_once("\n\n")
            .ok_or(bad("an empty line follows the old size and proof lines"))?;
        let mut lines = head.split('\n');
        let old = lines
            .next()
            .and_then(|l| l.strip_prefix("old "))
            .and_then(decimal)
            .ok_or(bad("the first line is `old` and a decimal size"))?;
        let mut proof = Vec::new();
        for l in lines {
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad("more than 63 consistency proof lines"));
            }
            let h: Hash = b64_decode(l)
                .and_then(|h| h.try_into().ok())
                .ok_or(bad("a proof line is one base64 SHA-256 hash"))?;
            proof.push(h);
        }
        Ok(AddCheckpoint {
            old_size: old,
            proof,
            note: note.to_owned(),
        })
    }

    /// The request body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("old {}\n", self.old_size);
        for h in &self.proof {
            out.push_str(&b64_encode(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.note);
        out.into_bytes()
    }
}

/// What a witness has cosigned for one log: the latest size and root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cosigned {
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root: Hash,
}

/// A witness: its cosigning key and the logs it follows (their keys, named by origin).
pub struct Witness {
    signer: NoteSigner,
    logs: Vec<NoteVerifier>,
}

impl std::fmt::Debug for Witness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Witness")
            .field("key", &self.signer.verifier())
            .field("logs", &self.logs)
            .finish_non_exhaustive()
    }
}

impl Witness {
    /// A witness with a cosigner key (see [`NoteSigner::from_seed`]) following `logs`.
    pub fn new(signer: NoteSigner, logs: Vec<NoteVerifier>) -> Result<Witness, NoteError> {
        if !signer.verifier().is_cosigner() {
            return Err(NoteError::Malformed(
                "a witness signs with a cosignature key (0x04)",
            ));
        }
        Ok(Witness { signer, logs })
    }

    /// The witness's verifier key.
    pub fn verifier(&self) -> NoteVerifier {
        self.signer.verifier()
    }

    /// The origin a request is for, once its note reads (to pick the state to lock).
    pub fn origin_of(request: &AddCheckpoint) -> Result<String, WitnessError> {
        let note = Note::parse(request.note.as_bytes())
            .map_err(|_| WitnessError::BadRequest("the checkpoint is not a signed note"))?;
        let c = Checkpoint::parse(note.text())
            .map_err(|_| WitnessError::BadRequest("the note is not a checkpoint"))?;
        Ok(c.origin)
    }

    /// Check `request` against `latest` (what this witness last cosigned for its origin,
    /// `None` if nothing) and cosign at `now` (Unix seconds). The new state to persist,
    /// before answering, and the response body.
    pub fn add_checkpoint(
        &self,
        request: &AddCheckpoint,
        latest: Option<Cosigned>,
        now: u64,
    ) -> Result<(Cosigned, String), WitnessError> {
        let note = Note::parse(request.note.as_bytes())
            .map_err(|_| WitnessError::BadRequest("the checkpoint is not a signed note"))?;
        let c = Checkpoint::parse(note.text())
            .map_err(|_| WitnessError::BadRequest("the note is not a checkpoint"))?;
        let keys: Vec<NoteVerifier> = self
            .logs
            .iter()
            .filter(|l| l.name() == c.origin)
            .cloned()
            .collect();
        if keys.is_empty() {
            return Err(WitnessError::UnknownLog(
                c.origin.chars().take(200).collect(),
            ));
        }
        note.verify(&keys).map_err(|_| WitnessError::Forbidden)?;
        if request.old_size > c.size {
            return Err(WitnessError::BadRequest(
                "the old size is above the checkpoint's size",
            ));
        }
        let have = latest.unwrap_or(Cosigned {
            size: 0,
            root: empty_root(),
        });
        if request.old_size != have.size {
            return Err(WitnessError::Conflict { latest: have.size });
        }
        if request.old_size == 0 && !request.proof.is_empty() {
            return Err(WitnessError::BadRequest("the proof from size 0 is empty"));
        }
        if c.size == have.size {
            if c.root != have.root {
                return Err(WitnessError::Conflict { latest: have.size });
            }
        } else if have.size > 0
            && verify_consistency(have.size, c.size, &have.root, &c.root, &request.proof).is_err()
        {
            return Err(WitnessError::Inconsistent {
                old: have.size,
                new: c.size,
            });
        }
        let line = self.signer.sign_line(note.text(), now);
        Ok((
            Cosigned {
                size: c.size,
                root: c.root,
            },
            line,
        ))
    }
}

/// Add to `note` the cosignatures of `witness` found in a witness's response body (other
/// lines are ignored, as the text asks); an error when none of that witness verifies.
pub fn merge_cosignatures(
    note: &mut Note,
    response: &[u8],
    witness: &NoteVerifier,
) -> Result<usize, NoteError> {
    let body =
        std::str::from_utf8(response).map_err(|_| NoteError::Malformed("a response is UTF-8"))?;
    let joined = format!("{}\n{body}", note.text());
    let parsed = Note::parse(joined.as_bytes())?;
    parsed.verify(std::slice::from_ref(witness))?;
    let mine: Vec<NoteSignature> = parsed
        .signatures()
        .iter()
        .filter(|s| s.name == witness.name() && s.id == witness.id())
        .cloned()
        .collect();
    let n = mine.len();
    for s in mine {
        note.add_signature(s);
    }
    Ok(n)
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::tlog::merkle::{consistency_proof, leaf_hash, mth};

    fn tree(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(&[u8::try_from(i % 256).unwrap()]))
            .collect()
    }

    fn note(log: &NoteSigner, leaves: &[Hash]) -> String {
        let text = Checkpoint {
            origin: "uni.example/log".into(),
            size: leaves.len() as u64,
            root: mth(leaves),
            extensions: vec![],
        }
        .to_text();
        Note::sign(&text, &[log], 0).unwrap()
    }

    #[test]
    fn a_witness_cosigns_consistent_growth_and_refuses_the_rest() {
        let log = NoteSigner::from_seed("uni.example/log", &[1; 32], false).unwrap();
        let w = Witness::new(
            NoteSigner::from_seed("audit.example", &[2; 32], true).unwrap(),
            vec![log.verifier()],
        )
        .unwrap();
        let leaves = tree(300);
        let first = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            note: note(&log, &leaves[..10]),
        };
        let body = first.to_bytes();
        assert_eq!(AddCheckpoint::parse(&body).unwrap(), first);
        let (state, line) = w.add_checkpoint(&first, None, 1_800_000_000).unwrap();
        assert_eq!(state.size, 10);
        let mut n = Note::parse(first.note.as_bytes()).unwrap();
        assert_eq!(
            merge_cosignatures(&mut n, line.as_bytes(), &w.verifier()).unwrap(),
            1
        );
        assert_eq!(
            n.verify(&[w.verifier()]).unwrap()[0].timestamp,
            Some(1_800_000_000)
        );
        // A cosignature of another checkpoint does not merge into this one.
        let other = Note::parse(note(&log, &leaves[..11]).as_bytes()).unwrap();
        let foreign = w.verifier();
        let (_, other_line) = w
            .add_checkpoint(
                &AddCheckpoint {
                    old_size: 10,
                    proof: consistency_proof(&leaves[..], 10, 11).unwrap(),
                    note: other.to_text(),
                },
                Some(state),
                1_800_000_001,
            )
            .unwrap();
        let mut fresh = Note::parse(first.note.as_bytes()).unwrap();
        assert!(merge_cosignatures(&mut fresh, other_line.as_bytes(), &foreign).is_err());
        assert_eq!(fresh.signatures().len(), 1);

        let grow = AddCheckpoint {
            old_size: 10,
            proof: consistency_proof(&leaves[..], 10, 300).unwrap(),
            note: note(&log, &leaves),
        };
        assert_eq!(w.add_checkpoint(&grow, Some(state), 1).unwrap().0.size, 300);
        // The same checkpoint again (a refresh) is cosigned; a rollback is a conflict.
        let after = Cosigned {
            size: 300,
            root: mth(&leaves),
        };
        let again = AddCheckpoint {
            old_size: 300,
            proof: vec![],
            note: grow.note.clone(),
        };
        assert!(w.add_checkpoint(&again, Some(after), 2).is_ok());
        assert_eq!(
            w.add_checkpoint(&grow, Some(after), 3)
                .unwrap_err()
                .status(),
            409
        );
        // A fork: same size, another root.
        let mut forked = tree(300);
        forked[5] = [0; 32];
        let fork = AddCheckpoint {
            old_size: 300,
            proof: vec![],
            note: note(&log, &forked),
        };
        assert_eq!(
            w.add_checkpoint(&fork, Some(after), 4),
            Err(WitnessError::Conflict { latest: 300 })
        );
        // A growth that rewrote history: the proof does not verify.
        let rewrite = AddCheckpoint {
            old_size: 10,
            proof: consistency_proof(&forked[..], 10, 300).unwrap(),
            note: note(&log, &forked),
        };
        assert_eq!(
            w.add_checkpoint(&rewrite, Some(state), 5)
                .unwrap_err()
                .status(),
            422
        );
        // Other keys, other origins, malformed bodies.
        let other = NoteSigner::from_seed("uni.example/log", &[9; 32], false).unwrap();
        let forged = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            note: note(&other, &leaves[..10]),
        };
        assert_eq!(
            w.add_checkpoint(&forged, None, 6).unwrap_err().status(),
            403
        );
        let stranger = NoteSigner::from_seed("x.example/log", &[1; 32], false).unwrap();
        let text = Checkpoint {
            origin: "x.example/log".into(),
            size: 1,
            root: [0; 32],
            extensions: vec![],
        }
        .to_text();
        let unknown = AddCheckpoint {
            old_size: 0,
            proof: vec![],
            note: Note::sign(&text, &[&stranger], 0).unwrap(),
        };
        assert_eq!(
            w.add_checkpoint(&unknown, None, 7).unwrap_err().status(),
            404
        );
        let ahead = AddCheckpoint {
            old_size: 11,
            proof: vec![],
            note: note(&log, &leaves[..10]),
        };
        assert_eq!(w.add_checkpoint(&ahead, None, 8).unwrap_err().status(), 400);
        for body in [
            &b"old 01\n\nx"[..],
            b"old 1\nnot-base64\n\nx",
            b"new 1\n\nx",
            b"old 1\n",
        ] {
            assert_eq!(
                AddCheckpoint::parse(body).unwrap_err().status(),
                400,
                "{body:?}"
            );
        }
        let long = format!(
            "old 1\n{}\nx",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".repeat(64)
        );
        assert!(AddCheckpoint::parse(long.as_bytes()).is_err());
    }
}
