/// A catalog key's 32-bit FNV-1a hash: messages name their keys by it, so
/// the keys themselves are not in the download. `build.rs` includes this
/// file too, to hash English's keys (and to refuse two that hash alike).
pub const fn key_hash(key: &str) -> u32 {
    let bytes = key.as_bytes();
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash = (hash ^ bytes[i] as u32).wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}
