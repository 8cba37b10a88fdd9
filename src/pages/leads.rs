//! The leads list: the view from the URL, exactly one fetch per view, and
//! what to show while it loads, when it is empty and when it fails.

use leads_core::{Page, PartialLead};
use leptos::prelude::*;
use web_sys::AbortController;

use crate::api::ApiError;
use crate::components::empty_state::{Emptiness, EmptyState};
use crate::components::leads_table::LeadsTable;
use crate::components::list_filters::ListFilters;
use crate::components::load_error::LoadError;
use crate::components::pager::{page_count, Pager};
use crate::components::table_skeleton::TableSkeleton;
use crate::list_state::{use_list_state, ListState};
use crate::session::Session;

/// The leads list page.
#[component]
pub fn LeadsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let list = use_list_state();
    // The request for the previous view; aborted as soon as a newer view is
    // asked for, so a slow old answer can never land on top of a new one.
    let in_flight = StoredValue::new_local(None::<AbortController>);
    let page = LocalResource::new(move || {
        let query = list.query.get();
        let client = session.client();
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        in_flight.update_value(|previous| {
            if let Some(previous) = previous.take() {
                previous.abort();
            }
            *previous = controller;
        });
        async move { (query, client.list_leads(&query, signal.as_ref()).await) }
    });
    Effect::new(move |_| {
        if let Some((_, Err(ApiError::Unauthorized))) = page.get() {
            session.reject();
        }
    });
    // Busy while the rows on screen belong to another view than the URL's.
    let pending = Memo::new(move |_| page.get().map(|(shown, _)| shown) != Some(list.query.get()));
    view! {
        <section class="leads" aria-labelledby="leads-heading">
            <header class="topbar">
                <h1 id="leads-heading">"Leads"</h1>
                <div class="topbar__actions">
                    <Show when=move || session.uses_key()>
                        <button
                            class="button button--quiet"
                            type="button"
                            on:click=move |_| session.disconnect()
                        >
                            "Disconnect"
                        </button>
                    </Show>
                </div>
            </header>
            <ListFilters list />
            <div class="results" aria-busy=move || pending.get().to_string()>
                <Transition fallback=TableSkeleton>
                    {move || {
                        page.get()
                            .map(|(_, result)| {
                                results_view(result, list, move || page.refetch())
                            })
                    }}
                </Transition>
            </div>
        </section>
    }
}

/// The rows and pager, an empty state, or an error with Retry.
fn results_view(
    result: Result<Page<PartialLead>, ApiError>,
    list: ListState,
    retry: impl Fn() + Send + Sync + 'static,
) -> AnyView {
    // Actions read the view at click time: while a new view loads, the old
    // rows stay on screen, and a click on them must build on the new view.
    let current = move || list.query.get_untracked();
    let on_page = Callback::new(move |page: u32| list.navigate(current().with_page(page)));
    let on_clear = Callback::new(move |()| list.navigate(current().cleared()));
    let query = current();
    let page = match result {
        Ok(page) => page,
        Err(ApiError::Superseded) => return ().into_any(),
        Err(err) => {
            return view! { <LoadError message=err.message() on_retry=Callback::new(move |()| retry()) /> }
                .into_any()
        }
    };
    if page.data.is_empty() {
        let why = if page.meta.total > 0 {
            Emptiness::PastEnd {
                last_page: page_count(page.meta),
            }
        } else if query.has_filters() {
            Emptiness::NoMatches
        } else {
            Emptiness::NoLeads
        };
        return view! { <EmptyState why on_clear on_page /> }.into_any();
    }
    let shown = page.data.len();
    let on_sort = Callback::new(move |sort| list.navigate(current().with_sort(sort)));
    view! {
        <LeadsTable leads=page.data sort=query.sort on_sort />
        <Pager meta=page.meta shown on_page />
    }
    .into_any()
}
