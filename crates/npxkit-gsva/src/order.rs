//! R's `order(x, decreasing = TRUE)` for doubles: a stable sort, so tied
//! values keep their input order (R 4.2 uses its stable radix sort here).

use ndarray::ArrayView1;

/// Indices of `x` by decreasing value, ties in increasing index; NaN last
/// (R's `na.last = TRUE`).
pub(crate) fn order_decreasing(x: ArrayView1<f64>) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| {
        let (xa, xb) = (x[a], x[b]);
        match (xa.is_nan(), xb.is_nan()) {
            (false, false) => xb.partial_cmp(&xa).expect("not NaN"),
            (a_nan, b_nan) => a_nan.cmp(&b_nan),
        }
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_order_decreasing() {
        // R: order(c(3, 1, 3, 2, 1, 3), decreasing = TRUE) is 1 3 6 4 2 5
        let o = order_decreasing(array![3.0, 1.0, 3.0, 2.0, 1.0, 3.0].view());
        assert_eq!(o, vec![0, 2, 5, 3, 1, 4]);
        // R: order(c(Inf, 1, Inf, -Inf, 1), decreasing = TRUE) is 1 3 2 5 4
        let inf = f64::INFINITY;
        let o = order_decreasing(array![inf, 1.0, inf, -inf, 1.0].view());
        assert_eq!(o, vec![0, 2, 1, 4, 3]);
        let o = order_decreasing(array![f64::NAN, 1.0, 2.0].view());
        assert_eq!(o, vec![2, 1, 0]);
    }
}
