//! The Kubernetes API surface: parsing manifests into typed objects and reading pod specs out of
//! them. Defaulting, validation and admission will live here too, each mirroring the API server.

pub mod manifest;
pub mod summary;

pub use manifest::{parse, Manifest, ManifestError, Object};
