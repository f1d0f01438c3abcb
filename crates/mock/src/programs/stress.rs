//! `stress` 1.0.4 (Amos Waterland's `stress.c`, the polinux/stress image): forks CPU, IO, VM and
//! disk hogs and waits for them. A VM hog allocates through the kernel in chunks, so a container
//! over its memory limit is OOM-killed; a hog that dies of a signal is reported with stress's
//! own `FAIL` lines (the `(415)` is the source line number stress prints).

use crate::kernel::{Ctx, Signal, Task, WaitStatus};

use super::{err, out, unix_seconds};

/// The bytes a VM hog touches per step of CPU fuel.
const CHUNK_BYTES: u64 = 4 << 20;

/// stress's `main`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run(&ctx, argv).await })
}

#[derive(Clone, Copy, Debug)]
struct Opts {
    dryrun: bool,
    backoff_us: i64,
    timeout_s: i64,
    cpu: i64,
    io: i64,
    vm: i64,
    vm_bytes: i64,
    vm_stride: i64,
    vm_hang: i64,
    vm_keep: bool,
    hdd: i64,
    hdd_bytes: i64,
}

struct Log<'a> {
    ctx: &'a Ctx,
    prog: String,
    pid: u32,
    level: i32,
}

impl Log<'_> {
    async fn dbg(&self, msg: &str) {
        if self.level >= 3 {
            out(
                self.ctx,
                &format!("{}: dbug: [{}] {msg}", self.prog, self.pid),
            )
            .await;
        }
    }
    async fn info(&self, msg: &str) {
        if self.level >= 2 {
            out(
                self.ctx,
                &format!("{}: info: [{}] {msg}", self.prog, self.pid),
            )
            .await;
        }
    }
    async fn warn(&self, line: u32, msg: &str) {
        if self.level >= 1 {
            err(
                self.ctx,
                &format!("{}: WARN: [{}] ({line}) {msg}", self.prog, self.pid),
            )
            .await;
        }
    }
    async fn fail(&self, line: u32, msg: &str) {
        if self.level >= 0 {
            err(
                self.ctx,
                &format!("{}: FAIL: [{}] ({line}) {msg}", self.prog, self.pid),
            )
            .await;
        }
    }
}

/// `sscanf(s, "%lli")`: an optional sign, then decimal, `0x` hex or `0` octal digits.
fn scan_lli(s: &str) -> Option<i64> {
    let s = s.trim_start();
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) = rest.strip_prefix("0x").or(rest.strip_prefix("0X")) {
        (16, h)
    } else if rest.len() > 1 && rest.starts_with('0') {
        (8, &rest[1..])
    } else {
        (10, rest)
    };
    let end = digits
        .char_indices()
        .find(|(_, c)| !c.is_digit(radix))
        .map_or(digits.len(), |(i, _)| i);
    if end == 0 {
        return if radix == 8 { Some(0) } else { None };
    }
    let v = i64::from_str_radix(&digits[..end], radix).unwrap_or(i64::MAX);
    Some(if neg { -v } else { v })
}

/// An error stress stops at: the source line it prints, and the message.
type Fail = (u32, String);

/// `atoll_b`: a size with an optional B, K, M or G suffix.
fn atoll_b(s: &str) -> Result<i64, Fail> {
    let Some(suffix) = s.chars().last() else {
        return Err((622, "invalid string".into()));
    };
    let factor = match suffix {
        'b' | 'B' => 0,
        'k' | 'K' => 10,
        'm' | 'M' => 20,
        'g' | 'G' => 30,
        c if c.is_ascii_digit() => 0,
        c => return Err((647, format!("unrecognized suffix: {c}"))),
    };
    let v = scan_lli(s).ok_or_else(|| (654, format!("invalid number: {s}")))?;
    Ok(v.checked_shl(factor).unwrap_or(i64::MAX))
}

/// `atoll_s`: a duration with an optional s, m, h, d or y suffix.
fn atoll_s(s: &str) -> Result<i64, Fail> {
    let Some(suffix) = s.chars().last() else {
        return Err((676, "invalid string".into()));
    };
    let factor = match suffix {
        's' | 'S' => 1,
        'm' | 'M' => 60,
        'h' | 'H' => 3600,
        'd' | 'D' => 86400,
        'y' | 'Y' => 86400 * 365,
        c if c.is_ascii_digit() => 1,
        c => return Err((705, format!("unrecognized suffix: {c}"))),
    };
    let v = scan_lli(s).ok_or_else(|| (712, format!("invalid number: {s}")))?;
    Ok(v.saturating_mul(factor))
}

fn usage(prog: &str) -> String {
    format!(
        "`{prog}' imposes certain types of compute stress on your system\n\nUsage: {prog} [OPTION [ARG]] ...\n -?, --help         show this help statement\n     --version      show version statement\n -v, --verbose      be verbose\n -q, --quiet        be quiet\n -n, --dry-run      show what would have been done\n -t, --timeout N    timeout after N seconds\n     --backoff N    wait factor of N microseconds before work starts\n -c, --cpu N        spawn N workers spinning on sqrt()\n -i, --io N         spawn N workers spinning on sync()\n -m, --vm N         spawn N workers spinning on malloc()/free()\n     --vm-bytes B   malloc B bytes per vm worker (default is 256MB)\n     --vm-stride B  touch a byte every B bytes (default is 4096)\n     --vm-hang N    sleep N secs before free (default none, 0 is inf)\n     --vm-keep      redirty memory instead of freeing and reallocating\n -d, --hdd N        spawn N workers spinning on write()/unlink()\n     --hdd-bytes B  write B bytes per hdd worker (default is 1GB)\n\nExample: {prog} --cpu 8 --io 4 --vm 2 --vm-bytes 128M --timeout 10s\n\nNote: Numbers may be suffixed with s,m,h,d,y (time) or B,K,M,G (size).\n"
    )
}

async fn run(ctx: &Ctx, argv: Vec<String>) -> i32 {
    let start = unix_seconds(ctx.now());
    let prog = argv
        .first()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        .unwrap_or_else(|| "stress".into());
    let mut o = Opts {
        dryrun: false,
        backoff_us: 3000,
        timeout_s: 0,
        cpu: 0,
        io: 0,
        vm: 0,
        vm_bytes: 256 << 20,
        vm_stride: 4096,
        vm_hang: -1,
        vm_keep: false,
        hdd: 0,
        hdd_bytes: 1 << 30,
    };
    let pid = ctx.ns_pid();
    let mut level = 2;
    let mut i = 1;
    macro_rules! fail_exit {
        ($fail:expr) => {{
            let (line, msg): Fail = $fail;
            let l = Log {
                ctx,
                prog: prog.clone(),
                pid,
                level,
            };
            l.fail(line, &msg).await;
            return 1;
        }};
    }
    while i < argv.len() {
        let arg = argv[i].as_str();
        // assert_arg (its line is where the option's branch invokes it): the next word, unless
        // it looks like an option.
        let value = |line: u32, name: &str, i: &mut usize| -> Result<String, Fail> {
            *i += 1;
            match argv.get(*i) {
                Some(v)
                    if !v.starts_with('-') || v[1..].starts_with(|c: char| c.is_ascii_digit()) =>
                {
                    Ok(v.clone())
                }
                _ => Err((line, format!("missing argument to option '{name}'"))),
            }
        };
        // A count or size option: its assert_arg line, then the line of its range check.
        let sized = |arg_line: u32, name: &str, i: &mut usize| -> Result<i64, Fail> {
            value(arg_line, name, i).and_then(|v| atoll_b(&v))
        };
        match arg {
            "--help" | "-?" => {
                ctx.print(1, &usage(&prog)).await;
                return 0;
            }
            "--version" => {
                out(ctx, &format!("{prog} 1.0.4")).await;
                return 0;
            }
            "--verbose" | "-v" => level = 3,
            "--quiet" | "-q" => level = 0,
            "--dry-run" | "-n" => o.dryrun = true,
            "--backoff" => match value(135, "--backoff", &mut i) {
                Ok(v) => match scan_lli(&v) {
                    Some(n) if n >= 0 => o.backoff_us = n,
                    Some(n) => fail_exit!((143, format!("invalid backoff factor: {n}"))),
                    None => fail_exit!((138, format!("invalid number: {v}"))),
                },
                Err(e) => fail_exit!(e),
            },
            "--timeout" | "-t" => match value(150, "--timeout", &mut i).and_then(|v| atoll_s(&v)) {
                Ok(n) if n > 0 => o.timeout_s = n,
                Ok(n) => fail_exit!((154, format!("invalid timeout value: {n}s"))),
                Err(e) => fail_exit!(e),
            },
            "--cpu" | "-c" => match sized(160, "--cpu", &mut i) {
                Ok(n) if n > 0 => o.cpu = n,
                Ok(n) => fail_exit!((164, format!("invalid number of cpu hogs: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--io" | "-i" => match sized(170, "--io", &mut i) {
                Ok(n) if n > 0 => o.io = n,
                Ok(n) => fail_exit!((174, format!("invalid number of io hogs: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--vm" | "-m" => match sized(180, "--vm", &mut i) {
                Ok(n) if n > 0 => o.vm = n,
                Ok(n) => fail_exit!((184, format!("invalid number of vm hogs: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--vm-bytes" => match sized(190, "--vm-bytes", &mut i) {
                Ok(n) if n > 0 => o.vm_bytes = n,
                Ok(n) => fail_exit!((194, format!("invalid vm byte value: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--vm-stride" => match sized(200, "--vm-stride", &mut i) {
                Ok(n) if n > 0 => o.vm_stride = n,
                Ok(n) => fail_exit!((204, format!("invalid stride value: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--vm-hang" => match sized(210, "--vm-hang", &mut i) {
                Ok(n) if n >= 0 => o.vm_hang = n,
                Ok(n) => fail_exit!((214, format!("invalid value: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--vm-keep" => o.vm_keep = true,
            "--hdd" | "-d" => match sized(224, "--hdd", &mut i) {
                Ok(n) if n > 0 => o.hdd = n,
                Ok(n) => fail_exit!((228, format!("invalid number of hdd hogs: {n}"))),
                Err(e) => fail_exit!(e),
            },
            "--hdd-bytes" => match sized(234, "--hdd-bytes", &mut i) {
                Ok(n) if n > 0 => o.hdd_bytes = n,
                Ok(n) => fail_exit!((238, format!("invalid hdd byte value: {n}"))),
                Err(e) => fail_exit!(e),
            },
            other => fail_exit!((244, format!("unrecognized option: {other}"))),
        }
        i += 1;
    }
    let log = Log {
        ctx,
        prog: prog.clone(),
        pid,
        level,
    };
    if o.cpu + o.io + o.vm + o.hdd == 0 {
        ctx.print(1, &usage(&prog)).await;
        return 0;
    }
    log.info(&format!(
        "dispatching hogs: {} cpu, {} io, {} vm, {} hdd",
        o.cpu, o.io, o.vm, o.hdd
    ))
    .await;
    let mut children: Vec<crate::kernel::Pid> = Vec::new();
    let (mut cpu, mut io, mut vm, mut hdd) = (o.cpu, o.io, o.vm, o.hdd);
    while cpu + io + vm + hdd > 0 {
        let forks = cpu + io + vm + hdd;
        let backoff = o.backoff_us.saturating_mul(forks);
        log.dbg(&format!("using backoff sleep of {backoff}us"))
            .await;
        let mut timeout = 0;
        if o.timeout_s > 0 {
            timeout = o.timeout_s - (unix_seconds(ctx.now()) - start);
            if timeout > 0 {
                log.dbg(&format!("setting timeout to {timeout}s")).await;
            } else {
                log.warn(288, "used up time before all workers dispatched")
                    .await;
                break;
            }
        }
        for (kind, left) in [(0, &mut cpu), (1, &mut io), (2, &mut vm), (3, &mut hdd)] {
            if *left == 0 {
                continue;
            }
            let n = *left;
            let child = ctx
                .fork(move |c| Box::pin(async move { worker(c, kind, o, timeout, backoff).await }));
            let ns = ctx.ns_pid_of(child).unwrap_or(0);
            let name = ["hogcpu", "hogio", "hogvm", "hoghdd"][kind];
            log.dbg(&format!("--> {name} worker {n} [{ns}] forked"))
                .await;
            children.push(child);
            *left -= 1;
        }
    }
    let mut retval = 0;
    for child in children {
        let ns = ctx.ns_pid_of(child).unwrap_or(0);
        match ctx.wait(child, false).await {
            Ok(WaitStatus::Exited(0)) => {
                log.dbg(&format!("<-- worker {ns} returned normally")).await
            }
            Ok(WaitStatus::Exited(code)) => {
                log.fail(394, &format!("<-- worker {ns} returned error {code}"))
                    .await;
                retval += 1;
                log.warn(396, "now reaping child worker processes").await;
                if !reap_all(ctx) {
                    log.fail(400, "kill error: No such process").await;
                }
            }
            Ok(WaitStatus::Signaled(Signal::Alrm)) => {
                log.dbg(&format!("<-- worker {ns} signalled normally"))
                    .await
            }
            Ok(WaitStatus::Signaled(Signal::Usr1)) => {
                log.dbg(&format!("<-- worker {ns} reaped")).await
            }
            Ok(WaitStatus::Signaled(sig)) => {
                log.fail(415, &format!("<-- worker {ns} got signal {}", sig.number()))
                    .await;
                retval += 1;
                log.warn(417, "now reaping child worker processes").await;
                if !reap_all(ctx) {
                    log.fail(421, "kill error: No such process").await;
                }
            }
            Err(_) => {}
        }
    }
    let runtime = unix_seconds(ctx.now()) - start;
    if retval > 0 {
        log.fail(451, &format!("failed run completed in {runtime}s"))
            .await;
    } else {
        log.info(&format!("successful run completed in {runtime}s"))
            .await;
    }
    retval
}

/// `kill(-1 * getpid(), SIGUSR1)` with SIGUSR1 ignored: as PID 1 that is `kill(-1, …)`, every
/// other process of the container; false (ESRCH) when there is none left.
fn reap_all(ctx: &Ctx) -> bool {
    ctx.set_disposition(Signal::Usr1, crate::kernel::Disposition::Ignore);
    let mut any = false;
    for child in ctx.children() {
        if ctx.has_ended(child) {
            continue;
        }
        if let Some(ns) = ctx.ns_pid_of(child) {
            any |= ctx.kill(ns, Some(Signal::Usr1)).is_ok();
        }
    }
    any
}

/// One hog: 0 cpu, 1 io, 2 vm, 3 hdd. `alarm(timeout)` ends it with SIGALRM.
async fn worker(ctx: Ctx, kind: usize, o: Opts, timeout_s: i64, backoff_us: i64) -> i32 {
    let deadline = (timeout_s > 0).then(|| ctx.now().plus_millis(timeout_s as u64 * 1000));
    let _ = ctx.sleep((backoff_us / 1000).max(0) as u64).await;
    if o.dryrun {
        return 0;
    }
    let expired = |ctx: &Ctx| deadline.is_some_and(|d| ctx.now() >= d);
    match kind {
        2 => {
            let bytes = o.vm_bytes.max(0) as u64;
            let mut held = 0u64;
            loop {
                if held == 0 || !o.vm_keep {
                    // malloc + touching every page: charged a chunk at a time.
                    while held < bytes {
                        let step = CHUNK_BYTES.min(bytes - held);
                        if !ctx.alloc(step) {
                            // The OOM killer took the container; this process is gone.
                            return 137;
                        }
                        held += step;
                        ctx.burn(1).await;
                        if expired(&ctx) {
                            ctx.raise(Signal::Alrm);
                            return 0;
                        }
                    }
                }
                match o.vm_hang {
                    0 => loop {
                        let until = deadline.map(|d| d.millis_since(ctx.now()));
                        let _ = ctx.sleep(until.unwrap_or(1_024_000)).await;
                        if expired(&ctx) {
                            ctx.raise(Signal::Alrm);
                            return 0;
                        }
                    },
                    h if h > 0 => {
                        let ms = (h as u64).saturating_mul(1000);
                        let ms = deadline.map_or(ms, |d| ms.min(d.millis_since(ctx.now())));
                        let _ = ctx.sleep(ms).await;
                    }
                    _ => ctx.burn(1).await,
                }
                if expired(&ctx) {
                    ctx.raise(Signal::Alrm);
                    return 0;
                }
                if !o.vm_keep {
                    ctx.free(held);
                    held = 0;
                }
            }
        }
        _ => loop {
            // sqrt(rand()), sync(), write(): all CPU here.
            ctx.burn(crate::kernel::FUEL_PER_QUANTUM).await;
            if expired(&ctx) {
                ctx.raise(Signal::Alrm);
                return 0;
            }
        },
    }
}
