//! Views of a run's trace, as kubectl would show the same cluster: `kubectl get pods -w` rows led
//! by the virtual time ([`watch_table`]) and `kubectl get events` ([`events_table`]). The CLI's
//! `podplay run` and the playground print these; neither computes a status of its own.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::{format_table, pod_row, EventRecord, PodRow};
use crate::lifecycle::events::Event;
use crate::lifecycle::trace::Record;
use crate::time::{Clock, Time};

/// The `kubectl get pods -w` story: a row each time a pod's NAME, READY, STATUS or restart
/// count changes (AGE and the "(5s ago)" of RESTARTS move with the clock alone), led by the
/// virtual time.
pub fn watch_table(trace: &[Record], clock: Clock) -> String {
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
pub fn events_table(events: &[Event], clock: Clock) -> String {
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
pub fn event_record(e: &Event, clock: Clock) -> EventRecord {
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

/// The containers' output and the execs of a run, in time order, each line led by its virtual
/// time: log lines as `kubectl logs --prefix` prints them (`[pod/web/nginx] ...`), an exec as the
/// command a user would type followed by what it printed and, when it failed, its exit code.
pub fn logs_text(trace: &[Record]) -> String {
    let mut out = String::new();
    for r in trace {
        match r {
            Record::Log {
                t,
                pod,
                container,
                line,
            } => out.push_str(&format!(
                "{:<8} [pod/{pod}/{container}] {line}\n",
                t.to_string()
            )),
            Record::Exec {
                t,
                pod,
                container,
                command,
                exit_code,
                output,
            } => {
                out.push_str(&format!(
                    "{:<8} $ kubectl exec {pod} -c {container} -- {}\n",
                    t.to_string(),
                    command.join(" ")
                ));
                for line in output.lines() {
                    out.push_str(&format!("{:<8} {line}\n", ""));
                }
                if *exit_code != 0 {
                    out.push_str(&format!(
                        "{:<8} command terminated with exit code {exit_code}\n",
                        ""
                    ));
                }
            }
            _ => {}
        }
    }
    out
}
