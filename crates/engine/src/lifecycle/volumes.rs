//! The kubelet's side of a pod's filesystem: the volume manager that sets up the pod's volumes
//! before its sandbox starts (pkg/kubelet/volumemanager, the configmap, secret, downwardapi,
//! projected, emptyDir and hostPath plugins under pkg/volume), and what `SyncPod` hands the
//! runtime: the sandbox's DNS and hostname (pkg/kubelet/network/dns, `GeneratePodHostNameAndDomain`)
//! and each container's mounts and /etc/hosts (kubelet_pods.go `makeMounts`,
//! `managedHostsFileContent`).
//!
//! Start at [`Engine::volumes_ready`], which `SyncPod` calls before it creates the sandbox
//! (`WaitForAttachAndMount`). The reconciler sets each volume up; a volume that fails (a
//! ConfigMap that does not exist) is a `FailedMount` event and is retried with the operation
//! executor's exponential back-off (500 ms doubling to 2m2s). The sync waits up to 2m3s
//! (`podAttachAndMountTimeout`), polling every 300 ms, then gives up quietly (the timeout is an
//! "interrupted" error, which SyncPod does not report) and the pod worker requeues it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, DownwardAPIVolumeFile, HostAlias, KeyToPath, Pod, PodSpec,
    ServiceAccountTokenProjection, Volume,
};

use super::env::{self, EnvInput};
use super::store::{ConfigMapData, ObjectStore, SecretData};
use super::{Engine, Timer};
use crate::go;
use crate::quantity::Quantity;
use crate::runtime::{
    ContainerConfig, Mount, PodVolume, SandboxConfig, VolumeFile, VolumeSource, ETC_HOSTS_VOLUME,
};
use crate::time::{Rng, Time};

/// The kubelet's `--cluster-domain`.
pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The kubelet's `--cluster-dns`: kube-dns's Service IP in kubeadm's service CIDR.
pub const CLUSTER_DNS: &str = "10.96.0.10";
/// `defaultDNSOptions` for ClusterFirst pods.
const DEFAULT_DNS_OPTIONS: &[&str] = &["ndots:5"];
/// The node's own /etc/resolv.conf, which `dnsPolicy: Default` pods get: podplay's node is a
/// kind node, whose resolver is the Docker network's gateway.
pub const NODE_RESOLV_CONF: &str = "nameserver 172.18.0.1\noptions ndots:0\n";
/// `validation.MaxDNSNameservers`.
const MAX_DNS_NAMESERVERS: usize = 3;
/// The API server's default token audience (`--api-audiences`, `--service-account-issuer`).
const API_AUDIENCE: &str = "https://kubernetes.default.svc.cluster.local";

/// `podAttachAndMountTimeout`: how long one sync waits for the pod's volumes.
const MOUNT_TIMEOUT_MS: u64 = 2 * 60_000 + 3_000;
/// `podAttachAndMountRetryInterval`: how often the waiting sync looks.
const MOUNT_POLL_MS: u64 = 300;
/// The volume manager reconciler's loop period (`reconcilerLoopSleepPeriod`).
const RECONCILER_PERIOD_MS: u64 = 100;
/// exponentialbackoff `initialDurationBeforeRetry` and `maxDurationBeforeRetry`.
const INITIAL_DURATION_BEFORE_RETRY_MS: u64 = 500;
const MAX_DURATION_BEFORE_RETRY_MS: u64 = 2 * 60_000 + 2_000;

/// One pod's volumes as the volume manager tracks them.
#[derive(Clone, Debug, Default)]
pub(crate) struct VolumeState {
    /// The actual state of the world: volumes set up, by name.
    mounted: BTreeMap<String, PodVolume>,
    /// Failing volumes: `durationBeforeRetry` and `lastErrorTime` of their mount operation.
    failing: BTreeMap<String, (u64, Time)>,
    /// The reconciler has picked the pod up (its first pass has run).
    started: bool,
    /// The reconciler's next pass for this pod.
    retry: Option<(Time, u64)>,
    /// The sync path waits in `WaitForAttachAndMount` since then; the key of its deadline.
    waiting: Option<(Time, (Time, u64))>,
}

impl Engine {
    /// `WaitForAttachAndMount`: whether every volume of pod `uid` is set up. The first call
    /// starts the reconciler on the pod; while a volume fails, the sync waits (at most 2m3s).
    pub(crate) fn volumes_ready(&mut self, uid: &str) -> bool {
        let now = self.now;
        let Some(w) = self.pods.get_mut(uid) else {
            return false;
        };
        if !w.volumes.started {
            w.volumes.started = true;
            self.reconcile_volumes(uid);
        }
        let Some(w) = self.pods.get_mut(uid) else {
            return false;
        };
        if all_mounted(w) {
            if let Some((_, deadline)) = w.volumes.waiting.take() {
                self.cancel(deadline);
            }
            return true;
        }
        if w.volumes.waiting.is_none() {
            let key = self.schedule(
                now.plus_millis(MOUNT_TIMEOUT_MS),
                Timer::MountTimeout { uid: uid.into() },
            );
            if let Some(w) = self.pods.get_mut(uid) {
                w.volumes.waiting = Some((now, key));
            }
        }
        false
    }

    /// The reconciler's pass over pod `uid` (`mountAttachVolumes`): every volume not set up and
    /// out of its back-off is set up now; a failure is a `FailedMount` event and doubles the
    /// volume's back-off. Once all are set up, a waiting sync goes on at its next poll.
    pub(crate) fn reconcile_volumes(&mut self, uid: &str) {
        let now = self.now;
        let Some(w) = self.pods.get_mut(uid) else {
            return;
        };
        // This pass replaces any pending one; a new one is scheduled below if needed.
        if let Some(key) = w.volumes.retry.take() {
            self.cancel(key);
        }
        let Some(w) = self.pods.get_mut(uid) else {
            return;
        };
        if !matches!(w.phase, super::worker::Phase::Sync) || w.deleted {
            return;
        }
        // The pass reads the pod while it updates the worker's volume state, which never
        // touches the object: the pod is lent out for the pass and put back after it.
        let pod = std::mem::take(&mut w.pod);
        let volumes: &[Volume] = pod
            .spec
            .as_ref()
            .and_then(|s| s.volumes.as_deref())
            .unwrap_or_default();
        let mut failures = Vec::new();
        for v in volumes {
            let w = self.pods.get_mut(uid).expect("checked above");
            if w.volumes.mounted.contains_key(&v.name) {
                continue;
            }
            // `SafeToRetry`: not while `time.Since(lastErrorTime) <= durationBeforeRetry`.
            if let Some(&(duration, last)) = w.volumes.failing.get(&v.name) {
                if now.millis_since(last) <= duration {
                    continue;
                }
            }
            // Tokens draw from their own stream, seeded by the pod and the volume, so that a
            // pod's token volume leaves the engine's RNG (back-off jitter, ids) untouched.
            let mut token_rng = Rng::new(token_seed(uid, &v.name));
            let mut issuer = TokenIssuer {
                rng: &mut token_rng,
                now_s: self.config.clock.timestamp(now).as_second(),
                node: &self.config.node,
            };
            match set_up_volume(v, &pod, &self.store, &mut issuer) {
                Ok(source) => {
                    let w = self.pods.get_mut(uid).expect("checked above");
                    w.volumes.failing.remove(&v.name);
                    w.volumes.mounted.insert(
                        v.name.clone(),
                        PodVolume {
                            name: v.name.clone(),
                            source,
                        },
                    );
                }
                Err(message) => {
                    let w = self.pods.get_mut(uid).expect("checked above");
                    let duration = match w.volumes.failing.get(&v.name) {
                        None => INITIAL_DURATION_BEFORE_RETRY_MS,
                        Some(&(d, _)) => (2 * d).min(MAX_DURATION_BEFORE_RETRY_MS),
                    };
                    w.volumes.failing.insert(v.name.clone(), (duration, now));
                    failures.push(format!(
                        "MountVolume.SetUp failed for volume {} : {message}",
                        go::quote(&v.name)
                    ));
                }
            }
        }
        self.pods.get_mut(uid).expect("checked above").pod = pod;
        for message in failures {
            self.event(
                uid,
                String::new(),
                "Warning",
                "FailedMount",
                message,
                "kubelet",
            );
        }
        let Some(w) = self.pods.get_mut(uid) else {
            return;
        };
        // The next pass: the first reconciler tick after the earliest back-off runs out.
        let next = w
            .volumes
            .failing
            .values()
            .map(|&(d, last)| last.plus_millis(d))
            .min();
        if let Some(t) = next {
            let tick = Time((t.0 / RECONCILER_PERIOD_MS + 1) * RECONCILER_PERIOD_MS);
            let key = self.schedule(tick, Timer::MountRetry { uid: uid.into() });
            if let Some(w) = self.pods.get_mut(uid) {
                w.volumes.retry = Some(key);
            }
            return;
        }
        if let Some((since, deadline)) = w.volumes.waiting.take() {
            // The waiting sync sees it at its next poll.
            self.cancel(deadline);
            let polls = now.millis_since(since).div_ceil(MOUNT_POLL_MS);
            let at = since.plus_millis(polls * MOUNT_POLL_MS);
            self.schedule(at, Timer::MountsReady { uid: uid.into() });
        }
    }

    /// The sync waited `podAttachAndMountTimeout` in vain: it ends with an error (which SyncPod
    /// does not report) and the pod worker requeues the pod.
    pub(crate) fn on_mount_timeout(&mut self, uid: &str) {
        let Some(w) = self.pods.get_mut(uid) else {
            return;
        };
        if w.volumes.waiting.take().is_none() {
            return;
        }
        if matches!(w.phase, super::worker::Phase::Sync) {
            self.requeue_after_error(uid);
        }
    }

    /// The volumes of pod `uid` as set up, in spec order.
    fn mounted_volumes(&self, uid: &str) -> Vec<PodVolume> {
        let Some(w) = self.pods.get(uid) else {
            return Vec::new();
        };
        w.pod
            .spec
            .iter()
            .flat_map(|s| s.volumes.iter().flatten())
            .filter_map(|v| w.volumes.mounted.get(&v.name).cloned())
            .collect()
    }

    /// `generatePodSandboxConfig`: the hostname and the sandbox's configuration, or `None`
    /// after reporting why the sandbox cannot be configured (`FailedCreatePodSandBox`).
    pub(crate) fn sandbox_config(&mut self, uid: &str) -> Option<(String, SandboxConfig)> {
        let w = self.pods.get(uid)?;
        let pod = &w.pod;
        let no_spec = PodSpec::default();
        let spec = pod.spec.as_ref().unwrap_or(&no_spec);
        let (hostname, domain) = pod_hostname_and_domain(pod);
        let hostname = match node_name_for_kernel(&hostname, &domain, spec.set_hostname_as_fqdn) {
            Ok(h) => h,
            Err(e) => {
                self.event(
                    uid,
                    String::new(),
                    "Warning",
                    "FailedCreatePodSandBox",
                    format!("Failed to create pod sandbox: {e}"),
                    "kubelet",
                );
                self.requeue_after_error(uid);
                return None;
            }
        };
        let (resolv_conf, warnings) = pod_dns(pod);
        let share_process_namespace = spec.share_process_namespace.unwrap_or(false);
        let host_network = spec.host_network.unwrap_or(false);
        let host_pid = spec.host_pid.unwrap_or(false);
        let host_ipc = spec.host_ipc.unwrap_or(false);
        let labels = sandbox_labels(pod);
        for warning in warnings {
            self.event(
                uid,
                String::new(),
                "Warning",
                "DNSConfigForming",
                warning,
                "kubelet",
            );
        }
        let config = SandboxConfig {
            volumes: self.mounted_volumes(uid),
            share_process_namespace,
            host_network,
            host_pid,
            host_ipc,
            resolv_conf,
            labels,
        };
        Some((hostname, config))
    }

    /// `generateContainerConfig` (with `GenerateRunContainerOptions`): container `i`'s
    /// environment, mounts, /etc/hosts, limits and expanded command. The error is what the
    /// kubelet reports as `CreateContainerConfigError`.
    pub(crate) fn container_config(
        &self,
        uid: &str,
        i: usize,
        pod_ip: &str,
    ) -> Result<ContainerConfig, String> {
        let w = self
            .pods
            .get(uid)
            .ok_or_else(|| "pod not found".to_string())?;
        let container = &w.containers[i].spec;
        let pod = &w.pod;
        let pod_ips: Vec<String> = if pod_ip.is_empty() {
            Vec::new()
        } else {
            vec![pod_ip.to_string()]
        };
        let host_ips = vec![self.config.node_ip.clone()];
        let env = env::make_environment_variables(&EnvInput {
            pod,
            container,
            pod_ips: &pod_ips,
            host_ips: &host_ips,
            store: &self.store,
        })?;
        let (hostname, domain) = pod_hostname_and_domain(pod);
        let (mounts, etc_hosts) = make_mounts(pod, container, &hostname, &domain, &pod_ips, &env)?;
        let (command, args) = env::expand_command_and_args(container, &env);
        let limits = container
            .resources
            .as_ref()
            .and_then(|r| r.limits.clone())
            .unwrap_or_default();
        let quantity = |name: &str| limits.get(name).and_then(|q| Quantity::parse(&q.0));
        Ok(ContainerConfig {
            env,
            mounts,
            etc_hosts,
            memory_limit_bytes: quantity("memory").and_then(whole_units),
            cpu_limit_millis: quantity("cpu").and_then(|q| u64::try_from(q.milli_value()).ok()),
            command,
            args,
        })
    }
}

/// `Quantity.Value()`: whole units, rounded up; `None` below zero.
fn whole_units(q: Quantity) -> Option<u64> {
    let nanos = q.nanos();
    if nanos < 0 {
        return None;
    }
    u64::try_from((nanos + 999_999_999) / 1_000_000_000).ok()
}

fn all_mounted(w: &super::worker::PodWorker) -> bool {
    w.pod
        .spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .all(|v| w.volumes.mounted.contains_key(&v.name))
}

// --- the volume plugins ----------------------------------------------------------------------

/// Issues service account tokens for projected volumes (the kubelet's `TokenRequest` through
/// the token manager), deterministic from the RNG it is given ([`token_seed`]'s).
pub(crate) struct TokenIssuer<'a> {
    pub rng: &'a mut Rng,
    /// The time of issue, in Unix seconds.
    pub now_s: i64,
    pub node: &'a str,
}

impl TokenIssuer<'_> {
    /// A token shaped as the API server's: an RS256 JWT whose claims name the pod, its node and
    /// its service account, valid for `expirationSeconds`. The signature is random bytes.
    fn token(&mut self, pod: &Pod, projection: &ServiceAccountTokenProjection) -> String {
        let namespace = pod.metadata.namespace.clone().unwrap_or_default();
        let sa = pod
            .spec
            .as_ref()
            .and_then(|s| s.service_account_name.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "default".into());
        let audience = projection
            .audience
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| API_AUDIENCE.into());
        let iat = self.now_s;
        let exp = iat + projection.expiration_seconds.unwrap_or(3600);
        let kid = base64url(&random_bytes(self.rng, 32));
        let jti = self.rng.uuid();
        let (node_uid, sa_uid) = (self.rng.uuid(), self.rng.uuid());
        let json = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
        let header = format!("{{\"alg\":\"RS256\",\"kid\":{}}}", json(&kid));
        let claims = format!(
            "{{\"aud\":[{aud}],\"exp\":{exp},\"iat\":{iat},\"iss\":{iss},\"jti\":{jti},\
             \"kubernetes.io\":{{\"namespace\":{ns},\"node\":{{\"name\":{node},\"uid\":{node_uid}}},\
             \"pod\":{{\"name\":{pod},\"uid\":{pod_uid}}},\
             \"serviceaccount\":{{\"name\":{sa},\"uid\":{sa_uid}}}}},\
             \"nbf\":{iat},\"sub\":{sub}}}",
            aud = json(&audience),
            iss = json(API_AUDIENCE),
            jti = json(&jti),
            ns = json(&namespace),
            node = json(self.node),
            node_uid = json(&node_uid),
            pod = json(pod.metadata.name.as_deref().unwrap_or_default()),
            pod_uid = json(pod.metadata.uid.as_deref().unwrap_or_default()),
            sa = json(&sa),
            sa_uid = json(&sa_uid),
            sub = json(&format!("system:serviceaccount:{namespace}:{sa}")),
        );
        let signature = random_bytes(self.rng, 256);
        format!(
            "{}.{}.{}",
            base64url(header.as_bytes()),
            base64url(claims.as_bytes()),
            base64url(&signature)
        )
    }
}

/// The seed of the tokens of volume `volume` of pod `uid` (FNV-1a over both).
fn token_seed(uid: &str, volume: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uid.bytes().chain([b'/']).chain(volume.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn random_bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(n);
    out
}

/// Base64 with the URL alphabet and no padding (RFC 7515's `BASE64URL`).
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        out.extend((0..chars).map(|i| ALPHABET[((n >> (18 - 6 * i)) & 0x3f) as usize]));
    }
    String::from_utf8(out).expect("the alphabet is ASCII")
}

/// The files of a volume, by path (`map[string]FileProjection`).
type Payload = BTreeMap<String, (Vec<u8>, u32)>;

/// The mode bits of a `defaultMode` / `mode` (0644 when unset, as the API server defaults it).
fn mode_of(mode: Option<i32>) -> u32 {
    mode.and_then(|m| u32::try_from(m).ok()).unwrap_or(0o644)
}

/// Sets up one volume (`SetUpAt` of its plugin): the files it holds, or the error message the
/// `FailedMount` event carries after `MountVolume.SetUp failed for volume "x" : `.
pub(crate) fn set_up_volume(
    volume: &Volume,
    pod: &Pod,
    store: &ObjectStore,
    tokens: &mut TokenIssuer,
) -> Result<VolumeSource, String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let files = |payload: Payload| VolumeSource::Files {
        files: payload
            .into_iter()
            .map(|(path, (content, mode))| VolumeFile {
                path,
                content,
                mode,
            })
            .collect(),
    };
    if let Some(cm) = &volume.config_map {
        let optional = cm.optional.unwrap_or(false);
        let data = match store.config_map(namespace, &cm.name) {
            Ok(data) => data,
            Err(_) if optional => ConfigMapData::default(),
            Err(e) => return Err(e.to_string()),
        };
        let payload = config_map_payload(
            cm.items.as_deref(),
            &data,
            mode_of(cm.default_mode),
            optional,
        )?;
        return Ok(files(payload));
    }
    if let Some(s) = &volume.secret {
        let optional = s.optional.unwrap_or(false);
        let name = s.secret_name.clone().unwrap_or_default();
        let data = match store.secret(namespace, &name) {
            Ok(data) => data,
            Err(_) if optional => SecretData::default(),
            Err(e) => return Err(e.to_string()),
        };
        let payload = secret_payload(s.items.as_deref(), &data, mode_of(s.default_mode), optional)?;
        return Ok(files(payload));
    }
    if let Some(d) = &volume.downward_api {
        let payload = collect_downward_api(
            d.items.as_deref().unwrap_or_default(),
            pod,
            mode_of(d.default_mode),
        )?;
        return Ok(files(payload));
    }
    if let Some(p) = &volume.projected {
        return Ok(files(projected_payload(p, pod, store, tokens)?));
    }
    if let Some(h) = &volume.host_path {
        return Ok(VolumeSource::HostPath {
            path: h.path.clone(),
            type_: h.type_.clone().unwrap_or_default(),
        });
    }
    // emptyDir, and the sources podplay does not model (a claim, a CSI driver, an image), which
    // the runtime gets as an empty directory.
    let empty_dir = volume.empty_dir.clone().unwrap_or_default();
    Ok(VolumeSource::EmptyDir {
        memory: empty_dir.medium.as_deref() == Some("Memory"),
        size_limit_bytes: empty_dir
            .size_limit
            .and_then(|q| Quantity::parse(&q.0))
            .and_then(whole_units),
    })
}

/// configmap `MakePayload`: every key (`data` and `binaryData`), or the listed items.
fn config_map_payload(
    items: Option<&[KeyToPath]>,
    cm: &ConfigMapData,
    default_mode: u32,
    optional: bool,
) -> Result<Payload, String> {
    let mut payload = Payload::new();
    match items {
        None | Some([]) => {
            for (k, v) in &cm.data {
                payload.insert(k.clone(), (v.clone().into_bytes(), default_mode));
            }
            for (k, v) in &cm.binary_data {
                payload.insert(k.clone(), (v.clone(), default_mode));
            }
        }
        Some(items) => {
            for ktp in items {
                let content = if let Some(s) = cm.data.get(&ktp.key) {
                    s.clone().into_bytes()
                } else if let Some(b) = cm.binary_data.get(&ktp.key) {
                    b.clone()
                } else if optional {
                    continue;
                } else {
                    return Err(format!(
                        "configmap references non-existent config key: {}",
                        ktp.key
                    ));
                };
                let mode = ktp.mode.map_or(default_mode, |m| mode_of(Some(m)));
                payload.insert(ktp.path.clone(), (content, mode));
            }
        }
    }
    Ok(payload)
}

/// secret `MakePayload`.
fn secret_payload(
    items: Option<&[KeyToPath]>,
    secret: &SecretData,
    default_mode: u32,
    optional: bool,
) -> Result<Payload, String> {
    let mut payload = Payload::new();
    match items {
        None | Some([]) => {
            for (k, v) in &secret.data {
                payload.insert(k.clone(), (v.clone(), default_mode));
            }
        }
        Some(items) => {
            for ktp in items {
                let Some(content) = secret.data.get(&ktp.key) else {
                    if optional {
                        continue;
                    }
                    return Err(format!("references non-existent secret key: {}", ktp.key));
                };
                let mode = ktp.mode.map_or(default_mode, |m| mode_of(Some(m)));
                payload.insert(ktp.path.clone(), (content.clone(), mode));
            }
        }
    }
    Ok(payload)
}

/// downwardapi `CollectData`: one file per item, the field's value with no final newline;
/// the errors of every item together (`utilerrors.NewAggregate`).
fn collect_downward_api(
    items: &[DownwardAPIVolumeFile],
    pod: &Pod,
    default_mode: u32,
) -> Result<Payload, String> {
    let mut payload = Payload::new();
    let mut errors = Vec::new();
    for item in items {
        let mode = item.mode.map_or(default_mode, |m| mode_of(Some(m)));
        let mut data = Vec::new();
        if let Some(field) = &item.field_ref {
            match env::extract_field_path_as_string(pod, &field.field_path) {
                Ok(v) => data = v.into_bytes(),
                Err(e) => errors.push(e),
            }
        } else if let Some(resource) = &item.resource_field_ref {
            let defaulted = env::default_pod_limits_for_downward_api(pod);
            let container = Container::default();
            match env::container_resource_value(resource, &defaulted, &container) {
                Ok(v) => data = v.into_bytes(),
                Err(e) => errors.push(e),
            }
        }
        payload.insert(clean_path(&item.path), (data, mode));
    }
    if errors.is_empty() {
        Ok(payload)
    } else {
        Err(aggregate(&errors))
    }
}

/// `utilerrors.NewAggregate(...).Error()`: one error as itself, several (without repeats) as
/// `[a, b]`.
fn aggregate(errors: &[String]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for e in errors {
        if !seen.contains(&e.as_str()) {
            seen.push(e);
        }
    }
    if seen.len() == 1 {
        seen[0].to_string()
    } else {
        format!("[{}]", seen.join(", "))
    }
}

/// Go's `filepath.Clean` for a relative path: no empty or `.` elements, `..` folded.
fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let cleaned = parts.join("/");
    match (path.starts_with('/'), cleaned.is_empty()) {
        (true, _) => format!("/{cleaned}"),
        (false, true) => ".".into(),
        (false, false) => cleaned,
    }
}

/// projected `collectData`: each source's files in one volume, later sources over earlier;
/// every source's error reported together.
fn projected_payload(
    p: &k8s_openapi::api::core::v1::ProjectedVolumeSource,
    pod: &Pod,
    store: &ObjectStore,
    tokens: &mut TokenIssuer,
) -> Result<Payload, String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let default_mode = mode_of(p.default_mode);
    let mut payload = Payload::new();
    let mut errors = Vec::new();
    for source in p.sources.iter().flatten() {
        if let Some(s) = &source.secret {
            let optional = s.optional.unwrap_or(false);
            let data = match store.secret(namespace, &s.name) {
                Ok(data) => data,
                Err(_) if optional => SecretData::default(),
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            match secret_payload(s.items.as_deref(), &data, default_mode, optional) {
                Ok(files) => payload.extend(files),
                Err(e) => errors.push(e),
            }
        } else if let Some(cm) = &source.config_map {
            let optional = cm.optional.unwrap_or(false);
            let data = match store.config_map(namespace, &cm.name) {
                Ok(data) => data,
                Err(_) if optional => ConfigMapData::default(),
                Err(e) => {
                    errors.push(e.to_string());
                    continue;
                }
            };
            match config_map_payload(cm.items.as_deref(), &data, default_mode, optional) {
                Ok(files) => payload.extend(files),
                Err(e) => errors.push(e),
            }
        } else if let Some(d) = &source.downward_api {
            match collect_downward_api(d.items.as_deref().unwrap_or_default(), pod, default_mode) {
                Ok(files) => payload.extend(files),
                Err(e) => errors.push(e),
            }
        } else if let Some(t) = &source.service_account_token {
            // With an fsGroup the file is 0600 (SetVolumeOwnership then makes it 0640).
            let fs_group = pod
                .spec
                .as_ref()
                .and_then(|s| s.security_context.as_ref())
                .is_some_and(|c| c.fs_group.is_some());
            let mode = if fs_group { 0o600 } else { default_mode };
            payload.insert(t.path.clone(), (tokens.token(pod, t).into_bytes(), mode));
        }
    }
    if errors.is_empty() {
        Ok(payload)
    } else {
        Err(aggregate(&errors))
    }
}

// --- hostname, DNS, labels -------------------------------------------------------------------

/// `GeneratePodHostNameAndDomain`: `spec.hostname` or the pod's name (cut to 63 characters,
/// without a trailing `-` or `.`), and with a subdomain, `<subdomain>.<ns>.svc.cluster.local`.
pub fn pod_hostname_and_domain(pod: &Pod) -> (String, String) {
    let spec = pod.spec.as_ref();
    let hostname = spec
        .and_then(|s| s.hostname.clone())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| pod.metadata.name.clone().unwrap_or_default());
    let hostname = if hostname.len() > 63 {
        let mut cut = 63;
        while !hostname.is_char_boundary(cut) {
            cut -= 1;
        }
        hostname[..cut].trim_end_matches(['-', '.']).to_string()
    } else {
        hostname
    };
    let domain = match spec.and_then(|s| s.subdomain.as_deref()) {
        Some(sub) if !sub.is_empty() => format!(
            "{sub}.{}.svc.{CLUSTER_DOMAIN}",
            pod.metadata.namespace.as_deref().unwrap_or("default")
        ),
        _ => String::new(),
    };
    (hostname, domain)
}

/// `util.GetNodenameForKernel`: with `setHostnameAsFQDN` and a domain, the FQDN (at most 64
/// characters, the kernel's nodename field).
pub fn node_name_for_kernel(
    hostname: &str,
    domain: &str,
    set_hostname_as_fqdn: Option<bool>,
) -> Result<String, String> {
    if !domain.is_empty() && set_hostname_as_fqdn == Some(true) {
        let fqdn = format!("{hostname}.{domain}");
        if fqdn.len() > 64 {
            return Err(format!(
                "failed to construct FQDN from pod hostname and cluster domain, FQDN {fqdn} is too long (64 characters is the max, {} characters requested)",
                fqdn.len()
            ));
        }
        return Ok(fqdn);
    }
    Ok(hostname.to_string())
}

/// `managedHostsFileContent`: the kubelet's /etc/hosts for a pod on the pod network.
pub fn managed_hosts_file_content(
    pod_ips: &[String],
    hostname: &str,
    domain: &str,
    aliases: &[HostAlias],
) -> String {
    let mut out = String::from("# Kubernetes-managed hosts file.\n");
    out.push_str("127.0.0.1\tlocalhost\n");
    out.push_str("::1\tlocalhost ip6-localhost ip6-loopback\n");
    out.push_str("fe00::0\tip6-localnet\n");
    out.push_str("fe00::0\tip6-mcastprefix\n");
    out.push_str("fe00::1\tip6-allnodes\n");
    out.push_str("fe00::2\tip6-allrouters\n");
    for ip in pod_ips {
        if domain.is_empty() {
            out.push_str(&format!("{ip}\t{hostname}\n"));
        } else {
            out.push_str(&format!("{ip}\t{hostname}.{domain}\t{hostname}\n"));
        }
    }
    out.push_str(&hosts_entries_from_host_aliases(aliases));
    out
}

/// `hostsEntriesFromHostAliases`.
fn hosts_entries_from_host_aliases(aliases: &[HostAlias]) -> String {
    if aliases.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n# Entries added by HostAliases.\n");
    for a in aliases {
        out.push_str(&format!(
            "{}\t{}\n",
            a.ip,
            a.hostnames.clone().unwrap_or_default().join("\t")
        ));
    }
    out
}

/// `GetPodDNS`, written out as the container runtime writes /etc/resolv.conf (search,
/// nameservers, options), with the `DNSConfigForming` warnings it records.
pub fn pod_dns(pod: &Pod) -> (String, Vec<String>) {
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    let host_network = spec.host_network.unwrap_or(false);
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let (host_servers, host_searches, host_options) = parse_resolv_conf(NODE_RESOLV_CONF);
    let policy = spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
    let (mut servers, mut searches, mut options) = match policy {
        "None" => (Vec::new(), Vec::new(), Vec::new()),
        "ClusterFirstWithHostNet" => cluster_dns(namespace, host_searches),
        "ClusterFirst" if !host_network => cluster_dns(namespace, host_searches),
        _ => (host_servers, host_searches, host_options),
    };
    if let Some(c) = &spec.dns_config {
        servers.extend(c.nameservers.clone().unwrap_or_default());
        servers = omit_duplicates(servers);
        searches.extend(c.searches.clone().unwrap_or_default());
        searches = omit_duplicates(searches);
        options = merge_dns_options(options, c.options.as_deref().unwrap_or_default());
    }
    let mut warnings = Vec::new();
    if servers.len() > MAX_DNS_NAMESERVERS {
        servers.truncate(MAX_DNS_NAMESERVERS);
        warnings.push(format!(
            "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: {}",
            servers.join(" ")
        ));
    }
    let mut out = String::new();
    if !searches.is_empty() {
        out.push_str(&format!("search {}\n", searches.join(" ")));
    }
    for s in &servers {
        out.push_str(&format!("nameserver {s}\n"));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    (out, warnings)
}

type DnsConfig = (Vec<String>, Vec<String>, Vec<String>);

/// ClusterFirst: the cluster DNS server only; the cluster's search domains before the node's
/// (`generateSearchesForDNSClusterFirst`); `ndots:5`.
fn cluster_dns(namespace: &str, host_searches: Vec<String>) -> DnsConfig {
    let mut searches = vec![
        format!("{namespace}.svc.{CLUSTER_DOMAIN}"),
        format!("svc.{CLUSTER_DOMAIN}"),
        CLUSTER_DOMAIN.to_string(),
    ];
    searches.extend(host_searches);
    (
        vec![CLUSTER_DNS.to_string()],
        omit_duplicates(searches),
        DEFAULT_DNS_OPTIONS.iter().map(|s| s.to_string()).collect(),
    )
}

/// `parseResolvConf`: nameservers accumulate; the last `search` and `options` lines win.
fn parse_resolv_conf(text: &str) -> DnsConfig {
    let (mut servers, mut searches, mut options) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            ["nameserver", server, ..] => servers.push(server.to_string()),
            ["search", rest @ ..] => {
                searches = rest
                    .iter()
                    .map(|s| s.strip_suffix('.').unwrap_or(s).to_string())
                    .collect()
            }
            ["options", rest @ ..] => options = rest.iter().map(|s| s.to_string()).collect(),
            _ => {}
        }
    }
    (servers, searches, options)
}

fn omit_duplicates(list: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in list {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// `mergeDNSOptions`: the pod's options override the base's of the same name. Go builds them
/// in a map (random order); podplay keeps the base's order, then the new names.
fn merge_dns_options(
    base: Vec<String>,
    extra: &[k8s_openapi::api::core::v1::PodDNSConfigOption],
) -> Vec<String> {
    let mut merged: Vec<(String, String)> = Vec::new();
    let mut set = |name: String, value: String| match merged.iter_mut().find(|(n, _)| *n == name) {
        Some(entry) => entry.1 = value,
        None => merged.push((name, value)),
    };
    for op in base {
        match op.split_once(':') {
            Some((n, v)) => set(n.to_string(), v.to_string()),
            None => set(op, String::new()),
        }
    }
    for op in extra {
        set(
            op.name.clone().unwrap_or_default(),
            op.value.clone().unwrap_or_default(),
        );
    }
    merged
        .into_iter()
        .map(|(n, v)| if v.is_empty() { n } else { format!("{n}:{v}") })
        .collect()
}

/// The sandbox's runtime labels: the pod's labels with the kubelet's own (`newPodLabels`), and
/// the annotations as `annotation.<key>` (dockershim's `makeLabels`).
fn sandbox_labels(pod: &Pod) -> BTreeMap<String, String> {
    let mut labels = pod.metadata.labels.clone().unwrap_or_default();
    for (k, v) in pod.metadata.annotations.iter().flatten() {
        labels.insert(format!("annotation.{k}"), v.clone());
    }
    labels.insert(
        "io.kubernetes.pod.name".into(),
        pod.metadata.name.clone().unwrap_or_default(),
    );
    labels.insert(
        "io.kubernetes.pod.namespace".into(),
        pod.metadata.namespace.clone().unwrap_or_default(),
    );
    labels.insert(
        "io.kubernetes.pod.uid".into(),
        pod.metadata.uid.clone().unwrap_or_default(),
    );
    labels
}

// --- a container's mounts --------------------------------------------------------------------

/// `makeMounts`: the container's volumeMounts in order (subPathExpr expanded against its
/// environment), then the kubelet's /etc/hosts unless the pod uses the node's network or the
/// container mounts something of its own there. Returns the mounts and the hosts file.
pub fn make_mounts(
    pod: &Pod,
    container: &Container,
    hostname: &str,
    domain: &str,
    pod_ips: &[String],
    env: &[(String, String)],
) -> Result<(Vec<Mount>, Option<String>), String> {
    let no_spec = PodSpec::default();
    let spec = pod.spec.as_ref().unwrap_or(&no_spec);
    let host_network = spec.host_network.unwrap_or(false);
    // shouldMountHostsFile: a pod-network pod with an IP. (A hostNetwork pod gets the node's
    // file with a header; podplay's runtimes keep the node's own.)
    let mut mount_etc_hosts = !pod_ips.is_empty() && !host_network;
    let volumes = spec.volumes.clone().unwrap_or_default();
    let mut mounts = Vec::new();
    for m in container.volume_mounts.iter().flatten() {
        mount_etc_hosts = mount_etc_hosts && m.mount_path != "/etc/hosts";
        let mut sub_path = m.sub_path.clone().unwrap_or_default();
        if let Some(expr) = m.sub_path_expr.as_deref().filter(|e| !e.is_empty()) {
            sub_path = env::expand_sub_path_expr(expr, env)?;
        }
        if !sub_path.is_empty() {
            if sub_path.starts_with('/') {
                return Err(format!(
                    "error SubPath `{sub_path}` must not be an absolute path"
                ));
            }
            if sub_path.split('/').any(|p| p == "..") {
                return Err(format!(
                    "unable to provision SubPath `{sub_path}`: must not contain '..'"
                ));
            }
        }
        // Volumes the kubelet writes are always mounted read-only (`GetAttributes().ReadOnly`).
        let always_read_only = volumes.iter().find(|v| v.name == m.name).is_some_and(|v| {
            v.config_map.is_some()
                || v.secret.is_some()
                || v.downward_api.is_some()
                || v.projected.is_some()
        });
        let container_path = if m.mount_path.starts_with('/') {
            m.mount_path.clone()
        } else {
            clean_path(&format!("/{}", m.mount_path))
        };
        mounts.push(Mount {
            volume: m.name.clone(),
            container_path,
            sub_path,
            read_only: m.read_only.unwrap_or(false) || always_read_only,
        });
    }
    let hosts = mount_etc_hosts.then(|| {
        mounts.push(Mount {
            volume: ETC_HOSTS_VOLUME.into(),
            container_path: "/etc/hosts".into(),
            sub_path: String::new(),
            read_only: false,
        });
        managed_hosts_file_content(
            pod_ips,
            hostname,
            domain,
            spec.host_aliases.as_deref().unwrap_or_default(),
        )
    });
    Ok((mounts, hosts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_has_no_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn paths_clean_as_go_cleans_them() {
        assert_eq!(clean_path("a//b/./c"), "a/b/c");
        assert_eq!(clean_path("a/../b"), "b");
        assert_eq!(clean_path("./"), ".");
        assert_eq!(clean_path("/etc/../x"), "/x");
    }

    #[test]
    fn dns_options_merge_by_name() {
        let extra = [k8s_openapi::api::core::v1::PodDNSConfigOption {
            name: Some("ndots".into()),
            value: Some("2".into()),
        }];
        assert_eq!(
            merge_dns_options(vec!["ndots:5".into(), "edns0".into()], &extra),
            ["ndots:2", "edns0"]
        );
    }
}
