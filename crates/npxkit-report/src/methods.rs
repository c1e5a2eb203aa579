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
            if let Some(b) = o.and_then(|o| o["block"].as_str()) {
                p += &format!("{b} was modelled as a random effect: limma's duplicateCorrelation estimated a consensus within-{b} correlation and lmFit fitted the model by generalised least squares with it (block = {b}). ");
            }
            if let Some(l) = o.and_then(|o| o["lfc"].as_f64()) {
                p += &format!(
                    "Changes were tested against a log2 fold-change threshold of {} (limma's treat). ",
                    trim(l)
                );
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
            "Per-sample gene-set scores were computed with the {} method as in GSVA 1.46 ({}), from the immune-cell signatures of {}; assays with missing values were left out, multi-gene assays counted for each gene, and sets were restricted to measured genes.",
            method_name(&method),
            gsva_details(o, &method),
            collection_name(&genesets)
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
            "camera" => format!("Gene-set enrichment of {} was tested with limma's camera (competitive, inter-gene correlation 0.01) on the NPX matrix with the model above", collection_name(&genesets)),
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
