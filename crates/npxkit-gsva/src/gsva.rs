//! GSVA enrichment scores: kernel CDF per gene, symmetric rank statistic per
//! sample, and a Kolmogorov–Smirnov-like random walk per set and sample, as
//! GSVA 1.46's `gsva(method = "gsva")`.
//!
//! The steps follow `GSVA:::compute.geneset.es` and the C routine
//! `ks_matrix_R`:
//! 1. [`kernel_cdf`]: logit kernel-CDF estimate of each gene at each sample.
//! 2. Per sample, genes are ordered by decreasing estimate (ties keep their
//!    row order, as R's `order(decreasing = TRUE)`), and the gene at position
//!    i (1-based) of p gets the rank score `|p - i + 1 - p/2|`.
//! 3. Per set and sample, a walk down that order steps up by
//!    `r^tau / Σ_set r^tau` at members and down by `1 / (p - k)` elsewhere;
//!    its largest positive and negative excursions are combined (see
//!    [`GsvaOptions::mx_diff`]).
//!
//! Arithmetic follows GSVA's C code operation for operation (sums in the
//! same order, the members' weights summed in the order the set lists
//! them), so compat-mode scores agree with R to the last bits. For speed
//! (none of it changes a bit): the samples' estimates are copied out in
//! blocks of 16 columns, the order is a sort of (key, index) pairs, the
//! weights `r^tau` are computed once per position, and four sets walk down
//! the order in one pass.
//!
//! # References
//! Hänzelmann, S., Castelo, R., & Guinney, J. (2013). GSVA: gene set
//! variation analysis for microarray and RNA-seq data. *BMC Bioinformatics*
//! 14, 7. doi:10.1186/1471-2105-14-7

use crate::error::GsvaError;
use crate::input::{check_matrix, check_no_constant_rows, check_sets, check_tau};
use crate::kcdf::{kernel_cdf, Kcdf, KcdfMode};
#[cfg(test)]
use crate::order::order_decreasing;
use crate::order::order_decreasing_slice;
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

/// Samples scored together (their estimates copied out of the genes ×
/// samples matrix in one pass).
const SAMPLE_BLOCK: usize = 16;
/// The fewest samples GSVA can score (a kernel needs a standard deviation).
const MIN_SAMPLES: usize = 2;

/// Options of [`gsva`], named and defaulted as GSVA 1.46's arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GsvaOptions {
    /// Kernel of the per-gene CDF estimate (`kcdf`, default Gaussian).
    pub kcdf: Kcdf,
    /// Gaussian CDF by GSVA's lookup table or exactly (default compat).
    pub kcdf_mode: KcdfMode,
    /// Exponent of the rank-score weights in the walk (`tau`, default 1).
    pub tau: f64,
    /// `true` (default): score = largest positive + largest negative
    /// excursion of the walk (roughly normal scores); `false`: the
    /// excursion of larger magnitude (bimodal scores), GSVA's `mx.diff`.
    pub mx_diff: bool,
    /// With `mx_diff`, score = largest positive − largest negative
    /// excursion (GSVA's `abs.ranking`, for sets whose genes may move either
    /// way). Without `mx_diff` it has no effect, as in GSVA 1.46.
    pub abs_ranking: bool,
}

impl Default for GsvaOptions {
    fn default() -> Self {
        Self {
            kcdf: Kcdf::Gaussian,
            kcdf_mode: KcdfMode::Compat,
            tau: 1.0,
            mx_diff: true,
            abs_ranking: false,
        }
    }
}

/// GSVA enrichment scores, sets × samples, as `GSVA::gsva(method = "gsva")`
/// 1.46 on a matrix without constant genes.
///
/// `x` is genes × samples; `sets` lists row indices of `x` (each set's
/// members once, in any order). GSVA removes constant genes before scoring;
/// do the same with [`crate::filter_constant_rows`], which also re-indexes
/// the sets. Sets of one gene are scored (GSVA warns about them).
///
/// # Errors
/// Fewer than 2 genes or samples; a non-finite value; a constant row; no
/// sets, an empty set, a set with an out-of-range or repeated row, or one
/// containing every gene; a non-finite `tau`; a negative value with
/// [`Kcdf::Poisson`].
///
/// # References
/// Hänzelmann, S., Castelo, R., & Guinney, J. (2013). GSVA: gene set
/// variation analysis for microarray and RNA-seq data. *BMC Bioinformatics*
/// 14, 7. doi:10.1186/1471-2105-14-7
pub fn gsva(
    x: ArrayView2<f64>,
    sets: &[Vec<usize>],
    opts: &GsvaOptions,
) -> Result<Array2<f64>, GsvaError> {
    check_matrix(x, MIN_SAMPLES)?;
    check_no_constant_rows(x)?;
    check_sets(sets, x.nrows(), true)?;
    check_tau(opts.tau)?;
    let density = kernel_cdf(x, opts.kcdf, opts.kcdf_mode)?;
    Ok(scores_from_density(density.view(), sets, opts))
}

/// GSVA enrichment scores from precomputed logit kernel-CDF estimates
/// (genes × samples, as [`kernel_cdf`] or [`crate::kernel_cdf_exact`]
/// return them): steps 2 and 3 of [`gsva`]. Only `tau`, `mx_diff` and
/// `abs_ranking` of `opts` are used.
///
/// # Errors
/// As [`gsva`] for the sets and `tau`; fewer than 2 genes or samples
/// (the estimates may be infinite, as compat mode's are).
pub fn gsva_from_density(
    density: ArrayView2<f64>,
    sets: &[Vec<usize>],
    opts: &GsvaOptions,
) -> Result<Array2<f64>, GsvaError> {
    if density.nrows() < 2 {
        return Err(GsvaError::TooFewGenes {
            genes: density.nrows(),
        });
    }
    if density.ncols() < MIN_SAMPLES {
        return Err(GsvaError::TooFewSamples {
            samples: density.ncols(),
            min: MIN_SAMPLES,
        });
    }
    check_sets(sets, density.nrows(), true)?;
    check_tau(opts.tau)?;
    Ok(scores_from_density(density, sets, opts))
}

/// Rank statistic and random walks of every set in every sample.
fn scores_from_density(
    density: ArrayView2<f64>,
    sets: &[Vec<usize>],
    opts: &GsvaOptions,
) -> Array2<f64> {
    let p = density.nrows();
    // The rank score depends only on the position in the order, so its
    // power is computed once per position (r.powf(tau) as before).
    let half = p as f64 / 2.0;
    let weight_at: Vec<f64> = (0..p)
        .map(|i| ((p - i) as f64 - half).abs().powf(opts.tau))
        .collect();
    // Bit s of masks[c][g]: gene g is in set c * WALKS + s.
    let masks: Vec<Vec<u8>> = sets
        .chunks(WALKS)
        .map(|chunk| {
            let mut m = vec![0u8; p];
            for (s, set) in chunk.iter().enumerate() {
                for &g in set {
                    m[g] |= 1 << s;
                }
            }
            m
        })
        .collect();
    // Samples in blocks, each block's columns copied out row by row (the
    // estimates are genes × samples, row-major: a column read alone would
    // touch one cache line per gene).
    let n = density.ncols();
    let blocks: Vec<Vec<Vec<f64>>> = (0..n.div_ceil(SAMPLE_BLOCK))
        .into_par_iter()
        .map(|block| {
            let first = block * SAMPLE_BLOCK;
            let last = (first + SAMPLE_BLOCK).min(n);
            let mut cols = vec![vec![0.0; p]; last - first];
            for (g, row) in density.outer_iter().enumerate() {
                for (col, j) in cols.iter_mut().zip(first..last) {
                    col[g] = row[j];
                }
            }
            let mut weights = vec![0.0; p];
            cols.iter()
                .map(|column| {
                    let order = order_decreasing_slice(column);
                    for (i, &g) in order.iter().enumerate() {
                        weights[g] = weight_at[i];
                    }
                    sets.chunks(WALKS)
                        .zip(&masks)
                        .flat_map(|(chunk, mask)| {
                            random_walks(&weights, &order, chunk, mask, opts)
                                .into_iter()
                                .take(chunk.len())
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let columns: Vec<Vec<f64>> = blocks.into_iter().flatten().collect();
    Array2::from_shape_fn((sets.len(), density.ncols()), |(s, j)| columns[j][s])
}

/// GSVA's symmetric rank score of each gene given the genes in decreasing
/// order: `|p - i + 1 - p/2|` for the gene at 1-based position i.
pub fn rank_scores(order: &[usize]) -> Vec<f64> {
    let p = order.len();
    let half = p as f64 / 2.0;
    let mut scores = vec![0.0; p];
    for (i, &g) in order.iter().enumerate() {
        scores[g] = ((p - i) as f64 - half).abs();
    }
    scores
}

/// The walk of one set in one sample (`ks_sample` in GSVA's C code):
/// `weights[g]` is gene g's rank score to the power tau, `order` the genes by
/// decreasing kernel estimate.
/// `member[g]` says whether gene g is in `set`. (The reference for
/// [`random_walks`], which the scores use.)
#[cfg(test)]
fn random_walk(
    weights: &[f64],
    order: &[usize],
    set: &[usize],
    member: &[bool],
    opts: &GsvaOptions,
) -> f64 {
    let p = order.len();
    let step_down = 1.0 / (p - set.len()) as f64;
    let total = set.iter().fold(0.0, |acc, &g| acc + weights[g]);
    let (mut walk, mut max_pos, mut max_neg) = (0.0f64, 0.0f64, 0.0f64);
    for &g in order {
        if member[g] {
            walk += weights[g] / total;
        } else {
            walk -= step_down;
        }
        max_pos = max_pos.max(walk);
        max_neg = max_neg.min(walk);
    }
    combine_excursions(max_pos, max_neg, opts)
}

/// Sets walked together by [`random_walks`].
const WALKS: usize = 4;

/// [`random_walk`] of up to [`WALKS`] sets in one pass down the order, with
/// the same operations per set (so the same results): the walks are
/// independent chains of additions, which the processor then overlaps.
/// Bit s of `mask[g]` says whether gene g is in `sets[s]`; lanes beyond
/// `sets.len()` are padding.
fn random_walks(
    weights: &[f64],
    order: &[usize],
    sets: &[Vec<usize>],
    mask: &[u8],
    opts: &GsvaOptions,
) -> [f64; WALKS] {
    let p = order.len();
    let mut step_down = [0.0f64; WALKS];
    let mut total = [1.0f64; WALKS];
    for (s, set) in sets.iter().enumerate() {
        step_down[s] = 1.0 / (p - set.len()) as f64;
        total[s] = set.iter().fold(0.0, |acc, &g| acc + weights[g]);
    }
    let mut walk = [0.0f64; WALKS];
    let mut max_pos = [0.0f64; WALKS];
    let mut max_neg = [0.0f64; WALKS];
    for &g in order {
        let m = mask[g];
        if m == 0 {
            for s in 0..WALKS {
                walk[s] -= step_down[s];
                max_pos[s] = max_pos[s].max(walk[s]);
                max_neg[s] = max_neg[s].min(walk[s]);
            }
        } else {
            for s in 0..WALKS {
                if m >> s & 1 == 1 {
                    walk[s] += weights[g] / total[s];
                } else {
                    walk[s] -= step_down[s];
                }
                max_pos[s] = max_pos[s].max(walk[s]);
                max_neg[s] = max_neg[s].min(walk[s]);
            }
        }
    }
    std::array::from_fn(|s| combine_excursions(max_pos[s], max_neg[s], opts))
}

/// GSVA's score from the walk's largest positive and negative excursions.
fn combine_excursions(max_pos: f64, max_neg: f64, opts: &GsvaOptions) -> f64 {
    match (opts.mx_diff, opts.abs_ranking) {
        (true, false) => max_pos + max_neg,
        (true, true) => max_pos - max_neg,
        (false, _) => {
            if max_pos > max_neg.abs() {
                max_pos
            } else {
                max_neg
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_rank_scores() {
        // p = 4: positions 1..4 score |4 - 0 - 2|, |3 - 2|, |2 - 2|, |1 - 2|
        assert_eq!(rank_scores(&[2, 0, 3, 1]), vec![1.0, 1.0, 2.0, 0.0]);
        // p = 3: 1.5, 0.5, 0.5
        let order = order_decreasing(array![0.1, 0.3, 0.2].view());
        assert_eq!(rank_scores(&order), vec![0.5, 1.5, 0.5]);
    }

    #[test]
    fn test_combine_excursions() {
        let mut o = GsvaOptions::default();
        assert_eq!(combine_excursions(0.5, -0.25, &o), 0.25);
        o.abs_ranking = true;
        assert_eq!(combine_excursions(0.5, -0.25, &o), 0.75);
        o.mx_diff = false;
        assert_eq!(combine_excursions(0.5, -0.25, &o), 0.5);
        assert_eq!(combine_excursions(0.25, -0.5, &o), -0.5);
        assert_eq!(combine_excursions(0.5, -0.5, &o), -0.5);
    }

    #[test]
    fn test_random_walk_top_set() {
        // Members at the top of the order: the walk climbs to 1, then falls to 0.
        let order = [0, 1, 2, 3, 4];
        let weights = rank_scores(&order);
        let o = GsvaOptions::default();
        let top = [true, true, false, false, false];
        let bottom = [false, false, false, true, true];
        assert_eq!(random_walk(&weights, &order, &[0, 1], &top, &o), 1.0);
        assert_eq!(random_walk(&weights, &order, &[3, 4], &bottom, &o), -1.0);
    }

    #[test]
    fn test_random_walks_match_single_walks() {
        let p = 50;
        let order: Vec<usize> = (0..p).map(|i| (i * 17 + 3) % p).collect();
        let sets: Vec<Vec<usize>> = vec![
            vec![1, 2, 3],
            vec![40, 7, 9, 11, 13, 30],
            vec![0],
            vec![5, 6, 7, 8, 9, 10, 20, 21, 49],
            vec![12, 14],
            vec![33, 44, 2],
        ];
        for tau in [1.0, 0.25, 2.0] {
            for (mx_diff, abs_ranking) in [(true, false), (true, true), (false, false)] {
                let o = GsvaOptions {
                    tau,
                    mx_diff,
                    abs_ranking,
                    ..GsvaOptions::default()
                };
                let weights: Vec<f64> = rank_scores(&order).iter().map(|r| r.powf(tau)).collect();
                for chunk in sets.chunks(WALKS) {
                    let mut mask = vec![0u8; p];
                    for (s, set) in chunk.iter().enumerate() {
                        for &g in set {
                            mask[g] |= 1 << s;
                        }
                    }
                    let together = random_walks(&weights, &order, chunk, &mask, &o);
                    for (s, set) in chunk.iter().enumerate() {
                        let mut member = vec![false; p];
                        for &g in set {
                            member[g] = true;
                        }
                        let alone = random_walk(&weights, &order, set, &member, &o);
                        assert_eq!(together[s].to_bits(), alone.to_bits());
                    }
                }
            }
        }
    }

    #[test]
    fn test_gsva_single_gene_set_and_errors() {
        let x = array![
            [1.0, 2.0, 3.0, 4.0],
            [4.0, 3.0, 2.0, 1.0],
            [1.0, 3.0, 2.0, 5.0],
            [2.0, 2.5, 1.0, 0.0]
        ];
        let o = GsvaOptions::default();
        let es = gsva(x.view(), &[vec![0], vec![1, 2]], &o).unwrap();
        assert_eq!(es.dim(), (2, 4));
        assert!(es.iter().all(|v| v.abs() <= 1.0));
        assert_eq!(
            gsva(x.view(), &[vec![0, 1, 2, 3]], &o),
            Err(GsvaError::SetCoversAllGenes { set: 0, genes: 4 })
        );
        assert_eq!(gsva(x.view(), &[], &o), Err(GsvaError::NoSets));
        let mut c = x.clone();
        c.row_mut(2).fill(7.0);
        assert!(matches!(
            gsva(c.view(), &[vec![0]], &o),
            Err(GsvaError::ConstantRow { row: 2, .. })
        ));
        let bad_tau = GsvaOptions {
            tau: f64::INFINITY,
            ..o
        };
        assert!(matches!(
            gsva(x.view(), &[vec![0]], &bad_tau),
            Err(GsvaError::InvalidOption { option: "tau", .. })
        ));
    }
}
