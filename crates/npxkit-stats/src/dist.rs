//! Distribution functions needed by the tests: Student t, standard normal,
//! and the exact null distributions of the Wilcoxon statistics.
//!
//! Tail probabilities are computed directly in the requested tail, never as
//! `1 - cdf`, so p-values stay accurate far into the tails (down to the
//! smallest normal `f64` for t, and to about 1e-300 for the normal).
//!
//! No Rust crate provides the exact Wilcoxon signed-rank and rank-sum null
//! distributions (R's `psignrank` and `pwilcox`), so they are computed here by
//! the classical counting recursions.
//!
//! # Sections
//! - [`pt`], [`qt`]: Student t distribution, as R's `pt` and `qt`.
//! - [`pnorm`]: standard normal distribution, as R's `pnorm`.
//! - [`psignrank`], [`pwilcox`]: Wilcoxon null distributions.

// Coefficients are kept digit for digit as published (Cody 1969/1993).
#![allow(clippy::excessive_precision)]

use statrs::function::beta::ln_beta;
use statrs::function::gamma::ln_gamma;

/// Which tail of a distribution a probability refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// `P[X <= x]` (R's `lower.tail = TRUE`).
    Lower,
    /// `P[X > x]` (R's `lower.tail = FALSE`).
    Upper,
}

impl Tail {
    fn flip(self) -> Tail {
        match self {
            Tail::Lower => Tail::Upper,
            Tail::Upper => Tail::Lower,
        }
    }
}

/// Above this value of `1 + x^2/df`, R's `pt` switches to the asymptotic
/// formula from `log|x|` (the incomplete beta argument would underflow).
const PT_ASYMPTOTIC_NX: f64 = 1e100;
/// Second shape parameter of the beta distribution behind the t.
const BETA_HALF: f64 = 0.5;

/// Student t distribution function, as R's `pt(x, df, lower.tail)`.
///
/// Uses the regularised incomplete beta function in whichever argument keeps
/// the small tail probability exact: `I_{1/(1+x^2/df)}(df/2, 1/2)` for large
/// `|x|`, `I_{x^2/(df+x^2)}(1/2, df/2)` otherwise. Returns `NaN` for `NaN`
/// input or `df <= 0`; `df = +Inf` gives the normal distribution.
///
/// # References
/// Abramowitz, M., Stegun, I. A. (1964). *Handbook of Mathematical Functions*,
/// 26.7.1 (t distribution via the incomplete beta function).
pub fn pt(x: f64, df: f64, tail: Tail) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x.is_infinite() {
        return match (x > 0.0, tail) {
            (true, Tail::Lower) | (false, Tail::Upper) => 1.0,
            _ => 0.0,
        };
    }
    if df.is_infinite() {
        return pnorm(x, tail);
    }
    // `val` is the two-sided probability P[|T| > |x|].
    let nx = 1.0 + (x / df) * x;
    let val = if nx > PT_ASYMPTOTIC_NX {
        let lval =
            -0.5 * df * (2.0 * x.abs().ln() - df.ln()) - ln_beta(0.5 * df, 0.5) - (0.5 * df).ln();
        lval.exp()
    } else {
        t_two_sided(x, df)
    };
    let half = val / 2.0;
    // `half` is the probability of the tail away from zero.
    let away_is_requested = (x > 0.0) == (tail == Tail::Upper);
    if away_is_requested && x != 0.0 {
        half
    } else {
        0.5 - half + 0.5
    }
}

/// Two-sided tail `P[|T| > |x|]` for finite `x` and `df`.
///
/// `P[|T| > |x|] = I_y(df/2, 1/2)` with `y = 1/(1 + x^2/df)` and
/// `1 - y = x^2/(df + x^2)`, both formed without cancellation. The
/// incomplete beta is evaluated on the side where its continued fraction
/// converges fast, and complemented only when the result is large.
fn t_two_sided(x: f64, df: f64) -> f64 {
    let a = 0.5 * df;
    let u = (x / df) * x; // x^2 / df
    let y_c = x * x / (df + x * x);
    let ln_y = -u.ln_1p();
    let ln_y_c = y_c.ln();
    let ln_b = ln_beta_half(a);
    if y_c > (BETA_HALF + 1.0) / (a + BETA_HALF + 2.0) {
        // Small tail: I_y(a, 1/2) directly.
        let front = (a * ln_y + BETA_HALF * ln_y_c - ln_b).exp() / a;
        front * beta_cf(a, BETA_HALF, 1.0 / (1.0 + u))
    } else {
        // Large tail: 1 - I_{1-y}(1/2, a).
        let front = (BETA_HALF * ln_y_c + a * ln_y - ln_b).exp() / BETA_HALF;
        0.5 - front * beta_cf(BETA_HALF, a, y_c) + 0.5
    }
}

/// `ln Γ(b + 1/2) - ln Γ(b)` comes from its asymptotic series for `b` at
/// least this; smaller arguments are shifted up by the recurrence
/// `Γ(b + 1) = b Γ(b)`. The first omitted series term is below 1e-15 here.
/// This avoids the cancellation between large log-gamma values.
const LGAMMA_RATIO_SERIES_MIN: f64 = 10.0;

/// Coefficients `c_k` of `ln Γ(b + 1/2) - ln Γ(b) - ln(b)/2 = Σ c_k b^-(2k-1)`,
/// `c = (-1)^(n+1) (B_{n+1}(1/2) - B_{n+1}) / (n (n + 1))` for odd `n`, with
/// `B_k` the Bernoulli numbers and `B_k(1/2) = (2^(1-k) - 1) B_k`.
const LGAMMA_HALF_RATIO: [f64; 6] = [
    -1.0 / 8.0,
    1.0 / 192.0,
    -1.0 / 640.0,
    17.0 / 14336.0,
    -31.0 / 18432.0,
    2073.0 / 540672.0,
];

/// `ln B(a, 1/2)`, accurate to a few ulps for all `a > 0`.
///
/// # References
/// Abramowitz, M., Stegun, I. A. (1964). *Handbook of Mathematical Functions*,
/// 6.1.47 (asymptotic expansion of `ln Γ(z + a)`) and 23.1.21.
fn ln_beta_half(a: f64) -> f64 {
    /// `ln Γ(1/2) = ln(π)/2`.
    const LN_GAMMA_HALF: f64 = 0.572364942924700087071713675677;
    // Shift: Γ(a + 1/2)/Γ(a) = Γ(b + 1/2)/Γ(b) · Π (a + j)/(a + j + 1/2).
    let mut b = a;
    let mut factor = 1.0;
    while b < LGAMMA_RATIO_SERIES_MIN {
        factor *= b / (b + BETA_HALF);
        b += 1.0;
    }
    let inv = 1.0 / b;
    let inv2 = inv * inv;
    let series = LGAMMA_HALF_RATIO
        .iter()
        .rev()
        .fold(0.0, |acc, &c| acc * inv2 + c)
        * inv;
    let ln_ratio = 0.5 * b.ln() + series + factor.ln();
    LN_GAMMA_HALF - ln_ratio
}

/// Most continued-fraction terms [`beta_cf`] evaluates.
const BETA_CF_MAX_ITER: usize = 100_000;
/// Relative change at which [`beta_cf`] stops.
const BETA_CF_EPS: f64 = f64::EPSILON / 2.0;
/// Guard against division by zero in the modified Lentz method.
const BETA_CF_TINY: f64 = 1e-300;

/// Continued fraction for the incomplete beta function, so that
/// `I_x(p, q) = x^p (1 - x)^q / (p B(p, q)) * beta_cf(p, q, x)`; converges
/// quickly for `x < (p + 1)/(p + q + 2)`. Modified Lentz evaluation.
///
/// # References
/// Press, W. H. et al. (2007). *Numerical Recipes*, 3rd ed., §6.4.
/// Lentz, W. J. (1976). *Appl. Opt.* 15, 668–671. doi:10.1364/AO.15.000668
fn beta_cf(p: f64, q: f64, x: f64) -> f64 {
    let guard = |v: f64| {
        if v.abs() < BETA_CF_TINY {
            BETA_CF_TINY
        } else {
            v
        }
    };
    let (qab, qap, qam) = (p + q, p + 1.0, p - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=BETA_CF_MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        // Even step.
        let aa = m * (q - m) * x / ((qam + m2) * (p + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        // Odd step.
        let aa = -(p + m) * (qab + m) * x / ((p + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= BETA_CF_EPS {
            break;
        }
    }
    h
}

/// Density of the Student t distribution (used only to drive [`qt`]).
fn dt(x: f64, df: f64) -> f64 {
    let log_norm =
        ln_gamma(0.5 * (df + 1.0)) - ln_gamma(0.5 * df) - 0.5 * (df * std::f64::consts::PI).ln();
    (log_norm - 0.5 * (df + 1.0) * (x * x / df).ln_1p()).exp()
}

/// Most Newton steps [`qt`] takes after bracketing.
const QT_MAX_ITER: usize = 100;
/// Relative step size at which [`qt`] stops.
const QT_REL_TOL: f64 = 4.0 * f64::EPSILON;

/// Student t quantile function, as R's `qt(p, df, lower.tail)`.
///
/// Solves [`pt`]`(x) = p` in the tail of `p` by safeguarded Newton steps on
/// the log tail probability, so the result is as accurate as [`pt`].
/// Returns `NaN` for `p` outside `[0, 1]`, `NaN` input or `df <= 0`.
pub fn qt(p: f64, df: f64, tail: Tail) -> f64 {
    if p.is_nan() || df.is_nan() || df <= 0.0 || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    // Work with q = P[T > t], t >= 0: the smaller of p and 1 - p.
    let (q, sign) = match tail {
        Tail::Upper if p <= 0.5 => (p, 1.0),
        Tail::Upper => (1.0 - p, -1.0),
        Tail::Lower if p >= 0.5 => (1.0 - p, 1.0),
        Tail::Lower => (p, -1.0),
    };
    if q == 0.5 {
        return 0.0;
    }
    if q == 0.0 {
        return sign * f64::INFINITY;
    }
    sign * qt_upper(q, df)
}

/// Positive `t` with `P[T > t] = q`, `0 < q < 1/2`.
fn qt_upper(q: f64, df: f64) -> f64 {
    let upper = |t: f64| pt(t, df, Tail::Upper);
    // Bracket: upper(lo) > q >= upper(hi).
    let mut lo = 0.0_f64;
    let mut hi = 1.0_f64;
    while upper(hi) > q {
        lo = hi;
        hi *= 2.0;
        if hi.is_infinite() {
            return f64::INFINITY;
        }
    }
    let ln_q = q.ln();
    let mut t = 0.5 * (lo + hi);
    for _ in 0..QT_MAX_ITER {
        let u = upper(t);
        if u > q {
            lo = t;
        } else {
            hi = t;
        }
        // Newton on ln P[T > t]: d/dt ln U = -dt(t) / U.
        let step = (u.ln() - ln_q) * u / dt(t, df);
        let mut next = t + step;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - t).abs() <= QT_REL_TOL * t.abs() {
            return next;
        }
        t = next;
    }
    t
}

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
/// `1 / sqrt(2 pi)`.
const FRAC_1_SQRT_2PI: f64 = 0.398942280401432677939946059934;

/// Standard normal distribution function, as R's `pnorm(x, lower.tail)`.
///
/// Cody's rational Chebyshev approximations, accurate to about 1e-16
/// relative in either tail; both tails are computed directly.
///
/// # References
/// Cody, W. J. (1969). Rational Chebyshev approximations for the error
/// function. *Math. Comp.* 23, 631–637. doi:10.1090/S0025-5718-1969-0247736-4
///
/// Cody, W. J. (1993). Algorithm 715: SPECFUN. *ACM Trans. Math. Softw.* 19,
/// 22–32. doi:10.1145/151271.151273
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

/// Returns `(P[X <= x], P[X > x])`, each computed in its own right.
fn pnorm_both(x: f64) -> (f64, f64) {
    let y = x.abs();
    if y <= NORM_CENTRAL {
        let (mut xnum, mut xden) = (0.0, 0.0);
        if y > f64::EPSILON * 0.5 {
            let xsq = x * x;
            xnum = NORM_A[4] * xsq;
            xden = xsq;
            for i in 0..3 {
                xnum = (xnum + NORM_A[i]) * xsq;
                xden = (xden + NORM_B[i]) * xsq;
            }
        }
        let temp = x * (xnum + NORM_A[3]) / (xden + NORM_B[3]);
        return (0.5 + temp, 0.5 - temp);
    }
    // `small` is the tail away from zero, P[X > |x|].
    let small = if y <= NORM_SQRT_32 {
        let mut xnum = NORM_C[8] * y;
        let mut xden = y;
        for i in 0..7 {
            xnum = (xnum + NORM_C[i]) * y;
            xden = (xden + NORM_D[i]) * y;
        }
        gauss_factor(y) * ((xnum + NORM_C[7]) / (xden + NORM_D[7]))
    } else if y < NORM_FAR_TAIL {
        let xsq = 1.0 / (x * x);
        let mut xnum = NORM_P[5] * xsq;
        let mut xden = xsq;
        for i in 0..4 {
            xnum = (xnum + NORM_P[i]) * xsq;
            xden = (xden + NORM_Q[i]) * xsq;
        }
        let r = xsq * (xnum + NORM_P[4]) / (xden + NORM_Q[4]);
        gauss_factor(y) * ((FRAC_1_SQRT_2PI - r) / y)
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

/// `exp(-y^2 / 2)` without the cancellation error of squaring `y` directly:
/// `y` is split as `ysq + del` with `ysq` a multiple of 1/16 (Cody's trick).
fn gauss_factor(y: f64) -> f64 {
    /// Granularity of the split.
    const SPLIT: f64 = 16.0;
    let ysq = (y * SPLIT).trunc() / SPLIT;
    let del = (y - ysq) * (y + ysq);
    (-ysq * ysq * 0.5).exp() * (-del * 0.5).exp()
}

/// Number of subsets of `{1, …, n}` with each possible sum `0 ..= n(n+1)/2`,
/// the null frequencies of the signed-rank statistic `V`.
///
/// Recursion: adding the value `j` to the set shifts the counts by `j`,
/// `w_j(k) = w_{j-1}(k) + w_{j-1}(k - j)`, updated in place from the top.
fn signrank_counts(n: usize) -> Vec<f64> {
    let total = n * (n + 1) / 2;
    let mut w = vec![0.0; total + 1];
    w[0] = 1.0;
    for j in 1..=n {
        let top = j * (j + 1) / 2;
        for k in (j..=top).rev() {
            w[k] += w[k - j];
        }
    }
    w
}

/// Distribution function of the Wilcoxon signed-rank statistic, as R's
/// `psignrank(q, n, lower.tail)`.
///
/// `V` is the sum of the ranks of the positive values among `n` nonzero,
/// untied values; under the null each of the `2^n` sign patterns is equally
/// likely. Sums over the shorter tail, so small tail probabilities are exact.
/// Returns `NaN` for `n = 0` or `NaN` `q` (as R).
///
/// # References
/// Wilcoxon, F. (1945). Individual comparisons by ranking methods.
/// *Biometrics Bulletin* 1, 80–83. doi:10.2307/3001968
pub fn psignrank(q: f64, n: usize, tail: Tail) -> f64 {
    if q.is_nan() || n == 0 {
        return f64::NAN;
    }
    let nf = n as f64;
    let total = nf * (nf + 1.0) / 2.0;
    // R rounds q + 1e-7 to the nearest integer (fuzz against representation error).
    let x = (q + WILCOX_FUZZ).round_ties_even();
    if x < 0.0 {
        return tail_value(0.0, tail);
    }
    if x >= total {
        return tail_value(1.0, tail);
    }
    let counts = signrank_counts(n);
    let f = (-nf * std::f64::consts::LN_2).exp();
    let (p, tail) = if x <= total / 2.0 {
        let p = counts[..=x as usize].iter().fold(0.0, |p, &c| p + c * f);
        (p, tail)
    } else {
        let k = (total - x) as usize;
        let p = counts[..k].iter().fold(0.0, |p, &c| p + c * f);
        (p, tail.flip())
    };
    tail_value(p, tail)
}

/// Fuzz R adds to a quantile before rounding it to an integer.
const WILCOX_FUZZ: f64 = 1e-7;

/// R's `R_DT_val`: `p` for the lower tail, `1 - p` (as `0.5 - p + 0.5`) for
/// the upper.
fn tail_value(p: f64, tail: Tail) -> f64 {
    match tail {
        Tail::Lower => p,
        Tail::Upper => 0.5 - p + 0.5,
    }
}

/// Null frequencies of the Mann-Whitney statistic `W` for samples of sizes
/// `m` and `n`: entry `k` counts the arrangements with `W = k`, `0 ..= m n`.
///
/// Recursion on the largest observation: it belongs to `x` (adding `n` to W)
/// or to `y`: `c(i, j; k) = c(i - 1, j; k - j) + c(i, j - 1; k)`.
fn wilcox_counts(m: usize, n: usize) -> Vec<f64> {
    // prev[j] holds c(i - 1, j; ·), cur[j] holds c(i, j; ·).
    let mut prev: Vec<Vec<f64>> = (0..=n).map(|_| vec![1.0]).collect();
    for i in 1..=m {
        let mut cur: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
        cur.push(vec![1.0]);
        for j in 1..=n {
            let mut c = vec![0.0; i * j + 1];
            for (k, &v) in prev[j].iter().enumerate() {
                c[k + j] += v;
            }
            for (k, &v) in cur[j - 1].iter().enumerate() {
                c[k] += v;
            }
            cur.push(c);
        }
        prev = cur;
    }
    prev.swap_remove(n)
}

/// Distribution function of the Wilcoxon rank-sum (Mann-Whitney) statistic,
/// as R's `pwilcox(q, m, n, lower.tail)`.
///
/// `W` counts the pairs `(x_i, y_j)` with `x_i > y_j`; under the null all
/// `choose(m + n, n)` arrangements are equally likely. Sums over the shorter
/// tail. Returns `NaN` when `m` or `n` is 0 or `q` is `NaN` (as R).
///
/// # References
/// Mann, H. B., Whitney, D. R. (1947). On a test of whether one of two random
/// variables is stochastically larger than the other. *Ann. Math. Statist.*
/// 18, 50–60. doi:10.1214/aoms/1177730491
pub fn pwilcox(q: f64, m: usize, n: usize, tail: Tail) -> f64 {
    if q.is_nan() || m == 0 || n == 0 {
        return f64::NAN;
    }
    let total = (m * n) as f64;
    let x = (q + WILCOX_FUZZ).floor();
    if x < 0.0 {
        return tail_value(0.0, tail);
    }
    if x >= total {
        return tail_value(1.0, tail);
    }
    let counts = wilcox_counts(m, n);
    let c = choose(m + n, n);
    let (p, tail) = if x <= total / 2.0 {
        (
            counts[..=x as usize].iter().fold(0.0, |p, &k| p + k / c),
            tail,
        )
    } else {
        let k = (total - x) as usize;
        (counts[..k].iter().fold(0.0, |p, &k| p + k / c), tail.flip())
    };
    tail_value(p, tail)
}

/// Binomial coefficient as `f64`: exact integer arithmetic while it fits in
/// `u128`, then a product of ratios.
fn choose(n: usize, k: usize) -> f64 {
    let k = k.min(n - k);
    let mut exact: Option<u128> = Some(1);
    for j in 1..=k {
        // c(n, j) = c(n, j - 1) * (n - j + 1) / j, exact at every step.
        exact = exact
            .and_then(|c| c.checked_mul((n - j + 1) as u128))
            .map(|c| c / j as u128);
    }
    match exact {
        Some(c) => c as f64,
        None => (1..=k).fold(1.0, |c, j| c * (n - j + 1) as f64 / j as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn test_pnorm_edge_cases() {
        assert!(pnorm(f64::NAN, Tail::Lower).is_nan());
        assert_eq!(pnorm(0.0, Tail::Lower), 0.5);
        assert_eq!(pnorm(f64::INFINITY, Tail::Lower), 1.0);
        assert_eq!(pnorm(f64::NEG_INFINITY, Tail::Lower), 0.0);
        assert_eq!(pnorm(-40.0, Tail::Lower), 0.0);
        assert_eq!(pnorm(40.0, Tail::Upper), 0.0);
    }

    #[test]
    fn test_psignrank_small() {
        // n = 3: sums 0..6 have counts 1 1 1 2 1 1 1 out of 8.
        assert_eq!(signrank_counts(3), vec![1.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0]);
        // R multiplies each count by exp(-n log 2), not exactly 2^-n.
        assert!((psignrank(2.0, 3, Tail::Lower) - 3.0 / 8.0).abs() < 1e-15);
        assert!((psignrank(2.0, 3, Tail::Upper) - 5.0 / 8.0).abs() < 1e-15);
        assert_eq!(psignrank(-1.0, 3, Tail::Lower), 0.0);
        assert_eq!(psignrank(6.0, 3, Tail::Lower), 1.0);
        assert!(psignrank(1.0, 0, Tail::Lower).is_nan());
        assert!(psignrank(f64::NAN, 3, Tail::Lower).is_nan());
    }

    #[test]
    fn test_pwilcox_small() {
        // m = 2, n = 2: W = 0..4 with counts 1 1 2 1 1 out of 6.
        assert_eq!(wilcox_counts(2, 2), vec![1.0, 1.0, 2.0, 1.0, 1.0]);
        assert_eq!(pwilcox(1.0, 2, 2, Tail::Lower), 2.0 / 6.0);
        assert_eq!(pwilcox(3.0, 2, 2, Tail::Upper), 1.0 / 6.0);
        assert_eq!(pwilcox(4.0, 2, 2, Tail::Lower), 1.0);
        assert!(pwilcox(1.0, 0, 2, Tail::Lower).is_nan());
        assert!(pwilcox(1.0, 2, 0, Tail::Lower).is_nan());
    }

    #[test]
    fn test_choose() {
        assert_eq!(choose(5, 2), 10.0);
        assert_eq!(choose(98, 49), 25477612258980856902730428600.0);
        assert_eq!(choose(4, 0), 1.0);
    }

    #[test]
    fn test_ln_beta_half_matches_r_lbeta() {
        // R: lbeta(a, 0.5), on both sides of the series switch.
        for (a, want) in [
            (0.25, 1.6571065161914822),
            (1.0, std::f64::consts::LN_2), // B(1, 1/2) = 2
            (3.7, -0.048118367370501562),
            (10.0, -0.56643279639759392),
            (15.0, -0.77332836545223194),
            (20.0, -0.91925184440660423),
            (50.0, -1.3811466014510412),
        ] {
            let got = ln_beta_half(a);
            assert!((got - want).abs() < 1e-14, "a {a}: {got} vs {want}");
        }
    }
}
