//! Init containers and native sidecars (`computePodActions` with
//! `computeInitContainerActions`, pkg/kubelet/kuberuntime/kuberuntime_manager.go): one init
//! container at a time, in order; a failing one is retried per the restart policy; sidecars
//! (`restartPolicy: Always`) start in order, each waiting for the previous to have started, keep
//! running, and stop after the main containers, in reverse order.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::time::Time;
use support::*;

#[test]
fn init_containers_run_one_at_a_time_before_the_app() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  initContainers:
  - {name: first, image: busybox, command: [sh, -c, 'echo one; sleep 2']}
  - {name: second, image: busybox, command: [sh, -c, 'echo two; sleep 3']}
  containers:
  - {name: app, image: 'nginx:1.27'}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        20,
        expect![[r#"
        0s       pod     init 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/init to node-1
        0s       pod     init 0/1 Init:0/2 0
        0.8s     Normal  Pulling    Pulling image "busybox"
        1.08s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
        1.14s    Normal  Created    Created container: first
        1.22s    Normal  Started    Started container first
        1.22s    log     first: one
        4s       Normal  Pulling    Pulling image "busybox"
        4s       pod     init 0/1 Init:1/2 0
        4.28s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
        4.34s    Normal  Created    Created container: second
        4.42s    Normal  Started    Started container second
        4.42s    log     second: two
        8s       pod     init 0/1 PodInitializing 0
        8.002s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        8.062s   Normal  Created    Created container: app
        8.142s   Normal  Started    Started container app
        8.142s   pod     init 1/1 Running 0
    "#]],
    );
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=True 
          ContainersReady=True 
          PodScheduled=True 
          init first: terminated 0 Completed | last: - | restarts=0 ready=true started=false
          init second: terminated 0 Completed | last: - | restarts=0 ready=true started=false
          app app: running | last: - | restarts=0 ready=true started=true
    "#]]
    .assert_eq(&status(&last_pod(&s, "init")));
}

#[test]
fn a_failing_init_container_with_restart_policy_never_fails_the_pod() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: init-fail}
spec:
  restartPolicy: Never
  initContainers:
  - {name: setup, image: busybox, command: [sh, -c, 'echo no database; exit 3']}
  containers:
  - {name: app, image: 'nginx:1.27'}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        20,
        expect![[r#"
        0s       pod     init-fail 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/init-fail to node-1
        0s       pod     init-fail 0/1 Init:0/1 0
        0.8s     Normal  Pulling    Pulling image "busybox"
        1.08s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
        1.14s    Normal  Created    Created container: setup
        1.22s    Normal  Started    Started container setup
        1.22s    log     setup: no database
        2s       pod     init-fail 0/1 Init:Error 0
    "#]],
    );
    expect![[r#"
        phase=Failed reason= message=
          PodReadyToStartContainers=False PodSandboxNotReady
          Initialized=False ContainersNotInitialized (containers with incomplete status: [setup])
          Ready=False PodFailed
          ContainersReady=False PodFailed
          PodScheduled=True 
          init setup: terminated 3 Error | last: - | restarts=0 ready=false started=false
          app app: waiting PodInitializing | last: - | restarts=0 ready=false started=false
    "#]]
    .assert_eq(&status(&last_pod(&s, "init-fail")));
}

#[test]
fn a_failing_init_container_with_restart_policy_always_is_retried_with_back_off() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: init-retry}
spec:
  initContainers:
  - {name: setup, image: busybox, command: [sh, -c, 'sleep 1; exit 1']}
  containers:
  - {name: app, image: 'nginx:1.27'}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        40,
        expect![[r#"
        0s       pod     init-retry 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/init-retry to node-1
        0s       pod     init-retry 0/1 Init:0/1 0
        0.8s     Normal  Pulling    Pulling image "busybox"
        1.08s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
        1.14s    Normal  Created    Created container: setup
        1.22s    Normal  Started    Started container setup
        3s       Normal  Pulling    Pulling image "busybox" (x2)
        3s       pod     init-retry 0/1 Init:Error 0
        3.28s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes. (x2)
        3.34s    Normal  Created    Created container: setup (x2)
        3.42s    Normal  Started    Started container setup (x2)
        3.42s    pod     init-retry 0/1 Init:0/1 1 (1s ago)
        5s       Warning BackOff    Back-off restarting failed container setup in pod init-retry_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        5s       pod     init-retry 0/1 Init:CrashLoopBackOff 1 (1s ago)
        18.993s  Normal  Pulling    Pulling image "busybox" (x3)
        19.273s  Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes. (x3)
        19.333s  Normal  Created    Created container: setup (x3)
        19.413s  Normal  Started    Started container setup (x3)
        19.413s  pod     init-retry 0/1 Init:0/1 2 (15s ago)
        21s      Warning BackOff    Back-off restarting failed container setup in pod init-retry_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        21s      pod     init-retry 0/1 Init:CrashLoopBackOff 2 (1s ago)
    "#]],
    );
    expect![[r#"
        phase=Pending reason= message=
          PodReadyToStartContainers=True 
          Initialized=False ContainersNotInitialized (containers with incomplete status: [setup])
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          init setup: waiting CrashLoopBackOff "back-off 20s restarting failed container=setup pod=init-retry_default(910a2dec-8902-4cc1-beeb-8da1658eec67)" | last: terminated 1 Error | restarts=2 ready=false started=false
          app app: waiting PodInitializing | last: - | restarts=0 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "init-retry")));
}

#[test]
fn sidecars_start_in_order_keep_running_and_stop_after_the_app_in_reverse_order() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: mesh}
spec:
  terminationGracePeriodSeconds: 10
  initContainers:
  - name: proxy
    image: 'nginx:1.27'
    restartPolicy: Always
    startupProbe:
      tcpSocket: {port: 15000}
      periodSeconds: 2
  - {name: logger, image: 'nginx:1.27', restartPolicy: Always}
  containers:
  - {name: app, image: 'nginx:1.27'}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    s.schedule(vec![at(20, delete("mesh", None))]);
    run(&mut s, 15);
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=True 
          ContainersReady=True 
          PodScheduled=True 
          init proxy: running | last: - | restarts=0 ready=true started=true
          init logger: running | last: - | restarts=0 ready=true started=true
          app app: running | last: - | restarts=0 ready=true started=true
    "#]]
    .assert_eq(&status(&last_pod(&s, "mesh")));
    check(
        &mut s,
        60,
        expect![[r#"
        0s       pod     mesh 0/3 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/mesh to node-1
        0s       pod     mesh 0/3 Init:0/2 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: proxy
        0.942s   Normal  Started    Started container proxy
        2.005s   pod     mesh 1/3 Init:1/2 0
        2.007s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        2.067s   Normal  Created    Created container: logger
        2.147s   Normal  Started    Started container logger
        2.147s   pod     mesh 2/3 PodInitializing 0
        2.149s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        2.209s   Normal  Created    Created container: app
        2.289s   Normal  Started    Started container app
        2.289s   pod     mesh 3/3 Running 0
        20s      pod     mesh 3/3 Terminating 0
        20s      Normal  Killing    Stopping container app
        20s      Normal  Killing    Stopping container logger
        20s      Normal  Killing    Stopping container proxy
        20.05s   pod     mesh 2/3 Terminating 0
        20.1s    pod     mesh 1/3 Terminating 0
        20.15s   pod     mesh 0/3 Completed 0
        20.25s   deleted mesh
    "#]],
    );
}

#[test]
fn a_job_like_pod_with_a_sidecar_completes_when_its_main_container_does() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: job}
spec:
  restartPolicy: Never
  initContainers:
  - {name: proxy, image: 'nginx:1.27', restartPolicy: Always}
  containers:
  - {name: main, image: busybox, command: [sh, -c, 'echo working; sleep 5']}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     job 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/job to node-1
        0s       pod     job 0/2 Init:0/1 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: proxy
        0.942s   Normal  Started    Started container proxy
        0.942s   Normal  Pulling    Pulling image "busybox"
        0.942s   pod     job 1/2 PodInitializing 0
        1.222s   Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2200000 bytes.
        1.282s   Normal  Created    Created container: main
        1.362s   Normal  Started    Started container main
        1.362s   pod     job 2/2 Running 0
        1.362s   log     main: working
        7s       Normal  Killing    Stopping container proxy
        7s       pod     job 1/2 Completed 0
        7.05s    pod     job 0/2 Completed 0
    "#]],
    );
    expect![[r#"
        phase=Succeeded reason= message=
          PodReadyToStartContainers=False PodSandboxNotReady
          Initialized=True PodCompleted
          Ready=False PodCompleted
          ContainersReady=False PodCompleted
          PodScheduled=True 
          init proxy: terminated 0 Completed | last: - | restarts=0 ready=false started=false
          app main: terminated 0 Completed | last: - | restarts=0 ready=false started=false
    "#]]
    .assert_eq(&status(&last_pod(&s, "job")));
    let _ = Time::ZERO;
}
