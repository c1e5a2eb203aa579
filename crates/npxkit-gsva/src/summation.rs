//! Compensated summation, standing in for the long-double accumulators of
//! R's `sum()`, `colMeans()` and GSVA's C `sd()`.

/// Neumaier's compensated sum: the rounded sum to within about one unit in
/// the last place, independent of cancellation, in input order.
///
/// # References
/// Neumaier, A. (1974). Rundungsfehleranalyse einiger Verfahren zur
/// Summation endlicher Summen. *ZAMM* 54, 39–51. doi:10.1002/zamm.19740540106
pub(crate) fn long_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut sum = 0.0_f64;
    let mut comp = 0.0_f64;
    for v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            comp += (sum - t) + v;
        } else {
            comp += (v - t) + sum;
        }
        sum = t;
    }
    sum + comp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_long_sum() {
        assert_eq!(long_sum([1.0, 1e100, 1.0, -1e100]), 2.0);
        assert_eq!(long_sum(std::iter::empty()), 0.0);
        assert_eq!(long_sum([0.1; 10]), 1.0);
    }
}
