//! Standard normal distribution: [`pnorm`] and [`pnorm_log`], as R's
//! `pnorm(q, 0, 1, lower.tail, log.p)`.
//!
//! Cody's rational Chebyshev approximations in three regions of `|x|`, the
//! algorithm of R's `pnorm_both` (R's `src/nmath/pnorm.c`), coefficients
//! digit for digit. Both tails are computed directly; on the log scale the
//! far tail is formed from its logarithm, so `pnorm_log(-1e5)` is finite.
//! The linear scale agrees with R bit for bit on
//! `test-data/reference/stats/pnorm.tsv`.
//!
//! # References
//! Cody, W. J. (1969). Rational Chebyshev approximations for the error
//! function. *Math. Comp.* 23, 631–637. doi:10.1090/S0025-5718-1969-0247736-4
//!
//! Cody, W. J. (1993). Algorithm 715: SPECFUN. *ACM Trans. Math. Softw.* 19,
//! 22–32. doi:10.1145/151271.151273

// Coefficients are kept digit for digit as published (Cody 1969/1993).
#![allow(clippy::excessive_precision)]

use super::Tail;

/// Numerator coefficients of Cody's rational approximation for `|x| <= 0.674…`.
const NORM_A: [f64; 5] = [
    2.2352520354606839287,
    161.02823106855587881,
    1067.6894854603709582,
    18154.981253343561249,
    0.065682337918207449113,
];
/// Denominator coefficients for `|x| <= 0.674…`.
const NORM_B: [f64; 4] = [
    47.20258190468824187,
    976.09855173777669322,
    10260.932208618978205,
    45507.789335026729956,
];
/// Numerator coefficients for `0.674… < |x| <= sqrt(32)`.
const NORM_C: [f64; 9] = [
    0.39894151208813466764,
    8.8831497943883759412,
    93.506656132177855979,
    597.27027639480026226,
    2494.5375852903726711,
    6848.1904505362823326,
    11602.651437647350124,
    9842.7148383839780218,
    1.0765576773720192317e-8,
];
/// Denominator coefficients for `0.674… < |x| <= sqrt(32)`.
const NORM_D: [f64; 8] = [
    22.266688044328115691,
    235.38790178262499861,
    1519.377599407554805,
    6485.558298266760755,
    18615.571640885098091,
    34900.952721145977266,
    38912.003286093271411,
    19685.429676859990727,
];
/// Numerator coefficients for `|x| > sqrt(32)` (asymptotic region).
const NORM_P: [f64; 6] = [
    0.21589853405795699,
    0.1274011611602473639,
    0.022235277870649807,
    0.001421619193227893466,
    2.9112874951168792e-5,
    0.02307344176494017303,
];
/// Denominator coefficients for `|x| > sqrt(32)`.
const NORM_Q: [f64; 5] = [
    1.28426009614491121,
    0.468238212480865118,
    0.0659881378689285515,
    0.00378239633202758244,
    7.29751555083966205e-5,
];
/// Boundary of the central region, `qnorm(3/4)`.
const NORM_CENTRAL: f64 = 0.67448975;
/// Boundary of the intermediate region, `sqrt(32)`.
const NORM_SQRT_32: f64 = 5.656854249492380195206754896838;
/// Beyond this `|x|`, the far tail probability underflows to 0.
const NORM_FAR_TAIL: f64 = 37.5193;
/// On the log scale R keeps the asymptotic formula up to this `|x|` (where
/// `x^2` would overflow); beyond it the log far tail is `-Inf`.
const NORM_LOG_FAR_TAIL: f64 = 1e170;
/// `1 / sqrt(2 pi)`.
const FRAC_1_SQRT_2PI: f64 = 0.398942280401432677939946059934;

/// Standard normal distribution function, as R's `pnorm(x, lower.tail)`.
///
/// Accurate to about 1e-16 relative in either tail; both tails are computed
/// directly. Returns `NaN` for `NaN` input.
///
/// # References
/// Cody (1969, 1993); see the [module documentation](self).
pub fn pnorm(x: f64, tail: Tail) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let (lower, upper) = pnorm_both(x);
    match tail {
        Tail::Lower => lower,
        Tail::Upper => upper,
    }
}

/// Natural log of the standard normal distribution function, as R's
/// `pnorm(x, lower.tail, log.p = TRUE)`.
///
/// The far tail is computed from its logarithm (Cody's asymptotic formula,
/// as R), so it stays finite and accurate down to `|x|` about 1e170.
///
/// # References
/// Cody (1969, 1993); see the [module documentation](self).
pub fn pnorm_log(x: f64, tail: Tail) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let (lower, upper) = log_pnorm_both(x);
    match tail {
        Tail::Lower => lower,
        Tail::Upper => upper,
    }
}

/// Value of Cody's rational approximation in the central region,
/// `P[X <= x] - 1/2`, for `|x| <= NORM_CENTRAL`.
fn central(x: f64) -> f64 {
    let (mut xnum, mut xden) = (0.0, 0.0);
    if x.abs() > f64::EPSILON * 0.5 {
        let xsq = x * x;
        xnum = NORM_A[4] * xsq;
        xden = xsq;
        for i in 0..3 {
            xnum = (xnum + NORM_A[i]) * xsq;
            xden = (xden + NORM_B[i]) * xsq;
        }
    }
    x * (xnum + NORM_A[3]) / (xden + NORM_B[3])
}

/// The rational factor `r(y)` of the far tail `P[X > y] = exp(-y^2/2) r(y)`,
/// for `y > NORM_CENTRAL`.
fn tail_factor(y: f64) -> f64 {
    if y <= NORM_SQRT_32 {
        let mut xnum = NORM_C[8] * y;
        let mut xden = y;
        for i in 0..7 {
            xnum = (xnum + NORM_C[i]) * y;
            xden = (xden + NORM_D[i]) * y;
        }
        (xnum + NORM_C[7]) / (xden + NORM_D[7])
    } else {
        let xsq = 1.0 / (y * y);
        let mut xnum = NORM_P[5] * xsq;
        let mut xden = xsq;
        for i in 0..4 {
            xnum = (xnum + NORM_P[i]) * xsq;
            xden = (xden + NORM_Q[i]) * xsq;
        }
        let r = xsq * (xnum + NORM_P[4]) / (xden + NORM_Q[4]);
        (FRAC_1_SQRT_2PI - r) / y
    }
}

/// Returns `(P[X <= x], P[X > x])`, each computed in its own right.
fn pnorm_both(x: f64) -> (f64, f64) {
    let y = x.abs();
    if y <= NORM_CENTRAL {
        let temp = central(x);
        return (0.5 + temp, 0.5 - temp);
    }
    // `small` is the tail away from zero, P[X > |x|].
    let small = if y < NORM_FAR_TAIL {
        let (a, b) = gauss_exponent(y);
        a.exp() * b.exp() * tail_factor(y)
    } else {
        0.0
    };
    let big = 1.0 - small;
    if x > 0.0 {
        (big, small)
    } else {
        (small, big)
    }
}

/// Returns `(ln P[X <= x], ln P[X > x])`, as R's `pnorm_both` with `log_p`.
fn log_pnorm_both(x: f64) -> (f64, f64) {
    let y = x.abs();
    if y <= NORM_CENTRAL {
        let temp = central(x);
        return ((0.5 + temp).ln(), (0.5 - temp).ln());
    }
    // `small` is ln P[X > |x|].
    let small = if y < NORM_LOG_FAR_TAIL {
        let (a, b) = gauss_exponent(y);
        a + b + tail_factor(y).ln()
    } else {
        f64::NEG_INFINITY
    };
    let big = (-small.exp()).ln_1p();
    if x > 0.0 {
        (big, small)
    } else {
        (small, big)
    }
}

/// `-y^2 / 2` as the sum of two terms, without the cancellation error of
/// squaring `y` directly: `y` is split as `ysq + del` with `ysq` a multiple
/// of 1/16 (Cody's trick, R's `do_del`).
fn gauss_exponent(y: f64) -> (f64, f64) {
    /// Granularity of the split.
    const SPLIT: f64 = 16.0;
    let ysq = (y * SPLIT).trunc() / SPLIT;
    let del = (y - ysq) * (y + ysq);
    (-ysq * ysq * 0.5, -del * 0.5)
}

// Reference values are kept as R or mpmath printed them (17 digits).
#[allow(clippy::excessive_precision)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_pnorm_edge_cases() {
        assert!(pnorm(f64::NAN, Tail::Lower).is_nan());
        assert_eq!(pnorm(0.0, Tail::Lower), 0.5);
        assert_eq!(pnorm(f64::INFINITY, Tail::Lower), 1.0);
        assert_eq!(pnorm(f64::NEG_INFINITY, Tail::Lower), 0.0);
        assert_eq!(pnorm(-40.0, Tail::Lower), 0.0);
        assert_eq!(pnorm(40.0, Tail::Upper), 0.0);
    }

    #[test]
    fn test_pnorm_log_far_tail() {
        // ln(erfc(40/sqrt(2))/2) = -804.60844201375379 (mpmath, 40 digits).
        let got = pnorm_log(-40.0, Tail::Lower);
        assert!((got / -804.60844201375379 - 1.0).abs() < 1e-14, "{got}");
        assert_eq!(pnorm_log(40.0, Tail::Upper), got);
        assert_eq!(pnorm_log(0.0, Tail::Lower), -std::f64::consts::LN_2);
        assert_eq!(pnorm_log(f64::INFINITY, Tail::Lower), 0.0);
        assert_eq!(pnorm_log(f64::NEG_INFINITY, Tail::Lower), f64::NEG_INFINITY);
        assert!(pnorm_log(f64::NAN, Tail::Upper).is_nan());
        for x in [-5.0, -1.0, 0.3, 2.0, 7.0] {
            let lin = pnorm(x, Tail::Upper);
            assert!((pnorm_log(x, Tail::Upper) - lin.ln()).abs() < 1e-14, "{x}");
        }
    }
}
