//! Scenario in, trace out: the lifecycle engine driven by the scripted runtime in virtual time.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::time::Time;
use support::*;

fn delete_at(s: u64, name: &str, grace: Option<i64>) -> podplay_engine::sim::Step {
    at(s, delete(name, grace))
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
            0s       pod     web 0/1 Pending 0
            0s       Normal  Scheduled  Successfully assigned default/web to node-1
            0s       pod     web 0/1 ContainerCreating 0
            0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
            0.862s   Normal  Created    Created container: app
            0.942s   Normal  Started    Started container app
            0.942s   pod     web 1/1 Running 0
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
            0s       pod     web 0/1 Pending 0
            0s       Normal  Scheduled  Successfully assigned default/web to node-1
            0s       pod     web 0/1 ContainerCreating 0
            0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
            0.862s   Normal  Created    Created container: app
            0.942s   Normal  Started    Started container app
            0.942s   pod     web 1/1 Running 0
            10s      pod     web 1/1 Terminating 0
            10s      Normal  Killing    Stopping container app
            10.05s   pod     web 0/1 Completed 0
            10.15s   deleted web
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
            0s       pod     sleeper 0/1 Pending 0
            0s       Normal  Scheduled  Successfully assigned default/sleeper to node-1
            0s       pod     sleeper 0/1 ContainerCreating 0
            0.8s     Normal  Pulling    Pulling image "busybox"
            1.08s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            1.14s    Normal  Created    Created container: app
            1.22s    Normal  Started    Started container app
            1.22s    pod     sleeper 1/1 Running 0
            10s      pod     sleeper 1/1 Terminating 0
            10s      Normal  Killing    Stopping container app
            15s      pod     sleeper 0/1 Error 0
            15.1s    deleted sleeper
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
            0s       pod     crash 0/1 Pending 0
            0s       Normal  Scheduled  Successfully assigned default/crash to node-1
            0s       pod     crash 0/1 ContainerCreating 0
            0.8s     Normal  Pulling    Pulling image "busybox"
            1.08s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
            1.14s    Normal  Created    Created container: app
            1.22s    Normal  Started    Started container app
            1.22s    pod     crash 1/1 Running 0
            1.22s    log     app: starting
            4s       Normal  Pulling    Pulling image "busybox" (x2)
            4s       pod     crash 0/1 Error 0
            4.28s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes. (x2)
            4.34s    Normal  Created    Created container: app (x2)
            4.42s    Normal  Started    Started container app (x2)
            4.42s    pod     crash 1/1 Running 1 (1s ago)
            4.42s    log     app: starting
            7s       Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
            7s       pod     crash 0/1 CrashLoopBackOff 1 (1s ago)
            20.993s  Normal  Pulling    Pulling image "busybox" (x3)
            21.273s  Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes. (x3)
            21.333s  Normal  Created    Created container: app (x3)
            21.413s  Normal  Started    Started container app (x3)
            21.413s  pod     crash 1/1 Running 2 (15s ago)
            21.413s  log     app: starting
            24s      Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
            24s      pod     crash 0/1 CrashLoopBackOff 2 (1s ago)
            47.726s  Normal  Pulling    Pulling image "busybox" (x4)
            48.006s  Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes. (x4)
            48.066s  Normal  Created    Created container: app (x4)
            48.146s  Normal  Started    Started container app (x4)
            48.146s  pod     crash 1/1 Running 3 (25s ago)
            48.146s  log     app: starting
            51s      Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x3)
            51s      pod     crash 0/1 CrashLoopBackOff 3 (1s ago)
            98.841s  Normal  Pulling    Pulling image "busybox" (x5)
            99.121s  Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes. (x5)
            99.181s  Normal  Created    Created container: app (x5)
            99.261s  Normal  Started    Started container app (x5)
            99.261s  pod     crash 1/1 Running 4 (49s ago)
            99.261s  log     app: starting
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
