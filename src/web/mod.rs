//! The wasm boundary: every `#[wasm_bindgen]` export lives here.
//!
//! The page calls [`start`] once; it installs the panic banner and mounts the
//! view. Nothing outside `web` may import `wasm_bindgen`, `web_sys` or `js_sys`
//! (a native test enforces it).

pub mod dom;

use wasm_bindgen::prelude::*;

/// Entry point Trunk's loader calls after the wasm module is instantiated.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    install_panic_banner();
    let document = dom::document()?;
    let root = document
        .get_element_by_id("app")
        .ok_or_else(|| JsValue::from_str("no #app element in the page"))?;
    dom::mount(&document, &root)?;
    Ok(())
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
