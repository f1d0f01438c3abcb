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

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../engine/tests/data/explain/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn explain_json_is_one_object_with_the_documented_fields() {
    let out = podplay(
        &[
            "explain",
            "-",
            "--now",
            "2025-06-01T12:00:00Z",
            "--output",
            "json",
        ],
        Some(&fixture("crashloop.yaml")),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let documented = [
        "name",
        "ready",
        "status",
        "restarts",
        "age",
        "phase",
        "conditions",
        "explanation",
    ];
    let mut keys: Vec<_> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = documented.to_vec();
    keys.sort_unstable();
    expected.sort_unstable();
    assert_eq!(keys, expected, "exactly the documented fields");
    // On the wire they come in the documented order.
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let at = |k: &str| text.find(&format!("\n  \"{k}\":")).unwrap();
    assert!(documented.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
    assert_eq!(v["status"], "CrashLoopBackOff");
    assert_eq!(v["restarts"], "3 (25s ago)");
    assert_eq!(v["phase"], "Running");
    let c = &v["conditions"][2];
    assert_eq!(
        (c["type"].as_str(), c["status"].as_str()),
        (Some("Ready"), Some("False"))
    );
    let first = v["explanation"][0].as_str().unwrap();
    assert!(
        first.contains("the kubelet waits 40s before the next restart"),
        "{first}"
    );
}

#[test]
fn explain_text_shows_the_kubectl_row_conditions_and_reasons() {
    let out = podplay(
        &["explain", "-", "--now", "2025-06-01T12:00:00Z"],
        Some(&fixture("crashloop.yaml")),
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("NAME     READY   STATUS             RESTARTS      AGE\ncrashy   0/1     CrashLoopBackOff   3 (25s ago)   90s\n"), "{text}");
    assert!(text.contains("\nConditions:\n"), "{text}");
    assert!(
        text.contains("\nWhy:\n  - Container app is in CrashLoopBackOff"),
        "{text}"
    );
}

#[test]
fn explain_refuses_input_without_a_pod_and_a_bad_clock() {
    let out = podplay(
        &["explain", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("holds no Pod"));
    let out = podplay(&["explain", "-", "--now", "yesterday"], Some(""));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not an RFC 3339 time"));
}
