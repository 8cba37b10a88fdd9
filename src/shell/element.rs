//! `<leads-console>`: the one way the console starts, on its own page and in
//! a portal. Each element renders into its own open shadow root, with the
//! console's styles adopted there and nowhere else, and its own reactive
//! owner: two elements on one page share nothing but the wasm module.

use std::any::Any;
use std::cell::{Cell, RefCell};

use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, HtmlElement, ShadowRoot};

use crate::shell::app::{App, Setup};

/// Every style of the console, adopted into each element's shadow root.
/// Compiled in: one request fewer, and no stylesheet that could reach the
/// host page. `build.rs` joins `style/` into it, without comments.
const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/console.css"));

// A panic ends in a wasm trap (a `WebAssembly.RuntimeError`), after which
// the module must not be called again: the notice is shown from here, by
// script alone, in every console on the page (or atop the page when none is
// mounted yet), once.
#[wasm_bindgen(inline_js = r#"
const consoles = new Set();
export function define_element(connect, disconnect, relang, stopped_message) {
  if (customElements.get("leads-console")) return;
  customElements.define("leads-console", class extends HTMLElement {
    static observedAttributes = ["lang"];
    attributeChangedCallback() {
      if (this.leadsConsoleMount !== undefined) relang(this.leadsConsoleMount);
    }
    connectedCallback() {
      const root = this.shadowRoot || this.attachShadow({ mode: "open" });
      this.leadsConsoleMount = connect(this, root);
      consoles.add(this);
    }
    disconnectedCallback() {
      consoles.delete(this);
      if (this.leadsConsoleMount !== undefined) disconnect(this.leadsConsoleMount);
      this.leadsConsoleMount = undefined;
    }
  });
  let told = false;
  const stopped = (error) => {
    if (told || !(error instanceof WebAssembly.RuntimeError)) return;
    told = true;
    // In the console's own language where it said which (its root's
    // data-stopped-message), else English.
    const notice = (container) => {
      const div = document.createElement("div");
      div.className = "panic-notice";
      div.setAttribute("role", "alert");
      const root = container && container.querySelector(".console[data-stopped-message]");
      div.textContent = root ? root.getAttribute("data-stopped-message") : stopped_message;
      return div;
    };
    const containers = [...consoles]
      .map((el) => el.shadowRoot && el.shadowRoot.querySelector(".leads-console"))
      .filter(Boolean);
    if (containers.length === 0 && document.body) document.body.prepend(notice());
    for (const container of containers) container.prepend(notice(container));
  };
  window.addEventListener("error", (e) => stopped(e.error));
  window.addEventListener("unhandledrejection", (e) => stopped(e.reason));
}
export function script_origin() {
  return new URL(import.meta.url).origin;
}
"#)]
extern "C" {
    fn define_element(
        connect: &Closure<dyn FnMut(HtmlElement, ShadowRoot) -> u32>,
        disconnect: &Closure<dyn FnMut(u32)>,
        relang: &Closure<dyn FnMut(u32)>,
        stopped_message: &str,
    );

    /// The origin the console's script came from: where `/config.json`
    /// and a relative API base are, whatever page hosts the element.
    pub fn script_origin() -> String;
}

/// A mounted console: the element's container, the handle whose drop
/// unmounts it and disposes of its reactive owner, and what tells it that
/// its `lang` changed.
struct MountedConsole {
    id: u32,
    container: HtmlElement,
    relang: ArcTrigger,
    _handle: Box<dyn Any>,
}

thread_local! {
    static MOUNTED: RefCell<Vec<MountedConsole>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

/// Defines `<leads-console>`; elements already in the page start now.
pub fn define() {
    let connect = Closure::<dyn FnMut(HtmlElement, ShadowRoot) -> u32>::new(connect);
    let disconnect = Closure::<dyn FnMut(u32)>::new(disconnect);
    let relang = Closure::<dyn FnMut(u32)>::new(relang);
    define_element(
        &connect,
        &disconnect,
        &relang,
        crate::shell::panic_notice::PANIC_MESSAGE,
    );
    // The element class calls these for as long as the page lives.
    connect.forget();
    disconnect.forget();
    relang.forget();
}

fn connect(host: HtmlElement, root: ShadowRoot) -> u32 {
    adopt_styles(&root);
    let Some(container) = document()
        .create_element("div")
        .ok()
        .and_then(|el| el.dyn_into::<HtmlElement>().ok())
    else {
        return 0;
    };
    container.set_class_name("leads-console");
    if root.append_child(&container).is_err() {
        return 0;
    }
    let relang = ArcTrigger::new();
    let setup = Setup::from_host(host, script_origin(), relang.clone());
    let handle = leptos::mount::mount_to(container.clone(), move || view! { <App setup /> });
    let id = NEXT_ID.get();
    NEXT_ID.set(id + 1);
    MOUNTED.with_borrow_mut(|mounted| {
        mounted.push(MountedConsole {
            id,
            container,
            relang,
            _handle: Box::new(handle),
        });
    });
    id
}

/// The element's `lang` changed: its console reads its language again.
fn relang(id: u32) {
    let relang = MOUNTED.with_borrow(|mounted| {
        let mounted = mounted.iter().find(|m| m.id == id)?;
        Some(mounted.relang.clone())
    });
    if let Some(relang) = relang {
        relang.notify();
    }
}

fn disconnect(id: u32) {
    let gone = MOUNTED.with_borrow_mut(|mounted| {
        let index = mounted.iter().position(|m| m.id == id)?;
        Some(mounted.remove(index))
    });
    if let Some(gone) = gone {
        gone.container.remove();
    }
}

/// Gives `root` the console's styles: one constructed sheet, shared by
/// every element.
fn adopt_styles(root: &ShadowRoot) {
    let sheet = SHEET.with_borrow_mut(|sheet| {
        if sheet.is_none() {
            *sheet = CssStyleSheet::new().ok().inspect(|s| {
                let _ = s.replace_sync(STYLES);
            });
        }
        sheet.clone()
    });
    if let Some(sheet) = sheet {
        root.set_adopted_style_sheets(&Array::of1(&sheet));
    }
}
