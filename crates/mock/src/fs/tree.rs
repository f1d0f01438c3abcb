//! One file tree: its nodes keyed by normalized absolute path, and what they cost.
//!
//! Keys are absolute paths inside the tree (`/`, `/etc`, `/etc/hosts`). Because `/` (0x2F) is
//! followed by `0` (0x30) in byte order, everything under `/etc` sorts in `["/etc/", "/etc0")`:
//! a subtree is one range, and the children of a directory are found by skipping from one child's
//! subtree to the next, never by scanning the whole tree.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Included, Unbounded};
use std::rc::Rc;

use podplay_engine::time::Time;

use super::{Kind, Node};

/// What every node costs beyond its key and contents (the map entry, the `Node` itself), so a loop
/// creating empty directories runs out of room as it would run out of memory.
const NODE_OVERHEAD: u64 = 128;

/// A file tree and its accounting.
#[derive(Clone, Debug)]
pub(super) struct Tree {
    /// Every node, keyed by its absolute path in the tree; `/` is always present. Shared by
    /// the copies of a tree until one of them changes ([`Tree::nodes_mut`]): every container's
    /// root is a copy of its image's, and most containers never write to it.
    pub nodes: Rc<BTreeMap<String, Node>>,
    /// Bytes held by file contents: what tmpfs charges, what `tree_bytes` reports.
    pub bytes: u64,
    /// Everything the tree holds in memory (contents, keys, symlink targets, per-node overhead):
    /// what the whole file system's bound is checked against.
    pub footprint: u64,
    /// A tmpfs `size=` limit on `bytes`: writes past it fail with ENOSPC.
    pub limit_bytes: Option<u64>,
}

/// `(content bytes, footprint)` of one node under a key of `key_len` bytes.
fn cost(key_len: usize, node: &Node) -> (u64, u64) {
    let data = match node {
        Node::File { data, .. } => data.len() as u64,
        _ => 0,
    };
    let extra = match node {
        Node::Symlink { target } => target.len() as u64,
        _ => 0,
    };
    (data, data + extra + key_len as u64 + NODE_OVERHEAD)
}

/// The footprint a new node at `path` would add.
pub(super) fn footprint_of(path: &str, node: &Node) -> u64 {
    cost(path.len(), node).1
}

/// `/a/b` → `/a`, `/a` → `/`, `/` → `/`.
pub(super) fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// `dir` + `/` + `name`, without doubling the root's slash.
pub(super) fn join(dir: &str, name: &str) -> String {
    let mut out = String::with_capacity(dir.len() + 1 + name.len());
    out.push_str(dir);
    if !dir.ends_with('/') {
        out.push('/');
    }
    out.push_str(name.trim_start_matches('/'));
    out
}

/// The prefix every key strictly under `dir` starts with.
fn child_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".to_string()
    } else {
        format!("{dir}/")
    }
}

pub(super) fn kind_of(node: &Node) -> Kind {
    match node {
        Node::Dir { .. } => Kind::Dir,
        Node::File { .. } => Kind::File,
        Node::Symlink { .. } => Kind::Symlink,
    }
}

impl Tree {
    /// The nodes, to change them: this tree's own copy from now on if another tree shared them.
    pub fn nodes_mut(&mut self) -> &mut BTreeMap<String, Node> {
        Rc::make_mut(&mut self.nodes)
    }

    pub fn new(limit_bytes: Option<u64>) -> Tree {
        let mut tree = Tree {
            nodes: Rc::default(),
            bytes: 0,
            footprint: 0,
            limit_bytes,
        };
        tree.insert(
            "/".to_string(),
            Node::Dir {
                mode: 0o755,
                mtime: Time::ZERO,
            },
        );
        tree
    }

    /// Inserts or replaces a node, keeping the accounting; returns the node replaced.
    pub fn insert(&mut self, path: String, node: Node) -> Option<Node> {
        let (data, footprint) = cost(path.len(), &node);
        let key_len = path.len();
        let old = self.nodes_mut().insert(path, node);
        self.bytes += data;
        self.footprint += footprint;
        if let Some(old) = &old {
            let (data, footprint) = cost(key_len, old);
            self.bytes -= data;
            self.footprint -= footprint;
        }
        old
    }

    /// Removes one node (not its descendants), keeping the accounting.
    pub fn remove(&mut self, path: &str) -> Option<Node> {
        if !self.nodes.contains_key(path) {
            return None;
        }
        let old = self.nodes_mut().remove(path)?;
        let (data, footprint) = cost(path.len(), &old);
        self.bytes -= data;
        self.footprint -= footprint;
        Some(old)
    }

    /// Changes a file's contents and mtime in place, keeping the accounting. False if `path`
    /// is not a file.
    pub fn update_file(&mut self, path: &str, f: impl FnOnce(&mut Vec<u8>, &mut Time)) -> bool {
        if !matches!(self.nodes.get(path), Some(Node::File { .. })) {
            return false;
        }
        let Some(Node::File { data, mtime, .. }) = self.nodes_mut().get_mut(path) else {
            return false;
        };
        let before = data.len() as u64;
        f(data, mtime);
        let after = data.len() as u64;
        self.bytes = self.bytes - before + after;
        self.footprint = self.footprint - before + after;
        true
    }

    /// The keys strictly under `dir`, in order (a range, not a scan).
    pub fn descendants(&self, dir: &str) -> Vec<String> {
        let prefix = child_prefix(dir);
        let end = if dir == "/" {
            Unbounded
        } else {
            Excluded(format!("{dir}0"))
        };
        self.nodes
            .range::<String, _>((Included(prefix), end))
            .map(|(k, _)| k.clone())
            .filter(|k| k != "/")
            .collect()
    }

    /// Whether anything lives under `dir`.
    pub fn has_children(&self, dir: &str) -> bool {
        let prefix = child_prefix(dir);
        self.nodes
            .range::<str, _>((Excluded(prefix.as_str()), Unbounded))
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// The direct children of `dir`, sorted by name. One ordered pass over the children, with
    /// one range lookup to skip each subdirectory's subtree, so the cost is the number of
    /// children, not of descendants.
    pub fn children(&self, dir: &str) -> Vec<(&str, &Node)> {
        let prefix = child_prefix(dir);
        let mut out = Vec::new();
        let mut start = Excluded(prefix.clone());
        'seek: loop {
            for (key, node) in self.nodes.range::<String, _>((start, Unbounded)) {
                let Some(rest) = key.strip_prefix(prefix.as_str()) else {
                    break 'seek;
                };
                match rest.find('/') {
                    None => out.push((rest, node)),
                    // Inside the subtree of a child already listed: jump past it.
                    Some(i) => {
                        start = Included(format!("{prefix}{}0", &rest[..i]));
                        continue 'seek;
                    }
                }
            }
            break;
        }
        out
    }

    /// Creates the missing ancestors of `path` as directories (mode 0755), the way runc creates
    /// mount points and the kubelet creates volume directories. Non-directories in the way are
    /// replaced: only the privileged builders (`put`) and materialized mount-point parents get here.
    pub fn ensure_parents(&mut self, path: &str, now: Time) {
        let mut missing = Vec::new();
        let mut p = parent_of(path);
        while p != "/" {
            if matches!(self.nodes.get(p), Some(Node::Dir { .. })) {
                break;
            }
            missing.push(p.to_string());
            p = parent_of(p);
        }
        for dir in missing.into_iter().rev() {
            self.insert(
                dir,
                Node::Dir {
                    mode: 0o755,
                    mtime: now,
                },
            );
        }
    }

    /// Sets the mtime of the directory holding `path`, as creating or renaming an entry does.
    pub fn touch_parent(&mut self, path: &str, now: Time) {
        if !matches!(self.nodes.get(parent_of(path)), Some(Node::Dir { .. })) {
            return;
        }
        if let Some(Node::Dir { mtime, .. }) = self.nodes_mut().get_mut(parent_of(path)) {
            *mtime = now;
        }
    }
}
