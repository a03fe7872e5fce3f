//! The wasm boundary: every `#[wasm_bindgen]` export lives here.
//!
//! The page calls [`start`] once; it installs the panic banner, mounts the
//! playground ([`app::App`]) and starts its frame loop. Nothing outside `web`
//! may import `wasm_bindgen`, `web_sys` or `js_sys` (a native test enforces it).

pub mod app;
pub mod backlog_view;
pub mod console;
pub mod controls;
pub mod dom;
pub mod events;
pub mod i18n;
pub mod panels;
pub mod topology;
pub mod traffic_view;

use wasm_bindgen::prelude::*;

/// Entry point Trunk's loader calls after the wasm module is instantiated.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    install_panic_banner();
    let document = dom::document()?;
    let root = document
        .get_element_by_id("app")
        .ok_or_else(|| JsValue::from_str("no #app element in the page"))?;
    let seed = seed_from_url().unwrap_or(1);
    let app = app::App::mount(&document, &root, seed)?;
    app::start_loop(app)
}

/// `?seed=N` in the page's address, if any.
fn seed_from_url() -> Option<u64> {
    let search = web_sys::window()?.location().search().ok()?;
    let params = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    params.get("seed")?.parse().ok()
}

/// The crate version, shown in the page footer and handy for smoke tests.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Makes a panic visible: logs it to the console and shows a banner with a
/// reload button instead of leaving a frozen page.
fn install_panic_banner() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        dom::show_error_banner(&info.to_string());
    }));
}

/// Test-only export that panics on purpose, so the end-to-end test can check
/// that a panic shows the banner.
#[wasm_bindgen]
pub fn debug_panic(message: &str) {
    panic!("{message}");
}
