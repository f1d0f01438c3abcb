//! The real-time driver: the same loop as the engine's virtual-time [`podplay_engine::sim`], with
//! the wall clock as the clock. The driver reads the clock (the engine never does); the engine
//! gets it as an input like any other. Between events the driver sleeps until whichever comes
//! first: the engine's next timer, the runtime's next result, the next scenario step, the end of
//! the run, or an interrupt (Ctrl-C).
//!
//! Start at [`RealTime::run_until`]. Generic over [`RealTimeRuntime`], the [`Runtime`]s whose
//! results arrive on their own ([`Runtime::next_ready`] is `None`) and can be waited for.
//! With `PODPLAY_DEBUG` set, every command and result is written to stderr as it passes.

use std::collections::VecDeque;
use std::future::Future;
use std::time::Duration;

use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{ActionReply, Config, Engine};
use podplay_engine::runtime::Runtime;
use podplay_engine::scenario::Scenario;
use podplay_engine::sim::{SimError, Step, STEP_BUDGET};
use podplay_engine::time::Time;
use tokio::time::Instant;

use crate::runtime::DockerRuntime;

/// A runtime over a real engine: results arrive in real time and can be waited for.
pub trait RealTimeRuntime: Runtime {
    /// Resolves once [`Runtime::poll`] has a result. Must be cancel-safe: the driver drops it
    /// when a timer comes first.
    fn wait(&mut self) -> impl Future<Output = ()>;
    /// Whether nothing more will come without a command (nothing in flight, nothing running).
    fn is_quiet(&self) -> bool;
}

impl RealTimeRuntime for DockerRuntime {
    fn wait(&mut self) -> impl Future<Output = ()> {
        DockerRuntime::wait(self)
    }

    fn is_quiet(&self) -> bool {
        DockerRuntime::is_quiet(self)
    }
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Nothing more could happen without a user acting (at this time).
    Quiet(Time),
    /// The end time came.
    Deadline(Time),
    /// The interrupt (Ctrl-C) came first.
    Interrupted(Time),
}

impl Ended {
    pub fn at(self) -> Time {
        match self {
            Ended::Quiet(t) | Ended::Deadline(t) | Ended::Interrupted(t) => t,
        }
    }
}

/// An engine and a runtime, driven in real time.
pub struct RealTime<R: RealTimeRuntime> {
    pub engine: Engine,
    pub runtime: R,
    steps: VecDeque<Step>,
    trace: Vec<Record>,
    /// What the API server answered to each step, in order.
    pub replies: Vec<(Time, ActionReply)>,
    start: Option<Instant>,
    /// `PODPLAY_DEBUG` is set: every command and result goes to stderr as it passes.
    debug: bool,
}

impl<R: RealTimeRuntime> RealTime<R> {
    pub fn new(config: Config, runtime: R) -> Self {
        RealTime {
            engine: Engine::new(config),
            runtime,
            steps: VecDeque::new(),
            trace: Vec::new(),
            replies: Vec::new(),
            start: None,
            debug: std::env::var_os("PODPLAY_DEBUG").is_some(),
        }
    }

    /// A run of `scenario` over `runtime`, every step scheduled, nothing run yet.
    pub fn of_scenario(scenario: &Scenario, config: Config, runtime: R) -> Self {
        let mut driver = RealTime::new(config, runtime);
        driver.schedule(scenario.schedule());
        driver
    }

    /// Schedules user actions (sorted by time; equal times keep their order).
    pub fn schedule(&mut self, mut steps: Vec<Step>) {
        steps.extend(self.steps.drain(..));
        steps.sort_by_key(|s| s.at);
        self.steps = steps.into();
    }

    /// The trace so far.
    pub fn trace(&self) -> &[Record] {
        &self.trace
    }

    /// Runs until `end` (t=0 is the first call's start), until nothing more can happen, or
    /// until `interrupt` resolves. At one reading of the clock, runtime results go in first,
    /// then the engine's due timers, then due user steps.
    pub async fn run_until(
        &mut self,
        end: Time,
        interrupt: impl Future<Output = ()>,
    ) -> Result<Ended, SimError> {
        let start = *self.start.get_or_insert_with(Instant::now);
        tokio::pin!(interrupt);
        let mut steps_taken = 0u64;
        loop {
            let now = self.now(start);
            while let Some((at, result)) = self.runtime.poll(now) {
                if self.debug {
                    eprintln!("{now} <- {result:?}");
                }
                self.engine.on_runtime(at.max(self.engine.now()), result);
            }
            self.engine.advance_to(now.min(end));
            while self.steps.front().is_some_and(|s| s.at <= now) {
                let Some(step) = self.steps.pop_front() else {
                    break;
                };
                self.collect();
                let reply = self.engine.act(step.action);
                self.replies.push((now, reply));
            }
            self.collect();
            self.flush_commands();
            if now >= end {
                return Ok(Ended::Deadline(end));
            }
            if self.engine.is_idle() && self.steps.is_empty() && self.runtime.is_quiet() {
                return Ok(Ended::Quiet(now));
            }
            let next = [
                self.engine.next_timer(),
                self.steps.front().map(|s| s.at),
                Some(end),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(end);
            let deadline = start + Duration::from_millis(next.as_millis());
            tokio::select! {
                biased;
                _ = &mut interrupt => return Ok(Ended::Interrupted(self.now(start))),
                _ = self.runtime.wait() => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
            steps_taken += 1;
            if steps_taken > STEP_BUDGET {
                return Err(SimError::Runaway {
                    at: self.engine.now(),
                    steps: steps_taken,
                });
            }
        }
    }

    /// The wall clock since the start, never behind the engine's clock.
    fn now(&self, start: Instant) -> Time {
        let elapsed = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
        Time::from_millis(elapsed).max(self.engine.now())
    }

    fn flush_commands(&mut self) {
        let now = self.engine.now();
        for (op, command) in self.engine.take_commands() {
            if self.debug {
                eprintln!("{now} -> {op:?} {command:?}");
            }
            self.runtime.submit(now, op, command);
        }
    }

    fn collect(&mut self) {
        self.trace.extend(self.engine.take_trace());
    }
}
