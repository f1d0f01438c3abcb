//! Word expansion (ash's `expandarg`, `argstr`, `varvalue`, `subevalvar`, `ifsbreakup`,
//! `expandmeta`): tilde, parameters, command substitution and arithmetic, then field splitting
//! on `$IFS` and pathname expansion for the unquoted parts.
//!
//! An [`Acc`] collects the result in one of three modes: fields for a command's arguments,
//! one plain string (assignments, redirection targets, the `case` word, here-documents), or a
//! glob pattern in which quoted characters are escaped (`case` patterns, `${x#pattern}`).

use std::rc::Rc;

use crate::busybox::util::{fnmatch, Input};
use crate::fs::{Errno, Kind};
use crate::shell::arith::{self, ArithEnv, ArithExpr};

use super::*;

/// The most bytes a command substitution keeps; the rest is read and dropped (ash would grow
/// until the OOM killer came; the browser's memory is the limit here).
const SUBST_MAX_BYTES: usize = 16 << 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Fields,
    Plain,
    Pattern,
}

#[derive(Default)]
struct Field {
    text: String,
    /// The same text as a glob pattern: quoted characters escaped.
    pat: String,
    /// An unquoted `*`, `?` or `[` is in it.
    glob: bool,
    /// A quoted part (possibly empty) made this a field of its own.
    started: bool,
}

impl Field {
    fn has_content(&self) -> bool {
        !self.text.is_empty() || self.started
    }
}

struct Acc {
    mode: Mode,
    fields: Vec<Field>,
    cur: Field,
    /// The last unquoted expansion ended a field on IFS white space.
    after_ws: bool,
}

fn is_magic(c: char) -> bool {
    matches!(c, '*' | '?' | '[')
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Whether a pattern has an unescaped `*`, `?` or `[`.
fn pattern_has_magic(p: &str) -> bool {
    let mut escaped = false;
    let mut open_bracket = false;
    for c in p.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '*' || c == '?' {
            return true;
        } else if c == '[' {
            open_bracket = true;
        } else if c == ']' && open_bracket {
            // A bracket expression needs its `]` (ash's `expmeta` checks the same).
            return true;
        }
    }
    false
}

/// Removes the escapes of a pattern (its literal text).
fn unescape(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut escaped = false;
    for c in p.chars() {
        if !escaped && c == '\\' {
            escaped = true;
            continue;
        }
        escaped = false;
        out.push(c);
    }
    out
}

impl Acc {
    fn new(mode: Mode) -> Acc {
        Acc {
            mode,
            fields: Vec::new(),
            cur: Field::default(),
            after_ws: false,
        }
    }

    /// Unquoted characters from the script itself.
    fn lit(&mut self, s: &str) {
        self.cur.text.push_str(s);
        if self.mode != Mode::Plain {
            self.cur.pat.push_str(s);
            if self.mode == Mode::Fields && s.chars().any(is_magic) {
                self.cur.glob = true;
            }
        }
        self.after_ws = false;
    }

    /// Quoted characters; `start` makes the word a field even when they are empty.
    fn quoted(&mut self, s: &str, start: bool) {
        self.cur.text.push_str(s);
        if self.mode != Mode::Plain {
            escape_into(&mut self.cur.pat, s);
        }
        if start {
            self.cur.started = true;
        }
        self.after_ws = false;
    }

    /// The result of an expansion: quoted, or split on `ifs` (and globbed) when unquoted.
    fn value(&mut self, s: &str, quoted: bool, ifs: &str) {
        if quoted {
            self.quoted(s, false);
            return;
        }
        match self.mode {
            Mode::Plain => self.cur.text.push_str(s),
            Mode::Pattern => {
                self.cur.text.push_str(s);
                self.cur.pat.push_str(s);
            }
            Mode::Fields => self.split(s, ifs),
        }
    }

    /// ash's `ifsbreakup` over one expansion's text.
    fn split(&mut self, s: &str, ifs: &str) {
        if ifs.is_empty() {
            for c in s.chars() {
                self.push_raw(c);
            }
            return;
        }
        for c in s.chars() {
            if !ifs.contains(c) {
                self.push_raw(c);
                continue;
            }
            if matches!(c, ' ' | '\t' | '\n') {
                if self.cur.has_content() {
                    self.emit();
                    self.after_ws = true;
                }
            } else {
                if self.cur.has_content() || !self.after_ws {
                    self.emit();
                }
                self.after_ws = false;
            }
        }
    }

    fn push_raw(&mut self, c: char) {
        self.cur.text.push(c);
        self.cur.pat.push(c);
        if is_magic(c) {
            self.cur.glob = true;
        }
        self.after_ws = false;
    }

    fn emit(&mut self) {
        let f = std::mem::take(&mut self.cur);
        self.fields.push(f);
    }

    /// Between the members of `"$@"`: the field ends even when empty.
    fn force_break(&mut self) {
        self.cur.started = true;
        self.emit();
    }

    /// Between the members of an unquoted `$@`: like IFS white space.
    fn ws_break(&mut self) {
        if self.cur.has_content() {
            self.emit();
        }
    }

    fn finish(mut self) -> Vec<Field> {
        if self.cur.has_content() {
            self.emit();
        }
        self.fields
    }

    fn into_string(self) -> String {
        let mut out = String::new();
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&f.text);
        }
        if !self.fields.is_empty() && (!self.cur.text.is_empty() || self.cur.started) {
            out.push(' ');
        }
        out.push_str(&self.cur.text);
        out
    }

    fn into_pattern(self) -> String {
        let mut out = String::new();
        for (i, f) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(&f.pat);
        }
        if !self.fields.is_empty() {
            out.push(' ');
        }
        out.push_str(&self.cur.pat);
        out
    }
}

fn is_at(p: &WordPart) -> bool {
    matches!(p, WordPart::Param(pe) if pe.op == ParamOp::Value && pe.param == Param::Special(SpecialParam::At))
}

/// The shell's variables as arithmetic sees them.
struct ArithVars<'a> {
    sh: &'a mut Shell,
    error: Option<String>,
}

impl ArithEnv for ArithVars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.sh.get(name)
    }

    fn set(&mut self, name: &str, value: i64) {
        if let Err(m) = self.sh.set_var(name, &value.to_string()) {
            self.error.get_or_insert(m);
        }
    }
}

impl Shell {
    fn ifs(&self) -> &str {
        self.get_ref("IFS").unwrap_or(" \t\n")
    }

    /// A command's words as arguments: expanded, split, globbed.
    pub(crate) fn expand_argv<'a>(
        &'a mut self,
        words: &'a [Word],
    ) -> Fut<'a, Result<Vec<String>, Jump>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(words.len());
            for w in words {
                match w.parts.as_slice() {
                    [WordPart::Literal(t)] if self.opt.noglob || !pattern_has_magic(t) => {
                        out.push(t.clone());
                        continue;
                    }
                    [WordPart::Quoted(t)] => {
                        out.push(t.clone());
                        continue;
                    }
                    // `$name` whose value needs no splitting or globbing: the common case.
                    [WordPart::Param(pe)] if pe.op == ParamOp::Value => {
                        if let Param::Named(name) = &pe.param {
                            if let Some(v) =
                                self.vars.get(name.as_str()).filter(|_| name != "RANDOM")
                            {
                                let ifs = self.ifs();
                                if !v.value.is_empty()
                                    && !v.value.chars().any(|c| ifs.contains(c) || is_magic(c))
                                {
                                    out.push(v.value.clone());
                                    continue;
                                }
                            }
                        }
                    }
                    _ => {}
                }
                let mut acc = Acc::new(Mode::Fields);
                self.expand_parts(&w.parts, false, &mut acc).await?;
                for f in acc.finish() {
                    if f.glob && !self.opt.noglob && pattern_has_magic(&f.pat) {
                        let matches = self.glob(&f.pat);
                        if matches.is_empty() {
                            out.push(f.text);
                        } else {
                            out.extend(matches);
                        }
                    } else {
                        out.push(f.text);
                    }
                }
            }
            Ok(out)
        })
    }

    /// One word as one string: no splitting, no globbing (assignments, redirections, `case`).
    pub(crate) fn expand_string<'a>(&'a mut self, word: &'a Word) -> Fut<'a, Result<String, Jump>> {
        Box::pin(async move {
            match word.parts.as_slice() {
                [] => return Ok(String::new()),
                [WordPart::Literal(t)] | [WordPart::Quoted(t)] => return Ok(t.clone()),
                [WordPart::Param(pe)] if pe.op == ParamOp::Value => {
                    if let Param::Named(name) = &pe.param {
                        if let Some(v) = self.vars.get(name.as_str()) {
                            return Ok(v.value.clone());
                        }
                    }
                }
                [WordPart::Arith(a)] if a.expr.is_some() => {
                    return self.arith(a).await.map(|n| n.to_string());
                }
                _ => {}
            }
            let mut acc = Acc::new(Mode::Plain);
            self.expand_parts(&word.parts, false, &mut acc).await?;
            Ok(acc.into_string())
        })
    }

    /// A here-document's body: expanded like a double-quoted string.
    pub(crate) async fn expand_heredoc(&mut self, body: &Word) -> Result<String, Jump> {
        let mut acc = Acc::new(Mode::Plain);
        self.expand_parts(&body.parts, true, &mut acc).await?;
        Ok(acc.into_string())
    }

    /// A word as a glob pattern: its quoted characters match literally.
    pub(crate) async fn expand_pattern(&mut self, word: &Word) -> Result<String, Jump> {
        if let [WordPart::Literal(t)] = word.parts.as_slice() {
            return Ok(t.clone());
        }
        let mut acc = Acc::new(Mode::Pattern);
        self.expand_parts(&word.parts, false, &mut acc).await?;
        Ok(acc.into_pattern())
    }

    fn expand_parts<'a>(
        &'a mut self,
        parts: &'a [WordPart],
        quoted: bool,
        acc: &'a mut Acc,
    ) -> Fut<'a, Result<(), Jump>> {
        Box::pin(async move {
            for part in parts {
                match part {
                    WordPart::Literal(t) => {
                        if quoted {
                            acc.quoted(t, false);
                        } else {
                            acc.lit(t);
                        }
                    }
                    WordPart::Quoted(t) => acc.quoted(t, true),
                    WordPart::DoubleQuoted(inner) => {
                        let only_at = !inner.is_empty() && inner.iter().all(is_at);
                        if !only_at {
                            acc.cur.started = true;
                        }
                        self.expand_parts(inner, true, acc).await?;
                    }
                    WordPart::Tilde(user) => {
                        let t = self.tilde(user);
                        acc.quoted(&t, false);
                    }
                    WordPart::Param(pe) => self.expand_param(pe, quoted, acc).await?,
                    WordPart::CommandSubst(list) => {
                        let out = self.command_subst(list).await?;
                        let ifs = self.ifs().to_string();
                        acc.value(&out, quoted, &ifs);
                    }
                    WordPart::Arith(a) => {
                        let n = self.arith(a).await?;
                        acc.value(&n.to_string(), quoted, " \t\n");
                    }
                }
            }
            Ok(())
        })
    }

    /// `~` is `$HOME`; `~user` the user's home from `/etc/passwd`; otherwise as written.
    fn tilde(&self, user: &str) -> String {
        if user.is_empty() {
            return self.get("HOME").unwrap_or_else(|| "~".into());
        }
        if let Ok(data) = self.ctx.read_file("/etc/passwd") {
            for line in String::from_utf8_lossy(&data).lines() {
                let f: Vec<&str> = line.split(':').collect();
                if f.first() == Some(&user) {
                    if let Some(home) = f.get(5) {
                        return home.to_string();
                    }
                }
            }
        }
        format!("~{user}")
    }

    /// `$(...)`: the list runs in a forked copy of the shell with stdout on a pipe; trailing
    /// newlines are dropped; its status is kept as ash's `back_exitstatus` (`$?` is the
    /// previous command's until the command ends).
    pub(crate) fn command_subst<'a>(
        &'a mut self,
        list: &'a Rc<List>,
    ) -> Fut<'a, Result<String, Jump>> {
        Box::pin(async move {
            let (r, w) = self.ctx.pipe();
            let mut copy = self.clone();
            let list = list.clone();
            let pid = self.ctx.fork(move |child| {
                Box::pin(async move {
                    let _ = child.dup2(w, 1);
                    let _ = child.close(w);
                    let _ = child.close(r);
                    copy.become_subshell(child);
                    let _ = copy.run_list(&list, true).await;
                    copy.exit_shell().await
                })
            });
            let _ = self.ctx.close(w);
            let mut data: Vec<u8> = Vec::new();
            loop {
                match self.ctx.read(r, 64 * 1024).await {
                    Ok(chunk) if chunk.is_empty() => break,
                    Ok(chunk) => {
                        if data.len() < SUBST_MAX_BYTES {
                            let room = SUBST_MAX_BYTES - data.len();
                            data.extend_from_slice(&chunk[..chunk.len().min(room)]);
                        }
                    }
                    Err(Errno::EINTR) => {
                        // A trapped signal: noted for its handler; the read goes on.
                        self.take_interrupt();
                    }
                    Err(_) => break,
                }
            }
            let _ = self.ctx.close(r);
            self.back_status = match self.ctx.wait(pid, false).await {
                Ok(w) => status_of(w),
                Err(_) => 1,
            };
            while data.last() == Some(&b'\n') {
                data.pop();
            }
            Ok(String::from_utf8_lossy(&data).into_owned())
        })
    }

    /// `$((...))`: the parsed expression, or the text expanded and parsed now.
    pub(crate) async fn arith(&mut self, a: &Arithmetic) -> Result<i64, Jump> {
        let parsed;
        let expr: &ArithExpr = match &a.expr {
            Some(e) => e,
            None => {
                let mut acc = Acc::new(Mode::Plain);
                self.expand_parts(&a.text.parts, true, &mut acc).await?;
                let text = acc.into_string();
                parsed = match arith::parse(&text) {
                    Ok(e) => e,
                    Err(e) => return Err(self.raise(&e.to_string()).await),
                };
                &parsed
            }
        };
        self.eval_arith(expr).await
    }

    pub(crate) async fn eval_arith(&mut self, expr: &ArithExpr) -> Result<i64, Jump> {
        let mut env = ArithVars {
            sh: self,
            error: None,
        };
        let r = expr.eval(&mut env);
        let err = env.error.take();
        if let Some(m) = err {
            return Err(self.raise(&m).await);
        }
        match r {
            Ok(v) => Ok(v),
            Err(e) => Err(self.raise(&e.to_string()).await),
        }
    }

    /// Evaluates arithmetic text (for `let` and `${x:off:len}`).
    pub(crate) async fn arith_text(&mut self, text: &str) -> Result<i64, Jump> {
        match arith::parse(text) {
            Ok(e) => self.eval_arith(&e).await,
            Err(e) => Err(self.raise(&e.to_string()).await),
        }
    }

    /// A parameter's value; None when unset.
    fn param_value(&mut self, p: &Param) -> Option<String> {
        match p {
            Param::Named(name) => {
                if name == "RANDOM" && !self.vars.get("RANDOM").is_some_and(|v| v.readonly) {
                    return Some(self.next_random().to_string());
                }
                self.get(name)
            }
            Param::Positional(0) => Some(self.arg0.clone()),
            Param::Positional(n) => self.positional.get(*n as usize - 1).cloned(),
            Param::Special(s) => Some(match s {
                SpecialParam::Question => self.status.to_string(),
                SpecialParam::Dollar => self.root_pid().to_string(),
                SpecialParam::Bang => return self.last_bg().map(|p| p.to_string()),
                SpecialParam::Hash => self.positional.len().to_string(),
                SpecialParam::Dash => self.option_letters(),
                SpecialParam::At => self.positional.join(" "),
                SpecialParam::Star => {
                    let sep = self
                        .ifs()
                        .chars()
                        .next()
                        .map(String::from)
                        .unwrap_or_default();
                    self.positional.join(&sep)
                }
            }),
        }
    }

    fn param_name(p: &Param) -> String {
        match p {
            Param::Named(n) => n.clone(),
            Param::Positional(n) => n.to_string(),
            Param::Special(s) => match s {
                SpecialParam::Question => "?",
                SpecialParam::Dollar => "$",
                SpecialParam::Bang => "!",
                SpecialParam::Hash => "#",
                SpecialParam::At => "@",
                SpecialParam::Star => "*",
                SpecialParam::Dash => "-",
            }
            .to_string(),
        }
    }

    /// The value, with `set -u` making an unset one an error.
    async fn param_checked(&mut self, p: &Param) -> Result<Option<String>, Jump> {
        let v = self.param_value(p);
        if v.is_none() && self.opt.nounset && !matches!(p, Param::Special(_)) {
            let name = Self::param_name(p);
            return Err(self.raise(&format!("{name}: parameter not set")).await);
        }
        Ok(v)
    }

    async fn expand_param(
        &mut self,
        pe: &ParamExpansion,
        quoted: bool,
        acc: &mut Acc,
    ) -> Result<(), Jump> {
        let list_param = matches!(
            pe.param,
            Param::Special(SpecialParam::At) | Param::Special(SpecialParam::Star)
        );
        match &pe.op {
            ParamOp::Value => {
                if list_param {
                    self.expand_list_param(&pe.param, quoted, acc);
                    return Ok(());
                }
                let v = self.param_checked(&pe.param).await?.unwrap_or_default();
                let ifs = self.ifs().to_string();
                acc.value(&v, quoted, &ifs);
                Ok(())
            }
            ParamOp::Length => {
                let n = if list_param {
                    self.positional.len()
                } else {
                    self.param_checked(&pe.param)
                        .await?
                        .unwrap_or_default()
                        .chars()
                        .count()
                };
                acc.value(&n.to_string(), quoted, " \t\n");
                Ok(())
            }
            ParamOp::Default { colon, word } | ParamOp::Alternative { colon, word } => {
                let v = self.param_value(&pe.param);
                let set = match &v {
                    None => false,
                    Some(s) => {
                        !(*colon && s.is_empty() || list_param && self.positional.is_empty())
                    }
                };
                let use_word = match pe.op {
                    ParamOp::Default { .. } => !set,
                    _ => set,
                };
                if use_word {
                    self.expand_parts(&word.parts, quoted, acc).await?;
                } else if matches!(pe.op, ParamOp::Default { .. }) {
                    if list_param {
                        self.expand_list_param(&pe.param, quoted, acc);
                    } else {
                        let ifs = self.ifs().to_string();
                        acc.value(&v.unwrap_or_default(), quoted, &ifs);
                    }
                }
                Ok(())
            }
            ParamOp::Assign { colon, word } => {
                let v = self.param_value(&pe.param);
                let set = v.as_ref().is_some_and(|s| !(*colon && s.is_empty()));
                let value = if set {
                    v.unwrap_or_default()
                } else {
                    let new = self.expand_string(word).await?;
                    match &pe.param {
                        Param::Named(name) => {
                            if let Err(m) = self.set_var(name, &new) {
                                return Err(self.raise(&m).await);
                            }
                        }
                        other => {
                            let name = Self::param_name(other);
                            return Err(self.raise(&format!("{name}: bad variable name")).await);
                        }
                    }
                    new
                };
                let ifs = self.ifs().to_string();
                acc.value(&value, quoted, &ifs);
                Ok(())
            }
            ParamOp::Error { colon, word } => {
                let v = self.param_value(&pe.param);
                let set = v.as_ref().is_some_and(|s| !(*colon && s.is_empty()));
                if set {
                    let ifs = self.ifs().to_string();
                    acc.value(&v.unwrap_or_default(), quoted, &ifs);
                    return Ok(());
                }
                let msg = self.expand_string(word).await?;
                let name = Self::param_name(&pe.param);
                let text = if !msg.is_empty() {
                    format!("{name}: {msg}")
                } else if *colon {
                    format!("{name}: parameter not set or null")
                } else {
                    format!("{name}: parameter not set")
                };
                Err(self.raise(&text).await)
            }
            ParamOp::RemoveSmallestPrefix(w)
            | ParamOp::RemoveLargestPrefix(w)
            | ParamOp::RemoveSmallestSuffix(w)
            | ParamOp::RemoveLargestSuffix(w) => {
                let v = self.param_checked(&pe.param).await?.unwrap_or_default();
                let pat = self.expand_pattern(w).await?;
                let r = match &pe.op {
                    ParamOp::RemoveSmallestPrefix(_) => remove_prefix(&v, &pat, false),
                    ParamOp::RemoveLargestPrefix(_) => remove_prefix(&v, &pat, true),
                    ParamOp::RemoveSmallestSuffix(_) => remove_suffix(&v, &pat, false),
                    _ => remove_suffix(&v, &pat, true),
                };
                let ifs = self.ifs().to_string();
                acc.value(&r, quoted, &ifs);
                Ok(())
            }
            ParamOp::Substring { spec } => {
                let v = self.param_checked(&pe.param).await?.unwrap_or_default();
                let spec = self.expand_string(spec).await?;
                let (off_text, len_text) = match spec.split_once(':') {
                    Some((o, l)) => (o.to_string(), Some(l.to_string())),
                    None => (spec.clone(), None),
                };
                let off = self.arith_text(&off_text).await?;
                let len = match len_text {
                    Some(t) => Some(self.arith_text(&t).await?),
                    None => None,
                };
                let chars: Vec<char> = v.chars().collect();
                let n = chars.len() as i64;
                let start = if off < 0 {
                    (n + off).max(0)
                } else {
                    off.min(n)
                };
                let start = if off < 0 && n + off < 0 { n } else { start };
                let end = match len {
                    None => n,
                    Some(l) if l < 0 => (n + l).max(start),
                    Some(l) => (start + l).min(n),
                };
                let r: String = chars[start as usize..end.max(start) as usize]
                    .iter()
                    .collect();
                let ifs = self.ifs().to_string();
                acc.value(&r, quoted, &ifs);
                Ok(())
            }
            ParamOp::Replace {
                all,
                pattern,
                replacement,
            } => {
                let v = self.param_checked(&pe.param).await?.unwrap_or_default();
                let pat = self.expand_pattern(pattern).await?;
                let rep = self.expand_string(replacement).await?;
                let r = replace(&v, &pat, &rep, *all);
                let ifs = self.ifs().to_string();
                acc.value(&r, quoted, &ifs);
                Ok(())
            }
            ParamOp::Bad => Err(self.raise("syntax error: bad substitution").await),
        }
    }

    /// `$@` and `$*`.
    fn expand_list_param(&mut self, p: &Param, quoted: bool, acc: &mut Acc) {
        let at = matches!(p, Param::Special(SpecialParam::At));
        let ifs = self.ifs().to_string();
        match (acc.mode, quoted, at) {
            (Mode::Fields, true, true) => {
                for (i, a) in self.positional.iter().enumerate() {
                    if i > 0 {
                        acc.force_break();
                    }
                    acc.quoted(a, true);
                }
            }
            (Mode::Fields, false, _) => {
                for (i, a) in self.positional.iter().enumerate() {
                    if i > 0 {
                        acc.ws_break();
                    }
                    acc.value(a, false, &ifs);
                }
            }
            (_, _, _) => {
                let sep = if at && acc.mode != Mode::Fields {
                    " ".to_string()
                } else {
                    ifs.chars().next().map(String::from).unwrap_or_default()
                };
                let joined = self.positional.join(&sep);
                acc.value(&joined, quoted, &ifs);
            }
        }
    }

    /// Pathname expansion of a pattern (ash's `expmeta`): matches sorted bytewise; names
    /// starting with `.` (`.` and `..` among them) only when the pattern's component does.
    pub(crate) fn glob(&self, pattern: &str) -> Vec<String> {
        let absolute = pattern.starts_with('/');
        let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
        let dir_only = pattern.ends_with('/') && !comps.is_empty();
        let mut results: Vec<String> = vec![if absolute {
            "/".to_string()
        } else {
            String::new()
        }];
        for (i, comp) in comps.iter().enumerate() {
            let last = i + 1 == comps.len();
            let mut next = Vec::new();
            if !pattern_has_magic(comp) {
                let name = unescape(comp);
                for r in &results {
                    next.push(join_path(r, &name));
                }
            } else {
                let explicit_dot = comp.starts_with('.') || comp.starts_with("\\.");
                for r in &results {
                    let dir = if r.is_empty() { "." } else { r.as_str() };
                    let Ok(mut entries) = self.ctx.list(dir) else {
                        continue;
                    };
                    // readdir() returns `.` and `..` too: `.*` matches them.
                    if explicit_dot {
                        entries.push((".".into(), Kind::Dir));
                        entries.push(("..".into(), Kind::Dir));
                    }
                    for (name, kind) in entries {
                        if name.starts_with('.') && !explicit_dot {
                            continue;
                        }
                        if !last && kind == Kind::File {
                            continue;
                        }
                        if fnmatch(comp, &name) {
                            next.push(join_path(r, &name));
                        }
                    }
                }
            }
            results = next;
            if results.is_empty() || results.len() > 100_000 {
                break;
            }
        }
        let mut out: Vec<String> = results
            .into_iter()
            .filter(|p| !p.is_empty() && self.ctx.lstat(p).is_ok())
            .filter(|p| !dir_only || self.ctx.stat(p).is_ok_and(|s| s.kind == Kind::Dir))
            .map(|p| if dir_only { format!("{p}/") } else { p })
            .collect();
        out.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        out
    }
}

fn join_path(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The char boundaries of `s` (0 and `len` included).
fn boundaries(s: &str) -> Vec<usize> {
    let mut b: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    b.push(s.len());
    b
}

fn remove_prefix(v: &str, pat: &str, largest: bool) -> String {
    let b = boundaries(v);
    let order: Box<dyn Iterator<Item = &usize>> = if largest {
        Box::new(b.iter().rev())
    } else {
        Box::new(b.iter())
    };
    for &i in order {
        if fnmatch(pat, &v[..i]) {
            return v[i..].to_string();
        }
    }
    v.to_string()
}

fn remove_suffix(v: &str, pat: &str, largest: bool) -> String {
    let b = boundaries(v);
    let order: Box<dyn Iterator<Item = &usize>> = if largest {
        Box::new(b.iter())
    } else {
        Box::new(b.iter().rev())
    };
    for &i in order {
        if fnmatch(pat, &v[i..]) {
            return v[..i].to_string();
        }
    }
    v.to_string()
}

/// `${v/pat/rep}` and `${v//pat/rep}`: the longest match at the leftmost position (ash's
/// `subevalvar`, VSREPLACE). ash has no anchors: in `${v/#pat/rep}` the `#` is part of the
/// pattern, as is `%` in `${v/%pat/rep}` (bash's anchors are not busybox's).
fn replace(v: &str, pat: &str, rep: &str, all: bool) -> String {
    if pat.is_empty() {
        return v.to_string();
    }
    if !pattern_has_magic(pat) {
        let lit = unescape(pat);
        return if all {
            v.replace(&lit, rep)
        } else {
            v.replacen(&lit, rep, 1)
        };
    }
    let b = boundaries(v);
    let mut out = String::new();
    let mut i = 0;
    let mut done = false;
    while i < b.len() {
        let start = b[i];
        let mut matched = None;
        if !done {
            for j in (i..b.len()).rev() {
                if fnmatch(pat, &v[start..b[j]]) {
                    matched = Some(j);
                    break;
                }
            }
        }
        match matched {
            Some(j) if j > i => {
                out.push_str(rep);
                i = j;
                if !all {
                    done = true;
                }
            }
            _ => {
                if i + 1 < b.len() {
                    out.push_str(&v[start..b[i + 1]]);
                }
                i += 1;
            }
        }
    }
    out
}

/// Unused for now: keeps `Input` imported for readers of here-documents.
#[allow(dead_code)]
fn _input(_: Input) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_suffix_removal_follow_the_shortest_and_longest_rules() {
        assert_eq!(remove_prefix("a/b/c", "*/", false), "b/c");
        assert_eq!(remove_prefix("a/b/c", "*/", true), "c");
        assert_eq!(remove_suffix("file.tar.gz", ".*", false), "file.tar");
        assert_eq!(remove_suffix("file.tar.gz", ".*", true), "file");
        assert_eq!(remove_suffix("abc", "x", false), "abc");
    }

    #[test]
    fn replacement_takes_the_longest_leftmost_match() {
        assert_eq!(replace("hello world", "o", "0", false), "hell0 world");
        assert_eq!(replace("hello world", "o", "0", true), "hell0 w0rld");
        assert_eq!(replace("aXbXc", "X*", "-", false), "a-");
        // No anchors in ash: `#` and `%` are pattern characters.
        assert_eq!(replace("abc", "#a", "z", false), "abc");
        assert_eq!(replace("#abc", "#a", "z", false), "zbc");
        assert_eq!(replace("abc%c", "%c", "z", false), "abcz");
        assert_eq!(replace("a.b.c", "\\.", "/", true), "a/b/c");
    }
}
