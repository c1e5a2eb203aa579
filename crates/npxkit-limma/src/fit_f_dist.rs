//! Moment estimation of the parameters of a scaled F distribution, as limma's
//! `fitFDist`: the prior of the residual variances in empirical Bayes.
//!
//! [`trigamma_inverse`] (limma's `trigammaInverse`, defined in limma's
//! `R/fitFDist.R`) lives here because it is limma's own algorithm, with
//! limma's cut-offs and Newton tolerance; the R base special functions it
//! builds on (`digamma`, `trigamma`, `psigamma(x, 2)`) are in
//! [`npxkit_stats::special`], the workspace's single home of special
//! functions.

use crate::error::LimmaError;
use crate::qr::{Qr, QR_TOL};
use crate::spline::NaturalSpline;
use npxkit_stats::special::{digamma, tetragamma, trigamma};

/// Degrees of freedom at or below this are treated as zero (limma's 1e-15).
const DF_ZERO: f64 = 1e-15;
/// Variances above −1e-15 are usable (limma's tolerance for round-off negatives).
const VAR_NEGATIVE_TOL: f64 = -1e-15;
/// Above this value `trigammaInverse(x)` is `1/sqrt(x)` (limma's cut-off).
const TRIGAMMA_INVERSE_LARGE: f64 = 1e7;
/// Below this value `trigammaInverse(x)` is `1/x` (limma's cut-off).
const TRIGAMMA_INVERSE_SMALL: f64 = 1e-6;
/// Relative Newton step at which limma's `trigammaInverse` stops.
const TRIGAMMA_INVERSE_TOL: f64 = 1e-8;
/// Newton iteration cap of limma's `trigammaInverse`.
const TRIGAMMA_INVERSE_MAX_ITER: usize = 50;
/// Variances are floored at this fraction of their median before taking logs (limma's 1e-5).
const VAR_FLOOR_FRACTION: f64 = 1e-5;

/// Estimated prior: `x / scale ~ F(df1, df2)`.
#[derive(Debug, Clone, PartialEq)]
pub struct FDistFit {
    /// Prior variance s0², one per input (constant without a covariate).
    pub scale: Vec<f64>,
    /// Prior degrees of freedom d0 (∞ when the variances show no extra spread).
    pub df2: f64,
    /// Number of exactly zero variances that were offset away from zero
    /// (limma's "Zero sample variances detected" warning).
    pub zero_variances: usize,
    /// More than half of the variances were zero (limma's "eBayes unreliable" warning).
    pub mostly_zero_variances: bool,
}

impl FDistFit {
    fn constant(n: usize, scale: f64, df2: f64) -> FDistFit {
        FDistFit {
            scale: vec![scale; n],
            df2,
            zero_variances: 0,
            mostly_zero_variances: false,
        }
    }
}

/// Fits a scaled F distribution to variances `x` with `df1` degrees of freedom
/// by moments of log(x), optionally with a natural-spline trend in `covariate`,
/// as limma's `fitFDist`.
///
/// Entries with non-finite or negative `x`, or `df1` ≤ 1e-15, are left out of
/// the estimate (with a covariate, their prior is predicted from the trend).
///
/// # Errors
/// A covariate of the wrong length or with NaN values.
///
/// # References
/// Smyth, G. K. (2004). doi:10.2202/1544-6115.1027
pub fn fit_f_dist(
    x: &[f64],
    df1: &[f64],
    covariate: Option<&[f64]>,
) -> Result<FDistFit, LimmaError> {
    let n = x.len();
    if n == 0 {
        return Ok(FDistFit::constant(0, f64::NAN, f64::NAN));
    }
    if n == 1 {
        return Ok(FDistFit::constant(1, x[0], 0.0));
    }
    let covariate = covariate.map(clean_covariate).transpose()?;
    if covariate.as_ref().is_some_and(|c| c.len() != n) {
        return Err(LimmaError::InvalidCovariate(
            "length differs from the number of variances".into(),
        ));
    }
    let ok: Vec<bool> = (0..n)
        .map(|i| {
            df1[i].is_finite() && df1[i] > DF_ZERO && x[i].is_finite() && x[i] > VAR_NEGATIVE_TOL
        })
        .collect();
    let idx: Vec<usize> = (0..n).filter(|&i| ok[i]).collect();
    if idx.len() == 1 {
        return Ok(FDistFit::constant(n, x[idx[0]], 0.0));
    }
    let xs: Vec<f64> = idx.iter().map(|&i| x[i]).collect();
    let ds: Vec<f64> = idx.iter().map(|&i| df1[i]).collect();
    let Some(cov) = covariate else {
        return Ok(fit_moments(&xs, &ds, None).broadcast(n));
    };
    let cs: Vec<f64> = idx.iter().map(|&i| cov[i]).collect();
    let spline_df = spline_df(&cs);
    if spline_df < 2 {
        return Ok(fit_moments(&xs, &ds, None).broadcast(n));
    }
    let spline = NaturalSpline::new(&cs, spline_df);
    let mut fit = fit_moments(&xs, &ds, Some((&spline, &cs)));
    let df2 = fit.result.df2;
    let prior = |emean: f64| prior_scale(emean, df2);
    let trend_all = predict_trend(&spline, &fit.emean_coef, &cov);
    let mut scale: Vec<f64> = trend_all.iter().map(|&e| prior(e)).collect();
    for (k, &i) in idx.iter().enumerate() {
        scale[i] = fit.result.scale[k];
    }
    fit.result.scale = scale;
    Ok(fit.result)
}

/// limma's number of spline df for the trend: 1 + (n ≥ 3) + (n ≥ 6) + (n ≥ 30), at most the distinct values.
fn spline_df(cov: &[f64]) -> usize {
    let n = cov.len();
    let df = 1 + usize::from(n >= 3) + usize::from(n >= 6) + usize::from(n >= 30);
    let mut distinct = cov.to_vec();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    df.min(distinct.len())
}

/// Replaces ±∞ covariate values as limma does; rejects NaN.
fn clean_covariate(c: &[f64]) -> Result<Vec<f64>, LimmaError> {
    if c.iter().any(|v| v.is_nan()) {
        return Err(LimmaError::InvalidCovariate(
            "NA covariate values are not allowed".into(),
        ));
    }
    let finite: Vec<f64> = c.iter().copied().filter(|v| v.is_finite()).collect();
    if finite.len() == c.len() {
        return Ok(c.to_vec());
    }
    if finite.is_empty() {
        return Ok(c.iter().map(|v| v.signum()).collect());
    }
    let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(c.iter()
        .map(|&v| {
            if v == f64::NEG_INFINITY {
                lo - 1.0
            } else if v == f64::INFINITY {
                hi + 1.0
            } else {
                v
            }
        })
        .collect())
}

/// The moment fit on usable entries, with the trend coefficients when any.
struct MomentFit {
    result: FDistFit,
    emean_coef: Vec<f64>,
}

impl MomentFit {
    fn broadcast(self, n: usize) -> FDistFit {
        let scale = self.result.scale[0];
        FDistFit {
            scale: vec![scale; n],
            ..self.result
        }
    }
}

fn prior_scale(emean: f64, df2: f64) -> f64 {
    if df2.is_finite() {
        (emean + digamma(df2 / 2.0) - (df2 / 2.0).ln()).exp()
    } else {
        emean.exp()
    }
}

/// Moments of the log variances: mean (or spline trend) and excess variance.
fn fit_moments(x: &[f64], df1: &[f64], trend: Option<(&NaturalSpline, &[f64])>) -> MomentFit {
    let n = x.len();
    let mut x: Vec<f64> = x.iter().map(|&v| v.max(0.0)).collect();
    let zero_variances = x.iter().filter(|&&v| v == 0.0).count();
    let mut m = median(&x);
    let mostly_zero_variances = m == 0.0;
    if mostly_zero_variances {
        m = 1.0;
    }
    x.iter_mut()
        .for_each(|v| *v = v.max(VAR_FLOOR_FRACTION * m));
    let e: Vec<f64> = x
        .iter()
        .zip(df1)
        .map(|(&v, &d)| v.ln() - digamma(d / 2.0) + (d / 2.0).ln())
        .collect();
    let (emean, evar, emean_coef) = match trend {
        None => {
            let mean = e.iter().sum::<f64>() / n as f64;
            let var = e.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
            (vec![mean], var, Vec::new())
        }
        Some((spline, cov)) => spline_moments(spline, cov, &e),
    };
    let evar = evar - df1.iter().map(|&d| trigamma(d / 2.0)).sum::<f64>() / n as f64;
    let (df2, scale) = if evar > 0.0 {
        let df2 = 2.0 * trigamma_inverse(evar);
        (df2, emean.iter().map(|&em| prior_scale(em, df2)).collect())
    } else if trend.is_none() {
        (f64::INFINITY, vec![x.iter().sum::<f64>() / n as f64])
    } else {
        (f64::INFINITY, emean.iter().map(|&em| em.exp()).collect())
    };
    let result = FDistFit {
        scale,
        df2,
        zero_variances,
        mostly_zero_variances,
    };
    MomentFit { result, emean_coef }
}

/// Least-squares spline trend of e: fitted values, residual mean square, coefficients.
fn spline_moments(spline: &NaturalSpline, cov: &[f64], e: &[f64]) -> (Vec<f64>, f64, Vec<f64>) {
    let basis = spline.basis(cov);
    let qr = Qr::new(basis.view(), QR_TOL);
    let mut effects = e.to_vec();
    qr.qty(&mut effects);
    let coef = qr.coefficients(&effects);
    let resid = &effects[qr.rank..];
    let evar = resid.iter().map(|v| v * v).sum::<f64>() / resid.len() as f64;
    let beta: Vec<f64> = coef
        .iter()
        .map(|c| if c.is_nan() { 0.0 } else { *c })
        .collect();
    let fitted = basis.dot(&ndarray::ArrayView1::from(&beta)).to_vec();
    (fitted, evar, beta)
}

fn predict_trend(spline: &NaturalSpline, coef: &[f64], x: &[f64]) -> Vec<f64> {
    spline
        .basis(x)
        .dot(&ndarray::ArrayView1::from(coef))
        .to_vec()
}

/// Median of finite data (NaN for empty input).
pub(crate) fn median(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Inverse of the trigamma function by Newton's method, as limma's `trigammaInverse`.
///
/// Solves ψ₁(y) = x for y > 0. Like limma it returns `1/sqrt(x)` for x > 1e7,
/// `1/x` for x < 1e-6, NaN for x < 0, starts Newton at `0.5 + 1/x` and stops
/// when the relative step falls below 1e-8 or after 50 iterations.
///
/// # References
/// Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
/// differential expression in microarray experiments. *Statistical Applications
/// in Genetics and Molecular Biology* 3, Article 3. doi:10.2202/1544-6115.1027
pub fn trigamma_inverse(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x > TRIGAMMA_INVERSE_LARGE {
        return 1.0 / x.sqrt();
    }
    if x < TRIGAMMA_INVERSE_SMALL {
        return 1.0 / x;
    }
    let mut y = 0.5 + 1.0 / x;
    for _ in 0..=TRIGAMMA_INVERSE_MAX_ITER {
        let tri = trigamma(y);
        let dif = tri * (1.0 - tri / x) / tetragamma(y);
        y += dif;
        if -dif / y < TRIGAMMA_INVERSE_TOL {
            break;
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn test_trigamma_inverse_round_trip() {
        for &y in &[0.01, 0.3, 1.0, 4.5, 40.0, 1e4] {
            let x = trigamma(y);
            assert!(rel(trigamma_inverse(x), y) < 1e-7, "{y}");
        }
        assert!(trigamma_inverse(-1.0).is_nan());
        assert_eq!(trigamma_inverse(1e8), 1.0 / 1e8f64.sqrt());
        assert_eq!(trigamma_inverse(1e-7), 1e7);
    }

    #[test]
    fn test_fit_f_dist_degenerate_sizes() {
        let f = fit_f_dist(&[], &[], None).unwrap();
        assert!(f.scale.is_empty() && f.df2.is_nan());
        let f = fit_f_dist(&[2.0], &[3.0], None).unwrap();
        assert_eq!((f.scale[0], f.df2), (2.0, 0.0));
        // All df zero but one: the single usable variance is the prior.
        let f = fit_f_dist(&[2.0, 0.0, 0.0], &[3.0, 0.0, 0.0], None).unwrap();
        assert_eq!((f.scale, f.df2), (vec![2.0; 3], 0.0));
    }

    #[test]
    fn test_fit_f_dist_equal_variances_give_infinite_df() {
        let f = fit_f_dist(&[1.0, 1.0, 1.0, 1.0], &[4.0; 4], None).unwrap();
        assert_eq!(f.df2, f64::INFINITY);
        assert_eq!(f.scale[0], 1.0);
    }

    #[test]
    fn test_fit_f_dist_counts_zero_variances() {
        let f = fit_f_dist(&[0.0, 1.0, 2.0, 0.5, 3.0], &[4.0; 5], None).unwrap();
        assert_eq!(f.zero_variances, 1);
        assert!(!f.mostly_zero_variances);
    }
}
