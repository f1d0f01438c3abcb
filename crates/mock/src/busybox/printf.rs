//! `echo` and `printf` (coreutils/echo.c, coreutils/printf.c): applets, and the shell's
//! builtins of the same names.

use crate::kernel::Ctx;

use super::util::{error, Out};

/// `bb_process_escape_sequence`: the character a backslash escape stands for, and how many
/// bytes after the backslash it used. Unknown escapes stand for the backslash itself.
fn escape(rest: &[u8], octal_max: usize) -> (u8, usize) {
    let Some(&c) = rest.first() else {
        return (b'\\', 0);
    };
    if (b'0'..=b'7').contains(&c) {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < octal_max && n < rest.len() && (b'0'..=b'7').contains(&rest[n]) {
            v = v * 8 + (rest[n] - b'0') as u32;
            n += 1;
        }
        return ((v & 0xff) as u8, n);
    }
    if c == b'x' {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < 2 && 1 + n < rest.len() && rest[1 + n].is_ascii_hexdigit() {
            v = v * 16 + (rest[1 + n] as char).to_digit(16).unwrap_or(0);
            n += 1;
        }
        if n == 0 {
            return (b'\\', 0);
        }
        return (v as u8, 1 + n);
    }
    let mapped = match c {
        b'a' => 7,
        b'b' => 8,
        b'e' => 27,
        b'f' => 12,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 11,
        b'\\' => b'\\',
        _ => return (b'\\', 0),
    };
    (mapped, 1)
}

/// Expands the escapes of `%b` and `echo -e` into `out`. Returns false at `\c` (stop all
/// output). `\0NNN` takes up to three octal digits after the zero.
fn expand_escapes(s: &[u8], out: &mut Vec<u8>) -> bool {
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != b'\\' {
            out.push(c);
            continue;
        }
        if s.get(i) == Some(&b'c') {
            return false;
        }
        if s.get(i) == Some(&b'0') && s.get(i + 1).is_some_and(|d| (b'0'..=b'7').contains(d)) {
            i += 1;
        }
        let (ch, used) = escape(&s[i..], 3);
        out.push(ch);
        i += used;
    }
    true
}

/// `echo [-neE] [ARG]...`: busybox reads options only while an argument is `-` followed by
/// letters from `neE` alone.
pub async fn echo(ctx: &Ctx, args: &[String]) -> i32 {
    let out = echo_bytes(args);
    match ctx.write(1, &out).await {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// What `echo` prints for `args`.
pub fn echo_bytes(args: &[String]) -> Vec<u8> {
    let mut newline = true;
    let mut escapes = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_bytes();
        if a.len() < 2 || a[0] != b'-' || !a[1..].iter().all(|c| b"neE".contains(c)) {
            break;
        }
        for c in &a[1..] {
            match c {
                b'n' => newline = false,
                b'e' => escapes = true,
                _ => escapes = false,
            }
        }
        i += 1;
    }
    let mut out = Vec::new();
    for (n, a) in args[i..].iter().enumerate() {
        if n > 0 {
            out.push(b' ');
        }
        if escapes {
            if !expand_escapes(a.as_bytes(), &mut out) {
                return out;
            }
        } else {
            out.extend_from_slice(a.as_bytes());
        }
    }
    if newline {
        out.push(b'\n');
    }
    out
}

/// `printf FORMAT [ARG]...`. `applet` prefixes error messages (`printf`, or the shell's name
/// for the builtin... busybox prints `printf` in both).
pub async fn printf(ctx: &Ctx, applet: &str, args: &[String]) -> i32 {
    if args.is_empty() {
        super::show_usage(ctx, "printf").await;
        return 1;
    }
    let (bytes, errors, code) = printf_bytes(args);
    // The messages go to stderr as they happen while the output waits in stdio's buffer
    // until printf ends: a pipe or the container log sees the messages first.
    for e in &errors {
        error(ctx, applet, e).await;
    }
    let mut o = Out::stdout(ctx);
    o.push(&bytes);
    o.flush().await;
    code
}

enum Step {
    Done,
    /// `\c` or `%b` with `\c`: no more output at all.
    Stop,
    Invalid(String),
}

struct Printf {
    out: Vec<u8>,
    errors: Vec<String>,
    failed: bool,
}

impl Printf {
    fn next_arg<'a>(args: &'a [String], used: &mut usize) -> Option<&'a str> {
        let a = args.get(*used).map(String::as_str);
        if a.is_some() {
            *used += 1;
        }
        a
    }

    /// `my_xstrtoll`: a number, `'c` for a character's code; garbage (`12abc`) is an error
    /// and stands for 0 (`bb_strtoll` fails, and `my_xstrtoll` then uses 0).
    fn int_arg(&mut self, s: Option<&str>) -> i64 {
        let Some(s) = s else { return 0 };
        if let Some(rest) = s.strip_prefix('\'').or_else(|| s.strip_prefix('"')) {
            return rest.chars().next().map_or(0, |c| c as i64);
        }
        let t = s.trim_start();
        let (neg, body) = match t.as_bytes().first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let (radix, digits) =
            if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
                (16, h)
            } else if body.len() > 1 && body.starts_with('0') {
                (8, &body[1..])
            } else {
                (10, body)
            };
        let end = digits
            .find(|c: char| !c.is_digit(radix))
            .unwrap_or(digits.len());
        let v = i64::from_str_radix(&digits[..end], radix).unwrap_or(if end == 0 {
            0
        } else {
            i64::MAX
        });
        if end != digits.len() || body.is_empty() {
            self.errors.push(format!("invalid number '{s}'"));
            self.failed = true;
            return 0;
        }
        if neg {
            -v
        } else {
            v
        }
    }

    fn float_arg(&mut self, s: Option<&str>) -> f64 {
        let Some(s) = s else { return 0.0 };
        if let Some(rest) = s.strip_prefix('\'').or_else(|| s.strip_prefix('"')) {
            return rest.chars().next().map_or(0.0, |c| c as u32 as f64);
        }
        match s.trim().parse::<f64>() {
            Ok(v) => v,
            Err(_) => {
                self.errors.push(format!("invalid number '{s}'"));
                self.failed = true;
                0.0
            }
        }
    }

    fn format(&mut self, f: &[u8], args: &[String], used: &mut usize) -> Step {
        let mut i = 0;
        while i < f.len() {
            let c = f[i];
            i += 1;
            if c == b'\\' {
                if f.get(i) == Some(&b'c') {
                    return Step::Stop;
                }
                let (ch, n) = escape(&f[i..], 3);
                self.out.push(ch);
                i += n;
                continue;
            }
            if c != b'%' {
                self.out.push(c);
                continue;
            }
            if f.get(i) == Some(&b'%') {
                self.out.push(b'%');
                i += 1;
                continue;
            }
            let start = i - 1;
            let mut flags = String::new();
            while let Some(&fc) = f.get(i) {
                if b"-+ #0".contains(&fc) {
                    flags.push(fc as char);
                    i += 1;
                } else {
                    break;
                }
            }
            let mut width: Option<i64> = None;
            if f.get(i) == Some(&b'*') {
                i += 1;
                let a = Self::next_arg(args, used);
                width = Some(self.int_arg(a));
            } else {
                let s = i;
                while f.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                if i > s {
                    width = std::str::from_utf8(&f[s..i])
                        .ok()
                        .and_then(|w| w.parse().ok());
                }
            }
            let mut precision: Option<i64> = None;
            if f.get(i) == Some(&b'.') {
                i += 1;
                if f.get(i) == Some(&b'*') {
                    i += 1;
                    let a = Self::next_arg(args, used);
                    precision = Some(self.int_arg(a));
                } else {
                    let s = i;
                    while f.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                    precision = Some(
                        std::str::from_utf8(&f[s..i])
                            .ok()
                            .and_then(|w| w.parse().ok())
                            .unwrap_or(0),
                    );
                }
            }
            // The size modifiers `l`, `L`, `h` and `z` are removed from the format (busybox's
            // print_direc), and an invalid directive is reported as what is left of the
            // format from its `%` on: `%z\n` says `%\n: invalid format`.
            let mods_at = i;
            while f.get(i).is_some_and(|c| b"hlLz".contains(c)) {
                i += 1;
            }
            let invalid = |conv_at: usize| {
                let mut d = f[start..mods_at].to_vec();
                d.extend_from_slice(&f[conv_at..]);
                Step::Invalid(String::from_utf8_lossy(&d).into_owned())
            };
            let Some(&conv) = f.get(i) else {
                return invalid(i);
            };
            i += 1;
            let mut spec = Conv {
                left: flags.contains('-'),
                plus: flags.contains('+'),
                space: flags.contains(' '),
                alt: flags.contains('#'),
                zero: flags.contains('0'),
                width: width.unwrap_or(0),
                precision,
            };
            if spec.width < 0 {
                spec.left = true;
                spec.width = -spec.width;
            }
            match conv {
                b's' => {
                    let a = Self::next_arg(args, used).unwrap_or("");
                    let mut s = a.as_bytes().to_vec();
                    if let Some(p) = precision.filter(|p| *p >= 0) {
                        s.truncate(p as usize);
                    }
                    spec.zero = false;
                    self.pad(&spec, &s);
                }
                b'b' => {
                    let a = Self::next_arg(args, used).unwrap_or("");
                    let mut s = Vec::new();
                    let go_on = expand_escapes(a.as_bytes(), &mut s);
                    if let Some(p) = precision.filter(|p| *p >= 0) {
                        s.truncate(p as usize);
                    }
                    spec.zero = false;
                    self.pad(&spec, &s);
                    if !go_on {
                        return Step::Stop;
                    }
                }
                b'c' => {
                    let a = Self::next_arg(args, used).unwrap_or("");
                    let s: Vec<u8> = a.as_bytes().iter().take(1).copied().collect();
                    spec.zero = false;
                    self.pad(&spec, &s);
                }
                b'd' | b'i' => {
                    let a = Self::next_arg(args, used);
                    let v = self.int_arg(a);
                    let digits = v.unsigned_abs().to_string();
                    let sign = if v < 0 {
                        "-"
                    } else if spec.plus {
                        "+"
                    } else if spec.space {
                        " "
                    } else {
                        ""
                    };
                    self.number(&spec, sign, "", &digits);
                }
                b'u' | b'o' | b'x' | b'X' => {
                    let a = Self::next_arg(args, used);
                    let v = self.int_arg(a) as u64;
                    let (digits, prefix) = match conv {
                        b'u' => (v.to_string(), ""),
                        b'o' => (format!("{v:o}"), if spec.alt && v != 0 { "0" } else { "" }),
                        b'x' => (format!("{v:x}"), if spec.alt && v != 0 { "0x" } else { "" }),
                        _ => (format!("{v:X}"), if spec.alt && v != 0 { "0X" } else { "" }),
                    };
                    self.number(&spec, "", prefix, &digits);
                }
                b'f' | b'F' | b'e' | b'E' | b'g' | b'G' => {
                    let a = Self::next_arg(args, used);
                    let v = self.float_arg(a);
                    let body = format_float(
                        v.abs(),
                        conv,
                        precision.unwrap_or(6).max(0) as usize,
                        spec.alt,
                    );
                    let sign = if v.is_sign_negative() && v != 0.0 {
                        "-"
                    } else if spec.plus {
                        "+"
                    } else if spec.space {
                        " "
                    } else {
                        ""
                    };
                    let spec = Conv {
                        precision: None,
                        ..spec
                    };
                    self.number(&spec, sign, "", &body);
                }
                _ => return invalid(i - 1),
            }
        }
        Step::Done
    }

    fn pad(&mut self, spec: &Conv, s: &[u8]) {
        let w = spec.width.max(0) as usize;
        let fill = w.saturating_sub(s.len());
        if !spec.left {
            self.out.extend(std::iter::repeat_n(b' ', fill));
        }
        self.out.extend_from_slice(s);
        if spec.left {
            self.out.extend(std::iter::repeat_n(b' ', fill));
        }
    }

    fn number(&mut self, spec: &Conv, sign: &str, prefix: &str, digits: &str) {
        let mut digits = digits.to_string();
        if let Some(p) = spec.precision.filter(|p| *p >= 0) {
            let p = p as usize;
            if digits == "0" && p == 0 {
                digits.clear();
            }
            while digits.len() < p {
                digits.insert(0, '0');
            }
        }
        let body_len = sign.len() + prefix.len() + digits.len();
        let w = spec.width.max(0) as usize;
        let fill = w.saturating_sub(body_len);
        let mut s = String::new();
        if spec.left {
            s.push_str(sign);
            s.push_str(prefix);
            s.push_str(&digits);
            s.extend(std::iter::repeat_n(' ', fill));
        } else if spec.zero && spec.precision.is_none() {
            s.push_str(sign);
            s.push_str(prefix);
            s.extend(std::iter::repeat_n('0', fill));
            s.push_str(&digits);
        } else {
            s.extend(std::iter::repeat_n(' ', fill));
            s.push_str(sign);
            s.push_str(prefix);
            s.push_str(&digits);
        }
        self.out.extend_from_slice(s.as_bytes());
    }
}

struct Conv {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: i64,
    precision: Option<i64>,
}

/// C's `%f`, `%e` and `%g` of a non-negative number.
fn format_float(v: f64, conv: u8, precision: usize, alt: bool) -> String {
    if v.is_infinite() {
        return if conv.is_ascii_uppercase() {
            "INF".into()
        } else {
            "inf".into()
        };
    }
    if v.is_nan() {
        return if conv.is_ascii_uppercase() {
            "NAN".into()
        } else {
            "nan".into()
        };
    }
    let exp_form = |v: f64, p: usize, upper: bool| -> String {
        let s = format!("{v:.p$e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = exp.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        let e_char = if upper { 'E' } else { 'e' };
        format!("{mant}{e_char}{sign}{:02}", e.abs())
    };
    match conv {
        b'f' | b'F' => format!("{v:.precision$}"),
        b'e' | b'E' => exp_form(v, precision, conv == b'E'),
        _ => {
            let p = if precision == 0 { 1 } else { precision };
            let exp = if v == 0.0 {
                0
            } else {
                v.abs().log10().floor() as i32
            };
            let s = if exp < -4 || exp >= p as i32 {
                exp_form(v, p - 1, conv == b'G')
            } else {
                let decimals = (p as i32 - 1 - exp).max(0) as usize;
                format!("{v:.decimals$}")
            };
            if alt {
                return s;
            }
            // %g drops trailing zeros.
            match s.find(['e', 'E']) {
                Some(pos) => {
                    let (m, e) = s.split_at(pos);
                    let m = if m.contains('.') {
                        m.trim_end_matches('0').trim_end_matches('.')
                    } else {
                        m
                    };
                    format!("{m}{e}")
                }
                None if s.contains('.') => {
                    s.trim_end_matches('0').trim_end_matches('.').to_string()
                }
                None => s,
            }
        }
    }
}

/// What `printf` prints for `args`, and its error messages (for tests and the shell).
pub fn printf_bytes(args: &[String]) -> (Vec<u8>, Vec<String>, i32) {
    let Some(format) = args.first() else {
        return (Vec::new(), Vec::new(), 1);
    };
    let mut p = Printf {
        out: Vec::new(),
        errors: Vec::new(),
        failed: false,
    };
    let rest = &args[1..];
    let mut used = 0;
    loop {
        let before = used;
        match p.format(format.as_bytes(), rest, &mut used) {
            Step::Stop => break,
            Step::Invalid(dir) => {
                p.errors.push(format!("{dir}: invalid format"));
                p.failed = true;
                break;
            }
            Step::Done => {}
        }
        if used >= rest.len() || used == before {
            break;
        }
    }
    let code = i32::from(p.failed);
    (p.out, p.errors, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn pf(args: &[&str]) -> String {
        String::from_utf8(printf_bytes(&v(args)).0).unwrap()
    }

    #[test]
    fn echo_reads_options_only_from_clusters_of_n_e_and_capital_e() {
        assert_eq!(echo_bytes(&v(&["-n", "a"])), b"a");
        assert_eq!(echo_bytes(&v(&["-e", "a\\tb"])), b"a\tb\n");
        assert_eq!(echo_bytes(&v(&["-x", "a"])), b"-x a\n");
        assert_eq!(echo_bytes(&v(&["a\\n"])), b"a\\n\n");
        assert_eq!(echo_bytes(&v(&["-e", "a\\cb"])), b"a");
        assert_eq!(echo_bytes(&v(&["-e", "\\0101"])), b"A\n");
    }

    #[test]
    fn printf_formats_like_c_and_reuses_the_format() {
        assert_eq!(pf(&["%s-%d\\n", "a", "1", "b", "2"]), "a-1\nb-2\n");
        assert_eq!(pf(&["%5s|%-5s|%05d", "x", "y", "42"]), "    x|y    |00042");
        assert_eq!(
            pf(&["%x %o %X %c", "255", "8", "255", "hello"]),
            "ff 10 FF h"
        );
        assert_eq!(pf(&["%.2f %e", "3.14159", "1234.5"]), "3.14 1.234500e+03");
        assert_eq!(pf(&["%b", "a\\nb"]), "a\nb");
        assert_eq!(pf(&["%%"]), "%");
        assert_eq!(pf(&["%s %s\\n", "only"]), "only \n");
        let (out, errors, code) = printf_bytes(&v(&["%d\\n", "abc"]));
        assert_eq!(out, b"0\n");
        assert_eq!(errors, vec!["invalid number 'abc'".to_string()]);
        assert_eq!(code, 1);
        assert_eq!(pf(&["%g %g", "0.0001", "100000"]), "0.0001 100000");
    }
}
