//! Parity of limma ≥ 3.62's `eBayes(legacy = NULL)` ("current": the prior by
//! `fitFDistUnequalDF1` when the residual df differ) with R, for the cases
//! written by `test-data/reference/limma_current.R` (newer limma files
//! sourced over limma 3.54.1).

use ndarray::Array2;
use npxkit_limma::{ebayes, lm_fit, EbayesOptions, PriorMethod};
use std::path::PathBuf;

/// Relative tolerance for t, p, B, s2.prior, s2.post, df.prior and df.total.
const TOL: f64 = 1e-8;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/limma_current")
}

struct Table {
    columns: Vec<String>,
    values: Array2<f64>,
}

fn read_table(path: &PathBuf) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `Rscript test-data/reference/limma_current.R`",
            path.display()
        )
    });
    let mut lines = text.lines();
    let columns: Vec<String> = lines
        .next()
        .unwrap()
        .split('\t')
        .skip(1)
        .map(String::from)
        .collect();
    let mut n = 0;
    let mut flat = Vec::new();
    for line in lines {
        n += 1;
        flat.extend(line.split('\t').skip(1).map(|f| {
            if f == "NA" {
                f64::NAN
            } else {
                f.parse::<f64>().unwrap()
            }
        }));
    }
    Table {
        values: Array2::from_shape_vec((n, columns.len()), flat).unwrap(),
        columns,
    }
}

impl Table {
    fn col(&self, name: &str) -> Vec<f64> {
        let j = self
            .columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.values.column(j).to_vec()
    }
}

fn compare(what: &str, ours: &[f64], r: &[f64], tol: f64) -> f64 {
    assert_eq!(ours.len(), r.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for (i, (&a, &b)) in ours.iter().zip(r).enumerate() {
        if a.is_nan() || b.is_nan() {
            assert!(a.is_nan() && b.is_nan(), "{what}[{i}]: ours {a:e}, R {b:e}");
            continue;
        }
        let rel = if b == 0.0 {
            a.abs()
        } else {
            ((a - b) / b).abs()
        };
        assert!(
            rel <= tol,
            "{what}[{i}]: ours {a:.17e}, R {b:.17e}, rel {rel:e}"
        );
        worst = worst.max(rel);
    }
    worst
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
