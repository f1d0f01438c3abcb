//! Scenarios: podplay's own kind, read into objects and timed user actions, with located,
//! Kubernetes-shaped errors; and the example scenarios shipped in crates/engine/scenarios/.

use expect_test::{expect, Expect};
use podplay_engine::api::Object;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::UserAction;
use podplay_engine::scenario::{Scenario, DEFAULT_DURATION};
use podplay_engine::time::Time;

fn check_error(input: &str, expected: Expect) {
    let err = Scenario::parse(input).expect_err("input should be rejected");
    expected.assert_eq(&err.to_string());
}

fn example(name: &str) -> String {
    let path = format!("{}/scenarios/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The steps as one line each: `at action target details`.
fn steps(s: &Scenario) -> String {
    let mut out = String::new();
    for step in &s.steps {
        let what = match &step.action {
            UserAction::Apply(objects) => {
                let names: Vec<String> = objects
                    .iter()
                    .map(|m| format!("{}/{} (line {})", m.object.kind(), m.object.name(), m.line))
                    .collect();
                format!("apply {}", names.join(", "))
            }
            UserAction::Delete {
                namespace,
                name,
                grace_period_s,
            } => format!("delete {namespace}/{name} grace={grace_period_s:?}"),
            UserAction::ForceDelete { namespace, name } => {
                format!("forceDelete {namespace}/{name}")
            }
            UserAction::Exec {
                namespace,
                name,
                container,
                command,
            } => format!(
                "exec {namespace}/{name} -c {container} -- {}",
                command.join(" ")
            ),
            UserAction::KillContainer {
                namespace,
                name,
                container,
            } => format!("killContainer {namespace}/{name} -c {container}"),
        };
        out.push_str(&format!("{} {what}\n", step.at));
    }
    out
}

const FULL: &str = r#"apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata:
  name: everything
spec:
  title: {en: "Every action", zh: "所有操作"}
  description:
    en: One step of each kind.
    zh: 每种操作各一步。
  duration: 1m30s
  objects:
  - apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      containers:
      - {name: app, image: nginx:1.27}
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: settings}
  steps:
  - at: 10s
    action: exec
    target: pod/web
    container: app
    command: ["rm", "-f", "/tmp/healthy"]
  - at: 12.5s
    action: killContainer
    target: pods/web
    container: app
  - at: 20s
    action: apply
    objects:
    - apiVersion: v1
      kind: Pod
      metadata: {name: late, namespace: team}
      spec:
        containers:
        - {name: app, image: busybox:1.36}
  - at: 30s
    action: delete
    target: pod/late
    namespace: team
    gracePeriodSeconds: 5
  - at: 30s
    action: delete
    target: po/web
    gracePeriodSeconds: -1
  - at: 1m
    action: forceDelete
    target: pod/web
"#;

#[test]
fn a_scenario_carries_its_names_duration_objects_and_steps() {
    let s = Scenario::parse(FULL).unwrap();
    assert_eq!(s.name, "everything");
    assert_eq!(s.title["en"], "Every action");
    assert_eq!(s.title["zh"], "所有操作");
    assert_eq!(s.description["en"], "One step of each kind.");
    assert_eq!(s.duration, Some(Time::from_secs(90)));
    assert_eq!(s.run_for(), Time::from_secs(90));
    let objects: Vec<(&str, &str, u64)> = s
        .objects
        .iter()
        .map(|m| (m.object.kind(), m.object.name(), m.line))
        .collect();
    assert_eq!(objects, [("Pod", "web", 12), ("ConfigMap", "settings", 18)]);
    // A negative grace period is ignored, as kubectl ignores `--grace-period=-1`.
    expect![[r#"
        10s exec default/web -c app -- rm -f /tmp/healthy
        12.5s killContainer default/web -c app
        20s apply Pod/late (line 34)
        30s delete team/late grace=Some(5)
        30s delete default/web grace=None
        60s forceDelete default/web
    "#]]
    .assert_eq(&steps(&s));
}

#[test]
fn the_schedule_applies_the_objects_at_zero_before_the_steps() {
    let s = Scenario::parse(FULL).unwrap();
    let schedule = s.schedule();
    assert_eq!(schedule.len(), 7);
    assert_eq!(schedule[0].at, Time::ZERO);
    let UserAction::Apply(objects) = &schedule[0].action else {
        panic!("the first step applies the objects: {:?}", schedule[0]);
    };
    assert_eq!(objects.len(), 2);
    assert_eq!(schedule[1..], s.steps[..]);
}

#[test]
fn a_plain_manifest_file_is_a_scenario_with_no_steps() {
    let s = Scenario::parse(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: nginx}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\nspec:\n  containers: [{name: c, image: nginx}]\n",
    )
    .unwrap();
    assert_eq!(s.name, "");
    assert!(s.steps.is_empty());
    assert_eq!(s.duration, None);
    assert_eq!(s.run_for(), DEFAULT_DURATION);
    assert_eq!(DEFAULT_DURATION, Time::from_secs(120));
    let names: Vec<&str> = s.objects.iter().map(|m| m.object.name()).collect();
    assert_eq!(names, ["a", "b"]);
}

#[test]
fn durations_read_as_go_durations() {
    for (text, ms) in [
        ("120s", 120_000),
        ("2m", 120_000),
        ("1m30s", 90_000),
        ("1.5s", 1_500),
        ("250ms", 250),
        ("1h", 3_600_000),
    ] {
        let s = Scenario::parse(&format!(
            "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {{name: d}}\nspec:\n  duration: {text}\n"
        ))
        .unwrap();
        assert_eq!(s.duration, Some(Time::from_millis(ms)), "{text}");
    }
}

#[test]
fn an_object_flow_mapping_spanning_lines_is_still_read() {
    let s = Scenario::parse(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: flow}\nspec:\n  objects: [{apiVersion: v1, kind: Pod,\n    metadata: {name: web}, spec: {containers: [{name: app, image: nginx}]}}]\n",
    )
    .unwrap();
    assert_eq!(s.objects.len(), 1);
    assert!(
        matches!(&s.objects[0].object, Object::Pod(p) if p.metadata.name.as_deref() == Some("web"))
    );
    assert_eq!(s.objects[0].line, 5);
}

#[test]
fn an_unknown_action_lists_the_supported_ones() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata: {name: boom}
spec:
  steps:
  - {at: 1s, action: delete, target: pod/a}
  - {at: 2s, action: delete, target: pod/b}
  - at: 3s
    action: explode
    target: pod/web
",
        expect![[
            r#"line 9, column 13: spec.steps[2].action: Unsupported value: "explode": supported values: "apply", "delete", "exec", "forceDelete", "killContainer""#
        ]],
    );
}

#[test]
fn missing_and_misplaced_step_fields_are_all_reported_where_they_are() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata: {name: bad}
spec:
  duration: 2 minutes
  steps:
  - action: delete
  - at: 5s
    action: exec
    target: deployment/web
    gracePeriodSeconds: 3
  - at: -1s
    action: apply
    target: pod/web
  - at: 90
    action: killContainer
    target: pod/
",
        expect![[r#"
            line 5, column 13: spec.duration: Invalid value: "2 minutes": must be a duration such as "90s", "2m" or "1m30s"
            line 7, column 5: spec.steps[0].at: Required value
            line 7, column 5: spec.steps[0].target: Required value
            line 11, column 25: spec.steps[1].gracePeriodSeconds: Forbidden: may not be set for action "exec"
            line 10, column 13: spec.steps[1].target: Invalid value: "deployment/web": must be pod/NAME
            line 8, column 5: spec.steps[1].container: Required value
            line 8, column 5: spec.steps[1].command: Required value
            line 12, column 9: spec.steps[2].at: Invalid value: "-1s": must be greater than or equal to 0
            line 14, column 13: spec.steps[2].target: Forbidden: may not be set for action "apply"
            line 12, column 5: spec.steps[2].objects: Required value
            line 15, column 9: spec.steps[3].at: Invalid value: 90: must be a duration such as "90s", "2m" or "1m30s"
            line 17, column 13: spec.steps[3].target: Invalid value: "pod/": must be pod/NAME
            line 15, column 5: spec.steps[3].container: Required value"#]],
    );
}

#[test]
fn a_step_without_an_action_names_the_choices() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n  - at: 1s\n    target: pod/web\n",
        expect![[r#"line 6, column 5: spec.steps[0].action: Required value: supported values: "apply", "delete", "exec", "forceDelete", "killContainer""#]],
    );
}

#[test]
fn a_scenario_needs_a_name_and_a_spec() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {}\n",
        expect![[r#"
            line 3, column 11: metadata.name: Required value: name or generateName is required
            spec: Required value"#]],
    );
}

#[test]
fn an_unknown_field_fails_as_the_decoder_fails_with_its_location() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n  - at: 1s\n    action: delete\n    target: pod/web\n    gracePeriod: 3\n",
        expect![[r#"line 9, column 5: Scenario in version "podplay.dev/v1alpha1" cannot be handled as a Scenario: unknown field `gracePeriod`, expected one of at, action, target, namespace, gracePeriodSeconds, container, command, objects"#]],
    );
}

#[test]
fn a_wrongly_typed_field_fails_as_the_decoder_fails() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  steps:\n  - at: 1s\n    action: exec\n    target: pod/web\n    container: app\n    command: rm -f /tmp/x\n",
        expect![[r#"line 10, column 14: Scenario in version "podplay.dev/v1alpha1" cannot be handled as a Scenario: expected sequence start"#]],
    );
}

#[test]
fn an_embedded_object_fails_as_it_would_in_a_manifest_at_its_line_in_the_file() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata: {name: x}
spec:
  objects:
  - apiVersion: v1
    kind: Pod
    metadata: {name: web}
    spec:
      containers:
      - name: app
        image: nginx
        ports:
        - containerPort: eighty
",
        expect![[
            r#"line 14, column 26: Pod in version "v1" cannot be handled as a Pod: invalid i32"#
        ]],
    );
    check_error(
        "apiVersion: podplay.dev/v1alpha1
kind: Scenario
metadata: {name: x}
spec:
  steps:
  - at: 5s
    action: apply
    objects:
    - apiVersion: apps/v2
      kind: Deployment
      metadata: {name: web}
",
        expect![[
            r#"line 9, column 7: no matches for kind "Deployment" in version "apps/v2" (podplay supports Pod v1, Deployment apps/v1, ReplicaSet apps/v1, StatefulSet apps/v1, DaemonSet apps/v1, Job batch/v1, Service v1, ConfigMap v1, Secret v1, Namespace v1, Node v1)"#
        ]],
    );
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec:\n  objects:\n  - metadata: {name: web}\n",
        expect![[r#"line 6, column 5: error validating data: [apiVersion not set, kind not set]"#]],
    );
}

#[test]
fn a_broken_file_keeps_the_manifest_parsers_error() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata:\n  name: [\n",
        expect!["line 4, column 9: error converting YAML to JSON: yaml: unclosed bracket '['"],
    );
}

#[test]
fn another_version_of_the_scenario_kind_is_unsupported() {
    check_error(
        "apiVersion: podplay.dev/v1\nkind: Scenario\nmetadata: {name: x}\nspec: {}\n",
        expect![[
            r#"line 1, column 1: apiVersion: Unsupported value: "podplay.dev/v1": supported values: "podplay.dev/v1alpha1""#
        ]],
    );
}

#[test]
fn a_scenario_must_be_alone_in_its_file() {
    check_error(
        "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: x}\nspec: {}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
        expect![[r#"line 5, column 1: kind: Forbidden: a Scenario must be the only document in its file"#]],
    );
}

#[test]
fn every_example_scenario_parses_with_titles_in_both_languages() {
    let mut seen = 0;
    for entry in std::fs::read_dir(format!("{}/scenarios", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let s = Scenario::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path.file_stem().unwrap().to_str().unwrap();
        assert_eq!(s.name, stem, "{}", path.display());
        for lang in ["en", "zh"] {
            assert!(
                s.title.get(lang).is_some_and(|t| !t.is_empty()),
                "{stem} title {lang}"
            );
            assert!(
                s.description.get(lang).is_some_and(|t| !t.is_empty()),
                "{stem} description {lang}"
            );
        }
        assert!(s.duration.is_some(), "{stem}");
        assert!(!s.objects.is_empty(), "{stem}");
        seen += 1;
    }
    assert_eq!(seen, 11);
}

/// The trace in a few words per record: time, then what happened.
fn story(trace: &[Record]) -> String {
    let mut out = String::new();
    for r in trace {
        let line = match r {
            Record::Event { t, event } => format!("{t} {} {}", event.reason, event.message),
            Record::PodDeleted { t, name, .. } => format!("{t} deleted {name}"),
            Record::Exec {
                t,
                command,
                exit_code,
                ..
            } => {
                format!("{t} exec {} -> {exit_code}", command.join(" "))
            }
            Record::Log {
                t, container, line, ..
            } => format!("{t} log {container}: {line}"),
            Record::Pod { .. } => continue,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn the_graceful_shutdown_example_kills_the_process_that_ignores_sigterm_at_the_deadline() {
    let s = Scenario::parse(&example("graceful-shutdown")).unwrap();
    let end = s.run_for();
    let mut sim = s.into_simulation(1);
    sim.run_until(end).unwrap();
    assert!(sim.is_quiet());
    let deleted = sim
        .trace()
        .iter()
        .find_map(|r| match r {
            Record::PodDeleted { t, .. } => Some(*t),
            _ => None,
        })
        .expect("the pod leaves the API");
    // Deleted at 20s with a 10s grace period: `stubborn` dies of SIGKILL at 30s, then the
    // kubelet's final delete.
    assert!(
        deleted >= Time::from_secs(30) && deleted < Time::from_secs(31),
        "{deleted}"
    );
    let last_pod = sim.trace().iter().rev().find_map(|r| match r {
        Record::Pod { pod, .. } => Some(pod.clone()),
        _ => None,
    });
    let statuses = last_pod
        .and_then(|p| p.status)
        .and_then(|s| s.container_statuses)
        .unwrap_or_default();
    let exits: Vec<(String, Option<i32>)> = statuses
        .iter()
        .map(|c| {
            let code = c
                .state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .map(|t| t.exit_code);
            (c.name.clone(), code)
        })
        .collect();
    assert_eq!(
        exits,
        [
            ("app".to_string(), Some(0)),
            ("stubborn".to_string(), Some(137))
        ]
    );
}

#[test]
fn a_scenario_run_twice_with_one_seed_tells_the_same_story() {
    let run = |seed| {
        let s = Scenario::parse(&example("crash-loop")).unwrap();
        let end = s.run_for();
        let mut sim = s.into_simulation(seed);
        sim.run_until(end).unwrap();
        sim.trace()
            .iter()
            .map(Record::to_json_line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8), "the seed names the pod's uid");
}

#[test]
fn the_exec_step_of_the_poststart_example_runs_in_its_container() {
    let s = Scenario::parse(&example("poststart-hook")).unwrap();
    let end = s.run_for();
    let mut sim = s.into_simulation(1);
    sim.run_until(end).unwrap();
    let execs: String = story(sim.trace())
        .lines()
        .filter(|l| l.contains(" exec "))
        .map(|l| format!("{l}\n"))
        .collect();
    expect![[r#"
        10.02s exec cat /usr/share/message -> 0
    "#]]
    .assert_eq(&execs);
}
