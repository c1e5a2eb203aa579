//! Principal components of the samples and Olink's sample-outlier rules, for QC.
//!
//! The data are prepared as OlinkAnalyze's `olink_pca_plot` prepares them: assays
//! missing in more than 10% of the samples are dropped, the remaining missing values
//! are set to the assay's median, constant assays are dropped, and every assay is
//! centred and scaled to unit variance (R's `prcomp(x, scale. = TRUE)`).
//!
//! The components come from the samples × samples cross-product matrix by the
//! workspace's symmetric eigensolver (`npxkit_stats::eigen`, tred2/tql2) when there are
//! at most [`EXACT_LIMIT`] samples or assays (exact to rounding, whatever the spectrum),
//! and from randomized block subspace iteration with a Rayleigh–Ritz step otherwise, so
//! that 50,000-sample cohorts need only a few passes over the matrix and memory of a few
//! columns per component (stopping rules at `RESIDUAL_TOL` and `MAX_PASSES`). Signs are
//! fixed so that each component's largest absolute sample score is positive (prcomp's
//! signs are LAPACK's and arbitrary).
//!
//! Outliers follow OlinkAnalyze: `olink_qc_plot` flags samples whose NPX median or
//! IQR lies more than 3 standard deviations from the mean over samples; a PCA
//! outlier lies more than `pca_sd` standard deviations from the mean on PC1 or PC2
//! (`olink_pca_plot(outlierDefX, outlierDefY)`).

use ndarray::{Array1, Array2, ArrayView2, Axis};
use npxkit_stats::eigen::symmetric_eigen;

use crate::NpxMatrix;

/// At or below this many samples (or assays) the eigenproblem is solved exactly.
pub const EXACT_LIMIT: usize = 600;

/// How the PCA is prepared.
#[derive(Debug, Clone)]
pub struct PcaOptions {
    /// Components kept.
    pub components: usize,
    /// Assays missing in more than this fraction of samples are dropped.
    pub max_missing: f64,
}

impl Default for PcaOptions {
    fn default() -> Self {
        PcaOptions {
            components: 5,
            max_missing: 0.1,
        }
    }
}

/// Principal components of the samples.
#[derive(Debug, Clone)]
pub struct Pca {
    /// Sample scores, samples (matrix columns) × components.
    pub scores: Array2<f64>,
    /// Fraction of the total variance of each component.
    pub variance_explained: Vec<f64>,
    /// Assays used after the missingness and constant filters.
    pub n_assays_used: usize,
}

/// PCA of the samples of `m`; `None` when fewer than 3 samples or 2 usable assays.
pub fn pca(m: &NpxMatrix, opts: &PcaOptions) -> Option<Pca> {
    let (p, n) = m.values.dim();
    if n < 3 {
        return None;
    }
    // Samples × used assays, imputed, centred and scaled.
    let mut columns: Vec<Array1<f64>> = Vec::new();
    for i in 0..p {
        let row = m.values.row(i);
        let observed: Vec<f64> = row.iter().copied().filter(|v| v.is_finite()).collect();
        let missing = n - observed.len();
        if observed.is_empty() || missing as f64 > opts.max_missing * n as f64 {
            continue;
        }
        let median = crate::summary::median(&observed);
        let x: Array1<f64> = row
            .iter()
            .map(|&v| if v.is_finite() { v } else { median })
            .collect();
        let mean = x.sum() / n as f64;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        if var.is_nan() || var <= 1e-12 {
            continue;
        }
        let sd = var.sqrt();
        columns.push(x.mapv(|v| (v - mean) / sd));
    }
    let q = columns.len();
    if q < 2 {
        return None;
    }
    let mut x = Array2::<f64>::zeros((n, q));
    for (j, c) in columns.iter().enumerate() {
        x.column_mut(j).assign(c);
    }
    let k = opts.components.min(n - 1).min(q);
    let total = q as f64 * (n - 1) as f64; // trace of XᵀX (each column has variance 1)
    let (values, mut vectors) = if n.min(q) <= EXACT_LIMIT {
        top_eigen_exact(x.view(), k)
    } else {
        top_eigen_subspace(x.view(), k)
    };
    // Scores = U·sqrt(λ), as prcomp's x = X·V.
    for (c, value) in values.iter().enumerate().take(k) {
        let scale = value.max(0.0).sqrt();
        let mut col = vectors.column_mut(c);
        let pivot = col
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()).then(b.0.cmp(&a.0)))
            .map_or(1.0, |(_, v)| v.signum());
        col.mapv_inplace(|v| v * scale * pivot);
    }
    Some(Pca {
        scores: vectors,
        variance_explained: values.iter().map(|v| v.max(0.0) / total).collect(),
        n_assays_used: q,
    })
}

/// Top-k eigenpairs of X·Xᵀ (samples × samples) by the symmetric eigensolver, when n is small, or of
/// Xᵀ·X when the assays are fewer (eigenvectors mapped back through X).
fn top_eigen_exact(x: ArrayView2<f64>, k: usize) -> (Vec<f64>, Array2<f64>) {
    let (n, q) = x.dim();
    if n <= q {
        let g = x.dot(&x.t());
        let (vals, vecs) = symmetric_eigen(g);
        let order = descending(&vals);
        let values: Vec<f64> = order[..k].iter().map(|&i| vals[i]).collect();
        let vectors = vecs.select(Axis(1), &order[..k]);
        (values, vectors)
    } else {
        let g = x.t().dot(&x);
        let (vals, vecs) = symmetric_eigen(g);
        let order = descending(&vals);
        let values: Vec<f64> = order[..k].iter().map(|&i| vals[i]).collect();
        let mut u = x.dot(&vecs.select(Axis(1), &order[..k]));
        for c in 0..k {
            let norm = u.column(c).dot(&u.column(c)).sqrt();
            if norm > 0.0 {
                u.column_mut(c).mapv_inplace(|v| v / norm);
            }
        }
        (values, u)
    }
}

/// Block size beyond the components asked for: the extra vectors speed convergence by
/// (λ_{k+b}/λ_k)² per pass instead of (λ_{k+1}/λ_k)².
const OVERSAMPLE: usize = 20;

/// A Ritz pair is converged when ‖X·Xᵀ·u − λ·u‖ ≤ this × λ₁: eigenvector errors of
/// at most ~1e-9·λ₁/gap, far below what a score plot or a 4 SD outlier rule can see.
const RESIDUAL_TOL: f64 = 1e-9;

/// Passes over the matrix at most. Components inside the noise bulk (eigenvalues within
/// a fraction of a percent of each other, typical beyond the first few components of
/// unstructured data) never separate; after this many passes they are returned as they
/// stand, an orthonormal basis of the bulk's top directions with Ritz values that are
/// accurate lower bounds of the eigenvalues.
const MAX_PASSES: usize = 40;

/// Top-k eigenpairs of X·Xᵀ by randomized block subspace iteration (Halko, Martinsson
/// and Tropp 2011, with a deterministic start) and a Rayleigh–Ritz step on every pass.
/// One pass reads X twice (Xᵀ·Q, then X·W); it stops when the top-k residuals are
/// below [`RESIDUAL_TOL`] or after [`MAX_PASSES`] passes.
fn top_eigen_subspace(x: ArrayView2<f64>, k: usize) -> (Vec<f64>, Array2<f64>) {
    let (n, q) = x.dim();
    let b = (k + OVERSAMPLE).min(n).min(q);
    // A fixed, well-spread start (no random stream needed, so runs are reproducible).
    let mut basis = Array2::from_shape_fn((n, b), |(i, j)| {
        (((i + 1) * (j + 3)) as f64 * 0.618_033_988_749_895).fract() - 0.5
    });
    orthonormalize(&mut basis);
    let top: Vec<usize> = (0..k).collect();
    for pass in 1..=MAX_PASSES {
        let w = par_dot(x.t(), basis.view()); // q × b
        let (vals, vecs) = symmetric_eigen(w.t().dot(&w)); // Qᵀ·X·Xᵀ·Q
        let order = descending(&vals);
        let rotation = vecs.select(Axis(1), &order);
        let values: Vec<f64> = order.iter().map(|&i| vals[i]).collect();
        let ritz = basis.dot(&rotation);
        let mut next = par_dot(x, w.dot(&rotation).view()); // X·Xᵀ·ritz
        let largest = values[0].max(f64::MIN_POSITIVE);
        let converged = top.iter().all(|&c| {
            let residual: f64 = next
                .column(c)
                .iter()
                .zip(ritz.column(c))
                .map(|(y, u)| (y - values[c] * u).powi(2))
                .sum();
            residual.sqrt() <= RESIDUAL_TOL * largest
        });
        if converged || pass == MAX_PASSES {
            log::debug!(
                "PCA: {pass} pass(es) of randomized subspace iteration, converged: {converged}"
            );
            return (values[..k].to_vec(), ritz.select(Axis(1), &top));
        }
        orthonormalize(&mut next);
        basis = next;
    }
    unreachable!("the last pass returns")
}

/// `a · b` with the rows of `a` split over rayon's threads (each chunk is an ordinary
/// ndarray product, so the result does not depend on the number of threads).
fn par_dot(a: ArrayView2<f64>, b: ArrayView2<f64>) -> Array2<f64> {
    use rayon::prelude::*;
    const ROWS: usize = 256;
    let mut out = Array2::<f64>::zeros((a.nrows(), b.ncols()));
    out.axis_chunks_iter_mut(Axis(0), ROWS)
        .into_par_iter()
        .zip(a.axis_chunks_iter(Axis(0), ROWS).into_par_iter())
        .for_each(|(mut o, a)| o.assign(&a.dot(&b)));
    out
}

fn descending(vals: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..vals.len()).collect();
    order.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]).then(a.cmp(&b)));
    order
}

/// Modified Gram–Schmidt, twice for stability; columns that vanish are left zero.
fn orthonormalize(a: &mut Array2<f64>) {
    for _ in 0..2 {
        for j in 0..a.ncols() {
            for i in 0..j {
                let d = a.column(i).dot(&a.column(j));
                let ci = a.column(i).to_owned();
                a.column_mut(j).scaled_add(-d, &ci);
            }
            let norm = a.column(j).dot(&a.column(j)).sqrt();
            if norm > 0.0 {
                a.column_mut(j).mapv_inplace(|v| v / norm);
            }
        }
    }
}

/// Samples more than `sd` standard deviations from the mean of `values` (NaN never).
pub fn sd_outliers(values: &[f64], sd: f64) -> Vec<bool> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() < 3 {
        return vec![false; values.len()];
    }
    let mean = finite.iter().sum::<f64>() / finite.len() as f64;
    let var =
        finite.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (finite.len() - 1) as f64;
    let limit = sd * var.sqrt();
    values
        .iter()
        .map(|v| v.is_finite() && (v - mean).abs() > limit)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigensolver_recovers_a_known_spectrum() {
        let a = ndarray::arr2(&[[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]]);
        let (vals, vecs) = symmetric_eigen(a.clone());
        for (c, val) in vals.iter().enumerate() {
            let v = vecs.column(c);
            let av = a.dot(&v);
            for (x, y) in av.iter().zip(v.iter()) {
                assert!((x - val * y).abs() < 1e-12);
            }
        }
        let mut sorted = vals.clone();
        sorted.sort_by(f64::total_cmp);
        // Eigenvalues of this matrix: 3 - sqrt(3), 3, 3 + sqrt(3).
        let want = [3.0 - 3f64.sqrt(), 3.0, 3.0 + 3f64.sqrt()];
        for (g, w) in sorted.iter().zip(want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
    }

    #[test]
    fn subspace_iteration_agrees_with_the_exact_solver() {
        let (n, q) = (40, 25);
        // Full rank, with a decaying spectrum (a few strong directions plus noise).
        let noise =
            |i: usize, j: usize| (((i * 31 + j * 17 + i * j) as f64).sin() * 43758.5453).fract();
        let x = Array2::from_shape_fn((n, q), |(i, j)| {
            (0..6)
                .map(|f| {
                    (f as f64 + 1.0).recip() * 3.0 * noise(i + 100 * f, f) * noise(f, j + 50 * f)
                })
                .sum::<f64>()
                + 0.1 * noise(i, j)
        });
        let (ve, ue) = top_eigen_exact(x.view(), 4);
        let (vs, us) = top_eigen_subspace(x.view(), 4);
        for c in 0..4 {
            assert!(
                (ve[c] - vs[c]).abs() < 1e-9 * ve[0],
                "{c}: {} {}",
                ve[c],
                vs[c]
            );
            let dot = ue.column(c).dot(&us.column(c)).abs();
            assert!((dot - 1.0).abs() < 1e-8, "component {c}: |cos| = {dot}");
        }
    }

    #[test]
    fn sd_outliers_flags_the_far_sample() {
        let mut v = vec![1.0; 20];
        v.iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x += i as f64 * 0.01);
        v[7] = 10.0;
        let flags = sd_outliers(&v, 3.0);
        assert_eq!(flags.iter().filter(|&&f| f).count(), 1);
        assert!(flags[7]);
    }
}
