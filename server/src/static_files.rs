//! The built console, with SPA fallback, and the `/config.json` it reads at
//! start-up to learn where the API is and whether it needs a key.

use std::path::Path;

use axum::extract::State;
use axum::response::IntoResponse;
use axum::Json;
use leads_core::{AuthMode, ConsoleConfig};
use tower_http::services::{ServeDir, ServeFile};

use crate::app::AppState;

/// `GET /config.json`.
pub async fn config_json(State(state): State<AppState>) -> impl IntoResponse {
    let config = ConsoleConfig {
        api_base: "/v1".to_owned(),
        auth: if state.sign_in.required() {
            AuthMode::Bearer
        } else {
            AuthMode::None
        },
    };
    Json(config)
}

/// Files from `dist`; any path that matches no file gets `index.html`, so a
/// deep link such as `/?status=new` or `/leads` opens the console.
pub fn console(dist: &Path) -> ServeDir<ServeFile> {
    ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(dist.join("index.html")))
}
