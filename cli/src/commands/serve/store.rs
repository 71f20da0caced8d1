//! Desk transactions and where they live.
//!
//! One process keeps them in memory ([`MemoryStore`]). Several instances behind a load
//! balancer need a shared store implementing [`TransactionStore`] (Redis, a database): its
//! `claim` must be atomic across instances (a compare-and-set on the phase), entries must
//! expire by themselves, and the encryption key of each transaction must be kept as secret
//! as the desk's signing key (see `docs/serve.md`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use civitas_core::jose::EcPrivateJwk;
use serde_json::Value;

/// Where a transaction is.
#[derive(Debug, Clone)]
pub(super) enum Phase {
    /// Waiting for the wallet.
    Pending,
    /// A response arrived and is being checked.
    Checking,
    /// Decided: the `civitas verify --format json` result object of the response.
    Done { valid: bool, result: Arc<Value> },
}

/// One check started at the desk.
#[derive(Debug, Clone)]
pub(super) struct Transaction {
    /// The desk's handle (`/desk/checks/{id}`), never shown to the wallet.
    pub id: String,
    /// The wallet's handle (`request_uri` and `response_uri`), never a desk handle.
    pub rid: String,
    /// The check's name.
    pub check: String,
    /// The request's nonce (single use: the transaction answers once).
    pub nonce: String,
    /// The request's state.
    pub state: String,
    /// When it stops accepting a response.
    pub expires: Instant,
    /// Seconds since the Unix epoch at expiry (what the desk's JSON says).
    pub expires_at: u64,
    /// The key `direct_post.jwt` responses are encrypted to, made for this transaction.
    pub enc: Option<Arc<EcPrivateJwk>>,
    /// Where it is.
    pub phase: Phase,
}

/// Why a response cannot be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClaimError {
    /// No such transaction (or long gone).
    Unknown,
    /// It expired before the response came.
    Expired,
    /// A response was already taken.
    Answered,
}

/// A store is full.
#[derive(Debug, Clone, Copy)]
pub(super) struct Full;

/// Transactions, by desk id and by wallet id.
pub(super) trait TransactionStore: Send + Sync + 'static {
    /// Keep a new transaction; `Err` when the store holds its maximum.
    fn insert(&self, tx: Transaction) -> Result<(), Full>;
    /// A copy of the transaction with desk id `id`.
    fn by_id(&self, id: &str) -> Option<Transaction>;
    /// A copy of the transaction with wallet id `rid`.
    fn by_rid(&self, rid: &str) -> Option<Transaction>;
    /// Take the one response of transaction `rid`: a pending, unexpired transaction moves to
    /// [`Phase::Checking`] (atomically: two responses never both pass) and is returned.
    fn claim(&self, rid: &str, now: Instant) -> Result<Transaction, ClaimError>;
    /// Record the verdict of a claimed transaction.
    fn finish(&self, rid: &str, valid: bool, result: Value);
    /// Forget transactions that ended more than `keep` ago.
    fn purge(&self, now: Instant, keep: Duration);
}

/// The in-memory store of one process.
#[derive(Debug, Default)]
pub(super) struct MemoryStore {
    max: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    by_rid: HashMap<String, Transaction>,
    rid_of: HashMap<String, String>,
}

impl MemoryStore {
    /// A store holding at most `max` transactions.
    pub(super) fn new(max: usize) -> MemoryStore {
        MemoryStore {
            max,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written entry (every change is
        // one insert or one field), so a poisoned lock is still usable.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl TransactionStore for MemoryStore {
    fn insert(&self, tx: Transaction) -> Result<(), Full> {
        let mut inner = self.lock();
        if inner.by_rid.len() >= self.max {
            return Err(Full);
        }
        inner.rid_of.insert(tx.id.clone(), tx.rid.clone());
        inner.by_rid.insert(tx.rid.clone(), tx);
        Ok(())
    }

    fn by_id(&self, id: &str) -> Option<Transaction> {
        let inner = self.lock();
        let rid = inner.rid_of.get(id)?;
        inner.by_rid.get(rid).cloned()
    }

    fn by_rid(&self, rid: &str) -> Option<Transaction> {
        self.lock().by_rid.get(rid).cloned()
    }

    fn claim(&self, rid: &str, now: Instant) -> Result<Transaction, ClaimError> {
        let mut inner = self.lock();
        let tx = inner.by_rid.get_mut(rid).ok_or(ClaimError::Unknown)?;
        match tx.phase {
            Phase::Pending if now >= tx.expires => Err(ClaimError::Expired),
            Phase::Pending => {
                tx.phase = Phase::Checking;
                Ok(tx.clone())
            }
            Phase::Checking | Phase::Done { .. } => Err(ClaimError::Answered),
        }
    }

    fn finish(&self, rid: &str, valid: bool, result: Value) {
        if let Some(tx) = self.lock().by_rid.get_mut(rid) {
            tx.phase = Phase::Done {
                valid,
                result: Arc::new(result),
            };
            // The key is of no more use once the response is read.
            tx.enc = None;
        }
    }

    fn purge(&self, now: Instant, keep: Duration) {
        let mut inner = self.lock();
        let gone: Vec<(String, String)> = inner
            .by_rid
            .values()
            .filter(|t| now.saturating_duration_since(t.expires) > keep)
            .map(|t| (t.id.clone(), t.rid.clone()))
            .collect();
        for (id, rid) in gone {
            inner.rid_of.remove(&id);
            inner.by_rid.remove(&rid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tx(id: &str, rid: &str, expires: Instant) -> Transaction {
        Transaction {
            id: id.into(),
            rid: rid.into(),
            check: "diploma".into(),
            nonce: "n".into(),
            state: "s".into(),
            expires,
            expires_at: 0,
            enc: None,
            phase: Phase::Pending,
        }
    }

    #[test]
    fn a_transaction_takes_one_response_before_it_expires() {
        let store = MemoryStore::new(2);
        let now = Instant::now();
        store
            .insert(tx("a", "ra", now + Duration::from_secs(60)))
            .map_err(|_| "full")
            .ok();
        store.insert(tx("b", "rb", now)).map_err(|_| "full").ok();
        assert!(store.insert(tx("c", "rc", now)).is_err(), "bounded");
        assert!(store.claim("ra", now).is_ok());
        assert_eq!(store.claim("ra", now).err(), Some(ClaimError::Answered));
        assert_eq!(store.claim("rb", now).err(), Some(ClaimError::Expired));
        assert_eq!(store.claim("zz", now).err(), Some(ClaimError::Unknown));
        assert_eq!(
            store.claim("a", now).err(),
            Some(ClaimError::Unknown),
            "desk ids are not wallet ids"
        );
        store.finish("ra", true, Value::Null);
        assert!(matches!(
            store.by_id("a").map(|t| t.phase),
            Some(Phase::Done { valid: true, .. })
        ));
        store.purge(now + Duration::from_secs(120), Duration::from_secs(30));
        assert!(store.by_id("a").is_none() && store.by_rid("rb").is_none());
    }
}
