//! Entry point: the panic notice first, so no failure leaves a frozen page,
//! then the console itself.

fn main() {
    leads_console::panic_notice::install();
    leads_console::mount();
}
