//! podplay's engine: the pure, deterministic core shared by the web playground, the CLI and the
//! Docker driver.
//!
//! Start reading at [`api::manifest::parse`], which turns the text a user typed into Kubernetes
//! objects (k8s-openapi types), and [`api::summary`], which is what the first page shows of them.
//!
//! The engine never does IO, never reads the wall clock or ambient randomness, and knows nothing of
//! Yew, the DOM or Docker: it builds for `wasm32-unknown-unknown` and native alike.

pub mod api;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
pub mod go;
pub mod lifecycle;
pub mod quantity;
pub mod runtime;
pub mod scenario;
pub mod sim;
pub mod status;
pub mod time;
pub mod view;

/// Example manifests shipped with podplay, as the playground and the CLI offer them.
pub mod examples {
    /// The classic two-container pod: nginx and a busybox helper sharing an `emptyDir` volume.
    /// The playground opens with it.
    pub const TWO_CONTAINER_POD: &str = include_str!("../manifests/two-container-pod.yaml");
}
