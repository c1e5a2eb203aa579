//! Row standardisation as GSVA's `t(scale(t(X)))`: each gene centred on its
//! mean and divided by its standard deviation (denominator n − 1).
//!
//! R's `scale()` takes the centre from `colMeans()` (a long-double sum
//! divided by n, without `mean()`'s refinement pass) and the scale from
//! `sqrt(sum(v^2) / (n - 1))` of the centred values; both sums are
//! compensated here.

use ndarray::{Array2, ArrayView2, Axis};
use npxkit_stats::summary::long_sum;

/// Each row centred and scaled to unit standard deviation, as
/// `t(scale(t(x)))` in R. Constant rows give NaN (0 / 0), as in R. Linear
/// in the matrix size, so not parallel.
pub fn standardize_rows(x: ArrayView2<f64>) -> Array2<f64> {
    let n = x.ncols();
    let mut z = x.to_owned();
    for mut row in z.axis_iter_mut(Axis(0)) {
        let center = long_sum(row.iter().copied()) / n as f64;
        row.mapv_inplace(|v| v - center);
        let scale = (long_sum(row.iter().map(|v| v * v)) / (n.max(2) - 1) as f64).sqrt();
        row.mapv_inplace(|v| v / scale);
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_standardize_rows() {
        let z = standardize_rows(array![[1.0, 2.0, 3.0], [2.0, 2.0, 2.0]].view());
        assert_eq!(z.row(0).to_vec(), vec![-1.0, 0.0, 1.0]);
        assert!(z.row(1).iter().all(|v| v.is_nan()));
    }
}
