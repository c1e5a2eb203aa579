//! `npxkit report`: report.html and figures/ from the tables of finished steps.

use anyhow::{Context, Result};
use serde_json::json;
use std::path::Path;

use crate::cli::ReportArgs;
use crate::commands::ensure_out_dir;
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_report::{build, ReportOptions, Results};

/// Runs `npxkit report`.
pub fn run(args: ReportArgs) -> Result<()> {
    check_args(&args)?;
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start("report", options_json(&args));
    let summary = execute(&args, &mut record)?;
    let same = args.input.iter().any(|d| same_dir(d, &args.out));
    let name = if same { "report.run.json" } else { "run.json" };
    record.finish_as(&args.out, name)?;
    println!("{summary}");
    Ok(())
}

fn check_args(args: &ReportArgs) -> Result<()> {
    if !(args.fdr > 0.0 && args.fdr <= 1.0) {
        return Err(UsageError(format!("--fdr must be in (0, 1], got {}", args.fdr)).into());
    }
    for d in &args.input {
        if !d.is_dir() {
            return Err(UsageError(format!(
                "--in {}: not a folder; pass the --out folder of npxkit run or of a step",
                d.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// The options of `npxkit report` as recorded in `run.json`.
pub fn options_json(args: &ReportArgs) -> serde_json::Value {
    json!({
        "in": args.input, "title": args.title, "highlight": args.highlight,
        "contrast": args.contrast, "fdr": args.fdr, "png": args.png,
    })
}

/// Builds the report into `args.out`; returns the summary line. Shared by
/// `npxkit report` and `npxkit run`.
pub fn execute(args: &ReportArgs, record: &mut RunRecord) -> Result<String> {
    check_args(args)?;
    let results = Results::load(&args.input)?;
    let opts = ReportOptions {
        title: args.title.clone(),
        highlight: args.highlight.clone(),
        contrast: args.contrast.clone(),
        fdr: args.fdr,
        out_dir: Some(args.out.clone()),
        ..ReportOptions::default()
    };
    let report = build(&results, &opts)?;
    let fig_dir = args.out.join("figures");
    std::fs::create_dir_all(&fig_dir)
        .with_context(|| format!("cannot create {}", fig_dir.display()))?;
    for f in &report.figures {
        let name = format!("figures/{}.svg", f.name);
        npxkit_io::write_atomic(&args.out.join(&name), |w| {
            w.write_all(f.figure.svg.as_bytes())
        })
        .with_context(|| format!("writing {name}"))?;
        record.output(&name);
        if args.png {
            let png = f
                .figure
                .to_png(npxkit_plot::PRINT_SCALE)
                .with_context(|| format!("rasterising {}", f.name))?;
            let name = format!("figures/{}.png", f.name);
            npxkit_io::write_atomic(&args.out.join(&name), |w| w.write_all(&png))
                .with_context(|| format!("writing {name}"))?;
            record.output(&name);
        }
    }
    npxkit_io::write_atomic(&args.out.join("report.html"), |w| {
        w.write_all(report.html.as_bytes())
    })
    .context("writing report.html")?;
    record.output("report.html");
    let missing: Vec<String> = report
        .missing
        .iter()
        .map(|(id, _)| id.to_string())
        .collect();
    Ok(format!(
        "report: {} ({} figures; sections without data: {})",
        args.out.join("report.html").display(),
        report.figures.len(),
        if missing.is_empty() {
            "none".into()
        } else {
            missing.join(", ")
        }
    ))
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
