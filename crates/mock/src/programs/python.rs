//! `python3` of the python image, for what pods ask of it: `python -m http.server [port]` (the
//! standard library's server, with its log lines and pages), `--version`, and small `-c` /
//! script programs made of `print(...)`, `time.sleep(...)` and `sys.exit(...)`.
//!
//! CPython buffers stdout when it is not a terminal, as in a container: `print` output (and
//! http.server's `Serving HTTP on ...` line) reaches the log only when 8 KiB have gathered or
//! at exit, unless `-u` or `PYTHONUNBUFFERED` is set. Request lines go to stderr, unbuffered.
//! CPython installs no SIGTERM handler, so as PID 1 it ignores SIGTERM; SIGINT raises
//! KeyboardInterrupt, which http.server answers with `Keyboard interrupt received, exiting.`.

use std::cell::RefCell;
use std::rc::Rc;

use crate::fs::{Errno, Kind};
use crate::kernel::{Ctx, Disposition, Signal, Task};

use super::http::{self, Conn, Event, Response, Server};
use super::{build_info, err, out, strftime};

/// CPython's stdout buffer (`io.DEFAULT_BUFFER_SIZE`).
const STDOUT_BUFFER: usize = 8192;

/// stdout as CPython holds it.
#[derive(Clone)]
struct Stdout {
    buffered: bool,
    pending: Rc<RefCell<String>>,
}

impl Stdout {
    async fn print(&self, ctx: &Ctx, text: &str) {
        if !self.buffered {
            ctx.print(1, text).await;
            return;
        }
        let flush = {
            let mut p = self.pending.borrow_mut();
            p.push_str(text);
            p.len() >= STDOUT_BUFFER
        };
        if flush {
            self.flush(ctx).await;
        }
    }

    async fn flush(&self, ctx: &Ctx) {
        let text = std::mem::take(&mut *self.pending.borrow_mut());
        if !text.is_empty() {
            ctx.print(1, &text).await;
        }
    }
}

/// `pip`: there is no network to install from.
pub fn pip(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        if argv.get(1).map(String::as_str) == Some("install") {
            let pkg = argv
                .iter()
                .skip(2)
                .find(|a| !a.starts_with('-'))
                .cloned()
                .unwrap_or_default();
            err(&ctx, &format!("ERROR: Could not find a version that satisfies the requirement {pkg} (from versions: none)")).await;
            err(
                &ctx,
                &format!("ERROR: No matching distribution found for {pkg}"),
            )
            .await;
            return 1;
        }
        out(
            &ctx,
            "pip 24.3.1 from /usr/local/lib/python3.12/site-packages/pip (python 3.12)",
        )
        .await;
        0
    })
}

/// python's `main`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run(&ctx, argv).await })
}

async fn run(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let argv0 = argv.first().cloned().unwrap_or_else(|| "python3".into());
    let info = build_info(ctx, &argv0);
    let version = info
        .get("version")
        .cloned()
        .unwrap_or_else(|| "3.12.8".into());
    let prog = argv0.rsplit('/').next().unwrap_or(&argv0).to_string();
    let mut unbuffered = ctx
        .getenv("PYTHONUNBUFFERED")
        .is_some_and(|v| !v.is_empty());
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-u" => unbuffered = true,
            "-B" | "-E" | "-I" | "-q" | "-s" | "-S" | "-O" | "-OO" | "-b" | "-d" | "-v" => {}
            "-V" | "--version" => {
                out(ctx, &format!("Python {version}")).await;
                return 0;
            }
            "-h" | "--help" => {
                out(
                    ctx,
                    &format!("usage: {argv0} [option] ... [-c cmd | -m mod | file | -] [arg] ..."),
                )
                .await;
                return 0;
            }
            "-c" | "-m" => break,
            "-W" | "-X" => i += 1,
            _ => break,
        }
        i += 1;
    }
    let stdout = Stdout {
        buffered: !unbuffered,
        pending: Rc::new(RefCell::new(String::new())),
    };
    let code = match argv.get(i).map(String::as_str) {
        Some("-m") => {
            let module = argv.get(i + 1).cloned().unwrap_or_default();
            let rest: Vec<String> = argv.iter().skip(i + 2).cloned().collect();
            match module.as_str() {
                "http.server" => http_server(ctx, &version, &stdout, &rest).await,
                "" => {
                    err(ctx, "Argument expected for the -m option").await;
                    2
                }
                m => {
                    err(ctx, &format!("{}: No module named {m}", argv0)).await;
                    1
                }
            }
        }
        Some("-c") => {
            let code = argv.get(i + 1).cloned().unwrap_or_default();
            interpret(ctx, &stdout, &code, "<string>").await
        }
        Some(script) if script != "-" => {
            let abs = crate::fs::normalize(&ctx.cwd(), script);
            match ctx.read_file(script) {
                Ok(c) => interpret(ctx, &stdout, &String::from_utf8_lossy(&c), &abs).await,
                Err(e) => {
                    let errno = match e {
                        Errno::EISDIR => 21,
                        other => other.code(),
                    };
                    let reason = if e == Errno::EISDIR {
                        "Is a directory".to_string()
                    } else {
                        e.message().to_string()
                    };
                    err(
                        ctx,
                        &format!("{prog}: can't open file '{abs}': [Errno {errno}] {reason}"),
                    )
                    .await;
                    2
                }
            }
        }
        _ => {
            // No terminal: the program is read from stdin.
            let code = ctx.read_to_end(0).await.unwrap_or_default();
            interpret(ctx, &stdout, &String::from_utf8_lossy(&code), "<stdin>").await
        }
    };
    stdout.flush(ctx).await;
    code
}

/// Runs the statements podplay's python knows; anything else stops with a note.
async fn interpret(ctx: &Ctx, stdout: &Stdout, code: &str, _file: &str) -> i32 {
    for stmt in code.split(['\n', ';']).map(str::trim) {
        if stmt.is_empty()
            || stmt.starts_with('#')
            || stmt.starts_with("import ")
            || stmt.starts_with("from ")
        {
            continue;
        }
        if let Some(args) = call_args(stmt, "print") {
            let mut parts = Vec::new();
            for a in split_args(args) {
                if a.starts_with("flush=") || a.starts_with("file=") {
                    continue;
                }
                match literal(&a) {
                    Some(v) => parts.push(v),
                    None => return unsupported(ctx, stmt).await,
                }
            }
            stdout.print(ctx, &format!("{}\n", parts.join(" "))).await;
            if args.contains("flush=True") {
                stdout.flush(ctx).await;
            }
            continue;
        }
        if let Some(args) = call_args(stmt, "time.sleep").or(call_args(stmt, "sleep")) {
            let secs: f64 = args.trim().parse().unwrap_or(0.0);
            let _ = ctx.sleep((secs.max(0.0) * 1000.0) as u64).await;
            continue;
        }
        if let Some(args) = call_args(stmt, "sys.exit")
            .or(call_args(stmt, "exit"))
            .or(call_args(stmt, "quit"))
        {
            let a = args.trim();
            if a.is_empty() {
                return 0;
            }
            if let Ok(n) = a.parse::<i32>() {
                return n;
            }
            if let Some(text) = literal(a) {
                stdout.flush(ctx).await;
                err(ctx, &text).await;
                return 1;
            }
            return unsupported(ctx, stmt).await;
        }
        if stmt == "pass" {
            continue;
        }
        return unsupported(ctx, stmt).await;
    }
    0
}

async fn unsupported(ctx: &Ctx, stmt: &str) -> i32 {
    err(
        ctx,
        &format!("podplay: this python runs print(), time.sleep(), sys.exit() and -m http.server only; not: {stmt}"),
    )
    .await;
    1
}

/// `name(ARGS)` → `ARGS`.
fn call_args<'a>(stmt: &'a str, name: &str) -> Option<&'a str> {
    let rest = stmt.strip_prefix(name)?.trim_start();
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    Some(inner)
}

/// Splits call arguments at top-level commas (outside quotes).
pub(crate) fn split_args(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    let mut escape = false;
    for c in args.chars() {
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
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// A string or number literal's value (`'a\n'`, `"b"`, `` `c` ``, `42`, `True`).
pub(crate) fn literal(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s
        .strip_prefix('f')
        .filter(|r| r.starts_with(['"', '\'']))
        .unwrap_or(s);
    let first = s.chars().next()?;
    if matches!(first, '\'' | '"' | '`') && s.len() >= 2 && s.ends_with(first) {
        let inner = &s[1..s.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        }
        return Some(out);
    }
    if s.parse::<f64>().is_ok() {
        return Some(s.to_string());
    }
    match s {
        "True" | "False" | "None" | "true" | "false" | "null" | "undefined" => Some(s.to_string()),
        _ => None,
    }
}

/// `python -m http.server [port] [-b ADDR] [-d DIR] [-p VERSION]` (Lib/http/server.py).
async fn http_server(ctx: &Ctx, version: &str, stdout: &Stdout, args: &[String]) -> i32 {
    let mut port: u16 = 8000;
    let mut bind: Option<String> = None;
    let mut directory = ctx.cwd();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-b" | "--bind" => {
                bind = args.get(i + 1).cloned();
                i += 1;
            }
            "-d" | "--directory" => {
                directory =
                    crate::fs::normalize(&ctx.cwd(), args.get(i + 1).map_or(".", String::as_str));
                i += 1;
            }
            "-p" | "--protocol" | "--cgi" => {
                if a != "--cgi" {
                    i += 1;
                }
            }
            p => match p.parse::<u16>() {
                Ok(n) => port = n,
                Err(_) => {
                    err(ctx, "usage: server.py [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [port]").await;
                    err(
                        ctx,
                        &format!("server.py: error: argument port: invalid int value: '{p}'"),
                    )
                    .await;
                    return 2;
                }
            },
        }
        i += 1;
    }
    let minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    let fd = match ctx.listen(port) {
        Ok(fd) => fd,
        Err(e) => {
            let lib = format!("/usr/local/lib/python{minor}");
            let (errno, text) = match e {
                Errno::EADDRINUSE => (98, "Address already in use"),
                other => (other.code(), other.message()),
            };
            stdout.flush(ctx).await;
            ctx.print(
                2,
                &format!(
                    "Traceback (most recent call last):\n  File \"<frozen runpy>\", line 198, in _run_module_as_main\n  File \"<frozen runpy>\", line 88, in _run_code\n  File \"{lib}/http/server.py\", line 1314, in <module>\n    test(\n  File \"{lib}/http/server.py\", line 1261, in test\n    with ServerClass(addr, HandlerClass) as httpd:\n         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File \"{lib}/socketserver.py\", line 457, in __init__\n    self.server_bind()\n  File \"{lib}/http/server.py\", line 1308, in server_bind\n    return super().server_bind()\n           ^^^^^^^^^^^^^^^^^^^^^\n  File \"{lib}/http/server.py\", line 136, in server_bind\n    socketserver.TCPServer.server_bind(self)\n  File \"{lib}/socketserver.py\", line 473, in server_bind\n    self.socket.bind(self.server_address)\nOSError: [Errno {errno}] {text}\n"
                ),
            )
            .await;
            return 1;
        }
    };
    // Without --bind, the server is dual-stack on `::`; IPv4 clients show as ::ffff:a.b.c.d.
    let (host, url_host, mapped) = match bind.as_deref() {
        None | Some("::") => ("::".to_string(), "[::]".to_string(), true),
        Some(b) => (b.to_string(), b.to_string(), false),
    };
    stdout
        .print(
            ctx,
            &format!("Serving HTTP on {host} port {port} (http://{url_host}:{port}/) ...\n"),
        )
        .await;
    ctx.set_disposition(Signal::Int, Disposition::Handle);
    let _ = ctx.alloc(14 << 20);
    let server_header = format!("SimpleHTTP/0.6 Python/{version}");
    let dir = Rc::new(directory);
    let mut server = Server::new();
    loop {
        match server.next(ctx, &[(port, fd)]).await {
            Event::Accepted { fd: conn, .. } => {
                let (c, sh, d) = (ctx.clone(), server_header.clone(), dir.clone());
                server.spawn(
                    conn,
                    Box::pin(async move {
                        let peer = http::peer(&c, conn);
                        let client = if mapped {
                            format!("::ffff:{peer}")
                        } else {
                            peer
                        };
                        let mut reader = Conn::new(conn);
                        // HTTP/1.0: one request per connection.
                        if let Ok(req) = reader.read_request(&c).await {
                            let (resp, error) = handle(&c, &sh, &d, &req);
                            let date = strftime(c.now(), "%d/%b/%Y %H:%M:%S");
                            if let Some(e) = error {
                                err(&c, &format!("{client} - - [{date}] {e}")).await;
                            }
                            resp.send(&c, conn, req.method == "HEAD").await;
                            err(
                                &c,
                                &format!(
                                    "{client} - - [{date}] \"{}\" {} -",
                                    req.line(),
                                    resp.status
                                ),
                            )
                            .await;
                        }
                        let _ = c.close(conn);
                    }),
                );
            }
            Event::Signal(Signal::Int) => {
                stdout
                    .print(ctx, "\nKeyboard interrupt received, exiting.\n")
                    .await;
                return 0;
            }
            _ => {}
        }
    }
}

fn python_headers(ctx: &Ctx, server: &str, mut resp: Response) -> Response {
    resp.version = "HTTP/1.0";
    let mut h = vec![
        ("Server".to_string(), server.to_string()),
        ("Date".to_string(), http::http_date(ctx.now())),
    ];
    h.append(&mut resp.headers);
    resp.headers = h;
    resp
}

/// `SimpleHTTPRequestHandler`: the response and, for an error, `log_error`'s message.
fn handle(
    ctx: &Ctx,
    server: &str,
    dir: &str,
    req: &crate::programs::http::Request,
) -> (Response, Option<String>) {
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        let msg = format!("Unsupported method ('{}')", req.method);
        return error(
            ctx,
            server,
            501,
            &msg,
            "Server does not support this operation.",
        );
    }
    let path = format!(
        "{}{}",
        dir.trim_end_matches('/'),
        crate::fs::normalize("/", &req.path)
    );
    let path = if req.path.ends_with('/') && !path.ends_with('/') {
        format!("{path}/")
    } else {
        path
    };
    match ctx.stat(&path).map(|s| s.kind) {
        Ok(Kind::Dir) => {
            if !req.path.ends_with('/') {
                let mut r = Response::new(301, Vec::new());
                r.headers
                    .push(("Location".into(), format!("{}/", req.path)));
                r.headers.push(("Content-Length".into(), "0".into()));
                return (python_headers(ctx, server, r), None);
            }
            for index in ["index.html", "index.htm"] {
                let p = format!("{path}{index}");
                if ctx.stat(&p).is_ok_and(|s| s.kind == Kind::File) {
                    return (file(ctx, server, &p), None);
                }
            }
            let Ok(mut entries) = ctx.list(&path) else {
                return error(
                    ctx,
                    server,
                    404,
                    "No permission to list directory",
                    "Nothing matches the given URI.",
                );
            };
            entries.sort_by_key(|(n, _)| n.to_lowercase());
            let display = html_escape(&crate::programs::http::percent_decode(&req.path));
            let title = format!("Directory listing for {display}");
            let mut r = vec![
                "<!DOCTYPE HTML>".to_string(),
                "<html lang=\"en\">".to_string(),
                "<head>".to_string(),
                "<meta charset=\"utf-8\">".to_string(),
                format!("<title>{title}</title>\n</head>"),
                format!("<body>\n<h1>{title}</h1>"),
                "<hr>\n<ul>".to_string(),
            ];
            for (name, _) in entries {
                let full = format!("{path}{name}");
                let (mut shown, mut link) = (name.clone(), name.clone());
                if ctx.stat(&full).is_ok_and(|s| s.kind == Kind::Dir) {
                    shown.push('/');
                    link.push('/');
                }
                if ctx.lstat(&full).is_ok_and(|s| s.kind == Kind::Symlink) {
                    shown = format!("{name}@");
                }
                r.push(format!(
                    "<li><a href=\"{}\">{}</a></li>",
                    url_quote(&link),
                    html_escape(&shown)
                ));
            }
            r.push("</ul>\n<hr>\n</body>\n</html>\n".to_string());
            let body = r.join("\n");
            let len = body.len();
            let resp = Response::new(200, body)
                .header("Content-type", "text/html; charset=utf-8")
                .header("Content-Length", len.to_string());
            (python_headers(ctx, server, resp), None)
        }
        Ok(_) if req.path.ends_with('/') => error(
            ctx,
            server,
            404,
            "File not found",
            "Nothing matches the given URI.",
        ),
        Ok(_) => (file(ctx, server, &path), None),
        Err(_) => error(
            ctx,
            server,
            404,
            "File not found",
            "Nothing matches the given URI.",
        ),
    }
}

fn file(ctx: &Ctx, server: &str, path: &str) -> Response {
    let data = ctx.read_file(path).unwrap_or_default();
    let mtime = ctx.stat(path).map(|s| s.mtime).unwrap_or_default();
    let ctype = match path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("js" | "mjs") => "text/javascript",
        Some(_) => http::content_type(path).unwrap_or("application/octet-stream"),
        None => "application/octet-stream",
    };
    let len = data.len();
    let resp = Response::new(200, data)
        .header("Content-type", ctype)
        .header("Content-Length", len.to_string())
        .header("Last-Modified", http::http_date(mtime));
    python_headers(ctx, server, resp)
}

/// `send_error`: `DEFAULT_ERROR_MESSAGE`, and `code N, message M` for the log.
fn error(
    ctx: &Ctx,
    server: &str,
    code: u16,
    message: &str,
    explain: &str,
) -> (Response, Option<String>) {
    let body = format!(
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: {code}</p>\n        <p>Message: {}.</p>\n        <p>Error code explanation: {code} - {explain}</p>\n    </body>\n</html>\n",
        html_escape(message)
    );
    let len = body.len();
    let mut resp = Response::new(code, body)
        .header("Connection", "close")
        .header("Content-Type", "text/html;charset=utf-8")
        .header("Content-Length", len.to_string());
    resp.reason = match code {
        404 => "File not found".into(),
        _ => message.to_string(),
    };
    (
        python_headers(ctx, server, resp),
        Some(format!("code {code}, message {message}")),
    )
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `urllib.parse.quote(s)`: everything but unreserved characters and `/` percent-encoded.
fn url_quote(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
