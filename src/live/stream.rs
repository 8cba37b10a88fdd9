//! The console's one live event stream (`/v1/events`): connecting with the
//! session's credentials, reconnecting with backoff and `Last-Event-ID`,
//! and what each event does to the page: new leads that belong in the view
//! are counted for "Show {n} new leads" (rows never jump under the cursor),
//! leads on screen take a colleague's changes in place (an open editor
//! asks instead), and `reset` reloads the view.

use crate::ui::collections::HashSet;
use std::time::Duration;

use leads_core::{PartialLead, SortField};
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;

use crate::edit::lead_edits::LeadEdits;
use crate::i18n::{msg, Msg};
use crate::live::attention::Attention;
use crate::net::error::RequestError;
use crate::net::pause::{millis, sleep};
use crate::net::session::Session;
use crate::net::sse::{LiveEvent, Message, Parser};
use crate::net::stream::EventStream;
use crate::ui::deferred::ExtraWork;
use crate::ui::mounted::Mounted;
use crate::views::list_state::ListState;

/// Where the stream stands, as the page says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// The first attempt is on its way.
    Connecting,
    /// Connected: events arrive as they happen.
    Live,
    /// Not connected; trying again.
    Reconnecting,
    /// This API has no event stream (the vendor's own, say).
    Unavailable,
}

impl Connection {
    /// The status text.
    pub fn label(self) -> Msg {
        match self {
            Self::Connecting => msg::LIVE_CONNECTING,
            Self::Live => msg::LIVE_LIVE,
            Self::Reconnecting => msg::LIVE_RECONNECTING,
            Self::Unavailable => msg::LIVE_UNAVAILABLE,
        }
    }
}

/// The lead as the loaded page has it, when it is on screen.
pub type OnScreen = Box<dyn Fn(&str) -> Option<PartialLead>>;

/// What the stream works on: the parts of the leads page its events read
/// and change.
pub struct LivePage {
    /// The view, which decides whether a new lead belongs in it.
    pub list: ListState,
    /// Where a colleague's change goes (and a row being edited asks).
    pub edits: LeadEdits,
    /// The title count and the notifications.
    pub attention: Attention,
    pub on_screen: OnScreen,
    /// Loads the view again (after `reset`).
    pub reload: Callback<()>,
}

/// The live state of the leads page, shared through context.
#[derive(Clone, Copy)]
pub struct Live {
    pub connection: RwSignal<Connection>,
    /// New leads that belong in the view and are not shown yet, in order
    /// of arrival.
    pub fresh: RwSignal<Vec<String>>,
    list: ListState,
    edits: LeadEdits,
    attention: Attention,
    on_screen: StoredValue<OnScreen, LocalStorage>,
    /// Leads the host page heard of from the stream.
    heard: StoredValue<HashSet<String>>,
    /// Loads the view again.
    reload: Callback<()>,
}

impl Live {
    /// Opens the stream for the page being built once `ready` (the first
    /// view has answered: the rows come first, and a portal's token is
    /// asked for once, not by two requests at the same moment); it closes
    /// with the page.
    pub fn follow(session: Session, ready: Memo<bool>, page: LivePage) -> Live {
        let live = Live {
            connection: RwSignal::new(Connection::Connecting),
            fresh: RwSignal::new(Vec::new()),
            list: page.list,
            edits: page.edits,
            attention: page.attention,
            on_screen: StoredValue::new_local(page.on_screen),
            heard: StoredValue::new(HashSet::default()),
            reload: page.reload,
        };
        let mounted = Mounted::until_cleanup();
        // The page going away closes the stream at once, so the server
        // frees its slot rather than at the next keep-alive.
        let open = StoredValue::new_local(None::<EventStream>);
        on_cleanup(move || {
            open.try_with_value(|stream| stream.as_ref().map(EventStream::close));
        });
        Effect::new(move |started: Option<bool>| {
            if started == Some(true) {
                return true;
            }
            let now = ready.get();
            if now {
                leptos::task::spawn_local(start(session, live, mounted.clone(), open));
            }
            now
        });
        live
    }

    /// True when lead `id` is on screen.
    pub fn is_on_screen(&self, id: &str) -> bool {
        self.lead_on_screen(id).is_some()
    }

    fn lead_on_screen(&self, id: &str) -> Option<PartialLead> {
        self.on_screen.try_with_value(|find| find(id)).flatten()
    }

    /// A create of this console's was answered. Its event often arrives
    /// first (the server announces before it replies): then the lead is not
    /// "new" here after all. True when the host page already heard of it.
    pub fn created_here(&self, id: &str) -> bool {
        self.fresh.update(|fresh| fresh.retain(|fresh| fresh != id));
        self.heard.with_value(|heard| heard.contains(id))
    }

    /// A view is loading: leads counted for another view do not count.
    pub fn view_changed(&self) {
        self.fresh.set(Vec::new());
    }

    /// A view loaded: leads it shows are no longer new.
    pub fn loaded(&self) {
        let fresh = self.fresh.get_untracked();
        let left: Vec<String> = fresh
            .iter()
            .filter(|id| !self.is_on_screen(id))
            .cloned()
            .collect();
        if left.len() != fresh.len() {
            self.fresh.set(left);
        }
    }

    /// "Show {n} new leads": the view loads again with them highlighted.
    /// Newest first is the order they arrive in, so such a view goes back
    /// to its first page, where they are.
    pub fn show_fresh(&self) {
        let ids = self.fresh.try_update(std::mem::take).unwrap_or_default();
        self.edits.highlight_for_a_while(ids);
        let query = self.list.query.get_untracked();
        let newest_first = query.sort.field == SortField::CreatedAt && query.sort.descending;
        if newest_first && query.page > 1 {
            self.list.navigate(query.with_page(1));
        } else {
            self.reload.run(());
        }
    }

    fn take(&self, event: LiveEvent, session: Session) {
        match event {
            LiveEvent::Created(lead) => {
                if self.edits.is_own(&lead.id) || self.is_on_screen(&lead.id) {
                    return;
                }
                session.host().lead_created(&lead.id);
                self.heard.update_value(|heard| {
                    heard.insert(lead.id.clone());
                });
                if !self.list.query.get_untracked().admits(&lead) {
                    return;
                }
                let counted = self.fresh.try_update(|fresh| {
                    let new = !fresh.contains(&lead.id);
                    if new {
                        fresh.push(lead.id.clone());
                    }
                    new
                });
                if counted == Some(true) {
                    self.attention.arrived(&lead);
                }
            }
            LiveEvent::Updated(update) => {
                if let Some(base) = self.lead_on_screen(&update.id) {
                    self.edits.record_remote(&base, update.lead);
                }
            }
            LiveEvent::Reset => {
                self.fresh.set(Vec::new());
                self.reload.run(());
            }
        }
    }
}

/// How long to wait before reconnecting after `failures` attempts in a
/// row: half a second, doubling, at most 15 s (before jitter).
fn backoff(failures: u32) -> Duration {
    Duration::from_millis(500 << failures.min(5)).min(Duration::from_secs(15))
}

/// Fetches the stream's code (it is in the extras module: the first rows
/// do not need it), trying again like a dropped connection if that fails,
/// then runs it.
async fn start(
    session: Session,
    live: Live,
    mounted: Mounted,
    open: StoredValue<Option<EventStream>, LocalStorage>,
) {
    let mut failures = 0;
    loop {
        let loaded = live_stream(session, live, mounted.clone(), open).await;
        if !mounted.get() {
            return;
        }
        match loaded {
            Ok(run) => return run.await,
            Err(_) => {
                live.connection.set(Connection::Reconnecting);
                sleep(backoff(failures)).await;
                failures += 1;
                if !mounted.get() {
                    return;
                }
            }
        }
    }
}

/// Connects, reads, and reconnects until the page goes away. Every await
/// is followed by a look at `mounted`: nothing of a closed page is touched.
pub(crate) async fn run(
    session: Session,
    live: Live,
    mounted: Mounted,
    open: StoredValue<Option<EventStream>, LocalStorage>,
) {
    let mut last_id: Option<String> = None;
    let mut failures = 0;
    loop {
        let client = session.client_untracked();
        let opened = client.open_events(last_id.as_deref()).await;
        if !mounted.get() {
            return;
        }
        let wait = match session.checked(opened) {
            Ok(stream) => {
                open.set_value(Some(stream.clone()));
                failures = 0;
                live.connection.set(Connection::Live);
                let mut parser = Parser::default();
                while let Some(chunk) = stream.next_chunk().await {
                    if !mounted.get() {
                        return;
                    }
                    for message in parser.feed(&chunk) {
                        // An event can end the page (a reload that finds
                        // the key refused): the rest of the chunk waits.
                        if !mounted.get() {
                            return;
                        }
                        match message {
                            Message::Position(id) => last_id = Some(id),
                            Message::KeepAlive(millis) => stream.expect_keep_alive(millis),
                            Message::Event { name, data, id } => {
                                if id.is_some() {
                                    last_id = id;
                                }
                                if let Some(event) = LiveEvent::from_message(&name, &data) {
                                    live.take(event, session);
                                }
                            }
                        }
                    }
                }
                if !mounted.get() {
                    return;
                }
                stream.close();
                open.set_value(None);
                backoff(0)
            }
            // Back to Connect, or the portal was told: nothing to retry.
            Err(RequestError::Unauthorized | RequestError::SignInRefused) => return,
            Err(RequestError::Http { status: 404 | 405 }) => {
                live.connection.set(Connection::Unavailable);
                return;
            }
            Err(err) => err.pause().unwrap_or_default().max(backoff(failures)),
        };
        live.connection.set(Connection::Reconnecting);
        failures += 1;
        // Up to a fifth either way, so consoles cut off together by a
        // restart do not all come back in the same instant.
        let jitter = 0.8 + 0.4 * js_sys::Math::random();
        sleep(Duration::from_millis((millis(wait) as f64 * jitter) as u64)).await;
        if !mounted.get() {
            return;
        }
    }
}

/// The connection loop ([`run`]), from the extras module: the first rows do
/// not need it.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
fn live_stream(
    session: Session,
    live: Live,
    mounted: Mounted,
    open: StoredValue<Option<EventStream>, LocalStorage>,
) -> ExtraWork<()> {
    Ok(Box::pin(run(session, live, mounted, open)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_to_at_most_fifteen() {
        let ms = |failures| millis(backoff(failures));
        assert_eq!([ms(0), ms(1), ms(2), ms(4)], [500, 1000, 2000, 8000]);
        assert_eq!([ms(5), ms(40)], [15_000, 15_000]);
    }
}
