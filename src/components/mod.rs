//! One component per file. Components render the model and turn DOM events into model inputs;
//! they never compute Kubernetes rules themselves.

pub mod app;
pub mod editor;
pub mod objects;
pub mod run;
