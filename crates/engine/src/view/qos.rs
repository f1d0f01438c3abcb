//! The pod's QoS class as `kubectl describe` prints it (`QoS Class:`).
//!
//! Start at [`pod_qos`], which mirrors `GetPodQOS` / `ComputePodQOS` in
//! staging/src/k8s.io/kubectl/pkg/util/qos/qos.go. Comparing requests with limits uses the
//! engine's quantity arithmetic ([`crate::quantity`]).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// `isSupportedQoSComputeResource`: only CPU and memory decide the QoS class.
fn is_supported_qos_compute_resource(name: &str) -> bool {
    name == "cpu" || name == "memory"
}

/// Adds the positive, supported quantities of `list` into `sums`; returns the names it added.
fn add_positive(
    list: Option<&BTreeMap<String, Quantity>>,
    sums: &mut BTreeMap<String, i128>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (name, quantity) in list.into_iter().flatten() {
        if !is_supported_qos_compute_resource(name) {
            continue;
        }
        // An unparsable quantity compares as zero here; the API server would have rejected it.
        let value = crate::quantity::Quantity::parse(&quantity.0).map_or(0, |q| q.nanos());
        if value > 0 {
            found.push(name.clone());
            let sum = sums.entry(name.clone()).or_insert(0);
            *sum = sum.saturating_add(value);
        }
    }
    found
}

fn has_cpu_and_memory(found: &[String]) -> bool {
    found.iter().any(|n| n == "memory") && found.iter().any(|n| n == "cpu")
}

/// The QoS class: `status.qosClass` when the server has set it, otherwise computed from the
/// requests and limits.
///
/// Mirrors `GetPodQOS` and `ComputePodQOS` in staging/src/k8s.io/kubectl/pkg/util/qos/qos.go:
/// `BestEffort` without any CPU or memory request or limit, `Guaranteed` when every container
/// (init containers included) limits both CPU and memory and the summed requests equal the
/// summed limits, `Burstable` otherwise. Pod-level `spec.resources`, when present, decide alone.
pub fn pod_qos(pod: &Pod) -> String {
    if let Some(class) = pod
        .status
        .as_ref()
        .and_then(|s| s.qos_class.as_deref())
        .filter(|c| !c.is_empty())
    {
        return class.to_string();
    }
    let mut requests: BTreeMap<String, i128> = BTreeMap::new();
    let mut limits: BTreeMap<String, i128> = BTreeMap::new();
    let mut is_guaranteed = true;
    let spec = pod.spec.as_ref();
    let mut account = |resources: Option<&ResourceRequirements>| {
        add_positive(resources.and_then(|r| r.requests.as_ref()), &mut requests);
        let found = add_positive(resources.and_then(|r| r.limits.as_ref()), &mut limits);
        if !has_cpu_and_memory(&found) {
            is_guaranteed = false;
        }
    };
    if let Some(pod_resources) = spec.and_then(|s| s.resources.as_ref()) {
        account(Some(pod_resources));
    } else if let Some(spec) = spec {
        for c in spec
            .containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
        {
            account(c.resources.as_ref());
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".to_string();
    }
    if is_guaranteed {
        for (name, req) in &requests {
            if limits.get(name) != Some(req) {
                is_guaranteed = false;
                break;
            }
        }
    }
    if is_guaranteed && requests.len() == limits.len() {
        return "Guaranteed".to_string();
    }
    "Burstable".to_string()
}
