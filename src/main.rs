//! Mounts the playground on the page's body.

fn main() {
    yew::Renderer::<podplay::components::app::App>::new().render();
}
