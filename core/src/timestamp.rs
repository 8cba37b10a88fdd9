//! Points in time as the API writes them (RFC 3339:
//! `2025-03-21T09:00:00Z`), compared as instants rather than as text: text
//! order puts `…09:00:00Z` after `…09:00:00.5Z`, and `+02:00` after `Z`
//! for the same instant.

/// An instant, to the nanosecond.
///
/// ```
/// use leads_core::timestamp::Timestamp;
/// let at = |text| Timestamp::parse(text).unwrap();
/// assert!(at("2025-03-21T09:00:00.5Z") > at("2025-03-21T09:00:00Z"));
/// assert_eq!(at("2025-03-21T11:00:00+02:00"), at("2025-03-21T09:00:00Z"));
/// assert_eq!(Timestamp::parse("yesterday"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// Reads `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or an
    /// offset `±HH:MM`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Timestamp> {
        let b = text.as_bytes();
        let num = |from: usize, len: usize| -> Option<i64> {
            let digits = b.get(from..from + len)?;
            digits.iter().try_fold(0i64, |n, d| {
                d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
            })
        };
        let at = |i: usize, expected: &[u8]| b.get(i).is_some_and(|c| expected.contains(c));
        if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
            return None;
        }
        let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
        let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
            return None;
        }
        if second > 60 {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if at(i, b".") {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            for (k, d) in b[i + 1..i + 1 + digits].iter().enumerate().take(9) {
                nanos += u32::from(d - b'0') * 10u32.pow(8 - k as u32);
            }
            i += 1 + digits;
        }
        let offset = match b.get(i..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = h * 60 + m;
                if *sign == b'-' {
                    -minutes
                } else {
                    minutes
                }
            }
            _ => return None,
        };
        let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
            - offset * 60;
        Some(Timestamp { secs, nanos })
    }
}

/// Days from 1970-01-01 to the given date of the proleptic Gregorian
/// calendar (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_order_as_time_does() {
        let at = |text| Timestamp::parse(text).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(at("1970-01-01T00:00:00Z").secs, 0);
        assert_eq!(at("2000-03-01T00:00:00Z").secs, 951_868_800);
        assert!(at("2025-03-21T09:00:00.000000001Z") > at("2025-03-21T09:00:00Z"));
        assert!(at("2025-03-21T09:00:01Z") > at("2025-03-21T09:00:00.999Z"));
        assert!(at("2025-12-31T23:59:59Z") < at("2026-01-01T00:00:00Z"));
        assert_eq!(at("2025-03-21T04:30:00-04:30"), at("2025-03-21T09:00:00Z"));
        assert_eq!(at("2025-03-21 09:00:00z"), at("2025-03-21T09:00:00Z"));
    }

    #[test]
    fn anything_else_is_no_instant() {
        for text in [
            "",
            "2025-03-21",
            "2025-03-21T09:00:00",
            "2025-13-21T09:00:00Z",
            "2025-03-21T24:00:00Z",
            "2025-03-21T09:00:00.Z",
            "2025-03-21T09:00:00+0200",
            "2025-03-21T09:00:00Zjunk",
            "２０２５-03-21T09:00:00Z",
        ] {
            assert_eq!(Timestamp::parse(text), None, "{text}");
        }
    }
}
