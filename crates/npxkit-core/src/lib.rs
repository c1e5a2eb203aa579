//! **npxkit-core** turns an Olink long table into the matrix every analysis uses.
//!
//! [`build_matrix`] applies Olink's QC rules ([`QcOptions`]: control samples, sample QC
//! status, assay warnings, LOD, missingness, duplicated measurements), joins the sample
//! manifest and pivots to an [`NpxMatrix`] (assays × samples, `f64`, NaN for missing).
//! It returns a [`QcReport`] saying, per sample and per assay, what was kept, what was
//! excluded and why. [`pair_samples`] finds complete subjects across timepoints;
//! [`build_design`] makes the design matrix and contrasts of a linear model from the
//! manifest (R's `model.matrix` with treatment contrasts). [`matrix_from_wide`] makes
//! the same report from a wide sample × assay matrix, without a long table.

pub mod design;
mod error;
mod matrix;
mod pairing;
pub mod pca;
mod qc;
pub mod summary;
mod wide;

pub use design::{build_design, parse_contrast, Contrast, Design, DesignSpec};
pub use error::CoreError;
pub use matrix::{AssayInfo, NpxMatrix, SampleInfo};
pub use pairing::{pair_samples, Pairing};
pub use pca::{pca, sd_outliers, Pca, PcaOptions};
pub use qc::{
    build_matrix, AssayQc, BelowLod, QcOptions, QcReport, SampleQc, DEFAULT_CONTROL_PATTERN,
};
pub use wide::matrix_from_wide;
