//! Browser tests: run in headless Chromium by wasm-bindgen-test-runner
//! (`CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use replscope::web::dom;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> web_sys::Element {
    let doc = dom::document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    root
}

#[wasm_bindgen_test]
fn first_view_shows_a_master_and_a_replica() {
    let doc = dom::document().unwrap();
    let root = fresh_root();
    dom::mount(&doc, &root).unwrap();
    let master = root.query_selector(".node.master").unwrap().expect("a master node");
    let replica = root.query_selector(".node.replica").unwrap().expect("a replica node");
    assert_eq!(master.get_attribute("data-port").as_deref(), Some("6379"));
    assert_eq!(replica.get_attribute("data-port").as_deref(), Some("6380"));
    assert!(root.query_selector("line.link.up").unwrap().is_some());
}

#[wasm_bindgen_test]
fn cutting_the_link_redraws_it_and_says_so() {
    let doc = dom::document().unwrap();
    let root = fresh_root();
    dom::mount(&doc, &root).unwrap();
    let button: web_sys::HtmlElement = root.query_selector("button.control").unwrap().unwrap().dyn_into().unwrap();
    button.click();
    assert!(root.query_selector("line.link.cut").unwrap().is_some());
    let status = root.query_selector(".status").unwrap().unwrap();
    assert_eq!(status.text_content().unwrap(), "link 6379 → 6380: cut");
    button.click();
    assert!(root.query_selector("line.link.up").unwrap().is_some());
}
