//! A small, deterministic runtime in virtual time, for the engine's tests and `podplay run` until
//! the full mock runtime (images, a shell, volumes, a network namespace) arrives.
//!
//! It understands just enough of a container's command to give each a life: `sleep N`, `exit N`,
//! `echo ...`, `true`/`false`, an endless `while true` loop, and `trap '...' TERM`, joined with
//! `;` or `&&`, inside `sh -c` or alone; a container with no command runs its image's default
//! process (a server that exits 0 on SIGTERM, as nginx does). PID 1 rules hold: a process
//! without a handler ignores SIGTERM and dies only at SIGKILL (exit 137). Exec and probe answers
//! can be scripted per container and time ([`ScriptedRuntime::script_exec`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Container;

use super::{
    ContainerId, Exit, OpId, ProbeOutcome, Reply, Runtime, RuntimeCommand, RuntimeResult, SandboxId,
};
use crate::time::{Rng, Time};

/// How long each runtime call takes, in milliseconds of virtual time.
#[derive(Clone, Debug)]
pub struct Latencies {
    pub sandbox_ms: u64,
    pub create_ms: u64,
    pub start_ms: u64,
    pub exec_ms: u64,
    pub probe_ms: u64,
    /// Pull time per megabyte of image.
    pub pull_ms_per_mb: u64,
}

impl Default for Latencies {
    fn default() -> Self {
        Latencies {
            sandbox_ms: 800,
            create_ms: 60,
            start_ms: 80,
            exec_ms: 20,
            probe_ms: 5,
            pull_ms_per_mb: 40,
        }
    }
}

/// One step of a container's scripted life.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Sleep(u64),
    Echo(String),
    Exit(i32),
    /// Runs until stopped.
    Forever,
    /// `echo TEXT > PATH`: writes a file (the termination message, when PATH is the
    /// container's `terminationMessagePath`).
    Write {
        path: String,
        text: String,
    },
    /// Allocates memory until the kernel's OOM killer ends it (`stress --vm ...`, `oom`):
    /// exit 137, `OOMKilled`.
    Oom,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Program {
    steps: Vec<Step>,
    /// The exit code the SIGTERM handler exits with, if there is one.
    term_handler: Option<i32>,
}

/// Reads a container's command and args into a program (see the module documentation).
fn program_of(container: &Container) -> Program {
    let mut argv: Vec<String> = container.command.clone().unwrap_or_default();
    argv.extend(container.args.clone().unwrap_or_default());
    if argv.is_empty() {
        // The image's own process: a server that exits cleanly on SIGTERM.
        return Program {
            steps: vec![Step::Forever],
            term_handler: Some(0),
        };
    }
    let script = if matches!(argv[0].as_str(), "sh" | "/bin/sh" | "bash" | "/bin/bash")
        && argv.get(1).map(String::as_str) == Some("-c")
    {
        argv.get(2).cloned().unwrap_or_default()
    } else {
        argv.join(" ")
    };
    let mut steps = Vec::new();
    let mut term_handler = None;
    for part in script.split([';', '\n']).flat_map(|p| p.split("&&")) {
        let words: Vec<&str> = part.split_whitespace().collect();
        match words.as_slice() {
            [] => {}
            ["sleep", n, ..] => {
                if *n == "infinity" {
                    steps.push(Step::Forever)
                } else {
                    steps.push(Step::Sleep(
                        (n.parse::<f64>().unwrap_or(0.0) * 1000.0) as u64,
                    ))
                }
            }
            ["echo", rest @ ..] if rest.len() >= 2 && rest[rest.len() - 2] == ">" => {
                steps.push(Step::Write {
                    path: rest[rest.len() - 1].to_string(),
                    text: rest[..rest.len() - 2]
                        .join(" ")
                        .trim_matches(['"', '\''])
                        .to_string(),
                })
            }
            ["echo", rest @ ..] => steps.push(Step::Echo(
                rest.join(" ").trim_matches(['"', '\'']).to_string(),
            )),
            ["stress", ..] | ["oom", ..] => steps.push(Step::Oom),
            ["exit", n, ..] => steps.push(Step::Exit(n.parse().unwrap_or(0))),
            ["exit"] | ["true"] => steps.push(Step::Exit(0)),
            ["false"] => steps.push(Step::Exit(1)),
            ["while", ..] | ["tail", "-f", ..] => steps.push(Step::Forever),
            ["trap", rest @ ..]
                if rest
                    .iter()
                    .any(|w| w.trim_matches(['"', '\'']).ends_with("TERM")) =>
            {
                let code = rest
                    .windows(2)
                    .find(|w| w[0].trim_matches(['"', '\'']) == "exit")
                    .and_then(|w| w[1].trim_matches(['"', '\'']).parse().ok())
                    .unwrap_or(0);
                term_handler = Some(code);
            }
            _ => {}
        }
    }
    Program {
        steps,
        term_handler,
    }
}

#[derive(Clone, Debug)]
struct Proc {
    program: Program,
    /// Started, and its exit not yet delivered.
    running: bool,
    /// When it exits (on its own or by a stop), if it does.
    natural_exit: Option<Time>,
    /// What it wrote to its termination message file.
    message: Option<String>,
}

/// An answer scripted for execs and probes in one container from a given time on.
#[derive(Clone, Debug)]
struct ScriptedExec {
    container: String,
    from: Time,
    exit_code: i32,
    output: String,
}

/// See the module documentation.
pub struct ScriptedRuntime {
    pub latencies: Latencies,
    rng: Rng,
    images: BTreeMap<String, u64>,
    pulls_fail: BTreeMap<String, String>,
    /// Ready results, by time then sequence.
    queue: BTreeMap<(Time, u64), RuntimeResult>,
    /// The queue keys of each container's own results (logs, exit), so a kill can take back
    /// its future without scanning everyone's.
    queued_by_container: BTreeMap<ContainerId, Vec<(Time, u64)>>,
    seq: u64,
    sandboxes: u64,
    procs: BTreeMap<ContainerId, Proc>,
    specs: BTreeMap<ContainerId, Container>,
    execs: Vec<ScriptedExec>,
}

impl Default for ScriptedRuntime {
    fn default() -> Self {
        ScriptedRuntime::new(1)
    }
}

impl ScriptedRuntime {
    pub fn new(seed: u64) -> ScriptedRuntime {
        let mut images = BTreeMap::new();
        for (image, size) in [
            ("busybox", 2_200_000u64),
            ("nginx:1.27", 72_000_000),
            ("nginx", 72_000_000),
            ("registry.k8s.io/pause:3.10", 320_000),
        ] {
            images.insert(image_key(image), size);
        }
        ScriptedRuntime {
            latencies: Latencies::default(),
            rng: Rng::new(seed ^ 0x5eed),
            images,
            pulls_fail: BTreeMap::new(),
            queue: BTreeMap::new(),
            queued_by_container: BTreeMap::new(),
            seq: 0,
            sandboxes: 0,
            procs: BTreeMap::new(),
            specs: BTreeMap::new(),
            execs: Vec::new(),
        }
    }

    /// The image is on the node already (`IfNotPresent` will not pull it).
    pub fn with_image(mut self, image: &str, size_bytes: u64) -> Self {
        self.images.insert(image_key(image), size_bytes);
        self
    }

    /// Pulling the image fails with the registry's message.
    pub fn with_failing_pull(mut self, image: &str, message: &str) -> Self {
        self.pulls_fail
            .insert(image_key(image), message.to_string());
        self
    }

    /// From `from` on, execs and probes in containers named `container` answer `exit_code` and
    /// `output` (for HTTP and TCP probes, non-zero is a failure with that output).
    pub fn script_exec(
        mut self,
        container: &str,
        from: Time,
        exit_code: i32,
        output: &str,
    ) -> Self {
        self.execs.push(ScriptedExec {
            container: container.into(),
            from,
            exit_code,
            output: output.into(),
        });
        self
    }

    fn push(&mut self, at: Time, result: RuntimeResult) {
        self.seq += 1;
        if let RuntimeResult::Log { container, .. } | RuntimeResult::Exited { container, .. } =
            &result
        {
            self.queued_by_container
                .entry(container.clone())
                .or_default()
                .push((at, self.seq));
        }
        self.queue.insert((at, self.seq), result);
    }

    fn reply(&mut self, at: Time, op: OpId, reply: Reply) {
        self.push(at, RuntimeResult::Reply { op, reply });
    }

    /// Runs a process's whole script from `now`, queueing its log lines and, if it ends, its
    /// exit. A stop that comes earlier takes back what had not happened yet.
    fn run(&mut self, id: &ContainerId, now: Time) {
        let Some(p) = self.procs.get(id) else { return };
        let message_path = self
            .specs
            .get(id)
            .and_then(|c| c.termination_message_path.clone())
            .unwrap_or_else(|| "/dev/termination-log".into());
        let mut t = now;
        let mut exit = Some(0);
        let mut oom = false;
        let mut message = None;
        for step in p.program.steps.clone() {
            match step {
                Step::Echo(line) => self.push(
                    t,
                    RuntimeResult::Log {
                        container: id.clone(),
                        line,
                    },
                ),
                Step::Sleep(ms) => t = t.plus_millis(ms),
                Step::Exit(code) => {
                    exit = Some(code);
                    break;
                }
                Step::Forever => {
                    exit = None;
                    break;
                }
                Step::Write { path, text } => {
                    if path == message_path {
                        message = Some(text);
                    }
                }
                Step::Oom => {
                    // Memory fills within a second.
                    t = t.plus_millis(700);
                    exit = Some(137);
                    oom = true;
                    break;
                }
            }
        }
        if let Some(p) = self.procs.get_mut(id) {
            p.message = message.clone();
        }
        if let Some(code) = exit {
            self.push(
                t,
                RuntimeResult::Exited {
                    container: id.clone(),
                    exit: Exit {
                        exit_code: code,
                        oom_killed: oom,
                        message,
                    },
                },
            );
            if let Some(p) = self.procs.get_mut(id) {
                p.natural_exit = Some(t);
            }
        }
    }

    /// Ends a process at `at` with `exit_code`, dropping what it would have done later.
    fn kill(&mut self, id: &ContainerId, at: Time, exit_code: i32) {
        if let Some(keys) = self.queued_by_container.get_mut(id) {
            keys.retain(|key| {
                let future = key.0 >= at;
                if future {
                    self.queue.remove(key);
                }
                !future
            });
        }
        let mut message = None;
        if let Some(p) = self.procs.get_mut(id) {
            p.natural_exit = Some(at);
            message = p.message.clone();
        }
        self.push(
            at,
            RuntimeResult::Exited {
                container: id.clone(),
                exit: Exit {
                    exit_code,
                    oom_killed: false,
                    message,
                },
            },
        );
    }

    fn exec_answer(&self, id: &ContainerId, now: Time, command: &[String]) -> (i32, String) {
        let name = self
            .specs
            .get(id)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        if let Some(s) = self
            .execs
            .iter()
            .rev()
            .find(|s| s.container == name && s.from <= now)
        {
            return (s.exit_code, s.output.clone());
        }
        match command.first().map(String::as_str) {
            Some("false") => (1, String::new()),
            Some("echo") => (0, format!("{}\n", command[1..].join(" "))),
            _ => (0, String::new()),
        }
    }

    /// A network probe's answer. It reaches the pod's listeners, so scripted failures apply to
    /// every container; without an output the failure reads as the kubelet's prober words it
    /// for that kind of probe. Port 0 (a named port nobody declared) refuses connections.
    fn probe_answer(&self, command: &RuntimeCommand, now: Time) -> ProbeOutcome {
        let scripted = self.execs.iter().rev().find(|s| s.from <= now);
        let (ip, port) = match command {
            RuntimeCommand::HttpGet { pod_ip, port, .. }
            | RuntimeCommand::TcpSocket { pod_ip, port, .. }
            | RuntimeCommand::Grpc { pod_ip, port, .. } => (pod_ip.clone(), *port),
            _ => (String::new(), 0),
        };
        let refused = super::probe::dial_refused(&ip, port);
        match scripted {
            Some(s) if s.exit_code != 0 && !s.output.is_empty() => {
                ProbeOutcome::Failure(s.output.clone())
            }
            Some(s) if s.exit_code != 0 => ProbeOutcome::Failure(match command {
                RuntimeCommand::HttpGet { .. } => "HTTP probe failed with statuscode: 500".into(),
                RuntimeCommand::Grpc { .. } => {
                    "service unhealthy (responded with \"NOT_SERVING\")".into()
                }
                _ => refused,
            }),
            _ if port <= 0 => match command {
                RuntimeCommand::HttpGet { path, scheme, .. } => super::probe::http_refused(
                    &super::probe::http_url(scheme, &ip, port, path),
                    &ip,
                    port,
                ),
                _ => ProbeOutcome::Failure(refused),
            },
            _ => ProbeOutcome::Success,
        }
    }
}

/// The key of an image in the node's cache: its familiar repository with the tag (`latest`
/// when none) or digest, so `nginx`, `nginx:latest` and `docker.io/library/nginx` are one image.
/// A name that does not parse is its own key.
fn image_key(image: &str) -> String {
    let Some(r) = crate::api::image::Reference::parse(image) else {
        return image.to_string();
    };
    match (&r.digest, &r.tag) {
        (Some(d), _) => format!("{}@{d}", r.familiar_repository()),
        (None, Some(t)) => format!("{}:{t}", r.familiar_repository()),
        (None, None) => format!("{}:latest", r.familiar_repository()),
    }
}

impl Runtime for ScriptedRuntime {
    fn submit(&mut self, now: Time, op: OpId, command: RuntimeCommand) {
        let l = self.latencies.clone();
        match command {
            RuntimeCommand::RunPodSandbox { .. } => {
                self.sandboxes += 1;
                let ip = format!("10.244.0.{}", 3 + self.sandboxes);
                let sandbox = SandboxId(self.rng.hex(64));
                self.reply(
                    now.plus_millis(l.sandbox_ms),
                    op,
                    Reply::SandboxReady { sandbox, ip },
                );
            }
            RuntimeCommand::StopPodSandbox { .. } => {
                self.reply(now.plus_millis(100), op, Reply::Done)
            }
            RuntimeCommand::ImageStatus { image } => {
                let size = self.images.get(&image_key(&image)).copied();
                self.reply(
                    now.plus_millis(2),
                    op,
                    Reply::ImageStatus {
                        present: size.is_some(),
                        size_bytes: size.unwrap_or(0),
                    },
                );
            }
            RuntimeCommand::PullImage { image, .. } => {
                let repo = image_key(&image);
                if let Some(message) = self.pulls_fail.get(&repo).cloned() {
                    self.reply(now.plus_millis(400), op, Reply::Failed { message });
                } else {
                    let size = *self.images.entry(repo).or_insert(30_000_000);
                    let ms = 200 + size / 1_000_000 * l.pull_ms_per_mb;
                    self.reply(
                        now.plus_millis(ms),
                        op,
                        Reply::ImagePulled { size_bytes: size },
                    );
                }
            }
            RuntimeCommand::CreateContainer {
                container, config, ..
            } => {
                // The kubelet has expanded $(VAR) in the command and args: run those.
                let mut container = container;
                if !config.command.is_empty() {
                    container.command = Some(config.command);
                }
                if !config.args.is_empty() {
                    container.args = Some(config.args);
                }
                let id = ContainerId(format!("containerd://{}", self.rng.hex(64)));
                self.procs.insert(
                    id.clone(),
                    Proc {
                        program: program_of(&container),
                        running: false,
                        natural_exit: None,
                        message: None,
                    },
                );
                self.specs.insert(id.clone(), *container);
                self.reply(
                    now.plus_millis(l.create_ms),
                    op,
                    Reply::ContainerCreated { container: id },
                );
            }
            RuntimeCommand::StartContainer { container } => {
                let at = now.plus_millis(l.start_ms);
                if let Some(p) = self.procs.get_mut(&container) {
                    p.running = true;
                }
                self.reply(at, op, Reply::Done);
                self.run(&container, at);
            }
            RuntimeCommand::StopContainer {
                container,
                timeout_s,
            } => {
                let Some(p) = self.procs.get(&container) else {
                    return self.reply(now, op, Reply::Done);
                };
                // The time it dies of this stop: at once for SIGKILL (timeout 0); after its
                // handler for a trapped SIGTERM; PID 1 without a handler ignores SIGTERM and dies
                // of SIGKILL when the timeout runs out (137).
                let (at, code) = match (timeout_s, p.program.term_handler) {
                    (0, _) => (now, 137),
                    (_, Some(code)) => (now.plus_millis(50), code),
                    (t, None) => (now.plus_secs(t), 137),
                };
                match p.natural_exit {
                    _ if !p.running => self.reply(now, op, Reply::Done),
                    Some(end) if end <= at => self.reply(end, op, Reply::Done),
                    _ => {
                        self.kill(&container, at, code);
                        self.reply(at, op, Reply::Done);
                    }
                }
            }
            RuntimeCommand::RemoveContainer { .. } => self.reply(now, op, Reply::Done),
            RuntimeCommand::ExecSync {
                container, command, ..
            } => {
                let (exit_code, output) = self.exec_answer(&container, now, &command);
                self.reply(
                    now.plus_millis(l.exec_ms),
                    op,
                    Reply::Exec { exit_code, output },
                );
            }
            command @ (RuntimeCommand::HttpGet { .. }
            | RuntimeCommand::TcpSocket { .. }
            | RuntimeCommand::Grpc { .. }) => {
                let outcome = self.probe_answer(&command, now);
                self.reply(now.plus_millis(l.probe_ms), op, Reply::Probe { outcome });
            }
        }
    }

    fn poll(&mut self, now: Time) -> Option<(Time, RuntimeResult)> {
        let (&key, _) = self.queue.iter().next()?;
        if key.0 > now {
            return None;
        }
        let result = self.queue.remove(&key).expect("key just read");
        if let RuntimeResult::Exited { container, .. } = &result {
            if let Some(p) = self.procs.get_mut(container) {
                p.running = false;
            }
        }
        Some((key.0, result))
    }

    fn next_ready(&self) -> Option<Time> {
        self.queue.keys().next().map(|(t, _)| *t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(command: &[&str]) -> Container {
        Container {
            name: "c".into(),
            command: Some(command.iter().map(|s| s.to_string()).collect()),
            ..Container::default()
        }
    }

    #[test]
    fn shell_scripts_read_as_steps() {
        let p = program_of(&container(&["sh", "-c", "echo hi; sleep 2 && exit 3"]));
        assert_eq!(
            p.steps,
            [Step::Echo("hi".into()), Step::Sleep(2000), Step::Exit(3)]
        );
        assert_eq!(p.term_handler, None);
        let p = program_of(&container(&[
            "sh",
            "-c",
            "trap 'exit 0' TERM; while true; do sleep 1; done",
        ]));
        assert_eq!(p.term_handler, Some(0));
        assert_eq!(p.steps.first(), Some(&Step::Forever));
    }

    #[test]
    fn image_references_reduce_to_their_repository() {
        assert_eq!(image_key("docker.io/library/nginx:1.27"), "nginx:1.27");
        let digest = format!("sha256:{}", "c".repeat(64));
        assert_eq!(
            image_key(&format!("busybox@{digest}")),
            format!("busybox@{digest}")
        );
        assert_eq!(
            image_key("registry.k8s.io/pause:3.10"),
            "registry.k8s.io/pause:3.10"
        );
        assert_eq!(image_key("localhost:5000/app:1"), "localhost:5000/app:1");
        assert_eq!(image_key("docker.io/library/nginx"), "nginx:latest");
        assert_eq!(image_key("nginx:1.27"), "nginx:1.27");
        assert_eq!(image_key("localhost:5000/app"), "localhost:5000/app:latest");
    }
}
