//! How lead values read on screen: score bands, dates, relative hints and
//! safe links. Pure functions, so the rules are tested on the host.

use leads_core::validate;

/// Placeholder for a value the lead does not have.
pub const MISSING: &str = "—";

/// A score's band, used as a CSS class suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreBand {
    High,
    Medium,
    Low,
}

impl ScoreBand {
    /// ≥ 80 is high, 50–79 medium, below 50 low.
    pub fn of(score: u8) -> ScoreBand {
        match score {
            80.. => Self::High,
            50..=79 => Self::Medium,
            _ => Self::Low,
        }
    }

    /// The CSS class for this band.
    pub fn class(self) -> &'static str {
        match self {
            Self::High => "score score--high",
            Self::Medium => "score score--medium",
            Self::Low => "score score--low",
        }
    }
}

/// A `tel:` link for a phone that passes the E.164 rule, else `None`, so a
/// malformed value is shown as text and never becomes a link.
pub fn tel_href(phone: &str) -> Option<String> {
    validate::is_e164(phone).then(|| format!("tel:{phone}"))
}

/// A `mailto:` link for an email that passes the contract's rule, else `None`.
pub fn mailto_href(email: &str) -> Option<String> {
    validate::is_email(email).then(|| format!("mailto:{email}"))
}

/// "3 days ago" and friends, from whole seconds elapsed.
///
/// ```
/// assert_eq!(leads_console::display::relative_hint(3 * 86_400 + 5), "3 days ago");
/// ```
pub fn relative_hint(seconds_ago: i64) -> String {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const MONTH: i64 = 30 * DAY;
    const YEAR: i64 = 365 * DAY;
    let ago = seconds_ago.max(0);
    let (count, unit) = match ago {
        0..MINUTE => return "just now".to_owned(),
        MINUTE..HOUR => (ago / MINUTE, "minute"),
        HOUR..DAY => (ago / HOUR, "hour"),
        DAY..MONTH => (ago / DAY, "day"),
        MONTH..YEAR => (ago / MONTH, "month"),
        _ => (ago / YEAR, "year"),
    };
    if count == 1 {
        format!("1 {unit} ago")
    } else {
        format!("{count} {unit}s ago")
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A local date and time as people read it: `Mar 20, 2025, 10:05`.
pub fn local_date_time(year: u32, month0: u32, day: u32, hour: u32, minute: u32) -> String {
    let month = MONTHS.get(month0 as usize).copied().unwrap_or("?");
    format!("{month} {day}, {year}, {hour:02}:{minute:02}")
}

/// The Created cell's texts for an RFC 3339 timestamp, in the browser's
/// time zone: the local date and time, and the relative hint.
#[cfg(target_arch = "wasm32")]
pub fn created_texts(timestamp: &str) -> Option<(String, String)> {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(timestamp));
    let millis = date.get_time();
    if millis.is_nan() {
        return None;
    }
    let local = local_date_time(
        date.get_full_year(),
        date.get_month(),
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
    );
    let seconds_ago = ((js_sys::Date::now() - millis) / 1000.0) as i64;
    Some((local, relative_hint(seconds_ago)))
}

/// Host builds (unit tests) have no browser clock; dates read as given.
#[cfg(not(target_arch = "wasm32"))]
pub fn created_texts(timestamp: &str) -> Option<(String, String)> {
    Some((timestamp.to_owned(), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_bands_split_at_50_and_80() {
        assert_eq!(ScoreBand::of(100), ScoreBand::High);
        assert_eq!(ScoreBand::of(80), ScoreBand::High);
        assert_eq!(ScoreBand::of(79), ScoreBand::Medium);
        assert_eq!(ScoreBand::of(50), ScoreBand::Medium);
        assert_eq!(ScoreBand::of(49), ScoreBand::Low);
        assert_eq!(ScoreBand::of(0), ScoreBand::Low);
    }

    #[test]
    fn only_valid_contacts_become_links() {
        assert_eq!(
            tel_href("+15551234567").as_deref(),
            Some("tel:+15551234567")
        );
        assert_eq!(tel_href("555-1234"), None);
        assert_eq!(tel_href("javascript:alert(1)"), None);
        assert_eq!(
            mailto_href("jane@example.com").as_deref(),
            Some("mailto:jane@example.com")
        );
        assert_eq!(mailto_href("jane@example"), None);
        assert_eq!(mailto_href("a@b.co?subject=x y"), None);
    }

    #[test]
    fn relative_hints_read_naturally() {
        assert_eq!(relative_hint(-5), "just now");
        assert_eq!(relative_hint(59), "just now");
        assert_eq!(relative_hint(60), "1 minute ago");
        assert_eq!(relative_hint(2 * 3600 + 10), "2 hours ago");
        assert_eq!(relative_hint(86_400), "1 day ago");
        assert_eq!(relative_hint(45 * 86_400), "1 month ago");
        assert_eq!(relative_hint(800 * 86_400), "2 years ago");
    }

    #[test]
    fn local_dates_are_readable() {
        assert_eq!(local_date_time(2025, 2, 20, 9, 5), "Mar 20, 2025, 09:05");
    }
}
