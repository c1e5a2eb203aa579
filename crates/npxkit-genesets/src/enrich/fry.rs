//! limma's `fry`: the fast, rotation-free limit of the self-contained
//! `roast` gene-set test.
//!
//! Steps as `limma::fry.default` with its defaults
//! (`standardize = "posterior.sd"`, no weights, no trend): the tested
//! coefficient is moved to the last column of the design (a contrast vector
//! becomes that column by limma's `contrastAsCoef`); the effects
//! (`.lmEffects`: Qᵀy from the QR of the design, keeping the tested effect
//! and the residual effects) are divided by a robust posterior standard
//! deviation (the residual variance without the largest squared effect,
//! squeezed towards limma's `fitFDist` prior with 0.92 × residual df); then
//! per set (`.fryEffects`) the directional statistic is the mean tested
//! effect over the root-mean-square mean residual effect, referred to t
//! with the residual df, and the mixed p-value is the upper tail of a beta
//! distribution matched to the moments of the rotation distribution of the
//! set's share of variance on the tested effect, from the singular values
//! of the set's effects.
//!
//! # References
//! Wu, D., Lim, E., Vaillant, F., Asselin-Labat, M.-L., Visvader, J. E. and
//! Smyth, G. K. (2010). ROAST: rotation gene set tests for complex
//! microarray experiments. *Bioinformatics* 26, 2176–2182.
//! doi:10.1093/bioinformatics/btq401

use ndarray::{Array2, ArrayView2, Axis};
use npxkit_limma::{fit_f_dist, lm_effects};
use npxkit_stats::dist::{pf, pt, qt, Tail};
use npxkit_stats::summary::{long_sum, mean};
use npxkit_stats::{p_adjust, AdjustMethod};
use rayon::prelude::*;

use super::{col_means, design_contrast_last, Contrast, Direction, EnrichError};

/// Nodes of the Gauss–Legendre rule for E[max u²] (statmod's
/// `gauss.quad.prob(128, "uniform")`, as limma).
const GAUSS_NODES: usize = 128;

/// fry squeezes the robust variance with this fraction of the residual df (limma's 0.92).
const ROBUST_DF_FRACTION: f64 = 0.92;

/// Newton iteration cap for the Legendre roots.
const LEGENDRE_MAX_ITER: usize = 100;

/// One set's fry result (limma's `NGenes Direction PValue FDR PValue.Mixed FDR.Mixed`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FryRow {
    /// Index of the set in the input.
    pub set: usize,
    /// Members of the set (`NGenes`).
    pub n_genes: usize,
    /// `Down` when the directional statistic is negative.
    pub direction: Direction,
    /// Two-sided directional p-value (`PValue`); NaN for an empty set.
    pub p_value: f64,
    /// Benjamini–Hochberg FDR of `p_value` (`FDR`).
    pub fdr: f64,
    /// Mixed (non-directional) p-value (`PValue.Mixed`); equal to `p_value`
    /// for one member; NaN for an empty set (limma reports 0 there).
    pub p_value_mixed: f64,
    /// Benjamini–Hochberg FDR of `p_value_mixed` (`FDR.Mixed`).
    pub fdr_mixed: f64,
}

/// limma's `fry` for `y` (assays × samples, complete rows), `design`
/// (samples × coefficients, full rank) and what to test (`contrast`);
/// `sets` hold assay rows. Rows come back in set order (R's `sort = "none"`).
///
/// # Errors
/// No residual df, a coefficient out of range or a bad contrast vector, a
/// rank-deficient design, missing
/// values, or a set member beyond the matrix.
///
/// # References
/// Wu, D. et al. (2010). doi:10.1093/bioinformatics/btq401
pub fn fry(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    contrast: &Contrast,
    sets: &[Vec<usize>],
) -> Result<Vec<FryRow>, EnrichError> {
    let (g, n) = y.dim();
    let x = design_contrast_last(g, n, design, contrast, sets)?;
    let effects = standardized_effects(y, x.view())?;
    let df_residual = (effects.ncols() - 1) as f64;
    // Sets are independent; rayon keeps the input order, so rows do not depend on the
    // thread count.
    let mut rows: Vec<FryRow> = sets
        .par_iter()
        .enumerate()
        .map(|(i, set)| fry_set(effects.view(), set, df_residual, i))
        .collect();
    let p: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
    let pm: Vec<f64> = rows.iter().map(|r| r.p_value_mixed).collect();
    let (q, qm) = (
        p_adjust(&p, AdjustMethod::BH),
        p_adjust(&pm, AdjustMethod::BH),
    );
    for (r, (a, b)) in rows.iter_mut().zip(q.into_iter().zip(qm)) {
        r.fdr = a;
        r.fdr_mixed = b;
    }
    Ok(rows)
}

/// limma's `.lmEffects` followed by `standardize = "posterior.sd"`: assays ×
/// (1 + residual df), the tested effect first.
fn standardized_effects(
    y: ArrayView2<f64>,
    x: ArrayView2<f64>,
) -> Result<Array2<f64>, EnrichError> {
    let (g, n, p) = (y.nrows(), y.ncols(), x.ncols());
    let eff = lm_effects(y, x)?;
    if eff.rank < p {
        return Err(EnrichError::RankDeficient {
            rank: eff.rank,
            coefs: p,
        });
    }
    let keep: Vec<usize> = (p - 1..n).collect();
    let mut e = eff.effects.select(Axis(1), &keep);
    if eff.r_diag[p - 1] < 0.0 {
        e.column_mut(0).mapv_inplace(|v| -v);
    }
    let df = (n - p) as f64;
    let eu2max = expected_max_u2(df);
    let s2_robust: Vec<f64> = e
        .rows()
        .into_iter()
        .map(|r| {
            let u2max = r.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v * v));
            (long_sum(r.iter().map(|v| v * v)) - u2max) / (df + 1.0 - eu2max)
        })
        .collect();
    let s2: Vec<f64> = e
        .rows()
        .into_iter()
        .map(|r| long_sum(r.iter().skip(1).map(|v| v * v)) / df)
        .collect();
    let prior = fit_f_dist(&s2, &vec![df; g], None)?;
    let d = ROBUST_DF_FRACTION * df;
    for (i, mut row) in e.rows_mut().into_iter().enumerate() {
        let s2_post = if prior.df2.is_finite() {
            (d * s2_robust[i] + prior.df2 * prior.scale[i]) / (d + prior.df2)
        } else {
            prior.scale[i]
        };
        let s = s2_post.sqrt();
        row.iter_mut().for_each(|v| *v /= s);
    }
    Ok(e)
}

/// E[max of df + 1 squared effects], limma's
/// `sum((df + 1) * u^df * qchisq(u, 1) * w)` over the Gauss–Legendre nodes
/// u and weights w on (0, 1).
fn expected_max_u2(df: f64) -> f64 {
    let (nodes, weights) = gauss_legendre_unit(GAUSS_NODES);
    long_sum(nodes.iter().zip(&weights).map(|(&u, &w)| {
        // qchisq(u, 1) = qnorm((1 + u) / 2)^2, from the upper tail (1 - u) / 2.
        let z = qt((1.0 - u) / 2.0, f64::INFINITY, Tail::Upper);
        (df + 1.0) * u.powf(df) * z * z * w
    }))
}

/// Gauss–Legendre nodes and weights for the uniform density on (0, 1)
/// (statmod's `gauss.quad.prob(n, "uniform")`), nodes increasing.
///
/// # References
/// Golub, G. H. and Welsch, J. H. (1969). Calculation of Gauss quadrature
/// rules. *Mathematics of Computation* 23, 221–230. doi:10.2307/2004418
fn gauss_legendre_unit(n: usize) -> (Vec<f64>, Vec<f64>) {
    let nf = n as f64;
    let mut nodes = vec![0.0; n];
    let mut weights = vec![0.0; n];
    for i in 0..n.div_ceil(2) {
        // Newton on P_n from Tricomi's initial guess.
        let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (nf + 0.5)).cos();
        let mut dp = 0.0;
        for _ in 0..LEGENDRE_MAX_ITER {
            let (mut p0, mut p1) = (1.0, x);
            for k in 2..=n {
                let kf = k as f64;
                let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                p0 = p1;
                p1 = p2;
            }
            dp = nf * (x * p1 - p0) / (x * x - 1.0);
            let step = p1 / dp;
            x -= step;
            if step.abs() <= f64::EPSILON * x.abs().max(1e-300) {
                break;
            }
        }
        let w = 2.0 / ((1.0 - x * x) * dp * dp);
        // x is the i-th largest root; map [-1, 1] to [0, 1], weight / 2.
        nodes[n - 1 - i] = (1.0 + x) / 2.0;
        nodes[i] = (1.0 - x) / 2.0;
        weights[n - 1 - i] = w / 2.0;
        weights[i] = w / 2.0;
    }
    (nodes, weights)
}

/// limma's `.fryEffects` for one set of rows of the standardised effects.
fn fry_set(effects: ArrayView2<f64>, set: &[usize], df_residual: f64, index: usize) -> FryRow {
    let m = set.len();
    let (t, p_value, p_mixed) = if m == 0 {
        (f64::NAN, f64::NAN, f64::NAN)
    } else {
        let cm = col_means(effects, set);
        let rest: Vec<f64> = cm[1..].iter().map(|v| v * v).collect();
        let t = cm[0] / mean(&rest).sqrt();
        let p = 2.0 * pt(-t.abs(), df_residual, Tail::Lower);
        let mixed = if m == 1 {
            p
        } else {
            mixed_p_value(effects.select(Axis(0), set).view())
        };
        (t, p, mixed)
    };
    FryRow {
        set: index,
        n_genes: m,
        direction: if t < 0.0 {
            Direction::Down
        } else {
            Direction::Up
        },
        p_value,
        fdr: f64::NAN,
        p_value_mixed: p_mixed,
        fdr_mixed: f64::NAN,
    }
}

/// The mixed p-value of `.fryEffects` for a set's effects (m ≥ 2 rows):
/// a beta approximation to the rotation distribution of the share of the
/// tested effect's sum of squares, from the squared singular values.
fn mixed_p_value(e: ArrayView2<f64>) -> f64 {
    let a = squared_singular_values(e);
    let d1 = a.len() as f64;
    let d = d1 - 1.0;
    let (amax, amin) = (a[0], a[a.len() - 1]);
    let beta_mean = 1.0 / d1;
    let beta_var = d / d1 / d1 / (d1 / 2.0 + 1.0);
    let range = amax - amin;
    let fobs = (long_sum(e.column(0).iter().map(|v| v * v)) - amin) / range;
    let sum_a = long_sum(a.iter().copied());
    let frb_mean = (sum_a * beta_mean - amin) / range;
    // A' COV A with COV = beta_var on the diagonal, -beta_var / d off it.
    let sum_a2 = long_sum(a.iter().map(|v| v * v));
    let quad = beta_var * sum_a2 - beta_var / d * (sum_a * sum_a - sum_a2);
    let frb_var = quad / (range * range);
    let alpha_plus_beta = frb_mean * (1.0 - frb_mean) / frb_var - 1.0;
    let alpha = alpha_plus_beta * frb_mean;
    let beta = alpha_plus_beta - alpha;
    pbeta_upper(fobs, alpha, beta)
}

/// R's `pbeta(x, a, b, lower.tail = FALSE)`, through the F distribution:
/// X ~ Beta(a, b) ⇔ (X / a) / ((1 − X) / b) ~ F(2a, 2b).
fn pbeta_upper(x: f64, a: f64, b: f64) -> f64 {
    if x.is_nan() || !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    pf(b * x / (a * (1.0 - x)), 2.0 * a, 2.0 * b, Tail::Upper)
}

/// Squared singular values of `e` (min(rows, cols) of them), decreasing: the
/// eigenvalues of the smaller Gram matrix (eᵀe or eeᵀ) by the workspace's symmetric
/// eigensolver. fry needs only their sums, sums of squares and extremes, which the Gram
/// route gives to rounding relative to the largest (tiny negative rounding is set to 0).
fn squared_singular_values(e: ArrayView2<f64>) -> Vec<f64> {
    let gram = if e.nrows() >= e.ncols() {
        e.t().dot(&e)
    } else {
        e.dot(&e.t())
    };
    let (values, _) = npxkit_stats::eigen::symmetric_eigen_sorted(gram);
    values.into_iter().map(|v| v.max(0.0)).collect()
}

// Reference values are kept as R printed them (17 digits).
#[allow(clippy::excessive_precision)]
#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn test_squared_singular_values() {
        // R: svd(m)$d^2 for m <- matrix(c(1, 2, 3, 4, 5, 6.5), 3)
        let m = array![[1.0, 4.0], [2.0, 5.0], [3.0, 6.5]];
        let want = [96.803217328996283, 0.44678267100369462];
        for mm in [m.view(), m.t()] {
            let s = squared_singular_values(mm);
            for (g, w) in s.iter().zip(want) {
                assert!((g - w).abs() <= 1e-13 * w, "{g} {w}");
            }
            assert_eq!(s.len(), 2);
        }
    }

    #[test]
    fn test_gauss_legendre_unit() {
        let (x, w) = gauss_legendre_unit(GAUSS_NODES);
        assert!((long_sum(w.iter().copied()) - 1.0).abs() < 1e-14);
        // Exact for polynomials of degree < 256: ∫ u^20 du = 1/21.
        let i20 = long_sum(x.iter().zip(&w).map(|(u, w)| u.powi(20) * w));
        assert!((i20 - 1.0 / 21.0).abs() < 1e-15);
        assert!(x.windows(2).all(|p| p[0] < p[1]));
    }

    #[test]
    fn test_pbeta_upper() {
        // R: pbeta(0.3, 2.5, 4, lower.tail = FALSE)
        assert!((pbeta_upper(0.3, 2.5, 4.0) - 0.6478024140932328).abs() < 1e-14);
        assert_eq!(pbeta_upper(0.0, 2.0, 2.0), 1.0);
        assert_eq!(pbeta_upper(1.0, 2.0, 2.0), 0.0);
        assert!(pbeta_upper(0.5, -1.0, 2.0).is_nan());
    }

    #[test]
    fn test_fry_degenerate_sets() {
        let (g, n) = (6, 6);
        let y = Array2::from_shape_fn((g, n), |(i, j)| {
            ((i * 7 + j * 3) % 5) as f64 + if j >= 3 && i < 2 { 2.0 } else { 0.0 }
        });
        let d = Array2::from_shape_fn((n, 2), |(j, c)| if c == 0 || j >= 3 { 1.0 } else { 0.0 });
        let sets = vec![vec![], vec![0], vec![0, 1], (0..6).collect()];
        let r = fry(y.view(), d.view(), &Contrast::Coef(1), &sets).unwrap();
        assert!(r[0].p_value.is_nan() && r[0].p_value_mixed.is_nan());
        assert_eq!(r[1].p_value, r[1].p_value_mixed);
        assert_eq!(r[2].direction, Direction::Up);
        assert!(r[3].p_value.is_finite() && r[3].p_value_mixed.is_finite());
        assert!(matches!(
            fry(y.view(), d.view(), &Contrast::Coef(5), &sets),
            Err(EnrichError::InvalidCoef { .. })
        ));
        let d3 = Array2::from_elem((n, 6), 1.0);
        assert!(matches!(
            fry(y.view(), d3.view(), &Contrast::Coef(1), &sets),
            Err(EnrichError::NoResidualDf { .. })
        ));
    }
}
