//! The root of one console: its language (the element's `lang`, then the
//! nearest ancestor's, then the browser's), its settings (the element's
//! attributes, then `/config.json`), then the Connect form or the leads
//! page.

use leads_core::AuthMode;
use leptos::prelude::*;
use web_sys::HtmlElement;

use crate::i18n::{msg, pick_language, I18n, ENGLISH};
use crate::net::catalog::load_catalog;
use crate::net::config::load_config;
use crate::net::host::Host;
use crate::net::session::Session;
use crate::pages::leads::LeadsPage;
use crate::shell::connect::connect_form;
use crate::ui::deferred::Deferred;
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
    /// Notified when the element's `lang` changes.
    relang: ArcTrigger,
}

impl Setup {
    /// Reads `api-base`, `auth` and `url-state` from the element, whose
    /// script came from `origin`. An `auth` that is neither `none` nor
    /// `bearer` counts as not set. `relang` tells it that its `lang`
    /// changed.
    pub fn from_host(element: HtmlElement, origin: String, relang: ArcTrigger) -> Self {
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
            relang,
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
        relang,
    } = setup;
    provide_context(url_state);
    let i18n = I18n::english();
    provide_context(i18n);
    let host = StoredValue::new_local(host);
    let spoken = speak(i18n, host, relang, origin.clone());
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
        // Nothing until the console can say it in its language: an English
        // "Loading…" in a German portal is as foreign as English rows.
        _ if !spoken.get() => ().into_any(),
        None => view! { <p class="status-line">{i18n.text(msg::CONSOLE_LOADING)}</p> }.into_any(),
        Some(Ok(config)) => {
            let session = Session::new(config, host.get_value(), i18n);
            provide_context(session);
            view! { <Gate session /> }.into_any()
        }
        Some(Err(err)) => view! {
            <p class="notice notice--error" role="alert">
                {move || {
                    i18n.fill(msg::CONSOLE_SETTINGS_FAILED, &[("reason", &err.message(i18n))])
                }}
            </p>
        }
        .into_any(),
    };
    // The console is the main content of its own page; in a portal it is a
    // region of the portal's page, labelled by its heading.
    view! {
        <div
            class="console"
            role="region"
            aria-label=i18n.text(msg::CONSOLE_REGION)
            lang=move || i18n.lang()
            data-stopped-message=i18n.text(msg::CONSOLE_STOPPED)
        >
            {body}
        </div>
    }
}

/// Keeps `i18n` in the language the element asks for, now and whenever
/// its `lang` changes: English at once, another language once its catalog
/// is here (until then the words on screen stay as they are). A catalog
/// that cannot be fetched leaves the console in English; only the latest
/// wish is shown. What it answers turns true once the console speaks the
/// language it was first asked for (at once when that is English), for
/// the first words to wait for.
fn speak(
    i18n: I18n,
    host: StoredValue<Host, LocalStorage>,
    relang: ArcTrigger,
    origin: String,
) -> RwSignal<bool> {
    let wanted = move || host.with_value(|host| pick_language(host.languages()));
    let spoken = RwSignal::new(wanted() == ENGLISH);
    // Once only: the body below rebuilds the page when it changes.
    let set_spoken = move || {
        if spoken.try_get_untracked() == Some(false) {
            spoken.set(true);
        }
    };
    let asked = StoredValue::new(0_u32);
    Effect::new(move |_| {
        relang.track();
        let lang = wanted();
        // Any catalog on its way is for an older wish now.
        asked.update_value(|n| *n += 1);
        // English needs no catalog, and the language shown has its own.
        if lang == ENGLISH && i18n.lang_untracked() != ENGLISH {
            i18n.show(ENGLISH, None);
        }
        if lang == i18n.lang_untracked() {
            set_spoken();
            return;
        }
        let this = asked.get_value();
        let origin = origin.clone();
        leptos::task::spawn_local(async move {
            let catalog = load_catalog(&origin, lang).await;
            // A later wish, or the console gone, wins.
            if asked.try_get_value() != Some(this) {
                return;
            }
            match catalog {
                Ok(catalog) => i18n.show(lang, Some(catalog)),
                Err(_) => i18n.show(ENGLISH, None),
            }
            set_spoken();
        });
    });
    spoken
}

/// The Connect form while a key is needed, the leads page once there is one.
#[component]
fn Gate(session: Session) -> impl IntoView {
    view! {
        <Show when=move || !session.needs_key() fallback=|| view! { <Deferred load=connect_form /> }>
            <LeadsPage />
        </Show>
    }
}
