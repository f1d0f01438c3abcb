//! The tree-walking interpreter (`evaluate`, `awk_getline`, `split_f0`, `awk_sub`...).
//! Every statement and record burns fuel, so an endless loop costs virtual time instead of
//! hanging the page; output goes through [`Out`].

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::kernel::{Ctx, OpenMode};

use super::super::regex::Regex;
use super::super::util::{error, Input, Out};
use super::lex::unescape;
use super::parse::{Expr, Func, Pattern, Program, Redirect, Stmt};
use super::value::{fmt_num, sprintf, Val};

/// How deep user functions may call each other.
const MAX_CALL_DEPTH: usize = 200;
/// Compiled dynamic regexes kept at most.
const REGEX_CACHE: usize = 64;
/// The longest string a value may grow to (a bound on memory).
const MAX_STRING: usize = 16 << 20;

/// busybox's hash sizes (`FIRST_PRIME`, `PRIMES`).
const FIRST_PRIME: usize = 61;
const PRIMES: [usize; 5] = [251, 1021, 4093, 16381, 65521];

/// `hashidx`: `idx = c + (idx << 6) - idx` over the bytes as (signed) chars.
fn hashidx(name: &str) -> u32 {
    let mut idx: u32 = 0;
    for b in name.bytes() {
        idx = ((b as i8) as i32 as u32)
            .wrapping_add(idx.wrapping_shl(6))
            .wrapping_sub(idx);
    }
    idx
}

/// An awk array as busybox's `xhash` keeps it, so `for (k in a)` walks it in the same order:
/// buckets in turn, the newest item of a bucket first.
#[derive(Clone, Debug)]
struct Array {
    map: BTreeMap<String, Val>,
    buckets: Vec<Vec<String>>,
    nprime: usize,
}

impl Default for Array {
    fn default() -> Array {
        Array {
            map: BTreeMap::new(),
            buckets: vec![Vec::new(); FIRST_PRIME],
            nprime: 0,
        }
    }
}

impl Array {
    fn get(&mut self, key: &str) -> Val {
        if let Some(v) = self.map.get(key) {
            return v.clone();
        }
        self.set(key, Val::Uninit);
        Val::Uninit
    }

    /// `hash_find`: adds the key at the head of its bucket, growing the table first.
    fn set(&mut self, key: &str, v: Val) {
        if let Some(slot) = self.map.get_mut(key) {
            *slot = v;
            return;
        }
        let nel = self.map.len() + 1;
        if nel / self.buckets.len() > 10 && self.nprime < PRIMES.len() {
            let size = PRIMES[self.nprime];
            self.nprime += 1;
            let mut fresh = vec![Vec::new(); size];
            for bucket in &self.buckets {
                for k in bucket {
                    let idx = hashidx(k) as usize % size;
                    fresh[idx].insert(0, k.clone());
                }
            }
            self.buckets = fresh;
        }
        let idx = hashidx(key) as usize % self.buckets.len();
        self.buckets[idx].insert(0, key.to_string());
        self.map.insert(key.to_string(), v);
    }

    fn remove(&mut self, key: &str) {
        if self.map.remove(key).is_some() {
            let idx = hashidx(key) as usize % self.buckets.len();
            self.buckets[idx].retain(|k| k != key);
        }
    }

    fn clear(&mut self) {
        *self = Array::default();
    }

    fn keys(&self) -> Vec<String> {
        self.buckets.iter().flatten().cloned().collect()
    }
}

/// A variable: a scalar, or (once used as one) an array.
#[derive(Clone, Debug, Default)]
struct Var {
    val: Val,
    arr: Option<Array>,
}

impl Var {
    fn scalar(val: Val) -> Var {
        Var { val, arr: None }
    }

    fn array(arr: Array) -> Var {
        Var {
            val: Val::Uninit,
            arr: Some(arr),
        }
    }
}

#[derive(Clone, Debug)]
enum Local {
    Var(Var),
    /// An array argument: the global it stands for.
    Ref(String),
}

/// Why evaluation stopped early.
#[derive(Debug)]
pub enum Ctl {
    Next,
    NextFile,
    Exit,
    Return(Val),
    Break,
    Continue,
    /// A runtime error: `awk: PROG:LINE: MESSAGE`.
    Error(String),
    /// A fatal error printed as it is: `awk: MESSAGE`.
    Die(String),
}

type R<T> = Result<T, Ctl>;
type Fut<'b, T> = Pin<Box<dyn Future<Output = R<T>> + 'b>>;

pub struct Interp<'a> {
    ctx: &'a Ctx,
    prog: Rc<Program>,
    progname: String,
    globals: BTreeMap<String, Var>,
    frames: Vec<BTreeMap<String, Local>>,
    record: String,
    fields: Vec<String>,
    out: Out<'a>,
    files_out: BTreeMap<String, i32>,
    files_in: BTreeMap<String, Input>,
    operands: Vec<String>,
    next_operand: usize,
    input: Option<Input>,
    read_any_file: bool,
    inputs_done: bool,
    regexes: BTreeMap<String, Rc<Regex>>,
    in_range: Vec<bool>,
    line: u32,
    exit_code: i32,
    seed: f64,
    rand_state: u64,
    steps: u32,
}

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

impl<'a> Interp<'a> {
    pub fn new(ctx: &'a Ctx, prog: Program, progname: String) -> Interp<'a> {
        let rules = prog.rules.len();
        Interp {
            ctx,
            prog: Rc::new(prog),
            progname,
            globals: BTreeMap::new(),
            frames: Vec::new(),
            record: String::new(),
            fields: Vec::new(),
            out: Out::stdout(ctx),
            files_out: BTreeMap::new(),
            files_in: BTreeMap::new(),
            operands: Vec::new(),
            next_operand: 0,
            input: None,
            read_any_file: false,
            inputs_done: false,
            regexes: BTreeMap::new(),
            in_range: vec![false; rules],
            line: 1,
            exit_code: 0,
            seed: 0.0,
            rand_state: 0x2545_f491_4f6c_dd1d,
            steps: 0,
        }
    }

    /// The special variables, `-F`, `-v` assignments, ARGV and ENVIRON.
    pub fn setup(&mut self, fs: Option<&str>, assigns: &[String], operands: &[String]) {
        let init: [(&str, Val); 12] = [
            ("CONVFMT", Val::Str("%.6g".into())),
            ("OFMT", Val::Str("%.6g".into())),
            ("FS", Val::Str(" ".into())),
            ("OFS", Val::Str(" ".into())),
            ("ORS", Val::Str("\n".into())),
            ("RS", Val::Str("\n".into())),
            ("SUBSEP", Val::Str("\x1c".into())),
            ("NR", Val::Num(0.0)),
            ("FNR", Val::Num(0.0)),
            ("FILENAME", Val::Uninit),
            ("RSTART", Val::Num(0.0)),
            ("RLENGTH", Val::Num(-1.0)),
        ];
        for (k, v) in init {
            self.globals.insert(k.into(), Var::scalar(v));
        }
        let mut env = Array::default();
        for (k, v) in self.ctx.env() {
            env.set(&k, Val::StrNum(v));
        }
        self.globals.insert("ENVIRON".into(), Var::array(env));
        let mut argv = Array::default();
        argv.set("0", Val::Str("awk".into()));
        for (i, a) in operands.iter().enumerate() {
            argv.set(&(i + 1).to_string(), Val::StrNum(a.clone()));
        }
        self.globals.insert("ARGV".into(), Var::array(argv));
        self.globals.insert(
            "ARGC".into(),
            Var::scalar(Val::Num((operands.len() + 1) as f64)),
        );
        if let Some(fs) = fs {
            self.globals
                .insert("FS".into(), Var::scalar(Val::Str(unescape(fs))));
        }
        for a in assigns {
            self.assign_operand(a);
        }
        self.operands = operands.to_vec();
    }

    /// `is_assignment`: `NAME=VALUE` sets NAME (escapes processed). False when not one.
    fn assign_operand(&mut self, a: &str) -> bool {
        let Some((name, value)) = a.split_once('=') else {
            return false;
        };
        if !is_name(name) {
            return false;
        }
        self.set_var(name, Val::StrNum(unescape(value)));
        true
    }

    fn get_str(&self, name: &str) -> String {
        self.globals
            .get(name)
            .filter(|v| v.arr.is_none())
            .map(|v| v.val.to_str("%.6g"))
            .unwrap_or_default()
    }

    fn convfmt(&self) -> String {
        self.get_str("CONVFMT")
    }

    fn to_s(&self, v: &Val) -> String {
        match v {
            Val::Num(n) => fmt_num(*n, &self.convfmt()),
            other => other.to_str("%.6g"),
        }
    }

    fn to_out(&self, v: &Val) -> String {
        match v {
            Val::Num(n) => fmt_num(*n, &self.get_str("OFMT")),
            other => other.to_str("%.6g"),
        }
    }

    fn global_name(&self, name: &str) -> Option<String> {
        match self.frames.last().and_then(|f| f.get(name)) {
            Some(Local::Ref(g)) => Some(g.clone()),
            Some(Local::Var(_)) => None,
            None => Some(name.to_string()),
        }
    }

    /// The variable `name` resolves to (a local, or a global), created as needed.
    fn var_mut(&mut self, name: &str) -> &mut Var {
        match self.global_name(name) {
            Some(g) => self.globals.entry(g).or_default(),
            None => {
                let frame = self.frames.last_mut();
                match frame.and_then(|f| f.get_mut(name)) {
                    Some(Local::Var(v)) => v,
                    _ => self.globals.entry(name.to_string()).or_default(),
                }
            }
        }
    }

    fn array_mut(&mut self, name: &str) -> &mut Array {
        self.var_mut(name).arr.get_or_insert_with(Array::default)
    }

    fn get_var(&mut self, name: &str) -> Val {
        if name == "NF" && self.global_name(name).as_deref() == Some("NF") {
            return Val::Num(self.fields.len() as f64);
        }
        let v = self.var_mut(name);
        if v.arr.is_some() {
            Val::Uninit
        } else {
            v.val.clone()
        }
    }

    fn set_var(&mut self, name: &str, v: Val) {
        if name == "NF" && self.global_name(name).as_deref() == Some("NF") {
            let n = v.num().clamp(0.0, 1e6) as usize;
            self.fields.resize(n, String::new());
            self.rebuild();
            return;
        }
        *self.var_mut(name) = Var::scalar(v);
    }

    fn num_var(&mut self, name: &str) -> f64 {
        self.get_var(name).num()
    }

    /// `split_f0` with the current FS.
    fn split_record(&mut self) {
        let fs = self.get_str("FS");
        let rec = self.record.clone();
        self.fields = self.split_with(&rec, &fs, None);
    }

    /// Splits as `mk_splitter`'s splitters do: `" "` on blank runs, one character literally,
    /// anything longer as an ERE.
    fn split_with(&mut self, s: &str, fs: &str, re: Option<Rc<Regex>>) -> Vec<String> {
        if re.is_none() && fs == " " {
            return s
                .split([' ', '\t', '\n'])
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect();
        }
        if s.is_empty() {
            return Vec::new();
        }
        if re.is_none() && fs.is_empty() {
            return s.chars().map(String::from).collect();
        }
        if re.is_none() && fs.chars().count() == 1 {
            return s.split(fs).map(String::from).collect();
        }
        let re = match re {
            Some(r) => r,
            None => match self.regex(fs) {
                Ok(r) => r,
                Err(_) => return vec![s.to_string()],
            },
        };
        let chars: Vec<char> = s.chars().collect();
        let mut out = Vec::new();
        let mut pos = 0;
        let mut from = 0;
        while from <= chars.len() {
            let Some((a, b)) = re.find_at(s, from) else {
                break;
            };
            if b == a {
                from = a + 1;
                continue;
            }
            out.push(chars[pos..a].iter().collect());
            pos = b;
            from = b;
        }
        out.push(chars[pos.min(chars.len())..].iter().collect());
        out
    }

    /// `handle_special` for a field: $0 from the fields joined by OFS.
    fn rebuild(&mut self) {
        let ofs = self.get_str("OFS");
        self.record = self.fields.join(&ofs);
    }

    fn set_record(&mut self, s: String) {
        self.record = s;
        self.split_record();
    }

    fn get_field(&self, n: usize) -> Val {
        if n == 0 {
            return Val::StrNum(self.record.clone());
        }
        match self.fields.get(n - 1) {
            Some(f) => Val::StrNum(f.clone()),
            None => Val::Uninit,
        }
    }

    fn set_field(&mut self, n: usize, s: String) {
        if n == 0 {
            self.set_record(s);
            return;
        }
        if self.fields.len() < n {
            self.fields.resize(n, String::new());
        }
        self.fields[n - 1] = s;
        self.rebuild();
    }

    fn field_index(&self, v: &Val) -> R<usize> {
        let n = v.num();
        if n < 0.0 {
            return Err(Ctl::Error("Access to negative field".into()));
        }
        if n > 1e6 {
            return Err(Ctl::Die("out of memory".into()));
        }
        Ok(n as usize)
    }

    fn regex(&mut self, text: &str) -> R<Rc<Regex>> {
        if let Some(r) = self.regexes.get(text) {
            return Ok(r.clone());
        }
        let re = Regex::new(text, true, false)
            .map_err(|e| Ctl::Die(format!("bad regex '{text}': {e}")))?;
        if self.regexes.len() >= REGEX_CACHE {
            self.regexes.clear();
        }
        let re = Rc::new(re);
        self.regexes.insert(text.to_string(), re.clone());
        Ok(re)
    }

    /// The regex an argument stands for: a `/re/` literal, or its value as a pattern.
    async fn regex_arg(&mut self, e: &Expr) -> R<Rc<Regex>> {
        if let Expr::Regex(r) = e {
            return self.regex(r);
        }
        let v = self.eval(e).await?;
        let s = self.to_s(&v);
        self.regex(&s)
    }

    async fn burn(&mut self) {
        self.steps += 1;
        if self.steps.is_multiple_of(32) {
            self.ctx.burn(1).await;
        }
    }

    // --- input -----------------------------------------------------------------------------

    /// The next record from the operands (files, `-`, assignments) or stdin.
    async fn next_record(&mut self) -> R<Option<String>> {
        loop {
            if self.input.is_none() {
                if self.inputs_done {
                    return Ok(None);
                }
                let argc = self.num_var("ARGC").max(0.0) as usize;
                let mut opened = false;
                while self.next_operand + 1 < argc.max(1) {
                    self.next_operand += 1;
                    let key = self.next_operand.to_string();
                    let arg = self
                        .globals
                        .get("ARGV")
                        .and_then(|v| v.arr.as_ref())
                        .and_then(|a| a.map.get(&key).cloned())
                        .unwrap_or_default();
                    let arg = self.to_s(&arg);
                    if arg.is_empty() || self.assign_operand(&arg) {
                        continue;
                    }
                    self.read_any_file = true;
                    match Input::open(self.ctx, &arg) {
                        Ok(i) => {
                            self.input = Some(i);
                            self.set_var("FILENAME", Val::Str(arg));
                            self.set_var("FNR", Val::Num(0.0));
                            opened = true;
                            break;
                        }
                        Err(e) => {
                            return Err(Ctl::Die(format!("{arg}: {}", e.message())));
                        }
                    }
                }
                if !opened {
                    if self.read_any_file {
                        self.inputs_done = true;
                        return Ok(None);
                    }
                    self.read_any_file = true;
                    self.input = Some(Input::fd(0));
                }
            }
            let Some(input) = self.input.as_mut() else {
                continue;
            };
            match input.line(self.ctx).await {
                Ok(Some(mut l)) => {
                    if l.last() == Some(&b'\n') {
                        l.pop();
                    }
                    let nr = self.num_var("NR") + 1.0;
                    self.set_var("NR", Val::Num(nr));
                    let fnr = self.num_var("FNR") + 1.0;
                    self.set_var("FNR", Val::Num(fnr));
                    return Ok(Some(String::from_utf8_lossy(&l).into_owned()));
                }
                Ok(None) | Err(_) => {
                    if let Some(i) = self.input.take() {
                        i.close(self.ctx);
                    }
                }
            }
        }
    }

    // --- output ----------------------------------------------------------------------------

    async fn emit(&mut self, text: String, redirect: &Option<Redirect>) -> R<()> {
        let Some(r) = redirect else {
            self.out.write_str(&text).await;
            return Ok(());
        };
        let (target, append) = match r {
            Redirect::Truncate(e) => (e, false),
            Redirect::Append(e) => (e, true),
            Redirect::Pipe(cmd) => {
                // Commands are not run: their output is dropped.
                self.eval(cmd).await?;
                return Ok(());
            }
        };
        let v = self.eval(target).await?;
        let name = self.to_s(&v);
        match name.as_str() {
            "/dev/stdout" | "-" => {
                self.out.write_str(&text).await;
                return Ok(());
            }
            "/dev/stderr" => {
                let _ = self.ctx.write(2, text.as_bytes()).await;
                return Ok(());
            }
            _ => {}
        }
        let fd = match self.files_out.get(&name) {
            Some(fd) => *fd,
            None => {
                let mode = if append {
                    OpenMode::Append
                } else {
                    OpenMode::Truncate
                };
                match self.ctx.open(&name, mode) {
                    Ok(fd) => {
                        self.files_out.insert(name.clone(), fd);
                        fd
                    }
                    Err(e) => {
                        return Err(Ctl::Die(format!("{name}: {}", e.message())));
                    }
                }
            }
        };
        let _ = self.ctx.write(fd, text.as_bytes()).await;
        Ok(())
    }

    // --- running ---------------------------------------------------------------------------

    /// Runs BEGIN, the rules over every record, and END; the exit status.
    pub async fn run(&mut self) -> i32 {
        let prog = self.prog.clone();
        let mut exiting = false;
        match self.block(&prog.begin).await {
            Ok(()) => {}
            Err(Ctl::Exit) => exiting = true,
            Err(c) => {
                if let Some(code) = self.fail(c).await {
                    return code;
                }
            }
        }
        if !exiting && (!prog.rules.is_empty() || !prog.end.is_empty()) {
            loop {
                let rec = match self.next_record().await {
                    Ok(Some(r)) => r,
                    Ok(None) => break,
                    Err(c) => {
                        if let Some(code) = self.fail(c).await {
                            return code;
                        }
                        break;
                    }
                };
                self.ctx.burn(1).await;
                self.set_record(rec);
                match self.rules(&prog).await {
                    Ok(()) | Err(Ctl::Next) => {}
                    Err(Ctl::NextFile) => {
                        if let Some(i) = self.input.take() {
                            i.close(self.ctx);
                        }
                    }
                    Err(Ctl::Exit) => break,
                    Err(c) => {
                        if let Some(code) = self.fail(c).await {
                            return code;
                        }
                    }
                }
            }
        }
        match self.block(&prog.end).await {
            Ok(()) | Err(Ctl::Exit) => {}
            Err(c) => {
                if let Some(code) = self.fail(c).await {
                    return code;
                }
            }
        }
        self.finish().await;
        self.exit_code
    }

    async fn finish(&mut self) {
        self.out.flush().await;
        for (_, fd) in std::mem::take(&mut self.files_out) {
            let _ = self.ctx.close(fd);
        }
        for (_, i) in std::mem::take(&mut self.files_in) {
            i.close(self.ctx);
        }
    }

    /// Reports an error and gives the exit status (None: not an error, carry on).
    async fn fail(&mut self, c: Ctl) -> Option<i32> {
        let msg = match c {
            Ctl::Error(m) => format!("{}:{}: {m}", self.progname, self.line),
            Ctl::Die(m) => m,
            _ => return None,
        };
        self.out.flush().await;
        error(self.ctx, "awk", &msg).await;
        self.finish().await;
        Some(1)
    }

    async fn rules(&mut self, prog: &Program) -> R<()> {
        for (i, rule) in prog.rules.iter().enumerate() {
            let hit = match &rule.pattern {
                Pattern::All => true,
                Pattern::Expr(e) => self.eval(e).await?.truthy(),
                Pattern::Range(a, b) => {
                    if self.in_range.get(i).copied().unwrap_or(false) {
                        if self.eval(b).await?.truthy() {
                            self.in_range[i] = false;
                        }
                        true
                    } else if self.eval(a).await?.truthy() {
                        if !self.eval(b).await?.truthy() {
                            if let Some(r) = self.in_range.get_mut(i) {
                                *r = true;
                            }
                        }
                        true
                    } else {
                        false
                    }
                }
            };
            if !hit {
                continue;
            }
            match &rule.action {
                Some(body) => self.block(body).await?,
                None => {
                    let text = format!("{}{}", self.record, self.get_str("ORS"));
                    self.out.write_str(&text).await;
                }
            }
        }
        Ok(())
    }

    fn block<'b>(&'b mut self, stmts: &'b [Stmt]) -> Fut<'b, ()> {
        Box::pin(async move {
            for s in stmts {
                self.stmt(s).await?;
            }
            Ok(())
        })
    }

    fn stmt<'b>(&'b mut self, s: &'b Stmt) -> Fut<'b, ()> {
        Box::pin(async move {
            self.burn().await;
            match s {
                Stmt::Expr(e, line) => {
                    self.line = *line;
                    self.eval(e).await?;
                }
                Stmt::Print(args, redirect, line) => {
                    self.line = *line;
                    let mut text = String::new();
                    if args.is_empty() {
                        text.push_str(&self.record);
                    } else {
                        let ofs = self.get_str("OFS");
                        for (i, a) in args.iter().enumerate() {
                            if i > 0 {
                                text.push_str(&ofs);
                            }
                            let v = self.eval(a).await?;
                            text.push_str(&self.to_out(&v));
                        }
                    }
                    text.push_str(&self.get_str("ORS"));
                    self.emit(text, redirect).await?;
                }
                Stmt::Printf(args, redirect, line) => {
                    self.line = *line;
                    let mut vals = Vec::new();
                    for a in args {
                        vals.push(self.eval(a).await?);
                    }
                    let fmt = vals.first().map(|v| self.to_s(v)).unwrap_or_default();
                    let text = sprintf(&fmt, vals.get(1..).unwrap_or(&[]), &self.convfmt())
                        .map_err(Ctl::Error)?;
                    self.emit(text, redirect).await?;
                }
                Stmt::If(c, then, other) => {
                    if self.eval(c).await?.truthy() {
                        self.stmt(then).await?;
                    } else if let Some(o) = other {
                        self.stmt(o).await?;
                    }
                }
                Stmt::While(c, body) => {
                    while self.eval(c).await?.truthy() {
                        self.burn().await;
                        match self.stmt(body).await {
                            Err(Ctl::Break) => break,
                            Err(Ctl::Continue) | Ok(()) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Stmt::Do(body, c) => loop {
                    self.burn().await;
                    match self.stmt(body).await {
                        Err(Ctl::Break) => break,
                        Err(Ctl::Continue) | Ok(()) => {}
                        Err(e) => return Err(e),
                    }
                    if !self.eval(c).await?.truthy() {
                        break;
                    }
                },
                Stmt::For(init, cond, step, body) => {
                    if let Some(i) = init {
                        self.eval(i).await?;
                    }
                    loop {
                        self.burn().await;
                        if let Some(c) = cond {
                            if !self.eval(c).await?.truthy() {
                                break;
                            }
                        }
                        match self.stmt(body).await {
                            Err(Ctl::Break) => break,
                            Err(Ctl::Continue) | Ok(()) => {}
                            Err(e) => return Err(e),
                        }
                        if let Some(s) = step {
                            self.eval(s).await?;
                        }
                    }
                }
                Stmt::ForIn(var, arr, body) => {
                    let keys = self.array_mut(arr).keys();
                    for k in keys {
                        self.set_var(var, Val::StrNum(k));
                        match self.stmt(body).await {
                            Err(Ctl::Break) => break,
                            Err(Ctl::Continue) | Ok(()) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                Stmt::Block(b) => self.block(b).await?,
                Stmt::Next => return Err(Ctl::Next),
                Stmt::NextFile => return Err(Ctl::NextFile),
                Stmt::Break => return Err(Ctl::Break),
                Stmt::Continue => return Err(Ctl::Continue),
                Stmt::Exit(e) => {
                    if let Some(e) = e {
                        let v = self.eval(e).await?;
                        self.exit_code = v.num() as i64 as i32;
                    }
                    return Err(Ctl::Exit);
                }
                Stmt::Return(e) => {
                    let v = match e {
                        Some(e) => self.eval(e).await?,
                        None => Val::Uninit,
                    };
                    return Err(Ctl::Return(v));
                }
                Stmt::Delete(name, subs) => match subs {
                    None => self.array_mut(name).clear(),
                    Some(subs) => {
                        let key = self.subscript(subs).await?;
                        self.array_mut(name).remove(&key);
                    }
                },
            }
            Ok(())
        })
    }

    async fn subscript(&mut self, subs: &[Expr]) -> R<String> {
        let mut parts = Vec::new();
        for s in subs {
            let v = self.eval(s).await?;
            parts.push(self.to_s(&v));
        }
        Ok(parts.join(&self.get_str("SUBSEP")))
    }

    async fn assign(&mut self, target: &Expr, v: Val) -> R<Val> {
        if let Val::Str(s) | Val::StrNum(s) = &v {
            if s.len() > MAX_STRING {
                return Err(Ctl::Die("out of memory".into()));
            }
        }
        match target {
            Expr::Var(name) => self.set_var(name, v.clone()),
            Expr::Index(name, subs) => {
                let key = self.subscript(subs).await?;
                self.array_mut(name).set(&key, v.clone());
            }
            Expr::Field(e) => {
                let iv = self.eval(e).await?;
                let n = self.field_index(&iv)?;
                let s = self.to_s(&v);
                self.set_field(n, s);
            }
            _ => return Err(Ctl::Error("Unexpected token".into())),
        }
        Ok(v)
    }

    fn arith(&self, op: char, a: f64, b: f64) -> R<f64> {
        Ok(match op {
            '+' => a + b,
            '-' => a - b,
            '*' => a * b,
            '/' => {
                if b == 0.0 {
                    return Err(Ctl::Error("Division by zero".into()));
                }
                a / b
            }
            '%' => {
                if b == 0.0 {
                    return Err(Ctl::Error("Division by zero".into()));
                }
                a % b
            }
            _ => a.powf(b),
        })
    }

    fn eval<'b>(&'b mut self, e: &'b Expr) -> Fut<'b, Val> {
        Box::pin(async move {
            Ok(match e {
                Expr::Num(n) => Val::Num(*n),
                Expr::Str(s) => Val::Str(s.clone()),
                Expr::Regex(r) => {
                    let re = self.regex(r)?;
                    Val::Num(re.is_match(&self.record) as u8 as f64)
                }
                Expr::Group(list) => {
                    // `(a, b)` outside print or `in`: the values concatenated by SUBSEP.
                    let key = self.subscript(list).await?;
                    Val::Str(key)
                }
                Expr::Field(i) => {
                    let v = self.eval(i).await?;
                    let n = self.field_index(&v)?;
                    self.get_field(n)
                }
                Expr::Var(name) => self.get_var(name),
                Expr::Index(name, subs) => {
                    let key = self.subscript(subs).await?;
                    self.array_mut(name).get(&key)
                }
                Expr::Assign(op, target, value) => {
                    let v = self.eval(value).await?;
                    let v = match op {
                        None => v,
                        Some(op) => {
                            let cur = self.eval(target).await?;
                            Val::Num(self.arith(*op, cur.num(), v.num())?)
                        }
                    };
                    self.assign(target, v).await?
                }
                Expr::Cond(c, a, b) => {
                    if self.eval(c).await?.truthy() {
                        self.eval(a).await?
                    } else {
                        self.eval(b).await?
                    }
                }
                Expr::And(a, b) => {
                    let r = self.eval(a).await?.truthy() && self.eval(b).await?.truthy();
                    Val::Num(r as u8 as f64)
                }
                Expr::Or(a, b) => {
                    let r = self.eval(a).await?.truthy() || self.eval(b).await?.truthy();
                    Val::Num(r as u8 as f64)
                }
                Expr::Not(a) => Val::Num(!self.eval(a).await?.truthy() as u8 as f64),
                Expr::Neg(a) => Val::Num(-self.eval(a).await?.num()),
                Expr::Plus(a) => Val::Num(self.eval(a).await?.num()),
                Expr::Arith(op, a, b) => {
                    let x = self.eval(a).await?.num();
                    let y = self.eval(b).await?.num();
                    Val::Num(self.arith(*op, x, y)?)
                }
                Expr::Cmp(op, a, b) => {
                    let x = self.eval(a).await?;
                    let y = self.eval(b).await?;
                    let ord = if x.is_numeric() && y.is_numeric() {
                        x.num().partial_cmp(&y.num())
                    } else {
                        Some(self.to_s(&x).cmp(&self.to_s(&y)))
                    };
                    use std::cmp::Ordering::*;
                    let r = matches!(
                        (*op, ord),
                        ("<", Some(Less))
                            | ("<=", Some(Less | Equal))
                            | ("==", Some(Equal))
                            | ("!=", Some(Less | Greater) | None)
                            | (">=", Some(Greater | Equal))
                            | (">", Some(Greater))
                    );
                    Val::Num(r as u8 as f64)
                }
                Expr::Match(neg, a, b) => {
                    let v = self.eval(a).await?;
                    let s = self.to_s(&v);
                    let re = self.regex_arg(b).await?;
                    Val::Num((re.is_match(&s) != *neg) as u8 as f64)
                }
                Expr::Concat(a, b) => {
                    let x = self.eval(a).await?;
                    let y = self.eval(b).await?;
                    let mut s = self.to_s(&x);
                    s.push_str(&self.to_s(&y));
                    if s.len() > MAX_STRING {
                        return Err(Ctl::Die("out of memory".into()));
                    }
                    Val::Str(s)
                }
                Expr::In(subs, arr) => {
                    let key = self.subscript(subs).await?;
                    let has = self.array_mut(arr).map.contains_key(&key);
                    Val::Num(has as u8 as f64)
                }
                Expr::PreIncr(inc, target) => {
                    let cur = self.eval(target).await?.num();
                    let v = Val::Num(if *inc { cur + 1.0 } else { cur - 1.0 });
                    self.assign(target, v).await?
                }
                Expr::PostIncr(inc, target) => {
                    let cur = self.eval(target).await?.num();
                    let v = Val::Num(if *inc { cur + 1.0 } else { cur - 1.0 });
                    self.assign(target, v).await?;
                    Val::Num(cur)
                }
                Expr::Call(name, args) => self.call(name, args).await?,
                Expr::Builtin(name, args) => self.builtin(name, args).await?,
                Expr::Getline { var, file, cmd } => {
                    self.getline(var.as_deref(), file.as_deref(), cmd.as_deref())
                        .await?
                }
            })
        })
    }

    async fn getline(
        &mut self,
        var: Option<&Expr>,
        file: Option<&Expr>,
        cmd: Option<&Expr>,
    ) -> R<Val> {
        if let Some(c) = cmd {
            // Commands are not run: as if the command could not be started.
            self.eval(c).await?;
            return Ok(Val::Num(-1.0));
        }
        let line = match file {
            None => match self.next_record().await? {
                Some(l) => l,
                None => return Ok(Val::Num(0.0)),
            },
            Some(f) => {
                let v = self.eval(f).await?;
                let name = self.to_s(&v);
                if !self.files_in.contains_key(&name) {
                    match Input::open(self.ctx, &name) {
                        Ok(i) => {
                            self.files_in.insert(name.clone(), i);
                        }
                        Err(_) => return Ok(Val::Num(-1.0)),
                    }
                }
                let Some(input) = self.files_in.get_mut(&name) else {
                    return Ok(Val::Num(-1.0));
                };
                match input.line(self.ctx).await {
                    Ok(Some(mut l)) => {
                        if l.last() == Some(&b'\n') {
                            l.pop();
                        }
                        String::from_utf8_lossy(&l).into_owned()
                    }
                    Ok(None) => return Ok(Val::Num(0.0)),
                    Err(_) => return Ok(Val::Num(-1.0)),
                }
            }
        };
        match var {
            Some(v) => {
                self.assign(v, Val::StrNum(line)).await?;
            }
            None => self.set_record(line),
        }
        Ok(Val::Num(1.0))
    }

    async fn call(&mut self, name: &str, args: &[Expr]) -> R<Val> {
        let prog = self.prog.clone();
        let Some(func): Option<&Func> = prog.funcs.get(name) else {
            return Err(Ctl::Error("Call to undefined function".into()));
        };
        if self.frames.len() >= MAX_CALL_DEPTH {
            return Err(Ctl::Die("out of memory".into()));
        }
        let mut frame = BTreeMap::new();
        for (i, p) in func.params.iter().enumerate() {
            let local = match args.get(i) {
                Some(Expr::Var(n)) => {
                    let g = self.global_name(n);
                    let is_arr = match &g {
                        Some(g) => self.globals.get(g).is_some_and(|v| v.arr.is_some()),
                        None => false,
                    };
                    match (is_arr, g) {
                        (true, Some(g)) => Local::Ref(g),
                        _ => Local::Var(self.var_mut(n).clone()),
                    }
                }
                Some(e) => Local::Var(Var::scalar(self.eval(e).await?)),
                None => Local::Var(Var::default()),
            };
            frame.insert(p.clone(), local);
        }
        for extra in args.iter().skip(func.params.len()) {
            self.eval(extra).await?;
        }
        self.frames.push(frame);
        let r = self.block(&func.body).await;
        self.frames.pop();
        match r {
            Ok(()) => Ok(Val::Uninit),
            Err(Ctl::Return(v)) => Ok(v),
            Err(e) => Err(e),
        }
    }

    async fn arg_str(&mut self, args: &[Expr], i: usize) -> R<String> {
        match args.get(i) {
            Some(e) => {
                let v = self.eval(e).await?;
                Ok(self.to_s(&v))
            }
            None => Ok(String::new()),
        }
    }

    async fn arg_num(&mut self, args: &[Expr], i: usize) -> R<f64> {
        match args.get(i) {
            Some(e) => Ok(self.eval(e).await?.num()),
            None => Ok(0.0),
        }
    }

    fn too_few(args: &[Expr], n: usize) -> R<()> {
        if args.len() < n {
            return Err(Ctl::Error("Too few arguments".into()));
        }
        Ok(())
    }

    async fn builtin(&mut self, name: &str, args: &[Expr]) -> R<Val> {
        Ok(match name {
            "length" => {
                if let Some(Expr::Var(n)) = args.first() {
                    if let Some(a) = &self.var_mut(n).arr {
                        return Ok(Val::Num(a.map.len() as f64));
                    }
                }
                let s = if args.is_empty() {
                    self.record.clone()
                } else {
                    self.arg_str(args, 0).await?
                };
                Val::Num(s.chars().count() as f64)
            }
            "substr" => {
                Self::too_few(args, 2)?;
                let s: Vec<char> = self.arg_str(args, 0).await?.chars().collect();
                let l = s.len() as i64;
                let m = self.arg_num(args, 1).await?;
                let mut i = (m - 1.0).clamp(-1e15, 1e15) as i64;
                if i > l {
                    i = l;
                }
                if i < 0 {
                    i = 0;
                }
                let n = if args.len() > 2 {
                    (self.arg_num(args, 2).await?).clamp(-1e15, 1e15) as i64
                } else {
                    l - i
                };
                let n = n.max(0);
                let end = (i + n).min(l);
                Val::Str(s[i as usize..end.max(i) as usize].iter().collect())
            }
            "index" => {
                Self::too_few(args, 2)?;
                let s = self.arg_str(args, 0).await?;
                let t = self.arg_str(args, 1).await?;
                match s.find(&t) {
                    Some(b) => Val::Num((s[..b].chars().count() + 1) as f64),
                    None => Val::Num(0.0),
                }
            }
            "split" => {
                Self::too_few(args, 2)?;
                let s = self.arg_str(args, 0).await?;
                let Some(Expr::Var(arr)) = args.get(1) else {
                    return Err(Ctl::Error("Not an array".into()));
                };
                let parts = match args.get(2) {
                    Some(Expr::Regex(r)) => {
                        let re = self.regex(r)?;
                        self.split_with(&s, "", Some(re))
                    }
                    Some(e) => {
                        let v = self.eval(e).await?;
                        let fs = self.to_s(&v);
                        self.split_with(&s, &fs, None)
                    }
                    None => {
                        let fs = self.get_str("FS");
                        self.split_with(&s, &fs, None)
                    }
                };
                let a = self.array_mut(arr);
                a.clear();
                for (i, p) in parts.iter().enumerate() {
                    a.set(&(i + 1).to_string(), Val::StrNum(p.clone()));
                }
                Val::Num(parts.len() as f64)
            }
            "sub" | "gsub" => {
                Self::too_few(args, 2)?;
                let re = self.regex_arg(&args[0]).await?;
                let repl = self.arg_str(args, 1).await?;
                let target = args
                    .get(2)
                    .cloned()
                    .unwrap_or(Expr::Field(Box::new(Expr::Num(0.0))));
                let cur = self.eval(&target).await?;
                let text = self.to_s(&cur);
                let (out, n) = awk_sub(&re, &repl, &text, name == "gsub");
                if n > 0 {
                    if !matches!(target, Expr::Var(_) | Expr::Index(..) | Expr::Field(_)) {
                        return Ok(Val::Num(n as f64));
                    }
                    self.assign(&target, Val::Str(out)).await?;
                }
                Val::Num(n as f64)
            }
            "match" => {
                Self::too_few(args, 2)?;
                let s = self.arg_str(args, 0).await?;
                let re = self.regex_arg(&args[1]).await?;
                let (start, len) = match re.find(&s) {
                    Some((a, b)) => ((a + 1) as f64, (b - a) as f64),
                    None => (0.0, -1.0),
                };
                self.set_var("RSTART", Val::Num(start));
                self.set_var("RLENGTH", Val::Num(len));
                Val::Num(start)
            }
            "sprintf" => {
                if args.is_empty() {
                    return Err(Ctl::Error("Too few arguments".into()));
                }
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a).await?);
                }
                let fmt = self.to_s(&vals[0]);
                Val::Str(sprintf(&fmt, &vals[1..], &self.convfmt()).map_err(Ctl::Error)?)
            }
            "tolower" => Val::Str(self.arg_str(args, 0).await?.to_ascii_lowercase()),
            "toupper" => Val::Str(self.arg_str(args, 0).await?.to_ascii_uppercase()),
            "int" => Val::Num(self.arg_num(args, 0).await?.trunc()),
            "sqrt" => Val::Num(self.arg_num(args, 0).await?.sqrt()),
            "exp" => Val::Num(self.arg_num(args, 0).await?.exp()),
            "log" => Val::Num(self.arg_num(args, 0).await?.ln()),
            "sin" => Val::Num(self.arg_num(args, 0).await?.sin()),
            "cos" => Val::Num(self.arg_num(args, 0).await?.cos()),
            "atan2" => {
                Self::too_few(args, 2)?;
                let y = self.arg_num(args, 0).await?;
                let x = self.arg_num(args, 1).await?;
                Val::Num(y.atan2(x))
            }
            "rand" => {
                // xorshift: deterministic, in [0, 1).
                let mut x = self.rand_state;
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                self.rand_state = x;
                Val::Num((x >> 11) as f64 / (1u64 << 53) as f64)
            }
            "srand" => {
                let prev = self.seed;
                let seed = if args.is_empty() {
                    0.0
                } else {
                    self.arg_num(args, 0).await?
                };
                self.seed = seed;
                self.rand_state = (seed.to_bits() | 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                Val::Num(prev)
            }
            "close" => {
                let n = self.arg_str(args, 0).await?;
                if let Some(fd) = self.files_out.remove(&n) {
                    let _ = self.ctx.close(fd);
                    Val::Num(0.0)
                } else if let Some(i) = self.files_in.remove(&n) {
                    i.close(self.ctx);
                    Val::Num(0.0)
                } else {
                    Val::Num(-1.0)
                }
            }
            "fflush" => {
                self.out.flush().await;
                Val::Num(0.0)
            }
            _ => {
                // `system`: commands are not run.
                for a in args {
                    self.eval(a).await?;
                }
                self.out.flush().await;
                Val::Num(-1.0)
            }
        })
    }
}

/// `awk_sub`: replaces the first (or, for gsub, every) match of `re` in `text`. In `repl`,
/// `&` is the match and `\&` a literal `&`; `\N` is group N (busybox's GNU extension).
/// Returns the text and the number of replacements.
pub fn awk_sub(re: &Regex, repl: &str, text: &str, global: bool) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let rep: Vec<char> = repl.chars().collect();
    let mut out = String::new();
    let mut pos = 0usize;
    let mut count = 0usize;
    let mut last_end: Option<usize> = None;
    while pos <= chars.len() {
        let Some(caps) = re.captures_at(text, pos) else {
            break;
        };
        let Some((s, e)) = caps.first().copied().flatten() else {
            break;
        };
        out.extend(&chars[pos..s]);
        if s == e && last_end == Some(s) {
            if let Some(c) = chars.get(s) {
                out.push(*c);
            }
            pos = s + 1;
            last_end = None;
            continue;
        }
        count += 1;
        // The replacement, with busybox's backslash counting.
        let mut res: Vec<char> = Vec::new();
        let mut nbs = 0usize;
        for &c in &rep {
            res.push(c);
            if c == '\\' {
                nbs += 1;
                continue;
            }
            if c == '&' || c.is_ascii_digit() {
                let drop = (nbs + 3) >> 1;
                res.truncate(res.len().saturating_sub(drop));
                let mut j = 0usize;
                if c != '&' {
                    j = c.to_digit(10).unwrap_or(0) as usize;
                    nbs += 1;
                }
                if nbs % 2 == 1 {
                    res.push(c);
                } else if let Some(Some((a, b))) = caps.get(j) {
                    res.extend(&chars[*a..*b]);
                }
            }
            nbs = 0;
        }
        out.extend(res);
        if !global {
            pos = e;
            break;
        }
        if s == e {
            if let Some(c) = chars.get(s) {
                out.push(*c);
            }
            pos = s + 1;
        } else {
            pos = e;
        }
        last_end = Some(e);
    }
    if pos < chars.len() {
        out.extend(&chars[pos..]);
    }
    (out, count)
}
