//! The text applets: cat, head, tail, grep, wc, cut, tr, sort, uniq, tee, seq, yes,
//! basename, dirname, base64, rev and expr (coreutils/*.c, findutils/grep.c).

use crate::fs::Errno;
use crate::kernel::Ctx;

use super::regex::Regex;
use super::util::{error, getopt, parse_i64, Input, Opts, Out, Spec};
use super::{bad_option, show_usage};

/// How an applet reports a file it cannot open: `open_or_warn` (`can't open 'x': ...`) or
/// `fopen_or_warn` (`x: ...`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Warn {
    CantOpen,
    Path,
}

async fn open_input(ctx: &Ctx, applet: &str, path: &str, warn: Warn) -> Option<Input> {
    match Input::open(ctx, path) {
        Ok(i) => Some(i),
        // open(2) of a directory succeeds; the read fails.
        Err(Errno::EISDIR) => {
            error(
                ctx,
                applet,
                &format!("read error: {}", Errno::EISDIR.message()),
            )
            .await;
            None
        }
        Err(e) => {
            let msg = match warn {
                Warn::CantOpen => format!("can't open '{path}': {}", e.message()),
                Warn::Path => format!("{path}: {}", e.message()),
            };
            error(ctx, applet, &msg).await;
            None
        }
    }
}

fn files_or_stdin(args: &[String]) -> Vec<String> {
    if args.is_empty() {
        vec!["-".to_string()]
    } else {
        args.to_vec()
    }
}

async fn opts(ctx: &Ctx, applet: &str, args: &[String], spec: &Spec<'_>) -> Result<Opts, i32> {
    match getopt(args, spec) {
        Ok(o) => Ok(o),
        Err(e) => Err(bad_option(ctx, applet, &e).await),
    }
}

fn short(s: &str) -> Spec<'_> {
    Spec {
        short: s,
        long: &[],
        stop_at_operand: false,
    }
}

/// `cat [-nbvteA] [FILE]...`
pub async fn cat(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "cat", args, &short("nbvteAu")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let number = o.has('n') || o.has('b');
    let nonblank = o.has('b');
    let show_ends = o.has('e') || o.has('A');
    let show_tabs = o.has('t') || o.has('A');
    let mut status = 0;
    let mut out = Out::stdout(ctx);
    let mut line_no = 0u64;
    for path in files_or_stdin(&o.args) {
        let Some(mut input) = open_input(ctx, "cat", &path, Warn::CantOpen).await else {
            status = 1;
            continue;
        };
        if !number && !show_ends && !show_tabs {
            // Plain cat streams: each chunk is written as it arrives.
            loop {
                match input.chunk(ctx).await {
                    Ok(c) if c.is_empty() => break,
                    Ok(c) => {
                        out.push(&c);
                        if !out.flush().await {
                            input.close(ctx);
                            return 1;
                        }
                    }
                    Err(e) => {
                        error(ctx, "cat", &format!("read error: {}", e.message())).await;
                        status = 1;
                        break;
                    }
                }
            }
        } else {
            loop {
                let line = match input.line(ctx).await {
                    Ok(Some(l)) => l,
                    Ok(None) => break,
                    Err(e) => {
                        error(ctx, "cat", &format!("read error: {}", e.message())).await;
                        status = 1;
                        break;
                    }
                };
                let body_len = line.len() - usize::from(line.ends_with(b"\n"));
                if number && !(nonblank && body_len == 0) {
                    line_no += 1;
                    out.push_str(&format!("{line_no:6}\t"));
                }
                for &b in &line[..body_len] {
                    if show_tabs && b == b'\t' {
                        out.push(b"^I");
                    } else {
                        out.push(&[b]);
                    }
                }
                if show_ends && line.ends_with(b"\n") {
                    out.push(b"$");
                }
                if line.ends_with(b"\n") {
                    out.push(b"\n");
                }
                out.write(&[]).await;
            }
        }
        input.close(ctx);
    }
    out.flush().await;
    status
}

/// A line count like `-n 5`, `-n +5`, `-n -5` with busybox's `bkm` suffixes.
fn count_arg(s: &str) -> Option<(char, u64)> {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => ('+', &s[1..]),
        Some(b'-') => ('-', &s[1..]),
        _ => (' ', s),
    };
    let n = super::util::parse_size(rest)?;
    Some((sign, n))
}

/// Rewrites the obsolete `-5` form into `-n 5` (head and tail accept it).
fn legacy_count(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i == 0 && a.len() > 1 && a.starts_with('-') && a[1..].bytes().all(|b| b.is_ascii_digit())
        {
            out.push("-n".to_string());
            out.push(a[1..].to_string());
        } else {
            out.push(a.clone());
        }
    }
    out
}

/// `head [-n N] [-c N] [-qv] [FILE]...`
pub async fn head(ctx: &Ctx, args: &[String]) -> i32 {
    let args = legacy_count(args);
    let o = match opts(ctx, "head", &args, &short("n:c:qv")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let (by_bytes, spec) = match (o.value('c'), o.value('n')) {
        (Some(c), _) => (true, c),
        (None, Some(n)) => (false, n),
        (None, None) => (false, "10"),
    };
    let Some((sign, count)) = count_arg(spec) else {
        error(ctx, "head", &format!("invalid number '{spec}'")).await;
        return 1;
    };
    let files = files_or_stdin(&o.args);
    let headers = (files.len() > 1 && !o.has('q')) || o.has('v');
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    for (i, path) in files.iter().enumerate() {
        let Some(mut input) = open_input(ctx, "head", path, Warn::Path).await else {
            status = 1;
            continue;
        };
        if headers {
            let name = if path == "-" { "standard input" } else { path };
            out.push_str(&format!(
                "{}==> {name} <==\n",
                if i > 0 { "\n" } else { "" }
            ));
        }
        if sign == '-' {
            // All but the last N.
            let data = input.all(ctx).await.unwrap_or_default();
            let keep = if by_bytes {
                data.len().saturating_sub(count as usize)
            } else {
                let lines = split_lines(&data);
                let n = lines.len().saturating_sub(count as usize);
                lines[..n].iter().map(|l| l.len()).sum()
            };
            out.push(&data[..keep]);
        } else if by_bytes {
            let mut left = count as usize;
            while left > 0 {
                let chunk = match input.chunk(ctx).await {
                    Ok(c) if !c.is_empty() => c,
                    _ => break,
                };
                let n = left.min(chunk.len());
                out.write(&chunk[..n]).await;
                left -= n;
            }
        } else {
            let mut left = count;
            while left > 0 {
                match input.line(ctx).await {
                    Ok(Some(l)) => out.write(&l).await,
                    _ => break,
                }
                left -= 1;
            }
        }
        input.close(ctx);
    }
    out.flush().await;
    status
}

fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in data.iter().enumerate() {
        if *b == b'\n' {
            out.push(&data[start..=i]);
            start = i + 1;
        }
    }
    if start < data.len() {
        out.push(&data[start..]);
    }
    out
}

/// `tail [-fq] [-s SECONDS] [-n [+]N] [-c [+]N] [FILE]...`; `-f` polls the file once per
/// sleep interval (1 s) of virtual time until the process is killed.
pub async fn tail(ctx: &Ctx, args: &[String]) -> i32 {
    let args = legacy_count(args);
    let o = match opts(ctx, "tail", &args, &short("fFn:c:qvs:")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let (by_bytes, spec) = match (o.value('c'), o.value('n')) {
        (Some(c), _) => (true, c),
        (None, Some(n)) => (false, n),
        (None, None) => (false, "10"),
    };
    let Some((sign, count)) = count_arg(spec) else {
        error(ctx, "tail", &format!("invalid number '{spec}'")).await;
        return 1;
    };
    let follow = o.has('f') || o.has('F');
    let sleep_ms = o
        .value('s')
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(1000, |s| (s * 1000.0).max(0.0) as u64);
    let files = files_or_stdin(&o.args);
    let headers = (files.len() > 1 && !o.has('q')) || o.has('v');
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    // What -f follows: (path, bytes seen).
    let mut followed: Vec<(String, usize)> = Vec::new();
    for (i, path) in files.iter().enumerate() {
        let Some(mut input) = open_input(ctx, "tail", path, Warn::CantOpen).await else {
            status = 1;
            continue;
        };
        if headers {
            let name = if path == "-" { "standard input" } else { path };
            out.push_str(&format!(
                "{}==> {name} <==\n",
                if i > 0 { "\n" } else { "" }
            ));
        }
        let data = input.all(ctx).await.unwrap_or_default();
        input.close(ctx);
        out.push(tail_of(&data, by_bytes, sign, count));
        out.flush().await;
        if path != "-" {
            followed.push((path.clone(), data.len()));
        }
    }
    if !follow || followed.is_empty() {
        out.flush().await;
        return status;
    }
    let mut last_shown: Option<usize> = None;
    loop {
        if ctx.sleep(sleep_ms).await.is_err() {
            return status;
        }
        for (idx, (path, seen)) in followed.iter_mut().enumerate() {
            let Ok(data) = ctx.read_file(path) else {
                continue;
            };
            if data.len() < *seen {
                error(ctx, "tail", &format!("{path}: file truncated")).await;
                *seen = 0;
            }
            if data.len() > *seen {
                if headers && last_shown != Some(idx) {
                    out.push_str(&format!("\n==> {path} <==\n"));
                }
                last_shown = Some(idx);
                out.push(&data[*seen..]);
                *seen = data.len();
            }
        }
        if !out.flush().await {
            return 1;
        }
    }
}

fn tail_of(data: &[u8], by_bytes: bool, sign: char, count: u64) -> &[u8] {
    let n = count as usize;
    if by_bytes {
        return if sign == '+' {
            &data[n.saturating_sub(1).min(data.len())..]
        } else {
            &data[data.len().saturating_sub(n)..]
        };
    }
    let lines = split_lines(data);
    let skip = if sign == '+' {
        n.saturating_sub(1).min(lines.len())
    } else {
        lines.len().saturating_sub(n)
    };
    let start: usize = lines[..skip].iter().map(|l| l.len()).sum();
    &data[start..]
}

/// One of grep's patterns.
enum Pat {
    Fixed(String),
    Re(Regex),
}

/// `grep [-HhnlLoqvsriwFExc] [-m N] {PATTERN | -e PATTERN...} [FILE]...`: exit 0 when a line
/// was selected, 1 when none, 2 on an error.
pub async fn grep(ctx: &Ctx, args: &[String]) -> i32 {
    grep_as(ctx, "grep", args, false).await
}

pub async fn grep_as(ctx: &Ctx, applet: &str, args: &[String], egrep: bool) -> i32 {
    let spec = Spec {
        short: "HhnlLoqvsrRiwFExce:f:m:A:B:C:",
        long: &[],
        stop_at_operand: false,
    };
    let mut o = match opts(ctx, applet, args, &spec).await {
        Ok(o) => o,
        Err(c) => return if c == 1 { 2 } else { c },
    };
    let mut patterns: Vec<String> = o.values('e').iter().map(|s| s.to_string()).collect();
    for f in o.values('f') {
        match ctx.read_file(f) {
            Ok(d) => patterns.extend(String::from_utf8_lossy(&d).lines().map(String::from)),
            Err(e) => {
                error(ctx, applet, &format!("{f}: {}", e.message())).await;
                return 2;
            }
        }
    }
    if patterns.is_empty() {
        if o.args.is_empty() {
            show_usage(ctx, applet).await;
            return 2;
        }
        let p = o.args.remove(0);
        patterns.extend(p.split('\n').map(String::from));
    }
    let icase = o.has('i');
    let extended = egrep || o.has('E');
    let mut pats = Vec::new();
    for p in &patterns {
        if o.has('F') {
            pats.push(Pat::Fixed(if icase { p.to_lowercase() } else { p.clone() }));
        } else {
            match Regex::new(p, extended, icase) {
                Ok(r) => pats.push(Pat::Re(r)),
                Err(e) => {
                    error(ctx, applet, &format!("bad regex '{p}': {e}")).await;
                    return 2;
                }
            }
        }
    }
    let word = o.has('w');
    let whole = o.has('x');
    let invert = o.has('v');
    let quiet = o.has('q');
    let count_only = o.has('c');
    let list = o.has('l');
    let list_missing = o.has('L');
    let only = o.has('o');
    let numbers = o.has('n');
    let max = o.value('m').and_then(|m| m.parse::<u64>().ok());
    // -A/-B/-C (FEATURE_GREP_CONTEXT): lines after and before each match, `-` instead of `:`
    // after their file name and number, and `--` where printed lines are not contiguous.
    let context = o.value('C').and_then(|n| n.parse::<usize>().ok());
    let lines_after = o
        .value('A')
        .and_then(|n| n.parse::<usize>().ok())
        .or(context)
        .unwrap_or(0);
    let lines_before = o
        .value('B')
        .and_then(|n| n.parse::<usize>().ok())
        .or(context)
        .unwrap_or(0);
    let mut last_printed = 0u64;
    let mut files = o.args.clone();
    if o.has('r') || o.has('R') {
        let roots = if files.is_empty() {
            vec![".".to_string()]
        } else {
            files.clone()
        };
        files.clear();
        for r in roots {
            walk_files(ctx, &r, &mut files);
        }
    }
    let files = files_or_stdin(&files);
    let names = (files.len() > 1 || o.has('r') || o.has('R') || o.has('H')) && !o.has('h');
    let mut out = Out::stdout(ctx);
    let mut any = false;
    let mut trouble = false;
    'files: for path in &files {
        let mut input = match Input::open(ctx, path) {
            Ok(i) => i,
            Err(e) => {
                if !o.has('s') {
                    error(ctx, applet, &format!("{path}: {}", e.message())).await;
                }
                trouble = true;
                continue;
            }
        };
        let shown = if path == "-" {
            "(standard input)"
        } else {
            path.as_str()
        };
        let mut count = 0u64;
        let mut line_no = 0u64;
        let mut before: std::collections::VecDeque<(u64, String)> =
            std::collections::VecDeque::new();
        let mut after_left = 0usize;
        let prefix_of = |line_no: u64, deco: char| match (names, numbers) {
            (true, true) => format!("{shown}{deco}{line_no}{deco}"),
            (true, false) => format!("{shown}{deco}"),
            (false, true) => format!("{line_no}{deco}"),
            (false, false) => String::new(),
        };
        let context_on = lines_before > 0 || lines_after > 0;
        let printing = !quiet && !list && !count_only && !list_missing;
        loop {
            if max.is_some_and(|m| count >= m) && after_left == 0 {
                break;
            }
            let line = match input.line(ctx).await {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    error(ctx, applet, &format!("{path}: {}", e.message())).await;
                    trouble = true;
                    break;
                }
            };
            line_no += 1;
            let text = String::from_utf8_lossy(&line);
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let spans = matches(&pats, text, icase, word, whole);
            let selected = spans.is_empty() == invert && max.is_none_or(|m| count < m);
            if !selected {
                if printing && after_left > 0 {
                    if context_on && last_printed > 0 && last_printed + 1 < line_no {
                        out.write_str("--\n").await;
                    }
                    last_printed = line_no;
                    out.write_str(&format!("{}{text}\n", prefix_of(line_no, '-')))
                        .await;
                    after_left -= 1;
                } else if lines_before > 0 {
                    if before.len() == lines_before {
                        before.pop_front();
                    }
                    before.push_back((line_no, text.to_string()));
                }
                continue;
            }
            any = true;
            count += 1;
            if quiet {
                input.close(ctx);
                break 'files;
            }
            if list {
                out.write_str(&format!("{shown}\n")).await;
                break;
            }
            if !count_only && !list_missing {
                for (n, l) in std::mem::take(&mut before) {
                    if context_on && last_printed > 0 && last_printed + 1 < n {
                        out.write_str("--\n").await;
                    }
                    last_printed = n;
                    out.write_str(&format!("{}{l}\n", prefix_of(n, '-'))).await;
                }
                if context_on && last_printed > 0 && last_printed + 1 < line_no {
                    out.write_str("--\n").await;
                }
                last_printed = line_no;
                after_left = lines_after;
                let prefix = prefix_of(line_no, ':');
                if only && !invert {
                    let chars: Vec<char> = text.chars().collect();
                    for (s, e) in spans {
                        let piece: String = chars[s..e].iter().collect();
                        out.write_str(&format!("{prefix}{piece}\n")).await;
                    }
                } else {
                    out.write_str(&format!("{prefix}{text}\n")).await;
                }
            }
        }
        input.close(ctx);
        if count_only {
            if names {
                out.write_str(&format!("{shown}:{count}\n")).await;
            } else {
                out.write_str(&format!("{count}\n")).await;
            }
        }
        if list_missing && count == 0 {
            out.write_str(&format!("{shown}\n")).await;
        }
    }
    out.flush().await;
    if quiet && any {
        return 0;
    }
    if trouble {
        2
    } else if any {
        0
    } else {
        1
    }
}

fn walk_files(ctx: &Ctx, path: &str, out: &mut Vec<String>) {
    match ctx.stat(path) {
        Ok(st) if st.kind == crate::fs::Kind::Dir => {
            if out.len() > 10_000 {
                return;
            }
            for (name, _) in ctx.list(path).unwrap_or_default() {
                walk_files(ctx, &super::util::join(path, &name), out);
            }
        }
        _ => out.push(path.to_string()),
    }
}

/// The match spans (char offsets) of the patterns in `text`, with -w and -x applied.
fn matches(pats: &[Pat], text: &str, icase: bool, word: bool, whole: bool) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let lowered;
    let hay = if icase {
        lowered = text.to_lowercase();
        lowered.as_str()
    } else {
        text
    };
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut spans = Vec::new();
    for p in pats {
        let mut from = 0;
        while from <= chars.len() {
            let found = match p {
                Pat::Fixed(f) => {
                    let byte_from = hay.char_indices().nth(from).map_or(hay.len(), |(b, _)| b);
                    hay[byte_from..].find(f.as_str()).map(|b| {
                        let s = hay[..byte_from + b].chars().count();
                        (s, s + f.chars().count())
                    })
                }
                Pat::Re(r) => r.find_at(text, from),
            };
            let Some((s, e)) = found else {
                break;
            };
            let ok = if whole {
                s == 0 && e == chars.len()
            } else if word {
                let before = s == 0 || !is_word(chars[s - 1]);
                let after = e == chars.len() || !is_word(chars[e]);
                before && after && e > s
            } else {
                true
            };
            if ok {
                spans.push((s, e));
            }
            from = if e > s { e } else { s + 1 };
            if ok && !(word || whole) && e == s {
                // An empty match selects the line; no more spans from it.
                break;
            }
        }
    }
    spans.sort_unstable();
    spans
}

/// `wc [-lwmcL] [FILE]...`
pub async fn wc(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "wc", args, &short("lwmcL")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mut which: Vec<usize> = Vec::new();
    for (i, c) in ['l', 'w', 'm', 'c', 'L'].iter().enumerate() {
        if o.has(*c) {
            which.push(i);
        }
    }
    if which.is_empty() {
        which = vec![0, 1, 3];
    }
    let stdin = o.args.is_empty();
    let files = files_or_stdin(&o.args);
    let bare = files.len() <= 1 && which.len() == 1;
    let mut totals = [0u64; 5];
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    let mut done = 0;
    for path in &files {
        let Some(mut input) = open_input(ctx, "wc", path, Warn::Path).await else {
            status = 1;
            continue;
        };
        let mut counts = [0u64; 5];
        let mut in_word = false;
        let mut linepos = 0u64;
        loop {
            let chunk = match input.chunk(ctx).await {
                Ok(c) if !c.is_empty() => c,
                _ => break,
            };
            for &c in &chunk {
                counts[3] += 1;
                if c & 0xc0 != 0x80 {
                    counts[2] += 1;
                }
                if (0x20..0x7f).contains(&c) {
                    linepos += 1;
                    if c != b' ' {
                        in_word = true;
                        continue;
                    }
                } else if (9..=13).contains(&c) {
                    if c == b'\t' {
                        linepos = (linepos | 7) + 1;
                    } else {
                        counts[4] = counts[4].max(linepos);
                        if c == b'\n' {
                            counts[0] += 1;
                        }
                        if c != 11 {
                            linepos = 0;
                        }
                    }
                } else {
                    continue;
                }
                counts[1] += u64::from(in_word);
                in_word = false;
            }
        }
        counts[4] = counts[4].max(linepos);
        counts[1] += u64::from(in_word);
        input.close(ctx);
        done += 1;
        out.push_str(&wc_line(
            &counts,
            &which,
            bare,
            if stdin { None } else { Some(path) },
        ));
        for i in 0..5 {
            totals[i] = if i == 4 {
                totals[i].max(counts[i])
            } else {
                totals[i] + counts[i]
            };
        }
    }
    if files.len() > 1 {
        let _ = done;
        out.push_str(&wc_line(&totals, &which, false, Some("total")));
    }
    out.flush().await;
    status
}

fn wc_line(counts: &[u64; 5], which: &[usize], bare: bool, name: Option<&str>) -> String {
    let mut s = String::new();
    for (k, i) in which.iter().enumerate() {
        if bare {
            s.push_str(&counts[*i].to_string());
        } else if k == 0 {
            s.push_str(&format!("{:9}", counts[*i]));
        } else {
            s.push_str(&format!(" {:9}", counts[*i]));
        }
    }
    match name {
        Some(n) => {
            s.push(' ');
            s.push_str(n);
            s.push('\n');
        }
        None => s.push('\n'),
    }
    s
}

/// A `cut` list: ranges of 1-based positions.
fn parse_list(s: &str) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (
                if a.is_empty() { 1 } else { a.parse().ok()? },
                if b.is_empty() {
                    usize::MAX
                } else {
                    b.parse().ok()?
                },
            ),
            None => {
                let n: usize = part.parse().ok()?;
                (n, n)
            }
        };
        if a == 0 || b < a {
            return None;
        }
        out.push((a, b));
    }
    Some(out)
}

/// `cut -b|-c|-f LIST [-d DELIM] [-s] [FILE]...`
pub async fn cut(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "cut", args, &short("b:c:f:d:sn")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let (mode, list) = match (o.value('b'), o.value('c'), o.value('f')) {
        (Some(l), None, None) => ('c', l),
        (None, Some(l), None) => ('c', l),
        (None, None, Some(l)) => ('f', l),
        (None, None, None) => {
            error(
                ctx,
                "cut",
                "expected a list of bytes, characters, or fields",
            )
            .await;
            return 1;
        }
        _ => {
            error(ctx, "cut", "only one type of list may be specified").await;
            return 1;
        }
    };
    let Some(ranges) = parse_list(list) else {
        error(ctx, "cut", &format!("invalid range '{list}'")).await;
        return 1;
    };
    let delim = o.value('d').unwrap_or("\t");
    if delim.chars().count() != 1 {
        error(ctx, "cut", "the delimiter must be a single character").await;
        return 1;
    }
    let delim = delim.chars().next().unwrap_or('\t');
    let wanted = |i: usize| ranges.iter().any(|(a, b)| *a <= i && i <= *b);
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    for path in files_or_stdin(&o.args) {
        let Some(mut input) = open_input(ctx, "cut", &path, Warn::Path).await else {
            status = 1;
            continue;
        };
        while let Ok(Some(line)) = input.line(ctx).await {
            let text = String::from_utf8_lossy(&line);
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let picked: String = if mode == 'c' {
                text.chars()
                    .enumerate()
                    .filter(|(i, _)| wanted(i + 1))
                    .map(|(_, c)| c)
                    .collect()
            } else if !text.contains(delim) {
                if o.has('s') {
                    continue;
                }
                text.to_string()
            } else {
                let fields: Vec<&str> = text
                    .split(delim)
                    .enumerate()
                    .filter(|(i, _)| wanted(i + 1))
                    .map(|(_, f)| f)
                    .collect();
                fields.join(&delim.to_string())
            };
            out.write_str(&picked).await;
            out.write(b"\n").await;
        }
        input.close(ctx);
    }
    out.flush().await;
    status
}

/// Expands a `tr` set: ranges, escapes and `[:class:]`.
fn tr_set(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut chars = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'[' && b.get(i + 1) == Some(&b':') {
            if let Some(end) = s[i + 2..].find(":]") {
                let class = &s[i + 2..i + 2 + end];
                for c in 0u8..=127 {
                    if super::util::char_class(class, c as char) {
                        chars.push(c);
                    }
                }
                i += 2 + end + 2;
                continue;
            }
        }
        let (c, next) = if b[i] == b'\\' && i + 1 < b.len() {
            let (c, n) = match b[i + 1] {
                b'n' => (b'\n', 1),
                b't' => (b'\t', 1),
                b'r' => (b'\r', 1),
                b'\\' => (b'\\', 1),
                d @ b'0'..=b'7' => {
                    let mut v = (d - b'0') as u32;
                    let mut n = 1;
                    while n < 3 && b.get(i + 1 + n).is_some_and(|x| (b'0'..=b'7').contains(x)) {
                        v = v * 8 + (b[i + 1 + n] - b'0') as u32;
                        n += 1;
                    }
                    ((v & 0xff) as u8, n)
                }
                other => (other, 1),
            };
            (c, i + 1 + n)
        } else {
            (b[i], i + 1)
        };
        if b.get(next) == Some(&b'-') && next + 1 < b.len() {
            let hi = b[next + 1];
            if hi >= c {
                chars.extend(c..=hi);
            }
            i = next + 2;
        } else {
            chars.push(c);
            i = next;
        }
    }
    chars
}

/// `tr [-cds] STRING1 [STRING2]`
pub async fn tr(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "tr", args, &short("cdsC")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let delete = o.has('d');
    let squeeze = o.has('s');
    if o.args.is_empty() || (!delete && !squeeze && o.args.len() < 2) {
        show_usage(ctx, "tr").await;
        return 1;
    }
    let mut set1 = tr_set(&o.args[0]);
    if o.has('c') || o.has('C') {
        set1 = (0u8..=255).filter(|c| !set1.contains(c)).collect();
    }
    let set2 = o.args.get(1).map(|s| tr_set(s)).unwrap_or_default();
    let mut map: [u16; 256] = [0; 256];
    for (i, m) in map.iter_mut().enumerate() {
        *m = i as u16;
    }
    if !delete && !set2.is_empty() {
        for (i, c) in set1.iter().enumerate() {
            map[*c as usize] = *set2.get(i).unwrap_or(set2.last().unwrap_or(c)) as u16;
        }
    }
    let in_set1 = |c: u8| set1.contains(&c);
    let squeeze_set: Vec<u8> = if delete || set2.is_empty() {
        set1.clone()
    } else {
        set2.clone()
    };
    let squeeze_set = if delete { set2.clone() } else { squeeze_set };
    let mut out = Out::stdout(ctx);
    let mut input = Input::fd(0);
    let mut last: Option<u8> = None;
    loop {
        let chunk = match input.chunk(ctx).await {
            Ok(c) if !c.is_empty() => c,
            _ => break,
        };
        let mut buf = Vec::with_capacity(chunk.len());
        for c in chunk {
            if delete && in_set1(c) {
                continue;
            }
            let m = map[c as usize] as u8;
            if squeeze && last == Some(m) && squeeze_set.contains(&m) {
                continue;
            }
            last = Some(m);
            buf.push(m);
        }
        out.write(&buf).await;
    }
    out.flush().await;
    0
}

/// The sort types and key modifiers of busybox's sort.c (`FLAG_*`); `BB` is `b` after the
/// comma of a key (strip trailing blanks), `NO_TIE_BREAK` disables the last-resort compare.
mod sortflag {
    pub const N: u32 = 1 << 0;
    pub const G: u32 = 1 << 1;
    pub const U: u32 = 1 << 4;
    pub const C: u32 = 1 << 5;
    pub const S: u32 = 1 << 6;
    pub const B: u32 = 1 << 8;
    pub const R: u32 = 1 << 9;
    pub const D: u32 = 1 << 10;
    pub const F: u32 = 1 << 11;
    pub const I: u32 = 1 << 12;
    pub const BB: u32 = 1 << 31;
    pub const NO_TIE_BREAK: u32 = 1 << 30;
}

/// One `-k START[.CHAR][FLAGS][,END[.CHAR][FLAGS]]`: busybox's `struct sort_key`.
#[derive(Clone, Copy, Default)]
struct SortKey {
    /// Start field, start char, end field, end char (0: not given).
    range: [usize; 4],
    flags: u32,
}

/// Parses a `-k` value as sort_main does; the error is busybox's message.
fn parse_sort_key(k: &str) -> Result<SortKey, &'static str> {
    use sortflag::*;
    let mut key = SortKey::default();
    let b = k.as_bytes();
    let mut p = 0;
    let mut i = 0;
    let number = |p: &mut usize| -> Result<usize, &'static str> {
        let start = *p;
        while *p < b.len() && b[*p].is_ascii_digit() {
            *p += 1;
        }
        match k[start..*p].parse::<usize>() {
            Ok(n) if n > 0 && n <= i32::MAX as usize => Ok(n),
            _ => Err("bad field specification"),
        }
    };
    while p < b.len() {
        key.range[2 * i] = number(&mut p)?;
        if b.get(p) == Some(&b'.') {
            p += 1;
            key.range[2 * i + 1] = number(&mut p)?;
        }
        while p < b.len() {
            if b[p] == b',' && i == 0 {
                i = 1;
                p += 1;
                break;
            }
            let flag = match b[p] {
                b'n' => N,
                b'g' => G,
                b'b' if i == 1 => BB,
                b'b' => B,
                b'r' => R,
                b'd' => D,
                b'f' => F,
                b'i' => I,
                b'M' => 1 << 2,
                b'V' | b'u' | b'c' | b's' | b'z' | b'm' | b'S' | b'T' | b'o' | b'k' | b't' => {
                    return Err("unknown sort type")
                }
                _ => return Err("unknown key option"),
            };
            key.flags |= flag;
            p += 1;
        }
    }
    Ok(key)
}

/// busybox's `get_key`: the part of `line` a key compares, with `-b`, `-d`, `-i`, `-f`
/// applied.
fn sort_key_text(line: &str, key: &SortKey, flags: u32, sep: Option<u8>) -> String {
    use sortflag::*;
    if key.range == [1, 0, 0, 0] && flags & (B | D | F | I | BB) == 0 {
        return line.to_string();
    }
    let s = line.as_bytes();
    let len = s.len();
    let mut start = 0;
    for j in 0..2 {
        let mut end;
        if key.range[2 * j] == 0 {
            end = len;
        } else {
            let mut ch = 0u8;
            end = 0;
            for _ in 1..key.range[2 * j] + j {
                match sep {
                    // Skip the body of the field and its separator (`ch` ends as the
                    // separator, or 0 at the end of the line).
                    Some(sep) => loop {
                        ch = s.get(end).copied().unwrap_or(0);
                        if ch == 0 {
                            break;
                        }
                        end += 1;
                        if ch == sep {
                            break;
                        }
                    },
                    None => {
                        while end < len && s[end].is_ascii_whitespace() {
                            end += 1;
                        }
                        while end < len && !s[end].is_ascii_whitespace() {
                            end += 1;
                        }
                    }
                }
            }
            // Remove the last delimiter: "abc:def:" => "abc:def".
            if j == 1 && ch != 0 {
                end -= 1;
            }
        }
        if j == 0 {
            start = end;
        } else {
            let mut end = end;
            if flags & B != 0 {
                while start < len && s[start].is_ascii_whitespace() {
                    start += 1;
                }
            }
            if flags & BB != 0 {
                while end > start && s[end - 1].is_ascii_whitespace() {
                    end -= 1;
                }
            }
            if key.range[3] != 0 {
                end = key.range[3].min(len);
            }
            if key.range[1] != 0 {
                start = (start + key.range[1] - 1).min(len);
            }
            end = end.max(start);
            let mut k: Vec<u8> = s[start..end].to_vec();
            if flags & D != 0 {
                k.retain(|c| c.is_ascii_whitespace() || c.is_ascii_alphanumeric());
            }
            if flags & I != 0 {
                k.retain(|c| (0x20..0x7f).contains(c));
            }
            if flags & F != 0 {
                k.make_ascii_uppercase();
            }
            return String::from_utf8_lossy(&k).into_owned();
        }
    }
    unreachable!("the loop returns on its second pass")
}

/// C's `strtod` on a prefix: the number and whether any was read.
fn strtod_prefix(s: &str) -> (f64, bool) {
    let t = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let b = t.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == digits_start || (i == digits_start + 1 && b[digits_start] == b'.') {
        return (0.0, false);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    (t[..i].parse().unwrap_or(0.0), true)
}

/// busybox's `compare_keys`: key by key (a key's own flags replace the global ones), then
/// the whole lines bytewise unless `-s` (or `-u`'s no-tie-break); `-r` of the flags in force
/// last reverses.
fn sort_compare(a: &str, b: &str, keys: &[SortKey], global: u32, sep: Option<u8>) -> i32 {
    use sortflag::*;
    let mut flags = global;
    let mut r = 0i32;
    for key in keys {
        if r != 0 {
            break;
        }
        flags = if key.flags != 0 { key.flags } else { global };
        let x = sort_key_text(a, key, flags, sep);
        let y = sort_key_text(b, key, flags, sep);
        r = if flags & G != 0 {
            let ((dx, okx), (dy, oky)) = (strtod_prefix(&x), strtod_prefix(&y));
            match (okx, oky) {
                (false, false) => 0,
                (false, true) => -1,
                (true, false) => 1,
                _ => dx.partial_cmp(&dy).map_or(0, |o| o as i32),
            }
        } else if flags & N != 0 {
            let (dx, dy) = (strtod_prefix(&x).0, strtod_prefix(&y).0);
            dx.partial_cmp(&dy).map_or(0, |o| o as i32)
        } else {
            x.as_bytes().cmp(y.as_bytes()) as i32
        };
    }
    if r == 0 && global & (S | NO_TIE_BREAK) == 0 {
        flags = global;
        r = a.as_bytes().cmp(b.as_bytes()) as i32;
    }
    if flags & R != 0 {
        -r
    } else {
        r
    }
}

/// `sort [-nrufbsgcdi] [-t C] [-k KEY]... [-o FILE] [FILE]...` (coreutils/sort.c).
pub async fn sort(ctx: &Ctx, args: &[String]) -> i32 {
    use sortflag::*;
    let o = match opts(ctx, "sort", args, &short("nrufbsgcmzdihMVk:t:o:T:S:")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mut global = 0u32;
    for (c, bit) in [
        ('n', N),
        ('g', G),
        ('u', U),
        ('c', C),
        ('s', S),
        ('b', B | BB),
        ('r', R),
        ('d', D),
        ('f', F),
        ('i', I),
    ] {
        if o.has(c) {
            global |= bit;
        }
    }
    let sep = match o.value('t') {
        None => None,
        Some(t) if t.len() == 1 => Some(t.as_bytes()[0]),
        Some(_) => {
            error(ctx, "sort", "bad -t parameter").await;
            return 2;
        }
    };
    let mut keys = Vec::new();
    for k in o.values('k') {
        match parse_sort_key(k) {
            Ok(key) => keys.push(key),
            Err(m) => {
                error(ctx, "sort", m).await;
                return 2;
            }
        }
    }
    if keys.is_empty() {
        keys.push(SortKey {
            range: [1, 0, 0, 0],
            flags: 0,
        });
    }
    let mut lines: Vec<String> = Vec::new();
    for path in files_or_stdin(&o.args) {
        // coreutils 6.9 compat: the first file that cannot be opened ends sort.
        let Some(mut input) = open_input(ctx, "sort", &path, Warn::Path).await else {
            return 2;
        };
        let data = input.all(ctx).await.unwrap_or_default();
        input.close(ctx);
        for l in split_lines(&data) {
            let s = String::from_utf8_lossy(l);
            lines.push(s.strip_suffix('\n').unwrap_or(&s).to_string());
        }
    }
    if global & C != 0 {
        let limit = if global & U != 0 { -1 } else { 0 };
        for i in 1..lines.len() {
            if sort_compare(&lines[i - 1], &lines[i], &keys, global, sep) > limit {
                ctx.print(2, &format!("Check line {i}\n")).await;
                return 1;
            }
        }
        return 0;
    }
    lines.sort_by(|a, b| sort_compare(a, b, &keys, global, sep).cmp(&0));
    if global & U != 0 {
        let flags = global | NO_TIE_BREAK;
        lines.dedup_by(|later, kept| sort_compare(kept, later, &keys, flags, sep) == 0);
    }
    let mut text = String::new();
    for l in &lines {
        text.push_str(l);
        text.push('\n');
    }
    if let Some(path) = o.value('o') {
        if let Err(e) = ctx.write_file(path, text.as_bytes(), crate::fs::WriteMode::Truncate) {
            error(
                ctx,
                "sort",
                &format!("can't open '{path}': {}", e.message()),
            )
            .await;
            return 2;
        }
        return 0;
    }
    let mut out = Out::stdout(ctx);
    out.push_str(&text);
    out.flush().await;
    0
}

/// `uniq [-cdui] [-f N] [-s N] [-w N] [INPUT [OUTPUT]]`
pub async fn uniq(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "uniq", args, &short("cduif:s:w:z")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let input_path = o.args.first().cloned().unwrap_or_else(|| "-".into());
    let Some(mut input) = open_input(ctx, "uniq", &input_path, Warn::Path).await else {
        return 1;
    };
    let skip_fields: usize = o.value('f').and_then(|v| v.parse().ok()).unwrap_or(0);
    let skip_chars: usize = o.value('s').and_then(|v| v.parse().ok()).unwrap_or(0);
    let width: Option<usize> = o.value('w').and_then(|v| v.parse().ok());
    let key = |l: &str| -> String {
        let mut rest = l;
        for _ in 0..skip_fields {
            rest = rest.trim_start_matches([' ', '\t']);
            rest = rest.trim_start_matches(|c| c != ' ' && c != '\t');
        }
        let mut k: String = rest.chars().skip(skip_chars).collect();
        if let Some(w) = width {
            k = k.chars().take(w).collect();
        }
        if o.has('i') {
            k = k.to_lowercase();
        }
        k
    };
    let mut text = String::new();
    let emit = |line: &str, n: u64, text: &mut String| {
        if (o.has('d') && n < 2) || (o.has('u') && n > 1) {
            return;
        }
        if o.has('c') {
            text.push_str(&format!("{n:7} "));
        }
        text.push_str(line);
        text.push('\n');
    };
    let mut current: Option<(String, u64)> = None;
    while let Ok(Some(line)) = input.line(ctx).await {
        let s = String::from_utf8_lossy(&line);
        let s = s.strip_suffix('\n').unwrap_or(&s).to_string();
        match &mut current {
            Some((prev, n)) if key(prev) == key(&s) => *n += 1,
            _ => {
                if let Some((prev, n)) = current.take() {
                    emit(&prev, n, &mut text);
                }
                current = Some((s, 1));
            }
        }
    }
    if let Some((prev, n)) = current.take() {
        emit(&prev, n, &mut text);
    }
    input.close(ctx);
    if let Some(path) = o.args.get(1) {
        if let Err(e) = ctx.write_file(path, text.as_bytes(), crate::fs::WriteMode::Truncate) {
            error(ctx, "uniq", &format!("{path}: {}", e.message())).await;
            return 1;
        }
        return 0;
    }
    let mut out = Out::stdout(ctx);
    out.push_str(&text);
    out.flush().await;
    0
}

/// `tee [-ai] [FILE]...`: stdin to stdout and to each file, as it arrives.
pub async fn tee(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "tee", args, &short("ai")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mode = if o.has('a') {
        crate::kernel::OpenMode::Append
    } else {
        crate::kernel::OpenMode::Truncate
    };
    let mut status = 0;
    let mut fds = Vec::new();
    for path in &o.args {
        match ctx.open(path, mode) {
            Ok(fd) => fds.push(fd),
            Err(e) => {
                error(ctx, "tee", &format!("{path}: {}", e.message())).await;
                status = 1;
            }
        }
    }
    let mut input = Input::fd(0);
    let mut stdout_ok = true;
    loop {
        let chunk = match input.chunk(ctx).await {
            Ok(c) if !c.is_empty() => c,
            _ => break,
        };
        if stdout_ok && ctx.write(1, &chunk).await.is_err() {
            stdout_ok = false;
            status = 1;
        }
        for fd in &fds {
            let _ = ctx.write(*fd, &chunk).await;
        }
    }
    for fd in fds {
        let _ = ctx.close(fd);
    }
    status
}

/// `seq [-w] [-s SEP] [FIRST [INC]] LAST`, printed with as many decimals as the arguments.
pub async fn seq(ctx: &Ctx, args: &[String]) -> i32 {
    // Negative numbers are operands, not options.
    let mut sep = "\n".to_string();
    let mut equal = false;
    let mut rest: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if rest.is_empty() && a == "-w" {
            equal = true;
        } else if rest.is_empty() && a == "-s" {
            i += 1;
            match args.get(i) {
                Some(s) => sep = s.clone(),
                None => {
                    error(ctx, "seq", "option requires an argument -- 's'").await;
                    show_usage(ctx, "seq").await;
                    return 1;
                }
            }
        } else if rest.is_empty() && a.starts_with("-s") && a.len() > 2 {
            sep = a[2..].to_string();
        } else {
            rest.push(a);
        }
        i += 1;
    }
    if rest.is_empty() || rest.len() > 3 {
        show_usage(ctx, "seq").await;
        return 1;
    }
    let mut nums = Vec::new();
    let mut decimals = 0usize;
    for r in &rest {
        match r.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                nums.push(v);
                if let Some((_, d)) = r.split_once('.') {
                    decimals = decimals.max(d.len());
                }
            }
            // seq.c: an operand strtod() cannot read whole is bb_show_usage().
            _ => {
                show_usage(ctx, "seq").await;
                return 1;
            }
        }
    }
    let (first, inc, last) = match nums.len() {
        1 => (1.0, 1.0, nums[0]),
        2 => (nums[0], 1.0, nums[1]),
        _ => (nums[0], nums[1], nums[2]),
    };
    if inc == 0.0 {
        return 0;
    }
    let width = if equal {
        let f = format!("{first:.decimals$}").len();
        let l = format!("{last:.decimals$}").len();
        f.max(l)
    } else {
        0
    };
    let mut out = Out::stdout(ctx);
    let mut n = 0u64;
    loop {
        let v = first + inc * n as f64;
        if (inc > 0.0 && v > last) || (inc < 0.0 && v < last) {
            break;
        }
        if n > 0 {
            out.push_str(&sep);
        }
        let s = format!("{v:.decimals$}");
        if equal && s.len() < width {
            let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
            out.push_str(sign);
            out.push_str(&"0".repeat(width - s.len()));
            out.push_str(digits);
        } else {
            out.push_str(&s);
        }
        out.write(&[]).await;
        if out.failed {
            return 1;
        }
        n += 1;
    }
    if n > 0 {
        out.push(b"\n");
    }
    out.flush().await;
    0
}

/// `yes [STRING]...`: until the reader goes away (SIGPIPE).
pub async fn yes(ctx: &Ctx, args: &[String]) -> i32 {
    let line = if args.is_empty() {
        "y".to_string()
    } else {
        args.join(" ")
    };
    let mut block = Vec::new();
    while block.len() < 4096 {
        block.extend_from_slice(line.as_bytes());
        block.push(b'\n');
    }
    loop {
        if ctx.write(1, &block).await.is_err() {
            return 1;
        }
    }
}

/// `basename FILE [SUFFIX]`
pub async fn basename(ctx: &Ctx, args: &[String]) -> i32 {
    let Some(path) = args.first() else {
        show_usage(ctx, "basename").await;
        return 1;
    };
    let mut name = super::util::basename(path).to_string();
    if let Some(sfx) = args.get(1) {
        if name != *sfx {
            if let Some(stripped) = name.strip_suffix(sfx.as_str()) {
                name = stripped.to_string();
            }
        }
    }
    ctx.print(1, &format!("{name}\n")).await;
    0
}

/// `dirname FILENAME`
pub async fn dirname(ctx: &Ctx, args: &[String]) -> i32 {
    let Some(path) = args.first() else {
        show_usage(ctx, "dirname").await;
        return 1;
    };
    ctx.print(1, &format!("{}\n", dirname_of(path))).await;
    0
}

/// glibc's `dirname(3)` (busybox's dirname calls it): a directory of slashes alone is `/`,
/// except that exactly two leading slashes stay `//` (POSIX leaves `//` to the system).
pub fn dirname_of(path: &str) -> String {
    let root = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else {
        "/"
    };
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        return if path.starts_with('/') {
            root.into()
        } else {
            ".".into()
        };
    }
    match t.rfind('/') {
        None => ".".into(),
        Some(i) => {
            let d = t[..i].trim_end_matches('/');
            if d.is_empty() {
                root.into()
            } else {
                d.into()
            }
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `base64 [-d] [-w COL] [FILE]`
pub async fn base64(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "base64", args, &short("dw:")).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let path = o.args.first().cloned().unwrap_or_else(|| "-".into());
    let Some(mut input) = open_input(ctx, "base64", &path, Warn::Path).await else {
        return 1;
    };
    let data = input.all(ctx).await.unwrap_or_default();
    input.close(ctx);
    let mut out = Out::stdout(ctx);
    if o.has('d') {
        let mut acc = 0u32;
        let mut bits = 0;
        let mut bytes = Vec::new();
        for c in data {
            let v = match B64.iter().position(|b| *b == c) {
                Some(v) => v as u32,
                None if c == b'=' || c.is_ascii_whitespace() => continue,
                None => {
                    out.push(&bytes);
                    out.flush().await;
                    error(ctx, "base64", "invalid input").await;
                    return 1;
                }
            };
            acc = (acc << 6) | v;
            bits += 6;
            if bits >= 8 {
                bits -= 8;
                bytes.push((acc >> bits) as u8);
                acc &= (1 << bits) - 1;
            }
        }
        out.push(&bytes);
    } else {
        let wrap: usize = o.value('w').and_then(|w| w.parse().ok()).unwrap_or(76);
        let mut enc = String::new();
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
            for k in 0..4 {
                if k <= chunk.len() {
                    enc.push(B64[((n >> (18 - 6 * k)) & 63) as usize] as char);
                } else {
                    enc.push('=');
                }
            }
        }
        if wrap > 0 {
            let chars: Vec<char> = enc.chars().collect();
            for line in chars.chunks(wrap) {
                out.push_str(&line.iter().collect::<String>());
                out.push(b"\n");
            }
        } else {
            out.push_str(&enc);
            out.push(b"\n");
        }
        if enc.is_empty() && wrap > 0 {
            // busybox prints nothing for empty input.
        }
    }
    out.flush().await;
    0
}

/// `rev [FILE]...`
pub async fn rev(ctx: &Ctx, args: &[String]) -> i32 {
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    for path in files_or_stdin(args) {
        let Some(mut input) = open_input(ctx, "rev", &path, Warn::Path).await else {
            status = 1;
            continue;
        };
        while let Ok(Some(line)) = input.line(ctx).await {
            let s = String::from_utf8_lossy(&line);
            let nl = s.ends_with('\n');
            let body = s.strip_suffix('\n').unwrap_or(&s);
            out.write_str(&body.chars().rev().collect::<String>()).await;
            if nl {
                out.write(b"\n").await;
            }
        }
        input.close(ctx);
    }
    out.flush().await;
    status
}

/// `expr EXPRESSION` (coreutils/expr.c): exit 0 when the result is neither empty nor 0, 1 when
/// it is, 2 for an invalid expression.
pub async fn expr(ctx: &Ctx, args: &[String]) -> i32 {
    if args.is_empty() {
        error(ctx, "expr", "too few arguments").await;
        return 2;
    }
    let toks: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut e = Expr { t: &toks, i: 0 };
    let v = match e.or() {
        Ok(v) if e.i == toks.len() => v,
        Ok(_) => {
            error(ctx, "expr", "syntax error").await;
            return 2;
        }
        Err(m) => {
            error(ctx, "expr", m).await;
            return 2;
        }
    };
    ctx.print(1, &format!("{}\n", v.text())).await;
    i32::from(v.is_null())
}

#[derive(Clone, Debug)]
enum Val {
    Int(i64),
    Str(String),
}

impl Val {
    fn text(&self) -> String {
        match self {
            Val::Int(i) => i.to_string(),
            Val::Str(s) => s.clone(),
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Val::Int(i) => *i == 0,
            Val::Str(s) => s.is_empty() || s == "0",
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            Val::Str(s) => parse_i64(s),
        }
    }
}

struct Expr<'a> {
    t: &'a [&'a str],
    i: usize,
}

impl<'a> Expr<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.t.get(self.i).copied()
    }

    fn or(&mut self) -> Result<Val, &'static str> {
        let mut l = self.and()?;
        while self.peek() == Some("|") {
            self.i += 1;
            let r = self.and()?;
            l = if l.is_null() {
                if r.is_null() {
                    Val::Int(0)
                } else {
                    r
                }
            } else {
                l
            };
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Val, &'static str> {
        let mut l = self.cmp()?;
        while self.peek() == Some("&") {
            self.i += 1;
            let r = self.cmp()?;
            l = if l.is_null() || r.is_null() {
                Val::Int(0)
            } else {
                l
            };
        }
        Ok(l)
    }

    fn cmp(&mut self) -> Result<Val, &'static str> {
        let mut l = self.add()?;
        while let Some(op) = self
            .peek()
            .filter(|o| matches!(*o, "=" | "==" | "!=" | "<" | "<=" | ">" | ">="))
        {
            self.i += 1;
            let r = self.add()?;
            let ord = match (l.int(), r.int()) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => l.text().cmp(&r.text()),
            };
            let b = match op {
                "=" | "==" => ord.is_eq(),
                "!=" => ord.is_ne(),
                "<" => ord.is_lt(),
                "<=" => ord.is_le(),
                ">" => ord.is_gt(),
                _ => ord.is_ge(),
            };
            l = Val::Int(i64::from(b));
        }
        Ok(l)
    }

    fn add(&mut self) -> Result<Val, &'static str> {
        let mut l = self.mul()?;
        while let Some(op) = self.peek().filter(|o| matches!(*o, "+" | "-")) {
            self.i += 1;
            let r = self.mul()?;
            let (a, b) = (
                l.int().ok_or("non-numeric argument")?,
                r.int().ok_or("non-numeric argument")?,
            );
            l = Val::Int(if op == "+" {
                a.wrapping_add(b)
            } else {
                a.wrapping_sub(b)
            });
        }
        Ok(l)
    }

    fn mul(&mut self) -> Result<Val, &'static str> {
        let mut l = self.colon()?;
        while let Some(op) = self.peek().filter(|o| matches!(*o, "*" | "/" | "%")) {
            self.i += 1;
            let r = self.colon()?;
            let (a, b) = (
                l.int().ok_or("non-numeric argument")?,
                r.int().ok_or("non-numeric argument")?,
            );
            if op != "*" && b == 0 {
                return Err("division by zero");
            }
            l = Val::Int(match op {
                "*" => a.wrapping_mul(b),
                "/" => a.wrapping_div(b),
                _ => a.wrapping_rem(b),
            });
        }
        Ok(l)
    }

    fn colon(&mut self) -> Result<Val, &'static str> {
        let mut l = self.primary()?;
        while self.peek() == Some(":") {
            self.i += 1;
            let r = self.primary()?;
            l = regex_match(&l.text(), &r.text())?;
        }
        Ok(l)
    }

    fn primary(&mut self) -> Result<Val, &'static str> {
        let Some(tok) = self.peek() else {
            return Err("syntax error");
        };
        self.i += 1;
        match tok {
            "(" => {
                let v = self.or()?;
                if self.peek() != Some(")") {
                    return Err("syntax error");
                }
                self.i += 1;
                Ok(v)
            }
            "length" => {
                let v = self.primary()?;
                Ok(Val::Int(v.text().chars().count() as i64))
            }
            "match" => {
                let s = self.primary()?;
                let p = self.primary()?;
                regex_match(&s.text(), &p.text())
            }
            "substr" => {
                let s = self.primary()?.text();
                let pos = self.primary()?.int().ok_or("non-numeric argument")?;
                let len = self.primary()?.int().ok_or("non-numeric argument")?;
                if pos < 1 || len < 1 {
                    return Ok(Val::Str(String::new()));
                }
                Ok(Val::Str(
                    s.chars()
                        .skip(pos as usize - 1)
                        .take(len as usize)
                        .collect(),
                ))
            }
            "index" => {
                let s = self.primary()?.text();
                let chars = self.primary()?.text();
                let idx = s
                    .chars()
                    .position(|c| chars.contains(c))
                    .map_or(0, |i| i + 1);
                Ok(Val::Int(idx as i64))
            }
            "+" => Ok(Val::Str(
                self.t
                    .get(self.i)
                    .map(|s| {
                        self.i += 1;
                        s.to_string()
                    })
                    .unwrap_or_default(),
            )),
            t => Ok(match parse_i64(t) {
                Some(i) => Val::Int(i),
                None => Val::Str(t.to_string()),
            }),
        }
    }
}

/// `STRING : REGEX`: anchored at the start; the first group, or the length matched.
fn regex_match(s: &str, pattern: &str) -> Result<Val, &'static str> {
    let anchored = format!("^{}", pattern.strip_prefix('^').unwrap_or(pattern));
    let grouped = anchored.contains("\\(");
    let re = Regex::new(&anchored, false, false).map_err(|_| "invalid regular expression")?;
    match re.find(s) {
        Some((st, e)) => {
            if grouped {
                // The text of the first group: re-match the group alone over the match.
                let inner_start = anchored.find("\\(").unwrap_or(0);
                let inner_end = anchored.find("\\)").unwrap_or(anchored.len());
                let prefix = &anchored[..inner_start];
                let group = &anchored[inner_start + 2..inner_end];
                let matched: String = s.chars().skip(st).take(e - st).collect();
                let pre =
                    Regex::new(prefix, false, false).map_err(|_| "invalid regular expression")?;
                let skip = pre.find(&matched).map_or(0, |(_, e)| e);
                let rest: String = matched.chars().skip(skip).collect();
                let g = Regex::new(&format!("^{group}"), false, false)
                    .map_err(|_| "invalid regular expression")?;
                Ok(Val::Str(
                    g.find(&rest)
                        .map(|(_, e)| rest.chars().take(e).collect())
                        .unwrap_or_default(),
                ))
            } else {
                Ok(Val::Int((e - st) as i64))
            }
        }
        None if grouped => Ok(Val::Str(String::new())),
        None => Ok(Val::Int(0)),
    }
}
