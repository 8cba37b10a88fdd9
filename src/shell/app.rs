//! The root of one console: its settings (the element's attributes, then
//! `/config.json`), then the Connect form or the leads page.

use leads_core::AuthMode;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::net::config::load_config;
use crate::net::host::Host;
use crate::net::session::Session;
use crate::pages::leads::LeadsPage;
use crate::shell::connect::ConnectForm;
use crate::views::list_state::UrlState;

/// What the element's attributes ask for; absent ones come from
/// `/config.json` or the defaults.
pub struct Setup {
    host: Host,
    /// Where the console's script came from: `/config.json` and a relative
    /// API base are there, whatever page hosts the element.
    origin: String,
    api_base: Option<String>,
    auth: Option<AuthMode>,
    url_state: UrlState,
}

impl Setup {
    /// Reads `api-base`, `auth` and `url-state` from the element, whose
    /// script came from `origin`. An `auth` that is neither `none` nor
    /// `bearer` counts as not set.
    pub fn from_host(element: HtmlElement, origin: String) -> Self {
        let host = Host::new(element);
        let auth = match host.attribute("auth").as_deref() {
            Some("none") => Some(AuthMode::None),
            Some("bearer") => Some(AuthMode::Bearer),
            _ => None,
        };
        Self {
            origin,
            api_base: host.attribute("api-base"),
            auth,
            url_state: UrlState::from_attribute(host.attribute("url-state").as_deref()),
            host,
        }
    }
}

/// One whole console.
#[component]
pub fn App(setup: Setup) -> impl IntoView {
    let Setup {
        host,
        origin,
        api_base,
        auth,
        url_state,
    } = setup;
    provide_context(url_state);
    let host = StoredValue::new_local(host);
    // The settings load once, at start, into a signal: a LocalResource's
    // machinery for a value that never reloads costs download (the figure
    // is in docs/performance.md).
    let config = RwSignal::new(None);
    let in_page = host.with_value(|host| host.page_settings(&origin));
    leptos::task::spawn_local(async move {
        let loaded = load_config(&origin, api_base, auth, in_page).await;
        // Nothing to do if the console was taken off the page meanwhile.
        let _ = config.try_set(Some(loaded));
    });
    // No <Suspense> here: the leads page's own <Transition> must be the only
    // boundary its list resource reports to, or every reload would blank
    // the whole console.
    let body = move || match config.get() {
        None => view! { <p class="status-line">"Loading the console…"</p> }.into_any(),
        Some(Ok(config)) => {
            let session = Session::new(config, host.get_value());
            provide_context(session);
            view! { <Gate session /> }.into_any()
        }
        Some(Err(err)) => view! {
            <p class="notice notice--error" role="alert">
                {format!("The console could not load its settings. {}", err.message())}
            </p>
        }
        .into_any(),
    };
    // The console is the main content of its own page; in a portal it is a
    // region of the portal's page, labelled by its heading.
    view! { <div class="console" role="region" aria-label="Leads console">{body}</div> }
}

/// The Connect form while a key is needed, the leads page once there is one.
#[component]
fn Gate(session: Session) -> impl IntoView {
    view! {
        <Show when=move || !session.needs_key() fallback=ConnectForm>
            <LeadsPage />
        </Show>
    }
}
