//! The natural cubic spline regression of OlinkAnalyze's quantile smoothing:
//! `lm(y ~ splines::ns(x, knots = k))` and `predict()` at new points.
//!
//! [`NaturalSpline`] is the basis of R's `splines::ns` (intercept `FALSE`, boundary
//! knots the range of the training `x`): cubic B-splines on the knot vector with the
//! boundary knots repeated four times, the first B-spline dropped, restricted to the
//! null space of the second derivatives at both boundary knots; outside the boundary
//! knots every basis function continues linearly (value and first derivative at the
//! boundary), as `ns` does for prediction. R builds the null space from the QR of the
//! constraint matrix; any basis of the same space gives the same fitted values, which
//! is all `lm` + `predict` return, so this module uses its own Householder QR.
//! [`SplineFit`] is the least-squares fit with an intercept (Householder QR, as
//! `lm.fit`'s `dqrls`), and rejects a rank-deficient design instead of pivoting.
//!
//! # References
//! * de Boor C. (1978) *A Practical Guide to Splines*. Springer. (B-spline recursion
//!   and derivatives.)
//! * R Core Team, `splines::ns`, `splines::splineDesign`, `stats::lm.fit`.

/// Relative tolerance for a column of the design to count as linearly dependent on
/// the columns before it: `lm.fit`'s default `tol = 1e-7`.
pub const RANK_TOL: f64 = 1e-7;

/// Order of the B-splines (cubic).
const ORDER: usize = 4;

/// The value (`deriv = 0`) or a derivative of every B-spline of order `k` on `knots`
/// at `x`, for `x` within the boundary knots (the right boundary belongs to the last
/// non-empty interval, as `splineDesign` has it).
fn bspline_all(knots: &[f64], k: usize, x: f64, deriv: usize) -> Vec<f64> {
    let nb = knots.len() - k;
    (0..nb).map(|i| bspline(knots, i, k, x, deriv)).collect()
}

/// One B-spline `B_{i,k}` (or its `deriv`-th derivative) at `x`.
fn bspline(t: &[f64], i: usize, k: usize, x: f64, deriv: usize) -> f64 {
    if k == 1 {
        if deriv > 0 {
            return 0.0;
        }
        let last = *t.last().unwrap_or(&f64::NAN);
        let inside = t[i] <= x && x < t[i + 1];
        // at the right end: the last non-empty interval
        let right_end = x == last && t[i] < t[i + 1] && t[i + 1] == last;
        return if inside || right_end { 1.0 } else { 0.0 };
    }
    let kf = (k - 1) as f64;
    let d1 = t[i + k - 1] - t[i];
    let d2 = t[i + k] - t[i + 1];
    if deriv > 0 {
        let a = if d1 > 0.0 {
            bspline(t, i, k - 1, x, deriv - 1) / d1
        } else {
            0.0
        };
        let b = if d2 > 0.0 {
            bspline(t, i + 1, k - 1, x, deriv - 1) / d2
        } else {
            0.0
        };
        return kf * (a - b);
    }
    let a = if d1 > 0.0 {
        (x - t[i]) / d1 * bspline(t, i, k - 1, x, 0)
    } else {
        0.0
    };
    let b = if d2 > 0.0 {
        (t[i + k] - x) / d2 * bspline(t, i + 1, k - 1, x, 0)
    } else {
        0.0
    };
    a + b
}

/// Householder QR of an `n × p` matrix stored by columns: returns the reflectors
/// (`v` with the convention `H = I - 2 v vᵀ / vᵀv`) and the diagonal of `R`; the
/// matrix is overwritten with `R` in its upper triangle.
fn householder(cols: &mut [Vec<f64>]) -> (Vec<Vec<f64>>, Vec<f64>) {
    let n = cols.first().map_or(0, Vec::len);
    let mut vs = Vec::with_capacity(cols.len());
    let mut diag = Vec::with_capacity(cols.len());
    for j in 0..cols.len() {
        let norm = cols[j][j..].iter().map(|v| v * v).sum::<f64>().sqrt();
        let alpha = if cols[j][j] > 0.0 { -norm } else { norm };
        let mut v = vec![0.0; n];
        v[j..].copy_from_slice(&cols[j][j..]);
        v[j] -= alpha;
        let vv: f64 = v[j..].iter().map(|a| a * a).sum();
        if vv > 0.0 {
            for c in cols.iter_mut().skip(j) {
                let s: f64 = (j..n).map(|r| v[r] * c[r]).sum::<f64>() * 2.0 / vv;
                for r in j..n {
                    c[r] -= s * v[r];
                }
            }
        }
        diag.push(alpha);
        vs.push(v);
    }
    (vs, diag)
}

/// Applies the reflectors in reverse order (`Q y` for `Q = H_1 … H_p`).
fn apply_q(vs: &[Vec<f64>], y: &mut [f64]) {
    for v in vs.iter().rev() {
        apply_h(v, y);
    }
}

/// Applies the reflectors in order (`Qᵀ y`).
fn apply_qt(vs: &[Vec<f64>], y: &mut [f64]) {
    for v in vs {
        apply_h(v, y);
    }
}

fn apply_h(v: &[f64], y: &mut [f64]) {
    let vv: f64 = v.iter().map(|a| a * a).sum();
    if vv > 0.0 {
        let s: f64 = v.iter().zip(y.iter()).map(|(a, b)| a * b).sum::<f64>() * 2.0 / vv;
        for (yi, vi) in y.iter_mut().zip(v) {
            *yi -= s * vi;
        }
    }
}

/// The natural cubic spline basis of `splines::ns(x, knots)` (no intercept column).
#[derive(Debug, Clone)]
pub struct NaturalSpline {
    /// Knot vector: boundary knots four times each around the interior knots.
    aknots: Vec<f64>,
    /// Left and right boundary knots.
    boundary: (f64, f64),
    /// Orthonormal basis of the constrained space, one vector per output column, each
    /// of the length of the B-spline basis without its first function.
    null_space: Vec<Vec<f64>>,
}

impl NaturalSpline {
    /// The basis with `knots` inside the boundary knots `(lo, hi)`; `knots` must be
    /// sorted and strictly inside `lo < hi`.
    pub fn new(knots: &[f64], lo: f64, hi: f64) -> Self {
        let mut aknots = vec![lo; ORDER];
        aknots.extend_from_slice(knots);
        aknots.extend(std::iter::repeat_n(hi, ORDER));
        // second derivatives at both boundaries, first B-spline dropped
        let c_lo = bspline_all(&aknots, ORDER, lo, 2);
        let c_hi = bspline_all(&aknots, ORDER, hi, 2);
        let mut cols = vec![c_lo[1..].to_vec(), c_hi[1..].to_vec()];
        let (vs, _) = householder(&mut cols);
        let m = c_lo.len() - 1;
        let null_space = (2..m)
            .map(|j| {
                let mut e = vec![0.0; m];
                e[j] = 1.0;
                apply_q(&vs, &mut e);
                e
            })
            .collect();
        NaturalSpline {
            aknots,
            boundary: (lo, hi),
            null_space,
        }
    }

    /// Number of basis columns (interior knots + 1).
    pub fn ncol(&self) -> usize {
        self.null_space.len()
    }

    /// The basis row at `x` (linear continuation outside the boundary knots).
    pub fn row(&self, x: f64) -> Vec<f64> {
        let (lo, hi) = self.boundary;
        let b: Vec<f64> = if x < lo || x > hi {
            let pivot = if x < lo { lo } else { hi };
            let v = bspline_all(&self.aknots, ORDER, pivot, 0);
            let d = bspline_all(&self.aknots, ORDER, pivot, 1);
            v.iter().zip(&d).map(|(v, d)| v + (x - pivot) * d).collect()
        } else {
            bspline_all(&self.aknots, ORDER, x, 0)
        };
        self.null_space
            .iter()
            .map(|q| q.iter().zip(&b[1..]).map(|(a, b)| a * b).sum())
            .collect()
    }
}

/// `lm(y ~ ns(x, knots))`, ready to predict.
#[derive(Debug, Clone)]
pub struct SplineFit {
    basis: NaturalSpline,
    coef: Vec<f64>,
}

impl SplineFit {
    /// Fits `y ~ 1 + ns(x, knots)` by least squares, boundary knots `range(x)`.
    /// `None` when the design is rank-deficient (R would drop columns and warn), when
    /// `x` and `y` differ in length, or when there are fewer points than coefficients.
    pub fn fit(x: &[f64], y: &[f64], knots: &[f64]) -> Option<Self> {
        let n = x.len();
        if n != y.len() || n == 0 {
            return None;
        }
        let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if lo >= hi
            || lo.is_nan()
            || hi.is_nan()
            || knots.iter().any(|&k| k.is_nan() || k <= lo || k >= hi)
        {
            return None;
        }
        let basis = NaturalSpline::new(knots, lo, hi);
        let p = basis.ncol() + 1;
        if n < p {
            return None;
        }
        let mut cols = vec![vec![1.0; n]];
        let rows: Vec<Vec<f64>> = x.iter().map(|&v| basis.row(v)).collect();
        for j in 0..basis.ncol() {
            cols.push(rows.iter().map(|r| r[j]).collect());
        }
        let norms: Vec<f64> = cols
            .iter()
            .map(|c| c.iter().map(|v| v * v).sum::<f64>().sqrt())
            .collect();
        let (vs, diag) = householder(&mut cols);
        if diag
            .iter()
            .zip(&norms)
            .any(|(d, nrm)| d.abs() <= RANK_TOL * nrm)
        {
            return None;
        }
        let mut qty = y.to_vec();
        apply_qt(&vs, &mut qty);
        // back substitution with R (upper triangle of cols, diagonal in diag)
        let mut coef = vec![0.0; p];
        for j in (0..p).rev() {
            let mut s = qty[j];
            for (k, c) in coef.iter().enumerate().skip(j + 1) {
                s -= cols[k][j] * c;
            }
            coef[j] = s / diag[j];
        }
        Some(SplineFit { basis, coef })
    }

    /// The prediction at `x` (NaN for NaN).
    pub fn predict(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let row = self.basis.row(x);
        self.coef[0]
            + row
                .iter()
                .zip(&self.coef[1..])
                .map(|(a, b)| a * b)
                .sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_bspline_partition_of_unity() {
        let s = NaturalSpline::new(&[0.2, 0.5, 0.7], 0.0, 1.0);
        let t = &s.aknots;
        for &x in &[0.0, 0.1, 0.5, 0.99, 1.0] {
            let sum: f64 = bspline_all(t, ORDER, x, 0).iter().sum();
            assert!((sum - 1.0).abs() < 1e-14, "x = {x}: {sum}");
        }
        assert_eq!(s.ncol(), 4);
    }

    #[test]
    fn test_spline_fit_reproduces_a_line() {
        // a straight line lies in the natural spline space: exact fit, exact
        // extrapolation
        let x: Vec<f64> = (0..30).map(|i| i as f64 / 3.0).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 - 0.5 * v).collect();
        let fit = SplineFit::fit(&x, &y, &[2.0, 4.0, 6.0, 8.0]).unwrap();
        for &v in &[-3.0, 0.0, 5.5, 9.6667, 14.0] {
            assert!((fit.predict(v) - (2.0 - 0.5 * v)).abs() < 1e-10);
        }
    }

    #[test]
    fn test_spline_fit_rank_deficient() {
        let x = [0.0, 1.0, 2.0];
        assert!(SplineFit::fit(&x, &[1.0, 2.0, 3.0], &[0.5, 1.5]).is_none());
    }
}
