//! The node's file systems, in memory: every file tree the node holds (an image's root, each
//! container's private copy of it, each pod volume, each pod's managed files such as
//! `/etc/hosts` and the termination log), and the operations a process in a container makes
//! on them through its mount table.
//!
//! A container sees trees through [`Mount`]s, like a Linux mount namespace: the mount with the
//! longest target covering a path wins, a `sub_path` mounts a directory (or a file) of a tree, a
//! read-only mount refuses writes with `EROFS`. Paths are resolved component by component as the
//! kernel's `link_path_walk` does ([`walk`]); each operation then applies the checks of its
//! system call in the kernel's order, so the errno a busybox applet prints is the one Linux
//! would give it. Start at [`Fs`].
//!
//! Inside a tree, nodes live in one `BTreeMap` keyed by absolute path ([`tree`]): a single-path
//! operation is a few map lookups, a directory listing is a range scan.
//!
//! Everything is bounded: a tree may carry a tmpfs-like byte limit, and the whole [`Fs`] holds at
//! most [`MAX_FS_BYTES`] (contents, names and per-node overhead), past which writes fail with
//! `ENOSPC`, so a runaway shell loop cannot exhaust the browser's memory.

mod tree;
mod walk;

use std::collections::BTreeMap;
use std::fmt;

use podplay_engine::time::Time;

use tree::{footprint_of, join, kind_of, Tree};
pub use walk::normalize;
use walk::{has_mount_below, is_mount_point, locate, parent_mount, strictly_under, Found, Walked};

/// The most a whole [`Fs`] holds, counting contents, names and a per-node overhead.
pub const MAX_FS_BYTES: u64 = 256 << 20;

/// The mode of a file created by a write or `touch` (0666 under the usual umask 022).
const NEW_FILE_MODE: u32 = 0o644;
/// The mode of a directory created by `mkdir` (0777 under umask 022).
const NEW_DIR_MODE: u32 = 0o755;
/// `st_size` of a directory, as ext4 and overlayfs report it.
const DIR_SIZE: u64 = 4096;

/// One file tree of the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TreeId(pub u32);

/// A node of a tree. Modes are permission bits only (`0o7777`); the kind is the variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir {
        mode: u32,
        mtime: Time,
    },
    File {
        data: Vec<u8>,
        mode: u32,
        mtime: Time,
    },
    Symlink {
        target: String,
    },
}

/// One entry of a container's mount table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Where the container sees it: absolute, normalized, `/` for the root.
    pub target: String,
    pub tree: TreeId,
    /// `""` for the whole tree, or `/dir` (or `/file`) inside it, as a `subPath` mounts.
    pub sub_path: String,
    pub read_only: bool,
}

impl Mount {
    /// A whole tree as a container's writable root.
    pub fn root(tree: TreeId) -> Mount {
        Mount {
            target: "/".into(),
            tree,
            sub_path: String::new(),
            read_only: false,
        }
    }
}

/// The errors of the file system calls, by their C names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Errno {
    ENOENT,
    EEXIST,
    ENOTDIR,
    EISDIR,
    EROFS,
    ENOTEMPTY,
    EACCES,
    EPERM,
    EXDEV,
    EINVAL,
    ENOSPC,
    ELOOP,
    ENAMETOOLONG,
    EBUSY,
    // Beyond the file system: what the kernel's other calls fail with.
    EBADF,
    EPIPE,
    EINTR,
    ESRCH,
    ENOEXEC,
    ECONNREFUSED,
    EADDRINUSE,
    EHOSTUNREACH,
    ETIMEDOUT,
    ENOMEM,
}

impl Errno {
    /// `strerror(errno)` as glibc words it (string/_strerror.c, sysdeps/gnu/errlist.h), the
    /// text busybox's `bb_perror_msg` appends after `: `.
    pub fn message(self) -> &'static str {
        match self {
            Errno::ENOENT => "No such file or directory",
            Errno::EEXIST => "File exists",
            Errno::ENOTDIR => "Not a directory",
            Errno::EISDIR => "Is a directory",
            Errno::EROFS => "Read-only file system",
            Errno::ENOTEMPTY => "Directory not empty",
            Errno::EACCES => "Permission denied",
            Errno::EPERM => "Operation not permitted",
            Errno::EXDEV => "Invalid cross-device link",
            Errno::EINVAL => "Invalid argument",
            Errno::ENOSPC => "No space left on device",
            Errno::ELOOP => "Too many levels of symbolic links",
            Errno::ENAMETOOLONG => "File name too long",
            Errno::EBUSY => "Device or resource busy",
            Errno::EBADF => "Bad file descriptor",
            Errno::EPIPE => "Broken pipe",
            Errno::EINTR => "Interrupted system call",
            Errno::ESRCH => "No such process",
            Errno::ENOEXEC => "Exec format error",
            Errno::ECONNREFUSED => "Connection refused",
            Errno::EADDRINUSE => "Address already in use",
            Errno::EHOSTUNREACH => "No route to host",
            Errno::ETIMEDOUT => "Connection timed out",
            Errno::ENOMEM => "Cannot allocate memory",
        }
    }

    /// The errno number on Linux (include/uapi/asm-generic/errno-base.h, errno.h).
    pub fn code(self) -> i32 {
        match self {
            Errno::EPERM => 1,
            Errno::ENOENT => 2,
            Errno::EACCES => 13,
            Errno::EBUSY => 16,
            Errno::EEXIST => 17,
            Errno::EXDEV => 18,
            Errno::ENOTDIR => 20,
            Errno::EISDIR => 21,
            Errno::EINVAL => 22,
            Errno::ENOSPC => 28,
            Errno::EROFS => 30,
            Errno::ENAMETOOLONG => 36,
            Errno::ENOTEMPTY => 39,
            Errno::ELOOP => 40,
            Errno::ESRCH => 3,
            Errno::EINTR => 4,
            Errno::ENOEXEC => 8,
            Errno::EBADF => 9,
            Errno::ENOMEM => 12,
            Errno::EPIPE => 32,
            Errno::EADDRINUSE => 98,
            Errno::ETIMEDOUT => 110,
            Errno::ECONNREFUSED => 111,
            Errno::EHOSTUNREACH => 113,
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Errno {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
    Symlink,
}

/// What `stat(2)` tells: the kind, `st_size` (contents for a file, the target's length for a
/// symlink, 4096 for a directory), the permission bits and the mtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    pub kind: Kind,
    pub size: u64,
    pub mode: u32,
    pub mtime: Time,
}

/// How a write opens its file: `O_TRUNC`, `O_APPEND`, or `O_EXCL` (which fails on anything
/// already there, symlinks included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    Truncate,
    Append,
    CreateNew,
}

/// Every file tree of the node, and the operations on them through a mount table.
///
/// Paths given to the operations are resolved against `cwd` (absolute, already resolved, as the
/// kernel keeps a process's working directory) through `mounts`; mount targets must be
/// normalized. No operation panics on any path.
#[derive(Default, Clone, Debug)]
pub struct Fs {
    trees: BTreeMap<TreeId, Tree>,
    next_id: u32,
    /// The bound on the whole file system; `None` is [`MAX_FS_BYTES`].
    total_limit: Option<u64>,
    /// The sum of every tree's footprint, kept as trees change ([`Fs::tree_mut`]) so that a
    /// write checks the bound without a pass over every tree of the node.
    footprint: u64,
}

/// A tree borrowed for a change: when the borrow ends, the file system's total footprint
/// follows the tree's.
struct TreeMut<'a> {
    tree: &'a mut Tree,
    total: &'a mut u64,
    before: u64,
}

impl std::ops::Deref for TreeMut<'_> {
    type Target = Tree;
    fn deref(&self) -> &Tree {
        self.tree
    }
}

impl std::ops::DerefMut for TreeMut<'_> {
    fn deref_mut(&mut self) -> &mut Tree {
        self.tree
    }
}

impl Drop for TreeMut<'_> {
    fn drop(&mut self) {
        *self.total = (*self.total - self.before) + self.tree.footprint;
    }
}

impl Fs {
    pub fn new() -> Fs {
        Fs::default()
    }

    /// A file system bounded at `bytes` instead of [`MAX_FS_BYTES`].
    pub fn with_total_limit(bytes: u64) -> Fs {
        Fs {
            total_limit: Some(bytes),
            ..Fs::default()
        }
    }

    /// A new empty tree (just `/`), with an optional limit on the bytes its files hold. A tmpfs
    /// (`/dev/shm`, 64 MiB by default) refuses writes past its limit with `ENOSPC`; an emptyDir's
    /// `sizeLimit` is not such a limit (the kubelet evicts the pod instead), so it gets `None`.
    pub fn new_tree(&mut self, limit_bytes: Option<u64>) -> TreeId {
        let id = self.alloc_id();
        let tree = Tree::new(limit_bytes);
        self.footprint += tree.footprint;
        self.trees.insert(id, tree);
        id
    }

    /// Tree `id`, to change it (see [`TreeMut`]).
    fn tree_mut(&mut self, id: TreeId) -> Option<TreeMut<'_>> {
        let tree = self.trees.get_mut(&id)?;
        let before = tree.footprint;
        Some(TreeMut {
            tree,
            total: &mut self.footprint,
            before,
        })
    }

    /// A copy of a tree (a container's private copy of its image's root), independent from then
    /// on. Copying an unknown tree gives an empty one.
    pub fn copy_tree(&mut self, from: TreeId) -> TreeId {
        let copy = self
            .trees
            .get(&from)
            .cloned()
            .unwrap_or_else(|| Tree::new(None));
        let id = self.alloc_id();
        self.footprint += copy.footprint;
        self.trees.insert(id, copy);
        id
    }

    pub fn remove_tree(&mut self, id: TreeId) {
        if let Some(tree) = self.trees.remove(&id) {
            self.footprint -= tree.footprint;
        }
    }

    /// Whether a tree exists.
    pub fn has_tree(&self, id: TreeId) -> bool {
        self.trees.contains_key(&id)
    }

    /// Bytes held by the files of a tree (memory accounting of a tmpfs or a Memory emptyDir).
    pub fn tree_bytes(&self, id: TreeId) -> u64 {
        self.trees.get(&id).map_or(0, |t| t.bytes)
    }

    /// Everything the file system holds, as checked against its bound.
    pub fn total_bytes(&self) -> u64 {
        self.footprint
    }

    /// The node at `path` inside a tree, bypassing mounts and symlinks (the kubelet reading a
    /// container's termination log, a test looking inside a volume).
    pub fn get(&self, tree: TreeId, path: &str) -> Option<&Node> {
        self.trees
            .get(&tree)?
            .nodes
            .get(normalize("/", path).as_str())
    }

    /// Writes a file straight into a tree, bypassing mounts, read-only flags and limits (for
    /// building images, managed files, volume contents); creates the parent directories and
    /// replaces whatever was at `path`.
    pub fn put(&mut self, tree: TreeId, path: &str, data: &[u8], mode: u32, now: Time) {
        self.put_node(
            tree,
            path,
            Node::File {
                data: data.to_vec(),
                mode: mode & 0o7777,
                mtime: now,
            },
            now,
        );
    }

    /// Creates a directory (and its parents) straight in a tree; an existing one is kept.
    pub fn put_dir(&mut self, tree: TreeId, path: &str, now: Time) {
        let path = normalize("/", path);
        if let Some(Node::Dir { .. }) = self.get(tree, &path) {
            return;
        }
        self.put_node(
            tree,
            &path,
            Node::Dir {
                mode: NEW_DIR_MODE,
                mtime: now,
            },
            now,
        );
    }

    /// Creates a symlink straight in a tree, with its parents.
    pub fn put_symlink(&mut self, tree: TreeId, path: &str, target: &str) {
        self.put_node(
            tree,
            path,
            Node::Symlink {
                target: target.to_string(),
            },
            Time::ZERO,
        );
    }

    fn put_node(&mut self, tree: TreeId, path: &str, node: Node, now: Time) {
        let path = normalize("/", path);
        let Some(mut t) = self.tree_mut(tree) else {
            return;
        };
        if path == "/" {
            // The root stays a directory.
            return;
        }
        t.ensure_parents(&path, now);
        t.insert(path, node);
    }

    // ----- Operations through a mount table -----

    /// `read(2)` of a whole file, following symlinks. `EISDIR` for a directory.
    pub fn read(&self, mounts: &[Mount], cwd: &str, path: &str) -> Result<&[u8], Errno> {
        let w = self.walk(mounts, cwd, path, true)?;
        match self.node(w.tree, &w.path) {
            Some(Node::File { data, .. }) => Ok(data),
            Some(Node::Dir { .. }) => Err(Errno::EISDIR),
            Some(Node::Symlink { .. }) => Err(Errno::ELOOP),
            None if w.found == Found::Virtual => Err(Errno::EISDIR),
            None => Err(Errno::ENOENT),
        }
    }

    /// `open(2)` with `O_WRONLY|O_CREAT` and `O_TRUNC`, `O_APPEND` or `O_EXCL`, then `write(2)`
    /// of `data`. Checks in `do_open`'s order: `EEXIST` (O_EXCL), `EISDIR`, `EROFS`. A new file
    /// gets mode 0644 in an existing directory (`ENOENT` otherwise). Past a limit, what fits is
    /// written and the call fails with `ENOSPC`, as a short write followed by a failing one.
    pub fn write(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
        data: &[u8],
        mode: WriteMode,
        now: Time,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, path, mode != WriteMode::CreateNew)?;
        match w.found {
            Found::Missing => {
                if w.must_dir {
                    return Err(Errno::EISDIR);
                }
                if w.read_only {
                    return Err(Errno::EROFS);
                }
                self.create(
                    w.tree,
                    &w.path,
                    Node::File {
                        data: Vec::new(),
                        mode: NEW_FILE_MODE,
                        mtime: now,
                    },
                    now,
                )?;
                self.write_data(w.tree, &w.path, data, WriteMode::Append, now)
            }
            _ if mode == WriteMode::CreateNew => Err(Errno::EEXIST),
            Found::Virtual | Found::Node(Kind::Dir) => Err(Errno::EISDIR),
            Found::Node(Kind::Symlink) => Err(Errno::ELOOP),
            Found::Node(Kind::File) => {
                if w.read_only {
                    return Err(Errno::EROFS);
                }
                self.write_data(w.tree, &w.path, data, mode, now)
            }
        }
    }

    /// `stat(2)`: follows symlinks.
    pub fn stat(&self, mounts: &[Mount], cwd: &str, path: &str) -> Result<Stat, Errno> {
        let w = self.walk(mounts, cwd, path, true)?;
        self.stat_of(&w)
    }

    /// `lstat(2)`: a symlink at the end is described, not followed.
    pub fn lstat(&self, mounts: &[Mount], cwd: &str, path: &str) -> Result<Stat, Errno> {
        let w = self.walk(mounts, cwd, path, false)?;
        self.stat_of(&w)
    }

    /// `readlink(2)`: `EINVAL` when the path is not a symlink.
    pub fn read_link(&self, mounts: &[Mount], cwd: &str, path: &str) -> Result<String, Errno> {
        let w = self.walk(mounts, cwd, path, false)?;
        match self.node(w.tree, &w.path) {
            Some(Node::Symlink { target }) => Ok(target.clone()),
            Some(_) => Err(Errno::EINVAL),
            None if w.found == Found::Virtual => Err(Errno::EINVAL),
            None => Err(Errno::ENOENT),
        }
    }

    /// `getdents(2)` of a directory, following symlinks: names sorted bytewise, without `.` and
    /// `..`. Mount points show up in their parent directory with the kind of what is mounted,
    /// whether or not the tree below has an entry there.
    pub fn list(
        &self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
    ) -> Result<Vec<(String, Kind)>, Errno> {
        let w = self.walk(mounts, cwd, path, true)?;
        match w.found {
            Found::Missing => return Err(Errno::ENOENT),
            Found::Node(Kind::File) | Found::Node(Kind::Symlink) => return Err(Errno::ENOTDIR),
            Found::Virtual | Found::Node(Kind::Dir) => {}
        }
        let children: Vec<(String, Kind)> = match self.trees.get(&w.tree) {
            Some(t) => t
                .children(&w.path)
                .into_iter()
                .map(|(name, node)| (name.to_string(), kind_of(node)))
                .collect(),
            None => Vec::new(),
        };
        if !has_mount_below(mounts, &w.view) {
            return Ok(children);
        }
        let mut entries: BTreeMap<String, Kind> = children.into_iter().collect();
        for m in mounts {
            if !strictly_under(&w.view, &m.target) {
                continue;
            }
            let rest = m.target[w.view.len()..].trim_start_matches('/');
            match rest.split_once('/') {
                // A mount point deeper down: its first directory is (or will be, for runc) here.
                Some((first, _)) => {
                    entries.entry(first.to_string()).or_insert(Kind::Dir);
                }
                None => {
                    let root = locate(std::slice::from_ref(m), &m.target).map(|(_, p)| p);
                    let kind = root
                        .and_then(|p| self.node(m.tree, &p))
                        .map_or(Kind::Dir, kind_of);
                    entries.insert(rest.to_string(), kind);
                }
            }
        }
        Ok(entries.into_iter().collect())
    }

    /// `mkdir(2)` (mode 0755), or with `parents` busybox's `mkdir -p` (`bb_make_directory`):
    /// each prefix of the path as written is created, an existing directory is fine, anything
    /// else existing fails with `EEXIST`. Checks in `filename_create`'s order: `EEXIST`, `EROFS`.
    pub fn mkdir(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
        parents: bool,
        now: Time,
    ) -> Result<(), Errno> {
        if !parents {
            return self.mkdir_one(mounts, cwd, path, now);
        }
        let trimmed = path.trim_end_matches('/');
        let mut ends: Vec<usize> = trimmed
            .match_indices('/')
            .map(|(i, _)| i)
            .filter(|&i| i > 0 && trimmed.as_bytes()[i - 1] != b'/')
            .collect();
        ends.push(trimmed.len());
        for end in ends {
            let prefix = &trimmed[..end];
            if prefix.is_empty() {
                continue;
            }
            match self.mkdir_one(mounts, cwd, prefix, now) {
                Ok(()) => {}
                Err(Errno::EEXIST)
                    if self
                        .stat(mounts, cwd, prefix)
                        .is_ok_and(|s| s.kind == Kind::Dir) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// busybox `rm` on one operand: `lstat`, then `EISDIR` for a directory without `recursive`
    /// (rm prints "is a directory"), else `unlink(2)`; with `recursive` the contents go first,
    /// then `rmdir(2)`. Walking into mount points removes their contents and then fails on the
    /// mount point with `EBUSY`, as `rm -rf` does on Linux; the first error is returned.
    pub fn remove(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
        recursive: bool,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, path, false)?;
        if matches!(last_component(path), "." | "..") {
            return Err(Errno::EINVAL);
        }
        match w.found {
            Found::Missing => Err(Errno::ENOENT),
            Found::Node(Kind::File) | Found::Node(Kind::Symlink) => self.unlink(mounts, &w),
            Found::Virtual | Found::Node(Kind::Dir) if !recursive => Err(Errno::EISDIR),
            Found::Virtual | Found::Node(Kind::Dir) => self.remove_dir_all(mounts, w),
        }
    }

    /// `rmdir(2)`, in `do_rmdir`'s order: `EINVAL` for `.`, `ENOTEMPTY` for `..`, `EBUSY` for
    /// the root, `EROFS`, `ENOENT`, `ENOTDIR`, `EBUSY` for a mount point, `ENOTEMPTY`.
    pub fn rmdir(&mut self, mounts: &[Mount], cwd: &str, path: &str) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, path, false)?;
        match last_component(path) {
            "." => return Err(Errno::EINVAL),
            ".." => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        self.rmdir_walked(mounts, &w)
    }

    /// `rename(2)`, in `do_renameat2`'s order: `EXDEV` when the two parent directories are on
    /// different mounts (even of the same tree), `EBUSY` for `.`/`..`/`/`, `EROFS`, `ENOENT`,
    /// `EINVAL` for a directory into itself, then `vfs_rename`'s `EISDIR`/`ENOTDIR`/`ENOTEMPTY`
    /// and `EBUSY` for mount points. A directory moves with its contents; an existing file or
    /// empty directory at `to` is replaced.
    pub fn rename(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        from: &str,
        to: &str,
        now: Time,
    ) -> Result<(), Errno> {
        let src = self.walk(mounts, cwd, from, false)?;
        let dst = self.walk(mounts, cwd, to, false)?;
        if parent_mount(mounts, &src.view) != parent_mount(mounts, &dst.view) {
            return Err(Errno::EXDEV);
        }
        if matches!(last_component(from), "." | "..")
            || matches!(last_component(to), "." | "..")
            || src.view == "/"
            || dst.view == "/"
        {
            return Err(Errno::EBUSY);
        }
        if self.parent_read_only(mounts, &src.view) {
            return Err(Errno::EROFS);
        }
        if src.found == Found::Missing {
            return Err(Errno::ENOENT);
        }
        let src_dir = src.is_dir();
        if !src_dir && dst.must_dir {
            return Err(Errno::ENOTDIR);
        }
        if src_dir && strictly_under(&src.view, &dst.view) {
            return Err(Errno::EINVAL);
        }
        if strictly_under(&dst.view, &src.view) {
            return Err(Errno::ENOTEMPTY);
        }
        if src.view == dst.view {
            return Ok(());
        }
        match dst.found {
            Found::Missing => {}
            Found::Virtual => return Err(Errno::EBUSY),
            Found::Node(Kind::Dir) => {
                if !src_dir {
                    return Err(Errno::EISDIR);
                }
            }
            Found::Node(_) => {
                if src_dir {
                    return Err(Errno::ENOTDIR);
                }
            }
        }
        if is_mount_point(mounts, &src.view)
            || is_mount_point(mounts, &dst.view)
            || src.found == Found::Virtual
            || has_mount_below(mounts, &src.view)
        {
            return Err(Errno::EBUSY);
        }
        if dst.found == Found::Node(Kind::Dir) && self.dir_has_entries(mounts, &dst) {
            return Err(Errno::ENOTEMPTY);
        }
        if src.tree != dst.tree {
            return Err(Errno::EXDEV);
        }
        let Some(mut t) = self.tree_mut(src.tree) else {
            return Err(Errno::ENOENT);
        };
        if dst.found != Found::Missing {
            t.remove(&dst.path);
        }
        let moved = t.descendants(&src.path);
        let Some(node) = t.remove(&src.path) else {
            return Err(Errno::ENOENT);
        };
        t.ensure_parents(&dst.path, now);
        t.insert(dst.path.clone(), node);
        for key in moved {
            if let Some(node) = t.remove(&key) {
                t.insert(format!("{}{}", dst.path, &key[src.path.len()..]), node);
            }
        }
        t.touch_parent(&src.path, now);
        t.touch_parent(&dst.path, now);
        Ok(())
    }

    /// A recursive copy of `from` (not followed if a symlink; symlinks inside are copied as
    /// links) to exactly `to`: what busybox `mv` does after `EXDEV` and `cp -r` does, with
    /// modes kept and mtimes set to `now`. An existing directory at `to` receives the contents;
    /// a directory onto a non-directory is `ENOTDIR`, a file onto a directory `EISDIR`, a
    /// directory into itself `EINVAL`.
    pub fn copy_across(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        from: &str,
        to: &str,
        now: Time,
    ) -> Result<(), Errno> {
        self.copy(mounts, cwd, from, to, CopyTimes::Now(now))
    }

    /// [`Fs::copy_across`] keeping the source's mtimes, as `mv` (and `cp -p`) do.
    pub fn copy_preserving(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        from: &str,
        to: &str,
        now: Time,
    ) -> Result<(), Errno> {
        self.copy(mounts, cwd, from, to, CopyTimes::Preserve(now))
    }

    /// `symlink(2)`: `link` is not followed; `EEXIST` if anything is there, then `EROFS`; an
    /// empty target is `ENOENT`. The target is stored as written.
    pub fn symlink(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        target: &str,
        link: &str,
        now: Time,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, link, false)?;
        if w.found != Found::Missing {
            return Err(Errno::EEXIST);
        }
        if w.must_dir {
            return Err(Errno::ENOENT);
        }
        if w.read_only {
            return Err(Errno::EROFS);
        }
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        self.create(
            w.tree,
            &w.path,
            Node::Symlink {
                target: target.to_string(),
            },
            now,
        )
    }

    /// `chmod(2)`: follows symlinks; keeps the permission bits of `mode`.
    pub fn chmod(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
        mode: u32,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, path, true)?;
        if w.found == Found::Missing {
            return Err(Errno::ENOENT);
        }
        if w.read_only {
            return Err(Errno::EROFS);
        }
        self.materialize(&w, Time::ZERO);
        match self
            .trees
            .get_mut(&w.tree)
            .and_then(|t| t.nodes_mut().get_mut(&w.path))
        {
            Some(Node::Dir { mode: m, .. }) | Some(Node::File { mode: m, .. }) => {
                *m = mode & 0o7777;
                Ok(())
            }
            _ => Err(Errno::ENOENT),
        }
    }

    /// busybox `touch`: `open(O_CREAT)` (a new empty file, mode 0644), then `utimes` to `now`.
    pub fn touch(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
        now: Time,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, path, true)?;
        match w.found {
            Found::Missing => {
                if w.must_dir {
                    return Err(Errno::EISDIR);
                }
                if w.read_only {
                    return Err(Errno::EROFS);
                }
                self.create(
                    w.tree,
                    &w.path,
                    Node::File {
                        data: Vec::new(),
                        mode: NEW_FILE_MODE,
                        mtime: now,
                    },
                    now,
                )
            }
            _ => {
                if w.read_only {
                    return Err(Errno::EROFS);
                }
                self.materialize(&w, now);
                match self
                    .trees
                    .get_mut(&w.tree)
                    .and_then(|t| t.nodes_mut().get_mut(&w.path))
                {
                    Some(Node::Dir { mtime, .. }) | Some(Node::File { mtime, .. }) => {
                        *mtime = now;
                        Ok(())
                    }
                    _ => Err(Errno::ENOENT),
                }
            }
        }
    }

    /// Where a path lands: `(tree, path inside the tree, read_only)`, after mounts and symlinks
    /// (the last one too). The last component need not exist; its directory must.
    pub fn resolve(
        &self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
    ) -> Result<(TreeId, String, bool), Errno> {
        let w = self.walk(mounts, cwd, path, true)?;
        Ok((w.tree, w.path, w.read_only))
    }

    // ----- Internals -----

    fn alloc_id(&mut self) -> TreeId {
        // Skip ids in use, so a wrapped counter never hands out a live tree.
        while self.trees.contains_key(&TreeId(self.next_id)) {
            self.next_id = self.next_id.wrapping_add(1);
        }
        let id = TreeId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1);
        id
    }

    fn walk<'a>(
        &'a self,
        mounts: &[Mount],
        cwd: &str,
        path: &'a str,
        follow_last: bool,
    ) -> Result<Walked, Errno> {
        walk::walk(self, mounts, cwd, path, follow_last)
    }

    fn node(&self, tree: TreeId, path: &str) -> Option<&Node> {
        self.trees.get(&tree)?.nodes.get(path)
    }

    fn total_limit(&self) -> u64 {
        self.total_limit.unwrap_or(MAX_FS_BYTES)
    }

    fn stat_of(&self, w: &Walked) -> Result<Stat, Errno> {
        match self.node(w.tree, &w.path) {
            Some(Node::Dir { mode, mtime }) => Ok(Stat {
                kind: Kind::Dir,
                size: DIR_SIZE,
                mode: *mode,
                mtime: *mtime,
            }),
            Some(Node::File { data, mode, mtime }) => Ok(Stat {
                kind: Kind::File,
                size: data.len() as u64,
                mode: *mode,
                mtime: *mtime,
            }),
            Some(Node::Symlink { target }) => Ok(Stat {
                kind: Kind::Symlink,
                size: target.len() as u64,
                mode: 0o777,
                mtime: Time::ZERO,
            }),
            None if w.found == Found::Virtual => Ok(Stat {
                kind: Kind::Dir,
                size: DIR_SIZE,
                mode: NEW_DIR_MODE,
                mtime: Time::ZERO,
            }),
            None => Err(Errno::ENOENT),
        }
    }

    /// Whether the directory holding `view` is on a read-only mount.
    fn parent_read_only(&self, mounts: &[Mount], view: &str) -> bool {
        parent_mount(mounts, view).is_some_and(|i| mounts[i].read_only)
    }

    /// Whether a directory has entries, its own or mount points.
    fn dir_has_entries(&self, mounts: &[Mount], w: &Walked) -> bool {
        has_mount_below(mounts, &w.view)
            || self
                .trees
                .get(&w.tree)
                .is_some_and(|t| t.has_children(&w.path))
    }

    /// Gives a directory that exists only because mount points lie below it a node of its own.
    fn materialize(&mut self, w: &Walked, now: Time) {
        if w.found != Found::Virtual {
            return;
        }
        if let Some(mut t) = self.tree_mut(w.tree) {
            t.ensure_parents(&w.path, now);
            t.insert(
                w.path.clone(),
                Node::Dir {
                    mode: NEW_DIR_MODE,
                    mtime: now,
                },
            );
        }
    }

    /// Adds a new node where a walk found nothing, if the file system has room for it.
    fn create(&mut self, tree: TreeId, path: &str, node: Node, now: Time) -> Result<(), Errno> {
        let cost = footprint_of(path, &node);
        if self.total_bytes().saturating_add(cost) > self.total_limit() {
            return Err(Errno::ENOSPC);
        }
        let mut t = self.tree_mut(tree).ok_or(Errno::ENOENT)?;
        if let Node::File { data, .. } = &node {
            if t.limit_bytes
                .is_some_and(|l| t.bytes.saturating_add(data.len() as u64) > l)
            {
                return Err(Errno::ENOSPC);
            }
        }
        // The parent exists in the mount namespace; in the tree it may be a mount point's
        // parent runc would have created.
        t.ensure_parents(path, now);
        t.insert(path.to_string(), node);
        t.touch_parent(path, now);
        Ok(())
    }

    /// Writes `data` into an existing file, up to what the tree's limit and the file system's
    /// bound leave room for; `ENOSPC` if not all of it fitted.
    fn write_data(
        &mut self,
        tree: TreeId,
        path: &str,
        data: &[u8],
        mode: WriteMode,
        now: Time,
    ) -> Result<(), Errno> {
        let total = self.total_bytes();
        let total_limit = self.total_limit();
        let mut t = self.tree_mut(tree).ok_or(Errno::ENOENT)?;
        let old_len = match t.nodes.get(path) {
            Some(Node::File { data, .. }) => data.len() as u64,
            _ => return Err(Errno::ENOENT),
        };
        let freed = if mode == WriteMode::Truncate {
            old_len
        } else {
            0
        };
        let tree_room = t
            .limit_bytes
            .map_or(u64::MAX, |l| l.saturating_sub(t.bytes - freed));
        let total_room = total_limit.saturating_sub(total - freed);
        let room = tree_room.min(total_room);
        let take = (data.len() as u64).min(room) as usize;
        t.update_file(path, |contents, mtime| {
            if mode == WriteMode::Truncate {
                contents.clear();
            }
            contents.extend_from_slice(&data[..take]);
            *mtime = now;
        });
        if take < data.len() {
            Err(Errno::ENOSPC)
        } else {
            Ok(())
        }
    }

    fn mkdir_one(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        path: &str,
        now: Time,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, cwd, path, false)?;
        if w.found != Found::Missing {
            return Err(Errno::EEXIST);
        }
        if w.read_only {
            return Err(Errno::EROFS);
        }
        self.create(
            w.tree,
            &w.path,
            Node::Dir {
                mode: NEW_DIR_MODE,
                mtime: now,
            },
            now,
        )
    }

    /// `unlink(2)` of a walked file or symlink.
    fn unlink(&mut self, mounts: &[Mount], w: &Walked) -> Result<(), Errno> {
        if self.parent_read_only(mounts, &w.view) {
            return Err(Errno::EROFS);
        }
        if is_mount_point(mounts, &w.view) {
            return Err(Errno::EBUSY);
        }
        let mut t = self.tree_mut(w.tree).ok_or(Errno::ENOENT)?;
        t.remove(&w.path).map(|_| ()).ok_or(Errno::ENOENT)
    }

    fn rmdir_walked(&mut self, mounts: &[Mount], w: &Walked) -> Result<(), Errno> {
        if w.view == "/" {
            return Err(Errno::EBUSY);
        }
        if self.parent_read_only(mounts, &w.view) {
            return Err(Errno::EROFS);
        }
        match w.found {
            Found::Missing => return Err(Errno::ENOENT),
            Found::Node(Kind::File) | Found::Node(Kind::Symlink) => return Err(Errno::ENOTDIR),
            Found::Virtual | Found::Node(Kind::Dir) => {}
        }
        if is_mount_point(mounts, &w.view) {
            return Err(Errno::EBUSY);
        }
        if self.dir_has_entries(mounts, w) {
            return Err(Errno::ENOTEMPTY);
        }
        let mut t = self.tree_mut(w.tree).ok_or(Errno::ENOENT)?;
        t.remove(&w.path);
        Ok(())
    }

    /// `rm -r` of a walked directory. Within one mount, the subtree is one range removed at
    /// once; across mount points, entry by entry as busybox's `remove_file` recursion does.
    fn remove_dir_all(&mut self, mounts: &[Mount], w: Walked) -> Result<(), Errno> {
        if !is_mount_point(mounts, &w.view) && !has_mount_below(mounts, &w.view) {
            if self.parent_read_only(mounts, &w.view) {
                return Err(Errno::EROFS);
            }
            let mut t = self.tree_mut(w.tree).ok_or(Errno::ENOENT)?;
            for key in t.descendants(&w.path) {
                t.remove(&key);
            }
            t.remove(&w.path);
            return Ok(());
        }
        let mut first_err = None;
        for (name, _) in self.list(mounts, "/", &w.view)? {
            let child = join(&w.view, &name);
            let result = match self.walk(mounts, "/", &child, false) {
                Ok(cw) if cw.is_dir() => self.remove_dir_all(mounts, cw),
                Ok(cw) => self.unlink(mounts, &cw),
                Err(e) => Err(e),
            };
            if let Err(e) = result {
                first_err.get_or_insert(e);
            }
        }
        let w = self.walk(mounts, "/", &w.view, false)?;
        if let Err(e) = self.rmdir_walked(mounts, &w) {
            first_err.get_or_insert(e);
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Every node under `view` (itself first, parents before children), as `(path relative to
    /// view, node)`, through mount points, symlinks not followed. Iterative: a deep tree must
    /// not exhaust the (wasm) stack.
    fn snapshot(&self, mounts: &[Mount], view: &str) -> Result<Vec<(String, Node)>, Errno> {
        let mut out = Vec::new();
        let mut stack = vec![(view.to_string(), String::new())];
        while let Some((view, rel)) = stack.pop() {
            let w = self.walk(mounts, "/", &view, false)?;
            let node = match (w.found, self.node(w.tree, &w.path)) {
                (_, Some(node)) => node.clone(),
                (Found::Virtual, None) => Node::Dir {
                    mode: NEW_DIR_MODE,
                    mtime: Time::ZERO,
                },
                _ => return Err(Errno::ENOENT),
            };
            if let Node::Dir { .. } = node {
                let children = self.list(mounts, "/", &view)?;
                for (name, _) in children.into_iter().rev() {
                    stack.push((join(&view, &name), format!("{rel}/{name}")));
                }
            }
            out.push((rel, node));
        }
        Ok(out)
    }

    fn copy(
        &mut self,
        mounts: &[Mount],
        cwd: &str,
        from: &str,
        to: &str,
        times: CopyTimes,
    ) -> Result<(), Errno> {
        let now = times.now();
        let src = self.walk(mounts, cwd, from, false)?;
        if src.found == Found::Missing {
            return Err(Errno::ENOENT);
        }
        let dst = self.walk(mounts, cwd, to, true)?;
        match (src.is_dir(), dst.found) {
            (true, Found::Node(Kind::File)) => return Err(Errno::ENOTDIR),
            (false, Found::Virtual | Found::Node(Kind::Dir)) => return Err(Errno::EISDIR),
            _ => {}
        }
        if src.is_dir() && walk::covers(&src.view, &dst.view) {
            return Err(Errno::EINVAL);
        }
        // Directories get their mode and mtime after their contents, as busybox's
        // `copy_file` does, so creating the contents does not undo a preserved mtime.
        let mut dirs = Vec::new();
        for (rel, node) in self.snapshot(mounts, &src.view)? {
            let dest = format!("{}{rel}", dst.view);
            match node {
                Node::Dir { mode, mtime } => {
                    let dw = self.walk(mounts, "/", &dest, true)?;
                    match dw.found {
                        Found::Missing => {
                            self.mkdir_one(mounts, "/", &dest, now)?;
                            dirs.push((dest, mode, times.mtime(mtime)));
                        }
                        // cp -r into an existing directory leaves its mode alone.
                        Found::Virtual | Found::Node(Kind::Dir) => {}
                        Found::Node(_) => return Err(Errno::ENOTDIR),
                    }
                }
                Node::File { data, mode, mtime } => {
                    self.write(mounts, "/", &dest, &data, WriteMode::Truncate, now)?;
                    self.set_meta(mounts, &dest, mode, times.mtime(mtime))?;
                }
                Node::Symlink { target } => {
                    let dw = self.walk(mounts, "/", &dest, false)?;
                    match dw.found {
                        Found::Missing => {}
                        Found::Virtual | Found::Node(Kind::Dir) => return Err(Errno::EISDIR),
                        Found::Node(_) => self.unlink(mounts, &dw)?,
                    }
                    self.symlink(mounts, "/", &target, &dest, now)?;
                }
            }
        }
        for (dest, mode, mtime) in dirs.into_iter().rev() {
            self.set_meta(mounts, &dest, mode, mtime)?;
        }
        Ok(())
    }

    /// Sets a copied node's mode and mtime (the node exists: it was just written).
    fn set_meta(
        &mut self,
        mounts: &[Mount],
        view: &str,
        mode: u32,
        mtime: Time,
    ) -> Result<(), Errno> {
        let w = self.walk(mounts, "/", view, true)?;
        if w.read_only {
            return Err(Errno::EROFS);
        }
        self.materialize(&w, mtime);
        match self
            .trees
            .get_mut(&w.tree)
            .and_then(|t| t.nodes_mut().get_mut(&w.path))
        {
            Some(Node::Dir { mode: m, mtime: t })
            | Some(Node::File {
                mode: m, mtime: t, ..
            }) => {
                *m = mode & 0o7777;
                *t = mtime;
                Ok(())
            }
            _ => Err(Errno::ENOENT),
        }
    }
}

/// Which mtimes a copy gives: `now` (`cp`), or the source's (`mv`, `cp -p`).
#[derive(Clone, Copy)]
enum CopyTimes {
    Now(Time),
    Preserve(Time),
}

impl CopyTimes {
    fn now(self) -> Time {
        match self {
            CopyTimes::Now(t) | CopyTimes::Preserve(t) => t,
        }
    }

    fn mtime(self, source: Time) -> Time {
        match self {
            CopyTimes::Now(t) => t,
            CopyTimes::Preserve(_) => source,
        }
    }
}

/// The last component of a path as written (`a/b/` → `b`, `/` → ``).
fn last_component(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or("")
}
