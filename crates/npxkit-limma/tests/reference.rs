//! Parity with R's limma 3.54.1: each test reads one case written by
//! `test-data/reference/limma.R` and compares every column of `topTable`
//! (plus the prior) with named tolerances. The t tails and quantiles
//! (`t_tails.tsv`, `t_quantiles.tsv`) and the polygamma columns of
//! `special.tsv` are checked in npxkit-stats's `tests/reference.rs`, next to
//! the functions they test.

use npxkit_limma::fit_f_dist::trigamma_inverse;
use npxkit_limma::{
    contrasts_fit, ebayes, lm_fit, table_rows, treat, AdjustMethod, EbayesFit, EbayesOptions,
    TopTableRow,
};
use std::path::PathBuf;

/// Relative tolerance for logFC, CI.L, CI.R, AveExpr and t.
const TOL_ESTIMATES: f64 = 1e-10;
/// Relative tolerance for P.Value, adj.P.Val, B, df.total and the prior.
const TOL_PROBABILITIES: f64 = 1e-8;
/// Absolute tolerance used only where R's value is exactly 0.
const ABS_FLOOR_AT_ZERO: f64 = 1e-14;
/// Relative tolerance for the special functions.
const TOL_SPECIAL: f64 = 1e-13;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/limma")
}

mod common;
use common::Table;

fn read_table(path: &std::path::Path) -> Table {
    common::read_table(path, "limma.R")
}

fn compare(what: &str, ours: &[f64], r: &[f64], tol: f64) -> f64 {
    common::compare(what, ours, r, tol, ABS_FLOOR_AT_ZERO)
}

/// How one case is computed.
struct Case {
    dir: &'static str,
    options: EbayesOptions,
    treat_lfc: Option<f64>,
    coefs: &'static [&'static str],
}

fn run(case: Case) {
    let dir = reference_dir().join(case.dir);
    let expr = read_table(&dir.join("expr.tsv"));
    let design = read_table(&dir.join("design.tsv"));
    let mut fit = lm_fit(expr.values.view(), design.values.view(), &design.columns).unwrap();
    let contrasts_path = dir.join("contrasts.tsv");
    if contrasts_path.exists() {
        let c = read_table(&contrasts_path);
        assert_eq!(
            c.rows, design.columns,
            "contrast rows follow the design columns"
        );
        fit = contrasts_fit(&fit, c.values.view(), &c.columns).unwrap();
    }
    let eb = match case.treat_lfc {
        Some(lfc) => treat(&fit, lfc, &case.options).unwrap(),
        None => ebayes(&fit, &case.options).unwrap(),
    };
    let prior = read_table(&dir.join("prior.tsv"));
    let w1 = compare(
        "s2.prior",
        &eb.s2_prior.to_vec(),
        &prior.col("s2.prior"),
        TOL_PROBABILITIES,
    );
    let w2 = compare(
        "df.prior",
        &eb.df_prior.to_vec(),
        &prior.col("df.prior"),
        TOL_PROBABILITIES,
    );
    eprintln!(
        "{}: worst rel. error s2.prior {w1:.1e}, df.prior {w2:.1e}",
        case.dir
    );
    for coef in case.coefs {
        compare_top_table(
            &case,
            &eb,
            coef,
            &read_table(&dir.join(format!("toptable_{coef}.tsv"))),
        );
    }
}

fn compare_top_table(case: &Case, eb: &EbayesFit, coef: &str, r: &Table) {
    let j = eb.fit.coef_names.iter().position(|c| c == coef).unwrap();
    let rows = table_rows(eb, j, AdjustMethod::BH, 0.95).unwrap();
    let get = |f: fn(&TopTableRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let mut columns: Vec<(&str, Vec<f64>, f64)> = vec![
        ("logFC", get(|r| r.log_fc), TOL_ESTIMATES),
        ("CI.L", get(|r| r.ci_l), TOL_ESTIMATES),
        ("CI.R", get(|r| r.ci_r), TOL_ESTIMATES),
        ("AveExpr", get(|r| r.ave_expr), TOL_ESTIMATES),
        ("t", get(|r| r.t), TOL_ESTIMATES),
        ("P.Value", get(|r| r.p_value), TOL_PROBABILITIES),
        ("adj.P.Val", get(|r| r.adj_p_val), TOL_PROBABILITIES),
        ("df.total", get(|r| r.df_total), TOL_PROBABILITIES),
    ];
    if r.columns.iter().any(|c| c == "B") {
        columns.push(("B", get(|r| r.b.unwrap()), TOL_PROBABILITIES));
    } else {
        assert!(rows.iter().all(|r| r.b.is_none()));
    }
    let mut report = Vec::new();
    for (name, ours, tol) in &columns {
        let worst = compare(
            &format!("{} {coef} {name}", case.dir),
            ours,
            &r.col(name),
            *tol,
        );
        report.push(format!("{name} {worst:.1e}"));
    }
    eprintln!(
        "{} {coef}: worst rel. error {}",
        case.dir,
        report.join(", ")
    );
}

#[test]
fn limma_a_paired_missing() {
    run(Case {
        dir: "a_paired_missing",
        options: EbayesOptions::default(),
        treat_lfc: None,
        coefs: &["timepost"],
    });
}

#[test]
fn limma_b_covariates_contrast() {
    run(Case {
        dir: "b_covariates_contrast",
        options: EbayesOptions::default(),
        treat_lfc: None,
        coefs: &["BvsA"],
    });
}

#[test]
fn limma_c_trend() {
    let options = EbayesOptions {
        trend: true,
        ..EbayesOptions::default()
    };
    run(Case {
        dir: "c_trend",
        options,
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}

#[test]
fn limma_d_robust() {
    let options = EbayesOptions {
        robust: true,
        ..EbayesOptions::default()
    };
    run(Case {
        dir: "d_robust",
        options,
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}

#[test]
fn limma_e_zero_variance() {
    run(Case {
        dir: "e_zero_variance",
        options: EbayesOptions::default(),
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}

#[test]
fn limma_f_rank_deficient() {
    run(Case {
        dir: "f_rank_deficient",
        options: EbayesOptions::default(),
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}

#[test]
fn limma_g_treat() {
    run(Case {
        dir: "g_treat",
        options: EbayesOptions::default(),
        treat_lfc: Some(0.5),
        coefs: &["groupcase"],
    });
}

#[test]
fn limma_h_two_contrasts() {
    run(Case {
        dir: "h_two_contrasts",
        options: EbayesOptions::default(),
        treat_lfc: None,
        coefs: &["BvsA", "CvsA"],
    });
}

/// `special.tsv`: limma's `trigammaInverse`. The digamma, trigamma and
/// tetragamma columns of the same file are checked in npxkit-stats's
/// `tests/reference.rs`, where those functions live.
#[test]
fn special_functions_match_r() {
    let t = read_table(&reference_dir().join("special.tsv"));
    let x = t.col("x");
    let worst = compare(
        "trigamma_inverse",
        &x.iter().map(|&v| trigamma_inverse(v)).collect::<Vec<_>>(),
        &t.col("trigamma_inverse"),
        TOL_SPECIAL,
    );
    eprintln!("special functions: worst rel. error trigamma_inverse {worst:.1e}");
}

#[test]
fn limma_i_robust_missing() {
    let options = EbayesOptions {
        robust: true,
        ..EbayesOptions::default()
    };
    run(Case {
        dir: "i_robust_missing",
        options,
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}

/// `eBayes(trend = TRUE, robust = TRUE)`: the robust trend is limma's
/// `loessFit`, i.e. R's `lowess` (a tie in Amean at assays 11 and 12).
#[test]
fn limma_j_trend_robust() {
    let options = EbayesOptions {
        trend: true,
        robust: true,
        ..EbayesOptions::default()
    };
    run(Case {
        dir: "j_trend_robust",
        options,
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}

/// As `j_trend_robust` with 1% missing values and one assay without residual
/// df, whose prior variance limma interpolates in Amean (`approx`).
#[test]
fn limma_k_trend_robust_missing() {
    let options = EbayesOptions {
        trend: true,
        robust: true,
        ..EbayesOptions::default()
    };
    run(Case {
        dir: "k_trend_robust_missing",
        options,
        treat_lfc: None,
        coefs: &["groupcase"],
    });
}
