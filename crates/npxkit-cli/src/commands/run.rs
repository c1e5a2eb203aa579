//! `npxkit run`: every step in one process, the delivery loaded and QC'd once.
//!
//! Each step is the same code as its subcommand (`qc::execute`, `de::execute`, …)
//! writing the same file names into one folder, so `npxkit run` and a chain of
//! subcommands (or a workflow engine running them) give the same tables. Only the
//! loading is shared. `run.json` records the effective configuration, the inputs'
//! checksums and each step's wall time; `config.toml` is the effective configuration,
//! ready to re-run with `--config`.
//!
//! With a `[normalize]` section (`projects`, or `reference_medians`), the delivery and
//! the other projects are first joined onto one scale by the same code as `npxkit
//! normalize`, into `OUT/normalize/`, and every later step reads
//! `normalize/normalized.parquet` instead of `input.npx`.

use anyhow::{Context, Result};
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::{
    AdjustArg, AlgorithmArg, BelowLodArg, ClusterArgs, DeArgs, DirectionArg, EbayesArg, EnrichArgs,
    EnrichMethod, InputArgs, KcdfArg, KcdfModeArg, MembersArg, MethodArg, NormalizeArgs, QcArgs,
    ReportArgs, RunArgs, ScoreArgs, ScoreMethod, SimilarityArg, TestArg,
};
use crate::commands::{
    cluster, de, enrich, ensure_out_dir, load_input, normalize, qc, report, score,
};
use crate::config::{self, RunConfig};
use crate::provenance::RunRecord;
use crate::UsageError;

/// The subfolder of `--out` with the normalize step's outputs.
const NORMALIZE_DIR: &str = "normalize";

/// Runs `npxkit run`.
pub fn run(args: RunArgs, quiet: bool) -> Result<()> {
    if args.print_config {
        print!("{}", config::TEMPLATE);
        return Ok(());
    }
    let cfg = effective_config(&args)?;
    let out = args.out.clone().context("--out is required")?;
    let steps = Steps::from_config(&cfg, &out)?;
    ensure_out_dir(&out)?;
    let mut record = RunRecord::start("run", serde_json::to_value(&cfg)?);
    let mut progress = Progress::new(quiet, steps.count());

    if let Some(n) = &steps.normalize {
        progress.start("normalize");
        let s = normalize::execute(n)?;
        for f in [
            "normalized.parquet",
            "normalized.csv",
            "adjustments.tsv",
            "run.json",
        ] {
            record.output(&format!("{NORMALIZE_DIR}/{f}"));
        }
        if n.out.join("bridgeability.tsv").exists() {
            record.output(&format!("{NORMALIZE_DIR}/bridgeability.tsv"));
        }
        progress.done(&mut record, "normalize", &s);
    }

    progress.start("load and QC");
    let report = load_input(&steps.input, &mut record)?;
    progress.done(&mut record, "load", "");

    progress.start("qc");
    let s = qc::execute(&steps.qc, &report, &out, &mut record)?;
    progress.done(&mut record, "qc", &s);

    progress.start("de");
    let s = de::execute(&steps.de, &report, &out, &mut record)?;
    progress.done(&mut record, "de", &s);

    if let Some(score_args) = &steps.score {
        progress.start("score");
        let s = score::execute(score_args, &report, &out, &mut record)?;
        progress.done(&mut record, "score", &s);
    }
    if let Some(enrich_args) = &steps.enrich {
        progress.start("enrich");
        let s = enrich::execute(enrich_args, Some(&report), &out, &mut record)?;
        progress.done(&mut record, "enrich", &s);
    }
    if let Some(cluster_args) = &steps.cluster {
        progress.start("cluster");
        let s = cluster::execute(cluster_args, &out, &mut record)?;
        progress.done(&mut record, "cluster", &s);
    }

    // Absolute input paths, so that `--config DIR/config.toml` re-runs from anywhere.
    let mut written = cfg.clone();
    for p in [
        &mut written.input.npx,
        &mut written.input.samples,
        &mut written.input.assays,
        &mut written.normalize.subset,
        &mut written.normalize.reference_medians,
        &mut written.normalize.product_mapping,
    ] {
        if let Some(abs) = p.as_ref().and_then(|x| std::fs::canonicalize(x).ok()) {
            *p = Some(abs);
        }
    }
    for p in &mut written.normalize.projects {
        if let Ok(abs) = std::fs::canonicalize(&*p) {
            *p = abs;
        }
    }
    let text = config::to_toml(&written)?;
    npxkit_io::write_atomic(&out.join("config.toml"), |w| w.write_all(text.as_bytes()))
        .context("writing config.toml")?;
    record.output("config.toml");
    if let Some(report_args) = &steps.report {
        progress.start("report");
        record.snapshot(&out)?;
        let s = report::execute(report_args, &mut record)?;
        progress.done(&mut record, "report", &s);
    }
    record.finish(&out)?;
    if !quiet {
        eprintln!("npxkit run: results in {}", out.display());
    }
    Ok(())
}

/// Defaults → --config → --set → dedicated flags.
fn effective_config(args: &RunArgs) -> Result<RunConfig> {
    let mut cfg = config::load(args.config.as_deref(), &args.set)?;
    if let Some(p) = &args.npx {
        cfg.input.npx = Some(p.clone());
    }
    if let Some(p) = &args.samples {
        cfg.input.samples = Some(p.clone());
    }
    if let Some(g) = &args.group {
        cfg.design.group.clone_from(g);
    }
    if let Some(p) = &args.pair {
        cfg.design.pair.clone_from(p);
    }
    if !args.contrast.is_empty() {
        cfg.design.contrast.clone_from(&args.contrast);
    }
    if let Some(c) = &args.covariates {
        cfg.design.covariates.clone_from(c);
    }
    if let Some(h) = &args.highlight {
        cfg.report.highlight.clone_from(h);
    }
    // Paths in a config file are relative to the file, as users expect of a config.
    if let (Some(cfg_path), None) = (&args.config, &args.npx) {
        cfg.input.npx = cfg.input.npx.map(|p| relative_to(cfg_path, p));
    }
    if let (Some(cfg_path), None) = (&args.config, &args.samples) {
        cfg.input.samples = cfg.input.samples.map(|p| relative_to(cfg_path, p));
    }
    if let Some(cfg_path) = &args.config {
        cfg.input.assays = cfg.input.assays.map(|p| relative_to(cfg_path, p));
        let n = &mut cfg.normalize;
        n.projects = std::mem::take(&mut n.projects)
            .into_iter()
            .map(|p| relative_to(cfg_path, p))
            .collect();
        for p in [
            &mut n.subset,
            &mut n.reference_medians,
            &mut n.product_mapping,
        ] {
            *p = p.take().map(|x| relative_to(cfg_path, x));
        }
    }
    Ok(cfg)
}

fn relative_to(config: &Path, p: PathBuf) -> PathBuf {
    if p.is_absolute() {
        return p;
    }
    config.parent().map_or(p.clone(), |dir| dir.join(&p))
}

/// The arguments of each step, built from the configuration (and checked) before any
/// file is read.
struct Steps {
    normalize: Option<NormalizeArgs>,
    input: InputArgs,
    qc: QcArgs,
    de: DeArgs,
    score: Option<ScoreArgs>,
    enrich: Option<EnrichArgs>,
    cluster: Option<ClusterArgs>,
    report: Option<ReportArgs>,
}

impl Steps {
    fn from_config(cfg: &RunConfig, out: &Path) -> Result<Steps> {
        let npx = cfg.input.npx.clone().ok_or_else(|| {
            UsageError("no NPX file: pass --npx FILE or set input.npx in the config".into())
        })?;
        let samples = cfg.input.samples.clone().ok_or_else(|| {
            UsageError(
                "no sample manifest: pass --samples FILE or set input.samples in the config".into(),
            )
        })?;
        if !cfg.design.block.is_empty() && !cfg.design.pair.is_empty() {
            return Err(UsageError(
                "design.block and design.pair both set: the subject is either a fixed (pair) or a random (block) effect; set pair = \"\" to use block".into(),
            )
            .into());
        }
        if cfg.design.contrast.is_empty() {
            return Err(
                UsageError("design.contrast is empty: give at least one B-A".into()).into(),
            );
        }
        let normalize = if cfg.normalize.enabled() {
            let n = &cfg.normalize;
            if cfg.input.assays.is_some() {
                return Err(UsageError(
                    "[normalize] joins Olink long-format projects; input.assays (a wide matrix) cannot be normalised: normalise the projects first with npxkit normalize".into(),
                )
                .into());
            }
            Some(NormalizeArgs {
                npx: std::iter::once(npx.clone())
                    .chain(n.projects.iter().cloned())
                    .collect(),
                reference: n.reference,
                bridge_samples: n.bridge_samples.clone(),
                subset: n.subset.clone(),
                reference_medians: n.reference_medians.clone(),
                drop_bridge_copies: n.drop_bridge_copies,
                products: n.products.clone(),
                product_mapping: n.product_mapping.clone(),
                control_pattern: cfg.input.control_pattern.clone(),
                out: out.join(NORMALIZE_DIR),
            })
        } else {
            None
        };
        // After normalisation the analysis reads the normalised table.
        let npx = match &normalize {
            Some(n) => n.out.join("normalized.parquet"),
            None => npx,
        };
        let input = InputArgs {
            npx: Some(npx),
            samples: Some(samples),
            exclude_warn: cfg.input.exclude_warn,
            mask_assay_warn: cfg.input.mask_assay_warn,
            below_lod: pick::<BelowLodArg>("input.below_lod", &cfg.input.below_lod)?,
            max_missing: cfg.input.max_missing,
            lod: (!cfg.input.lod.is_empty()).then(|| cfg.input.lod.clone()),
            control_pattern: cfg.input.control_pattern.clone(),
            exclude_outliers: cfg.input.exclude_outliers,
            assays: cfg.input.assays.clone(),
        };
        let pair = (!cfg.design.pair.is_empty()).then(|| cfg.design.pair.clone());
        // The subject for pairing (QC report, score tests, paired plots): the fixed-effect
        // pair or, with design.block, the random-effect block.
        let subject = pair
            .clone()
            .or_else(|| (!cfg.design.block.is_empty()).then(|| cfg.design.block.clone()));
        let first = cfg.design.contrast[0].clone();
        let qc = QcArgs {
            input: input.clone(),
            group: Some(cfg.design.group.clone()).filter(|_| subject.is_some()),
            pair: subject.clone(),
            pca_outlier_sd: cfg.qc.pca_outlier_sd,
            out: out.to_path_buf(),
        };
        let de = DeArgs {
            input: input.clone(),
            group: cfg.design.group.clone(),
            contrast: cfg.design.contrast.clone(),
            pair: pair.clone(),
            method: pick::<MethodArg>("de.method", &cfg.de.method)?,
            covariates: cfg.design.covariates.clone(),
            block: (!cfg.design.block.is_empty()).then(|| cfg.design.block.clone()),
            correlation: cfg.de.correlation,
            random: cfg.de.random.clone(),
            reml: cfg.de.reml,
            posthoc: cfg.de.posthoc,
            shard: None,
            merge: vec![],
            test: pick::<TestArg>("de.test", &cfg.de.test)?,
            ebayes: pick::<EbayesArg>("de.ebayes", &cfg.de.ebayes)?,
            trend: cfg.de.trend,
            robust: cfg.de.robust,
            lfc: cfg.de.lfc,
            adjust: pick::<AdjustArg>("de.adjust", &cfg.de.adjust)?,
            highlight: cfg.report.highlight.clone(),
            plot_top: cfg.report.top_proteins,
            out: out.to_path_buf(),
        };
        let score = if cfg.score.enabled {
            let s = &cfg.score;
            Some(ScoreArgs {
                input: input.clone(),
                genesets: s.genesets.clone(),
                method: pick::<ScoreMethod>("score.method", &s.method)?,
                kcdf: pick::<KcdfArg>("score.kcdf", &s.kcdf)?,
                kcdf_mode: pick::<KcdfModeArg>("score.kcdf_mode", &s.kcdf_mode)?,
                tau: s.tau,
                mx_diff: s.mx_diff,
                abs_ranking: s.abs_ranking,
                ssgsea_norm: s.ssgsea_norm,
                min_size: s.min_size,
                max_size: s.max_size,
                resolve_aliases: s.resolve_aliases,
                impute_missing: s.impute_missing,
                group: Some(cfg.design.group.clone()),
                contrast: Some(first.clone()),
                pair: subject.clone(),
                adjust: pick::<AdjustArg>("score.adjust", &s.adjust)?,
                out: out.to_path_buf(),
            })
        } else {
            None
        };
        let enrich = if cfg.enrich.enabled {
            let e = &cfg.enrich;
            Some(EnrichArgs {
                de: Some(out.join("de.tsv")),
                contrast: Some(first.clone()),
                npx: input.npx.clone(),
                samples: input.samples.clone(),
                group: Some(cfg.design.group.clone()),
                pair: pair.clone(),
                covariates: cfg.design.covariates.clone(),
                genesets: e.genesets.clone(),
                method: pick::<EnrichMethod>("enrich.method", &e.method)?,
                tuning: crate::cli::EnrichTuning {
                    seed: e.seed,
                    permutations: e.permutations,
                    gsea_weight: e.gsea_weight,
                    gsea_multilevel: e.gsea_multilevel,
                    gsea_sample_size: e.gsea_sample_size,
                    gsea_eps: e.gsea_eps,
                    ..Default::default()
                },
                fdr: e.fdr,
                top: e.top,
                min_size: e.min_size,
                max_size: e.max_size,
                universe: None,
                resolve_aliases: e.resolve_aliases,
                out: out.to_path_buf(),
            })
        } else {
            None
        };
        let cluster = if cfg.cluster.enabled && enrich.is_some() {
            let c = &cfg.cluster;
            Some(ClusterArgs {
                enrichment: out.join("enrichment.tsv"),
                genesets: Some(cfg.enrich.genesets.clone()),
                fdr: c.fdr,
                top: c.top,
                direction: DirectionArg::Both,
                members: pick::<MembersArg>("cluster.members", &c.members)?,
                similarity: pick::<SimilarityArg>("cluster.similarity", &c.similarity)?,
                min_similarity: c.min_similarity,
                algorithm: pick::<AlgorithmArg>("cluster.algorithm", &c.algorithm)?,
                min_cluster_size: c.min_cluster_size,
                seed: c.seed,
                out: out.to_path_buf(),
            })
        } else {
            None
        };
        let report = cfg.report.enabled.then(|| ReportArgs {
            input: vec![out.to_path_buf()],
            title: cfg.report.title.clone(),
            highlight: cfg.report.highlight.clone(),
            contrast: Some(first.clone()),
            fdr: 0.05,
            png: cfg.report.png,
            out: out.to_path_buf(),
        });
        // The subcommands' own checks, before the (possibly large) delivery is read.
        if let Some(s) = &score {
            crate::commands::score::check_collection_spec(&s.genesets)?;
        }
        if let Some(e) = &enrich {
            crate::commands::score::check_collection_spec(&e.genesets)?;
        }
        Ok(Steps {
            normalize,
            input,
            qc,
            de,
            score,
            enrich,
            cluster,
            report,
        })
    }

    fn count(&self) -> usize {
        3 + usize::from(self.normalize.is_some())
            + usize::from(self.score.is_some())
            + usize::from(self.enrich.is_some())
            + usize::from(self.cluster.is_some())
            + usize::from(self.report.is_some())
    }
}

/// A config value of one of the CLI's value enums (same names, same error wording).
fn pick<T: ValueEnum>(key: &str, value: &str) -> Result<T> {
    T::from_str(value, true).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        UsageError(format!(
            "{key} = \"{value}\" is not one of: {}",
            names.join(", ")
        ))
        .into()
    })
}

/// Step messages on stderr: a spinner on a terminal, one line per finished step.
struct Progress {
    quiet: bool,
    total: usize,
    k: usize,
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
}

impl Progress {
    fn new(quiet: bool, total: usize) -> Self {
        Progress {
            quiet,
            total,
            k: 0,
            bar: None,
            started: Instant::now(),
        }
    }

    fn start(&mut self, name: &str) {
        self.k += 1;
        self.started = Instant::now();
        if self.quiet {
            return;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{prefix}] {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.set_prefix(format!("{}/{}", self.k, self.total));
        bar.set_message(name.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        self.bar = Some(bar);
    }

    fn done(&mut self, record: &mut RunRecord, name: &str, summary: &str) {
        let secs = self.started.elapsed().as_secs_f64();
        record.step(name, secs);
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("[{}/{}] {name}: {secs:.2} s", self.k, self.total);
        }
        let summary = summary.trim_end();
        if !summary.is_empty() {
            println!("{summary}");
        }
    }
}
