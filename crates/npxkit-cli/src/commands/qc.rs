//! `npxkit qc`: the QC tables and a summary.

use anyhow::Result;
use serde_json::json;

use crate::cli::QcArgs;
use crate::commands::{ensure_out_dir, load_input, usage_or_data};
use crate::provenance::RunRecord;
use npxkit_core::{pair_samples, sd_outliers, Pairing, Pca, PcaOptions, QcReport};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};
use std::path::Path;

/// Standard deviations from the mean of the sample medians / IQRs beyond which a sample
/// is a QC outlier (OlinkAnalyze's `olink_qc_plot` defaults).
pub const QC_OUTLIER_SD: f64 = 3.0;

/// Runs `npxkit qc`.
pub fn run(args: QcArgs) -> Result<()> {
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start("qc", options_json(&args));
    let report = load_input(&args.input, &mut record)?;
    let summary = execute(&args, &report, &args.out, &mut record)?;
    record.finish(&args.out)?;
    print!("{summary}");
    Ok(())
}

/// The options of `npxkit qc` as recorded in `run.json`.
pub fn options_json(args: &QcArgs) -> serde_json::Value {
    json!({
        "qc": args.input.qc_options_json(),
        "group": args.group,
        "pair": args.pair,
        "pca_outlier_sd": args.pca_outlier_sd,
        "qc_outlier_sd": QC_OUTLIER_SD,
    })
}

/// Writes qc.tsv, assay_qc.tsv, pca.tsv and pca_variance.tsv into `out` for an
/// already loaded study; returns the printed summary. Shared by `npxkit qc` and
/// `npxkit run`.
pub fn execute(
    args: &QcArgs,
    report: &QcReport,
    out: &Path,
    record: &mut RunRecord,
) -> Result<String> {
    if !(args.pca_outlier_sd.is_finite() && args.pca_outlier_sd > 0.0) {
        return Err(crate::UsageError(format!(
            "--pca-outlier-sd must be a positive number, got {}",
            args.pca_outlier_sd
        ))
        .into());
    }
    if let (Some(manifest), Some(g), Some(p)) = (&report.matrix.manifest, &args.group, &args.pair) {
        for column in [g, p] {
            if manifest.column_index(column).is_none() {
                return Err(usage_or_data(npxkit_core::CoreError::NoSuchColumn {
                    column: column.clone(),
                    available: manifest.columns().join(", "),
                }));
            }
        }
    }
    let pairing = match (&args.group, &args.pair) {
        (Some(g), Some(p)) if report.matrix.n_samples() > 0 => {
            Some(pair_samples(&report.matrix, p, g, None).map_err(usage_or_data)?)
        }
        _ => None,
    };
    let outliers = qc_outliers(report);
    sample_table(report, pairing.as_ref(), &outliers).write_atomic(&out.join("qc.tsv"))?;
    record.output("qc.tsv");
    assay_table(report).write_atomic(&out.join("assay_qc.tsv"))?;
    record.output("assay_qc.tsv");
    let pca = npxkit_core::pca(&report.matrix, &PcaOptions::default());
    let mut text = summary(report, pairing.as_ref());
    let n_qc = outliers.iter().filter(|o| **o).count();
    text += &format!(
        "outliers: {n_qc} sample(s) with median or IQR > {QC_OUTLIER_SD} SD from the mean"
    );
    if let Some(pca) = &pca {
        let (scores, variance, n_pca) = pca_tables(report, pca, args);
        scores.write_atomic(&out.join("pca.tsv"))?;
        record.output("pca.tsv");
        variance.write_atomic(&out.join("pca_variance.tsv"))?;
        record.output("pca_variance.tsv");
        text += &format!(
            "; {n_pca} on PC1/PC2 > {} SD (PCA of {} assays)",
            args.pca_outlier_sd, pca.n_assays_used
        );
    }
    text.push('\n');
    Ok(text)
}

/// Kept samples whose median or IQR is more than [`QC_OUTLIER_SD`] SDs from the mean
/// over kept samples, indexed like `report.samples` (excluded samples: false).
fn qc_outliers(report: &QcReport) -> Vec<bool> {
    let kept: Vec<usize> = (0..report.samples.len())
        .filter(|&i| report.samples[i].excluded.is_none())
        .collect();
    let med: Vec<f64> = kept.iter().map(|&i| report.samples[i].median_npx).collect();
    let iqr: Vec<f64> = kept.iter().map(|&i| report.samples[i].iqr_npx).collect();
    let (om, oi) = (
        sd_outliers(&med, QC_OUTLIER_SD),
        sd_outliers(&iqr, QC_OUTLIER_SD),
    );
    let mut flags = vec![false; report.samples.len()];
    for (k, &i) in kept.iter().enumerate() {
        flags[i] = om[k] || oi[k];
    }
    flags
}

/// pca.tsv (one row per matrix sample: SampleID, group, PC1.., outlier) and
/// pca_variance.tsv; also the number of PCA outliers.
fn pca_tables(report: &QcReport, pca: &Pca, args: &QcArgs) -> (TsvTable, TsvTable, usize) {
    let m = &report.matrix;
    let k = pca.scores.ncols();
    let pcs: Vec<String> = (1..=k).map(|c| format!("PC{c}")).collect();
    let mut header = vec!["SampleID", "group"];
    header.extend(pcs.iter().map(String::as_str));
    header.push("outlier");
    let mut t = TsvTable::new(header);
    let groups: Vec<Option<&str>> = match (&m.manifest, &args.group) {
        (Some(man), Some(g)) => man
            .column_index(g)
            .map_or_else(|| vec![None; m.n_samples()], |c| m.sample_values(c)),
        _ => vec![None; m.n_samples()],
    };
    let flag = |c: usize| {
        if c < k {
            sd_outliers(&pca.scores.column(c).to_vec(), args.pca_outlier_sd)
        } else {
            vec![false; m.n_samples()]
        }
    };
    let (f1, f2) = (flag(0), flag(1));
    let mut n_out = 0;
    for (j, s) in m.samples.iter().enumerate() {
        let out = f1[j] || f2[j];
        n_out += usize::from(out);
        let mut row = vec![fmt_text(Some(&s.sample_id)), fmt_text(groups[j])];
        row.extend((0..k).map(|c| fmt_f64(pca.scores[[j, c]])));
        row.push(if out { "TRUE" } else { "FALSE" }.into());
        t.push(row);
    }
    let mut v = TsvTable::new(["component", "variance_explained"]);
    for (c, name) in pcs.iter().enumerate() {
        v.push(vec![name.clone(), fmt_f64(pca.variance_explained[c])]);
    }
    (t, v, n_out)
}

fn sample_table(report: &QcReport, pairing: Option<&Pairing>, outliers: &[bool]) -> TsvTable {
    let mut header = vec![
        "SampleID",
        "SampleType",
        "PlateID",
        "QC_status",
        "n_assays",
        "n_missing",
        "n_below_lod",
        "median_NPX",
        "IQR_NPX",
        "Q1_NPX",
        "Q3_NPX",
        "excluded",
        "reason",
        "qc_outlier",
    ];
    if pairing.is_some() {
        header.extend(["subject", "paired"]);
    }
    let mut t = TsvTable::new(header);
    let m = &report.matrix;
    let column_of = |id: &str| m.samples.iter().position(|s| s.sample_id == id);
    let subjects: Vec<Option<&str>> = match (pairing, &m.manifest) {
        (Some(p), Some(man)) => man
            .column_index(&p.subject_column)
            .map_or_else(|| vec![None; m.n_samples()], |c| m.sample_values(c)),
        _ => vec![],
    };
    for (i, s) in report.samples.iter().enumerate() {
        let mut row = vec![
            fmt_text(Some(&s.sample_id)),
            fmt_text(s.sample_type.as_deref()),
            fmt_text(s.plate_id.as_deref()),
            fmt_text(s.qc_status.as_deref()),
            s.n_assays.to_string(),
            s.n_missing.to_string(),
            s.n_below_lod.to_string(),
            fmt_f64(s.median_npx),
            fmt_f64(s.iqr_npx),
            fmt_f64(s.q1_npx),
            fmt_f64(s.q3_npx),
            if s.excluded.is_some() {
                "TRUE"
            } else {
                "FALSE"
            }
            .to_string(),
            fmt_text(s.excluded.as_deref()),
            if outliers[i] { "TRUE" } else { "FALSE" }.to_string(),
        ];
        if let Some(p) = pairing {
            let j = column_of(&s.sample_id);
            let paired = j.map(|j| p.complete.iter().any(|(_, cols)| cols.contains(&j)));
            row.push(fmt_text(j.and_then(|j| subjects[j])));
            row.push(match paired {
                None => "NA".into(),
                Some(true) => "TRUE".into(),
                Some(false) => "FALSE".into(),
            });
        }
        t.push(row);
    }
    t
}

fn assay_table(report: &QcReport) -> TsvTable {
    let mut t = TsvTable::new([
        "OlinkID",
        "UniProt",
        "Assay",
        "Panel",
        "LOD",
        "n_observed",
        "missing_fraction",
        "below_lod_fraction",
        "excluded",
        "reason",
    ]);
    for a in &report.assays {
        let i = &a.info;
        t.push(vec![
            fmt_text(Some(&i.olink_id)),
            fmt_text(i.uniprot.as_deref()),
            fmt_text(i.assay.as_deref()),
            fmt_text(i.panel.as_deref()),
            fmt_f64(i.lod),
            a.n_observed.to_string(),
            fmt_f64(i.missing_fraction),
            fmt_f64(i.below_lod_fraction),
            if a.excluded.is_some() {
                "TRUE"
            } else {
                "FALSE"
            }
            .to_string(),
            fmt_text(a.excluded.as_deref()),
        ]);
    }
    t
}

fn summary(report: &QcReport, pairing: Option<&Pairing>) -> String {
    let n = report.samples.len();
    let count = |pred: &dyn Fn(&str) -> bool| {
        report
            .samples
            .iter()
            .filter(|s| s.excluded.as_deref().is_some_and(pred))
            .count()
    };
    let controls = count(&|r| r.starts_with("control"));
    let qc = count(&|r| r.starts_with("QC status"));
    let unlisted = count(&|r| r.starts_with("not in"));
    let assays_out = report
        .assays
        .iter()
        .filter(|a| a.excluded.is_some())
        .count();
    let m = &report.matrix;
    let mut s = format!(
        "samples: {n} in the file; {controls} controls, {qc} excluded by QC status, {unlisted} not in the manifest; {} kept\n\
         assays:  {} in the file; {assays_out} excluded; {} kept\n",
        m.n_samples(),
        report.assays.len(),
        m.n_assays()
    );
    let missing = m.values.iter().filter(|v| v.is_nan()).count();
    s += &format!(
        "matrix:  {} assays x {} samples, {:.2}% missing\n",
        m.n_assays(),
        m.n_samples(),
        100.0 * missing as f64 / m.values.len().max(1) as f64
    );
    if let Some(p) = pairing {
        s += &format!(
            "pairing: {} complete subjects over {}; {} unpaired sample(s)\n",
            p.complete.len(),
            p.levels.join(", "),
            p.unpaired.len()
        );
    }
    s
}
