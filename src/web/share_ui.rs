//! Share, export and import: the dialog with a link to this exact moment
//! (and an embed link for slides), the session as a downloadable scenario
//! script, a script pasted or read from a file; the language switch; and
//! reading all of that back from the page's URL at start-up.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use super::a11y::{close_dialogs, open, toggle_help};
use super::app::{App, Shared};
use super::dom::on_settled;
use super::i18n::{lang, set_lang, tf, Lang, S};
use crate::engine::scenario;
use crate::engine::share::{self, LinkError, Share};

/// The share dialog (hidden): links, export, import (see [`super::tree`]).
const SHARE: &str = "
div.dialog#share-dialog role=dialog aria-modal=true aria-labelledby=share-dialog-title hidden
  h2#share-dialog-title %
  label.stacked
    span.field-name %
    input#share-link type=text readonly translate=no
  label.stacked
    span.field-name %
    input#embed-link type=text readonly translate=no
  button.control#export type=button data-action=export %
  label.stacked
    span.field-name %
    textarea#import-text rows=8 spellcheck=false translate=no @import-text
  label.field
    span.field-name %
    input#import-file type=file accept=.scn,.txt,text/plain
  div.buttons
    button.control#import-run type=button data-action=import-run %
    button.control type=button data-action=close-dialog %
";

/// Builds the share dialog.
pub fn build(root: &Element, els: &mut super::tree::Els) {
    let texts = [S::ShareTitle, S::ShareLink, S::ShareEmbed, S::ShareExport, S::ShareImport, S::ShareFile, S::ShareRun, S::ShareClose];
    super::tree::build(root, SHARE, &texts, els);
}

/// The page's address without its fragment.
fn base_url() -> String {
    let href = super::dom::location().0;
    href.split('#').next().unwrap_or("").to_string()
}

/// The share state of this moment.
pub fn share_state(app: &App, embed: bool) -> Share {
    Share { script: app.script(), lang: Some(lang().code().to_string()), sel: Some(app.selected), embed }
}

/// A link to this exact moment.
pub fn share_link(app: &App, embed: bool) -> String {
    format!("{}#{}", base_url(), share::encode(&share_state(app, embed)))
}

/// Runs a scenario script in a new world; a script that does not parse
/// changes nothing and says why.
pub fn import_script(app: &mut App, text: &str) -> Result<(), String> {
    if let Err(e) = scenario::parse(text) {
        app.notice = Some(tf(S::ShareBadScript, &[&e]));
        return Err(e.to_string());
    }
    let mut lines = Vec::new();
    for l in text.lines() {
        lines.push(l.to_string());
    }
    app.new_world();
    app.run_lines(&lines);
    app.playing = false;
    app.notice = None;
    let mut pick = app.ports.first().copied();
    for p in &app.ports {
        if app.runner.sim.nodes.get(p).is_some_and(|n| n.upstream.is_some()) {
            pick = Some(*p);
            break;
        }
    }
    app.selected = pick.unwrap_or(app.selected);
    Ok(())
}

/// Opens the state a URL fragment describes; a damaged link leaves the
/// default world and a notice.
pub fn open_fragment(app: &mut App, fragment: &str) {
    match share::decode(fragment) {
        Ok(s) => {
            let _ = import_script(app, &s.script);
            if let Some(p) = s.sel.filter(|p| app.ports.contains(p)) {
                app.selected = p;
            }
            if s.embed {
                set_embed(app, true);
            }
        }
        // A link cut before its script still names its version or checksum.
        Err(e @ LinkError::NoScript) if ["v", "c"].iter().any(|k| share::param(fragment, k).is_some()) => app.notice = Some(tf(S::ShareBadLink, &[&e])),
        Err(LinkError::NoScript) => {}
        Err(e) => app.notice = Some(tf(S::ShareBadLink, &[&e])),
    }
}

/// Turns the page chrome off (slides) or on.
pub fn set_embed(app: &mut App, on: bool) {
    app.embed = on;
    super::dom::set_class(&app.view.root, "embed", on);
}

/// Switches the language, keeping the world; the URL remembers it.
pub fn switch_lang(app: &mut App, to: Lang) {
    set_lang(to);
    if app.rebuild_view().is_err() {
        return;
    }
    set_embed(app, app.embed);
    super::dom::set_class(&app.view.root, "reduced-motion", app.reduced_motion);
    remember_lang(to);
}

/// Puts `?lang=` in the address without reloading.
fn remember_lang(to: Lang) {
    let Some(w) = super::dom::window() else { return };
    let Ok(url) = web_sys::Url::new(&super::dom::location().0) else { return };
    url.search_params().set("lang", to.code());
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&super::dom::href(&url)));
    }
}

/// The page element with id `id`, if any.
fn by_id(app: &App, id: &str) -> Option<Element> {
    super::dom::query(&app.view.root, &format!("#{id}"))
}

/// Share-dialog, language, help and notice buttons; lesson buttons go on.
pub fn act(app: &mut App, action: &str, el: &Element, value: &str) {
    match action {
        "lang" => switch_lang(app, if lang() == Lang::Zh { Lang::En } else { Lang::Zh }),
        "help" => toggle_help(app),
        "close-dialog" => {
            close_dialogs(app);
        }
        "dismiss-notice" => app.notice = None,
        "share" => {
            app.playing = false;
            for (id, embed) in [("share-link", false), ("embed-link", true)] {
                if let Some(i) = by_id(app, id) {
                    super::dom::set_value(&i, &share_link(app, embed));
                }
            }
            open(app, "share-dialog");
        }
        "export" => download(&app.script()),
        "import-run" => {
            let text = super::dom::value(app.view.get("import-text"));
            if import_script(app, &text).is_ok() {
                close_dialogs(app);
            }
        }
        _ => super::lesson_view::act(app, action, el, value),
    }
}

/// Offers `script` as a file download.
fn download(script: &str) {
    let go = || -> Result<(), JsValue> {
        let parts = js_sys::Array::of1(&JsValue::from_str(script));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("text/plain");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let doc = super::dom::document()?;
        let a = super::dom::el(&doc, "a", "", "");
        super::dom::attr(&a, "href", &url);
        super::dom::attr(&a, "download", "replscope-session.scn");
        a.unchecked_ref::<web_sys::HtmlElement>().click();
        web_sys::Url::revoke_object_url(&url)
    };
    if let Err(e) = go() {
        web_sys::console::warn_1(&e);
    }
}

/// Reads a chosen file into the import box (the user then runs it).
pub fn install(app: &Shared) -> Result<(), JsValue> {
    let root = app.borrow().view.root.clone();
    let app = app.clone();
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        let Some(input) = e.target().and_then(|t| t.dyn_into::<Element>().ok()).filter(|i| i.get_attribute("id").as_deref() == Some("import-file")) else { return };
        // The element with that id is the dialog's `<input type="file">`.
        let Some(file) = input.unchecked_ref::<HtmlInputElement>().files().and_then(|f| f.get(0)) else { return };
        let app = app.clone();
        on_settled(
            &file.text(),
            Box::new(move |text| {
                let Ok(text) = text else { return };
                let text = text.as_string().unwrap_or_default();
                if let Ok(a) = app.try_borrow() {
                    super::dom::set_value(a.view.get("import-text"), &text);
                }
            }),
        );
    });
    super::dom::listen(&root, "change", cb.as_ref());
    cb.forget();
    Ok(())
}

/// Reads the lessons into the app: the build's bundle of `www/lessons/`,
/// in GB18030 (see Trunk.toml), which the site's loader unpacked with the
/// wasm and left as `window.replscopeLessons` (www/loader.js).
pub fn load_lessons(app: Shared) {
    let bundle = TextDecoder::new("gb18030").decode(&LESSONS.with(JsValue::clone));
    let files = crate::engine::lesson::unbundle(&bundle);
    let mut lessons = Vec::with_capacity(files.len());
    let mut result = if files.is_empty() { Err("no lessons in this build".to_string()) } else { Ok(()) };
    for (name, text) in files {
        match crate::engine::lesson::load(text) {
            Ok(l) => lessons.push(l),
            Err(e) => {
                result = Err(format!("{name}: {e}"));
                break;
            }
        }
    }
    let Ok(mut a) = app.try_borrow_mut() else { return };
    match result {
        Ok(()) => a.lessons = lessons,
        Err(e) => a.lessons_error = Some(e),
    }
    a.after_lessons_loaded();
}

#[wasm_bindgen]
extern "C" {
    /// The lesson bundle's bytes (undefined if the loader left none, which
    /// decodes to no lessons).
    #[wasm_bindgen(thread_local_v2, js_namespace = window, js_name = replscopeLessons)]
    static LESSONS: JsValue;
    /// The Encoding Standard's decoder (every browser has GB18030).
    type TextDecoder;
    #[wasm_bindgen(constructor)]
    fn new(label: &str) -> TextDecoder;
    #[wasm_bindgen(method)]
    fn decode(this: &TextDecoder, bytes: &JsValue) -> String;
}
