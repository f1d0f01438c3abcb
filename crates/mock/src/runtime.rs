//! The mock runtime: the engine's [`Runtime`] over the in-memory kernel, shaped as a CRI runtime
//! (containerd) on one node.
//!
//! A sandbox is a kernel pod (network namespace, one IP, the pause process) with its volumes as
//! file trees; a container is a copy of its image's root plus its mounts, and its process runs
//! the image's program (or the pod spec's command) through the shell and applets of the image.
//! Commands take the virtual time a node takes for them ([`Latencies`]); results come out in
//! time order. Start at [`MockRuntime::submit`].

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::Container;
use podplay_engine::runtime::{
    probe, ContainerConfig, ContainerId, Exit, OpId, ProbeOutcome, Reply, Runtime, RuntimeCommand,
    RuntimeResult, SandboxConfig, SandboxId, VolumeSource,
};
use podplay_engine::time::{Rng, Time};

use crate::fs::{Errno, Mount, TreeId};
use crate::images::{self, Image};
use crate::kernel::{
    CtrId, CtrState, Ctx, Disposition, Machine, Notice, Open, OpenId, Pid, PodId, Signal, Task,
    WaitStatus,
};

/// How long each runtime call takes, in milliseconds of virtual time (a containerd node).
#[derive(Clone, Debug)]
pub struct Latencies {
    pub sandbox_ms: u64,
    pub create_ms: u64,
    pub start_ms: u64,
    pub stop_sandbox_ms: u64,
    /// Pull time per megabyte of image, on top of [`Latencies::pull_base_ms`].
    pub pull_ms_per_mb: u64,
    pub pull_base_ms: u64,
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            sandbox_ms: 800,
            create_ms: 60,
            start_ms: 80,
            stop_sandbox_ms: 100,
            pull_ms_per_mb: 40,
            pull_base_ms: 200,
        }
    }
}

/// The IP of the node (where probes come from).
const NODE_IP: &str = "172.18.0.2";
/// `/dev/shm`: a pod-wide tmpfs of 64 MiB, as the runtime mounts it.
const SHM_BYTES: u64 = 64 * 1024 * 1024;

struct Sandbox {
    pod: PodId,
    volumes: BTreeMap<String, TreeId>,
    /// hosts, hostname, resolv.conf.
    managed: TreeId,
    shm: TreeId,
    pause: CtrId,
    containers: Vec<ContainerId>,
}

/// A container the runtime made; whether it runs is the kernel's to say ([`CtrState`]).
struct Ctr {
    ctr: CtrId,
    image: Image,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    working_dir: String,
    /// Its private tree with the termination message file.
    own: TreeId,
}

/// Work the runtime does at a later virtual time.
#[derive(Clone, Debug)]
enum Action {
    Reply(OpId, Reply),
    Start {
        container: ContainerId,
        op: OpId,
    },
    /// The grace period of a stop is over: SIGKILL.
    Kill {
        container: ContainerId,
    },
    /// An exec or probe took too long.
    Timeout {
        pid: Pid,
    },
}

/// What an action waits on: when it ends first, the action is dropped.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    Container(ContainerId),
    Process(Pid),
}

impl Action {
    fn waits_on(&self) -> Option<Pending> {
        match self {
            Action::Kill { container } => Some(Pending::Container(container.clone())),
            Action::Timeout { pid } => Some(Pending::Process(*pid)),
            Action::Reply(..) | Action::Start { .. } => None,
        }
    }
}

/// A probe's program: it fills the cell with its outcome.
type Prober = Box<dyn FnOnce(Ctx, Rc<RefCell<Option<ProbeOutcome>>>) -> Task>;

/// What a running exec or probe answers when its process ends.
enum Waiter {
    Exec {
        op: OpId,
        output: Rc<RefCell<Vec<u8>>>,
        /// The command, for the timeout's message.
        command: String,
    },
    Probe {
        op: OpId,
        outcome: Rc<RefCell<Option<ProbeOutcome>>>,
        timeout: ProbeOutcome,
    },
}

/// The in-browser container runtime. Deterministic: the same seed and commands give the same
/// results.
pub struct MockRuntime {
    pub latencies: Latencies,
    machine: Machine,
    rng: Rng,
    /// Results ready to hand to the engine, by time then sequence.
    queue: BTreeMap<(Time, u64), RuntimeResult>,
    /// Work due later, by time then sequence.
    actions: BTreeMap<(Time, u64), Action>,
    /// The keys of the actions that wait on a container (its SIGKILL) or a process (its
    /// timeout), so that its end cancels them without a look at every action.
    pending: BTreeMap<Pending, Vec<(Time, u64)>>,
    seq: u64,
    /// Images on the node, by the reference the pod named.
    images: BTreeMap<String, Image>,
    /// Each image's root tree, by image id (copied for each container).
    roots: BTreeMap<String, TreeId>,
    /// hostPath directories of the node, by path.
    host_paths: BTreeMap<String, TreeId>,
    sandboxes: BTreeMap<SandboxId, Sandbox>,
    containers: BTreeMap<ContainerId, Ctr>,
    by_ctr: BTreeMap<CtrId, ContainerId>,
    /// Stops waiting for their container to exit.
    stops: BTreeMap<ContainerId, Vec<OpId>>,
    waiters: BTreeMap<Pid, Waiter>,
    node: CtrId,
    next_ip: u32,
}

impl Default for MockRuntime {
    fn default() -> Self {
        MockRuntime::new(1)
    }
}

impl MockRuntime {
    pub fn new(seed: u64) -> MockRuntime {
        let machine = Machine::new();
        let node = {
            let mut k = machine.kernel.borrow_mut();
            let pod = k.add_pod("node-1", "", "node-1", NODE_IP, false);
            k.add_node_container(pod)
        };
        MockRuntime {
            latencies: Latencies::default(),
            machine,
            rng: Rng::new(seed ^ 0x6d6f_636b),
            queue: BTreeMap::new(),
            actions: BTreeMap::new(),
            pending: BTreeMap::new(),
            seq: 0,
            images: BTreeMap::new(),
            roots: BTreeMap::new(),
            host_paths: BTreeMap::new(),
            sandboxes: BTreeMap::new(),
            containers: BTreeMap::new(),
            by_ctr: BTreeMap::new(),
            stops: BTreeMap::new(),
            waiters: BTreeMap::new(),
            node,
            next_ip: 0,
        }
    }

    /// The image is on the node already (`IfNotPresent` will not pull it).
    pub fn with_image(mut self, reference: &str) -> Self {
        if let Ok(image) = images::resolve(reference) {
            self.images.insert(reference.to_string(), image);
        }
        self
    }

    fn push(&mut self, at: Time, result: RuntimeResult) {
        self.seq += 1;
        self.queue.insert((at, self.seq), result);
    }

    fn later(&mut self, at: Time, action: Action) {
        self.seq += 1;
        let on = action.waits_on();
        if let Some(on) = on {
            self.pending.entry(on).or_default().push((at, self.seq));
        }
        self.actions.insert((at, self.seq), action);
    }

    /// Drops the actions waiting on `on`, which has ended.
    fn cancel(&mut self, on: Pending) {
        for key in self.pending.remove(&on).unwrap_or_default() {
            self.actions.remove(&key);
        }
    }

    /// The earliest action, taken off the queue.
    fn pop_action(&mut self) -> Option<Action> {
        let ((at, seq), action) = self.actions.pop_first()?;
        let on = action.waits_on();
        if let Some(keys) = on.as_ref().and_then(|on| self.pending.get_mut(on)) {
            keys.retain(|k| *k != (at, seq));
            if keys.is_empty() {
                self.pending.remove(on.as_ref().expect("just matched"));
            }
        }
        Some(action)
    }

    fn reply_at(&mut self, at: Time, op: OpId, reply: Reply) {
        self.later(at, Action::Reply(op, reply));
    }

    fn now(&self) -> Time {
        self.machine.kernel.borrow().now
    }

    /// Runs the node up to `to`: processes wake, actions fall due, in time order.
    fn advance(&mut self, to: Time) {
        loop {
            let wake = self.machine.next_wake().filter(|t| *t <= to);
            let action = self.actions.keys().next().map(|k| k.0).filter(|t| *t <= to);
            let next = match (wake, action) {
                (None, None) => break,
                (Some(w), Some(a)) => w.min(a),
                (Some(t), None) | (None, Some(t)) => t,
            };
            if action == Some(next) {
                self.machine.kernel.borrow_mut().now = next.max(self.now());
                let act = self.pop_action().expect("just seen");
                self.act(act);
            } else {
                self.machine.run(next);
            }
            self.collect();
        }
        self.machine.run(to);
        self.collect();
    }

    /// Turns the kernel's notices into results and replies.
    fn collect(&mut self) {
        for notice in self.machine.take_notices() {
            match notice {
                Notice::Log {
                    at,
                    container,
                    line,
                } => {
                    if let Some(id) = self.by_ctr.get(&container).cloned() {
                        self.push(
                            at,
                            RuntimeResult::Log {
                                container: id,
                                line,
                            },
                        );
                    }
                }
                Notice::Exited {
                    at,
                    container,
                    status,
                    oom_killed,
                } => {
                    let Some(id) = self.by_ctr.get(&container).cloned() else {
                        continue;
                    };
                    let message = self.termination_message(&id);
                    self.push(
                        at,
                        RuntimeResult::Exited {
                            container: id.clone(),
                            exit: Exit {
                                exit_code: status.code(),
                                oom_killed,
                                message,
                            },
                        },
                    );
                    for op in self.stops.remove(&id).unwrap_or_default() {
                        self.push(
                            at,
                            RuntimeResult::Reply {
                                op,
                                reply: Reply::Done,
                            },
                        );
                    }
                    self.cancel(Pending::Container(id));
                }
                Notice::ProcessExited { at, pid, code } => {
                    match self.waiters.remove(&pid) {
                        Some(Waiter::Exec { op, output, .. }) => {
                            let output = String::from_utf8_lossy(&output.borrow()).into_owned();
                            self.push(
                                at,
                                RuntimeResult::Reply {
                                    op,
                                    reply: Reply::Exec {
                                        exit_code: code,
                                        output,
                                    },
                                },
                            );
                        }
                        Some(Waiter::Probe {
                            op,
                            outcome,
                            timeout,
                        }) => {
                            let outcome = outcome.borrow_mut().take().unwrap_or(timeout);
                            self.push(
                                at,
                                RuntimeResult::Reply {
                                    op,
                                    reply: Reply::Probe { outcome },
                                },
                            );
                        }
                        None => {}
                    }
                    self.cancel(Pending::Process(pid));
                }
            }
        }
    }

    fn act(&mut self, action: Action) {
        let now = self.now();
        match action {
            Action::Reply(op, reply) => self.push(now, RuntimeResult::Reply { op, reply }),
            Action::Start { container, op } => self.start(container, op),
            Action::Kill { container } => {
                if let Some(c) = self.containers.get(&container) {
                    self.machine.kernel.borrow_mut().kill_container(c.ctr);
                }
            }
            Action::Timeout { pid } => {
                // The exec's process is killed; its waiter answers as timed out.
                if let Some(w) = self.waiters.remove(&pid) {
                    let reply = match w {
                        // The CRI client's words (pkg/kubelet/cri/remote ExecSync), which the
                        // exec prober reports as the probe's output.
                        Waiter::Exec { op, command, .. } => (
                            op,
                            Reply::Failed {
                                message: format!(
                                    "command {} timed out",
                                    podplay_engine::go::quote(&command)
                                ),
                            },
                        ),
                        Waiter::Probe { op, timeout, .. } => {
                            (op, Reply::Probe { outcome: timeout })
                        }
                    };
                    self.push(
                        now,
                        RuntimeResult::Reply {
                            op: reply.0,
                            reply: reply.1,
                        },
                    );
                }
                self.machine
                    .kernel
                    .borrow_mut()
                    .terminate(pid, WaitStatus::Signaled(Signal::Kill));
            }
        }
    }

    fn termination_message(&self, id: &ContainerId) -> Option<String> {
        let c = self.containers.get(id)?;
        let k = self.machine.kernel.borrow();
        let data =
            k.fs.read(
                &[Mount {
                    target: "/".into(),
                    tree: c.own,
                    sub_path: String::new(),
                    read_only: true,
                }],
                "/",
                "/termination-log",
            )
            .ok()?;
        if data.is_empty() {
            return None;
        }
        Some(String::from_utf8_lossy(data).into_owned())
    }

    // --- commands ---------------------------------------------------------------------------

    fn run_sandbox(
        &mut self,
        op: OpId,
        pod: podplay_engine::runtime::PodRef,
        hostname: String,
        config: &SandboxConfig,
    ) {
        let now = self.now();
        self.next_ip += 1;
        // The node's pod CIDR, 10.244.0.0/16, from .4 on as the scripted runtime and the
        // kubenet-style allocators number them.
        let n = 3 + self.next_ip;
        let ip = format!("10.244.{}.{}", (n - 1) / 250, 1 + (n - 1) % 250);
        let sandbox = SandboxId(self.rng.hex(64));
        let mut k = self.machine.kernel.borrow_mut();
        let pod_id = k.add_pod(
            &pod.name,
            &pod.namespace,
            &hostname,
            &ip,
            config.share_process_namespace,
        );
        let mut volumes = BTreeMap::new();
        for v in &config.volumes {
            let tree = match &v.source {
                VolumeSource::EmptyDir {
                    memory,
                    size_limit_bytes,
                } => {
                    let tree =
                        k.fs.new_tree(if *memory { *size_limit_bytes } else { None });
                    if *memory {
                        k.add_memory_tree(pod_id, tree);
                    }
                    tree
                }
                VolumeSource::Files { files } => {
                    let tree = k.fs.new_tree(None);
                    for f in files {
                        k.fs.put(
                            tree,
                            &format!("/{}", f.path.trim_start_matches('/')),
                            &f.content,
                            f.mode,
                            now,
                        );
                    }
                    tree
                }
                VolumeSource::HostPath { path, .. } => match self.host_paths.get(path) {
                    Some(t) => *t,
                    None => {
                        let t = k.fs.new_tree(None);
                        self.host_paths.insert(path.clone(), t);
                        t
                    }
                },
            };
            volumes.insert(v.name.clone(), tree);
        }
        let managed = k.fs.new_tree(None);
        k.fs.put(
            managed,
            "/hostname",
            format!("{hostname}\n").as_bytes(),
            0o644,
            now,
        );
        k.fs.put(
            managed,
            "/resolv.conf",
            config.resolv_conf.as_bytes(),
            0o644,
            now,
        );
        let shm = k.fs.new_tree(Some(SHM_BYTES));
        k.add_memory_tree(pod_id, shm);
        let pause = k.add_container(pod_id, "POD", Vec::new(), None, None);
        drop(k);
        self.machine.spawn(
            pause,
            vec!["/pause".into()],
            Vec::new(),
            "/".into(),
            BTreeMap::new(),
            pause_program,
        );
        self.sandboxes.insert(
            sandbox.clone(),
            Sandbox {
                pod: pod_id,
                volumes,
                managed,
                shm,
                pause,
                containers: Vec::new(),
            },
        );
        self.reply_at(
            now.plus_millis(self.latencies.sandbox_ms),
            op,
            Reply::SandboxReady { sandbox, ip },
        );
    }

    fn stop_sandbox(&mut self, op: OpId, sandbox: &SandboxId) {
        let now = self.now();
        if let Some(s) = self.sandboxes.remove(sandbox) {
            let mut k = self.machine.kernel.borrow_mut();
            for id in &s.containers {
                if let Some(c) = self.containers.get(id) {
                    k.kill_container(c.ctr);
                }
            }
            k.kill_container(s.pause);
            k.remove_pod(s.pod);
            // emptyDir and the pod's own files go with the pod; hostPath stays on the node.
            let host: Vec<TreeId> = self.host_paths.values().copied().collect();
            for tree in s.volumes.values().chain([&s.managed, &s.shm]) {
                if !host.contains(tree) {
                    k.fs.remove_tree(*tree);
                }
            }
        }
        self.reply_at(
            now.plus_millis(self.latencies.stop_sandbox_ms),
            op,
            Reply::Done,
        );
    }

    fn pull(&mut self, op: OpId, image: String) {
        let now = self.now();
        match images::resolve(&image) {
            Ok(found) => {
                let size = found.size_bytes;
                self.images.insert(image, found);
                let ms =
                    self.latencies.pull_base_ms + size / 1_000_000 * self.latencies.pull_ms_per_mb;
                self.reply_at(
                    now.plus_millis(ms),
                    op,
                    Reply::ImagePulled { size_bytes: size },
                );
            }
            Err(e) => self.reply_at(
                now.plus_millis(self.latencies.pull_base_ms * 2),
                op,
                Reply::Failed { message: e.message },
            ),
        }
    }

    fn create(
        &mut self,
        op: OpId,
        sandbox: SandboxId,
        container: &Container,
        config: &ContainerConfig,
    ) {
        let now = self.now();
        let image_name = container.image.clone().unwrap_or_default();
        let image = match self.images.get(&image_name).cloned() {
            Some(i) => i,
            None => match images::resolve(&image_name) {
                Ok(i) => i,
                Err(e) => {
                    return self.reply_at(now, op, Reply::Failed { message: e.message });
                }
            },
        };
        let Some(s) = self.sandboxes.get(&sandbox) else {
            return self.reply_at(
                now,
                op,
                Reply::Failed {
                    message: format!("failed to get sandbox {:?}: not found", sandbox.0),
                },
            );
        };
        let mut k = self.machine.kernel.borrow_mut();
        let base = match self.roots.get(&image.id) {
            Some(t) if k.fs.has_tree(*t) => *t,
            _ => {
                let t = images::build_root(&mut k.fs, &image, now);
                self.roots.insert(image.id.clone(), t);
                t
            }
        };
        let root = k.fs.copy_tree(base);
        let termination_path = container
            .termination_message_path
            .clone()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "/dev/termination-log".into());
        let own = k.fs.new_tree(None);
        k.fs.put(own, "/termination-log", b"", 0o666, now);
        let mut mounts = vec![Mount::root(root)];
        for m in &config.mounts {
            let Some(tree) = s.volumes.get(&m.volume).copied() else {
                continue;
            };
            let sub = if m.sub_path.is_empty() {
                String::new()
            } else {
                let sub = format!("/{}", m.sub_path.trim_matches('/'));
                // The kubelet creates a missing subPath as a directory.
                if k.fs.get(tree, &sub).is_none() {
                    k.fs.put_dir(tree, &sub, now);
                }
                sub
            };
            mounts.push(Mount {
                target: crate::fs::normalize("/", &m.container_path),
                tree,
                sub_path: sub,
                read_only: m.read_only,
            });
        }
        let managed = s.managed;
        if let Some(hosts) = &config.etc_hosts {
            k.fs.put(managed, "/hosts", hosts.as_bytes(), 0o644, now);
            mounts.push(file_mount("/etc/hosts", managed, "/hosts"));
        }
        mounts.push(file_mount("/etc/hostname", managed, "/hostname"));
        mounts.push(file_mount("/etc/resolv.conf", managed, "/resolv.conf"));
        mounts.push(Mount {
            target: "/dev/shm".into(),
            tree: s.shm,
            sub_path: String::new(),
            read_only: false,
        });
        mounts.push(file_mount(&termination_path, own, "/termination-log"));
        // Later mounts shadow earlier ones at the same place, as in a mount namespace.
        let ctr = k.add_container(
            s.pod,
            &container.name,
            mounts,
            Some(root),
            config.memory_limit_bytes,
        );
        let hostname = k
            .pods
            .get(&s.pod)
            .map(|p| p.hostname.clone())
            .unwrap_or_default();
        drop(k);

        // The process: ENTRYPOINT/CMD as Kubernetes overrides them (command replaces the
        // entrypoint and drops the image's CMD; args replace CMD).
        let argv: Vec<String> = match (config.command.is_empty(), config.args.is_empty()) {
            (false, _) => config.command.iter().chain(&config.args).cloned().collect(),
            (true, false) => image
                .entrypoint
                .iter()
                .chain(&config.args)
                .cloned()
                .collect(),
            (true, true) => image.entrypoint.iter().chain(&image.cmd).cloned().collect(),
        };
        let mut env: Vec<(String, String)> = vec![(
            "PATH".into(),
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
        )];
        set_env(&mut env, "HOSTNAME", &hostname);
        for (key, value) in image.env.iter().chain(&config.env) {
            set_env(&mut env, key, value);
        }
        // runc sets HOME from the user's /etc/passwd entry when nobody set it (root: /root).
        if !env.iter().any(|(k, _)| k == "HOME") {
            env.push(("HOME".into(), "/root".into()));
        }
        let working_dir = container
            .working_dir
            .clone()
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| {
                if image.working_dir.is_empty() {
                    "/".into()
                } else {
                    image.working_dir.clone()
                }
            });
        let id = ContainerId(format!("containerd://{}", self.rng.hex(64)));
        self.by_ctr.insert(ctr, id.clone());
        if let Some(s) = self.sandboxes.get_mut(&sandbox) {
            s.containers.push(id.clone());
        }
        self.containers.insert(
            id.clone(),
            Ctr {
                ctr,
                image,
                argv,
                env,
                working_dir,
                own,
            },
        );
        self.reply_at(
            now.plus_millis(self.latencies.create_ms),
            op,
            Reply::ContainerCreated { container: id },
        );
    }

    /// The process of a created container starts (runc's `exec` of the entrypoint).
    fn start(&mut self, container: ContainerId, op: OpId) {
        let now = self.now();
        let Some(c) = self.containers.get(&container) else {
            return self.push(
                now,
                RuntimeResult::Reply {
                    op,
                    reply: Reply::Failed {
                        message: "container not found".into(),
                    },
                },
            );
        };
        let path_var = c
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let program = match c.argv.first() {
            None => Err("no command specified".to_string()),
            Some(name) => self
                .find_executable(c.ctr, &c.working_dir, name, &path_var)
                .map_err(|why| {
                    format!(
                        "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: {why}: unknown"
                    )
                }),
        };
        let path = match program {
            Ok(path) => path,
            Err(message) => {
                return self.push(
                    now,
                    RuntimeResult::Reply {
                        op,
                        reply: Reply::Failed { message },
                    },
                );
            }
        };
        let (ctr, argv, env, cwd) = (c.ctr, c.argv.clone(), c.env.clone(), c.working_dir.clone());
        let fds = self.stdio(ctr, None);
        self.machine
            .spawn(ctr, argv.clone(), env.clone(), cwd, fds, move |ctx| {
                Box::pin(async move { ctx.exec(&path, argv, env).await.unwrap_or(128) })
            });
        self.push(
            now,
            RuntimeResult::Reply {
                op,
                reply: Reply::Done,
            },
        );
    }

    /// Finds the container's program as runc does, or the error containerd reports.
    /// Finds the container's program as runc does; the error is runc's reason (`exec: "x":
    /// executable file not found in $PATH`), which its callers wrap as containerd reports a
    /// failed start or a failed exec.
    fn find_executable(
        &self,
        ctr: CtrId,
        cwd: &str,
        name: &str,
        path_var: &str,
    ) -> Result<String, String> {
        let found = self
            .machine
            .kernel
            .borrow()
            .find_program(ctr, cwd, name, path_var);
        let why = match found {
            Ok(path) => return Ok(path),
            Err(Errno::EACCES) => format!("exec: {name:?}: permission denied"),
            Err(_) if name.contains('/') => {
                format!("exec: {name:?}: stat {name}: no such file or directory")
            }
            Err(_) => format!("exec: {name:?}: executable file not found in $PATH"),
        };
        Err(why)
    }

    /// stdin from /dev/null; stdout and stderr to the container's log, or to `capture`.
    fn stdio(
        &mut self,
        ctr: CtrId,
        capture: Option<Rc<RefCell<Vec<u8>>>>,
    ) -> BTreeMap<i32, OpenId> {
        let mut k = self.machine.kernel.borrow_mut();
        let null = k.open(Open::Null);
        let (out, err) = match capture {
            Some(buffer) => {
                let o = k.open(Open::Capture { buffer });
                (o, o)
            }
            None => (
                k.open(Open::Log {
                    container: ctr,
                    stream: crate::kernel::LogStream::Stdout,
                }),
                k.open(Open::Log {
                    container: ctr,
                    stream: crate::kernel::LogStream::Stderr,
                }),
            ),
        };
        BTreeMap::from([(0, null), (1, out), (2, err)])
    }

    fn stop(&mut self, op: OpId, container: ContainerId, timeout_s: i64) {
        let now = self.now();
        let Some(c) = self.containers.get(&container) else {
            return self.reply_at(now, op, Reply::Done);
        };
        let (ctr, signal) = (c.ctr, c.image.stop_signal);
        let running = {
            let k = self.machine.kernel.borrow();
            k.containers
                .get(&ctr)
                .is_some_and(|c| c.state == CtrState::Running)
        };
        if !running {
            return self.reply_at(now, op, Reply::Done);
        }
        self.stops.entry(container.clone()).or_default().push(op);
        if timeout_s <= 0 {
            self.machine.kernel.borrow_mut().kill_container(ctr);
        } else {
            let init = self
                .machine
                .kernel
                .borrow()
                .containers
                .get(&ctr)
                .and_then(|c| c.init);
            if let Some(init) = init {
                self.machine.kernel.borrow_mut().signal(init, signal);
            }
            self.later(now.plus_secs(timeout_s), Action::Kill { container });
        }
        self.machine.run(now);
        self.collect();
    }

    fn exec(&mut self, op: OpId, container: ContainerId, command: Vec<String>, timeout_s: i64) {
        let now = self.now();
        let Some(c) = self.containers.get(&container) else {
            return self.reply_at(
                now,
                op,
                Reply::Failed {
                    message: "container not found".into(),
                },
            );
        };
        let running = self
            .machine
            .kernel
            .borrow()
            .containers
            .get(&c.ctr)
            .is_some_and(|k| k.state == CtrState::Running);
        if !running {
            return self.reply_at(
                now,
                op,
                Reply::Failed {
                    message: "container not running".into(),
                },
            );
        }
        let path_var = c
            .env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let (ctr, env, cwd) = (c.ctr, c.env.clone(), c.working_dir.clone());
        let path = match command.first() {
            None => Err("no command specified".to_string()),
            Some(name) => self.find_executable(ctr, &cwd, name, &path_var),
        };
        let path = match path {
            Ok(p) => p,
            Err(why) => {
                // runc's exec error, as `kubectl exec` and exec probes see it.
                let message = format!(
                    "OCI runtime exec failed: exec failed: unable to start container process: {why}: unknown"
                );
                return self.reply_at(
                    now,
                    op,
                    Reply::Exec {
                        exit_code: 126,
                        output: format!("{message}\r\n"),
                    },
                );
            }
        };
        let output = Rc::new(RefCell::new(Vec::new()));
        let fds = self.stdio(ctr, Some(output.clone()));
        let argv = command.clone();
        let joined = command.join(" ");
        let pid = self
            .machine
            .spawn(ctr, command, env.clone(), cwd, fds, move |ctx| {
                Box::pin(async move { ctx.exec(&path, argv, env).await.unwrap_or(126) })
            });
        self.waiters.insert(
            pid,
            Waiter::Exec {
                op,
                output,
                command: joined,
            },
        );
        if timeout_s > 0 {
            self.later(now.plus_secs(timeout_s), Action::Timeout { pid });
        }
        self.machine.run(now);
        self.collect();
    }

    fn probe(&mut self, op: OpId, command: RuntimeCommand) {
        let now = self.now();
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
        let (timeout, prober): (ProbeOutcome, Prober) = match command {
            RuntimeCommand::HttpGet { path, scheme, .. } => {
                let url = probe::http_url(&scheme, &ip, port, &path);
                (
                    probe::http_timeout(&url),
                    Box::new(move |ctx, cell| {
                        Box::pin(async move {
                            let outcome = http_probe(&ctx, &ip, port, &path, &url).await;
                            *cell.borrow_mut() = Some(outcome);
                            0
                        })
                    }),
                )
            }
            // A tcpSocket probe succeeds when it connects; so does a gRPC one here (the mock
            // speaks no gRPC health protocol).
            command => {
                let (timeout, refused) = match command {
                    RuntimeCommand::TcpSocket { .. } => (
                        probe::dial_timeout(&ip, port),
                        probe::dial_refused(&ip, port),
                    ),
                    _ => {
                        let message = format!(
                            "timeout: failed to connect service \"{ip}:{port}\" within {timeout_s}s: context deadline exceeded"
                        );
                        (message.clone(), message)
                    }
                };
                (
                    ProbeOutcome::Failure(timeout),
                    Box::new(move |ctx, cell| {
                        Box::pin(async move {
                            let outcome = match ctx.connect(&ip, clamp_port(port)).await {
                                Ok(fd) => {
                                    let _ = ctx.close(fd);
                                    ProbeOutcome::Success
                                }
                                Err(_) => ProbeOutcome::Failure(refused),
                            };
                            *cell.borrow_mut() = Some(outcome);
                            0
                        })
                    }),
                )
            }
        };
        let cell = Rc::new(RefCell::new(None));
        let cell2 = cell.clone();
        let node = self.node;
        let fds = BTreeMap::new();
        let pid = self.machine.spawn(
            node,
            vec!["kubelet-prober".into()],
            Vec::new(),
            "/".into(),
            fds,
            move |ctx| prober(ctx, cell2),
        );
        self.waiters.insert(
            pid,
            Waiter::Probe {
                op,
                outcome: cell,
                timeout,
            },
        );
        self.later(now.plus_secs(timeout_s.max(1)), Action::Timeout { pid });
        self.machine.run(now);
        self.collect();
    }
}

fn clamp_port(port: i32) -> u16 {
    u16::try_from(port).unwrap_or(0)
}

/// The kubelet's HTTP prober (`pkg/probe/http`): a GET with `User-Agent: kube-probe/<version>`;
/// The kubelet's HTTP prober (`pkg/probe/http`) from the node: a GET, its verdict in the
/// prober's words ([`probe`]).
async fn http_probe(ctx: &Ctx, ip: &str, port: i32, path: &str, url: &str) -> ProbeOutcome {
    let Ok(fd) = ctx.connect(ip, clamp_port(port)).await else {
        return probe::http_refused(url, ip, port);
    };
    let request = probe::http_request(ip, port, path);
    let response = match ctx.write(fd, request.as_bytes()).await {
        Ok(()) => ctx.read_to_end(fd).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let _ = ctx.close(fd);
    probe::http_outcome(url, &response)
}

/// The sandbox's pause process: it waits, and exits 0 on SIGINT or SIGTERM
/// (kubernetes/build/pause/linux/pause.c).
fn pause_program(ctx: Ctx) -> Task {
    Box::pin(async move {
        ctx.set_disposition(Signal::Int, Disposition::Handle);
        ctx.set_disposition(Signal::Term, Disposition::Handle);
        ctx.wait_signal().await;
        0
    })
}

fn file_mount(target: &str, tree: TreeId, path: &str) -> Mount {
    Mount {
        target: crate::fs::normalize("/", target),
        tree,
        sub_path: path.into(),
        read_only: false,
    }
}

fn set_env(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_string(),
        None => env.push((key.to_string(), value.to_string())),
    }
}

impl Runtime for MockRuntime {
    fn submit(&mut self, now: Time, op: OpId, command: RuntimeCommand) {
        self.advance(now);
        match command {
            RuntimeCommand::RunPodSandbox {
                pod,
                hostname,
                config,
            } => self.run_sandbox(op, pod, hostname, &config),
            RuntimeCommand::StopPodSandbox { sandbox } => self.stop_sandbox(op, &sandbox),
            RuntimeCommand::ImageStatus { image } => {
                let found = self.images.get(&image).map(|i| i.size_bytes);
                self.reply_at(
                    now.plus_millis(2),
                    op,
                    Reply::ImageStatus {
                        present: found.is_some(),
                        size_bytes: found.unwrap_or(0),
                    },
                );
            }
            RuntimeCommand::PullImage { image, .. } => self.pull(op, image),
            RuntimeCommand::CreateContainer {
                sandbox,
                container,
                config,
                ..
            } => self.create(op, sandbox, &container, &config),
            RuntimeCommand::StartContainer { container } => {
                let at = now.plus_millis(self.latencies.start_ms);
                self.later(at, Action::Start { container, op });
            }
            RuntimeCommand::StopContainer {
                container,
                timeout_s,
            } => self.stop(op, container, timeout_s),
            RuntimeCommand::RemoveContainer { container } => {
                if let Some(c) = self.containers.remove(&container) {
                    let mut k = self.machine.kernel.borrow_mut();
                    k.kill_container(c.ctr);
                    if let Some(ctr) = k.containers.remove(&c.ctr) {
                        if let Some(root) = ctr.root {
                            k.fs.remove_tree(root);
                        }
                    }
                    k.fs.remove_tree(c.own);
                    self.by_ctr.remove(&c.ctr);
                }
                self.reply_at(now, op, Reply::Done);
            }
            RuntimeCommand::ExecSync {
                container,
                command,
                timeout_s,
            } => self.exec(op, container, command, timeout_s),
            command @ (RuntimeCommand::HttpGet { .. }
            | RuntimeCommand::TcpSocket { .. }
            | RuntimeCommand::Grpc { .. }) => self.probe(op, command),
        }
    }

    fn poll(&mut self, now: Time) -> Option<(Time, RuntimeResult)> {
        self.advance(now);
        let (&key, _) = self.queue.iter().next()?;
        if key.0 > now {
            return None;
        }
        let result = self.queue.remove(&key).expect("key just read");
        Some((key.0, result))
    }

    fn next_ready(&self) -> Option<Time> {
        [
            self.queue.keys().next().map(|k| k.0),
            self.actions.keys().next().map(|k| k.0),
            self.machine.next_wake(),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}
