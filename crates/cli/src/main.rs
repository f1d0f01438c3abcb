//! `podplay`: the command line. Reads manifests and shows what podplay makes of them.
//!
//! Each subcommand is a thin shell over the engine: it reads files, calls the engine, prints.

#[cfg(feature = "docker")]
mod docker;
mod explain;
mod input;
mod output;
mod run;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use podplay_engine::api::summary::{summarize, ObjectSummary};

/// podplay: a Kubernetes pod-lifecycle playground.
///
/// Give it real Kubernetes YAML; it shows what the API server and a kubelet would do with it.
#[derive(Parser)]
#[command(name = "podplay", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read manifests and list each object with its containers and volumes.
    ///
    /// Accepts multi-document YAML or JSON; errors name the document, line and column.
    Parse {
        /// Files to read; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Create each object as the API server would (dry run): defaults, validation, Pod Security.
    ///
    /// Prints what `kubectl apply --dry-run=server` prints: `pod/x created (server dry run)`,
    /// `Warning: ...` lines, and each refusal with the API server's message. A Namespace's
    /// `pod-security.kubernetes.io/*` labels apply to the pods after it. Exit 1 if any object
    /// is refused.
    Validate {
        /// Files to read; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Explain a pod with status (as `kubectl get pod -o yaml` prints it): its `kubectl get pods`
    /// row, the phase and conditions the kubelet would compute, and why, in plain words.
    Explain {
        /// The file to read; `-` reads standard input.
        file: PathBuf,
        /// The clock for AGE and "(5m ago)", as RFC 3339 (default: now).
        #[arg(long, value_name = "RFC3339", value_parser = explain::parse_now)]
        now: Option<k8s_openapi::jiff::Timestamp>,
        /// How to print the explanation.
        #[arg(long, short = 'o', value_enum, default_value_t = explain::Output::Text)]
        output: explain::Output,
    },
    /// Run a scenario in virtual time and show what the kubelet does with its pods.
    ///
    /// With `--runtime docker` it runs in real time on the local Docker engine instead, and prints
    /// the same views; everything podplay created there is removed at the end.
    ///
    /// FILE is a Scenario (`apiVersion: podplay.dev/v1alpha1`, `kind: Scenario`: objects applied
    /// at t=0, then steps such as `delete`, `forceDelete`, `exec`, `killContainer` and `apply`
    /// at virtual times) or plain Kubernetes manifests, which run with no steps. The run lasts
    /// `--for`, else the scenario's `spec.duration`, else 120s, and ends early when nothing more
    /// can happen. The same file and seed always print the same output.
    Run {
        /// The file to read; `-` reads standard input.
        file: PathBuf,
        /// How long to run, in virtual time: a duration such as `90s`, `2m` or `1m30s`.
        #[arg(long = "for", value_name = "DURATION", value_parser = run::parse_for)]
        for_: Option<podplay_engine::time::Time>,
        /// Seeds the run's randomness (uids, ids, jitter).
        #[arg(long, value_name = "N", default_value_t = 1)]
        seed: u64,
        /// The container runtime: `mock` (virtual time) or `docker` (the local Docker engine,
        /// in real time).
        #[arg(long, value_enum, default_value_t = run::RuntimeKind::Mock)]
        runtime: run::RuntimeKind,
        /// On Docker: run pods that reach the host (privileged, hostNetwork, hostPID, hostIPC,
        /// hostPath, added capabilities, host ports), which are refused otherwise.
        #[arg(long)]
        allow_host_access: bool,
        /// What to print.
        #[arg(long, short = 'o', value_enum, default_value_t = run::Output::Watch)]
        output: run::Output,
    },
    /// Run a scenario on the mock runtime and on Docker, and show where they differ.
    ///
    /// Compares, per pod, the phases and, per container, the states (waiting reason, running,
    /// terminated reason and exit code) with restart counts and the log lines, each change
    /// within 2s + 10% of its time. Exit 0 when they agree, 1 when they differ.
    #[cfg(feature = "docker")]
    Compare {
        /// The file to read; `-` reads standard input.
        file: PathBuf,
        /// How long to run: a duration such as `90s`, `2m` or `1m30s`.
        #[arg(long = "for", value_name = "DURATION", value_parser = run::parse_for)]
        for_: Option<podplay_engine::time::Time>,
        /// Seeds the mock's run.
        #[arg(long, value_name = "N", default_value_t = 1)]
        seed: u64,
        /// Run pods that reach the host on Docker.
        #[arg(long)]
        allow_host_access: bool,
    },
    /// The Docker engine podplay uses (DOCKER_HOST, else the default socket).
    #[cfg(feature = "docker")]
    Docker {
        #[command(subcommand)]
        command: DockerCommand,
    },
    /// Print the playground's default pod: nginx and a helper sharing an emptyDir volume.
    Example,
}

#[cfg(feature = "docker")]
#[derive(Subcommand)]
enum DockerCommand {
    /// Remove every container a podplay run left on the engine (by the `dev.podplay.run`
    /// label) and every run directory in podplay's state directory.
    Gc,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { files } => parse_files(&files),
        Command::Validate { files } => validate::run(&files),
        Command::Explain { file, now, output } => explain::run(&file, now, output),
        Command::Run {
            file,
            for_,
            seed,
            runtime,
            allow_host_access,
            output,
        } => {
            let options = run::RunOptions {
                for_,
                seed,
                runtime,
                allow_host_access,
            };
            run::run(&file, options, output)
        }
        #[cfg(feature = "docker")]
        Command::Compare {
            file,
            for_,
            seed,
            allow_host_access,
        } => docker::compare_file(&file, for_, seed, allow_host_access),
        #[cfg(feature = "docker")]
        Command::Docker {
            command: DockerCommand::Gc,
        } => docker::gc(),
        Command::Example => {
            output::out(podplay_engine::examples::TWO_CONTAINER_POD);
            ExitCode::SUCCESS
        }
    }
}

fn parse_files(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for file in files {
        let shown = input::source_name(file);
        let text = match input::read(file) {
            Ok(text) => text,
            Err(e) => {
                output::err(&format!("error: {e}"));
                ok = false;
                continue;
            }
        };
        match podplay_engine::api::parse(&text) {
            Ok(manifests) => output::out(&render(&summarize(&manifests))),
            Err(e) => {
                output::err(&format!("error: error parsing {shown}: {e}"));
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn render(objects: &[ObjectSummary]) -> String {
    let mut out = String::new();
    for o in objects {
        out.push_str(&format!("{} {}\n", o.kind, o.name));
        let Some(pod) = &o.pod else { continue };
        for (label, list) in [
            ("init container", &pod.init_containers),
            ("container", &pod.containers),
        ] {
            for c in list {
                out.push_str(&format!("  {label} {} ({})\n", c.name, c.image));
                for (volume, path) in &c.mounts {
                    out.push_str(&format!("    mounts {volume} at {path}\n"));
                }
            }
        }
        for v in &pod.volumes {
            out.push_str(&format!("  volume {} ({})\n", v.name, v.source));
        }
    }
    out
}
