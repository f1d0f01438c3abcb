//! What the page shows for a given editor text, computed by the engine. No DOM here, so it is
//! tested natively.

use podplay_engine::api::server::{create_all, Outcome};
use podplay_engine::api::summary::{summarize, ObjectSummary};

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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Accepted: kubectl's `pod/web created (server dry run)`.
    Created(String),
    /// Refused: kubectl's rendering of the 422 or 403.
    Refused(String),
}

pub fn read(text: &str) -> Reading {
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
        .map(|(summary, created)| {
            let line = created.kubectl_line("podplay.yaml");
            let answer = match created.outcome {
                Outcome::Created => Answer::Created(line),
                Outcome::Invalid { .. } | Outcome::Forbidden { .. } => Answer::Refused(line),
            };
            ObjectReading {
                summary,
                answer,
                warnings: created.warnings,
            }
        })
        .collect();
    Reading::Objects(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pod_reads_as_one_accepted_pod_with_two_containers() {
        let Reading::Objects(objects) = read(podplay_engine::examples::TWO_CONTAINER_POD) else {
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
        let Reading::Error { line, message } = read("kind: Pod\napiVersion: v1\nmetadata: [\n")
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
}
