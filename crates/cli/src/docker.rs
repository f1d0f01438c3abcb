//! The Docker side of the command line (feature `docker`): `podplay run --runtime docker`,
//! `podplay compare` and `podplay docker gc`. Thin: podplay-docker runs, the engine's views print.

use std::path::Path;
use std::process::ExitCode;

use podplay_docker::conformance::{compare, normalize, Tolerance};
use podplay_docker::session::{gc_blocking, run_scenario_blocking, Finished};
use podplay_docker::{Ended, Options};
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::Config;
use podplay_engine::scenario::Scenario;
use podplay_engine::time::Time;

use crate::run::{fail, render, Outcome, Output, RunOptions};
use crate::{input, output};

/// The exit status of a run stopped by Ctrl-C (128 + SIGINT), as shells report it.
const INTERRUPTED: u8 = 130;

fn docker_options(allow_host_access: bool) -> Options {
    Options {
        allow_host_access,
        ..Options::default()
    }
}

/// Runs on Docker, then prints the same views as the simulation.
pub fn run(
    scenario: &Scenario,
    config: Config,
    options: &RunOptions,
    end: Time,
    output: Output,
) -> ExitCode {
    let finished = match run_scenario_blocking(
        scenario,
        config,
        docker_options(options.allow_host_access),
        end,
    ) {
        Ok(f) => f,
        Err(e) => return fail(&e.to_string()),
    };
    let code = render(&outcome(&finished, end), output);
    finish(&finished, code)
}

fn outcome(f: &Finished, end: Time) -> Outcome<'_> {
    Outcome {
        engine: &f.engine,
        trace: &f.trace,
        replies: &f.replies,
        quiet_at: match f.ended {
            Ended::Quiet(t) | Ended::Interrupted(t) => Some(t),
            Ended::Deadline(_) => None,
        },
        end,
    }
}

/// Reports an interrupt or an incomplete cleanup; the exit status says so.
fn finish(f: &Finished, code: ExitCode) -> ExitCode {
    if let Err(e) = &f.cleanup {
        output::err(&format!(
            "warning: not everything of run {} was removed ({e}); `podplay docker gc` removes it",
            f.run_id
        ));
    }
    if let Ended::Interrupted(_) = f.ended {
        output::err("interrupted: every container and directory of the run was removed");
        return ExitCode::from(INTERRUPTED);
    }
    code
}

/// `podplay compare FILE`: the scenario on the mock runtime and on Docker, normalized, and
/// where they differ. Exit 0 when they agree, 1 when they differ.
pub fn compare_file(
    file: &Path,
    for_: Option<Time>,
    seed: u64,
    allow_host_access: bool,
) -> ExitCode {
    let source = input::source_name(file);
    let text = match input::read(file) {
        Ok(text) => text,
        Err(e) => return fail(&e),
    };
    let scenario = match Scenario::parse(&text) {
        Ok(s) => s,
        Err(e) => return fail(&format!("error parsing {source}: {e}")),
    };
    let end = for_.unwrap_or_else(|| scenario.run_for());
    let config = Config {
        seed,
        ..Default::default()
    };
    let mut sim = scenario.simulation(config.clone(), podplay_mock::MockRuntime::new(seed));
    if let Err(e) = sim.run_until(end) {
        return fail(&format!("on the mock runtime: {e}"));
    }
    let finished =
        match run_scenario_blocking(&scenario, config, docker_options(allow_host_access), end) {
            Ok(f) => f,
            Err(e) => return fail(&e.to_string()),
        };
    let differences = differences(sim.trace(), &finished.trace);
    if differences.is_empty() {
        output::out(&format!(
            "{source}: the mock runtime and Docker agree (timing within {})\n",
            Tolerance::default()
        ));
        finish(&finished, ExitCode::SUCCESS)
    } else {
        let mut out = format!("{source}: the mock runtime and Docker differ:\n");
        for d in &differences {
            out.push_str(&format!("  {d}\n"));
        }
        output::out(&out);
        finish(&finished, ExitCode::FAILURE)
    }
}

fn differences(mock: &[Record], docker: &[Record]) -> Vec<String> {
    compare(&normalize(mock), &normalize(docker), Tolerance::default())
}

/// `podplay docker gc`: removes every container podplay left on the engine (by its run label)
/// and every run directory.
pub fn gc() -> ExitCode {
    let state_dir = podplay_docker::runtime::default_state_dir();
    match gc_blocking(&state_dir) {
        Ok(c) => {
            output::out(&format!(
                "removed {} container(s) and {} run director{} under {}\n",
                c.containers,
                c.directories,
                if c.directories == 1 { "y" } else { "ies" },
                state_dir.display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}
