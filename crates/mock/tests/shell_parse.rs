//! The shell parser against the scripts Kubernetes' documentation and classrooms run, and against
//! busybox ash's syntax error messages.
//!
//! Trees are shown in a compact notation (see `show`): `[...]` is a simple command, words are
//! printed in a normalised source form (`'...'` quoted text, `"..."` double quotes, `${...}`
//! parameters, `$(...)` command substitutions, `$((...))` arithmetic as a parsed tree).

use expect_test::{expect, Expect};
use podplay_mock::shell::arith::{self, ArithEnv, ArithError, ArithExpr, BinaryOp, UnaryOp};
use podplay_mock::shell::*;

// ---- A compact rendering of the tree. ----

fn show_program(program: &Program) -> String {
    program
        .lines
        .iter()
        .map(show_list)
        .collect::<Vec<_>>()
        .join("\n")
}

fn show_list(list: &List) -> String {
    list.items
        .iter()
        .map(show_and_or)
        .collect::<Vec<_>>()
        .join("; ")
}

fn show_and_or(item: &AndOr) -> String {
    let mut out = show_pipeline(&item.first);
    for (op, pipeline) in &item.rest {
        out.push_str(match op {
            AndOrOp::And => " && ",
            AndOrOp::Or => " || ",
        });
        out.push_str(&show_pipeline(pipeline));
    }
    if item.background {
        out.push_str(" &");
    }
    out
}

fn show_pipeline(pipeline: &Pipeline) -> String {
    let commands = pipeline
        .commands
        .iter()
        .map(show_command)
        .collect::<Vec<_>>()
        .join(" | ");
    if pipeline.negated {
        format!("! {commands}")
    } else {
        commands
    }
}

fn show_command(command: &Command) -> String {
    match command {
        Command::Simple(simple) => {
            let mut fields: Vec<String> = simple
                .assignments
                .iter()
                .map(|a| format!("{}={}", a.name, show_word(&a.value)))
                .collect();
            fields.extend(simple.words.iter().map(show_word));
            fields.extend(simple.redirects.iter().map(show_redirect));
            format!("[{}]", fields.join(" "))
        }
        Command::Compound(compound) => {
            let mut out = match &compound.kind {
                CompoundKind::Group(list) => format!("{{ {} }}", show_list(list)),
                CompoundKind::Subshell(list) => format!("( {} )", show_list(list)),
                CompoundKind::If {
                    branches,
                    else_body,
                } => {
                    let mut out = String::new();
                    for (i, branch) in branches.iter().enumerate() {
                        out.push_str(if i == 0 { "if " } else { " elif " });
                        out.push_str(&format!(
                            "{} then {}",
                            show_list(&branch.condition),
                            show_list(&branch.body)
                        ));
                    }
                    if let Some(list) = else_body {
                        out.push_str(&format!(" else {}", show_list(list)));
                    }
                    out + " fi"
                }
                CompoundKind::While { condition, body } => {
                    format!("while {} do {} done", show_list(condition), show_list(body))
                }
                CompoundKind::Until { condition, body } => {
                    format!("until {} do {} done", show_list(condition), show_list(body))
                }
                CompoundKind::For { var, words, body } => match words {
                    Some(words) => {
                        let words = words.iter().map(show_word).collect::<Vec<_>>().join(" ");
                        format!("for {var} in {words} do {} done", show_list(body))
                    }
                    None => format!("for {var} do {} done", show_list(body)),
                },
                CompoundKind::Case { word, arms } => {
                    let arms = arms
                        .iter()
                        .map(|arm| {
                            let patterns = arm
                                .patterns
                                .iter()
                                .map(show_word)
                                .collect::<Vec<_>>()
                                .join("|");
                            format!("{patterns}) {};;", show_list(&arm.body))
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    format!("case {} in {arms} esac", show_word(word))
                }
            };
            for redirect in &compound.redirects {
                out.push(' ');
                out.push_str(&show_redirect(redirect));
            }
            out
        }
        Command::FunctionDef(function) => {
            format!("{}() {}", function.name, show_command(&function.body))
        }
    }
}

fn show_redirect(redirect: &Redirect) -> String {
    let fd = redirect.fd;
    match &redirect.kind {
        RedirectKind::Output(word) => format!("{fd}>{}", show_word(word)),
        RedirectKind::Clobber(word) => format!("{fd}>|{}", show_word(word)),
        RedirectKind::Append(word) => format!("{fd}>>{}", show_word(word)),
        RedirectKind::Input(word) => format!("{fd}<{}", show_word(word)),
        RedirectKind::ReadWrite(word) => format!("{fd}<>{}", show_word(word)),
        RedirectKind::OutputAndError(word) => format!("{fd}&>{}", show_word(word)),
        RedirectKind::DupOutput(target) => format!("{fd}>&{}", show_dup(target)),
        RedirectKind::DupInput(target) => format!("{fd}<&{}", show_dup(target)),
        RedirectKind::HereDoc(heredoc) => format!(
            "{fd}<<{}{}{}{{{}}}",
            if heredoc.strip_tabs { "-" } else { "" },
            if heredoc.quoted { "'" } else { "" },
            heredoc.delimiter,
            show_word(&heredoc.body).replace('\n', "⏎")
        ),
    }
}

fn show_dup(target: &DupTarget) -> String {
    match target {
        DupTarget::Fd(fd) => fd.to_string(),
        DupTarget::Close => "-".to_string(),
        DupTarget::Word(word) => show_word(word),
    }
}

fn show_word(word: &Word) -> String {
    word.parts.iter().map(show_part).collect()
}

fn show_part(part: &WordPart) -> String {
    match part {
        WordPart::Literal(text) => text.clone(),
        WordPart::Quoted(text) => format!("'{text}'"),
        WordPart::DoubleQuoted(parts) => {
            let inner: String = parts
                .iter()
                .map(|part| match part {
                    WordPart::Quoted(text) => text.clone(),
                    other => show_part(other),
                })
                .collect();
            format!("\"{inner}\"")
        }
        WordPart::Tilde(user) => format!("~{user}"),
        WordPart::Param(expansion) => show_param(expansion),
        WordPart::CommandSubst(list) => format!("$({})", show_list(list)),
        WordPart::Arith(arith) => match &arith.expr {
            Some(expr) => format!("$(({}))", show_arith(expr)),
            None => format!("$(({}))", show_word(&arith.text)),
        },
    }
}

fn show_param(expansion: &ParamExpansion) -> String {
    let name = match &expansion.param {
        Param::Named(name) => name.clone(),
        Param::Positional(n) => n.to_string(),
        Param::Special(special) => match special {
            SpecialParam::Question => "?",
            SpecialParam::Dollar => "$",
            SpecialParam::Bang => "!",
            SpecialParam::Hash => "#",
            SpecialParam::At => "@",
            SpecialParam::Star => "*",
            SpecialParam::Dash => "-",
        }
        .to_string(),
    };
    let colon = |colon: &bool| if *colon { ":" } else { "" };
    match &expansion.op {
        ParamOp::Value => format!("${{{name}}}"),
        ParamOp::Length => format!("${{#{name}}}"),
        ParamOp::Default { colon: c, word } => {
            format!("${{{name}{}-{}}}", colon(c), show_word(word))
        }
        ParamOp::Assign { colon: c, word } => {
            format!("${{{name}{}={}}}", colon(c), show_word(word))
        }
        ParamOp::Error { colon: c, word } => format!("${{{name}{}?{}}}", colon(c), show_word(word)),
        ParamOp::Alternative { colon: c, word } => {
            format!("${{{name}{}+{}}}", colon(c), show_word(word))
        }
        ParamOp::RemoveSmallestPrefix(word) => format!("${{{name}#{}}}", show_word(word)),
        ParamOp::RemoveLargestPrefix(word) => format!("${{{name}##{}}}", show_word(word)),
        ParamOp::RemoveSmallestSuffix(word) => format!("${{{name}%{}}}", show_word(word)),
        ParamOp::RemoveLargestSuffix(word) => format!("${{{name}%%{}}}", show_word(word)),
        ParamOp::Substring { spec } => format!("${{{name}:{}}}", show_word(spec)),
        ParamOp::Replace {
            all,
            pattern,
            replacement,
        } => {
            format!(
                "${{{name}{}{}/{}}}",
                if *all { "//" } else { "/" },
                show_word(pattern),
                show_word(replacement)
            )
        }
        ParamOp::Bad => "${BAD}".to_string(),
    }
}

fn show_arith(expr: &ArithExpr) -> String {
    match expr {
        ArithExpr::Number(n) => n.to_string(),
        ArithExpr::Variable(name) => name.clone(),
        ArithExpr::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Negate => "-",
                UnaryOp::Not => "!",
                UnaryOp::BitNot => "~",
            };
            format!("({op} {})", show_arith(operand))
        }
        ArithExpr::Binary { op, left, right } => format!(
            "({} {} {})",
            binary_symbol(*op),
            show_arith(left),
            show_arith(right)
        ),
        ArithExpr::Assign { name, op, value } => {
            let op = op.map(binary_symbol).unwrap_or("");
            format!("({op}= {name} {})", show_arith(value))
        }
        ArithExpr::IncDec {
            name,
            increment,
            prefix,
        } => {
            let op = if *increment { "++" } else { "--" };
            if *prefix {
                format!("({op}{name})")
            } else {
                format!("({name}{op})")
            }
        }
        ArithExpr::Conditional {
            condition,
            then,
            otherwise,
        } => {
            format!(
                "(? {} {} {})",
                show_arith(condition),
                show_arith(then),
                show_arith(otherwise)
            )
        }
    }
}

fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Comma => ",",
        BinaryOp::Or => "||",
        BinaryOp::And => "&&",
        BinaryOp::BitOr => "|",
        BinaryOp::BitXor => "^",
        BinaryOp::BitAnd => "&",
        BinaryOp::Eq => "==",
        BinaryOp::Ne => "!=",
        BinaryOp::Lt => "<",
        BinaryOp::Gt => ">",
        BinaryOp::Le => "<=",
        BinaryOp::Ge => ">=",
        BinaryOp::Shl => "<<",
        BinaryOp::Shr => ">>",
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
        BinaryOp::Pow => "**",
    }
}

/// Parses `src` and compares the rendering (or `error: <message> (line N)`) with `expected`.
fn check(src: &str, expected: Expect) {
    let actual = match parse(src) {
        Ok(program) => show_program(&program),
        Err(error) => format!("error: {error} (line {})", error.line),
    };
    expected.assert_eq(&actual);
}

/// The message `sh -c SRC` prints (without the `sh: `).
fn error_of(src: &str) -> String {
    match parse(src) {
        Ok(program) => panic!("{src:?} parsed: {}", show_program(&program)),
        Err(error) => error.to_string(),
    }
}

fn only_word(src: &str) -> Word {
    let program = parse(src).unwrap();
    let Command::Simple(simple) = &program.lines[0].items[0].first.commands[0] else {
        panic!("not simple")
    };
    simple.words.last().unwrap().clone()
}

// ---- The Kubernetes documentation's scripts. ----

#[test]
fn liveness_probe_exec_script_is_four_simple_commands() {
    check(
        "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600",
        expect![[r#"[touch /tmp/healthy]; [sleep 30]; [rm -f /tmp/healthy]; [sleep 600]"#]],
    );
}

#[test]
fn logging_loop_appends_a_command_substitution_inside_double_quotes() {
    check(
        r#"while true; do echo "$(date) INFO hello" >> /var/log/app.log; sleep 1; done"#,
        expect![[
            r#"while [true] do [echo "$([date]) INFO hello" 1>>/var/log/app.log]; [sleep 1] done"#
        ]],
    );
}

#[test]
fn for_loop_over_literal_words() {
    check(
        "for i in 1 2 3; do echo $i; done",
        expect![[r#"for i in 1 2 3 do [echo ${i}] done"#]],
    );
}

#[test]
fn trap_takes_a_single_quoted_script() {
    check(
        "trap 'echo bye; exit 0' TERM; while true; do sleep 1; done",
        expect![[r#"[trap 'echo bye; exit 0' TERM]; while [true] do [sleep 1] done"#]],
    );
}

#[test]
fn init_container_waits_with_until_and_a_substitution_inside_a_word() {
    check(
        "until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done",
        expect![[r#"until [nslookup myservice.$([cat /var/run/secrets/kubernetes.io/serviceaccount/namespace]).svc.cluster.local] do [echo waiting for myservice]; [sleep 2] done"#]],
    );
}

#[test]
fn post_start_handler_redirects_stdout() {
    check(
        r#"echo "Hello from the postStart handler" > /usr/share/message"#,
        expect![[r#"[echo "Hello from the postStart handler" 1>/usr/share/message]"#]],
    );
}

#[test]
fn counter_loop_parses_its_arithmetic_once() {
    check(
        "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done",
        expect![[r#"[i=0]; while [[ ${i} -lt 3 ]] do [i=$(((+ i 1)))] done"#]],
    );
}

#[test]
fn command_with_sh_dash_c_style_multiline_script() {
    check(
        "set -e\n# wait for the volume\nwhile [ ! -f /data/ready ]; do\n  sleep 1\ndone\necho ready\n",
        expect![[r#"
            [set -e]
            while [[ ! -f /data/ready ]] do [sleep 1] done
            [echo ready]"#]],
    );
}

#[test]
fn a_script_is_a_sequence_of_lines_run_one_at_a_time() {
    let mut parser = Parser::new("echo one; echo two\n\n\necho three\nif");
    let first = parser.next_command().unwrap().unwrap();
    assert_eq!(show_list(&first), "[echo one]; [echo two]");
    let second = parser.next_command().unwrap().unwrap();
    assert_eq!(show_list(&second), "[echo three]");
    // The error comes only when its line is reached, after the lines before it have run.
    let error = parser.next_command().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"syntax error: unexpected end of file (expecting "then")"#
    );
    assert_eq!(parser.next_command(), Ok(None));
}

#[test]
fn a_compound_command_spanning_lines_is_one_line_of_the_script() {
    let mut parser = Parser::new("for i in 1 2\ndo\n  echo $i\ndone\necho after");
    assert_eq!(
        show_list(&parser.next_command().unwrap().unwrap()),
        "for i in 1 2 do [echo ${i}] done"
    );
    assert_eq!(
        show_list(&parser.next_command().unwrap().unwrap()),
        "[echo after]"
    );
    assert_eq!(parser.next_command(), Ok(None));
}

// ---- Commands, lists and pipelines. ----

#[test]
fn pipelines_and_or_lists_background_and_negation() {
    check(
        "ps aux | grep nginx | wc -l && echo ok || echo no; sleep 5 & ! false",
        expect![[
            r#"[ps aux] | [grep nginx] | [wc -l] && [echo ok] || [echo no]; [sleep 5] &; ! [false]"#
        ]],
    );
}

#[test]
fn newlines_may_follow_pipes_and_and_or_operators() {
    check(
        "echo a |\n\n cat &&\n echo b",
        expect![[r#"[echo a] | [cat] && [echo b]"#]],
    );
}

#[test]
fn assignments_only_before_the_command_name() {
    check("A=1 B=two env C=3", expect![[r#"[A=1 B=two env C=3]"#]]);
    let program = parse("A=1 B=two env C=3").unwrap();
    let Command::Simple(simple) = &program.lines[0].items[0].first.commands[0] else {
        panic!()
    };
    assert_eq!(simple.assignments.len(), 2);
    assert_eq!(simple.assignments[1].name, "B");
    assert_eq!(simple.words.len(), 2);
    let export_arg = simple.words[1].as_assignment().unwrap();
    assert_eq!(
        (
            export_arg.name.as_str(),
            show_word(&export_arg.value).as_str()
        ),
        ("C", "3")
    );
}

#[test]
fn a_quoted_name_is_not_an_assignment() {
    check(r#""A"=1 'B=2' C\=3"#, expect![[r#"["A"=1 'B=2' C'='3]"#]]);
}

#[test]
fn assignment_values_expand_tildes_after_the_equals_sign_and_colons() {
    check(
        "PATH=~/bin:/usr/bin:~root/sbin X=a~b",
        expect![[r#"[PATH=~/bin:/usr/bin:~root/sbin X=a~b]"#]],
    );
    let program = parse("PATH=~/bin:~root/sbin:~ X=a~").unwrap();
    let Command::Simple(simple) = &program.lines[0].items[0].first.commands[0] else {
        panic!()
    };
    assert_eq!(
        simple.assignments[0].value.parts,
        vec![
            WordPart::Tilde(String::new()),
            WordPart::Literal("/bin:".into()),
            WordPart::Tilde("root".into()),
            WordPart::Literal("/sbin:".into()),
            WordPart::Tilde(String::new()),
        ]
    );
    assert_eq!(
        simple.assignments[1].value.parts,
        vec![WordPart::Literal("a~".into())]
    );
}

#[test]
fn redirections_with_and_without_file_descriptors() {
    check(
        "cmd >out 2>&1 >>log 2>/dev/null <in 3<>rw >&2 <&- 10>ten 1234567890>x &>both >|clob",
        expect![[
            r#"[cmd 1234567890 1>out 2>&1 1>>log 2>/dev/null 0<in 3<>rw 1>&2 0<&- 10>ten 1>x 1&>both 1>|clob]"#
        ]],
    );
}

#[test]
fn a_redirection_may_come_first_or_alone() {
    check(
        ">/tmp/empty; 2>&1 echo hi; <in cat",
        expect![[r#"[1>/tmp/empty]; [echo hi 2>&1]; [cat 0<in]"#]],
    );
}

#[test]
fn quoted_digits_before_a_redirection_are_an_argument() {
    check(r#"echo "2">x a2>y"#, expect![[r#"[echo "2" a2 1>x 1>y]"#]]);
}

#[test]
fn dup_target_that_is_not_a_number_is_decided_at_run_time() {
    let program = parse("echo >&$fd 2>&file").unwrap();
    let Command::Simple(simple) = &program.lines[0].items[0].first.commands[0] else {
        panic!()
    };
    assert!(matches!(
        &simple.redirects[0].kind,
        RedirectKind::DupOutput(DupTarget::Word(_))
    ));
    assert!(
        matches!(&simple.redirects[1].kind, RedirectKind::DupOutput(DupTarget::Word(w)) if w.as_literal() == Some("file"))
    );
}

#[test]
fn comments_and_line_continuations() {
    check(
        "echo a # a comment\necho b\\\nc # x\\\necho \\\n  d",
        expect![[r#"
            [echo a]
            [echo bc]
            [echo d]"#]],
    );
}

#[test]
fn a_hash_inside_a_word_is_not_a_comment() {
    check("echo a#b '#' #c", expect![[r#"[echo a#b '#']"#]]);
}

// ---- Compound commands. ----

#[test]
fn if_elif_else() {
    check(
        "if [ -f /a ]; then echo a; elif [ -f /b ]\nthen echo b\nelse echo c; fi",
        expect![[
            r#"if [[ -f /a ]] then [echo a] elif [[ -f /b ]] then [echo b] else [echo c] fi"#
        ]],
    );
}

#[test]
fn groups_and_subshells_with_redirections() {
    check(
        "{ echo a; echo b; } > out 2>&1; (cd /tmp && ls) | wc -l",
        expect![[r#"{ [echo a]; [echo b] } 1>out 2>&1; ( [cd /tmp] && [ls] ) | [wc -l]"#]],
    );
}

#[test]
fn for_without_in_loops_over_the_positional_parameters() {
    check(
        "for a; do echo $a; done; for b do :; done",
        expect![[r#"for a do [echo ${a}] done; for b do [:] done"#]],
    );
}

#[test]
fn for_words_are_not_reserved_words() {
    check(
        "for x in do done; do echo $x; done",
        expect![[r#"for x in do done do [echo ${x}] done"#]],
    );
}

#[test]
fn case_with_globs_alternatives_and_optional_parenthesis() {
    check(
        r#"case "$1" in start|up) echo starting;; (stop) echo stopping ;; *.log|'x y') ;; *) echo "usage: $0" >&2; exit 1; esac"#,
        expect![[
            r#"case "${1}" in start|up) [echo starting];; stop) [echo stopping];; *.log|'x y') ;; *) [echo "usage: ${0}" 1>&2]; [exit 1];; esac"#
        ]],
    );
}

#[test]
fn case_spread_over_lines() {
    check(
        "case $x in\n  a)\n    echo a\n    ;;\n  b) echo b\nesac\n",
        expect![[r#"case ${x} in a) [echo a];; b) [echo b];; esac"#]],
    );
}

#[test]
fn case_patterns_may_be_reserved_words() {
    check(
        "case $x in in) echo in;; done|fi) ;; esac",
        expect![[r#"case ${x} in in) [echo in];; done|fi) ;; esac"#]],
    );
}

#[test]
fn function_definitions() {
    check(
        "log() { echo \"$(date) $*\"; }; greet()\n{\n  echo hi $1\n}; f() echo simple; log started",
        expect![[
            r#"log() { [echo "$([date]) ${*}"] }; greet() { [echo hi ${1}] }; f() [echo simple]; [log started]"#
        ]],
    );
}

#[test]
fn bash_function_keyword_is_accepted_as_busybox_does() {
    check(
        "function f { echo f; }; function g() { echo g; }",
        expect![[r#"f() { [echo f] }; g() { [echo g] }"#]],
    );
}

#[test]
fn function_with_redirected_body() {
    check("f() { echo x; } >&2", expect![[r#"f() { [echo x] } 1>&2"#]]);
}

#[test]
fn reserved_words_only_in_command_position() {
    check(
        "echo if then fi { } !; echo done",
        expect![[r#"[echo if then fi { } !]; [echo done]"#]],
    );
}

#[test]
fn double_brackets_are_a_command_whose_and_or_are_words() {
    check(
        r#"[[ -n "$x" && $y == 1 || -z $z ]] && echo yes"#,
        expect![[r#"[[[ -n "${x}" && ${y} == 1 || -z ${z} ]]] && [echo yes]"#]],
    );
}

// ---- Words. ----

#[test]
fn quoting_keeps_which_parts_were_quoted() {
    let word = only_word(r#"echo a'b c'"d $x e"\*f"#);
    assert_eq!(
        word.parts,
        vec![
            WordPart::Literal("a".into()),
            WordPart::Quoted("b c".into()),
            WordPart::DoubleQuoted(vec![
                WordPart::Quoted("d ".into()),
                WordPart::Param(Box::new(ParamExpansion {
                    param: Param::Named("x".into()),
                    op: ParamOp::Value
                })),
                WordPart::Quoted(" e".into()),
            ]),
            WordPart::Quoted("*".into()),
            WordPart::Literal("f".into()),
        ]
    );
}

#[test]
fn empty_quotes_still_make_a_word() {
    assert_eq!(
        only_word("echo ''").parts,
        vec![WordPart::Quoted(String::new())]
    );
    assert_eq!(
        only_word(r#"echo """#).parts,
        vec![WordPart::DoubleQuoted(vec![])]
    );
    assert_eq!(only_word("echo ''$x").parts.len(), 2);
}

#[test]
fn backslashes_inside_double_quotes_escape_only_dollar_backquote_quote_backslash_newline() {
    check(
        r#"echo "\$a \`b\` \"c\" \\d \e \n" "x\
y""#,
        expect![[r#"[echo "$a `b` "c" \d \e \n" "xy"]"#]],
    );
}

#[test]
fn single_quotes_keep_everything_including_newlines_and_backslashes() {
    check(
        "echo 'a\\b\n$c'",
        expect![[r#"
        [echo 'a\b
        $c']"#]],
    );
}

#[test]
fn dollar_single_quotes_decode_c_escapes() {
    assert_eq!(
        only_word(r"echo $'a\tb\n\x41\101\'\q'").parts,
        vec![WordPart::Quoted("a\tb\nAA'\\q".into())]
    );
}

#[test]
fn special_and_positional_parameters() {
    check(
        "echo $? $$ $! $# $@ $* $- $0 $1 $9 $10 ${10} ${#} ${#x} ${#1} ${#-}",
        expect![[
            r#"[echo ${?} ${$} ${!} ${#} ${@} ${*} ${-} ${0} ${1} ${9} ${1}0 ${10} ${#} ${#x} ${#1} ${#-}]"#
        ]],
    );
}

#[test]
fn parameter_expansion_operators() {
    check(
        "echo ${A:-x y} ${A-d} ${A:=v} ${A=v} ${A:+alt} ${A+alt} ${A:?must be set} ${A?} ${P#*/} ${P##*/} ${P%.*} ${P%%.*} ${S:1:2} ${S/a/b} ${S//a} ${S///x}",
        expect![[r#"[echo ${A:-x y} ${A-d} ${A:=v} ${A=v} ${A:+alt} ${A+alt} ${A:?must be set} ${A?} ${P#*/} ${P##*/} ${P%.*} ${P%%.*} ${S:1:2} ${S/a/b} ${S//a/} ${S///x/}]"#]],
    );
}

#[test]
fn parameter_operands_inside_double_quotes_are_quoted_but_patterns_are_not() {
    let word = only_word(r#"echo "${x:-*} ${y#*}""#);
    let WordPart::DoubleQuoted(parts) = &word.parts[0] else {
        panic!()
    };
    let WordPart::Param(default) = &parts[0] else {
        panic!()
    };
    assert_eq!(
        default.op,
        ParamOp::Default {
            colon: true,
            word: Word {
                parts: vec![WordPart::Quoted("*".into())]
            }
        }
    );
    let WordPart::Param(trim) = &parts[2] else {
        panic!()
    };
    assert_eq!(trim.op, ParamOp::RemoveSmallestPrefix(Word::literal("*")));
}

#[test]
fn unquoted_operands_keep_their_own_quotes() {
    check(
        r#"echo ${x:-"a b"'c'} ${x:-a}b}"#,
        expect![[r#"[echo ${x:-"a b"'c'} ${x:-a}b}]"#]],
    );
}

#[test]
fn nested_parameter_expansions() {
    check(
        r#"echo "${A:-${B:-$(echo c)}}""#,
        expect![[r#"[echo "${A:-${B:-$([echo c])}}"]"#]],
    );
}

#[test]
fn bad_substitutions_parse_and_fail_when_expanded() {
    for src in [
        "echo ${}",
        "echo ${x!}",
        "echo ${#x-y}",
        "echo ${a b}",
        "echo ${%x}",
    ] {
        let word = only_word(src);
        let [WordPart::Param(expansion)] = word.parts.as_slice() else {
            panic!("{src}: {word:?}")
        };
        assert_eq!(expansion.op, ParamOp::Bad, "{src}");
    }
    check("echo ${a b} c", expect![[r#"[echo ${BAD} c]"#]]);
}

#[test]
fn a_dollar_that_starts_nothing_is_literal() {
    check(
        r#"echo $ a$ $% "$" $/x"#,
        expect![[r#"[echo $ a$ $% "$" $/x]"#]],
    );
}

#[test]
fn command_substitution_both_styles() {
    check(
        r#"echo $(hostname -i) `date +%s` "`echo \"q\"`" $(echo $(echo nested))"#,
        expect![[
            r#"[echo $([hostname -i]) $([date +%s]) "$([echo "q"])" $([echo $([echo nested])])]"#
        ]],
    );
}

#[test]
fn command_substitution_may_span_lines_and_hold_case() {
    check(
        "x=$(case a in a) echo A;; esac\n echo more)",
        expect![[r#"[x=$(case a in a) [echo A];; esac; [echo more])]"#]],
    );
}

#[test]
fn tilde_at_the_start_of_a_word() {
    check(
        r#"cd ~; ls ~/x ~root/y ~"q" a~ '~'"#,
        expect![[r#"[cd ~]; [ls ~/x ~root/y ~"q" a~ '~']"#]],
    );
    assert_eq!(
        only_word("ls ~bob").parts,
        vec![WordPart::Tilde("bob".into())]
    );
    assert_eq!(
        only_word(r#"ls ~"q""#).parts[0],
        WordPart::Literal("~".into())
    );
}

// ---- Arithmetic. ----

#[test]
fn arithmetic_with_expansions_is_evaluated_from_its_expanded_text() {
    let word = only_word("echo $(($i + 2 * ${j:-1}))");
    let [WordPart::Arith(arith)] = word.parts.as_slice() else {
        panic!()
    };
    assert_eq!(arith.expr, None);
    assert_eq!(show_word(&arith.text), "${i}' + 2 * '${j:-'1'}");
}

#[test]
fn arithmetic_precedence_follows_busybox_math() {
    let cases = [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
        ("-2 ** 2", "(** (- 2) 2)"),
        ("a = b += 3", "(= a (+= b 3))"),
        ("x > 1 && y < 2 || !z", "(|| (&& (> x 1) (< y 2)) (! z))"),
        ("c ? 1, 2 : 3, 4", "(, (? c (, 1 2) 3) 4)"),
        ("a ? b : c ? d : e", "(? a b (? c d e))"),
        ("i++ + ++j", "(+ (i++) (++j))"),
        ("7+++v", "(+ 7 (++v))"),
        ("1 --2", "(- 1 (- 2))"),
        ("0x1f + 017 + 2#101 + 36#z", "(+ (+ (+ 31 15) 5) 35)"),
        ("a<<2|b&c^~d", "(| (<< a 2) (^ (& b c) (~ d)))"),
        ("", "0"),
    ];
    for (text, tree) in cases {
        let expr = arith::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(show_arith(&expr), tree, "{text}");
    }
}

#[test]
fn arithmetic_errors_are_worded_as_busybox_words_them() {
    let cases = [
        ("1 +", "arithmetic syntax error"),
        ("1 2", "arithmetic syntax error"),
        ("09", "arithmetic syntax error"),
        ("1 = 2", "arithmetic syntax error"),
        ("(a) = 1", "arithmetic syntax error"),
        ("a ? 1", "malformed ?: operator"),
        ("2 : 3", "malformed ?: operator"),
        ("5 $ 2", "arithmetic syntax error"),
    ];
    for (text, message) in cases {
        assert_eq!(
            arith::parse(text).map(|_| ()).unwrap_err().to_string(),
            message,
            "{text}"
        );
    }
}

struct Vars(Vec<(String, String)>);

impl ArithEnv for Vars {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }
    fn set(&mut self, name: &str, value: i64) {
        self.0.retain(|(n, _)| n != name);
        self.0.push((name.to_string(), value.to_string()));
    }
}

fn eval(text: &str, vars: &mut Vars) -> Result<i64, ArithError> {
    arith::parse(text)?.eval(vars)
}

#[test]
fn arithmetic_evaluation() {
    let mut vars = Vars(vec![
        ("i".into(), "4".into()),
        ("e".into(), "i*2".into()),
        ("o".into(), "010".into()),
    ]);
    assert_eq!(eval("i + 1", &mut vars), Ok(5));
    assert_eq!(
        eval("e + 1", &mut vars),
        Ok(9),
        "a value is itself an expression"
    );
    assert_eq!(eval("o", &mut vars), Ok(8), "a leading 0 is octal");
    assert_eq!(eval("unset + 1", &mut vars), Ok(1));
    assert_eq!(eval("i++", &mut vars), Ok(4));
    assert_eq!(vars.get("i").as_deref(), Some("5"));
    assert_eq!(eval("--i", &mut vars), Ok(4));
    assert_eq!(eval("i *= 3", &mut vars), Ok(12));
    assert_eq!(eval("7 / 2, 7 % -2, -7 / 2", &mut vars), Ok(-3));
    assert_eq!(eval("2 ** 62 * 4", &mut vars), Ok(0), "64-bit wrap");
    assert_eq!(eval("0 && (k = 1)", &mut vars), Ok(0));
    assert_eq!(
        vars.get("k").as_deref(),
        Some("1"),
        "busybox evaluates both sides of &&"
    );
    assert_eq!(eval("1 ? 2 : (m = 3)", &mut vars), Ok(2));
    assert_eq!(vars.get("m"), None, "only the chosen side of ?: runs");
    assert_eq!(
        eval("1 / 0", &mut vars).unwrap_err().to_string(),
        "divide by zero"
    );
    assert_eq!(
        eval("2 ** -1", &mut vars).unwrap_err().to_string(),
        "exponent less than 0"
    );
    let mut cyclic = Vars(vec![("a".into(), "b".into()), ("b".into(), "a".into())]);
    assert_eq!(
        eval("a", &mut cyclic).unwrap_err().to_string(),
        "expression recursion loop detected"
    );
}

// ---- Here-documents. ----

#[test]
fn here_document_bodies_follow_their_line() {
    check(
        "cat <<EOF > /etc/app.conf; echo done\nport=$PORT\nhome=~ \\\"q\\\" \\$x \\\\ \\a\nEOF\necho after",
        expect![[r#"
            [cat 0<<EOF{'port='${PORT}'⏎home=~ \"q\" $x \ \a⏎'} 1>/etc/app.conf]; [echo done]
            [echo after]"#]],
    );
}

#[test]
fn quoted_delimiter_makes_the_body_literal() {
    check(
        "cat <<'EOF'\n$HOME `date` \\$\nEOF\ncat <<\"E\"O\nx\nEO\n",
        expect![[r#"
            [cat 0<<'EOF{'$HOME `date` \$⏎'}]
            [cat 0<<'EO{'x⏎'}]"#]],
    );
}

#[test]
fn dash_here_document_strips_leading_tabs() {
    check(
        "\tcat <<-END\n\t\tindented\n\tEND\n",
        expect![[r#"[cat 0<<-END{'indented⏎'}]"#]],
    );
}

#[test]
fn several_here_documents_on_one_line_are_read_in_order() {
    check(
        "cat <<A; cat <<B\na\nA\nb\nB\n",
        expect![[r#"[cat 0<<A{'a⏎'}]; [cat 0<<B{'b⏎'}]"#]],
    );
}

#[test]
fn here_document_inside_a_compound_command_and_a_substitution() {
    check(
        "if true; then cat <<X\nin if\nX\nfi; y=$(cat <<Y\nin subst\nY\n)",
        expect![[r#"if [true] then [cat 0<<X{'in if⏎'}] fi; [y=$([cat 0<<Y{'in subst⏎'}])]"#]],
    );
}

#[test]
fn here_document_without_its_delimiter_ends_at_end_of_input() {
    check("cat <<EOF\nno end", expect![[r#"[cat 0<<EOF{'no end'}]"#]]);
}

// ---- busybox ash's syntax errors. ----

#[test]
fn sh_dash_c_if_expects_then() {
    // busybox 1.36: `sh -c 'if'` prints `sh: syntax error: unexpected end of file (expecting "then")`.
    assert_eq!(
        error_of("if"),
        r#"syntax error: unexpected end of file (expecting "then")"#
    );
}

#[test]
fn syntax_error_messages() {
    let cases = [
        ("fi", r#"syntax error: unexpected "fi""#),
        ("done", r#"syntax error: unexpected "done""#),
        ("then", r#"syntax error: unexpected "then""#),
        ("echo a; fi", r#"syntax error: unexpected "fi""#),
        (
            "if true; then echo; fi fi",
            r#"syntax error: unexpected "fi""#,
        ),
        ("if true; then fi", r#"syntax error: unexpected "fi""#),
        (
            "if true; then echo",
            r#"syntax error: unexpected end of file (expecting "fi")"#,
        ),
        (
            "if true; echo; fi",
            r#"syntax error: unexpected "fi" (expecting "then")"#,
        ),
        (
            "while true; do echo",
            r#"syntax error: unexpected end of file (expecting "done")"#,
        ),
        (
            "while true; echo; done",
            r#"syntax error: unexpected "done" (expecting "do")"#,
        ),
        (
            "for i in 1 2; echo $i; done",
            r#"syntax error: unexpected word (expecting "do")"#,
        ),
        (
            "for 1 in a; do :; done",
            "syntax error: bad for loop variable",
        ),
        (
            "for 'i' in a; do :; done",
            "syntax error: bad for loop variable",
        ),
        (
            "for i in a >x; do :; done",
            "syntax error: unexpected redirection",
        ),
        (
            "case x in a) echo",
            r#"syntax error: unexpected end of file (expecting ";;")"#,
        ),
        (
            "case x in a) echo;;",
            r#"syntax error: unexpected end of file (expecting ")")"#,
        ),
        (
            "case x a) ;; esac",
            r#"syntax error: unexpected word (expecting "in")"#,
        ),
        (
            "case ; in esac",
            r#"syntax error: unexpected ";" (expecting word)"#,
        ),
        (
            "{ echo a",
            r#"syntax error: unexpected end of file (expecting "}")"#,
        ),
        ("{ }", r#"syntax error: unexpected "}""#),
        (
            "( echo a",
            r#"syntax error: unexpected end of file (expecting ")")"#,
        ),
        ("()", r#"syntax error: unexpected ")""#),
        ("echo )", r#"syntax error: unexpected ")""#),
        ("echo a (b)", r#"syntax error: unexpected "(""#),
        ("{ echo; } foo", "syntax error: unexpected word"),
        (";", r#"syntax error: unexpected ";""#),
        ("echo a;;", r#"syntax error: unexpected ";;""#),
        ("echo a | | b", r#"syntax error: unexpected "|""#),
        ("echo a &&", "syntax error: unexpected end of file"),
        ("! ! true", r#"syntax error: unexpected "!""#),
        ("echo >", "syntax error: unexpected end of file"),
        ("echo >\n", "syntax error: unexpected newline"),
        ("echo > ;", r#"syntax error: unexpected ";""#),
        ("cat <<", "syntax error: unexpected end of file"),
        ("echo 'abc", "syntax error: unterminated quoted string"),
        ("echo \"abc", "syntax error: unterminated quoted string"),
        ("echo \"${x:-a", "syntax error: unterminated quoted string"),
        ("echo $'abc", "syntax error: unterminated quoted string"),
        ("echo ${x", "syntax error: missing '}'"),
        ("echo ${x:-'a'", "syntax error: missing '}'"),
        ("echo $((1 + 2)", "syntax error: missing '))'"),
        (
            "echo $(echo",
            r#"syntax error: unexpected end of file (expecting ")")"#,
        ),
        (
            "echo $(echo a; fi)",
            r#"syntax error: unexpected "fi" (expecting ")")"#,
        ),
        ("echo `echo", "syntax error: EOF in backquote substitution"),
        (
            "echo `if`",
            r#"syntax error: unexpected end of file (expecting "then")"#,
        ),
        ("exit() { :; }", "syntax error: bad function name"),
        ("'f'() { :; }", "syntax error: bad function name"),
        (
            "f(x) { :; }",
            r#"syntax error: unexpected word (expecting ")")"#,
        ),
        ("function { :; }", "syntax error: unexpected word"),
        (
            "function (",
            r#"syntax error: unexpected "(" (expecting word)"#,
        ),
        ("function f echo", "syntax error: unexpected word"),
    ];
    for (src, message) in cases {
        assert_eq!(error_of(src), message, "{src:?}");
    }
}

#[test]
fn the_parentheses_of_a_function_definition_are_two_tokens() {
    check(
        "f ( ) { :; }; g( )\n{ :; }",
        expect![[r#"f() { [:] }; g() { [:] }"#]],
    );
}

#[test]
fn syntax_errors_carry_the_line_reached() {
    let error = parse("echo a\necho b\nfi\n").unwrap_err();
    assert_eq!(error.line, 3);
    let error = parse("echo a\necho >\necho c").unwrap_err();
    assert_eq!(
        (error.to_string().as_str(), error.line),
        ("syntax error: unexpected newline", 3)
    );
    let error = Parser::starting_at_line("\nfi", 10)
        .next_command()
        .unwrap_err();
    assert_eq!(error.line, 11);
}

#[test]
fn commands_record_their_line() {
    let program = parse("echo a\n\nif true\nthen\n  echo b\nfi").unwrap();
    let Command::Simple(first) = &program.lines[0].items[0].first.commands[0] else {
        panic!()
    };
    assert_eq!(first.line, 1);
    let Command::Compound(compound) = &program.lines[1].items[0].first.commands[0] else {
        panic!()
    };
    assert_eq!(compound.line, 3);
    let CompoundKind::If { branches, .. } = &compound.kind else {
        panic!()
    };
    let Command::Simple(inner) = &branches[0].body.items[0].first.commands[0] else {
        panic!()
    };
    assert_eq!(inner.line, 5);
}

// ---- Robustness. ----

/// A small deterministic generator (xorshift64*), so the test needs no crate and no clock.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    " ", " ", "\n", "\t", ";", ";;", "&", "&&", "|", "||", "(", ")", "{", "}", "<", ">", ">>",
    "<<", "<<-", ">&", "<&", "2>&1", "&>", "'", "\"", "`", "\\", "\\\n", "$", "${", "$(", "$((",
    "))", "$'", "#", "~", "=", ":", "-", "+", "?", "%", "/", "*", "!", "[[", "]]", "if", "then",
    "elif", "else", "fi", "while", "until", "do", "done", "for", "in", "case", "esac", "function",
    "f()", "x", "y=1", "echo", "EOF", "1", "0x", "a b", "é", "\u{0}",
];

const SCRIPTS: &[&str] = &[
    "while true; do echo \"$(date) INFO hello\" >> /var/log/app.log; sleep 1; done",
    "case \"$1\" in a|b) echo ${x:-y};; *) exit 1;; esac",
    "f() { local i=$((i+1)); [ $i -lt 3 ] && f; }; f\ncat <<EOF\n$x `y`\nEOF\n",
    "for i in 1 2 3; do echo ${i#*/} '$i' \"$i\"; done 2>&1 | wc -l &",
];

#[test]
fn random_input_never_panics_or_hangs() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..20_000 {
        let mut src = String::new();
        if round % 2 == 0 {
            for _ in 0..rng.below(40) {
                src.push_str(PIECES[rng.below(PIECES.len())]);
            }
        } else {
            // A real script with a few pieces spliced in at character boundaries.
            src.push_str(SCRIPTS[rng.below(SCRIPTS.len())]);
            for _ in 0..1 + rng.below(3) {
                let mut at = rng.below(src.len() + 1);
                while !src.is_char_boundary(at) {
                    at -= 1;
                }
                src.insert_str(at, PIECES[rng.below(PIECES.len())]);
            }
        }
        let mut parser = Parser::new(&src);
        let mut lines = 0;
        while let Ok(Some(_)) = parser.next_command() {
            lines += 1;
            assert!(
                lines <= src.len() + 1,
                "{src:?} yields more lines than it has characters"
            );
        }
        if let Ok(expr) = arith::parse(&src) {
            let _ = expr.eval(&mut Vars(vec![
                ("x".into(), "y".into()),
                ("y".into(), "x+1".into()),
            ]));
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for open in [
        "(",
        "{ ",
        "$(",
        "${x:-",
        "\"${x:-\"",
        "if ",
        "while ",
        "f() ",
        "$((",
        "\"$(",
        "case x in x) ",
    ] {
        let src = open.repeat(50_000);
        let error = parse(&src).unwrap_err();
        assert!(
            matches!(error.kind, SyntaxErrorKind::TooDeep)
                || error.to_string().starts_with("syntax error"),
            "{open}: {error}"
        );
    }
    let deep = "(".repeat(50_000) + "1" + &")".repeat(50_000);
    assert_eq!(arith::parse(&deep), Err(ArithError::TooDeep));
    assert_eq!(arith::parse(&"-".repeat(50_000)), Err(ArithError::TooDeep));
    assert_eq!(arith::parse(&"1+".repeat(50_000)), Err(ArithError::TooDeep));
}

#[test]
fn nesting_within_the_limit_parses() {
    let src = "(".repeat(30) + "echo deep" + &")".repeat(30);
    assert!(parse(&src).is_ok());
    let src = "echo ".to_string() + &"$(echo ".repeat(30) + "x" + &")".repeat(30);
    assert!(parse(&src).is_ok());
}

#[test]
fn long_flat_scripts_parse() {
    let src = "echo a; ".repeat(20_000) + &"x | ".repeat(5_000) + "y";
    let program = parse(&src).unwrap();
    assert_eq!(program.lines[0].items.len(), 20_001);
}
