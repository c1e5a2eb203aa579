//! Quantiles by inversion: bracketing and safeguarded Newton on the log tail
//! probability, shared by [`super::qt`] and [`super::qf`].
//!
//! Working on the log scale lets a quantile be found for p = 1e-300 (or a
//! log p of -1e4) with full relative accuracy; the result is as accurate as
//! the distribution function it inverts (about 1e-15 relative for the step).

use super::Tail;
use std::f64::consts::LN_2;

/// Relative step at which quantile iterations stop.
const QUANTILE_REL_TOL: f64 = 4.0 * f64::EPSILON;
/// Iteration cap of quantile inversion.
const QUANTILE_MAX_ITER: usize = 400;

/// Turns a probability in R's `(p, lower.tail, log.p)` convention into
/// `(ln P[lower], ln P[upper])`.
pub(super) fn log_tails(p: f64, tail: Tail, log: bool) -> (f64, f64) {
    let lp = if log { p } else { p.ln() };
    let other = if lp > -LN_2 {
        (-lp.exp_m1()).ln()
    } else {
        (-lp.exp()).ln_1p()
    };
    match tail {
        Tail::Lower => (lp, other),
        Tail::Upper => (other, lp),
    }
}

/// Direction of a log-tail function in x.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Monotone {
    Increasing,
    Decreasing,
}

/// Solves `log_tail(x) = target` for x > 0 by bracketing and safeguarded Newton.
pub(super) fn solve_tail(
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
    if g(hi) > 0.0 {
        // The root lies beyond the largest f64.
        return f64::INFINITY;
    }
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
