//! Limits on what a client may send, beyond the body size the contract
//! sets: the URL's length, the headers' size, and the time to send a body.
//! Each is answered in the contract's error format.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::{Body as HttpBody, Frame, SizeHint};
use leads_core::ErrorType;
use tokio::time::{Instant, Sleep};

use crate::error::AppError;

/// Longest URL (path and query) the server reads.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Most header bytes (names and values) the server reads.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// `414` for a URL past [`MAX_URI_BYTES`], `431` for headers past
/// [`MAX_HEADER_BYTES`]; both before anything else looks at the request.
pub async fn check_head(request: Request, next: Next) -> Response {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return AppError::new(
            ErrorType::UriTooLong,
            format!(
                "The URL is longer than {} KiB. Use fewer or shorter parameters.",
                MAX_URI_BYTES / 1024
            ),
        )
        .into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers > MAX_HEADER_BYTES {
        return AppError::new(
            ErrorType::HeadersTooLarge,
            format!(
                "The request's headers are larger than {} KiB. Send fewer or smaller headers.",
                MAX_HEADER_BYTES / 1024
            ),
        )
        .into_response();
    }
    next.run(request).await
}

/// Gives the request body `timeout` in all, however it trickles in; a body
/// still arriving then fails with [`BodyTooSlow`], which the body reader
/// answers `408`.
pub async fn body_deadline(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    // Most requests carry no body: nothing to wait for, no timer to arm.
    if request.body().is_end_stream() {
        return next.run(request).await;
    }
    let request = request.map(|body| {
        Body::new(Deadline {
            body,
            timer: Box::pin(tokio::time::sleep_until(Instant::now() + timeout)),
        })
    });
    next.run(request).await
}

/// Why a body read failed when its time ran out.
#[derive(Debug, thiserror::Error)]
#[error("the client took too long to send the request body")]
pub struct BodyTooSlow;

/// A body that fails once its deadline passes.
struct Deadline {
    body: Body,
    timer: Pin<Box<Sleep>>,
}

impl HttpBody for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(BodyTooSlow.into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// True when `err`, or anything that caused it, is [`BodyTooSlow`].
pub fn is_too_slow(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if err.is::<BodyTooSlow>() {
            return true;
        }
        cause = err.source();
    }
    false
}
