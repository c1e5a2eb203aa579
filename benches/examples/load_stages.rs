//! Prints how long each stage of loading takes (a profiling aid, not a test).
use npxkit_core::{build_matrix, QcOptions};
use npxkit_io::{read_npx, Manifest};
use std::time::Instant;

fn main() {
    let files = npxkit_benches::study_files(5400, 47);
    let manifest = Manifest::from_path(&files.samples).unwrap();
    for path in [&files.parquet, &files.csv] {
        for _ in 0..3 {
            let t = Instant::now();
            let long = read_npx(path).unwrap();
            let t1 = t.elapsed();
            let r = build_matrix(&long, Some(&manifest), &QcOptions::default()).unwrap();
            let t2 = t.elapsed();
            println!(
                "{}: read {t1:?} qc+pivot {:?} ({} x {})",
                path.display(),
                t2 - t1,
                r.matrix.n_assays(),
                r.matrix.n_samples()
            );
        }
    }
}
