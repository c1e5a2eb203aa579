//! Wilcoxon signed-rank and rank-sum (Mann-Whitney) tests, mirroring R's
//! `stats::wilcox.test` (default method, `conf.int = FALSE`).
//!
//! The exact null distributions are used when R uses them (fewer than 50
//! observations, no ties, and for the signed-rank test no zeros); otherwise
//! the normal approximation with R's continuity correction and tie-corrected
//! variance. The exact distributions ([`psignrank`], [`pwilcox`]) are
//! computed in this crate by counting recursions: no Rust crate provides them.
//!
//! Where R stops with an error (no observations) or returns `NaN` p-values
//! (all differences zero, all values tied) the result has `NaN` p-values and
//! a [`WilcoxonNote`].

use crate::dist::{pnorm, psignrank, pwilcox, Tail};
use crate::error::StatsError;
use crate::ttest::paired_differences;
use crate::Alternative;

/// R uses the exact distribution only below this many observations (per
/// sample for the rank-sum test) unless `exact` is given.
pub const EXACT_MAX_N: usize = 50;

/// Continuity correction R applies to the normal approximation.
const CONTINUITY: f64 = 0.5;

/// Options of a Wilcoxon test, named as R's `wilcox.test` arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WilcoxonOptions {
    /// Hypothesised location (shift); R's `mu`, default 0.
    pub mu: f64,
    /// Force (`Some(true)`) or forbid (`Some(false)`) the exact distribution;
    /// `None` (default) chooses as R: exact below [`EXACT_MAX_N`]
    /// observations. Ties (and zeros for signed ranks) always force the
    /// normal approximation.
    pub exact: Option<bool>,
    /// Continuity correction in the normal approximation; R's `correct`,
    /// default `true`.
    pub correct: bool,
}

impl Default for WilcoxonOptions {
    fn default() -> Self {
        WilcoxonOptions {
            mu: 0.0,
            exact: None,
            correct: true,
        }
    }
}

/// Which Wilcoxon test was run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WilcoxonKind {
    /// Signed-rank test of one sample about `mu`.
    SignedRank,
    /// Signed-rank test of the paired differences `x - y` about `mu`.
    Paired,
    /// Rank-sum (Mann-Whitney) test of two samples.
    RankSum,
}

/// Why a Wilcoxon test has `NaN` p-values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WilcoxonNote {
    /// No non-missing observations (pairs) in `x` (R stops).
    NotEnoughX,
    /// No non-missing observations in `y` (R stops).
    NotEnoughY,
    /// Every value (difference) equals `mu`, so no ranks remain (R: `NaN`).
    AllZero,
    /// All values are tied, so the statistic has zero variance (R: `NaN`).
    AllTied,
}

/// Result of a Wilcoxon test, with R's `htest` fields.
#[derive(Debug, Clone, PartialEq)]
pub struct WilcoxonTest {
    /// Which test was run.
    pub kind: WilcoxonKind,
    /// `V` (signed-rank: sum of ranks of positive values) or `W` (rank-sum:
    /// rank sum of `x` minus `n_x (n_x + 1) / 2`).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// p-value for `alternative = "less"`.
    pub p_less: f64,
    /// p-value for `alternative = "greater"`.
    pub p_greater: f64,
    /// Observations ranked from `x` (signed-rank: nonzero differences).
    pub n_x: usize,
    /// Observations ranked from `y` (0 for signed-rank tests).
    pub n_y: usize,
    /// Values equal to `mu` dropped before ranking (signed-rank tests).
    pub n_zeros: usize,
    /// Whether tied ranks occurred.
    pub ties: bool,
    /// Whether the exact null distribution was used (else the normal
    /// approximation).
    pub exact: bool,
    /// Whether a continuity correction was applied.
    pub correct: bool,
    /// Hypothesised location (R's `null.value`).
    pub mu: f64,
    /// Why the p-values are `NaN`, if they are.
    pub note: Option<WilcoxonNote>,
}

impl WilcoxonTest {
    /// The p-value for the given alternative.
    pub fn p_value(&self, alternative: Alternative) -> f64 {
        match alternative {
            Alternative::TwoSided => self.p_two_sided,
            Alternative::Less => self.p_less,
            Alternative::Greater => self.p_greater,
        }
    }
}

/// Checks `mu` as R does (a finite number).
fn check_mu(mu: f64) -> Result<(), StatsError> {
    if mu.is_finite() {
        Ok(())
    } else {
        Err(StatsError::InvalidMu(mu))
    }
}

/// Wilcoxon signed-rank test of one sample about `mu`, as R's
/// `wilcox.test(x, mu = mu)`.
///
/// `NaN`s are dropped, then values equal to `mu` (zeros of `x - mu`).
///
/// # Errors
/// [`StatsError::InvalidMu`] for a non-finite `mu`.
///
/// # References
/// Wilcoxon, F. (1945). Individual comparisons by ranking methods.
/// *Biometrics Bulletin* 1, 80–83. doi:10.2307/3001968
///
/// Hollander, M., Wolfe, D. A. (1973). *Nonparametric Statistical Methods*,
/// pp. 27–33 (tie correction of the variance).
pub fn wilcox_test_one_sample(
    x: &[f64],
    opts: &WilcoxonOptions,
) -> Result<WilcoxonTest, StatsError> {
    check_mu(opts.mu)?;
    let x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    Ok(signed_rank_core(&x, opts, WilcoxonKind::SignedRank))
}

/// Wilcoxon signed-rank test of paired differences `x - y` about `mu`, as R's
/// `wilcox.test(x, y, paired = TRUE, mu = mu)`.
///
/// Pairs with a `NaN` on either side are dropped (R's `complete.cases`).
///
/// # Errors
/// [`StatsError::PairedLengthMismatch`] when `x` and `y` differ in length;
/// [`StatsError::InvalidMu`] for a non-finite `mu`.
///
/// # References
/// Wilcoxon, F. (1945). Individual comparisons by ranking methods.
/// *Biometrics Bulletin* 1, 80–83. doi:10.2307/3001968
pub fn wilcox_test_paired(
    x: &[f64],
    y: &[f64],
    opts: &WilcoxonOptions,
) -> Result<WilcoxonTest, StatsError> {
    check_mu(opts.mu)?;
    let d = paired_differences(x, y)?;
    Ok(signed_rank_core(&d, opts, WilcoxonKind::Paired))
}

/// Signed-rank test on complete data.
fn signed_rank_core(x: &[f64], opts: &WilcoxonOptions, kind: WilcoxonKind) -> WilcoxonTest {
    let mut result = WilcoxonTest {
        kind,
        statistic: f64::NAN,
        p_two_sided: f64::NAN,
        p_less: f64::NAN,
        p_greater: f64::NAN,
        n_x: 0,
        n_y: 0,
        n_zeros: 0,
        ties: false,
        exact: false,
        correct: false,
        mu: opts.mu,
        note: None,
    };
    // Check n: R needs one observation.
    if x.is_empty() {
        result.note = Some(WilcoxonNote::NotEnoughX);
        return result;
    }
    // Drop zeros of x - mu.
    let shifted: Vec<f64> = x.iter().map(|v| v - opts.mu).collect();
    let nonzero: Vec<f64> = shifted.iter().copied().filter(|&v| v != 0.0).collect();
    result.n_zeros = shifted.len() - nonzero.len();
    let n = nonzero.len();
    result.n_x = n;
    // Rank |x| and sum the ranks of the positive values.
    let abs: Vec<f64> = nonzero.iter().map(|v| v.abs()).collect();
    let (ranks, tie_sizes) = average_ranks(&abs);
    let v: f64 = nonzero
        .iter()
        .zip(&ranks)
        .filter(|(x, _)| **x > 0.0)
        .map(|(_, r)| r)
        .sum();
    result.statistic = v;
    result.ties = tie_sizes.iter().any(|&t| t > 1);
    if n == 0 {
        result.note = Some(WilcoxonNote::AllZero);
        return result;
    }
    let nf = n as f64;
    let exact = opts.exact.unwrap_or(n < EXACT_MAX_N);
    if exact && !result.ties && result.n_zeros == 0 {
        // Exact null distribution of V.
        result.exact = true;
        result.p_greater = psignrank(v - 1.0, n, Tail::Upper);
        result.p_less = psignrank(v, n, Tail::Lower);
        let p = if v > nf * (nf + 1.0) / 4.0 {
            result.p_greater
        } else {
            result.p_less
        };
        result.p_two_sided = (2.0 * p).min(1.0);
        return result;
    }
    // Normal approximation with tie-corrected variance.
    let z = v - nf * (nf + 1.0) / 4.0;
    let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_sum(&tie_sizes) / 48.0).sqrt();
    normal_p_values(&mut result, z, sigma, opts.correct);
    result
}

/// Wilcoxon rank-sum (Mann-Whitney) test of a location shift `mu` between
/// `x` and `y`, as R's `wilcox.test(x, y, mu = mu)`.
///
/// `NaN`s are dropped from each sample. The statistic is `W`, the number of
/// pairs with `x_i - mu > y_j` (ties counting one half).
///
/// # Errors
/// [`StatsError::InvalidMu`] for a non-finite `mu`.
///
/// # References
/// Mann, H. B., Whitney, D. R. (1947). On a test of whether one of two random
/// variables is stochastically larger than the other. *Ann. Math. Statist.*
/// 18, 50–60. doi:10.1214/aoms/1177730491
pub fn wilcox_test_two_sample(
    x: &[f64],
    y: &[f64],
    opts: &WilcoxonOptions,
) -> Result<WilcoxonTest, StatsError> {
    check_mu(opts.mu)?;
    let x: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    let y: Vec<f64> = y.iter().copied().filter(|v| !v.is_nan()).collect();
    let (nx, ny) = (x.len(), y.len());
    let mut result = WilcoxonTest {
        kind: WilcoxonKind::RankSum,
        statistic: f64::NAN,
        p_two_sided: f64::NAN,
        p_less: f64::NAN,
        p_greater: f64::NAN,
        n_x: nx,
        n_y: ny,
        n_zeros: 0,
        ties: false,
        exact: false,
        correct: false,
        mu: opts.mu,
        note: None,
    };
    // Check n: R needs one observation per sample.
    if nx == 0 || ny == 0 {
        result.note = Some(if nx == 0 {
            WilcoxonNote::NotEnoughX
        } else {
            WilcoxonNote::NotEnoughY
        });
        return Ok(result);
    }
    // Rank the pooled sample.
    let pooled: Vec<f64> = x
        .iter()
        .map(|v| v - opts.mu)
        .chain(y.iter().copied())
        .collect();
    let (ranks, tie_sizes) = average_ranks(&pooled);
    let (nxf, nyf) = (nx as f64, ny as f64);
    let w = ranks[..nx].iter().sum::<f64>() - nxf * (nxf + 1.0) / 2.0;
    result.statistic = w;
    result.ties = tie_sizes.iter().any(|&t| t > 1);
    let exact = opts.exact.unwrap_or(nx < EXACT_MAX_N && ny < EXACT_MAX_N);
    if exact && !result.ties {
        // Exact null distribution of W.
        result.exact = true;
        result.p_greater = pwilcox(w - 1.0, nx, ny, Tail::Upper);
        result.p_less = pwilcox(w, nx, ny, Tail::Lower);
        let p = if w > nxf * nyf / 2.0 {
            result.p_greater
        } else {
            result.p_less
        };
        result.p_two_sided = (2.0 * p).min(1.0);
        return Ok(result);
    }
    // Normal approximation with tie-corrected variance.
    let z = w - nxf * nyf / 2.0;
    let n = nxf + nyf;
    let sigma = ((nxf * nyf / 12.0) * ((n + 1.0) - tie_sum(&tie_sizes) / (n * (n - 1.0)))).sqrt();
    if sigma == 0.0 {
        result.note = Some(WilcoxonNote::AllTied);
        return Ok(result);
    }
    normal_p_values(&mut result, z, sigma, opts.correct);
    Ok(result)
}

/// Fills the p-values of the normal approximation for centred statistic
/// `z` and standard deviation `sigma`, with R's per-alternative continuity
/// correction (towards zero for two-sided, +1/2 for greater, -1/2 for less).
fn normal_p_values(result: &mut WilcoxonTest, z: f64, sigma: f64, correct: bool) {
    let corr = |c: f64| if correct { c } else { 0.0 };
    result.correct = correct;
    let z_two = (z - corr(z.signum_or_zero() * CONTINUITY)) / sigma;
    result.p_two_sided = 2.0 * pnorm(z_two, Tail::Lower).min(pnorm(z_two, Tail::Upper));
    result.p_greater = pnorm((z - corr(CONTINUITY)) / sigma, Tail::Upper);
    result.p_less = pnorm((z + corr(CONTINUITY)) / sigma, Tail::Lower);
}

/// R's `sign()`: -1, 0 or 1.
trait SignOrZero {
    fn signum_or_zero(self) -> f64;
}

impl SignOrZero for f64 {
    fn signum_or_zero(self) -> f64 {
        if self > 0.0 {
            1.0
        } else if self < 0.0 {
            -1.0
        } else {
            0.0
        }
    }
}

/// `sum(t^3 - t)` over tie group sizes `t` (R's `sum(NTIES^3 - NTIES)`).
fn tie_sum(tie_sizes: &[usize]) -> f64 {
    tie_sizes
        .iter()
        .map(|&t| {
            let t = t as f64;
            t * t * t - t
        })
        .sum()
}

/// Average ranks (R's `rank(ties.method = "average")`) and the sizes of the
/// groups of equal values, in increasing order of value.
fn average_ranks(x: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut sizes = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && x[order[end]] == x[order[start]] {
            end += 1;
        }
        // Positions start..end (0-based) share rank (start + 1 + end) / 2.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        sizes.push(end - start);
        start = end;
    }
    (ranks, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> WilcoxonOptions {
        WilcoxonOptions::default()
    }

    fn assert_nan_with(w: &WilcoxonTest, note: WilcoxonNote) {
        assert_eq!(w.note, Some(note));
        assert!(w.p_two_sided.is_nan() && w.p_less.is_nan() && w.p_greater.is_nan());
    }

    #[test]
    fn test_average_ranks() {
        let (ranks, sizes) = average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]);
        assert_eq!(ranks, vec![4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(sizes, vec![1, 1, 3]);
    }

    #[test]
    fn test_wilcox_one_sample_degenerate() {
        assert_nan_with(
            &wilcox_test_one_sample(&[], &opts()).unwrap(),
            WilcoxonNote::NotEnoughX,
        );
        let zeros = wilcox_test_one_sample(&[0.0, 0.0, f64::NAN], &opts()).unwrap();
        assert_nan_with(&zeros, WilcoxonNote::AllZero);
        // R: V = 0 and p = NA.
        assert_eq!((zeros.statistic, zeros.n_x, zeros.n_zeros), (0.0, 0, 2));
        // One value: exact, V = 1, p = 1 (R: wilcox.test(2)).
        let one = wilcox_test_one_sample(&[2.0], &opts()).unwrap();
        assert_eq!(
            (one.statistic, one.p_two_sided, one.exact),
            (1.0, 1.0, true)
        );
        // All equal: tied ranks, normal approximation, still defined.
        // R: wilcox.test(c(1, 1, 1)) gives p = 0.14891467317876567.
        let equal = wilcox_test_one_sample(&[1.0, 1.0, 1.0], &opts()).unwrap();
        assert!(!equal.exact && equal.ties && equal.note.is_none());
        assert!((equal.p_two_sided - 0.14891467317876567).abs() < 1e-15);
        assert!(matches!(
            wilcox_test_one_sample(
                &[1.0],
                &WilcoxonOptions {
                    mu: f64::INFINITY,
                    ..opts()
                }
            ),
            Err(StatsError::InvalidMu(_))
        ));
    }

    #[test]
    fn test_wilcox_paired_degenerate() {
        let same = wilcox_test_paired(&[1.0, 2.0], &[1.0, 2.0], &opts()).unwrap();
        assert_nan_with(&same, WilcoxonNote::AllZero);
        let none = wilcox_test_paired(&[f64::NAN], &[1.0], &opts()).unwrap();
        assert_nan_with(&none, WilcoxonNote::NotEnoughX);
        assert!(matches!(
            wilcox_test_paired(&[1.0], &[1.0, 2.0], &opts()),
            Err(StatsError::PairedLengthMismatch { x: 1, y: 2 })
        ));
    }

    #[test]
    fn test_wilcox_two_sample_degenerate() {
        assert_nan_with(
            &wilcox_test_two_sample(&[], &[1.0], &opts()).unwrap(),
            WilcoxonNote::NotEnoughX,
        );
        assert_nan_with(
            &wilcox_test_two_sample(&[1.0], &[f64::NAN], &opts()).unwrap(),
            WilcoxonNote::NotEnoughY,
        );
        let tied = wilcox_test_two_sample(&[2.0, 2.0], &[2.0, 2.0, 2.0], &opts()).unwrap();
        assert_nan_with(&tied, WilcoxonNote::AllTied);
        assert_eq!(tied.statistic, 3.0);
        // One value each: exact, W = 1, p = 1 (R: wilcox.test(2, 1)).
        let one = wilcox_test_two_sample(&[2.0], &[1.0], &opts()).unwrap();
        assert_eq!(
            (one.statistic, one.p_two_sided, one.exact),
            (1.0, 1.0, true)
        );
    }

    #[test]
    fn test_wilcox_exact_choice() {
        let x: Vec<f64> = (1..=60).map(|i| i as f64 * 0.37 - 7.0).collect();
        assert!(!wilcox_test_one_sample(&x, &opts()).unwrap().exact);
        let forced = WilcoxonOptions {
            exact: Some(true),
            ..opts()
        };
        assert!(wilcox_test_one_sample(&x, &forced).unwrap().exact);
        let small = wilcox_test_one_sample(&x[..10], &opts()).unwrap();
        assert!(small.exact && !small.correct);
    }
}
