//! Who the console talks to and with which credentials: a key typed into
//! Connect, or the portal's own sign-in through `getToken`. A typed key
//! lives only in `sessionStorage` (gone when the tab closes) and in memory;
//! it is never put in a URL or a log.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;

use leads_core::{AuthMode, ConsoleConfig};

use crate::i18n::I18n;
use crate::net::api::{ApiClient, SharedRequests};
use crate::net::credentials::{Credentials, PortalToken};
use crate::net::error::RequestError;
use crate::net::host::Host;

/// Where the key is kept in `sessionStorage`.
const KEY_STORAGE: &str = "leads-console.api-key";

/// The connection state, shared through context.
#[derive(Clone, Copy)]
pub struct Session {
    config: StoredValue<ConsoleConfig>,
    requests: StoredValue<SharedRequests, LocalStorage>,
    host: StoredValue<Host, LocalStorage>,
    /// The portal's last token, shared by every client of this session.
    portal_token: StoredValue<Rc<RefCell<Option<String>>>, LocalStorage>,
    key: RwSignal<Option<String>>,
    rejected: RwSignal<bool>,
    i18n: I18n,
}

impl Session {
    /// A session for `config` in the console on `host`, speaking `i18n`'s
    /// language, picking up a key stored earlier in this tab.
    pub fn new(config: ConsoleConfig, host: Host, i18n: I18n) -> Session {
        let key = (config.auth == AuthMode::Bearer).then(stored_key).flatten();
        Session {
            config: StoredValue::new(config),
            requests: StoredValue::new_local(SharedRequests::default()),
            host: StoredValue::new_local(host),
            portal_token: StoredValue::new_local(Rc::default()),
            key: RwSignal::new(key),
            rejected: RwSignal::new(false),
            i18n,
        }
    }

    /// The console's language, for failures said outside its views.
    pub fn i18n(&self) -> I18n {
        self.i18n
    }

    /// The element this console lives in, to tell the page what happened.
    pub fn host(&self) -> Host {
        self.host.get_value()
    }

    /// True when the API wants a bearer token and the portal gives it.
    fn portal_signs_in(&self) -> bool {
        self.config.with_value(|c| c.auth == AuthMode::Bearer)
            && self.host.with_value(Host::signs_in)
    }

    /// True when the API answers a search and a tag filter.
    pub fn searches(&self) -> bool {
        self.config.with_value(|c| c.search)
    }

    /// True when the API wants a key typed into Connect.
    pub fn uses_key(&self) -> bool {
        self.config.with_value(|c| c.auth == AuthMode::Bearer) && !self.portal_signs_in()
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

    /// The API's base URL, which keys what this browser keeps for it.
    pub fn api_base(&self) -> String {
        self.config.with_value(|config| config.api_base.clone())
    }

    /// A client with the current key, for event handlers and actions.
    pub fn client_untracked(&self) -> ApiClient {
        self.client_with(self.key.get_untracked())
    }

    fn client_with(&self, key: Option<String>) -> ApiClient {
        let shared = self.requests.get_value();
        let credentials = if self.portal_signs_in() {
            Credentials::Portal(PortalToken::new(
                self.host.get_value(),
                self.portal_token.get_value(),
            ))
        } else {
            key.map_or(Credentials::None, Credentials::Key)
        };
        self.config
            .with_value(|config| ApiClient::new(config, credentials, shared))
    }

    /// Every API answer passes through here: a `401` sends the person back
    /// to Connect, or (when the portal signs in, and its token was refused
    /// twice) tells the portal, in this one place. The caller still gets
    /// the error, so it can stop; it has nothing more to show.
    ///
    /// ```ignore
    /// let reply = session.checked(client.update_lead(&id, &patch).await);
    /// ```
    pub fn checked<T>(&self, result: Result<T, RequestError>) -> Result<T, RequestError> {
        if !matches!(result, Err(RequestError::Unauthorized)) {
            return result;
        }
        if self.portal_signs_in() {
            // No Connect form to go back to: the portal hears, and the page
            // says what happened.
            self.host.with_value(Host::unauthorized);
            return Err(RequestError::SignInRefused);
        }
        self.reject();
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

    /// The API refused the typed key: forget it and say so.
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
