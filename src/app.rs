//! The root: load `/config.json`, then show the leads page inside the router.

use leptos::prelude::*;
use leptos_router::components::Router;

use crate::api::{load_config, ApiClient};
use crate::pages::leads::LeadsPage;

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(load_config);
    view! {
        <Router>
            <div class="console">
                <Suspense fallback=|| view! { <p class="status-line">"Loading the console…"</p> }>
                    {move || {
                        config
                            .get()
                            .map(|result| match result {
                                Ok(config) => {
                                    provide_context(ApiClient::new(&config, None));
                                    view! { <LeadsPage /> }.into_any()
                                }
                                Err(err) => {
                                    view! {
                                        <p class="load-error" role="alert">
                                            {format!(
                                                "The console could not load its settings. {}",
                                                err.message(),
                                            )}
                                        </p>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Suspense>
            </div>
        </Router>
    }
}
