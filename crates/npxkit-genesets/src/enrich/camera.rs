//! limma's `camera`: a competitive gene-set test that accounts for
//! inter-gene correlation.
//!
//! Steps as `limma::camera.default` (limma ≥ 3.29 defaults): the tested
//! coefficient is moved to the last column of the design (a contrast vector
//! becomes that column by limma's `contrastAsCoef`); each assay's
//! values are rotated by Qᵀ of the design's QR ([`npxkit_limma::lm_effects`]);
//! the last fitted effect is the unscaled t, the residual effects give the
//! residual variance, which is squeezed (`squeezeVar`) to a moderated t.
//! Unless ranks are used, the moderated t is turned into a z-score (Hill's
//! approximation, limma's `zscoreT(approx = TRUE, method = "hill")`). Each
//! set's mean statistic is then compared with the others' by a two-sample t
//! whose variance is inflated by `1 + (m - 1) ρ` (ρ the inter-gene
//! correlation, fixed at 0.01 by default or estimated from the residual
//! effects of the set), or, with ranks, by limma's
//! `rankSumTestWithCorrelation`.
//!
//! With `trend_var`, the prior variance of `squeezeVar` follows a trend in
//! each assay's mean (limma's `camera(trend.var = TRUE)`, as
//! `eBayes(trend = TRUE)`).
//!
//! [`camera_pr()`] is limma's `cameraPR`: the same competitive test on a
//! statistic given per assay (for instance the moderated t of a de.tsv),
//! with a fixed inter-gene correlation and no residuals to estimate it from.
//!
//! # References
//! Wu, D. and Smyth, G. K. (2012). Camera: a competitive gene set test
//! accounting for inter-gene correlation. *Nucleic Acids Research* 40, e133.
//! doi:10.1093/nar/gks461

use ndarray::ArrayView2;
use npxkit_limma::{lm_effects, squeeze_var};
use npxkit_stats::dist::{pt, Tail};
use npxkit_stats::summary::{long_sum, mean, var};
use npxkit_stats::{p_adjust, AdjustMethod};

use super::{col_means, design_contrast_last, Contrast, Direction, EnrichError};

/// limma's default inter-gene correlation since 3.29 (`inter.gene.cor = 0.01`).
pub const DEFAULT_INTER_GENE_COR: f64 = 0.01;

/// Residual variances are floored at this before standardising the residual
/// effects (limma's `pmax(sigma2, 1e-8)`).
const SIGMA2_FLOOR: f64 = 1e-8;

/// Degrees of freedom above this are treated as this in `zscoreT` (limma's 1e100).
const ZSCORE_DF_CAP: f64 = 1e100;

/// Options of [`camera()`]; the default is limma's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraOptions {
    /// Fixed inter-gene correlation (`Some(0.01)`, limma's default), or
    /// `None` to estimate it per set from the residuals (`inter.gene.cor = NA`).
    pub inter_gene_cor: Option<f64>,
    /// Use the Wilcoxon rank-sum test with correlation (`use.ranks = TRUE`).
    pub use_ranks: bool,
    /// Allow negative estimated correlations (`allow.neg.cor`, default false).
    pub allow_neg_cor: bool,
    /// Squeeze the residual variances towards a trend in the assays' mean
    /// expression (`trend.var`, default false).
    pub trend_var: bool,
}

impl Default for CameraOptions {
    fn default() -> Self {
        Self {
            inter_gene_cor: Some(DEFAULT_INTER_GENE_COR),
            use_ranks: false,
            allow_neg_cor: false,
            trend_var: false,
        }
    }
}

/// One set's camera result (limma's `NGenes Correlation Direction PValue FDR`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraRow {
    /// Index of the set in the input.
    pub set: usize,
    /// Members of the set (`NGenes`).
    pub n_genes: usize,
    /// The inter-gene correlation used: the fixed value, or the estimate
    /// (before truncation at 0; NaN for a one-member set).
    pub correlation: f64,
    /// `Down` when the lower-tail p-value is the smaller.
    pub direction: Direction,
    /// Two-sided p-value (`PValue`); NaN for an empty set or one covering all assays.
    pub p_value: f64,
    /// Benjamini–Hochberg FDR over the sets (`FDR`; equal to `p_value` for one set).
    pub fdr: f64,
}

/// limma's `camera` for `y` (assays × samples, complete rows), `design`
/// (samples × coefficients, full rank) and what to test (`contrast`);
/// `sets` hold assay rows. Rows come back in set order (R's `sort = FALSE`;
/// use [`super::sort_by_p`] for R's default order).
///
/// # Errors
/// Fewer than 3 assays, no residual df, a coefficient out of range or a bad
/// contrast vector, a rank-deficient design, missing values, a set member
/// beyond the matrix, or a fixed correlation outside (-1, 1).
///
/// # References
/// Wu, D. and Smyth, G. K. (2012). doi:10.1093/nar/gks461
pub fn camera(
    y: ArrayView2<f64>,
    design: ArrayView2<f64>,
    contrast: &Contrast,
    sets: &[Vec<usize>],
    opts: &CameraOptions,
) -> Result<Vec<CameraRow>, EnrichError> {
    let (g, n) = y.dim();
    if g < 3 {
        return Err(EnrichError::TooFewAssays { found: g });
    }
    if let Some(r) = opts.inter_gene_cor {
        if !(r > -1.0 && r < 1.0) {
            return Err(EnrichError::InvalidOption {
                option: "inter_gene_cor",
                reason: format!("{r} is not a correlation in (-1, 1)"),
            });
        }
    }
    let x = design_contrast_last(g, n, design, contrast, sets)?;
    let p = x.ncols();
    let df_residual = (n - p) as f64;
    let stats = moderated_stats(y, x.view(), opts.use_ranks, opts.trend_var)?;
    let df_camera = match (opts.inter_gene_cor, opts.use_ranks) {
        (Some(_), true) => f64::INFINITY,
        (Some(_), false) => (g - 2) as f64,
        (None, _) => df_residual.min((g - 2) as f64),
    };
    let (mean_stat, var_stat) = (mean(&stats.stat), var(&stats.stat));
    let ranks = opts.use_ranks.then(|| Ranks::new(&stats.stat));
    let mut rows = Vec::with_capacity(sets.len());
    for (i, set) in sets.iter().enumerate() {
        let m = set.len();
        let (correlation, vif) = match opts.inter_gene_cor {
            Some(r) => (r, 1.0 + (m as f64 - 1.0) * r),
            None => estimated_correlation(&stats.u, set),
        };
        let (down, up) = if m == 0 {
            (f64::NAN, f64::NAN)
        } else if let Some(r) = &ranks {
            let rho = if opts.allow_neg_cor {
                correlation
            } else {
                correlation.max(0.0)
            };
            rank_sum_test_with_correlation(r, set, rho, df_camera)
        } else {
            let vif = if opts.allow_neg_cor {
                vif
            } else {
                vif.max(1.0)
            };
            competitive_t(&stats.stat, set, (mean_stat, var_stat), vif, df_camera)
        };
        rows.push(CameraRow {
            set: i,
            n_genes: m,
            correlation,
            direction: if down < up {
                Direction::Down
            } else {
                Direction::Up
            },
            p_value: 2.0 * down.min(up),
            fdr: f64::NAN,
        });
    }
    let p_values: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
    for (r, q) in rows.iter_mut().zip(p_adjust(&p_values, AdjustMethod::BH)) {
        r.fdr = q;
    }
    Ok(rows)
}

/// (lower, upper) p-values of camera's two-sample t comparing the mean
/// statistic of `set` with the rest, the set's variance inflated by `vif`
/// (`mean_var` = mean and variance of all statistics; NaN for an empty set).
fn competitive_t(
    stat: &[f64],
    set: &[usize],
    (mean_stat, var_stat): (f64, f64),
    vif: f64,
    df: f64,
) -> (f64, f64) {
    let g = stat.len();
    let m = set.len();
    let in_set: Vec<f64> = set.iter().map(|&r| stat[r]).collect();
    let (gf, mf, m2) = (g as f64, m as f64, (g - m) as f64);
    let delta = gf / m2 * (mean(&in_set) - mean_stat);
    let pooled = ((gf - 1.0) * var_stat - delta * delta * mf * m2 / gf) / (gf - 2.0);
    let t = delta / (pooled * (vif / mf + 1.0 / m2)).sqrt();
    (pt(t, df, Tail::Lower), pt(t, df, Tail::Upper))
}

/// Options of [`camera_pr()`]; the default is limma's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraPrOptions {
    /// The inter-gene correlation, in (-1, 1) (`inter.gene.cor`, default 0.01).
    pub inter_gene_cor: f64,
    /// Use the Wilcoxon rank-sum test with correlation (`use.ranks = TRUE`).
    pub use_ranks: bool,
}

impl Default for CameraPrOptions {
    fn default() -> Self {
        Self {
            inter_gene_cor: DEFAULT_INTER_GENE_COR,
            use_ranks: false,
        }
    }
}

/// limma's `cameraPR`: camera's competitive test on a precomputed statistic
/// per assay (`statistic`, e.g. the moderated t), `sets` holding indices
/// into it. Unlike [`camera()`] the correlation is taken as given: a negative
/// value is not raised to 0 and the variance inflation factor is not floored
/// at 1. The reference distribution is t with G − 2 df, or the normal for
/// ranks. Rows come back in set order with `correlation` = the value used.
///
/// # Errors
/// Fewer than 3 statistics, a non-finite statistic (R: "NA values for
/// statistic not allowed"), a correlation outside (-1, 1), or a set member
/// beyond the statistics.
///
/// # References
/// Wu, D. and Smyth, G. K. (2012). doi:10.1093/nar/gks461
pub fn camera_pr(
    statistic: &[f64],
    sets: &[Vec<usize>],
    opts: &CameraPrOptions,
) -> Result<Vec<CameraRow>, EnrichError> {
    let g = statistic.len();
    if g < 3 {
        return Err(EnrichError::TooFewAssays { found: g });
    }
    if let Some(row) = statistic.iter().position(|v| !v.is_finite()) {
        return Err(EnrichError::NonFiniteStatistic { row });
    }
    let r = opts.inter_gene_cor;
    if !(r > -1.0 && r < 1.0) {
        return Err(EnrichError::InvalidOption {
            option: "inter_gene_cor",
            reason: format!("{r} is not a correlation in (-1, 1)"),
        });
    }
    super::check_members(sets, g)?;
    let df = if opts.use_ranks {
        f64::INFINITY
    } else {
        (g - 2) as f64
    };
    let moments = (mean(statistic), var(statistic));
    let ranks = opts.use_ranks.then(|| Ranks::new(statistic));
    let mut rows: Vec<CameraRow> = sets
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let m = set.len();
            let (down, up) = if m == 0 {
                (f64::NAN, f64::NAN)
            } else if let Some(ranks) = &ranks {
                rank_sum_test_with_correlation(ranks, set, r, df)
            } else {
                competitive_t(statistic, set, moments, 1.0 + (m as f64 - 1.0) * r, df)
            };
            CameraRow {
                set: i,
                n_genes: m,
                correlation: r,
                direction: if down < up {
                    Direction::Down
                } else {
                    Direction::Up
                },
                p_value: 2.0 * down.min(up),
                fdr: f64::NAN,
            }
        })
        .collect();
    let p_values: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
    for (r, q) in rows.iter_mut().zip(p_adjust(&p_values, AdjustMethod::BH)) {
        r.fdr = q;
    }
    Ok(rows)
}

/// Per-assay statistics of camera: the statistic to test and the
/// standardised residual effects (assays × residual df).
struct CameraStats {
    stat: Vec<f64>,
    u: ndarray::Array2<f64>,
}

/// Moderated t (or its z-score) and standardised residual effects.
fn moderated_stats(
    y: ArrayView2<f64>,
    x: ArrayView2<f64>,
    use_ranks: bool,
    trend_var: bool,
) -> Result<CameraStats, EnrichError> {
    let (g, p) = (y.nrows(), x.ncols());
    let eff = lm_effects(y, x)?;
    if eff.rank < p {
        return Err(EnrichError::RankDeficient {
            rank: eff.rank,
            coefs: p,
        });
    }
    let sign = if eff.r_diag[p - 1] < 0.0 { -1.0 } else { 1.0 };
    let unscaled_t: Vec<f64> = (0..g).map(|i| sign * eff.effects[[i, p - 1]]).collect();
    let residual: Vec<usize> = (p..y.ncols()).collect();
    let mut u = eff.effects.select(ndarray::Axis(1), &residual);
    let df_residual = u.ncols() as f64;
    let sigma2: Vec<f64> = u
        .rows()
        .into_iter()
        .map(|r| long_sum(r.iter().map(|v| v * v)) / df_residual)
        .collect();
    for (mut row, &s2) in u.rows_mut().into_iter().zip(&sigma2) {
        let s = s2.max(SIGMA2_FLOOR).sqrt();
        row.iter_mut().for_each(|v| *v /= s);
    }
    let df = ndarray::Array1::from_elem(g, df_residual);
    // limma: `A <- rowMeans(y)` of the data as given (before the rotation).
    let average: Option<ndarray::Array1<f64>> = trend_var.then(|| {
        y.rows()
            .into_iter()
            .map(|r| long_sum(r.iter().copied()) / r.len() as f64)
            .collect()
    });
    let sv = squeeze_var(
        ndarray::ArrayView1::from(&sigma2),
        df.view(),
        average.as_ref().map(|a| a.view()),
        false,
        (0.05, 0.1),
    )?;
    let modt = unscaled_t
        .iter()
        .zip(&sv.var_post)
        .map(|(t, v)| t / v.sqrt());
    let stat = if use_ranks {
        modt.collect()
    } else {
        let df_total = (df_residual + sv.df_prior[0]).min(g as f64 * df_residual);
        modt.map(|t| zscore_t_hill(t, df_total)).collect()
    };
    Ok(CameraStats { stat, u })
}

/// The estimated correlation and variance inflation factor of a set
/// (limma: `vif <- m * mean(colMeans(Uset)^2)`; NA correlation for m ≤ 1).
fn estimated_correlation(u: &ndarray::Array2<f64>, set: &[usize]) -> (f64, f64) {
    let m = set.len();
    if m <= 1 {
        return (f64::NAN, 1.0);
    }
    let cm: Vec<f64> = col_means(u.view(), set).iter().map(|v| v * v).collect();
    let vif = m as f64 * mean(&cm);
    ((vif - 1.0) / (m as f64 - 1.0), vif)
}

/// Normal z-score of a t statistic by Hill's (1970) approximation, as
/// limma's `zscoreT(x, df, approx = TRUE, method = "hill")`.
///
/// # References
/// Hill, G. W. (1970). Algorithm 396: Student's t-quantiles. *Communications
/// of the ACM* 13, 619–620. doi:10.1145/355598.355600
pub fn zscore_t_hill(x: f64, df: f64) -> f64 {
    let df = df.min(ZSCORE_DF_CAP);
    let a = df - 0.5;
    let b = 48.0 * a * a;
    let z = a * (x / df * x).ln_1p();
    let z = (((((-0.4 * z - 3.3) * z - 24.0) * z - 85.5) / (0.8 * z * z + 100.0 + b) + z + 3.0)
        / b
        + 1.0)
        * z.sqrt();
    if x > 0.0 {
        z
    } else if x < 0.0 {
        -z
    } else {
        0.0 * z
    }
}

/// Average ranks (R's `rank(ties.method = "average")`).
fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut o: Vec<usize> = (0..x.len()).collect();
    o.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < o.len() {
        let mut j = i;
        while j + 1 < o.len() && x[o[j + 1]] == x[o[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        o[i..=j].iter().for_each(|&k| r[k] = avg);
        i = j + 1;
    }
    r
}

/// Average ranks of the statistics with the tie correction of their
/// variance, `1 - Σ(t³ - t) / (n³ - n)` over groups of t tied ranks (None
/// without ties), computed once for all sets.
struct Ranks {
    ranks: Vec<f64>,
    tie_factor: Option<f64>,
}

impl Ranks {
    fn new(x: &[f64]) -> Self {
        let ranks = average_ranks(x);
        let n = ranks.len() as f64;
        let mut sorted = ranks.clone();
        sorted.sort_by(f64::total_cmp);
        let mut ties = 0.0;
        let mut any_ties = false;
        let mut i = 0;
        while i < sorted.len() {
            let mut j = i;
            while j + 1 < sorted.len() && sorted[j + 1] == sorted[i] {
                j += 1;
            }
            let t = (j - i + 1) as f64;
            any_ties |= t > 1.0;
            ties += t * (t + 1.0) * (t - 1.0);
            i = j + 1;
        }
        let tie_factor = any_ties.then(|| 1.0 - ties / (n * (n + 1.0) * (n - 1.0)));
        Self { ranks, tie_factor }
    }
}

/// limma's `rankSumTestWithCorrelation`: (less, greater) p-values of the
/// Wilcoxon rank-sum test of the set against the rest, with the variance
/// adjusted for the correlation `rho` and for ties, and a t reference with `df`.
fn rank_sum_test_with_correlation(ranks: &Ranks, set: &[usize], rho: f64, df: f64) -> (f64, f64) {
    let n = ranks.ranks.len() as f64;
    let n1 = set.len() as f64;
    let n2 = n - n1;
    let r1 = long_sum(set.iter().map(|&i| ranks.ranks[i]));
    let u = n1 * n2 + n1 * (n1 + 1.0) / 2.0 - r1;
    let mu = n1 * n2 / 2.0;
    // R: `if (correlation == 0 || n1 == 1)`, where NA || TRUE is TRUE.
    let mut sigma2 = if n1 == 1.0 || rho == 0.0 {
        n1 * n2 * (n + 1.0) / 12.0
    } else {
        let s = 1f64.asin() * n1 * n2
            + 0.5f64.asin() * n1 * n2 * (n2 - 1.0)
            + (rho / 2.0).asin() * n1 * (n1 - 1.0) * n2 * (n2 - 1.0)
            + ((rho + 1.0) / 2.0).asin() * n1 * (n1 - 1.0) * n2;
        s / 2.0 / std::f64::consts::PI
    };
    if let Some(f) = ranks.tie_factor {
        sigma2 *= f;
    }
    let z_lower = (u + 0.5 - mu) / sigma2.sqrt();
    let z_upper = (u - 0.5 - mu) / sigma2.sqrt();
    (pt(z_upper, df, Tail::Upper), pt(z_lower, df, Tail::Lower))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn toy() -> (Array2<f64>, Array2<f64>) {
        let (g, n) = (6, 6);
        let y = Array2::from_shape_fn((g, n), |(i, j)| {
            ((i * 7 + j * 3) % 5) as f64 + if j >= 3 && i < 2 { 2.0 } else { 0.0 }
        });
        let design =
            Array2::from_shape_fn((n, 2), |(j, c)| if c == 0 || j >= 3 { 1.0 } else { 0.0 });
        (y, design)
    }

    #[test]
    fn test_zscore_t_hill() {
        // R: limma::zscoreT(c(-3, 0, 2.5), df = 4, approx = TRUE, method = "hill")
        let want = [-2.0543708220581838, 0.0, 1.8332572580899091];
        for (x, w) in [-3.0, 0.0, 2.5].iter().zip(want) {
            let z = zscore_t_hill(*x, 4.0);
            assert!((z - w).abs() <= 1e-14 * w.abs().max(1e-300), "{z} {w}");
        }
    }

    #[test]
    fn test_average_ranks() {
        assert_eq!(average_ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
    }

    #[test]
    fn test_camera_degenerate_sets() {
        let (y, d) = toy();
        let sets = vec![vec![], vec![0, 1], (0..6).collect(), vec![3]];
        for opts in [
            CameraOptions::default(),
            CameraOptions {
                inter_gene_cor: None,
                ..Default::default()
            },
            CameraOptions {
                use_ranks: true,
                ..Default::default()
            },
        ] {
            let r = camera(y.view(), d.view(), &Contrast::Coef(1), &sets, &opts).unwrap();
            assert!(r[0].p_value.is_nan() && r[0].n_genes == 0);
            assert!(r[1].p_value > 0.0 && r[1].p_value <= 1.0);
            assert_eq!(r[1].direction, Direction::Up);
            assert_eq!(r[3].n_genes, 1);
            if opts.inter_gene_cor.is_none() {
                assert!(r[3].correlation.is_nan());
            }
        }
        // A set covering every assay has nothing to compete with.
        let r = camera(
            y.view(),
            d.view(),
            &Contrast::Coef(1),
            &sets,
            &CameraOptions::default(),
        )
        .unwrap();
        assert!(r[2].p_value.is_nan());
    }

    #[test]
    fn test_camera_errors() {
        let (y, d) = toy();
        let sets = vec![vec![0, 1]];
        let o = CameraOptions::default();
        assert!(matches!(
            camera(y.view(), d.view(), &Contrast::Coef(2), &sets, &o),
            Err(EnrichError::InvalidCoef { coef: 2, coefs: 2 })
        ));
        assert!(matches!(
            camera(y.view(), d.view(), &Contrast::Coef(1), &[vec![6]], &o),
            Err(EnrichError::MemberOutOfRange { set: 0, row: 6, .. })
        ));
        let y2 = y.select(ndarray::Axis(0), &[0, 1]);
        assert!(matches!(
            camera(y2.view(), d.view(), &Contrast::Coef(1), &sets, &o),
            Err(EnrichError::TooFewAssays { found: 2 })
        ));
        let mut dd = d.clone();
        dd.column_mut(1).assign(&d.column(0));
        assert!(matches!(
            camera(y.view(), dd.view(), &Contrast::Coef(1), &sets, &o),
            Err(EnrichError::RankDeficient { rank: 1, coefs: 2 })
        ));
        let bad = CameraOptions {
            inter_gene_cor: Some(1.0),
            ..o
        };
        assert!(camera(y.view(), d.view(), &Contrast::Coef(1), &sets, &bad).is_err());
    }
}
