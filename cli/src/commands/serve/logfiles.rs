//! A transparency log directory (`civitas log init`) served read-only under `/log/`, as
//! tlog-tiles lays it out: `/log/checkpoint`, `/log/tile/...`, and `/log/vkey`. Any static web
//! server or CDN can do the same; this spares a university a second server. Full tiles and
//! bundles never change and are cached for good; the checkpoint and partial tiles are not.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Largest file served (an entry bundle of 256 entries of 64 KiB).
const MAX_FILE: u64 = 17 << 20;

/// Whether `path` is one a tlog-tiles log holds (no dotfiles, no `..`).
fn servable(path: &str) -> bool {
    path.len() <= 256
        && path.split('/').all(|c| {
            !c.is_empty()
                && !c.starts_with('.')
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        })
        && (path == "checkpoint" || path == "vkey" || path.starts_with("tile/"))
}

async fn file(State(dir): State<Arc<PathBuf>>, Path(path): Path<String>) -> Response {
    if !servable(&path) {
        return (StatusCode::NOT_FOUND, "no such log file\n").into_response();
    }
    let full = dir.join(&path);
    let read = tokio::task::spawn_blocking(move || {
        let len = std::fs::metadata(&full).ok()?.len();
        (len <= MAX_FILE)
            .then(|| std::fs::read(&full).ok())
            .flatten()
    })
    .await
    .ok()
    .flatten();
    let Some(bytes) = read else {
        return (StatusCode::NOT_FOUND, "no such log file\n").into_response();
    };
    let (kind, cache) = match path.as_str() {
        "checkpoint" | "vkey" => ("text/plain; charset=utf-8", "no-cache"),
        p if p.contains(".p/") => ("application/octet-stream", "no-cache"),
        _ => (
            "application/octet-stream",
            "public, max-age=31536000, immutable",
        ),
    };
    (
        [(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, cache)],
        bytes,
    )
        .into_response()
}

/// The routes serving the log in `dir`.
pub(super) fn router<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> Router<S> {
    Router::new()
        .route("/log/{*path}", get(file))
        .with_state(Arc::new(dir))
}
