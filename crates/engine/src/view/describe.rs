//! `kubectl describe pod`: the long, sectioned report with containers, conditions, volumes and the
//! Events table.
//!
//! Start at [`describe_pod`], which mirrors `describePod` in
//! staging/src/k8s.io/kubectl/pkg/describe/describe.go; each private helper below names the Go
//! function it mirrors. Text goes through a [`PrefixWriter`] (two spaces per level, terminal
//! escapes neutralised) into the same tabwriter settings as kubectl's `tabbedString`
//! (minimum width 0, padding 2), so column blocks line up exactly as kubectl's do.
//!
//! Times print as kubectl's `RFC1123Z` layout in UTC (`Mon, 02 Jan 2006 15:04:05 +0000`): kubectl
//! uses the local zone of the machine it runs on, and podplay's machine is always in UTC.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerState, ContainerStatus, EnvVar, Pod, Probe,
    ResourceRequirements, Toleration, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::jiff::{civil::Weekday, tz::Offset, Timestamp};

use super::duration::since;
use super::get::escape_terminal;
use super::qos::pod_qos;

/// A quantity in nano-units, `None` when it does not parse.
fn parse_quantity_nanos(text: &str) -> Option<i128> {
    crate::quantity::Quantity::parse(text).map(|q| q.nanos())
}
use super::tabwriter::TabWriter;
use crate::go::quote as go_quote;

/// One event about the pod, as the Events table of `kubectl describe` needs it (a flattened
/// `core/v1.Event`). The lifecycle engine produces these.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventRecord {
    /// `Normal` or `Warning`.
    pub type_: String,
    /// CamelCase reason, e.g. `Scheduled`, `Pulled`, `BackOff`.
    pub reason: String,
    /// The `From` column: `source.component` (e.g. `kubelet`, `default-scheduler`), or the
    /// reporting controller when the source is empty.
    pub source: String,
    pub message: String,
    pub first_timestamp: Option<Timestamp>,
    pub last_timestamp: Option<Timestamp>,
    /// How many times the event was seen; above 1 the Age reads `20s (x3 over 2m)`.
    pub count: i32,
}

const LEVEL_0: usize = 0;
const LEVEL_1: usize = 1;
const LEVEL_2: usize = 2;
const LEVEL_3: usize = 3;

/// `maxAnnotationLen` in describe.go.
const MAX_ANNOTATION_LEN: usize = 140;

/// `skipAnnotations`: kubectl never shows the last-applied configuration.
const LAST_APPLIED_CONFIG_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Mirrors `prefixWriter` in describe.go: `write` prefixes two spaces per level, and everything
/// passes through `printers.WriteEscaped` into a tabwriter configured as `tabbedString` does.
struct PrefixWriter {
    out: TabWriter,
}

impl PrefixWriter {
    fn new() -> Self {
        // tabbedString: out.Init(buf, 0, 8, 2, ' ', 0)
        PrefixWriter {
            out: TabWriter::new(0, 2),
        }
    }

    fn write(&mut self, level: usize, text: &str) {
        let mut line = "  ".repeat(level);
        line.push_str(text);
        self.out.write(&escape_terminal(&line));
    }

    /// `WriteLine`: the text and a newline (`fmt.Sprintln`), with no indentation.
    fn write_line(&mut self, text: &str) {
        self.out.write(&escape_terminal(&format!("{text}\n")));
    }

    fn flush(&mut self) {
        self.out.flush();
    }

    fn finish(self) -> String {
        self.out.finish()
    }
}

/// Go's `time.RFC1123Z` layout, `Mon, 02 Jan 2006 15:04:05 -0700`, in UTC.
pub fn format_rfc1123z(t: Timestamp) -> String {
    let dt = Offset::UTC.to_datetime(t);
    let weekday = match dt.weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = usize::try_from(dt.month() - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} +0000",
        dt.day(),
        dt.year(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// A possibly-missing `metav1.Time` formatted as Go formats it; a missing one is Go's zero time.
fn format_time(t: Option<Timestamp>) -> String {
    match t {
        Some(t) => format_rfc1123z(t),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
    }
}

fn or_empty(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// `printBool`: `True` or `False`.
fn print_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// `stringOrNone`.
fn string_or_none(s: &str) -> &str {
    if s.is_empty() {
        "<none>"
    } else {
        s
    }
}

/// Writes the `kubectl describe pod` report for `pod` with its `events`, ages measured at `now`.
///
/// Mirrors `describePod` in staging/src/k8s.io/kubectl/pkg/describe/describe.go, in its order:
/// Name, Namespace, Priority, Priority Class Name, Runtime Class Name, Service Account, Node,
/// Start Time, Labels, Annotations, Status (or `Terminating (lasts …)` with the grace period),
/// Reason, Message, SeccompProfile, IP, IPs, Controlled By, NominatedNodeName, pod-level
/// Resources, Init Containers, Containers, Readiness Gates, Conditions, Volumes, QoS Class,
/// Node-Selectors, Tolerations and Events.
///
/// Not reproduced (rare in a playground): Ephemeral Containers, Topology Spread Constraints,
/// and the volume types other than hostPath, emptyDir, secret, configMap, nfs,
/// persistentVolumeClaim, downwardAPI, projected, csi, image and ephemeral (whose claim template
/// is not detailed); those print kubectl's `<unknown>` line.
pub fn describe_pod(pod: &Pod, events: &[EventRecord], now: Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let meta = &pod.metadata;
    let empty_spec = Default::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty_spec);
    let empty_status = Default::default();
    let status = pod.status.as_ref().unwrap_or(&empty_status);

    w.write(LEVEL_0, &format!("Name:\t{}\n", or_empty(&meta.name)));
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", or_empty(&meta.namespace)),
    );
    if let Some(priority) = spec.priority {
        w.write(LEVEL_0, &format!("Priority:\t{priority}\n"));
    }
    if let Some(name) = spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w.write(LEVEL_0, &format!("Priority Class Name:\t{name}\n"));
    }
    if let Some(name) = spec.runtime_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Runtime Class Name:\t{name}\n"));
    }
    if let Some(sa) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w.write(LEVEL_0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        None => w.write(LEVEL_0, "Node:\t<none>\n"),
        Some(node) => w.write(
            LEVEL_0,
            &format!("Node:\t{node}/{}\n", or_empty(&status.host_ip)),
        ),
    }
    if let Some(start) = &status.start_time {
        w.write(
            LEVEL_0,
            &format!("Start Time:\t{}\n", format_rfc1123z(start.0)),
        );
    }
    print_labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    let phase = or_empty(&status.phase);
    match &meta.deletion_timestamp {
        Some(deleted) if phase != "Failed" && phase != "Succeeded" => {
            w.write(
                LEVEL_0,
                &format!(
                    "Status:\tTerminating (lasts {})\n",
                    since(Some(deleted.0), now)
                ),
            );
            w.write(
                LEVEL_0,
                &format!(
                    "Termination Grace Period:\t{}s\n",
                    meta.deletion_grace_period_seconds.unwrap_or(0)
                ),
            );
        }
        _ => w.write(LEVEL_0, &format!("Status:\t{phase}\n")),
    }
    if let Some(reason) = status.reason.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Reason:\t{reason}\n"));
    }
    if let Some(message) = status.message.as_deref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Message:\t{message}\n"));
    }
    if let Some(profile) = spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref())
    {
        w.write(LEVEL_0, &format!("SeccompProfile:\t{}\n", profile.type_));
        if profile.type_ == "Localhost" {
            w.write(
                LEVEL_0,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    or_empty(&profile.localhost_profile)
                ),
            );
        }
    }
    // "remove when .IP field is deprecated"
    w.write(LEVEL_0, &format!("IP:\t{}\n", or_empty(&status.pod_ip)));
    describe_pod_ips(&mut w, status.pod_ips.as_deref().unwrap_or_default());
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
    {
        w.write(
            LEVEL_0,
            &format!("Controlled By:\t{}/{}\n", owner.kind, owner.name),
        );
    }
    if let Some(nominated) = status
        .nominated_node_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        w.write(LEVEL_0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if let Some(resources) = &spec.resources {
        w.write(LEVEL_0, "Resources:\n");
        describe_resources(&mut w, resources, LEVEL_1);
    }

    let resolver = EnvResolver { pod };
    let init_containers = spec.init_containers.as_deref().unwrap_or_default();
    if !init_containers.is_empty() {
        describe_containers(
            &mut w,
            "Init Containers",
            init_containers,
            status
                .init_container_statuses
                .as_deref()
                .unwrap_or_default(),
            &resolver,
        );
    }
    describe_containers(
        &mut w,
        "Containers",
        &spec.containers,
        status.container_statuses.as_deref().unwrap_or_default(),
        &resolver,
    );

    let conditions = status.conditions.as_deref().unwrap_or_default();
    let gates = spec.readiness_gates.as_deref().unwrap_or_default();
    if !gates.is_empty() {
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for gate in gates {
            let status = conditions
                .iter()
                .find(|c| c.type_ == gate.condition_type)
                .map_or("<none>", |c| c.status.as_str());
            w.write(LEVEL_1, &format!("{} \t{} \n", gate.condition_type, status));
        }
    }
    if !conditions.is_empty() {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            w.write(LEVEL_1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut w, spec.volumes.as_deref().unwrap_or_default());
    w.write(LEVEL_0, &format!("QoS Class:\t{}\n", pod_qos(pod)));
    print_labels_multiline(&mut w, "Node-Selectors", spec.node_selector.as_ref());
    print_pod_tolerations_multiline(
        &mut w,
        "Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
    describe_events(&mut w, events, now);
    w.finish()
}

/// Mirrors `describePodIPs`.
fn describe_pod_ips(w: &mut PrefixWriter, ips: &[k8s_openapi::api::core::v1::PodIP]) {
    if ips.is_empty() {
        w.write(LEVEL_0, "IPs:\t<none>\n");
        return;
    }
    w.write(LEVEL_0, "IPs:\n");
    for ip in ips {
        w.write(LEVEL_1, &format!("IP:\t{}\n", ip.ip));
    }
}

/// Mirrors `printLabelsMultilineWithIndent` with no initial indent and a tab as inner indent.
fn print_labels_multiline(
    w: &mut PrefixWriter,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let labels = match labels {
        Some(l) if !l.is_empty() => l,
        _ => {
            w.write_line("<none>");
            return;
        }
    };
    // BTreeMap iterates in sorted key order, as sort.Strings orders them.
    for (i, (key, value)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "");
            w.write(LEVEL_0, "\t");
        }
        w.write(LEVEL_0, &format!("{key}={value}\n"));
    }
}

/// Mirrors `shorten`: the first `max` bytes and `...` (cut on a character boundary here).
fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Mirrors `printAnnotationsMultiline`: sorted keys, the last-applied configuration skipped, long
/// or multi-line values broken onto indented lines of at most 138 bytes.
fn print_annotations_multiline(
    w: &mut PrefixWriter,
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    let keys: Vec<&String> = annotations
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
        .filter(|k| k.as_str() != LAST_APPLIED_CONFIG_ANNOTATION)
        .collect();
    let Some(annotations) = annotations.filter(|_| !keys.is_empty()) else {
        w.write_line("<none>");
        return;
    };
    let indent = "\t";
    for (i, key) in keys.into_iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, indent);
        }
        let raw = annotations.get(key).map(String::as_str).unwrap_or("");
        let value = raw.strip_suffix('\n').unwrap_or(raw);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(LEVEL_0, &format!("{key}:\n"));
            for s in value.split('\n') {
                w.write(
                    LEVEL_0,
                    &format!("{indent}  {}\n", shorten(s, MAX_ANNOTATION_LEN - 2)),
                );
            }
        } else {
            w.write(LEVEL_0, &format!("{key}: {value}\n"));
        }
    }
}

/// Mirrors `printTolerationsMultilineWithIndent`: sorted by key, `key=value:Effect`, the
/// `op=Exists` marker, and `for <n>s`.
fn print_pod_tolerations_multiline(w: &mut PrefixWriter, title: &str, tolerations: &[Toleration]) {
    w.write(LEVEL_0, &format!("{title}:\t"));
    if tolerations.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    sorted.sort_by(|a, b| or_empty(&a.key).cmp(or_empty(&b.key)));
    for (i, t) in sorted.into_iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, "");
            w.write(LEVEL_0, "\t");
        }
        let key = or_empty(&t.key);
        let value = or_empty(&t.value);
        let effect = or_empty(&t.effect);
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            line.push_str(&format!(":{effect}"));
        }
        // `operator: Exists` with no value tolerates everything.
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                line.push_str(" op=Exists");
            } else {
                line.push_str("op=Exists");
            }
        }
        if let Some(seconds) = t.toleration_seconds {
            line.push_str(&format!(" for {seconds}s"));
        }
        line.push('\n');
        w.write(LEVEL_0, &line);
    }
}

/// Mirrors `describeResources`: Limits then Requests, each sorted by resource name.
fn describe_resources(w: &mut PrefixWriter, resources: &ResourceRequirements, level: usize) {
    let sections: [(&str, Option<&BTreeMap<String, Quantity>>); 2] = [
        ("Limits", resources.limits.as_ref()),
        ("Requests", resources.requests.as_ref()),
    ];
    for (title, list) in sections {
        let Some(list) = list.filter(|l| !l.is_empty()) else {
            continue;
        };
        w.write(level, &format!("{title}:\n"));
        for (name, quantity) in list {
            w.write(level + 1, &format!("{name}:\t{}\n", quantity.0));
        }
    }
}

/// Resolves `fieldRef` environment variables as kubectl's `EnvValueRetriever` does: kubectl's
/// scheme only converts `metadata.name` and `metadata.namespace` field labels for pods, so every
/// other field path resolves to the empty string.
struct EnvResolver<'a> {
    pod: &'a Pod,
}

impl EnvResolver<'_> {
    fn resolve(&self, field_path: &str) -> String {
        match field_path {
            "metadata.name" => self.pod.metadata.name.clone().unwrap_or_default(),
            "metadata.namespace" => self.pod.metadata.namespace.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// Mirrors `describeContainers` (with `space == ""`).
fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &[Container],
    statuses: &[ContainerStatus],
    resolver: &EnvResolver<'_>,
) {
    // A map by name, as Go's: with duplicate names the last status wins.
    let statuses: BTreeMap<&str, &ContainerStatus> =
        statuses.iter().map(|s| (s.name.as_str(), s)).collect();
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(LEVEL_0, &format!("{label}:{none}\n"));
    for container in containers {
        let status = statuses.get(container.name.as_str()).copied();
        describe_container_basic_info(w, container, status);
        describe_container_command(w, container);
        if let Some(status) = status {
            describe_container_state(w, status);
        }
        describe_resources(
            w,
            container.resources.as_ref().unwrap_or(&Default::default()),
            LEVEL_2,
        );
        describe_container_probe(w, container);
        if container.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
            describe_container_env_from(w, container);
        }
        describe_container_env_vars(w, container, resolver);
        describe_container_volumes(w, container);
    }
}

/// Mirrors `describeContainerPorts` (`host == false`) and `describeContainerHostPorts`.
fn describe_ports(ports: &[ContainerPort], host: bool) -> String {
    ports
        .iter()
        .map(|p| {
            let port = if host {
                p.host_port.unwrap_or(0)
            } else {
                p.container_port
            };
            format!("{port}/{}", or_empty(&p.protocol))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Mirrors `describeContainerBasicInfo`.
fn describe_container_basic_info(
    w: &mut PrefixWriter,
    container: &Container,
    status: Option<&ContainerStatus>,
) {
    w.write(LEVEL_1, &format!("{}:\n", container.name));
    if let Some(status) = status {
        w.write(
            LEVEL_2,
            &format!("Container ID:\t{}\n", or_empty(&status.container_id)),
        );
    }
    w.write(
        LEVEL_2,
        &format!("Image:\t{}\n", or_empty(&container.image)),
    );
    if let Some(status) = status {
        w.write(LEVEL_2, &format!("Image ID:\t{}\n", status.image_id));
    }
    let ports = container.ports.as_deref().unwrap_or_default();
    let port_string = describe_ports(ports, false);
    if port_string.contains(',') {
        w.write(LEVEL_2, &format!("Ports:\t{port_string}\n"));
    } else {
        w.write(
            LEVEL_2,
            &format!("Port:\t{}\n", string_or_none(&port_string)),
        );
    }
    let host_port_string = describe_ports(ports, true);
    if host_port_string.contains(',') {
        w.write(LEVEL_2, &format!("Host Ports:\t{host_port_string}\n"));
    } else {
        w.write(
            LEVEL_2,
            &format!("Host Port:\t{}\n", string_or_none(&host_port_string)),
        );
    }
    if let Some(profile) = container
        .security_context
        .as_ref()
        .and_then(|sc| sc.seccomp_profile.as_ref())
    {
        w.write(LEVEL_2, &format!("SeccompProfile:\t{}\n", profile.type_));
        if profile.type_ == "Localhost" {
            w.write(
                LEVEL_3,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    or_empty(&profile.localhost_profile)
                ),
            );
        }
    }
}

/// Mirrors `describeContainerCommand`: one line per line of each command and argument.
fn describe_container_command(w: &mut PrefixWriter, container: &Container) {
    for (title, items) in [("Command", &container.command), ("Args", &container.args)] {
        let Some(items) = items.as_ref().filter(|i| !i.is_empty()) else {
            continue;
        };
        w.write(LEVEL_2, &format!("{title}:\n"));
        for item in items {
            for s in item.split('\n') {
                w.write(LEVEL_3, &format!("{s}\n"));
            }
        }
    }
}

/// Mirrors `describeContainerState`: State, Last State (when it terminated), Ready, Restart Count.
fn describe_container_state(w: &mut PrefixWriter, status: &ContainerStatus) {
    describe_status(w, "State", status.state.as_ref());
    if let Some(last) = status
        .last_state
        .as_ref()
        .filter(|s| s.terminated.is_some())
    {
        describe_status(w, "Last State", Some(last));
    }
    w.write(LEVEL_2, &format!("Ready:\t{}\n", print_bool(status.ready)));
    w.write(
        LEVEL_2,
        &format!("Restart Count:\t{}\n", status.restart_count),
    );
}

/// Mirrors `describeStatus`: Running with Started; Waiting with Reason; Terminated with Reason,
/// Message, Exit Code, Signal, Started and Finished; an empty state reads Waiting.
fn describe_status(w: &mut PrefixWriter, state_name: &str, state: Option<&ContainerState>) {
    let empty = ContainerState::default();
    let state = state.unwrap_or(&empty);
    if let Some(running) = &state.running {
        w.write(LEVEL_2, &format!("{state_name}:\tRunning\n"));
        w.write(
            LEVEL_3,
            &format!(
                "Started:\t{}\n",
                format_time(running.started_at.as_ref().map(|t| t.0))
            ),
        );
    } else if let Some(waiting) = &state.waiting {
        w.write(LEVEL_2, &format!("{state_name}:\tWaiting\n"));
        if let Some(reason) = waiting.reason.as_deref().filter(|r| !r.is_empty()) {
            w.write(LEVEL_3, &format!("Reason:\t{reason}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.write(LEVEL_2, &format!("{state_name}:\tTerminated\n"));
        if let Some(reason) = t.reason.as_deref().filter(|r| !r.is_empty()) {
            w.write(LEVEL_3, &format!("Reason:\t{reason}\n"));
        }
        if let Some(message) = t.message.as_deref().filter(|m| !m.is_empty()) {
            w.write(LEVEL_3, &format!("Message:\t{message}\n"));
        }
        w.write(LEVEL_3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(signal) = t.signal.filter(|s| *s > 0) {
            w.write(LEVEL_3, &format!("Signal:\t{signal}\n"));
        }
        w.write(
            LEVEL_3,
            &format!(
                "Started:\t{}\n",
                format_time(t.started_at.as_ref().map(|t| t.0))
            ),
        );
        w.write(
            LEVEL_3,
            &format!(
                "Finished:\t{}\n",
                format_time(t.finished_at.as_ref().map(|t| t.0))
            ),
        );
    } else {
        w.write(LEVEL_2, &format!("{state_name}:\tWaiting\n"));
    }
}

/// Mirrors `describeContainerProbe`.
fn describe_container_probe(w: &mut PrefixWriter, container: &Container) {
    for (title, probe) in [
        ("Liveness", &container.liveness_probe),
        ("Readiness", &container.readiness_probe),
        ("Startup", &container.startup_probe),
    ] {
        if let Some(probe) = probe {
            w.write(LEVEL_2, &format!("{title}:\t{}\n", describe_probe(probe)));
        }
    }
}

/// `intstr.IntOrString.String()`.
fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// Go's `net.JoinHostPort`.
fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Go's `url.PathEscape`-style escaping of a URL path (`shouldEscape(c, encodePath)`).
fn escape_url_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b'/'
                    | b':'
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Mirrors `DescribeProbe`: `http-get http://:8080/healthz delay=0s timeout=1s period=10s
/// #success=1 #failure=3` and its exec, tcp-socket and grpc forms.
fn describe_probe(probe: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        probe.initial_delay_seconds.unwrap_or(0),
        probe.timeout_seconds.unwrap_or(0),
        probe.period_seconds.unwrap_or(0),
        probe.success_threshold.unwrap_or(0),
        probe.failure_threshold.unwrap_or(0),
    );
    if let Some(exec) = &probe.exec {
        let command = exec.command.as_deref().unwrap_or_default().join(" ");
        return format!("exec [{command}] {attrs}");
    }
    if let Some(http) = &probe.http_get {
        let scheme = or_empty(&http.scheme).to_lowercase();
        let port = int_or_string(&http.port);
        let host = if port.is_empty() {
            or_empty(&http.host).to_string()
        } else {
            join_host_port(or_empty(&http.host), &port)
        };
        let path = escape_url_path(or_empty(&http.path));
        // url.URL.String()
        let mut url = String::new();
        if !scheme.is_empty() {
            url.push_str(&scheme);
            url.push(':');
        }
        if (!scheme.is_empty() || !host.is_empty()) && (!host.is_empty() || !path.is_empty()) {
            url.push_str("//");
            url.push_str(&host);
        }
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            url.push('/');
        }
        url.push_str(&path);
        return format!("http-get {url} {attrs}");
    }
    if let Some(tcp) = &probe.tcp_socket {
        return format!(
            "tcp-socket {}:{} {attrs}",
            or_empty(&tcp.host),
            int_or_string(&tcp.port)
        );
    }
    if let Some(grpc) = &probe.grpc {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            grpc.port,
            or_empty(&grpc.service)
        );
    }
    format!("unknown {attrs}")
}

/// Mirrors `ExtractContainerResourceValue` for the standard resources: CPU in units of the divisor
/// (rounded up from millicores), memory and ephemeral storage in units of the divisor (rounded
/// up). `None` for resources kubectl cannot resolve.
fn container_resource_value(
    container: &Container,
    resource: &str,
    divisor: Option<&Quantity>,
) -> Option<String> {
    let divisor_nanos = divisor
        .and_then(|d| parse_quantity_nanos(&d.0))
        .filter(|d| *d != 0)
        .unwrap_or(1_000_000_000);
    let (list, name) = resource.split_once('.')?;
    let resources = container.resources.as_ref();
    let list = match list {
        "limits" => resources.and_then(|r| r.limits.as_ref()),
        "requests" => resources.and_then(|r| r.requests.as_ref()),
        _ => return None,
    };
    let value = list
        .and_then(|l| l.get(name))
        .and_then(|q| parse_quantity_nanos(&q.0))
        .unwrap_or(0);
    let ceil_div = |a: i128, b: i128| -> i128 { a.saturating_add(b - 1).div_euclid(b) };
    let result = match name {
        // cpu.MilliValue() / divisor.MilliValue(), rounded up.
        "cpu" => {
            let milli = ceil_div(value, 1_000_000);
            let divisor_milli = ceil_div(divisor_nanos, 1_000_000);
            if divisor_milli == 0 {
                return None;
            }
            ceil_div(milli, divisor_milli)
        }
        // memory.Value() / divisor.Value(), rounded up.
        "memory" | "ephemeral-storage" => {
            let units = ceil_div(value, 1_000_000_000);
            let divisor_units = ceil_div(divisor_nanos, 1_000_000_000);
            if divisor_units == 0 {
                return None;
            }
            ceil_div(units, divisor_units)
        }
        _ => return None,
    };
    Some(result.to_string())
}

/// Mirrors `describeContainerEnvVars`.
fn describe_container_env_vars(
    w: &mut PrefixWriter,
    container: &Container,
    resolver: &EnvResolver<'_>,
) {
    let env: &[EnvVar] = container.env.as_deref().unwrap_or_default();
    let none = if env.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Environment:{none}\n"));
    for e in env {
        let Some(from) = &e.value_from else {
            for (i, s) in or_empty(&e.value).split('\n').enumerate() {
                if i == 0 {
                    w.write(LEVEL_3, &format!("{}:\t{s}\n", e.name));
                } else {
                    w.write(LEVEL_3, &format!("\t{s}\n"));
                }
            }
            continue;
        };
        if let Some(field) = &from.field_ref {
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t{} ({}:{})\n",
                    e.name,
                    resolver.resolve(&field.field_path),
                    or_empty(&field.api_version),
                    field.field_path
                ),
            );
        } else if let Some(field) = &from.resource_field_ref {
            let resource = field.resource.as_str();
            let mut value = container_resource_value(container, resource, field.divisor.as_ref())
                .unwrap_or_default();
            if value == "0" && (resource == "limits.cpu" || resource == "limits.memory") {
                value = "node allocatable".to_string();
            }
            w.write(LEVEL_3, &format!("{}:\t{value} ({resource})\n", e.name));
        } else if let Some(secret) = &from.secret_key_ref {
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    secret.key,
                    secret.name,
                    secret.optional.unwrap_or(false)
                ),
            );
        } else if let Some(cm) = &from.config_map_key_ref {
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    cm.key,
                    cm.name,
                    cm.optional.unwrap_or(false)
                ),
            );
        }
    }
}

/// Mirrors `describeContainerEnvFrom`.
fn describe_container_env_from(w: &mut PrefixWriter, container: &Container) {
    let env_from = container.env_from.as_deref().unwrap_or_default();
    let none = if env_from.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Environment Variables from:{none}\n"));
    for e in env_from {
        let (from, name, optional) = if let Some(cm) = &e.config_map_ref {
            ("ConfigMap", cm.name.as_str(), cm.optional.unwrap_or(false))
        } else if let Some(secret) = &e.secret_ref {
            (
                "Secret",
                secret.name.as_str(),
                secret.optional.unwrap_or(false),
            )
        } else {
            ("", "", false)
        };
        match e.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => w.write(LEVEL_3, &format!("{name}\t{from}\tOptional: {optional}\n")),
            Some(prefix) => w.write(
                LEVEL_3,
                &format!("{name}\t{from} with prefix '{prefix}'\tOptional: {optional}\n"),
            ),
        }
    }
}

/// Mirrors `describeContainerVolumes`: mounts sorted by path, `(ro)`/`(rw)` and the sub-path.
fn describe_container_volumes(w: &mut PrefixWriter, container: &Container) {
    let mut mounts: Vec<_> = container.volume_mounts.iter().flatten().collect();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Mounts:{none}\n"));
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for mount in mounts {
        let mut flags = vec![if mount.read_only == Some(true) {
            "ro"
        } else {
            "rw"
        }
        .to_string()];
        if let Some(sub_path) = mount.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={}", go_quote(sub_path)));
        }
        w.write(
            LEVEL_3,
            &format!(
                "{} from {} ({})\n",
                mount.mount_path,
                mount.name,
                flags.join(",")
            ),
        );
    }
    let mut devices: Vec<_> = container.volume_devices.iter().flatten().collect();
    if !devices.is_empty() {
        // kubectl reuses the Mounts' "<none>" marker here.
        w.write(LEVEL_2, &format!("Devices:{none}\n"));
        devices.sort_by(|a, b| a.device_path.cmp(&b.device_path));
        for device in devices {
            w.write(
                LEVEL_3,
                &format!("{} from {}\n", device.device_path, device.name),
            );
        }
    }
}

/// Mirrors `describeVolumes` (with `space == ""`) for the common volume sources.
fn describe_volumes(w: &mut PrefixWriter, volumes: &[Volume]) {
    if volumes.is_empty() {
        w.write(LEVEL_0, "Volumes:\t<none>\n");
        return;
    }
    w.write(LEVEL_0, "Volumes:\n");
    for volume in volumes {
        w.write(LEVEL_1, &format!("{}:\n", volume.name));
        if let Some(host_path) = &volume.host_path {
            // printHostPathVolumeSource
            let host_path_type = host_path.type_.as_deref().unwrap_or("<none>");
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{host_path_type}\n",
                    host_path.path
                ),
            );
        } else if let Some(empty_dir) = &volume.empty_dir {
            // printEmptyDirVolumeSource
            let size_limit = empty_dir
                .size_limit
                .as_ref()
                .filter(|q| parse_quantity_nanos(&q.0).is_some_and(|v| v > 0))
                .map_or("<unset>".to_string(), |q| q.0.clone());
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size_limit}\n",
                    or_empty(&empty_dir.medium)
                ),
            );
        } else if let Some(secret) = &volume.secret {
            // printSecretVolumeSource
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    or_empty(&secret.secret_name),
                    secret.optional.unwrap_or(false)
                ),
            );
        } else if let Some(config_map) = &volume.config_map {
            // printConfigMapVolumeSource
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    config_map.name,
                    config_map.optional.unwrap_or(false)
                ),
            );
        } else if let Some(nfs) = &volume.nfs {
            // printNFSVolumeSource
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                    nfs.server,
                    nfs.path,
                    nfs.read_only.unwrap_or(false)
                ),
            );
        } else if let Some(claim) = &volume.persistent_volume_claim {
            // printPersistentVolumeClaimVolumeSource
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    claim.claim_name,
                    claim.read_only.unwrap_or(false)
                ),
            );
        } else if volume.ephemeral.is_some() {
            // printEphemeralVolumeSource, without the claim template's details.
            w.write(
                LEVEL_2,
                "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n",
            );
        } else if let Some(downward) = &volume.downward_api {
            // printDownwardAPIVolumeSource
            w.write(
                LEVEL_2,
                "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
            );
            for item in downward.items.iter().flatten() {
                if let Some(field) = &item.field_ref {
                    w.write(LEVEL_3, &format!("{} -> {}\n", field.field_path, item.path));
                }
                if let Some(field) = &item.resource_field_ref {
                    w.write(LEVEL_3, &format!("{} -> {}\n", field.resource, item.path));
                }
            }
        } else if let Some(projected) = &volume.projected {
            // printProjectedVolumeSource
            w.write(
                LEVEL_2,
                "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
            );
            for source in projected.sources.iter().flatten() {
                if let Some(secret) = &source.secret {
                    w.write(
                        LEVEL_2,
                        &format!(
                            "SecretName:\t{}\n    Optional:\t{}\n",
                            secret.name,
                            secret.optional.unwrap_or(false)
                        ),
                    );
                } else if source.downward_api.is_some() {
                    w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
                } else if let Some(config_map) = &source.config_map {
                    w.write(
                        LEVEL_2,
                        &format!(
                            "ConfigMapName:\t{}\n    Optional:\t{}\n",
                            config_map.name,
                            config_map.optional.unwrap_or(false)
                        ),
                    );
                } else if let Some(token) = &source.service_account_token {
                    // The API server defaults expirationSeconds to 3600.
                    w.write(
                        LEVEL_2,
                        &format!(
                            "TokenExpirationSeconds:\t{}\n",
                            token.expiration_seconds.unwrap_or(3600)
                        ),
                    );
                }
            }
        } else if let Some(csi) = &volume.csi {
            // printCSIVolumeSource
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                    csi.driver,
                    or_empty(&csi.fs_type),
                    csi.read_only == Some(true)
                ),
            );
            print_csi_volume_attributes(w, csi.volume_attributes.as_ref());
        } else if let Some(image) = &volume.image {
            // printImageVolumeSource
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                    or_empty(&image.reference),
                    or_empty(&image.pull_policy)
                ),
            );
        } else {
            w.write(LEVEL_1, "<unknown>\n");
        }
    }
}

/// Mirrors `printCSIPersistentVolumeAttributesMultilineIndent` as `printCSIVolumeSource` calls it.
fn print_csi_volume_attributes(
    w: &mut PrefixWriter,
    attributes: Option<&BTreeMap<String, String>>,
) {
    w.write(LEVEL_2, "VolumeAttributes:\t");
    let Some(attributes) = attributes.filter(|a| !a.is_empty()) else {
        w.write_line("<none>");
        return;
    };
    for (i, (key, value)) in attributes.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_2, "");
            w.write(LEVEL_2, "\t");
        }
        let line = format!("{key}={value}");
        // Longer than 140 bytes: the first 140 and "...".
        w.write(
            LEVEL_2,
            &format!("{}\n", shorten(&line, MAX_ANNOTATION_LEN)),
        );
    }
}

/// Mirrors `DescribeEvents`: `Events:  <none>`, or (after a flush, so the table aligns on its
/// own) a Type/Reason/Age/From/Message table sorted by last-seen time. The Age is the time since
/// the first occurrence, or `<last> (x<count> over <first>)` for repeated events.
fn describe_events(w: &mut PrefixWriter, events: &[EventRecord], now: Timestamp) {
    if events.is_empty() {
        w.write(LEVEL_0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    // SortableEvents orders by lastTimestamp (an unset one is Go's zero time, first of all).
    // Go's sort.Sort is stable for up to 12 events; a stable sort keeps that order beyond too.
    let mut sorted: Vec<&EventRecord> = events.iter().collect();
    sorted.sort_by_key(|e| e.last_timestamp);
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n");
    for e in sorted {
        let first = since(e.first_timestamp, now);
        let interval = if e.count > 1 {
            format!(
                "{} (x{} over {first})",
                since(e.last_timestamp, now),
                e.count
            )
        } else {
            first
        };
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{interval}\t{}\t{}\n",
                e.type_,
                e.reason,
                e.source,
                e.message.trim()
            ),
        );
    }
}
