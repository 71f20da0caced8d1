//! DCQL (OpenID4VP 1.0 §6) and claims path pointers (§7): the spec's examples, the selection
//! rules, and the queries that must be refused.
#![expect(
    clippy::panic,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]

use civitas_core::openid4vp::dcql::{
    Candidate, DcqlError, DcqlQuery, PathComponent, Selected, process_path,
};
use serde_json::{Value, json};

const VC: &str = "https://www.w3.org/2018/credentials#VerifiableCredential";
const DEGREE: &str = "https://civitas.example/vocab#UniversityDegreeCredential";
const ID_CARD: &str = "https://civitas.example/vocab#IdentityCard";

/// §7.3's example credential.
fn arthur() -> Value {
    json!({
        "name": "Arthur Dent",
        "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
        "degrees": [
            {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
            {"type": "Master of Science", "university": "University of Betelgeuse"}
        ],
        "nationalities": ["British", "Betelgeusian"]
    })
}

fn path(v: Value) -> Vec<PathComponent> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| match c {
            Value::String(s) => PathComponent::Key(s.clone()),
            Value::Null => PathComponent::All,
            Value::Number(n) => PathComponent::Index(n.as_u64().unwrap() as usize),
            _ => panic!(),
        })
        .collect()
}

#[test]
fn the_claims_path_pointer_examples_of_section_7() {
    let c = arthur();
    let pointers = |p: Value| -> Vec<(String, Value)> {
        process_path(&c, &path(p))
            .unwrap_or_default()
            .into_iter()
            .map(|(p, v)| (p, v.clone()))
            .collect()
    };
    assert_eq!(
        pointers(json!(["name"])),
        vec![("/name".into(), json!("Arthur Dent"))]
    );
    assert_eq!(pointers(json!(["address"]))[0].0, "/address");
    assert_eq!(
        pointers(json!(["address", "street_address"])),
        vec![("/address/street_address".into(), json!("42 Market Street"))]
    );
    assert_eq!(
        pointers(json!(["degrees", null, "type"])),
        vec![
            ("/degrees/0/type".into(), json!("Bachelor of Science")),
            ("/degrees/1/type".into(), json!("Master of Science"))
        ]
    );
    assert_eq!(
        pointers(json!(["nationalities", 1])),
        vec![("/nationalities/1".into(), json!("Betelgeusian"))]
    );
    // Errors of §7.1: a key into a non-object, null or an index into a non-array; nothing
    // selected.
    assert!(process_path(&c, &path(json!(["name", "x"]))).is_none());
    assert!(process_path(&c, &path(json!(["address", null]))).is_none());
    assert!(process_path(&c, &path(json!(["address", 0]))).is_none());
    assert!(process_path(&c, &path(json!(["nothing"]))).is_none());
    assert!(process_path(&c, &path(json!(["nationalities", 7]))).is_none());
    // Keys are escaped into JSON pointers.
    let odd = json!({"a/b": {"c~d": 1}});
    assert_eq!(
        process_path(&odd, &path(json!(["a/b", "c~d"]))).unwrap()[0].0,
        "/a~1b/c~0d"
    );
}

fn diploma() -> Value {
    json!({
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": "did:key:z",
        "credentialSubject": {
            "givenName": "Ada", "familyName": "Lovelace", "birthDate": "1815-12-10",
            "degree": {"type": "MasterDegree", "name": "MSc Computer Science"}
        }
    })
}

fn id_card() -> Value {
    json!({
        "type": ["VerifiableCredential", "IdentityCard"],
        "credentialSubject": {"givenName": "Ada", "ageOver18": true, "nationality": "GB"}
    })
}

fn query(v: Value) -> DcqlQuery {
    DcqlQuery::parse(&v).unwrap()
}

fn ldp(id: &str, types: &[&str], extra: Value) -> Value {
    let mut q = json!({"id": id, "format": "ldp_vc", "meta": {"type_values": [types]}});
    for (k, v) in extra.as_object().unwrap() {
        q[k] = v.clone();
    }
    q
}

struct Wallet {
    diploma: Value,
    id_card: Value,
    degree_types: Vec<String>,
    id_types: Vec<String>,
}

impl Wallet {
    fn new() -> Wallet {
        Wallet {
            diploma: diploma(),
            id_card: id_card(),
            degree_types: vec![VC.into(), DEGREE.into()],
            id_types: vec![VC.into(), ID_CARD.into()],
        }
    }
    fn candidates(&self, id_bound: bool) -> Vec<Candidate<'_>> {
        vec![
            Candidate {
                id: "diploma",
                credential: &self.diploma,
                expanded_types: &self.degree_types,
                holder_binding: true,
            },
            Candidate {
                id: "card",
                credential: &self.id_card,
                expanded_types: &self.id_types,
                holder_binding: id_bound,
            },
        ]
    }
}

fn picked(q: &DcqlQuery, w: &Wallet) -> Result<Vec<(String, Vec<Selected>)>, DcqlError> {
    q.select(&w.candidates(true))
        .map(|s| s.into_iter().map(|s| (s.query_id, s.credentials)).collect())
}

fn sel(id: &str, pointers: &[&str]) -> Selected {
    Selected {
        credential_id: id.into(),
        pointers: pointers.iter().map(|p| (*p).to_owned()).collect(),
    }
}

#[test]
fn selection_follows_section_6_4() {
    let w = Wallet::new();
    // Only the claims asked for; matched by expanded type.
    let q = query(json!({"credentials": [ldp("deg", &[VC, DEGREE], json!({
        "claims": [{"path": ["credentialSubject", "degree", "name"]}]
    }))]}));
    assert_eq!(
        picked(&q, &w).unwrap(),
        vec![(
            "deg".into(),
            vec![sel("diploma", &["/credentialSubject/degree/name"])]
        )]
    );
    // No claims: nothing selectively disclosable.
    let q = query(json!({"credentials": [ldp("deg", &[DEGREE], json!({}))]}));
    assert_eq!(
        picked(&q, &w).unwrap(),
        vec![("deg".into(), vec![sel("diploma", &[])])]
    );
    // Compact type names are not expanded IRIs: no match.
    let q = query(json!({"credentials": [ldp("deg", &["UniversityDegreeCredential"], json!({}))]}));
    assert_eq!(picked(&q, &w), Err(DcqlError::Unsatisfiable));
    // claim_sets: the first option the credential satisfies.
    let q = query(json!({"credentials": [ldp("id", &[ID_CARD], json!({
        "claims": [
            {"id": "over18", "path": ["credentialSubject", "ageOver21"]},
            {"id": "birth", "path": ["credentialSubject", "ageOver18"]},
            {"id": "name", "path": ["credentialSubject", "givenName"]}
        ],
        "claim_sets": [["over18"], ["birth", "name"]]
    }))]}));
    assert_eq!(
        picked(&q, &w).unwrap(),
        vec![(
            "id".into(),
            vec![sel(
                "card",
                &[
                    "/credentialSubject/ageOver18",
                    "/credentialSubject/givenName"
                ]
            )]
        )]
    );
    // values: a claim whose value does not match is treated as absent.
    let q = query(json!({"credentials": [ldp("id", &[ID_CARD], json!({
        "claims": [{"path": ["credentialSubject", "nationality"], "values": ["FR", "DE"]}]
    }))]}));
    assert_eq!(picked(&q, &w), Err(DcqlError::Unsatisfiable));
    let q = query(json!({"credentials": [ldp("id", &[ID_CARD], json!({
        "claims": [{"path": ["credentialSubject", "ageOver18"], "values": [true]}]
    }))]}));
    assert!(picked(&q, &w).is_ok());
    // Integer 1 is not true: type and value must both match.
    let q = query(json!({"credentials": [ldp("id", &[ID_CARD], json!({
        "claims": [{"path": ["credentialSubject", "ageOver18"], "values": [1]}]
    }))]}));
    assert_eq!(picked(&q, &w), Err(DcqlError::Unsatisfiable));
    // A missing claim: the credential is not returned.
    let q = query(json!({"credentials": [ldp("deg", &[DEGREE], json!({
        "claims": [{"path": ["credentialSubject", "gpa"]}]
    }))]}));
    assert_eq!(picked(&q, &w), Err(DcqlError::Unsatisfiable));
}

#[test]
fn credential_sets_and_holder_binding() {
    let w = Wallet::new();
    let both = json!([
        ldp(
            "deg",
            &[DEGREE],
            json!({"claims": [{"path": ["credentialSubject", "degree", "name"]}]})
        ),
        ldp(
            "id",
            &[ID_CARD],
            json!({"claims": [{"path": ["credentialSubject", "givenName"]}]})
        ),
        ldp(
            "passport",
            &["https://civitas.example/vocab#Passport"],
            json!({})
        )
    ]);
    // Without sets every query is required: the passport is missing.
    let q = query(json!({"credentials": both}));
    assert_eq!(picked(&q, &w), Err(DcqlError::Unsatisfiable));
    // With sets: the first satisfiable option; an optional set that cannot be met is skipped.
    let q = query(json!({"credentials": both, "credential_sets": [
        {"options": [["passport"], ["id"]]},
        {"options": [["deg"]], "required": false},
        {"options": [["passport"]], "required": false}
    ]}));
    let got: Vec<String> = picked(&q, &w)
        .unwrap()
        .into_iter()
        .map(|(q, _)| q)
        .collect();
    assert_eq!(got, vec!["deg".to_owned(), "id".to_owned()]);
    // A required set that cannot be met.
    let q = query(json!({"credentials": both, "credential_sets": [{"options": [["passport"]]}]}));
    assert_eq!(picked(&q, &w), Err(DcqlError::Unsatisfiable));
    // Holder binding required by default: a credential the wallet cannot bind is not offered.
    let q = query(json!({"credentials": [ldp("id", &[ID_CARD], json!({}))]}));
    assert_eq!(
        q.select(&w.candidates(false)),
        Err(DcqlError::Unsatisfiable)
    );
    let q = query(
        json!({"credentials": [ldp("id", &[ID_CARD], json!({"require_cryptographic_holder_binding": false}))]}),
    );
    assert!(q.select(&w.candidates(false)).is_ok());
    // multiple: every matching credential, else the first.
    let q = query(json!({"credentials": [ldp("any", &[VC], json!({"multiple": true}))]}));
    assert_eq!(picked(&q, &w).unwrap()[0].1.len(), 2);
    let q = query(json!({"credentials": [ldp("any", &[VC], json!({}))]}));
    assert_eq!(picked(&q, &w).unwrap()[0].1.len(), 1);
}

#[test]
fn invalid_queries_are_refused_with_a_reason() {
    let ok = ldp("a", &[VC], json!({}));
    let cases = [
        json!([]),
        json!({}),
        json!({"credentials": []}),
        json!({"credentials": [ok.clone(), ok.clone()]}),
        json!({"credentials": [ldp("bad id!", &[VC], json!({}))]}),
        json!({"credentials": [ldp("", &[VC], json!({}))]}),
        json!({"credentials": [{"id": "a", "format": "ldp_vc"}]}),
        json!({"credentials": [{"id": "a", "format": "ldp_vc", "meta": {}}]}),
        json!({"credentials": [{"id": "a", "format": "ldp_vc", "meta": {"type_values": [[]]}}]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": []}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"path": []}]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"path": ["x", -1]}]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"path": ["x", 1.5]}]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"path": ["x"], "values": [{"o": 1}]}]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claim_sets": [["x"]]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"path": ["x"]}], "claim_sets": [["x"]]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"id": "x", "path": ["x"]}, {"id": "x", "path": ["y"]}]}))]}),
        json!({"credentials": [ldp("a", &[VC], json!({"claims": [{"id": "x", "path": ["x"]}], "claim_sets": [["y"]]}))]}),
        json!({"credentials": [ok.clone()], "credential_sets": []}),
        json!({"credentials": [ok.clone()], "credential_sets": [{"options": [["b"]]}]}),
        json!({"credentials": [ok.clone()], "credential_sets": [{"options": [["a"]], "required": "yes"}]}),
        json!({"credentials": [ldp("a", &[VC], json!({"multiple": 1}))]}),
    ];
    for c in cases {
        let e = DcqlQuery::parse(&c).unwrap_err();
        assert!(matches!(e, DcqlError::Invalid(_)), "{c}: {e:?}");
    }
    let e =
        DcqlQuery::parse(&json!({"credentials": [{"id": "a", "format": "mso_mdoc", "meta": {}}]}))
            .unwrap_err();
    assert_eq!(e, DcqlError::UnsupportedFormat("mso_mdoc".into()));
    // Unknown members are ignored (§6).
    assert!(DcqlQuery::parse(&json!({"credentials": [ok], "future": 1})).is_ok());
}
