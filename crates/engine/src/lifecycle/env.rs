//! A container's environment as the kubelet computes it (pkg/kubelet/kubelet_pods.go
//! `makeEnvironmentVariables`), and the `$(VAR)` expansion it and the runtime manager use
//! (third_party/forked/golang/expansion, kubecontainer `ExpandContainerCommandAndArgs` and
//! `ExpandContainerVolumeMounts`).
//!
//! Start at [`make_environment_variables`]: `envFrom` first (a later source overrides an earlier
//! one), then `env` in order, each value expanded against the variables declared before it and
//! the service variables, or taken from its `valueFrom` source; then the service variables the
//! container did not set itself. The kubelet collects the variables in a Go map, so the real
//! order handed to the runtime is random; podplay keeps the order in which each name was first
//! set, then the service variables in service-name order.
//!
//! The downward API's field and resource selectors live here too
//! ([`pod_field_value`], [`container_resource_value`]); the downwardAPI volume reuses them.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ObjectFieldSelector, Pod, PodSpec, ResourceFieldSelector,
};

use super::store::{ObjectStore, ServiceData};
use crate::go;
use crate::quantity::Quantity;

/// The node's allocatable resources, which the downward API reports as a container's limit when
/// it has none (`defaultPodLimitsForDownwardAPI`): podplay's node has 2 CPUs, 8 GiB of memory
/// and 100 GiB of ephemeral storage.
pub const NODE_ALLOCATABLE: [(&str, &str); 3] = [
    ("cpu", "2"),
    ("memory", "8Gi"),
    ("ephemeral-storage", "100Gi"),
];

/// `expansion.Expand`: replaces each `$(NAME)` in `input` with `mapping(NAME)`; `$$` is an
/// escaped `$`; any other `$` stays as it is, as does an unclosed `$(`.
pub fn expand(input: &str, mut mapping: impl FnMut(&str) -> String) -> String {
    let bytes = input.as_bytes();
    let mut buf = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            buf.push_str(&input[checkpoint..cursor]);
            let (read, is_var, advance) = try_read_variable_name(&input[cursor + 1..]);
            if is_var {
                buf.push_str(&mapping(&read));
            } else {
                buf.push_str(&read);
            }
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    buf.push_str(&input[checkpoint..]);
    buf
}

/// `tryReadVariableName`: what follows a `$` (never empty): the text read, whether it names a
/// variable, and how many bytes it used. Go advances one byte past a `$` followed by another
/// character; podplay advances past the whole character so a multi-byte one stays whole.
fn try_read_variable_name(input: &str) -> (String, bool, usize) {
    match input.as_bytes()[0] {
        b'$' => ("$".into(), false, 1),
        b'(' => match input[1..].find(')') {
            Some(i) => (input[1..=i].to_string(), true, i + 2),
            None => ("$(".into(), false, 1),
        },
        _ => {
            let c = input.chars().next().expect("input is never empty");
            (format!("${c}"), false, c.len_utf8())
        }
    }
}

/// One source of variables for [`mapping_for`]: a name's value, if it has one.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `expansion.MappingFuncFor`: the value from the first context that has the name, else the
/// reference left as written (`$(NAME)`).
pub fn mapping_for<'a>(contexts: &'a [Lookup<'a>]) -> impl FnMut(&str) -> String + 'a {
    move |name: &str| {
        contexts
            .iter()
            .find_map(|c| c(name))
            .unwrap_or_else(|| format!("$({name})"))
    }
}

/// `kubecontainer.ExpandContainerCommandAndArgs`: the command and args with `$(VAR)` expanded
/// against the container's final environment.
pub fn expand_command_and_args(
    container: &Container,
    env: &[(String, String)],
) -> (Vec<String>, Vec<String>) {
    let map = env_map(env);
    let lookup = |name: &str| map.get(name).cloned();
    let contexts: [Lookup; 1] = [&lookup];
    let mut mapping = mapping_for(&contexts);
    let command = container
        .command
        .iter()
        .flatten()
        .map(|c| expand(c, &mut mapping))
        .collect();
    let args = container
        .args
        .iter()
        .flatten()
        .map(|a| expand(a, &mut mapping))
        .collect();
    (command, args)
}

/// `kubecontainer.ExpandContainerVolumeMounts`: a `subPathExpr` expanded against the
/// environment; a name with no value (or an empty one) is an error naming every such name.
pub fn expand_sub_path_expr(expr: &str, env: &[(String, String)]) -> Result<String, String> {
    let map = env_map(env);
    let mut missing = std::collections::BTreeSet::new();
    let expanded = expand(expr, |name| match map.get(name) {
        Some(v) if !v.is_empty() => v.clone(),
        other => {
            missing.insert(name.to_string());
            other.cloned().unwrap_or_default()
        }
    });
    if missing.is_empty() {
        Ok(expanded)
    } else {
        let names: Vec<String> = missing.into_iter().collect();
        Err(format!("missing value for {}", names.join(", ")))
    }
}

/// `envVarsToMap`: the last value of each name wins.
fn env_map(env: &[(String, String)]) -> BTreeMap<String, String> {
    env.iter().cloned().collect()
}

/// What [`make_environment_variables`] reads besides the container.
pub struct EnvInput<'a> {
    pub pod: &'a Pod,
    pub container: &'a Container,
    /// `status.podIPs` (the sandbox's addresses).
    pub pod_ips: &'a [String],
    /// The node's addresses (`status.hostIPs`).
    pub host_ips: &'a [String],
    pub store: &'a ObjectStore,
}

/// A name → value list that keeps the order in which each name was first set.
#[derive(Default)]
struct OrderedEnv {
    list: Vec<(String, String)>,
    index: BTreeMap<String, usize>,
}

impl OrderedEnv {
    fn set(&mut self, name: String, value: String) {
        match self.index.get(&name) {
            Some(&i) => self.list[i].1 = value,
            None => {
                self.index.insert(name.clone(), self.list.len());
                self.list.push((name, value));
            }
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.index.get(name).map(|&i| self.list[i].1.clone())
    }
}

/// `makeEnvironmentVariables`. The error is the message the kubelet reports as
/// `CreateContainerConfigError` (`configmap "x" not found`,
/// `couldn't find key k in ConfigMap default/x`).
pub fn make_environment_variables(input: &EnvInput) -> Result<Vec<(String, String)>, String> {
    let pod = input.pod;
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let service_env = service_env_vars(
        &input
            .store
            .services_for(namespace, spec.enable_service_links.unwrap_or(true)),
    );
    let service_map: BTreeMap<String, String> = service_env.iter().cloned().collect();
    let mut tmp = OrderedEnv::default();

    // Env will override EnvFrom variables: process EnvFrom first.
    for env_from in input.container.env_from.iter().flatten() {
        let prefix = env_from.prefix.clone().unwrap_or_default();
        if let Some(cm) = &env_from.config_map_ref {
            let optional = cm.optional.unwrap_or(false);
            match input.store.config_map(namespace, &cm.name) {
                Ok(data) => {
                    for (k, v) in data.data {
                        tmp.set(format!("{prefix}{k}"), v);
                    }
                }
                Err(_) if optional => continue,
                Err(e) => return Err(e.to_string()),
            }
        } else if let Some(s) = &env_from.secret_ref {
            let optional = s.optional.unwrap_or(false);
            match input.store.secret(namespace, &s.name) {
                Ok(data) => {
                    for (k, v) in data.data {
                        tmp.set(format!("{prefix}{k}"), bytes_to_string(&v));
                    }
                }
                Err(_) if optional => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    for var in input.container.env.iter().flatten() {
        let literal = var.value.clone().unwrap_or_default();
        let value = if !literal.is_empty() {
            let declared = |name: &str| tmp.get(name);
            let services = |name: &str| service_map.get(name).cloned();
            let contexts: [Lookup; 2] = [&declared, &services];
            expand(&literal, mapping_for(&contexts))
        } else if let Some(from) = &var.value_from {
            if let Some(field) = &from.field_ref {
                pod_field_value(field, pod, input.pod_ips, input.host_ips)?
            } else if let Some(resource) = &from.resource_field_ref {
                let defaulted = default_pod_limits_for_downward_api(pod);
                let container = with_default_limits(input.container);
                container_resource_value(resource, &defaulted, &container)?
            } else if let Some(cm) = &from.config_map_key_ref {
                let optional = cm.optional.unwrap_or(false);
                let data = match input.store.config_map(namespace, &cm.name) {
                    Ok(data) => data,
                    Err(_) if optional => continue,
                    Err(e) => return Err(e.to_string()),
                };
                match data.data.get(&cm.key) {
                    Some(v) => v.clone(),
                    None if optional => continue,
                    None => {
                        return Err(format!(
                            "couldn't find key {} in ConfigMap {namespace}/{}",
                            cm.key, cm.name
                        ))
                    }
                }
            } else if let Some(s) = &from.secret_key_ref {
                let optional = s.optional.unwrap_or(false);
                let data = match input.store.secret(namespace, &s.name) {
                    Ok(data) => data,
                    Err(_) if optional => continue,
                    Err(e) => return Err(e.to_string()),
                };
                match data.data.get(&s.key) {
                    Some(v) => bytes_to_string(v),
                    None if optional => continue,
                    None => {
                        return Err(format!(
                            "couldn't find key {} in Secret {namespace}/{}",
                            s.key, s.name
                        ))
                    }
                }
            } else {
                String::new()
            }
        } else {
            String::new()
        };
        tmp.set(var.name.clone(), value);
    }

    let mut result = tmp.list;
    for (k, v) in service_env {
        if !tmp.index.contains_key(&k) {
            result.push((k, v));
        }
    }
    Ok(result)
}

/// Go's `string([]byte)`: podplay's strings are UTF-8, so invalid bytes become U+FFFD.
fn bytes_to_string(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `envvars.FromServices`: `<NAME>_SERVICE_HOST`, `<NAME>_SERVICE_PORT` (and one per named
/// port), then the Docker link variables (`<NAME>_PORT`, `<NAME>_PORT_<port>_<PROTO>...`).
pub fn service_env_vars(services: &[ServiceData]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in services {
        let Some(first) = s.ports.first() else {
            continue;
        };
        let prefix = make_env_variable_name(&s.name);
        out.push((format!("{prefix}_SERVICE_HOST"), s.cluster_ip.clone()));
        let port_name = format!("{prefix}_SERVICE_PORT");
        out.push((port_name.clone(), first.port.to_string()));
        for p in &s.ports {
            if !p.name.is_empty() {
                out.push((
                    format!("{port_name}_{}", make_env_variable_name(&p.name)),
                    p.port.to_string(),
                ));
            }
        }
        // makeLinkVariables: Docker-compatible variables, the first port specially.
        for (i, p) in s.ports.iter().enumerate() {
            let protocol = if p.protocol.is_empty() {
                "TCP"
            } else {
                &p.protocol
            };
            let host_port = join_host_port(&s.cluster_ip, p.port);
            let url = format!("{}://{host_port}", protocol.to_lowercase());
            if i == 0 {
                out.push((format!("{prefix}_PORT"), url.clone()));
            }
            let port_prefix = format!("{prefix}_PORT_{}_{}", p.port, protocol.to_uppercase());
            out.push((port_prefix.clone(), url));
            out.push((format!("{port_prefix}_PROTO"), protocol.to_lowercase()));
            out.push((format!("{port_prefix}_PORT"), p.port.to_string()));
            out.push((format!("{port_prefix}_ADDR"), s.cluster_ip.clone()));
        }
    }
    out
}

/// `makeEnvVariableName`: upper case, `-` → `_`.
fn make_env_variable_name(s: &str) -> String {
    s.replace('-', "_").to_uppercase()
}

/// `net.JoinHostPort`: IPv6 addresses in brackets.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// `podFieldSelectorRuntimeValue` (env) and `fieldpath.ExtractFieldPathAsString` (both env and
/// the downwardAPI volume): the value of a `fieldRef`.
pub fn pod_field_value(
    field: &ObjectFieldSelector,
    pod: &Pod,
    pod_ips: &[String],
    host_ips: &[String],
) -> Result<String, String> {
    let spec = pod.spec.as_ref();
    match field.field_path.as_str() {
        "spec.nodeName" => Ok(spec.and_then(|s| s.node_name.clone()).unwrap_or_default()),
        "spec.serviceAccountName" => Ok(spec
            .and_then(|s| s.service_account_name.clone())
            .unwrap_or_default()),
        "status.hostIP" => Ok(host_ips.first().cloned().unwrap_or_default()),
        "status.hostIPs" => Ok(host_ips.join(",")),
        "status.podIP" => Ok(pod_ips.first().cloned().unwrap_or_default()),
        "status.podIPs" => Ok(pod_ips.join(",")),
        path => extract_field_path_as_string(pod, path),
    }
}

/// `fieldpath.ExtractFieldPathAsString`: metadata fields, with `labels['k']` /
/// `annotations['k']` subscripts.
pub fn extract_field_path_as_string(pod: &Pod, field_path: &str) -> Result<String, String> {
    let meta = &pod.metadata;
    let empty = BTreeMap::new();
    let labels = meta.labels.as_ref().unwrap_or(&empty);
    let annotations = meta.annotations.as_ref().unwrap_or(&empty);
    if let Some((path, subscript)) = split_maybe_subscripted_path(field_path) {
        return match path {
            "metadata.annotations" => Ok(annotations.get(subscript).cloned().unwrap_or_default()),
            "metadata.labels" => Ok(labels.get(subscript).cloned().unwrap_or_default()),
            _ => Err(format!(
                "fieldPath {} does not support subscript",
                go::quote(field_path)
            )),
        };
    }
    match field_path {
        "metadata.annotations" => Ok(format_map(annotations)),
        "metadata.labels" => Ok(format_map(labels)),
        "metadata.name" => Ok(meta.name.clone().unwrap_or_default()),
        "metadata.namespace" => Ok(meta.namespace.clone().unwrap_or_default()),
        "metadata.uid" => Ok(meta.uid.clone().unwrap_or_default()),
        _ => Err(format!("unsupported fieldPath: {field_path}")),
    }
}

/// `fieldpath.SplitMaybeSubscriptedPath`: `metadata.labels['k']` → (`metadata.labels`, `k`).
fn split_maybe_subscripted_path(field_path: &str) -> Option<(&str, &str)> {
    let s = field_path.strip_suffix("']")?;
    let (path, subscript) = s.split_once("['")?;
    (!path.is_empty()).then_some((path, subscript))
}

/// `fieldpath.FormatMap`: `key="value"` lines in key order, Go-quoted, no final newline.
pub fn format_map(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={}", go::quote(v)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `resource.ExtractContainerResourceValue` (or `ExtractResourceValueByContainerName` when the
/// selector names a container): `limits.cpu`, `requests.memory`, ... divided by the divisor
/// (`1` when unset) and rounded up (`convertQuantityToString`).
pub fn container_resource_value(
    selector: &ResourceFieldSelector,
    pod: &Pod,
    container: &Container,
) -> Result<String, String> {
    let container = match selector.container_name.as_deref() {
        Some(name) if !name.is_empty() => find_container(pod, name)?,
        _ => container.clone(),
    };
    let divisor = selector
        .divisor
        .as_ref()
        .and_then(|d| Quantity::parse(&d.0))
        .filter(|d| d.nanos() != 0)
        .unwrap_or_else(|| Quantity::parse("1").expect("1 parses"));
    let resources = container.resources.clone().unwrap_or_default();
    let (list, name) = match selector.resource.split_once('.') {
        Some(("limits", name)) => (resources.limits.unwrap_or_default(), name),
        Some(("requests", name)) => (resources.requests.unwrap_or_default(), name),
        _ => {
            return Err(format!(
                "Unsupported container resource : {}",
                selector.resource
            ))
        }
    };
    if !matches!(name, "cpu" | "memory" | "ephemeral-storage") && !name.starts_with("hugepages-") {
        return Err(format!(
            "Unsupported container resource : {}",
            selector.resource
        ));
    }
    let value = list
        .get(name)
        .and_then(|q| Quantity::parse(&q.0))
        .map(|q| q.nanos())
        .unwrap_or(0);
    Ok(ceil_div(value, divisor.nanos()).to_string())
}

/// Ceiling division of two nano-unit counts (`divisor` is never zero).
fn ceil_div(n: i128, d: i128) -> i128 {
    let q = n / d;
    if n % d != 0 && ((n > 0) == (d > 0)) {
        q + 1
    } else {
        q
    }
}

fn find_container(pod: &Pod, name: &str) -> Result<Container, String> {
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == name)
        .cloned()
        .ok_or_else(|| format!("container {name} not found"))
}

/// `MergeContainerResourceLimits` with the node's allocatable: a container without a CPU,
/// memory or ephemeral-storage limit gets the node's.
pub fn with_default_limits(container: &Container) -> Container {
    let mut c = container.clone();
    let resources = c.resources.get_or_insert_with(Default::default);
    let limits = resources.limits.get_or_insert_with(Default::default);
    for (name, value) in NODE_ALLOCATABLE {
        let unset = limits
            .get(name)
            .and_then(|q| Quantity::parse(&q.0))
            .is_none_or(|q| q.nanos() == 0);
        if unset {
            limits.insert(
                name.to_string(),
                k8s_openapi::apimachinery::pkg::api::resource::Quantity(value.to_string()),
            );
        }
    }
    c
}

/// `defaultPodLimitsForDownwardAPI`: the pod with every container's missing limits set to the
/// node's allocatable.
pub fn default_pod_limits_for_downward_api(pod: &Pod) -> Pod {
    let mut pod = pod.clone();
    if let Some(spec) = pod.spec.as_mut() {
        for c in spec.containers.iter_mut() {
            *c = with_default_limits(c);
        }
        for c in spec.init_containers.iter_mut().flatten() {
            *c = with_default_limits(c);
        }
    }
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl FnMut(&str) -> String {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| {
            map.get(name)
                .cloned()
                .unwrap_or_else(|| format!("$({name})"))
        }
    }

    /// Cases from third_party/forked/golang/expansion/expand_test.go `TestMapReference` /
    /// `TestExpand`.
    #[test]
    fn expansion_follows_the_forked_go_rules() {
        let vars = [
            ("VAR_A", "A"),
            ("VAR_B", "B"),
            ("VAR_C", "C"),
            ("VAR_REF", "$(VAR_A)"),
            ("VAR_EMPTY", ""),
        ];
        let cases = [
            ("$(VAR_A)", "A"),
            ("___$(VAR_B)___", "___B___"),
            ("$(VAR_A)-$(VAR_A)", "A-A"),
            ("f000-$$VAR_A", "f000-$VAR_A"),
            ("foo\\$(VAR_C)bar", "foo\\Cbar"),
            ("$(VAR_A)$(VAR_B)$(VAR_C)", "ABC"),
            ("foo$(VAR_EMPTY)bar", "foobar"),
            ("$(VAR_DNE)", "$(VAR_DNE)"),
            ("$$$$$$(VAR_A)", "$$$(VAR_A)"),
            ("$$$(VAR_A)", "$A"),
            ("$(VAR_A", "$(VAR_A"),
            ("$VAR_A)", "$VAR_A)"),
            ("$", "$"),
            ("$$", "$"),
            ("$(", "$("),
            ("$()", "$()"),
            ("$(VAR_REF)", "$(VAR_A)"),
            ("$é", "$é"),
        ];
        for (input, want) in cases {
            assert_eq!(expand(input, lookup(&vars)), want, "input {input:?}");
        }
    }

    #[test]
    fn sub_path_expr_names_every_missing_variable() {
        let env = vec![
            ("POD".to_string(), "web".to_string()),
            ("EMPTY".to_string(), String::new()),
        ];
        assert_eq!(
            expand_sub_path_expr("logs/$(POD)", &env),
            Ok("logs/web".into())
        );
        assert_eq!(
            expand_sub_path_expr("$(NOPE)/$(EMPTY)", &env),
            Err("missing value for EMPTY, NOPE".into())
        );
    }

    #[test]
    fn format_map_is_sorted_and_go_quoted() {
        let mut m = BTreeMap::new();
        m.insert("b".to_string(), "two\nlines".to_string());
        m.insert("a".to_string(), "1".to_string());
        assert_eq!(format_map(&m), "a=\"1\"\nb=\"two\\nlines\"");
    }
}
