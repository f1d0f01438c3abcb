//! Component tests: the app mounted in a real browser (headless Chromium through
//! wasm-bindgen-test-runner and chromedriver; scripts/test runs them). Native builds skip this
//! file: it needs a DOM.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use podplay::components::app::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts the app in a fresh element of the test page.
fn mount() -> Element {
    let document = gloo::utils::document();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    yew::Renderer::<App>::with_root(host.clone()).render();
    host
}

/// Lets Yew's scheduler run the renders queued so far.
async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(30)).await;
}

fn texts(host: &Element, selector: &str) -> Vec<String> {
    let list = host.query_selector_all(selector).unwrap();
    (0..list.length())
        .map(|i| list.item(i).unwrap().text_content().unwrap_or_default())
        .collect()
}

/// The editor's text area.
fn editor(host: &Element) -> HtmlTextAreaElement {
    host.query_selector("#editor")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap()
}

fn type_into_editor(host: &Element, text: &str) {
    let area = editor(host);
    area.set_value(text);
    let event = web_sys::InputEvent::new("input").unwrap();
    area.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn the_app_opens_on_the_default_pod() {
    let host = mount();
    settle().await;
    assert_eq!(
        texts(&host, ".containers .container-name"),
        ["nginx", "helper"]
    );
    assert_eq!(
        texts(&host, ".answer.created"),
        ["pod/web created (server dry run)"]
    );
}

#[wasm_bindgen_test]
async fn typing_broken_yaml_shows_the_error_at_its_line_and_keeps_the_text() {
    let host = mount();
    settle().await;
    let broken = "apiVersion: v1\nkind: Pod\nmetadata: [\n";
    type_into_editor(&host, broken);
    settle().await;
    let error = host
        .query_selector("#error")
        .unwrap()
        .expect("an error is shown");
    assert_eq!(error.get_attribute("data-line").as_deref(), Some("3"));
    assert!(error.text_content().unwrap().contains("line 3"));
    let area = editor(&host);
    assert_eq!(area.value(), broken);
}

#[wasm_bindgen_test]
async fn a_crash_banner_says_what_broke_and_leaves_the_editor_text_alone() {
    let host = mount();
    settle().await;
    type_into_editor(&host, "kind: Pod\n");
    settle().await;
    podplay::crash::show("panicked at src/example.rs:1:1:\nboom");
    let banner = gloo::utils::document()
        .get_element_by_id("crash")
        .expect("the banner is on the page");
    assert_eq!(banner.get_attribute("role").as_deref(), Some("alert"));
    let text = banner.text_content().unwrap();
    assert!(text.starts_with(podplay::crash::HEADLINE), "{text}");
    assert!(text.ends_with("boom"), "{text}");
    // A second panic replaces the message; there is still one banner.
    podplay::crash::show("again");
    let banners = gloo::utils::document()
        .query_selector_all("#crash")
        .unwrap();
    assert_eq!(banners.length(), 1);
    let area = editor(&host);
    assert_eq!(area.value(), "kind: Pod\n");
}
