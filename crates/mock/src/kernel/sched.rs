//! The scheduler's queues: which processes the [`super::Machine`] polls next, found without
//! looking at the processes that cannot run.
//!
//! A parked process is in exactly one of three places: the ready set (it runs in the next
//! round), the timer queue `(time, pid)` (it runs when the clock gets there), or the waiter
//! sets of the [`Key`]s it waits on (it runs when one of them changes), possibly with a timer as
//! well. A round polls its processes in ascending pid order; what becomes runnable during a round
//! runs in the next one. Start at [`Sched::begin_round`].
//!
//! The rounds are the same as when every waiting process was looked at after every change (the
//! kernel before this queue): a process waiting on a change ran in the round after *any* change.
//! Here it runs only when something it waits on changed; the polls left out are the ones that
//! found nothing new and parked again. One case needs care to keep the order of events: a
//! process that the old rule would have put in this round (something changed since it parked)
//! and that a lower pid now wakes for real still runs in this round, after that pid, as it did
//! (see [`Sched::wake`]).

use std::collections::{BTreeMap, BTreeSet};

use podplay_engine::time::Time;

use super::{Pid, PodId, StreamId};

/// What a parked process waits on. Every wait also waits on its own [`Key::Proc`] (signals,
/// children).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// Any change at all: [`super::Ctx::wait_change`], for programs that wait on something the
    /// kernel cannot name.
    Any,
    /// A process: a handled signal arrives or is taken, a child ends, its program changes.
    Proc(Pid),
    /// A pipe or one direction of a connection: bytes come or go, an end opens or closes.
    Stream(StreamId),
    /// A listening socket: a connection arrives, or the socket closes.
    Listener(PodId, u16),
}

/// A parked process's registrations, so that waking it removes them all.
#[derive(Debug)]
struct Parked {
    keys: Vec<Key>,
    timer: Option<Time>,
    /// The kernel's change count when it parked (see [`Sched::wake`]).
    generation: u64,
}

/// The run queues. See the module documentation.
#[derive(Debug, Default)]
pub struct Sched {
    /// Counts the changes a parked process may be waiting for.
    pub(super) generation: u64,
    /// `generation` when the current round began.
    round_generation: u64,
    /// The process being polled, during a round.
    polling: Option<Pid>,
    /// The process being polled made a change after it parked: it runs again next round.
    self_woken: bool,
    /// The rest of the current round.
    round: BTreeSet<Pid>,
    /// The next round.
    ready: BTreeSet<Pid>,
    timers: BTreeSet<(Time, Pid)>,
    waiters: BTreeMap<Key, BTreeSet<Pid>>,
    parked: BTreeMap<Pid, Parked>,
    /// Keys changed since the last [`Sched::changed`].
    dirty: BTreeSet<Key>,
    /// Processes that ended: the machine drops their futures.
    pub(super) dead: Vec<Pid>,
    /// Processes woken by a change (not by the clock), since the machine was made: what the
    /// tests count to see that a change wakes only its own waiters.
    pub(super) wakeups: u64,
}

impl Sched {
    /// Something `key` names changed; its waiters run after the next [`Sched::changed`].
    pub(super) fn touch(&mut self, key: Key) {
        self.dirty.insert(key);
    }

    /// A change happened: the waiters of every touched key (and of [`Key::Any`]) become
    /// runnable. `polling_parked`: the process being polled has already parked for a change in
    /// this poll, so it runs again next round (its own change may be what it waits for).
    pub(super) fn changed(&mut self, polling_parked: bool) {
        self.generation += 1;
        if polling_parked {
            self.self_woken = true;
        }
        let mut keys = std::mem::take(&mut self.dirty);
        keys.insert(Key::Any);
        for key in keys {
            for pid in self.waiters.remove(&key).unwrap_or_default() {
                self.wakeups += 1;
                self.wake(pid);
            }
        }
    }

    /// Makes a parked process runnable. It runs in this round when the rule it replaces would
    /// have polled it here: something had changed since it parked when the round began, and the
    /// round has not reached its pid yet. Otherwise it runs in the next round.
    fn wake(&mut self, pid: Pid) {
        let Some(parked) = self.unpark(pid) else {
            return;
        };
        let this_round = parked.generation < self.round_generation
            && self.polling.is_some_and(|current| pid > current);
        if this_round {
            self.round.insert(pid);
        } else {
            self.ready.insert(pid);
        }
    }

    /// Removes every registration of `pid`.
    fn unpark(&mut self, pid: Pid) -> Option<Parked> {
        let parked = self.parked.remove(&pid)?;
        for key in &parked.keys {
            if let Some(set) = self.waiters.get_mut(key) {
                set.remove(&pid);
                if set.is_empty() {
                    self.waiters.remove(key);
                }
            }
        }
        if let Some(t) = parked.timer {
            self.timers.remove(&(t, pid));
        }
        Some(parked)
    }

    /// A new process, or one that yielded: it runs next round.
    pub(super) fn make_ready(&mut self, pid: Pid) {
        self.unpark(pid);
        self.ready.insert(pid);
    }

    /// Parks `pid` after its poll: until `timer`, and, with `generation`, until one of `keys`
    /// changes. With neither it runs next round.
    pub(super) fn park(
        &mut self,
        pid: Pid,
        now: Time,
        keys: Vec<Key>,
        timer: Option<Time>,
        generation: Option<u64>,
    ) {
        if std::mem::take(&mut self.self_woken) || timer.is_some_and(|t| t <= now) {
            return self.make_ready(pid);
        }
        let (keys, generation) = match generation {
            Some(g) => (keys, g),
            None if timer.is_some() => (Vec::new(), u64::MAX),
            None => return self.make_ready(pid),
        };
        for key in &keys {
            self.waiters.entry(*key).or_default().insert(pid);
        }
        if let Some(t) = timer {
            self.timers.insert((t, pid));
        }
        self.parked.insert(
            pid,
            Parked {
                keys,
                timer,
                generation,
            },
        );
    }

    /// A process ended: it never runs again.
    pub(super) fn forget(&mut self, pid: Pid) {
        self.unpark(pid);
        self.ready.remove(&pid);
        self.round.remove(&pid);
        self.dead.push(pid);
    }

    /// Starts a round at `now`: the ready set and the timers due. False when nothing can run.
    pub(super) fn begin_round(&mut self, now: Time) -> bool {
        self.round = std::mem::take(&mut self.ready);
        while let Some(&(t, pid)) = self.timers.first() {
            if t > now {
                break;
            }
            self.unpark(pid);
            self.round.insert(pid);
        }
        self.round_generation = self.generation;
        !self.round.is_empty()
    }

    /// The next process of this round, lowest pid first; it counts as being polled until the
    /// next call.
    pub(super) fn next_in_round(&mut self) -> Option<Pid> {
        self.self_woken = false;
        self.polling = self.round.pop_first();
        if let Some(pid) = self.polling {
            self.unpark(pid);
        }
        self.polling
    }

    /// The process being polled, if a round is under way.
    pub(super) fn polling(&self) -> Option<Pid> {
        self.polling
    }

    /// When a process next runs: now if one is ready, else its timer.
    pub(super) fn next_wake(&self, now: Time) -> Option<Time> {
        if !self.ready.is_empty() || !self.round.is_empty() {
            return Some(now);
        }
        self.timers.first().map(|(t, _)| *t)
    }
}
