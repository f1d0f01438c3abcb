//! Scenarios: podplay's own kind (`podplay.dev/v1alpha1` `Scenario`). Not written yet.
