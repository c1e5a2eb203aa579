//! Distribution functions needed by limma: Student's t, F, chi-squared and
//! the normal, with R's argument conventions (`lower` tail, `log` scale).
//!
//! Tail probabilities are computed directly from the incomplete beta/gamma
//! continued fractions, never as `1 − cdf`, so p-values of 1e-30, 1e-100 or
//! 1e-300 keep full relative accuracy. Quantiles invert these functions by
//! bracketed Newton iteration to about 1e-15 relative.

use crate::incomplete::{pbeta_pair, pgamma};
use crate::special::{lbeta, lgamma};
use std::f64::consts::{LN_2, SQRT_2};

/// R's `pt` uses an asymptotic formula once 1 + t²/df exceeds this.
const PT_HUGE_NX: f64 = 1e100;
/// Beyond this z/√2 `erfc` underflows and log tails use the asymptotic series.
const ERFC_LOG_SWITCH: f64 = 26.0;
/// ln √(2π).
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// Relative step at which quantile iterations stop.
const QUANTILE_REL_TOL: f64 = 4.0 * f64::EPSILON;
/// Iteration cap of quantile inversion.
const QUANTILE_MAX_ITER: usize = 400;

/// Turns a probability in R's (p, lower, log) convention into (ln lower, ln upper).
fn log_tails(p: f64, lower: bool, log: bool) -> (f64, f64) {
    let lp = if log { p } else { p.ln() };
    let other = if lp > -LN_2 {
        (-lp.exp_m1()).ln()
    } else {
        (-lp.exp()).ln_1p()
    };
    if lower {
        (lp, other)
    } else {
        (other, lp)
    }
}

/// Returns ln P(the requested tail) from ln of the upper tail (or the value).
fn finish(log_upper: f64, log_lower: f64, lower: bool, log: bool) -> f64 {
    let l = if lower { log_lower } else { log_upper };
    if log {
        l
    } else {
        l.exp()
    }
}

/// Upper tail of the standard normal on the log scale.
fn log_pnorm_upper(z: f64) -> f64 {
    let s = z / SQRT_2;
    if s < ERFC_LOG_SWITCH {
        (0.5 * libm::erfc(s)).ln()
    } else {
        let w = 1.0 / (z * z);
        let series = 1.0 - w * (1.0 - w * (3.0 - w * (15.0 - w * (105.0 - w * 945.0))));
        -0.5 * z * z - z.ln() - LN_SQRT_2PI + series.ln()
    }
}

/// Standard normal distribution function, as R's `pnorm(z, 0, 1, lower.tail, log.p)`.
pub fn pnorm(z: f64, lower: bool, log: bool) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    let (small_upper, l_small) = if z >= 0.0 {
        (true, log_pnorm_upper(z))
    } else {
        (false, log_pnorm_upper(-z))
    };
    let l_big = (-l_small.exp()).ln_1p();
    let (lu, ll) = if small_upper {
        (l_small, l_big)
    } else {
        (l_big, l_small)
    };
    finish(lu, ll, lower, log)
}

/// Student's t distribution function, as R's `pt(t, df, lower.tail, log.p)`
/// (R ≥ 2.7, which no longer switches to a normal approximation for df > 4e5).
///
/// # References
/// Abramowitz & Stegun (1964), 26.5.4 and 26.7.1.
pub fn pt(t: f64, df: f64, lower: bool, log: bool) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if df.is_infinite() {
        return pnorm(t, lower, log);
    }
    // ln of the two-sided tail P(|T| > |t|).
    let nx = 1.0 + (t / df) * t;
    let l_two = if nx > PT_HUGE_NX {
        -0.5 * df * (2.0 * t.abs().ln() - df.ln()) - lbeta(0.5 * df, 0.5) - (0.5 * df).ln()
    } else {
        let t2 = t * t;
        let denom = df + t2;
        pbeta_pair(df / denom, t2 / denom, df / 2.0, 0.5, true, true)
    };
    let l_small = l_two - LN_2;
    let l_big = (-l_small.exp()).ln_1p();
    let (lu, ll) = if t > 0.0 {
        (l_small, l_big)
    } else {
        (l_big, l_small)
    };
    finish(lu, ll, lower, log)
}

/// Two-sided p-value 2·P(T > |t|) for Student's t, as limma's `2 * pt(-abs(t), df)`.
pub fn t_two_sided_p(t: f64, df: f64) -> f64 {
    2.0 * pt(-t.abs(), df, true, false)
}

/// ln of Student's t density.
fn log_dt(t: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return -0.5 * t * t - LN_SQRT_2PI;
    }
    -lbeta(0.5 * df, 0.5) - 0.5 * df.ln() - (df + 1.0) / 2.0 * (t * t / df).ln_1p()
}

/// Quantile of Student's t, as R's `qt(p, df, lower.tail, log.p)`.
pub fn qt(p: f64, df: f64, lower: bool, log: bool) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    let (ll, lu) = log_tails(p, lower, log);
    if ll.is_nan() || lu.is_nan() || ll > 0.0 || lu > 0.0 {
        return f64::NAN;
    }
    let positive = lu <= ll;
    let target = if positive { lu } else { ll };
    if target == f64::NEG_INFINITY {
        return if positive {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        };
    }
    let q = solve_tail(
        target,
        |x| pt(x, df, false, true),
        |x| log_dt(x, df),
        Monotone::Decreasing,
    );
    if positive {
        q
    } else {
        -q
    }
}

/// Chi-squared distribution function, as R's `pchisq(x, k, lower.tail, log.p)`.
pub fn pchisq(x: f64, k: f64, lower: bool, log: bool) -> f64 {
    pgamma(x / 2.0, k / 2.0, lower, log)
}

/// F distribution function, as R's `pf(x, df1, df2, lower.tail, log.p)`
/// (df2 = ∞ gives the chi-squared limit).
pub fn pf(x: f64, df1: f64, df2: f64, lower: bool, log: bool) -> f64 {
    if x.is_nan() || df1.is_nan() || df2.is_nan() || df1 <= 0.0 || df2 <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return finish(0.0, f64::NEG_INFINITY, lower, log);
    }
    if df2.is_infinite() {
        return pchisq(x * df1, df1, lower, log);
    }
    if df1.is_infinite() {
        return pchisq(df2 / x, df2, !lower, log);
    }
    let denom = df2 + df1 * x;
    if df1 * x > df2 {
        pbeta_pair(
            df2 / denom,
            df1 * x / denom,
            df2 / 2.0,
            df1 / 2.0,
            !lower,
            log,
        )
    } else {
        pbeta_pair(
            df1 * x / denom,
            df2 / denom,
            df1 / 2.0,
            df2 / 2.0,
            lower,
            log,
        )
    }
}

/// ln of the F density (df2 = ∞ gives the scaled chi-squared density), x > 0.
pub(crate) fn log_df(x: f64, df1: f64, df2: f64) -> f64 {
    if x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    let h1 = df1 / 2.0;
    if df2.is_infinite() {
        return h1 * h1.ln() + (h1 - 1.0) * x.ln() - h1 * x - lgamma(h1);
    }
    let h2 = df2 / 2.0;
    let mx = df1 * x;
    let ln_p = mx.ln() - (df2 + mx).ln();
    let ln_q = -(mx / df2).ln_1p();
    -x.ln() - lbeta(h1, h2) + h1 * ln_p + h2 * ln_q
}

/// F density, as R's `df(x, df1, df2)`.
pub fn df_density(x: f64, df1: f64, df2: f64) -> f64 {
    log_df(x, df1, df2).exp()
}

/// Quantile of the F distribution, as R's `qf(p, df1, df2, lower.tail, log.p)`.
pub fn qf(p: f64, df1: f64, df2: f64, lower: bool, log: bool) -> f64 {
    if p.is_nan() || df1.is_nan() || df2.is_nan() || df1 <= 0.0 || df2 <= 0.0 {
        return f64::NAN;
    }
    let (ll, lu) = log_tails(p, lower, log);
    if ll.is_nan() || lu.is_nan() || ll > 0.0 || lu > 0.0 {
        return f64::NAN;
    }
    if ll == f64::NEG_INFINITY {
        return 0.0;
    }
    if lu == f64::NEG_INFINITY {
        return f64::INFINITY;
    }
    let dens = |x: f64| log_df(x, df1, df2);
    if lu <= ll {
        solve_tail(
            lu,
            |x| pf(x, df1, df2, false, true),
            dens,
            Monotone::Decreasing,
        )
    } else {
        solve_tail(
            ll,
            |x| pf(x, df1, df2, true, true),
            dens,
            Monotone::Increasing,
        )
    }
}

/// Direction of a log-tail function in x.
#[derive(Clone, Copy, PartialEq)]
enum Monotone {
    Increasing,
    Decreasing,
}

/// Solves `log_tail(x) = target` for x > 0 by bracketing and safeguarded Newton.
fn solve_tail(
    target: f64,
    log_tail: impl Fn(f64) -> f64,
    log_density: impl Fn(f64) -> f64,
    dir: Monotone,
) -> f64 {
    // g(x) > 0 means x lies below the root.
    let g = |x: f64| match dir {
        Monotone::Decreasing => log_tail(x) - target,
        Monotone::Increasing => target - log_tail(x),
    };
    let (mut lo, mut hi) = bracket(&g);
    let mut x = if lo > 0.0 {
        lo.sqrt() * hi.sqrt()
    } else {
        hi / 2.0
    };
    for _ in 0..QUANTILE_MAX_ITER {
        let gx = g(x);
        if gx == 0.0 {
            return x;
        }
        if gx > 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        // d g / dx = -density / tail, for both directions.
        let slope = -(log_density(x) - log_tail(x)).exp();
        let newton = x - gx / slope;
        let next = if newton > lo && newton < hi && newton.is_finite() {
            newton
        } else if lo > 0.0 && hi / lo > 4.0 {
            lo.sqrt() * hi.sqrt()
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= QUANTILE_REL_TOL * x.abs() || hi - lo <= QUANTILE_REL_TOL * hi {
            return next;
        }
        x = next;
    }
    x
}

/// Finds 0 ≤ lo < hi with g(lo) > 0 ≥ g(hi), searching outward from 1.
fn bracket(g: &impl Fn(f64) -> f64) -> (f64, f64) {
    let mut hi = 1.0;
    if g(hi) > 0.0 {
        let mut lo = hi;
        while g(hi) > 0.0 && hi < f64::MAX / 4.0 {
            lo = hi;
            hi *= 4.0;
        }
        (lo, hi)
    } else {
        let mut lo = 0.25;
        while g(lo) <= 0.0 && lo > f64::MIN_POSITIVE {
            hi = lo;
            lo /= 4.0;
        }
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn test_pt_cauchy_closed_form() {
        // df = 1: P(T > t) = 1/2 − atan(t)/π.
        for &t in &[0.3f64, 2.0, 50.0, 1e6] {
            let exact = 0.5 - t.atan() / std::f64::consts::PI;
            assert!(rel(pt(t, 1.0, false, false), exact) < 1e-9, "{t}");
        }
    }

    #[test]
    fn test_qt_inverts_pt() {
        for &df in &[1.5, 7.0, 30.0, 1e6, f64::INFINITY] {
            for &p in &[1e-300, 1e-30, 0.01, 0.4, 0.5, 0.9] {
                let q = qt(p, df, false, false);
                assert!(rel(pt(q, df, false, false), p) < 1e-12, "df {df} p {p}");
            }
        }
    }

    #[test]
    fn test_qf_inverts_pf() {
        for &(d1, d2) in &[(4.0, 10.0), (12.0, f64::INFINITY), (2.0, 3.5)] {
            for &p in &[0.05, 0.5, 0.9] {
                let q = qf(p, d1, d2, true, false);
                assert!(rel(pf(q, d1, d2, true, false), p) < 1e-12, "{d1} {d2} {p}");
            }
        }
    }
}
