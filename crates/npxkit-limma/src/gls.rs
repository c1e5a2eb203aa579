//! Generalized least squares with a common intra-block correlation, as limma's
//! `lmFit(y, design, block = block, correlation = rho)` (`gls.series`).
//!
//! Samples in the same block have correlation `rho`, samples in different
//! blocks are independent, all with one variance per assay. limma whitens by
//! the Cholesky factor of that correlation matrix (restricted to each assay's
//! observed samples) and fits by least squares. The GLS estimates, their
//! unscaled standard errors and the residual variance do not depend on which
//! square root of the inverse correlation matrix whitens; here each block of
//! `m` observed samples is whitened by its symmetric inverse square root,
//! `y ↦ a·y + (c − a)·ȳ` with `a = 1/√(1 − rho)` and `c = 1/√(1 + (m − 1)·rho)`,
//! which costs O(samples) per assay instead of a triangular solve. The
//! factorisation of the whitened design is shared by all assays with the same
//! observed samples.

use crate::error::LimmaError;
use crate::lm_fit::LinearModelFit;
use crate::qr::{Qr, QR_TOL};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// Fits `y[i, ] ~ design` by generalized least squares for every assay, with
/// correlation `correlation` between samples of the same block, as limma's
/// `lmFit(y, design, block = block, correlation = correlation)`.
///
/// `correlation` is usually [`crate::duplicate_correlation`]'s `consensus`.
/// Assays with missing values are fitted on their observed samples, with the
/// correlation matrix restricted to them. The result is the same
/// [`LinearModelFit`] as [`crate::lm_fit()`]'s, ready for
/// [`crate::contrasts_fit()`], [`crate::ebayes()`] and [`crate::top_table()`];
/// `cov_coefficients` is that of the whitened full design, as limma's.
///
/// # Errors
/// Mismatched dimensions, an empty or non-finite design, a wrong number of
/// names or block labels, or a correlation that makes the correlation matrix
/// singular or indefinite (`|correlation| ≥ 1`, or `1 + (m − 1)·correlation ≤ 0`
/// for a block of `m` samples; R's `chol` stops there).
pub fn lm_fit_blocked<B: Ord>(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    coef_names: &[String],
    block: &[B],
    correlation: f64,
) -> Result<LinearModelFit, LimmaError> {
    check_inputs(y, design, block.len())?;
    if coef_names.len() != design.ncols() {
        return Err(LimmaError::NamesMismatch {
            what: "coefficient",
            names: coef_names.len(),
            expected: design.ncols(),
        });
    }
    if correlation.is_nan() || correlation.abs() >= 1.0 {
        return Err(LimmaError::InvalidOption {
            option: "correlation",
            reason: format!("{correlation} must be strictly between -1 and 1"),
        });
    }
    let (ids, n_blocks) = block_indices(block);
    let mut sizes = vec![0usize; n_blocks];
    ids.iter().for_each(|&b| sizes[b] += 1);
    let max_size = sizes.iter().copied().max().unwrap_or(0);
    if 1.0 + (max_size as f64 - 1.0) * correlation <= 0.0 {
        return Err(LimmaError::InvalidOption {
            option: "correlation",
            reason: format!(
                "{correlation} makes the correlation matrix of a block of {max_size} samples \
                 indefinite; it must exceed {}",
                -1.0 / (max_size as f64 - 1.0)
            ),
        });
    }
    let p = design.ncols();
    let all: Vec<usize> = (0..y.ncols()).collect();
    let full = Whitener::new(&all, &ids, correlation);
    let full_qr = Qr::new(full.apply_matrix(design).view(), QR_TOL);

    let groups = missingness_groups(y);
    let fits: Vec<Vec<(usize, AssayFit)>> = groups
        .into_par_iter()
        .map(|rows| fit_pattern(y, design, &ids, correlation, &rows))
        .collect();
    let g = y.nrows();
    let mut coefficients = Array2::from_elem((g, p), f64::NAN);
    let mut stdev_unscaled = Array2::from_elem((g, p), f64::NAN);
    let mut sigma = Array1::from_elem(g, f64::NAN);
    let mut df_residual = Array1::zeros(g);
    for (i, f) in fits.into_iter().flatten() {
        coefficients.row_mut(i).assign(&ArrayView1::from(&f.coef));
        stdev_unscaled
            .row_mut(i)
            .assign(&ArrayView1::from(&f.stdev));
        sigma[i] = f.sigma;
        df_residual[i] = f.df;
    }
    let amean = y.rows().into_iter().map(mean_observed).collect();
    let mut estimable = vec![false; p];
    full_qr.pivot[..full_qr.rank]
        .iter()
        .for_each(|&j| estimable[j] = true);
    let k = full_qr.rank;
    let cov = full_qr.unscaled_cov();
    let mut cov_coefficients = Array2::from_elem((p, p), f64::NAN);
    for a in 0..k {
        for b in 0..k {
            cov_coefficients[[full_qr.pivot[a], full_qr.pivot[b]]] = cov[a * k + b];
        }
    }
    let partial_na_assays = coefficients
        .rows()
        .into_iter()
        .filter(|r| {
            let na = r.iter().filter(|v| v.is_nan()).count();
            p > 1 && na > 0 && na < p
        })
        .count();
    Ok(LinearModelFit {
        coefficients,
        stdev_unscaled,
        sigma,
        df_residual,
        amean,
        cov_coefficients,
        coef_names: coef_names.to_vec(),
        not_estimable: (0..p)
            .filter(|&j| !estimable[j])
            .map(|j| coef_names[j].clone())
            .collect(),
        estimable,
        partial_na_assays,
    })
}

/// One assay's GLS results.
struct AssayFit {
    coef: Vec<f64>,
    stdev: Vec<f64>,
    sigma: f64,
    df: f64,
}

/// Fits the assays of one missingness pattern.
fn fit_pattern(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    ids: &[usize],
    correlation: f64,
    rows: &[usize],
) -> Vec<(usize, AssayFit)> {
    let p = design.ncols();
    let first = y.row(rows[0]);
    let obs: Vec<usize> = (0..first.len()).filter(|&j| first[j].is_finite()).collect();
    let n = obs.len();
    let nan = vec![f64::NAN; p];
    if n == 0 {
        return rows
            .iter()
            .map(|&i| {
                let fit = AssayFit {
                    coef: nan.clone(),
                    stdev: nan.clone(),
                    sigma: f64::NAN,
                    df: 0.0,
                };
                (i, fit)
            })
            .collect();
    }
    let whitener = Whitener::new(&obs, ids, correlation);
    let values = |i: usize| -> Vec<f64> {
        let yi = y.row(i);
        whitener.apply(&obs.iter().map(|&j| yi[j]).collect::<Vec<_>>())
    };
    let x = design.select(Axis(0), &obs);
    if x.iter().all(|&v| v == 0.0) {
        // gls.series: no coefficients, every observation is residual.
        return rows
            .iter()
            .map(|&i| {
                let w = values(i);
                let ss: f64 = w.iter().map(|v| v * v).sum();
                let fit = AssayFit {
                    coef: nan.clone(),
                    stdev: nan.clone(),
                    sigma: (ss / n as f64).sqrt(),
                    df: n as f64,
                };
                (i, fit)
            })
            .collect();
    }
    let qr = Qr::new(whitener.apply_matrix(x.view()).view(), QR_TOL);
    let stdev = qr.stdev_unscaled();
    let df = n - qr.rank;
    rows.iter()
        .map(|&i| {
            let mut w = values(i);
            qr.qty(&mut w);
            let sigma = if df > 0 {
                (w[qr.rank..].iter().map(|e| e * e).sum::<f64>() / df as f64).sqrt()
            } else {
                f64::NAN
            };
            let fit = AssayFit {
                coef: qr.coefficients(&w),
                stdev: stdev.clone(),
                sigma,
                df: df as f64,
            };
            (i, fit)
        })
        .collect()
}

/// The symmetric inverse square root of a block-exchangeable correlation
/// matrix on a set of samples.
struct Whitener {
    /// Block (0-based among the observed blocks) of each sample.
    block_of: Vec<usize>,
    /// Samples per block.
    sizes: Vec<f64>,
    /// `c − a` per block.
    shift: Vec<f64>,
    /// `1/√(1 − rho)`.
    a: f64,
}

impl Whitener {
    fn new(obs: &[usize], ids: &[usize], rho: f64) -> Whitener {
        let (block_of, nb) = block_indices(&obs.iter().map(|&j| ids[j]).collect::<Vec<_>>());
        let mut sizes = vec![0.0; nb];
        block_of.iter().for_each(|&b| sizes[b] += 1.0);
        let a = 1.0 / (1.0 - rho).sqrt();
        let shift = sizes
            .iter()
            .map(|&m| 1.0 / (1.0 + (m - 1.0) * rho).sqrt() - a)
            .collect();
        Whitener {
            block_of,
            sizes,
            shift,
            a,
        }
    }

    fn apply(&self, v: &[f64]) -> Vec<f64> {
        let mut sums = vec![0.0; self.sizes.len()];
        for (x, &b) in v.iter().zip(&self.block_of) {
            sums[b] += x;
        }
        v.iter()
            .zip(&self.block_of)
            .map(|(x, &b)| self.a * x + self.shift[b] * (sums[b] / self.sizes[b]))
            .collect()
    }

    fn apply_matrix(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let mut out = Array2::zeros(x.dim());
        for (j, col) in x.columns().into_iter().enumerate() {
            let w = self.apply(&col.to_vec());
            out.column_mut(j).assign(&ArrayView1::from(&w));
        }
        out
    }
}

/// Checks the shapes shared by [`lm_fit_blocked`] and
/// [`crate::duplicate_correlation`].
pub(crate) fn check_inputs(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    block_len: usize,
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
    if let Some(((row, col), _)) = design.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LimmaError::NonFiniteDesign { row, col });
    }
    if block_len != y.ncols() {
        return Err(LimmaError::NamesMismatch {
            what: "block",
            names: block_len,
            expected: y.ncols(),
        });
    }
    Ok(())
}

/// Block labels as indices 0..levels, in sorted label order (R's factor levels).
pub(crate) fn block_indices<B: Ord>(block: &[B]) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..block.len()).collect();
    order.sort_by(|&a, &b| block[a].cmp(&block[b]));
    let mut ids = vec![0usize; block.len()];
    let mut level = 0;
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && block[i] != block[order[k - 1]] {
            level += 1;
        }
        ids[i] = level;
    }
    let levels = if block.is_empty() { 0 } else { level + 1 };
    (ids, levels)
}

/// Groups assay rows by their set of observed (finite) samples, in order of
/// first row.
pub(crate) fn missingness_groups(y: ArrayView2<f64>) -> Vec<Vec<usize>> {
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

/// Mean of the non-NaN values, as R's `rowMeans(y, na.rm = TRUE)` (limma's `Amean`).
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

    #[test]
    fn test_zero_correlation_is_ordinary_least_squares() {
        let y = array![
            [1.0, 2.0, 3.5, 4.0, 2.2, 3.3],
            [2.0, f64::NAN, 0.0, 3.0, 1.0, 1.5]
        ];
        let d = array![
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [1.0, 1.0],
            [1.0, 0.0],
            [1.0, 1.0]
        ];
        let names: Vec<String> = vec!["a".into(), "b".into()];
        let ols = crate::lm_fit(y.view(), d.view(), &names).unwrap();
        let gls = lm_fit_blocked(y.view(), d.view(), &names, &[1, 1, 2, 2, 3, 3], 0.0).unwrap();
        for (a, b) in ols.coefficients.iter().zip(gls.coefficients.iter()) {
            assert!((a - b).abs() < 1e-14);
        }
        for (a, b) in ols.sigma.iter().zip(gls.sigma.iter()) {
            assert!((a - b).abs() < 1e-14);
        }
        assert_eq!(ols.df_residual, gls.df_residual);
    }

    #[test]
    fn test_invalid_correlation() {
        let y = array![[1.0, 2.0, 3.0]];
        let d = array![[1.0], [1.0], [1.0]];
        let names = vec!["a".to_string()];
        assert!(lm_fit_blocked(y.view(), d.view(), &names, &[1, 1, 1], 1.0).is_err());
        assert!(lm_fit_blocked(y.view(), d.view(), &names, &[1, 1, 1], -0.5).is_err());
        assert!(lm_fit_blocked(y.view(), d.view(), &names, &[1, 1, 1], -0.49).is_ok());
        assert!(lm_fit_blocked(y.view(), d.view(), &names, &[1, 1], 0.1).is_err());
    }
}
