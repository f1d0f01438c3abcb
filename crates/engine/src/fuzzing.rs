//! One entry point that runs a text through everything the engine does with user input, for the
//! cargo-fuzz target in `fuzz/` and for the hostile-input tests. Whatever the text, this returns.

/// Parse `text` and, for every object that parses, run what the engine would run on it.
pub fn exercise(text: &str) {
    let Ok(manifests) = crate::api::parse(text) else {
        return;
    };
    let _ = crate::api::summary::summarize(&manifests);
}
