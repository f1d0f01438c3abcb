//! The CRI-shaped boundary between the engine's kubelet and whatever runs containers: the
//! in-browser mock, a tiny scripted runtime for tests, or a real Docker engine.
//!
//! The engine sends [`RuntimeCommand`]s, each with an [`OpId`]; the runtime answers each later
//! with a [`RuntimeResult::Reply`] naming the same id, and reports what nobody asked about
//! (a process exiting, a log line) as it happens. Nothing here assumes the answer is immediate
//! or that time is virtual: a runtime over a real engine submits commands to it and hands back
//! results as they arrive. Start at [`Runtime`].
//!
//! The commands follow the CRI (`RunPodSandbox`, `PullImage`, `CreateContainer`,
//! `StartContainer`, `StopContainer`, `ExecSync`, ...) so the Docker backend can implement them
//! the way cri-dockerd does.

pub mod probe;
pub mod scripted;

use k8s_openapi::api::core::v1::Container;

use crate::time::Time;

/// Names one command, so its reply can be matched to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpId(pub u64);

/// A container as the runtime names it (`containerd://…`, `docker://…`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerId(pub String);

/// A pod sandbox as the runtime names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SandboxId(pub String);

/// Which pod a command is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRef {
    pub uid: String,
    pub name: String,
    pub namespace: String,
}

/// What the kubelet hands the runtime with RunPodSandbox (CRI PodSandboxConfig plus the volumes
/// the kubelet's volume manager has set up on the node).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SandboxConfig {
    /// The pod's volumes, set up (files resolved) before the sandbox starts, in spec order.
    pub volumes: Vec<PodVolume>,
    /// spec.shareProcessNamespace: one PID namespace for the whole pod (pause is PID 1).
    pub share_process_namespace: bool,
    pub host_network: bool,
    pub host_pid: bool,
    pub host_ipc: bool,
    /// /etc/resolv.conf as the kubelet writes it for the pod's dnsPolicy (ClusterFirst:
    /// "search <ns>.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n").
    pub resolv_conf: String,
    /// The pod's labels and annotations (for the runtime's labels): the pod's labels, the
    /// kubelet's `io.kubernetes.pod.name` / `io.kubernetes.pod.namespace` /
    /// `io.kubernetes.pod.uid` (`newPodLabels`), and each annotation as `annotation.<key>`
    /// (how dockershim and cri-dockerd fold annotations into Docker labels, `makeLabels`).
    pub labels: std::collections::BTreeMap<String, String>,
}

/// One of the pod's volumes, as the kubelet's volume manager has set it up.
#[derive(Clone, Debug, PartialEq)]
pub struct PodVolume {
    pub name: String,
    pub source: VolumeSource,
}

#[derive(Clone, Debug, PartialEq)]
pub enum VolumeSource {
    /// emptyDir: a directory that lives as long as the pod; `memory` for medium: Memory (tmpfs,
    /// counted toward the container's memory).
    EmptyDir {
        memory: bool,
        size_limit_bytes: Option<u64>,
    },
    /// Files the kubelet writes from API objects: configMap, secret, downwardAPI, projected
    /// (incl. the service account token). Paths are relative to the volume root, in path order.
    /// The kubelet writes them with its `AtomicWriter` (pkg/volume/util/atomic_writer.go): the
    /// files live in a `..<timestamp>` directory, `..data` links to it, and each top-level
    /// entry is a symlink through `..data`; a runtime that shows `ls -la` may lay them out so.
    Files { files: Vec<VolumeFile> },
    /// A node directory (hostPath), with its `type` ("" when unset).
    HostPath { path: String, type_: String },
}

/// One file of a [`VolumeSource::Files`] volume (`volumeutil.FileProjection`).
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeFile {
    pub path: String,
    pub content: Vec<u8>,
    /// Permission bits (defaultMode / items[].mode, 0o644 by default).
    pub mode: u32,
}

/// What the kubelet hands the runtime with CreateContainer (CRI ContainerConfig), resolved.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ContainerConfig {
    /// The environment the kubelet computes (makeEnvironmentVariables): env and envFrom, with
    /// $(VAR) expansion, valueFrom fieldRef / resourceFieldRef / configMapKeyRef / secretKeyRef,
    /// in the kubelet's order, then the service variables (`KUBERNETES_SERVICE_HOST`, ...).
    /// Image ENV is the runtime's business (the runtime merges it under these).
    pub env: Vec<(String, String)>,
    /// volumeMounts, in spec order (plus the kubelet's own /etc/hosts when it manages it: a
    /// mount of volume [`ETC_HOSTS_VOLUME`] at `/etc/hosts` whose content is `etc_hosts`).
    pub mounts: Vec<Mount>,
    /// /etc/hosts as the kubelet writes it (managedHostsFileContent), None when the kubelet does
    /// not manage it (hostNetwork, or a volumeMount of its own at /etc/hosts).
    pub etc_hosts: Option<String>,
    /// resources.limits.memory in bytes, if set.
    pub memory_limit_bytes: Option<u64>,
    /// resources.limits.cpu in millicores, if set.
    pub cpu_limit_millis: Option<u64>,
    /// The command and args after $(VAR) expansion against `env` (kubecontainer.ExpandContainerCommandAndArgs).
    pub command: Vec<String>,
    pub args: Vec<String>,
}

/// The name of the kubelet's own /etc/hosts mount (`makeHostsMount`): not a pod volume; its
/// content is [`ContainerConfig::etc_hosts`].
pub const ETC_HOSTS_VOLUME: &str = "k8s-managed-etc-hosts";

/// One mount of a container (`kubecontainer.Mount` as `makeMounts` builds it).
#[derive(Clone, Debug, PartialEq)]
pub struct Mount {
    /// The pod volume's name.
    pub volume: String,
    pub container_path: String,
    /// subPath (after subPathExpr expansion), "" for the volume root.
    pub sub_path: String,
    /// The volumeMount's readOnly, or a volume the kubelet always mounts read-only
    /// (configMap, secret, downwardAPI, projected).
    pub read_only: bool,
}

/// What the kubelet asks of the runtime.
#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeCommand {
    /// Create and start the pod sandbox (pause container, network namespace, one IP), with the
    /// pod's volumes already set up by the kubelet ([`SandboxConfig`]).
    /// Reply: [`Reply::SandboxReady`] or [`Reply::Failed`].
    RunPodSandbox {
        pod: PodRef,
        /// The pod's hostname as the kubelet computes it (`GeneratePodHostNameAndDomain`, then
        /// `GetNodenameForKernel`): `spec.hostname` or the pod's name, the FQDN with
        /// `setHostnameAsFQDN`. A runtime ignores it for a `hostNetwork` pod (the node's UTS
        /// namespace), as container runtimes do.
        hostname: String,
        config: Box<SandboxConfig>,
    },
    /// Stop the sandbox (its network namespace goes). Reply: [`Reply::Done`].
    StopPodSandbox { sandbox: SandboxId },
    /// Is the image on the node? Reply: [`Reply::ImageStatus`].
    ImageStatus { image: String },
    /// Pull the image. Reply: [`Reply::ImagePulled`] or [`Reply::Failed`] with the registry's
    /// message.
    PullImage { image: String, pod: PodRef },
    /// Create a container in the sandbox. `attempt` counts restarts, as in its name.
    /// Reply: [`Reply::ContainerCreated`] or [`Reply::Failed`].
    CreateContainer {
        pod: PodRef,
        sandbox: SandboxId,
        container: Box<Container>,
        attempt: u32,
        /// The pod's IP, for the container's environment and /etc/hosts.
        pod_ip: String,
        /// What the kubelet resolved for this container: environment, mounts, /etc/hosts,
        /// limits, the expanded command and args.
        config: Box<ContainerConfig>,
    },
    /// Start a created container. Reply: [`Reply::Done`] or [`Reply::Failed`] (with the exit
    /// code the runtime reports, 128 for a command that cannot run).
    StartContainer { container: ContainerId },
    /// Stop a container: the image's stop signal (SIGTERM unless the image says otherwise),
    /// then SIGKILL after `timeout_s`. Reply: [`Reply::Done`] once it has exited; the exit itself
    /// arrives as [`RuntimeResult::Exited`].
    StopContainer {
        container: ContainerId,
        timeout_s: i64,
    },
    /// Remove an exited container. Reply: [`Reply::Done`].
    RemoveContainer { container: ContainerId },
    /// Run a command in a running container and wait for it, at most `timeout_s`.
    /// Reply: [`Reply::Exec`].
    ExecSync {
        container: ContainerId,
        command: Vec<String>,
        timeout_s: i64,
    },
    /// An HTTP GET from the node to the pod (httpGet probes and hooks). Reply: [`Reply::Probe`].
    HttpGet {
        pod_ip: String,
        port: i32,
        path: String,
        scheme: String,
        timeout_s: i64,
    },
    /// A TCP connect to the pod (tcpSocket probes). Reply: [`Reply::Probe`].
    TcpSocket {
        pod_ip: String,
        port: i32,
        timeout_s: i64,
    },
    /// A gRPC health check against the pod (grpc probes). Reply: [`Reply::Probe`].
    Grpc {
        pod_ip: String,
        port: i32,
        service: String,
        timeout_s: i64,
    },
}

/// What comes back from the runtime.
#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeResult {
    /// The answer to command `op`.
    Reply { op: OpId, reply: Reply },
    /// A container's process has ended, whoever caused it.
    Exited { container: ContainerId, exit: Exit },
    /// A line a container wrote (stdout or stderr).
    Log {
        container: ContainerId,
        line: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// The command succeeded and has nothing to say.
    Done,
    /// The command failed: the runtime's message, as the kubelet would print it after `Error: `.
    Failed {
        message: String,
    },
    SandboxReady {
        sandbox: SandboxId,
        ip: String,
    },
    ImageStatus {
        present: bool,
        size_bytes: u64,
    },
    ImagePulled {
        size_bytes: u64,
    },
    ContainerCreated {
        container: ContainerId,
    },
    Exec {
        exit_code: i32,
        output: String,
    },
    Probe {
        outcome: ProbeOutcome,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    Success,
    /// Reached the target and it said no (HTTP status, refused connection...): the output is
    /// what the kubelet puts in the Unhealthy event.
    Failure(String),
}

/// How a container's process ended, as the runtime reports it (`docker inspect`'s State).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exit {
    pub exit_code: i32,
    /// The kernel's OOM killer ended it (reason `OOMKilled`).
    pub oom_killed: bool,
    /// What the container left in its termination message file, if anything: the file as it
    /// is (or its last `lifecycle::worker::TERMINATION_MESSAGE_MAX_BYTES`, all the kubelet
    /// reads). Cutting it and falling back to the logs are the kubelet's, in the engine.
    pub message: Option<String>,
}

/// A runtime: commands go in with [`Runtime::submit`], results come out of [`Runtime::poll`].
///
/// A runtime running in virtual time (the mock, the scripted runtime) says when its next result
/// is due ([`Runtime::next_ready`]) so the driver can jump the clock there; a runtime over a real
/// engine returns `None` and its results arrive as the engine answers.
pub trait Runtime {
    /// Accepts command `op` at time `now`.
    fn submit(&mut self, now: Time, op: OpId, command: RuntimeCommand);
    /// The next result that is ready at `now`, with the time it happened.
    fn poll(&mut self, now: Time) -> Option<(Time, RuntimeResult)>;
    /// When the next result will be ready, for runtimes that run in virtual time.
    fn next_ready(&self) -> Option<Time>;
}
