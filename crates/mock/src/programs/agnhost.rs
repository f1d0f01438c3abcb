//! `/agnhost` of registry.k8s.io/e2e-test-images/agnhost (kubernetes `test/images/agnhost`): the
//! subcommands the kubernetes.io examples use. `liveness` serves `/healthz` 200 for its first ten
//! seconds and 500 after (the liveness-probe tutorial); `netexec` serves `/`, `/echo`,
//! `/hostname`, `/healthz`, `/clientip`, `/shell`, `/exit` and `/shutdown` on `--http-port`;
//! `serve-hostname` answers its hostname on 9376; `pause` waits.
//!
//! agnhost is a Go program: responses carry Go's headers (sorted, `Content-Type` sniffed), its
//! log lines carry Go's `2006/01/02 15:04:05 ` prefix, and a signal it does not handle ends it
//! with exit code 2 even as PID 1 (Go's runtime re-raises, then exits 2).

use std::cell::Cell;
use std::rc::Rc;

use k8s_openapi::jiff::SignedDuration;
use podplay_engine::time::Time;

use crate::kernel::{Ctx, Disposition, Signal, Task};

use super::http::{self, Conn, Event, ReadError, Request, Response, Server};
use super::{err, out, strftime};

/// agnhost's `main` (cobra): the subcommand is the first argument.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let sub = argv.get(1).cloned().unwrap_or_default();
        let args: Vec<String> = argv.iter().skip(2).cloned().collect();
        match sub.as_str() {
            "liveness" => liveness(&ctx).await,
            "netexec" => netexec(&ctx, &args).await,
            "serve-hostname" => serve_hostname(&ctx, &args).await,
            "pause" => pause(&ctx).await,
            "" | "--help" | "-h" | "help" => {
                out(&ctx, "agnhost: Tool for testing Kubernetes").await;
                0
            }
            other => {
                err(
                    &ctx,
                    &format!("Error: unknown command \"{other}\" for \"agnhost\""),
                )
                .await;
                err(&ctx, "Run 'agnhost --help' for usage.").await;
                1
            }
        }
    })
}

/// Go's `log.Printf`: `2026/01/01 00:00:05 msg` on stderr.
async fn go_log(ctx: &Ctx, msg: &str) {
    err(
        ctx,
        &format!("{} {msg}", strftime(ctx.now(), "%Y/%m/%d %H:%M:%S")),
    )
    .await;
}

/// Go's runtime on a signal nobody handles: it dies of it, or exits 2 where the kernel will not
/// deliver it (PID 1).
fn go_signals(ctx: &Ctx) {
    for sig in [Signal::Term, Signal::Int, Signal::Quit, Signal::Hup] {
        ctx.set_disposition(sig, Disposition::Handle);
    }
}

/// A Go `net/http` response: headers sorted by name, `Content-Type` sniffed from the body.
fn go_response(ctx: &Ctx, status: u16, body: impl Into<Vec<u8>>, req: &Request) -> Response {
    let body: Vec<u8> = body.into();
    let mut headers: Vec<(String, String)> = Vec::new();
    if !req.keep_alive() {
        headers.push(("Connection".into(), "close".into()));
    }
    headers.push(("Content-Length".into(), body.len().to_string()));
    if !body.is_empty() {
        headers.push(("Content-Type".into(), sniff(&body).into()));
    }
    headers.push(("Date".into(), http::http_date(ctx.now())));
    let mut r = Response::new(status, body);
    r.headers = headers;
    r
}

/// `http.DetectContentType` for the bodies agnhost sends.
fn sniff(body: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    let t = head.trim_start();
    if [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<p",
        "<h1",
        "<div",
    ]
    .iter()
    .any(|p| t.starts_with(p))
    {
        "text/html; charset=utf-8"
    } else if t.starts_with('{')
        || t.starts_with('[')
        || body
            .iter()
            .all(|b| !b.is_ascii_control() || b.is_ascii_whitespace())
    {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

/// Go's `404 page not found`.
fn not_found(ctx: &Ctx, req: &Request) -> Response {
    let mut r = go_response(ctx, 404, "404 page not found\n", req);
    r.headers.insert(
        r.headers.len() - 1,
        ("X-Content-Type-Options".into(), "nosniff".into()),
    );
    r
}

/// `%v` of a float64 as Go prints it for these magnitudes: the shortest form that reads back.
fn go_float(v: f64) -> String {
    format!("{v}")
}

/// Binds `port` or reports Go's `log.Fatal(err)` of `ListenAndServe` (exit 1).
async fn listen_or_fatal(ctx: &Ctx, port: u16) -> Result<i32, i32> {
    match ctx.listen(port) {
        Ok(fd) => Ok(fd),
        Err(e) => {
            let why = match e {
                crate::fs::Errno::EADDRINUSE => "address already in use".to_string(),
                other => other.message().to_ascii_lowercase(),
            };
            go_log(ctx, &format!("listen tcp :{port}: bind: {why}")).await;
            Err(1)
        }
    }
}

/// Serves `handle` on `fd` until a signal: returns Go's exit code for it.
async fn serve<F>(ctx: &Ctx, port: u16, fd: i32, handle: F) -> i32
where
    F: Fn(&Ctx, &Request, &str) -> (Response, Vec<String>, Option<i32>) + Clone + 'static,
{
    let exit = Rc::new(Cell::new(None::<i32>));
    let mut server = Server::new();
    loop {
        match server.next(ctx, &[(port, fd)]).await {
            Event::Accepted { fd: conn_fd, .. } => {
                let (c, h, exit, stop) = (
                    ctx.clone(),
                    handle.clone(),
                    exit.clone(),
                    server.stop.clone(),
                );
                let task = Box::pin(async move {
                    let client = http::peer(&c, conn_fd);
                    let mut conn = Conn::new(conn_fd);
                    loop {
                        let req = match conn.read_request(&c).await {
                            Ok(r) => r,
                            Err(ReadError::Closed) => break,
                            Err(_) => {
                                let _ = c
                                    .write(conn_fd, b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request")
                                    .await;
                                break;
                            }
                        };
                        let (resp, logs, code) = h(&c, &req, &client);
                        for l in logs {
                            go_log(&c, &l).await;
                        }
                        if let Some(code) = code {
                            // os.Exit: no response, the connection dies with the process.
                            exit.set(Some(code));
                            stop.set(true);
                            break;
                        }
                        resp.send(&c, conn_fd, req.method == "HEAD").await;
                        if !req.keep_alive() {
                            break;
                        }
                    }
                    let _ = c.close(conn_fd);
                });
                server.spawn(conn_fd, task);
            }
            Event::Signal(_) => return 2,
            Event::Stopped => return exit.get().unwrap_or(0),
            Event::Idle => return 1,
        }
    }
}

/// `agnhost liveness`: alive for ten seconds (`test/images/agnhost/liveness/server.go`).
async fn liveness(ctx: &Ctx) -> i32 {
    go_signals(ctx);
    let _ = ctx.alloc(6 << 20);
    let started = ctx.now();
    let fd = match listen_or_fatal(ctx, 8080).await {
        Ok(fd) => fd,
        Err(code) => return code,
    };
    serve(ctx, 8080, fd, move |c, req, _| {
        let since = c.now().millis_since(started);
        let resp = match req.path.as_str() {
            "/started" => go_response(
                c,
                200,
                podplay_engine::go::format_duration(SignedDuration::from_millis(since as i64)),
                req,
            ),
            "/healthz" => {
                let secs = since as f64 / 1000.0;
                if secs > 10.0 {
                    go_response(c, 500, format!("error: {}", go_float(secs)), req)
                } else {
                    go_response(c, 200, "ok", req)
                }
            }
            "/redirect" => {
                let loc = req.query_param("loc").unwrap_or_default();
                let mut r = go_response(c, 302, "", req);
                r.headers
                    .insert(r.headers.len() - 1, ("Location".into(), loc));
                r
            }
            _ => not_found(c, req),
        };
        (resp, Vec::new(), None)
    })
    .await
}

/// `agnhost netexec` (`test/images/agnhost/netexec/netexec.go`).
async fn netexec(ctx: &Ctx, args: &[String]) -> i32 {
    go_signals(ctx);
    let _ = ctx.alloc(8 << 20);
    let mut http_port: u16 = 8080;
    let mut udp_port: i64 = 8081;
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (args[i].clone(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| {
                i += 1;
                args.get(i).cloned()
            })
        };
        match flag.trim_start_matches('-') {
            "http-port" => http_port = value().and_then(|v| v.parse().ok()).unwrap_or(8080),
            "udp-port" => udp_port = value().and_then(|v| v.parse().ok()).unwrap_or(8081),
            "sctp-port"
            | "tls-cert-file"
            | "tls-private-key-file"
            | "http-override"
            | "udp-listen-addresses" => {
                let _ = value();
            }
            _ => {
                err(ctx, &format!("Error: unknown flag: {}", args[i])).await;
                return 1;
            }
        }
        i += 1;
    }
    let started = ctx.now();
    if udp_port != -1 {
        // The UDP server (which only answers over UDP) marks the server ready.
        go_log(ctx, &format!("Started UDP server on port  {udp_port}")).await;
    }
    go_log(ctx, &format!("Started HTTP server on port {http_port}")).await;
    let fd = match listen_or_fatal(ctx, http_port).await {
        Ok(fd) => fd,
        Err(code) => return code,
    };
    let hostname = ctx.hostname();
    let conns = Rc::new(Cell::new(0u32));
    serve(ctx, http_port, fd, move |c, req, client| {
        conns.set(conns.get() + 1);
        let mut logs = Vec::new();
        let mut exit = None;
        let resp = match req.path.as_str() {
            "/echo" => {
                let msg = req.query_param("msg").unwrap_or_default();
                let code = req.query_param("code").unwrap_or_default();
                logs.push(format!("GET /echo?msg={msg}&code={code}"));
                match code.parse::<u16>() {
                    Ok(n) => go_response(c, n, msg, req),
                    Err(_) if code.is_empty() => go_response(c, 200, msg, req),
                    Err(_) => go_response(
                        c,
                        200,
                        format!(
                            "argument 'code' must be an integer or empty, got {}\n",
                            podplay_engine::go::quote(&code)
                        ),
                        req,
                    ),
                }
            }
            "/hostname" | "/hostName" => {
                logs.push(format!("GET {}", req.path));
                go_response(c, 200, hostname.clone(), req)
            }
            "/healthz" => {
                logs.push("GET /healthz".into());
                go_response(c, 200, "", req)
            }
            "/clientip" => {
                logs.push("GET /clientip".into());
                go_response(c, 200, format!("{client}:{}", 40000 + conns.get()), req)
            }
            "/shutdown" => {
                logs.push("GET /shutdown".into());
                exit = Some(0);
                go_response(c, 200, "", req)
            }
            "/exit" => {
                let code = req.query_param("code").unwrap_or_default();
                let timeout = req.query_param("timeout").unwrap_or_default();
                let wait = req.query_param("wait").unwrap_or_default();
                logs.push(format!("GET /exit?code={code}&timeout={timeout}&wait={wait}"));
                match code.parse::<i32>() {
                    Ok(n) => {
                        logs.push(format!(
                            "Will begin shutdown in 0s, allowing 0s for connections to close, then will exit with {n}"
                        ));
                        exit = Some(n);
                        go_response(c, 200, "", req)
                    }
                    Err(_) if code.is_empty() => {
                        logs.push("Will begin shutdown in 0s, allowing 0s for connections to close, then will exit with 0".into());
                        exit = Some(0);
                        go_response(c, 200, "", req)
                    }
                    Err(_) => go_response(
                        c,
                        200,
                        format!(
                            "argument 'code' must be an integer [0-127] or empty, got {}\n",
                            podplay_engine::go::quote(&code)
                        ),
                        req,
                    ),
                }
            }
            _ => {
                logs.push("GET /".into());
                go_response(c, 200, format!("NOW: {}", go_now(c.now(), started)), req)
            }
        };
        (resp, logs, exit)
    })
    .await
}

/// `time.Now().String()`: `2026-01-01 00:00:05.123 +0000 UTC m=+5.123000001`.
fn go_now(now: Time, started: Time) -> String {
    let ms = now.as_millis() % 1000;
    let frac = if ms == 0 {
        String::new()
    } else {
        format!(".{}", format!("{ms:03}").trim_end_matches('0'))
    };
    let mono = now.millis_since(started) as f64 / 1000.0;
    format!(
        "{}{frac} +0000 UTC m=+{mono:.9}",
        strftime(now, "%Y-%m-%d %H:%M:%S")
    )
}

/// `agnhost serve-hostname` (`test/images/agnhost/serve-hostname/serve_hostname.go`).
async fn serve_hostname(ctx: &Ctx, args: &[String]) -> i32 {
    let mut port: u16 = 9376;
    let mut close = false;
    for a in args {
        let (flag, value) = a.split_once('=').unwrap_or((a.as_str(), ""));
        match flag.trim_start_matches('-') {
            "port" => port = value.parse().unwrap_or(9376),
            "close" => close = value != "false",
            "http" | "tcp" | "udp" => {}
            _ => {
                err(ctx, &format!("Error: unknown flag: {a}")).await;
                return 1;
            }
        }
    }
    ctx.set_disposition(Signal::Term, Disposition::Handle);
    for sig in [Signal::Int, Signal::Quit, Signal::Hup] {
        ctx.set_disposition(sig, Disposition::Handle);
    }
    let _ = ctx.alloc(6 << 20);
    let hostname = ctx.hostname();
    let fd = match ctx.listen(port) {
        Ok(fd) => fd,
        Err(_) => {
            go_log(ctx, &format!("Serving on port {port}.")).await;
            go_log(
                ctx,
                &format!("listen tcp :{port}: bind: address already in use"),
            )
            .await;
            return 1;
        }
    };
    go_log(ctx, &format!("Serving on port {port}.")).await;
    let mut server = Server::new();
    let mut conns = 0u32;
    loop {
        match server.next(ctx, &[(port, fd)]).await {
            Event::Accepted { fd: conn_fd, .. } => {
                conns += 1;
                let (c, name, n) = (ctx.clone(), hostname.clone(), conns);
                server.spawn(
                    conn_fd,
                    Box::pin(async move {
                        let client = http::peer(&c, conn_fd);
                        let mut conn = Conn::new(conn_fd);
                        while let Ok(req) = conn.read_request(&c).await {
                            go_log(&c, &format!("HTTP request from {client}:{}", 40000 + n)).await;
                            let mut resp = go_response(&c, 200, name.clone(), &req);
                            if close && !resp.headers.iter().any(|(k, _)| k == "Connection") {
                                resp.headers
                                    .insert(0, ("Connection".into(), "close".into()));
                            }
                            resp.send(&c, conn_fd, false).await;
                            if close || !req.keep_alive() {
                                break;
                            }
                        }
                        let _ = c.close(conn_fd);
                    }),
                );
            }
            Event::Signal(Signal::Term) => {
                go_log(ctx, "Shutting down after receiving signal: terminated.").await;
                go_log(ctx, "Awaiting pod deletion.").await;
                ctx.set_disposition(Signal::Term, Disposition::Ignore);
                let _ = ctx.sleep(60_000).await;
                return 0;
            }
            Event::Signal(_) => return 2,
            Event::Idle | Event::Stopped => return 1,
        }
    }
}

/// `agnhost pause` (`test/images/agnhost/pause/pause.go`): SIGINT exits 1, SIGTERM exits 2.
async fn pause(ctx: &Ctx) -> i32 {
    out(ctx, "Paused").await;
    ctx.set_disposition(Signal::Int, Disposition::Handle);
    ctx.set_disposition(Signal::Term, Disposition::Handle);
    let _ = ctx.alloc(4 << 20);
    loop {
        match ctx.wait_signal().await {
            Signal::Int => return 1,
            Signal::Term => return 2,
            _ => {}
        }
    }
}
