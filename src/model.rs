//! What the page shows for a given editor text, computed by the engine. No DOM here, so it is
//! tested natively.

use podplay_engine::api::summary::{summarize, ObjectSummary};

/// The page's reading of the editor text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// The text parsed: the objects it holds.
    Objects(Vec<ObjectSummary>),
    /// The text did not parse: the engine's located message, and the line to point at.
    Error { message: String, line: Option<u64> },
}

pub fn read(text: &str) -> Reading {
    match podplay_engine::api::parse(text) {
        Ok(manifests) => Reading::Objects(summarize(&manifests)),
        Err(e) => Reading::Error {
            line: e.line,
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_pod_reads_as_one_pod_with_two_containers() {
        let Reading::Objects(objects) = read(podplay_engine::examples::TWO_CONTAINER_POD) else {
            panic!("the default pod must parse")
        };
        let names: Vec<_> = objects[0]
            .pod
            .as_ref()
            .unwrap()
            .containers
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["nginx", "helper"]);
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
}
