//! `podplay`: the command line. Reads manifests and shows what podplay makes of them.
//!
//! Each subcommand is a thin shell over the engine: it reads files, calls the engine, prints.

use std::io::Read;
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
    /// Print the playground's default pod: nginx and a helper sharing an emptyDir volume.
    Example,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Parse { files } => parse_files(&files),
        Command::Example => {
            print!("{}", podplay_engine::examples::TWO_CONTAINER_POD);
            ExitCode::SUCCESS
        }
    }
}

fn parse_files(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for file in files {
        let shown = file.display();
        let text = match read_input(file) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("error: the path \"{shown}\" cannot be read: {e}");
                ok = false;
                continue;
            }
        };
        match podplay_engine::api::parse(&text) {
            Ok(manifests) => print!("{}", render(&summarize(&manifests))),
            Err(e) => {
                eprintln!("error: error parsing {shown}: {e}");
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

fn read_input(file: &PathBuf) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(file)?;
    }
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
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
