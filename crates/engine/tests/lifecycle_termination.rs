//! Termination (`killContainer`, `executePreStopHook`, pod_workers' terminating phase): the
//! grace period from the delete, else the spec, else 30 s; preStop consumes it; SIGKILL when it
//! runs out (never under 2 s); force delete; activeDeadlineSeconds; termination messages; OOM.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use support::*;

#[test]
fn a_pre_stop_hook_uses_up_the_grace_period_before_the_stop_signal() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: drain}
spec:
  terminationGracePeriodSeconds: 15
  containers:
  - name: app
    image: 'busybox:1.36'
    command: [sh, -c, 'sleep 3600']
    lifecycle:
      preStop:
        sleep: {seconds: 10}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    // sh as PID 1 ignores SIGTERM: SIGKILL comes 5 s after the 10 s hook (137).
    s.schedule(vec![at(10, delete("drain", None))]);
    check(
        &mut s,
        60,
        expect![[r#"
        0s       pod     drain 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/drain to node-1
        0s       pod     drain 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     drain 1/1 Running 0
        10s      pod     drain 1/1 Terminating 0
        10s      Normal  Killing    Stopping container app
        25s      pod     drain 0/1 Error 0
        25.1s    deleted drain
    "#]],
    );
    expect![[r#"
        phase=Failed reason= message=
          PodReadyToStartContainers=False PodSandboxNotReady
          Initialized=True 
          Ready=False PodFailed
          ContainersReady=False PodFailed
          PodScheduled=True 
          app app: terminated 137 Error | last: - | restarts=0 ready=false started=false
    "#]]
    .assert_eq(&status(&last_pod(&s, "drain")));
}

#[test]
fn the_delete_grace_period_wins_and_a_stop_never_gets_under_two_seconds() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: quick}
spec:
  terminationGracePeriodSeconds: 60
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'sleep 3600']}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    s.schedule(vec![at(5, delete("quick", Some(1)))]);
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     quick 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/quick to node-1
        0s       pod     quick 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     quick 1/1 Running 0
        5s       pod     quick 1/1 Terminating 0
        5s       Normal  Killing    Stopping container app
        7s       pod     quick 0/1 Error 0
        7.1s     deleted quick
    "#]],
    );
}

#[test]
fn a_trapped_sigterm_exits_with_the_handlers_code() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: trap}
spec:
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, \"trap 'exit 143' TERM; while true; do sleep 1; done\"]}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    s.schedule(vec![at(5, delete("trap", None))]);
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     trap 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/trap to node-1
        0s       pod     trap 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     trap 1/1 Running 0
        5s       pod     trap 1/1 Terminating 0
        5s       Normal  Killing    Stopping container app
        5.05s    pod     trap 0/1 Error 0
        5.15s    deleted trap
    "#]],
    );
}

#[test]
fn a_force_delete_removes_the_object_at_once_while_the_kubelet_still_stops_it() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: gone}
spec:
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'sleep 3600']}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    s.schedule(vec![at(5, force_delete("gone"))]);
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     gone 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/gone to node-1
        0s       pod     gone 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     gone 1/1 Running 0
        5s       deleted gone
        5s       Normal  Killing    Stopping container app
    "#]],
    );
    assert_eq!(s.engine.pods().count(), 0);
}

#[test]
fn active_deadline_seconds_fails_the_pod_with_deadline_exceeded() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: deadline}
spec:
  activeDeadlineSeconds: 10
  containers:
  - {name: app, image: 'nginx:1.27'}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     deadline 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/deadline to node-1
        0s       pod     deadline 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     deadline 1/1 Running 0
        10s      Normal  DeadlineExceeded Pod was active on the node longer than the specified deadline
        10s      Normal  Killing    Stopping container app
        10s      pod     deadline 1/1 DeadlineExceeded 0
        10.05s   pod     deadline 0/1 Completed 0
    "#]],
    );
    expect![[r#"
        phase=Failed reason=DeadlineExceeded message=Pod was active on the node longer than the specified deadline
          PodReadyToStartContainers=False PodSandboxNotReady
          Initialized=True 
          Ready=False PodFailed
          ContainersReady=False PodFailed
          PodScheduled=True 
          app app: terminated 0 Completed | last: - | restarts=0 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "deadline")));
}

#[test]
fn termination_messages_come_from_the_file_or_from_the_logs_on_error() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: messages}
spec:
  restartPolicy: Never
  containers:
  - {name: file, image: 'busybox:1.36', command: [sh, -c, 'echo bye > /dev/termination-log; exit 0']}
  - name: logs
    image: 'busybox:1.36'
    command: [sh, -c, 'echo first; echo last words; exit 3']
    terminationMessagePolicy: FallbackToLogsOnError
  - {name: oom, image: 'busybox:1.36', command: [sh, -c, 'stress --vm 1 --vm-bytes 512M']}
";
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    run(&mut s, 10);
    expect![[r#"
        phase=Failed reason= message=
          PodReadyToStartContainers=False PodSandboxNotReady
          Initialized=True 
          Ready=False PodFailed
          ContainersReady=False PodFailed
          PodScheduled=True 
          app file: terminated 0 Completed "bye" | last: - | restarts=0 ready=false started=false
          app logs: terminated 3 Error "first\nlast words\n" | last: - | restarts=0 ready=false started=false
          app oom: terminated 137 OOMKilled | last: - | restarts=0 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "messages")));
}
