//! Parity of the moderated F-test with R's limma 3.54.1: eBayes's `F` and
//! `F.p.value` and `topTable(fit, coef = several, number = Inf)`, for the
//! three-visit study written by `test-data/reference/limma_f.R`.

use ndarray::Array2;
use npxkit_limma::{
    contrasts_fit, ebayes, lm_fit, moderated_f, top_table_f, AdjustMethod, EbayesFit, EbayesOptions,
};
use std::path::PathBuf;

/// Relative tolerance for F, logFC and AveExpr.
const TOL_F: f64 = 1e-10;
/// Relative tolerance for P.Value and adj.P.Val.
const TOL_P: f64 = 1e-8;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/limma_f")
}

mod common;
use common::Table;

fn read_table(path: &std::path::Path) -> Table {
    common::read_table(path, "limma_f.R")
}

fn compare(what: &str, ours: &[f64], r: &[f64], tol: f64) -> f64 {
    common::compare(what, ours, r, tol, tol)
}

fn check(case: &str, eb: &EbayesFit, coefs: &[usize]) {
    let dir = reference_dir().join(case);
    let fit_r = read_table(&dir.join("fit.tsv"));
    // eBayes's F over all coefficients of the moderated fit.
    let all: Vec<usize> = (0..eb.fit.n_coefs()).collect();
    let mf = moderated_f(eb, &all).unwrap();
    let wf = compare(&format!("{case} F"), &mf.f.to_vec(), &fit_r.col("F"), TOL_F);
    let wp = compare(
        &format!("{case} F.p.value"),
        &mf.p_value.to_vec(),
        &fit_r.col("F.p.value"),
        TOL_P,
    );
    compare(
        &format!("{case} df.prior"),
        &eb.df_prior.to_vec(),
        &fit_r.col("df.prior"),
        TOL_P,
    );
    // topTable(coef = coefs).
    let top = read_table(&dir.join("top.tsv"));
    let rows = top_table_f(eb, coefs, AdjustMethod::BH).unwrap();
    let index: Vec<f64> = rows.iter().map(|r| (r.index + 1) as f64).collect();
    assert_eq!(index, top.col("index"), "{case}: order");
    let lfc_cols = &top.columns[1..1 + coefs.len()];
    let mut worst_lfc = 0.0f64;
    for (k, name) in lfc_cols.iter().enumerate() {
        let ours: Vec<f64> = rows.iter().map(|r| r.log_fc[k]).collect();
        worst_lfc = worst_lfc.max(compare(
            &format!("{case} {name}"),
            &ours,
            &top.col(name),
            TOL_F,
        ));
    }
    let get = |f: fn(&npxkit_limma::TopTableFRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    compare(
        &format!("{case} AveExpr"),
        &get(|r| r.ave_expr),
        &top.col("AveExpr"),
        TOL_F,
    );
    let tf = compare(
        &format!("{case} top F"),
        &get(|r| r.f),
        &top.col("F"),
        TOL_F,
    );
    let tp = compare(
        &format!("{case} P.Value"),
        &get(|r| r.p_value),
        &top.col("P.Value"),
        TOL_P,
    );
    let ta = compare(
        &format!("{case} adj.P.Val"),
        &get(|r| r.adj_p_val),
        &top.col("adj.P.Val"),
        TOL_P,
    );
    println!(
        "{case}: eBayes F {wf:.1e}, F.p {wp:.1e}; topTable logFC {worst_lfc:.1e}, F {tf:.1e}, P {tp:.1e}, adj {ta:.1e}"
    );
}

struct Data {
    y: Array2<f64>,
    design: Array2<f64>,
    names: Vec<String>,
    contrasts: Array2<f64>,
}

fn data() -> Data {
    let root = reference_dir();
    let expr = read_table(&root.join("expr.tsv"));
    let design = read_table(&root.join("design.tsv"));
    let contrasts = read_table(&root.join("contrasts.tsv"));
    Data {
        y: expr.values,
        names: design.columns.clone(),
        design: design.values,
        contrasts: contrasts.values,
    }
}

fn contrast_eb(d: &Data, trend: bool, robust: bool) -> EbayesFit {
    let fit = lm_fit(d.y.view(), d.design.view(), &d.names).unwrap();
    let cfit = contrasts_fit(&fit, d.contrasts.view(), &["V2mV1".into(), "V3mV2".into()]).unwrap();
    let opts = EbayesOptions {
        trend,
        robust,
        ..EbayesOptions::default()
    };
    ebayes(&cfit, &opts).unwrap()
}

#[test]
fn test_moderated_f_coef_subset() {
    let d = data();
    let fit = lm_fit(d.y.view(), d.design.view(), &d.names).unwrap();
    let eb = ebayes(&fit, &EbayesOptions::default()).unwrap();
    let v2 = d.names.iter().position(|n| n == "visitV2").unwrap();
    let v3 = d.names.iter().position(|n| n == "visitV3").unwrap();
    check("a_coef", &eb, &[v2, v3]);
}

#[test]
fn test_moderated_f_contrasts() {
    let d = data();
    check("b_contrasts", &contrast_eb(&d, false, false), &[0, 1]);
}

#[test]
fn test_moderated_f_contrasts_trend() {
    let d = data();
    check("c_contr_trend", &contrast_eb(&d, true, false), &[0, 1]);
}

#[test]
fn test_moderated_f_contrasts_robust() {
    let d = data();
    check("d_contr_robust", &contrast_eb(&d, false, true), &[0, 1]);
}

#[test]
fn test_moderated_f_contrasts_trend_robust() {
    let d = data();
    check(
        "e_contr_trend_robust",
        &contrast_eb(&d, true, true),
        &[0, 1],
    );
}

#[test]
fn test_moderated_f_single_coefficient_is_t_squared() {
    let d = data();
    let eb = contrast_eb(&d, false, false);
    let mf = moderated_f(&eb, &[1]).unwrap();
    assert_eq!(mf.df1, 1);
    for i in 0..eb.t.nrows() {
        let t = eb.t[[i, 1]];
        if t.is_finite() {
            assert_eq!(mf.f[i], t * t);
        }
    }
}
