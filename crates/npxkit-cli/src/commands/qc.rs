//! `npxkit qc`: the QC tables and a summary.

use anyhow::Result;
use serde_json::json;

use crate::cli::QcArgs;
use crate::commands::{ensure_out_dir, load_input, usage_or_data};
use crate::provenance::RunRecord;
use npxkit_core::{pair_samples, Pairing, QcReport};
use npxkit_io::{fmt_f64, fmt_text, TsvTable};

/// Runs `npxkit qc`.
pub fn run(args: QcArgs) -> Result<()> {
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start(
        "qc",
        json!({
            "qc": args.input.qc_options_json(),
            "group": args.group,
            "pair": args.pair,
        }),
    );
    let report = load_input(&args.input, &mut record)?;
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
    sample_table(&report, pairing.as_ref()).write_atomic(&args.out.join("qc.tsv"))?;
    record.output("qc.tsv");
    assay_table(&report).write_atomic(&args.out.join("assay_qc.tsv"))?;
    record.output("assay_qc.tsv");
    record.finish(&args.out)?;
    print!("{}", summary(&report, pairing.as_ref()));
    Ok(())
}

fn sample_table(report: &QcReport, pairing: Option<&Pairing>) -> TsvTable {
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
        "excluded",
        "reason",
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
    for s in &report.samples {
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
            if s.excluded.is_some() {
                "TRUE"
            } else {
                "FALSE"
            }
            .to_string(),
            fmt_text(s.excluded.as_deref()),
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
