//! The API server's create path for the objects of one input, in the order a real API server
//! takes a create request: decoding and scheme defaulting, mutating admission (ServiceAccount,
//! Priority, DefaultTolerationSeconds), validation (a 422 `Invalid`), then validating admission
//! (Pod Security, a 403 `Forbidden`).
//!
//! Start at [`create_all`] (or [`ApiServer::create`] for objects from several sources). Objects are taken in input order, as `kubectl apply -f` sends them,
//! so a Namespace's Pod Security labels apply to the pods that come after it in its namespace.
//! Nothing is stored; the result is what the API server would answer, and the object as it
//! would store it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::admission::{self, NamespacePolicy};
use super::manifest::{Manifest, Object};
use super::validation;
use super::{defaults, summary};

/// What the API server answers to one create.
#[derive(Clone, Debug, PartialEq)]
pub struct Created {
    /// The document of the input the object came from (1-based).
    pub document: usize,
    /// `Pod`, `Deployment`, ...
    pub kind: &'static str,
    /// The name as stored: a `generateName` pod gets its generated name.
    pub name: String,
    /// The namespace the object is created in (`default` when it names none), or `None` for
    /// cluster-scoped kinds (Namespace, Node).
    pub namespace: Option<String>,
    pub outcome: Outcome,
    /// Warnings returned with the answer (kubectl prints each as `Warning: <text>`).
    pub warnings: Vec<String>,
    /// The object after defaulting and mutating admission, as the API server would store it.
    pub object: Object,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 201: the object would be stored.
    Created,
    /// 422: validation failed. `message` is the API server's (`Pod "x" is invalid: [a, b]`);
    /// `causes` are the field errors, as kubectl lists them.
    Invalid {
        message: String,
        causes: Vec<String>,
    },
    /// 403: an admission plugin refused it (`pods "x" is forbidden: violates PodSecurity ...`).
    Forbidden { message: String },
}

impl Created {
    /// `kubectl`'s resource name: `pod`, `deployment.apps`, `job.batch`, ...
    pub fn resource(&self) -> String {
        let group = match self.kind {
            "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => ".apps",
            "Job" => ".batch",
            _ => "",
        };
        format!("{}{group}", self.kind.to_ascii_lowercase())
    }

    /// The line kubectl prints for this answer, without the warnings: `pod/web created (server
    /// dry run)`, `The Pod "x" is invalid: ...` (kubectl's rendering of a 422 with causes, from
    /// `cmdutil.StandardErrorMessage`), or `Error from server (Forbidden): error when creating
    /// "<source>": <message>`.
    pub fn kubectl_line(&self, source: &str) -> String {
        match &self.outcome {
            Outcome::Created => {
                format!("{}/{} created (server dry run)", self.resource(), self.name)
            }
            Outcome::Invalid { causes, .. } => {
                let head = format!(
                    "The {} {} is invalid: ",
                    self.kind,
                    crate::go::quote(&self.name)
                );
                match causes.as_slice() {
                    [one] => format!("{head}{one}"),
                    many => {
                        let mut s = head;
                        for c in many {
                            s.push_str("\n* ");
                            s.push_str(c);
                        }
                        s
                    }
                }
            }
            Outcome::Forbidden { message } => format!(
                "Error from server (Forbidden): error when creating {}: {message}",
                crate::go::quote(source)
            ),
        }
    }
}

/// Creates every object in order and returns the API server's answer to each.
pub fn create_all(manifests: &[Manifest]) -> Vec<Created> {
    let mut server = ApiServer::default();
    manifests.iter().map(|m| server.create(m)).collect()
}

/// The API server's memory across creates: what earlier objects change for later ones.
#[derive(Clone, Debug, Default)]
pub struct ApiServer {
    /// Pod Security policy of each namespace created so far, by name.
    policies: BTreeMap<String, NamespacePolicy>,
}

impl ApiServer {
    /// Answers one create, as the API server would after the creates before it.
    pub fn create(&mut self, manifest: &Manifest) -> Created {
        create(manifest, &mut self.policies)
    }
}

fn create(m: &Manifest, policies: &mut BTreeMap<String, NamespacePolicy>) -> Created {
    let mut object = m.object.clone();
    let cluster_scoped = matches!(object, Object::Namespace(_) | Object::Node(_));
    let namespace = (!cluster_scoped).then(|| {
        object
            .metadata()
            .namespace
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "default".into())
    });
    generate_name(&mut object, m.document);
    let mut warnings = Vec::new();
    let mut forbidden = None;

    match &mut object {
        Object::Pod(pod) => {
            // The pod lives in the request's namespace; validation and admission see it there.
            pod.metadata.namespace = namespace.clone();
            // The Priority plugin refuses before validation runs; on refusal nothing is stored
            // (it leaves the pod as it was, and running it again in `default_pod` changes
            // nothing).
            match defaults::admit_priority(pod) {
                Err(message) => forbidden = Some(message),
                Ok(()) => defaults::default_pod_in_document(pod, m.document),
            }
        }
        Object::Deployment(d) => defaults::default_deployment(d),
        Object::ReplicaSet(r) => defaults::default_replica_set(r),
        Object::StatefulSet(s) => defaults::default_stateful_set(s),
        Object::DaemonSet(d) => defaults::default_daemon_set(d),
        Object::Job(j) => defaults::default_job(j),
        Object::Service(_) | Object::ConfigMap(_) | Object::Secret(_) => {}
        Object::Namespace(_) | Object::Node(_) => {}
    }

    let kind = object.kind();
    let name = object.name().to_string();
    let answer = |object, outcome, warnings| Created {
        document: m.document,
        kind,
        name: name.clone(),
        namespace: namespace.clone(),
        outcome,
        warnings,
        object,
    };
    if let Some(message) = forbidden {
        return answer(object, Outcome::Forbidden { message }, Vec::new());
    }

    let checked = validation::validate_object(&object);
    if let Some((qualified_kind, result)) = checked {
        if !result.errors.is_empty() {
            let message = validation::api_server_message(&qualified_kind, &name, &result.errors);
            let mut causes: Vec<String> = Vec::new();
            for e in &result.errors {
                let text = e.to_string();
                if !causes.contains(&text) {
                    causes.push(text);
                }
            }
            return answer(object, Outcome::Invalid { message, causes }, Vec::new());
        }
        warnings.extend(result.warnings);
    }

    // Validating admission: Pod Security, with the policy of the pod's namespace.
    let policy = namespace
        .as_ref()
        .and_then(|n| policies.get(n))
        .cloned()
        .unwrap_or_default();
    match &object {
        Object::Pod(pod) => {
            // The pod is defaulted already, as admission sees it.
            let verdict = admission::admit_defaulted(&policy, pod);
            if let Some(message) = verdict.rejected {
                return answer(object, Outcome::Forbidden { message }, warnings);
            }
            warnings.extend(verdict.warnings);
        }
        Object::Namespace(ns) => {
            let name = ns.metadata.name.clone().unwrap_or_default();
            policies.insert(name, NamespacePolicy::from_namespace(ns));
        }
        other => {
            if let Some((meta, spec)) = pod_template(other) {
                let meta = meta.cloned().unwrap_or_default();
                warnings.extend(admission::admit_pod_controller(&policy, &meta, spec));
            }
        }
    }
    answer(object, Outcome::Created, warnings)
}

/// A workload's pod template metadata and spec, for Pod Security's controller check.
fn pod_template(object: &Object) -> Option<(Option<&ObjectMeta>, &PodSpec)> {
    let spec = summary::pod_spec(object)?;
    let meta = match object {
        Object::Deployment(d) => d.spec.as_ref()?.template.metadata.as_ref(),
        Object::ReplicaSet(r) => r.spec.as_ref()?.template.as_ref()?.metadata.as_ref(),
        Object::StatefulSet(s) => s.spec.as_ref()?.template.metadata.as_ref(),
        Object::DaemonSet(d) => d.spec.as_ref()?.template.metadata.as_ref(),
        Object::Job(j) => j.spec.as_ref()?.template.metadata.as_ref(),
        _ => None,
    };
    Some((meta, spec))
}

/// The API server's `generateName` handling (`names.SimpleNameGenerator`): the prefix plus five
/// characters from its alphabet. The real suffix is random; podplay derives it from the
/// document number ([`defaults::simple_name_suffix`]) so the same input always gives the same
/// name.
fn generate_name(object: &mut Object, document: usize) {
    let meta = match object {
        Object::Pod(p) => &mut p.metadata,
        _ => return,
    };
    let has_name = meta.name.as_deref().is_some_and(|n| !n.is_empty());
    let Some(prefix) = meta
        .generate_name
        .clone()
        .filter(|g| !g.is_empty() && !has_name)
    else {
        return;
    };
    let suffix = defaults::simple_name_suffix(document as u64);
    // `maxGeneratedNameLength`: the prefix is cut so the whole name fits in 63 characters.
    let keep = prefix.len().min(58);
    let mut cut = keep;
    while !prefix.is_char_boundary(cut) {
        cut -= 1;
    }
    meta.name = Some(format!("{}{suffix}", &prefix[..cut]));
}

/// A pod as the API server stores it: defaulted and admitted, or the answer's error.
pub fn create_pod(pod: &Pod) -> Created {
    let manifest = Manifest {
        document: 1,
        line: 1,
        object: Object::Pod(Box::new(pod.clone())),
    };
    create_all(std::slice::from_ref(&manifest)).remove(0)
}
