//! The Docker backend against a real Docker engine: pods as a kubelet runs them, checked through
//! the engine's trace, and nothing left behind after each run (no container with the run's
//! label, no run directory), including a run stopped by SIGINT.
//!
//! Needs an engine at DOCKER_HOST with a local `busybox:1.36`: `scripts/test` starts one
//! (`scripts/docker-engine start`) and runs this binary with
//! `cargo test -p podplay-docker --features docker-tests --test docker`. Without an engine every
//! test fails, saying so.

use std::path::PathBuf;

use podplay_docker::conformance::{normalize, Normalized};
use podplay_docker::runtime::{connect_docker, containers_labelled};
use podplay_docker::session::{run_scenario, Finished, RunError};
use podplay_docker::{Ended, Options};
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::Config;
use podplay_engine::scenario::Scenario;
use podplay_engine::time::Time;

/// A state directory of the test's own, so its leftovers are its own.
fn state_dir(test: &str) -> PathBuf {
    std::env::temp_dir().join(format!("podplay-docker-test-{}-{test}", std::process::id()))
}

async fn run_with(
    test: &str,
    yaml: &str,
    secs: u64,
    interrupt: impl std::future::Future<Output = ()>,
) -> (Finished, Normalized) {
    let docker = connect_docker().await.unwrap_or_else(|e| {
        panic!("these tests need a Docker engine (scripts/docker-engine start): {e}")
    });
    let scenario = Scenario::parse(yaml).expect("the test's scenario parses");
    let state = state_dir(test);
    let options = Options {
        allow_host_access: false,
        state_dir: state.clone(),
    };
    let finished = run_scenario(
        &scenario,
        Config::default(),
        options,
        Time::from_secs(secs),
        interrupt,
    )
    .await
    .unwrap_or_else(|e| panic!("the run failed: {e}"));
    // Nothing left: no container with the run's label, no run directory.
    assert_eq!(finished.cleanup, Ok(()));
    let label = format!("{}={}", podplay_docker::names::RUN_LABEL, finished.run_id);
    let left = containers_labelled(&docker, &label)
        .await
        .expect("the engine lists containers");
    assert_eq!(left, Vec::<String>::new(), "containers left by {test}");
    assert!(
        !state.join(&finished.run_id).exists(),
        "{test} left its run directory"
    );
    let _ = std::fs::remove_dir_all(&state);
    let normalized = normalize(&finished.trace);
    (finished, normalized)
}

async fn run(test: &str, yaml: &str, secs: u64) -> (Finished, Normalized) {
    run_with(test, yaml, secs, std::future::pending()).await
}

/// The container's state changes, as the comparison reads them.
fn states(n: &Normalized, key: &str) -> Vec<String> {
    n.states
        .get(key)
        .map(|s| s.iter().map(|t| t.value.clone()).collect())
        .unwrap_or_default()
}

fn phases(n: &Normalized, pod: &str) -> Vec<String> {
    n.phases
        .get(pod)
        .map(|s| s.iter().map(|t| t.value.clone()).collect())
        .unwrap_or_default()
}

fn logs(n: &Normalized, key: &str) -> Vec<String> {
    n.logs.get(key).cloned().unwrap_or_default()
}

/// When the container first reached a state starting with `prefix`.
fn first(n: &Normalized, key: &str, prefix: &str) -> Time {
    n.states
        .get(key)
        .and_then(|s| s.iter().find(|t| t.value.starts_with(prefix)))
        .map(|t| t.t)
        .unwrap_or_else(|| panic!("{key} never was {prefix}: {:?}", states(n, key)))
}

#[tokio::test]
async fn a_sidecar_and_the_main_container_share_an_empty_dir() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: shared}
spec:
  restartPolicy: Never
  volumes:
  - {name: data, emptyDir: {}}
  initContainers:
  - name: writer
    image: busybox:1.36
    restartPolicy: Always
    command: ["sh", "-c", "echo ping > /data/msg; trap 'exit 0' TERM; while true; do sleep 1; done"]
    volumeMounts: [{name: data, mountPath: /data}]
  containers:
  - name: reader
    image: busybox:1.36
    command: ["sh", "-c", "until [ -f /data/msg ]; do sleep 0.2; done; cat /data/msg"]
    volumeMounts: [{name: data, mountPath: /data}]
"#;
    let (f, n) = run("sidecar", yaml, 60).await;
    assert!(matches!(f.ended, Ended::Quiet(_)), "{:?}", f.ended);
    assert_eq!(logs(&n, "shared/reader"), ["ping"]);
    assert_eq!(
        phases(&n, "shared").last().map(String::as_str),
        Some("Succeeded")
    );
    let writer = states(&n, "shared/writer");
    assert_eq!(
        writer.last().map(String::as_str),
        Some("terminated Completed (exit 0), restarts 0"),
        "{writer:?}"
    );
}

#[tokio::test]
async fn two_containers_talk_over_localhost() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: talk}
spec:
  restartPolicy: Never
  containers:
  - name: server
    image: busybox:1.36
    command: ["sh", "-c", "echo pong | nc -l -p 8080"]
  - name: client
    image: busybox:1.36
    command: ["sh", "-c", "sleep 1; nc -w 3 127.0.0.1 8080 </dev/null"]
"#;
    let (f, n) = run("localhost", yaml, 60).await;
    assert!(matches!(f.ended, Ended::Quiet(_)), "{:?}", f.ended);
    assert_eq!(logs(&n, "talk/client"), ["pong"]);
    assert_eq!(
        states(&n, "talk/client").last().map(String::as_str),
        Some("terminated Completed (exit 0), restarts 0")
    );
}

#[tokio::test]
async fn init_containers_run_one_at_a_time_in_order() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: inits}
spec:
  restartPolicy: Never
  initContainers:
  - {name: first, image: busybox:1.36, command: ["sh", "-c", "echo first; sleep 1"]}
  - {name: second, image: busybox:1.36, command: ["sh", "-c", "echo second"]}
  containers:
  - {name: main, image: busybox:1.36, command: ["sh", "-c", "echo main"]}
"#;
    let (f, n) = run("inits", yaml, 60).await;
    let order: Vec<String> = f
        .trace
        .iter()
        .filter_map(|r| match r {
            Record::Log { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(order, ["first", "second", "main"]);
    assert!(
        first(&n, "inits/first", "terminated Completed") <= first(&n, "inits/second", "running")
    );
    assert!(
        first(&n, "inits/second", "terminated Completed") <= first(&n, "inits/main", "running")
    );
    assert_eq!(
        phases(&n, "inits").last().map(String::as_str),
        Some("Succeeded")
    );
}

#[tokio::test]
async fn a_trapped_term_exits_at_once_and_a_pid_1_that_ignores_it_is_killed_at_the_grace_period() {
    let yaml = r#"
apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata: {name: graceful}
spec:
  duration: 60s
  objects:
  - apiVersion: v1
    kind: Pod
    metadata: {name: graceful}
    spec:
      containers:
      - name: app
        image: busybox:1.36
        command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
      - name: stubborn
        image: busybox:1.36
        command: ["sleep", "3600"]
  steps:
  - at: 3s
    action: delete
    target: pod/graceful
    gracePeriodSeconds: 4
"#;
    let (f, n) = run("graceful", yaml, 60).await;
    assert!(matches!(f.ended, Ended::Quiet(_)), "{:?}", f.ended);
    assert!(f
        .trace
        .iter()
        .any(|r| matches!(r, Record::PodDeleted { name, .. } if name == "graceful")));
    let app = first(&n, "graceful/app", "terminated");
    let stubborn = first(&n, "graceful/stubborn", "terminated");
    assert_eq!(
        states(&n, "graceful/app").last().map(String::as_str),
        Some("terminated Completed (exit 0), restarts 0")
    );
    assert_eq!(
        states(&n, "graceful/stubborn").last().map(String::as_str),
        Some("terminated Error (exit 137), restarts 0")
    );
    // The trap answers within a second or two; SIGKILL comes when the 4 s run out.
    assert!(app < Time::from_secs(6), "app ended at {app}");
    assert!(
        stubborn >= Time::from_secs(7),
        "stubborn ended at {stubborn}"
    );
}

#[tokio::test]
async fn a_failing_liveness_exec_probe_restarts_the_container() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: live}
spec:
  # PID 1 sh ignores the SIGTERM of the kill: SIGKILL comes after this grace period.
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 3600"]
    livenessProbe:
      exec: {command: ["cat", "/tmp/healthy"]}
      initialDelaySeconds: 1
      periodSeconds: 1
      failureThreshold: 2
"#;
    let (f, n) = run("liveness", yaml, 20).await;
    assert!(matches!(f.ended, Ended::Deadline(_)), "{:?}", f.ended);
    let app = states(&n, "live/app");
    assert!(
        app.iter().any(|s| s == "running, restarts 1"),
        "no restart: {app:?}"
    );
    let unhealthy = f.engine.events().iter().any(|e| e.reason == "Unhealthy");
    assert!(unhealthy, "no Unhealthy event");
}

#[tokio::test]
async fn a_container_over_its_memory_limit_is_oom_killed() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: hungry}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "x=a; while true; do x=$x$x; done"]
    resources:
      limits: {memory: 16Mi}
"#;
    let (_, n) = run("oom", yaml, 60).await;
    assert_eq!(
        states(&n, "hungry/app").last().map(String::as_str),
        Some("terminated OOMKilled (exit 137), restarts 0")
    );
    assert_eq!(
        phases(&n, "hungry").last().map(String::as_str),
        Some("Failed")
    );
}

#[tokio::test]
async fn a_run_stopped_by_sigint_leaves_nothing_behind() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: forever}
spec:
  containers:
  - {name: app, image: busybox:1.36, command: ["sleep", "3600"]}
"#;
    // The handler is in place before the signal is sent, so SIGINT reaches the run, not the
    // test process's default action.
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .expect("SIGINT can be caught");
    let sender = std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_secs(4));
        let status = std::process::Command::new("kill")
            .args(["-INT", &std::process::id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    });
    let interrupt = async move {
        sigint.recv().await;
    };
    let (f, n) = run_with("sigint", yaml, 60, interrupt).await;
    sender.join().expect("the signal was sent");
    assert!(matches!(f.ended, Ended::Interrupted(_)), "{:?}", f.ended);
    assert_eq!(
        states(&n, "forever/app").last().map(String::as_str),
        Some("running, restarts 0")
    );
}

#[tokio::test]
async fn host_access_is_refused_before_anything_is_made() {
    let yaml = r#"
apiVersion: v1
kind: Pod
metadata: {name: host}
spec:
  hostNetwork: true
  containers:
  - {name: app, image: busybox:1.36}
"#;
    let scenario = Scenario::parse(yaml).expect("parses");
    let result = run_scenario(
        &scenario,
        Config::default(),
        Options {
            allow_host_access: false,
            state_dir: state_dir("host"),
        },
        Time::from_secs(5),
        std::future::pending(),
    )
    .await;
    let Err(RunError::HostAccess(found)) = result else {
        panic!("host access was not refused");
    };
    assert_eq!(found[0].field, "spec.hostNetwork");
    assert!(!state_dir("host").exists());
}

/// Corpus scenarios on which the mock runtime disagrees with Docker today, each with what the
/// mock gets wrong. The test fails when one of these starts to agree (remove it here) or when a
/// scenario not listed disagrees. Empty: every corpus scenario runs the same on both.
const EXPECTED_DIFFERENCES: &[(&str, &str)] = &[];

#[tokio::test]
async fn the_conformance_corpus_runs_the_same_on_the_mock_and_on_docker() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus directory is there")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let runs = files.iter().map(|path| async move {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
        let yaml = std::fs::read_to_string(path).expect("readable");
        let scenario = Scenario::parse(&yaml).expect("the corpus parses");
        let end = scenario.run_for().min(Time::from_secs(60));
        let mut sim = scenario.simulation(Config::default(), podplay_mock::MockRuntime::new(1));
        sim.run_until(end).expect("the mock run ends");
        let (_, docker) = run(
            &format!("conformance-{name}"),
            &yaml,
            end.as_millis() / 1000,
        )
        .await;
        let differences = podplay_docker::conformance::compare(
            &normalize(sim.trace()),
            &docker,
            podplay_docker::conformance::Tolerance::default(),
        );
        (name, differences)
    });
    let results = futures_util::future::join_all(runs).await;
    let mut report = Vec::new();
    for (name, differences) in &results {
        let expected = EXPECTED_DIFFERENCES.iter().any(|(n, _)| n == name);
        match (expected, differences.is_empty()) {
            (false, false) => report.push(format!(
                "{name}: the mock and Docker differ:\n    {}",
                differences.join("\n    ")
            )),
            (true, true) => report.push(format!(
                "{name}: agrees now; remove it from EXPECTED_DIFFERENCES"
            )),
            _ => {}
        }
    }
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}
