//! The mock's kernel: processes, signals, pipes, sockets and memory, per pod and container, in
//! virtual time.
//!
//! Every process is a Rust future (a program: the shell, an applet, nginx...) that talks to the
//! kernel through its [`Ctx`]. The [`Machine`] polls the futures that can make progress at the
//! current virtual time until none can, then says when the next one wakes; nothing here reads a
//! clock or blocks. A process that computes without waiting spends CPU fuel and is descheduled
//! when its slice runs out, so a runaway loop advances virtual time instead of hanging the page.
//!
//! Linux rules kept: a signal whose disposition is the default does not kill its PID namespace's
//! init (PID 1) unless it is SIGKILL; a process killed by signal N exits 128+N to its parent's
//! shell; writes to a pipe nobody reads raise SIGPIPE; the container ends when its init ends and
//! takes every other process of the container with it; the OOM killer ends the whole container
//! (the kubelet sets `memory.oom.group`) and marks it OOMKilled.

mod ctx;
mod sched;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use podplay_engine::time::Time;

use crate::fs::{Errno, Fs, Kind, Mount, TreeId};

pub use ctx::{Ctx, Interrupted, OpenMode};
use sched::{Key, Sched};

/// A process as the kernel names it (unique across the node; each PID namespace numbers its
/// processes from 1 as well, see [`Process::ns_pid`]).
pub type Pid = u32;

/// A program running in a process: it resolves to the process's exit code.
pub type Task = Pin<Box<dyn Future<Output = i32>>>;

/// A program's entry point: its context and argv.
pub type ProgramFn = fn(Ctx, Vec<String>) -> Task;

/// Fuel one process may spend per [`QUANTUM_MS`] of virtual time: each step a program takes
/// (a shell command, a read, a write) costs one unit, so a shell runs about 20,000 commands per
/// virtual second, and a busy loop moves the clock forward instead of freezing it.
pub const FUEL_PER_QUANTUM: u32 = 200;
/// The scheduler's time slice.
pub const QUANTUM_MS: u64 = 10;
/// A pipe's buffer: a writer waits when it is full (Linux: 64 KiB).
pub const PIPE_BUF_BYTES: usize = 64 * 1024;
/// A container's log is cut off beyond this many lines (the browser's memory is the limit).
pub const LOG_LINES_MAX: usize = 100_000;
/// A log line longer than this is split (the kubelet's CRI logger splits at 16 KiB).
pub const LOG_LINE_BYTES_MAX: usize = 16 * 1024;
/// Processes one container may have at once (its cgroup's `pids.max`): past it `fork` fails.
pub const PIDS_MAX_PER_CONTAINER: usize = 1024;
/// Bytes one process may really hold in the page's memory (a shell's variables): a script that
/// grows a string without end is OOM-killed here, even without a limit, before it can take the
/// browser down (on a real node it would grow until the node ran out).
pub const HELD_BYTES_MAX: u64 = 128 * 1024 * 1024;
/// What the node has when a container sets no memory limit.
pub const NODE_MEMORY_BYTES: u64 = 8 * 1024 * 1024 * 1024;

/// Linux signals, with their x86-64 numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Signal {
    Hup = 1,
    Int = 2,
    Quit = 3,
    Kill = 9,
    Usr1 = 10,
    Usr2 = 12,
    Pipe = 13,
    Alrm = 14,
    Term = 15,
    Chld = 17,
    Cont = 18,
    Stop = 19,
    Winch = 28,
}

impl Signal {
    pub const ALL: [Signal; 13] = [
        Signal::Hup,
        Signal::Int,
        Signal::Quit,
        Signal::Kill,
        Signal::Usr1,
        Signal::Usr2,
        Signal::Pipe,
        Signal::Alrm,
        Signal::Term,
        Signal::Chld,
        Signal::Cont,
        Signal::Stop,
        Signal::Winch,
    ];

    pub fn number(self) -> i32 {
        self as i32
    }

    /// The name without `SIG`: `TERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hup => "HUP",
            Signal::Int => "INT",
            Signal::Quit => "QUIT",
            Signal::Kill => "KILL",
            Signal::Usr1 => "USR1",
            Signal::Usr2 => "USR2",
            Signal::Pipe => "PIPE",
            Signal::Alrm => "ALRM",
            Signal::Term => "TERM",
            Signal::Chld => "CHLD",
            Signal::Cont => "CONT",
            Signal::Stop => "STOP",
            Signal::Winch => "WINCH",
        }
    }

    /// `TERM`, `SIGTERM`, `term` or `15`.
    pub fn parse(s: &str) -> Option<Signal> {
        if let Ok(n) = s.parse::<i32>() {
            return Signal::ALL.into_iter().find(|sig| sig.number() == n);
        }
        let upper = s.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        Signal::ALL.into_iter().find(|sig| sig.name() == name)
    }

    /// What the default disposition does: end the process, or nothing.
    pub fn default_terminates(self) -> bool {
        !matches!(
            self,
            Signal::Chld | Signal::Cont | Signal::Stop | Signal::Winch
        )
    }
}

/// What a process does with a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    Default,
    Ignore,
    /// The program handles it: the signal waits in [`Process::pending`] until the program
    /// takes it, and interrupts what the program waits for.
    Handle,
}

/// How a process ended, as `waitpid` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitStatus {
    Exited(i32),
    Signaled(Signal),
}

impl WaitStatus {
    /// The status a shell sees (`$?`) and the exit code a container runtime reports.
    pub fn code(self) -> i32 {
        match self {
            WaitStatus::Exited(c) => c & 0xff,
            WaitStatus::Signaled(s) => 128 + s.number(),
        }
    }
}

/// What a new process starts with (see [`Kernel::spawn`]).
pub struct NewProcess {
    pub container: CtrId,
    /// 0 when the runtime starts it (a container's init, an exec).
    pub parent: Pid,
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: String,
    pub fds: BTreeMap<i32, OpenId>,
}

/// A container as the kernel knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CtrId(pub u32);

/// A pod's namespaces (network, UTS, IPC; PID when shared).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PodId(pub u32);

/// One PID namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PidNs(pub u32);

/// An open file description, shared by the descriptors that point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpenId(pub u32);

/// A byte stream: a pipe, or one direction of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// What an open file description is.
#[derive(Clone, Debug)]
pub enum Open {
    /// `/dev/null`.
    Null,
    /// The container's stdout or stderr, read by the runtime as the container's log.
    Log {
        container: CtrId,
        stream: LogStream,
    },
    /// An exec's output, captured for its caller.
    Capture {
        buffer: Rc<RefCell<Vec<u8>>>,
    },
    PipeRead(StreamId),
    PipeWrite(StreamId),
    /// A connected socket: bytes arrive on `rx`, leave on `tx`.
    Socket {
        rx: StreamId,
        tx: StreamId,
    },
    /// A listening socket on `port` in `pod`'s network namespace.
    Listener {
        pod: PodId,
        port: u16,
    },
    /// A regular file opened for reading: its contents at open time.
    FileRead {
        data: Rc<[u8]>,
        pos: usize,
    },
    /// A regular file opened for writing: each write appends (after the open truncated it, for
    /// `>`), through the mount table of `container`.
    FileWrite {
        container: CtrId,
        path: String,
    },
}

#[derive(Debug)]
struct OpenEntry {
    open: Open,
    refs: u32,
}

#[derive(Debug, Default)]
struct Stream {
    buf: VecDeque<u8>,
    readers: u32,
    writers: u32,
    /// `shutdown(SHUT_WR)`: no more bytes will come, whoever still holds the socket.
    shut: bool,
}

/// A process.
#[derive(Debug)]
pub struct Process {
    pub pid: Pid,
    pub ns: PidNs,
    /// Its number in its PID namespace.
    pub ns_pid: u32,
    pub ppid: Pid,
    pub container: CtrId,
    pub argv: Vec<String>,
    /// `/proc/PID/comm`: the executable's name (15 bytes at most), kept when a program
    /// rewrites its command line (nginx's `nginx: master process ...` is still `nginx`).
    pub comm: String,
    pub env: Vec<(String, String)>,
    pub cwd: String,
    pub started: Time,
    pub dispositions: BTreeMap<Signal, Disposition>,
    /// Handled signals not yet taken by the program.
    pub pending: BTreeSet<Signal>,
    pub fds: BTreeMap<i32, OpenId>,
    /// Ended, not yet reaped by its parent.
    pub zombie: Option<WaitStatus>,
    pub mem_bytes: u64,
    /// Of `mem_bytes`, what the program really holds (see [`HELD_BYTES_MAX`]).
    pub held_bytes: u64,
    wake: Wake,
    /// What the program waits on, gathered while it is polled (see [`Kernel::park`]).
    keys: Vec<Key>,
    /// Its children not yet reaped, so that an exit finds them without a scan.
    children: BTreeSet<Pid>,
    fuel_at: Time,
    fuel_left: u32,
}

impl Process {
    pub fn disposition(&self, sig: Signal) -> Disposition {
        self.dispositions
            .get(&sig)
            .copied()
            .unwrap_or(Disposition::Default)
    }
}

/// When a parked process can run again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    Now,
    At(Time),
    /// When anything changes after generation `.0` (a write, an exit, a signal...), or at `.1`.
    Change(u64, Option<Time>),
}

/// How a container's life is going.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtrState {
    Created,
    Running,
    Exited(WaitStatus),
}

/// A container.
#[derive(Debug)]
pub struct Container {
    pub id: CtrId,
    pub pod: PodId,
    pub name: String,
    pub mounts: Vec<Mount>,
    /// Its image root (private copy).
    pub root: Option<TreeId>,
    pub ns: PidNs,
    pub init: Option<Pid>,
    pub state: CtrState,
    pub memory_limit_bytes: Option<u64>,
    /// Bytes this container's processes wrote into memory-backed file systems.
    pub tmpfs_bytes: u64,
    pub oom_killed: bool,
    pub log_lines: usize,
    /// Bytes written to stdout/stderr that do not end a line yet.
    partial: [Vec<u8>; 2],
    /// A pseudo-container for the node's own probes: no files, not in any listing.
    pub node: bool,
    /// Its processes (zombies included), so that its end, its memory and its pids limit are
    /// counted without a scan of the node.
    pids: BTreeSet<Pid>,
}

/// A pod's shared namespaces.
#[derive(Debug)]
pub struct Pod {
    pub id: PodId,
    pub name: String,
    pub namespace: String,
    pub hostname: String,
    pub ip: String,
    /// Listening sockets by port: the process's open socket and its accept queue.
    pub listeners: BTreeMap<u16, Listener>,
    /// The PID namespace when `shareProcessNamespace`.
    pub shared_ns: Option<PidNs>,
    pub memory_trees: BTreeSet<TreeId>,
}

#[derive(Debug)]
pub struct Listener {
    pub owner: Pid,
    pub open: OpenId,
    pub backlog: VecDeque<(StreamId, StreamId)>,
}

/// What the kernel tells its runtime.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Log {
        at: Time,
        container: CtrId,
        line: String,
    },
    /// A container's init ended.
    Exited {
        at: Time,
        container: CtrId,
        status: WaitStatus,
        oom_killed: bool,
    },
    /// A process ended (the runtime waits on its execs).
    ProcessExited { at: Time, pid: Pid, code: i32 },
}

/// The whole node's kernel state. Programs reach it through [`Ctx`]; the runtime through
/// [`Machine`].
#[derive(Default)]
pub struct Kernel {
    pub now: Time,
    pub fs: Fs,
    pub procs: BTreeMap<Pid, Process>,
    pub containers: BTreeMap<CtrId, Container>,
    pub pods: BTreeMap<PodId, Pod>,
    opens: BTreeMap<OpenId, OpenEntry>,
    streams: BTreeMap<StreamId, Stream>,
    /// Who runs next: the ready set, the timers and what each parked process waits on.
    sched: Sched,
    /// The processes of each PID namespace (what `ps`, `kill` and `/proc` look through).
    ns_members: BTreeMap<PidNs, BTreeSet<Pid>>,
    /// Pods by IP, for `connect`.
    pods_by_ip: BTreeMap<String, BTreeSet<PodId>>,
    /// The memory-backed trees (tmpfs emptyDirs, /dev/shm) of every pod.
    memory_trees: BTreeSet<TreeId>,
    next_pid: Pid,
    ns_next: BTreeMap<PidNs, u32>,
    next_ns: u32,
    next_ctr: u32,
    next_pod: u32,
    next_open: u32,
    next_stream: u32,
    /// The address a server sees a connection come from, by the server's receiving stream.
    peers: BTreeMap<StreamId, String>,
    /// Futures spawned while the machine was polling another.
    spawned: Vec<(Pid, Task)>,
    pub notices: Vec<Notice>,
}

impl Kernel {
    /// A change a parked process may be waiting for: the waiters of what was touched since the
    /// last change wake (see [`sched`]).
    fn changed(&mut self) {
        let polling_parked = self
            .sched
            .polling()
            .and_then(|pid| self.procs.get(&pid))
            .is_some_and(|p| matches!(p.wake, Wake::Change(..)));
        self.sched.changed(polling_parked);
    }

    /// Marks `key` as changed, for the next [`Kernel::changed`].
    fn touch(&mut self, key: Key) {
        self.sched.touch(key);
    }

    /// Processes woken by a change since the machine was made (the clock's wake-ups are not
    /// counted): a test's measure of how far one change reaches.
    pub fn wakeups(&self) -> u64 {
        self.sched.wakeups
    }

    /// The processes of PID namespace `ns`, by kernel pid.
    fn ns_procs(&self, ns: PidNs) -> impl Iterator<Item = &Process> + '_ {
        self.ns_members
            .get(&ns)
            .into_iter()
            .flatten()
            .filter_map(|pid| self.procs.get(pid))
    }

    /// The live processes of `container`.
    fn container_procs(&self, container: CtrId) -> impl Iterator<Item = &Process> + '_ {
        self.containers
            .get(&container)
            .into_iter()
            .flat_map(|c| c.pids.iter())
            .filter_map(|pid| self.procs.get(pid))
            .filter(|p| p.zombie.is_none())
    }

    /// Takes process `pid` off every index (its parent's children, its container, its
    /// namespace, the run queues).
    fn remove_proc(&mut self, pid: Pid) -> Option<Process> {
        let p = self.procs.remove(&pid)?;
        if let Some(parent) = self.procs.get_mut(&p.ppid) {
            parent.children.remove(&pid);
        }
        if let Some(c) = self.containers.get_mut(&p.container) {
            c.pids.remove(&pid);
        }
        if let Some(members) = self.ns_members.get_mut(&p.ns) {
            members.remove(&pid);
            if members.is_empty() {
                self.ns_members.remove(&p.ns);
            }
        }
        if p.zombie.is_none() {
            self.sched.forget(pid);
        }
        Some(p)
    }

    // --- pods and containers --------------------------------------------------------------

    pub fn add_pod(
        &mut self,
        name: &str,
        namespace: &str,
        hostname: &str,
        ip: &str,
        share_pid: bool,
    ) -> PodId {
        self.next_pod += 1;
        let id = PodId(self.next_pod);
        let shared_ns = share_pid.then(|| self.new_pid_ns());
        self.pods.insert(
            id,
            Pod {
                id,
                name: name.into(),
                namespace: namespace.into(),
                hostname: hostname.into(),
                ip: ip.into(),
                listeners: BTreeMap::new(),
                shared_ns,
                memory_trees: BTreeSet::new(),
            },
        );
        self.pods_by_ip.entry(ip.into()).or_default().insert(id);
        id
    }

    /// Marks `tree` as one of `pod`'s memory-backed file systems: what is written there counts
    /// toward the writer's memory.
    pub fn add_memory_tree(&mut self, pod: PodId, tree: TreeId) {
        if let Some(p) = self.pods.get_mut(&pod) {
            p.memory_trees.insert(tree);
            self.memory_trees.insert(tree);
        }
    }

    /// Whether `tree` is memory-backed (in any pod).
    fn is_memory_tree(&self, tree: TreeId) -> bool {
        self.memory_trees.contains(&tree)
    }

    /// Removes a pod's namespaces (its containers are gone already).
    pub fn remove_pod(&mut self, pod: PodId) -> Option<Pod> {
        let p = self.pods.remove(&pod)?;
        if let Some(ids) = self.pods_by_ip.get_mut(&p.ip) {
            ids.remove(&pod);
            if ids.is_empty() {
                self.pods_by_ip.remove(&p.ip);
            }
        }
        for tree in &p.memory_trees {
            self.memory_trees.remove(tree);
        }
        Some(p)
    }

    /// The pod with IP `ip` (the first made, should two share it).
    fn pod_by_ip(&self, ip: &str) -> Option<PodId> {
        self.pods_by_ip
            .get(ip)?
            .iter()
            .copied()
            .find(|id| self.pods.get(id).is_some_and(|p| p.ip == ip))
    }

    pub fn new_pid_ns(&mut self) -> PidNs {
        self.next_ns += 1;
        PidNs(self.next_ns)
    }

    pub fn add_container(
        &mut self,
        pod: PodId,
        name: &str,
        mounts: Vec<Mount>,
        root: Option<TreeId>,
        memory_limit_bytes: Option<u64>,
    ) -> CtrId {
        self.next_ctr += 1;
        let id = CtrId(self.next_ctr);
        let ns = match self.pods.get(&pod).and_then(|p| p.shared_ns) {
            Some(ns) => ns,
            None => self.new_pid_ns(),
        };
        self.containers.insert(
            id,
            Container {
                id,
                pod,
                name: name.into(),
                mounts,
                root,
                ns,
                init: None,
                state: CtrState::Created,
                memory_limit_bytes,
                tmpfs_bytes: 0,
                oom_killed: false,
                log_lines: 0,
                partial: [Vec::new(), Vec::new()],
                node: false,
                pids: BTreeSet::new(),
            },
        );
        id
    }

    /// The node's own pseudo-container, from which probes connect to pods.
    pub fn add_node_container(&mut self, pod: PodId) -> CtrId {
        let id = self.add_container(pod, "kubelet", Vec::new(), None, None);
        if let Some(c) = self.containers.get_mut(&id) {
            c.node = true;
        }
        id
    }

    /// Creates a process in `container` running `task` (made from its context). The first
    /// process of a container is its init; `parent` 0 means the runtime started it.
    pub fn spawn(
        &mut self,
        new: NewProcess,
        make: impl FnOnce(Ctx) -> Task,
        kernel: &Rc<RefCell<Kernel>>,
    ) -> Pid {
        let NewProcess {
            container,
            parent,
            argv,
            env,
            cwd,
            fds,
        } = new;
        // The container's pids limit: fork fails (the caller sees pid 0) rather than letting a
        // fork bomb take the page down.
        let live = self.container_procs(container).count();
        if live >= PIDS_MAX_PER_CONTAINER {
            return 0;
        }
        self.next_pid += 1;
        let pid = self.next_pid;
        let ctr = self.containers.get(&container);
        let ns = ctr.map(|c| c.ns).unwrap_or(PidNs(0));
        let n = self.ns_next.entry(ns).or_insert(0);
        *n += 1;
        let ns_pid = *n;
        for open in fds.values() {
            if let Some(e) = self.opens.get_mut(open) {
                e.refs += 1;
            }
            self.open_refs_changed(*open, 1);
        }
        self.procs.insert(
            pid,
            Process {
                pid,
                ns,
                ns_pid,
                ppid: parent,
                container,
                comm: comm_of(argv.first().map_or("", String::as_str)),
                argv,
                env,
                cwd,
                started: self.now,
                dispositions: BTreeMap::new(),
                pending: BTreeSet::new(),
                fds,
                zombie: None,
                mem_bytes: 0,
                held_bytes: 0,
                wake: Wake::Now,
                keys: Vec::new(),
                children: BTreeSet::new(),
                fuel_at: self.now,
                fuel_left: FUEL_PER_QUANTUM,
            },
        );
        if let Some(p) = self.procs.get_mut(&parent) {
            p.children.insert(pid);
        }
        self.ns_members.entry(ns).or_default().insert(pid);
        if let Some(c) = self.containers.get_mut(&container) {
            c.pids.insert(pid);
            if c.init.is_none() {
                c.init = Some(pid);
                c.state = CtrState::Running;
            }
        }
        let ctx = Ctx::new(kernel.clone(), pid);
        self.spawned.push((pid, make(ctx)));
        self.sched.make_ready(pid);
        self.touch(Key::Proc(parent));
        self.changed();
        pid
    }

    /// `execvp`'s search, in `container`'s file system: a name with a slash is a path (from
    /// `cwd`); otherwise each directory of `path_var` (`$PATH`) in turn. ENOENT when nothing has
    /// that name, EACCES for a directory or a file nobody may execute.
    pub fn find_program(
        &self,
        container: CtrId,
        cwd: &str,
        name: &str,
        path_var: &str,
    ) -> Result<String, Errno> {
        let mounts = self
            .containers
            .get(&container)
            .map(|c| c.mounts.as_slice())
            .unwrap_or_default();
        let executable = |st: &crate::fs::Stat| st.kind != Kind::Dir && st.mode & 0o111 != 0;
        if name.is_empty() {
            return Err(Errno::ENOENT);
        }
        if name.contains('/') {
            let st = self.fs.stat(mounts, cwd, name)?;
            return match executable(&st) {
                true => Ok(crate::fs::normalize(cwd, name)),
                false => Err(Errno::EACCES),
            };
        }
        for dir in path_var.split(':') {
            let dir = if dir.is_empty() { "." } else { dir };
            let candidate = format!("{}/{name}", dir.trim_end_matches('/'));
            if self
                .fs
                .stat(mounts, cwd, &candidate)
                .is_ok_and(|st| executable(&st))
            {
                return Ok(crate::fs::normalize(cwd, &candidate));
            }
        }
        Err(Errno::ENOENT)
    }

    // --- open files -----------------------------------------------------------------------

    pub fn open(&mut self, open: Open) -> OpenId {
        self.next_open += 1;
        let id = OpenId(self.next_open);
        self.opens.insert(id, OpenEntry { open, refs: 0 });
        id
    }

    fn stream_mut(&mut self, s: StreamId) -> &mut Stream {
        self.streams.entry(s).or_default()
    }

    pub fn new_stream(&mut self) -> StreamId {
        self.next_stream += 1;
        let id = StreamId(self.next_stream);
        self.streams.insert(id, Stream::default());
        id
    }

    /// Counts readers and writers of streams as descriptors come and go.
    fn open_refs_changed(&mut self, open: OpenId, delta: i32) {
        let Some(e) = self.opens.get(&open) else {
            return;
        };
        let (read, write) = match e.open {
            Open::PipeRead(s) => (Some(s), None),
            Open::PipeWrite(s) => (None, Some(s)),
            Open::Socket { rx, tx } => (Some(rx), Some(tx)),
            _ => (None, None),
        };
        let apply = |n: &mut u32| *n = (*n as i64 + delta as i64).max(0) as u32;
        if let Some(s) = read {
            apply(&mut self.stream_mut(s).readers);
            self.touch(Key::Stream(s));
        }
        if let Some(s) = write {
            apply(&mut self.stream_mut(s).writers);
            self.touch(Key::Stream(s));
        }
    }

    /// Points descriptor `fd` of `pid` at `open` (closing what it pointed at).
    pub fn install_fd(&mut self, pid: Pid, fd: i32, open: OpenId) {
        if let Some(e) = self.opens.get_mut(&open) {
            e.refs += 1;
        }
        self.open_refs_changed(open, 1);
        let old = self
            .procs
            .get_mut(&pid)
            .and_then(|p| p.fds.insert(fd, open));
        if let Some(old) = old {
            self.release(old);
        }
    }

    pub fn close_fd(&mut self, pid: Pid, fd: i32) -> bool {
        let old = self.procs.get_mut(&pid).and_then(|p| p.fds.remove(&fd));
        match old {
            Some(old) => {
                self.release(old);
                true
            }
            None => false,
        }
    }

    fn release(&mut self, open: OpenId) {
        self.open_refs_changed(open, -1);
        let gone = match self.opens.get_mut(&open) {
            Some(e) => {
                e.refs = e.refs.saturating_sub(1);
                e.refs == 0
            }
            None => false,
        };
        if gone {
            if let Some(e) = self.opens.remove(&open) {
                if let Open::Listener { pod, port } = e.open {
                    self.touch(Key::Listener(pod, port));
                    let closed =
                        self.pods
                            .get_mut(&pod)
                            .and_then(|p| match p.listeners.get(&port) {
                                Some(l) if l.open == open => p.listeners.remove(&port),
                                _ => None,
                            });
                    // Connections never accepted are reset: their clients see the end.
                    for (up, down) in closed.map(|l| l.backlog).unwrap_or_default() {
                        self.stream_mut(up).readers = self.stream_mut(up).readers.saturating_sub(1);
                        self.stream_mut(down).writers =
                            self.stream_mut(down).writers.saturating_sub(1);
                        self.touch(Key::Stream(up));
                        self.touch(Key::Stream(down));
                    }
                }
            }
        }
        self.changed();
    }

    pub fn open_of(&self, pid: Pid, fd: i32) -> Option<&Open> {
        let id = self.procs.get(&pid)?.fds.get(&fd)?;
        self.opens.get(id).map(|e| &e.open)
    }

    fn open_id(&self, pid: Pid, fd: i32) -> Option<OpenId> {
        self.procs.get(&pid)?.fds.get(&fd).copied()
    }

    // --- logs -----------------------------------------------------------------------------

    fn log_write(&mut self, container: CtrId, stream: LogStream, data: &[u8]) {
        let now = self.now;
        let Some(c) = self.containers.get_mut(&container) else {
            return;
        };
        let i = (stream == LogStream::Stderr) as usize;
        c.partial[i].extend_from_slice(data);
        let mut lines = Vec::new();
        while let Some(nl) = c.partial[i].iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = c.partial[i].drain(..=nl).collect();
            lines.push(line[..line.len() - 1].to_vec());
        }
        while c.partial[i].len() > LOG_LINE_BYTES_MAX {
            let line: Vec<u8> = c.partial[i].drain(..LOG_LINE_BYTES_MAX).collect();
            lines.push(line);
        }
        for line in lines {
            if c.log_lines >= LOG_LINES_MAX {
                break;
            }
            c.log_lines += 1;
            self.notices.push(Notice::Log {
                at: now,
                container,
                line: String::from_utf8_lossy(&line).into_owned(),
            });
        }
    }

    fn flush_logs(&mut self, container: CtrId) {
        let now = self.now;
        let Some(c) = self.containers.get_mut(&container) else {
            return;
        };
        for i in 0..2 {
            if !c.partial[i].is_empty() && c.log_lines < LOG_LINES_MAX {
                let line = std::mem::take(&mut c.partial[i]);
                c.log_lines += 1;
                self.notices.push(Notice::Log {
                    at: now,
                    container,
                    line: String::from_utf8_lossy(&line).into_owned(),
                });
            }
        }
    }

    // --- signals and exits ----------------------------------------------------------------

    /// Sends `sig` to `pid` as `kill(2)` does. Returns false when there is no such process.
    pub fn signal(&mut self, pid: Pid, sig: Signal) -> bool {
        let Some(p) = self.procs.get_mut(&pid) else {
            return false;
        };
        if p.zombie.is_some() {
            return true;
        }
        let init = p.ns_pid == 1;
        match (sig, p.disposition(sig)) {
            (Signal::Kill, _) => self.terminate(pid, WaitStatus::Signaled(Signal::Kill)),
            (_, Disposition::Ignore) => {}
            (_, Disposition::Handle) => {
                p.pending.insert(sig);
                self.touch(Key::Proc(pid));
                self.changed();
            }
            // The kernel does not deliver a default-disposition signal to a namespace's init.
            (_, Disposition::Default) if init => {}
            (_, Disposition::Default) if sig.default_terminates() => {
                self.terminate(pid, WaitStatus::Signaled(sig))
            }
            (_, Disposition::Default) => {}
        }
        true
    }

    /// Ends process `pid` (its future is dropped by the machine): closes its descriptors,
    /// hands its children to the container's init, and, for a container's init, ends the
    /// container and every process left in it.
    pub fn terminate(&mut self, pid: Pid, status: WaitStatus) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if p.zombie.is_some() {
            return;
        }
        p.zombie = Some(status);
        p.pending.clear();
        let fds: Vec<OpenId> = std::mem::take(&mut p.fds).into_values().collect();
        let (container, ppid) = (p.container, p.ppid);
        let children = std::mem::take(&mut p.children);
        // A dead process holds no memory.
        p.mem_bytes = 0;
        p.held_bytes = 0;
        self.sched.forget(pid);
        for open in fds {
            self.release(open);
        }
        self.notices.push(Notice::ProcessExited {
            at: self.now,
            pid,
            code: status.code(),
        });
        // Orphans go to the init of the namespace (or nobody, who reaps them at once).
        let init = self.containers.get(&container).and_then(|c| c.init);
        let heir = init.filter(|i| *i != pid).unwrap_or(0);
        let mut orphans = Vec::new();
        for child in &children {
            if let Some(c) = self.procs.get_mut(child) {
                c.ppid = heir;
                if c.zombie.is_some() && heir == 0 {
                    orphans.push(*child);
                }
            }
        }
        if let Some(p) = self.procs.get_mut(&heir) {
            p.children.extend(children);
            self.touch(Key::Proc(heir));
        }
        self.reap_orphans(orphans);
        // Nobody waits for a process the runtime started (its init, an exec).
        if ppid == 0 || !self.procs.contains_key(&ppid) {
            self.remove_proc(pid);
        } else if let Some(parent) = self.procs.get_mut(&ppid) {
            if parent.disposition(Signal::Chld) == Disposition::Handle {
                parent.pending.insert(Signal::Chld);
            }
            self.touch(Key::Proc(ppid));
        }
        if init == Some(pid) {
            self.container_ended(container, status);
        }
        self.changed();
    }

    /// Removes ended orphans nobody will wait for (a zombie without a parent only comes from
    /// an exit handing its children to nobody).
    fn reap_orphans(&mut self, orphans: Vec<Pid>) {
        for pid in orphans {
            self.remove_proc(pid);
        }
    }

    fn container_ended(&mut self, container: CtrId, status: WaitStatus) {
        let rest: Vec<Pid> = self.container_procs(container).map(|p| p.pid).collect();
        for pid in rest {
            self.terminate(pid, WaitStatus::Signaled(Signal::Kill));
        }
        // What the container's processes held in memory-backed files stays with the volume.
        self.flush_logs(container);
        let now = self.now;
        let Some(c) = self.containers.get_mut(&container) else {
            return;
        };
        c.state = CtrState::Exited(status);
        let oom_killed = c.oom_killed;
        if !c.node {
            self.notices.push(Notice::Exited {
                at: now,
                container,
                status,
                oom_killed,
            });
        }
        let stale: Vec<Pid> = c.pids.iter().copied().collect();
        for pid in stale {
            self.remove_proc(pid);
        }
    }

    /// Ends every process of `container` at once (SIGKILL to the cgroup).
    pub fn kill_container(&mut self, container: CtrId) {
        if let Some(init) = self.containers.get(&container).and_then(|c| c.init) {
            self.terminate(init, WaitStatus::Signaled(Signal::Kill));
        }
    }

    // --- memory ---------------------------------------------------------------------------

    /// A container's memory in use: its processes' and what they wrote into tmpfs.
    pub fn memory_usage(&self, container: CtrId) -> u64 {
        let procs: u64 = self.container_procs(container).map(|p| p.mem_bytes).sum();
        procs + self.containers.get(&container).map_or(0, |c| c.tmpfs_bytes)
    }

    /// Charges `bytes` more to `container`; over its limit the OOM killer ends the whole
    /// container (`memory.oom.group`). Returns false when it did.
    fn charge(&mut self, container: CtrId, pid: Option<Pid>, bytes: u64) -> bool {
        if let Some(p) = pid.and_then(|pid| self.procs.get_mut(&pid)) {
            p.mem_bytes = p.mem_bytes.saturating_add(bytes);
        } else if let Some(c) = self.containers.get_mut(&container) {
            c.tmpfs_bytes = c.tmpfs_bytes.saturating_add(bytes);
        }
        let limit = self
            .containers
            .get(&container)
            .and_then(|c| c.memory_limit_bytes)
            .unwrap_or(NODE_MEMORY_BYTES);
        if self.memory_usage(container) > limit {
            if let Some(c) = self.containers.get_mut(&container) {
                c.oom_killed = true;
            }
            self.kill_container(container);
            return false;
        }
        true
    }

    // --- scheduling -----------------------------------------------------------------------

    /// Parks `pid` until `wake`, and, for a change, until one of `keys` (or the process itself,
    /// [`Key::Proc`]) changes. A program made of several futures polled together (a server and
    /// its connections) parks once per part in one poll: the process wakes at the earliest of
    /// them, so no part's timer or key is lost. The machine resets the state to `Now` before
    /// each poll and hands it to the run queues after ([`Kernel::settle`]).
    fn park(&mut self, pid: Pid, wake: Wake, keys: &[Key]) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.keys.extend_from_slice(keys);
            p.wake = match (p.wake, wake) {
                (_, Wake::Now) | (Wake::Now, _) => wake,
                (Wake::At(a), Wake::At(b)) => Wake::At(a.min(b)),
                (Wake::At(a), Wake::Change(g, t)) | (Wake::Change(g, t), Wake::At(a)) => {
                    Wake::Change(g, Some(t.map_or(a, |t| t.min(a))))
                }
                (Wake::Change(g1, t1), Wake::Change(g2, t2)) => Wake::Change(
                    g1.min(g2),
                    match (t1, t2) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                ),
            };
        }
    }

    /// Before a poll: the process counts as runnable until it parks again.
    fn unpark(&mut self, pid: Pid) {
        if let Some(p) = self.procs.get_mut(&pid) {
            p.wake = Wake::Now;
            p.keys.clear();
        }
    }

    /// After a poll that left the process waiting: into the ready set, the timers or the
    /// waiters of its keys.
    fn settle(&mut self, pid: Pid) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        let mut keys = std::mem::take(&mut p.keys);
        let (timer, generation) = match p.wake {
            Wake::Now => (None, None),
            Wake::At(t) => (Some(t), None),
            Wake::Change(g, t) => (t, Some(g)),
        };
        if generation.is_some() {
            keys.push(Key::Proc(pid));
            keys.sort_unstable();
            keys.dedup();
        }
        self.sched.park(pid, self.now, keys, timer, generation);
    }
}

/// `comm` for an executable path: its file name, cut to `TASK_COMM_LEN - 1` bytes.
pub fn comm_of(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut end = name.len().min(15);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_string()
}

/// The kernel and the futures of its processes.
pub struct Machine {
    pub kernel: Rc<RefCell<Kernel>>,
    tasks: BTreeMap<Pid, Task>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine::new()
    }
}

impl Machine {
    pub fn new() -> Machine {
        Machine {
            kernel: Rc::new(RefCell::new(Kernel::default())),
            tasks: BTreeMap::new(),
        }
    }

    /// Starts a process (see [`Kernel::spawn`]).
    #[allow(clippy::too_many_arguments)]
    pub fn spawn(
        &mut self,
        container: CtrId,
        argv: Vec<String>,
        env: Vec<(String, String)>,
        cwd: String,
        fds: BTreeMap<i32, OpenId>,
        make: impl FnOnce(Ctx) -> Task,
    ) -> Pid {
        let k = self.kernel.clone();
        let new = NewProcess {
            container,
            parent: 0,
            argv,
            env,
            cwd,
            fds,
        };
        let pid = k.borrow_mut().spawn(new, make, &k);
        self.adopt_spawned();
        pid
    }

    /// Runs every process that can run at `now`, until none can, in rounds: each round polls
    /// its processes in ascending pid order, and what they make runnable runs in a later round
    /// (see [`sched`]). Returns how many polls it took.
    pub fn run(&mut self, now: Time) -> u64 {
        {
            let mut k = self.kernel.borrow_mut();
            k.now = k.now.max(now);
        }
        let mut polls = 0u64;
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        loop {
            self.adopt_spawned();
            self.drop_dead();
            {
                let mut k = self.kernel.borrow_mut();
                let now = k.now;
                if !k.sched.begin_round(now) {
                    break;
                }
            }
            loop {
                let Some(pid) = self.kernel.borrow_mut().sched.next_in_round() else {
                    break;
                };
                let Some(mut task) = self.tasks.remove(&pid) else {
                    continue;
                };
                {
                    let mut k = self.kernel.borrow_mut();
                    let alive = k.procs.get(&pid).is_some_and(|p| p.zombie.is_none());
                    if !alive {
                        continue;
                    }
                    // Woken: until it parks again it counts as runnable.
                    k.unpark(pid);
                }
                polls += 1;
                match task.as_mut().poll(&mut cx) {
                    Poll::Ready(code) => {
                        self.kernel
                            .borrow_mut()
                            .terminate(pid, WaitStatus::Exited(code));
                    }
                    Poll::Pending => {
                        let mut k = self.kernel.borrow_mut();
                        if k.procs.get(&pid).is_some_and(|p| p.zombie.is_none()) {
                            self.tasks.insert(pid, task);
                            k.settle(pid);
                        }
                    }
                }
                self.adopt_spawned();
            }
        }
        polls
    }

    fn adopt_spawned(&mut self) {
        let spawned = std::mem::take(&mut self.kernel.borrow_mut().spawned);
        for (pid, task) in spawned {
            self.tasks.insert(pid, task);
        }
    }

    /// Drops the futures of processes that ended.
    fn drop_dead(&mut self) {
        let dead = std::mem::take(&mut self.kernel.borrow_mut().sched.dead);
        for pid in dead {
            self.tasks.remove(&pid);
        }
    }

    /// When a parked process next wakes, if any does.
    pub fn next_wake(&self) -> Option<Time> {
        let k = self.kernel.borrow();
        if !k.spawned.is_empty() {
            return Some(k.now);
        }
        k.sched.next_wake(k.now)
    }

    /// What the kernel has to tell the runtime since the last call.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.kernel.borrow_mut().notices)
    }
}
