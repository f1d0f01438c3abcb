//! The fixed scenarios of the determinism tests, shared by the native test
//! (crates/engine/tests/determinism.rs) and the wasm one (tests/determinism.rs at the repository
//! root, which includes this file with `#[path]`). Each runs with the scripted runtime and one
//! seed, and its whole trace, as `podplay run --output jsonl` prints it, is compared byte for byte
//! with a golden file in crates/engine/tests/data/golden/.
//!
//! Start at [`SCENARIOS`]; [`jsonl`] runs one. Only the engine's public API is used.

use podplay_engine::api::parse;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{Config, UserAction};
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::sim::{Simulation, Step};
use podplay_engine::time::Time;

/// The seed every golden trace is recorded with.
pub const SEED: u64 = 7;

/// One fixed run: a manifest applied at t=0, deletions at given times, and how long to run.
pub struct Scenario {
    /// The golden file's stem: `crates/engine/tests/data/golden/{name}.jsonl`.
    pub name: &'static str,
    pub manifest: &'static str,
    /// `(at seconds, pod name, --grace-period)` for each `kubectl delete pod`.
    pub deletes: &'static [(u64, &'static str, Option<i64>)],
    pub run_for_s: u64,
}

/// The three scenarios, in the order of their golden files.
pub const SCENARIOS: [Scenario; 3] = [
    // Two containers (nginx's own process stops on SIGTERM; the shell traps it), deleted at 20s.
    Scenario {
        name: "two-containers-deleted",
        manifest: "
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: app, image: nginx:1.27}
  - name: sidecar
    image: busybox
    command: [sh, -c, \"trap 'exit 0' TERM; echo watching; while true; do sleep 1; done\"]
",
        deletes: &[(20, "web", None)],
        run_for_s: 60,
    },
    // A container that exits 1 after two seconds: restarted at once, then after back-offs of
    // 10s, 20s and 40s. The pod worker's requeues are jittered by the seed, so the run ends at
    // 120s, inside the 80s back-off, where every seed has seen the same Events (a run to 170s
    // would see one more BackOff with some seeds and not others).
    Scenario {
        name: "crash-loop",
        manifest: "
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'echo starting; sleep 2; exit 1']}
",
        deletes: &[],
        run_for_s: 120,
    },
    // A preStop `sleep` of 5s inside a 15s grace period, then SIGTERM, which the shell traps.
    Scenario {
        name: "prestop-sleep-grace-period",
        manifest: "
apiVersion: v1
kind: Pod
metadata: {name: graceful}
spec:
  terminationGracePeriodSeconds: 15
  containers:
  - name: app
    image: busybox
    command: [sh, -c, \"trap 'exit 0' TERM; echo serving; while true; do sleep 1; done\"]
    lifecycle:
      preStop:
        sleep: {seconds: 5}
",
        deletes: &[(10, "graceful", None)],
        run_for_s: 60,
    },
];

/// Runs `scenario` with `seed` (the engine's and the scripted runtime's) to its end.
pub fn run(scenario: &Scenario, seed: u64) -> Simulation<ScriptedRuntime> {
    let config = Config {
        seed,
        ..Config::default()
    };
    let mut sim = Simulation::new(config, ScriptedRuntime::new(seed));
    let manifests = parse(scenario.manifest).expect("the scenario's manifest parses");
    let mut steps = vec![Step {
        at: Time::ZERO,
        action: UserAction::Apply(manifests),
    }];
    steps.extend(scenario.deletes.iter().map(|&(at, name, grace)| Step {
        at: Time::from_secs(at),
        action: UserAction::Delete {
            namespace: "default".into(),
            name: name.into(),
            grace_period_s: grace,
        },
    }));
    sim.schedule(steps);
    sim.run_until(Time::from_secs(scenario.run_for_s))
        .expect("the scenario ends within the step budget");
    sim
}

/// The run's trace as `podplay run --output jsonl` writes it: one record a line, each line
/// ending in `\n`.
pub fn jsonl(scenario: &Scenario, seed: u64) -> String {
    trace_jsonl(run(scenario, seed).trace())
}

pub fn trace_jsonl(trace: &[Record]) -> String {
    let mut out = String::new();
    for record in trace {
        out.push_str(&record.to_json_line());
        out.push('\n');
    }
    out
}

/// The first line where `actual` and `expected` differ, with a few lines of context, for a
/// failure message a person can read (a whole trace is far too long to print, and a pod's line
/// runs to kilobytes, so lines are cut and the first differing bytes shown on their own).
pub fn first_difference(actual: &str, expected: &str) -> Option<String> {
    let (a, e): (Vec<&str>, Vec<&str>) = (actual.lines().collect(), expected.lines().collect());
    let i = (0..a.len().max(e.len())).find(|&i| a.get(i) != e.get(i))?;
    let cut = |line: &str| -> String {
        let mut end = line.len().min(150);
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let dots = if end < line.len() { "…" } else { "" };
        format!("{}{dots}", &line[..end])
    };
    let mut out = format!(
        "traces differ from line {} on (actual {} lines, golden {} lines)\n",
        i + 1,
        a.len(),
        e.len()
    );
    for (j, line) in a.iter().enumerate().take(i).skip(i.saturating_sub(2)) {
        out.push_str(&format!("    {:>4}   {}\n", j + 1, cut(line)));
    }
    for (sign, lines) in [("-", &e), ("+", &a)] {
        for (j, line) in lines.iter().enumerate().skip(i).take(3) {
            out.push_str(&format!("  {sign} {:>4}   {}\n", j + 1, cut(line)));
        }
    }
    if let (Some(a), Some(e)) = (a.get(i), e.get(i)) {
        let col = a
            .bytes()
            .zip(e.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(e.len()));
        let around = |line: &str| -> String {
            let (mut from, mut to) = (col.saturating_sub(40), (col + 40).min(line.len()));
            while !line.is_char_boundary(from) {
                from -= 1;
            }
            while !line.is_char_boundary(to) {
                to += 1;
            }
            line[from..to].to_string()
        };
        out.push_str(&format!(
            "  line {} first differs at byte {}:\n  - …{}…\n  + …{}…\n",
            i + 1,
            col + 1,
            around(e),
            around(a)
        ));
    }
    Some(out)
}
