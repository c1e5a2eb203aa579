//! [`NpxLong`]: one row per sample × assay, with canonical column names whatever the
//! product or software version that wrote the file.
//!
//! Olink exports name the same thing differently (`QC_Warning` in Target 96 and Explore
//! 3072 long CSV, `SampleQC` in Explore HT parquet, `Panel_Version` vs `Panel_Lot_Nr`, …).
//! Readers map every known alias to one canonical name ([`col`]) so the rest of npxkit
//! never sees the difference; columns they do not know are kept under their own names.

use polars::prelude::*;
use std::path::PathBuf;

use crate::Format;

/// Canonical column names of an [`NpxLong`] table.
pub mod col {
    /// Sample identifier (required).
    pub const SAMPLE_ID: &str = "SampleID";
    /// `SAMPLE` for study samples; control types otherwise (optional).
    pub const SAMPLE_TYPE: &str = "SampleType";
    /// Olink assay identifier, the assay key (required).
    pub const OLINK_ID: &str = "OlinkID";
    /// UniProt accession(s); `_`-joined for multi-protein assays.
    pub const UNIPROT: &str = "UniProt";
    /// Gene symbol(s) of the assay (required); `_`-joined for multi-gene assays.
    pub const ASSAY: &str = "Assay";
    /// Panel name.
    pub const PANEL: &str = "Panel";
    /// Plate identifier.
    pub const PLATE_ID: &str = "PlateID";
    /// Normalised protein expression, log2 scale (required; NaN when missing).
    pub const NPX: &str = "NPX";
    /// Limit of detection on the NPX scale (NaN when not given).
    pub const LOD: &str = "LOD";
    /// Missing-data frequency reported by the export.
    pub const MISSING_FREQ: &str = "MissingFreq";
    /// Sample QC status, normalised to `PASS`, `WARN` or `FAIL` (null when absent).
    pub const SAMPLE_QC: &str = "SampleQC";
    /// Assay QC status, normalised to `PASS`, `WARN` or `FAIL` (null when absent).
    pub const ASSAY_QC: &str = "AssayQC";

    /// Columns holding numbers.
    pub const NUMERIC: [&str; 3] = [NPX, LOD, MISSING_FREQ];
    /// Columns every reader must find.
    pub const REQUIRED: [&str; 4] = [SAMPLE_ID, OLINK_ID, ASSAY, NPX];
}

/// Known spellings of each canonical column, compared after [`normalise_header`].
/// The first alias present in a file wins, so order expresses preference
/// (`LOD` over `PlateLOD` over `MaxLOD`).
pub(crate) const ALIASES: &[(&str, &[&str])] = &[
    (col::SAMPLE_ID, &["sampleid", "sample"]),
    (col::SAMPLE_TYPE, &["sampletype"]),
    (col::OLINK_ID, &["olinkid"]),
    (col::UNIPROT, &["uniprot", "uniprotid"]),
    (col::ASSAY, &["assay", "assayname"]),
    (col::PANEL, &["panel"]),
    (col::PLATE_ID, &["plateid"]),
    (col::NPX, &["npx"]),
    (col::LOD, &["lod", "platelod", "maxlod", "globallod"]),
    (col::MISSING_FREQ, &["missingfreq", "missingdatafreq"]),
    (col::SAMPLE_QC, &["qcwarning", "sampleqc", "qcstatus"]),
    (col::ASSAY_QC, &["assaywarning", "assayqc"]),
];

/// Lower-cases a header and drops everything but letters and digits, so that
/// `QC_Warning`, `QC Warning` and `qcwarning` compare equal.
pub(crate) fn normalise_header(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Maps a file's header to canonical names: `Some(canonical)` for a recognised
/// column (the first one found for each canonical name), `None` for an extra.
pub(crate) fn canonical_names(header: &[String]) -> Vec<Option<&'static str>> {
    let normalised: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
    let mut out = vec![None; header.len()];
    for (canonical, aliases) in ALIASES {
        'alias: for alias in aliases.iter() {
            for (i, n) in normalised.iter().enumerate() {
                if n == alias && out[i].is_none() {
                    out[i] = Some(*canonical);
                    break 'alias;
                }
            }
        }
    }
    out
}

/// Normalises a QC flag (`Pass`, `PASS`, `Warning`, `WARN`, `Fail`, …) to `PASS`,
/// `WARN` or `FAIL`; empty and `NA` become `None`, anything else is kept upper-cased.
pub fn normalise_qc(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("na") {
        return None;
    }
    let up = v.to_ascii_uppercase();
    Some(match up.as_str() {
        "PASS" | "PASSED" | "OK" => "PASS".to_string(),
        "WARN" | "WARNING" | "WARNINGS" => "WARN".to_string(),
        "FAIL" | "FAILED" => "FAIL".to_string(),
        _ => up,
    })
}

/// Where an [`NpxLong`] came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file given by the user.
    pub path: PathBuf,
    /// The member read inside a zip delivery, if any.
    pub member: Option<String>,
    /// The detected format.
    pub format: Format,
}

/// An Olink NPX table in long form: one row per sample × assay.
///
/// Holds a polars [`DataFrame`] whose recognised columns carry the names in [`col`]
/// (`NPX`, `LOD` and `MissingFreq` as `Float64` with NaN for missing; the others as
/// `String`) and whose other columns keep the names and text of the file.
#[derive(Debug, Clone)]
pub struct NpxLong {
    df: DataFrame,
    source: Source,
}

impl NpxLong {
    /// Wraps a data frame that already has the canonical columns.
    pub fn new(df: DataFrame, source: Source) -> Self {
        NpxLong { df, source }
    }

    /// The underlying table.
    pub fn frame(&self) -> &DataFrame {
        &self.df
    }

    /// Consumes `self`, returning the table.
    pub fn into_frame(self) -> DataFrame {
        self.df
    }

    /// Where the table came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Number of rows (sample × assay measurements).
    pub fn height(&self) -> usize {
        self.df.height()
    }

    /// A text column by canonical or original name, if present.
    pub fn str_column(&self, name: &str) -> Option<&StringChunked> {
        self.df.column(name).ok().and_then(|c| c.str().ok())
    }

    /// A numeric column (`NPX`, `LOD`, `MissingFreq`), if present.
    pub fn f64_column(&self, name: &str) -> Option<&Float64Chunked> {
        self.df.column(name).ok().and_then(|c| c.f64().ok())
    }

    /// A text column as plain values (so callers need not know polars), if present.
    pub fn str_values(&self, name: &str) -> Option<Vec<Option<&str>>> {
        self.str_column(name).map(|c| c.iter().collect())
    }

    /// A numeric column as plain values with NaN for missing, if present.
    pub fn f64_values(&self, name: &str) -> Option<Vec<f64>> {
        self.f64_column(name)
            .map(|c| c.iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }

    /// Names of the columns not recognised as canonical, in file order.
    pub fn extra_columns(&self) -> Vec<String> {
        let canonical: Vec<&str> = ALIASES.iter().map(|(c, _)| *c).collect();
        self.df
            .get_column_names()
            .into_iter()
            .map(|n| n.to_string())
            .filter(|n| !canonical.contains(&n.as_str()))
            .collect()
    }
}
