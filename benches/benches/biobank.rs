//! Population-cohort sizes (issue #9): 3,000 assays × 10,000 samples by default, or
//! `NPXKIT_BENCH_SAMPLES=50000 cargo bench -p npxkit-benches --bench biobank` for the
//! 3,000 × 50,000 cohort (1.2 GB of values; criterion's 10 iterations take minutes).
//!
//! Each benchmark starts from the matrix in memory, so it measures the numerics that
//! `npxkit de`, `npxkit score` and `npxkit qc` run after loading (end-to-end timings
//! with parquet reading and peak memory are in docs/PERFORMANCE.md):
//! - `de_3_covariates`: lm_fit of `~ group + age + sex + batch` (no missing value, one
//!   QR shared by all assays), eBayes, topTable of the group;
//! - `zscore` / `ssgsea`: the Bindea-sized scores (24 sets of 20 assays), linear in the
//!   samples;
//! - `pca`: QC's PCA of the samples (randomized subspace iteration beyond 600 samples).
#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::{Array2, Axis};
use npxkit_core::{pca, AssayInfo, NpxMatrix, PcaOptions, SampleInfo};
use npxkit_gsva::{ssgsea, zscore, SsgseaOptions};
use npxkit_limma::{ebayes, lm_fit, top_table, AdjustMethod, EbayesOptions};
use std::time::Duration;

const ASSAYS: usize = 3000;

fn samples() -> usize {
    std::env::var("NPXKIT_BENCH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}

/// A deterministic 64-bit LCG stream of uniforms in (0, 1).
fn uniforms(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

/// NPX-like values: assay means around 5, a group effect on 5% of the assays, an age
/// effect and noise (Box–Muller).
fn values(n: usize, group: &[f64], age: &[f64]) -> Array2<f64> {
    let mut u = uniforms(7);
    let mut normal = move || (-2.0 * u().ln()).sqrt() * (std::f64::consts::TAU * u()).cos();
    let mut x = Array2::zeros((ASSAYS, n));
    for (i, mut row) in x.axis_iter_mut(Axis(0)).enumerate() {
        let base = 5.0 + (i % 17) as f64 * 0.3;
        let effect = if i % 20 == 0 { 0.4 } else { 0.0 };
        for (j, v) in row.iter_mut().enumerate() {
            *v = base + effect * group[j] + 0.01 * (age[j] - 60.0) + normal();
        }
    }
    x
}

fn biobank(c: &mut Criterion) {
    let n = samples();
    let group: Vec<f64> = (0..n).map(|j| (j % 2) as f64).collect();
    let age: Vec<f64> = (0..n).map(|j| 40.0 + (j * 7 % 41) as f64).collect();
    let sex: Vec<f64> = (0..n).map(|j| (j / 3 % 2) as f64).collect();
    let batch: Vec<f64> = (0..n).map(|j| (j * 5 / n) as f64 % 2.0).collect();
    let y = values(n, &group, &age);
    let design = Array2::from_shape_fn((n, 5), |(j, k)| match k {
        0 => 1.0,
        1 => group[j],
        2 => age[j],
        3 => sex[j],
        _ => batch[j],
    });
    let names: Vec<String> = ["(Intercept)", "group", "age", "sex", "batch"]
        .map(String::from)
        .to_vec();
    let sets: Vec<Vec<usize>> = (0..24)
        .map(|s| (0..20).map(|k| (s * 131 + k * 173) % ASSAYS).collect())
        .collect();

    let mut g = c.benchmark_group(format!("biobank_{ASSAYS}x{n}"));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.bench_function("de_3_covariates", |b| {
        b.iter(|| {
            let fit = lm_fit(y.view(), design.view(), &names).unwrap();
            let eb = ebayes(&fit.select_coefs(&[1]), &EbayesOptions::default()).unwrap();
            top_table(&eb, 0, AdjustMethod::BH, 0.95).unwrap()
        })
    });
    g.bench_function("zscore", |b| b.iter(|| zscore(y.view(), &sets).unwrap()));
    g.bench_function("ssgsea", |b| {
        b.iter(|| ssgsea(y.view(), &sets, &SsgseaOptions::default()).unwrap())
    });
    let m = NpxMatrix {
        values: y.clone(),
        assays: (0..ASSAYS)
            .map(|i| AssayInfo {
                olink_id: format!("OID{:05}", 20000 + i),
                uniprot: None,
                assay: None,
                panel: None,
                lod: f64::NAN,
                missing_fraction: 0.0,
                below_lod_fraction: 0.0,
            })
            .collect(),
        samples: (0..n)
            .map(|j| SampleInfo {
                sample_id: format!("S{j}"),
                plate_id: None,
                qc_status: None,
                manifest_row: None,
            })
            .collect(),
        manifest: None,
    };
    g.bench_function("pca", |b| {
        b.iter(|| pca(&m, &PcaOptions::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, biobank);
criterion_main!(benches);
