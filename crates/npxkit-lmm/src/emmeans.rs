//! Estimated marginal means and their pairwise contrasts with Tukey's
//! adjustment, as `emmeans(model, pairwise ~ spec, adjust = "tukey",
//! lmer.df = "satterthwaite")` (emmeans 1.8) computes them for an lmer fit.
//!
//! # What emmeans does
//! The reference grid crosses every level of every factor of the fixed terms
//! with the numeric covariates reduced by `cov.reduce` (default: the mean over
//! the rows used in the fit; OlinkAnalyze's `olink_lmer_posthoc` passes
//! `round(c(mean(x), mean(x) + sd(x)), 4)`, two grid values). A marginal mean
//! averages the grid's linear predictors over everything but the spec factors
//! with equal weights. Means are ordered with the first spec factor varying
//! fastest and labelled by their levels joined with a space; contrasts are all
//! pairs `i < j` in that order, labelled `"a - b"`. Each mean or contrast gets
//! lmerTest's one-row Satterthwaite df (`calcSatterth`). Tukey: `p =
//! ptukey(√2 |t|, k, zapsmall(df), lower.tail = FALSE)` with `k` the number of
//! means and `zapsmall` over the family's df; intervals `estimate ± qtukey(0.95,
//! k, df) / √2 × SE`. A family of one contrast (two means) is not adjusted, as
//! emmeans switches Tukey to "none" then: the t-test's p-value and interval. Means
//! carry unadjusted t intervals.
//!
//! # References
//! Lenth, R. V. (2023), emmeans: Estimated Marginal Means, aka Least-Squares
//! Means, R package 1.8.4, <https://CRAN.R-project.org/package=emmeans>.
//! Searle, Speed & Milliken (1980), Population marginal means in the linear
//! model, Am. Stat. 34(4), doi:10.1080/00031305.1980.10483031.

use npxkit_stats::dist::qt;
use npxkit_stats::Tail;

use crate::anova::contest_1d;
use crate::error::LmmError;
use crate::linalg::zapsmall_vec;
use crate::model::VariableKind;
use crate::tukey::{ptukey, qtukey};
use crate::{LmmFit, LmmModel};

/// How numeric covariates enter the reference grid (emmeans' `cov.reduce`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CovReduce {
    /// The mean over the samples in the fit (emmeans' default).
    #[default]
    Mean,
    /// OlinkAnalyze's `round(c(mean(x), mean(x) + sd(x)), 4)`: two grid values.
    OlinkMeanSd,
}

/// One marginal mean.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginalMean {
    /// Levels of the spec factors joined with a space.
    pub level: String,
    /// The mean.
    pub emmean: f64,
    /// Its standard error.
    pub se: f64,
    /// Satterthwaite df.
    pub df: f64,
    /// Lower limit of the (unadjusted) confidence interval.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// One pairwise contrast.
#[derive(Debug, Clone, PartialEq)]
pub struct PairwiseContrast {
    /// `"a - b"`.
    pub contrast: String,
    /// Difference of the means.
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// Satterthwaite df.
    pub df: f64,
    /// `estimate / se`.
    pub t_ratio: f64,
    /// Tukey-adjusted p-value.
    pub p_value: f64,
    /// Lower limit of the Tukey-adjusted interval.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// Means and pairwise contrasts of one spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Emmeans {
    /// The means, first spec factor fastest.
    pub means: Vec<MarginalMean>,
    /// All pairs `i < j`.
    pub contrasts: Vec<PairwiseContrast>,
}

impl Emmeans {
    /// The contrast `a - b` (levels as in [`MarginalMean::level`]); when
    /// emmeans lists it as `b - a`, the estimate, t ratio and limits are
    /// negated (SE, df and the Tukey p-value do not change).
    pub fn pair(&self, a: &str, b: &str) -> Option<PairwiseContrast> {
        let forward = format!("{a} - {b}");
        let backward = format!("{b} - {a}");
        self.contrasts.iter().find_map(|c| {
            if c.contrast == forward {
                Some(c.clone())
            } else if c.contrast == backward {
                Some(PairwiseContrast {
                    contrast: forward.clone(),
                    estimate: -c.estimate,
                    t_ratio: -c.t_ratio,
                    lower: -c.upper,
                    upper: -c.lower,
                    ..c.clone()
                })
            } else {
                None
            }
        })
    }
}

pub(crate) fn emmeans(
    model: &LmmModel,
    fit: &LmmFit,
    spec: &[&str],
    cov_reduce: CovReduce,
    level: f64,
) -> Result<Emmeans, LmmError> {
    let d = &model.design;
    let rows = &fit.pattern.rows;
    // Variables of the fixed terms, in order of first appearance.
    let mut vars: Vec<usize> = Vec::new();
    for t in &d.terms {
        for &v in t {
            if !vars.contains(&v) {
                vars.push(v);
            }
        }
    }
    let spec_idx: Vec<usize> = spec
        .iter()
        .map(|s| {
            vars.iter()
                .copied()
                .find(|&v| d.variables[v].name == *s && !d.factor_levels(v).is_empty())
                .ok_or_else(|| LmmError::BadSpec(s.to_string()))
        })
        .collect::<Result<_, _>>()?;
    // Grid axes.
    let nvar = d.variables.len();
    let mut axes: Vec<(usize, Vec<f64>)> = Vec::new();
    for &v in &vars {
        match &d.variables[v].kind {
            VariableKind::Factor { levels, .. } => {
                axes.push((v, (0..levels.len()).map(|l| l as f64).collect()))
            }
            VariableKind::Numeric(x) => {
                let vals: Vec<f64> = rows.iter().map(|&r| x[r]).collect();
                let n = vals.len() as f64;
                let mean = vals.iter().sum::<f64>() / n;
                let grid = match cov_reduce {
                    CovReduce::Mean => vec![mean],
                    CovReduce::OlinkMeanSd => {
                        let sd = (vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>()
                            / (n - 1.0))
                            .sqrt();
                        vec![
                            crate::linalg::round_digits(mean, 4),
                            crate::linalg::round_digits(mean + sd, 4),
                        ]
                    }
                };
                axes.push((v, grid));
            }
        }
    }
    let n_spec_cells: usize = spec_idx.iter().map(|&v| d.factor_levels(v).len()).product();
    let p = d.p();
    let mut sums = vec![vec![0.0; p]; n_spec_cells];
    let mut counts = vec![0usize; n_spec_cells];
    let total: usize = axes.iter().map(|a| a.1.len()).product();
    let mut levels = vec![0usize; nvar];
    let mut numerics = vec![0.0; nvar];
    for g in 0..total {
        let mut rem = g;
        for (v, vals) in &axes {
            let i = rem % vals.len();
            rem /= vals.len();
            if d.factor_levels(*v).is_empty() {
                numerics[*v] = vals[i];
            } else {
                levels[*v] = i;
            }
        }
        let mut cell = 0;
        let mut stride = 1;
        for &v in &spec_idx {
            cell += levels[v] * stride;
            stride *= d.factor_levels(v).len();
        }
        for (j, c) in d.columns.iter().enumerate() {
            sums[cell][j] += d.value_at(c, &levels, &numerics);
        }
        counts[cell] += 1;
    }
    let lfs: Vec<Vec<f64>> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| s.iter().map(|v| v / c as f64).collect())
        .collect();
    let labels: Vec<String> = (0..n_spec_cells)
        .map(|cell| {
            let mut rem = cell;
            spec_idx
                .iter()
                .map(|&v| {
                    let lv = d.factor_levels(v);
                    let i = rem % lv.len();
                    rem /= lv.len();
                    lv[i].clone()
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let alpha2 = (1.0 - level) / 2.0;
    let means = lfs
        .iter()
        .zip(&labels)
        .map(|(l, lab)| {
            let c = contest_1d(fit, l);
            let half = qt(alpha2, c.df, Tail::Upper) * c.se;
            MarginalMean {
                level: lab.clone(),
                emmean: c.estimate,
                se: c.se,
                df: c.df,
                lower: c.estimate - half,
                upper: c.estimate + half,
            }
        })
        .collect();
    let k = n_spec_cells as f64;
    let mut tests = Vec::new();
    let mut names = Vec::new();
    for i in 0..n_spec_cells {
        for j in (i + 1)..n_spec_cells {
            let l: Vec<f64> = lfs[i].iter().zip(&lfs[j]).map(|(a, b)| a - b).collect();
            tests.push(contest_1d(fit, &l));
            names.push(format!("{} - {}", labels[i], labels[j]));
        }
    }
    let single = tests.len() == 1;
    let dfs: Vec<f64> = tests.iter().map(|c| c.df).collect();
    let zdf = zapsmall_vec(&dfs);
    let contrasts = tests
        .iter()
        .zip(names)
        .zip(zdf)
        .map(|((c, name), zd)| {
            // A family of one contrast is not adjusted (emmeans switches Tukey to
            // "none" then): the t-test's p-value and interval.
            let (half, p_value) = if single {
                (qt(alpha2, c.df, Tail::Upper) * c.se, c.p_value)
            } else {
                (
                    qtukey(level, k, c.df) / std::f64::consts::SQRT_2 * c.se,
                    ptukey(std::f64::consts::SQRT_2 * c.t.abs(), k, zd, Tail::Upper),
                )
            };
            PairwiseContrast {
                contrast: name,
                estimate: c.estimate,
                se: c.se,
                df: c.df,
                t_ratio: c.t,
                p_value,
                lower: c.estimate - half,
                upper: c.estimate + half,
            }
        })
        .collect();
    Ok(Emmeans { means, contrasts })
}
