//! The virtual-time driver: an [`Engine`] and a [`Runtime`] in one loop, the clock jumping to
//! whichever is due next (an engine timer, a runtime result, a scenario step). Deterministic:
//! the same inputs and seed give the same trace, natively and in wasm.
//!
//! Start at [`Simulation::run_until`]. A step budget bounds every run; a run that exceeds it
//! stops with [`SimError::Runaway`] naming what kept it busy.

use std::collections::VecDeque;

use crate::lifecycle::trace::Record;
use crate::lifecycle::{ActionReply, Config, Engine, UserAction};
use crate::runtime::Runtime;
use crate::time::Time;

/// The most engine steps one run may take: a pod that restarts forever still needs only a few
/// per minute, so this bound is only ever reached by a bug or a pathological input.
pub const STEP_BUDGET: u64 = 5_000_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The run took more than [`STEP_BUDGET`] steps before reaching its end time.
    Runaway { at: Time, steps: u64 },
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::Runaway { at, steps } => write!(
                f,
                "the simulation ran away: {steps} steps without reaching the end (stopped at t={at})"
            ),
        }
    }
}

/// A user action scheduled at a virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at: Time,
    pub action: UserAction,
}

/// An engine and a runtime, driven in virtual time.
pub struct Simulation<R: Runtime> {
    pub engine: Engine,
    pub runtime: R,
    steps: VecDeque<Step>,
    trace: Vec<Record>,
    /// What the API server answered to each step, in order.
    pub replies: Vec<(Time, ActionReply)>,
}

impl<R: Runtime> Simulation<R> {
    pub fn new(config: Config, runtime: R) -> Self {
        Simulation {
            engine: Engine::new(config),
            runtime,
            steps: VecDeque::new(),
            trace: Vec::new(),
            replies: Vec::new(),
        }
    }

    /// Schedules user actions (sorted by time; equal times keep their order).
    pub fn schedule(&mut self, mut steps: Vec<Step>) {
        steps.extend(self.steps.drain(..));
        steps.sort_by_key(|s| s.at);
        self.steps = steps.into();
    }

    /// Runs until `end` (inclusive), or until nothing more can happen. At equal times, runtime
    /// results come first, then the engine's timers, then user steps.
    pub fn run_until(&mut self, end: Time) -> Result<(), SimError> {
        let mut steps_taken = 0u64;
        loop {
            self.flush_commands();
            let (timer, ready, step) = (
                self.engine.next_timer(),
                self.runtime.next_ready(),
                self.steps.front().map(|s| s.at),
            );
            let next = [timer, ready, step].into_iter().flatten().min();
            let Some(next) = next.filter(|t| *t <= end) else {
                break;
            };
            if ready == Some(next) {
                if let Some((at, result)) = self.runtime.poll(next) {
                    self.engine.on_runtime(at, result);
                }
            } else if timer == Some(next) {
                self.engine.advance_to(next);
            } else if let Some(step) = self.steps.pop_front() {
                self.engine.advance_to(step.at);
                self.collect();
                let reply = self.engine.act(step.action);
                self.replies.push((step.at, reply));
            }
            self.collect();
            steps_taken += 1;
            if steps_taken > STEP_BUDGET {
                return Err(SimError::Runaway {
                    at: self.engine.now(),
                    steps: steps_taken,
                });
            }
        }
        self.engine.advance_to(end.max(self.engine.now()));
        self.collect();
        Ok(())
    }

    /// Whether nothing can happen any more without a user acting.
    pub fn is_quiet(&self) -> bool {
        self.engine.is_idle() && self.runtime.next_ready().is_none() && self.steps.is_empty()
    }

    /// The trace so far.
    pub fn trace(&self) -> &[Record] {
        &self.trace
    }

    fn flush_commands(&mut self) {
        let now = self.engine.now();
        for (op, command) in self.engine.take_commands() {
            self.runtime.submit(now, op, command);
        }
    }

    fn collect(&mut self) {
        self.trace.extend(self.engine.take_trace());
    }
}
