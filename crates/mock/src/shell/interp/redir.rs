//! Redirections (ash's `redirect`, `openredirect`, `dupredirect`, `openhere`,
//! `popredir`): made in the shell's own process, the old descriptors saved above 9 and put
//! back afterwards, so builtins, functions and compound commands see them and external
//! commands inherit them.

use crate::fs::Errno;
use crate::kernel::{OpenMode, PIPE_BUF_BYTES};

use super::*;

/// A descriptor a redirection replaced: where its old open file was parked (None: it was
/// closed).
pub(crate) struct Saved {
    fd: i32,
    backup: Option<i32>,
}

/// The lowest descriptor a saved one is parked at (ash's `savefd` uses 10 and up).
const SAVE_FD_MIN: i32 = 10;

/// ash's `errmsg`: the short texts for ENOENT/ENOTDIR, else `strerror`.
fn errmsg(e: Errno, short: &str) -> String {
    match e {
        Errno::ENOENT | Errno::ENOTDIR => short.to_string(),
        e => e.message().to_string(),
    }
}

impl Shell {
    /// Makes `redirects` in order. With `save`, the replaced descriptors are kept for
    /// [`Shell::restore_redirects`]. On failure the message is printed and what was made is
    /// undone: `Err(Ok(()))`; an expansion error is `Err(Err(jump))`.
    pub(crate) fn apply_redirects<'a>(
        &'a mut self,
        redirects: &'a [Redirect],
        save: bool,
    ) -> Fut<'a, Result<Vec<Saved>, Flow>> {
        Box::pin(async move {
            let mut saved: Vec<Saved> = Vec::new();
            for r in redirects {
                match self.redirect_one(r, save, &mut saved).await {
                    Ok(()) => {}
                    Err(e) => {
                        self.restore_redirects(saved);
                        return Err(e);
                    }
                }
            }
            Ok(saved)
        })
    }

    fn save_fd(&mut self, fd: i32, save: bool, saved: &mut Vec<Saved>) {
        if !save || saved.iter().any(|s| s.fd == fd) {
            return;
        }
        let backup = if self.ctx.is_open(fd) {
            self.ctx.dup(fd, SAVE_FD_MIN).ok()
        } else {
            None
        };
        saved.push(Saved { fd, backup });
    }

    /// Puts back what [`Shell::apply_redirects`] replaced, last first.
    pub(crate) fn restore_redirects(&mut self, saved: Vec<Saved>) {
        for s in saved.into_iter().rev() {
            match s.backup {
                Some(b) => {
                    let _ = self.ctx.dup2(b, s.fd);
                    let _ = self.ctx.close(b);
                }
                None => {
                    let _ = self.ctx.close(s.fd);
                }
            }
        }
    }

    /// Opens `path` for a redirection, with ash's messages on failure.
    async fn open_for(&mut self, path: &str, mode: OpenMode, noclobber: bool) -> Result<i32, Flow> {
        if noclobber
            && self
                .ctx
                .stat(path)
                .is_ok_and(|s| s.kind == crate::fs::Kind::File)
        {
            self.print_err(&format!("can't create {path}: {}", Errno::EEXIST.message()))
                .await;
            return Err(Ok(()));
        }
        match self.ctx.open(path, mode) {
            Ok(fd) => Ok(fd),
            Err(e) => {
                let msg = match mode {
                    OpenMode::Read => format!("can't open {path}: {}", errmsg(e, "no such file")),
                    _ => format!(
                        "can't create {path}: {}",
                        errmsg(e, "nonexistent directory")
                    ),
                };
                self.print_err(&msg).await;
                Err(Ok(()))
            }
        }
    }

    /// Moves a freshly opened descriptor onto `fd`.
    fn install(&mut self, opened: i32, fd: i32) {
        if opened != fd {
            let _ = self.ctx.dup2(opened, fd);
            let _ = self.ctx.close(opened);
        }
    }

    async fn redirect_one(
        &mut self,
        r: &Redirect,
        save: bool,
        saved: &mut Vec<Saved>,
    ) -> Result<(), Flow> {
        let fd = r.fd as i32;
        match &r.kind {
            RedirectKind::Output(w)
            | RedirectKind::Clobber(w)
            | RedirectKind::Append(w)
            | RedirectKind::Input(w)
            | RedirectKind::ReadWrite(w)
            | RedirectKind::OutputAndError(w) => {
                let path = self.expand_string(w).await.map_err(Err)?;
                let (mode, noclobber) = match &r.kind {
                    RedirectKind::Output(_) | RedirectKind::OutputAndError(_) => {
                        (OpenMode::Truncate, self.opt.noclobber)
                    }
                    RedirectKind::Clobber(_) => (OpenMode::Truncate, false),
                    RedirectKind::Append(_) | RedirectKind::ReadWrite(_) => {
                        (OpenMode::Append, false)
                    }
                    _ => (OpenMode::Read, false),
                };
                let opened = self.open_for(&path, mode, noclobber).await?;
                if matches!(r.kind, RedirectKind::OutputAndError(_)) {
                    self.save_fd(1, save, saved);
                    self.save_fd(2, save, saved);
                    let _ = self.ctx.dup2(opened, 2);
                    self.install(opened, 1);
                } else {
                    self.save_fd(fd, save, saved);
                    self.install(opened, fd);
                }
                Ok(())
            }
            RedirectKind::DupOutput(t) | RedirectKind::DupInput(t) => {
                let output = matches!(r.kind, RedirectKind::DupOutput(_));
                let target = match t {
                    DupTarget::Fd(n) => Some(*n as i32),
                    DupTarget::Close => None,
                    DupTarget::Word(w) => {
                        let text = self.expand_string(w).await.map_err(Err)?;
                        if text == "-" {
                            None
                        } else if let Ok(n) = text.parse::<i32>() {
                            Some(n)
                        } else if output {
                            // `>&file` is `&>file`.
                            let opened = self
                                .open_for(&text, OpenMode::Truncate, self.opt.noclobber)
                                .await?;
                            self.save_fd(1, save, saved);
                            self.save_fd(2, save, saved);
                            let _ = self.ctx.dup2(opened, 2);
                            self.install(opened, 1);
                            return Ok(());
                        } else {
                            self.print_err(&format!("{text}: bad fd number")).await;
                            return Err(Ok(()));
                        }
                    }
                };
                match target {
                    None => {
                        self.save_fd(fd, save, saved);
                        let _ = self.ctx.close(fd);
                    }
                    Some(n) if n == fd => {}
                    Some(n) => {
                        if !self.ctx.is_open(n) {
                            self.print_err(&format!("{n}: {}", Errno::EBADF.message()))
                                .await;
                            return Err(Ok(()));
                        }
                        self.save_fd(fd, save, saved);
                        let _ = self.ctx.dup2(n, fd);
                    }
                }
                Ok(())
            }
            RedirectKind::HereDoc(h) => {
                let text = if h.quoted {
                    let mut s = String::new();
                    for p in &h.body.parts {
                        match p {
                            WordPart::Quoted(t) | WordPart::Literal(t) => s.push_str(t),
                            _ => {}
                        }
                    }
                    s
                } else {
                    self.expand_heredoc(&h.body).await.map_err(Err)?
                };
                let (rd, wr) = self.ctx.pipe();
                if text.len() <= PIPE_BUF_BYTES {
                    let _ = self.ctx.write(wr, text.as_bytes()).await;
                    let _ = self.ctx.close(wr);
                } else {
                    // A writer process, so the pipe's buffer cannot block the shell.
                    let data = text.into_bytes();
                    let pid = self.ctx.fork(move |child| {
                        Box::pin(async move {
                            let _ = child.close(rd);
                            let _ = child.write(wr, &data).await;
                            0
                        })
                    });
                    self.strays.push(pid);
                    let _ = self.ctx.close(wr);
                }
                self.save_fd(fd, save, saved);
                self.install(rd, fd);
                Ok(())
            }
        }
    }
}
