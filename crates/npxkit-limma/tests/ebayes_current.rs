//! Parity of limma ≥ 3.62's `eBayes(legacy = NULL)` ("current": the prior by
//! `fitFDistUnequalDF1` when the residual df differ) with R, for the cases
//! written by `test-data/reference/limma_current.R` (newer limma files
//! sourced over limma 3.54.1).

use npxkit_limma::{ebayes, lm_fit, EbayesOptions, PriorMethod};
use std::path::PathBuf;

/// Relative tolerance for t, p, B, s2.prior, s2.post, df.prior and df.total.
const TOL: f64 = 1e-8;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/limma_current")
}

mod common;
use common::Table;

fn read_table(path: &std::path::Path) -> Table {
    common::read_table(path, "limma_current.R")
}

fn compare(what: &str, ours: &[f64], r: &[f64], tol: f64) -> f64 {
    common::compare(what, ours, r, tol, tol)
}

fn run(case: &str, expr_file: &str, trend: bool, robust: bool) {
    let root = reference_dir();
    let expr = read_table(&root.join(expr_file));
    let design = read_table(&root.join("design.tsv"));
    let fit = lm_fit(expr.values.view(), design.values.view(), &design.columns).unwrap();
    let opts = EbayesOptions {
        trend,
        robust,
        prior_method: PriorMethod::Current,
        ..EbayesOptions::default()
    };
    let eb = ebayes(&fit, &opts).unwrap();
    let r = read_table(&root.join(case).join("fit.tsv"));
    let mut report = Vec::new();
    for (name, ours) in [
        ("df.prior", eb.df_prior.to_vec()),
        ("s2.prior", eb.s2_prior.to_vec()),
        ("s2.post", eb.s2_post.to_vec()),
        ("df.total", eb.df_total.to_vec()),
    ] {
        let w = compare(&format!("{case} {name}"), &ours, &r.col(name), TOL);
        report.push(format!("{name} {w:.1e}"));
    }
    let lods = eb.lods.as_ref().unwrap();
    let (mut wt, mut wp, mut wb) = (0.0f64, 0.0f64, 0.0f64);
    for (j, c) in design.columns.iter().enumerate() {
        let rn = if c == "(Intercept)" {
            "X.Intercept.".to_string()
        } else {
            c.clone()
        };
        wt = wt.max(compare(
            &format!("{case} t_{rn}"),
            &eb.t.column(j).to_vec(),
            &r.col(&format!("t_{rn}")),
            TOL,
        ));
        wp = wp.max(compare(
            &format!("{case} p_{rn}"),
            &eb.p_value.column(j).to_vec(),
            &r.col(&format!("p_{rn}")),
            TOL,
        ));
        wb = wb.max(compare(
            &format!("{case} B_{rn}"),
            &lods.column(j).to_vec(),
            &r.col(&format!("B_{rn}")),
            TOL,
        ));
    }
    println!(
        "{case}: {}, t {wt:.1e}, p {wp:.1e}, B {wb:.1e}",
        report.join(", ")
    );
}

#[test]
fn test_current_plain() {
    run("a_plain", "expr.tsv", false, false);
}

#[test]
fn test_current_robust() {
    run("b_robust", "expr.tsv", false, true);
}

#[test]
fn test_current_trend() {
    run("c_trend", "expr.tsv", true, false);
}

#[test]
fn test_current_trend_robust() {
    run("d_trend_robust", "expr.tsv", true, true);
}

#[test]
fn test_current_equal_df_is_legacy() {
    run("e_equal_plain", "expr_full.tsv", false, false);
    run("f_equal_robust", "expr_full.tsv", false, true);
}

#[test]
fn test_current_big_trend() {
    run("g_big_trend", "expr_big.tsv", true, false);
    run("h_big_trend_robust", "expr_big.tsv", true, true);
}

#[test]
fn test_legacy_default_unchanged() {
    assert_eq!(EbayesOptions::default().prior_method, PriorMethod::Legacy);
}
