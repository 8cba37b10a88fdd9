//! What answers `/v1/leads…`: the store, the vendor's API in proxy mode,
//! or a synced copy of the vendor's leads in front of it (`--mirror`).
//! `lib.rs` chooses one at start; the router mounts its routes.

use crate::mirror::Mirror;
use crate::store::Store;
use crate::upstream::Upstream;

/// The store, the upstream or the copy, chosen once at start.
#[derive(Clone)]
pub enum LeadsBackend {
    Store(Store),
    Upstream(Upstream),
    Mirror(Mirror),
}

impl LeadsBackend {
    /// Whether lists answer `q` and `tag`: the vendor's API does not.
    pub fn searches(&self) -> bool {
        !matches!(self, LeadsBackend::Upstream(_))
    }

    /// Ends background work (the copy's sync): the server is stopping.
    pub fn stop(&self) {
        if let LeadsBackend::Mirror(mirror) = self {
            mirror.stop();
        }
    }
}
