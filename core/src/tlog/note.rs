//! Signed notes ([c2sp.org/signed-note@v1.0.0](https://c2sp.org/signed-note@v1.0.0)) and
//! timestamped witness cosignatures
//! ([c2sp.org/tlog-cosignature@v1.0.1](https://c2sp.org/tlog-cosignature@v1.0.1)).
//!
//! In the order of signed-note: the format (text, blank line, signature lines), signatures
//! (`— name base64(key ID || signature)`, unknown keys ignored, a failing known key rejects
//! the note), the key ID (`SHA-256(name || 0x0A || type || public key)[:4]`), Ed25519 (type
//! `0x01`) and the verifier key encoding (`name+hex(id)+base64(type || key)`). Cosignatures
//! are type `0x04`: a 72-byte `timestamp || signature` over `cosignature/v1\ntime T\n` and the
//! checkpoint's text.
//!
//! Other signature types (a post-quantum one later) are lines this module ignores unless a
//! verifier of that type is configured.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::{b64_decode, b64_encode};

/// Largest note read, in bytes.
pub const MAX_NOTE_LEN: usize = 1024 * 1024;
/// Most signature lines read (signed-note asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;
/// The signature type of Ed25519 note signatures.
pub const TYPE_ED25519: u8 = 0x01;
/// The signature type of timestamped Ed25519 witness cosignatures.
pub const TYPE_COSIGNATURE: u8 = 0x04;

/// What is wrong with a note, a key or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note, key or line is malformed; the message says how.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// A signature by a known key does not verify: the whole note is refused.
    #[error("the signature of {name} does not verify")]
    BadSignature {
        /// The key's name (at most 100 characters).
        name: String,
    },
    /// No signature of a known key is on the note.
    #[error("the note carries no signature of a known key")]
    NoKnownSignature,
}

fn bad(what: &'static str) -> NoteError {
    NoteError::Malformed(what)
}

/// Whether `name` is a key name: non-empty, no Unicode space, no `+`.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The key ID of `name`, signature type `kind` and `public_key`.
pub fn key_id(name: &str, kind: u8, public_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', kind]);
    h.update(public_key);
    let d: [u8; 32] = h.finalize().into();
    let [a, b, c, e, ..] = d;
    u32::from_be_bytes([a, b, c, e])
}

/// The message a cosignature signs: `cosignature/v1\ntime T\n` then the checkpoint text.
pub fn cosignature_message(timestamp: u64, text: &str) -> Vec<u8> {
    format!("cosignature/v1\ntime {timestamp}\n{text}").into_bytes()
}

/// The Ed25519 public key of a 32-byte secret seed (RFC 8032 §5.1.5).
pub fn ed25519_public_key(seed: &[u8; 32]) -> [u8; 32] {
    SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

/// A public key that verifies note signatures: Ed25519 (a log's) or a cosigner's.
#[derive(Clone, PartialEq, Eq)]
pub struct NoteVerifier {
    name: String,
    id: u32,
    kind: u8,
    key: VerifyingKey,
}

impl std::fmt::Debug for NoteVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.vkey())
    }
}

impl NoteVerifier {
    /// Read a verifier key `name+hex(id)+base64(type || key)` of type `0x01` or `0x04`; its
    /// ID must be the one the name and key give.
    pub fn parse(vkey: &str) -> Result<NoteVerifier, NoteError> {
        let vkey = vkey.trim_end_matches('\n');
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("a verifier key is name+id+key"));
        };
        if !valid_key_name(name) {
            return Err(bad("a key name is non-empty, without spaces or +"));
        }
        if id.len() != 8
            || !id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(bad("a key ID is 8 lowercase hex digits"));
        }
        let id = u32::from_str_radix(id, 16).map_err(|_| bad("a key ID is 8 hex digits"))?;
        let raw = b64_decode(key).ok_or(bad("the key is not base64"))?;
        let (kind, public) = raw.split_first().ok_or(bad("the key is empty"))?;
        if *kind != TYPE_ED25519 && *kind != TYPE_COSIGNATURE {
            return Err(bad(
                "only Ed25519 (0x01) and cosignature (0x04) keys are supported",
            ));
        }
        let bytes: [u8; 32] = public
            .try_into()
            .map_err(|_| bad("an Ed25519 public key is 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad("not an Ed25519 public key"))?;
        if key_id(name, *kind, &bytes) != id {
            return Err(bad("the key ID does not match the name and key"));
        }
        Ok(NoteVerifier {
            name: name.to_owned(),
            id,
            kind: *kind,
            key,
        })
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Whether it verifies cosignatures (`0x04`) rather than note signatures (`0x01`).
    pub fn is_cosigner(&self) -> bool {
        self.kind == TYPE_COSIGNATURE
    }

    /// The Ed25519 public key it wraps (two vkeys of one key are duplicates, whatever their
    /// names).
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The verifier key text.
    pub fn vkey(&self) -> String {
        let mut raw = vec![self.kind];
        raw.extend_from_slice(self.key.as_bytes());
        format!("{}+{:08x}+{}", self.name, self.id, b64_encode(&raw))
    }

    /// Check `signature` (the bytes after the key ID) over `text`; for a cosigner, the
    /// cosignature's timestamp.
    fn check(&self, text: &str, signature: &[u8]) -> Option<Option<u64>> {
        if self.kind == TYPE_COSIGNATURE {
            let (ts, sig) = signature.split_at_checked(8)?;
            let ts = u64::from_be_bytes(ts.try_into().ok()?);
            if ts > i64::MAX as u64 {
                return None;
            }
            let sig = ed25519_dalek::Signature::from_slice(sig).ok()?;
            self.key
                .verify_strict(&cosignature_message(ts, text), &sig)
                .ok()
                .map(|()| Some(ts))
        } else {
            let sig = ed25519_dalek::Signature::from_slice(signature).ok()?;
            self.key
                .verify_strict(text.as_bytes(), &sig)
                .ok()
                .map(|()| None)
        }
    }
}

/// A secret Ed25519 key that signs notes (a log's, type `0x01`) or cosigns checkpoints (a
/// witness's, type `0x04`): zeroized on drop, `[redacted]` in Debug output.
pub struct NoteSigner {
    name: String,
    kind: u8,
    key: SigningKey,
}

impl std::fmt::Debug for NoteSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoteSigner")
            .field("name", &self.name)
            .field("key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

impl NoteSigner {
    /// A signer for `name` from a 32-byte Ed25519 seed; `cosigner` for a witness key.
    pub fn from_seed(name: &str, seed: &[u8; 32], cosigner: bool) -> Result<NoteSigner, NoteError> {
        if !valid_key_name(name) {
            return Err(bad("a key name is non-empty, without spaces or +"));
        }
        Ok(NoteSigner {
            name: name.to_owned(),
            kind: if cosigner {
                TYPE_COSIGNATURE
            } else {
                TYPE_ED25519
            },
            key: SigningKey::from_bytes(seed),
        })
    }

    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        let key = self.key.verifying_key();
        NoteVerifier {
            id: key_id(&self.name, self.kind, key.as_bytes()),
            name: self.name.clone(),
            kind: self.kind,
            key,
        }
    }

    /// The signature line for `text` (with `timestamp` for a cosigner).
    pub fn sign_line(&self, text: &str, timestamp: u64) -> String {
        let id = key_id(&self.name, self.kind, self.key.verifying_key().as_bytes());
        let mut raw = id.to_be_bytes().to_vec();
        if self.kind == TYPE_COSIGNATURE {
            raw.extend_from_slice(&timestamp.to_be_bytes());
            raw.extend_from_slice(
                &self
                    .key
                    .sign(&cosignature_message(timestamp, text))
                    .to_bytes(),
            );
        } else {
            raw.extend_from_slice(&self.key.sign(text.as_bytes()).to_bytes());
        }
        format!("— {} {}\n", self.name, b64_encode(&raw))
    }
}

/// One signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// The bytes after the key ID.
    pub signature: Vec<u8>,
}

impl NoteSignature {
    /// The line, as written in a note.
    pub fn line(&self) -> String {
        let mut raw = self.id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.signature);
        format!("— {} {}\n", self.name, b64_encode(&raw))
    }
}

/// A note as read, not yet trusted: its text and signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The key's name.
    pub name: String,
    /// The key ID.
    pub id: u32,
    /// For a cosignature, its timestamp.
    pub timestamp: Option<u64>,
}

/// Check that `text` may be a note text: UTF-8 (given), ends with a newline, no control
/// character but newline.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') {
        return Err(bad("a note text ends with a newline"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(bad("a note holds no control character but newline"));
    }
    Ok(())
}

impl Note {
    /// Read a signed note: at most [`MAX_NOTE_LEN`] bytes of UTF-8 without control characters
    /// but newline; the text up to the last blank line; then 1 to [`MAX_SIGNATURES`]
    /// signature lines.
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_LEN {
            return Err(bad("the note is too long"));
        }
        let s = std::str::from_utf8(bytes).map_err(|_| bad("a note is UTF-8"))?;
        check_text(s)?;
        let split = s
            .rfind("\n\n")
            .ok_or(bad("a note has a blank line before its signatures"))?;
        let (text, sigs) = (&s[..=split], &s[split + 2..]);
        let mut signatures = Vec::new();
        for line in sigs.split_terminator('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(bad("the note has too many signatures"));
            }
            let rest = line
                .strip_prefix("— ")
                .ok_or(bad("a signature line starts with an em dash and a space"))?;
            let (name, sig) = rest
                .split_once(' ')
                .ok_or(bad("a signature line is a name and a signature"))?;
            if !valid_key_name(name) {
                return Err(bad("a key name is non-empty, without spaces or +"));
            }
            let raw = b64_decode(sig).ok_or(bad("a signature is base64"))?;
            if raw.len() < 5 {
                return Err(bad("a signature holds a key ID and signature bytes"));
            }
            let (id, signature) = raw.split_at(4);
            let id: [u8; 4] = id
                .try_into()
                .map_err(|_| bad("a signature holds a key ID"))?;
            signatures.push(NoteSignature {
                name: name.to_owned(),
                id: u32::from_be_bytes(id),
                signature: signature.to_vec(),
            });
        }
        if signatures.is_empty() {
            return Err(bad("a note has at least one signature"));
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// A note of `text` signed by `signers` (cosigners sign with `timestamp`).
    pub fn sign(text: &str, signers: &[&NoteSigner], timestamp: u64) -> Result<String, NoteError> {
        check_text(text)?;
        if signers.is_empty() {
            return Err(bad("a note has at least one signature"));
        }
        let mut out = format!("{text}\n");
        for s in signers {
            out.push_str(&s.sign_line(text, timestamp));
        }
        Ok(out)
    }

    /// The text (untrusted until [`Note::verify`] succeeds).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines.
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Add a signature line (a cosignature collected from a witness).
    pub fn add_signature(&mut self, signature: NoteSignature) {
        if !self.signatures.contains(&signature) {
            self.signatures.push(signature);
        }
    }

    /// The note as text.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.text);
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }

    /// Verify the note's signatures against `verifiers`: a line whose name and key ID match a
    /// known key must verify (else the note is refused); lines of unknown keys are ignored;
    /// at least one known key must have signed. The signatures that verified.
    pub fn verify(&self, verifiers: &[NoteVerifier]) -> Result<Vec<VerifiedSignature>, NoteError> {
        let mut out: Vec<VerifiedSignature> = Vec::new();
        for s in &self.signatures {
            let Some(v) = verifiers.iter().find(|v| v.name == s.name && v.id == s.id) else {
                continue;
            };
            match v.check(&self.text, &s.signature) {
                Some(timestamp) => {
                    if !out.iter().any(|o| o.name == s.name && o.id == s.id) {
                        out.push(VerifiedSignature {
                            name: s.name.clone(),
                            id: s.id,
                            timestamp,
                        });
                    }
                }
                None => {
                    return Err(NoteError::BadSignature {
                        name: s.name.chars().take(100).collect(),
                    });
                }
            }
        }
        if out.is_empty() {
            return Err(NoteError::NoKnownSignature);
        }
        Ok(out)
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

    /// signed-note's example: this key verifies this note.
    const VKEY: &str = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
    const NOTE: &str = "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

    #[test]
    fn the_spec_example_verifies_and_a_changed_one_does_not() {
        let v = NoteVerifier::parse(VKEY).unwrap();
        assert_eq!(v.vkey(), VKEY);
        let note = Note::parse(NOTE.as_bytes()).unwrap();
        assert_eq!(note.text(), "This is an example message.\n");
        let ok = note.verify(std::slice::from_ref(&v)).unwrap();
        assert_eq!(ok[0].name, "example.com/foo");
        let changed = NOTE.replace("example message", "exemple message");
        assert!(matches!(
            Note::parse(changed.as_bytes())
                .unwrap()
                .verify(std::slice::from_ref(&v)),
            Err(NoteError::BadSignature { .. })
        ));
        // Another key with the same name: its ID differs, the line is ignored, nothing known.
        let other = NoteSigner::from_seed("example.com/foo", &[7; 32], false).unwrap();
        assert_eq!(
            note.verify(&[other.verifier()]),
            Err(NoteError::NoKnownSignature)
        );
    }

    #[test]
    fn the_cosignature_example_carries_its_timestamp() {
        // tlog-cosignature's example line: key ID, then 8 bytes of time 1679315147.
        let raw = b64_decode("jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==").unwrap();
        assert_eq!(raw.len(), 4 + 72);
        assert_eq!(
            u64::from_be_bytes(raw[4..12].try_into().unwrap()),
            1_679_315_147
        );
    }

    #[test]
    fn sign_cosign_and_verify() {
        let log = NoteSigner::from_seed("uni.example/log", &[1; 32], false).unwrap();
        let witness = NoteSigner::from_seed("audit.example/w1", &[2; 32], true).unwrap();
        let text = "uni.example/log\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
        let signed = Note::sign(text, &[&log, &witness], 1_700_000_000).unwrap();
        let note = Note::parse(signed.as_bytes()).unwrap();
        let got = note.verify(&[log.verifier(), witness.verifier()]).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].timestamp, Some(1_700_000_000));
        assert_eq!(note.to_text(), signed);
        // The witness's vkey round-trips with type 0x04.
        let vkey = witness.verifier().vkey();
        assert!(NoteVerifier::parse(&vkey).unwrap().is_cosigner());
        assert!(!format!("{log:?}").contains("01010101"));
        // Unknown extra lines are ignored.
        let extra = format!("{signed}— someone.example/x AAAAAAAA\n");
        assert_eq!(
            Note::parse(extra.as_bytes())
                .unwrap()
                .verify(&[log.verifier()])
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn malformed_notes_and_keys_are_refused() {
        for (note, why) in [
            ("no blank line\n— a AAAAAAAA\n", "blank line"),
            ("text\n\n", "at least one"),
            ("text\n\n- a AAAAAAAA\n", "em dash"),
            ("text\n\n— a AAA\n", "base64"),
            ("text\n\n— a AAAA\n", "key ID"),
            ("text\u{7}\n\n— a AAAAAAAA\n", "control"),
            ("text\n\n— a b AAAAAAAA\n", "base64"),
        ] {
            let e = Note::parse(note.as_bytes()).unwrap_err();
            assert!(e.to_string().contains(why), "{note:?}: {e}");
        }
        for (vkey, why) in [
            (
                "example.com/foo+530d903b+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                "does not match",
            ),
            (
                "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                "lowercase",
            ),
            ("example.com/foo+530d903a", "name+id+key"),
            (
                "ex ample+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
                "spaces",
            ),
        ] {
            let e = NoteVerifier::parse(vkey).unwrap_err();
            assert!(e.to_string().contains(why), "{vkey}: {e}");
        }
    }
}
