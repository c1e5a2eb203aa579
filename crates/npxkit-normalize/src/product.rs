//! Cross-product bridging: Olink Explore 3072 → Explore HT, Explore 3072 → Reveal and
//! Explore HT ↔ Reveal, as OlinkAnalyze 5.0's `olink_normalization` does when the two
//! projects come from different products (`norm_internal_cross_product`,
//! `olink_normalization_bridgeable`, `olink_normalization_qs`,
//! `olink_normalization_format`).
//!
//! Steps ([`normalize_cross_product`]):
//!
//! 1. **Products** ([`detect_product`]): every `Panel` of a project among the eight
//!    Explore 3072 panels → [`Product::E3072`]; every `Panel` `Explore_HT` →
//!    [`Product::Ht`]; every `Panel` `Reveal` → [`Product::Reveal`]. Only the pairs of
//!    [`min_bridge_samples`] are bridged, and the reference must be HT or Reveal
//!    (E3072 is never the reference).
//! 2. **Assay mapping** ([`ProductMapping`]): each OlinkID becomes the combined OlinkID
//!    of its partner assay in the other product (`OID40770_OID20117`); a reference
//!    OlinkID with several partners gives one row per partner (a many-to-many join);
//!    an OlinkID without a partner keeps its own. Then rows whose ID matches neither
//!    `^OID\d{5}_OID\d{5}$` nor `^OID\d{5}$`, or whose `Normalization` is `EXCLUDED`
//!    (or missing), are dropped, and assays not in both projects are set aside as
//!    `NotOverlapping`.
//! 3. **Bridgeability** per assay ([`BridgeabilityRow`]), over the bridge samples'
//!    rows with `SampleType == "SAMPLE"`, `AssayType == "assay"`, `Count > 10` and
//!    NPX and Count present in both products: the range difference
//!    `|(q90 − q10)_ref − (q90 − q10)_other|` ([`RANGE_DIFF_MAX`]), low counts (median
//!    Count below [`LOW_COUNT_MEDIAN`] in either product), then — after removing the
//!    pairs beyond `median ± 3·IQR` ([`OUTLIER_IQR`]) in either product — r² of the
//!    Pearson correlation ([`R2_MIN`]) and the two-sample Kolmogorov–Smirnov D. An
//!    assay is *not bridgeable* only when all three fail (range difference > 1 **and**
//!    low counts **and** r² < 0.8, with R's three-valued `&`); a bridgeable assay gets
//!    `MedianCentering` when D ≤ [`KS_MAX`], else `QuantileSmoothing`. An assay
//!    without any such pair is `NotBridgeable`.
//! 4. **Median centring**: the bridge normalisation factor, `median(ref − other)` over
//!    the bridge samples (all their rows), `NA` → 0, added to the other product's NPX.
//! 5. **Quantile smoothing** per assay: the bridge rows with reference Count > 10 and
//!    both NPX present (at least [`min_bridge_samples`] of them, else `NA`); the ECDF
//!    of the other product's NPX at its sorted unique values is mapped to quantiles
//!    (type 7) of the reference NPX; `lm(mapped ~ ns(unique values, knots = their
//!    5, 10, 25, 50, 75, 90, 95 % quantiles))` ([`crate::spline`]) predicts every
//!    `SAMPLE`/`assay` row of the other product. The reference rows keep their NPX.
//! 6. **Final NPX** ([`Recommendation::final_npx`], `olink_normalization_format`):
//!    `MedianCenteredNPX` for MedianCentering, `QSNormalizedNPX` for
//!    QuantileSmoothing, the NPX as delivered otherwise; bridgeable assays get the
//!    OlinkID `<reference OlinkID>_<other OlinkID>` in both products, the others keep
//!    their own. `NotOverlapping` rows (the delivered rows whose OlinkID is, or is part
//!    of, an assay found in one product only) are appended unchanged.
//!
//! # References
//! * OlinkAnalyze 5.0.2 (cran/OlinkAnalyze), R/olink_normalization_product.R.
//! * Olink Proteomics (2024). *Bridging Olink Explore 3072 to Olink Explore HT*,
//!   OlinkAnalyze vignette.

use std::collections::{HashMap, HashSet};

use crate::spline::SplineFit;
use crate::{r_median, NormalizeError};

/// Rows with a Count at or below this are left out of the bridgeability criteria and
/// of the quantile-smoothing model (`min_datapoint_cnt` and the `> 10L` filter of
/// OlinkAnalyze).
pub const MIN_COUNT: f64 = 10.0;
/// Median Count below which an assay has low counts (`med_cnt`).
pub const LOW_COUNT_MEDIAN: f64 = 150.0;
/// Outliers lie beyond `median ± OUTLIER_IQR · IQR` (`iqr_sd`).
pub const OUTLIER_IQR: f64 = 3.0;
/// The range criterion fails above this difference of q90 − q10 ranges.
pub const RANGE_DIFF_MAX: f64 = 1.0;
/// The correlation criterion fails below this r².
pub const R2_MIN: f64 = 0.8;
/// Median centring when the Kolmogorov–Smirnov D is at most this, else quantile
/// smoothing.
pub const KS_MAX: f64 = 0.2;
/// Quantiles of the unique values used as interior knots of the natural spline.
pub const QS_KNOT_PROBS: [f64; 7] = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];

/// The Explore 3072 panel names (`Panel_E3072` of OlinkAnalyze's mapping).
pub const E3072_PANELS: [&str; 8] = [
    "Cardiometabolic",
    "Oncology_II",
    "Neurology_II",
    "Inflammation_II",
    "Neurology",
    "Cardiometabolic_II",
    "Oncology",
    "Inflammation",
];

/// An Olink product, as far as cross-product bridging is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// Olink Explore 3072 (and 384 panels).
    E3072,
    /// Olink Explore HT.
    Ht,
    /// Olink Reveal.
    Reveal,
    /// Anything else (Target 96, Flex, mixed panels, no Panel column).
    Other,
}

impl Product {
    /// OlinkAnalyze's product code (`E3072`, `HT`, `Reveal`, `other`), used in column
    /// names such as `OlinkID_E3072`.
    pub fn code(self) -> &'static str {
        match self {
            Product::E3072 => "E3072",
            Product::Ht => "HT",
            Product::Reveal => "Reveal",
            Product::Other => "other",
        }
    }

    /// Parses a product code (case-insensitive; `explore3072`, `3072`, `explore_ht`
    /// are accepted too).
    pub fn parse(s: &str) -> Option<Product> {
        let t: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match t.as_str() {
            "e3072" | "3072" | "explore3072" | "e384" | "explore384" => Some(Product::E3072),
            "ht" | "exploreht" | "eht" => Some(Product::Ht),
            "reveal" => Some(Product::Reveal),
            "other" => Some(Product::Other),
            _ => None,
        }
    }
}

/// The product of a project from its `Panel` values (`olink_norm_product_id`).
/// A missing panel, or no panel at all, gives [`Product::Other`].
pub fn detect_product<'a>(panels: impl IntoIterator<Item = Option<&'a str>>) -> Product {
    let mut seen = HashSet::new();
    for p in panels {
        match p {
            None => return Product::Other,
            Some(p) => {
                seen.insert(p);
            }
        }
    }
    if seen.is_empty() {
        Product::Other
    } else if seen.iter().all(|p| E3072_PANELS.contains(p)) {
        Product::E3072
    } else if seen.iter().all(|p| *p == "Explore_HT") {
        Product::Ht
    } else if seen.iter().all(|p| *p == "Reveal") {
        Product::Reveal
    } else {
        Product::Other
    }
}

/// The minimal number of bridge rows for quantile smoothing of a product pair
/// (`olink_norm_product_n_samples`), `None` when the pair is not bridged across
/// products. `other` is normalised to `reference`.
pub fn min_bridge_samples(other: Product, reference: Product) -> Option<usize> {
    use Product::*;
    match (other, reference) {
        (E3072, Ht) | (Ht, E3072) => Some(40),
        (E3072, Reveal) | (Reveal, E3072) => Some(32),
        (Ht, Reveal) | (Reveal, Ht) => Some(24),
        _ => None,
    }
}

/// True when `p` may be the reference of a cross-product bridge (HT or Reveal).
pub fn can_be_reference(p: Product) -> bool {
    matches!(p, Product::Ht | Product::Reveal)
}

/// The OlinkID pairs of assays shared between two products.
#[derive(Debug, Clone)]
pub struct ProductMapping {
    rows: Vec<(Product, Product, String, String)>,
}

/// OlinkAnalyze 5.0.2's mapping tables (eHT_e3072_mapping, reveal_e3072_mapping,
/// reveal_eht_mapping), as `product_1 product_2 OlinkID_1 OlinkID_2`.
const OLINK_MAPPING: &str = include_str!("../data/product_mapping.tsv");

impl ProductMapping {
    /// The mapping shipped with OlinkAnalyze 5.0.2 (`data/product_mapping.tsv`).
    pub fn olink() -> Self {
        Self::parse(OLINK_MAPPING).expect("the embedded product mapping parses")
    }

    /// Parses a mapping: tab-separated `product_1 product_2 OlinkID_1 OlinkID_2` with a
    /// header line; lines starting with `#` are comments. The combined OlinkID is
    /// `OlinkID_1 _ OlinkID_2`. Errors name the 1-based line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rows = Vec::new();
        let mut header = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if !header {
                header = true;
                if f.len() < 4 || f[0] != "product_1" {
                    return Err(format!(
                        "line {}: expected the header `product_1<TAB>product_2<TAB>OlinkID_1<TAB>OlinkID_2`",
                        i + 1
                    ));
                }
                continue;
            }
            if f.len() < 4 {
                return Err(format!("line {}: expected 4 tab-separated fields", i + 1));
            }
            let p = |s: &str| {
                Product::parse(s).ok_or_else(|| {
                    format!(
                        "line {}: unknown product `{s}` (use E3072, HT or Reveal)",
                        i + 1
                    )
                })
            };
            rows.push((p(f[0])?, p(f[1])?, f[2].to_string(), f[3].to_string()));
        }
        Ok(ProductMapping { rows })
    }

    /// Number of assay pairs.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the mapping is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// For each OlinkID of product `own`, the combined OlinkIDs of its partners in
    /// `partner`, in mapping order.
    fn partners(&self, own: Product, partner: Product) -> HashMap<&str, Vec<String>> {
        let mut m: HashMap<&str, Vec<String>> = HashMap::new();
        for (p1, p2, a, b) in &self.rows {
            let key = if *p1 == own && *p2 == partner {
                a
            } else if *p1 == partner && *p2 == own {
                b
            } else {
                continue;
            };
            m.entry(key.as_str()).or_default().push(format!("{a}_{b}"));
        }
        m
    }
}

/// One project for cross-product bridging, in long form (one entry per row).
#[derive(Debug, Clone, Default)]
pub struct ProductRows {
    /// SampleID of each row.
    pub sample_id: Vec<String>,
    /// OlinkID of each row.
    pub olink_id: Vec<String>,
    /// NPX; NaN for missing.
    pub npx: Vec<f64>,
    /// Count (reads) of each row; NaN for missing.
    pub count: Vec<f64>,
    /// SampleType (`SAMPLE` for study samples).
    pub sample_type: Vec<Option<String>>,
    /// AssayType (`assay` for the protein assays).
    pub assay_type: Vec<Option<String>>,
    /// The `Normalization` column, when the project has one.
    pub normalization: Option<Vec<Option<String>>>,
}

impl ProductRows {
    fn len(&self) -> usize {
        self.sample_id.len()
    }

    fn is_sample_assay(&self, i: usize) -> bool {
        self.sample_type[i].as_deref() == Some("SAMPLE")
            && self.assay_type[i].as_deref() == Some("assay")
    }
}

/// OlinkAnalyze's `BridgingRecommendation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recommendation {
    /// Bridgeable, similar distributions: bridge normalisation (median centring).
    MedianCentering,
    /// Bridgeable, different distributions: quantile smoothing.
    QuantileSmoothing,
    /// Not bridgeable: the NPX stay as delivered.
    NotBridgeable,
    /// Assay in one product only.
    NotOverlapping,
}

impl Recommendation {
    /// The value written in `BridgingRecommendation`.
    pub fn name(self) -> &'static str {
        match self {
            Recommendation::MedianCentering => "MedianCentering",
            Recommendation::QuantileSmoothing => "QuantileSmoothing",
            Recommendation::NotBridgeable => "NotBridgeable",
            Recommendation::NotOverlapping => "NotOverlapping",
        }
    }

    /// The NPX `olink_normalization(format = TRUE)` keeps: the median-centred value,
    /// the quantile-smoothed value, or the delivered NPX.
    pub fn final_npx(self, npx: f64, median_centered: f64, qs_normalized: f64) -> f64 {
        match self {
            Recommendation::MedianCentering => median_centered,
            Recommendation::QuantileSmoothing => qs_normalized,
            _ => npx,
        }
    }

    /// True for the two bridgeable recommendations.
    pub fn is_bridgeable(self) -> bool {
        matches!(
            self,
            Recommendation::MedianCentering | Recommendation::QuantileSmoothing
        )
    }
}

/// One assay's bridgeability criteria (one row of `bridgeability.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub struct BridgeabilityRow {
    /// The combined OlinkID (or the single OlinkID of a non-overlapping assay).
    pub olink_id: String,
    /// The reference product's OlinkID (empty when the assay is not in it).
    pub reference_olink_id: String,
    /// The other product's OlinkID (empty when the assay is not in it).
    pub other_olink_id: String,
    /// Bridge pairs that pass the SAMPLE/assay/Count filters, before outlier removal.
    pub n_pairs: usize,
    /// q90 − q10 of the reference NPX over those pairs.
    pub range_reference: f64,
    /// q90 − q10 of the other product's NPX.
    pub range_other: f64,
    /// `|range_reference − range_other|`.
    pub range_diff: f64,
    /// Median Count of the reference.
    pub median_count_reference: f64,
    /// Median Count of the other product.
    pub median_count_other: f64,
    /// Median Count below [`LOW_COUNT_MEDIAN`] in either product (`None`: no pairs).
    pub low_count: Option<bool>,
    /// Pairs removed as outliers before r² and D.
    pub n_outliers: usize,
    /// r² of the Pearson correlation (NaN when undefined).
    pub r2: f64,
    /// Two-sample Kolmogorov–Smirnov D.
    pub ks_d: f64,
    /// Bridge rows usable for quantile smoothing (reference Count > 10, both NPX).
    pub qs_rows: usize,
    /// The recommendation.
    pub recommendation: Recommendation,
    /// A row of the assay, (0 reference / 1 other, input row), to annotate it with.
    pub first_row: Option<(usize, usize)>,
}

impl BridgeabilityRow {
    /// The range criterion fails (`None` when not computed).
    pub fn range_fails(&self) -> Option<bool> {
        (!self.range_diff.is_nan()).then_some(self.range_diff > RANGE_DIFF_MAX)
    }

    /// The correlation criterion fails (`None` when r² is undefined).
    pub fn r2_fails(&self) -> Option<bool> {
        (!self.r2.is_nan()).then_some(self.r2 < R2_MIN)
    }
}

/// One output row of a cross-product bridge.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossProductRow {
    /// 0 for the reference project, 1 for the other one.
    pub project: usize,
    /// Row in that project's input.
    pub row: usize,
    /// The output OlinkID: `<reference>_<other>` for bridgeable assays, else the
    /// row's own OlinkID.
    pub olink_id: String,
    /// The combined OlinkID the computations used (empty for NotOverlapping rows).
    pub combined_olink_id: String,
    /// The reference product's OlinkID of the assay (empty when unknown).
    pub reference_olink_id: String,
    /// The other product's OlinkID of the assay (empty when unknown).
    pub other_olink_id: String,
    /// The NPX kept ([`Recommendation::final_npx`]).
    pub npx: f64,
    /// The NPX as delivered.
    pub npx_delivered: f64,
    /// The median-centring factor (0 for the reference; NaN when the assay has no
    /// bridge row, and for NotOverlapping rows).
    pub adj_factor: f64,
    /// `MedianCenteredNPX`.
    pub median_centered: f64,
    /// `QSNormalizedNPX` (NaN for controls and internal-control assays, and when the
    /// assay has too few bridge rows).
    pub qs_normalized: f64,
    /// `BridgingRecommendation` (`None`: the assay has no row among the reference
    /// bridge samples, which OlinkAnalyze leaves `NA`; the NPX stay as delivered).
    pub recommendation: Option<Recommendation>,
}

/// The result of [`normalize_cross_product`].
#[derive(Debug, Clone)]
pub struct CrossProduct {
    /// Reference rows, then the other product's rows (input order, a row repeated per
    /// partner assay), then the NotOverlapping rows of both.
    pub rows: Vec<CrossProductRow>,
    /// One row per assay: shared assays in order of first appearance in the
    /// reference, then the NotOverlapping ones.
    pub bridgeability: Vec<BridgeabilityRow>,
    /// Median-centring factor per combined OlinkID.
    pub factors: Vec<(String, f64)>,
    /// Assays with fewer usable bridge rows than the product pair needs for quantile
    /// smoothing (their `QSNormalizedNPX` is NaN).
    pub qs_too_few: Vec<String>,
    /// Assays whose spline design was rank-deficient (too few distinct values);
    /// `QSNormalizedNPX` is NaN (R would fit a reduced model and warn).
    pub qs_rank_deficient: Vec<String>,
    /// Minimal usable bridge rows for quantile smoothing.
    pub min_bridge_samples: usize,
}

/// A row of a project after the OlinkID mapping.
struct Mapped {
    row: usize,
    oid: String,
}

fn is_product_olink_id(id: &str) -> bool {
    let oid5 = |s: &str| {
        s.len() == 8 && s.starts_with("OID") && s[3..].bytes().all(|b| b.is_ascii_digit())
    };
    match id.split_once('_') {
        Some((a, b)) => oid5(a) && oid5(b),
        None => oid5(id),
    }
}

/// Maps one project's OlinkIDs to combined IDs and cleans them (steps 2 of the
/// module doc, before the overlap).
fn map_project(p: &ProductRows, partners: &HashMap<&str, Vec<String>>) -> Vec<Mapped> {
    let mut out = Vec::with_capacity(p.len());
    for i in 0..p.len() {
        let norm_ok = match &p.normalization {
            None => true,
            Some(v) => v[i].as_deref().is_some_and(|s| s != "EXCLUDED"),
        };
        if !norm_ok {
            continue;
        }
        match partners.get(p.olink_id[i].as_str()) {
            Some(list) => {
                for c in list {
                    if is_product_olink_id(c) {
                        out.push(Mapped {
                            row: i,
                            oid: c.clone(),
                        });
                    }
                }
            }
            None => {
                if is_product_olink_id(&p.olink_id[i]) {
                    out.push(Mapped {
                        row: i,
                        oid: p.olink_id[i].clone(),
                    });
                }
            }
        }
    }
    out
}

/// R's `quantile(x, p, type = 7)` on sorted values.
pub fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let index = 1.0 + (n - 1) as f64 * p;
    let lo = index.floor();
    let hi = index.ceil();
    let qlo = sorted[lo as usize - 1];
    let qhi = sorted[hi as usize - 1];
    if index > lo && qhi != qlo {
        let h = index - lo;
        (1.0 - h) * qlo + h * qhi
    } else {
        qlo
    }
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    s
}

/// R's `cor(x, y)` (Pearson; NaN when a variance is 0 or fewer than 2 points).
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / n as f64;
        m + v.iter().map(|a| a - m).sum::<f64>() / n as f64
    };
    let (mx, my) = (mean(x), mean(y));
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0)
}

/// The two-sample Kolmogorov–Smirnov statistic D, as R's `ks.test(x, y)$statistic`
/// computes it: the running sum of `1/nx` and `−1/ny` over the pooled values in
/// (stable) sorted order, read at the last of each run of ties.
///
/// R's `cumsum` accumulates in long double, which holds every partial sum
/// `a·fl(1/nx) − b·fl(1/ny)` exactly for the sample sizes of Olink studies; each
/// partial sum is therefore computed exactly here (`exact_step_sum`) and rounded
/// once, so that D lands on the same side of [`KS_MAX`] as in R (e.g. D = 8/40 is
/// exactly `0.2`, where a naive running sum gives 0.20000000000000004).
pub fn ks_statistic(x: &[f64], y: &[f64]) -> f64 {
    let (nx, ny) = (x.len(), y.len());
    if nx == 0 || ny == 0 {
        return f64::NAN;
    }
    let w: Vec<f64> = x.iter().chain(y).copied().collect();
    let mut idx: Vec<usize> = (0..w.len()).collect();
    idx.sort_by(|&a, &b| w[a].total_cmp(&w[b]));
    let (dx, dy) = (1.0 / nx as f64, 1.0 / ny as f64);
    let (mut a, mut b) = (0u64, 0u64);
    let mut d = 0.0f64;
    for (k, &i) in idx.iter().enumerate() {
        if i < nx {
            a += 1;
        } else {
            b += 1;
        }
        let last_of_run = k + 1 == idx.len() || w[idx[k + 1]] != w[i];
        if last_of_run {
            d = d.max(exact_step_sum(a, dx, b, dy).abs());
        }
    }
    d
}

/// `a·dx − b·dy` computed exactly and rounded once to the nearest double (`dx`, `dy`
/// positive normal doubles, counts below 2^40).
fn exact_step_sum(a: u64, dx: f64, b: u64, dy: f64) -> f64 {
    // dx = mx · 2^ex with integer mantissas
    let split = |v: f64| {
        let bits = v.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let man = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
        (man as i128, exp - 1075)
    };
    let (mx, ex) = split(dx);
    let (my, ey) = split(dy);
    let e = ex.min(ey);
    let tx = (a as i128 * mx) << (ex - e);
    let ty = (b as i128 * my) << (ey - e);
    // i128 -> f64 rounds to nearest; scaling by a power of two is exact
    ((tx - ty) as f64) * 2f64.powi(e)
}

/// `median ± OUTLIER_IQR · IQR` outlier flags (`olink_median_iqr_outlier`).
fn iqr_outliers(v: &[f64]) -> Vec<bool> {
    let s = sorted(v);
    let iqr = quantile7(&s, 0.75) - quantile7(&s, 0.25);
    let med = r_median(v);
    let lim = iqr * OUTLIER_IQR;
    v.iter().map(|&x| x < med - lim || x > med + lim).collect()
}

/// Per sample × combined OlinkID, the index into a project's mapped rows; an error
/// names the first duplicated key among the rows `keep` selects.
fn key_index<'a>(
    p: &'a ProductRows,
    mapped: &'a [Mapped],
    name: &str,
    keep: impl Fn(usize) -> bool,
) -> Result<HashMap<(&'a str, &'a str), usize>, NormalizeError> {
    let mut m = HashMap::new();
    for (k, r) in mapped.iter().enumerate() {
        if !keep(r.row) {
            continue;
        }
        let key = (p.sample_id[r.row].as_str(), r.oid.as_str());
        if m.insert(key, k).is_some() {
            return Err(NormalizeError::DuplicateSampleRows {
                project: name.to_string(),
                samples: key.0.to_string(),
            });
        }
    }
    Ok(m)
}

/// Bridges `other` to `reference` across products (the module doc lists the steps).
///
/// `bridge_samples` are SampleIDs present in both projects; `names` are the two
/// projects' names for error messages (reference first).
pub fn normalize_cross_product(
    reference: &ProductRows,
    other: &ProductRows,
    products: (Product, Product),
    bridge_samples: &[String],
    mapping: &ProductMapping,
    names: (&str, &str),
) -> Result<CrossProduct, NormalizeError> {
    let (ref_product, other_product) = products;
    let min_n =
        min_bridge_samples(other_product, ref_product).ok_or(NormalizeError::NotCrossProduct {
            reference: ref_product.code(),
            other: other_product.code(),
        })?;
    if !can_be_reference(ref_product) {
        return Err(NormalizeError::CrossProductReference {
            reference: ref_product.code(),
            other: other_product.code(),
        });
    }
    // bridge samples: in both projects, each once
    let mut seen = HashSet::new();
    let dups: Vec<&str> = bridge_samples
        .iter()
        .filter(|s| !seen.insert(s.as_str()))
        .map(String::as_str)
        .collect();
    if !dups.is_empty() {
        return Err(NormalizeError::DuplicatedSamples {
            project: names.0.to_string(),
            samples: dups.join(", "),
        });
    }
    if bridge_samples.is_empty() {
        return Err(NormalizeError::NoSamples {
            project: names.1.to_string(),
            hint: "cross-product bridging needs bridge samples measured with both products".into(),
        });
    }
    for (p, name) in [(reference, names.0), (other, names.1)] {
        let have: HashSet<&str> = p.sample_id.iter().map(String::as_str).collect();
        let miss: Vec<&str> = bridge_samples
            .iter()
            .map(String::as_str)
            .filter(|s| !have.contains(s))
            .collect();
        if !miss.is_empty() {
            return Err(NormalizeError::MissingSamples {
                project: name.to_string(),
                samples: miss.join(", "),
            });
        }
    }
    let bridge: HashSet<&str> = bridge_samples.iter().map(String::as_str).collect();

    // 2. mapping, cleaning, overlap
    let mut ref_rows = map_project(reference, &mapping.partners(ref_product, other_product));
    let mut oth_rows = map_project(other, &mapping.partners(other_product, ref_product));
    let ref_ids: HashSet<String> = ref_rows.iter().map(|r| r.oid.clone()).collect();
    let oth_ids: HashSet<String> = oth_rows.iter().map(|r| r.oid.clone()).collect();
    // (combined ID, own OlinkID, project, row) of the assays in one product only
    let mut not_overlapping: Vec<(String, String, usize, usize)> = Vec::new();
    for (project, p, mapped) in [(0usize, reference, &ref_rows), (1usize, other, &oth_rows)] {
        for r in mapped.iter() {
            let shared = ref_ids.contains(&r.oid) && oth_ids.contains(&r.oid);
            if !shared && !not_overlapping.iter().any(|n| n.0 == r.oid) {
                not_overlapping.push((r.oid.clone(), p.olink_id[r.row].clone(), project, r.row));
            }
        }
    }
    ref_rows.retain(|r| oth_ids.contains(&r.oid));
    oth_rows.retain(|r| ref_ids.contains(&r.oid));
    if ref_rows.is_empty() {
        return Err(NormalizeError::NoAssays(names.0.to_string()));
    }

    // own OlinkIDs of each combined assay
    let mut own_ref: HashMap<&str, &str> = HashMap::new();
    for r in &ref_rows {
        own_ref
            .entry(r.oid.as_str())
            .or_insert(reference.olink_id[r.row].as_str());
    }
    let mut own_oth: HashMap<&str, &str> = HashMap::new();
    for r in &oth_rows {
        own_oth
            .entry(r.oid.as_str())
            .or_insert(other.olink_id[r.row].as_str());
    }
    let mut assays: Vec<&str> = Vec::new();
    {
        let mut s = HashSet::new();
        for r in &ref_rows {
            if s.insert(r.oid.as_str()) {
                assays.push(r.oid.as_str());
            }
        }
    }

    // 4. median-centring factors over every row of the bridge samples
    let in_bridge_ref = |i: usize| bridge.contains(reference.sample_id[i].as_str());
    let in_bridge_oth = |i: usize| bridge.contains(other.sample_id[i].as_str());
    let kb_ref = key_index(reference, &ref_rows, names.0, in_bridge_ref)?;
    let kb_oth = key_index(other, &oth_rows, names.1, in_bridge_oth)?;
    let mut diffs: HashMap<&str, Vec<f64>> = HashMap::new();
    for (key, &k) in &kb_ref {
        let d = match kb_oth.get(key) {
            Some(&j) => reference.npx[ref_rows[k].row] - other.npx[oth_rows[j].row],
            None => f64::NAN,
        };
        diffs.entry(key.1).or_default().push(d);
    }
    for key in kb_oth.keys() {
        if !kb_ref.contains_key(key) {
            diffs.entry(key.1).or_default().push(f64::NAN);
        }
    }
    let factor: HashMap<&str, f64> = diffs
        .iter()
        .map(|(o, d)| {
            let m = r_median(d);
            (*o, if m.is_nan() { 0.0 } else { m })
        })
        .collect();

    // 3. bridgeability and 5. quantile smoothing, per assay
    let sa_ref = |i: usize| reference.is_sample_assay(i);
    let sa_oth = |i: usize| other.is_sample_assay(i);
    let ks_ref = key_index(reference, &ref_rows, names.0, sa_ref)?;
    let ks_oth = key_index(other, &oth_rows, names.1, sa_oth)?;
    let mut ref_bridge_assays: HashSet<&str> = HashSet::new();
    for r in &ref_rows {
        if in_bridge_ref(r.row) {
            ref_bridge_assays.insert(r.oid.as_str());
        }
    }
    // pairs per assay among the bridge samples (SAMPLE/assay rows of both)
    let mut pairs: HashMap<&str, Vec<(usize, usize)>> = HashMap::new();
    let mut ref_keys: Vec<(&(&str, &str), &usize)> = ks_ref.iter().collect();
    ref_keys.sort_by_key(|(_, &k)| k);
    for (key, &k) in ref_keys {
        if !bridge.contains(key.0) {
            continue;
        }
        if let Some(&j) = ks_oth.get(key) {
            pairs
                .entry(key.1)
                .or_default()
                .push((ref_rows[k].row, oth_rows[j].row));
        }
    }
    let mut bridgeability = Vec::new();
    let mut fits: HashMap<&str, SplineFit> = HashMap::new();
    let mut qs_too_few = Vec::new();
    let mut qs_rank_deficient = Vec::new();
    for &oid in &assays {
        let pr = pairs.get(oid).map(Vec::as_slice).unwrap_or(&[]);
        let row = bridgeability_row(reference, other, oid, pr, ref_bridge_assays.contains(oid));
        let (refo, otho) = (own_ref.get(oid), own_oth.get(oid));
        let mut row = row;
        row.first_row = ref_rows.iter().find(|r| r.oid == oid).map(|r| (0, r.row));
        row.reference_olink_id = refo.map_or(String::new(), |s| s.to_string());
        row.other_olink_id = otho.map_or(String::new(), |s| s.to_string());
        // quantile smoothing model rows: reference Count > 10, both NPX
        let model: Vec<(f64, f64)> = pr
            .iter()
            .filter(|&&(i, j)| {
                reference.count[i] > MIN_COUNT
                    && !reference.npx[i].is_nan()
                    && !other.npx[j].is_nan()
            })
            .map(|&(i, j)| (reference.npx[i], other.npx[j]))
            .collect();
        row.qs_rows = model.len();
        if model.len() < min_n {
            if ks_oth.keys().any(|k| k.1 == oid) {
                qs_too_few.push(oid.to_string());
            }
        } else {
            match qs_fit(&model) {
                Some(f) => {
                    fits.insert(oid, f);
                }
                None => qs_rank_deficient.push(oid.to_string()),
            }
        }
        bridgeability.push(row);
    }
    let rec: HashMap<&str, Option<Recommendation>> = bridgeability
        .iter()
        .map(|b| {
            (
                b.olink_id.as_str(),
                ref_bridge_assays
                    .contains(b.olink_id.as_str())
                    .then_some(b.recommendation),
            )
        })
        .collect();

    // 6. output rows
    let mut rows = Vec::with_capacity(ref_rows.len() + oth_rows.len());
    for (project, p, mapped) in [(0usize, reference, &ref_rows), (1usize, other, &oth_rows)] {
        for m in mapped.iter() {
            let oid = m.oid.as_str();
            let refo = own_ref.get(oid).map_or("", |s| s);
            let otho = own_oth.get(oid).map_or("", |s| s);
            let npx = p.npx[m.row];
            let r = rec.get(oid).copied().flatten();
            let (adj, qs) = if project == 0 {
                (
                    0.0,
                    if p.is_sample_assay(m.row) {
                        npx
                    } else {
                        f64::NAN
                    },
                )
            } else {
                let qs = match fits.get(oid) {
                    Some(f) if p.is_sample_assay(m.row) => f.predict(npx),
                    _ => f64::NAN,
                };
                (factor.get(oid).copied().unwrap_or(f64::NAN), qs)
            };
            let mc = npx + adj;
            let bridged = r.is_some_and(Recommendation::is_bridgeable);
            rows.push(CrossProductRow {
                project,
                row: m.row,
                olink_id: if bridged {
                    format!("{refo}_{otho}")
                } else {
                    p.olink_id[m.row].clone()
                },
                combined_olink_id: m.oid.clone(),
                reference_olink_id: refo.to_string(),
                other_olink_id: otho.to_string(),
                npx: r.map_or(npx, |r| r.final_npx(npx, mc, qs)),
                npx_delivered: npx,
                adj_factor: adj,
                median_centered: mc,
                qs_normalized: qs,
                recommendation: r,
            });
        }
    }
    // NotOverlapping: delivered rows whose OlinkID is, or is part of, such an assay
    let mut no_ids: HashSet<&str> = HashSet::new();
    for (o, ..) in &not_overlapping {
        no_ids.insert(o.as_str());
        if o.contains('_') {
            no_ids.extend(o.split('_'));
        }
    }
    for (project, p) in [(0usize, reference), (1usize, other)] {
        for i in 0..p.len() {
            if no_ids.contains(p.olink_id[i].as_str()) {
                rows.push(CrossProductRow {
                    project,
                    row: i,
                    olink_id: p.olink_id[i].clone(),
                    combined_olink_id: String::new(),
                    reference_olink_id: if project == 0 {
                        p.olink_id[i].clone()
                    } else {
                        String::new()
                    },
                    other_olink_id: if project == 1 {
                        p.olink_id[i].clone()
                    } else {
                        String::new()
                    },
                    npx: p.npx[i],
                    npx_delivered: p.npx[i],
                    adj_factor: f64::NAN,
                    median_centered: f64::NAN,
                    qs_normalized: f64::NAN,
                    recommendation: Some(Recommendation::NotOverlapping),
                });
            }
        }
    }
    for (o, own, project, row) in &not_overlapping {
        bridgeability.push(BridgeabilityRow {
            olink_id: o.clone(),
            reference_olink_id: if *project == 0 {
                own.clone()
            } else {
                String::new()
            },
            other_olink_id: if *project == 1 {
                own.clone()
            } else {
                String::new()
            },
            first_row: Some((*project, *row)),
            n_pairs: 0,
            range_reference: f64::NAN,
            range_other: f64::NAN,
            range_diff: f64::NAN,
            median_count_reference: f64::NAN,
            median_count_other: f64::NAN,
            low_count: None,
            n_outliers: 0,
            r2: f64::NAN,
            ks_d: f64::NAN,
            qs_rows: 0,
            recommendation: Recommendation::NotOverlapping,
        });
    }
    let mut factors: Vec<(String, f64)> = assays
        .iter()
        .filter_map(|o| factor.get(o).map(|f| (o.to_string(), *f)))
        .collect();
    factors.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(CrossProduct {
        rows,
        bridgeability,
        factors,
        qs_too_few,
        qs_rank_deficient,
        min_bridge_samples: min_n,
    })
}

/// The bridgeability criteria of one assay from its bridge pairs (reference row,
/// other row), before the Count filter.
fn bridgeability_row(
    reference: &ProductRows,
    other: &ProductRows,
    oid: &str,
    pairs: &[(usize, usize)],
    in_reference_bridges: bool,
) -> BridgeabilityRow {
    let kept: Vec<(usize, usize)> = pairs
        .iter()
        .copied()
        .filter(|&(i, j)| {
            reference.count[i] > MIN_COUNT
                && other.count[j] > MIN_COUNT
                && !reference.npx[i].is_nan()
                && !other.npx[j].is_nan()
        })
        .collect();
    let mut row = BridgeabilityRow {
        olink_id: oid.to_string(),
        reference_olink_id: String::new(),
        other_olink_id: String::new(),
        n_pairs: kept.len(),
        range_reference: f64::NAN,
        range_other: f64::NAN,
        range_diff: f64::NAN,
        median_count_reference: f64::NAN,
        median_count_other: f64::NAN,
        low_count: None,
        n_outliers: 0,
        r2: f64::NAN,
        ks_d: f64::NAN,
        qs_rows: 0,
        recommendation: Recommendation::NotBridgeable,
        first_row: None,
    };
    if kept.is_empty() || !in_reference_bridges {
        return row;
    }
    let x: Vec<f64> = kept.iter().map(|&(i, _)| reference.npx[i]).collect();
    let y: Vec<f64> = kept.iter().map(|&(_, j)| other.npx[j]).collect();
    let cx: Vec<f64> = kept.iter().map(|&(i, _)| reference.count[i]).collect();
    let cy: Vec<f64> = kept.iter().map(|&(_, j)| other.count[j]).collect();
    let range = |v: &[f64]| {
        let s = sorted(v);
        quantile7(&s, 0.9) - quantile7(&s, 0.1)
    };
    row.range_reference = range(&x);
    row.range_other = range(&y);
    row.range_diff = (row.range_reference - row.range_other).abs();
    row.median_count_reference = r_median(&cx);
    row.median_count_other = r_median(&cy);
    let low =
        row.median_count_reference < LOW_COUNT_MEDIAN || row.median_count_other < LOW_COUNT_MEDIAN;
    row.low_count = Some(low);
    let (ox, oy) = (iqr_outliers(&x), iqr_outliers(&y));
    let keep: Vec<usize> = (0..x.len()).filter(|&k| !(ox[k] || oy[k])).collect();
    row.n_outliers = x.len() - keep.len();
    let xs: Vec<f64> = keep.iter().map(|&k| x[k]).collect();
    let ys: Vec<f64> = keep.iter().map(|&k| y[k]).collect();
    row.r2 = pearson(&xs, &ys).powi(2);
    row.ks_d = ks_statistic(&xs, &ys);
    // not bridgeable when all three fail; R's `&` with NA r² (FALSE & NA = FALSE)
    let range_fail = row.range_diff > RANGE_DIFF_MAX;
    let fail = if !range_fail || !low {
        Some(false)
    } else if row.r2.is_nan() {
        None
    } else {
        Some(row.r2 < R2_MIN)
    };
    row.recommendation = match fail {
        Some(false) if !row.ks_d.is_nan() => {
            if row.ks_d <= KS_MAX {
                Recommendation::MedianCentering
            } else {
                Recommendation::QuantileSmoothing
            }
        }
        _ => Recommendation::NotBridgeable,
    };
    row
}

/// The quantile-smoothing model of one assay from (reference NPX, other NPX) pairs.
fn qs_fit(model: &[(f64, f64)]) -> Option<SplineFit> {
    let n = model.len();
    let ref_sorted = sorted(&model.iter().map(|m| m.0).collect::<Vec<_>>());
    let oth_sorted = sorted(&model.iter().map(|m| m.1).collect::<Vec<_>>());
    // ECDF of the other product's NPX at its unique values
    let mut uniq: Vec<f64> = Vec::new();
    let mut cum: Vec<usize> = Vec::new();
    for (k, &v) in oth_sorted.iter().enumerate() {
        if uniq.last() == Some(&v) {
            *cum.last_mut().expect("cum follows uniq") = k + 1;
        } else {
            uniq.push(v);
            cum.push(k + 1);
        }
    }
    let mapped: Vec<f64> = cum
        .iter()
        .map(|&c| quantile7(&ref_sorted, c as f64 / n as f64))
        .collect();
    let knots: Vec<f64> = QS_KNOT_PROBS.iter().map(|&p| quantile7(&uniq, p)).collect();
    SplineFit::fit(&uniq, &mapped, &knots)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_quantile7() {
        // R: quantile(c(3, 1, 2, 10), c(.1, .9, .5))
        let s = sorted(&[3.0, 1.0, 2.0, 10.0]);
        assert_eq!(quantile7(&s, 0.1), 1.3);
        assert_eq!(quantile7(&s, 0.9), 7.900_000_000_000_001);
        assert_eq!(quantile7(&s, 0.5), 2.5);
        assert!(quantile7(&[], 0.5).is_nan());
    }

    #[test]
    fn test_ks_statistic() {
        // R: ks.test(1:40, 9:48)$statistic == 0.2 (TRUE), long-double cumsum
        let x: Vec<f64> = (1..=40).map(f64::from).collect();
        let y: Vec<f64> = (9..=48).map(f64::from).collect();
        assert_eq!(ks_statistic(&x, &y), 0.2);
        // ties: R gives 0.41666666666666669
        let d = ks_statistic(&[0.5, 1.5, 1.5, 3.0], &[1.5, 2.0, 4.0]);
        assert_eq!(d, 0.416_666_666_666_666_7);
        assert!(ks_statistic(&[], &[1.0]).is_nan());
    }

    #[test]
    fn test_pearson() {
        // R: cor(c(1, 2, 3, 4.5), c(2, 1, 4, 4))^2
        let r = pearson(&[1.0, 2.0, 3.0, 4.5], &[2.0, 1.0, 4.0, 4.0]);
        assert!((r * r - 0.581_862_236_067_843_5).abs() < 1e-15);
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
        assert!(pearson(&[1.0], &[1.0]).is_nan());
    }

    #[test]
    fn test_detect_product() {
        let p = |v: &[&str]| detect_product(v.iter().map(|s| Some(*s)));
        assert_eq!(p(&["Oncology", "Inflammation_II"]), Product::E3072);
        assert_eq!(p(&["Explore_HT"]), Product::Ht);
        assert_eq!(p(&["Reveal"]), Product::Reveal);
        assert_eq!(p(&["Explore_HT", "Oncology"]), Product::Other);
        assert_eq!(p(&["Olink Target 96 Inflammation"]), Product::Other);
        assert_eq!(p(&[]), Product::Other);
        assert_eq!(detect_product([Some("Reveal"), None]), Product::Other);
        assert_eq!(min_bridge_samples(Product::E3072, Product::Ht), Some(40));
        assert_eq!(min_bridge_samples(Product::Ht, Product::Reveal), Some(24));
        assert_eq!(min_bridge_samples(Product::Other, Product::Ht), None);
    }

    #[test]
    fn test_mapping() {
        let m = ProductMapping::olink();
        assert_eq!(m.len(), 2920 + 872 + 1074);
        let p = m.partners(Product::Ht, Product::E3072);
        assert_eq!(p["OID40770"], vec!["OID40770_OID20117".to_string()]);
        // an Explore HT assay with four Explore 3072 partners
        assert_eq!(p["OID43204"].len(), 4);
        let q = m.partners(Product::E3072, Product::Ht);
        assert_eq!(q["OID20117"], vec!["OID40770_OID20117".to_string()]);
        assert!(ProductMapping::parse("a\tb\n").is_err());
        let e = ProductMapping::parse(
            "product_1\tproduct_2\tOlinkID_1\tOlinkID_2\nHT\tX\tOID1\tOID2\n",
        )
        .unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn test_olink_id_pattern() {
        assert!(is_product_olink_id("OID12345"));
        assert!(is_product_olink_id("OID12345_OID54321"));
        assert!(!is_product_olink_id("OID1234"));
        assert!(!is_product_olink_id("OID12345_OID5432"));
        assert!(!is_product_olink_id("X"));
    }
}
