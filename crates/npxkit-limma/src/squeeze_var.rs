//! Empirical Bayes squeezing of residual variances towards a common prior,
//! as limma's `squeezeVar`.

use crate::error::LimmaError;
use crate::fit_f_dist::fit_f_dist;
use crate::robust::{fit_f_dist_robustly, fit_f_dist_robustly_trend};
use crate::unequal_df1::fit_f_dist_unequal_df1;
use ndarray::{Array1, ArrayView1};

/// How the variance prior is estimated: limma's `legacy` argument of
/// `squeezeVar` / `eBayes` (limma ≥ 3.62).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum PriorMethod {
    /// limma ≤ 3.60 (and `legacy = TRUE`): moment estimation by `fitFDist`
    /// (`fitFDistRobustly` when robust), whatever the residual df.
    #[default]
    Legacy,
    /// limma ≥ 3.62 with `legacy = NULL`: `fitFDistUnequalDF1` (maximum
    /// likelihood, its own robust variant) when the positive residual df
    /// differ between assays, the legacy estimators when they are all equal.
    /// Fewer than three variances are returned unsqueezed, as in limma ≥ 3.62.
    Current,
}

/// Prior and posterior variances from [`squeeze_var`], one entry per assay.
#[derive(Debug, Clone, PartialEq)]
pub struct SqueezedVar {
    /// Prior degrees of freedom d0 (per assay: robust estimation shrinks them for outliers).
    pub df_prior: Array1<f64>,
    /// Prior variance s0² (per assay: varies with a trend covariate).
    pub var_prior: Array1<f64>,
    /// Posterior variance (d·s² + d0·s0²) / (d + d0).
    pub var_post: Array1<f64>,
    /// What limma would have warned about.
    pub diagnostics: SqueezeDiagnostics,
}

/// Data conditions met while estimating the prior (limma prints these as warnings).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqueezeDiagnostics {
    /// Exactly zero variances offset away from zero before taking logs.
    pub zero_variances: usize,
    /// More than half of the variances were exactly zero: the prior is unreliable.
    pub mostly_zero_variances: bool,
    /// Robust estimation: very small variances raised to 1e-12 × median.
    pub small_variances_offset: usize,
    /// Robust estimation: probability that each variance is an outlier (empty otherwise).
    pub prob_outlier: Vec<f64>,
}

/// Squeezes sample variances `var` (with `df` degrees of freedom) towards a
/// prior estimated from all of them, as limma's `squeezeVar`.
///
/// With `covariate`, the prior variance follows a natural-spline trend in it
/// (limma's `trend = TRUE` uses the average expression). With `robust`, the
/// prior is estimated by `fitFDistRobustly` and outlying variances get smaller
/// prior df; with both, the robust trend is limma's `loessFit` (R's `lowess`).
/// Variances with zero df are set to zero first, as in limma, so their
/// posterior is the prior.
///
/// # Errors
/// Invalid covariate (robust estimation also refuses infinite values, as
/// limma); robust estimation with mostly non-positive variances.
///
/// # References
/// Smyth, G. K. (2004). doi:10.2202/1544-6115.1027
///
/// Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S., & Smyth, G. K. (2016).
/// Robust hyperparameter estimation protects against hypervariable genes and
/// improves power to detect differential expression. *Annals of Applied
/// Statistics* 10, 946–963. doi:10.1214/16-AOAS920
pub fn squeeze_var(
    var: ArrayView1<f64>,
    df: ArrayView1<f64>,
    covariate: Option<ArrayView1<f64>>,
    robust: bool,
    winsor_tail_p: (f64, f64),
) -> Result<SqueezedVar, LimmaError> {
    squeeze_var_with(
        var,
        df,
        covariate,
        robust,
        winsor_tail_p,
        PriorMethod::Legacy,
    )
}

/// [`squeeze_var`] with the choice of prior estimator: limma ≥ 3.62's
/// `squeezeVar(var, df, covariate, robust, winsor.tail.p, legacy)`, where
/// [`PriorMethod::Current`] is `legacy = NULL` and [`PriorMethod::Legacy`] is
/// limma 3.54's `squeezeVar` (identical to [`squeeze_var`]).
///
/// # Errors
/// As [`squeeze_var`]; with `Current` and unequal df, also when the prior df
/// cannot be estimated (fewer than two positive informative variances:
/// limma's "Could not estimate prior df").
///
/// # References
/// Smyth, G. K. (2004). doi:10.2202/1544-6115.1027
pub fn squeeze_var_with(
    var: ArrayView1<f64>,
    df: ArrayView1<f64>,
    covariate: Option<ArrayView1<f64>>,
    robust: bool,
    winsor_tail_p: (f64, f64),
    method: PriorMethod,
) -> Result<SqueezedVar, LimmaError> {
    let n = var.len();
    let min_n = match method {
        PriorMethod::Legacy => 1,
        PriorMethod::Current => 2,
    };
    if n <= min_n {
        return Ok(SqueezedVar {
            df_prior: Array1::zeros(n),
            var_prior: var.to_owned(),
            var_post: var.to_owned(),
            diagnostics: SqueezeDiagnostics::default(),
        });
    }
    let x: Vec<f64> = var
        .iter()
        .zip(df)
        .map(|(&v, &d)| if d == 0.0 { 0.0 } else { v })
        .collect();
    let d = df.to_vec();
    let cov = covariate.map(|c| c.to_vec());
    if method == PriorMethod::Current && unequal_positive_df(&d) {
        let fit = fit_f_dist_unequal_df1(&x, &d, cov.as_deref(), robust)?;
        let df_prior = fit.df_prior();
        if df_prior.iter().any(|v| v.is_nan()) {
            return Err(LimmaError::PriorDfNotEstimable);
        }
        let var_post = (0..n)
            .map(|i| posterior(x[i], d[i], fit.scale[i], df_prior[i]))
            .collect();
        return Ok(SqueezedVar {
            df_prior: Array1::from(df_prior),
            var_prior: Array1::from(fit.scale),
            var_post,
            diagnostics: SqueezeDiagnostics::default(),
        });
    }
    let (scale, df_prior, diagnostics) = if robust {
        let fit = match cov.as_deref() {
            None => fit_f_dist_robustly(&x, &d, winsor_tail_p)?,
            Some(c) => fit_f_dist_robustly_trend(&x, &d, c, winsor_tail_p)?,
        };
        let diag = SqueezeDiagnostics {
            zero_variances: fit.non_robust.zero_variances,
            mostly_zero_variances: fit.non_robust.mostly_zero_variances,
            small_variances_offset: fit.small_variances_offset,
            prob_outlier: fit.prob_outlier,
        };
        (fit.scale, fit.df2_shrunk, diag)
    } else {
        let fit = fit_f_dist(&x, &d, cov.as_deref())?;
        let diag = SqueezeDiagnostics {
            zero_variances: fit.zero_variances,
            mostly_zero_variances: fit.mostly_zero_variances,
            ..SqueezeDiagnostics::default()
        };
        (fit.scale, vec![fit.df2; n], diag)
    };
    let var_post = (0..n)
        .map(|i| posterior(x[i], d[i], scale[i], df_prior[i]))
        .collect();
    Ok(SqueezedVar {
        df_prior: Array1::from(df_prior),
        var_prior: Array1::from(scale),
        var_post,
        diagnostics,
    })
}

/// limma ≥ 3.62's choice: the positive df are not all identical (no positive df counts as unequal).
fn unequal_positive_df(df: &[f64]) -> bool {
    let pos = df.iter().copied().filter(|&v| v > 0.0);
    let lo = pos.clone().fold(f64::INFINITY, f64::min);
    let hi = pos.fold(f64::NEG_INFINITY, f64::max);
    lo != hi
}

/// Posterior variance for one assay, as limma's `.squeezeVar` (prior alone when d0 = ∞).
fn posterior(var: f64, df: f64, var_prior: f64, df_prior: f64) -> f64 {
    if df_prior.is_finite() {
        (df * var + df_prior * var_prior) / (df + df_prior)
    } else {
        var_prior
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_squeeze_var_single_and_empty() {
        let s = squeeze_var(
            array![2.0].view(),
            array![3.0].view(),
            None,
            false,
            (0.05, 0.1),
        )
        .unwrap();
        assert_eq!((s.var_post[0], s.df_prior[0]), (2.0, 0.0));
        let e = Array1::<f64>::zeros(0);
        let s = squeeze_var(e.view(), e.view(), None, false, (0.05, 0.1)).unwrap();
        assert!(s.var_post.is_empty());
    }

    #[test]
    fn test_squeeze_var_moves_towards_prior() {
        let v = array![0.5, 1.0, 2.0, 0.8, 1.3, 3.0, 0.2];
        let d = Array1::from_elem(7, 4.0);
        let s = squeeze_var(v.view(), d.view(), None, false, (0.05, 0.1)).unwrap();
        for i in 0..7 {
            let (lo, hi) = (v[i].min(s.var_prior[i]), v[i].max(s.var_prior[i]));
            assert!(s.var_post[i] >= lo && s.var_post[i] <= hi);
        }
    }
}
