//! The awk grammar (POSIX's, as busybox's `parse_program`/`parse_expr` accept it) into a
//! tree. Errors are busybox's two: `Unexpected token`, and `Unexpected end of string` when
//! the surprise is a newline or the end of the program.

use std::collections::BTreeMap;

use super::lex::{lex, SyntaxError, Tok, Token, UNEXPECTED_EOS, UNEXPECTED_TOKEN};

/// How deep expressions and statements may nest (a bound, so no input overflows the stack).
const MAX_DEPTH: u32 = 200;

#[derive(Clone, Debug)]
pub enum Expr {
    Num(f64),
    Str(String),
    /// A regex literal: alone, it matches `$0`.
    Regex(String),
    Field(Box<Expr>),
    Var(String),
    Index(String, Vec<Expr>),
    /// `=` or an arithmetic assignment (`+`, `-`, `*`, `/`, `%`, `^`).
    Assign(Option<char>, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Plus(Box<Expr>),
    Arith(char, Box<Expr>, Box<Expr>),
    Cmp(&'static str, Box<Expr>, Box<Expr>),
    Match(bool, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    In(Vec<Expr>, String),
    /// `++x`/`--x` (true: increment).
    PreIncr(bool, Box<Expr>),
    PostIncr(bool, Box<Expr>),
    Call(String, Vec<Expr>),
    Builtin(&'static str, Vec<Expr>),
    /// `getline [var] [< file]`; `cmd | getline [var]` has a command.
    Getline {
        var: Option<Box<Expr>>,
        file: Option<Box<Expr>>,
        cmd: Option<Box<Expr>>,
    },
    /// `(a, b)`: only for `print (a, b)` and `(a, b) in arr`.
    Group(Vec<Expr>),
}

#[derive(Clone, Debug)]
pub enum Redirect {
    Truncate(Expr),
    Append(Expr),
    Pipe(Expr),
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Expr(Expr, u32),
    Print(Vec<Expr>, Option<Redirect>, u32),
    Printf(Vec<Expr>, Option<Redirect>, u32),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    Do(Box<Stmt>, Expr),
    For(Option<Expr>, Option<Expr>, Option<Expr>, Box<Stmt>),
    ForIn(String, String, Box<Stmt>),
    Block(Vec<Stmt>),
    Next,
    NextFile,
    Exit(Option<Expr>),
    Return(Option<Expr>),
    Break,
    Continue,
    Delete(String, Option<Vec<Expr>>),
}

#[derive(Clone, Debug)]
pub enum Pattern {
    All,
    Expr(Expr),
    Range(Expr, Expr),
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub pattern: Pattern,
    /// None: print the record.
    pub action: Option<Vec<Stmt>>,
}

#[derive(Clone, Debug)]
pub struct Func {
    pub params: Vec<String>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub begin: Vec<Stmt>,
    pub end: Vec<Stmt>,
    pub rules: Vec<Rule>,
    pub funcs: BTreeMap<String, Func>,
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    depth: u32,
    /// Parsing `print`'s arguments: an unparenthesized `>` is a redirection.
    no_gt: bool,
    /// Parsing `for (x in ...`'s header: `in` ends the operand.
    no_in: bool,
}

type PResult<T> = Result<T, SyntaxError>;

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.i).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.toks
            .get(self.i + n)
            .map(|t| &t.tok)
            .unwrap_or(&Tok::Eof)
    }

    fn line(&self) -> u32 {
        self.toks
            .get(self.i)
            .or(self.toks.last())
            .map_or(1, |t| t.line)
    }

    fn advance(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn error(&self) -> SyntaxError {
        // busybox says "end of string" for a newline where it wants more; the end of the
        // program is just an unexpected token (its TC_EOF is rarely out of place).
        let message = match self.peek() {
            Tok::Newline => UNEXPECTED_EOS,
            _ => UNEXPECTED_TOKEN,
        };
        SyntaxError {
            line: self.line(),
            message: message.into(),
        }
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Kw(k) if *k == kw)
    }

    fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.is_op(op) {
            self.advance();
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.advance();
        }
    }

    fn terminators(&mut self) {
        while matches!(self.peek(), Tok::Newline) || self.is_op(";") {
            self.advance();
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error());
        }
        Ok(())
    }

    fn program(&mut self, prog: &mut Program) -> PResult<()> {
        loop {
            self.terminators();
            match self.peek().clone() {
                Tok::Eof => return Ok(()),
                Tok::Kw("BEGIN") => {
                    self.advance();
                    self.newlines();
                    let b = self.block()?;
                    prog.begin.extend(b);
                }
                Tok::Kw("END") => {
                    self.advance();
                    self.newlines();
                    let b = self.block()?;
                    prog.end.extend(b);
                }
                Tok::Kw("function") | Tok::Kw("func") => {
                    self.advance();
                    let name = match self.advance() {
                        Tok::Func(n) | Tok::Name(n) => n,
                        _ => {
                            self.i = self.i.saturating_sub(1);
                            return Err(self.error());
                        }
                    };
                    self.expect_op("(")?;
                    let mut params = Vec::new();
                    while !self.is_op(")") {
                        match self.advance() {
                            Tok::Name(p) => params.push(p),
                            _ => {
                                self.i = self.i.saturating_sub(1);
                                return Err(self.error());
                            }
                        }
                        self.newlines();
                        if self.is_op(",") {
                            self.advance();
                            self.newlines();
                        } else if !self.is_op(")") {
                            return Err(self.error());
                        }
                    }
                    self.advance();
                    self.newlines();
                    let body = self.block()?;
                    prog.funcs.insert(name, Func { params, body });
                }
                Tok::Op("{") => {
                    let action = self.block()?;
                    prog.rules.push(Rule {
                        pattern: Pattern::All,
                        action: Some(action),
                    });
                }
                _ => {
                    let first = self.expr()?;
                    let pattern = if self.is_op(",") {
                        self.advance();
                        self.newlines();
                        Pattern::Range(first, self.expr()?)
                    } else {
                        Pattern::Expr(first)
                    };
                    let action = if self.is_op("{") {
                        Some(self.block()?)
                    } else {
                        None
                    };
                    prog.rules.push(Rule { pattern, action });
                }
            }
        }
    }

    fn block(&mut self) -> PResult<Vec<Stmt>> {
        self.enter()?;
        self.expect_op("{")?;
        let mut out = Vec::new();
        loop {
            self.terminators();
            if self.is_op("}") {
                self.advance();
                break;
            }
            if matches!(self.peek(), Tok::Eof) {
                // An unclosed group: busybox calls the end a token here.
                return Err(SyntaxError {
                    line: self.line(),
                    message: UNEXPECTED_TOKEN.into(),
                });
            }
            out.push(self.stmt()?);
        }
        self.depth -= 1;
        Ok(out)
    }

    /// The end of a simple statement: `;`, a newline, or (not consumed) `}`.
    fn end_simple(&mut self) -> PResult<()> {
        if self.is_op(";") || matches!(self.peek(), Tok::Newline) {
            self.advance();
            return Ok(());
        }
        if self.is_op("}") || matches!(self.peek(), Tok::Eof) {
            return Ok(());
        }
        Err(self.error())
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let s = self.stmt_inner();
        self.depth -= 1;
        s
    }

    fn body(&mut self) -> PResult<Stmt> {
        self.newlines();
        if self.is_op(";") {
            self.advance();
            return Ok(Stmt::Block(Vec::new()));
        }
        self.stmt()
    }

    fn stmt_inner(&mut self) -> PResult<Stmt> {
        let line = self.line();
        match self.peek().clone() {
            Tok::Op("{") => Ok(Stmt::Block(self.block()?)),
            Tok::Kw("if") => {
                self.advance();
                self.expect_op("(")?;
                let cond = self.expr()?;
                self.expect_op(")")?;
                let then = self.body()?;
                // `if (c) s; else t`: the `;` (and newlines) before else.
                let save = self.i;
                self.terminators();
                if self.is_kw("else") {
                    self.advance();
                    let other = self.body()?;
                    Ok(Stmt::If(cond, Box::new(then), Some(Box::new(other))))
                } else {
                    self.i = save;
                    Ok(Stmt::If(cond, Box::new(then), None))
                }
            }
            Tok::Kw("while") => {
                self.advance();
                self.expect_op("(")?;
                let cond = self.expr()?;
                self.expect_op(")")?;
                if self.is_op(";") {
                    self.advance();
                    return Ok(Stmt::While(cond, Box::new(Stmt::Block(Vec::new()))));
                }
                let body = self.body()?;
                Ok(Stmt::While(cond, Box::new(body)))
            }
            Tok::Kw("do") => {
                self.advance();
                let body = self.body()?;
                self.terminators();
                if !self.is_kw("while") {
                    return Err(self.error());
                }
                self.advance();
                self.expect_op("(")?;
                let cond = self.expr()?;
                self.expect_op(")")?;
                self.end_simple()?;
                Ok(Stmt::Do(Box::new(body), cond))
            }
            Tok::Kw("for") => {
                self.advance();
                self.expect_op("(")?;
                if let (Tok::Name(v), Tok::Kw("in"), Tok::Name(a)) = (
                    self.peek().clone(),
                    self.peek_at(1).clone(),
                    self.peek_at(2).clone(),
                ) {
                    if matches!(self.peek_at(3), Tok::Op(")")) {
                        self.i += 4;
                        let body = self.body()?;
                        return Ok(Stmt::ForIn(v, a, Box::new(body)));
                    }
                }
                let init = if self.is_op(";") {
                    None
                } else {
                    Some(self.simple_or_expr()?)
                };
                self.expect_op(";")?;
                self.newlines();
                let cond = if self.is_op(";") {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect_op(";")?;
                self.newlines();
                let step = if self.is_op(")") {
                    None
                } else {
                    Some(self.simple_or_expr()?)
                };
                self.expect_op(")")?;
                if self.is_op(";") {
                    self.advance();
                    return Ok(Stmt::For(
                        init,
                        cond,
                        step,
                        Box::new(Stmt::Block(Vec::new())),
                    ));
                }
                let body = self.body()?;
                Ok(Stmt::For(init, cond, step, Box::new(body)))
            }
            Tok::Op(";") => {
                self.advance();
                Ok(Stmt::Block(Vec::new()))
            }
            _ => {
                let s = self.simple(line)?;
                self.end_simple()?;
                Ok(s)
            }
        }
    }

    fn simple_or_expr(&mut self) -> PResult<Expr> {
        self.expr()
    }

    fn simple(&mut self, line: u32) -> PResult<Stmt> {
        match self.peek().clone() {
            Tok::Kw("print") | Tok::Kw("printf") => {
                let printf = self.is_kw("printf");
                self.advance();
                let mut args = Vec::new();
                let saved = self.no_gt;
                self.no_gt = true;
                if !self.at_print_end() {
                    args.push(self.expr()?);
                    while self.is_op(",") {
                        self.advance();
                        self.newlines();
                        args.push(self.expr()?);
                    }
                }
                self.no_gt = saved;
                if args.len() == 1 {
                    if let Some(Expr::Group(list)) = args.first().cloned() {
                        args = list;
                    }
                }
                let redirect = if self.is_op(">") {
                    self.advance();
                    Some(Redirect::Truncate(self.redirect_target()?))
                } else if self.is_op(">>") {
                    self.advance();
                    Some(Redirect::Append(self.redirect_target()?))
                } else if self.is_op("|") {
                    self.advance();
                    Some(Redirect::Pipe(self.redirect_target()?))
                } else {
                    None
                };
                if printf && args.is_empty() {
                    return Err(self.error());
                }
                Ok(if printf {
                    Stmt::Printf(args, redirect, line)
                } else {
                    Stmt::Print(args, redirect, line)
                })
            }
            Tok::Kw("next") => {
                self.advance();
                Ok(Stmt::Next)
            }
            Tok::Kw("nextfile") => {
                self.advance();
                Ok(Stmt::NextFile)
            }
            Tok::Kw("break") => {
                self.advance();
                Ok(Stmt::Break)
            }
            Tok::Kw("continue") => {
                self.advance();
                Ok(Stmt::Continue)
            }
            Tok::Kw("exit") | Tok::Kw("return") => {
                let exit = self.is_kw("exit");
                self.advance();
                let e = if self.is_op(";")
                    || self.is_op("}")
                    || matches!(self.peek(), Tok::Newline | Tok::Eof)
                {
                    None
                } else {
                    Some(self.expr()?)
                };
                Ok(if exit { Stmt::Exit(e) } else { Stmt::Return(e) })
            }
            Tok::Kw("delete") => {
                self.advance();
                let Tok::Name(name) = self.advance() else {
                    self.i = self.i.saturating_sub(1);
                    return Err(self.error());
                };
                if self.is_op("[") {
                    self.advance();
                    let subs = self.expr_list("]")?;
                    Ok(Stmt::Delete(name, Some(subs)))
                } else {
                    Ok(Stmt::Delete(name, None))
                }
            }
            _ => Ok(Stmt::Expr(self.expr()?, line)),
        }
    }

    fn at_print_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::Eof)
            || self.is_op(";")
            || self.is_op("}")
            || self.is_op(">")
            || self.is_op(">>")
            || self.is_op("|")
    }

    fn expr_list(&mut self, close: &str) -> PResult<Vec<Expr>> {
        let mut out = vec![self.expr()?];
        while self.is_op(",") {
            self.advance();
            self.newlines();
            out.push(self.expr()?);
        }
        self.expect_op(close)?;
        Ok(out)
    }

    pub fn expr(&mut self) -> PResult<Expr> {
        self.enter()?;
        let e = self.ternary();
        self.depth -= 1;
        e
    }

    fn is_lvalue(e: &Expr) -> bool {
        matches!(e, Expr::Var(_) | Expr::Index(..) | Expr::Field(_))
    }

    fn ternary(&mut self) -> PResult<Expr> {
        let cond = self.or()?;
        if self.is_op("?") {
            self.advance();
            self.newlines();
            let a = self.expr()?;
            self.newlines();
            self.expect_op(":")?;
            self.newlines();
            let b = self.expr()?;
            return Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)));
        }
        let op = match self.peek() {
            Tok::Op("=") => Some(None),
            Tok::Op("+=") => Some(Some('+')),
            Tok::Op("-=") => Some(Some('-')),
            Tok::Op("*=") => Some(Some('*')),
            Tok::Op("/=") => Some(Some('/')),
            Tok::Op("%=") => Some(Some('%')),
            Tok::Op("^=") | Tok::Op("**=") => Some(Some('^')),
            _ => None,
        };
        if let Some(op) = op {
            if Self::is_lvalue(&cond) {
                self.advance();
                self.newlines();
                let value = self.expr()?;
                return Ok(Expr::Assign(op, Box::new(cond), Box::new(value)));
            }
        }
        Ok(cond)
    }

    fn or(&mut self) -> PResult<Expr> {
        let mut l = self.and()?;
        let base = self.depth;
        while self.is_op("||") {
            self.enter()?;
            self.advance();
            self.newlines();
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        self.depth = base;
        Ok(l)
    }

    fn and(&mut self) -> PResult<Expr> {
        let mut l = self.in_expr()?;
        let base = self.depth;
        while self.is_op("&&") {
            self.enter()?;
            self.advance();
            self.newlines();
            let r = self.in_expr()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        self.depth = base;
        Ok(l)
    }

    fn in_expr(&mut self) -> PResult<Expr> {
        let mut l = self.matching()?;
        while self.is_kw("in") && !self.no_in {
            self.advance();
            let Tok::Name(arr) = self.advance() else {
                self.i = self.i.saturating_sub(1);
                return Err(self.error());
            };
            let subs = match l {
                Expr::Group(list) => list,
                other => vec![other],
            };
            l = Expr::In(subs, arr);
        }
        Ok(l)
    }

    fn matching(&mut self) -> PResult<Expr> {
        let mut l = self.comparison()?;
        let base = self.depth;
        loop {
            let neg = if self.is_op("~") {
                false
            } else if self.is_op("!~") {
                true
            } else {
                {
                    self.depth = base;
                    return Ok(l);
                }
            };
            self.enter()?;
            self.advance();
            let r = self.comparison()?;
            l = Expr::Match(neg, Box::new(l), Box::new(r));
        }
    }

    fn comparison(&mut self) -> PResult<Expr> {
        let l = self.concat()?;
        let op = match self.peek() {
            Tok::Op("<") => "<",
            Tok::Op("<=") => "<=",
            Tok::Op("==") => "==",
            Tok::Op("!=") => "!=",
            Tok::Op(">=") => ">=",
            Tok::Op(">") if !self.no_gt => ">",
            _ => return Ok(l),
        };
        self.advance();
        let r = self.concat()?;
        Ok(Expr::Cmp(op, Box::new(l), Box::new(r)))
    }

    fn starts_operand(&self) -> bool {
        match self.peek() {
            Tok::Num(_) | Tok::Str(_) | Tok::Name(_) | Tok::Func(_) | Tok::Builtin(_) => true,
            Tok::Op("$") | Tok::Op("(") | Tok::Op("!") | Tok::Op("++") | Tok::Op("--") => true,
            Tok::Op("-") | Tok::Op("+") => false,
            Tok::Kw("in") => false,
            Tok::Regex(_) => true,
            _ => false,
        }
    }

    fn concat(&mut self) -> PResult<Expr> {
        let mut l = self.additive()?;
        let base = self.depth;
        while self.starts_operand() && !(self.is_kw("in")) {
            self.enter()?;
            if self.is_op("!") {
                // `a !~ b` is lexed as `!~`; a lone `!` here is not a concatenation.
                break;
            }
            let r = self.additive()?;
            l = Expr::Concat(Box::new(l), Box::new(r));
        }
        self.depth = base;
        Ok(l)
    }

    /// The target of a redirection: the rest of the statement (`print x > 3 ? "a" : "b"`
    /// writes to file `a`, as busybox parses it).
    fn redirect_target(&mut self) -> PResult<Expr> {
        let saved = self.no_gt;
        self.no_gt = true;
        let e = self.expr();
        self.no_gt = saved;
        e
    }

    fn additive(&mut self) -> PResult<Expr> {
        let mut l = self.multiplicative()?;
        let base = self.depth;
        loop {
            let op = match self.peek() {
                Tok::Op("+") => '+',
                Tok::Op("-") => '-',
                _ => {
                    self.depth = base;
                    return Ok(l);
                }
            };
            self.enter()?;
            self.advance();
            self.newlines();
            let r = self.multiplicative()?;
            l = Expr::Arith(op, Box::new(l), Box::new(r));
        }
    }

    fn multiplicative(&mut self) -> PResult<Expr> {
        let mut l = self.unary()?;
        let base = self.depth;
        loop {
            let op = match self.peek() {
                Tok::Op("*") => '*',
                Tok::Op("/") => '/',
                Tok::Op("%") => '%',
                _ => {
                    self.depth = base;
                    return Ok(l);
                }
            };
            self.enter()?;
            self.advance();
            self.newlines();
            let r = self.unary()?;
            l = Expr::Arith(op, Box::new(l), Box::new(r));
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let e = match self.peek() {
            Tok::Op("!") => {
                self.advance();
                Expr::Not(Box::new(self.unary()?))
            }
            Tok::Op("-") => {
                self.advance();
                Expr::Neg(Box::new(self.unary()?))
            }
            Tok::Op("+") => {
                self.advance();
                Expr::Plus(Box::new(self.unary()?))
            }
            _ => self.power()?,
        };
        self.depth -= 1;
        Ok(e)
    }

    /// `^` (and `**`): tighter than unary minus on its left, and left-associative as
    /// busybox groups it (`P(15)`, odd: left to right), so `2^3^2` is 64.
    fn power(&mut self) -> PResult<Expr> {
        let mut base = self.postfix()?;
        let start = self.depth;
        while self.is_op("^") || self.is_op("**") {
            self.advance();
            self.enter()?;
            self.enter()?;
            let exp = match self.peek() {
                Tok::Op("-") => {
                    self.advance();
                    Expr::Neg(Box::new(self.postfix()?))
                }
                Tok::Op("+") => {
                    self.advance();
                    self.postfix()?
                }
                Tok::Op("!") => {
                    self.advance();
                    Expr::Not(Box::new(self.postfix()?))
                }
                _ => self.postfix()?,
            };
            self.depth -= 1;
            base = Expr::Arith('^', Box::new(base), Box::new(exp));
        }
        self.depth = start;
        Ok(base)
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let e = self.primary()?;
        if Self::is_lvalue(&e) {
            if self.is_op("++") {
                self.advance();
                return Ok(Expr::PostIncr(true, Box::new(e)));
            }
            if self.is_op("--") {
                self.advance();
                return Ok(Expr::PostIncr(false, Box::new(e)));
            }
        }
        Ok(e)
    }

    fn primary(&mut self) -> PResult<Expr> {
        self.enter()?;
        let e = self.primary_inner();
        self.depth -= 1;
        let mut e = e?;
        // `cmd | getline [var]`.
        while self.is_op("|") && matches!(self.peek_at(1), Tok::Kw("getline")) {
            self.i += 2;
            let var = self.getline_var()?;
            e = Expr::Getline {
                var,
                file: None,
                cmd: Some(Box::new(e)),
            };
        }
        Ok(e)
    }

    fn getline_var(&mut self) -> PResult<Option<Box<Expr>>> {
        if matches!(self.peek(), Tok::Name(_)) || self.is_op("$") {
            let v = self.primary_no_pipe()?;
            return Ok(Some(Box::new(v)));
        }
        Ok(None)
    }

    fn primary_no_pipe(&mut self) -> PResult<Expr> {
        self.enter()?;
        let e = self.primary_inner();
        self.depth -= 1;
        e
    }

    fn primary_inner(&mut self) -> PResult<Expr> {
        match self.advance() {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Regex(r) => Ok(Expr::Regex(r)),
            Tok::Op("$") => {
                let e = match self.peek() {
                    Tok::Op("++") | Tok::Op("--") => {
                        let inc = self.is_op("++");
                        self.advance();
                        let target = self.primary_no_pipe()?;
                        Expr::PreIncr(inc, Box::new(target))
                    }
                    Tok::Op("-") => {
                        self.advance();
                        Expr::Neg(Box::new(self.primary_no_pipe()?))
                    }
                    _ => self.primary_no_pipe()?,
                };
                Ok(Expr::Field(Box::new(e)))
            }
            Tok::Op("++") | Tok::Op("--") => {
                let inc = matches!(
                    self.toks.get(self.i - 1).map(|t| &t.tok),
                    Some(Tok::Op("++"))
                );
                let target = self.primary_no_pipe()?;
                if !Self::is_lvalue(&target) {
                    return Err(self.error());
                }
                Ok(Expr::PreIncr(inc, Box::new(target)))
            }
            Tok::Op("-") => Ok(Expr::Neg(Box::new(self.unary()?))),
            Tok::Op("+") => Ok(Expr::Plus(Box::new(self.unary()?))),
            Tok::Op("!") => Ok(Expr::Not(Box::new(self.unary()?))),
            Tok::Op("(") => {
                let saved = (self.no_gt, self.no_in);
                self.no_gt = false;
                self.no_in = false;
                self.newlines();
                let first = self.expr()?;
                self.newlines();
                let r = if self.is_op(",") {
                    let mut list = vec![first];
                    while self.is_op(",") {
                        self.advance();
                        self.newlines();
                        list.push(self.expr()?);
                    }
                    self.expect_op(")")?;
                    Expr::Group(list)
                } else {
                    self.expect_op(")")?;
                    first
                };
                (self.no_gt, self.no_in) = saved;
                Ok(r)
            }
            Tok::Name(n) => {
                if self.is_op("[") {
                    self.advance();
                    let saved = (self.no_gt, self.no_in);
                    self.no_gt = false;
                    self.no_in = false;
                    let subs = self.expr_list("]")?;
                    (self.no_gt, self.no_in) = saved;
                    return Ok(Expr::Index(n, subs));
                }
                Ok(Expr::Var(n))
            }
            Tok::Func(n) => {
                self.expect_op("(")?;
                let args = self.call_args()?;
                Ok(Expr::Call(n, args))
            }
            Tok::Builtin(b) => {
                if self.is_op("(") {
                    self.advance();
                    let args = self.call_args()?;
                    return Ok(Expr::Builtin(b, args));
                }
                if b == "length" {
                    return Ok(Expr::Builtin(b, Vec::new()));
                }
                Err(self.error())
            }
            Tok::Kw("getline") => {
                let var = self.getline_var()?;
                let file = if self.is_op("<") {
                    self.advance();
                    Some(Box::new(self.primary_no_pipe()?))
                } else {
                    None
                };
                Ok(Expr::Getline {
                    var,
                    file,
                    cmd: None,
                })
            }
            _ => {
                self.i = self.i.saturating_sub(1);
                Err(self.error())
            }
        }
    }

    fn call_args(&mut self) -> PResult<Vec<Expr>> {
        let saved = (self.no_gt, self.no_in);
        self.no_gt = false;
        self.no_in = false;
        self.newlines();
        let args = if self.is_op(")") {
            self.advance();
            Vec::new()
        } else {
            self.expr_list(")")?
        };
        (self.no_gt, self.no_in) = saved;
        Ok(args)
    }
}

/// Parses `src` into `prog` (several `-f`/`-e` programs add up).
pub fn parse(src: &str, prog: &mut Program) -> Result<(), SyntaxError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
        no_gt: false,
        no_in: false,
    };
    p.program(prog)
}
