//! Every numeric limit of the contract, named once so the console and the
//! server can never disagree about them.

/// Longest lead name, in characters after trimming.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest source label, in characters after trimming.
pub const MAX_SOURCE_CHARS: usize = 64;
/// Longest single tag, in characters after trimming.
pub const MAX_TAG_CHARS: usize = 50;
/// Longest search text (`q`), in characters after trimming.
pub const MAX_SEARCH_CHARS: usize = 100;
/// Most tags a lead may carry, counted after duplicates are dropped.
pub const MAX_TAGS: usize = 20;
/// Longest email address, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;
/// Largest request body the API accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Page size when the `limit` parameter is absent.
pub const DEFAULT_LIMIT: u32 = 20;
/// Page sizes the console offers; its URL accepts no others.
pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];
/// Largest page size the API serves.
pub const MAX_LIMIT: u32 = 100;
/// Highest page number the API accepts.
pub const MAX_PAGE: u32 = 1_000_000;
/// Source label stored when a create omits `source`.
pub const DEFAULT_SOURCE: &str = "manual";
