//! The shell's syntax tree: what [`super::parser`] makes of a script and the interpreter walks.
//!
//! The shapes follow busybox ash's parse nodes (`shell/ash.c`: `NCMD`, `NPIPE`, `NAND`/`NOR`,
//! `NSEMI`, `NIF`, `NWHILE`/`NUNTIL`, `NFOR`, `NCASE`, `NDEFUN`, `NSUBSHELL`, `NREDIR`), flattened
//! into vectors where ash chains binary nodes. Start at [`List`]: a script is a sequence of them,
//! one per line (ash parses and runs a script line by line, see [`super::Parser`]).
//!
//! Words keep their quoting ([`WordPart`]): field splitting and pathname expansion apply only to
//! the unquoted parts, and the interpreter does both. Commands, and the lists inside them, are
//! reference-counted so that an interpreter frame, a forked subshell, a pipeline member or a
//! function table can hold a piece of the tree without copying it.

use std::rc::Rc;

use super::arith::ArithExpr;

/// Commands separated by `;`, `&` or newlines: ash's `list()`, the body of every compound command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct List {
    pub items: Vec<AndOr>,
}

/// Pipelines joined by `&&` and `||`, run left to right with equal precedence, in the
/// background when the item ended with `&`: ash's `andor()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    pub rest: Vec<(AndOrOp, Pipeline)>,
    /// Ended with `&`: ash's `NBACKGND` (or `pipe_backgnd` for a pipeline).
    pub background: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AndOrOp {
    /// `&&`: run the next pipeline if this one succeeded.
    And,
    /// `||`: run the next pipeline if this one failed.
    Or,
}

/// `[!] command [| command]...`: ash's `pipeline()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `!`: the pipeline's status is inverted.
    pub negated: bool,
    /// At least one command; with more, each runs in its own process.
    pub commands: Vec<Command>,
}

/// One command of a pipeline: ash's `parse_command()`. Cheap to clone (one reference count).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Simple(Rc<SimpleCommand>),
    Compound(Rc<CompoundCommand>),
    /// `name() body`: defining a function is a command (status 0).
    FunctionDef(Rc<FunctionDef>),
}

/// `A=1 B=2 cmd arg... >file`: ash's `NCMD` from `simplecmd()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// The line the command starts on (ash's `ncmd.linno`): `$LINENO` and the "line N:" of
    /// error messages.
    pub line: u32,
    /// The leading `NAME=value` words, in order. Only words before the command name are
    /// assignments; `export A=1` has the word `A=1` in `words` (see [`Word::as_assignment`]).
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments, before expansion. Empty for a command that is only
    /// assignments and/or redirections.
    pub words: Vec<Word>,
    /// In source order (later ones win on the same fd).
    pub redirects: Vec<Redirect>,
}

/// `NAME=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// Expanded without field splitting or pathname expansion; a `~` at its start or after a
    /// `:` is a [`WordPart::Tilde`].
    pub value: Word,
}

/// A compound command with the redirections that follow it (`{ ...; } >file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompoundCommand {
    /// The line its first token is on.
    pub line: u32,
    pub kind: CompoundKind,
    /// Applied around the whole compound command (ash's `NREDIR`).
    pub redirects: Vec<Redirect>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompoundKind {
    /// `{ list; }`: runs in the current shell.
    Group(List),
    /// `( list )`: runs in a subshell (a forked copy of the shell).
    Subshell(List),
    /// `if c; then b; elif c2; then b2; else e; fi`: the first branch whose condition succeeds
    /// runs; with none, `else_body` (status 0 when there is no `else`).
    If {
        branches: Vec<IfBranch>,
        else_body: Option<List>,
    },
    /// `while condition; do body; done`.
    While { condition: List, body: List },
    /// `until condition; do body; done`.
    Until { condition: List, body: List },
    /// `for var in words; do body; done`. `words` is `None` for `for var; do` (and `for var do`),
    /// which loops over `"$@"`.
    For {
        var: String,
        words: Option<Vec<Word>>,
        body: List,
    },
    /// `case word in pattern|pattern) body ;; ... esac`.
    Case { word: Word, arms: Vec<CaseArm> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IfBranch {
    pub condition: List,
    pub body: List,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    /// Glob patterns; the quoted parts of a pattern match literally.
    pub patterns: Vec<Word>,
    /// May be empty (`a) ;;`).
    pub body: List,
}

/// `name() body`, or bash's `function name { ...; }` which busybox accepts (ash's
/// `BASH_FUNCTION`, on in the default build).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionDef {
    /// The line the body starts on (ash's `ndefun.linno`).
    pub line: u32,
    pub name: String,
    /// Any command, usually a group; its redirections apply each time the function runs.
    pub body: Command,
}

/// `[n]op target`. `fd` is the file descriptor redirected, the operator's default when none was
/// written (1 for `>`-family, 0 for `<`-family).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub fd: u32,
    pub kind: RedirectKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `>file`: create or truncate (fails on an existing file under `set -C`).
    Output(Word),
    /// `>|file`: create or truncate, even under `set -C`.
    Clobber(Word),
    /// `>>file`: create or append.
    Append(Word),
    /// `<file`.
    Input(Word),
    /// `<>file`: open for reading and writing.
    ReadWrite(Word),
    /// `>&target`, e.g. `2>&1`, `>&2`, `>&-`.
    DupOutput(DupTarget),
    /// `<&target`, e.g. `0<&3`, `<&-`.
    DupInput(DupTarget),
    /// `&>file`: stdout and stderr to the file (bash's, in busybox's `BASH_REDIR_OUTPUT`).
    OutputAndError(Word),
    /// `<<WORD` or `<<-WORD`.
    HereDoc(HereDoc),
}

/// The right side of `>&` / `<&`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DupTarget {
    /// Digits: duplicate that descriptor.
    Fd(u32),
    /// `-`: close the descriptor.
    Close,
    /// Anything else, decided after expansion: a number duplicates, `-` closes; otherwise ash
    /// says `bad fd number` for `<&`, and treats `>&file` as `&>file`.
    Word(Word),
}

/// A here-document; its body is read from the lines after the command's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereDoc {
    /// `<<-`: leading tabs were stripped from the body lines and the delimiter line.
    pub strip_tabs: bool,
    /// Part of the delimiter was quoted: the body is literal text (a single [`WordPart::Quoted`]).
    /// Otherwise the body holds parameter, command and arithmetic expansions like a
    /// double-quoted string (but `"` is an ordinary character in it).
    pub quoted: bool,
    /// The delimiter with its quotes removed.
    pub delimiter: String,
    /// Every line up to the delimiter line, each with its newline. Never field-split or globbed.
    pub body: Word,
}

/// A shell word before expansion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    pub parts: Vec<WordPart>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Unquoted characters: subject to pathname expansion (`*?[`) and, as a pattern, glob
    /// matching. Never produced inside double quotes.
    Literal(String),
    /// Quoted characters: `'single quoted'`, `$'C escapes'`, a backslash-escaped character, or
    /// the text inside double quotes. Never split, never globbed. Possibly empty (`''`), which
    /// still makes the word a field of its own.
    Quoted(String),
    /// `"..."`: every part inside is quoted. Kept as a group for `"$@"` (one field per positional
    /// parameter) and for `""` (an empty field).
    DoubleQuoted(Vec<WordPart>),
    /// An unquoted `~` or `~user` at the start of a word (or, in an assignment, after the `=` or
    /// a `:`). Expands to `$HOME` or the user's home directory; stays `~user` literally when
    /// there is no such user (or, for `~`, no `$HOME`).
    Tilde(String),
    /// `$name`, `${name...}`.
    Param(Box<ParamExpansion>),
    /// `$(list)` or `` `list` ``: the output of the list run in a subshell, trailing newlines
    /// removed.
    CommandSubst(Rc<List>),
    /// `$((expression))`.
    Arith(Box<Arithmetic>),
}

/// `$((...))`. ash expands the text first (parameters, command substitutions) and then evaluates
/// the result, so `x=2+3; echo $(($x*2))` is 11 (the text `2+3*2`), not 10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arithmetic {
    /// The expression's text as a word: [`WordPart::Quoted`] text and expansions.
    pub text: Word,
    /// The parsed expression when `text` has no expansions and parses (`$((i+1))`), so the
    /// common case costs no parse at run time. When `None`, expand `text` and call
    /// [`super::arith::parse`] on the result (which also yields the run-time error message).
    pub expr: Option<Rc<ArithExpr>>,
}

/// A parameter expansion: ash's `CTLVAR` with its `VSTYPE` subtype.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamExpansion {
    pub param: Param,
    pub op: ParamOp,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// A variable: `[A-Za-z_][A-Za-z0-9_]*`.
    Named(String),
    /// `$0`..`$9`, `${10}`...: `$0` is the shell's (or script's) name. Saturates at `u32::MAX`.
    Positional(u32),
    Special(SpecialParam),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialParam {
    /// `$?`: the last command's exit status.
    Question,
    /// `$$`: the shell's process id (the main shell's, even in a subshell).
    Dollar,
    /// `$!`: the last background job's process id (unset until there is one).
    Bang,
    /// `$#`: the number of positional parameters.
    Hash,
    /// `$@`: the positional parameters; `"$@"` is one field each.
    At,
    /// `$*`: the positional parameters; `"$*"` joins them with the first character of `$IFS`.
    Star,
    /// `$-`: the shell's option letters.
    Dash,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOp {
    /// `$x`, `${x}`.
    Value,
    /// `${#x}`: the length in characters.
    Length,
    /// `${x-word}` (`colon: false`: when unset) or `${x:-word}` (`colon: true`: when unset or
    /// empty): the word instead of the value.
    Default { colon: bool, word: Word },
    /// `${x=word}`, `${x:=word}`: assign the word first.
    Assign { colon: bool, word: Word },
    /// `${x?word}`, `${x:?word}`: fail with `x: word`, or with `x: parameter not set` (`x:
    /// parameter not set or null` with the colon) when the word is empty.
    Error { colon: bool, word: Word },
    /// `${x+word}`, `${x:+word}`: the word when set (and not empty, with the colon), else nothing.
    Alternative { colon: bool, word: Word },
    /// `${x#pattern}`.
    RemoveSmallestPrefix(Word),
    /// `${x##pattern}`.
    RemoveLargestPrefix(Word),
    /// `${x%pattern}`.
    RemoveSmallestSuffix(Word),
    /// `${x%%pattern}`.
    RemoveLargestSuffix(Word),
    /// `${x:offset}`, `${x:offset:length}` (bash's, in busybox's `BASH_SUBSTR`): `spec` is the
    /// text after the first `:`, expanded, then split at its first `:` and each side evaluated
    /// as arithmetic.
    Substring { spec: Word },
    /// `${x/pattern/replacement}`, `${x//pattern/replacement}` (bash's, in busybox's
    /// `BASH_PATTERN_SUBST`). The replacement is empty when there was no second `/`.
    Replace {
        all: bool,
        pattern: Word,
        replacement: Word,
    },
    /// Anything else inside `${...}` (`${}`, `${x!}`, `${#x-}`...): ash accepts it when parsing
    /// and fails when the word is expanded, with `syntax error: bad substitution` (ash's
    /// `varvalue()`), exit status 2. The expansion's `param` means nothing then.
    Bad,
}

impl List {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl Word {
    /// A word of one unquoted literal, as the parser makes for plain text.
    pub fn literal(text: &str) -> Word {
        Word {
            parts: vec![WordPart::Literal(text.to_string())],
        }
    }

    /// The text of a word that is only unquoted literal characters (a keyword, a plain command
    /// name, a number): `None` when any part is quoted or expands.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [WordPart::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// Whether any part of the word was quoted (ash's `quoteflag`).
    pub fn has_quotes(&self) -> bool {
        self.parts
            .iter()
            .any(|part| matches!(part, WordPart::Quoted(_) | WordPart::DoubleQuoted(_)))
    }

    /// The word as `NAME=value` when it is one: an unquoted name, then an unquoted `=` (ash's
    /// `isassignment()`). The value gets the tilde expansions of an assignment (after the `=`
    /// and after each unquoted `:`, ash's `EXP_VARTILDE`). The parser uses this for the words
    /// before a command name; the interpreter can use it for the arguments of `export`,
    /// `local` and `readonly`, which ash expands the same way.
    pub fn as_assignment(&self) -> Option<Assignment> {
        let Some(WordPart::Literal(first)) = self.parts.first() else {
            return None;
        };
        let name_len = name_length(first.as_bytes());
        if name_len == 0 || first.as_bytes().get(name_len) != Some(&b'=') {
            return None;
        }
        let name = first[..name_len].to_string();
        let mut value_parts = Vec::with_capacity(self.parts.len());
        let rest = &first[name_len + 1..];
        if !rest.is_empty() {
            value_parts.push(WordPart::Literal(rest.to_string()));
        }
        value_parts.extend(self.parts[1..].iter().cloned());
        Some(Assignment {
            name,
            value: Word {
                parts: assignment_tildes(value_parts),
            },
        })
    }
}

/// The length of the shell name (`[A-Za-z_][A-Za-z0-9_]*`) at the start of `text`: ash's
/// `endofname()`.
pub fn name_length(text: &[u8]) -> usize {
    match text.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {}
        _ => return 0,
    }
    1 + text[1..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count()
}

/// Whether `text` is a shell name: ash's `goodname()`.
pub fn is_name(text: &str) -> bool {
    !text.is_empty() && name_length(text.as_bytes()) == text.len()
}

/// Splits the unquoted `~prefix` runs of an assignment's value into [`WordPart::Tilde`]s: at the
/// start and after every unquoted `:`, up to the next `/` or `:` (ash's `argstr()` with
/// `EXP_VARTILDE`, and `exptilde()`, which gives up when the prefix runs into a quoted or
/// expanded part).
fn assignment_tildes(parts: Vec<WordPart>) -> Vec<WordPart> {
    let any_candidate = parts.iter().enumerate().any(|(i, part)| match part {
        WordPart::Literal(text) => (i == 0 && text.starts_with('~')) || text.contains(":~"),
        _ => false,
    });
    if !any_candidate {
        return parts;
    }
    let count = parts.len();
    let mut out = Vec::with_capacity(count + 2);
    for (index, part) in parts.into_iter().enumerate() {
        let WordPart::Literal(text) = part else {
            out.push(part);
            continue;
        };
        let is_last = index + 1 == count;
        let mut literal = String::new();
        let mut rest = text.as_str();
        // A tilde can start this part if it opens the value or follows a ':' in this part.
        let mut at_tilde_position = index == 0;
        loop {
            if at_tilde_position && rest.starts_with('~') {
                let prefix_end = rest[1..].find(['/', ':']).map(|i| i + 1);
                match prefix_end {
                    Some(end) => {
                        if !literal.is_empty() {
                            out.push(WordPart::Literal(std::mem::take(&mut literal)));
                        }
                        out.push(WordPart::Tilde(rest[1..end].to_string()));
                        rest = &rest[end..];
                    }
                    None if is_last => {
                        if !literal.is_empty() {
                            out.push(WordPart::Literal(std::mem::take(&mut literal)));
                        }
                        out.push(WordPart::Tilde(rest[1..].to_string()));
                        rest = "";
                    }
                    // The prefix continues into a quoted or expanded part: no expansion.
                    None => {}
                }
            }
            match rest.find(':') {
                Some(colon) => {
                    literal.push_str(&rest[..=colon]);
                    rest = &rest[colon + 1..];
                    at_tilde_position = true;
                }
                None => {
                    literal.push_str(rest);
                    break;
                }
            }
        }
        if !literal.is_empty() {
            out.push(WordPart::Literal(literal));
        }
    }
    out
}
