//! The one way a test waits: read, check, and read again every 50 ms, for
//! as long as a person would wait ([`PATIENCE`]). What was read on the way
//! is kept, so a wait that gives up says what the page did instead.

use std::fmt::Debug;
use std::future::Future;

use super::*;

/// What a wait saw.
pub(super) struct Polled<T> {
    /// The last reading: the one that met the condition, if one did.
    pub last: T,
    /// Whether a reading met the condition.
    pub met: bool,
    /// Each different reading before the last, in order (at most 20).
    pub seen: Vec<String>,
}

/// Reads with `read` until `done` holds for a reading or [`PATIENCE`]
/// passes.
pub(super) async fn poll<T: Debug, Fut: Future<Output = T>>(
    mut read: impl FnMut() -> Fut,
    done: impl Fn(&T) -> bool,
) -> Polled<T> {
    let started = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let now = read().await;
        let met = done(&now);
        if met || started.elapsed() > PATIENCE {
            return Polled {
                last: now,
                met,
                seen,
            };
        }
        let shown = format!("{now:?}");
        if seen.last() != Some(&shown) && seen.len() < 20 {
            seen.push(shown);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
