//! What the page does when podplay itself fails: a panic (a bug of ours, never the user's input,
//! which the engine answers with located errors) is shown on the page in a banner that says what
//! broke and that the editor's text is still there, and is logged to the browser's console.
//!
//! `main.rs` installs [`report_panics`] before mounting the app; [`show`] is the banner alone,
//! which the component tests call. The release build aborts on a panic, so the page cannot go on
//! after it: the banner is what a user sees instead of a page that silently stopped answering.

use std::panic::PanicHookInfo;

/// The banner's text before the panic's own message.
pub const HEADLINE: &str = "podplay stopped on an internal error (a bug in podplay, not in your YAML). Your text is still in the editor: copy it before you reload the page.";

/// Installs the panic hook: the console gets the message (as Yew's default hook would log it),
/// the page gets the banner.
pub fn report_panics() {
    yew::set_custom_panic_hook(Box::new(|info: &PanicHookInfo<'_>| {
        let message = info.to_string();
        web_sys::console::error_1(&message.as_str().into());
        show(&message);
    }));
}

/// Puts the banner at the top of the page (once; a second panic replaces its message).
pub fn show(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else { return };
    let banner = match document.get_element_by_id("crash") {
        Some(banner) => banner,
        None => {
            let Ok(banner) = document.create_element("div") else {
                return;
            };
            banner.set_id("crash");
            let _ = banner.set_attribute("class", "crash");
            let _ = banner.set_attribute("role", "alert");
            let _ = body.prepend_with_node_1(&banner);
            banner
        }
    };
    banner.set_text_content(Some(&format!("{HEADLINE}\n{message}")));
}
