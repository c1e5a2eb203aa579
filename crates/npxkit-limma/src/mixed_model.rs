//! REML estimation of the two variance components of a randomized-block model,
//! as statmod's `mixedModel2Fit(y, X, Z, only.varcomp = TRUE)` (the engine of
//! limma's `duplicateCorrelation` with `block =`).
//!
//! The model is `y = Xβ + Zb + ε` with `b ~ N(0, σ²_B I)` (one effect per block)
//! and `ε ~ N(0, σ²_R I)`. statmod transforms the residual space of `X` by the
//! singular vectors `U` of `Q₂ᵀZ` (`Q₂`: an orthonormal basis of the residual
//! space); the transformed responses `u = Uᵀ Q₂ᵀ y` are independent with
//! `E[u_k²] = σ²_R + d_k σ²_B`, `d_k` the squared singular values. The squares
//! `u_k²` are then fitted by a gamma GLM with identity link (`glmgam.fit`: a
//! Levenberg-damped Fisher scoring), which is REML for the two components.
//!
//! Everything but `u` depends on the design, the blocks and which samples are
//! observed, so [`BlockReml`] is built once per missingness pattern and shared
//! by all assays with that pattern; R repeats the decomposition for every assay.
//!
//! Differences from statmod's arithmetic, all exact in real arithmetic:
//! - `d_k` are the eigenvalues of `M = ZᵀQ₂Q₂ᵀZ = ZᵀZ − (ZᵀQ₁)(ZᵀQ₁)ᵀ` (blocks ×
//!   blocks) instead of the squared singular values of the (residual df ×
//!   blocks) matrix `Q₂ᵀZ`, and `u_k = v_kᵀZᵀr / √d_k` with `r` the
//!   least-squares residual of `y`.
//! - Components with equal `d_k` have equal means, and the GLM's score, information
//!   and deviance differences depend on them only through their count and the sum
//!   of their `u_k²`. Such components are kept as one aggregated observation:
//!   the `d_k = 0` ones (residual directions orthogonal to every block; their sum
//!   is `‖r‖² − Σ_{d_k>0} u_k²`) and the large eigenspaces `d_k = s` that every
//!   block size `s` gives (see [`BlockReml`]). Their individual values depend on
//!   the arbitrary basis LAPACK returns for a repeated singular value, and enter
//!   R's deviance only through a constant that cancels in every comparison the
//!   algorithm makes.

use crate::qr::{Qr, QR_TOL};
use ndarray::{Array2, ArrayView2, Axis};
use npxkit_stats::eigen::symmetric_eigen as sym_eigen;

/// `glmgam.fit`'s convergence tolerance as `mixedModel2Fit` passes it.
const GLM_TOL: f64 = 1e-6;
/// `duplicateCorrelation` calls `mixedModel2Fit(..., maxit = 20)`.
const GLM_MAXIT: usize = 20;
/// Eigenvalues of `ZᵀQ₂Q₂ᵀZ` below this fraction of the largest are zero (R's
/// SVD gives ~1e-32 for those; the eigenvalues here carry ~1e-15 absolute error).
const ZERO_EIGEN: f64 = 1e-10;

/// The value-independent part of `mixedModel2Fit` for one set of observed samples.
///
/// `M = ZᵀQ₂Q₂ᵀZ = D − GGᵀ` with `D` the diagonal of block sizes and
/// `G = ZᵀQ₁` (blocks × rank). For each block size `s`, the vectors on the
/// blocks of size `s` orthogonal to the columns of `G` there form an
/// eigenspace `E_s` of `M` with eigenvalue `s`; the GLM needs only the sum of
/// the squared projections on it. The rest of `M` lives on the span `C` of
/// the columns of `G` split by block size, at most rank × (distinct sizes)
/// dimensions, and is diagonalised there. So the transform costs
/// O(samples × rank²), not O(blocks³), and a missingness pattern per assay is cheap.
#[derive(Debug, Clone)]
pub(crate) struct BlockReml {
    /// For each observed sample (in order), its block among the observed blocks.
    block_of: Vec<usize>,
    /// Number of observed blocks.
    n_blocks: usize,
    /// Orthonormal basis (observed × rank) of the estimable design columns.
    q1: Array2<f64>,
    /// Orthonormal basis of `C` (blocks × m), each column on blocks of one size.
    c: Array2<f64>,
    /// The eigenspaces `E_s` of positive dimension.
    sizes: Vec<SizeGroup>,
    /// `diag(1/√λ_k) Y_kᵀ` for the positive eigenvalues `λ_k` of `CᵀMC` with
    /// eigenvectors `Y_k` (positive × m).
    w: Array2<f64>,
    /// The positive `λ_k`.
    d: Vec<f64>,
    /// Residual df `mq` = observed − rank.
    mq: usize,
    /// Number of zero `d_k` (`mq` − positive ones).
    n_zero: usize,
    /// statmod's test `mq > 2 && sum(abs(d) > 1e-15) > 1 && var(d) > 1e-15`:
    /// whether the gamma GLM is run (else the least-squares start is the answer).
    use_glm: bool,
}

/// The eigenspace of `M` for the blocks of one size.
#[derive(Debug, Clone)]
struct SizeGroup {
    /// The block size, the eigenvalue.
    size: f64,
    /// The blocks of this size.
    blocks: Vec<usize>,
    /// The columns of `c` on these blocks.
    cols: std::ops::Range<usize>,
    /// Dimension of `E_s`: blocks − rank of `G` on them.
    dim: usize,
}

impl BlockReml {
    /// Prepares the fit for observed samples with design rows `x` (observed ×
    /// coefficients) and block labels `blocks` (0-based, `n_blocks` distinct).
    pub(crate) fn new(x: ArrayView2<f64>, blocks: &[usize], n_blocks: usize) -> BlockReml {
        let n = x.nrows();
        let qr = Qr::new(x, QR_TOL);
        let r = qr.rank;
        // Row i of Q is Qᵀe_i; its first `rank` entries are row i of Q₁.
        let mut q1 = Array2::<f64>::zeros((n, r));
        let mut e = vec![0.0; n];
        for i in 0..n {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[i] = 1.0;
            qr.qty(&mut e);
            for j in 0..r {
                q1[[i, j]] = e[j];
            }
        }
        // G = ZᵀQ₁ (blocks × rank) and the block sizes.
        let mut g = Array2::<f64>::zeros((n_blocks, r));
        let mut block_size = vec![0usize; n_blocks];
        for (i, &b) in blocks.iter().enumerate() {
            block_size[b] += 1;
            for j in 0..r {
                g[[b, j]] += q1[[i, j]];
            }
        }
        let mut distinct: Vec<usize> = block_size.clone();
        distinct.sort_unstable();
        distinct.dedup();
        // Orthonormal bases of the column space of G on each size's blocks.
        let mut c_cols: Vec<Vec<f64>> = Vec::new();
        let mut sizes = Vec::new();
        let mut col_size = Vec::new();
        for &s in &distinct {
            let bs: Vec<usize> = (0..n_blocks).filter(|&b| block_size[b] == s).collect();
            let gs = g.select(Axis(0), &bs);
            let (evals, evecs) = sym_eigen(gs.t().dot(&gs));
            let max = evals.iter().fold(0.0f64, |a, &v| a.max(v));
            let start = c_cols.len();
            for (k, &ev) in evals.iter().enumerate() {
                if ev > ZERO_EIGEN * max && ev > 0.0 {
                    let v = gs.dot(&evecs.column(k)) / ev.sqrt();
                    let mut col = vec![0.0; n_blocks];
                    for (row, &b) in bs.iter().enumerate() {
                        col[b] = v[row];
                    }
                    c_cols.push(col);
                    col_size.push(s as f64);
                }
            }
            let cols = start..c_cols.len();
            let dim = bs.len() - cols.len();
            sizes.push(SizeGroup {
                size: s as f64,
                blocks: bs,
                cols,
                dim,
            });
        }
        let m = c_cols.len();
        let mut c = Array2::<f64>::zeros((n_blocks, m));
        for (k, col) in c_cols.iter().enumerate() {
            c.column_mut(k).assign(&ndarray::ArrayView1::from(col));
        }
        // CᵀMC = diag(sizes) − (CᵀG)(CᵀG)ᵀ.
        let h = c.t().dot(&g);
        let mut t = h.dot(&h.t());
        t.mapv_inplace(|v| -v);
        for k in 0..m {
            t[[k, k]] += col_size[k];
        }
        let (evals, evecs) = sym_eigen(t);
        let max_all = evals
            .iter()
            .copied()
            .chain(sizes.iter().filter(|s| s.dim > 0).map(|s| s.size))
            .fold(0.0f64, f64::max);
        let keep: Vec<usize> = (0..m)
            .filter(|&k| evals[k] > ZERO_EIGEN * max_all && evals[k] > 0.0)
            .collect();
        let d: Vec<f64> = keep.iter().map(|&k| evals[k]).collect();
        let mut w = Array2::<f64>::zeros((d.len(), m));
        for (row, &k) in keep.iter().enumerate() {
            let sq = evals[k].sqrt();
            for j in 0..m {
                w[[row, j]] = evecs[[j, k]] / sq;
            }
        }
        sizes.retain(|s| s.dim > 0);
        let mq = n - r;
        let positive = d.len() + sizes.iter().map(|s| s.dim).sum::<usize>();
        let n_zero = mq.saturating_sub(positive);
        let mut all_d = d.clone();
        for s in &sizes {
            all_d.extend(std::iter::repeat_n(s.size, s.dim));
        }
        all_d.resize(mq.max(all_d.len()), 0.0);
        let use_glm = mq > 2
            && all_d.iter().filter(|&&v| v > 1e-15).count() > 1
            && npxkit_stats::summary::var(&all_d) > 1e-15;
        BlockReml {
            block_of: blocks.to_vec(),
            n_blocks,
            q1,
            c,
            sizes,
            w,
            d,
            mq,
            n_zero,
            use_glm,
        }
    }

    /// Variance components `(σ²_R, σ²_B)` for each row of `y` (assays × observed
    /// samples, all finite); `None` where statmod's fit fails (R's `NA`).
    pub(crate) fn varcomp(&self, y: ArrayView2<f64>) -> Vec<Option<(f64, f64)>> {
        let fitted = y.dot(&self.q1).dot(&self.q1.t());
        let resid = &y - &fitted;
        let rows = y.nrows();
        let mut zr = Array2::<f64>::zeros((rows, self.n_blocks));
        for (a, row) in resid.rows().into_iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                zr[[a, self.block_of[i]]] += v;
            }
        }
        let czr = zr.dot(&self.c);
        let u = czr.dot(&self.w.t());
        (0..rows)
            .map(|a| {
                let rss: f64 = resid.row(a).iter().map(|v| v * v).sum();
                let mut obs = GammaObs {
                    d: self.d.clone(),
                    y: u.row(a).iter().map(|v| v * v).collect(),
                    w: vec![1.0; self.d.len()],
                };
                for s in &self.sizes {
                    let all: f64 = s.blocks.iter().map(|&b| zr[[a, b]] * zr[[a, b]]).sum();
                    let in_c: f64 = s.cols.clone().map(|k| czr[[a, k]] * czr[[a, k]]).sum();
                    obs.d.push(s.size);
                    obs.y.push((all - in_c).max(0.0) / s.size);
                    obs.w.push(s.dim as f64);
                }
                if self.n_zero > 0 {
                    let positive: f64 = obs.y.iter().sum();
                    obs.d.push(0.0);
                    obs.y.push((rss - positive).max(0.0));
                    obs.w.push(self.n_zero as f64);
                }
                self.fit_one(obs)
            })
            .collect()
    }

    /// The least-squares start and, when statmod runs it, the gamma GLM.
    fn fit_one(&self, obs: GammaObs) -> Option<(f64, f64)> {
        let (start, fitted_nonneg) = obs.least_squares(self.mq)?;
        if !self.use_glm {
            return Some(start);
        }
        let start = if fitted_nonneg {
            start
        } else {
            (obs.y.iter().sum::<f64>() / self.mq as f64, 0.0)
        };
        obs.glmgam(start)
    }
}

/// The `(d_k, u_k²)` observations of the gamma GLM, with multiplicities: an
/// entry of weight `w` stands for `w` observations with the same `d` whose
/// responses sum to `y`.
struct GammaObs {
    d: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
}

impl GammaObs {
    /// `lm.fit(cbind(1, d), dy)`: the coefficients and whether every fitted
    /// value is ≥ 0. `None` when the `d` column is aliased with the intercept
    /// (R's NA `Block` coefficient makes the correlation NA).
    fn least_squares(&self, mq: usize) -> Option<((f64, f64), bool)> {
        let n = mq as f64;
        let dbar = self.d.iter().zip(&self.w).map(|(d, w)| d * w).sum::<f64>() / n;
        let ybar = self.y.iter().sum::<f64>() / n;
        let sdd: f64 = self
            .d
            .iter()
            .zip(&self.w)
            .map(|(d, w)| w * (d - dbar) * (d - dbar))
            .sum();
        let sdy: f64 = self
            .d
            .iter()
            .zip(&self.y)
            .map(|(d, y)| (d - dbar) * y)
            .sum();
        let norm_d = self
            .d
            .iter()
            .zip(&self.w)
            .map(|(d, w)| w * d * d)
            .sum::<f64>()
            .sqrt();
        // dqrdc2 drops the d column when its norm after removing the intercept
        // falls below 1e-7 of its original norm.
        if sdd.is_nan() || sdd.sqrt() < QR_TOL * norm_d || norm_d == 0.0 {
            return None;
        }
        let b = sdy / sdd;
        let a = ybar - b * dbar;
        let nonneg = self.d.iter().all(|&d| a + b * d >= 0.0);
        Some(((a, b), nonneg))
    }

    fn mu(&self, beta: (f64, f64)) -> Vec<f64> {
        self.d.iter().map(|&d| beta.0 + beta.1 * d).collect()
    }

    /// The gamma deviance up to a constant of the data (see the module notes).
    fn deviance(&self, mu: &[f64]) -> f64 {
        if mu.iter().any(|&m| m < 0.0) {
            return f64::INFINITY;
        }
        let mut dev = 0.0;
        for ((&y, &w), &m) in self.y.iter().zip(&self.w).zip(mu) {
            let ymean = y / w;
            if ymean < 1e-15 && m < 1e-15 {
                continue;
            }
            dev += (y - w * m) / m - w * (ymean / m).ln();
        }
        2.0 * dev
    }

    /// statmod's `glmgam.fit(dx, dy, coef.start, tol = 1e-6, maxit = 20)`:
    /// Levenberg-damped Fisher scoring for a gamma GLM with identity link.
    fn glmgam(&self, start: (f64, f64)) -> Option<(f64, f64)> {
        let maxy = self
            .y
            .iter()
            .zip(&self.w)
            .fold(0.0f64, |m, (y, w)| m.max(y / w));
        if maxy == 0.0 {
            return Some((0.0, 0.0));
        }
        let mut beta = [start.0, start.1];
        let mut mu = self.mu(start);
        if mu.iter().any(|&m| m < 0.0) {
            return None;
        }
        let mut dev = self.deviance(&mu);
        let mut lambda = 0.0;
        let mut iter = 0;
        loop {
            iter += 1;
            let vmax = mu.iter().fold(0.0f64, |a, m| a.max(m * m));
            let (mut x11, mut x12, mut x22, mut dl1, mut dl2) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (((&m, &d), &w), &y) in mu.iter().zip(&self.d).zip(&self.w).zip(&self.y) {
                let v = (m * m).max(vmax / 1e3);
                x11 += w / v;
                x12 += w * d / v;
                x22 += w * d * d / v;
                let z = (y - w * m) / v;
                dl1 += z;
                dl2 += d * z;
            }
            let maxinfo = x11.max(x22);
            if iter == 1 {
                lambda = ((x11 + x22) / 2.0).abs() / 2.0;
            }
            let beta_old = beta;
            let dev_old = dev;
            let mut lev = 0;
            let mut dbeta;
            loop {
                lev += 1;
                dbeta = chol_solve2(x11 + lambda, x12, x22 + lambda, dl1, dl2)?;
                beta = [beta_old[0] + dbeta[0], beta_old[1] + dbeta[1]];
                mu = self.mu((beta[0], beta[1]));
                dev = self.deviance(&mu);
                let maxmu = mu.iter().fold(f64::NEG_INFINITY, |a, &m| a.max(m));
                if dev <= dev_old || dev / maxmu < 1e-15 {
                    break;
                }
                if lambda / maxinfo > 1e15 {
                    beta = beta_old;
                    break;
                }
                lambda *= 2.0;
            }
            if lambda / maxinfo > 1e15 {
                break;
            }
            if lev == 1 {
                lambda /= 10.0;
            }
            let maxmu = mu.iter().fold(f64::NEG_INFINITY, |a, &m| a.max(m));
            if dl1 * dbeta[0] + dl2 * dbeta[1] < GLM_TOL || dev / maxmu < 1e-15 {
                break;
            }
            if iter > GLM_MAXIT {
                break;
            }
        }
        Some((beta[0], beta[1]))
    }
}

/// Solves the 2 × 2 symmetric system `[[a, b], [b, c]] x = r` by Cholesky, as R's
/// `backsolve(R, backsolve(R, r, transpose = TRUE))`; `None` when not positive
/// definite (R's `chol` stops, and `duplicateCorrelation` records NA).
fn chol_solve2(a: f64, b: f64, c: f64, r1: f64, r2: f64) -> Option<[f64; 2]> {
    if a.is_nan() || a <= 0.0 {
        return None;
    }
    let l11 = a.sqrt();
    let l21 = b / l11;
    let s = c - l21 * l21;
    if s.is_nan() || s <= 0.0 {
        return None;
    }
    let l22 = s.sqrt();
    let z1 = r1 / l11;
    let z2 = (r2 - l21 * z1) / l22;
    let x2 = z2 / l22;
    let x1 = (z1 - l21 * x2) / l11;
    Some([x1, x2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_chol_solve2() {
        let x = chol_solve2(4.0, 2.0, 3.0, 2.0, 1.0).unwrap();
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-15);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-15);
        assert!(chol_solve2(1.0, 2.0, 1.0, 0.0, 0.0).is_none());
    }
}
