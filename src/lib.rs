//! The podplay playground: a Yew app that runs in the browser.
//!
//! Start at [`components::app::App`]. The model ([`model`]) is plain Rust over the engine and is
//! tested natively; components only render it and turn DOM events into model inputs. `main.rs`
//! mounts the app and installs the panic report (`crash.rs`); the component tests in
//! `tests/components.rs` mount it in headless Chromium.

pub mod components;
pub mod crash;
pub mod model;
