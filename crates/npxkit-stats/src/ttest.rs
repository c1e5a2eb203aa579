//! Student and Welch t-tests, mirroring R's `stats::t.test`.
//!
//! One-sample, paired and two-sample (Welch or pooled-variance) tests. Each
//! returns a [`TTest`] holding the statistic, degrees of freedom, the
//! p-value for all three alternatives and the confidence interval.
//!
//! Missing values (`NaN`) are dropped as R drops `NA`: per sample, or as
//! incomplete pairs for the paired test. Where R stops with an error on the
//! data ("not enough observations", "data are essentially constant") the
//! result has `NaN` numbers and a [`TTestNote`] saying why, so a caller
//! testing many proteins can carry on.

use crate::dist::{pt, qt, Tail};
use crate::error::StatsError;
use crate::summary::{mean, var};
use crate::Alternative;

/// R's guard against constant data: `stderr < 10 * eps * |mean|`.
const CONSTANT_DATA_FACTOR: f64 = 10.0 * f64::EPSILON;

/// Options of a t-test, named as R's `t.test` arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TTestOptions {
    /// Hypothesised mean (or difference in means); R's `mu`, default 0.
    pub mu: f64,
    /// Confidence level of the interval; R's `conf.level`, default 0.95.
    pub conf_level: f64,
    /// Pool the two variances (Student) instead of Welch; R's `var.equal`,
    /// default `false`. Ignored by one-sample and paired tests.
    pub var_equal: bool,
}

impl Default for TTestOptions {
    fn default() -> Self {
        TTestOptions {
            mu: 0.0,
            conf_level: 0.95,
            var_equal: false,
        }
    }
}

/// Which t-test was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TTestKind {
    /// One-sample test of the mean.
    OneSample,
    /// Paired test: one-sample test of the differences `x - y`.
    Paired,
    /// Two-sample test with Welch's unequal-variance degrees of freedom.
    Welch,
    /// Two-sample test with pooled variance (`var.equal = TRUE`).
    Student,
}

/// Why a t-test has `NaN` results (where R's `t.test` stops with an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TTestNote {
    /// Too few non-missing observations in `x` (or pairs).
    NotEnoughX,
    /// Too few non-missing observations in `y`.
    NotEnoughY,
    /// Fewer than three observations in all (pooled two-sample test).
    NotEnoughObservations,
    /// Standard error negligible next to the mean: "data are essentially
    /// constant". Also used for a zero standard error, where R returns a
    /// `NaN` or infinite statistic instead of stopping.
    ConstantData,
}

/// Result of a t-test, with R's `htest` fields.
#[derive(Debug, Clone, PartialEq)]
pub struct TTest {
    /// Which test was run.
    pub kind: TTestKind,
    /// The t statistic.
    pub statistic: f64,
    /// Degrees of freedom (R's `parameter`).
    pub df: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// p-value for `alternative = "less"`.
    pub p_less: f64,
    /// p-value for `alternative = "greater"`.
    pub p_greater: f64,
    /// Two-sided confidence interval for the mean (difference).
    pub conf_int: [f64; 2],
    /// Mean of `x`; for the paired test, the mean difference.
    pub estimate: f64,
    /// Mean of `y` for two-sample tests.
    pub estimate_y: Option<f64>,
    /// Standard error of the mean (difference).
    pub stderr: f64,
    /// Hypothesised value (R's `null.value`).
    pub mu: f64,
    /// Confidence level of `conf_int`.
    pub conf_level: f64,
    /// Non-missing observations (pairs) used from `x`.
    pub n_x: usize,
    /// Non-missing observations used from `y` (0 for one-sample and paired).
    pub n_y: usize,
    /// Why the numbers are `NaN`, if they are.
    pub note: Option<TTestNote>,
}

impl TTest {
    /// The p-value for the given alternative.
    pub fn p_value(&self, alternative: Alternative) -> f64 {
        match alternative {
            Alternative::TwoSided => self.p_two_sided,
            Alternative::Less => self.p_less,
            Alternative::Greater => self.p_greater,
        }
    }

    /// The confidence interval R reports for the given alternative (one-sided
    /// alternatives give a half-infinite interval).
    pub fn conf_int_for(&self, alternative: Alternative) -> [f64; 2] {
        let t = self.statistic;
        let half = match alternative {
            Alternative::TwoSided => return self.conf_int,
            _ => qt(self.conf_level, self.df, Tail::Lower),
        };
        let (lo, hi) = match alternative {
            Alternative::Less => (f64::NEG_INFINITY, t + half),
            _ => (t - half, f64::INFINITY),
        };
        [self.mu + lo * self.stderr, self.mu + hi * self.stderr]
    }

    /// A result with `NaN` numbers, for data R refuses.
    fn degenerate(
        kind: TTestKind,
        opts: &TTestOptions,
        n_x: usize,
        n_y: usize,
        note: TTestNote,
    ) -> Self {
        let two_sample = matches!(kind, TTestKind::Welch | TTestKind::Student);
        TTest {
            kind,
            statistic: f64::NAN,
            df: f64::NAN,
            p_two_sided: f64::NAN,
            p_less: f64::NAN,
            p_greater: f64::NAN,
            conf_int: [f64::NAN; 2],
            estimate: f64::NAN,
            estimate_y: two_sample.then_some(f64::NAN),
            stderr: f64::NAN,
            mu: opts.mu,
            conf_level: opts.conf_level,
            n_x,
            n_y,
            note: Some(note),
        }
    }
}

/// Checks `mu` and `conf_level` as R does.
fn check_options(opts: &TTestOptions) -> Result<(), StatsError> {
    if opts.mu.is_nan() {
        return Err(StatsError::InvalidMu(opts.mu));
    }
    if !(opts.conf_level.is_finite() && (0.0..=1.0).contains(&opts.conf_level)) {
        return Err(StatsError::InvalidConfLevel(opts.conf_level));
    }
    Ok(())
}

/// Statistic, p-values and interval from `tstat`, `df` and `stderr`.
fn finish(kind: TTestKind, opts: &TTestOptions, tstat: f64, df: f64, stderr: f64) -> TTest {
    let alpha = 1.0 - opts.conf_level;
    let half = qt(1.0 - alpha / 2.0, df, Tail::Lower);
    TTest {
        kind,
        statistic: tstat,
        df,
        p_two_sided: 2.0 * pt(-tstat.abs(), df, Tail::Lower),
        p_less: pt(tstat, df, Tail::Lower),
        p_greater: pt(tstat, df, Tail::Upper),
        conf_int: [
            opts.mu + (tstat - half) * stderr,
            opts.mu + (tstat + half) * stderr,
        ],
        estimate: f64::NAN,
        estimate_y: None,
        stderr,
        mu: opts.mu,
        conf_level: opts.conf_level,
        n_x: 0,
        n_y: 0,
        note: None,
    }
}

/// One-sample t-test of `mean(x) = mu`, as R's `t.test(x, mu = mu)`.
///
/// `NaN`s in `x` are dropped. Fewer than two values, or essentially constant
/// data, give `NaN` results with a [`TTestNote`].
///
/// # Errors
/// [`StatsError::InvalidMu`] for `NaN` `mu`, [`StatsError::InvalidConfLevel`]
/// for a level outside `[0, 1]`.
///
/// # References
/// Student (1908). The probable error of a mean. *Biometrika* 6, 1–25.
/// doi:10.1093/biomet/6.1.1
pub fn t_test_one_sample(x: &[f64], opts: &TTestOptions) -> Result<TTest, StatsError> {
    check_options(opts)?;
    let x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    Ok(one_sample_core(&x, opts, TTestKind::OneSample))
}

/// Paired t-test of `mean(x - y) = mu`, as R's `t.test(x, y, paired = TRUE)`.
///
/// Pairs with a `NaN` on either side are dropped (R's `complete.cases`).
///
/// # Errors
/// [`StatsError::PairedLengthMismatch`] when `x` and `y` differ in length,
/// plus the option errors of [`t_test_one_sample`].
///
/// # References
/// Student (1908). The probable error of a mean. *Biometrika* 6, 1–25.
/// doi:10.1093/biomet/6.1.1
pub fn t_test_paired(x: &[f64], y: &[f64], opts: &TTestOptions) -> Result<TTest, StatsError> {
    check_options(opts)?;
    let d = paired_differences(x, y)?;
    Ok(one_sample_core(&d, opts, TTestKind::Paired))
}

/// `x - y` over complete pairs.
pub(crate) fn paired_differences(x: &[f64], y: &[f64]) -> Result<Vec<f64>, StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::PairedLengthMismatch {
            x: x.len(),
            y: y.len(),
        });
    }
    Ok(x.iter()
        .zip(y)
        .filter(|(a, b)| !a.is_nan() && !b.is_nan())
        .map(|(a, b)| a - b)
        .collect())
}

/// One-sample test on complete data.
fn one_sample_core(x: &[f64], opts: &TTestOptions, kind: TTestKind) -> TTest {
    let nx = x.len();
    // Check n: R needs two observations.
    if nx < 2 {
        return TTest::degenerate(kind, opts, nx, 0, TTestNote::NotEnoughX);
    }
    let mx = mean(x);
    let stderr = (var(x) / nx as f64).sqrt();
    // Check for constant data.
    if stderr < CONSTANT_DATA_FACTOR * mx.abs() || stderr == 0.0 {
        return TTest::degenerate(kind, opts, nx, 0, TTestNote::ConstantData);
    }
    let tstat = (mx - opts.mu) / stderr;
    TTest {
        estimate: mx,
        n_x: nx,
        ..finish(kind, opts, tstat, (nx - 1) as f64, stderr)
    }
}

/// Two-sample t-test of `mean(x) - mean(y) = mu`, as R's `t.test(x, y)`
/// (Welch) or `t.test(x, y, var.equal = TRUE)` (pooled variance).
///
/// `NaN`s are dropped from each sample. Welch needs two values per sample;
/// the pooled test needs one per sample and three in all. Otherwise, or for
/// essentially constant data, the result is `NaN` with a [`TTestNote`].
///
/// # Errors
/// The option errors of [`t_test_one_sample`].
///
/// # References
/// Welch, B. L. (1947). The generalization of 'Student's' problem when several
/// different population variances are involved. *Biometrika* 34, 28–35.
/// doi:10.1093/biomet/34.1-2.28
pub fn t_test_two_sample(x: &[f64], y: &[f64], opts: &TTestOptions) -> Result<TTest, StatsError> {
    check_options(opts)?;
    let x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let y: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
    let kind = if opts.var_equal {
        TTestKind::Student
    } else {
        TTestKind::Welch
    };
    let (nx, ny) = (x.len(), y.len());
    // Check n, as R: Welch needs 2 per group, pooled 1 per group and 3 in all.
    let min_per_group = if opts.var_equal { 1 } else { 2 };
    let note = if nx < min_per_group {
        Some(TTestNote::NotEnoughX)
    } else if ny < min_per_group {
        Some(TTestNote::NotEnoughY)
    } else if nx + ny < 3 {
        Some(TTestNote::NotEnoughObservations)
    } else {
        None
    };
    if let Some(note) = note {
        return Ok(TTest::degenerate(kind, opts, nx, ny, note));
    }
    let (mx, my) = (mean(&x), mean(&y));
    let (vx, vy) = (var(&x), var(&y));
    let (nxf, nyf) = (nx as f64, ny as f64);
    let (stderr, df) = if opts.var_equal {
        let df = nxf + nyf - 2.0;
        let mut v = 0.0;
        if nx > 1 {
            v += (nxf - 1.0) * vx;
        }
        if ny > 1 {
            v += (nyf - 1.0) * vy;
        }
        v /= df;
        ((v * (1.0 / nxf + 1.0 / nyf)).sqrt(), df)
    } else {
        let sx = (vx / nxf).sqrt();
        let sy = (vy / nyf).sqrt();
        let stderr = (sx.powi(2) + sy.powi(2)).sqrt();
        let df = stderr.powi(4) / (sx.powi(4) / (nxf - 1.0) + sy.powi(4) / (nyf - 1.0));
        (stderr, df)
    };
    // Check for constant data.
    if stderr < CONSTANT_DATA_FACTOR * mx.abs().max(my.abs()) || stderr == 0.0 {
        return Ok(TTest::degenerate(
            kind,
            opts,
            nx,
            ny,
            TTestNote::ConstantData,
        ));
    }
    let tstat = (mx - my - opts.mu) / stderr;
    Ok(TTest {
        estimate: mx,
        estimate_y: Some(my),
        n_x: nx,
        n_y: ny,
        ..finish(kind, opts, tstat, df, stderr)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> TTestOptions {
        TTestOptions::default()
    }

    fn assert_nan_with(t: &TTest, note: TTestNote) {
        assert_eq!(t.note, Some(note));
        assert!(t.statistic.is_nan() && t.p_two_sided.is_nan() && t.conf_int[0].is_nan());
    }

    #[test]
    fn test_t_test_one_sample_known_value() {
        // R: t.test(c(1, 2, 3, 4)) gives t = 3.8729833462074170, df = 3.
        let t = t_test_one_sample(&[1.0, 2.0, 3.0, 4.0], &opts()).unwrap();
        assert!((t.statistic - 3.872983346207417).abs() < 1e-14);
        assert_eq!(t.df, 3.0);
        assert_eq!(t.kind, TTestKind::OneSample);
        assert_eq!(t.note, None);
    }

    #[test]
    fn test_t_test_one_sample_degenerate() {
        assert_nan_with(
            &t_test_one_sample(&[], &opts()).unwrap(),
            TTestNote::NotEnoughX,
        );
        assert_nan_with(
            &t_test_one_sample(&[1.0], &opts()).unwrap(),
            TTestNote::NotEnoughX,
        );
        let nan_only = t_test_one_sample(&[f64::NAN, 2.0, f64::NAN], &opts()).unwrap();
        assert_nan_with(&nan_only, TTestNote::NotEnoughX);
        assert_nan_with(
            &t_test_one_sample(&[3.0; 5], &opts()).unwrap(),
            TTestNote::ConstantData,
        );
        assert_nan_with(
            &t_test_one_sample(&[0.0; 5], &opts()).unwrap(),
            TTestNote::ConstantData,
        );
    }

    #[test]
    fn test_t_test_paired_degenerate() {
        let zero_diff = t_test_paired(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0], &opts()).unwrap();
        assert_nan_with(&zero_diff, TTestNote::ConstantData);
        let one_pair = t_test_paired(&[1.0, f64::NAN], &[2.0, 3.0], &opts()).unwrap();
        assert_nan_with(&one_pair, TTestNote::NotEnoughX);
        assert_eq!(one_pair.n_x, 1);
        assert!(matches!(
            t_test_paired(&[1.0, 2.0], &[1.0], &opts()),
            Err(StatsError::PairedLengthMismatch { x: 2, y: 1 })
        ));
    }

    #[test]
    fn test_t_test_two_sample_degenerate() {
        let welch = t_test_two_sample(&[1.0, 2.0], &[3.0], &opts()).unwrap();
        assert_nan_with(&welch, TTestNote::NotEnoughY);
        assert_eq!(welch.estimate_y.map(f64::is_nan), Some(true));
        let welch = t_test_two_sample(&[1.0], &[3.0, 4.0], &opts()).unwrap();
        assert_nan_with(&welch, TTestNote::NotEnoughX);
        let pooled = TTestOptions {
            var_equal: true,
            ..opts()
        };
        let two = t_test_two_sample(&[1.0], &[3.0], &pooled).unwrap();
        assert_nan_with(&two, TTestNote::NotEnoughObservations);
        let empty = t_test_two_sample(&[1.0, 2.0], &[], &pooled).unwrap();
        assert_nan_with(&empty, TTestNote::NotEnoughY);
        let constant = t_test_two_sample(&[2.0, 2.0], &[2.0, 2.0, 2.0], &opts()).unwrap();
        assert_nan_with(&constant, TTestNote::ConstantData);
        // Pooled test with a single x is valid (R: t = -2.598076211353316).
        let one_x = t_test_two_sample(&[1.0], &[3.0, 4.0, 5.0], &pooled).unwrap();
        assert_eq!(one_x.note, None);
        assert!((one_x.statistic + 2.598076211353316).abs() < 1e-14);
    }

    #[test]
    fn test_t_test_invalid_options() {
        let bad_level = TTestOptions {
            conf_level: 1.5,
            ..opts()
        };
        assert!(matches!(
            t_test_one_sample(&[1.0, 2.0], &bad_level),
            Err(StatsError::InvalidConfLevel(_))
        ));
        let bad_mu = TTestOptions {
            mu: f64::NAN,
            ..opts()
        };
        assert!(matches!(
            t_test_two_sample(&[1.0, 2.0], &[3.0, 4.0], &bad_mu),
            Err(StatsError::InvalidMu(_))
        ));
    }

    #[test]
    fn test_t_test_alternatives_consistent() {
        let t = t_test_one_sample(&[0.3, 1.2, 0.8, 2.0, 1.1], &opts()).unwrap();
        assert_eq!(t.p_value(Alternative::Less), t.p_less);
        assert!((t.p_less + t.p_greater - 1.0).abs() < 1e-15);
        assert!((t.p_two_sided - 2.0 * t.p_greater).abs() < 1e-15);
        assert_eq!(t.conf_int_for(Alternative::TwoSided), t.conf_int);
        assert_eq!(t.conf_int_for(Alternative::Less)[0], f64::NEG_INFINITY);
        assert_eq!(t.conf_int_for(Alternative::Greater)[1], f64::INFINITY);
    }
}
