//! Characters to tokens and words: ash's `xxreadtoken()`, `readtoken1()` (with its `parsesub`,
//! `parsebackq`, `parsearith` and `parseredir` pieces), `decode_dollar_squote()` and the
//! here-document half of `parseheredoc()`, from busybox `shell/ash.c`.
//!
//! ash reads words with a "syntax" per nesting level (base, double-quoted, single-quoted,
//! arithmetic); here each level is a function: [`Parser::read_word`] (base),
//! [`Parser::read_dquoted`], [`Parser::read_squoted`], [`Parser::read_arith`],
//! [`Parser::read_var_operand`]. A backslash-newline is removed wherever ash's `pgetc_eatbnl()`
//! removes it: everywhere but inside single quotes, quoted here-documents and comments.

use std::rc::Rc;

use super::arith;
use super::ast::*;
use super::parser::{
    PResult, Parser, PendingHereDoc, PendingRedir, RedirOp, SyntaxErrorKind, Token, CHKEOFMARK,
};

/// Where a `$` was met, which decides how `${...}` operands are read and whether the text is
/// quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    /// An unquoted word (ash's `BASESYNTAX`).
    Base,
    /// Inside `"..."`, an unquoted here-document, or a `${...}` operand read as double-quoted
    /// (ash's `DQSYNTAX`).
    Quoted,
    /// Inside `$((...))` (ash's `ARISYNTAX`).
    Arith,
}

/// Builds a word's parts, merging runs of characters of the same quoting.
#[derive(Default)]
struct WordBuilder {
    parts: Vec<WordPart>,
    text: Vec<u8>,
    text_quoted: bool,
}

impl WordBuilder {
    fn push(&mut self, c: u8, quoted: bool) {
        if !self.text.is_empty() && self.text_quoted != quoted {
            self.flush();
        }
        self.text_quoted = quoted;
        self.text.push(c);
    }

    fn push_bytes(&mut self, bytes: &[u8], quoted: bool) {
        for &c in bytes {
            self.push(c, quoted);
        }
    }

    /// An empty quoted string (`''`, `$''`): nothing to add, but the word must still make a
    /// field, so it gets an empty [`WordPart::Quoted`] unless quoted text is already there.
    fn mark_quoted(&mut self) {
        if self.text.is_empty() || !self.text_quoted {
            self.flush();
            self.parts.push(WordPart::Quoted(String::new()));
        }
    }

    fn push_part(&mut self, part: WordPart) {
        self.flush();
        self.parts.push(part);
    }

    fn flush(&mut self) {
        if self.text.is_empty() {
            return;
        }
        let bytes = std::mem::take(&mut self.text);
        let text = String::from_utf8(bytes)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
        self.parts.push(if self.text_quoted {
            WordPart::Quoted(text)
        } else {
            WordPart::Literal(text)
        });
    }

    fn finish(mut self) -> Word {
        self.flush();
        Word { parts: self.parts }
    }

    /// The file descriptor before a redirection operator: nothing, or up to nine unquoted digits
    /// (ash's `isdigit_str9()`). `Some(None)` for nothing.
    fn fd_digits(&self) -> Option<Option<u32>> {
        if !self.parts.is_empty() {
            return None;
        }
        if self.text.is_empty() {
            return Some(None);
        }
        if self.text_quoted || self.text.len() > 9 || !self.text.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(&self.text).ok()?.parse().ok().map(Some)
    }
}

/// ash's `is_special()`: the characters that may follow `$` as a special parameter.
fn special_param(c: u8) -> Option<Param> {
    Some(match c {
        b'!' => Param::Special(SpecialParam::Bang),
        b'#' => Param::Special(SpecialParam::Hash),
        b'$' => Param::Special(SpecialParam::Dollar),
        b'*' => Param::Special(SpecialParam::Star),
        b'-' => Param::Special(SpecialParam::Dash),
        b'?' => Param::Special(SpecialParam::Question),
        b'@' => Param::Special(SpecialParam::At),
        b'0'..=b'9' => Param::Positional((c - b'0') as u32),
        _ => return None,
    })
}

fn is_name_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

/// Characters that end an unquoted word (ash's `CSPCL`, `CNL` and end of input).
fn ends_word(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

/// What a `${...}` operator does with the operand that follows it.
enum VarOp {
    Value,
    Length,
    Bad,
    /// `-`, `=`, `?`, `+` with or without `:`.
    Word {
        op: u8,
        colon: bool,
    },
    Trim {
        op: u8,
        longest: bool,
    },
    Substring,
    Replace {
        all: bool,
    },
}

impl<'a> Parser<'a> {
    // ---- Characters (ash's `pgetc()`, `pgetc_eatbnl()`, `pungetc()`). ----

    fn pgetc(&mut self) -> Option<u8> {
        let c = *self.src.get(self.pos)?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// The next character, removing any backslash-newline pairs before it.
    fn pgetc_eatbnl(&mut self) -> Option<u8> {
        while self.src.get(self.pos) == Some(&b'\\') && self.src.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 2;
            self.line += 1;
        }
        self.pgetc()
    }

    /// Undoes the last `pgetc`/`pgetc_eatbnl`, which returned `c` (end of input stays put).
    fn pungetc(&mut self, c: Option<u8>) {
        if let Some(c) = c {
            self.pos = self.pos.saturating_sub(1);
            if c == b'\n' {
                self.line = self.line.saturating_sub(1);
            }
        }
    }

    /// Pushes `c` and, when it starts a multi-byte UTF-8 character, the rest of that character,
    /// so that escaping never splits a character.
    fn push_char(&mut self, b: &mut WordBuilder, c: u8, quoted: bool) {
        b.push(c, quoted);
        if c >= 0xc0 {
            while let Some(&next) = self.src.get(self.pos) {
                if next & 0xc0 != 0x80 {
                    break;
                }
                self.pos += 1;
                b.push(next, quoted);
            }
        }
    }

    // ---- Tokens. ----

    /// ash's `xxreadtoken()`: the next token, or the pushed-back one.
    pub(super) fn xxreadtoken(&mut self) -> PResult<Token> {
        if self.tokpushback {
            self.tokpushback = false;
            return Ok(self.lasttoken);
        }
        loop {
            let c = self.pgetc_eatbnl();
            let token = match c {
                Some(b' ' | b'\t') => continue,
                Some(b'#') => {
                    // A comment runs to the end of the line (raw: a trailing backslash does not
                    // continue it).
                    while let Some(&c) = self.src.get(self.pos) {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                    continue;
                }
                None => Token::Eof,
                Some(b'\n') => Token::Newline,
                Some(b'(') => Token::LParen,
                Some(b')') => Token::RParen,
                Some(b'&') => match self.pgetc_eatbnl() {
                    Some(b'&') => Token::AndIf,
                    // `&>file` (bash's, busybox's BASH_REDIR_OUTPUT).
                    Some(b'>') => return Ok(self.redirection(None, RedirOp::OutputAndError)),
                    other => {
                        self.pungetc(other);
                        Token::Amp
                    }
                },
                Some(b'|') => self.double(b'|', Token::OrIf, Token::Pipe),
                Some(b';') => self.double(b';', Token::DSemi, Token::Semi),
                Some(_) => {
                    self.pungetc(c);
                    return self.read_word();
                }
            };
            self.lasttoken = token;
            return Ok(token);
        }
    }

    fn double(&mut self, c: u8, twice: Token, once: Token) -> Token {
        let next = self.pgetc_eatbnl();
        if next == Some(c) {
            return twice;
        }
        self.pungetc(next);
        once
    }

    fn redirection(&mut self, fd: Option<u32>, op: RedirOp) -> Token {
        self.redir = PendingRedir { fd, op };
        self.lasttoken = Token::Redirection;
        Token::Redirection
    }

    /// ash's `readtoken1()` in `BASESYNTAX`: an unquoted word, or a redirection operator when
    /// the word is only digits (or nothing) and ends at `<`, `>` or `&>`.
    fn read_word(&mut self) -> PResult<Token> {
        let eofmark = self.checkkwd & CHKEOFMARK != 0;
        let mut b = WordBuilder::default();
        let mut quotef = false;
        if !eofmark {
            self.word_start_tilde(&mut b);
        }
        let end = loop {
            let c = self.pgetc_eatbnl();
            match c {
                None => break None,
                Some(c) if ends_word(c) => break Some(c),
                Some(b'\\') => match self.pgetc() {
                    // A backslash at the end of the input stands for itself.
                    None => b.push(b'\\', true),
                    Some(n) => {
                        self.push_char(&mut b, n, true);
                        quotef = true;
                    }
                },
                Some(b'\'') => {
                    self.read_squoted(&mut b)?;
                    quotef = true;
                }
                Some(b'"') => {
                    let parts = self.read_dquoted(false)?;
                    b.push_part(WordPart::DoubleQuoted(parts));
                    quotef = true;
                }
                Some(b'$') => quotef |= self.parsesub(&mut b, Context::Base)?,
                Some(b'`') if !eofmark => self.backquote(&mut b, false)?,
                Some(b'`') => {
                    // In a here-document delimiter a backquote makes it quoted.
                    quotef = true;
                    b.push(b'`', false);
                }
                Some(c) => b.push(c, false),
            }
        };
        if let Some(c @ (b'<' | b'>' | b'&')) = end {
            let operator = c != b'&' || self.src.get(self.pos) == Some(&b'>');
            if operator && !quotef {
                if let Some(fd) = b.fd_digits() {
                    return Ok(self.parseredir(c, fd));
                }
            }
        }
        self.pungetc(end);
        let word = b.finish();
        self.quoteflag = quotef || word.has_quotes();
        self.wordtext = word;
        self.lasttoken = Token::Word;
        Ok(Token::Word)
    }

    /// An unquoted `~prefix` at the start of a word, up to a `/` or the end of the word, becomes
    /// a [`WordPart::Tilde`]; a prefix running into a quote or an expansion stays literal (ash's
    /// `exptilde()` gives up on those).
    fn word_start_tilde(&mut self, b: &mut WordBuilder) {
        if self.src.get(self.pos) != Some(&b'~') {
            return;
        }
        let start = self.pos + 1;
        let mut end = start;
        while let Some(&c) = self.src.get(end) {
            if c == b'/' || ends_word(c) {
                break;
            }
            if matches!(c, b'\\' | b'\'' | b'"' | b'$' | b'`') {
                return;
            }
            end += 1;
        }
        let user = String::from_utf8_lossy(&self.src[start..end]).into_owned();
        self.pos = end;
        b.push_part(WordPart::Tilde(user));
    }

    /// ash's `parseredir`: the operator starting with `c` (`<`, `>`, or `&` of `&>`).
    fn parseredir(&mut self, c: u8, fd: Option<u32>) -> Token {
        let op = match c {
            b'>' => {
                let next = self.pgetc_eatbnl();
                match next {
                    Some(b'>') => RedirOp::Append,
                    Some(b'|') => RedirOp::Clobber,
                    Some(b'&') => RedirOp::DupOutput,
                    _ => {
                        self.pungetc(next);
                        RedirOp::Output
                    }
                }
            }
            b'&' => {
                self.pgetc(); // the '>'
                RedirOp::OutputAndError
            }
            _ => {
                let next = self.pgetc_eatbnl();
                match next {
                    Some(b'<') => {
                        let dash = self.pgetc_eatbnl();
                        let strip_tabs = dash == Some(b'-');
                        if !strip_tabs {
                            self.pungetc(dash);
                        }
                        RedirOp::HereDoc { strip_tabs }
                    }
                    Some(b'&') => RedirOp::DupInput,
                    Some(b'>') => RedirOp::ReadWrite,
                    _ => {
                        self.pungetc(next);
                        RedirOp::Input
                    }
                }
            }
        };
        self.redirection(fd, op)
    }

    // ---- Quotes. ----

    /// `'...'` after its opening quote: every character literal, newlines included.
    fn read_squoted(&mut self, b: &mut WordBuilder) -> PResult<()> {
        let start = self.pos;
        loop {
            match self.pgetc() {
                None => return Err(self.error(SyntaxErrorKind::UnterminatedQuotedString)),
                Some(b'\'') => break,
                Some(_) => {}
            }
        }
        let end = self.pos - 1;
        if start == end {
            b.mark_quoted();
        } else {
            b.push_bytes(&self.src[start..end], true);
        }
        Ok(())
    }

    /// `"..."` after its opening quote (ash's `DQSYNTAX`): a backslash escapes only `$`, `` ` ``,
    /// `"`, `\` (and `}` inside `${...}`); expansions are parsed; everything else is text.
    fn read_dquoted(&mut self, in_var: bool) -> PResult<Vec<WordPart>> {
        self.enter()?;
        let mut b = WordBuilder::default();
        loop {
            let c = self.pgetc_eatbnl();
            match c {
                None => return Err(self.error(SyntaxErrorKind::UnterminatedQuotedString)),
                Some(b'"') => break,
                Some(b'\\') => self.dq_backslash(&mut b, in_var, false),
                Some(b'$') => {
                    self.parsesub(&mut b, Context::Quoted)?;
                }
                Some(b'`') => self.backquote(&mut b, true)?,
                Some(c) => b.push(c, true),
            }
        }
        self.leave();
        Ok(b.finish().parts)
    }

    /// A backslash in double-quote syntax (ash's `CBACK` with `dblquote`): kept unless it
    /// escapes one of the characters special there. In a here-document (`heredoc`), `\"` keeps
    /// its backslash.
    fn dq_backslash(&mut self, b: &mut WordBuilder, in_var: bool, heredoc: bool) {
        match self.pgetc() {
            None => b.push(b'\\', true),
            Some(n) => {
                let escapes = matches!(n, b'\\' | b'`' | b'$')
                    || (n == b'"' && (!heredoc || in_var))
                    || (n == b'}' && in_var);
                if !escapes {
                    b.push(b'\\', true);
                }
                self.push_char(b, n, true);
            }
        }
    }

    /// `$'...'` after the `$` (bash's, in busybox's BASH_DOLLAR_SQUOTE): single-quoted text with
    /// C escapes decoded (ash's `decode_dollar_squote()`).
    fn read_dollar_squote(&mut self, b: &mut WordBuilder) -> PResult<()> {
        self.pgetc(); // the opening quote
        let mut text = Vec::new();
        loop {
            match self.pgetc() {
                None => return Err(self.error(SyntaxErrorKind::UnterminatedQuotedString)),
                Some(b'\'') => break,
                Some(b'\\') => self.decode_escape(&mut text)?,
                Some(c) => text.push(c),
            }
        }
        if text.is_empty() {
            b.mark_quoted();
        } else {
            b.push_bytes(&text, true);
        }
        Ok(())
    }

    fn decode_escape(&mut self, out: &mut Vec<u8>) -> PResult<()> {
        let Some(c) = self.pgetc() else {
            return Err(self.error(SyntaxErrorKind::UnterminatedQuotedString));
        };
        let simple = match c {
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b'b' => Some(0x08),
            b't' => Some(b'\t'),
            b'f' => Some(0x0c),
            b'a' => Some(0x07),
            b'v' => Some(0x0b),
            b'\\' => Some(b'\\'),
            b'\'' => Some(b'\''),
            b'"' => Some(b'"'),
            _ => None,
        };
        if let Some(decoded) = simple {
            out.push(decoded);
            return Ok(());
        }
        if (b'0'..=b'7').contains(&c) {
            let mut value = (c - b'0') as u32;
            for _ in 0..2 {
                match self.src.get(self.pos) {
                    Some(&d @ b'0'..=b'7') => {
                        value = value * 8 + (d - b'0') as u32;
                        self.pos += 1;
                    }
                    _ => break,
                }
            }
            // `$'\0'` adds nothing, like bash.
            if value & 0xff != 0 {
                out.push(value as u8);
            }
            return Ok(());
        }
        if c == b'x' {
            let mut value = 0u32;
            let mut digits = 0;
            while digits < 2 {
                match self
                    .src
                    .get(self.pos)
                    .and_then(|d| (*d as char).to_digit(16))
                {
                    Some(d) => {
                        value = value * 16 + d;
                        self.pos += 1;
                        digits += 1;
                    }
                    None => break,
                }
            }
            if digits > 0 {
                if value != 0 {
                    out.push(value as u8);
                }
                return Ok(());
            }
        }
        // An unknown escape stays as it was written.
        out.push(b'\\');
        out.push(c);
        Ok(())
    }

    // ---- Substitutions. ----

    /// ash's `parsesub`, after a `$`. Returns whether it read a quoted string (`$'...'`).
    fn parsesub(&mut self, b: &mut WordBuilder, context: Context) -> PResult<bool> {
        let quoted = context != Context::Base;
        let c = self.pgetc_eatbnl();
        let starts = matches!(c, Some(b'(' | b'{'))
            || c.is_some_and(|c| is_name_start(c) || special_param(c).is_some());
        if self.checkkwd & CHKEOFMARK != 0 || !starts {
            self.pungetc(c);
            if context == Context::Base && c == Some(b'\'') {
                self.read_dollar_squote(b)?;
                return Ok(true);
            }
            b.push(b'$', quoted);
            return Ok(false);
        }
        if c == Some(b'(') {
            let next = self.pgetc_eatbnl();
            if next == Some(b'(') {
                let arith = self.read_arith()?;
                b.push_part(WordPart::Arith(Box::new(arith)));
            } else {
                self.pungetc(next);
                let list = self.command_subst()?;
                b.push_part(WordPart::CommandSubst(Rc::new(list)));
            }
            return Ok(false);
        }
        let expansion = self.read_param(c, context)?;
        b.push_part(WordPart::Param(Box::new(expansion)));
        Ok(false)
    }

    /// `$name`, `$1`, `$?`, `${...}`: the variable half of ash's `parsesub`, kept step for step
    /// because its corner cases decide which text ends up in the operand.
    fn read_param(&mut self, first: Option<u8>, context: Context) -> PResult<ParamExpansion> {
        #[derive(PartialEq)]
        enum Subtype {
            /// `${`: not yet known.
            Braced,
            Normal,
            Length,
        }
        let mut c = first;
        let mut subtype = Subtype::Normal;
        if c == Some(b'{') {
            c = self.pgetc_eatbnl();
            subtype = Subtype::Braced;
        }
        let mut param = None;
        loop {
            match c {
                Some(ch) if is_name_start(ch) => {
                    let mut name = vec![ch];
                    loop {
                        c = self.pgetc_eatbnl();
                        match c {
                            Some(ch) if is_name_char(ch) => name.push(ch),
                            _ => break,
                        }
                    }
                    param = Some(Param::Named(String::from_utf8_lossy(&name).into_owned()));
                }
                Some(ch) if ch.is_ascii_digit() => {
                    let mut n = (ch - b'0') as u64;
                    loop {
                        c = self.pgetc_eatbnl();
                        match c {
                            Some(d) if d.is_ascii_digit() && subtype != Subtype::Normal => {
                                n = (n * 10 + (d - b'0') as u64).min(u32::MAX as u64);
                            }
                            _ => break,
                        }
                    }
                    param = Some(Param::Positional(n as u32));
                }
                Some(b'}') => {}
                _ => {
                    let mut cc = c;
                    c = self.pgetc_eatbnl();
                    if subtype == Subtype::Braced && cc == Some(b'#') {
                        subtype = Subtype::Length;
                        if c.is_some_and(is_name_char) {
                            continue; // ${#name}, ${#1}
                        }
                        cc = c;
                        c = self.pgetc_eatbnl();
                        if cc == Some(b'}') || c != Some(b'}') {
                            // Not ${#X}: ${#} or ${#...} is $# with an operator.
                            self.pungetc(c);
                            subtype = Subtype::Braced;
                            c = cc;
                            cc = Some(b'#');
                        }
                    }
                    param = cc.and_then(special_param);
                    if param.is_none() && subtype == Subtype::Length {
                        subtype = Subtype::Braced;
                    }
                }
            }
            break;
        }

        let op = match param {
            // ash's `badsub`: the character after the bad name is read again as operand text.
            None => {
                self.pungetc(c);
                VarOp::Bad
            }
            Some(_) if subtype == Subtype::Braced => match c {
                Some(b':') => {
                    let next = self.pgetc_eatbnl();
                    match next {
                        // `${x:}` is not an operator; ash reads on to the next `}`.
                        Some(b'}') => VarOp::Bad,
                        Some(op @ (b'-' | b'+' | b'?' | b'=')) => VarOp::Word { op, colon: true },
                        _ => {
                            self.pungetc(next);
                            VarOp::Substring
                        }
                    }
                }
                Some(b'}') => VarOp::Value,
                Some(op @ (b'-' | b'+' | b'?' | b'=')) => VarOp::Word { op, colon: false },
                Some(op @ (b'%' | b'#')) => {
                    let next = self.pgetc_eatbnl();
                    let longest = next == Some(op);
                    if !longest {
                        self.pungetc(next);
                    }
                    VarOp::Trim { op, longest }
                }
                Some(b'/') => {
                    let next = self.pgetc_eatbnl();
                    let all = next == Some(b'/');
                    if !all {
                        self.pungetc(next);
                    }
                    VarOp::Replace { all }
                }
                // Anything else: a bad substitution; ash drops this character.
                _ => VarOp::Bad,
            },
            Some(_) => {
                let op = if subtype == Subtype::Length && c != Some(b'}') {
                    VarOp::Bad
                } else if subtype == Subtype::Length {
                    VarOp::Length
                } else {
                    VarOp::Value
                };
                self.pungetc(c);
                op
            }
        };
        let param = param.unwrap_or(Param::Special(SpecialParam::Question));

        // Everything but a plain `$x`/`${x}` has an operand, read up to the closing brace.
        let dq_operand = context != Context::Base;
        let op = match op {
            VarOp::Value => ParamOp::Value,
            VarOp::Length => {
                self.read_var_operand(dq_operand)?;
                ParamOp::Length
            }
            VarOp::Bad => {
                self.read_var_operand(dq_operand)?;
                ParamOp::Bad
            }
            VarOp::Word { op, colon } => {
                let word = self.read_var_operand(dq_operand)?;
                match op {
                    b'-' => ParamOp::Default { colon, word },
                    b'=' => ParamOp::Assign { colon, word },
                    b'?' => ParamOp::Error { colon, word },
                    _ => ParamOp::Alternative { colon, word },
                }
            }
            VarOp::Trim { op, longest } => {
                // Patterns are read unquoted even inside double quotes (ash switches to
                // BASESYNTAX), so `"${x#*/}"` globs.
                let pattern = self.read_var_operand(false)?;
                match (op, longest) {
                    (b'#', false) => ParamOp::RemoveSmallestPrefix(pattern),
                    (b'#', true) => ParamOp::RemoveLargestPrefix(pattern),
                    (_, false) => ParamOp::RemoveSmallestSuffix(pattern),
                    (_, true) => ParamOp::RemoveLargestSuffix(pattern),
                }
            }
            VarOp::Substring => ParamOp::Substring {
                spec: self.read_var_operand(dq_operand)?,
            },
            VarOp::Replace { all } => {
                let operand = self.read_var_operand(false)?;
                let (pattern, replacement) = split_replace(operand);
                ParamOp::Replace {
                    all,
                    pattern,
                    replacement,
                }
            }
        };
        Ok(ParamExpansion { param, op })
    }

    /// The operand of `${name<op>operand}`, up to the matching `}`. Read as an unquoted word
    /// (`dq: false`: quotes work, spaces are text) or as double-quoted text (`dq: true`, inside
    /// `"..."`, a here-document or `$((...))`).
    fn read_var_operand(&mut self, dq: bool) -> PResult<Word> {
        self.enter()?;
        let mut b = WordBuilder::default();
        if !dq {
            self.operand_start_tilde(&mut b);
        }
        loop {
            let c = self.pgetc_eatbnl();
            match c {
                None => {
                    let kind = if dq {
                        SyntaxErrorKind::UnterminatedQuotedString
                    } else {
                        SyntaxErrorKind::MissingBrace
                    };
                    return Err(self.error(kind));
                }
                Some(b'}') => break,
                Some(b'\\') if dq => self.dq_backslash(&mut b, true, false),
                Some(b'\\') => match self.pgetc() {
                    None => b.push(b'\\', true),
                    Some(n) => self.push_char(&mut b, n, true),
                },
                Some(b'\'') if !dq => self.read_squoted(&mut b)?,
                Some(b'"') => {
                    let parts = self.read_dquoted(true)?;
                    b.push_part(WordPart::DoubleQuoted(parts));
                }
                Some(b'$') => {
                    self.parsesub(&mut b, if dq { Context::Quoted } else { Context::Base })?;
                }
                Some(b'`') => self.backquote(&mut b, dq)?,
                Some(c) => b.push(c, dq),
            }
        }
        self.leave();
        Ok(b.finish())
    }

    /// A `~prefix` at the start of an unquoted `${...}` operand (ash expands operands with
    /// `EXP_TILDE`).
    fn operand_start_tilde(&mut self, b: &mut WordBuilder) {
        if self.src.get(self.pos) != Some(&b'~') {
            return;
        }
        let start = self.pos + 1;
        let mut end = start;
        while let Some(&c) = self.src.get(end) {
            if c == b'/' || c == b'}' {
                break;
            }
            if matches!(c, b'\\' | b'\'' | b'"' | b'$' | b'`') {
                return;
            }
            end += 1;
        }
        if end == self.src.len() {
            return;
        }
        let user = String::from_utf8_lossy(&self.src[start..end]).into_owned();
        self.line += self.src[start..end].iter().filter(|c| **c == b'\n').count() as u32;
        self.pos = end;
        b.push_part(WordPart::Tilde(user));
    }

    /// `$(list)` after the `$(` (ash's `parsebackq` for the new style): the list is parsed from
    /// the same input, with its own here-documents.
    fn command_subst(&mut self) -> PResult<List> {
        let saved_heredocs = std::mem::take(&mut self.heredoclist);
        let saved_bodies = std::mem::take(&mut self.heredoc_bodies);
        let (mut list, _) = self.list(2)?;
        if self.readtoken()? != Token::RParen {
            return Err(self.unexpected(Some(Token::RParen)));
        }
        self.parseheredoc()?;
        self.attach_heredocs(&mut list);
        self.heredoclist = saved_heredocs;
        self.heredoc_bodies = saved_bodies;
        Ok(list)
    }

    /// `` `list` `` after the opening backquote (ash's `parsebackq` for the old style): the text
    /// up to the closing backquote, with `\\`, `` \` ``, `\$` (and `\"` inside double quotes)
    /// unescaped, is parsed on its own. Like ash, text after the list (`` `a )` ``) is ignored.
    fn backquote(&mut self, b: &mut WordBuilder, dq: bool) -> PResult<()> {
        let line = self.line;
        let mut text = Vec::new();
        loop {
            match self.pgetc_eatbnl() {
                None => return Err(self.error(SyntaxErrorKind::EofInBackquote)),
                Some(b'`') => break,
                Some(b'\\') => match self.pgetc() {
                    None => return Err(self.error(SyntaxErrorKind::EofInBackquote)),
                    Some(n) => {
                        if !(matches!(n, b'\\' | b'`' | b'$') || (dq && n == b'"')) {
                            text.push(b'\\');
                        }
                        text.push(n);
                    }
                },
                Some(c) => text.push(c),
            }
        }
        self.enter()?;
        let source = String::from_utf8_lossy(&text).into_owned();
        let mut nested = Parser::nested(&source, line, self.depth);
        let (mut list, _) = nested.list(2)?;
        nested.parseheredoc()?;
        nested.attach_heredocs(&mut list);
        self.leave();
        b.push_part(WordPart::CommandSubst(Rc::new(list)));
        Ok(())
    }

    /// `$((...))` after the `$((` (ash's `ARISYNTAX`): double-quote rules, parentheses counted,
    /// up to the `))` at level zero. A lone `)` at level zero is text, as in ash.
    fn read_arith(&mut self) -> PResult<Arithmetic> {
        self.enter()?;
        let mut b = WordBuilder::default();
        let mut level = 0u32;
        loop {
            let c = self.pgetc_eatbnl();
            match c {
                None => return Err(self.error(SyntaxErrorKind::MissingArithParen)),
                Some(b'(') => {
                    level += 1;
                    b.push(b'(', true);
                }
                Some(b')') if level > 0 => {
                    level -= 1;
                    b.push(b')', true);
                }
                Some(b')') => {
                    let next = self.pgetc_eatbnl();
                    if next == Some(b')') {
                        break;
                    }
                    self.pungetc(next);
                    b.push(b')', true);
                }
                Some(b'\\') => self.dq_backslash(&mut b, false, false),
                Some(b'$') => {
                    self.parsesub(&mut b, Context::Arith)?;
                }
                Some(b'`') => self.backquote(&mut b, true)?,
                Some(c) => b.push(c, true),
            }
        }
        self.leave();
        let text = b.finish();
        let expr = match text.parts.as_slice() {
            [] => Some(Rc::new(arith::ArithExpr::Number(0))),
            [WordPart::Quoted(source)] => arith::parse(source).ok().map(Rc::new),
            _ => None,
        };
        Ok(Arithmetic { text, expr })
    }

    // ---- Here-documents. ----

    /// One here-document body (ash's `readtoken1()` with an `eofmark`): the lines up to the
    /// delimiter line, or to the end of the input.
    pub(super) fn read_heredoc_body(&mut self, heredoc: &PendingHereDoc) -> PResult<Word> {
        if heredoc.quoted {
            let mut text = Vec::new();
            'lines: while !self.heredoc_end(heredoc) {
                loop {
                    match self.pgetc() {
                        None => break 'lines,
                        Some(c) => {
                            text.push(c);
                            if c == b'\n' {
                                break;
                            }
                        }
                    }
                }
            }
            let text = String::from_utf8(text)
                .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned());
            return Ok(Word {
                parts: vec![WordPart::Quoted(text)],
            });
        }
        self.enter()?;
        let mut b = WordBuilder::default();
        'lines: while !self.heredoc_end(heredoc) {
            loop {
                match self.pgetc_eatbnl() {
                    None => break 'lines,
                    Some(b'\n') => {
                        b.push(b'\n', true);
                        break;
                    }
                    Some(b'\\') => self.dq_backslash(&mut b, false, true),
                    Some(b'$') => {
                        self.parsesub(&mut b, Context::Quoted)?;
                    }
                    Some(b'`') => self.backquote(&mut b, true)?,
                    Some(c) => b.push(c, true),
                }
            }
        }
        self.leave();
        Ok(b.finish())
    }

    /// At the start of a here-document line: strips its leading tabs under `<<-`, and consumes
    /// it and says so when it is the delimiter line (ash's `checkend`).
    fn heredoc_end(&mut self, heredoc: &PendingHereDoc) -> bool {
        if heredoc.strip_tabs {
            while self.src.get(self.pos) == Some(&b'\t') {
                self.pos += 1;
            }
        }
        let rest = self.src.get(self.pos..).unwrap_or_default();
        if !rest.starts_with(&heredoc.delimiter) {
            return false;
        }
        match rest.get(heredoc.delimiter.len()) {
            None => {
                self.pos = self.src.len();
                true
            }
            Some(b'\n') => {
                self.pos += heredoc.delimiter.len() + 1;
                self.line += 1;
                true
            }
            Some(_) => false,
        }
    }
}

/// Splits a `${x/pattern/replacement}` operand at its first unquoted `/` (a `/` that starts the
/// pattern belongs to it, as in ash's `subevalvar()`).
fn split_replace(operand: Word) -> (Word, Word) {
    let mut pattern = Vec::new();
    let mut parts = operand.parts.into_iter().enumerate();
    for (index, part) in parts.by_ref() {
        if let WordPart::Literal(text) = &part {
            let skip = usize::from(index == 0 && text.starts_with('/'));
            if let Some(slash) = text[skip..].find('/').map(|i| i + skip) {
                let (before, after) = (&text[..slash], &text[slash + 1..]);
                if !before.is_empty() {
                    pattern.push(WordPart::Literal(before.to_string()));
                }
                let mut replacement = Vec::new();
                if !after.is_empty() {
                    replacement.push(WordPart::Literal(after.to_string()));
                }
                replacement.extend(parts.map(|(_, part)| part));
                return (Word { parts: pattern }, Word { parts: replacement });
            }
        }
        pattern.push(part);
    }
    (Word { parts: pattern }, Word::default())
}
