//! Image pulls (pkg/kubelet/images/image_manager.go `EnsureImageExists`): the pull policies
//! against the node's image cache, the Pulling/Pulled events, ErrImagePull → ImagePullBackOff
//! with its 10 s doubling back-off, and ErrImageNeverPull.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use support::*;

#[test]
fn if_not_present_uses_the_cached_image_and_always_pulls_it_again() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: cached, image: 'nginx:1.27', imagePullPolicy: IfNotPresent}
  - {name: pulled, image: 'nginx:1.27', imagePullPolicy: Always}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        10,
        expect![[r#"
        0s       pod     web 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/web to node-1
        0s       pod     web 0/2 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "nginx:1.27" already present on machine
        0.862s   Normal  Created    Created container: cached
        0.942s   Normal  Started    Started container cached
        0.942s   Normal  Pulling    Pulling image "nginx:1.27"
        0.942s   pod     web 1/2 ContainerCreating 0
        4.022s   Normal  Pulled     Successfully pulled image "nginx:1.27" in 3.08s (3.08s including waiting). Image size: 72000000 bytes.
        4.082s   Normal  Created    Created container: pulled
        4.162s   Normal  Started    Started container pulled
        4.162s   pod     web 2/2 Running 0
    "#]],
    );
}

#[test]
fn a_failing_pull_backs_off_10s_20s_40s_and_is_retried_when_the_back_off_runs_out() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers:
  - {name: app, image: 'nginx:does-not-exist'}
";
    let rt = ScriptedRuntime::default().with_failing_pull(
        "nginx:does-not-exist",
        "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:does-not-exist\": not found",
    );
    let mut s = sim(yaml, rt);
    check(
        &mut s,
        100,
        expect![[r#"
        0s       pod     bad 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/bad to node-1
        0s       pod     bad 0/1 ContainerCreating 0
        0.802s   Normal  Pulling    Pulling image "nginx:does-not-exist"
        1.202s   Warning Failed     Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:does-not-exist": not found
        1.202s   Warning Failed     Error: ErrImagePull
        1.202s   pod     bad 0/1 ErrImagePull 0
        1.204s   Normal  BackOff    Back-off pulling image "nginx:does-not-exist"
        1.204s   Warning Failed     Error: ImagePullBackOff
        1.204s   pod     bad 0/1 ImagePullBackOff 0
        13.425s  Normal  Pulling    Pulling image "nginx:does-not-exist" (x2)
        13.825s  Warning Failed     Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:does-not-exist": not found (x2)
        13.825s  Warning Failed     Error: ErrImagePull (x2)
        13.825s  pod     bad 0/1 ErrImagePull 0
        26.048s  Normal  BackOff    Back-off pulling image "nginx:does-not-exist" (x2)
        26.048s  Warning Failed     Error: ImagePullBackOff (x2)
        26.048s  pod     bad 0/1 ImagePullBackOff 0
        36.793s  Normal  Pulling    Pulling image "nginx:does-not-exist" (x3)
        37.193s  Warning Failed     Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:does-not-exist": not found (x3)
        37.193s  Warning Failed     Error: ErrImagePull (x3)
        37.193s  pod     bad 0/1 ErrImagePull 0
        51.581s  Normal  BackOff    Back-off pulling image "nginx:does-not-exist" (x3)
        51.581s  Warning Failed     Error: ImagePullBackOff (x3)
        51.581s  pod     bad 0/1 ImagePullBackOff 0
        83.893s  Normal  Pulling    Pulling image "nginx:does-not-exist" (x4)
        84.293s  Warning Failed     Failed to pull image "nginx:does-not-exist": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:does-not-exist": not found (x4)
        84.293s  Warning Failed     Error: ErrImagePull (x4)
        84.293s  pod     bad 0/1 ErrImagePull 0
        95.722s  Normal  BackOff    Back-off pulling image "nginx:does-not-exist" (x4)
        95.722s  Warning Failed     Error: ImagePullBackOff (x4)
        95.722s  pod     bad 0/1 ImagePullBackOff 0
    "#]],
    );
    expect![[r#"
        phase=Pending reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          app app: waiting ImagePullBackOff "Back-off pulling image \"nginx:does-not-exist\": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:does-not-exist\": not found" | last: - | restarts=0 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "bad")));
}

#[test]
fn never_with_no_cached_image_is_err_image_never_pull() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: never}
spec:
  containers:
  - {name: app, image: 'example.com/app:1', imagePullPolicy: Never}
";
    let mut s = sim(yaml, ScriptedRuntime::default());
    check(
        &mut s,
        30,
        expect![[r#"
        0s       pod     never 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/never to node-1
        0s       pod     never 0/1 ContainerCreating 0
        0.802s   Warning ErrImageNeverPull Container image "example.com/app:1" is not present with pull policy of Never
        0.802s   Warning Failed     Error: ErrImageNeverPull
        0.802s   pod     never 0/1 ErrImageNeverPull 0
        1.002s   Warning ErrImageNeverPull Container image "example.com/app:1" is not present with pull policy of Never (x2)
        1.002s   Warning Failed     Error: ErrImageNeverPull (x2)
        13.225s  Warning ErrImageNeverPull Container image "example.com/app:1" is not present with pull policy of Never (x3)
        13.225s  Warning Failed     Error: ErrImageNeverPull (x3)
        25.448s  Warning ErrImageNeverPull Container image "example.com/app:1" is not present with pull policy of Never (x4)
        25.448s  Warning Failed     Error: ErrImageNeverPull (x4)
    "#]],
    );
    expect![[r#"
        phase=Pending reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          app app: waiting ErrImageNeverPull "Container image \"example.com/app:1\" is not present with pull policy of Never" | last: - | restarts=0 ready=false started=false
    "#]].assert_eq(&status(&last_pod(&s, "never")));
}
