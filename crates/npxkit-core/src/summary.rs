//! Order statistics used in QC tables, defined as R defines them so numbers match
//! `median()` and `IQR()` (quantile type 7).

/// R's `quantile(x, p, type = 7)` over the finite values of `x`; NaN when none.
pub fn quantile(x: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, p)
}

/// Type-7 quantile of already sorted, finite values, with R's arithmetic:
/// `(1 - h)·x[lo] + h·x[hi]`, and `x[lo]` itself when `h = 0` or the two are equal.
pub fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let index = (v.len() - 1) as f64 * p;
    let lo = index.floor() as usize;
    let hi = (index.ceil() as usize).min(v.len() - 1);
    let h = index - lo as f64;
    if h > 0.0 && v[hi] != v[lo] {
        (1.0 - h) * v[lo] + h * v[hi]
    } else {
        v[lo]
    }
}

/// R's `median()` over finite values: the middle value, or the mean of the two
/// middle values computed as `(a + b) / 2` (which is not always `a + (b - a) / 2`).
pub fn median(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let half = v.len() / 2;
    if v.len() % 2 == 1 {
        v[half]
    } else {
        (v[half - 1] + v[half]) / 2.0
    }
}

/// R's `IQR()` over finite values (type 7).
pub fn iqr(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, 0.75) - quantile_sorted(&v, 0.25)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_quantiles_match_r() {
        // R: quantile(c(1, 2, 4, 7, 11), c(.25, .5, .75)) -> 2 4 7; IQR -> 5
        let x = [7.0, 1.0, 11.0, 2.0, 4.0, f64::NAN];
        assert_eq!(quantile(&x, 0.25), 2.0);
        assert_eq!(median(&x), 4.0);
        assert_eq!(iqr(&x), 5.0);
        // R: quantile(c(1, 2, 3, 4), 0.1) -> 1.3; median -> 2.5
        assert!((quantile(&[1.0, 2.0, 3.0, 4.0], 0.1) - 1.3).abs() < 1e-15);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[f64::NAN]).is_nan());
        // R: median(c(1.5912, 10.7479)) is 6.16955 exactly as (a + b) / 2 rounds;
        // a + (b - a) / 2 gives 6.169549999999999.
        assert_eq!(median(&[10.7479, 1.5912]), 6.16955);
        assert_eq!(quantile(&[10.7479, 1.5912], 0.5), 6.16955);
    }
}
