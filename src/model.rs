//! What the page shows for a given editor text, computed by the engine. No DOM here, so it is
//! tested natively.

use podplay_engine::api::server::{create_all, Outcome};
use podplay_engine::api::summary::{summarize, ObjectSummary};
use podplay_engine::api::Object;
use podplay_engine::explain::explain_pod;
use podplay_engine::scenario::{Scenario, ScenarioError};
use podplay_engine::view::{format_table, pod_row};

/// Wall-clock time, which only the UI reads; the model and the engine take it as an input.
pub use k8s_openapi::jiff::Timestamp;

/// The page's reading of the editor text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The text parsed: the objects it holds, each with the API server's answer, and what the
    /// lifecycle engine makes of them over the first minutes.
    Objects(Vec<ObjectReading>, Option<RunReading>),
    /// The text did not parse: the engine's located message, and the line to point at.
    Error { message: String, line: Option<u64> },
}

/// One object of the input as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectReading {
    pub summary: ObjectSummary,
    /// What `kubectl apply --dry-run=server` would print for it.
    pub answer: Answer,
    /// The API server's warnings, as kubectl prints them after `Warning: `.
    pub warnings: Vec<String>,
    /// For a pod given with its status (pasted from `kubectl get pod -o yaml`): why it is in
    /// that state.
    pub status: Option<StatusReading>,
}

/// The objects run through the lifecycle engine in virtual time, as kubectl would show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReading {
    /// How long the run covers (`120s`).
    pub duration: String,
    /// `kubectl get pods -w`, each row led by the virtual time.
    pub watch: String,
    /// `kubectl get events` at the end of the run.
    pub events: String,
    /// The containers' log lines and the execs, in time order.
    pub logs: String,
}

/// The longest run the page plays on each edit: a scenario's own duration up to this bound, so
/// typing stays responsive.
const RUN_AT_MOST_S: u64 = 600;

/// Runs the scenario (plain manifests are one with no steps) with the engine, seed 1, so the
/// page always shows the same run for the same text, and reads the trace as kubectl would.
fn run(scenario: Scenario) -> Option<RunReading> {
    if !scenario
        .objects
        .iter()
        .any(|m| matches!(m.object, Object::Pod(_)))
    {
        return None;
    }
    let end = scenario
        .run_for()
        .min(podplay_engine::time::Time::from_secs(RUN_AT_MOST_S));
    let config = podplay_engine::lifecycle::Config {
        seed: 1,
        ..Default::default()
    };
    let mut sim = scenario.simulation(config, podplay_mock::MockRuntime::new(1));
    // A run that cannot finish (the step budget) shows nothing rather than half a story.
    sim.run_until(end).ok()?;
    let clock = sim.engine.clock();
    Some(RunReading {
        duration: end.to_string(),
        watch: podplay_engine::view::trace::watch_table(sim.trace(), clock),
        events: podplay_engine::view::trace::events_table(sim.engine.events(), clock),
        logs: podplay_engine::view::trace::logs_text(sim.trace()),
    })
}

/// A pod's status as kubectl shows it, and the engine's explanation of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReading {
    /// `kubectl get pods` for this pod: header and row.
    pub table: String,
    /// The phase the kubelet would compute.
    pub phase: String,
    /// The reasons, in plain words.
    pub explanation: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Accepted: kubectl's `pod/web created (server dry run)`.
    Created(String),
    /// Refused: kubectl's rendering of the 422 or 403.
    Refused(String),
}

/// Reads `text` at wall-clock time `now` (for the AGE and "(5m ago)" of pods with status): plain
/// manifests, or a podplay `Scenario` (objects plus timed steps).
pub fn read(text: &str, now: Timestamp) -> Reading {
    let scenario = match Scenario::parse(text) {
        Ok(s) => s,
        Err(e) => {
            let line = match &e {
                ScenarioError::Manifest(m) => m.line,
                ScenarioError::Invalid(errors) => errors.first().and_then(|f| f.line),
            };
            return Reading::Error {
                line,
                message: e.to_string(),
            };
        }
    };
    let manifests = &scenario.objects;
    let summaries = summarize(manifests);
    let answers = create_all(manifests);
    let objects = summaries
        .into_iter()
        .zip(answers)
        .zip(manifests.iter())
        .map(|((summary, created), manifest)| {
            let line = created.kubectl_line("podplay.yaml");
            let answer = match created.outcome {
                Outcome::Created => Answer::Created(line),
                Outcome::Invalid { .. } | Outcome::Forbidden { .. } => Answer::Refused(line),
            };
            let status = match &manifest.object {
                Object::Pod(pod) if pod.status.as_ref().is_some_and(|s| s.phase.is_some()) => {
                    let explained = explain_pod(pod, now);
                    Some(StatusReading {
                        table: format_table(&[pod_row(pod, now)], false),
                        phase: explained.phase,
                        explanation: explained.explanation,
                    })
                }
                _ => None,
            };
            ObjectReading {
                summary,
                answer,
                warnings: created.warnings,
                status,
            }
        })
        .collect();
    Reading::Objects(objects, run(scenario))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noon() -> Timestamp {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_default_pod_reads_as_one_accepted_pod_with_two_containers() {
        let Reading::Objects(objects, _) =
            read(podplay_engine::examples::TWO_CONTAINER_POD, noon())
        else {
            panic!("the default pod must parse")
        };
        let pod = objects[0].summary.pod.as_ref().unwrap();
        let names: Vec<_> = pod.containers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["nginx", "helper"]);
        assert_eq!(
            objects[0].answer,
            Answer::Created("pod/web created (server dry run)".into())
        );
    }

    #[test]
    fn broken_yaml_reads_as_an_error_at_its_line() {
        let Reading::Error { line, message } =
            read("kind: Pod\napiVersion: v1\nmetadata: [\n", noon())
        else {
            panic!("broken YAML must not parse")
        };
        assert_eq!(line, Some(3), "the unclosed bracket opens on line 3");
        assert!(message.starts_with("line 3"), "{message}");
    }

    #[test]
    fn an_invalid_pod_reads_with_the_api_servers_refusal() {
        let Reading::Objects(objects, _) = read(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers: [{name: c}]\n",
            noon(),
        ) else {
            panic!("the pod parses")
        };
        assert_eq!(
            objects[0].answer,
            Answer::Refused(
                "The Pod \"x\" is invalid: spec.containers[0].image: Required value".into()
            )
        );
    }

    #[test]
    fn a_pod_with_status_reads_with_its_kubectl_row_and_explanation() {
        let text = include_str!("../crates/engine/tests/data/explain/crashloop.yaml");
        let Reading::Objects(objects, _) = read(text, noon()) else {
            panic!("the fixture parses")
        };
        let status = objects[0].status.as_ref().expect("the pod has a status");
        assert!(
            status.table.contains("CrashLoopBackOff   3 (25s ago)"),
            "{}",
            status.table
        );
        assert_eq!(status.phase, "Running");
        assert!(
            status.explanation[0].contains("waits 40s"),
            "{:?}",
            status.explanation
        );
        assert!(objects[0].summary.pod.is_some());
    }

    #[test]
    fn the_default_pod_runs_to_running_in_the_engine() {
        let Reading::Objects(_, Some(run)) =
            read(podplay_engine::examples::TWO_CONTAINER_POD, noon())
        else {
            panic!("the default pod runs")
        };
        assert!(run.watch.starts_with("T "), "{}", run.watch);
        assert!(
            run.watch.contains("web    2/2     Running"),
            "{}",
            run.watch
        );
        assert!(
            run.events.contains("Started container nginx"),
            "{}",
            run.events
        );
    }

    #[test]
    fn a_scenario_runs_with_its_steps() {
        let text = include_str!("../crates/engine/scenarios/graceful-shutdown.yaml");
        let Reading::Objects(objects, Some(run)) = read(text, noon()) else {
            panic!("the scenario reads and runs")
        };
        assert_eq!(objects[0].summary.kind, "Pod");
        assert!(run.watch.contains("Terminating"), "{}", run.watch);
        assert!(run.events.contains("Killing"), "{}", run.events);
    }

    #[test]
    fn a_scenario_with_an_unknown_action_reads_as_a_located_error() {
        let text = "apiVersion: podplay.dev/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n  objects: []\n  steps:\n  - {at: 1s, action: explode, target: pod/x}\n";
        let Reading::Error { line, message } = read(text, noon()) else {
            panic!("refused")
        };
        assert_eq!(line, Some(7));
        assert!(
            message.contains("Unsupported value: \"explode\""),
            "{message}"
        );
    }
}
