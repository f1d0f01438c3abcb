//! busybox `sed` and `awk`, pinned as sentences: outputs, messages and exit codes as busybox
//! prints them. The expected texts were taken from busybox (1.35, Debian's build, in the
//! busybox image) running the same scripts; the usage banner is our 1.37's, and `^` is
//! computed as the official build (with math) does.

use podplay_mock::harness::Harness;

/// Runs `sh -c script`: (exit code, log lines).
fn sh(script: &str) -> (i32, Vec<String>) {
    let run = Harness::new().sh(script);
    (run.code.expect("the script ends"), run.out)
}

/// Runs `script` with stderr on stdout and its status after it, as the expected texts were
/// recorded: `( SCRIPT ) 2>&1; echo "[rc=$?]"`.
fn check(script: &str, expected: &str) {
    let (_, out) = sh(&format!("( {script}\n) 2>&1\necho \"[rc=$?]\""));
    let mut text = out.join("\n");
    text.push('\n');
    assert_eq!(text, expected, "{script}");
}

#[test]
fn busybox_lists_sed_and_awk_and_images_link_them() {
    let (code, out) = sh("busybox --list | grep -x -e sed -e awk; ls /bin/sed /bin/awk");
    assert_eq!(code, 0, "{out:?}");
    assert_eq!(out, ["awk", "sed", "/bin/awk", "/bin/sed"]);
}

#[test]
fn an_endless_sed_or_awk_loop_spends_virtual_time_and_can_be_killed() {
    let (code, out) = sh("timeout 2 sed ':a;ba' </etc/hostname; echo sed=$?; \
         timeout 2 awk 'BEGIN { while (1) x++ }'; echo awk=$?");
    assert_eq!(code, 0);
    assert_eq!(out, ["sed=143", "awk=143"]);
}

/// A small deterministic generator (xorshift) for the no-panic property test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Single-quotes `s` for the shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[test]
fn random_sed_and_awk_programs_never_panic() {
    const SED: &[&str] = &[
        "s", "/", "a", "b", "\\(", "\\)", "\\1", "&", "g", "p", "d", "q", "=", ";", "\n", "$", "1",
        "2", ",", "!", "{", "}", "y", "i\\", "a ", "c", "n", "N", "D", "G", "H", "x", ":l", "bl",
        "tl", "*", ".", "[", "]", "^", "I", " ", "+", "\\", "|", "#",
    ];
    const AWK: &[&str] = &[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "$",
        "1",
        "0",
        "NF",
        "NR",
        "x",
        "a",
        "=",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        "!",
        "~",
        "<",
        ">",
        "==",
        "&&",
        "||",
        "?",
        ":",
        ";",
        "\n",
        ",",
        "\"s\"",
        "/r/",
        "print",
        "printf",
        "\"%d%s%c%5.2f%\"",
        "if",
        "else",
        "while",
        "for",
        "in",
        "do",
        "next",
        "exit",
        "BEGIN",
        "END",
        "length",
        "substr",
        "split",
        "gsub",
        "sub",
        "index",
        "sprintf",
        "toupper",
        "getline",
        "delete",
        "function",
        "f",
        "return",
        "++",
        "--",
        " ",
        "\"",
        "\\",
        "1e309",
        "-F",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut script = String::new();
    for _ in 0..150 {
        let sed: String = (0..1 + rng.next() % 12).map(|_| rng.pick(SED)).collect();
        let awk: String = (0..1 + rng.next() % 16).map(|_| rng.pick(AWK)).collect();
        script.push_str(&format!(
            "printf 'a b\\nc 1\\n\\n' | timeout 1 sed -n {} >/dev/null 2>&1\n",
            quote(&sed)
        ));
        script.push_str(&format!(
            "printf 'a b\\nc 1\\n\\n' | timeout 1 awk {} >/dev/null 2>&1\n",
            quote(&awk)
        ));
    }
    script.push_str("echo done\n");
    let (code, out) = sh(&script);
    assert_eq!((code, out), (0, vec!["done".to_string()]));
}

#[test]
fn deeply_nested_or_long_awk_expressions_are_refused_or_run_without_overflow() {
    let nested = format!(
        "BEGIN {{ print {}1{} }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let chain = format!("BEGIN {{ print 1{} }}", "+1".repeat(5000));
    let short = format!("BEGIN {{ print 1{} }}", "+1".repeat(99));
    let (code, out) = sh(&format!(
        "awk {}; echo $?; awk {}; echo $?; awk {}",
        quote(&nested),
        quote(&chain),
        quote(&short)
    ));
    assert_eq!(code, 0);
    assert_eq!(
        out,
        [
            "awk: cmd. line:1: Unexpected token",
            "1",
            "awk: cmd. line:1: Unexpected token",
            "1",
            "100"
        ]
    );
}

// --- cases checked against busybox ----------------------------------------------------------

#[test]
fn sed_substitutes_the_first_every_or_the_nth_match() {
    check(
        r#"echo hello world | sed 's/o/0/'; echo hello world | sed 's/o/0/g'; echo aaa | sed 's/a/b/2'"#,
        r#"hell0 world
hell0 w0rld
aba
[rc=0]
"#,
    );
}

#[test]
fn sed_takes_any_delimiter_groups_and_ampersand() {
    check(
        r#"echo /usr/local/bin | sed 's|/usr/local|/opt|'; echo 'key=value' | sed 's/\(.*\)=\(.*\)/\2=\1/'; echo 'a b' | sed -E 's/(a) (b)/\2 \1 [&] \&/'"#,
        r#"/opt/bin
value=key
b a [a b] &
[rc=0]
"#,
    );
}

#[test]
fn sed_n_prints_only_the_addressed_lines() {
    check(
        r#"printf '1\n2\n3\n4\n5\n' | sed -n '2p'; printf '1\n2\n3\n4\n5\n' | sed -n '2,4p'; printf '1\n2\n3\n' | sed -n '$p'"#,
        r#"2
2
3
4
3
[rc=0]
"#,
    );
}

#[test]
fn sed_deletes_lines_by_regex_and_by_negation() {
    check(
        r#"printf 'keep\n# comment\nkeep2\n' | sed '/^#/d'; printf 'a\nb\nc\n' | sed '2!d'"#,
        r#"keep
keep2
b
[rc=0]
"#,
    );
}

#[test]
fn sed_ranges_run_from_start_to_end_address() {
    check(
        r#"printf 'x\nstart\n1\nend\ny\n' | sed -n '/start/,/end/p'; printf '1\n2\n3\n4\n5\n' | sed '2,4!d'; printf '1\n2\n3\n4\n5\n' | sed -n '/2/,+1p'"#,
        r#"start
1
end
2
3
4
2
3
[rc=0]
"#,
    );
}

#[test]
fn sed_q_quits_and_equals_prints_line_numbers() {
    check(
        r#"printf '1\n2\n3\n' | sed 2q; printf 'a\nb\nc\n' | sed -n '$='; printf 'a\nb\n' | sed ="#,
        r#"1
2
3
1
a
2
b
[rc=0]
"#,
    );
}

#[test]
fn sed_runs_several_commands_from_e_semicolons_and_newlines() {
    check(
        r#"printf 'a\nb\n' | sed -e 's/a/A/' -e 's/b/B/'; printf 'abc\n' | sed 's/a/1/;s/b/2/
s/c/3/'; echo hello | sed 'y/lo/LO/'"#,
        r#"A
B
123
heLLO
[rc=0]
"#,
    );
}

#[test]
fn sed_appends_inserts_and_changes_lines() {
    check(
        r#"printf '1\n2\n' | sed '1a\
after'; printf '1\n2\n' | sed '2i before'; printf '1\n2\n3\n' | sed '2c\
changed'; printf '1\n2\n3\n4\n' | sed '2,3c\
X'"#,
        r#"1
after
2
1
before
2
1
changed
3
1
X
4
[rc=0]
"#,
    );
}

#[test]
fn sed_i_edits_files_in_place_with_an_optional_backup() {
    check(
        r#"cd /tmp && printf 'port=80\nhost=a\n' > conf && sed -i 's/80/8080/' conf && cat conf && sed -i.bak 's/host=a/host=b/' conf && cat conf conf.bak"#,
        r#"port=8080
host=a
port=8080
host=b
port=8080
host=a
[rc=0]
"#,
    );
}

#[test]
fn sed_hold_space_and_next_line_commands_work() {
    check(
        r#"printf '1\n2\n3\n4\n' | sed -n 'h;n;G;p'; printf '1\n2\n' | sed 'N;s/\n/+/'; printf 'a\nb\nc\n' | sed '1!G;h;$!d'"#,
        r#"2
1
4
3
1+2
c
b
a
[rc=0]
"#,
    );
}

#[test]
fn sed_global_substitution_handles_empty_matches() {
    check(
        r#"echo abc | sed 's/x*/-/g'; echo baaac | sed 's/a*/x/g'; echo aXb | sed 's/x/Y/I'"#,
        r#"-a-b-c-
xbxcx
aYb
[rc=0]
"#,
    );
}

#[test]
fn sed_branches_to_labels() {
    check(
        r#"printf 'a,b,c\n' | sed ':a;s/,/ /;ta'; printf 'one\ntwo\n' | sed '/one/b;s/.*/X/'"#,
        r#"a b c
one
X
[rc=0]
"#,
    );
}

#[test]
fn sed_keeps_a_missing_final_newline_missing() {
    check(
        r#"printf 'a\nb' | sed p; echo; printf 'x' | sed 's/x/y/'"#,
        r#"a
a
b
b
y[rc=0]
"#,
    );
}

#[test]
fn sed_script_errors_are_busybox_messages_with_status_1() {
    check(
        r#"echo x | sed 's/a/b'; echo rc=$?; echo x | sed k; echo rc=$?; echo x | sed 's/a/b/x'; echo rc=$?; echo x | sed 3; echo rc=$?; echo x | sed 'b foo'; echo rc=$?; echo x | sed 's/\(a/b/'; echo rc=$?"#,
        r#"sed: unmatched '/'
rc=1
sed: unsupported command k
rc=1
sed: bad option in substitution expression
rc=1
sed: missing command
rc=1
sed: can't find label for jump to 'foo'
rc=1
sed: bad regex '\(a': Unmatched ( or \(
rc=1
[rc=0]
"#,
    );
}

#[test]
fn sed_reports_a_missing_file_and_goes_on_with_status_1() {
    check(
        r#"echo a | sed p - nofile; echo rc=$?"#,
        r#"a
a
sed: nofile: No such file or directory
rc=1
[rc=0]
"#,
    );
}

#[test]
fn sed_without_a_script_shows_its_usage() {
    check(
        r#"sed; echo rc=$?"#,
        r#"BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.

Usage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...
or: sed [-i[SFX]] [-nrE] CMD [FILE]...

	-e CMD	Add CMD to sed commands to be executed
	-f FILE	Add FILE contents to sed commands to be executed
	-i[SFX]	Edit files in-place (otherwise write to stdout)
		Optionally back files up, appending SFX
	-n	Suppress automatic printing of pattern space
	-r,-E	Use extended regex syntax

If no -e or -f, the first non-option argument is the sed command string.
Remaining arguments are input files (stdin if none).
rc=1
[rc=0]
"#,
    );
}

#[test]
fn awk_splits_fields_on_blanks_or_the_f_separator() {
    check(
        r#"printf 'a b c\nd e f\n' | awk '{print $2, $1}'; echo 'x:y:z' | awk -F: '{print $NF; print NF}'; printf 'a\tb c\n' | awk -F '\t' '{print $2}'; echo 'a,b,,d' | awk -F, '{print NF, $4}'"#,
        r#"b a
e d
z
3
b c
4 d
[rc=0]
"#,
    );
}

#[test]
fn awk_v_sets_variables_before_begin() {
    check(
        r#"awk -v name=world 'BEGIN{print "hello " name}'; echo 1 | awk -v n=3 '{print $1 + n}'"#,
        r#"hello world
4
[rc=0]
"#,
    );
}

#[test]
fn awk_patterns_select_records() {
    check(
        r#"printf '1\n2\n3\n' | awk 'NR==2'; printf 'a 5\nb 20\nc 30\n' | awk '$2 > 10 {s+=$2} END{print s, NR}'; printf 'foo\nbar\nfoobar\n' | awk '/foo/ && !/bar/'; printf '1\n2\n3\n4\n' | awk 'NR==2,NR==3 {print "r" $0}'"#,
        r#"2
50 3
foo
r2
r3
[rc=0]
"#,
    );
}

#[test]
fn awk_prints_numbers_as_integers_or_through_ofmt() {
    check(
        r#"awk 'BEGIN{print 1/3, 10/2, 1e6, 1e7, 123456789, 0.1+0.2, 100000*100000, 1e300*1e300, -1/3, 017, 0x10, 1e-5}'; awk 'BEGIN{x = 3.14159; OFMT="%.2f"; print x; CONVFMT="%.3f"; y = x ""; print y}'"#,
        r#"0.333333 5 1000000 10000000 123456789 0.3 10000000000 inf -0.333333 15 16 1e-05
3.14
3.142
[rc=0]
"#,
    );
}

#[test]
fn awk_printf_formats_as_c_does() {
    check(
        r#"awk 'BEGIN{printf "%5.2f|%-5s|%d|%x|%c|%e|%5d|%s\n", 3.14159, "ab", 42.9, 255, 65, 1234.5, -3}'; awk 'BEGIN{printf "%03d %+d %.3s %5s%%\n", 7, 5, "abcdef", "x"}'; awk 'BEGIN { printf "%s %s|\n", "a" }'"#,
        r#" 3.14|ab   |42|ff|A|1.234500e+03|   -3|
007 +5 abc     x%
a |
[rc=0]
"#,
    );
}

#[test]
fn awk_string_functions_work() {
    check(
        r#"awk 'BEGIN{print length("abc"), substr("hello",2,3), index("abc","c"), toupper("ab"), tolower("CD")}'; echo 'hello world' | awk '{print length, length($1)}'; awk 'BEGIN{print substr("hello",0,2), substr("hello",-1), substr("hello",2)}'"#,
        r#"3 ell 3 AB cd
11 5
he hello ello
[rc=0]
"#,
    );
}

#[test]
fn awk_split_sub_and_gsub_work() {
    check(
        r#"awk 'BEGIN{n=split("a:b:c",arr,":"); print n, arr[1], arr[3]}'; awk 'BEGIN{s="foo bar foo"; n=gsub(/foo/,"[&]",s); print n, s; t="aaa"; sub(/a/,"b",t); print t; print sprintf("%03d", 7)}'; echo 'a.b.c' | awk '{gsub(/\./, "-"); print}'; echo abc | awk '{gsub(/x*/,"-"); print}'"#,
        r#"3 a c
2 [foo] bar [foo]
baa
007
a-b-c
-a-b-c-
[rc=0]
"#,
    );
}

#[test]
fn awk_assigning_a_field_rebuilds_the_record_with_ofs() {
    check(
        r#"echo 'a b c' | awk '{$2="X"; print; print NF}'; echo 'a b c' | awk -v OFS=- '{$1=$1; print}'; echo 'a b' | awk '{ $5="e"; print; print NF }'; echo 'a b c' | awk '{NF=2; print}'"#,
        r#"a X c
3
a-b-c
a b   e
5
a b
[rc=0]
"#,
    );
}

#[test]
fn awk_arrays_iterate_in_busybox_hash_order() {
    check(
        r#"printf 'a\nb\na\nc\na\n' | awk '{c[$1]++} END{for (k in c) print k, c[k]}'; awk 'BEGIN{x["a"]=1; print ("a" in x), ("z" in x); delete x["a"]; print length(x)}'; awk 'BEGIN{for(i=0;i<30;i++) y[i]; for(k in y) printf "%s ", k; print ""}'"#,
        r#"a 3
b 1
c 1
1 0
0
10 11 20 12 21 13 22 14 23 15 24 16 25 17 26 18 27 19 28 29 0 1 2 3 4 5 6 7 8 9 
[rc=0]
"#,
    );
}

#[test]
fn awk_control_statements_and_exit_status() {
    check(
        r#"awk 'BEGIN { if (1) print "y"; else print "n"; i=0; while (i<3) i++; print i; for(j=0;j<2;j++) print j; do { k++ } while (k < 5); print k }'; printf 'a\nb\n' | awk '{print; next; print "no"}'; awk 'BEGIN{exit 3} END{print "end"}'; echo rc=$?"#,
        r#"y
3
0
1
5
a
b
end
rc=3
[rc=0]
"#,
    );
}

#[test]
fn awk_compares_numbers_as_numbers_and_strings_as_strings() {
    check(
        r#"awk 'BEGIN{x = "10"; y = 9; print (x < y), ("10" < "9"), (10 < 9)}'; echo "10 9" | awk '{print ($1 < $2), ($1 > $2)}'; echo "abc" | awk '$1 ~ /b/ {print "m"} $1 !~ /z/ {print "n"}'"#,
        r#"1 1 0
0 1
m
n
[rc=0]
"#,
    );
}

#[test]
fn awk_print_joins_with_ofs_and_ends_with_ors() {
    check(
        r#"printf 'a b\nc d\n' | awk 'BEGIN{OFS="-"; ORS="|"} {print $1, $2} END{printf "\n"}'; echo 'a b' | awk '{print $1 $2, $1}'"#,
        r#"a-b|c-d|
ab a
[rc=0]
"#,
    );
}

#[test]
fn awk_user_functions_take_scalars_and_arrays() {
    check(
        r#"awk 'function add(a, b) { return a + b } BEGIN { print add(2, 3) }'; awk 'function f(arr) { arr["x"] = 1 } BEGIN { a["y"]=2; f(a); print a["x"] }'"#,
        r#"5
1
[rc=0]
"#,
    );
}

#[test]
fn awk_ternary_redirects_and_increments() {
    check(
        r#"awk 'BEGIN{x = 5; print x > 3 ? "big" : "small"; print x++, x, ++x, x--, --x; print -x^2, 2^3^2}'"#,
        r#"5 6 7 7 5
-25 64
[rc=0]
"#,
    );
}

#[test]
fn awk_match_sets_rstart_and_rlength() {
    check(
        r#"awk 'BEGIN{print match("foobar", /ob/), RSTART, RLENGTH; print match("x", /y/), RSTART, RLENGTH}'"#,
        r#"3 3 2
0 0 -1
[rc=0]
"#,
    );
}

#[test]
fn awk_getline_reads_the_next_record() {
    check(
        r#"printf '1\n2\n3\n' | awk 'NR==1{getline; print "got " $0} {print NR": "$0}'; printf 'a\nb\n' | awk '{getline x; print $0 "+" x}'"#,
        r#"got 2
2: 2
3: 3
a+b
[rc=0]
"#,
    );
}

#[test]
fn awk_errors_are_busybox_messages_with_status_1() {
    check(
        r#"echo | awk '{print $1'; echo rc=$?; awk 'BEGIN{x=1+}'; echo rc=$?; awk 'BEGIN{x=1/0}'; echo rc=$?; awk 'BEGIN{printf "%z\n", 5}'; echo rc=$?; awk 'BEGIN { print "a" ; }  }'; echo rc=$?; awk 'BEGIN{print "abc}'; echo rc=$?; awk 1 nofile; echo rc=$?"#,
        r#"awk: cmd. line:1: Unexpected token
rc=1
awk: cmd. line:1: Unexpected token
rc=1
awk: cmd. line:1: Division by zero
rc=1
awk: cmd. line:1: Invalid format specifier
rc=1
awk: cmd. line:1: Unexpected token
rc=1
awk: cmd. line:1: Unexpected end of string
rc=1
awk: nofile: No such file or directory
rc=1
[rc=0]
"#,
    );
}

#[test]
fn awk_without_a_program_shows_its_usage() {
    check(
        r#"awk; echo rc=$?"#,
        r#"BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.

Usage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...

	-v VAR=VAL	Set variable
	-F SEP		Use SEP as field separator
	-f FILE		Read program from FILE
	-e AWK_PROGRAM
rc=1
[rc=0]
"#,
    );
}

#[test]
fn awk_uninitialized_and_blank_values_are_false() {
    check(
        r#"awk 'BEGIN{print x+0, x "", length(x); if (!x) print "falsy"}'; echo '0.0' | awk '{ if ($1) print "t"; else print "f" }'; echo ' ' | awk '{ if ($0) print "t"; else print "f" }'"#,
        r#"0  0
falsy
f
f
[rc=0]
"#,
    );
}

#[test]
fn awk_programs_span_lines_with_comments() {
    check(
        r#"printf 'a 1\nb 2\n' | awk '
# sum the second column
{
  sum += $2   # add
}
END {
  print "total:", sum
}'"#,
        r#"total: 3
[rc=0]
"#,
    );
}

#[test]
fn awk_print_redirects_to_files() {
    check(
        r#"cd /tmp && awk 'BEGIN { print "one" > "out.txt"; print "two" > "out.txt"; print "three" >> "out.txt" }' && cat out.txt"#,
        r#"one
two
three
[rc=0]
"#,
    );
}

#[test]
fn awk_more_errors_match_busybox() {
    check(
        r#"awk 'BEGIN{x=1+'; echo rc=$?; awk 'BEGIN{print (1}'; echo rc=$?; awk 'BEGIN{f(1)}'; echo rc=$?; awk 'BEGIN{print substr("abc")}'; echo rc=$?; awk 'BEGIN { print 1,,2 }'; echo rc=$?; awk '/abc'; echo rc=$?"#,
        r#"awk: cmd. line:1: Unexpected token
rc=1
awk: cmd. line:1: Unexpected token
rc=1
awk: cmd. line:1: Call to undefined function
rc=1
awk: cmd. line:1: Too few arguments
rc=1
awk: cmd. line:1: Unexpected token
rc=1
awk: cmd. line:1: Unexpected end of string
rc=1
[rc=0]
"#,
    );
}

#[test]
fn awk_conversions_and_splitting_corner_cases() {
    check(
        r#"awk 'BEGIN{printf "%d %s|\n"}'; awk 'BEGIN{print -"3x", !"", !"a", 1==1.0, "a"<"b"}'; awk 'BEGIN{n=split("  a b  ",a); print n, a[1]; n=split("",b); print n; n=split("a1b2c",c,/[0-9]/); print n, c[3]}'; awk 'BEGIN{CONVFMT="%d"; a[1.5]=1; for(k in a) print k}'; awk 'BEGIN{$0="a b c"; print NF; $3=""; print NF "|" $0 "|"}'; awk 'BEGIN{print toupper(123), length(12345), 1e6 "", 1234567 "", 0.000001 ""}'"#,
        r#"0 |
-3 1 0 1 1
2 a
0
3 c
1
3
3|a b |
123 5 1000000 1234567 1e-06
[rc=0]
"#,
    );
}

#[test]
fn awk_dies_on_a_missing_file_with_status_1() {
    check(
        r#"printf '1\n2\n' | awk '{print}' - nofile; echo rc=$?"#,
        r#"1
2
awk: nofile: No such file or directory
rc=1
[rc=0]
"#,
    );
}

#[test]
fn sed_reports_missing_files_where_busybox_does() {
    check(
        r#"printf 'a\n' > /tmp/f; sed p /tmp/f nofile; echo rc=$?; printf 'a\nb\n' | sed p - nofile /tmp/f"#,
        r#"sed: nofile: No such file or directory
a
a
rc=1
a
a
b
b
sed: nofile: No such file or directory
a
a
[rc=1]
"#,
    );
}

#[test]
fn sed_reads_scripts_from_f_and_repeated_e() {
    check(
        r#"printf 's/a/b/\np\n' > /tmp/s.sed; echo a | sed -f /tmp/s.sed; echo a | sed -n -e p -e p"#,
        r#"b
b
a
a
[rc=0]
"#,
    );
}

#[test]
fn awk_reads_its_program_from_f() {
    check(
        r#"printf '{ print NR ": " $0 }\n' > /tmp/p.awk; printf 'x\ny\n' | awk -f /tmp/p.awk"#,
        r#"1: x
2: y
[rc=0]
"#,
    );
}

#[test]
fn awk_empty_fields_compare_equal_to_zero_and_empty() {
    check(
        r#"echo "" | awk '{ print ($1 == 0), ($1 == ""), (x == 0), (x == "") }'; echo "abc 10" | awk '$2 >= 10 && $1 == "abc" || 0 { print "yes" }'"#,
        r#"1 1 1 1
yes
[rc=0]
"#,
    );
}

#[test]
fn awk_strings_work_as_dynamic_regexes() {
    check(
        r#"echo "foo123" | awk '{ if (match($0, "[0-9]+")) print substr($0, RSTART, RLENGTH) }'; echo "a-b-c" | awk '{ n = gsub("-", "+"); print n, $0 }'; echo "Hello" | awk '{ sub(/l+/, "[\\&]"); print }'"#,
        r#"123
2 a+b+c
He[&]o
[rc=0]
"#,
    );
}
