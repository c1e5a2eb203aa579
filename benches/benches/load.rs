//! Loading a 5400-assay × 92-sample study (plus plate controls) into `NpxMatrix`:
//! read + detect + parse + QC + pivot, from long CSV and from parquet.
#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion};
use npxkit_core::{build_matrix, QcOptions};
use npxkit_io::{read_npx, Manifest};

fn load(c: &mut Criterion) {
    // 47 subjects × 2 timepoints − 2 unpaired = 92 study samples, as in the trial.
    let files = npxkit_benches::study_files(5400, 47);
    let manifest = Manifest::from_path(&files.samples).unwrap();
    let size = std::fs::metadata(&files.csv).unwrap().len();
    eprintln!("long CSV: {:.1} MB", size as f64 / 1e6);
    let mut group = c.benchmark_group("load_5400x92");
    group.sample_size(10);
    for (name, path) in [("long_csv", &files.csv), ("parquet", &files.parquet)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let long = read_npx(path).unwrap();
                let report = build_matrix(&long, Some(&manifest), &QcOptions::default()).unwrap();
                assert_eq!(report.matrix.n_samples(), 92);
                report
            })
        });
    }
    group.finish();
}

criterion_group!(benches, load);
criterion_main!(benches);
