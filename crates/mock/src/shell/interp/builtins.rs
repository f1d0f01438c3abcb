//! ash's builtins (`builtintab` in `shell/ash.c`): the special ones (whose errors end a
//! non-interactive shell and whose prefix assignments stay) and the regular ones. `echo`,
//! `printf`, `test`, `[`, `[[` and `kill` are busybox's applets run in the shell's process.

use crate::busybox::printf::{echo_bytes, printf_bytes};
use crate::busybox::test::test_status;
use crate::busybox::{kill_main, SIGNAL_NAMES};
use crate::kernel::Signal;

use super::*;

/// POSIX's special builtins, as ash marks them.
pub(crate) fn is_special(name: &str) -> bool {
    matches!(
        name,
        "." | ":"
            | "break"
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "source"
            | "times"
            | "trap"
            | "unset"
    )
}

/// ash's other builtins.
pub(crate) fn is_regular(name: &str) -> bool {
    matches!(
        name,
        "[" | "[["
            | "alias"
            | "cd"
            | "chdir"
            | "command"
            | "echo"
            | "false"
            | "getopts"
            | "hash"
            | "jobs"
            | "kill"
            | "let"
            | "local"
            | "printf"
            | "pwd"
            | "read"
            | "test"
            | "true"
            | "type"
            | "ulimit"
            | "umask"
            | "unalias"
            | "wait"
    )
}

/// ash's reserved words, for `type` and `command -v`.
fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "!" | "case"
            | "do"
            | "done"
            | "elif"
            | "else"
            | "esac"
            | "fi"
            | "for"
            | "function"
            | "if"
            | "in"
            | "then"
            | "until"
            | "while"
            | "{"
            | "}"
    )
}

/// ash's `number()`: a non-negative decimal, else `Illegal number`.
fn number(s: &str) -> Option<i32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().map(|v| v.min(i32::MAX as i64) as i32)
}

impl Shell {
    /// Runs a builtin with the command's redirections; `exec`'s are permanent.
    pub(crate) fn run_builtin_redirected_exec<'a>(
        &'a mut self,
        redirects: &'a [Redirect],
        argv: &'a [String],
    ) -> Fut<'a, Flow> {
        Box::pin(async move {
            if let Err(flow) = self.apply_redirects(redirects, false).await {
                flow?;
                self.status = 1;
                return Err(Jump::Error);
            }
            self.run_builtin(argv, true).await
        })
    }

    /// Runs builtin `argv[0]`; its status goes to `$?`.
    pub(crate) fn run_builtin<'a>(
        &'a mut self,
        argv: &'a [String],
        special: bool,
    ) -> Fut<'a, Flow> {
        Box::pin(async move {
            let name = argv[0].as_str();
            let args = &argv[1..];
            let _ = special;
            let status = match name {
                ":" | "true" => 0,
                "false" => 1,
                "echo" => {
                    let out = echo_bytes(args);
                    i32::from(self.ctx.write(1, &out).await.is_err())
                }
                "printf" => {
                    if args.is_empty() {
                        crate::busybox::show_usage_for(&self.ctx, "printf").await;
                        1
                    } else {
                        // Messages as they happen, the output from stdio's buffer when
                        // the builtin ends (ash flushes stdout after each builtin).
                        let (out, errors, code) = printf_bytes(args);
                        for e in errors {
                            self.ctx.print(2, &format!("{}: {e}\n", self.applet)).await;
                        }
                        let _ = self.ctx.write(1, &out).await;
                        code
                    }
                }
                "test" | "[" | "[[" => match test_status(&self.ctx, name, args) {
                    Ok(c) => c,
                    Err(m) => {
                        self.ctx.print(2, &format!("{}: {m}\n", self.applet)).await;
                        2
                    }
                },
                "kill" => {
                    let jobs = self.job_pids();
                    let applet = self.applet.clone();
                    kill_main(&self.ctx, &applet, args, &jobs).await
                }
                "cd" | "chdir" => self.cd(args).await,
                "pwd" => {
                    let physical = args.iter().any(|a| a == "-P");
                    let cwd = self.ctx.cwd();
                    let shown = match self.get("PWD") {
                        Some(p) if !physical && crate::fs::normalize("/", &p) == cwd => p,
                        _ => cwd,
                    };
                    self.ctx.print(1, &format!("{shown}\n")).await;
                    0
                }
                "read" => self.read(args).await,
                "wait" => {
                    self.reap_jobs().await;
                    self.wait_builtin(args).await
                }
                "type" => self.type_cmd(args, false).await,
                "command" => return self.command_cmd(args).await,
                "local" => {
                    if !self.in_function() {
                        // ash_msg_and_raise_error: the shell's error exception.
                        self.builtin_err("local", "not in a function").await;
                        self.status = 2;
                        return Err(Jump::Error);
                    } else {
                        let mut status = 0;
                        for a in args {
                            let (k, v) = match a.split_once('=') {
                                Some((k, v)) => (k, Some(v)),
                                None => (a.as_str(), None),
                            };
                            if !is_name(k) {
                                self.builtin_err("local", &format!("{k}: bad variable name"))
                                    .await;
                                status = 2;
                                continue;
                            }
                            self.make_local(k);
                            if let Some(v) = v {
                                if let Err(m) = self.set_var(k, v) {
                                    self.builtin_err("local", &m).await;
                                    status = 2;
                                }
                            }
                        }
                        status
                    }
                }
                "let" => {
                    if args.is_empty() {
                        self.builtin_err("let", "expression expected").await;
                        2
                    } else {
                        let mut last = 0;
                        for a in args {
                            last = self.arith_text(a).await?;
                        }
                        i32::from(last == 0)
                    }
                }
                "getopts" => self.getopts(args).await,
                "umask" => {
                    match args.first() {
                        None => self.ctx.print(1, "0022\n").await,
                        Some(m) if m.bytes().all(|b| (b'0'..=b'7').contains(&b)) => {}
                        Some(m) => {
                            self.builtin_err("umask", &format!("Illegal number: {m}"))
                                .await;
                        }
                    }
                    0
                }
                "ulimit" => {
                    self.ctx.print(1, "unlimited\n").await;
                    0
                }
                "hash" | "alias" | "unalias" | "jobs" => 0,
                "times" => {
                    self.ctx
                        .print(1, "0m0.00s 0m0.00s\n0m0.00s 0m0.00s\n")
                        .await;
                    0
                }
                // --- special builtins ---
                "exit" => {
                    if let Some(s) = self.trap_status {
                        self.status = s;
                    }
                    if let Some(a) = args.first() {
                        match number(a) {
                            Some(n) => self.status = n & 0xff,
                            None => {
                                self.builtin_err("exit", &format!("Illegal number: {a}"))
                                    .await;
                                self.status = 2;
                                return Err(Jump::Error);
                            }
                        }
                    }
                    return Err(Jump::Exit);
                }
                "return" => {
                    if let Some(a) = args.first() {
                        match a.parse::<i64>() {
                            Ok(n) => self.status = (n & 0xff) as i32,
                            Err(_) => {
                                self.builtin_err("return", &format!("Illegal number: {a}"))
                                    .await;
                                self.status = 2;
                                return Err(Jump::Error);
                            }
                        }
                    }
                    if self.depth == 0 {
                        return Err(Jump::Exit);
                    }
                    return Err(Jump::Return);
                }
                "break" | "continue" => {
                    let n = match args.first() {
                        None => 1,
                        Some(a) => match number(a) {
                            Some(n) if n > 0 => n as u32,
                            _ => {
                                self.builtin_err(name, &format!("Illegal number: {a}"))
                                    .await;
                                self.status = 2;
                                return Err(Jump::Error);
                            }
                        },
                    };
                    self.status = 0;
                    if self.loop_depth == 0 {
                        return Ok(());
                    }
                    let n = n.min(self.loop_depth);
                    return Err(if name == "break" {
                        Jump::Break(n)
                    } else {
                        Jump::Continue(n)
                    });
                }
                "shift" => {
                    let n = match args.first() {
                        None => 1,
                        Some(a) => match number(a) {
                            Some(n) => n as usize,
                            None => {
                                self.builtin_err("shift", &format!("Illegal number: {a}"))
                                    .await;
                                self.status = 2;
                                return Err(Jump::Error);
                            }
                        },
                    };
                    // ash's `shiftcmd`: `if (n > shellparam.nparam) return 1;`, silently
                    // (dash's "can't shift that many" is not busybox's).
                    if n > self.positional.len() {
                        1
                    } else {
                        self.positional.drain(..n);
                        0
                    }
                }
                "export" | "readonly" => return self.export(name, args).await,
                "unset" => {
                    let mut funcs = false;
                    for a in args {
                        match a.as_str() {
                            "-f" => funcs = true,
                            "-v" => funcs = false,
                            _ if funcs => {
                                self.funcs.remove(a.as_str());
                            }
                            _ => {
                                if let Err(m) = self.unset_var(a) {
                                    self.builtin_err("unset", &m).await;
                                    self.status = 2;
                                    return Err(Jump::Error);
                                }
                            }
                        }
                    }
                    0
                }
                "set" => return self.set_cmd(args).await,
                "eval" => {
                    if args.is_empty() {
                        0
                    } else {
                        let text = args.join(" ");
                        if self.nest >= MAX_NESTING {
                            return Err(self.stack_overflow());
                        }
                        self.depth += 1;
                        self.nest += 1;
                        self.status = 0;
                        let line = self.lineno;
                        let r = self.run_text(&text, line, false).await;
                        self.depth -= 1;
                        self.nest -= 1;
                        self.lineno = line;
                        return r;
                    }
                }
                "." | "source" => return self.dot(name, args).await,
                "exec" => {
                    if args.is_empty() {
                        0
                    } else {
                        let prog = args[0].clone();
                        let path = if prog.contains('/') {
                            Ok(prog.clone())
                        } else {
                            let pv = self.get("PATH").unwrap_or_default();
                            self.ctx.find_program(&prog, &pv)
                        };
                        match path {
                            Ok(p) => {
                                // shellexec from the builtin: a failure is the builtin's
                                // message (`sh: exec: line N: PROG: not found`).
                                let env = self.environment(&[]);
                                self.status = match self.ctx.exec(&p, args.to_vec(), env).await {
                                    Ok(code) => code,
                                    Err(e) => {
                                        let (msg, code) = match e {
                                            Errno::ENOENT | Errno::ENOTDIR => {
                                                ("not found".to_string(), 127)
                                            }
                                            Errno::EISDIR => {
                                                (Errno::EACCES.message().to_string(), 126)
                                            }
                                            e => (e.message().to_string(), 126),
                                        };
                                        self.builtin_err("exec", &format!("{prog}: {msg}")).await;
                                        code
                                    }
                                };
                            }
                            Err(_) => {
                                self.builtin_err("exec", &format!("{prog}: not found"))
                                    .await;
                                self.status = 127;
                            }
                        }
                        return Err(Jump::Exit);
                    }
                }
                "trap" => return self.trap(args).await,
                _ => {
                    self.print_err(&format!("{name}: not found")).await;
                    127
                }
            };
            self.status = status;
            Ok(())
        })
    }

    /// `cd [-L|-P] [DIR|-]`: logical by default, `$PWD` and `$OLDPWD` updated.
    fn cd<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, i32> {
        Box::pin(async move {
            let mut physical = false;
            let mut rest: Vec<&String> = Vec::new();
            for a in args {
                match a.as_str() {
                    "-P" => physical = true,
                    "-L" => physical = false,
                    _ => rest.push(a),
                }
            }
            let mut print = false;
            let target = match rest.first().map(|s| s.as_str()) {
                None => match self.get("HOME") {
                    Some(h) if !h.is_empty() => h,
                    _ => return 0,
                },
                Some("-") => {
                    print = true;
                    match self.get("OLDPWD") {
                        Some(o) => o,
                        None => {
                            self.builtin_err("cd", "OLDPWD not set").await;
                            return 2;
                        }
                    }
                }
                Some(d) => d.to_string(),
            };
            let base = self.get("PWD").unwrap_or_else(|| self.ctx.cwd());
            let logical = crate::fs::normalize(&base, &target);
            let dest = if physical {
                crate::busybox::canonical_path(&self.ctx, &logical).unwrap_or(logical.clone())
            } else {
                logical
            };
            if let Err(e) = self.ctx.chdir(&dest) {
                self.builtin_err("cd", &format!("can't cd to {target}: {}", e.message()))
                    .await;
                return 2;
            }
            let old = self.get("PWD").unwrap_or(base);
            let _ = self.set_var("OLDPWD", &old);
            if let Some(v) = self.vars.get_mut("OLDPWD") {
                v.exported = true;
            }
            let _ = self.set_var("PWD", &dest);
            if let Some(v) = self.vars.get_mut("PWD") {
                v.exported = true;
            }
            if print {
                self.ctx.print(1, &format!("{dest}\n")).await;
            }
            0
        })
    }

    /// `read [-r] [-p PROMPT] [-n N] [-d DELIM] [-t SEC] [-u FD] [NAME]...`: a line from stdin
    /// split on `$IFS`; status 1 at the end of the input, 128+N when a trapped signal
    /// interrupts it.
    fn read<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, i32> {
        Box::pin(async move {
            let mut raw = false;
            let mut nchars: Option<usize> = None;
            let mut delim = b'\n';
            let mut fd = 0;
            let mut names: Vec<String> = Vec::new();
            let mut i = 0;
            while i < args.len() {
                let a = &args[i];
                if names.is_empty() && a.starts_with('-') && a.len() > 1 {
                    let flags: Vec<char> = a[1..].chars().collect();
                    let mut j = 0;
                    while j < flags.len() {
                        let f = flags[j];
                        j += 1;
                        let takes = matches!(f, 'p' | 'n' | 'd' | 't' | 'u');
                        let value = if takes {
                            if j < flags.len() {
                                let v: String = flags[j..].iter().collect();
                                j = flags.len();
                                Some(v)
                            } else {
                                i += 1;
                                args.get(i).cloned()
                            }
                        } else {
                            None
                        };
                        match f {
                            'r' => raw = true,
                            's' => {}
                            'p' => {}
                            'n' => nchars = value.and_then(|v| v.parse().ok()),
                            'd' => delim = value.and_then(|v| v.bytes().next()).unwrap_or(0),
                            't' => {}
                            'u' => fd = value.and_then(|v| v.parse().ok()).unwrap_or(0),
                            _ => {
                                self.builtin_err("read", &format!("-{f}: invalid option"))
                                    .await;
                                return 2;
                            }
                        }
                    }
                    i += 1;
                    continue;
                }
                names.push(a.clone());
                i += 1;
            }
            if names.is_empty() {
                names.push("REPLY".into());
            }
            let mut line: Vec<u8> = Vec::new();
            let mut status = 0;
            loop {
                if nchars.is_some_and(|n| line.len() >= n) {
                    break;
                }
                match self.ctx.read(fd, 1).await {
                    Ok(b) if b.is_empty() => {
                        status = 1;
                        break;
                    }
                    Ok(b) => {
                        let c = b[0];
                        if c == delim {
                            break;
                        }
                        if !raw && c == b'\\' {
                            match self.ctx.read(fd, 1).await {
                                Ok(n) if n.first() == Some(&b'\n') => continue,
                                Ok(n) if !n.is_empty() => {
                                    line.push(n[0]);
                                    continue;
                                }
                                _ => {
                                    status = 1;
                                    break;
                                }
                            }
                        }
                        line.push(c);
                    }
                    Err(crate::fs::Errno::EINTR) => {
                        return match self.take_interrupt() {
                            Some(sig) => 128 + sig.number(),
                            None => 128,
                        };
                    }
                    Err(_) => {
                        status = 1;
                        break;
                    }
                }
            }
            let text = String::from_utf8_lossy(&line).into_owned();
            let ifs = self.get("IFS").unwrap_or_else(|| " \t\n".into());
            let values = read_split(&text, names.len(), &ifs);
            for (n, v) in names.iter().zip(values) {
                if let Err(m) = self.set_var(n, &v) {
                    self.builtin_err("read", &m).await;
                    return 2;
                }
            }
            status
        })
    }

    /// `type NAME...` (and `command -V`).
    fn type_cmd<'a>(&'a mut self, names: &'a [String], quiet_missing: bool) -> Fut<'a, i32> {
        Box::pin(async move {
            let mut status = 0;
            for n in names {
                let line = if is_keyword(n) {
                    format!("{n} is a shell keyword")
                } else if self.funcs.contains_key(n.as_str()) {
                    format!("{n} is a function")
                } else if is_special(n) {
                    format!("{n} is a special shell builtin")
                } else if is_regular(n) {
                    format!("{n} is a shell builtin")
                } else {
                    match self.lookup_path(n) {
                        Some(p) => format!("{n} is {p}"),
                        None => {
                            status = 127;
                            if quiet_missing {
                                continue;
                            }
                            format!("{n}: not found")
                        }
                    }
                };
                self.ctx.print(1, &format!("{line}\n")).await;
            }
            status
        })
    }

    fn lookup_path(&self, name: &str) -> Option<String> {
        if name.contains('/') {
            return self
                .ctx
                .find_program(name, "")
                .ok()
                .map(|_| name.to_string());
        }
        let pv = self.get("PATH").unwrap_or_default();
        self.ctx.find_program(name, &pv).ok()
    }

    /// `command [-p] [-v|-V] NAME [ARG]...`: a builtin or program, never a function.
    fn command_cmd<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, Flow> {
        Box::pin(async move {
            let mut i = 0;
            let mut mode = ' ';
            while i < args.len() && args[i].starts_with('-') && args[i].len() > 1 {
                for c in args[i][1..].chars() {
                    match c {
                        'v' => mode = 'v',
                        'V' => mode = 'V',
                        'p' => {}
                        _ => {
                            self.builtin_err("command", &format!("-{c}: invalid option"))
                                .await;
                            self.status = 2;
                            return Ok(());
                        }
                    }
                }
                i += 1;
            }
            let rest = &args[i..];
            if rest.is_empty() {
                self.status = 0;
                return Ok(());
            }
            match mode {
                'v' => {
                    let mut status = 0;
                    for n in rest {
                        let shown = if is_keyword(n)
                            || self.funcs.contains_key(n.as_str())
                            || is_special(n)
                            || is_regular(n)
                        {
                            Some(n.clone())
                        } else {
                            self.lookup_path(n)
                        };
                        match shown {
                            Some(s) => self.ctx.print(1, &format!("{s}\n")).await,
                            None => status = 127,
                        }
                    }
                    self.status = status;
                    Ok(())
                }
                'V' => {
                    self.status = self.type_cmd(rest, false).await;
                    Ok(())
                }
                _ => {
                    let name = rest[0].as_str();
                    if is_special(name) || is_regular(name) {
                        return self.run_builtin(rest, is_special(name)).await;
                    }
                    let path = match self.lookup_path(name) {
                        Some(p) => p,
                        None => {
                            self.print_err(&format!("{name}: not found")).await;
                            self.status = 127;
                            return Ok(());
                        }
                    };
                    let env = self.environment(&[]);
                    let argv = rest.to_vec();
                    let arg0 = self.arg0.clone();
                    let me = self.clone();
                    let name = name.to_string();
                    let pid = self.ctx.fork(move |child| {
                        Box::pin(async move {
                            let mut sh = me;
                            sh.ctx = child;
                            let _ = arg0;
                            sh.exec_program(&path, &name, argv, env).await
                        })
                    });
                    self.status = match self.ctx.wait(pid, false).await {
                        Ok(w) => w.code(),
                        Err(_) => 1,
                    };
                    Ok(())
                }
            }
        })
    }

    /// `export` and `readonly`: `NAME[=VALUE]...`, `-p` (or nothing) to list, `-n` to
    /// unexport.
    fn export<'a>(&'a mut self, which: &'a str, args: &'a [String]) -> Fut<'a, Flow> {
        Box::pin(async move {
            let mut list = args.is_empty();
            let mut unexport = false;
            let mut names: Vec<&String> = Vec::new();
            for a in args {
                match a.as_str() {
                    "-p" => list = true,
                    "-n" => unexport = true,
                    _ => names.push(a),
                }
            }
            if list && names.is_empty() {
                let mut out = String::new();
                for (k, v) in &self.vars {
                    let shown = if which == "export" {
                        v.exported
                    } else {
                        v.readonly
                    };
                    if shown {
                        out.push_str(&format!("{which} {k}={}\n", single_quote(&v.value)));
                    }
                }
                self.ctx.print(1, &out).await;
                self.status = 0;
                return Ok(());
            }
            for a in names {
                let (k, v) = match a.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (a.as_str(), None),
                };
                if !is_name(k) {
                    self.builtin_err(which, &format!("{k}: bad variable name"))
                        .await;
                    self.status = 2;
                    return Err(Jump::Error);
                }
                if let Some(v) = v {
                    if let Err(m) = self.set_var(k, v) {
                        self.builtin_err(which, &m).await;
                        self.status = 2;
                        return Err(Jump::Error);
                    }
                }
                match self.vars.get_mut(k) {
                    Some(var) => {
                        if which == "export" {
                            var.exported = !unexport;
                        } else {
                            var.readonly = true;
                        }
                    }
                    None => {
                        if which == "readonly" {
                            let var = self.new_var("", false, true);
                            self.vars.insert(k.to_string(), var);
                        }
                    }
                }
            }
            self.status = 0;
            Ok(())
        })
    }

    /// `set [-+options] [-o name] [--] [ARG]...`; without arguments, every variable.
    fn set_cmd<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, Flow> {
        Box::pin(async move {
            if args.is_empty() {
                let mut out = String::new();
                for (k, v) in &self.vars {
                    out.push_str(&format!("{k}={}\n", single_quote(&v.value)));
                }
                self.ctx.print(1, &out).await;
                self.status = 0;
                return Ok(());
            }
            let mut i = 0;
            let mut new_positional: Option<Vec<String>> = None;
            while i < args.len() {
                let a = &args[i];
                if a == "--" {
                    new_positional = Some(args[i + 1..].to_vec());
                    break;
                }
                if a == "-" {
                    self.opt.xtrace = false;
                    self.opt.verbose = false;
                    new_positional = Some(args[i + 1..].to_vec());
                    break;
                }
                if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 {
                    let on = a.starts_with('-');
                    for c in a[1..].chars() {
                        if c == 'o' {
                            i += 1;
                            match args.get(i) {
                                Some(name) => {
                                    if !self.set_long_option(name, on) {
                                        self.builtin_err("set", &format!("{name}: invalid option"))
                                            .await;
                                        self.status = 2;
                                        return Err(Jump::Error);
                                    }
                                }
                                None => {
                                    let o = self.opt;
                                    let mut out = String::new();
                                    for (n, v) in [
                                        ("errexit", o.errexit),
                                        ("noglob", o.noglob),
                                        ("xtrace", o.xtrace),
                                        ("verbose", o.verbose),
                                        ("noclobber", o.noclobber),
                                        ("allexport", o.allexport),
                                        ("nounset", o.nounset),
                                        ("pipefail", o.pipefail),
                                    ] {
                                        out.push_str(&format!(
                                            "{n:<16}{}\n",
                                            if v { "on" } else { "off" }
                                        ));
                                    }
                                    self.ctx.print(1, &out).await;
                                }
                            }
                        } else if !self.set_option_letter(c, on) {
                            self.builtin_err("set", &format!("-{c}: invalid option"))
                                .await;
                            self.status = 2;
                            return Err(Jump::Error);
                        }
                    }
                    i += 1;
                    continue;
                }
                new_positional = Some(args[i..].to_vec());
                break;
            }
            if let Some(p) = new_positional {
                self.positional = p;
            }
            self.status = 0;
            Ok(())
        })
    }

    /// `. FILE [ARG]...` and `source`: the file's commands in this shell; a name without `/`
    /// is looked up on `$PATH`.
    fn dot<'a>(&'a mut self, name: &'a str, args: &'a [String]) -> Fut<'a, Flow> {
        Box::pin(async move {
            let Some(file) = args.first() else {
                self.status = 0;
                return Ok(());
            };
            let path = if file.contains('/') {
                Some(file.clone())
            } else {
                let pv = self.get("PATH").unwrap_or_default();
                pv.split(':')
                    .map(|d| {
                        if d.is_empty() {
                            ".".to_string()
                        } else {
                            d.to_string()
                        }
                    })
                    .map(|d| crate::busybox::util::join(&d, file))
                    .find(|p| {
                        self.ctx
                            .stat(p)
                            .is_ok_and(|s| s.kind == crate::fs::Kind::File)
                    })
            };
            let Some(path) = path else {
                self.builtin_err(name, &format!("{file}: not found")).await;
                self.status = 2;
                return Err(Jump::Error);
            };
            let data = match self.ctx.read_file(&path) {
                Ok(d) => d,
                Err(e) => {
                    self.builtin_err(name, &format!("can't open '{file}': {}", e.message()))
                        .await;
                    self.status = 2;
                    return Err(Jump::Error);
                }
            };
            if self.nest >= MAX_NESTING {
                return Err(self.stack_overflow());
            }
            let text = String::from_utf8_lossy(&data).into_owned();
            let saved_pos = (args.len() > 1)
                .then(|| std::mem::replace(&mut self.positional, args[1..].to_vec()));
            self.depth += 1;
            self.nest += 1;
            self.status = 0;
            let line = self.lineno;
            let r = self.run_text(&text, 1, false).await;
            self.depth -= 1;
            self.nest -= 1;
            self.lineno = line;
            if let Some(p) = saved_pos {
                self.positional = p;
            }
            match r {
                Err(Jump::Return) => Ok(()),
                other => other,
            }
        })
    }

    /// `trap [ACTION] SIGNAL...`, `trap` to list, `trap -l`.
    fn trap<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, Flow> {
        Box::pin(async move {
            if args.is_empty() || args[0] == "-p" {
                let mut out = String::new();
                for (sig, action) in &self.traps {
                    let name = if *sig == 0 {
                        "EXIT"
                    } else {
                        SIGNAL_NAMES.get(*sig as usize).copied().unwrap_or("?")
                    };
                    out.push_str(&format!("trap -- {} {name}\n", single_quote(action)));
                }
                self.ctx.print(1, &out).await;
                self.status = 0;
                return Ok(());
            }
            if args[0] == "-l" {
                let mut out = String::new();
                for (n, name) in SIGNAL_NAMES.iter().enumerate().skip(1) {
                    out.push_str(&format!("{n:2}) {name}\n"));
                }
                self.ctx.print(1, &out).await;
                self.status = 0;
                return Ok(());
            }
            let mut rest = args;
            let mut action: Option<String> = None;
            if args.len() > 1 && args[0].parse::<u32>().is_err() {
                action = Some(args[0].clone());
                rest = &args[1..];
            }
            if rest.first().map(String::as_str) == Some("--") {
                rest = &rest[1..];
            }
            let action = match action.as_deref() {
                Some("-") => None,
                other => other.map(String::from),
            };
            for s in rest {
                let upper = s.to_ascii_uppercase();
                let sig = if s == "0" || upper == "EXIT" || upper == "SIGEXIT" {
                    Some(0)
                } else {
                    Signal::parse(s).map(|sig| sig.number())
                };
                match sig {
                    Some(n) if n == Signal::Kill.number() || n == Signal::Stop.number() => {
                        // The kernel refuses them; ash stores the action anyway.
                        self.set_trap(n, action.as_deref());
                    }
                    Some(n) => self.set_trap(n, action.as_deref()),
                    None => {
                        self.builtin_err("trap", &format!("{s}: bad trap")).await;
                        self.status = 2;
                        return Err(Jump::Error);
                    }
                }
            }
            self.status = 0;
            Ok(())
        })
    }

    /// `getopts OPTSTRING NAME [ARG]...`
    fn getopts<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, i32> {
        Box::pin(async move {
            if args.len() < 2 {
                self.builtin_err("getopts", "usage: getopts optstring var [arg]")
                    .await;
                return 2;
            }
            let optstring = args[0].clone();
            let var = args[1].clone();
            let params: Vec<String> = if args.len() > 2 {
                args[2..].to_vec()
            } else {
                self.positional.clone()
            };
            let silent = optstring.starts_with(':');
            let mut optind: usize = self
                .get("OPTIND")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1)
                .max(1);
            let mut pos: usize = self
                .get("_OPTPOS_")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let finish = |sh: &mut Shell, optind: usize, pos: usize| {
                let _ = sh.set_var("OPTIND", &optind.to_string());
                sh.vars.remove("_OPTPOS_");
                if pos > 0 {
                    let _ = sh.set_var("_OPTPOS_", &pos.to_string());
                }
            };
            if optind > params.len() {
                let _ = self.set_var(&var, "?");
                finish(self, optind, 0);
                return 1;
            }
            let arg = params[optind - 1].clone();
            if pos == 0 {
                if arg == "--" {
                    let _ = self.set_var(&var, "?");
                    finish(self, optind + 1, 0);
                    return 1;
                }
                if !arg.starts_with('-') || arg == "-" {
                    let _ = self.set_var(&var, "?");
                    finish(self, optind, 0);
                    return 1;
                }
                pos = 1;
            }
            let chars: Vec<char> = arg.chars().collect();
            let c = chars.get(pos).copied().unwrap_or('?');
            pos += 1;
            let spec = optstring.trim_start_matches(':');
            let known = spec.find(c).filter(|_| c != ':');
            match known {
                None => {
                    if silent {
                        let _ = self.set_var("OPTARG", &c.to_string());
                    } else {
                        self.vars.remove("OPTARG");
                        self.ctx.print(2, &format!("Illegal option -{c}\n")).await;
                    }
                    let _ = self.set_var(&var, "?");
                }
                Some(i) => {
                    let takes = spec[i + c.len_utf8()..].starts_with(':');
                    if takes {
                        if pos < chars.len() {
                            let v: String = chars[pos..].iter().collect();
                            let _ = self.set_var("OPTARG", &v);
                            pos = chars.len();
                        } else if optind < params.len() {
                            let v = params[optind].clone();
                            let _ = self.set_var("OPTARG", &v);
                            optind += 1;
                            pos = chars.len();
                        } else {
                            if silent {
                                let _ = self.set_var("OPTARG", &c.to_string());
                                let _ = self.set_var(&var, ":");
                            } else {
                                self.vars.remove("OPTARG");
                                self.ctx
                                    .print(2, &format!("No arg for -{c} option\n"))
                                    .await;
                                let _ = self.set_var(&var, "?");
                            }
                            finish(self, optind + 1, 0);
                            return 0;
                        }
                    } else {
                        self.vars.remove("OPTARG");
                    }
                    let _ = self.set_var(&var, &c.to_string());
                }
            }
            if pos >= chars.len() {
                optind += 1;
                pos = 0;
            }
            finish(self, optind, pos);
            0
        })
    }
}

/// ash's `single_quote`: always quoted, `'` written as `'"'"'`.
pub(crate) fn single_quote(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\"'\"'");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Splits a line read by `read` among `n` variables: fields on `$IFS`, the last variable
/// takes the rest of the line (IFS white space around it trimmed).
pub(crate) fn read_split(line: &str, n: usize, ifs: &str) -> Vec<String> {
    let is_ws = |c: char| ifs.contains(c) && matches!(c, ' ' | '\t' | '\n');
    let is_sep = |c: char| ifs.contains(c);
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    // Leading IFS white space is dropped.
    while i < chars.len() && is_ws(chars[i]) {
        i += 1;
    }
    while out.len() + 1 < n {
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && !is_sep(chars[i]) {
            i += 1;
        }
        out.push(chars[start..i].iter().collect());
        // Skip one separator with the white space around it.
        while i < chars.len() && is_ws(chars[i]) {
            i += 1;
        }
        if i < chars.len() && is_sep(chars[i]) && !is_ws(chars[i]) {
            i += 1;
            while i < chars.len() && is_ws(chars[i]) {
                i += 1;
            }
        }
    }
    let mut rest: String = chars[i.min(chars.len())..].iter().collect();
    while rest.ends_with(|c: char| is_ws(c)) {
        rest.pop();
    }
    if out.len() < n {
        out.push(rest);
    }
    while out.len() < n {
        out.push(String::new());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::read_split;

    #[test]
    fn read_gives_the_last_variable_the_rest_of_the_line() {
        assert_eq!(read_split("  a b  c  ", 2, " \t\n"), vec!["a", "b  c"]);
        assert_eq!(read_split("a:b:c", 2, ":"), vec!["a", "b:c"]);
        assert_eq!(read_split("one", 3, " \t\n"), vec!["one", "", ""]);
        assert_eq!(read_split("  x  ", 1, " \t\n"), vec!["x"]);
    }
}
