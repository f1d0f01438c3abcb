//! The lifecycle engine: a sans-IO kubelet (with the slice of API server and scheduler a pod
//! needs) that runs pods in virtual time.
//!
//! Start at [`Engine`]. Inputs are user actions ([`Engine::act`]), runtime results
//! ([`Engine::on_runtime`]) and time ([`Engine::advance_to`], which fires due timers); outputs are
//! runtime commands ([`Engine::take_commands`]) and the trace ([`Engine::take_trace`]): Events,
//! pod snapshots, logs, execs. The engine owns the virtual clock, the timer queue (keyed by
//! `(time, sequence)` so ties resolve the same way every run) and the one seeded RNG. A driver
//! ([`crate::sim`] for virtual time, the Docker backend for real time) feeds it and carries its
//! commands to a [`crate::runtime::Runtime`].
//!
//! The kubelet side lives in [`worker`] (one pod worker per pod: sync → terminating →
//! terminated, as pkg/kubelet/pod_workers.go names them), [`volumes`] (the volume manager, the
//! sandbox's DNS and each container's mounts), [`env`] (a container's environment) and
//! [`publish`] (status from recorded facts, through [`crate::status`]). [`store`] keeps the
//! ConfigMaps, Secrets and Services they read.

pub mod backoff;
pub mod env;
pub mod events;
pub mod publish;
pub mod store;
pub mod trace;
pub mod volumes;
pub mod worker;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ObjectReference, Pod, PodCondition, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as MetaTime;

use crate::api::server::{ApiServer, Outcome};
use crate::api::{Manifest, Object};
use crate::runtime::{ContainerId, Exit, OpId, RuntimeCommand, RuntimeResult};
use crate::time::{Clock, Rng, Time};

use backoff::Backoff;
use events::{Event, Events};
use trace::Record;
use worker::{Op, PodWorker};

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// Seeds the engine's one RNG (uids, jitter).
    pub seed: u64,
    pub clock: Clock,
    /// The node's name; `node-1` when the input names no Node.
    pub node: String,
    /// The node's InternalIP (`status.hostIP`).
    pub node_ip: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 1,
            clock: Clock::default(),
            node: "node-1".into(),
            node_ip: "172.18.0.2".into(),
        }
    }
}

/// What a user does.
#[derive(Clone, Debug, PartialEq)]
pub enum UserAction {
    /// `kubectl apply`: create the objects (pods are scheduled and run).
    Apply(Vec<Manifest>),
    /// `kubectl delete pod NAME [--grace-period=N]`.
    Delete {
        namespace: String,
        name: String,
        grace_period_s: Option<i64>,
    },
    /// `kubectl delete pod NAME --grace-period=0 --force`: the object goes at once; the kubelet
    /// still stops the containers.
    ForceDelete { namespace: String, name: String },
    /// `kubectl exec NAME -c CONTAINER -- COMMAND`.
    Exec {
        namespace: String,
        name: String,
        container: String,
        command: Vec<String>,
    },
    /// Kill a container's process with SIGKILL (what `crictl stop -t 0` or the OOM killer does).
    KillContainer {
        namespace: String,
        name: String,
        container: String,
    },
}

/// What the engine says back to a user action right away (the API server's answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionReply {
    Ok(Vec<String>),
    Refused(String),
}

/// A timer: something the engine will do at a given virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Run the pod worker's sync (a resync, or a back-off that has run out).
    Sync { uid: String },
    /// A `sleep` lifecycle handler has finished; stands in for the reply to `op`.
    SleepDone { op: OpId },
    /// A preStop hook ran out of grace period: stop the container anyway.
    HookDeadline { op: OpId },
    /// A probe worker's ticker (prober/worker.go `run`): every `periodSeconds` from the pod's
    /// first sync, for the pod's whole life.
    Probe {
        uid: String,
        container: String,
        kind: worker::ProbeKind,
    },
    /// `activeDeadlineSeconds` has passed since the pod started.
    ActiveDeadline { uid: String },
    /// The PLEG's relist has seen something change in the pod (its sandbox came up): the pod
    /// worker syncs, or, if it is busy, syncs again as soon as it is done (`pendingUpdate`).
    PlegSync { uid: String },
    /// The PLEG's relist sees that a container's process has ended on its own.
    ExitSeen {
        container: ContainerId,
        exit: Exit,
        at: Time,
    },
    /// A sidecar waited for its turn to stop (`terminationOrdering.waitForTurn`) for the whole
    /// grace period: it is stopped now.
    TurnTimeout { uid: String, container: String },
    /// The volume manager's reconciler retries the pod's failing volumes (their back-off ran out).
    MountRetry { uid: String },
    /// The sync waiting for the pod's volumes gives up (`podAttachAndMountTimeout`).
    MountTimeout { uid: String },
    /// The sync waiting for the pod's volumes sees them all set up: it goes on.
    MountsReady { uid: String },
}

/// `genericPLEG`'s relist period: the kubelet notices containers that exit on their own at the
/// next relist. Relists run at whole seconds of virtual time.
pub(crate) const PLEG_RELIST_MS: u64 = 1_000;

/// The next PLEG relist at or after `t`.
pub(crate) fn next_relist(t: Time) -> Time {
    Time(t.0.div_ceil(PLEG_RELIST_MS).saturating_mul(PLEG_RELIST_MS))
}

/// The engine. See the module documentation.
pub struct Engine {
    pub(crate) config: Config,
    pub(crate) now: Time,
    pub(crate) rng: Rng,
    timers: BTreeMap<(Time, u64), Timer>,
    timer_seq: u64,
    next_op: u64,
    pub(crate) api: ApiServer,
    /// The ConfigMaps, Secrets and Services applied so far.
    pub(crate) store: store::ObjectStore,
    /// Pods the kubelet knows, by uid, in creation order of their uids' keys.
    pub(crate) pods: BTreeMap<String, PodWorker>,
    /// The API's pods: `(namespace, name)` → uid, while the object exists.
    pub(crate) names: BTreeMap<(String, String), String>,
    /// Commands in flight: which pod they belong to and what to do with the reply.
    pub(crate) ops: BTreeMap<OpId, (String, Op)>,
    /// Which pod and container each runtime container belongs to.
    pub(crate) containers: BTreeMap<ContainerId, (String, String)>,
    pub(crate) crash_backoff: Backoff,
    pub(crate) image_backoff: Backoff,
    pub(crate) events: Events,
    outbox: Vec<(OpId, RuntimeCommand)>,
    trace: Vec<Record>,
    /// Pods whose status may have changed since it was last published, in the order they were
    /// marked (published last first).
    dirty: Vec<String>,
    /// The same pods, to find one without a pass over them all (an apply marks every pod it
    /// creates).
    dirty_set: std::collections::BTreeSet<String>,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        Engine {
            rng: Rng::new(config.seed),
            config,
            now: Time::ZERO,
            timers: BTreeMap::new(),
            timer_seq: 0,
            next_op: 1,
            api: ApiServer::default(),
            store: store::ObjectStore::default(),
            pods: BTreeMap::new(),
            names: BTreeMap::new(),
            ops: BTreeMap::new(),
            containers: BTreeMap::new(),
            crash_backoff: Backoff::crash_loop(),
            image_backoff: Backoff::image_pull(),
            events: Events::default(),
            outbox: Vec::new(),
            trace: Vec::new(),
            dirty: Vec::new(),
            dirty_set: Default::default(),
        }
    }

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn clock(&self) -> Clock {
        self.config.clock
    }

    /// When the next timer is due, if any.
    pub fn next_timer(&self) -> Option<Time> {
        self.timers.keys().next().map(|(t, _)| *t)
    }

    /// Moves the clock to `to`, firing every timer due by then in `(time, sequence)` order.
    pub fn advance_to(&mut self, to: Time) {
        while let Some((&(t, seq), _)) = self.timers.iter().next() {
            if t > to {
                break;
            }
            let timer = self
                .timers
                .remove(&(t, seq))
                .expect("the key was just read");
            self.now = self.now.max(t);
            self.fire(timer);
            self.publish_dirty();
        }
        self.now = self.now.max(to);
    }

    /// A user action at the current time.
    pub fn act(&mut self, action: UserAction) -> ActionReply {
        let reply = match action {
            UserAction::Apply(manifests) => self.apply(&manifests),
            UserAction::Delete {
                namespace,
                name,
                grace_period_s,
            } => self.delete(&namespace, &name, grace_period_s, false),
            UserAction::ForceDelete { namespace, name } => {
                self.delete(&namespace, &name, Some(0), true)
            }
            UserAction::Exec {
                namespace,
                name,
                container,
                command,
            } => self.user_exec(&namespace, &name, &container, command),
            UserAction::KillContainer {
                namespace,
                name,
                container,
            } => self.kill_container(&namespace, &name, &container),
        };
        self.publish_dirty();
        reply
    }

    /// A runtime result, at the time it happened (never before the current time).
    pub fn on_runtime(&mut self, at: Time, result: RuntimeResult) {
        self.now = self.now.max(at);
        match result {
            RuntimeResult::Reply { op, reply } => {
                if let Some((uid, op_kind)) = self.take_op(op) {
                    self.on_reply(&uid, op, op_kind, reply);
                }
            }
            RuntimeResult::Exited { container, exit } => {
                if let Some((uid, name)) = self.containers.get(&container).cloned() {
                    // A container the kubelet is stopping is seen to exit at once (`StopContainer`
                    // returns when it has); one that ends on its own, at the next PLEG relist.
                    if self.is_stopping(&uid, &name) {
                        self.on_exit(&uid, &name, &container, exit, at);
                    } else {
                        let seen = next_relist(self.now);
                        self.schedule(
                            seen,
                            Timer::ExitSeen {
                                container,
                                exit,
                                at,
                            },
                        );
                    }
                }
            }
            RuntimeResult::Log { container, line } => {
                if let Some((uid, name)) = self.containers.get(&container).cloned() {
                    self.remember_log(&uid, &name, &line);
                    let pod = self
                        .pods
                        .get(&uid)
                        .map(|w| w.name.clone())
                        .unwrap_or_default();
                    self.trace.push(Record::Log {
                        t: self.now,
                        pod,
                        container: name,
                        line,
                    });
                }
            }
        }
        self.publish_dirty();
    }

    /// The runtime commands issued since the last call, in order.
    pub fn take_commands(&mut self) -> Vec<(OpId, RuntimeCommand)> {
        std::mem::take(&mut self.outbox)
    }

    /// The trace records since the last call, in time order.
    pub fn take_trace(&mut self) -> Vec<Record> {
        std::mem::take(&mut self.trace)
    }

    /// The pods in the API now, in namespace/name order.
    pub fn pods(&self) -> impl Iterator<Item = &Pod> {
        self.names
            .values()
            .filter_map(|uid| self.pods.get(uid))
            .map(|w| &w.pod)
    }

    /// Every Event so far.
    pub fn events(&self) -> &[Event] {
        &self.events.list
    }

    /// Whether the kubelet is stopping this container (so its exit is seen at once).
    fn is_stopping(&self, uid: &str, name: &str) -> bool {
        self.pods
            .get(uid)
            .and_then(|w| w.containers.iter().find(|c| c.name == name))
            .is_some_and(|c| c.stopping)
    }

    /// Whether anything can still happen without a user acting: a timer, a command in flight.
    pub fn is_idle(&self) -> bool {
        self.timers.is_empty() && self.ops.is_empty() && self.outbox.is_empty()
    }

    // --- plumbing used by the pod worker -------------------------------------------------------

    pub(crate) fn schedule(&mut self, at: Time, timer: Timer) -> (Time, u64) {
        self.timer_seq += 1;
        let key = (at.max(self.now), self.timer_seq);
        self.timers.insert(key, timer);
        key
    }

    /// Drops a timer that has not fired yet.
    pub(crate) fn cancel(&mut self, key: (Time, u64)) {
        self.timers.remove(&key);
    }

    /// Removes op `id` from the ops in flight (its reply has come, or it was abandoned).
    pub(crate) fn take_op(&mut self, id: OpId) -> Option<(String, Op)> {
        let (uid, op) = self.ops.remove(&id)?;
        if let Some(w) = self.pods.get_mut(&uid) {
            w.ops.remove(&id);
        }
        Some((uid, op))
    }

    /// Issues `command` to the runtime for pod `uid`; its reply will be handled as `op`.
    pub(crate) fn command(&mut self, uid: &str, op: Op, command: RuntimeCommand) -> OpId {
        let id = self.register_op(uid, op);
        self.outbox.push((id, command));
        id
    }

    /// Registers an op in flight without asking the runtime anything: work the engine does
    /// itself (a `sleep` lifecycle handler) still needs an id for its completion to find its pod.
    pub(crate) fn register_op(&mut self, uid: &str, op: Op) -> OpId {
        let id = OpId(self.next_op);
        self.next_op += 1;
        if let Some(w) = self.pods.get_mut(uid) {
            w.ops.insert(id);
        }
        self.ops.insert(id, (uid.to_string(), op));
        id
    }

    /// Records an Event about pod `uid` (`field_path` empty for the pod itself).
    pub(crate) fn event(
        &mut self,
        uid: &str,
        field_path: String,
        type_: &'static str,
        reason: &str,
        message: String,
        source: &'static str,
    ) {
        let Some(w) = self.pods.get(uid) else { return };
        let event = Event {
            namespace: w.namespace.clone(),
            object: format!("Pod/{}", w.name),
            object_uid: uid.to_string(),
            field_path,
            type_,
            reason: reason.to_string(),
            message,
            source,
            count: 0,
            first: self.now,
            last: self.now,
        };
        let i = self.events.record(self.now, event);
        self.trace.push(Record::Event {
            t: self.now,
            event: self.events.list[i].clone(),
        });
    }

    pub(crate) fn mark_dirty(&mut self, uid: &str) {
        if self.dirty_set.insert(uid.to_string()) {
            self.dirty.push(uid.to_string());
        }
    }

    pub(crate) fn push_trace(&mut self, record: Record) {
        self.trace.push(record);
    }

    // --- the API server and scheduler ----------------------------------------------------------

    fn apply(&mut self, manifests: &[Manifest]) -> ActionReply {
        let mut lines = Vec::new();
        for m in manifests {
            let created = self.api.create(m);
            let line = created.kubectl_line("scenario");
            let ns = created
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into());
            // A ConfigMap, Secret or Service applied again is `configured` or `unchanged`.
            let (resource, name) = (created.resource(), created.name.clone());
            let applied_line = |applied: store::Applied, line: String| match applied {
                store::Applied::Created => line,
                other => format!("{resource}/{name} {}", other.verb()),
            };
            match (&created.outcome, created.object) {
                (Outcome::Created, Object::Pod(pod)) => {
                    if self.names.contains_key(&(ns.clone(), created.name.clone())) {
                        lines.push(format!("pod/{} unchanged", created.name));
                        continue;
                    }
                    self.create_pod(*pod, ns);
                    lines.push(line);
                }
                (Outcome::Created, Object::ConfigMap(cm)) => {
                    let applied = self.store.apply_config_map(&ns, &cm);
                    lines.push(applied_line(applied, line));
                }
                (Outcome::Created, Object::Secret(secret)) => {
                    let applied = self.store.apply_secret(&ns, &secret);
                    lines.push(applied_line(applied, line));
                }
                (Outcome::Created, Object::Service(service)) => {
                    let applied = self.store.apply_service(&ns, &service);
                    lines.push(applied_line(applied, line));
                }
                (Outcome::Created, _) => lines.push(line),
                (_, _) => return ActionReply::Refused(line),
            }
        }
        ActionReply::Ok(lines)
    }

    /// Stores a new pod, and schedules it: with one node, the default-scheduler binds it at once.
    fn create_pod(&mut self, mut pod: Pod, namespace: String) {
        let uid = self.rng.uuid();
        let name = pod.metadata.name.clone().unwrap_or_default();
        pod.metadata.uid = Some(uid.clone());
        pod.metadata.namespace = Some(namespace.clone());
        pod.metadata.creation_timestamp = Some(MetaTime(self.config.clock.timestamp(self.now)));
        pod.metadata.resource_version = Some("1".into());
        pod.status = Some(PodStatus {
            phase: Some("Pending".into()),
            qos_class: Some(crate::view::pod_qos(&pod)),
            ..PodStatus::default()
        });
        self.names
            .insert((namespace.clone(), name.clone()), uid.clone());
        self.pods
            .insert(uid.clone(), PodWorker::new(uid.clone(), pod));
        self.publish_pod(&uid);

        // The default-scheduler binds the pod to the node (`Successfully assigned ...`).
        let node = self.config.node.clone();
        if let Some(w) = self.pods.get_mut(&uid) {
            if let Some(spec) = w.pod.spec.as_mut() {
                spec.node_name = Some(node.clone());
                w.spec = std::sync::Arc::new(spec.clone());
                w.object_changed = true;
            }
            let status = w.pod.status.get_or_insert_with(Default::default);
            status.conditions = Some(vec![PodCondition {
                type_: "PodScheduled".into(),
                status: "True".into(),
                last_transition_time: Some(MetaTime(self.config.clock.timestamp(self.now))),
                ..PodCondition::default()
            }]);
        }
        self.event(
            &uid,
            String::new(),
            "Normal",
            "Scheduled",
            format!("Successfully assigned {namespace}/{name} to {node}"),
            "default-scheduler",
        );
        self.publish_pod(&uid);
        self.sync_pod(&uid);
    }

    fn lookup(&self, namespace: &str, name: &str) -> Option<String> {
        self.names
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
    }

    /// `kubectl delete`: sets the deletion timestamp and grace period (from the request, else
    /// the spec, else 30 s); the kubelet then stops the pod and the object goes when it has.
    fn delete(
        &mut self,
        namespace: &str,
        name: &str,
        grace_period_s: Option<i64>,
        force: bool,
    ) -> ActionReply {
        let Some(uid) = self.lookup(namespace, name) else {
            return ActionReply::Refused(format!(
                "Error from server (NotFound): pods \"{name}\" not found"
            ));
        };
        let w = self
            .pods
            .get_mut(&uid)
            .expect("names only index live workers");
        let spec_grace = w
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds);
        // A negative grace period is treated as 1 (validation warns about it).
        let grace = grace_period_s
            .or(spec_grace)
            .unwrap_or(30)
            .max(if force { 0 } else { 1 });
        let grace = if grace_period_s.is_none() && spec_grace.is_some_and(|g| g < 0) {
            1
        } else {
            grace
        };
        let deadline = self.now.plus_secs(grace);
        if w.pod.metadata.deletion_timestamp.is_none() {
            w.pod.metadata.deletion_timestamp =
                Some(MetaTime(self.config.clock.timestamp(deadline)));
            w.pod.metadata.deletion_grace_period_seconds = Some(grace);
            w.object_changed = true;
        }
        let line = if force {
            format!("pod \"{name}\" force deleted")
        } else {
            format!("pod \"{name}\" deleted")
        };
        if force {
            self.remove_from_api(&uid);
        } else {
            self.publish_pod(&uid);
        }
        self.start_terminating(&uid, grace);
        ActionReply::Ok(vec![line])
    }

    /// The object leaves the API (the kubelet's final delete, or a force delete).
    pub(crate) fn remove_from_api(&mut self, uid: &str) {
        let Some(w) = self.pods.get_mut(uid) else {
            return;
        };
        if w.deleted {
            return;
        }
        w.deleted = true;
        let (namespace, name) = (w.namespace.clone(), w.name.clone());
        self.names.remove(&(namespace.clone(), name.clone()));
        self.trace.push(Record::PodDeleted {
            t: self.now,
            namespace,
            name,
        });
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::Sync { uid } => {
                // A sync from the work queue retries the containers whose configuration failed.
                self.clear_config_errors(&uid);
                self.sync_pod(&uid)
            }
            Timer::SleepDone { op } => {
                if let Some((uid, kind)) = self.take_op(op) {
                    self.on_reply(&uid, op, kind, crate::runtime::Reply::Done);
                }
            }
            Timer::HookDeadline { op } => self.on_hook_deadline(op),
            Timer::Probe {
                uid,
                container,
                kind,
            } => self.run_probe(&uid, &container, kind),
            Timer::ActiveDeadline { uid } => self.on_active_deadline(&uid),
            Timer::PlegSync { uid } => self.pleg_sync(&uid),
            Timer::ExitSeen {
                container,
                exit,
                at,
            } => {
                if let Some((uid, name)) = self.containers.get(&container).cloned() {
                    self.on_exit(&uid, &name, &container, exit, at);
                }
            }
            Timer::TurnTimeout { uid, container } => self.on_turn_timeout(&uid, &container),
            Timer::MountRetry { uid } => self.reconcile_volumes(&uid),
            Timer::MountTimeout { uid } => self.on_mount_timeout(&uid),
            Timer::MountsReady { uid } => self.sync_pod(&uid),
        }
    }

    fn publish_dirty(&mut self) {
        while let Some(uid) = self.dirty.pop() {
            self.dirty_set.remove(&uid);
            self.publish_pod(&uid);
        }
    }

    /// The object reference an Event about pod `uid` carries.
    pub fn involved_object(&self, uid: &str) -> Option<ObjectReference> {
        let w = self.pods.get(uid)?;
        Some(ObjectReference {
            kind: Some("Pod".into()),
            namespace: Some(w.namespace.clone()),
            name: Some(w.name.clone()),
            uid: Some(uid.to_string()),
            api_version: Some("v1".into()),
            ..ObjectReference::default()
        })
    }
}
