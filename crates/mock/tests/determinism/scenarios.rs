//! The mock runtime's determinism scenarios, shared by the native test
//! (crates/mock/tests/determinism.rs) and the wasm one (tests/determinism.rs at the root): three
//! shipped kubernetes.io examples that exercise the shell, the network namespace, volumes,
//! probes and the OOM killer, each run with seed 1 into its whole jsonl trace.

use podplay_engine::lifecycle::Config;
use podplay_engine::scenario::Scenario;
use podplay_mock::MockRuntime;

pub const SEED: u64 = 1;

/// `(name, scenario text)`.
pub const SCENARIOS: [(&str, &str); 3] = [
    (
        "liveness-probe",
        include_str!("../../../engine/scenarios/liveness-probe.yaml"),
    ),
    (
        "shared-volume",
        include_str!("../../../engine/scenarios/shared-volume.yaml"),
    ),
    (
        "oom-killed",
        include_str!("../../../engine/scenarios/oom-killed.yaml"),
    ),
];

/// The scenario's whole trace as `podplay run -o jsonl` prints it.
pub fn jsonl(text: &str, seed: u64) -> String {
    let scenario = Scenario::parse(text).expect("a shipped scenario parses");
    let end = scenario.run_for();
    let config = Config {
        seed,
        ..Config::default()
    };
    let mut sim = scenario.simulation(config, MockRuntime::new(seed));
    sim.run_until(end)
        .expect("the run stays within its step budget");
    let mut out = String::new();
    for r in sim.trace() {
        out.push_str(&r.to_json_line());
        out.push('\n');
    }
    out
}

/// The first line where two traces differ, to print instead of two whole traces.
pub fn first_difference(actual: &str, expected: &str) -> Option<String> {
    if actual == expected {
        return None;
    }
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    let i = a
        .iter()
        .zip(&e)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(e.len()));
    Some(format!(
        "line {}:\n  actual:   {}\n  expected: {}",
        i + 1,
        a.get(i).unwrap_or(&"<end>"),
        e.get(i).unwrap_or(&"<end>")
    ))
}
