//! One whole run of a scenario on Docker, as `podplay run --runtime docker` and the tests do it:
//! refuse host access unless allowed, connect, run in real time until the end, quiet or an
//! interrupt, and always clean up (containers by the run's label, the run's directory).
//!
//! Start at [`run_scenario`]; [`run_scenario_blocking`] is the same on its own tokio runtime,
//! with Ctrl-C as the interrupt.

use std::future::Future;

use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{ActionReply, Config, Engine};
use podplay_engine::scenario::Scenario;
use podplay_engine::sim::SimError;
use podplay_engine::time::Time;

use crate::driver::{Ended, RealTime};
use crate::runtime::{ConnectError, DockerRuntime, Options};
use crate::safety::{host_access, HostAccess};

/// A finished run: the engine (for the end views), its trace and replies, how it ended, and
/// whether the cleanup removed everything.
pub struct Finished {
    pub engine: Engine,
    pub trace: Vec<Record>,
    pub replies: Vec<(Time, ActionReply)>,
    pub ended: Ended,
    /// `Err` names what could not be removed (`podplay docker gc` will).
    pub cleanup: Result<(), String>,
    /// The run's label value.
    pub run_id: String,
}

/// Why a run did not happen, or stopped early.
#[derive(Debug)]
pub enum RunError {
    /// The scenario's pods reach the host and `--allow-host-access` was not given.
    HostAccess(Vec<HostAccess>),
    Connect(ConnectError),
    /// tokio could not start (only from [`run_scenario_blocking`]).
    Tokio(std::io::Error),
    /// The run ran away (the cleanup has been done).
    Runaway(SimError),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::HostAccess(found) => {
                for (i, a) in found.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{a}")?;
                }
                Ok(())
            }
            RunError::Connect(e) => write!(f, "{e}"),
            RunError::Tokio(e) => write!(f, "cannot start the async runtime: {e}"),
            RunError::Runaway(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs `scenario` on Docker until `end`, until nothing more can happen, or until `interrupt`.
pub async fn run_scenario(
    scenario: &Scenario,
    config: Config,
    options: Options,
    end: Time,
    interrupt: impl Future<Output = ()>,
) -> Result<Finished, RunError> {
    if !options.allow_host_access {
        let found = host_access(scenario);
        if !found.is_empty() {
            return Err(RunError::HostAccess(found));
        }
    }
    let runtime = DockerRuntime::connect(options)
        .await
        .map_err(RunError::Connect)?;
    let run_id = runtime.run_id().to_string();
    let mut driver = RealTime::of_scenario(scenario, config, runtime);
    let result = driver.run_until(end, interrupt).await;
    let cleanup = driver.runtime.cleanup().await;
    let ended = result.map_err(RunError::Runaway)?;
    let trace = driver.trace().to_vec();
    Ok(Finished {
        engine: driver.engine,
        trace,
        replies: driver.replies,
        ended,
        cleanup,
        run_id,
    })
}

/// [`run_scenario`] on a current-thread tokio runtime, interrupted by Ctrl-C (SIGINT) or
/// SIGTERM (`timeout`, `kill`), so either still ends in the cleanup.
pub fn run_scenario_blocking(
    scenario: &Scenario,
    config: Config,
    options: Options,
    end: Time,
) -> Result<Finished, RunError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Tokio)?;
    rt.block_on(async { run_scenario(scenario, config, options, end, interrupted()).await })
}

/// Resolves at SIGINT or SIGTERM; never where signals cannot be caught.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                r = tokio::signal::ctrl_c() => if r.is_err() { std::future::pending::<()>().await },
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// `podplay docker gc` on its own tokio runtime.
pub fn gc_blocking(state_dir: &std::path::Path) -> Result<crate::gc::Collected, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(async {
        let docker = crate::runtime::connect_docker()
            .await
            .map_err(|e| e.to_string())?;
        crate::gc::collect(&docker, state_dir).await
    })
}
