//! One module per subcommand, plus the input loading they share.

mod cluster;
mod de;
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
        Command::Genesets(args) => genesets::run(args),
        Command::Simulate(args) => simulate::run(args),
        Command::Normalize(args) => normalize::run(args),
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
    let long = npxkit_io::read_npx_bytes(&bytes, npx)?;
    log::info!(
        "{}: {} ({} rows)",
        npx.display(),
        long.source().format.name(),
        long.height()
    );
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
    let opts = QcOptions {
        control_pattern: input.control_pattern.clone(),
        exclude_warn: input.exclude_warn,
        mask_assay_warn: input.mask_assay_warn,
        below_lod: match input.below_lod {
            BelowLodArg::Keep => BelowLod::Keep,
            BelowLodArg::Nan => BelowLod::Nan,
        },
        max_missing: input.max_missing,
    };
    let report = match build_matrix(&long, manifest.as_ref(), &opts) {
        Ok(r) => r,
        Err(CoreError::InvalidOption(msg)) => return Err(UsageError(msg).into()),
        Err(e) => return Err(e).with_context(|| format!("QC of {}", npx.display())),
    };
    for w in &report.warnings {
        log::warn!("{w}");
    }
    Ok(report)
}

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
