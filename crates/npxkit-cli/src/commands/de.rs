//! `npxkit de`: limma's linear models and empirical Bayes statistics, one table.
//!
//! Steps: QC'd matrix → design from the manifest ([`npxkit_core::build_design`]) →
//! `lm_fit` → `contrasts_fit` for contrasts that are not a single coefficient →
//! `ebayes` (or `treat` with `--lfc`) → `top_table` per contrast → `de.tsv`.
//! A contrast that equals one coefficient (its baseline is the reference level) is read
//! straight off the fit, as `topTable(fit, coef = ...)` does in R.

use anyhow::{Context, Result};
use ndarray::{Array2, Axis};
use serde_json::json;

use crate::cli::{AdjustArg, DeArgs};
use crate::commands::{ensure_out_dir, load_input};
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_core::{build_design, CoreError, Design, DesignSpec, NpxMatrix};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};
use npxkit_limma::{
    contrasts_fit, ebayes, lm_fit, top_table, treat, AdjustMethod, EbayesFit, EbayesOptions,
    LinearModelFit, TopTableRow,
};

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
    let adjust = adjust_method(args.adjust);
    let mut record = RunRecord::start(
        "de",
        json!({
            "exclude_warn": args.input.exclude_warn,
            "mask_assay_warn": args.input.mask_assay_warn,
            "below_lod": format!("{:?}", args.input.below_lod).to_lowercase(),
            "max_missing": args.input.max_missing,
            "control_pattern": args.input.control_pattern,
            "group": args.group,
            "contrast": args.contrast,
            "pair": args.pair,
            "covariates": args.covariates,
            "trend": args.trend,
            "robust": args.robust,
            "lfc": args.lfc,
            "adjust": adjust.r_name(),
            "confint_level": CONFINT_LEVEL,
        }),
    );
    let report = load_input(&args.input, &mut record)?;
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
    log::info!(
        "design: {} samples x {} coefficients ({})",
        design.samples.len(),
        design.coef_names.len(),
        design.coef_names.join(", ")
    );
    let y = m.values.select(Axis(1), &design.samples);
    let fit = lm_fit(y.view(), design.matrix.view(), &design.coef_names)
        .context("fitting the linear models")?;
    check_estimable(&fit, &design)?;
    let opts = EbayesOptions {
        trend: args.trend,
        robust: args.robust,
        ..EbayesOptions::default()
    };
    let tables = contrast_tables(&fit, &design, &opts, args.lfc, adjust)?;
    let table = de_table(m, &design, &tables);
    table.write_atomic(&args.out.join("de.tsv"))?;
    record.output("de.tsv");
    record.finish(&args.out)?;
    println!("{}", summary(m, &design, &tables, adjust));
    Ok(())
}

/// Checks what clap cannot: options that depend on each other or on a value.
fn check_args(args: &DeArgs) -> Result<()> {
    if args.input.samples.is_none() {
        return Err(UsageError(
            "npxkit de needs a sample manifest: --samples FILE with the --group column".into(),
        )
        .into());
    }
    if args.trend && args.robust {
        return Err(UsageError(
            "--trend with --robust is not supported (limma's robust trend uses loessFit, not implemented); use one of them".into(),
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
    if args.covariates.iter().any(|c| c.trim().is_empty()) {
        return Err(UsageError(
            "--covariates has an empty name; give column names separated by commas, e.g. age,sex"
                .into(),
        )
        .into());
    }
    Ok(())
}

fn adjust_method(a: AdjustArg) -> AdjustMethod {
    match a {
        AdjustArg::BH => AdjustMethod::BH,
        AdjustArg::Bonferroni => AdjustMethod::Bonferroni,
        AdjustArg::Holm => AdjustMethod::Holm,
        AdjustArg::BY => AdjustMethod::BY,
        AdjustArg::None => AdjustMethod::None,
    }
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
fn de_table(m: &NpxMatrix, design: &Design, tables: &[Vec<TopTableRow>]) -> TsvTable {
    let several = design.contrasts.len() > 1;
    let header: Vec<&str> = several
        .then_some("contrast")
        .into_iter()
        .chain(COLUMNS)
        .collect();
    let mut t = TsvTable::new(header);
    for (c, rows) in design.contrasts.iter().zip(tables) {
        for r in rows {
            let a = &m.assays[r.index];
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
        design.samples.len(),
        adjust.r_name(),
        per.join("; ")
    )
}
