//! [`Ctx`]: what a program may ask of the kernel, as system calls. Calls that can wait are
//! `async`: they park the process until what they wait for happens, in virtual time.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::Poll;

use podplay_engine::time::Time;

use super::{
    Disposition, Kernel, Key, LogStream, Open, OpenEntry, OpenId, Pid, Signal, Task, WaitStatus,
    Wake, FUEL_PER_QUANTUM, PIPE_BUF_BYTES, QUANTUM_MS,
};
use crate::fs::{Errno, Kind, Stat, WriteMode};

/// A handled signal arrived while the program waited: it should run its handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interrupted;

/// How [`Ctx::open`] opens a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenMode {
    Read,
    /// `>`: create or truncate.
    Truncate,
    /// `>>`: create or append.
    Append,
}

/// A process's view of the kernel. Cheap to clone; every clone is the same process.
#[derive(Clone)]
pub struct Ctx {
    k: Rc<RefCell<Kernel>>,
    pid: Pid,
}

/// One row of the process table as `ps` sees it from inside a PID namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsEntry {
    pub pid: u32,
    pub ppid: u32,
    pub argv: Vec<String>,
    /// The executable's name (`/proc/PID/comm`), what `killall` and `pidof` match.
    pub comm: String,
    pub started: Time,
    /// The container the process runs in (processes of other containers are visible with
    /// `shareProcessNamespace`).
    pub container: String,
}

impl Ctx {
    pub(super) fn new(k: Rc<RefCell<Kernel>>, pid: Pid) -> Ctx {
        Ctx { k, pid }
    }

    /// The kernel's name for this process.
    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// `$$`: this process's number in its PID namespace.
    pub fn ns_pid(&self) -> u32 {
        self.k.borrow().procs.get(&self.pid).map_or(0, |p| p.ns_pid)
    }

    /// The parent's number in this PID namespace (0 when outside it).
    pub fn ns_ppid(&self) -> u32 {
        let k = self.k.borrow();
        let Some(p) = k.procs.get(&self.pid) else {
            return 0;
        };
        k.procs
            .get(&p.ppid)
            .filter(|q| q.ns == p.ns)
            .map_or(0, |q| q.ns_pid)
    }

    pub fn now(&self) -> Time {
        self.k.borrow().now
    }

    /// The clock of the node: seconds since the Unix epoch (for `date`), from the engine's
    /// epoch for t=0.
    pub fn argv(&self) -> Vec<String> {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .map(|p| p.argv.clone())
            .unwrap_or_default()
    }

    pub fn env(&self) -> Vec<(String, String)> {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .map(|p| p.env.clone())
            .unwrap_or_default()
    }

    pub fn getenv(&self, name: &str) -> Option<String> {
        let k = self.k.borrow();
        let p = k.procs.get(&self.pid)?;
        p.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Rewrites the process's command line as `ps` shows it (`setproctitle`: nginx's
    /// `nginx: master process nginx -g daemon off;`).
    pub fn set_argv(&self, argv: Vec<String>) {
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&self.pid) {
            p.argv = argv;
        }
    }

    pub fn set_env(&self, env: Vec<(String, String)>) {
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&self.pid) {
            p.env = env;
        }
    }

    pub fn cwd(&self) -> String {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .map_or_else(|| "/".into(), |p| p.cwd.clone())
    }

    /// `chdir(2)`.
    pub fn chdir(&self, path: &str) -> Result<(), Errno> {
        let target = crate::fs::normalize(&self.cwd(), path);
        match self.stat(&target)?.kind {
            Kind::Dir => {}
            _ => return Err(Errno::ENOTDIR),
        }
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&self.pid) {
            p.cwd = target;
        }
        Ok(())
    }

    /// The pod's hostname (`hostname`, `$HOSTNAME`).
    pub fn hostname(&self) -> String {
        let k = self.k.borrow();
        self.pod_of(&k)
            .map(|p| p.hostname.clone())
            .unwrap_or_default()
    }

    /// The pod's IP.
    pub fn pod_ip(&self) -> String {
        let k = self.k.borrow();
        self.pod_of(&k).map(|p| p.ip.clone()).unwrap_or_default()
    }

    /// The name of this process's container.
    pub fn container_name(&self) -> String {
        let k = self.k.borrow();
        k.procs
            .get(&self.pid)
            .and_then(|p| k.containers.get(&p.container))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }

    fn pod_of<'a>(&self, k: &'a Kernel) -> Option<&'a super::Pod> {
        let p = k.procs.get(&self.pid)?;
        let c = k.containers.get(&p.container)?;
        k.pods.get(&c.pod)
    }

    // --- files ------------------------------------------------------------------------------

    fn with_fs<T>(
        &self,
        f: impl FnOnce(&mut crate::fs::Fs, &[crate::fs::Mount], &str, Time) -> T,
    ) -> Option<T> {
        let mut guard = self.k.borrow_mut();
        let k: &mut Kernel = &mut guard;
        let p = k.procs.get(&self.pid)?;
        let c = k.containers.get(&p.container)?;
        Some(f(&mut k.fs, &c.mounts, &p.cwd, k.now))
    }

    /// The contents of a file (`/proc` is the kernel's own).
    pub fn read_file(&self, path: &str) -> Result<Vec<u8>, Errno> {
        let abs = crate::fs::normalize(&self.cwd(), path);
        if abs == "/dev/null" {
            return Ok(Vec::new());
        }
        if let Some(rest) = abs.strip_prefix("/proc/") {
            return self.read_proc(rest);
        }
        self.with_fs(|fs, m, cwd, _| fs.read(m, cwd, path).map(<[u8]>::to_vec))
            .unwrap_or(Err(Errno::ENOENT))
    }

    fn read_proc(&self, rest: &str) -> Result<Vec<u8>, Errno> {
        let k = self.k.borrow();
        let me = k.procs.get(&self.pid).ok_or(Errno::ENOENT)?;
        let (who, file) = rest.split_once('/').unwrap_or((rest, ""));
        let target = if who == "self" {
            Some(me)
        } else {
            who.parse::<u32>().ok().and_then(|n| {
                k.ns_procs(me.ns)
                    .find(|p| p.ns_pid == n && p.zombie.is_none())
            })
        };
        match (who, target, file) {
            ("uptime", _, "") => {
                let s = k.now.as_secs_f64() + 3600.0;
                Ok(format!("{s:.2} {:.2}\n", s * 1.8).into_bytes())
            }
            (_, Some(p), "cmdline") => {
                let mut out = Vec::new();
                for a in &p.argv {
                    out.extend_from_slice(a.as_bytes());
                    out.push(0);
                }
                Ok(out)
            }
            (_, Some(p), "comm") => Ok(format!("{}\n", p.comm).into_bytes()),
            (_, Some(_), "") => Err(Errno::EISDIR),
            _ => Err(Errno::ENOENT),
        }
    }

    /// Writes (or appends to) a file. Bytes written into a memory-backed file system count
    /// toward the container's memory.
    pub fn write_file(&self, path: &str, data: &[u8], mode: WriteMode) -> Result<(), Errno> {
        let abs = crate::fs::normalize(&self.cwd(), path);
        if abs == "/dev/null" {
            return Ok(());
        }
        if abs.starts_with("/proc/") {
            return Err(Errno::EACCES);
        }
        let (before, tree) = {
            let k = self.k.borrow();
            let p = k.procs.get(&self.pid).ok_or(Errno::ENOENT)?;
            let c = k.containers.get(&p.container).ok_or(Errno::ENOENT)?;
            match k.fs.resolve(&c.mounts, &p.cwd, path) {
                Ok((tree, _, _)) => (k.fs.tree_bytes(tree), Some(tree)),
                Err(_) => (0, None),
            }
        };
        self.with_fs(|fs, m, cwd, now| fs.write(m, cwd, path, data, mode, now))
            .unwrap_or(Err(Errno::ENOENT))?;
        let mut k = self.k.borrow_mut();
        if let Some(tree) = tree {
            let memory = k.is_memory_tree(tree);
            let after = k.fs.tree_bytes(tree);
            if memory && after > before {
                let container = k.procs.get(&self.pid).map(|p| p.container);
                if let Some(c) = container {
                    k.charge(c, None, after - before);
                }
            }
        }
        k.changed();
        Ok(())
    }

    pub fn stat(&self, path: &str) -> Result<Stat, Errno> {
        let abs = crate::fs::normalize(&self.cwd(), path);
        if abs == "/dev/null" {
            return Ok(Stat {
                kind: Kind::File,
                size: 0,
                mode: 0o666,
                mtime: Time::ZERO,
            });
        }
        if abs == "/proc" || abs.starts_with("/proc/") {
            return match self.read_proc(abs.trim_start_matches("/proc").trim_start_matches('/')) {
                Ok(data) => Ok(Stat {
                    kind: Kind::File,
                    size: data.len() as u64,
                    mode: 0o444,
                    mtime: Time::ZERO,
                }),
                Err(Errno::EISDIR) => Ok(Stat {
                    kind: Kind::Dir,
                    size: 0,
                    mode: 0o555,
                    mtime: Time::ZERO,
                }),
                Err(_) if abs == "/proc" => Ok(Stat {
                    kind: Kind::Dir,
                    size: 0,
                    mode: 0o555,
                    mtime: Time::ZERO,
                }),
                Err(e) => Err(e),
            };
        }
        self.with_fs(|fs, m, cwd, _| fs.stat(m, cwd, path))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn lstat(&self, path: &str) -> Result<Stat, Errno> {
        self.with_fs(|fs, m, cwd, _| fs.lstat(m, cwd, path))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn exists(&self, path: &str) -> bool {
        self.stat(path).is_ok()
    }

    pub fn list(&self, path: &str) -> Result<Vec<(String, Kind)>, Errno> {
        let abs = crate::fs::normalize(&self.cwd(), path);
        if abs == "/proc" {
            let k = self.k.borrow();
            let me = k.procs.get(&self.pid).ok_or(Errno::ENOENT)?;
            let mut pids: Vec<u32> = k
                .ns_procs(me.ns)
                .filter(|p| p.zombie.is_none())
                .map(|p| p.ns_pid)
                .collect();
            pids.sort_unstable();
            let mut out: Vec<(String, Kind)> = pids
                .into_iter()
                .map(|n| (n.to_string(), Kind::Dir))
                .collect();
            out.push(("self".into(), Kind::Symlink));
            out.push(("uptime".into(), Kind::File));
            return Ok(out);
        }
        self.with_fs(|fs, m, cwd, _| fs.list(m, cwd, path))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn mkdir(&self, path: &str, parents: bool) -> Result<(), Errno> {
        self.with_fs(|fs, m, cwd, now| fs.mkdir(m, cwd, path, parents, now))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn remove(&self, path: &str, recursive: bool) -> Result<(), Errno> {
        let r = self
            .with_fs(|fs, m, cwd, _| fs.remove(m, cwd, path, recursive))
            .unwrap_or(Err(Errno::ENOENT));
        self.k.borrow_mut().changed();
        r
    }

    pub fn rmdir(&self, path: &str) -> Result<(), Errno> {
        self.with_fs(|fs, m, cwd, _| fs.rmdir(m, cwd, path))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn rename(&self, from: &str, to: &str) -> Result<(), Errno> {
        self.with_fs(|fs, m, cwd, now| fs.rename(m, cwd, from, to, now))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn copy(&self, from: &str, to: &str) -> Result<(), Errno> {
        self.with_fs(|fs, m, cwd, now| fs.copy_across(m, cwd, from, to, now))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn touch(&self, path: &str) -> Result<(), Errno> {
        let r = self
            .with_fs(|fs, m, cwd, now| fs.touch(m, cwd, path, now))
            .unwrap_or(Err(Errno::ENOENT));
        self.k.borrow_mut().changed();
        r
    }

    pub fn symlink(&self, target: &str, link: &str) -> Result<(), Errno> {
        self.with_fs(|fs, m, cwd, now| fs.symlink(m, cwd, target, link, now))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn chmod(&self, path: &str, mode: u32) -> Result<(), Errno> {
        self.with_fs(|fs, m, cwd, _| fs.chmod(m, cwd, path, mode))
            .unwrap_or(Err(Errno::ENOENT))
    }

    pub fn read_link(&self, path: &str) -> Result<String, Errno> {
        self.with_fs(|fs, m, cwd, _| fs.read_link(m, cwd, path))
            .unwrap_or(Err(Errno::ENOENT))
    }

    // --- descriptors ------------------------------------------------------------------------

    fn lowest_free_fd(&self, min: i32) -> i32 {
        let k = self.k.borrow();
        let Some(p) = k.procs.get(&self.pid) else {
            return min;
        };
        let mut fd = min;
        while p.fds.contains_key(&fd) {
            fd += 1;
        }
        fd
    }

    fn attach(&self, open: Open, min_fd: i32) -> i32 {
        let fd = self.lowest_free_fd(min_fd);
        let mut k = self.k.borrow_mut();
        let id = k.open(open);
        k.install_fd(self.pid, fd, id);
        fd
    }

    /// `open(2)`: the lowest free descriptor.
    pub fn open(&self, path: &str, mode: OpenMode) -> Result<i32, Errno> {
        let abs = crate::fs::normalize(&self.cwd(), path);
        if abs == "/dev/null" {
            return Ok(self.attach(Open::Null, 0));
        }
        if matches!(
            abs.as_str(),
            "/dev/stdout" | "/dev/stderr" | "/proc/self/fd/1"
        ) {
            let fd = if abs == "/dev/stderr" { 2 } else { 1 };
            return self.dup(fd, 0);
        }
        let open = match mode {
            OpenMode::Read => {
                if self.stat(path)?.kind == Kind::Dir {
                    return Err(Errno::EISDIR);
                }
                Open::FileRead {
                    data: self.read_file(path)?.into(),
                    pos: 0,
                }
            }
            OpenMode::Truncate | OpenMode::Append => {
                let wmode = if mode == OpenMode::Truncate {
                    WriteMode::Truncate
                } else {
                    WriteMode::Append
                };
                self.write_file(path, b"", wmode)?;
                let container = {
                    let k = self.k.borrow();
                    k.procs.get(&self.pid).map(|p| p.container)
                }
                .ok_or(Errno::ENOENT)?;
                Open::FileWrite {
                    container,
                    path: abs,
                }
            }
        };
        Ok(self.attach(open, 0))
    }

    /// `pipe(2)`: (read end, write end).
    pub fn pipe(&self) -> (i32, i32) {
        let s = self.k.borrow_mut().new_stream();
        let r = self.attach(Open::PipeRead(s), 0);
        let w = self.attach(Open::PipeWrite(s), 0);
        (r, w)
    }

    /// `dup2(2)`.
    pub fn dup2(&self, from: i32, to: i32) -> Result<(), Errno> {
        if from == to {
            return self
                .k
                .borrow()
                .open_id(self.pid, from)
                .map(|_| ())
                .ok_or(Errno::EBADF);
        }
        let mut k = self.k.borrow_mut();
        let id = k.open_id(self.pid, from).ok_or(Errno::EBADF)?;
        k.install_fd(self.pid, to, id);
        Ok(())
    }

    /// `fcntl(F_DUPFD)`: a copy at the lowest free descriptor at or above `min`.
    pub fn dup(&self, fd: i32, min: i32) -> Result<i32, Errno> {
        let id = self.k.borrow().open_id(self.pid, fd).ok_or(Errno::EBADF)?;
        let to = self.lowest_free_fd(min);
        self.k.borrow_mut().install_fd(self.pid, to, id);
        Ok(to)
    }

    pub fn close(&self, fd: i32) -> Result<(), Errno> {
        if self.k.borrow_mut().close_fd(self.pid, fd) {
            Ok(())
        } else {
            Err(Errno::EBADF)
        }
    }

    pub fn is_open(&self, fd: i32) -> bool {
        self.k.borrow().open_id(self.pid, fd).is_some()
    }

    /// Writes all of `data` to `fd`, waiting while a pipe is full. Writing to a pipe or socket
    /// nobody reads raises SIGPIPE (which ends the process unless handled) and fails with EPIPE.
    pub async fn write(&self, fd: i32, data: &[u8]) -> Result<(), Errno> {
        self.burn(1).await;
        let mut rest = data;
        loop {
            let step = {
                let mut guard = self.k.borrow_mut();
                let k: &mut Kernel = &mut guard;
                let id = k.open_id(self.pid, fd).ok_or(Errno::EBADF)?;
                let open = k
                    .opens
                    .get(&id)
                    .map(|e| e.open.clone())
                    .ok_or(Errno::EBADF)?;
                match open {
                    Open::Null => return Ok(()),
                    Open::Log { container, stream } => {
                        k.log_write(container, stream, rest);
                        return Ok(());
                    }
                    Open::Capture { buffer } => {
                        let mut b = buffer.borrow_mut();
                        let room = (1usize << 20).saturating_sub(b.len());
                        b.extend_from_slice(&rest[..rest.len().min(room)]);
                        return Ok(());
                    }
                    Open::FileWrite { path, .. } => {
                        drop(guard);
                        return self.write_file(&path, rest, WriteMode::Append);
                    }
                    Open::FileRead { .. } | Open::PipeRead(_) | Open::Listener { .. } => {
                        return Err(Errno::EBADF)
                    }
                    Open::PipeWrite(s) | Open::Socket { tx: s, .. } => {
                        let stream = k.stream_mut(s);
                        if stream.readers == 0 {
                            drop(guard);
                            self.raise(Signal::Pipe);
                            return Err(Errno::EPIPE);
                        }
                        let room = PIPE_BUF_BYTES.saturating_sub(stream.buf.len());
                        let n = room.min(rest.len());
                        stream.buf.extend(&rest[..n]);
                        if n > 0 {
                            k.touch(Key::Stream(s));
                            k.changed();
                        }
                        (n, s)
                    }
                }
            };
            rest = &rest[step.0..];
            if rest.is_empty() {
                return Ok(());
            }
            // The pipe is full: wait for the reader.
            self.wait_for(Key::Stream(step.1), None).await;
        }
    }

    /// Writes a string (see [`Ctx::write`]); errors are ignored, as `printf` to a closed
    /// stdout does.
    pub async fn print(&self, fd: i32, text: &str) {
        let _ = self.write(fd, text.as_bytes()).await;
    }

    /// Reads up to `max` bytes, waiting for some; an empty result is the end of the file.
    /// A handled signal interrupts the wait (EINTR).
    pub async fn read(&self, fd: i32, max: usize) -> Result<Vec<u8>, Errno> {
        self.burn(1).await;
        loop {
            let stream = {
                let mut guard = self.k.borrow_mut();
                let k: &mut Kernel = &mut guard;
                let id = k.open_id(self.pid, fd).ok_or(Errno::EBADF)?;
                let entry: &mut OpenEntry = k.opens.get_mut(&id).ok_or(Errno::EBADF)?;
                match &mut entry.open {
                    Open::Null => return Ok(Vec::new()),
                    Open::FileRead { data, pos } => {
                        let end = (*pos + max).min(data.len());
                        let out = data[*pos..end].to_vec();
                        *pos = end;
                        return Ok(out);
                    }
                    Open::PipeRead(s) | Open::Socket { rx: s, .. } => {
                        let s = *s;
                        let stream = k.stream_mut(s);
                        if !stream.buf.is_empty() {
                            let n = max.min(stream.buf.len());
                            let out: Vec<u8> = stream.buf.drain(..n).collect();
                            k.touch(Key::Stream(s));
                            k.changed();
                            return Ok(out);
                        }
                        if stream.writers == 0 || stream.shut {
                            return Ok(Vec::new());
                        }
                        s
                    }
                    _ => return Err(Errno::EBADF),
                }
            };
            if self.has_signal() {
                return Err(Errno::EINTR);
            }
            self.wait_for(Key::Stream(stream), None).await;
        }
    }

    /// `shutdown(fd, SHUT_WR)`: the peer reads the end of the stream once it has read what was
    /// sent (an HTTP client does this after its request).
    pub fn shutdown_write(&self, fd: i32) -> Result<(), Errno> {
        let mut k = self.k.borrow_mut();
        match k.open_of(self.pid, fd).cloned() {
            Some(Open::Socket { tx, .. }) => {
                k.stream_mut(tx).shut = true;
                k.touch(Key::Stream(tx));
                k.changed();
                Ok(())
            }
            Some(_) => Err(Errno::EINVAL),
            None => Err(Errno::EBADF),
        }
    }

    /// Reads to the end of the file.
    pub async fn read_to_end(&self, fd: i32) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        loop {
            let chunk = self.read(fd, 64 * 1024).await?;
            if chunk.is_empty() {
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
        }
    }

    /// Reads one line (without its newline); None at the end of the file.
    pub async fn read_line(&self, fd: i32) -> Result<Option<String>, Errno> {
        let mut line = Vec::new();
        loop {
            let b = self.read(fd, 1).await?;
            match b.first() {
                None if line.is_empty() => return Ok(None),
                None => break,
                Some(b'\n') => break,
                Some(c) => line.push(*c),
            }
        }
        Ok(Some(String::from_utf8_lossy(&line).into_owned()))
    }

    // --- processes --------------------------------------------------------------------------

    /// `fork(2)`: a child running `make`'s program with a copy of this process's descriptors,
    /// environment and directory. Handlers are reset in the child (ignored signals stay
    /// ignored).
    pub fn fork(&self, make: impl FnOnce(Ctx) -> Task) -> Pid {
        let (container, argv, comm, env, cwd, fds, ignored) = {
            let k = self.k.borrow();
            let Some(p) = k.procs.get(&self.pid) else {
                return 0;
            };
            let ignored: Vec<Signal> = p
                .dispositions
                .iter()
                .filter(|(_, d)| **d == Disposition::Ignore)
                .map(|(s, _)| *s)
                .collect();
            (
                p.container,
                p.argv.clone(),
                p.comm.clone(),
                p.env.clone(),
                p.cwd.clone(),
                p.fds.clone(),
                ignored,
            )
        };
        let k2 = self.k.clone();
        let pid = self.k.borrow_mut().spawn(
            super::NewProcess {
                container,
                parent: self.pid,
                argv,
                env,
                cwd,
                fds,
            },
            make,
            &k2,
        );
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&pid) {
            p.comm = comm;
            for s in ignored {
                p.dispositions.insert(s, Disposition::Ignore);
            }
        }
        pid
    }

    /// Finds a program: a name with a slash is a path; otherwise each directory of `path_var`
    /// (`$PATH`) in turn. ENOENT when nothing executable has that name.
    pub fn find_program(&self, name: &str, path_var: &str) -> Result<String, Errno> {
        let k = self.k.borrow();
        let p = k.procs.get(&self.pid).ok_or(Errno::ENOENT)?;
        k.find_program(p.container, &p.cwd, name, path_var)
    }

    /// `execve(2)`, run in place: this process becomes the program at `path` (found with
    /// [`Ctx::find_program`]) and this call returns its exit code when it ends. Handlers are
    /// reset. Errors: ENOENT, EACCES, ENOEXEC (not a program podplay knows).
    pub async fn exec(
        &self,
        path: &str,
        argv: Vec<String>,
        env: Vec<(String, String)>,
    ) -> Result<i32, Errno> {
        let content = self.read_file(path)?;
        let (program, argv) = match crate::programs::identify(&content) {
            Some(name) => (
                crate::programs::lookup(&name, &argv).ok_or(Errno::ENOEXEC)?,
                argv,
            ),
            None => {
                // A script: `#!interpreter [arg]`, else the shell.
                let text = String::from_utf8_lossy(&content);
                let first = text.lines().next().unwrap_or("");
                let mut new_argv: Vec<String> = match first.strip_prefix("#!") {
                    Some(rest) => rest.split_whitespace().map(String::from).collect(),
                    None => vec!["/bin/sh".into()],
                };
                if new_argv.is_empty() {
                    return Err(Errno::ENOEXEC);
                }
                let interp = new_argv[0].clone();
                new_argv.push(path.to_string());
                new_argv.extend(argv.into_iter().skip(1));
                let content = self.read_file(&interp)?;
                let name = crate::programs::identify(&content).ok_or(Errno::ENOEXEC)?;
                (
                    crate::programs::lookup(&name, &new_argv).ok_or(Errno::ENOEXEC)?,
                    new_argv,
                )
            }
        };
        {
            let mut k = self.k.borrow_mut();
            if let Some(p) = k.procs.get_mut(&self.pid) {
                p.argv = argv.clone();
                p.comm = super::comm_of(path);
                p.env = env;
                p.dispositions.retain(|_, d| *d == Disposition::Ignore);
                p.pending.clear();
            }
            k.changed();
        }
        Ok(program(self.clone(), argv).await)
    }

    /// Waits for child `pid` (a kernel pid, from [`Ctx::fork`]) to end and reaps it. With
    /// `interruptible`, a handled signal ends the wait early (the `wait` builtin); otherwise
    /// signals wait until the child is done (a shell's foreground command).
    pub async fn wait(&self, pid: Pid, interruptible: bool) -> Result<WaitStatus, Interrupted> {
        loop {
            {
                let mut k = self.k.borrow_mut();
                match k.procs.get(&pid) {
                    None => return Ok(WaitStatus::Exited(127)),
                    Some(p) if p.ppid != self.pid => return Ok(WaitStatus::Exited(127)),
                    Some(p) => {
                        if let Some(status) = p.zombie {
                            k.remove_proc(pid);
                            return Ok(status);
                        }
                    }
                }
            }
            if interruptible && self.has_signal() {
                return Err(Interrupted);
            }
            // A child's end touches its parent's key.
            self.wait_for(Key::Proc(self.pid), None).await;
        }
    }

    /// The children not yet reaped, oldest first.
    pub fn children(&self) -> Vec<Pid> {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .map(|p| p.children.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Whether child `pid` has ended (without reaping it).
    pub fn has_ended(&self, pid: Pid) -> bool {
        self.k
            .borrow()
            .procs
            .get(&pid)
            .is_none_or(|p| p.zombie.is_some())
    }

    /// The number `pid` has in this process's PID namespace.
    pub fn ns_pid_of(&self, pid: Pid) -> Option<u32> {
        self.k.borrow().procs.get(&pid).map(|p| p.ns_pid)
    }

    /// `kill(2)` with a pid as this namespace numbers it. ESRCH when there is none.
    pub fn kill(&self, ns_pid: u32, sig: Option<Signal>) -> Result<(), Errno> {
        let target = {
            let k = self.k.borrow();
            let me = k.procs.get(&self.pid).ok_or(Errno::ESRCH)?;
            let found = k
                .ns_procs(me.ns)
                .find(|p| p.ns_pid == ns_pid && p.zombie.is_none())
                .map(|p| p.pid);
            found.ok_or(Errno::ESRCH)?
        };
        match sig {
            // `kill -0`: does it exist?
            None => Ok(()),
            Some(sig) => {
                self.k.borrow_mut().signal(target, sig);
                Ok(())
            }
        }
    }

    /// Sends `sig` to this process itself (`raise(3)`).
    pub fn raise(&self, sig: Signal) {
        self.k.borrow_mut().signal(self.pid, sig);
    }

    /// The processes of this PID namespace, by pid (what `ps` and `/proc` show).
    pub fn processes(&self) -> Vec<PsEntry> {
        let k = self.k.borrow();
        let Some(me) = k.procs.get(&self.pid) else {
            return Vec::new();
        };
        let mut out: Vec<PsEntry> = k
            .ns_procs(me.ns)
            .filter(|p| p.zombie.is_none())
            .map(|p| PsEntry {
                pid: p.ns_pid,
                ppid: k
                    .procs
                    .get(&p.ppid)
                    .filter(|q| q.ns == p.ns)
                    .map_or(0, |q| q.ns_pid),
                argv: p.argv.clone(),
                comm: p.comm.clone(),
                started: p.started,
                container: k
                    .containers
                    .get(&p.container)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
            })
            .collect();
        out.sort_by_key(|e| e.pid);
        out
    }

    // --- time, CPU and signals --------------------------------------------------------------

    /// Sleeps `ms` of virtual time. A handled signal ends the sleep early.
    pub async fn sleep(&self, ms: u64) -> Result<(), Interrupted> {
        let until = self.now().plus_millis(ms);
        loop {
            if self.has_signal() {
                return Err(Interrupted);
            }
            if self.now() >= until {
                return Ok(());
            }
            self.wait_for(Key::Proc(self.pid), Some(until)).await;
        }
    }

    /// Waits until anything at all changes in the kernel (or until `until`), for a program
    /// that waits on something the kernel cannot name. It costs a poll at every change on the
    /// node: the kernel's own calls wait on what they name ([`Ctx::wait_for`]).
    pub async fn wait_change(&self, until: Option<Time>) {
        self.wait_for(Key::Any, until).await
    }

    /// Waits until `key` changes, a handled signal arrives or a child ends (or until `until`):
    /// the building block of every blocking call.
    pub(super) async fn wait_for(&self, key: Key, until: Option<Time>) {
        let mut parked = false;
        poll_fn(|_| {
            if parked {
                return Poll::Ready(());
            }
            parked = true;
            let mut k = self.k.borrow_mut();
            let g = k.sched.generation;
            k.park(self.pid, Wake::Change(g, until), &[key]);
            Poll::Pending
        })
        .await
    }

    /// Spends `units` of CPU fuel; when this quantum's fuel is gone, the process waits for
    /// the next quantum of virtual time.
    pub async fn burn(&self, units: u32) {
        let dead = {
            let k = self.k.borrow();
            k.procs.get(&self.pid).is_none_or(|p| p.zombie.is_some())
        };
        if dead {
            // Killed while running (the OOM killer, its own `kill`): it never runs again; the
            // machine drops its future.
            return std::future::pending().await;
        }
        let exhausted = {
            let mut k = self.k.borrow_mut();
            let now = k.now;
            let Some(p) = k.procs.get_mut(&self.pid) else {
                return;
            };
            if p.fuel_at != now {
                p.fuel_at = now;
                p.fuel_left = FUEL_PER_QUANTUM;
            }
            p.fuel_left = p.fuel_left.saturating_sub(units);
            p.fuel_left == 0
        };
        if exhausted {
            let until = self.now().plus_millis(QUANTUM_MS);
            let mut parked = false;
            poll_fn(|_| {
                if parked {
                    return Poll::Ready(());
                }
                parked = true;
                self.k.borrow_mut().park(self.pid, Wake::At(until), &[]);
                Poll::Pending
            })
            .await
        }
    }

    /// Sets what this process does with `sig` (`trap`, `signal(2)`). SIGKILL cannot be caught.
    pub fn set_disposition(&self, sig: Signal, d: Disposition) {
        if sig == Signal::Kill || sig == Signal::Stop {
            return;
        }
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&self.pid) {
            p.dispositions.insert(sig, d);
            if d != Disposition::Handle {
                p.pending.remove(&sig);
            }
        }
    }

    pub fn disposition(&self, sig: Signal) -> Disposition {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .map_or(Disposition::Default, |p| p.disposition(sig))
    }

    /// Whether a handled signal is waiting.
    pub fn has_signal(&self) -> bool {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .is_some_and(|p| !p.pending.is_empty())
    }

    /// Takes the next handled signal that is waiting (lowest number first, as Linux delivers).
    pub fn take_signal(&self) -> Option<Signal> {
        let mut k = self.k.borrow_mut();
        let p = k.procs.get_mut(&self.pid)?;
        p.pending.pop_first()
    }

    /// Waits for a handled signal and takes it.
    pub async fn wait_signal(&self) -> Signal {
        loop {
            if let Some(s) = self.take_signal() {
                return s;
            }
            self.wait_for(Key::Proc(self.pid), None).await;
        }
    }

    // --- network ----------------------------------------------------------------------------

    /// The IP `host` resolves to from this pod: `localhost`, the pod's hostname and IP, and the
    /// IPs and hostnames of the node's pods.
    pub fn resolve(&self, host: &str) -> Option<String> {
        let k = self.k.borrow();
        if host == "localhost" || host.starts_with("127.") || host == "0.0.0.0" || host == "::1" {
            return Some("127.0.0.1".into());
        }
        if host.parse::<std::net::Ipv4Addr>().is_ok() {
            return Some(host.to_string());
        }
        let me = self.pod_of(&k);
        if me.is_some_and(|p| p.hostname == host || p.name == host) {
            return me.map(|p| p.ip.clone());
        }
        None
    }

    /// `bind(2)` + `listen(2)` on `port` of the pod's network namespace.
    pub fn listen(&self, port: u16) -> Result<i32, Errno> {
        let pod = {
            let k = self.k.borrow();
            let pod = self.pod_of(&k).ok_or(Errno::EINVAL)?;
            if pod.listeners.contains_key(&port) {
                return Err(Errno::EADDRINUSE);
            }
            pod.id
        };
        let fd = self.attach(Open::Listener { pod, port }, 3);
        let mut k = self.k.borrow_mut();
        let open = k.open_id(self.pid, fd).expect("just attached");
        if let Some(p) = k.pods.get_mut(&pod) {
            p.listeners.insert(
                port,
                super::Listener {
                    owner: self.pid,
                    open,
                    backlog: Default::default(),
                },
            );
        }
        k.touch(Key::Listener(pod, port));
        k.changed();
        Ok(fd)
    }

    /// `accept(2)`: waits for a connection. A handled signal interrupts the wait.
    pub async fn accept(&self, fd: i32) -> Result<i32, Errno> {
        loop {
            self.burn(1).await;
            let (listener, conn) = {
                let mut k = self.k.borrow_mut();
                let Some(Open::Listener { pod, port }) = k.open_of(self.pid, fd).cloned() else {
                    return Err(Errno::EBADF);
                };
                let conn = k
                    .pods
                    .get_mut(&pod)
                    .and_then(|p| p.listeners.get_mut(&port))
                    .and_then(|l| l.backlog.pop_front());
                if conn.is_some() {
                    k.touch(Key::Listener(pod, port));
                }
                (Key::Listener(pod, port), conn)
            };
            if let Some((rx, tx)) = conn {
                let fd = self.attach(Open::Socket { rx, tx }, 3);
                // The server's end is its own now: drop what the backlog held for it.
                let mut k = self.k.borrow_mut();
                k.stream_mut(rx).readers = k.stream_mut(rx).readers.saturating_sub(1);
                k.stream_mut(tx).writers = k.stream_mut(tx).writers.saturating_sub(1);
                k.touch(Key::Stream(rx));
                k.touch(Key::Stream(tx));
                return Ok(fd);
            }
            if self.has_signal() {
                return Err(Errno::EINTR);
            }
            self.wait_for(listener, None).await;
        }
    }

    /// `connect(2)` to `ip:port`: ECONNREFUSED when nothing listens there, EHOSTUNREACH for
    /// an address no pod has.
    pub async fn connect(&self, ip: &str, port: u16) -> Result<i32, Errno> {
        self.burn(1).await;
        let (rx, tx) = {
            let mut guard = self.k.borrow_mut();
            let k: &mut Kernel = &mut guard;
            let own = k
                .procs
                .get(&self.pid)
                .and_then(|p| k.containers.get(&p.container))
                .map(|c| c.pod);
            let target = if ip.starts_with("127.") {
                own
            } else {
                k.pod_by_ip(ip)
            };
            let target = target.ok_or(Errno::EHOSTUNREACH)?;
            if !k
                .pods
                .get(&target)
                .is_some_and(|p| p.listeners.contains_key(&port))
            {
                return Err(Errno::ECONNREFUSED);
            }
            let (up, down) = (k.new_stream(), k.new_stream());
            // The source address the server sees: loopback, this pod's IP, or, for the node's
            // probes, the pod network's gateway (the node's address on the bridge).
            let me = k
                .procs
                .get(&self.pid)
                .and_then(|p| k.containers.get(&p.container));
            let from = match me {
                _ if ip.starts_with("127.") => "127.0.0.1".to_string(),
                Some(c) if c.node => {
                    let ip = k
                        .pods
                        .get(&target)
                        .map(|p| p.ip.clone())
                        .unwrap_or_default();
                    match ip.rsplit_once('.') {
                        Some((net, _)) => format!("{net}.1"),
                        None => ip,
                    }
                }
                Some(c) => k.pods.get(&c.pod).map(|p| p.ip.clone()).unwrap_or_default(),
                None => String::new(),
            };
            k.peers.insert(up, from);
            if let Some(l) = k
                .pods
                .get_mut(&target)
                .and_then(|p| p.listeners.get_mut(&port))
            {
                l.backlog.push_back((up, down));
            }
            // Until the server accepts, the kernel holds its end open.
            k.stream_mut(up).readers += 1;
            k.stream_mut(down).writers += 1;
            // The listener may be in another pod: its key, not this process's, wakes it.
            k.touch(Key::Listener(target, port));
            k.touch(Key::Stream(up));
            k.touch(Key::Stream(down));
            k.changed();
            (down, up)
        };
        Ok(self.attach(Open::Socket { rx, tx }, 3))
    }

    /// The address the peer of a connected socket connected from, as `getpeername(2)` gives
    /// it to a server (for its access log).
    pub fn peer_addr(&self, fd: i32) -> Option<String> {
        let k = self.k.borrow();
        match k.open_of(self.pid, fd)? {
            Open::Socket { rx, .. } => k.peers.get(rx).cloned(),
            _ => None,
        }
    }

    // --- memory -----------------------------------------------------------------------------

    /// Allocates `bytes` (and touches them). Over the container's limit, the OOM killer ends
    /// the container: this returns false and the process will not run again.
    pub fn alloc(&self, bytes: u64) -> bool {
        let mut k = self.k.borrow_mut();
        let Some(c) = k.procs.get(&self.pid).map(|p| p.container) else {
            return false;
        };
        k.charge(c, Some(self.pid), bytes)
    }

    /// Like [`Ctx::alloc`], for bytes the program really keeps (a shell variable's value):
    /// past [`super::HELD_BYTES_MAX`] the container is OOM-killed whatever its limit.
    pub fn hold(&self, bytes: u64) -> bool {
        let over = {
            let mut k = self.k.borrow_mut();
            let Some(p) = k.procs.get_mut(&self.pid) else {
                return false;
            };
            p.held_bytes = p.held_bytes.saturating_add(bytes);
            p.held_bytes > super::HELD_BYTES_MAX
        };
        if over {
            let mut k = self.k.borrow_mut();
            if let Some(c) = k.procs.get(&self.pid).map(|p| p.container) {
                if let Some(ctr) = k.containers.get_mut(&c) {
                    ctr.oom_killed = true;
                }
                k.kill_container(c);
            }
            return false;
        }
        self.alloc(bytes)
    }

    /// Gives back what [`Ctx::hold`] took.
    pub fn unhold(&self, bytes: u64) {
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&self.pid) {
            p.held_bytes = p.held_bytes.saturating_sub(bytes);
        }
        self.free(bytes);
    }

    pub fn free(&self, bytes: u64) {
        if let Some(p) = self.k.borrow_mut().procs.get_mut(&self.pid) {
            p.mem_bytes = p.mem_bytes.saturating_sub(bytes);
        }
    }

    /// The log stream a descriptor writes to, if it is the container's stdout or stderr.
    pub fn log_stream(&self, fd: i32) -> Option<LogStream> {
        match self.k.borrow().open_of(self.pid, fd) {
            Some(Open::Log { stream, .. }) => Some(*stream),
            _ => None,
        }
    }

    /// For programs that must name the descriptor table (tests, `ls /proc/self/fd`).
    pub fn fds(&self) -> BTreeMap<i32, OpenId> {
        self.k
            .borrow()
            .procs
            .get(&self.pid)
            .map(|p| p.fds.clone())
            .unwrap_or_default()
    }

    /// A task that ends at once with `code` (for programs that fail before they start).
    pub fn done(code: i32) -> Task {
        Box::pin(async move { code })
    }
}
