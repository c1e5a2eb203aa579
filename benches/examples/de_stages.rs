//! Prints how long each stage of the DE bench takes (a profiling aid, not a test).
use npxkit_core::{build_design, build_matrix, DesignSpec, QcOptions};
use npxkit_io::{read_npx, Manifest};
use npxkit_limma::{ebayes, lm_fit, top_table, AdjustMethod, EbayesOptions};
use std::time::Instant;

fn main() {
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
    for _ in 0..3 {
        let t = Instant::now();
        let design = build_design(&m, &spec).unwrap();
        let t1 = t.elapsed();
        let y = m.values.select(ndarray::Axis(1), &design.samples);
        let fit = lm_fit(y.view(), design.matrix.view(), &design.coef_names).unwrap();
        let t2 = t.elapsed();
        let eb = ebayes(
            &fit.select_coefs(&[design.contrasts[0].coef.unwrap()]),
            &EbayesOptions::default(),
        )
        .unwrap();
        let t3 = t.elapsed();
        let tt = top_table(&eb, 0, AdjustMethod::BH, 0.95).unwrap();
        let t4 = t.elapsed();
        println!(
            "design {t1:?} lm_fit {:?} ebayes {:?} top_table {:?} ({} rows)",
            t2 - t1,
            t3 - t2,
            t4 - t3,
            tt.len()
        );
    }
}
