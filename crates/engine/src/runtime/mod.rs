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

/// What the kubelet asks of the runtime.
#[derive(Clone, Debug, PartialEq)]
pub enum RuntimeCommand {
    /// Create and start the pod sandbox (pause container, network namespace, one IP).
    /// Reply: [`Reply::SandboxReady`] or [`Reply::Failed`].
    RunPodSandbox { pod: PodRef, hostname: String },
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
    /// What the container left in its termination message file, if anything.
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
