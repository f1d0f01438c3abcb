//! The kernel's run queues: a change wakes the processes waiting on what changed, and no
//! others, so the work of one step does not grow with the number of pods on the node. These
//! tests count polls and wake-ups (never time): with one pod or with many idle ones beside it,
//! the same change costs the same.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use podplay_engine::time::Time;
use podplay_mock::fs::Mount;
use podplay_mock::kernel::{CtrId, Ctx, Disposition, Machine, Notice, Open, Pid, Signal, Task};

/// A node in a test: the machine, the clock, and how many polls it has taken.
struct Node {
    m: Machine,
    now: Time,
    polls: u64,
}

impl Node {
    fn new() -> Node {
        Node {
            m: Machine::new(),
            now: Time::ZERO,
            polls: 0,
        }
    }

    /// A pod with one container (an empty root) at `ip`.
    fn pod(&mut self, ip: &str) -> CtrId {
        let mut k = self.m.kernel.borrow_mut();
        let pod = k.add_pod("p", "default", "p", ip, false);
        let root = k.fs.new_tree(None);
        let mounts = vec![Mount::root(root)];
        k.add_container(pod, "c", mounts, Some(root), None)
    }

    fn start(&mut self, c: CtrId, make: impl FnOnce(Ctx) -> Task) -> Pid {
        let out = self.m.kernel.borrow_mut().open(Open::Log {
            container: c,
            stream: podplay_mock::kernel::LogStream::Stdout,
        });
        let fds = BTreeMap::from([(1, out), (2, out)]);
        self.m
            .spawn(c, vec!["prog".into()], Vec::new(), "/".into(), fds, make)
    }

    /// Runs the machine through every wake until `to`, counting polls.
    fn run_until(&mut self, to: Time) {
        while let Some(t) = self.m.next_wake().filter(|t| *t <= to) {
            self.now = t.max(self.now);
            self.polls += self.m.run(self.now);
        }
        self.now = to;
        self.polls += self.m.run(to);
    }

    fn wakeups(&self) -> u64 {
        self.m.kernel.borrow().wakeups()
    }

    fn logs(&mut self) -> Vec<(Time, String)> {
        self.m
            .take_notices()
            .into_iter()
            .filter_map(|n| match n {
                Notice::Log { at, line, .. } => Some((at, line)),
                _ => None,
            })
            .collect()
    }
}

/// An idle pod as a shell leaves it: the init waits on a child that sleeps, another child
/// waits on a pipe, a third on a listening socket. On SIGUSR1 the init writes a line into the
/// pipe, which its reader logs.
fn idle_pod(ctx: Ctx) -> Task {
    Box::pin(async move {
        ctx.set_disposition(Signal::Usr1, Disposition::Handle);
        let (r, w) = ctx.pipe();
        ctx.fork(move |c| {
            Box::pin(async move {
                let _ = c.close(w);
                while let Ok(Some(line)) = c.read_line(r).await {
                    c.print(1, &format!("read {line}\n")).await;
                }
                0
            })
        });
        ctx.fork(|c| {
            Box::pin(async move {
                let Ok(l) = c.listen(80) else { return 1 };
                while let Ok(conn) = c.accept(l).await {
                    c.print(1, "accepted\n").await;
                    let _ = c.close(conn);
                }
                0
            })
        });
        let sleeper = ctx.fork(|c| {
            Box::pin(async move {
                let _ = c.sleep(3_600_000).await;
                0
            })
        });
        loop {
            match ctx.wait(sleeper, true).await {
                Ok(_) => return 0,
                Err(_) => {
                    while ctx.take_signal().is_some() {
                        let _ = ctx.write(w, b"ping\n").await;
                    }
                }
            }
        }
    })
}

/// `pods` idle pods; returns the inits.
fn node_of_idle_pods(pods: usize) -> (Node, Vec<Pid>) {
    let mut n = Node::new();
    let inits = (0..pods)
        .map(|i| {
            let c = n.pod(&format!("10.244.{}.{}", i / 250, 4 + i % 250));
            n.start(c, idle_pod)
        })
        .collect();
    n.run_until(Time::from_secs(1));
    (n, inits)
}

/// Signals the first pod's init and runs a second: the polls, wake-ups and logs it took.
fn poke_first_pod(pods: usize) -> (u64, u64, Vec<(Time, String)>) {
    let (mut n, inits) = node_of_idle_pods(pods);
    n.logs();
    let (polls, wakeups) = (n.polls, n.wakeups());
    n.m.kernel.borrow_mut().signal(inits[0], Signal::Usr1);
    n.run_until(Time::from_secs(2));
    (n.polls - polls, n.wakeups() - wakeups, n.logs())
}

#[test]
fn a_change_in_one_pod_costs_the_same_with_one_pod_or_two_hundred() {
    let one = poke_first_pod(1);
    let many = poke_first_pod(200);
    assert_eq!(
        one.2,
        [(Time::from_secs(1), "read ping".to_string())],
        "the signal reached the init, the pipe its reader"
    );
    assert_eq!(
        many, one,
        "polls, wake-ups and logs with 199 idle pods beside it"
    );
    // The init (the signal), the reader (the pipe), the init again (its own write) and the
    // reader again (its own read): nothing else on the node runs.
    assert!(one.0 <= 4, "{} polls", one.0);
}

#[test]
fn idle_pods_settle_with_a_bounded_number_of_polls_each() {
    // Starting costs a few polls per process; once idle, nothing runs until a timer is due.
    let (mut n, _) = node_of_idle_pods(100);
    let settled = n.polls;
    n.run_until(Time::from_secs(60));
    assert_eq!(n.polls, settled, "no poll while every pod is idle");
    let (small, _) = node_of_idle_pods(10);
    assert_eq!(
        settled,
        small.polls * 10,
        "starting a pod costs the same polls"
    );
}

#[test]
fn a_connection_from_another_pod_wakes_the_listener_and_nothing_else() {
    let run = |idle: usize| {
        let (mut n, _) = node_of_idle_pods(1 + idle);
        n.logs();
        let (polls, wakeups) = (n.polls, n.wakeups());
        let client = n.pod("10.244.9.9");
        let refused = Rc::new(RefCell::new(None));
        let seen = refused.clone();
        n.start(client, move |ctx| {
            Box::pin(async move {
                let fd = ctx.connect("10.244.0.4", 80).await;
                *seen.borrow_mut() = Some(fd.is_err());
                0
            })
        });
        n.run_until(Time::from_secs(2));
        let connected = *refused.borrow() == Some(false);
        (connected, n.polls - polls, n.wakeups() - wakeups, n.logs())
    };
    let alone = run(0);
    assert!(alone.0, "the client connected");
    assert_eq!(
        alone.3,
        [(Time::from_secs(1), "accepted".to_string())],
        "the listener in the other pod accepted at once"
    );
    assert_eq!(run(100), alone, "with 100 idle pods beside them");
}

#[test]
fn a_child_ending_wakes_its_parent_only() {
    let run = |idle: usize| {
        let (mut n, _) = node_of_idle_pods(idle);
        let c = n.pod("10.244.8.8");
        n.start(c, |ctx| {
            Box::pin(async move {
                let child = ctx.fork(|c| {
                    Box::pin(async move {
                        let _ = c.sleep(500).await;
                        3
                    })
                });
                let status = ctx.wait(child, false).await;
                ctx.print(1, &format!("child: {}\n", status.map_or(-1, |s| s.code())))
                    .await;
                0
            })
        });
        n.logs();
        let (polls, wakeups) = (n.polls, n.wakeups());
        n.run_until(Time::from_secs(3));
        (n.polls - polls, n.wakeups() - wakeups, n.logs())
    };
    let alone = run(0);
    assert_eq!(
        alone.2,
        [(Time::from_millis(1_500), "child: 3".to_string())],
        "the parent saw its child's exit when it happened"
    );
    assert_eq!(run(50), alone, "with 50 idle pods beside it");
}
