//! Reading manifests: every supported shape parses, every broken one gets a located,
//! Kubernetes-shaped error.

use expect_test::{expect, Expect};
use podplay_engine::api::summary::summarize;
use podplay_engine::api::{parse, Object};
use podplay_engine::examples::TWO_CONTAINER_POD;

fn check_error(input: &str, expected: Expect) {
    let err = parse(input).expect_err("input should be rejected");
    expected.assert_eq(&err.to_string());
}

#[test]
fn the_default_pod_lists_its_two_containers_and_shared_volume() {
    let manifests = parse(TWO_CONTAINER_POD).unwrap();
    let summary = summarize(&manifests);
    expect![[r#"
        [
            ObjectSummary {
                kind: "Pod",
                name: "web",
                pod: Some(
                    PodSummary {
                        init_containers: [],
                        containers: [
                            ContainerSummary {
                                name: "nginx",
                                image: "nginx:1.27",
                                mounts: [
                                    (
                                        "html",
                                        "/usr/share/nginx/html",
                                    ),
                                ],
                            },
                            ContainerSummary {
                                name: "helper",
                                image: "busybox:1.36",
                                mounts: [
                                    (
                                        "html",
                                        "/pod-data",
                                    ),
                                ],
                            },
                        ],
                        volumes: [
                            VolumeSummary {
                                name: "html",
                                source: "emptyDir",
                            },
                        ],
                    },
                ),
            },
        ]
    "#]]
    .assert_debug_eq(&summary);
}

#[test]
fn multi_document_yaml_yields_each_object_with_its_starting_line() {
    let input = "\
apiVersion: v1
kind: Namespace
metadata:
  name: class
---
# the workload
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx}]
---
--- {apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}, data: {a: b}}
...
";
    let manifests = parse(input).unwrap();
    let seen: Vec<_> = manifests
        .iter()
        .map(|m| {
            format!(
                "doc {} line {}: {} {}",
                m.document,
                m.line,
                m.object.kind(),
                m.object.name()
            )
        })
        .collect();
    expect![[r#"
        [
            "doc 1 line 1: Namespace class",
            "doc 2 line 5: Deployment web",
            "doc 3 line 18: ConfigMap cfg",
        ]
    "#]]
    .assert_debug_eq(&seen);
    let summary = summarize(&manifests);
    assert_eq!(summary[1].pod.as_ref().unwrap().containers[0].name, "app");
}

#[test]
fn json_parses_as_well_as_yaml() {
    let input = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},
        "spec":{"containers":[{"name":"c","image":"busybox"}]}}"#;
    let manifests = parse(input).unwrap();
    let Object::Pod(pod) = &manifests[0].object else {
        panic!("expected a pod")
    };
    assert_eq!(
        pod.spec.as_ref().unwrap().containers[0].image.as_deref(),
        Some("busybox")
    );
}

#[test]
fn json_with_tabs_escapes_and_no_trailing_newline_parses() {
    let input = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\"name\": \"caf\\u00e9\", \"labels\": {\"a\": \"x:y\"}},\n\t\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"busybox\", \"args\": [\"a\\tb\", \"\"]}]}\n}";
    let manifests = parse(input).unwrap();
    let Object::Pod(pod) = &manifests[0].object else {
        panic!("expected a pod")
    };
    assert_eq!(pod.metadata.name.as_deref(), Some("caf\u{e9}"));
    let args = pod.spec.as_ref().unwrap().containers[0]
        .args
        .clone()
        .unwrap();
    assert_eq!(args, ["a\tb", ""]);
}

#[test]
fn every_supported_kind_parses() {
    for (api_version, kind) in podplay_engine::api::manifest::SUPPORTED {
        let input = format!("apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n");
        let manifests = parse(&input).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(manifests[0].object.kind(), *kind);
    }
}

#[test]
fn a_yaml_syntax_error_names_its_line_and_column() {
    check_error(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: [unclosed\n",
        expect!["line 5, column 11: error converting YAML to JSON: yaml: unclosed bracket '['"],
    );
}

#[test]
fn a_syntax_error_in_a_later_document_counts_lines_from_the_top_of_the_input() {
    check_error(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n bad: indent\n",
        expect!["line 9, column 2: error converting YAML to JSON: yaml: while parsing a block mapping, did not find expected key"],
    );
}

#[test]
fn a_wrong_type_is_reported_against_the_kind_with_its_location() {
    check_error(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    ports: 80\n",
        expect![[r#"line 8, column 12: Pod in version "v1" cannot be handled as a Pod: expected sequence start"#]],
    );
}

#[test]
fn an_unknown_kind_names_what_is_supported() {
    check_error(
        "apiVersion: v1\nkind: Frobnicator\n",
        expect![[
            r#"line 1, column 1: no matches for kind "Frobnicator" in version "v1" (podplay supports Pod v1, Deployment apps/v1, ReplicaSet apps/v1, StatefulSet apps/v1, DaemonSet apps/v1, Job batch/v1, Service v1, ConfigMap v1, Secret v1, Namespace v1, Node v1)"#
        ]],
    );
}

#[test]
fn a_missing_kind_is_reported_as_kubectl_does() {
    check_error(
        "metadata:\n  name: x\n",
        expect![[r#"line 1, column 1: error validating data: [apiVersion not set, kind not set]"#]],
    );
    check_error(
        "apiVersion: v1\n",
        expect![[r#"line 1, column 1: error validating data: kind not set"#]],
    );
}

#[test]
fn json_errors_carry_line_and_column() {
    check_error(
        "{\"apiVersion\": \"v1\",\n \"kind\": \"Pod\",,}",
        expect!["line 2, column 16: error converting YAML to JSON: yaml: unexpected EOF while parsing an implicit flow mapping"],
    );
}

#[test]
fn empty_input_and_comment_only_input_are_rejected() {
    check_error("", expect![[r#"no objects passed to apply"#]]);
    check_error(
        "# nothing\n---\n\n",
        expect![[r#"no objects passed to apply"#]],
    );
}

#[test]
fn an_input_larger_than_the_api_servers_body_limit_is_refused_without_parsing() {
    let huge = "#".repeat(podplay_engine::api::manifest::MAX_INPUT_BYTES + 1);
    check_error(
        &huge,
        expect![[r#"Request entity too large: limit is 3145728"#]],
    );
}

#[test]
fn hostile_inputs_return_errors_and_never_panic() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested_map = (0..5_000)
        .map(|i| format!("{:i$}a:\n", ""))
        .collect::<String>();
    let alias_bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n";
    for input in [
        deep.as_str(),
        nested_map.as_str(),
        alias_bomb,
        "apiVersion: v1\nkind: Pod\0\n",
        "\u{feff}apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, resources: {limits: {cpu: lots}}}]}\n",
        "--- |\n  text\n",
        "- a\n- b\n",
        "\t\t\t",
    ] {
        // Accepting or rejecting is each case's own business; returning is what matters.
        let _ = parse(input);
    }
}
