//! The API objects the kubelet reads besides pods: ConfigMaps, Secrets and Services, as
//! `kubectl apply` ([`super::UserAction::Apply`]) created them. The kubelet reaches them through
//! its `configMapManager`, `secretManager` and `serviceLister`; here they are one small store
//! keyed by `(namespace, name)`, in `BTreeMap`s so every walk is in a fixed order.
//!
//! Like a real cluster, every namespace has the `kube-root-ca.crt` ConfigMap (the
//! root-ca-cert-publisher controller's, key `ca.crt`), and `default` has the `kubernetes`
//! Service (ClusterIP `10.96.0.1`, port `https` 443, as kubeadm and kind set it up).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};

/// The root CA every namespace's `kube-root-ca.crt` carries: a self-signed `CN=kubernetes` RSA
/// certificate, valid from 2025-12-30 for ten years, as kubeadm's CA is.
pub const KUBE_ROOT_CA_CRT: &str = "-----BEGIN CERTIFICATE-----
MIIC7jCCAdagAwIBAgIIHy49TFtqeYgwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE
AwwKa3ViZXJuZXRlczAeFw0yNTEyMzAxMDAwMDBaFw0zNTEyMjgxMDAwMDBaMBUx
EzARBgNVBAMMCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQChTUM8D6yVU3gJAFPVbRN3jRRQPGwKCJnwpTovDbwufHGSUCVGEAzMXLCS
XxwuLErMFrgLvGqBoKpMxhg24ts2gS/5I3HeCMuLBRh5s2meAXx1pKwaFCZFv0lO
N4WwEnmz9TNYgY/SF/inb5WmE289n3jplWmba0i24sw26YK8accBglomLezwJMjj
Vfkm4zNkJct+wjR+a7m2wkT/6f6ars5Z3yvMU6IYf07JUkYjJdkeWysIfT2aA91U
YEjwxWxDsJgSaEm2O7u9XuKQf2hLWdTej7xrtAz4hsOgaZtBN5vQvRzQMcQwD0G3
ScU24LyjpXECtov9KaCLfErAmBrHAgMBAAGjQjBAMA4GA1UdDwEB/wQEAwICpDAP
BgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBQ+FRmqbIt4RJLmkMUZ+tROPnF4sjAN
BgkqhkiG9w0BAQsFAAOCAQEAnXY2+0BjtZQxy3ihUPiEXz2+IJqkUxrTjXdN4DOH
QXnnYaiHidniC+8TV4BYP7KAZddnVjVQDN11/1St3v3KRK4Vk8Vu3zpWC38R37Ct
uEr7rbz2o6FCZkpt1DH0hFIVwHs94VH3EaSPYgDTeYAuWXzWH0YAoOxdrDrCfU0D
XDyIf4d2pNrsafsB9WQq3Zu+dQv/A57f/mlPMlAfJmoYNm7zFjv5iJzzQVAKK9xM
gx+21D/bI+/HPUqBOJFuPGlfyAT15N+HkvDKhhlgXRWXbuZbR79yV2lIdA3k5PUn
U3Z54EAAXeXiheB22/Yxwa5l4lSdG6ACQeYFpdZ4F7GQ9w==
-----END CERTIFICATE-----
";

/// The ConfigMap the root-ca-cert-publisher keeps in every namespace.
pub const KUBE_ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";

/// The `kubernetes` Service's ClusterIP (the first address of kubeadm's default service CIDR
/// `10.96.0.0/12`).
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";

/// A ConfigMap's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigMapData {
    pub data: BTreeMap<String, String>,
    pub binary_data: BTreeMap<String, Vec<u8>>,
}

/// A Secret's contents: `data` decoded from base64, with `stringData` merged over it (the API
/// server's v1 conversion does that on write, `stringData` winning).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretData {
    pub data: BTreeMap<String, Vec<u8>>,
}

/// One port of a Service, as `envvars.FromServices` reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServicePort {
    pub name: String,
    pub port: i32,
    /// `TCP` when unset.
    pub protocol: String,
}

/// A Service, as the kubelet's service environment variables need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceData {
    pub name: String,
    /// `""` or `None` for a headless Service (no variables).
    pub cluster_ip: String,
    pub ports: Vec<ServicePort>,
}

/// Why a lookup failed: the API server's NotFound as the kubelet's managers word it
/// (`apierrors.NewNotFound(corev1.Resource("configmap"), name)`): `configmap "x" not found`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotFound {
    /// `configmap` or `secret`.
    pub resource: &'static str,
    pub name: String,
}

impl std::fmt::Display for NotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} not found",
            self.resource,
            crate::go::quote(&self.name)
        )
    }
}

/// What `kubectl apply` did with one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    Created,
    Configured,
    Unchanged,
}

impl Applied {
    /// kubectl's verb for it.
    pub fn verb(self) -> &'static str {
        match self {
            Applied::Created => "created",
            Applied::Configured => "configured",
            Applied::Unchanged => "unchanged",
        }
    }
}

/// See the module documentation.
#[derive(Clone, Debug, Default)]
pub struct ObjectStore {
    config_maps: BTreeMap<(String, String), ConfigMapData>,
    secrets: BTreeMap<(String, String), SecretData>,
    services: BTreeMap<(String, String), ServiceData>,
    /// ClusterIPs handed out so far, for the next Service that asks for one.
    allocated_ips: u64,
}

fn key(namespace: &str, name: &str) -> (String, String) {
    (namespace.to_string(), name.to_string())
}

fn put<V: PartialEq>(
    map: &mut BTreeMap<(String, String), V>,
    k: (String, String),
    value: V,
) -> Applied {
    match map.get(&k) {
        Some(old) if *old == value => Applied::Unchanged,
        Some(_) => {
            map.insert(k, value);
            Applied::Configured
        }
        None => {
            map.insert(k, value);
            Applied::Created
        }
    }
}

impl ObjectStore {
    /// Stores a ConfigMap the API server has accepted.
    pub fn apply_config_map(&mut self, namespace: &str, cm: &ConfigMap) -> Applied {
        let name = cm.metadata.name.clone().unwrap_or_default();
        let data = ConfigMapData {
            data: cm.data.clone().unwrap_or_default(),
            binary_data: cm
                .binary_data
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.0.clone()))
                .collect(),
        };
        put(&mut self.config_maps, key(namespace, &name), data)
    }

    /// Stores a Secret the API server has accepted (`stringData` merged into `data`).
    pub fn apply_secret(&mut self, namespace: &str, secret: &Secret) -> Applied {
        let name = secret.metadata.name.clone().unwrap_or_default();
        let mut data: BTreeMap<String, Vec<u8>> = secret
            .data
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        for (k, v) in secret.string_data.iter().flatten() {
            data.insert(k.clone(), v.clone().into_bytes());
        }
        put(
            &mut self.secrets,
            key(namespace, &name),
            SecretData { data },
        )
    }

    /// Stores a Service the API server has accepted. One that asks for a ClusterIP (none
    /// given) gets one from `10.96.0.0/12`; the real allocator picks at random, podplay picks
    /// from the count of Services so the same input gives the same address.
    pub fn apply_service(&mut self, namespace: &str, service: &Service) -> Applied {
        let name = service.metadata.name.clone().unwrap_or_default();
        let spec = service.spec.clone().unwrap_or_default();
        let k = key(namespace, &name);
        let cluster_ip = match spec.cluster_ip.as_deref() {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ if spec.type_.as_deref() == Some("ExternalName") => String::new(),
            _ => match self.services.get(&k) {
                Some(old) => old.cluster_ip.clone(),
                None => self.allocate_ip(),
            },
        };
        let ports = spec
            .ports
            .iter()
            .flatten()
            .map(|p| ServicePort {
                name: p.name.clone().unwrap_or_default(),
                port: p.port,
                protocol: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
            })
            .collect();
        put(
            &mut self.services,
            k,
            ServiceData {
                name,
                cluster_ip,
                ports,
            },
        )
    }

    /// A ClusterIP in `10.96.0.0/12` other than the `kubernetes` Service's and kube-dns's.
    fn allocate_ip(&mut self) -> String {
        loop {
            self.allocated_ips += 1;
            // A small deterministic mix of the count (splitmix64's finaliser).
            let mut x = self.allocated_ips.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            x ^= x >> 31;
            let host = x % (1 << 20);
            let (b, c, d) = (96 + (host >> 16), (host >> 8) & 0xff, host & 0xff);
            let ip = format!("10.{b}.{c}.{d}");
            let taken = self.services.values().any(|s| s.cluster_ip == ip);
            if d != 0 && d != 255 && ip != KUBERNETES_SERVICE_IP && ip != "10.96.0.10" && !taken {
                return ip;
            }
        }
    }

    /// `configMapManager.GetConfigMap`.
    pub fn config_map(&self, namespace: &str, name: &str) -> Result<ConfigMapData, NotFound> {
        if let Some(cm) = self.config_maps.get(&key(namespace, name)) {
            return Ok(cm.clone());
        }
        if name == KUBE_ROOT_CA_CONFIG_MAP {
            let mut data = BTreeMap::new();
            data.insert("ca.crt".to_string(), KUBE_ROOT_CA_CRT.to_string());
            return Ok(ConfigMapData {
                data,
                binary_data: BTreeMap::new(),
            });
        }
        Err(NotFound {
            resource: "configmap",
            name: name.to_string(),
        })
    }

    /// `secretManager.GetSecret`.
    pub fn secret(&self, namespace: &str, name: &str) -> Result<SecretData, NotFound> {
        self.secrets
            .get(&key(namespace, name))
            .cloned()
            .ok_or_else(|| NotFound {
                resource: "secret",
                name: name.to_string(),
            })
    }

    /// The Services whose variables a pod in `namespace` gets (`getServiceEnvVarMap`): the
    /// `kubernetes` master Service from `default` always, and, with `enableServiceLinks`, every
    /// other Service of the pod's namespace that has a ClusterIP. In name order.
    pub fn services_for(&self, namespace: &str, enable_service_links: bool) -> Vec<ServiceData> {
        let mut by_name: BTreeMap<String, ServiceData> = BTreeMap::new();
        by_name.insert(
            "kubernetes".into(),
            self.services
                .get(&key("default", "kubernetes"))
                .cloned()
                .unwrap_or_else(|| ServiceData {
                    name: "kubernetes".into(),
                    cluster_ip: KUBERNETES_SERVICE_IP.into(),
                    ports: vec![ServicePort {
                        name: "https".into(),
                        port: 443,
                        protocol: "TCP".into(),
                    }],
                }),
        );
        if enable_service_links {
            for ((ns, name), s) in &self.services {
                if ns == namespace && !(ns == "default" && name == "kubernetes") {
                    by_name.insert(name.clone(), s.clone());
                }
            }
        }
        by_name
            .into_values()
            .filter(|s| is_service_ip_set(&s.cluster_ip) && !s.ports.is_empty())
            .collect()
    }
}

/// `v1helper.IsServiceIPSet`: a ClusterIP that is neither empty nor `None`.
fn is_service_ip_set(ip: &str) -> bool {
    !ip.is_empty() && ip != "None"
}
