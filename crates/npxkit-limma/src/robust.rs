//! Robust estimation of the scaled F prior, as limma's `fitFDistRobustly`:
//! Winsorised moments of the log variances, matched to their theoretical
//! values by root finding on the prior df, then per-variance prior df
//! shrunk for outliers. With a covariate (limma's `trend = TRUE`) the log
//! variances are centred on a `lowess` trend (limma's `loessFit`, span 0.4)
//! instead of their trimmed mean, so the prior variance follows the covariate.

use crate::error::LimmaError;
use crate::fit_f_dist::{fit_f_dist, median, FDistFit};
use crate::lowess::{loess_fit, LOESS_FIT_ITERATIONS, ROBUST_TREND_SPAN};
use crate::spline::quantile_sorted;
use crate::zeroin::zeroin;
use npxkit_stats::dist::{df_density, pchisq, pf_log, qf, qf_log, Tail};
use npxkit_stats::summary::mean as r_mean;

/// Degrees of freedom at or below this are left out (limma's 1e-6 here).
const DF_ZERO: f64 = 1e-6;
/// Variances below this fraction of the median are raised to it (limma's 1e-12).
const SMALL_VAR_FRACTION: f64 = 1e-12;
/// df1 values this close to the maximum count as equal (limma's 1e-14).
const DF1_EQUAL_TOL: f64 = 1e-14;
/// Number of Gauss–Legendre nodes for the Winsorised moments (limma's 128).
const QUADRATURE_NODES: usize = 128;
/// Tolerance of the root search for the prior df on the x/(1+x) scale (limma's 1e-8).
const ROOT_TOL: f64 = 1e-8;
/// Iteration cap of the root search (R's `uniroot` default).
const ROOT_MAX_ITER: usize = 1000;

/// Result of [`fit_f_dist_robustly`].
#[derive(Debug, Clone, PartialEq)]
pub struct RobustFDistFit {
    /// Prior variance s0², one per variance (constant without a covariate).
    pub scale: Vec<f64>,
    /// Prior df for non-outlying variances.
    pub df2: f64,
    /// Prior df per variance, shrunk towards 0 for outliers.
    pub df2_shrunk: Vec<f64>,
    /// Probability that each variance is an outlier (empty when not computed).
    pub prob_outlier: Vec<f64>,
    /// Very small variances raised to 1e-12 × median (limma warns about these).
    pub small_variances_offset: usize,
    /// The non-robust `fitFDist` estimate, computed along the way.
    pub non_robust: FDistFit,
}

/// Robustly fits a scaled F distribution to variances `x` with `df1` degrees
/// of freedom, as limma's `fitFDistRobustly` (without covariate).
///
/// # Errors
/// [`LimmaError::VariancesMostlyNonPositive`] when the median variance is ≤ 0.
///
/// # References
/// Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S., & Smyth, G. K. (2016).
/// *Annals of Applied Statistics* 10, 946–963. doi:10.1214/16-AOAS920
pub fn fit_f_dist_robustly(
    x: &[f64],
    df1: &[f64],
    winsor_tail_p: (f64, f64),
) -> Result<RobustFDistFit, LimmaError> {
    robustly(x, df1, None, winsor_tail_p)
}

/// Robustly fits a scaled F distribution whose scale follows a trend in
/// `covariate`, as limma's `fitFDistRobustly(x, df1, covariate)` (what
/// `eBayes(trend = TRUE, robust = TRUE)` calls with the average expression).
///
/// The non-robust fit uses `fitFDist`'s spline trend; the robust one centres
/// log(x) on limma's `loessFit(log(x), covariate, span = 0.4)`, which is R's
/// `lowess` (see [`crate::lowess`]). Variances left out (NaN, df1 ≤ 1e-6) get
/// the prior interpolated in `covariate` from the others, as limma's
/// `approx(rule = 2, ties = mean)`.
///
/// # Errors
/// [`LimmaError::InvalidCovariate`] for a covariate of the wrong length or with
/// NaN or infinite values; [`LimmaError::VariancesMostlyNonPositive`] when the
/// median variance is ≤ 0.
///
/// # References
/// Phipson, B., Lee, S., Majewski, I. J., Alexander, W. S., & Smyth, G. K. (2016).
/// *Annals of Applied Statistics* 10, 946–963. doi:10.1214/16-AOAS920
///
/// Cleveland, W. S. (1979). Robust locally weighted regression and smoothing
/// scatterplots. *JASA* 74, 829–836. doi:10.1080/01621459.1979.10481038
pub fn fit_f_dist_robustly_trend(
    x: &[f64],
    df1: &[f64],
    covariate: &[f64],
    winsor_tail_p: (f64, f64),
) -> Result<RobustFDistFit, LimmaError> {
    robustly(x, df1, Some(covariate), winsor_tail_p)
}

/// `fitFDistRobustly`: degenerate sizes, then the fit on usable variances.
fn robustly(
    x: &[f64],
    df1: &[f64],
    covariate: Option<&[f64]>,
    winsor_tail_p: (f64, f64),
) -> Result<RobustFDistFit, LimmaError> {
    let n = x.len();
    if n < 2 {
        let nr = FDistFit {
            scale: vec![f64::NAN; n],
            df2: f64::NAN,
            zero_variances: 0,
            mostly_zero_variances: false,
        };
        return Ok(from_non_robust(nr, n, 0));
    }
    if n == 2 {
        return Ok(from_non_robust(fit_f_dist(x, df1, covariate)?, n, 0));
    }
    if let Some(c) = covariate {
        if c.len() != n {
            return Err(LimmaError::InvalidCovariate(
                "length differs from the number of variances".into(),
            ));
        }
        if !c.iter().all(|v| v.is_finite()) {
            return Err(LimmaError::InvalidCovariate(
                "NA or infinite covariate values are not allowed in robust estimation".into(),
            ));
        }
    }
    let ok: Vec<usize> = (0..n)
        .filter(|&i| !x[i].is_nan() && df1[i].is_finite() && df1[i] > DF_ZERO)
        .collect();
    if ok.len() == n {
        return fit_all_usable(x.to_vec(), df1, covariate, winsor_tail_p);
    }
    let xs: Vec<f64> = ok.iter().map(|&i| x[i]).collect();
    let ds: Vec<f64> = ok.iter().map(|&i| df1[i]).collect();
    let cs: Option<Vec<f64>> = covariate.map(|c| ok.iter().map(|&i| c[i]).collect());
    let sub = robustly(&xs, &ds, cs.as_deref(), winsor_tail_p)?;
    let mut df2_shrunk = vec![sub.df2; n];
    let mut prob_outlier = vec![0.0; n];
    for (k, &i) in ok.iter().enumerate() {
        df2_shrunk[i] = sub.df2_shrunk[k];
        prob_outlier[i] = sub.prob_outlier.get(k).copied().unwrap_or(0.0);
    }
    let scale = match (covariate, cs) {
        (Some(c), Some(cs)) => {
            let log_scale: Vec<f64> = sub.scale.iter().map(|s| s.ln()).collect();
            let mut is_ok = vec![false; n];
            ok.iter().for_each(|&i| is_ok[i] = true);
            let left_out: Vec<usize> = (0..n).filter(|&i| !is_ok[i]).collect();
            let xout: Vec<f64> = left_out.iter().map(|&i| c[i]).collect();
            let predicted = approx_rule2_mean(&cs, &log_scale, &xout);
            let mut scale = vec![f64::NAN; n];
            for (k, &i) in ok.iter().enumerate() {
                scale[i] = sub.scale[k];
            }
            for (&i, p) in left_out.iter().zip(predicted) {
                scale[i] = p.exp();
            }
            scale
        }
        _ => vec![sub.scale.first().copied().unwrap_or(f64::NAN); n],
    };
    Ok(RobustFDistFit {
        scale,
        df2_shrunk,
        prob_outlier,
        ..sub
    })
}

/// `approx(x, y, xout, rule = 2, ties = mean)$y` as R's `stats::approx`:
/// NaN pairs dropped, tied x collapsed to the mean of their y, linear
/// interpolation, the end values beyond the range. R stops with fewer than
/// two distinct x; here one point is carried as a constant and none gives NaN.
fn approx_rule2_mean(x: &[f64], y: &[f64], xout: &[f64]) -> Vec<f64> {
    let mut pts: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(&a, &b)| (a, b))
        .collect();
    pts.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let (mut ux, mut uy) = (Vec::new(), Vec::new());
    let mut k = 0;
    while k < pts.len() {
        let mut end = k + 1;
        while end < pts.len() && pts[end].0 == pts[k].0 {
            end += 1;
        }
        ux.push(pts[k].0);
        uy.push(if end - k == 1 {
            pts[k].1
        } else {
            r_mean(&pts[k..end].iter().map(|p| p.1).collect::<Vec<_>>())
        });
        k = end;
    }
    xout.iter().map(|&v| approx_one(v, &ux, &uy)).collect()
}

/// Linear interpolation at `v` in sorted distinct `x`, as `approx1` of R's approx.c.
fn approx_one(v: f64, x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n == 0 || v.is_nan() {
        return f64::NAN;
    }
    let (mut i, mut j) = (0, n - 1);
    if v < x[i] {
        return y[0];
    }
    if v > x[j] {
        return y[n - 1];
    }
    while i + 1 < j {
        let ij = (i + j) / 2;
        if v < x[ij] {
            j = ij;
        } else {
            i = ij;
        }
    }
    if v == x[j] {
        return y[j];
    }
    if v == x[i] {
        return y[i];
    }
    y[i] + (y[j] - y[i]) * ((v - x[i]) / (x[j] - x[i]))
}

fn from_non_robust(nr: FDistFit, n: usize, small: usize) -> RobustFDistFit {
    RobustFDistFit {
        scale: nr.scale.clone(),
        df2: nr.df2,
        df2_shrunk: vec![nr.df2; n],
        prob_outlier: Vec::new(),
        small_variances_offset: small,
        non_robust: nr,
    }
}

/// The robust fit when every variance is usable.
fn fit_all_usable(
    mut x: Vec<f64>,
    df1: &[f64],
    covariate: Option<&[f64]>,
    wtp: (f64, f64),
) -> Result<RobustFDistFit, LimmaError> {
    let n = x.len();
    let m = median(&x);
    if m <= 0.0 || m.is_nan() {
        return Err(LimmaError::VariancesMostlyNonPositive);
    }
    let floor = m * SMALL_VAR_FRACTION;
    let small = x.iter().filter(|&&v| v < floor).count();
    x.iter_mut().for_each(|v| *v = v.max(floor));
    let nr = fit_f_dist(&x, df1, covariate)?;
    let nf = n as f64;
    if wtp.0 < 1.0 / nf && wtp.1 < 1.0 / nf {
        return Ok(from_non_robust(nr, n, small));
    }
    let df1 = equalise_df1(&mut x, df1, &nr);
    let z: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ztrend = match covariate {
        None => vec![trimmed_mean(&z, wtp.1); n],
        Some(c) => loess_fit(&z, c, ROBUST_TREND_SPAN, LOESS_FIT_ITERATIONS).fitted,
    };
    let w = winsorised(&z, &ztrend, wtp);
    let quad = gauss_legendre_unit(QUADRATURE_NODES);
    let mom_inf = winsorised_moments(df1, f64::INFINITY, wtp, &quad);
    let fun_inf = (w.var / mom_inf.var).ln();
    if fun_inf <= 0.0 {
        let ztc: Vec<f64> = ztrend.iter().map(|t| t + w.mean - mom_inf.mean).collect();
        return Ok(infinite_df(&z, df1, &ztc, nr, small));
    }
    if nr.df2 == f64::INFINITY {
        return Ok(from_non_robust(nr, n, small));
    }
    let fun = |u: f64| (w.var / winsorised_moments(df1, link_inv(u), wtp, &quad).var).ln();
    let rbx = nr.df2 / (1.0 + nr.df2);
    let fun_low = fun(rbx);
    let df2 = if fun_low >= 0.0 {
        nr.df2
    } else {
        link_inv(zeroin(
            rbx,
            1.0,
            fun_low,
            fun_inf,
            fun,
            ROOT_TOL,
            ROOT_MAX_ITER,
        ))
    };
    let mom = winsorised_moments(df1, df2, wtp, &quad);
    let ztc: Vec<f64> = ztrend.iter().map(|t| t + w.mean - mom.mean).collect();
    let (df2_shrunk, prob_outlier) = shrink_outliers(&z, df1, df2, &ztc);
    Ok(RobustFDistFit {
        scale: ztc.iter().map(|v| v.exp()).collect(),
        df2,
        df2_shrunk,
        prob_outlier,
        small_variances_offset: small,
        non_robust: nr,
    })
}

fn link_inv(u: f64) -> f64 {
    u / (1.0 - u)
}

/// Maps variances with fewer df onto the largest df1 by matching tail probabilities.
fn equalise_df1(x: &mut [f64], df1: &[f64], nr: &FDistFit) -> f64 {
    let df1max = df1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    for ((xi, &d), &s) in x.iter_mut().zip(df1).zip(&nr.scale) {
        if d < df1max - DF1_EQUAL_TOL {
            let f = *xi / s;
            let pupper = pf_log(f, d, nr.df2, Tail::Upper);
            let plower = pf_log(f, d, nr.df2, Tail::Lower);
            let g = if pupper < plower {
                qf_log(pupper, df1max, nr.df2, Tail::Upper)
            } else {
                qf_log(plower, df1max, nr.df2, Tail::Lower)
            };
            *xi = g * s;
        }
    }
    df1max
}

/// Mean after dropping `floor(n·trim)` values at each end, as R's `mean(x, trim)`.
fn trimmed_mean(z: &[f64], trim: f64) -> f64 {
    let n = z.len();
    if trim >= 0.5 {
        return median(z);
    }
    let mut s = z.to_vec();
    s.sort_by(f64::total_cmp);
    let lo = (n as f64 * trim).floor() as usize;
    let kept = &s[lo..n - lo];
    kept.iter().sum::<f64>() / kept.len() as f64
}

/// Mean and variance of Winsorised residuals.
struct Moments {
    mean: f64,
    var: f64,
}

fn winsorised(z: &[f64], ztrend: &[f64], wtp: (f64, f64)) -> Moments {
    let n = z.len() as f64;
    let resid: Vec<f64> = z.iter().zip(ztrend).map(|(v, t)| v - t).collect();
    let mut sorted = resid.clone();
    sorted.sort_by(f64::total_cmp);
    let lo = quantile_sorted(&sorted, wtp.0);
    let hi = quantile_sorted(&sorted, 1.0 - wtp.1);
    let wins: Vec<f64> = resid.iter().map(|v| v.max(lo).min(hi)).collect();
    let mean = wins.iter().sum::<f64>() / n;
    let var = wins.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n * n / (n - 1.0);
    Moments { mean, var }
}

/// Theoretical mean and variance of Winsorised log F(df1, df2) variables, by
/// Gauss–Legendre quadrature on the x/(1+x) scale as limma.
fn winsorised_moments(df1: f64, df2: f64, wtp: (f64, f64), quad: &[(f64, f64)]) -> Moments {
    let fq = [
        qf(wtp.0, df1, df2, Tail::Lower),
        qf(1.0 - wtp.1, df1, df2, Tail::Lower),
    ];
    let zq = [fq[0].ln(), fq[1].ln()];
    let q = [fq[0] / (1.0 + fq[0]), fq[1] / (1.0 + fq[1])];
    let q21 = q[1] - q[0];
    let pts: Vec<(f64, f64, f64)> = quad
        .iter()
        .map(|&(node, weight)| {
            let u = q[0] + q21 * node;
            let f = u / (1.0 - u);
            (
                weight,
                df_density(f, df1, df2) / ((1.0 - u) * (1.0 - u)),
                f.ln(),
            )
        })
        .collect();
    let mean =
        q21 * pts.iter().map(|(w, d, z)| w * d * z).sum::<f64>() + zq[0] * wtp.0 + zq[1] * wtp.1;
    let var = q21
        * pts
            .iter()
            .map(|(w, d, z)| w * d * (z - mean) * (z - mean))
            .sum::<f64>()
        + (zq[0] - mean).powi(2) * wtp.0
        + (zq[1] - mean).powi(2) * wtp.1;
    Moments { mean, var }
}

/// Gauss–Legendre nodes and weights on [0, 1], as `statmod::gauss.quad.prob(n, "uniform")`.
fn gauss_legendre_unit(n: usize) -> Vec<(f64, f64)> {
    let mut out = vec![(0.0, 0.0); n];
    let nf = n as f64;
    for i in 0..n.div_ceil(2) {
        let mut z = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut pp = 0.0;
        for iter in 0..100 {
            let (mut p1, mut p2) = (1.0, 0.0);
            for j in 0..n {
                let p3 = p2;
                p2 = p1;
                p1 = ((2.0 * j as f64 + 1.0) * z * p2 - j as f64 * p3) / (j as f64 + 1.0);
            }
            pp = nf * (z * p1 - p2) / (z * z - 1.0);
            let step = p1 / pp;
            z -= step;
            if step.abs() < 1e-16 || iter > 98 {
                break;
            }
        }
        let w = 2.0 / ((1.0 - z * z) * pp * pp);
        out[i] = ((1.0 - z) / 2.0, w / 2.0);
        out[n - 1 - i] = ((1.0 + z) / 2.0, w / 2.0);
    }
    out
}

/// Ranks with ties averaged, as R's `rank`.
pub(crate) fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < o.len() {
        let mut j = i;
        while j + 1 < o.len() && x[o[j + 1]] == x[o[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        o[i..=j].iter().for_each(|&k| ranks[k] = r);
        i = j + 1;
    }
    ranks
}

/// Indices sorting `x` increasingly, ties by position (R's stable `order`).
pub(crate) fn order(x: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    o
}

/// The `df2 = ∞` branch: outliers get finite prior df from pooled chi-squared tails.
fn infinite_df(z: &[f64], df1: f64, ztc: &[f64], nr: FDistFit, small: usize) -> RobustFDistFit {
    let n = z.len() as f64;
    let fstat: Vec<f64> = z.iter().zip(ztc).map(|(v, t)| (v - t).exp()).collect();
    let tail_p: Vec<f64> = fstat
        .iter()
        .map(|f| pchisq(f * df1, df1, Tail::Upper))
        .collect();
    let ranks = average_ranks(&fstat);
    let pno: Vec<f64> = tail_p
        .iter()
        .zip(&ranks)
        .map(|(t, r)| (t / ((n - r + 0.5) / n)).min(1.0))
        .collect();
    let mut shrunk: Vec<f64> = pno
        .iter()
        .map(|&p| if p < 1.0 { p * n * df1 } else { f64::INFINITY })
        .collect();
    if pno.iter().any(|&p| p < 1.0) {
        let mut run = f64::NEG_INFINITY;
        for i in order(&tail_p) {
            run = run.max(shrunk[i]);
            shrunk[i] = run;
        }
    }
    RobustFDistFit {
        scale: ztc.iter().map(|v| v.exp()).collect(),
        df2: f64::INFINITY,
        df2_shrunk: shrunk,
        prob_outlier: pno.iter().map(|p| 1.0 - p).collect(),
        small_variances_offset: small,
        non_robust: nr,
    }
}

/// Per-variance prior df: outlying variances are shrunk towards `df2.outlier`.
fn shrink_outliers(z: &[f64], df1: f64, df2: f64, ztc: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = z.len();
    let nf = n as f64;
    let fstat: Vec<f64> = z.iter().zip(ztc).map(|(v, t)| (v - t).exp()).collect();
    let log_tail: Vec<f64> = fstat
        .iter()
        .map(|&f| pf_log(f, df1, df2, Tail::Upper))
        .collect();
    let ranks = average_ranks(&fstat);
    let log_pno: Vec<f64> = log_tail
        .iter()
        .zip(&ranks)
        .map(|(lt, r)| (lt - ((nf - r + 0.5).ln() - nf.ln())).min(0.0))
        .collect();
    let prob_outlier: Vec<f64> = log_pno.iter().map(|l| -l.exp_m1()).collect();
    if !log_pno.iter().any(|&l| l < 0.0) {
        return (vec![df2; n], prob_outlier);
    }
    let min_log_tail = log_tail.iter().copied().fold(f64::INFINITY, f64::min);
    let mut shrunk: Vec<f64> = if min_log_tail == f64::NEG_INFINITY {
        log_pno.iter().map(|l| l.exp() * df2).collect()
    } else {
        let fmax = fstat.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let first = 0.5f64.ln() / min_log_tail * df2;
        let outlier_df = 0.5f64.ln() / pf_log(fmax, df1, first, Tail::Upper) * first;
        log_pno
            .iter()
            .zip(&prob_outlier)
            .map(|(l, po)| l.exp() * df2 + po * outlier_df)
            .collect()
    };
    let o = order(&log_tail);
    let mut ordered: Vec<f64> = o.iter().map(|&i| shrunk[i]).collect();
    let mut cum = 0.0;
    let means: Vec<f64> = ordered
        .iter()
        .enumerate()
        .map(|(k, v)| {
            cum += v;
            cum / (k + 1) as f64
        })
        .collect();
    let imin = (0..n).fold(0, |best, k| if means[k] < means[best] { k } else { best });
    ordered[..=imin].iter_mut().for_each(|v| *v = means[imin]);
    let mut run = f64::NEG_INFINITY;
    for (k, &i) in o.iter().enumerate() {
        run = run.max(ordered[k]);
        shrunk[i] = run;
    }
    (shrunk, prob_outlier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_gauss_legendre_integrates_polynomials() {
        let q = gauss_legendre_unit(QUADRATURE_NODES);
        let s: f64 = q.iter().map(|(_, w)| w).sum();
        assert!((s - 1.0).abs() < 1e-14);
        let m3: f64 = q.iter().map(|(x, w)| w * x.powi(3)).sum();
        assert!((m3 - 0.25).abs() < 1e-14);
    }

    #[test]
    fn test_average_ranks_ties() {
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
    }

    #[test]
    fn test_approx_rule2_mean() {
        // R: approx(c(2, 1, 2, 4), c(20, 10, 40, 0), xout = c(0, 1.5, 2, 3, 5),
        //           rule = 2, ties = mean)$y
        let y = approx_rule2_mean(
            &[2.0, 1.0, 2.0, 4.0],
            &[20.0, 10.0, 40.0, 0.0],
            &[0.0, 1.5, 2.0, 3.0, 5.0],
        );
        assert_eq!(y, vec![10.0, 20.0, 30.0, 15.0, 0.0]);
        assert!(approx_rule2_mean(&[1.0], &[f64::NAN], &[1.0])[0].is_nan());
    }

    #[test]
    fn test_robust_trend_rejects_bad_covariates() {
        let x = [1.0, 2.0, 0.5, 1.5];
        let d = [4.0; 4];
        let bad_len = fit_f_dist_robustly_trend(&x, &d, &[1.0, 2.0, 3.0], (0.05, 0.1));
        assert!(matches!(bad_len, Err(LimmaError::InvalidCovariate(_))));
        let infinite = [1.0, 2.0, f64::INFINITY, 3.0];
        let err = fit_f_dist_robustly_trend(&x, &d, &infinite, (0.05, 0.1));
        assert!(matches!(err, Err(LimmaError::InvalidCovariate(_))));
    }

    #[test]
    fn test_robust_degenerate_sizes_and_errors() {
        let f = fit_f_dist_robustly(&[1.0], &[2.0], (0.05, 0.1)).unwrap();
        assert!(f.df2.is_nan());
        let err = fit_f_dist_robustly(&[0.0, 0.0, 0.0, 1.0], &[2.0; 4], (0.05, 0.1));
        assert_eq!(err.unwrap_err(), LimmaError::VariancesMostlyNonPositive);
    }
}
