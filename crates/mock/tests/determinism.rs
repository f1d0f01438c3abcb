//! Determinism of the mock runtime: one seed, one trace, byte for byte. The shipped examples in
//! [`scenarios::SCENARIOS`] run with the mock and seed 1, and their whole jsonl trace must equal
//! the golden files in tests/data/golden/. The wasm test (tests/determinism.rs at the repository
//! root) embeds the same files and runs the same scenarios in headless Chromium: together they
//! prove the shell, the kernel and the programs behave the same natively and in wasm.
//!
//! When a trace changes on purpose, regenerate the golden files and read the diff:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p podplay-mock --test determinism
//! ```

#[path = "determinism/scenarios.rs"]
mod scenarios;

use std::path::PathBuf;

use scenarios::{first_difference, jsonl, SCENARIOS, SEED};

#[test]
fn each_example_gives_its_golden_trace_and_the_same_trace_twice() {
    for (name, text) in SCENARIOS {
        let actual = jsonl(text, SEED);
        assert_eq!(actual, jsonl(text, SEED), "{name}: two runs differ");
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/golden")
            .join(format!("{name}.jsonl"));
        if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}); write it with UPDATE_GOLDEN=1 cargo test -p podplay-mock --test determinism",
                path.display()
            )
        });
        if let Some(diff) = first_difference(&actual, &expected) {
            panic!("the trace of `{name}` is not its golden file:\n{diff}");
        }
    }
}

#[test]
fn another_seed_gives_another_trace() {
    let (_, text) = SCENARIOS[0];
    assert_ne!(jsonl(text, SEED), jsonl(text, SEED + 1));
}
