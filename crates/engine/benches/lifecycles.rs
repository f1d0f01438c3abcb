//! Full pod lifecycles per second (create → Running → delete → gone), native. Placeholder until
//! the benchmark is written.
use criterion::{criterion_group, criterion_main, Criterion};

fn lifecycles(c: &mut Criterion) {
    c.bench_function("noop", |b| b.iter(|| 1 + 1));
}

criterion_group!(benches, lifecycles);
criterion_main!(benches);
