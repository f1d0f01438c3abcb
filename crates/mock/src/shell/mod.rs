//! The shell's language: busybox ash's grammar (`shell/ash.c`) parsed into a tree the
//! interpreter walks.
//!
//! - [`ast`]: the tree. Start there.
//! - [`parser`]: ash's grammar, one line at a time ([`Parser::next_command`]) or a whole script
//!   ([`parse`]); [`SyntaxError`] carries ash's messages.
//! - `lexer`: characters to tokens and words (quotes, `$`-expansions, here-documents).
//! - [`arith`]: `$((...))`, busybox's `shell/math.c`: a parser and an evaluator.
//!
//! Not supported (busybox supports them): aliases, `<(...)` / `>(...)` process substitution.

pub mod arith;
pub mod ast;
pub mod interp;
mod lexer;
pub mod parser;

pub use ast::*;
pub use parser::{parse, Parser, Program, SyntaxError, SyntaxErrorKind, Token};
