//! API server defaulting: what a pod or workload looks like once the API server has stored it.
//!
//! Start reading at [`default_pod`]. It runs, in the API server's order:
//!
//! 1. scheme defaulting, `SetObjectDefaults_Pod` in pkg/apis/core/v1/zz_generated.defaults.go:
//!    [`SetDefaults_Pod`](set_defaults_pod), then [`default_pod_spec`] (`SetDefaults_PodSpec` and
//!    the nested volume, container, port, probe and handler defaults, in the generated order);
//! 2. the mutating admission plugins that touch every pod: ServiceAccount
//!    ([`admit_service_account`]), Priority ([`admit_priority`]) and DefaultTolerationSeconds
//!    ([`admit_default_toleration_seconds`]);
//! 3. the v1 conversion that mirrors `serviceAccountName` into the deprecated `serviceAccount`
//!    ([`mirror_deprecated_service_account`]).
//!
//! Workloads ([`default_deployment`], [`default_replica_set`], [`default_stateful_set`],
//! [`default_daemon_set`], [`default_job`]) get their own `SetDefaults_*` from
//! pkg/apis/apps/v1/defaults.go and pkg/apis/batch/v1/defaults.go, and their pod template gets
//! [`default_pod_spec`] only: `SetDefaults_Pod` (enableServiceLinks, requests from limits,
//! hostNetwork ports) and the admission plugins apply to pods, never to templates.
//!
//! What is modelled where, for the service account: the ServiceAccount *admission plugin* sets
//! `serviceAccountName: default` and mounts the projected token volume
//! `kube-api-access-<5 chars>` into every init and regular container (pods only, not mirror
//! pods, not with `automountServiceAccountToken: false`); the deprecated `serviceAccount` field
//! is not defaulted at all, it is the v1 conversion copying `serviceAccountName` on the way out.
//! The cluster has only each namespace's `default` ServiceAccount, with no
//! `automountServiceAccountToken` of its own and no `imagePullSecrets`. The volume name's five
//! characters are random in Kubernetes; podplay derives them from the document number and the
//! pod's name ([`simple_name_suffix`]), so the same input always gives the same name.
//!
//! Not modelled: registry-strategy fields (`status.phase`, `qosClass`, the Job's generated
//! selector and `controller-uid` labels), pod-level resources defaulting (only runs when
//! `spec.resources` is set), Quantity canonicalisation (`0.5` printed as `500m`) and the
//! gate-dependent StatefulSet `maxUnavailable` default.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet,
    RollingUpdateDaemonSet, RollingUpdateDeployment, RollingUpdateStatefulSetStrategy, StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, DownwardAPIProjection, DownwardAPIVolumeFile, EnvVar,
    HTTPGetAction, KeyToPath, Lifecycle, LifecycleHandler, ObjectFieldSelector, Pod,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ProjectedVolumeSource,
    ResourceRequirements, ServiceAccountTokenProjection, Toleration, Volume, VolumeMount,
    VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// `v1.DefaultTerminationGracePeriodSeconds`.
pub const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: i64 = 30;
/// `v1.DefaultSchedulerName`.
pub const DEFAULT_SCHEDULER_NAME: &str = "default-scheduler";
/// `v1.TerminationMessagePathDefault`.
pub const TERMINATION_MESSAGE_PATH_DEFAULT: &str = "/dev/termination-log";
/// `SecretVolumeSourceDefaultMode`, `ConfigMapVolumeSourceDefaultMode`,
/// `DownwardAPIVolumeSourceDefaultMode` and `ProjectedVolumeSourceDefaultMode`: 0644.
pub const VOLUME_DEFAULT_MODE: i32 = 0o644;
/// `DefaultServiceAccountName` in plugin/pkg/admission/serviceaccount.
pub const DEFAULT_SERVICE_ACCOUNT_NAME: &str = "default";
/// `ServiceAccountVolumeName` in plugin/pkg/admission/serviceaccount: the prefix of the token
/// volume's name (the plugin adds `-` and five random characters).
pub const SERVICE_ACCOUNT_VOLUME_NAME: &str = "kube-api-access";
/// `DefaultAPITokenMountPath` in plugin/pkg/admission/serviceaccount: where every container
/// finds `token`, `ca.crt` and `namespace`.
pub const DEFAULT_API_TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// `serviceaccount.WarnOnlyBoundTokenExpirationSeconds` (pkg/serviceaccount/claims.go,
/// `60*60 + 7`): the token volume's `expirationSeconds`.
pub const WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS: i64 = 60 * 60 + 7;
/// `--default-not-ready-toleration-seconds` and `--default-unreachable-toleration-seconds`.
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;
/// The annotation that marks a mirror pod (`kubetypes.ConfigMirrorAnnotationKey`).
pub const MIRROR_POD_ANNOTATION: &str = "kubernetes.io/config.mirror";

/// Go's `x == ""` for an optional string field.
fn unset(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(str::is_empty)
}

fn set_if_unset(s: &mut Option<String>, value: &str) {
    if unset(s) {
        *s = Some(value.to_string());
    }
}

/// Go's `x == 0` for an optional number field.
fn set_if_zero<T: Default + PartialEq + Copy>(n: &mut Option<T>, value: T) {
    if n.unwrap_or_default() == T::default() {
        *n = Some(value);
    }
}

/// Everything the API server does to a new pod before storing it: scheme defaulting, the
/// ServiceAccount, Priority and DefaultTolerationSeconds admission plugins, and the v1
/// conversion of `serviceAccount`. A pod the Priority plugin would reject keeps its priority
/// fields as given; call [`admit_priority`] for the rejection message.
///
/// The pod is taken as the first document of an input; [`default_pod_in_document`] names the
/// document (it picks the token volume's name).
pub fn default_pod(pod: &mut Pod) {
    default_pod_in_document(pod, 1);
}

/// [`default_pod`] for a pod that is the `document`th object (1-based) of an input: the
/// ServiceAccount plugin's token volume name derives from the document number and the pod's
/// name ([`token_volume_name`]).
pub fn default_pod_in_document(pod: &mut Pod, document: usize) {
    set_object_defaults_pod(pod);
    let volume_name = token_volume_name(document, pod.metadata.name.as_deref().unwrap_or(""));
    admit_service_account(pod, &volume_name);
    // Rejections are reported by `admit_priority` itself; here the pod is left as it was.
    let _ = admit_priority(pod);
    admit_default_toleration_seconds(pod);
    mirror_deprecated_service_account(pod);
}

/// Mirrors `SetObjectDefaults_Pod` in pkg/apis/core/v1/zz_generated.defaults.go: `SetDefaults_Pod`
/// first, then the spec and everything nested in it. A pod without a spec gets an empty one, as
/// Go's value-typed `Spec` always exists.
pub fn set_object_defaults_pod(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    set_defaults_pod(spec);
    default_pod_spec(spec);
}

/// Mirrors `SetDefaults_Pod` in pkg/apis/core/v1/defaults.go: requests default to limits for every
/// resource that has a limit and no request (regular and init containers, not ephemeral),
/// `enableServiceLinks` defaults to true, and with `hostNetwork` every container port's
/// `hostPort` defaults to its `containerPort` (`defaultHostNetworkPorts`).
pub fn set_defaults_pod(spec: &mut PodSpec) {
    for c in spec.containers.iter_mut() {
        requests_from_limits(c.resources.as_mut());
    }
    for c in spec.init_containers.iter_mut().flatten() {
        requests_from_limits(c.resources.as_mut());
    }
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    if spec.host_network == Some(true) {
        let init = spec.init_containers.iter_mut().flatten();
        for c in spec.containers.iter_mut().chain(init) {
            for p in c.ports.iter_mut().flatten() {
                set_if_zero(&mut p.host_port, p.container_port);
            }
        }
    }
}

/// The requests-from-limits half of `SetDefaults_Pod`. An empty `limits` map leaves everything
/// as it was (Go would make an empty `requests` map, which serializes as nothing).
fn requests_from_limits(resources: Option<&mut ResourceRequirements>) {
    let Some(r) = resources else { return };
    let Some(limits) = r.limits.as_ref().filter(|l| !l.is_empty()) else {
        return;
    };
    let requests = r.requests.get_or_insert_with(BTreeMap::new);
    for (k, v) in limits {
        requests.entry(k.clone()).or_insert_with(|| v.clone());
    }
}

/// Defaults a pod spec the way a pod template is defaulted (`SetObjectDefaults_PodTemplate`):
/// [`set_defaults_pod_spec`], then each volume, init container, container and ephemeral container
/// in that order, then `SetDefaults_ResourceList(&Overhead)` (a no-op here).
pub fn default_pod_spec(spec: &mut PodSpec) {
    set_defaults_pod_spec(spec);
    for v in spec.volumes.iter_mut().flatten() {
        default_volume(v);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        default_container(c);
    }
    for c in spec.containers.iter_mut() {
        default_container(c);
    }
    for c in spec.ephemeral_containers.iter_mut().flatten() {
        // SetDefaults_EphemeralContainer converts to a Container and back.
        set_defaults_container_fields(
            c.image.as_deref(),
            &mut c.image_pull_policy,
            &mut c.termination_message_path,
            &mut c.termination_message_policy,
        );
        default_container_nested(
            c.ports.as_mut(),
            c.env.as_mut(),
            [
                &mut c.liveness_probe,
                &mut c.readiness_probe,
                &mut c.startup_probe,
            ],
            c.lifecycle.as_mut(),
        );
    }
}

/// Mirrors `SetDefaults_PodSpec`: `dnsPolicy: ClusterFirst`, `restartPolicy: Always`,
/// `securityContext: {}`, `terminationGracePeriodSeconds: 30`, `schedulerName:
/// default-scheduler`.
pub fn set_defaults_pod_spec(spec: &mut PodSpec) {
    set_if_unset(&mut spec.dns_policy, "ClusterFirst");
    set_if_unset(&mut spec.restart_policy, "Always");
    if spec.security_context.is_none() {
        spec.security_context = Some(PodSecurityContext::default());
    }
    if spec.termination_grace_period_seconds.is_none() {
        spec.termination_grace_period_seconds = Some(DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS);
    }
    set_if_unset(&mut spec.scheduler_name, DEFAULT_SCHEDULER_NAME);
}

/// One volume, as the generated defaulter walks it: `SetDefaults_Volume` (no source means
/// `emptyDir: {}`; an `image` volume's `pullPolicy` from its reference's tag), then
/// `SetDefaults_HostPathVolumeSource` (`type: ""`), `SetDefaults_SecretVolumeSource`,
/// `SetDefaults_DownwardAPIVolumeSource` (with `SetDefaults_ObjectFieldSelector` on its items),
/// `SetDefaults_ConfigMapVolumeSource`, `SetDefaults_ProjectedVolumeSource` (with its downward API
/// items and `SetDefaults_ServiceAccountTokenProjection`, `expirationSeconds: 3600`). Every
/// `defaultMode` defaults to 420 (0644). The declarative ISCSI/RBD defaults are applied too.
pub fn default_volume(v: &mut Volume) {
    let name_only = Volume {
        name: v.name.clone(),
        ..Volume::default()
    };
    if *v == name_only {
        v.empty_dir = Some(Default::default());
    }
    if let Some(image) = v.image.as_mut() {
        if unset(&image.pull_policy) {
            // SetDefaults_Volume: Always only for an explicit or implied `latest` tag.
            let tag = image_tag(image.reference.as_deref().unwrap_or(""));
            let policy = if tag == "latest" {
                "Always"
            } else {
                "IfNotPresent"
            };
            image.pull_policy = Some(policy.to_string());
        }
    }
    if let Some(hp) = v.host_path.as_mut() {
        if hp.type_.is_none() {
            hp.type_ = Some(String::new());
        }
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(VOLUME_DEFAULT_MODE);
    }
    if let Some(iscsi) = v.iscsi.as_mut() {
        set_if_unset(&mut iscsi.iscsi_interface, "default");
    }
    if let Some(rbd) = v.rbd.as_mut() {
        set_if_unset(&mut rbd.pool, "rbd");
        set_if_unset(&mut rbd.user, "admin");
        set_if_unset(&mut rbd.keyring, "/etc/ceph/keyring");
    }
    if let Some(d) = v.downward_api.as_mut() {
        d.default_mode.get_or_insert(VOLUME_DEFAULT_MODE);
        for item in d.items.iter_mut().flatten() {
            if let Some(f) = item.field_ref.as_mut() {
                set_defaults_object_field_selector(f);
            }
        }
    }
    if let Some(cm) = v.config_map.as_mut() {
        cm.default_mode.get_or_insert(VOLUME_DEFAULT_MODE);
    }
    if let Some(p) = v.projected.as_mut() {
        p.default_mode.get_or_insert(VOLUME_DEFAULT_MODE);
        for source in p.sources.iter_mut().flatten() {
            if let Some(d) = source.downward_api.as_mut() {
                for item in d.items.iter_mut().flatten() {
                    if let Some(f) = item.field_ref.as_mut() {
                        set_defaults_object_field_selector(f);
                    }
                }
            }
            if let Some(t) = source.service_account_token.as_mut() {
                t.expiration_seconds.get_or_insert(3600);
            }
        }
    }
}

/// Mirrors `SetDefaults_ObjectFieldSelector`: `apiVersion: v1`.
pub fn set_defaults_object_field_selector(f: &mut ObjectFieldSelector) {
    set_if_unset(&mut f.api_version, "v1");
}

/// One container, as the generated defaulter walks it: `SetDefaults_Container`, each port's
/// `protocol: TCP` (the declarative `+default="TCP"`), env `fieldRef` selectors, the three probes
/// (`SetDefaults_Probe`, `SetDefaults_HTTPGetAction`, gRPC `service: ""`) and the lifecycle
/// handlers' `SetDefaults_HTTPGetAction`.
pub fn default_container(c: &mut Container) {
    set_defaults_container_fields(
        c.image.as_deref(),
        &mut c.image_pull_policy,
        &mut c.termination_message_path,
        &mut c.termination_message_policy,
    );
    default_container_nested(
        c.ports.as_mut(),
        c.env.as_mut(),
        [
            &mut c.liveness_probe,
            &mut c.readiness_probe,
            &mut c.startup_probe,
        ],
        c.lifecycle.as_mut(),
    );
}

/// Mirrors `SetDefaults_Container`: `imagePullPolicy` from the image (see [`image_pull_policy`]),
/// `terminationMessagePath: /dev/termination-log`, `terminationMessagePolicy: File`.
fn set_defaults_container_fields(
    image: Option<&str>,
    pull_policy: &mut Option<String>,
    termination_message_path: &mut Option<String>,
    termination_message_policy: &mut Option<String>,
) {
    if unset(pull_policy) {
        *pull_policy = Some(image_pull_policy(image.unwrap_or("")).to_string());
    }
    set_if_unset(termination_message_path, TERMINATION_MESSAGE_PATH_DEFAULT);
    set_if_unset(termination_message_policy, "File");
}

fn default_container_nested(
    ports: Option<&mut Vec<k8s_openapi::api::core::v1::ContainerPort>>,
    env: Option<&mut Vec<EnvVar>>,
    probes: [&mut Option<Probe>; 3],
    lifecycle: Option<&mut Lifecycle>,
) {
    for p in ports.into_iter().flatten() {
        set_if_unset(&mut p.protocol, "TCP");
    }
    for e in env.into_iter().flatten() {
        if let Some(f) = e.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            set_defaults_object_field_selector(f);
        }
    }
    for probe in probes.into_iter().flatten() {
        set_defaults_probe(probe);
        if let Some(h) = probe.http_get.as_mut() {
            set_defaults_http_get_action(h);
        }
        if let Some(g) = probe.grpc.as_mut() {
            // The declarative `+default=""` on GRPCAction.Service.
            g.service.get_or_insert_with(String::new);
        }
    }
    if let Some(l) = lifecycle {
        for handler in [l.post_start.as_mut(), l.pre_stop.as_mut()]
            .into_iter()
            .flatten()
        {
            default_lifecycle_handler(handler);
        }
    }
}

fn default_lifecycle_handler(h: &mut LifecycleHandler) {
    if let Some(g) = h.http_get.as_mut() {
        set_defaults_http_get_action(g);
    }
}

/// Mirrors `SetDefaults_Probe`: `timeoutSeconds: 1`, `periodSeconds: 10`, `successThreshold: 1`,
/// `failureThreshold: 3` (each replacing 0 or unset).
pub fn set_defaults_probe(p: &mut Probe) {
    set_if_zero(&mut p.timeout_seconds, 1);
    set_if_zero(&mut p.period_seconds, 10);
    set_if_zero(&mut p.success_threshold, 1);
    set_if_zero(&mut p.failure_threshold, 3);
}

/// Mirrors `SetDefaults_HTTPGetAction`: `path: /`, `scheme: HTTP`.
pub fn set_defaults_http_get_action(h: &mut HTTPGetAction) {
    set_if_unset(&mut h.path, "/");
    set_if_unset(&mut h.scheme, "HTTP");
}

/// The `imagePullPolicy` `SetDefaults_Container` gives an image: `Always` when the tag is
/// `latest`, written or implied (no tag and no digest), `IfNotPresent` otherwise, including for a
/// digest without a tag and for a name that does not parse (the error is ignored there).
pub fn image_pull_policy(image: &str) -> &'static str {
    if image_tag(image) == "latest" {
        "Always"
    } else {
        "IfNotPresent"
    }
}

/// The tag `parsers.ParseImageName` (pkg/util/parsers) returns: the written tag, `latest` when
/// there is neither tag nor digest, and "" when there is only a digest or the reference does not
/// parse as a docker reference (`reference.ParseNormalizedNamed`).
pub fn image_tag(image: &str) -> String {
    super::image::Reference::parse(image)
        .map(|r| r.image_name_tag())
        .unwrap_or_default()
}

/// Mirrors the mutating half of the ServiceAccount admission plugin
/// (plugin/pkg/admission/serviceaccount/admission.go `Admit`) on a pod create: a pod that names
/// no service account gets `default`; then, unless the pod says
/// `automountServiceAccountToken: false` (`shouldAutomount`: the pod's preference wins, then the
/// ServiceAccount's, which podplay's `default` accounts leave unset, so true),
/// [`mount_service_account_token`] with `volume_name` as `generateName`'s answer. Mirror pods
/// are left alone. The v1 `serviceAccount` alias is read as `Convert_v1_PodSpec_To_core_PodSpec`
/// reads it: when `serviceAccountName` is empty, the deprecated field names the account.
///
/// The plugin's other steps change nothing here: every namespace's `default` ServiceAccount
/// exists (`getServiceAccount` finds it) and has no `imagePullSecrets` to copy.
pub fn admit_service_account(pod: &mut Pod, volume_name: &str) {
    let mirror = pod
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_POD_ANNOTATION));
    if mirror {
        return;
    }
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    if unset(&spec.service_account_name) {
        spec.service_account_name = Some(
            spec.service_account
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| DEFAULT_SERVICE_ACCOUNT_NAME.to_string()),
        );
    }
    // shouldAutomount, with the ServiceAccount's own setting unset.
    if spec.automount_service_account_token != Some(false) {
        mount_service_account_token(spec, volume_name);
    }
}

/// Mirrors the plugin's `mountServiceAccountToken`: a volume whose name starts with
/// `kube-api-access-` is the token volume already (its name is reused, and no volume is added);
/// otherwise the volume is named `generated_name`. Every init container, then every container,
/// that mounts nothing at [`DEFAULT_API_TOKEN_MOUNT_PATH`] gets a read-only mount of it there,
/// appended after its own; the volume ([`token_volume_source`]) is appended after the pod's
/// volumes when a container needs it and it was not there. Ephemeral containers are not
/// touched: the plugin does not mount into them (and they cannot be set on create).
pub fn mount_service_account_token(spec: &mut PodSpec, generated_name: &str) {
    let prefix = format!("{SERVICE_ACCOUNT_VOLUME_NAME}-");
    let existing = spec
        .volumes
        .iter()
        .flatten()
        .find(|v| v.name.starts_with(&prefix))
        .map(|v| v.name.clone());
    let has_token_volume = existing.is_some();
    let volume_name = existing.unwrap_or_else(|| generated_name.to_string());

    let mount = VolumeMount {
        name: volume_name.clone(),
        read_only: Some(true),
        mount_path: DEFAULT_API_TOKEN_MOUNT_PATH.to_string(),
        ..VolumeMount::default()
    };
    let mut needs_token_volume = false;
    let init = spec.init_containers.iter_mut().flatten();
    for c in init.chain(spec.containers.iter_mut()) {
        let mounts = c.volume_mounts.get_or_insert_with(Vec::new);
        // Existing mounts at the default mount path prevent mounting of the API token.
        if !mounts
            .iter()
            .any(|m| m.mount_path == DEFAULT_API_TOKEN_MOUNT_PATH)
        {
            mounts.push(mount.clone());
            needs_token_volume = true;
        }
    }

    if !has_token_volume && needs_token_volume {
        spec.volumes.get_or_insert_with(Vec::new).push(Volume {
            name: volume_name,
            projected: Some(token_volume_source()),
            ..Volume::default()
        });
    }
}

/// Mirrors the plugin's `TokenVolumeSource`: a service account token (`token`, valid for
/// [`WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS`]), the cluster's CA (`ca.crt` from the
/// `kube-root-ca.crt` ConfigMap) and the pod's namespace (`namespace`, from the downward API),
/// with `defaultMode` 420 set explicitly (kubernetes#104464).
pub fn token_volume_source() -> ProjectedVolumeSource {
    ProjectedVolumeSource {
        default_mode: Some(VOLUME_DEFAULT_MODE),
        sources: Some(vec![
            VolumeProjection {
                service_account_token: Some(ServiceAccountTokenProjection {
                    path: "token".to_string(),
                    expiration_seconds: Some(WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS),
                    audience: None,
                }),
                ..VolumeProjection::default()
            },
            VolumeProjection {
                config_map: Some(ConfigMapProjection {
                    name: "kube-root-ca.crt".to_string(),
                    items: Some(vec![KeyToPath {
                        key: "ca.crt".to_string(),
                        path: "ca.crt".to_string(),
                        mode: None,
                    }]),
                    optional: None,
                }),
                ..VolumeProjection::default()
            },
            VolumeProjection {
                downward_api: Some(DownwardAPIProjection {
                    items: Some(vec![DownwardAPIVolumeFile {
                        path: "namespace".to_string(),
                        field_ref: Some(ObjectFieldSelector {
                            api_version: Some("v1".to_string()),
                            field_path: "metadata.namespace".to_string(),
                        }),
                        ..DownwardAPIVolumeFile::default()
                    }]),
                }),
                ..VolumeProjection::default()
            },
        ]),
    }
}

/// The alphabet of `names.SimpleNameGenerator` (k8s.io/apiserver/pkg/storage/names, through
/// `utilrand.String`): consonants and digits that cannot spell words.
pub const SIMPLE_NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The five characters `names.SimpleNameGenerator.GenerateName` appends to a base name. The real
/// ones are random; podplay takes them from `seed` through splitmix64's finaliser, so the same
/// input always gives the same name.
pub fn simple_name_suffix(seed: u64) -> String {
    let mut x = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (0..5)
        .map(|i| {
            let n = (x >> (i * 12)) % SIMPLE_NAME_ALPHABET.len() as u64;
            SIMPLE_NAME_ALPHABET[n as usize] as char
        })
        .collect()
}

/// The ServiceAccount plugin's `generateName("kube-api-access-")` for the pod named `pod_name`
/// in the `document`th object of an input: the suffix is seeded with the pod's name (FNV-1a)
/// and the document number, so two pods of one input get different names.
pub fn token_volume_name(document: usize, pod_name: &str) -> String {
    let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
    for b in pod_name.bytes() {
        seed ^= u64::from(b);
        seed = seed.wrapping_mul(0x0100_0000_01b3);
    }
    seed ^= (document as u64).rotate_left(32);
    format!("{SERVICE_ACCOUNT_VOLUME_NAME}-{}", simple_name_suffix(seed))
}

/// Mirrors `Convert_core_PodSpec_To_v1_PodSpec` in pkg/apis/core/v1/conversion.go:
/// `out.DeprecatedServiceAccount = in.ServiceAccountName`, after reading the alias back in as
/// `Convert_v1_PodSpec_To_core_PodSpec` does. Applies to any pod spec, templates included.
pub fn mirror_deprecated_service_account_in_spec(spec: &mut PodSpec) {
    if unset(&spec.service_account_name) && !unset(&spec.service_account) {
        spec.service_account_name = spec.service_account.clone();
    }
    spec.service_account = spec.service_account_name.clone().filter(|s| !s.is_empty());
}

/// [`mirror_deprecated_service_account_in_spec`] on a pod.
pub fn mirror_deprecated_service_account(pod: &mut Pod) {
    if let Some(spec) = pod.spec.as_mut() {
        mirror_deprecated_service_account_in_spec(spec);
    }
}

/// The built-in PriorityClasses the API server creates (`SystemPriorityClasses` in
/// pkg/apis/scheduling), with their values; their `preemptionPolicy` defaults to
/// `PreemptLowerPriority`.
pub const SYSTEM_PRIORITY_CLASSES: &[(&str, i32)] = &[
    ("system-node-critical", 2_000_001_000),
    ("system-cluster-critical", 2_000_000_000),
];

/// Mirrors `admitPod` of the Priority admission plugin (plugin/pkg/admission/priority) on create,
/// in a cluster with no global-default PriorityClass and only the built-in classes: no
/// `priorityClassName` gives `priority: 0` and `preemptionPolicy: PreemptLowerPriority`; a
/// built-in class gives its value. Errors are the API server's 403 messages, e.g.
/// `pods "x" is forbidden: no PriorityClass with name gold was found`; on error the pod is left
/// unchanged.
pub fn admit_priority(pod: &mut Pod) -> Result<(), String> {
    let name = pod_name_for_admission(pod);
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    let class = spec.priority_class_name.clone().unwrap_or_default();
    let priority = if class.is_empty() {
        0 // scheduling.DefaultPriorityWhenNoDefaultClassExists
    } else {
        match SYSTEM_PRIORITY_CLASSES.iter().find(|(n, _)| *n == class) {
            Some((_, value)) => *value,
            None => {
                return Err(forbidden(
                    &name,
                    &format!("no PriorityClass with name {class} was found"),
                ))
            }
        }
    };
    if let Some(given) = spec.priority {
        if given != priority {
            return Err(forbidden(
                &name,
                &format!(
                    "the integer value of priority ({given}) must not be provided in pod spec; \
                     priority admission controller computed {priority} from the given \
                     PriorityClass name"
                ),
            ));
        }
    }
    let policy = "PreemptLowerPriority";
    if let Some(given) = spec.preemption_policy.as_deref() {
        if given != policy {
            return Err(forbidden(
                &name,
                &format!(
                    "the string value of PreemptionPolicy ({given}) must not be provided in pod \
                     spec; priority admission controller computed {policy} from the given \
                     PriorityClass name"
                ),
            ));
        }
    }
    spec.priority = Some(priority);
    spec.preemption_policy = Some(policy.to_string());
    Ok(())
}

/// The name `admission.NewForbidden` reports: the pod's name, else its `generateName`, else
/// `Unknown` (`extractResourceName`).
fn pod_name_for_admission(pod: &Pod) -> String {
    let m = &pod.metadata;
    m.name
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| m.generate_name.clone().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "Unknown".to_string())
}

/// `apierrors.NewForbidden(pods, name, err).Error()`.
fn forbidden(name: &str, err: &str) -> String {
    format!(
        "pods {} is forbidden: {err}",
        crate::api::admission::go_quote(name)
    )
}

/// Mirrors the DefaultTolerationSeconds admission plugin
/// (plugin/pkg/admission/defaulttolerationseconds/admission.go): unless a toleration already
/// covers it (same key or empty key, effect `NoExecute` or empty), the pod tolerates
/// `node.kubernetes.io/not-ready` and then `node.kubernetes.io/unreachable` for 300 seconds.
pub fn admit_default_toleration_seconds(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    let covers = |t: &Toleration, key: &str| {
        let k = t.key.as_deref().unwrap_or("");
        let e = t.effect.as_deref().unwrap_or("");
        (k == key || k.is_empty()) && (e == "NoExecute" || e.is_empty())
    };
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerations.iter().any(|t| covers(t, key)) {
            tolerations.push(Toleration {
                key: Some(key.to_string()),
                operator: Some("Exists".to_string()),
                effect: Some("NoExecute".to_string()),
                toleration_seconds: Some(DEFAULT_TOLERATION_SECONDS),
                value: None,
            });
        }
    }
    if tolerations.is_empty() {
        spec.tolerations = None;
    }
}

/// The pod template of a workload: [`default_pod_spec`] (the generated defaulters call the core
/// `SetDefaults_PodSpec` and nested defaults on `Spec.Template.Spec`) and the v1 `serviceAccount`
/// mirror.
pub fn default_pod_template(template: &mut PodTemplateSpec) {
    let spec = template.spec.get_or_insert_with(PodSpec::default);
    default_pod_spec(spec);
    mirror_deprecated_service_account_in_spec(spec);
}

fn percent(p: &str) -> IntOrString {
    IntOrString::String(p.to_string())
}

/// Mirrors `SetDefaults_Deployment` in pkg/apis/apps/v1/defaults.go, then the template:
/// `replicas: 1`, strategy `RollingUpdate` with `maxUnavailable: 25%` and `maxSurge: 25%`,
/// `revisionHistoryLimit: 10`, `progressDeadlineSeconds: 600`.
pub fn default_deployment(d: &mut Deployment) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    let strategy = spec
        .strategy
        .get_or_insert_with(DeploymentStrategy::default);
    set_if_unset(&mut strategy.type_, "RollingUpdate");
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy
            .rolling_update
            .get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable.get_or_insert_with(|| percent("25%"));
        ru.max_surge.get_or_insert_with(|| percent("25%"));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    default_pod_template(&mut spec.template);
}

/// Mirrors `SetDefaults_ReplicaSet`: `replicas: 1`, then the template.
pub fn default_replica_set(rs: &mut ReplicaSet) {
    let spec = rs.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    if let Some(t) = spec.template.as_mut() {
        default_pod_template(t);
    }
}

/// Mirrors `SetDefaults_StatefulSet`: `podManagementPolicy: OrderedReady`, update strategy
/// `RollingUpdate` with `partition: 0`, `persistentVolumeClaimRetentionPolicy` `Retain`/`Retain`
/// (StatefulSetAutoDeletePVC is GA), `replicas: 1`, `revisionHistoryLimit: 10`, then the
/// template. `rollingUpdate.maxUnavailable` depends on the MaxUnavailableStatefulSet gate and is
/// left unset.
pub fn default_stateful_set(s: &mut StatefulSet) {
    let spec = s.spec.get_or_insert_with(Default::default);
    set_if_unset(&mut spec.pod_management_policy, "OrderedReady");
    let us = spec
        .update_strategy
        .get_or_insert_with(StatefulSetUpdateStrategy::default);
    if unset(&us.type_) {
        us.type_ = Some("RollingUpdate".to_string());
        us.rolling_update
            .get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if us.type_.as_deref() == Some("RollingUpdate") {
        if let Some(ru) = us.rolling_update.as_mut() {
            ru.partition.get_or_insert(0);
        }
    }
    let retention = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    set_if_unset(&mut retention.when_deleted, "Retain");
    set_if_unset(&mut retention.when_scaled, "Retain");
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    default_pod_template(&mut spec.template);
}

/// Mirrors `SetDefaults_DaemonSet`: update strategy `RollingUpdate` with `maxUnavailable: 1` and
/// `maxSurge: 0`, `revisionHistoryLimit: 10`, then the template.
pub fn default_daemon_set(ds: &mut DaemonSet) {
    let spec = ds.spec.get_or_insert_with(Default::default);
    let us = spec
        .update_strategy
        .get_or_insert_with(DaemonSetUpdateStrategy::default);
    set_if_unset(&mut us.type_, "RollingUpdate");
    if us.type_.as_deref() == Some("RollingUpdate") {
        let ru = us
            .rolling_update
            .get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    default_pod_template(&mut spec.template);
}

/// Mirrors `SetDefaults_Job` in pkg/apis/batch/v1/defaults.go: `completions` and `parallelism` 1
/// when both are unset (else only `parallelism: 1`), `backoffLimit` 6 (2147483647 with
/// `backoffLimitPerIndex`), the template's labels as the Job's when it has none,
/// `completionMode: NonIndexed`, `suspend: false`, `podReplacementPolicy` `Failed` with a
/// `podFailurePolicy` and `TerminatingOrFailed` otherwise, `manualSelector: false`, and
/// `SetDefaults_PodFailurePolicyOnPodConditionsPattern` (`status: "True"`); then the template.
pub fn default_job(job: &mut Job) {
    let spec = job.spec.get_or_insert_with(Default::default);
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        let limit = if spec.backoff_limit_per_index.is_some() {
            i32::MAX
        } else {
            6
        };
        spec.backoff_limit = Some(limit);
    }
    let template_labels = spec
        .template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone());
    if let Some(labels) = template_labels {
        if job.metadata.labels.as_ref().is_none_or(BTreeMap::is_empty) {
            job.metadata.labels = Some(labels);
        }
    }
    set_if_unset(&mut spec.completion_mode, "NonIndexed");
    spec.suspend.get_or_insert(false);
    if spec.pod_replacement_policy.is_none() {
        let policy = if spec.pod_failure_policy.is_some() {
            "Failed"
        } else {
            "TerminatingOrFailed"
        };
        spec.pod_replacement_policy = Some(policy.to_string());
    }
    spec.manual_selector.get_or_insert(false);
    if let Some(pfp) = spec.pod_failure_policy.as_mut() {
        for rule in pfp.rules.iter_mut() {
            for pattern in rule.on_pod_conditions.iter_mut().flatten() {
                set_if_unset(&mut pattern.status, "True");
            }
        }
    }
    default_pod_template(&mut spec.template);
}
