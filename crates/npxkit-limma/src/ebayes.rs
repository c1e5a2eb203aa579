//! Empirical Bayes moderated t-statistics and log-odds, as limma's `eBayes`.

use crate::error::LimmaError;
use crate::fit_f_dist::median;
use crate::lm_fit::LinearModelFit;
use crate::squeeze_var::{squeeze_var_with, PriorMethod, SqueezeDiagnostics, SqueezedVar};
use ndarray::{Array1, Array2, ArrayView1, Zip};
use npxkit_stats::dist::{pt, pt_log, qt, qt_log, Tail};

/// Prior df above this are treated as infinite in the log-odds (limma's 1e6).
const INFINITE_DF_PRIOR: f64 = 1e6;

/// Options of [`ebayes`], with limma's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct EbayesOptions {
    /// Assumed proportion of assays that are differentially expressed (limma's `proportion`).
    pub proportion: f64,
    /// Bounds on the prior standard deviation of log-fold-changes, relative to
    /// the residual standard deviation (limma's `stdev.coef.lim`).
    pub stdev_coef_lim: (f64, f64),
    /// Let the prior variance follow a trend in average expression.
    pub trend: bool,
    /// Robust estimation of the prior, protecting against outlying variances.
    pub robust: bool,
    /// Tail proportions Winsorised by the robust estimation (limma's `winsor.tail.p`).
    pub winsor_tail_p: (f64, f64),
    /// Estimator of the variance prior (limma ≥ 3.62's `legacy`): the default
    /// [`PriorMethod::Legacy`] is limma 3.54's; [`PriorMethod::Current`] is
    /// `eBayes(legacy = NULL)` of limma 3.62 and later.
    pub prior_method: PriorMethod,
}

impl Default for EbayesOptions {
    fn default() -> Self {
        EbayesOptions {
            proportion: 0.01,
            stdev_coef_lim: (0.1, 4.0),
            trend: false,
            robust: false,
            winsor_tail_p: (0.05, 0.1),
            prior_method: PriorMethod::Legacy,
        }
    }
}

/// A fit with moderated statistics, as limma's `MArrayLM` after `eBayes` or `treat`.
#[derive(Debug, Clone, PartialEq)]
pub struct EbayesFit {
    /// The linear model (or contrasts) fit the statistics are for.
    pub fit: LinearModelFit,
    /// Prior df per assay (constant unless robust).
    pub df_prior: Array1<f64>,
    /// Prior variance per assay (constant unless trend).
    pub s2_prior: Array1<f64>,
    /// Posterior (moderated) variance per assay.
    pub s2_post: Array1<f64>,
    /// Total df: residual + prior, capped at the pooled residual df.
    pub df_total: Array1<f64>,
    /// Moderated t-statistics (assays × coefficients).
    pub t: Array2<f64>,
    /// Two-sided p-values (assays × coefficients).
    pub p_value: Array2<f64>,
    /// Log-odds of differential expression, B (absent after `treat`).
    pub lods: Option<Array2<f64>>,
    /// Prior variance of non-zero coefficients, per coefficient (empty after `treat`).
    pub var_prior: Vec<f64>,
    /// The proportion used for the log-odds.
    pub proportion: f64,
    /// The fold-change threshold of `treat`, if this came from [`crate::treat`].
    pub treat_lfc: Option<f64>,
    /// Data conditions limma would have warned about.
    pub diagnostics: EbayesDiagnostics,
}

/// Warnings of `eBayes`, returned instead of printed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EbayesDiagnostics {
    /// From the variance prior estimation.
    pub squeeze: SqueezeDiagnostics,
    /// Coefficients whose `var.prior` estimate failed and was set to 1/s2.prior.
    pub var_prior_failed: Vec<usize>,
}

/// Posterior variances and total df shared by `eBayes` and `treat`.
pub(crate) struct Moderated {
    pub squeezed: SqueezedVar,
    pub df_total: Array1<f64>,
}

/// Squeezes the residual variances of `fit` and computes the total df, as the
/// first half of limma's `.ebayes` (and of `treat`).
pub(crate) fn moderate(
    fit: &LinearModelFit,
    opts: &EbayesOptions,
) -> Result<Moderated, LimmaError> {
    let df = &fit.df_residual;
    if df.iter().all(|&d| d == 0.0) {
        return Err(LimmaError::NoResidualDf);
    }
    if !fit.sigma.iter().any(|s| s.is_finite()) {
        return Err(LimmaError::NoFiniteSigma);
    }
    let var = fit.sigma.mapv(|s| s * s);
    let cov = opts.trend.then(|| fit.amean.view());
    let squeezed = squeeze_var_with(
        var.view(),
        df.view(),
        cov,
        opts.robust,
        opts.winsor_tail_p,
        opts.prior_method,
    )?;
    let pooled: f64 = df.iter().filter(|d| !d.is_nan()).sum();
    let df_total = Zip::from(df)
        .and(&squeezed.df_prior)
        .map_collect(|&d, &d0| (d + d0).min(pooled));
    Ok(Moderated { squeezed, df_total })
}

fn check_options(opts: &EbayesOptions) -> Result<(), LimmaError> {
    if !(opts.proportion > 0.0 && opts.proportion < 1.0) {
        return Err(LimmaError::InvalidOption {
            option: "proportion",
            reason: format!("{} is not strictly between 0 and 1", opts.proportion),
        });
    }
    let (lo, hi) = opts.stdev_coef_lim;
    if !(lo >= 0.0 && hi >= lo) {
        return Err(LimmaError::InvalidOption {
            option: "stdev_coef_lim",
            reason: format!("({lo}, {hi}) must satisfy 0 <= lower <= upper"),
        });
    }
    Ok(())
}

/// Empirical Bayes moderated t-statistics, p-values and log-odds (B) for every
/// coefficient of `fit`, as limma's `eBayes`.
///
/// The residual variances are squeezed towards a prior (see
/// [`crate::squeeze_var`]); `trend` lets the prior follow average expression,
/// `robust` protects it against outlying variances. Total df are capped at the
/// pooled residual df. A fit with no assays gives an empty result.
///
/// # Errors
/// Invalid options, no residual df anywhere, no finite sigma, or the errors of
/// [`crate::squeeze_var`].
///
/// # References
/// Smyth, G. K. (2004). Linear models and empirical Bayes methods for assessing
/// differential expression in microarray experiments. *Statistical Applications
/// in Genetics and Molecular Biology* 3, Article 3. doi:10.2202/1544-6115.1027
///
/// Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S., & Smyth, G. K. (2016).
/// *Annals of Applied Statistics* 10, 946–963. doi:10.1214/16-AOAS920
pub fn ebayes(fit: &LinearModelFit, opts: &EbayesOptions) -> Result<EbayesFit, LimmaError> {
    check_options(opts)?;
    if fit.n_assays() == 0 {
        return Ok(empty(fit, opts.proportion));
    }
    let Moderated { squeezed, df_total } = moderate(fit, opts)?;
    let t = moderated_t(fit, &squeezed.var_post);
    let mut p_value = t.clone();
    for (mut row, &d) in p_value.rows_mut().into_iter().zip(&df_total) {
        row.mapv_inplace(|v| 2.0 * pt(-v.abs(), d, Tail::Lower));
    }
    let lim_scale = median(&squeezed.var_prior.to_vec());
    let lim = (
        opts.stdev_coef_lim.0.powi(2) / lim_scale,
        opts.stdev_coef_lim.1.powi(2) / lim_scale,
    );
    let mut var_prior = Vec::with_capacity(fit.n_coefs());
    let mut failed = Vec::new();
    for j in 0..fit.n_coefs() {
        let v0 = tmixture(
            t.column(j),
            fit.stdev_unscaled.column(j),
            df_total.view(),
            opts.proportion,
            lim,
        );
        if v0.is_nan() {
            failed.push(j);
            var_prior.push(1.0 / squeezed.var_prior[0]);
        } else {
            var_prior.push(v0);
        }
    }
    let lods = log_odds(
        fit,
        &t,
        &df_total,
        &squeezed.df_prior,
        &var_prior,
        opts.proportion,
    );
    Ok(EbayesFit {
        fit: fit.clone(),
        df_prior: squeezed.df_prior,
        s2_prior: squeezed.var_prior,
        s2_post: squeezed.var_post,
        df_total,
        t,
        p_value,
        lods: Some(lods),
        var_prior,
        proportion: opts.proportion,
        treat_lfc: None,
        diagnostics: EbayesDiagnostics {
            squeeze: squeezed.diagnostics,
            var_prior_failed: failed,
        },
    })
}

/// An `EbayesFit` for a fit without assays.
pub(crate) fn empty(fit: &LinearModelFit, proportion: f64) -> EbayesFit {
    let z1 = Array1::zeros(0);
    let z2 = Array2::zeros((0, fit.n_coefs()));
    EbayesFit {
        fit: fit.clone(),
        df_prior: z1.clone(),
        s2_prior: z1.clone(),
        s2_post: z1.clone(),
        df_total: z1,
        t: z2.clone(),
        p_value: z2.clone(),
        lods: Some(z2),
        var_prior: vec![f64::NAN; fit.n_coefs()],
        proportion,
        treat_lfc: None,
        diagnostics: EbayesDiagnostics::default(),
    }
}

/// coefficient / stdev_unscaled / sqrt(s2_post).
fn moderated_t(fit: &LinearModelFit, s2_post: &Array1<f64>) -> Array2<f64> {
    let mut t = &fit.coefficients / &fit.stdev_unscaled;
    for (mut row, &s2) in t.rows_mut().into_iter().zip(s2_post) {
        row.mapv_inplace(|v| v / s2.sqrt());
    }
    t
}

/// Prior variance of a coefficient's true non-zero values from the largest
/// t-statistics, as limma's `tmixture.vector`.
fn tmixture(
    t: ArrayView1<f64>,
    su: ArrayView1<f64>,
    df: ArrayView1<f64>,
    proportion: f64,
    lim: (f64, f64),
) -> f64 {
    tmixture_with(t, su, df, proportion, lim, true)
}

/// [`tmixture`], with the candidate pruning switchable so tests can check it
/// changes nothing.
fn tmixture_with(
    t: ArrayView1<f64>,
    su: ArrayView1<f64>,
    df: ArrayView1<f64>,
    proportion: f64,
    lim: (f64, f64),
    prune: bool,
) -> f64 {
    let keep: Vec<usize> = (0..t.len()).filter(|&i| !t[i].is_nan()).collect();
    let n = keep.len();
    let ntarget = (proportion / 2.0 * n as f64).ceil() as usize;
    if ntarget < 1 {
        return f64::NAN;
    }
    let p = (ntarget as f64 / n as f64).max(proportion);
    let max_df = keep
        .iter()
        .map(|&i| df[i])
        .fold(f64::NEG_INFINITY, f64::max);
    // limma maps each |t| with df < max_df to the |t| of equal tail probability at
    // max_df, then keeps the ntarget largest. The map never increases |t| (|T| is
    // stochastically decreasing in df), so an |t| below the ntarget-th largest of the
    // full-df statistics cannot reach the top: only candidates at or above that
    // threshold are mapped (a quantile solve each), which gives the same top set and
    // the same values as mapping all of them.
    let threshold = if prune {
        nth_largest(
            keep.iter()
                .filter(|&&i| df[i] >= max_df)
                .map(|&i| t[i].abs())
                .collect(),
            ntarget,
        )
    } else {
        f64::NEG_INFINITY
    };
    let tabs: Vec<f64> = keep
        .iter()
        .map(|&i| {
            let a = t[i].abs();
            if df[i] < max_df && a >= threshold {
                qt_log(pt_log(a, df[i], Tail::Upper), max_df, Tail::Upper)
            } else {
                a
            }
        })
        .collect();
    let mut o: Vec<usize> = (0..n).collect();
    o.sort_by(|&a, &b| tabs[b].total_cmp(&tabs[a]).then(a.cmp(&b)));
    let v0_sum: f64 = o[..ntarget]
        .iter()
        .enumerate()
        .map(|(r, &k)| {
            let ts = tabs[k];
            let v1 = su[keep[k]] * su[keep[k]];
            let p0 = 2.0 * pt(ts, max_df, Tail::Upper);
            let ptarget = ((r as f64 + 0.5) / n as f64 - (1.0 - p) * p0) / p;
            let v0 = if ptarget > p0 {
                let qtarget = qt(ptarget / 2.0, max_df, Tail::Upper);
                v1 * ((ts / qtarget).powi(2) - 1.0)
            } else {
                0.0
            };
            v0.max(lim.0).min(lim.1)
        })
        .sum();
    v0_sum / ntarget as f64
}

/// The `k`-th largest value (1-based), or −∞ when there are fewer than `k`.
fn nth_largest(mut values: Vec<f64>, k: usize) -> f64 {
    if k == 0 || values.len() < k {
        return f64::NEG_INFINITY;
    }
    let (_, kth, _) = values.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    *kth
}

/// B-statistics: log posterior odds of a non-zero coefficient, as in limma's `.ebayes`.
fn log_odds(
    fit: &LinearModelFit,
    t: &Array2<f64>,
    df_total: &Array1<f64>,
    df_prior: &Array1<f64>,
    var_prior: &[f64],
    proportion: f64,
) -> Array2<f64> {
    let mut lods = Array2::zeros(t.raw_dim());
    let base = (proportion / (1.0 - proportion)).ln();
    for ((i, j), b) in lods.indexed_iter_mut() {
        let su2 = fit.stdev_unscaled[[i, j]].powi(2);
        let r = (su2 + var_prior[j]) / su2;
        let t2 = t[[i, j]].powi(2);
        let d = df_total[i];
        let kernel = if df_prior[i] > INFINITE_DF_PRIOR {
            t2 * (1.0 - 1.0 / r) / 2.0
        } else {
            (1.0 + d) / 2.0 * ((t2 + d) / (t2 / r + d)).ln()
        };
        *b = base - r.ln() / 2.0 + kernel;
    }
    lods
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lm_fit::lm_fit;
    use ndarray::{array, Array2};

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn two_group_design() -> Array2<f64> {
        array![
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [1.0, 1.0],
            [1.0, 1.0]
        ]
    }

    #[test]
    fn test_ebayes_no_assays_is_empty() {
        let y = Array2::<f64>::zeros((0, 6));
        let fit = lm_fit(y.view(), two_group_design().view(), &names(&["a", "b"])).unwrap();
        let eb = ebayes(&fit, &EbayesOptions::default()).unwrap();
        assert_eq!(eb.t.dim(), (0, 2));
    }

    #[test]
    fn test_ebayes_all_df_zero_is_an_error() {
        let y = array![[1.0, 2.0], [3.0, 5.0]];
        let d = array![[1.0, 0.0], [1.0, 1.0]];
        let fit = lm_fit(y.view(), d.view(), &names(&["a", "b"])).unwrap();
        let err = ebayes(&fit, &EbayesOptions::default()).unwrap_err();
        assert_eq!(err, LimmaError::NoResidualDf);
    }

    #[test]
    fn test_ebayes_single_assay_is_ordinary_t() {
        let y = array![[1.0, 2.0, 3.0, 5.0, 6.0, 8.0]];
        let fit = lm_fit(y.view(), two_group_design().view(), &names(&["a", "b"])).unwrap();
        let eb = ebayes(&fit, &EbayesOptions::default()).unwrap();
        assert_eq!(eb.df_prior[0], 0.0);
        assert_eq!(eb.df_total[0], 4.0);
        let se = fit.stdev_unscaled[[0, 1]] * fit.sigma[0];
        assert!((eb.t[[0, 1]] - fit.coefficients[[0, 1]] / se).abs() < 1e-12);
        assert!(eb.lods.as_ref().unwrap()[[0, 1]].is_finite());
    }

    #[test]
    fn test_ebayes_rejects_bad_options() {
        let y = array![[1.0, 2.0, 3.0, 5.0, 6.0, 8.0]];
        let fit = lm_fit(y.view(), two_group_design().view(), &names(&["a", "b"])).unwrap();
        let opts = EbayesOptions {
            proportion: 1.5,
            ..EbayesOptions::default()
        };
        assert!(matches!(
            ebayes(&fit, &opts),
            Err(LimmaError::InvalidOption { .. })
        ));
    }

    #[test]
    fn test_tmixture_pruning_changes_nothing() {
        // Deterministic pseudo-random t statistics, unscaled SDs and unequal df.
        let n = 3000;
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let t: Array1<f64> = (0..n).map(|_| (next() - 0.5) * 12.0).collect();
        let su: Array1<f64> = (0..n).map(|_| 0.2 + next()).collect();
        let df: Array1<f64> = (0..n)
            .map(|_| {
                if next() < 0.4 {
                    3.0 + (next() * 40.0).floor()
                } else {
                    50.0
                }
            })
            .collect();
        for proportion in [0.01, 0.1, 0.5] {
            let pruned = tmixture_with(
                t.view(),
                su.view(),
                df.view(),
                proportion,
                (0.01, 100.0),
                true,
            );
            let full = tmixture_with(
                t.view(),
                su.view(),
                df.view(),
                proportion,
                (0.01, 100.0),
                false,
            );
            assert_eq!(pruned.to_bits(), full.to_bits(), "proportion {proportion}");
        }
    }

    #[test]
    fn test_ebayes_same_result_on_any_thread_count() {
        let y = Array2::from_shape_fn((300, 6), |(i, j)| {
            let v = ((i * 7 + j * 13) % 17) as f64 / 3.0 + (i as f64).sin();
            if (i + j) % 41 == 0 {
                f64::NAN
            } else {
                v
            }
        });
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let fit = lm_fit(y.view(), two_group_design().view(), &names(&["a", "b"])).unwrap();
                ebayes(&fit, &EbayesOptions::default()).unwrap()
            })
        };
        let (one, two) = (run(1), run(2));
        assert_eq!(
            one.t.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            two.t.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }
}
