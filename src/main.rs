//! The podplay playground: a Yew app that runs in the browser.
//!
//! Start at [`components::app::App`]. The model ([`model`]) is plain Rust over the engine and is
//! tested natively; components only render it and turn DOM events into model inputs.

mod components;
mod model;

fn main() {
    yew::Renderer::<components::app::App>::new().render();
}
