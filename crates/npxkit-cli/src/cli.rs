//! Command-line definitions (clap derive). Each option's help is written once here and
//! feeds `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// npxkit: Olink NPX studies from the delivered files to a reproducible analysis.
#[derive(Debug, Parser)]
#[command(
    name = "npxkit",
    version,
    about = "Olink NPX proteomics: from the delivered files to a reproducible, limma-faithful analysis",
    long_about = None,
    propagate_version = true,
    term_width = 100
)]
pub struct Cli {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N", help_heading = "Global options",
          value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// More messages on stderr (-v info, -vv debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = "Global options")]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,
    /// The step to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The whole analysis in one command: qc, de, score, enrich, cluster, figures, report.
    ///
    /// Loads and QCs the delivery once, then runs every step into --out with fixed file
    /// names (qc.tsv, assay_qc.tsv, pca.tsv, de.tsv, scores.tsv, score_tests.tsv,
    /// enrichment.tsv, clusters.tsv, network.json, figures/, report.html, config.toml,
    /// run.json). Every option of every step is a key of a TOML config (--config; print
    /// the defaults, commented, with --print-config); --set section.key=value and the
    /// flags below override it. Defaults fit the study's case: paired C2D1 vs C1D1 by
    /// the manifest's `timepoint` and `subject`, Bindea 2013 scores, GO BP enrichment.
    ///
    /// Examples:
    ///   npxkit run --npx delivery.parquet --samples samples.tsv --out results/
    ///   npxkit run --print-config > npxkit.toml
    ///   npxkit run --config npxkit.toml --set de.trend=true --out results/
    #[command(verbatim_doc_comment)]
    Run(RunArgs),
    /// Olink QC: controls, sample and assay warnings, LOD, missingness, pairing.
    ///
    /// Writes qc.tsv (one row per sample in the NPX file, with OlinkAnalyze's median/IQR
    /// outlier flag), assay_qc.tsv (one row per assay), pca.tsv and pca_variance.tsv
    /// (principal components of the samples, as olink_pca_plot prepares them, with PCA
    /// outliers flagged) and run.json into --out, and prints a summary.
    ///
    /// Example:
    ///   npxkit qc --npx delivery.parquet --samples samples.tsv --group timepoint --pair subject --out results/
    #[command(verbatim_doc_comment)]
    Qc(QcArgs),
    /// Differential expression with limma's linear models and empirical Bayes.
    ///
    /// Fits `~ pair + group + covariates` to every assay (R's model.matrix with
    /// treatment contrasts; the reference group level is the second level of the first
    /// --contrast), moderates the variances as limma's eBayes (or treat with --lfc) and
    /// writes de.tsv (one row per assay and contrast, sorted by P.Value; limma's
    /// topTable columns), protein_values.tsv (the NPX of the --highlight and top
    /// proteins, for the report's paired plots) and run.json into --out, then prints a
    /// summary.
    /// --method ttest|wilcoxon runs R's t.test / wilcox.test per assay instead (paired
    /// with --pair), as OlinkAnalyze's olink_ttest / olink_wilcox. --block COL models the
    /// subject as a random effect as limma's duplicateCorrelation does (dupcor.tsv holds
    /// the per-assay correlations).
    ///
    /// Example:
    ///   npxkit de --npx delivery.parquet --samples samples.tsv --group timepoint \
    ///     --pair subject --contrast C2D1-C1D1 --out results/
    #[command(verbatim_doc_comment)]
    De(DeArgs),
    /// Per-sample gene-set scores (GSVA, ssGSEA, z-score, PLAGE) and paired tests.
    ///
    /// Maps assays to genes (multi-gene assays such as IL12A_IL12B count for each gene;
    /// a gene measured by several assays uses the one with the highest mean), drops
    /// assays with missing values and, except for ssGSEA, constant assays (as GSVA
    /// does), restricts the sets to the measured genes and scores every sample as R's
    /// GSVA 1.46 does. Writes scores.tsv (sets × samples), genesets.tsv (set sizes
    /// before and after mapping, and why a set was not scored) and, with --group and
    /// --contrast, score_tests.tsv (Wilcoxon signed-rank test of each score between the
    /// two levels over complete --pair subjects, or rank-sum without --pair), plus
    /// run.json.
    ///
    /// Example:
    ///   npxkit score --npx delivery.parquet --samples samples.tsv --genesets bindea2013 \
    ///     --method gsva --group timepoint --pair subject --contrast C2D1-C1D1 --out scores/
    #[command(verbatim_doc_comment)]
    Score(ScoreArgs),
    /// Gene-set enrichment of a differential-expression result.
    ///
    /// ora (default): one-sided hypergeometric tests for the up- and the down-regulated
    /// proteins of a de.tsv separately, as limma's goana/kegga. camera-pr and gsea: the
    /// moderated t of the de.tsv, by limma's cameraPR or preranked GSEA (weighted
    /// Kolmogorov-Smirnov score, seeded permutations). camera and fry: limma's tests on
    /// the NPX matrix with the design of `npxkit de`. Every method restricts the sets to
    /// the measured proteins (not the genome) and applies --min-size/--max-size after
    /// that. Writes enrichment.tsv and run.json.
    ///
    /// Examples:
    ///   npxkit enrich --de results/de.tsv --genesets go-bp --fdr 0.05 --out enrich/
    ///   npxkit enrich --de results/de.tsv --method gsea --seed 42 --out gsea/
    #[command(verbatim_doc_comment)]
    Enrich(EnrichArgs),
    /// Cluster enriched gene sets into themes, as vissE does.
    ///
    /// Selects terms of an enrichment.tsv (adj.P.Val <= --fdr, optionally the --top N by
    /// P.Value, optionally one --direction), links terms whose gene overlap (adjusted Rand
    /// index by default, over the genes of the selected terms) reaches --min-similarity,
    /// finds communities with walktrap (4 steps; identical to igraph's cluster_walktrap)
    /// or seeded Louvain/Leiden, orders clusters as vissE (rank of size x rank of median
    /// |-log10 P|) and labels each by its top TF-IDF words of the term names (IDF over the
    /// whole collection). Terms without an edge stay in clusters.tsv as unlinked. Writes
    /// clusters.tsv, cluster_words.tsv, network.json, network.graphml and run.json.
    ///
    /// Example:
    ///   npxkit cluster --enrichment enrich/enrichment.tsv --genesets go-bp --out themes/
    #[command(verbatim_doc_comment)]
    Cluster(ClusterArgs),
    /// Rebuild the HTML report and its figures from finished results, without recomputing.
    ///
    /// Reads the tables of --in (qc.tsv, pca.tsv, de.tsv, protein_values.tsv, scores.tsv,
    /// score_tests.tsv, enrichment.tsv, clusters.tsv, network.json and every run.json);
    /// --in is repeatable for the folders of separate steps (each table is taken from the
    /// first folder that has it). Writes report.html (one self-contained file: figures
    /// inline, sortable and searchable tables, methods paragraph, provenance) and
    /// figures/*.svg (+ .png) into --out, and run.json (report.run.json when --out is one
    /// of the --in folders, so their own run.json is kept).
    ///
    /// Example:
    ///   npxkit report --in results/ --out results/
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
    /// List and inspect the gene-set collections built into npxkit.
    ///
    /// `list` prints every embedded collection (name, version, number of sets, source);
    /// `show NAME` prints its sets (id, size, name) as a table, or one set's genes with
    /// --set; `show NAME --gmt` writes the whole collection as GMT on stdout;
    /// `build-go` makes current GO sets from the GO Consortium's OBO and GAF files.
    ///
    /// Examples:
    ///   npxkit genesets list
    ///   npxkit genesets show bindea2013 --set CD8_T_cells
    ///   npxkit genesets show go-bp --gmt > go_bp.gmt
    #[command(verbatim_doc_comment)]
    Genesets(GenesetsArgs),
    /// Versions of npxkit, of the R code it reproduces, and of the built-in gene sets.
    ///
    /// --yaml prints only `npxkit: VERSION`, for nf-core's versions.yml.
    ///
    /// Example:
    ///   npxkit versions --yaml
    #[command(verbatim_doc_comment)]
    Versions {
        /// Only `npxkit: VERSION`, as YAML.
        #[arg(long)]
        yaml: bool,
    },
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
    /// Put several NPX projects on one scale, as OlinkAnalyze's olink_normalization.
    ///
    /// Bridge normalisation (default): for every assay, the median over the bridge
    /// samples of reference NPX minus non-reference NPX is added to the non-reference
    /// project's NPX and LOD columns (R's median, missing pairs ignored, no factor = 0).
    /// --bridge-samples auto takes the SampleIDs two projects share, controls excluded.
    /// --subset FILE normalises by the difference of the medians of a subset of samples
    /// of each project; --reference-medians FILE normalises every project to given
    /// medians. Assays (OlinkID) not in every project are dropped with a warning, as
    /// OlinkAnalyze does. Two projects: both copies of the bridge samples are kept
    /// (olink_normalization); three or more are chained along the --npx order towards
    /// --reference (olink_normalization_n: each project to its already normalised
    /// neighbour, its own copies of the bridge samples removed). Writes normalized.csv
    /// (`;`-separated long table with Project and Adj_factor), normalized.parquet,
    /// adjustments.tsv (one row per project and assay) and run.json.
    ///
    /// Examples:
    ///   npxkit normalize --npx batch1.csv --npx batch2.csv --out normalized/
    ///   npxkit normalize --npx b1.csv --npx b2.csv --npx b3.csv --bridge-samples bridges.tsv --out norm/
    ///   npxkit normalize --npx batch2.csv --reference-medians medians.tsv --out norm/
    #[command(verbatim_doc_comment)]
    Normalize(NormalizeArgs),
}

/// `npxkit run` options (the rest is in the config).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Print the default configuration, commented, and exit.
    #[arg(long, exclusive = true)]
    pub print_config: bool,
    /// TOML configuration (see --print-config).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Olink NPX file (overrides input.npx).
    #[arg(long, value_name = "FILE")]
    pub npx: Option<PathBuf>,
    /// Sample manifest (overrides input.samples).
    #[arg(long, value_name = "FILE")]
    pub samples: Option<PathBuf>,
    /// Manifest column compared (overrides design.group; default timepoint).
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// Manifest column with the subject (overrides design.pair; default subject);
    /// --pair "" for an unpaired design.
    #[arg(long, value_name = "COL")]
    pub pair: Option<String>,
    /// Contrast B-A, repeatable (overrides design.contrast; default C2D1-C1D1).
    #[arg(long, value_name = "B-A")]
    pub contrast: Vec<String>,
    /// Covariates, comma-separated (overrides design.covariates).
    #[arg(long, value_name = "C1,C2", value_delimiter = ',')]
    pub covariates: Option<Vec<String>>,
    /// Proteins always labelled and plotted, comma-separated (overrides report.highlight).
    #[arg(long, value_name = "P1,P2", value_delimiter = ',')]
    pub highlight: Option<Vec<String>>,
    /// Any config key: --set de.trend=true --set enrich.genesets=go-mf. Repeatable.
    #[arg(long = "set", value_name = "SECTION.KEY=VALUE")]
    pub set: Vec<String>,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR", required_unless_present = "print_config")]
    pub out: Option<PathBuf>,
}

/// Input NPX file, manifest and QC rules shared by analysis subcommands.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Olink NPX file (required): long CSV/TSV, Target 96 wide CSV or xlsx, Explore parquet,
    /// zip delivery, or a wide sample x assay matrix (parquet/CSV/TSV: SampleID, then one
    /// column per OlinkID) (detected from content); `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub npx: Option<PathBuf>,
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
    /// Recompute LOD (and MissingFreq) before the below-LOD rules, as OlinkAnalyze's
    /// olink_lod: `negative-controls` (median + max(0.2, 3 SD) of the negative controls
    /// per assay and lot, count-based for low-count assays) or a fixed LOD FILE from
    /// Olink (`;`-separated: OlinkID, DataAnalysisRefID, LODNPX, LODCount, LODMethod).
    #[arg(long, value_name = "negative-controls|FILE")]
    pub lod: Option<String>,
    /// Regular expression marking control SampleIDs when the file has no SampleType.
    #[arg(long, value_name = "REGEX", default_value = npxkit_core::DEFAULT_CONTROL_PATTERN)]
    pub control_pattern: String,
    /// Exclude QC outliers from the analysis: samples whose NPX median or IQR is more than
    /// 3 SD from the mean (OlinkAnalyze's olink_qc_plot rule), or more than 4 SD from the
    /// mean on PC1 or PC2 (qc.tsv flags them either way; the reason is in qc.tsv).
    #[arg(long)]
    pub exclude_outliers: bool,
    /// Assay table (TSV or CSV with OlinkID, UniProt, Assay, Panel) for a wide matrix
    /// --npx (SampleID and one column per OlinkID); without it assays are named by OlinkID.
    #[arg(long, value_name = "FILE")]
    pub assays: Option<std::path::PathBuf>,
}

impl InputArgs {
    /// The NPX file; a usage error when --npx was not given.
    pub fn npx_path(&self) -> Result<&std::path::Path, crate::UsageError> {
        self.npx.as_deref().ok_or_else(|| {
            crate::UsageError("--npx FILE is required: the Olink NPX delivery to analyse".into())
        })
    }

    /// The QC options as recorded in `run.json`.
    pub fn qc_options_json(&self) -> serde_json::Value {
        serde_json::json!({
            "exclude_warn": self.exclude_warn,
            "mask_assay_warn": self.mask_assay_warn,
            "below_lod": format!("{:?}", self.below_lod).to_lowercase(),
            "max_missing": self.max_missing,
            "lod": self.lod,
            "control_pattern": self.control_pattern,
            "exclude_outliers": self.exclude_outliers,
        })
    }
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
    /// Flag samples more than this many standard deviations from the mean on PC1 or PC2
    /// (OlinkAnalyze's olink_pca_plot outlierDefX/outlierDefY). Flagged, not excluded.
    #[arg(long, value_name = "SD", default_value_t = 4.0)]
    pub pca_outlier_sd: f64,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `npxkit de` options.
#[derive(Debug, Args)]
pub struct DeArgs {
    /// Input and QC rules (--samples is required here).
    #[command(flatten)]
    pub input: InputArgs,
    /// Manifest column with the group compared (timepoint, arm). Required (except with
    /// --merge).
    #[arg(long, value_name = "COL", default_value = "")]
    pub group: String,
    /// Contrast B-A: level B minus level A of --group (e.g. C2D1-C1D1). Repeatable;
    /// with more than one, de.tsv gains a leading `contrast` column. Required (except
    /// with --merge).
    #[arg(long, value_name = "B-A")]
    pub contrast: Vec<String>,
    /// Manifest column with the subject: a blocking factor (paired design ~ subject + group);
    /// with --method ttest|wilcoxon, the paired test on subjects with both levels.
    #[arg(long, value_name = "COL")]
    pub pair: Option<String>,
    /// Manifest column with the subject as a random effect instead of --pair: limma's
    /// duplicateCorrelation (consensus within-subject correlation) then lmFit(block =,
    /// correlation =); with --method lmer, the random intercept (1 | COL). Uses every
    /// sample, paired or not (repeated visits, missed visits).
    #[arg(long, value_name = "COL", conflicts_with = "pair")]
    pub block: Option<String>,
    /// --method lmer: more random intercepts besides --block, comma-separated manifest
    /// columns (e.g. --random site for (1 | subject) + (1 | site)).
    #[arg(long, value_name = "C1,C2", value_delimiter = ',')]
    pub random: Vec<String>,
    /// --method lmer: fit by REML instead of maximum likelihood (OlinkAnalyze's default
    /// is ML, lmer(REML = FALSE)).
    #[arg(long)]
    pub reml: bool,
    /// --method lmer: also write lmer_posthoc.tsv, every pairwise difference of the
    /// --group levels per assay as emmeans(pairwise ~ group, adjust = "tukey") gives it.
    #[arg(long)]
    pub posthoc: bool,
    /// With --block: the within-block correlation to use instead of estimating it.
    #[arg(long, value_name = "RHO", requires = "block")]
    pub correlation: Option<f64>,
    /// Scatter: fit only the K-th of N equal slices of the assays (1-based) and write
    /// de.partial.tsv (the per-assay fits) instead of de.tsv; gather with --merge.
    /// --method limma only.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Gather: the de.partial.tsv of every shard (any order); runs the empirical Bayes
    /// step over all of them and writes the de.tsv one unsharded run would write, byte
    /// for byte. Takes only --out (and --adjust is read from the shards).
    #[arg(long, value_name = "PARTIAL", num_args = 1.., conflicts_with = "shard")]
    pub merge: Vec<PathBuf>,
    /// Test per assay: limma's moderated t, R's t.test (Welch, or paired with --pair) or
    /// wilcox.test (rank-sum, or signed-rank with --pair).
    #[arg(long, value_enum, default_value_t = MethodArg::Limma)]
    pub method: MethodArg,
    /// Manifest columns to adjust for, comma-separated (numeric when every value is a
    /// number, categorical otherwise), e.g. --covariates age,sex. --method limma only.
    #[arg(long, value_name = "C1,C2", value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Let the prior variance follow a trend in average NPX (limma's eBayes(trend = TRUE)).
    /// --method limma only.
    #[arg(long)]
    pub trend: bool,
    /// Robust prior, protecting against outlying variances (eBayes(robust = TRUE)). --method limma
    /// only.
    #[arg(long)]
    pub robust: bool,
    /// Test |logFC| > X instead of logFC = 0 (limma's treat; B is then NA). --method
    /// limma only.
    #[arg(long, value_name = "X")]
    pub lfc: Option<f64>,
    /// t: one moderated t-test per contrast (topTable). F: one moderated F-test over all
    /// the --contrast's (topTableF / topTable(coef = several)), e.g. any change across
    /// three visits; de.tsv then has one logFC column per contrast, AveExpr, F, P.Value,
    /// adj.P.Val. --method limma only.
    #[arg(long, value_enum, default_value_t = TestArg::T)]
    pub test: TestArg,
    /// The empirical Bayes prior: current = limma >= 3.62 (fitFDistUnequalDF1 when
    /// assays have different residual df, i.e. missing values), legacy = limma <= 3.60
    /// (fitFDist; the study's limma 3.60.3). Identical when no value is missing.
    #[arg(long, value_enum, default_value_t = EbayesArg::Current)]
    pub ebayes: EbayesArg,
    /// Multiple-testing adjustment of P.Value into adj.P.Val (R's p.adjust).
    #[arg(long, value_enum, ignore_case = true, default_value_t = AdjustArg::BH)]
    pub adjust: AdjustArg,
    /// Proteins whose values go to protein_values.tsv for the paired plots of the report,
    /// by assay symbol or OlinkID, comma-separated.
    #[arg(
        long,
        value_name = "P1,P2",
        value_delimiter = ',',
        default_value = "CD274"
    )]
    pub highlight: Vec<String>,
    /// Also the N proteins with the smallest P.Value (first contrast) in protein_values.tsv.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub plot_top: usize,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `--test` values of `de`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestArg {
    /// Moderated t per contrast.
    #[value(name = "t")]
    T,
    /// Moderated F over all contrasts.
    #[value(name = "F")]
    F,
}

/// `--ebayes` values of `de`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EbayesArg {
    /// limma >= 3.62 (eBayes(legacy = NULL)).
    Current,
    /// limma <= 3.60 (eBayes(legacy = TRUE)).
    Legacy,
}

/// `--method` values of `de`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// limma: lmFit, eBayes (or treat), topTable.
    Limma,
    /// R's t.test per assay: paired with --pair, else Welch.
    Ttest,
    /// R's wilcox.test per assay: signed-rank with --pair, else rank-sum.
    Wilcoxon,
    /// Linear mixed model per assay as OlinkAnalyze's olink_lmer (lme4 + lmerTest):
    /// random intercept per --block (and --random), ML unless --reml, Satterthwaite df.
    Lmer,
}

impl MethodArg {
    /// The name as typed on the command line (and recorded in run.json).
    pub fn name(self) -> &'static str {
        match self {
            MethodArg::Limma => "limma",
            MethodArg::Ttest => "ttest",
            MethodArg::Wilcoxon => "wilcoxon",
            MethodArg::Lmer => "lmer",
        }
    }
}

/// `--adjust` values (R's `p.adjust` method names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdjustArg {
    /// Benjamini-Hochberg false discovery rate.
    #[value(name = "BH")]
    BH,
    /// Bonferroni family-wise error rate.
    #[value(name = "bonferroni")]
    Bonferroni,
    /// Holm step-down family-wise error rate.
    #[value(name = "holm")]
    Holm,
    /// Benjamini-Yekutieli false discovery rate under dependence.
    #[value(name = "BY")]
    BY,
    /// No adjustment.
    #[value(name = "none")]
    None,
}

/// `npxkit score` options.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Input and QC rules.
    #[command(flatten)]
    pub input: InputArgs,
    /// Gene sets: a built-in collection (bindea2013, go-bp, go-mf, go-cc) or a GMT file.
    #[arg(long, value_name = "NAME|FILE.gmt", default_value = "bindea2013")]
    pub genesets: String,
    /// Scoring method.
    #[arg(long, value_enum, default_value_t = ScoreMethod::Gsva)]
    pub method: ScoreMethod,
    /// GSVA: kernel of the per-assay cumulative distribution estimate.
    #[arg(long, value_enum, default_value_t = KcdfArg::Gaussian)]
    pub kcdf: KcdfArg,
    /// GSVA: Gaussian CDF by GSVA 1.46's lookup table summed over all sample pairs (compat,
    /// reproduces R) or the true normal CDF by a linear-time series (exact; use it for
    /// hundreds of samples or more).
    #[arg(long, value_enum, default_value_t = KcdfModeArg::Compat)]
    pub kcdf_mode: KcdfModeArg,
    /// Weight exponent of the random walk (default 1 for gsva, 0.25 for ssgsea).
    #[arg(long, value_name = "X")]
    pub tau: Option<f64>,
    /// GSVA: score = largest positive + largest negative deviation (true) or the
    /// deviation of largest magnitude (false).
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub mx_diff: bool,
    /// GSVA: with --mx-diff, rank by absolute value (sets whose members move both ways).
    #[arg(long)]
    pub abs_ranking: bool,
    /// ssGSEA: divide scores by the range of all scores, as GSVA's ssgsea.norm.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub ssgsea_norm: bool,
    /// Smallest set size after mapping to measured genes.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub min_size: usize,
    /// Largest set size after mapping to measured genes.
    #[arg(long, value_name = "N")]
    pub max_size: Option<usize>,
    /// Rename old gene symbols in the sets to current ones (org.Hs.eg.db 3.16 aliases,
    /// e.g. INDO -> IDO1) before mapping. R's GSVA does not, so this is off by default.
    #[arg(long)]
    pub resolve_aliases: bool,
    /// Keep assays with missing values, each missing value replaced by the assay's
    /// median over the samples (R's GSVA needs complete rows, so by default such assays
    /// are left out). For large cohorts, where nearly every assay misses a few values.
    #[arg(long)]
    pub impute_missing: bool,
    /// Manifest column with the group compared by the tests (timepoint).
    #[arg(long, value_name = "COL", requires = "contrast")]
    pub group: Option<String>,
    /// Contrast B-A for the tests: level B minus level A of --group (e.g. C2D1-C1D1).
    #[arg(long, value_name = "B-A", requires = "group")]
    pub contrast: Option<String>,
    /// Manifest column with the subject: paired (signed-rank) tests over complete pairs.
    #[arg(long, value_name = "COL", requires = "group")]
    pub pair: Option<String>,
    /// Multiple-testing adjustment of the tests' P.Value (R's p.adjust).
    #[arg(long, value_enum, ignore_case = true, default_value_t = AdjustArg::BH)]
    pub adjust: AdjustArg,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `--method` values of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreMethod {
    /// Gene set variation analysis (Hänzelmann et al. 2013).
    Gsva,
    /// Single-sample GSEA (Barbie et al. 2009).
    Ssgsea,
    /// Combined z-score (Lee et al. 2008).
    Zscore,
    /// Pathway level analysis of gene expression (Tomfohr et al. 2005).
    Plage,
}

/// `--kcdf` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KcdfArg {
    /// Gaussian kernel (continuous data such as NPX).
    Gaussian,
    /// Poisson kernel (counts).
    Poisson,
    /// No kernel: the empirical distribution.
    None,
}

/// `--kcdf-mode` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KcdfModeArg {
    /// GSVA 1.46's truncated lookup table of the normal CDF: same numbers as R.
    Compat,
    /// The true normal CDF.
    Exact,
}

/// `npxkit enrich` options.
#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// ora, camera-pr, gsea: the de.tsv of `npxkit de` (any table with OlinkID, Assay,
    /// logFC, P.Value, adj.P.Val; camera-pr and gsea also need its moderated `t`).
    #[arg(long, value_name = "FILE")]
    pub de: Option<PathBuf>,
    /// ora, camera-pr, gsea: which contrast of a de.tsv with a `contrast` column
    /// (required when it has several). camera/fry: the contrast B-A of --group tested
    /// (required).
    #[arg(long, value_name = "B-A")]
    pub contrast: Option<String>,
    /// camera/fry: the Olink NPX file (default QC rules of `npxkit qc`).
    #[arg(long, value_name = "FILE")]
    pub npx: Option<PathBuf>,
    /// camera/fry: the sample manifest.
    #[arg(long, value_name = "FILE")]
    pub samples: Option<PathBuf>,
    /// camera/fry: manifest column with the group compared.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// camera/fry: manifest column with the subject (paired design ~ subject + group).
    #[arg(long, value_name = "COL")]
    pub pair: Option<String>,
    /// camera/fry: covariates, comma-separated, as for `npxkit de`.
    #[arg(long, value_name = "C1,C2", value_delimiter = ',')]
    pub covariates: Vec<String>,
    /// Gene sets: a built-in collection (go-bp, go-mf, go-cc, bindea2013) or a GMT file.
    #[arg(long, value_name = "NAME|FILE.gmt", default_value = "go-bp")]
    pub genesets: String,
    /// Method: over-representation of the changed proteins of --de (ora); limma's
    /// cameraPR (camera-pr) or preranked GSEA (gsea) on the moderated t of --de; or
    /// limma's competitive camera or self-contained fry test on the NPX matrix with
    /// the design of `npxkit de`.
    #[arg(long, value_enum, default_value_t = EnrichMethod::Ora)]
    pub method: EnrichMethod,
    /// Options of camera, camera-pr and gsea.
    #[command(flatten)]
    pub tuning: EnrichTuning,
    /// Changed proteins: adj.P.Val below this (split by the sign of logFC).
    #[arg(long, value_name = "X", default_value_t = 0.05, conflicts_with = "top")]
    pub fdr: f64,
    /// Changed proteins: the N smallest P.Value of each sign instead of --fdr.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Smallest set size among the universe.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub min_size: usize,
    /// Largest set size among the universe.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub max_size: usize,
    /// A file of OlinkIDs or assay symbols (one per line) to use as the universe instead
    /// of the annotated tested proteins.
    #[arg(long, value_name = "FILE")]
    pub universe: Option<PathBuf>,
    /// Rename old gene symbols in the sets to current ones before mapping.
    #[arg(long)]
    pub resolve_aliases: bool,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `npxkit enrich` options of camera, camera-pr and gsea.
#[derive(Debug, Clone, Args)]
pub struct EnrichTuning {
    /// camera, camera-pr: the inter-gene correlation (limma's inter.gene.cor), in (-1, 1).
    #[arg(long, value_name = "X", default_value_t = npxkit_genesets::enrich::DEFAULT_INTER_GENE_COR)]
    pub inter_gene_cor: f64,
    /// camera: estimate the inter-gene correlation of each set from the residuals
    /// (limma's inter.gene.cor = NA) instead of --inter-gene-cor.
    #[arg(long, conflicts_with = "inter_gene_cor")]
    pub estimate_correlation: bool,
    /// camera, camera-pr: Wilcoxon rank-sum test with correlation instead of the t test
    /// (limma's use.ranks).
    #[arg(long)]
    pub use_ranks: bool,
    /// camera: squeeze the variances towards a trend in the mean NPX (limma's trend.var).
    #[arg(long)]
    pub trend_var: bool,
    /// gsea: seed of the permutations (results are identical for any number of threads).
    #[arg(long, value_name = "N", default_value_t = npxkit_genesets::enrich::gsea::DEFAULT_SEED)]
    pub seed: u64,
    /// gsea: random gene sets per set size; the smallest permutation p-value is
    /// about 2/N (smaller ones come from the multilevel refinement).
    #[arg(long, value_name = "N", default_value_t = npxkit_genesets::enrich::gsea::DEFAULT_PERMUTATIONS)]
    pub permutations: usize,
    /// gsea: weight exponent p of the running sum, members stepping up by |t|^p
    /// (1 as fgsea and GSEA; 0 for the unweighted Kolmogorov-Smirnov statistic).
    #[arg(long, value_name = "P", default_value_t = npxkit_genesets::enrich::gsea::DEFAULT_WEIGHT)]
    pub gsea_weight: f64,
    /// gsea: refine p-values too small for the permutations by multilevel splitting
    /// (fgsea's fgseaMultilevel); false reports fgsea's simple permutation p-values.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub gsea_multilevel: bool,
    /// gsea: random sets in each multilevel population (fgsea's sampleSize, >= 3); more
    /// is more accurate and slower.
    #[arg(long, value_name = "N", default_value_t = npxkit_genesets::enrich::gsea::DEFAULT_SAMPLE_SIZE)]
    pub gsea_sample_size: usize,
    /// gsea: lower bound of the multilevel p-values (fgsea's eps, in [0, 1)); smaller
    /// ones are reported as this value with log2err NA; 0 for no bound.
    #[arg(long, value_name = "X", default_value = "1e-50")]
    pub gsea_eps: f64,
}

impl Default for EnrichTuning {
    fn default() -> Self {
        use npxkit_genesets::enrich::{gsea, DEFAULT_INTER_GENE_COR};
        Self {
            inter_gene_cor: DEFAULT_INTER_GENE_COR,
            estimate_correlation: false,
            use_ranks: false,
            trend_var: false,
            seed: gsea::DEFAULT_SEED,
            permutations: gsea::DEFAULT_PERMUTATIONS,
            gsea_weight: gsea::DEFAULT_WEIGHT,
            gsea_multilevel: true,
            gsea_sample_size: gsea::DEFAULT_SAMPLE_SIZE,
            gsea_eps: gsea::DEFAULT_EPS,
        }
    }
}

/// `--method` values of `enrich`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnrichMethod {
    /// Over-representation (hypergeometric), as limma's goana / kegga.
    Ora,
    /// limma's camera (competitive test accounting for inter-gene correlation).
    Camera,
    /// limma's cameraPR: camera's competitive test on the moderated t of a de.tsv.
    CameraPr,
    /// limma's fry (fast closed form of the self-contained rotation test roast).
    Fry,
    /// Preranked GSEA on the moderated t of a de.tsv (fgsea's permutation test, small
    /// p-values refined by multilevel splitting).
    Gsea,
}

/// `npxkit cluster` options.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// The enrichment.tsv of `npxkit enrich` (columns id, name, direction, P.Value,
    /// adj.P.Val, genes).
    #[arg(long, value_name = "FILE")]
    pub enrichment: PathBuf,
    /// The collection the terms come from (built-in name or GMT file), for the members
    /// (--members all) and the IDF of the labels. Default: the collection recorded in
    /// the run.json next to --enrichment, else go-bp.
    #[arg(long, value_name = "NAME|FILE.gmt")]
    pub genesets: Option<String>,
    /// Terms with adj.P.Val at most this.
    #[arg(long, value_name = "X", default_value_t = 0.05)]
    pub fdr: f64,
    /// At most this many terms (smallest P.Value first).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Only terms enriched in this direction.
    #[arg(long, value_enum, default_value_t = DirectionArg::Both)]
    pub direction: DirectionArg,
    /// Members of a term: every gene of the set in the collection (all, as vissE is used)
    /// or only the measured proteins of the `genes` column (measured).
    #[arg(long, value_enum, default_value_t = MembersArg::All)]
    pub members: MembersArg,
    /// Overlap measure between two terms.
    #[arg(long, value_enum, default_value_t = SimilarityArg::Ari)]
    pub similarity: SimilarityArg,
    /// Edge where the similarity is at least this.
    #[arg(long, value_name = "X", default_value_t = 0.25)]
    pub min_similarity: f64,
    /// Community detection.
    #[arg(long, value_enum, default_value_t = AlgorithmArg::Walktrap)]
    pub algorithm: AlgorithmArg,
    /// Communities with fewer terms are set aside (cluster NA).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_cluster_size: usize,
    /// Seed of Louvain/Leiden and of the network layout.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `--direction` values of `cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Up and down.
    Both,
    /// Up only.
    Up,
    /// Down only.
    Down,
}

/// `--members` values of `cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MembersArg {
    /// The set's genes in the collection.
    All,
    /// The measured proteins of the enrichment table.
    Measured,
}

/// `--similarity` values of `cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimilarityArg {
    /// Adjusted Rand index (vissE's default).
    Ari,
    /// Jaccard index.
    Jaccard,
    /// Overlap coefficient.
    Overlap,
}

/// `--algorithm` values of `cluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AlgorithmArg {
    /// Walktrap, 4 steps (vissE's default).
    Walktrap,
    /// Louvain, best of 10 seeded runs.
    Louvain,
    /// Leiden (modularity), best of 10 seeded runs.
    Leiden,
}

/// `npxkit report` options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Folder(s) with the result tables; repeatable.
    #[arg(long = "in", value_name = "DIR", required = true)]
    pub input: Vec<PathBuf>,
    /// Report title.
    #[arg(long, default_value = "npxkit report")]
    pub title: String,
    /// Proteins always labelled in the volcano plot, comma-separated.
    #[arg(
        long,
        value_name = "P1,P2",
        value_delimiter = ',',
        default_value = "CD274"
    )]
    pub highlight: Vec<String>,
    /// Contrast shown when de.tsv has several (default: the first).
    #[arg(long, value_name = "B-A")]
    pub contrast: Option<String>,
    /// adj.P.Val threshold drawn and counted.
    #[arg(long, value_name = "X", default_value_t = 0.05)]
    pub fdr: f64,
    /// Also write each figure as PNG (2x, for print) next to its SVG.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    pub png: bool,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `npxkit genesets` actions.
#[derive(Debug, Args)]
pub struct GenesetsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: GenesetsAction,
}

/// `npxkit genesets` subcommands.
#[derive(Debug, Subcommand)]
pub enum GenesetsAction {
    /// List the embedded collections.
    List,
    /// Print a collection's sets, one set's genes (--set), or the collection as GMT (--gmt).
    Show {
        /// Collection name (see `npxkit genesets list`), e.g. bindea2013 or go-bp.
        name: String,
        /// Print the genes of this set (its id, e.g. CD8_T_cells or GO:0006955).
        #[arg(long, value_name = "ID", conflicts_with = "gmt")]
        set: Option<String>,
        /// Write the whole collection as GMT.
        #[arg(long)]
        gmt: bool,
    },
    /// Build current GO gene sets from the GO Consortium's files (go-basic.obo and a GAF
    /// such as goa_human.gaf[.gz]): true-path rule over is_a and part_of within the
    /// namespace, NOT-qualified annotations dropped, obsolete terms skipped, alt_ids
    /// mapped; genes are the GAF's symbols. Writes a GMT usable with --genesets.
    ///
    /// Example:
    ///   npxkit genesets build-go --obo go-basic.obo --gaf goa_human.gaf.gz     ///     --namespace bp --exclude-evidence IEA --out go_bp.gmt
    #[command(verbatim_doc_comment)]
    BuildGo {
        /// The ontology (OBO 1.2/1.4).
        #[arg(long, value_name = "FILE")]
        obo: PathBuf,
        /// The annotations (GAF 2.x, plain or gzip-compressed).
        #[arg(long, value_name = "FILE")]
        gaf: PathBuf,
        /// Which ontology.
        #[arg(long, value_enum, default_value_t = GoNamespaceArg::Bp)]
        namespace: GoNamespaceArg,
        /// Evidence codes to leave out, comma-separated (e.g. IEA for reviewed
        /// annotations only).
        #[arg(long, value_name = "CODES", value_delimiter = ',')]
        exclude_evidence: Vec<String>,
        /// Smallest set written (genes after propagation).
        #[arg(long, value_name = "N", default_value_t = 1)]
        min_size: usize,
        /// The GMT file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `--namespace` values of `genesets build-go`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GoNamespaceArg {
    /// biological_process.
    Bp,
    /// molecular_function.
    Mf,
    /// cellular_component.
    Cc,
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
    /// Total number of study samples instead of --subjects/--unpaired: ceil(M/2)
    /// subjects, all paired except one when M is odd (e.g. --wide --samples 50000).
    #[arg(long, value_name = "M", conflicts_with_all = ["subjects", "unpaired"])]
    pub samples: Option<usize>,
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
    /// Write the NPX values as a wide sample x assay matrix (npx_wide.parquet and/or
    /// npx_wide.csv by --format, with assays.tsv) instead of Olink long files; for large
    /// studies use --format parquet and e.g. --samples 50000.
    #[arg(long)]
    pub wide: bool,
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

/// `npxkit normalize` options.
#[derive(Debug, Args)]
pub struct NormalizeArgs {
    /// An NPX file (any supported format); repeat once per project, in chain order.
    /// Projects are named P1, P2, ... by position.
    #[arg(long, value_name = "FILE", required = true)]
    pub npx: Vec<PathBuf>,
    /// The reference project (1-based position among --npx); it is not adjusted.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub reference: usize,
    /// Bridge samples: `auto` (the SampleIDs two neighbouring projects share, controls
    /// excluded) or a TSV/CSV with a SampleID column and optionally Project (P2 or 2:
    /// the project being normalised) and ReferenceSampleID (the same specimen's ID in
    /// the project it is normalised to; rows are positional pairs).
    #[arg(long, value_name = "auto|FILE", default_value = "auto")]
    pub bridge_samples: String,
    /// Subset normalisation: a TSV/CSV with Project (P1 or 1) and SampleID columns
    /// listing the samples of each project whose medians are compared. With
    /// --reference-medians: the samples whose medians are compared with them.
    #[arg(long, value_name = "FILE")]
    pub subset: Option<PathBuf>,
    /// Reference-median normalisation: a TSV/CSV with OlinkID and Reference_NPX; each
    /// project is shifted by Reference_NPX minus its median over the --subset samples
    /// (all non-control samples without --subset).
    #[arg(long, value_name = "FILE")]
    pub reference_medians: Option<PathBuf>,
    /// With two projects, remove the non-reference copies of the bridge samples as
    /// olink_normalization_n does (always done for three or more projects).
    #[arg(long)]
    pub drop_bridge_copies: bool,
    /// The Olink product of each --npx file, comma-separated in --npx order (E3072, HT,
    /// Reveal or other), or `auto`: from the Panel column as OlinkAnalyze does (all
    /// panels Explore 3072 ones -> E3072, all `Explore_HT` -> HT, all `Reveal` -> Reveal).
    /// Two different products are bridged across products (E3072 -> HT, E3072 ->
    /// Reveal, HT <-> Reveal) and bridgeability.tsv is written.
    #[arg(long, value_name = "auto|P1,P2", default_value = "auto")]
    pub products: String,
    /// OlinkID pairs for cross-product bridging (TSV: product_1, product_2, OlinkID_1,
    /// OlinkID_2) instead of the mapping shipped with OlinkAnalyze 5.0.2.
    #[arg(long, value_name = "FILE")]
    pub product_mapping: Option<PathBuf>,
    /// SampleIDs of control samples (regex), used when a file has no SampleType.
    #[arg(long, value_name = "REGEX", default_value = npxkit_core::DEFAULT_CONTROL_PATTERN)]
    pub control_pattern: String,
    /// Output folder (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}
