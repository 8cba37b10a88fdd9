//! `/config.json`: what the server tells the console about the API it
//! should call. Both sides use this one definition.

use serde::{Deserialize, Serialize};

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
}

/// Whether API requests need a bearer key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    None,
    Bearer,
}
