//! The image catalogue: which images exist, what their configs say (entrypoint, cmd, env,
//! working directory, stop signal, exposed ports, size) and what their root file systems hold.
//!
//! [`resolve`] reads a reference as containerd does (Docker Hub's `library/` namespace, tags,
//! digests, registry prefixes) and answers with the image or with the error the registry gives;
//! [`build_root`] lays the image's files out in a tree, which the runtime copies per container.
//!
//! The configs mirror the real images' (`docker inspect`): busybox, alpine, debian, ubuntu, nginx,
//! httpd, redis, registry.k8s.io/pause, registry.k8s.io/e2e-test-images/agnhost, polinux/stress,
//! python and node. Their userlands are busybox's applets ([`crate::busybox::APPLETS`]) under the
//! names the real distribution uses: a Debian image has `/usr/bin/ls` (coreutils there, busybox
//! here) and no `ps`, an Alpine image links every applet to `/bin/busybox`, the busybox image
//! holds hard links (plain files here), and pause holds `/pause` alone. `bash` and `dash` are
//! busybox's ash (Debian's `/bin/sh` is dash; bash itself is not modelled).
//!
//! Sizes are what containerd reports after a pull (compressed layers), taken from real `Pulled`
//! events where one was found and rounded estimates otherwise. Image IDs and repo digests are real
//! where noted and otherwise derived deterministically from the reference, so the same run
//! prints the same `imageID`.

use podplay_engine::api::image::Reference;
use podplay_engine::time::Time;

use crate::busybox::{is_applet, APPLETS};
use crate::fs::{Fs, Mount, TreeId};
use crate::kernel::Signal;
use crate::programs::{binary, binary_with};

/// An image as the runtime knows it after a pull.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    /// The familiar repository name: `nginx`, `registry.k8s.io/pause`, `polinux/stress`.
    pub repository: &'static str,
    /// The tag the reference resolved through (`latest` when none was written, "" for a digest).
    pub tag: String,
    /// The fully qualified reference: `docker.io/library/nginx:1.27`.
    pub reference: String,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub env: Vec<(String, String)>,
    /// `WorkingDir` of the config; "" means `/`.
    pub working_dir: String,
    /// `StopSignal` of the config (SIGTERM when the image names none).
    pub stop_signal: Signal,
    /// What containerd reports as the image's size.
    pub size_bytes: u64,
    pub exposed_ports: Vec<u16>,
    /// The config digest, as `crictl images` and the CRI's `ImageStatus.id` show it.
    pub id: String,
    /// The manifest (repo) digest, as `imageID` in the pod status shows it.
    pub digest: String,
    /// The distribution the root file system comes from.
    pub os: Os,
    /// What the image adds on top of its distribution.
    pub software: Software,
}

impl Image {
    /// `imageID` as the kubelet reports it for containerd: `docker.io/library/nginx@sha256:…`.
    pub fn image_id(&self) -> String {
        let name = match self.reference.split_once('@') {
            Some((name, _)) => name.to_string(),
            None => {
                let last_slash = self.reference.rfind('/').map_or(0, |i| i + 1);
                match self.reference[last_slash..].rfind(':') {
                    Some(i) => self.reference[..last_slash + i].to_string(),
                    None => self.reference.clone(),
                }
            }
        };
        format!("{name}@{}", self.digest)
    }
}

/// A distribution's userland.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Os {
    /// The busybox image: `/bin/busybox` and a hard link per applet, no package manager.
    Busybox,
    /// Alpine Linux at `VERSION_ID` (`3.21.3`): busybox with symlinks.
    Alpine { version: &'static str },
    /// Debian (`12`, `bookworm`, the point release `12.9`).
    Debian {
        version: &'static str,
        codename: &'static str,
        point: &'static str,
    },
    /// Ubuntu (`24.04`, `noble`, `Noble Numbat`, `24.04.3`).
    Ubuntu {
        version: &'static str,
        codename: &'static str,
        name: &'static str,
        point: &'static str,
    },
    /// Nothing but what the image adds (`FROM scratch`).
    Scratch,
}

/// What an image adds on top of its distribution, with the versions its programs print.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Software {
    /// Just the userland (busybox, alpine, debian, ubuntu).
    Base,
    Nginx {
        version: &'static str,
        /// `built by gcc …` (nginx prints it with a trailing space).
        compiler: &'static str,
        /// Whether the image has `/docker-entrypoint.sh` (nginx 1.19 and later).
        entrypoint: bool,
        /// The welcome page: the 2025 text (1.29) or the long-standing one.
        new_welcome_page: bool,
    },
    Httpd {
        version: &'static str,
        /// The HTML 4.01 "It works! Apache httpd" page (2.4.64 and later) or the one-line one.
        new_index: bool,
    },
    Redis {
        version: &'static str,
    },
    Pause {
        version: &'static str,
    },
    Agnhost {
        version: &'static str,
    },
    Stress {
        version: &'static str,
    },
    Python {
        version: &'static str,
    },
    Node {
        version: &'static str,
    },
}

/// Why an image cannot be pulled: the text after `Failed to pull image "X": ` in the kubelet's
/// event, as containerd's CRI words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullError {
    pub message: String,
}

/// `$PATH` of most images' config.
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Looks a reference up: `busybox:1.28`, `registry.k8s.io/busybox`, `docker.io/library/nginx:1.27`,
/// `nginx@sha256:…`. An unknown tag of a known repository, or an unknown repository, fails as
/// containerd fails the pull.
pub fn resolve(reference: &str) -> Result<Image, PullError> {
    let Some(r) = Reference::parse(reference) else {
        return Err(PullError {
            message: format!(
                "rpc error: code = InvalidArgument desc = failed to pull and unpack image {}: \
                 failed to parse image reference {}: invalid reference format",
                podplay_engine::go::quote(reference),
                podplay_engine::go::quote(reference)
            ),
        });
    };
    let normalized = r.normalized();
    let domain = match r.domain.as_deref() {
        None | Some("index.docker.io") => "docker.io",
        Some(d) => d,
    };
    let familiar = r.familiar_repository();
    let repo = match (domain, familiar.as_str()) {
        // registry.k8s.io mirrors a few Docker Hub images (busybox, as the k8s docs use it).
        ("registry.k8s.io", "registry.k8s.io/busybox") => "busybox",
        ("k8s.gcr.io", f) => {
            // The old registry's names live on at registry.k8s.io.
            let rest = f.trim_start_matches("k8s.gcr.io/");
            match rest {
                "busybox" => "busybox",
                "pause" => "registry.k8s.io/pause",
                "e2e-test-images/agnhost" => "registry.k8s.io/e2e-test-images/agnhost",
                _ => "",
            }
        }
        (_, f) => catalogue_repository(f).unwrap_or(""),
    };
    let not_found = || PullError {
        message: format!(
            "rpc error: code = NotFound desc = failed to pull and unpack image {q}: failed to \
             resolve reference {q}: {normalized}: not found",
            q = podplay_engine::go::quote(&normalized)
        ),
    };
    if repo.is_empty() {
        return Err(match domain {
            // Docker Hub answers an unknown repository as one that needs a login.
            "docker.io" => PullError {
                message: format!(
                    "rpc error: code = Unknown desc = failed to pull and unpack image {q}: failed \
                     to resolve reference {q}: pull access denied, repository does not exist or \
                     may require authorization: server message: insufficient_scope: \
                     authorization failed",
                    q = podplay_engine::go::quote(&normalized)
                ),
            },
            "registry.k8s.io" | "k8s.gcr.io" | "gcr.io" | "quay.io" | "ghcr.io"
            | "mcr.microsoft.com" | "public.ecr.aws" => not_found(),
            // A host the node cannot resolve.
            host => PullError {
                message: format!(
                    "rpc error: code = Unknown desc = failed to pull and unpack image {q}: failed \
                     to resolve reference {q}: failed to do request: Head {url}: dial tcp: lookup \
                     {name} on {dns}: no such host",
                    q = podplay_engine::go::quote(&normalized),
                    url = podplay_engine::go::quote(&format!(
                        "https://{host}/v2/{}/manifests/{}",
                        r.path,
                        r.digest
                            .clone()
                            .or(r.tag.clone())
                            .unwrap_or_else(|| "latest".into())
                    )),
                    name = host.split(':').next().unwrap_or(host),
                    dns = NODE_DNS,
                ),
            },
        });
    }
    let image = match (&r.tag, &r.digest) {
        (_, Some(digest)) => {
            // A digest names one manifest; the tag, if any, is ignored by containerd.
            let found = all_tags(repo)
                .into_iter()
                .filter_map(|t| lookup(repo, t))
                .find(|i| &i.digest == digest);
            match found {
                Some(mut i) => {
                    i.tag = r.tag.clone().unwrap_or_default();
                    i
                }
                None => return Err(not_found()),
            }
        }
        (Some(tag), None) => lookup(repo, tag).ok_or_else(not_found)?,
        (None, None) => lookup(repo, "latest").ok_or_else(not_found)?,
    };
    Ok(Image {
        reference: normalized,
        ..image
    })
}

/// The DNS server the node's containerd asks (systemd-resolved's stub on an Ubuntu node).
const NODE_DNS: &str = "127.0.0.53:53";

/// The catalogue's name for a familiar repository.
fn catalogue_repository(familiar: &str) -> Option<&'static str> {
    const REPOS: [&str; 12] = [
        "busybox",
        "alpine",
        "debian",
        "ubuntu",
        "nginx",
        "httpd",
        "redis",
        "registry.k8s.io/pause",
        "registry.k8s.io/e2e-test-images/agnhost",
        "polinux/stress",
        "python",
        "node",
    ];
    REPOS.into_iter().find(|r| *r == familiar)
}

/// Every tag the catalogue knows for `repo` (for digest lookups and tests).
pub fn all_tags(repo: &str) -> Vec<&'static str> {
    match repo {
        "busybox" => vec![
            "latest", "1.37", "1.37.0", "1.36", "1.36.1", "1.36.0", "1.35", "1.35.0", "1.34",
            "1.34.1", "1.33", "1.32", "1.31", "1.30", "1.29", "1.28", "1.28.4", "1.27", "1.27.2",
            "stable", "musl", "glibc", "uclibc",
        ],
        "alpine" => vec![
            "latest", "3", "3.22", "3.22.2", "3.21", "3.21.3", "3.20", "3.20.6", "3.19", "3.19.7",
            "3.18", "edge",
        ],
        "debian" => vec![
            "latest",
            "13",
            "trixie",
            "13-slim",
            "trixie-slim",
            "12",
            "bookworm",
            "12-slim",
            "bookworm-slim",
            "stable",
            "stable-slim",
            "11",
            "bullseye",
            "bullseye-slim",
        ],
        "ubuntu" => vec![
            "latest", "24.04", "noble", "22.04", "jammy", "20.04", "focal", "rolling",
        ],
        "nginx" => vec![
            "latest",
            "mainline",
            "1",
            "1.29",
            "1.29.4",
            "stable",
            "1.28",
            "1.28.0",
            "1.27",
            "1.27.5",
            "1.27.4",
            "1.27.3",
            "1.27.2",
            "1.27.1",
            "1.27.0",
            "1.26",
            "1.26.3",
            "1.25",
            "1.25.5",
            "1.16.1",
            "1.14.2",
            "alpine",
            "1.27-alpine",
            "1.27.5-alpine",
            "stable-alpine",
            "mainline-alpine",
        ],
        "httpd" => vec![
            "latest",
            "2",
            "2.4",
            "2.4.65",
            "2.4.62",
            "2.4.58",
            "alpine",
            "2.4-alpine",
        ],
        "redis" => vec![
            "latest",
            "8",
            "8.4",
            "8.4.0",
            "7",
            "7.4",
            "7.4.1",
            "7.2",
            "7.2.6",
            "6",
            "6.2",
            "6.2.16",
            "alpine",
            "7-alpine",
            "7.4-alpine",
        ],
        "registry.k8s.io/pause" => vec![
            "3.10", "3.10.1", "3.9", "3.8", "3.7", "3.6", "3.5", "3.2", "3.1", "latest",
        ],
        "registry.k8s.io/e2e-test-images/agnhost" => vec![
            "2.33", "2.36", "2.39", "2.40", "2.43", "2.45", "2.47", "2.48", "2.52", "2.53", "2.54",
            "2.55", "2.56",
        ],
        "polinux/stress" => vec!["latest", "1.0.4"],
        "python" => vec![
            "latest",
            "3",
            "3.12",
            "3.12.8",
            "3.12-slim",
            "3.12-alpine",
            "3.12-bookworm",
            "3.12-slim-bookworm",
            "3.13",
            "3.13-slim",
            "3.11",
            "3.11-slim",
            "alpine",
            "slim",
        ],
        "node" => vec![
            "latest",
            "22",
            "22.12",
            "22.12.0",
            "22-alpine",
            "22-slim",
            "22-bookworm",
            "22-bookworm-slim",
            "lts",
            "lts-alpine",
            "lts-slim",
            "20",
            "20-alpine",
            "20-slim",
            "alpine",
            "slim",
        ],
        _ => Vec::new(),
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A deterministic `sha256:` digest for what the catalogue has no real digest of.
fn synthetic_digest(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::from("sha256:");
    for _ in 0..4 {
        // SplitMix64.
        h = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = h;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.push_str(&format!("{z:016x}"));
    }
    out
}

/// The fields every image has, with synthetic digests from `key` (the repository and the
/// version the tag resolves to: two tags of one version are one image).
#[allow(clippy::too_many_arguments)]
fn image(
    repository: &'static str,
    tag: &str,
    key: &str,
    os: Os,
    software: Software,
    entrypoint: &[&str],
    cmd: &[&str],
    env_: &[(&str, &str)],
    working_dir: &str,
    stop_signal: Signal,
    exposed_ports: &[u16],
    size_bytes: u64,
) -> Image {
    Image {
        repository,
        tag: tag.to_string(),
        reference: String::new(),
        entrypoint: strs(entrypoint),
        cmd: strs(cmd),
        env: env(env_),
        working_dir: working_dir.to_string(),
        stop_signal,
        size_bytes,
        exposed_ports: exposed_ports.to_vec(),
        id: synthetic_digest(&format!("config:{repository}:{key}")),
        digest: synthetic_digest(&format!("manifest:{repository}:{key}")),
        os,
        software,
    }
}

const BOOKWORM: Os = Os::Debian {
    version: "12",
    codename: "bookworm",
    point: "12.9",
};
const TRIXIE: Os = Os::Debian {
    version: "13",
    codename: "trixie",
    point: "13.2",
};

/// The image `repo:tag` in the catalogue.
fn lookup(repo: &'static str, tag: &str) -> Option<Image> {
    if !all_tags(repo).contains(&tag) {
        return None;
    }
    let alpine_variant = tag.contains("alpine");
    Some(match repo {
        "busybox" => {
            let (version, size) = match tag {
                "1.28" | "1.28.4" => ("1.28.4", 727_869),
                "1.27" | "1.27.2" => ("1.27.2", 760_000),
                "1.29" | "1.30" | "1.31" | "1.32" | "1.33" => (tag, 770_000),
                "1.34" | "1.34.1" => ("1.34.1", 772_000),
                "1.35" | "1.35.0" => ("1.35.0", 2_150_000),
                "1.36" | "1.36.1" => ("1.36.1", 2_160_406),
                "1.36.0" => ("1.36.0", 2_158_000),
                _ => ("1.37.0", 2_222_260),
            };
            image(
                "busybox",
                tag,
                version,
                Os::Busybox,
                Software::Base,
                &[],
                &["sh"],
                &[("PATH", PATH)],
                "",
                Signal::Term,
                &[],
                size,
            )
        }
        "alpine" => {
            let version = match tag {
                "3.21" | "3.21.3" => "3.21.3",
                "3.20" | "3.20.6" => "3.20.6",
                "3.19" | "3.19.7" => "3.19.7",
                "3.18" => "3.18.12",
                "edge" => "3.23.0_alpha20251016",
                _ => "3.22.2",
            };
            image(
                "alpine",
                tag,
                version,
                Os::Alpine { version },
                Software::Base,
                &[],
                &["/bin/sh"],
                &[("PATH", PATH)],
                "",
                Signal::Term,
                &[],
                3_800_000,
            )
        }
        "debian" => {
            let (os, key, size) = match tag {
                "12" | "bookworm" | "12-slim" | "bookworm-slim" => (BOOKWORM, "12", 48_500_000),
                "11" | "bullseye" | "bullseye-slim" => (
                    Os::Debian {
                        version: "11",
                        codename: "bullseye",
                        point: "11.11",
                    },
                    "11",
                    53_700_000,
                ),
                _ => (TRIXIE, "13", 49_300_000),
            };
            let slim = tag.contains("slim");
            let size = if slim { size * 6 / 10 } else { size };
            image(
                "debian",
                tag,
                &format!("{key}{slim}"),
                os,
                Software::Base,
                &[],
                &["bash"],
                &[("PATH", PATH)],
                "",
                Signal::Term,
                &[],
                size,
            )
        }
        "ubuntu" => {
            let os = match tag {
                "22.04" | "jammy" => Os::Ubuntu {
                    version: "22.04",
                    codename: "jammy",
                    name: "Jammy Jellyfish",
                    point: "22.04.5",
                },
                "20.04" | "focal" => Os::Ubuntu {
                    version: "20.04",
                    codename: "focal",
                    name: "Focal Fossa",
                    point: "20.04.6",
                },
                _ => Os::Ubuntu {
                    version: "24.04",
                    codename: "noble",
                    name: "Noble Numbat",
                    point: "24.04.3",
                },
            };
            let Os::Ubuntu { point, .. } = os else {
                unreachable!("the arms above all build Ubuntu")
            };
            image(
                "ubuntu",
                tag,
                point,
                os,
                Software::Base,
                &[],
                &["/bin/bash"],
                &[("PATH", PATH)],
                "",
                Signal::Term,
                &[],
                29_700_000,
            )
        }
        "nginx" => nginx(tag, alpine_variant),
        "httpd" => {
            let (version, new_index) = match tag {
                "2.4.62" => ("2.4.62", false),
                "2.4.58" => ("2.4.58", false),
                _ => ("2.4.65", true),
            };
            let os = if alpine_variant {
                Os::Alpine { version: "3.22.2" }
            } else {
                Os::Debian {
                    version: "12",
                    codename: "bookworm",
                    point: "12.11",
                }
            };
            image(
                "httpd", tag, &format!("{version}{alpine_variant}"), os,
                Software::Httpd { version, new_index }, &[], &["httpd-foreground"],
                &[
                    ("PATH", "/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                    ("HTTPD_PREFIX", "/usr/local/apache2"),
                    ("HTTPD_VERSION", version),
                ],
                "/usr/local/apache2", Signal::Winch, &[80],
                if alpine_variant { 22_000_000 } else { 44_900_000 },
            )
        }
        "redis" => {
            let version = match tag {
                "7" | "7.4" | "7.4.1" | "7-alpine" | "7.4-alpine" => "7.4.1",
                "7.2" | "7.2.6" => "7.2.6",
                "6" | "6.2" | "6.2.16" => "6.2.16",
                _ => "8.4.0",
            };
            let os = if alpine_variant {
                Os::Alpine { version: "3.21.3" }
            } else {
                BOOKWORM
            };
            image(
                "redis",
                tag,
                &format!("{version}{alpine_variant}"),
                os,
                Software::Redis { version },
                &["docker-entrypoint.sh"],
                &["redis-server"],
                &[
                    ("PATH", PATH),
                    ("GOSU_VERSION", "1.17"),
                    ("REDIS_VERSION", version),
                ],
                "/data",
                Signal::Term,
                &[6379],
                if alpine_variant {
                    17_300_000
                } else {
                    49_510_951
                },
            )
        }
        "registry.k8s.io/pause" => {
            let version: &'static str = match tag {
                "latest" => "3.10",
                t => all_tags(repo).into_iter().find(|x| *x == t)?,
            };
            let mut i = image(
                "registry.k8s.io/pause",
                tag,
                version,
                Os::Scratch,
                Software::Pause { version },
                &["/pause"],
                &[],
                &[("PATH", PATH)],
                "/",
                Signal::Term,
                &[],
                match version {
                    "3.1" => 317_164,
                    "3.10" => 320_368,
                    _ => 321_000,
                },
            );
            if version == "3.10" {
                // As containerd logs a pull of registry.k8s.io/pause:3.10.
                i.id = "sha256:873ed75102791e5b0b8a7fcd41606c92fcec98d56d05ead4ac5131650004c136"
                    .into();
                i.digest =
                    "sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
                        .into();
            }
            i
        }
        "registry.k8s.io/e2e-test-images/agnhost" => {
            let version = tag;
            let version: &'static str = all_tags(repo).into_iter().find(|t| *t == version)?;
            image(
                "registry.k8s.io/e2e-test-images/agnhost",
                tag,
                version,
                Os::Alpine { version: "3.21.3" },
                Software::Agnhost { version },
                &["/agnhost"],
                &["pause"],
                &[("PATH", PATH)],
                "/",
                Signal::Term,
                &[80, 8080, 8081, 9376],
                51_155_161,
            )
        }
        "polinux/stress" => image(
            "polinux/stress",
            tag,
            "1.0.4",
            Os::Alpine { version: "3.7.0" },
            Software::Stress { version: "1.0.4" },
            &[],
            &["stress"],
            &[("PATH", PATH), ("STRESS_VERSION", "1.0.4")],
            "/",
            Signal::Term,
            &[],
            4_041_495,
        ),
        "python" => {
            let version = match tag {
                "3.13" | "3.13-slim" => "3.13.1",
                "3.11" | "3.11-slim" => "3.11.11",
                _ => "3.12.8",
            };
            let os = if alpine_variant {
                Os::Alpine { version: "3.21.3" }
            } else {
                BOOKWORM
            };
            let slim = tag.contains("slim") || alpine_variant;
            image(
                "python", tag, &format!("{version}{tag}"), os, Software::Python { version },
                &[], &["python3"],
                &[
                    ("PATH", "/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                    ("LANG", "C.UTF-8"),
                    ("GPG_KEY", "7169605F62C751356D054A26A821E680E5FA6305"),
                    ("PYTHON_VERSION", version),
                ],
                "", Signal::Term, &[], if slim { 41_300_000 } else { 376_000_000 },
            )
        }
        "node" => {
            let version = match tag {
                "20" | "20-alpine" | "20-slim" => "20.18.1",
                _ => "22.12.0",
            };
            let os = if alpine_variant {
                Os::Alpine { version: "3.21.3" }
            } else {
                BOOKWORM
            };
            let slim = tag.contains("slim") || alpine_variant;
            image(
                "node",
                tag,
                &format!("{version}{tag}"),
                os,
                Software::Node { version },
                &["docker-entrypoint.sh"],
                &["node"],
                &[
                    ("PATH", PATH),
                    ("NODE_VERSION", version),
                    ("YARN_VERSION", "1.22.22"),
                ],
                "",
                Signal::Term,
                &[],
                if slim { 57_000_000 } else { 391_000_000 },
            )
        }
        _ => return None,
    })
}

fn nginx(tag: &str, alpine: bool) -> Image {
    struct V {
        version: &'static str,
        compiler: &'static str,
        os: Os,
        entrypoint: bool,
        new_page: bool,
        env: &'static [(&'static str, &'static str)],
        size: u64,
    }
    let v = match tag.trim_end_matches("-alpine") {
        "1.27" | "1.27.5" | "stable" => V {
            version: "1.27.5",
            compiler: "gcc 12.2.0 (Debian 12.2.0-14) ",
            os: BOOKWORM,
            entrypoint: true,
            new_page: false,
            env: &[
                ("NGINX_VERSION", "1.27.5"),
                ("NJS_VERSION", "0.8.10"),
                ("NJS_RELEASE", "1~bookworm"),
                ("PKG_RELEASE", "1~bookworm"),
                ("DYNPKG_RELEASE", "1~bookworm"),
            ],
            size: 72_406_859,
        },
        t @ ("1.27.4" | "1.27.3" | "1.27.2" | "1.27.1" | "1.27.0") => V {
            version: match t {
                "1.27.4" => "1.27.4",
                "1.27.3" => "1.27.3",
                "1.27.2" => "1.27.2",
                "1.27.1" => "1.27.1",
                _ => "1.27.0",
            },
            compiler: "gcc 12.2.0 (Debian 12.2.0-14) ",
            os: BOOKWORM,
            entrypoint: true,
            new_page: false,
            env: &[("PKG_RELEASE", "1~bookworm")],
            size: 72_195_292,
        },
        "1.28" | "1.28.0" => V {
            version: "1.28.0",
            compiler: "gcc 12.2.0 (Debian 12.2.0-14) ",
            os: BOOKWORM,
            entrypoint: true,
            new_page: false,
            env: &[
                ("NGINX_VERSION", "1.28.0"),
                ("NJS_VERSION", "0.8.10"),
                ("NJS_RELEASE", "1~bookworm"),
                ("PKG_RELEASE", "1~bookworm"),
                ("DYNPKG_RELEASE", "1~bookworm"),
            ],
            size: 72_300_000,
        },
        "1.26" | "1.26.3" => V {
            version: "1.26.3",
            compiler: "gcc 12.2.0 (Debian 12.2.0-14) ",
            os: BOOKWORM,
            entrypoint: true,
            new_page: false,
            env: &[("NGINX_VERSION", "1.26.3"), ("PKG_RELEASE", "1~bookworm")],
            size: 72_100_000,
        },
        "1.25" | "1.25.5" => V {
            version: "1.25.5",
            compiler: "gcc 12.2.0 (Debian 12.2.0-14) ",
            os: BOOKWORM,
            entrypoint: true,
            new_page: false,
            env: &[("NGINX_VERSION", "1.25.5"), ("PKG_RELEASE", "1~bookworm")],
            size: 71_000_000,
        },
        "1.16.1" => V {
            version: "1.16.1",
            compiler: "gcc 8.3.0 (Debian 8.3.0-6) ",
            os: Os::Debian {
                version: "10",
                codename: "buster",
                point: "10.3",
            },
            entrypoint: false,
            new_page: false,
            env: &[
                ("NGINX_VERSION", "1.16.1"),
                ("NJS_VERSION", "0.3.8"),
                ("PKG_RELEASE", "1~buster"),
            ],
            size: 51_000_000,
        },
        "1.14.2" => V {
            version: "1.14.2",
            compiler: "gcc 6.3.0 20170516 (Debian 6.3.0-18+deb9u1) ",
            os: Os::Debian {
                version: "9",
                codename: "stretch",
                point: "9.6",
            },
            entrypoint: false,
            new_page: false,
            env: &[
                ("NGINX_VERSION", "1.14.2-1~stretch"),
                ("NJS_VERSION", "1.14.2.0.2.6-1~stretch"),
            ],
            size: 44_700_000,
        },
        // latest, mainline, 1, 1.29, 1.29.4.
        _ => V {
            version: "1.29.4",
            compiler: "gcc 14.2.0 (Debian 14.2.0-19) ",
            os: TRIXIE,
            entrypoint: true,
            new_page: true,
            env: &[
                ("NGINX_VERSION", "1.29.4"),
                ("NJS_VERSION", "0.9.4"),
                ("NJS_RELEASE", "1~trixie"),
                ("PKG_RELEASE", "1~trixie"),
                ("DYNPKG_RELEASE", "1~trixie"),
            ],
            size: 59_800_000,
        },
    };
    let (os, compiler, size) = if alpine {
        (
            Os::Alpine { version: "3.21.3" },
            "gcc 14.2.0 (Alpine 14.2.0) ",
            20_984_244,
        )
    } else {
        (v.os, v.compiler, v.size)
    };
    let mut env_: Vec<(&str, &str)> = vec![("PATH", PATH)];
    if !v.env.iter().any(|(k, _)| *k == "NGINX_VERSION") {
        env_.push(("NGINX_VERSION", v.version));
    }
    env_.extend_from_slice(v.env);
    // nginx 1.19 switched the stop signal to SIGQUIT with its entrypoint.
    let stop = if v.entrypoint {
        Signal::Quit
    } else {
        Signal::Term
    };
    let entrypoint: &[&str] = if v.entrypoint {
        &["/docker-entrypoint.sh"]
    } else {
        &[]
    };
    image(
        "nginx",
        tag,
        &format!("{}{alpine}", v.version),
        os,
        Software::Nginx {
            version: v.version,
            compiler,
            entrypoint: v.entrypoint,
            new_welcome_page: v.new_page,
        },
        entrypoint,
        &["nginx", "-g", "daemon off;"],
        &env_,
        "",
        stop,
        &[80],
        size,
    )
}

// --- root file systems -----------------------------------------------------------------------

/// Builds the image's root file tree (the runtime copies it per container).
pub fn build_root(fs: &mut Fs, image: &Image, now: Time) -> TreeId {
    let tree = fs.new_tree(None);
    let mut b = Builder { fs, tree, now };
    b.base(&image.os);
    b.userland(&image.os);
    b.software(image);
    tree
}

struct Builder<'a> {
    fs: &'a mut Fs,
    tree: TreeId,
    now: Time,
}

/// Where Alpine links each applet (the rest go to `/usr/bin`).
const ALPINE_BIN: &[&str] = &[
    "ash",
    "base64",
    "cat",
    "chgrp",
    "chmod",
    "chown",
    "cp",
    "date",
    "dd",
    "df",
    "dmesg",
    "dnsdomainname",
    "echo",
    "egrep",
    "false",
    "fgrep",
    "getopt",
    "grep",
    "gunzip",
    "gzip",
    "hostname",
    "kill",
    "ln",
    "login",
    "ls",
    "mkdir",
    "mknod",
    "mktemp",
    "more",
    "mount",
    "mv",
    "netstat",
    "nice",
    "pidof",
    "ping",
    "ping6",
    "ps",
    "pwd",
    "rev",
    "rm",
    "rmdir",
    "sed",
    "sh",
    "sleep",
    "stat",
    "stty",
    "su",
    "sync",
    "tar",
    "touch",
    "true",
    "umount",
    "uname",
    "usleep",
    "watch",
    "zcat",
];
const ALPINE_SBIN: &[&str] = &[
    "addgroup", "adduser", "delgroup", "deluser", "ifconfig", "ip", "route",
];

/// What a Debian or Ubuntu base image has in `/usr/bin`, each served by busybox here.
const DEBIAN_BIN: &[&str] = &[
    "[",
    "awk",
    "base64",
    "basename",
    "cat",
    "chgrp",
    "chmod",
    "chown",
    "cksum",
    "cmp",
    "cp",
    "cut",
    "date",
    "dd",
    "df",
    "diff",
    "dirname",
    "du",
    "echo",
    "egrep",
    "env",
    "expr",
    "false",
    "fgrep",
    "find",
    "getopt",
    "grep",
    "gunzip",
    "gzip",
    "head",
    "hostname",
    "id",
    "install",
    "ln",
    "login",
    "ls",
    "md5sum",
    "mkdir",
    "mkfifo",
    "mknod",
    "mktemp",
    "more",
    "mount",
    "mv",
    "nice",
    "nohup",
    "nproc",
    "od",
    "printenv",
    "printf",
    "pwd",
    "readlink",
    "realpath",
    "rm",
    "rmdir",
    "sed",
    "seq",
    "sha1sum",
    "sha256sum",
    "sha512sum",
    "sleep",
    "sort",
    "split",
    "stat",
    "stty",
    "su",
    "sync",
    "tac",
    "tail",
    "tar",
    "tee",
    "test",
    "timeout",
    "touch",
    "tr",
    "true",
    "truncate",
    "tty",
    "umount",
    "uname",
    "uniq",
    "wc",
    "which",
    "whoami",
    "xargs",
    "yes",
    "zcat",
];

impl Builder<'_> {
    fn dir(&mut self, path: &str, mode: u32) {
        self.fs.put_dir(self.tree, path, self.now);
        if mode != 0o755 {
            let mounts = [Mount {
                target: "/".into(),
                tree: self.tree,
                sub_path: String::new(),
                read_only: false,
            }];
            let _ = self.fs.chmod(&mounts, "/", path, mode);
        }
    }

    fn file(&mut self, path: &str, text: &str) {
        self.fs
            .put(self.tree, path, text.as_bytes(), 0o644, self.now);
    }

    fn exe(&mut self, path: &str, content: &[u8]) {
        self.fs.put(self.tree, path, content, 0o755, self.now);
    }

    fn link(&mut self, path: &str, target: &str) {
        self.fs.put_symlink(self.tree, path, target);
    }

    /// The directories every root has, and the files the runtime replaces (`/etc/hostname`,
    /// `/etc/hosts`, `/etc/resolv.conf` are bind-mounted over by the kubelet's own).
    fn base(&mut self, os: &Os) {
        for d in ["/dev", "/proc", "/sys", "/etc", "/var", "/usr", "/home"] {
            self.dir(d, 0o755);
        }
        self.dir("/tmp", 0o1777);
        self.dir("/root", 0o700);
        if *os == Os::Scratch {
            return;
        }
        self.file("/etc/hostname", "");
        self.file(
            "/etc/hosts",
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
        );
        self.file("/etc/resolv.conf", "");
        for d in [
            "/var/log",
            "/var/tmp",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/mnt",
            "/opt",
            "/srv",
            "/run",
        ] {
            self.dir(d, 0o755);
        }
    }

    fn userland(&mut self, os: &Os) {
        let busybox = binary("busybox");
        match os {
            Os::Scratch => {}
            Os::Busybox => {
                self.exe("/bin/busybox", &busybox);
                for a in APPLETS {
                    self.exe(&format!("/bin/{a}"), &busybox);
                }
                self.file("/etc/passwd", BUSYBOX_PASSWD);
                self.file("/etc/group", BUSYBOX_GROUP);
                self.dir("/usr/sbin", 0o755);
                self.dir("/var/spool/mail", 0o755);
                self.dir("/var/www", 0o755);
            }
            Os::Alpine { version } => {
                self.exe("/bin/busybox", &busybox);
                for a in APPLETS {
                    let dir = if ALPINE_BIN.contains(a) {
                        "/bin"
                    } else if ALPINE_SBIN.contains(a) {
                        "/sbin"
                    } else {
                        "/usr/bin"
                    };
                    self.link(&format!("{dir}/{a}"), "/bin/busybox");
                }
                self.dir("/usr/sbin", 0o755);
                self.dir("/lib", 0o755);
                self.dir("/media", 0o755);
                self.file("/etc/alpine-release", &format!("{version}\n"));
                let short: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
                self.file(
                    "/etc/os-release",
                    &format!(
                        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={version}\nPRETTY_NAME=\"Alpine Linux v{short}\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"
                    ),
                );
                self.file("/etc/passwd", ALPINE_PASSWD);
                self.file("/etc/group", ALPINE_GROUP);
                self.file("/etc/shells", "# valid login shells\n/bin/sh\n/bin/ash\n");
            }
            Os::Debian { .. } | Os::Ubuntu { .. } => {
                // Merged /usr: /bin and /sbin are links into /usr.
                self.dir("/usr/bin", 0o755);
                self.dir("/usr/sbin", 0o755);
                self.dir("/usr/lib", 0o755);
                self.link("/bin", "usr/bin");
                self.link("/sbin", "usr/sbin");
                self.link("/lib", "usr/lib");
                self.dir("/usr/share", 0o755);
                self.dir("/var/lib", 0o755);
                self.dir("/media", 0o755);
                for a in DEBIAN_BIN.iter().filter(|a| is_applet(a)) {
                    self.exe(&format!("/usr/bin/{a}"), &busybox);
                }
                // dash is /bin/sh; bash is there too. Both are busybox's ash here.
                self.exe("/usr/bin/dash", &binary("dash"));
                self.link("/usr/bin/sh", "dash");
                self.exe("/usr/bin/bash", &binary("bash"));
                self.file("/etc/passwd", DEBIAN_PASSWD);
                self.file("/etc/group", DEBIAN_GROUP);
                self.file("/etc/shells", "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/dash\n/usr/bin/dash\n");
                self.file("/etc/debian_version", &debian_version(os));
                self.file("/etc/os-release", &os_release(os));
            }
        }
    }

    fn software(&mut self, image: &Image) {
        match &image.software {
            Software::Base => {}
            Software::Nginx {
                version,
                compiler,
                entrypoint,
                new_welcome_page,
            } => {
                let nginx = binary_with("nginx", &[("version", version), ("compiler", compiler)]);
                self.exe("/usr/sbin/nginx", &nginx);
                self.exe("/usr/sbin/nginx-debug", &nginx);
                // The image installs curl and envsubst (gettext-base).
                self.tools(&image.os, &["curl", "envsubst"]);
                let modern = *version != "1.14.2" && *version != "1.16.1";
                self.file(
                    "/etc/nginx/nginx.conf",
                    &crate::programs::nginx::nginx_conf(modern),
                );
                self.file(
                    "/etc/nginx/conf.d/default.conf",
                    crate::programs::nginx::DEFAULT_CONF,
                );
                self.file("/etc/nginx/mime.types", crate::programs::nginx::MIME_TYPES);
                self.file(
                    "/usr/share/nginx/html/index.html",
                    if *new_welcome_page {
                        crate::programs::nginx::WELCOME_2025
                    } else if modern {
                        crate::programs::nginx::WELCOME
                    } else {
                        crate::programs::nginx::WELCOME_OLD
                    },
                );
                self.file(
                    "/usr/share/nginx/html/50x.html",
                    crate::programs::nginx::ERROR_50X,
                );
                self.dir("/var/cache/nginx", 0o755);
                self.dir("/var/log/nginx", 0o755);
                self.link("/var/log/nginx/access.log", "/dev/stdout");
                self.link("/var/log/nginx/error.log", "/dev/stderr");
                self.append(
                    "/etc/passwd",
                    "nginx:x:101:101:nginx user:/nonexistent:/bin/false\n",
                );
                self.append("/etc/group", "nginx:x:101:\n");
                if *entrypoint {
                    self.exe("/docker-entrypoint.sh", &binary("nginx-entrypoint"));
                    for (name, text) in crate::programs::nginx::ENTRYPOINT_SCRIPTS {
                        self.fs.put(
                            self.tree,
                            &format!("/docker-entrypoint.d/{name}"),
                            text.as_bytes(),
                            0o755,
                            self.now,
                        );
                    }
                }
            }
            Software::Httpd { version, new_index } => {
                let httpd = binary_with("httpd", &[("version", version)]);
                self.exe("/usr/local/apache2/bin/httpd", &httpd);
                self.exe("/usr/local/apache2/bin/apachectl", &httpd);
                self.exe(
                    "/usr/local/bin/httpd-foreground",
                    &binary("httpd-foreground"),
                );
                self.file(
                    "/usr/local/apache2/htdocs/index.html",
                    if *new_index {
                        crate::programs::httpd::INDEX_2025
                    } else {
                        crate::programs::httpd::INDEX
                    },
                );
                self.file(
                    "/usr/local/apache2/conf/httpd.conf",
                    crate::programs::httpd::HTTPD_CONF,
                );
                self.dir("/usr/local/apache2/logs", 0o755);
                self.dir("/usr/local/apache2/cgi-bin", 0o755);
            }
            Software::Redis { version } => {
                let redis = binary_with("redis-server", &[("version", version)]);
                self.exe("/usr/local/bin/redis-server", &redis);
                self.exe(
                    "/usr/local/bin/redis-cli",
                    &binary_with("redis-cli", &[("version", version)]),
                );
                self.link("/usr/local/bin/redis-sentinel", "redis-server");
                self.link("/usr/local/bin/redis-check-aof", "redis-server");
                self.link("/usr/local/bin/redis-check-rdb", "redis-server");
                self.exe(
                    "/usr/local/bin/docker-entrypoint.sh",
                    &binary("redis-entrypoint"),
                );
                self.exe("/usr/local/bin/gosu", &binary("gosu"));
                self.dir("/data", 0o755);
                self.append(
                    "/etc/passwd",
                    "redis:x:999:999::/home/redis:/usr/sbin/nologin\n",
                );
                self.append("/etc/group", "redis:x:999:\n");
            }
            Software::Pause { version } => {
                self.exe("/pause", &binary_with("pause", &[("version", version)]));
            }
            Software::Agnhost { version } => {
                self.exe("/agnhost", &binary_with("agnhost", &[("version", version)]));
                self.link("/agnhost-2", "agnhost");
                self.exe("/bin/bash", &binary("bash"));
                self.tools(&image.os, &["curl"]);
                self.dir("/uploads", 0o755);
                self.file("/localhost.crt", "-----BEGIN CERTIFICATE-----\n");
                self.file("/localhost.key", "-----BEGIN PRIVATE KEY-----\n");
            }
            Software::Stress { version } => {
                self.exe(
                    "/usr/local/bin/stress",
                    &binary_with("stress", &[("version", version)]),
                );
                self.exe("/bin/bash", &binary("bash"));
                self.tools(&image.os, &["curl"]);
            }
            Software::Python { version } => {
                let python = binary_with("python", &[("version", version)]);
                let minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
                self.exe(&format!("/usr/local/bin/python{minor}"), &python);
                self.link("/usr/local/bin/python3", &format!("python{minor}"));
                self.link("/usr/local/bin/python", "python3");
                self.exe("/usr/local/bin/pip", &binary("pip"));
                self.link("/usr/local/bin/pip3", "pip");
                self.dir(&format!("/usr/local/lib/python{minor}/http"), 0o755);
                self.buildpack_tools(&image.os);
            }
            Software::Node { version } => {
                let node = binary_with("node", &[("version", version)]);
                self.exe("/usr/local/bin/node", &node);
                self.link("/usr/local/bin/nodejs", "node");
                self.exe(
                    "/usr/local/bin/docker-entrypoint.sh",
                    &binary("node-entrypoint"),
                );
                self.exe("/usr/local/bin/npm", &binary("npm"));
                self.append("/etc/passwd", "node:x:1000:1000::/home/node:/bin/bash\n");
                self.append("/etc/group", "node:x:1000:\n");
                self.dir("/home/node", 0o755);
                self.buildpack_tools(&image.os);
            }
        }
    }

    /// buildpack-deps (the full python and node images) adds curl, wget, git and procps.
    fn buildpack_tools(&mut self, os: &Os) {
        if matches!(os, Os::Debian { .. }) {
            self.tools(
                os,
                &[
                    "curl", "wget", "ps", "kill", "free", "top", "pgrep", "pkill", "uptime",
                    "watch", "unzip", "less",
                ],
            );
        }
    }

    /// Packages an image adds, served by busybox's applet of the same name where this busybox
    /// has one (a tool it lacks is left out rather than answering "applet not found").
    fn tools(&mut self, os: &Os, names: &[&str]) {
        let busybox = binary("busybox");
        if names.contains(&"curl") {
            // curl is its own program (programs/curl.rs), not a busybox applet.
            self.exe("/usr/bin/curl", &binary("curl"));
        }
        for name in names.iter().filter(|n| is_applet(n)) {
            match os {
                Os::Alpine { .. } | Os::Busybox => {
                    self.link(&format!("/usr/bin/{name}"), "/bin/busybox")
                }
                _ => self.exe(&format!("/usr/bin/{name}"), &busybox),
            }
        }
    }

    fn append(&mut self, path: &str, text: &str) {
        let mut data = match self.fs.get(self.tree, path) {
            Some(crate::fs::Node::File { data, .. }) => data.clone(),
            _ => Vec::new(),
        };
        data.extend_from_slice(text.as_bytes());
        self.fs.put(self.tree, path, &data, 0o644, self.now);
    }
}

fn debian_version(os: &Os) -> String {
    match os {
        Os::Debian { point, .. } => format!("{point}\n"),
        Os::Ubuntu { codename, .. } => match *codename {
            "noble" => "trixie/sid\n".into(),
            "jammy" => "bookworm/sid\n".into(),
            _ => "bullseye/sid\n".into(),
        },
        _ => String::new(),
    }
}

/// `/etc/os-release` (really `/usr/lib/os-release`) of a Debian or Ubuntu image.
fn os_release(os: &Os) -> String {
    match os {
        Os::Debian {
            version, codename, ..
        } => format!(
            "PRETTY_NAME=\"Debian GNU/Linux {version} ({codename})\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"{version}\"\nVERSION=\"{version} ({codename})\"\nVERSION_CODENAME={codename}\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n"
        ),
        Os::Ubuntu {
            version,
            codename,
            name,
            point,
        } => format!(
            "PRETTY_NAME=\"Ubuntu {point} LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"{version}\"\nVERSION=\"{point} LTS ({name})\"\nVERSION_CODENAME={codename}\nID=ubuntu\nID_LIKE=debian\nHOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\nPRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME={codename}\nLOGO=ubuntu-logo\n"
        ),
        _ => String::new(),
    }
}

const BUSYBOX_PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nsync:x:4:100:sync:/bin:/bin/sync\nmail:x:8:8:mail:/var/spool/mail:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\noperator:x:37:37:Operator:/var:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n";
const BUSYBOX_GROUP: &str = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nlp:x:7:\nmail:x:8:\nkmem:x:9:\nwheel:x:10:root\ncdrom:x:11:\ndialout:x:18:\nfloppy:x:19:\nvideo:x:28:\naudio:x:29:\ntape:x:32:\nwww-data:x:33:\noperator:x:37:\nutmp:x:43:\nplugdev:x:46:\nstaff:x:50:\nlock:x:54:\nnetdev:x:82:\nusers:x:100:\nnobody:x:65534:\n";
const ALPINE_PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\nlp:x:4:7:lp:/var/spool/lpd:/sbin/nologin\nsync:x:5:0:sync:/sbin:/bin/sync\nshutdown:x:6:0:shutdown:/sbin:/sbin/shutdown\nhalt:x:7:0:halt:/sbin:/sbin/halt\nmail:x:8:12:mail:/var/mail:/sbin/nologin\nnews:x:9:13:news:/usr/lib/news:/sbin/nologin\nuucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin\ncron:x:16:16:cron:/var/spool/cron:/sbin/nologin\nftp:x:21:21::/var/lib/ftp:/sbin/nologin\nsshd:x:22:22:sshd:/dev/null:/sbin/nologin\ngames:x:35:35:games:/usr/games:/sbin/nologin\nntp:x:123:123:NTP:/var/empty:/sbin/nologin\nguest:x:405:100:guest:/dev/null:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n";
const ALPINE_GROUP: &str = "root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\nsys:x:3:root,bin\nadm:x:4:root,daemon\ntty:x:5:\ndisk:x:6:root\nlp:x:7:lp\nkmem:x:9:\nwheel:x:10:root\nfloppy:x:11:root\nmail:x:12:mail\nnews:x:13:news\nuucp:x:14:uucp\ncron:x:16:cron\naudio:x:18:\ncdrom:x:19:\ndialout:x:20:root\nftp:x:21:\nsshd:x:22:\ninput:x:23:\ntape:x:26:root\nvideo:x:27:root\nnetdev:x:28:\nkvm:x:34:kvm\ngames:x:35:\nshadow:x:42:\nwww-data:x:82:\nusers:x:100:games\nntp:x:123:\nabuild:x:300:\nutmp:x:406:\nping:x:999:\nnogroup:x:65533:\nnobody:x:65534:\n";
const DEBIAN_PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\ngames:x:5:60:games:/usr/games:/usr/sbin/nologin\nman:x:6:12:man:/var/cache/man:/usr/sbin/nologin\nlp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\nmail:x:8:8:mail:/var/mail:/usr/sbin/nologin\nnews:x:9:9:news:/var/spool/news:/usr/sbin/nologin\nuucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\nproxy:x:13:13:proxy:/bin:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nbackup:x:34:34:backup:/var/backups:/usr/sbin/nologin\nlist:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\nirc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
const DEBIAN_GROUP: &str = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nlp:x:7:\nmail:x:8:\nnews:x:9:\nuucp:x:10:\nman:x:12:\nproxy:x:13:\nkmem:x:15:\ndialout:x:20:\nfax:x:21:\nvoice:x:22:\ncdrom:x:24:\nfloppy:x:25:\ntape:x:26:\nsudo:x:27:\naudio:x:29:\ndip:x:30:\nwww-data:x:33:\nbackup:x:34:\noperator:x:37:\nlist:x:38:\nirc:x:39:\nsrc:x:40:\nshadow:x:42:\nutmp:x:43:\nvideo:x:44:\nsasl:x:45:\nplugdev:x:46:\nstaff:x:50:\ngames:x:60:\nusers:x:100:\nnogroup:x:65534:\n";
