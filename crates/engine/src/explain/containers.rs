//! What each container is doing and why: waiting reasons (image pulls, configuration errors,
//! crash loops), running containers and their probes, and exits with what their codes mean.
//!
//! Start at [`explain_init`] (init containers and sidecars, in spec order, stopping at the first
//! one that holds the pod back) and [`explain_regular`] (the app containers, problems first). The
//! waiting reasons are the kubelet's: `ErrImagePull`, `ImagePullBackOff`, `ErrImageNeverPull`,
//! `InvalidImageName` (pkg/kubelet/images/types.go), `CreateContainerConfigError`,
//! `CreateContainerError`, `PreStartHookError`, `PostStartHookError`
//! (pkg/kubelet/kuberuntime/kuberuntime_container.go), `RunContainerError` and `CrashLoopBackOff`
//! (pkg/kubelet/container/sync_result.go), and the defaults `ContainerCreating` and
//! `PodInitializing`.

use k8s_openapi::api::core::v1::{
    Container, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, Probe,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::Timestamp;

use super::backoff::{
    backoff_from_message, crash_loop_backoff, format_go_duration, INITIAL_CRASH_LOOP_BACKOFF,
    INITIAL_IMAGE_BACKOFF, MAX_CRASH_LOOP_BACKOFF, MAX_IMAGE_BACKOFF,
};
use super::{count, times, Context};
use crate::status::{container_should_restart, is_restartable_init_container, is_terminal_phase};
use crate::view::duration::{human_duration, is_go_zero_time};

/// How a container is named in a sentence: `subject` opens one ("Container app",
/// "Init container 2 of 3, migrate,"), `noun` sits inside one ("container app").
pub(super) struct Who {
    subject: String,
    noun: String,
    name: String,
}

impl Who {
    fn regular(name: &str) -> Who {
        Who {
            subject: format!("Container {name}"),
            noun: format!("container {name}"),
            name: name.to_string(),
        }
    }

    fn init(name: &str, index: usize, total: usize) -> Who {
        Who {
            subject: format!("Init container {index} of {total}, {name},"),
            noun: format!("init container {name}"),
            name: name.to_string(),
        }
    }

    fn sidecar(name: &str, index: usize, total: usize) -> Who {
        Who {
            subject: format!("Sidecar {name} (init container {index} of {total})"),
            noun: format!("sidecar {name}"),
            name: name.to_string(),
        }
    }
}

/// A timestamp that is set (Go's zero time counts as unset).
fn time_of(t: Option<&Time>) -> Option<Timestamp> {
    t.map(|t| t.0).filter(|t| !is_go_zero_time(*t))
}

fn non_empty(s: Option<&String>) -> Option<&str> {
    s.map(String::as_str).filter(|s| !s.is_empty())
}

/// `" 25s ago"`, or nothing when the time is unknown.
/// ` 25s ago`, or nothing when the time is unknown or later than `now` (a `--now` earlier than
/// the pod's own timestamps says nothing true about "ago").
fn ago(t: Option<Timestamp>, now: Timestamp) -> String {
    t.filter(|t| *t <= now)
        .map(|t| format!(" {} ago", human_duration(now.duration_since(t))))
        .unwrap_or_default()
}

fn find_status<'a>(statuses: &'a [ContainerStatus], name: &str) -> Option<&'a ContainerStatus> {
    statuses.iter().find(|status| status.name == name)
}

/// The terminated state's reason, or `no reason` when the runtime gave none.
fn reason_of(terminated: &ContainerStateTerminated) -> &str {
    non_empty(terminated.reason.as_ref()).unwrap_or("no reason given")
}

const APP_CONTAINERS_WAIT: &str =
    "The app containers start only after every init container has succeeded.";

/// What [`explain_init`] found.
pub(super) struct InitOutcome {
    /// An init container (or a sidecar that has not started) holds the app containers back.
    pub blocked: bool,
    /// The sentences about the init container or sidecar at fault, most important first.
    pub sentences: Vec<String>,
    /// A closing remark (every init container completed, sidecars running), said last.
    pub remarks: Vec<String>,
}

/// The init containers, in spec order, as the kubelet starts them: one at a time, each regular
/// init container running to success before the next starts, each sidecar (`restartPolicy:
/// Always`) only having to start. Stops at the first one that holds the pod back. Mirrors the
/// walk of `computeInitContainerActions` (pkg/kubelet/kuberuntime/kuberuntime_container.go) and
/// the init loop of `printPod`.
pub(super) fn explain_init(cx: &Context) -> InitOutcome {
    let mut outcome = InitOutcome {
        blocked: false,
        sentences: Vec::new(),
        remarks: Vec::new(),
    };
    let inits = cx.spec.init_containers.as_deref().unwrap_or_default();
    let total = inits.len();
    let mut regular = 0;
    let mut completed = 0;
    for (i, container) in inits.iter().enumerate() {
        let status = find_status(cx.init_statuses(), &container.name);
        if is_restartable_init_container(container) {
            let who = Who::sidecar(&container.name, i + 1, total);
            let (sentences, started) = sidecar(cx, container, status, &who);
            if started {
                outcome.remarks.extend(sentences);
                continue;
            }
            outcome.sentences.extend(sentences);
            outcome.blocked = true;
            return outcome;
        }
        regular += 1;
        let who = Who::init(&container.name, i + 1, total);
        let Some(status) = status else {
            outcome.sentences.push(format!(
                "{} has not started yet: init containers run one at a time, in order. {APP_CONTAINERS_WAIT}",
                who.subject
            ));
            outcome.blocked = true;
            return outcome;
        };
        let state = status.state.as_ref();
        if let Some(running) = state.and_then(|s| s.running.as_ref()) {
            let since = time_of(running.started_at.as_ref())
                .map(|t| format!(" (for {})", human_duration(cx.now.duration_since(t))))
                .unwrap_or_default();
            let later = total - (i + 1);
            let more = match later {
                0 => String::new(),
                1 => " 1 more init container runs after it.".to_string(),
                n => format!(" {n} more init containers run after it."),
            };
            outcome.sentences.push(format!(
                "{} is running{since}; the app containers start only after every init container has succeeded.{more}",
                who.subject
            ));
            outcome.blocked = true;
            return outcome;
        }
        if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
            if terminated.exit_code == 0 {
                completed += 1;
                continue;
            }
            outcome.sentences = failed_init(cx, container, status, &who, terminated, None);
            outcome.blocked = true;
            return outcome;
        }
        let waiting = state.and_then(|s| s.waiting.as_ref());
        let last = status
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref());
        match (waiting, last) {
            (Some(waiting), Some(last)) if last.exit_code != 0 => {
                outcome.sentences = failed_init(cx, container, status, &who, last, Some(waiting));
            }
            (Some(waiting), _) if !is_default_waiting(waiting) => {
                outcome.sentences = waiting_sentences(cx, container, status, &who, waiting);
                outcome.sentences.push(APP_CONTAINERS_WAIT.to_string());
            }
            _ => outcome.sentences.push(format!(
                "{} is waiting to start (PodInitializing): init containers run one at a time, in order. {APP_CONTAINERS_WAIT}",
                who.subject
            )),
        }
        outcome.blocked = true;
        return outcome;
    }
    if regular > 0 && completed == regular {
        outcome.remarks.push(if regular == 1 {
            "The init container completed successfully, so the app containers could start."
                .to_string()
        } else {
            format!("All {regular} init containers completed successfully, so the app containers could start.")
        });
    }
    outcome
}

/// A waiting state the kubelet gives every container it has not created yet.
fn is_default_waiting(waiting: &ContainerStateWaiting) -> bool {
    matches!(
        waiting.reason.as_deref().unwrap_or_default(),
        "" | "PodInitializing" | "ContainerCreating"
    )
}

/// A regular init container that exited with a non-zero code (`terminated`), now either waiting
/// to be retried (`waiting`) or, when nothing restarts it, failing the pod (`getPhase`: a failed
/// init container that is not restartable makes the pod Failed).
fn failed_init(
    cx: &Context,
    container: &Container,
    status: &ContainerStatus,
    who: &Who,
    terminated: &ContainerStateTerminated,
    waiting: Option<&ContainerStateWaiting>,
) -> Vec<String> {
    let code = terminated.exit_code;
    let restarts = container_should_restart(container, cx.spec, code, cx.gates)
        && !is_terminal_phase(cx.phase);
    let finished = time_of(terminated.finished_at.as_ref());
    let mut out = Vec::new();
    if !restarts {
        out.push(format!(
            "{} exited with code {code} ({}){}. {}, so a failed init container is not retried: the pod is Failed and its app containers never start.",
            who.subject,
            reason_of(terminated),
            ago(finished, cx.now),
            capitalize(&restart_rule(container, cx.spec, code))
        ));
    } else if let Some(waiting) = waiting {
        out.extend(waiting_sentences(cx, container, status, who, waiting));
        out.push(format!(
            "The app containers wait until it succeeds: {}, so the kubelet keeps retrying a failed init container.",
            restart_rule(container, cx.spec, code)
        ));
        return out;
    } else {
        out.push(format!(
            "{} exited with code {code} ({}){}; {}, so the kubelet runs it again (after the crash-loop back-off), and the app containers wait until it succeeds.",
            who.subject,
            reason_of(terminated),
            ago(finished, cx.now),
            restart_rule(container, cx.spec, code)
        ));
    }
    out.extend(exit_meaning(container, terminated));
    out.push(logs_hint(cx, who, false));
    out
}

/// A sidecar: an init container with `restartPolicy: Always`. The init containers after it wait
/// only until it has started (`started: true`); then it runs alongside the app containers.
/// Returns the sentences and whether it has started.
fn sidecar(
    cx: &Context,
    container: &Container,
    status: Option<&ContainerStatus>,
    who: &Who,
) -> (Vec<String>, bool) {
    const WHAT: &str = "an init container with restartPolicy Always is a sidecar: it starts in order with the init containers, and the ones after it wait only until it has started, then it keeps running alongside the app containers";
    let Some(status) = status else {
        return (
            vec![format!("{} has not started yet; {WHAT}.", who.subject)],
            false,
        );
    };
    let started = status.started == Some(true);
    let state = status.state.as_ref();
    let mut out = Vec::new();
    if let Some(running) = state.and_then(|s| s.running.as_ref()) {
        let since = time_of(running.started_at.as_ref())
            .map(|t| format!(" for {}", human_duration(cx.now.duration_since(t))))
            .unwrap_or_default();
        if started {
            out.push(format!(
                "{} has been running{since}{}; {WHAT}.",
                who.subject,
                if status.ready { " and is ready" } else { "" }
            ));
            if !status.ready {
                out.extend(not_ready(cx, container, status, who));
            }
        } else {
            out.push(format!(
                "{} is running{since} but has not started yet in the kubelet's sense (started is false), so the init containers after it wait; {WHAT}.",
                who.subject
            ));
            if let Some(probe) = container.startup_probe.as_ref() {
                out.push(startup_probe_sentence(probe));
            }
        }
    } else if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()) {
        out.extend(waiting_sentences(cx, container, status, who, waiting));
        out.push(format!(
            "A sidecar is restarted after every exit, whatever the pod's restartPolicy: {WHAT}."
        ));
    } else if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
        out.push(format!(
            "{} exited with code {} ({}){}.",
            who.subject,
            terminated.exit_code,
            reason_of(terminated),
            ago(time_of(terminated.finished_at.as_ref()), cx.now)
        ));
        out.extend(exit_meaning(container, terminated));
        if !is_terminal_phase(cx.phase) && cx.pod.metadata.deletion_timestamp.is_none() {
            out.push(format!(
                "A sidecar is restarted after every exit, whatever the pod's restartPolicy: {WHAT}."
            ));
        }
    }
    (out, started)
}

/// The app containers, in spec order, the ones with a problem first.
pub(super) fn explain_regular(cx: &Context) -> Vec<String> {
    let mut items: Vec<(u8, Vec<String>)> = Vec::new();
    for container in &cx.spec.containers {
        let who = Who::regular(&container.name);
        let Some(status) = find_status(cx.container_statuses(), &container.name) else {
            items.push((
                1,
                vec![format!(
                    "{} has no status yet: the kubelet has not reported on it.",
                    who.subject
                )],
            ));
            continue;
        };
        let state = status.state.as_ref();
        if let Some(running) = state.and_then(|s| s.running.as_ref()) {
            let severity = if status.ready { 2 } else { 1 };
            items.push((
                severity,
                running_sentences(cx, container, status, &who, running.started_at.as_ref()),
            ));
        } else if let Some(terminated) = state.and_then(|s| s.terminated.as_ref()) {
            let severity = if terminated.exit_code == 0 { 2 } else { 0 };
            items.push((
                severity,
                terminated_sentences(cx, container, &who, terminated),
            ));
        } else if let Some(waiting) = state.and_then(|s| s.waiting.as_ref()) {
            let severity = if is_default_waiting(waiting) { 1 } else { 0 };
            items.push((
                severity,
                waiting_sentences(cx, container, status, &who, waiting),
            ));
        } else {
            items.push((
                1,
                vec![format!("{} has a status with no state yet.", who.subject)],
            ));
        }
    }
    items.sort_by_key(|(severity, _)| *severity);
    items.into_iter().flat_map(|(_, s)| s).collect()
}

/// A running app container: ready, or why not (startup probe, readiness probe), and its
/// previous run if it has restarted.
fn running_sentences(
    cx: &Context,
    container: &Container,
    status: &ContainerStatus,
    who: &Who,
    started_at: Option<&Time>,
) -> Vec<String> {
    let since = time_of(started_at)
        .map(|t| format!(" for {}", human_duration(cx.now.duration_since(t))))
        .unwrap_or_default();
    let mut out = Vec::new();
    if status.ready {
        out.push(format!(
            "{} has been running{since} and is ready.",
            who.subject
        ));
    } else {
        out.push(format!(
            "{} has been running{since} but is not ready.",
            who.subject
        ));
        out.extend(not_ready(cx, container, status, who));
    }
    if status.restart_count > 0 {
        let last = status
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref());
        match last {
            Some(last) => {
                out.push(format!(
                    "It has restarted {}; its previous run ended with code {} ({}){}.",
                    times(status.restart_count.into()),
                    last.exit_code,
                    reason_of(last),
                    ago(time_of(last.finished_at.as_ref()), cx.now)
                ));
                out.extend(exit_meaning(container, last));
            }
            None => out.push(format!(
                "It has restarted {}.",
                times(status.restart_count.into())
            )),
        }
    }
    out
}

/// Why a running container is not ready: its startup probe has not passed, its readiness probe
/// has not succeeded, or (without probes) the pod is shutting down.
fn not_ready(
    cx: &Context,
    container: &Container,
    status: &ContainerStatus,
    who: &Who,
) -> Vec<String> {
    if status.started != Some(true) {
        if let Some(probe) = container.startup_probe.as_ref() {
            return vec![
                format!(
                    "Its startup probe ({}) has not succeeded yet (started is false); until it does, the kubelet runs neither its liveness nor its readiness probe.",
                    probe_action(probe)
                ),
                startup_probe_sentence(probe),
            ];
        }
    }
    if let Some(probe) = container.readiness_probe.as_ref() {
        let period = probe.period_seconds.unwrap_or(10);
        let success = probe.success_threshold.unwrap_or(1);
        let failure = probe.failure_threshold.unwrap_or(3);
        return vec![format!(
            "Its readiness probe ({}, every {period}s) has not succeeded: the kubelet marks {} ready after {success} success{} in a row and unready after {failure} failure{} in a row, and while it is unready the pod's endpoints are not ready, so Services send it no traffic.",
            probe_action(probe),
            who.noun,
            if success == 1 { "" } else { "es" },
            if failure == 1 { "" } else { "s" },
        )];
    }
    if cx.pod.metadata.deletion_timestamp.is_some() {
        return vec![
            "The pod is being deleted, and the kubelet marks the containers of a terminating pod not ready."
                .to_string(),
        ];
    }
    vec!["It has no readiness probe, so the kubelet marks it ready once it has started; the status shown was written before that.".to_string()]
}

/// How long a startup probe lets a container take: `failureThreshold` failures, one every
/// `periodSeconds`, after `initialDelaySeconds` (the prober's `startup` worker).
fn startup_probe_sentence(probe: &Probe) -> String {
    let period = i64::from(probe.period_seconds.unwrap_or(10));
    let failure = i64::from(probe.failure_threshold.unwrap_or(3));
    let delay = i64::from(probe.initial_delay_seconds.unwrap_or(0));
    format!(
        "The startup probe runs every {period}s after an initial delay of {delay}s; after {failure} failures in a row ({failure} × {period}s = {}s) the kubelet kills the container and restarts it according to its restart policy.",
        failure * period
    )
}

/// A probe's action in a few words: `httpGet /healthz on port 8080`, `tcpSocket on port 5432`,
/// `exec cat /tmp/ready`, `grpc on port 9090`.
fn probe_action(probe: &Probe) -> String {
    let port = |p: &IntOrString| match p {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    };
    if let Some(http) = probe.http_get.as_ref() {
        let path = http.path.as_deref().unwrap_or("/");
        format!("httpGet {path} on port {}", port(&http.port))
    } else if let Some(tcp) = probe.tcp_socket.as_ref() {
        format!("tcpSocket on port {}", port(&tcp.port))
    } else if let Some(exec) = probe.exec.as_ref() {
        format!(
            "exec {}",
            exec.command.as_deref().unwrap_or_default().join(" ")
        )
    } else if let Some(grpc) = probe.grpc.as_ref() {
        format!("grpc on port {}", grpc.port)
    } else {
        "no action".to_string()
    }
}

/// An app container that has exited: its code, what the code means, and whether the kubelet
/// restarts it (`ContainerShouldRestart`).
fn terminated_sentences(
    cx: &Context,
    container: &Container,
    who: &Who,
    terminated: &ContainerStateTerminated,
) -> Vec<String> {
    let started = time_of(terminated.started_at.as_ref());
    let finished = time_of(terminated.finished_at.as_ref());
    let ran = match (started, finished) {
        (Some(s), Some(f)) => format!(", after running {}", human_duration(f.duration_since(s))),
        _ => String::new(),
    };
    let mut out = vec![format!(
        "{} exited with code {} ({}){}{ran}.",
        who.subject,
        terminated.exit_code,
        reason_of(terminated),
        ago(finished, cx.now)
    )];
    out.extend(exit_meaning(container, terminated));
    if !is_terminal_phase(cx.phase) && cx.pod.metadata.deletion_timestamp.is_none() {
        let code = terminated.exit_code;
        let rule = capitalize(&restart_rule(container, cx.spec, code));
        if container_should_restart(container, cx.spec, code, cx.gates) {
            out.push(format!("{rule}, so the kubelet restarts it."));
        } else {
            out.push(format!("{rule}, so it is not restarted."));
        }
    }
    if terminated.exit_code != 0 && terminated.reason.as_deref() != Some("ContainerStatusUnknown") {
        out.push(logs_hint(cx, who, false));
    }
    out
}

/// The restart rule that applies to `container` after exiting with `code`, in the order
/// `ContainerShouldRestart` (pkg/api/v1/pod/util.go) reads them: the container's
/// `restartPolicyRules`, its own `restartPolicy`, then the pod's.
fn restart_rule(
    container: &Container,
    spec: &k8s_openapi::api::core::v1::PodSpec,
    code: i32,
) -> String {
    let meaning = |policy: &str| match policy {
        "Always" => " (restart after every exit)",
        "OnFailure" => " (restart only after a non-zero exit)",
        "Never" => " (never restart)",
        _ => "",
    };
    if let Some(policy) = container.restart_policy.as_deref() {
        let rule = container
            .restart_policy_rules
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|rule| {
                rule.exit_codes.as_ref().is_some_and(|codes| {
                    let listed = codes.values.as_deref().unwrap_or_default().contains(&code);
                    match codes.operator.as_str() {
                        "In" => listed,
                        "NotIn" => !listed,
                        _ => false,
                    }
                })
            });
        if let Some(rule) = rule {
            return format!(
                "its restartPolicyRules match exit code {code} with action {}",
                rule.action
            );
        }
        return format!("its own restartPolicy is {policy}{}", meaning(policy));
    }
    let policy = spec.restart_policy.as_deref().unwrap_or("Always");
    format!("the pod's restartPolicy is {policy}{}", meaning(policy))
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn logs_hint(cx: &Context, who: &Who, previous: bool) -> String {
    format!(
        "`kubectl logs {} -c {}{}` shows what that run printed.",
        cx.pod_name(),
        who.name,
        if previous { " --previous" } else { "" }
    )
}

/// Linux signal names, for exit codes 128 + n.
fn signal_name(n: i32) -> Option<&'static str> {
    Some(match n {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        10 => "SIGUSR1",
        11 => "SIGSEGV",
        12 => "SIGUSR2",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return None,
    })
}

/// What an exit means: the terminated reason where the runtime or the kubelet set one that says
/// more than the code (`OOMKilled`, `StartError`, `ContainerCannotRun`, `ContainerStatusUnknown`),
/// then the exit code itself (POSIX shells: 126, 127, and 128 + n for a process killed by signal
/// n).
fn exit_meaning(container: &Container, terminated: &ContainerStateTerminated) -> Vec<String> {
    exit_meaning_quoting(container, terminated, true)
}

/// [`exit_meaning`], leaving out the terminated message when `quote_message` is false (the
/// sentence before already quoted the same text).
fn exit_meaning_quoting(
    container: &Container,
    terminated: &ContainerStateTerminated,
    quote_message: bool,
) -> Vec<String> {
    let code = terminated.exit_code;
    let reason = terminated.reason.as_deref().unwrap_or_default();
    let message = non_empty(terminated.message.as_ref());
    let quoted = message.filter(|_| quote_message);
    match reason {
        "OOMKilled" => {
            let limit = container
                .resources
                .as_ref()
                .and_then(|r| r.limits.as_ref())
                .and_then(|limits| limits.get("memory"))
                .map(|q| format!(" of {}", q.0))
                .unwrap_or_default();
            return vec![format!(
                "OOMKilled: the container used more memory than its limit{limit} allows, so the kernel's out-of-memory killer killed it with SIGKILL{}.",
                if code == 137 { ", hence exit code 137 = 128 + 9" } else { "" }
            )];
        }
        "StartError" | "ContainerCannotRun" => {
            let mut s = format!(
                "{reason}: the container runtime could not start the process at all{}; exit code {code} is the runtime's, not the program's.",
                quoted.map(|m| format!(" ({m})")).unwrap_or_default()
            );
            if quoted.is_some_and(|m| m.contains("executable file not found")) {
                s.push_str(" The command (the container's command, or the image's entrypoint) does not exist in the image.");
            }
            return vec![s];
        }
        "ContainerStatusUnknown" => {
            return vec![format!(
                "ContainerStatusUnknown: the kubelet could no longer find the container{}, so it reports it as terminated with exit code {code}.",
                quoted.map(|m| format!(" ({m})")).unwrap_or_default()
            )];
        }
        _ => {}
    }
    let sentence = match code {
        0 => "Exit code 0 means the program ended successfully.".to_string(),
        126 => "Exit code 126 means the command was found but could not be executed (for example, the file is not executable).".to_string(),
        127 => "Exit code 127 means the command was not found (the shell found no such program).".to_string(),
        129..=192 => {
            let n = code - 128;
            let name = signal_name(n)
                .map(|name| format!(" ({name})"))
                .unwrap_or_default();
            let why = match n {
                9 => ", which cannot be caught: the kubelet sends it when a stop grace period runs out, and the kernel uses it on a process that runs out of memory",
                15 => ", the signal the kubelet sends to stop a container",
                11 => ": the program crashed on an invalid memory access",
                6 => ": the program aborted itself",
                2 => ": the program was interrupted",
                _ => "",
            };
            format!("Exit code {code} = 128 + {n}: the process ended on signal {n}{name}{why}.")
        }
        c if !(0..=255).contains(&c) => format!(
            "Exit code {code} is outside 0 to 255, so no process returned it: the container runtime set it."
        ),
        1 => "Exit code 1 is the program's own general failure code; its logs say why.".to_string(),
        _ => format!("Exit code {code} is an error code the program chose; its logs say why."),
    };
    vec![sentence]
}

/// A waiting container, by the kubelet's reason.
fn waiting_sentences(
    cx: &Context,
    container: &Container,
    status: &ContainerStatus,
    who: &Who,
    waiting: &ContainerStateWaiting,
) -> Vec<String> {
    let reason = waiting.reason.as_deref().unwrap_or_default();
    let message = waiting.message.as_deref().unwrap_or_default();
    let quoted = if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    };
    let image = crate::go::quote(container.image.as_deref().unwrap_or_default());
    let subject = &who.subject;
    let image_backoff = format!(
        "The kubelet retries the pull with a back-off that starts at {} and doubles after each failure up to {}",
        format_go_duration(INITIAL_IMAGE_BACKOFF),
        format_go_duration(MAX_IMAGE_BACKOFF)
    );
    let mut out = Vec::new();
    match reason {
        "CrashLoopBackOff" => return crash_loop(cx, container, status, who, message),
        "ErrImagePull" => {
            out.push(format!(
                "{subject} cannot start: the kubelet failed to pull its image {image} (ErrImagePull){quoted}."
            ));
            out.extend(image_pull_hint(message));
            out.push(format!(
                "{image_backoff}; while it waits, the reason reads ImagePullBackOff."
            ));
        }
        "ImagePullBackOff" => {
            out.push(format!(
                "{subject} cannot start: pulling its image {image} failed, and the kubelet is waiting before it tries again (ImagePullBackOff){quoted}."
            ));
            out.extend(image_pull_hint(message));
            out.push(format!(
                "{image_backoff}; at each new attempt the reason reads ErrImagePull again."
            ));
        }
        "ErrImageNeverPull" => out.push(format!(
            "{subject} cannot start: its imagePullPolicy is Never and the image {image} is not on the node, so the kubelet will not pull it (ErrImageNeverPull){quoted}. The image has to be loaded onto the node, or the pull policy changed."
        )),
        "InvalidImageName" => out.push(format!(
            "{subject} cannot start: its image {image} is not a valid image reference, so the kubelet cannot even try to pull it (InvalidImageName){quoted}. It stays so until the image in the spec is fixed (a pod's container image can be updated in place)."
        )),
        "ImageInspectError" => out.push(format!(
            "{subject} cannot start: the container runtime failed to inspect its image {image} (ImageInspectError){quoted}."
        )),
        "RegistryUnavailable" => out.push(format!(
            "{subject} cannot start: the registry of its image {image} could not be reached (RegistryUnavailable){quoted}."
        )),
        "CreateContainerConfigError" => {
            out.push(format!(
                "{subject} cannot start: the kubelet could not build its configuration (CreateContainerConfigError){quoted}."
            ));
            out.extend(config_error_hint(message));
            out.push("The kubelet tries again at each sync, so the container starts as soon as what it refers to exists.".to_string());
        }
        "CreateContainerError" => out.push(format!(
            "{subject} could not be created by the container runtime (CreateContainerError){quoted}. The kubelet tries again at each sync."
        )),
        "RunContainerError" => {
            out.push(format!(
                "The container runtime created {} but could not start its process (RunContainerError){quoted}.",
                who.noun
            ));
            if message.contains("executable file not found") || message.contains("no such file or directory") {
                out.push("The command (the container's command, or the image's entrypoint) does not exist in the image.".to_string());
            } else if message.contains("permission denied") {
                out.push("The command exists in the image but cannot be executed (permission denied).".to_string());
            }
        }
        "PostStartHookError" => out.push(format!(
            "The postStart hook of {} failed, so the kubelet killed the container (PostStartHookError){quoted}; it is started again according to its restart policy.",
            who.noun
        )),
        "PreStartHookError" | "PreCreateHookError" => out.push(format!(
            "{subject} cannot start: one of the kubelet's own steps before starting it failed ({reason}){quoted}."
        )),
        "ContainerCreating" => {
            out.push(format!(
                "{subject} is being created (ContainerCreating): the kubelet is still setting it up (the pod's sandbox and network, its volumes, its image)."
            ));
            if !has_ip(cx) {
                out.push("The pod has no IP address yet, so its sandbox is not ready (PodReadyToStartContainers is False).".to_string());
            }
        }
        "PodInitializing" => out.push(format!(
            "{subject} waits for the init containers to finish (PodInitializing)."
        )),
        "" => out.push(format!("{subject} is waiting, with no reason given yet.")),
        other => out.push(format!("{subject} is waiting ({other}){quoted}.")),
    }
    if let Some(last) = status
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
    {
        out.push(format!(
            "It has restarted {}; its previous run ended with code {} ({}){}.",
            times(status.restart_count.into()),
            last.exit_code,
            reason_of(last),
            ago(time_of(last.finished_at.as_ref()), cx.now)
        ));
        // The runtime's start error often repeats the waiting message: quote it once.
        let repeated = !message.is_empty() && non_empty(last.message.as_ref()) == Some(message);
        out.extend(exit_meaning_quoting(container, last, !repeated));
        if !is_terminal_phase(cx.phase) {
            out.push(format!(
                "A container that fails to start counts as exited: {}, so the kubelet starts it again, after the crash-loop back-off.",
                restart_rule(container, cx.spec, last.exit_code)
            ));
        }
    }
    out
}

fn has_ip(cx: &Context) -> bool {
    cx.status.pod_ip.as_deref().is_some_and(|ip| !ip.is_empty())
}

/// What an image pull error message says, for the common registry answers.
fn image_pull_hint(message: &str) -> Option<String> {
    let lower = message.to_ascii_lowercase();
    if [
        "unauthorized",
        "pull access denied",
        "authorization failed",
        "403 forbidden",
    ]
    .iter()
    .any(|s| lower.contains(s))
    {
        Some("The registry refused access: the image is private (the pod then needs imagePullSecrets) or does not exist.".to_string())
    } else if lower.contains("not found") || lower.contains("manifest unknown") {
        Some("The registry has no such image or tag: check the image's name and tag.".to_string())
    } else if ["no such host", "i/o timeout", "connection refused"]
        .iter()
        .any(|s| lower.contains(s))
    {
        Some("The node could not reach the registry.".to_string())
    } else {
        None
    }
}

/// What a `CreateContainerConfigError` message names: a missing ConfigMap or Secret key (the
/// kubelet's `couldn't find key %v in ConfigMap %v/%v`, pkg/kubelet/kubelet_pods.go
/// `makeEnvironmentVariables`), a missing ConfigMap or Secret (the API's `configmap "x" not
/// found`), or `runAsNonRoot` with an image that runs as root.
fn config_error_hint(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("couldn't find key ") {
        for kind in ["ConfigMap", "Secret"] {
            if let Some((key, object)) = rest.split_once(&format!(" in {kind} ")) {
                return Some(format!(
                    "The container's environment takes key {key} from {kind} {object}, and that {kind} has no such key."
                ));
            }
        }
    }
    for (prefix, kind) in [("configmap \"", "ConfigMap"), ("secret \"", "Secret")] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((name, _)) = rest.split_once("\" not found") {
                return Some(format!(
                    "The {kind} {name} that the container refers to does not exist in the pod's namespace."
                ));
            }
        }
    }
    if message.contains("runAsNonRoot") {
        return Some(
            "The pod requires runAsNonRoot, but the image would run as root (UID 0).".to_string(),
        );
    }
    None
}

/// A container in `CrashLoopBackOff`: how often it restarted, how its last run ended, how long the
/// kubelet waits (from the waiting message, else [`crash_loop_backoff`]) and when it starts again.
/// The wait runs from the last run's `finishedAt` (kubelet `doBackOff` passes `FinishedAt` to
/// `IsInBackOffSince`).
fn crash_loop(
    cx: &Context,
    container: &Container,
    status: &ContainerStatus,
    who: &Who,
    message: &str,
) -> Vec<String> {
    let restarts = status.restart_count;
    let last = status
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref());
    let finished = last.and_then(|t| time_of(t.finished_at.as_ref()));
    let last_run = last.and_then(|t| {
        let started = time_of(t.started_at.as_ref())?;
        Some(finished?.duration_since(started))
    });
    let computed = crash_loop_backoff(restarts, last_run);
    let from_message = backoff_from_message(message);
    let delay = from_message.unwrap_or(computed);
    let wait = format_go_duration(delay);

    let mut first = format!(
        "{} is in CrashLoopBackOff: it has restarted {}",
        who.subject,
        times(restarts.into())
    );
    if let Some(last) = last {
        first.push_str(&format!(
            "; it last exited with code {} ({}){}",
            last.exit_code,
            reason_of(last),
            ago(finished, cx.now)
        ));
    }
    first.push_str(&format!(
        "; the kubelet waits {wait} before the next restart"
    ));
    match finished
        .filter(|f| *f <= cx.now)
        .and_then(|f| f.checked_add(delay).ok())
    {
        Some(restart_at) if restart_at > cx.now => first.push_str(&format!(
            ", so it starts again in about {}.",
            human_duration(restart_at.duration_since(cx.now))
        )),
        Some(_) => first
            .push_str(", and that wait is over, so it starts again at the kubelet's next sync."),
        None => first.push('.'),
    }

    let rule = format!(
        "The kubelet restarts a crashed container at once the first time, then waits {}, doubling the wait after each further crash up to {}, and starts over once a run lasts more than 10 minutes",
        format_go_duration(INITIAL_CRASH_LOOP_BACKOFF),
        format_go_duration(MAX_CRASH_LOOP_BACKOFF),
    );
    let restarts_phrase = count(restarts.into(), "restart");
    let second = match from_message {
        Some(d) if d != computed => format!(
            "{rule}; {restarts_phrase} would give {} by that rule, so the back-off was reset at some point (or the kubelet restarted), and its waiting message says it uses {wait}.",
            format_go_duration(computed),
        ),
        _ => format!(
            "{rule}: after {restarts_phrase} the wait is {}.",
            format_go_duration(computed)
        ),
    };
    let mut out = vec![first, second];
    if let Some(last) = last {
        out.extend(exit_meaning(container, last));
    }
    out.push(logs_hint(cx, who, true));
    out
}
