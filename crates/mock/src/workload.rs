//! The N-pod workload that podplay's benchmarks measure, natively (`examples/bench_pods.rs`) and
//! in the browser (`tests/bench_pods.rs` at the root, in headless Chromium): N busybox pods, each
//! one container (`sleep 3600`, or a shell loop forking a `sleep` every second), all applied at
//! t=0, all deleted at 30 s, the run going on to 120 s, on the mock runtime — the path
//! `podplay run` takes, without reading a file. One definition, so the two figures measure the
//! same thing.

use std::collections::BTreeSet;

use podplay_engine::api::{parse, Manifest};
use podplay_engine::lifecycle::trace::Record;
use podplay_engine::lifecycle::{Config, UserAction};
use podplay_engine::sim::{Simulation, Step};
use podplay_engine::time::Time;

use crate::MockRuntime;

/// When the pods are deleted and when the run ends.
pub const DELETE_AT_S: u64 = 30;
pub const END_S: u64 = 120;

/// What each pod's container runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `sleep 3600`: one process per pod, idle from its start to its deletion.
    Sleep,
    /// `sh -c 'while true; do sleep 1; done'`: a shell forking a `sleep` every second.
    Loop,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sleep => "sleep",
            Kind::Loop => "loop",
        }
    }

    fn command(self) -> &'static str {
        match self {
            Kind::Sleep => r#"["sleep", "3600"]"#,
            Kind::Loop => r#"["sh", "-c", "while true; do sleep 1; done"]"#,
        }
    }

    /// How a quotable line names the pods.
    pub fn shape(self) -> &'static str {
        match self {
            Kind::Sleep => "busybox `sleep 3600`",
            Kind::Loop => "busybox `while true; do sleep 1; done`",
        }
    }
}

/// `pods` pods of `kind`, applied at t=0 and deleted at [`DELETE_AT_S`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workload {
    pub kind: Kind,
    pub pods: usize,
}

impl Workload {
    /// The manifests, parsed: a benchmark parses before its clock starts.
    pub fn manifests(&self) -> Vec<Manifest> {
        (0..self.pods)
            .flat_map(|i| parse(&self.pod(i)).expect("the workload's pod parses"))
            .collect()
    }

    fn pod(&self, i: usize) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n  \
             - {{name: c, image: busybox:1.36, command: {}}}\n",
            self.kind.command()
        )
    }

    /// The apply at t=0 and one delete per pod at [`DELETE_AT_S`].
    pub fn steps(&self, manifests: Vec<Manifest>) -> Vec<Step> {
        let mut steps = vec![Step {
            at: Time::ZERO,
            action: UserAction::Apply(manifests),
        }];
        steps.extend((0..self.pods).map(|i| Step {
            at: Time::from_secs(DELETE_AT_S),
            action: UserAction::Delete {
                namespace: "default".into(),
                name: format!("p{i}"),
                grace_period_s: None,
            },
        }));
        steps
    }

    /// Runs the workload from parsed manifests to [`END_S`] on the mock runtime.
    pub fn run(&self, manifests: Vec<Manifest>) -> Result<Simulation<MockRuntime>, String> {
        let config = Config::default();
        let seed = config.seed;
        let mut sim = Simulation::new(config, MockRuntime::new(seed));
        sim.schedule(self.steps(manifests));
        sim.run_until(Time::from_secs(END_S))
            .map_err(|e| e.to_string())?;
        Ok(sim)
    }

    /// That every pod reached Running before its deletion and then left the API: a benchmark
    /// whose pods did not live their lives measured nothing.
    pub fn check(&self, sim: &Simulation<MockRuntime>) -> Result<(), String> {
        let running = sim
            .trace()
            .iter()
            .filter_map(|r| match r {
                Record::Pod { t, pod } if *t < Time::from_secs(DELETE_AT_S) => pod
                    .status
                    .as_ref()
                    .and_then(|s| s.phase.as_deref())
                    .filter(|phase| *phase == "Running")
                    .and(pod.metadata.name.as_deref()),
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .len();
        let gone = sim
            .trace()
            .iter()
            .filter(|r| matches!(r, Record::PodDeleted { .. }))
            .count();
        if running != self.pods || gone != self.pods {
            return Err(format!(
                "{} pods: {running} reached Running, {gone} left the API",
                self.pods
            ));
        }
        Ok(())
    }
}
