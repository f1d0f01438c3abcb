//! The `podplay` binary as a user runs it.

use std::process::{Command, Output};

use expect_test::expect;

fn podplay(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_podplay"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn help_describes_the_tool_and_its_commands() {
    let out = podplay(&["--help"], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Kubernetes pod-lifecycle playground"),
        "{text}"
    );
    assert!(text.contains("parse"), "{text}");
}

#[test]
fn parse_lists_the_default_pods_containers_and_volumes() {
    let out = podplay(
        &["parse", "-"],
        Some(podplay_engine::examples::TWO_CONTAINER_POD),
    );
    assert!(out.status.success());
    expect![[r#"
        Pod web
          container nginx (nginx:1.27)
            mounts html at /usr/share/nginx/html
          container helper (busybox:1.36)
            mounts html at /pod-data
          volume html (emptyDir)
    "#]]
    .assert_eq(&String::from_utf8(out.stdout).unwrap());
}

#[test]
fn parse_reports_broken_yaml_with_its_line_and_fails() {
    let out = podplay(
        &["parse", "-"],
        Some("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: error parsing STDIN: line 4, column"),
        "{err}"
    );
}

#[test]
fn parse_reports_a_missing_file_without_panicking() {
    let out = podplay(&["parse", "/nonexistent/pod.yaml"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot be read"), "{err}");
}

#[test]
fn validate_accepts_a_valid_pod_and_exits_zero() {
    let out = podplay(
        &["validate", "-"],
        Some(podplay_engine::examples::TWO_CONTAINER_POD),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "pod/web created (server dry run)\n"
    );
}

#[test]
fn validate_prints_warnings_and_refusals_and_exits_one() {
    let input = "\
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {pod-security.kubernetes.io/enforce: baseline}
---
apiVersion: v1
kind: Pod
metadata: {name: test}
spec:
  containers:
  - {name: a, image: busybox, securityContext: {privileged: true}}
  - {name: b, image: busybox, securityContext: {privileged: true}}
---
apiVersion: v1
kind: Pod
metadata: {name: warned}
spec:
  terminationGracePeriodSeconds: -1
  containers:
  - {name: c, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: test}
spec:
  containers:
  - {}
";
    let out = podplay(&["validate", "-"], Some(input));
    assert_eq!(out.status.code(), Some(1));
    expect![[r#"
        namespace/default created (server dry run)
        pod/warned created (server dry run)
    "#]]
    .assert_eq(&String::from_utf8(out.stdout).unwrap());
    expect![[r#"
        Error from server (Forbidden): error when creating "STDIN": pods "test" is forbidden: violates PodSecurity "baseline:latest": privileged (containers "a", "b" must not set securityContext.privileged=true)
        Warning: spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1
        The Pod "test" is invalid: 
        * spec.containers[0].name: Required value
        * spec.containers[0].image: Required value
          API server: Pod "test" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]
    "#]]
    .assert_eq(&String::from_utf8(out.stderr).unwrap());
}

#[test]
fn validate_reports_unparseable_input_with_its_location() {
    let out = podplay(
        &["validate", "-"],
        Some("apiVersion: v1\nkind: Pod\nmetadata: {name: [}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("error: error parsing STDIN: line 3"),
        "{err}"
    );
}
