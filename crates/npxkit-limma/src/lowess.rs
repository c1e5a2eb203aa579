//! Robust locally weighted linear regression, as R's `stats::lowess` (the C
//! routine `clowess` of R's `src/library/stats/src/lowess.c`), and limma's
//! `loessFit` on the path that calls it: no prior weights.
//!
//! limma's `fitFDistRobustly(x, df1, covariate)` — and so
//! `eBayes(trend = TRUE, robust = TRUE)` — fits the trend of the log
//! variances as `loessFit(z, covariate, span = 0.4)`. Without weights
//! `loessFit` calls `lowess(covariate, z, f = 0.4, iter = 3)` with R's default
//! `delta = 0.01 * diff(range(covariate))`, so that is what is here:
//! tricube-weighted local lines over the nearest `span · n` points, points
//! within `delta` of the last fitted one filled by linear interpolation, and
//! `iter` rounds of bisquare robustness weights from 6 × the median absolute
//! residual.
//!
//! # References
//! Cleveland, W. S. (1979). Robust locally weighted regression and smoothing
//! scatterplots. *Journal of the American Statistical Association* 74,
//! 829–836. doi:10.1080/01621459.1979.10481038

use std::cmp::Ordering;

/// Fraction of the bandwidth within which a point gets full weight (R's 0.001).
const FULL_WEIGHT_FRACTION: f64 = 0.001;
/// Fraction of the bandwidth beyond which a point gets zero weight (R's 0.999).
const ZERO_WEIGHT_FRACTION: f64 = 0.999;
/// Local slopes are fitted only when the weighted spread of x exceeds this
/// fraction of the range of x (R's 0.001).
const SLOPE_SPREAD_FRACTION: f64 = 0.001;
/// Added to `f · n` before truncating it to the number of local points (R's 1e-7).
const NEIGHBOURS_EPS: f64 = 1e-7;
/// Robustness iterations stop when 6 × MAD falls below this fraction of the
/// mean absolute residual (R's 1e-7).
const MAD_ZERO_FRACTION: f64 = 1e-7;
/// Fraction of R's default `delta`: `0.01 * diff(range(x))`.
const DEFAULT_DELTA_FRACTION: f64 = 0.01;
/// Span of limma's `loessFit` trend in `fitFDistRobustly`.
pub(crate) const ROBUST_TREND_SPAN: f64 = 0.4;
/// Iterations of limma's `loessFit` (its default 4: one fit, three robust refits).
pub(crate) const LOESS_FIT_ITERATIONS: usize = 4;

/// A `lowess` smooth: `x` sorted increasingly (ties kept in input order) and
/// the fitted values at those `x`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lowess {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

/// R's default `delta` of `lowess`: 1% of the range of `x`.
pub(crate) fn default_delta(x: &[f64]) -> f64 {
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    DEFAULT_DELTA_FRACTION * (hi - lo)
}

/// Indices sorting `x` increasingly, ties in input order (R's stable `order`;
/// −0 and +0 compare equal as in R). `x` must not hold NaN.
fn order(x: &[f64]) -> Vec<usize> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| x[a].partial_cmp(&x[b]).unwrap_or(Ordering::Equal));
    o
}

/// `lowess(x, y, f, iter, delta)` as R's `stats::lowess`.
///
/// `x` and `y` have equal lengths and no NaN; `f > 0`; `delta >= 0`. Returns
/// `x` sorted and the smooth at each sorted `x`; tied `x` get one fitted value.
///
/// # References
/// Cleveland, W. S. (1979). *JASA* 74, 829–836. doi:10.1080/01621459.1979.10481038
pub(crate) fn lowess(x: &[f64], y: &[f64], f: f64, iter: usize, delta: f64) -> Lowess {
    debug_assert_eq!(x.len(), y.len());
    let o = order(x);
    let xs: Vec<f64> = o.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = o.iter().map(|&i| y[i]).collect();
    let fitted = clowess(&xs, &ys, f, iter, delta);
    Lowess { x: xs, y: fitted }
}

/// Cleveland's smoother on sorted `x`: `nsteps` robustness iterations after
/// the first fit.
fn clowess(x: &[f64], y: &[f64], f: f64, nsteps: usize, delta: f64) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return y.to_vec();
    }
    let ns = ((f * n as f64 + NEIGHBOURS_EPS) as usize).clamp(2, n);
    let mut ys = vec![0.0; n];
    let mut rw = vec![0.0; n];
    let mut w = vec![0.0; n];
    for iter in 1..=nsteps + 1 {
        let robust = (iter > 1).then_some(rw.as_slice());
        smooth_pass(x, y, ns, delta, robust, &mut w, &mut ys);
        let res: Vec<f64> = y.iter().zip(&ys).map(|(a, b)| a - b).collect();
        if iter > nsteps || !robustness_weights(&res, &mut rw) {
            break;
        }
    }
    ys
}

/// One pass over the sorted points: local fits at points more than `delta`
/// apart, linear interpolation in between, tied x copied.
fn smooth_pass(
    x: &[f64],
    y: &[f64],
    ns: usize,
    delta: f64,
    rw: Option<&[f64]>,
    w: &mut [f64],
    ys: &mut [f64],
) {
    let n = x.len();
    let (mut nleft, mut nright) = (0, ns - 1);
    let mut last = 0;
    let mut i = 0;
    loop {
        // Slide the window right while that shrinks the radius around x[i].
        if nright < n - 1 && x[i] - x[nleft] > x[nright + 1] - x[i] {
            nleft += 1;
            nright += 1;
            continue;
        }
        ys[i] = local_fit(x, y, x[i], nleft, nright, rw, w).unwrap_or(y[i]);
        if last + 1 < i {
            let denom = x[i] - x[last];
            for j in last + 1..i {
                let alpha = (x[j] - x[last]) / denom;
                ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[last];
            }
        }
        last = i;
        // Skip ahead to the last point within delta; copy exact ties.
        let cut = x[last] + delta;
        i = last + 1;
        while i < n {
            if x[i] > cut {
                break;
            }
            if x[i] == x[last] {
                ys[i] = ys[last];
                last = i;
            }
            i += 1;
        }
        i = (last + 1).max(i - 1);
        if last >= n - 1 {
            break;
        }
    }
}

/// Tricube-weighted local line at `xs` over points `nleft..=nright` (and ties
/// beyond), as `lowest` of R's lowess.c; `None` when all weights are zero.
fn local_fit(
    x: &[f64],
    y: &[f64],
    xs: f64,
    nleft: usize,
    nright: usize,
    rw: Option<&[f64]>,
    w: &mut [f64],
) -> Option<f64> {
    let n = x.len();
    let range = x[n - 1] - x[0];
    let h = (xs - x[nleft]).max(x[nright] - xs);
    let (h9, h1) = (ZERO_WEIGHT_FRACTION * h, FULL_WEIGHT_FRACTION * h);
    let mut a = 0.0;
    let mut end = nleft;
    while end < n {
        let r = (x[end] - xs).abs();
        if r <= h9 {
            let mut wj = if r <= h1 {
                1.0
            } else {
                let q = r / h;
                let t = 1.0 - q * q * q;
                t * t * t
            };
            if let Some(rw) = rw {
                wj *= rw[end];
            }
            w[end] = wj;
            a += wj;
        } else if x[end] > xs {
            break;
        } else {
            w[end] = 0.0;
        }
        end += 1;
    }
    if a <= 0.0 {
        return None;
    }
    let win = nleft..end;
    w[win.clone()].iter_mut().for_each(|v| *v /= a);
    if h > 0.0 {
        let mut center = 0.0;
        for j in win.clone() {
            center += w[j] * x[j];
        }
        let mut b = xs - center;
        let mut c = 0.0;
        for j in win.clone() {
            let d = x[j] - center;
            c += w[j] * (d * d);
        }
        if c.sqrt() > SLOPE_SPREAD_FRACTION * range {
            b /= c;
            for j in win.clone() {
                w[j] *= b * (x[j] - center) + 1.0;
            }
        }
    }
    let mut fit = 0.0;
    for j in win {
        fit += w[j] * y[j];
    }
    Some(fit)
}

/// Bisquare robustness weights from residuals, scaled by 6 × their median
/// absolute value. `false` (weights untouched) when that scale is effectively zero.
fn robustness_weights(res: &[f64], rw: &mut [f64]) -> bool {
    let n = res.len();
    let mut sc = 0.0;
    for r in res {
        sc += r.abs();
    }
    sc /= n as f64;
    let mut abs: Vec<f64> = res.iter().map(|r| r.abs()).collect();
    abs.sort_by(f64::total_cmp);
    let m1 = n / 2;
    let cmad = if n.is_multiple_of(2) {
        3.0 * (abs[m1] + abs[n - m1 - 1])
    } else {
        6.0 * abs[m1]
    };
    if cmad < MAD_ZERO_FRACTION * sc {
        return false;
    }
    let (c9, c1) = (ZERO_WEIGHT_FRACTION * cmad, FULL_WEIGHT_FRACTION * cmad);
    for (w, r) in rw.iter_mut().zip(res) {
        let r = r.abs();
        *w = if r <= c1 {
            1.0
        } else if r <= c9 {
            let q = r / cmad;
            let t = 1.0 - q * q;
            t * t
        } else {
            0.0
        };
    }
    true
}

/// Fitted values and residuals of [`loess_fit`], in input order (NaN where
/// `x` or `y` is not finite).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoessFit {
    pub fitted: Vec<f64>,
    pub residuals: Vec<f64>,
}

/// limma's `loessFit(y, x, span, iterations)` without weights: R's `lowess`
/// of the finite (x, y) pairs with `f = span`, `iter = iterations - 1` and the
/// default `delta`, mapped back to input order. With `span < 1/n` every
/// point is its own fit.
///
/// # References
/// Cleveland, W. S. (1979). *JASA* 74, 829–836. doi:10.1080/01621459.1979.10481038
pub(crate) fn loess_fit(y: &[f64], x: &[f64], span: f64, iterations: usize) -> LoessFit {
    debug_assert_eq!(x.len(), y.len());
    let n = y.len();
    let mut out = LoessFit {
        fitted: vec![f64::NAN; n],
        residuals: vec![f64::NAN; n],
    };
    let obs: Vec<usize> = (0..n)
        .filter(|&i| y[i].is_finite() && x[i].is_finite())
        .collect();
    if obs.is_empty() {
        return out;
    }
    if span < 1.0 / obs.len() as f64 {
        for &i in &obs {
            out.fitted[i] = y[i];
            out.residuals[i] = 0.0;
        }
        return out;
    }
    let xo: Vec<f64> = obs.iter().map(|&i| x[i]).collect();
    let yo: Vec<f64> = obs.iter().map(|&i| y[i]).collect();
    let lo = lowess(
        &xo,
        &yo,
        span,
        iterations.saturating_sub(1),
        default_delta(&xo),
    );
    for (k, o) in order(&xo).into_iter().enumerate() {
        let i = obs[o];
        out.fitted[i] = lo.y[k];
        out.residuals[i] = y[i] - lo.y[k];
    }
    out
}

// The expected values are R's `sprintf("%.17g")` output, kept verbatim.
#[cfg(test)]
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;

    /// Relative tolerance against R's printed `%.17g` values: the same
    /// operations in the same order, so only the last bit may differ.
    const TOL_R: f64 = 1e-14;

    fn assert_close(ours: &[f64], r: &[f64]) {
        assert_eq!(ours.len(), r.len());
        for (i, (a, b)) in ours.iter().zip(r).enumerate() {
            let err = if *b == 0.0 {
                a.abs()
            } else {
                ((a - b) / b).abs()
            };
            assert!(err <= TOL_R, "[{i}]: ours {a:.17e}, R {b:.17e}");
        }
    }

    // Ties in x (unsorted input) and an outlier at x = 5.
    const X1: [f64; 15] = [
        3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0, 8.0, 9.0, 7.0, 9.0,
    ];
    const Y1: [f64; 15] = [
        2.1, 0.4, 3.3, 0.9, 4.2, 8.8, 1.7, 5.1, 4.9, 2.4, 12.0, 7.2, 9.1, 6.3, 8.4,
    ];
    // Clusters closer than delta (0.01 of the range) at 0 and 0.5, a tie at 1.
    const X2: [f64; 16] = [
        0.0, 0.001, 0.0025, 0.004, 0.3, 0.31, 0.5, 0.502, 0.7, 0.75, 0.9, 0.95, 1.0, 1.0, 0.2, 0.6,
    ];
    const Y2: [f64; 16] = [
        1.0, 1.2, 0.9, 1.4, 2.0, 2.6, 2.2, 2.9, 3.5, 3.1, 4.4, 3.9, 4.8, 5.3, 1.7, 2.4,
    ];

    #[test]
    fn test_lowess_ties_and_outlier() {
        // R: l <- lowess(X1, Y1); l$x; l$y   (f = 2/3, iter = 3, delta = 0.08)
        let l = lowess(&X1, &Y1, 2.0 / 3.0, 3, default_delta(&X1));
        let xs = [
            1.0, 1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 5.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0, 9.0,
        ];
        assert_eq!(l.x, xs);
        assert_close(
            &l.y,
            &[
                0.65453345726266765,
                0.65453345726266765,
                1.527712818429573,
                2.4234620931841655,
                2.4234620931841655,
                3.3611858317345771,
                4.3290869330578952,
                4.3290869330578952,
                4.3290869330578952,
                5.3075829561774359,
                6.3578941410346008,
                7.5080780984892481,
                8.6756505584809407,
                8.6756505584809407,
                8.6756505584809407,
            ],
        );
        // R: lowess(X1, Y1, f = 0.4)$y
        let l = lowess(&X1, &Y1, 0.4, 3, default_delta(&X1));
        assert_close(
            &l.y,
            &[
                0.69739027522692787,
                0.69739027522692787,
                1.524329869976095,
                2.3554896841826505,
                2.3554896841826505,
                3.2999999999999998,
                4.353540542773457,
                4.353540542773457,
                4.353540542773457,
                5.2828505387118296,
                6.2158457189724468,
                7.4244490039480535,
                8.7344544986025952,
                8.7344544986025952,
                8.7344544986025952,
            ],
        );
    }

    #[test]
    fn test_lowess_delta_interpolation() {
        // R: lowess(X2, Y2, f = 0.4)$y   (default delta = 0.01)
        let l = lowess(&X2, &Y2, 0.4, 3, default_delta(&X2));
        assert_close(
            &l.y,
            &[
                1.1175314056030432,
                1.1204838945348763,
                1.124912627932626,
                1.1293413613303755,
                1.6853587692426317,
                2.1412433376021514,
                2.1683732459409586,
                2.5460389356506719,
                2.5432764749559453,
                2.7847412326036443,
                3.1066417277623462,
                3.4002512541743348,
                4.1659579688250936,
                4.5341752286671779,
                4.9101691679319792,
                4.9101691679319792,
            ],
        );
        // R: lowess(X2, Y2, f = 0.4, delta = 0.25)$y
        let l = lowess(&X2, &Y2, 0.4, 3, 0.25);
        assert_close(
            &l.y,
            &[
                1.1173248700207323,
                1.120165786567789,
                1.1244271613883743,
                1.1286885362089594,
                1.685508179432085,
                2.1222883482037624,
                2.16596636508093,
                2.5384148810176939,
                2.5423353917117653,
                2.8869965101866399,
                3.2386915290385527,
                3.4145390384645089,
                4.3218197508438987,
                4.6242466549703609,
                4.9266735590968249,
                4.9266735590968249,
            ],
        );
    }

    #[test]
    fn test_lowess_no_robustness_iterations() {
        // R: lowess(X2, Y2, f = 0.5, iter = 0)$y
        let l = lowess(&X2, &Y2, 0.5, 0, default_delta(&X2));
        assert_close(
            &l.y,
            &[
                1.1070910339331981,
                1.11070371819072,
                1.116122744577003,
                1.121541770963286,
                1.8443586580772906,
                2.1532020468606063,
                2.1753263913028396,
                2.5532534846656114,
                2.5590480012429233,
                2.7862088562242193,
                3.1759815517278587,
                3.3967615891139098,
                4.240186210820081,
                4.5324125736635841,
                4.8265205031553764,
                4.8265205031553764,
            ],
        );
    }

    #[test]
    fn test_lowess_degenerate_inputs() {
        // A straight line: residuals vanish and the robustness loop stops early.
        // R: lowess(1:8, 2 * (1:8) + 1)$y
        let x: Vec<f64> = (1..=8).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let l = lowess(&x, &y, 2.0 / 3.0, 3, default_delta(&x));
        assert_close(
            &l.y,
            &[
                3.0000000000000004,
                5.0,
                7.0,
                9.0,
                11.0,
                13.0,
                14.999999999999998,
                16.999999999999989,
            ],
        );
        // R: lowess(c(2, 1), c(5, 3))$y
        let l = lowess(&[2.0, 1.0], &[5.0, 3.0], 2.0 / 3.0, 3, 0.01);
        assert_eq!((l.x, l.y), (vec![1.0, 2.0], vec![3.0, 5.0]));
        let l = lowess(&[4.0], &[7.0], 2.0 / 3.0, 3, 0.0);
        assert_eq!(l.y, vec![7.0]);
        assert!(lowess(&[], &[], 2.0 / 3.0, 3, 0.0).y.is_empty());
    }

    #[test]
    fn test_loess_fit_input_order() {
        // R: lo <- limma::loessFit(Y2, X2, span = 0.4); lo$fitted; lo$residuals
        let lo = loess_fit(&Y2, &X2, ROBUST_TREND_SPAN, LOESS_FIT_ITERATIONS);
        assert_close(
            &lo.fitted,
            &[
                1.1175314056030432,
                1.1204838945348763,
                1.124912627932626,
                1.1293413613303755,
                2.1412433376021514,
                2.1683732459409586,
                2.5460389356506719,
                2.5432764749559453,
                3.1066417277623462,
                3.4002512541743348,
                4.1659579688250936,
                4.5341752286671779,
                4.9101691679319792,
                4.9101691679319792,
                1.6853587692426317,
                2.7847412326036443,
            ],
        );
        let r = [
            -0.1175314056030432,
            0.079516105465123665,
            -0.22491262793262601,
            0.27065863866962436,
            -0.14124333760215135,
            0.4316267540590415,
            -0.34603893565067168,
            0.35672352504405458,
            0.39335827223765385,
            -0.30025125417433474,
            0.23404203117490674,
            -0.63417522866717801,
            -0.11016916793197939,
            0.38983083206802061,
            0.014641230757368229,
            -0.38474123260364435,
        ];
        assert_close(&lo.residuals, &r);
    }

    #[test]
    fn test_loess_fit_missing_and_tiny_span() {
        let y = [1.0, f64::NAN, 3.0, 2.0];
        let x = [0.0, 1.0, f64::INFINITY, 3.0];
        let lo = loess_fit(&y, &x, 0.4, LOESS_FIT_ITERATIONS);
        assert!(lo.fitted[1].is_nan() && lo.fitted[2].is_nan());
        // Two usable points, span 0.4 < 1/2: each point is its own fit.
        assert_eq!((lo.fitted[0], lo.residuals[3]), (1.0, 0.0));
        let none = loess_fit(&[f64::NAN], &[1.0], 0.4, LOESS_FIT_ITERATIONS);
        assert!(none.fitted[0].is_nan());
    }
}
