//! The API server's create path over a whole input: defaulting, validation, then Pod Security,
//! with a Namespace's labels applying to the pods after it.

use expect_test::expect;
use podplay_engine::api::parse;
use podplay_engine::api::server::{create_all, Created, Outcome};

fn create(input: &str) -> Vec<Created> {
    create_all(&parse(input).unwrap())
}

fn lines(created: &[Created]) -> String {
    let mut out = String::new();
    for c in created {
        for w in &c.warnings {
            out.push_str(&format!("Warning: {w}\n"));
        }
        out.push_str(&c.kubectl_line("in.yaml"));
        out.push('\n');
    }
    out
}

const RESTRICTED_NS: &str = "\
apiVersion: v1
kind: Namespace
metadata:
  name: locked
  labels:
    pod-security.kubernetes.io/enforce: restricted
";

#[test]
fn a_valid_pod_is_created_in_the_default_namespace_with_defaults_filled_in() {
    let created = create(podplay_engine::examples::TWO_CONTAINER_POD);
    assert_eq!(created[0].outcome, Outcome::Created);
    assert_eq!(created[0].namespace.as_deref(), Some("default"));
    let podplay_engine::api::Object::Pod(pod) = &created[0].object else {
        panic!()
    };
    let spec = pod.spec.as_ref().unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
    assert_eq!(spec.termination_grace_period_seconds, Some(30));
    assert_eq!(
        spec.containers[1].image_pull_policy.as_deref(),
        Some("IfNotPresent")
    );
    expect![[r#"
        pod/web created (server dry run)
    "#]]
    .assert_eq(&lines(&created));
}

#[test]
fn an_invalid_pod_gets_the_api_servers_422_message_and_kubectls_rendering() {
    let created =
        create("apiVersion: v1\nkind: Pod\nmetadata: {name: test}\nspec:\n  containers:\n  - {}\n");
    let Outcome::Invalid { message, .. } = &created[0].outcome else {
        panic!("{created:?}")
    };
    expect![[r#"Pod "test" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]"#]]
        .assert_eq(message);
    expect![[r#"
        The Pod "test" is invalid: 
        * spec.containers[0].name: Required value
        * spec.containers[0].image: Required value
    "#]]
    .assert_eq(&lines(&created));
}

#[test]
fn a_namespace_with_pod_security_labels_applies_to_the_pods_after_it() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: locked}\nspec:\n  containers:\n  - {name: app, image: nginx}\n";
    let created = create(&format!("{RESTRICTED_NS}---\n{pod}"));
    expect![[r#"
        namespace/locked created (server dry run)
        Error from server (Forbidden): error when creating "in.yaml": pods "web" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")
    "#]]
    .assert_eq(&lines(&created));

    // The same pod before the Namespace, or in another namespace, is not checked.
    let before = create(&format!("{pod}---\n{RESTRICTED_NS}"));
    assert_eq!(before[0].outcome, Outcome::Created);
    let elsewhere = create(&format!(
        "{RESTRICTED_NS}---\n{}",
        pod.replace("locked", "open")
    ));
    assert_eq!(elsewhere[1].outcome, Outcome::Created);
}

#[test]
fn privileged_containers_under_baseline_are_refused_with_the_vectors_message() {
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
";
    let created = create(input);
    let Outcome::Forbidden { message } = &created[1].outcome else {
        panic!("{created:?}")
    };
    assert_eq!(
        message,
        r#"pods "test" is forbidden: violates PodSecurity "baseline:latest": privileged (containers "a", "b" must not set securityContext.privileged=true)"#
    );
}

#[test]
fn a_workload_under_an_enforcing_namespace_is_created_with_a_warning_not_refused() {
    let deployment = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: locked}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx, securityContext: {privileged: true}}]
";
    let created = create(&format!("{RESTRICTED_NS}---\n{deployment}"));
    assert_eq!(created[1].outcome, Outcome::Created);
    expect![[r#"
        [
            "would violate PodSecurity \"restricted:latest\": privileged (container \"app\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")",
        ]
    "#]]
    .assert_debug_eq(&created[1].warnings);
    assert_eq!(created[1].resource(), "deployment.apps");
}

#[test]
fn an_accepted_pod_carries_the_api_servers_warnings() {
    let created = create(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  terminationGracePeriodSeconds: -5\n  containers:\n  - {name: c, image: busybox}\n",
    );
    assert_eq!(created[0].outcome, Outcome::Created);
    expect![[r#"
        Warning: spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1
        pod/w created (server dry run)
    "#]]
    .assert_eq(&lines(&created));
}

#[test]
fn an_unknown_priority_class_is_refused_before_validation() {
    let created = create(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  priorityClassName: gold\n  containers:\n  - {name: c}\n",
    );
    let Outcome::Forbidden { message } = &created[0].outcome else {
        panic!("{created:?}")
    };
    assert_eq!(
        message,
        r#"pods "p" is forbidden: no PriorityClass with name gold was found"#
    );
}

#[test]
fn generate_name_gives_the_same_name_for_the_same_input() {
    let input = "apiVersion: v1\nkind: Pod\nmetadata: {generateName: job-}\nspec:\n  containers:\n  - {name: c, image: busybox}\n";
    let first = create(input);
    let second = create(input);
    assert_eq!(first[0].name, second[0].name);
    assert!(
        first[0].name.starts_with("job-") && first[0].name.len() == 9,
        "{}",
        first[0].name
    );
    assert_eq!(first[0].outcome, Outcome::Created);
}
