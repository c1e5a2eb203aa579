//! PLAGE scores, as GSVA 1.46's `gsva(method = "plage")`: the first right
//! singular vector of each set's standardised submatrix.
//!
//! Genes are standardised across samples ([`standardize_rows`]); for set S
//! the score vector over samples is v₁ of the SVD `Z[S, ] = U Σ Vᵀ`
//! (`GSVA:::rightsingularsvdvectorgset`).
//!
//! # Sign
//! A singular vector is defined up to sign; R takes whatever LAPACK's
//! `dgesdd` returns, which depends on its Householder reductions and is not
//! a property of the data. Here the sign is fixed so that the score
//! correlates positively with the set's mean z-score: `1ᵀ Z[S, ] v₁ > 0`
//! (equivalently, the member loadings u₁ have a positive sum). If that sum
//! is zero to within `PLAGE_SIGN_TIE` of its scale, the component of
//! largest magnitude (first such sample) is made positive.
//!
//! The magnitudes agree with R to about 1e-11 relative (worst 3.5e-12 on
//! the reference data); the sign agrees with R's for some sets and not
//! others (9 of 16 on the reference data), so compare up to sign or flip
//! R's rows.
//!
//! A set of one gene has the 1 × n submatrix z, whose v₁ is `z / ||z||`
//! (positive sign by the rule above). R's `plage` returns a row of ±1 for
//! such a set (`Z[gSetIdx, ]` drops to a vector, a 1-column matrix to
//! `svd`, whose v = ±1 is recycled across samples).
//!
//! # References
//! Tomfohr, J., Lu, J., & Kepler, T. B. (2005). Pathway level analysis of
//! gene expression using singular value decomposition. *BMC Bioinformatics*
//! 6, 225. doi:10.1186/1471-2105-6-225

use crate::error::GsvaError;
use crate::input::{check_matrix, check_no_constant_rows, check_sets};
use crate::standardize::standardize_rows;
use crate::svd::leading_right_singular;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

/// The fewest samples for a standard deviation.
const MIN_SAMPLES: usize = 2;
/// Relative size below which `1ᵀ Z v₁` counts as zero for the sign rule.
pub const PLAGE_SIGN_TIE: f64 = 1e-12;

/// PLAGE scores, sets × samples, as `GSVA::gsva(method = "plage")` 1.46 on
/// a matrix without constant genes, with the deterministic sign described
/// in the [module documentation](self).
///
/// `x` is genes × samples; `sets` lists row indices of `x`. GSVA removes
/// constant genes first; do the same with [`crate::filter_constant_rows`].
/// A set whose standardised submatrix is zero cannot occur (members are not
/// constant), so every row has unit norm.
///
/// # Errors
/// Fewer than 2 genes or samples; a non-finite value; a constant row; no
/// sets, an empty set, or a set with an out-of-range or repeated row.
///
/// # References
/// Tomfohr, J., Lu, J., & Kepler, T. B. (2005). doi:10.1186/1471-2105-6-225
pub fn plage(x: ArrayView2<f64>, sets: &[Vec<usize>]) -> Result<Array2<f64>, GsvaError> {
    check_matrix(x, MIN_SAMPLES)?;
    check_no_constant_rows(x)?;
    check_sets(sets, x.nrows(), false)?;
    let z = standardize_rows(x);
    let rows: Vec<Vec<f64>> = sets
        .par_iter()
        .map(|set| {
            let sub = z.select(Axis(0), set);
            let (_, v) =
                leading_right_singular(sub.view()).expect("standardised rows are non-zero");
            orient(sub.view(), v)
        })
        .collect();
    Ok(Array2::from_shape_fn((sets.len(), x.ncols()), |(s, j)| {
        rows[s][j]
    }))
}

/// Fixes the sign of v₁ so that `1ᵀ Z v₁ > 0`, falling back to a positive
/// largest component.
fn orient(sub: ArrayView2<f64>, mut v: Vec<f64>) -> Vec<f64> {
    let col_sums = sub.sum_axis(Axis(0));
    let s: f64 = col_sums.iter().zip(&v).map(|(c, v)| c * v).sum();
    let scale: f64 = col_sums.iter().zip(&v).map(|(c, v)| (c * v).abs()).sum();
    let flip = if s.abs() > PLAGE_SIGN_TIE * scale {
        s < 0.0
    } else {
        let largest = v
            .iter()
            .copied()
            .reduce(|a, b| if b.abs() > a.abs() { b } else { a })
            .unwrap_or(0.0);
        largest < 0.0
    };
    if flip {
        v.iter_mut().for_each(|x| *x = -*x);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_plage_single_gene_is_normalised_z() {
        let x = array![[1.0, 2.0, 4.0], [3.0, 2.0, 1.5]];
        let es = plage(x.view(), &[vec![0], vec![1]]).unwrap();
        let z = standardize_rows(x.view());
        for s in 0..2 {
            let n = z.row(s).dot(&z.row(s)).sqrt();
            for j in 0..3 {
                assert!((es[[s, j]] - z[[s, j]] / n).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn test_plage_sign_follows_set_mean() {
        // Two genes moving together: v₁ is along their common pattern, positive
        // where both are high.
        let x = array![
            [1.0, 2.0, 3.0, 10.0],
            [2.0, 2.5, 3.5, 9.0],
            [5.0, 1.0, 2.0, 2.0]
        ];
        let es = plage(x.view(), &[vec![0, 1]]).unwrap();
        assert!(es[[0, 3]] > 0.0 && es[[0, 0]] < 0.0);
        let norm: f64 = es.row(0).iter().map(|v| v * v).sum();
        assert!((norm - 1.0).abs() < 1e-14);
    }

    #[test]
    fn test_orient_tie_falls_back_to_largest() {
        // column sums zero: the sign follows the largest component
        let sub = array![[1.0, -1.0], [-1.0, 1.0]];
        assert_eq!(orient(sub.view(), vec![0.6, -0.8]), vec![-0.6, 0.8]);
        assert_eq!(orient(sub.view(), vec![-0.8, 0.6]), vec![0.8, -0.6]);
    }
}
