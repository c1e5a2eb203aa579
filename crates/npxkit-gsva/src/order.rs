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

/// [`order_decreasing`] for a contiguous slice without NaN, by sorting
/// (order key, index) pairs: the same permutation (ties, including 0.0 and
/// −0.0, keep increasing index), faster than the comparator sort.
pub(crate) fn order_decreasing_slice(x: &[f64]) -> Vec<usize> {
    let mut keyed: Vec<(u64, u32)> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| (descending_key(v), i as u32))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, i)| i as usize).collect()
}

/// A key whose ascending order is `v`'s descending order (0.0 and −0.0
/// equal; NaN after everything, as R's `na.last = TRUE`).
fn descending_key(v: f64) -> u64 {
    if v.is_nan() {
        return u64::MAX;
    }
    let v = if v == 0.0 { 0.0 } else { v };
    let bits = v.to_bits();
    // ascending total order of non-NaN doubles, then reversed
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
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

    #[test]
    fn test_order_decreasing_slice_matches() {
        let inf = f64::INFINITY;
        let cases: [&[f64]; 4] = [
            &[3.0, 1.0, 3.0, 2.0, 1.0, 3.0],
            &[inf, 1.0, inf, -inf, 1.0, -0.0, 0.0, -1e-300, 1e-300, -0.0],
            &[f64::NAN, 1.0, 2.0, f64::NAN, -inf],
            &[-2.5, -2.5, 7.0, -7.0, f64::MIN_POSITIVE, -f64::MIN_POSITIVE],
        ];
        for x in cases {
            let v = ndarray::ArrayView1::from(x);
            assert_eq!(order_decreasing_slice(x), order_decreasing(v), "{x:?}");
        }
    }
}
