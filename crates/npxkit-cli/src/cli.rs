//! Command-line definitions (clap derive). Each option's help is written once here and
//! feeds `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// npxkit: Olink NPX studies from the delivered files to a reproducible analysis.
#[derive(Debug, Parser)]
#[command(name = "npxkit", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// More messages on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// The step to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Olink QC: controls, sample and assay warnings, LOD, missingness, pairing.
    ///
    /// Writes qc.tsv (one row per sample in the NPX file), assay_qc.tsv (one row per
    /// assay) and run.json into --out, and prints a summary.
    ///
    /// Example:
    ///   npxkit qc --npx delivery.parquet --samples samples.tsv --group timepoint --pair subject --out results/
    #[command(verbatim_doc_comment)]
    Qc(QcArgs),
    /// Simulate a realistic paired Olink study with known truth, for demos and tests.
    ///
    /// Writes npx.csv (NPX Signature long CSV), npx.parquet (Explore HT parquet),
    /// samples.tsv (manifest: SampleID, subject, timepoint, age, sex), truth.tsv
    /// (true log2 fold change per assay) and run.json into --out.
    ///
    /// Example:
    ///   npxkit simulate --proteins 5400 --subjects 49 --seed 1 --out study/
    #[command(verbatim_doc_comment)]
    Simulate(SimulateArgs),
}

/// Input NPX file, manifest and QC rules shared by analysis subcommands.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Olink NPX file: long CSV/TSV, Target 96 wide CSV, Explore parquet or zip delivery
    /// (detected from content); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub npx: PathBuf,
    /// Sample manifest (TSV or CSV) with a SampleID column and free columns.
    #[arg(long, value_name = "FILE")]
    pub samples: Option<PathBuf>,
    /// Exclude samples whose QC status is WARN (FAIL is always excluded).
    #[arg(long)]
    pub exclude_warn: bool,
    /// Set values flagged by assay QC (WARN/FAIL) to missing.
    #[arg(long)]
    pub mask_assay_warn: bool,
    /// Values below LOD: keep them (Olink's advice) or set them to missing.
    #[arg(long, value_enum, default_value_t = BelowLodArg::Keep)]
    pub below_lod: BelowLodArg,
    /// Exclude assays missing in more than this fraction of kept samples (0-1).
    #[arg(long, value_name = "FRACTION", default_value_t = 1.0)]
    pub max_missing: f64,
    /// Regular expression marking control SampleIDs when the file has no SampleType.
    #[arg(long, value_name = "REGEX", default_value = npxkit_core::DEFAULT_CONTROL_PATTERN)]
    pub control_pattern: String,
}

/// `--below-lod` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BelowLodArg {
    /// Keep values below LOD.
    Keep,
    /// Set values below LOD to missing.
    Nan,
}

/// `npxkit qc` options.
#[derive(Debug, Args)]
pub struct QcArgs {
    /// Input and QC rules.
    #[command(flatten)]
    pub input: InputArgs,
    /// Manifest column with the timepoint / group (for the pairing report).
    #[arg(long, value_name = "COL", requires = "pair")]
    pub group: Option<String>,
    /// Manifest column with the subject (for the pairing report).
    #[arg(long, value_name = "COL", requires = "group")]
    pub pair: Option<String>,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `npxkit simulate` options.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Number of assays (proteins), at most 5400.
    #[arg(long, default_value_t = 5400)]
    pub proteins: usize,
    /// Number of subjects.
    #[arg(long, default_value_t = 49)]
    pub subjects: usize,
    /// Subjects sampled at C1D1 only.
    #[arg(long, default_value_t = 3)]
    pub unpaired: usize,
    /// Fraction of assays with a true change (besides CD274 and the immune markers).
    #[arg(long, default_value_t = 0.05)]
    pub frac_changed: f64,
    /// Probability that a value is missing.
    #[arg(long, default_value_t = 0.004)]
    pub missing_rate: f64,
    /// Seed of the random stream (same seed, same study).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Which NPX files to write.
    #[arg(long, value_enum, default_value_t = SimFormat::Both)]
    pub format: SimFormat,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `--format` values of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimFormat {
    /// npx.csv only.
    Csv,
    /// npx.parquet only.
    Parquet,
    /// Both.
    Both,
}
