//! A small test harness: one pod (`test-pod`, 10.244.0.10) on a fresh [`Machine`], whose
//! containers run a minimal busybox root (`/bin/busybox` and a link per applet, `/etc/passwd`,
//! `/etc/group`, `/etc/hostname`, `/etc/resolv.conf`, `/tmp`, `/root`, a 64 MiB memory-backed
//! `/dev/shm`), with stdout and stderr on the container log and stdin on `/dev/null`.
//!
//! [`Harness::sh`] runs `sh -c SCRIPT` as a container's init until it ends (or an hour of
//! virtual time passes) and returns its exit code, its log lines and when it ended. For timed
//! tests, [`Harness::start`], [`Harness::run_until`], [`Harness::signal`] and
//! [`Harness::finish`] step the same machine. Virtual time advances only when every process
//! waits, to the earliest wake-up.

use std::collections::BTreeMap;

use podplay_engine::time::Time;

use crate::fs::{Mount, TreeId};
use crate::kernel::{CtrId, LogStream, Machine, Notice, Open, Pid, PodId, Signal, WaitStatus};

/// What a finished (or stopped) run left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// The init's exit code as a runtime reports it (128+N when killed by signal N); None when
    /// it was still running at the limit.
    pub code: Option<i32>,
    /// The container log, stdout and stderr interleaved as written, one entry per line.
    pub out: Vec<String>,
    /// When the init ended (or the time the run stopped at).
    pub ended_at: Time,
}

/// How long [`Harness::sh`] and [`Harness::finish`] let a script run.
pub const RUN_LIMIT: Time = Time(3_600_000);

/// The environment of the harness's containers.
pub const ENV: &[(&str, &str)] = &[
    (
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    ("HOSTNAME", "test-pod"),
    ("HOME", "/root"),
];

/// A machine with one pod, and the container currently under test.
pub struct Harness {
    pub machine: Machine,
    pub pod: PodId,
    /// The busybox root every container copies.
    image: TreeId,
    /// The pod's `/dev/shm`.
    shm: TreeId,
    pub now: Time,
    /// The container started last, its init, and what came of it.
    pub container: Option<CtrId>,
    pub init: Option<Pid>,
    log: Vec<String>,
    exit: Option<(Time, WaitStatus)>,
    /// The memory limit given to containers started from now on.
    pub memory_limit_bytes: Option<u64>,
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        let machine = Machine::new();
        let (pod, image, shm) = {
            let mut k = machine.kernel.borrow_mut();
            let pod = k.add_pod("test-pod", "default", "test-pod", "10.244.0.10", false);
            let image = k.fs.new_tree(None);
            let shm = k.fs.new_tree(Some(64 << 20));
            let fs = &mut k.fs;
            let t = Time::ZERO;
            fs.put(
                image,
                "/bin/busybox",
                &crate::programs::binary("busybox"),
                0o755,
                t,
            );
            for applet in crate::busybox::APPLETS {
                fs.put_symlink(image, &format!("/bin/{applet}"), "busybox");
            }
            fs.put(
                image,
                "/etc/passwd",
                b"root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n",
                0o644,
                t,
            );
            fs.put(
                image,
                "/etc/group",
                b"root:x:0:\ndaemon:x:1:\nwheel:x:10:root\nnobody:x:65534:\n",
                0o644,
                t,
            );
            fs.put(image, "/etc/hostname", b"test-pod\n", 0o644, t);
            fs.put(
                image,
                "/etc/resolv.conf",
                b"search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
                0o644,
                t,
            );
            for dir in [
                "/tmp",
                "/root",
                "/home",
                "/var",
                "/dev",
                "/usr/bin",
                "/usr/sbin",
                "/sbin",
            ] {
                fs.put_dir(image, dir, t);
            }
            let _ = fs.chmod(&[Mount::root(image)], "/", "/tmp", 0o1777);
            k.add_memory_tree(pod, shm);
            (pod, image, shm)
        };
        Harness {
            machine,
            pod,
            image,
            shm,
            now: Time::ZERO,
            container: None,
            init: None,
            log: Vec::new(),
            exit: None,
            memory_limit_bytes: None,
        }
    }

    /// Writes a file into the image (containers started afterwards see it).
    pub fn put_file(&mut self, path: &str, data: &[u8], mode: u32) {
        self.machine
            .kernel
            .borrow_mut()
            .fs
            .put(self.image, path, data, mode, Time::ZERO);
    }

    /// Runs `sh -c script` as a new container's init to its end (at most [`RUN_LIMIT`]).
    pub fn sh(&mut self, script: &str) -> Run {
        self.start(&["sh", "-c", script]);
        self.finish()
    }

    /// Starts a new container whose init runs `argv` (found on `$PATH`, as a runtime execs it).
    pub fn start(&mut self, argv: &[&str]) -> Pid {
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let env: Vec<(String, String)> = ENV
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (ctr, fds) = {
            let mut k = self.machine.kernel.borrow_mut();
            let root = k.fs.copy_tree(self.image);
            let mounts = vec![
                Mount::root(root),
                Mount {
                    target: "/dev/shm".into(),
                    tree: self.shm,
                    sub_path: String::new(),
                    read_only: false,
                },
            ];
            let name = format!("c{}", k.containers.len() + 1);
            let ctr = k.add_container(self.pod, &name, mounts, Some(root), self.memory_limit_bytes);
            let mut fds = BTreeMap::new();
            fds.insert(0, k.open(Open::Null));
            fds.insert(
                1,
                k.open(Open::Log {
                    container: ctr,
                    stream: LogStream::Stdout,
                }),
            );
            fds.insert(
                2,
                k.open(Open::Log {
                    container: ctr,
                    stream: LogStream::Stderr,
                }),
            );
            (ctr, fds)
        };
        let exec_argv = argv.clone();
        let exec_env = env.clone();
        let pid = self
            .machine
            .spawn(ctr, argv, env, "/".into(), fds, move |ctx| {
                Box::pin(async move {
                    let path_var = exec_env
                        .iter()
                        .find(|(k, _)| k == "PATH")
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default();
                    match ctx.find_program(&exec_argv[0], &path_var) {
                        Ok(path) => ctx.exec(&path, exec_argv, exec_env).await.unwrap_or(126),
                        Err(_) => 127,
                    }
                })
            });
        self.container = Some(ctr);
        self.init = Some(pid);
        self.log.clear();
        self.exit = None;
        self.collect();
        pid
    }

    fn collect(&mut self) {
        for n in self.machine.take_notices() {
            match n {
                Notice::Log {
                    container, line, ..
                } if Some(container) == self.container => self.log.push(line),
                Notice::Exited {
                    at,
                    container,
                    status,
                    ..
                } if Some(container) == self.container => {
                    self.exit = Some((at, status));
                }
                _ => {}
            }
        }
    }

    /// Runs the machine up to virtual time `t` (or until the init ends).
    pub fn run_until(&mut self, t: Time) {
        let mut spins = 0u32;
        loop {
            self.machine.run(self.now);
            self.collect();
            if self.exit.is_some() {
                return;
            }
            match self.machine.next_wake() {
                Some(w) if w <= self.now => {
                    spins += 1;
                    assert!(
                        spins < 100_000,
                        "the machine does not settle at {}",
                        self.now
                    );
                }
                Some(w) if w <= t => {
                    spins = 0;
                    self.now = w;
                }
                _ => {
                    self.now = self.now.max(t);
                    self.machine.run(self.now);
                    self.collect();
                    return;
                }
            }
        }
    }

    /// Runs for `ms` more milliseconds of virtual time.
    pub fn run_for(&mut self, ms: u64) {
        let t = self.now.plus_millis(ms);
        self.run_until(t);
    }

    /// Sends `sig` to the container's init, as the runtime's `kill` does.
    pub fn signal(&mut self, sig: Signal) {
        if let Some(pid) = self.init {
            self.machine.kernel.borrow_mut().signal(pid, sig);
        }
    }

    /// Runs until the init ends or [`RUN_LIMIT`], and reports.
    pub fn finish(&mut self) -> Run {
        self.run_until(RUN_LIMIT);
        self.report()
    }

    /// What happened so far.
    pub fn report(&self) -> Run {
        Run {
            code: self.exit.map(|(_, s)| s.code()),
            out: self.log.clone(),
            ended_at: self.exit.map_or(self.now, |(t, _)| t),
        }
    }

    /// The log lines so far.
    pub fn lines(&self) -> &[String] {
        &self.log
    }

    /// Whether the container's init is still running.
    pub fn running(&self) -> bool {
        self.exit.is_none()
    }

    /// The contents of a file in the current container, through its mounts.
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        let k = self.machine.kernel.borrow();
        let c = k.containers.get(&self.container?)?;
        k.fs.read(&c.mounts, "/", path).ok().map(<[u8]>::to_vec)
    }
}
