//! Entry point: the panic notice first, so no failure leaves a frozen page,
//! then `<leads-console>`, which starts every console element on the page.

fn main() {
    leads_console::panic_notice::install();
    leads_console::element::define();
}
