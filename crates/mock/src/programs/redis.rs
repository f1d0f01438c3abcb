//! Redis as the official image runs it: `docker-entrypoint.sh` (which re-`exec`s itself through
//! `gosu redis`) runs `redis-server`, which logs its start-up lines, listens on 6379 and answers
//! RESP (and inline) commands from an in-memory keyspace: PING, ECHO, SET, GET, DEL, EXISTS,
//! INCR/DECR/INCRBY, KEYS, DBSIZE, FLUSHALL, SELECT, INFO, QUIT. SIGTERM and SIGINT save the
//! keyspace to `dump.rdb` and exit 0 with redis's shutdown lines. `redis-cli` sends one command
//! and prints the reply as it does when stdout is not a terminal.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use crate::fs::{Errno, WriteMode};
use crate::kernel::{Ctx, Disposition, Signal, Task};

use super::http::{Event, Server};
use super::{build_info, err, out, path_var, strftime, unix_seconds};

/// The image's `docker-entrypoint.sh`: `redis-server` goes first when the arguments are options
/// or a config file; as root it re-runs itself as the redis user through gosu; then `exec "$@"`.
pub fn entrypoint(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let me = argv.first().cloned().unwrap_or_default();
        let mut args: Vec<String> = argv.iter().skip(1).cloned().collect();
        if args
            .first()
            .is_some_and(|a| a.starts_with('-') || a.ends_with(".conf"))
        {
            args.insert(0, "redis-server".into());
        }
        // `id -u`, `find . ! -user redis -exec chown …`, `umask`: three processes.
        for _ in 0..3 {
            let c = ctx.fork(|_| Ctx::done(0));
            let _ = ctx.wait(c, false).await;
        }
        let Some(program) = args.first().cloned() else {
            return 0;
        };
        match ctx.find_program(&program, &path_var(&ctx)) {
            Ok(path) => ctx.exec(&path, args, ctx.env()).await.unwrap_or(126),
            Err(_) => {
                err(&ctx, &format!("{me}: 24: exec: {program}: not found")).await;
                127
            }
        }
    })
}

/// `gosu USER COMMAND...`: runs the command as the user (the mock has one user).
pub fn gosu(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let args: Vec<String> = argv.iter().skip(2).cloned().collect();
        let Some(program) = args.first().cloned() else {
            err(&ctx, "Usage: gosu user-spec command [args]").await;
            return 1;
        };
        match ctx.find_program(&program, &path_var(&ctx)) {
            Ok(path) => ctx.exec(&path, args, ctx.env()).await.unwrap_or(126),
            Err(_) => {
                err(
                    &ctx,
                    &format!("error: exec: \"{program}\": executable file not found in $PATH"),
                )
                .await;
                1
            }
        }
    })
}

/// One RESP value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

impl Reply {
    fn encode(&self) -> Vec<u8> {
        match self {
            Reply::Status(s) => format!("+{s}\r\n").into_bytes(),
            Reply::Error(s) => format!("-{s}\r\n").into_bytes(),
            Reply::Int(n) => format!(":{n}\r\n").into_bytes(),
            Reply::Bulk(None) => b"$-1\r\n".to_vec(),
            Reply::Bulk(Some(b)) => {
                let mut out = format!("${}\r\n", b.len()).into_bytes();
                out.extend_from_slice(b);
                out.extend_from_slice(b"\r\n");
                out
            }
            Reply::Array(items) => {
                let mut out = format!("*{}\r\n", items.len()).into_bytes();
                for i in items {
                    out.extend(i.encode());
                }
                out
            }
        }
    }
}

/// Parses one command (a RESP array of bulk strings, or an inline line) from the front of
/// `buf`: `Some((args, consumed))` once it is complete.
fn parse_command(buf: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
    let line_end = |from: usize| {
        buf[from..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|i| from + i)
    };
    if buf.first() == Some(&b'*') {
        let end = line_end(0)?;
        let n: usize = std::str::from_utf8(&buf[1..end]).ok()?.parse().ok()?;
        let mut pos = end + 2;
        let mut args = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            if buf.get(pos) != Some(&b'$') {
                return None;
            }
            let e = line_end(pos)?;
            let len: usize = std::str::from_utf8(&buf[pos + 1..e]).ok()?.parse().ok()?;
            let start = e + 2;
            if buf.len() < start + len + 2 {
                return None;
            }
            args.push(buf[start..start + len].to_vec());
            pos = start + len + 2;
        }
        return Some((args, pos));
    }
    let nl = buf.iter().position(|b| *b == b'\n')?;
    let line = String::from_utf8_lossy(&buf[..nl])
        .trim_end_matches('\r')
        .to_string();
    let args = line
        .split_whitespace()
        .map(|w| w.trim_matches('"').as_bytes().to_vec())
        .collect();
    Some((args, nl + 1))
}

/// The keyspace.
#[derive(Default)]
struct Db {
    keys: BTreeMap<Vec<u8>, Vec<u8>>,
}

fn wrong_args(cmd: &str) -> Reply {
    Reply::Error(format!(
        "ERR wrong number of arguments for '{}' command",
        cmd.to_ascii_lowercase()
    ))
}

/// Runs one command. `Err(())` is QUIT.
fn execute(db: &mut Db, version: &str, args: &[Vec<u8>]) -> Result<Reply, ()> {
    let Some(name) = args.first() else {
        return Ok(Reply::Array(Vec::new()));
    };
    let cmd = String::from_utf8_lossy(name).to_string();
    let a = &args[1..];
    let int = |v: &[u8]| -> Option<i64> { std::str::from_utf8(v).ok()?.parse().ok() };
    Ok(match (cmd.to_ascii_uppercase().as_str(), a.len()) {
        ("PING", 0) => Reply::Status("PONG".into()),
        ("PING", 1) => Reply::Bulk(Some(a[0].clone())),
        ("ECHO", 1) => Reply::Bulk(Some(a[0].clone())),
        ("SET", n) if n >= 2 => {
            db.keys.insert(a[0].clone(), a[1].clone());
            Reply::Status("OK".into())
        }
        ("GET", 1) => Reply::Bulk(db.keys.get(&a[0]).cloned()),
        ("DEL", n) if n >= 1 => Reply::Int(a.iter().filter(|k| db.keys.remove(*k).is_some()).count() as i64),
        ("EXISTS", n) if n >= 1 => Reply::Int(a.iter().filter(|k| db.keys.contains_key(*k)).count() as i64),
        (c @ ("INCR" | "DECR"), 1) | (c @ ("INCRBY" | "DECRBY"), 2) => {
            let by = match c {
                "INCR" => 1,
                "DECR" => -1,
                _ => match int(&a[1]) {
                    Some(n) if c == "INCRBY" => n,
                    Some(n) => -n,
                    None => return Ok(Reply::Error("ERR value is not an integer or out of range".into())),
                },
            };
            let cur = match db.keys.get(&a[0]) {
                None => 0,
                Some(v) => match int(v) {
                    Some(n) => n,
                    None => return Ok(Reply::Error("ERR value is not an integer or out of range".into())),
                },
            };
            let Some(next) = cur.checked_add(by) else {
                return Ok(Reply::Error("ERR increment or decrement would overflow".into()));
            };
            db.keys.insert(a[0].clone(), next.to_string().into_bytes());
            Reply::Int(next)
        }
        ("KEYS", 1) => {
            let pat = String::from_utf8_lossy(&a[0]).to_string();
            Reply::Array(
                db.keys
                    .keys()
                    .filter(|k| glob_match(&pat, &String::from_utf8_lossy(k)))
                    .map(|k| Reply::Bulk(Some(k.clone())))
                    .collect(),
            )
        }
        ("DBSIZE", 0) => Reply::Int(db.keys.len() as i64),
        ("FLUSHALL" | "FLUSHDB", _) => {
            db.keys.clear();
            Reply::Status("OK".into())
        }
        ("SELECT", 1) => match int(&a[0]) {
            Some(0..=15) => Reply::Status("OK".into()),
            _ => Reply::Error("ERR DB index is out of range".into()),
        },
        ("INFO", _) => Reply::Bulk(Some(
            format!("# Server\r\nredis_version:{version}\r\nredis_mode:standalone\r\nos:Linux {} x86_64\r\ntcp_port:6379\r\n\r\n# Keyspace\r\n{}", super::KERNEL_RELEASE,
                if db.keys.is_empty() { String::new() } else { format!("db0:keys={},expires=0,avg_ttl=0\r\n", db.keys.len()) })
                .into_bytes(),
        )),
        ("COMMAND", _) => Reply::Array(Vec::new()),
        ("CLIENT", _) => Reply::Status("OK".into()),
        ("QUIT", _) => return Err(()),
        ("PING" | "ECHO" | "SET" | "GET" | "DEL" | "EXISTS" | "INCR" | "DECR" | "INCRBY"
        | "DECRBY" | "KEYS" | "DBSIZE" | "SELECT", _) => wrong_args(&cmd),
        _ => {
            let shown: String = a
                .iter()
                .map(|x| format!("'{}' ", String::from_utf8_lossy(x)))
                .collect();
            Reply::Error(format!(
                "ERR unknown command '{cmd}', with args beginning with: {shown}"
            ))
        }
    })
}

/// `KEYS` patterns: `*` and `?`.
fn glob_match(pat: &str, s: &str) -> bool {
    fn go(p: &[char], s: &[char]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &s[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = s.chars().collect();
    go(&p, &s)
}

/// `1:M 01 Jan 2026 00:00:01.000 * message`.
async fn rlog(ctx: &Ctx, role: char, level: char, msg: &str) {
    let now = ctx.now();
    out(
        ctx,
        &format!(
            "{}:{role} {}.{:03} {level} {msg}",
            ctx.ns_pid(),
            strftime(now, "%d %b %Y %H:%M:%S"),
            super::millis(now)
        ),
    )
    .await;
}

/// `redis-server [config] [--option value ...]`.
pub fn server(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run_server(&ctx, argv).await })
}

async fn run_server(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let info = build_info(ctx, argv.first().map_or("redis-server", String::as_str));
    let version = info
        .get("version")
        .cloned()
        .unwrap_or_else(|| "7.4.1".into());
    if argv.iter().any(|a| a == "-v" || a == "--version") {
        out(
            ctx,
            &format!("Redis server v={version} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64"),
        )
        .await;
        return 0;
    }
    let mut port: u16 = 6379;
    let mut save = true;
    let mut i = 1;
    while i < argv.len() {
        match argv[i].as_str() {
            "--port" => {
                port = argv.get(i + 1).and_then(|p| p.parse().ok()).unwrap_or(6379);
                i += 1;
            }
            "--save" => {
                save = argv.get(i + 1).is_some_and(|v| !v.is_empty());
                i += 1;
            }
            a if a.starts_with("--") => i += 1,
            _ => {}
        }
        i += 1;
    }
    let pid = ctx.ns_pid();
    let modified = if version.starts_with('8') { 1 } else { 0 };
    rlog(
        ctx,
        'C',
        '*',
        "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
    )
    .await;
    rlog(
        ctx,
        'C',
        '*',
        &format!("Redis version={version}, bits=64, commit=00000000, modified={modified}, pid={pid}, just started"),
    )
    .await;
    if argv.len() == 1 {
        rlog(ctx, 'C', '#', "Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf").await;
    } else {
        rlog(ctx, 'C', '*', "Configuration loaded").await;
    }
    rlog(ctx, 'M', '*', "monotonic clock: POSIX clock_gettime").await;
    let fd = match ctx.listen(port) {
        Ok(fd) => fd,
        Err(e) => {
            let why = match e {
                Errno::EADDRINUSE => "Address already in use".to_string(),
                other => other.message().to_string(),
            };
            rlog(
                ctx,
                'M',
                '#',
                &format!(
                    "Warning: Could not create server TCP listening socket *:{port}: bind: {why}"
                ),
            )
            .await;
            rlog(
                ctx,
                'M',
                '#',
                &format!("Failed listening on port {port} (tcp), aborting."),
            )
            .await;
            return 1;
        }
    };
    rlog(
        ctx,
        'M',
        '*',
        &format!("Running mode=standalone, port={port}."),
    )
    .await;
    rlog(ctx, 'M', '*', "Server initialized").await;
    rlog(ctx, 'M', '*', "Ready to accept connections tcp").await;
    ctx.set_disposition(Signal::Term, Disposition::Handle);
    ctx.set_disposition(Signal::Int, Disposition::Handle);
    ctx.set_disposition(Signal::Hup, Disposition::Ignore);
    ctx.set_disposition(Signal::Pipe, Disposition::Ignore);
    let _ = ctx.alloc(8 << 20);
    let db = Rc::new(RefCell::new(Db::default()));
    let version = Rc::new(version);
    let mut server = Server::new();
    loop {
        match server.next(ctx, &[(port, fd)]).await {
            Event::Accepted { fd: conn, .. } => {
                let (c, db, v) = (ctx.clone(), db.clone(), version.clone());
                server.spawn(
                    conn,
                    Box::pin(async move {
                        let mut buf: Vec<u8> = Vec::new();
                        'conn: loop {
                            while let Some((args, used)) = parse_command(&buf) {
                                buf.drain(..used);
                                if args.is_empty() {
                                    continue;
                                }
                                let before = db.borrow().keys.len();
                                let reply = execute(&mut db.borrow_mut(), &v, &args);
                                let after = db.borrow().keys.len();
                                if after > before {
                                    let _ = c.alloc(((after - before) * 64) as u64);
                                }
                                match reply {
                                    Ok(r) => {
                                        if c.write(conn, &r.encode()).await.is_err() {
                                            break 'conn;
                                        }
                                    }
                                    Err(()) => {
                                        let _ = c.write(conn, b"+OK\r\n").await;
                                        break 'conn;
                                    }
                                }
                            }
                            match c.read(conn, 16 * 1024).await {
                                Ok(chunk) if chunk.is_empty() => break,
                                Ok(chunk) => buf.extend_from_slice(&chunk),
                                Err(Errno::EINTR) => c.wait_change(None).await,
                                Err(_) => break,
                            }
                            if buf.len() > 1 << 20 {
                                break;
                            }
                        }
                        let _ = c.close(conn);
                    }),
                );
            }
            Event::Signal(sig @ (Signal::Term | Signal::Int)) => {
                out(
                    ctx,
                    &format!(
                        "{pid}:signal-handler ({}) Received SIG{} scheduling shutdown...",
                        unix_seconds(ctx.now()),
                        sig.name()
                    ),
                )
                .await;
                let _ = ctx.sleep(100).await;
                rlog(ctx, 'M', '*', "User requested shutdown...").await;
                if save {
                    rlog(
                        ctx,
                        'M',
                        '*',
                        "Saving the final RDB snapshot before exiting.",
                    )
                    .await;
                    let dump = format!("REDIS0011{}", db.borrow().keys.len());
                    match ctx.write_file("dump.rdb", dump.as_bytes(), WriteMode::Truncate) {
                        Ok(()) => rlog(ctx, 'M', '*', "DB saved on disk").await,
                        Err(e) => {
                            rlog(ctx, 'M', '#', &format!("Failed opening the temp RDB file temp-{pid}.rdb (in server root dir {}) for saving: {}", ctx.cwd(), e.message())).await;
                        }
                    }
                }
                rlog(ctx, 'M', '#', "Redis is now ready to exit, bye bye...").await;
                return 0;
            }
            _ => {}
        }
    }
}

/// `redis-cli [-h host] [-p port] [--raw] command [args...]`.
pub fn cli(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let mut host = "127.0.0.1".to_string();
        let mut port: u16 = 6379;
        let mut words: Vec<String> = Vec::new();
        let mut i = 1;
        while i < argv.len() {
            let a = argv[i].as_str();
            match a {
                "-h" => {
                    host = argv.get(i + 1).cloned().unwrap_or_default();
                    i += 1;
                }
                "-p" => {
                    port = argv.get(i + 1).and_then(|p| p.parse().ok()).unwrap_or(6379);
                    i += 1;
                }
                "-a" | "-n" | "-u" | "--user" | "--pass" => i += 1,
                "--raw" | "--no-raw" | "--no-auth-warning" => {}
                "-v" | "--version" => {
                    let info = build_info(&ctx, argv.first().map_or("redis-cli", String::as_str));
                    let v = info
                        .get("version")
                        .cloned()
                        .unwrap_or_else(|| "7.4.1".into());
                    out(&ctx, &format!("redis-cli {v}")).await;
                    return 0;
                }
                _ => {
                    words.extend(argv[i..].iter().cloned());
                    break;
                }
            }
            i += 1;
        }
        let Some(ip) = ctx.resolve(&host) else {
            err(
                &ctx,
                &format!("Could not connect to Redis at {host}:{port}: Name or service not known"),
            )
            .await;
            return 1;
        };
        let fd = match ctx.connect(&ip, port).await {
            Ok(fd) => fd,
            Err(e) => {
                let why = match e {
                    Errno::ECONNREFUSED => "Connection refused",
                    Errno::EHOSTUNREACH => "No route to host",
                    other => other.message(),
                };
                err(
                    &ctx,
                    &format!("Could not connect to Redis at {host}:{port}: {why}"),
                )
                .await;
                return 1;
            }
        };
        if words.is_empty() {
            // Interactive mode reads commands from stdin; without a terminal it reads to EOF.
            let _ = ctx.read_to_end(0).await;
            return 0;
        }
        let cmd = Reply::Array(
            words
                .iter()
                .map(|w| Reply::Bulk(Some(w.as_bytes().to_vec())))
                .collect(),
        );
        if ctx.write(fd, &cmd.encode()).await.is_err() {
            return 1;
        }
        let mut buf = Vec::new();
        loop {
            if let Some((reply, _)) = parse_reply(&buf) {
                let error = matches!(reply, Reply::Error(_));
                ctx.print(1, &render(&reply)).await;
                return if error { 1 } else { 0 };
            }
            match ctx.read(fd, 16 * 1024).await {
                Ok(chunk) if chunk.is_empty() => {
                    err(&ctx, "Error: Server closed the connection").await;
                    return 1;
                }
                Ok(chunk) => buf.extend_from_slice(&chunk),
                Err(_) => return 1,
            }
        }
    })
}

/// A reply as redis-cli prints it when stdout is not a terminal (`--no-raw` off).
fn render(r: &Reply) -> String {
    match r {
        Reply::Status(s) | Reply::Error(s) => format!("{s}\n"),
        Reply::Int(n) => format!("{n}\n"),
        Reply::Bulk(None) => "\n".into(),
        Reply::Bulk(Some(b)) => format!("{}\n", String::from_utf8_lossy(b)),
        Reply::Array(items) => items.iter().map(render).collect(),
    }
}

fn parse_reply(buf: &[u8]) -> Option<(Reply, usize)> {
    let end = buf.windows(2).position(|w| w == b"\r\n")?;
    let line = std::str::from_utf8(&buf[1..end]).ok()?;
    let next = end + 2;
    match buf.first()? {
        b'+' => Some((Reply::Status(line.into()), next)),
        b'-' => Some((Reply::Error(line.into()), next)),
        b':' => Some((Reply::Int(line.parse().ok()?), next)),
        b'$' => {
            let n: i64 = line.parse().ok()?;
            if n < 0 {
                return Some((Reply::Bulk(None), next));
            }
            let n = n as usize;
            if buf.len() < next + n + 2 {
                return None;
            }
            Some((
                Reply::Bulk(Some(buf[next..next + n].to_vec())),
                next + n + 2,
            ))
        }
        b'*' => {
            let n: i64 = line.parse().ok()?;
            let mut pos = next;
            let mut items = Vec::new();
            for _ in 0..n.max(0) {
                let (item, used) = parse_reply(&buf[pos..])?;
                items.push(item);
                pos += used;
            }
            Some((Reply::Array(items), pos))
        }
        _ => None,
    }
}
