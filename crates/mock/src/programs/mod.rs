//! The programs images carry, by name: busybox (the shell and its applets), nginx, httpd,
//! redis, pause, agnhost, stress, python and node. An image's executables are files whose
//! contents name the program ([`binary`]); `exec` reads the file and runs what it names, so
//! a program exists in a container exactly when its image (or a volume) has the file.
//!
//! An executable may carry build facts after its first line (`version=1.27.5`), which the
//! program reads back from its own file ([`build_info`]): one nginx program serves every nginx
//! image and prints the version of the image it runs in.
//!
//! Shared pieces live here: the wall-clock formats the programs log with ([`wall`]), and
//! [`http`], the HTTP/1.1 server and client code of the servers.

pub mod agnhost;
pub mod curl;
pub mod http;
pub mod httpd;
pub mod nginx;
pub mod node;
pub mod pause;
pub mod python;
pub mod redis;
pub mod stress;

use std::collections::BTreeMap;

use k8s_openapi::jiff::Timestamp;
use podplay_engine::time::{Clock, Time};

use crate::kernel::{Ctx, ProgramFn, Task};

/// What an executable file starts with: an ELF header, then the program's name.
pub const MAGIC: &[u8] = b"\x7fELF podplay:";

/// The kernel release `uname -r` and nginx's `OS:` notice print: an Ubuntu 24.04 node's.
pub const KERNEL_RELEASE: &str = "6.8.0-49-generic";

/// The contents of the executable file for program `name`.
pub fn binary(name: &str) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(name.as_bytes());
    out.push(b'\n');
    out
}

/// The executable for program `name` with build facts (`version`, `compiler`) after its first
/// line, one `key=value` a line.
pub fn binary_with(name: &str, facts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = binary(name);
    for (k, v) in facts {
        out.extend_from_slice(format!("{k}={v}\n").as_bytes());
    }
    out
}

/// The program an executable file is, if it is one.
pub fn identify(content: &[u8]) -> Option<String> {
    let rest = content.strip_prefix(MAGIC)?;
    let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// The build facts of an executable file (empty for one without).
pub fn facts(content: &[u8]) -> BTreeMap<String, String> {
    let Some(rest) = content.strip_prefix(MAGIC) else {
        return BTreeMap::new();
    };
    String::from_utf8_lossy(rest)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The build facts of the running program, read back from its executable: `argv[0]` as a path,
/// else found on `$PATH` (as `exec` found it).
pub fn build_info(ctx: &Ctx, argv0: &str) -> BTreeMap<String, String> {
    let path_var = ctx
        .getenv("PATH")
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    let Ok(path) = ctx.find_program(argv0, &path_var) else {
        return BTreeMap::new();
    };
    ctx.read_file(&path).map(|c| facts(&c)).unwrap_or_default()
}

/// The entry point of program `name`.
pub fn lookup(name: &str, _argv: &[String]) -> Option<ProgramFn> {
    Some(match name {
        "busybox" => crate::busybox::main,
        "curl" => curl::main,
        // Debian's /bin/sh (dash) and /bin/bash are busybox's ash here.
        "dash" | "bash" => as_ash,
        "nginx" => nginx::main,
        "nginx-entrypoint" => nginx::entrypoint,
        "httpd" => httpd::main,
        "httpd-foreground" => httpd::foreground,
        "redis-server" => redis::server,
        "redis-cli" => redis::cli,
        "redis-entrypoint" => redis::entrypoint,
        "gosu" => redis::gosu,
        "pause" => pause::main,
        "agnhost" => agnhost::main,
        "stress" => stress::main,
        "python" => python::main,
        "pip" => python::pip,
        "node" => node::main,
        "node-entrypoint" => node::entrypoint,
        "npm" => node::npm,
        _ => return None,
    })
}

/// `bash` and `dash` as busybox's ash: the shell, called by the name busybox knows it by.
fn as_ash(ctx: Ctx, mut argv: Vec<String>) -> Task {
    if let Some(a) = argv.first_mut() {
        *a = "sh".into();
    }
    crate::busybox::main(ctx, argv)
}

/// The node's wall clock at virtual time `t` (the engine's epoch for t=0, 2026-01-01 UTC).
pub fn wall(t: Time) -> Timestamp {
    Clock::default().precise_timestamp(t)
}

/// Formats `t` with strftime directives, in UTC (containers run with TZ unset).
pub fn strftime(t: Time, format: &str) -> String {
    wall(t).strftime(format).to_string()
}

/// Seconds since the Unix epoch at `t`.
pub fn unix_seconds(t: Time) -> i64 {
    wall(t).as_second()
}

/// Milliseconds of `t` within its second.
pub fn millis(t: Time) -> u64 {
    t.as_millis() % 1000
}

/// The value of `$PATH` for a process, or the default one.
pub fn path_var(ctx: &Ctx) -> String {
    ctx.getenv("PATH")
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into())
}

/// Writes a whole line to stdout (fd 1).
pub async fn out(ctx: &Ctx, line: &str) {
    ctx.print(1, &format!("{line}\n")).await;
}

/// Writes a whole line to stderr (fd 2).
pub async fn err(ctx: &Ctx, line: &str) {
    ctx.print(2, &format!("{line}\n")).await;
}
