//! The maps and sets the features keep leads in, by id: hashbrown's, with
//! the Fx hash, which Leptos already brings. The standard library's would
//! add a second hash table and SipHash to the download (about 1 KB
//! brotli) to guard against crafted keys, and these keys are the API's
//! lead ids, in one person's browser.

pub type HashMap<K, V> = hashbrown::HashMap<K, V, rustc_hash::FxBuildHasher>;
pub type HashSet<T> = hashbrown::HashSet<T, rustc_hash::FxBuildHasher>;
