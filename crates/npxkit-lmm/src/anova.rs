//! Type III F-tests with Satterthwaite's denominator degrees of freedom, as
//! `anova(model, type = "III", ddf = "Satterthwaite")` of lmerTest 3.1.
//!
//! # Hypothesis matrices
//! With treatment contrasts (OlinkAnalyze sets none, so R's default
//! `contr.treatment` applies) lmerTest builds type III hypotheses from the
//! "reduced" design `rdX` (intercept plus, per term, every level or cell
//! indicator): `L = zapsmall(t(ginv(X) rdX))`, then, from the highest-order
//! terms down, the columns of each term are replaced by their least-squares
//! residuals on the columns of the terms containing it (`zapsmall` again), and
//! the rows named like the columns of X are kept. A model with a single term
//! uses the type I hypotheses instead: rows of `t(L)` of the Doolittle
//! decomposition of `X'X` (lmerTest's `doolittle`, zeroing below 1e-6). We do
//! the same; `zapsmall` rounding is reproduced because the multi-df
//! Satterthwaite df depend on the basis of the hypothesis rows.
//!
//! # The test (lmerTest's `contestMD`)
//! For `q` rows of `L`: eigen-decompose `L V L'` (`V = vcov(β)`), keep the
//! eigenvalues above `sqrt(eps) ×` the largest; `F = Σ (P'Lβ)²_m / d_m / q`.
//! Each rotated row has `ν_m = 2 d_m² / (g_m' W g_m)` with `g_m` the gradient of
//! its variance over `(θ, σ)` and `W` the asymptotic covariance of `(θ, σ)`;
//! the denominator df is `2E / (E − q)` with `E = Σ ν_m / (ν_m − 2)` (2 when any
//! `ν_m ≤ 2`; the mean when all agree within 1e-8). One row: the t-test of
//! `contest1D` squared. lmerTest reports `Sum Sq = F σ² q`, `Mean Sq = F σ²`.
//!
//! # References
//! Kuznetsova, Brockhoff & Christensen (2017), J. Stat. Softw. 82(13),
//! doi:10.18637/jss.v082.i13. Satterthwaite (1946), Biometrics Bulletin 2(6),
//! doi:10.2307/3002019.

use ndarray::Array2;
use npxkit_stats::dist::{pf, pt};
use npxkit_stats::Tail;

use crate::fit::Pattern;
use crate::linalg::{chol_inverse, cholesky, lsq_residuals, qform, sym_eigen, zapsmall};
use crate::model::Design;
use crate::LmmFit;

/// lmerTest's `doolittle` threshold.
const DOOLITTLE_EPS: f64 = 1e-6;
/// Hypothesis rows with absolute sum at most this are dropped (lmerTest).
const ROW_TOL: f64 = 1e-8;
/// Eigenvalues of `L V L'` at most `sqrt(eps) × largest` are dropped (lmerTest).
const EIG_TOL: f64 = 1.490_116_119_384_765_6e-8;
/// `get_Fstat_ddf`'s tolerance for "all ν equal".
const NU_TOL: f64 = 1e-8;

/// One row of the type III table.
#[derive(Debug, Clone, PartialEq)]
pub struct AnovaRow {
    /// Term label (`time`, `time:arm`).
    pub term: String,
    /// `Sum Sq` as lmerTest reports it (`F σ² NumDF`).
    pub sumsq: f64,
    /// `Mean Sq` (`F σ²`).
    pub meansq: f64,
    /// Numerator df (rank of the hypothesis).
    pub num_df: usize,
    /// Satterthwaite denominator df.
    pub den_df: f64,
    /// F statistic.
    pub f: f64,
    /// Upper-tail p-value of F(NumDF, DenDF).
    pub p_value: f64,
}

/// A one-row test (lmerTest's `contest1D`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContrastTest {
    /// `l'β`.
    pub estimate: f64,
    /// `sqrt(l'Vl)`.
    pub se: f64,
    /// Satterthwaite df.
    pub df: f64,
    /// `estimate / se`.
    pub t: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Hypothesis matrices per term (rows × p), type III as lmerTest builds them.
pub(crate) fn type3_hypotheses(design: &Design, pat: &Pattern) -> Vec<Array2<f64>> {
    let p = pat.p;
    let nterms = design.terms.len();
    let cols_of =
        |t: usize| -> Vec<usize> { (0..p).filter(|&j| design.assign[j] == t + 1).collect() };
    if p <= 1 || nterms <= 1 {
        let l = doolittle_l(&pat.xtx);
        return (0..nterms)
            .map(|t| {
                let cols = cols_of(t);
                let mut h = Array2::<f64>::zeros((cols.len(), p));
                for (r, &c) in cols.iter().enumerate() {
                    for j in 0..p {
                        h[[r, j]] = l[[j, c]];
                    }
                }
                h
            })
            .collect();
    }
    let rdx = design.matrix(&pat.rows, true);
    let xtx_l = cholesky(&pat.xtx, 0.0).expect("X has full rank (checked)");
    let coef = chol_inverse(&xtx_l).dot(&pat.x.t().dot(&rdx)); // p × m
    let mut l = coef.t().to_owned(); // m × p
    zapsmall(&mut l);
    let vars_of = |t: usize| &design.terms[t];
    let contained_in = |a: usize, b: usize| {
        let va = vars_of(a);
        let vb = vars_of(b);
        va.iter().all(|v| vb.contains(v)) && vb.len() > va.len()
    };
    let mut order: Vec<usize> = (0..nterms).collect();
    order.sort_by_key(|&t| std::cmp::Reverse(design.terms[t].len()));
    for &t in &order {
        let contains: Vec<usize> = (0..nterms).filter(|&u| contained_in(t, u)).collect();
        if contains.is_empty() {
            continue;
        }
        let xcols: Vec<usize> = contains.iter().flat_map(|&u| cols_of(u)).collect();
        let ycols = cols_of(t);
        let xm = l.select(ndarray::Axis(1), &xcols);
        let ym = l.select(ndarray::Axis(1), &ycols);
        let mut res = lsq_residuals(&xm, &ym);
        zapsmall(&mut res);
        for (k, &c) in ycols.iter().enumerate() {
            l.column_mut(c).assign(&res.column(k));
        }
    }
    let row_of: Vec<usize> = design
        .column_names
        .iter()
        .map(|n| {
            design
                .rd_names
                .iter()
                .position(|r| r == n)
                .expect("X columns are rdX columns")
        })
        .collect();
    (0..nterms)
        .map(|t| {
            let rows: Vec<Vec<f64>> = cols_of(t)
                .iter()
                .map(|&c| row_of.iter().map(|&i| l[[i, c]]).collect::<Vec<f64>>())
                .filter(|r| r.iter().map(|v| v.abs()).sum::<f64>() > ROW_TOL)
                .collect();
            let mut h = Array2::<f64>::zeros((rows.len(), p));
            for (i, r) in rows.iter().enumerate() {
                for j in 0..p {
                    h[[i, j]] = r[j];
                }
            }
            h
        })
        .collect()
}

/// Unit lower-triangular factor of lmerTest's `doolittle(x)`.
fn doolittle_l(x: &Array2<f64>) -> Array2<f64> {
    let n = x.nrows();
    let mut l = Array2::<f64>::eye(n);
    let mut u = Array2::<f64>::zeros((n, n));
    for i in 0..n {
        for j in 0..n {
            let mut v = x[[i, j]];
            for k in 0..i {
                v -= l[[i, k]] * u[[k, j]];
            }
            u[[i, j]] = v;
        }
        for j in (i + 1)..n {
            let mut v = x[[j, i]];
            for k in 0..i {
                v -= l[[j, k]] * u[[k, i]];
            }
            l[[j, i]] = if u[[i, i]].abs() < DOOLITTLE_EPS {
                0.0
            } else {
                v / u[[i, i]]
            };
        }
    }
    l.mapv_inplace(|v| if v.abs() < DOOLITTLE_EPS { 0.0 } else { v });
    l
}

/// lmerTest's `contest1D`.
pub(crate) fn contest_1d(fit: &LmmFit, l: &[f64]) -> ContrastTest {
    let estimate: f64 = l.iter().zip(&fit.beta).map(|(a, b)| a * b).sum();
    let var = qform(l, &fit.vcov, l);
    let df = satterthwaite_df(fit, l, var);
    let se = var.sqrt();
    let t = estimate / se;
    ContrastTest {
        estimate,
        se,
        df,
        t,
        p_value: 2.0 * pt(t.abs(), df, Tail::Upper),
    }
}

fn satterthwaite_df(fit: &LmmFit, l: &[f64], var: f64) -> f64 {
    let grad: Vec<f64> = fit.satt.jac.iter().map(|j| qform(l, j, l)).collect();
    let denom = qform(&grad, &fit.satt.vcov_varpar, &grad);
    2.0 * var * var / denom
}

/// lmerTest's `contestMD` for one hypothesis matrix.
pub(crate) fn contest_md(fit: &LmmFit, term: &str, l: &Array2<f64>) -> AnovaRow {
    let sigma2 = fit.sigma * fit.sigma;
    let row = |f: f64, q: usize, ddf: f64| AnovaRow {
        term: term.to_string(),
        sumsq: f * sigma2 * q as f64,
        meansq: f * sigma2,
        num_df: q,
        den_df: ddf,
        f,
        p_value: pf(f, q as f64, ddf, Tail::Upper),
    };
    if l.nrows() == 0 {
        // Every hypothesis row vanished (lmerTest then reports an NA row).
        return row(f64::NAN, 0, f64::NAN);
    }
    if l.nrows() == 1 {
        let c = contest_1d(fit, l.row(0).as_slice().unwrap_or(&l.row(0).to_vec()));
        return row(c.t * c.t, 1, c.df);
    }
    let vl = l.dot(&fit.vcov).dot(&l.t());
    let (d, pvec) = sym_eigen(&vl);
    let tol = (EIG_TOL * d[0]).max(0.0);
    let q = d.iter().filter(|&&v| v > tol).count();
    if q == 0 {
        return row(f64::NAN, 0, f64::NAN);
    }
    let ptl = pvec.t().dot(l); // rows = rotated hypotheses
    if q == 1 {
        let c = contest_1d(fit, &ptl.row(0).to_vec());
        return row(c.t * c.t, 1, c.df);
    }
    let mut fsum = 0.0;
    let mut nu = Vec::with_capacity(q);
    for (m, &dm) in d.iter().take(q).enumerate() {
        let r = ptl.row(m).to_vec();
        let est: f64 = r.iter().zip(&fit.beta).map(|(a, b)| a * b).sum();
        fsum += est * est / dm;
        let grad: Vec<f64> = fit.satt.jac.iter().map(|j| qform(&r, j, &r)).collect();
        nu.push(2.0 * dm * dm / qform(&grad, &fit.satt.vcov_varpar, &grad));
    }
    row(fsum / q as f64, q, fstat_ddf(&nu))
}

/// lmerTest's `get_Fstat_ddf`.
fn fstat_ddf(nu: &[f64]) -> f64 {
    if nu.len() == 1 {
        return nu[0];
    }
    if nu.windows(2).all(|w| (w[1] - w[0]).abs() < NU_TOL) {
        return nu.iter().sum::<f64>() / nu.len() as f64;
    }
    if nu.iter().any(|&v| v <= 2.0) {
        return 2.0;
    }
    let e: f64 = nu.iter().map(|&v| v / (v - 2.0)).sum();
    2.0 * e / (e - nu.len() as f64)
}
