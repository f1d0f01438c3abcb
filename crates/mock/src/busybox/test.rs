//! `test`, `[` and `[[` (coreutils/test.c): POSIX's rules by argument count, then a
//! recursive-descent parse of `!`, `-a`, `-o` and parentheses. An error prints
//! `APPLET: MSG` and exits 2.

use crate::fs::Kind;
use crate::kernel::Ctx;

use super::util::{error, fnmatch};

/// `test_main`: `name` is how it was invoked (`test`, `[`, `[[`), `prefix` the error prefix
/// (the applet, or the shell's name for the builtin).
pub async fn test_main(ctx: &Ctx, prefix: &str, name: &str, args: &[String]) -> i32 {
    match test_status(ctx, name, args) {
        Ok(code) => code,
        Err(msg) => {
            error(ctx, prefix, &msg).await;
            2
        }
    }
}

/// The exit status of `test` (0 true, 1 false), or the error message.
pub fn test_status(ctx: &Ctx, name: &str, args: &[String]) -> Result<i32, String> {
    let mut args: &[String] = args;
    let double = name == "[[";
    if name == "[" {
        match args.last() {
            Some(l) if l == "]" => args = &args[..args.len() - 1],
            _ => return Err("missing ]".into()),
        }
    } else if double {
        match args.last() {
            Some(l) if l == "]]" => args = &args[..args.len() - 1],
            _ => return Err("missing ]]".into()),
        }
    }
    let t = Tester { ctx, double };
    let v: Vec<&str> = args.iter().map(String::as_str).collect();
    t.eval(&v).map(|b| if b { 0 } else { 1 })
}

struct Tester<'a> {
    ctx: &'a Ctx,
    double: bool,
}

fn is_unary(op: &str) -> bool {
    matches!(
        op,
        "-b" | "-c"
            | "-d"
            | "-e"
            | "-f"
            | "-g"
            | "-G"
            | "-h"
            | "-k"
            | "-L"
            | "-n"
            | "-O"
            | "-p"
            | "-r"
            | "-s"
            | "-S"
            | "-t"
            | "-u"
            | "-w"
            | "-x"
            | "-z"
    )
}

fn is_binary(op: &str, double: bool) -> bool {
    matches!(
        op,
        "=" | "=="
            | "!="
            | "-eq"
            | "-ne"
            | "-gt"
            | "-ge"
            | "-lt"
            | "-le"
            | "-nt"
            | "-ot"
            | "-ef"
            | "<"
            | ">"
    ) || (double && op == "=~")
}

impl Tester<'_> {
    fn eval(&self, a: &[&str]) -> Result<bool, String> {
        match a.len() {
            0 => Ok(false),
            1 => Ok(!a[0].is_empty()),
            2 => {
                if a[0] == "!" {
                    Ok(a[1].is_empty())
                } else {
                    // busybox parses the rest as an expression: `-f FILE` is a unary test,
                    // `1 -lt` wants its operand, `a b` leaves `b` over ("unknown operand").
                    self.general(a)
                }
            }
            3 => {
                if is_binary(a[1], self.double) {
                    self.binary(a[0], a[1], a[2])
                } else if a[0] == "!" {
                    self.eval(&a[1..]).map(|b| !b)
                } else if a[0] == "(" && a[2] == ")" {
                    Ok(!a[1].is_empty())
                } else {
                    self.general(a)
                }
            }
            4 if a[0] == "!" && !(a.len() > 2 && (a[2] == "-a" || a[2] == "-o")) => {
                self.eval(&a[1..]).map(|b| !b)
            }
            4 if a[0] == "(" && a[3] == ")" => self.eval(&a[1..3]),
            _ => self.general(a),
        }
    }

    fn general(&self, a: &[&str]) -> Result<bool, String> {
        let mut pos = 0;
        let v = self.oexpr(a, &mut pos)?;
        if pos < a.len() {
            return Err(format!("{}: unknown operand", a[pos]));
        }
        Ok(v)
    }

    fn oexpr(&self, a: &[&str], pos: &mut usize) -> Result<bool, String> {
        let mut v = self.aexpr(a, pos)?;
        while *pos < a.len() && (a[*pos] == "-o" || (self.double && a[*pos] == "||")) {
            *pos += 1;
            let r = self.aexpr(a, pos)?;
            v = v || r;
        }
        Ok(v)
    }

    fn aexpr(&self, a: &[&str], pos: &mut usize) -> Result<bool, String> {
        let mut v = self.nexpr(a, pos)?;
        while *pos < a.len() && (a[*pos] == "-a" || (self.double && a[*pos] == "&&")) {
            *pos += 1;
            let r = self.nexpr(a, pos)?;
            v = v && r;
        }
        Ok(v)
    }

    fn nexpr(&self, a: &[&str], pos: &mut usize) -> Result<bool, String> {
        if *pos < a.len() && a[*pos] == "!" {
            *pos += 1;
            return self.nexpr(a, pos).map(|b| !b);
        }
        self.primary(a, pos)
    }

    fn primary(&self, a: &[&str], pos: &mut usize) -> Result<bool, String> {
        let Some(&tok) = a.get(*pos) else {
            return Err("argument expected".into());
        };
        if tok == "(" {
            *pos += 1;
            let v = self.oexpr(a, pos)?;
            if a.get(*pos) != Some(&")") {
                return Err("closing paren expected".into());
            }
            *pos += 1;
            return Ok(v);
        }
        if let Some(&op) = a.get(*pos + 1) {
            if is_binary(op, self.double) {
                let Some(&rhs) = a.get(*pos + 2) else {
                    return Err(format!("{op}: argument expected"));
                };
                *pos += 3;
                return self.binary(tok, op, rhs);
            }
        }
        if is_unary(tok) {
            let Some(&operand) = a.get(*pos + 1) else {
                return Err(format!("{tok}: argument expected"));
            };
            *pos += 2;
            return self.unary(tok, operand);
        }
        *pos += 1;
        Ok(!tok.is_empty())
    }

    fn unary(&self, op: &str, s: &str) -> Result<bool, String> {
        let ctx = self.ctx;
        Ok(match op {
            "-z" => s.is_empty(),
            "-n" => !s.is_empty(),
            "-t" => false,
            "-h" | "-L" => ctx.lstat(s).is_ok_and(|st| st.kind == Kind::Symlink),
            _ => {
                let Ok(st) = ctx.stat(s) else {
                    return Ok(false);
                };
                match op {
                    "-e" => true,
                    "-f" => st.kind == Kind::File,
                    "-d" => st.kind == Kind::Dir,
                    "-s" => st.size > 0,
                    // root may read and write anything; executing needs an x bit (or a dir).
                    "-r" | "-w" | "-O" | "-G" => true,
                    "-x" => st.kind == Kind::Dir || st.mode & 0o111 != 0,
                    "-u" => st.mode & 0o4000 != 0,
                    "-g" => st.mode & 0o2000 != 0,
                    "-k" => st.mode & 0o1000 != 0,
                    // No devices, FIFOs or sockets in podplay's file systems.
                    _ => false,
                }
            }
        })
    }

    fn binary(&self, l: &str, op: &str, r: &str) -> Result<bool, String> {
        Ok(match op {
            "=" | "==" if self.double => fnmatch(r, l),
            "!=" if self.double => !fnmatch(r, l),
            "=" | "==" => l == r,
            "!=" => l != r,
            "<" => l < r,
            ">" => l > r,
            "=~" => super::regex::Regex::new(r, true, false).is_ok_and(|re| re.is_match(l)),
            "-nt" | "-ot" => {
                let (a, b) = (self.ctx.stat(l), self.ctx.stat(r));
                match (a, b) {
                    (Ok(a), Ok(b)) if op == "-nt" => a.mtime > b.mtime,
                    (Ok(a), Ok(b)) => a.mtime < b.mtime,
                    (Ok(_), Err(_)) => op == "-nt",
                    (Err(_), Ok(_)) => op == "-ot",
                    _ => false,
                }
            }
            "-ef" => {
                let norm = |p: &str| crate::fs::normalize(&self.ctx.cwd(), p);
                self.ctx.stat(l).is_ok() && self.ctx.stat(r).is_ok() && norm(l) == norm(r)
            }
            _ => {
                let a = number(l)?;
                let b = number(r)?;
                match op {
                    "-eq" => a == b,
                    "-ne" => a != b,
                    "-gt" => a > b,
                    "-ge" => a >= b,
                    "-lt" => a < b,
                    _ => a <= b,
                }
            }
        })
    }
}

/// `getn`: a decimal integer with optional blanks around it.
fn number(s: &str) -> Result<i64, String> {
    let t = s
        .trim_start_matches([' ', '\t'])
        .trim_end_matches([' ', '\t']);
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{s}: bad number"));
    }
    t.parse::<i64>().map_err(|_| format!("{s}: out of range"))
}
