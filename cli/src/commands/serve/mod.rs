//! `civitas serve`: the agency desk as a service. An OpenID4VP 1.0 verifier (signed
//! Request Objects by reference, `direct_post.jwt` responses, DCQL), the officer's desk page,
//! VC API verification endpoints for back offices, and the status lists as static files.
//! See `docs/serve.md` for the configuration, the endpoints and their JSON.
//!
//! axum and tokio live here and nowhere else: core builds and checks the messages, this
//! module only moves them.

mod config;
mod demo;
mod desk;
pub(crate) mod issuer;
mod logfiles;
mod page;
mod pool;
mod store;
mod vcapi;
mod vci;
mod witness;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use civitas_core::ecdsa::DeviceKey;
use civitas_core::jsonld::JsonLdProcessor;
use civitas_core::verifier::Verifier;
use serde_json::json;

use crate::util::{CliError, CliResult, EXIT_VALID};

pub(crate) use config::Config;
use store::{MemoryStore, TransactionStore};

/// Largest desk request body (`{"check": NAME}`).
const DESK_BODY_LIMIT: usize = 4 * 1024;
/// Largest wallet response or VC API body.
const RESPONSE_BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may take, verification included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// The desk's configuration (see docs/serve.md).
    #[arg(
        long,
        value_name = "DESK.toml",
        required_unless_present = "demo",
        conflicts_with = "demo"
    )]
    config: Option<PathBuf>,
    /// Serve a working demo desk: a demo university's keys, trust file and status list, a
    /// "diploma" check, and a demo citizen wallet in DIR/wallet holding a diploma.
    #[arg(long)]
    demo: bool,
    /// With --demo: where the demo's files go (kept, and reused when started again).
    #[arg(long, value_name = "DIR", requires = "demo")]
    dir: Option<PathBuf>,
    /// Listen on this port (instead of the configuration's; 0 for any free port).
    #[arg(long, value_name = "N")]
    port: Option<u16>,
}

/// Everything the handlers share.
pub(crate) struct App {
    config: Config,
    base_url: String,
    client_id: String,
    signer: DeviceKey,
    store: Arc<dyn TransactionStore>,
    pool: pool::Pool,
    lists: pool::StatusDir,
    jsonld: Arc<JsonLdProcessor>,
    vcapi_policy: Arc<civitas_core::verifier::Policy>,
    issuer: Option<Arc<issuer::IssuerService>>,
    witness: Option<Arc<witness::WitnessService>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

type Shared = Arc<App>;

/// An error answer: `{"error": code, "error_description": text}` (OAuth's shape, which the
/// wallet endpoints must use and the desk endpoints share).
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    description: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, description: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            description: description.into(),
        }
    }
    fn bad(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    fn not_found(description: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", description)
    }
    fn busy() -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the desk is busy; try again in a moment",
        )
    }
}

/// Every error response's body: OAuth 2.0's `error` and `error_description` (RFC 6749 §5.2),
/// which OpenID4VP and OpenID4VCI reuse.
#[derive(Debug, serde::Serialize)]
struct ErrorBody<'a> {
    error: &'static str,
    error_description: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (
            self.status,
            Json(ErrorBody {
                error: self.code,
                error_description: &self.description,
            }),
        )
            .into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// Random URL-safe text of `bytes` random bytes.
fn random_text(bytes: usize) -> Result<String, ApiError> {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b).map_err(|_| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "no system randomness",
        )
    })?;
    Ok(civitas_core::keys::encode_base64url(&b))
}

/// Whether a desk request may go on: the configured token as `Authorization: Bearer`
/// (compared in constant time), or, without a token, a peer on the loopback interface.
fn authorized(app: &App, headers: &HeaderMap, peer: SocketAddr) -> Result<(), ApiError> {
    match &app.config.token {
        Some(token) => {
            let given = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or("");
            if token.matches(given.as_bytes()) {
                Ok(())
            } else {
                Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "this endpoint needs the desk token (Authorization: Bearer ...)",
                ))
            }
        }
        // Loopback only, and addressed as loopback: a page on another site whose name was
        // rebound to 127.0.0.1 sends its own Host, and is refused (DNS rebinding).
        None if peer.ip().is_loopback() && loopback_host(headers) => Ok(()),
        None => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "without a desk token this endpoint answers only on this machine",
        )),
    }
}

/// Whether the request's `Host` names this machine (`localhost`, `127.0.0.1`, `[::1]`, with
/// or without a port).
fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = if host.starts_with('[') {
        host.split(']').next().map(|h| h.trim_start_matches('['))
    } else {
        host.rsplit_once(':').map(|(h, _)| h).or(Some(host))
    }
    .unwrap_or("");
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Desk and back-office endpoints pass through here.
async fn desk_guard(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match authorized(&app, request.headers(), peer) {
        Ok(()) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

/// The issuing endpoints pass through here: the `[issuer]` admin token as
/// `Authorization: Bearer`, compared in constant time.
async fn admin_guard(State(app): State<Shared>, request: Request, next: Next) -> Response {
    let Some(issuer) = &app.issuer else {
        return ApiError::not_found("this service does not issue credentials").into_response();
    };
    let Some(token) = &issuer.config.admin_token else {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the issuing endpoints are closed: set admin_token (or admin_token_file) in [issuer]",
        )
        .into_response();
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if token.matches(given.as_bytes()) {
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this endpoint needs the issuer's admin token (Authorization: Bearer ...)",
        )
        .into_response()
    }
}

/// Every request: a time limit, security headers, and one log line without personal data
/// (method, route, status, milliseconds; no ids, no bodies).
async fn frame(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = route_name(request.uri().path());
    let mut response = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the request took too long",
        )
        .into_response(),
    };
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    eprintln!(
        "civitas serve: {method} {route} {} {} ms",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

/// The route of a path, with the ids taken out (they are not personal data, but a log has
/// no use for them).
fn route_name(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["", "desk", "checks", _] => "/desk/checks/{id}".into(),
        ["", "desk", "checks", _, "qr.svg"] => "/desk/checks/{id}/qr.svg".into(),
        ["", "openid4vp", kind @ ("requests" | "responses"), _] => {
            format!("/openid4vp/{kind}/{{id}}")
        }
        ["", "status", _] => "/status/{file}".into(),
        ["", "log", ..] => "/log/...".into(),
        ["", "openid4vci", "offers", _] => "/openid4vci/offers/{code}".into(),
        ["", "openid4vci", kind @ ("token" | "nonce" | "credential")] => {
            format!("/openid4vci/{kind}")
        }
        ["", ".well-known", name] if name.len() <= 40 => format!("/.well-known/{name}"),
        ["", "issuer", "offers"] => "/issuer/offers".into(),
        ["", "desk", "checks"] => "/desk/checks".into(),
        [
            "",
            "desk" | "openid4vp" | "openid4vci" | "issuer" | "status" | ".well-known",
            ..,
        ] => "(other)".into(),
        _ if path.len() <= 64 => crate::util::escape(path),
        _ => "(long path)".into(),
    }
}

fn router(app: Shared) -> Router {
    let desk = Router::new()
        .route("/desk/checks", get(desk::list_checks).post(desk::create))
        .route("/desk/checks/{id}", get(desk::status))
        .route("/desk/checks/{id}/qr.svg", get(desk::qr))
        .layer(DefaultBodyLimit::max(DESK_BODY_LIMIT))
        .merge(
            Router::new()
                .route("/credentials/verify", post(vcapi::verify_credential))
                .route("/presentations/verify", post(vcapi::verify_presentation))
                .route("/credentials/derive", post(vcapi::derive_credential))
                .layer(DefaultBodyLimit::max(RESPONSE_BODY_LIMIT)),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            desk_guard,
        ));
    // Issuing signs with the university's key: only with the issuer's admin token, never
    // for loopback alone (another local user could otherwise mint credentials).
    let admin = Router::new()
        .route("/issuer/offers", post(vci::create_offers))
        .route("/credentials/issue", post(vcapi::issue_credential))
        .layer(DefaultBodyLimit::max(RESPONSE_BODY_LIMIT))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            admin_guard,
        ));
    let wallet = Router::new()
        .route(
            "/openid4vp/requests/{rid}",
            get(desk::request_object_get).post(desk::request_object_post),
        )
        .route("/openid4vp/responses/{rid}", post(desk::response))
        .route(
            "/.well-known/openid-credential-issuer",
            get(vci::issuer_metadata),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(vci::as_metadata),
        )
        .route("/.well-known/jwt-vc-issuer", get(vci::jwt_vc_issuer))
        .route("/openid4vci/offers/{code}", get(vci::offer))
        .route("/openid4vci/token", post(vci::token))
        .route("/openid4vci/nonce", post(vci::nonce))
        .route("/openid4vci/credential", post(vci::credential))
        .layer(DefaultBodyLimit::max(RESPONSE_BODY_LIMIT));
    let mut witnessing = match &app.witness {
        Some(w) => witness::router(Arc::clone(w)),
        None => Router::new(),
    };
    if let Some(dir) = &app.config.log_dir {
        witnessing = witnessing.merge(logfiles::router(dir.clone()));
    }
    Router::new()
        .route("/", get(page::index))
        .route("/desk.js", get(page::script))
        .route("/desk.css", get(page::style))
        .route("/favicon.svg", get(page::icon))
        .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/status/{file}", get(desk::status_list))
        .merge(desk)
        .merge(admin)
        .merge(wallet)
        .merge(witnessing)
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(axum::middleware::from_fn(frame))
        .with_state(app)
}

pub(crate) fn run(jsonld: &Arc<JsonLdProcessor>, args: &ServeArgs) -> CliResult<u8> {
    let config_file = if args.demo {
        let dir = args
            .dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("civitas-serve-demo"));
        demo::prepare(jsonld, &dir)?
    } else {
        args.config
            .clone()
            .ok_or_else(|| CliError::input("give --config DESK.toml, or --demo"))?
    };
    if let Some((listen, w, log_dir)) = Config::witness_only(&config_file, args.port)? {
        return run_witness(listen, w, log_dir);
    }
    let mut config = Config::load(&config_file, jsonld, args.port)?;
    let (signer, public) = crate::util::load_p256_key(&config.key_file, "the desk (key)")?;
    if let Some(chain) = &config.certificate
        && chain.leaf_public_key().ok().as_ref() != Some(&public)
    {
        return Err(CliError::input(format!(
            "the certificate's leaf is not for the desk key {}",
            config.key_file.display()
        )));
    }
    let client_id = match (&config.client_id_prefix, &config.certificate) {
        (config::ClientIdPrefix::X509Hash, Some(chain)) => {
            format!("x509_hash:{}", chain.leaf_hash())
        }
        (config::ClientIdPrefix::X509SanDns(host), Some(_)) => format!("x509_san_dns:{host}"),
        _ => format!(
            "decentralized_identifier:{}",
            civitas_core::did::did_key(&public)
        ),
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| CliError::input(format!("cannot listen on {}: {e}", config.listen)))?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::input(format!("cannot listen: {e}")))?;
        let base_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}"));
        let verifier = Arc::new(Verifier::new(Arc::clone(jsonld)));
        let pool = pool::Pool::start(verifier, threads)
            .map_err(|e| CliError::input(format!("cannot start the verifier: {e}")))?;
        let vcapi_policy = Arc::new(config.policy.clone());
        let issuer = match config.issuer.take() {
            Some(c) => Some(Arc::new(issuer::IssuerService::start(
                c, jsonld, &base_url,
            )?)),
            None => None,
        };
        let witness = config.witness.take().map(Arc::new);
        let app = Arc::new(App {
            issuer,
            witness,
            store: Arc::new(MemoryStore::new(config.max_transactions)),
            lists: pool::StatusDir::new(config.status_dir.clone()),
            base_url: base_url.clone(),
            client_id,
            signer,
            pool,
            jsonld: Arc::clone(jsonld),
            vcapi_policy,
            config,
        });
        // Ended transactions stay readable for a while, then go.
        let purging = Arc::clone(&app.store);
        let keep = app.config.ttl;
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(30)).await;
                purging.purge(Instant::now(), keep);
            }
        });
        println!("civitas serve: the desk page is at http://{local}/");
        println!("civitas serve: wallets reach it at {base_url}");
        println!("civitas serve: client id {}", app.client_id);
        println!(
            "civitas serve: trusting the issuers of {}",
            app.config.trust_file.display()
        );
        if let Some(i) = &app.issuer {
            println!(
                "civitas serve: issuing as {} ({}), offers in {}",
                crate::util::escape(&i.config.name),
                i.did(),
                i.config.state_dir.display()
            );
            if i.jwt_vc_issuer.is_some() {
                println!(
                    "civitas serve: SD-JWT VC issuer keys at {base_url}/.well-known/jwt-vc-issuer"
                );
            }
            let purging = Arc::clone(i);
            tokio::spawn(async move {
                loop {
                    let p = Arc::clone(&purging);
                    let _ =
                        tokio::task::spawn_blocking(move || p.purge_expired(issuer::now())).await;
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
            });
        }
        if let Some(w) = &app.witness {
            println!(
                "civitas serve: witnessing at {base_url}/add-checkpoint as {}",
                w.vkey()
            );
        }
        for c in &app.config.checks {
            println!(
                "civitas serve: check {:?}: {}",
                c.name,
                crate::util::escape(&c.title)
            );
        }
        println!("civitas serve: press Ctrl-C to stop");
        axum::serve(
            listener,
            router(app).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| CliError::input(format!("the server stopped: {e}")))?;
        println!("civitas serve: stopped");
        Ok(EXIT_VALID)
    })
}

/// Serve only the witness (a configuration with a `[witness]` and no desk).
fn run_witness(
    listen: SocketAddr,
    w: witness::WitnessService,
    log_dir: Option<PathBuf>,
) -> CliResult<u8> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| CliError::input(format!("cannot listen on {listen}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| CliError::input(format!("cannot listen: {e}")))?;
        println!("civitas serve: witnessing at http://{local}/add-checkpoint");
        println!("civitas serve: witness key {}", w.vkey());
        println!("civitas serve: press Ctrl-C to stop");
        let mut app: Router = Router::new()
            .route("/health", get(|| async { Json(json!({"status": "ok"})) }))
            .merge(witness::router(Arc::new(w)));
        if let Some(dir) = log_dir {
            println!(
                "civitas serve: serving the log in {} at http://{local}/log/",
                dir.display()
            );
            app = app.merge(logfiles::router(dir));
        }
        let app = app
            .fallback(|| async { ApiError::not_found("no such endpoint") })
            .layer(axum::middleware::from_fn(frame));
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| CliError::input(format!("the server stopped: {e}")))?;
        println!("civitas serve: stopped");
        Ok(EXIT_VALID)
    })
}
