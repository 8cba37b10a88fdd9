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

/// An E.164 number as people read it: the country code apart, and the rest
/// grouped as that country writes its numbers where the console knows how
/// (North America, the UK, Germany, France, Spain); elsewhere the national
/// number stays whole rather than be grouped wrongly. Anything that is not
/// E.164 is shown as it is.
///
/// ```
/// use leads_console::ui::display::phone_text;
/// assert_eq!(phone_text("+15550102030"), "+1 555-010-2030");
/// assert_eq!(phone_text("+49301234567"), "+49 30 1234567");
/// assert_eq!(phone_text("+33123456789"), "+33 1 23 45 67 89");
/// assert_eq!(phone_text("+81312345678"), "+81 312345678");
/// assert_eq!(phone_text("555-1234"), "555-1234");
/// ```
pub fn phone_text(phone: &str) -> String {
    if !validate::is_e164(phone) {
        return phone.to_owned();
    }
    let digits = &phone[1..];
    let (country, national) = digits.split_at(country_code_len(digits));
    let groups: &[usize] = match (country, national.len()) {
        ("1", 10) => {
            return format!(
                "+1 {}-{}-{}",
                &national[..3],
                &national[3..6],
                &national[6..]
            )
        }
        // Paris 1 23 45 67 89; mobiles 6 12 34 56 78.
        ("33", 9) => &[1, 2, 2, 2, 2],
        // 912 34 56 78, 612 34 56 78.
        ("34", 9) => &[3, 2, 2, 2],
        // London 20 7946 0958, mobiles 7700 900123, elsewhere 1632 960123.
        ("44", 10) if national.starts_with('2') => &[2, 4, 4],
        ("44", 10) => &[4, 6],
        // Berlin, Hamburg, Frankfurt and Munich have two-digit area codes,
        // mobiles a three-digit prefix; other area codes vary in length.
        ("49", 6..)
            if ["30", "40", "69", "89"]
                .iter()
                .any(|a| national.starts_with(a)) =>
        {
            &[2, national.len() - 2]
        }
        ("49", 6..) if national.starts_with('1') => &[3, national.len() - 3],
        _ => &[national.len()],
    };
    let mut out = format!("+{country}");
    let mut at = 0;
    for &len in groups {
        out.push(' ');
        out.push_str(&national[at..at + len]);
        at += len;
    }
    out
}

/// How many of `digits` (an E.164 number without its `+`) are the country
/// code, by ITU-T E.164's assignment: one digit for 1 and 7, two for the
/// codes below, three for the rest.
fn country_code_len(digits: &str) -> usize {
    const TWO_DIGIT: [&str; 44] = [
        "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
    ];
    match digits.as_bytes().first() {
        Some(b'1' | b'7') => 1,
        _ if digits.len() > 2 && TWO_DIGIT.contains(&&digits[..2]) => 2,
        _ => 3.min(digits.len() - 1),
    }
}

/// A `mailto:` link for an email that passes the contract's rule, else `None`.
pub fn mailto_href(email: &str) -> Option<String> {
    validate::is_email(email).then(|| format!("mailto:{email}"))
}

/// The relative hint as `Intl.RelativeTimeFormat` takes it: whole units of
/// the largest unit that fits, negative for the past, `0 second` for "now".
///
/// ```
/// assert_eq!(leads_console::ui::display::relative_parts(3 * 86_400 + 5), (-3.0, "day"));
/// ```
pub fn relative_parts(seconds_ago: i64) -> (f64, &'static str) {
    const MINUTE: i64 = 60;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    const MONTH: i64 = 30 * DAY;
    const YEAR: i64 = 365 * DAY;
    let ago = seconds_ago.max(0);
    let (count, unit) = match ago {
        0..MINUTE => (0, "second"),
        MINUTE..HOUR => (ago / MINUTE, "minute"),
        HOUR..DAY => (ago / HOUR, "hour"),
        DAY..MONTH => (ago / DAY, "day"),
        MONTH..YEAR => (ago / MONTH, "month"),
        _ => (ago / YEAR, "year"),
    };
    // Whole units of at most a few thousand: exact as f64.
    (-(count as f64), unit)
}

/// The Created cell's texts, in the browser's locale and time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTexts {
    /// `Mar 20, 2025` in English, `20.03.2025` in German.
    pub date: String,
    /// `10:05 AM`, `10:05`.
    pub time: String,
    /// `3 days ago`, `vor 3 Tagen`.
    pub hint: String,
}

/// The browser's formatters for the Created cell, made once per language:
/// an `Intl` formatter costs far more to make than to use, and a view
/// builds up to a hundred rows (docs/performance.md has what three per row
/// cost).
#[cfg(target_arch = "wasm32")]
struct Formats {
    lang: &'static str,
    date: js_sys::Function,
    time: js_sys::Function,
    relative: js_sys::Intl::RelativeTimeFormat,
}

#[cfg(target_arch = "wasm32")]
impl Formats {
    /// Formatters for the console's language `lang`, in the region of the
    /// browser's first language of that language when it has one (`de` in
    /// an Austrian browser writes dates as `de-AT` does).
    fn new(lang: &'static str) -> Self {
        use js_sys::{Array, Intl, Object, Reflect};

        let locales = Array::new();
        if let Some(window) = web_sys::window() {
            for wanted in window.navigator().languages().iter() {
                let same = wanted.as_string().is_some_and(|tag| {
                    tag.split('-')
                        .next()
                        .is_some_and(|l| l.eq_ignore_ascii_case(lang))
                });
                if same {
                    locales.push(&wanted);
                }
            }
        }
        locales.push(&lang.into());

        let options = |key: &str, value: &str| {
            let object = Object::new();
            let _ = Reflect::set(&object, &key.into(), &value.into());
            object
        };
        let format = |style: &str, length: &str| {
            Intl::DateTimeFormat::new(&locales, &options(style, length)).format()
        };
        Self {
            lang,
            date: format("dateStyle", "medium"),
            time: format("timeStyle", "short"),
            relative: Intl::RelativeTimeFormat::new(&locales, &options("numeric", "auto")),
        }
    }
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static FORMATS: std::cell::RefCell<Option<Formats>> = const { std::cell::RefCell::new(None) };
}

/// The Created cell's texts for an RFC 3339 timestamp, in the console's
/// language `lang`. The browser's `Intl` does the wording, so every locale
/// reads naturally and the wasm carries no tables.
#[cfg(target_arch = "wasm32")]
pub fn created_texts(timestamp: &str, lang: &'static str) -> Option<CreatedTexts> {
    use js_sys::Date;
    use wasm_bindgen::JsValue;

    let date = Date::new(&JsValue::from_str(timestamp));
    let millis = date.get_time();
    if millis.is_nan() {
        return None;
    }
    let seconds_ago = ((Date::now() - millis) / 1000.0) as i64;
    let (value, unit) = relative_parts(seconds_ago);
    FORMATS.with_borrow_mut(|formats| {
        let formats = match formats {
            Some(formats) if formats.lang == lang => formats,
            _ => formats.insert(Formats::new(lang)),
        };
        let format =
            |how: &js_sys::Function| how.call1(&JsValue::UNDEFINED, &date).ok()?.as_string();
        Some(CreatedTexts {
            date: format(&formats.date)?,
            time: format(&formats.time)?,
            hint: formats.relative.format(value, unit).into(),
        })
    })
}

/// Host builds (unit tests) have no browser; dates read as given.
#[cfg(not(target_arch = "wasm32"))]
pub fn created_texts(timestamp: &str, _lang: &'static str) -> Option<CreatedTexts> {
    Some(CreatedTexts {
        date: timestamp.to_owned(),
        time: String::new(),
        hint: String::new(),
    })
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
    fn phones_read_as_their_country_writes_them() {
        assert_eq!(phone_text("+15550102030"), "+1 555-010-2030");
        assert_eq!(phone_text("+442079460958"), "+44 20 7946 0958");
        assert_eq!(phone_text("+447700900123"), "+44 7700 900123");
        assert_eq!(phone_text("+4915112345678"), "+49 151 12345678");
        assert_eq!(phone_text("+34912345678"), "+34 912 34 56 78");
        // Known country, unknown shape: the national number whole.
        assert_eq!(phone_text("+3312345"), "+33 12345");
        // One-, two- and three-digit country codes.
        assert_eq!(phone_text("+74951234567"), "+7 4951234567");
        assert_eq!(phone_text("+353123456"), "+353 123456");
        assert_eq!(phone_text("+12"), "+1 2");
        assert_eq!(phone_text("+999"), "+99 9");
        assert_eq!(phone_text("+1 555"), "+1 555");
    }

    #[test]
    fn relative_hints_take_the_largest_unit_that_fits() {
        assert_eq!(relative_parts(-5), (0.0, "second"));
        assert_eq!(relative_parts(59), (0.0, "second"));
        assert_eq!(relative_parts(60), (-1.0, "minute"));
        assert_eq!(relative_parts(2 * 3600 + 10), (-2.0, "hour"));
        assert_eq!(relative_parts(86_400), (-1.0, "day"));
        assert_eq!(relative_parts(45 * 86_400), (-1.0, "month"));
        assert_eq!(relative_parts(800 * 86_400), (-2.0, "year"));
    }
}
