//! Differential expression on the trial-sized study: 5400 assays × 92 samples, paired
//! design `~ subject + timepoint`, ~0.4% NaN (assays with NaN refitted on their
//! observed samples): design → lm_fit → eBayes → topTable, from the QC'd matrix, as
//! `npxkit de` does it (only the tested coefficient is moderated).
#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use npxkit_core::{build_design, build_matrix, DesignSpec, QcOptions};
use npxkit_io::{read_npx, Manifest};
use npxkit_limma::{ebayes, lm_fit, top_table, AdjustMethod, EbayesOptions};

fn de(c: &mut Criterion) {
    let files = npxkit_benches::study_files(5400, 47);
    let manifest = Manifest::from_path(&files.samples).unwrap();
    let long = read_npx(&files.parquet).unwrap();
    let m = build_matrix(&long, Some(&manifest), &QcOptions::default())
        .unwrap()
        .matrix;
    let spec = DesignSpec {
        group: "timepoint".into(),
        pair: Some("subject".into()),
        covariates: vec![],
        contrasts: vec!["C2D1-C1D1".into()],
    };
    let mut group = c.benchmark_group("de_5400x92_paired");
    group.sample_size(20);
    for (name, trend) in [("ebayes", false), ("ebayes_trend", true)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let design = build_design(&m, &spec).unwrap();
                let coef = design.contrasts[0].coef.unwrap();
                let y = m.values.select(ndarray::Axis(1), &design.samples);
                let fit = lm_fit(y.view(), design.matrix.view(), &design.coef_names).unwrap();
                let opts = EbayesOptions {
                    trend,
                    ..EbayesOptions::default()
                };
                let eb = ebayes(&fit.select_coefs(&[coef]), &opts).unwrap();
                top_table(&eb, 0, AdjustMethod::BH, 0.95).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, de);
criterion_main!(benches);
