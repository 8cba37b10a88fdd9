//! One file per page; each owns its resources.

pub mod leads;
