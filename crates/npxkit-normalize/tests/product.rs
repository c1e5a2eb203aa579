//! Compares cross-product bridging with the R port of OlinkAnalyze 5.0.2's formulas
//! (`test-data/reference/normalize_product.R`, base R + splines) on the committed
//! synthetic pairs in `test-data/normalize_product/` (Explore 3072 -> Explore HT:
//! `product_syn_*`; Reveal -> Explore HT: `product_reveal_*`): recommendations
//! identical, bridgeability criteria, factors and median-centred NPX within 1e-10,
//! quantile-smoothed NPX within 1e-8.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use npxkit_normalize::product::{
    detect_product, normalize_cross_product, CrossProduct, Product, ProductMapping, ProductRows,
};

/// Medians, factors and the bridgeability criteria.
const TOL: f64 = 1e-10;
/// Quantile-smoothed NPX (spline fit and prediction).
const TOL_QS: f64 = 1e-8;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A `;`-separated file as (header, rows).
fn read_table(path: &Path, sep: char) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(sep)
        .map(String::from)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(sep).map(String::from).collect())
        .collect();
    (header, rows)
}

fn num(s: &str) -> f64 {
    if s == "NA" {
        f64::NAN
    } else {
        s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
    }
}

fn load(path: &Path) -> (ProductRows, Vec<Option<String>>) {
    let (h, rows) = read_table(path, ';');
    let c = |n: &str| h.iter().position(|x| x == n).expect(n);
    let text = |n: &str| -> Vec<Option<String>> {
        let i = c(n);
        rows.iter()
            .map(|r| (r[i] != "NA").then(|| r[i].clone()))
            .collect()
    };
    let p = ProductRows {
        sample_id: rows.iter().map(|r| r[c("SampleID")].clone()).collect(),
        olink_id: rows.iter().map(|r| r[c("OlinkID")].clone()).collect(),
        npx: rows.iter().map(|r| num(&r[c("NPX")])).collect(),
        count: rows.iter().map(|r| num(&r[c("Count")])).collect(),
        sample_type: text("SampleType"),
        assay_type: text("AssayType"),
        normalization: Some(text("Normalization")),
    };
    (p, text("Panel"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= tol
}

struct Synthetic {
    reference: ProductRows,
    other: ProductRows,
    result: CrossProduct,
}

fn synthetic() -> Synthetic {
    pair("ht.csv", "e3072.csv", (Product::Ht, Product::E3072), 48)
}

fn reveal() -> Synthetic {
    pair(
        "reveal_ht.csv",
        "reveal.csv",
        (Product::Ht, Product::Reveal),
        30,
    )
}

fn pair(
    ref_file: &str,
    other_file: &str,
    products: (Product, Product),
    n_bridge: usize,
) -> Synthetic {
    let dir = repo().join("test-data/normalize_product");
    let (reference, ref_panels) = load(&dir.join(ref_file));
    let (other, oth_panels) = load(&dir.join(other_file));
    let pr = detect_product(ref_panels.iter().map(|p| p.as_deref()));
    let po = detect_product(oth_panels.iter().map(|p| p.as_deref()));
    assert_eq!((pr, po), products);
    // bridge samples: shared SAMPLE SampleIDs, in reference order
    let oth_samples: std::collections::HashSet<&str> = other
        .sample_id
        .iter()
        .zip(&other.sample_type)
        .filter(|(_, t)| t.as_deref() == Some("SAMPLE"))
        .map(|(s, _)| s.as_str())
        .collect();
    let mut bridge: Vec<String> = Vec::new();
    for (s, t) in reference.sample_id.iter().zip(&reference.sample_type) {
        if t.as_deref() == Some("SAMPLE") && oth_samples.contains(s.as_str()) && !bridge.contains(s)
        {
            bridge.push(s.clone());
        }
    }
    assert_eq!(bridge.len(), n_bridge);
    let result = normalize_cross_product(
        &reference,
        &other,
        (pr, po),
        &bridge,
        &ProductMapping::olink(),
        ("P1", "P2"),
    )
    .expect("cross-product bridging runs");
    Synthetic {
        reference,
        other,
        result,
    }
}

#[test]
fn bridgeability_matches_r() {
    check_bridgeability(&synthetic(), "product_syn", 32);
    check_bridgeability(&reveal(), "product_reveal", 10);
}

fn check_bridgeability(s: &Synthetic, tag: &str, n_assays: usize) {
    let (h, rows) = read_table(
        &repo().join(format!(
            "test-data/reference/normalize/{tag}_bridgeability.tsv"
        )),
        '\t',
    );
    let c = |n: &str| h.iter().position(|x| x == n).expect(n);
    let ours: HashMap<&str, _> = s
        .result
        .bridgeability
        .iter()
        .map(|b| (b.olink_id.as_str(), b))
        .collect();
    assert_eq!(rows.len(), n_assays);
    for r in &rows {
        let b = ours
            .get(r[c("OlinkID")].as_str())
            .unwrap_or_else(|| panic!("no bridgeability row for {}", r[c("OlinkID")]));
        assert_eq!(
            b.recommendation.name(),
            r[c("BridgingRecommendation")],
            "{}",
            b.olink_id
        );
        assert_eq!(
            b.n_pairs,
            r[c("n")].parse::<usize>().unwrap(),
            "{}",
            b.olink_id
        );
        assert_eq!(
            b.n_outliers,
            r[c("n_outliers")].parse::<usize>().unwrap(),
            "{}",
            b.olink_id
        );
        assert_eq!(
            b.low_count.map(|l| if l { "TRUE" } else { "FALSE" }),
            Some(r[c("low_count")].as_str())
        );
        for (ours, col) in [
            (b.range_reference, "range_ref"),
            (b.range_other, "range_other"),
            (b.range_diff, "range_diff"),
            (b.median_count_reference, "median_count_ref"),
            (b.median_count_other, "median_count_other"),
            (b.r2, "r2"),
            (b.ks_d, "ks_d"),
        ] {
            let want = num(&r[c(col)]);
            assert!(
                close(ours, want, TOL),
                "{} {col}: {ours} vs R {want}",
                b.olink_id
            );
        }
    }
    // the three assays in one product only
    let mut not_overlapping: Vec<&str> = s
        .result
        .bridgeability
        .iter()
        .filter(|b| b.recommendation.name() == "NotOverlapping")
        .map(|b| b.olink_id.as_str())
        .collect();
    not_overlapping.sort();
    let want = std::fs::read_to_string(repo().join(format!(
        "test-data/reference/normalize/{tag}_not_overlapping.txt"
    )))
    .unwrap();
    assert_eq!(not_overlapping, want.lines().collect::<Vec<_>>());
}

#[test]
fn factors_match_r() {
    check_factors(&synthetic(), "product_syn");
    check_factors(&reveal(), "product_reveal");
}

fn check_factors(s: &Synthetic, tag: &str) {
    let (_, rows) = read_table(
        &repo().join(format!("test-data/reference/normalize/{tag}_factors.tsv")),
        '\t',
    );
    let ours: HashMap<&str, f64> = s
        .result
        .factors
        .iter()
        .map(|(o, f)| (o.as_str(), *f))
        .collect();
    assert_eq!(ours.len(), rows.len());
    for r in &rows {
        let want = num(&r[1]);
        let got = ours[r[0].as_str()];
        assert!(close(got, want, TOL), "{}: {got} vs R {want}", r[0]);
    }
}

#[test]
fn normalized_rows_match_r() {
    let n_qs = check_rows(&synthetic(), "product_syn", 1);
    assert!(n_qs > 1000, "{n_qs} quantile-smoothed rows");
    // Reveal -> HT: quantile-smoothed values for 9 assays x 40 Reveal samples; the
    // tenth has 22 usable bridge rows, fewer than the 24 the pair needs
    let n_qs = check_rows(&reveal(), "product_reveal", 1);
    assert_eq!(n_qs, 9 * 40);
}

/// Compares every shared row with R; returns the other product's quantile-smoothed
/// rows.
fn check_rows(s: &Synthetic, tag: &str, n_too_few: usize) -> usize {
    let (h, rows) = read_table(
        &repo().join(format!(
            "test-data/reference/normalize/{tag}_normalized.tsv"
        )),
        '\t',
    );
    let c = |n: &str| h.iter().position(|x| x == n).expect(n);
    let mut want: HashMap<(String, String, String), &Vec<String>> = HashMap::new();
    for r in &rows {
        let key = (
            r[c("Project")].clone(),
            r[c("SampleID")].clone(),
            r[c("OlinkID")].clone(),
        );
        assert!(want.insert(key, r).is_none());
    }
    let shared: Vec<_> = s
        .result
        .rows
        .iter()
        .filter(|r| !r.combined_olink_id.is_empty())
        .collect();
    assert_eq!(shared.len(), rows.len());
    let mut n_qs = 0;
    for r in shared {
        let p = if r.project == 0 {
            &s.reference
        } else {
            &s.other
        };
        let key = (
            format!("P{}", r.project + 1),
            p.sample_id[r.row].clone(),
            r.combined_olink_id.clone(),
        );
        let w = want
            .get(&key)
            .unwrap_or_else(|| panic!("R has no row {key:?}"));
        let rec = r.recommendation.map_or("NA", |x| x.name());
        assert_eq!(rec, w[c("BridgingRecommendation")], "{key:?}");
        for (ours, col, tol) in [
            (r.npx_delivered, "NPX", 0.0),
            (r.adj_factor, "Adj_factor", TOL),
            (r.median_centered, "MedianCenteredNPX", TOL),
            (r.qs_normalized, "QSNormalizedNPX", TOL_QS),
            (r.npx, "Final_NPX", TOL_QS),
        ] {
            let want = num(&w[c(col)]);
            assert!(close(ours, want, tol), "{key:?} {col}: {ours} vs R {want}");
        }
        if r.project == 1 && !r.qs_normalized.is_nan() {
            n_qs += 1;
        }
    }
    // every shared assay but the one with too few usable bridge rows is smoothed
    assert_eq!(s.result.qs_too_few.len(), n_too_few, "{tag}");
    n_qs
}

#[test]
fn not_overlapping_rows_are_kept_unchanged() {
    let s = synthetic();
    let n: usize = s
        .result
        .rows
        .iter()
        .filter(|r| r.recommendation.map(|x| x.name()) == Some("NotOverlapping"))
        .inspect(|r| assert_eq!(r.npx.to_bits(), r.npx_delivered.to_bits()))
        .count();
    // OID49998 (HT only), OID29998 (E3072 only), and HT OID43204, whose two other
    // partners are not measured: each 72 rows
    assert_eq!(n, 3 * 72);
}

#[test]
fn explore_3072_cannot_be_the_reference() {
    let s = synthetic();
    let err = normalize_cross_product(
        &s.other,
        &s.reference,
        (Product::E3072, Product::Ht),
        &["B01".to_string()],
        &ProductMapping::olink(),
        ("P2", "P1"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot be the reference"), "{err}");
    let err = normalize_cross_product(
        &s.reference,
        &s.other,
        (Product::Ht, Product::Other),
        &["B01".to_string()],
        &ProductMapping::olink(),
        ("P1", "P2"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cannot bridge"), "{err}");
}
