//! The intra-block correlation of a randomized-block design, as limma's
//! `duplicateCorrelation(y, design, block = block)` (limma 3.54, `ndups = 1`,
//! no weights).
//!
//! For each assay, the observed samples are fitted by REML with one random
//! effect per block (statmod's `mixedModel2Fit`, in the private `mixed_model` module),
//! and the correlation is `σ²_B / (σ²_B + σ²_R)`. The correlations are clamped
//! to `[1/(1 − max block size) + 0.01, 0.99]`, moved to the `atanh` scale, and
//! averaged with 15% trimming at each end; `tanh` of the mean is the consensus
//! correlation that [`crate::lm_fit_blocked`] takes.
//!
//! The decomposition behind each REML fit depends on the design, the blocks
//! and the observed samples only, so it is computed once per missingness
//! pattern; R recomputes it for every assay.

use crate::error::LimmaError;
use crate::gls::{block_indices, missingness_groups};
use crate::mixed_model::BlockReml;
use crate::qr::{Qr, QR_TOL};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// limma's default `trim` of the mean of the atanh correlations.
const TRIM: f64 = 0.15;
/// Upper clamp of the per-assay correlations.
const RHO_MAX: f64 = 0.99;
/// Assays per work unit of the per-assay REML fits.
const CHUNK: usize = 256;

/// Why the correlation was not estimated from the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DupCorNote {
    /// The correlation was estimated.
    Estimated,
    /// Every block has one sample (limma: "Blocks all of size 1: setting
    /// intrablock correlation to zero.").
    BlocksAllSizeOne,
    /// The design already contains the block factor (limma: "Block factor
    /// already encoded in the design matrix: setting intrablock correlation
    /// to zero.").
    BlockInDesign,
}

/// The result of [`duplicate_correlation`], as limma's list.
#[derive(Debug, Clone, PartialEq)]
pub struct DupCorResult {
    /// `consensus.correlation`: tanh of the trimmed mean of `per_assay`.
    pub consensus: f64,
    /// `atanh.correlations`: per assay, atanh of the clamped correlation; NaN
    /// where limma gives NA (too few observations, or the REML fit failed).
    pub per_assay: Vec<f64>,
    /// Number of assays with a finite correlation.
    pub n_estimated: usize,
    /// The lower clamp, `1/(1 − largest block size) + 0.01`.
    pub rho_min: f64,
    /// The upper clamp, 0.99.
    pub rho_max: f64,
    /// Whether the design's rank is below its number of columns (limma: "Note:
    /// design matrix not of full rank").
    pub design_rank_deficient: bool,
    /// Whether the correlation was estimated, or why it was set to zero.
    pub note: DupCorNote,
}

/// Estimates the intra-block correlation as limma's
/// `duplicateCorrelation(y, design, block = block)`.
///
/// `y` is assays × samples (NaN or ±∞ = missing), `design` samples ×
/// coefficients, `block` one label per sample (subjects, say). Each assay is
/// fitted on its observed samples; an assay gets NaN when it has no more than
/// `coefficients + 2` observations, fewer than two observed blocks, or as many
/// blocks as observations − 1, or when the REML fit fails. The per-assay REML
/// (statmod's `mixedModel2Fit` with `maxit = 20`) is computed in parallel;
/// the result does not depend on the thread count.
///
/// # Errors
/// A design whose rows do not match the samples, an empty or non-finite
/// design, or a `block` of the wrong length.
///
/// # References
/// Smyth, G. K., Michaud, J. and Scott, H. S. (2005). Use of within-array
/// replicate spots for assessing differential expression in microarray
/// experiments. *Bioinformatics* 21, 2067–2075. doi:10.1093/bioinformatics/bti270
pub fn duplicate_correlation<B: Ord>(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    block: &[B],
) -> Result<DupCorResult, LimmaError> {
    crate::gls::check_inputs(y, design, block.len())?;
    let (ids, n_blocks) = block_indices(block);
    let nbeta = design.ncols();
    let qr = Qr::new(design, QR_TOL);
    let design_rank_deficient = qr.rank < nbeta;
    let mut sizes = vec![0usize; n_blocks];
    ids.iter().for_each(|&b| sizes[b] += 1);
    let max_size = sizes.iter().copied().max().unwrap_or(0);
    let rho_min = 1.0 / (1.0 - max_size as f64) + 0.01;
    let zero = |note| DupCorResult {
        consensus: 0.0,
        per_assay: vec![0.0; y.nrows()],
        n_estimated: y.nrows(),
        rho_min,
        rho_max: RHO_MAX,
        design_rank_deficient,
        note,
    };
    if max_size <= 1 {
        return Ok(zero(DupCorNote::BlocksAllSizeOne));
    }
    if block_in_design(&qr, &ids, n_blocks) {
        return Ok(zero(DupCorNote::BlockInDesign));
    }

    let groups = missingness_groups(y);
    // One REML transform per pattern (None: too few observations or blocks).
    let transforms: Vec<Option<(Vec<usize>, BlockReml)>> = groups
        .par_iter()
        .map(|rows| {
            let first = y.row(rows[0]);
            let obs: Vec<usize> = (0..first.len()).filter(|&j| first[j].is_finite()).collect();
            let (sub_ids, nb) = block_indices(&obs.iter().map(|&j| ids[j]).collect::<Vec<_>>());
            let nobs = obs.len();
            if !(nobs > nbeta + 2 && nb > 1 && nb + 1 < nobs) {
                return None;
            }
            let x = design.select(Axis(0), &obs);
            Some((obs, BlockReml::new(x.view(), &sub_ids, nb)))
        })
        .collect();
    let work: Vec<(usize, &[usize])> = groups
        .iter()
        .enumerate()
        .filter(|(g, _)| transforms[*g].is_some())
        .flat_map(|(g, rows)| rows.chunks(CHUNK).map(move |c| (g, c)))
        .collect();
    let results: Vec<Vec<(usize, f64)>> = work
        .into_par_iter()
        .map(|(g, rows)| {
            let (obs, reml) = transforms[g].as_ref().expect("filtered");
            let mut yy = Array2::<f64>::zeros((rows.len(), obs.len()));
            for (a, &i) in rows.iter().enumerate() {
                for (b, &j) in obs.iter().enumerate() {
                    yy[[a, b]] = y[[i, j]];
                }
            }
            reml.varcomp(yy.view())
                .into_iter()
                .zip(rows)
                .map(|(s, &i)| {
                    let rho = s.map_or(f64::NAN, |(resid, blk)| blk / (resid + blk));
                    (i, rho)
                })
                .collect()
        })
        .collect();
    let mut rho = vec![f64::NAN; y.nrows()];
    for (i, r) in results.into_iter().flatten() {
        rho[i] = r;
    }
    let per_assay: Vec<f64> = rho
        .iter()
        .map(|&r| {
            if r.is_nan() {
                f64::NAN
            } else {
                r.clamp(rho_min, RHO_MAX).atanh()
            }
        })
        .collect();
    let finite: Vec<f64> = per_assay.iter().copied().filter(|v| !v.is_nan()).collect();
    Ok(DupCorResult {
        consensus: trimmed_mean(finite.clone(), TRIM).tanh(),
        n_estimated: finite.len(),
        per_assay,
        rho_min,
        rho_max: RHO_MAX,
        design_rank_deficient,
        note: DupCorNote::Estimated,
    })
}

/// limma's test that the block factor lies in the column space of the design:
/// the residual-space part of its indicator columns (all levels but the first)
/// is below 1e-8 everywhere.
fn block_in_design(qr: &Qr, ids: &[usize], n_blocks: usize) -> bool {
    let n = ids.len();
    let mut worst = f64::NEG_INFINITY;
    for level in 1..n_blocks {
        let mut col: Vec<f64> = ids
            .iter()
            .map(|&b| if b == level { 1.0 } else { 0.0 })
            .collect();
        qr.qty(&mut col);
        worst = col[qr.rank.min(n)..]
            .iter()
            .fold(worst, |m, v| m.max(v.abs()));
    }
    worst < 1e-8
}

/// R's `mean(x, trim)`: drop `floor(n·trim)` values at each end, then the mean.
fn trimmed_mean(mut x: Vec<f64>, trim: f64) -> f64 {
    let n = x.len();
    if n == 0 {
        return f64::NAN;
    }
    x.sort_by(f64::total_cmp);
    let lo = (n as f64 * trim).floor() as usize;
    let hi = n - lo;
    npxkit_stats::summary::mean(&x[lo..hi])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_trimmed_mean_as_r() {
        // R: mean(c(10, 1:9, -50), trim = 0.15) drops one value at each end: 5.
        let x = vec![10.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, -50.0];
        assert!((trimmed_mean(x, 0.15) - 5.0).abs() < 1e-15);
    }

    #[test]
    fn test_zero_when_blocks_trivial_or_in_design() {
        let y = array![[1.0, 2.0, 3.5, 4.0], [2.0, 1.0, 0.0, 3.0]];
        let d = array![[1.0], [1.0], [1.0], [1.0]];
        let r = duplicate_correlation(y.view(), d.view(), &[1, 2, 3, 4]).unwrap();
        assert_eq!(r.note, DupCorNote::BlocksAllSizeOne);
        assert_eq!((r.consensus, r.per_assay.clone()), (0.0, vec![0.0, 0.0]));
        let d = array![[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]];
        let r = duplicate_correlation(y.view(), d.view(), &["a", "a", "b", "b"]).unwrap();
        assert_eq!(r.note, DupCorNote::BlockInDesign);
    }
}
