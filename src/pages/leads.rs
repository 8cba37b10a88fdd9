//! The leads list: the view from the URL, one fetch per view, and the table.

use leptos::prelude::*;

use crate::api::ApiClient;
use crate::components::leads_table::LeadsTable;
use crate::list_state::use_list_state;

/// The leads list page.
#[component]
pub fn LeadsPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let list = use_list_state();
    let page = LocalResource::new(move || {
        let query = list.query.get();
        let client = client.clone();
        async move { client.list_leads(&query, None).await }
    });
    view! {
        <section class="leads" aria-labelledby="leads-heading">
            <h1 id="leads-heading">"Leads"</h1>
            <Transition fallback=|| view! { <p class="status-line">"Loading leads…"</p> }>
                {move || {
                    page.get()
                        .map(|result| match result {
                            Ok(page) => view! { <LeadsTable leads=page.data /> }.into_any(),
                            Err(err) => {
                                view! { <p class="load-error" role="alert">{err.message()}</p> }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </section>
    }
}
