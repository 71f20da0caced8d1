//! Errors with exit codes, file input and output (size limits, atomic writes, owner-only key
//! files), and key files.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use civitas_core::bbs::{KeyPair, SecretKey as BbsSecretKey};
use civitas_core::ecdsa::DeviceKey;
use civitas_core::keys::{KeyType, PublicKey, SecretKey};
use civitas_core::{Error, did};
use serde_json::{Value, json};

/// Exit status: the input is valid.
pub(crate) const EXIT_VALID: u8 = 0;
/// Exit status: the input was checked and is not valid.
pub(crate) const EXIT_INVALID: u8 = 1;
/// Exit status: usage or input error (unreadable file, bad JSON, wrong key type, ...).
pub(crate) const EXIT_ERROR: u8 = 2;

/// Largest JSON input read (credentials, presentations, pointer files).
const MAX_JSON: u64 = 16 << 20;

/// An error for the command line: what went wrong and where, and the exit status.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub code: u8,
}

impl CliError {
    /// A usage or input error (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_ERROR,
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::input(e.to_string())
    }
}

pub(crate) type CliResult<T> = Result<T, CliError>;

/// Read a file (or standard input for `-`), at most 16 MiB. Only a regular file is read
/// (see [`open_regular`]).
pub(crate) fn read_bytes(path: &Path) -> CliResult<Vec<u8>> {
    if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(MAX_JSON + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}")))?;
        return limit(path, buf);
    }
    let (file, _) = open_regular(path)?;
    read_open(path, file)
}

fn read_open(path: &Path, file: std::fs::File) -> CliResult<Vec<u8>> {
    let mut buf = Vec::new();
    file.take(MAX_JSON + 1)
        .read_to_end(&mut buf)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    limit(path, buf)
}

fn limit(path: &Path, buf: Vec<u8>) -> CliResult<Vec<u8>> {
    if buf.len() as u64 > MAX_JSON {
        return Err(CliError::input(format!(
            "{} is larger than 16 MiB",
            path.display()
        )));
    }
    Ok(buf)
}

/// What a path that is not a regular file is, for an error message.
fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Open an input file, refusing anything but a regular file (a FIFO would block until some
/// other process wrote to it, a device could be read forever): `-` is the way to read
/// standard input. The type is checked before opening (opening a FIFO blocks) and again on
/// the open file (in case the path changed in between).
pub(crate) fn open_regular(path: &Path) -> CliResult<(std::fs::File, std::fs::Metadata)> {
    let cannot =
        |e: std::io::Error| CliError::input(format!("cannot read {}: {e}", path.display()));
    let refuse = |t: std::fs::FileType| {
        CliError::input(format!(
            "cannot read {}: it is {}; give a regular file, or - for standard input",
            path.display(),
            kind_of(t)
        ))
    };
    let before = std::fs::metadata(path).map_err(cannot)?;
    if !before.is_file() {
        return Err(refuse(before.file_type()));
    }
    let file = std::fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(refuse(meta.file_type()));
    }
    Ok((file, meta))
}

/// Whether `--dangerous-allow-writable-key` was given (set once per command by `run`).
static ALLOW_WRITABLE_KEY: AtomicBool = AtomicBool::new(false);

/// Allow (or not) key files that every user may write, for the command about to run.
pub(crate) fn allow_writable_key(allow: bool) {
    ALLOW_WRITABLE_KEY.store(allow, Ordering::Relaxed);
}

/// Read a key file. A key file any user may write is refused (anyone could have replaced
/// the key with their own) unless `--dangerous-allow-writable-key`; one that the group or
/// other users may read or write gets a warning on standard error (the secret may have
/// leaked). The mode is that of the open file.
fn read_key_file(path: &Path) -> CliResult<Vec<u8>> {
    let (file, meta) = open_regular(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        let p = path.display();
        if mode & 0o002 != 0 {
            if !ALLOW_WRITABLE_KEY.load(Ordering::Relaxed) {
                return Err(CliError::input(format!(
                    "{p} is writable by every user (mode {mode:03o}): anyone could have \
                     replaced the key; run chmod 600 {p} (or pass \
                     --dangerous-allow-writable-key)"
                )));
            }
            eprintln!(
                "civitas: warning: using {p}, which every user may write (mode {mode:03o}), \
                 because of --dangerous-allow-writable-key"
            );
        } else if mode & 0o077 != 0 {
            eprintln!(
                "civitas: warning: {p} is readable or writable by other users (mode \
                 {mode:03o}); the secret key may have leaked; run chmod 600 {p}"
            );
        }
    }
    #[cfg(not(unix))]
    let _ = &meta;
    read_open(path, file)
}

/// Refuse to write `output` when it is one of `inputs` (the same file, however named: the
/// same device and inode, or the same canonical path): `derive -o signed.json signed.json`
/// would replace the signed credential with its derived copy. `-` and absent outputs are
/// never the same as anything.
pub(crate) fn refuse_output_onto_input(output: Option<&Path>, inputs: &[&Path]) -> CliResult<()> {
    let Some(out) = output.filter(|o| *o != Path::new("-")) else {
        return Ok(());
    };
    let Ok(out_meta) = std::fs::metadata(out) else {
        return Ok(());
    };
    for input in inputs.iter().filter(|i| **i != Path::new("-")) {
        let Ok(in_meta) = std::fs::metadata(input) else {
            continue;
        };
        #[cfg(unix)]
        let same = {
            use std::os::unix::fs::MetadataExt;
            out_meta.dev() == in_meta.dev() && out_meta.ino() == in_meta.ino()
        };
        #[cfg(not(unix))]
        let same = {
            let _ = (&out_meta, &in_meta);
            matches!((out.canonicalize(), input.canonicalize()), (Ok(a), Ok(b)) if a == b)
        };
        if same {
            return Err(CliError::input(format!(
                "-o {} is the input {}: writing there would destroy the input; choose another output file",
                out.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

/// Read and parse a JSON file, naming it and the position on error.
pub(crate) fn read_json(path: &Path) -> CliResult<Value> {
    parse_json(path, &read_bytes(path)?)
}

/// Parse bytes read from `path` as JSON (the errors name the file).
pub(crate) fn parse_json_bytes(path: &Path, bytes: &[u8]) -> CliResult<Value> {
    parse_json(path, bytes)
}

fn parse_json(path: &Path, bytes: &[u8]) -> CliResult<Value> {
    let name = if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    civitas_core::json::parse(bytes, &civitas_core::json::JsonLimits::default())
        .map_err(|e| CliError::input(format!("{name}: {e}")))
}

/// Read a JSON array of JSON pointers.
pub(crate) fn read_pointers(path: &Path) -> CliResult<Vec<String>> {
    let v = read_json(path)?;
    serde_json::from_value::<Vec<String>>(v).map_err(|_| {
        CliError::input(format!(
            "{} must be a JSON array of JSON pointer strings",
            path.display()
        ))
    })
}

/// The temporary file name `write_atomic` uses for `name`: `.NAME.tmp-PID`.
fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.tmp-{pid}")
}

/// If `file_name` is a temporary file of `write_atomic` (`.NAME.tmp-PID`), its target name
/// and the process that wrote it.
fn parse_temp_name(file_name: &str) -> Option<(&str, u32)> {
    let rest = file_name.strip_prefix('.')?;
    let (name, pid) = rest.rsplit_once(".tmp-")?;
    if name.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((name, pid.parse().ok()?))
}

/// Whether process `pid` may still be running (and writing its temporary file). On a
/// system without `/proc`, only this process counts as running.
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    Path::new("/proc/self").exists() && Path::new("/proc").join(pid.to_string()).exists()
}

/// Remove the temporary files an interrupted `write_atomic` left in `dir` (a crash or
/// Ctrl-C between creating and renaming), for the target `only` if given, else for every
/// target: names `.NAME.tmp-PID` whose process is gone. Files of other shapes, and those
/// of a process still running, are left alone. Returns how many were removed.
pub(crate) fn remove_stale_temps(dir: &Path, only: Option<&str>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some((name, pid)) = file_name.to_str().and_then(parse_temp_name) else {
            continue;
        };
        if only.is_some_and(|o| o != name) || process_alive(pid) {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed, so a crash never leaves a half-written file. `private` makes it owner-only.
/// Temporary files for the same target left by an interrupted earlier run are removed.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> CliResult<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| CliError::input(format!("{} is not a file path", path.display())))?;
    let name = name.to_string_lossy();
    remove_stale_temps(dir, Some(&name));
    let tmp: PathBuf = dir.join(temp_name(&name, std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(if private { 0o600 } else { 0o644 });
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(CliError::input(format!(
            "cannot write {}: {e}",
            path.display()
        )));
    }
    Ok(())
}

/// Write JSON to a file atomically, or to standard output when `path` is `None` or `-`.
pub(crate) fn write_json_out<T: serde::Serialize + ?Sized>(
    path: Option<&Path>,
    v: &T,
) -> CliResult<()> {
    let text = serde_json::to_string_pretty(v).map_err(|e| CliError::input(e.to_string()))? + "\n";
    match path {
        Some(p) if p != Path::new("-") => write_atomic(p, text.as_bytes(), false),
        _ => {
            stdout_write(format_args!("{text}"));
            Ok(())
        }
    }
}

/// Set once standard output is gone (a closed pipe, `civitas verify ... | head -1`): what
/// follows is dropped, and the command ends with the exit status it would have had.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Set while commands run on behalf of another (`civitas serve --demo` setting up its
/// files): their standard output is not the user's business.
static STDOUT_QUIET: AtomicBool = AtomicBool::new(false);

/// Silence (or restore) standard output; see [`STDOUT_QUIET`].
pub(crate) fn quiet_stdout(quiet: bool) {
    STDOUT_QUIET.store(quiet, Ordering::Relaxed);
}

/// The first write error on standard output other than a closed pipe (a full disk, ...).
static STDOUT_ERROR: OnceLock<String> = OnceLock::new();

/// Write to standard output without ever panicking (`println!` panics when the reader of a
/// pipe has gone). The crate's `println!` and `print!` come here (see `main.rs`).
///
/// A broken pipe is not an error: the reader wanted no more, so further output is dropped
/// silently, as `ripgrep` does. Any other write error is kept for [`stdout_error`], which
/// the exit status takes into account.
pub(crate) fn stdout_write(args: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) || STDOUT_QUIET.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args) {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = STDOUT_ERROR.set(format!("cannot write standard output: {e}"));
        }
    }
}

/// Flush standard output and return the first write error that was not a closed pipe.
pub(crate) fn stdout_error() -> Option<String> {
    if !STDOUT_CLOSED.load(Ordering::Relaxed)
        && let Err(e) = std::io::stdout().lock().flush()
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = STDOUT_ERROR.set(format!("cannot write standard output: {e}"));
        }
    }
    STDOUT_ERROR.get().cloned()
}

/// Write to standard error, ignoring errors (there is nowhere left to report them); the
/// crate's `eprintln!` and `eprint!` come here.
pub(crate) fn stderr_write(args: std::fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

/// The key algorithms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Alg {
    /// BLS12-381 G2 key for issuing bbs-2023 credentials.
    Bbs,
    /// P-256 key for status lists and holder presentations (ecdsa-rdfc-2019).
    P256,
    /// Ed25519 key for signing transparency-log checkpoints and witness cosignatures.
    Ed25519,
}

/// A key file: a Multikey verification method with its secret.
pub(crate) fn key_file_json(public: &PublicKey, secret: &SecretKey) -> Value {
    json!({
        "type": "Multikey",
        "id": did::verification_method_id(public),
        "controller": did::did_key(public),
        "publicKeyMultibase": public.to_multibase(),
        "secretKeyMultibase": secret.to_multibase().as_str(),
    })
}

/// A loaded key file.
pub(crate) enum LoadedKey {
    Bbs {
        pair: Box<KeyPair>,
        public: PublicKey,
    },
    P256 {
        key: DeviceKey,
        public: PublicKey,
    },
    Ed25519 {
        seed: zeroize::Zeroizing<[u8; 32]>,
        public: PublicKey,
    },
}

/// Load a key file (see `read_key_file` for its permissions); the secret must match the
/// public key.
pub(crate) fn load_key(path: &Path) -> CliResult<LoadedKey> {
    let v = parse_json(path, &read_key_file(path)?)?;
    let field = |k: &str| {
        v.get(k).and_then(Value::as_str).ok_or_else(|| {
            CliError::input(format!(
                "{} is not a Civitas key file: no {k}",
                path.display()
            ))
        })
    };
    let public = PublicKey::from_multibase(field("publicKeyMultibase")?)
        .map_err(|e| CliError::input(format!("{}: publicKeyMultibase: {e}", path.display())))?;
    let secret = SecretKey::from_multibase(field("secretKeyMultibase")?)
        .map_err(|e| CliError::input(format!("{}: secretKeyMultibase: {e}", path.display())))?;
    let mismatch = || {
        CliError::input(format!(
            "{}: the secret key does not belong to the public key",
            path.display()
        ))
    };
    match public.key_type() {
        KeyType::Bls12381G2 => {
            let sk = BbsSecretKey::from_bytes(secret.expose_bytes())?;
            let pair = KeyPair::from_secret(sk);
            if pair.public().to_bytes().as_slice() != public.as_bytes() {
                return Err(mismatch());
            }
            Ok(LoadedKey::Bbs {
                pair: Box::new(pair),
                public,
            })
        }
        KeyType::P256 => {
            let key = DeviceKey::from_secret_key(&secret)?;
            if key.public_key() != public {
                return Err(mismatch());
            }
            Ok(LoadedKey::P256 { key, public })
        }
        KeyType::Ed25519 => {
            let seed = zeroize::Zeroizing::new(*secret.expose_bytes());
            let derived = civitas_core::tlog::ed25519_public_key(&seed);
            if derived.as_slice() != public.as_bytes() {
                return Err(mismatch());
            }
            Ok(LoadedKey::Ed25519 { seed, public })
        }
    }
}

/// An Ed25519 key (its seed) from a key file, or an error saying one is needed for `what`.
pub(crate) fn load_ed25519_key(
    path: &Path,
    what: &str,
) -> CliResult<(zeroize::Zeroizing<[u8; 32]>, PublicKey)> {
    match load_key(path)? {
        LoadedKey::Ed25519 { seed, public } => Ok((seed, public)),
        LoadedKey::Bbs { .. } | LoadedKey::P256 { .. } => Err(CliError::input(format!(
            "{} is not an Ed25519 key; {what} needs one (civitas keygen --alg ed25519)",
            path.display()
        ))),
    }
}

/// A BBS key pair from a key file, or an error saying a BBS key is needed.
pub(crate) fn load_bbs_key(path: &Path) -> CliResult<(KeyPair, PublicKey)> {
    match load_key(path)? {
        LoadedKey::Bbs { pair, public } => Ok((*pair, public)),
        LoadedKey::P256 { .. } => Err(CliError::input(format!(
            "{} holds a P-256 key; issuing needs a BBS key (civitas keygen --alg bbs)",
            path.display()
        ))),
        LoadedKey::Ed25519 { .. } => Err(CliError::input(format!(
            "{} holds an Ed25519 key; issuing needs a BBS key (civitas keygen --alg bbs)",
            path.display()
        ))),
    }
}

/// A P-256 key from a key file, or an error saying one is needed for `what`.
pub(crate) fn load_p256_key(path: &Path, what: &str) -> CliResult<(DeviceKey, PublicKey)> {
    match load_key(path)? {
        LoadedKey::P256 { key, public } => Ok((key, public)),
        LoadedKey::Bbs { .. } => Err(CliError::input(format!(
            "{} holds a BBS key; {what} needs a P-256 key (civitas keygen --alg p256)",
            path.display()
        ))),
        LoadedKey::Ed25519 { .. } => Err(CliError::input(format!(
            "{} holds an Ed25519 key; {what} needs a P-256 key (civitas keygen --alg p256)",
            path.display()
        ))),
    }
}

/// Decode a hex string argument.
pub(crate) fn hex_arg(name: &str, s: &str) -> CliResult<Vec<u8>> {
    hex::decode(s).map_err(|_| CliError::input(format!("{name} must be hexadecimal")))
}

/// The Unix time now, in seconds (0 before 1970).
pub(crate) fn now_unix() -> u64 {
    u64::try_from(civitas_core::Timestamp::now().unix_seconds()).unwrap_or(0)
}

/// `YYYY-MM-DDThh:mm:ssZ` for a system time (UTC; times before 1970 are not needed here).
pub(crate) fn rfc3339(t: std::time::SystemTime) -> String {
    civitas_core::Timestamp::from_system_time(t).to_rfc3339()
}

/// Parse an `--at` time: RFC 3339 with a time zone.
pub(crate) fn parse_time(s: &str) -> CliResult<std::time::SystemTime> {
    let t = civitas_core::status::Timestamp::parse(s).ok_or_else(|| {
        CliError::input(format!(
            "--at {s}: expected a date-time like 2026-11-21T10:00:00Z"
        ))
    })?;
    t.to_system_time()
        .ok_or_else(|| CliError::input(format!("--at {s}: out of this system's time range")))
}

/// A PEM text read from `path`.
pub(crate) fn read_pem(path: &Path) -> CliResult<String> {
    String::from_utf8(read_bytes(path)?)
        .map_err(|_| CliError::input(format!("{} is not a PEM text", path.display())))
}

/// An X.509 certificate chain (PEM, leaf first) read from `path`; with `key`, its leaf must be
/// for that key (`key.1` names it in the error).
pub(crate) fn read_chain(
    path: &Path,
    key: Option<(&PublicKey, &str)>,
) -> CliResult<civitas_core::x509::CertificateChain> {
    let chain = civitas_core::x509::CertificateChain::from_pem(&read_pem(path)?)
        .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    if let Some((public, whose)) = key
        && chain.leaf_public_key().ok().as_ref() != Some(public)
    {
        return Err(CliError::input(format!(
            "{}: the leaf certificate is not for {whose}",
            path.display()
        )));
    }
    Ok(chain)
}

/// Something in a document that only its holder may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HolderSecret {
    /// A bbs-2023 base proof: with it, anyone sees every claim and the HMAC key that links
    /// the holder's disclosures.
    BaseProof,
    /// A secret key (`secretKeyMultibase`, as in a key file).
    SecretKey,
}

/// The first place in `v` (a JSON pointer) holding a [`HolderSecret`], if any, searched
/// everywhere (a base proof nested in a presentation counts). `serde_json` limits nesting
/// to 128 levels, which bounds the recursion.
pub(crate) fn find_holder_secret(v: &Value) -> Option<(String, HolderSecret)> {
    use civitas_core::bbs2023::{ProofKind, identify};
    fn walk(v: &Value, at: &mut String) -> Option<(String, HolderSecret)> {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&civitas_core::json_pointer::escape(k));
                    let found = if k == "secretKeyMultibase" {
                        Some((at.clone(), HolderSecret::SecretKey))
                    } else if k == "proofValue"
                        && x.as_str()
                            .is_some_and(|p| matches!(identify(p), Ok((ProofKind::Base, _))))
                    {
                        Some((at.clone(), HolderSecret::BaseProof))
                    } else {
                        walk(x, at)
                    };
                    at.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    let found = walk(x, at);
                    at.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            _ => None,
        }
    }
    walk(v, &mut String::new())
}

/// An error if `v`, read from `path` by `command` to be shown to a verifier, holds a
/// [`HolderSecret`].
pub(crate) fn refuse_holder_secret(path: &Path, v: &Value, command: &str) -> CliResult<()> {
    let Some((at, secret)) = find_holder_secret(v) else {
        return Ok(());
    };
    let name = if path == Path::new("-") {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    Err(CliError::input(match secret {
        HolderSecret::BaseProof => format!(
            "{name}: {at} is a bbs-2023 base proof, which shows every claim and the holder's \
             HMAC key to whoever receives it; {command} takes derived credentials only \
             (civitas derive --disclose POINTERS.json {name} -o derived.json)"
        ),
        HolderSecret::SecretKey => format!(
            "{name}: {at} is a secret key (this looks like a key file); {command} never \
             gives a secret key to a verifier"
        ),
    }))
}

/// `s` made safe to print on a terminal: every character that could move the cursor, change
/// colours, start an escape sequence or reorder the line is shown as a visible escape, so a
/// value chosen by whoever made the input (a signed claim, a key, a file name, an error
/// quoting input) cannot draw a fake line on the officer's screen.
///
/// Escaped: newline, carriage return and tab as `\n`, `\r`, `\t`; every other C0 and C1
/// control, DEL, the bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E,
/// U+2066 to U+2069) and the line and paragraph separators (U+2028, U+2029) as `\u{..}`
/// (ESC is `\u{1b}`). Everything else, backslashes included, is shown as it is.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    // `is_control` is the Unicode Cc category: C0 (U+0000 to U+001F), DEL, C1 (U+0080 to
    // U+009F, which includes the 8-bit CSI U+009B).
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

#[cfg(test)]
mod tests {
    use super::{escape, parse_temp_name, temp_name};

    #[test]
    fn temp_names_round_trip_and_nothing_else_matches() {
        assert_eq!(
            parse_temp_name(&temp_name("S-1.json", 4242)),
            Some(("S-1.json", 4242))
        );
        assert_eq!(
            parse_temp_name(".a.tmp-b.json.tmp-7"),
            Some(("a.tmp-b.json", 7))
        );
        for other in [
            "S-1.json",
            ".S-1.json",
            ".S-1.json.tmp-",
            ".S-1.json.tmp-12x",
            "S-1.json.tmp-12",
            "..tmp-12",
            ".x.tmp-99999999999999999999",
        ] {
            assert_eq!(parse_temp_name(other), None, "{other}");
        }
    }

    #[test]
    fn escape_shows_controls_and_bidi_as_visible_escapes() {
        assert_eq!(escape("MSc Computer Science"), "MSc Computer Science");
        assert_eq!(escape("é ü 日本 C:\\x"), "é ü 日本 C:\\x");
        assert_eq!(
            escape("a\nb\rc\td\u{1b}[31m\u{7f}\u{9b}\u{0}"),
            "a\\nb\\rc\\td\\u{1b}[31m\\u{7f}\\u{9b}\\u{0}"
        );
        for c in [
            '\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}',
            '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{2028}', '\u{2029}',
        ] {
            let e = escape(&c.to_string());
            assert_eq!(e, format!("\\u{{{:x}}}", c as u32));
        }
    }
}
