//! "Export CSV": every lead of the current view, its filters and order,
//! all pages, gathered [`PAGE_SIZE`] at a time and saved as one file
//! ([`crate::export::csv`]). Leads arriving or leaving mid-way shift the pages: a
//! lead seen twice is kept once, and a walk whose count does not match the
//! view's total is walked again; if it still does not match, the outcome
//! says so.

use crate::ui::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leads_core::limits::MAX_LIMIT;
use leads_core::{ListQuery, Page, PartialLead};
use leptos::prelude::*;
use leptos::wasm_split::wasm_split;
use wasm_bindgen::JsCast;

use crate::net::error::RequestError;
use crate::net::pause::sleep;
use crate::net::session::Session;
use crate::ui::deferred::ExtraWork;
use crate::ui::mounted::Mounted;

/// Leads asked for per request: the most the API gives.
pub const PAGE_SIZE: u32 = MAX_LIMIT;

/// Where an export stands.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportState {
    /// `gathered` leads so far of the view's `total`.
    Running {
        gathered: usize,
        total: u64,
    },
    /// Saved as `file`; `changed` is the view's total when the leads
    /// changed while exporting, so the file may not match the view.
    Saved {
        count: usize,
        file: String,
        changed: Option<u64>,
    },
    /// Stopped by the API's answer, or (`None`) because its code could not
    /// be downloaded. Kept as data, so it is worded in the console's
    /// language of the moment.
    Failed(Option<RequestError>),
    Cancelled,
}

/// One walk through the view's pages: leads in the order first seen, each
/// once, and every total the pages reported.
#[derive(Default)]
struct Walk {
    leads: Vec<PartialLead>,
    seen: HashSet<String>,
    totals: Vec<u64>,
}

impl Walk {
    fn add(&mut self, page: Page<PartialLead>) {
        self.totals.push(page.meta.total);
        for lead in page.data {
            if self.seen.insert(lead.id.clone()) {
                self.leads.push(lead);
            }
        }
    }

    /// The latest total the view reported.
    fn total(&self) -> u64 {
        self.totals.last().copied().unwrap_or(0)
    }

    /// True when the view held still: every page reported one total, and
    /// exactly that many leads were gathered.
    fn held_still(&self) -> bool {
        self.totals.windows(2).all(|w| w[0] == w[1]) && self.leads.len() as u64 == self.total()
    }
}

/// The export of a leads page, shared through context: the button starts
/// it, the status line shows it.
#[derive(Clone)]
pub struct Export {
    state: ArcRwSignal<Option<ExportState>>,
    cancelled: Arc<AtomicBool>,
    alive: Mounted,
}

impl Export {
    /// An export that stops touching anything once its page is gone.
    pub fn new() -> Self {
        Self {
            state: ArcRwSignal::new(None),
            cancelled: Arc::new(AtomicBool::new(false)),
            alive: Mounted::until_cleanup(),
        }
    }

    /// Where the export stands (tracked); `None` before the first.
    pub fn state(&self) -> Option<ExportState> {
        self.state.get()
    }

    /// True while an export runs (tracked).
    pub fn running(&self) -> bool {
        self.state
            .with(|s| matches!(s, Some(ExportState::Running { .. })))
    }

    /// Stops the walk; nothing is saved, even when the page in flight was
    /// the last.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Exports `view` (any page size and page: all of it is exported).
    pub fn start(&self, view: ListQuery, session: Session) {
        if self.running_untracked() {
            return;
        }
        self.cancelled.store(false, Ordering::Relaxed);
        self.state.set(Some(ExportState::Running {
            gathered: 0,
            total: 0,
        }));
        let this = self.clone();
        leptos::task::spawn_local(async move {
            // The walk's code is in the extras module, which the page has
            // usually fetched by now.
            let outcome = match export_walk(this.clone(), view, session).await {
                Ok(walk) => walk.await,
                Err(_) => ExportState::Failed(None),
            };
            if this.alive.get() {
                this.state.set(Some(outcome));
            }
        });
    }

    /// True once Cancel was pressed or the page went away.
    fn stopped(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || !self.alive.get()
    }

    fn running_untracked(&self) -> bool {
        self.state
            .with_untracked(|s| matches!(s, Some(ExportState::Running { .. })))
    }

    /// Gathers every page of `view` and saves the file.
    pub(crate) async fn walk(&self, view: ListQuery, session: Session) -> ExportState {
        let client = session.client_untracked();
        let first = view.clone().with_limit(PAGE_SIZE);
        let mut walk = Walk::default();
        // A second walk when the first saw the view change under it.
        for _ in 0..2 {
            walk = Walk::default();
            let mut page = 1;
            loop {
                if self.stopped() {
                    return ExportState::Cancelled;
                }
                let answer = client.export_page(&first.clone().with_page(page)).await;
                // Cancel may have been pressed while the page was on its way.
                if self.stopped() {
                    return ExportState::Cancelled;
                }
                match session.checked(answer) {
                    Ok(leads) => {
                        let last = leads.data.is_empty() || leads.meta.is_last();
                        walk.add(leads);
                        self.state.set(Some(ExportState::Running {
                            gathered: walk.leads.len(),
                            total: walk.total(),
                        }));
                        if last {
                            break;
                        }
                        page += 1;
                    }
                    Err(err) => match err.pause() {
                        Some(pause) => sleep(pause).await,
                        None => return ExportState::Failed(Some(err)),
                    },
                }
            }
            if walk.held_still() {
                break;
            }
        }
        let changed = (!walk.held_still()).then(|| walk.total());
        let file = crate::export::csv::file_name(&view, &today());
        save(&file, &crate::export::csv::file(&walk.leads));
        ExportState::Saved {
            count: walk.leads.len(),
            file,
            changed,
        }
    }
}

impl Default for Export {
    fn default() -> Self {
        Self::new()
    }
}

/// Today in the browser's time zone, as `2026-11-26`.
fn today() -> String {
    let now = js_sys::Date::new_0();
    format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    )
}

/// Hands `text` to the browser as a download named `name`.
fn save(name: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let parts = js_sys::Array::of1(&text.into());
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    // The browser reads the file after this task; let it, then free it.
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
}

/// The walk through every page of `view` ([`Export::walk`]), from the
/// extras module.
#[wasm_split(extras, wasm_split_path = ::leptos::wasm_split, fallible)]
fn export_walk(export: Export, view: ListQuery, session: Session) -> ExtraWork<ExportState> {
    Ok(Box::pin(async move { export.walk(view, session).await }))
}
