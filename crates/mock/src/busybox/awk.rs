//! `awk` (editors/awk.c): the pattern-action language, the part one-liners and pod specs use.
//!
//! [`lex`] and [`parse`] turn the program into a tree, [`interp`] walks it. Values behave as
//! busybox's `var`s do: numbers print as integers when integral and through `CONVFMT`/`OFMT`
//! (`%.6g`) otherwise, input fields are "user" strings that compare as numbers when they look
//! like numbers, and arrays iterate in busybox's hash order (`hashidx`, 61 buckets growing to
//! 251, 1021...). Errors are `syntax_error`'s `awk: cmd. line:N: MESSAGE`, status 1.

mod interp;
mod lex;
mod parse;
mod value;

use crate::kernel::Ctx;

use super::util::error;
use super::BANNER;

/// `awk_full_usage`.
const USAGE: &str = "Usage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...\n\n\
\t-v VAR=VAL\tSet variable\n\
\t-F SEP\t\tUse SEP as field separator\n\
\t-f FILE\t\tRead program from FILE\n\
\t-e AWK_PROGRAM\n";

async fn show_usage(ctx: &Ctx) {
    ctx.print(2, &format!("{BANNER}\n\n{USAGE}")).await;
}

/// `awk [-F SEP] [-v VAR=VAL]... [-f FILE | -e PROG | PROG] [FILE]...` (`awk_main`).
pub async fn awk(ctx: &Ctx, args: &[String]) -> i32 {
    let mut fs: Option<String> = None;
    let mut assigns: Vec<String> = Vec::new();
    let mut progs: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    // getopt with "F:v:f:e:W:" and stop at the first operand ("+" in awk_main's spec).
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if a.len() < 2 || !a.starts_with('-') {
            break;
        }
        let body: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < body.len() {
            let c = body[j];
            j += 1;
            if !matches!(c, 'F' | 'v' | 'f' | 'e' | 'W') {
                error(ctx, "awk", &format!("invalid option -- '{c}'")).await;
                show_usage(ctx).await;
                return 1;
            }
            let value = if j < body.len() {
                let v: String = body[j..].iter().collect();
                j = body.len();
                v
            } else if i + 1 < args.len() {
                i += 1;
                args[i].clone()
            } else {
                error(ctx, "awk", &format!("option requires an argument -- '{c}'")).await;
                show_usage(ctx).await;
                return 1;
            };
            match c {
                'F' => fs = Some(value),
                'v' => assigns.push(value),
                'f' => match ctx.read_file(&value) {
                    Ok(d) => progs.push((value.clone(), String::from_utf8_lossy(&d).into_owned())),
                    Err(e) => {
                        error(
                            ctx,
                            "awk",
                            &format!("can't open '{value}': {}", e.message()),
                        )
                        .await;
                        return 1;
                    }
                },
                'e' => progs.push(("cmd. line".into(), value)),
                _ => {}
            }
        }
        i += 1;
    }
    let mut operands: Vec<String> = args[i..].to_vec();
    if progs.is_empty() {
        if operands.is_empty() {
            show_usage(ctx).await;
            return 1;
        }
        progs.push(("cmd. line".into(), operands.remove(0)));
    }
    let mut program = parse::Program::default();
    for (name, text) in &progs {
        if let Err(e) = parse::parse(text, &mut program) {
            error(ctx, "awk", &format!("{name}:{}: {}", e.line, e.message)).await;
            return 1;
        }
    }
    let progname = progs.first().map(|p| p.0.clone()).unwrap_or_default();
    let mut it = interp::Interp::new(ctx, program, progname);
    it.setup(fs.as_deref(), &assigns, &operands);
    it.run().await
}
