//! The verifier's policy: what an agency desk accepts.
//!
//! [`Verifier::verify`] takes what a citizen presents (an *identified* Verifiable Presentation
//! signed by the holder's device key with `ecdsa-rdfc-2019`, an *anonymous* one with no
//! holder and no proof, or a bare `bbs-2023` derived credential) and a
//! [`Policy`], and returns either a [`VerifiedPresentation`], which only this module can
//! construct, or a [`Rejection`] listing every check that failed with its reason.
//!
//! Checks, each failing closed:
//! - `format`: the input is a presentation or credential we understand;
//! - `holder-proof`: the presentation's ECDSA proof (purpose `authentication`) verifies and its
//!   signer is the presentation's `holder`;
//! - `challenge`, `domain`: equal to what the desk asked for (replay protection, on by
//!   default: no challenge is a failure unless [`Policy::dangerous_no_challenge`]); a bare
//!   derived credential's presentation header, and that of every credential in an anonymous
//!   presentation, must be [`request_binding`] of them;
//! - `proof`: each credential's bbs-2023 derived proof verifies;
//! - `issuer`: the credential's issuer is the key that signed it, and the trust list names
//!   that issuer for every specific type the credential carries (relaxed only by
//!   [`Policy::dangerous_allow_any_issuer`], which still requires a valid proof);
//! - `validity`: `validFrom <= now <= validUntil`, with a configurable clock skew of at most
//!   [`MAX_CLOCK_SKEW`] (more only with [`Policy::dangerous_clock_skew`]) and an audit time;
//! - `status`: every `credentialStatus` entry is checked against a status list credential
//!   that is available locally, signed (ecdsa-rdfc-2019) by a key the trust list allows for
//!   that issuer, and within its validity period (a list without `validUntil` no older than
//!   the issuer's `status_list_max_age`, when the trust list sets one); revoked or suspended
//!   is a rejection, and so is an unavailable or unverifiable list (relaxed only by
//!   [`Policy::dangerous_skip_status`]);
//! - `required-claims`: each JSON pointer the desk requires is disclosed;
//! - `holder-binding`: each credential is bound to its presenter: by a holder secret
//!   (bbs-2023 `anonymous_holder_binding` or `holder_binding_pseudonym`), or issued to the DID
//!   that signed the presentation (relaxed only by [`Policy::dangerous_allow_bearer`]).
//!
//! Every field a check decides on is read from the verified statements
//! ([`crate::vc::SignedFields`]), after the input passed [`crate::vc::check_profile`].

mod sdjwt;
mod trust;

use crate::{CredentialError, EcdsaError, StatusError};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

pub use sdjwt::{KB_MAX_AGE, looks_like_sd_jwt};
pub use trust::{TrustList, TrustedContext, TrustedIssuer};

use crate::Error;
use crate::bbs2023::Bbs2023;
use crate::ecdsa::{EcdsaRdfc2019, VerifiedEcdsa};
use crate::jsonld::JsonLdProcessor;
use crate::status::{
    DecodeLimits, StatusListCredential, Timestamp, VerifiedStatusList, check_status,
    parse_credential_status,
};
use crate::vc::{self, SignedFields};

/// A check the verifier performs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// The input is a presentation or a credential of a supported kind.
    Format,
    /// The holder's signature on the presentation.
    HolderProof,
    /// The presentation's challenge.
    Challenge,
    /// The presentation's domain.
    Domain,
    /// A credential's bbs-2023 proof.
    Proof,
    /// The issuer is the signer and is trusted for the credential's type.
    Issuer,
    /// The credential's validity period.
    Validity,
    /// Revocation and suspension.
    Status,
    /// Claims the verifier requires to be disclosed.
    RequiredClaims,
    /// The credential is bound to whoever presents it: by a holder secret, or issued to the
    /// presentation's signed holder.
    HolderBinding,
    /// With [`Policy::require_transparency`]: the issuer's key is logged and not retired,
    /// and each status list used is the latest version its log records.
    Transparency,
}

impl Check {
    /// The stable name used in output: `format`, `holder-proof`, `challenge`, `domain`,
    /// `proof`, `issuer`, `validity`, `status`, `required-claims`, `holder-binding`,
    /// `transparency`.
    pub fn name(self) -> &'static str {
        match self {
            Check::Format => "format",
            Check::HolderProof => "holder-proof",
            Check::Challenge => "challenge",
            Check::Domain => "domain",
            Check::Proof => "proof",
            Check::Issuer => "issuer",
            Check::Validity => "validity",
            Check::Status => "status",
            Check::RequiredClaims => "required-claims",
            Check::HolderBinding => "holder-binding",
            Check::Transparency => "transparency",
        }
    }
}

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Which check.
    pub check: Check,
    /// Which credential of the presentation (0-based), if the check is per credential.
    pub credential: Option<usize>,
    /// Why, in words an officer can act on. Never contains an undisclosed claim.
    pub reason: String,
}

/// A relaxation of the default policy, reported with every result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Danger {
    /// Any issuer is accepted (the proof and everything else are still checked).
    AllowAnyIssuer,
    /// Status (revocation, suspension) is not checked.
    SkipStatus,
    /// The clock skew may exceed [`MAX_CLOCK_SKEW`] (an expired or not yet valid credential
    /// can pass as valid).
    ClockSkew,
    /// A credential that nothing binds to its presenter (a bearer credential) is accepted:
    /// anyone holding a copy can present it.
    AllowBearer,
    /// No challenge is required: a presentation recorded at one visit is accepted again.
    NoChallenge,
}

impl Danger {
    /// The command-line flag that enables it.
    pub fn flag(self) -> &'static str {
        match self {
            Danger::AllowAnyIssuer => "--dangerous-allow-any-issuer",
            Danger::SkipStatus => "--dangerous-skip-status",
            Danger::ClockSkew => "--dangerous-clock-skew",
            Danger::AllowBearer => "--dangerous-allow-bearer",
            Danger::NoChallenge => "--dangerous-no-challenge",
        }
    }
}

/// Why the input was not accepted: every failed check.
#[derive(Clone, Debug)]
pub struct Rejection {
    failures: Vec<Failure>,
    dangers: Vec<Danger>,
}

impl Rejection {
    /// The failed checks, in the order they were made.
    pub fn failures(&self) -> &[Failure] {
        &self.failures
    }
    /// Relaxations that were in force.
    pub fn dangers(&self) -> &[Danger] {
        &self.dangers
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let reasons: Vec<String> = self
            .failures
            .iter()
            .map(|x| format!("{}: {}", x.check.name(), x.reason))
            .collect();
        write!(f, "rejected: {}", reasons.join("; "))
    }
}

/// The largest clock skew [`Policy::clock_skew`] accepts: one hour. A larger one needs
/// [`Policy::dangerous_clock_skew`].
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(3600);

/// What the desk requires. The defaults fail closed: nothing is trusted until the trust list
/// says so, and status is checked.
#[derive(Clone, Debug)]
pub struct Policy {
    trust: TrustList,
    at: Option<SystemTime>,
    clock_skew: Duration,
    challenge: Option<String>,
    domain: Option<String>,
    required_claims: Vec<String>,
    dangers: Vec<Danger>,
    transparency: Option<Arc<Transparency>>,
}

/// What the issuers' transparency logs say (see [`crate::tlog::LogView`]), for a
/// verifier that requires it ([`Policy::require_transparency`]): which keys are logged and
/// not retired, and the latest logged version (SHA-256 of the exact published bytes) of
/// each status list. Logs the caller could not bring up to date are noted with their reason,
/// which every refusal they cause repeats.
#[derive(Clone, Debug, Default)]
pub struct Transparency {
    keys: HashMap<String, Vec<(String, crate::tlog::KeyState)>>,
    lists: HashMap<String, Vec<(String, String)>>,
    unavailable: Vec<String>,
}

impl Transparency {
    /// Nothing logged yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// Take in what one log (checked under the caller's witness policy) records.
    pub fn add_log(&mut self, view: &crate::tlog::LogView) {
        for (key, state) in view.keys() {
            self.keys
                .entry(key.clone())
                .or_default()
                .push((view.origin().to_owned(), *state));
        }
        for (url, v) in view.lists() {
            self.lists
                .entry(url.clone())
                .or_default()
                .push((view.origin().to_owned(), v.sha256.clone()));
        }
    }
    /// Record a log that could not be used (unreachable, stale, forked), with why.
    pub fn note_unavailable(&mut self, reason: impl Into<String>) {
        self.unavailable.push(reason.into());
    }
    fn why_missing(&self) -> String {
        if self.unavailable.is_empty() {
            String::new()
        } else {
            format!(" (logs not used: {})", self.unavailable.join("; "))
        }
    }
    fn check_key(&self, key: &str) -> Result<(), String> {
        use crate::tlog::KeyState;
        match self.keys.get(key).map(Vec::as_slice) {
            None | Some([]) => Err(format!(
                "the issuer's key {key} is in no transparency log of the policy{}",
                self.why_missing()
            )),
            Some(states) if states.iter().any(|(_, s)| *s == KeyState::Retired) => Err(format!(
                "the issuer's key {key} is retired in the log {}",
                states
                    .iter()
                    .find(|(_, s)| *s == KeyState::Retired)
                    .map_or("", |(o, _)| o.as_str())
            )),
            Some(_) => Ok(()),
        }
    }
    fn check_list(&self, url: &str, published: Option<&[u8; 32]>) -> Result<(), String> {
        let Some(published) = published else {
            return Err(format!(
                "status list {url}: its exact published bytes are not known, so it cannot be matched to its log"
            ));
        };
        let hex: String = published.iter().map(|b| format!("{b:02x}")).collect();
        match self.lists.get(url).map(Vec::as_slice) {
            None | Some([]) => Err(format!(
                "status list {url} was never logged: a list withheld from the log is not trusted{}",
                self.why_missing()
            )),
            Some(versions) => match versions.iter().find(|(_, sha)| *sha != hex) {
                None => Ok(()),
                Some((origin, _)) => Err(format!(
                    "status list {url} is not the latest version the log {origin} records (rewritten, stale, or shown to this desk only)"
                )),
            },
        }
    }
}

impl Policy {
    /// A policy trusting the issuers in `trust`, with a five-minute clock skew.
    pub fn new(trust: TrustList) -> Self {
        Self {
            trust,
            at: None,
            clock_skew: Duration::from_secs(300),
            challenge: None,
            domain: None,
            required_claims: Vec::new(),
            dangers: Vec::new(),
            transparency: None,
        }
    }
    /// Require what `logs` records: the issuer's key logged and not retired, and each status
    /// list used the latest logged version (its exact bytes given with
    /// [`StatusLists::insert_published`]). Failures are [`Check::Transparency`].
    pub fn require_transparency(mut self, logs: Transparency) -> Self {
        self.transparency = Some(Arc::new(logs));
        self
    }
    /// Evaluate validity at `at` instead of now (audits).
    pub fn at(mut self, at: SystemTime) -> Self {
        self.at = Some(at);
        self
    }
    /// Accepted difference between clocks, at most [`MAX_CLOCK_SKEW`]: a larger value is
    /// capped (fail closed; use [`Policy::dangerous_clock_skew`] to go beyond).
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew.min(MAX_CLOCK_SKEW);
        self
    }
    /// DANGEROUS: accept this clock difference, however large, so that a credential expired
    /// or not yet valid by up to `skew` passes the validity check. The result reports it.
    pub fn dangerous_clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        if !self.has(Danger::ClockSkew) {
            self.dangers.push(Danger::ClockSkew);
        }
        self
    }
    /// Require a presentation with this challenge.
    pub fn challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }
    /// Require a presentation with this domain.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }
    /// Require the claim at this JSON pointer (into each credential) to be disclosed.
    pub fn require(mut self, pointer: impl Into<String>) -> Self {
        self.required_claims.push(pointer.into());
        self
    }
    /// DANGEROUS: accept credentials from any issuer. The proof, validity, status and every
    /// other check still apply, and the result reports this relaxation.
    pub fn dangerous_allow_any_issuer(mut self) -> Self {
        self.dangers.push(Danger::AllowAnyIssuer);
        self
    }
    /// DANGEROUS: accept credentials that nothing binds to their presenter (no holder secret,
    /// not issued to the presentation's signed holder). The result reports it.
    pub fn dangerous_allow_bearer(mut self) -> Self {
        self.dangers.push(Danger::AllowBearer);
        self
    }
    /// DANGEROUS: verify without a challenge, so without replay protection. The result
    /// reports it.
    pub fn dangerous_no_challenge(mut self) -> Self {
        self.dangers.push(Danger::NoChallenge);
        self
    }
    /// DANGEROUS: do not check revocation or suspension. The result reports it.
    pub fn dangerous_skip_status(mut self) -> Self {
        self.dangers.push(Danger::SkipStatus);
        self
    }
    /// The relaxations in force, as every result made under this policy reports them.
    pub fn dangers(&self) -> &[Danger] {
        &self.dangers
    }
    fn has(&self, d: Danger) -> bool {
        self.dangers.contains(&d)
    }
    fn now(&self) -> SystemTime {
        self.at.unwrap_or_else(SystemTime::now)
    }
}

/// Status list credentials available to the verifier, by URL (their `id`). Fetching them is
/// the caller's business (a local directory or cache); the verifier never goes online.
///
/// A source that could not be read at all (unreadable file, not JSON) is recorded with
/// [`StatusLists::note_unusable`]: the other lists are still used, and a credential whose list
/// is missing fails its status check with a reason that names the unusable sources.
#[derive(Clone, Debug, Default)]
pub struct StatusLists {
    by_url: HashMap<String, Value>,
    published: HashMap<String, [u8; 32]>,
    tokens: HashMap<String, String>,
    unusable: Vec<String>,
}

impl StatusLists {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add a status list credential (keyed by its `id`).
    ///
    /// # Errors
    /// [`crate::StatusError::Malformed`] when it has no `id`; [`crate::StatusError::DuplicateList`] when a
    /// list with the same `id` is already in the set (two copies of one list: which is current
    /// cannot be told, and a stale one would un-revoke; the set keeps the first).
    pub fn insert(&mut self, credential: Value) -> Result<(), Error> {
        let id = credential
            .get("id")
            .and_then(Value::as_str)
            .ok_or(Error::Status(StatusError::Malformed {
                field: "id",
                reason: "a status list credential needs an id",
            }))?
            .to_owned();
        match self.by_url.entry(id) {
            std::collections::hash_map::Entry::Occupied(e) => {
                Err(Error::Status(StatusError::DuplicateList {
                    id: e.key().clone(),
                }))
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(credential);
                Ok(())
            }
        }
    }
    /// Add a status list credential from the exact bytes it was published as (JSON), so that
    /// a transparency log's record of it ([`Policy::require_transparency`]) can be matched.
    ///
    /// # Errors
    /// As [`StatusLists::insert`], and those of [`crate::json::parse`] when the bytes are
    /// not JSON within its default limits.
    pub fn insert_published(&mut self, bytes: &[u8]) -> Result<(), Error> {
        use sha2::Digest;
        let value = crate::json::parse(bytes, &crate::json::JsonLimits::default())?;
        let id = value.get("id").and_then(Value::as_str).map(str::to_owned);
        self.insert(value)?;
        if let Some(id) = id {
            self.published
                .insert(id, sha2::Sha256::digest(bytes).into());
        }
        Ok(())
    }
    /// Add a Token Status List (a `statuslist+jwt`, for SD-JWT VCs), keyed by its `sub`; its
    /// signature is checked when a credential uses it.
    ///
    /// # Errors
    /// [`Error::SdJwt`] when it is not a JWT whose payload names its `sub`;
    /// [`crate::StatusError::DuplicateList`] when that URI is already in the set.
    pub fn insert_token(&mut self, jwt: &str) -> Result<(), Error> {
        let jwt = jwt.trim();
        let sub =
            crate::sdjwt::status::token_uri(jwt).ok_or(crate::sdjwt::SdJwtError::Malformed(
                "a status list token is a JWT that names its URI in sub",
            ))?;
        match self.tokens.entry(sub) {
            std::collections::hash_map::Entry::Occupied(e) => {
                Err(Error::Status(StatusError::DuplicateList {
                    id: e.key().clone(),
                }))
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(jwt.to_owned());
                Ok(())
            }
        }
    }
    /// Record a source of status lists that could not be used (a file name, a URL), so that
    /// a credential whose list is not available says why it may be missing.
    pub fn note_unusable(&mut self, source: impl Into<String>) {
        self.unusable.push(source.into());
    }
    /// The sources recorded with [`StatusLists::note_unusable`].
    pub fn unusable(&self) -> &[String] {
        &self.unusable
    }
    /// Number of lists (status list credentials and tokens).
    pub fn len(&self) -> usize {
        self.by_url.len() + self.tokens.len()
    }
    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.by_url.is_empty() && self.tokens.is_empty()
    }
}

/// One accepted credential.
#[derive(Clone, Debug)]
pub struct VerifiedCredential {
    document: Value,
    issuer: String,
    issuer_name: Option<String>,
    types: Vec<String>,
    status: Vec<String>,
    holder_binding: HolderBinding,
    pseudonym: Option<String>,
}

/// What binds an accepted credential to the person who presented it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HolderBinding {
    /// A holder secret: only its holder can derive a presentation of it.
    Secret,
    /// Issued to a DID (`credentialSubject.id`) that signed the presentation.
    Did,
    /// Nothing: accepted only under [`Policy::dangerous_allow_bearer`].
    None,
    /// An SD-JWT VC's holder key (`cnf.jwk`) signed the Key Binding JWT.
    Key,
}

impl HolderBinding {
    /// The stable name used in output: `secret`, `did`, `none`, `key`.
    pub fn name(self) -> &'static str {
        match self {
            HolderBinding::Secret => "secret",
            HolderBinding::Did => "did",
            HolderBinding::None => "none",
            HolderBinding::Key => "key",
        }
    }
}

/// The BBS presentation header that binds a derived credential to a verifier's request,
/// computed by the verifier from its own challenge and domain (never taken from the
/// presenter): `"civitas-request-v1"`, then the challenge and the domain (empty when the
/// request has none), each as a 4-byte big-endian length followed by its UTF-8 bytes. See
/// `docs/formats.md`, "Binding a presentation to a request".
pub fn request_binding(challenge: &str, domain: Option<&str>) -> Vec<u8> {
    const TAG: &[u8] = b"civitas-request-v1";
    let domain = domain.unwrap_or("");
    let mut out = Vec::with_capacity(TAG.len() + 8 + challenge.len() + domain.len());
    out.extend_from_slice(TAG);
    for part in [challenge.as_bytes(), domain.as_bytes()] {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

impl VerifiedCredential {
    /// What binds the credential to its presenter.
    pub fn holder_binding(&self) -> HolderBinding {
        self.holder_binding
    }
    /// The holder's pseudonym at this desk (multibase base64url of the G1 point), when the
    /// credential uses a pseudonym feature: stable for one holder at one desk domain,
    /// unlinkable across desks.
    pub fn pseudonym(&self) -> Option<&str> {
        self.pseudonym.as_deref()
    }
    /// The disclosed credential, without its proof.
    pub fn document(&self) -> &Value {
        &self.document
    }
    /// The issuer's DID.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// The issuer's name from the trust list (`None` when any issuer was allowed and the
    /// issuer is not listed).
    pub fn issuer_name(&self) -> Option<&str> {
        self.issuer_name.as_deref()
    }
    /// The credential's types.
    pub fn types(&self) -> &[String] {
        &self.types
    }
    /// One line per status entry checked (`revocation: unset`).
    pub fn status(&self) -> &[String] {
        &self.status
    }
    /// The disclosed claims as (JSON pointer, value) leaves; see [`disclosed_claims`].
    pub fn disclosed_claims(&self) -> Vec<(String, &Value)> {
        disclosed_claims(&self.document)
    }
}

/// The leaves of a credential document as (RFC 6901 JSON pointer, value), in document order,
/// without `@context` and `proof`: what an officer's screen or a case file shows.
pub fn disclosed_claims(doc: &Value) -> Vec<(String, &Value)> {
    fn walk<'a>(v: &'a Value, ptr: String, out: &mut Vec<(String, &'a Value)>) {
        match v {
            Value::Object(o) => {
                for (k, x) in o {
                    if ptr.is_empty() && (k == "@context" || k == "proof") {
                        continue;
                    }
                    walk(x, format!("{ptr}/{}", crate::json_pointer::escape(k)), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{ptr}/{i}"), out);
                }
            }
            leaf => out.push((ptr, leaf)),
        }
    }
    let mut out = Vec::new();
    walk(doc, String::new(), &mut out);
    out
}

/// An accepted presentation: only [`Verifier::verify`] constructs it.
#[derive(Clone, Debug)]
pub struct VerifiedPresentation {
    credentials: Vec<VerifiedCredential>,
    holder: Option<String>,
    challenge: Option<String>,
    domain: Option<String>,
    dangers: Vec<Danger>,
}

impl VerifiedPresentation {
    /// The accepted credentials.
    pub fn credentials(&self) -> &[VerifiedCredential] {
        &self.credentials
    }
    /// The holder's DID when a signed presentation was given.
    pub fn holder(&self) -> Option<&str> {
        self.holder.as_deref()
    }
    /// The presentation's challenge.
    pub fn challenge(&self) -> Option<&str> {
        self.challenge.as_deref()
    }
    /// The presentation's domain.
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }
    /// Relaxations that were in force.
    pub fn dangers(&self) -> &[Danger] {
        &self.dangers
    }
}

/// The verifier: the two cryptosuites over one JSON-LD processor.
#[derive(Debug, Clone)]
pub struct Verifier {
    bbs: Bbs2023,
    ecdsa: EcdsaRdfc2019,
    /// Signers of status list credentials whose ECDSA proof already verified, by SHA-256 of the
    /// list's JSON: a desk checks the same few lists for every presentation. Proofs with an
    /// `expires` are not cached. The trust decision is still made on every use.
    status_signers: Arc<std::sync::Mutex<HashMap<[u8; 32], String>>>,
}

/// Who presents a credential: the verified holder of a signed presentation, or nobody (a
/// bare derived credential).
#[derive(Clone, Copy)]
struct Presenter<'a> {
    /// The verified holder of a signed presentation.
    holder: Option<&'a str>,
    /// Bound to the request by its presentation header: a bare derived credential or one in
    /// an anonymous presentation.
    header_bound: bool,
}

/// Most credentials accepted in one presentation, checked before any proof is verified: a
/// desk asks for a few; each costs a BBS proof verification.
pub const MAX_CREDENTIALS: usize = 64;

/// Most status list verifications remembered.
const STATUS_CACHE: usize = 1024;

fn types_of(doc: &Value) -> Vec<String> {
    match doc.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// The DID of a DID URL (`did:key:z..#z..` -> `did:key:z..`).
fn did_of(method: &str) -> &str {
    crate::did::did_of_url(method)
}

fn unix(t: SystemTime) -> i64 {
    Timestamp::from_system_time(t).unix_seconds()
}

impl Verifier {
    /// A verifier over `jsonld` (bundled contexts plus any registered ones).
    pub fn new(jsonld: Arc<JsonLdProcessor>) -> Self {
        Self {
            bbs: Bbs2023::new(Arc::clone(&jsonld)),
            ecdsa: EcdsaRdfc2019::new(jsonld),
            status_signers: Arc::default(),
        }
    }

    /// Verify what was presented against `policy`, with the status lists available.
    pub fn verify(
        &self,
        input: &Value,
        policy: &Policy,
        lists: &StatusLists,
    ) -> Result<VerifiedPresentation, Rejection> {
        let mut failures: Vec<Failure> = Vec::new();
        let fail = |failures: &mut Vec<Failure>,
                    check: Check,
                    credential: Option<usize>,
                    reason: String| {
            failures.push(Failure {
                check,
                credential,
                reason,
            });
        };
        let types = types_of(input);
        let (credentials, holder, challenge, domain): (
            Vec<Value>,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = if let Err(e) = vc::check_profile(input) {
            fail(&mut failures, Check::Format, None, e.to_string());
            (Vec::new(), None, None, None)
        } else if let Some(n) = input
            .get("verifiableCredential")
            .and_then(Value::as_array)
            .map(Vec::len)
            .filter(|&n| n > MAX_CREDENTIALS)
        {
            fail(
                &mut failures,
                Check::Format,
                None,
                format!(
                    "the presentation holds {n} credentials; at most {MAX_CREDENTIALS} are accepted"
                ),
            );
            (Vec::new(), None, None, None)
        } else if types.iter().any(|t| t == "VerifiablePresentation")
            && input.get("proof").is_none()
        {
            // An anonymous presentation: no holder, no signature; each credential is bound to
            // the request by its presentation header and to its holder by a holder secret.
            if input.get("holder").is_some() {
                fail(
                    &mut failures,
                    Check::HolderProof,
                    None,
                    "the presentation names a holder but is not signed (an anonymous presentation names no holder)".into(),
                );
                (Vec::new(), None, None, None)
            } else {
                let creds = match input.get("verifiableCredential") {
                    Some(Value::Array(a)) => a.clone(),
                    Some(v @ Value::Object(_)) => vec![v.clone()],
                    _ => Vec::new(),
                };
                (creds, None, None, None)
            }
        } else if types.iter().any(|t| t == "VerifiablePresentation") {
            match self.holder_proof(input, policy) {
                Ok(vp) => {
                    let holder = input
                        .get("holder")
                        .and_then(Value::as_str)
                        .map(str::to_owned);
                    let signer = did_of(vp.verification_method()).to_owned();
                    if holder.as_deref() != Some(signer.as_str()) {
                        fail(
                            &mut failures,
                            Check::HolderProof,
                            None,
                            "the presentation is not signed by its holder".into(),
                        );
                    }
                    let creds = match vp.document().get("verifiableCredential") {
                        Some(Value::Array(a)) => a.clone(),
                        Some(v @ Value::Object(_)) => vec![v.clone()],
                        _ => Vec::new(),
                    };
                    (
                        creds,
                        Some(signer),
                        vp.challenge().map(str::to_owned),
                        vp.domain().map(str::to_owned),
                    )
                }
                Err(e) => {
                    fail(&mut failures, Check::HolderProof, None, e.to_string());
                    (Vec::new(), None, None, None)
                }
            }
        } else if types.iter().any(|t| t == "VerifiableCredential") {
            (vec![input.clone()], None, None, None)
        } else {
            fail(
                &mut failures,
                Check::Format,
                None,
                "neither a VerifiablePresentation nor a VerifiableCredential".into(),
            );
            (Vec::new(), None, None, None)
        };
        let is_presentation = types.iter().any(|t| t == "VerifiablePresentation");
        // Bound to the request by presentation headers: a bare derived credential, or an
        // anonymous (unsigned) presentation.
        let header_bound = !is_presentation || input.get("proof").is_none();
        let holder_proof_failed = failures.iter().any(|f| f.check == Check::HolderProof);
        if policy.challenge.is_none() && !policy.has(Danger::NoChallenge) {
            fail(
                &mut failures,
                Check::Challenge,
                None,
                "this desk gave no challenge: replay protection is on by default (give the challenge, or name the danger --dangerous-no-challenge)".into(),
            );
        }
        for (check, wanted, got) in [
            (Check::Challenge, &policy.challenge, &challenge),
            (Check::Domain, &policy.domain, &domain),
        ] {
            if let Some(wanted) = wanted {
                let reason = match got {
                    // A bare derived credential or an anonymous presentation is bound by the
                    // presentation headers, checked with each proof.
                    _ if header_bound => None,
                    // Already reported: nothing in an unverified presentation can be trusted.
                    _ if holder_proof_failed => None,
                    Some(g) if g == wanted => None,
                    Some(_) => Some(format!(
                        "the presentation's {} is not the one this desk asked for",
                        check.name()
                    )),
                    None => Some(format!("the presentation has no {}", check.name())),
                };
                if let Some(reason) = reason {
                    fail(&mut failures, check, None, reason);
                }
            }
        }
        if credentials.is_empty()
            && !failures
                .iter()
                .any(|f| matches!(f.check, Check::Format | Check::HolderProof))
        {
            fail(
                &mut failures,
                Check::Format,
                None,
                "the presentation holds no credential".into(),
            );
        }
        let mut accepted = Vec::new();
        for (i, credential) in credentials.iter().enumerate() {
            let before = failures.len();
            let presenter = Presenter {
                holder: holder.as_deref().filter(|_| !header_bound),
                header_bound,
            };
            let vc = self.check_credential(
                credential,
                policy,
                lists,
                presenter,
                &mut |check, reason| {
                    failures.push(Failure {
                        check,
                        credential: Some(i),
                        reason,
                    })
                },
            );
            if failures.len() == before
                && let Some(vc) = vc
            {
                accepted.push(vc);
            }
        }
        // Acceptance needs every credential accepted, not only no failure recorded.
        if failures.is_empty() && accepted.len() == credentials.len() {
            Ok(VerifiedPresentation {
                credentials: accepted,
                holder,
                challenge,
                domain,
                dangers: policy.dangers.clone(),
            })
        } else {
            if failures.is_empty() {
                failures.push(Failure {
                    check: Check::Format,
                    credential: None,
                    reason: "a credential was not accepted".into(),
                });
            }
            Err(Rejection {
                failures,
                dangers: policy.dangers.clone(),
            })
        }
    }

    /// [`Verifier::verify`] for each of `inputs`, with the BBS pairing equations of all their
    /// proofs checked in one batch ([`crate::bbs::verify_batch`]), the rest of the work spread over
    /// the machine's cores. The verdicts are those `verify` gives on each input, in order,
    /// every failure and reason included: an input whose proofs fail the batch is verified
    /// again on its own.
    pub fn verify_batch(
        &self,
        inputs: &[Value],
        policy: &Policy,
        lists: &StatusLists,
    ) -> Vec<Result<VerifiedPresentation, Rejection>> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        self.verify_batch_on(inputs, policy, lists, threads)
    }

    /// [`Verifier::verify_batch`] on at most `threads` threads.
    pub fn verify_batch_on(
        &self,
        inputs: &[Value],
        policy: &Policy,
        lists: &StatusLists,
        threads: usize,
    ) -> Vec<Result<VerifiedPresentation, Rejection>> {
        let jobs: Vec<_> = inputs
            .iter()
            .map(|input| move || self.verify(input, policy, lists))
            .collect();
        crate::bbs::verify_batch(jobs, threads)
    }

    /// The presentation's ECDSA proof, for authentication.
    fn holder_proof(&self, vp: &Value, policy: &Policy) -> Result<VerifiedEcdsa, Error> {
        let verified = self.ecdsa.verify_at(vp, unix(policy.now()))?;
        if verified.proof_purpose() != "authentication" {
            return Err(Error::Ecdsa(EcdsaError::UnexpectedProof {
                field: "proofPurpose",
            }));
        }
        Ok(verified)
    }

    /// Every check on one credential; `None` when its proof failed (nothing else is trusted).
    fn check_credential(
        &self,
        credential: &Value,
        policy: &Policy,
        lists: &StatusLists,
        presenter: Presenter<'_>,
        fail: &mut dyn FnMut(Check, String),
    ) -> Option<VerifiedCredential> {
        if let Err(e) = vc::check_profile(credential) {
            fail(Check::Format, e.to_string());
            return None;
        }
        // A pseudonym is verified for this desk's own domain, never one the holder chose.
        let verified = match self.bbs.verify_with(
            credential,
            Some(policy.domain.as_deref().unwrap_or("")),
            Timestamp::from_system_time(policy.now()),
        ) {
            Ok(v) => v,
            Err(e) => {
                fail(Check::Proof, e.to_string());
                return None;
            }
        };
        // Everything the policy decides on is read from the verified statements.
        let signed = match SignedFields::from_quads(verified.quads()) {
            Ok(f) => f,
            Err(e) => {
                fail(Check::Format, e.to_string());
                return None;
            }
        };
        let doc = verified.document().clone();
        let mut types = types_of(&doc);
        types.sort_unstable();
        types.dedup();
        if types.len() != signed.types.len() {
            fail(
                Check::Format,
                "the credential's types in the JSON are not its signed types".into(),
            );
            return None;
        }
        let signer = did_of(verified.verification_method()).to_owned();
        // Issuer: the signer, and trusted for every specific type the credential carries.
        let mut issuer_name = None;
        let trusted = policy.trust.get(&signer);
        match signed.issuer.as_deref() {
            Some(issuer) if issuer == signer => {}
            Some(_) => fail(
                Check::Issuer,
                "the credential names another issuer than the key that signed it".into(),
            ),
            None => fail(
                Check::Issuer,
                "the credential does not disclose its issuer".into(),
            ),
        }
        let specific: Vec<&String> = types
            .iter()
            .filter(|t| *t != "VerifiableCredential")
            .collect();
        match trusted {
            Some(t) => {
                issuer_name = Some(t.name.clone());
                let untrusted: Vec<&str> = specific
                    .iter()
                    .filter(|ty| !t.credential_types.contains(ty))
                    .map(|s| s.as_str())
                    .collect();
                if specific.is_empty() {
                    fail(
                        Check::Issuer,
                        "the credential has no type besides VerifiableCredential".into(),
                    );
                } else if !untrusted.is_empty() {
                    fail(
                        Check::Issuer,
                        format!(
                            "{} is not trusted to issue {}",
                            t.name,
                            untrusted.join(", ")
                        ),
                    );
                }
            }
            None if policy.has(Danger::AllowAnyIssuer) => {}
            None => fail(
                Check::Issuer,
                format!("issuer {signer} is not in the trust list"),
            ),
        }
        if let Some(t) = &policy.transparency
            && let Err(reason) = t.check_key(verified.verification_method())
        {
            fail(Check::Transparency, reason);
        }
        // Validity period (VC 2.0 validFrom/validUntil, VC 1.1 issuanceDate/expirationDate).
        let now = unix(policy.now());
        let skew = i64::try_from(policy.clock_skew.as_secs()).unwrap_or(i64::MAX);
        for (value, late) in [(signed.not_before(), false), (signed.not_after(), true)] {
            if let Some(v) = value {
                match Timestamp::parse(v) {
                    Some(t) if !late && t.unix_seconds() > now.saturating_add(skew) => {
                        fail(Check::Validity, format!("not valid before {v}"))
                    }
                    Some(t) if late && t.unix_seconds() < now.saturating_sub(skew) => {
                        fail(Check::Validity, format!("expired at {v}"))
                    }
                    Some(_) => {}
                    None => fail(
                        Check::Validity,
                        "a validity date is not a date-time with a time zone".into(),
                    ),
                }
            }
        }
        // Status: the entries as signed; the JSON view must show exactly those.
        let mut status = Vec::new();
        if signed.status.is_empty() && doc.get("credentialStatus").is_some() {
            fail(
                Check::Format,
                "the credential shows a status entry that is not signed".into(),
            );
        }
        if !signed.status.is_empty() {
            if policy.has(Danger::SkipStatus) {
                status.push("not checked (--dangerous-skip-status)".to_owned());
            } else {
                match status_entries(&doc, &signed) {
                    Ok(entries) => {
                        for entry in entries {
                            match self.status_list(
                                entry.status_list_credential(),
                                &signer,
                                policy,
                                lists,
                            ) {
                                Ok(list) => {
                                    if let Some(t) = &policy.transparency
                                        && let Err(reason) = t.check_list(
                                            entry.status_list_credential(),
                                            lists.published.get(entry.status_list_credential()),
                                        )
                                    {
                                        fail(Check::Transparency, reason);
                                    }
                                    match check_status(&entry, &list, policy.now()) {
                                        Ok(r) if r.revoked => {
                                            fail(Check::Status, "revoked by its issuer".into())
                                        }
                                        Ok(r) if r.suspended => {
                                            fail(Check::Status, "suspended by its issuer".into())
                                        }
                                        Ok(r) => status.push(format!(
                                            "{}: {}",
                                            r.purpose.as_str(),
                                            r.message.unwrap_or_else(|| r.value.to_string())
                                        )),
                                        Err(e) => fail(Check::Status, e.to_string()),
                                    }
                                }
                                Err(reason) => fail(Check::Status, reason),
                            }
                        }
                    }
                    Err(e) => fail(Check::Status, e.to_string()),
                }
            }
        }
        // Required claims.
        for pointer in &policy.required_claims {
            if !resolves(&doc, pointer) {
                fail(Check::RequiredClaims, format!("{pointer} is not disclosed"));
            }
        }
        // Freshness of a bare derived credential, one in an anonymous presentation, and any
        // credential bound by a holder secret (whatever envelope carries it: a copy of a
        // holder-bound proof wrapped in someone else's signed presentation must not pass as
        // the holder's): its presentation header is this desk's request binding, computed
        // here from the desk's own challenge and domain.
        if (presenter.header_bound || verified.holder_bound())
            && let Some(challenge) = policy.challenge.as_deref()
            && verified.presentation_header()
                != request_binding(challenge, policy.domain.as_deref()).as_slice()
        {
            fail(
                Check::Challenge,
                "the credential's presentation header does not bind this desk's challenge and domain (replayed, or made for another request)".into(),
            );
        }
        // Holder binding.
        let holder_binding = match presenter.holder {
            _ if verified.holder_bound() => HolderBinding::Secret,
            Some(holder)
                if !signed.subject_ids.is_empty()
                    && signed.subject_ids.iter().all(|s| s == holder) =>
            {
                HolderBinding::Did
            }
            _ => HolderBinding::None,
        };
        if holder_binding == HolderBinding::None && !policy.has(Danger::AllowBearer) {
            fail(
                Check::HolderBinding,
                if presenter.holder.is_some() {
                    "the credential was not issued to the presentation's holder (its credentialSubject.id is another DID, or none): a forwarded copy".into()
                } else {
                    "nothing binds this credential to the person presenting it (no holder secret, no holder signature); a bearer credential needs --dangerous-allow-bearer".into()
                },
            );
        }
        Some(VerifiedCredential {
            document: doc,
            issuer: signer,
            issuer_name,
            types,
            status,
            holder_binding,
            pseudonym: verified
                .pseudonym()
                .map(|p| crate::keys::Base::Base64Url.encode(&p.to_bytes())),
        })
    }

    /// The DID whose key signed the status list credential `list`, its ECDSA proof verified
    /// at the policy's time (once per list content), the list in the accepted JSON-LD profile
    /// and its issuer the signer.
    fn status_list_signer(
        &self,
        url: &str,
        list: &Value,
        policy: &Policy,
    ) -> Result<String, String> {
        use sha2::Digest;
        let digest: [u8; 32] =
            sha2::Sha256::digest(serde_json::to_vec(list).unwrap_or_default()).into();
        if let Some(signer) = self
            .status_signers
            .lock()
            .ok()
            .and_then(|m| m.get(&digest).cloned())
        {
            return Ok(signer);
        }
        let bad = |e: Error| format!("status list {url}: {e}");
        vc::check_profile(list).map_err(bad)?;
        let verified = self
            .ecdsa
            .verify_at(list, unix(policy.now()))
            .map_err(bad)?;
        let signer = did_of(verified.verification_method()).to_owned();
        let signed = SignedFields::from_quads(verified.quads()).map_err(bad)?;
        if signed.issuer.as_deref() != Some(signer.as_str()) {
            return Err(format!(
                "status list {url}: its issuer is not the key that signed it"
            ));
        }
        let parsed =
            StatusListCredential::from_json(list, &DecodeLimits::default()).map_err(bad)?;
        let same =
            |json: Option<Timestamp>, rdf: Option<&str>| json == rdf.and_then(Timestamp::parse);
        if !same(parsed.valid_from(), signed.valid_from.as_deref())
            || !same(parsed.valid_until(), signed.valid_until.as_deref())
        {
            return Err(bad(Error::Credential(CredentialError::SignedData(
                "the list's signed validity period is not the one its JSON shows",
            ))));
        }
        if verified.expires().is_none()
            && let Ok(mut m) = self.status_signers.lock()
        {
            if m.len() >= STATUS_CACHE {
                m.clear();
            }
            m.insert(digest, signer.clone());
        }
        Ok(signer)
    }

    /// The status list at `url`, its proof verified and its signer allowed for `issuer`.
    fn status_list(
        &self,
        url: &str,
        issuer: &str,
        policy: &Policy,
        lists: &StatusLists,
    ) -> Result<VerifiedStatusList, String> {
        let list = lists.by_url.get(url).ok_or_else(|| match lists.unusable.as_slice() {
            [] => format!("status list {url} is not available"),
            bad => format!(
                "status list {url} is not available; unreadable status list source(s), one may be it: {}",
                bad.join(", ")
            ),
        })?;
        let signer = self.status_list_signer(url, list, policy)?;
        let signer = signer.as_str();
        let allowed = signer == issuer
            || policy
                .trust
                .get(issuer)
                .is_some_and(|t| t.status_list_signers.iter().any(|s| s == signer))
            || (policy.has(Danger::AllowAnyIssuer) && policy.trust.get(issuer).is_none());
        if !allowed {
            return Err(format!(
                "status list {url} is signed by a key the trust list does not allow for this issuer"
            ));
        }
        let parsed = StatusListCredential::from_json(list, &DecodeLimits::default())
            .map_err(|e| format!("status list {url}: {e}"))?;
        // Freshness of a list that never expires: at most the issuer's maximum age.
        let max_age = policy.trust.get(issuer).and_then(|t| t.status_list_max_age);
        if let (Some(max), None) = (max_age, parsed.valid_until()) {
            let max_age_seconds = max.as_secs();
            let from = parsed.valid_from().ok_or_else(|| {
                format!(
                    "status list {url} has neither validUntil nor validFrom, and the trust list allows this issuer's lists to be at most {max_age_seconds} s old"
                )
            })?;
            let now = Timestamp::from_system_time(policy.now()).unix_seconds();
            let age = now.saturating_sub(from.unix_seconds());
            if age > i64::try_from(max_age_seconds).unwrap_or(i64::MAX) {
                return Err(format!(
                    "status list {url}: {}",
                    Error::Status(StatusError::ListTooOld { max_age_seconds })
                ));
            }
        }
        Ok(parsed.assume_proof_verified())
    }
}

/// Whether `pointer` resolves in `doc`.
fn resolves(doc: &Value, pointer: &str) -> bool {
    crate::json_pointer::resolve(doc, pointer).is_some()
}

/// The credential's status entries parsed from its JSON, which must be exactly the signed
/// ones: an entry the JSON does not show (moved under `@nest`, spelled as an IRI, ...) is a
/// failure, never a skipped check.
fn status_entries(
    doc: &Value,
    signed: &SignedFields,
) -> Result<Vec<crate::status::BitstringStatusListEntry>, Error> {
    let hidden = Error::Credential(CredentialError::SignedData(
        "the credential's signed status entries are not the ones its JSON shows",
    ));
    let Some(cs) = doc.get("credentialStatus") else {
        return Err(hidden);
    };
    let entries = parse_credential_status(cs)?;
    if entries.len() != signed.status.len() {
        return Err(hidden);
    }
    for e in &entries {
        let index = e.status_list_index().to_string();
        let shown = signed.status.iter().any(|s| {
            s.list.as_deref() == Some(e.status_list_credential())
                && s.index.as_deref() == Some(index.as_str())
                && s.purpose.as_deref() == Some(e.status_purpose().as_str())
        });
        if !shown {
            return Err(hidden);
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disclosed_claims_escape_pointers_and_skip_context_and_proof() {
        let doc = serde_json::json!({
            "@context": ["x"],
            "proof": {"a": 1},
            "credentialSubject": {"a/b": "s", "n": [1, true, null]}
        });
        let got: Vec<(String, String)> = disclosed_claims(&doc)
            .into_iter()
            .map(|(p, v)| (p, v.to_string()))
            .collect();
        let want = [
            ("/credentialSubject/a~1b", "\"s\""),
            ("/credentialSubject/n/0", "1"),
            ("/credentialSubject/n/1", "true"),
            ("/credentialSubject/n/2", "null"),
        ];
        assert_eq!(got, want.map(|(p, v)| (p.to_owned(), v.to_owned())));
    }
}
