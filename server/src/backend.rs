//! What answers `/v1/leads…`: the SQLite store, or the vendor's API in
//! proxy mode. `lib.rs` chooses one at start; the router mounts its routes.

use crate::store::Store;
use crate::upstream::Upstream;

/// The store or the upstream, chosen once at start.
#[derive(Clone)]
pub enum LeadsBackend {
    Store(Store),
    Upstream(Upstream),
}
