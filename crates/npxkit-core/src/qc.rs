//! Olink QC and the pivot from long table to [`NpxMatrix`].
//!
//! Rules, in order (each excluded sample or assay gets its reason in the report):
//! 1. **Controls are not study samples**: a `SampleType` other than `SAMPLE`, or (when
//!    the file has no SampleType) a SampleID matching [`QcOptions::control_pattern`].
//! 2. With a manifest, samples it does not list are set aside (a warning: they are
//!    usually controls), and manifest samples without data are an error.
//! 3. Samples whose QC status is `FAIL` are excluded; `WARN` too with `exclude_warn`.
//! 4. A sample × assay measured twice among study samples is an error listing them.
//! 5. Values flagged by assay QC become NaN with `mask_assay_warn`; values below their
//!    row's LOD stay (an NPX below LOD is still a measurement) unless
//!    [`BelowLod::Nan`] is asked for.
//! 6. Assays missing in more than `max_missing` of the kept samples (and assays with no
//!    value at all) are excluded.

use rustc_hash::FxHashMap;

use ndarray::Array2;
use npxkit_io::{col, Manifest, NpxLong};
use regex::Regex;

use crate::error::{examples, CoreError};
use crate::matrix::{AssayInfo, NpxMatrix, SampleInfo};
use crate::summary::{iqr, median, quantile};

/// SampleIDs that mark Olink's control samples when the file has no SampleType:
/// `CONTROL_SAMPLE_*`, `Neg_Ctrl`, `IPC`, `Plate control`, … (case-insensitive).
pub const DEFAULT_CONTROL_PATTERN: &str =
    r"(?i)control|ctrl|^ipc([_ -]|\d|$)|^neg([_ -]|$)|^pc[_ -]?\d|^sc[_ -]?\d";

/// What to do with NPX values below the LOD of their row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BelowLod {
    /// Keep them (Olink's recommendation: they are still measurements).
    #[default]
    Keep,
    /// Set them to NaN (missing).
    Nan,
}

/// QC rules and their thresholds.
#[derive(Debug, Clone)]
pub struct QcOptions {
    /// Regular expression marking control SampleIDs (used when SampleType is absent).
    pub control_pattern: String,
    /// Exclude samples with QC status `WARN` as well as `FAIL`.
    pub exclude_warn: bool,
    /// Set values flagged by assay QC (`WARN`/`FAIL`) to NaN.
    pub mask_assay_warn: bool,
    /// Values below LOD: keep or set to NaN.
    pub below_lod: BelowLod,
    /// Exclude assays missing in more than this fraction of kept samples (0–1).
    pub max_missing: f64,
    /// Samples to set aside, with the reason (e.g. QC outliers found on a first pass).
    pub exclude_samples: Vec<(String, String)>,
}

impl Default for QcOptions {
    fn default() -> Self {
        QcOptions {
            control_pattern: DEFAULT_CONTROL_PATTERN.to_string(),
            exclude_warn: false,
            mask_assay_warn: false,
            below_lod: BelowLod::Keep,
            max_missing: 1.0,
            exclude_samples: Vec::new(),
        }
    }
}

/// Per-sample QC line (one per SampleID in the NPX file).
#[derive(Debug, Clone, PartialEq)]
pub struct SampleQc {
    /// Sample identifier.
    pub sample_id: String,
    /// SampleType as given, if any.
    pub sample_type: Option<String>,
    /// Plate(s), comma-separated.
    pub plate_id: Option<String>,
    /// Worst QC status over the sample's rows.
    pub qc_status: Option<String>,
    /// Rows (assays) measured.
    pub n_assays: usize,
    /// Rows without an NPX value.
    pub n_missing: usize,
    /// Rows with NPX below their LOD.
    pub n_below_lod: usize,
    /// Median NPX (R's median).
    pub median_npx: f64,
    /// Interquartile range of NPX (R's IQR, type 7).
    pub iqr_npx: f64,
    /// First quartile of NPX (R's quantile, type 7).
    pub q1_npx: f64,
    /// Third quartile of NPX (R's quantile, type 7).
    pub q3_npx: f64,
    /// Why the sample was excluded; `None` when kept.
    pub excluded: Option<String>,
}

/// Per-assay QC line.
#[derive(Debug, Clone, PartialEq)]
pub struct AssayQc {
    /// The assay.
    pub info: AssayInfo,
    /// Kept samples with a value for the assay.
    pub n_observed: usize,
    /// Why the assay was excluded; `None` when kept.
    pub excluded: Option<String>,
}

/// The matrix and what QC did to get it.
#[derive(Debug, Clone)]
pub struct QcReport {
    /// Study samples × kept assays.
    pub matrix: NpxMatrix,
    /// One line per SampleID of the file, in file order.
    pub samples: Vec<SampleQc>,
    /// One line per assay of the file, in file order.
    pub assays: Vec<AssayQc>,
    /// Things the user should know (printed by the CLI).
    pub warnings: Vec<String>,
}

impl QcReport {
    /// Fails unless the matrix has at least one sample and one assay: analysis steps
    /// call this, `npxkit qc` reports an empty result without failing.
    pub fn require_data(&self) -> Result<&NpxMatrix, CoreError> {
        if self.matrix.n_samples() == 0 {
            return Err(CoreError::NothingLeft(
                "no study sample left after QC (all are controls, failed QC or are missing from the manifest); run `npxkit qc` and see qc.tsv".into(),
            ));
        }
        if self.matrix.n_assays() == 0 {
            return Err(CoreError::NothingLeft(
                "no assay left after QC; run `npxkit qc` and see assay_qc.tsv".into(),
            ));
        }
        Ok(&self.matrix)
    }
}

/// Rank of a QC status; the worst over a sample's rows wins.
fn qc_rank(s: &str) -> u8 {
    match s {
        "FAIL" => 3,
        "WARN" => 2,
        "PASS" => 1,
        _ => 0,
    }
}

/// The long table's columns as plain vectors.
struct Columns<'a> {
    sample: Vec<Option<&'a str>>,
    olink: Vec<Option<&'a str>>,
    assay: Vec<Option<&'a str>>,
    uniprot: Option<Vec<Option<&'a str>>>,
    panel: Option<Vec<Option<&'a str>>>,
    plate: Option<Vec<Option<&'a str>>>,
    sample_type: Option<Vec<Option<&'a str>>>,
    sample_qc: Option<Vec<Option<&'a str>>>,
    assay_qc: Option<Vec<Option<&'a str>>>,
    npx: Vec<f64>,
    lod: Option<Vec<f64>>,
}

impl<'a> Columns<'a> {
    fn new(long: &'a NpxLong) -> Self {
        let req = |c| {
            long.str_values(c)
                .unwrap_or_else(|| vec![None; long.height()])
        };
        Columns {
            sample: req(col::SAMPLE_ID),
            olink: req(col::OLINK_ID),
            assay: req(col::ASSAY),
            uniprot: long.str_values(col::UNIPROT),
            panel: long.str_values(col::PANEL),
            plate: long.str_values(col::PLATE_ID),
            sample_type: long.str_values(col::SAMPLE_TYPE),
            sample_qc: long.str_values(col::SAMPLE_QC),
            assay_qc: long.str_values(col::ASSAY_QC),
            npx: long
                .f64_values(col::NPX)
                .unwrap_or_else(|| vec![f64::NAN; long.height()]),
            lod: long.f64_values(col::LOD),
        }
    }
}

fn at<'a>(c: &Option<Vec<Option<&'a str>>>, row: usize) -> Option<&'a str> {
    c.as_ref().and_then(|v| v[row])
}

/// Applies the QC rules to `long`, joins `manifest` and pivots to a matrix.
pub fn build_matrix(
    long: &NpxLong,
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
    let c = Columns::new(long);
    let n_rows = long.height();

    // Index samples and assays in order of first appearance.
    // Fast non-cryptographic hashing: keys come from the file, not an adversary.
    let mut sample_idx: FxHashMap<&str, usize> = FxHashMap::default();
    let mut assay_idx: FxHashMap<&str, usize> = FxHashMap::default();
    let mut row_sample = Vec::with_capacity(n_rows);
    let mut row_assay = Vec::with_capacity(n_rows);
    let mut sample_rows: Vec<SampleAcc> = Vec::new();
    let mut assay_first_row: Vec<usize> = Vec::new();
    for r in 0..n_rows {
        let sid = c.sample[r].unwrap_or("");
        let next = sample_rows.len();
        let s = *sample_idx.entry(sid).or_insert(next);
        if s == next {
            sample_rows.push(SampleAcc::new(sid));
        }
        let oid = c.olink[r].unwrap_or("");
        let next = assay_first_row.len();
        let a = *assay_idx.entry(oid).or_insert(next);
        if a == next {
            assay_first_row.push(r);
        }
        row_sample.push(s);
        row_assay.push(a);
        sample_rows[s].add(&c, r);
    }

    let mut warnings = Vec::new();
    let mut samples: Vec<SampleQc> = sample_rows.into_iter().map(SampleAcc::finish).collect();
    decide_sample_exclusions(&mut samples, &control_re, manifest, opts, &mut warnings)?;

    // Column order: manifest order when there is one, else file order.
    let mut kept: Vec<usize> = (0..samples.len())
        .filter(|&s| samples[s].excluded.is_none())
        .collect();
    if let Some(m) = manifest {
        kept.sort_by_key(|&s| m.row_of(&samples[s].sample_id));
    }
    if kept.is_empty() {
        warnings.push("no study sample left after QC: all are controls, failed QC or are missing from the manifest (see qc.tsv)".into());
    }
    let mut column_of = vec![usize::MAX; samples.len()];
    for (j, &s) in kept.iter().enumerate() {
        column_of[s] = j;
    }

    let n_assays = assay_first_row.len();
    let mut values = Array2::from_elem((n_assays, kept.len()), f64::NAN);
    let mut seen = vec![false; n_assays * kept.len()];
    let mut duplicates: Vec<String> = Vec::new();
    let mut below = vec![0usize; n_assays];
    let mut max_lod = vec![f64::NAN; n_assays];
    for r in 0..n_rows {
        let j = column_of[row_sample[r]];
        if j == usize::MAX {
            continue;
        }
        let a = row_assay[r];
        if std::mem::replace(&mut seen[a * kept.len() + j], true) {
            duplicates.push(format!(
                "{}/{}",
                samples[row_sample[r]].sample_id,
                c.olink[r].unwrap_or("")
            ));
            continue;
        }
        let mut v = c.npx[r];
        let lod = c.lod.as_ref().map_or(f64::NAN, |l| l[r]);
        if lod.is_finite() {
            max_lod[a] = if max_lod[a].is_nan() {
                lod
            } else {
                max_lod[a].max(lod)
            };
            if v < lod {
                below[a] += 1;
                if opts.below_lod == BelowLod::Nan {
                    v = f64::NAN;
                }
            }
        }
        if opts.mask_assay_warn && at(&c.assay_qc, r).is_some_and(|q| q == "WARN" || q == "FAIL") {
            v = f64::NAN;
        }
        values[[a, j]] = v;
    }
    if !duplicates.is_empty() {
        return Err(CoreError::DuplicateMeasurements {
            count: duplicates.len(),
            examples: examples(duplicates.iter().cloned(), duplicates.len()),
        });
    }

    let n_kept = kept.len() as f64;
    let mut assays = Vec::with_capacity(n_assays);
    let mut keep_rows = Vec::new();
    for a in 0..n_assays {
        let r = assay_first_row[a];
        let row = values.row(a);
        let n_observed = row.iter().filter(|v| !v.is_nan()).count();
        let missing_fraction = 1.0 - n_observed as f64 / n_kept;
        let info = AssayInfo {
            olink_id: c.olink[r].unwrap_or("").to_string(),
            uniprot: at(&c.uniprot, r).map(str::to_string),
            assay: c.assay[r].map(str::to_string),
            panel: at(&c.panel, r).map(str::to_string),
            lod: max_lod[a],
            missing_fraction,
            below_lod_fraction: below[a] as f64 / n_kept,
        };
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
            keep_rows.push(a);
            None
        };
        assays.push(AssayQc {
            info,
            n_observed,
            excluded,
        });
    }
    let n_dropped = n_assays - keep_rows.len();
    if n_dropped > 0 && !kept.is_empty() {
        warnings.push(format!(
            "{n_dropped} assay(s) excluded for missingness (see assay_qc.tsv)"
        ));
    }
    let values = values.select(ndarray::Axis(0), &keep_rows);
    let matrix = NpxMatrix {
        values,
        assays: keep_rows.iter().map(|&a| assays[a].info.clone()).collect(),
        samples: kept
            .iter()
            .map(|&s| SampleInfo {
                sample_id: samples[s].sample_id.clone(),
                plate_id: samples[s].plate_id.clone(),
                qc_status: samples[s].qc_status.clone(),
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

pub(crate) fn decide_sample_exclusions(
    samples: &mut [SampleQc],
    control_re: &Regex,
    manifest: Option<&Manifest>,
    opts: &QcOptions,
    warnings: &mut Vec<String>,
) -> Result<(), CoreError> {
    if let Some(m) = manifest {
        let in_npx: std::collections::HashSet<&str> =
            samples.iter().map(|s| s.sample_id.as_str()).collect();
        let missing: Vec<String> = m
            .sample_ids()
            .iter()
            .filter(|id| !in_npx.contains(id.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(CoreError::ManifestOnlySamples {
                count: missing.len(),
                examples: examples(missing.iter().map(|s| format!("`{s}`")), missing.len()),
            });
        }
    }
    let (mut controls, mut not_listed) = (0usize, Vec::new());
    for s in samples.iter_mut() {
        let typed_control = s
            .sample_type
            .as_deref()
            .filter(|t| !t.eq_ignore_ascii_case("SAMPLE"));
        s.excluded = if let Some(t) = typed_control {
            controls += 1;
            Some(format!("control (SampleType {t})"))
        } else if s.sample_type.is_none() && control_re.is_match(&s.sample_id) {
            controls += 1;
            Some("control (SampleID)".to_string())
        } else if manifest.is_some_and(|m| m.row_of(&s.sample_id).is_none()) {
            not_listed.push(s.sample_id.clone());
            Some("not in the manifest".to_string())
        } else if s.qc_status.as_deref() == Some("FAIL") {
            Some("QC status FAIL".to_string())
        } else if opts.exclude_warn && s.qc_status.as_deref() == Some("WARN") {
            Some("QC status WARN (--exclude-warn)".to_string())
        } else if let Some((_, why)) = opts
            .exclude_samples
            .iter()
            .find(|(id, _)| *id == s.sample_id)
        {
            Some(why.clone())
        } else {
            None
        };
    }
    if controls > 0 {
        log::info!("{controls} control sample(s) set aside");
    }
    if !not_listed.is_empty() {
        warnings.push(format!(
            "{} sample(s) in the NPX file are not in the manifest and were set aside: {}",
            not_listed.len(),
            examples(
                not_listed.iter().map(|s| format!("`{s}`")),
                not_listed.len()
            )
        ));
    }
    Ok(())
}

/// Accumulates one sample's rows.
struct SampleAcc {
    id: String,
    sample_type: Option<String>,
    plates: Vec<String>,
    qc: Option<String>,
    values: Vec<f64>,
    n_rows: usize,
    n_below: usize,
}

impl SampleAcc {
    fn new(id: &str) -> Self {
        SampleAcc {
            id: id.to_string(),
            sample_type: None,
            plates: vec![],
            qc: None,
            values: vec![],
            n_rows: 0,
            n_below: 0,
        }
    }

    fn add(&mut self, c: &Columns<'_>, r: usize) {
        self.n_rows += 1;
        if self.sample_type.is_none() {
            self.sample_type = at(&c.sample_type, r).map(str::to_string);
        }
        if let Some(p) = at(&c.plate, r) {
            if !self.plates.iter().any(|q| q == p) {
                self.plates.push(p.to_string());
            }
        }
        if let Some(q) = at(&c.sample_qc, r) {
            if self
                .qc
                .as_deref()
                .is_none_or(|old| qc_rank(q) > qc_rank(old))
            {
                self.qc = Some(q.to_string());
            }
        }
        let v = c.npx[r];
        self.values.push(v);
        let lod = c.lod.as_ref().map_or(f64::NAN, |l| l[r]);
        if lod.is_finite() && v < lod {
            self.n_below += 1;
        }
    }

    fn finish(self) -> SampleQc {
        SampleQc {
            n_missing: self.values.iter().filter(|v| v.is_nan()).count(),
            median_npx: median(&self.values),
            iqr_npx: iqr(&self.values),
            q1_npx: quantile(&self.values, 0.25),
            q3_npx: quantile(&self.values, 0.75),
            sample_id: self.id,
            sample_type: self.sample_type,
            plate_id: (!self.plates.is_empty()).then(|| self.plates.join(",")),
            qc_status: self.qc,
            n_assays: self.n_rows,
            n_below_lod: self.n_below,
            excluded: None,
        }
    }
}
