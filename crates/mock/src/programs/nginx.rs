//! nginx, as the official image runs it: `/docker-entrypoint.sh` ([`entrypoint`]) configures and
//! `exec`s `nginx -g 'daemon off;'` ([`main`]), whose master binds its ports (five tries, 500 ms
//! apart, as `ngx_open_listening_sockets` does), forks its workers and serves static files from
//! the `root` of its config, logging each request in the `main` format to stdout and its errors
//! to stderr. SIGQUIT shuts it down gracefully (the image's stop signal), SIGTERM and SIGINT fast,
//! SIGHUP reloads, SIGUSR1 reopens logs: each with the notices nginx writes.
//!
//! The config is read for what decides behaviour here: `listen`, `server_name`, `root`, `alias`,
//! `index`, `return`, `location` (exact and prefix), `pid`, `worker_processes` and `daemon`;
//! other directives are accepted and ignored. The master does the serving; its workers are
//! processes that exist for `ps` and the logs.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::fs::{Errno, Kind};
use crate::kernel::{Ctx, Disposition, Pid, Signal, Task};

use super::http::{self, Conn, Event, ReadError, Request, Response, Server};
use super::{build_info, err, out, path_var, strftime, KERNEL_RELEASE};

/// CPUs of the node, for `worker_processes auto`.
pub const NODE_CPUS: u32 = 2;

/// The image's `/etc/nginx/nginx.conf` (`pid` moved from /var/run to /run in 1.25's packaging).
pub fn nginx_conf(modern: bool) -> String {
    let pid = if modern {
        "/run/nginx.pid"
    } else {
        "/var/run/nginx.pid"
    };
    let error_log = if modern { "notice" } else { "warn" };
    format!(
        "\nuser  nginx;\nworker_processes  auto;\n\nerror_log  /var/log/nginx/error.log {error_log};\npid        {pid};\n\n\nevents {{\n    worker_connections  1024;\n}}\n\n\nhttp {{\n    include       /etc/nginx/mime.types;\n    default_type  application/octet-stream;\n\n    log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '\n                      '$status $body_bytes_sent \"$http_referer\" '\n                      '\"$http_user_agent\" \"$http_x_forwarded_for\"';\n\n    access_log  /var/log/nginx/access.log  main;\n\n    sendfile        on;\n    #tcp_nopush     on;\n\n    keepalive_timeout  65;\n\n    #gzip  on;\n\n    include /etc/nginx/conf.d/*.conf;\n}}\n"
    )
}

/// The packaged `/etc/nginx/conf.d/default.conf` (before the entrypoint adds the IPv6 listen).
pub const DEFAULT_CONF: &str = "server {\n    listen       80;\n    server_name  localhost;\n\n    #access_log  /var/log/nginx/host.access.log  main;\n\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n\n    #error_page  404              /404.html;\n\n    # redirect server error pages to the static page /50x.html\n    #\n    error_page   500 502 503 504  /50x.html;\n    location = /50x.html {\n        root   /usr/share/nginx/html;\n    }\n\n    # proxy the PHP scripts to Apache listening on 127.0.0.1:80\n    #\n    #location ~ \\.php$ {\n    #    proxy_pass   http://127.0.0.1;\n    #}\n\n    # pass the PHP scripts to FastCGI server listening on 127.0.0.1:9000\n    #\n    #location ~ \\.php$ {\n    #    root           html;\n    #    fastcgi_pass   127.0.0.1:9000;\n    #    fastcgi_index  index.php;\n    #    fastcgi_param  SCRIPT_FILENAME  /scripts$fastcgi_script_name;\n    #    include        fastcgi_params;\n    #}\n\n    # deny access to .htaccess files, if Apache's document root\n    # concurs with nginx's one\n    #\n    #location ~ /\\.ht {\n    #    deny  all;\n    #}\n}\n\n";

/// The head of `/etc/nginx/mime.types` (the common types; the real file lists about a hundred).
pub const MIME_TYPES: &str = "\ntypes {\n    text/html                                        html htm shtml;\n    text/css                                         css;\n    text/xml                                         xml;\n    image/gif                                        gif;\n    image/jpeg                                       jpeg jpg;\n    application/javascript                           js;\n    application/atom+xml                             atom;\n    application/rss+xml                              rss;\n\n    text/plain                                       txt;\n\n    image/png                                        png;\n    image/svg+xml                                    svg svgz;\n    image/webp                                       webp;\n    image/x-icon                                     ico;\n\n    application/json                                 json;\n    application/pdf                                  pdf;\n    application/zip                                  zip;\n    application/wasm                                 wasm;\n\n    video/mp4                                        mp4;\n}\n";

/// `/usr/share/nginx/html/index.html` from nginx 1.21 to 1.28 (615 bytes).
pub const WELCOME: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";

/// The welcome page before nginx 1.21 (612 bytes).
pub const WELCOME_OLD: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\n    body {\n        width: 35em;\n        margin: 0 auto;\n        font-family: Tahoma, Verdana, Arial, sans-serif;\n    }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, the nginx web server is successfully installed and\nworking. Further configuration is required.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";

/// The welcome page of nginx 1.29 (2025).
pub const WELCOME_2025: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see this page, nginx is successfully installed and working.\nFurther configuration is required for the web server, reverse proxy, \nAPI gateway, load balancer, content cache, or other features.</p>\n\n<p>For online documentation and support please refer to\n<a href=\"https://nginx.org/\">nginx.org</a>.<br/>\nTo engage with the community please visit\n<a href=\"https://community.nginx.org/\">community.nginx.org</a>.<br/>\nFor enterprise grade support, professional services, additional \nsecurity features and capabilities please refer to\n<a href=\"https://f5.com/nginx\">f5.com/nginx</a>.</p>\n\n<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n";

/// `/usr/share/nginx/html/50x.html`.
pub const ERROR_50X: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Error</title>\n<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n</style>\n</head>\n<body>\n<h1>An error occurred.</h1>\n<p>Sorry, the page you are looking for is currently unavailable.<br/>\nPlease try again later.</p>\n<p>If you are the system administrator of this resource then you should check\nthe error log for details.</p>\n<p><em>Faithfully yours, nginx.</em></p>\n</body>\n</html>\n";

/// The scripts of `/docker-entrypoint.d/` (the entrypoint performs these four natively when
/// they are unchanged, and runs any other script with `/bin/sh`).
/// The texts are nginxinc/docker-nginx's `entrypoint/` scripts.
pub const ENTRYPOINT_SCRIPTS: [(&str, &str); 4] = [
    (
        "10-listen-on-ipv6-by-default.sh",
        include_str!("nginx_entrypoint_d/10-listen-on-ipv6-by-default.sh"),
    ),
    (
        "15-local-resolvers.envsh",
        include_str!("nginx_entrypoint_d/15-local-resolvers.envsh"),
    ),
    (
        "20-envsubst-on-templates.sh",
        include_str!("nginx_entrypoint_d/20-envsubst-on-templates.sh"),
    ),
    (
        "30-tune-worker-processes.sh",
        include_str!("nginx_entrypoint_d/30-tune-worker-processes.sh"),
    ),
];

const DEFAULT_CONF_PATH: &str = "/etc/nginx/conf.d/default.conf";

// --- /docker-entrypoint.sh ---------------------------------------------------------------

/// `/docker-entrypoint.sh` of the official image: prints what it configures, runs the scripts
/// of `/docker-entrypoint.d/`, then `exec "$@"`.
pub fn entrypoint(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run_entrypoint(&ctx, argv).await })
}

async fn run_entrypoint(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let me = argv
        .first()
        .cloned()
        .unwrap_or_else(|| "/docker-entrypoint.sh".into());
    let args: Vec<String> = argv.iter().skip(1).cloned().collect();
    let quiet = ctx
        .getenv("NGINX_ENTRYPOINT_QUIET_LOGS")
        .is_some_and(|v| !v.is_empty());
    let log = |line: String| async move {
        if !quiet {
            out(ctx, &line).await;
        }
    };
    // The processes the script forks (find, sort, the scripts and their commands): they take
    // pids, which is why nginx's first worker is 29 after a first start and 22 after a restart.
    let mut forks = 0u32;
    if matches!(
        args.first().map(String::as_str),
        Some("nginx" | "nginx-debug")
    ) {
        let files = find_files(ctx, "/docker-entrypoint.d");
        // `find | read`, `find | sort -V | while read`, and the subshells of the pipeline.
        forks += 9;
        if files.is_empty() {
            log(format!(
                "{me}: No files found in /docker-entrypoint.d/, skipping configuration"
            ))
            .await;
        } else {
            log(format!(
                "{me}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
            ))
            .await;
            log(format!(
                "{me}: Looking for shell scripts in /docker-entrypoint.d/"
            ))
            .await;
            forks += 2;
            for f in files {
                let executable = ctx.stat(&f).is_ok_and(|s| s.mode & 0o111 != 0);
                let name = f.rsplit('/').next().unwrap_or(&f).to_string();
                let native = ENTRYPOINT_SCRIPTS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .filter(|(_, text)| ctx.read_file(&f).is_ok_and(|c| c == text.as_bytes()));
                if f.ends_with(".envsh") {
                    if !executable {
                        log(format!("{me}: Ignoring {f}, not executable")).await;
                        continue;
                    }
                    log(format!("{me}: Sourcing {f}")).await;
                    forks += 1;
                    if native.is_none() {
                        // Sourced in the real script's `while` subshell: its exports are lost
                        // there too.
                        let code = run_script(ctx, &f).await;
                        if code != 0 {
                            return code;
                        }
                    }
                } else if f.ends_with(".sh") {
                    if !executable {
                        log(format!("{me}: Ignoring {f}, not executable")).await;
                        continue;
                    }
                    log(format!("{me}: Launching {f}")).await;
                    match native.map(|(n, _)| *n) {
                        Some("10-listen-on-ipv6-by-default.sh") => {
                            forks += listen_on_ipv6(ctx, quiet).await;
                        }
                        Some("20-envsubst-on-templates.sh") => {
                            forks += envsubst_on_templates(ctx, quiet).await;
                        }
                        Some(_) => forks += 2,
                        None => {
                            forks += 1;
                            let code = run_script(ctx, &f).await;
                            // `set -e`: a failing script ends the entrypoint.
                            if code != 0 {
                                return code;
                            }
                        }
                    }
                } else {
                    log(format!("{me}: Ignoring {f}")).await;
                }
            }
            log(format!("{me}: Configuration complete; ready for start up")).await;
        }
    }
    for _ in 0..forks {
        let child = ctx.fork(|_| Ctx::done(0));
        let _ = ctx.wait(child, false).await;
    }
    let Some(program) = args.first() else {
        return 0;
    };
    match ctx.find_program(program, &path_var(ctx)) {
        Ok(path) => match ctx.exec(&path, args.clone(), ctx.env()).await {
            Ok(code) => code,
            Err(_) => {
                err(
                    ctx,
                    &format!("{me}: 47: exec: {program}: Permission denied"),
                )
                .await;
                126
            }
        },
        Err(Errno::EACCES) => {
            err(
                ctx,
                &format!("{me}: 47: exec: {program}: Permission denied"),
            )
            .await;
            126
        }
        Err(_) => {
            err(ctx, &format!("{me}: 47: exec: {program}: not found")).await;
            127
        }
    }
}

/// `find DIR -follow -type f -print | sort -V`.
fn find_files(ctx: &Ctx, dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_string()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = ctx.list(&d) else {
            continue;
        };
        for (name, _) in entries {
            let path = format!("{}/{name}", d.trim_end_matches('/'));
            match ctx.stat(&path).map(|s| s.kind) {
                Ok(Kind::File) => out.push(path),
                Ok(Kind::Dir) if stack.len() < 64 => stack.push(path),
                _ => {}
            }
        }
    }
    out.sort_by(|a, b| version_cmp(a, b));
    out
}

/// `sort -V`: digit runs compare as numbers.
fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, String)> {
        let mut v: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let d = c.is_ascii_digit();
            match v.last_mut() {
                Some((kind, text)) if *kind == d => text.push(c),
                _ => v.push((d, c.to_string())),
            }
        }
        v
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for (x, y) in ca.iter().zip(cb.iter()) {
        let o = match (x.0, y.0) {
            (true, true) => {
                let (nx, ny) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
            }
            _ => x.1.cmp(&y.1),
        };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    ca.len().cmp(&cb.len())
}

/// Runs a script the entrypoint does not know as a child (`"$f"`: its shebang decides).
async fn run_script(ctx: &Ctx, path: &str) -> i32 {
    let path = path.to_string();
    let child = ctx.fork(move |c| {
        Box::pin(async move {
            let argv = vec![path.clone()];
            c.exec(&path, argv, c.env()).await.unwrap_or(126)
        })
    });
    match ctx.wait(child, false).await {
        Ok(status) => status.code(),
        Err(_) => 0,
    }
}

/// `10-listen-on-ipv6-by-default.sh`. Returns the processes it forked.
async fn listen_on_ipv6(ctx: &Ctx, quiet: bool) -> u32 {
    let me = "10-listen-on-ipv6-by-default.sh";
    let say = |line: String| async move {
        if !quiet {
            out(ctx, &line).await;
        }
    };
    let is_file = ctx
        .stat(DEFAULT_CONF_PATH)
        .is_ok_and(|s| s.kind == Kind::File);
    if !is_file {
        say(format!(
            "{me}: info: {DEFAULT_CONF_PATH} is not a file or does not exist"
        ))
        .await;
        return 1;
    }
    if ctx.touch(DEFAULT_CONF_PATH).is_err() {
        say(format!(
            "{me}: info: can not modify {DEFAULT_CONF_PATH} (read-only file system?)"
        ))
        .await;
        return 2;
    }
    let text = ctx
        .read_file(DEFAULT_CONF_PATH)
        .map(|c| String::from_utf8_lossy(&c).into_owned())
        .unwrap_or_default();
    if text.contains("listen  [::]:80;") {
        say(format!("{me}: info: IPv6 listen already enabled")).await;
        return 3;
    }
    say(format!(
        "{me}: info: Getting the checksum of {DEFAULT_CONF_PATH}"
    ))
    .await;
    if text != DEFAULT_CONF {
        say(format!(
            "{me}: info: {DEFAULT_CONF_PATH} differs from the packaged version"
        ))
        .await;
        return 9;
    }
    let edited = text.replacen(
        "listen       80;",
        "listen       80;\n    listen  [::]:80;",
        1,
    );
    let _ = ctx.write_file(
        DEFAULT_CONF_PATH,
        edited.as_bytes(),
        crate::fs::WriteMode::Truncate,
    );
    say(format!(
        "{me}: info: Enabled listen on IPv6 in {DEFAULT_CONF_PATH}"
    ))
    .await;
    10
}

/// `20-envsubst-on-templates.sh`: `${VAR}` and `$VAR` of defined variables replaced in every
/// `*.template` under the template directory, written to `conf.d`. Returns the processes it
/// forked.
async fn envsubst_on_templates(ctx: &Ctx, quiet: bool) -> u32 {
    let me = "20-envsubst-on-templates.sh";
    let env = ctx.env();
    let get = |k: &str, d: &str| {
        env.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| d.to_string())
    };
    let template_dir = get("NGINX_ENVSUBST_TEMPLATE_DIR", "/etc/nginx/templates");
    let suffix = get("NGINX_ENVSUBST_TEMPLATE_SUFFIX", ".template");
    let output_dir = get("NGINX_ENVSUBST_OUTPUT_DIR", "/etc/nginx/conf.d");
    let filter = get("NGINX_ENVSUBST_FILTER", "");
    if !ctx.stat(&template_dir).is_ok_and(|s| s.kind == Kind::Dir) {
        return 3;
    }
    let probe = format!("{output_dir}/.podplay-writable");
    let writable = ctx
        .write_file(&probe, b"", crate::fs::WriteMode::Truncate)
        .is_ok();
    let _ = ctx.remove(&probe, false);
    if !writable {
        if !quiet {
            out(
                ctx,
                &format!("{me}: ERROR: {template_dir} exists, but {output_dir} is not writable"),
            )
            .await;
        }
        return 4;
    }
    let mut forks = 5;
    for template in find_files(ctx, &template_dir) {
        if !template.ends_with(&suffix) {
            continue;
        }
        let relative = template
            .strip_prefix(&format!("{template_dir}/"))
            .unwrap_or(&template)
            .to_string();
        let output = format!(
            "{output_dir}/{}",
            &relative[..relative.len() - suffix.len()]
        );
        if let Some((sub, _)) = relative.rsplit_once('/') {
            let _ = ctx.mkdir(&format!("{output_dir}/{sub}"), true);
        }
        if !quiet {
            out(
                ctx,
                &format!("{me}: Running envsubst on {template} to {output}"),
            )
            .await;
        }
        let text = ctx
            .read_file(&template)
            .map(|c| String::from_utf8_lossy(&c).into_owned())
            .unwrap_or_default();
        let result = envsubst(&text, &env, &filter);
        let _ = ctx.write_file(&output, result.as_bytes(), crate::fs::WriteMode::Truncate);
        forks += 3;
    }
    forks
}

/// `envsubst '${A} ${B}'` over the defined variables (those whose name starts with `filter`):
/// undefined ones stay as written.
fn envsubst(text: &str, env: &[(String, String)], filter: &str) -> String {
    let value = |name: &str| {
        if !name.starts_with(filter) {
            return None;
        }
        env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    };
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let braced = b.get(i + 1) == Some(&b'{');
            let start = if braced { i + 2 } else { i + 1 };
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            let closed = !braced || b.get(end) == Some(&b'}');
            if end > start && closed && !b[start].is_ascii_digit() {
                let name = &text[start..end];
                if let Some(v) = value(name) {
                    out.push_str(&v);
                    i = if braced { end + 1 } else { end };
                    continue;
                }
            }
        }
        let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

// --- the config ----------------------------------------------------------------------------

/// What nginx's config decides here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub pid_path: String,
    pub workers: u32,
    pub daemon: bool,
    pub servers: Vec<ServerConf>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerConf {
    /// `listen` addresses as nginx prints them in errors: `0.0.0.0:80`, `[::]:80`.
    pub listens: Vec<(String, u16)>,
    pub default_server: bool,
    pub names: Vec<String>,
    pub root: Option<String>,
    pub index: Option<Vec<String>>,
    pub locations: Vec<Location>,
    pub ret: Option<(u16, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub exact: bool,
    pub path: String,
    pub root: Option<String>,
    pub alias: Option<String>,
    pub index: Option<Vec<String>>,
    pub ret: Option<(u16, String)>,
}

/// A config error nginx stops at: the message after `[emerg] `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

struct Tok {
    text: String,
    line: usize,
}

fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            '\n' => {
                line += 1;
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => {
                while let Some(&c) = chars.peek() {
                    if c == '\n' {
                        break;
                    }
                    chars.next();
                }
            }
            '{' | '}' | ';' => {
                toks.push(Tok {
                    text: c.to_string(),
                    line,
                });
                chars.next();
            }
            '"' | '\'' => {
                let q = c;
                chars.next();
                let mut s = String::new();
                while let Some(c) = chars.next() {
                    if c == '\\' {
                        if let Some(n) = chars.next() {
                            s.push(n);
                        }
                        continue;
                    }
                    if c == q {
                        break;
                    }
                    if c == '\n' {
                        line += 1;
                    }
                    s.push(c);
                }
                toks.push(Tok { text: s, line });
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '{' | '}' | ';') {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                toks.push(Tok { text: s, line });
            }
        }
    }
    toks
}

/// A directive: its words, and its block if it has one.
struct Directive {
    args: Vec<String>,
    block: Option<Vec<Directive>>,
}

fn parse_block(
    toks: &[Tok],
    pos: &mut usize,
    file: &str,
    nested: bool,
) -> Result<Vec<Directive>, ConfigError> {
    let mut out = Vec::new();
    let mut args: Vec<String> = Vec::new();
    while *pos < toks.len() {
        let t = &toks[*pos];
        *pos += 1;
        match t.text.as_str() {
            ";" => {
                out.push(Directive {
                    args: std::mem::take(&mut args),
                    block: None,
                });
            }
            "{" => {
                let block = parse_block(toks, pos, file, true)?;
                out.push(Directive {
                    args: std::mem::take(&mut args),
                    block: Some(block),
                });
            }
            "}" => {
                if !nested {
                    return Err(ConfigError(format!(
                        "unexpected \"}}\" in {file}:{}",
                        t.line
                    )));
                }
                return Ok(out);
            }
            word => args.push(word.to_string()),
        }
    }
    let last = toks.last().map_or(1, |t| t.line);
    if nested {
        return Err(ConfigError(format!(
            "unexpected end of file, expecting \"}}\" in {file}:{last}"
        )));
    }
    if !args.is_empty() {
        return Err(ConfigError(format!(
            "unexpected end of file, expecting \";\" or \"}}\" in {file}:{last}"
        )));
    }
    Ok(out)
}

/// Reads `path` and its includes.
fn load(ctx: &Ctx, path: &str, depth: u32) -> Result<Vec<Directive>, ConfigError> {
    let text = match ctx.read_file(path) {
        Ok(c) => String::from_utf8_lossy(&c).into_owned(),
        Err(e) => {
            return Err(ConfigError(format!(
                "open() \"{path}\" failed ({}: {})",
                e.code(),
                e.message()
            )))
        }
    };
    let toks = tokenize(&text);
    let mut pos = 0;
    let mut dirs = parse_block(&toks, &mut pos, path, false)?;
    expand_includes(ctx, &mut dirs, depth)?;
    Ok(dirs)
}

fn expand_includes(ctx: &Ctx, dirs: &mut Vec<Directive>, depth: u32) -> Result<(), ConfigError> {
    let mut i = 0;
    while i < dirs.len() {
        if let Some(block) = dirs[i].block.as_mut() {
            expand_includes(ctx, block, depth)?;
        }
        if dirs[i].args.first().map(String::as_str) == Some("include") && depth < 8 {
            let pattern = dirs[i].args.get(1).cloned().unwrap_or_default();
            let mut included = Vec::new();
            for file in glob(ctx, &pattern) {
                included.extend(load(ctx, &file, depth + 1)?);
            }
            let n = included.len();
            dirs.splice(i..=i, included);
            i += n;
            continue;
        }
        i += 1;
    }
    Ok(())
}

/// The files an `include` names: a path, or `dir/*.ext` (sorted, as glob(3) sorts).
fn glob(ctx: &Ctx, pattern: &str) -> Vec<String> {
    let pattern = if pattern.starts_with('/') {
        pattern.to_string()
    } else {
        format!("/etc/nginx/{pattern}")
    };
    let Some((dir, name)) = pattern.rsplit_once('/') else {
        return Vec::new();
    };
    if !name.contains('*') {
        return vec![pattern.clone()];
    }
    let (pre, post) = name.split_once('*').unwrap_or((name, ""));
    let mut files: Vec<String> = ctx
        .list(dir)
        .unwrap_or_default()
        .into_iter()
        .filter(|(n, _)| {
            n.starts_with(pre) && n.ends_with(post) && n.len() >= pre.len() + post.len()
        })
        .map(|(n, _)| format!("{dir}/{n}"))
        .filter(|p| ctx.stat(p).is_ok_and(|s| s.kind == Kind::File))
        .collect();
    files.sort();
    files
}

/// Reads the config nginx would read, with `-g` directives on top.
pub fn read_config(ctx: &Ctx, path: &str, global: &str) -> Result<Config, ConfigError> {
    let mut dirs = load(ctx, path, 0)?;
    if !global.is_empty() {
        let toks = tokenize(global);
        let mut pos = 0;
        dirs.extend(parse_block(&toks, &mut pos, "command line", false)?);
    }
    let mut config = Config {
        pid_path: "/run/nginx.pid".into(),
        workers: 1,
        daemon: true,
        servers: Vec::new(),
    };
    for d in &dirs {
        match (d.args.first().map(String::as_str), &d.block) {
            (Some("pid"), None) => {
                if let Some(p) = d.args.get(1) {
                    config.pid_path = p.clone();
                }
            }
            (Some("worker_processes"), None) => {
                config.workers = match d.args.get(1).map(String::as_str) {
                    Some("auto") => NODE_CPUS,
                    Some(n) => n.parse().unwrap_or(1).clamp(1, 64),
                    None => 1,
                };
            }
            (Some("daemon"), None) => {
                config.daemon = d.args.get(1).map(String::as_str) != Some("off")
            }
            (Some("http"), Some(block)) => {
                for s in block {
                    if s.args.first().map(String::as_str) == Some("server") {
                        if let Some(sb) = &s.block {
                            config.servers.push(server_conf(sb));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(config)
}

fn words(d: &Directive) -> Vec<String> {
    d.args.iter().skip(1).cloned().collect()
}

fn ret_of(d: &Directive) -> Option<(u16, String)> {
    let a = words(d);
    match a.as_slice() {
        [code] => match code.parse::<u16>() {
            Ok(c) => Some((c, String::new())),
            // `return URL` is a 302.
            Err(_) => Some((302, code.clone())),
        },
        [code, text, ..] => code.parse::<u16>().ok().map(|c| (c, text.clone())),
        _ => None,
    }
}

fn server_conf(block: &[Directive]) -> ServerConf {
    let mut s = ServerConf::default();
    for d in block {
        match d.args.first().map(String::as_str) {
            Some("listen") => {
                if let Some(spec) = d.args.get(1) {
                    if let Some(l) = parse_listen(spec) {
                        s.listens.push(l);
                    }
                }
                if d.args
                    .iter()
                    .any(|a| a == "default_server" || a == "default")
                {
                    s.default_server = true;
                }
            }
            Some("server_name") => s.names = words(d),
            Some("root") => s.root = d.args.get(1).cloned(),
            Some("index") => s.index = Some(words(d)),
            Some("return") => s.ret = ret_of(d),
            Some("location") => {
                let a = words(d);
                let (exact, path) = match a.as_slice() {
                    [m, p] if m == "=" => (true, p.clone()),
                    [m, p] if m == "^~" => (false, p.clone()),
                    [p] => (false, p.clone()),
                    // Regular expressions are not matched here.
                    _ => continue,
                };
                let mut loc = Location {
                    exact,
                    path,
                    ..Location::default()
                };
                for ld in d.block.iter().flatten() {
                    match ld.args.first().map(String::as_str) {
                        Some("root") => loc.root = ld.args.get(1).cloned(),
                        Some("alias") => loc.alias = ld.args.get(1).cloned(),
                        Some("index") => loc.index = Some(words(ld)),
                        Some("return") => loc.ret = ret_of(ld),
                        _ => {}
                    }
                }
                s.locations.push(loc);
            }
            _ => {}
        }
    }
    if s.listens.is_empty() {
        // A server without `listen` listens on *:80 (as root).
        s.listens.push(("0.0.0.0:80".into(), 80));
    }
    s
}

/// `80`, `[::]:80`, `127.0.0.1:8080`, `*:80`, `localhost:8080` → (how nginx prints it, port).
fn parse_listen(spec: &str) -> Option<(String, u16)> {
    if let Ok(port) = spec.parse::<u16>() {
        return Some((format!("0.0.0.0:{port}"), port));
    }
    let (host, port) = spec.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let host = match host {
        "*" => "0.0.0.0",
        "localhost" => "127.0.0.1",
        h => h,
    };
    Some((format!("{host}:{port}"), port))
}

// --- nginx ---------------------------------------------------------------------------------

/// nginx's build: the version and compiler it prints.
#[derive(Clone, Debug)]
struct Build {
    version: String,
    compiler: String,
}

fn ts(ctx: &Ctx) -> String {
    strftime(ctx.now(), "%Y/%m/%d %H:%M:%S")
}

/// `2026/01/01 00:00:01 [notice] 1#1: …` on stderr (the image's error log is /dev/stderr).
async fn log(ctx: &Ctx, level: &str, pid: u32, msg: &str) {
    err(ctx, &format!("{} [{level}] {pid}#{pid}: {msg}", ts(ctx))).await;
}

/// An `[emerg]` before the error log is open: the logged line and nginx's own `nginx: ` copy.
async fn emerg(ctx: &Ctx, pid: u32, msg: &str) {
    log(ctx, "emerg", pid, msg).await;
    err(ctx, &format!("nginx: [emerg] {msg}")).await;
}

/// nginx's `main`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run(&ctx, argv).await })
}

async fn run(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let info = build_info(ctx, argv.first().map_or("nginx", String::as_str));
    let build = Build {
        version: info
            .get("version")
            .cloned()
            .unwrap_or_else(|| "1.27.5".into()),
        compiler: info
            .get("compiler")
            .cloned()
            .unwrap_or_else(|| "gcc 12.2.0 (Debian 12.2.0-14) ".into()),
    };
    let me = ctx.ns_pid();
    let mut conf_path = "/etc/nginx/nginx.conf".to_string();
    let mut global = String::new();
    let mut signal: Option<String> = None;
    let mut test = false;
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "-v" => {
                err(ctx, &format!("nginx version: nginx/{}", build.version)).await;
                return 0;
            }
            "-V" => {
                err(ctx, &format!("nginx version: nginx/{}", build.version)).await;
                err(ctx, &format!("built by {}", build.compiler)).await;
                return 0;
            }
            "-h" | "-?" => {
                err(ctx, &format!("nginx version: nginx/{}", build.version)).await;
                err(ctx, "Usage: nginx [-?hvVtTq] [-s signal] [-p prefix]\n             [-e filename] [-c filename] [-g directives]").await;
                return 0;
            }
            "-t" | "-T" => test = true,
            "-q" => {}
            "-c" | "-g" | "-s" | "-p" | "-e" => {
                let Some(v) = argv.get(i + 1) else {
                    err(
                        ctx,
                        &format!(
                            "nginx: option \"{a}\" requires {}",
                            match a {
                                "-c" | "-e" => "file name",
                                "-g" => "parameter",
                                "-s" => "parameter",
                                _ => "directory name",
                            }
                        ),
                    )
                    .await;
                    return 1;
                };
                match a {
                    "-c" => conf_path = v.clone(),
                    "-g" => global = v.clone(),
                    "-s" => signal = Some(v.clone()),
                    _ => {}
                }
                i += 1;
            }
            _ => {
                let opt = a.trim_start_matches('-');
                err(ctx, &format!("nginx: invalid option: \"{opt}\"")).await;
                return 1;
            }
        }
        i += 1;
    }
    let config = match read_config(ctx, &conf_path, &global) {
        Ok(c) => c,
        Err(ConfigError(msg)) => {
            emerg(ctx, me, &msg).await;
            if test {
                err(
                    ctx,
                    &format!("nginx: configuration file {conf_path} test failed"),
                )
                .await;
            }
            return 1;
        }
    };
    if test {
        err(
            ctx,
            &format!("nginx: the configuration file {conf_path} syntax is ok"),
        )
        .await;
        err(
            ctx,
            &format!("nginx: configuration file {conf_path} test is successful"),
        )
        .await;
        return 0;
    }
    if let Some(s) = signal {
        return send_signal(ctx, me, &config, &s).await;
    }
    master(ctx, argv, build, config, (conf_path, global)).await
}

/// `nginx -s stop|quit|reopen|reload`: signals the master named in the pid file.
async fn send_signal(ctx: &Ctx, me: u32, config: &Config, name: &str) -> i32 {
    let sig = match name {
        "stop" => Signal::Term,
        "quit" => Signal::Quit,
        "reopen" => Signal::Usr1,
        "reload" => Signal::Hup,
        _ => {
            err(ctx, &format!("nginx: invalid option: \"-s {name}\"")).await;
            return 1;
        }
    };
    log(ctx, "notice", me, "signal process started").await;
    let path = &config.pid_path;
    let text = match ctx.read_file(path) {
        Ok(c) => String::from_utf8_lossy(&c).into_owned(),
        Err(e) => {
            let msg = format!("open() \"{path}\" failed ({}: {})", e.code(), e.message());
            log(ctx, "error", me, &msg).await;
            err(ctx, &format!("nginx: [error] {msg}")).await;
            return 1;
        }
    };
    let Ok(pid) = text.trim().parse::<u32>() else {
        let msg = format!("invalid PID number \"{}\" in \"{path}\"", text.trim());
        log(ctx, "error", me, &msg).await;
        err(ctx, &format!("nginx: [error] {msg}")).await;
        return 1;
    };
    if ctx.kill(pid, Some(sig)).is_err() {
        let msg = format!("kill({pid}, {}) failed (3: No such process)", sig.number());
        log(ctx, "alert", me, &msg).await;
        err(ctx, &format!("nginx: [alert] {msg}")).await;
        return 1;
    }
    0
}

/// The state a master shares with its connections.
struct State {
    build: Build,
    config: Config,
    /// `*N` in the error log: connections accepted so far.
    connections: u64,
    /// The worker the logs name (the master serves on its behalf).
    worker: u32,
    /// A graceful shutdown has begun: requests in flight get `Connection: close`.
    shutting_down: bool,
    /// Where the config came from (`-c`) and the `-g` directives, for a reload.
    conf_path: String,
    global: String,
}

async fn master(
    ctx: &Ctx,
    argv: Vec<String>,
    build: Build,
    config: Config,
    (conf_path, global): (String, String),
) -> i32 {
    let me = ctx.ns_pid();
    // ngx_open_listening_sockets: every listen of every server, five tries 500 ms apart.
    let mut wanted: Vec<(String, u16)> = Vec::new();
    for s in &config.servers {
        for l in &s.listens {
            if !wanted.contains(l) {
                wanted.push(l.clone());
            }
        }
    }
    let mut held: Vec<(u16, i32)> = Vec::new();
    let mut bound = false;
    for _ in 0..5 {
        let mut failed = false;
        for (addr, port) in &wanted {
            if held.iter().any(|(p, _)| p == port) {
                continue;
            }
            match ctx.listen(*port) {
                Ok(fd) => held.push((*port, fd)),
                Err(e) => {
                    failed = true;
                    let (code, text) = match e {
                        Errno::EADDRINUSE => (98, "Address already in use"),
                        other => (other.code(), other.message()),
                    };
                    emerg(
                        ctx,
                        me,
                        &format!("bind() to {addr} failed ({code}: {text})"),
                    )
                    .await;
                }
            }
        }
        if !failed {
            bound = true;
            break;
        }
        log(ctx, "notice", me, "try again to bind() after 500ms").await;
        if ctx.sleep(500).await.is_err() {
            // No handler is installed yet: nothing interrupts the sleep.
        }
    }
    if !bound {
        emerg(ctx, me, "still could not bind()").await;
        return 1;
    }
    let _ = ctx.write_file(
        &config.pid_path,
        format!("{me}\n").as_bytes(),
        crate::fs::WriteMode::Truncate,
    );
    log(ctx, "notice", me, "using the \"epoll\" event method").await;
    log(ctx, "notice", me, &format!("nginx/{}", build.version)).await;
    log(ctx, "notice", me, &format!("built by {}", build.compiler)).await;
    log(ctx, "notice", me, &format!("OS: Linux {KERNEL_RELEASE}")).await;
    log(
        ctx,
        "notice",
        me,
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
    )
    .await;
    if config.daemon {
        // The parent of the daemon returns; the daemon goes with the container.
        return 0;
    }
    ctx.set_argv(vec![format!("nginx: master process {}", argv.join(" "))]);
    for sig in [
        Signal::Term,
        Signal::Int,
        Signal::Quit,
        Signal::Hup,
        Signal::Usr1,
        Signal::Usr2,
        Signal::Winch,
    ] {
        ctx.set_disposition(sig, Disposition::Handle);
    }
    let _ = ctx.alloc(2 << 20);
    let mut workers = start_workers(ctx, me, config.workers).await;
    let state = Rc::new(RefCell::new(State {
        build,
        config,
        connections: 0,
        worker: workers.first().map_or(me, |w| w.1),
        shutting_down: false,
        conf_path,
        global,
    }));
    let mut server = Server::new();
    loop {
        match server.next(ctx, &held).await {
            Event::Accepted { port, fd } => {
                let busy = Rc::new(Cell::new(false));
                let task = connection(ctx.clone(), state.clone(), port, fd, busy.clone());
                server.spawn_tracked(fd, busy, task);
            }
            Event::Signal(Signal::Quit) => {
                log(
                    ctx,
                    "notice",
                    me,
                    "signal 3 (SIGQUIT) received, shutting down",
                )
                .await;
                state.borrow_mut().shutting_down = true;
                for (_, w) in &workers {
                    log(ctx, "notice", *w, "gracefully shutting down").await;
                }
                for (_, fd) in held.drain(..) {
                    let _ = ctx.close(fd);
                }
                server.close_idle(ctx);
                // Requests in flight finish; a second QUIT or a TERM cuts it short.
                loop {
                    match server.next(ctx, &[]).await {
                        Event::Idle | Event::Stopped => break,
                        Event::Signal(Signal::Term | Signal::Int) => break,
                        _ => {}
                    }
                }
                let pid_path = state.borrow().config.pid_path.clone();
                let _ = ctx.remove(&pid_path, false);
                return stop_workers(ctx, me, &workers).await;
            }
            Event::Signal(sig @ (Signal::Term | Signal::Int)) => {
                log(
                    ctx,
                    "notice",
                    me,
                    &format!(
                        "signal {} (SIG{}) received, exiting",
                        sig.number(),
                        sig.name()
                    ),
                )
                .await;
                let pid_path = state.borrow().config.pid_path.clone();
                let _ = ctx.remove(&pid_path, false);
                return stop_workers(ctx, me, &workers).await;
            }
            Event::Signal(Signal::Hup) => {
                log(
                    ctx,
                    "notice",
                    me,
                    "signal 1 (SIGHUP) received, reconfiguring",
                )
                .await;
                log(ctx, "notice", me, "reconfiguring").await;
                let n = state.borrow().config.workers;
                let (conf_path, global) = {
                    let s = state.borrow();
                    (s.conf_path.clone(), s.global.clone())
                };
                match read_config(ctx, &conf_path, &global) {
                    Ok(c) => state.borrow_mut().config = c,
                    Err(ConfigError(msg)) => {
                        log(ctx, "emerg", me, &msg).await;
                        continue;
                    }
                }
                log(ctx, "notice", me, "using the \"epoll\" event method").await;
                let old = std::mem::take(&mut workers);
                workers = start_workers(ctx, me, n).await;
                state.borrow_mut().worker = workers.first().map_or(me, |w| w.1);
                for (_, w) in &old {
                    log(ctx, "notice", *w, "gracefully shutting down").await;
                }
                for (_, w) in &old {
                    log(ctx, "notice", *w, "exiting").await;
                    log(ctx, "notice", *w, "exit").await;
                }
                reap(ctx, me, &old).await;
            }
            Event::Signal(Signal::Usr1) => {
                log(
                    ctx,
                    "notice",
                    me,
                    "signal 10 (SIGUSR1) received, reopening logs",
                )
                .await;
                log(ctx, "notice", me, "reopening logs").await;
                for (_, w) in &workers {
                    log(ctx, "notice", *w, "reopening logs").await;
                }
            }
            Event::Signal(sig) => {
                log(
                    ctx,
                    "notice",
                    me,
                    &format!("signal {} (SIG{}) received", sig.number(), sig.name()),
                )
                .await;
            }
            Event::Idle | Event::Stopped => {
                // Every listener is gone (closed under us): nothing more will come.
                ctx.sleep(1000).await.ok();
            }
        }
    }
}

/// Forks the workers: (kernel pid, pid in the namespace).
async fn start_workers(ctx: &Ctx, me: u32, n: u32) -> Vec<(Pid, u32)> {
    log(ctx, "notice", me, "start worker processes").await;
    let mut workers = Vec::new();
    for _ in 0..n {
        let pid = ctx.fork(|c| {
            Box::pin(async move {
                c.set_argv(vec!["nginx: worker process".into()]);
                for sig in [
                    Signal::Term,
                    Signal::Int,
                    Signal::Quit,
                    Signal::Hup,
                    Signal::Usr1,
                ] {
                    c.set_disposition(sig, Disposition::Handle);
                }
                let _ = c.alloc(1 << 20);
                loop {
                    match c.wait_signal().await {
                        Signal::Term | Signal::Int | Signal::Quit => return 0,
                        _ => {}
                    }
                }
            })
        });
        let ns = ctx.ns_pid_of(pid).unwrap_or(0);
        log(ctx, "notice", me, &format!("start worker process {ns}")).await;
        workers.push((pid, ns));
    }
    workers
}

/// Signals old workers to quit and reaps them, logging as the master does.
async fn reap(ctx: &Ctx, me: u32, workers: &[(Pid, u32)]) {
    for (pid, ns) in workers {
        let _ = ctx.kill(*ns, Some(Signal::Quit));
        let _ = ctx.wait(*pid, false).await;
    }
    if let Some((_, first)) = workers.first() {
        log(
            ctx,
            "notice",
            me,
            &format!("signal 17 (SIGCHLD) received from {first}"),
        )
        .await;
    }
    for (_, ns) in workers {
        log(
            ctx,
            "notice",
            me,
            &format!("worker process {ns} exited with code 0"),
        )
        .await;
    }
}

/// The end of a shutdown: the workers' last words, the master reaping them, `exit`.
async fn stop_workers(ctx: &Ctx, me: u32, workers: &[(Pid, u32)]) -> i32 {
    for (_, w) in workers {
        log(ctx, "notice", *w, "exiting").await;
        log(ctx, "notice", *w, "exit").await;
    }
    reap(ctx, me, workers).await;
    log(ctx, "notice", me, "exit").await;
    0
}

/// One client connection: requests until it closes (or asks to).
fn connection(
    ctx: Ctx,
    state: Rc<RefCell<State>>,
    port: u16,
    fd: i32,
    busy: Rc<Cell<bool>>,
) -> http::ConnTask {
    Box::pin(async move {
        let number = {
            let mut s = state.borrow_mut();
            s.connections += 1;
            s.connections
        };
        let client = http::peer(&ctx, fd);
        let mut conn = Conn::new(fd);
        loop {
            let req = match conn.read_request(&ctx).await {
                Ok(r) => r,
                Err(ReadError::Closed) => break,
                Err(ReadError::Malformed) | Err(ReadError::TooLarge) => {
                    let version = state.borrow().build.version.clone();
                    let resp = error_page(&ctx, &version, 400, false);
                    resp.send(&ctx, fd, false).await;
                    access_log(&ctx, &client, "-", None, 400, resp.body.len()).await;
                    break;
                }
            };
            busy.set(true);
            let keep = req.keep_alive() && !state.borrow().shutting_down;
            let (resp, error) = respond(&ctx, &state.borrow(), port, &req, keep);
            let head_only = req.method == "HEAD";
            resp.send(&ctx, fd, head_only).await;
            if let Some(msg) = error {
                let worker = state.borrow().worker;
                let server_name = server_for(&state.borrow().config, port, &req)
                    .and_then(|s| s.names.first().cloned())
                    .unwrap_or_default();
                let mut line = format!(
                    "*{number} {msg}, client: {client}, server: {server_name}, request: \"{}\"",
                    req.line()
                );
                if let Some(h) = req.header("Host") {
                    line.push_str(&format!(", host: \"{h}\""));
                }
                if let Some(r) = req.header("Referer") {
                    line.push_str(&format!(", referrer: \"{r}\""));
                }
                log(&ctx, "error", worker, &line).await;
            }
            let sent = if head_only { 0 } else { resp.body.len() };
            access_log(&ctx, &client, &req.line(), Some(&req), resp.status, sent).await;
            busy.set(false);
            if !keep || resp.status == 400 {
                break;
            }
        }
        let _ = ctx.close(fd);
    })
}

/// `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
/// "$http_referer" "$http_user_agent" "$http_x_forwarded_for"` on stdout.
async fn access_log(
    ctx: &Ctx,
    client: &str,
    request: &str,
    req: Option<&Request>,
    status: u16,
    bytes: usize,
) {
    let h = |name: &str| {
        req.and_then(|r| r.header(name))
            .map_or_else(|| "-".to_string(), str::to_string)
    };
    out(
        ctx,
        &format!(
            "{client} - - [{}] \"{request}\" {status} {bytes} \"{}\" \"{}\" \"{}\"",
            strftime(ctx.now(), "%d/%b/%Y:%H:%M:%S +0000"),
            h("Referer"),
            h("User-Agent"),
            h("X-Forwarded-For"),
        ),
    )
    .await;
}

/// The server block for a request: the one whose `server_name` matches `Host` among those
/// listening on `port`, else that port's `default_server`, else its first.
fn server_for<'a>(config: &'a Config, port: u16, req: &Request) -> Option<&'a ServerConf> {
    let on_port: Vec<&ServerConf> = config
        .servers
        .iter()
        .filter(|s| s.listens.iter().any(|(_, p)| *p == port))
        .collect();
    let host = req
        .header("Host")
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
    if let Some(h) = host {
        if let Some(s) = on_port.iter().find(|s| s.names.contains(&h)) {
            return Some(s);
        }
    }
    on_port
        .iter()
        .find(|s| s.default_server)
        .or(on_port.first())
        .copied()
}

/// The reason phrase nginx sends (`ngx_http_status_lines`).
fn status_line(status: u16) -> &'static str {
    match status {
        405 => "Not Allowed",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        s => http::reason(s),
    }
}

/// nginx's built-in error page (`ngx_http_special_response.c`): CRLF lines and a
/// `server_tokens` tail.
fn error_body(version: &str, status: u16) -> String {
    let title = format!("{status} {}", status_line(status));
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n"
    )
}

fn base_headers(ctx: &Ctx, version: &str, mut resp: Response) -> Response {
    resp.reason = status_line(resp.status).to_string();
    let mut headers = vec![
        ("Server".to_string(), format!("nginx/{version}")),
        ("Date".to_string(), http::http_date(ctx.now())),
    ];
    headers.append(&mut resp.headers);
    resp.headers = headers;
    resp
}

fn error_page(ctx: &Ctx, version: &str, status: u16, keep: bool) -> Response {
    let body = error_body(version, status);
    let resp = Response::new(status, body.clone())
        .header("Content-Type", "text/html")
        .header("Content-Length", body.len().to_string())
        .header("Connection", if keep { "keep-alive" } else { "close" });
    base_headers(ctx, version, resp)
}

/// Answers one request: the response and, for an error, the error log's message.
fn respond(
    ctx: &Ctx,
    state: &State,
    port: u16,
    req: &Request,
    keep: bool,
) -> (Response, Option<String>) {
    let version = state.build.version.as_str();
    let Some(server) = server_for(&state.config, port, req) else {
        return (error_page(ctx, version, 404, keep), None);
    };
    let uri = if req.path.starts_with('/') {
        req.path.clone()
    } else {
        "/".to_string()
    };
    let location = server
        .locations
        .iter()
        .find(|l| l.exact && l.path == uri)
        .or_else(|| {
            server
                .locations
                .iter()
                .filter(|l| !l.exact && uri.starts_with(&l.path))
                .max_by_key(|l| l.path.len())
        });
    let ret = location.and_then(|l| l.ret.clone()).or(server.ret.clone());
    if let Some((code, text)) = ret {
        return (returned(ctx, version, code, &text, keep), None);
    }
    if !matches!(req.method.as_str(), "GET" | "HEAD") {
        return (error_page(ctx, version, 405, keep), None);
    }
    let root = location
        .and_then(|l| l.root.clone())
        .or(server.root.clone())
        .unwrap_or_else(|| "/etc/nginx/html".into());
    let file = match location.and_then(|l| l.alias.clone().map(|a| (l, a))) {
        Some((l, alias)) => format!("{alias}{}", &uri[l.path.len().min(uri.len())..]),
        None => format!("{}{uri}", root.trim_end_matches('/')),
    };
    let index = location
        .and_then(|l| l.index.clone())
        .or(server.index.clone())
        .unwrap_or_else(|| vec!["index.html".into()]);
    if uri.ends_with('/') {
        for name in &index {
            let candidate = format!("{file}{name}");
            if ctx.stat(&candidate).is_ok_and(|s| s.kind == Kind::File) {
                return serve_file(ctx, version, &candidate, keep);
            }
        }
        return match ctx.stat(&file) {
            Ok(s) if s.kind == Kind::Dir => (
                error_page(ctx, version, 403, keep),
                Some(format!("directory index of \"{file}\" is forbidden")),
            ),
            _ => (
                error_page(ctx, version, 404, keep),
                Some(format!(
                    "\"{file}{}\" is not found (2: No such file or directory)",
                    index.first().map_or("index.html", String::as_str)
                )),
            ),
        };
    }
    match ctx.stat(&file) {
        Ok(s) if s.kind == Kind::Dir => {
            let host = req
                .header("Host")
                .map(|h| h.split(':').next().unwrap_or(h).to_string())
                .or_else(|| server.names.first().cloned())
                .unwrap_or_else(|| "localhost".into());
            let port_part = if port == 80 {
                String::new()
            } else {
                format!(":{port}")
            };
            let mut resp = error_page(ctx, version, 301, keep);
            let location = format!("http://{host}{port_part}{uri}/");
            let at = resp
                .headers
                .iter()
                .position(|(k, _)| k == "Connection")
                .unwrap_or(resp.headers.len());
            resp.headers.insert(at + 1, ("Location".into(), location));
            (resp, None)
        }
        Ok(_) => serve_file(ctx, version, &file, keep),
        Err(e) => {
            let (status, code, text) = match e {
                Errno::EACCES => (403, 13, "Permission denied"),
                Errno::ENOTDIR => (404, 20, "Not a directory"),
                _ => (404, 2, "No such file or directory"),
            };
            (
                error_page(ctx, version, status, keep),
                Some(format!("open() \"{file}\" failed ({code}: {text})")),
            )
        }
    }
}

/// `return CODE [TEXT|URL]`.
fn returned(ctx: &Ctx, version: &str, code: u16, text: &str, keep: bool) -> Response {
    if matches!(code, 301 | 302 | 303 | 307 | 308) {
        let mut resp = error_page(ctx, version, code, keep);
        resp.headers.push(("Location".into(), text.to_string()));
        return resp;
    }
    if text.is_empty() && code >= 400 {
        return error_page(ctx, version, code, keep);
    }
    let resp = Response::new(code, text.as_bytes().to_vec())
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", text.len().to_string())
        .header("Connection", if keep { "keep-alive" } else { "close" });
    base_headers(ctx, version, resp)
}

fn serve_file(ctx: &Ctx, version: &str, path: &str, keep: bool) -> (Response, Option<String>) {
    let data = match ctx.read_file(path) {
        Ok(d) => d,
        Err(_) => {
            return (
                error_page(ctx, version, 403, keep),
                Some(format!("open() \"{path}\" failed (13: Permission denied)")),
            )
        }
    };
    let mtime = ctx.stat(path).map(|s| s.mtime).unwrap_or_default();
    let etag = format!("\"{:x}-{:x}\"", super::unix_seconds(mtime), data.len());
    let len = data.len();
    let resp = Response::new(200, data)
        .header(
            "Content-Type",
            http::content_type(path).unwrap_or("application/octet-stream"),
        )
        .header("Content-Length", len.to_string())
        .header("Last-Modified", http::http_date(mtime))
        .header("Connection", if keep { "keep-alive" } else { "close" })
        .header("ETag", etag)
        .header("Accept-Ranges", "bytes");
    (base_headers(ctx, version, resp), None)
}
