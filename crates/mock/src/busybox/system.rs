//! The system applets: date, hostname, env, printenv, sleep, usleep, kill, ps, id, whoami,
//! uname, timeout, nohup, which, xargs, dd, uptime and pidof (coreutils, procps,
//! debianutils, findutils).

use podplay_engine::time::{Clock, Time};

use crate::fs::{Errno, Kind, WriteMode};
use crate::kernel::{Ctx, Disposition, OpenMode, Signal};

use super::files::run_command;
use super::util::{error, getopt, human, parse_size, Input, Opts, Out, Spec};
use super::{bad_option, show_usage};

async fn opts(
    ctx: &Ctx,
    applet: &str,
    args: &[String],
    short: &str,
    stop: bool,
) -> Result<Opts, i32> {
    let spec = Spec {
        short,
        long: &[],
        stop_at_operand: stop,
    };
    match getopt(args, &spec) {
        Ok(o) => Ok(o),
        Err(e) => Err(bad_option(ctx, applet, &e).await),
    }
}

/// Seconds since the Unix epoch at virtual time `t`: the engine's clock, so `date` agrees with
/// the timestamps of the objects.
pub fn epoch_secs(t: Time) -> i64 {
    Clock::default().timestamp(t).as_second()
}

/// A broken-down UTC time (`struct tm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    pub year: i64,
    /// 1..=12
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    /// 0 = Sunday.
    pub wday: u32,
    /// 0..=365
    pub yday: u32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_FULL: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const DAYS_FULL: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

impl Tm {
    pub fn month_abbr(&self) -> &'static str {
        MONTHS[(self.month as usize).saturating_sub(1) % 12]
    }
}

/// `gmtime`: Howard Hinnant's days-to-civil.
pub fn civil(secs: i64) -> Tm {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400) as u32;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let cum = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let yday = cum[(m - 1) as usize] + d - 1 + u32::from(leap && m > 2);
    Tm {
        year: y,
        month: m,
        day: d,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        wday: (days + 4).rem_euclid(7) as u32,
        yday,
    }
}

/// `strftime` in UTC for the conversions `date` users write.
pub fn strftime(fmt: &str, secs: i64) -> String {
    let tm = civil(secs);
    let mut s = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            s.push(c);
            continue;
        }
        let Some(d) = chars.next() else {
            s.push('%');
            break;
        };
        match d {
            'a' => s.push_str(DAYS[tm.wday as usize]),
            'A' => s.push_str(DAYS_FULL[tm.wday as usize]),
            'b' | 'h' => s.push_str(tm.month_abbr()),
            'B' => s.push_str(MONTHS_FULL[(tm.month - 1) as usize]),
            'c' => s.push_str(&strftime("%a %b %e %H:%M:%S %Y", secs)),
            'C' => s.push_str(&format!("{:02}", tm.year / 100)),
            'd' => s.push_str(&format!("{:02}", tm.day)),
            'D' => s.push_str(&strftime("%m/%d/%y", secs)),
            'e' => s.push_str(&format!("{:2}", tm.day)),
            'F' => s.push_str(&strftime("%Y-%m-%d", secs)),
            'H' => s.push_str(&format!("{:02}", tm.hour)),
            'I' => s.push_str(&format!("{:02}", (tm.hour + 11) % 12 + 1)),
            'j' => s.push_str(&format!("{:03}", tm.yday + 1)),
            'k' => s.push_str(&format!("{:2}", tm.hour)),
            'l' => s.push_str(&format!("{:2}", (tm.hour + 11) % 12 + 1)),
            'm' => s.push_str(&format!("{:02}", tm.month)),
            'M' => s.push_str(&format!("{:02}", tm.min)),
            'n' => s.push('\n'),
            'N' => s.push_str("000000000"),
            'p' => s.push_str(if tm.hour < 12 { "AM" } else { "PM" }),
            'P' => s.push_str(if tm.hour < 12 { "am" } else { "pm" }),
            'r' => s.push_str(&strftime("%I:%M:%S %p", secs)),
            'R' => s.push_str(&strftime("%H:%M", secs)),
            's' => s.push_str(&secs.to_string()),
            'S' => s.push_str(&format!("{:02}", tm.sec)),
            't' => s.push('\t'),
            'T' => s.push_str(&strftime("%H:%M:%S", secs)),
            'u' => s.push_str(&(if tm.wday == 0 { 7 } else { tm.wday }).to_string()),
            'w' => s.push_str(&tm.wday.to_string()),
            'x' => s.push_str(&strftime("%m/%d/%y", secs)),
            'X' => s.push_str(&strftime("%H:%M:%S", secs)),
            'y' => s.push_str(&format!("{:02}", tm.year % 100)),
            'Y' => s.push_str(&tm.year.to_string()),
            'z' => s.push_str("+0000"),
            'Z' => s.push_str("UTC"),
            '%' => s.push('%'),
            other => {
                s.push('%');
                s.push(other);
            }
        }
    }
    s
}

/// Days from the civil date (Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The dates `date -d` reads: `@SECONDS`, `YYYY-MM-DD[ HH:MM[:SS]]`, `HH:MM[:SS]` (today).
fn parse_date(s: &str, now: i64) -> Option<i64> {
    if let Some(n) = s.strip_prefix('@') {
        return n.parse().ok();
    }
    let (date, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (Some(d), Some(t)),
        None if s.contains('-') => (Some(s), None),
        None => (None, Some(s)),
    };
    let day = match date {
        Some(d) => {
            let mut it = d.split('-');
            let y: i64 = it.next()?.parse().ok()?;
            let m: u32 = it.next()?.parse().ok()?;
            let dd: u32 = it.next()?.parse().ok()?;
            if !(1..=12).contains(&m) || !(1..=31).contains(&dd) {
                return None;
            }
            days_from_civil(y, m, dd)
        }
        None => now.div_euclid(86400),
    };
    let secs = match time {
        Some(t) => {
            let t = t.trim_end_matches('Z');
            let mut it = t.split(':');
            let h: i64 = it.next()?.parse().ok()?;
            let mi: i64 = it.next()?.parse().ok()?;
            let se: i64 = it
                .next()
                .map_or(Some(0), |x| x.split('.').next()?.parse().ok())?;
            h * 3600 + mi * 60 + se
        }
        None => 0,
    };
    Some(day * 86400 + secs)
}

/// `date [-uR] [-I[SPEC]] [-d TIME] [-r FILE] [+FORMAT]`
pub async fn date(ctx: &Ctx, args: &[String]) -> i32 {
    let spec = Spec {
        short: "uRI:d:r:s:D:",
        long: &[
            ("utc", 'u', false),
            ("rfc-2822", 'R', false),
            ("date", 'd', true),
            ("reference", 'r', true),
            ("set", 's', true),
        ],
        stop_at_operand: false,
    };
    // `-I` takes an optional attached argument.
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a == "-I" {
                "-Idate".to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    let o = match getopt(&args, &spec) {
        Ok(o) => o,
        Err(e) => return bad_option(ctx, "date", &e).await,
    };
    let now = epoch_secs(ctx.now());
    if o.has('s') || o.args.iter().any(|a| !a.starts_with('+')) {
        error(ctx, "date", "can't set date: Operation not permitted").await;
        return 1;
    }
    let mut t = now;
    if let Some(d) = o.value('d') {
        match parse_date(d, now) {
            Some(v) => t = v,
            None => {
                error(ctx, "date", &format!("invalid date '{d}'")).await;
                return 1;
            }
        }
    }
    if let Some(f) = o.value('r') {
        match ctx.stat(f) {
            Ok(st) => t = epoch_secs(st.mtime),
            Err(e) => {
                error(ctx, "date", &format!("{f}: {}", e.message())).await;
                return 1;
            }
        }
    }
    let fmt = if let Some(f) = o.args.iter().find(|a| a.starts_with('+')) {
        f[1..].to_string()
    } else if o.has('R') {
        "%a, %d %b %Y %H:%M:%S %z".to_string()
    } else if let Some(i) = o.value('I') {
        match i {
            "hours" => "%Y-%m-%dT%H%z",
            "minutes" => "%Y-%m-%dT%H:%M%z",
            "seconds" => "%Y-%m-%dT%H:%M:%S%z",
            _ => "%Y-%m-%d",
        }
        .to_string()
    } else {
        "%a %b %e %H:%M:%S %Z %Y".to_string()
    };
    ctx.print(1, &format!("{}\n", strftime(&fmt, t))).await;
    0
}

/// `hostname [-s]`: the pod's hostname (UTS namespace).
pub async fn hostname(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "hostname", args, "sidfF:", false).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if !o.args.is_empty() || o.has('F') {
        error(ctx, "hostname", "sethostname: Operation not permitted").await;
        return 1;
    }
    let name = ctx.hostname();
    let shown = if o.has('i') {
        ctx.pod_ip()
    } else if o.has('s') {
        name.split('.').next().unwrap_or("").to_string()
    } else if o.has('d') {
        name.split_once('.')
            .map(|(_, d)| d.to_string())
            .unwrap_or_default()
    } else {
        name
    };
    ctx.print(1, &format!("{shown}\n")).await;
    0
}

/// `env [-i] [-u NAME]... [-] [NAME=VALUE]... [PROG ARGS]`: prints the environment, or runs
/// PROG in place (`execvp`) with it.
pub async fn env(ctx: &Ctx, args: &[String]) -> i32 {
    let mut env = ctx.env();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-i" | "-" | "--ignore-environment" => env.clear(),
            "-u" => {
                i += 1;
                let Some(name) = args.get(i) else {
                    error(ctx, "env", "option requires an argument -- 'u'").await;
                    show_usage(ctx, "env").await;
                    return 1;
                };
                env.retain(|(k, _)| k != name);
            }
            "--" => {
                i += 1;
                break;
            }
            a if a.starts_with('-') && a.len() > 1 => {
                let c = a.chars().nth(1).unwrap_or('-');
                error(ctx, "env", &format!("invalid option -- '{c}'")).await;
                show_usage(ctx, "env").await;
                return 1;
            }
            _ => break,
        }
        i += 1;
    }
    while i < args.len() {
        match args[i].split_once('=') {
            Some((k, v)) => {
                env.retain(|(n, _)| n != k);
                env.push((k.to_string(), v.to_string()));
            }
            None => break,
        }
        i += 1;
    }
    if i >= args.len() {
        let mut out = Out::stdout(ctx);
        for (k, v) in &env {
            out.push_str(&format!("{k}={v}\n"));
        }
        out.flush().await;
        return 0;
    }
    let argv: Vec<String> = args[i..].to_vec();
    let path_var = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "/bin:/usr/bin".into());
    match ctx.find_program(&argv[0], &path_var) {
        Ok(path) => match ctx.exec(&path, argv.clone(), env).await {
            Ok(code) => code,
            Err(e) => {
                error(
                    ctx,
                    "env",
                    &format!("can't execute '{}': {}", argv[0], e.message()),
                )
                .await;
                126
            }
        },
        Err(e) => {
            error(
                ctx,
                "env",
                &format!("can't execute '{}': {}", argv[0], e.message()),
            )
            .await;
            if e == Errno::ENOENT {
                127
            } else {
                126
            }
        }
    }
}

/// `printenv [VARIABLE]...`: exit 1 when one is not set.
pub async fn printenv(ctx: &Ctx, args: &[String]) -> i32 {
    let env = ctx.env();
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    if args.is_empty() {
        for (k, v) in &env {
            out.push_str(&format!("{k}={v}\n"));
        }
    } else {
        for a in args {
            match env.iter().find(|(k, _)| k == a) {
                Some((_, v)) => out.push_str(&format!("{v}\n")),
                None => status = 1,
            }
        }
    }
    out.flush().await;
    status
}

/// A `sleep` argument in milliseconds: `N`, `N.5`, with `s m h d` suffixes, or `inf`.
pub fn sleep_arg(s: &str) -> Option<u64> {
    if s == "inf" || s == "infinity" {
        return Some(u64::MAX);
    }
    let (num, mult) = match s.as_bytes().last()? {
        b's' => (&s[..s.len() - 1], 1.0),
        b'm' => (&s[..s.len() - 1], 60.0),
        b'h' => (&s[..s.len() - 1], 3600.0),
        b'd' => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    if num.is_empty()
        || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || num.matches('.').count() > 1
    {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let ms = v * mult * 1000.0;
    if !ms.is_finite() || ms > 1e17 {
        return Some(u64::MAX);
    }
    Some(ms.round() as u64)
}

/// `sleep N...`: the total of its arguments, in virtual time.
pub async fn sleep(ctx: &Ctx, args: &[String]) -> i32 {
    if args.is_empty() {
        show_usage(ctx, "sleep").await;
        return 1;
    }
    let mut total: u64 = 0;
    for a in args {
        match sleep_arg(a) {
            Some(ms) => total = total.saturating_add(ms),
            None => {
                error(ctx, "sleep", &format!("invalid number '{a}'")).await;
                return 1;
            }
        }
    }
    sleep_ms(ctx, total).await;
    0
}

/// Sleeps `ms` (forever for `u64::MAX`), ignoring handled signals as `nanosleep` restarted
/// by SA_RESTART would.
pub async fn sleep_ms(ctx: &Ctx, ms: u64) {
    let until = ctx.now().plus_millis(ms);
    loop {
        let now = ctx.now();
        if now >= until {
            return;
        }
        let left = until.millis_since(now);
        if ctx.sleep(left).await.is_err() {
            // A handled signal with no handler to run: drop it and go on sleeping.
            let _ = ctx.take_signal();
        }
    }
}

/// `usleep N`
pub async fn usleep(ctx: &Ctx, args: &[String]) -> i32 {
    let Some(n) = args.first().and_then(|a| a.parse::<u64>().ok()) else {
        show_usage(ctx, "usleep").await;
        return 1;
    };
    sleep_ms(ctx, n / 1000).await;
    0
}

/// The signal names of `kill -l` (Linux x86-64 numbering, busybox's table).
pub const SIGNAL_NAMES: [&str; 32] = [
    "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
];

/// A signal as `kill` and `trap` name it: `TERM`, `SIGTERM`, `term`, `15`; `Some(None)` for
/// signal 0.
pub fn parse_signal(s: &str) -> Option<Option<Signal>> {
    if s == "0" {
        return Some(None);
    }
    Signal::parse(s).map(Some)
}

/// `kill [-l [SIG]] [-s SIG | -SIG] PID...` (procps/kill.c), the applet and ash's builtin.
/// `jobs` maps the shell's job numbers (`%1`) to pids.
pub async fn kill_main(ctx: &Ctx, prefix: &str, args: &[String], jobs: &[(u32, u32)]) -> i32 {
    let mut sig: Option<Signal> = Some(Signal::Term);
    let mut i = 0;
    if let Some(first) = args.first() {
        if first == "-l" || first == "-L" {
            let mut out = Out::stdout(ctx);
            if args.len() == 1 {
                for (n, name) in SIGNAL_NAMES.iter().enumerate().skip(1) {
                    out.push_str(&format!("{n:2}) {name}\n"));
                }
            } else {
                // kill.c: a number is masked with 0x7f (`kill -l $?` after a signal names
                // it) and printed by `get_signame`, which falls back to the number itself;
                // `0` is EXIT. A name prints its number.
                for a in &args[1..] {
                    let name = a.to_ascii_uppercase();
                    let name = name.strip_prefix("SIG").unwrap_or(&name);
                    let known = SIGNAL_NAMES
                        .iter()
                        .position(|s| *s == name && !s.is_empty());
                    if a.starts_with(|c: char| c.is_ascii_digit()) {
                        match a.parse::<u32>() {
                            Ok(n) => {
                                let n = (n & 0x7f) as usize;
                                match SIGNAL_NAMES.get(n).filter(|s| !s.is_empty()) {
                                    Some(name) => out.push_str(&format!("{name}\n")),
                                    None if n == 0 => out.push_str("EXIT\n"),
                                    None => out.push_str(&format!("{n}\n")),
                                }
                            }
                            Err(_) => {
                                out.flush().await;
                                error(ctx, prefix, &format!("unknown signal '{a}'")).await;
                                return 1;
                            }
                        }
                    } else if let Some(n) = known {
                        out.push_str(&format!("{n}\n"));
                    } else {
                        out.flush().await;
                        error(ctx, prefix, &format!("unknown signal '{a}'")).await;
                        return 1;
                    }
                }
            }
            out.flush().await;
            return 0;
        }
        if (first == "-s" || first == "-n") && args.len() > 1 {
            let name = &args[1];
            match parse_signal(name) {
                Some(s) => sig = s,
                None => {
                    error(ctx, prefix, &format!("bad signal name '{name}'")).await;
                    return 1;
                }
            }
            i = 2;
        } else if first.len() > 1 && first.starts_with('-') && first != "--" {
            let name = &first[1..];
            match parse_signal(name) {
                Some(s) => sig = s,
                None => {
                    error(ctx, prefix, &format!("bad signal name '{name}'")).await;
                    return 1;
                }
            }
            i = 1;
        }
    }
    if args.get(i).map(String::as_str) == Some("--") {
        i += 1;
    }
    if i >= args.len() {
        error(ctx, prefix, "you need to specify whom to kill").await;
        return 1;
    }
    let mut status = 0;
    for a in &args[i..] {
        let pid = if let Some(job) = a.strip_prefix('%') {
            let n: u32 = match job {
                "" | "%" | "+" => jobs.last().map_or(0, |j| j.0),
                "-" => jobs.iter().rev().nth(1).map_or(0, |j| j.0),
                _ => job.parse().unwrap_or(0),
            };
            match jobs.iter().find(|(j, _)| *j == n) {
                Some((_, pid)) => *pid as i64,
                None => {
                    error(ctx, prefix, &format!("{a}: no such job")).await;
                    status = 1;
                    continue;
                }
            }
        } else {
            match a.parse::<i64>() {
                Ok(p) => p,
                Err(_) => {
                    error(ctx, prefix, &format!("invalid number '{a}'")).await;
                    status = 1;
                    continue;
                }
            }
        };
        let r = if pid <= 0 || pid > u32::MAX as i64 {
            // Process groups are not modelled: -1 means every process we may signal.
            if pid == -1 {
                let me = ctx.ns_pid();
                for e in ctx.processes() {
                    if e.pid != 1 && e.pid != me {
                        let _ = ctx.kill(e.pid, sig);
                    }
                }
                Ok(())
            } else {
                Err(Errno::ESRCH)
            }
        } else {
            ctx.kill(pid as u32, sig)
        };
        if let Err(e) = r {
            error(ctx, prefix, &format!("can't kill pid {a}: {}", e.message())).await;
            status = 1;
        }
    }
    status
}

/// `ps [-o COL,...] [-T] [-ef...]`: busybox's DESKTOP ps, default columns `pid,user,time,args`
/// (procps/ps.c).
pub async fn ps(ctx: &Ctx, args: &[String]) -> i32 {
    // BSD-style `ps aux` operands are accepted and ignored.
    let args: Vec<String> = args
        .iter()
        .filter(|a| a.starts_with('-'))
        .cloned()
        .collect();
    let o = match opts(ctx, "ps", &args, "Zo:aAdeflTw", false).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mut cols: Vec<(String, String)> = Vec::new();
    let specs: Vec<&str> = o.values('o');
    let spec_text = if specs.is_empty() {
        "pid,user,time,args".to_string()
    } else {
        specs.join(",")
    };
    for item in spec_text.split(',') {
        let (name, header) = match item.split_once('=') {
            Some((n, h)) => (n.to_string(), Some(h.to_string())),
            None => (item.to_string(), None),
        };
        let known = [
            "user", "group", "comm", "args", "pid", "ppid", "pgid", "etime", "nice", "rgroup",
            "ruser", "time", "tty", "vsz", "sid", "stat", "rss",
        ];
        if !known.iter().any(|k| {
            k.starts_with(&name[..name.len().min(6)])
                && !name.is_empty()
                && name.len() <= k.len()
                && *k == name
        }) {
            error(ctx, "ps", &format!("bad -o argument '{name}', supported arguments: user,group,comm,args,pid,ppid,pgid,etime,nice,rgroup,ruser,time,tty,vsz,sid,stat,rss")).await;
            return 1;
        }
        cols.push((name, header.unwrap_or_default()));
    }
    let width_of = |name: &str| -> usize {
        match name {
            "user" | "group" | "rgroup" | "ruser" => 8,
            "comm" => 16,
            "args" => usize::MAX,
            "pid" | "ppid" | "pgid" | "nice" | "sid" | "time" => 5,
            "etime" => 7,
            "tty" => 6,
            "vsz" | "stat" | "rss" => 4,
            _ => 5,
        }
    };
    let header_of = |name: &str| -> &'static str {
        match name {
            "user" => "USER",
            "group" => "GROUP",
            "comm" | "args" => "COMMAND",
            "pid" => "PID",
            "ppid" => "PPID",
            "pgid" => "PGID",
            "etime" => "ELAPSED",
            "nice" => "NI",
            "rgroup" => "RGROUP",
            "ruser" => "RUSER",
            "time" => "TIME",
            "tty" => "TT",
            "vsz" => "VSZ",
            "sid" => "SID",
            "stat" => "STAT",
            _ => "RSS",
        }
    };
    let cols: Vec<(String, String, usize)> = cols
        .into_iter()
        .map(|(n, h)| {
            let (header, width) = if h.is_empty() {
                (header_of(&n).to_string(), width_of(&n))
            } else {
                let w = h.len();
                (h, w)
            };
            (n, header, width)
        })
        .collect();
    let mut out = Out::stdout(ctx);
    let join_row = |fields: Vec<String>| -> String {
        let mut line = String::new();
        for (i, f) in fields.iter().enumerate() {
            line.push_str(f);
            if i + 1 < cols.len() {
                let w = cols[i].2;
                if w != usize::MAX {
                    line.push_str(&" ".repeat(w.saturating_sub(f.len()) + 1));
                } else {
                    line.push(' ');
                }
            }
        }
        line
    };
    out.push_str(&join_row(cols.iter().map(|c| c.1.clone()).collect()));
    out.push(b"\n");
    let now = ctx.now();
    for p in ctx.processes() {
        let fields = cols
            .iter()
            .map(|(name, _, w)| {
                let v = match name.as_str() {
                    "pid" => format!("{:>5}", p.pid),
                    "ppid" => format!("{:>5}", p.ppid),
                    "pgid" | "sid" => format!("{:>5}", p.pid),
                    "user" | "group" | "ruser" | "rgroup" => "root".to_string(),
                    "comm" => p
                        .argv
                        .first()
                        .map(|a| super::util::basename(a).chars().take(15).collect())
                        .unwrap_or_default(),
                    "args" => {
                        if p.argv.is_empty() {
                            "[?]".to_string()
                        } else {
                            p.argv.join(" ")
                        }
                    }
                    "time" => format_ps_time(0),
                    "etime" => format_ps_time(now.millis_since(p.started) / 1000),
                    "nice" => format!("{:>5}", 0),
                    "tty" => "?".to_string(),
                    "vsz" | "rss" => "0".to_string(),
                    "stat" => "S".to_string(),
                    _ => "-".to_string(),
                };
                if *w != usize::MAX && v.len() > *w {
                    v[..*w].to_string()
                } else {
                    v
                }
            })
            .collect();
        out.push_str(&join_row(fields));
        out.push(b"\n");
    }
    out.flush().await;
    0
}

/// `format_time` of ps.c: `mm:ss`, `hhHmm`, `ddDhh` in five columns.
fn format_ps_time(secs: u64) -> String {
    let (mut tt, mut ff) = (secs / 60, secs % 60);
    if tt < 60 {
        return format!("{tt:2}:{ff:02}");
    }
    ff = tt % 60;
    tt /= 60;
    if tt < 24 {
        return format!("{tt:2}h{ff:02}");
    }
    ff = tt % 24;
    tt /= 24;
    if tt < 100 {
        return format!("{tt:2}d{ff:02}");
    }
    format!("{tt:4}d")
}

/// `/etc/group` entries: (name, gid, members).
fn groups(ctx: &Ctx) -> Vec<(String, u32, Vec<String>)> {
    let Ok(data) = ctx.read_file("/etc/group") else {
        return Vec::new();
    };
    String::from_utf8_lossy(&data)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            let gid = f.get(2)?.parse().ok()?;
            let members = f
                .get(3)
                .map(|m| {
                    m.split(',')
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default();
            Some((f[0].to_string(), gid, members))
        })
        .collect()
}

/// The name of uid 0 in `/etc/passwd`.
fn user_name(ctx: &Ctx) -> Option<String> {
    let data = ctx.read_file("/etc/passwd").ok()?;
    String::from_utf8_lossy(&data)
        .lines()
        .find(|l| l.split(':').nth(2) == Some("0"))
        .and_then(|l| l.split(':').next())
        .map(String::from)
}

/// `id [-ugGn]`: the container runs as root; groups from `/etc/group`.
pub async fn id(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "id", args, "ugGnrZ", false).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if let Some(user) = o.args.first() {
        if user_name(ctx).as_deref() != Some(user.as_str()) && user != "0" {
            error(ctx, "id", &format!("unknown user {user}")).await;
            return 1;
        }
    }
    let uname = user_name(ctx);
    let all = groups(ctx);
    let gname = all.iter().find(|g| g.1 == 0).map(|g| g.0.clone());
    let login = uname.clone().unwrap_or_else(|| "root".into());
    let mut sup: Vec<(u32, Option<String>)> = vec![(0, gname.clone())];
    for (name, gid, members) in &all {
        if *gid != 0 && members.contains(&login) {
            sup.push((*gid, Some(name.clone())));
        }
    }
    let named = |id: u32, name: &Option<String>| match name {
        Some(n) => format!("{id}({n})"),
        None => id.to_string(),
    };
    let line = if o.has('u') {
        if o.has('n') {
            uname.unwrap_or_else(|| "0".into())
        } else {
            "0".into()
        }
    } else if o.has('g') {
        if o.has('n') {
            gname.unwrap_or_else(|| "0".into())
        } else {
            "0".into()
        }
    } else if o.has('G') {
        sup.iter()
            .map(|(id, n)| {
                if o.has('n') {
                    n.clone().unwrap_or_else(|| id.to_string())
                } else {
                    id.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        format!(
            "uid={} gid={} groups={}",
            named(0, &uname),
            named(0, &gname),
            sup.iter()
                .map(|(id, n)| named(*id, n))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    ctx.print(1, &format!("{line}\n")).await;
    0
}

/// `whoami`
pub async fn whoami(ctx: &Ctx, _args: &[String]) -> i32 {
    match user_name(ctx) {
        Some(n) => {
            ctx.print(1, &format!("{n}\n")).await;
            0
        }
        None => {
            error(ctx, "whoami", "unknown uid 0").await;
            1
        }
    }
}

/// The node's kernel, as `uname` reports it.
pub const KERNEL_RELEASE: &str = "6.8.0-1017";
pub const KERNEL_VERSION: &str = "#1 SMP PREEMPT_DYNAMIC Thu Jan  1 00:00:00 UTC 2026";

/// `uname [-amnrspvio]`
pub async fn uname(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "uname", args, "amnrspvio", false).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let all = o.has('a');
    let mut parts: Vec<String> = Vec::new();
    let want = |c: char| all || o.has(c);
    if want('s') || !(o.flags.iter().any(|_| true)) {
        parts.push("Linux".into());
    }
    if want('n') {
        parts.push(ctx.hostname());
    }
    if want('r') {
        parts.push(KERNEL_RELEASE.into());
    }
    if want('v') {
        parts.push(KERNEL_VERSION.into());
    }
    if want('m') {
        parts.push("x86_64".into());
    }
    if o.has('p') && !all {
        parts.push("unknown".into());
    }
    if o.has('i') && !all {
        parts.push("unknown".into());
    }
    if want('o') {
        parts.push("GNU/Linux".into());
    }
    ctx.print(1, &format!("{}\n", parts.join(" "))).await;
    0
}

/// `timeout [-s SIG] [-k KILL_SECS] SECS PROG ARGS`: PROG keeps timeout's pid (it is exec'd
/// in place); a forked watcher sends SIG after SECS, so the shell sees 128+SIG.
pub async fn timeout(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "timeout", args, "s:k:t:", true).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.len() < 2 {
        show_usage(ctx, "timeout").await;
        return 1;
    }
    let sig = match o.value('s') {
        Some(s) => match Signal::parse(s) {
            Some(s) => s,
            None => {
                error(ctx, "timeout", &format!("unknown signal '{s}'")).await;
                return 1;
            }
        },
        None => Signal::Term,
    };
    let Some(ms) = sleep_arg(&o.args[0]) else {
        error(ctx, "timeout", &format!("invalid number '{}'", o.args[0])).await;
        return 1;
    };
    let kill_after = o.value('k').and_then(sleep_arg);
    let argv: Vec<String> = o.args[1..].to_vec();
    let path_var = ctx.getenv("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    let path = match ctx.find_program(&argv[0], &path_var) {
        Ok(p) => p,
        Err(e) => {
            error(
                ctx,
                "timeout",
                &format!("can't execute '{}': {}", argv[0], e.message()),
            )
            .await;
            return if e == Errno::ENOENT { 127 } else { 126 };
        }
    };
    let target = ctx.ns_pid();
    ctx.fork(move |w| {
        Box::pin(async move {
            // The watcher checks once a second whether the program is still there.
            let mut left = ms;
            while left > 0 {
                let step = left.min(1000);
                if w.sleep(step).await.is_err() {
                    return 0;
                }
                left -= step;
                if w.kill(target, None).is_err()
                    || w.ns_ppid() == 0 && w.kill(target, None).is_err()
                {
                    return 0;
                }
            }
            if w.kill(target, Some(sig)).is_err() {
                return 0;
            }
            if let Some(k) = kill_after {
                let _ = w.sleep(k).await;
                let _ = w.kill(target, Some(Signal::Kill));
            }
            0
        })
    });
    let env = ctx.env();
    match ctx.exec(&path, argv.clone(), env).await {
        Ok(code) => code,
        Err(e) => {
            error(
                ctx,
                "timeout",
                &format!("can't execute '{}': {}", argv[0], e.message()),
            )
            .await;
            126
        }
    }
}

/// `nohup PROG ARGS`: SIGHUP ignored, then PROG in place (stdout is never a terminal here).
pub async fn nohup(ctx: &Ctx, args: &[String]) -> i32 {
    if args.is_empty() {
        show_usage(ctx, "nohup").await;
        return 1;
    }
    ctx.set_disposition(Signal::Hup, Disposition::Ignore);
    let path_var = ctx.getenv("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    let argv = args.to_vec();
    match ctx.find_program(&argv[0], &path_var) {
        Ok(path) => match ctx.exec(&path, argv.clone(), ctx.env()).await {
            Ok(code) => code,
            Err(e) => {
                error(
                    ctx,
                    "nohup",
                    &format!("can't execute '{}': {}", argv[0], e.message()),
                )
                .await;
                126
            }
        },
        Err(e) => {
            error(
                ctx,
                "nohup",
                &format!("can't execute '{}': {}", argv[0], e.message()),
            )
            .await;
            127
        }
    }
}

/// `which [-a] COMMAND...`: exit 1 when one is not found.
pub async fn which(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "which", args, "a", false).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    if o.args.is_empty() {
        show_usage(ctx, "which").await;
        return 1;
    }
    let path_var = ctx.getenv("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    let mut out = Out::stdout(ctx);
    let mut status = 0;
    for name in &o.args {
        if name.contains('/') {
            match ctx.find_program(name, &path_var) {
                Ok(_) => out.push_str(&format!("{name}\n")),
                Err(_) => status = 1,
            }
            continue;
        }
        let mut found = false;
        for dir in path_var.split(':') {
            let dir = if dir.is_empty() { "." } else { dir };
            let cand = super::util::join(dir, name);
            if ctx
                .stat(&cand)
                .is_ok_and(|st| st.kind != Kind::Dir && st.mode & 0o111 != 0)
            {
                out.push_str(&format!("{cand}\n"));
                found = true;
                if !o.has('a') {
                    break;
                }
            }
        }
        if !found {
            status = 1;
        }
    }
    out.flush().await;
    status
}

/// Splits xargs input into arguments: blanks separate, quotes and backslashes group.
fn xargs_split(data: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut chars = data.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if have {
                    out.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            '\'' | '"' => {
                have = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\n') | None => {
                            return Err(format!(
                                "unmatched {} quote",
                                if c == '"' { "double" } else { "single" }
                            ))
                        }
                        Some(x) => cur.push(x),
                    }
                }
            }
            '\\' => {
                have = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            _ => {
                have = true;
                cur.push(c);
            }
        }
    }
    if have {
        out.push(cur);
    }
    Ok(out)
}

/// `xargs [-0rt] [-n N] [-I STR] [PROG ARGS]` (findutils/xargs.c): exit 123 when a run
/// fails, 127/126 when PROG cannot be run.
pub async fn xargs(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "xargs", args, "0rtn:I:s:pxE:e", true).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mut cmd = o.args.clone();
    if cmd.is_empty() {
        cmd.push("echo".into());
    }
    let mut input = Input::fd(0);
    let data = input.all(ctx).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&data);
    let items: Vec<String> = if o.has('0') {
        text.split('\0')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    } else if o.value('I').is_some() {
        text.lines()
            .map(|l| l.trim_start().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        match xargs_split(&text) {
            Ok(v) => v,
            Err(m) => {
                error(ctx, "xargs", &m).await;
                return 1;
            }
        }
    };
    if items.is_empty() && o.has('r') {
        return 0;
    }
    let mut runs: Vec<Vec<String>> = Vec::new();
    if let Some(rep) = o.value('I') {
        for it in &items {
            runs.push(cmd.iter().map(|a| a.replace(rep, it)).collect());
        }
    } else {
        let per = o
            .value('n')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(5000);
        if items.is_empty() {
            runs.push(cmd.clone());
        }
        for chunk in items.chunks(per) {
            let mut argv = cmd.clone();
            argv.extend(chunk.iter().cloned());
            runs.push(argv);
        }
    }
    let mut status = 0;
    for argv in runs {
        if o.has('t') {
            ctx.print(2, &format!("{}\n", argv.join(" "))).await;
        }
        let code = run_command(ctx, "xargs", argv).await;
        match code {
            0 => {}
            126 | 127 => return code,
            255 => return 124,
            c if c > 128 => return 125,
            _ => status = 123,
        }
    }
    status
}

/// `dd [if=F] [of=F] [bs=N] [ibs=N] [obs=N] [count=N] [skip=N] [seek=N] [conv=notrunc]
/// [status=none|noxfer]`: the summary goes to stderr. Writes land block by block, so a
/// memory-backed target is charged as it fills (and can OOM-kill the container midway).
/// Throughput is 1 GB/s of virtual time.
pub async fn dd(ctx: &Ctx, args: &[String]) -> i32 {
    let mut ifile: Option<String> = None;
    let mut ofile: Option<String> = None;
    let mut ibs: u64 = 512;
    let mut obs: u64 = 512;
    let mut count: Option<u64> = None;
    let mut skip: u64 = 0;
    let mut seek: u64 = 0;
    let mut notrunc = false;
    let mut status_mode = "";
    for a in args {
        let Some((k, v)) = a.split_once('=') else {
            error(ctx, "dd", &format!("unknown operand {a}")).await;
            show_usage(ctx, "dd").await;
            return 1;
        };
        let num = || parse_size(v);
        let bad = || format!("invalid number '{v}'");
        match k {
            "if" => ifile = Some(v.to_string()),
            "of" => ofile = Some(v.to_string()),
            "bs" | "ibs" | "obs" => {
                let Some(n) = num().filter(|n| *n > 0) else {
                    error(ctx, "dd", &bad()).await;
                    return 1;
                };
                if k != "obs" {
                    ibs = n;
                }
                if k != "ibs" {
                    obs = n;
                }
            }
            "count" => match num() {
                Some(n) => count = Some(n),
                None => {
                    error(ctx, "dd", &bad()).await;
                    return 1;
                }
            },
            "skip" => skip = num().unwrap_or(0),
            "seek" => seek = num().unwrap_or(0),
            "conv" => notrunc = v.split(',').any(|c| c == "notrunc"),
            "status" => {
                status_mode = if v == "none" {
                    "none"
                } else if v == "noxfer" {
                    "noxfer"
                } else {
                    ""
                }
            }
            "iflag" | "oflag" => {}
            _ => {
                error(ctx, "dd", &format!("unknown operand {a}")).await;
                show_usage(ctx, "dd").await;
                return 1;
            }
        }
    }
    // The source: a device that never ends, a file, or stdin.
    enum Src {
        Zero,
        Random(u64),
        Data(Input),
    }
    let mut src = match ifile.as_deref() {
        Some("/dev/zero") => Src::Zero,
        Some("/dev/urandom") | Some("/dev/random") => Src::Random(0x9e37_79b9_7f4a_7c15),
        Some(f) => match Input::open(ctx, f) {
            Ok(i) => Src::Data(i),
            Err(e) => {
                error(ctx, "dd", &format!("can't open '{f}': {}", e.message())).await;
                return 1;
            }
        },
        None => Src::Data(Input::fd(0)),
    };
    let out_fd = match ofile.as_deref() {
        Some(f) => {
            let mode = if notrunc || seek > 0 {
                OpenMode::Append
            } else {
                OpenMode::Truncate
            };
            if seek > 0 && !notrunc {
                let _ = ctx.write_file(f, b"", WriteMode::Truncate);
                let zeros = vec![0u8; (seek * obs).min(64 << 20) as usize];
                let _ = ctx.write_file(f, &zeros, WriteMode::Append);
            }
            match ctx.open(f, mode) {
                Ok(fd) => fd,
                Err(e) => {
                    error(ctx, "dd", &format!("can't open '{f}': {}", e.message())).await;
                    return 1;
                }
            }
        }
        None => 1,
    };
    let started = ctx.now();
    let (mut in_full, mut in_part, mut out_full, mut out_part, mut total) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut skipped = 0u64;
    let mut pending: Vec<u8> = Vec::new();
    let mut status = 0;
    loop {
        if count.is_some_and(|c| in_full + in_part >= c) {
            break;
        }
        let block: Vec<u8> = match &mut src {
            Src::Zero => vec![0u8; ibs as usize],
            Src::Random(state) => (0..ibs)
                .map(|_| {
                    *state ^= *state << 13;
                    *state ^= *state >> 7;
                    *state ^= *state << 17;
                    *state as u8
                })
                .collect(),
            Src::Data(input) => {
                let mut b = Vec::new();
                while (b.len() as u64) < ibs {
                    match input.chunk(ctx).await {
                        Ok(c) if !c.is_empty() => b.extend_from_slice(&c),
                        _ => break,
                    }
                }
                if b.len() as u64 > ibs {
                    // Keep the rest for the next block (a pipe delivers what it has).
                    let rest = b.split_off(ibs as usize);
                    pending_push(input, rest);
                }
                b
            }
        };
        if block.is_empty() {
            break;
        }
        if skipped < skip {
            skipped += 1;
            continue;
        }
        if block.len() as u64 == ibs {
            in_full += 1;
        } else {
            in_part += 1;
        }
        pending.extend_from_slice(&block);
        while pending.len() as u64 >= obs {
            let rest = pending.split_off(obs as usize);
            if ctx.write(out_fd, &pending).await.is_err() {
                status = 1;
                break;
            }
            total += obs;
            out_full += 1;
            pending = rest;
            // 1 GB/s.
            ctx.sleep(obs / (1024 * 1024)).await.ok();
        }
        if status != 0 {
            break;
        }
        if block.len() as u64 != ibs {
            break;
        }
    }
    if status == 0 && !pending.is_empty() {
        if ctx.write(out_fd, &pending).await.is_ok() {
            total += pending.len() as u64;
            out_part += 1;
        } else {
            status = 1;
        }
    }
    if ofile.is_some() {
        let _ = ctx.close(out_fd);
    }
    if status_mode != "none" {
        let mut text =
            format!("{in_full}+{in_part} records in\n{out_full}+{out_part} records out\n");
        if status_mode != "noxfer" {
            let ms = ctx.now().millis_since(started).max(1);
            let seconds = ms as f64 / 1000.0;
            let rate = (total as f64 / seconds) as u64;
            text.push_str(&format!(
                "{total} bytes ({}B) copied, {seconds:.6} seconds, {}B/s\n",
                human(total),
                human(rate)
            ));
        }
        ctx.print(2, &text).await;
    }
    status
}

/// Puts bytes back in front of an input (dd read more than one block from a pipe).
fn pending_push(input: &mut Input, rest: Vec<u8>) {
    input.unread(rest);
}

/// `uptime`: ` HH:MM:SS up M min,  load average: 0.00, 0.00, 0.00` (the node booted an hour
/// before t=0, as `/proc/uptime` says).
pub async fn uptime(ctx: &Ctx, _args: &[String]) -> i32 {
    let now = epoch_secs(ctx.now());
    let up = ctx.now().as_millis() / 1000 + 3600;
    let tm = civil(now);
    let mut s = format!(" {:02}:{:02}:{:02} up ", tm.hour, tm.min, tm.sec);
    let days = up / 86400;
    if days > 0 {
        s.push_str(&format!("{days} day{}, ", if days == 1 { "" } else { "s" }));
    }
    let mins = up % 86400 / 60;
    if mins >= 60 {
        s.push_str(&format!("{:2}:{:02}, ", mins / 60, mins % 60));
    } else {
        s.push_str(&format!("{mins} min, "));
    }
    s.push_str(" load average: 0.00, 0.00, 0.00\n");
    ctx.print(1, &s).await;
    0
}

/// `pidof NAME...`: pids newest first; exit 1 when none.
pub async fn pidof(ctx: &Ctx, args: &[String]) -> i32 {
    let o = match opts(ctx, "pidof", args, "so:", false).await {
        Ok(o) => o,
        Err(c) => return c,
    };
    let mut pids = Vec::new();
    let procs = ctx.processes();
    for name in &o.args {
        for p in procs.iter().rev() {
            let matches = p
                .argv
                .first()
                .is_some_and(|a| super::util::basename(a) == name || a == name);
            if matches {
                pids.push(p.pid);
                if o.has('s') {
                    break;
                }
            }
        }
    }
    if pids.is_empty() {
        return 1;
    }
    let text: Vec<String> = pids.iter().map(u32::to_string).collect();
    ctx.print(1, &format!("{}\n", text.join(" "))).await;
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_epoch_is_a_thursday_in_2026() {
        assert_eq!(
            strftime("%a %b %e %H:%M:%S %Z %Y", epoch_secs(Time::ZERO)),
            "Thu Jan  1 00:00:00 UTC 2026"
        );
        assert_eq!(
            strftime("%F %T %s", epoch_secs(Time::from_secs(61))),
            "2026-01-01 00:01:01 1767225661"
        );
        let t = days_from_civil(2024, 2, 29) * 86400;
        assert_eq!(strftime("%Y-%m-%d %j %a", t), "2024-02-29 060 Thu");
    }

    #[test]
    fn sleep_arguments_take_suffixes() {
        assert_eq!(sleep_arg("1"), Some(1000));
        assert_eq!(sleep_arg("0.5"), Some(500));
        assert_eq!(sleep_arg("2m"), Some(120_000));
        assert_eq!(sleep_arg("1d"), Some(86_400_000));
        assert_eq!(sleep_arg("infinity"), Some(u64::MAX));
        assert_eq!(sleep_arg("x"), None);
        assert_eq!(sleep_arg("-1"), None);
    }

    #[test]
    fn ps_time_fits_five_columns() {
        assert_eq!(format_ps_time(0), " 0:00");
        assert_eq!(format_ps_time(3725), " 1h02");
    }
}
