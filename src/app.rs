//! The root: load `/config.json`, then show the Connect form or the leads
//! page inside the router.

use leptos::prelude::*;
use leptos_router::components::Router;

use crate::api::load_config;
use crate::components::connect_form::ConnectForm;
use crate::pages::leads::LeadsPage;
use crate::session::Session;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(load_config);
    // No <Suspense> here: the leads page's own <Transition> must be the only
    // boundary its list resource reports to, or every reload would blank
    // the whole console.
    let body = move || match config.get() {
        None => view! { <p class="status-line">"Loading the console…"</p> }.into_any(),
        Some(Ok(config)) => {
            let session = Session::new(config);
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
    // The console is the page's main content, whatever it shows; screen
    // readers jump to it as the `main` landmark.
    view! {
        <Router>
            <main class="console">{body}</main>
        </Router>
    }
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
