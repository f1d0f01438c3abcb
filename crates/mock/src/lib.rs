//! podplay's in-browser container runtime: images with their behaviour, a busybox-like shell,
//! pod volumes and a network namespace per pod, all in virtual time. It implements the engine's
//! [`podplay_engine::runtime::Runtime`], so the engine's kubelet drives it exactly as it drives
//! a real Docker engine. Pure and deterministic: no IO, no wall clock, no threads; wasm32 and
//! native. Start at [`MockRuntime`].

pub mod busybox;
pub mod fs;
pub mod harness;
pub mod images;
pub mod kernel;
pub mod programs;
pub mod runtime;
pub mod shell;
pub mod workload;

pub use runtime::MockRuntime;
