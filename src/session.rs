//! Who the console talks to and with which key. The key lives only in
//! `sessionStorage` (gone when the tab closes) and in memory; it is never put
//! in a URL or a log.

use leptos::prelude::*;

use leads_core::{AuthMode, ConsoleConfig};

use crate::api::{ApiClient, ApiError, SharedRequests};

/// Where the key is kept in `sessionStorage`.
const KEY_STORAGE: &str = "leads-console.api-key";

/// The connection state, shared through context.
#[derive(Clone, Copy)]
pub struct Session {
    config: StoredValue<ConsoleConfig>,
    requests: StoredValue<SharedRequests, LocalStorage>,
    key: RwSignal<Option<String>>,
    rejected: RwSignal<bool>,
}

impl Session {
    /// A session for `config`, picking up a key stored earlier in this tab.
    pub fn new(config: ConsoleConfig) -> Session {
        let key = (config.auth == AuthMode::Bearer).then(stored_key).flatten();
        Session {
            config: StoredValue::new(config),
            requests: StoredValue::new_local(SharedRequests::default()),
            key: RwSignal::new(key),
            rejected: RwSignal::new(false),
        }
    }

    /// True when the API wants a key at all.
    pub fn uses_key(&self) -> bool {
        self.config.with_value(|c| c.auth == AuthMode::Bearer)
    }

    /// True when a key is needed and none is held (tracked).
    pub fn needs_key(&self) -> bool {
        self.uses_key() && self.key.with(Option::is_none)
    }

    /// True after the API rejected the key (tracked).
    pub fn was_rejected(&self) -> bool {
        self.rejected.get()
    }

    /// A client with the current key (tracked, so a new key refetches).
    pub fn client(&self) -> ApiClient {
        self.client_with(self.key.get())
    }

    /// A client with the current key, for event handlers and actions.
    pub fn client_untracked(&self) -> ApiClient {
        self.client_with(self.key.get_untracked())
    }

    fn client_with(&self, key: Option<String>) -> ApiClient {
        let shared = self.requests.get_value();
        self.config
            .with_value(|config| ApiClient::new(config, key, shared))
    }

    /// Every API answer passes through here: a `401` sends the person back
    /// to Connect, in this one place. The caller still gets the error, so it
    /// can stop; it has nothing more to show.
    ///
    /// ```ignore
    /// let reply = session.checked(client.update_lead(&id, &patch).await);
    /// ```
    pub fn checked<T>(&self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if matches!(result, Err(ApiError::Unauthorized)) {
            self.reject();
        }
        result
    }

    /// Keeps `key` for this tab and uses it from now on.
    pub fn connect(&self, key: String) {
        store_key(Some(&key));
        self.rejected.set(false);
        self.key.set(Some(key));
    }

    /// Forgets the key.
    pub fn disconnect(&self) {
        store_key(None);
        self.rejected.set(false);
        self.key.set(None);
    }

    /// The API answered `401`: forget the key and say so.
    fn reject(&self) {
        if self.uses_key() {
            store_key(None);
            self.rejected.set(true);
            self.key.set(None);
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

fn stored_key() -> Option<String> {
    session_storage()?
        .get_item(KEY_STORAGE)
        .ok()?
        .filter(|k| !k.is_empty())
}

fn store_key(key: Option<&str>) {
    let Some(storage) = session_storage() else {
        return;
    };
    let _ = match key {
        Some(key) => storage.set_item(KEY_STORAGE, key),
        None => storage.remove_item(KEY_STORAGE),
    };
}
