//! `npxkit score`: per-sample gene-set scores and their paired tests.
//!
//! Steps, each mirroring what an R user of GSVA 1.46 does on an Olink matrix:
//! 1. the QC'd matrix; assays with a missing value are left out (GSVA needs complete
//!    rows), and for gsva / zscore / plage so are constant assays (GSVA's
//!    `.filterFeatures`, sd < 1e-10);
//! 2. one row per assay name: an assay measured on several panels keeps the row with
//!    the highest mean (ties: the first);
//! 3. genes → rows: a multi-gene assay (`IL12A_IL12B`) stands for each of its genes; a
//!    gene measured by several assays uses the one with the highest mean
//!    (`npxkit_genesets::AssayGeneMap::representative`); a set's members keep the
//!    set's gene order (GSVA sums in that order), each row once;
//! 4. sets are restricted to measured genes and filtered by --min-size/--max-size
//!    after restriction (`genesets.tsv` reports both sizes);
//! 5. scores (`npxkit-gsva`), then with --group/--contrast a Wilcoxon test per set.

use anyhow::{Context, Result};
use ndarray::{Array2, Axis};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;

use crate::cli::{KcdfArg, KcdfModeArg, ScoreArgs, ScoreMethod};
use crate::commands::{adjust_method, ensure_out_dir, load_input, usage_or_data};
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_core::{pair_samples, parse_contrast, NpxMatrix, QcReport};
use npxkit_genesets::{restrict, AssayGeneMap, GeneSetCollection, SymbolAliases};
use npxkit_gsva::{filter_constant_rows, GsvaOptions, Kcdf, KcdfMode, SsgseaOptions};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};
use npxkit_stats::{p_adjust, WilcoxonOptions};

/// Runs `npxkit score`.
pub fn run(args: ScoreArgs) -> Result<()> {
    check_args(&args)?;
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start("score", options_json(&args));
    let report = load_input(&args.input, &mut record)?;
    let summary = execute(&args, &report, &args.out, &mut record)?;
    record.finish(&args.out)?;
    println!("{summary}");
    Ok(())
}

fn check_args(args: &ScoreArgs) -> Result<()> {
    if args.input.samples.is_none() && args.group.is_some() {
        return Err(UsageError("--group needs a sample manifest: --samples FILE".into()).into());
    }
    if let Some(t) = args.tau {
        if !(t.is_finite() && t >= 0.0) {
            return Err(UsageError(format!("--tau must be a number >= 0, got {t}")).into());
        }
    }
    check_collection_spec(&args.genesets)
}

/// Fails early (before a large NPX file is read) when --genesets names neither a
/// built-in collection nor an existing file.
pub fn check_collection_spec(spec: &str) -> Result<()> {
    if npxkit_genesets::builtin_info(spec).is_some() || Path::new(spec).exists() {
        return Ok(());
    }
    let names = npxkit_genesets::builtin_names().join(", ");
    Err(UsageError(format!(
        "--genesets `{spec}` is neither a built-in collection ({names}) nor an existing GMT file"
    ))
    .into())
}

/// The options of `npxkit score` as recorded in `run.json`.
pub fn options_json(args: &ScoreArgs) -> serde_json::Value {
    json!({
        "qc": args.input.qc_options_json(),
        "genesets": args.genesets,
        "method": format!("{:?}", args.method).to_lowercase(),
        "kcdf": format!("{:?}", args.kcdf).to_lowercase(),
        "kcdf_mode": format!("{:?}", args.kcdf_mode).to_lowercase(),
        "tau": args.tau,
        "mx_diff": args.mx_diff,
        "abs_ranking": args.abs_ranking,
        "ssgsea_norm": args.ssgsea_norm,
        "min_size": args.min_size,
        "max_size": args.max_size,
        "resolve_aliases": args.resolve_aliases,
        "impute_missing": args.impute_missing,
        "group": args.group,
        "contrast": args.contrast,
        "pair": args.pair,
        "adjust": adjust_method(args.adjust).to_string(),
    })
}

/// Scores the sets on an already loaded study and writes scores.tsv, genesets.tsv and
/// (with --group/--contrast) score_tests.tsv into `out`; returns the summary line.
/// Shared by `npxkit score` and `npxkit run`.
pub fn execute(
    args: &ScoreArgs,
    report: &QcReport,
    out: &Path,
    record: &mut RunRecord,
) -> Result<String> {
    check_args(args)?;
    let collection = load_collection(&args.genesets, record)?;
    let m = report.require_data()?;
    let imputed = args.impute_missing.then(|| impute_row_medians(&m.values));
    let values = imputed.as_ref().unwrap_or(&m.values);
    let universe = score_universe(
        m,
        values,
        args.method != ScoreMethod::Ssgsea,
        args.impute_missing,
    );
    let x = values.select(Axis(0), &universe.rows);
    let labels: Vec<&str> = universe.rows.iter().map(|&i| m.assays[i].label()).collect();
    let map = AssayGeneMap::new(&labels).with_means(&universe.means)?;
    let collection = if args.resolve_aliases {
        let aliased = SymbolAliases::builtin()?.resolve_collection(&collection, &map.genes());
        log::info!(
            "--resolve-aliases: {} symbol(s) renamed",
            aliased.renamed.len()
        );
        aliased.collection
    } else {
        collection
    };
    let restricted = restrict(
        &collection,
        &map,
        args.min_size,
        args.max_size.unwrap_or(usize::MAX),
    )?;
    let sets: Vec<Vec<usize>> = restricted
        .sets
        .iter()
        .map(|s| {
            let mut rows: Vec<usize> = Vec::with_capacity(s.genes.len());
            for r in s.genes.iter().filter_map(|g| map.representative(g)) {
                if !rows.contains(&r) {
                    rows.push(r);
                }
            }
            rows
        })
        .collect();
    if sets.is_empty() {
        let incomplete = (0..m.n_assays())
            .filter(|&i| m.values.row(i).iter().any(|v| !v.is_finite()))
            .count();
        if !args.impute_missing && incomplete * 2 > m.n_assays() {
            return Err(anyhow::anyhow!(
                "no gene set of `{}` can be scored: {incomplete} of {} assays have missing values and GSVA-family scores need complete rows; use --impute-missing (score.impute_missing in npxkit run) to replace them by each assay's median, or --max-missing to drop the worst assays first",
                args.genesets,
                m.n_assays()
            ));
        }
        return Err(anyhow::anyhow!(
            "no gene set of `{}` has a measured gene (>= --min-size {}); see the assay names in assay_qc.tsv",
            args.genesets,
            args.min_size
        ));
    }
    let scores = compute_scores(args, x.view(), &sets)?;
    let set_ids: Vec<&str> = restricted.sets.iter().map(|s| s.id.as_str()).collect();
    scores_table(m, &set_ids, &scores).write_atomic(&out.join("scores.tsv"))?;
    record.output("scores.tsv");
    sizes_table(&collection, &restricted).write_atomic(&out.join("genesets.tsv"))?;
    record.output("genesets.tsv");
    let mut summary = format!(
        "score: {} of {} sets scored by {} on {} samples ({} assays used)",
        sets.len(),
        collection.len(),
        format!("{:?}", args.method).to_lowercase(),
        m.n_samples(),
        universe.rows.len()
    );
    if let (Some(group), Some(contrast)) = (&args.group, &args.contrast) {
        let tests = score_tests(m, args, group, contrast, &set_ids, &scores)?;
        let significant = tests.1;
        tests.0.write_atomic(&out.join("score_tests.tsv"))?;
        record.output("score_tests.tsv");
        summary += &format!("; {contrast}: {significant} set(s) with adj.P.Val < 0.05");
    }
    Ok(summary)
}

/// A built-in collection by name, or a GMT file.
pub fn load_collection(spec: &str, record: &mut RunRecord) -> Result<GeneSetCollection> {
    if let Some(info) = npxkit_genesets::builtin_info(spec) {
        return Ok(info.load()?);
    }
    check_collection_spec(spec)?;
    let path = Path::new(spec);
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    record.input(path, &bytes);
    Ok(npxkit_genesets::parse_gmt_bytes(
        &bytes,
        &path.display().to_string(),
    )?)
}

/// The assay rows scored and their means.
struct Universe {
    rows: Vec<usize>,
    means: Vec<f64>,
}

/// Complete rows of `values` (the matrix, or its imputed copy), (optionally)
/// non-constant, one per assay name (highest mean).
fn score_universe(
    m: &NpxMatrix,
    values: &Array2<f64>,
    drop_constant: bool,
    impute: bool,
) -> Universe {
    let complete: Vec<usize> = (0..m.n_assays())
        .filter(|&i| values.row(i).iter().all(|v| v.is_finite()))
        .collect();
    if complete.len() < m.n_assays() {
        log::warn!(
            "{} assay(s) with missing values left out of the scores ({})",
            m.n_assays() - complete.len(),
            if impute {
                "more than half of their values missing"
            } else {
                "GSVA needs complete rows; --impute-missing keeps them"
            }
        );
    }
    let candidates: Vec<usize> = if drop_constant {
        let filter = filter_constant_rows(values.select(Axis(0), &complete).view(), &[]);
        if !filter.dropped.is_empty() {
            log::warn!(
                "{} constant assay(s) left out, as GSVA does",
                filter.dropped.len()
            );
        }
        filter.kept.iter().map(|&k| complete[k]).collect()
    } else {
        complete
    };
    let mean = |i: usize| npxkit_stats::summary::mean(&values.row(i).to_vec());
    let mut best: HashMap<&str, usize> = HashMap::new();
    for &i in &candidates {
        let label = m.assays[i].label();
        match best.get(label) {
            Some(&j) if mean(j) >= mean(i) => {}
            _ => {
                best.insert(label, i);
            }
        }
    }
    let rows: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| best.get(m.assays[i].label()) == Some(&i))
        .collect();
    let means = rows.iter().map(|&i| mean(i)).collect();
    Universe { rows, means }
}

/// `--impute-missing`: a copy of the matrix in which every missing value of an assay
/// observed in at least half of the samples is set to the median of its observed values
/// (R's `median`), as OlinkAnalyze prepares data for its PCA; assays missing more stay
/// incomplete and are left out.
fn impute_row_medians(values: &Array2<f64>) -> Array2<f64> {
    let mut x = values.clone();
    let n = x.ncols();
    let mut imputed = 0usize;
    for mut row in x.rows_mut() {
        let observed: Vec<f64> = row.iter().copied().filter(|v| v.is_finite()).collect();
        if observed.len() == n || observed.is_empty() || 2 * observed.len() < n {
            continue;
        }
        let median = npxkit_core::summary::median(&observed);
        row.iter_mut()
            .filter(|v| !v.is_finite())
            .for_each(|v| *v = median);
        imputed += 1;
    }
    if imputed > 0 {
        log::info!(
            "--impute-missing: {imputed} assay(s) kept with their missing values set to the assay's median"
        );
    }
    x
}

/// From this many samples `score` suggests `--kcdf-mode exact`.
const LARGE_GSVA: usize = 500;

fn compute_scores(
    args: &ScoreArgs,
    x: ndarray::ArrayView2<f64>,
    sets: &[Vec<usize>],
) -> Result<Array2<f64>> {
    // The compat kernel CDF sums all sample pairs (as R's GSVA 1.46 does); exact mode
    // uses an O(n) series expansion (npxkit-gsva's `series`).
    if args.method == ScoreMethod::Gsva
        && args.kcdf == KcdfArg::Gaussian
        && args.kcdf_mode == KcdfModeArg::Compat
        && x.ncols() >= LARGE_GSVA
    {
        log::warn!(
            "{} samples: --kcdf-mode compat sums all sample pairs as R's GSVA does (time grows with the square of the samples); --kcdf-mode exact is linear and 20x+ faster here",
            x.ncols()
        );
    }
    let scores = match args.method {
        ScoreMethod::Gsva => {
            let opts = GsvaOptions {
                kcdf: match args.kcdf {
                    KcdfArg::Gaussian => Kcdf::Gaussian,
                    KcdfArg::Poisson => Kcdf::Poisson,
                    KcdfArg::None => Kcdf::None,
                },
                kcdf_mode: match args.kcdf_mode {
                    KcdfModeArg::Compat => KcdfMode::Compat,
                    KcdfModeArg::Exact => KcdfMode::Exact,
                },
                tau: args.tau.unwrap_or(1.0),
                mx_diff: args.mx_diff,
                abs_ranking: args.abs_ranking,
            };
            npxkit_gsva::gsva(x, sets, &opts)
        }
        ScoreMethod::Ssgsea => {
            let opts = SsgseaOptions {
                tau: args.tau.unwrap_or(0.25),
                normalize: args.ssgsea_norm,
            };
            npxkit_gsva::ssgsea(x, sets, &opts)
        }
        ScoreMethod::Zscore => npxkit_gsva::zscore(x, sets),
        ScoreMethod::Plage => npxkit_gsva::plage(x, sets),
    };
    scores.context("scoring the gene sets")
}

fn scores_table(m: &NpxMatrix, set_ids: &[&str], scores: &Array2<f64>) -> TsvTable {
    let mut header = vec!["geneset".to_string()];
    header.extend(m.samples.iter().map(|s| s.sample_id.clone()));
    let mut t = TsvTable::new(header);
    for (k, id) in set_ids.iter().enumerate() {
        let mut row = vec![fmt_text(Some(id))];
        row.extend(scores.row(k).iter().map(|&v| fmt_f64(v)));
        t.push(row);
    }
    t
}

fn sizes_table(collection: &GeneSetCollection, r: &npxkit_genesets::RestrictedSets) -> TsvTable {
    let mut t = TsvTable::new([
        "geneset",
        "name",
        "size",
        "size_measured",
        "scored",
        "reason",
    ]);
    for set in collection.sets() {
        let kept = r.sets.iter().find(|s| s.id == set.id());
        let dropped = r.dropped.iter().find(|d| d.id == set.id());
        let (after, scored, reason) = match (kept, dropped) {
            (Some(s), _) => (s.size_after, "TRUE", None),
            (None, Some(d)) => (d.size_after, "FALSE", Some(d.reason.to_string())),
            (None, None) => (0, "FALSE", Some("not mapped".to_string())),
        };
        t.push(vec![
            fmt_text(Some(set.id())),
            fmt_text(Some(set.name())),
            set.len().to_string(),
            after.to_string(),
            scored.to_string(),
            fmt_text(reason.as_deref()),
        ]);
    }
    t
}

/// Wilcoxon tests of each set's scores between the contrast's levels: signed-rank over
/// complete pairs with --pair (R's `wilcox.test(level, baseline, paired = TRUE)`),
/// rank-sum otherwise. Returns the table and how many sets have adj.P.Val < 0.05.
fn score_tests(
    m: &NpxMatrix,
    args: &ScoreArgs,
    group: &str,
    contrast: &str,
    set_ids: &[&str],
    scores: &Array2<f64>,
) -> Result<(TsvTable, usize)> {
    let manifest = m.manifest.as_ref().context("tests need a manifest")?;
    let gcol = manifest.column_index(group).ok_or_else(|| {
        usage_or_data(npxkit_core::CoreError::NoSuchColumn {
            column: group.to_string(),
            available: manifest.columns().join(", "),
        })
    })?;
    let groups = m.sample_values(gcol);
    let mut levels: Vec<String> = groups.iter().flatten().map(|s| s.to_string()).collect();
    levels.sort();
    levels.dedup();
    let (level, baseline) =
        parse_contrast(contrast, group, &levels).map_err(|e| UsageError(e.to_string()))?;
    let opts = WilcoxonOptions::default();
    let mut rows: Vec<(f64, f64, f64, String)> = Vec::new(); // statistic, p, mean_diff, n
    match &args.pair {
        Some(pair) => {
            let pairing = pair_samples(m, pair, group, Some(&[baseline.clone(), level.clone()]))
                .map_err(usage_or_data)?;
            for k in 0..set_ids.len() {
                let (x, y): (Vec<f64>, Vec<f64>) = pairing
                    .complete
                    .iter()
                    .map(|(_, c)| (scores[[k, c[1]]], scores[[k, c[0]]]))
                    .unzip();
                let diffs: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
                let w = npxkit_stats::wilcox_test_paired(&x, &y, &opts)?;
                rows.push((
                    w.statistic,
                    w.p_two_sided,
                    npxkit_stats::summary::mean(&diffs),
                    x.len().to_string(),
                ));
            }
        }
        None => {
            let cols = |l: &str| -> Vec<usize> {
                (0..m.n_samples())
                    .filter(|&j| groups[j] == Some(l))
                    .collect()
            };
            let (cx, cy) = (cols(&level), cols(&baseline));
            for k in 0..set_ids.len() {
                let x: Vec<f64> = cx.iter().map(|&j| scores[[k, j]]).collect();
                let y: Vec<f64> = cy.iter().map(|&j| scores[[k, j]]).collect();
                let w = npxkit_stats::wilcox_test_two_sample(&x, &y, &opts)?;
                let diff = npxkit_stats::summary::mean(&x) - npxkit_stats::summary::mean(&y);
                rows.push((w.statistic, w.p_two_sided, diff, "NA".into()));
            }
        }
    }
    let p: Vec<f64> = rows.iter().map(|r| r.1).collect();
    let adj = p_adjust(&p, adjust_method(args.adjust));
    let mut t = TsvTable::new([
        "geneset",
        "n_pairs",
        "mean_diff",
        "statistic",
        "P.Value",
        "adj.P.Val",
    ]);
    for (k, (stat, pv, diff, n)) in rows.into_iter().enumerate() {
        t.push(vec![
            fmt_text(Some(set_ids[k])),
            n,
            fmt_f64(diff),
            fmt_f64(stat),
            fmt_f64(pv),
            fmt_f64(adj[k]),
        ]);
    }
    let significant = adj.iter().filter(|&&a| a < 0.05).count();
    Ok((t, significant))
}
