//! Mean and variance as R computes them (extended-precision accumulation
//! and a second refinement pass), with compensated summation standing in for
//! R's `long double`.

/// Neumaier's compensated sum, standing in for the long-double accumulators of R's
/// `sum()`, `mean()`, `colMeans()` and GSVA's C code: the rounded sum to within about
/// one unit in the last place, independent of cancellation, in input order.
///
/// # References
/// Neumaier, A. (1974). Rundungsfehleranalyse einiger Verfahren zur Summation
/// endlicher Summen. *ZAMM* 54, 39–51. doi:10.1002/zamm.19740540106
pub fn long_sum(values: impl IntoIterator<Item = f64>) -> f64 {
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

/// Arithmetic mean as R's `mean()`: sum / n, then refined by the mean of the
/// residuals. `NaN` for empty input.
pub fn mean(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = long_sum(x.iter().copied()) / n;
    if !m.is_finite() {
        return m;
    }
    m + long_sum(x.iter().map(|v| v - m)) / n
}

/// Sample variance (denominator n - 1) as R's `var()`: two passes around
/// the refined mean. `NaN` for fewer than two values.
pub fn var(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    long_sum(x.iter().map(|v| (v - m) * (v - m))) / (x.len() - 1) as f64
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

    #[test]
    fn test_mean_and_var() {
        assert!(mean(&[]).is_nan());
        assert_eq!(mean(&[1.0, 2.0, 4.5]), 2.5);
        assert!(var(&[1.0]).is_nan());
        assert_eq!(var(&[1.0, 2.0, 3.0]), 1.0);
    }
}
