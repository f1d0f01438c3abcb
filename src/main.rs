//! Mounts the playground on the page's body, with podplay's own panic report (see `crash.rs`).

fn main() {
    podplay::crash::report_panics();
    yew::Renderer::<podplay::components::app::App>::new().render();
}
