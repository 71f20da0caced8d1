//! Checkpoints ([c2sp.org/tlog-checkpoint@v1.0.0](https://c2sp.org/tlog-checkpoint@v1.0.0)):
//! the note text of a log's tree head: the origin, the tree size, the root hash (base64), and
//! optional extension lines.

use super::merkle::Hash;
use super::note::{Note, NoteError, NoteVerifier, VerifiedSignature};
use super::{b64_decode, b64_encode};

/// A tree head, as a checkpoint states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity (non-empty).
    pub origin: String,
    /// The number of leaves.
    pub size: u64,
    /// The Merkle tree hash at that size.
    pub root: Hash,
    /// Extension lines (each non-empty), opaque.
    pub extensions: Vec<String>,
}

fn bad(what: &'static str) -> NoteError {
    NoteError::Malformed(what)
}

impl Checkpoint {
    /// Read a checkpoint's note text (signatures already split off).
    pub fn parse(text: &str) -> Result<Checkpoint, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(bad("a checkpoint text ends with a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines.next().unwrap_or("");
        if origin.is_empty() {
            return Err(bad("a checkpoint's origin line is non-empty"));
        }
        let size = lines.next().ok_or(bad("a checkpoint has a size line"))?;
        if size.is_empty()
            || !size.bytes().all(|b| b.is_ascii_digit())
            || (size.len() > 1 && size.starts_with('0'))
        {
            return Err(bad("a tree size is decimal without leading zeros"));
        }
        let size: u64 = size
            .parse()
            .map_err(|_| bad("the tree size is too large"))?;
        if size > i64::MAX as u64 {
            return Err(bad("the tree size is too large"));
        }
        let root = lines
            .next()
            .ok_or(bad("a checkpoint has a root hash line"))?;
        let root: Hash = b64_decode(root)
            .and_then(|r| r.try_into().ok())
            .ok_or(bad("a root hash is 32 bytes of base64"))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.iter().any(String::is_empty) {
            return Err(bad("extension lines are non-empty"));
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The note text.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            b64_encode(&self.root)
        );
        for e in &self.extensions {
            out.push_str(e);
            out.push('\n');
        }
        out
    }
}

/// A checkpoint whose note verified with its log's key: the tree head and the signatures
/// (the log's, and the cosignatures of known witnesses) that verified. Built only by
/// [`open_checkpoint`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    checkpoint: Checkpoint,
    note: Note,
    cosigned_by: Vec<VerifiedSignature>,
}

impl SignedCheckpoint {
    /// The tree head.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }
    /// The note, for passing on (with every signature line it carried).
    pub fn note(&self) -> &Note {
        &self.note
    }
    /// The witnesses whose cosignatures verified, with their timestamps.
    pub fn cosigned_by(&self) -> &[VerifiedSignature] {
        &self.cosigned_by
    }
}

/// Read a signed checkpoint of the log `origin` with key `log`, and the cosignatures of
/// `witnesses` on it: the note must verify with the log's key (its name need not be the
/// origin, but the origin line must be `origin`); a witness line that fails refuses the
/// checkpoint; unknown lines are ignored.
pub fn open_checkpoint(
    bytes: &[u8],
    origin: &str,
    log: &NoteVerifier,
    witnesses: &[NoteVerifier],
) -> Result<SignedCheckpoint, NoteError> {
    let note = Note::parse(bytes)?;
    let by_log = note.verify(std::slice::from_ref(log))?;
    debug_assert!(!by_log.is_empty());
    let checkpoint = Checkpoint::parse(note.text())?;
    if checkpoint.origin != origin {
        return Err(bad("the checkpoint is for another origin"));
    }
    let cosigned_by = match note.verify(witnesses) {
        Ok(v) => v,
        Err(NoteError::NoKnownSignature) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(SignedCheckpoint {
        checkpoint,
        note,
        cosigned_by,
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail by panicking")]
mod tests {
    use super::*;
    use crate::tlog::note::NoteSigner;

    #[test]
    fn the_spec_example_text_reads_and_writes_back() {
        let text =
            "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let c = Checkpoint::parse(text).unwrap();
        assert_eq!(
            (c.origin.as_str(), c.size),
            ("example.com/behind-the-sofa", 20_852_163)
        );
        assert_eq!(c.to_text(), text);
        for (t, why) in [
            (
                "\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                "origin",
            ),
            (
                "o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                "leading",
            ),
            ("o\n1\nCsUY\n", "32 bytes"),
            (
                "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
                "extension",
            ),
            ("o\n1\n", "root"),
        ] {
            let e = Checkpoint::parse(t).unwrap_err();
            assert!(e.to_string().contains(why), "{t:?}: {e}");
        }
    }

    #[test]
    fn open_checks_the_log_the_origin_and_the_witnesses() {
        let log = NoteSigner::from_seed("uni.example/log", &[1; 32], false).unwrap();
        let w1 = NoteSigner::from_seed("audit.example", &[2; 32], true).unwrap();
        let text = Checkpoint {
            origin: "uni.example/log".into(),
            size: 5,
            root: [9; 32],
            extensions: vec![],
        }
        .to_text();
        let signed = Note::sign(&text, &[&log, &w1], 1_700_000_000).unwrap();
        let c = open_checkpoint(
            signed.as_bytes(),
            "uni.example/log",
            &log.verifier(),
            &[w1.verifier()],
        )
        .unwrap();
        assert_eq!(c.checkpoint().size, 5);
        assert_eq!(c.cosigned_by().len(), 1);
        assert!(
            open_checkpoint(signed.as_bytes(), "other.example/log", &log.verifier(), &[]).is_err()
        );
        let other = NoteSigner::from_seed("uni.example/log", &[3; 32], false).unwrap();
        assert_eq!(
            open_checkpoint(signed.as_bytes(), "uni.example/log", &other.verifier(), &[]),
            Err(NoteError::NoKnownSignature)
        );
    }
}
