//! The kubelet's status manager: builds a pod's status from what the pod worker has recorded and
//! publishes it when it changes. Phase and conditions come from [`crate::status`]
//! (`generateAPIPodStatus`), container statuses as `convertToAPIContainerStatuses` builds them.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use super::trace::{PodSnapshot, Record};
use super::worker::{ContainerRecord, Kind, Phase, PodWorker, Sandbox, Terminated};
use super::Engine;
use crate::status::{generate_api_pod_status, FeatureGates, PodSandbox, StatusInput};
use crate::time::Clock;

impl Engine {
    /// Publishes pod `uid`'s status if it changed, with a new `resourceVersion` and a trace
    /// record of the whole object.
    pub(crate) fn publish_pod(&mut self, uid: &str) {
        let clock = self.config.clock;
        let now = self.now;
        let node_ip = self.config.node_ip.clone();
        let Some(w) = self.pods.get_mut(uid) else {
            return;
        };
        if w.deleted {
            return;
        }
        let mut status = if w.start_time.is_some() {
            build_status(w, &clock, &node_ip)
        } else {
            w.pod.status.clone().unwrap_or_default()
        };
        // lastTransitionTime moves only when a condition's status changes.
        let previous = w
            .pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_deref())
            .unwrap_or_default();
        if let Some(conditions) = status.conditions.as_mut() {
            for c in conditions.iter_mut() {
                let before = previous
                    .iter()
                    .find(|p| p.type_ == c.type_ && p.status == c.status);
                c.last_transition_time = before
                    .and_then(|p| p.last_transition_time.clone())
                    .or_else(|| Some(MetaTime(clock.timestamp(now))));
            }
        }
        // Publish only real changes: a new status, or an object changed elsewhere.
        if !w.object_changed && w.pod.status.as_ref() == Some(&status) {
            return;
        }
        w.object_changed = false;
        w.pod.status = Some(status);
        let version: u64 = w
            .pod
            .metadata
            .resource_version
            .as_deref()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        w.pod.metadata.resource_version = Some((version + 1).to_string());
        let pod = Box::new(PodSnapshot {
            metadata: w.pod.metadata.clone(),
            spec: w.spec.clone(),
            status: w.pod.status.clone(),
        });
        self.push_trace(Record::Pod { t: now, pod });
    }
}

/// The pod's status as the kubelet would publish it now.
fn build_status(w: &PodWorker, clock: &Clock, node_ip: &str) -> PodStatus {
    let has_init = w.containers.iter().any(|c| c.kind != Kind::Regular);
    let statuses = |kinds: &[Kind]| -> Vec<ContainerStatus> {
        w.containers
            .iter()
            .filter(|c| kinds.contains(&c.kind))
            .map(|c| container_status(c, has_init, clock))
            .collect()
    };
    let init = statuses(&[Kind::Init, Kind::Sidecar]);
    let regular = statuses(&[Kind::Regular]);
    let sandbox = match &w.sandbox {
        Sandbox::Ready { .. } => PodSandbox::Ready { has_ip: true },
        Sandbox::Stopping { .. } | Sandbox::Stopped { .. } => PodSandbox::NotReady,
        Sandbox::None | Sandbox::Creating => PodSandbox::Missing,
    };
    let terminal = match w.phase {
        Phase::Terminated => true,
        Phase::Terminating { .. } => w.containers.iter().all(|c| c.running.is_none()),
        Phase::Sync => false,
    };
    let empty = PodStatus::default();
    let old = w.pod.status.as_ref().unwrap_or(&empty);
    let gates = FeatureGates::default();
    let generated = generate_api_pod_status(&StatusInput {
        pod: &w.pod,
        old_status: old,
        init_container_statuses: Some(&init),
        container_statuses: Some(&regular),
        pod_is_terminal: terminal,
        sandbox,
        gates: &gates,
    });
    let (mut phase, mut reason, mut message) = (
        generated.phase.phase,
        generated.phase.reason,
        generated.phase.message,
    );
    if let Some((p, r, m)) = &w.forced {
        phase = p.clone();
        reason = Some(r.clone());
        message = Some(m.clone());
    }
    let ip = w.sandbox_ip().map(str::to_string);
    PodStatus {
        phase: Some(phase),
        reason,
        message,
        conditions: Some(generated.conditions.into_iter().map(strip_time).collect()),
        host_ip: Some(node_ip.to_string()),
        host_ips: Some(vec![k8s_openapi::api::core::v1::HostIP {
            ip: node_ip.to_string(),
        }]),
        pod_ip: ip.clone(),
        pod_ips: ip.map(|ip| vec![PodIP { ip }]),
        start_time: w.start_time.map(|t| MetaTime(clock.timestamp(t))),
        qos_class: w.pod.status.as_ref().and_then(|s| s.qos_class.clone()),
        init_container_statuses: (!init.is_empty()).then_some(init),
        container_statuses: Some(regular),
        ..PodStatus::default()
    }
}

fn strip_time(mut c: PodCondition) -> PodCondition {
    c.last_transition_time = None;
    c.last_probe_time = None;
    c
}

/// `convertToAPIContainerStatuses` for one container.
fn container_status(c: &ContainerRecord, has_init: bool, clock: &Clock) -> ContainerStatus {
    let terminated = |t: &Terminated| ContainerStateTerminated {
        exit_code: t.exit_code,
        reason: Some(t.reason.clone()),
        message: t.message.clone(),
        started_at: Some(MetaTime(clock.timestamp(t.started_at))),
        finished_at: Some(MetaTime(clock.timestamp(t.finished_at))),
        container_id: Some(t.container_id.0.clone()),
        ..ContainerStateTerminated::default()
    };
    let state = if let Some(r) = &c.running {
        ContainerState {
            running: Some(ContainerStateRunning {
                started_at: Some(MetaTime(clock.timestamp(r.started_at))),
            }),
            ..ContainerState::default()
        }
    } else if let Some((reason, message)) = &c.waiting {
        ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.clone()),
                message: (!message.is_empty()).then(|| message.clone()),
            }),
            ..ContainerState::default()
        }
    } else if let Some(t) = &c.terminated {
        ContainerState {
            terminated: Some(terminated(t)),
            ..ContainerState::default()
        }
    } else {
        let reason = if has_init {
            "PodInitializing"
        } else {
            "ContainerCreating"
        };
        ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: Some(reason.into()),
                message: None,
            }),
            ..ContainerState::default()
        }
    };
    // Once it has restarted, the previous run shows as lastState; while it waits to restart,
    // the run that just ended does.
    let last = if c.running.is_some() || c.waiting.is_none() {
        c.last_state.as_ref()
    } else {
        c.terminated.as_ref().or(c.last_state.as_ref())
    };
    let last_state = last.map(|t| ContainerState {
        terminated: Some(terminated(t)),
        ..ContainerState::default()
    });
    let container_id = c
        .running
        .as_ref()
        .map(|r| r.id.0.clone())
        .or_else(|| c.terminated.as_ref().map(|t| t.container_id.0.clone()));
    let image = c.spec.image.clone().unwrap_or_default();
    ContainerStatus {
        name: c.name.clone(),
        image: image.clone(),
        image_id: if c.running.is_some() || c.terminated.is_some() {
            c.image_id.clone()
        } else {
            String::new()
        },
        container_id,
        ready: c.is_ready(),
        // A regular init container counts as started while it runs.
        started: Some(c.running.is_some() && (c.started || c.kind == Kind::Init)),
        restart_count: c.restart_count,
        state: Some(state),
        last_state: Some(last_state.unwrap_or_default()),
        ..ContainerStatus::default()
    }
}

/// The image reference as the runtime resolved it (`docker.io/library/nginx:1.27`).
pub(super) fn image_id(image: &str) -> String {
    crate::api::image::Reference::parse(image).map_or_else(|| image.to_string(), |r| r.normalized())
}
