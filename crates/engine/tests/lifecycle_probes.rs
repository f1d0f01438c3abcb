//! Probes (pkg/kubelet/prober: `worker.doProbe` for the timing and thresholds, `prober.probe`
//! for the Unhealthy events): startup gates the others; liveness and startup failures kill
//! and restart the container; readiness drives ContainersReady and Ready only.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::time::Time;
use support::*;

/// The kubernetes.io exec liveness example (tasks/configure-pod-container).
const LIVENESS_EXEC: &str = "
apiVersion: v1
kind: Pod
metadata: {name: liveness-exec, labels: {test: liveness}}
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args: [/bin/sh, -c, 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600']
    livenessProbe:
      exec: {command: [cat, /tmp/healthy]}
      initialDelaySeconds: 5
      periodSeconds: 5
";

#[test]
fn the_exec_liveness_example_fails_three_times_then_restarts_the_container() {
    // `cat /tmp/healthy` fails once the file is gone, 30 s after the container started.
    let rt = ScriptedRuntime::default().script_exec(
        "liveness",
        Time::from_millis(31_500),
        1,
        "cat: can't open '/tmp/healthy': No such file or directory\n",
    );
    let mut s = sim(LIVENESS_EXEC, rt);
    check(
        &mut s,
        84,
        expect![[r#"
        0s       pod     liveness-exec 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/liveness-exec to node-1
        0s       pod     liveness-exec 0/1 ContainerCreating 0
        0.802s   Normal  Pulling    Pulling image "registry.k8s.io/busybox:1.27.2"
        2.202s   Normal  Pulled     Successfully pulled image "registry.k8s.io/busybox:1.27.2" in 1.4s (1.4s including waiting). Image size: 30000000 bytes.
        2.262s   Normal  Created    Created container: liveness
        2.342s   Normal  Started    Started container liveness
        2.342s   pod     liveness-exec 1/1 Running 0
        35.02s   Warning Unhealthy  Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory

        40.02s   Warning Unhealthy  Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory
         (x2)
        45.02s   Warning Unhealthy  Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory
         (x3)
        45.02s   Normal  Killing    Container liveness failed liveness probe, will be restarted
        75.02s   pod     liveness-exec 0/1 Error 0
        75.022s  Normal  Pulled     Container image "registry.k8s.io/busybox:1.27.2" already present on machine
        75.082s  Normal  Created    Created container: liveness (x2)
        75.162s  Normal  Started    Started container liveness (x2)
        75.162s  pod     liveness-exec 1/1 Running 1 (0s ago)
    "#]],
    );
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=True 
          ContainersReady=True 
          PodScheduled=True 
          app liveness: running | last: terminated 137 Error | restarts=1 ready=true started=true
    "#]]
    .assert_eq(&status(&last_pod(&s, "liveness-exec")));
}

#[test]
fn readiness_drives_containers_ready_and_ready_only() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: ready}
spec:
  containers:
  - name: app
    image: 'nginx:1.27'
    readinessProbe:
      httpGet: {path: /healthz, port: http}
      periodSeconds: 3
      successThreshold: 2
      failureThreshold: 2
    ports: [{name: http, containerPort: 8080}]
";
    let rt = ScriptedRuntime::default().script_exec("app", Time::from_secs(20), 1, "");
    let mut s = sim(yaml, rt);
    run(&mut s, 12);
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=True 
          ContainersReady=True 
          PodScheduled=True 
          app app: running | last: - | restarts=0 ready=true started=true
    "#]]
    .assert_eq(&status(&last_pod(&s, "ready")));
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     ready 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/ready to node-1
        0s       pod     ready 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     ready 0/1 Running 0
        6.005s   pod     ready 1/1 Running 0
        21.005s  Warning Unhealthy  Readiness probe failed: HTTP probe failed with statuscode: 500
        24.005s  Warning Unhealthy  Readiness probe failed: HTTP probe failed with statuscode: 500 (x2)
        24.005s  pod     ready 0/1 Running 0
        27.005s  Warning Unhealthy  Readiness probe failed: HTTP probe failed with statuscode: 500 (x3)
    "#]],
    );
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          app app: running | last: - | restarts=0 ready=false started=true
    "#]]
    .assert_eq(&status(&last_pod(&s, "ready")));
}

#[test]
fn a_failing_startup_probe_kills_the_container_with_the_probes_grace_period() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  containers:
  - name: app
    image: 'nginx:1.27'
    startupProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 2
      failureThreshold: 3
      terminationGracePeriodSeconds: 4
    livenessProbe:
      grpc: {port: 9090}
";
    let rt = ScriptedRuntime::default().script_exec("app", Time::ZERO, 1, "");
    let mut s = sim(yaml, rt);
    check(
        &mut s,
        12,
        expect![[r#"
        0s       pod     slow 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/slow to node-1
        0s       pod     slow 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     slow 0/1 Running 0
        2.005s   Warning Unhealthy  Startup probe failed: dial tcp 10.244.0.4:8080: connect: connection refused
        4.005s   Warning Unhealthy  Startup probe failed: dial tcp 10.244.0.4:8080: connect: connection refused (x2)
        6.005s   Warning Unhealthy  Startup probe failed: dial tcp 10.244.0.4:8080: connect: connection refused (x3)
        6.005s   Normal  Killing    Container app failed startup probe, will be restarted
        6.055s   pod     slow 0/1 Completed 0
        6.057s   Normal  Pulled     Container image "nginx:1.27" already present on machine (x2)
        6.117s   Normal  Created    Created container: app (x2)
        6.197s   Normal  Started    Started container app (x2)
        6.197s   pod     slow 0/1 Running 1 (0s ago)
        8.005s   Warning Unhealthy  Startup probe failed: dial tcp 10.244.0.4:8080: connect: connection refused (x4)
        10.005s  Warning Unhealthy  Startup probe failed: dial tcp 10.244.0.4:8080: connect: connection refused (x5)
    "#]],
    );
}

#[test]
fn probes_with_zero_periods_and_unknown_named_ports_neither_panic_nor_spin() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: odd}
spec:
  containers:
  - name: app
    image: 'nginx:1.27'
    readinessProbe:
      tcpSocket: {port: nowhere}
      periodSeconds: 0
      timeoutSeconds: 0
      failureThreshold: 0
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        25,
        expect![[r#"
        0s       pod     odd 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/odd to node-1
        0s       pod     odd 0/1 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: app
        0.942s   Normal  Started    Started container app
        0.942s   pod     odd 0/1 Running 0
        10.005s  Warning Unhealthy  Readiness probe failed: dial tcp 10.244.0.4:0: connect: connection refused
        20.005s  Warning Unhealthy  Readiness probe failed: dial tcp 10.244.0.4:0: connect: connection refused (x2)
    "#]],
    );
}
