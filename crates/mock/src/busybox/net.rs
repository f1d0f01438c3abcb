//! The network applets: wget (HTTP/1.1 GET over the pod's network namespace), nc (client,
//! `-z` and `-l` server) and nslookup (networking/wget.c, nc_bloaty.c, nslookup.c).

use crate::fs::Errno;
use crate::kernel::{Ctx, Disposition, OpenMode, Signal};

use super::util::{error, getopt, human, Input, Out, Spec};
use super::{bad_option, show_usage};

/// A URL as wget's `parse_url` splits it.
struct Url {
    /// `host` or `host:port`, as written (the `Host:` header and the messages use it).
    host: String,
    /// The host without the port.
    name: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s, r),
        None => ("http", url),
    };
    let default_port = match scheme {
        "http" => 80,
        "https" => 443,
        "ftp" => 21,
        _ => return Err(format!("not an http or ftp url: {url}")),
    };
    let cut = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (mut host, tail) = rest.split_at(cut);
    let path = match tail.as_bytes().first() {
        Some(b'/') => tail[1..].to_string(),
        Some(_) => tail[1..].to_string(),
        None => String::new(),
    };
    if let Some(at) = host.rfind('@') {
        host = &host[at + 1..];
    }
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) => match p.parse::<u16>() {
            Ok(p) => (n.to_string(), p),
            Err(_) => return Err(format!("bad port spec '{host}'")),
        },
        None => (host.to_string(), default_port),
    };
    let path = path.split('#').next().unwrap_or("").to_string();
    Ok(Url {
        host: host.to_string(),
        name,
        port,
        path,
    })
}

/// Kills and reaps the watcher that sends SIGALRM when a timeout runs out.
async fn stop_watcher(ctx: &Ctx, watcher: u32) {
    if let Some(ns) = ctx.ns_pid_of(watcher) {
        let _ = ctx.kill(ns, Some(Signal::Kill));
    }
    let _ = ctx.wait(watcher, false).await;
}

/// Starts a child that sends this process SIGALRM after `secs` (busybox's `alarm()`).
fn alarm(ctx: &Ctx, secs: u64) -> u32 {
    ctx.set_disposition(Signal::Alrm, Disposition::Handle);
    let me = ctx.ns_pid();
    ctx.fork(move |w| {
        Box::pin(async move {
            let _ = w.sleep(secs.saturating_mul(1000)).await;
            let _ = w.kill(me, Some(Signal::Alrm));
            0
        })
    })
}

enum Fail {
    /// Message for `wget: ...`.
    Msg(String),
}

/// `wget [-cqS] [--spider] [-O FILE] [-P DIR] [-U AGENT] [-T SEC] [--header H] URL...`
pub async fn wget(ctx: &Ctx, args: &[String]) -> i32 {
    let spec = Spec {
        short: "cqSO:o:P:Y:U:T:t:n:",
        long: &[
            ("continue", 'c', false),
            ("quiet", 'q', false),
            ("server-response", 'S', false),
            ("output-document", 'O', true),
            ("output-file", 'o', true),
            ("directory-prefix", 'P', true),
            ("proxy", 'Y', true),
            ("user-agent", 'U', true),
            ("timeout", 'T', true),
            ("tries", 't', true),
            ("header", 'H', true),
            ("post-data", 'D', true),
            ("spider", 's', false),
            ("no-check-certificate", 'k', false),
            ("passive-ftp", '~', false),
            ("no-cache", '~', false),
            ("no-verbose", '~', false),
            ("no-clobber", '~', false),
            ("no-host-directories", '~', false),
            ("no-parent", '~', false),
        ],
        stop_at_operand: false,
    };
    let o = match getopt(args, &spec) {
        Ok(o) => o,
        Err(e) => return bad_option(ctx, "wget", &e).await,
    };
    if o.args.is_empty() {
        show_usage(ctx, "wget").await;
        return 1;
    }
    let timeout: u64 = match o.value('T') {
        Some(t) => match t.parse() {
            Ok(v) => v,
            Err(_) => {
                error(ctx, "wget", &format!("invalid number '{t}'")).await;
                return 1;
            }
        },
        None => 900,
    };
    let watcher = (timeout > 0).then(|| alarm(ctx, timeout));
    let mut status = 0;
    for url in &o.args {
        if let Err(Fail::Msg(m)) = wget_one(ctx, url, &o).await {
            let m = if ctx.take_signal() == Some(Signal::Alrm) {
                "download timed out".to_string()
            } else {
                m
            };
            error(ctx, "wget", &m).await;
            status = 1;
            break;
        }
    }
    if let Some(w) = watcher {
        stop_watcher(ctx, w).await;
    }
    status
}

async fn wget_one(ctx: &Ctx, url: &str, o: &super::util::Opts) -> Result<(), Fail> {
    let quiet = o.has('q');
    let mut target = parse_url(url).map_err(Fail::Msg)?;
    let to_stdout = o.value('O') == Some("-");
    let fname = match o.value('O') {
        Some(f) => f.to_string(),
        None => {
            let last = target.path.rsplit('/').next().unwrap_or("");
            let name = if last.is_empty() { "index.html" } else { last };
            match o.value('P') {
                Some(dir) => super::util::join(dir, name),
                None => name.to_string(),
            }
        }
    };
    let mut redirects = 5;
    loop {
        let Some(ip) = ctx.resolve(&target.name) else {
            return Err(Fail::Msg(format!("bad address '{}'", target.name)));
        };
        if !quiet {
            ctx.print(
                2,
                &format!("Connecting to {} ({ip}:{})\n", target.host, target.port),
            )
            .await;
        }
        let sock = match ctx.connect(&ip, target.port).await {
            Ok(fd) => fd,
            Err(e) => {
                return Err(Fail::Msg(format!(
                    "can't connect to remote host ({ip}): {}",
                    e.message()
                )))
            }
        };
        let method = if o.has('D') { "POST" } else { "GET" };
        let mut req = format!("{method} /{} HTTP/1.1\r\n", target.path);
        let headers: Vec<&str> = o.values('H');
        if !headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("host:"))
        {
            req.push_str(&format!("Host: {}\r\n", target.host));
        }
        if !headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("user-agent:"))
        {
            req.push_str(&format!(
                "User-Agent: {}\r\n",
                o.value('U').unwrap_or("Wget")
            ));
        }
        req.push_str("Connection: close\r\n");
        for h in &headers {
            req.push_str(h);
            req.push_str("\r\n");
        }
        if let Some(data) = o.value('D') {
            req.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{data}",
                data.len()
            ));
        } else {
            req.push_str("\r\n");
        }
        if ctx.write(sock, req.as_bytes()).await.is_err() {
            let _ = ctx.close(sock);
            return Err(Fail::Msg(
                "error getting response: Connection reset by peer".into(),
            ));
        }
        let mut input = Input::fd(sock);
        let status_line = match input.line(ctx).await {
            Ok(Some(l)) => sanitize(&l),
            Ok(None) => {
                // fgets hit the end: bb_perror_msg with errno 0 adds no reason.
                let _ = ctx.close(sock);
                return Err(Fail::Msg("error getting response".into()));
            }
            Err(e) => {
                let _ = ctx.close(sock);
                return Err(Fail::Msg(format!(
                    "error getting response: {}",
                    e.message()
                )));
            }
        };
        if o.has('S') {
            ctx.print(2, &format!("  {status_line}\n")).await;
        }
        let code: u32 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mut content_len: Option<u64> = None;
        let mut chunked = false;
        let mut location: Option<String> = None;
        loop {
            let line = match input.line(ctx).await {
                Ok(Some(l)) => sanitize(&l),
                _ => String::new(),
            };
            if line.is_empty() {
                break;
            }
            if o.has('S') {
                ctx.print(2, &format!("  {line}\n")).await;
            }
            let Some((k, v)) = line.split_once(':') else {
                let _ = ctx.close(sock);
                return Err(Fail::Msg(format!("bad header line: {line}")));
            };
            let v = v.trim();
            match k.to_ascii_lowercase().as_str() {
                "content-length" => match v.parse() {
                    Ok(n) => content_len = Some(n),
                    Err(_) => {
                        let _ = ctx.close(sock);
                        return Err(Fail::Msg(format!("content-length {v} is garbage")));
                    }
                },
                "transfer-encoding" => {
                    if !v.eq_ignore_ascii_case("chunked") {
                        let _ = ctx.close(sock);
                        return Err(Fail::Msg(format!(
                            "transfer encoding '{v}' is not supported"
                        )));
                    }
                    chunked = true;
                }
                "location" => location = Some(v.to_string()),
                _ => {}
            }
        }
        match code {
            200..=204 => {}
            300..=303 => {
                if let Some(loc) = location {
                    let _ = ctx.close(sock);
                    redirects -= 1;
                    if redirects == 0 {
                        return Err(Fail::Msg("too many redirections".into()));
                    }
                    if let Some(p) = loc.strip_prefix('/') {
                        target.path = p.to_string();
                    } else {
                        target = parse_url(&loc).map_err(Fail::Msg)?;
                    }
                    continue;
                }
            }
            _ => {
                let _ = ctx.close(sock);
                return Err(Fail::Msg(format!("server returned error: {status_line}")));
            }
        }
        if o.has('s') {
            let _ = ctx.close(sock);
            if !quiet {
                ctx.print(2, "remote file exists\n").await;
            }
            return Ok(());
        }
        // The output: stdout, or the file (refusing to overwrite without -O).
        let out_fd = if to_stdout {
            1
        } else {
            if o.value('O').is_none() && ctx.lstat(&fname).is_ok() {
                let _ = ctx.close(sock);
                return Err(Fail::Msg(format!(
                    "can't open '{fname}': {}",
                    Errno::EEXIST.message()
                )));
            }
            match ctx.open(&fname, OpenMode::Truncate) {
                Ok(fd) => fd,
                Err(e) => {
                    let _ = ctx.close(sock);
                    return Err(Fail::Msg(format!("can't open '{fname}': {}", e.message())));
                }
            }
        };
        if !quiet {
            if to_stdout {
                ctx.print(2, "writing to stdout\n").await;
            } else {
                ctx.print(2, &format!("saving to '{fname}'\n")).await;
            }
        }
        let mut transferred: u64 = 0;
        let body = read_body(
            ctx,
            &mut input,
            content_len,
            chunked,
            out_fd,
            &mut transferred,
        )
        .await;
        let _ = ctx.close(sock);
        if !to_stdout {
            let _ = ctx.close(out_fd);
        }
        body?;
        if !quiet {
            let shown = if to_stdout {
                "-".to_string()
            } else {
                super::util::basename(&fname).to_string()
            };
            let size = human(transferred);
            let bar = "*".repeat(32);
            ctx.print(
                2,
                &format!("{shown:<20.20} 100% |{bar}| {size:>5}  0:00:00 ETA\n"),
            )
            .await;
            if to_stdout {
                ctx.print(2, "written to stdout\n").await;
            } else {
                ctx.print(2, &format!("'{fname}' saved\n")).await;
            }
        }
        return Ok(());
    }
}

/// `sanitize_string`: the line up to its first control character (tabs become spaces).
fn sanitize(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(line);
    let mut out = String::new();
    for c in s.chars() {
        if c == '\t' {
            out.push(' ');
        } else if (c as u32) < 0x20 {
            break;
        } else {
            out.push(c);
        }
    }
    out
}

async fn read_body(
    ctx: &Ctx,
    input: &mut Input,
    content_len: Option<u64>,
    chunked: bool,
    out_fd: i32,
    transferred: &mut u64,
) -> Result<(), Fail> {
    let mut out = Out::new(ctx, out_fd);
    if chunked {
        loop {
            let size_line = match input.line(ctx).await {
                Ok(Some(l)) => sanitize(&l),
                _ => break,
            };
            let hex = size_line.split(';').next().unwrap_or("").trim();
            let Ok(size) = u64::from_str_radix(hex, 16) else {
                return Err(Fail::Msg(format!("bad chunk length '{size_line}'")));
            };
            if size == 0 {
                break;
            }
            let mut left = size;
            while left > 0 {
                let chunk = input.chunk(ctx).await.unwrap_or_default();
                if chunk.is_empty() {
                    break;
                }
                let n = (left as usize).min(chunk.len());
                out.write(&chunk[..n]).await;
                if n < chunk.len() {
                    input.unread(chunk[n..].to_vec());
                }
                left -= n as u64;
                *transferred += n as u64;
            }
            // The CRLF after the chunk.
            let _ = input.line(ctx).await;
        }
    } else {
        let mut left = content_len;
        loop {
            if left == Some(0) {
                break;
            }
            let chunk = match input.chunk(ctx).await {
                Ok(c) => c,
                Err(Errno::EINTR) => return Err(Fail::Msg("download timed out".into())),
                Err(e) => return Err(Fail::Msg(format!("read error: {}", e.message()))),
            };
            if chunk.is_empty() {
                break;
            }
            let n = left.map_or(chunk.len(), |l| (l as usize).min(chunk.len()));
            out.write(&chunk[..n]).await;
            *transferred += n as u64;
            if let Some(l) = &mut left {
                *l -= n as u64;
            }
        }
    }
    out.flush().await;
    Ok(())
}

/// `nc [-w SEC] [-v] HOST PORT`, `nc -z HOST PORT`, `nc -l [-k] -p PORT [-e PROG ARGS]`:
/// stdin goes to the connection (its end shuts the sending half) and the connection's data to
/// stdout, until the peer closes.
pub async fn nc(ctx: &Ctx, args: &[String]) -> i32 {
    // Everything after `-e PROG` belongs to PROG.
    let (args, exec): (Vec<String>, Option<Vec<String>>) = match args.iter().position(|a| a == "-e")
    {
        Some(i) if i + 1 < args.len() => (args[..i].to_vec(), Some(args[i + 1..].to_vec())),
        _ => (args.to_vec(), None),
    };
    let spec = Spec {
        short: "lkp:w:vnzuq:s:i:o:",
        long: &[],
        stop_at_operand: false,
    };
    let o = match getopt(&args, &spec) {
        Ok(o) => o,
        Err(e) => return bad_option(ctx, "nc", &e).await,
    };
    let listen = o.has('l');
    let verbose = o.has('v');
    if o.has('u') {
        error(ctx, "nc", "UDP is not supported").await;
        return 1;
    }
    if listen {
        let port = o
            .value('p')
            .or_else(|| o.args.get(1).map(String::as_str))
            .or_else(|| {
                o.args
                    .first()
                    .map(String::as_str)
                    .filter(|a| a.parse::<u16>().is_ok())
            });
        let Some(port) = port.and_then(|p| p.parse::<u16>().ok()) else {
            show_usage(ctx, "nc").await;
            return 1;
        };
        let lfd = match ctx.listen(port) {
            Ok(fd) => fd,
            Err(e) => {
                error(ctx, "nc", &format!("bind: {}", e.message())).await;
                return 1;
            }
        };
        if verbose {
            ctx.print(2, &format!("listening on [::]:{port} ...\n"))
                .await;
        }
        loop {
            let conn = match ctx.accept(lfd).await {
                Ok(fd) => fd,
                Err(e) => {
                    error(ctx, "nc", &format!("accept: {}", e.message())).await;
                    return 1;
                }
            };
            if verbose {
                ctx.print(
                    2,
                    &format!(
                        "connect to [{}]:{port} from [{}]:0\n",
                        ctx.pod_ip(),
                        "127.0.0.1"
                    ),
                )
                .await;
            }
            if let Some(argv) = &exec {
                if o.has('k') {
                    let argv = argv.clone();
                    let _ = ctx.fork(move |child| {
                        Box::pin(async move { exec_on(&child, conn, argv).await })
                    });
                    let _ = ctx.close(conn);
                    reap_children(ctx);
                    continue;
                }
                let _ = ctx.close(lfd);
                return exec_on(ctx, conn, argv.clone()).await;
            }
            let code = pump(ctx, conn).await;
            if !o.has('k') {
                let _ = ctx.close(lfd);
                return code;
            }
        }
    }
    if o.args.len() != 2 {
        show_usage(ctx, "nc").await;
        return 1;
    }
    let host = &o.args[0];
    let Ok(port) = o.args[1].parse::<u16>() else {
        error(ctx, "nc", &format!("bad port '{}'", o.args[1])).await;
        return 1;
    };
    let Some(ip) = ctx.resolve(host) else {
        error(ctx, "nc", &format!("bad address '{host}'")).await;
        return 1;
    };
    let conn = match ctx.connect(&ip, port).await {
        Ok(fd) => fd,
        Err(e) => {
            // nc 1.10 reports a refused connection only at -vv, other failures at -v.
            let v = o.flags.iter().filter(|(f, _)| *f == 'v').count();
            if v > 1 || (v == 1 && e != Errno::ECONNREFUSED) {
                error(ctx, "nc", &format!("{host} ({ip}:{port}): {}", e.message())).await;
            }
            return 1;
        }
    };
    if verbose {
        ctx.print(2, &format!("{host} ({ip}:{port}) open\n")).await;
    }
    if o.has('z') {
        let _ = ctx.close(conn);
        return 0;
    }
    if let Some(argv) = exec {
        return exec_on(ctx, conn, argv).await;
    }
    pump(ctx, conn).await
}

fn reap_children(ctx: &Ctx) {
    for c in ctx.children() {
        if ctx.has_ended(c) {
            // Reaping a child that ended never waits.
            let _ = futures_lite_reap(ctx, c);
        }
    }
}

fn futures_lite_reap(ctx: &Ctx, pid: u32) -> bool {
    // `wait` on an ended child completes at its first poll; drive it by hand.
    let mut fut = std::pin::pin!(ctx.wait(pid, false));
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    fut.as_mut().poll(&mut cx).is_ready()
}

use std::future::Future;

/// `-e PROG`: the connection becomes PROG's stdin and stdout.
async fn exec_on(ctx: &Ctx, conn: i32, argv: Vec<String>) -> i32 {
    let _ = ctx.dup2(conn, 0);
    let _ = ctx.dup2(conn, 1);
    let _ = ctx.close(conn);
    let path_var = ctx.getenv("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    match ctx.find_program(&argv[0], &path_var) {
        Ok(path) => match ctx.exec(&path, argv.clone(), ctx.env()).await {
            Ok(code) => code,
            Err(e) => {
                error(
                    ctx,
                    "nc",
                    &format!("can't execute '{}': {}", argv[0], e.message()),
                )
                .await;
                1
            }
        },
        Err(e) => {
            error(
                ctx,
                "nc",
                &format!("can't execute '{}': {}", argv[0], e.message()),
            )
            .await;
            1
        }
    }
}

/// Copies stdin to the connection (in a child, which shuts the sending half at stdin's end)
/// and the connection to stdout, until the peer closes.
async fn pump(ctx: &Ctx, conn: i32) -> i32 {
    let sender = ctx.fork(move |child| {
        Box::pin(async move {
            let mut input = Input::fd(0);
            loop {
                match input.chunk(&child).await {
                    Ok(c) if !c.is_empty() => {
                        if child.write(conn, &c).await.is_err() {
                            return 1;
                        }
                    }
                    _ => break,
                }
            }
            let _ = child.shutdown_write(conn);
            0
        })
    });
    let mut input = Input::fd(conn);
    loop {
        match input.chunk(ctx).await {
            Ok(c) if !c.is_empty() => {
                if ctx.write(1, &c).await.is_err() {
                    break;
                }
            }
            _ => break,
        }
    }
    let _ = ctx.close(conn);
    if !ctx.has_ended(sender) {
        if let Some(ns) = ctx.ns_pid_of(sender) {
            let _ = ctx.kill(ns, Some(Signal::Kill));
        }
    }
    let _ = ctx.wait(sender, false).await;
    0
}

/// The name servers of `/etc/resolv.conf` (`127.0.0.1` when there are none).
fn name_server(ctx: &Ctx) -> String {
    if let Ok(data) = ctx.read_file("/etc/resolv.conf") {
        for line in String::from_utf8_lossy(&data).lines() {
            let mut f = line.split_whitespace();
            if f.next() == Some("nameserver") {
                if let Some(ns) = f.next() {
                    return ns.to_string();
                }
            }
        }
    }
    "127.0.0.1".into()
}

/// `nslookup HOST [DNS_SERVER]` (the musl-compatible nslookup of busybox 1.3x): an A and an
/// AAAA query; names the pod can resolve answer with their address, others NXDOMAIN (exit 1).
pub async fn nslookup(ctx: &Ctx, args: &[String]) -> i32 {
    let operands: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if operands.is_empty() || operands.len() > 2 {
        show_usage(ctx, "nslookup").await;
        return 1;
    }
    let host = operands[0].as_str();
    let server = operands
        .get(1)
        .map_or_else(|| name_server(ctx), |s| s.to_string());
    let mut out = Out::stdout(ctx);
    out.push_str(&format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n"));
    let mut code = 0;
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        let octets: Vec<&str> = host.split('.').rev().collect();
        let ptr = format!("{}.in-addr.arpa", octets.join("."));
        out.push_str(&format!("** server can't find {ptr}: NXDOMAIN\n\n"));
        code = 1;
    } else {
        match ctx.resolve(host) {
            Some(ip) => {
                out.push_str(&format!("Name:\t{host}\nAddress: {ip}\n\n"));
                out.push_str("\n");
            }
            None => {
                out.push_str(&format!("** server can't find {host}: NXDOMAIN\n\n"));
                out.push_str(&format!("** server can't find {host}: NXDOMAIN\n\n"));
                code = 1;
            }
        }
    }
    out.flush().await;
    code
}
