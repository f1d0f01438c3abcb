//! Scenario in, trace out: the lifecycle engine driven by the scripted runtime in virtual time.

use expect_test::{expect, Expect};
use podplay_engine::api::parse;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{Config, UserAction};
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::sim::{Simulation, Step};
use podplay_engine::time::Time;
use podplay_engine::view::{format_table, pod_row};

fn sim(yaml: &str, runtime: ScriptedRuntime) -> Simulation<ScriptedRuntime> {
    let mut sim = Simulation::new(Config::default(), runtime);
    sim.schedule(vec![Step {
        at: Time::ZERO,
        action: UserAction::Apply(parse(yaml).unwrap()),
    }]);
    sim
}

fn delete_at(s: u64, name: &str, grace: Option<i64>) -> Step {
    Step {
        at: Time::from_secs(s),
        action: UserAction::Delete {
            namespace: "default".into(),
            name: name.into(),
            grace_period_s: grace,
        },
    }
}

/// The trace as a reader follows it: Events, and the pod's `kubectl get pods -w` row each time
/// the row changes.
fn story(sim: &Simulation<ScriptedRuntime>) -> String {
    let clock = sim.engine.clock();
    let mut out = String::new();
    let mut last_row = String::new();
    for r in sim.trace() {
        match r {
            Record::Event { t, event } => {
                out.push_str(&format!(
                    "{:<7} {:<7} {:<10} {}\n",
                    t.to_string(),
                    event.type_,
                    event.reason,
                    event.message
                ));
            }
            Record::Pod { t, pod } => {
                let table = format_table(&[pod_row(&pod.to_pod(), clock.timestamp(*t))], false);
                let row = table
                    .lines()
                    .nth(1)
                    .unwrap_or_default()
                    .split_whitespace()
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(" ");
                if row != last_row {
                    out.push_str(&format!("{:<7} pod     {row}\n", t.to_string()));
                    last_row = row;
                }
            }
            Record::PodDeleted { t, name, .. } => {
                out.push_str(&format!("{:<7} deleted {name}\n", t.to_string()))
            }
            Record::Log {
                t, container, line, ..
            } => out.push_str(&format!(
                "{:<7} log     {container}: {line}\n",
                t.to_string()
            )),
            Record::Exec {
                t,
                container,
                exit_code,
                ..
            } => out.push_str(&format!(
                "{:<7} exec    {container} -> {exit_code}\n",
                t.to_string()
            )),
        }
    }
    out
}

fn check(sim: &mut Simulation<ScriptedRuntime>, until_s: u64, expected: Expect) {
    sim.run_until(Time::from_secs(until_s)).unwrap();
    expected.assert_eq(&story(sim));
}

const WEB: &str = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: app, image: nginx:1.27}
";

#[test]
fn a_pod_is_scheduled_gets_a_sandbox_and_runs_its_container() {
    let mut s = sim(WEB, ScriptedRuntime::default());
    check(
        &mut s,
        30,
        expect![[r#"
            0s      pod     web 0/1 Pending 0
            0s      Normal  Scheduled  Successfully assigned default/web to node-1
            0s      pod     web 0/1 ContainerCreating 0
            0.802s  Normal  Pulled     Container image "nginx:1.27" already present on machine
            0.862s  Normal  Created    Created container: app
            0.942s  Normal  Started    Started container app
            0.942s  pod     web 1/1 Running 0
        "#]],
    );
}

#[test]
fn deleting_a_pod_stops_its_container_and_removes_the_object() {
    let mut s = sim(WEB, ScriptedRuntime::default());
    s.schedule(vec![delete_at(10, "web", None)]);
    check(
        &mut s,
        60,
        expect![[r#"
            0s      pod     web 0/1 Pending 0
            0s      Normal  Scheduled  Successfully assigned default/web to node-1
            0s      pod     web 0/1 ContainerCreating 0
            0.802s  Normal  Pulled     Container image "nginx:1.27" already present on machine
            0.862s  Normal  Created    Created container: app
            0.942s  Normal  Started    Started container app
            0.942s  pod     web 1/1 Running 0
            10s     pod     web 1/1 Terminating 0
            10s     Normal  Killing    Stopping container app
            10.05s  pod     web 0/1 Completed 0
            10.15s  deleted web
        "#]],
    );
}

#[test]
fn a_shell_as_pid_1_ignores_sigterm_and_is_killed_when_the_grace_period_ends() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'sleep 3600']}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    s.schedule(vec![delete_at(10, "sleeper", None)]);
    check(
        &mut s,
        60,
        expect![[r#"
            0s      pod     sleeper 0/1 Pending 0
            0s      Normal  Scheduled  Successfully assigned default/sleeper to node-1
            0s      pod     sleeper 0/1 ContainerCreating 0
            0.8s    Normal  Pulling    Pulling image "busybox"
            1.08s   Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            1.14s   Normal  Created    Created container: app
            1.22s   Normal  Started    Started container app
            1.22s   pod     sleeper 1/1 Running 0
            10s     pod     sleeper 1/1 Terminating 0
            10s     Normal  Killing    Stopping container app
            15s     pod     sleeper 0/1 Error 0
            15.1s   deleted sleeper
        "#]],
    );
}

#[test]
fn a_crashing_container_backs_off_10s_20s_40s() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: busybox, command: [sh, -c, 'echo starting; sleep 2; exit 1']}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        100,
        expect![[r#"
            0s      pod     crash 0/1 Pending 0
            0s      Normal  Scheduled  Successfully assigned default/crash to node-1
            0s      pod     crash 0/1 ContainerCreating 0
            0.8s    Normal  Pulling    Pulling image "busybox"
            1.08s   Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            1.14s   Normal  Created    Created container: app
            1.22s   Normal  Started    Started container app
            1.22s   pod     crash 1/1 Running 0
            1.22s   log     app: starting
            4s      Normal  Pulling    Pulling image "busybox"
            4s      pod     crash 0/1 Error 0
            4.28s   Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            4.34s   Normal  Created    Created container: app
            4.42s   Normal  Started    Started container app
            4.42s   pod     crash 1/1 Running 1
            4.42s   log     app: starting
            7s      Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
            7s      pod     crash 0/1 CrashLoopBackOff 1
            20.993s Normal  Pulling    Pulling image "busybox"
            21.273s Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            21.333s Normal  Created    Created container: app
            21.413s Normal  Started    Started container app
            21.413s pod     crash 1/1 Running 2
            21.413s log     app: starting
            24s     Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
            24s     pod     crash 0/1 CrashLoopBackOff 2
            47.726s Normal  Pulling    Pulling image "busybox"
            48.006s Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            48.066s Normal  Created    Created container: app
            48.146s Normal  Started    Started container app
            48.146s pod     crash 1/1 Running 3
            48.146s log     app: starting
            51s     Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
            51s     pod     crash 0/1 CrashLoopBackOff 3
            98.841s Normal  Pulling    Pulling image "busybox"
            99.121s Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            99.181s Normal  Created    Created container: app
            99.261s Normal  Started    Started container app
            99.261s pod     crash 1/1 Running 4
            99.261s log     app: starting
        "#]],
    );
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    let run = || {
        let mut s = sim(WEB, ScriptedRuntime::default());
        s.schedule(vec![delete_at(10, "web", Some(3))]);
        s.run_until(Time::from_secs(60)).unwrap();
        s.trace()
            .iter()
            .map(Record::to_json_line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(run(), run());
}
