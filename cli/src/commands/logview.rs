//! Following transparency logs from the verifying side: `civitas verify --log-policy` and
//! `civitas log monitor`. A log is read from the URL its policy line gives (`https://`, or
//! `http://` to this machine, or `file:///` for a directory); what was seen is kept per log
//! in a state directory (`--log-state`, `--state`), so that every newer checkpoint must be
//! consistent with the last one believed; a fork is refused and its evidence written there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use civitas_core::openid4vp::transport_allowed;
use civitas_core::tlog::{FollowError, LogSource, LogView};
use civitas_core::tlog::{Policy, PolicyLog};
use civitas_core::verifier::Transparency;
use sha2::{Digest, Sha256};

use crate::util::{CliError, CliResult, escape, read_bytes, write_atomic};

/// Largest file read from a log (an entry bundle of 256 entries of 64 KiB is the largest).
const MAX_LOG_FILE: u64 = 17 << 20;

/// A log in a local directory.
struct DirSource(PathBuf);

impl LogSource for DirSource {
    fn get(&self, path: &str) -> Option<Vec<u8>> {
        if path
            .split('/')
            .any(|p| p.is_empty() || p == ".." || p.starts_with('.'))
        {
            return None;
        }
        let p = self.0.join(path);
        let len = std::fs::metadata(&p).ok()?.len();
        if len > MAX_LOG_FILE {
            return None;
        }
        std::fs::read(p).ok()
    }
}

/// A log served over HTTP(S), as tlog-tiles lays it out.
struct HttpSource {
    base: String,
    agent: ureq::Agent,
}

impl LogSource for HttpSource {
    fn get(&self, path: &str) -> Option<Vec<u8>> {
        let url = format!("{}/{path}", self.base);
        let mut r = self.agent.get(&url).call().ok()?;
        if r.status().as_u16() != 200 {
            return None;
        }
        r.body_mut()
            .with_config()
            .limit(MAX_LOG_FILE)
            .read_to_vec()
            .ok()
    }
}

/// The source a policy's `log` line points at.
fn source(log: &PolicyLog) -> Result<Box<dyn LogSource>, String> {
    let Some(url) = &log.url else {
        return Err(format!(
            "the policy gives no URL for the log {}",
            escape(log.key.name())
        ));
    };
    if let Some(path) = url.strip_prefix("file://") {
        if !path.starts_with('/') {
            return Err(format!(
                "{}: a file:// URL names an absolute directory",
                escape(url)
            ));
        }
        return Ok(Box::new(DirSource(PathBuf::from(path))));
    }
    let base = url.trim_end_matches('/').to_owned();
    if !transport_allowed(&format!("{base}/checkpoint")) {
        return Err(format!(
            "{}: only https://, http:// to this machine, or file:/// is used",
            escape(url)
        ));
    }
    Ok(Box::new(HttpSource {
        base,
        agent: agent(),
    }))
}

/// The HTTP client for logs and lists: 20 s, no redirects, statuses as answers.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(20)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn state_file(dir: &Path, origin: &str) -> PathBuf {
    dir.join(format!(
        "{}.json",
        hex::encode(Sha256::digest(origin.as_bytes()))
    ))
}

/// The kept view of `origin` in `dir`, or a new one.
fn load_view(dir: Option<&Path>, origin: &str) -> CliResult<LogView> {
    let Some(dir) = dir else {
        return Ok(LogView::new(origin));
    };
    let path = state_file(dir, origin);
    if !path.exists() {
        return Ok(LogView::new(origin));
    }
    let view: LogView = serde_json::from_slice(&read_bytes(&path)?).map_err(|e| {
        CliError::input(format!(
            "{} is damaged ({e}); it holds what was seen of {}: restore it rather than delete it",
            path.display(),
            escape(origin)
        ))
    })?;
    if view.origin() != origin {
        return Err(CliError::input(format!(
            "{} is the state of another log",
            path.display()
        )));
    }
    Ok(view)
}

fn save_view(dir: Option<&Path>, view: &LogView) -> CliResult<()> {
    let Some(dir) = dir else {
        return Ok(());
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    let json = serde_json::to_vec_pretty(view)
        .map_err(|e| CliError::input(format!("cannot save the log state: {e}")))?;
    write_atomic(&state_file(dir, view.origin()), &json, false)
}

/// Write the evidence of a misbehaving log; its path.
fn write_evidence(
    dir: Option<&Path>,
    origin: &str,
    m: &civitas_core::tlog::Misbehaviour,
) -> Option<PathBuf> {
    let dir = dir?;
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(format!(
        "misbehaviour-{}-{}.json",
        hex::encode(Sha256::digest(origin.as_bytes()))
            .get(..16)
            .unwrap_or(""),
        crate::util::now_unix()
    ));
    let json = serde_json::to_vec_pretty(m).ok()?;
    write_atomic(&path, &json, false).ok()?;
    Some(path)
}

/// What following one log gave.
pub(crate) enum Followed {
    /// Brought up to date (or already): the view and the new entries.
    Fresh(LogView, Vec<(u64, civitas_core::tlog::LogEntry)>),
    /// Could not be used, with why (the reason names any evidence file written).
    Unusable(String),
}

/// Bring the view of `log` up to date under `policy`, keeping it in `state` (if given); a
/// checkpoint older than `max_age` seconds (its newest cosignature) is unusable.
pub(crate) fn follow(
    policy: &Policy,
    log: &PolicyLog,
    state: Option<&Path>,
    max_age: u64,
) -> CliResult<Followed> {
    let origin = log.key.name();
    let mut view = load_view(state, origin)?;
    let src = match source(log) {
        Ok(s) => s,
        Err(why) => return Ok(Followed::Unusable(why)),
    };
    let new = match view.update(policy, src.as_ref()) {
        Ok(new) => new,
        Err(FollowError::Misbehaved(m)) => {
            let at = write_evidence(state, origin, &m).map_or_else(
                || " (give --log-state DIR to keep the evidence)".to_owned(),
                |p| format!("; evidence in {}", p.display()),
            );
            return Ok(Followed::Unusable(format!(
                "the log {} MISBEHAVED: {}{at}",
                escape(origin),
                m.reason
            )));
        }
        Err(e) => {
            // Unreachable or bad data now: a kept view that is fresh enough still serves.
            if view.size() == 0 && view.checkpoint().is_empty() {
                return Ok(Followed::Unusable(format!(
                    "the log {}: {e}",
                    escape(origin)
                )));
            }
            eprintln!(
                "warning: the log {}: {e}; using what was seen before ({} entries)",
                escape(origin),
                view.size()
            );
            Vec::new()
        }
    };
    if let Some(t) = view.cosigned_at(policy) {
        let now = crate::util::now_unix();
        if now.saturating_sub(t) > max_age {
            save_view(state, &view)?;
            return Ok(Followed::Unusable(format!(
                "the log {}'s newest cosigned checkpoint is {} s old, over the maximum of {max_age} s",
                escape(origin),
                now.saturating_sub(t)
            )));
        }
    }
    save_view(state, &view)?;
    Ok(Followed::Fresh(view, new))
}

/// Every log of `policy` followed, as the verifier's [`Transparency`].
pub(crate) fn transparency(
    policy: &Policy,
    state: Option<&Path>,
    max_age: u64,
) -> CliResult<Transparency> {
    let mut t = Transparency::new();
    for log in policy.logs() {
        match follow(policy, log, state, max_age)? {
            Followed::Fresh(view, _) => t.add_log(&view),
            Followed::Unusable(why) => {
                eprintln!("warning: {why}");
                t.note_unavailable(why);
            }
        }
    }
    Ok(t)
}

/// Read a tlog-policy file.
pub(crate) fn read_policy(path: &Path) -> CliResult<Policy> {
    crate::commands::witnessing::read_policy(path)
}

/// The files of `dir` (not recursive) by the SHA-256 of their bytes.
fn files_by_hash(dir: &Path) -> CliResult<std::collections::HashMap<String, PathBuf>> {
    let mut out = std::collections::HashMap::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::input(format!("cannot read directory {}: {e}", dir.display())))?;
    for e in entries.flatten() {
        let p = e.path();
        if !p.is_file() || std::fs::metadata(&p).map_or(true, |m| m.len() > MAX_LOG_FILE) {
            continue;
        }
        if let Ok(bytes) = std::fs::read(&p) {
            out.insert(hex::encode(Sha256::digest(&bytes)), p);
        }
    }
    Ok(out)
}

fn decode_list(bytes: &[u8]) -> Option<civitas_core::status::StatusListCredential> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    civitas_core::status::StatusListCredential::from_json(
        &v,
        &civitas_core::status::DecodeLimits::default(),
    )
    .ok()
}

/// What a monitor run found.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Misbehaviour: un-revocations, forks, a served list that is not the latest logged.
    pub alerts: Vec<String>,
    /// Worth a look: overlapping versions, versions whose content could not be had.
    pub notices: Vec<String>,
    /// New entries read.
    pub entries: usize,
    /// The log's size now.
    pub size: u64,
}

/// Follow one log as a monitor: consistency with what was seen before (kept in `state`),
/// then every new status-list version compared with the previous one of its URL. List
/// contents come from `status_dir` (files matched by their SHA-256) or from the list's own
/// https:// URL, and are kept in `state/lists/` for the next comparison.
pub(crate) fn monitor(
    policy: &Policy,
    log: &PolicyLog,
    state: &Path,
    status_dir: Option<&Path>,
) -> CliResult<Findings> {
    use civitas_core::tlog::LogEntry;
    let mut f = Findings::default();
    let before = load_view(Some(state), log.key.name())?;
    let (view, new) = match follow(policy, log, Some(state), u64::MAX)? {
        Followed::Fresh(v, n) => (v, n),
        Followed::Unusable(why) => {
            f.alerts.push(why);
            return Ok(f);
        }
    };
    f.entries = new.len();
    f.size = view.size();
    let lists_dir = state.join("lists");
    std::fs::create_dir_all(&lists_dir)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", lists_dir.display())))?;
    let local = match status_dir {
        Some(d) => files_by_hash(d)?,
        None => Default::default(),
    };
    // The previous version of each URL: first from before this run, then as entries go.
    let mut previous: std::collections::HashMap<String, (u64, String, u64, u64)> = before
        .lists()
        .iter()
        .map(|(u, v)| {
            (
                u.clone(),
                (v.index, v.sha256.clone(), v.valid_from, v.valid_until),
            )
        })
        .collect();
    let http = agent();
    let content = |sha: &str, url: &str| -> Option<Vec<u8>> {
        let kept = lists_dir.join(format!("{sha}.json"));
        if let Ok(b) = std::fs::read(&kept) {
            return Some(b);
        }
        let bytes = match local.get(sha) {
            Some(p) => std::fs::read(p).ok()?,
            None if url.starts_with("https://") || transport_allowed(url) => {
                let mut r = http.get(url).call().ok()?;
                r.body_mut()
                    .with_config()
                    .limit(MAX_LOG_FILE)
                    .read_to_vec()
                    .ok()?
            }
            None => return None,
        };
        (hex::encode(Sha256::digest(&bytes)) == sha).then(|| {
            let _ = write_atomic(&kept, &bytes, false);
            bytes
        })
    };
    for (index, entry) in &new {
        let LogEntry::StatusList {
            valid_from,
            valid_until,
            url,
            sha256,
        } = entry
        else {
            continue;
        };
        let sha = hex::encode(sha256);
        let shown = escape(url);
        if let Some((pi, psha, pfrom, puntil)) = previous.get(url).cloned()
            && psha != sha
        {
            let overlap = (puntil == 0 || puntil > *valid_from)
                && (*valid_until == 0 || *valid_until > pfrom);
            if overlap {
                f.notices.push(format!(
                    "{shown}: versions at entries {pi} and {index} have overlapping validity and different content (either could be shown during the overlap)"
                ));
            }
            match (content(&psha, url), content(&sha, url)) {
                (Some(a), Some(b)) => match (decode_list(&a), decode_list(&b)) {
                    (Some(old), Some(newer)) => {
                        let cleared = civitas_core::status::cleared_revocations(&old, &newer);
                        if !cleared.is_empty() {
                            let shown_idx: Vec<String> =
                                cleared.iter().take(20).map(|i| i.to_string()).collect();
                            f.alerts.push(format!(
                                "{shown}: UN-REVOCATION between entries {pi} and {index}: {} index(es) went from revoked to not revoked ({}{})",
                                cleared.len(),
                                shown_idx.join(", "),
                                if cleared.len() > 20 { ", ..." } else { "" }
                            ));
                        }
                    }
                    _ => f.notices.push(format!(
                        "{shown}: the versions at entries {pi} and {index} do not decode as status lists"
                    )),
                },
                _ => f.notices.push(format!(
                    "{shown}: the content of the versions at entries {pi} and {index} is not available (give --status-dir with the published files); they were not compared"
                )),
            }
        }
        previous.insert(url.clone(), (*index, sha, *valid_from, *valid_until));
    }
    // What is served now must be the latest logged version.
    for (url, v) in view.lists() {
        if !(url.starts_with("https://") || transport_allowed(url)) {
            continue;
        }
        if let Ok(mut r) = http.get(url).call()
            && r.status().as_u16() == 200
            && let Ok(bytes) = r.body_mut().with_config().limit(MAX_LOG_FILE).read_to_vec()
        {
            let sha = hex::encode(Sha256::digest(&bytes));
            if sha != v.sha256 {
                f.alerts.push(format!(
                    "{}: the list served now is not the latest logged version (entry {})",
                    escape(url),
                    v.index
                ));
            }
        }
    }
    Ok(f)
}
