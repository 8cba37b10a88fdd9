//! A view from the extras module ([`crate::extras`]): nothing while the
//! module is fetched (it usually is already), the view once it is here,
//! and if it cannot be fetched, what happened and Retry.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;

use crate::components::leads_table::ROW_SPAN;
use crate::components::load_error::LoadError;
use crate::extras::{Extra, Unavailable, UNAVAILABLE};

/// Shows what `load` answers, once `when` (if given) is true. `in_row`
/// puts the failure notice in a table row of its own, for views that take
/// a row's place. Views that load together share `attempt`, so one Retry
/// loads them all; those that are `quiet` show nothing when the module is
/// missing and leave the notice to the one that is not.
#[component]
pub fn Later<F, Fut>(
    load: F,
    #[prop(optional)] in_row: bool,
    #[prop(optional)] quiet: bool,
    #[prop(optional)] attempt: Option<RwSignal<u32>>,
    #[prop(optional)] when: Option<Memo<bool>>,
) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Extra> + Send + 'static,
{
    // Only this line is built for each caller; the view is built once.
    later(
        Arc::new(move || Box::pin(load())),
        in_row,
        quiet,
        attempt,
        when,
    )
}

/// A boxed [`Later`] `load`.
type Load = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Extra> + Send>> + Send + Sync>;

fn later(
    load: Load,
    in_row: bool,
    quiet: bool,
    attempt: Option<RwSignal<u32>>,
    when: Option<Memo<bool>>,
) -> AnyView {
    let attempt = attempt.unwrap_or_else(|| RwSignal::new(0));
    let on_retry = Callback::new(move |()| attempt.update(|n| *n += 1));
    (move || {
        if when.is_some_and(|when| !when.get()) {
            return None;
        }
        attempt.track();
        let load = load.clone();
        Some(Suspend::new(async move {
            match load().await {
                Ok(view) => view,
                Err(Unavailable) if quiet => ().into_any(),
                Err(Unavailable) => {
                    let notice = view! {
                        <LoadError message=UNAVAILABLE.to_owned() retry_after=None on_retry />
                    };
                    if in_row {
                        view! {
                            <tr class="row-note">
                                <td colspan=ROW_SPAN>{notice}</td>
                            </tr>
                        }
                        .into_any()
                    } else {
                        notice.into_any()
                    }
                }
            }
        }))
    })
    .into_any()
}
