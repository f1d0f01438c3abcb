//! `podplay validate`: what the API server answers to creating each object, as
//! `kubectl apply --dry-run=server` shows it.

use std::path::PathBuf;
use std::process::ExitCode;

use podplay_engine::api::server::{ApiServer, Outcome};

use crate::{input, output};

/// Creates every object of every file in order (a Namespace's Pod Security labels apply to the
/// pods after it, across files). Prints what kubectl prints: warnings and refusals on stderr,
/// `pod/x created (server dry run)` on stdout. Exit 1 if any object is refused or unreadable.
pub fn run(files: &[PathBuf]) -> ExitCode {
    let mut server = ApiServer::default();
    let mut ok = true;
    for file in files {
        let source = input::source_name(file);
        let text = match input::read(file) {
            Ok(text) => text,
            Err(e) => {
                output::err(&format!("error: {e}"));
                ok = false;
                continue;
            }
        };
        let manifests = match podplay_engine::api::parse(&text) {
            Ok(m) => m,
            Err(e) => {
                output::err(&format!("error: error parsing {source}: {e}"));
                ok = false;
                continue;
            }
        };
        for manifest in &manifests {
            let created = server.create(manifest);
            for w in &created.warnings {
                output::err(&format!("Warning: {w}"));
            }
            let line = created.kubectl_line(&source);
            match created.outcome {
                Outcome::Created => output::out(&format!("{line}\n")),
                Outcome::Invalid { ref message, .. } => {
                    ok = false;
                    output::err(&line);
                    // kubectl renders the causes; the API server's own message follows.
                    output::err(&format!("  API server: {message}"));
                }
                Outcome::Forbidden { .. } => {
                    ok = false;
                    output::err(&line);
                }
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
