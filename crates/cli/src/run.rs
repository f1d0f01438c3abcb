//! `podplay run`: a scenario (or plain manifests) run in virtual time, shown as kubectl would
//! show it.
//!
//! Start at [`run`]: read the file, [`Scenario::parse`] it, run its simulation until `--for` (or
//! until nothing more can happen), then print the trace in the chosen [`Output`]. Every view is
//! read from the trace and the engine's Events; none computes a status of its own.

use std::path::Path;
use std::process::ExitCode;

use k8s_openapi::api::core::v1::Pod;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{ActionReply, Engine};
use podplay_engine::scenario::Scenario;
use podplay_engine::time::Time;
use podplay_engine::view::trace::{event_record, events_table, watch_table};
use podplay_engine::view::{describe_pod, format_table, pod_row, EventRecord, PodRow};

use crate::{input, output};

/// How `podplay run` prints the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Like `kubectl get pods -w`: a row each time a pod's row changes, led by the virtual time
    /// (T); a pod leaving the API prints its last row once more, as kubectl's watch does.
    Watch,
    /// Like `kubectl get events` at the end: LAST SEEN (the virtual time of the last
    /// occurrence), TYPE, REASON, OBJECT, MESSAGE.
    Events,
    /// `kubectl describe pod` for every pod at the end.
    Describe,
    /// `kubectl get pods` at the end.
    Get,
    /// One JSON object per line, in time order: Event, Pod, PodDeleted, Log and Exec records.
    Jsonl,
    /// The containers' output as `kubectl logs --prefix` prints it, and each exec with what it
    /// printed, led by the virtual time.
    Logs,
}

/// Which runtime runs the containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeKind {
    /// The in-process runtime in virtual time (podplay-mock): images, a busybox-like shell,
    /// pod volumes and a network namespace per pod.
    Mock,
    /// The local Docker engine (DOCKER_HOST or the default socket), in real time: the pod
    /// runs as a sandbox container and its containers, and everything podplay made is removed
    /// at the end, on error and on Ctrl-C.
    #[cfg(feature = "docker")]
    Docker,
}

/// What a run left for the views: the engine at the end, its trace, the API server's replies,
/// and whether it went quiet (and when).
pub struct Outcome<'a> {
    pub engine: &'a Engine,
    pub trace: &'a [Record],
    pub replies: &'a [(Time, ActionReply)],
    /// `Some(t)`: nothing more could happen after `t`; `None`: the run was cut at its end.
    pub quiet_at: Option<Time>,
    pub end: Time,
}

/// `--for`: a Go duration such as `90s`, `2m` or `1m30s`.
pub fn parse_for(s: &str) -> Result<Time, String> {
    let d = podplay_engine::go::parse_duration(s)
        .ok_or_else(|| "not a duration such as \"90s\", \"2m\" or \"1m30s\"".to_string())?;
    u64::try_from(d.as_millis())
        .map(Time::from_millis)
        .map_err(|_| "a duration cannot be negative".to_string())
}

pub fn run(file: &Path, options: RunOptions, output: Output) -> ExitCode {
    let source = input::source_name(file);
    let text = match input::read(file) {
        Ok(text) => text,
        Err(e) => return fail(&e),
    };
    let scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => return fail(&format!("error parsing {source}: {e}")),
    };
    let end = options.for_.unwrap_or_else(|| scenario.run_for());
    let config = podplay_engine::lifecycle::Config {
        seed: options.seed,
        ..Default::default()
    };
    match options.runtime {
        RuntimeKind::Mock => {
            let mut sim = scenario.simulation(config, podplay_mock::MockRuntime::new(options.seed));
            if let Err(e) = sim.run_until(end) {
                return fail(&e.to_string());
            }
            // A run that went quiet ended when the last thing happened.
            let quiet_at = sim.is_quiet().then(|| {
                let last_record = sim.trace().last().map(Record::time);
                let last_step = sim.replies.last().map(|(t, _)| *t);
                last_record.max(last_step).unwrap_or(Time::ZERO)
            });
            let outcome = Outcome {
                engine: &sim.engine,
                trace: sim.trace(),
                replies: &sim.replies,
                quiet_at,
                end,
            };
            render(&outcome, output)
        }
        #[cfg(feature = "docker")]
        RuntimeKind::Docker => crate::docker::run(&scenario, config, &options, end, output),
    }
}

/// How `podplay run` runs.
pub struct RunOptions {
    pub for_: Option<Time>,
    pub seed: u64,
    pub runtime: RuntimeKind,
    /// Docker only: run pods that reach the host.
    pub allow_host_access: bool,
}

/// Prints a finished run in the chosen view; exit 1 if the API server refused a step.
pub fn render(outcome: &Outcome, output: Output) -> ExitCode {
    let mut refused = false;
    for (t, reply) in outcome.replies {
        if let ActionReply::Refused(message) = reply {
            output::err(&format!("at {t}: {message}"));
            refused = true;
        }
    }
    // A run that went quiet ended when the last thing happened; the end views are taken then.
    let ended = outcome.quiet_at.unwrap_or(outcome.end);
    let clock = outcome.engine.clock();
    let trace = outcome.trace;
    let pods: Vec<&Pod> = outcome.engine.pods().collect();
    let events = outcome.engine.events();
    match output {
        Output::Watch => output::out(&watch_table(trace, clock)),
        Output::Logs => output::out(&podplay_engine::view::trace::logs_text(trace)),
        Output::Jsonl => {
            let mut out = String::new();
            for r in trace {
                out.push_str(&r.to_json_line());
                out.push('\n');
            }
            output::out(&out);
        }
        Output::Events => {
            let table = events_table(events, clock);
            if table.is_empty() {
                output::err("No resources found in default namespace.");
            }
            output::out(&table);
        }
        Output::Get => {
            if pods.is_empty() {
                output::err("No resources found in default namespace.");
            } else {
                let now = clock.timestamp(ended);
                let rows: Vec<PodRow> = pods.iter().map(|p| pod_row(p, now)).collect();
                output::out(&format_table(&rows, false));
            }
            report_gone(trace);
        }
        Output::Describe => {
            let now = clock.timestamp(ended);
            let mut out = String::new();
            for (i, pod) in pods.iter().enumerate() {
                if i > 0 {
                    out.push_str("\n\n");
                }
                let uid = pod.metadata.uid.as_deref().unwrap_or_default();
                let records: Vec<EventRecord> = events
                    .iter()
                    .filter(|e| e.object_uid == uid)
                    .map(|e| event_record(e, clock))
                    .collect();
                out.push_str(&describe_pod(pod, &records, now));
            }
            output::out(&out);
            report_gone(trace);
        }
    }
    if refused {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn fail(message: &str) -> ExitCode {
    output::err(&format!("error: {message}"));
    ExitCode::FAILURE
}

/// For every pod that left the API during the run, what `kubectl get pod NAME` would answer at
/// the end, with when it went.
fn report_gone(trace: &[Record]) {
    for r in trace {
        if let Record::PodDeleted { t, name, .. } = r {
            output::err(&format!(
                "Error from server (NotFound): pods \"{name}\" not found (deleted at {t})"
            ));
        }
    }
}
