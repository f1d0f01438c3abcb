//! Full pod lifecycles per second, native: a pod is applied, runs (Running), is deleted and
//! leaves the API (PodDeleted), driven by [`Simulation`] with the scripted runtime in virtual
//! time. Issue 4's goal: 100,000 lifecycles in at most 2 s.
//!
//! Two shapes are measured, with criterion (statistics, `thrpt` in lifecycles/s) and then with a
//! plain timed run of 100,000 lifecycles whose result is printed as one quotable line:
//! - `one pod per simulation`: a fresh simulation for each pod (what `podplay run` does);
//! - `1000 pods per simulation`: 1,000 pods applied together at t=0, deleted together at 5s.
//!
//! Run it with `scripts/bench` (or `scripts/bench --quick`). Manifests are parsed once, outside
//! the timing: a lifecycle starts from the parsed `kubectl apply`. Under `cargo test` (no
//! `--bench` argument) criterion runs each benchmark once and the timed run is skipped.
//!
//! To profile, give the timed run a count (criterion is then skipped) and, if you like, one shape:
//! `PODPLAY_BENCH_LIFECYCLES=1000 PODPLAY_BENCH_PODS_PER_SIM=1 valgrind --tool=callgrind
//! target/release/deps/lifecycles-HASH --bench` (the binary `cargo bench --no-run` names).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BatchSize, Criterion, SamplingMode, Throughput};
use podplay_engine::api::{parse, Manifest};
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{Config, UserAction};
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::sim::{Simulation, Step};
use podplay_engine::time::Time;

/// The pod of every lifecycle: one container whose image is already on the node and whose
/// process stops cleanly on SIGTERM.
fn pod(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  containers:\n  \
         - {{name: app, image: nginx:1.27}}\n"
    )
}

/// When the pods are deleted (they run from 0.942s) and when a run is over (they are gone at
/// 5.15s).
const DELETE_AT_S: u64 = 5;
const END_S: u64 = 60;

/// The pods of one simulation, parsed.
fn manifests(pods: usize) -> Vec<Manifest> {
    (0..pods)
        .flat_map(|i| parse(&pod(&format!("web-{i}"))).expect("the benchmark's pod parses"))
        .collect()
}

/// Applies `manifests` at t=0, deletes them all at 5s, runs to the end; returns the simulation.
fn run(manifests: Vec<Manifest>) -> Simulation<ScriptedRuntime> {
    let names: Vec<String> = manifests
        .iter()
        .map(|m| m.object.name().to_string())
        .collect();
    let mut sim = Simulation::new(Config::default(), ScriptedRuntime::default());
    let mut steps = vec![Step {
        at: Time::ZERO,
        action: UserAction::Apply(manifests),
    }];
    steps.extend(names.into_iter().map(|name| Step {
        at: Time::from_secs(DELETE_AT_S),
        action: UserAction::Delete {
            namespace: "default".into(),
            name,
            grace_period_s: None,
        },
    }));
    sim.schedule(steps);
    sim.run_until(Time::from_secs(END_S))
        .expect("a lifecycle ends within the step budget");
    sim
}

/// How many pods left the API in a run: the lifecycles it completed.
fn completed(sim: &Simulation<ScriptedRuntime>) -> usize {
    sim.trace()
        .iter()
        .filter(|r| matches!(r, Record::PodDeleted { .. }))
        .count()
}

/// Checks, once and outside the timing, that a run really is `pods` full lifecycles: every pod
/// reached Running before its deletion, and every pod left the API.
fn assert_full_lifecycles(pods: usize) {
    let sim = run(manifests(pods));
    let running = sim
        .trace()
        .iter()
        .filter_map(|r| match r {
            Record::Pod { t, pod } if *t < Time::from_secs(DELETE_AT_S) => pod
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .filter(|phase| *phase == "Running")
                .and(pod.metadata.name.clone()),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(running.len(), pods, "pods that reached Running");
    assert_eq!(completed(&sim), pods, "pods that left the API");
}

fn lifecycles(c: &mut Criterion) {
    for pods in [1, 1000] {
        assert_full_lifecycles(pods);
        let template = manifests(pods);
        let mut group = c.benchmark_group("lifecycles");
        group.throughput(Throughput::Elements(pods as u64));
        if pods > 1 {
            // A sample is a third of a second: ten of them, one run each.
            group
                .sampling_mode(SamplingMode::Flat)
                .sample_size(10)
                .measurement_time(Duration::from_secs(5));
        }
        let id = if pods == 1 {
            "one pod per simulation".to_string()
        } else {
            format!("{pods} pods per simulation")
        };
        group.bench_function(id, |b| {
            b.iter_batched(
                || template.clone(),
                |m| black_box(completed(&run(m))),
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
}

/// The goal as the issue states it: `total` lifecycles, timed end to end (manifest copies
/// included), printed as one line a person can quote.
fn timed_run(total: usize, pods_per_sim: usize) {
    assert_full_lifecycles(pods_per_sim);
    let template = manifests(pods_per_sim);
    let sims = total.div_ceil(pods_per_sim);
    let start = Instant::now();
    let mut done = 0;
    for _ in 0..sims {
        done += completed(&run(black_box(template.clone())));
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(done, sims * pods_per_sim, "every lifecycle completed");
    let shape = if pods_per_sim == 1 {
        "one pod per simulation".to_string()
    } else {
        format!("{pods_per_sim} pods per simulation")
    };
    println!(
        "{done} lifecycles ({shape}) in {secs:.3} s: {:.0} lifecycles/s{}",
        done as f64 / secs,
        if done >= 100_000 {
            if secs <= 2.0 {
                " (goal of issue 4, 100,000 in at most 2 s: met)"
            } else {
                " (goal of issue 4, 100,000 in at most 2 s: NOT met)"
            }
        } else {
            ""
        }
    );
}

criterion_group!(benches, lifecycles);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let timed = args.iter().any(|a| a == "--bench");
    // For a profiler's short run (see the module documentation): how many lifecycles, and one
    // shape only.
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse::<usize>().ok())
    };
    let shapes = match env("PODPLAY_BENCH_PODS_PER_SIM") {
        Some(pods) => vec![pods.max(1)],
        None => vec![1, 1000],
    };
    if !(timed && env("PODPLAY_BENCH_LIFECYCLES").is_some()) {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    if timed {
        let total =
            env("PODPLAY_BENCH_LIFECYCLES").unwrap_or(if args.iter().any(|a| a == "--quick") {
                10_000
            } else {
                100_000
            });
        for pods_per_sim in shapes {
            timed_run(total, pods_per_sim);
        }
    }
}
