//! Re-expressing a fit in terms of contrasts of its coefficients, as limma's
//! `contrasts.fit`.

use crate::error::LimmaError;
use crate::lm_fit::LinearModelFit;
use ndarray::{Array2, ArrayView2, Axis};

/// Correlations below this (in absolute value) count as orthogonal coefficients
/// (limma's 1e-14 in `contrasts.fit`).
const ORTHOGONAL_TOL: f64 = 1e-14;
/// Standard error given to NaN coefficients so that contrasts using them come out NaN.
const NA_COEF_STDEV: f64 = 1e30;
/// Contrast standard errors above this are set to NaN (limma's 1e20).
const NA_CONTRAST_STDEV: f64 = 1e20;

/// Computes estimated contrasts and their unscaled standard errors, as limma's `contrasts.fit`.
///
/// `contrasts` is coefficients × contrasts. When the design's coefficients are
/// correlated (non-orthogonal design), each assay's standard errors are
/// computed through the Cholesky factor of the coefficient correlation matrix
/// as limma does. Coefficients that are NaN for an assay (from missing values)
/// make every contrast that uses them NaN for that assay.
///
/// # Errors
/// Wrong dimensions, non-finite entries, or a contrast that puts weight on a
/// coefficient the design cannot estimate ([`LimmaError::NonEstimableContrast`]).
///
/// # References
/// Smyth, G. K. (2004). doi:10.2202/1544-6115.1027
pub fn contrasts_fit(
    fit: &LinearModelFit,
    contrasts: ArrayView2<f64>,
    contrast_names: &[String],
) -> Result<LinearModelFit, LimmaError> {
    check_contrasts(fit, contrasts, contrast_names)?;
    // Keep coefficients that are estimable and used by some contrast.
    let keep: Vec<usize> = (0..fit.n_coefs())
        .filter(|&j| fit.estimable[j] && contrasts.row(j).iter().any(|&c| c != 0.0))
        .collect();
    let c = contrasts.select(Axis(0), &keep);
    let mut coef = fit.coefficients.select(Axis(1), &keep);
    let mut su = fit.stdev_unscaled.select(Axis(1), &keep);
    let cov = fit
        .cov_coefficients
        .select(Axis(0), &keep)
        .select(Axis(1), &keep);
    let cor = cov_to_cor(&cov);
    let na = coef.mapv(f64::is_nan);
    coef.zip_mut_with(&na, |v, &isna| {
        if isna {
            *v = 0.0
        }
    });
    su.zip_mut_with(&na, |v, &isna| {
        if isna {
            *v = NA_COEF_STDEV
        }
    });
    let mut new_coef = coef.dot(&c);
    let mut new_su = if is_orthogonal(&cor) {
        su.mapv(|v| v * v).dot(&c.mapv(|v| v * v)).mapv(f64::sqrt)
    } else {
        correlated_stdev(&su, &c, &cholesky_upper(&cor))
    };
    for (b, s) in new_coef.iter_mut().zip(new_su.iter_mut()) {
        if *s > NA_CONTRAST_STDEV {
            *b = f64::NAN;
            *s = f64::NAN;
        }
    }
    let k = contrasts.ncols();
    Ok(LinearModelFit {
        coefficients: new_coef,
        stdev_unscaled: new_su,
        cov_coefficients: c.t().dot(&cov).dot(&c),
        coef_names: contrast_names.to_vec(),
        estimable: vec![true; k],
        not_estimable: Vec::new(),
        partial_na_assays: 0,
        ..fit.clone()
    })
}

/// Validates the contrast matrix against the fit.
fn check_contrasts(
    fit: &LinearModelFit,
    contrasts: ArrayView2<f64>,
    names: &[String],
) -> Result<(), LimmaError> {
    if contrasts.nrows() != fit.n_coefs() {
        return Err(LimmaError::ContrastRowsMismatch {
            rows: contrasts.nrows(),
            coefs: fit.n_coefs(),
        });
    }
    if names.len() != contrasts.ncols() {
        return Err(LimmaError::NamesMismatch {
            what: "contrast",
            names: names.len(),
            expected: contrasts.ncols(),
        });
    }
    if let Some(((row, col), _)) = contrasts.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LimmaError::NonFiniteContrast { row, col });
    }
    for ((row, col), &v) in contrasts.indexed_iter() {
        if v != 0.0 && !fit.estimable[row] {
            return Err(LimmaError::NonEstimableContrast {
                contrast: names[col].clone(),
                coefficient: fit.coef_names[row].clone(),
            });
        }
    }
    Ok(())
}

/// Correlation matrix of a covariance matrix, as R's `cov2cor`.
fn cov_to_cor(cov: &Array2<f64>) -> Array2<f64> {
    let inv_sd: Vec<f64> = cov.diag().iter().map(|v| (1.0 / v).sqrt()).collect();
    let mut cor = cov.clone();
    for ((i, j), v) in cor.indexed_iter_mut() {
        *v = if i == j {
            1.0
        } else {
            inv_sd[i] * *v * inv_sd[j]
        };
    }
    cor
}

fn is_orthogonal(cor: &Array2<f64>) -> bool {
    cor.indexed_iter()
        .filter(|((i, j), _)| i > j)
        .all(|(_, v)| v.abs() < ORTHOGONAL_TOL)
}

/// Upper-triangular R with RᵀR = a, as R's `chol`.
fn cholesky_upper(a: &Array2<f64>) -> Array2<f64> {
    let n = a.nrows();
    let mut r = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let s: f64 = (0..j).map(|k| r[[k, j]] * r[[k, j]]).sum();
        r[[j, j]] = (a[[j, j]] - s).sqrt();
        for i in (j + 1)..n {
            let s: f64 = (0..j).map(|k| r[[k, j]] * r[[k, i]]).sum();
            r[[j, i]] = (a[[j, i]] - s) / r[[j, j]];
        }
    }
    r
}

/// Per-assay contrast standard errors sqrt(colSums((R · diag(su) · C)²)).
fn correlated_stdev(su: &Array2<f64>, c: &Array2<f64>, r: &Array2<f64>) -> Array2<f64> {
    let mut out = Array2::<f64>::zeros((su.nrows(), c.ncols()));
    for (i, s) in su.rows().into_iter().enumerate() {
        let mut uc = c.clone();
        for (mut row, &sv) in uc.rows_mut().into_iter().zip(s.iter()) {
            row.mapv_inplace(|v| v * sv);
        }
        let ruc = r.dot(&uc);
        for (j, col) in ruc.columns().into_iter().enumerate() {
            out[[i, j]] = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lm_fit::lm_fit;
    use ndarray::array;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn test_contrasts_fit_group_means_difference() {
        let y = array![[1.0, 2.0, 3.0, 5.0, 8.0, 9.0]];
        let d = array![
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0]
        ];
        let fit = lm_fit(y.view(), d.view(), &names(&["A", "B", "C"])).unwrap();
        let c = array![[-1.0, 0.0], [1.0, -1.0], [0.0, 1.0]];
        let cf = contrasts_fit(&fit, c.view(), &names(&["B-A", "C-B"])).unwrap();
        assert!((cf.coefficients[[0, 0]] - 2.5).abs() < 1e-14);
        assert!((cf.coefficients[[0, 1]] - 4.5).abs() < 1e-14);
        assert!((cf.stdev_unscaled[[0, 0]] - 1.0).abs() < 1e-14);
        assert!((cf.cov_coefficients[[0, 1]] + 0.5).abs() < 1e-14);
    }

    #[test]
    fn test_contrasts_fit_rejects_non_estimable() {
        let y = array![[1.0, 2.0, 3.0, 5.0]];
        let d = array![
            [1.0, 0.0, 0.0],
            [1.0, 0.0, 0.0],
            [1.0, 1.0, 1.0],
            [1.0, 1.0, 1.0]
        ];
        let fit = lm_fit(y.view(), d.view(), &names(&["a", "b", "c"])).unwrap();
        let c = array![[0.0], [1.0], [-1.0]];
        let err = contrasts_fit(&fit, c.view(), &names(&["b-c"])).unwrap_err();
        assert!(
            matches!(err, LimmaError::NonEstimableContrast { ref coefficient, .. } if coefficient == "c")
        );
        let c = array![[0.0], [1.0], [0.0]];
        let ok = contrasts_fit(&fit, c.view(), &names(&["b"])).unwrap();
        assert!((ok.coefficients[[0, 0]] - 2.5).abs() < 1e-14);
    }
}
