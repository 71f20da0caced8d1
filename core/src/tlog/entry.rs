//! What a Civitas log holds (see `docs/formats.md`, "Transparency log entries"): binary
//! entries, versioned and domain-separated, with no personal data.
//!
//! Every entry is `"CIVTLOG1"` (8 bytes) `|| type (u8) || fields`, strings as big-endian
//! `u16` length and UTF-8 bytes, times as big-endian `u64` Unix seconds:
//! - `0x01` key event: `event (u8: 1 added, 2 rotated, 3 retired) || time || key id`
//!   (the verification method URL of the key);
//! - `0x02` status list version: `valid_from || valid_until (0: none) || list URL ||
//!   SHA-256 of the exact published list credential (32 bytes)`;
//! - `0x03` issued credential: a salted commitment, 32 bytes (see [`credential_commitment`]).

use sha2::{Digest, Sha256};

/// The prefix of every entry.
pub const ENTRY_MAGIC: &[u8; 8] = b"CIVTLOG1";

/// What happened to a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEvent {
    /// The key was put in use.
    Added,
    /// The key replaced another (the other is retired by its own event).
    Rotated,
    /// The key is no longer used.
    Retired,
}

/// One log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogEntry {
    /// An issuer key event.
    Key {
        /// What happened.
        event: KeyEvent,
        /// When (Unix seconds).
        time: u64,
        /// The key's verification method URL (a did:key URL).
        key_id: String,
    },
    /// A published version of a status list.
    StatusList {
        /// The version's `validFrom` (Unix seconds).
        valid_from: u64,
        /// Its `validUntil` (Unix seconds; 0 when it has none).
        valid_until: u64,
        /// The list's URL (its `id`).
        url: String,
        /// SHA-256 of the exact bytes published.
        sha256: [u8; 32],
    },
    /// An issued credential, as a commitment only its holder can open.
    Credential {
        /// [`credential_commitment`].
        commitment: [u8; 32],
    },
}

fn put_str(out: &mut Vec<u8>, s: &str) -> Option<()> {
    out.extend_from_slice(&u16::try_from(s.len()).ok()?.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Some(())
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let (a, b) = self.0.split_at_checked(n)?;
        self.0 = b;
        Some(a)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn hash(&mut self) -> Option<[u8; 32]> {
        self.take(32)?.try_into().ok()
    }
    fn string(&mut self) -> Option<String> {
        let len = u16::from_be_bytes(self.take(2)?.try_into().ok()?);
        String::from_utf8(self.take(usize::from(len))?.to_vec()).ok()
    }
}

impl LogEntry {
    /// The entry's bytes; `None` for a string longer than 65,535 bytes.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let mut out = ENTRY_MAGIC.to_vec();
        match self {
            LogEntry::Key {
                event,
                time,
                key_id,
            } => {
                out.push(0x01);
                out.push(match event {
                    KeyEvent::Added => 1,
                    KeyEvent::Rotated => 2,
                    KeyEvent::Retired => 3,
                });
                out.extend_from_slice(&time.to_be_bytes());
                put_str(&mut out, key_id)?;
            }
            LogEntry::StatusList {
                valid_from,
                valid_until,
                url,
                sha256,
            } => {
                out.push(0x02);
                out.extend_from_slice(&valid_from.to_be_bytes());
                out.extend_from_slice(&valid_until.to_be_bytes());
                put_str(&mut out, url)?;
                out.extend_from_slice(sha256);
            }
            LogEntry::Credential { commitment } => {
                out.push(0x03);
                out.extend_from_slice(commitment);
            }
        }
        Some(out)
    }

    /// Read an entry: the magic, a known type, exactly its fields, nothing after them.
    pub fn from_bytes(bytes: &[u8]) -> Option<LogEntry> {
        let mut r = Reader(bytes.strip_prefix(ENTRY_MAGIC.as_slice())?);
        let entry = match r.u8()? {
            0x01 => {
                let event = match r.u8()? {
                    1 => KeyEvent::Added,
                    2 => KeyEvent::Rotated,
                    3 => KeyEvent::Retired,
                    _ => return None,
                };
                LogEntry::Key {
                    event,
                    time: r.u64()?,
                    key_id: r.string()?,
                }
            }
            0x02 => LogEntry::StatusList {
                valid_from: r.u64()?,
                valid_until: r.u64()?,
                url: r.string()?,
                sha256: r.hash()?,
            },
            0x03 => LogEntry::Credential {
                commitment: r.hash()?,
            },
            _ => return None,
        };
        r.0.is_empty().then_some(entry)
    }
}

/// The commitment to an issued credential document: [`credential_commitment`] over its RFC
/// 8785 (JCS) form, so that any faithful re-serialization of the credential (a wallet's copy,
/// an OpenID4VCI response) opens it.
pub fn commit_credential(
    issuer: &str,
    salt: &[u8; 32],
    credential: &serde_json::Value,
) -> [u8; 32] {
    credential_commitment(
        issuer,
        salt,
        crate::jsonld::jcs::canonicalize(credential).as_bytes(),
    )
}

/// The commitment to an issued credential: `SHA-256("civitas/tlog/credential/v1" || 0x00 ||
/// u16 len || issuer || salt || SHA-256(signed credential))`. The holder keeps the 32-byte
/// salt: without it the entry says nothing about the credential, and deleting it is the
/// erasure path.
pub fn credential_commitment(issuer: &str, salt: &[u8; 32], signed_credential: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"civitas/tlog/credential/v1\x00");
    h.update(
        u16::try_from(issuer.len())
            .unwrap_or(u16::MAX)
            .to_be_bytes(),
    );
    h.update(issuer.as_bytes());
    h.update(salt);
    h.update(Sha256::digest(signed_credential));
    h.finalize().into()
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_nothing_else_reads() {
        let all = [
            LogEntry::Key {
                event: KeyEvent::Added,
                time: 1_800_000_000,
                key_id: "did:key:zUC7#zUC7".into(),
            },
            LogEntry::StatusList {
                valid_from: 1_800_000_000,
                valid_until: 0,
                url: "https://uni.example/status/1".into(),
                sha256: [7; 32],
            },
            LogEntry::Credential {
                commitment: credential_commitment("did:key:zUC7", &[1; 32], b"{}"),
            },
        ];
        for e in &all {
            let b = e.to_bytes().unwrap();
            assert_eq!(LogEntry::from_bytes(&b).as_ref(), Some(e));
            let mut longer = b.clone();
            longer.push(0);
            assert_eq!(LogEntry::from_bytes(&longer), None, "trailing bytes");
            assert_eq!(LogEntry::from_bytes(&b[..b.len() - 1]), None, "truncated");
            let mut other = b.clone();
            other[0] = b'X';
            assert_eq!(LogEntry::from_bytes(&other), None, "another magic");
        }
        assert_eq!(LogEntry::from_bytes(b"CIVTLOG1\x09"), None);
        assert_ne!(
            credential_commitment("did:a", &[1; 32], b"{}"),
            credential_commitment("did:a", &[2; 32], b"{}")
        );
    }
}
