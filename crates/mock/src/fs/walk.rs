//! Path resolution: a container's path through its mount table and the symlinks it meets, to a
//! node in one tree. Mirrors the kernel's `link_path_walk` (fs/namei.c): one component at a
//! time, symlinks followed in every component but the last unless asked, at most 40 of them
//! (`MAXSYMLINKS`), `..` taken on the path already resolved (so after a symlink it climbs from
//! where the link led, as Linux does).

use super::tree::kind_of;
use super::{Errno, Fs, Kind, Mount, Node, TreeId};

/// `MAXSYMLINKS` in include/linux/namei.h.
const MAX_SYMLINKS: u32 = 40;
/// `NAME_MAX` in include/uapi/linux/limits.h.
const NAME_MAX: usize = 255;
/// `PATH_MAX` in include/uapi/linux/limits.h (it counts the terminating NUL).
const PATH_MAX: usize = 4096;

/// Normalizes an absolute or relative path against `cwd`, by text alone: `.` and empty
/// components go, `..` removes the component before it (and stays at `/` at the root). The
/// result is absolute, with no trailing slash except for `/` itself.
pub fn normalize(cwd: &str, path: &str) -> String {
    fn apply<'a>(parts: &mut Vec<&'a str>, s: &'a str) {
        for c in s.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                c => parts.push(c),
            }
        }
    }
    let mut parts: Vec<&str> = Vec::new();
    if !path.starts_with('/') {
        apply(&mut parts, cwd);
    }
    apply(&mut parts, path);
    let mut out = String::with_capacity(path.len() + cwd.len() + 1);
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// What a walk found at its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Found {
    /// Nothing, in an existing directory: the place a create would use.
    Missing,
    /// No node in the tree, but mount points lie below: a directory runc would have created.
    Virtual,
    Node(Kind),
}

/// Where a path landed.
#[derive(Clone, Debug)]
pub(super) struct Walked {
    /// The resolved path as the container sees it (no symlinks, no `.`/`..`).
    pub view: String,
    pub tree: TreeId,
    /// The path inside `tree`.
    pub path: String,
    pub read_only: bool,
    pub found: Found,
    /// The path ended in `/`: the result must be a directory.
    pub must_dir: bool,
}

impl Walked {
    pub fn is_dir(&self) -> bool {
        matches!(self.found, Found::Virtual | Found::Node(Kind::Dir))
    }
}

/// Whether `view` is `target` or lies under it.
pub(super) fn covers(target: &str, view: &str) -> bool {
    target == "/"
        || view == target
        || (view.len() > target.len()
            && view.starts_with(target)
            && view.as_bytes()[target.len()] == b'/')
}

/// Whether `inner` lies strictly under `outer`.
pub(super) fn strictly_under(outer: &str, inner: &str) -> bool {
    inner != outer && covers(outer, inner)
}

/// The mount holding `view` (the longest target that covers it; the later of two equal ones, as
/// a later mount hides an earlier one) and the path inside its tree.
pub(super) fn locate(mounts: &[Mount], view: &str) -> Option<(usize, String)> {
    let mut best: Option<usize> = None;
    for (i, m) in mounts.iter().enumerate() {
        if covers(&m.target, view) && best.is_none_or(|b| m.target.len() >= mounts[b].target.len())
        {
            best = Some(i);
        }
    }
    let i = best?;
    let m = &mounts[i];
    let rest = if m.target == "/" {
        if view == "/" {
            ""
        } else {
            view
        }
    } else {
        &view[m.target.len()..]
    };
    let sub = m.sub_path.trim_end_matches('/');
    let mut path = String::with_capacity(sub.len() + rest.len() + 1);
    if !sub.is_empty() && !sub.starts_with('/') {
        path.push('/');
    }
    path.push_str(sub);
    path.push_str(rest);
    if path.is_empty() {
        path.push('/');
    }
    Some((i, path))
}

/// The mount holding the directory that holds `view`: the one a create, unlink or rename of
/// `view` writes to.
pub(super) fn parent_mount(mounts: &[Mount], view: &str) -> Option<usize> {
    locate(mounts, super::tree::parent_of(view)).map(|(i, _)| i)
}

/// Whether a mount point lies strictly under `view`.
pub(super) fn has_mount_below(mounts: &[Mount], view: &str) -> bool {
    mounts.iter().any(|m| strictly_under(view, &m.target))
}

/// Whether `view` is a mount point.
pub(super) fn is_mount_point(mounts: &[Mount], view: &str) -> bool {
    mounts.iter().any(|m| m.target == view)
}

fn push_components<'a>(pending: &mut Vec<&'a str>, path: &'a str) {
    pending.extend(path.split('/').rev().filter(|c| !c.is_empty()));
}

/// Resolves `path` against `cwd` (absolute, already resolved) through `mounts`. Every component
/// but the last must exist and be a directory (`ENOENT`, `ENOTDIR`); the last may be missing.
/// Symlinks are followed in every component but the last, and in the last too when
/// `follow_last` is set or the path ends in `/`.
pub(super) fn walk<'a>(
    fs: &'a Fs,
    mounts: &[Mount],
    cwd: &str,
    path: &'a str,
    follow_last: bool,
) -> Result<Walked, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    let must_dir = path.ends_with('/') && path.bytes().any(|b| b != b'/');
    let mut view = if path.starts_with('/') {
        String::from("/")
    } else {
        normalize("/", cwd)
    };
    // `view.len()` before each component was pushed, so `..` can pop it.
    let mut bounds: Vec<usize> = Vec::new();
    if view != "/" {
        for (i, b) in view.bytes().enumerate() {
            if b == b'/' {
                bounds.push(if i == 0 { 1 } else { i });
            }
        }
    }
    let mut pending: Vec<&'a str> = Vec::new();
    push_components(&mut pending, path);
    let mut hops = 0u32;
    while let Some(c) = pending.pop() {
        match c {
            "." => continue,
            ".." => {
                if let Some(b) = bounds.pop() {
                    view.truncate(b);
                }
                continue;
            }
            _ => {}
        }
        if c.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let is_last = pending.is_empty();
        bounds.push(view.len());
        if view.len() > 1 {
            view.push('/');
        }
        view.push_str(c);
        let (mount, tree_path) = locate(mounts, &view).ok_or(Errno::ENOENT)?;
        let node = fs
            .trees
            .get(&mounts[mount].tree)
            .and_then(|t| t.nodes.get(&tree_path));
        match node {
            Some(Node::Symlink { target }) if !is_last || follow_last || must_dir => {
                hops += 1;
                if hops > MAX_SYMLINKS {
                    return Err(Errno::ELOOP);
                }
                if let Some(b) = bounds.pop() {
                    view.truncate(b);
                }
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                if target.starts_with('/') {
                    view.truncate(1);
                    bounds.clear();
                }
                push_components(&mut pending, target);
            }
            Some(Node::File { .. }) if !is_last || must_dir => return Err(Errno::ENOTDIR),
            Some(_) => {}
            None if !is_last && !has_mount_below(mounts, &view) => return Err(Errno::ENOENT),
            None => {}
        }
    }
    let (mount, tree_path) = locate(mounts, &view).ok_or(Errno::ENOENT)?;
    let m = &mounts[mount];
    let found = match fs.trees.get(&m.tree).and_then(|t| t.nodes.get(&tree_path)) {
        Some(node) => Found::Node(kind_of(node)),
        None if has_mount_below(mounts, &view) => Found::Virtual,
        None => Found::Missing,
    };
    Ok(Walked {
        view,
        tree: m.tree,
        path: tree_path,
        read_only: m.read_only,
        found,
        must_dir,
    })
}
