//! [`NpxMatrix`]: NPX values of the study samples, assays × samples, with what is known
//! about each assay and each sample.

use ndarray::Array2;
use npxkit_io::Manifest;

/// What is known about one assay (row of the matrix).
#[derive(Debug, Clone, PartialEq)]
pub struct AssayInfo {
    /// Olink assay identifier (the key).
    pub olink_id: String,
    /// UniProt accession(s).
    pub uniprot: Option<String>,
    /// Gene symbol(s) as Olink names the assay.
    pub assay: Option<String>,
    /// Panel.
    pub panel: Option<String>,
    /// Highest LOD reported for the assay across the kept samples (NaN when none).
    pub lod: f64,
    /// Fraction of kept samples with no NPX value.
    pub missing_fraction: f64,
    /// Fraction of kept samples with NPX below the LOD of their row.
    pub below_lod_fraction: f64,
}

impl AssayInfo {
    /// The assay's display name: its symbol, or its OlinkID when it has none.
    pub fn label(&self) -> &str {
        self.assay.as_deref().unwrap_or(&self.olink_id)
    }
}

/// What is known about one study sample (column of the matrix).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleInfo {
    /// Sample identifier as in the NPX file.
    pub sample_id: String,
    /// Plate(s) the sample was run on.
    pub plate_id: Option<String>,
    /// Worst QC status over the sample's rows (`PASS`, `WARN`, `FAIL`), if reported.
    pub qc_status: Option<String>,
    /// Row of the sample in the manifest, when one was given.
    pub manifest_row: Option<usize>,
}

/// NPX values of study samples: `values[[assay, sample]]`, NaN for missing.
#[derive(Debug, Clone)]
pub struct NpxMatrix {
    /// The values, assays × samples.
    pub values: Array2<f64>,
    /// One entry per row.
    pub assays: Vec<AssayInfo>,
    /// One entry per column.
    pub samples: Vec<SampleInfo>,
    /// The manifest the samples were joined with, if any.
    pub manifest: Option<Manifest>,
}

impl NpxMatrix {
    /// Number of assays (rows).
    pub fn n_assays(&self) -> usize {
        self.assays.len()
    }

    /// Number of samples (columns).
    pub fn n_samples(&self) -> usize {
        self.samples.len()
    }

    /// A manifest column's value for every sample, in column order; `None` where the
    /// manifest has no value (or there is no manifest).
    pub fn sample_values(&self, column: usize) -> Vec<Option<&str>> {
        self.samples
            .iter()
            .map(|s| {
                let m = self.manifest.as_ref()?;
                m.value(s.manifest_row?, column)
            })
            .collect()
    }
}
