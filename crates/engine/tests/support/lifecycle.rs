//! Shared by the `lifecycle_*` scenario tests (each includes it with `#[path]`): a scenario is
//! applied at t=0 and run with the scripted runtime; the trace is read back as a "story" (Events,
//! `kubectl get pods -w` rows, logs, execs) and container statuses are printed compactly.
#![allow(dead_code)]

use expect_test::Expect;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use podplay_engine::api::parse;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{Config, UserAction};
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::sim::{Simulation, Step};
use podplay_engine::time::Time;
use podplay_engine::view::{format_table, pod_row};

pub type Sim = Simulation<ScriptedRuntime>;

/// A simulation with `yaml` applied at t=0.
pub fn sim(yaml: &str, runtime: ScriptedRuntime) -> Sim {
    let mut sim = Simulation::new(Config::default(), runtime);
    sim.schedule(vec![Step {
        at: Time::ZERO,
        action: UserAction::Apply(parse(yaml).expect("test manifests parse")),
    }]);
    sim
}

pub fn at(s: u64, action: UserAction) -> Step {
    Step {
        at: Time::from_secs(s),
        action,
    }
}

pub fn delete(name: &str, grace: Option<i64>) -> UserAction {
    UserAction::Delete {
        namespace: "default".into(),
        name: name.into(),
        grace_period_s: grace,
    }
}

pub fn force_delete(name: &str) -> UserAction {
    UserAction::ForceDelete {
        namespace: "default".into(),
        name: name.into(),
    }
}

/// The `kubectl get pods` row of `pod` at `t`: NAME READY STATUS RESTARTS (no age).
pub fn row(pod: &Pod, t: Time, clock: podplay_engine::time::Clock) -> String {
    let table = format_table(&[pod_row(pod, clock.timestamp(t))], false);
    let line = table.lines().nth(1).unwrap_or_default().to_string();
    let cols: Vec<&str> = line.split_whitespace().collect();
    // RESTARTS may read "1 (5s ago)": keep it whole, drop the AGE.
    let end = cols.len().saturating_sub(1).max(4);
    cols[..end.min(cols.len())].join(" ")
}

/// The trace as a reader follows it: Events (with their count once it grows), and the pod's
/// `kubectl get pods -w` row each time the row changes.
pub fn story(sim: &Sim) -> String {
    story_of(sim.trace(), sim.engine.clock())
}

pub fn story_of(trace: &[Record], clock: podplay_engine::time::Clock) -> String {
    let mut out = String::new();
    let mut last_rows: std::collections::BTreeMap<String, String> = Default::default();
    for r in trace {
        match r {
            Record::Event { t, event } => {
                let count = if event.count > 1 {
                    format!(" (x{})", event.count)
                } else {
                    String::new()
                };
                out.push_str(&format!(
                    "{:<8} {:<7} {:<10} {}{count}\n",
                    t.to_string(),
                    event.type_,
                    event.reason,
                    event.message
                ));
            }
            Record::Pod { t, pod } => {
                let name = pod.metadata.name.clone().unwrap_or_default();
                let row = row(&pod.to_pod(), *t, clock);
                if last_rows.get(&name) != Some(&row) {
                    out.push_str(&format!("{:<8} pod     {row}\n", t.to_string()));
                    last_rows.insert(name, row);
                }
            }
            Record::PodDeleted { t, name, .. } => {
                out.push_str(&format!("{:<8} deleted {name}\n", t.to_string()))
            }
            Record::Log {
                t, container, line, ..
            } => out.push_str(&format!(
                "{:<8} log     {container}: {line}\n",
                t.to_string()
            )),
            Record::Exec {
                t,
                container,
                exit_code,
                output,
                ..
            } => out.push_str(&format!(
                "{:<8} exec    {container} -> {exit_code} {output:?}\n",
                t.to_string()
            )),
        }
    }
    out
}

pub fn run<R: podplay_engine::runtime::Runtime>(sim: &mut Simulation<R>, until_s: u64) {
    sim.run_until(Time::from_secs(until_s))
        .expect("the run stays within its step budget");
}

pub fn check(sim: &mut Sim, until_s: u64, expected: Expect) {
    run(sim, until_s);
    expected.assert_eq(&story(sim));
}

/// The newest published version of pod `name` (also after it left the API).
pub fn last_pod(sim: &Sim, name: &str) -> Pod {
    sim.trace()
        .iter()
        .rev()
        .find_map(|r| match r {
            Record::Pod { pod, .. } if pod.metadata.name.as_deref() == Some(name) => {
                Some(pod.to_pod())
            }
            _ => None,
        })
        .expect("the pod was published")
}

/// Phase, reason, conditions and every container status, one line each.
pub fn status(pod: &Pod) -> String {
    let s = pod.status.clone().unwrap_or_default();
    let mut out = format!(
        "phase={} reason={} message={}\n",
        s.phase.unwrap_or_default(),
        s.reason.unwrap_or_default(),
        s.message.unwrap_or_default()
    );
    for c in s.conditions.iter().flatten() {
        out.push_str(&format!(
            "  {}={} {}{}\n",
            c.type_,
            c.status,
            c.reason.clone().unwrap_or_default(),
            c.message
                .as_ref()
                .map(|m| format!(" ({m})"))
                .unwrap_or_default()
        ));
    }
    for (list, statuses) in [
        ("init", s.init_container_statuses.unwrap_or_default()),
        ("app", s.container_statuses.unwrap_or_default()),
    ] {
        for c in statuses {
            out.push_str(&format!("  {list} {}\n", container_line(&c)));
        }
    }
    out
}

pub fn container_line(c: &ContainerStatus) -> String {
    let state = |s: &Option<k8s_openapi::api::core::v1::ContainerState>| -> String {
        let Some(s) = s else { return "-".into() };
        if s.running.is_some() {
            "running".into()
        } else if let Some(w) = &s.waiting {
            format!(
                "waiting {}{}",
                w.reason.clone().unwrap_or_default(),
                w.message
                    .as_ref()
                    .map(|m| format!(" {m:?}"))
                    .unwrap_or_default()
            )
        } else if let Some(t) = &s.terminated {
            format!(
                "terminated {} {}{}",
                t.exit_code,
                t.reason.clone().unwrap_or_default(),
                t.message
                    .as_ref()
                    .map(|m| format!(" {m:?}"))
                    .unwrap_or_default()
            )
        } else {
            "-".into()
        }
    };
    format!(
        "{}: {} | last: {} | restarts={} ready={} started={}",
        c.name,
        state(&c.state),
        state(&c.last_state),
        c.restart_count,
        c.ready,
        c.started.unwrap_or(false)
    )
}

/// The scripted runtime, keeping every command the engine sends it (to read the sandbox's and
/// each container's configuration).
pub struct Recording {
    pub inner: ScriptedRuntime,
    pub commands: Vec<(Time, podplay_engine::runtime::RuntimeCommand)>,
}

impl podplay_engine::runtime::Runtime for Recording {
    fn submit(
        &mut self,
        now: Time,
        op: podplay_engine::runtime::OpId,
        command: podplay_engine::runtime::RuntimeCommand,
    ) {
        self.commands.push((now, command.clone()));
        self.inner.submit(now, op, command);
    }

    fn poll(&mut self, now: Time) -> Option<(Time, podplay_engine::runtime::RuntimeResult)> {
        self.inner.poll(now)
    }

    fn next_ready(&self) -> Option<Time> {
        self.inner.next_ready()
    }
}

/// A simulation over a [`Recording`] runtime with `yaml` applied at t=0.
pub fn recorded_sim(yaml: &str) -> Simulation<Recording> {
    let runtime = Recording {
        inner: ScriptedRuntime::default(),
        commands: Vec::new(),
    };
    let mut sim = Simulation::new(Config::default(), runtime);
    sim.schedule(vec![Step {
        at: Time::ZERO,
        action: UserAction::Apply(parse(yaml).expect("test manifests parse")),
    }]);
    sim
}

/// The configuration of every `CreateContainer` the runtime was given, by container name, in
/// order.
pub fn container_configs(
    sim: &Simulation<Recording>,
) -> Vec<(String, podplay_engine::runtime::ContainerConfig)> {
    sim.runtime
        .commands
        .iter()
        .filter_map(|(_, c)| match c {
            podplay_engine::runtime::RuntimeCommand::CreateContainer {
                container, config, ..
            } => Some((container.name.clone(), (**config).clone())),
            _ => None,
        })
        .collect()
}

/// The hostname and configuration of every `RunPodSandbox` the runtime was given, with its time.
pub fn sandbox_configs(
    sim: &Simulation<Recording>,
) -> Vec<(Time, String, podplay_engine::runtime::SandboxConfig)> {
    sim.runtime
        .commands
        .iter()
        .filter_map(|(t, c)| match c {
            podplay_engine::runtime::RuntimeCommand::RunPodSandbox {
                hostname, config, ..
            } => Some((*t, hostname.clone(), (**config).clone())),
            _ => None,
        })
        .collect()
}
