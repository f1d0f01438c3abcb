//! How long until all containers of the two-container pod are Running on Docker, with podplay
//! (the engine's kubelet driving the Docker backend) and with a plain `docker` command sequence
//! doing the same (a sandbox container, then the two containers joined to it, sharing a host
//! directory), side by side. `scripts/bench-docker` runs it; the goal is podplay at most 1.2x
//! the plain sequence.
//!
//! Usage: `bench_running [ROUNDS]` (default 10), with DOCKER_HOST naming the engine.
//!
//! podplay's figure is the run's own clock: from the start of the run to the first pod
//! snapshot in which every container is running (the moment `kubectl get pods -w` would show
//! 2/2 Running). The plain sequence's figure is the wall time of its commands.

use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use podplay_docker::runtime::connect_docker;
use podplay_docker::{DockerRuntime, Options, RealTime};
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::Config;
use podplay_engine::scenario::Scenario;
use podplay_engine::time::Time;

const POD: &str = include_str!("../bench/two-container-pod.yaml");

fn main() -> ExitCode {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(bench(rounds)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn bench(rounds: usize) -> Result<(), String> {
    let docker = connect_docker().await.map_err(|e| e.to_string())?;
    let scenario = Scenario::parse(POD).map_err(|e| e.to_string())?;
    let mut podplay = Vec::new();
    let mut plain = Vec::new();
    // One warm-up round each, not counted: the first container start pays for caches.
    for round in 0..=rounds {
        let p = podplay_round(&docker, &scenario).await?;
        let d = plain_round()?;
        if round > 0 {
            podplay.push(p);
            plain.push(d);
        }
    }
    let (p, d) = (median(&mut podplay), median(&mut plain));
    println!(
        "all containers Running, median of {rounds} rounds: podplay {} ms, plain docker CLI sequence {} ms: {:.2}x",
        p.as_millis(),
        d.as_millis(),
        p.as_secs_f64() / d.as_secs_f64()
    );
    Ok(())
}

async fn podplay_round(docker: &bollard::Docker, scenario: &Scenario) -> Result<Duration, String> {
    let runtime = DockerRuntime::with_docker(docker.clone(), Options::default())
        .map_err(|e| e.to_string())?;
    let mut driver = RealTime::of_scenario(scenario, Config::default(), runtime);
    let mut running = None;
    let mut end = Time::ZERO;
    while running.is_none() && end < Time::from_secs(30) {
        end = end.plus_millis(20);
        driver
            .run_until(end, std::future::pending())
            .await
            .map_err(|e| e.to_string())?;
        running = driver.trace().iter().find_map(all_running);
    }
    driver.runtime.cleanup().await?;
    running
        .map(|t| Duration::from_millis(t.as_millis()))
        .ok_or_else(|| "the pod did not reach Running within 30 s".to_string())
}

/// The time of a pod snapshot in which every container is running.
fn all_running(r: &Record) -> Option<Time> {
    let Record::Pod { t, pod } = r else {
        return None;
    };
    let statuses = pod.status.as_ref()?.container_statuses.as_ref()?;
    let all = !statuses.is_empty()
        && statuses
            .iter()
            .all(|s| s.state.as_ref().is_some_and(|st| st.running.is_some()));
    all.then_some(*t)
}

fn docker_cli() -> &'static str {
    if std::path::Path::new("/usr/bin/docker").exists() {
        "/usr/bin/docker"
    } else {
        "docker"
    }
}

fn docker(args: &[&str]) -> Result<String, String> {
    let out = Command::new(docker_cli())
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("docker: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The same pod by hand: a sandbox on `--network none`, then both containers in its network
/// and IPC namespaces with the shared directory mounted.
fn plain_round() -> Result<Duration, String> {
    let dir = std::env::temp_dir().join(format!("podplay-bench-{}", std::process::id()));
    let html = dir.join("html");
    let label = "dev.podplay.bench=1";
    let start = Instant::now();
    std::fs::create_dir_all(&html).map_err(|e| e.to_string())?;
    let sandbox = docker(&[
        "run",
        "-d",
        "--label",
        label,
        "--network",
        "none",
        "--ipc",
        "shareable",
        "--hostname",
        "web",
        "busybox:1.36",
        "sleep",
        "3600",
    ])?;
    let join_net = format!("container:{sandbox}");
    let mount_nginx = format!("{}:/usr/share/nginx/html", html.display());
    let mount_helper = format!("{}:/pod-data", html.display());
    docker(&[
        "run",
        "-d",
        "--label",
        label,
        "--network",
        &join_net,
        "--ipc",
        &join_net,
        "-v",
        &mount_nginx,
        "busybox:1.36",
        "httpd",
        "-f",
        "-p",
        "80",
        "-h",
        "/usr/share/nginx/html",
    ])?;
    docker(&[
        "run",
        "-d",
        "--label",
        label,
        "--network",
        &join_net,
        "--ipc",
        &join_net,
        "-v",
        &mount_helper,
        "busybox:1.36",
        "sh",
        "-c",
        "while true; do echo hi > /pod-data/index.html; sleep 5; done",
    ])?;
    let took = start.elapsed();
    let ids = docker(&["ps", "-aq", "--filter", &format!("label={label}")])?;
    let mut rm = vec!["rm", "-f"];
    rm.extend(ids.lines());
    docker(&rm)?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(took)
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}
