//! One module per subcommand, plus the input loading they share.

mod cluster;
mod de;
mod de_lmer;
mod de_shard;
mod enrich;
mod genesets;
mod normalize;
mod qc;
mod report;
mod run;
mod score;
mod simulate;

use anyhow::{Context, Result};
use std::path::Path;

use crate::cli::{BelowLodArg, Cli, Command, InputArgs};
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_core::{build_matrix, BelowLod, CoreError, QcOptions, QcReport};
use npxkit_io::Manifest;

/// Runs the chosen subcommand.
pub fn run(cli: Cli) -> Result<()> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Run(args) => run::run(args, quiet),
        Command::Qc(args) => qc::run(args),
        Command::De(args) => de::run(args),
        Command::Score(args) => score::run(args),
        Command::Enrich(args) => enrich::run(args),
        Command::Cluster(args) => cluster::run(args),
        Command::Report(args) => report::run(args),
        Command::Versions { yaml } => {
            versions(yaml);
            Ok(())
        }
        Command::Genesets(args) => genesets::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Normalize(args) => normalize::run(args),
    }
}

/// `npxkit versions`.
fn versions(yaml: bool) {
    let v = env!("CARGO_PKG_VERSION");
    if yaml {
        println!("npxkit: {v}");
        return;
    }
    println!("npxkit {v}");
    println!("reproduces: limma 3.54.1 (eBayes legacy; current = limma 3.62+), GSVA 1.46.0, igraph 1.3.5 (walktrap), vissE 1.12 (themes), OlinkAnalyze 5.0 (normalization, QC rules)");
    for b in npxkit_genesets::builtins() {
        println!("gene sets {}: {} ({} sets)", b.name, b.version, b.n_sets);
    }
}

/// Turns option mistakes found while reading the data (a column the manifest lacks,
/// pairing without a manifest) into usage errors (exit 2); other errors stay data errors.
pub fn usage_or_data(e: CoreError) -> anyhow::Error {
    match e {
        CoreError::InvalidOption(_) | CoreError::NoSuchColumn { .. } => {
            UsageError(e.to_string()).into()
        }
        other => other.into(),
    }
}

/// Creates the output folder.
pub fn ensure_out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))
}

/// Reads the NPX file and manifest, applies QC and pivots; records the inputs.
pub fn load_input(input: &InputArgs, record: &mut RunRecord) -> Result<QcReport> {
    if !(0.0..=1.0).contains(&input.max_missing) {
        return Err(UsageError(format!(
            "--max-missing must be a fraction between 0 and 1, got {}",
            input.max_missing
        ))
        .into());
    }
    let npx = input.npx_path()?;
    let bytes = npxkit_io::read_bytes(npx)?;
    record.input(npx, &bytes);
    let mut data = if npxkit_io::detect_wide_matrix(&bytes).is_some() {
        if input.lod.is_some() {
            return Err(UsageError(format!(
                "--lod: {} is a wide sample x assay matrix, which has no negative controls, counts or plates; give the Olink long delivery to recompute LOD",
                npx.display()
            ))
            .into());
        }
        let mut wide = npxkit_io::read_wide_matrix(&bytes, npx)?;
        drop(bytes);
        log::info!(
            "{}: {} ({} samples x {} assays)",
            npx.display(),
            wide.format.name(),
            wide.n_samples(),
            wide.assays.len()
        );
        if let Some(path) = &input.assays {
            let table_bytes = npxkit_io::read_bytes(path)?;
            record.input(path, &table_bytes);
            drop(table_bytes);
            let table = npxkit_io::read_assay_table(path)?;
            let missing = wide.attach_assays(&table);
            if !missing.is_empty() {
                log::warn!(
                    "{}: {} assay(s) of the matrix are not in the assay table and keep their OlinkID as name, e.g. {}",
                    path.display(),
                    missing.len(),
                    missing.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                );
            }
        }
        Data::Wide {
            first: Some(wide),
            spare: None,
            keep_spare: input.exclude_outliers,
        }
    } else {
        if input.assays.is_some() {
            log::warn!(
                "--assays applies to wide matrices only; ignored for {}",
                npx.display()
            );
        }
        let mut long = npxkit_io::read_npx_bytes(&bytes, npx)?;
        drop(bytes);
        if let Some(spec) = &input.lod {
            long = normalize::apply_lod(long, spec, &input.control_pattern, npx, record)?;
        }
        log::info!(
            "{}: {} ({} rows)",
            npx.display(),
            long.source().format.name(),
            long.height()
        );
        Data::Long(long)
    };
    let manifest = match &input.samples {
        Some(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read the manifest {}", path.display()))?;
            record.input(path, &bytes);
            let text = String::from_utf8(bytes).map_err(|_| {
                anyhow::anyhow!(
                    "{}: the manifest is not UTF-8 text; save it as UTF-8 TSV or CSV",
                    path.display()
                )
            })?;
            Some(Manifest::parse(&text, path)?)
        }
        None => None,
    };
    let mut opts = QcOptions {
        control_pattern: input.control_pattern.clone(),
        exclude_warn: input.exclude_warn,
        mask_assay_warn: input.mask_assay_warn,
        below_lod: match input.below_lod {
            BelowLodArg::Keep => BelowLod::Keep,
            BelowLodArg::Nan => BelowLod::Nan,
        },
        max_missing: input.max_missing,
        exclude_samples: Vec::new(),
    };
    let mut build = |opts: &QcOptions| -> Result<QcReport> {
        let result = match &mut data {
            Data::Long(long) => build_matrix(long, manifest.as_ref(), opts),
            Data::Wide {
                first,
                spare,
                keep_spare,
            } => {
                // A second pass (--exclude-outliers) needs the values again: keep a
                // copy then (twice the matrix in memory), none otherwise.
                let wide = match first.take() {
                    Some(w) => {
                        if *keep_spare {
                            *spare = Some(w.clone());
                        }
                        w
                    }
                    None => spare
                        .take()
                        .ok_or_else(|| anyhow::anyhow!("internal: wide matrix read twice"))?,
                };
                npxkit_core::matrix_from_wide(wide, manifest.as_ref(), opts)
            }
        };
        match result {
            Ok(r) => Ok(r),
            Err(CoreError::InvalidOption(msg)) => Err(UsageError(msg).into()),
            Err(e) => Err(e).with_context(|| format!("QC of {}", npx.display())),
        }
    };
    let mut report = build(&opts)?;
    if input.exclude_outliers {
        // A second pass without the outliers found on the first, so that every assay
        // statistic and filter is computed over the samples actually analysed.
        opts.exclude_samples = outliers(&report);
        if !opts.exclude_samples.is_empty() {
            log::warn!(
                "--exclude-outliers: {} sample(s) excluded: {}",
                opts.exclude_samples.len(),
                opts.exclude_samples
                    .iter()
                    .map(|(id, _)| id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            report = build(&opts)?;
        }
    }
    for w in &report.warnings {
        log::warn!("{w}");
    }
    Ok(report)
}

/// The NPX data as read: a long table, or a wide matrix (moved into the report).
enum Data {
    Long(npxkit_io::NpxLong),
    Wide {
        first: Option<npxkit_io::WideMatrix>,
        spare: Option<npxkit_io::WideMatrix>,
        keep_spare: bool,
    },
}

/// The QC outliers of the kept samples, with the reason: median or IQR beyond
/// [`qc::QC_OUTLIER_SD`] SD (OlinkAnalyze's olink_qc_plot rule), or PC1/PC2 beyond
/// [`PCA_OUTLIER_SD`] SD.
pub fn outliers(report: &QcReport) -> Vec<(String, String)> {
    let kept: Vec<&npxkit_core::SampleQc> = report
        .samples
        .iter()
        .filter(|s| s.excluded.is_none())
        .collect();
    let med: Vec<f64> = kept.iter().map(|s| s.median_npx).collect();
    let iqr: Vec<f64> = kept.iter().map(|s| s.iqr_npx).collect();
    let sd = qc::QC_OUTLIER_SD;
    let (om, oi) = (
        npxkit_core::sd_outliers(&med, sd),
        npxkit_core::sd_outliers(&iqr, sd),
    );
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, s) in kept.iter().enumerate() {
        if om[k] || oi[k] {
            out.push((
                s.sample_id.clone(),
                format!("QC outlier: NPX median or IQR beyond {sd} SD (--exclude-outliers)"),
            ));
        }
    }
    if let Some(pca) = npxkit_core::pca(&report.matrix, &npxkit_core::PcaOptions::default()) {
        let flags: Vec<Vec<bool>> = (0..pca.scores.ncols().min(2))
            .map(|c| npxkit_core::sd_outliers(&pca.scores.column(c).to_vec(), PCA_OUTLIER_SD))
            .collect();
        for (j, s) in report.matrix.samples.iter().enumerate() {
            if flags.iter().any(|f| f[j]) && !out.iter().any(|(id, _)| *id == s.sample_id) {
                out.push((
                    s.sample_id.clone(),
                    format!(
                        "QC outlier: beyond {PCA_OUTLIER_SD} SD on PC1 or PC2 (--exclude-outliers)"
                    ),
                ));
            }
        }
    }
    out
}

/// SDs on PC1/PC2 beyond which `--exclude-outliers` drops a sample (qc's default flag).
pub const PCA_OUTLIER_SD: f64 = 4.0;

/// The `p.adjust` method an `--adjust` value names.
pub fn adjust_method(a: crate::cli::AdjustArg) -> npxkit_stats::AdjustMethod {
    use crate::cli::AdjustArg;
    use npxkit_stats::AdjustMethod;
    match a {
        AdjustArg::BH => AdjustMethod::BH,
        AdjustArg::Bonferroni => AdjustMethod::Bonferroni,
        AdjustArg::Holm => AdjustMethod::Holm,
        AdjustArg::BY => AdjustMethod::BY,
        AdjustArg::None => AdjustMethod::None,
    }
}
