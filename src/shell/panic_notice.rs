//! A panic in wasm stops the whole app. Rather than leave a silently frozen
//! page, the console tells the person what happened: `<leads-console>`'s
//! script shows [`PANIC_MESSAGE`] when the module traps, which is how every
//! panic ends (the shipped build aborts at once, without a message).

/// What a person sees after a panic, where the console's own language is
/// not known (`console.stopped` in its catalog otherwise).
pub const PANIC_MESSAGE: &str = "Something went wrong — reload the page.";

/// In builds that keep panic messages (`scripts/build-dist.sh debug`), logs them
/// to the browser console for whoever debugs it.
pub fn install() {
    console_error_panic_hook::set_once();
}
