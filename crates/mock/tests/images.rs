//! The image catalogue: how references resolve, how pulls fail, what the configs say and what
//! the root file systems hold.

use expect_test::expect;
use podplay_engine::time::Time;
use podplay_mock::fs::{Fs, Mount, Node};
use podplay_mock::images::{self, Image, Os, Software};
use podplay_mock::kernel::Signal;
use podplay_mock::programs;

fn resolve(r: &str) -> Image {
    images::resolve(r).unwrap_or_else(|e| panic!("{r} resolves: {}", e.message))
}

#[test]
fn references_resolve_through_tags_digests_and_registry_prefixes() {
    let table = [
        (
            "busybox",
            "busybox",
            "latest",
            "docker.io/library/busybox:latest",
        ),
        (
            "busybox:1.28",
            "busybox",
            "1.28",
            "docker.io/library/busybox:1.28",
        ),
        (
            "registry.k8s.io/busybox",
            "busybox",
            "latest",
            "registry.k8s.io/busybox:latest",
        ),
        (
            "docker.io/library/nginx:1.27",
            "nginx",
            "1.27",
            "docker.io/library/nginx:1.27",
        ),
        (
            "index.docker.io/library/nginx",
            "nginx",
            "latest",
            "docker.io/library/nginx:latest",
        ),
        ("library/redis:7", "redis", "7", "docker.io/library/redis:7"),
        (
            "registry.k8s.io/pause:3.10",
            "registry.k8s.io/pause",
            "3.10",
            "registry.k8s.io/pause:3.10",
        ),
        (
            "k8s.gcr.io/pause:3.10",
            "registry.k8s.io/pause",
            "3.10",
            "k8s.gcr.io/pause:3.10",
        ),
        (
            "registry.k8s.io/e2e-test-images/agnhost:2.40",
            "registry.k8s.io/e2e-test-images/agnhost",
            "2.40",
            "registry.k8s.io/e2e-test-images/agnhost:2.40",
        ),
        (
            "polinux/stress",
            "polinux/stress",
            "latest",
            "docker.io/polinux/stress:latest",
        ),
        (
            "python:3.12",
            "python",
            "3.12",
            "docker.io/library/python:3.12",
        ),
        ("node:22", "node", "22", "docker.io/library/node:22"),
        (
            "ubuntu",
            "ubuntu",
            "latest",
            "docker.io/library/ubuntu:latest",
        ),
        (
            "debian:bookworm-slim",
            "debian",
            "bookworm-slim",
            "docker.io/library/debian:bookworm-slim",
        ),
        (
            "alpine:3.20",
            "alpine",
            "3.20",
            "docker.io/library/alpine:3.20",
        ),
        ("httpd:2.4", "httpd", "2.4", "docker.io/library/httpd:2.4"),
    ];
    for (reference, repository, tag, normalized) in table {
        let image = resolve(reference);
        assert_eq!(
            (
                image.repository,
                image.tag.as_str(),
                image.reference.as_str()
            ),
            (repository, tag, normalized),
            "{reference}"
        );
    }
}

#[test]
fn a_digest_names_the_manifest_it_was_taken_from() {
    let pause = resolve("registry.k8s.io/pause:3.10");
    assert_eq!(
        pause.digest,
        "sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
    );
    let by_digest = resolve(&format!("registry.k8s.io/pause@{}", pause.digest));
    assert_eq!(by_digest.id, pause.id);
    assert_eq!(by_digest.tag, "");
    assert_eq!(
        by_digest.image_id(),
        "registry.k8s.io/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
    );
    let nginx = resolve("nginx:1.27");
    assert_eq!(resolve(&format!("nginx@{}", nginx.digest)).id, nginx.id);
    // Two tags of one version are one image.
    assert_eq!(resolve("nginx:1.27.5").digest, nginx.digest);
    assert_ne!(resolve("nginx:1.27.4").digest, nginx.digest);
}

#[test]
fn pulls_fail_with_the_registry_s_words() {
    let err = |r: &str| images::resolve(r).expect_err("the pull fails").message;
    expect![[r#"rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.99": failed to resolve reference "docker.io/library/nginx:1.99": docker.io/library/nginx:1.99: not found"#]]
        .assert_eq(&err("nginx:1.99"));
    expect![[r#"rpc error: code = Unknown desc = failed to pull and unpack image "docker.io/library/agentx:latest": failed to resolve reference "docker.io/library/agentx:latest": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"#]]
        .assert_eq(&err("agentx"));
    expect![[r#"rpc error: code = NotFound desc = failed to pull and unpack image "registry.k8s.io/nope:1.0": failed to resolve reference "registry.k8s.io/nope:1.0": registry.k8s.io/nope:1.0: not found"#]]
        .assert_eq(&err("registry.k8s.io/nope:1.0"));
    expect![[r#"rpc error: code = Unknown desc = failed to pull and unpack image "myregistry.example.com/app:1": failed to resolve reference "myregistry.example.com/app:1": failed to do request: Head "https://myregistry.example.com/v2/app/manifests/1": dial tcp: lookup myregistry.example.com on 127.0.0.53:53: no such host"#]]
        .assert_eq(&err("myregistry.example.com/app:1"));
    let digest = format!("sha256:{}", "a".repeat(64));
    assert_eq!(
        err(&format!("busybox@{digest}")),
        format!("rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/busybox@{digest}\": failed to resolve reference \"docker.io/library/busybox@{digest}\": docker.io/library/busybox@{digest}: not found")
    );
}

#[test]
fn configs_carry_the_real_images_entrypoints_commands_and_stop_signals() {
    let nginx = resolve("nginx:1.27");
    assert_eq!(nginx.entrypoint, ["/docker-entrypoint.sh"]);
    assert_eq!(nginx.cmd, ["nginx", "-g", "daemon off;"]);
    assert_eq!(nginx.stop_signal, Signal::Quit);
    assert_eq!(nginx.exposed_ports, [80]);
    assert_eq!(nginx.size_bytes, 72_406_859);
    // Before the entrypoint (1.19), nginx stopped on SIGTERM and ran nginx directly.
    let old = resolve("nginx:1.14.2");
    assert!(old.entrypoint.is_empty());
    assert_eq!(old.stop_signal, Signal::Term);

    let busybox = resolve("busybox:1.28");
    assert_eq!(
        (busybox.cmd.clone(), busybox.size_bytes),
        (vec!["sh".to_string()], 727_869)
    );
    assert_eq!(resolve("alpine").cmd, ["/bin/sh"]);
    assert_eq!(resolve("debian").cmd, ["bash"]);
    assert_eq!(resolve("ubuntu").cmd, ["/bin/bash"]);

    let httpd = resolve("httpd:2.4");
    assert_eq!(
        (httpd.cmd.clone(), httpd.stop_signal),
        (vec!["httpd-foreground".to_string()], Signal::Winch)
    );
    assert_eq!(httpd.working_dir, "/usr/local/apache2");

    let redis = resolve("redis:7");
    assert_eq!(redis.entrypoint, ["docker-entrypoint.sh"]);
    assert_eq!(
        (redis.working_dir.as_str(), redis.exposed_ports.as_slice()),
        ("/data", &[6379][..])
    );

    let pause = resolve("registry.k8s.io/pause:3.10");
    assert_eq!(
        (pause.entrypoint.clone(), pause.size_bytes),
        (vec!["/pause".to_string()], 320_368)
    );

    let agnhost = resolve("registry.k8s.io/e2e-test-images/agnhost:2.40");
    assert_eq!(
        (agnhost.entrypoint.clone(), agnhost.cmd.clone()),
        (vec!["/agnhost".to_string()], vec!["pause".to_string()])
    );
    assert_eq!(agnhost.exposed_ports, [80, 8080, 8081, 9376]);

    assert_eq!(resolve("polinux/stress").size_bytes, 4_041_495);
    assert_eq!(resolve("python:3.12").cmd, ["python3"]);
    assert_eq!(resolve("node:22").entrypoint, ["docker-entrypoint.sh"]);
    assert!(resolve("python:3.12")
        .env
        .contains(&("PYTHON_VERSION".to_string(), "3.12.8".to_string())));
}

#[test]
fn every_catalogued_tag_resolves_and_builds_a_root() {
    for repo in [
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
    ] {
        for tag in images::all_tags(repo) {
            let image = resolve(&format!("{repo}:{tag}"));
            assert!(
                image.id.starts_with("sha256:") && image.id.len() == 71,
                "{repo}:{tag}"
            );
            let mut fs = Fs::new();
            let root = images::build_root(&mut fs, &image, Time::ZERO);
            let first = image
                .entrypoint
                .first()
                .or(image.cmd.first())
                .cloned()
                .unwrap_or_default();
            assert!(
                find(&fs, root, &image, &first).is_some(),
                "{repo}:{tag} has {first}"
            );
        }
    }
}

/// The program a name runs in an image (`$PATH` searched, symlinks followed).
fn find(fs: &Fs, root: podplay_mock::fs::TreeId, image: &Image, name: &str) -> Option<String> {
    let mounts = [Mount::root(root)];
    let path_var = image
        .env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let candidates: Vec<String> = if name.contains('/') {
        vec![name.to_string()]
    } else {
        path_var.split(':').map(|d| format!("{d}/{name}")).collect()
    };
    candidates
        .into_iter()
        .find_map(|p| fs.read(&mounts, "/", &p).ok().and_then(programs::identify))
}

#[test]
fn userlands_are_the_distribution_s_names_for_busybox() {
    let program = |reference: &str, name: &str| {
        let image = resolve(reference);
        let mut fs = Fs::new();
        let root = images::build_root(&mut fs, &image, Time::ZERO);
        find(&fs, root, &image, name)
    };
    assert_eq!(program("busybox", "sh").as_deref(), Some("busybox"));
    assert_eq!(program("busybox", "wget").as_deref(), Some("busybox"));
    assert_eq!(program("alpine", "ps").as_deref(), Some("busybox"));
    // Every applet, and only those, in the busybox image.
    for applet in podplay_mock::busybox::APPLETS {
        assert_eq!(
            program("busybox", applet).as_deref(),
            Some("busybox"),
            "{applet}"
        );
    }
    // Debian's sh is dash and bash is there: both are busybox's ash here.
    assert_eq!(program("debian", "sh").as_deref(), Some("dash"));
    assert_eq!(program("ubuntu", "bash").as_deref(), Some("bash"));
    // A Debian base image has neither ps nor curl nor wget; nginx's adds curl (its own
    // program, not a busybox applet).
    assert_eq!(program("debian", "ps"), None);
    assert_eq!(program("debian", "wget"), None);
    assert_eq!(program("debian", "curl"), None);
    assert_eq!(program("nginx", "curl").as_deref(), Some("curl"));
    assert_eq!(program("nginx", "wget"), None);
    assert_eq!(program("python:3.12", "ps").as_deref(), Some("busybox"));
    // pause is FROM scratch: no shell to exec into.
    assert_eq!(program("registry.k8s.io/pause:3.10", "sh"), None);
    assert_eq!(
        program("registry.k8s.io/pause:3.10", "/pause").as_deref(),
        Some("pause")
    );
    // agnhost is built on alpine, with bash and curl added.
    assert_eq!(
        program("registry.k8s.io/e2e-test-images/agnhost:2.40", "sh").as_deref(),
        Some("busybox")
    );
    assert_eq!(
        program("registry.k8s.io/e2e-test-images/agnhost:2.40", "curl").as_deref(),
        Some("curl")
    );
}

#[test]
fn roots_hold_the_files_images_are_known_by() {
    let text = |reference: &str, path: &str| {
        let image = resolve(reference);
        let mut fs = Fs::new();
        let root = images::build_root(&mut fs, &image, Time::ZERO);
        let mounts = [Mount::root(root)];
        fs.read(&mounts, "/", path)
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .ok()
    };
    assert_eq!(
        text("nginx:1.27", "/usr/share/nginx/html/index.html").map(|t| t.len()),
        Some(615)
    );
    assert_eq!(
        text("nginx:1.14.2", "/usr/share/nginx/html/index.html").map(|t| t.len()),
        Some(612)
    );
    assert_eq!(
        text("httpd:2.4.62", "/usr/local/apache2/htdocs/index.html").as_deref(),
        Some("<html><body><h1>It works!</h1></body></html>\n")
    );
    assert_eq!(
        text("httpd:2.4", "/usr/local/apache2/htdocs/index.html").map(|t| t.len()),
        Some(191)
    );
    expect![[r#"
        PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
        NAME="Debian GNU/Linux"
        VERSION_ID="12"
        VERSION="12 (bookworm)"
        VERSION_CODENAME=bookworm
        ID=debian
        HOME_URL="https://www.debian.org/"
        SUPPORT_URL="https://www.debian.org/support"
        BUG_REPORT_URL="https://bugs.debian.org/"
    "#]]
    .assert_eq(&text("nginx:1.27", "/etc/os-release").unwrap_or_default());
    assert_eq!(
        text("alpine:3.21", "/etc/alpine-release").as_deref(),
        Some("3.21.3\n")
    );
    assert!(text("nginx:1.27", "/etc/passwd")
        .unwrap_or_default()
        .ends_with("nginx:x:101:101:nginx user:/nonexistent:/bin/false\n"));
    assert_eq!(text("busybox", "/etc/os-release"), None);
}

#[test]
fn the_tmp_directory_is_sticky_and_world_writable() {
    let image = resolve("busybox");
    let mut fs = Fs::new();
    let root = images::build_root(&mut fs, &image, Time::ZERO);
    match fs.get(root, "/tmp") {
        Some(Node::Dir { mode, .. }) => assert_eq!(*mode, 0o1777),
        other => panic!("/tmp is {other:?}"),
    }
    let image = resolve("nginx");
    assert!(matches!(
        image.os,
        Os::Debian {
            codename: "trixie",
            ..
        }
    ));
    assert!(matches!(
        image.software,
        Software::Nginx {
            version: "1.29.4",
            ..
        }
    ));
}
