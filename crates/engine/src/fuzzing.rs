//! One entry point that runs a text through everything the engine does with user input, for the
//! cargo-fuzz target in `fuzz/` and for the hostile-input tests. Whatever the text, this returns.

use crate::api::Object;

/// Parse `text` and, for every object that parses, run what the engine would run on it: the API
/// server's create path (defaulting, validation, admission), kubectl's views and explain for
/// pods, and a minute of the lifecycle engine.
pub fn exercise(text: &str) {
    let Ok(manifests) = crate::api::parse(text) else {
        return;
    };
    let _ = crate::api::summary::summarize(&manifests);
    let now = k8s_openapi::jiff::Timestamp::UNIX_EPOCH;
    for created in crate::api::server::create_all(&manifests) {
        let _ = created.kubectl_line("fuzz");
    }
    for m in &manifests {
        if let Object::Pod(pod) = &m.object {
            let row = crate::view::get::pod_row(pod, now);
            let _ = crate::view::get::format_table(&[row], true);
            let _ = crate::view::describe::describe_pod(pod, &[], now);
            let _ = crate::explain::explain_pod(pod, now);
        }
    }
    let mut sim = crate::scenario::Scenario::from_manifests(manifests).into_simulation(1);
    // The step budget bounds the run; a runaway is an error value, never a hang.
    let _ = sim.run_until(crate::time::Time::from_secs(60));
}
