//! Restart policy and CrashLoopBackOff (`computePodActions`, `doBackOff`; kubelet.go's
//! crash-loop back-off: 10 s doubling to 300 s, reset after ten minutes of running), restart
//! counts, and pods that finish: Succeeded / Failed with their kubectl rows.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use support::*;

#[test]
fn a_crashing_container_restarts_at_once_then_backs_off_10s_20s_40s() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'echo starting; sleep 2; exit 1']}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    check(
        &mut s,
        100,
        expect![[r#"
        0s       pod     crash 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/crash to node-1
        0s       pod     crash 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     crash 1/1 Running 0
        0.942s   log     app: starting
        3s       pod     crash 0/1 Error 0
        3.002s   Normal  Pulled     Container image "busybox:1.36" already present on machine (x2)
        3.062s   Normal  Created    Created container: app (x2)
        3.142s   Normal  Started    Started container app (x2)
        3.142s   pod     crash 1/1 Running 1 (1s ago)
        3.142s   log     app: starting
        6s       Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        6s       pod     crash 0/1 CrashLoopBackOff 1 (1s ago)
        19.582s  Normal  Pulled     Container image "busybox:1.36" already present on machine (x3)
        19.642s  Normal  Created    Created container: app (x3)
        19.722s  Normal  Started    Started container app (x3)
        19.722s  pod     crash 1/1 Running 2 (14s ago)
        19.722s  log     app: starting
        22s      Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        22s      pod     crash 0/1 CrashLoopBackOff 2 (1s ago)
        46.105s  Normal  Pulled     Container image "busybox:1.36" already present on machine (x4)
        46.165s  Normal  Created    Created container: app (x4)
        46.245s  Normal  Started    Started container app (x4)
        46.245s  pod     crash 1/1 Running 3 (25s ago)
        46.245s  log     app: starting
        49s      Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x3)
        49s      pod     crash 0/1 CrashLoopBackOff 3 (1s ago)
        96.964s  Normal  Pulled     Container image "busybox:1.36" already present on machine (x5)
        97.024s  Normal  Created    Created container: app (x5)
        97.104s  Normal  Started    Started container app (x5)
        97.104s  pod     crash 1/1 Running 4 (49s ago)
        97.104s  log     app: starting
        100s     Warning BackOff    Back-off restarting failed container app in pod crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x4)
        100s     pod     crash 0/1 CrashLoopBackOff 4 (1s ago)
    "#]],
    );
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          app app: waiting CrashLoopBackOff "back-off 1m20s restarting failed container=app pod=crash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)" | last: terminated 1 Error | restarts=4 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "crash")));
}

#[test]
fn the_back_off_reaches_five_minutes_and_stays_there() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'exit 2']}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    run(&mut s, 1500);
    let waits: Vec<String> = s
        .trace()
        .iter()
        .filter_map(|r| match r {
            podplay_engine::lifecycle::trace::Record::Pod { pod, .. } => pod
                .status
                .as_ref()?
                .container_statuses
                .as_ref()?
                .first()?
                .state
                .as_ref()?
                .waiting
                .as_ref()?
                .message
                .clone(),
            _ => None,
        })
        .filter_map(|m| m.split_whitespace().nth(1).map(str::to_string))
        .collect::<Vec<_>>();
    let mut distinct = waits.clone();
    distinct.dedup();
    assert_eq!(distinct, ["10s", "20s", "40s", "1m20s", "2m40s", "5m0s"]);
}

#[test]
fn a_container_that_ran_ten_minutes_restarts_without_waiting() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: long}
spec:
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'sleep 3600']}
";
    let kill = || podplay_engine::lifecycle::UserAction::KillContainer {
        namespace: "default".into(),
        name: "long".into(),
        container: "app".into(),
    };
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    // Killed at 5 s (restarts at once), at 8 s (backs off 10 s), then after 11 minutes of
    // running (restarts at once again: the back-off has reset).
    s.schedule(vec![at(5, kill()), at(8, kill()), at(700, kill())]);
    run(&mut s, 710);
    let story = story(&s)
        .lines()
        .filter(|l| l.contains("Started") || l.contains("BackOff") || l.contains(" pod "))
        .collect::<Vec<_>>()
        .join("\n");
    expect![[r#"
        0s       pod     long 0/1 Pending 0
        0s       pod     long 0/1 ContainerCreating 0
        0.942s   Normal  Started    Started container app
        0.942s   pod     long 1/1 Running 0
        5s       pod     long 0/1 Error 0
        5.142s   Normal  Started    Started container app (x2)
        5.142s   pod     long 1/1 Running 1 (0s ago)
        8s       Warning BackOff    Back-off restarting failed container app in pod long_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        8s       pod     long 0/1 CrashLoopBackOff 1 (0s ago)
        22.997s  Normal  Started    Started container app (x3)
        22.997s  pod     long 1/1 Running 2 (14s ago)
        700s     pod     long 0/1 Error 2 (11m ago)
        700.142s Normal  Started    Started container app (x4)
        700.142s pod     long 1/1 Running 3 (0s ago)"#]].assert_eq(&story);
}

#[test]
fn restart_policy_never_and_on_failure_pods_end_succeeded_or_failed() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'echo done; exit 0']}
---
apiVersion: v1
kind: Pod
metadata: {name: broken}
spec:
  restartPolicy: Never
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'sleep 1; exit 4']}
---
apiVersion: v1
kind: Pod
metadata: {name: retry}
spec:
  restartPolicy: OnFailure
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'sleep 1; exit 4']}
  - {name: ok, image: 'busybox:1.36', command: [sh, -c, 'sleep 1']}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    run(&mut s, 20);
    let clock = s.engine.clock();
    let rows: Vec<String> = ["once", "broken", "retry"]
        .iter()
        .map(|n| {
            row(
                &last_pod(&s, n),
                podplay_engine::time::Time::from_secs(20),
                clock,
            )
        })
        .collect();
    expect![[r#"
        once 0/1 Completed 0
        broken 0/1 Error 0
        retry 0/2 CrashLoopBackOff 2 (2s ago)"#]]
    .assert_eq(&rows.join("\n"));
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app ok])
          ContainersReady=False ContainersNotReady (containers with unready status: [app ok])
          PodScheduled=True 
          app app: waiting CrashLoopBackOff "back-off 20s restarting failed container=app pod=retry_default(71bb54d8-d101-45b9-834d-0bff90150280)" | last: terminated 4 Error | restarts=2 ready=false started=false
          app ok: terminated 0 Completed | last: - | restarts=0 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "retry")));
}

#[test]
fn container_level_restart_policy_overrides_the_pods() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: rules}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: 'busybox:1.36'
    command: [sh, -c, 'sleep 1; exit 42']
    restartPolicy: Never
    restartPolicyRules:
    - action: Restart
      exitCodes: {operator: In, values: [42]}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    check(
        &mut s,
        8,
        expect![[r#"
        0s       pod     rules 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/rules to node-1
        0s       pod     rules 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     rules 1/1 Running 0
        2s       pod     rules 0/1 Error 0
        2.002s   Normal  Pulled     Container image "busybox:1.36" already present on machine (x2)
        2.062s   Normal  Created    Created container: app (x2)
        2.142s   Normal  Started    Started container app (x2)
        2.142s   pod     rules 1/1 Running 1 (1s ago)
        4s       Warning BackOff    Back-off restarting failed container app in pod rules_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        4s       pod     rules 0/1 CrashLoopBackOff 1 (1s ago)
    "#]],
    );
}
