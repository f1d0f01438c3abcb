//! `/pause` of registry.k8s.io/pause (kubernetes `build/pause/linux/pause.c`): waits forever,
//! reaps orphans, and exits 0 on SIGINT or SIGTERM after `psignal`'s line on stderr.

use crate::kernel::{Ctx, Disposition, Signal, Task};

use super::{build_info, err, out};

/// pause.c's `main`.
pub fn main(ctx: Ctx, argv: Vec<String>) -> Task {
    Box::pin(async move {
        if argv.iter().skip(1).any(|a| a.eq_ignore_ascii_case("-v")) {
            let info = build_info(&ctx, argv.first().map_or("/pause", String::as_str));
            let version = info
                .get("version")
                .cloned()
                .unwrap_or_else(|| "3.10".into());
            out(&ctx, &format!("pause.c v{version}")).await;
            return 0;
        }
        if ctx.ns_pid() != 1 {
            // Not an error because pause sees use outside of infra containers.
            err(&ctx, "Warning: pause should be the first process").await;
        }
        ctx.set_disposition(Signal::Int, Disposition::Handle);
        ctx.set_disposition(Signal::Term, Disposition::Handle);
        // sigreap: orphans re-parented to pause are reaped (the kernel reaps them for us).
        ctx.set_disposition(Signal::Chld, Disposition::Handle);
        let _ = ctx.alloc(256 << 10);
        loop {
            match ctx.wait_signal().await {
                sig @ (Signal::Int | Signal::Term) => {
                    // psignal(3): "<prefix>: <strsignal>".
                    let name = if sig == Signal::Int {
                        "Interrupt"
                    } else {
                        "Terminated"
                    };
                    err(&ctx, &format!("Shutting down, got signal: {name}")).await;
                    return 0;
                }
                Signal::Chld => {
                    for child in ctx.children() {
                        if ctx.has_ended(child) {
                            let _ = ctx.wait(child, false).await;
                        }
                    }
                }
                _ => {}
            }
        }
    })
}
