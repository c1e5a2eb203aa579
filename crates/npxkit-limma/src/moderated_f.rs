//! Moderated F-statistics over several coefficients or contrasts, as limma's
//! `eBayes` (`F`, `F.p.value` from `classifyTestsF(fit, fstat.only = TRUE)`)
//! and `topTable(fit, coef = several)` (`.topTableF`).

use crate::ebayes::EbayesFit;
use crate::error::LimmaError;
use ndarray::{Array1, Array2};
use npxkit_stats::adjust::{p_adjust, AdjustMethod};
use npxkit_stats::dist::{pchisq, pf, Tail};

/// Eigenvalues at or below this fraction of the largest are dropped from the
/// F-statistic's rank (limma's 1e-8).
const EIGEN_RANK_TOL: f64 = 1e-8;
/// Above this second df, R's `[.MArrayLM` uses the chi-squared limit (limma's 1e6).
const CHISQ_DF2: f64 = 1e6;

/// Moderated F-test of the coefficients `coefs` of an [`EbayesFit`].
#[derive(Debug, Clone, PartialEq)]
pub struct ModeratedF {
    /// The coefficients tested (0-based, duplicates removed, in given order).
    pub coefs: Vec<usize>,
    /// F-statistic per assay (NaN where a tested t-statistic is NaN).
    pub f: Array1<f64>,
    /// Upper-tail p-value per assay.
    pub p_value: Array1<f64>,
    /// Numerator df: the rank of the correlation matrix of the tested coefficients.
    pub df1: usize,
    /// Denominator df per assay: df.prior + df.residual (not capped at the pooled
    /// df as df.total is; ∞ when the prior df are).
    pub df2: Array1<f64>,
}

/// One assay's row of [`top_table_f`], with limma's columns.
#[derive(Debug, Clone, PartialEq)]
pub struct TopTableFRow {
    /// Row of the assay in the input matrix (0-based).
    pub index: usize,
    /// Each tested coefficient's estimate, in the order of [`ModeratedF::coefs`].
    pub log_fc: Vec<f64>,
    /// Mean of the observed values (`AveExpr`).
    pub ave_expr: f64,
    /// Moderated F-statistic (`F`).
    pub f: f64,
    /// Raw p-value (`P.Value`).
    pub p_value: f64,
    /// Adjusted p-value (`adj.P.Val`).
    pub adj_p_val: f64,
}

/// Moderated F-statistics and p-values for testing the coefficients `coefs`
/// (0-based) of `eb` jointly, as limma computes them.
///
/// The t-statistics are combined through the correlation matrix of the
/// coefficients (`cov2cor(cov.coefficients)`, zero variances set to one):
/// F = Σₖ (t·Qₖ)² with Q = V Λ^{−1/2} / √r from the eigenvectors of the
/// correlation whose eigenvalues exceed 1e-8 of the largest, r of them
/// (`df1`); one coefficient gives F = t². The denominator df are
/// df.prior + df.residual per assay.
///
/// When `coefs` covers every coefficient of the fit this is `eBayes`'s
/// `F` / `F.p.value` (p from the F distribution, the chi-squared limit for
/// infinite df2). Otherwise it is what `topTable(fit, coef = coefs)` reports
/// after R's `fit[, coefs]`, which uses the chi-squared limit for every assay
/// when the first assay's df2 exceeds 10⁶.
///
/// # Errors
/// No coefficient, an index out of range, a fit after `treat`, or a tested
/// coefficient that is not estimable (limma computes no F for a design that
/// is not of full rank).
///
/// # References
/// Smyth, G. K. (2004). doi:10.2202/1544-6115.1027
pub fn moderated_f(eb: &EbayesFit, coefs: &[usize]) -> Result<ModeratedF, LimmaError> {
    let ncoef = eb.fit.n_coefs();
    let mut uniq: Vec<usize> = Vec::with_capacity(coefs.len());
    for &c in coefs {
        if c >= ncoef {
            return Err(LimmaError::CoefOutOfRange {
                index: c,
                coefs: ncoef,
            });
        }
        if !uniq.contains(&c) {
            uniq.push(c);
        }
    }
    if uniq.is_empty() {
        return Err(LimmaError::InvalidOption {
            option: "coefs",
            reason: "no coefficient to test".into(),
        });
    }
    if eb.treat_lfc.is_some() {
        return Err(LimmaError::InvalidOption {
            option: "coefs",
            reason: "treat p-values can only be displayed for single coefficients".into(),
        });
    }
    if let Some(&j) = uniq
        .iter()
        .find(|&&j| !eb.fit.estimable[j] || eb.fit.cov_coefficients[[j, j]].is_nan())
    {
        return Err(LimmaError::InvalidOption {
            option: "coefs",
            reason: format!(
                "coefficient `{}` is not estimable: no F-statistic for a design that is not of full rank",
                eb.fit.coef_names[j]
            ),
        });
    }
    let k = uniq.len();
    let n = eb.fit.n_assays();
    let df2: Array1<f64> = (0..n)
        .map(|i| eb.df_prior[i] + eb.fit.df_residual[i])
        .collect();
    let (q, r) = if k == 1 {
        (Array2::from_elem((1, 1), 1.0), 1)
    } else {
        let mut cov = Array2::zeros((k, k));
        for (a, &ja) in uniq.iter().enumerate() {
            for (b, &jb) in uniq.iter().enumerate() {
                cov[[a, b]] = eb.fit.cov_coefficients[[ja, jb]];
            }
        }
        for a in 0..k {
            if cov[[a, a]] == 0.0 {
                cov[[a, a]] = 1.0;
            }
        }
        f_rotation(&cov2cor(&cov))
    };
    let f: Array1<f64> = (0..n)
        .map(|i| {
            let t: Vec<f64> = uniq.iter().map(|&j| eb.t[[i, j]]).collect();
            if k == 1 {
                return t[0] * t[0];
            }
            let mut s = 0.0;
            for c in 0..r {
                let mut z = 0.0;
                for (a, tv) in t.iter().enumerate() {
                    z += tv * q[[a, c]];
                }
                s += z * z;
            }
            s
        })
        .collect();
    let df1 = r as f64;
    let subset = k < ncoef;
    let chisq = subset && n > 0 && df2[0] > CHISQ_DF2;
    let p_value: Array1<f64> = (0..n)
        .map(|i| {
            if chisq {
                pchisq(df1 * f[i], df1, Tail::Upper)
            } else {
                pf(f[i], df1, df2[i], Tail::Upper)
            }
        })
        .collect();
    Ok(ModeratedF {
        coefs: uniq,
        f,
        p_value,
        df1: r,
        df2,
    })
}

/// All assays' moderated F results for `coefs`, sorted by p-value (ties and
/// NaN in input order, NaN last), as limma's `topTable(fit, coef = coefs,
/// number = Inf, adjust.method)` with several coefficients (`.topTableF`,
/// `sort.by = "F"`).
///
/// # Errors
/// As [`moderated_f`].
pub fn top_table_f(
    eb: &EbayesFit,
    coefs: &[usize],
    adjust: AdjustMethod,
) -> Result<Vec<TopTableFRow>, LimmaError> {
    let mf = moderated_f(eb, coefs)?;
    let p = mf.p_value.to_vec();
    let adj = p_adjust(&p, adjust);
    let mut rows: Vec<TopTableFRow> = (0..eb.fit.n_assays())
        .map(|i| TopTableFRow {
            index: i,
            log_fc: mf
                .coefs
                .iter()
                .map(|&j| eb.fit.coefficients[[i, j]])
                .collect(),
            ave_expr: eb.fit.amean[i],
            f: mf.f[i],
            p_value: p[i],
            adj_p_val: adj[i],
        })
        .collect();
    rows.sort_by(|a, b| match (a.p_value.is_nan(), b.p_value.is_nan()) {
        (false, false) => a.p_value.total_cmp(&b.p_value).then(a.index.cmp(&b.index)),
        (x, y) => x.cmp(&y).then(a.index.cmp(&b.index)),
    });
    Ok(rows)
}

/// R's `cov2cor`: Is_i · V_ij · Is_j with Is = sqrt(1/diag), unit diagonal.
fn cov2cor(v: &Array2<f64>) -> Array2<f64> {
    let k = v.nrows();
    let is: Vec<f64> = (0..k).map(|a| (1.0 / v[[a, a]]).sqrt()).collect();
    let mut r = Array2::zeros((k, k));
    for a in 0..k {
        for b in 0..k {
            r[[a, b]] = is[a] * v[[a, b]] * is[b];
        }
        r[[a, a]] = 1.0;
    }
    r
}

/// classifyTestsF's Q (k × r) and rank r from the eigen decomposition of the
/// correlation matrix.
fn f_rotation(cor: &Array2<f64>) -> (Array2<f64>, usize) {
    let k = cor.nrows();
    let (values, vectors) = symmetric_eigen(cor);
    let r = values
        .iter()
        .filter(|&&v| v / values[0] > EIGEN_RANK_TOL)
        .count();
    let mut q = Array2::zeros((k, r));
    let sr = (r as f64).sqrt();
    for c in 0..r {
        let s = 1.0 / values[c].sqrt();
        for a in 0..k {
            q[[a, c]] = vectors[[a, c]] * s / sr;
        }
    }
    (q, r)
}

/// Eigenvalues (decreasing) and eigenvectors (columns) of a symmetric matrix: the
/// workspace's one symmetric eigensolver (`npxkit_stats::eigen`, tred2/tql2), sorted.
fn symmetric_eigen(m: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    npxkit_stats::eigen::symmetric_eigen_sorted(m.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_symmetric_eigen_reconstructs() {
        let m = array![[1.0, 0.5, 0.2], [0.5, 1.0, -0.3], [0.2, -0.3, 1.0]];
        let (vals, vecs) = symmetric_eigen(&m);
        assert!(vals[0] >= vals[1] && vals[1] >= vals[2]);
        for i in 0..3 {
            for j in 0..3 {
                let s: f64 = (0..3).map(|c| vecs[[i, c]] * vals[c] * vecs[[j, c]]).sum();
                assert!((s - m[[i, j]]).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn test_f_rotation_is_inverse_correlation() {
        // F = t' C^-1 t / r for a full-rank correlation C.
        let c = array![[1.0, 0.5], [0.5, 1.0]];
        let (q, r) = f_rotation(&c);
        assert_eq!(r, 2);
        let t = [1.3, -0.4];
        let f: f64 = (0..2)
            .map(|k| (t[0] * q[[0, k]] + t[1] * q[[1, k]]).powi(2))
            .sum();
        let det = 0.75;
        let quad = (t[0] * t[0] - 2.0 * 0.5 * t[0] * t[1] + t[1] * t[1]) / det;
        assert!((f - quad / 2.0).abs() < 1e-14);
    }
}
