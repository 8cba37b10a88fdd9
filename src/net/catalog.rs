//! A language's catalog, `/i18n/{lang}.json`, from where the console's
//! script came (beside its other files, whatever page hosts it).

use gloo_net::http::Request;

use crate::i18n::Catalog;
use crate::net::error::RequestError;

/// The catalog for `lang`, one of [`crate::i18n::LANGUAGES`] (never text
/// from a page or a person), from `origin`.
pub async fn load_catalog(origin: &str, lang: &str) -> Result<Catalog, RequestError> {
    let response = Request::get(&format!("{origin}/i18n/{lang}.json"))
        .send()
        .await
        .map_err(|_| RequestError::Network)?;
    if !response.ok() {
        return Err(RequestError::Http {
            status: response.status(),
        });
    }
    let text = response.text().await.map_err(|_| RequestError::Network)?;
    Catalog::parse(&text).ok_or(RequestError::Unreadable)
}
