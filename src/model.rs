//! What the page shows for a given editor text, computed by the engine. No DOM here, so it is
//! tested natively.

use podplay_engine::api::server::{create_all, Outcome};
use podplay_engine::api::summary::{summarize, ObjectSummary};
use podplay_engine::api::Object;
use podplay_engine::explain::explain_pod;
use podplay_engine::view::{format_table, pod_row};

/// Wall-clock time, which only the UI reads; the model and the engine take it as an input.
pub use k8s_openapi::jiff::Timestamp;

/// The page's reading of the editor text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The text parsed: the objects it holds, each with the API server's answer.
    Objects(Vec<ObjectReading>),
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

/// Reads `text` at wall-clock time `now` (for the AGE and "(5m ago)" of pods with status).
pub fn read(text: &str, now: Timestamp) -> Reading {
    let manifests = match podplay_engine::api::parse(text) {
        Ok(m) => m,
        Err(e) => {
            return Reading::Error {
                line: e.line,
                message: e.to_string(),
            }
        }
    };
    let summaries = summarize(&manifests);
    let answers = create_all(&manifests);
    let objects = summaries
        .into_iter()
        .zip(answers)
        .zip(&manifests)
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
    Reading::Objects(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noon() -> Timestamp {
        "2025-06-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_default_pod_reads_as_one_accepted_pod_with_two_containers() {
        let Reading::Objects(objects) = read(podplay_engine::examples::TWO_CONTAINER_POD, noon())
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
        let Reading::Objects(objects) = read(
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
        let Reading::Objects(objects) = read(text, noon()) else {
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
}
