//! XML Schema 1.1 `dateTime` lexical check and conversion to Unix seconds, for the proof's
//! `created` and `expires`
//! ([XMLSCHEMA11-2 §3.3.7](https://www.w3.org/TR/xmlschema11-2/#dateTime)).

/// Parses `-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?` and returns the instant in whole seconds
/// since 1970-01-01T00:00:00Z (fractions dropped). A value without a time zone is read as UTC.
/// `None` if the string is not a valid dateTime (day beyond the month's end, hour 24 other than
/// `24:00:00`, ...).
pub(crate) fn parse_datetime(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    // Year: at least four digits, no leading zero when longer than four.
    let year_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let year_digits = i - year_start;
    if !(4..=9).contains(&year_digits) || (year_digits > 4 && b.get(year_start) == Some(&b'0')) {
        return None;
    }
    let mut year: i64 = s.get(year_start..i)?.parse().ok()?;
    if negative {
        year = -year;
    }
    let two = |i: usize| -> Option<i64> {
        let d = s.get(i..i + 2)?;
        if d.bytes().all(|c| c.is_ascii_digit()) {
            d.parse().ok()
        } else {
            None
        }
    };
    let expect = |i: usize, c: u8| b.get(i) == Some(&c);
    if !expect(i, b'-') {
        return None;
    }
    let month = two(i + 1)?;
    if !expect(i + 3, b'-') {
        return None;
    }
    let day = two(i + 4)?;
    if !expect(i + 6, b'T') {
        return None;
    }
    let hour = two(i + 7)?;
    if !expect(i + 9, b':') {
        return None;
    }
    let minute = two(i + 10)?;
    if !expect(i + 12, b':') {
        return None;
    }
    let second = two(i + 13)?;
    i += 15;
    let mut fraction_nonzero = false;
    if expect(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            fraction_nonzero |= b.get(i) != Some(&b'0');
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset_minutes = match b.get(i) {
        None => 0,
        Some(b'Z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let h = two(i + 1)?;
            if !expect(i + 3, b':') {
                return None;
            }
            let m = two(i + 4)?;
            i += 6;
            if m > 59 || h > 14 || (h == 14 && m != 0) {
                return None;
            }
            let total = h * 60 + m;
            if sign == b'-' { -total } else { total }
        }
        Some(_) => return None,
    };
    if i != b.len() {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let end_of_day = hour == 24 && minute == 0 && second == 0 && !fraction_nonzero;
    if (hour > 23 && !end_of_day) || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month and day already validated).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Count from 0000-03-01 so the leap day ends each 400-year era's year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::parse_datetime;

    #[test]
    fn valid() {
        assert_eq!(parse_datetime("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_datetime("2023-02-24T23:36:38Z"), Some(1_677_281_798));
        assert_eq!(parse_datetime("2000-02-29T00:00:00"), Some(951_782_400));
        assert_eq!(parse_datetime("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_datetime("1970-01-01T00:00:00.123-00:30"), Some(1800));
        assert_eq!(parse_datetime("1969-12-31T24:00:00Z"), Some(0));
    }

    #[test]
    fn invalid() {
        for s in [
            "",
            "2023-02-24",
            "2023-02-24 23:36:38Z",
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-01-01T24:00:01Z",
            "2023-01-01T12:60:00Z",
            "2023-01-01T12:00:00.Z",
            "2023-01-01T12:00:00+15:00",
            "2023-01-01T12:00:00Zx",
            "023-01-01T12:00:00Z",
            "02023-01-01T12:00:00Z",
            "2023-1-01T12:00:00Z",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
    }
}
