//! Shared set-up of npxkit's benchmarks: the study sizes the issues name, simulated
//! once per run into a temporary folder.

use npxkit_sim::{delivery, simulate, SimConfig};
use std::path::PathBuf;

/// A simulated study on disk.
pub struct StudyFiles {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    /// Long CSV (NPX Signature layout).
    pub csv: PathBuf,
    /// Parquet (Explore HT layout).
    pub parquet: PathBuf,
    /// Manifest.
    pub samples: PathBuf,
}

/// Simulates `proteins` assays for `subjects` subjects (two timepoints each, two
/// unpaired) and writes it as CSV and parquet.
pub fn study_files(proteins: usize, subjects: usize) -> StudyFiles {
    let cfg = SimConfig {
        n_assays: proteins,
        n_subjects: subjects,
        n_unpaired: 2,
        ..SimConfig::default()
    };
    let study = simulate(&cfg).expect("valid simulation settings");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let csv = dir.path().join("npx.csv");
    let parquet = dir.path().join("npx.parquet");
    let samples = dir.path().join("samples.tsv");
    delivery::signature_csv(&study)
        .write_delimited_file(&csv, b';')
        .expect("write csv");
    delivery::explore_parquet(&study)
        .write_parquet_file(&parquet)
        .expect("write parquet");
    delivery::manifest(&study)
        .write_atomic(&samples)
        .expect("write manifest");
    StudyFiles {
        dir,
        csv,
        parquet,
        samples,
    }
}
