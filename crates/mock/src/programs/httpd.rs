//! Apache httpd as the official image runs it: `httpd-foreground` `exec`s `httpd -DFOREGROUND`,
//! which reads `conf/httpd.conf` (`Listen`, `DocumentRoot`, `ServerName`), warns AH00558 when no
//! ServerName is set, binds, and serves `htdocs` with the `common` access log on stdout. The
//! image's stop signal SIGWINCH is httpd's graceful stop; SIGTERM and SIGINT stop at once.

use crate::fs::{Errno, Kind};
use crate::kernel::{Ctx, Disposition, Signal, Task};

use super::http::{self, Conn, Event, ReadError, Request, Response, Server};
use super::{build_info, err, out, strftime};

/// `htdocs/index.html` of httpd up to 2.4.63.
pub const INDEX: &str = "<html><body><h1>It works!</h1></body></html>\n";

/// `htdocs/index.html` of later 2.4 releases.
pub const INDEX_2025: &str = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html>\n<head>\n<title>It works! Apache httpd</title>\n</head>\n<body>\n<p>It works!</p>\n</body>\n</html>\n";

/// The directives of the image's `conf/httpd.conf` that decide its behaviour here (the real
/// file also loads modules and sets up MIME types and CGI).
pub const HTTPD_CONF: &str = "ServerRoot \"/usr/local/apache2\"\n\nListen 80\n\n<IfModule unixd_module>\nUser www-data\nGroup www-data\n</IfModule>\n\nServerAdmin you@example.com\n\n#ServerName www.example.com:80\n\n<Directory />\n    AllowOverride none\n    Require all denied\n</Directory>\n\nDocumentRoot \"/usr/local/apache2/htdocs\"\n<Directory \"/usr/local/apache2/htdocs\">\n    Options Indexes FollowSymLinks\n    AllowOverride None\n    Require all granted\n</Directory>\n\n<IfModule dir_module>\n    DirectoryIndex index.html\n</IfModule>\n\nErrorLog /proc/self/fd/2\n\nLogLevel warn\n\n<IfModule log_config_module>\n    LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined\n    LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common\n    CustomLog /proc/self/fd/1 common\n</IfModule>\n";

const NOT_FOUND: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n";

/// `httpd-foreground`: `rm -f logs/httpd.pid; exec httpd -DFOREGROUND "$@"`.
pub fn foreground(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let _ = ctx.remove("/usr/local/apache2/logs/httpd.pid", false);
        let rm = ctx.fork(|_| Ctx::done(0));
        let _ = ctx.wait(rm, false).await;
        let mut args = vec!["httpd".to_string(), "-DFOREGROUND".to_string()];
        args.extend(argv.into_iter().skip(1));
        let path_var = super::path_var(&ctx);
        match ctx.find_program("httpd", &path_var) {
            Ok(path) => ctx.exec(&path, args, ctx.env()).await.unwrap_or(126),
            Err(_) => {
                err(
                    &ctx,
                    "/usr/local/bin/httpd-foreground: 7: exec: httpd: not found",
                )
                .await;
                127
            }
        }
    })
}

/// What `httpd.conf` decides here.
struct Conf {
    listens: Vec<u16>,
    document_root: String,
    server_name: bool,
    index: Vec<String>,
}

fn read_conf(ctx: &Ctx, path: &str) -> Conf {
    let text = ctx
        .read_file(path)
        .map(|c| String::from_utf8_lossy(&c).into_owned())
        .unwrap_or_default();
    let mut conf = Conf {
        listens: Vec::new(),
        document_root: "/usr/local/apache2/htdocs".into(),
        server_name: false,
        index: vec!["index.html".into()],
    };
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        match words.next().map(str::to_ascii_lowercase).as_deref() {
            Some("listen") => {
                if let Some(port) = words
                    .next()
                    .and_then(|w| w.rsplit(':').next())
                    .and_then(|p| p.parse().ok())
                {
                    conf.listens.push(port);
                }
            }
            Some("documentroot") => {
                if let Some(r) = words.next() {
                    conf.document_root = r.trim_matches('"').to_string();
                }
            }
            Some("servername") => conf.server_name = true,
            Some("directoryindex") => conf.index = words.map(str::to_string).collect(),
            _ => {}
        }
    }
    if conf.listens.is_empty() {
        conf.listens.push(80);
    }
    conf
}

/// `[Thu Jan 01 00:00:01.000000 2026]` (`ap_recent_ctime_ex` with microseconds).
fn stamp(ctx: &Ctx) -> String {
    let now = ctx.now();
    format!(
        "[{}.{:06} {}]",
        strftime(now, "%a %b %d %H:%M:%S"),
        super::millis(now) * 1000,
        strftime(now, "%Y")
    )
}

/// httpd's `main`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run(&ctx, argv).await })
}

async fn run(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let info = build_info(ctx, argv.first().map_or("httpd", String::as_str));
    let version = info
        .get("version")
        .cloned()
        .unwrap_or_else(|| "2.4.65".into());
    let mut foreground = false;
    let mut test = false;
    let mut conf_path = "/usr/local/apache2/conf/httpd.conf".to_string();
    let mut shown: Vec<String> = vec![argv.first().cloned().unwrap_or_else(|| "httpd".into())];
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-v" => {
                out(ctx, &format!("Server version: Apache/{version} (Unix)")).await;
                return 0;
            }
            "-t" => test = true,
            "-D" | "-f" | "-k" | "-d" | "-C" | "-c" | "-e" => {
                let v = argv.get(i + 1).cloned().unwrap_or_default();
                if a == "-D" && v == "FOREGROUND" {
                    foreground = true;
                }
                if a == "-f" {
                    conf_path = v.clone();
                }
                shown.push(a.to_string());
                shown.push(v);
                i += 1;
            }
            d if d.starts_with("-D") => {
                if &d[2..] == "FOREGROUND" {
                    foreground = true;
                }
                shown.push("-D".into());
                shown.push(d[2..].to_string());
            }
            other => shown.push(other.to_string()),
        }
        i += 1;
    }
    let conf = read_conf(ctx, &conf_path);
    let ah00558 = format!(
        "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {}. Set the 'ServerName' directive globally to suppress this message",
        ctx.pod_ip()
    );
    if !conf.server_name {
        err(ctx, &ah00558).await;
    }
    if test {
        err(ctx, "Syntax OK").await;
        return 0;
    }
    // The first pass opens the listeners.
    let mut held = Vec::new();
    let mut failed = false;
    for port in &conf.listens {
        match ctx.listen(*port) {
            Ok(fd) => held.push((*port, fd)),
            Err(e) => {
                failed = true;
                let (code, text) = match e {
                    Errno::EADDRINUSE => (98, "Address already in use"),
                    other => (other.code(), other.message()),
                };
                for addr in [format!("[::]:{port}"), format!("0.0.0.0:{port}")] {
                    err(
                        ctx,
                        &format!(
                            "({code}){text}: AH00072: make_sock: could not bind to address {addr}"
                        ),
                    )
                    .await;
                }
            }
        }
    }
    if failed {
        err(ctx, "no listening sockets available, shutting down").await;
        err(ctx, "AH00015: Unable to open logs").await;
        return 1;
    }
    if !foreground {
        // The parent of the daemon returns.
        return 0;
    }
    if !conf.server_name {
        err(ctx, &ah00558).await;
    }
    let me = ctx.ns_pid();
    // httpd 2.4.62 and later print the thread's id (the pid for the main thread); earlier ones
    // the address of its pthread.
    let tid = if version.as_str() >= "2.4.62" {
        me.to_string()
    } else {
        "140573626451840".to_string()
    };
    let notice = |module: &str, msg: &str| format!("[{module}:notice] [pid {me}:tid {tid}] {msg}");
    for sig in [
        Signal::Term,
        Signal::Int,
        Signal::Winch,
        Signal::Hup,
        Signal::Usr1,
    ] {
        ctx.set_disposition(sig, Disposition::Handle);
    }
    let _ = ctx.alloc(6 << 20);
    let started = |ctx: &Ctx| {
        let s = stamp(ctx);
        (
            format!(
                "{s} {}",
                notice(
                    "mpm_event",
                    &format!(
                        "AH00489: Apache/{version} (Unix) configured -- resuming normal operations"
                    )
                )
            ),
            format!(
                "{s} {}",
                notice(
                    "core",
                    &format!("AH00094: Command line: '{}'", shown.join(" "))
                )
            ),
        )
    };
    let (a, b) = started(ctx);
    err(ctx, &a).await;
    err(ctx, &b).await;
    // StartServers 3: the children that accept.
    let mut children = Vec::new();
    for _ in 0..3 {
        children.push(ctx.fork(|c| {
            Box::pin(async move {
                for sig in [Signal::Term, Signal::Winch, Signal::Usr1, Signal::Hup] {
                    c.set_disposition(sig, Disposition::Handle);
                }
                let _ = c.alloc(2 << 20);
                c.wait_signal().await;
                0
            })
        }));
    }
    let version_rc = std::rc::Rc::new(version.clone());
    let index = std::rc::Rc::new(conf.index.clone());
    let root = std::rc::Rc::new(conf.document_root.clone());
    let mut server = Server::new();
    loop {
        match server.next(ctx, &held).await {
            Event::Accepted { port, fd } => {
                let (c, v, idx, r) = (ctx.clone(), version_rc.clone(), index.clone(), root.clone());
                let busy = std::rc::Rc::new(std::cell::Cell::new(false));
                let flag = busy.clone();
                server.spawn_tracked(
                    fd,
                    busy,
                    Box::pin(async move {
                        let client = http::peer(&c, fd);
                        let mut conn = Conn::new(fd);
                        loop {
                            let req = match conn.read_request(&c).await {
                                Ok(r) => r,
                                Err(ReadError::Closed) => break,
                                Err(_) => {
                                    let body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>400 Bad Request</title>\n</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\n</p>\n</body></html>\n";
                                    let resp = headers(&c, &v, Response::new(400, body))
                                        .header("Content-Length", body.len().to_string())
                                        .header("Connection", "close")
                                        .header("Content-Type", "text/html; charset=iso-8859-1");
                                    resp.send(&c, fd, false).await;
                                    break;
                                }
                            };
                            flag.set(true);
                            let resp = respond(&c, &v, &r, &idx, port, &req);
                            let head = req.method == "HEAD";
                            resp.send(&c, fd, head).await;
                            let bytes = if head { 0 } else { resp.body.len() };
                            out(
                                &c,
                                &format!(
                                    "{client} - - [{}] \"{}\" {} {}",
                                    strftime(c.now(), "%d/%b/%Y:%H:%M:%S +0000"),
                                    req.line(),
                                    resp.status,
                                    if bytes == 0 { "-".to_string() } else { bytes.to_string() }
                                ),
                            )
                            .await;
                            flag.set(false);
                            if !req.keep_alive() {
                                break;
                            }
                        }
                        let _ = c.close(fd);
                    }),
                );
            }
            Event::Signal(Signal::Winch) => {
                err(
                    ctx,
                    &format!(
                        "{} {}",
                        stamp(ctx),
                        notice(
                            "mpm_event",
                            "AH00492: caught SIGWINCH, shutting down gracefully"
                        )
                    ),
                )
                .await;
                for (_, fd) in held.drain(..) {
                    let _ = ctx.close(fd);
                }
                server.close_idle(ctx);
                loop {
                    match server.next(ctx, &[]).await {
                        Event::Signal(Signal::Term | Signal::Int) => break,
                        Event::Signal(_) => {}
                        _ => break,
                    }
                }
                return 0;
            }
            Event::Signal(Signal::Term | Signal::Int) => {
                err(
                    ctx,
                    &format!(
                        "{} {}",
                        stamp(ctx),
                        notice("mpm_event", "AH00491: caught SIGTERM, shutting down")
                    ),
                )
                .await;
                return 0;
            }
            Event::Signal(sig @ (Signal::Hup | Signal::Usr1)) => {
                let msg = if sig == Signal::Hup {
                    "AH00493: SIGHUP received.  Attempting to restart"
                } else {
                    "AH00494: SIGUSR1 received.  Doing graceful restart"
                };
                err(ctx, &format!("{} {}", stamp(ctx), notice("mpm_event", msg))).await;
                if !conf.server_name {
                    err(ctx, &ah00558).await;
                }
                let (a, b) = started(ctx);
                err(ctx, &a).await;
                err(ctx, &b).await;
            }
            _ => {}
        }
    }
}

fn headers(ctx: &Ctx, version: &str, mut resp: Response) -> Response {
    let mut h = vec![
        ("Date".to_string(), http::http_date(ctx.now())),
        ("Server".to_string(), format!("Apache/{version} (Unix)")),
    ];
    h.append(&mut resp.headers);
    resp.headers = h;
    resp
}

fn respond(
    ctx: &Ctx,
    version: &str,
    root: &str,
    index: &[String],
    port: u16,
    req: &Request,
) -> Response {
    let close = !req.keep_alive();
    let finish = |r: Response| {
        if close {
            r.header("Connection", "close")
        } else {
            r
        }
    };
    let path = format!("{}{}", root.trim_end_matches('/'), req.path);
    let target = match ctx.stat(&path) {
        Ok(s) if s.kind == Kind::Dir => {
            if !req.path.ends_with('/') {
                let host = req
                    .header("Host")
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}:{port}", ctx.pod_ip()));
                let location = format!("http://{host}{}/", req.path);
                let body = format!("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n<p>The document has moved <a href=\"{location}\">here</a>.</p>\n</body></html>\n");
                let len = body.len();
                return finish(
                    headers(ctx, version, Response::new(301, body))
                        .header("Location", location)
                        .header("Content-Length", len.to_string()),
                )
                .header("Content-Type", "text/html; charset=iso-8859-1");
            }
            index
                .iter()
                .map(|i| format!("{path}{i}"))
                .find(|p| ctx.stat(p).is_ok_and(|s| s.kind == Kind::File))
        }
        Ok(_) => Some(path),
        Err(_) => None,
    };
    let Some(file) = target else {
        let resp = headers(ctx, version, Response::new(404, NOT_FOUND))
            .header("Content-Length", NOT_FOUND.len().to_string());
        return finish(resp).header("Content-Type", "text/html; charset=iso-8859-1");
    };
    let data = ctx.read_file(&file).unwrap_or_default();
    let mtime = ctx.stat(&file).map(|s| s.mtime).unwrap_or_default();
    let usec = super::wall(mtime).as_microsecond();
    let len = data.len();
    let resp = headers(ctx, version, Response::new(200, data))
        .header("Last-Modified", http::http_date(mtime))
        .header("ETag", format!("\"{len:x}-{usec:x}\""))
        .header("Accept-Ranges", "bytes")
        .header("Content-Length", len.to_string());
    finish(resp).header(
        "Content-Type",
        http::content_type(&file).unwrap_or("text/plain"),
    )
}
