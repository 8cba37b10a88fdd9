//! Outcomes people need to hear about ("Lead created", "Status updated", an
//! error), shown in live regions, with one optional action such as Undo or
//! Retry. Views announce; only `ui::announcements` renders.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use leptos::prelude::*;

use crate::i18n::Msg;

/// How long a success, and its Undo, stays on screen.
pub const UNDO_WINDOW: Duration = Duration::from_secs(5);

/// Whether an outcome is good news or a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Error,
}

/// A button offered with an announcement.
#[derive(Clone)]
pub struct NoticeAction {
    pub label: Msg,
    pub run: Callback<()>,
}

/// One announcement.
#[derive(Clone)]
pub struct Notice {
    pub id: u64,
    pub message: String,
    pub tone: Tone,
    pub action: Option<NoticeAction>,
}

/// The last notice's id, across every console on the page: a notice's
/// timer clears only its own notice.
static LAST_ID: AtomicU64 = AtomicU64::new(0);

/// The announcer, shared through context. The newest notice replaces the
/// one before it.
#[derive(Clone, Copy)]
pub struct Announcer {
    current: RwSignal<Option<Notice>>,
}

impl Default for Announcer {
    fn default() -> Self {
        Self::new()
    }
}

impl Announcer {
    /// An empty announcer.
    pub fn new() -> Self {
        Self {
            current: RwSignal::new(None),
        }
    }

    /// The notice on screen (tracked).
    pub fn current(&self) -> Option<Notice> {
        self.current.get()
    }

    fn show(&self, message: String, tone: Tone, action: Option<NoticeAction>) -> u64 {
        let id = LAST_ID.fetch_add(1, Ordering::Relaxed) + 1;
        self.current.set(Some(Notice {
            id,
            message,
            tone,
            action,
        }));
        id
    }

    /// Good news; it goes away after [`UNDO_WINDOW`], taking its action along.
    pub fn success(&self, message: impl Into<String>, action: Option<NoticeAction>) {
        let id = self.show(message.into(), Tone::Success, action);
        let current = self.current;
        // The page may be gone by then (a Disconnect), and its notice with it.
        set_timeout(
            move || {
                if current.try_with_untracked(|n| n.as_ref().map(|n| n.id)) == Some(Some(id)) {
                    current.set(None);
                }
            },
            UNDO_WINDOW,
        );
    }

    /// A failure; it stays until dismissed or replaced, so Retry stays reachable.
    pub fn error(&self, message: impl Into<String>, action: Option<NoticeAction>) {
        self.show(message.into(), Tone::Error, action);
    }

    /// Removes the notice on screen.
    pub fn dismiss(&self) {
        self.current.set(None);
    }
}
