//! The in-memory file system as containers see it through their mount tables: shared volumes,
//! read-only and subPath mounts, symlinks, the errno of each failing call, and the bounds.

use expect_test::{expect, Expect};
use podplay_engine::time::Time;
use podplay_mock::fs::{normalize, Errno, Fs, Kind, Mount, Node, Stat, TreeId, WriteMode};

const T0: Time = Time(0);

fn mount(target: &str, tree: TreeId, sub_path: &str, read_only: bool) -> Mount {
    Mount {
        target: target.to_string(),
        tree,
        sub_path: sub_path.to_string(),
        read_only,
    }
}

/// A node with an image root copied for one container.
fn container() -> (Fs, TreeId, Vec<Mount>) {
    let mut fs = Fs::new();
    let image = fs.new_tree(None);
    fs.put_dir(image, "/tmp", T0);
    fs.put_dir(image, "/etc", T0);
    fs.put(image, "/etc/hostname", b"busybox\n", 0o644, T0);
    let root = fs.copy_tree(image);
    let mounts = vec![mount("/", root, "", false)];
    (fs, root, mounts)
}

fn write(fs: &mut Fs, mounts: &[Mount], path: &str, data: &str) -> Result<(), Errno> {
    fs.write(mounts, "/", path, data.as_bytes(), WriteMode::Truncate, T0)
}

fn read(fs: &Fs, mounts: &[Mount], path: &str) -> Result<String, Errno> {
    fs.read(mounts, "/", path)
        .map(|d| String::from_utf8_lossy(d).into_owned())
}

fn ls(fs: &Fs, mounts: &[Mount], path: &str) -> String {
    match fs.list(mounts, "/", path) {
        Ok(entries) => entries
            .iter()
            .map(|(name, kind)| match kind {
                Kind::Dir => format!("{name}/"),
                Kind::File => name.clone(),
                Kind::Symlink => format!("{name}@"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Err(e) => format!("{e:?}"),
    }
}

fn check(actual: String, expect: Expect) {
    expect.assert_eq(&actual);
}

#[test]
fn a_volume_mounted_in_two_containers_shares_writes() {
    let (mut fs, root_a, mut a) = container();
    let volume = fs.new_tree(None);
    let root_b = fs.copy_tree(root_a);
    let mut b = vec![mount("/", root_b, "", false)];
    a.push(mount("/cache", volume, "", false));
    b.push(mount("/data", volume, "", false));

    write(&mut fs, &a, "/cache/greeting", "hello\n").unwrap();
    assert_eq!(read(&fs, &b, "/data/greeting"), Ok("hello\n".to_string()));
    fs.write(&b, "/data", "greeting", b"again\n", WriteMode::Append, T0)
        .unwrap();
    assert_eq!(
        read(&fs, &a, "/cache/greeting"),
        Ok("hello\nagain\n".to_string())
    );

    // The roots are each container's own.
    write(&mut fs, &a, "/tmp/mine", "a").unwrap();
    assert_eq!(read(&fs, &b, "/tmp/mine"), Err(Errno::ENOENT));
}

#[test]
fn a_read_only_mount_refuses_writes_with_erofs() {
    let (mut fs, _, mut m) = container();
    let config = fs.new_tree(None);
    fs.put(config, "/app.conf", b"debug=false\n", 0o644, T0);
    m.push(mount("/etc/config", config, "", true));

    let err = write(&mut fs, &m, "/etc/config/app.conf", "debug=true\n").unwrap_err();
    assert_eq!(err, Errno::EROFS);
    assert_eq!(err.message(), "Read-only file system");
    assert_eq!(err.to_string(), "Read-only file system");
    assert_eq!(
        write(&mut fs, &m, "/etc/config/new", "x"),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.touch(&m, "/", "/etc/config/app.conf", T0),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.mkdir(&m, "/", "/etc/config/d", false, T0),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.remove(&m, "/", "/etc/config/app.conf", false),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.chmod(&m, "/", "/etc/config/app.conf", 0o600),
        Err(Errno::EROFS)
    );
    assert_eq!(
        fs.symlink(&m, "/", "app.conf", "/etc/config/link", T0),
        Err(Errno::EROFS)
    );
    // Reads work, and the tree is untouched.
    assert_eq!(
        read(&fs, &m, "/etc/config/app.conf"),
        Ok("debug=false\n".to_string())
    );
    assert_eq!(fs.tree_bytes(config), 12);
    // An existing name still answers EEXIST before EROFS, as filename_create checks.
    assert_eq!(
        fs.mkdir(&m, "/", "/etc/config/app.conf", false, T0),
        Err(Errno::EEXIST)
    );
    // The same tree mounted read-write elsewhere is writable there.
    m.push(mount("/rw", config, "", false));
    write(&mut fs, &m, "/rw/app.conf", "debug=true\n").unwrap();
    assert_eq!(
        read(&fs, &m, "/etc/config/app.conf"),
        Ok("debug=true\n".to_string())
    );
}

#[test]
fn a_sub_path_mount_shows_one_directory_or_file_of_the_volume() {
    let (mut fs, _, mut m) = container();
    let volume = fs.new_tree(None);
    fs.put(volume, "/html/index.html", b"<h1>hi</h1>\n", 0o644, T0);
    fs.put(volume, "/logs/access.log", b"", 0o644, T0);
    let managed = fs.new_tree(None);
    fs.put(managed, "/etc-hosts", b"127.0.0.1\tlocalhost\n", 0o644, T0);
    m.push(mount("/usr/share/nginx/html", volume, "/html", false));
    m.push(mount("/etc/hosts", managed, "/etc-hosts", false));

    check(ls(&fs, &m, "/usr/share/nginx/html"), expect!["index.html"]);
    write(&mut fs, &m, "/usr/share/nginx/html/404.html", "gone\n").unwrap();
    assert_eq!(
        fs.get(volume, "/html/404.html"),
        Some(&Node::File {
            data: b"gone\n".to_vec(),
            mode: 0o644,
            mtime: T0
        })
    );
    assert_eq!(
        fs.resolve(&m, "/usr/share/nginx", "html/404.html"),
        Ok((volume, "/html/404.html".to_string(), false))
    );
    // `..` at the mount's root climbs in the container, not in the volume.
    check(ls(&fs, &m, "/usr/share/nginx/html/.."), expect!["html/"]);

    // A file mounted over a file: writes land in the managed tree, unlink is refused.
    assert_eq!(
        read(&fs, &m, "/etc/hosts"),
        Ok("127.0.0.1\tlocalhost\n".to_string())
    );
    fs.write(
        &m,
        "/",
        "/etc/hosts",
        b"10.0.0.1\tweb\n",
        WriteMode::Append,
        T0,
    )
    .unwrap();
    assert_eq!(fs.tree_bytes(managed), 33);
    check(ls(&fs, &m, "/etc"), expect!["hostname hosts"]);
    assert_eq!(fs.remove(&m, "/", "/etc/hosts", false), Err(Errno::EBUSY));
    assert_eq!(
        fs.rename(&m, "/", "/etc/hosts", "/etc/h", T0),
        Err(Errno::EBUSY)
    );
}

#[test]
fn listing_shows_mount_points_even_where_the_tree_has_none() {
    let (mut fs, _, mut m) = container();
    let volume = fs.new_tree(None);
    fs.put(volume, "/a", b"", 0o644, T0);
    let token = fs.new_tree(None);
    fs.put(token, "/token", b"eyJ", 0o644, T0);
    m.push(mount("/data", volume, "", false));
    m.push(mount(
        "/var/run/secrets/kubernetes.io/serviceaccount",
        token,
        "",
        true,
    ));

    check(ls(&fs, &m, "/"), expect!["data/ etc/ tmp/ var/"]);
    check(ls(&fs, &m, "/var/run"), expect!["secrets/"]);
    check(
        ls(&fs, &m, "/var/run/secrets/kubernetes.io/serviceaccount"),
        expect!["token"],
    );
    check(ls(&fs, &m, "/data"), expect!["a"]);
    let stat = fs.stat(&m, "/", "/var/run/secrets").unwrap();
    assert_eq!(stat.kind, Kind::Dir);
    // The directories above a mount point cannot go, and the mount point itself is busy.
    assert_eq!(fs.rmdir(&m, "/", "/var/run"), Err(Errno::ENOTEMPTY));
    assert_eq!(fs.rmdir(&m, "/", "/data"), Err(Errno::EBUSY));
    assert_eq!(fs.mkdir(&m, "/", "/data", false, T0), Err(Errno::EEXIST));
    // Writing beside a mount point gives the directory a node of its own.
    write(&mut fs, &m, "/var/run/pid", "1\n").unwrap();
    check(ls(&fs, &m, "/var/run"), expect!["pid secrets/"]);
}

#[test]
fn listing_names_children_only_and_in_byte_order() {
    let (mut fs, _, m) = container();
    for p in ["/d/a/x", "/d/a.b", "/d/a-c", "/d/b/c/d/e", "/d/B"] {
        fs.mkdir(&m, "/", p, true, T0).unwrap();
    }
    write(&mut fs, &m, "/d/a/file", "").unwrap();
    check(ls(&fs, &m, "/d"), expect!["B/ a/ a-c/ a.b/ b/"]);
    check(ls(&fs, &m, "/d/a"), expect!["file x/"]);
    assert_eq!(fs.list(&m, "/", "/d/a/file"), Err(Errno::ENOTDIR));
    assert_eq!(fs.list(&m, "/", "/nope"), Err(Errno::ENOENT));
}

#[test]
fn rename_across_mounts_is_exdev_and_copy_across_moves_the_contents() {
    let (mut fs, root, mut m) = container();
    let volume = fs.new_tree(None);
    m.push(mount("/data", volume, "", false));
    m.push(mount("/again", volume, "", false));
    fs.mkdir(&m, "/", "/tmp/dir/sub", true, Time(5)).unwrap();
    fs.write(
        &m,
        "/",
        "/tmp/dir/sub/f",
        b"contents",
        WriteMode::Truncate,
        Time(6),
    )
    .unwrap();
    fs.symlink(&m, "/", "sub/f", "/tmp/dir/link", T0).unwrap();

    let err = fs.rename(&m, "/", "/tmp/dir", "/data/dir", T0).unwrap_err();
    assert_eq!(
        (err, err.message()),
        (Errno::EXDEV, "Invalid cross-device link")
    );
    // Two mounts of one tree are still two mounts.
    write(&mut fs, &m, "/data/x", "1").unwrap();
    assert_eq!(
        fs.rename(&m, "/", "/data/x", "/again/y", T0),
        Err(Errno::EXDEV)
    );

    // busybox mv then copies and removes.
    fs.copy_preserving(&m, "/", "/tmp/dir", "/data/dir", Time(9))
        .unwrap();
    fs.remove(&m, "/", "/tmp/dir", true).unwrap();
    check(ls(&fs, &m, "/data/dir"), expect!["link@ sub/"]);
    assert_eq!(read(&fs, &m, "/data/dir/link"), Ok("contents".to_string()));
    // mv keeps mtimes (the directory's is its last entry's creation).
    assert_eq!(fs.stat(&m, "/", "/data/dir/sub").unwrap().mtime, Time(6));
    assert_eq!(fs.stat(&m, "/", "/data/dir/sub/f").unwrap().mtime, Time(6));
    assert_eq!(
        fs.read_link(&m, "/", "/data/dir/link"),
        Ok("sub/f".to_string())
    );
    check(ls(&fs, &m, "/tmp"), expect![""]);
    assert_eq!(fs.get(root, "/tmp/dir"), None);
}

#[test]
fn rename_within_a_mount_moves_a_directory_with_its_contents() {
    let (mut fs, root, m) = container();
    fs.mkdir(&m, "/", "/tmp/a/b", true, T0).unwrap();
    write(&mut fs, &m, "/tmp/a/b/f", "x").unwrap();
    fs.rename(&m, "/tmp", "a", "z", Time(7)).unwrap();
    assert_eq!(read(&fs, &m, "/tmp/z/b/f"), Ok("x".to_string()));
    assert_eq!(fs.stat(&m, "/", "/tmp/a"), Err(Errno::ENOENT));
    assert_eq!(fs.stat(&m, "/", "/tmp").unwrap().mtime, Time(7));
    assert!(fs.get(root, "/tmp/a/b").is_none());

    // vfs_rename's checks.
    write(&mut fs, &m, "/tmp/file", "f").unwrap();
    fs.mkdir(&m, "/", "/tmp/empty", false, T0).unwrap();
    assert_eq!(
        fs.rename(&m, "/", "/tmp/z", "/tmp/z/b/in", T0),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        fs.rename(&m, "/", "/tmp/file", "/tmp/z", T0),
        Err(Errno::EISDIR)
    );
    assert_eq!(
        fs.rename(&m, "/", "/tmp/z", "/tmp/file", T0),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        fs.rename(&m, "/", "/tmp/empty", "/tmp/z", T0),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(
        fs.rename(&m, "/", "/tmp/missing", "/tmp/q", T0),
        Err(Errno::ENOENT)
    );
    // A file replaces a file, a directory an empty directory.
    write(&mut fs, &m, "/tmp/other", "o").unwrap();
    fs.rename(&m, "/", "/tmp/other", "/tmp/file", T0).unwrap();
    assert_eq!(read(&fs, &m, "/tmp/file"), Ok("o".to_string()));
    fs.rename(&m, "/", "/tmp/z", "/tmp/empty", T0).unwrap();
    check(ls(&fs, &m, "/tmp"), expect!["empty/ file"]);
    assert_eq!(fs.tree_bytes(root), 8 + 1 + 1);
}

#[test]
fn symlinks_are_followed_except_where_posix_says_not() {
    let (mut fs, _, m) = container();
    fs.symlink(&m, "/", "/etc", "/tmp/etc", T0).unwrap();
    fs.symlink(&m, "/", "../etc/hostname", "/tmp/h", T0)
        .unwrap();
    fs.symlink(&m, "/", "nowhere", "/tmp/dangling", T0).unwrap();
    assert_eq!(
        read(&fs, &m, "/tmp/etc/hostname"),
        Ok("busybox\n".to_string())
    );
    assert_eq!(read(&fs, &m, "/tmp/h"), Ok("busybox\n".to_string()));
    // `..` after a symlink climbs from where the link led (/etc/..), not from /tmp.
    check(ls(&fs, &m, "/tmp/etc/.."), expect!["etc/ tmp/"]);
    assert_eq!(fs.lstat(&m, "/", "/tmp/h").unwrap().kind, Kind::Symlink);
    assert_eq!(
        fs.stat(&m, "/", "/tmp/h"),
        Ok(Stat {
            kind: Kind::File,
            size: 8,
            mode: 0o644,
            mtime: T0
        })
    );
    assert_eq!(
        fs.read_link(&m, "/", "/tmp/etc/hostname"),
        Err(Errno::EINVAL)
    );
    assert_eq!(fs.stat(&m, "/", "/tmp/dangling"), Err(Errno::ENOENT));
    // Writing through a dangling link creates its target; O_EXCL refuses the link itself.
    assert_eq!(
        fs.write(&m, "/", "/tmp/dangling", b"x", WriteMode::CreateNew, T0),
        Err(Errno::EEXIST)
    );
    write(&mut fs, &m, "/tmp/dangling", "made").unwrap();
    assert_eq!(read(&fs, &m, "/tmp/nowhere"), Ok("made".to_string()));
    // Removing a link removes the link.
    fs.remove(&m, "/", "/tmp/etc", false).unwrap();
    assert_eq!(read(&fs, &m, "/etc/hostname"), Ok("busybox\n".to_string()));
}

#[test]
fn a_symlink_loop_gives_eloop() {
    let (mut fs, _, m) = container();
    fs.symlink(&m, "/", "b", "/tmp/a", T0).unwrap();
    fs.symlink(&m, "/", "a", "/tmp/b", T0).unwrap();
    fs.symlink(&m, "/", "self/x", "/tmp/self", T0).unwrap();
    let err = fs.stat(&m, "/", "/tmp/a").unwrap_err();
    assert_eq!(
        (err, err.message()),
        (Errno::ELOOP, "Too many levels of symbolic links")
    );
    assert_eq!(read(&fs, &m, "/tmp/self"), Err(Errno::ELOOP));
    assert_eq!(write(&mut fs, &m, "/tmp/a", "x"), Err(Errno::ELOOP));
    // lstat does not follow the last link.
    assert_eq!(fs.lstat(&m, "/", "/tmp/a").unwrap().kind, Kind::Symlink);
    // 40 links in a chain resolve; 41 do not.
    fs.put(m[0].tree, "/chain/0", b"end", 0o644, T0);
    for i in 1..=41 {
        fs.symlink(&m, "/chain", &(i - 1).to_string(), &i.to_string(), T0)
            .unwrap();
    }
    assert_eq!(read(&fs, &m, "/chain/40"), Ok("end".to_string()));
    assert_eq!(read(&fs, &m, "/chain/41"), Err(Errno::ELOOP));
}

#[test]
fn normalize_resolves_dots_and_slashes_by_text() {
    let cases = [
        ("/", "/", "/"),
        ("/", ".", "/"),
        ("/", "..", "/"),
        ("/", "../../x", "/x"),
        ("/home", "a//b/./c/", "/home/a/b/c"),
        ("/home/user", "..", "/home"),
        ("/home/user", "../..", "/"),
        ("/home/user", "/etc/../var", "/var"),
        ("/home/user", "", "/home/user"),
        ("/a/b", "c/../../d", "/a/d"),
        ("//a//b//", "c", "/a/b/c"),
        ("relative", "x", "/relative/x"),
    ];
    for (cwd, path, want) in cases {
        assert_eq!(normalize(cwd, path), want, "normalize({cwd:?}, {path:?})");
    }
}

#[test]
fn copy_tree_is_independent() {
    let mut fs = Fs::new();
    let image = fs.new_tree(None);
    fs.put(image, "/bin/app", b"#!/bin/sh\n", 0o755, T0);
    let a = fs.copy_tree(image);
    let b = fs.copy_tree(image);
    let ma = vec![mount("/", a, "", false)];
    let mb = vec![mount("/", b, "", false)];
    write(&mut fs, &ma, "/bin/app", "changed").unwrap();
    fs.remove(&mb, "/", "/bin", true).unwrap();
    assert_eq!(read(&fs, &ma, "/bin/app"), Ok("changed".to_string()));
    assert_eq!(read(&fs, &mb, "/bin/app"), Err(Errno::ENOENT));
    assert_eq!(
        fs.get(image, "/bin/app"),
        Some(&Node::File {
            data: b"#!/bin/sh\n".to_vec(),
            mode: 0o755,
            mtime: T0
        })
    );
    fs.remove_tree(a);
    assert!(!fs.has_tree(a));
    assert_eq!(fs.tree_bytes(a), 0);
    assert!(fs.has_tree(image));
}

#[test]
fn tree_bytes_counts_file_contents() {
    let (mut fs, _, mut m) = container();
    let shm = fs.new_tree(None);
    m.push(mount("/dev/shm", shm, "", false));
    assert_eq!(fs.tree_bytes(shm), 0);
    write(&mut fs, &m, "/dev/shm/a", "12345").unwrap();
    fs.write(&m, "/", "/dev/shm/a", b"678", WriteMode::Append, T0)
        .unwrap();
    fs.mkdir(&m, "/", "/dev/shm/d", false, T0).unwrap();
    write(&mut fs, &m, "/dev/shm/d/b", "xy").unwrap();
    fs.symlink(&m, "/", "a", "/dev/shm/l", T0).unwrap();
    assert_eq!(fs.tree_bytes(shm), 10);
    write(&mut fs, &m, "/dev/shm/a", "1").unwrap();
    assert_eq!(fs.tree_bytes(shm), 3);
    fs.remove(&m, "/", "/dev/shm/d", true).unwrap();
    assert_eq!(fs.tree_bytes(shm), 1);
    fs.remove(&m, "/", "/dev/shm/a", false).unwrap();
    assert_eq!(fs.tree_bytes(shm), 0);
}

#[test]
fn a_tree_limit_gives_enospc_after_a_short_write() {
    let (mut fs, _, mut m) = container();
    let shm = fs.new_tree(Some(10));
    m.push(mount("/dev/shm", shm, "", false));
    write(&mut fs, &m, "/dev/shm/a", "123456").unwrap();
    let err = write(&mut fs, &m, "/dev/shm/b", "abcdef").unwrap_err();
    assert_eq!(
        (err, err.message()),
        (Errno::ENOSPC, "No space left on device")
    );
    assert_eq!(read(&fs, &m, "/dev/shm/b"), Ok("abcd".to_string()));
    assert_eq!(fs.tree_bytes(shm), 10);
    assert_eq!(
        fs.write(&m, "/", "/dev/shm/a", b"7", WriteMode::Append, T0),
        Err(Errno::ENOSPC)
    );
    // Truncating frees what the file held.
    write(&mut fs, &m, "/dev/shm/a", "xyz").unwrap();
    assert_eq!(fs.tree_bytes(shm), 7);
    // The container's root has no such limit.
    write(&mut fs, &m, "/tmp/big", &"x".repeat(1000)).unwrap();
}

#[test]
fn the_whole_file_system_is_bounded() {
    let mut fs = Fs::with_total_limit(64 << 10);
    let root = fs.new_tree(None);
    let m = vec![mount("/", root, "", false)];
    let chunk = vec![b'x'; 1024];
    let mut result = Ok(());
    for i in 0..100 {
        result = fs.write(&m, "/", &format!("/f{i}"), &chunk, WriteMode::Truncate, T0);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(Errno::ENOSPC));
    assert!(fs.total_bytes() <= 64 << 10);
    // Empty directories cost room too.
    let mut result = Ok(());
    for i in 0..10_000 {
        result = fs.mkdir(&m, "/", &format!("/d{i}"), false, T0);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(Errno::ENOSPC));
}

#[test]
fn each_call_fails_with_the_errno_linux_gives() {
    let (mut fs, _, m) = container();
    assert_eq!(read(&fs, &m, "/tmp"), Err(Errno::EISDIR));
    assert_eq!(write(&mut fs, &m, "/tmp", "x"), Err(Errno::EISDIR));
    assert_eq!(write(&mut fs, &m, "/nodir/file", "x"), Err(Errno::ENOENT));
    assert_eq!(
        write(&mut fs, &m, "/etc/hostname/x", "x"),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(read(&fs, &m, "/etc/hostname/"), Err(Errno::ENOTDIR));
    assert_eq!(
        fs.write(&m, "/", "/etc/hostname", b"x", WriteMode::CreateNew, T0),
        Err(Errno::EEXIST)
    );
    assert_eq!(fs.remove(&m, "/", "/tmp", false), Err(Errno::EISDIR));
    assert_eq!(fs.remove(&m, "/", "/tmp/none", false), Err(Errno::ENOENT));
    assert_eq!(fs.rmdir(&m, "/", "/etc"), Err(Errno::ENOTEMPTY));
    assert_eq!(fs.rmdir(&m, "/", "/etc/hostname"), Err(Errno::ENOTDIR));
    assert_eq!(fs.rmdir(&m, "/", "/"), Err(Errno::EBUSY));
    assert_eq!(fs.rmdir(&m, "/", "/tmp/."), Err(Errno::EINVAL));
    assert_eq!(fs.mkdir(&m, "/", "/tmp", false, T0), Err(Errno::EEXIST));
    assert_eq!(fs.mkdir(&m, "/", "/a/b", false, T0), Err(Errno::ENOENT));
    // bb_make_directory stops at the first prefix that exists and is not a directory.
    assert_eq!(
        fs.mkdir(&m, "/", "/etc/hostname/d", true, T0),
        Err(Errno::EEXIST)
    );
    assert_eq!(
        fs.mkdir(&m, "/", "/etc/hostname", true, T0),
        Err(Errno::EEXIST)
    );
    assert_eq!(fs.symlink(&m, "/", "x", "/etc", T0), Err(Errno::EEXIST));
    assert_eq!(fs.read_link(&m, "/", "/missing"), Err(Errno::ENOENT));
    let long = "x".repeat(256);
    assert_eq!(
        write(&mut fs, &m, &format!("/tmp/{long}"), ""),
        Err(Errno::ENAMETOOLONG)
    );
    assert_eq!(fs.stat(&m, "/", ""), Err(Errno::ENOENT));
    assert_eq!(fs.stat(&[], "/", "/"), Err(Errno::ENOENT));
}

#[test]
fn mkdir_parents_touch_chmod_and_rm_recursive_do_what_busybox_does() {
    let (mut fs, root, m) = container();
    fs.mkdir(&m, "/tmp", "a//b/./c/", true, Time(3)).unwrap();
    fs.mkdir(&m, "/tmp", "a/b/c", true, Time(3)).unwrap();
    assert_eq!(fs.stat(&m, "/", "/tmp/a/b/c").unwrap().mode, 0o755);
    fs.touch(&m, "/tmp/a", "b/new", Time(4)).unwrap();
    assert_eq!(
        fs.stat(&m, "/", "/tmp/a/b/new"),
        Ok(Stat {
            kind: Kind::File,
            size: 0,
            mode: 0o644,
            mtime: Time(4)
        })
    );
    fs.touch(&m, "/", "/tmp/a/b/new", Time(8)).unwrap();
    assert_eq!(fs.stat(&m, "/", "/tmp/a/b/new").unwrap().mtime, Time(8));
    fs.chmod(&m, "/", "/tmp/a/b/new", 0o100_755).unwrap();
    assert_eq!(fs.stat(&m, "/", "/tmp/a/b/new").unwrap().mode, 0o755);
    fs.remove(&m, "/", "/tmp/a", true).unwrap();
    assert_eq!(fs.list(&m, "/", "/tmp"), Ok(vec![]));
    assert!(fs.get(root, "/tmp/a/b/c").is_none());
}

#[test]
fn rm_recursive_empties_a_volume_then_fails_on_its_mount_point() {
    let (mut fs, _, mut m) = container();
    let volume = fs.new_tree(None);
    fs.put(volume, "/x/y", b"1", 0o644, T0);
    m.push(mount("/tmp/vol", volume, "", false));
    write(&mut fs, &m, "/tmp/mine", "2").unwrap();
    assert_eq!(fs.remove(&m, "/", "/tmp", true), Err(Errno::EBUSY));
    check(ls(&fs, &m, "/tmp"), expect!["vol/"]);
    check(ls(&fs, &m, "/tmp/vol"), expect![""]);
    assert_eq!(fs.tree_bytes(volume), 0);
}

#[test]
fn errno_messages_are_glibcs() {
    let all = [
        Errno::ENOENT,
        Errno::EEXIST,
        Errno::ENOTDIR,
        Errno::EISDIR,
        Errno::EROFS,
        Errno::ENOTEMPTY,
        Errno::EACCES,
        Errno::EPERM,
        Errno::EXDEV,
        Errno::EINVAL,
        Errno::ENOSPC,
        Errno::ELOOP,
        Errno::ENAMETOOLONG,
        Errno::EBUSY,
    ];
    let table: String = all
        .iter()
        .map(|e| format!("{:>2} {e:?}: {}\n", e.code(), e.message()))
        .collect();
    check(
        table,
        expect![[r#"
             2 ENOENT: No such file or directory
            17 EEXIST: File exists
            20 ENOTDIR: Not a directory
            21 EISDIR: Is a directory
            30 EROFS: Read-only file system
            39 ENOTEMPTY: Directory not empty
            13 EACCES: Permission denied
             1 EPERM: Operation not permitted
            18 EXDEV: Invalid cross-device link
            22 EINVAL: Invalid argument
            28 ENOSPC: No space left on device
            40 ELOOP: Too many levels of symbolic links
            36 ENAMETOOLONG: File name too long
            16 EBUSY: Device or resource busy
        "#]],
    );
}
