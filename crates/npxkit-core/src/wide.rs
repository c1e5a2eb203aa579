//! [`matrix_from_wide`]: a wide sample × assay matrix (as population studies deliver
//! NPX) to the same [`QcReport`] as [`crate::build_matrix`] makes from a long table.
//!
//! A wide matrix carries NPX values only: no SampleType, plate, sample QC status, assay
//! QC flag or LOD. So the rules that need them do nothing (a warning says so when they
//! were asked for), the QC tables show those fields as missing (`NA`), and what applies
//! is: controls by SampleID ([`QcOptions::control_pattern`]), the manifest join,
//! [`QcOptions::exclude_samples`] and missingness. Duplicate SampleIDs are rejected by
//! the reader. The values are moved, not copied: the matrix is compacted in place.

use ndarray::Array2;
use npxkit_io::{Manifest, WideMatrix};
use regex::Regex;

use crate::error::CoreError;
use crate::matrix::{AssayInfo, NpxMatrix, SampleInfo};
use crate::qc::{decide_sample_exclusions, AssayQc, BelowLod, QcOptions, QcReport, SampleQc};
use crate::summary::quantile_sorted;

/// Samples gathered per block when computing per-sample statistics (the matrix is
/// stored assay-major, so a block reads contiguous runs).
const SAMPLE_BLOCK: usize = 64;

/// Applies the QC rules that apply to a wide matrix, joins `manifest` and returns the
/// report; `wide`'s values become the matrix without a copy.
pub fn matrix_from_wide(
    wide: WideMatrix,
    manifest: Option<&Manifest>,
    opts: &QcOptions,
) -> Result<QcReport, CoreError> {
    let control_re = Regex::new(&opts.control_pattern).map_err(|e| {
        CoreError::InvalidOption(format!(
            "--control-pattern: not a valid regular expression: {e}"
        ))
    })?;
    if !(0.0..=1.0).contains(&opts.max_missing) {
        return Err(CoreError::InvalidOption(format!(
            "--max-missing must be a fraction between 0 and 1, got {}",
            opts.max_missing
        )));
    }
    let WideMatrix {
        path,
        sample_ids,
        assays: metas,
        mut values,
        ..
    } = wide;
    let n = sample_ids.len();
    let n_assays = metas.len();
    let mut warnings = Vec::new();
    let mut unused = Vec::new();
    if opts.exclude_warn {
        unused.push("--exclude-warn");
    }
    if opts.mask_assay_warn {
        unused.push("--mask-assay-warn");
    }
    if opts.below_lod == BelowLod::Nan {
        unused.push("--below-lod nan");
    }
    if !unused.is_empty() {
        warnings.push(format!(
            "{}: a wide matrix has no sample QC status, assay QC flags or LOD, so {} had no effect",
            path.display(),
            unused.join(", ")
        ));
    }

    // Per-sample statistics over all assays, as build_matrix computes them.
    let mut samples: Vec<SampleQc> = Vec::with_capacity(n);
    let mut bufs: Vec<Vec<f64>> = vec![Vec::with_capacity(n_assays); SAMPLE_BLOCK.min(n)];
    for start in (0..n).step_by(SAMPLE_BLOCK) {
        let end = (start + SAMPLE_BLOCK).min(n);
        for b in bufs.iter_mut() {
            b.clear();
        }
        for a in 0..n_assays {
            let row = &values[a * n + start..a * n + end];
            for (b, &v) in bufs.iter_mut().zip(row) {
                if v.is_finite() {
                    b.push(v);
                }
            }
        }
        for (k, b) in bufs.iter_mut().take(end - start).enumerate() {
            b.sort_unstable_by(f64::total_cmp);
            let (median, q1, q3) = if b.is_empty() {
                (f64::NAN, f64::NAN, f64::NAN)
            } else {
                let half = b.len() / 2;
                let median = if b.len() % 2 == 1 {
                    b[half]
                } else {
                    (b[half - 1] + b[half]) / 2.0
                };
                (median, quantile_sorted(b, 0.25), quantile_sorted(b, 0.75))
            };
            samples.push(SampleQc {
                sample_id: sample_ids[start + k].clone(),
                sample_type: None,
                plate_id: None,
                qc_status: None,
                n_assays,
                n_missing: n_assays - b.len(),
                n_below_lod: 0,
                median_npx: median,
                iqr_npx: q3 - q1,
                q1_npx: q1,
                q3_npx: q3,
                excluded: None,
            });
        }
    }
    drop(bufs);
    decide_sample_exclusions(&mut samples, &control_re, manifest, opts, &mut warnings)?;

    let mut kept: Vec<usize> = (0..n).filter(|&s| samples[s].excluded.is_none()).collect();
    if let Some(m) = manifest {
        kept.sort_by_key(|&s| m.row_of(&samples[s].sample_id));
    }
    if kept.is_empty() {
        warnings.push("no study sample left after QC: all are controls or are missing from the manifest (see qc.tsv)".into());
    }
    let k = kept.len();
    let n_kept = k as f64;

    // Compact in place: row a (kept samples, in column order) moves to row a' <= a.
    let mut scratch = vec![0.0; k];
    let mut assays = Vec::with_capacity(n_assays);
    let mut kept_rows = 0usize;
    for (a, meta) in metas.into_iter().enumerate() {
        let row = &values[a * n..(a + 1) * n];
        for (o, &s) in scratch.iter_mut().zip(&kept) {
            *o = row[s];
        }
        let n_observed = scratch.iter().filter(|v| !v.is_nan()).count();
        let missing_fraction = 1.0 - n_observed as f64 / n_kept;
        let excluded = if kept.is_empty() {
            Some("no study sample left".to_string())
        } else if n_observed == 0 {
            Some("no value in any kept sample".to_string())
        } else if missing_fraction > opts.max_missing {
            Some(format!(
                "missing in {:.1}% of samples (> --max-missing {})",
                100.0 * missing_fraction,
                opts.max_missing
            ))
        } else {
            values[kept_rows * k..(kept_rows + 1) * k].copy_from_slice(&scratch);
            kept_rows += 1;
            None
        };
        assays.push(AssayQc {
            info: AssayInfo {
                assay: meta.assay.or_else(|| Some(meta.olink_id.clone())),
                olink_id: meta.olink_id,
                uniprot: meta.uniprot,
                panel: meta.panel,
                lod: f64::NAN,
                missing_fraction,
                below_lod_fraction: 0.0,
            },
            n_observed,
            excluded,
        });
    }
    drop(scratch);
    let n_dropped = n_assays - kept_rows;
    if n_dropped > 0 && !kept.is_empty() {
        warnings.push(format!(
            "{n_dropped} assay(s) excluded for missingness (see assay_qc.tsv)"
        ));
    }
    values.truncate(kept_rows * k);
    values.shrink_to_fit();
    let values = Array2::from_shape_vec((kept_rows, k), values)
        .map_err(|e| CoreError::InvalidOption(format!("internal: matrix shape: {e}")))?;
    let matrix = NpxMatrix {
        values,
        assays: assays
            .iter()
            .filter(|a| a.excluded.is_none())
            .map(|a| a.info.clone())
            .collect(),
        samples: kept
            .iter()
            .map(|&s| SampleInfo {
                sample_id: samples[s].sample_id.clone(),
                plate_id: None,
                qc_status: None,
                manifest_row: manifest.and_then(|m| m.row_of(&samples[s].sample_id)),
            })
            .collect(),
        manifest: manifest.cloned(),
    };
    Ok(QcReport {
        matrix,
        samples,
        assays,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn wide(text: &str) -> WideMatrix {
        npxkit_io::read_wide_matrix(text.as_bytes(), Path::new("w.csv")).unwrap()
    }

    #[test]
    fn test_matrix_from_wide_matches_build_matrix() {
        let w = "SampleID,OID40001,OID40002,OID40003\nS1,1,2,NA\nCONTROL_1,9,9,9\nS2,3,NA,NA\nS3,5,6,NA\n";
        let long = "SampleID;OlinkID;Assay;NPX\nS1;OID40001;OID40001;1\nS1;OID40002;OID40002;2\nS1;OID40003;OID40003;NA\nCONTROL_1;OID40001;OID40001;9\nCONTROL_1;OID40002;OID40002;9\nCONTROL_1;OID40003;OID40003;9\nS2;OID40001;OID40001;3\nS2;OID40002;OID40002;NA\nS2;OID40003;OID40003;NA\nS3;OID40001;OID40001;5\nS3;OID40002;OID40002;6\nS3;OID40003;OID40003;NA\n";
        let long = npxkit_io::read_npx_bytes(long.as_bytes(), Path::new("l.csv")).unwrap();
        let manifest = Manifest::parse(
            "SampleID\tg\nS3\ta\nS1\tb\nS2\ta\n",
            &PathBuf::from("m.tsv"),
        )
        .unwrap();
        for m in [None, Some(&manifest)] {
            let opts = QcOptions::default();
            let a = matrix_from_wide(wide(w), m, &opts).unwrap();
            let b = crate::build_matrix(&long, m, &opts).unwrap();
            assert_eq!(a.samples, b.samples);
            assert_eq!(format!("{:?}", a.assays), format!("{:?}", b.assays));
            assert_eq!(a.matrix.samples, b.matrix.samples);
            assert_eq!(
                format!("{:?}", a.matrix.values),
                format!("{:?}", b.matrix.values)
            );
        }
    }
}
