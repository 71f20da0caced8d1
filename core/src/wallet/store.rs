//! Record stores for the wallet: the [`CredentialStore`] interface, an in-memory store and an
//! encrypted, crash-safe file store.

use crate::WalletError;
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Error;

/// Where the wallet keeps its records (credentials and the presentation history), by id.
///
/// Object safe and deliberately plain (strings and bytes), so that a mobile app can implement
/// it over its own storage, for example through a UniFFI callback interface. Records may hold
/// personal data: an implementation should keep them encrypted at rest (as
/// [`EncryptedFileStore`] does).
pub trait CredentialStore: Send + Sync {
    /// Store `record` under `id`, replacing any record with that id. When this returns `Ok`,
    /// the record must survive a crash.
    fn put(&self, id: &str, record: &[u8]) -> Result<(), Error>;
    /// The record stored under `id`, if any.
    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, Error>;
    /// The ids of all stored records, in no particular order.
    fn list(&self) -> Result<Vec<String>, Error>;
    /// Remove the record under `id`; removing an absent record is not an error.
    fn delete(&self, id: &str) -> Result<(), Error>;
}

/// A store in memory, for tests and for apps that persist elsewhere. Nothing survives the
/// process.
#[derive(Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<String, Zeroizing<Vec<u8>>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn records(&self) -> MutexGuard<'_, BTreeMap<String, Zeroizing<Vec<u8>>>> {
        // The map is valid after any panic in another thread (each operation is one call on
        // the map), so a poisoned lock is taken over.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("records", &self.records().len())
            .finish()
    }
}

impl CredentialStore for MemoryStore {
    fn put(&self, id: &str, record: &[u8]) -> Result<(), Error> {
        self.records()
            .insert(id.to_owned(), Zeroizing::new(record.to_vec()));
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.records().get(id).map(|r| r.to_vec()))
    }

    fn list(&self) -> Result<Vec<String>, Error> {
        Ok(self.records().keys().cloned().collect())
    }

    fn delete(&self, id: &str) -> Result<(), Error> {
        self.records().remove(id);
        Ok(())
    }
}

/// File format tag, first bytes of every record file.
const MAGIC: &[u8; 4] = b"CVW1";
/// XChaCha20-Poly1305 nonce length: long enough to draw at random for every write.
const NONCE_LEN: usize = 24;
/// Poly1305 tag length.
const TAG_LEN: usize = 16;
/// Largest record file read back, in bytes.
pub const MAX_RECORD_FILE: u64 = 16 * 1024 * 1024;
/// Longest record id accepted, in bytes.
pub const MAX_ID_LEN: usize = 1024;
/// Extension of record files.
const RECORD_EXT: &str = "rec";
/// Name of the key-check file: an empty plaintext sealed under the store's key.
const KEY_CHECK_FILE: &str = "keycheck";
/// Associated data of the key-check file.
const KEY_CHECK_AAD: &[u8] = b"CVW1 key check";
/// Prefix of temporary files (never listed, never read).
const TEMP_PREFIX: &str = ".tmp-";

fn io(op: &'static str) -> impl Fn(std::io::Error) -> Error {
    move |e| Error::Wallet(WalletError::Io { op, kind: e.kind() })
}

fn storage(reason: &'static str) -> Error {
    Error::Wallet(WalletError::Storage { reason })
}

/// HMAC-SHA-256 of `data` under `key`.
fn hmac(key: &[u8], data: &[&[u8]]) -> Result<[u8; 32], Error> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| storage("cannot key the HMAC"))?;
    for d in data {
        mac.update(d);
    }
    Ok(mac.finalize().into_bytes().into())
}

/// A directory of records, each encrypted with XChaCha20-Poly1305 under a key the app
/// supplies (for example one kept in the platform keystore).
///
/// - Two keys are derived from the storage key (HMAC-SHA-256 with fixed labels): one
///   encrypts, one names files. The storage key itself is not kept.
/// - A file's name is the keyed hash of the record id (hex, `.rec`): file names carry no
///   personal data and cannot be linked to an id without the key.
/// - Every write draws a fresh random 192-bit nonce. The associated data is the file name,
///   that is the keyed hash of the id, so a record moved or copied to another id's file fails
///   authentication; the id is also encrypted with the record and compared on reading.
/// - A write goes to a temporary file in the same directory, is flushed to disk, renamed over
///   the old file and the directory is flushed: a crash leaves either the old or the new
///   record, never a mix. Leftover temporary files are never read, and
///   [`EncryptedFileStore::open`] removes them.
/// - A wrong key is refused at [`EncryptedFileStore::open`] (a sealed key-check file); a
///   tampered, truncated or swapped record gives [`crate::WalletError::Storage`] when read, never a
///   panic and never unauthenticated data.
pub struct EncryptedFileStore {
    dir: PathBuf,
    cipher_key: Zeroizing<[u8; 32]>,
    name_key: Zeroizing<[u8; 32]>,
    /// Serializes writers within the process (temporary names are random, so this only keeps
    /// the order of concurrent writes to one id well defined).
    write_lock: Mutex<()>,
}

impl fmt::Debug for EncryptedFileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the keys nor the directory (its path may name the user) are shown.
        f.debug_struct("EncryptedFileStore")
            .field("keys", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl EncryptedFileStore {
    /// Open (creating it when absent) the store in `dir`, with the app's 32-byte storage key.
    /// A key other than the one the store was created with is refused here
    /// ([`crate::WalletError::Storage`]), through a small key-check file sealed at creation.
    pub fn open(dir: impl AsRef<Path>, key: Zeroizing<[u8; 32]>) -> Result<Self, Error> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(io("create directory"))?;
        let cipher_key =
            Zeroizing::new(hmac(&key[..], &[b"civitas wallet v1: record encryption"])?);
        let name_key = Zeroizing::new(hmac(&key[..], &[b"civitas wallet v1: file names"])?);
        let store = Self {
            dir,
            cipher_key,
            name_key,
            write_lock: Mutex::new(()),
        };
        store.check_key()?;
        store.remove_leftover_temporaries();
        Ok(store)
    }

    /// Remove the temporary files of writes that never finished (a process killed between
    /// creating its temporary file and renaming it). Each holds a whole sealed record, possibly
    /// of one deleted since, and without this they pile up, one per crash. Best effort: a file
    /// that cannot be removed is still never read. A writer in another process whose temporary
    /// file goes gets an error from its `put`: nothing it was told is stored is lost.
    fn remove_leftover_temporaries(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut removed = false;
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                removed |= fs::remove_file(entry.path()).is_ok();
            }
        }
        if removed {
            let _ = self.sync_dir();
        }
    }

    /// The keyed hash naming the file of `id`.
    fn file_tag(&self, id: &str) -> Result<[u8; 32], Error> {
        if id.len() > MAX_ID_LEN {
            return Err(Error::TooLarge {
                what: "wallet record id",
                actual: id.len(),
                limit: MAX_ID_LEN,
            });
        }
        hmac(&self.name_key[..], &[id.as_bytes()])
    }

    fn path_for(&self, tag: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.{RECORD_EXT}", hex_lower(tag)))
    }

    fn cipher(&self) -> Result<XChaCha20Poly1305, Error> {
        XChaCha20Poly1305::new_from_slice(&self.cipher_key[..])
            .map_err(|_| storage("cannot key the cipher"))
    }

    /// Associated data of the file with name tag `tag`.
    fn aad(tag: &[u8; 32]) -> Vec<u8> {
        let mut aad = Vec::with_capacity(MAGIC.len() + 32);
        aad.extend_from_slice(MAGIC);
        aad.extend_from_slice(tag);
        aad
    }

    /// `MAGIC || nonce || AEAD(plain, aad)` under a fresh random nonce.
    fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).map_err(|_| storage("no randomness for a nonce"))?;
        let ciphertext = self
            .cipher()?
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .map_err(|_| storage("encryption failed"))?;
        let mut file = Vec::with_capacity(MAGIC.len() + NONCE_LEN + ciphertext.len());
        file.extend_from_slice(MAGIC);
        file.extend_from_slice(&nonce);
        file.extend_from_slice(&ciphertext);
        Ok(file)
    }

    /// The plaintext of a sealed file, authenticated with `aad`.
    fn unseal(&self, aad: &[u8], bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
        let rest = bytes
            .strip_prefix(&MAGIC[..])
            .ok_or_else(|| storage("not a wallet record file"))?;
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(storage("record file truncated"));
        }
        let (nonce, ciphertext) = rest
            .split_first_chunk::<NONCE_LEN>()
            .ok_or_else(|| storage("record file truncated"))?;
        self.cipher()?
            .decrypt(
                &XNonce::from(*nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                storage("record does not authenticate (wrong key, tampered or swapped file)")
            })
    }

    /// Decrypt the file with name tag `tag`: its id and its record.
    fn open_file(&self, tag: &[u8; 32], bytes: &[u8]) -> Result<(String, Vec<u8>), Error> {
        let plain = self.unseal(&Self::aad(tag), bytes)?;
        let (len, body) = plain
            .split_first_chunk::<4>()
            .ok_or_else(|| storage("record plaintext truncated"))?;
        let len = u32::from_be_bytes(*len) as usize;
        if len > body.len() {
            return Err(storage("record plaintext truncated"));
        }
        let (id, record) = body.split_at(len);
        let id = std::str::from_utf8(id)
            .map_err(|_| storage("record id is not UTF-8"))?
            .to_owned();
        Ok((id, record.to_vec()))
    }

    /// Write `bytes` to `path` atomically: a temporary file in the same directory, flushed,
    /// renamed over `path`, then the directory flushed.
    fn write_atomic(&self, path: &Path, bytes: &[u8]) -> Result<(), Error> {
        let _guard = self.lock();
        let mut suffix = [0u8; 16];
        getrandom::getrandom(&mut suffix).map_err(|_| storage("no randomness for a file name"))?;
        let temp = self
            .dir
            .join(format!("{TEMP_PREFIX}{}", hex_lower(&suffix)));
        let written = (|| {
            let mut f = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
                .map_err(io("create temporary file"))?;
            f.write_all(bytes).map_err(io("write"))?;
            f.sync_all().map_err(io("sync file"))?;
            drop(f);
            fs::rename(&temp, path).map_err(io("rename"))
        })();
        if let Err(e) = written {
            // Best effort: the temporary file is ignored by every reader anyway.
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
        self.sync_dir()
    }

    /// Check the key against the directory's key-check file, creating it in a new store.
    fn check_key(&self) -> Result<(), Error> {
        let path = self.dir.join(KEY_CHECK_FILE);
        match fs::read(&path) {
            Ok(bytes) => self
                .unseal(KEY_CHECK_AAD, &bytes)
                .map(drop)
                .map_err(|_| storage("wrong storage key (or a damaged key-check file)")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let sealed = self.seal(KEY_CHECK_AAD, b"")?;
                self.write_atomic(&path, &sealed)
            }
            Err(e) => Err(io("read key check")(e)),
        }
    }

    /// Read the file with name tag `tag`, if it exists.
    fn read_file(&self, tag: &[u8; 32]) -> Result<Option<Zeroizing<Vec<u8>>>, Error> {
        let path = self.path_for(tag);
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("stat")(e)),
        };
        if meta.len() > MAX_RECORD_FILE {
            return Err(storage("record file too large"));
        }
        match fs::read(&path) {
            Ok(b) => Ok(Some(Zeroizing::new(b))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read")(e)),
        }
    }

    /// Flush the directory entry changes (rename, removal) to disk.
    fn sync_dir(&self) -> Result<(), Error> {
        #[cfg(unix)]
        {
            fs::File::open(&self.dir)
                .and_then(|d| d.sync_all())
                .map_err(io("sync directory"))?;
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, ()> {
        self.write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl CredentialStore for EncryptedFileStore {
    fn put(&self, id: &str, record: &[u8]) -> Result<(), Error> {
        let tag = self.file_tag(id)?;
        let id_len = u32::try_from(id.len()).map_err(|_| storage("record id too long"))?;
        let mut plain = Zeroizing::new(Vec::with_capacity(4 + id.len() + record.len()));
        plain.extend_from_slice(&id_len.to_be_bytes());
        plain.extend_from_slice(id.as_bytes());
        plain.extend_from_slice(record);

        let file = self.seal(&Self::aad(&tag), &plain)?;
        if file.len() as u64 > MAX_RECORD_FILE {
            return Err(Error::TooLarge {
                what: "wallet record",
                actual: file.len(),
                limit: MAX_RECORD_FILE as usize,
            });
        }
        self.write_atomic(&self.path_for(&tag), &file)
    }

    fn get(&self, id: &str) -> Result<Option<Vec<u8>>, Error> {
        let tag = self.file_tag(id)?;
        let Some(bytes) = self.read_file(&tag)? else {
            return Ok(None);
        };
        let (stored_id, record) = self.open_file(&tag, &bytes)?;
        if stored_id != id {
            return Err(storage("record belongs to another id"));
        }
        Ok(Some(record))
    }

    fn list(&self) -> Result<Vec<String>, Error> {
        let mut ids = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(io("list directory"))? {
            let entry = entry.map_err(io("list directory"))?;
            let name = entry.file_name();
            let Some(tag) = name.to_str().and_then(parse_record_name) else {
                // Temporary files and anything else not written by this store.
                continue;
            };
            let Some(bytes) = self.read_file(&tag)? else {
                continue; // deleted meanwhile
            };
            let (id, _) = self.open_file(&tag, &bytes)?;
            if self.file_tag(&id)? != tag {
                return Err(storage("record belongs to another id"));
            }
            ids.push(id);
        }
        Ok(ids)
    }

    fn delete(&self, id: &str) -> Result<(), Error> {
        let tag = self.file_tag(id)?;
        let _guard = self.lock();
        match fs::remove_file(self.path_for(&tag)) {
            Ok(()) => self.sync_dir(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io("remove")(e)),
        }
    }
}

/// The tag of a record file name (`<64 hex digits>.rec`), or `None` for any other name.
fn parse_record_name(name: &str) -> Option<[u8; 32]> {
    let hex = name.strip_suffix(".rec")?;
    if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// Lower-case hex.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}
