//! A view from the extras module: nothing while the module is fetched (it
//! usually is already), the view once it is here, and if it cannot be
//! fetched, what happened and Retry.
//!
//! The extras module holds what the first rows do not need. The build
//! splits it off (`scripts/build-dist.sh`) and the page fetches it once its
//! first view has answered, so the first load carries only the list. Each
//! feature declares its own split points (`#[wasm_split(extras, …)]`)
//! beside the code they load; a call fetches the module first (once; a
//! failed fetch is tried again on the next call) and answers
//! [`Unavailable`] when it cannot be fetched. Off wasm (unit tests) the
//! calls are plain calls.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

use crate::i18n::{msg, use_i18n};
use crate::ui::load_error::LoadError;

/// The extras module could not be fetched: the connection dropped, or the
/// server answered with an error instead of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unavailable;

impl From<SplitLoaderError> for Unavailable {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

/// What a split point that builds a view answers.
pub type Extra = Result<AnyView, Unavailable>;

/// What a split point that starts some work answers: the work, to run.
pub type ExtraWork<T> = Result<Pin<Box<dyn Future<Output = T>>>, Unavailable>;

/// Where a [`Deferred`] view says that the module could not be fetched.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Missing {
    /// Here, with Retry.
    #[default]
    Notice,
    /// In a table row of its own that spans this many columns, for views
    /// that take a row's place.
    NoticeInRow(usize),
    /// Nowhere: another view loading with it says so.
    Silent,
}

/// Shows what `load` answers, once `when` (if given) is true. Views that
/// load together share `attempt`, so one Retry loads them all.
#[component]
pub fn Deferred<F, Fut>(
    load: F,
    #[prop(optional)] missing: Missing,
    #[prop(optional)] attempt: Option<RwSignal<u32>>,
    #[prop(optional)] when: Option<Memo<bool>>,
) -> impl IntoView
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Extra> + Send + 'static,
{
    // Only this line is built for each caller; the view is built once.
    deferred(Arc::new(move || Box::pin(load())), missing, attempt, when)
}

/// A boxed [`Deferred`] `load`.
type Load = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Extra> + Send>> + Send + Sync>;

fn deferred(
    load: Load,
    missing: Missing,
    attempt: Option<RwSignal<u32>>,
    when: Option<Memo<bool>>,
) -> AnyView {
    let attempt = attempt.unwrap_or_else(|| RwSignal::new(0));
    let on_retry = Callback::new(move |()| attempt.update(|n| *n += 1));
    let i18n = use_i18n();
    (move || {
        if when.is_some_and(|when| !when.get()) {
            return None;
        }
        attempt.track();
        let load = load.clone();
        Some(Suspend::new(async move {
            let notice = move || {
                let message = i18n.t(msg::ERROR_EXTRAS_UNAVAILABLE);
                view! { <LoadError message retry_after=None on_retry /> }
            };
            match (load().await, missing) {
                (Ok(view), _) => view,
                (Err(Unavailable), Missing::Silent) => ().into_any(),
                (Err(Unavailable), Missing::Notice) => notice().into_any(),
                (Err(Unavailable), Missing::NoticeInRow(span)) => view! {
                    <tr class="row-note">
                        <td colspan=span>{notice()}</td>
                    </tr>
                }
                .into_any(),
            }
        }))
    })
    .into_any()
}
