//! A mutation sweep over what a desk is given: a derived credential on its own and a
//! presentation signed by the holder that carries one. Every leaf and every member is
//! changed, removed, duplicated, moved under `@nest` and renamed to its full IRI, and every
//! `@context` list loses an entry, gains a bundled context or gains an inline one. A mutant
//! is acceptable only if the verifier rejects it, or if what it checks and shows is exactly
//! what it showed for the original: the issuer, types, status lines, disclosed claims
//! (pointer and value), holder, challenge and domain.
//!
//! The sweep is exhaustive (no sampling) and deterministic; the counts per kind are printed
//! (`cargo test --test mutation_sweep -- --nocapture`).
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use civitas_core::bbs::{Ciphersuite, KeyPair, SecretKey};
use civitas_core::bbs2023::{Bbs2023, ProofOptions};
use civitas_core::did;
use civitas_core::ecdsa::{DeviceKey, EcdsaProofOptions, EcdsaRdfc2019};
use civitas_core::jsonld::{BUNDLED_CONTEXTS, JsonLdProcessor, ToRdfOptions};
use civitas_core::keys::PublicKey;
use civitas_core::status::{StatusList, StatusPurpose, build_status_list_credential, status_entry};
use civitas_core::verifier::{
    Policy, StatusLists, TrustList, TrustedIssuer, VerifiedPresentation, Verifier,
};
use serde_json::{Map, Value, json};

const LIST_URL: &str = "https://uni.example/status/1";
use crate::common::DIPLOMA_CONTEXT;
const CHALLENGE: &str = "n-1";
const DOMAIN: &str = "https://agency.example";
/// A value no document holds, put in a member's place to find the IRI its key expands to.
const PROBE: &str = "urn:civitas-probe:7c1d";

fn diploma_context_text() -> String {
    std::fs::read_to_string(crate::common::example(
        "civitas.example_contexts_diploma_v1.jsonld",
    ))
    .unwrap()
}

struct Desk {
    jsonld: Arc<JsonLdProcessor>,
    pair: KeyPair,
    issuer: PublicKey,
    status_key: DeviceKey,
    holder: DeviceKey,
    verifier: Verifier,
    lists: StatusLists,
}

impl Desk {
    fn new() -> Self {
        let jsonld = JsonLdProcessor::default();
        jsonld
            .register_context(DIPLOMA_CONTEXT, &diploma_context_text())
            .unwrap();
        let jsonld = Arc::new(jsonld);
        let pair = KeyPair::from_secret(
            SecretKey::key_gen(Ciphersuite::Bls12381Sha256, &[9u8; 32], b"", None).unwrap(),
        );
        let issuer = PublicKey::Bls12381G2(pair.public().to_bytes());
        let status_key = DeviceKey::generate().unwrap();
        let mut list = StatusList::new(1).unwrap();
        list.set(0, 0).unwrap();
        let list_doc = build_status_list_credential(
            LIST_URL,
            &did::did_key(&status_key.public_key()),
            StatusPurpose::Revocation,
            &list,
            "2026-01-01T00:00:00Z",
            None,
        )
        .unwrap();
        let signed_list = EcdsaRdfc2019::new(Arc::clone(&jsonld))
            .sign(
                &list_doc,
                &status_key,
                &EcdsaProofOptions::assertion(status_key.verification_method()),
            )
            .unwrap();
        let mut lists = StatusLists::new();
        lists.insert(signed_list).unwrap();
        Desk {
            verifier: Verifier::new(Arc::clone(&jsonld)),
            jsonld,
            pair,
            issuer,
            status_key,
            holder: DeviceKey::generate().unwrap(),
            lists,
        }
    }

    /// The diploma, signed with the issuer's usual mandatory pointers and derived disclosing
    /// claims of every JSON kind: strings, a typed date, numbers, a boolean, an array element.
    fn derived(&self) -> Value {
        let mut doc: Value = crate::common::diploma();
        doc["issuer"]["id"] = did::did_key(&self.issuer).into();
        doc["credentialStatus"] = status_entry(LIST_URL, StatusPurpose::Revocation, 7).unwrap();
        // Issued to the holder's DID, so the presentation binds it.
        doc["credentialSubject"]["id"] = did::did_key(&self.holder.public_key()).into();
        let mandatory =
            ["/issuer", "/validFrom", "/validUntil", "/credentialStatus"].map(String::from);
        let bbs = Bbs2023::new(Arc::clone(&self.jsonld));
        let signed = bbs
            .sign(
                &doc,
                &self.pair,
                &ProofOptions::assertion(did::verification_method_id(&self.issuer)),
                &mandatory,
            )
            .unwrap();
        let disclosed = [
            "/credentialSubject/givenName",
            "/credentialSubject/birthDate",
            "/credentialSubject/degree/name",
            "/credentialSubject/degree/level",
            "/credentialSubject/degree/honours",
            "/credentialSubject/grades/1/grade",
            "/credentialSubject/gpa",
        ]
        .map(String::from);
        // Bound to the desk's request, so the bare credential is fresh too.
        let header = civitas_core::verifier::request_binding(CHALLENGE, Some(DOMAIN));
        bbs.derive(&signed, &disclosed, &header).unwrap()
    }

    fn presentation(&self, derived: &Value) -> Value {
        civitas_core::present(
            &EcdsaRdfc2019::new(Arc::clone(&self.jsonld)),
            vec![derived.clone()],
            &self.holder,
            CHALLENGE,
            DOMAIN,
        )
        .unwrap()
    }

    fn policy(&self, presentation: bool) -> Policy {
        let policy = Policy::new(TrustList::from_issuers(vec![TrustedIssuer {
            jwk: None,
            x509_ca: None,
            did: did::did_key(&self.issuer),
            name: "Uni".into(),
            credential_types: vec!["UniversityDegreeCredential".into()],
            status_list_signers: vec![did::did_key(&self.status_key.public_key())],
            status_list_max_age: None,
        }]))
        .at(UNIX_EPOCH + Duration::from_secs(1_800_000_000)); // 2027-01-15
        let policy = policy.challenge(CHALLENGE).domain(DOMAIN);
        if presentation {
            policy
        } else {
            // A bare credential is a bearer credential: named, as a desk would have to.
            policy.dangerous_allow_bearer()
        }
    }
}

/// What the verifier checks and shows of an accepted input.
#[derive(Debug, PartialEq)]
struct Shown {
    holder: Option<String>,
    challenge: Option<String>,
    domain: Option<String>,
    credentials: Vec<ShownCredential>,
}

#[derive(Debug, PartialEq)]
struct ShownCredential {
    issuer: String,
    issuer_name: Option<String>,
    types: Vec<String>,
    status: Vec<String>,
    claims: Vec<(String, Value)>,
}

fn shown(vp: &VerifiedPresentation) -> Shown {
    Shown {
        holder: vp.holder().map(str::to_owned),
        challenge: vp.challenge().map(str::to_owned),
        domain: vp.domain().map(str::to_owned),
        credentials: vp
            .credentials()
            .iter()
            .map(|c| ShownCredential {
                issuer: c.issuer().to_owned(),
                issuer_name: c.issuer_name().map(str::to_owned),
                types: c.types().to_vec(),
                status: c.status().to_vec(),
                claims: c
                    .disclosed_claims()
                    .into_iter()
                    .map(|(p, v)| (p, v.clone()))
                    .collect(),
            })
            .collect(),
    }
}

/// What differs between two results, in a line.
fn difference(want: &Shown, got: &Shown) -> String {
    if (&want.holder, &want.challenge, &want.domain) != (&got.holder, &got.challenge, &got.domain)
        || want.credentials.len() != got.credentials.len()
    {
        return format!("{got:?}");
    }
    let mut out = Vec::new();
    for (w, g) in want.credentials.iter().zip(&got.credentials) {
        if (&w.issuer, &w.issuer_name, &w.types, &w.status)
            != (&g.issuer, &g.issuer_name, &g.types, &g.status)
        {
            out.push(format!(
                "issuer/types/status {:?} {:?} {:?}",
                g.issuer, g.types, g.status
            ));
        }
        let extra: Vec<_> = g.claims.iter().filter(|c| !w.claims.contains(c)).collect();
        let missing: Vec<_> = w.claims.iter().filter(|c| !g.claims.contains(c)).collect();
        out.push(format!("claims added {extra:?}, gone {missing:?}"));
    }
    out.join("; ")
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn pointer(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

fn at_mut<'a>(doc: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(doc, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// Every path to a member or array element, parents before children, in document order.
fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                here.push(Step::Key(k.clone()));
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(Step::Index(i));
                out.push(here.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// `map` with `from` renamed to `to`, in the same position, holding `value`.
fn renamed(map: &Map<String, Value>, from: &str, to: &str, value: Value) -> Map<String, Value> {
    let mut value = Some(value);
    map.iter()
        .map(|(k, v)| {
            if k == from {
                (to.to_owned(), value.take().unwrap())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect()
}

/// The changed value of a leaf: another string (a digit bumped, so that dates and DIDs stay
/// well formed, or a character appended), a number plus one, a boolean flipped.
fn changed(leaf: &Value) -> Option<Value> {
    match leaf {
        Value::String(s) => {
            let mut chars: Vec<char> = s.chars().collect();
            match chars.iter().rposition(char::is_ascii_digit) {
                Some(i) => {
                    let d = chars[i].to_digit(10).unwrap();
                    chars[i] = char::from_digit((d + 1) % 10, 10).unwrap();
                }
                None => chars.push('x'),
            }
            Some(Value::String(chars.into_iter().collect()))
        }
        Value::Number(n) => Some(if let Some(i) = n.as_i64() {
            json!(i + 1)
        } else {
            json!(n.as_f64().unwrap() + 1.0)
        }),
        Value::Bool(b) => Some(Value::Bool(!b)),
        _ => None,
    }
}

/// The property IRI a member's key expands to where it stands, and the datatype the context
/// gives its values (if any): the document is expanded with the member's value replaced by
/// [`PROBE`], and the probe looked for.
fn expanded_key(
    jsonld: &JsonLdProcessor,
    doc: &Value,
    path: &[Step],
) -> Option<(String, Option<String>)> {
    fn find(v: &Value, key: Option<&str>) -> Option<(String, Option<String>)> {
        match v {
            Value::Object(o) => {
                if o.get("@value").and_then(Value::as_str) == Some(PROBE)
                    || o.get("@id").and_then(Value::as_str) == Some(PROBE)
                {
                    let datatype = o.get("@type").and_then(Value::as_str).map(str::to_owned);
                    return key.map(|k| (k.to_owned(), datatype));
                }
                o.iter().find_map(|(k, x)| {
                    find(
                        x,
                        if k.starts_with('@') {
                            key
                        } else {
                            Some(k.as_str())
                        },
                    )
                })
            }
            Value::Array(a) => a.iter().find_map(|x| find(x, key)),
            _ => None,
        }
    }
    let mut probe = doc.clone();
    *at_mut(&mut probe, path) = Value::String(PROBE.into());
    let expanded = jsonld.expand(&probe, &ToRdfOptions::default()).ok()?;
    find(&expanded, None)
}

/// Every term the contexts in play define, by the IRI it maps to (scoped contexts included;
/// a term's IRI is its string value or its `@id`, compact IRIs left as written).
fn terms_by_iri(jsonld: &JsonLdProcessor) -> BTreeMap<String, BTreeSet<String>> {
    fn collect(ctx: &Value, out: &mut BTreeMap<String, BTreeSet<String>>) {
        match ctx {
            Value::Array(a) => a.iter().for_each(|c| collect(c, out)),
            Value::Object(o) => {
                for (term, def) in o {
                    if term.starts_with('@') {
                        continue;
                    }
                    let iri = match def {
                        Value::String(s) => Some(s.clone()),
                        Value::Object(d) => {
                            if let Some(scoped) = d.get("@context") {
                                collect(scoped, out);
                            }
                            d.get("@id").and_then(Value::as_str).map(str::to_owned)
                        }
                        _ => None,
                    };
                    if let Some(iri) = iri {
                        out.entry(iri).or_default().insert(term.clone());
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    for url in [
        "https://www.w3.org/ns/credentials/v2",
        DIPLOMA_CONTEXT,
        "https://w3id.org/security/data-integrity/v2",
    ] {
        let ctx = jsonld.registry().get(url).unwrap();
        collect(&ctx, &mut out);
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Change,
    Remove,
    Duplicate,
    Nest,
    FullIri,
    ContextRemove,
    ContextAddBundled,
    ContextAddInline,
    /// Other spellings of the same statements: a leaf as a one-element array, a one-element
    /// array as its element, a leaf as a value object (typed as the context types it).
    WrapInArray,
    UnwrapArray,
    ValueObject,
}

struct Mutant {
    kind: Kind,
    what: String,
    doc: Value,
}

fn mutants(
    jsonld: &JsonLdProcessor,
    doc: &Value,
    skipped: &mut BTreeMap<Kind, usize>,
) -> Vec<Mutant> {
    let aliases = terms_by_iri(jsonld);
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let mut out = Vec::new();
    let mut push = |kind: Kind, path: &[Step], note: &str, doc: Value| {
        out.push(Mutant {
            kind,
            what: format!("{}{note}", pointer(path)),
            doc,
        });
    };
    for path in &all {
        let (last, parent_path) = path.split_last().unwrap();
        let value = {
            let mut d = doc.clone();
            at_mut(&mut d, path).clone()
        };
        // (a) change a leaf.
        if let Some(new) = changed(&value) {
            let mut m = doc.clone();
            *at_mut(&mut m, path) = new;
            push(Kind::Change, path, "", m);
        }
        // The same statements, spelled otherwise (not for `@context`, whose lists are edited
        // below).
        let in_context = path.contains(&Step::Key("@context".into()));
        if !in_context && !value.is_array() && !value.is_object() {
            let mut m = doc.clone();
            *at_mut(&mut m, path) = json!([value.clone()]);
            push(Kind::WrapInArray, path, "", m);
        }
        if !in_context && value.as_array().is_some_and(|a| a.len() == 1) {
            let mut m = doc.clone();
            *at_mut(&mut m, path) = value[0].clone();
            push(Kind::UnwrapArray, path, "", m);
        }
        if !in_context && !value.is_array() && !value.is_object() {
            let mut m = doc.clone();
            *at_mut(&mut m, path) = json!({"@value": value.clone()});
            push(Kind::ValueObject, path, "", m);
            if value.is_string() {
                // A direction or a language: other statements (or none), never the same
                // claim shown with something unsigned beside it.
                for extra in [json!({"@direction": "rtl"}), json!({"@language": "en"})] {
                    let mut object = json!({"@value": value.clone()});
                    object
                        .as_object_mut()
                        .unwrap()
                        .extend(extra.as_object().unwrap().clone());
                    let mut m = doc.clone();
                    *at_mut(&mut m, path) = object;
                    push(Kind::ValueObject, path, &format!(" + {extra}"), m);
                }
            }
            if let Some((_, Some(dt))) = expanded_key(jsonld, doc, path) {
                let mut m = doc.clone();
                *at_mut(&mut m, path) = json!({"@value": value.clone(), "@type": dt});
                push(Kind::ValueObject, path, &format!(" (typed {dt})"), m);
            }
        }
        match last {
            Step::Index(i) => {
                // (b) remove the element, (c) duplicate it.
                let mut m = doc.clone();
                at_mut(&mut m, parent_path)
                    .as_array_mut()
                    .unwrap()
                    .remove(*i);
                push(Kind::Remove, path, "", m);
                let mut m = doc.clone();
                at_mut(&mut m, parent_path)
                    .as_array_mut()
                    .unwrap()
                    .insert(i + 1, value.clone());
                push(Kind::Duplicate, path, "", m);
            }
            Step::Key(key) => {
                // (b) remove the member.
                let mut m = doc.clone();
                at_mut(&mut m, parent_path)
                    .as_object_mut()
                    .unwrap()
                    .shift_remove(key);
                push(Kind::Remove, path, "", m);
                // (d) move it under `@nest`.
                let mut m = doc.clone();
                let parent = at_mut(&mut m, parent_path).as_object_mut().unwrap();
                let moved = parent.shift_remove(key).unwrap();
                let nest = parent.entry("@nest").or_insert_with(|| json!({}));
                if let Some(n) = nest.as_object_mut() {
                    n.insert(key.clone(), moved);
                    push(Kind::Nest, path, "", m);
                }
                if key == "@context" {
                    continue;
                }
                // (c) a copy under another key the contexts define for the same IRI, and
                // (e) the key spelled as its full IRI (for the aliases of keywords, the
                // keyword itself).
                let (iris, datatype): (Vec<String>, Option<String>) = match key.as_str() {
                    "id" => (vec!["@id".into()], None),
                    "type" => (vec!["@type".into()], None),
                    _ => match expanded_key(jsonld, doc, path) {
                        Some((iri, datatype)) => (vec![iri], datatype),
                        None => {
                            *skipped.entry(Kind::FullIri).or_default() += 1;
                            (Vec::new(), None)
                        }
                    },
                };
                let mut duplicated = false;
                for iri in &iris {
                    let parent = {
                        let mut d = doc.clone();
                        at_mut(&mut d, parent_path).as_object().unwrap().clone()
                    };
                    let mut m = doc.clone();
                    *at_mut(&mut m, parent_path) =
                        Value::Object(renamed(&parent, key, iri, value.clone()));
                    push(Kind::FullIri, path, &format!(" -> {iri}"), m);
                    if let (Some(dt), true) = (&datatype, !value.is_object() && !value.is_array()) {
                        let typed = json!({"@value": value, "@type": dt});
                        let mut m = doc.clone();
                        *at_mut(&mut m, parent_path) =
                            Value::Object(renamed(&parent, key, iri, typed));
                        push(Kind::FullIri, path, &format!(" -> {iri} (typed {dt})"), m);
                    }
                    let others: Vec<String> = aliases
                        .get(iri)
                        .into_iter()
                        .flatten()
                        .filter(|t| *t != key && !parent.contains_key(*t))
                        .cloned()
                        .chain(iri.starts_with('@').then(|| iri.clone()))
                        .collect();
                    for other in others {
                        let mut m = doc.clone();
                        at_mut(&mut m, parent_path)
                            .as_object_mut()
                            .unwrap()
                            .insert(other.clone(), value.clone());
                        push(Kind::Duplicate, path, &format!(" as {other}"), m);
                        duplicated = true;
                    }
                }
                if !duplicated {
                    *skipped.entry(Kind::Duplicate).or_default() += 1;
                }
            }
        }
    }
    // The `@context` lists: one entry removed, a bundled context or an inline one added.
    for path in all
        .iter()
        .filter(|p| p.last() == Some(&Step::Key("@context".into())))
    {
        let list = {
            let mut d = doc.clone();
            at_mut(&mut d, path).as_array().unwrap().clone()
        };
        for (i, entry) in list.iter().enumerate() {
            let mut m = doc.clone();
            at_mut(&mut m, path).as_array_mut().unwrap().remove(i);
            push(Kind::ContextRemove, path, &format!(" without {entry}"), m);
        }
        for (url, _) in BUNDLED_CONTEXTS {
            if list.iter().any(|c| c == url) {
                continue;
            }
            let mut m = doc.clone();
            at_mut(&mut m, path)
                .as_array_mut()
                .unwrap()
                .push(json!(url));
            push(Kind::ContextAddBundled, path, &format!(" + {url}"), m);
        }
        for inline in [
            json!({"probe": "https://example.org/probe"}),
            json!({"@vocab": "https://example.org/vocab#"}),
            json!({"nm": "https://schema.org/name"}),
        ] {
            let mut m = doc.clone();
            at_mut(&mut m, path)
                .as_array_mut()
                .unwrap()
                .push(inline.clone());
            push(Kind::ContextAddInline, path, &format!(" + {inline}"), m);
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    mutants: usize,
    rejected: usize,
    unchanged: usize,
    /// Accepted, the same values under other pointers (kinds that only respell).
    respelled: usize,
}

impl Kind {
    /// Kinds that spell the same statements otherwise (a leaf as a one-element array or as a
    /// value object). The profile accepts them (issuers write both forms), so the values
    /// shown must be the same, but their pointers may differ by a `/0` or a `/@value`.
    fn respells(self) -> bool {
        matches!(
            self,
            Kind::WrapInArray | Kind::UnwrapArray | Kind::ValueObject
        )
    }
}

/// One credential's checked fields (with the presentation's) and its claims.
type Despelled = (Vec<String>, Vec<(String, Value)>);

/// `shown` with the pointers reduced to the spelling-independent part: no `/0` segment, no
/// `/@value` ending, no value object's `@type` (which the proof binds to the signed
/// datatype).
fn despelled(shown: &Shown) -> Vec<Despelled> {
    shown
        .credentials
        .iter()
        .map(|c| {
            let claims = c
                .claims
                .iter()
                .filter(|(p, _)| !p.ends_with("/@type"))
                .map(|(p, v)| {
                    let p = p.strip_suffix("/@value").unwrap_or(p);
                    let p: String = p
                        .split('/')
                        .filter(|s| *s != "0")
                        .collect::<Vec<_>>()
                        .join("/");
                    (p, v.clone())
                })
                .collect();
            let mut head = vec![c.issuer.clone(), format!("{:?}", c.issuer_name)];
            head.extend(c.types.iter().cloned());
            head.extend(c.status.iter().cloned());
            head.extend([
                format!("{:?}", shown.holder),
                format!("{:?}", shown.challenge),
                format!("{:?}", shown.domain),
            ]);
            (head, claims)
        })
        .collect()
}

/// The sweep of `original`: the mutants that were accepted and show something else.
fn sweep(desk: &Desk, name: &str, original: &Value, policy: &Policy) -> Vec<String> {
    let start = Instant::now();
    let ok = desk
        .verifier
        .verify(original, policy, &desk.lists)
        .unwrap_or_else(|r| panic!("{name}: the original is accepted: {r}"));
    let want = shown(&ok);
    let mut skipped = BTreeMap::new();
    let all = mutants(&desk.jsonld, original, &mut skipped);
    let mut tally: BTreeMap<Kind, Tally> = BTreeMap::new();
    let mut changed = Vec::new();
    for m in &all {
        let t = tally.entry(m.kind).or_default();
        t.mutants += 1;
        match desk.verifier.verify(&m.doc, policy, &desk.lists) {
            Err(_) => t.rejected += 1,
            Ok(vp) => {
                let got = shown(&vp);
                if got == want {
                    t.unchanged += 1;
                } else if m.kind.respells() && despelled(&got) == despelled(&want) {
                    t.respelled += 1;
                } else {
                    changed.push(format!(
                        "{name}: {:?} {}: accepted, shows {}",
                        m.kind,
                        m.what,
                        difference(&want, &got)
                    ));
                }
            }
        }
    }
    let total = |f: fn(&Tally) -> usize| tally.values().map(f).sum::<usize>();
    println!(
        "{name}: {} mutants, {} rejected, {} accepted unchanged, {} accepted with the same values respelled, {} accepted CHANGED ({:.1} s)",
        total(|t| t.mutants),
        total(|t| t.rejected),
        total(|t| t.unchanged),
        total(|t| t.respelled),
        changed.len(),
        start.elapsed().as_secs_f64()
    );
    for (kind, t) in &tally {
        println!(
            "  {kind:?}: {} mutants, {} rejected, {} accepted unchanged, {} respelled",
            t.mutants, t.rejected, t.unchanged, t.respelled
        );
    }
    for (kind, n) in &skipped {
        println!("  {kind:?}: {n} members without a mutant of this kind");
    }
    changed
}

#[test]
fn every_mutant_of_a_credential_or_presentation_is_rejected_or_shows_the_same() {
    let desk = Desk::new();
    let derived = desk.derived();
    let mut changed = sweep(&desk, "derived credential", &derived, &desk.policy(false));
    let vp = desk.presentation(&derived);
    changed.extend(sweep(&desk, "presentation", &vp, &desk.policy(true)));
    assert!(
        changed.is_empty(),
        "{} mutants change what the verifier shows:\n{}",
        changed.len(),
        changed.join("\n")
    );
}

/// Found by the sweep: a repeated array element is the same statement again, so the proof
/// still verified, and the desk showed `type/2: UniversityDegreeCredential` (or any repeated
/// claim value) as one more claim. Refused by the profile now.
#[test]
fn a_repeated_array_element_is_refused() {
    let desk = Desk::new();
    let derived = desk.derived();
    let mut mutant = derived.clone();
    mutant["type"]
        .as_array_mut()
        .unwrap()
        .push(json!("UniversityDegreeCredential"));
    Bbs2023::new(Arc::clone(&desk.jsonld))
        .verify(&mutant)
        .expect("the repetition keeps the signed statements");
    let r = desk
        .verifier
        .verify(&mutant, &desk.policy(false), &desk.lists)
        .unwrap_err();
    assert!(r.to_string().contains("/type/2"), "{r}");
    // Equal objects in another member order are the same element too.
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "a": [{"id": "urn:x", "name": "n"}, {"name": "n", "id": "urn:x"}],
    });
    assert!(civitas_core::vc::check_profile(&doc).is_err());
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "a": [{"id": "urn:x", "name": "n"}, {"name": "m", "id": "urn:x"}, 1, "1", [1], [[1]]],
    });
    civitas_core::vc::check_profile(&doc).unwrap();
}

/// Found by the sweep: `{"@value": "Ada", "@direction": "rtl"}` is the same statement as
/// `"Ada"` (the cryptosuites convert to RDF without an `rdfDirection`, so the direction is
/// dropped), so the proof verified and the desk showed an unsigned `@direction` beside the
/// name. Refused by the profile now.
#[test]
fn an_unsigned_direction_is_refused() {
    let desk = Desk::new();
    let derived = desk.derived();
    let mut mutant = derived.clone();
    mutant["credentialSubject"]["givenName"] = json!({"@value": "Ada", "@direction": "rtl"});
    Bbs2023::new(Arc::clone(&desk.jsonld))
        .verify(&mutant)
        .expect("the direction is not in the signed statements");
    let r = desk
        .verifier
        .verify(&mutant, &desk.policy(false), &desk.lists)
        .unwrap_err();
    assert!(r.to_string().contains("@direction"), "{r}");
}
