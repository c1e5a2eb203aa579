//! **npxkit-lmm** fits a linear mixed model with random intercepts to every
//! assay, as OlinkAnalyze's `olink_lmer` and `olink_lmer_posthoc` do in R with
//! lme4, lmerTest and emmeans: maximum likelihood by default (OlinkAnalyze's
//! `REML = FALSE`; REML optional), type III F-tests with Satterthwaite's df,
//! and pairwise post-hoc contrasts with Tukey's adjustment.
//!
//! # Sections
//! - [`model`]: [`ModelSpec`], [`Variable`] and [`Term`] — a small formula
//!   layer: treatment-coded factors (levels in the order given, first =
//!   reference, as R's `contr.treatment`), numeric covariates, factor ×
//!   factor interactions, random intercepts `(1 | g)`. It builds X, R's column
//!   names and `assign`, and what lmerTest's type III hypotheses and emmeans'
//!   reference grid need (the full indicator coding of each term, which
//!   terms contain which, the factor levels), which a bare X would not carry.
//! - [`LmmModel`]: the validated model; [`LmmModel::fit`] fits one response
//!   (NaN values dropped, lmer's `na.omit`) and [`fit_assays`] fits the rows
//!   of an assays × samples matrix in parallel (rayon), results in row order.
//! - [`LmmFit`]: β, `vcov(β)`, σ, θ (lme4's relative SDs), logLik, deviance,
//!   the singular flag; [`LmmFit::anova`] (type III, Satterthwaite) and
//!   [`LmmFit::contrast`] (one linear combination `l'β`, lmerTest's `contest1D`).
//! - [`emmeans`]: [`LmmFit::emmeans`] — marginal means and all pairwise
//!   contrasts with Tukey p-values and intervals; [`Emmeans::pair`] picks `a - b`.
//! - [`tukey`]: [`ptukey`] and [`qtukey`], as R's.
//!
//! # From an OlinkAnalyze call to this crate
//! | R | here |
//! |---|---|
//! | `variable = "Time"` | `fixed: vec![Term::main("Time")]` |
//! | `variable = c("Time", "Arm")` (crossed, `Time*Arm`) | `fixed: Term::crossed(&["Time", "Arm"])` |
//! | `covariates = c("Age", "Sex")` | append `Term::main("Age")`, `Term::main("Sex")` (order within a degree is kept; interactions go last as in R) |
//! | `random = "Subject"` / `c("Subject", "Site")` | `random: vec!["Subject".into()]` / `vec!["Subject".into(), "Site".into()]` |
//! | `REML = FALSE` (OlinkAnalyze) / `TRUE` | `reml: false` / `true` |
//! | `anova(m, type = "III", ddf = "Satterthwaite")` | `fit.anova(&model)` |
//! | `emmeans(m, pairwise ~ Time, adjust = "tukey", cov.reduce = <OlinkAnalyze's>)` | `fit.emmeans(&model, &["Time"], CovReduce::OlinkMeanSd, 0.95)` |
//! | `pairwise ~ Time:Arm` | `&["Time", "Arm"]` |
//! | `p.adjust(p, "fdr")` over all assays × non-covariate terms | `npxkit_stats::p_adjust(&p, AdjustMethod::BH)` on the collected `AnovaRow::p_value`s |
//!
//! Factor levels must be given in R's order: `factor()` sorts them in the
//! session's locale ([`Variable::factor_from_labels`] sorts bytewise, which
//! is the same for labels that do not mix upper and lower case).
//!
//! # Example
//! ```
//! use npxkit_lmm::{LmmModel, ModelSpec, Term, Variable, CovReduce};
//! let subject: Vec<String> = (0..6).flat_map(|_| ["s1", "s2", "s3", "s4"]).map(String::from).collect();
//! let time: Vec<&str> = (0..24).map(|i| if i % 8 < 4 { "V1" } else { "V2" }).collect();
//! let y: Vec<f64> = (0..24).map(|i| (i % 4) as f64 + if i % 8 < 4 { 0.0 } else { 0.5 } + ((i * 7) % 5) as f64 * 0.1).collect();
//! let model = LmmModel::new(ModelSpec {
//!     variables: vec![Variable::factor_from_labels("time", &time), Variable::factor_from_labels("subject", &subject)],
//!     fixed: vec![Term::main("time")],
//!     random: vec!["subject".into()],
//!     reml: false,
//! }).unwrap();
//! let fit = model.fit(&y).unwrap();
//! let table = fit.anova(&model);
//! assert_eq!(table[0].term, "time");
//! let post = fit.emmeans(&model, &["time"], CovReduce::Mean, 0.95).unwrap();
//! assert_eq!(post.contrasts[0].contrast, "V1 - V2");
//! let v2_vs_v1 = post.pair("V2", "V1").unwrap();
//! assert_eq!(v2_vs_v1.estimate, -post.contrasts[0].estimate);
//! ```
//!
//! # Not covered
//! Random slopes, numeric × factor interactions, empty interaction cells
//! (lme4 drops the column; we return [`LmmError::RankDeficient`]), emmeans
//! `by` groups (`pairwise ~ A | B`) and post-hoc on a numeric variable.
//!
//! No function reads files or prints; failures are [`LmmError`] values.

pub mod anova;
pub mod emmeans;
pub mod error;
mod fit;
mod linalg;
pub mod model;
pub mod tukey;

use std::sync::Arc;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

pub use anova::{AnovaRow, ContrastTest};
pub use emmeans::{CovReduce, Emmeans, MarginalMean, PairwiseContrast};
pub use error::LmmError;
pub use fit::SINGULAR_TOL;
pub use model::{ModelSpec, Term, Variable, VariableKind};
pub use tukey::{ptukey, qtukey};

use fit::{Pattern, SattParts};
use model::Design;

/// A validated mixed model, ready to fit responses measured on its samples.
#[derive(Debug, Clone)]
pub struct LmmModel {
    design: Design,
    /// The all-samples pattern (shared by complete responses), if valid.
    complete: Option<Arc<Pattern>>,
}

/// The fit of one response.
#[derive(Debug, Clone)]
pub struct LmmFit {
    /// Column names of the fixed effects (R's).
    pub coef_names: Vec<String>,
    /// Fixed effects β.
    pub beta: Vec<f64>,
    /// Their standard errors.
    pub se: Vec<f64>,
    /// `vcov(β)`.
    pub vcov: Array2<f64>,
    /// Residual standard deviation σ.
    pub sigma: f64,
    /// lme4's θ: per grouping factor, the random-intercept SD relative to σ.
    pub theta: Vec<f64>,
    /// Log-likelihood (REML criterion / −2 when fitted by REML).
    pub loglik: f64,
    /// `−2 logLik`.
    pub deviance: f64,
    /// Some θ below [`SINGULAR_TOL`] (lme4's `isSingular`).
    pub singular: bool,
    /// Observations used (non-NaN responses).
    pub nobs: usize,
    /// Fitted by REML.
    pub reml: bool,
    pattern: Arc<Pattern>,
    satt: SattParts,
}

impl LmmModel {
    /// Validates the model (variables, terms, grouping factors).
    pub fn new(spec: ModelSpec) -> Result<Self, LmmError> {
        let design = Design::new(spec)?;
        let complete = Pattern::new(&design, (0..design.n_samples).collect())
            .ok()
            .map(Arc::new);
        Ok(LmmModel { design, complete })
    }

    /// Column names of the fixed effects.
    pub fn coef_names(&self) -> &[String] {
        &self.design.column_names
    }

    /// Term labels in R's order (the rows of the type III table).
    pub fn term_labels(&self) -> &[String] {
        &self.design.term_labels
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.design.n_samples
    }

    /// Fits one response (one value per sample; NaN = missing, dropped).
    pub fn fit(&self, y: &[f64]) -> Result<LmmFit, LmmError> {
        if y.len() != self.design.n_samples {
            return Err(LmmError::ResponseLength {
                len: y.len(),
                samples: self.design.n_samples,
            });
        }
        let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i].is_finite()).collect();
        let pattern = match &self.complete {
            Some(p) if rows.len() == y.len() => Arc::clone(p),
            _ => Arc::new(Pattern::new(&self.design, rows)?),
        };
        let yo: Vec<f64> = pattern.rows.iter().map(|&i| y[i]).collect();
        let resp = pattern.response(&yo);
        let reml = self.design.reml;
        let theta = fit::optimise(&pattern, &resp, reml)?;
        let ev = pattern.evaluate(&resp, &theta, reml, true);
        if !ev.dev.is_finite() {
            return Err(LmmError::NonFiniteDeviance);
        }
        let n_eff = if reml {
            pattern.n - pattern.p
        } else {
            pattern.n
        } as f64;
        let sigma = (ev.r / n_eff).sqrt();
        let vcov = &ev.a_inv * (sigma * sigma);
        let se = (0..pattern.p).map(|j| vcov[[j, j]].sqrt()).collect();
        let satt = fit::satt_parts(&pattern, &ev, &theta, sigma, reml);
        Ok(LmmFit {
            coef_names: self.design.column_names.clone(),
            beta: ev.beta.clone(),
            se,
            vcov,
            sigma,
            singular: theta.iter().any(|&t| t < SINGULAR_TOL),
            theta,
            loglik: -ev.dev / 2.0,
            deviance: ev.dev,
            nobs: pattern.n,
            reml,
            pattern,
            satt,
        })
    }
}

impl LmmFit {
    /// lmerTest's `vcov_varpar`: the asymptotic covariance of `(θ, σ)`, twice
    /// the (pseudo-)inverse of the deviance Hessian over `(θ, σ)`.
    pub fn vcov_varpar(&self) -> &Array2<f64> {
        &self.satt.vcov_varpar
    }

    /// Type III table with Satterthwaite df, one row per term in R's order,
    /// as `anova(model, type = "III", ddf = "Satterthwaite")`.
    pub fn anova(&self, model: &LmmModel) -> Vec<AnovaRow> {
        let hyps = anova::type3_hypotheses(&model.design, &self.pattern);
        model
            .design
            .term_labels
            .iter()
            .zip(&hyps)
            .map(|(label, l)| anova::contest_md(self, label, l))
            .collect()
    }

    /// t-test of one linear combination `l'β` with Satterthwaite df.
    pub fn contrast(&self, l: &[f64]) -> ContrastTest {
        anova::contest_1d(self, l)
    }

    /// `emmeans(model, pairwise ~ spec, adjust = "tukey")`; `spec` lists one
    /// factor or several (their cells, like `~ time:arm`).
    pub fn emmeans(
        &self,
        model: &LmmModel,
        spec: &[&str],
        cov_reduce: CovReduce,
        level: f64,
    ) -> Result<Emmeans, LmmError> {
        emmeans::emmeans(model, self, spec, cov_reduce, level)
    }
}

/// What [`fit_assays`] computes per assay.
#[derive(Debug, Clone)]
pub struct AssayResult {
    /// The fit.
    pub fit: LmmFit,
    /// The type III table.
    pub anova: Vec<AnovaRow>,
    /// Post-hoc results, one per requested spec.
    pub posthoc: Vec<Emmeans>,
}

/// Fits every row of `y` (assays × samples) in parallel; results in row order.
/// `posthoc` lists emmeans specs (each a list of factor names) computed with
/// `cov_reduce` and 95% intervals.
pub fn fit_assays(
    model: &LmmModel,
    y: ArrayView2<f64>,
    posthoc: &[Vec<String>],
    cov_reduce: CovReduce,
) -> Vec<Result<AssayResult, LmmError>> {
    (0..y.nrows())
        .into_par_iter()
        .map(|i| {
            let row = y.row(i).to_vec();
            let fit = model.fit(&row)?;
            let anova = fit.anova(model);
            let posthoc = posthoc
                .iter()
                .map(|s| {
                    let spec: Vec<&str> = s.iter().map(String::as_str).collect();
                    fit.emmeans(model, &spec, cov_reduce, 0.95)
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(AssayResult {
                fit,
                anova,
                posthoc,
            })
        })
        .collect()
}
