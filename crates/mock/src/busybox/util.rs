//! What busybox's applets share (libbb's part): buffered output, line input from a file or
//! stdin, `getopt32`-style option parsing, number parsing and the error formats.

use crate::fs::Errno;
use crate::kernel::{Ctx, OpenMode};

/// Bytes an applet buffers before it writes (stdio's buffer for a pipe or a file).
const OUT_BUF_BYTES: usize = 4096;

/// stdout (or any descriptor) with stdio's full buffering: written when the buffer fills and
/// at [`Out::flush`].
pub(crate) struct Out<'a> {
    ctx: &'a Ctx,
    fd: i32,
    buf: Vec<u8>,
    /// The descriptor failed (EPIPE, EBADF): further output is dropped.
    pub failed: bool,
}

impl<'a> Out<'a> {
    pub fn new(ctx: &'a Ctx, fd: i32) -> Out<'a> {
        Out {
            ctx,
            fd,
            buf: Vec::new(),
            failed: false,
        }
    }

    pub fn stdout(ctx: &'a Ctx) -> Out<'a> {
        Out::new(ctx, 1)
    }

    /// Queues bytes without writing (cheap; call [`Out::write`] or [`Out::flush`] later).
    pub fn push(&mut self, data: &[u8]) {
        if !self.failed {
            self.buf.extend_from_slice(data);
        }
    }

    pub fn push_str(&mut self, s: &str) {
        self.push(s.as_bytes());
    }

    /// Queues bytes and writes when the buffer is full.
    pub async fn write(&mut self, data: &[u8]) {
        self.push(data);
        if self.buf.len() >= OUT_BUF_BYTES {
            self.flush().await;
        }
    }

    pub async fn write_str(&mut self, s: &str) {
        self.write(s.as_bytes()).await
    }

    /// Writes what is buffered. Returns false when the descriptor failed.
    pub async fn flush(&mut self) -> bool {
        if self.failed {
            return false;
        }
        if self.buf.is_empty() {
            return true;
        }
        let data = std::mem::take(&mut self.buf);
        if self.ctx.write(self.fd, &data).await.is_err() {
            self.failed = true;
        }
        !self.failed
    }
}

/// Writes `applet: msg` and a newline to stderr (`bb_error_msg`).
pub(crate) async fn error(ctx: &Ctx, applet: &str, msg: &str) {
    let line = format!("{applet}: {msg}\n");
    ctx.print(2, &line).await;
}

/// An input: a file opened for reading, or stdin for `-`; read by lines or whole.
pub(crate) struct Input {
    fd: i32,
    own: bool,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
}

impl Input {
    /// Opens `path` (`-` is stdin).
    pub fn open(ctx: &Ctx, path: &str) -> Result<Input, Errno> {
        if path == "-" {
            return Ok(Input::fd(0));
        }
        let fd = ctx.open(path, OpenMode::Read)?;
        Ok(Input {
            fd,
            own: true,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        })
    }

    pub fn fd(fd: i32) -> Input {
        Input {
            fd,
            own: false,
            buf: Vec::new(),
            pos: 0,
            eof: false,
        }
    }

    async fn fill(&mut self, ctx: &Ctx) -> Result<bool, Errno> {
        if self.eof {
            return Ok(false);
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let chunk = ctx.read(self.fd, 64 * 1024).await?;
        if chunk.is_empty() {
            self.eof = true;
            return Ok(false);
        }
        self.buf.extend_from_slice(&chunk);
        Ok(true)
    }

    /// The next line with its `\n` (the last line may lack it); None at the end.
    pub async fn line(&mut self, ctx: &Ctx) -> Result<Option<Vec<u8>>, Errno> {
        let mut scanned = self.pos;
        loop {
            if let Some(i) = self.buf[scanned..].iter().position(|b| *b == b'\n') {
                let end = scanned + i + 1;
                let line = self.buf[self.pos..end].to_vec();
                self.pos = end;
                return Ok(Some(line));
            }
            scanned = self.buf.len();
            let before = self.pos;
            if !self.fill(ctx).await? {
                if self.pos < self.buf.len() {
                    let line = self.buf[self.pos..].to_vec();
                    self.pos = self.buf.len();
                    return Ok(Some(line));
                }
                return Ok(None);
            }
            scanned -= before;
        }
    }

    /// Whatever is buffered or can be read now (at least one byte unless at the end).
    pub async fn chunk(&mut self, ctx: &Ctx) -> Result<Vec<u8>, Errno> {
        if self.pos < self.buf.len() {
            let out = self.buf[self.pos..].to_vec();
            self.pos = self.buf.len();
            return Ok(out);
        }
        if self.eof {
            return Ok(Vec::new());
        }
        let chunk = ctx.read(self.fd, 64 * 1024).await?;
        if chunk.is_empty() {
            self.eof = true;
        }
        Ok(chunk)
    }

    /// Everything to the end.
    pub async fn all(&mut self, ctx: &Ctx) -> Result<Vec<u8>, Errno> {
        while self.fill(ctx).await? {}
        let out = self.buf[self.pos..].to_vec();
        self.pos = self.buf.len();
        Ok(out)
    }

    pub fn close(self, ctx: &Ctx) {
        if self.own {
            let _ = ctx.close(self.fd);
        }
    }
}

/// Options as busybox's `getopt32` reads them (glibc `getopt_long` underneath): `-abc`,
/// `-n5`, `-n 5`, `--long`, `--long=v`, `--` ends options; operands and options may mix
/// unless the spec asks to stop at the first operand.
#[derive(Debug, Default)]
pub(crate) struct Opts {
    pub flags: Vec<(char, Option<String>)>,
    pub args: Vec<String>,
}

impl Opts {
    pub fn has(&self, c: char) -> bool {
        self.flags.iter().any(|(f, _)| *f == c)
    }

    /// The last value given to option `c`.
    pub fn value(&self, c: char) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(f, _)| *f == c)
            .and_then(|(_, v)| v.as_deref())
    }

    pub fn values(&self, c: char) -> Vec<&str> {
        self.flags
            .iter()
            .filter(|(f, _)| *f == c)
            .filter_map(|(_, v)| v.as_deref())
            .collect()
    }
}

/// What `getopt` complains about, in glibc's words.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OptError {
    Invalid(char),
    MissingArg(char),
    UnknownLong(String),
    LongMissingArg(String),
}

impl OptError {
    pub fn message(&self) -> String {
        match self {
            OptError::Invalid(c) => format!("invalid option -- '{c}'"),
            OptError::MissingArg(c) => format!("option requires an argument -- '{c}'"),
            OptError::UnknownLong(s) => format!("unrecognized option '--{s}'"),
            OptError::LongMissingArg(s) => format!("option '--{s}' requires an argument"),
        }
    }
}

/// How an applet's options are read.
pub(crate) struct Spec<'s> {
    /// Short options, `x:` for one that takes a value (`getopt`'s optstring).
    pub short: &'s str,
    /// Long options: name, the short option it stands for, whether it takes a value.
    pub long: &'s [(&'s str, char, bool)],
    /// Stop at the first operand (`+` in the optstring): for applets that run a command.
    pub stop_at_operand: bool,
}

pub(crate) fn getopt(args: &[String], spec: &Spec) -> Result<Opts, OptError> {
    let takes = |c: char| -> Option<bool> {
        let mut chars = spec.short.chars().peekable();
        while let Some(x) = chars.next() {
            let arg = chars.peek() == Some(&':');
            if arg {
                chars.next();
            }
            if x == c {
                return Some(arg);
            }
        }
        None
    };
    let mut out = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            out.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, val) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let found = spec.long.iter().find(|(n, _, _)| *n == name).or_else(|| {
                // getopt_long accepts an unambiguous prefix.
                let matches: Vec<_> = spec
                    .long
                    .iter()
                    .filter(|(n, _, _)| n.starts_with(name))
                    .collect();
                (matches.len() == 1).then(|| matches[0])
            });
            let Some((full, c, arg)) = found else {
                // glibc names the whole argument, `=VALUE` included.
                return Err(OptError::UnknownLong(long.to_string()));
            };
            if *arg {
                let v = match val {
                    Some(v) => v,
                    None if i < args.len() => {
                        i += 1;
                        args[i - 1].clone()
                    }
                    None => return Err(OptError::LongMissingArg(full.to_string())),
                };
                out.flags.push((*c, Some(v)));
            } else {
                out.flags.push((*c, None));
            }
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let body: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < body.len() {
                let c = body[j];
                j += 1;
                match takes(c) {
                    None => return Err(OptError::Invalid(c)),
                    Some(false) => out.flags.push((c, None)),
                    Some(true) => {
                        let v = if j < body.len() {
                            let v: String = body[j..].iter().collect();
                            j = body.len();
                            v
                        } else if i < args.len() {
                            i += 1;
                            args[i - 1].clone()
                        } else {
                            return Err(OptError::MissingArg(c));
                        };
                        out.flags.push((c, Some(v)));
                    }
                }
            }
            continue;
        }
        out.args.push(a.clone());
        if spec.stop_at_operand {
            out.args.extend(args[i..].iter().cloned());
            break;
        }
    }
    Ok(out)
}

/// `xatoi`-style: an optionally signed decimal number.
pub(crate) fn parse_i64(s: &str) -> Option<i64> {
    let t = s.strip_prefix('+').unwrap_or(s);
    if t.is_empty() {
        return None;
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// A number with busybox's size suffixes (`xatoul_sfx`): b=512, k=1024, m, g (and kB, MB,
/// KiB... as `dd` knows them).
pub(crate) fn parse_size(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, sfx) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match sfx {
        "" => 1,
        "c" => 1,
        "w" => 2,
        "b" => 512,
        "kB" => 1000,
        "k" | "K" | "KiB" => 1024,
        "MB" => 1000 * 1000,
        "M" | "m" | "MiB" => 1024 * 1024,
        "GB" => 1000 * 1000 * 1000,
        "G" | "g" | "GiB" => 1024 * 1024 * 1024,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// The last component of a path, as `bb_get_last_path_component_strip` gives it.
pub(crate) fn basename(path: &str) -> &str {
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        return if path.is_empty() { "" } else { "/" };
    }
    t.rsplit('/').next().unwrap_or(t)
}

/// Splits `$PATH`-style lookups and joins a directory with a name (`concat_path_file`).
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn getopt_reads_clustered_flags_values_and_permuted_operands() {
        let spec = Spec {
            short: "qO:T:",
            long: &[("spider", 's', false), ("output-document", 'O', true)],
            stop_at_operand: false,
        };
        let o = getopt(&v(&["-qO-", "http://x/", "-T", "5", "--spider"]), &spec).unwrap();
        assert!(o.has('q'));
        assert_eq!(o.value('O'), Some("-"));
        assert_eq!(o.value('T'), Some("5"));
        assert!(o.has('s'));
        assert_eq!(o.args, v(&["http://x/"]));
        assert_eq!(
            getopt(&v(&["-z"]), &spec).unwrap_err().message(),
            "invalid option -- 'z'"
        );
    }

    #[test]
    fn sizes_take_busybox_suffixes() {
        assert_eq!(parse_size("1M"), Some(1 << 20));
        assert_eq!(parse_size("4k"), Some(4096));
        assert_eq!(parse_size("10"), Some(10));
        assert_eq!(parse_size("x"), None);
    }
}

/// `fnmatch(3)` without flags: `*`, `?`, `[...]` (with `!`/`^`, ranges and `[:class:]`), and
/// `\` quoting the next character. Linear backtracking on the last `*`, so hostile patterns
/// cannot blow up.
pub(crate) fn fnmatch(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    fnmatch_chars(&p, &t)
}

pub(crate) fn fnmatch_chars(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    while pi < p.len() && p[pi] == '*' {
                        pi += 1;
                    }
                    star = Some((pi, ti));
                    continue;
                }
                '?' if ti < t.len() => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                '[' if ti < t.len() => {
                    if let Some((matched, next)) = bracket(p, pi, t[ti]) {
                        if matched {
                            pi = next;
                            ti += 1;
                            continue;
                        }
                    } else if t[ti] == '[' {
                        // An unclosed bracket is an ordinary character.
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && ti < t.len() && t[ti] == p[pi + 1] => {
                    pi += 2;
                    ti += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len() => {}
                c if ti < t.len() && c == t[ti] && c != '?' && c != '[' => {
                    pi += 1;
                    ti += 1;
                    continue;
                }
                _ => {}
            }
        } else if ti == t.len() {
            return true;
        }
        // Mismatch: let the last star swallow one more character.
        match star {
            Some((sp, st)) if st < t.len() => {
                star = Some((sp, st + 1));
                pi = sp;
                ti = st + 1;
            }
            _ => return false,
        }
    }
}

/// Matches `c` against the bracket expression at `p[start]` (`[`). None when it is not closed.
fn bracket(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        if ch == '[' && p.get(i + 1) == Some(&':') {
            if let Some(end) =
                (i + 2..p.len().saturating_sub(1)).find(|&j| p[j] == ':' && p[j + 1] == ']')
            {
                let class: String = p[i + 2..end].iter().collect();
                if char_class(&class, c) {
                    matched = true;
                }
                i = end + 2;
                continue;
            }
        }
        let (lo, next) = if ch == '\\' && i + 1 < p.len() {
            (p[i + 1], i + 2)
        } else {
            (ch, i + 1)
        };
        if p.get(next) == Some(&'-') && p.get(next + 1).is_some_and(|h| *h != ']') {
            let (hi, after) = if p[next + 1] == '\\' && next + 2 < p.len() {
                (p[next + 2], next + 3)
            } else {
                (p[next + 1], next + 2)
            };
            if lo <= c && c <= hi {
                matched = true;
            }
            i = after;
        } else {
            if lo == c {
                matched = true;
            }
            i = next;
        }
    }
    Some((matched != negate, i))
}

/// The POSIX character classes (`[:digit:]`...).
pub(crate) fn char_class(class: &str, c: char) -> bool {
    match class {
        "alpha" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_ascii_alphanumeric(),
        "upper" => c.is_ascii_uppercase(),
        "lower" => c.is_ascii_lowercase(),
        "space" => c.is_ascii_whitespace() || c == '\x0b',
        "blank" => c == ' ' || c == '\t',
        "punct" => c.is_ascii_punctuation(),
        "print" => (' '..='~').contains(&c),
        "graph" => ('!'..='~').contains(&c),
        "cntrl" => c.is_ascii_control(),
        "xdigit" => c.is_ascii_hexdigit(),
        _ => false,
    }
}

#[cfg(test)]
mod fnmatch_tests {
    use super::fnmatch;

    #[test]
    fn fnmatch_handles_stars_classes_and_escapes() {
        assert!(fnmatch("*.txt", "a.txt"));
        assert!(!fnmatch("*.txt", "a.txt.bak"));
        assert!(fnmatch("a?c", "abc"));
        assert!(fnmatch("[a-c]x", "bx"));
        assert!(!fnmatch("[!a-c]x", "bx"));
        assert!(fnmatch("[[:digit:]]*", "9lives"));
        assert!(fnmatch("\\*", "*"));
        assert!(!fnmatch("\\*", "a"));
        assert!(fnmatch("*a*b*c*", "xxaxxbxxcxx"));
        assert!(fnmatch("", ""));
        assert!(!fnmatch("", "a"));
        assert!(fnmatch("[ab", "[ab"));
    }
}

/// `make_human_readable_str(val, 1, 0)`: `0`, `615`, `4.0K`, `10.0M` (one fractional digit
/// once a unit is used).
pub(crate) fn human(val: u64) -> String {
    const UNITS: [char; 9] = ['\0', 'K', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
    if val == 0 {
        return "0".into();
    }
    let mut v = val;
    let mut frac = 0u64;
    let mut u = 0;
    while v >= 1024 {
        u += 1;
        frac = ((v % 1024) * 10 + 512) / 1024;
        v /= 1024;
    }
    if frac >= 10 {
        v += 1;
        frac = 0;
    }
    if u == 0 {
        v.to_string()
    } else {
        format!("{v}.{frac}{}", UNITS[u])
    }
}

impl Input {
    /// Puts bytes back in front of what is still to be read.
    pub fn unread(&mut self, bytes: Vec<u8>) {
        let mut rest = bytes;
        rest.extend_from_slice(&self.buf[self.pos..]);
        self.buf = rest;
        self.pos = 0;
    }
}
