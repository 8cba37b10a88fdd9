//! `/config.json`: what the server tells the console about the API it
//! should call. Both sides use this one definition.

use serde::{Deserialize, Serialize};

/// The id of the JSON script element in which the server writes a
/// [`ConsoleConfig`] into the console's own page, so it starts without
/// asking for `/config.json`.
pub const PAGE_SETTINGS_ID: &str = "leads-config";

/// The id of the JSON script element in which the server writes the URL of
/// the first list request the console's page will make, for the page's
/// start-up script to send before the console runs
/// (`scripts/build-dist.sh` reads this line).
pub const FIRST_LIST_ID: &str = "leads-first-list";

/// The languages the console speaks, English first: each has its
/// messages at `/i18n/{lang}.json`, and the server writes the one a
/// browser asks for into the console's own page.
pub const LANGUAGES: [&str; 4] = ["en", "de", "fr", "es"];

/// The first of `wanted` (language tags, the most wanted first) that the
/// console speaks, by its primary subtag (`de-CH` is German); English
/// when none is.
///
/// ```
/// use leads_core::config::pick_language;
/// assert_eq!(pick_language(["it-IT", "de-CH", "fr"]), "de");
/// assert_eq!(pick_language(["ES"]), "es");
/// assert_eq!(pick_language(["ja", "*"]), "en");
/// ```
pub fn pick_language<I, S>(wanted: I) -> &'static str
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    wanted
        .into_iter()
        .find_map(|tag| {
            let primary = tag.as_ref().split(['-', '_']).next()?.trim();
            LANGUAGES
                .into_iter()
                .find(|lang| lang.eq_ignore_ascii_case(primary))
        })
        .unwrap_or(LANGUAGES[0])
}

/// Where the API lives and how to call it.
///
/// ```
/// use leads_core::{AuthMode, ConsoleConfig};
/// let config: ConsoleConfig = serde_json::from_str(r#"{"api_base":"/v1","auth":"bearer"}"#).unwrap();
/// assert_eq!(config.auth, AuthMode::Bearer);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleConfig {
    pub api_base: String,
    pub auth: AuthMode,
    /// The API keeps `Idempotency-Key`s, so the console sends one with each
    /// create. Absent (an API this server does not front) means no: a
    /// vendor's CORS may refuse a header it does not know.
    #[serde(default)]
    pub idempotency_keys: bool,
    /// The API answers the search text `q` and the `tag` filter, so the
    /// console offers them. Absent (the vendor's own API) means no.
    #[serde(default)]
    pub search: bool,
}

/// Whether API requests need a bearer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    None,
    Bearer,
}
