//! The kubernetes.io examples, run by the lifecycle engine over the mock runtime, with the
//! outcomes the documentation describes. Each story lists the Events, the `kubectl get pods -w`
//! rows as they change, the containers' log lines and the execs, at their virtual times.

#[path = "../../engine/tests/support/lifecycle.rs"]
mod support;

use expect_test::{expect, Expect};
use k8s_openapi::api::core::v1::Pod;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::Config;
use podplay_engine::scenario::Scenario;
use podplay_engine::sim::Simulation;
use podplay_engine::time::Time;
use podplay_mock::MockRuntime;
use support::{status, story_of};

type Sim = Simulation<MockRuntime>;

fn scenario(name: &str) -> Scenario {
    let path = format!(
        "{}/../engine/scenarios/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("the example exists");
    Scenario::parse(&text).expect("the example parses")
}

fn simulate(s: &Scenario, until: Time) -> Sim {
    let mut sim = s.simulation(Config::default(), MockRuntime::new(1));
    sim.run_until(until)
        .expect("the run stays within its step budget");
    sim
}

fn run_example(name: &str) -> Sim {
    let s = scenario(name);
    let end = s.run_for();
    simulate(&s, end)
}

fn run_yaml(yaml: &str, seconds: u64) -> Sim {
    let s = Scenario::parse(yaml).expect("test manifests parse");
    simulate(&s, Time::from_secs(seconds))
}

fn story(sim: &Sim) -> String {
    story_of(sim.trace(), sim.engine.clock())
}

fn last_pod(sim: &Sim, name: &str) -> Pod {
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

fn check(sim: &Sim, expected: Expect) {
    expected.assert_eq(&story(sim));
}

#[test]
fn exec_liveness_fails_three_times_after_the_file_is_removed_and_restarts_the_container() {
    let sim = run_example("liveness-probe");
    check(
        &sim,
        expect![[r#"
        0s       pod     liveness-exec 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/liveness-exec to node-1
        0s       pod     liveness-exec 0/1 ContainerCreating 0
        0.802s   Normal  Pulling    Pulling image "registry.k8s.io/busybox:1.27.2"
        1.002s   Normal  Pulled     Successfully pulled image "registry.k8s.io/busybox:1.27.2" in 200ms (200ms including waiting). Image size: 760000 bytes.
        1.062s   Normal  Created    Created container: liveness
        1.142s   Normal  Started    Started container liveness
        1.142s   pod     liveness-exec 1/1 Running 0
        35s      Warning Unhealthy  Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory

        40s      Warning Unhealthy  Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory
         (x2)
        45s      Warning Unhealthy  Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory
         (x3)
        45s      Normal  Killing    Container liveness failed liveness probe, will be restarted
        75s      pod     liveness-exec 0/1 Error 0
        75.002s  Normal  Pulled     Container image "registry.k8s.io/busybox:1.27.2" already present on machine
        75.062s  Normal  Created    Created container: liveness (x2)
        75.142s  Normal  Started    Started container liveness (x2)
        75.142s  pod     liveness-exec 1/1 Running 1 (0s ago)
    "#]],
    );
    let pod = last_pod(&sim, "liveness-exec");
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=True 
          ContainersReady=True 
          PodScheduled=True 
          app liveness: running | last: terminated 137 Error | restarts=1 ready=true started=true
    "#]]
    .assert_eq(&status(&pod));
}

#[test]
fn the_poststart_handler_writes_a_message_that_exec_reads() {
    let sim = run_example("poststart-hook");
    check(
        &sim,
        expect![[r#"
        0s       pod     lifecycle-demo 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/lifecycle-demo to node-1
        0s       pod     lifecycle-demo 0/1 ContainerCreating 0
        0.8s     Normal  Pulling    Pulling image "nginx"
        3.36s    Normal  Pulled     Successfully pulled image "nginx" in 2.56s (2.56s including waiting). Image size: 59800000 bytes.
        3.42s    Normal  Created    Created container: lifecycle-demo-container
        3.5s     Normal  Started    Started container lifecycle-demo-container
        3.5s     pod     lifecycle-demo 1/1 Running 0
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        3.5s     log     lifecycle-demo-container: 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        3.5s     log     lifecycle-demo-container: 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        3.5s     log     lifecycle-demo-container: /docker-entrypoint.sh: Configuration complete; ready for start up
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: using the "epoll" event method
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: nginx/1.29.4
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: built by gcc 14.2.0 (Debian 14.2.0-19) 
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: OS: Linux 6.8.0-49-generic
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: start worker processes
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: start worker process 29
        3.5s     log     lifecycle-demo-container: 2026/01/01 00:00:03 [notice] 1#1: start worker process 30
        10s      exec    lifecycle-demo-container -> 0 "Hello from the postStart handler\n"
        20s      pod     lifecycle-demo 1/1 Terminating 0
        20s      Normal  Killing    Stopping container lifecycle-demo-container
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 29#29: gracefully shutting down
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 30#30: gracefully shutting down
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 29#29: exiting
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 29#29: exit
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 30#30: exiting
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 30#30: exit
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 1#1: signal 17 (SIGCHLD) received from 29
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 1#1: worker process 29 exited with code 0
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 1#1: worker process 30 exited with code 0
        20s      log     lifecycle-demo-container: 2026/01/01 00:00:20 [notice] 1#1: exit
        20s      pod     lifecycle-demo 0/1 Completed 0
        20.1s    deleted lifecycle-demo
    "#]],
    );
}

#[test]
fn nginx_serves_the_page_the_debian_container_wrote_into_the_shared_volume() {
    let sim = run_example("shared-volume");
    check(
        &sim,
        expect![[r#"
        0s       pod     two-containers 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/two-containers to node-1
        0s       pod     two-containers 0/2 ContainerCreating 0
        0.8s     Normal  Pulling    Pulling image "nginx"
        3.36s    Normal  Pulled     Successfully pulled image "nginx" in 2.56s (2.56s including waiting). Image size: 59800000 bytes.
        3.42s    Normal  Created    Created container: nginx-container
        3.5s     Normal  Started    Started container nginx-container
        3.5s     Normal  Pulling    Pulling image "debian"
        3.5s     pod     two-containers 1/2 ContainerCreating 0
        3.5s     log     nginx-container: /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        3.5s     log     nginx-container: /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        3.5s     log     nginx-container: /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        3.5s     log     nginx-container: 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        3.5s     log     nginx-container: 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        3.5s     log     nginx-container: /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        3.5s     log     nginx-container: /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        3.5s     log     nginx-container: /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        3.5s     log     nginx-container: /docker-entrypoint.sh: Configuration complete; ready for start up
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: using the "epoll" event method
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: nginx/1.29.4
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: built by gcc 14.2.0 (Debian 14.2.0-19) 
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: OS: Linux 6.8.0-49-generic
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: start worker processes
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: start worker process 29
        3.5s     log     nginx-container: 2026/01/01 00:00:03 [notice] 1#1: start worker process 30
        5.66s    Normal  Pulled     Successfully pulled image "debian" in 2.16s (2.16s including waiting). Image size: 49300000 bytes.
        5.72s    Normal  Created    Created container: debian-container
        5.8s     Normal  Started    Started container debian-container
        5.8s     pod     two-containers 2/2 Running 0
        6s       pod     two-containers 1/2 NotReady 0
        15s      log     nginx-container: 127.0.0.1 - - [01/Jan/2026:00:00:15 +0000] "GET / HTTP/1.1" 200 32 "-" "curl/7.88.1" "-"
        15s      exec    nginx-container -> 0 "Hello from the debian container\n"
    "#]],
    );
}

#[test]
fn the_termination_message_becomes_the_terminated_states_message() {
    let sim = run_example("termination-message");
    let pod = last_pod(&sim, "termination-demo");
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [termination-demo-container])
          ContainersReady=False ContainersNotReady (containers with unready status: [termination-demo-container])
          PodScheduled=True 
          app termination-demo-container: waiting CrashLoopBackOff "back-off 10s restarting failed container=termination-demo-container pod=termination-demo_default(910a2dec-8902-4cc1-beeb-8da1658eec67)" | last: terminated 0 Completed "Sleep expired\n" | restarts=1 ready=false started=false
    "#]].assert_eq(&status(&pod));
}

#[test]
fn stress_over_its_memory_limit_is_oom_killed_and_restarted() {
    let sim = run_example("oom-killed");
    check(
        &sim,
        expect![[r#"
        0s       pod     memory-demo-2 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/memory-demo-2 to node-1
        0s       pod     memory-demo-2 0/1 ContainerCreating 0
        0.8s     Normal  Pulling    Pulling image "polinux/stress"
        1.16s    Normal  Pulled     Successfully pulled image "polinux/stress" in 360ms (360ms including waiting). Image size: 4041495 bytes.
        1.22s    Normal  Created    Created container: memory-demo-2-ctr
        1.3s     Normal  Started    Started container memory-demo-2-ctr
        1.3s     pod     memory-demo-2 1/1 Running 0
        1.3s     log     memory-demo-2-ctr: stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd
        2s       Normal  Pulling    Pulling image "polinux/stress" (x2)
        2s       pod     memory-demo-2 0/1 OOMKilled 0
        2.36s    Normal  Pulled     Successfully pulled image "polinux/stress" in 360ms (360ms including waiting). Image size: 4041495 bytes. (x2)
        2.42s    Normal  Created    Created container: memory-demo-2-ctr (x2)
        2.5s     Normal  Started    Started container memory-demo-2-ctr (x2)
        2.5s     pod     memory-demo-2 1/1 Running 1 (1s ago)
        2.5s     log     memory-demo-2-ctr: stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd
        3s       Warning BackOff    Back-off restarting failed container memory-demo-2-ctr in pod memory-demo-2_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        3s       pod     memory-demo-2 0/1 CrashLoopBackOff 1 (1s ago)
        17.116s  Normal  Pulling    Pulling image "polinux/stress" (x3)
        17.476s  Normal  Pulled     Successfully pulled image "polinux/stress" in 360ms (360ms including waiting). Image size: 4041495 bytes. (x3)
        17.536s  Normal  Created    Created container: memory-demo-2-ctr (x3)
        17.616s  Normal  Started    Started container memory-demo-2-ctr (x3)
        17.616s  pod     memory-demo-2 1/1 Running 2 (15s ago)
        17.616s  log     memory-demo-2-ctr: stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd
        18s      Warning BackOff    Back-off restarting failed container memory-demo-2-ctr in pod memory-demo-2_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        18s      pod     memory-demo-2 0/1 CrashLoopBackOff 2 (1s ago)
        41.977s  Normal  Pulling    Pulling image "polinux/stress" (x4)
        42.337s  Normal  Pulled     Successfully pulled image "polinux/stress" in 360ms (360ms including waiting). Image size: 4041495 bytes. (x4)
        42.397s  Normal  Created    Created container: memory-demo-2-ctr (x4)
        42.477s  Normal  Started    Started container memory-demo-2-ctr (x4)
        42.477s  pod     memory-demo-2 1/1 Running 3 (25s ago)
        42.477s  log     memory-demo-2-ctr: stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd
        43s      Warning BackOff    Back-off restarting failed container memory-demo-2-ctr in pod memory-demo-2_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x3)
        43s      pod     memory-demo-2 0/1 CrashLoopBackOff 3 (1s ago)
    "#]],
    );
    let pod = last_pod(&sim, "memory-demo-2");
    expect![[r#"
        phase=Running reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [memory-demo-2-ctr])
          ContainersReady=False ContainersNotReady (containers with unready status: [memory-demo-2-ctr])
          PodScheduled=True 
          app memory-demo-2-ctr: waiting CrashLoopBackOff "back-off 40s restarting failed container=memory-demo-2-ctr pod=memory-demo-2_default(910a2dec-8902-4cc1-beeb-8da1658eec67)" | last: terminated 137 OOMKilled | restarts=3 ready=false started=false
    "#]].assert_eq(&status(&pod));
}

#[test]
fn false_exits_1_and_the_pod_backs_off_in_crash_loop() {
    let sim = run_yaml(
        "apiVersion: v1
kind: Pod
metadata: {name: fails}
spec:
  containers:
  - {name: app, image: busybox, command: ['false']}
",
        60,
    );
    check(
        &sim,
        expect![[r#"
        0s       pod     fails 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/fails to node-1
        0s       pod     fails 0/1 ContainerCreating 0
        0.8s     Normal  Pulling    Pulling image "busybox"
        1.08s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2222260 bytes.
        1.14s    Normal  Created    Created container: app
        1.22s    Normal  Started    Started container app
        1.22s    pod     fails 1/1 Running 0
        2s       Normal  Pulling    Pulling image "busybox" (x2)
        2s       pod     fails 0/1 Error 0
        2.28s    Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2222260 bytes. (x2)
        2.34s    Normal  Created    Created container: app (x2)
        2.42s    Normal  Started    Started container app (x2)
        2.42s    pod     fails 1/1 Running 1 (1s ago)
        3s       Warning BackOff    Back-off restarting failed container app in pod fails_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        3s       pod     fails 0/1 CrashLoopBackOff 1 (1s ago)
        16.993s  Normal  Pulling    Pulling image "busybox" (x3)
        17.273s  Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2222260 bytes. (x3)
        17.333s  Normal  Created    Created container: app (x3)
        17.413s  Normal  Started    Started container app (x3)
        17.413s  pod     fails 1/1 Running 2 (15s ago)
        18s      Warning BackOff    Back-off restarting failed container app in pod fails_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        18s      pod     fails 0/1 CrashLoopBackOff 2 (1s ago)
        41.726s  Normal  Pulling    Pulling image "busybox" (x4)
        42.006s  Normal  Pulled     Successfully pulled image "busybox" in 280ms (280ms including waiting). Image size: 2222260 bytes. (x4)
        42.066s  Normal  Created    Created container: app (x4)
        42.146s  Normal  Started    Started container app (x4)
        42.146s  pod     fails 1/1 Running 3 (25s ago)
        43s      Warning BackOff    Back-off restarting failed container app in pod fails_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x3)
        43s      pod     fails 0/1 CrashLoopBackOff 3 (1s ago)
    "#]],
    );
}

#[test]
fn an_emptydir_keeps_its_files_across_container_restarts() {
    let sim = run_example("emptydir-restart");
    check(
        &sim,
        expect![[r#"
        0s       pod     counter 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/counter to node-1
        0s       pod     counter 0/1 ContainerCreating 0
        0.802s   Normal  Pulling    Pulling image "busybox:1.36"
        1.082s   Normal  Pulled     Successfully pulled image "busybox:1.36" in 280ms (280ms including waiting). Image size: 2160406 bytes.
        1.142s   Normal  Created    Created container: app
        1.222s   Normal  Started    Started container app
        1.222s   pod     counter 1/1 Running 0
        1.222s   log     app: started at 00:00:01
        7s       pod     counter 0/1 Error 0
        7.002s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        7.062s   Normal  Created    Created container: app (x2)
        7.142s   Normal  Started    Started container app (x2)
        7.142s   pod     counter 1/1 Running 1 (1s ago)
        7.142s   log     app: started at 00:00:01
        7.142s   log     app: started at 00:00:07
        13s      Warning BackOff    Back-off restarting failed container app in pod counter_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        13s      pod     counter 0/1 CrashLoopBackOff 1 (1s ago)
        26.582s  Normal  Pulled     Container image "busybox:1.36" already present on machine (x2)
        26.642s  Normal  Created    Created container: app (x3)
        26.722s  Normal  Started    Started container app (x3)
        26.722s  pod     counter 1/1 Running 2 (14s ago)
        26.722s  log     app: started at 00:00:01
        26.722s  log     app: started at 00:00:07
        26.722s  log     app: started at 00:00:26
        32s      Warning BackOff    Back-off restarting failed container app in pod counter_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        32s      pod     counter 0/1 CrashLoopBackOff 2 (1s ago)
        56.105s  Normal  Pulled     Container image "busybox:1.36" already present on machine (x3)
        56.165s  Normal  Created    Created container: app (x4)
        56.245s  Normal  Started    Started container app (x4)
        56.245s  pod     counter 1/1 Running 3 (25s ago)
        56.245s  log     app: started at 00:00:01
        56.245s  log     app: started at 00:00:07
        56.245s  log     app: started at 00:00:26
        56.245s  log     app: started at 00:00:56
    "#]],
    );
}

#[test]
fn init_containers_wait_on_nslookup_while_the_services_do_not_exist() {
    let sim = run_example("init-services");
    check(
        &sim,
        expect![[r#"
        0s       pod     myapp-pod 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/myapp-pod to node-1
        0s       pod     myapp-pod 0/1 Init:0/2 0
        0.802s   Normal  Pulling    Pulling image "busybox:1.28"
        1.002s   Normal  Pulled     Successfully pulled image "busybox:1.28" in 200ms (200ms including waiting). Image size: 727869 bytes.
        1.062s   Normal  Created    Created container: init-myservice
        1.142s   Normal  Started    Started container init-myservice
        1.142s   log     init-myservice: Server:		10.96.0.10
        1.142s   log     init-myservice: Address:	10.96.0.10:53
        1.142s   log     init-myservice: 
        1.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        1.142s   log     init-myservice: 
        1.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        1.142s   log     init-myservice: 
        1.142s   log     init-myservice: waiting for myservice
        3.142s   log     init-myservice: Server:		10.96.0.10
        3.142s   log     init-myservice: Address:	10.96.0.10:53
        3.142s   log     init-myservice: 
        3.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        3.142s   log     init-myservice: 
        3.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        3.142s   log     init-myservice: 
        3.142s   log     init-myservice: waiting for myservice
        5.142s   log     init-myservice: Server:		10.96.0.10
        5.142s   log     init-myservice: Address:	10.96.0.10:53
        5.142s   log     init-myservice: 
        5.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        5.142s   log     init-myservice: 
        5.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        5.142s   log     init-myservice: 
        5.142s   log     init-myservice: waiting for myservice
        7.142s   log     init-myservice: Server:		10.96.0.10
        7.142s   log     init-myservice: Address:	10.96.0.10:53
        7.142s   log     init-myservice: 
        7.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        7.142s   log     init-myservice: 
        7.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        7.142s   log     init-myservice: 
        7.142s   log     init-myservice: waiting for myservice
        9.142s   log     init-myservice: Server:		10.96.0.10
        9.142s   log     init-myservice: Address:	10.96.0.10:53
        9.142s   log     init-myservice: 
        9.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        9.142s   log     init-myservice: 
        9.142s   log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        9.142s   log     init-myservice: 
        9.142s   log     init-myservice: waiting for myservice
        11.142s  log     init-myservice: Server:		10.96.0.10
        11.142s  log     init-myservice: Address:	10.96.0.10:53
        11.142s  log     init-myservice: 
        11.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        11.142s  log     init-myservice: 
        11.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        11.142s  log     init-myservice: 
        11.142s  log     init-myservice: waiting for myservice
        13.142s  log     init-myservice: Server:		10.96.0.10
        13.142s  log     init-myservice: Address:	10.96.0.10:53
        13.142s  log     init-myservice: 
        13.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        13.142s  log     init-myservice: 
        13.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        13.142s  log     init-myservice: 
        13.142s  log     init-myservice: waiting for myservice
        15.142s  log     init-myservice: Server:		10.96.0.10
        15.142s  log     init-myservice: Address:	10.96.0.10:53
        15.142s  log     init-myservice: 
        15.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        15.142s  log     init-myservice: 
        15.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        15.142s  log     init-myservice: 
        15.142s  log     init-myservice: waiting for myservice
        17.142s  log     init-myservice: Server:		10.96.0.10
        17.142s  log     init-myservice: Address:	10.96.0.10:53
        17.142s  log     init-myservice: 
        17.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        17.142s  log     init-myservice: 
        17.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        17.142s  log     init-myservice: 
        17.142s  log     init-myservice: waiting for myservice
        19.142s  log     init-myservice: Server:		10.96.0.10
        19.142s  log     init-myservice: Address:	10.96.0.10:53
        19.142s  log     init-myservice: 
        19.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        19.142s  log     init-myservice: 
        19.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        19.142s  log     init-myservice: 
        19.142s  log     init-myservice: waiting for myservice
        21.142s  log     init-myservice: Server:		10.96.0.10
        21.142s  log     init-myservice: Address:	10.96.0.10:53
        21.142s  log     init-myservice: 
        21.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        21.142s  log     init-myservice: 
        21.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        21.142s  log     init-myservice: 
        21.142s  log     init-myservice: waiting for myservice
        23.142s  log     init-myservice: Server:		10.96.0.10
        23.142s  log     init-myservice: Address:	10.96.0.10:53
        23.142s  log     init-myservice: 
        23.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        23.142s  log     init-myservice: 
        23.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        23.142s  log     init-myservice: 
        23.142s  log     init-myservice: waiting for myservice
        25.142s  log     init-myservice: Server:		10.96.0.10
        25.142s  log     init-myservice: Address:	10.96.0.10:53
        25.142s  log     init-myservice: 
        25.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        25.142s  log     init-myservice: 
        25.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        25.142s  log     init-myservice: 
        25.142s  log     init-myservice: waiting for myservice
        27.142s  log     init-myservice: Server:		10.96.0.10
        27.142s  log     init-myservice: Address:	10.96.0.10:53
        27.142s  log     init-myservice: 
        27.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        27.142s  log     init-myservice: 
        27.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        27.142s  log     init-myservice: 
        27.142s  log     init-myservice: waiting for myservice
        29.142s  log     init-myservice: Server:		10.96.0.10
        29.142s  log     init-myservice: Address:	10.96.0.10:53
        29.142s  log     init-myservice: 
        29.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        29.142s  log     init-myservice: 
        29.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        29.142s  log     init-myservice: 
        29.142s  log     init-myservice: waiting for myservice
        31.142s  log     init-myservice: Server:		10.96.0.10
        31.142s  log     init-myservice: Address:	10.96.0.10:53
        31.142s  log     init-myservice: 
        31.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        31.142s  log     init-myservice: 
        31.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        31.142s  log     init-myservice: 
        31.142s  log     init-myservice: waiting for myservice
        33.142s  log     init-myservice: Server:		10.96.0.10
        33.142s  log     init-myservice: Address:	10.96.0.10:53
        33.142s  log     init-myservice: 
        33.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        33.142s  log     init-myservice: 
        33.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        33.142s  log     init-myservice: 
        33.142s  log     init-myservice: waiting for myservice
        35.142s  log     init-myservice: Server:		10.96.0.10
        35.142s  log     init-myservice: Address:	10.96.0.10:53
        35.142s  log     init-myservice: 
        35.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        35.142s  log     init-myservice: 
        35.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        35.142s  log     init-myservice: 
        35.142s  log     init-myservice: waiting for myservice
        37.142s  log     init-myservice: Server:		10.96.0.10
        37.142s  log     init-myservice: Address:	10.96.0.10:53
        37.142s  log     init-myservice: 
        37.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        37.142s  log     init-myservice: 
        37.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        37.142s  log     init-myservice: 
        37.142s  log     init-myservice: waiting for myservice
        39.142s  log     init-myservice: Server:		10.96.0.10
        39.142s  log     init-myservice: Address:	10.96.0.10:53
        39.142s  log     init-myservice: 
        39.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        39.142s  log     init-myservice: 
        39.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        39.142s  log     init-myservice: 
        39.142s  log     init-myservice: waiting for myservice
        41.142s  log     init-myservice: Server:		10.96.0.10
        41.142s  log     init-myservice: Address:	10.96.0.10:53
        41.142s  log     init-myservice: 
        41.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        41.142s  log     init-myservice: 
        41.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        41.142s  log     init-myservice: 
        41.142s  log     init-myservice: waiting for myservice
        43.142s  log     init-myservice: Server:		10.96.0.10
        43.142s  log     init-myservice: Address:	10.96.0.10:53
        43.142s  log     init-myservice: 
        43.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        43.142s  log     init-myservice: 
        43.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        43.142s  log     init-myservice: 
        43.142s  log     init-myservice: waiting for myservice
        45.142s  log     init-myservice: Server:		10.96.0.10
        45.142s  log     init-myservice: Address:	10.96.0.10:53
        45.142s  log     init-myservice: 
        45.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        45.142s  log     init-myservice: 
        45.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        45.142s  log     init-myservice: 
        45.142s  log     init-myservice: waiting for myservice
        47.142s  log     init-myservice: Server:		10.96.0.10
        47.142s  log     init-myservice: Address:	10.96.0.10:53
        47.142s  log     init-myservice: 
        47.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        47.142s  log     init-myservice: 
        47.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        47.142s  log     init-myservice: 
        47.142s  log     init-myservice: waiting for myservice
        49.142s  log     init-myservice: Server:		10.96.0.10
        49.142s  log     init-myservice: Address:	10.96.0.10:53
        49.142s  log     init-myservice: 
        49.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        49.142s  log     init-myservice: 
        49.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        49.142s  log     init-myservice: 
        49.142s  log     init-myservice: waiting for myservice
        51.142s  log     init-myservice: Server:		10.96.0.10
        51.142s  log     init-myservice: Address:	10.96.0.10:53
        51.142s  log     init-myservice: 
        51.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        51.142s  log     init-myservice: 
        51.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        51.142s  log     init-myservice: 
        51.142s  log     init-myservice: waiting for myservice
        53.142s  log     init-myservice: Server:		10.96.0.10
        53.142s  log     init-myservice: Address:	10.96.0.10:53
        53.142s  log     init-myservice: 
        53.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        53.142s  log     init-myservice: 
        53.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        53.142s  log     init-myservice: 
        53.142s  log     init-myservice: waiting for myservice
        55.142s  log     init-myservice: Server:		10.96.0.10
        55.142s  log     init-myservice: Address:	10.96.0.10:53
        55.142s  log     init-myservice: 
        55.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        55.142s  log     init-myservice: 
        55.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        55.142s  log     init-myservice: 
        55.142s  log     init-myservice: waiting for myservice
        57.142s  log     init-myservice: Server:		10.96.0.10
        57.142s  log     init-myservice: Address:	10.96.0.10:53
        57.142s  log     init-myservice: 
        57.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        57.142s  log     init-myservice: 
        57.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        57.142s  log     init-myservice: 
        57.142s  log     init-myservice: waiting for myservice
        59.142s  log     init-myservice: Server:		10.96.0.10
        59.142s  log     init-myservice: Address:	10.96.0.10:53
        59.142s  log     init-myservice: 
        59.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        59.142s  log     init-myservice: 
        59.142s  log     init-myservice: ** server can't find myservice.default.svc.cluster.local: NXDOMAIN
        59.142s  log     init-myservice: 
        59.142s  log     init-myservice: waiting for myservice
    "#]],
    );
}

#[test]
fn two_nginx_containers_in_one_pod_collide_on_port_80() {
    let sim = run_yaml(
        "apiVersion: v1
kind: Pod
metadata: {name: clash}
spec:
  containers:
  - {name: first, image: nginx:1.27}
  - {name: second, image: nginx:1.27}
",
        30,
    );
    check(
        &sim,
        expect![[r#"
        0s       pod     clash 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/clash to node-1
        0s       pod     clash 0/2 ContainerCreating 0
        0.802s   Normal  Pulling    Pulling image "nginx:1.27"
        3.882s   Normal  Pulled     Successfully pulled image "nginx:1.27" in 3.08s (3.08s including waiting). Image size: 72406859 bytes.
        3.942s   Normal  Created    Created container: first
        4.022s   Normal  Started    Started container first
        4.022s   pod     clash 1/2 ContainerCreating 0
        4.022s   log     first: /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        4.022s   log     first: /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        4.022s   log     first: /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        4.022s   log     first: 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        4.022s   log     first: 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        4.022s   log     first: /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        4.022s   log     first: /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        4.022s   log     first: /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        4.022s   log     first: /docker-entrypoint.sh: Configuration complete; ready for start up
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: using the "epoll" event method
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: nginx/1.27.5
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) 
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: OS: Linux 6.8.0-49-generic
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: start worker processes
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: start worker process 29
        4.022s   log     first: 2026/01/01 00:00:04 [notice] 1#1: start worker process 30
        4.024s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        4.084s   Normal  Created    Created container: second
        4.164s   Normal  Started    Started container second
        4.164s   pod     clash 2/2 Running 0
        4.164s   log     second: /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        4.164s   log     second: /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        4.164s   log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        4.164s   log     second: 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        4.164s   log     second: 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        4.164s   log     second: /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        4.164s   log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        4.164s   log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        4.164s   log     second: /docker-entrypoint.sh: Configuration complete; ready for start up
        4.164s   log     second: 2026/01/01 00:00:04 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        4.164s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        4.164s   log     second: 2026/01/01 00:00:04 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        4.164s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        4.164s   log     second: 2026/01/01 00:00:04 [notice] 1#1: try again to bind() after 500ms
        4.664s   log     second: 2026/01/01 00:00:04 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        4.664s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        4.664s   log     second: 2026/01/01 00:00:04 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        4.664s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        4.664s   log     second: 2026/01/01 00:00:04 [notice] 1#1: try again to bind() after 500ms
        5.164s   log     second: 2026/01/01 00:00:05 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        5.164s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        5.164s   log     second: 2026/01/01 00:00:05 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        5.164s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        5.164s   log     second: 2026/01/01 00:00:05 [notice] 1#1: try again to bind() after 500ms
        5.664s   log     second: 2026/01/01 00:00:05 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        5.664s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        5.664s   log     second: 2026/01/01 00:00:05 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        5.664s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        5.664s   log     second: 2026/01/01 00:00:05 [notice] 1#1: try again to bind() after 500ms
        6.164s   log     second: 2026/01/01 00:00:06 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        6.164s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        6.164s   log     second: 2026/01/01 00:00:06 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        6.164s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        6.164s   log     second: 2026/01/01 00:00:06 [notice] 1#1: try again to bind() after 500ms
        6.664s   log     second: 2026/01/01 00:00:06 [emerg] 1#1: still could not bind()
        6.664s   log     second: nginx: [emerg] still could not bind()
        7s       pod     clash 1/2 Error 0
        7.002s   Normal  Pulled     Container image "nginx:1.27" already present on machine (x2)
        7.062s   Normal  Created    Created container: second (x2)
        7.142s   Normal  Started    Started container second (x2)
        7.142s   pod     clash 2/2 Running 1 (1s ago)
        7.142s   log     second: /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        7.142s   log     second: /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        7.142s   log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        7.142s   log     second: 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        7.142s   log     second: 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        7.142s   log     second: /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        7.142s   log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        7.142s   log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        7.142s   log     second: /docker-entrypoint.sh: Configuration complete; ready for start up
        7.142s   log     second: 2026/01/01 00:00:07 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        7.142s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        7.142s   log     second: 2026/01/01 00:00:07 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        7.142s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        7.142s   log     second: 2026/01/01 00:00:07 [notice] 1#1: try again to bind() after 500ms
        7.642s   log     second: 2026/01/01 00:00:07 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        7.642s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        7.642s   log     second: 2026/01/01 00:00:07 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        7.642s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        7.642s   log     second: 2026/01/01 00:00:07 [notice] 1#1: try again to bind() after 500ms
        8.142s   log     second: 2026/01/01 00:00:08 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        8.142s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        8.142s   log     second: 2026/01/01 00:00:08 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        8.142s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        8.142s   log     second: 2026/01/01 00:00:08 [notice] 1#1: try again to bind() after 500ms
        8.642s   log     second: 2026/01/01 00:00:08 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        8.642s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        8.642s   log     second: 2026/01/01 00:00:08 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        8.642s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        8.642s   log     second: 2026/01/01 00:00:08 [notice] 1#1: try again to bind() after 500ms
        9.142s   log     second: 2026/01/01 00:00:09 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        9.142s   log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        9.142s   log     second: 2026/01/01 00:00:09 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        9.142s   log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        9.142s   log     second: 2026/01/01 00:00:09 [notice] 1#1: try again to bind() after 500ms
        9.642s   log     second: 2026/01/01 00:00:09 [emerg] 1#1: still could not bind()
        9.642s   log     second: nginx: [emerg] still could not bind()
        10s      Warning BackOff    Back-off restarting failed container second in pod clash_default(910a2dec-8902-4cc1-beeb-8da1658eec67)
        10s      pod     clash 1/2 CrashLoopBackOff 1 (1s ago)
        24.325s  Normal  Pulled     Container image "nginx:1.27" already present on machine (x3)
        24.385s  Normal  Created    Created container: second (x3)
        24.465s  Normal  Started    Started container second (x3)
        24.465s  pod     clash 2/2 Running 2 (15s ago)
        24.465s  log     second: /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
        24.465s  log     second: /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
        24.465s  log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
        24.465s  log     second: 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
        24.465s  log     second: 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
        24.465s  log     second: /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
        24.465s  log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
        24.465s  log     second: /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
        24.465s  log     second: /docker-entrypoint.sh: Configuration complete; ready for start up
        24.465s  log     second: 2026/01/01 00:00:24 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        24.465s  log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        24.465s  log     second: 2026/01/01 00:00:24 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        24.465s  log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        24.465s  log     second: 2026/01/01 00:00:24 [notice] 1#1: try again to bind() after 500ms
        24.965s  log     second: 2026/01/01 00:00:24 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        24.965s  log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        24.965s  log     second: 2026/01/01 00:00:24 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        24.965s  log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        24.965s  log     second: 2026/01/01 00:00:24 [notice] 1#1: try again to bind() after 500ms
        25.465s  log     second: 2026/01/01 00:00:25 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        25.465s  log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        25.465s  log     second: 2026/01/01 00:00:25 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        25.465s  log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        25.465s  log     second: 2026/01/01 00:00:25 [notice] 1#1: try again to bind() after 500ms
        25.965s  log     second: 2026/01/01 00:00:25 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        25.965s  log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        25.965s  log     second: 2026/01/01 00:00:25 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        25.965s  log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        25.965s  log     second: 2026/01/01 00:00:25 [notice] 1#1: try again to bind() after 500ms
        26.465s  log     second: 2026/01/01 00:00:26 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
        26.465s  log     second: nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
        26.465s  log     second: 2026/01/01 00:00:26 [emerg] 1#1: bind() to [::]:80 failed (98: Address already in use)
        26.465s  log     second: nginx: [emerg] bind() to [::]:80 failed (98: Address already in use)
        26.465s  log     second: 2026/01/01 00:00:26 [notice] 1#1: try again to bind() after 500ms
        26.965s  log     second: 2026/01/01 00:00:26 [emerg] 1#1: still could not bind()
        26.965s  log     second: nginx: [emerg] still could not bind()
        27s      Warning BackOff    Back-off restarting failed container second in pod clash_default(910a2dec-8902-4cc1-beeb-8da1658eec67) (x2)
        27s      pod     clash 1/2 CrashLoopBackOff 2 (1s ago)
    "#]],
    );
}

#[test]
fn a_shell_as_pid_1_ignores_sigterm_until_the_grace_period_ends() {
    let sim = run_example("graceful-shutdown");
    check(
        &sim,
        expect![[r#"
        0s       pod     web 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/web to node-1
        0s       pod     web 0/2 ContainerCreating 0
        0.802s   Normal  Pulling    Pulling image "busybox:1.36"
        1.082s   Normal  Pulled     Successfully pulled image "busybox:1.36" in 280ms (280ms including waiting). Image size: 2160406 bytes.
        1.142s   Normal  Created    Created container: app
        1.222s   Normal  Started    Started container app
        1.222s   pod     web 1/2 ContainerCreating 0
        1.224s   Normal  Pulled     Container image "busybox:1.36" already present on machine
        1.284s   Normal  Created    Created container: stubborn
        1.364s   Normal  Started    Started container stubborn
        1.364s   pod     web 2/2 Running 0
        20s      pod     web 2/2 Terminating 0
        20s      Normal  Killing    Stopping container app
        20s      Normal  Killing    Stopping container stubborn
        20.222s  pod     web 1/2 Terminating 0
        30s      pod     web 0/2 Completed 0
        30.1s    deleted web
    "#]],
    );
}

#[test]
fn an_exec_probe_that_outlives_its_timeout_fails_with_the_cri_clients_words() {
    let sim = run_yaml(
        "apiVersion: v1
kind: Pod
metadata: {name: slow}
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ['sleep', '3600']
    readinessProbe:
      exec: {command: ['sleep', '5']}
      timeoutSeconds: 1
      periodSeconds: 10
",
        15,
    );
    let unhealthy: Vec<String> = story(&sim)
        .lines()
        .filter(|l| l.contains("Unhealthy"))
        .map(|l| l.split_whitespace().skip(3).collect::<Vec<_>>().join(" "))
        .collect();
    expect![[r#"
        [
            "Readiness probe failed: command \"sleep 5\" timed out",
        ]
    "#]]
    .assert_debug_eq(&unhealthy);
}

#[test]
fn a_command_the_image_lacks_fails_to_start_and_to_exec_with_runcs_words() {
    let s = Scenario::parse(
        "apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata: {name: missing}
spec:
  title: {en: missing, zh: missing}
  description: {en: missing, zh: missing}
  duration: 10s
  objects:
  - apiVersion: v1
    kind: Pod
    metadata: {name: missing}
    spec:
      restartPolicy: Never
      containers:
      - {name: web, image: nginx:1.27}
      - {name: typo, image: busybox:1.36, command: [slep, '1']}
  steps:
  - {at: 8s, action: exec, target: pod/missing, container: web, command: [wget, localhost]}
",
    )
    .expect("the scenario parses");
    let sim = simulate(&s, Time::from_secs(10));
    let lines: Vec<String> = story(&sim)
        .lines()
        .filter(|l| l.contains("Failed") || l.contains(" exec "))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .collect();
    expect![[r#"
        [
            "Warning Failed Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"slep\": executable file not found in $PATH: unknown",
            "exec web -> 126 \"OCI runtime exec failed: exec failed: unable to start container process: exec: \\\"wget\\\": executable file not found in $PATH: unknown\\r\\n\"",
        ]
    "#]].assert_debug_eq(&lines);
}
