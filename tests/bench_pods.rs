//! The N-pod benchmark in the browser: the workload of `podplay_mock::workload` (N busybox pods
//! applied at t=0, deleted at 30 s, run to 120 s on the mock runtime) in headless Chromium, as a
//! release build, so that it compares with the native figures of `examples/bench_pods.rs`.
//! `scripts/bench` runs it (`--nocapture` shows the lines); `scripts/test` does not, and native
//! builds skip this file.
//!
//! It prints one quotable line per size:
//! `N pods on the mock (wasm, Chromium): S s, R lifecycles/s, wasm memory M MB (K KB/pod)`.
//! The memory is the wasm instance's linear memory, which only grows: it is the peak so far,
//! and a size's KB per pod is printed only where that size raised it. A run of 100 pods first,
//! untimed, lets the browser tier its compiled code up as a page that has been open a moment
//! would have. Sizes come from `PODPLAY_BENCH_PODS` at build time
//! (`sleep:1000,sleep:4000,loop:1000`), else 1,000, 4,000 and 16,000 sleeping pods.
#![cfg(target_arch = "wasm32")]

use podplay_mock::workload::{Kind, Workload};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as f64
}

fn workloads() -> Vec<Workload> {
    let spec = option_env!("PODPLAY_BENCH_PODS").unwrap_or("sleep:1000,sleep:4000,sleep:16000");
    spec.split(',')
        .filter_map(|job| {
            let (kind, pods) = job.trim().split_once(':')?;
            let kind = if kind == "loop" {
                Kind::Loop
            } else {
                Kind::Sleep
            };
            Some(Workload {
                kind,
                pods: pods.replace('_', "").parse().ok()?,
            })
        })
        .collect()
}

#[wasm_bindgen_test]
fn n_pods_on_the_mock_in_the_browser() {
    let warm_up = Workload {
        kind: Kind::Sleep,
        pods: 100,
    };
    warm_up.run(warm_up.manifests()).expect("the warm-up runs");
    for workload in workloads() {
        let before = memory_bytes();
        let manifests = workload.manifests();
        let start = now_ms();
        let sim = workload.run(manifests).expect("the workload runs");
        let seconds = (now_ms() - start) / 1000.0;
        workload.check(&sim).expect("every pod lived its life");
        drop(sim);
        let memory = memory_bytes();
        let pods = workload.pods as f64;
        let per_pod = if memory > before {
            format!("{:.1} KB/pod", memory / 1024.0 / pods)
        } else {
            "peak of an earlier size".to_string()
        };
        console_log!(
            "{} pods on the mock (wasm, Chromium): {seconds:.2} s, {:.0} lifecycles/s, wasm memory {:.0} MB ({per_pod}) [{}]",
            workload.pods,
            pods / seconds,
            memory / 1048576.0,
            workload.kind.shape(),
        );
    }
}
