//! Entry point: panic messages to the browser console (in builds that keep
//! them), then `<leads-console>`, which starts every console element on
//! the page and shows the notice if the module ever stops.

fn main() {
    leads_console::shell::panic_notice::install();
    leads_console::shell::element::define();
}
