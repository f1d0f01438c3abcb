//! HTTP/1.1 for the servers (nginx, httpd, agnhost, python's http.server, node): reading a
//! request head from a socket, writing a response with its `Content-Length`, and serving many
//! connections at once from one process.
//!
//! A server is one program (one future); [`Server`] polls its accept calls and its open
//! connections together, so a client that connects and says nothing does not stop the others,
//! and hands the program each new connection and each handled signal as an [`Event`].

use std::cell::Cell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;

use podplay_engine::time::Time;

use crate::fs::Errno;
use crate::kernel::{Ctx, Signal};

/// Bytes a request head may take before the server gives up on it (nginx's
/// `large_client_header_buffers` is 4 × 8k; one buffer is the usual limit of a line).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Bytes of a request body a server reads (and ignores) at most.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// A request head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The request target as sent: `/echo?msg=hi`.
    pub target: String,
    /// The target's path, percent-decoded: `/echo`.
    pub path: String,
    /// The raw query without `?`: `msg=hi`.
    pub query: String,
    /// `HTTP/1.1`.
    pub version: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `"GET / HTTP/1.1"`: the request line as access logs quote it.
    pub fn line(&self) -> String {
        format!("{} {} {}", self.method, self.target, self.version)
    }

    /// Whether the connection stays open after the response (HTTP/1.1 unless `Connection:
    /// close`; HTTP/1.0 only with `Connection: keep-alive`).
    pub fn keep_alive(&self) -> bool {
        let conn = self.header("Connection").map(str::to_ascii_lowercase);
        match self.version.as_str() {
            "HTTP/1.1" => conn.as_deref() != Some("close"),
            _ => conn.as_deref() == Some("keep-alive"),
        }
    }

    /// The query's value for `key`, decoded as Go's `url.Values.Get` and Python's `parse_qs`
    /// decode (`+` is a space).
    pub fn query_param(&self, key: &str) -> Option<String> {
        query_pairs(&self.query)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

/// `a=1&b=x+y` as decoded pairs.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (form_decode(k), form_decode(v)),
            None => (form_decode(p), String::new()),
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

/// `%2F` → `/`; invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why no request could be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The client closed the connection (or never sent anything).
    Closed,
    /// What arrived is not HTTP (the server answers 400).
    Malformed,
    /// The head is longer than [`MAX_HEAD_BYTES`].
    TooLarge,
}

/// A connection's read side: bytes read past the current request stay for the next one.
pub struct Conn {
    pub fd: i32,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new(fd: i32) -> Conn {
        Conn {
            fd,
            buf: Vec::new(),
        }
    }

    /// Reads more bytes; `Ok(false)` at the end of the stream. A handled signal does not end
    /// the read: it waits for the process to take the signal and tries again.
    async fn fill(&mut self, ctx: &Ctx) -> Result<bool, Errno> {
        loop {
            match ctx.read(self.fd, 8192).await {
                Ok(chunk) if chunk.is_empty() => return Ok(false),
                Ok(chunk) => {
                    self.buf.extend_from_slice(&chunk);
                    return Ok(true);
                }
                Err(Errno::EINTR) => ctx.wait_change(None).await,
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads one request: its head, then as much body as `Content-Length` says.
    pub async fn read_request(&mut self, ctx: &Ctx) -> Result<Request, ReadError> {
        let head_end = loop {
            if let Some(end) = find_head_end(&self.buf) {
                break end;
            }
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(ReadError::TooLarge);
            }
            match self.fill(ctx).await {
                Ok(true) => {}
                Ok(false) | Err(_) => {
                    return Err(if self.buf.iter().all(u8::is_ascii_whitespace) {
                        ReadError::Closed
                    } else {
                        ReadError::Malformed
                    })
                }
            }
        };
        let head: Vec<u8> = self.buf.drain(..head_end.1).collect();
        let head = String::from_utf8_lossy(&head[..head_end.0]).into_owned();
        let mut lines = head.split('\n').map(|l| l.trim_end_matches('\r'));
        let request_line = lines.next().unwrap_or("").trim_start();
        let mut parts = request_line.split(' ').filter(|p| !p.is_empty());
        let (Some(method), Some(target), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ReadError::Malformed);
        };
        if parts.next().is_some() || !version.starts_with("HTTP/1.") {
            return Err(ReadError::Malformed);
        }
        let mut headers = Vec::new();
        for line in lines {
            if line.is_empty() {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else {
                return Err(ReadError::Malformed);
            };
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
        let (raw_path, query) = match target.split_once('?') {
            Some((p, q)) => (p, q),
            None => (target, ""),
        };
        // An absolute-form target (`GET http://host/path`) names the path after the host.
        let raw_path = match raw_path.strip_prefix("http://") {
            Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => raw_path,
        };
        let mut req = Request {
            method: method.to_string(),
            target: target.to_string(),
            path: percent_decode(raw_path),
            query: query.to_string(),
            version: version.to_string(),
            headers,
            body: Vec::new(),
        };
        let length = req
            .header("Content-Length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_BODY_BYTES);
        while self.buf.len() < length {
            match self.fill(ctx).await {
                Ok(true) => {}
                _ => break,
            }
        }
        let n = length.min(self.buf.len());
        req.body = self.buf.drain(..n).collect();
        Ok(req)
    }
}

/// Where the head ends: (length of the head without its blank line, bytes to consume).
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let lf = buf
        .windows(2)
        .position(|w| w == b"\n\n")
        .map(|i| (i, i + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// A response: the status line, headers in the order the server sends them, and the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// `HTTP/1.1` or `HTTP/1.0` (python's http.server answers 1.0).
    pub version: &'static str,
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            version: "HTTP/1.1",
            status,
            reason: reason(status).to_string(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The bytes on the wire; a response to `HEAD` carries no body.
    pub fn encode(&self, head_only: bool) -> Vec<u8> {
        let mut out = format!("{} {} {}\r\n", self.version, self.status, self.reason).into_bytes();
        for (k, v) in &self.headers {
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        out
    }

    /// Writes the response; errors (the client left) are ignored.
    pub async fn send(&self, ctx: &Ctx, fd: i32, head_only: bool) {
        let _ = ctx.write(fd, &self.encode(head_only)).await;
    }
}

/// The reason phrase Go's `http.StatusText`, nginx and httpd use.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Large",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `Thu, 01 Jan 2026 00:00:05 GMT` (RFC 7231's IMF-fixdate), for `Date` and `Last-Modified`.
pub fn http_date(t: Time) -> String {
    super::strftime(t, "%a, %d %b %Y %H:%M:%S GMT")
}

/// The `Content-Type` a static file server gives an extension (nginx's mime.types; python's
/// `mimetypes` agrees on these).
pub fn content_type(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
    Some(match ext.as_str() {
        "html" | "htm" | "shtml" => "text/html",
        "css" => "text/css",
        "xml" => "text/xml",
        "txt" => "text/plain",
        "js" => "application/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" | "svgz" => "image/svg+xml",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "wasm" => "application/wasm",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "mp4" => "video/mp4",
        "yaml" | "yml" => "application/yaml",
        _ => return None,
    })
}

/// A connection's work, polled with the server's other work.
pub type ConnTask = Pin<Box<dyn Future<Output = ()>>>;

/// What [`Server::next`] hands its program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A client connected on `port`; `fd` is the connected socket.
    Accepted { port: u16, fd: i32 },
    /// A handled signal arrived.
    Signal(Signal),
    /// Draining: every connection is done.
    Idle,
    /// A connection set [`Server::stop`].
    Stopped,
}

/// The open connections of one server process.
#[derive(Default)]
pub struct Server {
    conns: Vec<Entry>,
    /// Set by a connection to end the server (agnhost's `/exit`): [`Server::next`] returns
    /// [`Event::Stopped`].
    pub stop: Rc<Cell<bool>>,
}

struct Entry {
    task: ConnTask,
    fd: i32,
    /// Whether a request is in flight (a graceful shutdown waits for those only).
    busy: Rc<Cell<bool>>,
}

type AcceptTask = Pin<Box<dyn Future<Output = (u16, Result<i32, Errno>)>>>;

impl Server {
    pub fn new() -> Server {
        Server::default()
    }

    /// Starts serving a connection whose task keeps `busy` set while it handles a request.
    pub fn spawn_tracked(&mut self, fd: i32, busy: Rc<Cell<bool>>, task: ConnTask) {
        self.conns.push(Entry { task, fd, busy });
    }

    /// Starts serving a connection that is always worth waiting for.
    pub fn spawn(&mut self, fd: i32, task: ConnTask) {
        self.spawn_tracked(fd, Rc::new(Cell::new(true)), task);
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        self.conns.len()
    }

    /// Closes the connections waiting for their next request (a graceful shutdown's first
    /// step: nginx closes idle keep-alive connections at once).
    pub fn close_idle(&mut self, ctx: &Ctx) {
        self.conns.retain(|e| {
            if e.busy.get() {
                return true;
            }
            let _ = ctx.close(e.fd);
            false
        });
    }

    /// Runs the open connections while waiting on every listener in `listeners` (port, fd),
    /// until a client connects or a handled signal arrives. With no listeners it returns
    /// [`Event::Idle`] once the connections are done (a graceful shutdown's drain).
    pub async fn next(&mut self, ctx: &Ctx, listeners: &[(u16, i32)]) -> Event {
        let accept = |port: u16, fd: i32| -> AcceptTask {
            let c = ctx.clone();
            Box::pin(async move { (port, c.accept(fd).await) })
        };
        enum Slot {
            Live(AcceptTask),
            /// Interrupted by a signal: accept again once it is taken.
            Again,
            /// The listener is gone.
            Dead,
        }
        let mut accepts: Vec<Slot> = listeners
            .iter()
            .map(|&(p, fd)| Slot::Live(accept(p, fd)))
            .collect();
        poll_fn(|cx| loop {
            if let Some(sig) = ctx.take_signal() {
                return Poll::Ready(Event::Signal(sig));
            }
            self.conns
                .retain_mut(|e| e.task.as_mut().poll(cx).is_pending());
            if self.stop.get() {
                return Poll::Ready(Event::Stopped);
            }
            let live = accepts.iter().any(|s| !matches!(s, Slot::Dead));
            if !live && self.conns.is_empty() {
                return Poll::Ready(Event::Idle);
            }
            let mut interrupted = false;
            for (i, slot) in accepts.iter_mut().enumerate() {
                if matches!(slot, Slot::Again) {
                    *slot = Slot::Live(accept(listeners[i].0, listeners[i].1));
                }
                let Slot::Live(task) = slot else {
                    continue;
                };
                if let Poll::Ready((port, result)) = task.as_mut().poll(cx) {
                    match result {
                        Ok(fd) => return Poll::Ready(Event::Accepted { port, fd }),
                        Err(Errno::EINTR) => {
                            *slot = Slot::Again;
                            interrupted = true;
                        }
                        Err(_) => *slot = Slot::Dead,
                    }
                }
            }
            if interrupted && ctx.has_signal() {
                continue;
            }
            let waiting = accepts.iter().any(|s| matches!(s, Slot::Live(_)));
            if (interrupted || !waiting) && self.conns.is_empty() {
                return Poll::Ready(Event::Idle);
            }
            return Poll::Pending;
        })
        .await
    }
}

/// The peer address of a connected socket as servers log it (`127.0.0.1` when unknown).
pub fn peer(ctx: &Ctx, fd: i32) -> String {
    ctx.peer_addr(fd).unwrap_or_else(|| "127.0.0.1".into())
}
