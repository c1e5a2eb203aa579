//! Ordinary least-squares fits of one linear model per assay, as limma's
//! `lmFit` (`lm.series`).

use crate::error::LimmaError;
use crate::qr::{Qr, QR_TOL};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Per-assay least-squares fit of a linear model, as limma's `MArrayLM` after `lmFit`.
///
/// Matrices are assays × coefficients. Non-estimable coefficients are NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModelFit {
    /// Estimated coefficients (assays × coefficients).
    pub coefficients: Array2<f64>,
    /// Unscaled standard errors: sqrt of the diagonal of (XᵀX)⁻¹ for each assay's design.
    pub stdev_unscaled: Array2<f64>,
    /// Residual standard deviation per assay (NaN when the residual df is 0).
    pub sigma: Array1<f64>,
    /// Residual degrees of freedom per assay (observed samples − rank).
    pub df_residual: Array1<f64>,
    /// Mean of the observed values per assay (limma's `Amean`).
    pub amean: Array1<f64>,
    /// Unscaled covariance (XᵀX)⁻¹ of the coefficients for the full design,
    /// coefficients × coefficients; rows and columns of non-estimable
    /// coefficients are NaN (limma keeps only the estimable block).
    pub cov_coefficients: Array2<f64>,
    /// Coefficient (or contrast) names, one per column.
    pub coef_names: Vec<String>,
    /// Whether each coefficient is estimable from the full design.
    pub estimable: Vec<bool>,
    /// Names of the coefficients that cannot be estimated (limma prints
    /// "Coefficients not estimable: ...").
    pub not_estimable: Vec<String>,
    /// Number of assays with some but not all coefficients NaN (limma's
    /// "Partial NA coefficients for n probe(s)" warning).
    pub partial_na_assays: usize,
}

impl LinearModelFit {
    /// Number of assays (rows).
    pub fn n_assays(&self) -> usize {
        self.coefficients.nrows()
    }

    /// Number of coefficients (columns).
    pub fn n_coefs(&self) -> usize {
        self.coefficients.ncols()
    }

    /// The fit restricted to some coefficients, as R's `fit[, cols]`. Moderation
    /// (`ebayes`, `treat`) of the subset gives the same statistics for those
    /// coefficients as moderating the whole fit: the variance prior depends only on
    /// the residual variances, and t, p and B are computed per coefficient. A paired
    /// design has one coefficient per subject, so testing only the contrast of
    /// interest saves most of the work.
    pub fn select_coefs(&self, cols: &[usize]) -> LinearModelFit {
        let coefficients = self.coefficients.select(Axis(1), cols);
        let partial_na_assays = partial_na(&coefficients);
        LinearModelFit {
            stdev_unscaled: self.stdev_unscaled.select(Axis(1), cols),
            sigma: self.sigma.clone(),
            df_residual: self.df_residual.clone(),
            amean: self.amean.clone(),
            cov_coefficients: self
                .cov_coefficients
                .select(Axis(0), cols)
                .select(Axis(1), cols),
            coef_names: cols.iter().map(|&j| self.coef_names[j].clone()).collect(),
            estimable: cols.iter().map(|&j| self.estimable[j]).collect(),
            not_estimable: cols
                .iter()
                .filter(|&&j| !self.estimable[j])
                .map(|&j| self.coef_names[j].clone())
                .collect(),
            partial_na_assays,
            coefficients,
        }
    }
}

/// Assays with some but not all coefficients NaN (limma's "Partial NA coefficients").
fn partial_na(coefficients: &Array2<f64>) -> usize {
    let p = coefficients.ncols();
    coefficients
        .rows()
        .into_iter()
        .filter(|r| {
            let na = r.iter().filter(|v| v.is_nan()).count();
            p > 1 && na > 0 && na < p
        })
        .count()
}

/// One assay's least-squares results.
struct AssayFit {
    coef: Vec<f64>,
    stdev: Vec<f64>,
    sigma: f64,
    df: f64,
    amean: f64,
}

/// Fits `y[i, ] ~ design` by least squares for every assay i, as limma's `lmFit`.
///
/// `y` is assays × samples with NaN for missing values; `design` is samples ×
/// coefficients (e.g. R's `model.matrix`). Assays without missing values share
/// one QR factorisation of `design`; an assay with missing values is refitted
/// on its observed samples, with its own rank and residual df. Rank is found
/// as R's `qr()` does (LINPACK `dqrdc2`, tolerance 1e-7, keeping column order).
/// Assays are fitted in parallel; the result does not depend on the thread count.
///
/// # Errors
/// Mismatched dimensions, an empty or non-finite design, or a wrong number of names.
///
/// # References
/// Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
/// differential expression in microarray experiments. *Statistical Applications
/// in Genetics and Molecular Biology* 3, Article 3. doi:10.2202/1544-6115.1027
pub fn lm_fit(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    coef_names: &[String],
) -> Result<LinearModelFit, LimmaError> {
    check_design(y, design, coef_names)?;
    let p = design.ncols();
    let full = Qr::new(design, QR_TOL);
    let full_stdev = full.stdev_unscaled();
    // The refit of an assay with missing values depends on the design and on which
    // samples are observed, not on the values: factorise once per missingness
    // pattern (real deliveries repeat patterns: a failed sample, a plate) and solve
    // every assay sharing it. Same arithmetic as one factorisation per assay.
    let groups = missingness_groups(y);
    let group_fits: Vec<Vec<(usize, AssayFit)>> = groups
        .into_par_iter()
        .map(|rows| fit_pattern(y, design, &rows, &full, &full_stdev))
        .collect();
    let mut fits: Vec<Option<AssayFit>> = (0..y.nrows()).map(|_| None).collect();
    for (i, f) in group_fits.into_iter().flatten() {
        fits[i] = Some(f);
    }
    let fits: Vec<AssayFit> = fits.into_iter().flatten().collect();
    let g = fits.len();
    let mut coefficients = Array2::from_elem((g, p), f64::NAN);
    let mut stdev_unscaled = Array2::from_elem((g, p), f64::NAN);
    for (i, f) in fits.iter().enumerate() {
        coefficients.row_mut(i).assign(&ArrayView1::from(&f.coef));
        stdev_unscaled
            .row_mut(i)
            .assign(&ArrayView1::from(&f.stdev));
    }
    let estimable = estimable_columns(&full, p);
    let not_estimable = (0..p)
        .filter(|&j| !estimable[j])
        .map(|j| coef_names[j].clone())
        .collect();
    let partial_na_assays = partial_na(&coefficients);
    Ok(LinearModelFit {
        coefficients,
        stdev_unscaled,
        sigma: fits.iter().map(|f| f.sigma).collect(),
        df_residual: fits.iter().map(|f| f.df).collect(),
        amean: fits.iter().map(|f| f.amean).collect(),
        cov_coefficients: full_cov(&full, p),
        coef_names: coef_names.to_vec(),
        estimable,
        not_estimable,
        partial_na_assays,
    })
}

/// Validates the shapes and values of the inputs of [`lm_fit`].
fn check_design(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    coef_names: &[String],
) -> Result<(), LimmaError> {
    if design.nrows() != y.ncols() {
        return Err(LimmaError::DesignRowsMismatch {
            design_rows: design.nrows(),
            samples: y.ncols(),
        });
    }
    if design.ncols() == 0 {
        return Err(LimmaError::EmptyDesign);
    }
    if coef_names.len() != design.ncols() {
        return Err(LimmaError::NamesMismatch {
            what: "coefficient",
            names: coef_names.len(),
            expected: design.ncols(),
        });
    }
    if let Some(((row, col), _)) = design.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LimmaError::NonFiniteDesign { row, col });
    }
    Ok(())
}

fn estimable_columns(qr: &Qr, p: usize) -> Vec<bool> {
    let mut est = vec![false; p];
    qr.pivot[..qr.rank].iter().for_each(|&j| est[j] = true);
    est
}

/// (XᵀX)⁻¹ of the full design, in original column order, NaN where not estimable.
fn full_cov(qr: &Qr, p: usize) -> Array2<f64> {
    let k = qr.rank;
    let cov = qr.unscaled_cov();
    let mut out = Array2::from_elem((p, p), f64::NAN);
    for a in 0..k {
        for b in 0..k {
            out[[qr.pivot[a], qr.pivot[b]]] = cov[a * k + b];
        }
    }
    out
}

/// Groups assay rows by their set of observed samples, in order of first row, so
/// results do not depend on the thread count.
fn missingness_groups(y: ArrayView2<f64>) -> Vec<Vec<usize>> {
    let mut index: std::collections::HashMap<Vec<u64>, usize> = std::collections::HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, row) in y.rows().into_iter().enumerate() {
        let mut key = vec![0u64; row.len().div_ceil(64)];
        for (j, v) in row.iter().enumerate() {
            if v.is_finite() {
                key[j / 64] |= 1 << (j % 64);
            }
        }
        let next = groups.len();
        let g = *index.entry(key).or_insert(next);
        if g == next {
            groups.push(Vec::new());
        }
        groups[g].push(i);
    }
    groups
}

/// Fits the assays of one missingness pattern: the shared factorisation when fully
/// observed, else one refit on the observed samples.
fn fit_pattern(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    rows: &[usize],
    full: &Qr,
    full_stdev: &[f64],
) -> Vec<(usize, AssayFit)> {
    let first = y.row(rows[0]);
    let obs: Vec<usize> = (0..first.len()).filter(|&j| first[j].is_finite()).collect();
    let p = design.ncols();
    if obs.len() == first.len() {
        return rows
            .iter()
            .map(|&i| {
                (
                    i,
                    solve(full, y.row(i).to_vec(), full_stdev, mean_observed(y.row(i))),
                )
            })
            .collect();
    }
    if obs.is_empty() {
        return rows
            .iter()
            .map(|&i| {
                let nan = vec![f64::NAN; p];
                let fit = AssayFit {
                    coef: nan.clone(),
                    stdev: nan,
                    sigma: f64::NAN,
                    df: 0.0,
                    amean: f64::NAN,
                };
                (i, fit)
            })
            .collect();
    }
    let sub = design.select(Axis(0), &obs);
    let qr = Qr::new(sub.view(), QR_TOL);
    let stdev = qr.stdev_unscaled();
    rows.iter()
        .map(|&i| {
            let yi = y.row(i);
            let values = obs.iter().map(|&j| yi[j]).collect();
            (i, solve(&qr, values, &stdev, mean_observed(yi)))
        })
        .collect()
}

/// Coefficients, residual df and sigma of one response given its design's QR.
fn solve(qr: &Qr, mut y: Vec<f64>, stdev: &[f64], amean: f64) -> AssayFit {
    let n = y.len();
    qr.qty(&mut y);
    let coef = qr.coefficients(&y);
    let df = n - qr.rank;
    let sigma = if df > 0 {
        (y[qr.rank..].iter().map(|e| e * e).sum::<f64>() / df as f64).sqrt()
    } else {
        f64::NAN
    };
    AssayFit {
        coef,
        stdev: stdev.to_vec(),
        sigma,
        df: df as f64,
        amean,
    }
}

/// Mean of the non-NaN values (compensated sum, like R's long-double `rowMeans`).
fn mean_observed(y: ArrayView1<f64>) -> f64 {
    let n = y.iter().filter(|v| !v.is_nan()).count();
    if n == 0 {
        return f64::NAN;
    }
    npxkit_stats::summary::long_sum(y.iter().copied().filter(|v| !v.is_nan())) / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn test_lm_fit_two_groups_with_missing_value() {
        let y = array![[1.0, 2.0, 3.0, 5.0], [1.0, f64::NAN, 4.0, 6.0]];
        let d = array![[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]];
        let fit = lm_fit(y.view(), d.view(), &names(&["(Intercept)", "g"])).unwrap();
        assert!((fit.coefficients[[0, 1]] - 2.5).abs() < 1e-14);
        assert_eq!(fit.df_residual.to_vec(), vec![2.0, 1.0]);
        assert!((fit.coefficients[[1, 1]] - 4.0).abs() < 1e-14);
        assert!((fit.stdev_unscaled[[1, 1]] - 1.5f64.sqrt()).abs() < 1e-14);
        assert!((fit.amean[1] - 11.0 / 3.0).abs() < 1e-14);
        assert!((fit.sigma[0] - 1.25f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn test_lm_fit_reports_non_estimable() {
        let y = array![[1.0, 2.0, 3.0, 5.0]];
        let d = array![
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0]
        ];
        let fit = lm_fit(y.view(), d.view(), &names(&["a", "b", "c"])).unwrap();
        assert_eq!(fit.not_estimable, names(&["c"]));
        assert!(fit.coefficients[[0, 2]].is_nan() && fit.cov_coefficients[[2, 2]].is_nan());
        assert_eq!(fit.df_residual[0], 2.0);
    }

    #[test]
    fn test_select_coefs_moderates_identically() {
        use crate::ebayes::{ebayes, EbayesOptions};
        let design = array![
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 1.0],
            [1.0, 1.0, 0.0],
            [1.0, 1.0, 1.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 1.0]
        ];
        let y = array![
            [1.0, 2.1, 3.0, 4.2, 1.4, 3.9],
            [2.0, f64::NAN, 2.5, 3.1, 2.2, 3.3],
            [0.5, 0.7, 1.9, 2.0, 0.1, 2.6],
            [3.0, 3.3, 2.9, 3.8, 3.1, 3.2]
        ];
        let fit = lm_fit(y.view(), design.view(), &names(&["a", "b", "c"])).unwrap();
        let all = ebayes(&fit, &EbayesOptions::default()).unwrap();
        let sub = ebayes(&fit.select_coefs(&[2]), &EbayesOptions::default()).unwrap();
        for i in 0..4 {
            assert_eq!(all.t[[i, 2]].to_bits(), sub.t[[i, 0]].to_bits());
            assert_eq!(all.p_value[[i, 2]].to_bits(), sub.p_value[[i, 0]].to_bits());
            let (a, b) = (all.lods.as_ref().unwrap(), sub.lods.as_ref().unwrap());
            assert_eq!(a[[i, 2]].to_bits(), b[[i, 0]].to_bits());
        }
    }

    #[test]
    fn test_lm_fit_degenerate_inputs() {
        let d = array![[1.0], [1.0]];
        let empty = Array2::<f64>::zeros((0, 2));
        let fit = lm_fit(empty.view(), d.view(), &names(&["a"])).unwrap();
        assert_eq!(fit.n_assays(), 0);
        let y = array![[f64::NAN, f64::NAN], [3.0, f64::NAN]];
        let fit = lm_fit(y.view(), d.view(), &names(&["a"])).unwrap();
        assert!(fit.coefficients[[0, 0]].is_nan() && fit.sigma[1].is_nan());
        assert_eq!(fit.df_residual.to_vec(), vec![0.0, 0.0]);
        let bad = lm_fit(y.view(), array![[1.0]].view(), &names(&["a"]));
        assert!(matches!(bad, Err(LimmaError::DesignRowsMismatch { .. })));
    }
}
