//! The trace: everything that happened in a run, in time order. Every view (the watch rows,
//! `kubectl get events`, describe, the jsonl output, the playground's timeline) is read from it.

use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::ser::{SerializeMap, Serializer};

use super::events::Event;
use crate::time::Time;

#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// An Event was recorded (or an identical one counted again).
    Event { t: Time, event: Event },
    /// A pod was created or changed: the whole object as the API server now has it.
    Pod { t: Time, pod: Box<PodSnapshot> },
    /// A pod left the API.
    PodDeleted {
        t: Time,
        namespace: String,
        name: String,
    },
    /// A container wrote a line.
    Log {
        t: Time,
        pod: String,
        container: String,
        line: String,
    },
    /// A user's exec finished.
    Exec {
        t: Time,
        pod: String,
        container: String,
        command: Vec<String>,
        exit_code: i32,
        output: String,
    },
}

/// A pod as published at one moment. The spec never changes once the pod is bound, so every
/// snapshot of a pod shares one copy of it; [`PodSnapshot::to_pod`] gives the whole object.
#[derive(Clone, Debug, PartialEq)]
pub struct PodSnapshot {
    pub metadata: ObjectMeta,
    pub spec: Arc<PodSpec>,
    pub status: Option<PodStatus>,
}

impl PodSnapshot {
    /// The v1 Pod this snapshot stands for.
    pub fn to_pod(&self) -> Pod {
        Pod {
            metadata: self.metadata.clone(),
            spec: Some((*self.spec).clone()),
            status: self.status.clone(),
        }
    }
}

impl Record {
    pub fn time(&self) -> Time {
        match self {
            Record::Event { t, .. }
            | Record::Pod { t, .. }
            | Record::PodDeleted { t, .. }
            | Record::Log { t, .. }
            | Record::Exec { t, .. } => *t,
        }
    }

    /// One line of `podplay run --output jsonl`: `t` in seconds of virtual time, then the
    /// record's fields.
    pub fn to_json_line(&self) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::new(&mut out);
        // Serializing into a Vec cannot fail for these plain values.
        let _ = self.write_json(&mut ser);
        String::from_utf8(out).unwrap_or_default()
    }

    fn write_json<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let t = self.time().as_secs_f64();
        let mut m = ser.serialize_map(None)?;
        m.serialize_entry("t", &t)?;
        match self {
            Record::Event { event: e, .. } => {
                m.serialize_entry("kind", "Event")?;
                m.serialize_entry("type", e.type_)?;
                m.serialize_entry("reason", &e.reason)?;
                m.serialize_entry("message", &e.message)?;
                m.serialize_entry("object", &e.object)?;
                m.serialize_entry("fieldPath", &e.field_path)?;
                m.serialize_entry("source", e.source)?;
                m.serialize_entry("count", &e.count)?;
            }
            Record::Pod { pod, .. } => {
                m.serialize_entry("kind", "Pod")?;
                m.serialize_entry("object", &pod.to_pod())?;
            }
            Record::PodDeleted {
                namespace, name, ..
            } => {
                m.serialize_entry("kind", "PodDeleted")?;
                m.serialize_entry("namespace", namespace)?;
                m.serialize_entry("name", name)?;
            }
            Record::Log {
                pod,
                container,
                line,
                ..
            } => {
                m.serialize_entry("kind", "Log")?;
                m.serialize_entry("pod", pod)?;
                m.serialize_entry("container", container)?;
                m.serialize_entry("line", line)?;
            }
            Record::Exec {
                pod,
                container,
                command,
                exit_code,
                output,
                ..
            } => {
                m.serialize_entry("kind", "Exec")?;
                m.serialize_entry("pod", pod)?;
                m.serialize_entry("container", container)?;
                m.serialize_entry("command", command)?;
                m.serialize_entry("exitCode", exit_code)?;
                m.serialize_entry("output", output)?;
            }
        }
        m.end()
    }
}
