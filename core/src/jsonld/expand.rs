//! The [Expansion Algorithm](https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) and
//! [Value Expansion](https://www.w3.org/TR/json-ld11-api/#value-expansion).

use crate::JsonLdError;
use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::xv::{XMap, XValue};

use super::context::{
    ActiveContext, TermDef, container, expand_iri_ctx, key_keyword, keyword, static_keyword,
};
use super::iri::is_absolute_iri;
use super::{Env, syntax, syntax_term};
use crate::Error;

type Ctx = Arc<ActiveContext>;

fn as_array(v: XValue) -> Vec<XValue> {
    match v {
        XValue::Array(a) => a,
        other => vec![other],
    }
}

/// Append `value` (flattening arrays) to the array entry `key` of `map`.
fn add_value(map: &mut XMap, key: &str, value: XValue) {
    let Some(entry) = map.get_mut(key) else {
        let v = match value {
            XValue::Array(vs) => XValue::Array(vs),
            v => XValue::Array(vec![v]),
        };
        map.insert(key.to_string(), v);
        return;
    };
    if !entry.is_array() {
        let old = std::mem::take(entry);
        *entry = XValue::Array(vec![old]);
    }
    if let XValue::Array(a) = entry {
        match value {
            XValue::Array(vs) => a.extend(vs),
            v => a.push(v),
        }
    }
}

/// [`add_value`] with an owned key.
fn add_value_owned(map: &mut XMap, key: String, value: XValue) {
    if map.contains_key(&key) {
        add_value(map, &key, value);
    } else {
        let v = match value {
            XValue::Array(vs) => XValue::Array(vs),
            v => XValue::Array(vec![v]),
        };
        map.insert(key, v);
    }
}

fn is_value_object(v: &XValue) -> bool {
    v.as_object().is_some_and(|m| m.contains_key("@value"))
}

fn is_list_object(v: &XValue) -> bool {
    v.as_object().is_some_and(|m| m.contains_key("@list"))
}

fn is_graph_object(v: &XValue) -> bool {
    v.as_object().is_some_and(|m| {
        m.contains_key("@graph")
            && m.keys()
                .all(|k| matches!(k, "@graph" | "@id" | "@index" | "@context"))
    })
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

fn is_xscalar(v: &XValue) -> bool {
    matches!(v, XValue::String(_) | XValue::Number(_) | XValue::Bool(_))
}

/// Expand a key to a property IRI; `None` when it maps to nothing.
fn expand_key<'c>(active: &'c ActiveContext, key: &'c str) -> Option<Cow<'c, str>> {
    expand_iri_ctx(active, key, false, true)
}

/// Run expansion over a whole document and apply the top-level post-processing
/// ([expand()](https://www.w3.org/TR/json-ld11-api/#dom-jsonldprocessor-expand) steps 8 and 9).
pub(crate) fn expand_document(env: &Env<'_>, active: Ctx, doc: &Value) -> Result<XValue, Error> {
    let base = env.opts.base.clone();
    let r = expand(env, &active, None, doc, base.as_deref(), false, 0)?;
    let r = match r {
        XValue::Object(mut m) if m.len() == 1 && m.contains_key("@graph") => {
            m.remove("@graph").unwrap_or(XValue::Null)
        }
        other => other,
    };
    Ok(match r {
        XValue::Null => XValue::Array(Vec::new()),
        XValue::Array(a) => XValue::Array(a),
        other => XValue::Array(vec![other]),
    })
}

fn expand(
    env: &Env<'_>,
    active: &Ctx,
    active_property: Option<&str>,
    element: &Value,
    base_url: Option<&str>,
    from_map: bool,
    depth: usize,
) -> Result<XValue, Error> {
    if depth > env.opts.limits.max_depth {
        return Err(Error::JsonLd(JsonLdError::Limit {
            what: "nesting depth",
            limit: env.opts.limits.max_depth,
        }));
    }
    env.count_node()?;
    // 1.
    if element.is_null() {
        return Ok(XValue::Null);
    }
    // 3.
    let prop_def: Option<&TermDef> = active_property.and_then(|p| active.term(p));
    let property_scoped =
        prop_def.and_then(|d| d.context.as_ref().map(|c| (c, d.base_url.as_deref())));
    // 4.
    if is_scalar(element) {
        if active_property.is_none() || active_property == Some("@graph") {
            return Ok(XValue::Null);
        }
        if let Some((ctx, b)) = property_scoped {
            let ac = env.process_cached(active, ctx, b, false, true)?;
            return expand_value(&ac, active_property, element);
        }
        return expand_value(active, active_property, element);
    }
    // 5.
    if let Value::Array(items) = element {
        let is_list = prop_def.is_some_and(|d| d.container & container::LIST != 0);
        let mut result = Vec::with_capacity(items.len());
        for item in items {
            let mut e = expand(
                env,
                active,
                active_property,
                item,
                base_url,
                from_map,
                depth + 1,
            )?;
            if is_list && e.is_array() {
                let mut m = XMap::with_capacity(1);
                m.insert("@list", e);
                e = XValue::Object(m);
            }
            match e {
                XValue::Array(a) => result.extend(a),
                XValue::Null => {}
                other => result.push(other),
            }
        }
        return Ok(XValue::Array(result));
    }
    // 6.
    let Value::Object(element) = element else {
        return Ok(XValue::Null);
    };
    let mut active: Ctx = active.clone();
    // 7.
    if active.previous.is_some() && !from_map {
        let mut revert = true;
        for k in element.keys() {
            if key_keyword(&active, k) == Some("@value") {
                revert = false;
                break;
            }
        }
        if revert
            && element.len() == 1
            && let Some(k) = element.keys().next()
            && key_keyword(&active, k) == Some("@id")
        {
            revert = false;
        }
        if revert && let Some(p) = active.previous.clone() {
            active = p;
        }
    }
    // 8.
    if let Some((ctx, b)) = property_scoped {
        active = env.process_cached(&active, ctx, b, true, true)?;
    }
    let mut keys: Vec<(&String, &Value)> = element.iter().collect();
    keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // 9.
    if let Some(&(_, ctx)) = keys.iter().find(|(k, _)| k.as_str() == "@context") {
        active = env.process_cached_inline(&active, ctx, base_url)?;
    }
    // 10.
    let type_scoped: Ctx = active.clone();
    // 11.
    let mut input_type: Option<String> = None;
    let mut first_type_key = true;
    for &(k, v) in &keys {
        if key_keyword(&active, k) != Some("@type") {
            continue;
        }
        let mut terms: Vec<&str> = match v {
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            Value::String(s) => vec![s.as_str()],
            _ => Vec::new(),
        };
        if first_type_key {
            first_type_key = false;
            if let Some(last) = terms.last() {
                input_type = expand_iri_ctx(&type_scoped, last, true, true).map(Cow::into_owned);
            }
        }
        terms.sort_unstable();
        for t in terms {
            if let Some(d) = type_scoped.term(t)
                && let Some(ctx) = &d.context
            {
                active = env.process_cached(&active, ctx, d.base_url.as_deref(), false, false)?;
            }
        }
    }
    // 12.-14.
    let mut result = XMap::with_capacity(element.len());
    expand_entries(
        env,
        &active,
        &type_scoped,
        active_property,
        element,
        &keys,
        input_type.as_deref(),
        base_url,
        &mut result,
        depth,
    )?;
    // Which keywords `result` has, in one pass (avoids a hash lookup per test below).
    let (mut has_value, mut has_type, mut has_language, mut has_direction) =
        (false, false, false, false);
    let (mut has_set, mut has_list, mut has_id, mut has_index, mut other) =
        (false, false, false, false, false);
    for k in result.keys() {
        match k {
            "@value" => has_value = true,
            "@type" => has_type = true,
            "@language" => has_language = true,
            "@direction" => has_direction = true,
            "@set" => has_set = true,
            "@list" => has_list = true,
            "@id" => has_id = true,
            "@index" => has_index = true,
            _ => other = true,
        }
    }
    // 15.
    if has_value {
        if other || has_set || has_list || has_id {
            return Err(syntax("invalid value object"));
        }
        if has_type && (has_language || has_direction) {
            return Err(syntax("invalid value object"));
        }
        let v = result.get("@value").unwrap_or(&XValue::Null);
        let ty = if has_type { result.get("@type") } else { None };
        let is_json = ty.and_then(XValue::as_str) == Some("@json");
        if is_json {
            // any value
        } else if v.is_null() {
            return Ok(XValue::Null);
        } else if !v.is_string() && has_language {
            return Err(syntax("invalid language-tagged value"));
        } else if let Some(t) = ty {
            match t {
                XValue::String(t) if is_absolute_iri(t) && !t.contains(char::is_whitespace) => {}
                _ => return Err(syntax("invalid typed value")),
            }
        }
        if !v.is_null() && !is_xscalar(v) && !is_json {
            return Err(syntax("invalid value object value"));
        }
    } else if has_type {
        // 16.
        if let Some(t) = result.get_mut("@type")
            && !t.is_array()
        {
            let old = std::mem::take(t);
            *t = XValue::Array(vec![old]);
        }
    } else if has_set || has_list {
        // 17.
        if result.len() > 2 || (result.len() == 2 && !has_index) {
            return Err(syntax("invalid set or list object"));
        }
        if has_set && let Some(s) = result.remove("@set") {
            return Ok(s);
        }
    }
    // 18.
    if result.len() == 1 && has_language {
        return Ok(XValue::Null);
    }
    if let Some(sites) = &env.skolem {
        record_skolem_site(sites, &active, element, &result, active_property);
    }
    // 19.
    if active_property.is_none() || active_property == Some("@graph") {
        if result.is_empty() || has_value || has_list {
            return Ok(XValue::Null);
        }
        if result.len() == 1 && has_id {
            return Ok(XValue::Null);
        }
    }
    Ok(XValue::Object(result))
}

/// For skolemization: remember `element` when it expanded to a node object with no IRI
/// identifier (no `@id`, or a blank node identifier), with the key that held its `@id`.
fn record_skolem_site(
    sites: &std::cell::RefCell<Vec<super::SkolemSite>>,
    active: &Ctx,
    element: &Map<String, Value>,
    result: &XMap,
    active_property: Option<&str>,
) {
    let value_like = result.contains_key("@value")
        || result.contains_key("@list")
        || (result.len() == 1 && result.contains_key("@language"));
    // The top-level wrapper of a `@graph` document is not a node of its own.
    let graph_wrapper = active_property.is_none() && result.keys().all(|k| k == "@graph");
    let is_node = !(value_like || graph_wrapper);
    let anonymous = match result.get("@id") {
        None => true,
        Some(XValue::String(id)) => id.starts_with("_:"),
        Some(_) => false,
    };
    if is_node && anonymous {
        let id_key = element
            .keys()
            .find(|k| expand_key(active, k).as_deref() == Some("@id"))
            .cloned();
        sites.borrow_mut().push(super::SkolemSite {
            addr: element as *const Map<String, Value> as usize,
            id_key,
        });
    }
}

/// Steps 13 and 14 of the Expansion Algorithm over `element`'s entries (`keys` sorted).
#[expect(
    clippy::too_many_arguments,
    reason = "steps 13 and 14 of JSON-LD 1.1 Expansion: the algorithm's state, one parameter each"
)]
fn expand_entries(
    env: &Env<'_>,
    active: &Ctx,
    type_scoped: &Ctx,
    active_property: Option<&str>,
    element: &Map<String, Value>,
    keys: &[(&String, &Value)],
    input_type: Option<&str>,
    base_url: Option<&str>,
    result: &mut XMap,
    depth: usize,
) -> Result<(), Error> {
    let mut nests: Vec<&String> = Vec::new();
    for &(key, value) in keys {
        // 13.1
        if key == "@context" {
            continue;
        }
        // 13.2
        let expanded_property = expand_key(active, key);
        // 13.3
        let Some(expanded_property) = expanded_property.filter(|e| e.contains(':') || keyword(e))
        else {
            if env.opts.safe_mode {
                return Err(Error::JsonLd(JsonLdError::UndefinedTerm {
                    term: key.clone(),
                }));
            }
            continue;
        };
        if env.opts.safe_mode
            && !keyword(&expanded_property)
            && !is_absolute_iri(&expanded_property)
        {
            return Err(Error::JsonLd(JsonLdError::UndefinedTerm {
                term: key.clone(),
            }));
        }
        // 13.4
        if keyword(&expanded_property) {
            let ep: &str = &expanded_property;
            if active_property == Some("@reverse") {
                return Err(syntax("invalid reverse property map"));
            }
            if result.contains_key(ep) && !matches!(ep, "@included" | "@type") {
                return Err(syntax_term("colliding keywords", ep));
            }
            let expanded_value: XValue = match ep {
                "@id" => {
                    let Value::String(s) = value else {
                        return Err(syntax("invalid @id value"));
                    };
                    match expand_iri_ctx(active, s, true, false) {
                        Some(i) => XValue::String(i.into_owned()),
                        None => XValue::Null,
                    }
                }
                "@type" => {
                    let types: Vec<&str> = match value {
                        Value::String(s) => vec![s.as_str()],
                        Value::Array(a) => {
                            let mut v = Vec::with_capacity(a.len());
                            for t in a {
                                v.push(t.as_str().ok_or_else(|| syntax("invalid type value"))?);
                            }
                            v
                        }
                        _ => return Err(syntax("invalid type value")),
                    };
                    let mut out = Vec::with_capacity(types.len());
                    for t in types {
                        let e = expand_iri_ctx(type_scoped, t, true, true);
                        if env.opts.safe_mode && !e.as_deref().is_some_and(is_absolute_iri) {
                            return Err(Error::JsonLd(JsonLdError::UndefinedTerm {
                                term: t.to_string(),
                            }));
                        }
                        if let Some(e) = e {
                            out.push(XValue::String(e.into_owned()));
                        }
                    }
                    let ev = if value.is_string() && out.len() == 1 {
                        out.pop().unwrap_or(XValue::Null)
                    } else {
                        XValue::Array(out)
                    };
                    if let Some(existing) = result.remove("@type") {
                        let mut all = as_array(existing);
                        all.extend(as_array(ev));
                        XValue::Array(all)
                    } else {
                        ev
                    }
                }
                "@graph" => {
                    let e = expand(
                        env,
                        active,
                        Some("@graph"),
                        value,
                        base_url,
                        false,
                        depth + 1,
                    )?;
                    XValue::Array(as_array(e).into_iter().filter(|v| !v.is_null()).collect())
                }
                "@included" => {
                    if active.mode_10 {
                        continue;
                    }
                    let e = expand(env, active, None, value, base_url, false, depth + 1)?;
                    let e = as_array(e);
                    for item in &e {
                        let ok = item.as_object().is_some_and(|m| {
                            !m.contains_key("@value")
                                && !m.contains_key("@list")
                                && !m.contains_key("@set")
                        });
                        if !ok {
                            return Err(syntax("invalid @included value"));
                        }
                    }
                    let mut all = result.remove("@included").map(as_array).unwrap_or_default();
                    all.extend(e);
                    XValue::Array(all)
                }
                "@value" => {
                    if input_type == Some("@json") {
                        if active.mode_10 {
                            return Err(syntax("invalid value object value"));
                        }
                        XValue::Json(value.clone())
                    } else if value.is_null() {
                        result.insert("@value", XValue::Null);
                        continue;
                    } else if is_scalar(value) {
                        XValue::scalar(value)
                    } else {
                        return Err(syntax("invalid value object value"));
                    }
                }
                "@language" => {
                    let Value::String(s) = value else {
                        return Err(syntax("invalid language-tagged string"));
                    };
                    XValue::String(s.to_ascii_lowercase())
                }
                "@direction" => {
                    if active.mode_10 {
                        continue;
                    }
                    match value {
                        Value::String(s) if s == "ltr" || s == "rtl" => XValue::String(s.clone()),
                        _ => return Err(syntax("invalid base direction")),
                    }
                }
                "@index" => {
                    let Value::String(ix) = value else {
                        return Err(syntax("invalid @index value"));
                    };
                    XValue::String(ix.clone())
                }
                "@list" => {
                    if active_property.is_none() || active_property == Some("@graph") {
                        continue;
                    }
                    let e = expand(
                        env,
                        active,
                        active_property,
                        value,
                        base_url,
                        false,
                        depth + 1,
                    )?;
                    XValue::Array(as_array(e))
                }
                "@set" => expand(
                    env,
                    active,
                    active_property,
                    value,
                    base_url,
                    false,
                    depth + 1,
                )?,
                "@reverse" => {
                    if !value.is_object() {
                        return Err(syntax("invalid @reverse value"));
                    }
                    let e = expand(
                        env,
                        active,
                        Some("@reverse"),
                        value,
                        base_url,
                        false,
                        depth + 1,
                    )?;
                    if let XValue::Object(mut em) = e {
                        if let Some(XValue::Object(rev)) = em.remove("@reverse") {
                            for (p, v) in rev {
                                add_value(result, &p, v);
                            }
                        }
                        if !em.is_empty() {
                            let rm = result
                                .get_or_insert_with("@reverse", || XValue::Object(XMap::new()));
                            if let Some(XValue::Object(rm)) = rm {
                                for (p, items) in em {
                                    for item in as_array(items) {
                                        if is_value_object(&item) || is_list_object(&item) {
                                            return Err(syntax("invalid reverse property value"));
                                        }
                                        add_value(rm, &p, item);
                                    }
                                }
                            }
                        }
                    }
                    continue;
                }
                "@nest" => {
                    nests.push(key);
                    continue;
                }
                _ => continue,
            };
            match static_keyword(ep) {
                Some(k) => result.insert(k, expanded_value),
                None => result.insert(expanded_property.into_owned(), expanded_value),
            }
            continue;
        }
        // 13.5
        let def = active.term(key);
        let cont = def.map_or(0, |d| d.container);
        let expanded_value: XValue = if def.and_then(|d| d.type_mapping.as_deref()) == Some("@json")
        {
            // 13.6
            let mut m = XMap::with_capacity(2);
            m.insert("@value", XValue::Json(value.clone()));
            m.insert("@type", XValue::String("@json".into()));
            XValue::Object(m)
        } else if cont & container::LANGUAGE != 0 && value.is_object() {
            // 13.7
            let mut out = Vec::new();
            let direction = match def.and_then(|d| d.direction) {
                Some(d) => d,
                None => active.default_direction,
            };
            let Value::Object(lm) = value else { continue };
            let mut langs: Vec<&String> = lm.keys().collect();
            langs.sort_unstable();
            for lang in langs {
                let Some(lv) = lm.get(lang.as_str()) else {
                    continue;
                };
                let items: &[Value] = match lv {
                    Value::Array(a) => a,
                    other => std::slice::from_ref(other),
                };
                for item in items {
                    match item {
                        Value::Null => continue,
                        Value::String(_) => {}
                        _ => return Err(syntax("invalid language map value")),
                    }
                    let mut v = XMap::with_capacity(3);
                    v.insert("@value", XValue::scalar(item));
                    if lang != "@none" && key_keyword(active, lang) != Some("@none") {
                        v.insert("@language", XValue::String(lang.to_ascii_lowercase()));
                    }
                    if let Some(d) = direction {
                        v.insert("@direction", XValue::String(d.as_str().into()));
                    }
                    out.push(XValue::Object(v));
                }
            }
            XValue::Array(out)
        } else if cont & (container::INDEX | container::TYPE | container::ID) != 0
            && value.is_object()
        {
            // 13.8
            expand_index_map(env, active, key, def, cont, value, base_url, depth)?
        } else {
            // 13.9
            expand(env, active, Some(key), value, base_url, false, depth + 1)?
        };
        // 13.10
        if expanded_value.is_null() {
            continue;
        }
        // 13.11
        let mut expanded_value = expanded_value;
        if cont & container::LIST != 0 && !is_list_object(&expanded_value) {
            let mut m = XMap::with_capacity(1);
            m.insert("@list", XValue::Array(as_array(expanded_value)));
            expanded_value = XValue::Object(m);
        }
        // 13.12
        if cont & container::GRAPH != 0 && cont & (container::ID | container::INDEX) == 0 {
            let items = as_array(expanded_value)
                .into_iter()
                .map(|ev| {
                    let mut m = XMap::with_capacity(1);
                    m.insert("@graph", XValue::Array(as_array(ev)));
                    XValue::Object(m)
                })
                .collect();
            expanded_value = XValue::Array(items);
        }
        // 13.13
        if def.is_some_and(|d| d.reverse) {
            let rm = result.get_or_insert_with("@reverse", || XValue::Object(XMap::new()));
            if let Some(XValue::Object(rm)) = rm {
                for item in as_array(expanded_value) {
                    if is_value_object(&item) || is_list_object(&item) {
                        return Err(syntax("invalid reverse property value"));
                    }
                    add_value(rm, &expanded_property, item);
                }
            }
        } else {
            // 13.14
            add_value_owned(result, expanded_property.into_owned(), expanded_value);
        }
    }
    // 14.
    nests.sort_unstable();
    for nk in nests {
        let Some(nv) = element.get(nk.as_str()) else {
            continue;
        };
        let items: &[Value] = match nv {
            Value::Array(a) => a,
            other => std::slice::from_ref(other),
        };
        // A nesting term's own scoped context applies to its nested entries.
        let nested_active: Ctx = match active
            .term(nk)
            .and_then(|d| d.context.as_ref().map(|c| (c, d.base_url.clone())))
        {
            Some((ctx, b)) => env.process_cached(active, ctx, b.as_deref(), true, true)?,
            None => active.clone(),
        };
        let active = &nested_active;
        for nested in items {
            let Value::Object(nm) = nested else {
                return Err(syntax("invalid @nest value"));
            };
            for k in nm.keys() {
                if key_keyword(active, k) == Some("@value") {
                    return Err(syntax("invalid @nest value"));
                }
            }
            let mut nkeys: Vec<(&String, &Value)> = nm.iter().collect();
            nkeys.sort_unstable_by(|a, b| a.0.cmp(b.0));
            expand_entries(
                env,
                active,
                type_scoped,
                active_property,
                nm,
                &nkeys,
                input_type,
                base_url,
                result,
                depth + 1,
            )?;
        }
    }
    Ok(())
}

/// Step 13.8: index, id and type maps.
#[expect(
    clippy::too_many_arguments,
    reason = "step 13.8 of JSON-LD 1.1 Expansion: the algorithm's state and the term's definition"
)]
fn expand_index_map(
    env: &Env<'_>,
    active: &Ctx,
    key: &str,
    def: Option<&TermDef>,
    cont: u16,
    value: &Value,
    base_url: Option<&str>,
    depth: usize,
) -> Result<XValue, Error> {
    let Value::Object(map) = value else {
        return Ok(XValue::Null);
    };
    let mut out = Vec::new();
    let index_key = def.and_then(|d| d.index.as_deref()).unwrap_or("@index");
    let mut indexes: Vec<&String> = map.keys().collect();
    indexes.sort_unstable();
    for index in indexes {
        let Some(index_value) = map.get(index.as_str()) else {
            continue;
        };
        // 13.8.2.1 - 13.8.2.3
        let mut map_context: Ctx = active.clone();
        if cont & (container::ID | container::TYPE) != 0
            && let Some(p) = &active.previous
        {
            map_context = p.clone();
        }
        if cont & container::TYPE != 0
            && let Some(d) = map_context.term(index)
            && let Some(ctx) = &d.context
        {
            let b = d.base_url.clone();
            map_context = env.process_cached(&map_context, ctx, b.as_deref(), false, true)?;
        }
        // 13.8.2.4
        let expanded_index = expand_iri_ctx(active, index, false, true).map(Cow::into_owned);
        let is_none = expanded_index.as_deref() == Some("@none");
        // 13.8.2.5, 13.8.2.6
        let iv = match index_value {
            Value::Array(_) => index_value.clone(),
            other => Value::Array(vec![other.clone()]),
        };
        let items = expand(env, &map_context, Some(key), &iv, base_url, true, depth + 1)?;
        for item in as_array(items) {
            let mut item = item;
            // 13.8.2.7.1
            if cont & container::GRAPH != 0 && !is_graph_object(&item) {
                let mut m = XMap::with_capacity(1);
                m.insert("@graph", XValue::Array(as_array(item)));
                item = XValue::Object(m);
            }
            let XValue::Object(im) = &mut item else {
                out.push(item);
                continue;
            };
            if cont & container::INDEX != 0 && index_key != "@index" && !is_none {
                // 13.8.2.7.2
                let re = expand_value(active, Some(index_key), &Value::String(index.clone()))?;
                let eik = expand_iri_ctx(active, index_key, false, true)
                    .map(Cow::into_owned)
                    .unwrap_or_default();
                if im.contains_key("@value") {
                    return Err(syntax("invalid value object"));
                }
                let mut vals = vec![re];
                if let Some(existing) = im.remove(&eik) {
                    vals.extend(as_array(existing));
                }
                im.insert(eik, XValue::Array(vals));
            } else if cont & container::INDEX != 0 && !im.contains_key("@index") && !is_none {
                im.insert("@index", XValue::String(index.clone()));
            } else if cont & container::ID != 0 && !im.contains_key("@id") && !is_none {
                let id = expand_iri_ctx(active, index, true, false)
                    .map(Cow::into_owned)
                    .unwrap_or_default();
                im.insert("@id", XValue::String(id));
            } else if cont & container::TYPE != 0 && !is_none {
                let mut types = vec![XValue::String(expanded_index.clone().unwrap_or_default())];
                if let Some(existing) = im.remove("@type") {
                    types.extend(as_array(existing));
                }
                im.insert("@type", XValue::Array(types));
            }
            out.push(item);
        }
    }
    Ok(XValue::Array(out))
}

/// [Value Expansion](https://www.w3.org/TR/json-ld11-api/#value-expansion).
pub(crate) fn expand_value(
    active: &ActiveContext,
    active_property: Option<&str>,
    value: &Value,
) -> Result<XValue, Error> {
    let def = active_property.and_then(|p| active.term(p));
    let tm = def.and_then(|d| d.type_mapping.as_deref());
    let mut m = XMap::with_capacity(3);
    if let Value::String(s) = value {
        // 1., 2.
        if tm == Some("@id") || tm == Some("@vocab") {
            let id = expand_iri_ctx(active, s, true, tm == Some("@vocab"));
            match id {
                Some(id) => m.insert("@id", XValue::String(id.into_owned())),
                None => m.insert("@id", XValue::Null),
            };
            return Ok(XValue::Object(m));
        }
    }
    // 3.
    m.insert("@value", XValue::scalar(value));
    match tm {
        // 4.
        Some(t) if t != "@id" && t != "@vocab" && t != "@none" => {
            m.insert("@type", XValue::String(t.to_string()));
        }
        _ => {
            // 5.
            if value.is_string() {
                let language = match def.and_then(|d| d.language.as_ref()) {
                    Some(l) => l.clone(),
                    None => active.default_language.clone(),
                };
                let direction = match def.and_then(|d| d.direction) {
                    Some(d) => d,
                    None => active.default_direction,
                };
                if let Some(l) = language {
                    m.insert("@language", XValue::String(l));
                }
                if let Some(d) = direction {
                    m.insert("@direction", XValue::String(d.as_str().into()));
                }
            }
        }
    }
    Ok(XValue::Object(m))
}
