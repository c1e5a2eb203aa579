//! Maximum likelihood estimation of the scaled F prior when the residual df
//! differ between assays, as limma's `fitFDistUnequalDF1` (limma ≥ 3.61.8;
//! what `eBayes(legacy = NULL)` of limma 3.62 and later uses whenever the
//! residual df are unequal).
//!
//! The prior df are found by R's `optimize` (Brent's minimiser, ported step
//! for step in [`crate::fmin`]) on `par = d2 / (1 + d2)` ∈ [1/2, 0.9998], the
//! prior variance from the weighted mean of the df-adjusted log variances.
//! The robust variant flags two-sided outliers by BH-adjusted tail
//! probabilities, refits with those FDRs as prior weights, and shrinks the
//! prior df of right outliers.

use crate::error::LimmaError;
use crate::fmin::{default_tol, fmin};
use crate::robust::{average_ranks, order};
use crate::weighted_lowess::loess_fit_weighted;
use npxkit_stats::adjust::{p_adjust, AdjustMethod};
use npxkit_stats::dist::{pf, pf_log, Tail};
use npxkit_stats::special::{lgamma, trigamma};

/// df1 below this are uninformative (limma's 0.01): weight 0, df1 set to 1.
const DF1_UNINFORMATIVE: f64 = 0.01;
/// Zero variances are raised to this fraction of the median positive variance.
const VAR_FLOOR_FRACTION: f64 = 1e-12;
/// Search interval of `par = d2/(1 + d2)` (limma's `c(1/2, 0.9998)`).
const PAR_INTERVAL: (f64, f64) = (0.5, 0.9998);
/// Left tail probabilities below this are recomputed directly (limma's 0.001).
const LEFT_P_RECOMPUTE: f64 = 0.001;
/// FDRs above this count as "not an outlier" (limma's 0.3).
const FDR_NOT_OUTLIER: f64 = 0.3;

/// Result of [`fit_f_dist_unequal_df1`], as limma's list
/// `(scale, df2, df2.outlier, df2.shrunk)`.
#[derive(Debug, Clone, PartialEq)]
pub struct UnequalDf1Fit {
    /// Prior variance s0², one per input (constant without a covariate);
    /// NaN when fewer than two variances are informative.
    pub scale: Vec<f64>,
    /// Prior df d0 (NaN when fewer than two variances are informative).
    pub df2: f64,
    /// Robust fit with right outliers: the prior df given to the largest outlier.
    pub df2_outlier: Option<f64>,
    /// Robust fit with right outliers: per-assay shrunk prior df.
    pub df2_shrunk: Option<Vec<f64>>,
}

impl UnequalDf1Fit {
    /// Prior df per assay: `df2_shrunk` when present, else `df2` for all.
    pub fn df_prior(&self) -> Vec<f64> {
        match &self.df2_shrunk {
            Some(s) => s.clone(),
            None => vec![self.df2; self.scale.len()],
        }
    }
}

/// log(x) − digamma(x) without cancellation for large x, as statmod's `logmdigamma`.
pub fn logmdigamma(z: f64) -> f64 {
    if z.is_nan() || z <= 0.0 {
        return f64::NAN;
    }
    if z < 5.0 {
        let x = z;
        return (x / (x + 5.0)).ln()
            + logmdigamma(x + 5.0)
            + 1.0 / x
            + 1.0 / (x + 1.0)
            + 1.0 / (x + 2.0)
            + 1.0 / (x + 3.0)
            + 1.0 / (x + 4.0);
    }
    let x = 1.0 / (z * z);
    let tail = x
        * (-1.0 / 12.0
            + x * (1.0 / 120.0
                + x * (-1.0 / 252.0
                    + x * (1.0 / 240.0
                        + x * (-1.0 / 132.0
                            + x * (691.0 / 32760.0
                                + x * (-1.0 / 12.0 + (3617.0 * x) / 8160.0)))))));
    1.0 / (2.0 * z) - tail
}

/// Sum with a compensated accumulator, standing in for R's `sum` (which
/// accumulates doubles in extended precision).
pub(crate) fn sum_ext(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut s = 0.0f64;
    let mut c = 0.0f64;
    for v in values {
        let t = s + v;
        if s.abs() >= v.abs() {
            c += (s - t) + v;
        } else {
            c += (v - t) + s;
        }
        s = t;
    }
    s + c
}

/// Fits a scaled F distribution to variances `x` with unequal `df1` by
/// maximum likelihood, optionally with a lowess trend in `covariate` and
/// robustly, as limma's `fitFDistUnequalDF1(x, df1, covariate, robust)`.
///
/// NaN variances and df1 < 0.01 get prior weight 0 (df1 set to 1). With
/// fewer than two positive informative variances the result is NaN; with
/// exactly two, the covariate and robustness are dropped as in limma.
///
/// # Errors
/// Lengths that differ, NaN df1, or a NaN covariate.
///
/// # References
/// Chen, L., & Smyth, G. K. (2024). limma 3.62 `fitFDistUnequalDF1`.
///
/// Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S., & Smyth, G. K.
/// (2016). doi:10.1214/16-AOAS920
pub fn fit_f_dist_unequal_df1(
    x: &[f64],
    df1: &[f64],
    covariate: Option<&[f64]>,
    robust: bool,
) -> Result<UnequalDf1Fit, LimmaError> {
    let n = x.len();
    if df1.len() != n {
        return Err(LimmaError::InvalidOption {
            option: "df1",
            reason: "x and df1 are different lengths".into(),
        });
    }
    if df1.iter().any(|d| d.is_nan()) {
        return Err(LimmaError::InvalidOption {
            option: "df1",
            reason: "NA df1 values".into(),
        });
    }
    if let Some(c) = covariate {
        if c.len() != n {
            return Err(LimmaError::InvalidCovariate(
                "x and covariate are different lengths".into(),
            ));
        }
        if c.iter().any(|v| v.is_nan()) {
            return Err(LimmaError::InvalidCovariate(
                "NA covariate values are not allowed".into(),
            ));
        }
    }
    Ok(fit(x.to_vec(), df1.to_vec(), covariate, robust, None))
}

fn fit(
    mut x: Vec<f64>,
    mut df1: Vec<f64>,
    mut covariate: Option<&[f64]>,
    mut robust: bool,
    mut prior_weights: Option<Vec<f64>>,
) -> UnequalDf1Fit {
    let n = x.len();
    // NaN variances: weight 0, value 0.
    if x.iter().any(|v| v.is_nan()) {
        let pw = prior_weights.get_or_insert_with(|| vec![1.0; n]);
        for (v, w) in x.iter_mut().zip(pw.iter_mut()) {
            if v.is_nan() {
                *w = 0.0;
                *v = 0.0;
            }
        }
    }
    // Small df1 are uninformative.
    if df1.iter().any(|&d| d < DF1_UNINFORMATIVE) {
        let pw = prior_weights.get_or_insert_with(|| vec![1.0; n]);
        for (d, w) in df1.iter_mut().zip(pw.iter_mut()) {
            if *d < DF1_UNINFORMATIVE {
                *w = 0.0;
                *d = 1.0;
            }
        }
    }
    let has_weights = prior_weights.is_some();
    let informative: Vec<bool> = (0..n)
        .map(|i| x[i] > 0.0 && prior_weights.as_ref().is_none_or(|w| w[i] != 0.0))
        .collect();
    let n_inf = informative.iter().filter(|&&b| b).count();
    if n_inf < 2 {
        return UnequalDf1Fit {
            scale: vec![f64::NAN; n],
            df2: f64::NAN,
            df2_outlier: None,
            df2_shrunk: None,
        };
    }
    if n_inf == 2 {
        covariate = None;
        robust = false;
        // limma sets prior.weights to NULL here but keeps using them when it had
        // some: the products with NULL are empty, so the mean and the likelihood
        // degenerate (NaN scale). Mirrored by an empty weight vector.
        prior_weights = has_weights.then(Vec::new);
    }
    let pos: Vec<f64> = (0..n).filter(|&i| informative[i]).map(|i| x[i]).collect();
    let m = crate::fit_f_dist::median(&pos);
    let xpos: Vec<f64> = x.iter().map(|&v| v.max(VAR_FLOOR_FRACTION * m)).collect();
    let d1: Vec<f64> = df1.iter().map(|d| d / 2.0).collect();
    let e: Vec<f64> = xpos
        .iter()
        .zip(&d1)
        .map(|(&v, &d)| v.ln() + logmdigamma(d))
        .collect();
    let mut w: Vec<f64> = d1.iter().map(|&d| 1.0 / trigamma(d)).collect();
    let degenerate = prior_weights.as_ref().is_some_and(|p| p.is_empty());
    if let Some(pw) = prior_weights.as_ref().filter(|p| !p.is_empty()) {
        w.iter_mut().zip(pw).for_each(|(a, b)| *a *= b);
    }
    let emean: Vec<f64> = match covariate {
        _ if degenerate => vec![f64::NAN],
        None => {
            let num = sum_ext(w.iter().zip(&e).map(|(a, b)| a * b));
            vec![num / sum_ext(w.iter().copied())]
        }
        Some(cov) => {
            let span = choose_lowess_span(n, 500.0);
            let q75 = quantile7(&w, 0.75);
            let wt: Vec<f64> = w.iter().map(|v| v / q75).collect();
            loess_fit_weighted(&e, cov, &wt, 1e-8, 1e2, span, 1)
        }
    };
    let em = |i: usize| if emean.len() == 1 { emean[0] } else { emean[i] };
    let d1x: Vec<f64> = d1.iter().zip(&xpos).map(|(a, b)| a * b).collect();
    let minus_twice_loglik = |par: f64| {
        if degenerate {
            return -2.0 * 0.0;
        }
        let d2 = par / (1.0 - par);
        let lmd = logmdigamma(d2);
        let lg_d2 = lgamma(d2);
        let term = |i: usize| {
            let d2s20 = d2 * (em(i) - lmd).exp();
            -(d1[i] + d2) * (d1x[i] / d2s20).ln_1p() - d1[i] * d2s20.ln() + lgamma(d1[i] + d2)
                - lg_d2
        };
        let s = match prior_weights.as_ref() {
            Some(pw) => sum_ext((0..n).map(|i| pw[i] * term(i))),
            None => sum_ext((0..n).map(term)),
        };
        -2.0 * s
    };
    let out = fmin(
        PAR_INTERVAL.0,
        PAR_INTERVAL.1,
        minus_twice_loglik,
        default_tol(),
    );
    let d2 = out / (1.0 - out);
    let lmd = logmdigamma(d2);
    let s20: Vec<f64> = (0..n).map(|i| (em(i) - lmd).exp()).collect();
    let df2 = 2.0 * d2;
    if !robust {
        return UnequalDf1Fit {
            scale: s20,
            df2,
            df2_outlier: None,
            df2_shrunk: None,
        };
    }

    // Two-sided outliers by FDR.
    let fstat: Vec<f64> = (0..n).map(|i| x[i] / s20[i]).collect();
    let right_p: Vec<f64> = (0..n)
        .map(|i| pf(fstat[i], df1[i], df2, Tail::Upper))
        .collect();
    let two_sided: Vec<f64> = (0..n)
        .map(|i| {
            let mut left = 1.0 - right_p[i];
            if left < LEFT_P_RECOMPUTE {
                left = pf(fstat[i], df1[i], df2, Tail::Lower);
            }
            2.0 * left.min(right_p[i])
        })
        .collect();
    let mut fdr = p_adjust(&two_sided, AdjustMethod::BH);
    fdr.iter_mut()
        .filter(|v| **v > FDR_NOT_OUTLIER)
        .for_each(|v| *v = 1.0);
    if fdr.iter().copied().fold(f64::INFINITY, f64::min) == 1.0 {
        return UnequalDf1Fit {
            scale: s20,
            df2,
            df2_outlier: None,
            df2_shrunk: None,
        };
    }
    let outpw = fit(x, df1.clone(), covariate, false, Some(fdr));
    let df2 = outpw.df2;

    // Right outliers by a qq-plot argument.
    let ranks = average_ranks(&fstat);
    let nf = n as f64;
    let pno: Vec<f64> = (0..n)
        .map(|i| (right_p[i] / ((nf - ranks[i] + 0.5) / nf)).min(1.0))
        .collect();
    if pno.iter().copied().fold(f64::INFINITY, f64::min) == 1.0 {
        return outpw;
    }
    let mut imin = 0;
    for i in 1..n {
        if right_p[i] < right_p[imin] {
            imin = i;
        }
    }
    let min_right_p = right_p[imin];
    let (df2_outlier, mut shrunk) = if min_right_p == 0.0 {
        (0.0, pno.iter().map(|p| p * df2).collect::<Vec<f64>>())
    } else {
        let first = 0.5f64.ln() / min_right_p.ln() * df2;
        let new_log = pf_log(fstat[imin], df1[imin], first, Tail::Upper);
        let out = 0.5f64.ln() / new_log * first;
        (
            out,
            pno.iter()
                .map(|p| p * df2 + (1.0 - p) * out)
                .collect::<Vec<f64>>(),
        )
    };
    // Monotonic in RightP.
    let o = order(&right_p);
    let mut ordered: Vec<f64> = o.iter().map(|&i| shrunk[i]).collect();
    let means = running_means(&ordered);
    let mut jmin = 0;
    for j in 1..n {
        if means[j] < means[jmin] {
            jmin = j;
        }
    }
    ordered[..=jmin].iter_mut().for_each(|v| *v = means[jmin]);
    let mut run = f64::NEG_INFINITY;
    for (k, &i) in o.iter().enumerate() {
        run = run.max(ordered[k]);
        shrunk[i] = run;
    }
    UnequalDf1Fit {
        scale: outpw.scale,
        df2,
        df2_outlier: Some(df2_outlier),
        df2_shrunk: Some(shrunk),
    }
}

/// cumsum(x) / (1:n), the cumulative sums accumulated as R's `cumsum`.
fn running_means(x: &[f64]) -> Vec<f64> {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    x.iter()
        .enumerate()
        .map(|(k, &v)| {
            let t = s + v;
            if s.abs() >= v.abs() {
                c += (s - t) + v;
            } else {
                c += (v - t) + s;
            }
            s = t;
            (s + c) / (k + 1) as f64
        })
        .collect()
}

/// limma's `chooseLowessSpan(n, small.n, min.span = 0.2, power = 1/3)`.
fn choose_lowess_span(n: usize, small_n: f64) -> f64 {
    (0.2 + (1.0 - 0.2) * (small_n / n as f64).powf(1.0 / 3.0)).min(1.0)
}

/// R's `quantile(x, p)` (type 7) of finite data.
fn quantile7(x: &[f64], p: f64) -> f64 {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let index = (n - 1) as f64 * p;
    let lo = index.floor();
    let hi = index.ceil();
    let h = index - lo;
    let (a, b) = (s[lo as usize], s[hi as usize]);
    // R: x[lo] + h * (x[hi] - x[lo]) where h > 0, else x[lo]
    if h == 0.0 || b == a {
        a
    } else {
        (1.0 - h) * a + h * b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_logmdigamma_matches_statmod() {
        // statmod::logmdigamma(c(0.3, 2.5, 7, 1e4)), printed with %.17g.
        let want = [
            (0.3, 2.2985514178739805),
            (2.5, 0.21313409122891142),
            (7.0, 0.07312581395684456),
            (1e4, 5.0000833333332504e-05),
        ];
        for (x, r) in want {
            let v = logmdigamma(x);
            assert!(((v - r) / r).abs() < 1e-14, "{x}: {v:e} vs {r:e}");
        }
    }
}
