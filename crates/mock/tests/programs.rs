//! The images' programs as the kernel runs them: nginx, httpd, redis, pause, agnhost, stress,
//! python and node, in containers of one pod, driven through virtual time, with a client in a
//! second container speaking to them over the pod's loopback.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use expect_test::{expect, Expect};
use podplay_engine::time::Time;
use podplay_mock::fs::Mount;
use podplay_mock::images;
use podplay_mock::kernel::{
    CtrId, Ctx, LogStream, Machine, Notice, Open, PodId, Signal, WaitStatus,
};

/// A node with one pod (IP 10.244.0.5, hostname `web`) and the containers the test adds.
struct Pod {
    m: Machine,
    pod: PodId,
    now: Time,
    logs: Vec<(CtrId, String)>,
    exits: Vec<(CtrId, WaitStatus, bool)>,
}

impl Pod {
    fn new() -> Pod {
        let m = Machine::new();
        let pod = m
            .kernel
            .borrow_mut()
            .add_pod("web", "default", "web", "10.244.0.5", false);
        Pod {
            m,
            pod,
            now: Time::ZERO,
            logs: Vec::new(),
            exits: Vec::new(),
        }
    }

    /// A container of `image` (its root copied, as the runtime copies it).
    fn container(
        &mut self,
        name: &str,
        image: &str,
        memory: Option<u64>,
    ) -> (CtrId, images::Image) {
        let image = images::resolve(image).expect("the image resolves");
        let mut k = self.m.kernel.borrow_mut();
        let base = images::build_root(&mut k.fs, &image, Time::ZERO);
        let root = k.fs.copy_tree(base);
        let mounts = vec![Mount::root(root)];
        let id = k.add_container(self.pod, name, mounts, Some(root), memory);
        (id, image)
    }

    /// Writes a file straight into a container's root.
    fn put(&mut self, c: CtrId, path: &str, text: &str) {
        let mut k = self.m.kernel.borrow_mut();
        let root = k.containers[&c].root.expect("a root");
        k.fs.put(root, path, text.as_bytes(), 0o644, Time::ZERO);
    }

    /// Starts the container's process the way the runtime does: `argv[0]` found on the
    /// image's `$PATH`, then `exec`.
    fn start(&mut self, c: CtrId, image: &images::Image, argv: &[&str]) -> u32 {
        let argv: Vec<String> = if argv.is_empty() {
            image.entrypoint.iter().chain(&image.cmd).cloned().collect()
        } else {
            argv.iter().map(|s| s.to_string()).collect()
        };
        let env = image.env.clone();
        let cwd = if image.working_dir.is_empty() {
            "/".to_string()
        } else {
            image.working_dir.clone()
        };
        let fds = {
            let mut k = self.m.kernel.borrow_mut();
            let out = k.open(Open::Log {
                container: c,
                stream: LogStream::Stdout,
            });
            let err = k.open(Open::Log {
                container: c,
                stream: LogStream::Stderr,
            });
            BTreeMap::from([(1, out), (2, err)])
        };
        let path_var = env
            .iter()
            .find(|(k, _)| k == "PATH")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        self.m
            .spawn(c, argv.clone(), env.clone(), cwd, fds, move |ctx: Ctx| {
                Box::pin(async move {
                    let path = match ctx.find_program(&argv[0], &path_var) {
                        Ok(p) => p,
                        Err(_) => return 127,
                    };
                    ctx.exec(&path, argv, env).await.unwrap_or(126)
                })
            })
    }

    /// A client in its own container: sends `request` to 127.0.0.1:`port` at `at` and keeps
    /// what comes back (`connect: <errno>` when nothing listens).
    fn client(&mut self, at: Time, port: u16, request: &str) -> Rc<RefCell<String>> {
        let got = Rc::new(RefCell::new(String::new()));
        let c = {
            let mut k = self.m.kernel.borrow_mut();
            let root = k.fs.new_tree(None);
            let mounts = vec![Mount::root(root)];
            k.add_container(self.pod, "client", mounts, Some(root), None)
        };
        let (out, request) = (got.clone(), request.to_string());
        self.m.spawn(
            c,
            vec!["client".into()],
            Vec::new(),
            "/".into(),
            BTreeMap::new(),
            move |ctx: Ctx| {
                Box::pin(async move {
                    let _ = ctx.sleep(at.millis_since(ctx.now())).await;
                    let fd = match ctx.connect("127.0.0.1", port).await {
                        Ok(fd) => fd,
                        Err(e) => {
                            *out.borrow_mut() = format!("connect: {e:?}");
                            return 1;
                        }
                    };
                    let _ = ctx.write(fd, request.as_bytes()).await;
                    let body = ctx.read_to_end(fd).await.unwrap_or_default();
                    *out.borrow_mut() = String::from_utf8_lossy(&body).into_owned();
                    0
                })
            },
        );
        got
    }

    fn run_until(&mut self, to: Time) {
        while let Some(t) = self.m.next_wake().filter(|t| *t <= to) {
            self.now = t.max(self.now);
            self.m.run(self.now);
        }
        self.now = to;
        self.m.run(to);
    }

    fn signal(&mut self, c: CtrId, sig: Signal) {
        let mut k = self.m.kernel.borrow_mut();
        let init = k.containers[&c].init.expect("started");
        k.signal(init, sig);
    }

    fn kill(&mut self, c: CtrId) {
        self.m.kernel.borrow_mut().kill_container(c);
    }

    /// The container's log so far, with each line's virtual time.
    fn log(&mut self, c: CtrId) -> String {
        self.collect();
        self.logs
            .iter()
            .filter(|(ctr, _)| *ctr == c)
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    }

    fn exit(&mut self, c: CtrId) -> Option<(WaitStatus, bool)> {
        self.collect();
        self.exits
            .iter()
            .find(|(ctr, _, _)| *ctr == c)
            .map(|(_, s, o)| (*s, *o))
    }
}

impl Pod {
    /// Drains the kernel's notices into the pod's lists.
    fn collect(&mut self) {
        for n in self.m.take_notices() {
            match n {
                Notice::Log {
                    at,
                    container,
                    line,
                } => self.logs.push((container, format!("{at} {line}"))),
                Notice::Exited {
                    container,
                    status,
                    oom_killed,
                    ..
                } => self.exits.push((container, status, oom_killed)),
                Notice::ProcessExited { .. } => {}
            }
        }
    }
}

fn secs(s: u64) -> Time {
    Time::from_secs(s)
}

/// Compares with a snapshot; HTTP's CRLF line ends read as LF there.
fn check(actual: &str, expected: Expect) {
    expected.assert_eq(&actual.replace("\r\n", "\n"));
}

const GET_CLOSE: &str =
    "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n";

fn get(path: &str) -> String {
    GET_CLOSE.replace("{path}", path)
}

#[test]
fn nginx_starts_through_its_entrypoint_and_serves_a_file_from_its_html_dir() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.put(
        web,
        "/usr/share/nginx/html/hello.html",
        "hello from the pod\n",
    );
    p.start(web, &image, &[]);
    let page = p.client(secs(5), 80, &get("/hello.html"));
    let missing = p.client(secs(6), 80, &get("/missing"));
    p.run_until(secs(10));
    check(
        &page.borrow(),
        expect![[r#"
            HTTP/1.1 200 OK
            Server: nginx/1.27.5
            Date: Thu, 01 Jan 2026 00:00:05 GMT
            Content-Type: text/html
            Content-Length: 19
            Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT
            Connection: close
            ETag: "6955b900-13"
            Accept-Ranges: bytes

            hello from the pod
        "#]],
    );
    assert!(missing.borrow().starts_with("HTTP/1.1 404 Not Found\r\n"));
    assert!(missing
        .borrow()
        .ends_with("<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.5</center>\r\n</body>\r\n</html>\r\n"));
    check(
        &p.log(web),
        expect![[r#"
            0s /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
            0s /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
            0s /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
            0s 10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
            0s 10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
            0s /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh
            0s /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
            0s /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
            0s /docker-entrypoint.sh: Configuration complete; ready for start up
            0s 2026/01/01 00:00:00 [notice] 1#1: using the "epoll" event method
            0s 2026/01/01 00:00:00 [notice] 1#1: nginx/1.27.5
            0s 2026/01/01 00:00:00 [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) 
            0s 2026/01/01 00:00:00 [notice] 1#1: OS: Linux 6.8.0-49-generic
            0s 2026/01/01 00:00:00 [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576
            0s 2026/01/01 00:00:00 [notice] 1#1: start worker processes
            0s 2026/01/01 00:00:00 [notice] 1#1: start worker process 29
            0s 2026/01/01 00:00:00 [notice] 1#1: start worker process 30
            5s 127.0.0.1 - - [01/Jan/2026:00:00:05 +0000] "GET /hello.html HTTP/1.1" 200 19 "-" "Wget" "-"
            6s 2026/01/01 00:00:06 [error] 29#29: *2 open() "/usr/share/nginx/html/missing" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /missing HTTP/1.1", host: "localhost"
            6s 127.0.0.1 - - [01/Jan/2026:00:00:06 +0000] "GET /missing HTTP/1.1" 404 153 "-" "Wget" "-"
        "#]],
    );
}

#[test]
fn nginx_serves_its_welcome_page_of_615_bytes() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    let page = p.client(secs(1), 80, &get("/"));
    p.run_until(secs(2));
    let page = page.borrow();
    assert!(page.contains("Content-Length: 615\r\n"), "{page}");
    assert!(page.ends_with("<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n"));
}

#[test]
fn a_second_nginx_in_the_pod_cannot_bind_port_80_and_exits_1_after_five_tries() {
    let mut p = Pod::new();
    let (first, image) = p.container("first", "nginx:1.27", None);
    let (second, _) = p.container("second", "nginx:1.27", None);
    p.start(first, &image, &[]);
    p.run_until(secs(1));
    p.start(second, &image, &["nginx", "-g", "daemon off;"]);
    p.run_until(secs(10));
    assert_eq!(p.exit(second), Some((WaitStatus::Exited(1), false)));
    assert_eq!(p.exit(first), None);
    check(
        &p.log(second),
        expect![[r#"
            1s 2026/01/01 00:00:01 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
            1s nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
            1s 2026/01/01 00:00:01 [notice] 1#1: try again to bind() after 500ms
            1.5s 2026/01/01 00:00:01 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
            1.5s nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
            1.5s 2026/01/01 00:00:01 [notice] 1#1: try again to bind() after 500ms
            2s 2026/01/01 00:00:02 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
            2s nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
            2s 2026/01/01 00:00:02 [notice] 1#1: try again to bind() after 500ms
            2.5s 2026/01/01 00:00:02 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
            2.5s nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
            2.5s 2026/01/01 00:00:02 [notice] 1#1: try again to bind() after 500ms
            3s 2026/01/01 00:00:03 [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address already in use)
            3s nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)
            3s 2026/01/01 00:00:03 [notice] 1#1: try again to bind() after 500ms
            3.5s 2026/01/01 00:00:03 [emerg] 1#1: still could not bind()
            3.5s nginx: [emerg] still could not bind()
        "#]],
    );
}

#[test]
fn nginx_shuts_down_gracefully_on_sigquit_with_its_notices() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    p.run_until(secs(3));
    p.signal(web, Signal::Quit);
    p.run_until(secs(4));
    assert_eq!(p.exit(web), Some((WaitStatus::Exited(0), false)));
    let log = p.log(web);
    let tail: Vec<&str> = log.lines().skip_while(|l| !l.contains("SIGQUIT")).collect();
    check(
        &tail.join("\n"),
        expect![[r#"
            3s 2026/01/01 00:00:03 [notice] 1#1: signal 3 (SIGQUIT) received, shutting down
            3s 2026/01/01 00:00:03 [notice] 29#29: gracefully shutting down
            3s 2026/01/01 00:00:03 [notice] 30#30: gracefully shutting down
            3s 2026/01/01 00:00:03 [notice] 29#29: exiting
            3s 2026/01/01 00:00:03 [notice] 29#29: exit
            3s 2026/01/01 00:00:03 [notice] 30#30: exiting
            3s 2026/01/01 00:00:03 [notice] 30#30: exit
            3s 2026/01/01 00:00:03 [notice] 1#1: signal 17 (SIGCHLD) received from 29
            3s 2026/01/01 00:00:03 [notice] 1#1: worker process 29 exited with code 0
            3s 2026/01/01 00:00:03 [notice] 1#1: worker process 30 exited with code 0
            3s 2026/01/01 00:00:03 [notice] 1#1: exit"#]],
    );
}

#[test]
fn nginx_exits_at_once_on_sigterm() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    p.run_until(secs(1));
    p.signal(web, Signal::Term);
    p.run_until(secs(2));
    assert_eq!(p.exit(web), Some((WaitStatus::Exited(0), false)));
    assert!(p
        .log(web)
        .contains("1s 2026/01/01 00:00:01 [notice] 1#1: signal 15 (SIGTERM) received, exiting\n"));
}

#[test]
fn nginx_s_quit_from_a_prestop_hook_reaches_the_master_through_its_pid_file() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    p.run_until(secs(1));
    // An exec in the same container, as the kubelet runs a preStop hook.
    {
        let out = {
            let mut k = p.m.kernel.borrow_mut();
            k.open(Open::Log {
                container: web,
                stream: LogStream::Stderr,
            })
        };
        let env = image.env.clone();
        p.m.spawn(
            web,
            vec!["nginx".into()],
            env.clone(),
            "/".into(),
            BTreeMap::from([(2, out)]),
            move |ctx: Ctx| {
                Box::pin(async move {
                    ctx.exec(
                        "/usr/sbin/nginx",
                        vec!["nginx".into(), "-s".into(), "quit".into()],
                        env,
                    )
                    .await
                    .unwrap_or(126)
                })
            },
        );
    }
    p.run_until(secs(2));
    assert_eq!(p.exit(web), Some((WaitStatus::Exited(0), false)));
    let log = p.log(web);
    assert!(
        log.contains("[notice] 31#31: signal process started\n"),
        "{log}"
    );
    assert!(log.contains("[notice] 1#1: signal 3 (SIGQUIT) received, shutting down\n"));
}

#[test]
fn pause_waits_and_exits_0_on_sigterm() {
    let mut p = Pod::new();
    let (c, image) = p.container("pause", "registry.k8s.io/pause:3.10", None);
    p.start(c, &image, &[]);
    p.run_until(secs(3600));
    assert_eq!(p.exit(c), None);
    p.signal(c, Signal::Term);
    p.run_until(secs(3601));
    assert_eq!(p.exit(c), Some((WaitStatus::Exited(0), false)));
    check(
        &p.log(c),
        expect![[r#"
            3600s Shutting down, got signal: Terminated
        "#]],
    );
}

#[test]
fn agnhost_liveness_answers_200_for_ten_seconds_then_500() {
    let mut p = Pod::new();
    let (c, image) = p.container(
        "liveness",
        "registry.k8s.io/e2e-test-images/agnhost:2.40",
        None,
    );
    p.start(c, &image, &["/agnhost", "liveness"]);
    let early = p.client(secs(3), 8080, &get("/healthz"));
    let late = p.client(secs(12), 8080, &get("/healthz"));
    p.run_until(secs(13));
    check(
        &early.borrow(),
        expect![[r#"
            HTTP/1.1 200 OK
            Connection: close
            Content-Length: 2
            Content-Type: text/plain; charset=utf-8
            Date: Thu, 01 Jan 2026 00:00:03 GMT

            ok"#]],
    );
    check(
        &late.borrow(),
        expect![[r#"
            HTTP/1.1 500 Internal Server Error
            Connection: close
            Content-Length: 9
            Content-Type: text/plain; charset=utf-8
            Date: Thu, 01 Jan 2026 00:00:12 GMT

            error: 12"#]],
    );
    // Go's runtime: SIGTERM without a handler ends it with 2, even as PID 1.
    p.signal(c, Signal::Term);
    p.run_until(secs(14));
    assert_eq!(p.exit(c), Some((WaitStatus::Exited(2), false)));
}

#[test]
fn agnhost_netexec_and_serve_hostname_answer_with_the_pod_hostname() {
    let mut p = Pod::new();
    let (a, image) = p.container(
        "netexec",
        "registry.k8s.io/e2e-test-images/agnhost:2.40",
        None,
    );
    let (b, _) = p.container(
        "hostname",
        "registry.k8s.io/e2e-test-images/agnhost:2.40",
        None,
    );
    p.start(a, &image, &["/agnhost", "netexec", "--http-port=8080"]);
    p.start(b, &image, &["/agnhost", "serve-hostname"]);
    let echo = p.client(secs(1), 8080, &get("/echo?msg=hello+world"));
    let host = p.client(secs(1), 9376, &get("/"));
    p.run_until(secs(2));
    assert!(
        echo.borrow().ends_with("\r\n\r\nhello world"),
        "{}",
        echo.borrow()
    );
    assert!(host.borrow().ends_with("\r\n\r\nweb"), "{}", host.borrow());
    check(
        &p.log(a),
        expect![[r#"
            0s 2026/01/01 00:00:00 Started UDP server on port  8081
            0s 2026/01/01 00:00:00 Started HTTP server on port 8080
            1s 2026/01/01 00:00:01 GET /echo?msg=hello world&code=
        "#]],
    );
}

#[test]
fn stress_over_its_memory_limit_is_oom_killed_with_exit_137() {
    let mut p = Pod::new();
    let (c, image) = p.container("memory-demo-2", "polinux/stress", Some(100 << 20));
    p.start(
        c,
        &image,
        &[
            "stress",
            "--vm",
            "1",
            "--vm-bytes",
            "250M",
            "--vm-hang",
            "1",
        ],
    );
    p.run_until(secs(5));
    assert_eq!(
        p.exit(c),
        Some((WaitStatus::Signaled(Signal::Kill), true)),
        "the whole container is killed (memory.oom.group)"
    );
    check(
        &p.log(c),
        expect![[r#"
            0s stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd
        "#]],
    );
}

#[test]
fn stress_under_its_memory_limit_keeps_running() {
    let mut p = Pod::new();
    let (c, image) = p.container("memory-demo", "polinux/stress", Some(200 << 20));
    p.start(
        c,
        &image,
        &[
            "stress",
            "--vm",
            "1",
            "--vm-bytes",
            "150M",
            "--vm-hang",
            "1",
        ],
    );
    p.run_until(secs(30));
    assert_eq!(p.exit(c), None);
}

#[test]
fn stress_reports_a_bad_size_suffix_as_stress_does() {
    let mut p = Pod::new();
    let (c, image) = p.container("s", "polinux/stress", None);
    p.start(c, &image, &["stress", "--vm", "1", "--vm-bytes", "150Mi"]);
    p.run_until(secs(1));
    assert_eq!(p.exit(c), Some((WaitStatus::Exited(1), false)));
    check(
        &p.log(c),
        expect![[r#"
            0s stress: FAIL: [1] (647) unrecognized suffix: i
        "#]],
    );
}

#[test]
fn python_http_server_serves_its_directory_and_logs_each_request() {
    let mut p = Pod::new();
    let (c, image) = p.container("py", "python:3.12", None);
    p.put(c, "/srv/index.html", "<h1>hi</h1>\n");
    p.start(
        c,
        &image,
        &["python", "-m", "http.server", "8000", "--directory", "/srv"],
    );
    let page = p.client(secs(2), 8000, &get("/"));
    let missing = p.client(secs(3), 8000, &get("/nope"));
    p.run_until(secs(4));
    check(
        &page.borrow(),
        expect![[r#"
            HTTP/1.0 200 OK
            Server: SimpleHTTP/0.6 Python/3.12.8
            Date: Thu, 01 Jan 2026 00:00:02 GMT
            Content-type: text/html
            Content-Length: 12
            Last-Modified: Thu, 01 Jan 2026 00:00:00 GMT

            <h1>hi</h1>
        "#]],
    );
    assert!(missing
        .borrow()
        .starts_with("HTTP/1.0 404 File not found\r\n"));
    // stdout is a pipe, not a terminal: the banner waits in CPython's buffer until exit.
    p.signal(c, Signal::Int);
    p.run_until(secs(5));
    assert_eq!(p.exit(c), Some((WaitStatus::Exited(0), false)));
    check(
        &p.log(c),
        expect![[r#"
            2s ::ffff:127.0.0.1 - - [01/Jan/2026 00:00:02] "GET / HTTP/1.1" 200 -
            3s ::ffff:127.0.0.1 - - [01/Jan/2026 00:00:03] code 404, message File not found
            3s ::ffff:127.0.0.1 - - [01/Jan/2026 00:00:03] "GET /nope HTTP/1.1" 404 -
            4s Serving HTTP on :: port 8000 (http://[::]:8000/) ...
            4s 
            4s Keyboard interrupt received, exiting.
        "#]],
    );
}

#[test]
fn python_as_pid_1_ignores_sigterm() {
    let mut p = Pod::new();
    let (c, image) = p.container("py", "python:3.12", None);
    p.start(c, &image, &["python3", "-m", "http.server"]);
    p.run_until(secs(1));
    p.signal(c, Signal::Term);
    p.run_until(secs(31));
    assert_eq!(p.exit(c), None);
}

#[test]
fn node_serves_what_its_create_server_handler_ends_with() {
    let mut p = Pod::new();
    let (c, image) = p.container("node", "node:22", None);
    p.start(
        c,
        &image,
        &[
            "node",
            "-e",
            "require('http').createServer((q,s)=>s.end('hi')).listen(3000, () => console.log('listening'))",
        ],
    );
    let page = p.client(secs(1), 3000, &get("/"));
    p.run_until(secs(2));
    check(
        &page.borrow(),
        expect![[r#"
            HTTP/1.1 200 OK
            Date: Thu, 01 Jan 2026 00:00:01 GMT
            Connection: close
            Content-Length: 2

            hi"#]],
    );
    check(
        &p.log(c),
        expect![[r#"
        0s listening
    "#]],
    );
}

#[test]
fn httpd_serves_it_works_and_stops_gracefully_on_sigwinch() {
    let mut p = Pod::new();
    let (c, image) = p.container("httpd", "httpd:2.4.62", None);
    p.start(c, &image, &[]);
    let page = p.client(secs(1), 80, &get("/"));
    p.run_until(secs(2));
    assert!(page
        .borrow()
        .ends_with("\r\n\r\n<html><body><h1>It works!</h1></body></html>\n"));
    p.signal(c, Signal::Winch);
    p.run_until(secs(3));
    assert_eq!(p.exit(c), Some((WaitStatus::Exited(0), false)));
    check(
        &p.log(c),
        expect![[r#"
            0s AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.0.5. Set the 'ServerName' directive globally to suppress this message
            0s AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 10.244.0.5. Set the 'ServerName' directive globally to suppress this message
            0s [Thu Jan 01 00:00:00.000000 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations
            0s [Thu Jan 01 00:00:00.000000 2026] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'
            1s 127.0.0.1 - - [01/Jan/2026:00:00:01 +0000] "GET / HTTP/1.1" 200 45
            2s [Thu Jan 01 00:00:02.000000 2026] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH, shutting down gracefully
        "#]],
    );
}

#[test]
fn redis_answers_redis_cli_ping_with_pong_and_saves_on_sigterm() {
    let mut p = Pod::new();
    let (server, image) = p.container("redis", "redis:7", None);
    let (cli, _) = p.container("cli", "redis:7", None);
    p.start(server, &image, &[]);
    p.run_until(secs(1));
    p.start(cli, &image, &["redis-cli", "ping"]);
    p.run_until(secs(2));
    assert_eq!(p.exit(cli), Some((WaitStatus::Exited(0), false)));
    check(
        &p.log(cli),
        expect![[r#"
        1s PONG
    "#]],
    );
    p.signal(server, Signal::Term);
    p.run_until(secs(3));
    assert_eq!(p.exit(server), Some((WaitStatus::Exited(0), false)));
    check(
        &p.log(server),
        expect![[r#"
            0s 1:C 01 Jan 2026 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo
            0s 1:C 01 Jan 2026 00:00:00.000 * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started
            0s 1:C 01 Jan 2026 00:00:00.000 # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf
            0s 1:M 01 Jan 2026 00:00:00.000 * monotonic clock: POSIX clock_gettime
            0s 1:M 01 Jan 2026 00:00:00.000 * Running mode=standalone, port=6379.
            0s 1:M 01 Jan 2026 00:00:00.000 * Server initialized
            0s 1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp
            2s 1:signal-handler (1767225602) Received SIGTERM scheduling shutdown...
            2.1s 1:M 01 Jan 2026 00:00:02.100 * User requested shutdown...
            2.1s 1:M 01 Jan 2026 00:00:02.100 * Saving the final RDB snapshot before exiting.
            2.1s 1:M 01 Jan 2026 00:00:02.100 * DB saved on disk
            2.1s 1:M 01 Jan 2026 00:00:02.100 # Redis is now ready to exit, bye bye...
        "#]],
    );
}

#[test]
fn programs_that_are_not_there_are_not_found() {
    let mut p = Pod::new();
    let (c, image) = p.container("pause", "registry.k8s.io/pause:3.10", None);
    p.start(c, &image, &["sh", "-c", "true"]);
    p.run_until(secs(1));
    assert_eq!(p.exit(c), Some((WaitStatus::Exited(127), false)));
    p.kill(c);
}

#[test]
fn busybox_wget_in_a_sidecar_reaches_nginx_over_localhost() {
    let mut p = Pod::new();
    let (web, nginx) = p.container("web", "nginx:1.27", None);
    let (side, busybox) = p.container("sidecar", "busybox:1.36", None);
    p.put(web, "/usr/share/nginx/html/index.html", "shared page\n");
    p.start(web, &nginx, &[]);
    p.run_until(secs(1));
    p.start(side, &busybox, &["wget", "-qO-", "http://localhost/"]);
    p.run_until(secs(2));
    assert_eq!(p.exit(side), Some((WaitStatus::Exited(0), false)));
    check(
        &p.log(side),
        expect![[r#"
        1s shared page
    "#]],
    );
    let log = p.log(web);
    let access = log.lines().last().unwrap_or_default();
    assert!(
        access.starts_with(
            "1s 127.0.0.1 - - [01/Jan/2026:00:00:01 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"Wget"
        ),
        "{access}"
    );
}

#[test]
fn nginx_processes_carry_their_titles_and_the_name_nginx() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    p.run_until(secs(1));
    let k = p.m.kernel.borrow();
    let mut procs: Vec<(u32, String, String)> = k
        .procs
        .values()
        .filter(|pr| pr.container == web && pr.zombie.is_none())
        .map(|pr| (pr.ns_pid, pr.comm.clone(), pr.argv.join(" ")))
        .collect();
    procs.sort();
    assert_eq!(
        procs,
        [
            (
                1,
                "nginx".into(),
                "nginx: master process nginx -g daemon off;".into()
            ),
            (29, "nginx".into(), "nginx: worker process".into()),
            (30, "nginx".into(), "nginx: worker process".into()),
        ]
    );
}

#[test]
fn a_graceful_nginx_shutdown_closes_idle_keep_alive_connections() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    let kept = p.client(secs(1), 80, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    p.run_until(secs(2));
    assert_eq!(kept.borrow().as_str(), "", "the connection is still open");
    p.signal(web, Signal::Quit);
    p.run_until(secs(3));
    assert_eq!(p.exit(web), Some((WaitStatus::Exited(0), false)));
    assert!(kept.borrow().starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(kept.borrow().contains("\r\nConnection: keep-alive\r\n"));
}

#[test]
fn curl_in_the_nginx_image_fetches_a_page_and_reports_failures_as_curl_8_does() {
    let mut p = Pod::new();
    let (web, image) = p.container("web", "nginx:1.27", None);
    p.start(web, &image, &[]);
    p.put(web, "/usr/share/nginx/html/hello.txt", "hello\n");
    let (client, image) = p.container("client", "nginx:1.27", None);
    p.start(
        client,
        &image,
        &[
            "sh",
            "-c",
            "sleep 1; curl -s localhost/hello.txt; curl -s -o /dev/null -w '%{http_code}\\n' localhost/missing; \
             curl -sSf localhost/missing; echo \"exit $?\"; curl localhost:81; echo \"exit $?\"; curl -sS web2; echo \"exit $?\"",
        ],
    );
    p.run_until(secs(3));
    check(
        &p.log(client),
        expect![[r#"
            1s hello
            1s 404
            1s curl: (22) The requested URL returned error: 404
            1s exit 22
            1s curl: (7) Failed to connect to localhost port 81 after 0 ms: Couldn't connect to server
            1s exit 7
            1s curl: (6) Could not resolve host: web2
            1s exit 6
        "#]],
    );
}
