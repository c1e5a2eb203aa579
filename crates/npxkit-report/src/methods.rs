//! The methods paragraph: what was done, with which options and versions, in words
//! ready to paste into a paper. Written from the options recorded in run.json (of
//! `npxkit run` or of each subcommand); a step without a record is described by what
//! its table shows, and says so.

use serde_json::Value;

use crate::results::Results;

/// The methods text, one paragraph per step that ran.
pub fn paragraph(r: &Results) -> Vec<String> {
    let version = r.version().unwrap_or("(version not recorded)");
    let mut out = Vec::new();
    let design = r.design();
    let s = |v: &Value| v.as_str().map(String::from);

    if let Some(p) = normalisation(r, version) {
        out.push(p);
    }

    // Data and QC.
    if r.qc.is_some() || r.de.is_some() {
        let qc = r
            .options("input")
            .or_else(|| r.options("qc").map(|o| &o["qc"]))
            .or_else(|| r.options("de").map(|o| &o["qc"]));
        let mut p = format!(
            "Olink NPX data were analysed with npxkit {version}. Control samples and samples failing Olink's sample QC were excluded"
        );
        if let Some(q) = qc {
            if q["exclude_warn"] == true {
                p += ", as were samples with a QC warning";
            }
            if q["mask_assay_warn"] == true {
                p += "; values with an assay QC warning were set to missing";
            }
            if q["below_lod"] == "nan" {
                p += "; values below the limit of detection (LOD) were set to missing";
            } else {
                p += "; values below the limit of detection (LOD) were kept, as Olink recommends";
            }
            if let Some(m) = q["max_missing"].as_f64().filter(|m| *m < 1.0) {
                p += &format!(
                    "; assays missing in more than {}% of samples were excluded",
                    trim(100.0 * m)
                );
            }
        }
        p += ". ";
        if let Some(qc) = &r.qc {
            let excl = qc.col("excluded");
            let kept = excl.map_or(0, |c| qc.rows.iter().filter(|x| x[c] == "FALSE").count());
            p += &format!(
                "Of {} samples in the delivery, {kept} study samples were analysed",
                qc.rows.len()
            );
            if let Some(aq) = &r.assay_qc {
                let c = aq.col("excluded");
                let ka = c.map_or(0, |c| aq.rows.iter().filter(|x| x[c] == "FALSE").count());
                p += &format!(" on {ka} assays");
            }
            p += ". ";
        }
        if r.pca.is_some() {
            let sd = r
                .options("qc")
                .and_then(|o| o["pca_outlier_sd"].as_f64())
                .unwrap_or(4.0);
            p += &format!(
                "Sample outliers were flagged (not removed) as OlinkAnalyze does: a median or interquartile range of NPX more than 3 SD from the mean over samples, or a score more than {} SD from the mean on the first or second principal component (assays missing in more than 10% of samples dropped, remaining values median-imputed, assays scaled).",
                trim(sd)
            );
        }
        out.push(p);
    }

    // Differential expression.
    if let Some(de) = &r.de {
        let o = r.options("de");
        let method = o
            .and_then(|o| s(&o["method"]))
            .unwrap_or_else(|| "limma".into());
        let group = design
            .and_then(|d| s(&d["group"]))
            .unwrap_or_else(|| "group".into());
        let pair = design.and_then(|d| s(&d["pair"])).filter(|p| !p.is_empty());
        let covariates: Vec<String> = design
            .and_then(|d| d["covariates"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let adjust = o
            .and_then(|o| s(&o["adjust"]))
            .unwrap_or_else(|| "BH".into());
        // `npxkit de` records the block with its options; `npxkit run` in [design].
        let block = o
            .and_then(|o| s(&o["block"]))
            .or_else(|| design.and_then(|d| s(&d["block"])))
            .filter(|b| !b.is_empty());
        let mut p = String::new();
        if method == "limma" {
            p += &format!(
                "Differential abundance was tested with linear models and empirical Bayes moderated t-statistics as in limma (lmFit, eBayes, topTable; npxkit reproduces limma 3.54.1 numerically), with NPX modelled on {group}"
            );
            if let Some(pair) = &pair {
                p += &format!(" and {pair} as a blocking factor (paired design)");
            }
            if !covariates.is_empty() {
                p += &format!(", adjusting for {}", covariates.join(", "));
            }
            p += ". ";
            if o.is_some_and(|o| o["trend"] == true) {
                p += "The prior variance followed a trend in average NPX (eBayes trend = TRUE). ";
            }
            if o.is_some_and(|o| o["robust"] == true) {
                p += "The prior was estimated robustly (eBayes robust = TRUE). ";
            }
            match o.and_then(|o| o["ebayes"].as_str()) {
                Some("legacy") => p += "The variance prior was estimated as limma 3.60 and earlier do (eBayes legacy = TRUE, fitFDist). ",
                Some(_) => p += "The variance prior was estimated as limma 3.62 and later do (eBayes legacy = NULL: fitFDistUnequalDF1 when assays have different residual df). ",
                None => {}
            }
            if o.is_some_and(|o| o["test"] == "F") {
                p += "All contrasts were tested jointly with moderated F-statistics (limma's topTableF). ";
            }
            if let Some(b) = &block {
                p += &format!("{b} was modelled as a random effect: limma's duplicateCorrelation estimated a consensus within-{b} correlation and lmFit fitted the model by generalised least squares with it (block = {b}). ");
            }
            if let Some(l) = o.and_then(|o| o["lfc"].as_f64()) {
                p += &format!(
                    "Changes were tested against a log2 fold-change threshold of {} (limma's treat). ",
                    trim(l)
                );
            }
        } else if method == "lmer" {
            let mut random: Vec<String> = block.iter().cloned().collect();
            if let Some(a) = o.and_then(|o| o["random"].as_array()) {
                random.extend(a.iter().filter_map(|v| v.as_str().map(String::from)));
            }
            let terms: Vec<String> = random.iter().map(|g| format!("(1 | {g})")).collect();
            let fit = if o.is_some_and(|o| o["reml"] == true) {
                "restricted maximum likelihood (REML)"
            } else {
                "maximum likelihood (REML = FALSE, as OlinkAnalyze's olink_lmer)"
            };
            p += &format!(
                "Differential abundance was tested per assay with a linear mixed model, NPX ~ {group}{} + {}, fitted by {fit} as lme4 does; contrasts and the type III F-test of {group} used Satterthwaite's degrees of freedom as lmerTest (npxkit reproduces lme4 1.1 / lmerTest 3.1 numerically). ",
                covariates.iter().map(|c| format!(" + {c}")).collect::<String>(),
                terms.join(" + ")
            );
            if o.is_some_and(|o| o["posthoc"] == true) {
                p += &format!("Pairwise differences between levels of {group} were estimated as emmeans does, with Tukey's adjustment within each assay. ");
            }
        } else {
            let test = if method == "ttest" {
                if pair.is_some() {
                    "paired t-tests"
                } else {
                    "Welch t-tests"
                }
            } else if pair.is_some() {
                "Wilcoxon signed-rank tests"
            } else {
                "Wilcoxon rank-sum tests"
            };
            p += &format!("Differential abundance between levels of {group} was tested per assay with {test}, as OlinkAnalyze's olink_ttest / olink_wilcox. ");
        }
        let rows = de.rows.len();
        p += &format!(
            "P-values were adjusted for multiple testing with the {} method ({rows} tests).",
            adjust_name(&adjust)
        );
        out.push(p);
    }

    // Scores.
    if r.scores.is_some() {
        let o = r.options("score");
        let method = o
            .and_then(|o| s(&o["method"]))
            .unwrap_or_else(|| "gsva".into());
        let genesets = o
            .and_then(|o| s(&o["genesets"]))
            .unwrap_or_else(|| "bindea2013".into());
        let mut p = format!(
            "Per-sample gene-set scores were computed with the {} method as in GSVA 1.46 ({}), from the immune-cell signatures of {}; {}, multi-gene assays counted for each gene, and sets were restricted to measured genes.",
            method_name(&method),
            gsva_details(o, &method),
            collection_name(&genesets),
            if o.is_some_and(|o| o["impute_missing"] == true) {
                "missing values of assays observed in at least half of the samples were replaced by the assay's median (assays missing more were left out)"
            } else {
                "assays with missing values were left out"
            }
        );
        if r.score_tests.is_some() {
            let paired = design
                .and_then(|d| s(&d["pair"]))
                .is_some_and(|p| !p.is_empty());
            p += &format!(
                " Scores were compared between timepoints with {} tests, P-values adjusted by Benjamini–Hochberg.",
                if paired {
                    "paired Wilcoxon signed-rank"
                } else {
                    "Wilcoxon rank-sum"
                }
            );
        }
        out.push(p);
    }

    // Enrichment.
    if r.enrichment.is_some() {
        let o = r.options("enrich");
        let method = o
            .and_then(|o| s(&o["method"]))
            .unwrap_or_else(|| "ora".into());
        let genesets = o
            .and_then(|o| s(&o["genesets"]))
            .unwrap_or_else(|| "go-bp".into());
        let min = o.and_then(|o| o["min_size"].as_u64()).unwrap_or(10);
        let max = o.and_then(|o| o["max_size"].as_u64()).unwrap_or(500);
        let mut p = match method.as_str() {
            "ora" => {
                let sel = match o.and_then(|o| o["top"].as_u64()) {
                    Some(n) => format!("the {n} proteins of each sign with the smallest P-values"),
                    None => format!(
                        "proteins with adj.P.Val < {}",
                        trim(o.and_then(|o| o["fdr"].as_f64()).unwrap_or(0.05))
                    ),
                };
                format!("Over-representation of {} among {sel} was tested separately for up- and down-regulated proteins with one-sided hypergeometric tests, as limma's goana; the universe was the measured proteins annotated in the collection, not the genome", collection_name(&genesets))
            }
            "camera" => {
                // Recorded since camera's options: a number, or null when estimated.
                let cor = match o.and_then(|o| o.get("inter_gene_cor")) {
                    Some(v) if v.is_null() => "inter-gene correlation estimated per set".to_string(),
                    Some(v) => format!("inter-gene correlation {}", trim(v.as_f64().unwrap_or(0.01))),
                    None => "inter-gene correlation 0.01".to_string(),
                };
                let ranks = if o.and_then(|o| o["use_ranks"].as_bool()) == Some(true) { ", rank-based" } else { "" };
                let trend = if o.and_then(|o| o["trend_var"].as_bool()) == Some(true) { ", variance prior trended on mean NPX" } else { "" };
                format!("Gene-set enrichment of {} was tested with limma's camera (competitive, {cor}{ranks}{trend}) on the NPX matrix with the model above", collection_name(&genesets))
            }
            "camera-pr" => {
                let cor = o.and_then(|o| o["inter_gene_cor"].as_f64()).unwrap_or(0.01);
                let ranks = if o.and_then(|o| o["use_ranks"].as_bool()) == Some(true) { ", rank-based" } else { "" };
                format!("Gene-set enrichment of {} was tested with limma's cameraPR (competitive test on the moderated t statistics of the differential-expression analysis, inter-gene correlation {}{ranks})", collection_name(&genesets), trim(cor))
            }
            "gsea" => {
                let n = o.and_then(|o| o["permutations"].as_u64()).unwrap_or(10_000);
                let seed = o.and_then(|o| o["seed"].as_u64()).unwrap_or(42);
                let w = o.and_then(|o| o["gsea_weight"].as_f64()).unwrap_or(1.0);
                format!("Preranked gene-set enrichment analysis (GSEA; Subramanian et al. 2005) of {} was run on the moderated t statistics of the differential-expression analysis: weighted Kolmogorov–Smirnov enrichment scores (weight exponent {}), normalised by and tested against {n} random gene sets of the same size (seed {seed}), with p-values as fgsea's simple permutation method", collection_name(&genesets), trim(w))
            }
            _ => format!("Gene-set enrichment of {} was tested with limma's fry (self-contained rotation test) on the NPX matrix with the model above", collection_name(&genesets)),
        };
        p += &format!(
            ". Sets with {min} to {max} measured genes were tested; P-values were adjusted by Benjamini–Hochberg."
        );
        out.push(p);
    }

    // Clustering.
    if r.clusters.is_some() {
        let o = r.options("cluster");
        let sim = o
            .and_then(|o| s(&o["similarity"]))
            .unwrap_or_else(|| "ari".into());
        let thr = o.and_then(|o| o["min_similarity"].as_f64()).unwrap_or(0.25);
        let alg = o
            .and_then(|o| s(&o["algorithm"]))
            .unwrap_or_else(|| "walktrap".into());
        let fdr = o.and_then(|o| o["fdr"].as_f64()).unwrap_or(0.05);
        let sim_name = match sim.as_str() {
            "jaccard" => "Jaccard index",
            "overlap" => "overlap coefficient",
            _ => "adjusted Rand index",
        };
        let alg_name = match alg.as_str() {
            "louvain" => "the Louvain algorithm (best of 10 seeded runs)",
            "leiden" => "the Leiden algorithm (best of 10 seeded runs)",
            _ => "walktrap (4 steps; identical to igraph's cluster_walktrap)",
        };
        out.push(format!(
            "Enriched terms (adj.P.Val ≤ {}) were grouped into themes as vissE does: terms were linked when the {sim_name} of their gene sets was at least {}, communities were found with {alg_name}, ordered by the product of the ranks of their size and median −log10 P, and labelled by the top TF-IDF words of their term names.",
            trim(fdr),
            trim(thr)
        ));
    }
    out
}

/// The normalisation sentence(s): OlinkAnalyze 5.0's `olink_normalization`, the method
/// of each step and, for a cross-product bridge, the rule that chose each assay's method.
fn normalisation(r: &Results, version: &str) -> Option<String> {
    let n = r.normalisation.as_ref()?;
    let adj = &n.adjustments;
    let (pc, mc) = (adj.col("Project")?, adj.col("method")?);
    let mut projects: Vec<&str> = Vec::new();
    let mut methods: Vec<&str> = Vec::new();
    for row in &adj.rows {
        if !projects.contains(&row[pc].as_str()) {
            projects.push(&row[pc]);
        }
        if !methods.contains(&row[mc].as_str()) {
            methods.push(&row[mc]);
        }
    }
    let res = n.results();
    let mut p = format!(
        "The {} Olink projects were normalised with npxkit {version}, which reimplements OlinkAnalyze 5.0's olink_normalization",
        projects.len()
    );
    let cross = res.map(|r| &r["cross_product"]).filter(|c| c.is_object());
    if let Some(c) = cross {
        let name = |k: &str| {
            let code = c[k]["product"].as_str().unwrap_or("?");
            match code {
                "E3072" => "Explore 3072".to_string(),
                "HT" => "Explore HT".to_string(),
                other => other.to_string(),
            }
        };
        let n_bridge = c["bridge_samples"].as_array().map_or(0, Vec::len);
        let count = |k: &str| c[k].as_u64().unwrap_or(0);
        p += &format!(
            ". The {} data were bridged to the {} data (reference) over {n_bridge} bridge samples assayed on both products, assay by assay as OlinkAnalyze's cross-product bridging does: over the bridge samples, an assay failed the range criterion when the q90 − q10 NPX ranges of the two products differed by more than 1, the count criterion when a product's median count was below 150, and the correlation criterion when r² was below 0.8 after removing pairs outside median ± 3 IQR; assays failing all three were not bridged, the others were median-centred (adding the median of the paired reference − other NPX differences) when the two-sample Kolmogorov–Smirnov D was at most 0.2 and quantile-smoothed otherwise (the other product's ECDF mapped to the reference quantiles and fitted with a natural spline). Of the shared assays, {} were median-centred, {} quantile-smoothed and {} not bridgeable; {} assays measured on one product only were kept unchanged.",
            name("other"),
            name("reference"),
            count("MedianCentering"),
            count("QuantileSmoothing"),
            count("NotBridgeable"),
            count("NotOverlapping"),
        );
        return Some(p);
    }
    let reference: Vec<&str> = projects
        .iter()
        .copied()
        .filter(|pr| {
            adj.rows
                .iter()
                .filter(|row| row[pc] == *pr)
                .any(|row| row[mc] == "reference")
        })
        .collect();
    if methods.contains(&"reference_median") {
        p += ": in each project, every assay was shifted so that its median NPX over the project's samples equals a given reference median (reference median normalisation).";
        return Some(p);
    }
    if let Some(r0) = reference.first() {
        p += &format!(", with {r0} as the reference");
    }
    let steps = res.and_then(|r| r["steps"].as_array());
    let parts: Vec<String> = steps
        .map(|a| {
            a.iter()
                .map(|st| {
                    let n_s = st["samples"].as_array().map_or(0, Vec::len);
                    let from = st["project"].as_str().unwrap_or("?");
                    let to = st["normalized_to"].as_str().unwrap_or("?");
                    if st["method"] == "bridge" {
                        format!("{from} was bridged to {to} by adding, per assay, the median over {n_s} bridge samples of the {to} − {from} NPX differences (bridge normalisation)")
                    } else {
                        let n_r = st["reference_samples"].as_array().map_or(0, Vec::len);
                        format!("{from} was aligned to {to} by adding, per assay, the median NPX of {n_r} {to} samples minus that of {n_s} {from} samples (subset normalisation)")
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if parts.is_empty() {
        p += &format!(" ({}).", methods.join(", "));
    } else {
        p += &format!(": {}.", parts.join("; "));
    }
    Some(p)
}

fn trim(x: f64) -> String {
    let s = format!("{x}");
    s.trim_end_matches(".0").to_string()
}

fn adjust_name(a: &str) -> &'static str {
    match a {
        "bonferroni" => "Bonferroni",
        "holm" => "Holm",
        "BY" => "Benjamini–Yekutieli",
        "none" => "no (unadjusted)",
        _ => "Benjamini–Hochberg",
    }
}

fn method_name(m: &str) -> &'static str {
    match m {
        "ssgsea" => "single-sample GSEA (ssGSEA)",
        "zscore" => "combined z-score",
        "plage" => "PLAGE",
        _ => "GSVA",
    }
}

fn gsva_details(o: Option<&Value>, method: &str) -> String {
    let Some(o) = o else {
        return "options not recorded".into();
    };
    match method {
        "gsva" => format!(
            "kernel {}, {} Gaussian CDF, tau {}, mx.diff {}",
            o["kcdf"].as_str().unwrap_or("gaussian"),
            if o["kcdf_mode"] == "exact" {
                "exact"
            } else {
                "GSVA 1.46's tabulated"
            },
            o["tau"].as_f64().map_or("1".into(), trim),
            o["mx_diff"].as_bool().unwrap_or(true)
        ),
        "ssgsea" => format!(
            "tau {}, normalised {}",
            o["tau"].as_f64().map_or("0.25".into(), trim),
            o["ssgsea_norm"].as_bool().unwrap_or(true)
        ),
        _ => "standardised assays".into(),
    }
}

/// A collection's name and version for the text.
pub fn collection_name(spec: &str) -> String {
    match npxkit_genesets::builtin_info(spec) {
        Some(info) => format!("{} ({})", info.description, info.version),
        None => format!("the gene sets of {spec}"),
    }
}
