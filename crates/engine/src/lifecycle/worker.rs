//! The pod worker: what the kubelet does for one pod, from the first sync to the last.
//!
//! A worker is in one of the kubelet's phases (pkg/kubelet/pod_workers.go): **sync** (bring the
//! pod to its desired state), **terminating** (stop everything: preStop, stop signal, SIGKILL at
//! the end of the grace period), **terminated** (the sandbox is gone; the status is final).
//!
//! [`Engine::sync_pod`] mirrors `SyncPod` with `computePodActions`: it looks at the recorded
//! facts and takes the next step (create the sandbox, start the next init container, restart a
//! container whose back-off has run out, start the app containers in order). Like the kubelet,
//! a worker does one runtime call at a time on its sync path (pull, create, start, postStart),
//! so a postStart hook holds up the next container; it recomputes after each reply. Probes, user
//! execs and the stops of termination run beside it.

use k8s_openapi::api::core::v1::{Container, LifecycleHandler, Pod, PodSpec, Probe};

use super::{Engine, Timer};
use crate::go;
use crate::runtime::{
    ContainerId, Exit, OpId, PodRef, ProbeOutcome, Reply, RuntimeCommand, SandboxId,
};
use crate::status::{container_should_restart, FeatureGates};
use crate::time::Time;

/// `minimumGracePeriodInSeconds` (kuberuntime_manager.go): a stop never gets less.
const MINIMUM_GRACE_PERIOD_S: i64 = 2;
/// `backOffPeriod` in pod_workers.go: after a sync that failed (a back-off, a pull error), the
/// worker tries again this long later (jittered by half).
const SYNC_ERROR_REQUEUE_MS: u64 = 10_000;
/// `resyncInterval` (the kubelet's `--sync-frequency`, 1 min): the longest a requeue waits.
const RESYNC_INTERVAL_MS: u64 = 60_000;
/// How many of a container's last log lines `FallbackToLogsOnError` may use
/// (`kubecontainer.MaxContainerTerminationMessageLogLines`).
const TERMINATION_LOG_LINES: usize = 80;
/// The most of the termination message file the kubelet reads: its last 4 KiB
/// (`kubecontainer.MaxContainerTerminationMessageLength`). Runtimes need hand over no more.
pub const TERMINATION_MESSAGE_MAX_BYTES: usize = 4 * 1024;
/// The most of the log tail `FallbackToLogsOnError` uses
/// (`kubecontainer.MaxContainerTerminationMessageLogLength`).
const TERMINATION_LOG_MAX_BYTES: usize = 2 * 1024;

/// What a command in flight is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Sandbox,
    StopSandbox,
    ImageStatus {
        container: String,
    },
    Pull {
        container: String,
        image: String,
        started: Time,
    },
    Create {
        container: String,
    },
    Start {
        container: String,
    },
    PostStart {
        container: String,
    },
    PreStop {
        container: String,
        grace_s: i64,
        started: Time,
    },
    Stop {
        container: String,
    },
    Signal {
        container: String,
    },
    Probe {
        container: String,
        kind: ProbeKind,
        /// The container instance probed: a result about an older one is dropped.
        target: ContainerId,
    },
    UserExec {
        container: String,
        command: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProbeKind {
    Startup,
    Liveness,
    Readiness,
}

impl ProbeKind {
    fn title(self) -> &'static str {
        match self {
            ProbeKind::Startup => "Startup",
            ProbeKind::Liveness => "Liveness",
            ProbeKind::Readiness => "Readiness",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Init,
    Sidecar,
    Regular,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Sync,
    /// Stopping everything; `grace_s` from the deletion (or the spec), counted from `since`.
    Terminating {
        grace_s: i64,
        since: Time,
    },
    Terminated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Sandbox {
    None,
    Creating,
    Ready { id: SandboxId, ip: String },
    Stopping { ip: String },
    Stopped { ip: String },
}

/// How one run of a container ended (`lastState.terminated` once it has been replaced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Terminated {
    pub exit_code: i32,
    pub reason: String,
    pub message: Option<String>,
    pub started_at: Time,
    pub finished_at: Time,
    pub container_id: ContainerId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Running {
    pub id: ContainerId,
    pub started_at: Time,
}

/// One probe worker's state (prober/worker.go `worker`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ProbeState {
    /// The container instance the results are about.
    pub container: Option<ContainerId>,
    /// The last probe's result and how many times in a row it came (`lastResult`, `resultRun`).
    pub last_result: Option<bool>,
    pub run: i32,
    /// Probing stops after a liveness or startup failure until a new container runs.
    pub on_hold: bool,
    /// A probe is running (the worker probes one at a time; ticks meanwhile are lost).
    pub in_flight: bool,
    /// The readiness result the results manager holds (`Failure` until the threshold is met).
    pub ready: bool,
}

/// What the kubelet knows of one container, across its restarts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ContainerRecord {
    pub name: String,
    pub kind: Kind,
    pub spec: Container,
    /// `spec.containers{app}` / `spec.initContainers{init}`, for Events.
    pub field_path: String,
    /// Created in the runtime, not started yet.
    pub created: Option<ContainerId>,
    pub running: Option<Running>,
    /// The newest run's end, while no newer run has started.
    pub terminated: Option<Terminated>,
    /// The run before the current one (`lastState`).
    pub last_state: Option<Terminated>,
    pub restart_count: i32,
    /// Why it is not running, when the kubelet has a reason (`ErrImagePull`, `CrashLoopBackOff`).
    pub waiting: Option<(String, String)>,
    /// Started as the kubelet means it: running, and past its startup probe.
    pub started: bool,
    /// A probe failed: kill with this message (`Container app failed liveness probe, ...`).
    pub kill_message: Option<(String, Option<i64>)>,
    /// A stop is on its way (preStop or stop signal).
    pub stopping: bool,
    pub probes: [ProbeState; 3],
    /// Killed by a probe and to be restarted in the same sync: `doBackOff` then looks at the
    /// exited instance before the killed one (its `finishedAt`, if there was one).
    pub restart_after_kill: Option<Option<Time>>,
    /// A sidecar waiting for its turn to stop (`waitForTurn`): the grace period it had left and
    /// since when it waits.
    pub awaiting_turn: Option<(i64, Time)>,
    /// The last failed pull's message, for the `ImagePullBackOff` waiting message.
    pub pull_error: Option<String>,
    /// The newest log lines, for `FallbackToLogsOnError`.
    pub recent_logs: Vec<String>,
    /// Its configuration failed in this round of syncs (`CreateContainerConfigError`): the
    /// other containers go on; it is retried when the work queue next syncs the pod.
    pub config_error: bool,
    /// The image as the runtime resolves it (`imageID` once the container has run), read from
    /// the spec's image once.
    pub image_id: String,
}

impl ContainerRecord {
    fn new(spec: &Container, kind: Kind) -> ContainerRecord {
        let list = if kind == Kind::Regular {
            "containers"
        } else {
            "initContainers"
        };
        ContainerRecord {
            name: spec.name.clone(),
            kind,
            field_path: format!("spec.{list}{{{}}}", spec.name),
            spec: spec.clone(),
            created: None,
            running: None,
            terminated: None,
            last_state: None,
            restart_count: 0,
            waiting: None,
            started: false,
            kill_message: None,
            stopping: false,
            probes: Default::default(),
            restart_after_kill: None,
            awaiting_turn: None,
            pull_error: None,
            recent_logs: Vec::new(),
            config_error: false,
            image_id: super::publish::image_id(spec.image.as_deref().unwrap_or_default()),
        }
    }

    /// `ready` as the status manager reports it: a regular init container once it has
    /// succeeded; any other once it runs, has started, and passes its readiness probe (if any).
    pub(crate) fn is_ready(&self) -> bool {
        if self.kind == Kind::Init {
            return self.succeeded();
        }
        let Some(running) = &self.running else {
            return false;
        };
        if !self.started {
            return false;
        }
        if self.spec.readiness_probe.is_none() {
            return true;
        }
        let readiness = &self.probes[probe_index(ProbeKind::Readiness)];
        readiness.ready && readiness.container.as_ref() == Some(&running.id)
    }

    fn ever_ran(&self) -> bool {
        self.running.is_some() || self.terminated.is_some() || self.last_state.is_some()
    }

    /// An init container that has finished its job (exited 0 and is not running again).
    fn succeeded(&self) -> bool {
        self.running.is_none() && self.terminated.as_ref().is_some_and(|t| t.exit_code == 0)
    }
}

/// One pod as the kubelet tracks it.
pub struct PodWorker {
    pub uid: String,
    pub name: String,
    pub namespace: String,
    /// The object as the API server has it, status included.
    pub pod: Pod,
    /// The spec, shared with every published snapshot (it never changes once bound).
    pub(crate) spec: std::sync::Arc<k8s_openapi::api::core::v1::PodSpec>,
    /// The object has left the API.
    pub deleted: bool,
    pub(crate) phase: Phase,
    pub(crate) sandbox: Sandbox,
    pub(crate) containers: Vec<ContainerRecord>,
    /// The sync path's command in flight: one at a time, as `SyncPod` is sequential.
    pub(crate) busy: Option<OpId>,
    /// `status.startTime`: when the kubelet first synced the pod.
    pub(crate) start_time: Option<Time>,
    /// The kubelet forced a terminal phase (`DeadlineExceeded`): phase, reason, message.
    pub(crate) forced: Option<(String, String, String)>,
    /// The object was changed outside the status manager (created, bound, marked for deletion)
    /// since it was last published.
    pub(crate) object_changed: bool,
    /// This pod's commands in flight (a subset of the engine's), so per-pod questions do not
    /// scan every pod's.
    pub(crate) ops: std::collections::BTreeSet<OpId>,
    /// A PLEG event came while the sync path was busy: sync again once it is free.
    pub(crate) pending_sync: bool,
    /// The work queue's one entry for this pod (a requeue after an error or a back-off).
    pub(crate) requeue: Option<(Time, u64)>,
    /// The volume manager's view of the pod's volumes.
    pub(crate) volumes: super::volumes::VolumeState,
    /// The probe manager has the pod (`probeManager.AddPod`, once its volumes are set up).
    pub(crate) probes_added: bool,
}

impl PodWorker {
    pub(crate) fn new(uid: String, pod: Pod) -> PodWorker {
        let spec = std::sync::Arc::new(pod.spec.clone().unwrap_or_default());
        let mut containers = Vec::new();
        for c in spec.init_containers.iter().flatten() {
            let kind = if crate::status::is_restartable_init_container(c) {
                Kind::Sidecar
            } else {
                Kind::Init
            };
            containers.push(ContainerRecord::new(c, kind));
        }
        for c in &spec.containers {
            containers.push(ContainerRecord::new(c, Kind::Regular));
        }
        PodWorker {
            spec,
            uid,
            name: pod.metadata.name.clone().unwrap_or_default(),
            namespace: pod
                .metadata
                .namespace
                .clone()
                .unwrap_or_else(|| "default".into()),
            pod,
            deleted: false,
            phase: Phase::Sync,
            sandbox: Sandbox::None,
            containers,
            busy: None,
            start_time: None,
            forced: None,
            object_changed: true,
            ops: std::collections::BTreeSet::new(),
            pending_sync: false,
            requeue: None,
            volumes: Default::default(),
            probes_added: false,
        }
    }

    pub(crate) fn pod_ref(&self) -> PodRef {
        PodRef {
            uid: self.uid.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.containers.iter().position(|c| c.name == name)
    }

    /// `format.Pod`: `name_namespace(uid)`, as kubelet messages name a pod.
    pub(crate) fn format_pod(&self) -> String {
        format!("{}_{}({})", self.name, self.namespace, self.uid)
    }

    pub(crate) fn sandbox_ip(&self) -> Option<&str> {
        match &self.sandbox {
            Sandbox::Ready { ip, .. } | Sandbox::Stopping { ip } | Sandbox::Stopped { ip } => {
                Some(ip)
            }
            _ => None,
        }
    }

    fn restart_policy(&self) -> &str {
        self.pod
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.as_deref())
            .unwrap_or("Always")
    }
}

/// Which step of `startContainer` a sync is in; the reply to the step's command moves it on.
fn handler_command(
    handler: &LifecycleHandler,
    container: &ContainerId,
    pod_ip: &str,
    timeout_s: i64,
) -> Option<HookAction> {
    if let Some(exec) = &handler.exec {
        return Some(HookAction::Command(RuntimeCommand::ExecSync {
            container: container.clone(),
            command: exec.command.clone().unwrap_or_default(),
            timeout_s,
        }));
    }
    if let Some(http) = &handler.http_get {
        return Some(HookAction::Command(RuntimeCommand::HttpGet {
            pod_ip: http.host.clone().unwrap_or_else(|| pod_ip.to_string()),
            port: int_or_string_port(&http.port),
            path: http.path.clone().unwrap_or_else(|| "/".into()),
            scheme: http.scheme.clone().unwrap_or_else(|| "HTTP".into()),
            timeout_s,
        }));
    }
    if let Some(sleep) = &handler.sleep {
        return Some(HookAction::Sleep(sleep.seconds));
    }
    handler.tcp_socket.as_ref().map(|tcp| {
        HookAction::Command(RuntimeCommand::TcpSocket {
            pod_ip: tcp.host.clone().unwrap_or_else(|| pod_ip.to_string()),
            port: int_or_string_port(&tcp.port),
            timeout_s,
        })
    })
}

enum HookAction {
    Command(RuntimeCommand),
    Sleep(i64),
}

/// A numeric port; a named port is looked up by the caller (not yet: 0 never answers).
fn int_or_string_port(port: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> i32 {
    match port {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(p) => *p,
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
            s.parse().unwrap_or(0)
        }
    }
}

fn probe_of(spec: &Container, kind: ProbeKind) -> Option<&Probe> {
    match kind {
        ProbeKind::Startup => spec.startup_probe.as_ref(),
        ProbeKind::Liveness => spec.liveness_probe.as_ref(),
        ProbeKind::Readiness => spec.readiness_probe.as_ref(),
    }
}

/// `periodSeconds` (10 by default; never under a second, so a zero period cannot spin).
fn probe_period_ms(probe: &Probe) -> u64 {
    u64::from(probe.period_seconds.unwrap_or(10).max(1).unsigned_abs()) * 1000
}

/// A probe's port: a number, or the name of one of the container's ports
/// (`probe.ResolveContainerPort`). A name nobody declared resolves to 0, which refuses.
fn resolve_port(
    port: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString,
    ports: &[k8s_openapi::api::core::v1::ContainerPort],
) -> i32 {
    match port {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(p) => *p,
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(name) => ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .map(|p| p.container_port)
            .or_else(|| name.parse().ok())
            .unwrap_or(0),
    }
}

fn probe_index(kind: ProbeKind) -> usize {
    match kind {
        ProbeKind::Startup => 0,
        ProbeKind::Liveness => 1,
        ProbeKind::Readiness => 2,
    }
}

impl Engine {
    fn worker(&mut self, uid: &str) -> Option<&mut PodWorker> {
        self.pods.get_mut(uid)
    }

    /// `SyncPod` with `computePodActions`: takes the next step toward the pod's desired state.
    pub(crate) fn sync_pod(&mut self, uid: &str) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        if w.busy.is_some() {
            return;
        }
        match w.phase {
            Phase::Terminated => return,
            Phase::Terminating { .. } => return self.sync_terminating(uid),
            Phase::Sync => {}
        }
        if w.start_time.is_none() {
            w.start_time = Some(now);
            let deadline = w.pod.spec.as_ref().and_then(|s| s.active_deadline_seconds);
            if let Some(seconds) = deadline {
                self.schedule(
                    now.plus_secs(seconds),
                    Timer::ActiveDeadline { uid: uid.into() },
                );
            }
            self.mark_dirty(uid);
        }
        let w = self.worker(uid).expect("checked above");

        // 1. The sandbox: pause container, network namespace, IP; first the pod's volumes
        // (`WaitForAttachAndMount`), then the probe manager takes the pod.
        match &w.sandbox {
            Sandbox::None => {
                if !self.volumes_ready(uid) {
                    return;
                }
                let w = self.worker(uid).expect("checked above");
                if !w.probes_added {
                    w.probes_added = true;
                    self.start_probe_workers(uid);
                }
                let Some((hostname, config)) = self.sandbox_config(uid) else {
                    return;
                };
                let w = self.worker(uid).expect("checked above");
                w.sandbox = Sandbox::Creating;
                let command = RuntimeCommand::RunPodSandbox {
                    pod: w.pod_ref(),
                    hostname,
                    config: Box::new(config),
                };
                let op = self.command(uid, Op::Sandbox, command);
                self.worker(uid).expect("exists").busy = Some(op);
                return;
            }
            Sandbox::Creating => return,
            Sandbox::Ready { .. } => {}
            Sandbox::Stopping { .. } | Sandbox::Stopped { .. } => return,
        }

        // 2. Containers a probe has condemned are killed before anything starts.
        if let Some(i) = w
            .containers
            .iter()
            .position(|c| c.kill_message.is_some() && c.running.is_some() && !c.stopping)
        {
            let (message, grace) = w.containers[i].kill_message.clone().expect("checked");
            let name = w.containers[i].name.clone();
            let grace = grace.unwrap_or_else(|| pod_grace(&w.pod));
            if message.ends_with("will be restarted") {
                let c = &mut w.containers[i];
                c.restart_after_kill = Some(c.last_state.as_ref().map(|t| t.finished_at));
            }
            self.kill_container_gracefully(uid, &name, grace, Some(message), true);
            return;
        }

        // 3. Init containers, one at a time in order; sidecars start and keep running.
        let n = w.containers.len();
        for i in 0..n {
            let w = self.worker(uid).expect("exists");
            let c = &w.containers[i];
            match c.kind {
                Kind::Regular => break,
                Kind::Sidecar => {
                    if c.running.is_some() {
                        if !c.started {
                            return; // the next waits until the sidecar has started
                        }
                        continue;
                    }
                    if c.config_error {
                        return; // retried when the work queue syncs the pod again
                    }
                    if self.start_or_back_off(uid, i) {
                        return;
                    }
                    return;
                }
                Kind::Init => {
                    if c.succeeded() {
                        continue;
                    }
                    if c.running.is_some() || c.config_error {
                        return;
                    }
                    if let Some(t) = &c.terminated {
                        let no_spec = PodSpec::default();
                        let spec = w.pod.spec.as_ref().unwrap_or(&no_spec);
                        if !container_should_restart(
                            &c.spec,
                            spec,
                            t.exit_code,
                            &FeatureGates::default(),
                        ) {
                            // A failed init container with nothing to restart it fails the pod.
                            self.finish_pod(uid);
                            return;
                        }
                    }
                    self.start_or_back_off(uid, i);
                    return;
                }
            }
        }

        // 4. App containers, in spec order.
        let mut needs_requeue = false;
        for i in 0..n {
            let w = self.worker(uid).expect("exists");
            let c = &w.containers[i];
            if c.kind != Kind::Regular || c.running.is_some() {
                continue;
            }
            if c.config_error {
                needs_requeue = true;
                continue;
            }
            if let Some(t) = &c.terminated {
                let no_spec = PodSpec::default();
                let spec = w.pod.spec.as_ref().unwrap_or(&no_spec);
                if !container_should_restart(&c.spec, spec, t.exit_code, &FeatureGates::default()) {
                    continue;
                }
            }
            if self.start_or_back_off(uid, i) {
                return;
            }
            needs_requeue = true;
        }
        if needs_requeue {
            return;
        }

        // 5. Nothing runs and nothing will: the pod is done.
        let w = self.worker(uid).expect("exists");
        let regular_done = w
            .containers
            .iter()
            .filter(|c| c.kind == Kind::Regular)
            .all(|c| c.running.is_none() && c.terminated.is_some());
        if regular_done {
            self.finish_pod(uid);
        }
    }

    /// The pod has finished on its own (all containers done, or an init container failed for
    /// good): the worker moves to terminating to stop sidecars and the sandbox.
    fn finish_pod(&mut self, uid: &str) {
        let Some(w) = self.worker(uid) else { return };
        let grace = pod_grace(&w.pod);
        self.start_terminating(uid, grace);
    }

    /// `startContainer`'s first step, `doBackOff`: if the container has exited before and its
    /// back-off has not run out, it waits in `CrashLoopBackOff` (returns `false`); otherwise the
    /// back-off grows and the start begins (returns `true`).
    fn start_or_back_off(&mut self, uid: &str, i: usize) -> bool {
        let now = self.now;
        let w = self.worker(uid).expect("caller checked");
        let c = &mut w.containers[i];
        let key = format!("{}/{}", uid, c.name);
        // The newest exited instance's `finishedAt`; after a probe kill in the same sync, the one
        // before the killed instance (the runtime status was read before the kill).
        let exited = match c.restart_after_kill.take() {
            Some(before_kill) => before_kill,
            None => c.terminated.as_ref().map(|t| t.finished_at),
        };
        if let Some(finished) = exited {
            if self.crash_backoff.is_in_backoff_since(&key, finished, now) {
                let wait_ms = self.crash_backoff.get(&key);
                let w = self.worker(uid).expect("exists");
                let pod = w.format_pod();
                let c = &mut w.containers[i];
                let (name, field_path) = (c.name.clone(), c.field_path.clone());
                let delay = go::format_duration(k8s_openapi::jiff::SignedDuration::from_millis(
                    wait_ms as i64,
                ));
                c.waiting = Some((
                    "CrashLoopBackOff".into(),
                    format!("back-off {delay} restarting failed container={name} pod={pod}"),
                ));
                self.event(
                    uid,
                    field_path,
                    "Warning",
                    "BackOff",
                    format!("Back-off restarting failed container {name} in pod {pod}"),
                    "kubelet",
                );
                self.mark_dirty(uid);
                self.requeue_at_backoff_expiry(uid, finished.plus_millis(wait_ms));
                return false;
            }
            self.crash_backoff.next(&key, finished, now);
        }
        self.ensure_image(uid, i)
    }

    /// `EnsureImageExists` (pkg/kubelet/images/image_manager.go) by the image pull policy.
    fn ensure_image(&mut self, uid: &str, i: usize) -> bool {
        let w = self.worker(uid).expect("caller checked");
        let c = &w.containers[i];
        let image = c.spec.image.clone().unwrap_or_default();
        let policy = c
            .spec
            .image_pull_policy
            .clone()
            .unwrap_or_else(|| crate::api::defaults::image_pull_policy(&image).to_string());
        let name = c.name.clone();
        if policy == "Always" {
            return self.pull(uid, i, image);
        }
        let op = self.command(
            uid,
            Op::ImageStatus { container: name },
            RuntimeCommand::ImageStatus { image },
        );
        self.worker(uid).expect("exists").busy = Some(op);
        true
    }

    fn pull(&mut self, uid: &str, i: usize, image: String) -> bool {
        let now = self.now;
        let w = self.worker(uid).expect("caller checked");
        let c = &w.containers[i];
        let (name, field_path) = (c.name.clone(), c.field_path.clone());
        let key = format!("{uid}_{image}");
        let previous = c.pull_error.clone();
        if self.image_backoff.is_in_backoff_since_update(&key, now) {
            // The waiting message wraps the last pull's error (`prevPullErrMsg`).
            let mut message = format!("Back-off pulling image {}", go::quote(&image));
            if let Some(previous) = previous {
                message = format!("{message}: ErrImagePull: {previous}");
            }
            let w = self.worker(uid).expect("exists");
            w.containers[i].waiting = Some(("ImagePullBackOff".into(), message));
            self.event(
                uid,
                field_path.clone(),
                "Normal",
                "BackOff",
                format!("Back-off pulling image {}", go::quote(&image)),
                "kubelet",
            );
            self.event(
                uid,
                field_path,
                "Warning",
                "Failed",
                "Error: ImagePullBackOff".into(),
                "kubelet",
            );
            self.mark_dirty(uid);
            let expiry = self.image_backoff.expiry_since_update(&key).unwrap_or(now);
            self.requeue_at_backoff_expiry(uid, expiry);
            return false;
        }
        self.event(
            uid,
            field_path,
            "Normal",
            "Pulling",
            format!("Pulling image {}", go::quote(&image)),
            "kubelet",
        );
        let pod = self.worker(uid).expect("exists").pod_ref();
        let op = self.command(
            uid,
            Op::Pull {
                container: name,
                image: image.clone(),
                started: now,
            },
            RuntimeCommand::PullImage { image, pod },
        );
        self.worker(uid).expect("exists").busy = Some(op);
        true
    }

    /// After a failed sync (a pull error, a create error) the pod worker runs again
    /// `backOffPeriod` later, jittered (`completeWork`, `workerBackOffPeriodJitterFactor` 0.5).
    pub(crate) fn requeue_after_error(&mut self, uid: &str) {
        let delay = self.rng.jitter_millis(SYNC_ERROR_REQUEUE_MS, 0.5);
        self.requeue(uid, delay);
    }

    /// After a sync that ended in a back-off (`CrashLoopBackOff`, `ImagePullBackOff`, both
    /// `BackoffError`s), `completeWork` requeues the pod at the back-off's expiry
    /// (`MinBackoffExpiration`), clamped to the resync interval and jittered by half.
    fn requeue_at_backoff_expiry(&mut self, uid: &str, expiry: Time) {
        let wait = expiry.millis_since(self.now).min(RESYNC_INTERVAL_MS);
        let delay = self.rng.jitter_millis(wait, 0.5);
        self.requeue(uid, delay);
    }

    /// The work queue holds one entry per pod: a new requeue replaces the old. A PLEG event
    /// that came while the sync was busy runs now (`pendingUpdate`).
    fn requeue(&mut self, uid: &str, delay_ms: u64) {
        let at = self.now.plus_millis(delay_ms);
        if let Some(old) = self.worker(uid).and_then(|w| w.requeue.take()) {
            self.cancel(old);
        }
        let key = self.schedule(at, Timer::Sync { uid: uid.into() });
        let pending = self.worker(uid).is_some_and(|w| {
            w.requeue = Some(key);
            std::mem::take(&mut w.pending_sync)
        });
        if pending {
            self.schedule(self.now, Timer::Sync { uid: uid.into() });
        }
    }

    /// A PLEG event: the worker syncs now, or once its sync path is free.
    pub(crate) fn pleg_sync(&mut self, uid: &str) {
        let Some(w) = self.worker(uid) else { return };
        if w.busy.is_some() {
            w.pending_sync = true;
            return;
        }
        self.sync_pod(uid);
    }

    fn create(&mut self, uid: &str, i: usize) {
        let w = self.worker(uid).expect("caller checked");
        let Sandbox::Ready { id, ip } = w.sandbox.clone() else {
            return;
        };
        let c = &w.containers[i];
        let attempt = if c.ever_ran() {
            c.restart_count as u32 + 1
        } else {
            0
        };
        let config = match self.container_config(uid, i, &ip) {
            Ok(config) => config,
            Err(message) => return self.on_container_config_error(uid, i, message),
        };
        let w = self.worker(uid).expect("caller checked");
        let c = &w.containers[i];
        let command = RuntimeCommand::CreateContainer {
            pod: w.pod_ref(),
            sandbox: id,
            container: Box::new(c.spec.clone()),
            attempt,
            pod_ip: ip,
            config: Box::new(config),
        };
        let name = c.name.clone();
        let op = self.command(uid, Op::Create { container: name }, command);
        self.worker(uid).expect("exists").busy = Some(op);
    }

    /// `startContainer` could not generate the container's configuration (a missing
    /// ConfigMap or key): `CreateContainerConfigError` and an `Error: ...` event; the sync goes
    /// on with the other containers and the pod worker requeues the pod.
    fn on_container_config_error(&mut self, uid: &str, i: usize, message: String) {
        let Some(w) = self.worker(uid) else { return };
        let c = &mut w.containers[i];
        c.waiting = Some(("CreateContainerConfigError".into(), message.clone()));
        c.config_error = true;
        let field_path = c.field_path.clone();
        self.event(
            uid,
            field_path,
            "Warning",
            "Failed",
            format!("Error: {message}"),
            "kubelet",
        );
        self.mark_dirty(uid);
        self.requeue_after_error(uid);
        self.sync_pod(uid);
    }

    /// A sync from the work queue tries every container again.
    pub(crate) fn clear_config_errors(&mut self, uid: &str) {
        if let Some(w) = self.worker(uid) {
            for c in &mut w.containers {
                c.config_error = false;
            }
        }
    }

    /// A reply to one of this pod's commands. Once the sync path is free, a PLEG event that
    /// came meanwhile runs its sync.
    pub(crate) fn on_reply(&mut self, uid: &str, op: OpId, kind: Op, reply: Reply) {
        self.handle_reply(uid, op, kind, reply);
        let pending = self
            .worker(uid)
            .is_some_and(|w| w.busy.is_none() && std::mem::take(&mut w.pending_sync));
        if pending {
            self.sync_pod(uid);
        }
    }

    fn handle_reply(&mut self, uid: &str, op: OpId, kind: Op, reply: Reply) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        if w.busy == Some(op) {
            w.busy = None;
        }
        match kind {
            Op::Sandbox => match reply {
                Reply::SandboxReady { sandbox, ip } => {
                    w.sandbox = Sandbox::Ready { id: sandbox, ip };
                    self.mark_dirty(uid);
                    // The next relist sees the new sandbox: one more sync once this one ends.
                    let seen = super::next_relist(now);
                    self.schedule(seen, Timer::PlegSync { uid: uid.into() });
                    self.sync_pod(uid);
                }
                Reply::Failed { message } => {
                    w.sandbox = Sandbox::None;
                    self.event(
                        uid,
                        String::new(),
                        "Warning",
                        "FailedCreatePodSandBox",
                        format!("Failed to create pod sandbox: {message}"),
                        "kubelet",
                    );
                    self.requeue_after_error(uid);
                }
                _ => {}
            },
            Op::StopSandbox => {
                let ip = w.sandbox_ip().unwrap_or_default().to_string();
                w.sandbox = Sandbox::Stopped { ip };
                w.phase = Phase::Terminated;
                self.mark_dirty(uid);
                self.publish_pod(uid);
                let w = self.worker(uid).expect("exists");
                // The status manager deletes the object once it is terminal and being deleted.
                if w.pod.metadata.deletion_timestamp.is_some() {
                    self.remove_from_api(uid);
                }
            }
            Op::ImageStatus { container } => {
                let Some(i) = w.index(&container) else { return };
                let c = &w.containers[i];
                let image = c.spec.image.clone().unwrap_or_default();
                let policy = c.spec.image_pull_policy.clone().unwrap_or_default();
                let field_path = c.field_path.clone();
                let present = matches!(reply, Reply::ImageStatus { present: true, .. });
                if self.aborted_by_termination(uid) {
                    return;
                }
                if present {
                    self.event(
                        uid,
                        field_path,
                        "Normal",
                        "Pulled",
                        format!(
                            "Container image {} already present on machine",
                            go::quote(&image)
                        ),
                        "kubelet",
                    );
                    self.create(uid, i);
                } else if policy == "Never" {
                    let message = format!(
                        "Container image {} is not present with pull policy of Never",
                        go::quote(&image)
                    );
                    let w = self.worker(uid).expect("exists");
                    w.containers[i].waiting = Some(("ErrImageNeverPull".into(), message.clone()));
                    self.event(
                        uid,
                        field_path.clone(),
                        "Warning",
                        "ErrImageNeverPull",
                        message,
                        "kubelet",
                    );
                    self.event(
                        uid,
                        field_path,
                        "Warning",
                        "Failed",
                        "Error: ErrImageNeverPull".into(),
                        "kubelet",
                    );
                    self.mark_dirty(uid);
                    self.requeue_after_error(uid);
                } else {
                    self.pull(uid, i, image);
                }
            }
            Op::Pull {
                container,
                image,
                started,
            } => {
                let Some(i) = w.index(&container) else { return };
                let field_path = w.containers[i].field_path.clone();
                match reply {
                    Reply::ImagePulled { size_bytes } => {
                        let took =
                            go::format_duration(k8s_openapi::jiff::SignedDuration::from_millis(
                                now.millis_since(started) as i64,
                            ));
                        self.event(uid, field_path, "Normal", "Pulled", format!("Successfully pulled image {} in {took} ({took} including waiting). Image size: {size_bytes} bytes.", go::quote(&image)), "kubelet");
                        if self.aborted_by_termination(uid) {
                            return;
                        }
                        self.create(uid, i);
                    }
                    Reply::Failed { message } => {
                        let key = format!("{uid}_{image}");
                        self.image_backoff.next(&key, now, now);
                        let w = self.worker(uid).expect("exists");
                        w.containers[i].waiting = Some(("ErrImagePull".into(), message.clone()));
                        w.containers[i].pull_error = Some(message.clone());
                        self.event(
                            uid,
                            field_path.clone(),
                            "Warning",
                            "Failed",
                            format!("Failed to pull image {}: {message}", go::quote(&image)),
                            "kubelet",
                        );
                        self.event(
                            uid,
                            field_path,
                            "Warning",
                            "Failed",
                            "Error: ErrImagePull".into(),
                            "kubelet",
                        );
                        self.mark_dirty(uid);
                        self.requeue_after_error(uid);
                    }
                    _ => {}
                }
            }
            Op::Create { container } => {
                let Some(i) = w.index(&container) else { return };
                let field_path = w.containers[i].field_path.clone();
                match reply {
                    Reply::ContainerCreated { container: id } => {
                        let c = &mut w.containers[i];
                        if c.ever_ran() {
                            c.restart_count += 1;
                        }
                        c.created = Some(id.clone());
                        self.containers
                            .insert(id.clone(), (uid.to_string(), container.clone()));
                        self.event(
                            uid,
                            field_path,
                            "Normal",
                            "Created",
                            format!("Created container: {container}"),
                            "kubelet",
                        );
                        let op = self.command(
                            uid,
                            Op::Start { container },
                            RuntimeCommand::StartContainer { container: id },
                        );
                        self.worker(uid).expect("exists").busy = Some(op);
                    }
                    Reply::Failed { message } => {
                        w.containers[i].waiting =
                            Some(("CreateContainerError".into(), message.clone()));
                        self.event(
                            uid,
                            field_path,
                            "Warning",
                            "Failed",
                            format!("Error: {message}"),
                            "kubelet",
                        );
                        self.mark_dirty(uid);
                        self.requeue_after_error(uid);
                    }
                    _ => {}
                }
            }
            Op::Start { container } => {
                let Some(i) = w.index(&container) else { return };
                let c = &mut w.containers[i];
                let field_path = c.field_path.clone();
                let Some(id) = c.created.take() else { return };
                match reply {
                    Reply::Done => {
                        if let Some(previous) = c.terminated.take() {
                            c.last_state = Some(previous);
                        }
                        c.running = Some(Running {
                            id: id.clone(),
                            started_at: now,
                        });
                        c.waiting = None;
                        c.recent_logs.clear();
                        c.started = c.spec.startup_probe.is_none();
                        let post_start =
                            c.spec.lifecycle.as_ref().and_then(|l| l.post_start.clone());
                        self.event(
                            uid,
                            field_path,
                            "Normal",
                            "Started",
                            format!("Started container {container}"),
                            "kubelet",
                        );
                        self.mark_dirty(uid);
                        if let Some(hook) = post_start {
                            self.run_post_start(uid, &container, &id, &hook);
                            return;
                        }
                        if self.aborted_by_termination(uid) {
                            return;
                        }
                        self.sync_pod(uid);
                    }
                    Reply::Failed { message } => {
                        // The runtime could not start the process: exit code 128 (`StartError`).
                        c.terminated = Some(Terminated {
                            exit_code: 128,
                            reason: "StartError".into(),
                            message: Some(message.clone()),
                            started_at: now,
                            finished_at: now,
                            container_id: id,
                        });
                        if let Some(previous) = c.last_state.take() {
                            let _ = previous;
                        }
                        self.event(
                            uid,
                            field_path,
                            "Warning",
                            "Failed",
                            format!("Error: {message}"),
                            "kubelet",
                        );
                        self.mark_dirty(uid);
                        self.sync_pod(uid);
                    }
                    _ => {}
                }
            }
            Op::PostStart { container } => {
                let Some(i) = w.index(&container) else { return };
                let failed = match &reply {
                    Reply::Exec { exit_code, .. } => *exit_code != 0,
                    Reply::Probe { outcome } => *outcome != ProbeOutcome::Success,
                    Reply::Failed { .. } => true,
                    _ => false,
                };
                if failed && w.containers[i].running.is_some() {
                    let field_path = w.containers[i].field_path.clone();
                    self.event(
                        uid,
                        field_path,
                        "Warning",
                        "FailedPostStartHook",
                        "PostStartHook failed".into(),
                        "kubelet",
                    );
                    let grace = pod_grace(&self.worker(uid).expect("exists").pod);
                    self.kill_container_gracefully(
                        uid,
                        &container,
                        grace,
                        Some("FailedPostStartHook".into()),
                        true,
                    );
                    return;
                }
                if self.aborted_by_termination(uid) {
                    return;
                }
                self.sync_pod(uid);
            }
            Op::PreStop {
                container,
                grace_s,
                started,
            } => {
                let Some(i) = w.index(&container) else { return };
                if !w.containers[i].stopping || w.containers[i].running.is_none() {
                    return;
                }
                let failed = match &reply {
                    Reply::Exec { exit_code, .. } => *exit_code != 0,
                    Reply::Probe { outcome } => *outcome != ProbeOutcome::Success,
                    Reply::Failed { .. } => true,
                    _ => false,
                };
                if failed {
                    let field_path = w.containers[i].field_path.clone();
                    self.event(
                        uid,
                        field_path,
                        "Warning",
                        "FailedPreStopHook",
                        "PreStopHook failed".into(),
                        "kubelet",
                    );
                }
                // The hook used up whole seconds of the grace period.
                let used = (now.millis_since(started) / 1000) as i64;
                self.stop(uid, &container, grace_s - used);
            }
            Op::Stop { container } => {
                let mut restart_now = false;
                if let Some(i) = w.index(&container) {
                    w.containers[i].stopping = w.containers[i].running.is_some();
                    restart_now = w.containers[i].restart_after_kill.is_some();
                }
                if matches!(w.phase, Phase::Terminating { .. }) {
                    self.sync_terminating(uid);
                } else if restart_now {
                    // A probe kill: the same SyncPod goes on to restart the container.
                    self.sync_pod(uid);
                } else {
                    // A kill that ended the sync with an error (FailedPostStartHook): the
                    // next relist sees the dead container and syncs.
                    self.schedule(super::next_relist(now), Timer::PlegSync { uid: uid.into() });
                }
            }
            Op::Signal { .. } => {}
            Op::Probe {
                container,
                kind,
                target,
            } => self.on_probe_result(uid, &container, kind, target, reply),
            Op::UserExec { container, command } => {
                let (exit_code, output) = match reply {
                    Reply::Exec { exit_code, output } => (exit_code, output),
                    Reply::Failed { message } => (126, message),
                    _ => (0, String::new()),
                };
                let pod = w.name.clone();
                self.push_trace(super::trace::Record::Exec {
                    t: now,
                    pod,
                    container,
                    command,
                    exit_code,
                    output,
                });
            }
        }
    }

    /// A start step came back while the pod is terminating: stop what was started.
    fn aborted_by_termination(&mut self, uid: &str) -> bool {
        let Some(w) = self.worker(uid) else {
            return true;
        };
        if matches!(w.phase, Phase::Sync) {
            return false;
        }
        self.sync_terminating(uid);
        true
    }

    fn run_post_start(
        &mut self,
        uid: &str,
        container: &str,
        id: &ContainerId,
        hook: &LifecycleHandler,
    ) {
        let w = self.worker(uid).expect("caller checked");
        let ip = w.sandbox_ip().unwrap_or_default().to_string();
        let grace = pod_grace(&w.pod);
        match handler_command(hook, id, &ip, grace) {
            Some(HookAction::Command(command)) => {
                let op = self.command(
                    uid,
                    Op::PostStart {
                        container: container.into(),
                    },
                    command,
                );
                self.worker(uid).expect("exists").busy = Some(op);
            }
            Some(HookAction::Sleep(seconds)) => {
                let op = self.placeholder_op(
                    uid,
                    Op::PostStart {
                        container: container.into(),
                    },
                );
                self.worker(uid).expect("exists").busy = Some(op);
                self.schedule(self.now.plus_secs(seconds), Timer::SleepDone { op });
            }
            None => self.sync_pod(uid),
        }
    }

    /// An op the engine completes itself (a `sleep` handler): registered so its "reply" finds
    /// its pod, but never sent to the runtime.
    fn placeholder_op(&mut self, uid: &str, op: Op) -> OpId {
        self.register_op(uid, op)
    }

    /// A container's process has ended.
    pub(crate) fn on_exit(
        &mut self,
        uid: &str,
        name: &str,
        id: &ContainerId,
        exit: Exit,
        exited_at: Time,
    ) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        let Some(i) = w.index(name) else { return };
        let policy = w.containers[i].spec.termination_message_policy.clone();
        let c = &mut w.containers[i];
        let Some(running) = c.running.take() else {
            // Exited before it was seen to start (a start race): record it all the same.
            return;
        };
        if &running.id != id {
            return;
        }
        let reason = if exit.oom_killed {
            "OOMKilled"
        } else if exit.exit_code == 0 {
            "Completed"
        } else {
            "Error"
        };
        let fallback_to_logs =
            exit.exit_code != 0 && policy.as_deref() == Some("FallbackToLogsOnError");
        let message =
            termination_message(exit.message.as_deref(), fallback_to_logs, &c.recent_logs);
        c.terminated = Some(Terminated {
            exit_code: exit.exit_code,
            reason: reason.into(),
            message,
            started_at: running.started_at,
            finished_at: exited_at.min(now),
            container_id: running.id,
        });
        c.started = false;
        c.stopping = false;
        c.kill_message = None;
        self.mark_dirty(uid);
        let w = self.worker(uid).expect("exists");
        if matches!(w.phase, Phase::Terminating { .. }) {
            self.sync_terminating(uid);
        } else {
            self.sync_pod(uid);
        }
    }

    /// Keeps a container's newest log lines (for `FallbackToLogsOnError`).
    pub(crate) fn remember_log(&mut self, uid: &str, name: &str, line: &str) {
        let Some(w) = self.worker(uid) else { return };
        let Some(i) = w.index(name) else { return };
        let logs = &mut w.containers[i].recent_logs;
        logs.push(line.to_string());
        if logs.len() > TERMINATION_LOG_LINES {
            logs.remove(0);
        }
    }

    // --- termination ----------------------------------------------------------------------------

    /// The pod worker moves to terminating (a deletion, a finished pod, a deadline).
    pub(crate) fn start_terminating(&mut self, uid: &str, grace_s: i64) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        match w.phase {
            Phase::Sync => {
                w.phase = Phase::Terminating {
                    grace_s,
                    since: now,
                };
                for c in &mut w.containers {
                    // Containers waiting to (re)start will not.
                    if c.running.is_none() && c.waiting.is_some() && c.terminated.is_none() {
                        c.waiting = None;
                    }
                }
            }
            Phase::Terminating {
                grace_s: old,
                since,
            } => {
                // A shorter grace period (a second delete, a force delete) takes over.
                let remaining = old - (now.millis_since(since) / 1000) as i64;
                if grace_s < remaining {
                    w.phase = Phase::Terminating {
                        grace_s,
                        since: now,
                    };
                }
            }
            Phase::Terminated => return,
        }
        self.mark_dirty(uid);
        self.sync_terminating(uid);
    }

    /// `SyncTerminatingPod` / `killContainersWithSyncResult`: every running container gets its
    /// Killing event and preStop hook at once (regular containers in spec order, then sidecars
    /// last-first); sidecars then wait for their turn to be stopped (`terminationOrdering`):
    /// after every regular container, and after the sidecars that started after them. Then the
    /// sandbox goes.
    pub(crate) fn sync_terminating(&mut self, uid: &str) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        let Phase::Terminating { grace_s, since } = w.phase else {
            return;
        };
        let remaining = grace_s - (now.millis_since(since) / 1000) as i64;
        if w.busy.is_some() {
            // A start step is in flight; its reply brings us back here.
            return;
        }
        let mut to_stop: Vec<String> = w
            .containers
            .iter()
            .filter(|c| c.kind != Kind::Sidecar && c.running.is_some() && !c.stopping)
            .map(|c| c.name.clone())
            .collect();
        to_stop.extend(
            w.containers
                .iter()
                .rev()
                .filter(|c| c.kind == Kind::Sidecar && c.running.is_some() && !c.stopping)
                .map(|c| c.name.clone()),
        );
        for name in to_stop {
            self.kill_container_gracefully(uid, &name, remaining.max(0), None, true);
        }
        self.release_sidecars(uid);
        let w = self.worker(uid).expect("exists");
        if w.containers.iter().any(|c| c.running.is_some()) {
            return;
        }
        let stops_in_flight = self.pods.get(uid).is_some_and(|w| {
            w.ops.iter().any(|id| {
                matches!(
                    self.ops.get(id),
                    Some((_, Op::Stop { .. } | Op::PreStop { .. }))
                )
            })
        });
        if stops_in_flight {
            return;
        }
        let w = self.worker(uid).expect("exists");
        match w.sandbox.clone() {
            Sandbox::Ready { id, ip } => {
                w.sandbox = Sandbox::Stopping { ip };
                self.command(
                    uid,
                    Op::StopSandbox,
                    RuntimeCommand::StopPodSandbox { sandbox: id },
                );
            }
            Sandbox::None | Sandbox::Creating => {
                w.phase = Phase::Terminated;
                self.mark_dirty(uid);
                self.publish_pod(uid);
                if self
                    .worker(uid)
                    .is_some_and(|w| w.pod.metadata.deletion_timestamp.is_some())
                {
                    self.remove_from_api(uid);
                }
            }
            Sandbox::Stopping { .. } | Sandbox::Stopped { .. } => {}
        }
    }

    /// Whether sidecar `i` may be stopped: no regular container runs, nor any sidecar after it.
    fn sidecar_turn(w: &PodWorker, i: usize) -> bool {
        w.containers
            .iter()
            .enumerate()
            .all(|(j, c)| c.running.is_none() || (c.kind == Kind::Sidecar && j <= i))
    }

    /// Stops the waiting sidecars whose turn has come, with what is left of their grace period
    /// (`waitForTurn` returns the whole seconds waited).
    fn release_sidecars(&mut self, uid: &str) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        let mut ready = Vec::new();
        for i in (0..w.containers.len()).rev() {
            if w.containers[i].awaiting_turn.is_some() && Self::sidecar_turn(w, i) {
                let (grace, since) = w.containers[i].awaiting_turn.take().expect("checked");
                let waited = (now.millis_since(since) / 1000) as i64;
                ready.push((w.containers[i].name.clone(), grace - waited));
            }
        }
        for (name, grace) in ready {
            self.stop_now(uid, &name, grace);
        }
    }

    /// A sidecar waited its whole grace period for its turn: it is stopped now.
    pub(crate) fn on_turn_timeout(&mut self, uid: &str, name: &str) {
        let Some(w) = self.worker(uid) else { return };
        let Some(i) = w.index(name) else { return };
        if w.containers[i].awaiting_turn.take().is_some() {
            self.stop_now(uid, name, 0);
        }
    }

    /// `killContainer`: the Killing event, the preStop hook (which uses up the grace period),
    /// then the stop signal with what is left, never under 2 s.
    pub(crate) fn kill_container_gracefully(
        &mut self,
        uid: &str,
        name: &str,
        grace_s: i64,
        message: Option<String>,
        run_pre_stop: bool,
    ) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        let Some(i) = w.index(name) else { return };
        let c = &mut w.containers[i];
        let Some(running) = c.running.clone() else {
            return;
        };
        c.stopping = true;
        let field_path = c.field_path.clone();
        let pre_stop = c.spec.lifecycle.as_ref().and_then(|l| l.pre_stop.clone());
        let killing = match &message {
            Some(m) => m.clone(),
            None => format!("Stopping container {name}"),
        };
        self.event(uid, field_path, "Normal", "Killing", killing, "kubelet");
        let w = self.worker(uid).expect("exists");
        let ip = w.sandbox_ip().unwrap_or_default().to_string();
        if let (Some(hook), true) = (pre_stop, run_pre_stop && grace_s > 0) {
            let op_kind = Op::PreStop {
                container: name.into(),
                grace_s,
                started: now,
            };
            // Inside SyncPod (a probe kill) the hook holds the sync path, as killContainer does.
            let sync_path = matches!(w.phase, Phase::Sync);
            match handler_command(&hook, &running.id, &ip, grace_s) {
                Some(HookAction::Command(command)) => {
                    let op = self.command(uid, op_kind, command);
                    if sync_path {
                        self.worker(uid).expect("exists").busy = Some(op);
                    }
                    self.schedule(now.plus_secs(grace_s), Timer::HookDeadline { op });
                    return;
                }
                Some(HookAction::Sleep(seconds)) => {
                    let op = self.placeholder_op(uid, op_kind);
                    if sync_path {
                        self.worker(uid).expect("exists").busy = Some(op);
                    }
                    self.schedule(now.plus_secs(seconds.min(grace_s)), Timer::SleepDone { op });
                    return;
                }
                None => {}
            }
        }
        self.stop(uid, name, grace_s);
    }

    /// After the preStop hook: a terminating sidecar waits for its turn; anything else is
    /// stopped now.
    fn stop(&mut self, uid: &str, name: &str, grace_s: i64) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        let Some(i) = w.index(name) else { return };
        if matches!(w.phase, Phase::Terminating { .. })
            && w.containers[i].kind == Kind::Sidecar
            && w.containers[i].running.is_some()
            && grace_s > 0
            && !Self::sidecar_turn(w, i)
        {
            w.containers[i].awaiting_turn = Some((grace_s, now));
            self.schedule(
                now.plus_secs(grace_s),
                Timer::TurnTimeout {
                    uid: uid.into(),
                    container: name.into(),
                },
            );
            return;
        }
        self.stop_now(uid, name, grace_s);
    }

    /// `StopContainer` with the remaining grace period (at least 2 s).
    fn stop_now(&mut self, uid: &str, name: &str, grace_s: i64) {
        let Some(w) = self.worker(uid) else { return };
        let Some(i) = w.index(name) else { return };
        let Some(running) = w.containers[i].running.clone() else {
            return self.sync_terminating(uid);
        };
        let timeout_s = grace_s.max(MINIMUM_GRACE_PERIOD_S);
        let is_sync_path = matches!(w.phase, Phase::Sync);
        let op = self.command(
            uid,
            Op::Stop {
                container: name.into(),
            },
            RuntimeCommand::StopContainer {
                container: running.id,
                timeout_s,
            },
        );
        if is_sync_path {
            // A kill for a restart holds the sync path, as killContainer does inside SyncPod.
            self.worker(uid).expect("exists").busy = Some(op);
        }
    }

    /// A preStop hook still running at the end of the grace period is abandoned.
    pub(crate) fn on_hook_deadline(&mut self, op: OpId) {
        let Some((uid, Op::PreStop { container, .. })) = self.ops.get(&op).cloned() else {
            return;
        };
        self.take_op(op);
        self.stop(&uid, &container, 0);
    }

    /// `activeDeadlineSeconds` has run out: the pod fails with `DeadlineExceeded` and is killed.
    pub(crate) fn on_active_deadline(&mut self, uid: &str) {
        let Some(w) = self.worker(uid) else { return };
        if !matches!(w.phase, Phase::Sync) {
            return;
        }
        let message = "Pod was active on the node longer than the specified deadline";
        w.forced = Some(("Failed".into(), "DeadlineExceeded".into(), message.into()));
        let grace = pod_grace(&w.pod);
        self.event(
            uid,
            String::new(),
            "Normal",
            "DeadlineExceeded",
            message.into(),
            "kubelet",
        );
        self.mark_dirty(uid);
        self.start_terminating(uid, grace);
    }

    // --- probes ---------------------------------------------------------------------------------

    /// `probeManager.AddPod` at the pod's first sync: one worker per probe, whose ticker runs
    /// every `periodSeconds` from now for the pod's whole life (prober/worker.go `run`). The
    /// worker's first probe, at once, finds no container; the next tick is the first that can.
    fn start_probe_workers(&mut self, uid: &str) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        let mut tickers = Vec::new();
        for c in &w.containers {
            if c.kind == Kind::Init {
                continue; // regular init containers cannot have probes
            }
            for kind in [
                ProbeKind::Startup,
                ProbeKind::Liveness,
                ProbeKind::Readiness,
            ] {
                if let Some(p) = probe_of(&c.spec, kind) {
                    tickers.push((c.name.clone(), kind, probe_period_ms(p)));
                }
            }
        }
        for (container, kind, period) in tickers {
            self.schedule(
                now.plus_millis(period),
                Timer::Probe {
                    uid: uid.into(),
                    container,
                    kind,
                },
            );
        }
    }

    /// One tick of a probe worker: `doProbe`.
    pub(crate) fn run_probe(&mut self, uid: &str, name: &str, kind: ProbeKind) {
        let now = self.now;
        let Some(w) = self.worker(uid) else { return };
        // The worker stops with the pod (a terminal phase, or the pod worker done).
        if !matches!(w.phase, Phase::Sync) || w.deleted {
            return;
        }
        let deleting = w.pod.metadata.deletion_timestamp.is_some();
        let ip = w.sandbox_ip().unwrap_or_default().to_string();
        let Some(i) = w.index(name) else { return };
        let c = &mut w.containers[i];
        let Some(probe) = probe_of(&c.spec, kind).cloned() else {
            return;
        };
        let period = probe_period_ms(&probe);
        let Some(running) = c.running.clone() else {
            // Not running: keep ticking while it may run again.
            self.schedule(
                now.plus_millis(period),
                Timer::Probe {
                    uid: uid.into(),
                    container: name.into(),
                    kind,
                },
            );
            return;
        };
        let state = &mut c.probes[probe_index(kind)];
        if state.container.as_ref() != Some(&running.id) {
            // A new container: results start over at the initial value; probing resumes.
            state.container = Some(running.id.clone());
            state.on_hold = false;
            state.ready = false;
        }
        // Graceful shutdown: liveness and startup stop probing once the pod is being deleted.
        if deleting && kind != ProbeKind::Readiness {
            return;
        }
        self.schedule(
            now.plus_millis(period),
            Timer::Probe {
                uid: uid.into(),
                container: name.into(),
                kind,
            },
        );
        let c = &mut self.worker(uid).expect("checked above").containers[i];
        let state = &mut c.probes[probe_index(kind)];
        if state.on_hold || state.in_flight {
            return;
        }
        // Disabled for `initialDelaySeconds` (whole seconds since the container started).
        let since_start_s = (now.millis_since(running.started_at) / 1000) as i64;
        if since_start_s < i64::from(probe.initial_delay_seconds.unwrap_or(0)) {
            return;
        }
        // Startup probes run until the container has started; the others only after.
        if c.started == (kind == ProbeKind::Startup) {
            return;
        }
        let timeout = i64::from(probe.timeout_seconds.unwrap_or(1).max(1));
        let ports = c.spec.ports.clone().unwrap_or_default();
        let port =
            |p: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| resolve_port(p, &ports);
        let command = if let Some(exec) = &probe.exec {
            Some(RuntimeCommand::ExecSync {
                container: running.id.clone(),
                command: exec.command.clone().unwrap_or_default(),
                timeout_s: timeout,
            })
        } else if let Some(http) = &probe.http_get {
            Some(RuntimeCommand::HttpGet {
                pod_ip: http.host.clone().unwrap_or(ip),
                port: port(&http.port),
                path: http.path.clone().unwrap_or_else(|| "/".into()),
                scheme: http.scheme.clone().unwrap_or_else(|| "HTTP".into()),
                timeout_s: timeout,
            })
        } else if let Some(tcp) = &probe.tcp_socket {
            Some(RuntimeCommand::TcpSocket {
                pod_ip: tcp.host.clone().unwrap_or(ip),
                port: port(&tcp.port),
                timeout_s: timeout,
            })
        } else {
            probe.grpc.as_ref().map(|g| RuntimeCommand::Grpc {
                pod_ip: ip,
                port: g.port,
                service: g.service.clone().unwrap_or_default(),
                timeout_s: timeout,
            })
        };
        if let Some(command) = command {
            c.probes[probe_index(kind)].in_flight = true;
            self.command(
                uid,
                Op::Probe {
                    container: name.into(),
                    kind,
                    target: running.id,
                },
                command,
            );
        }
    }

    /// A probe's result (prober.go `probe` for the event, worker.go `doProbe` for the
    /// thresholds): every failure is an `Unhealthy` event; the result counts once it has come
    /// `successThreshold` / `failureThreshold` times in a row.
    fn on_probe_result(
        &mut self,
        uid: &str,
        name: &str,
        kind: ProbeKind,
        target: ContainerId,
        reply: Reply,
    ) {
        let Some(w) = self.worker(uid) else { return };
        if !matches!(w.phase, Phase::Sync) {
            if let Some(i) = w.index(name) {
                w.containers[i].probes[probe_index(kind)].in_flight = false;
            }
            return;
        }
        let Some(i) = w.index(name) else { return };
        let c = &mut w.containers[i];
        let state = &mut c.probes[probe_index(kind)];
        state.in_flight = false;
        if state.container.as_ref() != Some(&target)
            || c.running.as_ref().map(|r| &r.id) != Some(&target)
        {
            return;
        }
        let Some(probe) = probe_of(&c.spec, kind).cloned() else {
            return;
        };
        let (ok, output) = match reply {
            Reply::Exec { exit_code, output } => (exit_code == 0, output),
            Reply::Probe {
                outcome: ProbeOutcome::Success,
            } => (true, String::new()),
            Reply::Probe {
                outcome: ProbeOutcome::Failure(out),
            } => (false, out),
            Reply::Failed { message } => (false, message),
            _ => (true, String::new()),
        };
        if state.last_result == Some(ok) {
            state.run += 1;
        } else {
            state.last_result = Some(ok);
            state.run = 1;
        }
        let threshold = if ok {
            probe.success_threshold.unwrap_or(1)
        } else {
            probe.failure_threshold.unwrap_or(3)
        };
        let reached = state.run >= threshold;
        let field_path = c.field_path.clone();
        if !ok {
            self.event(
                uid,
                field_path,
                "Warning",
                "Unhealthy",
                format!("{} probe failed: {output}", kind.title()),
                "kubelet",
            );
        }
        if !reached {
            return;
        }
        let w = self.worker(uid).expect("exists");
        let c = &mut w.containers[i];
        match (kind, ok) {
            (ProbeKind::Readiness, ready) => {
                let state = &mut c.probes[probe_index(kind)];
                if state.ready != ready {
                    state.ready = ready;
                    self.mark_dirty(uid);
                }
            }
            (ProbeKind::Startup, true) => {
                if !c.started {
                    c.started = true;
                    self.mark_dirty(uid);
                    // The startup manager's update makes the kubelet sync the pod.
                    self.pleg_sync(uid);
                }
            }
            (ProbeKind::Liveness, true) => {}
            (ProbeKind::Liveness | ProbeKind::Startup, false) => {
                // The worker holds until a new container runs.
                let state = &mut c.probes[probe_index(kind)];
                state.on_hold = true;
                state.run = 0;
                let restart_policy = w.restart_policy().to_string();
                self.condemn(uid, i, kind, &probe, &restart_policy);
            }
        }
    }

    /// A liveness or startup probe has failed `failureThreshold` times: the container is killed
    /// (`Container app failed liveness probe, will be restarted`), by the sync the liveness
    /// manager's update triggers.
    fn condemn(&mut self, uid: &str, i: usize, kind: ProbeKind, probe: &Probe, pod_policy: &str) {
        let Some(w) = self.worker(uid) else { return };
        let c = &mut w.containers[i];
        if c.kill_message.is_some() {
            return;
        }
        let restarts = match c.spec.restart_policy.as_deref() {
            Some(p) => p != "Never",
            None => pod_policy != "Never",
        };
        let what = if kind == ProbeKind::Liveness {
            "liveness"
        } else {
            "startup"
        };
        let mut message = format!("Container {} failed {what} probe", c.name);
        if restarts {
            message.push_str(", will be restarted");
        }
        c.kill_message = Some((message, probe.termination_grace_period_seconds));
        self.pleg_sync(uid);
    }

    // --- user actions ---------------------------------------------------------------------------

    pub(crate) fn user_exec(
        &mut self,
        namespace: &str,
        name: &str,
        container: &str,
        command: Vec<String>,
    ) -> super::ActionReply {
        let Some(uid) = self
            .names
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
        else {
            return super::ActionReply::Refused(format!(
                "Error from server (NotFound): pods \"{name}\" not found"
            ));
        };
        let w = self.worker(&uid).expect("indexed");
        let Some(i) = w.index(container) else {
            return super::ActionReply::Refused(format!(
                "error: container {container} not found in pod {name}"
            ));
        };
        let Some(running) = w.containers[i].running.clone() else {
            return super::ActionReply::Refused(format!(
                "error: unable to upgrade connection: container not found (\"{container}\")"
            ));
        };
        self.command(
            &uid,
            Op::UserExec {
                container: container.into(),
                command: command.clone(),
            },
            RuntimeCommand::ExecSync {
                container: running.id,
                command,
                timeout_s: 0,
            },
        );
        super::ActionReply::Ok(Vec::new())
    }

    pub(crate) fn kill_container(
        &mut self,
        namespace: &str,
        name: &str,
        container: &str,
    ) -> super::ActionReply {
        let Some(uid) = self
            .names
            .get(&(namespace.to_string(), name.to_string()))
            .cloned()
        else {
            return super::ActionReply::Refused(format!(
                "Error from server (NotFound): pods \"{name}\" not found"
            ));
        };
        let w = self.worker(&uid).expect("indexed");
        let Some(running) = w
            .index(container)
            .and_then(|i| w.containers[i].running.clone())
        else {
            return super::ActionReply::Refused(format!(
                "error: container {container} is not running in pod {name}"
            ));
        };
        self.command(
            &uid,
            Op::Signal {
                container: container.into(),
            },
            RuntimeCommand::StopContainer {
                container: running.id,
                timeout_s: 0,
            },
        );
        super::ActionReply::Ok(Vec::new())
    }
}

/// The grace period the kubelet uses to kill a container of `pod` (`setTerminationGracePeriod`):
/// the deletion's, else the spec's, else 30 s; a negative value counts as 1.
pub(crate) fn pod_grace(pod: &Pod) -> i64 {
    let g = pod
        .metadata
        .deletion_grace_period_seconds
        .or_else(|| {
            pod.spec
                .as_ref()
                .and_then(|s| s.termination_grace_period_seconds)
        })
        .unwrap_or(30);
    if g < 0 {
        1
    } else {
        g
    }
}

/// `getTerminationMessage` and `readLastStringFromContainerLogs`
/// (pkg/kubelet/kuberuntime/kuberuntime_container.go): the last 4 KiB of the termination
/// message file; when it is empty and the policy falls back to logs for a failed container, the
/// last 80 log lines, each with its newline, cut to their last 2 KiB.
pub(crate) fn termination_message(
    file: Option<&str>,
    fallback_to_logs: bool,
    recent_logs: &[String],
) -> Option<String> {
    let last = |text: &str, max: usize| -> String {
        let mut cut = text.len().saturating_sub(max);
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        text[cut..].to_string()
    };
    match file.filter(|f| !f.is_empty()) {
        Some(f) => Some(last(f, TERMINATION_MESSAGE_MAX_BYTES)),
        None if fallback_to_logs && !recent_logs.is_empty() => {
            let start = recent_logs.len().saturating_sub(TERMINATION_LOG_LINES);
            let mut tail = String::new();
            for line in &recent_logs[start..] {
                tail.push_str(line);
                tail.push('\n');
            }
            Some(last(&tail, TERMINATION_LOG_MAX_BYTES))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::termination_message;

    #[test]
    fn the_message_is_the_file_else_for_a_failure_the_tail_of_the_log() {
        let tail = ["a".to_string(), "b".to_string()];
        assert_eq!(
            termination_message(Some("bye"), true, &tail).as_deref(),
            Some("bye")
        );
        assert_eq!(
            termination_message(Some(""), true, &tail).as_deref(),
            Some("a\nb\n")
        );
        assert_eq!(termination_message(None, false, &tail), None);
        assert_eq!(termination_message(None, true, &[]), None);
    }

    #[test]
    fn only_the_last_4_kib_of_the_file_and_2_kib_of_the_logs_are_kept() {
        let file = format!("{}end", "x".repeat(5000));
        let message = termination_message(Some(&file), false, &[]).unwrap();
        assert_eq!(message.len(), 4096);
        assert!(message.ends_with("end"));
        let lines: Vec<String> = (0..100).map(|i| format!("{i:040}")).collect();
        let message = termination_message(None, true, &lines).unwrap();
        assert!(message.len() <= 2048);
        assert!(message.ends_with(&format!("{:040}\n", 99)));
    }
}
