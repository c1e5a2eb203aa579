//! limma's `loessFit` with prior weights: `weightedLowess` (the C routine
//! `weighted_lowess` of limma's `src/weighted_lowess.c`, by Aaron Lun), as
//! `fitFDistUnequalDF1` calls it for the variance trend: local lines with
//! tricube × prior weights over spans holding `span` of the total weight,
//! fitted at seed points `delta` apart and linearly interpolated between them.
//!
//! # References
//! Cleveland, W. S. (1979). Robust locally weighted regression and smoothing
//! scatterplots. *JASA* 74, 829–836. doi:10.1080/01621459.1979.10481038

use crate::lowess::loess_fit;
use crate::robust::order;
use crate::unequal_df1::sum_ext;

/// Distances and spreads below this are treated as zero (limma's 1e-7).
const THRESHOLD: f64 = 0.0000001;
/// Number of seed points aimed at by limma's `weightedLowess` (`npts = 200`).
const NPTS: usize = 200;

/// limma's `loessFit(y, x, weights, span, iterations, min.weight, max.weight)`
/// fitted values (NaN where x or y is not finite).
pub(crate) fn loess_fit_weighted(
    y: &[f64],
    x: &[f64],
    weights: &[f64],
    min_weight: f64,
    max_weight: f64,
    span: f64,
    iterations: usize,
) -> Vec<f64> {
    let n = y.len();
    let mut fitted = vec![f64::NAN; n];
    let obs: Vec<usize> = (0..n)
        .filter(|&i| y[i].is_finite() && x[i].is_finite())
        .collect();
    let nobs = obs.len();
    if nobs == 0 {
        return fitted;
    }
    if span < 1.0 / nobs as f64 {
        obs.iter().for_each(|&i| fitted[i] = y[i]);
        return fitted;
    }
    let min_weight = min_weight.max(0.0);
    let xo: Vec<f64> = obs.iter().map(|&i| x[i]).collect();
    let yo: Vec<f64> = obs.iter().map(|&i| y[i]).collect();
    let wo: Vec<f64> = obs
        .iter()
        .map(|&i| {
            let w = if weights[i].is_nan() { 0.0 } else { weights[i] };
            w.max(min_weight).min(max_weight)
        })
        .collect();
    let lo = wo.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = wo.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hi - lo < 1e-15 {
        let fit = loess_fit(y, x, span, iterations);
        return fit.fitted;
    }
    let nw = if min_weight > 0.0 {
        nobs
    } else {
        wo.iter().filter(|&&w| w > 0.0).count()
    };
    let fo: Vec<f64> = if (nw as f64) < 4.0 + 1.0 / span {
        if nw == 1 {
            let k = wo.iter().position(|&w| w > 0.0).unwrap_or(0);
            vec![yo[k]; nobs]
        } else {
            weighted_line(&xo, &yo, &wo)
        }
    } else {
        weighted_lowess(&xo, &yo, &wo, span, iterations)
    };
    for (k, &i) in obs.iter().enumerate() {
        fitted[i] = fo[k];
    }
    fitted
}

/// Fitted values of the weighted least-squares line (R's `lm.wfit(cbind(1, x), y, w)`).
fn weighted_line(x: &[f64], y: &[f64], w: &[f64]) -> Vec<f64> {
    let sw = sum_ext(w.iter().copied());
    let xm = sum_ext(w.iter().zip(x).map(|(a, b)| a * b)) / sw;
    let ym = sum_ext(w.iter().zip(y).map(|(a, b)| a * b)) / sw;
    let sxx = sum_ext((0..x.len()).map(|i| w[i] * (x[i] - xm) * (x[i] - xm)));
    let sxy = sum_ext((0..x.len()).map(|i| w[i] * (x[i] - xm) * (y[i] - ym)));
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    x.iter().map(|&v| ym + slope * (v - xm)).collect()
}

/// limma's `weightedLowess(x, y, weights, span, iterations, npts = 200)$fitted`,
/// in input order.
fn weighted_lowess(x: &[f64], y: &[f64], w: &[f64], span: f64, iterations: usize) -> Vec<f64> {
    let n = x.len();
    let o = order(x);
    let xs: Vec<f64> = o.iter().map(|&i| x[i]).collect();
    let ys: Vec<f64> = o.iter().map(|&i| y[i]).collect();
    let ws: Vec<f64> = o.iter().map(|&i| w[i]).collect();
    let delta = if NPTS >= n {
        0.0
    } else {
        let mut dx: Vec<f64> = xs.windows(2).map(|p| p[1] - p[0]).collect();
        dx.sort_by(f64::total_cmp);
        let cum = cumsum_ext(&dx);
        let len = dx.len();
        (0..NPTS)
            .map(|k| cum[len - k - 1] / (NPTS - k) as f64)
            .fold(f64::INFINITY, f64::min)
    };
    let fit_sorted = weighted_lowess_sorted(&xs, &ys, &ws, span, iterations.max(1), delta);
    let mut out = vec![0.0; n];
    for (k, &i) in o.iter().enumerate() {
        out[i] = fit_sorted[k];
    }
    out
}

/// R's `cumsum` (extended-precision running sum, each partial rounded).
fn cumsum_ext(x: &[f64]) -> Vec<f64> {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    x.iter()
        .map(|&v| {
            let t = s + v;
            if s.abs() >= v.abs() {
                c += (s - t) + v;
            } else {
                c += (v - t) + s;
            }
            s = t;
            s + c
        })
        .collect()
}

/// The C routine `weighted_lowess` on sorted x: fitted values.
fn weighted_lowess_sorted(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    span: f64,
    niter: usize,
    delta: f64,
) -> Vec<f64> {
    let npts = x.len();
    let mut totalweight = 0.0;
    for &v in w {
        totalweight += v;
    }
    let spanweight = totalweight * span;
    let subrange = (x[npts - 1] - x[0]) / npts as f64;
    let seeds = find_seeds(x, delta);
    let limits: Vec<(usize, usize, f64)> = seeds
        .iter()
        .map(|&p| find_limits(p, x, w, spanweight))
        .collect();
    let mut fit = vec![0.0; npts];
    let mut rob = vec![1.0; npts];
    let mut work = vec![0.0; npts];
    for _ in 0..niter {
        let (l, r, d) = limits[0];
        fit[0] = lowess_fit(x, y, w, &rob, 0, l, r, d, &mut work);
        let mut last = 0usize;
        for (s, &pt) in seeds.iter().enumerate().skip(1) {
            let (l, r, d) = limits[s];
            fit[pt] = lowess_fit(x, y, w, &rob, pt, l, r, d, &mut work);
            if pt - last > 1 {
                let current = x[pt] - x[last];
                if current > THRESHOLD * subrange {
                    let slope = (fit[pt] - fit[last]) / current;
                    let intercept = fit[pt] - slope * x[pt];
                    for sub in last + 1..pt {
                        fit[sub] = slope * x[sub] + intercept;
                    }
                } else {
                    let endave = 0.5 * (fit[pt] + fit[last]);
                    for v in &mut fit[last + 1..pt] {
                        *v = endave;
                    }
                }
            }
            last = pt;
        }
        if niter == 1 {
            break;
        }
        // Robustness weights from the weighted median absolute residual.
        let res: Vec<f64> = (0..npts).map(|i| (y[i] - fit[i]).abs()).collect();
        let mut resid_scale = 0.0;
        for &v in &res {
            resid_scale += v;
        }
        resid_scale /= npts as f64;
        let ro = order(&res);
        let half = totalweight / 2.0;
        let mut current = 0.0;
        let mut cmad = 0.0;
        for k in 0..npts {
            current += w[ro[k]];
            if current == half {
                cmad = 3.0 * (res[ro[k]] + res[ro[(k + 1).min(npts - 1)]]);
                break;
            } else if current > half {
                cmad = 6.0 * res[ro[k]];
                break;
            }
        }
        if cmad <= THRESHOLD * resid_scale {
            break;
        }
        for i in 0..npts {
            rob[i] = if res[i] < cmad {
                (1.0 - (res[i] / cmad).powf(2.0)).powf(2.0)
            } else {
                0.0
            };
        }
    }
    fit
}

/// Seed points: the first, every point more than `delta` past the last seed, the last.
fn find_seeds(x: &[f64], delta: f64) -> Vec<usize> {
    let npts = x.len();
    let mut seeds = vec![0];
    let mut last = 0;
    for pt in 1..npts.saturating_sub(1) {
        if x[pt] - x[last] > delta {
            seeds.push(pt);
            last = pt;
        }
    }
    seeds.push(npts - 1);
    seeds
}

/// Span of a seed point: (start, end, largest distance), grown towards the
/// nearer neighbour until it holds `spanweight`, then extended to ties.
fn find_limits(curpt: usize, x: &[f64], w: &[f64], spanweight: f64) -> (usize, usize, f64) {
    let npts = x.len();
    let (mut left, mut right) = (curpt, curpt);
    let mut curw = w[curpt];
    let mut ende = curpt == npts - 1;
    let mut ends = curpt == 0;
    let mut mdist = 0.0f64;
    while curw < spanweight && (!ende || !ends) {
        if ende {
            left -= 1;
            curw += w[left];
            if left == 0 {
                ends = true;
            }
            let ldist = x[curpt] - x[left];
            if mdist < ldist {
                mdist = ldist;
            }
        } else if ends {
            right += 1;
            curw += w[right];
            if right == npts - 1 {
                ende = true;
            }
            let rdist = x[right] - x[curpt];
            if mdist < rdist {
                mdist = rdist;
            }
        } else {
            let ldist = x[curpt] - x[left - 1];
            let rdist = x[right + 1] - x[curpt];
            if ldist < rdist {
                left -= 1;
                curw += w[left];
                if left == 0 {
                    ends = true;
                }
                if mdist < ldist {
                    mdist = ldist;
                }
            } else {
                right += 1;
                curw += w[right];
                if right == npts - 1 {
                    ende = true;
                }
                if mdist < rdist {
                    mdist = rdist;
                }
            }
        }
    }
    while left > 0 && x[left] == x[left - 1] {
        left -= 1;
    }
    while right < npts - 1 && x[right] == x[right + 1] {
        right += 1;
    }
    (left, right, mdist)
}

/// Local weighted line at `curpt` over [left, right] (tricube × prior × robustness weights).
#[allow(clippy::too_many_arguments)]
fn lowess_fit(
    x: &[f64],
    y: &[f64],
    w: &[f64],
    rw: &[f64],
    curpt: usize,
    left: usize,
    right: usize,
    dist: f64,
    work: &mut [f64],
) -> f64 {
    let mut ymean = 0.0;
    let mut allweight = 0.0;
    if dist < THRESHOLD {
        for pt in left..=right {
            work[pt] = w[pt] * rw[pt];
            ymean += y[pt] * work[pt];
            allweight += work[pt];
        }
        return ymean / allweight;
    }
    let mut xmean = 0.0;
    for pt in left..=right {
        work[pt] = (1.0 - ((x[curpt] - x[pt]).abs() / dist).powf(3.0)).powf(3.0) * w[pt] * rw[pt];
        xmean += work[pt] * x[pt];
        ymean += work[pt] * y[pt];
        allweight += work[pt];
    }
    xmean /= allweight;
    ymean /= allweight;
    let mut var = 0.0;
    let mut covar = 0.0;
    for pt in left..=right {
        let temp = x[pt] - xmean;
        var += temp * temp * work[pt];
        covar += temp * (y[pt] - ymean) * work[pt];
    }
    if var < THRESHOLD {
        return ymean;
    }
    let slope = covar / var;
    let intercept = ymean - slope * xmean;
    slope * x[curpt] + intercept
}
