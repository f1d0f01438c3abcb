//! The Kubernetes API surface: parsing manifests into typed objects, defaulting, validation and
//! admission as the API server does them, and reading pod specs out of objects.

pub mod admission;
pub mod defaults;
pub mod image;
pub mod manifest;
pub mod server;
pub mod summary;
pub mod validation;
pub mod yaml;

pub use manifest::{parse, Manifest, ManifestError, Object};
