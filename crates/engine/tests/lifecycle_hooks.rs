//! Container lifecycle hooks (kuberuntime_container.go `startContainer`, `executePreStopHook`):
//! postStart runs before the next container starts; a failing postStart kills the container.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::time::Time;
use support::*;

#[test]
fn a_post_start_hook_holds_up_the_next_container() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: hooks}
spec:
  containers:
  - name: first
    image: 'nginx:1.27'
    lifecycle:
      postStart:
        sleep: {seconds: 5}
  - {name: second, image: 'nginx:1.27'}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        20,
        expect![[r#"
        0s       pod     hooks 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/hooks to node-1
        0s       pod     hooks 0/2 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: first
        0.942s   Normal  Started    Started container first
        0.942s   pod     hooks 1/2 ContainerCreating 0
        5.944s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        6.004s   Normal  Created    Created container: second
        6.084s   Normal  Started    Started container second
        6.084s   pod     hooks 2/2 Running 0
    "#]],
    );
}

#[test]
fn a_failing_post_start_hook_kills_the_container() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: bad-hook}
spec:
  containers:
  - name: app
    image: 'nginx:1.27'
    lifecycle:
      postStart:
        exec: {command: [sh, -c, 'exit 1']}
";
    let rt = ScriptedRuntime::default().script_exec("app", Time::ZERO, 1, "");
    let mut s = sim(yaml, rt);
    check(
        &mut s,
        40,
        expect![[r#"
        0s       pod     bad-hook 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/bad-hook to node-1
        0s       pod     bad-hook 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     bad-hook 1/1 Running 0
        0.962s   Warning FailedPostStartHook PostStartHook failed
        0.962s   Normal  Killing    FailedPostStartHook
        1.012s   pod     bad-hook 0/1 Completed 0
        1.014s   Normal  Pulled     Container image "nginx:1.27" already present on machine (x2)
        1.074s   Normal  Created    Created container: app (x2)
        1.154s   Normal  Started    Started container app (x2)
        1.154s   pod     bad-hook 1/1 Running 1 (0s ago)
        1.174s   Warning FailedPostStartHook PostStartHook failed (x2)
        1.174s   Normal  Killing    FailedPostStartHook (x2)
        1.224s   pod     bad-hook 0/1 Completed 1 (0s ago)
        2s       Warning BackOff    Back-off restarting failed container app in pod bad-hook_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        2s       pod     bad-hook 0/1 CrashLoopBackOff 1 (1s ago)
        2s       Warning BackOff    Back-off restarting failed container app in pod bad-hook_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        13.275s  Normal  Pulled     Container image "nginx:1.27" already present on machine (x3)
        13.335s  Normal  Created    Created container: app (x3)
        13.415s  Normal  Started    Started container app (x3)
        13.415s  pod     bad-hook 1/1 Running 2 (12s ago)
        13.435s  Warning FailedPostStartHook PostStartHook failed (x3)
        13.435s  Normal  Killing    FailedPostStartHook (x3)
        13.485s  pod     bad-hook 0/1 Completed 2 (12s ago)
        14s      Warning BackOff    Back-off restarting failed container app in pod bad-hook_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x3)
        14s      pod     bad-hook 0/1 CrashLoopBackOff 2 (1s ago)
        37.815s  Normal  Pulled     Container image "nginx:1.27" already present on machine (x4)
        37.875s  Normal  Created    Created container: app (x4)
        37.955s  Normal  Started    Started container app (x4)
        37.955s  pod     bad-hook 1/1 Running 3 (24s ago)
        37.975s  Warning FailedPostStartHook PostStartHook failed (x4)
        37.975s  Normal  Killing    FailedPostStartHook (x4)
        38.025s  pod     bad-hook 0/1 Completed 3 (25s ago)
        39s      Warning BackOff    Back-off restarting failed container app in pod bad-hook_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x4)
        39s      pod     bad-hook 0/1 CrashLoopBackOff 3 (1s ago)
    "#]],
    );
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          app app: waiting CrashLoopBackOff "back-off 40s restarting failed container=app pod=bad-hook_default(910a2dec-8902-4cc1-beeb-8da1658eec67)" | last: terminated 0 Completed | restarts=3 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "bad-hook")));
}
