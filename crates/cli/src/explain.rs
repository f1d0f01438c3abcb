//! `podplay explain`: why a pod (as `kubectl get pod -o yaml` prints it) is in its state.

use std::path::Path;
use std::process::ExitCode;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use podplay_engine::api::Object;
use podplay_engine::explain::{explain_pod, Explanation};
use podplay_engine::view::{format_table, pod_row};

use crate::{input, output};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// The kubectl row, a describe-like summary and the reasons, for people.
    Text,
    /// One JSON object: name, ready, status, restarts, age, phase, conditions, explanation.
    Json,
}

pub fn run(file: &Path, now: Option<Timestamp>, output: Output) -> ExitCode {
    // The wall clock is read here, at the edge; the engine only ever gets `now` as an input.
    let now = now.unwrap_or_else(wall_clock);
    let source = input::source_name(file);
    let text = match input::read(file) {
        Ok(text) => text,
        Err(e) => return fail(&e),
    };
    let manifests = match podplay_engine::api::parse(&text) {
        Ok(m) => m,
        Err(e) => return fail(&format!("error parsing {source}: {e}")),
    };
    let pods: Vec<&Pod> = manifests
        .iter()
        .filter_map(|m| match &m.object {
            Object::Pod(p) => Some(p.as_ref()),
            _ => None,
        })
        .collect();
    match (pods.as_slice(), output) {
        ([], _) => fail(&format!(
            "{source} holds no Pod: explain reads a pod as `kubectl get pod -o yaml` prints it"
        )),
        ([pod], Output::Json) => {
            let explanation = explain_pod(pod, now);
            match serde_json::to_string_pretty(&explanation) {
                Ok(json) => {
                    output::out(&format!("{json}\n"));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&format!("cannot write JSON: {e}")),
            }
        }
        (many, Output::Json) => fail(&format!(
            "{source} holds {} pods; --output json explains exactly one",
            many.len()
        )),
        (pods, Output::Text) => {
            let mut out = String::new();
            for (i, pod) in pods.iter().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&render_text(pod, &explain_pod(pod, now), now));
            }
            output::out(&out);
            ExitCode::SUCCESS
        }
    }
}

fn wall_clock() -> Timestamp {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_nanosecond(since_epoch.as_nanos() as i128).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `--now`: an RFC 3339 time such as `2026-01-01T12:00:00Z`.
pub fn parse_now(s: &str) -> Result<Timestamp, String> {
    s.parse::<Timestamp>()
        .map_err(|e| format!("not an RFC 3339 time ({e})"))
}

fn fail(message: &str) -> ExitCode {
    output::err(&format!("error: {message}"));
    ExitCode::FAILURE
}

/// The kubectl row, the recomputed phase and conditions in describe's layout, then the reasons.
fn render_text(pod: &Pod, e: &Explanation, now: Timestamp) -> String {
    let mut out = format_table(&[pod_row(pod, now)], false);
    let given = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("");
    out.push('\n');
    if given == e.phase || given.is_empty() {
        out.push_str(&format!("Phase:  {}\n", e.phase));
    } else {
        out.push_str(&format!("Phase:  {} (status says {given})\n", e.phase));
    }
    out.push_str("Conditions:\n");
    let width = e
        .conditions
        .iter()
        .map(|c| c.r#type.len())
        .max()
        .unwrap_or(4)
        .max(4);
    out.push_str(&format!("  {:width$}   Status\n", "Type"));
    out.push_str(&format!("  {:width$}   ------\n", "----"));
    for c in &e.conditions {
        let reason = c
            .reason
            .as_deref()
            .map(|r| format!("   {r}"))
            .unwrap_or_default();
        out.push_str(&format!("  {:width$}   {}{reason}\n", c.r#type, c.status));
    }
    out.push_str("\nWhy:\n");
    for reason in &e.explanation {
        out.push_str(&format!("  - {reason}\n"));
    }
    out
}
