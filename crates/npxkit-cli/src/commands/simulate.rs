//! `npxkit simulate`: writes a simulated study as an Olink delivery would arrive.

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::{SimFormat, SimulateArgs};
use crate::commands::ensure_out_dir;
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_io::{fmt_f64, TsvTable};
use npxkit_sim::{delivery, simulate, SimConfig, SimStudy};

/// Runs `npxkit simulate`.
pub fn run(args: SimulateArgs) -> Result<()> {
    for (name, v) in [
        ("--frac-changed", args.frac_changed),
        ("--missing-rate", args.missing_rate),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(UsageError(format!("{name} must be between 0 and 1, got {v}")).into());
        }
    }
    let (subjects, unpaired) = match args.samples {
        Some(0) => return Err(UsageError("--samples must be at least 1".into()).into()),
        Some(m) => (m.div_ceil(2), m % 2),
        None => (args.subjects, args.unpaired),
    };
    let cfg = SimConfig {
        n_assays: args.proteins,
        n_subjects: subjects,
        n_unpaired: unpaired,
        frac_changed: args.frac_changed,
        missing_rate: args.missing_rate,
        seed: args.seed,
        ..SimConfig::default()
    };
    let study = simulate(&cfg).map_err(UsageError)?;
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start(
        "simulate",
        json!({"proteins": args.proteins, "subjects": subjects, "unpaired": unpaired,
               "frac_changed": args.frac_changed, "missing_rate": args.missing_rate, "seed": args.seed,
               "format": format!("{:?}", args.format).to_lowercase(), "wide": args.wide}),
    );
    if args.wide {
        write_wide(&study, args.format, &args.out, &mut record)?;
    }
    if !args.wide && args.format != SimFormat::Parquet {
        delivery::signature_csv(&study).write_delimited_file(&args.out.join("npx.csv"), b';')?;
        record.output("npx.csv");
    }
    if !args.wide && args.format != SimFormat::Csv {
        delivery::explore_parquet(&study)
            .write_parquet_file(&args.out.join("npx.parquet"))
            .context("writing npx.parquet")?;
        record.output("npx.parquet");
    }
    delivery::manifest(&study).write_atomic(&args.out.join("samples.tsv"))?;
    record.output("samples.tsv");
    truth(&study).write_atomic(&args.out.join("truth.tsv"))?;
    record.output("truth.tsv");
    record.finish(&args.out)?;
    let n_study = study
        .samples
        .iter()
        .filter(|s| s.sample_type == "SAMPLE")
        .count();
    println!(
        "simulated {} assays x {} samples ({} study samples, {} controls) into {}",
        study.assays.len(),
        study.samples.len(),
        n_study,
        study.samples.len() - n_study,
        args.out.display()
    );
    Ok(())
}

/// Samples per parquet row group of a wide matrix.
const WIDE_ROW_GROUP: usize = 8192;

/// Writes the study as a wide sample × assay matrix (controls included, as rows named
/// by their SampleIDs) straight from the simulated values, plus the assay table.
fn write_wide(
    study: &SimStudy,
    format: SimFormat,
    out: &std::path::Path,
    record: &mut RunRecord,
) -> Result<()> {
    let ids: Vec<String> = study.samples.iter().map(|s| s.sample_id.clone()).collect();
    let oids: Vec<String> = study.assays.iter().map(|a| a.olink_id.clone()).collect();
    if format != SimFormat::Parquet {
        npxkit_io::matrix::write_wide_delimited(
            &out.join("npx_wide.csv"),
            &ids,
            &oids,
            &study.npx,
            b',',
        )?;
        record.output("npx_wide.csv");
    }
    if format != SimFormat::Csv {
        npxkit_io::matrix::write_wide_parquet(
            &out.join("npx_wide.parquet"),
            &ids,
            &oids,
            &study.npx,
            WIDE_ROW_GROUP,
        )
        .context("writing npx_wide.parquet")?;
        record.output("npx_wide.parquet");
    }
    let mut t = TsvTable::new(["OlinkID", "UniProt", "Assay", "Panel"]);
    for a in &study.assays {
        t.push(vec![
            a.olink_id.clone(),
            a.uniprot.clone(),
            a.assay.clone(),
            a.panel.to_string(),
        ]);
    }
    t.write_atomic(&out.join("assays.tsv"))?;
    record.output("assays.tsv");
    Ok(())
}

fn truth(study: &SimStudy) -> TsvTable {
    let mut t = TsvTable::new([
        "OlinkID",
        "Assay",
        "true_logFC",
        "changed",
        "mean",
        "sigma",
        "LOD",
    ]);
    for a in &study.assays {
        t.push(vec![
            a.olink_id.clone(),
            a.assay.clone(),
            fmt_f64(a.true_logfc),
            if a.true_logfc != 0.0 { "TRUE" } else { "FALSE" }.to_string(),
            fmt_f64(a.mean),
            fmt_f64(a.sigma),
            fmt_f64(a.lod),
        ]);
    }
    t
}
