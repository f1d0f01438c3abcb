//! [`DockerRuntime`]: the engine's [`Runtime`] over a real Docker engine, the way dockershim
//! (now cri-dockerd) ran pods on Docker.
//!
//! Start at [`DockerRuntime::connect`], then [`Runtime::submit`]. Each command becomes a task on
//! the tokio runtime; its answer (and everything nobody asked about: log lines, a process
//! exiting) goes into one channel, which [`Runtime::poll`] drains and
//! [`crate::driver::RealTimeRuntime::wait`] waits on. The runtime decides nothing: restarts,
//! back-offs, probes' verdicts and status stay in the engine.
//!
//! A pod is a sandbox container (see [`SANDBOX_COMMAND`]) on `--network none` with shareable IPC;
//! its app containers join `container:<sandbox>` for network and IPC (and PID with
//! shareProcessNamespace). Volumes are host directories under the run's state directory,
//! bind-mounted. Everything carries the run's label, and [`DockerRuntime::cleanup`] removes it.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bollard::errors::Error as DockerError;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, ListContainersOptions, LogsOptions,
    RemoveContainerOptions, StopContainerOptions, WaitContainerOptions,
};
use bollard::Docker;
use futures_util::StreamExt;
use k8s_openapi::api::core::v1::Container;
use podplay_engine::lifecycle::worker::TERMINATION_MESSAGE_MAX_BYTES;
use podplay_engine::runtime::{
    probe, ContainerConfig, ContainerId, Exit, OpId, PodRef, ProbeOutcome, Reply, Runtime,
    RuntimeCommand, RuntimeResult, SandboxConfig, SandboxId, VolumeSource, ETC_HOSTS_VOLUME,
};
use podplay_engine::time::Time;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

use crate::names;

/// The image the sandbox runs when the pause image is not on the node: the local busybox.
pub const SANDBOX_IMAGE: &str = "busybox:latest";

/// What the sandbox container runs. There is no pause image here (nothing can be pulled), so the
/// sandbox is busybox sleeping forever, as pause does: it holds the pod's network and IPC
/// namespaces and does nothing else. Before it sleeps it gives the loopback interface the pod's
/// IP (it alone has NET_ADMIN, in the pod's own network namespace), so the pod answers on its IP
/// as on a cluster, with nothing leaving the machine. Like pause it exits at once on SIGTERM or
/// SIGINT.
pub const SANDBOX_COMMAND: &str =
    "ip addr add \"$POD_IP/32\" dev lo; trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done";

/// Why the runtime cannot start.
#[derive(Debug)]
pub enum ConnectError {
    /// No Docker engine answered at `host`.
    NoEngine { host: String, detail: String },
    /// The state directory could not be made.
    StateDir {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The docker CLI's own words, then what to do about it.
            ConnectError::NoEngine { host, detail } => write!(
                f,
                "Cannot connect to the Docker daemon at {host}. Is the docker daemon running? \
                 ({detail}; set DOCKER_HOST, or start podplay's own engine with \
                 scripts/docker-engine start)"
            ),
            ConnectError::StateDir { path, error } => {
                write!(f, "cannot create {}: {error}", path.display())
            }
        }
    }
}

impl std::error::Error for ConnectError {}

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run pods that reach the host (hostPath, host namespaces, privileged, added capabilities).
    pub allow_host_access: bool,
    /// Where the run's volumes, hosts files and termination-message files go (a directory
    /// named after the run is made in it). The Docker engine must see the same path, so
    /// `DOCKER_HOST` must name an engine on this machine.
    pub state_dir: PathBuf,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            allow_host_access: false,
            state_dir: default_state_dir(),
        }
    }
}

/// `$PODPLAY_STATE_DIR`, else `podplay` in the temporary directory.
pub fn default_state_dir() -> PathBuf {
    std::env::var_os("PODPLAY_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("podplay"))
}

/// The Docker host podplay talks to: `DOCKER_HOST`, else the default socket.
pub fn docker_host() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into())
}

/// Connects to the engine of [`docker_host`] and agrees on an API version with it.
pub async fn connect_docker() -> Result<Docker, ConnectError> {
    let host = docker_host();
    let no_engine = |e: DockerError| ConnectError::NoEngine {
        host: host.clone(),
        detail: e.to_string(),
    };
    let docker = Docker::connect_with_defaults().map_err(no_engine)?;
    // Log streams and waits last as long as containers run: no overall request timeout.
    let docker = docker.with_timeout(Duration::from_secs(24 * 3600));
    let docker = docker.negotiate_version().await.map_err(no_engine)?;
    docker.ping().await.map_err(no_engine)?;
    Ok(docker)
}

/// A sandbox the runtime made, and what its containers need from it.
#[derive(Clone, Debug)]
struct SandboxInfo {
    ip: String,
    pod_dir: PathBuf,
    share_pid: bool,
    /// Volume name → host directory (or host path for an allowed hostPath).
    volumes: BTreeMap<String, PathBuf>,
}

/// A container the runtime made.
#[derive(Clone, Debug)]
struct ContainerInfo {
    /// Once started: flips to `true` when its exit has been reported.
    exited: Option<watch::Receiver<bool>>,
    /// The host file bind-mounted at its terminationMessagePath.
    message_file: PathBuf,
    /// It has a memory limit (so a SIGKILL nobody sent is the OOM killer's).
    memory_limited: bool,
    /// The kubelet has asked it to stop (so a SIGKILL may be the end of its grace period).
    stopping: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// The engine's [`Runtime`] over Docker. See the module documentation.
pub struct DockerRuntime {
    docker: Docker,
    run_id: String,
    run_dir: PathBuf,
    options: Options,
    tx: mpsc::UnboundedSender<RuntimeResult>,
    rx: mpsc::UnboundedReceiver<RuntimeResult>,
    ready: VecDeque<RuntimeResult>,
    /// Tasks in flight: command tasks and the followers of running containers.
    busy: Arc<AtomicUsize>,
    tasks: Vec<AbortHandle>,
    sandboxes: BTreeMap<String, SandboxInfo>,
    containers: BTreeMap<String, ContainerInfo>,
    /// Pod IP → sandbox id, for probes from "the node".
    by_ip: BTreeMap<String, String>,
    sandboxes_made: u32,
    /// Sandboxes and containers being made, by the command's op: recorded under their Docker
    /// id when the reply passes through [`Runtime::poll`].
    pending_sandboxes: BTreeMap<OpId, SandboxInfo>,
    pending_containers: BTreeMap<OpId, ContainerInfo>,
}

impl DockerRuntime {
    /// Connects to Docker (see [`connect_docker`]) and makes the run's state directory.
    pub async fn connect(options: Options) -> Result<DockerRuntime, ConnectError> {
        let docker = connect_docker().await?;
        DockerRuntime::with_docker(docker, options)
    }

    /// A runtime over an engine already connected.
    pub fn with_docker(docker: Docker, options: Options) -> Result<DockerRuntime, ConnectError> {
        let run_id = new_run_id();
        let run_dir = options.state_dir.join(&run_id);
        std::fs::create_dir_all(&run_dir).map_err(|error| ConnectError::StateDir {
            path: run_dir.clone(),
            error,
        })?;
        let (tx, rx) = mpsc::unbounded_channel();
        Ok(DockerRuntime {
            docker,
            run_id,
            run_dir,
            options,
            tx,
            rx,
            ready: VecDeque::new(),
            busy: Arc::new(AtomicUsize::new(0)),
            tasks: Vec::new(),
            sandboxes: BTreeMap::new(),
            containers: BTreeMap::new(),
            by_ip: BTreeMap::new(),
            sandboxes_made: 0,
            pending_sandboxes: BTreeMap::new(),
            pending_containers: BTreeMap::new(),
        })
    }

    /// The run's label value (`dev.podplay.run`).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The run's state directory (volumes, hosts files, termination messages).
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Removes every container of the run (by its label, so also any a failed command left
    /// half-made) and the run's state directory. Safe to call more than once.
    pub async fn cleanup(&mut self) -> Result<(), String> {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        let removed = crate::gc::remove_containers(&self.docker, Some(&self.run_id)).await;
        let dir = match std::fs::remove_dir_all(&self.run_dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(format!("cannot remove {}: {e}", self.run_dir.display()))
            }
            _ => Ok(()),
        };
        removed.map(|_| ()).and(dir)
    }

    /// Whether nothing more will come without a command: no task in flight, no container
    /// running, nothing unread.
    pub fn is_quiet(&self) -> bool {
        self.ready.is_empty() && self.rx.is_empty() && self.busy.load(Ordering::SeqCst) == 0
    }

    /// Waits until [`Runtime::poll`] has something. Cancel-safe.
    pub async fn wait(&mut self) {
        if !self.ready.is_empty() {
            return;
        }
        if let Some(r) = self.rx.recv().await {
            self.ready.push_back(r);
        }
    }

    fn spawn<F>(&mut self, future: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.tasks.retain(|t| !t.is_finished());
        let busy = self.busy.clone();
        busy.fetch_add(1, Ordering::SeqCst);
        let handle = tokio::spawn(async move {
            future.await;
            busy.fetch_sub(1, Ordering::SeqCst);
        });
        self.tasks.push(handle.abort_handle());
    }

    fn reply_now(&self, op: OpId, reply: Reply) {
        let _ = self.tx.send(RuntimeResult::Reply { op, reply });
    }

    fn run_pod_sandbox(&mut self, op: OpId, pod: PodRef, hostname: String, config: &SandboxConfig) {
        let wants_host = config.host_network || config.host_pid || config.host_ipc;
        let has_host_path = config
            .volumes
            .iter()
            .any(|v| matches!(v.source, VolumeSource::HostPath { .. }));
        if (wants_host || has_host_path) && !self.options.allow_host_access {
            return self.reply_now(
                op,
                Reply::Failed {
                    message: "podplay refuses host access on Docker without --allow-host-access"
                        .into(),
                },
            );
        }
        self.sandboxes_made += 1;
        // Pod IPs as a node's pod CIDR hands them out (10.244.0.0/24, after the gateway and
        // the first pods), one per sandbox of the run.
        let ip = format!("10.244.0.{}", 3 + self.sandboxes_made);
        let pod_dir = self.run_dir.join("pods").join(&pod.uid);
        let volumes = match prepare_pod_dir(&pod_dir, config) {
            Ok(v) => v,
            Err(e) => {
                return self.reply_now(
                    op,
                    Reply::Failed {
                        message: format!("setting up the pod's volumes: {e}"),
                    },
                )
            }
        };
        let info = SandboxInfo {
            ip: ip.clone(),
            pod_dir,
            share_pid: config.share_process_namespace,
            volumes,
        };
        let mut labels = names::sandbox_labels(&self.run_id, &pod);
        for (k, v) in &config.labels {
            labels.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let name = names::sandbox_name(&pod, 0);
        let body = ContainerCreateBody {
            image: Some(SANDBOX_IMAGE.into()),
            hostname: (!config.host_network).then_some(hostname),
            entrypoint: Some(vec!["sh".into(), "-c".into(), SANDBOX_COMMAND.into()]),
            env: Some(vec![format!("POD_IP={ip}")]),
            labels: Some(labels),
            host_config: Some(HostConfig {
                network_mode: Some(if config.host_network { "host" } else { "none" }.into()),
                ipc_mode: Some(if config.host_ipc { "host" } else { "shareable" }.into()),
                pid_mode: config.host_pid.then(|| "host".to_string()),
                cap_add: (!config.host_network).then(|| vec!["NET_ADMIN".to_string()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        self.spawn(async move {
            let result = async {
                let id = docker
                    .create_container(
                        Some(CreateContainerOptions {
                            name: Some(name),
                            ..Default::default()
                        }),
                        body,
                    )
                    .await?
                    .id;
                docker.start_container(&id, None).await?;
                Ok::<_, DockerError>(id)
            }
            .await;
            let reply = match result {
                Ok(id) => Reply::SandboxReady {
                    sandbox: SandboxId(id),
                    ip,
                },
                Err(e) => Reply::Failed {
                    message: daemon_message(&e),
                },
            };
            let _ = tx.send(RuntimeResult::Reply { op, reply });
        });
        // The sandbox's id is known only once Docker answers; the driver hands the reply to the
        // engine, and `remember_sandbox` records it on the way (see `poll`).
        self.pending_sandboxes.insert(op, info);
    }
}

/// A run's id: the process and the wall clock's nanoseconds, enough to tell runs apart.
fn new_run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{:x}", std::process::id(), nanos & 0xffff_ffff_ffff)
}

/// The daemon's message as the docker client library words it (what cri-dockerd passes on).
pub fn daemon_message(e: &DockerError) -> String {
    match e {
        DockerError::DockerResponseServerError { message, .. } => {
            format!("Error response from daemon: {message}")
        }
        DockerError::DockerStreamError { error } => format!("Error response from daemon: {error}"),
        other => other.to_string(),
    }
}

/// Makes the pod's directory and its volumes: emptyDir directories, the files of configMap,
/// secret, downwardAPI and projected volumes; hostPath volumes name the host's own path.
fn prepare_pod_dir(
    pod_dir: &Path,
    config: &SandboxConfig,
) -> std::io::Result<BTreeMap<String, PathBuf>> {
    let volumes_dir = pod_dir.join("volumes");
    std::fs::create_dir_all(&volumes_dir)?;
    std::fs::write(pod_dir.join("resolv.conf"), &config.resolv_conf)?;
    let mut volumes = BTreeMap::new();
    for v in &config.volumes {
        let dir = volumes_dir.join(&v.name);
        match &v.source {
            VolumeSource::EmptyDir { .. } => {
                std::fs::create_dir_all(&dir)?;
                // emptyDir is world-writable (0777), as the kubelet makes it.
                set_mode(&dir, 0o777)?;
                volumes.insert(v.name.clone(), dir);
            }
            VolumeSource::Files { files } => {
                std::fs::create_dir_all(&dir)?;
                for f in files {
                    let relative = Path::new(&f.path);
                    if relative.is_absolute()
                        || relative
                            .components()
                            .any(|c| matches!(c, std::path::Component::ParentDir))
                    {
                        continue; // the API server refuses these; never write outside
                    }
                    let path = dir.join(relative);
                    if let Some(parent) = path.parent() {
                        std::fs::create_dir_all(parent)?;
                    }
                    std::fs::write(&path, &f.content)?;
                    set_mode(&path, f.mode)?;
                }
                volumes.insert(v.name.clone(), dir);
            }
            VolumeSource::HostPath { path, .. } => {
                volumes.insert(v.name.clone(), PathBuf::from(path));
            }
        }
    }
    Ok(volumes)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> std::io::Result<()> {
    Ok(())
}

impl DockerRuntime {
    fn create_container(
        &mut self,
        op: OpId,
        pod: PodRef,
        sandbox: SandboxId,
        container: &Container,
        attempt: u32,
        config: &ContainerConfig,
    ) {
        let Some(info) = self.sandboxes.get(&sandbox.0).cloned() else {
            return self.reply_now(
                op,
                Reply::Failed {
                    message: format!(
                        "Error response from daemon: No such container: {}",
                        sandbox.0
                    ),
                },
            );
        };
        let sc = container.security_context.as_ref();
        let privileged = sc.and_then(|s| s.privileged) == Some(true);
        let cap_add: Vec<String> = sc
            .and_then(|s| s.capabilities.as_ref())
            .and_then(|c| c.add.clone())
            .unwrap_or_default();
        if (privileged || !cap_add.is_empty()) && !self.options.allow_host_access {
            return self.reply_now(
                op,
                Reply::Failed {
                    message: "podplay refuses host access on Docker without --allow-host-access"
                        .into(),
                },
            );
        }
        let name = names::container_name(&container.name, &pod, attempt);
        let dir = info
            .pod_dir
            .join("containers")
            .join(format!("{}_{attempt}", container.name));
        let message_file = dir.join("termination-log");
        let message_path = container
            .termination_message_path
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/dev/termination-log".into());
        let prepared = (|| -> std::io::Result<Vec<String>> {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&message_file, b"")?;
            set_mode(&message_file, 0o666)?;
            let mut binds = Vec::new();
            for m in &config.mounts {
                let host = if m.volume == ETC_HOSTS_VOLUME {
                    let hosts = dir.join("etc-hosts");
                    std::fs::write(&hosts, config.etc_hosts.as_deref().unwrap_or_default())?;
                    set_mode(&hosts, 0o644)?;
                    hosts
                } else {
                    let Some(root) = info.volumes.get(&m.volume) else {
                        return Err(std::io::Error::other(format!(
                            "volume {:?} is not set up for the pod",
                            m.volume
                        )));
                    };
                    if m.sub_path.is_empty() {
                        root.clone()
                    } else {
                        // The kubelet makes a missing subPath as a directory (doSafeMakeDir).
                        let sub = root.join(&m.sub_path);
                        if !sub.exists() {
                            std::fs::create_dir_all(&sub)?;
                            set_mode(&sub, 0o777)?;
                        }
                        sub
                    }
                };
                let ro = if m.read_only { ":ro" } else { "" };
                binds.push(format!("{}:{}{ro}", host.display(), m.container_path));
            }
            let has_etc_hosts = config
                .mounts
                .iter()
                .any(|m| m.container_path == "/etc/hosts");
            if config.etc_hosts.is_some() && !has_etc_hosts {
                let hosts = dir.join("etc-hosts");
                std::fs::write(&hosts, config.etc_hosts.as_deref().unwrap_or_default())?;
                binds.push(format!("{}:/etc/hosts", hosts.display()));
            }
            let resolv = info.pod_dir.join("resolv.conf");
            let has_resolv = config
                .mounts
                .iter()
                .any(|m| m.container_path == "/etc/resolv.conf");
            if !has_resolv && std::fs::metadata(&resolv).is_ok_and(|m| m.len() > 0) {
                binds.push(format!("{}:/etc/resolv.conf", resolv.display()));
            }
            binds.push(format!("{}:{message_path}", message_file.display()));
            Ok(binds)
        })();
        let binds = match prepared {
            Ok(b) => b,
            Err(e) => {
                return self.reply_now(
                    op,
                    Reply::Failed {
                        message: format!("failed to prepare the container's mounts: {e}"),
                    },
                )
            }
        };
        let (entrypoint, cmd) = match (config.command.is_empty(), config.args.is_empty()) {
            (false, _) => (Some(config.command.clone()), Some(config.args.clone())),
            (true, false) => (None, Some(config.args.clone())),
            (true, true) => (None, None),
        };
        let user =
            sc.and_then(|s| s.run_as_user)
                .map(|uid| match sc.and_then(|s| s.run_as_group) {
                    Some(gid) => format!("{uid}:{gid}"),
                    None => uid.to_string(),
                });
        let sandbox_mode = format!("container:{}", sandbox.0);
        let memory = config.memory_limit_bytes.map(|b| b as i64);
        let body = ContainerCreateBody {
            image: container.image.clone(),
            entrypoint,
            cmd,
            env: Some(config.env.iter().map(|(k, v)| format!("{k}={v}")).collect()),
            working_dir: container.working_dir.clone(),
            user,
            tty: container.tty,
            open_stdin: container.stdin,
            stdin_once: container.stdin_once,
            labels: Some(names::container_labels(
                &self.run_id,
                &pod,
                &container.name,
                &sandbox.0,
            )),
            host_config: Some(HostConfig {
                network_mode: Some(sandbox_mode.clone()),
                ipc_mode: Some(sandbox_mode.clone()),
                pid_mode: info.share_pid.then_some(sandbox_mode),
                binds: Some(binds),
                memory,
                // No swap: a container that outgrows its limit is OOM-killed, as on a node.
                memory_swap: memory,
                nano_cpus: config.cpu_limit_millis.map(|m| (m as i64) * 1_000_000),
                privileged: privileged.then_some(true),
                cap_add: (!cap_add.is_empty()).then_some(cap_add),
                ..Default::default()
            }),
            ..Default::default()
        };
        self.pending_containers.insert(
            op,
            ContainerInfo {
                exited: None,
                message_file,
                memory_limited: config.memory_limit_bytes.is_some(),
                stopping: Default::default(),
            },
        );
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        self.spawn(async move {
            let created = docker
                .create_container(
                    Some(CreateContainerOptions {
                        name: Some(name),
                        ..Default::default()
                    }),
                    body,
                )
                .await;
            let reply = match created {
                Ok(r) => Reply::ContainerCreated {
                    container: ContainerId(format!("docker://{}", r.id)),
                },
                Err(e) => Reply::Failed {
                    message: daemon_message(&e),
                },
            };
            let _ = tx.send(RuntimeResult::Reply { op, reply });
        });
    }

    fn start_container(&mut self, op: OpId, container: ContainerId) {
        let id = docker_id(&container).to_string();
        let (exited_tx, exited_rx) = watch::channel(false);
        let Some(info) = self.containers.get_mut(&id) else {
            return self.reply_now(
                op,
                Reply::Failed {
                    message: format!("Error response from daemon: No such container: {id}"),
                },
            );
        };
        info.exited = Some(exited_rx);
        let info = info.clone();
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        self.spawn(async move {
            if let Err(e) = docker.start_container(&id, None).await {
                let _ = tx.send(RuntimeResult::Reply {
                    op,
                    reply: Reply::Failed {
                        message: daemon_message(&e),
                    },
                });
                let _ = exited_tx.send(true);
                return;
            }
            let _ = tx.send(RuntimeResult::Reply {
                op,
                reply: Reply::Done,
            });
            let exit = follow(&docker, &id, &container, &info, &tx).await;
            let _ = tx.send(RuntimeResult::Exited { container, exit });
            let _ = exited_tx.send(true);
        });
    }

    fn stop_container(&mut self, op: OpId, container: ContainerId, timeout_s: i64) {
        let id = docker_id(&container).to_string();
        let Some(mut exited) = self.containers.get(&id).and_then(|c| c.exited.clone()) else {
            return self.reply_now(op, Reply::Done);
        };
        if let Some(c) = self.containers.get(&id) {
            c.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        let t = timeout_s.clamp(0, i32::MAX as i64) as i32;
        self.spawn(async move {
            // `docker stop -t`: the image's stop signal, then SIGKILL after `t` seconds. An
            // error here (already stopped, gone) still ends in the exit being reported.
            let _ = docker
                .stop_container(
                    &id,
                    Some(StopContainerOptions {
                        t: Some(t),
                        ..Default::default()
                    }),
                )
                .await;
            while !*exited.borrow_and_update() {
                if exited.changed().await.is_err() {
                    break;
                }
            }
            let _ = tx.send(RuntimeResult::Reply {
                op,
                reply: Reply::Done,
            });
        });
    }

    fn exec_sync(
        &mut self,
        op: OpId,
        container: ContainerId,
        command: Vec<String>,
        timeout_s: i64,
    ) {
        let id = docker_id(&container).to_string();
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        self.spawn(async move {
            let reply = match exec(&docker, &id, command.clone(), Vec::new(), timeout_s).await {
                Ok(Some((exit_code, output))) => Reply::Exec { exit_code, output },
                // The kubelet's remote runtime: `command %q timed out`.
                Ok(None) => Reply::Failed {
                    message: format!(
                        "command {} timed out",
                        podplay_engine::go::quote(&command.join(" "))
                    ),
                },
                Err(e) => Reply::Failed {
                    message: daemon_message(&e),
                },
            };
            let _ = tx.send(RuntimeResult::Reply { op, reply });
        });
    }

    /// httpGet and tcpSocket probes "from the node": run in the pod's network namespace (in
    /// the sandbox, with busybox's nc), worded as the kubelet's prober words the outcome.
    fn probe(&mut self, op: OpId, command: RuntimeCommand) {
        let (ip, port, timeout_s) = match &command {
            RuntimeCommand::HttpGet {
                pod_ip,
                port,
                timeout_s,
                ..
            }
            | RuntimeCommand::TcpSocket {
                pod_ip,
                port,
                timeout_s,
            }
            | RuntimeCommand::Grpc {
                pod_ip,
                port,
                timeout_s,
                ..
            } => (pod_ip.clone(), *port, *timeout_s),
            _ => return,
        };
        let refused = probe::dial_refused(&ip, port);
        let Some(sandbox) = self.by_ip.get(&ip).cloned() else {
            return self.reply_now(
                op,
                Reply::Probe {
                    outcome: ProbeOutcome::Failure(refused),
                },
            );
        };
        let docker = self.docker.clone();
        let tx = self.tx.clone();
        let t = timeout_s.max(1);
        self.spawn(async move {
            let outcome = match command {
                RuntimeCommand::HttpGet { path, scheme, .. } => {
                    let url = probe::http_url(&scheme, &ip, port, &path);
                    let script = "printf '%s' \"$PROBE_REQUEST\" | nc -w \"$PROBE_TIMEOUT\" \"$PROBE_IP\" \"$PROBE_PORT\" 2>&1";
                    let env = vec![
                        format!("PROBE_REQUEST={}", probe::http_request(&ip, port, &path)),
                        format!("PROBE_IP={ip}"),
                        format!("PROBE_PORT={port}"),
                        format!("PROBE_TIMEOUT={t}"),
                    ];
                    let argv = vec!["sh".to_string(), "-c".into(), script.into()];
                    match exec(&docker, &sandbox, argv, env, t + 1).await {
                        Ok(Some((_, output))) => http_outcome(&url, &ip, port, &output),
                        Ok(None) => probe::http_timeout(&url),
                        Err(e) => ProbeOutcome::Failure(daemon_message(&e)),
                    }
                }
                RuntimeCommand::TcpSocket { .. } => {
                    let argv = vec![
                        "nc".to_string(),
                        "-w".into(),
                        t.to_string(),
                        ip.clone(),
                        port.to_string(),
                    ];
                    // nc's stdin is empty: it connects, sees end of input and leaves.
                    match exec(&docker, &sandbox, argv, Vec::new(), t + 1).await {
                        Ok(Some((0, _))) => ProbeOutcome::Success,
                        Ok(Some((_, output))) if output.contains("timed out") => {
                            ProbeOutcome::Failure(probe::dial_timeout(&ip, port))
                        }
                        Ok(Some(_)) => ProbeOutcome::Failure(refused),
                        Ok(None) => ProbeOutcome::Success,
                        Err(e) => ProbeOutcome::Failure(daemon_message(&e)),
                    }
                }
                _ => ProbeOutcome::Failure(
                    "gRPC probes are not supported by podplay's Docker backend".into(),
                ),
            };
            let _ = tx.send(RuntimeResult::Reply {
                op,
                reply: Reply::Probe { outcome },
            });
        });
    }

    fn simple<F>(&mut self, op: OpId, future: F)
    where
        F: std::future::Future<Output = Reply> + Send + 'static,
    {
        let tx = self.tx.clone();
        self.spawn(async move {
            let reply = future.await;
            let _ = tx.send(RuntimeResult::Reply { op, reply });
        });
    }

    /// Records what a reply tells about objects being made (a sandbox's or container's id).
    fn remember(&mut self, result: &RuntimeResult) {
        let RuntimeResult::Reply { op, reply } = result else {
            return;
        };
        if let Some(info) = self.pending_sandboxes.remove(op) {
            if let Reply::SandboxReady { sandbox, ip } = reply {
                self.by_ip.insert(ip.clone(), sandbox.0.clone());
                self.sandboxes.insert(sandbox.0.clone(), info);
            }
        }
        if let Some(info) = self.pending_containers.remove(op) {
            if let Reply::ContainerCreated { container } = reply {
                self.containers
                    .insert(docker_id(container).to_string(), info);
            }
        }
    }
}

impl Runtime for DockerRuntime {
    fn submit(&mut self, _now: Time, op: OpId, command: RuntimeCommand) {
        match command {
            RuntimeCommand::RunPodSandbox {
                pod,
                hostname,
                config,
            } => self.run_pod_sandbox(op, pod, hostname, &config),
            RuntimeCommand::StopPodSandbox { sandbox } => {
                let docker = self.docker.clone();
                if let Some(info) = self.sandboxes.get(&sandbox.0) {
                    self.by_ip.remove(&info.ip);
                }
                self.simple(op, async move {
                    // cri-dockerd's `defaultSandboxGracePeriod`: 10s (the sandbox leaves at once).
                    let _ = docker
                        .stop_container(
                            &sandbox.0,
                            Some(StopContainerOptions {
                                t: Some(10),
                                ..Default::default()
                            }),
                        )
                        .await;
                    Reply::Done
                });
            }
            RuntimeCommand::ImageStatus { image } => {
                let docker = self.docker.clone();
                self.simple(op, async move {
                    match docker.inspect_image(&image).await {
                        Ok(i) => Reply::ImageStatus {
                            present: true,
                            size_bytes: i.size.unwrap_or(0).max(0) as u64,
                        },
                        Err(DockerError::DockerResponseServerError {
                            status_code: 404, ..
                        }) => Reply::ImageStatus {
                            present: false,
                            size_bytes: 0,
                        },
                        Err(e) => Reply::Failed {
                            message: daemon_message(&e),
                        },
                    }
                });
            }
            RuntimeCommand::PullImage { image, .. } => {
                let docker = self.docker.clone();
                self.simple(op, async move { pull(&docker, &image).await });
            }
            RuntimeCommand::CreateContainer {
                pod,
                sandbox,
                container,
                attempt,
                config,
                ..
            } => self.create_container(op, pod, sandbox, &container, attempt, &config),
            RuntimeCommand::StartContainer { container } => self.start_container(op, container),
            RuntimeCommand::StopContainer {
                container,
                timeout_s,
            } => self.stop_container(op, container, timeout_s),
            RuntimeCommand::RemoveContainer { container } => {
                let docker = self.docker.clone();
                let id = docker_id(&container).to_string();
                self.simple(op, async move {
                    let _ = docker
                        .remove_container(
                            &id,
                            Some(RemoveContainerOptions {
                                force: true,
                                ..Default::default()
                            }),
                        )
                        .await;
                    Reply::Done
                });
            }
            RuntimeCommand::ExecSync {
                container,
                command,
                timeout_s,
            } => self.exec_sync(op, container, command, timeout_s),
            command @ (RuntimeCommand::HttpGet { .. }
            | RuntimeCommand::TcpSocket { .. }
            | RuntimeCommand::Grpc { .. }) => self.probe(op, command),
        }
    }

    /// Results come stamped with `now`, the driver's reading of the wall clock when it took
    /// them: within a few milliseconds of when Docker answered.
    fn poll(&mut self, now: Time) -> Option<(Time, RuntimeResult)> {
        let result = match self.ready.pop_front() {
            Some(r) => r,
            None => self.rx.try_recv().ok()?,
        };
        self.remember(&result);
        Some((now, result))
    }

    fn next_ready(&self) -> Option<Time> {
        None
    }
}

/// The Docker id inside a CRI container id (`docker://<id>`).
fn docker_id(container: &ContainerId) -> &str {
    container
        .0
        .strip_prefix("docker://")
        .unwrap_or(&container.0)
}

/// Follows a started container to its end: its log lines as they come, then its exit as
/// `docker inspect` reports it and its termination message.
async fn follow(
    docker: &Docker,
    id: &str,
    container: &ContainerId,
    info: &ContainerInfo,
    tx: &mpsc::UnboundedSender<RuntimeResult>,
) -> Exit {
    let mut logs = docker.logs(
        id,
        Some(LogsOptions {
            follow: true,
            stdout: true,
            stderr: true,
            tail: "all".into(),
            ..Default::default()
        }),
    );
    let mut partial: [Vec<u8>; 2] = [Vec::new(), Vec::new()];
    let emit = |line: &[u8]| {
        let line = String::from_utf8_lossy(line)
            .trim_end_matches('\r')
            .to_string();
        let _ = tx.send(RuntimeResult::Log {
            container: container.clone(),
            line,
        });
    };
    while let Some(chunk) = logs.next().await {
        let Ok(chunk) = chunk else { break };
        let (stream, bytes) = match chunk {
            bollard::container::LogOutput::StdErr { message } => (1, message),
            bollard::container::LogOutput::StdOut { message }
            | bollard::container::LogOutput::Console { message } => (0, message),
            bollard::container::LogOutput::StdIn { .. } => continue,
        };
        let buf = &mut partial[stream];
        buf.extend_from_slice(&bytes);
        while let Some(nl) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=nl).collect();
            emit(&line[..line.len() - 1]);
        }
    }
    for buf in partial.iter_mut() {
        if !buf.is_empty() {
            let line = std::mem::take(buf);
            emit(&line);
        }
    }
    // The log stream ends with the process; the wait makes sure Docker has recorded the exit.
    let mut wait = docker.wait_container(
        id,
        Some(WaitContainerOptions {
            condition: "not-running".into(),
        }),
    );
    let _ = wait.next().await;
    let state = docker
        .inspect_container(id, None)
        .await
        .ok()
        .and_then(|i| i.state);
    let exit_code = state
        .as_ref()
        .and_then(|s| s.exit_code)
        .unwrap_or(137)
        .clamp(i32::MIN as i64, i32::MAX as i64) as i32;
    // Docker 20.10 on cgroup v2 sometimes never records OOMKilled (the OOM event is lost when
    // the cgroup goes with the container). A container with a memory limit that died of
    // SIGKILL while nobody was stopping it was killed by the kernel's OOM killer: SIGKILL
    // cannot reach a PID 1 from inside its own namespace, and podplay sends one only to stop.
    let oom_killed = state.as_ref().and_then(|s| s.oom_killed) == Some(true)
        || (exit_code == 137
            && info.memory_limited
            && !info.stopping.load(std::sync::atomic::Ordering::SeqCst));
    Exit {
        exit_code,
        oom_killed,
        message: termination_message(info),
    }
}

/// The termination message file as the kubelet reads it (`tail.ReadAtMost`): its last
/// [`TERMINATION_MESSAGE_MAX_BYTES`]. What the message becomes (and `FallbackToLogsOnError`)
/// is the engine's business.
fn termination_message(info: &ContainerInfo) -> Option<String> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(&info.message_file).ok()?;
    let len = file.metadata().ok()?.len();
    let max = TERMINATION_MESSAGE_MAX_BYTES as u64;
    file.seek(SeekFrom::Start(len.saturating_sub(max))).ok()?;
    let mut bytes = Vec::new();
    file.take(max).read_to_end(&mut bytes).ok()?;
    (!bytes.is_empty()).then(|| String::from_utf8_lossy(&bytes).into_owned())
}

/// Runs `argv` in container `id` and waits at most `timeout_s` for it: `Some((exit code,
/// stdout and stderr together))`, `None` on timeout.
async fn exec(
    docker: &Docker,
    id: &str,
    argv: Vec<String>,
    env: Vec<String>,
    timeout_s: i64,
) -> Result<Option<(i32, String)>, DockerError> {
    let created = docker
        .create_exec(
            id,
            CreateExecOptions {
                cmd: Some(argv),
                env: (!env.is_empty()).then_some(env),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await?;
    let run = async {
        let mut output = Vec::new();
        if let StartExecResults::Attached {
            output: mut out, ..
        } = docker
            .start_exec(
                &created.id,
                Some(StartExecOptions {
                    detach: false,
                    tty: false,
                    output_capacity: None,
                }),
            )
            .await?
        {
            while let Some(chunk) = out.next().await {
                output.extend_from_slice(&chunk?.into_bytes());
            }
        }
        let inspected = docker.inspect_exec(&created.id).await?;
        Ok::<_, DockerError>((
            inspected.exit_code.unwrap_or(-1) as i32,
            String::from_utf8_lossy(&output).to_string(),
        ))
    };
    let limit = Duration::from_secs(timeout_s.max(1) as u64);
    match tokio::time::timeout(limit, run).await {
        Ok(r) => r.map(Some),
        Err(_) => Ok(None),
    }
}

/// The prober's verdict on what busybox nc brought back: a response is judged by
/// [`probe::http_outcome`]; nc's own words say whether it timed out or found nobody listening.
fn http_outcome(url: &str, ip: &str, port: i32, output: &str) -> ProbeOutcome {
    if output.starts_with("HTTP/") || output.is_empty() {
        probe::http_outcome(url, output.as_bytes())
    } else if output.contains("timed out") {
        probe::http_timeout(url)
    } else {
        probe::http_refused(url, ip, port)
    }
}

/// `docker pull`: from the engine's registry (none is reachable here, so a missing image
/// fails with the daemon's own error, as the kubelet's ErrImagePull shows it).
async fn pull(docker: &Docker, image: &str) -> Reply {
    let reference = podplay_engine::api::image::Reference::parse(image)
        .map(|r| r.normalized())
        .unwrap_or_else(|| image.to_string());
    let mut stream = docker.create_image(
        Some(CreateImageOptions {
            from_image: Some(reference),
            ..Default::default()
        }),
        None,
        None,
    );
    while let Some(item) = stream.next().await {
        if let Err(e) = item {
            return Reply::Failed {
                message: daemon_message(&e),
            };
        }
    }
    match docker.inspect_image(image).await {
        Ok(i) => Reply::ImagePulled {
            size_bytes: i.size.unwrap_or(0).max(0) as u64,
        },
        Err(e) => Reply::Failed {
            message: daemon_message(&e),
        },
    }
}

/// Lists the containers carrying `label` (`key` or `key=value`), running or not.
pub async fn containers_labelled(docker: &Docker, label: &str) -> Result<Vec<String>, DockerError> {
    let filters = HashMap::from([("label".to_string(), vec![label.to_string()])]);
    let list = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filters),
            ..Default::default()
        }))
        .await?;
    Ok(list.into_iter().filter_map(|c| c.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_statuses_read_as_the_prober_reads_them() {
        let url = "http://10.244.0.4:80/";
        let (ip, port) = ("10.244.0.4", 80);
        assert_eq!(
            http_outcome(url, ip, port, "HTTP/1.0 200 OK\r\n\r\nhi"),
            ProbeOutcome::Success
        );
        assert_eq!(
            http_outcome(url, ip, port, "HTTP/1.1 500 Internal Server Error\r\n"),
            ProbeOutcome::Failure("HTTP probe failed with statuscode: 500".into())
        );
        assert_eq!(
            http_outcome(
                url,
                ip,
                port,
                "nc: can't connect to remote host (10.244.0.4): Connection refused\n",
            ),
            ProbeOutcome::Failure(
                "Get \"http://10.244.0.4:80/\": dial tcp 10.244.0.4:80: connect: connection refused"
                    .into()
            )
        );
    }

    #[test]
    fn the_termination_message_is_the_files_last_4_kib() {
        let dir = std::env::temp_dir().join(format!("podplay-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let file = dir.join("termination-log");
        std::fs::write(&file, b"").expect("write");
        let info = ContainerInfo {
            exited: None,
            message_file: file.clone(),
            memory_limited: false,
            stopping: Default::default(),
        };
        assert_eq!(termination_message(&info), None);
        std::fs::write(&file, b"bye").expect("write");
        assert_eq!(termination_message(&info).as_deref(), Some("bye"));
        std::fs::write(&file, format!("{}end", "x".repeat(5000))).expect("write");
        let message = termination_message(&info).expect("a message");
        assert_eq!(message.len(), 4096);
        assert!(message.ends_with("end"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
