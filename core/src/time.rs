//! Time as the specifications use it: one instant type, [`Timestamp`], for the validity
//! period of credentials and status lists
//! (<https://www.w3.org/TR/vc-data-model-2.0/#validity-period>), the `created` and `expires`
//! of Data Integrity proofs (<https://www.w3.org/TR/vc-data-integrity/#proofs>), and the
//! one conversion from [`SystemTime`].
//!
//! Both read `xsd:dateTimeStamp`
//! ([XMLSCHEMA11-2 §3.4.28](https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp)): a time zone
//! is required.
//!
//! Accepted: `YYYY-MM-DDThh:mm:ss[.fraction](Z|+hh:mm|-hh:mm)` with a four-digit year
//! (0001 to 9999) and a time zone, as XML Schema 1.1 `dateTimeStamp` requires. `24:00:00` is
//! the first instant of the next day. Fractions beyond nanoseconds are truncated. Anything
//! else (no time zone, negative or five-digit years, leap second 60) is refused: the check
//! fails closed rather than guess.

use std::time::{SystemTime, UNIX_EPOCH};

/// An instant: seconds since the Unix epoch and nanoseconds within the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// The instant a [`SystemTime`] designates.
    pub fn from_system_time(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp {
                secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                nanos: d.subsec_nanos(),
            },
            Err(e) => {
                let d = e.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() == 0 {
                    Timestamp {
                        secs: -secs,
                        nanos: 0,
                    }
                } else {
                    Timestamp {
                        secs: -secs - 1,
                        nanos: 1_000_000_000 - d.subsec_nanos(),
                    }
                }
            }
        }
    }

    /// Now, by the system clock.
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// The instant `secs` seconds after 1970-01-01T00:00:00Z (negative: before).
    pub fn from_unix_seconds(secs: i64) -> Self {
        Timestamp { secs, nanos: 0 }
    }

    /// This instant as a [`SystemTime`], or `None` if the platform's `SystemTime` cannot
    /// hold it.
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let whole = std::time::Duration::from_secs(self.secs.unsigned_abs());
        let t = if self.secs >= 0 {
            UNIX_EPOCH.checked_add(whole)
        } else {
            UNIX_EPOCH.checked_sub(whole)
        };
        t?.checked_add(std::time::Duration::from_nanos(u64::from(self.nanos)))
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// RFC 3339 in UTC to the second (`YYYY-MM-DDThh:mm:ssZ`); instants before 1970 read as
    /// 1970-01-01T00:00:00Z.
    pub fn to_rfc3339(&self) -> String {
        let secs = u64::try_from(self.secs).unwrap_or(0);
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    }

    /// Nanoseconds within the second (0 to 999,999,999).
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Parses an `xsd:dateTimeStamp` (see the module documentation for the accepted form).
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let year = digits(b, 0, 4)?;
        let month = digits(b, 5, 2)?;
        let day = digits(b, 8, 2)?;
        let hour = digits(b, 11, 2)?;
        let minute = digits(b, 14, 2)?;
        let second = digits(b, 17, 2)?;
        if b.get(4) != Some(&b'-')
            || b.get(7) != Some(&b'-')
            || b.get(10) != Some(&b'T')
            || b.get(13) != Some(&b':')
            || b.get(16) != Some(&b':')
        {
            return None;
        }
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if minute > 59 || second > 59 || hour > 24 {
            return None;
        }
        // Fraction of a second.
        let mut pos = 19;
        let mut nanos: u32 = 0;
        let mut any_fraction_digit = false;
        if b.get(pos) == Some(&b'.') {
            pos += 1;
            let start = pos;
            while let Some(c) = b.get(pos).filter(|c| c.is_ascii_digit()) {
                let place = pos - start;
                if place < 9 {
                    nanos += u32::from(c - b'0') * 10u32.pow(8 - place as u32);
                }
                if *c != b'0' {
                    any_fraction_digit = true;
                }
                pos += 1;
            }
            if pos == start {
                return None;
            }
        }
        if hour == 24 && (minute != 0 || second != 0 || any_fraction_digit) {
            return None;
        }
        // Time zone (required).
        let offset_secs: i64 = match b.get(pos) {
            Some(b'Z') if b.len() == pos + 1 => 0,
            Some(&sign @ (b'+' | b'-')) if b.len() == pos + 6 => {
                let oh = digits(b, pos + 1, 2)?;
                let om = digits(b, pos + 4, 2)?;
                if b.get(pos + 3) != Some(&b':') || om > 59 || oh > 14 || (oh == 14 && om != 0) {
                    return None;
                }
                let o = i64::from(oh) * 3600 + i64::from(om) * 60;
                if sign == b'+' { o } else { -o }
            }
            _ => return None,
        };
        let days = days_from_civil(i64::from(year), month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
                - offset_secs;
        Some(Timestamp { secs, nanos })
    }
}

/// `len` ASCII digits at `start`, as a number.
fn digits(b: &[u8], start: usize, len: usize) -> Option<u32> {
    let slice = b.get(start..start + len)?;
    slice.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (year ≥ 1).
///
/// Counts whole 400-year eras (146,097 days each) from 0000-03-01, then the day of the era,
/// with the year taken to start in March so that the leap day is the era's last day.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let m = i64::from(month);
    let month_from_march = if m > 2 { m - 3 } else { m + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days separate 0000-03-01 from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// Gregorian (year, month, day) of the day `days` after 1970-01-01, counting in 400-year eras
/// of 146 097 days whose years start on March 1 (so the leap day ends a year).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    // Shift the epoch to 0000-03-01: 719 468 days before 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests fail by panicking")]
    use super::*;

    #[test]
    fn formats_and_converts_the_same_instant() {
        let t = Timestamp::parse("2026-06-30T09:00:00Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_782_810_000);
        assert_eq!(t.to_rfc3339(), "2026-06-30T09:00:00Z");
        assert_eq!(
            Timestamp::from_unix_seconds(951_782_400).to_rfc3339(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(Timestamp::from_system_time(t.to_system_time().unwrap()), t);
        let before = Timestamp::parse("1969-12-31T23:59:59.5Z").unwrap();
        assert_eq!(
            Timestamp::from_system_time(before.to_system_time().unwrap()),
            before
        );
        assert_eq!(before.to_rfc3339(), "1970-01-01T00:00:00Z");
    }
    use std::time::Duration;

    #[test]
    fn epoch_and_known_instants() {
        let epoch = Timestamp::parse("1970-01-01T00:00:00Z").unwrap();
        assert_eq!(epoch, Timestamp::from_system_time(UNIX_EPOCH));
        // 2021-04-05T14:27:40Z = 1617632860 (spec example 3's validFrom).
        let t = Timestamp::parse("2021-04-05T14:27:40Z").unwrap();
        assert_eq!((t.unix_seconds(), t.subsec_nanos()), (1_617_632_860, 0));
        let st = UNIX_EPOCH + Duration::from_secs(1_617_632_860);
        assert_eq!(t, Timestamp::from_system_time(st));
        // Offsets move the instant.
        let plus = Timestamp::parse("2021-04-05T16:27:40+02:00").unwrap();
        assert_eq!(plus, t);
        let minus = Timestamp::parse("2021-04-05T09:57:40-04:30").unwrap();
        assert_eq!(minus, t);
        // Leap day, end of day, fractions.
        assert!(Timestamp::parse("2024-02-29T00:00:00Z").is_some());
        assert_eq!(
            Timestamp::parse("2021-04-04T24:00:00Z"),
            Timestamp::parse("2021-04-05T00:00:00Z")
        );
        let f = Timestamp::parse("1970-01-01T00:00:01.5Z").unwrap();
        assert_eq!(
            f,
            Timestamp::from_system_time(UNIX_EPOCH + Duration::from_millis(1500))
        );
        let before = Timestamp::from_system_time(UNIX_EPOCH - Duration::from_millis(500));
        assert_eq!(before, Timestamp::parse("1969-12-31T23:59:59.5Z").unwrap());
        assert!(Timestamp::parse("0001-01-01T00:00:00Z").unwrap() < before);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "2021-04-05",
            "2021-04-05T14:27:40",
            "2021-04-05 14:27:40Z",
            "2021-13-05T14:27:40Z",
            "2021-02-29T14:27:40Z",
            "2021-04-31T14:27:40Z",
            "2021-04-05T25:00:00Z",
            "2021-04-05T24:00:01Z",
            "2021-04-05T14:60:40Z",
            "2021-04-05T14:27:60Z",
            "2021-04-05T14:27:40.Z",
            "2021-04-05T14:27:40+15:00",
            "2021-04-05T14:27:40+0200",
            "2021-04-05T14:27:40ZZ",
            "0000-01-01T00:00:00Z",
            "+2021-04-05T14:27:40Z",
            "-2021-04-05T14:27:40Z",
            "20210-04-05T14:27:40Z",
            "2021-04-05T14:27:40z",
            "２０２１-04-05T14:27:40Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
