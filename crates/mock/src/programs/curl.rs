//! curl, the subset scripts and `kubectl exec` sessions use: `curl [-s] [-S] [-f] [-i] [-I]
//! [-o FILE] [-w '%{http_code}'] [-m SECS] [-X METHOD] [-H HEADER] [-d DATA] URL`, plain HTTP.
//! Its messages and exit codes are curl 8's: `curl: (7) Failed to connect to localhost port 81
//! after 0 ms: Couldn't connect to server`, `curl: (6) Could not resolve host: web`,
//! `curl: (22) The requested URL returned error: 404`.

use std::future::Future;

use crate::fs::{Errno, WriteMode};
use crate::kernel::{Ctx, Task};

/// What curl sends as its `User-Agent`.
const VERSION: &str = "7.88.1";

#[derive(Default)]
struct Opts {
    silent: bool,
    show_error: bool,
    fail: bool,
    include: bool,
    head: bool,
    output: Option<String>,
    write_out: Option<String>,
    max_time_ms: Option<u64>,
    method: Option<String>,
    headers: Vec<String>,
    data: Option<String>,
    url: Option<String>,
}

/// Splits clustered short options as curl does: `-fsS` is `-f -s -S`, `-o/dev/null` is
/// `-o /dev/null`.
fn expand(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for a in args {
        let is_cluster = a.starts_with('-') && !a.starts_with("--") && a.len() > 2;
        if !is_cluster {
            out.push(a.clone());
            continue;
        }
        let letters: Vec<char> = a[1..].chars().collect();
        for (i, c) in letters.iter().enumerate() {
            out.push(format!("-{c}"));
            if "owmXHd".contains(*c) {
                let rest: String = letters[i + 1..].iter().collect();
                if !rest.is_empty() {
                    out.push(rest);
                }
                break;
            }
        }
    }
    out
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let args = expand(args);
    let args = args.as_slice();
    let mut o = Opts::default();
    let mut i = 0;
    let value = |i: &mut usize, flag: &str| -> Result<String, String> {
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| format!("curl: option {flag}: requires parameter"))
    };
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-s" | "--silent" => o.silent = true,
            "-S" | "--show-error" => o.show_error = true,
            "-f" | "--fail" => o.fail = true,
            "-i" | "--include" => o.include = true,
            "-I" | "--head" => o.head = true,
            "-L" | "--location" | "-k" | "--insecure" | "-v" | "--verbose" | "-4" => {}
            "-o" | "--output" => o.output = Some(value(&mut i, a)?),
            "-w" | "--write-out" => o.write_out = Some(value(&mut i, a)?),
            "-m" | "--max-time" | "--connect-timeout" => {
                let v = value(&mut i, a)?;
                let secs: f64 = v
                    .parse()
                    .map_err(|_| format!("curl: option {a}: expected a proper numerical parameter"))?;
                o.max_time_ms = Some((secs * 1000.0) as u64);
            }
            "-X" | "--request" => o.method = Some(value(&mut i, a)?),
            "-H" | "--header" => o.headers.push(value(&mut i, a)?),
            "-d" | "--data" | "--data-raw" => o.data = Some(value(&mut i, a)?),
            _ if a.starts_with('-') && a.len() > 1 => {
                return Err(format!(
                    "curl: option {a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information"
                ))
            }
            _ => o.url = Some(a.to_string()),
        }
        i += 1;
    }
    Ok(o)
}

struct Url {
    host: String,
    port: u16,
    path: String,
}

fn parse_url(url: &str) -> Result<Url, (i32, String)> {
    let rest = match url.split_once("://") {
        Some(("http", rest)) => rest,
        Some((scheme, _)) => return Err((1, format!("Protocol \"{scheme}\" not supported"))),
        None => url,
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (
            h.to_string(),
            p.parse::<u16>()
                .map_err(|_| (3, "URL using bad/illegal format or missing URL".to_string()))?,
        ),
        None => (authority.to_string(), 80),
    };
    if host.is_empty() {
        return Err((3, "URL using bad/illegal format or missing URL".into()));
    }
    Ok(Url { host, port, path })
}

pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        let o = match parse(&argv[1..]) {
            Ok(o) => o,
            Err(e) => {
                ctx.print(2, &format!("{e}\n")).await;
                return 2;
            }
        };
        let Some(url) = o.url.clone() else {
            ctx.print(
                2,
                "curl: try 'curl --help' or 'curl --manual' for more information\n",
            )
            .await;
            return 2;
        };
        match fetch(&ctx, &o, &url).await {
            Ok(code) => code,
            Err((code, message)) => {
                if !o.silent || o.show_error {
                    ctx.print(2, &format!("curl: ({code}) {message}\n")).await;
                }
                code
            }
        }
    })
}

async fn fetch(ctx: &Ctx, o: &Opts, url: &str) -> Result<i32, (i32, String)> {
    let u = parse_url(url)?;
    let ip = ctx
        .resolve(&u.host)
        .ok_or_else(|| (6, format!("Could not resolve host: {}", u.host)))?;
    let started = ctx.now();
    let fd = match ctx.connect(&ip, u.port).await {
        Ok(fd) => fd,
        Err(Errno::ECONNREFUSED) | Err(_) => {
            let ms = ctx.now().millis_since(started);
            return Err((
                7,
                format!(
                    "Failed to connect to {} port {} after {ms} ms: Couldn't connect to server",
                    u.host, u.port
                ),
            ));
        }
    };
    let method = o.method.clone().unwrap_or_else(|| {
        if o.head {
            "HEAD".into()
        } else if o.data.is_some() {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    let host_header = if u.port == 80 {
        u.host.clone()
    } else {
        format!("{}:{}", u.host, u.port)
    };
    let mut request = format!(
        "{method} {} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: curl/{VERSION}\r\nAccept: */*\r\n",
        u.path
    );
    for h in &o.headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    if let Some(d) = &o.data {
        request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
        request.push_str(&format!("Content-Length: {}\r\n", d.len()));
    }
    request.push_str("\r\n");
    if let Some(d) = &o.data {
        request.push_str(d);
    }
    if ctx.write(fd, request.as_bytes()).await.is_err() {
        return Err((56, "Failure when receiving data from the peer".into()));
    }
    let deadline = o.max_time_ms.map(|ms| started.plus_millis(ms));
    let (head, body) = read_response(ctx, fd, method == "HEAD", deadline)
        .await
        .map_err(|received| {
            let ms = ctx.now().millis_since(started);
            (
                28,
                format!(
                    "Operation timed out after {ms} milliseconds with {received} bytes received"
                ),
            )
        })?;
    let _ = ctx.close(fd);
    let status = head
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .unwrap_or(0);
    if o.fail && status >= 400 {
        return Err((22, format!("The requested URL returned error: {status}")));
    }
    let mut out = Vec::new();
    if o.include || o.head {
        out.extend_from_slice(head.as_bytes());
    }
    if !o.head {
        out.extend_from_slice(&body);
    }
    match &o.output {
        Some(path) if path != "-" => {
            if let Err(e) = ctx.write_file(path, &out, WriteMode::Truncate) {
                return Err((
                    23,
                    format!(
                        "Failure writing output to destination, passed {} returned {}",
                        out.len(),
                        e.code()
                    ),
                ));
            }
        }
        _ => {
            let _ = ctx.write(1, &out).await;
        }
    }
    if let Some(w) = &o.write_out {
        let text = w
            .replace("%{http_code}", &format!("{status:03}"))
            .replace("%{response_code}", &format!("{status:03}"))
            .replace("%{size_download}", &body.len().to_string())
            .replace("\\n", "\n");
        ctx.print(1, &text).await;
    }
    Ok(0)
}

/// Reads a response: the head (with its CRLFs, as `-i` prints it) and the body by its
/// `Content-Length`, or to the end of the connection. Err(bytes so far) at the deadline.
async fn read_response(
    ctx: &Ctx,
    fd: i32,
    head_only: bool,
    deadline: Option<podplay_engine::time::Time>,
) -> Result<(String, Vec<u8>), usize> {
    let mut buf: Vec<u8> = Vec::new();
    let mut head_end = None;
    loop {
        if let Some(end) = head_end {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let length = head.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.trim()
                    .eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().ok())
                    .flatten()
            });
            let body_len = buf.len() - end;
            if head_only || length.is_some_and(|n| body_len >= n) {
                let n = if head_only {
                    0
                } else {
                    length.unwrap_or(body_len)
                };
                return Ok((head, buf[end..end + n.min(body_len)].to_vec()));
            }
        }
        if deadline.is_some_and(|d| ctx.now() >= d) {
            return Err(buf.len());
        }
        let chunk = match deadline {
            Some(d) => {
                // Wait for bytes, but not past the deadline.
                let read = ctx.read(fd, 64 * 1024);
                let chunk = race_deadline(ctx, read, d).await;
                match chunk {
                    Some(c) => c.unwrap_or_default(),
                    None => return Err(buf.len()),
                }
            }
            None => ctx.read(fd, 64 * 1024).await.unwrap_or_default(),
        };
        if chunk.is_empty() {
            let end = head_end.unwrap_or(buf.len());
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            return Ok((head, buf[end..].to_vec()));
        }
        buf.extend_from_slice(&chunk);
        if head_end.is_none() {
            head_end = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
        }
    }
}

/// Polls `fut` until it is ready or the clock passes `deadline` (then None).
async fn race_deadline<F: Future>(
    ctx: &Ctx,
    fut: F,
    deadline: podplay_engine::time::Time,
) -> Option<F::Output> {
    let mut fut = std::pin::pin!(fut);
    let mut timer = std::pin::pin!(ctx.wait_change(Some(deadline)));
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(v) = fut.as_mut().poll(cx) {
            return std::task::Poll::Ready(Some(v));
        }
        if ctx.now() >= deadline {
            return std::task::Poll::Ready(None);
        }
        // Re-arm the timer so the process also wakes at the deadline.
        if timer.as_mut().poll(cx).is_ready() {
            timer.set(ctx.wait_change(Some(deadline)));
            let _ = timer.as_mut().poll(cx);
        }
        std::task::Poll::Pending
    })
    .await
}
