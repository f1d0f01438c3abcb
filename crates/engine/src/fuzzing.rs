//! One entry point that runs a text through everything the engine does with user input, for the
//! cargo-fuzz target in `fuzz/` and for the hostile-input tests. Whatever the text, this returns.

use crate::api::Object;

/// Parse `text` and, for every object that parses, run what the engine would run on it: the API
/// server's create path (defaulting, validation, admission) and, for pods, kubectl's views.
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
        }
    }
}
