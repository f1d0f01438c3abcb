//! busybox ash and its applets, pinned as sentences: output, exit codes and error texts as
//! busybox 1.37 prints them, signals and traps as a container's PID 1 sees them, and virtual
//! time as the scripts spend it.

use podplay_engine::time::Time;
use podplay_mock::harness::Harness;
use podplay_mock::kernel::Signal;

/// Runs `sh -c script` in a fresh harness: (exit code, log lines).
fn sh(script: &str) -> (i32, Vec<String>) {
    let run = Harness::new().sh(script);
    (run.code.expect("the script ends"), run.out)
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(String::from).collect()
}

/// The log of a script that must succeed.
fn out(script: &str) -> String {
    let (code, out) = sh(script);
    assert_eq!(code, 0, "{script}: {out:?}");
    out.join("\n")
}

// --- exit codes and errors ---------------------------------------------------------------

#[test]
fn false_exits_1_and_true_exits_0() {
    assert_eq!(sh("false").0, 1);
    assert_eq!(sh("true").0, 0);
    assert_eq!(sh(":").0, 0);
}

#[test]
fn an_unknown_command_is_not_found_with_status_127() {
    assert_eq!(sh("foo"), (127, lines("sh: foo: not found")));
    assert_eq!(sh("foo; echo $?"), (0, lines("sh: foo: not found\n127")));
}

#[test]
fn a_script_file_names_itself_and_the_line_in_errors() {
    let mut h = Harness::new();
    h.put_file("/script.sh", b"echo one\nfoo\n", 0o755);
    h.start(&["sh", "/script.sh"]);
    let run = h.finish();
    assert_eq!(run.out, lines("one\n/script.sh: line 2: foo: not found"));
    assert_eq!(run.code, Some(127));
}

#[test]
fn a_directory_or_a_file_without_x_is_permission_denied_with_126() {
    assert_eq!(
        sh("/tmp; echo $?"),
        (0, lines("sh: /tmp: Permission denied\n126"))
    );
    assert_eq!(
        sh("echo x >/tmp/f; /tmp/f; echo $?"),
        (0, lines("sh: /tmp/f: Permission denied\n126"))
    );
    assert_eq!(
        sh("./nope; echo $?"),
        (0, lines("sh: ./nope: not found\n127"))
    );
}

#[test]
fn exit_takes_a_status_and_rejects_garbage() {
    assert_eq!(sh("exit 3").0, 3);
    assert_eq!(sh("exit 300").0, 44);
    // ash counts a `-c` script's lines from 0 (`lineno = 0; // bash compat`).
    assert_eq!(
        sh("exit abc; echo no"),
        (2, lines("sh: exit: line 0: Illegal number: abc"))
    );
}

#[test]
fn a_syntax_error_stops_the_shell_with_status_2_after_the_lines_before_it() {
    assert_eq!(
        sh("echo before\nif then fi"),
        (2, lines("before\nsh: syntax error: unexpected \"then\""))
    );
}

#[test]
fn expansion_errors_end_the_shell_with_status_2() {
    assert_eq!(sh("echo ${x?oops}; echo no"), (2, lines("sh: x: oops")));
    assert_eq!(
        sh("echo ${x:?}; echo no"),
        (2, lines("sh: x: parameter not set or null"))
    );
    assert_eq!(
        sh("set -u; echo $nope; echo no"),
        (2, lines("sh: nope: parameter not set"))
    );
    assert_eq!(
        sh("echo $((1/0)); echo no"),
        (2, lines("sh: divide by zero"))
    );
}

#[test]
fn cd_to_a_missing_directory_reports_and_goes_on_with_status_2() {
    assert_eq!(
        sh("cd /nonexistent; echo after $?"),
        (
            0,
            lines("sh: cd: line 0: can't cd to /nonexistent: No such file or directory\nafter 2")
        )
    );
}

#[test]
fn redirection_failures_use_ashs_short_texts() {
    assert_eq!(
        sh("cat </nope; echo $?"),
        (0, lines("sh: can't open /nope: no such file\n1"))
    );
    assert_eq!(
        sh("echo x >/no/dir/f; echo $?"),
        (
            0,
            lines("sh: can't create /no/dir/f: nonexistent directory\n1")
        )
    );
}

#[test]
fn set_e_stops_at_the_first_failure_outside_conditions() {
    assert_eq!(
        sh("set -e; false || echo ok; if false; then :; fi; false; echo no"),
        (1, lines("ok"))
    );
}

// --- expansions --------------------------------------------------------------------------

#[test]
fn parameter_expansions_follow_ash() {
    assert_eq!(
        out("x=3; echo $((x*2+1)) ${y:-def} ${#x} ${y-unset} ${x:+alt} ${y:+alt}."),
        "7 def 1 unset alt ."
    );
    assert_eq!(
        out("v=hello.tar.gz; echo ${v%.*} ${v%%.*} ${v#*.} ${v##*.} ${v/l/L} ${v//l/L} ${v:1:3} ${v: -2}"),
        "hello.tar hello tar.gz gz heLlo.tar.gz heLLo.tar.gz ell gz"
    );
    assert_eq!(out("echo ${z:=set}; echo $z"), "set\nset");
}

#[test]
fn arithmetic_has_c_operators_and_assignments() {
    assert_eq!(
        out("i=5; echo $((i += 2)) $((i % 4)) $((2**10)) $(( i > 3 ? 1 : 0 )) $i"),
        "7 3 1024 1 7"
    );
    assert_eq!(out("let a=2+3 b=a*2; echo $a $b"), "5 10");
}

#[test]
fn unquoted_expansions_are_split_on_ifs_and_quoted_ones_are_not() {
    assert_eq!(out("x='a b  c'; for w in $x; do echo \"[$w]\"; done; for w in \"$x\"; do echo \"[$w]\"; done"), "[a]\n[b]\n[c]\n[a b  c]");
    assert_eq!(out("IFS=:; x=a:b::c; set -- $x; echo $#"), "4");
    assert_eq!(
        out("set -- 'a b' c; for a in \"$@\"; do echo \"<$a>\"; done; echo \"$*\""),
        "<a b>\n<c>\na b c"
    );
}

#[test]
fn command_substitution_strips_trailing_newlines() {
    assert_eq!(
        out("echo \"$(echo hi; echo there)\" `echo bq`; x=$(false); echo $?"),
        "hi\nthere bq\n1"
    );
}

#[test]
fn globs_match_files_and_stay_literal_without_a_match() {
    assert_eq!(out("touch /tmp/a.txt /tmp/b.txt /tmp/c.log; echo /tmp/*.txt; echo /tmp/*.none '/tmp/*.txt'"), "/tmp/a.txt /tmp/b.txt\n/tmp/*.none /tmp/*.txt");
}

#[test]
fn tilde_is_home() {
    assert_eq!(
        out("echo ~ ~root ~nobody ~nouser"),
        "/root /root /home ~nouser"
    );
}

#[test]
fn here_documents_expand_unless_quoted() {
    assert_eq!(
        out("cat <<END\nhello $HOME\n  two\nEND\ncat <<'X'\nraw $HOME\nX"),
        "hello /root\n  two\nraw $HOME"
    );
}

// --- control flow ------------------------------------------------------------------------

#[test]
fn loops_and_conditionals_run_as_in_ash() {
    assert_eq!(out("for i in 1 2 3; do echo $i; done"), "1\n2\n3");
    assert_eq!(
        out("i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i"),
        "3"
    );
    assert_eq!(
        out("i=0; until [ $i -ge 3 ]; do i=$((i+1)); [ $i -eq 2 ] && continue; echo $i; done"),
        "1\n3"
    );
    assert_eq!(
        out("for i in 1 2; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done"),
        "1a"
    );
    assert_eq!(
        out("case abc in x*) echo x;; a*|b*) echo ab;; esac; case q in *) echo any;; esac"),
        "ab\nany"
    );
    assert_eq!(
        out("if false; then echo a; elif true; then echo b; else echo c; fi"),
        "b"
    );
}

#[test]
fn functions_take_arguments_locals_and_return() {
    assert_eq!(
        out("f() { echo \"$# $1 $2\"; return 3; }; f a 'b c'; echo $?"),
        "2 a b c\n3"
    );
    assert_eq!(out("x=g; f() { local x=l; echo $x; }; f; echo $x"), "l\ng");
}

#[test]
fn pipes_connect_processes_and_report_the_last_status() {
    assert_eq!(out("echo a b | wc -w"), "2");
    assert_eq!(out("yes | head -n 2"), "y\ny");
    assert_eq!(
        out("false | true; echo $?; true | false; echo $?; ! true; echo $?"),
        "0\n1\n1"
    );
}

#[test]
fn redirections_write_files_and_duplicate_descriptors() {
    assert_eq!(out("echo x > /tmp/f; echo y >> /tmp/f; cat /tmp/f"), "x\ny");
    assert_eq!(
        out("ls /nope 2>&1 | cat"),
        "ls: /nope: No such file or directory"
    );
    assert_eq!(out("{ echo a; echo b; } > /tmp/g; wc -l < /tmp/g"), "2");
    assert_eq!(
        out("exec > /tmp/h; echo hidden; exec >&2; cat /tmp/h"),
        "hidden"
    );
}

#[test]
fn eval_and_dot_run_text_in_this_shell() {
    assert_eq!(out("cmd='x=5'; eval $cmd; echo $x"), "5");
    assert_eq!(out("echo 'y=7' > /tmp/lib.sh; . /tmp/lib.sh; echo $y"), "7");
}

// --- builtins and applets ----------------------------------------------------------------

#[test]
fn echo_and_printf_format_like_busybox() {
    assert_eq!(out("echo -e 'a\\tb'; echo -n x; echo y"), "a\tb\nxy");
    assert_eq!(
        out("printf '%s=%d\\n' a 1 b 2; printf '%5.2f|%-4s|%03d\\n' 3.14159 ab 7"),
        "a=1\nb=2\n 3.14|ab  |007"
    );
}

#[test]
fn test_compares_numbers_strings_and_files() {
    assert_eq!(
        out("[ 1 -lt 2 ] && [ a != b ] && [ -d /tmp ] && [ ! -e /nope ] && [ -z '' ] && echo ok"),
        "ok"
    );
    assert_eq!(
        sh("[ a -eq 1 ]; echo $?"),
        (0, lines("sh: a: bad number\n2"))
    );
    assert_eq!(sh("[ 1 = 1; echo $?"), (0, lines("sh: missing ]\n2")));
}

#[test]
fn text_applets_process_lines() {
    assert_eq!(
        out("echo one two three | cut -d' ' -f2; echo hello | tr a-z A-Z"),
        "two\nHELLO"
    );
    assert_eq!(
        out("printf 'b\\na\\nc\\n' | sort; printf 'a\\na\\nb\\n' | uniq -c"),
        "a\nb\nc\n      2 a\n      1 b"
    );
    assert_eq!(
        out("grep root /etc/passwd; grep -c x /etc/passwd; grep -q nobodyx /etc/passwd; echo $?"),
        "root:x:0:0:root:/root:/bin/sh\n3\n1"
    );
    assert_eq!(
        out("seq 3 | tail -n 2; seq -s, 1 4; printf 'a\\nb\\n' | wc -l"),
        "2\n3\n1,2,3,4\n2"
    );
    assert_eq!(
        out("basename /a/b/c.txt .txt; dirname /a/b/c.txt"),
        "c\n/a/b"
    );
}

#[test]
fn file_applets_report_busybox_errors() {
    assert_eq!(
        sh("cat /nope"),
        (
            1,
            lines("cat: can't open '/nope': No such file or directory")
        )
    );
    assert_eq!(
        sh("rm /nope"),
        (
            1,
            lines("rm: can't remove '/nope': No such file or directory")
        )
    );
    assert_eq!(sh("rm -f /nope"), (0, vec![]));
    assert_eq!(
        sh("mkdir /tmp"),
        (
            1,
            lines("mkdir: can't create directory '/tmp': File exists")
        )
    );
    assert_eq!(
        sh("ls /nope"),
        (1, lines("ls: /nope: No such file or directory"))
    );
    assert_eq!(out("mkdir -p /tmp/a/b && touch /tmp/a/b/f && cp -r /tmp/a /tmp/c && mv /tmp/c/b/f /tmp/c/g && ls /tmp/c"), "b\ng");
}

#[test]
fn ls_long_format_has_modes_owners_sizes_and_dates() {
    assert_eq!(
        out("echo hello > /tmp/f; ln -s /tmp/f /tmp/l; mkdir /tmp/d; ls -l /tmp"),
        "total 8\n\
         drwxr-xr-x    2 root     root          4096 Jan  1 00:00 d\n\
         -rw-r--r--    1 root     root             6 Jan  1 00:00 f\n\
         lrwxrwxrwx    1 root     root             6 Jan  1 00:00 l -> /tmp/f"
    );
}

#[test]
fn sleep_rejects_bad_numbers() {
    assert_eq!(sh("sleep x"), (1, lines("sleep: invalid number 'x'")));
}

#[test]
fn unknown_applets_are_not_found_by_busybox() {
    assert_eq!(
        sh("busybox nosuch"),
        (127, lines("nosuch: applet not found"))
    );
}

#[test]
fn date_prints_the_virtual_clock_from_the_engines_epoch() {
    let run = Harness::new().sh("date; sleep 61; date +%F_%T; date -u +%s");
    assert_eq!(
        run.out,
        lines("Thu Jan  1 00:00:00 UTC 2026\n2026-01-01_00:01:01\n1767225661")
    );
    assert_eq!(run.ended_at, Time::from_secs(61));
}

#[test]
fn system_applets_describe_the_container() {
    assert_eq!(
        out("id; whoami; hostname"),
        "uid=0(root) gid=0(root) groups=0(root),10(wheel)\nroot\ntest-pod"
    );
    assert_eq!(out("env | sort"), "HOME=/root\nHOSTNAME=test-pod\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPWD=/\nSHLVL=1");
}

#[test]
fn ps_lists_the_containers_processes_in_busyboxs_columns() {
    assert_eq!(
        out("sleep 100 & ps; true"),
        "PID   USER     TIME  COMMAND\n    1 root      0:00 sh -c sleep 100 & ps; true\n    2 root      0:00 sleep 100\n    3 root      0:00 ps"
    );
    // The last command of `sh -c` replaces the shell.
    assert_eq!(
        out("sleep 100 & ps"),
        "PID   USER     TIME  COMMAND\n    1 root      0:00 ps\n    2 root      0:00 sleep 100"
    );
}

#[test]
fn nslookup_answers_for_the_pods_own_name_and_nxdomain_otherwise() {
    assert_eq!(
        sh("nslookup nothere"),
        (
            1,
            lines("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nothere: NXDOMAIN\n\n** server can't find nothere: NXDOMAIN\n\n")
        )
    );
    assert_eq!(
        out("nslookup test-pod | grep Address: | tail -n 1"),
        "Address: 10.244.0.10"
    );
}

// --- processes, signals and time ---------------------------------------------------------

#[test]
fn sh_c_execs_its_last_command_in_place() {
    let mut h = Harness::new();
    h.start(&["sh", "-c", "sleep 600"]);
    h.run_for(1000);
    let procs: Vec<Vec<String>> = {
        let k = h.machine.kernel.borrow();
        k.procs
            .values()
            .filter(|p| p.zombie.is_none())
            .map(|p| p.argv.clone())
            .collect()
    };
    assert_eq!(procs, vec![vec!["sleep".to_string(), "600".to_string()]]);
}

#[test]
fn a_shell_as_pid_1_ignores_sigterm_without_a_trap() {
    let mut h = Harness::new();
    h.start(&["sh", "-c", "sleep 600"]);
    h.run_for(1000);
    h.signal(Signal::Term);
    h.run_for(5000);
    assert!(h.running(), "PID 1 ignores SIGTERM");
    h.signal(Signal::Kill);
    h.run_for(10);
    assert_eq!(h.report().code, Some(137));
}

#[test]
fn a_term_trap_with_a_sleep_loop_exits_within_a_second() {
    let mut h = Harness::new();
    h.start(&[
        "sh",
        "-c",
        "trap 'exit 0' TERM; while true; do sleep 1; done",
    ]);
    h.run_until(Time::from_secs(10));
    assert!(h.running());
    h.signal(Signal::Term);
    let run = h.finish();
    assert_eq!(run.code, Some(0));
    assert!(
        run.ended_at <= Time::from_secs(11),
        "ended at {}",
        run.ended_at
    );
}

#[test]
fn a_trap_runs_after_the_foreground_command_finishes() {
    let mut h = Harness::new();
    h.start(&["sh", "-c", "trap 'echo caught' TERM; sleep 5; echo after"]);
    h.run_until(Time::from_secs(1));
    h.signal(Signal::Term);
    let run = h.finish();
    assert_eq!(run.out, lines("caught\nafter"));
    assert_eq!(run.ended_at, Time::from_secs(5));
}

#[test]
fn wait_is_interrupted_by_a_trapped_signal_with_128_plus_n() {
    let mut h = Harness::new();
    h.start(&[
        "sh",
        "-c",
        "trap 'echo usr1' USR1; sleep 100 & wait; echo \"wait=$?\"",
    ]);
    h.run_until(Time::from_secs(2));
    h.signal(Signal::Usr1);
    let run = h.finish();
    assert_eq!(run.out, lines("usr1\nwait=138"));
    assert_eq!(run.ended_at, Time::from_secs(2));
}

#[test]
fn the_exit_trap_runs_at_exit_even_from_a_signal_handler() {
    let mut h = Harness::new();
    h.start(&[
        "sh",
        "-c",
        "trap 'echo bye' EXIT; trap 'exit 3' TERM; while :; do sleep 1; done",
    ]);
    h.run_until(Time::from_secs(3));
    h.signal(Signal::Term);
    let run = h.finish();
    assert_eq!((run.code, run.out), (Some(3), lines("bye")));
}

#[test]
fn a_shell_that_is_not_pid_1_dies_of_sigterm() {
    assert_eq!(
        out("sh -c 'kill -TERM $$; sleep 1; echo no'; echo $?"),
        "143"
    );
}

#[test]
fn trap_with_an_empty_action_ignores_and_dash_resets() {
    assert_eq!(
        out("sh -c \"trap '' TERM; kill \\$\\$; echo survived\"; echo $?"),
        "survived\n0"
    );
    assert_eq!(
        out("trap 'echo x' INT; trap; trap - INT; trap"),
        "trap -- 'echo x' INT"
    );
}

#[test]
fn kill_reports_missing_processes_and_lists_signals() {
    assert_eq!(
        sh("kill 999"),
        (1, lines("sh: can't kill pid 999: No such process"))
    );
    assert_eq!(
        out("kill -l | head -n 3; kill -l 15"),
        " 1) HUP\n 2) INT\n 3) QUIT\nTERM"
    );
}

#[test]
fn a_busy_loop_advances_virtual_time_instead_of_hanging() {
    let mut h = Harness::new();
    h.start(&[
        "sh",
        "-c",
        "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; done",
    ]);
    h.run_until(Time::from_secs(1));
    assert!(h.running());
    let n: u64 = String::from_utf8(h.read_file("/tmp/n").unwrap())
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // 200 units of fuel per 10 ms: 20,000 per second; an iteration spends five (the loop,
    // `true`, the assignment, `echo` and its write).
    assert!(
        (3_000..=5_000).contains(&n),
        "{n} iterations in a virtual second"
    );
}

#[test]
fn timeout_kills_its_program_with_term() {
    let run = Harness::new().sh("timeout 2 sleep 10; echo $?");
    assert_eq!(run.out, lines("143"));
    assert_eq!(run.ended_at, Time::from_secs(2));
}

#[test]
fn dd_writes_mebibytes_into_dev_shm_and_reports_records() {
    let (code, out) = sh("dd if=/dev/zero of=/dev/shm/x bs=1M count=3; ls -l /dev/shm/x");
    assert_eq!(code, 0);
    assert_eq!(
        &out[..2],
        &["3+0 records in".to_string(), "3+0 records out".to_string()]
    );
    assert!(
        out[2].starts_with("3145728 bytes (3.0MB) copied, "),
        "{}",
        out[2]
    );
    assert!(out[3].contains(" 3145728 "), "{}", out[3]);
}

#[test]
fn dd_into_memory_past_the_limit_is_oom_killed() {
    let mut h = Harness::new();
    h.memory_limit_bytes = Some(8 << 20);
    h.start(&[
        "sh",
        "-c",
        "dd if=/dev/zero of=/dev/shm/big bs=1M count=16; echo survived",
    ]);
    let run = h.finish();
    assert_eq!(run.code, Some(137));
    assert!(!run.out.iter().any(|l| l == "survived"));
}

// --- network -----------------------------------------------------------------------------

#[test]
fn wget_fetches_from_a_listener_in_the_pod() {
    let (code, out) = sh(
        "printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n' | nc -l -p 8080 >/dev/null & sleep 1; wget -q -O - http://localhost:8080/",
    );
    assert_eq!((code, out), (0, lines("hello")));
}

#[test]
fn wget_prints_busyboxs_progress_and_saves_index_html() {
    let (code, out) = sh(
        "cd /tmp; printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n\\r\\nhello\\n' | nc -l -p 80 >/dev/null & sleep 1; wget http://localhost/; cat index.html",
    );
    assert_eq!(code, 0);
    assert_eq!(
        out,
        lines(
            "Connecting to localhost (127.0.0.1:80)\n\
             saving to 'index.html'\n\
             index.html           100% |********************************|     6  0:00:00 ETA\n\
             'index.html' saved\n\
             hello"
        )
    );
}

#[test]
fn wget_reports_refused_connections_bad_addresses_and_http_errors() {
    assert_eq!(
        sh("wget -q http://localhost:81/"),
        (
            1,
            lines("wget: can't connect to remote host (127.0.0.1): Connection refused")
        )
    );
    assert_eq!(
        sh("wget -q http://nowhere/"),
        (1, lines("wget: bad address 'nowhere'"))
    );
    assert_eq!(
        sh("printf 'HTTP/1.1 404 Not Found\\r\\n\\r\\n' | nc -l -p 8080 >/dev/null & sleep 1; wget -q -O - http://localhost:8080/x"),
        (1, lines("wget: server returned error: HTTP/1.1 404 Not Found"))
    );
}

#[test]
fn nc_z_probes_a_port() {
    assert_eq!(out("nc -l -p 9000 >/dev/null & sleep 1; nc -z localhost 9000; echo $?; nc -z localhost 9001; echo $?"), "0\n1");
}

#[test]
fn env_lists_variables_in_ashs_hash_table_order() {
    assert_eq!(
        out("env"),
        "HOSTNAME=test-pod\nSHLVL=1\nHOME=/root\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nPWD=/"
    );
    assert_eq!(out("sh -c 'echo $SHLVL'"), "2");
}

#[test]
fn wget_gives_up_after_its_timeout() {
    let run = Harness::new().sh(
        "sleep 100 | nc -l -p 8080 >/dev/null & sleep 1; wget -T 2 -q -O - http://localhost:8080/; echo \"st=$?\"",
    );
    assert_eq!(run.out, lines("wget: download timed out\nst=1"));
    assert_eq!(run.ended_at, Time::from_secs(3));
}

#[test]
fn nc_is_silent_about_a_refused_connection_unless_very_verbose() {
    assert_eq!(
        out("nc localhost 4; echo $?; nc -vv localhost 4; echo $?"),
        "1\nnc: localhost (127.0.0.1:4): Connection refused\n1"
    );
}

#[test]
fn tail_f_follows_a_growing_file() {
    let run = Harness::new().sh(
        "(for i in 1 2 3; do echo line$i >> /tmp/log; sleep 1; done) & tail -f /tmp/log & sleep 5; kill $!; echo end",
    );
    assert_eq!(run.out, lines("line1\nline2\nline3\nend"));
}

#[test]
fn read_is_interrupted_by_a_trapped_signal_with_128_plus_n() {
    let run = Harness::new().sh(
        "sleep 100 | sh -c 'trap \"echo hup\" HUP; (sleep 1; kill -HUP $$) & read x; echo \"read=$?\"'",
    );
    assert_eq!(run.out, lines("hup\nread=129"));
    assert_eq!(run.ended_at, Time::from_secs(100));
}

#[test]
fn runaway_recursion_dies_like_a_stack_overflow() {
    assert_eq!(sh("f() { f; }; f; echo no"), (139, vec![]));
    assert_eq!(
        out("g() { if [ $1 -lt 30 ]; then g $(($1+1)); else echo deep $1; fi; }; g 0"),
        "deep 30"
    );
}

#[test]
fn getopts_walks_options_and_their_arguments() {
    assert_eq!(
        out("while getopts ab:c o -a -b val -c rest; do echo \"$o ${OPTARG:-}\"; done; echo \"OPTIND=$OPTIND\""),
        "a \nb val\nc \nOPTIND=5"
    );
}

#[test]
fn xtrace_prints_commands_with_ps4() {
    assert_eq!(
        out("set -x; x=1; echo $x; set +x; echo quiet"),
        "+ x=1\n+ echo 1\n1\n+ set +x\nquiet"
    );
}

#[test]
fn type_and_command_describe_names() {
    assert_eq!(
        out("type echo exit ls nope if; command -v ls echo"),
        "echo is a shell builtin\nexit is a special shell builtin\nls is /bin/ls\nnope: not found\nif is a shell keyword\n/bin/ls\necho"
    );
}

#[test]
fn an_empty_busy_loop_spends_virtual_time() {
    let mut h = Harness::new();
    h.start(&["sh", "-c", "while true; do :; done"]);
    h.run_until(Time::from_secs(1));
    assert!(h.running());
    assert_eq!(h.now, Time::from_secs(1));
}
