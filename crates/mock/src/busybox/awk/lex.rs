//! The tokens of an awk program (`next_token`): a `/` starts a regex where an operand may
//! start, strings and regexes take busybox's escapes, numbers are read as `my_strtod` reads
//! them (`0x1A` and `017` too).

use super::value::strtod_prefix;

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    Num(f64),
    Str(String),
    Regex(String),
    /// A variable or array name.
    Name(String),
    /// A name followed directly by `(`: a call of a user function.
    Func(String),
    Builtin(&'static str),
    Kw(&'static str),
    Op(&'static str),
    Newline,
    Eof,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub tok: Tok,
    pub line: u32,
}

/// A syntax error and the line it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntaxError {
    pub line: u32,
    pub message: String,
}

pub const UNEXPECTED_TOKEN: &str = "Unexpected token";
pub const UNEXPECTED_EOS: &str = "Unexpected end of string";

const KEYWORDS: &[&str] = &[
    "BEGIN", "END", "function", "func", "if", "else", "while", "for", "do", "break", "continue",
    "next", "nextfile", "exit", "return", "delete", "getline", "print", "printf", "in",
];

const BUILTINS: &[&str] = &[
    "length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "sin", "cos", "atan2",
    "exp", "log", "sqrt", "int", "rand", "srand", "tolower", "toupper", "system", "close",
    "fflush",
];

const OPS: &[&str] = &[
    "**=", "&&", "||", "==", "!=", "<=", ">=", "++", "--", "+=", "-=", "*=", "/=", "%=", "^=",
    "**", ">>", "!~", "{", "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^", "!",
    ">", "<", "|", "?", ":", "~", "$", "=",
];

/// `bb_process_escape_sequence` for one escape after a backslash: the character and how many
/// characters it used (0: not an escape).
pub fn escape(rest: &[char]) -> (char, usize) {
    let Some(&c) = rest.first() else {
        return ('\\', 0);
    };
    if ('0'..='7').contains(&c) {
        let mut v = 0u32;
        let mut n = 0;
        while n < 3 && rest.get(n).is_some_and(|d| ('0'..='7').contains(d)) {
            v = v * 8 + rest[n].to_digit(8).unwrap_or(0);
            n += 1;
        }
        return (char::from_u32(v & 0xff).unwrap_or('\0'), n);
    }
    if c == 'x' {
        let mut v = 0u32;
        let mut n = 0;
        while n < 2 && rest.get(1 + n).is_some_and(|d| d.is_ascii_hexdigit()) {
            v = v * 16 + rest[1 + n].to_digit(16).unwrap_or(0);
            n += 1;
        }
        if n == 0 {
            return ('\\', 0);
        }
        return (char::from_u32(v).unwrap_or('\0'), 1 + n);
    }
    let mapped = match c {
        'a' => '\x07',
        'b' => '\x08',
        'e' => '\x1b',
        'f' => '\x0c',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\x0b',
        '\\' => '\\',
        _ => return ('\\', 0),
    };
    (mapped, 1)
}

/// `nextchar`: a string's escapes; an unknown `\z` is `z`.
pub fn unescape(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let (e, used) = escape(&chars[i..]);
        if used == 0 {
            if let Some(&z) = chars.get(i) {
                out.push(z);
                i += 1;
            } else {
                out.push('\\');
            }
        } else {
            out.push(e);
            i += used;
        }
    }
    out
}

fn ends_operand(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Num(_) | Tok::Str(_) | Tok::Name(_) | Tok::Regex(_) | Tok::Builtin(_)
    ) || matches!(
        t,
        Tok::Op(")") | Tok::Op("]") | Tok::Op("$") | Tok::Op("++") | Tok::Op("--")
    )
}

/// Splits `src` into tokens.
pub fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let s: Vec<char> = src.chars().collect();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let err = |line: u32, m: &str| SyntaxError {
        line,
        message: m.to_string(),
    };
    while i < s.len() {
        let c = s[i];
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
            continue;
        }
        if c == '\\' && s.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
            continue;
        }
        if c == '#' {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '\n' {
            out.push(Token {
                tok: Tok::Newline,
                line,
            });
            line += 1;
            i += 1;
            continue;
        }
        if c == '"' {
            i += 1;
            let mut text = String::new();
            loop {
                let Some(&d) = s.get(i) else {
                    return Err(err(line, UNEXPECTED_EOS));
                };
                if d == '\n' {
                    return Err(err(line, UNEXPECTED_EOS));
                }
                i += 1;
                if d == '"' {
                    break;
                }
                if d == '\\' {
                    let (e, used) = escape(&s[i..]);
                    if used == 0 {
                        match s.get(i) {
                            Some(&z) if z != '\n' => {
                                text.push(z);
                                i += 1;
                            }
                            _ => text.push('\\'),
                        }
                    } else {
                        text.push(e);
                        i += used;
                    }
                    continue;
                }
                text.push(d);
            }
            out.push(Token {
                tok: Tok::Str(text),
                line,
            });
            continue;
        }
        let prev_operand = out.last().is_some_and(|t| ends_operand(&t.tok));
        if c == '/' && !prev_operand {
            i += 1;
            let mut text = String::new();
            loop {
                let Some(&d) = s.get(i) else {
                    return Err(err(line, UNEXPECTED_EOS));
                };
                if d == '\n' {
                    return Err(err(line, UNEXPECTED_EOS));
                }
                i += 1;
                if d == '/' {
                    break;
                }
                if d == '\\' {
                    match s.get(i) {
                        Some('/') => {
                            text.push('/');
                            i += 1;
                        }
                        Some(&z) if z != '\n' => {
                            text.push('\\');
                            text.push(z);
                            i += 1;
                        }
                        _ => text.push('\\'),
                    }
                    continue;
                }
                text.push(d);
            }
            out.push(Token {
                tok: Tok::Regex(text),
                line,
            });
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && s.get(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let rest: String = s[i..].iter().take(400).collect();
            let (v, used) = strtod_prefix(&rest, true);
            let used = used.max(1);
            i += rest[..used.min(rest.len())].chars().count();
            if s.get(i) == Some(&'.') {
                return Err(err(line, UNEXPECTED_TOKEN));
            }
            out.push(Token {
                tok: Tok::Num(v),
                line,
            });
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < s.len() && (s[i].is_ascii_alphanumeric() || s[i] == '_') {
                i += 1;
            }
            let word: String = s[start..i].iter().collect();
            let tok = if let Some(k) = KEYWORDS.iter().find(|k| **k == word) {
                Tok::Kw(k)
            } else if let Some(b) = BUILTINS.iter().find(|b| **b == word) {
                Tok::Builtin(b)
            } else if s.get(i) == Some(&'(') {
                Tok::Func(word)
            } else {
                Tok::Name(word)
            };
            out.push(Token { tok, line });
            continue;
        }
        let rest: String = s[i..].iter().take(3).collect();
        let Some(op) = OPS.iter().find(|o| rest.starts_with(**o)) else {
            return Err(err(line, UNEXPECTED_TOKEN));
        };
        i += op.len();
        out.push(Token {
            tok: Tok::Op(op),
            line,
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        line,
    });
    Ok(out)
}
