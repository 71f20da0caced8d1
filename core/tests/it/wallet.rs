//! The holder wallet: import of a bbs-2023 diploma issued here, display data, consent
//! summaries, derivation with history, and the encrypted file store's failure cases.
#![expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::{Bbs2023Error, JsonError, WalletError};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use civitas_core::Error;
use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::keys::PublicKey as MultikeyPublic;
use civitas_core::wallet::{
    Claim, CredentialStore, Disclosure, EncryptedFileStore, FixedClock, MemoryStore,
    PresentationBuilder, PresentationRequest, Wallet,
};
use serde_json::{Value, json};
use zeroize::Zeroizing;

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors")
}

fn data(name: &str) -> Value {
    let path = vectors().join("data").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn suite() -> Bbs2023 {
    let jsonld = JsonLdProcessor::default();
    crate::common::register_diploma_context(&jsonld);
    Bbs2023::new(Arc::new(jsonld))
}

/// One diploma signed by a test issuer, shared by the tests (signing is the slow part).
fn signed_diploma() -> &'static Value {
    static SIGNED: OnceLock<Value> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let sk = SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[7; 32], b"", None).unwrap();
        let pair = KeyPair::from_secret(sk);
        let method =
            did::verification_method_id(&MultikeyPublic::Bls12381G2(pair.public().to_bytes()));
        let mut doc: Value = crate::common::diploma();
        doc["issuer"]["id"] = json!(civitas_core::did::did_of_url(&method));
        let mandatory: Vec<String> =
            serde_json::from_value(data("diploma-mandatory.json")).unwrap();
        let mut options = ProofOptions::assertion(method.clone());
        options.created = Some("2026-06-30T09:00:00Z".into());
        suite().sign(&doc, &pair, &options, &mandatory).unwrap()
    })
}

fn wallet() -> (Wallet, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let wallet = Wallet::with_clock(
        store.clone(),
        suite(),
        Arc::new(FixedClock("2026-11-21T10:00:00Z".into())),
    );
    (wallet, store)
}

fn pointers(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn find<'a>(claims: &'a [Claim], pointer: &str) -> Option<&'a Claim> {
    claims.iter().find_map(|c| {
        if c.pointer == pointer {
            Some(c)
        } else {
            find(&c.children, pointer)
        }
    })
}

#[test]
fn imports_and_lists_with_claims_tree_and_mandatory_flags() {
    let (wallet, _) = wallet();
    let text = serde_json::to_string(signed_diploma()).unwrap();
    let summary = wallet.import(&text).unwrap();
    assert_eq!(summary.id.len(), 64);
    assert_eq!(
        summary.types,
        ["VerifiableCredential", "UniversityDegreeCredential"]
    );
    assert!(
        summary
            .issuer_id
            .as_deref()
            .unwrap()
            .starts_with("did:key:z")
    );
    assert_eq!(
        summary.issuer_name.as_deref(),
        Some("University of Civitas")
    );
    assert_eq!(summary.valid_from.as_deref(), Some("2026-06-30T00:00:00Z"));
    assert_eq!(summary.valid_until.as_deref(), Some("2076-06-30T00:00:00Z"));

    // Importing again keeps one copy.
    assert_eq!(wallet.import(&text).unwrap().id, summary.id);
    let listed = wallet.list().unwrap();
    assert_eq!(listed, vec![summary.clone()]);
    assert_eq!(wallet.get(&summary.id).unwrap().unwrap(), summary);

    let claims = summary.claims();
    assert!(find(claims, "/@context").is_none() && find(claims, "/proof").is_none());
    let name = find(claims, "/credentialSubject/degree/name").unwrap();
    assert_eq!(name.label, "name");
    assert_eq!(name.value.as_deref(), Some("MSc Computer Science"));
    assert!(!name.mandatory);
    let degree_type = find(claims, "/credentialSubject/degree/type").unwrap();
    assert_eq!(degree_type.value.as_deref(), Some("MasterDegree"));
    assert!(degree_type.mandatory);
    let issuer = find(claims, "/issuer").unwrap();
    assert!(issuer.mandatory && issuer.value.is_none());
    assert_eq!(issuer.children.len(), 2);
    assert!(find(claims, "/validFrom").unwrap().mandatory);
    // Ids and types of objects on a mandatory path are always disclosed too.
    assert!(find(claims, "/credentialSubject/id").unwrap().mandatory);
    let subject_type = find(claims, "/credentialSubject/type").unwrap();
    assert_eq!(subject_type.value.as_deref(), Some("Person, Graduate"));
    assert!(subject_type.mandatory);
    assert!(!find(claims, "/credentialSubject").unwrap().mandatory);
    let level = find(claims, "/credentialSubject/degree/level").unwrap();
    assert_eq!(level.value.as_deref(), Some("7"));
    let honours = find(claims, "/credentialSubject/degree/honours").unwrap();
    assert_eq!(honours.value.as_deref(), Some("true"));
    let grade = find(claims, "/credentialSubject/grades/1/grade").unwrap();
    assert_eq!(
        (grade.label.as_str(), grade.value.as_deref()),
        ("grade", Some("B+"))
    );
    assert_eq!(
        find(claims, "/credentialSubject/grades/1").unwrap().label,
        "1"
    );

    wallet.delete(&summary.id).unwrap();
    assert!(wallet.list().unwrap().is_empty());
    assert_eq!(wallet.get(&summary.id).unwrap(), None);
}

#[test]
fn refuses_tampered_and_non_bbs_credentials_with_a_reason() {
    let (wallet, store) = wallet();
    let mut tampered = signed_diploma().clone();
    tampered["credentialSubject"]["gpa"] = json!(4.0);
    let err = wallet
        .import(&serde_json::to_string(&tampered).unwrap())
        .unwrap_err();
    assert!(
        matches!(err, Error::Bbs2023(Bbs2023Error::VerificationFailed(_))),
        "{err:?}"
    );
    // The reason names no claim value.
    assert!(!err.to_string().contains("4.0"));

    let mut no_proof = signed_diploma().clone();
    no_proof.as_object_mut().unwrap().remove("proof");
    assert_eq!(
        wallet.import(&no_proof.to_string()).unwrap_err(),
        Error::Wallet(WalletError::InvalidCredential("no proof"))
    );
    let mut other_suite = signed_diploma().clone();
    other_suite["proof"]["cryptosuite"] = json!("ecdsa-sd-2023");
    assert_eq!(
        wallet.import(&other_suite.to_string()).unwrap_err(),
        Error::Wallet(WalletError::InvalidCredential(
            "the proof's cryptosuite is not bbs-2023"
        ))
    );
    // A derived credential is not a base proof.
    let derived = suite()
        .derive(
            signed_diploma(),
            &pointers(&["/credentialSubject/gpa"]),
            b"",
        )
        .unwrap();
    assert!(matches!(
        wallet.import(&derived.to_string()).unwrap_err(),
        Error::Bbs2023(Bbs2023Error::ProofKindMismatch { .. })
    ));
    assert!(matches!(
        wallet.import("{not json").unwrap_err(),
        Error::Json(JsonError::Syntax { .. })
    ));
    let huge = format!("\"{}\"", "a".repeat(1024 * 1024 + 1));
    assert!(matches!(
        wallet.import(&huge).unwrap_err(),
        Error::TooLarge { .. }
    ));
    assert!(
        store.list().unwrap().is_empty(),
        "nothing refused is stored"
    );
}

#[test]
fn consent_preview_derive_and_history() {
    let (wallet, _) = wallet();
    let id = wallet
        .import(&serde_json::to_string(signed_diploma()).unwrap())
        .unwrap()
        .id;
    let requested = pointers(&[
        "/credentialSubject/degree/name",
        "/credentialSubject/grades/1",
    ]);
    let preview = wallet.disclosure_preview(&id, &requested, None).unwrap();
    assert_eq!(preview.credential_id, id);
    let disclosed: Vec<&str> = preview
        .disclosed
        .iter()
        .map(|d| d.pointer.as_str())
        .collect();
    assert_eq!(
        disclosed,
        [
            "/id",
            "/type",
            "/issuer/id",
            "/issuer/name",
            "/validFrom",
            "/validUntil",
            "/credentialSubject/id",
            "/credentialSubject/type",
            "/credentialSubject/degree/type",
            "/credentialSubject/degree/name",
            "/credentialSubject/grades/1/course",
            "/credentialSubject/grades/1/grade",
        ]
    );
    let name = &preview.disclosed[9];
    assert_eq!(
        (name.value.as_str(), name.mandatory),
        ("MSc Computer Science", false)
    );
    assert!(preview.disclosed[4].mandatory);
    assert_eq!(
        preview.hidden,
        [
            "/credentialSubject/givenName",
            "/credentialSubject/familyName",
            "/credentialSubject/birthDate",
            "/credentialSubject/nationality",
            "/credentialSubject/studentNumber",
            "/credentialSubject/degree/field",
            "/credentialSubject/degree/level",
            "/credentialSubject/degree/ects",
            "/credentialSubject/degree/honours",
            "/credentialSubject/degree/awardedOn",
            "/credentialSubject/grades/0/course",
            "/credentialSubject/grades/0/grade",
            "/credentialSubject/grades/2/course",
            "/credentialSubject/grades/2/grade",
            "/credentialSubject/thesisTitle",
            "/credentialSubject/gpa",
        ]
    );

    // Unknown pointers are refused by name, before anything is derived or recorded.
    for bad in [
        "/credentialSubject/shoeSize",
        "/credentialSubject/grades/3",
        "/proof",
    ] {
        let err = wallet
            .disclosure_preview(&id, &pointers(&[bad]), None)
            .unwrap_err();
        assert_eq!(
            err,
            Error::Wallet(WalletError::UnknownPointer {
                pointer: bad.into()
            })
        );
        assert_eq!(
            wallet
                .derive_for(&id, &pointers(&[bad]), b"", None)
                .unwrap_err(),
            Error::Wallet(WalletError::UnknownPointer {
                pointer: bad.into()
            })
        );
    }
    assert!(matches!(
        wallet
            .disclosure_preview(&id, &pointers(&["no-slash"]), None)
            .unwrap_err(),
        Error::Json(JsonError::Pointer { .. })
    ));
    assert_eq!(
        wallet
            .disclosure_preview(&"0".repeat(64), &requested, None)
            .unwrap_err(),
        Error::Wallet(WalletError::NotFound)
    );
    assert!(wallet.history().unwrap().is_empty());

    // Derive: the verifier sees exactly the previewed claims.
    let derived = wallet
        .derive_for(&id, &requested, b"challenge-1", Some("verifier.example"))
        .unwrap();
    let verified = suite().verify(&derived).unwrap();
    let doc = verified.document();
    assert_eq!(
        doc["credentialSubject"]["degree"]["name"],
        "MSc Computer Science"
    );
    assert_eq!(
        doc["credentialSubject"]["grades"],
        json!([{"course": "Distributed Systems", "grade": "B+"}])
    );
    assert!(doc["credentialSubject"].get("birthDate").is_none());
    assert_eq!(verified.presentation_header(), b"challenge-1");
    for hidden in &preview.hidden {
        let mapped = hidden.replace("/grades/1/", "/grades/0/");
        if hidden.contains("/grades/") {
            continue; // array positions are compacted in the derived document
        }
        assert!(doc.pointer(&mapped).is_none(), "{hidden} must stay hidden");
    }
    for d in &preview.disclosed {
        let mapped = d.pointer.replace("/grades/1/", "/grades/0/");
        assert!(
            doc.pointer(&mapped).is_some(),
            "{} must be disclosed",
            d.pointer
        );
    }

    wallet
        .derive_for(&id, &pointers(&["/credentialSubject/gpa"]), b"", None)
        .unwrap();
    let history = wallet.history().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].at, "2026-11-21T10:00:00Z");
    assert_eq!(history[0].domain.as_deref(), Some("verifier.example"));
    assert_eq!(history[0].credential_id, id);
    assert_eq!(
        history[0].disclosed_pointers,
        [
            "/issuer",
            "/validFrom",
            "/validUntil",
            "/credentialSubject/degree/type",
            "/credentialSubject/degree/name",
            "/credentialSubject/grades/1",
        ]
    );
    assert_eq!(history[1].domain, None);
    assert_eq!(
        history[1].disclosed_pointers.last().unwrap(),
        "/credentialSubject/gpa"
    );
    // The history record is not listed as a credential.
    assert_eq!(wallet.list().unwrap().len(), 1);
}

/// A fresh directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("civitas-wallet-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn records(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rec"))
            .collect();
        files.sort();
        files
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn key(byte: u8) -> Zeroizing<[u8; 32]> {
    Zeroizing::new([byte; 32])
}

#[test]
fn encrypted_store_round_trip_and_wrong_key() {
    let dir = TempDir::new("roundtrip");
    let store = EncryptedFileStore::open(&dir.0, key(1)).unwrap();
    store.put("alpha", b"Ada Lovelace, 1990-12-10").unwrap();
    store.put("beta", b"").unwrap();
    store.put("alpha", b"Ada Lovelace, updated").unwrap();
    assert_eq!(
        store.get("alpha").unwrap().unwrap(),
        b"Ada Lovelace, updated"
    );
    assert_eq!(store.get("beta").unwrap().unwrap(), b"");
    assert_eq!(store.get("gamma").unwrap(), None);
    let mut ids = store.list().unwrap();
    ids.sort();
    assert_eq!(ids, ["alpha", "beta"]);

    // No personal data or ids in file names or contents.
    let files = dir.records();
    assert_eq!(files.len(), 2);
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert!(!name.contains("alpha") && !name.contains("beta"));
        let bytes = std::fs::read(f).unwrap();
        assert!(!bytes.windows(3).any(|w| w == b"Ada"));
        assert!(!bytes.windows(5).any(|w| w == b"alpha"));
    }

    // Reopened with the same key: everything is there.
    drop(store);
    let store = EncryptedFileStore::open(&dir.0, key(1)).unwrap();
    assert_eq!(
        store.get("alpha").unwrap().unwrap(),
        b"Ada Lovelace, updated"
    );

    // A wrong key: refused at open, typed, no panic.
    assert_eq!(
        EncryptedFileStore::open(&dir.0, key(2)).unwrap_err(),
        Error::Wallet(WalletError::Storage {
            reason: "wrong storage key (or a damaged key-check file)"
        })
    );
    // Even without the key-check file, records do not open under another key.
    std::fs::remove_file(dir.0.join("keycheck")).unwrap();
    let wrong = EncryptedFileStore::open(&dir.0, key(2)).unwrap();
    assert_eq!(
        wrong.get("alpha").unwrap(),
        None,
        "file names are keyed too"
    );
    assert!(matches!(
        wrong.list().unwrap_err(),
        Error::Wallet(WalletError::Storage { .. })
    ));
    std::fs::remove_file(dir.0.join("keycheck")).unwrap();
    let store = EncryptedFileStore::open(&dir.0, key(1)).unwrap();

    store.delete("alpha").unwrap();
    store.delete("alpha").unwrap();
    assert_eq!(store.get("alpha").unwrap(), None);
    assert_eq!(store.list().unwrap(), ["beta"]);
}

#[test]
fn encrypted_store_rejects_tampered_and_swapped_files() {
    let dir = TempDir::new("tamper");
    let store = EncryptedFileStore::open(&dir.0, key(3)).unwrap();
    store.put("one", b"first record").unwrap();
    store.put("two", b"second record").unwrap();
    let files = dir.records();
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();

    // Every single flipped byte (header, nonce, ciphertext, tag) is detected.
    for i in 0..originals[0].len() {
        let mut bad = originals[0].clone();
        bad[i] ^= 0x01;
        std::fs::write(&files[0], &bad).unwrap();
        assert!(
            matches!(
                store.list().unwrap_err(),
                Error::Wallet(WalletError::Storage { .. })
            ),
            "byte {i}"
        );
    }
    // Truncated and empty files.
    for len in [0, 3, 20, originals[0].len() - 1] {
        std::fs::write(&files[0], &originals[0][..len]).unwrap();
        assert!(matches!(
            store.list().unwrap_err(),
            Error::Wallet(WalletError::Storage { .. })
        ));
    }

    // Swapped files: each record fails to authenticate under the other's name.
    std::fs::write(&files[0], &originals[1]).unwrap();
    std::fs::write(&files[1], &originals[0]).unwrap();
    assert!(matches!(
        store.get("one").unwrap_err(),
        Error::Wallet(WalletError::Storage { .. })
    ));
    assert!(matches!(
        store.get("two").unwrap_err(),
        Error::Wallet(WalletError::Storage { .. })
    ));
    // A copy of one record over the other is refused too.
    std::fs::write(&files[0], &originals[0]).unwrap();
    std::fs::write(&files[1], &originals[0]).unwrap();
    let ok_and_bad: Vec<_> = ["one", "two"].iter().map(|id| store.get(id)).collect();
    assert_eq!(ok_and_bad.iter().filter(|r| r.is_ok()).count(), 1);
    assert_eq!(
        ok_and_bad
            .iter()
            .filter(|r| matches!(r, Err(Error::Wallet(WalletError::Storage { .. }))))
            .count(),
        1
    );
}

#[test]
fn encrypted_store_survives_a_crash_mid_save() {
    let dir = TempDir::new("crash");
    let store = EncryptedFileStore::open(&dir.0, key(4)).unwrap();
    store.put("diploma", b"saved before the crash").unwrap();
    let file = dir.records().pop().unwrap();
    let before = std::fs::read(&file).unwrap();
    // A crash during the next save: the temporary file was written (partly) but never
    // renamed over the record.
    std::fs::write(
        dir.0.join(".tmp-0123456789abcdef"),
        &before[..before.len() / 2],
    )
    .unwrap();
    std::fs::write(dir.0.join(".tmp-fedcba9876543210"), b"").unwrap();
    drop(store);

    let store = EncryptedFileStore::open(&dir.0, key(4)).unwrap();
    assert_eq!(store.list().unwrap(), ["diploma"]);
    assert_eq!(
        store.get("diploma").unwrap().unwrap(),
        b"saved before the crash"
    );
    // Saving again still works; the crash's leftovers were removed when the store opened,
    // and the save leaves no temporary file of its own.
    store.put("diploma", b"saved after").unwrap();
    assert_eq!(store.get("diploma").unwrap().unwrap(), b"saved after");
    let temps = std::fs::read_dir(&dir.0)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_str()
                .unwrap()
                .starts_with(".tmp-")
        })
        .count();
    assert_eq!(temps, 0, "no temporary file is left");
}

#[test]
fn debug_never_shows_the_key() {
    let dir = TempDir::new("debug");
    let store = EncryptedFileStore::open(&dir.0, Zeroizing::new([0xAB; 32])).unwrap();
    let shown = format!("{store:?} {store:#?}");
    assert!(!shown.contains("171"), "{shown}");
    assert!(!shown.to_lowercase().contains("abab"), "{shown}");
    assert!(
        !shown.contains(dir.0.to_str().unwrap()),
        "no path either: {shown}"
    );
    assert!(shown.contains("redacted"));
}

#[test]
fn wallet_over_the_encrypted_store_keeps_history_encrypted() {
    let dir = TempDir::new("wallet");
    let store = Arc::new(EncryptedFileStore::open(&dir.0, key(5)).unwrap());
    let wallet = Wallet::with_clock(
        store.clone(),
        suite(),
        Arc::new(FixedClock("2026-11-21T11:00:00Z".into())),
    );
    let id = wallet
        .import(&serde_json::to_string(signed_diploma()).unwrap())
        .unwrap()
        .id;
    wallet
        .derive_for(
            &id,
            &pointers(&["/credentialSubject/familyName"]),
            b"",
            Some("town-hall.example"),
        )
        .unwrap();
    for f in dir.records() {
        let bytes = std::fs::read(f).unwrap();
        assert!(!bytes.windows(8).any(|w| w == b"Lovelace"));
        assert!(!bytes.windows(9).any(|w| w == b"town-hall"));
    }
    // A fresh wallet over a reopened store sees both.
    let reopened = Wallet::new(
        Arc::new(EncryptedFileStore::open(&dir.0, key(5)).unwrap()),
        suite(),
    );
    assert_eq!(reopened.list().unwrap().len(), 1);
    let history = reopened.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].domain.as_deref(), Some("town-hall.example"));
}

/// Stands in for the integration's ECDSA signer: wraps the derived credentials in an
/// unsigned presentation (no proof is invented), or fails.
struct UnsignedWrapper {
    fail: bool,
}

impl PresentationBuilder for UnsignedWrapper {
    fn build(
        &self,
        derived_credentials: Vec<Value>,
        request: &PresentationRequest,
    ) -> Result<Value, Error> {
        if self.fail {
            return Err(Error::Crypto("device key unavailable"));
        }
        Ok(json!({
            "type": "VerifiablePresentation",
            "verifiableCredential": derived_credentials,
            "domain": request.domain,
            "challenge": request.challenge,
        }))
    }
}

#[test]
fn present_goes_through_the_builder_and_records_only_on_success() {
    let (wallet, _) = wallet();
    let id = wallet
        .import(&serde_json::to_string(signed_diploma()).unwrap())
        .unwrap()
        .id;
    let disclosures = [Disclosure {
        credential_id: id.clone(),
        pointers: pointers(&["/credentialSubject/nationality"]),
    }];
    let request = PresentationRequest {
        domain: Some("border.example".into()),
        challenge: Some("n-0S6_WzA2Mj".into()),
    };
    let err = wallet
        .present(
            &disclosures,
            b"ph",
            &request,
            &UnsignedWrapper { fail: true },
        )
        .unwrap_err();
    assert_eq!(err, Error::Crypto("device key unavailable"));
    assert!(
        wallet.history().unwrap().is_empty(),
        "nothing released, nothing recorded"
    );

    let vp = wallet
        .present(
            &disclosures,
            b"ph",
            &request,
            &UnsignedWrapper { fail: false },
        )
        .unwrap();
    let verified = suite().verify(&vp["verifiableCredential"][0]).unwrap();
    assert_eq!(
        verified.document()["credentialSubject"]["nationality"],
        "Utopian"
    );
    assert_eq!(verified.presentation_header(), b"ph");
    let history = wallet.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].domain.as_deref(), Some("border.example"));
    assert_eq!(
        history[0].disclosed_pointers.last().unwrap(),
        "/credentialSubject/nationality"
    );
}

/// A log in memory, for the transparency tests.
#[derive(Default)]
struct MemLog(std::sync::Mutex<std::collections::HashMap<String, Vec<u8>>>);

impl civitas_core::tlog::LogStore for MemLog {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, civitas_core::tlog::LogError> {
        Ok(self.0.lock().unwrap().get(path).cloned())
    }
    fn write(&self, path: &str, bytes: &[u8]) -> Result<(), civitas_core::tlog::LogError> {
        self.0.lock().unwrap().insert(path.into(), bytes.to_vec());
        Ok(())
    }
    fn swap_checkpoint(
        &self,
        old: Option<&[u8]>,
        new: &[u8],
    ) -> Result<bool, civitas_core::tlog::LogError> {
        let mut m = self.0.lock().unwrap();
        if m.get("checkpoint").map(Vec::as_slice) != old {
            return Ok(false);
        }
        m.insert("checkpoint".into(), new.to_vec());
        Ok(true)
    }
}

#[test]
fn an_inclusion_proof_is_checked_at_import_and_kept_for_the_holder() {
    use civitas_core::tlog::TileHashes;
    use civitas_core::tlog::TlogProof;
    use civitas_core::tlog::inclusion_proof;
    use civitas_core::tlog::{LogEntry, commit_credential};
    use civitas_core::tlog::{LogStore, StoreTiles, append, init};
    use civitas_core::tlog::{Note, NoteSigner};
    let log = NoteSigner::from_seed("uni.example/log", &[3; 32], false).unwrap();
    let witness = NoteSigner::from_seed("audit.example/w", &[4; 32], true).unwrap();
    let store = MemLog::default();
    init(&store, &log, "uni.example/log").unwrap();
    let credential = signed_diploma();
    let issuer = did::did_of_url(credential["proof"]["verificationMethod"].as_str().unwrap());
    let salt = [9u8; 32];
    let entry = LogEntry::Credential {
        commitment: commit_credential(issuer, &salt, credential),
    }
    .to_bytes()
    .unwrap();
    let others: Vec<Vec<u8>> = (0u8..5).map(|i| vec![i; 40]).collect();
    append(&store, &log, "uni.example/log", &others).unwrap();
    let (index, note) = append(&store, &log, "uni.example/log", &[entry]).unwrap();
    // The witness's cosignature, as a witness adds it.
    let mut cosigned = Note::parse(note.as_bytes()).unwrap();
    let line = witness.sign_line(cosigned.text(), 1_800_000_000);
    civitas_core::tlog::merge_cosignatures(&mut cosigned, line.as_bytes(), &witness.verifier())
        .unwrap();
    let reader = StoreTiles(&store);
    let tiles = TileHashes::new(&reader, 6);
    let proof = TlogProof {
        extra: Some(salt.to_vec()),
        index,
        proof: inclusion_proof(&tiles, index, 6).unwrap(),
        checkpoint: cosigned.to_text(),
    }
    .to_text();
    assert!(store.read("checkpoint").unwrap().is_some());
    let policy = format!(
        "log {}\nwitness w {}\nquorum w\n",
        log.verifier().vkey(),
        witness.verifier().vkey()
    );
    // Re-serialized (compact, as an OpenID4VCI response carries it): the commitment is over
    // the canonical form, so it still opens.
    let text = serde_json::to_string(credential).unwrap();
    let (holder, _) = wallet();
    let summary = holder
        .import_with_tlog_proof(&text, &proof, &policy)
        .unwrap();
    assert_eq!(
        holder.tlog_proof(&summary.id).unwrap().as_deref(),
        Some(proof.as_str())
    );
    // Another salt, another index, a policy wanting a witness that did not cosign, a
    // malformed policy: refused, and nothing imported.
    let (other, _) = wallet();
    let wrong_salt = proof.replace(
        &format!("extra {}", civitas_core::tlog::b64_encode(&salt)),
        &format!("extra {}", civitas_core::tlog::b64_encode(&[8; 32])),
    );
    assert!(matches!(
        other.import_with_tlog_proof(&text, &wrong_salt, &policy),
        Err(Error::TlogProof(_))
    ));
    let wrong_index = proof.replace(&format!("index {index}"), "index 4");
    assert!(
        other
            .import_with_tlog_proof(&text, &wrong_index, &policy)
            .is_err()
    );
    let stranger = NoteSigner::from_seed("other.example/w", &[5; 32], true).unwrap();
    let strict = format!(
        "log {}\nwitness v {}\nquorum v\n",
        log.verifier().vkey(),
        stranger.verifier().vkey()
    );
    let e = other
        .import_with_tlog_proof(&text, &proof, &strict)
        .unwrap_err();
    assert!(e.to_string().contains("short of its quorum"), "{e}");
    assert!(matches!(
        other.import_with_tlog_proof(&text, &proof, "quorum"),
        Err(Error::TlogPolicy(_))
    ));
    assert!(other.list().unwrap().is_empty());
    // Deleting the credential deletes its proof.
    holder.delete(&summary.id).unwrap();
    assert_eq!(holder.tlog_proof(&summary.id).unwrap(), None);
}

#[test]
fn an_sd_jwt_vc_is_imported_shown_and_presented_with_only_what_is_asked() {
    use civitas_core::ecdsa::DeviceKey;
    use civitas_core::jose::EcJwk;
    use civitas_core::sdjwt::vc;
    use civitas_core::verifier::{Policy, StatusLists, TrustList, TrustedIssuer, Verifier};
    let issuer = DeviceKey::generate().unwrap();
    let phone = DeviceKey::generate().unwrap();
    let iss = did::did_key(&issuer.public_key());
    let claims = json!({"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1990-12-10"});
    let issue_to = |holder: &DeviceKey| {
        vc::issue(
            &vc::Issue {
                iss: &iss,
                vct: "urn:eudi:pid:1",
                claims: claims.as_object().unwrap(),
                plain: &[],
                holder: Some(&EcJwk::from_public_key(&holder.public_key(), None).unwrap()),
                status: None,
                iat: 1_800_000_000,
                exp: None,
            },
            &issuer,
        )
        .unwrap()
    };
    let (wallet, _) = wallet();
    let summary = wallet
        .import_sd_jwt_vc(&issue_to(&phone), None, &phone.public_key())
        .unwrap();
    assert_eq!(summary.vct, "urn:eudi:pid:1");
    assert_eq!(summary.issuer, iss);
    assert!(summary.key_bound);
    assert!(
        summary
            .claims
            .iter()
            .any(|c| c.pointer == "/given_name" && !c.mandatory)
    );
    assert!(
        summary
            .claims
            .iter()
            .any(|c| c.pointer == "/iat" && c.mandatory)
    );
    assert_eq!(wallet.sd_jwt_vcs().unwrap(), vec![summary.clone()]);
    assert!(
        wallet.list().unwrap().is_empty(),
        "bbs-2023 credentials are listed apart"
    );
    // Issued to another wallet's key, or tampered: refused.
    let other = DeviceKey::generate().unwrap();
    assert!(matches!(
        wallet.import_sd_jwt_vc(&issue_to(&other), None, &phone.public_key()),
        Err(Error::Wallet(WalletError::Refused(_)))
    ));
    let forged = issue_to(&phone).replacen('.', ".x", 1);
    assert!(
        wallet
            .import_sd_jwt_vc(&forged, None, &phone.public_key())
            .is_err()
    );
    // Presented with the given name only, bound to the verifier's request.
    let now = 1_800_000_100;
    let shown = wallet
        .present_sd_jwt_vc(
            &summary.id,
            &["/given_name".into()],
            "https://desk.example",
            "n-9",
            now,
            &phone,
        )
        .unwrap();
    let trust = TrustList::from_issuers(vec![TrustedIssuer {
        did: iss.clone(),
        jwk: None,
        x509_ca: None,
        name: "PID Provider".into(),
        credential_types: vec!["urn:eudi:pid:1".into()],
        status_list_signers: vec![],
        status_list_max_age: None,
    }]);
    let policy = Policy::new(trust)
        .at(std::time::UNIX_EPOCH + std::time::Duration::from_secs(now as u64))
        .challenge("n-9")
        .domain("https://desk.example");
    let ok = Verifier::new(Arc::new(JsonLdProcessor::default()))
        .verify_sd_jwt(&shown, &policy, &StatusLists::new())
        .unwrap();
    let doc = ok.credentials()[0].document();
    assert_eq!(doc["given_name"], "Ada");
    assert!(doc.get("family_name").is_none() && doc.get("birthdate").is_none());
    wallet.delete_sd_jwt_vc(&summary.id).unwrap();
    assert!(wallet.sd_jwt_vcs().unwrap().is_empty());
}

#[test]
fn an_openid4vci_sd_jwt_vc_response_is_checked_before_anything_is_stored() {
    use civitas_core::ecdsa::DeviceKey;
    use civitas_core::jose::EcJwk;
    use civitas_core::openid4vci::CredentialConfiguration;
    use civitas_core::openid4vci::credential_response_json;
    use civitas_core::sdjwt::vc;
    const ISS: &str = "https://uni.example";
    const VCT: &str = "https://uni.example/credentials/pid";
    let issuer = DeviceKey::generate().unwrap();
    let phone = DeviceKey::generate().unwrap();
    let claims = json!({"given_name": "Ada", "family_name": "Lovelace"});
    let issue = |iss: &str, vct: &str, holder: Option<&DeviceKey>, signer: &DeviceKey| {
        let jwk = holder.map(|h| EcJwk::from_public_key(&h.public_key(), None).unwrap());
        vc::issue(
            &vc::Issue {
                iss,
                vct,
                claims: claims.as_object().unwrap(),
                plain: &[],
                holder: jwk.as_ref(),
                status: None,
                iat: 1_800_000_000,
                exp: None,
            },
            signer,
        )
        .unwrap()
    };
    let configuration: CredentialConfiguration = serde_json::from_value(json!({
        "format": "dc+sd-jwt", "vct": VCT,
        "cryptographic_binding_methods_supported": ["jwk"],
        "credential_signing_alg_values_supported": ["ES256"],
        "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["ES256"]}}
    }))
    .unwrap();
    let response = |credentials: Vec<String>| {
        credential_response_json(&credentials.into_iter().map(Value::from).collect::<Vec<_>>())
            .to_string()
    };
    let keys = [issuer.public_key()];
    let (wallet, _) = wallet();
    let import = |body: &str| {
        wallet.openid4vci_import_sd_jwt(
            &configuration,
            body.as_bytes(),
            &keys,
            Some(ISS),
            &phone.public_key(),
        )
    };
    // Two credentials, both for the phone's key: both stored.
    let a = issue(ISS, VCT, Some(&phone), &issuer);
    let b = issue(ISS, VCT, Some(&phone), &issuer);
    let got = import(&response(vec![a.clone(), b])).unwrap();
    assert_eq!(got.len(), 2);
    assert!(
        got.iter()
            .all(|s| s.vct == VCT && s.issuer == ISS && s.key_bound)
    );
    assert_eq!(wallet.sd_jwt_vcs().unwrap().len(), 2);
    // One bad credential beside a good one: nothing of that response is stored.
    let (wallet2, _) = self::wallet();
    let other = DeviceKey::generate().unwrap();
    let cases = [
        (issue(ISS, VCT, Some(&other), &issuer), "another key"),
        (issue(ISS, VCT, None, &issuer), "not bound"),
        (
            issue(ISS, "https://uni.example/other", Some(&phone), &issuer),
            "vct",
        ),
        (
            issue("https://evil.example", VCT, Some(&phone), &issuer),
            "iss",
        ),
        (issue(ISS, VCT, Some(&phone), &other), "not signed"),
    ];
    for (bad, why) in cases {
        let e = wallet2
            .openid4vci_import_sd_jwt(
                &configuration,
                response(vec![a.clone(), bad]).as_bytes(),
                &keys,
                Some(ISS),
                &phone.public_key(),
            )
            .unwrap_err();
        assert!(e.to_string().contains(why), "{why}: {e}");
        assert!(wallet2.sd_jwt_vcs().unwrap().is_empty(), "{why}");
    }
    // An object where a string belongs, and an error response.
    let e = import(r#"{"credentials":[{"credential":{"vct":"x"}}]}"#).unwrap_err();
    assert!(matches!(e, Error::OpenId4Vci(_)), "{e}");
    let e = import(r#"{"error":"invalid_nonce","error_description":"stale"}"#).unwrap_err();
    assert!(matches!(e, Error::OpenId4Vci(_)), "{e}");
    // The ldp_vc import refuses a dc+sd-jwt configuration.
    assert!(matches!(
        wallet.openid4vci_import(&configuration, response(vec![a]).as_bytes()),
        Err(Error::Wallet(WalletError::Refused(_)))
    ));
}
