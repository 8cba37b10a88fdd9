//! Saved views: each a link to its view, with "Delete view {name}", and
//! "Save view", which asks for a name. Storage is [`crate::views::saved`]'s.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::msg;
use crate::net::session::Session;
use crate::views::list_state::ListState;
use crate::views::saved::{NotSaved, SavedView, SavedViews, MAX_NAME_CHARS};

/// The views row.
#[component]
pub fn ViewsBar(list: ListState) -> impl IntoView {
    let session = expect_context::<Session>();
    let i18n = session.i18n();
    let views = SavedViews::load(&session.api_base());
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let save_button = NodeRef::<html::Button>::new();
    let name_input = NodeRef::<html::Input>::new();

    // Where the focus goes once the form opens or closes (`None`: leave
    // it be).
    let focus_next = StoredValue::new(None::<FocusNext>);
    let set_naming = move |on: bool| {
        focus_next.set_value(Some(if on {
            FocusNext::NameField
        } else {
            FocusNext::SaveView
        }));
        naming.set(on);
    };
    Effect::new(move |_| {
        let (input, button) = (name_input.get(), save_button.get());
        let done = match focus_next.get_value() {
            Some(FocusNext::NameField) => input.map(|el| el.focus()),
            Some(FocusNext::SaveView) => button.map(|el| el.focus()),
            None => None,
        };
        if done.is_some() {
            focus_next.set_value(None);
        }
    });
    let finish = move |outcome: Result<(), NotSaved>| match outcome {
        Ok(()) => {
            set_naming(false);
            problem.set(None);
            name.set(String::new());
        }
        Err(why) => problem.set(Some(why.message(i18n))),
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        finish(views.save(&name.get_untracked(), list.query.get_untracked()));
    };

    let item = move |view: SavedView| {
        let query = view.list_query();
        let link_href = list.href(&query);
        let shows = query.clone();
        let open = move |ev: leptos::ev::MouseEvent| {
            // A modified click opens the link as the browser would.
            if !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
                ev.prevent_default();
                list.navigate(query.clone());
            }
        };
        // The view on screen is marked as the current one.
        let current = move || {
            list.query
                .with(|now| now.clone().with_page(1) == shows)
                .then_some("page")
        };
        let link = match link_href {
            Some(href) => view! {
                <a href=href aria-current=current on:click=open>{view.name.clone()}</a>
            }
            .into_any(),
            None => view! {
                <button class="link-button" type="button" aria-current=current on:click=open>
                    {view.name.clone()}
                </button>
            }
            .into_any(),
        };
        let gone = view.name.clone();
        view! {
            <li class="views__item">
                {link}
                <button
                    class="icon-button"
                    type="button"
                    aria-label=i18n.fill(msg::VIEWS_DELETE, &[("name", &view.name)])
                    title=i18n.fill(msg::VIEWS_DELETE, &[("name", &view.name)])
                    on:click=move |_| {
                        finish(views.delete(&gone));
                        if let Some(button) = save_button.get_untracked() {
                            let _ = button.focus();
                        }
                    }
                >
                    <span aria-hidden="true">"×"</span>
                </button>
            </li>
        }
    };

    view! {
        <div class="views">
            {move || {
                let all = views.all();
                (!all.is_empty())
                    .then(|| {
                        view! {
                            <ul class="views__list" aria-label=i18n.t(msg::VIEWS_LABEL)>
                                {all.into_iter().map(item).collect_view()}
                            </ul>
                        }
                    })
            }}
            <Show
                when=move || naming.get()
                fallback=move || {
                    view! {
                        <button
                            class="button button--quiet button--small"
                            type="button"
                            node_ref=save_button
                            on:click=move |_| set_naming(true)
                        >
                            {i18n.text(msg::VIEWS_SAVE_VIEW)}
                        </button>
                    }
                }
            >
                <form class="views__form" on:submit=save novalidate>
                    <label for="view-name">{i18n.text(msg::VIEWS_NAME)}</label>
                    <input
                        id="view-name"
                        type="text"
                        node_ref=name_input
                        maxlength=MAX_NAME_CHARS
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Escape" {
                                ev.prevent_default();
                                set_naming(false);
                                problem.set(None);
                            }
                        }
                    />
                    <button class="button button--primary button--small" type="submit">
                        {i18n.text(msg::ACTION_SAVE)}
                    </button>
                    <button
                        class="button button--quiet button--small"
                        type="button"
                        on:click=move |_| {
                            set_naming(false);
                            problem.set(None);
                        }
                    >
                        {i18n.text(msg::ACTION_CANCEL)}
                    </button>
                </form>
            </Show>
            <Show when=move || problem.with(Option::is_some)>
                <p class="views__problem" role="alert">{move || problem.get()}</p>
            </Show>
        </div>
    }
}

/// Where the focus goes once the naming form opens or closes.
#[derive(Clone, Copy)]
enum FocusNext {
    /// Into the name field, as the form opens.
    NameField,
    /// Back to "Save view", as it closes.
    SaveView,
}
