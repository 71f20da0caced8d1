//! [Node Map Generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation) and
//! [Deserialize JSON-LD to RDF](https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::iri::is_well_formed_iri;
use super::jcs;
use super::{RdfDirection, syntax};
use crate::Error;
use crate::rdf::{Literal, Quad, RDF_LANG_STRING, Term, XSD_STRING};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XSD_BOOLEAN: &str = "http://www.w3.org/2001/XMLSchema#boolean";
const XSD_INTEGER: &str = "http://www.w3.org/2001/XMLSchema#integer";
const XSD_DOUBLE: &str = "http://www.w3.org/2001/XMLSchema#double";

/// [Generate Blank Node Identifier](https://www.w3.org/TR/json-ld11-api/#generate-blank-node-identifier):
/// `_:b0`, `_:b1`, ... in order of first use.
#[derive(Debug, Default)]
pub(crate) struct Issuer {
    map: HashMap<String, String>,
    counter: usize,
}

impl Issuer {
    fn fresh(&mut self) -> String {
        let id = format!("_:b{}", self.counter);
        self.counter += 1;
        id
    }

    fn relabel(&mut self, old: &str) -> String {
        if let Some(n) = self.map.get(old) {
            return n.clone();
        }
        let n = self.fresh();
        self.map.insert(old.to_string(), n.clone());
        n
    }
}

type Graphs = Map<String, Value>;

enum Subject<'a> {
    None,
    Id(&'a str),
    Reverse(Value),
}

fn node_mut<'a>(
    graphs: &'a mut Graphs,
    graph: &str,
    subject: &str,
) -> Option<&'a mut Map<String, Value>> {
    graphs
        .get_mut(graph)?
        .as_object_mut()?
        .get_mut(subject)?
        .as_object_mut()
}

fn add_unique(node: &mut Map<String, Value>, property: &str, value: Value) {
    let entry = node
        .entry(property.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = entry
        && !a.contains(&value)
    {
        a.push(value);
    }
}

fn add_always(node: &mut Map<String, Value>, property: &str, value: Value) {
    let entry = node
        .entry(property.to_string())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = entry {
        a.push(value);
    }
}

/// [Node Map Generation](https://www.w3.org/TR/json-ld11-api/#node-map-generation).
fn generate(
    element: &Value,
    graphs: &mut Graphs,
    active_graph: &str,
    active_subject: &Subject<'_>,
    active_property: Option<&str>,
    list: Option<&mut Vec<Value>>,
    issuer: &mut Issuer,
) -> Result<(), Error> {
    // 1.
    if let Value::Array(items) = element {
        let mut list = list;
        for item in items {
            generate(
                item,
                graphs,
                active_graph,
                active_subject,
                active_property,
                list.as_deref_mut(),
                issuer,
            )?;
        }
        return Ok(());
    }
    let Value::Object(element) = element else {
        return Ok(());
    };
    // 2.
    let types: Option<Vec<Value>> = element.get("@type").map(|t| {
        let items: &[Value] = match t {
            Value::Array(a) => a,
            other => std::slice::from_ref(other),
        };
        items
            .iter()
            .map(|it| match it.as_str() {
                Some(s) if s.starts_with("_:") => Value::String(issuer.relabel(s)),
                _ => it.clone(),
            })
            .collect()
    });
    // 3.
    if element.contains_key("@value") {
        let mut v = element.clone();
        if let Some(t) = types
            && let Some(first) = t.into_iter().next()
        {
            v.insert("@type".into(), first);
        }
        let v = Value::Object(v);
        match list {
            None => {
                if let (Subject::Id(s), Some(p)) = (active_subject, active_property)
                    && let Some(node) = node_mut(graphs, active_graph, s)
                {
                    add_unique(node, p, v);
                }
            }
            Some(l) => l.push(v),
        }
        return Ok(());
    }
    // 4.
    if let Some(items) = element.get("@list") {
        let mut inner = Vec::new();
        generate(
            items,
            graphs,
            active_graph,
            active_subject,
            active_property,
            Some(&mut inner),
            issuer,
        )?;
        let mut m = Map::new();
        m.insert("@list".into(), Value::Array(inner));
        let v = Value::Object(m);
        match list {
            None => {
                if let (Subject::Id(s), Some(p)) = (active_subject, active_property)
                    && let Some(node) = node_mut(graphs, active_graph, s)
                {
                    add_always(node, p, v);
                }
            }
            Some(l) => l.push(v),
        }
        return Ok(());
    }
    // 5. node object
    let id = match element.get("@id") {
        // An `@id` that expanded to null (keyword-like form): the node is dropped.
        Some(Value::Null) => return Ok(()),
        Some(Value::String(s)) if s.starts_with("_:") => issuer.relabel(s),
        Some(Value::String(s)) => s.clone(),
        _ => issuer.fresh(),
    };
    {
        let g = graphs
            .entry(active_graph.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(g) = g
            && !g.contains_key(&id)
        {
            let mut n = Map::new();
            n.insert("@id".into(), Value::String(id.clone()));
            g.insert(id.clone(), Value::Object(n));
        }
    }
    let reference = || {
        let mut m = Map::new();
        m.insert("@id".into(), Value::String(id.clone()));
        Value::Object(m)
    };
    match active_subject {
        Subject::Reverse(subject) => {
            // 5.4
            if let (Some(p), Some(node)) = (active_property, node_mut(graphs, active_graph, &id)) {
                add_unique(node, p, subject.clone());
            }
        }
        _ => {
            if let Some(p) = active_property {
                // 5.5
                match list {
                    None => {
                        if let Subject::Id(s) = active_subject
                            && let Some(node) = node_mut(graphs, active_graph, s)
                        {
                            add_unique(node, p, reference());
                        }
                    }
                    Some(l) => l.push(reference()),
                }
            }
        }
    }
    // 5.6
    if let Some(types) = types
        && let Some(node) = node_mut(graphs, active_graph, &id)
    {
        for t in types {
            add_unique(node, "@type", t);
        }
    }
    // 5.7
    if let Some(ix) = element.get("@index")
        && let Some(node) = node_mut(graphs, active_graph, &id)
    {
        if let Some(existing) = node.get("@index") {
            if existing != ix {
                return Err(syntax("conflicting indexes"));
            }
        } else {
            node.insert("@index".into(), ix.clone());
        }
    }
    // 5.8
    if let Some(Value::Object(rev)) = element.get("@reverse") {
        let referenced = Subject::Reverse(reference());
        for (p, values) in rev {
            let items: &[Value] = match values {
                Value::Array(a) => a,
                other => std::slice::from_ref(other),
            };
            for v in items {
                generate(v, graphs, active_graph, &referenced, Some(p), None, issuer)?;
            }
        }
    }
    // 5.9
    if let Some(g) = element.get("@graph") {
        graphs
            .entry(id.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        generate(g, graphs, &id, &Subject::None, None, None, issuer)?;
    }
    // 5.10
    if let Some(inc) = element.get("@included") {
        generate(
            inc,
            graphs,
            active_graph,
            &Subject::None,
            None,
            None,
            issuer,
        )?;
    }
    // 5.11
    let mut props: Vec<&String> = element.keys().collect();
    props.sort_unstable();
    for p in props {
        if matches!(
            p.as_str(),
            "@id" | "@type" | "@index" | "@reverse" | "@graph" | "@included" | "@context"
        ) {
            continue;
        }
        let Some(v) = element.get(p.as_str()) else {
            continue;
        };
        let prop = if p.starts_with("_:") {
            issuer.relabel(p)
        } else {
            p.clone()
        };
        if let Some(node) = node_mut(graphs, active_graph, &id)
            && !node.contains_key(&prop)
        {
            node.insert(prop.clone(), Value::Array(Vec::new()));
        }
        generate(
            v,
            graphs,
            active_graph,
            &Subject::Id(&id),
            Some(&prop),
            None,
            issuer,
        )?;
    }
    Ok(())
}

fn node_term(id: &str) -> Option<Term> {
    if let Some(b) = id.strip_prefix("_:") {
        Some(Term::BlankNode(b.to_string()))
    } else if is_well_formed_iri(id) {
        Some(Term::Iri(id.to_string()))
    } else {
        None
    }
}

fn well_formed_language(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The canonical `xsd:double` lexical form, as `5.3E0`.
pub(crate) fn canonical_double(f: f64) -> String {
    let s = format!("{f:E}");
    match s.split_once('E') {
        Some((mantissa, exp)) if !mantissa.contains('.') => format!("{mantissa}.0E{exp}"),
        _ => s,
    }
}

struct Ctx<'a> {
    rdf_direction: Option<RdfDirection>,
    issuer: &'a mut Issuer,
    out: &'a mut Vec<Quad>,
    graph: Option<Term>,
}

impl Ctx<'_> {
    fn emit(&mut self, s: Term, p: &str, o: Term) {
        self.out.push(Quad {
            subject: s,
            predicate: Term::Iri(p.to_string()),
            object: o,
            graph: self.graph.clone(),
        });
    }
}

fn literal(value: String, datatype: &str, language: Option<String>) -> Term {
    Term::Literal(Literal {
        value,
        datatype: datatype.to_string(),
        language,
    })
}

/// [Object to RDF Conversion](https://www.w3.org/TR/json-ld11-api/#object-to-rdf-conversion).
fn object_to_rdf(item: &Value, cx: &mut Ctx<'_>) -> Result<Option<Term>, Error> {
    let Value::Object(m) = item else {
        return Ok(None);
    };
    if let Some(list) = m.get("@list") {
        let items: &[Value] = list.as_array().map(Vec::as_slice).unwrap_or(&[]);
        return list_to_rdf(items, cx).map(Some);
    }
    let Some(value) = m.get("@value") else {
        // node object / reference
        return Ok(m.get("@id").and_then(Value::as_str).and_then(node_term));
    };
    let mut datatype: Option<String> = m.get("@type").and_then(Value::as_str).map(str::to_string);
    if let Some(d) = &datatype
        && d != "@json"
        && !is_well_formed_iri(d)
    {
        return Ok(None);
    }
    let language = m.get("@language").and_then(Value::as_str);
    if let Some(l) = language
        && !well_formed_language(l)
    {
        return Ok(None);
    }
    let lexical: String;
    if datatype.as_deref() == Some("@json") {
        lexical = jcs::canonicalize(value);
        datatype = Some(format!("{RDF}JSON"));
    } else {
        match value {
            Value::Bool(b) => {
                lexical = b.to_string();
                datatype.get_or_insert_with(|| XSD_BOOLEAN.to_string());
            }
            Value::Number(n) => {
                let f = n.as_f64().unwrap_or(0.0);
                let integral = n.is_i64() || n.is_u64() || (f.fract() == 0.0 && f.abs() < 1e21);
                if !integral || datatype.as_deref() == Some(XSD_DOUBLE) {
                    lexical = canonical_double(f);
                    datatype.get_or_insert_with(|| XSD_DOUBLE.to_string());
                } else {
                    lexical = if f == 0.0 {
                        "0".to_string()
                    } else if let Some(i) = n.as_i64() {
                        i.to_string()
                    } else if let Some(u) = n.as_u64() {
                        u.to_string()
                    } else {
                        format!("{f:.0}")
                    };
                    datatype.get_or_insert_with(|| XSD_INTEGER.to_string());
                }
            }
            Value::String(s) => lexical = s.clone(),
            _ => return Ok(None),
        }
    }
    let direction = m.get("@direction").and_then(Value::as_str);
    if let (Some(dir), Some(mode)) = (direction, cx.rdf_direction) {
        let lang = language.map(str::to_ascii_lowercase).unwrap_or_default();
        match mode {
            RdfDirection::I18nDatatype => {
                let dt = format!("https://www.w3.org/ns/i18n#{lang}_{dir}");
                return Ok(Some(literal(lexical, &dt, None)));
            }
            RdfDirection::CompoundLiteral => {
                let b = cx.issuer.fresh();
                let node = node_term(&b).unwrap_or(Term::BlankNode(b));
                cx.emit(
                    node.clone(),
                    &format!("{RDF}value"),
                    literal(lexical, XSD_STRING, None),
                );
                if language.is_some() {
                    cx.emit(
                        node.clone(),
                        &format!("{RDF}language"),
                        literal(lang, XSD_STRING, None),
                    );
                }
                cx.emit(
                    node.clone(),
                    &format!("{RDF}direction"),
                    literal(dir.to_string(), XSD_STRING, None),
                );
                return Ok(Some(node));
            }
        }
    }
    Ok(Some(match (datatype, language) {
        (Some(d), _) => literal(lexical, &d, None),
        (None, Some(l)) => literal(lexical, RDF_LANG_STRING, Some(l.to_ascii_lowercase())),
        (None, None) => literal(lexical, XSD_STRING, None),
    }))
}

/// [List to RDF Conversion](https://www.w3.org/TR/json-ld11-api/#list-to-rdf-conversion).
fn list_to_rdf(items: &[Value], cx: &mut Ctx<'_>) -> Result<Term, Error> {
    if items.is_empty() {
        return Ok(Term::Iri(format!("{RDF}nil")));
    }
    let nodes: Vec<String> = items.iter().map(|_| cx.issuer.fresh()).collect();
    for (i, item) in items.iter().enumerate() {
        let Some(subject) = nodes.get(i).and_then(|b| node_term(b)) else {
            continue;
        };
        if let Some(o) = object_to_rdf(item, cx)? {
            cx.emit(subject.clone(), &format!("{RDF}first"), o);
        }
        let rest = match nodes.get(i + 1).and_then(|b| node_term(b)) {
            Some(n) => n,
            None => Term::Iri(format!("{RDF}nil")),
        };
        cx.emit(subject, &format!("{RDF}rest"), rest);
    }
    Ok(nodes
        .first()
        .and_then(|b| node_term(b))
        .unwrap_or(Term::Iri(format!("{RDF}nil"))))
}

/// Node map generation over an expanded document, then toRdf.
pub(crate) fn to_rdf(
    expanded: &Value,
    rdf_direction: Option<RdfDirection>,
) -> Result<Vec<Quad>, Error> {
    let mut graphs = Graphs::new();
    graphs.insert("@default".into(), Value::Object(Map::new()));
    let mut issuer = Issuer::default();
    generate(
        expanded,
        &mut graphs,
        "@default",
        &Subject::None,
        None,
        None,
        &mut issuer,
    )?;
    let mut out = Vec::new();
    for (graph_name, graph) in &graphs {
        let graph_term = if graph_name == "@default" {
            None
        } else {
            match node_term(graph_name) {
                Some(t) => Some(t),
                None => continue,
            }
        };
        let Value::Object(graph) = graph else {
            continue;
        };
        let mut cx = Ctx {
            rdf_direction,
            issuer: &mut issuer,
            out: &mut out,
            graph: graph_term,
        };
        for (subject, node) in graph {
            let Some(s) = node_term(subject) else {
                continue;
            };
            let Value::Object(node) = node else { continue };
            for (property, values) in node {
                let Value::Array(values) = values else {
                    continue;
                };
                if property == "@type" {
                    for t in values {
                        if let Some(o) = t.as_str().and_then(node_term) {
                            cx.emit(s.clone(), &format!("{RDF}type"), o);
                        }
                    }
                    continue;
                }
                if property.starts_with('@')
                    || property.starts_with("_:")
                    || !is_well_formed_iri(property)
                {
                    continue;
                }
                for item in values {
                    if let Some(o) = object_to_rdf(item, &mut cx)? {
                        cx.emit(s.clone(), property, o);
                    }
                }
            }
        }
    }
    Ok(out)
}
