//! What the kubelet hands the runtime to build a pod's filesystem and a container's
//! environment: the environment (`makeEnvironmentVariables`, checked against Kubernetes' own
//! `TestMakeEnvironmentVariables` vectors), /etc/hosts (`managedHostsFileContent`),
//! /etc/resolv.conf (`GetPodDNS`), the volumes' files; and what happens when a ConfigMap or a
//! key is missing: `FailedMount` with no sandbox until it appears, `CreateContainerConfigError`.

#[path = "support/lifecycle.rs"]
mod support;

use expect_test::expect;
use podplay_engine::runtime::{ContainerConfig, SandboxConfig, VolumeSource};
use support::*;

/// A container's environment, one `NAME=value` per line.
fn env_lines(config: &ContainerConfig) -> String {
    config
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}\n"))
        .collect()
}

/// The sandbox's volumes, one line per volume or file. The cluster's CA certificate reads
/// `<kube-root-ca.crt>` and a service account token (a JWT) reads `<token>`.
fn volume_lines(config: &SandboxConfig) -> String {
    let ca = podplay_engine::lifecycle::store::KUBE_ROOT_CA_CRT;
    let mut out = String::new();
    for v in &config.volumes {
        match &v.source {
            VolumeSource::Files { files } => {
                out.push_str(&format!("{}: files\n", v.name));
                for f in files {
                    let content = String::from_utf8_lossy(&f.content);
                    let shown = if content == ca {
                        "<kube-root-ca.crt>".to_string()
                    } else if content.starts_with("eyJhbGciOiJSUzI1NiIs") {
                        "<token>".to_string()
                    } else {
                        format!("{content:?}")
                    };
                    out.push_str(&format!("  {} {:o} {shown}\n", f.path, f.mode));
                }
            }
            other => out.push_str(&format!("{}: {other:?}\n", v.name)),
        }
    }
    out
}

fn config_of(sim: &podplay_engine::sim::Simulation<Recording>, name: &str) -> ContainerConfig {
    container_configs(sim)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c)
        .expect("the container was created")
}

#[test]
fn env_expansion_matches_kubernetes_own_vector() {
    // TestMakeEnvironmentVariables "env expansion" (pod dapi-test-pod-name in test1). The
    // kubelet's order is a Go map's (random); the vector is compared sorted, as the test does.
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: dapi-test-pod-name, namespace: test1}
spec:
  enableServiceLinks: false
  containers:
  - name: app
    image: busybox
    command: [sleep, '3600']
    env:
    - {name: TEST_LITERAL, value: test-test-test}
    - name: POD_NAME
      valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.name}}
    - {name: OUT_OF_ORDER_TEST, value: $(OUT_OF_ORDER_TARGET)}
    - {name: OUT_OF_ORDER_TARGET, value: FOO}
    - {name: EMPTY_VAR}
    - {name: EMPTY_TEST, value: foo-$(EMPTY_VAR)}
    - {name: POD_NAME_TEST2, value: test2-$(POD_NAME)}
    - {name: POD_NAME_TEST3, value: $(POD_NAME_TEST2)-3}
    - {name: LITERAL_TEST, value: literal-$(TEST_LITERAL)}
    - {name: TEST_UNDEFINED, value: $(UNDEFINED_VAR)}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let config = config_of(&s, "app");
    let mut own: Vec<(String, String)> = config
        .env
        .iter()
        .filter(|(k, _)| !k.starts_with("KUBERNETES_"))
        .cloned()
        .collect();
    own.sort();
    let mut expected: Vec<(String, String)> = [
        ("TEST_LITERAL", "test-test-test"),
        ("POD_NAME", "dapi-test-pod-name"),
        ("POD_NAME_TEST2", "test2-dapi-test-pod-name"),
        ("POD_NAME_TEST3", "test2-dapi-test-pod-name-3"),
        ("LITERAL_TEST", "literal-test-test-test"),
        ("OUT_OF_ORDER_TEST", "$(OUT_OF_ORDER_TARGET)"),
        ("OUT_OF_ORDER_TARGET", "FOO"),
        ("TEST_UNDEFINED", "$(UNDEFINED_VAR)"),
        ("EMPTY_VAR", ""),
        ("EMPTY_TEST", "foo-"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    expected.sort();
    assert_eq!(own, expected);
    // The master service's variables, as a kind cluster's `kubernetes` Service gives them.
    expect![[r#"
        TEST_LITERAL=test-test-test
        POD_NAME=dapi-test-pod-name
        OUT_OF_ORDER_TEST=$(OUT_OF_ORDER_TARGET)
        OUT_OF_ORDER_TARGET=FOO
        EMPTY_VAR=
        EMPTY_TEST=foo-
        POD_NAME_TEST2=test2-dapi-test-pod-name
        POD_NAME_TEST3=test2-dapi-test-pod-name-3
        LITERAL_TEST=literal-test-test-test
        TEST_UNDEFINED=$(UNDEFINED_VAR)
        KUBERNETES_SERVICE_HOST=10.96.0.1
        KUBERNETES_SERVICE_PORT=443
        KUBERNETES_SERVICE_PORT_HTTPS=443
        KUBERNETES_PORT=tcp://10.96.0.1:443
        KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443
        KUBERNETES_PORT_443_TCP_PROTO=tcp
        KUBERNETES_PORT_443_TCP_PORT=443
        KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1
    "#]]
    .assert_eq(&env_lines(&config));
}

#[test]
fn env_from_a_config_map_is_overridden_by_env_and_prefixed() {
    // TestMakeEnvironmentVariables "configmap".
    let yaml = "
apiVersion: v1
kind: ConfigMap
metadata: {name: test-config-map, namespace: test1}
data: {REPLACE_ME: FROM_CONFIG_MAP, DUPE_TEST: CONFIG_MAP}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: test1}
spec:
  enableServiceLinks: false
  containers:
  - name: app
    image: busybox
    command: [sleep, '3600']
    envFrom:
    - configMapRef: {name: test-config-map}
    - prefix: p_
      configMapRef: {name: test-config-map}
    env:
    - {name: TEST_LITERAL, value: test-test-test}
    - {name: EXPANSION_TEST, value: $(REPLACE_ME)}
    - {name: DUPE_TEST, value: ENV_VAR}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    expect![[r#"
        DUPE_TEST=ENV_VAR
        REPLACE_ME=FROM_CONFIG_MAP
        p_DUPE_TEST=CONFIG_MAP
        p_REPLACE_ME=FROM_CONFIG_MAP
        TEST_LITERAL=test-test-test
        EXPANSION_TEST=FROM_CONFIG_MAP
        KUBERNETES_SERVICE_HOST=10.96.0.1
        KUBERNETES_SERVICE_PORT=443
        KUBERNETES_SERVICE_PORT_HTTPS=443
        KUBERNETES_PORT=tcp://10.96.0.1:443
        KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443
        KUBERNETES_PORT_443_TCP_PROTO=tcp
        KUBERNETES_PORT_443_TCP_PORT=443
        KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1
    "#]]
    .assert_eq(&env_lines(&config_of(&s, "app")));
}

#[test]
fn the_downward_api_secrets_and_resources_reach_the_environment_and_the_command() {
    let yaml = "
apiVersion: v1
kind: Secret
metadata: {name: creds}
data: {password: czNjcmV0}
stringData: {user: admin}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {LOG_LEVEL: debug}
---
apiVersion: v1
kind: Service
metadata: {name: backend-api}
spec:
  clusterIP: 10.96.200.7
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: shop}
  annotations: {owner: team-a}
spec:
  containers:
  - name: app
    image: busybox
    command: [sh, -c, 'echo $(POD_NAME) on $(NODE) $$HOME; sleep 3600']
    args: [$(LOG_LEVEL), $(MISSING)]
    resources:
      limits: {memory: 256Mi}
      requests: {cpu: 250m, memory: 128Mi}
    envFrom:
    - prefix: SECRET_
      secretRef: {name: creds}
    env:
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: POD_NAMESPACE
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - name: NODE
      valueFrom: {fieldRef: {fieldPath: spec.nodeName}}
    - name: SA
      valueFrom: {fieldRef: {fieldPath: spec.serviceAccountName}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: POD_IPS
      valueFrom: {fieldRef: {fieldPath: status.podIPs}}
    - name: HOST_IP
      valueFrom: {fieldRef: {fieldPath: status.hostIP}}
    - name: APP
      valueFrom: {fieldRef: {fieldPath: \"metadata.labels['app']\"}}
    - name: OWNER
      valueFrom: {fieldRef: {fieldPath: \"metadata.annotations['owner']\"}}
    - name: MEMORY_LIMIT_MI
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
    - name: CPU_REQUEST_M
      valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}
    - name: CPU_REQUEST
      valueFrom: {resourceFieldRef: {resource: requests.cpu}}
    - name: CPU_LIMIT
      valueFrom: {resourceFieldRef: {resource: limits.cpu}}
    - name: LOG_LEVEL
      valueFrom: {configMapKeyRef: {name: settings, key: LOG_LEVEL}}
    - name: PASSWORD
      valueFrom: {secretKeyRef: {name: creds, key: password}}
    - name: OPTIONAL
      valueFrom: {configMapKeyRef: {name: absent, key: x, optional: true}}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let config = config_of(&s, "app");
    expect![[r#"
        SECRET_password=s3cret
        SECRET_user=admin
        POD_NAME=web
        POD_NAMESPACE=default
        NODE=node-1
        SA=default
        POD_IP=10.244.0.4
        POD_IPS=10.244.0.4
        HOST_IP=172.18.0.2
        APP=shop
        OWNER=team-a
        MEMORY_LIMIT_MI=256
        CPU_REQUEST_M=250
        CPU_REQUEST=1
        CPU_LIMIT=2
        LOG_LEVEL=debug
        PASSWORD=s3cret
        BACKEND_API_SERVICE_HOST=10.96.200.7
        BACKEND_API_SERVICE_PORT=8080
        BACKEND_API_SERVICE_PORT_HTTP=8080
        BACKEND_API_PORT=tcp://10.96.200.7:8080
        BACKEND_API_PORT_8080_TCP=tcp://10.96.200.7:8080
        BACKEND_API_PORT_8080_TCP_PROTO=tcp
        BACKEND_API_PORT_8080_TCP_PORT=8080
        BACKEND_API_PORT_8080_TCP_ADDR=10.96.200.7
        KUBERNETES_SERVICE_HOST=10.96.0.1
        KUBERNETES_SERVICE_PORT=443
        KUBERNETES_SERVICE_PORT_HTTPS=443
        KUBERNETES_PORT=tcp://10.96.0.1:443
        KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443
        KUBERNETES_PORT_443_TCP_PROTO=tcp
        KUBERNETES_PORT_443_TCP_PORT=443
        KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1
    "#]]
    .assert_eq(&env_lines(&config));
    assert_eq!(
        config.command,
        ["sh", "-c", "echo web on node-1 $HOME; sleep 3600"]
    );
    assert_eq!(config.args, ["debug", "$(MISSING)"]);
    assert_eq!(config.memory_limit_bytes, Some(256 * 1024 * 1024));
    assert_eq!(config.cpu_limit_millis, None);
}

#[test]
fn the_kubelet_writes_etc_hosts_with_the_pod_ip_its_fqdn_and_host_aliases() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  hostname: web-0
  subdomain: shop
  hostAliases:
  - ip: 10.1.2.3
    hostnames: [foo.local, bar.local]
  - ip: 10.1.2.4
    hostnames: [baz.local]
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let config = config_of(&s, "app");
    expect![[r#"
        # Kubernetes-managed hosts file.
        127.0.0.1	localhost
        ::1	localhost ip6-localhost ip6-loopback
        fe00::0	ip6-localnet
        fe00::0	ip6-mcastprefix
        fe00::1	ip6-allnodes
        fe00::2	ip6-allrouters
        10.244.0.4	web-0.shop.default.svc.cluster.local	web-0

        # Entries added by HostAliases.
        10.1.2.3	foo.local	bar.local
        10.1.2.4	baz.local
    "#]]
    .assert_eq(config.etc_hosts.as_deref().unwrap_or("(none)"));
    expect![[r#"
        [
            Mount {
                volume: "kube-api-access-jxvft",
                container_path: "/var/run/secrets/kubernetes.io/serviceaccount",
                sub_path: "",
                read_only: true,
            },
            Mount {
                volume: "k8s-managed-etc-hosts",
                container_path: "/etc/hosts",
                sub_path: "",
                read_only: false,
            },
        ]
    "#]]
    .assert_debug_eq(&config.mounts);
    let sandboxes = sandbox_configs(&s);
    assert_eq!(sandboxes[0].1, "web-0");
}

#[test]
fn a_plain_pod_gets_its_name_in_etc_hosts_and_a_host_network_pod_gets_no_managed_file() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
---
apiVersion: v1
kind: Pod
metadata: {name: node-net}
spec:
  hostNetwork: true
  containers:
  - {name: host, image: busybox, command: [sleep, '3600']}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let plain = config_of(&s, "app");
    assert!(plain
        .etc_hosts
        .as_deref()
        .is_some_and(|h| h.ends_with("fe00::2\tip6-allrouters\n10.244.0.4\tplain\n")));
    let host = config_of(&s, "host");
    assert_eq!(host.etc_hosts, None);
    // No managed /etc/hosts: the only mount is the ServiceAccount plugin's token volume.
    assert_eq!(host.mounts.len(), 1);
    assert_eq!(
        host.mounts[0].container_path,
        "/var/run/secrets/kubernetes.io/serviceaccount"
    );
    let sandboxes = sandbox_configs(&s);
    expect![[r#"
        search default.svc.cluster.local svc.cluster.local cluster.local
        nameserver 10.96.0.10
        options ndots:5
    "#]]
    .assert_eq(&sandboxes[0].2.resolv_conf);
    // ClusterFirst on the node's network falls back to the node's resolver.
    assert!(sandboxes[1].2.host_network);
    expect![[r#"
        nameserver 172.18.0.1
        options ndots:0
    "#]]
    .assert_eq(&sandboxes[1].2.resolv_conf);
}

#[test]
fn dns_policy_none_uses_only_the_pods_dns_config() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: custom-dns}
spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: [1.1.1.1, 8.8.8.8]
    searches: [example.com]
    options:
    - {name: ndots, value: '2'}
    - {name: edns0}
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    expect![[r#"
        search example.com
        nameserver 1.1.1.1
        nameserver 8.8.8.8
        options ndots:2 edns0
    "#]]
    .assert_eq(&sandbox_configs(&s)[0].2.resolv_conf);
}

#[test]
fn volumes_reach_the_sandbox_with_their_files_and_modes() {
    let yaml = "
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data:
  app.properties: |
    color=blue
  LOG_LEVEL: debug
binaryData:
  logo.bin: AAEC
---
apiVersion: v1
kind: Secret
metadata: {name: tls}
data: {tls.crt: Y2VydA==, tls.key: a2V5}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: shop, tier: front}
  annotations: {build: '42'}
spec:
  shareProcessNamespace: true
  containers:
  - name: app
    image: busybox
    command: [sleep, '3600']
    env:
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    resources:
      limits: {cpu: 500m, memory: 64Mi}
    volumeMounts:
    - {name: config, mountPath: /etc/config}
    - {name: picked, mountPath: /etc/picked}
    - {name: tls, mountPath: /etc/tls, readOnly: true}
    - {name: info, mountPath: /etc/podinfo}
    - {name: scratch, mountPath: /scratch}
    - {name: cache, mountPath: /cache, subPathExpr: $(POD_NAME)}
    - {name: logs, mountPath: /var/log/app, subPath: app}
    - {name: all-in-one, mountPath: /projected}
  volumes:
  - name: config
    configMap: {name: app-config}
  - name: picked
    configMap:
      name: app-config
      defaultMode: 256  # 0400
      items:
      - {key: LOG_LEVEL, path: level/log-level}
      - {key: app.properties, path: app.properties, mode: 384}  # 0600
  - name: tls
    secret: {secretName: tls}
  - name: info
    downwardAPI:
      items:
      - path: labels
        fieldRef: {fieldPath: metadata.labels}
      - path: annotations
        fieldRef: {fieldPath: metadata.annotations}
      - path: name
        fieldRef: {fieldPath: metadata.name}
      - path: mem_limit
        resourceFieldRef: {containerName: app, resource: limits.memory, divisor: 1Mi}
      - path: cpu_limit
        resourceFieldRef: {containerName: app, resource: limits.cpu, divisor: 1m}
  - name: scratch
    emptyDir: {medium: Memory, sizeLimit: 64Mi}
  - name: cache
    emptyDir: {}
  - name: logs
    hostPath: {path: /var/log/pods-app, type: DirectoryOrCreate}
  - name: all-in-one
    projected:
      sources:
      - configMap:
          name: kube-root-ca.crt
          items: [{key: ca.crt, path: ca.crt}]
      - downwardAPI:
          items:
          - path: namespace
            fieldRef: {fieldPath: metadata.namespace}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let sandboxes = sandbox_configs(&s);
    assert_eq!(sandboxes.len(), 1);
    let (_, hostname, sandbox) = &sandboxes[0];
    assert_eq!(hostname, "web");
    assert!(sandbox.share_process_namespace);
    let ca = podplay_engine::lifecycle::store::KUBE_ROOT_CA_CRT;
    let lines = volume_lines(sandbox).replace(&format!("{ca:?}"), "<kube-root-ca.crt>");
    expect![[r#"
        config: files
          LOG_LEVEL 644 "debug"
          app.properties 644 "color=blue\n"
          logo.bin 644 "\0\u{1}\u{2}"
        picked: files
          app.properties 600 "color=blue\n"
          level/log-level 400 "debug"
        tls: files
          tls.crt 644 "cert"
          tls.key 644 "key"
        info: files
          annotations 644 "build=\"42\""
          cpu_limit 644 "500"
          labels 644 "app=\"shop\"\ntier=\"front\""
          mem_limit 644 "64"
          name 644 "web"
        scratch: EmptyDir { memory: true, size_limit_bytes: Some(67108864) }
        cache: EmptyDir { memory: false, size_limit_bytes: None }
        logs: HostPath { path: "/var/log/pods-app", type_: "DirectoryOrCreate" }
        all-in-one: files
          ca.crt 644 <kube-root-ca.crt>
          namespace 644 "default"
        kube-api-access-xvss7: files
          ca.crt 644 <kube-root-ca.crt>
          namespace 644 "default"
          token 644 <token>
    "#]]
    .assert_eq(&lines);
    expect![[r#"
        {
            "annotation.build": "42",
            "app": "shop",
            "io.kubernetes.pod.name": "web",
            "io.kubernetes.pod.namespace": "default",
            "io.kubernetes.pod.uid": "910a2dec-8902-4cc1-beeb-8da1658eec67",
            "tier": "front",
        }
    "#]]
    .assert_debug_eq(&sandbox.labels);
    let config = config_of(&s, "app");
    let mounts: String = config
        .mounts
        .iter()
        .map(|m| {
            format!(
                "{} -> {} sub_path={:?} ro={}\n",
                m.volume, m.container_path, m.sub_path, m.read_only
            )
        })
        .collect();
    expect![[r#"
        config -> /etc/config sub_path="" ro=true
        picked -> /etc/picked sub_path="" ro=true
        tls -> /etc/tls sub_path="" ro=true
        info -> /etc/podinfo sub_path="" ro=true
        scratch -> /scratch sub_path="" ro=false
        cache -> /cache sub_path="web" ro=false
        logs -> /var/log/app sub_path="app" ro=false
        all-in-one -> /projected sub_path="" ro=true
        kube-api-access-xvss7 -> /var/run/secrets/kubernetes.io/serviceaccount sub_path="" ro=true
        k8s-managed-etc-hosts -> /etc/hosts sub_path="" ro=false
    "#]]
    .assert_eq(&mounts);
    assert_eq!(config.cpu_limit_millis, Some(500));
    assert_eq!(config.memory_limit_bytes, Some(64 * 1024 * 1024));
}

#[test]
fn a_projected_service_account_token_is_a_jwt_naming_the_pod() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
  volumes:
  - name: token
    projected:
      sources:
      - serviceAccountToken: {path: token, audience: vault}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let sandbox = &sandbox_configs(&s)[0].2;
    let VolumeSource::Files { files } = &sandbox.volumes[0].source else {
        panic!("a projected volume holds files");
    };
    assert_eq!(files.len(), 1);
    assert_eq!((files[0].path.as_str(), files[0].mode), ("token", 0o644));
    let token = String::from_utf8_lossy(&files[0].content).to_string();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    assert!(parts[0].starts_with("eyJhbGciOiJSUzI1NiIsImtpZCI6")); // {"alg":"RS256","kid":
    assert_eq!(parts[2].len(), 342);
}

#[test]
fn a_missing_config_map_holds_the_sandbox_back_until_it_is_applied() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sleep, '3600']
    volumeMounts: [{name: config, mountPath: /etc/config}]
  volumes:
  - name: config
    configMap: {name: app-config}
";
    let config_map = "
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {color: blue}
";
    let mut s = recorded_sim(yaml);
    s.schedule(vec![at(
        20,
        podplay_engine::lifecycle::UserAction::Apply(
            podplay_engine::api::parse(config_map).expect("parses"),
        ),
    )]);
    run(&mut s, 40);
    expect![[r#"
        0s       pod     web 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/web to node-1
        0s       Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "app-config" not found
        0s       pod     web 0/1 ContainerCreating 0
        0.6s     Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "app-config" not found (x2)
        1.7s     Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "app-config" not found (x3)
        3.8s     Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "app-config" not found (x4)
        7.9s     Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "app-config" not found (x5)
        16s      Warning FailedMount MountVolume.SetUp failed for volume "config" : configmap "app-config" not found (x6)
        32.902s  Normal  Pulled     Container image "busybox" already present on machine
        32.962s  Normal  Created    Created container: app
        33.042s  Normal  Started    Started container app
        33.042s  pod     web 1/1 Running 0
    "#]]
    .assert_eq(&story_of(s.trace(), s.engine.clock()));
    let sandboxes = sandbox_configs(&s);
    assert_eq!(
        sandboxes.len(),
        1,
        "one sandbox, once the ConfigMap is there"
    );
    expect![[r#"
        config: files
          color 644 "blue"
        kube-api-access-jxvft: files
          ca.crt 644 <kube-root-ca.crt>
          namespace 644 "default"
          token 644 <token>
    "#]]
    .assert_eq(&volume_lines(&sandboxes[0].2));
}

#[test]
fn a_missing_secret_key_in_a_volume_is_a_failed_mount_too() {
    let yaml = "
apiVersion: v1
kind: Secret
metadata: {name: tls}
stringData: {tls.crt: cert}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
  volumes:
  - name: tls
    secret:
      secretName: tls
      items: [{key: tls.key, path: key.pem}]
  - name: other
    secret: {secretName: missing}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 1);
    expect![[r#"
        0s       pod     web 0/1 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/web to node-1
        0s       Warning FailedMount MountVolume.SetUp failed for volume "tls" : references non-existent secret key: tls.key
        0s       Warning FailedMount MountVolume.SetUp failed for volume "other" : secret "missing" not found
        0s       pod     web 0/1 ContainerCreating 0
        0.6s     Warning FailedMount MountVolume.SetUp failed for volume "tls" : references non-existent secret key: tls.key (x2)
        0.6s     Warning FailedMount MountVolume.SetUp failed for volume "other" : secret "missing" not found (x2)
    "#]]
    .assert_eq(&story_of(s.trace(), s.engine.clock()));
    assert!(sandbox_configs(&s).is_empty());
}

#[test]
fn a_missing_key_is_a_create_container_config_error_while_the_other_container_runs() {
    let yaml = "
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config}
data: {color: blue}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sleep, '3600']
    env:
    - name: LOG_LEVEL
      valueFrom: {configMapKeyRef: {name: app-config, key: LOG_LEVEL}}
  - name: helper
    image: busybox
    imagePullPolicy: IfNotPresent
    command: [sleep, '3600']
    envFrom: [{configMapRef: {name: app-config}}]
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 30);
    expect![[r#"
        0s       pod     web 0/2 Pending 0
        0s       Normal  Scheduled  Successfully assigned default/web to node-1
        0s       pod     web 0/2 ContainerCreating 0
        0.802s   Normal  Pulled     Container image "busybox" already present on machine
        0.802s   Warning Failed     Error: couldn't find key LOG_LEVEL in ConfigMap default/app-config
        0.802s   pod     web 0/2 CreateContainerConfigError 0
        0.804s   Normal  Pulled     Container image "busybox" already present on machine
        0.864s   Normal  Created    Created container: helper
        0.944s   Normal  Started    Started container helper
        0.944s   pod     web 1/2 CreateContainerConfigError 0
        15.659s  Normal  Pulled     Container image "busybox" already present on machine (x2)
        15.659s  Warning Failed     Error: couldn't find key LOG_LEVEL in ConfigMap default/app-config (x2)
        27.882s  Normal  Pulled     Container image "busybox" already present on machine (x3)
        27.882s  Warning Failed     Error: couldn't find key LOG_LEVEL in ConfigMap default/app-config (x3)
    "#]]
    .assert_eq(&story_of(s.trace(), s.engine.clock()));
    let pod = s
        .engine
        .pods()
        .next()
        .cloned()
        .expect("the pod is in the API");
    expect![[r#"
        phase=Pending reason= message=
          PodReadyToStartContainers=True 
          Initialized=True 
          Ready=False ContainersNotReady (containers with unready status: [app])
          ContainersReady=False ContainersNotReady (containers with unready status: [app])
          PodScheduled=True 
          app app: waiting CreateContainerConfigError "couldn't find key LOG_LEVEL in ConfigMap default/app-config" | last: - | restarts=0 ready=false started=false
          app helper: running | last: - | restarts=0 ready=true started=true
    "#]]
    .assert_eq(&status(&pod));
}

#[test]
fn a_missing_config_map_for_env_is_named_in_the_error() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: busybox
    command: [sleep, '3600']
    envFrom: [{secretRef: {name: db-creds}}]
    env:
    - name: LOG_LEVEL
      valueFrom: {configMapKeyRef: {name: app-config, key: LOG_LEVEL}}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 2);
    let pod = s
        .engine
        .pods()
        .next()
        .cloned()
        .expect("the pod is in the API");
    let statuses = pod
        .status
        .and_then(|s| s.container_statuses)
        .unwrap_or_default();
    assert_eq!(
        container_line(&statuses[0]),
        "app: waiting CreateContainerConfigError \"secret \\\"db-creds\\\" not found\" | last: - | restarts=0 ready=false started=false"
    );
    assert!(container_configs(&s).is_empty());
}

#[test]
fn a_plain_pod_gets_the_service_account_token_volume_with_token_ca_and_namespace() {
    // The ServiceAccount admission plugin adds `kube-api-access-<5 chars>` (a projected token,
    // the cluster's CA and the namespace) and mounts it read-only at the API token path in
    // every container; the kubelet sets it up like any projected volume.
    let yaml = "
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec:
  initContainers:
  - {name: init, image: busybox, command: [true]}
  containers:
  - {name: app, image: busybox, command: [sleep, '3600']}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let sandboxes = sandbox_configs(&s);
    expect![[r#"
        kube-api-access-ddkzr: files
          ca.crt 644 <kube-root-ca.crt>
          namespace 644 "shop"
          token 644 <token>
    "#]]
    .assert_eq(&volume_lines(&sandboxes[0].2));
    for name in ["init", "app"] {
        let mounts: String = config_of(&s, name)
            .mounts
            .iter()
            .map(|m| format!("{} -> {} ro={}\n", m.volume, m.container_path, m.read_only))
            .collect();
        expect![[r#"
            kube-api-access-ddkzr -> /var/run/secrets/kubernetes.io/serviceaccount ro=true
            k8s-managed-etc-hosts -> /etc/hosts ro=false
        "#]]
        .assert_eq(&mounts);
    }
}

#[test]
fn automount_false_or_a_mount_at_the_token_path_leaves_the_token_volume_out() {
    let yaml = "
apiVersion: v1
kind: Pod
metadata: {name: no-token}
spec:
  automountServiceAccountToken: false
  containers:
  - {name: quiet, image: busybox, command: [sleep, '3600']}
---
apiVersion: v1
kind: Pod
metadata: {name: own-token}
spec:
  containers:
  - name: own
    image: busybox
    command: [sleep, '3600']
    volumeMounts: [{name: mine, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]
  volumes:
  - name: mine
    emptyDir: {}
";
    let mut s = recorded_sim(yaml);
    run(&mut s, 5);
    let sandboxes = sandbox_configs(&s);
    let names: Vec<Vec<&str>> = sandboxes
        .iter()
        .map(|(_, _, c)| c.volumes.iter().map(|v| v.name.as_str()).collect())
        .collect();
    assert_eq!(names, [vec![], vec!["mine"]]);
    let quiet: Vec<String> = config_of(&s, "quiet")
        .mounts
        .iter()
        .map(|m| m.container_path.clone())
        .collect();
    assert_eq!(quiet, ["/etc/hosts"]);
}
