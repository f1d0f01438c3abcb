//! ash's grammar: `list()`, `andor()`, `pipeline()`, `parse_command()`, `simplecmd()` and
//! `parsefname()` from busybox `shell/ash.c`, with its token-at-a-time control flow (one token
//! of push-back, keywords recognised only where `checkkwd` allows), so that what is accepted and
//! the error text for what is not are ash's. The characters-to-tokens half is in
//! `lexer.rs`.
//!
//! ash reads and runs a script one line at a time (`cmdloop()`/`evalstring()` call `parsecmd()`,
//! which parses up to a newline at nesting level zero, then run it): the commands before a
//! syntax error run, then the shell stops. [`Parser::next_command`] gives the interpreter that
//! rhythm; [`parse`] parses a whole script up front for tests and tools.

use std::fmt;
use std::rc::Rc;

use super::ast::*;

/// Never parse deeper than this (nested lists, substitutions and `${...}`): ash has no limit
/// but a C stack; ours is the browser's, and a hostile script must not exhaust it.
pub const MAX_DEPTH: u32 = 100;

// ash's `checkkwd` bits: what `readtoken()` may do with the next word.
/// (Aliases: podplay's shell has none; kept so the flag sets read like ash's.)
pub(super) const CHKALIAS: u8 = 0x1;
/// Recognise reserved words.
pub(super) const CHKKWD: u8 = 0x2;
/// Skip newlines (reading pending here-documents at each).
pub(super) const CHKNL: u8 = 0x4;
/// Reading a here-document delimiter: `$` and `` ` `` are plain characters.
pub(super) const CHKEOFMARK: u8 = 0x8;

/// ash's tokens (`TEOF`..`TEND`), named as its `tokname_array` names them in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Eof,
    Newline,
    Redirection,
    Word,
    Semi,
    Amp,
    AndIf,
    OrIf,
    Pipe,
    LParen,
    RParen,
    DSemi,
    // Reserved words.
    Bang,
    Case,
    Do,
    Done,
    Elif,
    Else,
    Esac,
    Fi,
    For,
    Function,
    If,
    In,
    Then,
    Until,
    While,
    LBrace,
    RBrace,
}

impl Token {
    /// The name ash prints: bare for the first four, quoted for the rest (ash's `tokname()`).
    pub fn name(self) -> &'static str {
        match self {
            Token::Eof => "end of file",
            Token::Newline => "newline",
            Token::Redirection => "redirection",
            Token::Word => "word",
            Token::Semi => "\";\"",
            Token::Amp => "\"&\"",
            Token::AndIf => "\"&&\"",
            Token::OrIf => "\"||\"",
            Token::Pipe => "\"|\"",
            Token::LParen => "\"(\"",
            Token::RParen => "\")\"",
            Token::DSemi => "\";;\"",
            Token::Bang => "\"!\"",
            Token::Case => "\"case\"",
            Token::Do => "\"do\"",
            Token::Done => "\"done\"",
            Token::Elif => "\"elif\"",
            Token::Else => "\"else\"",
            Token::Esac => "\"esac\"",
            Token::Fi => "\"fi\"",
            Token::For => "\"for\"",
            Token::Function => "\"function\"",
            Token::If => "\"if\"",
            Token::In => "\"in\"",
            Token::Then => "\"then\"",
            Token::Until => "\"until\"",
            Token::While => "\"while\"",
            Token::LBrace => "\"{\"",
            Token::RBrace => "\"}\"",
        }
    }

    /// Whether the token ends a list (ash's `tokendlist`).
    fn ends_list(self) -> bool {
        matches!(
            self,
            Token::Eof
                | Token::RParen
                | Token::DSemi
                | Token::Do
                | Token::Done
                | Token::Elif
                | Token::Else
                | Token::Esac
                | Token::Fi
                | Token::Then
                | Token::RBrace
        )
    }

    /// The reserved word spelled `text` (ash's `findkwd()`).
    pub(super) fn keyword(text: &str) -> Option<Token> {
        Some(match text {
            "!" => Token::Bang,
            "case" => Token::Case,
            "do" => Token::Do,
            "done" => Token::Done,
            "elif" => Token::Elif,
            "else" => Token::Else,
            "esac" => Token::Esac,
            "fi" => Token::Fi,
            "for" => Token::For,
            "function" => Token::Function,
            "if" => Token::If,
            "in" => Token::In,
            "then" => Token::Then,
            "until" => Token::Until,
            "while" => Token::While,
            "{" => Token::LBrace,
            "}" => Token::RBrace,
            _ => return None,
        })
    }
}

/// A syntax error, as ash reports it: the shell prints `sh: ` and the [`fmt::Display`] text
/// (`sh: syntax error: unexpected "fi"`), with `line N: ` after the `sh: ` when running a script
/// file (ash's `ash_vmsg()`), and exits with status 2.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// The line the parser had reached (ash's `errlinno`): the line of the offending token, or
    /// the next one when that token was a newline.
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// `unexpected X`, or `unexpected X (expecting Y)` (ash's `raise_error_unexpected_syntax`).
    Unexpected {
        found: Token,
        expecting: Option<Token>,
    },
    /// `unterminated quoted string`.
    UnterminatedQuotedString,
    /// `missing '}'`: end of input inside `${`.
    MissingBrace,
    /// `missing '))'`: end of input inside `$((`.
    MissingArithParen,
    /// `EOF in backquote substitution`.
    EofInBackquote,
    /// `bad for loop variable`.
    BadForLoopVariable,
    /// `bad function name`: not a name, or the name of a special builtin.
    BadFunctionName,
    /// podplay's own: nesting beyond [`MAX_DEPTH`] (busybox would crash first).
    TooDeep,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("syntax error: ")?;
        match &self.kind {
            SyntaxErrorKind::Unexpected {
                found,
                expecting: None,
            } => write!(f, "unexpected {}", found.name()),
            SyntaxErrorKind::Unexpected {
                found,
                expecting: Some(expecting),
            } => {
                write!(
                    f,
                    "unexpected {} (expecting {})",
                    found.name(),
                    expecting.name()
                )
            }
            SyntaxErrorKind::UnterminatedQuotedString => f.write_str("unterminated quoted string"),
            SyntaxErrorKind::MissingBrace => f.write_str("missing '}'"),
            SyntaxErrorKind::MissingArithParen => f.write_str("missing '))'"),
            SyntaxErrorKind::EofInBackquote => f.write_str("EOF in backquote substitution"),
            SyntaxErrorKind::BadForLoopVariable => f.write_str("bad for loop variable"),
            SyntaxErrorKind::BadFunctionName => f.write_str("bad function name"),
            SyntaxErrorKind::TooDeep => f.write_str("nesting too deep"),
        }
    }
}

impl std::error::Error for SyntaxError {}

pub(super) type PResult<T> = Result<T, SyntaxError>;

/// A whole script, parsed up front: its lines, each the list ash's `parsecmd()` would return.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    pub lines: Vec<List>,
}

/// Parses a whole script. A script that fails on its third line fails here as a whole; use
/// [`Parser::next_command`] to run the lines before the error, as ash does.
pub fn parse(src: &str) -> Result<Program, SyntaxError> {
    let mut parser = Parser::new(src);
    let mut lines = Vec::new();
    while let Some(list) = parser.next_command()? {
        lines.push(list);
    }
    Ok(Program { lines })
}

/// The redirection operator the lexer last read (ash's `redirnode` before its target is known).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RedirOp {
    Output,
    Clobber,
    Append,
    Input,
    ReadWrite,
    DupOutput,
    DupInput,
    OutputAndError,
    HereDoc { strip_tabs: bool },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PendingRedir {
    /// The digits before the operator, if any.
    pub fd: Option<u32>,
    pub op: RedirOp,
}

/// A here-document whose body is still to be read (ash's `struct heredoc`).
#[derive(Clone, Debug)]
pub(super) struct PendingHereDoc {
    pub delimiter: Vec<u8>,
    pub strip_tabs: bool,
    pub quoted: bool,
}

/// ash's parser state over one input string. Fields shared with `lexer.rs`.
pub struct Parser<'a> {
    pub(super) src: &'a [u8],
    pub(super) pos: usize,
    /// The current line (ash's `g_parsefile->linno`), counted as newlines are consumed.
    pub(super) line: u32,
    /// The last token is to be read again (ash's `tokpushback`).
    pub(super) tokpushback: bool,
    pub(super) lasttoken: Token,
    /// The last word read (ash's `wordtext`), kept after later operator tokens as ash keeps it.
    pub(super) wordtext: Word,
    /// Part of the last word was quoted (ash's `quoteflag`).
    pub(super) quoteflag: bool,
    pub(super) redir: PendingRedir,
    pub(super) checkkwd: u8,
    /// Here-documents seen on the current line, read at its newline (ash's `heredoclist`).
    pub(super) heredoclist: Vec<PendingHereDoc>,
    /// Bodies read and not yet put into the tree, in the order their redirections appear.
    pub(super) heredoc_bodies: Vec<Word>,
    pub(super) depth: u32,
    finished: bool,
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str) -> Parser<'a> {
        Parser::starting_at_line(src, 1)
    }

    /// A parser whose first line is numbered `line` (ash numbers `eval` and trap strings from
    /// the current `$LINENO`).
    pub fn starting_at_line(src: &'a str, line: u32) -> Parser<'a> {
        Parser {
            src: src.as_bytes(),
            pos: 0,
            line,
            tokpushback: false,
            lasttoken: Token::Eof,
            wordtext: Word::default(),
            quoteflag: false,
            redir: PendingRedir {
                fd: None,
                op: RedirOp::Output,
            },
            checkkwd: 0,
            heredoclist: Vec::new(),
            heredoc_bodies: Vec::new(),
            depth: 0,
            finished: false,
        }
    }

    /// A parser for the text of a backquoted command substitution.
    pub(super) fn nested(src: &'a str, line: u32, depth: u32) -> Parser<'a> {
        let mut parser = Parser::starting_at_line(src, line);
        parser.depth = depth;
        parser
    }

    /// The line the parser has reached.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The next line's commands (ash's `parsecmd()`), skipping blank lines; `Ok(None)` at the
    /// end of the input. After an error the parser is done (ash abandons the input).
    pub fn next_command(&mut self) -> Result<Option<List>, SyntaxError> {
        while !self.finished {
            self.tokpushback = false;
            self.checkkwd = 0;
            self.heredoclist.clear();
            self.heredoc_bodies.clear();
            match self.list(1) {
                Err(error) => {
                    self.finished = true;
                    return Err(error);
                }
                Ok((_, true)) => self.finished = true,
                Ok((list, false)) if list.is_empty() => {}
                Ok((mut list, false)) => {
                    self.attach_heredocs(&mut list);
                    return Ok(Some(list));
                }
            }
        }
        Ok(None)
    }

    pub(super) fn error(&self, kind: SyntaxErrorKind) -> SyntaxError {
        SyntaxError {
            kind,
            line: self.line,
        }
    }

    /// ash's `raise_error_unexpected_syntax()`: about the last token read.
    pub(super) fn unexpected(&self, expecting: Option<Token>) -> SyntaxError {
        self.error(SyntaxErrorKind::Unexpected {
            found: self.lasttoken,
            expecting,
        })
    }

    pub(super) fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(SyntaxErrorKind::TooDeep));
        }
        Ok(())
    }

    pub(super) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// ash's `readtoken()`: the next token, skipping newlines under [`CHKNL`] and turning words
    /// into reserved words under [`CHKKWD`].
    pub(super) fn readtoken(&mut self) -> PResult<Token> {
        let kwd = self.checkkwd;
        let mut token = self.xxreadtoken()?;
        if kwd & CHKNL != 0 {
            while token == Token::Newline {
                self.parseheredoc()?;
                self.checkkwd = 0;
                token = self.xxreadtoken()?;
            }
        }
        self.checkkwd = 0;
        if token != Token::Word || self.quoteflag {
            return Ok(token);
        }
        if kwd & CHKKWD != 0 {
            if let Some(keyword) = self.wordtext.as_literal().and_then(Token::keyword) {
                self.lasttoken = keyword;
                return Ok(keyword);
            }
        }
        Ok(token)
    }

    /// ash's `list()`. `nlflag` 1: the top level, ends at a newline; 0: a compound command's
    /// body, newlines are separators; 2: a `case` arm or `$(...)`, which may be empty. The flag
    /// returned is ash's `NODE_EOF`: the input ended before any command.
    pub(super) fn list(&mut self, nlflag: u8) -> PResult<(List, bool)> {
        self.enter()?;
        let result = self.list_inner(nlflag);
        self.leave();
        result
    }

    fn list_inner(&mut self, mut nlflag: u8) -> PResult<(List, bool)> {
        let chknl = if nlflag & 1 != 0 { 0 } else { CHKNL };
        let mut items = Vec::new();
        loop {
            self.checkkwd = chknl | CHKKWD | CHKALIAS;
            let token = self.readtoken()?;
            match token {
                Token::Newline => {
                    self.parseheredoc()?;
                    return Ok((List { items }, false));
                }
                Token::Eof => {
                    let eof = items.is_empty() && chknl == 0;
                    self.parseheredoc()?;
                    self.tokpushback = true;
                    self.lasttoken = Token::Eof;
                    return Ok((List { items }, eof));
                }
                _ => {}
            }
            self.tokpushback = true;
            if nlflag == 2 && token.ends_list() {
                return Ok((List { items }, false));
            }
            nlflag |= 2;

            let mut item = self.andor()?;
            let token = self.readtoken()?;
            if token == Token::Amp {
                item.background = true;
            }
            items.push(item);
            match token {
                Token::Eof => {
                    self.parseheredoc()?;
                    self.tokpushback = true;
                    self.lasttoken = Token::Eof;
                    return Ok((List { items }, false));
                }
                Token::Newline => self.tokpushback = true,
                Token::Amp | Token::Semi => {}
                _ => {
                    if chknl == 0 {
                        return Err(self.unexpected(None));
                    }
                    self.tokpushback = true;
                    return Ok((List { items }, false));
                }
            }
        }
    }

    /// ash's `andor()`.
    fn andor(&mut self) -> PResult<AndOr> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.readtoken()? {
                Token::AndIf => AndOrOp::And,
                Token::OrIf => AndOrOp::Or,
                _ => {
                    self.tokpushback = true;
                    return Ok(AndOr {
                        first,
                        rest,
                        background: false,
                    });
                }
            };
            self.checkkwd = CHKNL | CHKKWD | CHKALIAS;
            rest.push((op, self.pipeline()?));
        }
    }

    /// ash's `pipeline()`.
    fn pipeline(&mut self) -> PResult<Pipeline> {
        let negated = if self.readtoken()? == Token::Bang {
            self.checkkwd = CHKKWD | CHKALIAS;
            true
        } else {
            self.tokpushback = true;
            false
        };
        let mut commands = vec![self.parse_command()?];
        while self.readtoken()? == Token::Pipe {
            self.checkkwd = CHKNL | CHKKWD | CHKALIAS;
            commands.push(self.parse_command()?);
        }
        self.tokpushback = true;
        Ok(Pipeline { negated, commands })
    }

    /// ash's `parse_command()`.
    fn parse_command(&mut self) -> PResult<Command> {
        let line = self.line;
        let kind;
        match self.readtoken()? {
            Token::If => {
                let mut branches = Vec::new();
                let condition = self.list(0)?.0;
                if self.readtoken()? != Token::Then {
                    return Err(self.unexpected(Some(Token::Then)));
                }
                let body = self.list(0)?.0;
                branches.push(IfBranch { condition, body });
                while self.readtoken()? == Token::Elif {
                    let condition = self.list(0)?.0;
                    if self.readtoken()? != Token::Then {
                        return Err(self.unexpected(Some(Token::Then)));
                    }
                    let body = self.list(0)?.0;
                    branches.push(IfBranch { condition, body });
                }
                let else_body = if self.lasttoken == Token::Else {
                    Some(self.list(0)?.0)
                } else {
                    self.tokpushback = true;
                    None
                };
                kind = CompoundKind::If {
                    branches,
                    else_body,
                };
                self.expect(Token::Fi)?;
            }
            token @ (Token::While | Token::Until) => {
                let condition = self.list(0)?.0;
                if self.readtoken()? != Token::Do {
                    return Err(self.unexpected(Some(Token::Do)));
                }
                let body = self.list(0)?.0;
                kind = if token == Token::While {
                    CompoundKind::While { condition, body }
                } else {
                    CompoundKind::Until { condition, body }
                };
                self.expect(Token::Done)?;
            }
            Token::For => {
                let var = match self.readtoken()? {
                    Token::Word if !self.quoteflag => match self.wordtext.as_literal() {
                        Some(name) if is_name(name) => name.to_string(),
                        _ => return Err(self.error(SyntaxErrorKind::BadForLoopVariable)),
                    },
                    _ => return Err(self.error(SyntaxErrorKind::BadForLoopVariable)),
                };
                self.checkkwd = CHKNL | CHKKWD | CHKALIAS;
                let words = if self.readtoken()? == Token::In {
                    let mut words = Vec::new();
                    while self.readtoken()? == Token::Word {
                        words.push(self.wordtext.clone());
                    }
                    if self.lasttoken != Token::Newline && self.lasttoken != Token::Semi {
                        return Err(self.unexpected(None));
                    }
                    Some(words)
                } else {
                    // "Newline or semicolon here is optional."
                    if self.lasttoken != Token::Semi {
                        self.tokpushback = true;
                    }
                    None
                };
                self.checkkwd = CHKNL | CHKKWD | CHKALIAS;
                if self.readtoken()? != Token::Do {
                    return Err(self.unexpected(Some(Token::Do)));
                }
                let body = self.list(0)?.0;
                kind = CompoundKind::For { var, words, body };
                self.expect(Token::Done)?;
            }
            Token::Case => {
                if self.readtoken()? != Token::Word {
                    return Err(self.unexpected(Some(Token::Word)));
                }
                let word = self.wordtext.clone();
                self.checkkwd = CHKNL | CHKKWD | CHKALIAS;
                if self.readtoken()? != Token::In {
                    return Err(self.unexpected(Some(Token::In)));
                }
                let mut arms = Vec::new();
                loop {
                    self.checkkwd = CHKNL | CHKKWD;
                    if self.readtoken()? == Token::Esac {
                        break;
                    }
                    if self.lasttoken == Token::LParen {
                        self.readtoken()?;
                    }
                    let mut patterns = Vec::new();
                    loop {
                        // Whatever the token, ash takes the last word read as the pattern, so
                        // a reserved word is a pattern too (`in)`, `done)`).
                        patterns.push(self.wordtext.clone());
                        if self.readtoken()? != Token::Pipe {
                            break;
                        }
                        self.readtoken()?;
                    }
                    if self.lasttoken != Token::RParen {
                        return Err(self.unexpected(Some(Token::RParen)));
                    }
                    let body = self.list(2)?.0;
                    arms.push(CaseArm { patterns, body });
                    self.checkkwd = CHKNL | CHKKWD;
                    match self.readtoken()? {
                        Token::Esac => break,
                        Token::DSemi => {}
                        _ => return Err(self.unexpected(Some(Token::DSemi))),
                    }
                }
                kind = CompoundKind::Case { word, arms };
            }
            Token::LParen => {
                kind = CompoundKind::Subshell(self.list(0)?.0);
                self.expect(Token::RParen)?;
            }
            Token::LBrace => {
                kind = CompoundKind::Group(self.list(0)?.0);
                self.expect(Token::RBrace)?;
            }
            Token::Function | Token::Word | Token::Redirection => {
                self.tokpushback = true;
                return self.simplecmd();
            }
            _ => return Err(self.unexpected(None)),
        }

        // Redirections after a compound command.
        self.checkkwd = CHKKWD | CHKALIAS;
        let mut redirects = Vec::new();
        while self.readtoken()? == Token::Redirection {
            redirects.push(self.parsefname()?);
        }
        self.tokpushback = true;
        Ok(Command::Compound(Rc::new(CompoundCommand {
            line,
            kind,
            redirects,
        })))
    }

    fn expect(&mut self, token: Token) -> PResult<()> {
        if self.readtoken()? != token {
            return Err(self.unexpected(Some(token)));
        }
        Ok(())
    }

    /// ash's `simplecmd()`: assignments, words and redirections, or a function definition.
    fn simplecmd(&mut self) -> PResult<Command> {
        let mut assignments = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut redirects = Vec::new();
        // Assignments are recognised until the first word that is not one.
        let mut savecheckkwd = CHKALIAS;
        let line = self.line;
        // Inside `[[ ... ]]`, `&&` and `||` are words (ash's BASH_TEST2).
        let mut double_brackets = false;
        // After bash's `function` keyword (ash's BASH_FUNCTION).
        let mut function_flag = false;
        loop {
            self.checkkwd = savecheckkwd;
            let token = self.readtoken()?;
            let word = match token {
                Token::Function => {
                    if self.readtoken()? != Token::Word {
                        return Err(self.unexpected(Some(Token::Word)));
                    }
                    self.tokpushback = true;
                    function_flag = true;
                    continue;
                }
                Token::AndIf | Token::OrIf if double_brackets => {
                    Word::literal(if token == Token::AndIf { "&&" } else { "||" })
                }
                Token::Word => self.wordtext.clone(),
                Token::Redirection => {
                    redirects.push(self.parsefname()?);
                    continue;
                }
                Token::LParen => {
                    if let Some(function) =
                        self.function_definition(&words, &assignments, &redirects, false)?
                    {
                        return Ok(function);
                    }
                    self.tokpushback = true;
                    break;
                }
                _ => {
                    self.tokpushback = true;
                    break;
                }
            };
            match word.as_literal() {
                Some("[[") => double_brackets = true,
                Some("]]") => double_brackets = false,
                _ => {}
            }
            match word.as_assignment().filter(|_| savecheckkwd != 0) {
                Some(assignment) => assignments.push(assignment),
                None => {
                    words.push(word);
                    savecheckkwd = 0;
                }
            }
            if function_flag {
                self.checkkwd = CHKNL | CHKKWD;
                let token = self.readtoken()?;
                self.tokpushback = true;
                let body_follows = match token {
                    Token::LBrace
                    | Token::If
                    | Token::Case
                    | Token::Until
                    | Token::While
                    | Token::For => true,
                    Token::Word if self.wordtext.as_literal() == Some("[[") => true,
                    Token::LParen => false,
                    _ => return Err(self.unexpected(None)),
                };
                function_flag = false;
                if body_follows {
                    // `function name { ...; }`: no parentheses.
                    if let Some(function) =
                        self.function_definition(&words, &assignments, &redirects, true)?
                    {
                        return Ok(function);
                    }
                    break;
                }
            }
        }
        Ok(Command::Simple(Rc::new(SimpleCommand {
            line,
            assignments,
            words,
            redirects,
        })))
    }

    /// The `name()` case of ash's `simplecmd()` (its `do_func:`): `Ok(None)` when the words so
    /// far are not just one name.
    fn function_definition(
        &mut self,
        words: &[Word],
        assignments: &[Assignment],
        redirects: &[Redirect],
        without_parens: bool,
    ) -> PResult<Option<Command>> {
        let [name] = words else { return Ok(None) };
        if !assignments.is_empty() || !redirects.is_empty() {
            return Ok(None);
        }
        if !without_parens && self.readtoken()? != Token::RParen {
            return Err(self.unexpected(Some(Token::RParen)));
        }
        self.enter()?;
        let name = match name.as_literal() {
            Some(name) if is_name(name) && !is_special_builtin(name) => name.to_string(),
            _ => return Err(self.error(SyntaxErrorKind::BadFunctionName)),
        };
        self.checkkwd = CHKNL | CHKKWD | CHKALIAS;
        let line = self.line;
        let body = self.parse_command()?;
        self.leave();
        Ok(Some(Command::FunctionDef(Rc::new(FunctionDef {
            line,
            name,
            body,
        }))))
    }

    /// ash's `parsefname()`: the word after a redirection operator.
    fn parsefname(&mut self) -> PResult<Redirect> {
        let PendingRedir { fd, op } = self.redir;
        if matches!(op, RedirOp::HereDoc { .. }) {
            self.checkkwd = CHKEOFMARK;
        }
        if self.readtoken()? != Token::Word {
            return Err(self.unexpected(None));
        }
        let target = self.wordtext.clone();
        let output_fd = fd.unwrap_or(1);
        let input_fd = fd.unwrap_or(0);
        Ok(match op {
            RedirOp::Output => Redirect {
                fd: output_fd,
                kind: RedirectKind::Output(target),
            },
            RedirOp::Clobber => Redirect {
                fd: output_fd,
                kind: RedirectKind::Clobber(target),
            },
            RedirOp::Append => Redirect {
                fd: output_fd,
                kind: RedirectKind::Append(target),
            },
            RedirOp::OutputAndError => Redirect {
                fd: output_fd,
                kind: RedirectKind::OutputAndError(target),
            },
            RedirOp::Input => Redirect {
                fd: input_fd,
                kind: RedirectKind::Input(target),
            },
            RedirOp::ReadWrite => Redirect {
                fd: input_fd,
                kind: RedirectKind::ReadWrite(target),
            },
            RedirOp::DupOutput => Redirect {
                fd: output_fd,
                kind: RedirectKind::DupOutput(dup_target(target)),
            },
            RedirOp::DupInput => Redirect {
                fd: input_fd,
                kind: RedirectKind::DupInput(dup_target(target)),
            },
            RedirOp::HereDoc { strip_tabs } => {
                let quoted = self.quoteflag;
                let delimiter = unquoted_text(&target);
                self.heredoclist.push(PendingHereDoc {
                    delimiter: delimiter.clone().into_bytes(),
                    strip_tabs,
                    quoted,
                });
                let body = Word::default();
                Redirect {
                    fd: input_fd,
                    kind: RedirectKind::HereDoc(HereDoc {
                        strip_tabs,
                        quoted,
                        delimiter,
                        body,
                    }),
                }
            }
        })
    }

    /// ash's `parseheredoc()`: reads the bodies of the pending here-documents, in order.
    pub(super) fn parseheredoc(&mut self) -> PResult<()> {
        if self.heredoclist.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.heredoclist);
        for heredoc in &pending {
            self.tokpushback = false;
            let body = self.read_heredoc_body(heredoc)?;
            self.heredoc_bodies.push(body);
        }
        Ok(())
    }

    /// Puts the here-document bodies read for this level into the tree (nested command
    /// substitutions have taken theirs already).
    pub(super) fn attach_heredocs(&mut self, list: &mut List) {
        if self.heredoc_bodies.is_empty() {
            return;
        }
        let mut bodies = std::mem::take(&mut self.heredoc_bodies).into_iter();
        fill_list(list, &mut bodies);
    }
}

/// ash's `fixredir()`: digits duplicate, `-` closes, anything else is decided at run time.
fn dup_target(word: Word) -> DupTarget {
    match word.as_literal() {
        Some("-") => DupTarget::Close,
        Some(digits) if !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()) => {
            match digits.parse() {
                Ok(fd) => DupTarget::Fd(fd),
                Err(_) => DupTarget::Word(word),
            }
        }
        _ => DupTarget::Word(word),
    }
}

/// The text of a here-document delimiter with its quoting removed (ash's `rmescapes()`).
fn unquoted_text(word: &Word) -> String {
    fn walk(parts: &[WordPart], out: &mut String) {
        for part in parts {
            match part {
                WordPart::Literal(text) | WordPart::Quoted(text) => out.push_str(text),
                WordPart::DoubleQuoted(parts) => walk(parts, out),
                WordPart::Tilde(user) => {
                    out.push('~');
                    out.push_str(user);
                }
                // Not produced while reading a delimiter (`$` and `` ` `` are plain there).
                WordPart::Param(_) | WordPart::CommandSubst(_) | WordPart::Arith(_) => {}
            }
        }
    }
    let mut out = String::new();
    walk(&word.parts, &mut out);
    out
}

/// ash's special builtins (`IS_BUILTIN_SPECIAL` in its `builtintab`), which a function may not
/// be named after.
fn is_special_builtin(name: &str) -> bool {
    matches!(
        name,
        "." | ":"
            | "break"
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "local"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "source"
            | "times"
            | "trap"
            | "unset"
    )
}

// Putting here-document bodies into a freshly parsed tree, in the order the parser registered
// them: the order of the redirections in the source, at this nesting level.

fn fill_list(list: &mut List, bodies: &mut impl Iterator<Item = Word>) {
    for item in &mut list.items {
        fill_pipeline(&mut item.first, bodies);
        for (_, pipeline) in &mut item.rest {
            fill_pipeline(pipeline, bodies);
        }
    }
}

fn fill_pipeline(pipeline: &mut Pipeline, bodies: &mut impl Iterator<Item = Word>) {
    for command in &mut pipeline.commands {
        fill_command(command, bodies);
    }
}

fn fill_command(command: &mut Command, bodies: &mut impl Iterator<Item = Word>) {
    match command {
        Command::Simple(simple) => fill_redirects(&mut Rc::make_mut(simple).redirects, bodies),
        Command::Compound(compound) => {
            let compound = Rc::make_mut(compound);
            match &mut compound.kind {
                CompoundKind::Group(list) | CompoundKind::Subshell(list) => fill_list(list, bodies),
                CompoundKind::If {
                    branches,
                    else_body,
                } => {
                    for branch in branches {
                        fill_list(&mut branch.condition, bodies);
                        fill_list(&mut branch.body, bodies);
                    }
                    if let Some(list) = else_body {
                        fill_list(list, bodies);
                    }
                }
                CompoundKind::While { condition, body }
                | CompoundKind::Until { condition, body } => {
                    fill_list(condition, bodies);
                    fill_list(body, bodies);
                }
                CompoundKind::For { body, .. } => fill_list(body, bodies),
                CompoundKind::Case { arms, .. } => {
                    for arm in arms {
                        fill_list(&mut arm.body, bodies);
                    }
                }
            }
            fill_redirects(&mut compound.redirects, bodies);
        }
        Command::FunctionDef(function) => fill_command(&mut Rc::make_mut(function).body, bodies),
    }
}

fn fill_redirects(redirects: &mut [Redirect], bodies: &mut impl Iterator<Item = Word>) {
    for redirect in redirects {
        if let RedirectKind::HereDoc(heredoc) = &mut redirect.kind {
            if let Some(body) = bodies.next() {
                heredoc.body = body;
            }
        }
    }
}
