//! Shell arithmetic, `$((...))` and `let`: busybox's `shell/math.c`, as a parser to a small
//! tree ([`ArithExpr`]) and an evaluator over it ([`ArithExpr::eval`]).
//!
//! busybox evaluates while it parses, with an operator stack; parsing first gives the same
//! values and messages for every well-formed expression, with two busybox rules kept on
//! purpose: `&&` and `||` evaluate both sides (math.c applies them as plain binary operators),
//! and a variable's value is itself evaluated as an expression (`a=b+1; b=2; echo $((a))` is 3),
//! with `expression recursion loop detected` on a cycle. Numbers are 64-bit and wrap.

use std::fmt;

/// An arithmetic expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArithExpr {
    Number(i64),
    /// A bare variable name. Unset or empty is 0; otherwise its value is evaluated as an
    /// expression.
    Variable(String),
    Unary {
        op: UnaryOp,
        operand: Box<ArithExpr>,
    },
    Binary {
        op: BinaryOp,
        left: Box<ArithExpr>,
        right: Box<ArithExpr>,
    },
    /// `name = value`, or `name op= value` with `op: Some(..)`. Evaluates to the value stored.
    Assign {
        name: String,
        op: Option<BinaryOp>,
        value: Box<ArithExpr>,
    },
    /// `++name`, `--name`, `name++`, `name--`.
    IncDec {
        name: String,
        increment: bool,
        prefix: bool,
    },
    /// `condition ? then : otherwise`; only the chosen side is evaluated.
    Conditional {
        condition: Box<ArithExpr>,
        then: Box<ArithExpr>,
        otherwise: Box<ArithExpr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Negate,
    /// `!x`.
    Not,
    /// `~x`.
    BitNot,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `,`: evaluates both, yields the right.
    Comma,
    /// `||`: busybox evaluates both sides.
    Or,
    /// `&&`: busybox evaluates both sides.
    And,
    BitOr,
    BitXor,
    BitAnd,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// `**`: right associative; a negative exponent is an error.
    Pow,
}

/// An arithmetic error, worded as busybox's math.c words it. The shell prints it as
/// `sh: <message>` and the command fails with status 2 (ash's `ash_msg_and_raise_error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArithError {
    /// `arithmetic syntax error`.
    Syntax,
    /// `malformed ?: operator`.
    MalformedConditional,
    /// `divide by zero`.
    DivideByZero,
    /// `exponent less than 0`.
    NegativeExponent,
    /// `expression recursion loop detected`.
    RecursionLoop,
    /// podplay's own bound on nesting (busybox has none; a runaway expression would exhaust
    /// our stack, so the parser stops at [`MAX_DEPTH`] and [`MAX_TOKENS`]).
    TooDeep,
}

impl fmt::Display for ArithError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithError::Syntax => "arithmetic syntax error",
            ArithError::MalformedConditional => "malformed ?: operator",
            ArithError::DivideByZero => "divide by zero",
            ArithError::NegativeExponent => "exponent less than 0",
            ArithError::RecursionLoop => "expression recursion loop detected",
            ArithError::TooDeep => "arithmetic expression nested too deeply",
        })
    }
}

impl std::error::Error for ArithError {}

/// The deepest nesting of parentheses and operators the parser accepts.
pub const MAX_DEPTH: u32 = 100;

/// The most tokens an expression may have: a long `1+1+...` chain nests as deep as it is long.
pub const MAX_TOKENS: usize = 1000;

/// Parses an arithmetic expression. Blank text is 0 (math.c's "null expression").
pub fn parse(text: &str) -> Result<ArithExpr, ArithError> {
    let tokens = tokenize(text.as_bytes())?;
    if tokens.len() > MAX_TOKENS {
        return Err(ArithError::TooDeep);
    }
    if tokens.is_empty() {
        return Ok(ArithExpr::Number(0));
    }
    let mut parser = ExprParser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.comma()?;
    if parser.pos != parser.tokens.len() {
        return Err(match parser.tokens[parser.pos] {
            Token::Colon => ArithError::MalformedConditional,
            _ => ArithError::Syntax,
        });
    }
    Ok(expr)
}

/// What evaluation reads and writes: the shell's variables.
pub trait ArithEnv {
    /// The variable's value, `None` when unset.
    fn get(&self, name: &str) -> Option<String>;
    /// Stores a value (as its decimal text).
    fn set(&mut self, name: &str, value: i64);
}

impl ArithExpr {
    /// Evaluates the expression against the shell's variables.
    pub fn eval(&self, env: &mut dyn ArithEnv) -> Result<i64, ArithError> {
        let mut resolving = Vec::new();
        eval(self, env, &mut resolving)
    }
}

fn eval(
    expr: &ArithExpr,
    env: &mut dyn ArithEnv,
    resolving: &mut Vec<String>,
) -> Result<i64, ArithError> {
    Ok(match expr {
        ArithExpr::Number(n) => *n,
        ArithExpr::Variable(name) => variable(name, env, resolving)?,
        ArithExpr::Unary { op, operand } => {
            let value = eval(operand, env, resolving)?;
            match op {
                UnaryOp::Negate => value.wrapping_neg(),
                UnaryOp::Not => (value == 0) as i64,
                UnaryOp::BitNot => !value,
            }
        }
        ArithExpr::Binary { op, left, right } => {
            let left = eval(left, env, resolving)?;
            let right = eval(right, env, resolving)?;
            apply(*op, left, right)?
        }
        ArithExpr::Assign { name, op, value } => {
            let value = eval(value, env, resolving)?;
            let value = match op {
                Some(op) => apply(*op, variable(name, env, resolving)?, value)?,
                None => value,
            };
            env.set(name, value);
            value
        }
        ArithExpr::IncDec {
            name,
            increment,
            prefix,
        } => {
            let old = variable(name, env, resolving)?;
            let new = if *increment {
                old.wrapping_add(1)
            } else {
                old.wrapping_sub(1)
            };
            env.set(name, new);
            if *prefix {
                new
            } else {
                old
            }
        }
        ArithExpr::Conditional {
            condition,
            then,
            otherwise,
        } => {
            if eval(condition, env, resolving)? != 0 {
                eval(then, env, resolving)?
            } else {
                eval(otherwise, env, resolving)?
            }
        }
    })
}

/// math.c's `arith_lookup_val()`: unset is 0, otherwise the value is an expression.
fn variable(
    name: &str,
    env: &mut dyn ArithEnv,
    resolving: &mut Vec<String>,
) -> Result<i64, ArithError> {
    let Some(value) = env.get(name) else {
        return Ok(0);
    };
    // The common case, a plain number, without a parse.
    if let Some(n) = plain_decimal(&value) {
        return Ok(n);
    }
    if resolving.iter().any(|seen| seen == name) {
        return Err(ArithError::RecursionLoop);
    }
    if resolving.len() as u32 >= MAX_DEPTH {
        return Err(ArithError::TooDeep);
    }
    let expr = parse(&value)?;
    resolving.push(name.to_string());
    let result = eval(&expr, env, resolving);
    resolving.pop();
    result
}

fn plain_decimal(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None; // octal
    }
    text.parse().ok()
}

/// math.c's `arith_apply()` for a binary operator.
fn apply(op: BinaryOp, left: i64, right: i64) -> Result<i64, ArithError> {
    Ok(match op {
        BinaryOp::Comma => right,
        BinaryOp::Or => (left != 0 || right != 0) as i64,
        BinaryOp::And => (left != 0 && right != 0) as i64,
        BinaryOp::BitOr => left | right,
        BinaryOp::BitXor => left ^ right,
        BinaryOp::BitAnd => left & right,
        BinaryOp::Eq => (left == right) as i64,
        BinaryOp::Ne => (left != right) as i64,
        BinaryOp::Lt => (left < right) as i64,
        BinaryOp::Gt => (left > right) as i64,
        BinaryOp::Le => (left <= right) as i64,
        BinaryOp::Ge => (left >= right) as i64,
        BinaryOp::Shl => left.wrapping_shl(right as u32),
        BinaryOp::Shr => left.wrapping_shr(right as u32),
        BinaryOp::Add => left.wrapping_add(right),
        BinaryOp::Sub => left.wrapping_sub(right),
        BinaryOp::Mul => left.wrapping_mul(right),
        BinaryOp::Div | BinaryOp::Rem => {
            if right == 0 {
                return Err(ArithError::DivideByZero);
            }
            if op == BinaryOp::Div {
                left.wrapping_div(right)
            } else {
                left.wrapping_rem(right)
            }
        }
        BinaryOp::Pow => {
            if right < 0 {
                return Err(ArithError::NegativeExponent);
            }
            let mut result: i64 = 1;
            let mut base = left;
            let mut exp = right as u64;
            while exp > 0 {
                if exp & 1 == 1 {
                    result = result.wrapping_mul(base);
                }
                base = base.wrapping_mul(base);
                exp >>= 1;
            }
            result
        }
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Number(i64),
    Name(String),
    /// A binary operator (also `+`/`-`, which are unary where an operand is expected).
    Op(BinaryOp),
    /// `=` or `op=`.
    Assign(Option<BinaryOp>),
    /// `++` or `--` attached to a variable (before or after it).
    IncDec {
        increment: bool,
    },
    Not,
    BitNot,
    Question,
    Colon,
    LParen,
    RParen,
}

/// Splits the text into tokens the way math.c's `evaluate_string()` scans it.
fn tokenize(text: &[u8]) -> Result<Vec<Token>, ArithError> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    // Whether the last operand token was a variable name, for math.c's `++`/`--` rule.
    let mut last_operand_is_name = false;
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    while pos < text.len() {
        let c = text[pos];
        if is_space(c) {
            pos += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let len = super::ast::name_length(&text[pos..]);
            let name = String::from_utf8_lossy(&text[pos..pos + len]).into_owned();
            tokens.push(Token::Name(name));
            pos += len;
            last_operand_is_name = true;
            continue;
        }
        if c.is_ascii_digit() {
            let (value, len) = number(&text[pos..]);
            pos += len;
            // "A number can't be followed by another number, or a variable name."
            if let Some(&next) = text.get(pos) {
                if next.is_ascii_alphanumeric() || next == b'_' {
                    return Err(ArithError::Syntax);
                }
            }
            tokens.push(Token::Number(value));
            last_operand_is_name = false;
            continue;
        }
        // XYZ++, XYZ--, ++XYZ, --XYZ only next to a variable name; otherwise `+` and `-`.
        if (c == b'+' || c == b'-') && text.get(pos + 1) == Some(&c) {
            let next = text[pos + 2..].iter().copied().find(|c| !is_space(*c));
            let next_is_name = matches!(next, Some(n) if n.is_ascii_alphabetic() || n == b'_');
            if last_operand_is_name || next_is_name {
                tokens.push(Token::IncDec {
                    increment: c == b'+',
                });
                pos += 2;
            } else {
                tokens.push(Token::Op(if c == b'+' {
                    BinaryOp::Add
                } else {
                    BinaryOp::Sub
                }));
                pos += 1;
            }
            continue;
        }
        let rest = &text[pos..];
        let (token, len) = operator(rest).ok_or(ArithError::Syntax)?;
        if token == Token::RParen {
            last_operand_is_name = false;
        }
        tokens.push(token);
        pos += len;
    }
    Ok(tokens)
}

/// The operator at the start of `rest`, longest first (math.c's `op_tokens`).
fn operator(rest: &[u8]) -> Option<(Token, usize)> {
    use BinaryOp::*;
    const THREE: [(&[u8], Token); 2] = [
        (b"<<=", Token::Assign(Some(Shl))),
        (b">>=", Token::Assign(Some(Shr))),
    ];
    const TWO: [(&[u8], Token); 16] = [
        (b"<<", Token::Op(Shl)),
        (b">>", Token::Op(Shr)),
        (b"||", Token::Op(Or)),
        (b"&&", Token::Op(And)),
        (b"!=", Token::Op(Ne)),
        (b"<=", Token::Op(Le)),
        (b">=", Token::Op(Ge)),
        (b"==", Token::Op(Eq)),
        (b"|=", Token::Assign(Some(BitOr))),
        (b"&=", Token::Assign(Some(BitAnd))),
        (b"*=", Token::Assign(Some(Mul))),
        (b"/=", Token::Assign(Some(Div))),
        (b"%=", Token::Assign(Some(Rem))),
        (b"+=", Token::Assign(Some(Add))),
        (b"-=", Token::Assign(Some(Sub))),
        (b"^=", Token::Assign(Some(BitXor))),
    ];
    for (text, token) in THREE {
        if rest.starts_with(text) {
            return Some((token, 3));
        }
    }
    for (text, token) in TWO {
        if rest.starts_with(text) {
            return Some((token, 2));
        }
    }
    if rest.starts_with(b"**") {
        return Some((Token::Op(Pow), 2));
    }
    let token = match rest[0] {
        b'!' => Token::Not,
        b'<' => Token::Op(Lt),
        b'>' => Token::Op(Gt),
        b'=' => Token::Assign(None),
        b'|' => Token::Op(BitOr),
        b'&' => Token::Op(BitAnd),
        b'*' => Token::Op(Mul),
        b'/' => Token::Op(Div),
        b'%' => Token::Op(Rem),
        b'+' => Token::Op(Add),
        b'-' => Token::Op(Sub),
        b'^' => Token::Op(BitXor),
        b'~' => Token::BitNot,
        b',' => Token::Op(Comma),
        b'?' => Token::Question,
        b':' => Token::Colon,
        b')' => Token::RParen,
        b'(' => Token::LParen,
        _ => return None,
    };
    Some((token, 1))
}

/// A number as math.c's `strto_arith_t()` reads it: C's `strtoull(.., 0)` (decimal, `0x` hex,
/// `0` octal; out of range is 0) and bash's `BASE#digits`. Returns the value and its length.
fn number(text: &[u8]) -> (i64, usize) {
    let (radix, start) = if text.len() > 2
        && text[0] == b'0'
        && (text[1] | 0x20) == b'x'
        && text[2].is_ascii_hexdigit()
    {
        (16, 2)
    } else if text[0] == b'0' {
        (8, 0)
    } else {
        (10, 0)
    };
    let mut len = start;
    let mut value: u64 = 0;
    let mut overflow = false;
    while let Some(digit) = text.get(len).and_then(|c| (*c as char).to_digit(radix)) {
        match value
            .checked_mul(radix as u64)
            .and_then(|v| v.checked_add(digit as u64))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        len += 1;
    }
    if overflow {
        // strtoull sets ERANGE; math.c pushes 0 ("bash compat").
        return (0, len);
    }
    if text.get(len) == Some(&b'#') && radix == 10 && text[0] != b'0' && (2..=64).contains(&value) {
        let base = value as u32;
        let mut n: u64 = 0;
        len += 1;
        while let Some(&c) = text.get(len) {
            let digit = match c {
                b'0'..=b'9' => (c - b'0') as u32,
                b'a'..=b'z' => (c - b'a') as u32 + 10,
                b'A'..=b'Z' if base <= 36 => (c - b'A') as u32 + 10,
                b'A'..=b'Z' => (c - b'A') as u32 + 36,
                b'@' if base > 36 => 62,
                b'_' if base > 36 => 63,
                _ => break,
            };
            if digit >= base {
                break;
            }
            n = n.wrapping_mul(base as u64).wrapping_add(digit as u64);
            len += 1;
        }
        return (n as i64, len);
    }
    (value as i64, len)
}

/// Precedence climbing over math.c's precedence table (lowest first): `,`; assignments; `?:`;
/// `||`; `&&`; `|`; `^`; `&`; `== !=`; `< > <= >=`; `<< >>`; `+ -`; `* / %`; `**`; unary.
struct ExprParser {
    tokens: Vec<Token>,
    pos: usize,
    depth: u32,
}

impl ExprParser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn enter(&mut self) -> Result<(), ArithError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ArithError::TooDeep);
        }
        Ok(())
    }

    fn comma(&mut self) -> Result<ArithExpr, ArithError> {
        self.enter()?;
        let mut left = self.assignment()?;
        while self.peek() == Some(&Token::Op(BinaryOp::Comma)) {
            self.pos += 1;
            let right = self.assignment()?;
            left = ArithExpr::Binary {
                op: BinaryOp::Comma,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn assignment(&mut self) -> Result<ArithExpr, ArithError> {
        if let (Some(Token::Name(name)), Some(Token::Assign(op))) =
            (self.tokens.get(self.pos), self.tokens.get(self.pos + 1))
        {
            let (name, op) = (name.clone(), *op);
            self.pos += 2;
            self.enter()?;
            let value = self.assignment()?;
            self.depth -= 1;
            return Ok(ArithExpr::Assign {
                name,
                op,
                value: Box::new(value),
            });
        }
        let expr = self.conditional()?;
        if let Some(Token::Assign(_)) = self.peek() {
            // `1 = 2`, `(a) = 1`, `a + b = 1`: only a bare name can be assigned.
            return Err(ArithError::Syntax);
        }
        Ok(expr)
    }

    fn conditional(&mut self) -> Result<ArithExpr, ArithError> {
        let condition = self.binary(0)?;
        if self.peek() != Some(&Token::Question) {
            return Ok(condition);
        }
        self.pos += 1;
        self.enter()?;
        // "EXPR in the middle of ? : is parsed as if parenthesized".
        let then = self.comma()?;
        if self.peek() != Some(&Token::Colon) {
            return Err(ArithError::MalformedConditional);
        }
        self.pos += 1;
        let otherwise = self.conditional()?;
        self.depth -= 1;
        Ok(ArithExpr::Conditional {
            condition: Box::new(condition),
            then: Box::new(then),
            otherwise: Box::new(otherwise),
        })
    }

    /// Left-associative binary operators from precedence `level` up; `**` (the last level) is
    /// right associative.
    fn binary(&mut self, level: usize) -> Result<ArithExpr, ArithError> {
        use BinaryOp::*;
        const LEVELS: [&[BinaryOp]; 10] = [
            &[Or],
            &[And],
            &[BitOr],
            &[BitXor],
            &[BitAnd],
            &[Eq, Ne],
            &[Lt, Gt, Le, Ge],
            &[Shl, Shr],
            &[Add, Sub],
            &[Mul, Div, Rem],
        ];
        if level == LEVELS.len() {
            return self.power();
        }
        let mut left = self.binary(level + 1)?;
        loop {
            let op = match self.peek() {
                Some(Token::Op(op)) if LEVELS[level].contains(op) => *op,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.binary(level + 1)?;
            left = ArithExpr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
    }

    fn power(&mut self) -> Result<ArithExpr, ArithError> {
        let base = self.unary()?;
        if self.peek() != Some(&Token::Op(BinaryOp::Pow)) {
            return Ok(base);
        }
        self.pos += 1;
        self.enter()?;
        let exponent = self.power()?;
        self.depth -= 1;
        Ok(ArithExpr::Binary {
            op: BinaryOp::Pow,
            left: Box::new(base),
            right: Box::new(exponent),
        })
    }

    fn unary(&mut self) -> Result<ArithExpr, ArithError> {
        let op = match self.peek() {
            Some(Token::Op(BinaryOp::Add)) => None,
            Some(Token::Op(BinaryOp::Sub)) => Some(UnaryOp::Negate),
            Some(Token::Not) => Some(UnaryOp::Not),
            Some(Token::BitNot) => Some(UnaryOp::BitNot),
            Some(Token::IncDec { increment }) => {
                let increment = *increment;
                self.pos += 1;
                return match self.tokens.get(self.pos) {
                    Some(Token::Name(name)) => {
                        let name = name.clone();
                        self.pos += 1;
                        if let Some(Token::IncDec { .. }) = self.peek() {
                            return Err(ArithError::Syntax);
                        }
                        Ok(ArithExpr::IncDec {
                            name,
                            increment,
                            prefix: true,
                        })
                    }
                    _ => Err(ArithError::Syntax),
                };
            }
            _ => return self.postfix(),
        };
        self.pos += 1;
        self.enter()?;
        let operand = self.unary()?;
        self.depth -= 1;
        Ok(match op {
            // Unary plus does nothing (math.c does not even push it).
            None => operand,
            Some(op) => ArithExpr::Unary {
                op,
                operand: Box::new(operand),
            },
        })
    }

    fn postfix(&mut self) -> Result<ArithExpr, ArithError> {
        let primary = self.primary()?;
        if let Some(Token::IncDec { increment }) = self.peek() {
            let increment = *increment;
            let ArithExpr::Variable(name) = primary else {
                return Err(ArithError::Syntax);
            };
            self.pos += 1;
            return Ok(ArithExpr::IncDec {
                name,
                increment,
                prefix: false,
            });
        }
        Ok(primary)
    }

    fn primary(&mut self) -> Result<ArithExpr, ArithError> {
        let token = self.peek().cloned().ok_or(ArithError::Syntax)?;
        self.pos += 1;
        match token {
            Token::Number(n) => Ok(ArithExpr::Number(n)),
            Token::Name(name) => Ok(ArithExpr::Variable(name)),
            Token::LParen => {
                let inner = self.comma()?;
                if self.peek() != Some(&Token::RParen) {
                    return Err(match self.peek() {
                        Some(Token::Colon) => ArithError::MalformedConditional,
                        _ => ArithError::Syntax,
                    });
                }
                self.pos += 1;
                Ok(inner)
            }
            Token::Colon => Err(ArithError::MalformedConditional),
            _ => Err(ArithError::Syntax),
        }
    }
}
