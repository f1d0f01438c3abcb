//! `node` of the node image, for a documented subset of JavaScript: `console.log` /
//! `console.error` of literals, `setTimeout` / `setInterval` of such a call, `process.exit(n)`,
//! and `require('http').createServer(...).listen(PORT[, callback])` whose handler answers with
//! `res.end('text')` (and optionally `res.writeHead(code, ...)`). That covers
//! `node -e "require('http').createServer((q,s)=>s.end('hi')).listen(3000)"` and the same in a
//! script file. Other code stops with a note that says so.
//!
//! Node installs no SIGTERM or SIGINT handler, so as PID 1 it ignores both (a pod running
//! `node server.js` waits out its grace period and is killed, exit 137).

use crate::fs::Errno;
use crate::kernel::{Ctx, Task};

use super::http::{self, Conn, Event, Response, Server};
use super::python::{literal, split_args};
use super::{build_info, err, out, path_var};

/// The image's `docker-entrypoint.sh`: `node` goes first when the first argument is an
/// option, is not a command, or is a file that is not executable; then `exec "$@"`.
pub fn entrypoint(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let mut args: Vec<String> = argv.iter().skip(1).cloned().collect();
        let path = path_var(&ctx);
        let needs_node = match args.first() {
            None => false,
            Some(a) if a.starts_with('-') => true,
            Some(a) => {
                ctx.find_program(a, &path).is_err()
                    || (ctx.stat(a).is_ok_and(|s| s.mode & 0o111 == 0))
            }
        };
        if needs_node {
            args.insert(0, "node".into());
        }
        let Some(program) = args.first().cloned() else {
            return 0;
        };
        match ctx.find_program(&program, &path) {
            Ok(p) => ctx.exec(&p, args, ctx.env()).await.unwrap_or(126),
            Err(_) => {
                err(
                    &ctx,
                    &format!("/usr/local/bin/docker-entrypoint.sh: 11: exec: {program}: not found"),
                )
                .await;
                127
            }
        }
    })
}

/// `npm`: there is no registry to reach.
pub fn npm(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        match argv.get(1).map(String::as_str) {
            Some("--version" | "-v") => {
                out(&ctx, "10.9.0").await;
                0
            }
            _ => {
                err(&ctx, "npm error code EAI_AGAIN").await;
                err(&ctx, "npm error syscall getaddrinfo").await;
                err(&ctx, "npm error errno EAI_AGAIN").await;
                err(&ctx, "npm error request to https://registry.npmjs.org/ failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org").await;
                1
            }
        }
    })
}

/// node's `main`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run(&ctx, argv).await })
}

/// One thing the script does.
#[derive(Clone, Debug, PartialEq)]
enum Stmt {
    Log {
        stderr: bool,
        text: String,
    },
    Exit(i32),
    Timer {
        repeat: bool,
        ms: u64,
        body: Vec<Stmt>,
    },
    Serve {
        port: u16,
        status: u16,
        content_type: Option<String>,
        body: String,
        on_listen: Vec<Stmt>,
    },
}

async fn run(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let info = build_info(ctx, argv.first().map_or("node", String::as_str));
    let version = info
        .get("version")
        .cloned()
        .unwrap_or_else(|| "22.12.0".into());
    let mut i = 1;
    let mut code: Option<String> = None;
    let mut print = false;
    while i < argv.len() {
        match argv[i].as_str() {
            "-v" | "--version" => {
                out(ctx, &format!("v{version}")).await;
                return 0;
            }
            "-e" | "--eval" | "-p" | "--print" => {
                print = matches!(argv[i].as_str(), "-p" | "--print");
                code = Some(argv.get(i + 1).cloned().unwrap_or_default());
                break;
            }
            a if a.starts_with('-') => {}
            file => {
                let abs = crate::fs::normalize(&ctx.cwd(), file);
                match ctx.read_file(file) {
                    Ok(c) => code = Some(String::from_utf8_lossy(&c).into_owned()),
                    Err(_) => {
                        ctx.print(2, &format!("node:internal/modules/cjs/loader:1252\n  throw err;\n  ^\n\nError: Cannot find module '{abs}'\n    at Function._resolveFilename (node:internal/modules/cjs/loader:1249:15)\n    at Function._load (node:internal/modules/cjs/loader:1075:27)\n    at TracingChannel.traceSync (node:diagnostics_channel:322:14)\n    at wrapModuleLoad (node:internal/modules/cjs/loader:219:24)\n    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:170:5)\n    at node:internal/main/run_main_module:36:49 {{\n  code: 'MODULE_NOT_FOUND',\n  requireStack: []\n}}\n\nNode.js v{version}\n")).await;
                        return 1;
                    }
                }
                break;
            }
        }
        i += 1;
    }
    let code = match code {
        Some(c) => c,
        // No terminal: the script is read from stdin.
        None => String::from_utf8_lossy(&ctx.read_to_end(0).await.unwrap_or_default()).into_owned(),
    };
    if print {
        if let Some(v) = literal(code.trim()) {
            out(ctx, &v).await;
            return 0;
        }
    }
    let stmts = match parse(&code) {
        Ok(s) => s,
        Err(bad) => {
            err(ctx, &format!("podplay: this node runs console.log, timers, process.exit and an http.createServer(...).listen(port) only; not: {bad}")).await;
            return 1;
        }
    };
    let _ = ctx.alloc(40 << 20);
    execute(ctx, &version, stmts).await
}

/// Splits a script into the statements podplay knows.
fn parse(code: &str) -> Result<Vec<Stmt>, String> {
    let code = strip_comments(code);
    let mut out = Vec::new();
    for stmt in split_statements(&code) {
        let s = stmt.trim().trim_end_matches(';').trim();
        if s.is_empty() || s.starts_with("'use strict'") || s.starts_with("\"use strict\"") {
            continue;
        }
        if (s.starts_with("const ") || s.starts_with("let ") || s.starts_with("var "))
            && s.contains("require(")
            && !s.contains("createServer")
        {
            continue;
        }
        if s.contains("createServer") {
            out.push(server(s)?);
            continue;
        }
        out.push(simple(s).ok_or_else(|| s.to_string())?);
    }
    Ok(out)
}

fn simple(s: &str) -> Option<Stmt> {
    let s = s.trim().trim_end_matches(';').trim();
    for (name, stderr) in [
        ("console.log", false),
        ("console.info", false),
        ("console.error", true),
        ("console.warn", true),
    ] {
        if let Some(args) = call(s, name) {
            let parts: Option<Vec<String>> = split_args(args).iter().map(|a| literal(a)).collect();
            return Some(Stmt::Log {
                stderr,
                text: parts?.join(" "),
            });
        }
    }
    if let Some(args) = call(s, "process.exit") {
        return Some(Stmt::Exit(args.trim().parse().unwrap_or(0)));
    }
    for (name, repeat) in [("setTimeout", false), ("setInterval", true)] {
        if let Some(args) = call(s, name) {
            let a = split_args(args);
            let body = arrow_body(a.first()?)?;
            let ms = a.get(1).and_then(|m| m.trim().parse().ok()).unwrap_or(1);
            let body: Option<Vec<Stmt>> = split_statements(&body)
                .iter()
                .filter(|b| !b.trim().is_empty())
                .map(|b| simple(b))
                .collect();
            return Some(Stmt::Timer {
                repeat,
                ms,
                body: body?,
            });
        }
    }
    None
}

/// `() => expr`, `() => { stmts }`, `function () { stmts }`: the body.
fn arrow_body(f: &str) -> Option<String> {
    let f = f.trim();
    let body = if let Some(i) = f.find("=>") {
        f[i + 2..].trim()
    } else if f.starts_with("function") {
        &f[f.find('{')?..]
    } else {
        return None;
    };
    Some(
        body.strip_prefix('{')
            .and_then(|b| b.strip_suffix('}'))
            .unwrap_or(body)
            .to_string(),
    )
}

/// `require('http').createServer(handler).listen(port[, cb])`, or the same through a variable.
fn server(s: &str) -> Result<Stmt, String> {
    let bad = || s.to_string();
    let listen_at = s.rfind(".listen(").ok_or_else(bad)?;
    let listen_args = &s[listen_at + ".listen(".len()..];
    let listen_args = listen_args.rsplit_once(')').map_or(listen_args, |(a, _)| a);
    let la = split_args(listen_args);
    let port: u16 = la
        .first()
        .and_then(|p| p.trim().parse().ok())
        .ok_or_else(bad)?;
    let on_listen = match la.get(1) {
        Some(cb) => {
            let body = arrow_body(cb).ok_or_else(bad)?;
            split_statements(&body)
                .iter()
                .filter(|b| !b.trim().is_empty())
                .map(|b| simple(b).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?
        }
        None => Vec::new(),
    };
    let handler = &s[..listen_at];
    let end_at = handler.find(".end(").ok_or_else(bad)?;
    let end_args = &handler[end_at + ".end(".len()..];
    let end_args = end_args.split_once(')').map_or(end_args, |(a, _)| a);
    let body = if end_args.trim().is_empty() {
        String::new()
    } else {
        literal(end_args).ok_or_else(bad)?
    };
    let (status, content_type) = match handler.find(".writeHead(") {
        Some(w) => {
            let args = &handler[w + ".writeHead(".len()..];
            let args = args.split_once(')').map_or(args, |(a, _)| a);
            let status = args
                .split(',')
                .next()
                .and_then(|c| c.trim().parse().ok())
                .unwrap_or(200);
            let ct = args
                .find("Content-Type")
                .or(args.find("content-type"))
                .and_then(|i| args[i..].split_once(':'))
                .and_then(|(_, v)| literal(v.trim().trim_end_matches('}').trim()));
            (status, ct)
        }
        None => (200, None),
    };
    Ok(Stmt::Serve {
        port,
        status,
        content_type,
        body,
        on_listen,
    })
}

fn call<'a>(s: &'a str, name: &str) -> Option<&'a str> {
    let rest = s.strip_prefix(name)?.trim_start();
    rest.strip_prefix('(')?.strip_suffix(')')
}

fn strip_comments(code: &str) -> String {
    code.lines()
        .map(|l| {
            let t = l.trim_start();
            if t.starts_with("//") || t.starts_with("#!") {
                ""
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Splits at top-level `;` and newlines (outside quotes and brackets).
fn split_statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escape = false;
    for c in code.chars() {
        if let Some(q) = quote {
            cur.push(c);
            if escape {
                escape = false;
            } else if c == '\\' {
                escape = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                cur.push(c);
            }
            '(' | '{' | '[' => {
                depth += 1;
                cur.push(c);
            }
            ')' | '}' | ']' => {
                depth -= 1;
                cur.push(c);
            }
            ';' | '\n' if depth <= 0 => {
                if !cur.trim().is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                cur.clear();
            }
            '\n' => cur.push(' '),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

async fn run_simple(ctx: &Ctx, stmts: &[Stmt]) -> Option<i32> {
    for s in stmts {
        match s {
            Stmt::Log { stderr, text } => {
                ctx.print(if *stderr { 2 } else { 1 }, &format!("{text}\n"))
                    .await
            }
            Stmt::Exit(code) => return Some(*code),
            _ => {}
        }
    }
    None
}

async fn execute(ctx: &Ctx, version: &str, stmts: Vec<Stmt>) -> i32 {
    let mut timers: Vec<(u64, bool, u64, Vec<Stmt>)> = Vec::new();
    let mut serving: Option<(u16, i32, u16, Option<String>, String)> = None;
    for s in stmts {
        match s {
            Stmt::Log { .. } | Stmt::Exit(_) => {
                if let Some(code) = run_simple(ctx, std::slice::from_ref(&s)).await {
                    return code;
                }
            }
            Stmt::Timer { repeat, ms, body } => {
                timers.push((ctx.now().as_millis() + ms.max(1), repeat, ms.max(1), body));
            }
            Stmt::Serve {
                port,
                status,
                content_type,
                body,
                on_listen,
            } => match ctx.listen(port) {
                Ok(fd) => {
                    if let Some(code) = run_simple(ctx, &on_listen).await {
                        return code;
                    }
                    serving = Some((port, fd, status, content_type, body));
                }
                Err(e) => {
                    let (errno, text) = match e {
                        Errno::EADDRINUSE => (-98, "address already in use"),
                        Errno::EACCES => (-13, "permission denied"),
                        _ => (-22, "invalid argument"),
                    };
                    let code = if errno == -98 {
                        "EADDRINUSE"
                    } else if errno == -13 {
                        "EACCES"
                    } else {
                        "EINVAL"
                    };
                    ctx.print(2, &format!("node:events:497\n      throw er; // Unhandled 'error' event\n      ^\n\nError: listen {code}: {text} :::{port}\nEmitted 'error' event on Server instance at: {{\n  code: '{code}',\n  errno: {errno},\n  syscall: 'listen',\n  address: '::',\n  port: {port}\n}}\n\nNode.js v{version}\n")).await;
                    return 1;
                }
            },
        }
    }
    // The event loop: timers and the server, until nothing is left to wait for.
    let mut server = Server::new();
    loop {
        if serving.is_none() && timers.is_empty() {
            return 0;
        }
        let now = ctx.now().as_millis();
        let mut due: Vec<usize> = timers
            .iter()
            .enumerate()
            .filter(|(_, t)| t.0 <= now)
            .map(|(i, _)| i)
            .collect();
        due.sort_by_key(|i| timers[*i].0);
        for i in due
            .iter()
            .rev()
            .copied()
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            let body = timers[i].3.clone();
            if let Some(code) = run_simple(ctx, &body).await {
                return code;
            }
            let repeat = timers[i].1;
            if repeat {
                timers[i].0 = now + timers[i].2;
            } else {
                timers[i].0 = u64::MAX;
            }
        }
        timers.retain(|t| t.0 != u64::MAX);
        let next_timer = timers.iter().map(|t| t.0).min();
        match &serving {
            None => {
                if let Some(at) = next_timer {
                    let _ = ctx.sleep(at.saturating_sub(ctx.now().as_millis())).await;
                }
            }
            Some((port, fd, status, ctype, body)) => {
                let listeners = [(*port, *fd)];
                let wait = server.next(ctx, &listeners);
                let event = match next_timer {
                    Some(at) => {
                        let sleep = ctx.sleep(at.saturating_sub(ctx.now().as_millis()));
                        race(wait, sleep).await
                    }
                    None => Some(wait.await),
                };
                if let Some(Event::Accepted { fd: conn, .. }) = event {
                    let (c, status, ctype, body) =
                        (ctx.clone(), *status, ctype.clone(), body.clone());
                    server.spawn(
                        conn,
                        Box::pin(async move {
                            let mut reader = Conn::new(conn);
                            while let Ok(req) = reader.read_request(&c).await {
                                let keep = req.keep_alive();
                                let mut resp = Response::new(status, body.clone().into_bytes());
                                if let Some(ct) = &ctype {
                                    resp.headers.push(("Content-Type".into(), ct.clone()));
                                }
                                resp.headers.push(("Date".into(), http::http_date(c.now())));
                                if keep {
                                    resp.headers
                                        .push(("Connection".into(), "keep-alive".into()));
                                    resp.headers.push(("Keep-Alive".into(), "timeout=5".into()));
                                } else {
                                    resp.headers.push(("Connection".into(), "close".into()));
                                }
                                resp.headers
                                    .push(("Content-Length".into(), body.len().to_string()));
                                resp.send(&c, conn, req.method == "HEAD").await;
                                if !keep {
                                    break;
                                }
                            }
                            let _ = c.close(conn);
                        }),
                    );
                }
            }
        }
    }
}

/// Polls two futures; the first to finish wins (the other is dropped).
async fn race<A, B>(a: A, b: B) -> Option<Event>
where
    A: std::future::Future<Output = Event>,
    B: std::future::Future,
{
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(e) = a.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(e));
        }
        if b.as_mut().poll(cx).is_ready() {
            return std::task::Poll::Ready(None);
        }
        std::task::Poll::Pending
    })
    .await
}
