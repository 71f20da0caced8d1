//! JSON-LD 1.1 [expansion](https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) and
//! [deserialization to RDF](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm),
//! synchronous and offline.
//!
//! Remote contexts come only from a [`ContextRegistry`]: the bundled W3C/W3ID contexts (see
//! `core/contexts/README.md`) plus any the caller registers. An unknown context URL is an
//! error ([`crate::JsonLdError::UnknownContext`]); nothing is fetched from the network.
//!
//! Each context document is parsed once; each processed context (active context plus local
//! context) is cached by the [`JsonLdProcessor`], so a credential with
//! `["https://www.w3.org/ns/credentials/v2", ...]` reuses the same term definitions:
//! embedded contexts are keyed by their JSON text, scoped (type- and property-scoped)
//! contexts by the identity of their shared value, both together with the identity of the
//! active context they apply to. Active contexts are immutable and shared through `Arc`.
//! Between expansion and toRdf the document is held in a small vector-map tree (no hashing,
//! `'static` keyword keys), and the node map borrows from it.
//!
//! **Safe mode** (the default, [`ToRdfOptions::safe_mode`]): a property or `@type` that does
//! not expand to an absolute IRI would be silently dropped from the RDF (and so from what is
//! signed); it is reported as [`crate::JsonLdError::UndefinedTerm`] instead. Likewise a statement
//! that toRdf would drop for a malformed subject, object, datatype IRI or language tag is an
//! [`crate::JsonLdError::Syntax`] (`invalid @id value`, `invalid typed value`, ...), never naming the
//! value.
//!
//! ```
//! use civitas_core::jsonld::{JsonLdProcessor, ToRdfOptions};
//! use serde_json::json;
//!
//! let processor = JsonLdProcessor::default(); // bundled contexts; share it (it is `Sync`)
//! let credential = json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://vocab.example/#"}],
//!     "type": ["VerifiableCredential"],
//!     "issuer": "https://issuer.example/",
//!     "credentialSubject": {"name": "Alice"}
//! });
//! let quads = processor.to_rdf(&credential, &ToRdfOptions::default())?;
//! assert_eq!(quads.len(), 4);
//! # Ok::<(), civitas_core::Error>(())
//! ```

mod context;
mod expand;
mod iri;
pub(crate) mod jcs;
mod to_rdf;
mod xv;

use crate::JsonLdError;
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use serde_json::Value;

pub use context::ActiveContext;

use crate::Error;
use crate::rdf::Quad;
use context::process_context;

/// The contexts bundled with the library: `(URL, JSON text)`. Provenance in
/// `core/contexts/README.md`.
pub const BUNDLED_CONTEXTS: &[(&str, &str)] = &[
    (
        "https://www.w3.org/2018/credentials/v1",
        include_str!("../../contexts/www.w3.org_2018_credentials_v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/v2",
        include_str!("../../contexts/www.w3.org_ns_credentials_v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("../../contexts/www.w3.org_ns_credentials_undefined-terms_v2.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        include_str!("../../contexts/w3id.org_security_data-integrity_v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../../contexts/w3id.org_security_data-integrity_v2.jsonld"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        include_str!("../../contexts/w3id.org_security_multikey_v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/did/v1",
        include_str!("../../contexts/www.w3.org_ns_did_v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/status/v1",
        include_str!("../../contexts/www.w3.org_ns_credentials_status_v1.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v1",
        include_str!("../../contexts/w3id.org_citizenship_v1.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v2",
        include_str!("../../contexts/w3id.org_citizenship_v2.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v3",
        include_str!("../../contexts/w3id.org_citizenship_v3.jsonld"),
    ),
    (
        "https://w3id.org/citizenship/v4rc1",
        include_str!("../../contexts/w3id.org_citizenship_v4rc1.jsonld"),
    ),
    (
        "https://w3id.org/vdl/v1",
        include_str!("../../contexts/w3id.org_vdl_v1.jsonld"),
    ),
    (
        "https://w3id.org/vdl/aamva/v1",
        include_str!("../../contexts/w3id.org_vdl_aamva_v1.jsonld"),
    ),
];

/// A source of context documents beyond the registry (for example a test suite's files).
/// Must not touch the network in production use.
pub trait DocumentLoader: Send + Sync + std::fmt::Debug {
    /// The JSON text of the document at `url`, or `None` if unknown.
    fn load(&self, url: &str) -> Option<String>;
}

/// Context documents by URL: the bundled ones, those registered at run time, and an optional
/// fallback [`DocumentLoader`]. Documents are parsed once and kept as their `@context` value.
#[derive(Debug, Default)]
pub struct ContextRegistry {
    parsed: RwLock<HashMap<String, Arc<Value>>>,
    extra: RwLock<HashMap<String, String>>,
    loader: Option<Box<dyn DocumentLoader>>,
}

impl ContextRegistry {
    /// A registry with the bundled contexts.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry with the bundled contexts that asks `loader` for any other URL.
    pub fn with_loader(loader: Box<dyn DocumentLoader>) -> Self {
        ContextRegistry {
            loader: Some(loader),
            ..Self::default()
        }
    }

    /// Register the context document `json` for `url`. The text is validated (a JSON object
    /// with `@context`) now. The registry only grows: a bundled URL, or a URL already
    /// registered with other text, is [`crate::JsonLdError::ContextConflict`] (the meaning of signed
    /// data must not change under a known URL); registering identical text again is a no-op.
    pub fn register(&self, url: &str, json: &str) -> Result<(), Error> {
        let conflict = || {
            Error::JsonLd(JsonLdError::ContextConflict {
                url: url.to_string(),
            })
        };
        if BUNDLED_CONTEXTS.iter().any(|(u, _)| *u == url) {
            return Err(conflict());
        }
        let parsed = parse_context_document(json)?;
        let mut extra = self.extra.write().map_err(|_| conflict())?;
        match extra.get(url) {
            Some(existing) if existing == json => return Ok(()),
            Some(_) => return Err(conflict()),
            None => {}
        }
        let mut cache = self.parsed.write().map_err(|_| conflict())?;
        if cache.contains_key(url) {
            // Already served by the fallback loader.
            return Err(conflict());
        }
        cache.insert(url.to_string(), parsed);
        extra.insert(url.to_string(), json.to_string());
        Ok(())
    }

    /// The `@context` value of the document at `url`.
    pub fn get(&self, url: &str) -> Result<Arc<Value>, Error> {
        if let Some(v) = self.parsed.read().ok().and_then(|m| m.get(url).cloned()) {
            return Ok(v);
        }
        let text: Option<String> = BUNDLED_CONTEXTS
            .iter()
            .find(|(u, _)| *u == url)
            .map(|(_, t)| (*t).to_string())
            .or_else(|| self.loader.as_ref().and_then(|l| l.load(url)));
        let Some(text) = text else {
            return Err(Error::JsonLd(JsonLdError::UnknownContext {
                url: url.to_string(),
            }));
        };
        let parsed = parse_context_document(&text)?;
        if let Ok(mut m) = self.parsed.write() {
            m.insert(url.to_string(), parsed.clone());
        }
        Ok(parsed)
    }
}

fn parse_context_document(json: &str) -> Result<Arc<Value>, Error> {
    let doc: Value =
        serde_json::from_str(json).map_err(|_| syntax("loading remote context failed"))?;
    match doc {
        Value::Object(mut m) => match m.remove("@context") {
            Some(c) => Ok(Arc::new(c)),
            None => Err(syntax("invalid remote context")),
        },
        _ => Err(syntax("invalid remote context")),
    }
}

/// How `@direction` is represented in RDF
/// ([rdfDirection](https://www.w3.org/TR/json-ld11-api/#dom-jsonldoptions-rdfdirection)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RdfDirection {
    /// `https://www.w3.org/ns/i18n#{language}_{direction}` datatypes.
    I18nDatatype,
    /// A blank node with `rdf:value`, `rdf:language`, `rdf:direction`.
    CompoundLiteral,
}

/// Explicit processing limits; exceeding one is [`crate::JsonLdError::Limit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Maximum JSON nesting depth.
    pub max_depth: usize,
    /// Maximum number of JSON values visited during expansion.
    pub max_nodes: usize,
    /// Maximum length of a chain of remote contexts (beyond it: `context overflow`).
    pub max_remote_contexts: usize,
    /// Maximum context-processing work for one document: term definitions created, plus
    /// the terms copied when a shared active context is extended (each type-scoped or
    /// embedded context that defines a term copies the terms in scope). Bounds what is
    /// otherwise quadratic: many distinct scoped contexts over many terms.
    pub max_context_work: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_nodes: 200_000,
            max_remote_contexts: 32,
            max_context_work: 200_000,
        }
    }
}

/// Options of [`JsonLdProcessor::expand`] and [`JsonLdProcessor::to_rdf`]
/// ([JsonLdOptions](https://www.w3.org/TR/json-ld11-api/#the-jsonldoptions-type)).
#[derive(Clone, Debug)]
pub struct ToRdfOptions {
    /// The document's base IRI.
    pub base: Option<String>,
    /// `processingMode: json-ld-1.0`.
    pub json_ld_10: bool,
    /// How to represent `@direction` in RDF; `None` drops the direction.
    pub rdf_direction: Option<RdfDirection>,
    /// A context applied before the document's own
    /// ([expandContext](https://www.w3.org/TR/json-ld11-api/#dom-jsonldoptions-expandcontext)).
    pub expand_context: Option<Value>,
    /// Reject properties and types that do not expand to absolute IRIs (default `true`).
    pub safe_mode: bool,
    /// Processing limits.
    pub limits: Limits,
}

impl Default for ToRdfOptions {
    fn default() -> Self {
        ToRdfOptions {
            base: None,
            json_ld_10: false,
            rdf_direction: None,
            expand_context: None,
            safe_mode: true,
            limits: Limits::default(),
        }
    }
}

impl ToRdfOptions {
    /// Options for the W3C conformance suite: no safe mode (undefined terms are dropped).
    pub fn conformance() -> Self {
        ToRdfOptions {
            safe_mode: false,
            ..Self::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum LocalKey {
    /// Identity of a shared context value (kept alive by the cache entry).
    Ptr(usize),
    /// The context's JSON text.
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct CacheKey {
    parent: u64,
    local: LocalKey,
    base_url: Option<String>,
    override_protected: bool,
    propagate: bool,
}

const CACHE_CAPACITY: usize = 4096;
/// Largest embedded context (JSON text bytes) whose processed form is cached.
const MAX_CACHED_INLINE: usize = 4096;

/// Initial active contexts by (base IRI, JSON-LD 1.0 mode).
type InitialContexts = FxMap<(Option<String>, bool), Arc<ActiveContext>>;

/// Cached context-processing results; the `Arc<Value>` keeps a pointer-keyed context alive.
type ContextCache = FxMap<CacheKey, (Option<Arc<Value>>, Arc<ActiveContext>)>;

/// A JSON-LD processor over a shared [`ContextRegistry`], caching processed contexts.
#[derive(Debug)]
pub struct JsonLdProcessor {
    registry: Arc<ContextRegistry>,
    cache: RwLock<ContextCache>,
    /// Initial contexts by (base IRI, JSON-LD 1.0 mode), so that documents processed with the
    /// same options share cached context processing (bounded like the context cache).
    initial: Mutex<InitialContexts>,
}

impl Default for JsonLdProcessor {
    fn default() -> Self {
        Self::new(Arc::new(ContextRegistry::new()))
    }
}

impl JsonLdProcessor {
    /// A processor resolving remote contexts through `registry`.
    pub fn new(registry: Arc<ContextRegistry>) -> Self {
        JsonLdProcessor {
            registry,
            cache: RwLock::new(ContextCache::default()),
            initial: Mutex::new(FxMap::default()),
        }
    }

    /// The registry (to register more contexts).
    pub fn registry(&self) -> &Arc<ContextRegistry> {
        &self.registry
    }

    /// Register a context document for `url` ([`ContextRegistry::register`]). Registration
    /// only adds URLs, so processed contexts already cached stay valid.
    pub fn register_context(&self, url: &str, json: &str) -> Result<(), Error> {
        self.registry.register(url, json)
    }

    fn initial_context(&self, opts: &ToRdfOptions) -> Arc<ActiveContext> {
        let key = (opts.base.clone(), opts.json_ld_10);
        let Ok(mut m) = self.initial.lock() else {
            return Arc::new(ActiveContext::initial(key.0, key.1));
        };
        if let Some(c) = m.get(&key) {
            return c.clone();
        }
        if m.len() >= CACHE_CAPACITY {
            m.clear();
        }
        let c = Arc::new(ActiveContext::initial(key.0.clone(), key.1));
        m.insert(key, c.clone());
        c
    }

    /// [Expand](https://www.w3.org/TR/json-ld11-api/#dom-jsonldprocessor-expand) `doc`.
    pub fn expand(&self, doc: &Value, opts: &ToRdfOptions) -> Result<Value, Error> {
        self.expand_internal(doc, opts, None)
            .map(|(x, _)| x.into_json())
    }

    fn expand_internal(
        &self,
        doc: &Value,
        opts: &ToRdfOptions,
        skolem: Option<std::cell::RefCell<Vec<SkolemSite>>>,
    ) -> Result<(xv::XValue, Vec<SkolemSite>), Error> {
        check_depth(doc, opts.limits.max_depth)?;
        if let Some(ec) = &opts.expand_context {
            check_depth(ec, opts.limits.max_depth)?;
        }
        let env = Env {
            processor: self,
            opts,
            nodes: Cell::new(0),
            context_work: Cell::new(0),
            skolem,
        };
        let mut active = self.initial_context(opts);
        if let Some(ec) = &opts.expand_context {
            let ec = match ec {
                Value::Object(m) if m.contains_key("@context") => m.get("@context").unwrap_or(ec),
                other => other,
            };
            active = env.process_cached_inline(&active, ec, opts.base.as_deref())?;
        }
        let expanded = expand::expand_document(&env, active, doc)?;
        let sites = env
            .skolem
            .map(std::cell::RefCell::into_inner)
            .unwrap_or_default();
        Ok((expanded, sites))
    }

    /// Skolemize a compact document: a copy in which every JSON object that is a node object
    /// without an IRI identifier gets `"@id": "<prefix><label>"`, the prefix being a fresh
    /// random `urn:civitas-skolem:...:` returned alongside. Objects that shared a blank node
    /// identifier share the skolem IRI. Value objects, `@context`s, `@json` literals and
    /// container maps are left as they are, because only what expansion turns into a node
    /// object is touched. This is what the selective disclosure primitives of
    /// [DI-ECDSA](https://www.w3.org/TR/vc-di-ecdsa/#skolemizecompactjsonld) need, without a
    /// compaction round trip.
    pub fn skolemize(&self, doc: &Value, opts: &ToRdfOptions) -> Result<(Value, String), Error> {
        let (_, sites) =
            self.expand_internal(doc, opts, Some(std::cell::RefCell::new(Vec::new())))?;
        let sites: HashMap<usize, Option<String>> =
            sites.into_iter().map(|s| (s.addr, s.id_key)).collect();
        let mut nonce = [0u8; 12];
        getrandom::getrandom(&mut nonce).map_err(|_| Error::Crypto("no system randomness"))?;
        let prefix = format!(
            "urn:civitas-skolem:{}:",
            nonce.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        let mut state = Skolemizer {
            sites: &sites,
            prefix: &prefix,
            fresh: 0,
            blank: HashMap::new(),
        };
        Ok((state.copy(doc), prefix))
    }

    /// [Deserialize](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm)
    /// `doc` to RDF quads. Blank nodes are labelled `b0`, `b1`, ... in document order.
    pub fn to_rdf(&self, doc: &Value, opts: &ToRdfOptions) -> Result<Vec<Quad>, Error> {
        let (expanded, _) = self.expand_internal(doc, opts, None)?;
        to_rdf::to_rdf(&expanded, opts.rdf_direction, opts.safe_mode)
    }

    /// [Deserialize](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm)
    /// an already [expanded](Self::expand) document to RDF quads.
    pub fn expanded_to_rdf(
        &self,
        expanded: &Value,
        opts: &ToRdfOptions,
    ) -> Result<Vec<Quad>, Error> {
        let expanded = xv::XValue::from_expanded(expanded);
        to_rdf::to_rdf(&expanded, opts.rdf_direction, opts.safe_mode)
    }
}

/// Reject a JSON value nested deeper than `max` (iteratively, so hostile input cannot exhaust
/// the stack before any recursive algorithm runs).
fn check_depth(doc: &Value, max: usize) -> Result<(), Error> {
    let mut stack: Vec<(&Value, usize)> = vec![(doc, 0)];
    while let Some((v, d)) = stack.pop() {
        if d > max {
            return Err(Error::JsonLd(JsonLdError::Limit {
                what: "nesting depth",
                limit: max,
            }));
        }
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(m) => stack.extend(m.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    Ok(())
}

/// Builds the skolemized copy of a document.
struct Skolemizer<'a> {
    sites: &'a HashMap<usize, Option<String>>,
    prefix: &'a str,
    fresh: usize,
    /// Blank node identifiers of the document -> their skolem labels.
    blank: HashMap<String, String>,
}

impl Skolemizer<'_> {
    fn copy(&mut self, v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut out = serde_json::Map::with_capacity(m.len() + 1);
                for (k, child) in m {
                    out.insert(k.clone(), self.copy(child));
                }
                if let Some(id_key) = self
                    .sites
                    .get(&(m as *const serde_json::Map<String, Value> as usize))
                {
                    let existing = id_key
                        .as_ref()
                        .and_then(|k| m.get(k))
                        .and_then(Value::as_str);
                    let label = match existing {
                        Some(b) => {
                            let next = self.blank.len();
                            self.blank
                                .entry(b.to_owned())
                                .or_insert_with(|| format!("e{next}"))
                                .clone()
                        }
                        None => {
                            self.fresh += 1;
                            format!("s{}", self.fresh - 1)
                        }
                    };
                    if let Some(k) = id_key {
                        out.remove(k);
                    }
                    out.insert(
                        "@id".into(),
                        Value::String(format!("{}{label}", self.prefix)),
                    );
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.copy(i)).collect()),
            other => other.clone(),
        }
    }
}

/// Per-call processing state.
pub(crate) struct Env<'a> {
    processor: &'a JsonLdProcessor,
    pub(crate) opts: &'a ToRdfOptions,
    nodes: Cell<usize>,
    context_work: Cell<usize>,
    /// When skolemizing: the input objects that expanded to anonymous node objects.
    pub(crate) skolem: Option<std::cell::RefCell<Vec<SkolemSite>>>,
}

/// An input JSON object that expanded to a node object without an IRI identifier. `addr`
/// is the address of the object in the input document (which stays borrowed, unchanged,
/// while it is used), so it identifies the object without copying or mutating anything.
#[derive(Debug)]
pub(crate) struct SkolemSite {
    pub(crate) addr: usize,
    /// The key of the object that holds a blank node `@id` (the keyword or an alias).
    pub(crate) id_key: Option<String>,
}

impl Env<'_> {
    pub(crate) fn limits(&self) -> &Limits {
        &self.opts.limits
    }

    /// Charges `n` units of context-processing work (see [`Limits::max_context_work`]).
    pub(crate) fn charge_context_work(&self, n: usize) -> Result<(), Error> {
        let w = self.context_work.get().saturating_add(n);
        self.context_work.set(w);
        if w > self.opts.limits.max_context_work {
            return Err(Error::JsonLd(JsonLdError::Limit {
                what: "context processing work",
                limit: self.opts.limits.max_context_work,
            }));
        }
        Ok(())
    }

    fn count_node(&self) -> Result<(), Error> {
        let n = self.nodes.get() + 1;
        self.nodes.set(n);
        if n > self.opts.limits.max_nodes {
            return Err(Error::JsonLd(JsonLdError::Limit {
                what: "node count",
                limit: self.opts.limits.max_nodes,
            }));
        }
        Ok(())
    }

    pub(crate) fn load_context(&self, url: &str) -> Result<Arc<Value>, Error> {
        self.processor.registry.get(url)
    }

    fn lookup(&self, key: &CacheKey) -> Option<Arc<ActiveContext>> {
        self.processor
            .cache
            .read()
            .ok()?
            .get(key)
            .map(|(_, c)| c.clone())
    }

    fn store(&self, key: CacheKey, keep: Option<Arc<Value>>, ctx: Arc<ActiveContext>) {
        if let Ok(mut c) = self.processor.cache.write() {
            if c.len() >= CACHE_CAPACITY {
                c.clear();
            }
            c.insert(key, (keep, ctx));
        }
    }

    /// Process a shared (scoped) context, cached by identity.
    pub(crate) fn process_cached(
        &self,
        active: &Arc<ActiveContext>,
        local: &Arc<Value>,
        base_url: Option<&str>,
        override_protected: bool,
        propagate: bool,
    ) -> Result<Arc<ActiveContext>, Error> {
        let key = CacheKey {
            parent: active.id,
            local: LocalKey::Ptr(Arc::as_ptr(local) as usize),
            base_url: base_url.map(str::to_string),
            override_protected,
            propagate,
        };
        if let Some(c) = self.lookup(&key) {
            return Ok(c);
        }
        let r = process_context(
            self,
            active,
            local,
            base_url,
            &mut Vec::new(),
            override_protected,
            propagate,
            true,
        )?;
        self.store(key, Some(local.clone()), r.clone());
        Ok(r)
    }

    /// Process an embedded `@context` value, cached by its text.
    pub(crate) fn process_cached_inline(
        &self,
        active: &Arc<ActiveContext>,
        local: &Value,
        base_url: Option<&str>,
    ) -> Result<Arc<ActiveContext>, Error> {
        let text = serde_json::to_string(local).map_err(|_| syntax("invalid local context"))?;
        let key = CacheKey {
            parent: active.id,
            local: LocalKey::Text(text),
            base_url: base_url.map(str::to_string),
            override_protected: false,
            propagate: true,
        };
        if let Some(c) = self.lookup(&key) {
            return Ok(c);
        }
        let r = process_context(
            self,
            active,
            local,
            base_url,
            &mut Vec::new(),
            false,
            true,
            true,
        )?;
        // Large embedded contexts are not kept: the cache must not grow with hostile input.
        if let LocalKey::Text(t) = &key.local
            && t.len() <= MAX_CACHED_INLINE
        {
            self.store(key, None, r.clone());
        }
        Ok(r)
    }
}

/// A small non-cryptographic hasher (the multiply-rotate "Fx" scheme) for the processor's
/// internal maps keyed by short strings: term names, blank node labels, node ids. SipHash
/// dominated profiles; these maps are bounded by [`Limits`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(FX_SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            self.add(u64::from_le_bytes(a));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            for (d, s) in a.iter_mut().zip(rest) {
                *d = *s;
            }
            self.add(u64::from_le_bytes(a));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `HashMap` with [`FxHasher`].
pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

#[expect(
    dead_code,
    reason = "a compile-time check that the processor types are Send + Sync; never called"
)]
fn assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<JsonLdProcessor>();
    is::<ContextRegistry>();
    is::<Arc<ActiveContext>>();
}

pub(crate) fn syntax(code: &'static str) -> Error {
    Error::JsonLd(JsonLdError::Syntax { code, term: None })
}

pub(crate) fn syntax_term(code: &'static str, term: &str) -> Error {
    Error::JsonLd(JsonLdError::Syntax {
        code,
        term: Some(term.to_string()),
    })
}

/// The JSON-LD API error code an error corresponds to
/// (<https://www.w3.org/TR/json-ld11-api/#jsonlderrorcode>), if any.
pub fn error_code(e: &Error) -> Option<&'static str> {
    match e {
        Error::JsonLd(JsonLdError::Syntax { code, .. }) => Some(code),
        Error::JsonLd(JsonLdError::UnknownContext { .. }) => Some("loading remote context failed"),
        Error::JsonLd(JsonLdError::Limit {
            what: "remote contexts",
            ..
        }) => Some("context overflow"),
        _ => None,
    }
}
