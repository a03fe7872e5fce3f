//! The wasm boundary: every `#[wasm_bindgen]` export lives here.
//!
//! The page calls [`start`] once; it picks the language, installs the panic
//! banner, mounts the playground ([`app::App`]), restores a shared state from
//! the URL, starts the frame loop and, once the page is idle, draws the
//! panels below the fold and reads the lessons. Nothing outside `web`
//! may import `wasm_bindgen`, `web_sys` or `js_sys` (a native test
//! enforces it).

pub mod a11y;
pub mod app;
pub mod backlog_view;
pub mod console;
pub mod controls;
pub mod dom;
pub mod events;
pub mod i18n;
pub mod lesson_view;
pub mod panels;
pub mod perf;
pub mod share_ui;
pub mod sig;
pub mod timeline;
pub mod topology;
pub mod traffic_view;
pub mod tree;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Entry point Trunk's loader calls after the wasm module is instantiated.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    install_panic_banner();
    let window = dom::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = dom::document()?;
    let root = document
        .get_element_by_id("app")
        .ok_or_else(|| JsValue::from_str("no #app element in the page"))?;
    let (_, search, hash) = dom::location();
    let param = |name: &str| crate::engine::share::param(&hash, name).or_else(|| crate::engine::share::param(&search, name)).map(String::from);
    let lang = param("lang").or_else(dom::browser_language).unwrap_or_default();
    i18n::set_lang(i18n::Lang::from_code(&lang));
    if let Some(h) = document.document_element() {
        dom::attr(&h, "lang", if i18n::lang() == i18n::Lang::Zh { "zh-CN" } else { "en" });
    }
    let seed = param("seed").and_then(|s| crate::engine::text::uint(&s)).unwrap_or_else(browser_seed);
    let app = app::App::mount(&document, &root, seed)?;
    APP.with(|slot| *slot.borrow_mut() = Some(app.clone()));
    {
        let mut a = app.borrow_mut();
        a.reduced_motion = dom::media_matches("(prefers-reduced-motion: reduce)");
        dom::set_class(&root, "reduced-motion", a.reduced_motion);
        share_ui::open_fragment(&mut a, &hash);
        if param("embed").as_deref() == Some("1") {
            share_ui::set_embed(&mut a, true);
        }
        a.pending_lesson = param("lesson").filter(|l| crate::engine::lesson::valid_id(l) && !crate::engine::text::contains(&hash, "s="));
        // `mount` drew the first frames' panels; draw them again only if the URL changed something.
        if !hash.is_empty() || a.embed || a.reduced_motion {
            a.render_first()?;
        }
        dom::remember_script(a.script());
    }
    when_idle(&window, &app);
    app::start_loop(app)
}

/// Once the page is first idle: draws the panels left out of the first
/// frames (the `booting` class, see style.css) and reads the lessons, or
/// reads them at once when the URL asks for one.
fn when_idle(window: &web_sys::Window, app: &app::Shared) {
    let lesson_asked = app.borrow().pending_lesson.is_some();
    if lesson_asked {
        share_ui::load_lessons(app.clone());
    }
    let (root, app) = (app.borrow().view.root.clone(), app.clone());
    let idle = move || {
        // `toggle` with a force, as everywhere: one class-list import fewer.
        dom::set_class(&root, "booting", false);
        if !lesson_asked {
            share_ui::load_lessons(app);
        }
    };
    let once = std::rc::Rc::new(std::cell::Cell::new(Some(idle)));
    let later = once.clone();
    let callback = Closure::once_into_js(move || {
        if let Some(f) = later.take() {
            f();
        }
    });
    // No requestIdleCallback (Safari): now.
    if window.request_idle_callback(callback.unchecked_ref()).is_err()
        && let Some(f) = once.take()
    {
        f();
    }
}

/// The crate version, shown in the page footer and handy for smoke tests.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Every UI string as `[key, English, Chinese]`, for the end-to-end check
/// that no English is left on a Chinese page.
#[wasm_bindgen]
pub fn ui_table() -> JsValue {
    let rows = js_sys::Array::new();
    for (i, (en, zh)) in i18n::table().iter().enumerate() {
        rows.push(&js_sys::Array::of3(&JsValue::from(i as u32), &JsValue::from_str(en), &JsValue::from_str(zh)));
    }
    rows.into()
}

/// Makes a panic visible: logs it to the console and shows a banner with a
/// reload button instead of leaving a frozen page.
///
/// The site is built with `panic=immediate-abort` (README, "Performance"):
/// a panic then traps at once, without the hook or its message, and the
/// trap reaches the page as an uncaught `WebAssembly.RuntimeError`. The
/// `error` listener shows the banner for it; the banner code runs in a new
/// call, and reads the session script with `try_borrow`, so a borrow the
/// trap left open does not stop it. Builds with the default `panic=abort`
/// (tests, a plain `trunk build`) run the hook first, with the message.
fn install_panic_banner() {
    // Under `panic=immediate-abort` (the site's build) no hook ever runs:
    // leave it and the panic message's formatting out of the wasm.
    #[cfg(not(panic = "immediate-abort"))]
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&message));
        dom::show_error_banner(&message);
    }));
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let error = js_sys::Reflect::get(&e, &JsValue::from_str("error")).unwrap_or(JsValue::UNDEFINED);
        if error.is_instance_of::<js_sys::WebAssembly::RuntimeError>() {
            let text = String::from(error.unchecked_ref::<js_sys::Error>().to_string());
            dom::show_error_banner(&format!("internal error ({text})"));
        }
    });
    if let Some(w) = dom::window() {
        dom::listen(&w, "error", on_error.as_ref());
    }
    on_error.forget();
}

/// Test and diagnostics export: the wasm linear memory's size in bytes
/// (the long-run end-to-end test checks it stays bounded).
#[wasm_bindgen]
pub fn debug_wasm_memory_bytes() -> f64 {
    core::arch::wasm32::memory_size(0) as f64 * 65536.0
}

thread_local! {
    /// The mounted app, for the diagnostics exports below.
    static APP: std::cell::RefCell<Option<app::Shared>> = const { std::cell::RefCell::new(None) };
}

/// Test and diagnostics export: how many entries the session journal
/// holds (the long-run test checks it stays small without user actions).
#[wasm_bindgen]
pub fn debug_journal_len() -> u32 {
    APP.with(|slot| slot.borrow().as_ref().and_then(|a| a.try_borrow().ok().map(|a| a.journal.len() as u32)).unwrap_or(0))
}

thread_local! {
    /// The benchmark's own engine, apart from the page's.
    static BENCH: std::cell::RefCell<Option<crate::engine::scenario::Runner>> = const { std::cell::RefCell::new(None) };
}

/// Benchmark export: runs a scenario script off the page, on a fresh
/// engine when `fresh` or else on the one the previous call left, and
/// returns the transcript's length (or -1 for a bad script). The
/// performance benchmark (`tests/e2e/bench.mjs`) times it to measure the
/// engine inside the browser's wasm.
#[wasm_bindgen]
pub fn bench_run_script(script: &str, fresh: bool) -> f64 {
    BENCH.with(|slot| {
        let mut slot = slot.borrow_mut();
        if fresh || slot.is_none() {
            *slot = Some(crate::engine::scenario::Runner::new(0));
        }
        let runner = slot.as_mut().expect("bench runner");
        match crate::engine::scenario::run_script_on(runner, script) {
            Ok(transcript) => transcript.len() as f64,
            Err(_) => -1.0,
        }
    })
}

/// Benchmark export: the latest animation frames' costs as
/// `[start, step ms, render ms, ...]` (oldest first; see `perf`).
#[wasm_bindgen]
pub fn debug_frame_costs() -> Vec<f64> {
    perf::FRAMES.with(|f| f.borrow().flat())
}

/// Benchmark export: forgets the recorded frame costs.
#[wasm_bindgen]
pub fn debug_frame_costs_clear() {
    perf::FRAMES.with(|f| *f.borrow_mut() = perf::FrameCosts::default());
}

/// Test-only export that panics on purpose, so the end-to-end test can check
/// that a panic shows the banner.
#[wasm_bindgen]
pub fn debug_panic(message: &str) {
    panic!("{message}");
}

/// A fresh default seed below 1,000,000 from the browser (`Math.random`), so
/// each visit gets its own run IDs as real servers do; `?seed=N` or a share
/// link fixes it.
fn browser_seed() -> u64 {
    (js_sys::Math::random() * 1_000_000.0) as u64
}
