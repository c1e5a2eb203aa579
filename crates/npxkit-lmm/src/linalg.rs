//! Small dense linear algebra on `ndarray` matrices: Cholesky, triangular
//! solves, symmetric inverse, the Jacobi eigen-decomposition of a symmetric
//! matrix and least-squares residuals. The matrices are tiny (fixed effects ×
//! fixed effects, variance parameters, levels of a grouping factor), so no
//! LAPACK is needed.

use ndarray::{Array1, Array2};

/// Lower Cholesky factor of a symmetric positive definite matrix; `None` when
/// a pivot is not positive (relative to the diagonal, `tol`). Also returns the
/// index of the failing column.
pub(crate) fn cholesky(a: &Array2<f64>, tol: f64) -> Result<Array2<f64>, usize> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if !d.is_finite() || d <= tol * a[[j, j]].abs() {
            return Err(j);
        }
        let djj = d.sqrt();
        l[[j, j]] = djj;
        for i in (j + 1)..n {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / djj;
        }
    }
    Ok(l)
}

/// Solves `L x = b` in place for lower-triangular `L`.
pub(crate) fn forward_solve(l: &Array2<f64>, b: &mut [f64]) {
    let n = l.nrows();
    for i in 0..n {
        let mut s = b[i];
        for k in 0..i {
            s -= l[[i, k]] * b[k];
        }
        b[i] = s / l[[i, i]];
    }
}

/// Solves `L' x = b` in place for lower-triangular `L`.
pub(crate) fn backward_solve_t(l: &Array2<f64>, b: &mut [f64]) {
    let n = l.nrows();
    for i in (0..n).rev() {
        let mut s = b[i];
        for k in (i + 1)..n {
            s -= l[[k, i]] * b[k];
        }
        b[i] = s / l[[i, i]];
    }
}

/// `A⁻¹ b` from the Cholesky factor of `A`.
pub(crate) fn chol_solve(l: &Array2<f64>, b: &[f64]) -> Vec<f64> {
    let mut x = b.to_vec();
    forward_solve(l, &mut x);
    backward_solve_t(l, &mut x);
    x
}

/// `A⁻¹` from the Cholesky factor of `A` (symmetrised).
pub(crate) fn chol_inverse(l: &Array2<f64>) -> Array2<f64> {
    let n = l.nrows();
    let mut inv = Array2::<f64>::zeros((n, n));
    let mut e = vec![0.0; n];
    for j in 0..n {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        let col = chol_solve(l, &e);
        for i in 0..n {
            inv[[i, j]] = col[i];
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (inv[[i, j]] + inv[[j, i]]);
            inv[[i, j]] = m;
            inv[[j, i]] = m;
        }
    }
    inv
}

/// Eigen-decomposition of a symmetric matrix: eigenvalues in decreasing order and the
/// eigenvectors as columns (the workspace's one solver, `npxkit_stats::eigen`).
pub(crate) fn sym_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    npxkit_stats::eigen::symmetric_eigen_sorted(a.clone())
}

/// Residuals of the least-squares fit of each column of `y` on the columns of
/// `x` (R's `resid(lm.fit(x, y))`), with rank-deficient `x` handled by
/// Gram–Schmidt with R's default `lm.fit` tolerance (1e-7) on the column norms.
pub(crate) fn lsq_residuals(x: &Array2<f64>, y: &Array2<f64>) -> Array2<f64> {
    const TOL: f64 = 1e-7;
    let n = x.nrows();
    let mut basis: Vec<Array1<f64>> = Vec::new();
    for c in 0..x.ncols() {
        let mut v = x.column(c).to_owned();
        let norm0 = v.dot(&v).sqrt();
        for _ in 0..2 {
            for b in &basis {
                let d = b.dot(&v);
                v.scaled_add(-d, b);
            }
        }
        let norm = v.dot(&v).sqrt();
        if norm0 > 0.0 && norm > TOL * norm0 {
            basis.push(v / norm);
        }
    }
    let mut out = Array2::<f64>::zeros((n, y.ncols()));
    for c in 0..y.ncols() {
        let mut v = y.column(c).to_owned();
        for _ in 0..2 {
            for b in &basis {
                let d = b.dot(&v);
                v.scaled_add(-d, b);
            }
        }
        out.column_mut(c).assign(&v);
    }
    out
}

/// R's `zapsmall(x, digits = 7)` on a whole matrix: rounds to
/// `round(7 - log10(max|x|))` decimal places (see `zap_digits`).
pub(crate) fn zapsmall(x: &mut Array2<f64>) {
    let mx = x.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let digits = zap_digits(mx);
    x.mapv_inplace(|v| round_digits(v, digits));
}

/// R's `zapsmall` on a vector.
pub(crate) fn zapsmall_vec(x: &[f64]) -> Vec<f64> {
    let mx = x
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0_f64, |m, v| m.max(v.abs()));
    let digits = zap_digits(mx);
    x.iter().map(|&v| round_digits(v, digits)).collect()
}

/// The decimal places R 4.2's `zapsmall` rounds to: `digits - log10(max)`,
/// which `round()` then rounds half up to an integer (R rounds a fractional
/// `digits` argument to the nearest integer).
fn zap_digits(mx: f64) -> i32 {
    if mx > 0.0 {
        ((7.0 - mx.log10()).max(0.0) + 0.5).floor() as i32
    } else {
        7
    }
}

/// Rounds to `d` decimal places (R's `round(x, d)` up to ties).
pub(crate) fn round_digits(v: f64, d: i32) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let p = 10f64.powi(d);
    let r = (v * p).round() / p;
    if r.is_finite() {
        r
    } else {
        v
    }
}

/// `a' M b` for vectors and a square matrix.
pub(crate) fn qform(a: &[f64], m: &Array2<f64>, b: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..a.len() {
        let mut t = 0.0;
        for j in 0..b.len() {
            t += m[[i, j]] * b[j];
        }
        s += a[i] * t;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_zapsmall() {
        let mut x = array![[1.0 / 3.0, 1e-12], [-2.0, 0.5]];
        zapsmall(&mut x);
        assert_eq!(x[[0, 0]], 0.333_333_3); // R: 7 - log10(2) = 6.7 rounds to 7
        let mut y = array![[1.0 / 3.0, 5.0]];
        zapsmall(&mut y);
        assert_eq!(y[[0, 0]], 0.333_333); // 7 - log10(5) = 6.3 rounds to 6
        assert_eq!(x[[0, 1]], 0.0);
    }
}
