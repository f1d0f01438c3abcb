//! What podplay refuses to run on a real Docker engine unless the user says
//! `--allow-host-access`: anything that reaches past the pod's own sandbox into the machine
//! (privileged containers, the host's network, PID or IPC namespace, host paths, added
//! capabilities, host ports). Checked before anything is created, over every pod a scenario
//! would make (its objects and the objects of its `apply` steps), so a refusal leaves nothing
//! behind.

use k8s_openapi::api::core::v1::{Container, PodSpec};
use podplay_engine::api::summary::pod_spec;
use podplay_engine::api::Manifest;
use podplay_engine::lifecycle::UserAction;
use podplay_engine::scenario::Scenario;

/// One thing a pod asks for that reaches the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostAccess {
    /// `Pod/web` (the object's kind and name).
    pub object: String,
    /// The field path, as the API server names fields: `spec.hostNetwork`.
    pub field: String,
}

impl std::fmt::Display for HostAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} reaches the host; podplay runs it on Docker only with --allow-host-access",
            self.object, self.field
        )
    }
}

/// Every host access the scenario's pods ask for, in file order.
pub fn host_access(scenario: &Scenario) -> Vec<HostAccess> {
    let mut found = Vec::new();
    let applied = scenario.steps.iter().filter_map(|s| match &s.action {
        UserAction::Apply(objects) => Some(objects),
        _ => None,
    });
    for manifests in std::iter::once(&scenario.objects).chain(applied) {
        for m in manifests {
            check_manifest(m, &mut found);
        }
    }
    found
}

fn check_manifest(m: &Manifest, found: &mut Vec<HostAccess>) {
    let Some(spec) = pod_spec(&m.object) else {
        return;
    };
    let object = format!("{}/{}", m.object.kind(), m.object.name());
    let base = match m.object.kind() {
        "Pod" => "spec",
        _ => "spec.template.spec",
    };
    check_spec(spec, &mut |field| {
        found.push(HostAccess {
            object: object.clone(),
            field: format!("{base}.{field}"),
        })
    });
}

fn check_spec(spec: &PodSpec, report: &mut dyn FnMut(String)) {
    for (flag, name) in [
        (spec.host_network, "hostNetwork"),
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
    ] {
        if flag == Some(true) {
            report(name.into());
        }
    }
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if v.host_path.is_some() {
            report(format!("volumes[{i}].hostPath"));
        }
    }
    let lists = [
        ("initContainers", spec.init_containers.as_deref()),
        ("containers", Some(spec.containers.as_slice())),
    ];
    for (list, containers) in lists {
        for (i, c) in containers.into_iter().flatten().enumerate() {
            check_container(c, &mut |field| report(format!("{list}[{i}].{field}")));
        }
    }
    for (i, c) in spec.ephemeral_containers.iter().flatten().enumerate() {
        let sc = c.security_context.as_ref();
        if sc.and_then(|s| s.privileged) == Some(true) {
            report(format!(
                "ephemeralContainers[{i}].securityContext.privileged"
            ));
        }
    }
}

fn check_container(c: &Container, report: &mut dyn FnMut(String)) {
    if let Some(sc) = &c.security_context {
        if sc.privileged == Some(true) {
            report("securityContext.privileged".into());
        }
        let added = sc.capabilities.as_ref().and_then(|caps| caps.add.as_ref());
        if added.is_some_and(|add| !add.is_empty()) {
            report("securityContext.capabilities.add".into());
        }
    }
    for (i, p) in c.ports.iter().flatten().enumerate() {
        if p.host_port.is_some_and(|port| port != 0) {
            report(format!("ports[{i}].hostPort"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(yaml: &str) -> Vec<String> {
        let scenario = Scenario::parse(yaml).expect("test scenario parses");
        host_access(&scenario)
            .into_iter()
            .map(|a| a.to_string())
            .collect()
    }

    #[test]
    fn a_plain_pod_reaches_nothing_on_the_host() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: busybox}\n";
        assert_eq!(access(pod), Vec::<String>::new());
    }

    #[test]
    fn host_namespaces_paths_privilege_capabilities_and_ports_are_refused() {
        let pod = r#"
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: true
  hostPID: true
  volumes:
  - {name: root, hostPath: {path: /}}
  containers:
  - name: c
    image: busybox
    securityContext:
      privileged: true
      capabilities: {add: [NET_ADMIN]}
    ports:
    - {containerPort: 80, hostPort: 8080}
"#;
        assert_eq!(
            access(pod),
            [
                "Pod/p: spec.hostNetwork reaches the host; podplay runs it on Docker only with --allow-host-access",
                "Pod/p: spec.hostPID reaches the host; podplay runs it on Docker only with --allow-host-access",
                "Pod/p: spec.volumes[0].hostPath reaches the host; podplay runs it on Docker only with --allow-host-access",
                "Pod/p: spec.containers[0].securityContext.privileged reaches the host; podplay runs it on Docker only with --allow-host-access",
                "Pod/p: spec.containers[0].securityContext.capabilities.add reaches the host; podplay runs it on Docker only with --allow-host-access",
                "Pod/p: spec.containers[0].ports[0].hostPort reaches the host; podplay runs it on Docker only with --allow-host-access",
            ]
        );
    }
}
