//! Limits of detection from negative controls or from a fixed LOD file, as
//! OlinkAnalyze 5.0's `olink_lod` computes them, and the missing-data frequency they
//! imply.
//!
//! 1. **Per assay and reagent lot** ([`nc_lod`], `olink_nc_lod`): over the rows with
//!    `SampleType == "NEGATIVE_CONTROL"`, `SampleQC == "PASS"`, `AssayType ==
//!    "assay"` and NPX present (at least [`MIN_NEGATIVE_CONTROLS`] negative-control
//!    samples in all), per OlinkID × DataAnalysisRefID:
//!    `LODNPX = median(PCNormalizedNPX) + max(0.2, 3·sd(PCNormalizedNPX))`,
//!    `LODCount = max(150, max(2·Count))`, and the method is `lod_npx` when
//!    `max(Count) > 150`, else `lod_count` (the count-based fallback of Explore HT).
//!    A fixed LOD file gives the same three numbers per OlinkID × DataAnalysisRefID
//!    ([`parse_fixed_lod`], `olink_fixed_lod`).
//! 2. **Per row** ([`row_lod`], `pc_norm_count` + `int_norm_count`):
//!    `PCNormalizedLOD` is missing when the NPX is, `LODNPX` for `lod_npx`, else
//!    `log2(LODCount / ExtCount) − PCMedian`: `ExtCount` is the Count of the row's
//!    extension control (`AssayType == "ext_ctrl"`, same SampleID, WellID, Panel,
//!    Block, SampleType, PlateID) and `PCMedian` the median ExtNPX of the plate
//!    controls for the assay and plate. When any row is intensity normalised, the
//!    intensity LOD is `PCNormalizedLOD − median(PCNormalizedNPX of the SAMPLE rows of
//!    the assay and plate)`. The row's `LOD` is the intensity LOD for
//!    `Normalization == "Intensity"`, `PCNormalizedLOD` for `"Plate control"`, missing
//!    otherwise.
//! 3. **MissingFreq** ([`missing_freq`], npxkit's definition, as Olink reports it): per
//!    OlinkID, the fraction of `SAMPLE` rows with NPX and LOD whose NPX is below the LOD.
//!
//! Where a delivery lacks a column OlinkAnalyze requires, npxkit uses the nearest
//! equivalent and the caller says so: no `PCNormalizedNPX` → NPX; no
//! `DataAnalysisRefID` → one lot; no `Count` → every assay uses `lod_npx`; no
//! `Normalization` → plate control; `ExtNPX` and the extension controls are needed only
//! for `lod_count` assays (their LOD is missing without them).
//!
//! # References
//! * OlinkAnalyze 5.0.2 (cran/OlinkAnalyze), R/olink_lod.R.
//! * Olink Proteomics. *Olink Explore HT: data normalization and standardization*
//!   (LOD from negative controls, count-based LOD).

use std::collections::{HashMap, HashSet};

use crate::r_median;

/// Negative-control samples needed to compute LOD (`min_num_nc`).
pub const MIN_NEGATIVE_CONTROLS: usize = 10;
/// Smallest spread added to the negative-control median, in NPX.
pub const MIN_LOD_SPREAD: f64 = 0.2;
/// Standard deviations of the negative controls added to their median.
pub const LOD_SD_MULTIPLIER: f64 = 3.0;
/// Count threshold: the count-based LOD is at least this, and `lod_npx` needs a
/// negative-control Count above it.
pub const LOD_COUNT_MIN: f64 = 150.0;

/// Errors of the LOD computation.
#[derive(Debug, thiserror::Error)]
pub enum LodError {
    /// Too few negative controls.
    #[error("LOD from negative controls needs at least {needed} negative-control samples (SampleType NEGATIVE_CONTROL, SampleQC PASS, NPX present); the data have {found}. Give a fixed LOD file instead (--lod FILE)")]
    TooFewNegativeControls {
        /// Negative-control samples found.
        found: usize,
        /// Negative-control samples needed.
        needed: usize,
    },
    /// A fixed LOD file that cannot be read.
    #[error("fixed LOD file line {line}: {message}")]
    FixedLodFile {
        /// 1-based line.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// Several extension-control rows for one sample, well, panel, block and plate.
    #[error("sample {sample} has several ext_ctrl rows for panel {panel}, block {block}; the count-based LOD needs one extension control per sample and block")]
    DuplicateExtensionControl {
        /// SampleID.
        sample: String,
        /// Panel.
        panel: String,
        /// Block.
        block: String,
    },
}

/// The columns the LOD computation reads, one entry per row.
#[derive(Debug, Clone, Default)]
pub struct LodInput {
    /// SampleID.
    pub sample_id: Vec<String>,
    /// OlinkID.
    pub olink_id: Vec<String>,
    /// NPX (NaN for missing).
    pub npx: Vec<f64>,
    /// PCNormalizedNPX; `None` uses NPX.
    pub pc_normalized_npx: Option<Vec<f64>>,
    /// ExtNPX (plate-control medians of the count-based LOD).
    pub ext_npx: Option<Vec<f64>>,
    /// Count.
    pub count: Option<Vec<f64>>,
    /// SampleType.
    pub sample_type: Vec<Option<String>>,
    /// SampleQC (normalised to PASS/WARN/FAIL).
    pub sample_qc: Vec<Option<String>>,
    /// AssayType (`assay`, `ext_ctrl`, …).
    pub assay_type: Vec<Option<String>>,
    /// DataAnalysisRefID (reagent lot); `None`: one lot.
    pub data_analysis_ref_id: Option<Vec<Option<String>>>,
    /// PlateID.
    pub plate_id: Vec<Option<String>>,
    /// WellID.
    pub well_id: Vec<Option<String>>,
    /// Panel.
    pub panel: Vec<Option<String>>,
    /// Block.
    pub block: Vec<Option<String>>,
    /// Normalization (`Intensity` / `Plate control`); `None`: plate control.
    pub normalization: Option<Vec<Option<String>>>,
}

impl LodInput {
    fn len(&self) -> usize {
        self.sample_id.len()
    }

    fn darid(&self, i: usize) -> &str {
        self.data_analysis_ref_id
            .as_ref()
            .and_then(|v| v[i].as_deref())
            .unwrap_or("")
    }

    fn pc_npx(&self, i: usize) -> f64 {
        self.pc_normalized_npx
            .as_ref()
            .map_or(self.npx[i], |v| v[i])
    }

    fn is(&self, col: &[Option<String>], i: usize, value: &str) -> bool {
        col[i].as_deref() == Some(value)
    }

    fn normalization(&self, i: usize) -> Option<&str> {
        match &self.normalization {
            None => Some("Plate control"),
            Some(v) => v[i].as_deref(),
        }
    }
}

/// How an assay's LOD is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LodMethod {
    /// From the negative controls' NPX (`lod_npx`).
    Npx,
    /// From counts (`lod_count`).
    Count,
}

impl LodMethod {
    /// OlinkAnalyze's name (`lod_npx`, `lod_count`).
    pub fn name(self) -> &'static str {
        match self {
            LodMethod::Npx => "lod_npx",
            LodMethod::Count => "lod_count",
        }
    }
}

/// The LOD of one assay in one reagent lot.
#[derive(Debug, Clone, PartialEq)]
pub struct AssayLod {
    /// OlinkID.
    pub olink_id: String,
    /// DataAnalysisRefID (empty when the data have none).
    pub data_analysis_ref_id: String,
    /// LOD on the NPX scale (NaN when fewer than two negative controls have NPX).
    pub lod_npx: f64,
    /// LOD in counts.
    pub lod_count: f64,
    /// Which of the two applies.
    pub method: LodMethod,
}

/// R's `sd(x, na.rm = TRUE)`: NaN with fewer than two values.
fn r_sd(values: &[f64]) -> f64 {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n < 2 {
        return f64::NAN;
    }
    let m0 = v.iter().sum::<f64>() / n as f64;
    let m = m0 + v.iter().map(|x| x - m0).sum::<f64>() / n as f64;
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64).sqrt()
}

/// LOD per OlinkID × DataAnalysisRefID from the negative controls (`olink_nc_lod`),
/// in order of first appearance.
pub fn nc_lod(d: &LodInput) -> Result<Vec<AssayLod>, LodError> {
    let rows: Vec<usize> = (0..d.len())
        .filter(|&i| {
            d.is(&d.sample_type, i, "NEGATIVE_CONTROL")
                && d.is(&d.sample_qc, i, "PASS")
                && d.is(&d.assay_type, i, "assay")
                && !d.npx[i].is_nan()
        })
        .collect();
    let ncs: HashSet<&str> = rows.iter().map(|&i| d.sample_id[i].as_str()).collect();
    if ncs.len() < MIN_NEGATIVE_CONTROLS {
        return Err(LodError::TooFewNegativeControls {
            found: ncs.len(),
            needed: MIN_NEGATIVE_CONTROLS,
        });
    }
    let mut order: Vec<(&str, &str)> = Vec::new();
    let mut groups: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for &i in &rows {
        let key = (d.olink_id[i].as_str(), d.darid(i));
        groups
            .entry(key)
            .or_insert_with(|| {
                order.push(key);
                Vec::new()
            })
            .push(i);
    }
    Ok(order
        .into_iter()
        .map(|key| {
            let g = &groups[&key];
            let pc: Vec<f64> = g.iter().map(|&i| d.pc_npx(i)).collect();
            let counts: Vec<f64> = match &d.count {
                Some(c) => g.iter().map(|&i| c[i]).filter(|x| !x.is_nan()).collect(),
                None => Vec::new(),
            };
            let max_count = counts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sd = r_sd(&pc);
            // R's max(0.2, NA) is NA
            let spread = if sd.is_nan() {
                f64::NAN
            } else {
                MIN_LOD_SPREAD.max(LOD_SD_MULTIPLIER * sd)
            };
            AssayLod {
                olink_id: key.0.to_string(),
                data_analysis_ref_id: key.1.to_string(),
                lod_npx: r_median(&pc) + spread,
                lod_count: LOD_COUNT_MIN.max(2.0 * max_count),
                method: if d.count.is_none() || max_count > LOD_COUNT_MIN {
                    LodMethod::Npx
                } else {
                    LodMethod::Count
                },
            }
        })
        .collect())
}

/// Reads a fixed LOD file (`;`-separated with a header holding OlinkID,
/// DataAnalysisRefID, LODNPX, LODCount and LODMethod, as Olink distributes them);
/// keeps the rows whose DataAnalysisRefID is in `darids` (all rows when `darids` is
/// `None`).
pub fn parse_fixed_lod(
    text: &str,
    darids: Option<&HashSet<String>>,
) -> Result<Vec<AssayLod>, LodError> {
    let err = |line: usize, message: String| LodError::FixedLodFile { line, message };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| err(1, "the file is empty".into()))?;
    let sep = if header.contains(';') {
        ';'
    } else if header.contains('\t') {
        '\t'
    } else {
        ','
    };
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let names: Vec<String> = header.split(sep).map(unquote).collect();
    let col = |n: &str| {
        names.iter().position(|h| h == n).ok_or_else(|| {
            err(
                1,
                format!(
                    "no column {n} (found {}); a fixed LOD file has OlinkID, DataAnalysisRefID, LODNPX, LODCount and LODMethod",
                    names.join(", ")
                ),
            )
        })
    };
    let (c_oid, c_dar, c_npx, c_cnt, c_met) = (
        col("OlinkID")?,
        col("DataAnalysisRefID")?,
        col("LODNPX")?,
        col("LODCount")?,
        col("LODMethod")?,
    );
    let num = |s: &str, line: usize, what: &str| -> Result<f64, LodError> {
        match s {
            "" | "NA" | "NaN" => Ok(f64::NAN),
            t => t
                .replace(',', ".")
                .parse()
                .map_err(|_| err(line, format!("column {what} has `{t}`, not a number"))),
        }
    };
    let mut out = Vec::new();
    for (i, line) in lines {
        let f: Vec<String> = line.split(sep).map(unquote).collect();
        let cell = |c: usize| f.get(c).map_or("", String::as_str);
        let dar = cell(c_dar).to_string();
        if darids.is_some_and(|s| !s.contains(&dar)) {
            continue;
        }
        let method = match cell(c_met) {
            "lod_npx" => LodMethod::Npx,
            "lod_count" => LodMethod::Count,
            m => {
                return Err(err(
                    i + 1,
                    format!("LODMethod `{m}` is neither lod_npx nor lod_count"),
                ))
            }
        };
        out.push(AssayLod {
            olink_id: cell(c_oid).to_string(),
            data_analysis_ref_id: dar,
            lod_npx: num(cell(c_npx), i + 1, "LODNPX")?,
            lod_count: num(cell(c_cnt), i + 1, "LODCount")?,
            method,
        });
    }
    Ok(out)
}

/// The LOD of every row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowLod {
    /// The LOD matching the row's normalisation (`LOD`).
    pub lod: Vec<f64>,
    /// The plate-control-normalised LOD (`PCNormalizedLOD`).
    pub pc_normalized_lod: Vec<f64>,
}

/// The LOD of every row from per-assay LODs (`int_norm_count`, then the choice by
/// `Normalization`).
pub fn row_lod(d: &LodInput, lods: &[AssayLod]) -> Result<RowLod, LodError> {
    let n = d.len();
    let by_key: HashMap<(&str, &str), &AssayLod> = lods
        .iter()
        .map(|l| ((l.olink_id.as_str(), l.data_analysis_ref_id.as_str()), l))
        .collect();
    fn text(v: &[Option<String>], i: usize) -> &str {
        v[i].as_deref().unwrap_or("")
    }
    let plate = |i: usize| text(&d.plate_id, i);
    // PCMedian per OlinkID × PlateID: median ExtNPX of the plate controls
    let mut pc_ext: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    if let Some(ext) = &d.ext_npx {
        for (i, &e) in ext.iter().enumerate() {
            if d.is(&d.sample_type, i, "PLATE_CONTROL") {
                pc_ext
                    .entry((d.olink_id[i].as_str(), plate(i)))
                    .or_default()
                    .push(e);
            }
        }
    }
    let pc_median: HashMap<(&str, &str), f64> =
        pc_ext.iter().map(|(k, v)| (*k, r_median(v))).collect();
    // ExtCount per SampleID × WellID × Panel × Block × SampleType × PlateID
    type ExtKey<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, &'a str);
    let ext_key = |i: usize| -> ExtKey<'_> {
        (
            d.sample_id[i].as_str(),
            text(&d.well_id, i),
            text(&d.panel, i),
            text(&d.block, i),
            text(&d.sample_type, i),
            plate(i),
        )
    };
    let mut ext_count: HashMap<ExtKey<'_>, f64> = HashMap::new();
    if let Some(count) = &d.count {
        for (i, &c) in count.iter().enumerate() {
            if d.is(&d.assay_type, i, "ext_ctrl") && ext_count.insert(ext_key(i), c).is_some() {
                return Err(LodError::DuplicateExtensionControl {
                    sample: d.sample_id[i].clone(),
                    panel: text(&d.panel, i).to_string(),
                    block: text(&d.block, i).to_string(),
                });
            }
        }
    }
    let pc_lod: Vec<f64> = (0..n)
        .map(|i| {
            if d.npx[i].is_nan() {
                return f64::NAN;
            }
            match by_key.get(&(d.olink_id[i].as_str(), d.darid(i))) {
                None => f64::NAN,
                Some(l) if l.method == LodMethod::Npx => l.lod_npx,
                Some(l) => {
                    let ec = ext_count.get(&ext_key(i)).copied().unwrap_or(f64::NAN);
                    let pm = pc_median
                        .get(&(d.olink_id[i].as_str(), plate(i)))
                        .copied()
                        .unwrap_or(f64::NAN);
                    (l.lod_count / ec).log2() - pm
                }
            }
        })
        .collect();
    // intensity normalisation: minus the plate median of the SAMPLE rows
    let any_intensity = (0..n).any(|i| d.normalization(i) == Some("Intensity"));
    let mut plate_npx: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    if any_intensity {
        for i in 0..n {
            if d.is(&d.sample_type, i, "SAMPLE") {
                plate_npx
                    .entry((d.olink_id[i].as_str(), plate(i)))
                    .or_default()
                    .push(d.pc_npx(i));
            }
        }
    }
    let plate_median: HashMap<(&str, &str), f64> =
        plate_npx.iter().map(|(k, v)| (*k, r_median(v))).collect();
    let lod = (0..n)
        .map(|i| match d.normalization(i) {
            Some("Intensity") => {
                pc_lod[i]
                    - plate_median
                        .get(&(d.olink_id[i].as_str(), plate(i)))
                        .copied()
                        .unwrap_or(f64::NAN)
            }
            Some("Plate control") => pc_lod[i],
            _ => f64::NAN,
        })
        .collect();
    Ok(RowLod {
        lod,
        pc_normalized_lod: pc_lod,
    })
}

/// MissingFreq per row: for the row's OlinkID, the fraction of `SAMPLE` rows with NPX
/// and LOD whose NPX is below the LOD (NaN when the assay has no such row).
/// `is_sample` says which rows are study samples.
pub fn missing_freq(
    olink_id: &[String],
    npx: &[f64],
    lod: &[f64],
    is_sample: impl Fn(usize) -> bool,
) -> Vec<f64> {
    let mut tally: HashMap<&str, (usize, usize)> = HashMap::new();
    for i in 0..olink_id.len() {
        if is_sample(i) && !npx[i].is_nan() && !lod[i].is_nan() {
            let e = tally.entry(olink_id[i].as_str()).or_default();
            e.1 += 1;
            if npx[i] < lod[i] {
                e.0 += 1;
            }
        }
    }
    olink_id
        .iter()
        .map(|o| match tally.get(o.as_str()) {
            Some(&(below, total)) => below as f64 / total as f64,
            None => f64::NAN,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_r_sd() {
        // R: sd(c(1, 2, 4, NA), na.rm = TRUE)
        assert!((r_sd(&[1.0, 2.0, 4.0, f64::NAN]) - 1.527_525_231_651_946_7).abs() < 1e-15);
        assert!(r_sd(&[1.0]).is_nan());
    }

    #[test]
    fn test_parse_fixed_lod() {
        let text = "OlinkID;DataAnalysisRefID;LODNPX;LODCount;LODMethod\nOID1;D1;0.5;150;lod_npx\nOID2;D9;NA;180;lod_count\n";
        let keep: HashSet<String> = ["D1".to_string()].into();
        let l = parse_fixed_lod(text, Some(&keep)).unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].lod_npx, 0.5);
        assert_eq!(parse_fixed_lod(text, None).unwrap().len(), 2);
        let e = parse_fixed_lod("OlinkID;LODNPX\n", None).unwrap_err();
        assert!(e.to_string().contains("no column DataAnalysisRefID"), "{e}");
        let e = parse_fixed_lod(
            "OlinkID;DataAnalysisRefID;LODNPX;LODCount;LODMethod\nOID1;D1;x;150;lod_npx\n",
            None,
        )
        .unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn test_missing_freq() {
        let ids: Vec<String> = ["A", "A", "A", "B"].iter().map(|s| s.to_string()).collect();
        let f = missing_freq(
            &ids,
            &[0.0, 2.0, f64::NAN, 1.0],
            &[1.0, 1.0, 1.0, f64::NAN],
            |_| true,
        );
        assert_eq!(f[0], 0.5);
        assert!(f[3].is_nan());
    }

    #[test]
    fn test_too_few_negative_controls() {
        let d = LodInput {
            sample_id: vec!["NC1".into()],
            olink_id: vec!["OID1".into()],
            npx: vec![1.0],
            sample_type: vec![Some("NEGATIVE_CONTROL".into())],
            sample_qc: vec![Some("PASS".into())],
            assay_type: vec![Some("assay".into())],
            ..Default::default()
        };
        let e = nc_lod(&d).unwrap_err();
        assert!(e.to_string().contains("the data have 1"), "{e}");
    }
}
