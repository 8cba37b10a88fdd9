//! Timestamps as the contract writes them: RFC 3339, UTC, whole seconds.

use time::macros::format_description;
use time::OffsetDateTime;

/// Formats an instant as `2025-03-20T10:00:00Z`.
pub fn format(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .expect("a UTC date always fits this fixed format")
}

/// The current second.
pub fn now() -> String {
    format(OffsetDateTime::now_utc())
}

/// Now, in Unix seconds, as the database keeps the times it expires by.
pub fn unix_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Any RFC 3339 time, as the contract writes times (UTC, whole seconds),
/// so times from elsewhere sort with the server's own; `None` when it is
/// not one.
pub fn normalise(text: &str) -> Option<String> {
    OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(format)
}

/// `at` (RFC 3339) moved by `seconds`, written as the contract writes
/// times; `None` when `at` is no time.
pub fn shift(at: &str, seconds: i64) -> Option<String> {
    let at =
        OffsetDateTime::parse(at.trim(), &time::format_description::well_known::Rfc3339).ok()?;
    Some(format(at + time::Duration::seconds(seconds)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_whole_seconds_in_utc() {
        let at = OffsetDateTime::from_unix_timestamp(1_742_464_800).unwrap();
        assert_eq!(format(at), "2025-03-20T10:00:00Z");
        assert_eq!(now().len(), "2025-03-20T10:00:00Z".len());
        assert_eq!(
            normalise("2025-03-20T12:00:00.750+02:00").as_deref(),
            Some("2025-03-20T10:00:00Z")
        );
        assert_eq!(normalise("yesterday"), None);
        assert_eq!(
            shift("2025-03-20T10:00:02Z", -5).as_deref(),
            Some("2025-03-20T09:59:57Z")
        );
    }
}
