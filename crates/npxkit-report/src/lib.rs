//! **npxkit-report** turns a folder of npxkit results into one self-contained HTML
//! report and the figures behind it.
//!
//! It reads only the tables the subcommands write (qc.tsv, pca.tsv, de.tsv,
//! protein_values.tsv, scores.tsv, score_tests.tsv, enrichment.tsv, clusters.tsv,
//! network.json, run.json, and normalize's adjustments.tsv and bridgeability.tsv),
//! never the delivery, so `npxkit report` can rebuild the
//! report of any finished analysis in a blink and a workflow engine can run it as the
//! last step over the folders of the others. Every section is filled from what is
//! there; a step that was not run gets a one-line note instead of a silent gap.
//!
//! The page is one file: CSS and JavaScript inline, figures as inline SVG, no network
//! requests, so it opens offline and can be mailed to a clinician. Tables are sortable
//! and searchable by a few lines of vanilla JavaScript. The output is deterministic:
//! no timestamps; the same results give the same bytes.
//!
//! Modules: [`tables`] reads the TSVs, [`results`] finds them in the input folders,
//! `figures` draws with `npxkit-plot`, `methods` writes the methods paragraph from the
//! recorded options, `html` assembles the page.

mod figures;
mod html;
mod methods;
pub mod results;
pub mod tables;

use std::path::PathBuf;

pub use npxkit_plot::Figure;
pub use results::Results;

/// Errors of the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// A table is malformed.
    #[error("{path}: {message}")]
    Table {
        /// The file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// Nothing to report.
    #[error(
        "no npxkit result table in {0}: pass the --out folder of npxkit run or of the subcommands"
    )]
    Empty(String),
    /// A figure failed to draw.
    #[error("drawing figure {name}: {message}")]
    Figure {
        /// Figure name.
        name: String,
        /// The plotting error.
        message: String,
    },
}

/// What the report shows.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Title at the top of the page.
    pub title: String,
    /// Proteins always labelled in the volcano plot (symbols or OlinkIDs).
    pub highlight: Vec<String>,
    /// Which contrast of a multi-contrast de.tsv to show (default: the first).
    pub contrast: Option<String>,
    /// adj.P.Val threshold drawn and counted.
    pub fdr: f64,
    /// Rows of the "top proteins" table.
    pub top_rows: usize,
    /// The folder the report is written to, so links to the tables are relative to it.
    pub out_dir: Option<PathBuf>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            title: "npxkit report".into(),
            highlight: vec!["CD274".into()],
            contrast: None,
            fdr: 0.05,
            top_rows: 25,
            out_dir: None,
        }
    }
}

/// A figure and the file stem it is written under (`figures/<name>.svg`).
#[derive(Debug, Clone)]
pub struct NamedFigure {
    /// File stem, e.g. `de_volcano`.
    pub name: String,
    /// Caption shown under it.
    pub caption: String,
    /// The figure.
    pub figure: Figure,
}

/// The report: the HTML page and its figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// The page.
    pub html: String,
    /// Every figure, in page order.
    pub figures: Vec<NamedFigure>,
    /// Sections that had data, by id (summary, normalisation, qc, de, proteins, immune,
    /// enrichment, themes, methods, provenance).
    pub filled: Vec<&'static str>,
    /// Sections without data, with the reason.
    pub missing: Vec<(&'static str, String)>,
}

/// Builds the report from loaded results.
pub fn build(results: &Results, opts: &ReportOptions) -> Result<Report, ReportError> {
    if results.is_empty() {
        return Err(ReportError::Empty(results.describe_inputs()));
    }
    let figs = figures::all(results, opts)?;
    let text = methods::paragraph(results);
    let (html, filled, missing) = html::page(results, opts, &figs, &text);
    Ok(Report {
        html,
        figures: figs,
        filled,
        missing,
    })
}
