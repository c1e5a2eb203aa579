//! Single-sample GSEA (ssGSEA) scores, as GSVA 1.46's `gsva(method = "ssgsea")`.
//!
//! Per sample, genes are ranked by value (ties get the average rank, which
//! GSVA then truncates to an integer: `mode(R) <- "integer"` turns 2.5 into
//! 2) and weighted by `rank^tau`. The score of a set is the area between
//! the walk's step CDF inside and outside the set, in the closed form of
//! `GSVA:::.fastRndWalk`: with members at 1-based positions `i_m` of the
//! decreasing rank order (ties in row order) and `p` genes,
//!
//! `Σ w_m (p - i_m + 1) / Σ w_m  −  (p(p+1)/2 − Σ (p - i_m + 1)) / (p − k)`.
//!
//! With normalisation (`ssgsea.norm = TRUE`, the default) the whole score
//! matrix is divided by its range `max − min`, as Barbie et al. (2009) and
//! GSVA do. Constant genes are kept (GSVA's `.filterFeatures` keeps them for
//! ssGSEA).
//!
//! # References
//! Barbie, D. A. et al. (2009). Systematic RNA interference reveals that
//! oncogenic KRAS-driven cancers require TBK1. *Nature* 462, 108–112.
//! doi:10.1038/nature08460
//!
//! Sergushichev, A. (2016). An algorithm for fast preranked gene set
//! enrichment analysis using cumulative statistic calculation. *bioRxiv*
//! 060012. doi:10.1101/060012

use crate::error::GsvaError;
use crate::input::{check_matrix, check_sets, check_tau};
use crate::order::order_decreasing;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use npxkit_stats::summary::long_sum;
use rayon::prelude::*;

/// Options of [`ssgsea`], named and defaulted as GSVA 1.46's arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SsgseaOptions {
    /// Exponent of the rank weights (`tau`; GSVA's ssgsea default 0.25).
    pub tau: f64,
    /// Divide all scores by the range of the whole score matrix
    /// (`ssgsea.norm`, default true).
    pub normalize: bool,
}

impl Default for SsgseaOptions {
    fn default() -> Self {
        Self {
            tau: 0.25,
            normalize: true,
        }
    }
}

/// ssGSEA enrichment scores, sets × samples, as `GSVA::gsva(method =
/// "ssgsea")` 1.46.
///
/// `x` is genes × samples; `sets` lists row indices of `x`. One sample is
/// enough. Constant rows are allowed. With `normalize` and all scores equal
/// (one set and one sample, say) the range is 0 and the scores become ±∞,
/// or NaN where 0, as in R.
///
/// # Errors
/// Fewer than 2 genes; no samples; a non-finite value; no sets, an empty
/// set, a set with an out-of-range or repeated row, or one containing every
/// gene; a non-finite `tau`.
///
/// # References
/// Barbie, D. A. et al. (2009). doi:10.1038/nature08460
///
/// Hänzelmann, S., Castelo, R., & Guinney, J. (2013). GSVA: gene set
/// variation analysis for microarray and RNA-seq data. *BMC Bioinformatics*
/// 14, 7. doi:10.1186/1471-2105-14-7
pub fn ssgsea(
    x: ArrayView2<f64>,
    sets: &[Vec<usize>],
    opts: &SsgseaOptions,
) -> Result<Array2<f64>, GsvaError> {
    check_matrix(x, 1)?;
    check_sets(sets, x.nrows(), true)?;
    check_tau(opts.tau)?;
    let columns: Vec<Vec<f64>> = (0..x.ncols())
        .into_par_iter()
        .map(|j| sample_scores(x.column(j), sets, opts.tau))
        .collect();
    let mut es = Array2::from_shape_fn((sets.len(), x.ncols()), |(s, j)| columns[j][s]);
    if opts.normalize {
        let (lo, hi) = es
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let range = hi - lo;
        es.mapv_inplace(|v| v / range);
    }
    Ok(es)
}

/// Ranks as GSVA's ssGSEA uses them: average ranks of ties
/// (`colRanks(ties.method = "average")`), truncated to integers.
pub fn truncated_average_ranks(x: ArrayView1<f64>) -> Array1<f64> {
    let n = x.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| x[a].partial_cmp(&x[b]).expect("finite values"));
    let mut ranks = Array1::zeros(n);
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && x[idx[end]] == x[idx[start]] {
            end += 1;
        }
        // 1-based positions start+1 ..= end; their mean, truncated
        let average = ((start + 1 + end) as f64 / 2.0).trunc();
        for &i in &idx[start..end] {
            ranks[i] = average;
        }
        start = end;
    }
    ranks
}

/// Scores of every set in one sample (`.fastRndWalk` for each set).
fn sample_scores(x: ArrayView1<f64>, sets: &[Vec<usize>], tau: f64) -> Vec<f64> {
    let p = x.len();
    let ranks = truncated_average_ranks(x);
    let order = order_decreasing(ranks.view());
    let mut position = vec![0usize; p];
    for (i, &g) in order.iter().enumerate() {
        position[g] = i + 1;
    }
    let weights = ranks.mapv(|r| r.abs().powf(tau));
    let mut members: Vec<usize> = Vec::new();
    sets.iter()
        .map(|set| {
            members.clear();
            members.extend(set.iter().map(|&g| position[g]));
            members.sort_unstable();
            let w = |i: usize| weights[order[i - 1]];
            let inside = long_sum(members.iter().map(|&i| w(i) * (p - i + 1) as f64))
                / long_sum(members.iter().map(|&i| w(i)));
            let member_sum: usize = members.iter().map(|&i| p - i + 1).sum();
            let all = p as f64 * (p as f64 + 1.0) / 2.0;
            let outside = (all - member_sum as f64) / (p - set.len()) as f64;
            inside - outside
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_truncated_average_ranks() {
        // R: colRanks(c(1,2,2,3,3,3,4), ties = "average") = 1 2.5 2.5 5 5 5 7
        let r = truncated_average_ranks(array![4.0, 2.0, 3.0, 1.0, 3.0, 2.0, 3.0].view());
        assert_eq!(r, array![7.0, 2.0, 5.0, 1.0, 5.0, 2.0, 5.0]);
    }

    #[test]
    fn test_ssgsea_matches_direct_walk() {
        // Without ties the closed form equals the sum of the walk (GSVA's .rndWalk).
        let x = array![[0.3], [2.0], [1.1], [-0.4], [0.9], [1.7]];
        let set = vec![1, 4];
        let opts = SsgseaOptions {
            tau: 0.25,
            normalize: false,
        };
        let es = ssgsea(x.view(), std::slice::from_ref(&set), &opts).unwrap();
        let ranks = truncated_average_ranks(x.column(0));
        let order = order_decreasing(ranks.view());
        let total: f64 = set.iter().map(|&g| ranks[g].powf(0.25)).sum();
        let (mut cin, mut cout, mut walk) = (0.0, 0.0, 0.0);
        for &g in &order {
            if set.contains(&g) {
                cin += ranks[g].powf(0.25) / total;
            } else {
                cout += 1.0 / 4.0;
            }
            walk += cin - cout;
        }
        assert!(
            (es[[0, 0]] - walk).abs() < 1e-13,
            "{} vs {walk}",
            es[[0, 0]]
        );
    }

    #[test]
    fn test_ssgsea_normalisation_and_errors() {
        let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 5.0]];
        let sets = vec![vec![0], vec![2, 3]];
        let raw = ssgsea(
            x.view(),
            &sets,
            &SsgseaOptions {
                tau: 0.25,
                normalize: false,
            },
        )
        .unwrap();
        let norm = ssgsea(x.view(), &sets, &SsgseaOptions::default()).unwrap();
        let range = raw.iter().cloned().fold(f64::MIN, f64::max)
            - raw.iter().cloned().fold(f64::MAX, f64::min);
        assert_eq!(norm, raw.mapv(|v| v / range));
        assert_eq!(
            ssgsea(x.view(), &[vec![0, 1, 2, 3]], &SsgseaOptions::default()),
            Err(GsvaError::SetCoversAllGenes { set: 0, genes: 4 })
        );
        // constant rows are fine for ssGSEA
        let c = array![[1.0, 1.0], [2.0, 0.0], [3.0, 4.0]];
        assert!(ssgsea(c.view(), &[vec![0]], &SsgseaOptions::default()).is_ok());
        // one sample is enough
        let one = c.column(0).to_owned().insert_axis(ndarray::Axis(1));
        assert!(ssgsea(one.view(), &[vec![0]], &SsgseaOptions::default()).is_ok());
    }
}
