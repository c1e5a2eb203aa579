//! Householder QR with R's limited column pivoting (LINPACK `dqrdc2`), the
//! factorisation behind R's `qr()`, `lm.fit()` and so limma's `lmFit`.
//!
//! Unlike LAPACK's pivoted QR, `dqrdc2` keeps the column order and only moves
//! a column to the end when its remaining norm has fallen below `tol` times
//! its original norm; the leading `rank` columns are then the estimable ones,
//! in their original order.

use ndarray::ArrayView2;

/// Rank tolerance of R's `qr()` and `lm.fit()` (`tol = 1e-07`).
pub(crate) const QR_TOL: f64 = 1e-7;

/// `dqrdc2` re-computes a column norm once its squared update factor drops below this.
const NORM_RECOMPUTE: f64 = 1e-6;

/// A compact QR factorisation of an n × p matrix.
#[derive(Debug, Clone)]
pub(crate) struct Qr {
    n: usize,
    p: usize,
    /// Column-major n × p: R in the upper triangle, Householder vectors below.
    a: Vec<f64>,
    qraux: Vec<f64>,
    /// `pivot[i]` is the original column now in position i.
    pub pivot: Vec<usize>,
    /// Number of linearly independent columns.
    pub rank: usize,
}

fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

fn axpy(t: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += t * xi);
}

fn nrm2(x: &[f64]) -> f64 {
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale
        * x.iter()
            .map(|v| (v / scale) * (v / scale))
            .sum::<f64>()
            .sqrt()
}

impl Qr {
    /// Factorises `x` (n × p) as R's `qr(x, tol)` with `LAPACK = FALSE`.
    pub(crate) fn new(x: ArrayView2<f64>, tol: f64) -> Qr {
        let (n, p) = x.dim();
        let mut a: Vec<f64> = x.t().iter().copied().collect();
        let mut qraux: Vec<f64> = (0..p).map(|j| nrm2(&a[j * n..(j + 1) * n])).collect();
        let mut work1 = qraux.clone();
        let mut work2: Vec<f64> = qraux
            .iter()
            .map(|&v| if v == 0.0 { 1.0 } else { v })
            .collect();
        let mut pivot: Vec<usize> = (0..p).collect();
        // `k` keeps dqrdc2's 1-based meaning: columns k.. are the negligible ones.
        let mut k = p + 1;
        for l in 0..n.min(p) {
            while l + 1 < k && qraux[l] < work2[l] * tol {
                a[l * n..].rotate_left(n);
                pivot[l..].rotate_left(1);
                qraux[l..].rotate_left(1);
                work1[l..].rotate_left(1);
                work2[l..].rotate_left(1);
                k -= 1;
            }
            if l + 1 == n {
                continue;
            }
            let (head, tail) = a.split_at_mut((l + 1) * n);
            let v = &mut head[l * n + l..];
            let mut nrmxl = nrm2(v);
            if nrmxl == 0.0 {
                continue;
            }
            if v[0] != 0.0 {
                nrmxl = nrmxl.copysign(v[0]);
            }
            v.iter_mut().for_each(|e| *e /= nrmxl);
            v[0] += 1.0;
            for j in (l + 1)..p {
                let col = &mut tail[(j - l - 1) * n..(j - l) * n];
                let t = -dot(v, &col[l..]) / v[0];
                axpy(t, v, &mut col[l..]);
                if qraux[j] != 0.0 {
                    let tt = (1.0 - (col[l].abs() / qraux[j]).powi(2)).max(0.0);
                    if tt.abs() < NORM_RECOMPUTE {
                        qraux[j] = nrm2(&col[l + 1..]);
                        work1[j] = qraux[j];
                    } else {
                        qraux[j] *= tt.sqrt();
                    }
                }
            }
            qraux[l] = v[0];
            v[0] = -nrmxl;
        }
        let rank = (k - 1).min(n);
        Qr {
            n,
            p,
            a,
            qraux,
            pivot,
            rank,
        }
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.a[j * self.n + i]
    }

    /// Overwrites `y` (length n) with Qᵀy, as R's `qr.qty` (the "effects").
    pub(crate) fn qty(&self, y: &mut [f64]) {
        let n = self.n;
        let ju = self.rank.min(n.saturating_sub(1));
        for j in 0..ju {
            let diag = self.qraux[j];
            if diag == 0.0 {
                continue;
            }
            let v = &self.a[j * n + j + 1..(j + 1) * n];
            let t = -(diag * y[j] + dot(v, &y[j + 1..])) / diag;
            y[j] += t * diag;
            axpy(t, v, &mut y[j + 1..]);
        }
    }

    /// Least-squares coefficients from Qᵀy, in the original column order
    /// (NaN for the non-estimable columns), as `lm.fit`'s `coefficients`.
    pub(crate) fn coefficients(&self, qty: &[f64]) -> Vec<f64> {
        let k = self.rank;
        let mut b = qty[..k].to_vec();
        for j in (0..k).rev() {
            b[j] /= self.at(j, j);
            if j > 0 {
                let t = -b[j];
                axpy(t, &self.a[j * self.n..j * self.n + j], &mut b[..j]);
            }
        }
        let mut out = vec![f64::NAN; self.p];
        for (i, &bi) in b.iter().enumerate() {
            out[self.pivot[i]] = bi;
        }
        out
    }

    /// (RᵀR)⁻¹ for the leading `rank` columns, row-major rank × rank in pivoted
    /// order, as R's `chol2inv(qr$qr, size = rank)`.
    pub(crate) fn unscaled_cov(&self) -> Vec<f64> {
        let k = self.rank;
        // Inverse of the upper-triangular R, column by column.
        let mut rinv = vec![0.0; k * k];
        for j in 0..k {
            rinv[j * k + j] = 1.0 / self.at(j, j);
            for i in (0..j).rev() {
                let s: f64 = ((i + 1)..=j).map(|m| self.at(i, m) * rinv[m * k + j]).sum();
                rinv[i * k + j] = -s / self.at(i, i);
            }
        }
        let mut cov = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                let start = i.max(j);
                cov[i * k + j] = (start..k).map(|m| rinv[i * k + m] * rinv[j * k + m]).sum();
            }
        }
        cov
    }

    /// The diagonal of R (`diag(qr$qr)`), length min(n, p), in pivoted order.
    pub(crate) fn r_diag(&self) -> Vec<f64> {
        (0..self.n.min(self.p)).map(|i| self.at(i, i)).collect()
    }

    /// sqrt(diag((RᵀR)⁻¹)) in the original column order (NaN where not estimable).
    pub(crate) fn stdev_unscaled(&self) -> Vec<f64> {
        let k = self.rank;
        let cov = self.unscaled_cov();
        let mut out = vec![f64::NAN; self.p];
        for i in 0..k {
            out[self.pivot[i]] = cov[i * k + i].sqrt();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_qr_full_rank_solves_least_squares() {
        let x = array![[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]];
        let qr = Qr::new(x.view(), QR_TOL);
        assert_eq!(qr.rank, 2);
        let mut y = vec![1.0, 3.0, 5.0, 7.0];
        qr.qty(&mut y);
        let b = qr.coefficients(&y);
        assert!((b[0] - 1.0).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14);
        assert!(y[2].abs() < 1e-14 && y[3].abs() < 1e-14);
        // (XᵀX)⁻¹ = [[0.7, -0.3], [-0.3, 0.2]].
        let s = qr.stdev_unscaled();
        assert!((s[0] - 0.7f64.sqrt()).abs() < 1e-14 && (s[1] - 0.2f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn test_qr_moves_dependent_column_to_end() {
        // Column 1 = column 0 + column 2: the second column is aliased.
        let x = array![
            [1.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
            [1.0, 2.0, 1.0],
            [1.0, 2.0, 1.0]
        ];
        let qr = Qr::new(x.view(), QR_TOL);
        assert_eq!(qr.rank, 2);
        assert_eq!(qr.pivot, vec![0, 1, 2]);
        let x = array![
            [1.0, 2.0, 0.0],
            [1.0, 2.0, 0.0],
            [1.0, 2.0, 1.0],
            [1.0, 2.0, 1.0]
        ];
        let qr = Qr::new(x.view(), QR_TOL);
        assert_eq!(qr.rank, 2);
        assert_eq!(qr.pivot, vec![0, 2, 1]);
        let x = array![
            [1.0, 1.0, 0.0],
            [1.0, 1.0, 0.0],
            [1.0, 0.0, 1.0],
            [1.0, 0.0, 1.0]
        ];
        let qr = Qr::new(x.view(), QR_TOL);
        assert_eq!((qr.rank, qr.pivot.clone()), (2, vec![0, 1, 2]));
    }
}
