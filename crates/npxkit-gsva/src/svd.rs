//! The leading right singular vector of a small dense matrix, by one-sided
//! (Hestenes) Jacobi rotations.
//!
//! For A (m × n) the columns of Aᵀ (one per row of A, each of length n) are
//! rotated in pairs until mutually orthogonal; then Aᵀ W = V Σ for an
//! orthogonal W, so the longest rotated column is σ₁ v₁. One-sided Jacobi
//! computes singular vectors to high relative accuracy, needs no LAPACK, and
//! its cost (a few sweeps of m²/2 pair rotations of length n) is small for
//! gene sets of up to a few hundred genes.
//!
//! # References
//! Hestenes, M. R. (1958). Inversion of matrices by biorthogonalization and
//! related results. *J. SIAM* 6, 51–90. doi:10.1137/0106005
//!
//! Demmel, J., & Veselić, K. (1992). Jacobi's method is more accurate than
//! QR. *SIAM J. Matrix Anal. Appl.* 13, 1204–1245. doi:10.1137/0613074

use ndarray::ArrayView2;

/// Sweeps before giving up on convergence (quadratic convergence needs < 15).
const MAX_SWEEPS: usize = 60;

/// The largest singular value of `a` and its right singular vector
/// (length `a.ncols()`, unit norm, sign as the rotations leave it). `None`
/// for a zero matrix or one without rows.
pub(crate) fn leading_right_singular(a: ArrayView2<f64>) -> Option<(f64, Vec<f64>)> {
    let n = a.ncols();
    // columns of Aᵀ = rows of A
    let mut cols: Vec<Vec<f64>> = a.outer_iter().map(|r| r.to_vec()).collect();
    let m = cols.len();
    let tol = (n as f64).sqrt() * f64::EPSILON;
    for _ in 0..MAX_SWEEPS {
        let mut rotated = false;
        for p in 0..m {
            for q in p + 1..m {
                let (head, tail) = cols.split_at_mut(q);
                if rotate_pair(&mut head[p], &mut tail[0], tol) {
                    rotated = true;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let norms: Vec<f64> = cols.iter().map(|c| norm(c)).collect();
    let (best, &sigma) = norms.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    if sigma == 0.0 || !sigma.is_finite() {
        return None;
    }
    Some((sigma, cols[best].iter().map(|v| v / sigma).collect()))
}

/// Euclidean norm, scaled against overflow.
fn norm(x: &[f64]) -> f64 {
    let scale = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    scale
        * x.iter()
            .map(|v| (v / scale) * (v / scale))
            .sum::<f64>()
            .sqrt()
}

/// Rotates columns x and y to make them orthogonal; `false` if they already
/// are (to within `tol` relative to their norms) or either is zero.
fn rotate_pair(x: &mut [f64], y: &mut [f64], tol: f64) -> bool {
    let (mut alpha, mut beta, mut gamma) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y.iter()) {
        alpha += a * a;
        beta += b * b;
        gamma += a * b;
    }
    if alpha == 0.0 || beta == 0.0 || gamma.abs() <= tol * (alpha * beta).sqrt() {
        return false;
    }
    // Rutishauser's formulas: t = tan θ, the smaller root.
    let zeta = (beta - alpha) / (2.0 * gamma);
    let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
    let c = 1.0 / (1.0 + t * t).sqrt();
    let s = c * t;
    for (a, b) in x.iter_mut().zip(y.iter_mut()) {
        let (xa, yb) = (*a, *b);
        *a = c * xa - s * yb;
        *b = s * xa + c * yb;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn test_leading_right_singular_rank_one() {
        // A = u vᵀ with v = (3, 4) / 5, ||u|| = 3
        let a = array![[0.6, 0.8], [1.2, 1.6], [-1.2, -1.6]].mapv(|x: f64| x * 1.5);
        let (sigma, v) = leading_right_singular(a.view()).unwrap();
        assert!((sigma - 4.5).abs() < 1e-14);
        assert!((v[0].abs() - 0.6).abs() < 1e-15 && (v[1].abs() - 0.8).abs() < 1e-15);
        assert!(v[0] * v[1] > 0.0);
    }

    #[test]
    fn test_leading_right_singular_diagonal_and_zero() {
        let a = array![[1.0, 0.0, 0.0], [0.0, 3.0, 0.0]];
        let (sigma, v) = leading_right_singular(a.view()).unwrap();
        assert_eq!(sigma, 3.0);
        assert_eq!(v, vec![0.0, 1.0, 0.0]);
        assert!(leading_right_singular(Array2::<f64>::zeros((2, 3)).view()).is_none());
        assert!(leading_right_singular(Array2::<f64>::zeros((0, 3)).view()).is_none());
    }

    #[test]
    fn test_leading_right_singular_against_power_iteration() {
        // A fixed 5 × 4 matrix; compare with many steps of power iteration on AᵀA.
        let a = array![
            [0.3, -1.2, 0.5, 2.0],
            [1.1, 0.4, -0.7, 0.2],
            [-0.5, 0.9, 1.3, -1.0],
            [2.2, -0.3, 0.1, 0.6],
            [0.0, 1.5, -0.4, 0.8]
        ];
        let (sigma, v) = leading_right_singular(a.view()).unwrap();
        let ata = a.t().dot(&a);
        let mut w = ndarray::Array1::from_elem(4, 1.0);
        for _ in 0..2000 {
            w = ata.dot(&w);
            let n = w.dot(&w).sqrt();
            w /= n;
        }
        let sign = if w.dot(&ndarray::Array1::from(v.clone())) < 0.0 {
            -1.0
        } else {
            1.0
        };
        for (x, y) in v.iter().zip(w.iter()) {
            assert!((x - sign * y).abs() < 1e-12);
        }
        assert!((sigma * sigma - w.dot(&ata.dot(&w))).abs() < 1e-12);
    }
}
