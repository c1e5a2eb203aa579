//! Natural cubic spline basis placed as R's `splines::ns(x, df, intercept = TRUE)`,
//! used by the variance trend of `fitFDist`.
//!
//! Interior knots sit at type-7 quantiles of `x`; the basis is the cubic
//! B-spline basis projected onto the null space of the second-derivative
//! constraints at the two boundary knots, through the same QR as R.

use crate::qr::{Qr, QR_TOL};
use ndarray::Array2;

/// Order of cubic B-splines.
const CUBIC_ORDER: usize = 4;

/// A natural cubic spline basis with intercept.
#[derive(Debug, Clone)]
pub(crate) struct NaturalSpline {
    knots: Vec<f64>,
    boundary: (f64, f64),
    constraint_qr: Qr,
}

/// Type-7 sample quantile of sorted data, as R's `quantile(x, p)`.
pub(crate) fn quantile_sorted(sorted: &[f64], prob: f64) -> f64 {
    let n = sorted.len();
    let index = (n - 1) as f64 * prob;
    let lo = index.floor() as usize;
    let hi = index.ceil() as usize;
    let q = sorted[lo];
    let h = index - lo as f64;
    if index > lo as f64 && sorted[hi] != q {
        (1.0 - h) * q + h * sorted[hi]
    } else {
        q
    }
}

impl NaturalSpline {
    /// Knots and constraints of `ns(x, df = df, intercept = TRUE)`; `df >= 2`.
    pub(crate) fn new(x: &[f64], df: usize) -> NaturalSpline {
        let mut sorted = x.to_vec();
        sorted.sort_by(f64::total_cmp);
        let boundary = (sorted[0], sorted[sorted.len() - 1]);
        let n_interior = df - 2;
        let step = 1.0 / (n_interior + 1) as f64;
        let interior: Vec<f64> = (1..=n_interior)
            .map(|i| quantile_sorted(&sorted, i as f64 * step))
            .collect();
        let mut knots = vec![boundary.0; CUBIC_ORDER];
        knots.extend(interior);
        knots.extend(std::iter::repeat_n(boundary.1, CUBIC_ORDER));
        knots.sort_by(f64::total_cmp);
        let m = knots.len() - CUBIC_ORDER;
        // t(const): one column per boundary, the B-splines' second derivatives there.
        let mut tconst = Array2::<f64>::zeros((m, 2));
        for (c, &b) in [boundary.0, boundary.1].iter().enumerate() {
            let d2 = bspline_values(&knots, CUBIC_ORDER, b, 2);
            tconst
                .column_mut(c)
                .iter_mut()
                .zip(d2)
                .for_each(|(t, v)| *t = v);
        }
        let constraint_qr = Qr::new(tconst.view(), QR_TOL);
        NaturalSpline {
            knots,
            boundary,
            constraint_qr,
        }
    }

    /// Basis matrix (points × df) at `x`, extrapolating linearly outside the
    /// boundary knots as R's `predict(ns)` does.
    pub(crate) fn basis(&self, x: &[f64]) -> Array2<f64> {
        let m = self.knots.len() - CUBIC_ORDER;
        let mut out = Array2::<f64>::zeros((x.len(), m - 2));
        for (i, &xi) in x.iter().enumerate() {
            let mut row = self.raw_basis(xi);
            self.constraint_qr.qty(&mut row);
            out.row_mut(i)
                .iter_mut()
                .zip(&row[2..])
                .for_each(|(o, v)| *o = *v);
        }
        out
    }

    /// Unconstrained cubic B-spline values at x (linear beyond the boundaries).
    fn raw_basis(&self, x: f64) -> Vec<f64> {
        let (lo, hi) = self.boundary;
        let pivot = if x < lo {
            lo
        } else if x > hi {
            hi
        } else {
            return bspline_values(&self.knots, CUBIC_ORDER, x, 0);
        };
        let value = bspline_values(&self.knots, CUBIC_ORDER, pivot, 0);
        let slope = bspline_values(&self.knots, CUBIC_ORDER, pivot, 1);
        value
            .iter()
            .zip(slope)
            .map(|(v, s)| v + (x - pivot) * s)
            .collect()
    }
}

/// Index μ of the knot interval [t_μ, t_μ+1) holding x, the last non-empty one at the right end.
fn knot_interval(t: &[f64], x: f64) -> usize {
    let last = (0..t.len() - 1)
        .rev()
        .find(|&i| t[i] < t[i + 1])
        .unwrap_or(0);
    (0..t.len() - 1)
        .find(|&i| t[i] <= x && x < t[i + 1])
        .unwrap_or(last)
}

/// Values (or `deriv`-th derivatives) of all B-splines of `order` on knots `t` at x.
fn bspline_values(t: &[f64], order: usize, x: f64, deriv: usize) -> Vec<f64> {
    let m = t.len() - order;
    if order == 1 {
        let mut b = vec![0.0; m];
        if deriv == 0 {
            b[knot_interval(t, x)] = 1.0;
        }
        return b;
    }
    let ratio = |num: f64, den: f64| if den == 0.0 { 0.0 } else { num / den };
    let k = order as f64;
    if deriv > 0 {
        let lower = bspline_values(t, order - 1, x, deriv - 1);
        return (0..m)
            .map(|i| {
                (k - 1.0)
                    * (ratio(lower[i], t[i + order - 1] - t[i])
                        - ratio(lower[i + 1], t[i + order] - t[i + 1]))
            })
            .collect();
    }
    let lower = bspline_values(t, order - 1, x, 0);
    (0..m)
        .map(|i| {
            ratio((x - t[i]) * lower[i], t[i + order - 1] - t[i])
                + ratio((t[i + order] - x) * lower[i + 1], t[i + order] - t[i + 1])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_quantile_type7() {
        let s = [1.0, 2.0, 4.0, 8.0];
        assert_eq!(quantile_sorted(&s, 0.5), 3.0);
        assert!((quantile_sorted(&s, 1.0 / 3.0) - 2.0).abs() < 1e-15);
        assert_eq!(quantile_sorted(&s, 1.0), 8.0);
    }

    #[test]
    fn test_bsplines_partition_unity() {
        let x: Vec<f64> = (0..20).map(|i| (i as f64 * 0.37).sin() * 3.0).collect();
        let ns = NaturalSpline::new(&x, 4);
        let knots = &ns.knots;
        for &xi in &[-3.0, -1.0, 0.2, 2.9, ns.boundary.1] {
            let s: f64 = bspline_values(knots, 4, xi, 0).iter().sum();
            assert!((s - 1.0).abs() < 1e-14);
        }
        // Natural splines span linear functions: columns reproduce 1 and x by least squares.
        let b = ns.basis(&x);
        assert_eq!(b.dim(), (20, 4));
    }
}
