//! `npxkit de`: limma's linear models and empirical Bayes statistics, one table.
//!
//! Steps: QC'd matrix → design from the manifest ([`npxkit_core::build_design`]) →
//! `lm_fit` → `contrasts_fit` for contrasts that are not a single coefficient →
//! `ebayes` (or `treat` with `--lfc`) → `top_table` per contrast → `de.tsv`.
//! A contrast that equals one coefficient (its baseline is the reference level) is read
//! straight off the fit, as `topTable(fit, coef = ...)` does in R.
//!
//! `--method ttest|wilcoxon` replaces the model by one classical test per assay and
//! contrast, as OlinkAnalyze's `olink_ttest` / `olink_wilcox` (see [`classical_tables`]).
//! The design is still built, to check the options and parse the contrasts.

use anyhow::{Context, Result};
use ndarray::{Array2, Axis};
use serde_json::json;

use crate::cli::{DeArgs, EbayesArg, MethodArg, TestArg};
use crate::commands::{adjust_method, de_shard, ensure_out_dir, load_input, usage_or_data};
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_core::{
    build_design, pair_samples, parse_contrast, AssayInfo, Contrast, CoreError, Design, DesignSpec,
    NpxMatrix, QcReport,
};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};
use npxkit_limma::{
    contrasts_fit, duplicate_correlation, ebayes, lm_fit, lm_fit_blocked, top_table, top_table_f,
    treat, AdjustMethod, EbayesFit, EbayesOptions, LinearModelFit, PriorMethod, TopTableFRow,
    TopTableRow,
};
use npxkit_stats::{
    p_adjust, t_test_paired, t_test_two_sample, wilcox_test_paired, wilcox_test_two_sample,
    TTestOptions, WilcoxonOptions,
};
use std::path::Path;

/// Confidence level of `CI.L`/`CI.R` (topTable's default).
const CONFINT_LEVEL: f64 = 0.95;
/// adj.P.Val below this counts as significant in the printed summary.
const SUMMARY_ALPHA: f64 = 0.05;
/// The columns of de.tsv (after `contrast` when there are several).
const COLUMNS: [&str; 12] = [
    "OlinkID",
    "UniProt",
    "Assay",
    "logFC",
    "CI.L",
    "CI.R",
    "AveExpr",
    "t",
    "P.Value",
    "adj.P.Val",
    "B",
    "df.total",
];

/// Runs `npxkit de`.
pub fn run(args: DeArgs) -> Result<()> {
    check_args(&args)?;
    ensure_out_dir(&args.out)?;
    if !args.merge.is_empty() {
        return merge(&args);
    }
    let mut record = RunRecord::start("de", options_json(&args));
    let report = load_input(&args.input, &mut record)?;
    let summary = execute(&args, &report, &args.out, &mut record)?;
    record.finish(&args.out)?;
    println!("{summary}");
    Ok(())
}

/// The options of `npxkit de` as recorded in `run.json`.
pub fn options_json(args: &DeArgs) -> serde_json::Value {
    json!({
        "qc": args.input.qc_options_json(),
        "group": args.group,
        "method": args.method.name(),
        "contrast": args.contrast,
        "pair": args.pair,
        "block": args.block,
        "correlation": args.correlation,
        "random": args.random,
        "reml": args.reml,
        "posthoc": args.posthoc,
        "covariates": args.covariates,
        "trend": args.trend,
        "robust": args.robust,
        "test": match args.test {
            TestArg::T => "t",
            TestArg::F => "F",
        },
        "ebayes": match args.ebayes {
            EbayesArg::Current => "current",
            EbayesArg::Legacy => "legacy",
        },
        "lfc": args.lfc,
        "highlight": args.highlight,
        "plot_top": args.plot_top,
        "adjust": adjust_method(args.adjust).r_name(),
        "confint_level": CONFINT_LEVEL,
    })
}

/// Fits, tests and writes `de.tsv` into `out` from an already loaded and QC'd study;
/// returns the one-line summary. Shared by `npxkit de` and `npxkit run`.
pub fn execute(
    args: &DeArgs,
    report: &QcReport,
    out: &Path,
    record: &mut RunRecord,
) -> Result<String> {
    check_args(args)?;
    let adjust = adjust_method(args.adjust);
    let m = report.require_data()?;
    let spec = DesignSpec {
        group: args.group.clone(),
        pair: args.pair.clone(),
        covariates: args.covariates.clone(),
        contrasts: args.contrast.clone(),
    };
    let design = match build_design(m, &spec) {
        Ok(d) => d,
        Err(
            e @ (CoreError::UnknownLevel { .. }
            | CoreError::InvalidOption(_)
            | CoreError::NoSuchColumn { .. }),
        ) => return Err(UsageError(e.to_string()).into()),
        Err(e) => return Err(e.into()),
    };
    for w in &design.warnings {
        log::warn!("{w}");
    }
    if args.shard.is_some() {
        return write_shard(args, m, &design, out, record);
    }
    let (tables, n_samples) = match args.method {
        MethodArg::Limma => match limma_tables(args, m, &design, adjust, out, record)? {
            LimmaTables::T(t) => (t, design.samples.len()),
            LimmaTables::F(rows) => {
                f_de_table(&m.assays, &design, &rows).write_atomic(&out.join("de.tsv"))?;
                record.output("de.tsv");
                let sig = rows.iter().filter(|r| r.adj_p_val < SUMMARY_ALPHA).count();
                return Ok(format!(
                    "de: {} assays tested on {} samples; moderated F over {}: {sig} with adj.P.Val < {SUMMARY_ALPHA} ({})",
                    m.n_assays(),
                    design.samples.len(),
                    design
                        .contrasts
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    adjust.r_name()
                ));
            }
        },
        MethodArg::Lmer => (
            super::de_lmer::lmer_tables(args, m, &design, adjust, CONFINT_LEVEL, out, record)?,
            design.samples.len(),
        ),
        method => classical_tables(
            m,
            &design,
            &args.group,
            args.pair.as_deref(),
            method,
            adjust,
        )?,
    };
    let table = de_table(&m.assays, &design, &tables);
    table.write_atomic(&out.join("de.tsv"))?;
    record.output("de.tsv");
    protein_values(args, m, out)?;
    record.output("protein_values.tsv");
    Ok(summary(m, &design, n_samples, &tables, adjust))
}

/// `--method limma`: lm_fit (or, with --block, duplicateCorrelation and the blocked
/// fit), then the moderated statistics of each contrast.
fn limma_tables(
    args: &DeArgs,
    m: &NpxMatrix,
    design: &Design,
    adjust: AdjustMethod,
    out: &Path,
    record: &mut RunRecord,
) -> Result<LimmaTables> {
    log::info!(
        "design: {} samples x {} coefficients ({})",
        design.samples.len(),
        design.coef_names.len(),
        design.coef_names.join(", ")
    );
    let y = m.values.select(Axis(1), &design.samples);
    let fit = match &args.block {
        None => lm_fit(y.view(), design.matrix.view(), &design.coef_names)
            .context("fitting the linear models")?,
        Some(column) => {
            let block = block_labels(m, design, column)?;
            let rho = match args.correlation {
                Some(rho) => rho,
                None => {
                    let dc = duplicate_correlation(y.view(), design.matrix.view(), &block)
                        .context("estimating the within-block correlation")?;
                    dupcor_table(m, &dc).write_atomic(&out.join("dupcor.tsv"))?;
                    record.output("dupcor.tsv");
                    log::info!(
                        "duplicateCorrelation: consensus {} over {} assays",
                        dc.consensus,
                        dc.n_estimated
                    );
                    record.note(
                        "duplicate_correlation",
                        json!({"consensus": dc.consensus, "n_estimated": dc.n_estimated,
                               "note": format!("{:?}", dc.note)}),
                    );
                    dc.consensus
                }
            };
            lm_fit_blocked(
                y.view(),
                design.matrix.view(),
                &design.coef_names,
                &block,
                rho,
            )
            .context("fitting the blocked linear models")?
        }
    };
    check_estimable(&fit, design)?;
    let opts = ebayes_options(args);
    if args.test == TestArg::F {
        return Ok(LimmaTables::F(f_table(&fit, design, &opts, adjust)?));
    }
    Ok(LimmaTables::T(contrast_tables(
        &fit, design, &opts, args.lfc, adjust,
    )?))
}

/// The moderated statistics asked for: per contrast (t) or one F over all.
enum LimmaTables {
    T(Vec<Vec<TopTableRow>>),
    F(Vec<TopTableFRow>),
}

fn ebayes_options(args: &DeArgs) -> EbayesOptions {
    EbayesOptions {
        trend: args.trend,
        robust: args.robust,
        prior_method: match args.ebayes {
            EbayesArg::Current => PriorMethod::Current,
            EbayesArg::Legacy => PriorMethod::Legacy,
        },
        ..EbayesOptions::default()
    }
}

/// `--test F`: every contrast through contrasts.fit, eBayes, then topTableF over them.
fn f_table(
    fit: &LinearModelFit,
    design: &Design,
    opts: &EbayesOptions,
    adjust: AdjustMethod,
) -> Result<Vec<TopTableFRow>> {
    let names: Vec<String> = design.contrasts.iter().map(|c| c.name.clone()).collect();
    let cf = contrasts_fit(fit, design.contrast_matrix().view(), &names)
        .context("computing the contrasts")?;
    let eb = ebayes(&cf, opts).context("empirical Bayes moderation")?;
    report_diagnostics(&eb);
    let coefs: Vec<usize> = (0..names.len()).collect();
    top_table_f(&eb, &coefs, adjust).context("the moderated F-test")
}

/// de.tsv of `--test F`: OlinkID UniProt Assay, one logFC column per contrast (named by
/// the contrast, as topTableF names them), AveExpr F P.Value adj.P.Val.
fn f_de_table(assays: &[AssayInfo], design: &Design, rows: &[TopTableFRow]) -> TsvTable {
    let mut header: Vec<&str> = vec!["OlinkID", "UniProt", "Assay"];
    header.extend(design.contrasts.iter().map(|c| c.name.as_str()));
    header.extend(["AveExpr", "F", "P.Value", "adj.P.Val"]);
    let mut t = TsvTable::new(header);
    for r in rows {
        let a = &assays[r.index];
        let mut row = vec![
            fmt_text(Some(&a.olink_id)),
            fmt_text(a.uniprot.as_deref()),
            fmt_text(a.assay.as_deref()),
        ];
        row.extend(r.log_fc.iter().map(|&x| fmt_f64(x)));
        row.extend([
            fmt_f64(r.ave_expr),
            fmt_f64(r.f),
            fmt_f64(r.p_value),
            fmt_f64(r.adj_p_val),
        ]);
        t.push(row);
    }
    t
}

/// `--shard K/N`: fits the K-th slice of the assays and writes de.partial.tsv.
fn write_shard(
    args: &DeArgs,
    m: &NpxMatrix,
    design: &Design,
    out: &Path,
    record: &mut RunRecord,
) -> Result<String> {
    let (k, n) = de_shard::parse_shard(args.shard.as_deref().unwrap_or("1/1"))?;
    let (start, end) = de_shard::slice(k, n, m.n_assays());
    let rows: Vec<usize> = (start..end).collect();
    let y = m
        .values
        .select(Axis(0), &rows)
        .select(Axis(1), &design.samples);
    let fit = match &args.block {
        None => lm_fit(y.view(), design.matrix.view(), &design.coef_names)
            .context("fitting the linear models")?,
        Some(column) => {
            let rho = args.correlation.ok_or_else(|| {
                UsageError(
                    "--shard with --block needs --correlation X: the consensus correlation pools all assays; estimate it once (npxkit de --block without --shard, see run.json) and pass it to every shard".into(),
                )
            })?;
            let block = block_labels(m, design, column)?;
            lm_fit_blocked(
                y.view(),
                design.matrix.view(),
                &design.coef_names,
                &block,
                rho,
            )
            .context("fitting the blocked linear models")?
        }
    };
    check_estimable(&fit, design)?;
    let mut fingerprint = options_json(args);
    fingerprint["shard"] = serde_json::Value::Null;
    fingerprint["inputs"] = serde_json::to_value(record.inputs())?;
    let header = de_shard::header_for((k, n), m.n_assays(), start, fingerprint, design, &fit);
    de_shard::write_partial(
        &out.join(de_shard::PARTIAL_NAME),
        &header,
        &m.assays[start..end],
        &fit,
    )?;
    record.output(de_shard::PARTIAL_NAME);
    Ok(format!(
        "de: shard {k}/{n}: assays {}..{} of {} fitted on {} samples; gather with npxkit de --merge",
        start + 1,
        end,
        m.n_assays(),
        design.samples.len()
    ))
}

/// `--merge`: the empirical Bayes step over every shard, then de.tsv.
fn merge(args: &DeArgs) -> Result<()> {
    let merged = de_shard::merge(&args.merge)?;
    let mut record = RunRecord::start(
        "de",
        json!({"merge": args.merge, "shards": merged.fingerprint.clone()}),
    );
    for p in &args.merge {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        record.input(p, &bytes);
    }
    let o = &merged.fingerprint;
    let opts = EbayesOptions {
        trend: o["trend"] == true,
        robust: o["robust"] == true,
        prior_method: if o["ebayes"] == "legacy" {
            PriorMethod::Legacy
        } else {
            PriorMethod::Current
        },
        ..EbayesOptions::default()
    };
    let name = o["adjust"].as_str().unwrap_or("BH");
    let adjust = <crate::cli::AdjustArg as clap::ValueEnum>::from_str(name, false)
        .map(adjust_method)
        .map_err(|_| anyhow::anyhow!("the shards record an unknown --adjust `{name}`"))?;
    if o["test"] == "F" {
        let rows = f_table(&merged.fit, &merged.design, &opts, adjust)?;
        f_de_table(&merged.assays, &merged.design, &rows).write_atomic(&args.out.join("de.tsv"))?;
        record.output("de.tsv");
        record.finish(&args.out)?;
        let sig = rows.iter().filter(|r| r.adj_p_val < SUMMARY_ALPHA).count();
        println!(
            "de: merged {} shards, {} assays; moderated F: {sig} with adj.P.Val < {SUMMARY_ALPHA} ({})",
            args.merge.len(),
            merged.assays.len(),
            adjust.r_name()
        );
        return Ok(());
    }
    let tables = contrast_tables(
        &merged.fit,
        &merged.design,
        &opts,
        o["lfc"].as_f64(),
        adjust,
    )?;
    de_table(&merged.assays, &merged.design, &tables).write_atomic(&args.out.join("de.tsv"))?;
    record.output("de.tsv");
    record.finish(&args.out)?;
    let per: Vec<String> = merged
        .design
        .contrasts
        .iter()
        .zip(&tables)
        .map(|(c, rows)| {
            let sig = |up: bool| {
                rows.iter()
                    .filter(|r| r.adj_p_val < SUMMARY_ALPHA && (r.log_fc > 0.0) == up)
                    .count()
            };
            format!("{}: {} up, {} down", c.name, sig(true), sig(false))
        })
        .collect();
    println!(
        "de: merged {} shards, {} assays; adj.P.Val < {SUMMARY_ALPHA} ({}): {}",
        args.merge.len(),
        merged.assays.len(),
        adjust.r_name(),
        per.join("; ")
    );
    Ok(())
}

/// The block (subject) of every design sample; a sample without one is an error.
fn block_labels<'a>(m: &'a NpxMatrix, design: &Design, column: &str) -> Result<Vec<&'a str>> {
    let man = m.manifest.as_ref().context("--block needs a manifest")?;
    let c = man.column_index(column).ok_or_else(|| {
        UsageError(format!(
            "--block {column}: no such manifest column (columns: {})",
            man.columns().join(", ")
        ))
    })?;
    let values = m.sample_values(c);
    design
        .samples
        .iter()
        .map(|&j| {
            values[j].ok_or_else(|| {
                anyhow::anyhow!(
                    "sample {} has no `{column}` value; every sample in the model needs its block",
                    m.samples[j].sample_id
                )
            })
        })
        .collect()
}

/// dupcor.tsv: the per-assay correlations of duplicateCorrelation (atanh scale, as
/// limma's atanh.correlations, and back-transformed).
fn dupcor_table(m: &NpxMatrix, dc: &npxkit_limma::DupCorResult) -> TsvTable {
    let mut t = TsvTable::new(["OlinkID", "Assay", "atanh_correlation", "correlation"]);
    for (a, z) in m.assays.iter().zip(&dc.per_assay) {
        t.push(vec![
            fmt_text(Some(&a.olink_id)),
            fmt_text(a.assay.as_deref()),
            fmt_f64(*z),
            fmt_f64(z.tanh()),
        ]);
    }
    t
}

/// Checks what clap cannot: options that depend on each other or on a value.
fn check_args(args: &DeArgs) -> Result<()> {
    if !args.merge.is_empty() {
        let given = args.input.npx.is_some()
            || args.input.samples.is_some()
            || !args.group.is_empty()
            || !args.contrast.is_empty();
        if given {
            return Err(UsageError(
                "--merge takes only the partial files and --out: the model and the data come from the shards".into(),
            )
            .into());
        }
        return Ok(());
    }
    if args.group.is_empty() {
        return Err(
            UsageError("--group COL is required: the manifest column compared".into()).into(),
        );
    }
    if args.contrast.is_empty() {
        return Err(
            UsageError("--contrast B-A is required, e.g. --contrast C2D1-C1D1".into()).into(),
        );
    }
    if let Some(spec) = &args.shard {
        crate::commands::de_shard::parse_shard(spec)?;
        if args.method != MethodArg::Limma {
            return Err(UsageError("--shard needs --method limma (the classical tests need no gather step: run them whole)".into()).into());
        }
    }
    if args.input.samples.is_none() {
        return Err(UsageError(
            "npxkit de needs a sample manifest: --samples FILE with the --group column".into(),
        )
        .into());
    }
    if let Some(lfc) = args.lfc {
        if !(lfc.is_finite() && lfc >= 0.0) {
            return Err(
                UsageError(format!("--lfc must be a log2 fold change >= 0, got {lfc}")).into(),
            );
        }
    }
    if args.method == MethodArg::Lmer {
        let not_lmer = [
            ("--pair", args.pair.is_some()),
            ("--trend", args.trend),
            ("--robust", args.robust),
            ("--lfc", args.lfc.is_some()),
            ("--correlation", args.correlation.is_some()),
            ("--test F", args.test == TestArg::F),
            ("--shard", args.shard.is_some()),
        ];
        if let Some((flag, _)) = not_lmer.iter().find(|(_, given)| *given) {
            return Err(UsageError(format!(
                "{flag} does not apply to --method lmer (a mixed model with Satterthwaite df; the subject is --block, the overall test of the group is in lmer_anova.tsv); drop {flag} or use --method limma"
            ))
            .into());
        }
        if args.block.is_none() {
            return Err(UsageError(
                "--method lmer needs --block COL: the subject column of the random intercept (1 | COL)".into(),
            )
            .into());
        }
    } else {
        let lmer_only = [
            ("--random", !args.random.is_empty()),
            ("--reml", args.reml),
            ("--posthoc", args.posthoc),
        ];
        if let Some((flag, _)) = lmer_only.iter().find(|(_, given)| *given) {
            return Err(UsageError(format!(
                "{flag} needs --method lmer (it is an option of the mixed model)"
            ))
            .into());
        }
    }
    if args.method != MethodArg::Limma && args.method != MethodArg::Lmer {
        let limma_only = [
            ("--covariates", !args.covariates.is_empty()),
            ("--trend", args.trend),
            ("--robust", args.robust),
            ("--lfc", args.lfc.is_some()),
            ("--block", args.block.is_some()),
            ("--test F", args.test == TestArg::F),
        ];
        if let Some((flag, _)) = limma_only.iter().find(|(_, given)| *given) {
            return Err(UsageError(format!(
                "{flag} needs --method limma: --method {} compares the two levels of each contrast without a model; drop {flag} or use --method limma",
                args.method.name()
            ))
            .into());
        }
    }
    if args.test == TestArg::F && args.lfc.is_some() {
        return Err(UsageError(
            "--test F with --lfc is not available: limma's treat tests each contrast on its own; drop --test F to get one treat table per contrast".into(),
        )
        .into());
    }
    if let Some(rho) = args.correlation {
        if !(rho.is_finite() && rho > -1.0 && rho < 1.0) {
            return Err(UsageError(format!(
                "--correlation must be strictly between -1 and 1, got {rho}"
            ))
            .into());
        }
    }
    if args.covariates.iter().any(|c| c.trim().is_empty()) {
        return Err(UsageError(
            "--covariates has an empty name; give column names separated by commas, e.g. age,sex"
                .into(),
        )
        .into());
    }
    Ok(())
}

/// Fails, naming them, when a contrast needs coefficients the design cannot
/// estimate; warns about the other non-estimable ones (as limma's lmFit does).
fn check_estimable(fit: &LinearModelFit, design: &Design) -> Result<()> {
    let needed = |j: usize| design.contrasts.iter().any(|c| c.weights[j] != 0.0);
    let (bad, other): (Vec<usize>, Vec<usize>) = (0..fit.n_coefs())
        .filter(|&j| !fit.estimable[j])
        .partition(|&j| needed(j));
    if !other.is_empty() {
        log::warn!(
            "coefficients not estimable (confounded with earlier columns of the design): {}",
            other
                .iter()
                .map(|&j| fit.coef_names[j].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !bad.is_empty() {
        let names: Vec<&str> = bad.iter().map(|&j| fit.coef_names[j].as_str()).collect();
        let users: Vec<&str> = design
            .contrasts
            .iter()
            .filter(|c| bad.iter().any(|&j| c.weights[j] != 0.0))
            .map(|c| c.name.as_str())
            .collect();
        anyhow::bail!(
            "contrast(s) {} need coefficient(s) {} that the design cannot estimate: they are confounded with other columns ({}); drop the confounded --pair/--covariates column or check the manifest",
            users.join(", "),
            names.join(", "),
            fit.coef_names.join(", ")
        );
    }
    Ok(())
}

/// The moderated statistics of each contrast, as rows sorted by P.Value.
fn contrast_tables(
    fit: &LinearModelFit,
    design: &Design,
    opts: &EbayesOptions,
    lfc: Option<f64>,
    adjust: AdjustMethod,
) -> Result<Vec<Vec<TopTableRow>>> {
    let moderate = |f: &LinearModelFit| -> Result<EbayesFit> {
        let eb = match lfc {
            Some(x) => treat(f, x, opts),
            None => ebayes(f, opts),
        }
        .context("empirical Bayes moderation")?;
        report_diagnostics(&eb);
        Ok(eb)
    };
    // Contrasts that are one coefficient are read off the fit itself (topTable(coef =));
    // the others go through contrasts.fit together. The variance prior depends only on
    // the residual variances, so both routes share it.
    // Only the coefficients some contrast needs are moderated (see
    // LinearModelFit::select_coefs: same numbers, a fraction of the work).
    let direct: Vec<usize> = design.contrasts.iter().filter_map(|c| c.coef).collect();
    let others: Vec<usize> = (0..design.contrasts.len())
        .filter(|&k| design.contrasts[k].coef.is_none())
        .collect();
    let eb_fit = if direct.is_empty() {
        None
    } else {
        Some(moderate(&fit.select_coefs(&direct))?)
    };
    let eb_con = if others.is_empty() {
        None
    } else {
        let cm: Array2<f64> = design.contrast_matrix().select(Axis(1), &others);
        let names: Vec<String> = others
            .iter()
            .map(|&k| design.contrasts[k].name.clone())
            .collect();
        let cf = contrasts_fit(fit, cm.view(), &names).context("computing the contrasts")?;
        Some(moderate(&cf)?)
    };
    design
        .contrasts
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let rows = match (c.coef, &eb_fit, &eb_con) {
                (Some(j), Some(eb), _) => {
                    let col = direct.iter().position(|&d| d == j).unwrap();
                    top_table(eb, col, adjust, CONFINT_LEVEL)
                }
                (_, _, Some(eb)) => {
                    let col = others.iter().position(|&o| o == k).unwrap();
                    top_table(eb, col, adjust, CONFINT_LEVEL)
                }
                _ => unreachable!("every contrast has a fit"),
            };
            rows.with_context(|| format!("results of contrast {}", c.name))
        })
        .collect()
}

/// Prints what limma would have warned about.
fn report_diagnostics(eb: &EbayesFit) {
    let d = &eb.diagnostics.squeeze;
    if d.mostly_zero_variances {
        log::warn!("more than half of the residual variances are exactly zero: the variance prior is unreliable");
    } else if d.zero_variances > 0 {
        log::warn!(
            "{} assay(s) with zero residual variance (offset as limma does)",
            d.zero_variances
        );
    }
    if !eb.diagnostics.var_prior_failed.is_empty() {
        let names: Vec<&str> = eb
            .diagnostics
            .var_prior_failed
            .iter()
            .filter(|&&j| eb.fit.estimable[j])
            .map(|&j| eb.fit.coef_names[j].as_str())
            .collect();
        if !names.is_empty() {
            log::warn!(
                "estimation of var.prior failed for {}; set to the default (B uses it)",
                names.join(", ")
            );
        }
    }
}

/// de.tsv: one row per assay and contrast, each contrast's rows sorted by P.Value.
fn de_table(assays: &[AssayInfo], design: &Design, tables: &[Vec<TopTableRow>]) -> TsvTable {
    let several = design.contrasts.len() > 1;
    let header: Vec<&str> = several
        .then_some("contrast")
        .into_iter()
        .chain(COLUMNS)
        .collect();
    let mut t = TsvTable::new(header);
    for (c, rows) in design.contrasts.iter().zip(tables) {
        for r in rows {
            let a = &assays[r.index];
            let mut row = Vec::with_capacity(13);
            if several {
                row.push(fmt_text(Some(&c.name)));
            }
            row.extend([
                fmt_text(Some(&a.olink_id)),
                fmt_text(a.uniprot.as_deref()),
                fmt_text(a.assay.as_deref()),
                fmt_f64(r.log_fc),
                fmt_f64(r.ci_l),
                fmt_f64(r.ci_r),
                fmt_f64(r.ave_expr),
                fmt_f64(r.t),
                fmt_f64(r.p_value),
                fmt_f64(r.adj_p_val),
                fmt_f64(r.b.unwrap_or(f64::NAN)),
                fmt_f64(r.df_total),
            ]);
            t.push(row);
        }
    }
    t
}

/// One line: what was tested and how many assays moved each way.
fn summary(
    m: &NpxMatrix,
    design: &Design,
    n_samples: usize,
    tables: &[Vec<TopTableRow>],
    adjust: AdjustMethod,
) -> String {
    let per: Vec<String> = design
        .contrasts
        .iter()
        .zip(tables)
        .map(|(c, rows)| {
            let sig = |up: bool| {
                rows.iter()
                    .filter(|r| r.adj_p_val < SUMMARY_ALPHA && (r.log_fc > 0.0) == up)
                    .count()
            };
            format!("{}: {} up, {} down", c.name, sig(true), sig(false))
        })
        .collect();
    format!(
        "de: {} assays tested on {} samples; adj.P.Val < {SUMMARY_ALPHA} ({}): {}",
        m.n_assays(),
        n_samples,
        adjust.r_name(),
        per.join("; ")
    )
}

/// protein_values.tsv: the NPX of the proteins the figures show (--highlight and the
/// --plot-top smallest P.Value of the first contrast), one row per sample of the
/// compared groups, so that `npxkit report` can draw them without the delivery.
fn protein_values(args: &DeArgs, m: &NpxMatrix, out: &Path) -> Result<()> {
    let contrast = &args.contrast[0];
    let chosen = chosen_assays(args, m, &out.join("de.tsv"), contrast)?;
    let man = m.manifest.as_ref();
    let values_of = |col: &str| -> Vec<Option<&str>> {
        man.and_then(|mm| mm.column_index(col))
            .map_or_else(|| vec![None; m.n_samples()], |c| m.sample_values(c))
    };
    let groups = values_of(&args.group);
    let mut levels: Vec<String> = Vec::new();
    for g in groups.iter().flatten() {
        if !levels.iter().any(|l| l == g) {
            levels.push(g.to_string());
        }
    }
    let (level, baseline) =
        parse_contrast(contrast, &args.group, &levels).map_err(|e| UsageError(e.to_string()))?;
    let subjects = match args.pair.as_ref().or(args.block.as_ref()) {
        Some(p) => values_of(p),
        None => vec![None; m.n_samples()],
    };
    let mut t = TsvTable::new(["OlinkID", "Assay", "SampleID", "subject", "group", "NPX"]);
    for &i in &chosen {
        let a = &m.assays[i];
        for (j, s) in m.samples.iter().enumerate() {
            let g = groups[j];
            if g != Some(baseline.as_str()) && g != Some(level.as_str()) {
                continue;
            }
            t.push(vec![
                fmt_text(Some(&a.olink_id)),
                fmt_text(a.assay.as_deref()),
                fmt_text(Some(&s.sample_id)),
                fmt_text(subjects[j]),
                fmt_text(g),
                fmt_f64(m.values[[i, j]]),
            ]);
        }
    }
    t.write_atomic(&out.join("protein_values.tsv"))?;
    Ok(())
}

/// Matrix rows of the highlighted proteins (by symbol or OlinkID, in the given order),
/// then the top DE proteins of `contrast` not already chosen.
fn chosen_assays(
    args: &DeArgs,
    m: &NpxMatrix,
    de_tsv: &Path,
    contrast: &str,
) -> Result<Vec<usize>> {
    let mut chosen: Vec<usize> = Vec::new();
    for h in &args.highlight {
        for (i, a) in m.assays.iter().enumerate() {
            if (a.olink_id == *h || a.assay.as_deref() == Some(h.as_str())) && !chosen.contains(&i)
            {
                chosen.push(i);
            }
        }
    }
    let text = std::fs::read_to_string(de_tsv)
        .with_context(|| format!("cannot read {}", de_tsv.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    let id_col = header.iter().position(|c| *c == "OlinkID");
    let contrast_col = header.iter().position(|c| *c == "contrast");
    let mut taken = 0;
    for line in lines {
        if taken >= args.plot_top {
            break;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if contrast_col.is_some_and(|c| f.get(c) != Some(&contrast)) {
            continue;
        }
        let Some(id) = id_col.and_then(|c| f.get(c)) else {
            break;
        };
        if let Some(i) = m.assays.iter().position(|a| a.olink_id == *id) {
            if !chosen.contains(&i) {
                chosen.push(i);
                taken += 1;
            }
        }
    }
    Ok(chosen)
}

// -----------------------------------------------------------------------------------
// --method ttest|wilcoxon
// -----------------------------------------------------------------------------------

/// The samples one contrast compares: matrix columns at its level and at its baseline.
/// When paired, `level[i]` and `baseline[i]` are the same subject's samples.
struct Arms {
    level: Vec<usize>,
    baseline: Vec<usize>,
    paired: bool,
}

/// `--method ttest|wilcoxon`: per contrast, one R test per assay between the contrast's
/// two levels, as OlinkAnalyze's `olink_ttest` / `olink_wilcox`; rows sorted as in
/// limma mode. Also returns how many samples the tests used (over all contrasts).
///
/// With `--pair`, the subjects with exactly one sample at each of the two levels
/// ([`pair_samples`]); each assay is tested on its complete pairs, as R's
/// `t.test(x, y, paired = TRUE)` / `wilcox.test(x, y, paired = TRUE)` with x the level
/// and y the baseline. Without, every design sample at either level, as R's `t.test(x, y)`
/// (Welch) / `wilcox.test(x, y)` (rank-sum).
fn classical_tables(
    m: &NpxMatrix,
    design: &Design,
    group: &str,
    pair: Option<&str>,
    method: MethodArg,
    adjust: AdjustMethod,
) -> Result<(Vec<Vec<TopTableRow>>, usize)> {
    let mut used = vec![false; m.n_samples()];
    let mut tables = Vec::with_capacity(design.contrasts.len());
    for c in &design.contrasts {
        let arms = contrast_arms(m, design, c, group, pair)?;
        let kind = match (method, arms.paired) {
            (MethodArg::Ttest, true) => "paired t-test",
            (MethodArg::Ttest, false) => "Welch t-test",
            (_, true) => "Wilcoxon signed-rank test",
            (_, false) => "Wilcoxon rank-sum test",
        };
        if arms.paired {
            log::info!("{}: {kind} on {} subjects", c.name, arms.level.len());
        } else {
            log::info!(
                "{}: {kind}, {} vs {} samples",
                c.name,
                arms.level.len(),
                arms.baseline.len()
            );
        }
        for &j in arms.level.iter().chain(&arms.baseline) {
            used[j] = true;
        }
        let mut rows = (0..m.n_assays())
            .map(|i| {
                let row = m.values.row(i);
                let x: Vec<f64> = arms.level.iter().map(|&j| row[j]).collect();
                let y: Vec<f64> = arms.baseline.iter().map(|&j| row[j]).collect();
                classical_row(i, &x, &y, arms.paired, method)
            })
            .collect::<Result<Vec<_>>>()
            .with_context(|| format!("{kind} of contrast {}", c.name))?;
        let p: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
        for (r, q) in rows.iter_mut().zip(p_adjust(&p, adjust)) {
            r.adj_p_val = q;
        }
        sort_by_p_value(&mut rows);
        tables.push(rows);
    }
    Ok((tables, used.iter().filter(|&&u| u).count()))
}

/// The samples of contrast `c`: complete subjects with `--pair`, else the design's
/// samples at either level.
fn contrast_arms(
    m: &NpxMatrix,
    design: &Design,
    c: &Contrast,
    group: &str,
    pair: Option<&str>,
) -> Result<Arms> {
    let levels = [c.baseline.clone(), c.level.clone()];
    if let Some(pair) = pair {
        let pairing = pair_samples(m, pair, group, Some(&levels)).map_err(usage_or_data)?;
        let groups = group_values(m, group);
        let left: Vec<&str> = pairing
            .unpaired
            .iter()
            .filter(|&&j| groups[j].is_some_and(|g| levels.iter().any(|l| l == g)))
            .map(|&j| m.samples[j].sample_id.as_str())
            .collect();
        if !left.is_empty() {
            log::warn!(
                "{}: {} sample(s) without a partner at the other level left out of the paired test: {}",
                c.name,
                left.len(),
                left.join(", ")
            );
        }
        if pairing.complete.is_empty() {
            log::warn!(
                "{}: no subject has a sample at both {} and {}; every statistic is NA",
                c.name,
                c.baseline,
                c.level
            );
        }
        return Ok(Arms {
            baseline: pairing.complete.iter().map(|(_, cols)| cols[0]).collect(),
            level: pairing.complete.iter().map(|(_, cols)| cols[1]).collect(),
            paired: true,
        });
    }
    let groups = group_values(m, group);
    let at = |level: &str| -> Vec<usize> {
        design
            .samples
            .iter()
            .copied()
            .filter(|&j| groups[j] == Some(level))
            .collect()
    };
    Ok(Arms {
        level: at(&c.level),
        baseline: at(&c.baseline),
        paired: false,
    })
}

/// The `--group` value of every matrix sample.
fn group_values<'a>(m: &'a NpxMatrix, group: &str) -> Vec<Option<&'a str>> {
    match m.manifest.as_ref().and_then(|mf| mf.column_index(group)) {
        Some(j) => m.sample_values(j),
        None => vec![None; m.n_samples()],
    }
}

/// One assay's row: `x` at the level, `y` at the baseline (aligned when paired); NaN is
/// missing. `adj_p_val` is filled in later.
///
/// logFC is the mean of the complete differences x − y (paired) or mean(x) − mean(y),
/// also for the Wilcoxon tests (not the Hodges–Lehmann estimate), and is given whenever
/// there is data to compute it. AveExpr is the mean of every observed value of x and y.
/// Where R's test stops or has no p-value (too few values, constant data, all
/// differences zero, all values tied), `CI.L`, `CI.R`, `t`, `P.Value` and `df.total`
/// are NA.
fn classical_row(
    index: usize,
    x: &[f64],
    y: &[f64],
    paired: bool,
    method: MethodArg,
) -> Result<TopTableRow> {
    let observed = |v: &[f64]| -> Vec<f64> { v.iter().copied().filter(|v| !v.is_nan()).collect() };
    let all: Vec<f64> = observed(x).into_iter().chain(observed(y)).collect();
    let log_fc = if paired {
        let d: Vec<f64> = x
            .iter()
            .zip(y)
            .filter(|(a, b)| !a.is_nan() && !b.is_nan())
            .map(|(a, b)| a - b)
            .collect();
        npxkit_stats::summary::mean(&d)
    } else {
        npxkit_stats::summary::mean(&observed(x)) - npxkit_stats::summary::mean(&observed(y))
    };
    let mut row = TopTableRow {
        index,
        log_fc,
        ci_l: f64::NAN,
        ci_r: f64::NAN,
        ave_expr: npxkit_stats::summary::mean(&all),
        t: f64::NAN,
        p_value: f64::NAN,
        adj_p_val: f64::NAN,
        b: None,
        df_total: f64::NAN,
    };
    match method {
        MethodArg::Ttest => {
            let opts = TTestOptions {
                conf_level: CONFINT_LEVEL,
                ..TTestOptions::default()
            };
            let r = if paired {
                t_test_paired(x, y, &opts)?
            } else {
                t_test_two_sample(x, y, &opts)?
            };
            if r.note.is_none() {
                [row.ci_l, row.ci_r] = r.conf_int;
                row.t = r.statistic;
                row.p_value = r.p_two_sided;
                row.df_total = r.df;
            }
        }
        _ => {
            let opts = WilcoxonOptions::default();
            let r = if paired {
                wilcox_test_paired(x, y, &opts)?
            } else {
                wilcox_test_two_sample(x, y, &opts)?
            };
            if r.note.is_none() && !r.p_two_sided.is_nan() {
                row.t = r.statistic;
                row.p_value = r.p_two_sided;
            }
        }
    }
    Ok(row)
}

/// Sorts rows by P.Value, ties in input order, NaN last (as `top_table`).
pub(crate) fn sort_by_p_value(rows: &mut [TopTableRow]) {
    rows.sort_by(|a, b| match (a.p_value.is_nan(), b.p_value.is_nan()) {
        (false, false) => a.p_value.total_cmp(&b.p_value).then(a.index.cmp(&b.index)),
        (x, y) => x.cmp(&y).then(a.index.cmp(&b.index)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const NA: f64 = f64::NAN;

    fn assert_no_test(r: &TopTableRow) {
        for v in [r.ci_l, r.ci_r, r.t, r.p_value, r.df_total] {
            assert!(v.is_nan(), "{r:?}");
        }
    }

    #[test]
    fn test_classical_row_paired_ttest_drops_incomplete_pairs() {
        // Pairs 2 and 4 have a missing value: the test runs on pairs 1, 3, 5.
        let x = [2.0, NA, 4.5, 3.0, 6.0];
        let y = [1.0, 2.0, 3.0, NA, 4.0];
        let r = classical_row(7, &x, &y, true, MethodArg::Ttest).unwrap();
        assert_eq!(r.index, 7);
        assert!((r.log_fc - 1.5).abs() < 1e-15, "{r:?}");
        assert_eq!(r.df_total, 2.0);
        assert!(r.ci_l < r.log_fc && r.log_fc < r.ci_r);
        // AveExpr: every observed value of the samples used.
        assert!((r.ave_expr - 25.5 / 8.0).abs() < 1e-15);
        assert!(r.b.is_none());
    }

    #[test]
    fn test_classical_row_impossible_tests_are_na() {
        // One complete pair: no t-test, but logFC is still the difference.
        let r = classical_row(0, &[3.0, NA], &[1.0, 2.0], true, MethodArg::Ttest).unwrap();
        assert_eq!(r.log_fc, 2.0);
        assert_no_test(&r);
        // Constant differences: "data are essentially constant".
        let r = classical_row(
            0,
            &[2.0, 3.0, 4.0],
            &[1.0, 2.0, 3.0],
            true,
            MethodArg::Ttest,
        )
        .unwrap();
        assert_eq!(r.log_fc, 1.0);
        assert_no_test(&r);
        // All differences zero: no signed ranks.
        let r = classical_row(0, &[1.0, 2.0], &[1.0, 2.0], true, MethodArg::Wilcoxon).unwrap();
        assert_eq!(r.log_fc, 0.0);
        assert_no_test(&r);
        // All values tied: the rank-sum statistic has no variance.
        let r =
            classical_row(0, &[1.0, 1.0], &[1.0, 1.0, 1.0], false, MethodArg::Wilcoxon).unwrap();
        assert_no_test(&r);
        // No value at one level: logFC is NA too.
        let r = classical_row(0, &[NA, NA], &[1.0, 2.0], false, MethodArg::Ttest).unwrap();
        assert!(r.log_fc.is_nan());
        assert_eq!(r.ave_expr, 1.5);
        assert_no_test(&r);
    }

    #[test]
    fn test_classical_row_wilcoxon_has_no_interval_or_df() {
        let r = classical_row(
            0,
            &[5.0, 6.0, 7.0],
            &[1.0, 2.0, 3.5],
            false,
            MethodArg::Wilcoxon,
        )
        .unwrap();
        assert_eq!(r.t, 9.0); // W = n_x n_y: every x above every y
        assert!((r.p_value - 0.1).abs() < 1e-15, "{r:?}"); // 2 / choose(6, 3)
        assert!(r.ci_l.is_nan() && r.ci_r.is_nan() && r.df_total.is_nan());
        assert!((r.log_fc - (6.0 - 6.5 / 3.0)).abs() < 1e-15);
    }

    #[test]
    fn test_sort_by_p_value_ties_in_input_order_na_last() {
        let row = |index, p_value| TopTableRow {
            index,
            log_fc: 0.0,
            ci_l: NA,
            ci_r: NA,
            ave_expr: 0.0,
            t: NA,
            p_value,
            adj_p_val: NA,
            b: None,
            df_total: NA,
        };
        let mut rows = vec![
            row(0, NA),
            row(1, 0.5),
            row(2, 0.1),
            row(3, NA),
            row(4, 0.1),
        ];
        sort_by_p_value(&mut rows);
        let order: Vec<usize> = rows.iter().map(|r| r.index).collect();
        assert_eq!(order, [2, 4, 1, 0, 3]);
    }
}
