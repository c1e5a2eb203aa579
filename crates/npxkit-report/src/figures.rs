//! The report's figures, each drawn from the result tables by `npxkit-plot`.
//!
//! Samples' groups come from pca.tsv (the `group` of `npxkit qc --group`), their
//! subjects from qc.tsv (`subject`), both written by the qc step; protein_values.tsv
//! carries both for the proteins it holds.

use std::collections::HashMap;

use npxkit_plot as plot;

use crate::results::Results;
use crate::tables::{num, Table};
use crate::{NamedFigure, ReportError, ReportOptions};

/// Every figure the results allow, in page order.
pub fn all(r: &Results, opts: &ReportOptions) -> Result<Vec<NamedFigure>, ReportError> {
    let mut out = Vec::new();
    let mut add = |name: &str, caption: String, fig: Result<plot::Figure, plot::PlotError>| {
        let figure = fig.map_err(|e| ReportError::Figure {
            name: name.to_string(),
            message: e.to_string(),
        })?;
        out.push(NamedFigure {
            name: name.to_string(),
            caption,
            figure,
        });
        Ok::<(), ReportError>(())
    };
    let mut samples = SampleInfo::from_results(r);
    // Baseline first, then the compared level, then any other group.
    if let Some((a, b)) =
        chosen_contrast(r, opts).and_then(|c| contrast_levels(&c, &samples.groups))
    {
        let mut order = vec![a.clone(), b.clone()];
        order.extend(
            samples
                .groups
                .iter()
                .filter(|g| **g != a && **g != b)
                .cloned(),
        );
        samples.groups = order;
    }

    if let Some(n) = &r.normalisation {
        let adjusted = adjusted_rows(&n.adjustments)?;
        if !adjusted.is_empty() {
            let cross = n.bridgeability.is_some();
            add(
                "norm_adjustment_factors",
                if cross {
                    "Adjustment factor (median of reference − other NPX over the bridge samples) of every assay of the normalised product, sorted, coloured by the bridging recommendation; quantile-smoothed assays use their spline instead, not-bridgeable ones keep their NPX. Labels: the largest |factor|.".into()
                } else {
                    "Adjustment factor added to each assay's NPX, per normalised project, assays sorted by factor. Labels: the largest |factor|.".into()
                },
                adjustment_factors(&n.adjustments, &adjusted, cross)?,
            )?;
        }
        if let Some(b) = &n.bridgeability {
            add(
                "norm_bridgeability",
                "Bridgeability of each shared assay, as OlinkAnalyze decides it. Left: Kolmogorov–Smirnov D of the bridge samples against their r²; median centring when D ≤ 0.2, quantile smoothing above. Right: the lower of the two products' median Count against the difference of their q90 − q10 NPX ranges. An assay is not bridgeable when r² < 0.8, the range difference > 1 and a median Count < 150 all hold (dashed lines).".into(),
                bridgeability(b)?,
            )?;
        }
    }
    if let (Some(pca), Some(var)) = (&r.pca, &r.pca_variance) {
        add(
            "qc_pca",
            "Principal components of the samples (assays scaled; OlinkAnalyze's preparation). Diamonds: PCA outliers.".into(),
            qc_pca(pca, var, &samples)?,
        )?;
    }
    if let Some(qc) = &r.qc {
        if qc.col("Q1_NPX").is_some() {
            add(
                "qc_sample_distribution",
                "Median NPX and interquartile range per kept sample; dashed lines: mean ± 3 SD of the medians; flagged samples are QC outliers (median or IQR beyond 3 SD).".into(),
                sample_distribution(qc, &samples)?,
            )?;
        }
    }
    if let Some(aq) = &r.assay_qc {
        add(
            "qc_below_lod",
            "Fraction of kept samples below the LOD, per assay (sorted).".into(),
            missingness(aq, "below_lod_fraction", "below LOD")?,
        )?;
        add(
            "qc_missingness",
            "Fraction of kept samples without a value, per assay (sorted).".into(),
            missingness(aq, "missing_fraction", "missing")?,
        )?;
    }
    // A moderated-F table (--test F) has no single logFC: no volcano, MA or pair plots.
    if let Some(de) = r.de.as_ref().filter(|d| d.col("logFC").is_some()) {
        let contrast = chosen_contrast(r, opts);
        let rows = de.rows_of_contrast(contrast.as_deref());
        let name = contrast.clone().unwrap_or_default();
        add(
            "de_volcano",
            format!("Volcano plot{}: log2 fold change against −log10 P; the horizontal line is the largest P with adj.P.Val ≤ {}.", for_contrast(&name), opts.fdr),
            volcano(de, &rows, &name, opts)?,
        )?;
        add(
            "de_ma",
            "MA plot: average NPX against log2 fold change; significant proteins coloured.".into(),
            ma(de, &rows, opts)?,
        )?;
        add(
            "de_pvalue_histogram",
            "Distribution of P-values; the dashed line is the uniform expectation under no change."
                .into(),
            p_hist(de, &rows)?,
        )?;
        if let Some(pv) = &r.protein_values {
            if !pv.rows.is_empty() {
                add(
                    "de_paired_proteins",
                    "Highlighted and top proteins per timepoint; lines join each subject's samples. P: the moderated t-test of de.tsv.".into(),
                    protein_pairs(pv, de, &rows, &name)?,
                )?;
            }
        }
    }
    if let Some(scores) = &r.scores {
        add(
            "immune_heatmap",
            "Gene-set scores per sample (rows clustered by correlation, samples grouped by timepoint).".into(),
            score_heatmap(scores, &samples)?,
        )?;
        if let Some(tests) = &r.score_tests {
            let contrast = chosen_contrast(r, opts).unwrap_or_default();
            if let Some(fig) = score_pairs(scores, tests, &samples, &contrast)? {
                add(
                    "immune_paired",
                    "Scores of the cell types that change most between timepoints; P: Wilcoxon signed-rank test of score_tests.tsv.".into(),
                    Ok(fig),
                )?;
            }
        }
    }
    if let Some(net) = &r.network {
        if net["nodes"].as_array().is_some_and(|n| !n.is_empty()) {
            add(
                "go_network",
                "Enriched GO terms linked by gene overlap; colours are the theme clusters, node size grows with −log10 P.".into(),
                network(net)?,
            )?;
        }
    }
    Ok(out)
}

/// Rows of adjustments.tsv for the normalised projects: every row but the reference's
/// (`method` = `reference`).
pub fn adjusted_rows(adj: &Table) -> Result<Vec<usize>, ReportError> {
    let m = adj.require("method")?;
    Ok((0..adj.rows.len())
        .filter(|&r| adj.rows[r][m] != "reference")
        .collect())
}

fn adjustment_factors(
    adj: &Table,
    rows: &[usize],
    cross: bool,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let (project, id, assay, factor, method) = (
        adj.require("Project")?,
        adj.require("OlinkID")?,
        adj.require("Assay")?,
        adj.require("Adj_factor")?,
        adj.require("method")?,
    );
    // Projects with a factor (a cross-product reference has NA for its assays in one
    // product only).
    let mut projects: Vec<&str> = Vec::new();
    for &r in rows {
        if adj.num(r, factor).is_finite() && !projects.contains(&adj.rows[r][project].as_str()) {
            projects.push(&adj.rows[r][project]);
        }
    }
    // Colour by the recommendation of a cross-product bridge, else by project when
    // several were adjusted.
    let by_project = !cross && projects.len() > 1;
    let points: Vec<plot::FactorPoint> = rows
        .iter()
        .map(|&r| plot::FactorPoint {
            label: adj.text(r, assay).unwrap_or(&adj.rows[r][id]).to_string(),
            series: adj.rows[r][project].clone(),
            value: adj.num(r, factor),
            category: if by_project {
                adj.rows[r][project].clone()
            } else {
                adj.rows[r][method].clone()
            },
        })
        .collect();
    let title = match projects.as_slice() {
        [one] => format!("Adjustment factors of {one}"),
        _ => "Adjustment factors".to_string(),
    };
    let o = plot::FactorOptions {
        title,
        category_title: if by_project {
            "Project".into()
        } else if cross {
            "Recommendation".into()
        } else {
            String::new()
        },
        ..plot::FactorOptions::default()
    };
    Ok(plot::adjustment_factors(&points, &o))
}

fn bridgeability(b: &Table) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let (id, assay, rec, r2, ks, range, cr, co) = (
        b.require("OlinkID")?,
        b.require("Assay")?,
        b.require("BridgingRecommendation")?,
        b.require("r2")?,
        b.require("ks_d")?,
        b.require("range_diff")?,
        b.require("median_count_reference")?,
        b.require("median_count_other")?,
    );
    let mut data = plot::BridgeabilityData::default();
    for r in 0..b.rows.len() {
        let class = match (plot::BridgeClass::from_name(&b.rows[r][rec]), b.rows[r][rec].as_str()) {
            (Some(c), _) => c,
            (None, "NotOverlapping") => {
                data.not_overlapping += 1;
                continue;
            }
            (None, other) => {
                return Err(ReportError::Table {
                    path: b.path.clone(),
                    message: format!(
                        "line {}: BridgingRecommendation `{other}` is none of MedianCentering, QuantileSmoothing, NotBridgeable, NotOverlapping; was it written by npxkit normalize?",
                        r + 2
                    ),
                })
            }
        };
        data.points.push(plot::BridgePoint {
            label: b.text(r, assay).unwrap_or(&b.rows[r][id]).to_string(),
            r2: b.num(r, r2),
            ks_d: b.num(r, ks),
            range_diff: b.num(r, range),
            min_median_count: b.num(r, cr).min(b.num(r, co)),
            class,
        });
    }
    Ok(plot::bridgeability(
        &data,
        &plot::BridgeabilityOptions::default(),
    ))
}

fn for_contrast(name: &str) -> String {
    if name.is_empty() {
        String::new()
    } else {
        format!(" of {name}")
    }
}

/// The contrast shown: --contrast, else the first of de.tsv's `contrast` column, else
/// the first recorded in the options.
pub fn chosen_contrast(r: &Results, opts: &ReportOptions) -> Option<String> {
    if let Some(c) = &opts.contrast {
        return Some(c.clone());
    }
    if let Some(de) = &r.de {
        if let Some(c) = de.col("contrast") {
            return de.rows.first().map(|row| row[c].clone());
        }
    }
    let design = r.design()?;
    match &design["contrast"] {
        serde_json::Value::Array(a) => a.first().and_then(|v| v.as_str()).map(String::from),
        serde_json::Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// Group and subject of every sample.
struct SampleInfo {
    group: HashMap<String, String>,
    subject: HashMap<String, String>,
    /// Groups in order of first appearance.
    groups: Vec<String>,
}

impl SampleInfo {
    fn from_results(r: &Results) -> SampleInfo {
        let mut s = SampleInfo {
            group: HashMap::new(),
            subject: HashMap::new(),
            groups: Vec::new(),
        };
        let mut note = |t: &Table, gcol: Option<usize>, scol: Option<usize>| {
            let Some(id) = t.col("SampleID") else { return };
            for row in &t.rows {
                if let Some(g) = gcol.map(|c| &row[c]).filter(|g| *g != "NA") {
                    s.group.entry(row[id].clone()).or_insert_with(|| g.clone());
                    if !s.groups.contains(g) {
                        s.groups.push(g.clone());
                    }
                }
                if let Some(sub) = scol.map(|c| &row[c]).filter(|v| *v != "NA") {
                    s.subject
                        .entry(row[id].clone())
                        .or_insert_with(|| sub.clone());
                }
            }
        };
        if let Some(t) = &r.pca {
            note(t, t.col("group"), None);
        }
        if let Some(t) = &r.qc {
            note(t, None, t.col("subject"));
        }
        if let Some(t) = &r.protein_values {
            note(t, t.col("group"), t.col("subject"));
        }
        s
    }

    fn group_of(&self, id: &str) -> String {
        self.group.get(id).cloned().unwrap_or_default()
    }
}

/// (baseline, level) of a contrast `B-A` whose levels are among `known`; the split
/// point is the one giving two known levels (level names may contain `-`).
fn contrast_levels(contrast: &str, known: &[String]) -> Option<(String, String)> {
    contrast.match_indices('-').find_map(|(i, _)| {
        let (b, a) = (contrast[..i].trim(), contrast[i + 1..].trim());
        (known.iter().any(|k| k == a) && known.iter().any(|k| k == b))
            .then(|| (a.to_string(), b.to_string()))
    })
}

fn fmt_p(p: f64) -> String {
    if !p.is_finite() {
        "NA".into()
    } else if p < 1e-3 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

/// Rank of a sample's group in the display order (groups first seen first otherwise).
fn group_rank(samples: &SampleInfo, group: &str) -> usize {
    samples
        .groups
        .iter()
        .position(|g| g == group)
        .unwrap_or(usize::MAX)
}

fn qc_pca(
    pca: &Table,
    var: &Table,
    samples: &SampleInfo,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let (id, pc1, pc2) = (
        pca.require("SampleID")?,
        pca.require("PC1")?,
        pca.require("PC2")?,
    );
    let group = pca.col("group");
    let outlier = pca.col("outlier");
    let percent = |k: usize| var.rows.get(k).map_or(f64::NAN, |r| 100.0 * num(&r[1]));
    let mut data = plot::PcaData {
        points: (0..pca.rows.len())
            .map(|r| plot::PcaPoint {
                sample: pca.rows[r][id].clone(),
                pc1: pca.num(r, pc1),
                pc2: pca.num(r, pc2),
                group: group
                    .and_then(|g| pca.text(r, g))
                    .unwrap_or_default()
                    .to_string(),
                outlier: outlier.is_some_and(|c| pca.rows[r][c] == "TRUE"),
            })
            .collect(),
        var_pc1: percent(0),
        var_pc2: percent(1),
    };
    // Legend and colours in the display order of the groups (stable within a group).
    data.points.sort_by_key(|p| group_rank(samples, &p.group));
    let opts = plot::PcaOptions {
        title: "PCA of samples".into(),
        group_title: "Group".into(),
        ..plot::PcaOptions::default()
    };
    Ok(plot::pca(&data, &opts))
}

fn sample_distribution(
    qc: &Table,
    samples: &SampleInfo,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let (id, med, q1, q3, excl) = (
        qc.require("SampleID")?,
        qc.require("median_NPX")?,
        qc.require("Q1_NPX")?,
        qc.require("Q3_NPX")?,
        qc.require("excluded")?,
    );
    let flag = qc.col("qc_outlier");
    let kept: Vec<usize> = (0..qc.rows.len())
        .filter(|&r| qc.rows[r][excl] == "FALSE")
        .collect();
    let medians: Vec<f64> = kept.iter().map(|&r| qc.num(r, med)).collect();
    let finite: Vec<f64> = medians.iter().copied().filter(|v| v.is_finite()).collect();
    let thresholds = if finite.len() >= 3 {
        let m = finite.iter().sum::<f64>() / finite.len() as f64;
        let sd = (finite.iter().map(|v| (v - m) * (v - m)).sum::<f64>()
            / (finite.len() - 1) as f64)
            .sqrt();
        vec![m - 3.0 * sd, m + 3.0 * sd]
    } else {
        vec![]
    };
    let mut data = plot::SampleDistData {
        samples: kept
            .iter()
            .map(|&r| plot::SampleDist {
                sample: qc.rows[r][id].clone(),
                median: qc.num(r, med),
                q1: qc.num(r, q1),
                q3: qc.num(r, q3),
                group: samples.group_of(&qc.rows[r][id]),
                flagged: flag.is_some_and(|c| qc.rows[r][c] == "TRUE"),
            })
            .collect(),
        thresholds,
    };
    data.samples.sort_by_key(|p| group_rank(samples, &p.group));
    let opts = plot::SampleDistOptions {
        title: "NPX distribution per sample".into(),
        ylab: "NPX (log2)".into(),
        ..plot::SampleDistOptions::default()
    };
    Ok(plot::sample_distribution(&data, &opts))
}

fn missingness(
    aq: &Table,
    column: &str,
    what: &str,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let (assay, id, c, excl) = (
        aq.require("Assay")?,
        aq.require("OlinkID")?,
        aq.require(column)?,
        aq.require("excluded")?,
    );
    let data = plot::MissingnessData {
        assays: (0..aq.rows.len())
            .filter(|&r| aq.rows[r][excl] == "FALSE")
            .map(|r| {
                let name = aq.text(r, assay).unwrap_or(&aq.rows[r][id]).to_string();
                (name, aq.num(r, c))
            })
            .filter(|(_, v)| v.is_finite())
            .collect(),
        threshold: None,
    };
    let opts = plot::MissingnessOptions {
        title: format!("Assays: fraction of samples {what}"),
        what: what.into(),
        ..plot::MissingnessOptions::default()
    };
    Ok(plot::missingness(&data, &opts))
}

struct DeCols {
    label: usize,
    id: usize,
    lfc: usize,
    p: usize,
    adj: usize,
    ave: usize,
}

fn de_cols(de: &Table) -> Result<DeCols, ReportError> {
    Ok(DeCols {
        label: de.require("Assay")?,
        id: de.require("OlinkID")?,
        lfc: de.require("logFC")?,
        p: de.require("P.Value")?,
        adj: de.require("adj.P.Val")?,
        ave: de.col("AveExpr").unwrap_or(usize::MAX),
    })
}

fn label(de: &Table, r: usize, c: &DeCols) -> String {
    de.text(r, c.label).unwrap_or(&de.rows[r][c.id]).to_string()
}

fn volcano(
    de: &Table,
    rows: &[usize],
    contrast: &str,
    opts: &ReportOptions,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let c = de_cols(de)?;
    let points: Vec<plot::VolcanoPoint> = rows
        .iter()
        .map(|&r| plot::VolcanoPoint {
            label: label(de, r, &c),
            log_fc: de.num(r, c.lfc),
            p_value: de.num(r, c.p),
            adj_p_value: de.num(r, c.adj),
        })
        .collect();
    // Highlights given as OlinkIDs are shown by their symbol.
    let highlight: Vec<String> = opts
        .highlight
        .iter()
        .map(|h| {
            rows.iter()
                .find(|&&r| de.rows[r][c.id] == *h)
                .map_or_else(|| h.clone(), |&r| label(de, r, &c))
        })
        .collect();
    let o = plot::VolcanoOptions {
        title: if contrast.is_empty() {
            "Volcano plot".into()
        } else {
            format!("Volcano plot: {contrast}")
        },
        contrast: contrast.into(),
        fdr: opts.fdr,
        highlight,
        ..plot::VolcanoOptions::default()
    };
    Ok(plot::volcano(&points, &o))
}

fn ma(
    de: &Table,
    rows: &[usize],
    opts: &ReportOptions,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let c = de_cols(de)?;
    let points: Vec<plot::MaPoint> = rows
        .iter()
        .filter(|_| c.ave != usize::MAX)
        .map(|&r| plot::MaPoint {
            label: label(de, r, &c),
            ave_expr: de.num(r, c.ave),
            log_fc: de.num(r, c.lfc),
            adj_p_value: de.num(r, c.adj),
        })
        .collect();
    let o = plot::MaOptions {
        title: "MA plot".into(),
        fdr: opts.fdr,
        ..plot::MaOptions::default()
    };
    Ok(plot::ma_plot(&points, &o))
}

fn p_hist(
    de: &Table,
    rows: &[usize],
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let p = de.require("P.Value")?;
    let values: Vec<f64> = rows.iter().map(|&r| de.num(r, p)).collect();
    let o = plot::PHistOptions {
        title: "P-value histogram".into(),
        ..plot::PHistOptions::default()
    };
    Ok(plot::pvalue_histogram(&values, &o))
}

fn protein_pairs(
    pv: &Table,
    de: &Table,
    rows: &[usize],
    contrast: &str,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let (id, assay, subject, group, npx) = (
        pv.require("OlinkID")?,
        pv.require("Assay")?,
        pv.require("subject")?,
        pv.require("group")?,
        pv.require("NPX")?,
    );
    let c = de_cols(de)?;
    let p_of: HashMap<&str, f64> = rows
        .iter()
        .map(|&r| (de.rows[r][c.id].as_str(), de.num(r, c.p)))
        .collect();
    let mut known: Vec<String> = Vec::new();
    for row in &pv.rows {
        if row[group] != "NA" && !known.contains(&row[group]) {
            known.push(row[group].clone());
        }
    }
    let groups = match contrast_levels(contrast, &known) {
        Some((a, b)) => vec![a, b],
        None => known,
    };
    let mut order: Vec<String> = Vec::new();
    let mut series: HashMap<String, plot::PairedSeries> = HashMap::new();
    for (r, row) in pv.rows.iter().enumerate() {
        let key = row[id].clone();
        let entry = series.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            plot::PairedSeries {
                name: pv.text(r, assay).unwrap_or(&row[id]).to_string(),
                note: format!(
                    "P = {}",
                    fmt_p(p_of.get(row[id].as_str()).copied().unwrap_or(f64::NAN))
                ),
                groups: groups.clone(),
                points: Vec::new(),
            }
        });
        let v = pv.num(r, npx);
        if v.is_finite() && row[group] != "NA" {
            entry.points.push(plot::PairedPoint {
                subject: if row[subject] == "NA" {
                    row[pv.require("SampleID")?].clone()
                } else {
                    row[subject].clone()
                },
                group: row[group].clone(),
                value: v,
            });
        }
    }
    let panels: Vec<plot::PairedSeries> = order
        .into_iter()
        .filter_map(|k| series.remove(&k))
        .collect();
    let o = plot::GridOptions {
        title: "Highlighted and top proteins".into(),
        ylab: "NPX (log2)".into(),
        ncol: 3,
        ..plot::GridOptions::default()
    };
    Ok(plot::paired_grid(&panels, &o))
}

fn score_heatmap(
    scores: &Table,
    samples: &SampleInfo,
) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let set = scores.require("geneset")?;
    let cols: Vec<usize> = (0..scores.header.len()).filter(|&c| c != set).collect();
    let data = plot::HeatmapData {
        rows: scores.rows.iter().map(|r| r[set].clone()).collect(),
        cols: cols.iter().map(|&c| scores.header[c].clone()).collect(),
        values: (0..scores.rows.len())
            .map(|r| cols.iter().map(|&c| scores.num(r, c)).collect())
            .collect(),
        col_groups: cols
            .iter()
            .map(|&c| samples.group_of(&scores.header[c]))
            .collect(),
        group_order: samples.groups.clone(),
    };
    let o = plot::HeatmapOptions {
        title: "Immune-cell scores".into(),
        row_order: plot::RowOrder::Cluster(plot::Distance::Correlation),
        key_title: "score".into(),
        group_title: "Group".into(),
        ..plot::HeatmapOptions::default()
    };
    Ok(plot::heatmap(&data, &o))
}

/// Paired plots of the scores with adj.P.Val < 0.05 (at most 6), else the 4 smallest
/// P-values; `None` without subjects.
fn score_pairs(
    scores: &Table,
    tests: &Table,
    samples: &SampleInfo,
    contrast: &str,
) -> Result<Option<plot::Figure>, ReportError> {
    if samples.subject.is_empty() {
        return Ok(None);
    }
    let (tset, tp, tadj) = (
        tests.require("geneset")?,
        tests.require("P.Value")?,
        tests.require("adj.P.Val")?,
    );
    let mut order: Vec<usize> = (0..tests.rows.len())
        .filter(|&r| tests.num(r, tp).is_finite())
        .collect();
    order.sort_by(|&a, &b| {
        tests
            .num(a, tp)
            .total_cmp(&tests.num(b, tp))
            .then(a.cmp(&b))
    });
    let significant = order.iter().filter(|&&r| tests.num(r, tadj) < 0.05).count();
    order.truncate(if significant > 0 {
        significant.min(6)
    } else {
        4
    });
    let set = scores.require("geneset")?;
    let groups = contrast_levels(contrast, &samples.groups)
        .map_or_else(|| samples.groups.clone(), |(a, b)| vec![a, b]);
    let mut panels = Vec::new();
    for &t in &order {
        let name = &tests.rows[t][tset];
        let Some(sr) = scores.rows.iter().position(|r| &r[set] == name) else {
            continue;
        };
        let points = (0..scores.header.len())
            .filter(|&c| c != set)
            .filter_map(|c| {
                let id = &scores.header[c];
                let g = samples.group.get(id)?;
                let s = samples.subject.get(id)?;
                groups.contains(g).then(|| plot::PairedPoint {
                    subject: s.clone(),
                    group: g.clone(),
                    value: num(&scores.rows[sr][c]),
                })
            })
            .collect();
        panels.push(plot::PairedSeries {
            name: name.replace('_', " "),
            note: format!("Wilcoxon P = {}", fmt_p(tests.num(t, tp))),
            groups: groups.clone(),
            points,
        });
    }
    if panels.is_empty() {
        return Ok(None);
    }
    let o = plot::GridOptions {
        title: "Immune-cell scores that change".into(),
        ylab: "score".into(),
        ncol: 3,
        ..plot::GridOptions::default()
    };
    plot::paired_grid(&panels, &o)
        .map(Some)
        .map_err(|e| ReportError::Figure {
            name: "immune_paired".into(),
            message: e.to_string(),
        })
}

fn network(net: &serde_json::Value) -> Result<Result<plot::Figure, plot::PlotError>, ReportError> {
    let empty = Vec::new();
    let nodes = net["nodes"].as_array().unwrap_or(&empty);
    let clusters = net["clusters"].as_array().unwrap_or(&empty);
    // Cluster ids are 1-based and in priority order; the plot indexes labels from 0.
    let cluster_labels: Vec<String> = clusters
        .iter()
        .map(|c| c["label"].as_str().unwrap_or_default().to_string())
        .collect();
    let data = plot::NetworkData {
        nodes: nodes
            .iter()
            .map(|n| plot::NetNode {
                label: n["name"].as_str().unwrap_or_default().to_string(),
                x: n["x"].as_f64(),
                y: n["y"].as_f64(),
                cluster: n["cluster"]
                    .as_u64()
                    .and_then(|c| (c as usize).checked_sub(1)),
                p_value: n["p_value"].as_f64().unwrap_or(f64::NAN),
            })
            .collect(),
        edges: net["edges"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter_map(|e| {
                Some(plot::NetEdge {
                    source: e["source"].as_u64()? as usize,
                    target: e["target"].as_u64()? as usize,
                    weight: e["weight"].as_f64()?,
                })
            })
            .collect(),
        cluster_labels,
    };
    let o = plot::NetworkOptions {
        title: "GO-term themes".into(),
        ..plot::NetworkOptions::default()
    };
    Ok(plot::network(&data, &o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_levels_handle_dashes_in_names() {
        let known = vec!["C1D1".to_string(), "C2-D1".to_string()];
        assert_eq!(
            contrast_levels("C2-D1-C1D1", &known),
            Some(("C1D1".into(), "C2-D1".into()))
        );
        assert_eq!(contrast_levels("X-Y", &known), None);
    }

    #[test]
    fn p_values_print_compactly() {
        assert_eq!(fmt_p(0.0123), "0.012");
        assert_eq!(fmt_p(1.5e-7), "1.5e-7");
        assert_eq!(fmt_p(f64::NAN), "NA");
    }
}
