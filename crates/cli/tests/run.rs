//! `podplay run` as a user runs it: each output format on the example scenarios, the options,
//! and bad input.

use std::process::{Command, Output, Stdio};

use expect_test::expect;
use serde_json::Value;

fn podplay(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_podplay"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn example(name: &str) -> String {
    format!(
        "{}/../engine/scenarios/{name}.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs `podplay run` on an example scenario; returns exit code, stdout and stderr.
fn run(name: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let file = example(name);
    let mut args = vec!["run", file.as_str()];
    args.extend_from_slice(extra);
    let out = podplay(&args, "");
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn run_stdin(text: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["run", "-"];
    args.extend_from_slice(extra);
    let out = podplay(&args, text);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn watch_is_the_default_and_prints_a_row_each_time_the_pod_row_changes() {
    let (code, stdout, stderr) = run("graceful-shutdown", &[]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    expect![[r#"
        T         NAME   READY   STATUS              RESTARTS   AGE
        0s        web    0/2     Pending             0          0s
        0s        web    0/2     ContainerCreating   0          0s
        1.222s    web    1/2     ContainerCreating   0          1s
        1.364s    web    2/2     Running             0          1s
        20s       web    2/2     Terminating         0          20s
        20.222s   web    1/2     Terminating         0          20s
        30s       web    0/2     Completed           0          30s
        30.1s     web    0/2     Completed           0          30s
    "#]]
    .assert_eq(&stdout);
    assert_eq!(run("graceful-shutdown", &["-o", "watch"]).1, stdout);
}

#[test]
fn watch_shows_a_crash_loop_backing_off() {
    let (code, stdout, _) = run("crash-loop", &["--output", "watch"]);
    assert_eq!(code, Some(0));
    expect![[r#"
        T         NAME      READY   STATUS              RESTARTS      AGE
        0s        crasher   0/1     Pending             0             0s
        0s        crasher   0/1     ContainerCreating   0             0s
        1.222s    crasher   1/1     Running             0             1s
        4s        crasher   0/1     Error               0             4s
        4.142s    crasher   1/1     Running             1 (1s ago)    4s
        7s        crasher   0/1     CrashLoopBackOff    1 (1s ago)    7s
        20.722s   crasher   1/1     Running             2 (14s ago)   20s
        23s       crasher   0/1     CrashLoopBackOff    2 (1s ago)    23s
        47.245s   crasher   1/1     Running             3 (25s ago)   47s
        50s       crasher   0/1     CrashLoopBackOff    3 (1s ago)    50s
        98.104s   crasher   1/1     Running             4 (49s ago)   98s
        101s      crasher   0/1     CrashLoopBackOff    4 (1s ago)    101s
    "#]]
    .assert_eq(&stdout);
}

#[test]
fn events_lists_the_events_as_kubectl_get_events_does() {
    let (code, stdout, stderr) = run("graceful-shutdown", &["-o", "events"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    expect![[r#"
        LAST SEEN   TYPE     REASON      OBJECT    MESSAGE
        0s          Normal   Scheduled   pod/web   Successfully assigned default/web to node-1
        0.802s      Normal   Pulling     pod/web   Pulling image "busybox:1.36"
        1.082s      Normal   Pulled      pod/web   Successfully pulled image "busybox:1.36" in 280ms (280ms including waiting). Image size: 2160406 bytes.
        1.142s      Normal   Created     pod/web   Created container: app
        1.222s      Normal   Started     pod/web   Started container app
        1.224s      Normal   Pulled      pod/web   Container image "busybox:1.36" already present on machine
        1.284s      Normal   Created     pod/web   Created container: stubborn
        1.364s      Normal   Started     pod/web   Started container stubborn
        20s         Normal   Killing     pod/web   Stopping container app
        20s         Normal   Killing     pod/web   Stopping container stubborn
    "#]].assert_eq(&stdout);
}

#[test]
fn get_prints_the_pods_at_the_end_of_the_run() {
    let (code, stdout, stderr) = run("init-containers", &["-o", "get"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    expect![[r#"
        NAME    READY   STATUS    RESTARTS   AGE
        myapp   1/1     Running   0          11s
    "#]]
    .assert_eq(&stdout);
}

#[test]
fn get_and_describe_say_when_a_pod_is_already_gone() {
    let (code, stdout, stderr) = run("graceful-shutdown", &["-o", "get"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    expect![[r#"
        No resources found in default namespace.
        Error from server (NotFound): pods "web" not found (deleted at 30.1s)
    "#]]
    .assert_eq(&stderr);
    let (code, stdout, stderr) = run("graceful-shutdown", &["-o", "describe"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
    expect![[r#"
        Error from server (NotFound): pods "web" not found (deleted at 30.1s)
    "#]]
    .assert_eq(&stderr);
}

#[test]
fn describe_prints_kubectl_describe_with_the_runs_events() {
    let (code, stdout, stderr) = run("init-containers", &["-o", "describe"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    assert!(
        stdout.starts_with("Name:             myapp\nNamespace:        default\n"),
        "{stdout}"
    );
    let events = &stdout[stdout.find("Events:").expect("an Events section")..];
    expect![[r#"
        Events:
          Type    Reason     Age   From               Message
          ----    ------     ----  ----               -------
          Normal  Scheduled  11s   default-scheduler  Successfully assigned default/myapp to node-1
          Normal  Pulling    11s   kubelet            Pulling image "busybox:1.36"
          Normal  Pulled     10s   kubelet            Successfully pulled image "busybox:1.36" in 280ms (280ms including waiting). Image size: 2160406 bytes.
          Normal  Created    10s   kubelet            Created container: init-db
          Normal  Started    10s   kubelet            Started container init-db
          Normal  Pulled     6s    kubelet            Container image "busybox:1.36" already present on machine
          Normal  Created    6s    kubelet            Created container: init-cache
          Normal  Started    6s    kubelet            Started container init-cache
          Normal  Pulling    3s    kubelet            Pulling image "nginx:1.27"
          Normal  Pulled     0s    kubelet            Successfully pulled image "nginx:1.27" in 3.08s (3.08s including waiting). Image size: 72406859 bytes.
          Normal  Created    0s    kubelet            Created container: app
          Normal  Started    0s    kubelet            Started container app
    "#]].assert_eq(events);
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// `names`, sorted, to compare with [`keys`].
fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut names = names.to_vec();
    names.sort_unstable();
    names
}

#[test]
fn jsonl_prints_one_record_per_line_in_the_issues_formats() {
    let (code, stdout, stderr) = run("graceful-shutdown", &["-o", "jsonl"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let mut last_t = 0.0;
    for line in &lines {
        let t = line["t"].as_f64().expect("every line has t in seconds");
        assert!(t >= last_t, "time order: {t} after {last_t}");
        last_t = t;
    }

    let started = lines
        .iter()
        .find(|l| l["kind"] == "Event" && l["reason"] == "Started")
        .expect("a Started event");
    assert_eq!(started["t"], 1.222);
    assert_eq!(started["type"], "Normal");
    assert_eq!(started["message"], "Started container app");
    assert_eq!(started["object"], "Pod/web");
    assert_eq!(started["fieldPath"], "spec.containers{app}");
    assert_eq!(started["source"], "kubelet");
    // The issue's fields, and the Event's count (how many times it has been seen so far).
    assert_eq!(
        keys(started),
        sorted(&[
            "t",
            "kind",
            "type",
            "reason",
            "message",
            "object",
            "fieldPath",
            "source",
            "count"
        ])
    );
    assert_eq!(started["count"], 1);
    let scheduled = &lines[1];
    assert_eq!(scheduled["kind"], "Event");
    assert_eq!(scheduled["source"], "default-scheduler");
    assert_eq!(scheduled["fieldPath"], "");

    let pod = lines
        .iter()
        .find(|l| l["kind"] == "Pod")
        .expect("a Pod line");
    assert_eq!(keys(pod), sorted(&["t", "kind", "object"]));
    assert_eq!(pod["object"]["apiVersion"], "v1");
    assert_eq!(pod["object"]["kind"], "Pod");
    assert_eq!(pod["object"]["metadata"]["name"], "web");
    assert_eq!(pod["object"]["status"]["phase"], "Pending");
    let running = lines
        .iter()
        .find(|l| l["kind"] == "Pod" && l["object"]["status"]["phase"] == "Running")
        .expect("the pod runs");
    assert_eq!(running["object"]["status"]["podIP"], "10.244.0.4");

    let deleted: Vec<&Value> = lines.iter().filter(|l| l["kind"] == "PodDeleted").collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0]["name"], "web");
    // The issue's fields, and the namespace the pod was in.
    assert_eq!(
        keys(deleted[0]),
        sorted(&["t", "kind", "name", "namespace"])
    );
    assert_eq!(deleted[0]["namespace"], "default");
    assert_eq!(deleted[0]["t"], 30.1);
    assert_eq!(
        lines.last(),
        Some(deleted[0]),
        "nothing happens after the pod is gone"
    );
}

#[test]
fn jsonl_carries_container_logs_and_exec_results() {
    let (_, stdout, _) = run("crash-loop", &["-o", "jsonl", "--for", "6s"]);
    let logs: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["kind"] == "Log")
        .collect();
    assert_eq!(logs.len(), 2);
    assert_eq!(
        keys(&logs[0]),
        sorted(&["t", "kind", "pod", "container", "line"])
    );
    assert_eq!(
        (
            &logs[0]["t"],
            &logs[0]["pod"],
            &logs[0]["container"],
            &logs[0]["line"]
        ),
        (
            &Value::from(1.222),
            &Value::from("crasher"),
            &Value::from("app"),
            &Value::from("starting")
        )
    );

    let (_, stdout, _) = run("poststart-hook", &["-o", "jsonl"]);
    let execs: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["kind"] == "Exec")
        .collect();
    assert_eq!(execs.len(), 1);
    let exec = &execs[0];
    assert_eq!(
        keys(exec),
        sorted(&[
            "t",
            "kind",
            "pod",
            "container",
            "command",
            "exitCode",
            "output"
        ])
    );
    assert_eq!(exec["pod"], "lifecycle-demo");
    assert_eq!(exec["container"], "lifecycle-demo-container");
    assert_eq!(
        exec["command"],
        serde_json::json!(["cat", "/usr/share/message"])
    );
    assert_eq!(exec["exitCode"], 0);
    assert_eq!(exec["output"], "Hello from the postStart handler\n");
}

#[test]
fn for_overrides_the_scenarios_duration() {
    let (_, stdout, _) = run("crash-loop", &["--for", "6s"]);
    expect![[r#"
        T        NAME      READY   STATUS              RESTARTS     AGE
        0s       crasher   0/1     Pending             0            0s
        0s       crasher   0/1     ContainerCreating   0            0s
        1.222s   crasher   1/1     Running             0            1s
        4s       crasher   0/1     Error               0            4s
        4.142s   crasher   1/1     Running             1 (1s ago)   4s
    "#]]
    .assert_eq(&stdout);
}

#[test]
fn the_same_seed_prints_the_same_run_and_another_seed_other_uids() {
    let a = run("crash-loop", &["-o", "jsonl", "--seed", "42"]).1;
    assert_eq!(a, run("crash-loop", &["-o", "jsonl", "--seed", "42"]).1);
    let b = run("crash-loop", &["-o", "jsonl"]).1;
    assert_ne!(a, b);
    assert_eq!(b, run("crash-loop", &["-o", "jsonl", "--seed", "1"]).1);
}

#[test]
fn a_plain_manifest_runs_with_no_steps() {
    let (code, stdout, stderr) = run_stdin(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: app, image: nginx:1.27}\n",
        &["-o", "get"],
    );
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    expect![[r#"
        NAME   READY   STATUS    RESTARTS   AGE
        web    1/1     Running   0          4s
    "#]]
    .assert_eq(&stdout);
}

#[test]
fn a_refused_step_is_reported_with_its_time_and_fails_the_run() {
    let (code, _, stderr) = run_stdin(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n  - {at: 1s, action: delete, target: pod/web}\n",
        &[],
    );
    assert_eq!(code, Some(1));
    expect![[r#"
        at 1s: Error from server (NotFound): pods "web" not found
    "#]]
    .assert_eq(&stderr);
}

#[test]
fn an_unknown_action_is_a_located_error() {
    let (code, stdout, stderr) = run_stdin(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n  - at: 1s\n    action: explode\n    target: pod/web\n",
        &[],
    );
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    expect![[r#"
        error: error parsing STDIN: line 7, column 13: spec.steps[0].action: Unsupported value: "explode": supported values: "apply", "delete", "exec", "forceDelete", "killContainer"
    "#]].assert_eq(&stderr);
}

#[test]
fn broken_yaml_is_a_located_error() {
    let (code, stdout, stderr) =
        run_stdin("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [\n", &[]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    expect![[r#"
        error: error parsing STDIN: line 4, column 9: error converting YAML to JSON: yaml: unclosed bracket '['
    "#]].assert_eq(&stderr);
}

#[test]
fn an_unreadable_file_is_an_error_not_a_panic() {
    let out = podplay(&["run", "/nonexistent/scenario.yaml"], "");
    assert_eq!(out.status.code(), Some(1));
    expect![[r#"
        error: the path "/nonexistent/scenario.yaml" cannot be read: No such file or directory (os error 2)
    "#]].assert_eq(&String::from_utf8(out.stderr).unwrap());
}

#[test]
fn only_the_mock_and_docker_runtimes_are_accepted() {
    let out = podplay(&["run", &example("crash-loop"), "--runtime", "podman"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(
            "error: invalid value 'podman' for '--runtime <RUNTIME>'\n  [possible values: mock, docker]"
        ),
        "{stderr}"
    );
}

#[test]
fn a_bad_duration_is_refused_before_running() {
    let out = podplay(&["run", &example("crash-loop"), "--for", "2 minutes"], "");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("error: invalid value '2 minutes' for '--for <DURATION>': not a duration such as \"90s\", \"2m\" or \"1m30s\""),
        "{stderr}"
    );
}

#[test]
fn help_explains_the_scenario_file_the_outputs_and_the_runtimes() {
    let out = podplay(&["run", "--help"], "");
    assert!(out.status.success());
    // clap pads its blank lines with spaces; the snapshot keeps none.
    let help: String = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect();
    expect![[r#"
        Run a scenario in virtual time and show what the kubelet does with its pods.

        With `--runtime docker` it runs in real time on the local Docker engine instead, and prints the same views; everything podplay created there is removed at the end.

        FILE is a Scenario (`apiVersion: podplay.dev/v1alpha1`, `kind: Scenario`: objects applied at t=0, then steps such as `delete`, `forceDelete`, `exec`, `killContainer` and `apply` at virtual times) or plain Kubernetes manifests, which run with no steps. The run lasts `--for`, else the scenario's `spec.duration`, else 120s, and ends early when nothing more can happen. The same file and seed always print the same output.

        Usage: podplay run [OPTIONS] <FILE>

        Arguments:
          <FILE>
                  The file to read; `-` reads standard input

        Options:
              --for <DURATION>
                  How long to run, in virtual time: a duration such as `90s`, `2m` or `1m30s`

              --seed <N>
                  Seeds the run's randomness (uids, ids, jitter)

                  [default: 1]

              --runtime <RUNTIME>
                  The container runtime: `mock` (virtual time) or `docker` (the local Docker engine, in real time)

                  Possible values:
                  - mock:   The in-process runtime in virtual time (podplay-mock): images, a busybox-like shell, pod volumes and a network namespace per pod
                  - docker: The local Docker engine (DOCKER_HOST or the default socket), in real time: the pod runs as a sandbox container and its containers, and everything podplay made is removed at the end, on error and on Ctrl-C

                  [default: mock]

              --allow-host-access
                  On Docker: run pods that reach the host (privileged, hostNetwork, hostPID, hostIPC, hostPath, added capabilities, host ports), which are refused otherwise

          -o, --output <OUTPUT>
                  What to print

                  Possible values:
                  - watch:    Like `kubectl get pods -w`: a row each time a pod's row changes, led by the virtual time (T); a pod leaving the API prints its last row once more, as kubectl's watch does
                  - events:   Like `kubectl get events` at the end: LAST SEEN (the virtual time of the last occurrence), TYPE, REASON, OBJECT, MESSAGE
                  - describe: `kubectl describe pod` for every pod at the end
                  - get:      `kubectl get pods` at the end
                  - jsonl:    One JSON object per line, in time order: Event, Pod, PodDeleted, Log and Exec records
                  - logs:     The containers' output as `kubectl logs --prefix` prints it, and each exec with what it printed, led by the virtual time

                  [default: watch]

          -h, --help
                  Print help (see a summary with '-h')
    "#]].assert_eq(&help);
}
