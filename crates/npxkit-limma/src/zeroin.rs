//! Brent's root finder with the iteration of R's `uniroot` (`R_zeroin2`), so
//! that roots found to a loose tolerance agree with R's.

/// Root of `f` in [ax, bx] given f(ax) = `fa` and f(bx) = `fb` of opposite signs,
/// to within `tol`, following R's `R_zeroin2` step by step.
///
/// # References
/// Brent, R. P. (1973). *Algorithms for Minimization without Derivatives*, ch. 4.
pub(crate) fn zeroin(
    ax: f64,
    bx: f64,
    fa: f64,
    fb: f64,
    f: impl Fn(f64) -> f64,
    tol: f64,
    max_iter: usize,
) -> f64 {
    let (mut a, mut b, mut fa, mut fb) = (ax, bx, fa, fb);
    let (mut c, mut fc) = (a, fa);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    for _ in 0..=max_iter {
        let prev_step = b - a;
        if fc.abs() < fb.abs() {
            (a, b, c) = (b, c, b);
            (fa, fb, fc) = (fb, fc, fb);
        }
        let tol_act = 2.0 * f64::EPSILON * b.abs() + tol / 2.0;
        let mut new_step = (c - b) / 2.0;
        if new_step.abs() <= tol_act || fb == 0.0 {
            return b;
        }
        if prev_step.abs() >= tol_act && fa.abs() > fb.abs() {
            let cb = c - b;
            let (mut p, mut q);
            if a == c {
                let t1 = fb / fa;
                p = cb * t1;
                q = 1.0 - t1;
            } else {
                let qq = fa / fc;
                let t1 = fb / fc;
                let t2 = fb / fa;
                p = t2 * (cb * qq * (qq - t1) - (b - a) * (t1 - 1.0));
                q = (qq - 1.0) * (t1 - 1.0) * (t2 - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if p < 0.75 * cb * q - (tol_act * q).abs() / 2.0 && p < (prev_step * q / 2.0).abs() {
                new_step = p / q;
            }
        }
        if new_step.abs() < tol_act {
            new_step = if new_step > 0.0 { tol_act } else { -tol_act };
        }
        a = b;
        fa = fb;
        b += new_step;
        fb = f(b);
        if (fb > 0.0 && fc > 0.0) || (fb < 0.0 && fc < 0.0) {
            c = a;
            fc = fa;
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_zeroin_finds_sqrt2() {
        let f = |x: f64| x * x - 2.0;
        let r = zeroin(0.0, 2.0, f(0.0), f(2.0), f, 1e-12, 1000);
        assert!((r - 2f64.sqrt()).abs() < 1e-11);
    }
}
