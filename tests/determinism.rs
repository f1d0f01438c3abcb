//! Determinism in the browser: the three fixed scenarios of the engine's native determinism test
//! (crates/engine/tests/determinism.rs, whose scenario module this file includes) run in wasm32
//! in headless Chromium, and each whole jsonl trace must equal, byte for byte, the golden file the
//! native test checks. Both passing proves one seed gives one trace, natively and in wasm.
//! Native builds skip this file.
//!
//! The golden files are embedded below and written only by the native test. When the engine
//! changes a trace on purpose, regenerate them there and then run this test again (it needs no
//! regeneration of its own):
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p podplay-engine --test determinism
//! (source scripts/lib.sh; wasm_env; export CHROMEDRIVER=/usr/bin/chromedriver \
//!    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner; \
//!  cargo test -p podplay --target wasm32-unknown-unknown --test determinism)
//! ```
#![cfg(target_arch = "wasm32")]

#[path = "../crates/engine/tests/determinism/scenarios.rs"]
mod scenarios;

use scenarios::{first_difference, jsonl, SCENARIOS, SEED};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// `(scenario name, golden trace)`, the files the native test writes.
const GOLDEN: [(&str, &str); 3] = [
    (
        "two-containers-deleted",
        include_str!("../crates/engine/tests/data/golden/two-containers-deleted.jsonl"),
    ),
    (
        "crash-loop",
        include_str!("../crates/engine/tests/data/golden/crash-loop.jsonl"),
    ),
    (
        "prestop-sleep-grace-period",
        include_str!("../crates/engine/tests/data/golden/prestop-sleep-grace-period.jsonl"),
    ),
];

fn check_golden(name: &str) {
    let scenario = SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .expect("a scenario of that name");
    let (_, expected) = GOLDEN
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a golden file of that name");
    let actual = jsonl(scenario, SEED);
    if let Some(diff) = first_difference(&actual, expected) {
        panic!("in wasm, the trace of `{name}` (seed {SEED}) is not its golden file:\n{diff}");
    }
}

#[wasm_bindgen_test]
fn every_scenario_has_a_golden_file() {
    let mut names: Vec<&str> = SCENARIOS.iter().map(|s| s.name).collect();
    let mut golden: Vec<&str> = GOLDEN.iter().map(|(n, _)| *n).collect();
    names.sort();
    golden.sort();
    assert_eq!(names, golden);
}

#[wasm_bindgen_test]
fn a_two_container_pod_deleted_at_20s_gives_the_native_golden_trace_in_wasm() {
    check_golden("two-containers-deleted");
}

#[wasm_bindgen_test]
fn a_crash_loop_gives_the_native_golden_trace_in_wasm() {
    check_golden("crash-loop");
}

#[wasm_bindgen_test]
fn a_prestop_sleep_within_the_grace_period_gives_the_native_golden_trace_in_wasm() {
    check_golden("prestop-sleep-grace-period");
}

/// The mock runtime's scenarios (crates/mock/tests/determinism/scenarios.rs) and their golden
/// traces, written by the native test `cargo test -p podplay-mock --test determinism`.
#[path = "../crates/mock/tests/determinism/scenarios.rs"]
mod mock_scenarios;

const MOCK_GOLDEN: [(&str, &str); 3] = [
    (
        "liveness-probe",
        include_str!("../crates/mock/tests/data/golden/liveness-probe.jsonl"),
    ),
    (
        "shared-volume",
        include_str!("../crates/mock/tests/data/golden/shared-volume.jsonl"),
    ),
    (
        "oom-killed",
        include_str!("../crates/mock/tests/data/golden/oom-killed.jsonl"),
    ),
];

#[wasm_bindgen_test]
fn the_mock_runtime_gives_the_native_golden_traces_in_wasm() {
    for (name, text) in mock_scenarios::SCENARIOS {
        let (_, expected) = MOCK_GOLDEN
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a golden file of that name");
        let actual = mock_scenarios::jsonl(text, mock_scenarios::SEED);
        if let Some(diff) = mock_scenarios::first_difference(&actual, expected) {
            panic!("in wasm, the mock's trace of `{name}` is not its golden file:\n{diff}");
        }
    }
}
