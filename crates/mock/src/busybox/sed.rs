//! `sed` (editors/sed.c): the stream editor, the subset pod specs and classrooms use.
//!
//! The script is parsed as busybox's `add_cmd` does (a command per letter, `;`, newlines and
//! blanks between them, `a`/`i`/`c` taking the rest of the line), and run as its
//! `process_files` does: addresses with busybox's range rules, auto-print unless `-n`, the
//! text of `a` flushed at the end of the cycle, and a missing newline on the last input line
//! kept missing. Regular expressions use [`Regex`] (BRE, or ERE with `-r`/`-E`), so a hostile
//! pattern ends instead of hanging.

use crate::fs::WriteMode;
use crate::kernel::Ctx;

use super::regex::Regex;
use super::util::{error, getopt, Input, Out, Spec};
use super::BANNER;

/// `sed_full_usage`.
const USAGE: &str = "Usage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...\n\
or: sed [-i[SFX]] [-nrE] CMD [FILE]...\n\n\
\t-e CMD\tAdd CMD to sed commands to be executed\n\
\t-f FILE\tAdd FILE contents to sed commands to be executed\n\
\t-i[SFX]\tEdit files in-place (otherwise write to stdout)\n\
\t\tOptionally back files up, appending SFX\n\
\t-n\tSuppress automatic printing of pattern space\n\
\t-r,-E\tUse extended regex syntax\n\n\
If no -e or -f, the first non-option argument is the sed command string.\n\
Remaining arguments are input files (stdin if none).\n";

/// `bb_show_usage` for sed: the banner and the usage on stderr.
async fn show_usage(ctx: &Ctx) {
    ctx.print(2, &format!("{BANNER}\n\n{USAGE}")).await;
}

/// An address (`get_address`): a line number, `$`, or a regex (None: the last one used).
#[derive(Clone, Debug)]
enum Addr {
    Line(u64),
    Last,
    Re(Option<Box<Regex>>),
}

/// The end of a range: an address, or `+N` lines after its start.
#[derive(Clone, Debug)]
enum End {
    Addr(Addr),
    Plus(u64),
}

#[derive(Clone, Debug)]
enum Repl {
    Text(String),
    Group(usize),
}

#[derive(Clone, Debug)]
enum Kind {
    Subst {
        re: Option<Box<Regex>>,
        repl: Vec<Repl>,
        /// 0: every match (`g`); N: only the Nth.
        which: usize,
        print: bool,
    },
    Translate(Vec<(char, char)>),
    /// A one-letter command without arguments (`p`, `d`, `=`, `n`, `h`...).
    Simple(char),
    Text(char, String),
    Label,
    /// `b`, `t`, `T` and the label (None: the end of the script).
    Branch(char, Option<String>),
    Block,
    BlockEnd,
}

#[derive(Clone, Debug)]
struct Cmd {
    beg: Option<Addr>,
    end: Option<End>,
    invert: bool,
    kind: Kind,
    /// Inside a range (`in_match`).
    in_match: bool,
    /// The start line once a `N,...` range has begun (it cannot begin again).
    dead: bool,
    /// A `+N` end resolved to a line number.
    end_line: Option<u64>,
    label: String,
}

/// A script error: busybox dies with `sed: MESSAGE` and status 1.
type ParseResult<T> = Result<T, String>;

struct Parser {
    extended: bool,
    cmds: Vec<Cmd>,
}

/// `index_of_next_unescaped_regexp_delim`: where the delimiter closing the part starting at
/// `s[i]` is, skipping escaped characters and (for regexes) bracket expressions.
fn find_delim(s: &[char], mut i: usize, delim: char, regex: bool) -> Option<usize> {
    let mut bracket = false;
    while i < s.len() {
        let c = s[i];
        if bracket {
            if c == ']' {
                bracket = false;
            }
        } else if c == '\\' {
            i += 1;
        } else if regex && c == '[' && delim != '[' {
            bracket = true;
            // `[]...]` and `[^]...]`: a leading `]` is literal.
            if s.get(i + 1) == Some(&'^') {
                i += 1;
            }
            if s.get(i + 1) == Some(&']') {
                i += 1;
            }
        } else if c == delim {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The pattern text between delimiters: `\DELIM` is the delimiter, `\n` a newline.
fn regex_text(part: &[char], delim: char) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < part.len() {
        let c = part[i];
        if c == '\\' && i + 1 < part.len() {
            let n = part[i + 1];
            if n == delim && delim != '\n' {
                out.push(n);
            } else if n == 'n' {
                out.push('\n');
            } else {
                out.push('\\');
                out.push(n);
            }
            i += 2;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

fn compile(text: &str, extended: bool, icase: bool) -> ParseResult<Option<Box<Regex>>> {
    if text.is_empty() {
        return Ok(None);
    }
    Regex::new(text, extended, icase)
        .map(|r| Some(Box::new(r)))
        .map_err(|e| format!("bad regex '{text}': {e}"))
}

impl Parser {
    /// `get_address`: an address at `s[*i]`, if there is one.
    fn address(&self, s: &[char], i: &mut usize) -> ParseResult<Option<Addr>> {
        let Some(&c) = s.get(*i) else {
            return Ok(None);
        };
        if c.is_ascii_digit() {
            let start = *i;
            while s.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                *i += 1;
            }
            let n: String = s[start..*i].iter().collect();
            return Ok(Some(Addr::Line(n.parse().unwrap_or(u64::MAX))));
        }
        if c == '$' {
            *i += 1;
            return Ok(Some(Addr::Last));
        }
        if c == '/' || c == '\\' {
            let delim = if c == '\\' {
                *i += 1;
                match s.get(*i) {
                    Some(&d) => d,
                    None => return Err("unmatched '\\'".into()),
                }
            } else {
                '/'
            };
            let from = *i + 1;
            let Some(end) = find_delim(s, from, delim, true) else {
                return Err(format!("unmatched '{delim}'"));
            };
            let text = regex_text(&s[from..end], delim);
            *i = end + 1;
            // `/re/I`: case-insensitive (a GNU extension busybox takes).
            let icase = s.get(*i) == Some(&'I');
            if icase {
                *i += 1;
            }
            return Ok(Some(Addr::Re(compile(&text, self.extended, icase)?)));
        }
        Ok(None)
    }

    /// `add_cmd`: the commands in one line of script.
    fn line(&mut self, s: &[char]) -> ParseResult<()> {
        let mut i = 0;
        loop {
            while s
                .get(i)
                .is_some_and(|c| *c == ';' || c.is_ascii_whitespace())
            {
                i += 1;
            }
            let Some(&c) = s.get(i) else {
                return Ok(());
            };
            if c == '#' {
                return Ok(());
            }
            let beg = self.address(s, &mut i)?;
            let mut end = None;
            if s.get(i) == Some(&',') {
                i += 1;
                if s.get(i) == Some(&'+') && s.get(i + 1).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                    let start = i;
                    while s.get(i).is_some_and(|c| c.is_ascii_digit()) {
                        i += 1;
                    }
                    let n: String = s[start..i].iter().collect();
                    end = Some(End::Plus(n.parse().unwrap_or(u64::MAX)));
                } else {
                    match self.address(s, &mut i)? {
                        Some(a) => end = Some(End::Addr(a)),
                        None => return Err("no address after comma".into()),
                    }
                }
            }
            while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
                i += 1;
            }
            let mut invert = false;
            if s.get(i) == Some(&'!') {
                invert = true;
                i += 1;
                while s.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
                    i += 1;
                }
            }
            let Some(&cmd) = s.get(i) else {
                return Err("missing command".into());
            };
            i += 1;
            let (kind, label) = self.args(cmd, s, &mut i, end.is_some())?;
            self.cmds.push(Cmd {
                beg,
                end,
                invert,
                kind,
                in_match: false,
                dead: false,
                end_line: None,
                label,
            });
        }
    }

    /// `parse_cmd_args`: what follows the command letter.
    fn args(
        &self,
        cmd: char,
        s: &[char],
        i: &mut usize,
        range: bool,
    ) -> ParseResult<(Kind, String)> {
        let rest_of_line = |i: &mut usize| -> String {
            let t: String = s[*i..].iter().collect();
            *i = s.len();
            t
        };
        Ok(match cmd {
            'a' | 'i' | 'c' => {
                if range && cmd != 'c' {
                    return Err(format!("command '{cmd}' uses only one address"));
                }
                while let Some(&c) = s.get(*i) {
                    if c == '\\' || c == '\n' {
                        *i += 1;
                        if c == '\\' && s.get(*i) == Some(&'\n') {
                            *i += 1;
                        }
                        break;
                    }
                    if !c.is_ascii_whitespace() {
                        break;
                    }
                    *i += 1;
                }
                let raw = rest_of_line(i);
                (Kind::Text(cmd, unescape_text(&raw)), String::new())
            }
            's' => (self.subst(s, i)?, String::new()),
            'y' => (self.translate(s, i)?, String::new()),
            ':' | 'b' | 't' | 'T' => {
                while s.get(*i).is_some_and(|c| *c == ' ' || *c == '\t') {
                    *i += 1;
                }
                let start = *i;
                while s
                    .get(*i)
                    .is_some_and(|c| *c != ';' && !c.is_ascii_whitespace())
                {
                    *i += 1;
                }
                let name: String = s[start..*i].iter().collect();
                if cmd == ':' {
                    if name.is_empty() {
                        return Err("\":\" lacks a label".into());
                    }
                    (Kind::Label, name)
                } else {
                    (
                        Kind::Branch(cmd, (!name.is_empty()).then_some(name)),
                        String::new(),
                    )
                }
            }
            '{' => (Kind::Block, String::new()),
            '}' => (Kind::BlockEnd, String::new()),
            '=' | 'd' | 'D' | 'g' | 'G' | 'h' | 'H' | 'n' | 'N' | 'p' | 'P' | 'q' | 'Q' | 'x'
            | 'z' => (Kind::Simple(cmd), String::new()),
            other => return Err(format!("unsupported command {other}")),
        })
    }

    /// `parse_subst_cmd`: `s/RE/REPLACEMENT/FLAGS`.
    fn subst(&self, s: &[char], i: &mut usize) -> ParseResult<Kind> {
        let Some(&delim) = s.get(*i) else {
            return Err("unmatched '\\n'".into());
        };
        let re_start = *i + 1;
        let Some(re_end) = find_delim(s, re_start, delim, true) else {
            return Err(format!("unmatched '{delim}'"));
        };
        let Some(rep_end) = find_delim(s, re_end + 1, delim, false) else {
            return Err(format!("unmatched '{delim}'"));
        };
        let pattern = regex_text(&s[re_start..re_end], delim);
        let repl = replacement(&s[re_end + 1..rep_end], delim);
        *i = rep_end + 1;
        let mut which = 1usize;
        let mut print = false;
        let mut icase = false;
        while let Some(&c) = s.get(*i) {
            if c.is_ascii_digit() {
                let start = *i;
                while s.get(*i).is_some_and(|c| c.is_ascii_digit()) {
                    *i += 1;
                }
                let n: String = s[start..*i].iter().collect();
                which = n.parse().unwrap_or(usize::MAX);
                continue;
            }
            match c {
                _ if c.is_ascii_whitespace() && c != '\n' => {}
                'g' => which = 0,
                'p' => print = true,
                'i' | 'I' => icase = true,
                '#' => {
                    *i = s.len();
                    break;
                }
                ';' | '}' | '\n' => break,
                _ => return Err("bad option in substitution expression".into()),
            }
            *i += 1;
        }
        Ok(Kind::Subst {
            re: compile(&pattern, self.extended, icase)?,
            repl,
            which,
            print,
        })
    }

    /// `y/SOURCE/DEST/`: both the same length.
    fn translate(&self, s: &[char], i: &mut usize) -> ParseResult<Kind> {
        let Some(&delim) = s.get(*i) else {
            return Err("unmatched '\\n'".into());
        };
        let a_start = *i + 1;
        let Some(a_end) = find_delim(s, a_start, delim, false) else {
            return Err(format!("unmatched '{delim}'"));
        };
        let Some(b_end) = find_delim(s, a_end + 1, delim, false) else {
            return Err(format!("unmatched '{delim}'"));
        };
        let unesc = |part: &[char]| -> Vec<char> {
            let mut out = Vec::new();
            let mut j = 0;
            while j < part.len() {
                if part[j] == '\\' && j + 1 < part.len() {
                    out.push(match part[j + 1] {
                        'n' => '\n',
                        't' => '\t',
                        '\\' => '\\',
                        other => other,
                    });
                    j += 2;
                } else {
                    out.push(part[j]);
                    j += 1;
                }
            }
            out
        };
        let from = unesc(&s[a_start..a_end]);
        let to = unesc(&s[a_end + 1..b_end]);
        *i = b_end + 1;
        if from.len() != to.len() {
            return Err("strings for y command are different lengths".into());
        }
        Ok(Kind::Translate(from.into_iter().zip(to).collect()))
    }
}

/// The replacement of `s`: `&`, `\0`-`\9`, `\n`, `\DELIM`, `\&` and `\\`.
fn replacement(part: &[char], delim: char) -> Vec<Repl> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    let flush = |text: &mut String, out: &mut Vec<Repl>| {
        if !text.is_empty() {
            out.push(Repl::Text(std::mem::take(text)));
        }
    };
    while i < part.len() {
        let c = part[i];
        if c == '\\' && i + 1 < part.len() {
            let n = part[i + 1];
            i += 2;
            if let Some(d) = n.to_digit(10) {
                flush(&mut text, &mut out);
                out.push(Repl::Group(d as usize));
            } else if n == 'n' && delim != 'n' {
                text.push('\n');
            } else if n == 't' && delim != 't' {
                text.push('\t');
            } else {
                text.push(n);
            }
            continue;
        }
        if c == '&' {
            flush(&mut text, &mut out);
            out.push(Repl::Group(0));
        } else {
            text.push(c);
        }
        i += 1;
    }
    flush(&mut text, &mut out);
    out
}

/// The text of `a`, `i` and `c`: `\t` is a tab, `\` before anything else is dropped.
fn unescape_text(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses a whole script (`-e` pieces joined by newlines), as `add_cmd_block` reads it: a
/// line ending in a backslash continues on the next.
fn parse_script(script: &str, extended: bool) -> ParseResult<Vec<Cmd>> {
    let mut p = Parser {
        extended,
        cmds: Vec::new(),
    };
    let mut pending = String::new();
    for line in script.split('\n') {
        pending.push_str(line);
        let trailing = pending.chars().rev().take_while(|c| *c == '\\').count();
        if trailing % 2 == 1 {
            pending.push('\n');
            continue;
        }
        let chars: Vec<char> = pending.chars().collect();
        p.line(&chars)?;
        pending.clear();
    }
    if !pending.is_empty() {
        let chars: Vec<char> = pending.chars().collect();
        p.line(&chars)?;
    }
    for c in &p.cmds {
        if let Kind::Branch(_, Some(name)) = &c.kind {
            if !p
                .cmds
                .iter()
                .any(|d| matches!(d.kind, Kind::Label) && d.label == *name)
            {
                return Err(format!("can't find label for jump to '{name}'"));
            }
        }
    }
    Ok(p.cmds)
}

/// Where lines come from: every input file in turn (the runner reads one line ahead, so
/// `$` is known).
struct Lines {
    files: Vec<String>,
    next_file: usize,
    input: Option<Input>,
    /// The input just finished was stdin.
    after_stdin: bool,
    /// Open errors met while reading ahead past stdin: busybox reports them after the line
    /// before is done.
    deferred: Vec<String>,
    status: i32,
}

impl Lines {
    /// The next line and whether it ended in a newline; a file that cannot be opened is
    /// reported (after what was printed so far, as `bb_perror_msg` flushes stdout) and
    /// skipped.
    async fn next(&mut self, ctx: &Ctx, sink: &mut Sink<'_>) -> Option<(String, bool)> {
        loop {
            if self.input.is_none() {
                let path = self.files.get(self.next_file).cloned()?;
                self.next_file += 1;
                match Input::open(ctx, &path) {
                    Ok(i) => self.input = Some(i),
                    Err(e) => {
                        let msg = format!("{path}: {}", e.message());
                        self.status = 1;
                        if self.after_stdin {
                            self.deferred.push(msg);
                        } else {
                            sink.out.flush().await;
                            error(ctx, "sed", &msg).await;
                        }
                        continue;
                    }
                }
            }
            let input = self.input.as_mut()?;
            match input.line(ctx).await {
                Ok(Some(mut l)) => {
                    let eol = l.last() == Some(&b'\n');
                    if eol {
                        l.pop();
                    }
                    return Some((String::from_utf8_lossy(&l).into_owned(), eol));
                }
                Ok(None) | Err(_) => {
                    self.after_stdin = self
                        .files
                        .get(self.next_file.saturating_sub(1))
                        .map(String::as_str)
                        == Some("-");
                    if let Some(i) = self.input.take() {
                        i.close(ctx);
                    }
                }
            }
        }
    }

    /// Reports the errors held back.
    async fn report(&mut self, ctx: &Ctx, sink: &mut Sink<'_>) {
        if self.deferred.is_empty() {
            return;
        }
        sink.out.flush().await;
        for msg in std::mem::take(&mut self.deferred) {
            error(ctx, "sed", &msg).await;
        }
    }
}

/// Output that remembers whether what it wrote last ended a line (`puts_maybe_newline`).
struct Sink<'a> {
    out: Out<'a>,
    /// Collected instead of written (`-i`).
    capture: Option<Vec<u8>>,
    last_eol: bool,
}

impl Sink<'_> {
    async fn puts(&mut self, text: &str, eol: bool) {
        let mut data = Vec::with_capacity(text.len() + 2);
        if !self.last_eol {
            data.push(b'\n');
        }
        data.extend_from_slice(text.as_bytes());
        if eol {
            data.push(b'\n');
        }
        self.last_eol = eol;
        match &mut self.capture {
            Some(buf) => buf.extend_from_slice(&data),
            None => self.out.write(&data).await,
        }
    }
}

struct Editor {
    cmds: Vec<Cmd>,
    quiet: bool,
    last_re: Option<Box<Regex>>,
    hold: String,
    line_no: u64,
}

/// How a cycle ended.
enum Flow {
    /// Auto-print and read the next line.
    Cycle,
    /// No auto-print.
    Discard,
    /// Auto-print, then stop.
    Quit,
    /// Stop without printing.
    QuitSilent,
    /// `D`: start again without reading a line.
    Restart,
}

impl Editor {
    fn regex(&mut self, re: &Option<Box<Regex>>) -> Option<Box<Regex>> {
        match re {
            Some(r) => {
                self.last_re = Some(r.clone());
                Some(r.clone())
            }
            None => self.last_re.clone(),
        }
    }

    fn addr_matches(&mut self, a: &Addr, pattern: &str, last: bool) -> bool {
        match a {
            Addr::Line(n) => *n == self.line_no,
            Addr::Last => last,
            Addr::Re(re) => self.regex(re).is_some_and(|r| r.is_match(pattern)),
        }
    }

    /// The range logic of `process_files`.
    fn selects(&mut self, idx: usize, pattern: &str, last: bool) -> bool {
        let cmd = self.cmds[idx].clone();
        let line = self.line_no;
        let old_in = cmd.in_match;
        let begins = match &cmd.beg {
            None => cmd.end.is_none(),
            Some(Addr::Line(n)) => {
                !cmd.dead
                    && *n > 0
                    && if cmd.end.is_some() {
                        *n <= line
                    } else {
                        *n == line
                    }
            }
            Some(Addr::Last) | Some(Addr::Re(_)) => {
                let a = cmd.beg.clone().unwrap_or(Addr::Last);
                self.addr_matches(&a, pattern, last)
            }
        };
        let matched = old_in || begins;
        let mut c = self.cmds[idx].clone();
        if matched {
            if matches!(c.beg, Some(Addr::Line(n)) if n > 0) {
                c.dead = true;
            }
            if let Some(End::Plus(n)) = c.end {
                if c.end_line.is_none() {
                    c.end_line = Some(line.saturating_add(n));
                }
            }
            let ends = match &c.end {
                None => true,
                Some(End::Plus(_)) => c.end_line.is_some_and(|e| e <= line),
                Some(End::Addr(Addr::Line(n))) => *n <= line,
                Some(End::Addr(Addr::Last)) => last,
                Some(End::Addr(a @ Addr::Re(_))) => {
                    let a = a.clone();
                    old_in && self.addr_matches(&a, pattern, last)
                }
            };
            c.in_match = !ends;
            if ends {
                c.end_line = None;
            }
        }
        self.cmds[idx] = c;
        matched
    }
}

/// `s`: substitutes in `pattern`; whether anything was replaced.
fn substitute(re: &Regex, repl: &[Repl], which: usize, pattern: &mut String) -> bool {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut pos = 0usize;
    let mut count = 0usize;
    let mut done = false;
    let mut last_end: Option<usize> = None;
    while pos <= chars.len() {
        let Some(caps) = re.captures_at(pattern, pos) else {
            break;
        };
        let Some((s, e)) = caps.first().copied().flatten() else {
            break;
        };
        out.extend(&chars[pos..s]);
        if s == e && last_end == Some(s) {
            // An empty match right after a match is not a match.
            if let Some(c) = chars.get(s) {
                out.push(*c);
            }
            pos = s + 1;
            last_end = None;
            continue;
        }
        count += 1;
        if which == 0 || count == which {
            done = true;
            for r in repl {
                match r {
                    Repl::Text(t) => out.push_str(t),
                    Repl::Group(g) => {
                        if let Some(Some((a, b))) = caps.get(*g) {
                            out.extend(&chars[*a..*b]);
                        }
                    }
                }
            }
        } else {
            out.extend(&chars[s..e]);
        }
        if which != 0 && count >= which {
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
    if !done {
        return false;
    }
    if pos < chars.len() {
        out.extend(&chars[pos..]);
    }
    *pattern = out;
    true
}

/// `sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...`.
pub async fn sed(ctx: &Ctx, args: &[String]) -> i32 {
    // `-i` takes its suffix only when attached (`getopt`'s optional argument).
    let mut in_place: Option<String> = None;
    let mut rest = Vec::new();
    for a in args {
        if rest.iter().any(|r: &String| r == "--") {
            rest.push(a.clone());
            continue;
        }
        if let Some(body) = a.strip_prefix('-').filter(|b| !b.starts_with('-')) {
            if let Some(pos) = body.find('i') {
                let before = &body[..pos];
                // Only when `i` is an option letter, not an argument of `-e`/`-f`.
                if !before.contains('e') && !before.contains('f') {
                    in_place = Some(body[pos + 1..].to_string());
                    if !before.is_empty() {
                        rest.push(format!("-{before}"));
                    }
                    continue;
                }
            }
        }
        rest.push(a.clone());
    }
    let spec = Spec {
        short: "nrEse:f:",
        long: &[
            ("quiet", 'n', false),
            ("silent", 'n', false),
            ("regexp-extended", 'r', false),
            ("separate", 's', false),
            ("expression", 'e', true),
            ("file", 'f', true),
        ],
        stop_at_operand: false,
    };
    let mut opts = match getopt(&rest, &spec) {
        Ok(o) => o,
        Err(e) => {
            error(ctx, "sed", &e.message()).await;
            show_usage(ctx).await;
            return 1;
        }
    };
    let mut pieces: Vec<String> = Vec::new();
    for (flag, value) in &opts.flags {
        match (flag, value) {
            ('e', Some(v)) => pieces.push(v.clone()),
            ('f', Some(f)) => match ctx.read_file(f) {
                Ok(d) => {
                    let t = String::from_utf8_lossy(&d).into_owned();
                    pieces.push(t.strip_suffix('\n').unwrap_or(&t).to_string());
                }
                Err(e) => {
                    error(ctx, "sed", &format!("can't open '{f}': {}", e.message())).await;
                    return 1;
                }
            },
            _ => {}
        }
    }
    if pieces.is_empty() {
        if opts.args.is_empty() {
            show_usage(ctx).await;
            return 1;
        }
        pieces.push(opts.args.remove(0));
    }
    let extended = opts.has('r') || opts.has('E');
    let cmds = match parse_script(&pieces.join("\n"), extended) {
        Ok(c) => c,
        Err(msg) => {
            error(ctx, "sed", &msg).await;
            return 1;
        }
    };
    let mut ed = Editor {
        cmds,
        quiet: opts.has('n'),
        last_re: None,
        hold: String::new(),
        line_no: 0,
    };
    if let Some(suffix) = in_place {
        if opts.args.is_empty() {
            error(ctx, "sed", "-i requires an argument").await;
            return 1;
        }
        let mut status = 0;
        for path in opts.args.clone() {
            ed.line_no = 0;
            let mut lines = Lines {
                files: vec![path.clone()],
                next_file: 0,
                input: None,
                after_stdin: false,
                deferred: Vec::new(),
                status: 0,
            };
            let mut sink = Sink {
                out: Out::stdout(ctx),
                capture: Some(Vec::new()),
                last_eol: true,
            };
            let quit = run(ctx, &mut ed, &mut lines, &mut sink).await;
            if lines.status != 0 {
                status = lines.status;
                continue;
            }
            if !suffix.is_empty() {
                let _ = ctx.copy(&path, &format!("{path}{suffix}"));
            }
            let data = sink.capture.take().unwrap_or_default();
            if let Err(e) = ctx.write_file(&path, &data, WriteMode::Truncate) {
                error(
                    ctx,
                    "sed",
                    &format!("can't create '{path}': {}", e.message()),
                )
                .await;
                status = 4;
            }
            if quit {
                break;
            }
        }
        return status;
    }
    let files = if opts.args.is_empty() {
        vec!["-".to_string()]
    } else {
        opts.args.clone()
    };
    let mut lines = Lines {
        files,
        next_file: 0,
        input: None,
        after_stdin: false,
        deferred: Vec::new(),
        status: 0,
    };
    let mut sink = Sink {
        out: Out::stdout(ctx),
        capture: None,
        last_eol: true,
    };
    run(ctx, &mut ed, &mut lines, &mut sink).await;
    sink.out.flush().await;
    if sink.out.failed {
        return 4;
    }
    lines.status
}

/// `process_files`: runs the script over every line. Returns true when a `q` ended it.
async fn run(ctx: &Ctx, ed: &mut Editor, lines: &mut Lines, sink: &mut Sink<'_>) -> bool {
    let mut next: Option<(String, bool)> = lines.next(ctx, sink).await;
    let mut restart: Option<(String, bool)> = None;
    for c in &mut ed.cmds {
        c.in_match = false;
        c.dead = false;
        c.end_line = None;
    }
    loop {
        lines.report(ctx, sink).await;
        let (mut pattern, mut eol) = match restart.take() {
            Some(p) => p,
            None => {
                let Some(l) = next.take() else {
                    return false;
                };
                ed.line_no += 1;
                next = lines.next(ctx, sink).await;
                l
            }
        };
        ctx.burn(1).await;
        let mut appends: Vec<String> = Vec::new();
        let mut substituted = false;
        let mut pc = 0usize;
        let mut flow = Flow::Cycle;
        let mut steps = 0u32;
        while pc < ed.cmds.len() {
            steps += 1;
            if steps.is_multiple_of(64) {
                ctx.burn(1).await;
            }
            let last = next.is_none();
            let matched = ed.selects(pc, &pattern, last);
            let cmd = ed.cmds[pc].clone();
            if matches!(cmd.kind, Kind::Block) {
                if cmd.invert == matched {
                    // Skip to the matching `}`.
                    let mut depth = 0usize;
                    let mut j = pc;
                    loop {
                        match ed.cmds.get(j).map(|c| &c.kind) {
                            Some(Kind::Block) => depth += 1,
                            Some(Kind::BlockEnd) => depth -= 1,
                            Some(_) => {}
                            None => {
                                error(ctx, "sed", "unmatched {").await;
                                return true;
                            }
                        }
                        if depth == 0 {
                            break;
                        }
                        j += 1;
                    }
                    pc = j;
                }
                pc += 1;
                continue;
            }
            if cmd.invert == matched {
                pc += 1;
                continue;
            }
            pc += 1;
            match &cmd.kind {
                Kind::Subst {
                    re,
                    repl,
                    which,
                    print,
                } => {
                    let Some(r) = ed.regex(re) else {
                        continue;
                    };
                    if substitute(&r, repl, *which, &mut pattern) {
                        substituted = true;
                        if *print {
                            sink.puts(&pattern, eol).await;
                        }
                    }
                }
                Kind::Translate(map) => {
                    pattern = pattern
                        .chars()
                        .map(|c| map.iter().find(|(f, _)| *f == c).map_or(c, |(_, t)| *t))
                        .collect();
                }
                Kind::Text('i', t) => sink.puts(t, true).await,
                Kind::Text('a', t) => appends.push(t.clone()),
                Kind::Text(_, t) => {
                    // `c`: the text once, at the end of a range.
                    if !ed.cmds[pc - 1].in_match || cmd.invert {
                        sink.puts(t, true).await;
                    }
                    flow = Flow::Discard;
                    break;
                }
                Kind::Label | Kind::BlockEnd | Kind::Block => {}
                Kind::Branch(kind, label) => {
                    let jump = match kind {
                        't' => std::mem::take(&mut substituted),
                        'T' => !std::mem::take(&mut substituted),
                        _ => true,
                    };
                    if jump {
                        pc = match label {
                            None => ed.cmds.len(),
                            Some(name) => ed
                                .cmds
                                .iter()
                                .position(|c| matches!(c.kind, Kind::Label) && c.label == *name)
                                .unwrap_or(ed.cmds.len()),
                        };
                    }
                }
                Kind::Simple(c) => match c {
                    '=' => sink.puts(&ed.line_no.to_string(), true).await,
                    'p' => sink.puts(&pattern, eol).await,
                    'P' => {
                        let first = pattern.split('\n').next().unwrap_or("").to_string();
                        sink.puts(&first, true).await;
                    }
                    'd' => {
                        flow = Flow::Discard;
                        break;
                    }
                    'D' => match pattern.find('\n') {
                        Some(i) => {
                            pattern = pattern[i + 1..].to_string();
                            flow = Flow::Restart;
                            break;
                        }
                        None => {
                            flow = Flow::Discard;
                            break;
                        }
                    },
                    'q' => {
                        flow = Flow::Quit;
                        break;
                    }
                    'Q' => {
                        flow = Flow::QuitSilent;
                        break;
                    }
                    'n' => {
                        if !ed.quiet {
                            sink.puts(&pattern, eol).await;
                        }
                        for a in appends.drain(..) {
                            sink.puts(&a, true).await;
                        }
                        match next.take() {
                            Some((l, e)) => {
                                pattern = l;
                                eol = e;
                                ed.line_no += 1;
                                next = lines.next(ctx, sink).await;
                            }
                            None => {
                                flow = Flow::QuitSilent;
                                break;
                            }
                        }
                    }
                    'N' => match next.take() {
                        Some((l, e)) => {
                            pattern.push('\n');
                            pattern.push_str(&l);
                            eol = e;
                            ed.line_no += 1;
                            next = lines.next(ctx, sink).await;
                        }
                        None => {
                            flow = Flow::Quit;
                            break;
                        }
                    },
                    'g' => pattern = ed.hold.clone(),
                    'G' => {
                        pattern.push('\n');
                        pattern.push_str(&ed.hold);
                    }
                    'h' => ed.hold = pattern.clone(),
                    'H' => {
                        ed.hold.push('\n');
                        ed.hold.push_str(&pattern);
                    }
                    'x' => std::mem::swap(&mut ed.hold, &mut pattern),
                    'z' => pattern.clear(),
                    _ => {}
                },
            }
        }
        if matches!(flow, Flow::Cycle | Flow::Quit) && !ed.quiet {
            sink.puts(&pattern, eol).await;
        }
        for a in appends {
            sink.puts(&a, true).await;
        }
        match flow {
            Flow::Quit | Flow::QuitSilent => return true,
            Flow::Restart => restart = Some((pattern, eol)),
            Flow::Cycle | Flow::Discard => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_parse_as_busybox_reads_them() {
        assert!(parse_script("s/a/b/g;p", false).is_ok());
        assert_eq!(parse_script("s/a/b", false).unwrap_err(), "unmatched '/'");
        assert_eq!(
            parse_script("k", false).unwrap_err(),
            "unsupported command k"
        );
        assert_eq!(parse_script("3", false).unwrap_err(), "missing command");
    }

    #[test]
    fn substitution_handles_empty_matches_like_gnu() {
        let re = Regex::new("x*", false, false).unwrap();
        let mut s = "abc".to_string();
        assert!(substitute(&re, &[Repl::Text("-".into())], 0, &mut s));
        assert_eq!(s, "-a-b-c-");
        let re = Regex::new("a*", false, false).unwrap();
        let mut s = "baaac".to_string();
        assert!(substitute(&re, &[Repl::Text("x".into())], 0, &mut s));
        assert_eq!(s, "xbxcx");
    }
}
