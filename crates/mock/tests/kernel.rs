//! The kernel's Linux rules, with small native programs: PID 1 and signals, pipes, fuel,
//! sockets in a pod's network namespace, and the OOM killer.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use podplay_engine::time::Time;
use podplay_mock::fs::{Errno, Mount};
use podplay_mock::kernel::{
    CtrId, Ctx, Disposition, Machine, Notice, Open, OpenId, Signal, Task, WaitStatus,
};

struct Node {
    m: Machine,
    now: Time,
}

impl Node {
    fn new() -> Node {
        Node {
            m: Machine::new(),
            now: Time::ZERO,
        }
    }

    /// A pod with `n` containers, each with an empty root.
    fn pod(&mut self, ip: &str, n: usize, memory: Option<u64>) -> Vec<CtrId> {
        let mut k = self.m.kernel.borrow_mut();
        let pod = k.add_pod("p", "default", "p", ip, false);
        (0..n)
            .map(|i| {
                let root = k.fs.new_tree(None);
                let mounts = vec![Mount::root(root)];
                k.add_container(pod, &format!("c{i}"), mounts, Some(root), memory)
            })
            .collect()
    }

    fn stdio(&mut self, c: CtrId) -> BTreeMap<i32, OpenId> {
        let mut k = self.m.kernel.borrow_mut();
        let out = k.open(Open::Log {
            container: c,
            stream: podplay_mock::kernel::LogStream::Stdout,
        });
        BTreeMap::from([(1, out), (2, out)])
    }

    fn start(&mut self, c: CtrId, make: impl FnOnce(Ctx) -> Task) -> u32 {
        let fds = self.stdio(c);
        self.m
            .spawn(c, vec!["prog".into()], Vec::new(), "/".into(), fds, make)
    }

    /// Runs the machine through every wake until `to`.
    fn run_until(&mut self, to: Time) {
        while let Some(t) = self.m.next_wake().filter(|t| *t <= to) {
            self.now = t.max(self.now);
            self.m.run(self.now);
        }
        self.now = to;
        self.m.run(to);
    }

    fn signal_init(&mut self, c: CtrId, sig: Signal) {
        let mut k = self.m.kernel.borrow_mut();
        let init = k.containers[&c].init.expect("started");
        k.signal(init, sig);
    }

    fn notices(&mut self) -> Vec<Notice> {
        self.m.take_notices()
    }

    fn exits(&mut self) -> Vec<(Time, i32, bool)> {
        self.notices()
            .into_iter()
            .filter_map(|n| match n {
                Notice::Exited {
                    at,
                    status,
                    oom_killed,
                    ..
                } => Some((at, status.code(), oom_killed)),
                _ => None,
            })
            .collect()
    }

    fn logs(&mut self) -> Vec<String> {
        self.notices()
            .into_iter()
            .filter_map(|n| match n {
                Notice::Log { line, .. } => Some(line),
                _ => None,
            })
            .collect()
    }
}

fn sleeper(ctx: Ctx) -> Task {
    Box::pin(async move {
        loop {
            let _ = ctx.sleep(1_000).await;
        }
    })
}

#[test]
fn pid_1_ignores_sigterm_without_a_handler_and_dies_of_sigkill() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, None)[0];
    n.start(c, sleeper);
    n.run_until(Time::from_secs(1));
    n.signal_init(c, Signal::Term);
    n.run_until(Time::from_secs(5));
    assert_eq!(n.exits(), []);
    n.signal_init(c, Signal::Kill);
    n.run_until(Time::from_secs(6));
    assert_eq!(n.exits(), [(Time::from_secs(5), 137, false)]);
}

#[test]
fn a_handled_sigterm_interrupts_a_sleep_and_the_handler_chooses_the_exit() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, None)[0];
    n.start(c, |ctx| {
        Box::pin(async move {
            ctx.set_disposition(Signal::Term, Disposition::Handle);
            if ctx.sleep(600_000).await.is_err() {
                assert_eq!(ctx.take_signal(), Some(Signal::Term));
                ctx.print(1, "bye\n").await;
                return 0;
            }
            1
        })
    });
    n.run_until(Time::from_secs(2));
    n.signal_init(c, Signal::Term);
    n.run_until(Time::from_secs(3));
    let notices = n.notices();
    assert!(notices.contains(&Notice::Log {
        at: Time::from_secs(2),
        container: c,
        line: "bye".into()
    }));
    assert!(notices.iter().any(|x| matches!(
        x,
        Notice::Exited {
            status: WaitStatus::Exited(0),
            ..
        }
    )));
}

#[test]
fn a_child_that_is_not_pid_1_dies_of_sigterm_with_143_and_init_takes_the_rest_down() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, None)[0];
    let status = Rc::new(Cell::new(0));
    let seen = status.clone();
    n.start(c, move |ctx| {
        Box::pin(async move {
            let child = ctx.fork(sleeper);
            let ns = ctx.ns_pid_of(child).expect("child exists");
            assert_eq!(ns, 2);
            ctx.kill(ns, Some(Signal::Term)).expect("kill");
            let st = ctx.wait(child, false).await.expect("not interruptible");
            seen.set(st.code());
            // A grandchild left behind dies with the container's init.
            ctx.fork(sleeper);
            ctx.sleep(3_000).await.ok();
            7
        })
    });
    n.run_until(Time::from_secs(10));
    assert_eq!(status.get(), 143);
    assert_eq!(n.exits(), [(Time::from_secs(3), 7, false)]);
    assert!(n.m.kernel.borrow().procs.is_empty());
}

#[test]
fn a_pipe_carries_bytes_until_the_last_writer_closes() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, None)[0];
    n.start(c, |ctx| {
        Box::pin(async move {
            let (r, w) = ctx.pipe();
            let child = ctx.fork(move |ctx| {
                Box::pin(async move {
                    let _ = ctx.close(r);
                    for i in 0..3 {
                        ctx.print(w, &format!("line {i}\n")).await;
                        let _ = ctx.sleep(100).await;
                    }
                    0
                })
            });
            let _ = ctx.close(w);
            while let Ok(Some(line)) = ctx.read_line(r).await {
                ctx.print(1, &format!("got {line}\n")).await;
            }
            ctx.wait(child, false).await.map(|s| s.code()).unwrap_or(1)
        })
    });
    n.run_until(Time::from_secs(1));
    assert_eq!(n.logs(), ["got line 0", "got line 1", "got line 2"]);
}

#[test]
fn writing_to_a_pipe_nobody_reads_raises_sigpipe() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, None)[0];
    let status = Rc::new(Cell::new(0));
    let seen = status.clone();
    n.start(c, move |ctx| {
        Box::pin(async move {
            let (r, w) = ctx.pipe();
            let child = ctx.fork(move |ctx| {
                Box::pin(async move {
                    let _ = ctx.close(r);
                    loop {
                        if ctx.write(w, b"y\n").await.is_err() {
                            return 99;
                        }
                    }
                })
            });
            let _ = ctx.close(w);
            let _ = ctx.read(r, 2).await;
            let _ = ctx.close(r);
            seen.set(ctx.wait(child, false).await.map(|s| s.code()).unwrap_or(0));
            0
        })
    });
    n.run_until(Time::from_secs(1));
    assert_eq!(status.get(), 128 + 13);
}

#[test]
fn a_busy_loop_spends_fuel_and_moves_virtual_time_instead_of_hanging() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, None)[0];
    let count = Rc::new(Cell::new(0u64));
    let seen = count.clone();
    n.start(c, move |ctx| {
        Box::pin(async move {
            loop {
                ctx.burn(1).await;
                seen.set(seen.get() + 1);
            }
        })
    });
    n.run_until(Time::from_secs(1));
    // 200 steps per 10 ms quantum.
    let steps = count.get();
    assert!((19_000..=20_400).contains(&steps), "{steps}");
}

#[test]
fn containers_of_a_pod_share_localhost_and_a_second_bind_fails() {
    let mut n = Node::new();
    let cs = n.pod("10.244.0.4", 2, None);
    let bind_error = Rc::new(Cell::new(None));
    let seen = bind_error.clone();
    n.start(cs[0], |ctx| {
        Box::pin(async move {
            let l = ctx.listen(80).expect("port free");
            loop {
                let Ok(s) = ctx.accept(l).await else { return 1 };
                let req = ctx.read(s, 1024).await.unwrap_or_default();
                let reply = format!("echo {}", String::from_utf8_lossy(&req));
                let _ = ctx.write(s, reply.as_bytes()).await;
                let _ = ctx.close(s);
            }
        })
    });
    n.start(cs[1], move |ctx| {
        Box::pin(async move {
            let _ = ctx.sleep(100).await;
            seen.set(ctx.listen(80).err());
            let refused = ctx.connect("127.0.0.1", 81).await.err();
            assert_eq!(refused, Some(Errno::ECONNREFUSED));
            let s = ctx.connect("127.0.0.1", 80).await.expect("listening");
            ctx.write(s, b"hi").await.expect("open");
            let answer = ctx.read_to_end(s).await.expect("readable");
            ctx.print(1, &format!("{}\n", String::from_utf8_lossy(&answer)))
                .await;
            0
        })
    });
    n.run_until(Time::from_secs(1));
    assert_eq!(bind_error.get(), Some(Errno::EADDRINUSE));
    assert_eq!(n.logs(), ["echo hi"]);
}

#[test]
fn allocating_past_the_memory_limit_oom_kills_the_whole_container() {
    let mut n = Node::new();
    let c = n.pod("10.244.0.4", 1, Some(100 << 20))[0];
    n.start(c, |ctx| {
        Box::pin(async move {
            ctx.fork(sleeper);
            loop {
                if !ctx.alloc(10 << 20) {
                    return 0;
                }
                let _ = ctx.sleep(100).await;
            }
        })
    });
    n.run_until(Time::from_secs(5));
    assert_eq!(n.exits(), [(Time::from_millis(1_000), 137, true)]);
}
