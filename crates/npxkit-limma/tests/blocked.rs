//! Parity of the blocked model with R's limma 3.54.1 / statmod 1.5.0:
//! `duplicateCorrelation(y, design, block = block)`, then
//! `lmFit(y, design, block = block, correlation = consensus)`, `eBayes` and
//! `topTable`, for the cases written by `test-data/reference/dupcor.R`.
//! The timing checks are `#[ignore]`d; run them with
//! `cargo test --release -p npxkit-limma --test blocked -- --ignored --nocapture`.

use ndarray::Array2;
use npxkit_limma::{
    duplicate_correlation, ebayes, lm_fit_blocked, table_rows, AdjustMethod, DupCorNote,
    EbayesOptions, TopTableRow,
};
use std::path::PathBuf;

/// Relative tolerance of the consensus correlation and the per-assay atanh
/// correlations (REML iterations stop at statmod's tolerance; both sides stop
/// at the same iterate, so agreement is limited by rounding only).
const TOL_CORRELATION: f64 = 1e-8;
/// Relative tolerance for coefficients, stdev.unscaled, sigma, Amean, logFC, CI and t.
const TOL_ESTIMATES: f64 = 1e-10;
/// Relative tolerance for P.Value, adj.P.Val, B and df.total.
const TOL_PROBABILITIES: f64 = 1e-8;
/// Absolute tolerance used only where R's value is exactly 0.
const ABS_FLOOR_AT_ZERO: f64 = 1e-14;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/dupcor")
}

mod common;
use common::Table;

fn read_table(path: &std::path::Path) -> Table {
    common::read_table(path, "dupcor.R")
}

fn compare(what: &str, ours: &[f64], r: &[f64], tol: f64) -> f64 {
    common::compare(what, ours, r, tol, ABS_FLOOR_AT_ZERO)
}

fn run(case: &str, coefs: &[&str]) {
    let dir = reference_dir().join(case);
    let expr = read_table(&dir.join("expr.tsv"));
    let design = read_table(&dir.join("design.tsv"));
    let block: Vec<i64> = read_table(&dir.join("block.tsv"))
        .col("block")
        .iter()
        .map(|&b| b as i64)
        .collect();
    let y = expr.values.view();

    let dc = duplicate_correlation(y, design.values.view(), &block).unwrap();
    assert_eq!(dc.note, DupCorNote::Estimated);
    let r_atanh = read_table(&dir.join("dupcor.tsv")).col("atanh.correlations");
    let r_consensus = read_table(&dir.join("consensus.tsv")).col("consensus.correlation")[0];
    let w_atanh = compare(
        &format!("{case} atanh.correlations"),
        &dc.per_assay,
        &r_atanh,
        TOL_CORRELATION,
    );
    let w_cons = compare(
        &format!("{case} consensus"),
        &[dc.consensus],
        &[r_consensus],
        TOL_CORRELATION,
    );
    eprintln!("{case}: worst rel. error atanh.correlations {w_atanh:.1e}, consensus {w_cons:.1e}");

    // The fit given R's consensus, so that its tolerances stand on their own.
    let fit = lm_fit_blocked(
        y,
        design.values.view(),
        &design.columns,
        &block,
        r_consensus,
    )
    .unwrap();
    let r_fit = read_table(&dir.join("fit.tsv"));
    let mut report = Vec::new();
    for (j, name) in design.columns.iter().enumerate() {
        for (what, ours) in [
            ("coef", fit.coefficients.column(j).to_vec()),
            ("stdev", fit.stdev_unscaled.column(j).to_vec()),
        ] {
            let col = format!("{what}_{name}");
            let w = compare(
                &format!("{case} {col}"),
                &ours,
                &r_fit.col(&col),
                TOL_ESTIMATES,
            );
            report.push(format!("{col} {w:.1e}"));
        }
    }
    for (col, ours) in [
        ("sigma", fit.sigma.to_vec()),
        ("df.residual", fit.df_residual.to_vec()),
        ("Amean", fit.amean.to_vec()),
    ] {
        let w = compare(
            &format!("{case} {col}"),
            &ours,
            &r_fit.col(col),
            TOL_ESTIMATES,
        );
        report.push(format!("{col} {w:.1e}"));
    }
    eprintln!("{case}: worst rel. error {}", report.join(", "));

    let eb = ebayes(&fit, &EbayesOptions::default()).unwrap();
    for coef in coefs {
        let r = read_table(&dir.join(format!("toptable_{coef}.tsv")));
        let j = eb.fit.coef_names.iter().position(|c| c == coef).unwrap();
        let rows = table_rows(&eb, j, AdjustMethod::BH, 0.95).unwrap();
        let get = |f: fn(&TopTableRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
        let columns: Vec<(&str, Vec<f64>, f64)> = vec![
            ("logFC", get(|r| r.log_fc), TOL_ESTIMATES),
            ("CI.L", get(|r| r.ci_l), TOL_ESTIMATES),
            ("CI.R", get(|r| r.ci_r), TOL_ESTIMATES),
            ("AveExpr", get(|r| r.ave_expr), TOL_ESTIMATES),
            ("t", get(|r| r.t), TOL_ESTIMATES),
            ("P.Value", get(|r| r.p_value), TOL_PROBABILITIES),
            ("adj.P.Val", get(|r| r.adj_p_val), TOL_PROBABILITIES),
            ("B", get(|r| r.b.unwrap()), TOL_PROBABILITIES),
            ("df.total", get(|r| r.df_total), TOL_PROBABILITIES),
        ];
        let mut report = Vec::new();
        for (name, ours, tol) in &columns {
            let w = compare(&format!("{case} {coef} {name}"), ours, &r.col(name), *tol);
            report.push(format!("{name} {w:.1e}"));
        }
        eprintln!("{case} {coef}: worst rel. error {}", report.join(", "));
    }
}

#[test]
fn blocked_visits_with_missing_values() {
    run("a_visits", &["treatmentdrug", "visitV3", "crp"]);
}

#[test]
fn blocked_rank_deficient_design() {
    run("b_rank_deficient", &["treatmentdrug", "visitV3"]);
}

#[test]
fn blocked_complete_data_mixed_block_sizes() {
    run("c_complete", &["groupcase", "bmi"]);
}

#[test]
fn blocked_two_blocks_least_squares_components() {
    run("d_two_blocks", &["x"]);
}

#[test]
fn blocked_results_do_not_depend_on_threads() {
    let dir = reference_dir().join("a_visits");
    let expr = read_table(&dir.join("expr.tsv"));
    let design = read_table(&dir.join("design.tsv"));
    let block: Vec<i64> = read_table(&dir.join("block.tsv"))
        .col("block")
        .iter()
        .map(|&b| b as i64)
        .collect();
    let run = || {
        let dc = duplicate_correlation(expr.values.view(), design.values.view(), &block).unwrap();
        let fit = lm_fit_blocked(
            expr.values.view(),
            design.values.view(),
            &design.columns,
            &block,
            dc.consensus,
        )
        .unwrap();
        (dc, fit)
    };
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(run);
    let many = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap()
        .install(run);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&one.0.per_assay), bits(&many.0.per_assay));
    assert_eq!(one.0.consensus.to_bits(), many.0.consensus.to_bits());
    assert_eq!(
        bits(one.1.coefficients.as_slice().unwrap()),
        bits(many.1.coefficients.as_slice().unwrap())
    );
    assert_eq!(bits(&one.1.sigma.to_vec()), bits(&many.1.sigma.to_vec()));
}

/// Deterministic simulated data: `subjects` blocks of `visits` samples, design
/// intercept + group (between subjects) + visit, block SD 0.5, residual SD 1.
fn simulate(
    assays: usize,
    subjects: usize,
    visits: usize,
) -> (Array2<f64>, Array2<f64>, Vec<usize>) {
    let n = subjects * visits;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut normal = move || {
        // Box–Muller from a 64-bit LCG: enough for timing data.
        let mut unif = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let (u1, u2) = (unif(), unif());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    };
    let block: Vec<usize> = (0..n).map(|j| j / visits).collect();
    let mut design = Array2::<f64>::zeros((n, 1 + 1 + (visits - 1)));
    for j in 0..n {
        design[[j, 0]] = 1.0;
        design[[j, 1]] = ((j / visits) % 2) as f64;
        let v = j % visits;
        if v > 0 {
            design[[j, 1 + v]] = 1.0;
        }
    }
    let mut y = Array2::<f64>::zeros((assays, n));
    for i in 0..assays {
        let b: Vec<f64> = (0..subjects).map(|_| 0.5 * normal()).collect();
        for j in 0..n {
            y[[i, j]] = 5.0 + b[block[j]] + normal();
        }
    }
    (y, design, block)
}

/// Times both steps; `missing` values per assay are set to NaN at
/// pseudo-random samples, so nearly every assay has its own missingness pattern.
fn time_case(assays: usize, subjects: usize, visits: usize, missing: usize) {
    let (mut y, design, block) = simulate(assays, subjects, visits);
    let n = subjects * visits;
    for i in 0..assays {
        for k in 0..missing {
            y[[i, (i * 7919 + k * 104_729 + i * i * 31) % n]] = f64::NAN;
        }
    }
    let start = std::time::Instant::now();
    let dc = duplicate_correlation(y.view(), design.view(), &block).unwrap();
    let t_dc = start.elapsed();
    let names: Vec<String> = (0..design.ncols()).map(|j| format!("c{j}")).collect();
    let start = std::time::Instant::now();
    let fit = lm_fit_blocked(y.view(), design.view(), &names, &block, dc.consensus).unwrap();
    let t_fit = start.elapsed();
    assert_eq!(fit.n_assays(), assays);
    eprintln!(
        "{assays} x {} ({missing} NaN per assay): duplicate_correlation {:.3} s (consensus {:.6}, {} threads), lm_fit_blocked {:.3} s",
        subjects * visits,
        t_dc.as_secs_f64(),
        dc.consensus,
        rayon::current_num_threads(),
        t_fit.as_secs_f64()
    );
    // 0.5² / (0.5² + 1) = 0.2.
    assert!((dc.consensus - 0.2).abs() < 0.05);
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn timing_2000_x_300() {
    time_case(2000, 100, 3, 0);
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn timing_5400_x_92() {
    time_case(5400, 46, 2, 0);
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn timing_20000_x_900() {
    time_case(20000, 300, 3, 0);
}

#[test]
#[ignore = "timing; run with --release --ignored"]
fn timing_20000_x_900_missing() {
    time_case(20000, 300, 3, 2);
}
