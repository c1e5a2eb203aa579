//! Multiple-testing adjustment of p-values, mirroring R's `stats::p.adjust`.
//!
//! Each method is a line-by-line port of the R 4.2 source, including its
//! floating-point evaluation order (`n / i * p` for BH, `n * p / i` for
//! Hommel), so results agree with R to the last bit or nearly so.
//!
//! Missing values (`NaN`, R's `NA`) are left in place and excluded from the
//! number of tests `n`, as `p.adjust(p)` does with its default
//! `n = length(p)` evaluated after the `NA`s are dropped.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::error::StatsError;

/// A p-value adjustment method, named as in R's `p.adjust.methods`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdjustMethod {
    /// Holm (1979) step-down family-wise error rate control.
    Holm,
    /// Hochberg (1988) step-up family-wise error rate control.
    Hochberg,
    /// Hommel (1988) closed-testing family-wise error rate control.
    Hommel,
    /// Bonferroni: `min(1, n p)`.
    Bonferroni,
    /// Benjamini & Hochberg (1995) false discovery rate (R's `"BH"`/`"fdr"`).
    BH,
    /// Benjamini & Yekutieli (2001) false discovery rate under dependence.
    BY,
    /// No adjustment.
    None,
}

impl AdjustMethod {
    /// All methods, in the order of R's `p.adjust.methods`.
    pub const ALL: [AdjustMethod; 7] = [
        AdjustMethod::Holm,
        AdjustMethod::Hochberg,
        AdjustMethod::Hommel,
        AdjustMethod::Bonferroni,
        AdjustMethod::BH,
        AdjustMethod::BY,
        AdjustMethod::None,
    ];

    /// R's name for the method (the value accepted by `p.adjust(method = )`).
    pub fn r_name(self) -> &'static str {
        match self {
            AdjustMethod::Holm => "holm",
            AdjustMethod::Hochberg => "hochberg",
            AdjustMethod::Hommel => "hommel",
            AdjustMethod::Bonferroni => "bonferroni",
            AdjustMethod::BH => "BH",
            AdjustMethod::BY => "BY",
            AdjustMethod::None => "none",
        }
    }
}

impl fmt::Display for AdjustMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.r_name())
    }
}

impl FromStr for AdjustMethod {
    type Err = StatsError;

    /// Parses R's method names, case-insensitively; `"fdr"` means BH.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "holm" => Ok(AdjustMethod::Holm),
            "hochberg" => Ok(AdjustMethod::Hochberg),
            "hommel" => Ok(AdjustMethod::Hommel),
            "bonferroni" => Ok(AdjustMethod::Bonferroni),
            "bh" | "fdr" => Ok(AdjustMethod::BH),
            "by" => Ok(AdjustMethod::BY),
            "none" => Ok(AdjustMethod::None),
            _ => Err(StatsError::UnknownAdjustMethod(s.to_string())),
        }
    }
}

/// Adjusts p-values for multiple comparisons, as R's `stats::p.adjust`.
///
/// `NaN` entries stay `NaN` and do not count towards the number of tests.
/// With one or no non-missing value the input is returned unchanged (as R).
/// Ties are handled as in R (a stable ordering; tied p-values receive equal
/// adjusted values).
///
/// # References
/// - Holm, S. (1979). A simple sequentially rejective multiple test procedure.
///   *Scand. J. Statist.* 6, 65–70.
/// - Hochberg, Y. (1988). A sharper Bonferroni procedure for multiple tests of
///   significance. *Biometrika* 75, 800–803. doi:10.1093/biomet/75.4.800
/// - Hommel, G. (1988). A stagewise rejective multiple test procedure based on
///   a modified Bonferroni test. *Biometrika* 75, 383–386.
///   doi:10.1093/biomet/75.2.383
/// - Benjamini, Y., Hochberg, Y. (1995). Controlling the false discovery rate.
///   *J. R. Statist. Soc. B* 57, 289–300. doi:10.1111/j.2517-6161.1995.tb02031.x
/// - Benjamini, Y., Yekutieli, D. (2001). The control of the false discovery
///   rate in multiple testing under dependency. *Ann. Statist.* 29, 1165–1188.
///   doi:10.1214/aos/1013699998
///
/// # Examples
/// ```
/// use npxkit_stats::{p_adjust, AdjustMethod};
/// let q = p_adjust(&[0.01, 0.04, f64::NAN, 0.03], AdjustMethod::BH);
/// assert_eq!(q[0], 0.03);
/// assert!(q[2].is_nan());
/// ```
pub fn p_adjust(p: &[f64], method: AdjustMethod) -> Vec<f64> {
    let mut out = p.to_vec();
    let idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let present: Vec<f64> = idx.iter().map(|&i| p[i]).collect();
    // R: `if (n <= 1) return(p0)`.
    if present.len() <= 1 {
        return out;
    }
    let adjusted = adjust_complete(&present, method);
    for (&i, v) in idx.iter().zip(adjusted) {
        out[i] = v;
    }
    out
}

/// Adjusts a vector without missing values, `n = p.len() >= 2`.
fn adjust_complete(p: &[f64], method: AdjustMethod) -> Vec<f64> {
    let n = p.len();
    let nf = n as f64;
    match method {
        AdjustMethod::None => p.to_vec(),
        AdjustMethod::Bonferroni => p.iter().map(|&x| r_pmin1(nf * x)).collect(),
        AdjustMethod::Holm => {
            // Ascending; factor n + 1 - i for 1-based rank i; running maximum.
            let o = order(p, false);
            let mut out = vec![0.0; n];
            let mut run = f64::NEG_INFINITY;
            for (k, &j) in o.iter().enumerate() {
                run = run.max((nf - k as f64) * p[j]);
                out[j] = r_pmin1(run);
            }
            out
        }
        AdjustMethod::Hochberg => step_up(p, |i| nf + 1.0 - i),
        AdjustMethod::BH => step_up(p, |i| nf / i),
        AdjustMethod::BY => {
            let q = crate::summary::long_sum((1..=n).map(|k| 1.0 / k as f64));
            step_up(p, |i| q * nf / i)
        }
        AdjustMethod::Hommel if n == 2 => step_up(p, |i| nf + 1.0 - i),
        AdjustMethod::Hommel => hommel(p),
    }
}

/// Step-up methods (Hochberg, BH, BY): descending order, `cummin(factor(i) * p)`
/// with `i = n, n-1, …, 1`, capped at 1.
fn step_up(p: &[f64], factor: impl Fn(f64) -> f64) -> Vec<f64> {
    let n = p.len();
    let o = order(p, true);
    let mut out = vec![0.0; n];
    let mut run = f64::INFINITY;
    for (k, &j) in o.iter().enumerate() {
        let i = (n - k) as f64;
        run = run.min(factor(i) * p[j]);
        out[j] = r_pmin1(run);
    }
    out
}

/// Hommel's method, a port of the `hommel` branch of `p.adjust` (n >= 3).
fn hommel(p_in: &[f64]) -> Vec<f64> {
    let n = p_in.len();
    let nf = n as f64;
    let o = order(p_in, false);
    let p: Vec<f64> = o.iter().map(|&j| p_in[j]).collect();
    // q <- pa <- rep.int(min(n * p / i), n)
    let init = (0..n)
        .map(|k| nf * p[k] / (k + 1) as f64)
        .fold(f64::INFINITY, f64::min);
    let mut q = vec![init; n];
    let mut pa = vec![init; n];
    for j in (2..n).rev() {
        let jf = j as f64;
        // i1 = 1..(n-j+1), i2 = (n-j+2)..n (1-based); divisors 2..j.
        let n_i1 = n - j + 1;
        let q1 = (n_i1..n)
            .enumerate()
            .map(|(d, k)| jf * p[k] / (d + 2) as f64)
            .fold(f64::INFINITY, f64::min);
        for k in 0..n_i1 {
            q[k] = (jf * p[k]).min(q1);
        }
        let fill = q[n_i1 - 1];
        for qk in q.iter_mut().skip(n_i1) {
            *qk = fill;
        }
        for (a, &b) in pa.iter_mut().zip(&q) {
            *a = a.max(b);
        }
    }
    let mut out = vec![0.0; n];
    for (k, &j) in o.iter().enumerate() {
        out[j] = pa[k].max(p[k]);
    }
    out
}

/// R's `pmin(1, x)` (no NaNs reach here, so `f64::min` is exact).
fn r_pmin1(x: f64) -> f64 {
    x.min(1.0)
}

/// Stable ordering permutation, like R's `order(x, decreasing = ...)`.
fn order(x: &[f64], decreasing: bool) -> Vec<usize> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| {
        let c = x[a].partial_cmp(&x[b]).unwrap_or(Ordering::Equal);
        if decreasing {
            c.reverse()
        } else {
            c
        }
    });
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from R 4.2.2: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), m).
    const P5: [f64; 5] = [0.01, 0.02, 0.03, 0.04, 0.05];

    fn assert_close(got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-15 * w.abs().max(1e-300),
                "got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn test_from_str_accepts_r_names() {
        for m in AdjustMethod::ALL {
            assert_eq!(m.to_string().parse::<AdjustMethod>().unwrap(), m);
            assert_eq!(
                m.to_string()
                    .to_uppercase()
                    .parse::<AdjustMethod>()
                    .unwrap(),
                m
            );
        }
        assert_eq!("fdr".parse::<AdjustMethod>().unwrap(), AdjustMethod::BH);
        assert_eq!("FDR".parse::<AdjustMethod>().unwrap(), AdjustMethod::BH);
        assert!(matches!(
            "sidak".parse::<AdjustMethod>(),
            Err(StatsError::UnknownAdjustMethod(_))
        ));
    }

    #[test]
    fn test_p_adjust_small() {
        assert_close(
            &p_adjust(&P5, AdjustMethod::Bonferroni),
            &[0.05, 0.1, 0.15, 0.2, 0.25],
        );
        assert_close(
            &p_adjust(&P5, AdjustMethod::Holm),
            &[0.05, 0.08, 0.09, 0.09, 0.09],
        );
        assert_close(&p_adjust(&P5, AdjustMethod::Hochberg), &[0.05; 5]);
        assert_close(&p_adjust(&P5, AdjustMethod::Hommel), &[0.05; 5]);
        assert_close(&p_adjust(&P5, AdjustMethod::BH), &[0.05; 5]);
        assert_close(&p_adjust(&P5, AdjustMethod::None), &P5);
    }

    #[test]
    fn test_p_adjust_degenerate() {
        for m in AdjustMethod::ALL {
            assert!(p_adjust(&[], m).is_empty());
            assert_eq!(p_adjust(&[0.2], m), vec![0.2]);
            let one = p_adjust(&[f64::NAN, 0.2, f64::NAN], m);
            assert!(one[0].is_nan() && one[2].is_nan());
            assert_eq!(one[1], 0.2);
            assert!(p_adjust(&[f64::NAN, f64::NAN], m)
                .iter()
                .all(|x| x.is_nan()));
        }
    }

    #[test]
    fn test_p_adjust_nan_excluded_from_n() {
        let q = p_adjust(&[0.01, f64::NAN, 0.02], AdjustMethod::Bonferroni);
        assert_close(&q, &[0.02, f64::NAN, 0.04]);
    }

    #[test]
    fn test_hommel_two_is_hochberg() {
        let p = [0.03, 0.02];
        assert_eq!(
            p_adjust(&p, AdjustMethod::Hommel),
            p_adjust(&p, AdjustMethod::Hochberg)
        );
    }
}
