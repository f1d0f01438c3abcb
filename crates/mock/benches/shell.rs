//! Shell commands interpreted per second, native: busybox ash's counting loop
//! `i=0; while [ $i -lt N ]; do i=$((i+1)); done` (two commands per iteration: the `[` test
//! and the assignment) run as a container's init by the harness, in virtual time, start to
//! exit (process start, fuel quanta and all).
//!
//! Measured with criterion (`thrpt` in commands/s), then with a plain timed run printed as one
//! quotable line. Run it with `cargo bench -p podplay-mock --bench shell`. Under `cargo test`
//! (no `--bench` argument) criterion runs each benchmark once and the timed run is skipped.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, SamplingMode, Throughput};
use podplay_mock::harness::Harness;

/// The loop of `iterations` rounds.
fn script(iterations: u64) -> String {
    format!("i=0; while [ $i -lt {iterations} ]; do i=$((i+1)); done; echo $i")
}

/// Runs the loop to its end and checks it counted.
fn run(iterations: u64) {
    let out = Harness::new().sh(&script(iterations));
    assert_eq!(out.code, Some(0));
    assert_eq!(out.out, vec![iterations.to_string()]);
    black_box(out);
}

fn commands(c: &mut Criterion) {
    let iterations = 10_000;
    let mut group = c.benchmark_group("shell");
    group
        .throughput(Throughput::Elements(2 * iterations))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("counting loop, commands", |b| b.iter(|| run(iterations)));
    group.finish();
}

fn timed_run(iterations: u64) {
    run(1000);
    let start = Instant::now();
    run(iterations);
    let secs = start.elapsed().as_secs_f64();
    let commands = 2 * iterations;
    println!(
        "{commands} shell commands ({iterations} iterations of a counting loop) in {secs:.3} s: {:.0} commands/s",
        commands as f64 / secs
    );
}

criterion_group!(benches, commands);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let timed = args.iter().any(|a| a == "--bench");
    benches();
    Criterion::default().configure_from_args().final_summary();
    if timed {
        timed_run(100_000);
    }
}
