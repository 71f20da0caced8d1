//! Active contexts, the [Context Processing Algorithm](https://www.w3.org/TR/json-ld11-api/#context-processing-algorithm),
//! [Create Term Definition](https://www.w3.org/TR/json-ld11-api/#create-term-definition) and
//! [IRI Expansion](https://www.w3.org/TR/json-ld11-api/#iri-expansion).

use crate::JsonLdError;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value};

use super::iri::{has_keyword_form, is_absolute_iri, resolve};
use super::{Env, FxMap, syntax, syntax_term};
use crate::Error;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Base direction of a string (<https://www.w3.org/TR/json-ld11/#base-direction>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// Container mapping flags (<https://www.w3.org/TR/json-ld11/#dfn-container-mapping>).
pub(crate) mod container {
    pub(crate) const LIST: u16 = 1;
    pub(crate) const SET: u16 = 2;
    pub(crate) const INDEX: u16 = 4;
    pub(crate) const ID: u16 = 8;
    pub(crate) const TYPE: u16 = 16;
    pub(crate) const GRAPH: u16 = 32;
    pub(crate) const LANGUAGE: u16 = 64;
}

/// A term definition (<https://www.w3.org/TR/json-ld11-api/#dfn-term-definition>).
#[derive(Clone, Debug, Default)]
pub(crate) struct TermDef {
    /// IRI mapping; `None` for a term explicitly mapped to `null`.
    pub iri: Option<String>,
    pub prefix: bool,
    pub protected: bool,
    pub reverse: bool,
    /// Base URL for the scoped context (the URL of the context that defined the term).
    pub base_url: Option<String>,
    /// Scoped (local) context.
    pub context: Option<Arc<Value>>,
    pub container: u16,
    /// `Some(None)`: direction explicitly null.
    pub direction: Option<Option<Direction>>,
    pub index: Option<String>,
    /// `Some(None)`: language explicitly null.
    pub language: Option<Option<String>>,
    pub nest: Option<String>,
    pub type_mapping: Option<String>,
}

impl TermDef {
    /// Equality ignoring `protected` and the base URL, for
    /// [protected term redefinition](https://www.w3.org/TR/json-ld11-api/#create-term-definition) (step 27).
    fn same_definition(&self, other: &TermDef) -> bool {
        self.iri == other.iri
            && self.prefix == other.prefix
            && self.reverse == other.reverse
            && self.container == other.container
            && self.direction == other.direction
            && self.index == other.index
            && self.language == other.language
            && self.nest == other.nest
            && self.type_mapping == other.type_mapping
            && match (&self.context, &other.context) {
                (None, None) => true,
                (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
                _ => false,
            }
    }
}

/// A processed (active) context (<https://www.w3.org/TR/json-ld11-api/#dfn-active-context>).
///
/// Immutable once built and shared through [`Arc`]; each instance has a unique id used as a
/// cache key for context processing results.
#[derive(Clone, Debug)]
pub struct ActiveContext {
    pub(crate) id: u64,
    pub(crate) terms: Arc<FxMap<String, Arc<TermDef>>>,
    pub(crate) base: Option<String>,
    pub(crate) original_base: Option<String>,
    pub(crate) vocab: Option<String>,
    pub(crate) default_language: Option<String>,
    pub(crate) default_direction: Option<Direction>,
    pub(crate) previous: Option<Arc<ActiveContext>>,
    pub(crate) mode_10: bool,
}

impl ActiveContext {
    /// The initial context for a document with base IRI `base`.
    pub(crate) fn initial(base: Option<String>, mode_10: bool) -> Self {
        ActiveContext {
            id: next_id(),
            terms: Arc::new(FxMap::default()),
            original_base: base.clone(),
            base,
            vocab: None,
            default_language: None,
            default_direction: None,
            previous: None,
            mode_10,
        }
    }

    pub(crate) fn term(&self, t: &str) -> Option<&TermDef> {
        self.terms.get(t).map(|d| &**d)
    }

    fn has_protected(&self) -> bool {
        self.terms.values().any(|d| d.protected)
    }
}

type Defined = HashMap<String, bool>;

/// The terms `Arc::make_mut` copies: all of them when the map is shared, none otherwise.
fn copy_cost(terms: &Arc<FxMap<String, Arc<TermDef>>>) -> usize {
    if Arc::strong_count(terms) > 1 || Arc::weak_count(terms) > 0 {
        terms.len()
    } else {
        0
    }
}

/// The local context being processed, with the parameters Create Term Definition needs.
pub(crate) struct Local<'a> {
    map: &'a Map<String, Value>,
    base_url: Option<&'a str>,
    protected: bool,
    override_protected: bool,
    remote_contexts: &'a [String],
    /// Current depth of term definitions triggered by other term definitions.
    depth: std::cell::Cell<usize>,
}

/// Longest chain of term definitions that depend on each other (`"a": "b:x"`, `"b": "c:x"`,
/// ...) before [`crate::JsonLdError::Limit`]; bounds recursion on hostile contexts.
const MAX_TERM_CHAIN: usize = 64;

/// Process `local` against `active`
/// ([Context Processing](https://www.w3.org/TR/json-ld11-api/#context-processing-algorithm)).
#[expect(
    clippy::too_many_arguments,
    reason = "the inputs of JSON-LD 1.1 Context Processing, one parameter each"
)]
pub(crate) fn process_context(
    env: &Env<'_>,
    active: &Arc<ActiveContext>,
    local: &Value,
    base_url: Option<&str>,
    remote_contexts: &mut Vec<String>,
    override_protected: bool,
    mut propagate: bool,
    validate_scoped: bool,
) -> Result<Arc<ActiveContext>, Error> {
    // 1.
    let mut result: ActiveContext = (**active).clone();
    // 2.
    if let Value::Object(m) = local
        && let Some(p) = m.get("@propagate")
    {
        propagate = p
            .as_bool()
            .ok_or_else(|| syntax("invalid @propagate value"))?;
    }
    // 3.
    if !propagate && result.previous.is_none() {
        result.previous = Some(active.clone());
    }
    // 4.
    let list: &[Value] = match local {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    };
    // 5.
    for context in list {
        match context {
            Value::Null => {
                env.charge_context_work(result.terms.len())?;
                if !override_protected && result.has_protected() {
                    return Err(syntax("invalid context nullification"));
                }
                let mut fresh =
                    ActiveContext::initial(active.original_base.clone(), result.mode_10);
                if !propagate {
                    fresh.previous = Some(Arc::new(result));
                }
                result = fresh;
                continue;
            }
            Value::String(s) => {
                let url = resolve(s, base_url);
                if !validate_scoped && remote_contexts.contains(&url) {
                    continue;
                }
                if remote_contexts.len() >= env.limits().max_remote_contexts {
                    return Err(syntax("context overflow"));
                }
                remote_contexts.push(url.clone());
                let ctx = env.load_context(&url)?;
                let processed = process_context(
                    env,
                    &Arc::new(result),
                    &ctx,
                    Some(&url),
                    remote_contexts,
                    false,
                    true,
                    validate_scoped,
                )?;
                result = Arc::unwrap_or_clone(processed);
                continue;
            }
            Value::Object(_) => {}
            _ => return Err(syntax("invalid local context")),
        }
        let Value::Object(ctx_map) = context else {
            return Err(syntax("invalid local context"));
        };
        // 5.5
        if let Some(v) = ctx_map.get("@version") {
            if v.as_f64() != Some(1.1) {
                return Err(syntax("invalid @version value"));
            }
            if result.mode_10 {
                return Err(syntax("processing mode conflict"));
            }
        }
        // 5.6 @import
        let merged;
        let ctx_map: &Map<String, Value> = if let Some(import) = ctx_map.get("@import") {
            if result.mode_10 {
                return Err(syntax("invalid context entry"));
            }
            let Value::String(import) = import else {
                return Err(syntax("invalid @import value"));
            };
            let url = resolve(import, base_url);
            let imported = env.load_context(&url)?;
            let Value::Object(imported) = &*imported else {
                return Err(syntax("invalid remote context"));
            };
            if imported.contains_key("@import") {
                return Err(syntax("invalid context entry"));
            }
            let mut m = imported.clone();
            for (k, v) in ctx_map {
                m.insert(k.clone(), v.clone());
            }
            merged = m;
            &merged
        } else {
            ctx_map
        };
        // 5.7 @base
        if remote_contexts.is_empty()
            && let Some(v) = ctx_map.get("@base")
        {
            match v {
                Value::Null => result.base = None,
                Value::String(s) if is_absolute_iri(s) => result.base = Some(s.clone()),
                Value::String(s) => match &result.base {
                    Some(b) => result.base = Some(resolve(s, Some(b))),
                    None => return Err(syntax("invalid base IRI")),
                },
                _ => return Err(syntax("invalid base IRI")),
            }
        }
        // 5.8 @vocab
        if let Some(v) = ctx_map.get("@vocab") {
            match v {
                Value::Null => result.vocab = None,
                Value::String(s) => {
                    let mut defined = Defined::new();
                    let e = expand_iri(env, &mut result, s, true, true, None, &mut defined)?;
                    match e {
                        Some(e)
                            if is_absolute_iri(&e)
                                || e.starts_with("_:")
                                || !e.starts_with('@') =>
                        {
                            if result.mode_10 && !is_absolute_iri(&e) && !e.starts_with("_:") {
                                return Err(syntax("invalid vocab mapping"));
                            }
                            result.vocab = Some(e)
                        }
                        _ => return Err(syntax("invalid vocab mapping")),
                    }
                }
                _ => return Err(syntax("invalid vocab mapping")),
            }
        }
        // 5.9 @language
        if let Some(v) = ctx_map.get("@language") {
            match v {
                Value::Null => result.default_language = None,
                Value::String(s) => result.default_language = Some(s.to_ascii_lowercase()),
                _ => return Err(syntax("invalid default language")),
            }
        }
        // 5.10 @direction
        if let Some(v) = ctx_map.get("@direction") {
            if result.mode_10 {
                return Err(syntax("invalid context entry"));
            }
            result.default_direction = match v {
                Value::Null => None,
                Value::String(s) if s == "ltr" => Some(Direction::Ltr),
                Value::String(s) if s == "rtl" => Some(Direction::Rtl),
                _ => return Err(syntax("invalid base direction")),
            };
        }
        // 5.11 @propagate
        if let Some(v) = ctx_map.get("@propagate") {
            if result.mode_10 {
                return Err(syntax("invalid context entry"));
            }
            if !v.is_boolean() {
                return Err(syntax("invalid @propagate value"));
            }
        }
        // 5.12, 5.13
        let protected = match ctx_map.get("@protected") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(syntax("invalid @protected value")),
        };
        let mut defined = Defined::new();
        let local = Local {
            map: ctx_map,
            base_url,
            protected,
            override_protected,
            remote_contexts,
            depth: std::cell::Cell::new(0),
        };
        for key in ctx_map.keys() {
            if matches!(
                key.as_str(),
                "@base"
                    | "@direction"
                    | "@import"
                    | "@language"
                    | "@propagate"
                    | "@protected"
                    | "@version"
                    | "@vocab"
            ) {
                continue;
            }
            create_term_definition(env, &mut result, &local, key, &mut defined)?;
        }
    }
    result.id = next_id();
    Ok(Arc::new(result))
}

const GEN_DELIMS: [char; 7] = [':', '/', '?', '#', '[', ']', '@'];

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "@base"
            | "@container"
            | "@context"
            | "@direction"
            | "@graph"
            | "@id"
            | "@import"
            | "@included"
            | "@index"
            | "@json"
            | "@language"
            | "@list"
            | "@nest"
            | "@none"
            | "@prefix"
            | "@propagate"
            | "@protected"
            | "@reverse"
            | "@set"
            | "@type"
            | "@value"
            | "@version"
            | "@vocab"
    )
}

const KEYWORDS: [&str; 23] = [
    "@base",
    "@container",
    "@context",
    "@direction",
    "@graph",
    "@id",
    "@import",
    "@included",
    "@index",
    "@json",
    "@language",
    "@list",
    "@nest",
    "@none",
    "@prefix",
    "@propagate",
    "@protected",
    "@reverse",
    "@set",
    "@type",
    "@value",
    "@version",
    "@vocab",
];

/// The `'static` spelling of keyword `s`, if it is one.
pub(crate) fn static_keyword(s: &str) -> Option<&'static str> {
    KEYWORDS.iter().find(|k| **k == s).copied()
}

pub(crate) fn keyword(s: &str) -> bool {
    is_keyword(s)
}

/// [Create Term Definition](https://www.w3.org/TR/json-ld11-api/#create-term-definition).
fn create_term_definition(
    env: &Env<'_>,
    active: &mut ActiveContext,
    local: &Local<'_>,
    term: &str,
    defined: &mut Defined,
) -> Result<(), Error> {
    let d = local.depth.get() + 1;
    if d > MAX_TERM_CHAIN {
        return Err(Error::JsonLd(JsonLdError::Limit {
            what: "term definition chain",
            limit: MAX_TERM_CHAIN,
        }));
    }
    local.depth.set(d);
    let r = create_term_definition_inner(env, active, local, term, defined);
    local.depth.set(d - 1);
    r
}

fn create_term_definition_inner(
    env: &Env<'_>,
    active: &mut ActiveContext,
    local: &Local<'_>,
    term: &str,
    defined: &mut Defined,
) -> Result<(), Error> {
    let (base_url, protected, override_protected, remote_contexts) = (
        local.base_url,
        local.protected,
        local.override_protected,
        local.remote_contexts,
    );
    // 1.
    match defined.get(term) {
        Some(true) => return Ok(()),
        Some(false) => return Err(syntax_term("cyclic IRI mapping", term)),
        None => {}
    }
    // 2.
    if term.is_empty() {
        return Err(syntax("invalid term definition"));
    }
    defined.insert(term.to_string(), false);
    // 3.
    let value = local.map.get(term).unwrap_or(&Value::Null);
    // 4., 5.
    if term == "@type" && !active.mode_10 {
        let ok = match value {
            Value::Object(m) => {
                !m.is_empty()
                    && m.iter().all(|(k, v)| match k.as_str() {
                        "@container" => v == "@set",
                        "@protected" => true,
                        _ => false,
                    })
            }
            _ => false,
        };
        if !ok {
            return Err(syntax_term("keyword redefinition", term));
        }
    } else if is_keyword(term) {
        return Err(syntax_term("keyword redefinition", term));
    } else if has_keyword_form(term) {
        // Warning only: ignored.
        defined.insert(term.to_string(), true);
        return Ok(());
    }
    // 6.
    let previous = {
        env.charge_context_work(1 + copy_cost(&active.terms))?;
        let terms = Arc::make_mut(&mut active.terms);
        terms.remove(term)
    };
    // 7.-9.
    let null_id;
    let (value, simple_term): (&Map<String, Value>, bool) = match value {
        Value::Null => {
            let mut m = Map::new();
            m.insert("@id".into(), Value::Null);
            null_id = m;
            (&null_id, false)
        }
        Value::String(s) => {
            let mut m = Map::new();
            m.insert("@id".into(), Value::String(s.clone()));
            null_id = m;
            (&null_id, true)
        }
        Value::Object(m) => (m, false),
        _ => return Err(syntax_term("invalid term definition", term)),
    };
    // 10.
    let mut def = TermDef {
        protected,
        ..TermDef::default()
    };
    // 11.
    if let Some(p) = value.get("@protected") {
        if active.mode_10 {
            return Err(syntax_term("invalid term definition", term));
        }
        def.protected = p
            .as_bool()
            .ok_or_else(|| syntax_term("invalid @protected value", term))?;
    }
    // 12. @type
    if let Some(t) = value.get("@type") {
        let Value::String(t) = t else {
            return Err(syntax_term("invalid type mapping", term));
        };
        let t = expand_iri(env, active, t, false, true, Some(local), defined)?;
        let Some(t) = t else {
            return Err(syntax_term("invalid type mapping", term));
        };
        if (t == "@json" || t == "@none") && active.mode_10 {
            return Err(syntax_term("invalid type mapping", term));
        }
        if !matches!(t.as_str(), "@id" | "@json" | "@none" | "@vocab") && !is_absolute_iri(&t) {
            return Err(syntax_term("invalid type mapping", term));
        }
        def.type_mapping = Some(t);
    }
    // 13. @reverse
    if let Some(r) = value.get("@reverse") {
        if value.contains_key("@id") || value.contains_key("@nest") {
            return Err(syntax_term("invalid reverse property", term));
        }
        let Value::String(r) = r else {
            return Err(syntax_term("invalid IRI mapping", term));
        };
        if has_keyword_form(r) {
            defined.insert(term.to_string(), true);
            return Ok(());
        }
        let iri = expand_iri(env, active, r, false, true, Some(local), defined)?;
        match iri {
            Some(i) if i.contains(':') && !is_keyword(&i) => def.iri = Some(i),
            _ => return Err(syntax_term("invalid IRI mapping", term)),
        }
        if let Some(c) = value.get("@container") {
            match c {
                Value::Null => {}
                Value::String(s) if s == "@set" => def.container = container::SET,
                Value::String(s) if s == "@index" => def.container = container::INDEX,
                _ => return Err(syntax_term("invalid reverse property", term)),
            }
        }
        // A property-valued index on a reverse property (`@index` with `@container: @index`).
        if let Some(ix) = value.get("@index") {
            match ix {
                Value::String(ix) if def.container & container::INDEX != 0 && !active.mode_10 => {
                    def.index = Some(ix.clone());
                }
                _ => return Err(syntax_term("invalid term definition", term)),
            }
        }
        def.reverse = true;
        return finish(active, term, def, previous, override_protected, defined);
    }
    // 14. @id
    let id_entry = value.get("@id");
    if let Some(id) = id_entry.filter(|v| v.as_str() != Some(term)) {
        match id {
            Value::Null => def.iri = None,
            Value::String(id) => {
                if !is_keyword(id) && has_keyword_form(id) {
                    defined.insert(term.to_string(), true);
                    return Ok(());
                }
                let iri = expand_iri(env, active, id, false, true, Some(local), defined)?;
                let Some(iri) = iri else {
                    return Err(syntax_term("invalid IRI mapping", term));
                };
                if !(is_keyword(&iri) || iri.contains(':')) {
                    return Err(syntax_term("invalid IRI mapping", term));
                }
                if iri == "@context" {
                    return Err(syntax_term("invalid keyword alias", term));
                }
                let inner_colon = term
                    .char_indices()
                    .any(|(i, c)| c == ':' && i > 0 && i + 1 < term.len());
                if inner_colon || term.contains('/') {
                    defined.insert(term.to_string(), true);
                    let again = expand_iri(env, active, term, false, true, Some(local), defined)?;
                    if again.as_deref() != Some(iri.as_str()) {
                        return Err(syntax_term("invalid IRI mapping", term));
                    }
                }
                if !term.contains(':')
                    && !term.contains('/')
                    && simple_term
                    && (iri.ends_with(GEN_DELIMS) || iri.starts_with("_:"))
                {
                    def.prefix = true;
                }
                def.iri = Some(iri);
            }
            _ => return Err(syntax_term("invalid IRI mapping", term)),
        }
    } else if let Some((prefix, suffix)) = term.split_once(':').filter(|(p, _)| !p.is_empty()) {
        // 15. compact IRI
        if local.map.contains_key(prefix) {
            create_term_definition(env, active, local, prefix, defined)?;
        }
        match active.term(prefix).and_then(|d| d.iri.as_deref()) {
            Some(p) => def.iri = Some(format!("{p}{suffix}")),
            None => def.iri = Some(term.to_string()),
        }
    } else if term.contains('/') {
        // 16.
        let iri = expand_iri(env, active, term, false, true, None, defined)?;
        match iri {
            Some(i) if is_absolute_iri(&i) => def.iri = Some(i),
            _ => return Err(syntax_term("invalid IRI mapping", term)),
        }
    } else if term == "@type" {
        def.iri = Some("@type".into());
    } else {
        match &active.vocab {
            Some(v) => def.iri = Some(format!("{v}{term}")),
            None => return Err(syntax_term("invalid IRI mapping", term)),
        }
    }
    // 19. @container
    if let Some(c) = value.get("@container") {
        let items: Vec<&Value> = match c {
            Value::Array(a) if !active.mode_10 => a.iter().collect(),
            other => vec![other],
        };
        let mut flags = 0u16;
        for it in &items {
            let Value::String(s) = it else {
                return Err(syntax_term("invalid container mapping", term));
            };
            flags |= match s.as_str() {
                "@list" => container::LIST,
                "@set" => container::SET,
                "@index" => container::INDEX,
                "@id" => container::ID,
                "@type" => container::TYPE,
                "@graph" => container::GRAPH,
                "@language" => container::LANGUAGE,
                _ => return Err(syntax_term("invalid container mapping", term)),
            };
        }
        use container::*;
        let valid = if flags.count_ones() <= 1 {
            flags != 0
        } else if flags & LIST != 0 {
            false
        } else if flags & GRAPH != 0 {
            flags & (TYPE | LANGUAGE) == 0 && flags & (ID | INDEX) != (ID | INDEX)
        } else {
            flags & SET != 0
        };
        if !valid {
            return Err(syntax_term("invalid container mapping", term));
        }
        if active.mode_10 && (flags & (GRAPH | ID | TYPE) != 0 || !c.is_string()) {
            return Err(syntax_term("invalid container mapping", term));
        }
        def.container = flags;
        if flags & TYPE != 0 {
            match def.type_mapping.as_deref() {
                None => def.type_mapping = Some("@id".into()),
                Some("@id" | "@vocab") => {}
                Some(_) => return Err(syntax_term("invalid type mapping", term)),
            }
        }
    }
    // 20. @index
    if let Some(ix) = value.get("@index") {
        if active.mode_10 || def.container & container::INDEX == 0 {
            return Err(syntax_term("invalid term definition", term));
        }
        let Value::String(ix) = ix else {
            return Err(syntax_term("invalid term definition", term));
        };
        let e = expand_iri(env, active, ix, false, true, Some(local), defined)?;
        match e {
            Some(e) if is_absolute_iri(&e) && !e.starts_with('@') => {}
            _ => return Err(syntax_term("invalid term definition", term)),
        }
        def.index = Some(ix.clone());
    }
    // 21. @context
    if let Some(ctx) = value.get("@context") {
        if active.mode_10 {
            return Err(syntax_term("invalid term definition", term));
        }
        let mut rc = remote_contexts.to_vec();
        let probe = Arc::new(active.clone());
        if let Err(e) = process_context(env, &probe, ctx, base_url, &mut rc, true, true, false) {
            return Err(match e {
                Error::JsonLd(JsonLdError::UnknownContext { .. })
                | Error::JsonLd(JsonLdError::Limit { .. }) => e,
                Error::JsonLd(JsonLdError::Syntax {
                    code: "loading remote context failed",
                    ..
                }) => e,
                _ => syntax_term("invalid scoped context", term),
            });
        }
        def.context = Some(Arc::new(ctx.clone()));
        def.base_url = base_url.map(str::to_string);
    }
    // 22. @language
    if let Some(l) = value
        .get("@language")
        .filter(|_| !value.contains_key("@type"))
    {
        def.language = Some(match l {
            Value::Null => None,
            Value::String(s) => Some(s.to_ascii_lowercase()),
            _ => return Err(syntax_term("invalid language mapping", term)),
        });
    }
    // 23. @direction
    if let Some(d) = value
        .get("@direction")
        .filter(|_| !value.contains_key("@type"))
    {
        def.direction = Some(match d {
            Value::Null => None,
            Value::String(s) if s == "ltr" => Some(Direction::Ltr),
            Value::String(s) if s == "rtl" => Some(Direction::Rtl),
            _ => return Err(syntax_term("invalid base direction", term)),
        });
    }
    // 24. @nest
    if let Some(n) = value.get("@nest") {
        if active.mode_10 {
            return Err(syntax_term("invalid term definition", term));
        }
        match n {
            Value::String(s) if !is_keyword(s) || s == "@nest" => def.nest = Some(s.clone()),
            _ => return Err(syntax_term("invalid @nest value", term)),
        }
    }
    // 25. @prefix
    if let Some(p) = value.get("@prefix") {
        if active.mode_10 || term.contains(':') || term.contains('/') {
            return Err(syntax_term("invalid term definition", term));
        }
        def.prefix = p
            .as_bool()
            .ok_or_else(|| syntax_term("invalid @prefix value", term))?;
        if def.prefix && def.iri.as_deref().is_some_and(is_keyword) {
            return Err(syntax_term("invalid term definition", term));
        }
    }
    // 26.
    for k in value.keys() {
        if !matches!(
            k.as_str(),
            "@id"
                | "@reverse"
                | "@container"
                | "@context"
                | "@direction"
                | "@index"
                | "@language"
                | "@nest"
                | "@prefix"
                | "@protected"
                | "@type"
        ) {
            return Err(syntax_term("invalid term definition", term));
        }
    }
    finish(active, term, def, previous, override_protected, defined)
}

fn finish(
    active: &mut ActiveContext,
    term: &str,
    mut def: TermDef,
    previous: Option<Arc<TermDef>>,
    override_protected: bool,
    defined: &mut Defined,
) -> Result<(), Error> {
    // 27.
    if !override_protected && let Some(prev) = previous.filter(|p| p.protected) {
        if !def.same_definition(&prev) {
            return Err(syntax_term("protected term redefinition", term));
        }
        def = (*prev).clone();
    }
    // 28. (The map is no longer shared: step 6 made it unique and paid for the copy.)
    Arc::make_mut(&mut active.terms).insert(term.to_string(), Arc::new(def));
    defined.insert(term.to_string(), true);
    Ok(())
}

/// [IRI Expansion](https://www.w3.org/TR/json-ld11-api/#iri-expansion). `None` is `null`.
///
/// `local`/`defined` are set while processing a local context, so terms are defined on demand.
pub(crate) fn expand_iri(
    env: &Env<'_>,
    active: &mut ActiveContext,
    value: &str,
    document_relative: bool,
    vocab: bool,
    local: Option<&Local<'_>>,
    defined: &mut Defined,
) -> Result<Option<String>, Error> {
    // 1., 2.
    if is_keyword(value) {
        return Ok(Some(value.to_string()));
    }
    if has_keyword_form(value) {
        return Ok(None);
    }
    // 3.
    if let Some(local) = local
        && local.map.contains_key(value)
        && defined.get(value) != Some(&true)
    {
        create_term_definition(env, active, local, value, defined)?;
    }
    expand_iri_ro_inner(env, active, value, document_relative, vocab, local, defined)
}

fn expand_iri_ro_inner(
    env: &Env<'_>,
    active: &mut ActiveContext,
    value: &str,
    document_relative: bool,
    vocab: bool,
    local: Option<&Local<'_>>,
    defined: &mut Defined,
) -> Result<Option<String>, Error> {
    // 4., 5.
    if let Some(d) = active.term(value) {
        if let Some(i) = d.iri.as_deref().filter(|i| is_keyword(i)) {
            return Ok(Some(i.to_string()));
        }
        if vocab {
            return Ok(d.iri.clone());
        }
    }
    // 6.
    if let Some((prefix, suffix)) = value.split_once(':').filter(|(p, _)| !p.is_empty()) {
        if prefix == "_" || suffix.starts_with("//") {
            return Ok(Some(value.to_string()));
        }
        if let Some(local) = local
            && local.map.contains_key(prefix)
            && defined.get(prefix) != Some(&true)
        {
            create_term_definition(env, active, local, prefix, defined)?;
        }
        if let Some(d) = active.term(prefix)
            && let Some(p) = d.iri.as_deref().filter(|_| d.prefix)
        {
            return Ok(Some(format!("{p}{suffix}")));
        }
        if is_absolute_iri(value) {
            return Ok(Some(value.to_string()));
        }
    }
    // 7.
    if vocab && let Some(v) = &active.vocab {
        return Ok(Some(format!("{v}{value}")));
    }
    // 8.
    if document_relative {
        return Ok(Some(resolve(value, active.base.as_deref())));
    }
    Ok(Some(value.to_string()))
}

fn concat(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

/// The keyword `value` expands to, if any (cheaper than full [`expand_iri_ctx`] with
/// `vocab: true`: compact IRIs and vocabulary-relative IRIs never expand to keywords).
pub(crate) fn key_keyword<'c>(active: &'c ActiveContext, value: &'c str) -> Option<&'c str> {
    if is_keyword(value) {
        return Some(value);
    }
    if value.starts_with('@') && has_keyword_form(value) {
        return None;
    }
    active.term(value)?.iri.as_deref().filter(|i| is_keyword(i))
}

/// IRI expansion against a finished active context (no local context); borrows from the
/// context or the input where it can.
pub(crate) fn expand_iri_ctx<'c>(
    active: &'c ActiveContext,
    value: &'c str,
    document_relative: bool,
    vocab: bool,
) -> Option<Cow<'c, str>> {
    if value.starts_with('@') {
        if is_keyword(value) {
            return Some(Cow::Borrowed(value));
        }
        if has_keyword_form(value) {
            return None;
        }
    }
    if let Some(d) = active.term(value) {
        if let Some(i) = d.iri.as_deref().filter(|i| is_keyword(i)) {
            return Some(Cow::Borrowed(i));
        }
        if vocab {
            return d.iri.as_deref().map(Cow::Borrowed);
        }
    }
    if let Some((prefix, suffix)) = value.split_once(':').filter(|(p, _)| !p.is_empty()) {
        if prefix == "_" || suffix.starts_with("//") {
            return Some(Cow::Borrowed(value));
        }
        if let Some(d) = active.term(prefix)
            && let Some(p) = d.iri.as_deref().filter(|_| d.prefix)
        {
            return Some(Cow::Owned(concat(p, suffix)));
        }
        if is_absolute_iri(value) {
            return Some(Cow::Borrowed(value));
        }
    }
    if vocab && let Some(v) = &active.vocab {
        return Some(Cow::Owned(concat(v, value)));
    }
    if document_relative {
        return Some(Cow::Owned(resolve(value, active.base.as_deref())));
    }
    Some(Cow::Borrowed(value))
}
