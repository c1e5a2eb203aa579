//! Brent's one-dimensional minimiser with the iteration of R's `optimize`
//! (`Brent_fmin` in R's `src/library/stats/src/optimize.c`), so that minima
//! found to R's loose default tolerance agree with R's step for step.

/// R's default tolerance of `optimize`: `.Machine$double.eps^0.25`.
pub(crate) fn default_tol() -> f64 {
    f64::EPSILON.powf(0.25)
}

/// Minimiser of `f` on [ax, bx] to within `tol`, following R's `Brent_fmin`:
/// golden-section steps mixed with parabolic interpolation, starting at
/// a + c·(b − a) with c = (3 − √5)/2. Non-finite function values count as the
/// largest finite double, as R's `optimize` does (with a warning in R).
///
/// # References
/// Brent, R. P. (1973). *Algorithms for Minimization without Derivatives*,
/// ch. 5. Prentice-Hall.
pub(crate) fn fmin(ax: f64, bx: f64, f: impl Fn(f64) -> f64, tol: f64) -> f64 {
    let f = |x: f64| {
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::MAX
        }
    };
    // c is the squared inverse of the golden ratio.
    let c = (3.0 - 5f64.sqrt()) * 0.5;
    let eps = f64::EPSILON.sqrt();
    let (mut a, mut b) = (ax, bx);
    let mut v = a + c * (b - a);
    let mut w = v;
    let mut x = v;
    let mut d = 0.0f64;
    let mut e = 0.0f64;
    let mut fx = f(x);
    let mut fv = fx;
    let mut fw = fx;
    let tol3 = tol / 3.0;
    loop {
        let xm = (a + b) * 0.5;
        let tol1 = eps * x.abs() + tol3;
        let t2 = tol1 * 2.0;
        if (x - xm).abs() <= t2 - (b - a) * 0.5 {
            break;
        }
        let mut p = 0.0;
        let mut q = 0.0;
        let mut r = 0.0;
        if e.abs() > tol1 {
            // Fit a parabola.
            r = (x - w) * (fx - fv);
            q = (x - v) * (fx - fw);
            p = (x - v) * q - (x - w) * r;
            q = (q - r) * 2.0;
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            r = e;
            e = d;
        }
        if p.abs() >= (q * 0.5 * r).abs() || p <= q * (a - x) || p >= q * (b - x) {
            // Golden-section step.
            e = if x < xm { b - x } else { a - x };
            d = c * e;
        } else {
            // Parabolic-interpolation step; not too close to the ends.
            d = p / q;
            let u = x + d;
            if u - a < t2 || b - u < t2 {
                d = tol1;
                if x >= xm {
                    d = -d;
                }
            }
        }
        // Not too close to x.
        let u = if d.abs() >= tol1 {
            x + d
        } else if d > 0.0 {
            x + tol1
        } else {
            x - tol1
        };
        let fu = f(u);
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            v = w;
            w = x;
            x = u;
            fv = fw;
            fw = fx;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::excessive_precision)]
    fn test_fmin_matches_r_optimize() {
        // R: optimize(function(x) (x - 1/3)^2, c(0, 1))$minimum
        let m = fmin(0.0, 1.0, |x| (x - 1.0 / 3.0).powi(2), default_tol());
        assert!((m - 0.3333333333333333).abs() < 1e-12, "{m:.17}");
        // R: optimize(function(x) sin(x), c(0, 2*pi))$minimum, to R's tolerance
        // only, so equality to the last digits shows the same iterates.
        let m = fmin(0.0, 2.0 * std::f64::consts::PI, f64::sin, default_tol());
        assert!((m - 4.7123910812000886).abs() < 1e-14, "{m:.17}");
    }
}
