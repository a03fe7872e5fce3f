//! Browser tests: run in headless Chromium by wasm-bindgen-test-runner
//! (`CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --no-default-features --test web`).
//! Each test mounts the playground into its own root, drives it through its
//! DOM controls, moves virtual time with `App::advance_ms`, and reads the DOM.
#![cfg(target_arch = "wasm32")]

use replscope::web::app::{App, Shared};
use replscope::web::dom;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

struct Page {
    app: Shared,
    root: Element,
}

impl Drop for Page {
    fn drop(&mut self) {
        self.root.remove();
    }
}

fn mount(seed: u64) -> Page {
    let doc = dom::document().unwrap();
    let root = doc.create_element("main").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let app = App::mount(&doc, &root, seed).unwrap();
    Page { app, root }
}

impl Page {
    fn run(&self, ms: u64) {
        self.app.borrow_mut().advance_ms(ms);
        self.app.borrow().render().unwrap();
    }
    fn one(&self, sel: &str) -> Element {
        self.root.query_selector(sel).unwrap().unwrap_or_else(|| panic!("nothing matches {sel}"))
    }
    fn text(&self, sel: &str) -> String {
        self.one(sel).text_content().unwrap_or_default()
    }
    fn count(&self, sel: &str) -> u32 {
        self.root.query_selector_all(sel).unwrap().length()
    }
    fn click(&self, sel: &str) {
        self.one(sel).dyn_into::<HtmlElement>().unwrap().click();
    }
    fn fire(&self, sel: &str, kind: &str) {
        let init = EventInit::new();
        init.set_bubbles(true);
        let e = Event::new_with_event_init_dict(kind, &init).unwrap();
        self.one(sel).dispatch_event(&e).unwrap();
    }
    fn set(&self, sel: &str, value: &str) {
        self.one(sel).dyn_into::<HtmlInputElement>().unwrap().set_value(value);
        self.fire(sel, "input");
    }
    fn select(&self, port: u16) {
        self.fire(&format!(".node[data-port=\"{port}\"]"), "pointerdown");
    }
    fn type_in_console(&self, port: u16, line: &str) {
        self.select(port);
        self.one("#console-input").dyn_into::<HtmlInputElement>().unwrap().set_value(line);
        self.click("[data-action=console-send]");
    }
    fn console_lines(&self) -> Vec<(String, String)> {
        let list = self.root.query_selector_all(".console-out > div").unwrap();
        (0..list.length())
            .map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap())
            .map(|e| (e.class_name(), e.text_content().unwrap_or_default()))
            .collect()
    }
}

#[wasm_bindgen_test]
fn the_page_starts_with_a_master_and_two_replicas() {
    let p = mount(1);
    assert_eq!(p.count(".node.master"), 1);
    assert_eq!(p.count(".node.replica"), 2);
    assert_eq!(p.text(".node[data-port=\"6379\"] .port"), "6379");
    assert_eq!(p.text(".node[data-port=\"6380\"] .role"), "replica of 6379");
    assert!(p.root.query_selector("#link-6379-6380").unwrap().is_some());
    assert!(p.root.query_selector("#link-6379-6381").unwrap().is_some());
    // Replicas start in CONNECT: phase 1, "save master info".
    assert_eq!(p.text(".phase-row[data-port=\"6380\"] .repl-state"), "REPL_STATE_CONNECT");
    assert_eq!(p.one(".phase-row[data-port=\"6380\"] .phase.current").get_attribute("data-phase").as_deref(), Some("1"));
}

#[wasm_bindgen_test]
fn a_first_sync_goes_through_six_phases_and_copies_a_write() {
    let p = mount(1);
    let mut seen_states = std::collections::BTreeSet::new();
    for _ in 0..100 {
        p.run(100);
        seen_states.insert(p.text(".phase-row[data-port=\"6380\"] .repl-state"));
    }
    for state in ["REPL_STATE_CONNECTING", "REPL_STATE_RECEIVE_PING_REPLY", "REPL_STATE_RECEIVE_PSYNC_REPLY", "REPL_STATE_CONNECTED"] {
        assert!(seen_states.contains(state), "{state} not shown; saw {seen_states:?}");
    }
    let row = p.one(".phase-row[data-port=\"6380\"]");
    assert_eq!(row.get_attribute("data-visited").as_deref(), Some("123456"));
    assert_eq!(p.one(".phase-row[data-port=\"6380\"] .phase.current").get_attribute("data-phase").as_deref(), Some("6"));
    assert_eq!(p.text(".node[data-port=\"6380\"] .link-ok"), "link up");

    p.type_in_console(6379, "SET hello \"redis world\"");
    assert_eq!(p.console_lines().last().unwrap(), &("cl-reply".to_string(), "OK".to_string()));
    p.run(1000);
    assert_eq!(p.text(".node[data-port=\"6380\"] .keys"), "keys 1");
    p.type_in_console(6380, "GET hello");
    let lines = p.console_lines();
    assert_eq!(lines[lines.len() - 2].1, "127.0.0.1:6380> GET hello");
    assert_eq!(lines.last().unwrap().1, "\"redis world\"");
    p.type_in_console(6380, "SET x 1");
    assert_eq!(p.console_lines().last().unwrap(), &("cl-error".to_string(), "(error) READONLY You can't write against a read only replica.".to_string()));
}

#[wasm_bindgen_test]
fn the_replid_details_stay_open_when_the_replica_takes_its_masters_replid() {
    let p = mount(1);
    p.select(6380);
    let before = p.text("#node-panel details.replid code");
    p.one("#node-panel details.replid").set_attribute("open", "").unwrap();
    // The first full sync gives 6380 its master's replid: the panel is rebuilt.
    p.run(10_000);
    let after = p.text("#node-panel details.replid code");
    assert_ne!(before, after, "the replica kept its own replid");
    assert!(p.one("#node-panel details.replid").has_attribute("open"), "the details closed themselves");
    // Another node's panel starts closed.
    p.select(6381);
    assert!(!p.one("#node-panel details.replid").has_attribute("open"));
}

#[wasm_bindgen_test]
fn killing_the_connection_replays_the_phases_and_resyncs_partially() {
    let p = mount(2);
    p.run(10_000);
    p.select(6380);
    p.click("[data-action=kill]");
    p.run(300);
    let visited = p.one(".phase-row[data-port=\"6380\"]").get_attribute("data-visited").unwrap();
    assert!(!visited.contains('6'), "the strip starts over after the link drops: {visited}");
    p.run(3_000);
    let callout = p.text(".callout[data-port=\"6379\"]");
    assert!(callout.contains("PSYNC from 127.0.0.1:6380"), "{callout}");
    assert!(callout.contains("is inside the backlog → partial resync"), "{callout}");
    assert_eq!(p.one(".phase-row[data-port=\"6380\"]").get_attribute("data-visited").as_deref(), Some("123456"));
    assert_eq!(p.count(".bl-replica.outside"), 0);
}

#[wasm_bindgen_test]
fn a_small_backlog_overrun_while_cut_turns_the_marker_red_and_forces_a_full_resync() {
    let p = mount(3);
    p.run(10_000);
    p.select(6379);
    p.set("#backlog-size", "0");
    assert!(p.console_lines().iter().any(|(_, l)| l.ends_with("CONFIG SET repl-backlog-size 16384")));
    assert_eq!(p.text(".backlog-slider output"), "16.0 kB");
    p.select(6380);
    p.click("[data-action=cut]");
    assert!(p.root.query_selector("#link-6379-6380.cut").unwrap().is_some());
    p.set("#load-rate", "200");
    p.run(3_000);
    let marker = p.one(".bl-replica[data-port=\"6380\"]");
    assert!(marker.class_list().contains("outside"), "red marker");
    assert!(marker.text_content().unwrap().contains("needs full resync"));
    assert!(!p.one(".bl-replica[data-port=\"6381\"]").class_list().contains("outside"));
    p.run(70_000);
    p.click("[data-action=heal]");
    let mut saw_rdb = false;
    for _ in 0..150 {
        p.run(100);
        saw_rdb |= p.count(".msg.kind-rdb .rdb-bar") > 0;
    }
    assert!(saw_rdb, "the RDB travelled as a bar");
    let callout = p.text(".callout[data-port=\"6379\"]");
    assert!(callout.contains("< backlog start") && callout.contains("→ full resync"), "{callout}");
}

#[wasm_bindgen_test]
fn messages_are_coloured_by_kind_and_show_their_bytes() {
    let p = mount(4);
    let (mut kinds, mut labels) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    for _ in 0..150 {
        p.run(50);
        let list = p.root.query_selector_all(".msg").unwrap();
        for i in 0..list.length() {
            let e: Element = list.item(i).unwrap().dyn_into().unwrap();
            kinds.insert(e.get_attribute("class").unwrap_or_default().replace(" held", ""));
            labels.insert(e.query_selector(".msg-label").unwrap().and_then(|l| l.text_content()).unwrap_or_default());
        }
    }
    for k in ["msg kind-tcp", "msg kind-handshake", "msg kind-reply", "msg kind-rdb", "msg kind-keepalive"] {
        assert!(kinds.contains(k), "{k} missing from {kinds:?}");
    }
    assert!(labels.iter().any(|l| l.starts_with("+FULLRESYNC, RDB")), "the full resync reply travels with the RDB: {labels:?}");
    p.type_in_console(6379, "SET k v");
    p.run(20);
    p.fire(".msg.kind-stream", "pointerdown");
    p.app.borrow().render().unwrap();
    let detail = p.text("#msg-detail");
    assert!(detail.contains("6379 → 638"), "{detail}");
    let bytes = p.text(".msg-bytes");
    assert!(bytes.contains("*3\\r\\n\n$3\\r\\n\nSET\\r\\n\n$1\\r\\n\nk\\r\\n\n$1\\r\\n\nv\\r\\n"), "{bytes}");
}

#[wasm_bindgen_test]
fn info_and_logs_follow_the_selected_node() {
    let p = mount(5);
    p.run(10_000);
    p.select(6381);
    assert_eq!(p.text(".info-line[data-field=\"role\"] .info-value"), "slave");
    assert_eq!(p.text(".info-line[data-field=\"master_link_status\"] .info-value"), "up");
    p.type_in_console(6379, "SET a b");
    p.select(6381);
    p.run(1_000);
    assert!(p.one(".info-line[data-field=\"master_repl_offset\"]").class_list().contains("changed"));
    assert!(!p.one(".info-line[data-field=\"role\"]").class_list().contains("changed"));
    assert!(p.text(".logs-body").contains("MASTER <-> REPLICA sync: Finished with success"));
    p.set("#log-filter", "Connecting to MASTER");
    let lines = p.count(".logs-body .log-line");
    assert!(lines >= 1 && p.text(".logs-body").lines().all(|l| !l.contains("Finished with success")), "{lines}");
}

#[wasm_bindgen_test]
fn wait_blocks_the_console_until_its_reply_comes() {
    let p = mount(6);
    p.run(10_000);
    p.type_in_console(6379, "WAIT 3 1000");
    assert_eq!(p.console_lines().last().unwrap().0, "cl-input", "no reply yet");
    assert!(p.one("#console-input").dyn_into::<HtmlInputElement>().unwrap().disabled());
    p.run(1_500);
    assert_eq!(p.console_lines().last().unwrap().1, "(integer) 2");
    p.type_in_console(6379, "NOSUCH");
    assert_eq!(p.console_lines().last().unwrap().0, "cl-error");
}

#[wasm_bindgen_test]
fn nodes_can_be_added_chained_promoted_and_removed() {
    let p = mount(7);
    p.click("#add-node");
    assert_eq!(p.count(".node"), 4);
    p.select(6382);
    p.one("#master-select").dyn_into::<web_sys::HtmlSelectElement>().unwrap().set_value("6380");
    p.click("[data-action=replicaof]");
    p.run(12_000);
    assert_eq!(p.text(".node[data-port=\"6382\"] .role"), "replica of 6380");
    assert!(p.root.query_selector("#link-6380-6382").unwrap().is_some());
    p.select(6380);
    p.click("[data-action=promote]");
    p.run(100);
    assert_eq!(p.count(".node.master"), 2);
    p.select(6381);
    p.click("[data-action=remove]");
    assert_eq!(p.count(".node"), 3);
}

#[wasm_bindgen_test]
fn a_long_gap_between_frames_counts_as_a_quarter_second() {
    let p = mount(8);
    let mut a = p.app.borrow_mut();
    a.frame(1_000.0);
    let before = a.elapsed_ms();
    a.frame(60_000.0);
    assert_eq!(a.elapsed_ms() - before, 250);
    a.speed = 10.0;
    a.frame(60_100.0);
    assert_eq!(a.elapsed_ms() - before, 1_250);
}

fn info_field(p: &Page, field: &str) -> String {
    p.text(&format!(".info-line[data-field=\"{field}\"] .info-value"))
}

fn with_lesson(p: &Page, file: &str) {
    let l = replscope::engine::lesson::load(file).unwrap();
    let id = l.id.clone();
    p.app.borrow_mut().lessons = vec![l];
    p.app.borrow_mut().start_lesson(&id);
    p.app.borrow().render().unwrap();
}

#[wasm_bindgen_test]
fn a_lesson_steps_forward_and_back_and_its_question_answers() {
    let p = mount(1);
    with_lesson(&p, include_str!("../www/lessons/04-blip.lesson"));
    assert_eq!(p.one("#lesson-progress").get_attribute("data-step").as_deref(), Some("0"));
    assert_eq!(p.count(".node"), 0, "a lesson starts in an empty world");
    p.click("#lesson-next");
    p.click("#lesson-next");
    assert_eq!(p.one("#lesson-progress").get_attribute("data-step").as_deref(), Some("2"));
    p.select(6379);
    assert_eq!(info_field(&p, "master_repl_offset"), "120");
    assert!(p.one("#info").has_attribute("data-hl"), "the step lights the INFO panel");
    p.click("#lesson-question button[data-choice=\"1\"]");
    assert!(p.text("#lesson-feedback").starts_with("✓ Right."));
    p.click("#lesson-next");
    assert!(p.text(".callout[data-port=\"6379\"]").contains("partial resync"));
    p.click("#lesson-prev");
    p.click("#lesson-prev");
    assert_eq!(p.one("#lesson-progress").get_attribute("data-step").as_deref(), Some("1"));
    p.select(6379);
    assert_eq!(info_field(&p, "master_repl_offset"), "58");
}

#[wasm_bindgen_test]
fn rewinding_replays_to_the_same_state() {
    let p = mount(9);
    p.run(8_000);
    p.type_in_console(6379, "SET a 1");
    p.run(3_000);
    p.select(6380);
    let at = p.app.borrow().elapsed_ms();
    let offset = info_field(&p, "slave_repl_offset");
    let replid = info_field(&p, "master_replid");
    p.run(20_000);
    p.app.borrow_mut().seek(at);
    p.app.borrow().render().unwrap();
    assert_eq!(p.app.borrow().elapsed_ms(), at);
    assert_eq!((info_field(&p, "slave_repl_offset"), info_field(&p, "master_replid")), (offset, replid));
    p.click("#back");
    assert!(p.app.borrow().elapsed_ms() < at, "one event back");
    p.app.borrow_mut().seek(at + 20_000);
    assert_eq!(p.app.borrow().elapsed_ms(), at + 20_000, "forward again, redoing the journal");
}

#[wasm_bindgen_test]
fn a_share_link_reopens_the_same_moment_and_a_damaged_one_says_so() {
    let p = mount(3);
    p.run(7_000);
    p.type_in_console(6379, "SET k \"<script>alert(1)</script>\"");
    p.run(1_500);
    p.select(6381);
    let frag = replscope::engine::share::encode(&replscope::web::share_ui::share_state(&p.app.borrow(), false));
    let (t, offset) = (p.app.borrow().elapsed_ms(), info_field(&p, "slave_repl_offset"));
    let q = mount(77);
    replscope::web::share_ui::open_fragment(&mut q.app.borrow_mut(), &frag);
    q.app.borrow().render().unwrap();
    assert_eq!(q.app.borrow().elapsed_ms(), t);
    assert_eq!(q.app.borrow().selected, 6381);
    assert_eq!(info_field(&q, "slave_repl_offset"), offset);
    q.type_in_console(6381, "GET k");
    assert_eq!(q.console_lines().last().unwrap().1, "\"<script>alert(1)</script>\"", "user text stays text");
    assert_eq!(q.count("script"), 0);
    let r = mount(5);
    replscope::web::share_ui::open_fragment(&mut r.app.borrow_mut(), &frag[..frag.len() - 7]);
    r.app.borrow().render().unwrap();
    assert!(!r.one("#notice").has_attribute("hidden"));
    assert!(r.text("#notice").contains("damaged or truncated"));
    assert_eq!(r.count(".node"), 3, "the default world");
}

#[wasm_bindgen_test]
fn switching_to_chinese_keeps_the_world() {
    let p = mount(4);
    p.run(7_000);
    let t = p.app.borrow().elapsed_ms();
    p.click("#lang");
    assert_eq!(p.app.borrow().elapsed_ms(), t);
    assert_eq!(p.text(".node[data-port=\"6380\"] .role"), "6379 的从节点");
    assert_eq!(p.text("#console h2"), "命令行");
    p.click("#lang");
    assert_eq!(p.text("#console h2"), "Console");
}

#[wasm_bindgen_test]
fn every_string_has_both_languages_with_the_same_placeholders() {
    use replscope::web::i18n::{table, tf, set_lang, Lang, S};
    let holes = |s: &str| (0..10).filter(|d| s.contains(&format!("{{{d}}}"))).collect::<Vec<_>>();
    for (en, zh) in table() {
        assert!(!en.is_empty() && !zh.is_empty(), "{en:?} / {zh:?}");
        assert_eq!(holes(en), holes(zh), "{en:?} / {zh:?}");
    }
    assert_eq!(table().len(), S::COUNT, "one row per name");
    // Lesson panel names map to their own strings (PANEL_NAMES follows PANELS' order).
    assert_eq!(S::panel("psync"), Some(S::PanelPsync));
    assert_eq!(S::panel("load"), Some(S::PanelLoad));
    assert_eq!(S::panel("topology"), Some(S::PanelTopology));
    assert_eq!(S::panel("nope"), None);
    set_lang(Lang::Zh);
    assert_eq!(tf(S::NodeTitleReplica, &[&6380, &6379]), "节点 6380 · 6379 的从节点");
    set_lang(Lang::En);
    assert_eq!(tf(S::NodeTitleReplica, &[&6380, &6379]), "Node 6380 · replica of 6379");
}

// ---- hostile input ----

const XSS: [&str; 2] = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"];

/// Replaces `alert` with a recorder; true once anything called it.
fn trap_alert() -> impl Fn() -> bool {
    js_sys::eval("window.__alerted = false; window.alert = function () { window.__alerted = true; };").unwrap();
    || js_sys::eval("window.__alerted").unwrap().is_truthy()
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |ok, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&ok, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// No element made from a payload, the payload visible as text.
fn assert_inert(p: &Page, payload: &str) {
    assert_eq!(p.count("script, img, [onerror]"), 0, "no element from {payload}");
    assert!(p.root.text_content().unwrap_or_default().contains(payload), "{payload} shown verbatim");
}

#[wasm_bindgen_test]
async fn script_and_img_payloads_render_as_text_everywhere() {
    let alerted = trap_alert();
    let p = mount(11);
    p.run(7_000);
    for x in XSS {
        p.type_in_console(6379, &format!("SET '{x}' '{x}'"));
        p.type_in_console(6379, &format!("GET '{x}'"));
        p.type_in_console(6379, x);
        p.set("#log-filter", x);
        assert_inert(&p, x);
    }
    p.set("#log-filter", "");
    // The same payloads through an imported script and a share link.
    let script = format!("seed 3\nnode 6379\n6379> SET k '{}'\n6379> SET '{}' v\n", XSS[0], XSS[1]);
    let q = mount(12);
    replscope::web::share_ui::import_script(&mut q.app.borrow_mut(), &script).unwrap();
    q.type_in_console(6379, "KEYS *");
    q.app.borrow().render().unwrap();
    let share = replscope::engine::share::Share { script: script.clone(), lang: None, sel: Some(6379), embed: false };
    let r = mount(13);
    replscope::web::share_ui::open_fragment(&mut r.app.borrow_mut(), &replscope::engine::share::encode(&share));
    r.type_in_console(6379, "GET k");
    for page in [&q, &r] {
        assert_inert(page, XSS[0]);
    }
    assert_inert(&q, XSS[1]);
    sleep(300).await; // an <img onerror> would have fired by now
    assert!(!alerted(), "no dialog");
}

#[wasm_bindgen_test]
fn binary_and_emoji_keys_work_and_show() {
    let p = mount(14);
    p.run(7_000);
    p.type_in_console(6379, r#"SET "\xff\x00k" v"#);
    assert_eq!(p.console_lines().last().unwrap().1, "OK");
    p.type_in_console(6379, "SET 🔑 🗝️");
    p.type_in_console(6379, "GET 🔑");
    assert_eq!(p.console_lines().last().unwrap().1, r#""\xf0\x9f\x97\x9d\xef\xb8\x8f""#, "bytes escaped as redis-cli does");
    p.type_in_console(6379, "KEYS *");
    assert!(p.console_lines().iter().any(|(_, t)| t.contains(r"\xff\x00k")), "binary key escaped as redis-cli does");
    p.run(2_000);
    p.type_in_console(6380, r#"EXISTS "\xff\x00k" 🔑"#);
    assert_eq!(p.console_lines().last().unwrap().1, "(integer) 2", "both replicated");
}

#[wasm_bindgen_test]
fn a_megabyte_value_is_exact_in_the_engine_and_cut_in_the_display() {
    let p = mount(15);
    p.run(7_000);
    let big = "x".repeat(1 << 20);
    p.type_in_console(6379, &format!("SET big {big}"));
    assert_eq!(p.console_lines().last().unwrap().1, "OK");
    p.type_in_console(6379, "STRLEN big");
    assert_eq!(p.console_lines().last().unwrap().1, "(integer) 1048576", "exact in the engine");
    p.type_in_console(6379, "GET big");
    let shown = p.console_lines().last().unwrap().1.clone();
    assert!(shown.len() < 3_000 && shown.ends_with("bytes)"), "cut, with its size: {}", &shown[shown.len() - 40..]);
    p.run(30_000);
    p.type_in_console(6380, "STRLEN big");
    assert_eq!(p.console_lines().last().unwrap().1, "(integer) 1048576", "replicated exactly");
    assert!(p.root.text_content().unwrap().len() < 200_000, "the page holds no megabyte of text");
}

#[wasm_bindgen_test]
fn a_hundred_thousand_keys_go_through_a_full_sync() {
    let p = mount(16);
    p.run(7_000);
    p.type_in_console(6379, "DEBUG POPULATE 100000");
    assert_eq!(p.console_lines().last().unwrap().1, "OK");
    p.type_in_console(6380, "REPLICAOF NO ONE");
    p.type_in_console(6380, "REPLICAOF 127.0.0.1 6379");
    p.run(60_000);
    p.type_in_console(6380, "DBSIZE");
    assert_eq!(p.console_lines().last().unwrap().1, "(integer) 100000");
    assert!(p.text(".node[data-port=\"6380\"] .keys").contains("100000"));
}

#[wasm_bindgen_test]
fn a_flood_of_commands_is_bounded_and_marked() {
    let p = mount(17);
    p.run(7_000);
    p.select(6379);
    // Typed one by one (each a submit and a redraw), then a 5,000-line paste.
    for i in 0..150 {
        p.one("#console-input").dyn_into::<HtmlInputElement>().unwrap().set_value(&format!("INCR n{}", i % 7));
        p.click("[data-action=console-send]");
    }
    let pasted: String = (0..5_000).map(|i| format!("SET p{i} {i}\r\n")).collect();
    replscope::web::events::paste_lines(&mut p.app.borrow_mut(), &pasted);
    p.app.borrow().render().unwrap();
    let con = p.app.borrow().consoles[&6379].clone();
    assert!(con.lines.len() <= replscope::web::console::MAX_LINES && con.history.len() <= replscope::web::console::MAX_HISTORY);
    assert!(p.text(".console-out .cl-dropped").contains("older lines dropped"));
    p.type_in_console(6379, "GET p4999");
    assert_eq!(p.console_lines().last().unwrap().1, "\"4999\"", "every pasted line ran");
}

#[wasm_bindgen_test]
fn malformed_share_links_say_so_and_leave_the_default_world() {
    let good = replscope::engine::share::encode(&replscope::engine::share::Share { script: "node 6379\n".into(), lang: None, sel: None, embed: false });
    let long = format!("#v=1&s={}", "A".repeat(400_000));
    let bad = ["#v=1&s=!!!!", "#v=9&c=0&s=AAAA", "#c=zz&s=A", &good[..good.len() - 1], &good[..good.len() / 2], &long, "#v=1&c=&s=%ZZ%00<script>"];
    for frag in bad {
        let p = mount(18);
        replscope::web::share_ui::open_fragment(&mut p.app.borrow_mut(), frag);
        p.app.borrow().render().unwrap();
        assert!(!p.one("#notice").has_attribute("hidden"), "{} gives a notice", &frag[..frag.len().min(40)]);
        assert_eq!(p.count(".node"), 3, "the default world");
        assert!(p.text("#notice").len() < 500);
    }
}
