//! busybox: the shell and its applets, one multi-call program that runs the applet its
//! `argv[0]` names (`libbb/appletlib.c`'s `run_applet_and_exit`), or its first argument when
//! run as `busybox APPLET ...`.
//!
//! Applets are async functions over a [`Ctx`]: they read and write descriptors 0, 1 and 2 and
//! make system calls, so a pipe, a redirection or the container log behave as with the real
//! binary. Messages, usage texts and exit codes are busybox's own (`bb_error_msg` prefixes the
//! applet's name; `bb_show_usage` prints the banner and the usage to stderr and exits 1).
//! Start at [`run`]; the shell lives in [`crate::shell`].

mod awk;
mod files;
mod net;
pub mod printf;
pub mod regex;
mod sed;
mod system;
pub mod test;
mod text;
pub(crate) mod util;

use crate::kernel::{Ctx, Task};

pub use system::{kill_main, parse_signal, SIGNAL_NAMES};

/// The first line busybox prints in its usage texts (the docker library image's build).
pub const BANNER: &str = "BusyBox v1.37.0 (2024-09-26 21:31:42 UTC) multi-call binary.";

/// Every applet this busybox has, sorted: an image links each of them to `/bin/busybox`.
pub const APPLETS: &[&str] = &[
    "[", "[[", "ash", "awk", "base64", "basename", "cat", "chmod", "cp", "cut", "date", "dd",
    "dirname", "du", "echo", "env", "expr", "false", "find", "grep", "head", "hostname", "id",
    "kill", "ln", "ls", "mkdir", "mv", "nc", "nohup", "nslookup", "pidof", "printenv", "printf",
    "ps", "pwd", "readlink", "realpath", "rev", "rm", "rmdir", "sed", "seq", "sh", "sleep", "sort",
    "stat", "sync", "tail", "tee", "test", "timeout", "touch", "tr", "true", "uname", "uniq",
    "uptime", "usleep", "wc", "wget", "which", "whoami", "xargs", "yes",
];

/// busybox's `main`: dispatches on the name it was run as (`sh`, `sleep`, ...), or on its first
/// argument when run as `busybox APPLET ...`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move { run(&ctx, argv).await })
}

/// Runs the applet `argv` names and returns its exit code.
pub async fn run(ctx: &Ctx, mut argv: Vec<String>) -> i32 {
    let mut name = argv
        .first()
        .map(|a| util::basename(a).to_string())
        .unwrap_or_default();
    if name == "busybox" {
        match argv.get(1).map(String::as_str) {
            None | Some("--help") => {
                let text = format!(
                    "{BANNER}\nBusyBox is copyrighted by many authors between 1998-2015.\n\
                     Licensed under GPLv2. See source distribution for detailed\n\
                     copyright notices.\n\n\
                     Usage: busybox [function [arguments]...]\n   \
                     or: busybox --list\n   \
                     or: function [arguments]...\n\n\
                     \tBusyBox is a multi-call binary that combines many common Unix\n\
                     \tutilities into a single executable.  Most people will create a\n\
                     \tlink to busybox for each function they wish to use and BusyBox\n\
                     \twill act like whatever it was invoked as.\n\n\
                     Currently defined functions:\n\t{}\n",
                    APPLETS.join(", ")
                );
                ctx.print(1, &text).await;
                return 0;
            }
            Some("--list") => {
                let mut text = APPLETS.join("\n");
                text.push('\n');
                ctx.print(1, &text).await;
                return 0;
            }
            Some(_) => {
                argv.remove(0);
                name = util::basename(&argv[0]).to_string();
            }
        }
    }
    let args: Vec<String> = argv[1..].to_vec();
    if let Some(code) = applet(ctx, &name, &argv, &args).await {
        return code;
    }
    util::error(ctx, &name, "applet not found").await;
    127
}

/// Whether `name` is an applet of this busybox.
pub fn is_applet(name: &str) -> bool {
    APPLETS.binary_search(&name).is_ok()
}

/// Runs applet `name`; None when there is no such applet.
async fn applet(ctx: &Ctx, name: &str, argv: &[String], args: &[String]) -> Option<i32> {
    let a = args;
    Some(match name {
        "sh" | "ash" => crate::shell::interp::main_with(ctx, argv.to_vec()).await,
        "echo" => printf::echo(ctx, a).await,
        "printf" => printf::printf(ctx, "printf", a).await,
        "test" | "[" | "[[" => test::test_main(ctx, name, name, a).await,
        "true" => 0,
        "false" => 1,
        "cat" => text::cat(ctx, a).await,
        "head" => text::head(ctx, a).await,
        "tail" => text::tail(ctx, a).await,
        "grep" => text::grep(ctx, a).await,
        "wc" => text::wc(ctx, a).await,
        "cut" => text::cut(ctx, a).await,
        "tr" => text::tr(ctx, a).await,
        "sort" => text::sort(ctx, a).await,
        "uniq" => text::uniq(ctx, a).await,
        "tee" => text::tee(ctx, a).await,
        "seq" => text::seq(ctx, a).await,
        "yes" => text::yes(ctx, a).await,
        "basename" => text::basename(ctx, a).await,
        "dirname" => text::dirname(ctx, a).await,
        "base64" => text::base64(ctx, a).await,
        "rev" => text::rev(ctx, a).await,
        "expr" => text::expr(ctx, a).await,
        "sed" => sed::sed(ctx, a).await,
        "awk" => awk::awk(ctx, a).await,
        "touch" => files::touch(ctx, a).await,
        "rm" => files::rm(ctx, a).await,
        "rmdir" => files::rmdir(ctx, a).await,
        "mkdir" => files::mkdir(ctx, a).await,
        "ls" => files::ls(ctx, a).await,
        "cp" => files::cp(ctx, a).await,
        "mv" => files::mv(ctx, a).await,
        "ln" => files::ln(ctx, a).await,
        "chmod" => files::chmod(ctx, a).await,
        "find" => files::find(ctx, a).await,
        "pwd" => files::pwd(ctx, a).await,
        "readlink" => files::readlink(ctx, a, false).await,
        "realpath" => files::readlink(ctx, a, true).await,
        "stat" => files::stat(ctx, a).await,
        "du" => files::du(ctx, a).await,
        "date" => system::date(ctx, a).await,
        "hostname" => system::hostname(ctx, a).await,
        "env" => system::env(ctx, a).await,
        "printenv" => system::printenv(ctx, a).await,
        "sleep" => system::sleep(ctx, a).await,
        "usleep" => system::usleep(ctx, a).await,
        "kill" => kill_main(ctx, "kill", a, &[]).await,
        "ps" => system::ps(ctx, a).await,
        "id" => system::id(ctx, a).await,
        "whoami" => system::whoami(ctx, a).await,
        "uname" => system::uname(ctx, a).await,
        "timeout" => system::timeout(ctx, a).await,
        "nohup" => system::nohup(ctx, a).await,
        "which" => system::which(ctx, a).await,
        "xargs" => system::xargs(ctx, a).await,
        "dd" => system::dd(ctx, a).await,
        "uptime" => system::uptime(ctx, a).await,
        "pidof" => system::pidof(ctx, a).await,
        "sync" => 0,
        "wget" => net::wget(ctx, a).await,
        "nc" => net::nc(ctx, a).await,
        "nslookup" => net::nslookup(ctx, a).await,
        _ => return None,
    })
}

/// `bb_show_usage` for the shell's builtins.
pub async fn show_usage_for(ctx: &Ctx, applet: &str) {
    show_usage(ctx, applet).await
}

/// The canonical absolute path of `path` (`realpath`), for `cd -P`.
pub fn canonical_path(ctx: &Ctx, path: &str) -> Result<String, crate::fs::Errno> {
    files::canonical(ctx, path)
}

/// Seconds since the Unix epoch now, on the node's clock (`date +%s`, `$EPOCHSECONDS`).
pub fn epoch_secs_now(ctx: &Ctx) -> i64 {
    system::epoch_secs(ctx.now())
}

/// `bb_show_usage`: the banner and the applet's usage on stderr; the caller exits 1.
pub(crate) async fn show_usage(ctx: &Ctx, applet: &str) {
    let (trivial, full) = usage(applet);
    let mut text = format!("{BANNER}\n\nUsage: {applet} {trivial}\n");
    if !full.is_empty() {
        text.push('\n');
        text.push_str(full);
        text.push('\n');
    }
    ctx.print(2, &text).await;
}

/// Reports an option error as glibc's getopt does, then the usage; returns the exit code 1.
pub(crate) async fn bad_option(ctx: &Ctx, applet: &str, e: &util::OptError) -> i32 {
    util::error(ctx, applet, &e.message()).await;
    show_usage(ctx, applet).await;
    1
}

/// The usage texts (`include/usage.src.h`, `*_trivial_usage` and `*_full_usage`).
fn usage(applet: &str) -> (&'static str, &'static str) {
    match applet {
        "sleep" => (
            "[N]...",
            "Pause for a time equal to the total of the args given, where each arg can\n\
             have an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays",
        ),
        "cat" => (
            "[-nbvteA] [FILE]...",
            "Print FILEs to stdout\n\n\
             \t-n\tNumber output lines\n\
             \t-b\tNumber nonempty lines\n\
             \t-v\tShow nonprinting characters as ^x or M-x\n\
             \t-t\t...and tabs as ^I\n\
             \t-e\t...and end lines with $\n\
             \t-A\tSame as -vte",
        ),
        "echo" => ("[-neE] [ARG]...", "Print the specified ARGs to stdout"),
        "printf" => ("FORMAT [ARG]...", "Format and print ARG(s) according to FORMAT (a-la C printf)"),
        "head" => (
            "[OPTIONS] [FILE]...",
            "Print first 10 lines of FILEs (or stdin).\n\
             With more than one FILE, precede each with a filename header.\n\n\
             \t-n N[bkm]\tPrint first N lines\n\
             \t-n -N[bkm]\tPrint all except N last lines\n\
             \t-c [-]N[bkm]\tPrint first N bytes\n\
             \t-q\t\tNever print headers\n\
             \t-v\t\tAlways print headers",
        ),
        "tail" => (
            "[OPTIONS] [FILE]...",
            "Print last 10 lines of FILEs (or stdin) to stdout.\n\
             With more than one FILE, precede each with a filename header.\n\n\
             \t-f\t\tPrint data as file grows\n\
             \t-c [+]N[bkm]\tPrint last N bytes\n\
             \t-n N[bkm]\tPrint last N lines\n\
             \t-n +N[bkm]\tStart on Nth line and print the rest\n\
             \t-q\t\tNever print headers\n\
             \t-s SECONDS\tWait SECONDS between reads with -f\n\
             \t-v\t\tAlways print headers",
        ),
        "touch" => ("[-c] [-d DATE] [-t DATE] [-r FILE] FILE...", "Update mtime of FILEs\n\n\t-c\tDon't create files"),
        "mkdir" => (
            "[-m MODE] [-p] DIRECTORY...",
            "Create DIRECTORY\n\n\t-m MODE\tMode\n\t-p\tNo error if exists; make parent directories as needed",
        ),
        "rm" => (
            "[-irf] FILE...",
            "Remove (unlink) FILEs\n\n\t-i\tAlways prompt before removing\n\t-f\tNever prompt\n\t-R,-r\tRecurse",
        ),
        "rmdir" => ("[-p] DIRECTORY...", "Remove DIRECTORY if it is empty\n\n\t-p\tInclude parents"),
        "ls" => ("[-1AaCxdLHRFplinshrSXvctu] [-w WIDTH] [FILE]...", "List directory contents"),
        "cp" => (
            "[-arPLHpfinlsTu] SOURCE DEST\nor: cp [-arPLHpfinlsu] SOURCE... { -t DIRECTORY | DIRECTORY }",
            "Copy SOURCEs to DEST",
        ),
        "mv" => (
            "[-finT] SOURCE DEST\nor: mv [-fin] SOURCE... { -t DIRECTORY | DIRECTORY }",
            "Rename SOURCE to DEST, or move SOURCEs to DIRECTORY",
        ),
        "ln" => ("[-sfnbtv] [-S SUF] TARGET... LINK|DIR", "Create a link LINK or DIR/TARGET to the specified TARGET(s)"),
        "chmod" => ("[-Rcvf] MODE[,MODE]... FILE...", "MODE is octal number (bit pattern sstrwxrwxrwx) or [ugoa]{+|-|=}[rwxXst]"),
        "date" => ("[OPTIONS] [+FMT] [[-s] TIME]", "Display time (using +FMT), or set time"),
        "hostname" => ("[-sidf] [HOSTNAME | -F FILE]", "Show or set hostname or DNS domain name"),
        "env" => ("[-i] [-u NAME]... [-] [NAME=VALUE]... [PROG ARGS]", "Print current environment or run PROG after setting up environment"),
        "printenv" => ("[VARIABLE]...", "Print environment VARIABLEs.\nIf no VARIABLE specified, print all."),
        "kill" => ("[-l] [-SIG] PID...", "Send a signal (default: TERM) to given PIDs"),
        "ps" => ("[-o COL1,COL2=HEADER] [-T]", "Show list of processes"),
        "wget" => (
            "[-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...",
            "Retrieve files via HTTP or FTP",
        ),
        "nc" => (
            "[OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen",
            "\t-e PROG\tRun PROG after connect (must be last)\n\t-l\tListen mode, for inbound connects\n\t-lk\tWith -e, provides persistent server\n\t-p PORT\tLocal port\n\t-s ADDR\tLocal address\n\t-w SEC\tTimeout for connects and final net reads\n\t-z\tZero-I/O mode (scanning)",
        ),
        "nslookup" => ("[-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]", "Query DNS about HOST"),
        "grep" => (
            "[-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...",
            "Search for PATTERN in FILEs (or stdin)",
        ),
        "wc" => ("[-cwlL] [FILE]...", "Count lines, words, and bytes for each FILE (or stdin)"),
        "seq" => ("[-w] [-s SEP] [FIRST [INC]] LAST", "Print numbers from FIRST to LAST, in steps of INC.\nFIRST, INC default to 1."),
        "yes" => ("[STRING]", "Repeatedly output a line with STRING, or 'y'"),
        "dd" => (
            "[if=FILE] [of=FILE] [ibs=N obs=N/bs=N] [count=N] [skip=N] [seek=N]\n\t[conv=notrunc|noerror|sync|fsync]\n\t[iflag=skip_bytes|count_bytes|fullblock|direct] [oflag=seek_bytes|append|direct]",
            "Copy a file with converting and formatting",
        ),
        "tee" => ("[-ai] [FILE]...", "Copy stdin to each FILE, and also to stdout\n\n\t-a\tAppend to the given FILEs, don't overwrite\n\t-i\tIgnore interrupt signals (SIGINT)"),
        "basename" => ("FILE [SUFFIX]", "Strip directory path and .SUFFIX from FILE"),
        "dirname" => ("FILENAME", "Strip non-directory suffix from FILENAME"),
        "cut" => ("[OPTIONS] [FILE]...", "Print selected fields from FILEs to stdout"),
        "tr" => ("[-cds] STRING1 [STRING2]", "Translate, squeeze, or delete characters from stdin, writing to stdout"),
        "sort" => ("[-nrugMcszbdfiokt] [-o FILE] [-k START[.OFS][OPTS][,END[.OFS][OPTS]] [-t CHAR] [FILE]...", "Sort lines of text"),
        "uniq" => ("[-cdui] [-f,s,w N] [FILE [OUTFILE]]", "Discard duplicate lines"),
        "id" => ("[-ugGnr] [USER]", "Print information about USER or the current user"),
        "whoami" => ("", "Print the user name associated with the current effective user id"),
        "uname" => ("[-amnrspvio]", "Print system information"),
        "timeout" => ("[-s SIG] [-k KILL_SECS] SECS PROG ARGS", "Run PROG. Send SIG to it if it is not gone in SECS seconds.\nDefault SIG: TERM.If it still exists in KILL_SECS seconds, send KILL."),
        "nohup" => ("PROG ARGS", "Run PROG immune to hangups, with output to a non-tty"),
        "which" => ("[-a] COMMAND...", "Locate COMMAND"),
        "xargs" => ("[OPTIONS] [PROG ARGS]", "Run PROG on every item given by stdin"),
        "find" => ("[-HL] [PATH]... [OPTIONS] [ACTIONS]", "Search for files and perform actions on them"),
        "test" | "[" | "[[" => ("EXPRESSION ]", "Check file types, compare values etc. Return a 0/1 exit code\ndepending on logical value of EXPRESSION"),
        "base64" => ("[-d] [-w COL] [FILE]", "Base64 encode or decode FILE to standard output"),
        "expr" => ("EXPRESSION", "Print the value of EXPRESSION to stdout"),
        "usleep" => ("N", "Pause for N microseconds"),
        "stat" => ("[-ltf] [-c FMT] FILE...", "Display file status"),
        "readlink" => ("[-fnv] FILE", "Display the value of a symlink"),
        "realpath" => ("FILE...", "Print absolute pathnames of FILEs"),
        _ => ("", ""),
    }
}
