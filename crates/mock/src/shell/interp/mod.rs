//! The interpreter: busybox ash's evaluator (`evaltree`, `evalcommand`, `evalpipe`,
//! `evalsubshell`... in `shell/ash.c`) over the tree [`super::parser`] makes, running in one
//! process of podplay's kernel.
//!
//! A [`Shell`] is the state ash keeps in globals: variables, positional parameters, functions,
//! traps, options, the last status. Compound commands and builtins run in the shell's own
//! process; external commands, pipeline members, subshells, command substitutions and
//! background jobs run in forked children ([`Ctx::fork`]), each with a copy of the shell when it
//! needs one. The last command of `sh -c` is `exec`'d in place when no trap is set, as ash does,
//! so `sh -c 'sleep 600'` leaves `sleep` as PID 1.
//!
//! Control flow (`break`, `continue`, `return`, `exit`, and ash's error exception) travels as
//! [`Jump`] in `Err`; the status is always in [`Shell::status`]. Every simple command and loop
//! iteration burns one unit of CPU fuel, so a busy loop advances virtual time instead of
//! hanging. Signals the script traps wait in the kernel until a command finishes, then their
//! handlers run (ash's `dotrap` after each node); `wait` and `read` are interrupted by them.
//!
//! Start at [`main_with`], then [`Shell::run_list`].

mod builtins;
mod expand;
mod redir;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::fs::Errno;
use crate::kernel::{Ctx, Disposition, Pid, Signal, Task, WaitStatus};

use super::ast::*;
use super::parser::{Parser, Token};

/// A boxed future borrowing the shell: how the evaluator recurses.
pub(crate) type Fut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// How far a command's control flow jumps (ash's `evalskip` and exceptions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Jump {
    Break(u32),
    Continue(u32),
    /// `return`: leave the function (or the dot script).
    Return,
    /// `exit`: leave the shell (its status is in [`Shell::status`]).
    Exit,
    /// ash's `EXERROR`: an error a non-interactive shell does not survive (expansion errors,
    /// errors in special builtins). The message is printed; the shell exits with the status.
    Error,
}

pub(crate) type Flow = Result<(), Jump>;

/// The deepest nesting of function calls, `eval`, `.` and compound commands before the shell
/// gives up. busybox has no limit and dies of a stack overflow (SIGSEGV, status 139); so does
/// podplay's shell, earlier: a level costs the interpreter about 3.5 KiB of native stack
/// (12 KiB unoptimized) and the browser gives a wasm program 1 MiB. A function whose body is
/// `{ if ...; fi; }` takes three levels per call.
pub const MAX_NESTING: u32 = 150;

/// A shell variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Var {
    pub value: String,
    pub exported: bool,
    pub readonly: bool,
    /// When it was created: ash keeps each hash bucket newest first, which orders the
    /// environment it passes to programs.
    pub seq: u64,
}

/// ash's variable table size (`VTABSIZE`).
const VTABSIZE: u32 = 39;

/// ash's `hashvar`: the bucket of a variable.
fn ash_bucket(name: &str) -> u32 {
    let b = name.as_bytes();
    let mut h = u32::from(b.first().copied().unwrap_or(0)) << 4;
    for c in b {
        h = h.wrapping_add(u32::from(*c));
    }
    h % VTABSIZE
}

/// busybox's `bb_PATH_root_path`: `$PATH` when the environment has none.
const DEFAULT_PATH: &str = "/sbin:/usr/sbin:/bin:/usr/bin";

/// A background job (`cmd &`).
#[derive(Clone, Debug)]
struct Job {
    id: u32,
    pid: Pid,
    ns_pid: u32,
    /// Its exit status once reaped.
    status: Option<i32>,
}

/// The `set` options podplay's shell honours.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Options {
    pub errexit: bool,
    pub nounset: bool,
    pub xtrace: bool,
    pub noglob: bool,
    pub noclobber: bool,
    pub allexport: bool,
    pub verbose: bool,
    pub pipefail: bool,
}

/// The shell's state: ash's globals.
#[derive(Clone)]
pub struct Shell {
    pub(crate) ctx: Ctx,
    pub(crate) vars: BTreeMap<String, Var>,
    var_seq: u64,
    pub(crate) positional: Vec<String>,
    /// `$0`, and the first word of every error message (ash's `arg0`).
    pub(crate) arg0: String,
    /// busybox's `applet_name`: what the applets run as builtins (`echo`, `test`, `kill`,
    /// `printf`) prefix their messages with.
    pub(crate) applet: String,
    /// ash's `commandname` outside builtins: set for a script file (and for `-c` given a name),
    /// which adds `line N: ` to messages.
    pub(crate) script: bool,
    pub(crate) funcs: BTreeMap<String, Rc<FunctionDef>>,
    /// Trap actions by signal number; 0 is EXIT.
    pub(crate) traps: BTreeMap<i32, Rc<str>>,
    /// `$?`.
    pub(crate) status: i32,
    /// The status of the last command substitution (ash's `back_exitstatus`): a command of
    /// assignments alone takes it as its status; `$?` is not changed by it.
    pub(crate) back_status: i32,
    last_bg: Option<u32>,
    jobs: Vec<Job>,
    next_job: u32,
    pub(crate) opt: Options,
    /// One frame per running function: the variables `local` saved.
    locals: Vec<Vec<(String, Option<Var>)>>,
    /// Functions, `eval`s and `.` scripts running (`return` leaves the innermost).
    pub(crate) depth: u32,
    /// How deep the evaluator is nested (functions, `eval`, `.`, compound commands): bounded
    /// by [`MAX_NESTING`].
    pub(crate) nest: u32,
    pub(crate) loop_depth: u32,
    /// The line of the command running (`$LINENO`, `line N:` in messages).
    pub(crate) lineno: u32,
    /// `$$`: the main shell's pid, also in subshells.
    root_pid: u32,
    /// Conditions being evaluated (`if`, `while`, `&&`...): `set -e` does not apply there.
    tested: u32,
    in_trap: bool,
    /// Signals taken from the kernel whose traps have not run yet.
    pending: Vec<Signal>,
    random: u32,
    /// Whether this is a forked copy (a subshell): `exit` leaves only it.
    subshell: bool,
    /// Children nobody waits for (here-document writers): reaped when they end.
    pub(crate) strays: Vec<Pid>,
    /// `$?` when the running trap started: what `exit` without a number exits with.
    pub(crate) trap_status: Option<i32>,
}

/// The shell's `main`: `sh -c 'script' [name [args]]`, `sh script-file [args]`, or `sh`
/// reading its script from stdin, with ash's option letters (`-e -x -u -f -C -a -v -s`).
pub async fn main_with(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let arg0 = argv.first().cloned().unwrap_or_else(|| "sh".into());
    let mut sh = Shell::new(ctx.clone(), arg0.clone());
    let mut want_c = false;
    let mut read_stdin = false;
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        if a == "--" || a == "-" {
            i += 1;
            break;
        }
        if (a.starts_with('-') || a.starts_with('+')) && a.len() > 1 {
            let on = a.starts_with('-');
            for c in a[1..].chars() {
                match c {
                    'c' => want_c = true,
                    's' => read_stdin = true,
                    'i' | 'l' | 'm' => {}
                    'o' => {
                        i += 1;
                        if let Some(name) = argv.get(i) {
                            sh.set_long_option(name, on);
                        }
                    }
                    _ => {
                        if !sh.set_option_letter(c, on) {
                            sh.print_err(&format!("-{c}: invalid option")).await;
                            return 2;
                        }
                    }
                }
            }
            i += 1;
            continue;
        }
        break;
    }
    let rest: Vec<String> = argv[i.min(argv.len())..].to_vec();
    let mut rest = rest.into_iter();
    if want_c {
        let command = match rest.next() {
            Some(c) => c,
            None => {
                sh.print_err("-c requires an argument").await;
                return 2;
            }
        };
        if let Some(name) = rest.next() {
            sh.arg0 = name;
            sh.script = true;
        }
        sh.positional = rest.collect();
        // ash_main sets `lineno = 0; // bash compat` before `evalstring(minusc, EV_EXIT)`:
        // a `-c` script's first line is line 0 in messages and $LINENO.
        let _ = sh.run_text(&command, 0, true).await;
        return sh.exit_shell().await;
    }
    let script_file = if read_stdin { None } else { rest.next() };
    match script_file {
        Some(file) => {
            sh.positional = rest.collect();
            let data = match ctx.read_file(&file) {
                Ok(d) => d,
                Err(e) => {
                    sh.print_err(&format!("can't open '{file}': {}", e.message()))
                        .await;
                    return 127;
                }
            };
            sh.arg0 = file;
            sh.script = true;
            let text = String::from_utf8_lossy(&data).into_owned();
            let _ = sh.run_text(&text, 1, false).await;
            sh.exit_shell().await
        }
        None => {
            sh.positional = rest.collect();
            let mut input = crate::busybox::util::Input::fd(0);
            let data = input.all(ctx).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&data).into_owned();
            let _ = sh.run_text(&text, 1, false).await;
            sh.exit_shell().await
        }
    }
}

/// The program entry for code that wants a [`Task`] (the same as busybox's `sh`).
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { main_with(&ctx, argv).await })
}

impl Shell {
    /// A shell in `ctx`'s process, its variables imported (and exported) from the environment,
    /// with the variables ash sets at start-up (`PWD`, `SHLVL`, `HOSTNAME`, `PPID`, `IFS`).
    pub fn new(ctx: Ctx, arg0: String) -> Shell {
        let env = ctx.env();
        let applet = crate::busybox::util::basename(&arg0).to_string();
        let root_pid = ctx.ns_pid();
        let mut sh = Shell {
            ctx,
            vars: BTreeMap::new(),
            var_seq: 0,
            positional: Vec::new(),
            arg0,
            applet,
            script: false,
            funcs: BTreeMap::new(),
            traps: BTreeMap::new(),
            status: 0,
            back_status: 0,
            last_bg: None,
            jobs: Vec::new(),
            next_job: 1,
            opt: Options::default(),
            locals: Vec::new(),
            depth: 0,
            nest: 0,
            loop_depth: 0,
            lineno: 1,
            root_pid,
            tested: 0,
            in_trap: false,
            pending: Vec::new(),
            random: root_pid.wrapping_mul(2_654_435_761).max(1),
            subshell: false,
            strays: Vec::new(),
            trap_status: None,
        };
        // ash's `initvar` (the fixed variables, in `varinit`'s order), then `init`: the
        // environment, IFS and OPTIND reset, PPID, SHLVL, HOSTNAME, PWD.
        for (k, v) in [
            ("IFS", " \t\n"),
            ("PATH", DEFAULT_PATH),
            ("PS1", "$ "),
            ("PS2", "> "),
            ("PS4", "+ "),
            ("OPTIND", "1"),
        ] {
            sh.set_plain(k, v);
        }
        for (k, v) in env {
            if is_name(&k) {
                sh.set_exported(&k, &v);
            }
        }
        sh.set_plain("IFS", " \t\n");
        sh.set_plain("OPTIND", "1");
        // Started without a PATH (`env -i sh`), busybox's ash exports its default one:
        // `env -i A=1 sh -c env` lists PATH=/sbin:/usr/sbin:/bin:/usr/bin (busybox 1.35).
        if let Some(v) = sh.vars.get_mut("PATH") {
            v.exported = true;
        }
        let ppid = sh.ctx.ns_ppid().to_string();
        sh.set_plain("PPID", &ppid);
        let shlvl = sh
            .get("SHLVL")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        sh.set_exported("SHLVL", &shlvl.to_string());
        if sh.get("HOSTNAME").is_none() {
            let h = sh.ctx.hostname();
            sh.set_plain("HOSTNAME", &h);
        }
        let cwd = sh.ctx.cwd();
        let pwd_ok = sh
            .get("PWD")
            .is_some_and(|p| p.starts_with('/') && crate::fs::normalize("/", &p) == cwd);
        let pwd = if pwd_ok {
            sh.get("PWD").unwrap_or(cwd)
        } else {
            cwd
        };
        sh.set_exported("PWD", &pwd);
        sh
    }

    /// A new variable, numbered in creation order.
    pub(crate) fn new_var(&mut self, value: &str, exported: bool, readonly: bool) -> Var {
        self.var_seq += 1;
        Var {
            value: value.to_string(),
            exported,
            readonly,
            seq: self.var_seq,
        }
    }

    // --- variables ----------------------------------------------------------------------

    pub(crate) fn get(&self, name: &str) -> Option<String> {
        match name {
            "LINENO" => return Some(self.lineno.to_string()),
            "EPOCHSECONDS" => return Some(crate::busybox::epoch_secs_now(&self.ctx).to_string()),
            _ => {}
        }
        self.vars.get(name).map(|v| v.value.clone())
    }

    pub(crate) fn get_ref(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    fn set_plain(&mut self, name: &str, value: &str) {
        let _ = self.set_var(name, value);
    }

    fn set_exported(&mut self, name: &str, value: &str) {
        let _ = self.set_var(name, value);
        if let Some(v) = self.vars.get_mut(name) {
            v.exported = true;
        }
    }

    /// Assigns a variable (ash's `setvar`): fails on a readonly one with ash's message.
    pub(crate) fn set_var(&mut self, name: &str, value: &str) -> Result<(), String> {
        let allexport = self.opt.allexport;
        let old_len = match self.vars.get_mut(name) {
            Some(v) => {
                if v.readonly {
                    return Err(format!("{name}: is read only"));
                }
                let old_len = v.value.len();
                v.value.clear();
                v.value.push_str(value);
                if allexport {
                    v.exported = true;
                }
                old_len
            }
            None => {
                let var = self.new_var(value, allexport, false);
                self.vars.insert(name.to_string(), var);
                0
            }
        };
        // Variables live in the shell's memory: growing one counts toward the container's
        // memory (and a runaway one is OOM-killed, see Ctx::hold).
        let new_len = value.len();
        if new_len > old_len {
            self.ctx.hold((new_len - old_len) as u64);
        } else if new_len < old_len {
            self.ctx.unhold((old_len - new_len) as u64);
        }
        Ok(())
    }

    pub(crate) fn unset_var(&mut self, name: &str) -> Result<(), String> {
        if let Some(v) = self.vars.get(name) {
            if v.readonly {
                return Err(format!("{name}: is read only"));
            }
        }
        self.vars.remove(name);
        Ok(())
    }

    /// The environment an exec'd program gets: the exported variables, sorted.
    /// In ash's order (`listvars`): hash bucket by bucket, newest first in each; the command's
    /// own assignments replace their variable's value or come last.
    pub(crate) fn environment(&self, extra: &[(String, String)]) -> Vec<(String, String)> {
        let mut vars: Vec<(&String, &Var)> = self.vars.iter().filter(|(_, v)| v.exported).collect();
        vars.sort_by_key(|(k, v)| (ash_bucket(k), std::cmp::Reverse(v.seq)));
        let mut env: Vec<(String, String)> = vars
            .into_iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        for (k, v) in extra {
            match env.iter_mut().find(|(n, _)| n == k) {
                Some(e) => e.1 = v.clone(),
                None => env.push((k.clone(), v.clone())),
            }
        }
        env
    }

    /// `$-`.
    pub(crate) fn option_letters(&self) -> String {
        let mut s = String::new();
        let o = &self.opt;
        for (on, c) in [
            (o.errexit, 'e'),
            (o.noglob, 'f'),
            (o.xtrace, 'x'),
            (o.verbose, 'v'),
            (o.noclobber, 'C'),
            (o.allexport, 'a'),
            (o.nounset, 'u'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }

    pub(crate) fn set_option_letter(&mut self, c: char, on: bool) -> bool {
        match c {
            'e' => self.opt.errexit = on,
            'u' => self.opt.nounset = on,
            'x' => self.opt.xtrace = on,
            'f' => self.opt.noglob = on,
            'C' => self.opt.noclobber = on,
            'a' => self.opt.allexport = on,
            'v' => self.opt.verbose = on,
            'n' | 'b' | 'm' | 'h' | 'E' | 'i' | 's' => {}
            _ => return false,
        }
        true
    }

    pub(crate) fn set_long_option(&mut self, name: &str, on: bool) -> bool {
        match name {
            "errexit" => self.opt.errexit = on,
            "nounset" => self.opt.nounset = on,
            "xtrace" => self.opt.xtrace = on,
            "noglob" => self.opt.noglob = on,
            "noclobber" => self.opt.noclobber = on,
            "allexport" => self.opt.allexport = on,
            "verbose" => self.opt.verbose = on,
            "pipefail" => self.opt.pipefail = on,
            "monitor" | "notify" | "vi" | "emacs" | "noexec" | "ignoreeof" | "errtrace" => {}
            _ => return false,
        }
        true
    }

    // --- messages -----------------------------------------------------------------------

    /// ash's `ash_msg`: `arg0: [line N: ]msg` on stderr (the line when running a script).
    pub(crate) async fn print_err(&self, msg: &str) {
        let text = if self.script {
            format!("{}: line {}: {msg}\n", self.arg0, self.lineno)
        } else {
            format!("{}: {msg}\n", self.arg0)
        };
        self.ctx.print(2, &text).await;
    }

    /// The message of a builtin (ash's `commandname` is the builtin's name):
    /// `arg0: NAME: line N: msg`.
    pub(crate) async fn builtin_err(&self, name: &str, msg: &str) {
        let text = if name == self.arg0 {
            format!("{}: line {}: {msg}\n", self.arg0, self.lineno)
        } else {
            format!("{}: {name}: line {}: {msg}\n", self.arg0, self.lineno)
        };
        self.ctx.print(2, &text).await;
    }

    /// `ash_msg_and_raise_error`: the message, status 2, and the error exception.
    pub(crate) async fn raise(&mut self, msg: &str) -> Jump {
        self.print_err(msg).await;
        self.status = 2;
        Jump::Error
    }

    // --- running text -------------------------------------------------------------------

    /// Parses and runs `text` one line (one `parsecmd`) at a time, as ash's `evalstring` and
    /// `cmdloop` do: the lines before a syntax error run. With `exit_last`, the command that
    /// ends the text runs with ash's `EV_EXIT` (its external command replaces the shell).
    pub(crate) fn run_text<'a>(
        &'a mut self,
        text: &'a str,
        first_line: u32,
        exit_last: bool,
    ) -> Fut<'a, Flow> {
        Box::pin(async move {
            let mut parser = Parser::starting_at_line(text, first_line);
            loop {
                let list = match parser.next_command() {
                    Ok(Some(list)) => list,
                    Ok(None) => return Ok(()),
                    Err(e) => {
                        self.lineno = e.line;
                        return Err(self.raise(&e.to_string()).await);
                    }
                };
                let at_eof = parser.tokpushback && parser.lasttoken == Token::Eof;
                let flow = self.run_list(&list, exit_last && at_eof).await;
                self.check_traps().await?;
                flow?;
            }
        })
    }

    /// Runs the EXIT trap (once) and returns the shell's exit status (ash's `exitshell`).
    pub async fn exit_shell(&mut self) -> i32 {
        if let Some(action) = self.traps.remove(&0) {
            let saved = self.status;
            self.in_trap = true;
            self.trap_status = Some(saved);
            let flow = self.run_text(&action, self.lineno, false).await;
            self.in_trap = false;
            self.trap_status = None;
            if !matches!(flow, Err(Jump::Exit) | Err(Jump::Error)) {
                self.status = saved;
            }
        }
        self.status & 0xff
    }

    // --- traps --------------------------------------------------------------------------

    /// ash's `dotrap`: runs the handlers of the signals that arrived, with `$?` kept.
    pub(crate) async fn check_traps(&mut self) -> Flow {
        if self.in_trap {
            return Ok(());
        }
        while let Some(sig) = self.ctx.take_signal() {
            self.pending.push(sig);
        }
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        for sig in pending {
            let Some(action) = self.traps.get(&sig.number()).cloned() else {
                continue;
            };
            if action.is_empty() {
                continue;
            }
            let saved = self.status;
            self.in_trap = true;
            self.trap_status = Some(saved);
            let flow = self.run_text(&action, self.lineno, false).await;
            self.in_trap = false;
            self.trap_status = None;
            match flow {
                Err(Jump::Exit) | Err(Jump::Error) => return flow,
                _ => self.status = saved,
            }
        }
        Ok(())
    }

    /// Takes one pending signal (for `wait` and `read`, which report 128+N and leave the
    /// handler to run after them).
    pub(crate) fn take_interrupt(&mut self) -> Option<Signal> {
        let sig = self.ctx.take_signal()?;
        self.pending.push(sig);
        Some(sig)
    }

    // --- evaluation ---------------------------------------------------------------------

    /// Runs a list (ash's `NSEMI` chain). With `exit`, its last item runs with `EV_EXIT`.
    pub(crate) fn run_list<'a>(&'a mut self, list: &'a List, exit: bool) -> Fut<'a, Flow> {
        Box::pin(async move {
            let n = list.items.len();
            for (i, item) in list.items.iter().enumerate() {
                let last = exit && i + 1 == n;
                self.run_and_or(item, last).await?;
                if !self.jobs.is_empty() || !self.strays.is_empty() {
                    self.reap_jobs().await;
                }
                self.check_traps().await?;
            }
            Ok(())
        })
    }

    fn run_and_or<'a>(&'a mut self, item: &'a AndOr, exit: bool) -> Fut<'a, Flow> {
        Box::pin(async move {
            if item.background {
                return self.background(item).await;
            }
            let n = item.rest.len();
            // Every pipeline but the last is a condition (ash's EV_TESTED).
            if n > 0 {
                self.tested += 1;
            }
            let first = self.run_pipeline(&item.first, exit && n == 0).await;
            if n > 0 {
                self.tested -= 1;
            }
            first?;
            for (i, (op, p)) in item.rest.iter().enumerate() {
                let go = match op {
                    AndOrOp::And => self.status == 0,
                    AndOrOp::Or => self.status != 0,
                };
                if !go {
                    continue;
                }
                let last = i + 1 == n;
                if !last {
                    self.tested += 1;
                }
                let r = self.run_pipeline(p, exit && last).await;
                if !last {
                    self.tested -= 1;
                }
                r?;
            }
            Ok(())
        })
    }

    /// `cmd &`: a forked copy of the shell runs the item with stdin from /dev/null (job
    /// control is off); `$!` is its pid.
    fn background<'a>(&'a mut self, item: &'a AndOr) -> Fut<'a, Flow> {
        Box::pin(async move {
            let mut copy = self.clone();
            let item = AndOr {
                first: item.first.clone(),
                rest: item.rest.clone(),
                background: false,
            };
            let pid = self.ctx.fork(move |child| {
                Box::pin(async move {
                    copy.become_subshell(child);
                    if let Ok(fd) = copy.ctx.open("/dev/null", crate::kernel::OpenMode::Read) {
                        if fd != 0 {
                            let _ = copy.ctx.dup2(fd, 0);
                            let _ = copy.ctx.close(fd);
                        }
                    }
                    let _ = copy.run_and_or(&item, true).await;
                    copy.exit_shell().await
                })
            });
            let ns = self.ctx.ns_pid_of(pid).unwrap_or(0);
            // Let the job start (run up to its first wait) before the shell goes on, as it would
            // on another CPU.
            yield_now().await;
            yield_now().await;
            self.last_bg = Some(ns);
            self.jobs.push(Job {
                id: self.next_job,
                pid,
                ns_pid: ns,
                status: None,
            });
            self.next_job += 1;
            self.status = 0;
            Ok(())
        })
    }

    /// Turns a copy of the shell into the shell of a forked child.
    pub(crate) fn become_subshell(&mut self, ctx: Ctx) {
        self.ctx = ctx;
        self.subshell = true;
        self.jobs.clear();
        self.pending.clear();
        // Traps are reset in a subshell; ignored signals stay ignored.
        self.traps.retain(|_, a| a.is_empty());
    }

    async fn run_pipeline(&mut self, p: &Pipeline, exit: bool) -> Flow {
        if p.negated {
            self.tested += 1;
        }
        let r = if p.commands.len() == 1 {
            self.run_command(&p.commands[0], exit && !p.negated).await
        } else {
            self.run_pipe(&p.commands).await
        };
        if p.negated {
            self.tested -= 1;
            if r.is_ok() {
                self.status = i32::from(self.status == 0);
            }
            // `set -e` ignores a pipeline beginning with `!` (POSIX; ash evaluates it with
            // EV_TESTED).
            return r;
        }
        r?;
        self.errexit_check()
    }

    /// `set -e`: a failed command outside a condition ends the shell.
    fn errexit_check(&mut self) -> Flow {
        if self.opt.errexit && self.status != 0 && self.tested == 0 {
            return Err(Jump::Exit);
        }
        Ok(())
    }

    /// ash's `evalpipe`: every member in its own process, joined by pipes; the status is the
    /// last member's (with `pipefail`, the last failing one's).
    fn run_pipe<'a>(&'a mut self, cmds: &'a [Command]) -> Fut<'a, Flow> {
        Box::pin(async move {
            let n = cmds.len();
            let mut pids = Vec::with_capacity(n);
            let mut prev_read: Option<i32> = None;
            for (i, cmd) in cmds.iter().enumerate() {
                let pipe = (i + 1 < n).then(|| self.ctx.pipe());
                let mut copy = self.clone();
                let cmd = cmd.clone();
                let pid = self.ctx.fork(move |child| {
                    Box::pin(async move {
                        if let Some(r) = prev_read {
                            let _ = child.dup2(r, 0);
                            let _ = child.close(r);
                        }
                        if let Some((r, w)) = pipe {
                            let _ = child.dup2(w, 1);
                            let _ = child.close(w);
                            let _ = child.close(r);
                        }
                        copy.become_subshell(child);
                        let _ = copy.run_command(&cmd, true).await;
                        copy.exit_shell().await
                    })
                });
                pids.push(pid);
                if let Some(r) = prev_read.take() {
                    let _ = self.ctx.close(r);
                }
                if let Some((r, w)) = pipe {
                    let _ = self.ctx.close(w);
                    prev_read = Some(r);
                }
            }
            let mut status = 0;
            let mut fail = 0;
            for pid in pids {
                let s = match self.ctx.wait(pid, false).await {
                    Ok(w) => w.code(),
                    Err(_) => 1,
                };
                status = s;
                if s != 0 {
                    fail = s;
                }
            }
            self.status = if self.opt.pipefail { fail } else { status };
            Ok(())
        })
    }

    /// One command in this process (a simple command may still fork for an external program).
    pub(crate) async fn run_command(&mut self, cmd: &Command, exit: bool) -> Flow {
        match cmd {
            Command::Simple(sc) => self.run_simple(sc, exit).await,
            Command::Compound(cc) => self.run_compound(cc, exit).await,
            Command::FunctionDef(def) => {
                self.funcs.insert(def.name.clone(), def.clone());
                self.status = 0;
                Ok(())
            }
        }
    }

    fn run_compound<'a>(&'a mut self, cc: &'a CompoundCommand, exit: bool) -> Fut<'a, Flow> {
        Box::pin(async move {
            if self.nest >= MAX_NESTING {
                return Err(self.stack_overflow());
            }
            self.nest += 1;
            let r = self.run_compound_redirected(cc, exit).await;
            self.nest -= 1;
            r
        })
    }

    /// What busybox does when its C stack runs out: it dies of SIGSEGV.
    pub(crate) fn stack_overflow(&mut self) -> Jump {
        self.status = 128 + 11;
        Jump::Exit
    }

    async fn run_compound_redirected(&mut self, cc: &CompoundCommand, exit: bool) -> Flow {
        {
            self.lineno = cc.line;
            if cc.redirects.is_empty() {
                return self.run_compound_body(cc, exit).await;
            }
            let saved = match self.apply_redirects(&cc.redirects, true).await {
                Ok(s) => s,
                Err(flow) => {
                    flow?;
                    self.status = 1;
                    return Ok(());
                }
            };
            let r = self.run_compound_body(cc, exit).await;
            self.restore_redirects(saved);
            r
        }
    }

    async fn run_compound_body(&mut self, cc: &CompoundCommand, exit: bool) -> Flow {
        match &cc.kind {
            CompoundKind::Group(list) => self.run_list(list, exit).await,
            CompoundKind::Subshell(list) => {
                if exit && self.traps.is_empty() {
                    // ash's evalsubshell: no fork when the shell would exit after it anyway.
                    return self.run_list(list, true).await;
                }
                let mut copy = self.clone();
                let list = list.clone();
                let pid = self.ctx.fork(move |child| {
                    Box::pin(async move {
                        copy.become_subshell(child);
                        let _ = copy.run_list(&list, true).await;
                        copy.exit_shell().await
                    })
                });
                self.status = match self.ctx.wait(pid, false).await {
                    Ok(w) => w.code(),
                    Err(_) => 1,
                };
                Ok(())
            }
            CompoundKind::If {
                branches,
                else_body,
            } => {
                for b in branches {
                    self.tested += 1;
                    let r = self.run_list(&b.condition, false).await;
                    self.tested -= 1;
                    r?;
                    if self.status == 0 {
                        return self.run_list(&b.body, exit).await;
                    }
                }
                match else_body {
                    Some(e) => self.run_list(e, exit).await,
                    None => {
                        self.status = 0;
                        Ok(())
                    }
                }
            }
            CompoundKind::While { condition, body } => self.run_loop(condition, body, false).await,
            CompoundKind::Until { condition, body } => self.run_loop(condition, body, true).await,
            CompoundKind::For { var, words, body } => {
                let items = match words {
                    Some(ws) => self.expand_argv(ws).await?,
                    None => self.positional.clone(),
                };
                let mut status = 0;
                self.loop_depth += 1;
                let mut result = Ok(());
                for item in items {
                    self.ctx.burn(1).await;
                    if let Err(m) = self.set_var(var, &item) {
                        self.loop_depth -= 1;
                        return Err(self.raise(&m).await);
                    }
                    match self.run_list(body, false).await {
                        Ok(()) => {}
                        Err(Jump::Break(n)) => {
                            if n > 1 {
                                result = Err(Jump::Break(n - 1));
                            }
                            status = self.status;
                            break;
                        }
                        Err(Jump::Continue(n)) => {
                            if n > 1 {
                                result = Err(Jump::Continue(n - 1));
                                status = self.status;
                                break;
                            }
                        }
                        Err(j) => {
                            self.loop_depth -= 1;
                            return Err(j);
                        }
                    }
                    status = self.status;
                }
                self.loop_depth -= 1;
                self.status = status;
                result
            }
            CompoundKind::Case { word, arms } => {
                let subject = self.expand_string(word).await?;
                for arm in arms {
                    for p in &arm.patterns {
                        let pat = self.expand_pattern(p).await?;
                        if crate::busybox::util::fnmatch(&pat, &subject) {
                            return self.run_list(&arm.body, exit).await;
                        }
                    }
                }
                self.status = 0;
                Ok(())
            }
        }
    }

    /// `while`/`until`: the status is the body's last, 0 when it never ran.
    async fn run_loop(&mut self, condition: &List, body: &List, until: bool) -> Flow {
        let mut status = 0;
        self.loop_depth += 1;
        let mut result = Ok(());
        loop {
            self.ctx.burn(1).await;
            self.tested += 1;
            let c = self.run_list(condition, false).await;
            self.tested -= 1;
            match c {
                Ok(()) => {}
                Err(Jump::Break(n)) => {
                    if n > 1 {
                        result = Err(Jump::Break(n - 1));
                    }
                    break;
                }
                Err(Jump::Continue(n)) => {
                    if n > 1 {
                        result = Err(Jump::Continue(n - 1));
                        break;
                    }
                    continue;
                }
                Err(j) => {
                    self.loop_depth -= 1;
                    return Err(j);
                }
            }
            if (self.status == 0) == until {
                break;
            }
            match self.run_list(body, false).await {
                Ok(()) => status = self.status,
                Err(Jump::Break(n)) => {
                    status = self.status;
                    if n > 1 {
                        result = Err(Jump::Break(n - 1));
                    }
                    break;
                }
                Err(Jump::Continue(n)) => {
                    status = self.status;
                    if n > 1 {
                        result = Err(Jump::Continue(n - 1));
                        break;
                    }
                }
                Err(j) => {
                    self.loop_depth -= 1;
                    return Err(j);
                }
            }
        }
        self.loop_depth -= 1;
        self.status = status;
        result
    }

    /// ash's `evalcommand`.
    fn run_simple<'a>(&'a mut self, sc: &'a SimpleCommand, exit: bool) -> Fut<'a, Flow> {
        Box::pin(async move {
            self.lineno = sc.line;
            self.ctx.burn(1).await;
            let argv = self.expand_argv(&sc.words).await?;
            if argv.is_empty() {
                return self.assignments_only(sc).await;
            }
            // Prefix assignments.
            let mut assigns: Vec<(String, String)> = Vec::with_capacity(sc.assignments.len());
            for a in &sc.assignments {
                let v = self.expand_string(&a.value).await?;
                assigns.push((a.name.clone(), v));
            }
            if self.opt.xtrace {
                self.trace(&assigns, &argv).await;
            }
            let name = argv[0].as_str();
            let special = builtins::is_special(name);
            if special {
                // Assignments before a special builtin stay (POSIX).
                for (k, v) in &assigns {
                    if let Err(m) = self.set_var(k, v) {
                        return Err(self.raise(&m).await);
                    }
                }
                return self.run_builtin_redirected(sc, &argv, true).await;
            }
            if let Some(def) = self.funcs.get(name).cloned() {
                return self.call_function(def, argv, assigns, sc).await;
            }
            if builtins::is_regular(name) {
                let saved = self.push_temp_vars(&assigns);
                let r = self.run_builtin_redirected(sc, &argv, false).await;
                self.pop_temp_vars(saved);
                return r;
            }
            self.run_external(sc, argv, assigns, exit).await
        })
    }

    /// A command that is only assignments and redirections: the assignments apply to the
    /// shell; the redirections are made and undone; the status is the last command
    /// substitution's (0 without one).
    fn assignments_only<'a>(&'a mut self, sc: &'a SimpleCommand) -> Fut<'a, Flow> {
        Box::pin(async move {
            self.back_status = 0;
            let mut values = Vec::with_capacity(sc.assignments.len());
            for a in &sc.assignments {
                let v = self.expand_string(&a.value).await?;
                values.push((a.name.as_str(), v));
            }
            if self.opt.xtrace && !values.is_empty() {
                let owned: Vec<(String, String)> = values
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                self.trace(&owned, &[]).await;
            }
            let status = self.back_status;
            for (k, v) in values {
                if let Err(m) = self.set_var(k, &v) {
                    return Err(self.raise(&m).await);
                }
            }
            if !sc.redirects.is_empty() {
                match self.apply_redirects(&sc.redirects, true).await {
                    Ok(saved) => self.restore_redirects(saved),
                    Err(flow) => {
                        flow?;
                        self.status = 1;
                        return Ok(());
                    }
                }
            }
            self.status = status;
            Ok(())
        })
    }

    /// Runs a builtin with the command's redirections made around it (saved and restored).
    fn run_builtin_redirected<'a>(
        &'a mut self,
        sc: &'a SimpleCommand,
        argv: &'a [String],
        special: bool,
    ) -> Fut<'a, Flow> {
        Box::pin(async move {
            if argv[0] == "exec" {
                return self.run_builtin_redirected_exec(&sc.redirects, argv).await;
            }
            if sc.redirects.is_empty() {
                return self.run_builtin(argv, special).await;
            }
            let saved = match self.apply_redirects(&sc.redirects, true).await {
                Ok(s) => s,
                Err(flow) => {
                    flow?;
                    self.status = 1;
                    // A special builtin's redirection error ends a non-interactive shell.
                    return if special { Err(Jump::Error) } else { Ok(()) };
                }
            };
            let r = self.run_builtin(argv, special).await;
            self.restore_redirects(saved);
            r
        })
    }

    /// Sets prefix assignments for a builtin or function, remembering what they replaced.
    fn push_temp_vars(&mut self, assigns: &[(String, String)]) -> Vec<(String, Option<Var>)> {
        let mut saved = Vec::new();
        for (k, v) in assigns {
            saved.push((k.clone(), self.vars.get(k).cloned()));
            let readonly = self.vars.get(k).is_some_and(|x| x.readonly);
            if !readonly {
                let var = match self.vars.get(k) {
                    Some(old) => Var {
                        value: v.clone(),
                        exported: true,
                        readonly: false,
                        seq: old.seq,
                    },
                    None => self.new_var(v, true, false),
                };
                self.vars.insert(k.clone(), var);
            }
        }
        saved
    }

    fn pop_temp_vars(&mut self, saved: Vec<(String, Option<Var>)>) {
        for (k, old) in saved.into_iter().rev() {
            match old {
                Some(v) => {
                    self.vars.insert(k, v);
                }
                None => {
                    self.vars.remove(&k);
                }
            }
        }
    }

    /// `set -x`: `+ cmd args` on stderr (PS4, then the words quoted where needed).
    async fn trace(&self, assigns: &[(String, String)], argv: &[String]) {
        let mut line = self.get_ref("PS4").unwrap_or("+ ").to_string();
        let mut first = true;
        for (k, v) in assigns {
            if !first {
                line.push(' ');
            }
            first = false;
            line.push_str(k);
            line.push('=');
            line.push_str(&quote(v));
        }
        for a in argv {
            if !first {
                line.push(' ');
            }
            first = false;
            line.push_str(&quote(a));
        }
        line.push('\n');
        self.ctx.print(2, &line).await;
    }

    /// Runs a function: positional parameters are its arguments, `local` variables are
    /// restored when it returns.
    fn call_function<'a>(
        &'a mut self,
        def: Rc<FunctionDef>,
        argv: Vec<String>,
        assigns: Vec<(String, String)>,
        sc: &'a SimpleCommand,
    ) -> Fut<'a, Flow> {
        Box::pin(async move {
            if self.nest >= MAX_NESTING {
                return Err(self.stack_overflow());
            }
            let saved_vars = self.push_temp_vars(&assigns);
            let saved_redirs = if sc.redirects.is_empty() {
                Vec::new()
            } else {
                match self.apply_redirects(&sc.redirects, true).await {
                    Ok(s) => s,
                    Err(flow) => {
                        self.pop_temp_vars(saved_vars);
                        flow?;
                        self.status = 1;
                        return Ok(());
                    }
                }
            };
            let old_pos = std::mem::replace(&mut self.positional, argv[1..].to_vec());
            let old_loop = std::mem::replace(&mut self.loop_depth, 0);
            self.depth += 1;
            self.nest += 1;
            self.locals.push(Vec::new());
            let r = match &def.body {
                Command::Compound(cc) => self.run_compound(cc, false).await,
                other => self.run_command(other, false).await,
            };
            let frame = self.locals.pop().unwrap_or_default();
            for (k, old) in frame.into_iter().rev() {
                match old {
                    Some(v) => {
                        self.vars.insert(k, v);
                    }
                    None => {
                        self.vars.remove(&k);
                    }
                }
            }
            self.depth -= 1;
            self.nest -= 1;
            self.loop_depth = old_loop;
            self.positional = old_pos;
            self.restore_redirects(saved_redirs);
            self.pop_temp_vars(saved_vars);
            match r {
                Err(Jump::Return) => Ok(()),
                // break/continue do not leave a function.
                Err(Jump::Break(_)) | Err(Jump::Continue(_)) => Ok(()),
                other => other,
            }
        })
    }

    /// `local NAME[=VALUE]`: saves the variable in the current function's frame.
    pub(crate) fn make_local(&mut self, name: &str) -> bool {
        let Some(frame) = self.locals.last_mut() else {
            return false;
        };
        if frame.iter().any(|(k, _)| k == name) {
            return true;
        }
        frame.push((name.to_string(), self.vars.get(name).cloned()));
        true
    }

    pub(crate) fn in_function(&self) -> bool {
        !self.locals.is_empty()
    }

    /// An external program: found on `$PATH` (ash's `find_command`) by the shell, which
    /// reports `not found` itself; then forked and exec'd, or exec'd in place under `EV_EXIT`.
    fn run_external<'a>(
        &'a mut self,
        sc: &'a SimpleCommand,
        argv: Vec<String>,
        assigns: Vec<(String, String)>,
        exit: bool,
    ) -> Fut<'a, Flow> {
        Box::pin(async move {
            let name = argv[0].clone();
            let path = if name.contains('/') {
                // execve's own checks: a directory or a file without x is EACCES.
                match self.ctx.find_program(&name, "") {
                    Ok(_) => Ok(name.clone()),
                    Err(e) => {
                        let (msg, code) = match e {
                            Errno::ENOENT | Errno::ENOTDIR => ("not found".to_string(), 127),
                            e => (e.message().to_string(), 126),
                        };
                        self.print_err(&format!("{name}: {msg}")).await;
                        self.status = code;
                        return Ok(());
                    }
                }
            } else {
                let path_var = self
                    .get_ref("PATH")
                    .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                    .to_string();
                self.ctx.find_program(&name, &path_var)
            };
            let path = match path {
                Ok(p) => p,
                Err(_) => {
                    // Redirections are still made (and undone) before the message.
                    if !sc.redirects.is_empty() {
                        match self.apply_redirects(&sc.redirects, true).await {
                            Ok(saved) => {
                                self.print_err(&format!("{name}: not found")).await;
                                self.restore_redirects(saved);
                            }
                            Err(flow) => {
                                flow?;
                                self.status = 1;
                                return Ok(());
                            }
                        }
                    } else {
                        self.print_err(&format!("{name}: not found")).await;
                    }
                    self.status = 127;
                    return Ok(());
                }
            };
            let env = self.environment(&assigns);
            if exit && self.traps.is_empty() {
                // EV_EXIT: this process becomes the program.
                if !sc.redirects.is_empty() {
                    if let Err(flow) = self.apply_redirects(&sc.redirects, false).await {
                        flow?;
                        self.status = 1;
                        return Ok(());
                    }
                }
                self.status = self.exec_program(&path, &name, argv, env).await;
                return Err(Jump::Exit);
            }
            let saved = if sc.redirects.is_empty() {
                Vec::new()
            } else {
                match self.apply_redirects(&sc.redirects, true).await {
                    Ok(s) => s,
                    Err(flow) => {
                        flow?;
                        self.status = 1;
                        return Ok(());
                    }
                }
            };
            let arg0 = self.arg0.clone();
            let script = self.script.then_some(self.lineno);
            let pid = self.ctx.fork(move |child| {
                Box::pin(
                    async move { exec_in(&child, &arg0, script, &path, &name, argv, env).await },
                )
            });
            self.restore_redirects(saved);
            self.status = match self.ctx.wait(pid, false).await {
                Ok(w) => w.code(),
                Err(_) => 1,
            };
            Ok(())
        })
    }

    /// `shellexec` in this process: the program's exit code, or 126/127 with ash's message.
    pub(crate) async fn exec_program(
        &mut self,
        path: &str,
        name: &str,
        argv: Vec<String>,
        env: Vec<(String, String)>,
    ) -> i32 {
        exec_in(
            &self.ctx,
            &self.arg0,
            self.script.then_some(self.lineno),
            path,
            name,
            argv,
            env,
        )
        .await
    }

    /// Reaps background jobs that ended, keeping their status for `wait`.
    pub(crate) async fn reap_jobs(&mut self) {
        let mut i = 0;
        while i < self.strays.len() {
            let pid = self.strays[i];
            if self.ctx.has_ended(pid) {
                let _ = self.ctx.wait(pid, false).await;
                self.strays.swap_remove(i);
            } else {
                i += 1;
            }
        }
        for i in 0..self.jobs.len() {
            if self.jobs[i].status.is_none() && self.ctx.has_ended(self.jobs[i].pid) {
                let pid = self.jobs[i].pid;
                let code = match self.ctx.wait(pid, false).await {
                    Ok(w) => w.code(),
                    Err(_) => 127,
                };
                self.jobs[i].status = Some(code);
            }
        }
        // Bound the table: forget the oldest finished jobs.
        while self.jobs.len() > 1000 {
            match self.jobs.iter().position(|j| j.status.is_some()) {
                Some(i) => {
                    self.jobs.remove(i);
                }
                None => break,
            }
        }
    }

    /// `wait [PID|%N]...`: interruptible by a trapped signal (status 128+N).
    pub(crate) fn wait_builtin<'a>(&'a mut self, args: &'a [String]) -> Fut<'a, i32> {
        Box::pin(async move {
            if args.is_empty() {
                loop {
                    let Some(job) = self.jobs.iter().find(|j| j.status.is_none()).cloned() else {
                        self.jobs.clear();
                        return 0;
                    };
                    match self.ctx.wait(job.pid, true).await {
                        Ok(w) => {
                            if let Some(j) = self.jobs.iter_mut().find(|j| j.pid == job.pid) {
                                j.status = Some(w.code());
                            }
                        }
                        Err(_) => {
                            return match self.take_interrupt() {
                                Some(sig) => 128 + sig.number(),
                                None => 128,
                            };
                        }
                    }
                }
            }
            let mut status = 0;
            for a in args {
                let job = if let Some(n) = a.strip_prefix('%') {
                    n.parse::<u32>()
                        .ok()
                        .and_then(|n| self.jobs.iter().find(|j| j.id == n))
                        .cloned()
                } else {
                    match a.parse::<u32>() {
                        Ok(n) => self.jobs.iter().find(|j| j.ns_pid == n).cloned(),
                        Err(_) => {
                            self.builtin_err("wait", &format!("Illegal number: {a}"))
                                .await;
                            return 2;
                        }
                    }
                };
                let Some(job) = job else {
                    status = 127;
                    continue;
                };
                if let Some(s) = job.status {
                    status = s;
                    self.jobs.retain(|j| j.pid != job.pid);
                    continue;
                }
                match self.ctx.wait(job.pid, true).await {
                    Ok(w) => {
                        status = w.code();
                        self.jobs.retain(|j| j.pid != job.pid);
                    }
                    Err(_) => {
                        return match self.take_interrupt() {
                            Some(sig) => 128 + sig.number(),
                            None => 128,
                        };
                    }
                }
            }
            status
        })
    }

    /// The jobs `kill %N` can name: (job number, pid in the namespace).
    pub(crate) fn job_pids(&self) -> Vec<(u32, u32)> {
        self.jobs
            .iter()
            .filter(|j| j.status.is_none())
            .map(|j| (j.id, j.ns_pid))
            .collect()
    }

    /// `$!`.
    pub(crate) fn last_bg(&self) -> Option<u32> {
        self.last_bg
    }

    pub(crate) fn root_pid(&self) -> u32 {
        self.root_pid
    }

    /// ash's `$RANDOM`: a 15-bit pseudo-random number from a seeded generator.
    pub(crate) fn next_random(&mut self) -> u32 {
        let mut x = self.random;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.random = x;
        x & 0x7fff
    }

    /// Sets a trap's disposition in the kernel (`trap`).
    pub(crate) fn set_trap(&mut self, sig: i32, action: Option<&str>) {
        match action {
            None => {
                self.traps.remove(&sig);
            }
            Some(a) => {
                self.traps.insert(sig, Rc::from(a));
            }
        }
        if sig == 0 {
            return;
        }
        let Some(signal) = Signal::ALL.into_iter().find(|s| s.number() == sig) else {
            return;
        };
        let d = match action {
            None => Disposition::Default,
            Some("") => Disposition::Ignore,
            Some(_) => Disposition::Handle,
        };
        self.ctx.set_disposition(signal, d);
    }
}

/// Execs `path` in `ctx`'s process; reports ash's `shellexec` errors: `not found` (127) or
/// the errno text (126).
async fn exec_in(
    ctx: &Ctx,
    arg0: &str,
    script_line: Option<u32>,
    path: &str,
    name: &str,
    argv: Vec<String>,
    env: Vec<(String, String)>,
) -> i32 {
    let err = match ctx.exec(path, argv, env).await {
        Ok(code) => return code,
        Err(e) => e,
    };
    let (msg, code) = match err {
        Errno::ENOENT | Errno::ENOTDIR => ("not found".to_string(), 127),
        Errno::EISDIR => (Errno::EACCES.message().to_string(), 126),
        e => (e.message().to_string(), 126),
    };
    let text = match script_line {
        Some(line) => format!("{arg0}: line {line}: {name}: {msg}\n"),
        None => format!("{arg0}: {name}: {msg}\n"),
    };
    ctx.print(2, &text).await;
    code
}

/// Gives the other runnable processes a turn (the machine polls this process again in its
/// next round).
pub(crate) async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|_| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            std::task::Poll::Pending
        }
    })
    .await
}

/// Quotes a word for `set -x` and `export -p` output when it needs it (ash's
/// `single_quote`/`maybe_single_quote`).
pub(crate) fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "%+,-./:=@_^".contains(c));
    if plain {
        return s.to_string();
    }
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

/// The status a wait gives the shell.
pub(crate) fn status_of(w: WaitStatus) -> i32 {
    w.code()
}
