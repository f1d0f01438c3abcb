//! podplay's in-browser container runtime, in virtual time. Pure and deterministic: no IO,
//! no wall clock, no threads; wasm32 and native.

pub mod fs;
pub mod shell;
