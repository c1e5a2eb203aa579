//! `npxkit de --method lmer`: one linear mixed model per assay, as OlinkAnalyze's
//! `olink_lmer` / `olink_lmer_posthoc` fit them in R (lme4 + lmerTest + emmeans), with
//! the numerics of [`npxkit_lmm`].
//!
//! The model is `NPX ~ group + covariates + (1 | block) [+ (1 | random)...]`, by
//! maximum likelihood unless `--reml` (OlinkAnalyze's `REML = FALSE`). Factor levels
//! are in byte order, as R's `factor()` in the C locale (the first is the reference of
//! the treatment coding; no test below depends on which level that is).
//!
//! Outputs, so that everything downstream of `de.tsv` works unchanged:
//! - `de.tsv`: per contrast B−A, lmerTest's `contest1D` of the difference of the two
//!   level effects (estimate = logFC, Satterthwaite df = df.total, t, two-sided
//!   P.Value, CI from the t quantile), adj.P.Val over the assays; `B` is NA (there is
//!   no log-odds for a mixed model).
//! - `lmer_anova.tsv`: the type III F-test of the group per assay (lmerTest's
//!   `anova(type = 3)`), adj.P.Val over assays × terms as OlinkAnalyze adjusts.
//! - `lmer_fit.tsv`: per assay the observations used, σ, the random-intercept SDs,
//!   logLik, whether the fit is singular, and why an assay could not be fitted.
//! - with `--posthoc`, `lmer_posthoc.tsv`: emmeans' pairwise differences of the group
//!   levels with Tukey-adjusted p-values and intervals (numeric covariates in the
//!   reference grid as OlinkAnalyze sets them).
//!
//! An assay that cannot be fitted (a level without any observed value, too few
//! observations, a response that is constant) gets NA statistics and its reason in
//! `lmer_fit.tsv`, as OlinkAnalyze skips it; the run goes on.

use anyhow::{Context, Result};
use ndarray::Axis;
use serde_json::json;
use std::path::Path;

use crate::cli::DeArgs;
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_core::{Design, NpxMatrix};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};
use npxkit_limma::{AdjustMethod, TopTableRow};
use npxkit_lmm::{fit_assays, AssayResult, CovReduce, LmmModel, ModelSpec, Term, Variable};
use npxkit_stats::dist::qt;
use npxkit_stats::{p_adjust, Tail};

/// Fits the models, writes `lmer_anova.tsv`, `lmer_fit.tsv` (and `lmer_posthoc.tsv`)
/// and returns the de.tsv rows of each contrast, sorted by P.Value.
pub(crate) fn lmer_tables(
    args: &DeArgs,
    m: &NpxMatrix,
    design: &Design,
    adjust: AdjustMethod,
    confint_level: f64,
    out: &Path,
    record: &mut RunRecord,
) -> Result<Vec<Vec<TopTableRow>>> {
    let block = args.block.as_deref().ok_or_else(|| {
        UsageError(
            "--method lmer needs --block COL: the subject column of the random intercept (1 | COL)"
                .into(),
        )
    })?;
    let samples = &design.samples;
    let mut variables = vec![Variable::factor_from_labels(
        &args.group,
        &labels(m, samples, &args.group, "--group")?,
    )];
    let mut fixed = vec![Term::main(&args.group)];
    for c in &args.covariates {
        let values = labels(m, samples, c, "--covariates")?;
        let numeric: Option<Vec<f64>> = values.iter().map(|v| v.trim().parse().ok()).collect();
        variables.push(match numeric {
            Some(x) => Variable::numeric(c, x),
            None => Variable::factor_from_labels(c, &values),
        });
        fixed.push(Term::main(c));
    }
    let mut random = vec![block.to_string()];
    random.extend(args.random.iter().cloned());
    for (g, option) in random
        .iter()
        .zip(std::iter::once("--block").chain(std::iter::repeat("--random")))
    {
        if random.iter().filter(|r| *r == g).count() > 1 {
            return Err(UsageError(format!(
                "{option} {g}: the random intercept (1 | {g}) is given twice (--block and --random)"
            ))
            .into());
        }
        if variables.iter().any(|v| &v.name == g) {
            return Err(UsageError(format!("{option} {g}: the column is already a fixed effect; a random intercept needs its own column")).into());
        }
        variables.push(Variable::factor_from_labels(
            g,
            &labels(m, samples, g, option)?,
        ));
    }
    let model = LmmModel::new(ModelSpec {
        variables,
        fixed,
        random: random.clone(),
        reml: args.reml,
    })
    .map_err(|e| UsageError(format!("the mixed model cannot be built: {e}")))?;
    log::info!(
        "lmer: {} samples, fixed effects {}, random intercepts {}, {}",
        samples.len(),
        model.coef_names().join(", "),
        random.join(", "),
        if args.reml { "REML" } else { "ML" }
    );

    let y = m.values.select(Axis(1), samples);
    let posthoc = if args.posthoc {
        vec![vec![args.group.clone()]]
    } else {
        vec![]
    };
    let results = fit_assays(&model, y.view(), &posthoc, CovReduce::OlinkMeanSd);
    let failed = results.iter().filter(|r| r.is_err()).count();
    if failed == results.len() {
        let why = results
            .iter()
            .find_map(|r| r.as_ref().err())
            .map_or_else(String::new, |e| format!(": {e}"));
        anyhow::bail!(
            "the mixed model could not be fitted to any of the {} assays{why}; check --block (it must group several samples per subject) and the design",
            results.len()
        );
    }
    if failed > 0 {
        log::warn!(
            "lmer: {failed} assay(s) could not be fitted (NA rows; reasons in lmer_fit.tsv)"
        );
    }
    let singular = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|a| a.fit.singular))
        .count();
    record.note(
        "lmer",
        json!({"fixed": model.coef_names(), "random": random, "reml": args.reml,
               "assays_failed": failed, "assays_singular": singular,
               "satterthwaite": true, "posthoc": args.posthoc}),
    );

    fit_table(m, &random, &results).write_atomic(&out.join("lmer_fit.tsv"))?;
    record.output("lmer_fit.tsv");
    anova_table(m, &results, &args.group, adjust).write_atomic(&out.join("lmer_anova.tsv"))?;
    record.output("lmer_anova.tsv");
    if args.posthoc {
        posthoc_table(m, &results).write_atomic(&out.join("lmer_posthoc.tsv"))?;
        record.output("lmer_posthoc.tsv");
    }

    let ave: Vec<f64> = y
        .rows()
        .into_iter()
        .map(|r| {
            npxkit_stats::summary::mean(
                &r.iter()
                    .copied()
                    .filter(|v| !v.is_nan())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let quantile = qt_factor(confint_level);
    Ok(design
        .contrasts
        .iter()
        .map(|c| {
            let l = contrast_vector(model.coef_names(), &args.group, &c.level, &c.baseline);
            let mut rows: Vec<TopTableRow> = results
                .iter()
                .enumerate()
                .map(|(i, r)| match r {
                    Ok(a) => {
                        let t = a.fit.contrast(&l);
                        let half = quantile(t.df) * t.se;
                        TopTableRow {
                            index: i,
                            log_fc: t.estimate,
                            ci_l: t.estimate - half,
                            ci_r: t.estimate + half,
                            ave_expr: ave[i],
                            t: t.t,
                            p_value: t.p_value,
                            adj_p_val: f64::NAN,
                            b: None,
                            df_total: t.df,
                        }
                    }
                    Err(_) => TopTableRow {
                        index: i,
                        log_fc: f64::NAN,
                        ci_l: f64::NAN,
                        ci_r: f64::NAN,
                        ave_expr: ave[i],
                        t: f64::NAN,
                        p_value: f64::NAN,
                        adj_p_val: f64::NAN,
                        b: None,
                        df_total: f64::NAN,
                    },
                })
                .collect();
            let p: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
            for (r, q) in rows.iter_mut().zip(p_adjust(&p, adjust)) {
                r.adj_p_val = q;
            }
            super::de::sort_by_p_value(&mut rows);
            rows
        })
        .collect())
}

/// `qt((1 + level) / 2, df)` as a function of df.
fn qt_factor(level: f64) -> impl Fn(f64) -> f64 {
    move |df| {
        if df.is_finite() && df > 0.0 {
            qt((1.0 - level) / 2.0, df, Tail::Upper)
        } else {
            f64::NAN
        }
    }
}

/// The weights of `level − baseline` over the fixed effects. Treatment coding: the
/// reference level has no column (the design builder has checked that both levels
/// exist, so a level without a column is the reference).
fn contrast_vector(names: &[String], group: &str, level: &str, baseline: &str) -> Vec<f64> {
    let mut l = vec![0.0; names.len()];
    for (lev, w) in [(level, 1.0), (baseline, -1.0)] {
        let name = format!("{group}{lev}");
        if let Some(j) = names.iter().position(|n| *n == name) {
            l[j] += w;
        }
    }
    l
}

/// The manifest values of `column` for the model's samples; every one is needed.
fn labels(m: &NpxMatrix, samples: &[usize], column: &str, option: &str) -> Result<Vec<String>> {
    let man = m
        .manifest
        .as_ref()
        .context("--method lmer needs a manifest")?;
    let c = man.column_index(column).ok_or_else(|| {
        UsageError(format!(
            "{option} {column}: no such manifest column (columns: {})",
            man.columns().join(", ")
        ))
    })?;
    let values = m.sample_values(c);
    samples
        .iter()
        .map(|&j| {
            values[j].map(str::to_string).ok_or_else(|| {
                anyhow::anyhow!(
                    "sample {} has no `{column}` value; every sample in the mixed model needs one (fill it in or drop the sample from the manifest)",
                    m.samples[j].sample_id
                )
            })
        })
        .collect()
}

/// lmer_fit.tsv: the fit of each assay, or why there is none.
fn fit_table(
    m: &NpxMatrix,
    random: &[String],
    results: &[Result<AssayResult, npxkit_lmm::LmmError>],
) -> TsvTable {
    let mut header = vec![
        "OlinkID".to_string(),
        "Assay".into(),
        "nobs".into(),
        "sigma".into(),
    ];
    header.extend(random.iter().map(|g| format!("sd_{g}")));
    header.extend(["logLik".into(), "singular".into(), "error".into()]);
    let mut t = TsvTable::new(header);
    for (a, r) in m.assays.iter().zip(results) {
        let mut row = vec![fmt_text(Some(&a.olink_id)), fmt_text(a.assay.as_deref())];
        match r {
            Ok(res) => {
                let f = &res.fit;
                row.push(f.nobs.to_string());
                row.push(fmt_f64(f.sigma));
                // lme4's θ is the random-intercept SD relative to σ.
                row.extend(f.theta.iter().map(|th| fmt_f64(th * f.sigma)));
                row.extend([fmt_f64(f.loglik), f.singular.to_string(), fmt_text(None)]);
            }
            Err(e) => {
                row.extend(std::iter::repeat_n(fmt_text(None), 2 + random.len() + 2));
                row.push(fmt_text(Some(&e.to_string())));
            }
        }
        t.push(row);
    }
    t
}

/// lmer_anova.tsv: the type III test of the group per assay, sorted by P.Value.
/// Covariate terms are not reported (OlinkAnalyze drops them before adjusting).
fn anova_table(
    m: &NpxMatrix,
    results: &[Result<AssayResult, npxkit_lmm::LmmError>],
    group: &str,
    adjust: AdjustMethod,
) -> TsvTable {
    let mut rows: Vec<(usize, npxkit_lmm::AnovaRow)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().ok().map(|a| (i, a)))
        .flat_map(|(i, a)| {
            a.anova
                .iter()
                .filter(|row| row.term == group)
                .map(move |row| (i, row.clone()))
        })
        .collect();
    let p: Vec<f64> = rows.iter().map(|(_, r)| r.p_value).collect();
    let q = p_adjust(&p, adjust);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (rows[a].1.p_value, rows[b].1.p_value);
        pa.is_nan()
            .cmp(&pb.is_nan())
            .then(pa.total_cmp(&pb))
            .then(rows[a].0.cmp(&rows[b].0))
    });
    let mut t = TsvTable::new([
        "OlinkID",
        "UniProt",
        "Assay",
        "term",
        "sumsq",
        "meansq",
        "NumDF",
        "DenDF",
        "F",
        "P.Value",
        "adj.P.Val",
    ]);
    for k in order {
        let (i, r) = &mut rows[k];
        let a = &m.assays[*i];
        t.push(vec![
            fmt_text(Some(&a.olink_id)),
            fmt_text(a.uniprot.as_deref()),
            fmt_text(a.assay.as_deref()),
            fmt_text(Some(&r.term)),
            fmt_f64(r.sumsq),
            fmt_f64(r.meansq),
            r.num_df.to_string(),
            fmt_f64(r.den_df),
            fmt_f64(r.f),
            fmt_f64(r.p_value),
            fmt_f64(q[k]),
        ]);
    }
    t
}

/// lmer_posthoc.tsv: every pairwise difference of the group levels per assay, in
/// assay order then emmeans' order; `p.value` is Tukey-adjusted within the assay.
fn posthoc_table(m: &NpxMatrix, results: &[Result<AssayResult, npxkit_lmm::LmmError>]) -> TsvTable {
    let mut t = TsvTable::new([
        "OlinkID",
        "UniProt",
        "Assay",
        "contrast",
        "estimate",
        "SE",
        "df",
        "t.ratio",
        "p.value",
        "conf.low",
        "conf.high",
    ]);
    for (a, r) in m.assays.iter().zip(results) {
        let Ok(res) = r else { continue };
        for em in &res.posthoc {
            for c in &em.contrasts {
                t.push(vec![
                    fmt_text(Some(&a.olink_id)),
                    fmt_text(a.uniprot.as_deref()),
                    fmt_text(a.assay.as_deref()),
                    fmt_text(Some(&c.contrast)),
                    fmt_f64(c.estimate),
                    fmt_f64(c.se),
                    fmt_f64(c.df),
                    fmt_f64(c.t_ratio),
                    fmt_f64(c.p_value),
                    fmt_f64(c.lower),
                    fmt_f64(c.upper),
                ]);
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_vector_handles_the_reference_level() {
        let names: Vec<String> = ["(Intercept)", "tpC2D1", "tpC3D1", "age"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            contrast_vector(&names, "tp", "C2D1", "C1D1"),
            [0.0, 1.0, 0.0, 0.0]
        );
        assert_eq!(
            contrast_vector(&names, "tp", "C3D1", "C2D1"),
            [0.0, -1.0, 1.0, 0.0]
        );
        assert_eq!(
            contrast_vector(&names, "tp", "C1D1", "C3D1"),
            [0.0, 0.0, -1.0, 0.0]
        );
    }
}
