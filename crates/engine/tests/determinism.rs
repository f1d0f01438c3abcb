//! Determinism: one seed, one trace, byte for byte. Three fixed scenarios (in
//! [`scenarios::SCENARIOS`]: a two-container pod deleted at 20s, a crash loop, a preStop sleep
//! within a grace period) run with the scripted runtime and seed 7, and their whole jsonl trace
//! must equal the golden files in tests/data/golden/. The same golden files are embedded in the
//! wasm test (tests/determinism.rs at the repository root), which runs the same scenarios in
//! headless Chromium: together they prove the trace is identical natively and in wasm.
//!
//! When the engine changes a trace on purpose, regenerate the golden files here, read the diff
//! (`git diff crates/engine/tests/data/golden/`) against Kubernetes' behaviour, then run the wasm
//! test, which reads the same files and so needs no regeneration of its own:
//!
//! ```sh
//! UPDATE_GOLDEN=1 cargo test -p podplay-engine --test determinism
//! (source scripts/lib.sh; wasm_env; export CHROMEDRIVER=/usr/bin/chromedriver \
//!    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner; \
//!  cargo test -p podplay --target wasm32-unknown-unknown --test determinism)
//! ```

#[path = "determinism/scenarios.rs"]
mod scenarios;

use std::path::PathBuf;

use scenarios::{first_difference, jsonl, run, trace_jsonl, Scenario, SCENARIOS, SEED};
use serde_json::Value;

fn golden_path(scenario: &Scenario) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(format!("{}.jsonl", scenario.name))
}

/// Compares the scenario's trace with its golden file, or (with `UPDATE_GOLDEN=1`) rewrites it.
fn check_golden(name: &str) {
    let scenario = SCENARIOS
        .iter()
        .find(|s| s.name == name)
        .expect("a scenario of that name");
    let actual = jsonl(scenario, SEED);
    let path = golden_path(scenario);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("has a parent")).unwrap();
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the golden file {} ({e}); write it with \
             UPDATE_GOLDEN=1 cargo test -p podplay-engine --test determinism",
            path.display()
        )
    });
    if let Some(diff) = first_difference(&actual, &expected) {
        panic!(
            "the trace of `{name}` (seed {SEED}) is not its golden file {}:\n{diff}\n\
             If the engine changed on purpose, regenerate both tests' golden files with \
             UPDATE_GOLDEN=1 cargo test -p podplay-engine --test determinism, and read the diff.",
            path.display()
        );
    }
}

#[test]
fn a_two_container_pod_deleted_at_20s_gives_its_golden_trace() {
    check_golden("two-containers-deleted");
}

#[test]
fn a_crash_loop_gives_its_golden_trace() {
    check_golden("crash-loop");
}

#[test]
fn a_prestop_sleep_within_the_grace_period_gives_its_golden_trace() {
    check_golden("prestop-sleep-grace-period");
}

#[test]
fn the_golden_traces_cover_the_whole_lifecycle_they_name() {
    // Guards the scenarios themselves: a golden file of a run that never got going proves little.
    let reasons = |name: &str| -> Vec<String> {
        let scenario = SCENARIOS.iter().find(|s| s.name == name).unwrap();
        records(&jsonl(scenario, SEED))
            .iter()
            .filter(|r| r["kind"] == "Event" || r["kind"] == "PodDeleted")
            .map(|r| r["reason"].as_str().unwrap_or("PodDeleted").to_string())
            .collect()
    };
    let two = reasons("two-containers-deleted");
    assert_eq!(two.iter().filter(|r| *r == "Started").count(), 2, "{two:?}");
    assert_eq!(two.iter().filter(|r| *r == "Killing").count(), 2, "{two:?}");
    assert_eq!(
        two.last().map(String::as_str),
        Some("PodDeleted"),
        "{two:?}"
    );
    let crash = reasons("crash-loop");
    assert!(crash.iter().any(|r| r == "BackOff"), "{crash:?}");
    let graceful = reasons("prestop-sleep-grace-period");
    assert!(graceful.iter().any(|r| r == "Killing"), "{graceful:?}");
    assert_eq!(
        graceful.last().map(String::as_str),
        Some("PodDeleted"),
        "{graceful:?}"
    );
}

#[test]
fn the_same_seed_twice_gives_byte_identical_traces() {
    for scenario in &SCENARIOS {
        let (first, second) = (jsonl(scenario, SEED), jsonl(scenario, SEED));
        assert!(
            first == second,
            "{}: {}",
            scenario.name,
            first_difference(&second, &first).unwrap_or_default()
        );
    }
}

fn records(jsonl: &str) -> Vec<Value> {
    jsonl
        .lines()
        .map(|l| serde_json::from_str(l).expect("each trace line is JSON"))
        .collect()
}

/// Every pod uid and runtime id (`containerd://…`, the container and sandbox ids) in a trace.
fn random_ids(trace: &[Value]) -> Vec<String> {
    let mut ids = Vec::new();
    for r in trace.iter().filter(|r| r["kind"] == "Pod") {
        let pod = &r["object"];
        ids.extend(pod["metadata"]["uid"].as_str().map(String::from));
        for list in ["initContainerStatuses", "containerStatuses"] {
            for status in pod["status"][list].as_array().into_iter().flatten() {
                let ids_here = [
                    &status["containerID"],
                    &status["state"]["terminated"]["containerID"],
                    &status["lastState"]["terminated"]["containerID"],
                ];
                ids.extend(
                    ids_here
                        .iter()
                        .filter_map(|id| id.as_str())
                        .map(String::from),
                );
            }
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

/// The Events of a trace, in order, without their times and with each random id replaced by its
/// place of first appearance (`<id0>`, `<id1>`…): what must not depend on the seed. Times may
/// (the pod worker's requeue after a back-off is jittered, as `workerBackOffPeriodJitterFactor`
/// makes it in pkg/kubelet/pod_workers.go).
fn event_sequence(jsonl: &str) -> Vec<String> {
    let trace = records(jsonl);
    let ids = random_ids(&trace);
    let mut by_position: Vec<(usize, &String)> = ids
        .iter()
        .map(|id| (jsonl.find(id.as_str()).unwrap_or(usize::MAX), id))
        .collect();
    by_position.sort();
    trace
        .iter()
        .filter(|r| r["kind"] == "Event")
        .map(|r| {
            let mut line = format!(
                "{} {} {} {} {} (x{})",
                r["type"], r["reason"], r["object"], r["fieldPath"], r["message"], r["count"]
            );
            for (n, (_, id)) in by_position.iter().enumerate() {
                line = line.replace(id.as_str(), &format!("<id{n}>"));
            }
            line
        })
        .collect()
}

#[test]
fn another_seed_changes_the_uids_but_not_the_sequence_of_events() {
    for scenario in &SCENARIOS {
        let (a, b) = (run(scenario, SEED), run(scenario, SEED + 1));
        let (a, b) = (trace_jsonl(a.trace()), trace_jsonl(b.trace()));
        let (ids_a, ids_b) = (random_ids(&records(&a)), random_ids(&records(&b)));
        assert!(!ids_a.is_empty(), "{}: no uid in the trace", scenario.name);
        assert!(
            ids_a.iter().all(|id| !ids_b.contains(id)),
            "{}: seeds {SEED} and {} share ids: {ids_a:?} / {ids_b:?}",
            scenario.name,
            SEED + 1
        );
        let (a, b) = (event_sequence(&a), event_sequence(&b));
        assert!(!a.is_empty(), "{}: no Event in the trace", scenario.name);
        let (a, b) = (a.join("\n"), b.join("\n"));
        assert!(
            a == b,
            "{}: seeds {SEED} and {} give different Events (\"golden\", -: seed {SEED}; \
             \"actual\", +: seed {}):\n{}",
            scenario.name,
            SEED + 1,
            SEED + 1,
            first_difference(&b, &a).unwrap_or_default()
        );
    }
}
