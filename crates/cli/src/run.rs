//! `podplay run`: a scenario (or plain manifests) run in virtual time, shown as kubectl would
//! show it.
//!
//! Start at [`run`]: read the file, [`Scenario::parse`] it, run its simulation until `--for` (or
//! until nothing more can happen), then print the trace in the chosen [`Output`]. Every view is
//! read from the trace and the engine's Events; none computes a status of its own.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use k8s_openapi::api::core::v1::Pod;
use podplay_engine::lifecycle::events::Event;
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::ActionReply;
use podplay_engine::scenario::Scenario;
use podplay_engine::time::{Clock, Time};
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
}

/// Which runtime runs the containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeKind {
    /// The in-process runtime in virtual time. Until the mock runtime lands, a small scripted
    /// runtime stands in for it: it knows `sleep`, `echo`, `exit`, `trap ... TERM` and endless
    /// loops, but has no files, network or shell beyond those.
    Mock,
}

/// `--for`: a Go duration such as `90s`, `2m` or `1m30s`.
pub fn parse_for(s: &str) -> Result<Time, String> {
    let d = podplay_engine::go::parse_duration(s)
        .ok_or_else(|| "not a duration such as \"90s\", \"2m\" or \"1m30s\"".to_string())?;
    u64::try_from(d.as_millis())
        .map(Time::from_millis)
        .map_err(|_| "a duration cannot be negative".to_string())
}

pub fn run(
    file: &Path,
    for_: Option<Time>,
    seed: u64,
    runtime: RuntimeKind,
    output: Output,
) -> ExitCode {
    let RuntimeKind::Mock = runtime;
    let source = input::source_name(file);
    let text = match input::read(file) {
        Ok(text) => text,
        Err(e) => return fail(&e),
    };
    let scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => return fail(&format!("error parsing {source}: {e}")),
    };
    let end = for_.unwrap_or_else(|| scenario.run_for());
    let mut sim = scenario.into_simulation(seed);
    if let Err(e) = sim.run_until(end) {
        return fail(&e.to_string());
    }

    let mut refused = false;
    for (t, reply) in &sim.replies {
        if let ActionReply::Refused(message) = reply {
            output::err(&format!("at {t}: {message}"));
            refused = true;
        }
    }
    // A run that went quiet ended when the last thing happened; the end views are taken then.
    let ended = if sim.is_quiet() {
        let last_record = sim.trace().last().map(Record::time);
        let last_step = sim.replies.last().map(|(t, _)| *t);
        last_record.max(last_step).unwrap_or(Time::ZERO)
    } else {
        end
    };
    let clock = sim.engine.clock();
    let trace = sim.trace();
    let pods: Vec<&Pod> = sim.engine.pods().collect();
    let events = sim.engine.events();
    match output {
        Output::Watch => output::out(&watch(trace, clock)),
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

fn fail(message: &str) -> ExitCode {
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

/// The `kubectl get pods -w` story: a row each time a pod's NAME, READY, STATUS or restart
/// count changes (AGE and the "(5s ago)" of RESTARTS move with the clock alone), led by the
/// virtual time.
fn watch(trace: &[Record], clock: Clock) -> String {
    let mut rows: Vec<(Time, PodRow)> = Vec::new();
    let mut last: BTreeMap<(String, String), (Box<Pod>, PodRow)> = BTreeMap::new();
    let key_of = |row: &PodRow| {
        (
            row.ready.clone(),
            row.status.clone(),
            row.restarts
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string(),
        )
    };
    for r in trace {
        match r {
            Record::Pod { t, pod } => {
                let id = (
                    pod.metadata.namespace.clone().unwrap_or_default(),
                    pod.metadata.name.clone().unwrap_or_default(),
                );
                let full = pod.to_pod();
                let row = pod_row(&full, clock.timestamp(*t));
                let changed = last
                    .get(&id)
                    .is_none_or(|(_, before)| key_of(before) != key_of(&row));
                if changed {
                    rows.push((*t, row.clone()));
                }
                last.insert(id, (Box::new(full), row));
            }
            Record::PodDeleted { t, namespace, name } => {
                if let Some((pod, _)) = last.remove(&(namespace.clone(), name.clone())) {
                    rows.push((*t, pod_row(&pod, clock.timestamp(*t))));
                }
            }
            _ => {}
        }
    }
    if rows.is_empty() {
        return String::new();
    }
    let pod_rows: Vec<PodRow> = rows.iter().map(|(_, r)| r.clone()).collect();
    let table = format_table(&pod_rows, false);
    let times: Vec<String> = std::iter::once("T".to_string())
        .chain(rows.iter().map(|(t, _)| t.to_string()))
        .collect();
    let width = column_width(times.iter().map(String::as_str));
    let mut out = String::new();
    for (t, line) in times.iter().zip(table.lines()) {
        out.push_str(&format!("{t:<width$}{line}\n"));
    }
    out
}

/// The width kubectl's tabwriter gives a column: its widest cell plus 3, at least 6.
fn column_width<'a>(cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .map(|c| c.chars().count() + 3)
        .max()
        .unwrap_or(0)
        .max(6)
}

/// Rows laid out as kubectl's table printer lays them (every column but the last padded to
/// [`column_width`]).
fn table(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|k| column_width(rows.iter().map(|r| r[k].as_str())))
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (k, cell) in row.iter().enumerate() {
            if k + 1 == columns {
                line.push_str(cell);
            } else {
                let pad = widths[k] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `kubectl get events`: the columns of `printEvent` (pkg/printers/internalversion/printers.go)
/// without `-o wide`: LAST SEEN, TYPE, REASON, OBJECT (`pod/web`, the kind in lower case),
/// MESSAGE (trimmed); with NAMESPACE first when the events span namespaces, as `-A` prints.
/// LAST SEEN is the virtual time of the last occurrence rather than an age. Rows come in the
/// API server's list order: by namespace, then Event name, which client-go makes
/// `<object name>.<first time in Unix nanoseconds, hex>`.
fn events_table(events: &[Event], clock: Clock) -> String {
    if events.is_empty() {
        return String::new();
    }
    let name_of = |e: &Event| {
        let object = e
            .object
            .split_once('/')
            .map_or(e.object.as_str(), |(_, n)| n);
        let nanos = clock.precise_timestamp(e.first).as_nanosecond();
        format!("{object}.{nanos:x}")
    };
    let mut sorted: Vec<(String, String, &Event)> = events
        .iter()
        .map(|e| (e.namespace.clone(), name_of(e), e))
        .collect();
    sorted.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let all_namespaces = sorted.iter().any(|(ns, _, _)| *ns != sorted[0].0);
    let mut header = vec!["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
    if all_namespaces {
        header.insert(0, "NAMESPACE");
    }
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for (ns, _, e) in sorted {
        let object = match e.object.split_once('/') {
            Some((kind, name)) => format!("{}/{name}", kind.to_lowercase()),
            None => e.object.to_lowercase(),
        };
        let mut row = vec![
            e.last.to_string(),
            e.type_.to_string(),
            e.reason.clone(),
            object,
            e.message.trim().to_string(),
        ];
        if all_namespaces {
            row.insert(0, ns);
        }
        rows.push(row);
    }
    table(&rows)
}

/// An engine Event as `kubectl describe` reads it: timestamps in whole seconds (`metav1.Time`).
fn event_record(e: &Event, clock: Clock) -> EventRecord {
    EventRecord {
        type_: e.type_.to_string(),
        reason: e.reason.clone(),
        source: e.source.to_string(),
        message: e.message.clone(),
        first_timestamp: Some(clock.timestamp(e.first)),
        last_timestamp: Some(clock.timestamp(e.last)),
        count: i32::try_from(e.count).unwrap_or(i32::MAX),
    }
}
