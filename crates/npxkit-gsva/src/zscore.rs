//! Combined z-scores, as GSVA 1.46's `gsva(method = "zscore")`.
//!
//! Each gene is standardised across samples ([`standardize_rows`]); a set's
//! score in a sample is the sum of its members' z-scores divided by the
//! square root of the set size (`GSVA:::combinez`).
//!
//! # References
//! Lee, E., Chuang, H.-Y., Kim, J.-W., Ideker, T., & Lee, D. (2008).
//! Inferring pathway activity toward precise disease classification. *PLoS
//! Computational Biology* 4, e1000217. doi:10.1371/journal.pcbi.1000217

use crate::error::GsvaError;
use crate::input::{check_matrix, check_no_constant_rows, check_sets};
use crate::standardize::standardize_rows;
use ndarray::{Array2, ArrayView2};
use npxkit_stats::summary::long_sum;
use rayon::prelude::*;

/// The fewest samples for a standard deviation.
const MIN_SAMPLES: usize = 2;

/// Combined z-scores, sets × samples, as `GSVA::gsva(method = "zscore")` 1.46
/// on a matrix without constant genes.
///
/// `x` is genes × samples; `sets` lists row indices of `x`. Members are
/// summed in the order the set lists them. GSVA removes constant genes
/// first; do the same with [`crate::filter_constant_rows`].
///
/// # Errors
/// Fewer than 2 genes or samples; a non-finite value; a constant row; no
/// sets, an empty set, or a set with an out-of-range or repeated row.
///
/// # References
/// Lee, E., Chuang, H.-Y., Kim, J.-W., Ideker, T., & Lee, D. (2008).
/// doi:10.1371/journal.pcbi.1000217
pub fn zscore(x: ArrayView2<f64>, sets: &[Vec<usize>]) -> Result<Array2<f64>, GsvaError> {
    check_matrix(x, MIN_SAMPLES)?;
    check_no_constant_rows(x)?;
    check_sets(sets, x.nrows(), false)?;
    let z = standardize_rows(x);
    let rows: Vec<Vec<f64>> = sets
        .par_iter()
        .map(|set| {
            let norm = (set.len() as f64).sqrt();
            (0..x.ncols())
                .map(|j| long_sum(set.iter().map(|&g| z[[g, j]])) / norm)
                .collect()
        })
        .collect();
    Ok(Array2::from_shape_fn((sets.len(), x.ncols()), |(s, j)| {
        rows[s][j]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_zscore() {
        let x = array![[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [0.0, 0.0, 3.0]];
        let es = zscore(x.view(), &[vec![0], vec![0, 1], vec![0, 2]]).unwrap();
        assert_eq!(es.row(0).to_vec(), vec![-1.0, 0.0, 1.0]);
        assert_eq!(es.row(1).to_vec(), vec![0.0, 0.0, 0.0]);
        let z2 = standardize_rows(x.view());
        assert!((es[[2, 2]] - (1.0 + z2[[2, 2]]) / 2f64.sqrt()).abs() < 1e-15);
        let c = array![[1.0, 2.0], [3.0, 3.0]];
        assert!(matches!(
            zscore(c.view(), &[vec![0]]),
            Err(GsvaError::ConstantRow { row: 1, .. })
        ));
        assert_eq!(
            zscore(x.view(), &[vec![]]),
            Err(GsvaError::EmptySet { set: 0 })
        );
    }
}
