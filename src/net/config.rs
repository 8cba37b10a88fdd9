//! The console's settings: from the element's attributes, the page the
//! server wrote them into, or `/config.json`.

use gloo_net::http::Request;
use leads_core::{AuthMode, ConsoleConfig};

use crate::net::api::read_json;
use crate::net::error::RequestError;

/// Where the server says the console's own settings live.
const CONFIG_URL: &str = "/config.json";

/// The console's settings: `api_base` and `auth` as the element's
/// attributes give them, the rest from the settings the server wrote into
/// the page (`in_page`), else from `/config.json` on `origin` (where the
/// console's script came from). A base that starts with `/` is on `origin`
/// too, whatever page hosts the console.
pub async fn load_config(
    origin: &str,
    api_base: Option<String>,
    auth: Option<AuthMode>,
    in_page: Option<ConsoleConfig>,
) -> Result<ConsoleConfig, RequestError> {
    let mut config = match (&api_base, auth, in_page) {
        (Some(api_base), Some(auth), _) => ConsoleConfig {
            api_base: api_base.clone(),
            auth,
            idempotency_keys: false,
            search: false,
        },
        (_, _, Some(in_page)) => in_page,
        _ => {
            let response = Request::get(&format!("{origin}{CONFIG_URL}"))
                .send()
                .await
                .map_err(|_| RequestError::Network)?;
            read_json(response).await?
        }
    };
    if let Some(api_base) = api_base {
        config.api_base = api_base;
    }
    if let Some(auth) = auth {
        config.auth = auth;
    }
    if config.api_base.starts_with('/') {
        config.api_base = format!("{origin}{}", config.api_base);
    }
    Ok(config)
}
