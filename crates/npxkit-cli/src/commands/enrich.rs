//! `npxkit enrich`: over-representation of gene sets among the changed proteins.
//!
//! The rules, as limma's `goana`/`kegga` and clusterProfiler apply them to a panel:
//! - the **universe is the measured proteins**: the assays of de.tsv annotated in at
//!   least one set of the collection (or `--universe`), never the genome;
//! - assays map to genes by their `Assay` symbol, multi-gene assays to each gene; a set's
//!   size `N` counts its assays in the universe, and --min-size/--max-size apply to the
//!   number of measured genes after restriction;
//! - up- and down-regulated proteins (adj.P.Val < --fdr, or the --top N of each sign by
//!   P.Value) are tested separately with one-sided hypergeometric tests (P.Up, P.Down),
//!   each adjusted by BH across sets (FDR.Up, FDR.Down).
//!
//! The common columns report the more significant direction: `direction`, `P.Value`
//! (the smaller of P.Up and P.Down) and `adj.P.Val` (that direction's FDR).
//!
//! `--method camera-pr` and `--method gsea` rank the assays of the de.tsv by its
//! moderated `t` (assays without one are left out) and run limma's `cameraPR` or
//! preranked GSEA (`npxkit_genesets::enrich::gsea`: ties in t keep the de.tsv's row
//! order, permutations seeded by --seed and shared by the sets of one size, so the
//! output does not depend on the thread count; p-values too small for the permutations
//! refined by multilevel splitting unless `--gsea-multilevel false`, with fgsea's
//! `log2err` column). Sets hold every assay measuring one
//! of their genes, as for camera and fry. Rows are sorted by P.Value (NaN last), ties
//! by decreasing |NES| (gsea), then collection order.

use anyhow::{Context, Result};
use serde_json::json;
use std::collections::HashSet;

use crate::cli::{BelowLodArg, EnrichArgs, EnrichMethod, InputArgs};
use crate::commands::score::load_collection;
use crate::commands::{ensure_out_dir, load_input, usage_or_data};
use crate::provenance::RunRecord;
use crate::UsageError;
use ndarray::Axis;
use npxkit_core::{build_design, CoreError, DesignSpec, QcReport};
use npxkit_genesets::enrich::Contrast;
use npxkit_genesets::{
    camera, camera_pr, fry, gsea, ora, restrict, AssayGeneMap, CameraOptions, CameraPrOptions,
    GeneSetCollection, GseaOptions, RestrictedSets, SymbolAliases,
};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};
use npxkit_stats::{p_adjust, AdjustMethod};
use std::path::Path;

/// One row of a de.tsv: what enrichment needs.
struct DeRow {
    olink_id: String,
    assay: String,
    log_fc: f64,
    p_value: f64,
    adj_p: f64,
    /// The moderated t (NaN when the table has no `t` column or the value is NA).
    t: f64,
}

/// Runs `npxkit enrich`.
pub fn run(args: EnrichArgs) -> Result<()> {
    check_args(&args)?;
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start("enrich", options_json(&args));
    let summary = execute(&args, None, &args.out, &mut record)?;
    record.finish(&args.out)?;
    println!("{summary}");
    Ok(())
}

fn check_args(args: &EnrichArgs) -> Result<()> {
    if !(args.fdr > 0.0 && args.fdr <= 1.0) {
        return Err(UsageError(format!("--fdr must be in (0, 1], got {}", args.fdr)).into());
    }
    if args.min_size > args.max_size {
        return Err(UsageError("--min-size must not exceed --max-size".into()).into());
    }
    let t = &args.tuning;
    if !(t.inter_gene_cor > -1.0 && t.inter_gene_cor < 1.0) {
        return Err(UsageError(format!(
            "--inter-gene-cor must be a correlation in (-1, 1), got {}",
            t.inter_gene_cor
        ))
        .into());
    }
    if t.permutations == 0 {
        return Err(UsageError("--permutations must be at least 1".into()).into());
    }
    if !(t.gsea_weight.is_finite() && t.gsea_weight >= 0.0) {
        return Err(UsageError(format!(
            "--gsea-weight must be a finite number >= 0, got {}",
            t.gsea_weight
        ))
        .into());
    }
    let only = |flag: &str, set: bool, methods: &[EnrichMethod]| -> Result<()> {
        if set && !methods.contains(&args.method) {
            let names: Vec<&str> = methods.iter().map(|m| method_name(*m)).collect();
            return Err(UsageError(format!(
                "{flag} applies to --method {} only",
                names.join(" or ")
            ))
            .into());
        }
        Ok(())
    };
    if t.gsea_sample_size < 3 {
        return Err(UsageError(format!(
            "--gsea-sample-size must be at least 3, got {}",
            t.gsea_sample_size
        ))
        .into());
    }
    if !(0.0..1.0).contains(&t.gsea_eps) {
        return Err(UsageError(format!("--gsea-eps must be in [0, 1), got {}", t.gsea_eps)).into());
    }
    only(
        "--estimate-correlation",
        t.estimate_correlation,
        &[EnrichMethod::Camera],
    )?;
    only("--trend-var", t.trend_var, &[EnrichMethod::Camera])?;
    only(
        "--use-ranks",
        t.use_ranks,
        &[EnrichMethod::Camera, EnrichMethod::CameraPr],
    )?;
    crate::commands::score::check_collection_spec(&args.genesets)
}

/// The name of a method as typed on the command line (`camera-pr`).
fn method_name(m: EnrichMethod) -> &'static str {
    match m {
        EnrichMethod::Ora => "ora",
        EnrichMethod::Camera => "camera",
        EnrichMethod::CameraPr => "camera-pr",
        EnrichMethod::Fry => "fry",
        EnrichMethod::Gsea => "gsea",
    }
}

/// The options of `npxkit enrich` as recorded in `run.json`.
pub fn options_json(args: &EnrichArgs) -> serde_json::Value {
    let t = &args.tuning;
    let mut o = json!({
        "genesets": args.genesets, "method": method_name(args.method),
        "fdr": args.fdr, "top": args.top, "min_size": args.min_size, "max_size": args.max_size,
        "contrast": args.contrast, "group": args.group, "pair": args.pair,
        "covariates": args.covariates, "resolve_aliases": args.resolve_aliases,
    });
    let extra = match args.method {
        EnrichMethod::Camera => json!({
            "inter_gene_cor": if t.estimate_correlation { None } else { Some(t.inter_gene_cor) },
            "use_ranks": t.use_ranks, "trend_var": t.trend_var,
        }),
        EnrichMethod::CameraPr => {
            json!({ "inter_gene_cor": t.inter_gene_cor, "use_ranks": t.use_ranks })
        }
        EnrichMethod::Gsea => json!({
            "seed": t.seed, "permutations": t.permutations, "gsea_weight": t.gsea_weight,
            "gsea_multilevel": t.gsea_multilevel, "gsea_sample_size": t.gsea_sample_size,
            "gsea_eps": t.gsea_eps,
        }),
        EnrichMethod::Ora | EnrichMethod::Fry => json!({}),
    };
    if let (Some(o), serde_json::Value::Object(extra)) = (o.as_object_mut(), extra) {
        o.extend(extra);
    }
    o
}

/// Runs the enrichment and writes enrichment.tsv into `out`; returns the summary line.
/// ORA reads --de; camera/fry use `loaded` (the study `npxkit run` already loaded) or
/// read --npx/--samples themselves. Shared by `npxkit enrich` and `npxkit run`.
pub fn execute(
    args: &EnrichArgs,
    loaded: Option<&QcReport>,
    out: &Path,
    record: &mut RunRecord,
) -> Result<String> {
    check_args(args)?;
    match args.method {
        EnrichMethod::Camera | EnrichMethod::Fry => {
            return run_matrix_method(args, loaded, out, record)
        }
        EnrichMethod::CameraPr | EnrichMethod::Gsea => return run_ranked_method(args, out, record),
        EnrichMethod::Ora => {}
    }
    let rows = read_de(args, record)?;
    let collection = load_collection(&args.genesets, record)?;
    let labels: Vec<&str> = rows.iter().map(|r| r.assay.as_str()).collect();
    let (collection, restricted) = restrict_to(args, collection, &labels)?;
    let universe: Vec<usize> = match &args.universe {
        None => restricted.annotated_assays.clone(),
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            record.input(path, &bytes);
            let wanted: HashSet<String> = String::from_utf8_lossy(&bytes)
                .lines()
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            (0..rows.len())
                .filter(|&i| wanted.contains(&rows[i].olink_id) || wanted.contains(&rows[i].assay))
                .collect()
        }
    };
    let (up, down) = changed(&rows, args);
    let sets: Vec<Vec<usize>> = restricted.sets.iter().map(|s| s.members.clone()).collect();
    let results = ora(&sets, &up, &down, &universe);
    let fdr_up = p_adjust(
        &results.iter().map(|r| r.p_up).collect::<Vec<_>>(),
        AdjustMethod::BH,
    );
    let fdr_down = p_adjust(
        &results.iter().map(|r| r.p_down).collect::<Vec<_>>(),
        AdjustMethod::BH,
    );
    let in_universe: HashSet<usize> = universe.iter().copied().collect();
    let mut order: Vec<usize> = (0..results.len()).collect();
    let best = |k: usize| results[k].p_up.min(results[k].p_down);
    order.sort_by(|&a, &b| best(a).total_cmp(&best(b)).then(a.cmp(&b)));
    let mut t = TsvTable::new([
        "id",
        "name",
        "size",
        "direction",
        "P.Value",
        "adj.P.Val",
        "N",
        "Up",
        "Down",
        "P.Up",
        "P.Down",
        "FDR.Up",
        "FDR.Down",
        "genes",
    ]);
    for k in order {
        let (r, s) = (&results[k], &restricted.sets[k]);
        let set = collection
            .get(&s.id)
            .context("restricted set not in collection")?;
        let up_wins = r.p_up <= r.p_down;
        let mut genes: Vec<&str> = s
            .members
            .iter()
            .filter(|m| in_universe.contains(m))
            .map(|&m| rows[m].assay.as_str())
            .collect();
        genes.dedup();
        t.push(vec![
            fmt_text(Some(&s.id)),
            fmt_text(Some(set.name())),
            set.len().to_string(),
            if up_wins { "Up" } else { "Down" }.into(),
            fmt_f64(best(k)),
            fmt_f64(if up_wins { fdr_up[k] } else { fdr_down[k] }),
            r.n.to_string(),
            r.up.to_string(),
            r.down.to_string(),
            fmt_f64(r.p_up),
            fmt_f64(r.p_down),
            fmt_f64(fdr_up[k]),
            fmt_f64(fdr_down[k]),
            genes.join(","),
        ]);
    }
    t.write_atomic(&out.join("enrichment.tsv"))?;
    record.output("enrichment.tsv");
    let n_sig = (0..results.len())
        .filter(|&k| fdr_up[k].min(fdr_down[k]) < 0.05)
        .count();
    Ok(format!(
        "enrich: {} up, {} down of {} proteins in the universe; {} of {} sets tested; {} with FDR < 0.05",
        up.iter().filter(|u| in_universe.contains(u)).count(),
        down.iter().filter(|d| in_universe.contains(d)).count(),
        universe.len(),
        results.len(),
        collection.len(),
        n_sig
    ))
}

/// Reads the de.tsv of --de (recording it) for the contrast asked for.
fn read_de(args: &EnrichArgs, record: &mut RunRecord) -> Result<Vec<DeRow>> {
    let de_path = args.de.clone().ok_or_else(|| {
        UsageError(format!(
            "--method {} needs --de FILE (the de.tsv of `npxkit de`)",
            method_name(args.method)
        ))
    })?;
    let text =
        std::fs::read(&de_path).with_context(|| format!("cannot read {}", de_path.display()))?;
    record.input(&de_path, &text);
    parse_de(&String::from_utf8_lossy(&text), args)
}

/// The collection (symbols renamed with --resolve-aliases) and its sets restricted to
/// the assays `labels`, filtered by --min-size/--max-size.
fn restrict_to(
    args: &EnrichArgs,
    collection: GeneSetCollection,
    labels: &[&str],
) -> Result<(GeneSetCollection, RestrictedSets)> {
    let map = AssayGeneMap::new(labels);
    let collection = if args.resolve_aliases {
        SymbolAliases::builtin()?
            .resolve_collection(&collection, &map.genes())
            .collection
    } else {
        collection
    };
    let restricted = restrict(&collection, &map, args.min_size, args.max_size)?;
    Ok((collection, restricted))
}

/// camera-pr / gsea: the moderated t of the de.tsv, ranked; enrichment.tsv.
fn run_ranked_method(args: &EnrichArgs, out: &Path, record: &mut RunRecord) -> Result<String> {
    let all = read_de(args, record)?;
    let path = args.de.as_deref().unwrap_or(Path::new("de.tsv")).display();
    if all.iter().all(|r| r.t.is_nan()) {
        anyhow::bail!(
            "{path}: no moderated t (column `t`) to rank by; --method {} needs the de.tsv of \
             `npxkit de` with the default limma method",
            method_name(args.method)
        );
    }
    let rows: Vec<&DeRow> = all.iter().filter(|r| r.t.is_finite()).collect();
    if rows.len() < all.len() {
        log::warn!(
            "{} assay(s) of {path} without a t statistic left out",
            all.len() - rows.len()
        );
    }
    let collection = load_collection(&args.genesets, record)?;
    let labels: Vec<&str> = rows.iter().map(|r| r.assay.as_str()).collect();
    let (collection, restricted) = restrict_to(args, collection, &labels)?;
    let sets: Vec<Vec<usize>> = restricted.sets.iter().map(|s| s.members.clone()).collect();
    let stat: Vec<f64> = rows.iter().map(|r| r.t).collect();
    let t = &args.tuning;
    // Per set: direction, p, fdr, |NES| (sort tie-break), extra columns.
    type Ranked = (String, f64, f64, f64, Vec<String>);
    let (extra_names, results): (Vec<&str>, Vec<Ranked>) = if args.method == EnrichMethod::Gsea {
        let opts = GseaOptions {
            weight: t.gsea_weight,
            permutations: t.permutations,
            seed: t.seed,
            multilevel: t.gsea_multilevel,
            sample_size: t.gsea_sample_size,
            eps: t.gsea_eps,
        };
        let res = gsea(&stat, &sets, &opts).context("gsea")?;
        let results = res
            .into_iter()
            .map(|g| {
                let dir = g.direction.map_or("NA".to_string(), |d| d.to_string());
                let le: Vec<&str> = g.leading_edge.iter().map(|&r| labels[r]).collect();
                let extra = vec![
                    fmt_f64(g.log2err),
                    g.size.to_string(),
                    fmt_f64(g.es),
                    fmt_f64(g.nes),
                    g.leading_edge.len().to_string(),
                    le.join(","),
                ];
                (dir, g.p_value, g.fdr, g.nes.abs(), extra)
            })
            .collect();
        (
            vec![
                "log2err",
                "NGenes",
                "ES",
                "NES",
                "leading_edge_size",
                "leading_edge",
            ],
            results,
        )
    } else {
        let opts = CameraPrOptions {
            inter_gene_cor: t.inter_gene_cor,
            use_ranks: t.use_ranks,
        };
        let res = camera_pr(&stat, &sets, &opts).context("camera-pr")?;
        let results = res
            .into_iter()
            .map(|c| {
                let extra = vec![c.n_genes.to_string()];
                (c.direction.to_string(), c.p_value, c.fdr, 0.0, extra)
            })
            .collect();
        (vec!["NGenes"], results)
    };
    let mut header = vec!["id", "name", "size", "direction", "P.Value", "adj.P.Val"];
    header.extend(extra_names);
    header.push("genes");
    let mut table = TsvTable::new(header);
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (results[a].1, results[b].1);
        pa.is_nan()
            .cmp(&pb.is_nan())
            .then(pa.total_cmp(&pb))
            .then(results[b].3.total_cmp(&results[a].3))
            .then(a.cmp(&b))
    });
    for k in order {
        let (dir, p, fdr, _, extra) = &results[k];
        let mut row = common_cells(&collection, &restricted, k, dir, *p, *fdr)?;
        row.extend(extra.iter().cloned());
        row.push(genes_cell(&restricted, k, &labels));
        table.push(row);
    }
    table.write_atomic(&out.join("enrichment.tsv"))?;
    record.output("enrichment.tsv");
    let n_sig = results.iter().filter(|r| r.2 < 0.05).count();
    let how = if args.method == EnrichMethod::Gsea {
        let ml = if t.gsea_multilevel {
            " with multilevel p-values"
        } else {
            ""
        };
        format!(
            "gsea ({} permutations, seed {}){ml}",
            t.permutations, t.seed
        )
    } else {
        "camera-pr".to_string()
    };
    Ok(format!(
        "enrich: {how} on the t of {} assays; {} of {} sets tested; {} with FDR < 0.05",
        rows.len(),
        results.len(),
        collection.len(),
        n_sig
    ))
}

/// Up- and down-regulated rows: by --fdr, or the --top N of each sign by P.Value.
fn changed(rows: &[DeRow], args: &EnrichArgs) -> (Vec<usize>, Vec<usize>) {
    let pick = |sign: f64| -> Vec<usize> {
        let mut idx: Vec<usize> = (0..rows.len())
            .filter(|&i| rows[i].log_fc * sign > 0.0)
            .collect();
        match args.top {
            Some(n) => {
                idx.retain(|&i| !rows[i].p_value.is_nan());
                idx.sort_by(|&a, &b| rows[a].p_value.total_cmp(&rows[b].p_value).then(a.cmp(&b)));
                idx.truncate(n);
                idx.sort_unstable();
                idx
            }
            None => idx
                .into_iter()
                .filter(|&i| rows[i].adj_p < args.fdr)
                .collect(),
        }
    };
    (pick(1.0), pick(-1.0))
}

/// Reads the columns enrichment needs from a de.tsv, for one contrast.
fn parse_de(text: &str, args: &EnrichArgs) -> Result<Vec<DeRow>> {
    let path = args
        .de
        .as_deref()
        .unwrap_or(std::path::Path::new("de.tsv"))
        .display();
    let mut lines = text.lines().enumerate();
    let (_, header) = lines
        .next()
        .ok_or_else(|| anyhow::anyhow!("{path}: empty file"))?;
    let cols: Vec<&str> = header.split('\t').collect();
    let col = |name: &str| {
        cols.iter().position(|c| *c == name).ok_or_else(|| {
            anyhow::anyhow!("{path} line 1: no column `{name}` (found: {}); pass the de.tsv written by `npxkit de`", cols.join(", "))
        })
    };
    let (oid, assay, lfc, pv, adj) = (
        col("OlinkID")?,
        col("Assay")?,
        col("logFC")?,
        col("P.Value")?,
        col("adj.P.Val")?,
    );
    let contrast_col = cols.iter().position(|c| *c == "contrast");
    let t_col = cols.iter().position(|c| *c == "t");
    let mut rows = Vec::new();
    let mut contrasts: Vec<String> = Vec::new();
    for (i, line) in lines {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != cols.len() {
            anyhow::bail!(
                "{path} line {}: {} fields where the header has {}",
                i + 1,
                f.len(),
                cols.len()
            );
        }
        if let Some(c) = contrast_col {
            if !contrasts.iter().any(|x| x == f[c]) {
                contrasts.push(f[c].to_string());
            }
            match &args.contrast {
                Some(want) if want != f[c] => continue,
                _ => {}
            }
        }
        let num = |j: usize| -> Result<f64> {
            let v = f[j];
            if v == "NA" {
                return Ok(f64::NAN);
            }
            v.parse::<f64>().map_err(|_| {
                anyhow::anyhow!(
                    "{path} line {}, column `{}`: `{v}` is not a number",
                    i + 1,
                    cols[j]
                )
            })
        };
        rows.push(DeRow {
            olink_id: f[oid].to_string(),
            assay: f[assay].to_string(),
            log_fc: num(lfc)?,
            p_value: num(pv)?,
            adj_p: num(adj)?,
            t: match t_col {
                Some(j) => num(j)?,
                None => f64::NAN,
            },
        });
    }
    if contrast_col.is_some() {
        match &args.contrast {
            None if contrasts.len() > 1 => {
                return Err(UsageError(format!(
                    "{path} holds several contrasts ({}); choose one with --contrast",
                    contrasts.join(", ")
                ))
                .into())
            }
            Some(c) if !contrasts.contains(c) => {
                return Err(UsageError(format!(
                    "{path} has no contrast `{c}` (it has {})",
                    contrasts.join(", ")
                ))
                .into())
            }
            _ => {}
        }
    }
    if rows.is_empty() {
        anyhow::bail!("{path}: no rows");
    }
    Ok(rows)
}

/// camera / fry: set tests on the QC'd matrix with the design `npxkit de` would build.
/// Assays with a missing value among the design's samples are left out (both need
/// complete rows); sets are restricted to the remaining assays as for ORA.
fn run_matrix_method(
    args: &EnrichArgs,
    loaded: Option<&QcReport>,
    out: &Path,
    record: &mut RunRecord,
) -> Result<String> {
    let need = |what: &str| {
        UsageError(format!(
            "--method {} needs {what}",
            method_name(args.method)
        ))
    };
    let npx = args.npx.clone().ok_or_else(|| need("--npx FILE"))?;
    let samples = args.samples.clone().ok_or_else(|| need("--samples FILE"))?;
    let group = args.group.clone().ok_or_else(|| need("--group COL"))?;
    let contrast = args
        .contrast
        .clone()
        .ok_or_else(|| need("--contrast B-A"))?;
    let input = InputArgs {
        npx: Some(npx),
        samples: Some(samples),
        exclude_warn: false,
        mask_assay_warn: false,
        below_lod: BelowLodArg::Keep,
        max_missing: 1.0,
        lod: None,
        control_pattern: npxkit_core::DEFAULT_CONTROL_PATTERN.to_string(),
        exclude_outliers: false,
        assays: None,
    };
    let collection = load_collection(&args.genesets, record)?;
    let owned;
    let report = match loaded {
        Some(r) => r,
        None => {
            owned = load_input(&input, record)?;
            &owned
        }
    };
    let m = report.require_data()?;
    let spec = DesignSpec {
        group,
        pair: args.pair.clone(),
        covariates: args.covariates.clone(),
        contrasts: vec![contrast.clone()],
    };
    let design = match build_design(m, &spec) {
        Ok(d) => d,
        Err(e @ CoreError::UnknownLevel { .. }) => return Err(UsageError(e.to_string()).into()),
        Err(e) => return Err(usage_or_data(e)),
    };
    let y_all = m.values.select(Axis(1), &design.samples);
    let rows: Vec<usize> = (0..m.n_assays())
        .filter(|&i| y_all.row(i).iter().all(|v| v.is_finite()))
        .collect();
    if rows.len() < m.n_assays() {
        log::warn!(
            "{} assay(s) with missing values left out ({:?} needs complete rows)",
            m.n_assays() - rows.len(),
            args.method
        );
    }
    let y = y_all.select(Axis(0), &rows);
    let labels: Vec<&str> = rows.iter().map(|&i| m.assays[i].label()).collect();
    let (collection, restricted) = restrict_to(args, collection, &labels)?;
    let sets: Vec<Vec<usize>> = restricted.sets.iter().map(|s| s.members.clone()).collect();
    // A contrast that is one coefficient is passed as that column (R's `contrast = j`),
    // else as weights: fry's approximation depends on the basis R builds from either form.
    let weights = match design.contrasts[0].coef {
        Some(j) => Contrast::Coef(j),
        None => Contrast::Vector(design.contrasts[0].weights.clone()),
    };
    // (n_genes, direction, p, fdr, extra columns)
    type Result5 = (usize, String, f64, f64, Vec<String>);
    let (extra_names, results): (Vec<&str>, Vec<Result5>) = if args.method == EnrichMethod::Fry {
        let rows = fry(y.view(), design.matrix.view(), &weights, &sets).context("fry")?;
        let results = rows
            .into_iter()
            .map(|f| {
                let extra = vec![fmt_f64(f.p_value_mixed), fmt_f64(f.fdr_mixed)];
                (f.n_genes, f.direction.to_string(), f.p_value, f.fdr, extra)
            })
            .collect();
        (vec!["PValue.Mixed", "FDR.Mixed"], results)
    } else {
        let t = &args.tuning;
        let opts = CameraOptions {
            inter_gene_cor: (!t.estimate_correlation).then_some(t.inter_gene_cor),
            use_ranks: t.use_ranks,
            allow_neg_cor: false,
            trend_var: t.trend_var,
        };
        let rows =
            camera(y.view(), design.matrix.view(), &weights, &sets, &opts).context("camera")?;
        let results = rows
            .into_iter()
            .map(|c| {
                let extra = vec![fmt_f64(c.correlation)];
                (c.n_genes, c.direction.to_string(), c.p_value, c.fdr, extra)
            })
            .collect();
        (vec!["Correlation"], results)
    };
    let mut header = vec![
        "id",
        "name",
        "size",
        "direction",
        "P.Value",
        "adj.P.Val",
        "NGenes",
    ];
    header.extend(extra_names);
    header.push("genes");
    let mut t = TsvTable::new(header);
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by(|&a, &b| results[a].2.total_cmp(&results[b].2).then(a.cmp(&b)));
    for k in order {
        let (n, dir, p, fdr, extra) = &results[k];
        let mut row = common_cells(&collection, &restricted, k, dir, *p, *fdr)?;
        row.push(n.to_string());
        row.extend(extra.iter().cloned());
        row.push(genes_cell(&restricted, k, &labels));
        t.push(row);
    }
    t.write_atomic(&out.join("enrichment.tsv"))?;
    record.output("enrichment.tsv");
    let n_sig = results.iter().filter(|r| r.3 < 0.05).count();
    Ok(format!(
        "enrich: {:?} on {} assays x {} samples, {contrast}; {} of {} sets tested; {} with FDR < 0.05",
        args.method, rows.len(), design.samples.len(), results.len(), collection.len(), n_sig
    ))
}

/// The common columns of enrichment.tsv (`id name size direction P.Value adj.P.Val`)
/// for set `k` of `restricted`; `size` is the set's size in the collection.
fn common_cells(
    collection: &GeneSetCollection,
    restricted: &RestrictedSets,
    k: usize,
    direction: &str,
    p: f64,
    fdr: f64,
) -> Result<Vec<String>> {
    let s = &restricted.sets[k];
    let set = collection
        .get(&s.id)
        .context("restricted set not in collection")?;
    Ok(vec![
        fmt_text(Some(&s.id)),
        fmt_text(Some(set.name())),
        set.len().to_string(),
        direction.to_string(),
        fmt_f64(p),
        fmt_f64(fdr),
    ])
}

/// The `genes` column: the set's measured members, comma-separated.
fn genes_cell(restricted: &RestrictedSets, k: usize, labels: &[&str]) -> String {
    restricted.sets[k]
        .members
        .iter()
        .map(|&r| labels[r])
        .collect::<Vec<_>>()
        .join(",")
}
