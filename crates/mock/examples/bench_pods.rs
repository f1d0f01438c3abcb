//! N pods on the mock runtime, natively: how long a whole run takes and how much memory it
//! holds, at several sizes, so that what grows faster than the number of pods shows. The workload
//! is `podplay_mock::workload`'s: N busybox pods (`sleep 3600`, or a shell loop `while true; do
//! sleep 1; done`), applied at t=0, deleted at 30 s, the run going on to 120 s, the path `podplay
//! run` takes without reading a file. The browser's benchmark (`tests/bench_pods.rs` at the
//! root) runs the same workload.
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

use podplay_mock::workload::{Kind, Workload};

/// The child process's one argument: `sleep:N` or `loop:N`.
const CHILD_ENV: &str = "PODPLAY_BENCH_PODS_CHILD";

/// What one size measured.
struct Measured {
    seconds: f64,
    peak_rss_kb: u64,
}

/// Runs `pods` pods of `kind` in this process; checks that each one ran and left.
fn run_one(kind: Kind, pods: usize) -> Result<Measured, String> {
    let workload = Workload { kind, pods };
    let manifests = workload.manifests();
    let start = Instant::now();
    let sim = workload.run(manifests)?;
    let seconds = start.elapsed().as_secs_f64();
    workload.check(&sim)?;
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
