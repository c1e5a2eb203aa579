//! GSVA (method gsva, Gaussian kernel) on simulated N(0, 1) data: 3,700 genes
//! (about the complete assays of a 5,400-assay Explore HT study) × 100 and
//! 1,000 samples, 24 sets of 20 genes (Bindea-sized). Compat mode (GSVA 1.46's
//! table, all-pairs sum, bit-identical to R) and exact mode (from 64 samples
//! the kernel-CDF series of `npxkit_gsva::kcdf`, O(samples) per gene).
//! Compat mode at 1,000 samples and 10,000 samples (one-off):
//! `cargo run --release -p npxkit-gsva --example gsva_timing -- 3700 10000 24 exact`
//! (modes `compat`, `exact`, `exact-allpairs`); R on the same sizes:
//! `Rscript benches/compare/gsva_sim.R 3700 1000 24`.
#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use npxkit_gsva::{gsva, kernel_cdf_exact, ExactSum, GsvaOptions, KcdfMode};
use std::time::Duration;

const GENES: usize = 3700;
const SETS: usize = 24;
const SET_SIZE: usize = 20;

/// N(0, 1) values by Box–Muller from a 64-bit LCG (deterministic).
fn simulate(genes: usize, samples: usize, seed: u64) -> Array2<f64> {
    let mut s = seed;
    let mut u = move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    Array2::from_shape_simple_fn((genes, samples), || {
        (-2.0 * u().ln()).sqrt() * (std::f64::consts::TAU * u()).cos()
    })
}

fn sets(genes: usize) -> Vec<Vec<usize>> {
    (0..SETS)
        .map(|s| (0..SET_SIZE).map(|k| (s * 131 + k * 173) % genes).collect())
        .collect()
}

fn bench_gsva(c: &mut Criterion) {
    let sets = sets(GENES);
    let compat = GsvaOptions::default();
    let exact = GsvaOptions {
        kcdf_mode: KcdfMode::Exact,
        ..GsvaOptions::default()
    };
    for samples in [100, 1000] {
        let x = simulate(GENES, samples, 42);
        let mut group = c.benchmark_group(format!("gsva_{GENES}x{samples}_{SETS}sets"));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(10));
        group.bench_function("exact_series", |b| {
            b.iter(|| gsva(x.view(), &sets, &exact).unwrap())
        });
        // compat at 1,000 samples is the all-pairs sum (about 17 s a run on 2
        // cores): measured once with the gsva_timing example instead.
        if samples <= 100 {
            group.bench_function("compat", |b| {
                b.iter(|| gsva(x.view(), &sets, &compat).unwrap())
            });
        }
        group.finish();
    }
}

/// The kernel-CDF step alone, exact mode: all-pairs sum against the series.
fn bench_kcdf(c: &mut Criterion) {
    let x = simulate(200, 1000, 7);
    let mut group = c.benchmark_group("kcdf_exact_200x1000");
    group.sample_size(10);
    group.bench_function("all_pairs", |b| {
        b.iter(|| kernel_cdf_exact(x.view(), ExactSum::AllPairs))
    });
    group.bench_function("series", |b| {
        b.iter(|| kernel_cdf_exact(x.view(), ExactSum::Series))
    });
    group.finish();
}

criterion_group!(benches, bench_gsva, bench_kcdf);
criterion_main!(benches);
