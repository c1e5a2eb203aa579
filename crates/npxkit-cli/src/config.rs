//! The `npxkit run` configuration: every option of every step, in one TOML file.
//!
//! Precedence, lowest first: built-in defaults (the study's case: paired C2D1 vs
//! C1D1 by `timepoint` and `subject`, Bindea 2013 scoring, GO BP enrichment) → the
//! `--config` file → `--set section.key=value` → the dedicated flags of `npxkit run`.
//! Unknown sections or keys are usage errors, so a typo never passes silently.
//! [`TEMPLATE`] is what `npxkit run --print-config` prints; a test checks that it
//! parses to [`RunConfig::default`].

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use crate::UsageError;

/// Every option of `npxkit run`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// Input files and QC rules.
    pub input: InputConfig,
    /// Joining several projects onto one scale before the analysis.
    pub normalize: NormalizeConfig,
    /// The comparison.
    pub design: DesignConfig,
    /// QC outlier rules.
    pub qc: QcConfig,
    /// Differential expression.
    pub de: DeConfig,
    /// Immune-cell scoring.
    pub score: ScoreConfig,
    /// GO enrichment.
    pub enrich: EnrichConfig,
    /// Clustering of enriched terms.
    pub cluster: ClusterConfig,
    /// Figures and report.
    pub report: ReportConfig,
}

/// `[input]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InputConfig {
    /// Olink NPX file.
    pub npx: Option<PathBuf>,
    /// Sample manifest.
    pub samples: Option<PathBuf>,
    /// Assay table of a wide-matrix `npx` (OlinkID, UniProt, Assay, Panel).
    pub assays: Option<PathBuf>,
    /// Exclude samples with QC status WARN.
    pub exclude_warn: bool,
    /// Set values flagged by assay QC to missing.
    pub mask_assay_warn: bool,
    /// `keep` or `nan`.
    pub below_lod: String,
    /// Largest missing fraction of a kept assay.
    pub max_missing: f64,
    /// Recompute LOD: `""` (no), `negative-controls` or a fixed LOD file.
    pub lod: String,
    /// Regular expression marking control SampleIDs.
    pub control_pattern: String,
    /// Exclude median/IQR and PCA outliers.
    pub exclude_outliers: bool,
}

impl Default for InputConfig {
    fn default() -> Self {
        InputConfig {
            npx: None,
            samples: None,
            assays: None,
            exclude_warn: false,
            mask_assay_warn: false,
            below_lod: "keep".into(),
            max_missing: 1.0,
            lod: String::new(),
            control_pattern: npxkit_core::DEFAULT_CONTROL_PATTERN.into(),
            exclude_outliers: false,
        }
    }
}

/// `[normalize]`: when `projects` (or `reference_medians`) is set, `npxkit run` first
/// normalises `input.npx` together with `projects` as `npxkit normalize` does, into
/// `OUT/normalize/`, and analyses the normalised table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeConfig {
    /// Further NPX projects joined onto `input.npx` (project 1).
    pub projects: Vec<PathBuf>,
    /// The reference project: 1 = `input.npx`, 2 = `projects[0]`, ...
    pub reference: usize,
    /// `auto` (shared SampleIDs) or a bridge-sample file.
    pub bridge_samples: String,
    /// Subset normalisation: a file of samples per project.
    pub subset: Option<PathBuf>,
    /// Reference-median normalisation: a file of OlinkID, Reference_NPX.
    pub reference_medians: Option<PathBuf>,
    /// Keep only the reference's copy of each bridge sample (one row per sample for the
    /// analysis; OlinkAnalyze keeps both copies when bridging two projects).
    pub drop_bridge_copies: bool,
    /// `auto` or the product of each project, e.g. `E3072,HT`.
    pub products: String,
    /// OlinkID pairs for cross-product bridging instead of the built-in mapping.
    pub product_mapping: Option<PathBuf>,
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            projects: vec![],
            reference: 1,
            bridge_samples: "auto".into(),
            subset: None,
            reference_medians: None,
            drop_bridge_copies: true,
            products: "auto".into(),
            product_mapping: None,
        }
    }
}

impl NormalizeConfig {
    /// Whether the step runs.
    pub fn enabled(&self) -> bool {
        !self.projects.is_empty() || self.reference_medians.is_some()
    }
}

/// `[design]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DesignConfig {
    /// Manifest column with the group (timepoint).
    pub group: String,
    /// Manifest column with the subject; empty for an unpaired design.
    pub pair: String,
    /// Manifest column with the subject as a random effect (duplicateCorrelation);
    /// set `pair = ""` with it.
    pub block: String,
    /// Contrasts B-A; the first one drives enrichment, clustering and figures.
    pub contrast: Vec<String>,
    /// Manifest columns to adjust for.
    pub covariates: Vec<String>,
}

impl Default for DesignConfig {
    fn default() -> Self {
        DesignConfig {
            group: "timepoint".into(),
            pair: "subject".into(),
            block: String::new(),
            contrast: vec!["C2D1-C1D1".into()],
            covariates: vec![],
        }
    }
}

/// `[qc]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QcConfig {
    /// PCA outlier threshold in SDs on PC1 or PC2.
    pub pca_outlier_sd: f64,
}

impl Default for QcConfig {
    fn default() -> Self {
        QcConfig {
            pca_outlier_sd: 4.0,
        }
    }
}

/// `[de]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeConfig {
    /// limma, ttest or wilcoxon.
    pub method: String,
    /// eBayes(trend = TRUE).
    pub trend: bool,
    /// eBayes(robust = TRUE).
    pub robust: bool,
    /// treat's fold-change threshold.
    pub lfc: Option<f64>,
    /// With design.block: a known within-block correlation instead of estimating it.
    pub correlation: Option<f64>,
    /// t (per contrast) or F (over all contrasts).
    pub test: String,
    /// current (limma >= 3.62) or legacy (limma <= 3.60) empirical Bayes prior.
    pub ebayes: String,
    /// p.adjust method.
    pub adjust: String,
    /// method = "lmer": more random intercepts besides design.block.
    pub random: Vec<String>,
    /// method = "lmer": REML instead of maximum likelihood.
    pub reml: bool,
    /// method = "lmer": also write lmer_posthoc.tsv (emmeans pairwise, Tukey).
    pub posthoc: bool,
}

impl Default for DeConfig {
    fn default() -> Self {
        DeConfig {
            method: "limma".into(),
            trend: false,
            robust: false,
            lfc: None,
            correlation: None,
            test: "t".into(),
            ebayes: "current".into(),
            adjust: "BH".into(),
            random: vec![],
            reml: false,
            posthoc: false,
        }
    }
}

/// `[score]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreConfig {
    /// Run this step.
    pub enabled: bool,
    /// Built-in collection or GMT file.
    pub genesets: String,
    /// gsva, ssgsea, zscore or plage.
    pub method: String,
    /// gaussian, poisson or none.
    pub kcdf: String,
    /// compat or exact.
    pub kcdf_mode: String,
    /// Random-walk exponent (default by method).
    pub tau: Option<f64>,
    /// GSVA's mx.diff.
    pub mx_diff: bool,
    /// GSVA's abs.ranking.
    pub abs_ranking: bool,
    /// GSVA's ssgsea.norm.
    pub ssgsea_norm: bool,
    /// Smallest set after mapping.
    pub min_size: usize,
    /// Largest set after mapping.
    pub max_size: Option<usize>,
    /// Rename old symbols in the sets.
    pub resolve_aliases: bool,
    /// Replace missing values by the assay median instead of leaving the assay out.
    pub impute_missing: bool,
    /// p.adjust method of the score tests.
    pub adjust: String,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            enabled: true,
            genesets: "bindea2013".into(),
            method: "gsva".into(),
            kcdf: "gaussian".into(),
            kcdf_mode: "compat".into(),
            tau: None,
            mx_diff: true,
            abs_ranking: false,
            ssgsea_norm: true,
            min_size: 1,
            max_size: None,
            resolve_aliases: false,
            impute_missing: false,
            adjust: "BH".into(),
        }
    }
}

/// `[enrich]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnrichConfig {
    /// Run this step.
    pub enabled: bool,
    /// Built-in collection or GMT file.
    pub genesets: String,
    /// ora, camera, camera-pr, fry or gsea.
    pub method: String,
    /// ORA: adj.P.Val threshold of the changed proteins.
    pub fdr: f64,
    /// ORA: the top N of each sign instead.
    pub top: Option<usize>,
    /// Smallest set in the universe.
    pub min_size: usize,
    /// Largest set in the universe.
    pub max_size: usize,
    /// Rename old symbols in the sets.
    pub resolve_aliases: bool,
    /// gsea: seed of the permutations.
    pub seed: u64,
    /// gsea: random sets per set size.
    pub permutations: usize,
    /// gsea: weight exponent of the running sum.
    pub gsea_weight: f64,
    /// gsea: refine small p-values by multilevel splitting.
    pub gsea_multilevel: bool,
    /// gsea: random sets per multilevel population.
    pub gsea_sample_size: usize,
    /// gsea: lower bound of the multilevel p-values.
    pub gsea_eps: f64,
}

impl Default for EnrichConfig {
    fn default() -> Self {
        let tuning = crate::cli::EnrichTuning::default();
        EnrichConfig {
            enabled: true,
            genesets: "go-bp".into(),
            method: "ora".into(),
            fdr: 0.05,
            top: None,
            min_size: 10,
            max_size: 500,
            resolve_aliases: false,
            seed: tuning.seed,
            permutations: tuning.permutations,
            gsea_weight: tuning.gsea_weight,
            gsea_multilevel: tuning.gsea_multilevel,
            gsea_sample_size: tuning.gsea_sample_size,
            gsea_eps: tuning.gsea_eps,
        }
    }
}

/// `[cluster]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// Run this step.
    pub enabled: bool,
    /// Terms with adj.P.Val below this.
    pub fdr: f64,
    /// At most this many terms (by P.Value).
    pub top: Option<usize>,
    /// ari, jaccard or overlap.
    pub similarity: String,
    /// Edge threshold.
    pub min_similarity: f64,
    /// walktrap, louvain or leiden.
    pub algorithm: String,
    /// Smaller clusters are set aside.
    pub min_cluster_size: usize,
    /// all (the collection's members) or measured.
    pub members: String,
    /// Seed of Louvain/Leiden and of the layout.
    pub seed: u64,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            enabled: true,
            fdr: 0.05,
            top: None,
            similarity: "ari".into(),
            min_similarity: 0.25,
            algorithm: "walktrap".into(),
            min_cluster_size: 2,
            members: "all".into(),
            seed: 1,
        }
    }
}

/// `[report]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Run this step.
    pub enabled: bool,
    /// Report title.
    pub title: String,
    /// Proteins always labelled and plotted (assay symbols or OlinkIDs).
    pub highlight: Vec<String>,
    /// Top DE proteins plotted as pairs (besides `highlight`).
    pub top_proteins: usize,
    /// Figures also as PNG (SVG is always written).
    pub png: bool,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            enabled: true,
            title: "npxkit report".into(),
            highlight: vec!["CD274".into()],
            top_proteins: 5,
            png: true,
        }
    }
}

/// What `npxkit run --print-config` writes: every key with its default, commented.
pub const TEMPLATE: &str = r#"# npxkit run configuration. Every key is optional; the values shown are the defaults.
# Precedence: defaults < this file < --set section.key=value < npxkit run's flags.

[input]
# npx = "delivery.parquet"      # Olink NPX file (any supported format); or --npx
# samples = "samples.tsv"       # sample manifest; or --samples
# assays = "assays.tsv"         # assay table of a wide-matrix npx (SampleID x OlinkID)
exclude_warn = false            # exclude samples whose QC status is WARN (FAIL always is)
mask_assay_warn = false         # set values flagged by assay QC to missing
below_lod = "keep"              # keep | nan: values below LOD
max_missing = 1.0               # drop assays missing in more than this fraction of samples
lod = ""                        # "" (as delivered) | negative-controls | fixed LOD file: recompute LOD and MissingFreq
control_pattern = '(?i)control|ctrl|^ipc([_ -]|\d|$)|^neg([_ -]|$)|^pc[_ -]?\d|^sc[_ -]?\d'  # control SampleIDs (files without SampleType)
exclude_outliers = false        # exclude median/IQR (3 SD) and PCA (4 SD) outliers from the analysis

[normalize]                     # runs when projects (or reference_medians) is set
projects = []                   # more NPX projects joined onto input.npx (project 1) before the analysis
reference = 1                   # the reference project: 1 = input.npx, 2 = projects[0], ...
bridge_samples = "auto"         # auto (SampleIDs the projects share, controls excluded) | FILE
# subset = "subsets.tsv"        # subset normalisation instead of bridging
# reference_medians = "medians.tsv"  # normalise to reference medians (OlinkID, Reference_NPX)
drop_bridge_copies = true       # analyse one copy of each bridge sample (the reference's)
products = "auto"               # auto | e.g. "E3072,HT": cross-product bridging when they differ
# product_mapping = "map.tsv"   # OlinkID pairs instead of the built-in OlinkAnalyze 5.0.2 mapping

[design]
group = "timepoint"             # manifest column compared
pair = "subject"                # manifest column with the subject ("" for unpaired)
block = ""                      # subject as a random effect (duplicateCorrelation); set pair = "" with it
contrast = ["C2D1-C1D1"]        # level B minus level A; the first drives enrichment and figures
covariates = []                 # manifest columns adjusted for, e.g. ["age", "sex"]

[qc]
pca_outlier_sd = 4.0            # flag samples beyond this many SDs on PC1 or PC2

[de]
method = "limma"                # limma | ttest | wilcoxon | lmer (mixed model; needs design.block)
trend = false                   # eBayes(trend = TRUE)
robust = false                  # eBayes(robust = TRUE)
# lfc = 0.5                     # treat: test |logFC| > lfc
# correlation = 0.4             # with design.block: known within-block correlation
test = "t"                      # t (per contrast) | F (one moderated F over all contrasts)
ebayes = "current"              # current (limma >= 3.62) | legacy (limma <= 3.60, the study's 3.60.3)
adjust = "BH"                   # BH | bonferroni | holm | BY | none
random = []                     # lmer: more random intercepts, e.g. ["site"]
reml = false                    # lmer: REML instead of maximum likelihood (olink_lmer's default)
posthoc = false                 # lmer: lmer_posthoc.tsv, pairwise group differences with Tukey

[score]
enabled = true
genesets = "bindea2013"         # built-in collection or GMT file
method = "gsva"                 # gsva | ssgsea | zscore | plage
kcdf = "gaussian"               # gaussian | poisson | none
kcdf_mode = "compat"            # compat (GSVA 1.46's numbers) | exact
# tau = 1.0                     # default 1 (gsva), 0.25 (ssgsea)
mx_diff = true
abs_ranking = false
ssgsea_norm = true
min_size = 1
# max_size = 500
resolve_aliases = false
impute_missing = false          # keep assays with missing values (median-imputed) instead of leaving them out
adjust = "BH"

[enrich]
enabled = true
genesets = "go-bp"              # go-bp | go-mf | go-cc | bindea2013 | FILE.gmt
method = "ora"                  # ora | camera | camera-pr | fry | gsea
fdr = 0.05                      # ora: changed proteins have adj.P.Val below this
# top = 100                     # ora: the top N of each sign instead
min_size = 10
max_size = 500
resolve_aliases = false
seed = 42                       # gsea: seed of the permutations
permutations = 10000            # gsea: random sets per set size
gsea_weight = 1.0               # gsea: weight exponent p of the running sum (|t|^p)
gsea_multilevel = true          # gsea: refine small p-values (fgsea's multilevel splitting)
gsea_sample_size = 101          # gsea: random sets per multilevel population
gsea_eps = 1e-50                # gsea: smaller multilevel p-values are reported as this

[cluster]
enabled = true
fdr = 0.05                      # terms with adj.P.Val below this
# top = 200                     # at most this many terms
similarity = "ari"              # ari | jaccard | overlap
min_similarity = 0.25           # edge threshold
algorithm = "walktrap"          # walktrap | louvain | leiden
min_cluster_size = 2
members = "all"                 # all (collection members, as vissE) | measured
seed = 1

[report]
enabled = true
title = "npxkit report"
highlight = ["CD274"]           # proteins always labelled and plotted
top_proteins = 5                # top DE proteins plotted as pairs
png = true                      # figures also as PNG (SVG always)
"#;

/// Reads a config file (or the defaults without one) and applies `--set` overrides.
pub fn load(path: Option<&Path>, sets: &[String]) -> Result<RunConfig> {
    let mut value: toml::Table = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the config file {}", p.display()))?;
            text.parse::<toml::Table>().map_err(|e| {
                UsageError(format!(
                    "{}: not valid TOML: {}",
                    p.display(),
                    e.to_string().trim_end()
                ))
            })?
        }
        None => toml::Table::new(),
    };
    for s in sets {
        apply_set(&mut value, s)?;
    }
    let where_ = path.map_or("--set".to_string(), |p| p.display().to_string());
    RunConfig::deserialize(toml::Value::Table(value)).map_err(|e| {
        UsageError(format!(
            "{where_}: {}; `npxkit run --print-config` lists every key",
            e.to_string().trim_end()
        ))
        .into()
    })
}

/// `section.key=value`: the value is read as TOML (number, boolean, array, quoted
/// string) and otherwise taken as a bare string.
fn apply_set(table: &mut toml::Table, spec: &str) -> Result<()> {
    let bad = || {
        UsageError(format!(
            "--set `{spec}`: expected section.key=value, e.g. --set de.trend=true"
        ))
    };
    let (key, raw) = spec.split_once('=').ok_or_else(bad)?;
    let (section, field) = key.trim().split_once('.').ok_or_else(bad)?;
    if section.is_empty() || field.is_empty() {
        return Err(bad().into());
    }
    let parsed = format!("v = {raw}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(raw.to_string()));
    let entry = table
        .entry(section.to_string())
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(inner) = entry else {
        return Err(UsageError(format!("--set `{spec}`: `{section}` is not a section")).into());
    };
    inner.insert(field.to_string(), parsed);
    Ok(())
}

/// The effective configuration as TOML (written next to the results).
pub fn to_toml(config: &RunConfig) -> Result<String> {
    Ok(toml::to_string(config)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_the_defaults() {
        let parsed: RunConfig = toml::from_str(TEMPLATE).unwrap();
        assert_eq!(parsed, RunConfig::default());
    }

    #[test]
    fn set_overrides_and_types() {
        let c = load(
            None,
            &[
                "de.trend=true".into(),
                "design.contrast=[\"B-A\", \"C-A\"]".into(),
                "design.group=visit".into(),
                "enrich.top=50".into(),
            ],
        )
        .unwrap();
        assert!(c.de.trend);
        assert_eq!(c.design.contrast, vec!["B-A", "C-A"]);
        assert_eq!(c.design.group, "visit");
        assert_eq!(c.enrich.top, Some(50));
    }

    #[test]
    fn unknown_keys_are_usage_errors() {
        let e = load(None, &["de.trned=true".into()]).unwrap_err();
        assert!(e.is::<UsageError>());
        assert!(e.to_string().contains("trned"), "{e}");
        let e = load(None, &["nonsense".into()]).unwrap_err();
        assert!(e.to_string().contains("section.key=value"), "{e}");
    }

    #[test]
    fn effective_config_round_trips() {
        let mut c = RunConfig::default();
        c.de.lfc = Some(0.5);
        let back: RunConfig = toml::from_str(&to_toml(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
