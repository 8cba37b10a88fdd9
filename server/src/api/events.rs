//! `GET /v1/events`: lead events as Server-Sent Events, for either backend.
//!
//! A stream starts with a comment saying how often keep-alives come, then
//! its position (an `id:` and a comment, which moves a
//! client's `Last-Event-ID` without an event), or `reset` when the client's
//! `Last-Event-ID` is no longer kept; then what the client missed; then
//! every event as it happens. A stream that falls too far behind is told
//! `reset` and carries on from the newest event, so a slow reader costs the
//! server a bounded buffer and nobody else anything.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use leads_core::event::{keep_alive_comment, names};
use leads_core::ErrorType;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

use crate::bus::{LeadEvents, StreamSlot};
use crate::error::AppError;
use crate::event::Numbered;
use crate::rate_limit;

/// `GET /v1/events`.
pub async fn stream(
    State(events): State<LeadEvents>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let slot = events
        .open_stream(rate_limit::client(&extensions))
        .ok_or_else(|| {
            AppError::new(
                ErrorType::RateLimited,
                format!(
                    "This sign-in already has {} live event streams open, the most it may. \
                     Close the console in another tab or window, then reload this one.",
                    events.settings.per_client
                ),
            )
        })?;
    let last_seen = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        // An id no server sent is as good as one from the future: the
        // client reloads rather than replaying what it may have seen.
        .map(|value| value.parse::<u64>().unwrap_or(u64::MAX));
    let subscription = events.subscribe(last_seen).await;
    let first = match subscription.missed {
        Some(_) => Event::default()
            .id(subscription.latest.to_string())
            .comment("live"),
        None => reset(subscription.latest),
    };
    let keep_alive = events.settings.keep_alive;
    let announce = Event::default().comment(keep_alive_comment(
        u64::try_from(keep_alive.as_millis()).unwrap_or(u64::MAX),
    ));
    let state = Streaming {
        first: VecDeque::from([announce, first]),
        missed: subscription.missed.unwrap_or_default().into(),
        live: subscription.live,
        stopping: events.stopping(),
        last: subscription.latest,
        events: events.clone(),
        _slot: slot,
    };
    let sse = Sse::new(sse_events(state))
        .keep_alive(KeepAlive::new().interval(keep_alive).text("keep-alive"));
    let mut response = sse.into_response();
    // Nginx and friends would otherwise hold events back in a buffer.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    Ok(response)
}

/// One open stream.
struct Streaming {
    /// How often keep-alives come (so a client can tell a dead connection
    /// from a quiet one), then the position or `reset`.
    first: VecDeque<Event>,
    missed: VecDeque<Arc<Numbered>>,
    live: broadcast::Receiver<Arc<Numbered>>,
    stopping: watch::Receiver<bool>,
    /// The id of the newest event this stream has sent.
    last: u64,
    events: LeadEvents,
    /// Held while the stream is open: the client's count drops with it.
    _slot: StreamSlot,
}

/// `event: reset` at `id`: the client reloads its view.
fn reset(id: u64) -> Event {
    Event::default()
        .event(names::RESET)
        .id(id.to_string())
        .data("{}")
}

fn event(numbered: &Numbered) -> Event {
    Event::default()
        .event(numbered.name)
        .id(numbered.id.to_string())
        .data(&numbered.data)
}

fn sse_events(state: Streaming) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(state, |mut state| async move {
        if let Some(first) = state.first.pop_front() {
            return Some((Ok(first), state));
        }
        if let Some(missed) = state.missed.pop_front() {
            state.last = missed.id;
            return Some((Ok(event(&missed)), state));
        }
        loop {
            let received = tokio::select! {
                _ = state.stopping.wait_for(|stopping| *stopping) => return None,
                received = state.live.recv() => received,
            };
            let sent = match received {
                Ok(numbered) if numbered.id <= state.last => continue,
                Ok(numbered) => {
                    state.last = numbered.id;
                    event(&numbered)
                }
                Err(RecvError::Lagged(skipped)) => {
                    tracing::warn!(skipped, "a slow event stream was told to reload");
                    // From the newest on: left at the back of the queue it
                    // would lag again at the next event. The client reloads
                    // after this reset, so what happens in between shows.
                    state.live = state.live.resubscribe();
                    state.last = state.events.latest();
                    reset(state.last)
                }
                Err(RecvError::Closed) => return None,
            };
            return Some((Ok(sent), state));
        }
    })
}
