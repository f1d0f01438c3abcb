//! The engine as a whole: Events aggregate (count, first, last), runs are deterministic and
//! independent, and bad input never panics or hangs.

#[path = "support/lifecycle.rs"]
mod support;

use podplay_engine::lifecycle::trace::Record;
use podplay_engine::runtime::scripted::ScriptedRuntime;
use podplay_engine::time::Time;
use support::*;

const CRASH: &str = "
apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  containers:
  - {name: app, image: 'busybox:1.36', command: [sh, -c, 'sleep 1; exit 1']}
";

fn jsonl(yaml: &str) -> String {
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(yaml, rt);
    s.schedule(vec![at(100, delete("crash", Some(3)))]);
    run(&mut s, 200);
    s.trace()
        .iter()
        .map(Record::to_json_line)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_aggregated_back_off_event_counts_up_and_keeps_its_first_time() {
    let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
    let mut s = sim(CRASH, rt);
    run(&mut s, 120);
    let backoff = s
        .engine
        .events()
        .iter()
        .find(|e| e.reason == "BackOff")
        .expect("the container backs off");
    assert!(backoff.count >= 3, "{backoff:?}");
    assert!(backoff.first < backoff.last);
    assert_eq!(backoff.type_, "Warning");
    assert_eq!(backoff.field_path, "spec.containers{app}");
    let counts: Vec<u32> = s
        .trace()
        .iter()
        .filter_map(|r| match r {
            Record::Event { event, .. } if event.reason == "BackOff" => Some(event.count),
            _ => None,
        })
        .collect();
    assert_eq!(counts, (1..=backoff.count).collect::<Vec<_>>());
}

#[test]
fn the_same_seed_gives_a_byte_identical_trace_and_runs_share_nothing() {
    let first = jsonl(CRASH);
    let _other = jsonl(
        "
apiVersion: v1
kind: Pod
metadata: {name: other}
spec:
  containers:
  - {name: app, image: 'nginx:1.27'}
",
    );
    assert_eq!(first, jsonl(CRASH));
    assert!(first.contains("\"kind\":\"PodDeleted\""));
}

#[test]
fn a_pathological_pod_is_refused_or_runs_but_never_hangs() {
    let yamls = [
        // No image: the API server refuses it.
        "
apiVersion: v1
kind: Pod
metadata: {name: noimage}
spec:
  containers:
  - {name: app}
",
        // Zero periods, named ports nobody declares, a preStop on a container that exits.
        "
apiVersion: v1
kind: Pod
metadata: {name: weird}
spec:
  terminationGracePeriodSeconds: 0
  activeDeadlineSeconds: 5
  containers:
  - name: app
    image: 'busybox:1.36'
    command: [sh, -c, 'exit 1']
    livenessProbe: {httpGet: {port: nope}, periodSeconds: 0, failureThreshold: 0}
    startupProbe: {tcpSocket: {port: nope}, periodSeconds: 0}
    lifecycle:
      preStop: {sleep: {seconds: 1000}}
      postStart: {httpGet: {port: nope}}
",
    ];
    for yaml in yamls {
        let rt = ScriptedRuntime::default().with_image("busybox:1.36", 2_200_000);
        let mut s = sim(yaml, rt);
        s.run_until(Time::from_secs(3600))
            .expect("bounded by the step budget and finished well within it");
    }
}
