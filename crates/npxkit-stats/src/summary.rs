//! Mean and variance as R computes them (extended-precision accumulation
//! and a second refinement pass), with compensated summation standing in for
//! R's `long double`.

use crate::adjust::neumaier_sum;

/// Arithmetic mean as R's `mean()`: sum / n, then refined by the mean of the
/// residuals. `NaN` for empty input.
pub fn mean(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = neumaier_sum(x.iter().copied()) / n;
    if !m.is_finite() {
        return m;
    }
    m + neumaier_sum(x.iter().map(|v| v - m)) / n
}

/// Sample variance (denominator n - 1) as R's `var()`: two passes around
/// the refined mean. `NaN` for fewer than two values.
pub fn var(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    neumaier_sum(x.iter().map(|v| (v - m) * (v - m))) / (x.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_mean_and_var() {
        assert!(mean(&[]).is_nan());
        assert_eq!(mean(&[1.0, 2.0, 4.5]), 2.5);
        assert!(var(&[1.0]).is_nan());
        assert_eq!(var(&[1.0, 2.0, 3.0]), 1.0);
    }
}
