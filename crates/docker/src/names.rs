//! What podplay's Docker objects are called and labelled: dockershim's names and labels (now
//! cri-dockerd's, `core/naming.go` and `core/helpers.go`), plus podplay's run label, by which a
//! run (and `podplay docker gc`) finds everything it made.

use std::collections::HashMap;

use podplay_engine::runtime::PodRef;

/// dockershim's `kubePrefix`: every container a kubelet made on Docker is named `k8s_...`.
pub const KUBE_PREFIX: &str = "k8s";
/// dockershim's `sandboxContainerName`: the sandbox takes the container name `POD`.
pub const SANDBOX_CONTAINER_NAME: &str = "POD";

/// The labels dockershim puts on sandboxes and containers.
pub const POD_NAME_LABEL: &str = "io.kubernetes.pod.name";
pub const POD_NAMESPACE_LABEL: &str = "io.kubernetes.pod.namespace";
pub const POD_UID_LABEL: &str = "io.kubernetes.pod.uid";
pub const CONTAINER_NAME_LABEL: &str = "io.kubernetes.container.name";
/// `containerTypeLabelKey`, with `podsandbox` or `container`.
pub const CONTAINER_TYPE_LABEL: &str = "io.kubernetes.docker.type";
/// `sandboxIDLabelKey`: an app container names its sandbox.
pub const SANDBOX_ID_LABEL: &str = "io.kubernetes.sandbox.id";
/// podplay's own: which `podplay` run made the object. Every object podplay creates has it.
pub const RUN_LABEL: &str = "dev.podplay.run";

/// `makeSandboxName`: `k8s_POD_<pod>_<namespace>_<uid>_<attempt>`.
pub fn sandbox_name(pod: &PodRef, attempt: u32) -> String {
    container_name(SANDBOX_CONTAINER_NAME, pod, attempt)
}

/// `makeContainerName`: `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`.
pub fn container_name(container: &str, pod: &PodRef, attempt: u32) -> String {
    format!(
        "{KUBE_PREFIX}_{container}_{}_{}_{}_{attempt}",
        pod.name, pod.namespace, pod.uid
    )
}

/// The labels of a pod's sandbox.
pub fn sandbox_labels(run: &str, pod: &PodRef) -> HashMap<String, String> {
    let mut labels = pod_labels(run, pod);
    labels.insert(CONTAINER_TYPE_LABEL.into(), "podsandbox".into());
    labels
}

/// The labels of an app (or init) container.
pub fn container_labels(
    run: &str,
    pod: &PodRef,
    container: &str,
    sandbox_id: &str,
) -> HashMap<String, String> {
    let mut labels = pod_labels(run, pod);
    labels.insert(CONTAINER_TYPE_LABEL.into(), "container".into());
    labels.insert(CONTAINER_NAME_LABEL.into(), container.into());
    labels.insert(SANDBOX_ID_LABEL.into(), sandbox_id.into());
    labels
}

fn pod_labels(run: &str, pod: &PodRef) -> HashMap<String, String> {
    HashMap::from([
        (POD_NAME_LABEL.to_string(), pod.name.clone()),
        (POD_NAMESPACE_LABEL.to_string(), pod.namespace.clone()),
        (POD_UID_LABEL.to_string(), pod.uid.clone()),
        (RUN_LABEL.to_string(), run.to_string()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> PodRef {
        PodRef {
            uid: "0f1e".into(),
            name: "web".into(),
            namespace: "default".into(),
        }
    }

    #[test]
    fn containers_are_named_as_dockershim_named_them() {
        assert_eq!(sandbox_name(&pod(), 0), "k8s_POD_web_default_0f1e_0");
        assert_eq!(
            container_name("nginx", &pod(), 2),
            "k8s_nginx_web_default_0f1e_2"
        );
    }

    #[test]
    fn every_object_carries_the_run_label() {
        assert_eq!(sandbox_labels("r1", &pod())[RUN_LABEL], "r1");
        let labels = container_labels("r1", &pod(), "nginx", "abc");
        assert_eq!(labels[RUN_LABEL], "r1");
        assert_eq!(labels[CONTAINER_NAME_LABEL], "nginx");
        assert_eq!(labels[CONTAINER_TYPE_LABEL], "container");
    }
}
