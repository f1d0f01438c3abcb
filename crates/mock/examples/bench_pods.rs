//! N pods on the mock runtime, natively: how long a whole run takes and how much memory it
//! holds, at several sizes, so that what grows faster than the number of pods shows. Each pod is
//! one busybox container (`sleep 3600`, or a shell loop `while true; do sleep 1; done`), all
//! applied at t=0, all deleted at 30 s, the run going on to 120 s: the path `podplay run` takes
//! (a [`Simulation`] of the engine over [`MockRuntime`]), without reading a file.
//!
//! `scripts/bench` runs it. Usage: `bench_pods [--quick] [--sleep N...] [--loop N...]`; with no
//! size, 1,000, 4,000 and 16,000 pods of each kind (`--quick`: 1,000 and 4,000 sleeping, 1,000
//! looping). Each size runs in a process of its own, so that its peak RSS (`VmHWM`) is its own;
//! the line printed for it is
//! `N pods on the mock (native): S s, R lifecycles/s, peak RSS M MB (K KB/pod)`.
//!
//! The manifests are parsed before the clock starts; the time is the simulation's, from the
//! apply to the end. A run whose pods did not all reach Running and leave the API fails.
//!
//! An example rather than a criterion benchmark: one run of 16,000 pods is the measurement, and
//! its memory can only be read from a fresh process.

use std::process::{Command, ExitCode};
use std::time::Instant;

use podplay_engine::api::{parse, Manifest};
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{Config, UserAction};
use podplay_engine::sim::{Simulation, Step};
use podplay_engine::time::Time;
use podplay_mock::MockRuntime;

/// When the pods are deleted and when the run ends.
const DELETE_AT_S: u64 = 30;
const END_S: u64 = 120;

/// The child process's one argument: `sleep:N` or `loop:N`.
const CHILD_ENV: &str = "PODPLAY_BENCH_PODS_CHILD";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `sleep 3600`: one process per pod, idle from its start to its deletion.
    Sleep,
    /// `sh -c 'while true; do sleep 1; done'`: a shell forking a `sleep` every second.
    Loop,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sleep => "sleep",
            Kind::Loop => "loop",
        }
    }

    fn command(self) -> &'static str {
        match self {
            Kind::Sleep => r#"["sleep", "3600"]"#,
            Kind::Loop => r#"["sh", "-c", "while true; do sleep 1; done"]"#,
        }
    }

    /// How the quotable line names the pods.
    fn shape(self) -> &'static str {
        match self {
            Kind::Sleep => "busybox `sleep 3600`",
            Kind::Loop => "busybox `while true; do sleep 1; done`",
        }
    }
}

fn pod(kind: Kind, i: usize) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n  \
         - {{name: c, image: busybox:1.36, command: {}}}\n",
        kind.command()
    )
}

/// What one size measured.
struct Measured {
    seconds: f64,
    peak_rss_kb: u64,
}

/// Runs `pods` pods of `kind` in this process; checks that each one ran and left.
fn run_one(kind: Kind, pods: usize) -> Result<Measured, String> {
    let manifests: Vec<Manifest> = (0..pods)
        .flat_map(|i| parse(&pod(kind, i)).expect("the benchmark's pod parses"))
        .collect();
    let mut steps = vec![Step {
        at: Time::ZERO,
        action: UserAction::Apply(manifests),
    }];
    steps.extend((0..pods).map(|i| Step {
        at: Time::from_secs(DELETE_AT_S),
        action: UserAction::Delete {
            namespace: "default".into(),
            name: format!("p{i}"),
            grace_period_s: None,
        },
    }));
    let config = Config::default();
    let seed = config.seed;

    let start = Instant::now();
    let mut sim = Simulation::new(config, MockRuntime::new(seed));
    sim.schedule(steps);
    sim.run_until(Time::from_secs(END_S))
        .map_err(|e| e.to_string())?;
    let seconds = start.elapsed().as_secs_f64();

    let running = sim
        .trace()
        .iter()
        .filter_map(|r| match r {
            Record::Pod { t, pod } if *t < Time::from_secs(DELETE_AT_S) => pod
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .filter(|phase| *phase == "Running")
                .and(pod.metadata.name.as_deref()),
            _ => None,
        })
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let gone = sim
        .trace()
        .iter()
        .filter(|r| matches!(r, Record::PodDeleted { .. }))
        .count();
    if running != pods || gone != pods {
        return Err(format!(
            "{pods} pods: {running} reached Running, {gone} left the API"
        ));
    }
    Ok(Measured {
        seconds,
        peak_rss_kb: peak_rss_kb(),
    })
}

/// This process's peak resident set (`VmHWM`), in KiB; 0 where /proc has no such line.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Runs one size in a child process and prints its line.
fn measure(kind: Kind, pods: usize) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .env(CHILD_ENV, format!("{}:{pods}", kind.name()))
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let (Some(seconds), Some(rss)) = (fields.next(), fields.next()) else {
        return Err(format!("the child printed {text:?}"));
    };
    let seconds: f64 = seconds
        .parse()
        .map_err(|_| format!("bad time {seconds:?}"))?;
    let rss_kb: u64 = rss.parse().map_err(|_| format!("bad RSS {rss:?}"))?;
    println!(
        "{pods} pods on the mock (native): {seconds:.2} s, {:.0} lifecycles/s, peak RSS {:.0} MB ({:.1} KB/pod) [{}]",
        pods as f64 / seconds,
        rss_kb as f64 / 1024.0,
        rss_kb as f64 / pods as f64,
        kind.shape(),
    );
    Ok(())
}

fn main() -> ExitCode {
    if let Ok(job) = std::env::var(CHILD_ENV) {
        let (kind, pods) = job.split_once(':').unwrap_or_default();
        let kind = if kind == "loop" {
            Kind::Loop
        } else {
            Kind::Sleep
        };
        let Ok(pods) = pods.parse() else {
            eprintln!("error: bad size {pods:?}");
            return ExitCode::FAILURE;
        };
        return match run_one(kind, pods) {
            Ok(m) => {
                println!("{} {}", m.seconds, m.peak_rss_kb);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }

    let mut quick = false;
    let mut jobs: Vec<(Kind, usize)> = Vec::new();
    let mut kind = Kind::Sleep;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "--sleep" => kind = Kind::Sleep,
            "--loop" => kind = Kind::Loop,
            n => match n.replace([',', '_'], "").parse() {
                Ok(n) => jobs.push((kind, n)),
                Err(_) => {
                    eprintln!("usage: bench_pods [--quick] [--sleep N...] [--loop N...]");
                    return ExitCode::FAILURE;
                }
            },
        }
    }
    if jobs.is_empty() {
        jobs = if quick {
            vec![
                (Kind::Sleep, 1_000),
                (Kind::Sleep, 4_000),
                (Kind::Loop, 1_000),
            ]
        } else {
            [Kind::Sleep, Kind::Loop]
                .into_iter()
                .flat_map(|k| [1_000, 4_000, 16_000].map(|n| (k, n)))
                .collect()
        };
    }
    for (kind, pods) in jobs {
        if let Err(e) = measure(kind, pods) {
            eprintln!("error: {} pods ({}): {e}", pods, kind.name());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
