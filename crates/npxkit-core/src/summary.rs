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

/// Type-7 quantile of already sorted, finite values.
pub fn quantile_sorted(v: &[f64], p: f64) -> f64 {
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// R's `median()` over finite values.
pub fn median(x: &[f64]) -> f64 {
    quantile(x, 0.5)
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
    }
}
