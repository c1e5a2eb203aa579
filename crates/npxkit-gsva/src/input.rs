//! Checks on the expression matrix and the gene sets, and GSVA's removal of
//! constant genes (`GSVA:::.filterFeatures`).
//!
//! Every scoring method validates its input here first, so degenerate cases
//! fail early with a [`GsvaError`] that names the row, column or set.

use crate::error::GsvaError;
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use npxkit_stats::summary::long_sum;

/// GSVA 1.46 treats a gene whose standard deviation is below this as
/// constant (`sdGenes[sdGenes < 1e-10] <- 0` in `.filterFeatures`, a guard
/// against round-off in `rowSds`).
pub const CONSTANT_SD_THRESHOLD: f64 = 1e-10;

/// The fewest genes GSVA accepts (`.filterFeatures` stops below 2).
pub(crate) const MIN_GENES: usize = 2;

/// Sample standard deviation (denominator n - 1), with a compensated mean and
/// sum of squares standing in for the long-double accumulation of R's
/// `rowSds` and of GSVA's C `sd()`. `NaN` below two values.
pub fn row_sd(x: ArrayView1<f64>) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let m0 = long_sum(x.iter().copied()) / n as f64;
    let m = m0 + long_sum(x.iter().map(|v| v - m0)) / n as f64;
    (long_sum(x.iter().map(|v| (v - m) * (v - m))) / (n - 1) as f64).sqrt()
}

/// Whether a gene's values count as constant for GSVA (sd < 1e-10 or NaN).
pub fn is_constant(x: ArrayView1<f64>) -> bool {
    let sd = row_sd(x);
    sd.is_nan() || sd < CONSTANT_SD_THRESHOLD
}

/// The matrix and sets after dropping constant genes, from [`filter_constant_rows`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureFilter {
    /// Rows kept, in input order (row `i` of the filtered matrix is `kept[i]`).
    pub kept: Vec<usize>,
    /// Rows dropped as constant, in input order.
    pub dropped: Vec<usize>,
    /// The sets re-indexed into the filtered matrix, members in their given
    /// order, dropped and out-of-range members removed. A set may become
    /// empty: GSVA then leaves it out (`filterGeneSets(min.sz = 1)`); the
    /// scoring functions reject it with [`GsvaError::EmptySet`].
    pub sets: Vec<Vec<usize>>,
}

impl FeatureFilter {
    /// The rows of `x` that were kept.
    pub fn apply(&self, x: ArrayView2<f64>) -> Array2<f64> {
        x.select(Axis(0), &self.kept)
    }
}

/// Drops genes (rows) with constant values and re-indexes the sets, as
/// GSVA 1.46 does before `gsva`, `zscore` and `plage` (not `ssgsea`, which
/// keeps them).
///
/// Mirrors `GSVA:::.filterFeatures` (rows with `rowSds < 1e-10` or `NA`) and
/// the set mapping of `GSVA:::.mapGeneSetsToFeatures`. GSVA warns about the
/// dropped genes; here they are returned in [`FeatureFilter::dropped`] for
/// the caller to report.
///
/// # References
/// Hänzelmann, S., Castelo, R., & Guinney, J. (2013). GSVA: gene set
/// variation analysis for microarray and RNA-seq data. *BMC Bioinformatics*
/// 14, 7. doi:10.1186/1471-2105-14-7
pub fn filter_constant_rows(x: ArrayView2<f64>, sets: &[Vec<usize>]) -> FeatureFilter {
    let (kept, dropped): (Vec<usize>, Vec<usize>) =
        (0..x.nrows()).partition(|&i| !is_constant(x.row(i)));
    let mut new_index = vec![None; x.nrows()];
    for (new, &old) in kept.iter().enumerate() {
        new_index[old] = Some(new);
    }
    let sets = sets
        .iter()
        .map(|s| {
            s.iter()
                .filter_map(|&i| new_index.get(i).copied().flatten())
                .collect()
        })
        .collect();
    FeatureFilter {
        kept,
        dropped,
        sets,
    }
}

/// Checks the matrix shape and that every value is finite.
pub(crate) fn check_matrix(x: ArrayView2<f64>, min_samples: usize) -> Result<(), GsvaError> {
    if x.nrows() < MIN_GENES {
        return Err(GsvaError::TooFewGenes { genes: x.nrows() });
    }
    if x.ncols() < min_samples {
        return Err(GsvaError::TooFewSamples {
            samples: x.ncols(),
            min: min_samples,
        });
    }
    if let Some(((row, col), &value)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(GsvaError::NonFinite { row, col, value });
    }
    Ok(())
}

/// Rejects constant rows (those GSVA would have dropped).
pub(crate) fn check_no_constant_rows(x: ArrayView2<f64>) -> Result<(), GsvaError> {
    for (row, r) in x.outer_iter().enumerate() {
        let sd = row_sd(r);
        if sd.is_nan() || sd < CONSTANT_SD_THRESHOLD {
            return Err(GsvaError::ConstantRow { row, sd });
        }
    }
    Ok(())
}

/// Checks that there are sets, each non-empty, in range and without
/// repeated members; with `need_outside`, that none contains every gene.
pub(crate) fn check_sets(
    sets: &[Vec<usize>],
    genes: usize,
    need_outside: bool,
) -> Result<(), GsvaError> {
    if sets.is_empty() {
        return Err(GsvaError::NoSets);
    }
    let mut seen = vec![usize::MAX; genes];
    for (set, members) in sets.iter().enumerate() {
        if members.is_empty() {
            return Err(GsvaError::EmptySet { set });
        }
        for &index in members {
            if index >= genes {
                return Err(GsvaError::IndexOutOfRange { set, index, genes });
            }
            if seen[index] == set {
                return Err(GsvaError::DuplicateIndex { set, index });
            }
            seen[index] = set;
        }
        if need_outside && members.len() == genes {
            return Err(GsvaError::SetCoversAllGenes { set, genes });
        }
    }
    Ok(())
}

/// Checks that `tau` is a finite number.
pub(crate) fn check_tau(tau: f64) -> Result<(), GsvaError> {
    if tau.is_finite() {
        Ok(())
    } else {
        Err(GsvaError::InvalidOption {
            option: "tau",
            reason: format!("{tau} is not a finite number"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_row_sd() {
        assert_eq!(row_sd(array![1.0, 2.0, 3.0].view()), 1.0);
        assert!(row_sd(array![1.0].view()).is_nan());
        assert!(is_constant(array![5.0, 5.0, 5.0].view()));
        assert!(is_constant(array![5.0, 5.0 + 1e-12, 5.0].view()));
        assert!(!is_constant(array![5.0, 5.1, 5.0].view()));
    }

    #[test]
    fn test_filter_constant_rows() {
        let x = array![[1.0, 2.0, 3.0], [4.0, 4.0, 4.0], [0.0, 1.0, 0.0]];
        let sets = vec![vec![2, 1, 0], vec![1], vec![0, 7]];
        let f = filter_constant_rows(x.view(), &sets);
        assert_eq!(f.kept, vec![0, 2]);
        assert_eq!(f.dropped, vec![1]);
        assert_eq!(f.sets, vec![vec![1, 0], vec![], vec![0]]);
        assert_eq!(f.apply(x.view()), array![[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]);
    }

    #[test]
    fn test_check_matrix() {
        let x = array![[1.0, 2.0], [3.0, f64::NAN]];
        assert!(matches!(
            check_matrix(x.view(), 2),
            Err(GsvaError::NonFinite { row: 1, col: 1, .. })
        ));
        let one = array![[1.0, 2.0]];
        assert_eq!(
            check_matrix(one.view(), 2),
            Err(GsvaError::TooFewGenes { genes: 1 })
        );
        let narrow = array![[1.0], [2.0]];
        assert_eq!(
            check_matrix(narrow.view(), 2),
            Err(GsvaError::TooFewSamples { samples: 1, min: 2 })
        );
        let empty = Array2::<f64>::zeros((0, 3));
        assert_eq!(
            check_matrix(empty.view(), 1),
            Err(GsvaError::TooFewGenes { genes: 0 })
        );
    }

    #[test]
    fn test_check_no_constant_rows() {
        let x = array![[1.0, 2.0], [3.0, 3.0]];
        assert!(matches!(
            check_no_constant_rows(x.view()),
            Err(GsvaError::ConstantRow { row: 1, .. })
        ));
    }

    #[test]
    fn test_check_sets() {
        assert_eq!(check_sets(&[], 3, false), Err(GsvaError::NoSets));
        assert_eq!(
            check_sets(&[vec![0], vec![]], 3, false),
            Err(GsvaError::EmptySet { set: 1 })
        );
        assert_eq!(
            check_sets(&[vec![0, 3]], 3, false),
            Err(GsvaError::IndexOutOfRange {
                set: 0,
                index: 3,
                genes: 3
            })
        );
        assert_eq!(
            check_sets(&[vec![0, 1], vec![1, 2, 1]], 3, false),
            Err(GsvaError::DuplicateIndex { set: 1, index: 1 })
        );
        assert_eq!(
            check_sets(&[vec![0, 1, 2]], 3, true),
            Err(GsvaError::SetCoversAllGenes { set: 0, genes: 3 })
        );
        assert_eq!(check_sets(&[vec![0, 1, 2]], 3, false), Ok(()));
        assert!(check_tau(f64::NAN).is_err());
        assert!(check_tau(0.25).is_ok());
    }
}
