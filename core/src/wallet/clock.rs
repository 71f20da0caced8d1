//! The wallet's clock, injectable so that history entries can be tested.

/// A source of the current time as an RFC 3339 UTC timestamp (`2026-06-30T09:00:00Z`).
pub trait Clock: Send + Sync {
    /// The current time, RFC 3339, UTC, whole seconds.
    fn now_rfc3339(&self) -> String;
}

/// The system clock. A clock set before 1970 reads as 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_rfc3339(&self) -> String {
        crate::Timestamp::now().to_rfc3339()
    }
}

/// A clock that always reads the same instant (for tests and reproducible records).
#[derive(Debug, Clone)]
pub struct FixedClock(pub String);

impl Clock for FixedClock {
    fn now_rfc3339(&self) -> String {
        self.0.clone()
    }
}

/// RFC 3339 UTC form of `secs` seconds after the Unix epoch
/// ([`crate::Timestamp::to_rfc3339`]).
pub fn rfc3339_from_unix(secs: u64) -> String {
    crate::Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX)).to_rfc3339()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_955_199), "2000-03-01T23:59:59Z");
        assert_eq!(rfc3339_from_unix(1_782_810_000), "2026-06-30T09:00:00Z");
        assert_eq!(rfc3339_from_unix(4_107_542_400), "2100-03-01T00:00:00Z");
    }
}
