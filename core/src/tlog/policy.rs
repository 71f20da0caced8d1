//! Trust policies ([c2sp.org/tlog-policy](https://c2sp.org/tlog-policy)): which logs, which
//! witnesses, and the quorum of cosignatures a checkpoint needs before a verifier believes it.
//!
//! In the order of the text: the line structure (whitespace is spaces and tabs, `#` comments,
//! only tab and newline as control characters), `log <vkey> [<url>]` (the key name is the
//! origin), `witness <name> <vkey> [<url>]`, `quorum <name>` (exactly one; `none` needs no
//! cosignature), and `group <name> all|any|<k> <name>...` (members defined on earlier lines,
//! each at most once). Duplicate keys (the same public key under any name) are refused.
//! Limits: 32 logs, 32 witnesses, 32 groups, which the text recommends supporting.

use super::checkpoint::{SignedCheckpoint, open_checkpoint};
use super::note::{NoteError, NoteVerifier};

/// Most logs, witnesses and groups a policy may define (each).
pub const MAX_POLICY_ENTRIES: usize = 32;

/// Why a policy file is refused, or a checkpoint does not satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy file is malformed: its line number and the reason.
    #[error("policy line {line}: {reason}")]
    Syntax {
        /// The line (1-based).
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The policy lists no log of that origin.
    #[error("the policy lists no log {0}")]
    UnknownLog(String),
    /// The checkpoint's note does not verify.
    #[error("the checkpoint: {0}")]
    Checkpoint(#[from] NoteError),
    /// The checkpoint's valid cosignatures do not make the quorum.
    #[error("the checkpoint is cosigned by {got} (of the policy's witnesses), short of its quorum")]
    NoQuorum {
        /// The witnesses that did cosign, comma-separated (or "none").
        got: String,
    },
}

/// A log the policy trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyLog {
    /// Its key; the key name is the origin.
    pub key: NoteVerifier,
    /// Where it is served (tlog-tiles prefix), when given.
    pub url: Option<String>,
}

/// A witness the policy names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyWitness {
    /// Its name in the policy.
    pub name: String,
    /// Its cosignature key.
    pub key: NoteVerifier,
    /// Its submission prefix (tlog-witness), when given.
    pub url: Option<String>,
}

/// A node of the quorum rule: a witness, or a group of `k` of its members.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Witness(usize),
    Group { k: usize, members: Vec<usize> },
}

/// A parsed policy. Read with [`Policy::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    logs: Vec<PolicyLog>,
    witnesses: Vec<PolicyWitness>,
    /// Names and nodes in definition order (witnesses and groups share one namespace).
    names: Vec<(String, Node)>,
    /// The quorum's node; `None` is `quorum none`.
    quorum: Option<usize>,
}

/// A checkpoint that satisfies a [`Policy`]: signed by one of its logs and cosigned by a
/// quorum of its witnesses. Built only by [`Policy::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCheckpoint {
    signed: SignedCheckpoint,
    witnesses: Vec<String>,
    newest_cosignature: Option<u64>,
}

impl PolicyCheckpoint {
    /// The checkpoint, its note and its verified signatures.
    pub fn signed(&self) -> &SignedCheckpoint {
        &self.signed
    }
    /// The policy names of the witnesses whose cosignatures verified.
    pub fn witnesses(&self) -> &[String] {
        &self.witnesses
    }
    /// The newest timestamp among the verified cosignatures (the checkpoint was current then).
    pub fn newest_cosignature(&self) -> Option<u64> {
        self.newest_cosignature
    }
}

fn syntax(line: usize, reason: &'static str) -> PolicyError {
    PolicyError::Syntax { line, reason }
}

impl Policy {
    /// Read a policy file.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let mut p = Policy {
            logs: Vec::new(),
            witnesses: Vec::new(),
            names: Vec::new(),
            quorum: None,
        };
        let mut quorum_seen = false;
        let mut groups = 0usize;
        for (i, raw) in text.split('\n').enumerate() {
            let n = i + 1;
            if raw.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(syntax(
                    n,
                    "only tab and newline are allowed as control characters",
                ));
            }
            let words: Vec<&str> = raw.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
            let Some((&keyword, args)) = words.split_first() else {
                continue;
            };
            if keyword.starts_with('#') {
                continue;
            }
            if quorum_seen && keyword == "quorum" {
                return Err(syntax(n, "a policy has exactly one quorum line"));
            }
            match (keyword, args) {
                ("log", [vkey, rest @ ..]) if rest.len() <= 1 => {
                    let key = NoteVerifier::parse(vkey).map_err(|_| syntax(n, "not a log vkey"))?;
                    if key.is_cosigner() {
                        return Err(syntax(
                            n,
                            "a log key signs notes (type 0x01), not cosignatures",
                        ));
                    }
                    if p.logs.len() == MAX_POLICY_ENTRIES {
                        return Err(syntax(n, "more than 32 logs"));
                    }
                    if p.logs
                        .iter()
                        .any(|l| l.key.public_key() == key.public_key())
                    {
                        return Err(syntax(n, "a duplicate log key"));
                    }
                    p.logs.push(PolicyLog {
                        key,
                        url: rest.first().map(|u| (*u).to_owned()),
                    });
                }
                ("witness", [name, vkey, rest @ ..]) if rest.len() <= 1 => {
                    let key =
                        NoteVerifier::parse(vkey).map_err(|_| syntax(n, "not a witness vkey"))?;
                    if !key.is_cosigner() {
                        return Err(syntax(n, "a witness key is a cosignature key (type 0x04)"));
                    }
                    if p.witnesses.len() == MAX_POLICY_ENTRIES {
                        return Err(syntax(n, "more than 32 witnesses"));
                    }
                    if p.witnesses
                        .iter()
                        .any(|w| w.key.public_key() == key.public_key())
                    {
                        return Err(syntax(n, "a duplicate witness key"));
                    }
                    p.define(n, name, Node::Witness(p.witnesses.len()))?;
                    p.witnesses.push(PolicyWitness {
                        name: (*name).to_owned(),
                        key,
                        url: rest.first().map(|u| (*u).to_owned()),
                    });
                }
                ("group", [name, k, members @ ..]) if !members.is_empty() => {
                    if groups == MAX_POLICY_ENTRIES {
                        return Err(syntax(n, "more than 32 groups"));
                    }
                    let mut idx = Vec::with_capacity(members.len());
                    for m in members {
                        let j = p
                            .lookup(m)
                            .ok_or(syntax(n, "a group member is defined on an earlier line"))?;
                        if idx.contains(&j) {
                            return Err(syntax(n, "a name is a group member at most once"));
                        }
                        idx.push(j);
                    }
                    let k = match *k {
                        "all" => idx.len(),
                        "any" => 1,
                        k => {
                            let v = parse_decimal(k)
                                .ok_or(syntax(n, "a threshold is all, any or a number"))?;
                            if v == 0 || v > idx.len() {
                                return Err(syntax(
                                    n,
                                    "a threshold is between 1 and the member count",
                                ));
                            }
                            v
                        }
                    };
                    p.define(n, name, Node::Group { k, members: idx })?;
                    groups += 1;
                }
                ("quorum", [name]) => {
                    quorum_seen = true;
                    if *name != "none" {
                        p.quorum = Some(p.lookup(name).ok_or(syntax(
                            n,
                            "the quorum names a witness or group defined earlier",
                        ))?);
                    }
                }
                ("log" | "witness" | "group" | "quorum", _) => {
                    return Err(syntax(n, "wrong number of words for this line"));
                }
                _ => {
                    return Err(syntax(
                        n,
                        "a line is log, witness, group, quorum or a comment",
                    ));
                }
            }
        }
        if !quorum_seen {
            return Err(syntax(
                text.split('\n').count(),
                "a policy has a quorum line",
            ));
        }
        Ok(p)
    }

    fn lookup(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|(n, _)| n == name)
    }

    fn define(&mut self, line: usize, name: &str, node: Node) -> Result<(), PolicyError> {
        if name == "none" || self.lookup(name).is_some() {
            return Err(syntax(
                line,
                "a name is defined once (and none is reserved)",
            ));
        }
        self.names.push((name.to_owned(), node));
        Ok(())
    }

    /// The logs.
    pub fn logs(&self) -> &[PolicyLog] {
        &self.logs
    }

    /// The witnesses.
    pub fn witnesses(&self) -> &[PolicyWitness] {
        &self.witnesses
    }

    /// The log of `origin`.
    pub fn log(&self, origin: &str) -> Option<&PolicyLog> {
        self.logs.iter().find(|l| l.key.name() == origin)
    }

    /// Whether the witnesses at `cosigned` (indexes into [`Policy::witnesses`]) make the
    /// quorum.
    pub fn quorum_met(&self, cosigned: &[usize]) -> bool {
        match self.quorum {
            None => true,
            Some(q) => self.satisfied(q, cosigned, 0),
        }
    }

    fn satisfied(&self, node: usize, cosigned: &[usize], depth: usize) -> bool {
        // Groups refer only to earlier names, so depth is bounded by the name count.
        if depth > self.names.len() {
            return false;
        }
        match self.names.get(node).map(|(_, n)| n) {
            Some(Node::Witness(w)) => cosigned.contains(w),
            Some(Node::Group { k, members }) => {
                members
                    .iter()
                    .filter(|&&m| self.satisfied(m, cosigned, depth + 1))
                    .count()
                    >= *k
            }
            None => false,
        }
    }

    /// Check a signed checkpoint of `origin`: signed by the policy's log of that origin, and
    /// cosigned by a quorum of its witnesses (a known witness whose line fails refuses it).
    pub fn check(&self, note: &[u8], origin: &str) -> Result<PolicyCheckpoint, PolicyError> {
        let log = self
            .log(origin)
            .ok_or_else(|| PolicyError::UnknownLog(origin.chars().take(200).collect()))?;
        let keys: Vec<NoteVerifier> = self.witnesses.iter().map(|w| w.key.clone()).collect();
        let signed = open_checkpoint(note, origin, &log.key, &keys)?;
        let mut cosigned = Vec::new();
        let mut newest = None;
        for v in signed.cosigned_by() {
            if let Some(i) = self
                .witnesses
                .iter()
                .position(|w| w.key.name() == v.name && w.key.id() == v.id)
            {
                if !cosigned.contains(&i) {
                    cosigned.push(i);
                }
                newest = newest.max(v.timestamp);
            }
        }
        let names: Vec<String> = cosigned
            .iter()
            .filter_map(|&i| self.witnesses.get(i).map(|w| w.name.clone()))
            .collect();
        if !self.quorum_met(&cosigned) {
            return Err(PolicyError::NoQuorum {
                got: if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                },
            });
        }
        Ok(PolicyCheckpoint {
            signed,
            witnesses: names,
            newest_cosignature: newest,
        })
    }
}

fn parse_decimal(s: &str) -> Option<usize> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail by panicking"
)]
mod tests {
    use super::*;
    use crate::tlog::checkpoint::Checkpoint;
    use crate::tlog::note::{Note, NoteSigner};

    fn signer(name: &str, seed: u8, cosigner: bool) -> NoteSigner {
        NoteSigner::from_seed(name, &[seed; 32], cosigner).unwrap()
    }

    #[test]
    fn the_spec_example_two_groups_quorum() {
        let log = signer("uni.example/log", 1, false);
        let ws: Vec<NoteSigner> = (0..6)
            .map(|i| signer(&format!("w{i}.example"), 10 + i, true))
            .collect();
        let mut text = format!("# two bodies\nlog {}\n\n", log.verifier().vkey());
        for (i, w) in ws.iter().enumerate() {
            let name = if i < 3 {
                format!("X{}", i + 1)
            } else {
                format!("Y{}", i - 2)
            };
            text.push_str(&format!(
                "witness {name}\t{} https://w{i}.example/\n",
                w.verifier().vkey()
            ));
        }
        text.push_str("group X-witnesses 2 X1 X2 X3\n  group Y-witnesses any Y1 Y2 Y3\n");
        text.push_str("group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n");
        let p = Policy::parse(&text).unwrap();
        assert_eq!((p.logs().len(), p.witnesses().len()), (1, 6));
        assert!(p.quorum_met(&[0, 1, 3]));
        assert!(!p.quorum_met(&[0, 3, 4, 5]), "one X witness is not two");
        assert!(!p.quorum_met(&[0, 1, 2]), "no Y witness");

        let cp = Checkpoint {
            origin: "uni.example/log".into(),
            size: 3,
            root: [7; 32],
            extensions: vec![],
        }
        .to_text();
        let good = Note::sign(&cp, &[&log, &ws[0], &ws[2], &ws[5]], 1_800_000_000).unwrap();
        let c = p.check(good.as_bytes(), "uni.example/log").unwrap();
        assert_eq!(c.witnesses(), ["X1", "X3", "Y3"]);
        assert_eq!(c.newest_cosignature(), Some(1_800_000_000));
        let short = Note::sign(&cp, &[&log, &ws[0], &ws[5]], 1).unwrap();
        let e = p.check(short.as_bytes(), "uni.example/log").unwrap_err();
        assert_eq!(
            e,
            PolicyError::NoQuorum {
                got: "X1, Y3".into()
            }
        );
        assert!(matches!(
            p.check(good.as_bytes(), "other/log"),
            Err(PolicyError::UnknownLog(_))
        ));
    }

    #[test]
    fn quorum_none_and_malformed_policies() {
        let log = signer("l", 1, false);
        let w = signer("w", 2, true);
        let p = Policy::parse(&format!("log {}\nquorum none\n", log.verifier().vkey())).unwrap();
        let cp = Checkpoint {
            origin: "l".into(),
            size: 0,
            root: [0; 32],
            extensions: vec![],
        }
        .to_text();
        assert!(
            p.check(Note::sign(&cp, &[&log], 0).unwrap().as_bytes(), "l")
                .is_ok()
        );
        let (lv, wv) = (log.verifier().vkey(), w.verifier().vkey());
        let dup = signer("w-other-name", 2, true).verifier().vkey();
        for (text, why) in [
            (String::new(), "a quorum line"),
            (
                format!("log {lv}\nquorum none\nquorum none\n"),
                "exactly one",
            ),
            (format!("witness a {wv}\nquorum b\n"), "defined earlier"),
            (
                format!("witness a {wv}\nwitness b {dup}\nquorum a\n"),
                "duplicate witness",
            ),
            (format!("witness a {lv}\nquorum a\n"), "cosignature key"),
            (format!("log {wv}\nquorum none\n"), "type 0x01"),
            (
                format!("witness a {wv}\ngroup g 2 a\nquorum g\n"),
                "threshold",
            ),
            (
                format!("witness a {wv}\ngroup g 01 a\nquorum g\n"),
                "threshold is all",
            ),
            (
                format!("witness a {wv}\ngroup g any a a\nquorum g\n"),
                "at most once",
            ),
            (format!("witness none {wv}\nquorum none\n"), "reserved"),
            ("quorum none\nbogus x\n".to_owned(), "a line is"),
            ("quorum none\x0b\n".to_owned(), "control"),
        ] {
            let e = Policy::parse(&text).unwrap_err().to_string();
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }
}
