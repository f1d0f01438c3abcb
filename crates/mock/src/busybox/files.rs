//! The file applets: touch, rm, rmdir, mkdir, ls, cp, mv, ln, chmod, find, pwd, readlink,
//! realpath, stat and du (coreutils/*.c, findutils/find.c). Each goes through the kernel's
//! file system calls, so mounts, read-only volumes and memory-backed trees behave as they do
//! on Linux, and the errno texts are glibc's.

use crate::fs::{Errno, Kind, Stat};
use crate::kernel::Ctx;

use super::system::{civil, epoch_secs};
use super::util::{basename, error, fnmatch, getopt, human, join, Opts, Out, Spec};
use super::{bad_option, show_usage};

async fn opts(ctx: &Ctx, applet: &str, args: &[String], short: &str) -> Result<Opts, i32> {
    let spec = Spec {
        short,
        long: &[],
        stop_at_operand: false,
    };
    match getopt(args, &spec) {
        Ok(o) => Ok(o),
        Err(e) => Err(bad_option(ctx, applet, &e).await),
    }
}

/// `touch [-c] FILE...`
pub async fn touch(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "touch", args, "cd:t:r:amh").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, "touch").await;
        return 1;
    }
    let mut status = 0;
    for f in &o.args {
        if o.has('c') && !ctx.exists(f) {
            continue;
        }
        if let Err(e) = ctx.touch(f) {
            error(ctx, "touch", &format!("{f}: {}", e.message())).await;
            status = 1;
        }
    }
    status
}

/// `rm [-irf] FILE...`
pub async fn rm(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "rm", args, "firRv").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let force = o.has('f');
    if o.args.is_empty() {
        if force {
            return 0;
        }
        show_usage(ctx, "rm").await;
        return 1;
    }
    let recursive = o.has('r') || o.has('R');
    let mut status = 0;
    for f in &o.args {
        match ctx.remove(f, recursive) {
            Ok(()) => {
                if o.has('v') {
                    ctx.print(1, &format!("removed '{f}'\n")).await;
                }
            }
            Err(Errno::ENOENT) if force => {}
            Err(Errno::EISDIR) => {
                error(ctx, "rm", &format!("'{f}' is a directory")).await;
                status = 1;
            }
            Err(Errno::EINVAL) => {
                error(ctx, "rm", "can't remove '.' or '..'").await;
                status = 1;
            }
            Err(e) => {
                error(ctx, "rm", &format!("can't remove '{f}': {}", e.message())).await;
                status = 1;
            }
        }
    }
    status
}

/// `rmdir [-p] DIRECTORY...`
pub async fn rmdir(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "rmdir", args, "p").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, "rmdir").await;
        return 1;
    }
    let mut status = 0;
    for d in &o.args {
        let mut path = d.trim_end_matches('/').to_string();
        loop {
            if let Err(e) = ctx.rmdir(&path) {
                error(ctx, "rmdir", &format!("'{path}': {}", e.message())).await;
                status = 1;
                break;
            }
            if !o.has('p') {
                break;
            }
            match path.rfind('/') {
                Some(i) if i > 0 => path.truncate(i),
                _ => break,
            }
        }
    }
    status
}

/// `mkdir [-m MODE] [-p] DIRECTORY...`
pub async fn mkdir(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "mkdir", args, "m:pv").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, "mkdir").await;
        return 1;
    }
    let mode = match o.value('m') {
        Some(m) => match parse_mode(m, 0o777) {
            Some(v) => Some(v),
            None => {
                error(ctx, "mkdir", &format!("invalid mode '{m}'")).await;
                return 1;
            }
        },
        None => None,
    };
    let mut status = 0;
    for d in &o.args {
        match ctx.mkdir(d, o.has('p')) {
            Ok(()) => {
                if let Some(m) = mode {
                    let _ = ctx.chmod(d, m);
                }
            }
            Err(e) => {
                error(
                    ctx,
                    "mkdir",
                    &format!("can't create directory '{d}': {}", e.message()),
                )
                .await;
                status = 1;
            }
        }
    }
    status
}

/// `bb_parse_mode`: octal, or `[ugoa]*[+-=][rwxXst]*` clauses separated by commas, applied to
/// `current`.
pub fn parse_mode(s: &str, current: u32) -> Option<u32> {
    if !s.is_empty() && s.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        let v = u32::from_str_radix(s, 8).ok()?;
        return (v <= 0o7777).then_some(v);
    }
    let mut mode = current;
    for clause in s.split(',') {
        let b = clause.as_bytes();
        let mut i = 0;
        let mut who = 0u32;
        while i < b.len() && b"ugoa".contains(&b[i]) {
            who |= match b[i] {
                b'u' => 0o4700,
                b'g' => 0o2070,
                b'o' => 0o1007,
                _ => 0o7777,
            };
            i += 1;
        }
        if who == 0 {
            who = 0o7777 & !0o022;
        }
        if i >= b.len() {
            return None;
        }
        while i < b.len() {
            let op = b[i];
            if !b"+-=".contains(&op) {
                return None;
            }
            i += 1;
            let mut bits = 0u32;
            while i < b.len() && !b"+-=".contains(&b[i]) {
                bits |= match b[i] {
                    b'r' => 0o444,
                    b'w' => 0o222,
                    b'x' => 0o111,
                    b'X' => {
                        if mode & 0o111 != 0 {
                            0o111
                        } else {
                            0
                        }
                    }
                    b's' => 0o6000,
                    b't' => 0o1000,
                    _ => return None,
                };
                i += 1;
            }
            let bits = bits & who;
            match op {
                b'+' => mode |= bits,
                b'-' => mode &= !bits,
                _ => mode = (mode & !(who & 0o7777)) | bits,
            }
        }
    }
    Some(mode & 0o7777)
}

/// `chmod [-R] MODE FILE...`
pub async fn chmod(ctx: &Ctx, args: &[String]) -> i32 {
    // A mode like `-x` is not an option.
    let mut recursive = false;
    let mut rest: Vec<String> = Vec::new();
    for a in args {
        if rest.is_empty() && (a == "-R" || a == "-Rf" || a == "-fR") {
            recursive = true;
        } else if rest.is_empty() && matches!(a.as_str(), "-f" | "-v" | "-c") {
        } else {
            rest.push(a.clone());
        }
    }
    if rest.len() < 2 {
        show_usage(ctx, "chmod").await;
        return 1;
    }
    let spec = rest[0].clone();
    let mut status = 0;
    for f in &rest[1..] {
        let mut targets = vec![f.clone()];
        if recursive {
            collect_tree(ctx, f, &mut targets);
        }
        for t in targets {
            let current = match ctx.stat(&t) {
                Ok(st) => st.mode,
                Err(e) => {
                    error(ctx, "chmod", &format!("{t}: {}", e.message())).await;
                    status = 1;
                    continue;
                }
            };
            let Some(mode) = parse_mode(&spec, current) else {
                error(ctx, "chmod", &format!("invalid mode '{spec}'")).await;
                return 1;
            };
            if let Err(e) = ctx.chmod(&t, mode) {
                error(ctx, "chmod", &format!("{t}: {}", e.message())).await;
                status = 1;
            }
        }
    }
    status
}

fn collect_tree(ctx: &Ctx, path: &str, out: &mut Vec<String>) {
    if out.len() > 100_000 {
        return;
    }
    if ctx.lstat(path).is_ok_and(|s| s.kind == Kind::Dir) {
        for (name, _) in ctx.list(path).unwrap_or_default() {
            let p = join(path, &name);
            out.push(p.clone());
            collect_tree(ctx, &p, out);
        }
    }
}

/// `bb_mode_string`: `drwxr-xr-x`.
pub fn mode_string(kind: Kind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(match kind {
        Kind::Dir => 'd',
        Kind::Symlink => 'l',
        Kind::File => '-',
    });
    let bits = [
        (0o400, 'r'),
        (0o200, 'w'),
        (0o100, 'x'),
        (0o040, 'r'),
        (0o020, 'w'),
        (0o010, 'x'),
        (0o004, 'r'),
        (0o002, 'w'),
        (0o001, 'x'),
    ];
    for (i, (bit, c)) in bits.iter().enumerate() {
        let on = mode & bit != 0;
        let special = match i {
            2 => Some((0o4000, 's')),
            5 => Some((0o2000, 's')),
            8 => Some((0o1000, 't')),
            _ => None,
        };
        match special {
            Some((sbit, sc)) if mode & sbit != 0 => {
                s.push(if on { sc } else { sc.to_ascii_uppercase() })
            }
            _ => s.push(if on { *c } else { '-' }),
        }
    }
    if kind == Kind::Symlink {
        return "lrwxrwxrwx".into();
    }
    s
}

/// 1 KiB blocks a file occupies on a 4 KiB-block file system (`st_blocks / 2`).
fn blocks_k(st: &Stat) -> u64 {
    match st.kind {
        Kind::Symlink => 0,
        Kind::Dir => 4,
        Kind::File => st.size.div_ceil(4096) * 4,
    }
}

struct Entry {
    name: String,
    path: String,
    st: Stat,
    target: Option<String>,
}

/// `ls [-1AaCdFhlLpRrSt] [FILE]...`: stdout is never a terminal in a container, so one
/// name per line (or the long format).
pub async fn ls(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "ls", args, "1AaCdFhilLnpRrSstuxce").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mut l = Ls {
        ctx,
        long: o.has('l') || o.has('n'),
        all: o.has('a'),
        almost: o.has('A'),
        dir_itself: o.has('d'),
        classify: o.has('F'),
        slash: o.has('p'),
        human: o.has('h'),
        inode: o.has('i'),
        size_blocks: o.has('s'),
        recursive: o.has('R'),
        reverse: o.has('r'),
        by_time: o.has('t'),
        by_size: o.has('S'),
        follow: o.has('L'),
        numeric: o.has('n'),
        out: Out::stdout(ctx),
        status: 0,
        now_s: epoch_secs(ctx.now()),
        errors: Vec::new(),
    };
    let operands = if o.args.is_empty() {
        vec![".".to_string()]
    } else {
        o.args.clone()
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for a in &operands {
        let st = if l.follow {
            ctx.stat(a)
        } else {
            ctx.stat(a).or_else(|_| ctx.lstat(a))
        };
        let lst = ctx.lstat(a);
        match (st, lst) {
            (Ok(st), lst) => {
                let is_link = lst.as_ref().is_ok_and(|s| s.kind == Kind::Symlink);
                if st.kind == Kind::Dir && !l.dir_itself && !(is_link && l.long && !l.follow) {
                    dirs.push(a.clone());
                } else {
                    let st = if l.follow { st } else { lst.unwrap_or(st) };
                    let target =
                        (st.kind == Kind::Symlink).then(|| ctx.read_link(a).unwrap_or_default());
                    files.push(Entry {
                        name: a.clone(),
                        path: a.clone(),
                        st,
                        target,
                    });
                }
            }
            (Err(e), _) => {
                error(ctx, "ls", &format!("{a}: {}", e.message())).await;
                l.status = 1;
            }
        }
    }
    l.sort(&mut files);
    dirs.sort();
    if l.reverse {
        dirs.reverse();
    }
    let show_headers = operands.len() > 1 || l.recursive;
    let had_files = !files.is_empty();
    l.print_entries(&files, false);
    let mut first = !had_files;
    for d in dirs {
        l.list_dir(&d, show_headers, &mut first, 0);
        l.out.write(&[]).await;
    }
    l.out.flush().await;
    for e in std::mem::take(&mut l.errors) {
        error(ctx, "ls", &e).await;
    }
    l.status
}

struct Ls<'a> {
    ctx: &'a Ctx,
    long: bool,
    all: bool,
    almost: bool,
    dir_itself: bool,
    classify: bool,
    slash: bool,
    human: bool,
    inode: bool,
    size_blocks: bool,
    recursive: bool,
    reverse: bool,
    by_time: bool,
    by_size: bool,
    follow: bool,
    numeric: bool,
    out: Out<'a>,
    status: i32,
    now_s: i64,
    errors: Vec<String>,
}

impl Ls<'_> {
    fn sort(&self, v: &mut [Entry]) {
        v.sort_by(|a, b| {
            let ord = if self.by_time {
                b.st.mtime.cmp(&a.st.mtime)
            } else if self.by_size {
                b.st.size.cmp(&a.st.size)
            } else {
                std::cmp::Ordering::Equal
            };
            ord.then_with(|| a.name.as_bytes().cmp(b.name.as_bytes()))
        });
        if self.reverse {
            v.reverse();
        }
    }

    fn list_dir(&mut self, dir: &str, header: bool, first: &mut bool, depth: u32) {
        let ctx = self.ctx;
        if header {
            if !*first {
                self.out.push(b"\n");
            }
            self.out.push_str(&format!("{dir}:\n"));
        }
        *first = false;
        let names = match ctx.list(dir) {
            Ok(n) => n,
            Err(e) => {
                self.errors.push(format!("{dir}: {}", e.message()));
                self.status = 1;
                return;
            }
        };
        let mut entries = Vec::new();
        if self.all {
            for dot in [".", ".."] {
                if let Ok(st) = ctx.stat(&join(dir, dot)) {
                    entries.push(Entry {
                        name: dot.into(),
                        path: join(dir, dot),
                        st,
                        target: None,
                    });
                }
            }
        }
        for (name, _) in names {
            if name.starts_with('.') && !(self.all || self.almost) {
                continue;
            }
            let path = join(dir, &name);
            // (/proc is the kernel's: only stat knows it.)
            let st = if self.follow {
                ctx.stat(&path).or_else(|_| ctx.lstat(&path))
            } else {
                ctx.lstat(&path).or_else(|_| ctx.stat(&path))
            };
            let Ok(st) = st else { continue };
            let target =
                (st.kind == Kind::Symlink).then(|| ctx.read_link(&path).unwrap_or_default());
            entries.push(Entry {
                name,
                path,
                st,
                target,
            });
        }
        self.sort(&mut entries);
        if self.long || self.size_blocks {
            let total: u64 = entries.iter().map(|e| blocks_k(&e.st)).sum();
            self.out.push_str(&format!("total {total}\n"));
        }
        self.print_entries(&entries, true);
        if self.recursive && depth < 64 {
            let subdirs: Vec<String> = entries
                .iter()
                .filter(|e| e.st.kind == Kind::Dir && e.name != "." && e.name != "..")
                .map(|e| e.path.clone())
                .collect();
            for d in subdirs {
                self.list_dir(&d, true, first, depth + 1);
            }
        }
    }

    fn print_entries(&mut self, entries: &[Entry], _in_dir: bool) {
        for e in entries {
            let mut line = String::new();
            if self.inode {
                line.push_str(&format!("{:8} ", inode_of(&e.path)));
            }
            if self.size_blocks {
                line.push_str(&format!("{:4} ", blocks_k(&e.st)));
            }
            if self.long {
                let nlink = match e.st.kind {
                    Kind::Dir => {
                        2 + self
                            .ctx
                            .list(&e.path)
                            .map(|l| l.iter().filter(|(_, k)| *k == Kind::Dir).count())
                            .unwrap_or(0)
                    }
                    _ => 1,
                };
                let owner = if self.numeric { "0" } else { "root" };
                let size = if self.human {
                    format!("{:>7} ", human(e.st.size))
                } else {
                    format!("{:9} ", e.st.size)
                };
                line.push_str(&format!(
                    "{:<10} {:4} {:<8} {:<8} {}{} ",
                    mode_string(e.st.kind, e.st.mode),
                    nlink,
                    owner,
                    owner,
                    size,
                    self.file_time(e.st.mtime)
                ));
            }
            line.push_str(&e.name);
            if self.long {
                if let Some(t) = &e.target {
                    line.push_str(" -> ");
                    line.push_str(t);
                }
            }
            if self.classify {
                match e.st.kind {
                    Kind::Dir => line.push('/'),
                    Kind::Symlink => line.push('@'),
                    Kind::File if e.st.mode & 0o111 != 0 => line.push('*'),
                    _ => {}
                }
            } else if self.slash && e.st.kind == Kind::Dir {
                line.push('/');
            }
            line.push('\n');
            self.out.push_str(&line);
        }
    }

    /// `Jan  1 00:00` within six months, else `Jan  1  2026`.
    fn file_time(&self, t: podplay_engine::time::Time) -> String {
        let secs = epoch_secs(t);
        let tm = civil(secs);
        let age = self.now_s - secs;
        if age < 3600 * 24 * 365 / 2 && age > -15 * 60 {
            format!(
                "{} {:2} {:02}:{:02}",
                tm.month_abbr(),
                tm.day,
                tm.hour,
                tm.min
            )
        } else {
            format!("{} {:2} {:5}", tm.month_abbr(), tm.day, tm.year)
        }
    }
}

/// A stable made-up inode number for a path.
fn inode_of(path: &str) -> u64 {
    let mut h: u64 = 1469598103934665603;
    for b in path.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(1099511628211);
    }
    h % 10_000_000
}

/// `cp [-rRapfi] SOURCE... DEST`
pub async fn cp(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "cp", args, "arRPLHpfinlsTuvd").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.len() < 2 {
        show_usage(ctx, "cp").await;
        return 1;
    }
    let recursive = o.has('r') || o.has('R') || o.has('a');
    let (srcs, dest) = o.args.split_at(o.args.len() - 1);
    let dest = &dest[0];
    let dest_is_dir = ctx.stat(dest).is_ok_and(|s| s.kind == Kind::Dir);
    if srcs.len() > 1 && !dest_is_dir {
        error(ctx, "cp", &format!("'{dest}' is not a directory")).await;
        return 1;
    }
    let mut status = 0;
    for src in srcs {
        let st = match ctx.stat(src).or_else(|_| ctx.lstat(src)) {
            Ok(st) => st,
            Err(e) => {
                error(ctx, "cp", &format!("can't stat '{src}': {}", e.message())).await;
                status = 1;
                continue;
            }
        };
        if st.kind == Kind::Dir && !recursive {
            error(ctx, "cp", &format!("omitting directory '{src}'")).await;
            status = 1;
            continue;
        }
        let target = if dest_is_dir {
            join(dest, basename(src))
        } else {
            dest.clone()
        };
        if o.has('n') && ctx.lstat(&target).is_ok() {
            continue;
        }
        let result = if st.kind == Kind::File {
            match ctx.read_file(src) {
                Ok(data) => {
                    if ctx.stat(&target).is_ok_and(|s| s.kind == Kind::Dir) {
                        Err(Errno::EISDIR)
                    } else {
                        let r = ctx.write_file(&target, &data, crate::fs::WriteMode::Truncate);
                        if r.is_ok() && (o.has('p') || o.has('a') || st.mode & 0o111 != 0) {
                            let _ = ctx.chmod(&target, st.mode);
                        }
                        r
                    }
                }
                Err(e) => Err(e),
            }
        } else {
            ctx.copy(src, &target)
        };
        match result {
            Ok(()) => {}
            Err(Errno::EINVAL) => {
                error(
                    ctx,
                    "cp",
                    &format!("recursion detected, omitting directory '{src}'"),
                )
                .await;
                status = 1;
            }
            Err(e) => {
                error(
                    ctx,
                    "cp",
                    &format!("can't create '{target}': {}", e.message()),
                )
                .await;
                status = 1;
            }
        }
    }
    status
}

/// `mv [-fin] SOURCE... DEST`: rename, or copy and remove across file systems.
pub async fn mv(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "mv", args, "finTv").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.len() < 2 {
        show_usage(ctx, "mv").await;
        return 1;
    }
    let (srcs, dest) = o.args.split_at(o.args.len() - 1);
    let dest = &dest[0];
    let dest_is_dir = ctx.stat(dest).is_ok_and(|s| s.kind == Kind::Dir);
    if srcs.len() > 1 && !dest_is_dir {
        error(ctx, "mv", &format!("'{dest}' is not a directory")).await;
        return 1;
    }
    let mut status = 0;
    for src in srcs {
        let target = if dest_is_dir {
            join(dest, basename(src))
        } else {
            dest.clone()
        };
        if o.has('n') && ctx.lstat(&target).is_ok() {
            continue;
        }
        match ctx.rename(src, &target) {
            Ok(()) => {}
            Err(Errno::EXDEV) => {
                let r = ctx.copy(src, &target).and_then(|_| ctx.remove(src, true));
                if let Err(e) = r {
                    error(
                        ctx,
                        "mv",
                        &format!("can't create '{target}': {}", e.message()),
                    )
                    .await;
                    status = 1;
                }
            }
            Err(e) => {
                error(ctx, "mv", &format!("can't rename '{src}': {}", e.message())).await;
                status = 1;
            }
        }
    }
    status
}

/// `ln [-sfn] TARGET... LINK|DIR`. Hard links are made as copies (podplay's file systems have
/// no inodes to share).
pub async fn ln(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "ln", args, "sfnbvT").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, "ln").await;
        return 1;
    }
    let (targets, link) = if o.args.len() == 1 {
        (&o.args[..], ".".to_string())
    } else {
        let (t, l) = o.args.split_at(o.args.len() - 1);
        (t, l[0].clone())
    };
    let link_is_dir = !o.has('n') && ctx.stat(&link).is_ok_and(|s| s.kind == Kind::Dir);
    let mut status = 0;
    for t in targets {
        let dest = if link_is_dir {
            join(&link, basename(t))
        } else {
            link.clone()
        };
        if o.has('f') {
            let _ = ctx.remove(&dest, false);
        }
        let r = if o.has('s') {
            ctx.symlink(t, &dest)
        } else if ctx.lstat(&dest).is_ok() {
            Err(Errno::EEXIST)
        } else {
            ctx.read_file(t)
                .and_then(|d| ctx.write_file(&dest, &d, crate::fs::WriteMode::CreateNew))
        };
        if let Err(e) = r {
            error(ctx, "ln", &format!("{dest}: {}", e.message())).await;
            status = 1;
        }
    }
    status
}

/// `pwd`
pub async fn pwd(ctx: &Ctx, _args: &[String]) -> i32 {
    ctx.print(1, &format!("{}\n", ctx.cwd())).await;
    0
}

/// The canonical absolute path, symlinks resolved (`xmalloc_realpath`).
pub fn canonical(ctx: &Ctx, path: &str) -> Result<String, Errno> {
    let mut resolved = String::from("/");
    let start = crate::fs::normalize(&ctx.cwd(), path);
    let mut pending: Vec<String> = start
        .split('/')
        .filter(|s| !s.is_empty())
        .rev()
        .map(String::from)
        .collect();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        let candidate = join(&resolved, &part);
        match ctx.lstat(&candidate) {
            Ok(st) if st.kind == Kind::Symlink => {
                hops += 1;
                if hops > 40 {
                    return Err(Errno::ELOOP);
                }
                let target = ctx.read_link(&candidate)?;
                if target.starts_with('/') {
                    resolved = "/".into();
                }
                for p in target.split('/').filter(|s| !s.is_empty()).rev() {
                    pending.push(p.to_string());
                }
            }
            Ok(_) => resolved = crate::fs::normalize("/", &candidate),
            Err(e) if pending.is_empty() => {
                // The last component may be missing (readlink -f).
                let _ = e;
                resolved = crate::fs::normalize("/", &candidate);
            }
            Err(e) => return Err(e),
        }
        if part == ".." {
            resolved = crate::fs::normalize("/", &resolved);
        }
    }
    Ok(resolved)
}

/// `readlink [-fn] FILE` and `realpath FILE...`
pub async fn readlink(ctx: &Ctx, args: &[String], realpath: bool) -> i32 {
    let applet = if realpath { "realpath" } else { "readlink" };
    let o = match opts(ctx, applet, args, "fnvse").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, applet).await;
        return 1;
    }
    let mut status = 0;
    for f in &o.args {
        let r = if realpath || o.has('f') || o.has('e') {
            canonical(ctx, f)
        } else {
            ctx.read_link(f)
        };
        match r {
            Ok(p) => {
                let nl = if o.has('n') { "" } else { "\n" };
                ctx.print(1, &format!("{p}{nl}")).await;
            }
            Err(e) => {
                if realpath {
                    error(ctx, applet, &format!("{f}: {}", e.message())).await;
                }
                status = 1;
            }
        }
    }
    status
}

/// `stat [-c FMT] FILE...` (the default layout of coreutils/stat.c, `-c` with `%n %s %a %A %F
/// %U %G %u %g %Y %y %b %B %h %i`).
pub async fn stat(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "stat", args, "c:fLt").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, "stat").await;
        return 1;
    }
    let mut status = 0;
    let mut out = Out::stdout(ctx);
    for f in &o.args {
        let st = if o.has('L') {
            ctx.stat(f)
        } else {
            ctx.lstat(f)
        };
        let st = match st {
            Ok(st) => st,
            Err(e) => {
                error(ctx, "stat", &format!("can't stat '{f}': {}", e.message())).await;
                status = 1;
                continue;
            }
        };
        let kind = match st.kind {
            Kind::Dir => "directory",
            Kind::Symlink => "symbolic link",
            Kind::File if st.size == 0 => "regular empty file",
            Kind::File => "regular file",
        };
        let tm = civil(epoch_secs(st.mtime));
        let stamp = format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.000000000 +0000",
            tm.year, tm.month, tm.day, tm.hour, tm.min, tm.sec
        );
        let nlink = if st.kind == Kind::Dir { 2 } else { 1 };
        if let Some(fmt) = o.value('c') {
            let mut s = String::new();
            let mut chars = fmt.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    s.push(c);
                    continue;
                }
                match chars.next() {
                    Some('n') => s.push_str(f),
                    Some('N') => {
                        s.push_str(&format!("'{f}'"));
                        if st.kind == Kind::Symlink {
                            s.push_str(&format!(" -> '{}'", ctx.read_link(f).unwrap_or_default()));
                        }
                    }
                    Some('s') => s.push_str(&st.size.to_string()),
                    Some('a') => s.push_str(&format!("{:o}", st.mode & 0o7777)),
                    Some('A') => s.push_str(&mode_string(st.kind, st.mode)),
                    Some('F') => s.push_str(kind),
                    Some('U') | Some('G') => s.push_str("root"),
                    Some('u') | Some('g') => s.push('0'),
                    Some('Y') => s.push_str(&epoch_secs(st.mtime).to_string()),
                    Some('y') => s.push_str(&stamp),
                    Some('b') => s.push_str(&(blocks_k(&st) * 2).to_string()),
                    Some('B') => s.push_str("512"),
                    Some('h') => s.push_str(&nlink.to_string()),
                    Some('i') => s.push_str(&inode_of(f).to_string()),
                    Some('%') => s.push('%'),
                    Some(other) => {
                        s.push('?');
                        let _ = other;
                    }
                    None => s.push('%'),
                }
            }
            s.push('\n');
            out.push_str(&s);
        } else {
            let name = if st.kind == Kind::Symlink {
                format!("'{f}' -> '{}'", ctx.read_link(f).unwrap_or_default())
            } else {
                format!("'{f}'")
            };
            out.push_str(&format!(
                "  File: {name}\n  Size: {:<10}\tBlocks: {:<10} IO Block: 4096   {kind}\n\
                 Device: 803h/2051d\tInode: {:<11} Links: {nlink}\n\
                 Access: ({:04o}/{})  Uid: (    0/    root)   Gid: (    0/    root)\n\
                 Access: {stamp}\nModify: {stamp}\nChange: {stamp}\n",
                st.size,
                blocks_k(&st) * 2,
                inode_of(f),
                st.mode & 0o7777,
                mode_string(st.kind, st.mode),
            ));
        }
    }
    out.flush().await;
    status
}

/// `du [-shk] [FILE]...`: sizes in 1 KiB blocks of a 4 KiB-block file system.
pub async fn du(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "du", args, "shkacdmxl").await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let operands = if o.args.is_empty() {
        vec![".".to_string()]
    } else {
        o.args.clone()
    };
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    for a in &operands {
        let mut lines = Vec::new();
        match du_walk(ctx, a, o.has('a'), &mut lines, 0) {
            Some(_) => {
                let shown: Vec<&(u64, String)> = if o.has('s') {
                    lines.last().into_iter().collect()
                } else {
                    lines.iter().collect()
                };
                for (k, p) in shown {
                    let size = if o.has('h') {
                        human(*k * 1024)
                    } else {
                        k.to_string()
                    };
                    out.push_str(&format!("{size}\t{p}\n"));
                }
            }
            None => {
                error(ctx, "du", &format!("{a}: {}", Errno::ENOENT.message())).await;
                status = 1;
            }
        }
    }
    out.flush().await;
    status
}

fn du_walk(
    ctx: &Ctx,
    path: &str,
    all: bool,
    lines: &mut Vec<(u64, String)>,
    depth: u32,
) -> Option<u64> {
    let st = ctx.lstat(path).ok()?;
    let mut total = blocks_k(&st);
    if st.kind == Kind::Dir && depth < 64 {
        for (name, _) in ctx.list(path).unwrap_or_default() {
            let p = join(path, &name);
            let is_dir = ctx.lstat(&p).is_ok_and(|s| s.kind == Kind::Dir);
            if let Some(k) = du_walk(ctx, &p, all, lines, depth + 1) {
                total += k;
                if all && !is_dir {
                    lines.push((k, p));
                }
            }
        }
        lines.push((total, path.to_string()));
    } else if depth == 0 {
        lines.push((total, path.to_string()));
    }
    Some(total)
}

/// One test or action of `find`'s expression.
#[derive(Clone, Debug)]
enum Find {
    Name(String, bool),
    Path(String),
    Type(Kind),
    Print,
    Print0,
    Delete,
    Exec(Vec<String>, bool),
    Not(Box<Find>),
    And(Box<Find>, Box<Find>),
    Or(Box<Find>, Box<Find>),
    True,
    Empty,
}

/// `find [PATH]... [EXPRESSION]`: `-name -iname -path -type -maxdepth -mindepth -print
/// -print0 -delete -exec CMD {} ;|+ -empty ! -not -a -o ( )`.
pub async fn find(ctx: &Ctx, args: &[String]) -> i32 {
    let split = args
        .iter()
        .position(|a| a.starts_with('-') || a == "!" || a == "(")
        .unwrap_or(args.len());
    let mut roots: Vec<String> = args[..split].to_vec();
    if roots.is_empty() {
        roots.push(".".into());
    }
    let mut toks: Vec<String> = args[split..].to_vec();
    let mut maxdepth = u32::MAX;
    let mut mindepth = 0u32;
    let mut i = 0;
    while i < toks.len() {
        if toks[i] == "-maxdepth" || toks[i] == "-mindepth" {
            let Some(v) = toks.get(i + 1).and_then(|v| v.parse::<u32>().ok()) else {
                error(ctx, "find", &format!("invalid argument to '{}'", toks[i])).await;
                return 1;
            };
            if toks[i] == "-maxdepth" {
                maxdepth = v;
            } else {
                mindepth = v;
            }
            toks.drain(i..i + 2);
        } else {
            i += 1;
        }
    }
    let mut p = FindParser { t: &toks, i: 0 };
    let expr = match p.or() {
        Ok(e) if p.i == toks.len() => e,
        Ok(_) => {
            error(ctx, "find", &format!("unrecognized: {}", toks[p.i])).await;
            show_usage(ctx, "find").await;
            return 1;
        }
        Err(m) => {
            error(ctx, "find", &m).await;
            show_usage(ctx, "find").await;
            return 1;
        }
    };
    let has_action = has_action(&expr);
    let expr = if has_action {
        expr
    } else {
        Find::And(Box::new(expr), Box::new(Find::Print))
    };
    let mut f = FindRun {
        ctx,
        out: Out::stdout(ctx),
        status: 0,
        maxdepth,
        mindepth,
        batch: Vec::new(),
        visited: 0,
    };
    for r in &roots {
        match ctx.lstat(r) {
            Ok(_) => f.walk(r, &expr, 0).await,
            Err(e) => {
                error(ctx, "find", &format!("{r}: {}", e.message())).await;
                f.status = 1;
            }
        }
    }
    f.flush_batches(&expr).await;
    f.out.flush().await;
    f.status
}

fn has_action(e: &Find) -> bool {
    match e {
        Find::Print | Find::Print0 | Find::Delete | Find::Exec(..) => true,
        Find::Not(x) => has_action(x),
        Find::And(a, b) | Find::Or(a, b) => has_action(a) || has_action(b),
        _ => false,
    }
}

struct FindParser<'a> {
    t: &'a [String],
    i: usize,
}

impl FindParser<'_> {
    fn peek(&self) -> Option<&str> {
        self.t.get(self.i).map(String::as_str)
    }

    fn or(&mut self) -> Result<Find, String> {
        let mut l = self.and()?;
        while matches!(self.peek(), Some("-o") | Some("-or")) {
            self.i += 1;
            let r = self.and()?;
            l = Find::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Find, String> {
        let mut l = self.not()?;
        loop {
            match self.peek() {
                Some("-a") | Some("-and") => {
                    self.i += 1;
                }
                Some("-o") | Some("-or") | Some(")") | None => return Ok(l),
                _ => {}
            }
            let r = self.not()?;
            l = Find::And(Box::new(l), Box::new(r));
        }
    }

    fn not(&mut self) -> Result<Find, String> {
        if matches!(self.peek(), Some("!") | Some("-not")) {
            self.i += 1;
            return Ok(Find::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn arg(&mut self, opt: &str) -> Result<String, String> {
        let v = self
            .t
            .get(self.i)
            .cloned()
            .ok_or_else(|| format!("{opt}: requires an argument"))?;
        self.i += 1;
        Ok(v)
    }

    fn primary(&mut self) -> Result<Find, String> {
        let Some(tok) = self.peek().map(String::from) else {
            return Ok(Find::True);
        };
        self.i += 1;
        Ok(match tok.as_str() {
            "(" => {
                let e = self.or()?;
                if self.peek() != Some(")") {
                    return Err("missing )".into());
                }
                self.i += 1;
                e
            }
            "-name" => Find::Name(self.arg(&tok)?, false),
            "-iname" => Find::Name(self.arg(&tok)?.to_lowercase(), true),
            "-path" | "-wholename" => Find::Path(self.arg(&tok)?),
            "-type" => match self.arg(&tok)?.as_str() {
                "f" => Find::Type(Kind::File),
                "d" => Find::Type(Kind::Dir),
                "l" => Find::Type(Kind::Symlink),
                other => return Err(format!("invalid argument '{other}' to '-type'")),
            },
            "-print" => Find::Print,
            "-print0" => Find::Print0,
            "-delete" => Find::Delete,
            "-empty" => Find::Empty,
            "-exec" => {
                let mut cmd = Vec::new();
                loop {
                    let Some(t) = self.peek().map(String::from) else {
                        return Err("-exec CMD must end by ';' or '+'".into());
                    };
                    self.i += 1;
                    if t == ";" {
                        break Find::Exec(cmd, false);
                    }
                    if t == "+" && cmd.last().is_some_and(|l| l == "{}") {
                        cmd.pop();
                        break Find::Exec(cmd, true);
                    }
                    cmd.push(t);
                }
            }
            other => return Err(format!("unrecognized: {other}")),
        })
    }
}

struct FindRun<'a> {
    ctx: &'a Ctx,
    out: Out<'a>,
    status: i32,
    maxdepth: u32,
    mindepth: u32,
    /// Paths gathered for `-exec ... {} +`.
    batch: Vec<String>,
    visited: u64,
}

impl FindRun<'_> {
    fn walk<'b>(
        &'b mut self,
        path: &'b str,
        e: &'b Find,
        depth: u32,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'b>> {
        Box::pin(async move {
            self.visited += 1;
            if self.visited > 200_000 {
                return;
            }
            let Ok(st) = self.ctx.lstat(path) else { return };
            if depth >= self.mindepth {
                self.eval(path, &st, e).await;
            }
            if st.kind == Kind::Dir && depth < self.maxdepth {
                for (name, _) in self.ctx.list(path).unwrap_or_default() {
                    let child = join(path, &name);
                    self.walk(&child, e, depth + 1).await;
                }
            }
        })
    }

    fn eval<'b>(
        &'b mut self,
        path: &'b str,
        st: &'b Stat,
        e: &'b Find,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + 'b>> {
        Box::pin(async move {
            match e {
                Find::True => true,
                Find::Name(p, icase) => {
                    let name = basename(path);
                    if *icase {
                        fnmatch(p, &name.to_lowercase())
                    } else {
                        fnmatch(p, name)
                    }
                }
                Find::Path(p) => fnmatch(p, path),
                Find::Type(k) => st.kind == *k,
                Find::Empty => match st.kind {
                    Kind::File => st.size == 0,
                    Kind::Dir => self.ctx.list(path).map(|l| l.is_empty()).unwrap_or(false),
                    Kind::Symlink => false,
                },
                Find::Print => {
                    self.out.write_str(&format!("{path}\n")).await;
                    true
                }
                Find::Print0 => {
                    self.out.write_str(&format!("{path}\0")).await;
                    true
                }
                Find::Delete => {
                    let r = if st.kind == Kind::Dir {
                        self.ctx.rmdir(path)
                    } else {
                        self.ctx.remove(path, false)
                    };
                    if let Err(err) = r {
                        error(self.ctx, "find", &format!("{path}: {}", err.message())).await;
                        self.status = 1;
                        return false;
                    }
                    true
                }
                Find::Exec(cmd, batch) => {
                    if *batch {
                        self.batch.push(path.to_string());
                        return true;
                    }
                    let argv: Vec<String> = cmd.iter().map(|a| a.replace("{}", path)).collect();
                    self.out.flush().await;
                    run_command(self.ctx, "find", argv).await == 0
                }
                Find::Not(x) => !self.eval(path, st, x).await,
                Find::And(a, b) => self.eval(path, st, a).await && self.eval(path, st, b).await,
                Find::Or(a, b) => self.eval(path, st, a).await || self.eval(path, st, b).await,
            }
        })
    }

    async fn flush_batches(&mut self, e: &Find) {
        if self.batch.is_empty() {
            return;
        }
        let mut cmd = None;
        find_batch_cmd(e, &mut cmd);
        if let Some(mut argv) = cmd {
            argv.append(&mut self.batch);
            self.out.flush().await;
            if run_command(self.ctx, "find", argv).await != 0 {
                self.status = 1;
            }
        }
    }
}

fn find_batch_cmd(e: &Find, out: &mut Option<Vec<String>>) {
    match e {
        Find::Exec(cmd, true) => *out = Some(cmd.clone()),
        Find::Not(x) => find_batch_cmd(x, out),
        Find::And(a, b) | Find::Or(a, b) => {
            find_batch_cmd(a, out);
            find_batch_cmd(b, out);
        }
        _ => {}
    }
}

/// Runs `argv` as a child process found on `$PATH` and waits for it (`spawn_and_wait`).
/// Prints `APPLET: can't execute 'X': ...` and returns 127 when it cannot be run.
pub async fn run_command(ctx: &Ctx, applet: &str, argv: Vec<String>) -> i32 {
    let Some(name) = argv.first().cloned() else {
        return 0;
    };
    let path_var = ctx.getenv("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    let path = match ctx.find_program(&name, &path_var) {
        Ok(p) => p,
        Err(e) => {
            error(
                ctx,
                applet,
                &format!("can't execute '{name}': {}", e.message()),
            )
            .await;
            return if e == Errno::ENOENT { 127 } else { 126 };
        }
    };
    let env = ctx.env();
    let pid = ctx.fork(move |child| {
        Box::pin(async move { child.exec(&path, argv, env).await.unwrap_or(126) })
    });
    match ctx.wait(pid, false).await {
        Ok(status) => status.code(),
        Err(_) => 1,
    }
}
