//! Probability distributions: the single home of npxkit's distribution
//! functions (Student t, normal, F, chi-squared, and the exact Wilcoxon
//! null distributions), each mirroring the R function of the same name.
//!
//! Every function takes a [`Tail`] (R's `lower.tail`); those that limma needs
//! on the log scale have a `_log` twin (R's `log.p = TRUE`): `pt_log` returns
//! `ln P`, `qt_log` takes `ln p`. Tail probabilities are computed directly in
//! the requested tail, never as `1 - cdf`, so p-values of 1e-30, 1e-100 or
//! 1e-300 keep full relative accuracy. Quantiles invert the distribution
//! functions by bracketed Newton iteration on the log scale.
//!
//! Parity with R is tested by `tests/reference.rs` against
//! `test-data/reference/stats/{pt,qt,pnorm,psignrank,pwilcox}.tsv` and
//! `test-data/reference/limma/{t_tails,t_quantiles}.tsv`.
//!
//! # Sections
//! - [`pt`], [`pt_log`], [`qt`], [`qt_log`]: Student t, as R's `pt`, `qt`.
//! - [`pnorm`], [`pnorm_log`]: standard normal, as R's `pnorm` (Cody).
//! - [`pf`], [`pf_log`], [`qf`], [`qf_log`], [`df_density`]: F, as R's `pf`,
//!   `qf`, `df`.
//! - [`pchisq`], [`pchisq_log`]: chi-squared, as R's `pchisq`.
//! - [`psignrank`], [`pwilcox`]: Wilcoxon null distributions.
//!
//! The incomplete beta and gamma functions behind t, F and chi-squared are in
//! the crate-private `incomplete` module; `lgamma`, `lbeta` and the polygamma
//! functions are in [`crate::special`].

mod f;
mod normal;
mod quantile;
mod t;
mod wilcoxon;

pub use f::{df_density, pchisq, pchisq_log, pf, pf_log, qf, qf_log};
pub use normal::{pnorm, pnorm_log};
pub use t::{pt, pt_log, qt, qt_log};
pub use wilcoxon::{psignrank, pwilcox};

/// Which tail of a distribution a probability refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// `P[X <= x]` (R's `lower.tail = TRUE`).
    Lower,
    /// `P[X > x]` (R's `lower.tail = FALSE`).
    Upper,
}

impl Tail {
    /// The other tail.
    pub(crate) fn flip(self) -> Tail {
        match self {
            Tail::Lower => Tail::Upper,
            Tail::Upper => Tail::Lower,
        }
    }
}

// Reference values are kept as R or mpmath printed them (17 digits).
#[allow(clippy::excessive_precision)]
#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn test_pt_edge_cases() {
        assert!(pt(f64::NAN, 3.0, Tail::Lower).is_nan());
        assert!(pt(1.0, 0.0, Tail::Lower).is_nan());
        assert!(pt(1.0, -1.0, Tail::Upper).is_nan());
        assert_eq!(pt(f64::INFINITY, 3.0, Tail::Lower), 1.0);
        assert_eq!(pt(f64::NEG_INFINITY, 3.0, Tail::Lower), 0.0);
        assert_eq!(pt(0.0, 3.0, Tail::Lower), 0.5);
        assert_eq!(pt(0.0, 3.0, Tail::Upper), 0.5);
        assert_eq!(pt(1.5, f64::INFINITY, Tail::Upper), pnorm(1.5, Tail::Upper));
        // df = 1 is Cauchy: P[T > 1] = 1/4.
        assert!((pt(1.0, 1.0, Tail::Upper) - 0.25).abs() < 1e-15);
    }

    #[test]
    fn test_pt_far_tail_is_not_one_minus_cdf() {
        // R: pt(-40, 20) = 7.2873482771553443e-21 (far below 1 - cdf resolution).
        let p = pt(-40.0, 20.0, Tail::Lower);
        assert!((p / 7.2873482771553443e-21 - 1.0).abs() < 1e-12, "{p:e}");
        assert_eq!(pt(-40.0, 20.0, Tail::Lower), pt(40.0, 20.0, Tail::Upper));
    }

    #[test]
    fn test_qt_edge_cases() {
        assert_eq!(qt(0.5, 7.0, Tail::Lower), 0.0);
        assert_eq!(qt(0.0, 7.0, Tail::Lower), f64::NEG_INFINITY);
        assert_eq!(qt(1.0, 7.0, Tail::Lower), f64::INFINITY);
        assert_eq!(qt(0.0, 7.0, Tail::Upper), f64::INFINITY);
        assert!(qt(1.5, 7.0, Tail::Lower).is_nan());
        assert!(qt(f64::NAN, 7.0, Tail::Lower).is_nan());
        assert!(qt(0.3, 0.0, Tail::Lower).is_nan());
    }

    #[test]
    fn test_qt_round_trip_far_tails() {
        // Where R's own qt is inexact (df < 1, p < 1e-30) check pt(qt(p)) = p.
        for df in [0.5, 1.0, 1.5, 2.0, 7.0, 30.0, 1000.0] {
            for p in [1e-300, 1e-100, 1e-30, 1e-10, 0.01, 0.3] {
                let q = qt(p, df, Tail::Upper);
                if df < 1.0 && p < 1e-200 {
                    // The quantile, about p^(-1/df), overflows f64.
                    assert_eq!(q, f64::INFINITY);
                    continue;
                }
                let back = pt(q, df, Tail::Upper);
                assert!(
                    (back / p - 1.0).abs() < 1e-12,
                    "df {df} p {p:e}: q {q:e} back {back:e}"
                );
            }
        }
    }

    #[test]
    fn test_pt_cauchy_closed_form() {
        // df = 1: P(T > t) = 1/2 − atan(t)/π.
        for &t in &[0.3f64, 2.0, 50.0, 1e6] {
            let exact = 0.5 - t.atan() / std::f64::consts::PI;
            assert!(rel(pt(t, 1.0, Tail::Upper), exact) < 1e-9, "{t}");
        }
    }

    #[test]
    fn test_qt_inverts_pt() {
        for &df in &[1.5, 7.0, 30.0, 1e6, f64::INFINITY] {
            for &p in &[1e-300, 1e-30, 0.01, 0.4, 0.5, 0.9] {
                let q = qt(p, df, Tail::Upper);
                assert!(rel(pt(q, df, Tail::Upper), p) < 1e-12, "df {df} p {p}");
            }
        }
    }

    #[test]
    fn test_pt_log_far_tail() {
        // Where pt underflows, pt_log is finite and qt_log inverts it.
        let l = pt_log(1e200, 3.0, Tail::Upper);
        assert!(l.is_finite() && l < -1000.0, "{l}");
        assert_eq!(pt(1e200, 3.0, Tail::Upper), 0.0);
        assert!(rel(qt_log(l, 3.0, Tail::Upper), 1e200) < 1e-12);
        assert!(rel(qt_log(l, 3.0, Tail::Lower), -1e200) < 1e-12);
        assert!(qt_log(0.5, 3.0, Tail::Upper).is_nan());
    }
}
