//! Container image references (`nginx`, `busybox:1.36`, `registry.k8s.io/pause@sha256:…`) read
//! as docker's distribution/reference grammar reads them. Defaulting (the pull policy), the
//! runtimes (which image is on the node) and the status manager (`imageID`) all read images
//! through [`Reference`], so a name means the same thing everywhere.

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The registry as written (`registry.k8s.io`, `localhost:5000`); `None` for Docker Hub.
    pub domain: Option<String>,
    /// The repository path as written (`nginx`, `library/nginx`, `e2e-test-images/agnhost`).
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// The tag `parsers.ParseImageName` (pkg/util/parsers) returns: the written tag, `latest`
    /// when there is neither tag nor digest, "" for a digest alone.
    pub fn image_name_tag(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), _) => t.clone(),
            (None, Some(_)) => String::new(),
            (None, None) => "latest".to_string(),
        }
    }

    /// The repository as `reference.FamiliarName` prints it: `nginx` for
    /// `docker.io/library/nginx`, the registry kept for any other.
    pub fn familiar_repository(&self) -> String {
        match self.domain.as_deref() {
            None | Some("docker.io") | Some("index.docker.io") => self
                .path
                .strip_prefix("library/")
                .unwrap_or(&self.path)
                .to_string(),
            Some(d) => format!("{d}/{}", self.path),
        }
    }

    /// The fully qualified name with its tag (`latest` when none) or digest, as the runtime
    /// reports a pulled image: `docker.io/library/nginx:1.27`.
    pub fn normalized(&self) -> String {
        let domain = match self.domain.as_deref() {
            None | Some("index.docker.io") => "docker.io",
            Some(d) => d,
        };
        let path = if domain == "docker.io" && !self.path.contains('/') {
            format!("library/{}", self.path)
        } else {
            self.path.clone()
        };
        match (&self.tag, &self.digest) {
            (_, Some(d)) => format!("{domain}/{path}@{d}"),
            (Some(t), None) => format!("{domain}/{path}:{t}"),
            (None, None) => format!("{domain}/{path}:latest"),
        }
    }
}

impl Reference {
    /// Parses `image` as `reference.ParseNormalizedNamed` does; `None` where it fails.
    pub fn parse(image: &str) -> Option<Reference> {
        let (rest, digest) = match image.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (image, None),
        };
        if let Some(d) = digest {
            if !valid_digest(d) {
                return None;
            }
        }
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
            None => (rest, None),
        };
        if let Some(t) = tag {
            if !valid_tag(t) {
                return None;
            }
        }
        if name.is_empty() || name.len() > 255 {
            return None;
        }
        // A 64-hex-character name is an image ID, which ParseNormalizedNamed refuses.
        if name.len() == 64
            && name
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return None;
        }
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains(['.', ':'])
                    || first == "localhost"
                    || first.to_lowercase() != first =>
            {
                (Some(first), rest)
            }
            _ => (None, name),
        };
        if let Some(d) = domain {
            if !valid_domain(d) {
                return None;
            }
        }
        if !path.split('/').all(valid_path_component) {
            return None;
        }
        Some(Reference {
            domain: domain.map(str::to_string),
            path: path.to_string(),
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[\w][\w.-]{0,127}`
fn valid_tag(t: &str) -> bool {
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    let b = t.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b.iter().all(|&x| word(x) || x == b'.' || x == b'-')
}

/// `algorithm:encoded`, e.g. `sha256:` and at least 32 hex characters.
fn valid_digest(d: &str) -> bool {
    let Some((alg, hex)) = d.split_once(':') else {
        return false;
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|part| {
        let b = part.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A registry host, optionally with `:port`; IPv6 in brackets is accepted loosely.
fn valid_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip, after)) => {
                if ip.is_empty() || !ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
                    return false;
                }
                (None, after.strip_prefix(':'))
            }
            None => return false,
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(p) = port {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    host.is_none_or(|h| {
        h.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Reference {
        Reference::parse(s).unwrap_or_else(|| panic!("{s} parses"))
    }

    #[test]
    fn familiar_names_drop_docker_hubs_defaults() {
        assert_eq!(
            parse("docker.io/library/nginx:1.27").familiar_repository(),
            "nginx"
        );
        assert_eq!(
            parse("registry.k8s.io/pause:3.10").familiar_repository(),
            "registry.k8s.io/pause"
        );
        assert_eq!(
            parse("localhost:5000/app").familiar_repository(),
            "localhost:5000/app"
        );
    }

    #[test]
    fn normalized_names_are_fully_qualified() {
        assert_eq!(
            parse("nginx").normalized(),
            "docker.io/library/nginx:latest"
        );
        assert_eq!(parse("user/app:2").normalized(), "docker.io/user/app:2");
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(
            parse(&format!("busybox@{digest}")).normalized(),
            format!("docker.io/library/busybox@{digest}")
        );
    }

    #[test]
    fn image_name_tags_follow_parse_image_name() {
        assert_eq!(parse("nginx").image_name_tag(), "latest");
        assert_eq!(parse("nginx:1.27").image_name_tag(), "1.27");
        assert_eq!(
            parse(&format!("nginx@sha256:{}", "b".repeat(64))).image_name_tag(),
            ""
        );
        assert!(Reference::parse("Not A Name").is_none());
    }
}
