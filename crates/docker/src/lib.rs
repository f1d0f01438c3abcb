//! podplay's Docker backend: the engine's [`podplay_engine::runtime::Runtime`] over a real Docker
//! engine, and the real-time driver that runs the engine against it. The kubelet logic stays in
//! the engine; this crate only carries its commands to Docker (as dockershim / cri-dockerd did)
//! and its answers back. The only crate of podplay that talks to Docker.
//!
//! Start at [`driver::RealTime`] and [`runtime::DockerRuntime`]. [`safety`] says what is refused
//! without `--allow-host-access`; [`gc`] removes what runs leave; [`conformance`] compares a run on
//! Docker with the same run on the mock runtime.

pub mod conformance;
pub mod driver;
pub mod gc;
pub mod names;
pub mod runtime;
pub mod safety;
pub mod session;

pub use driver::{Ended, RealTime, RealTimeRuntime};
pub use runtime::{DockerRuntime, Options};
