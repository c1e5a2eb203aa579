//! The normalisation section of the report, on small hand-written outputs of
//! `npxkit normalize`: found in the `--in` folder itself or in its `normalize/`
//! subfolder, with the right numbers; absent (and listed as without data) otherwise;
//! a malformed adjustments.tsv is an error naming the file.

use std::path::Path;

use npxkit_report::{build, ReportError, ReportOptions, Results};

/// adjustments.tsv of a bridge normalisation: P1 the reference, P2 bridged with the
/// factors 0.1, -0.2, 0.4, 1.5, -3 (median 0.1, Q1 -0.2, Q3 0.4) and one NA.
const BRIDGE_ADJ: &str = "Project\tOlinkID\tAssay\tAdj_factor\tmethod
P1\tOID00001\tIL6\t0\treference
P1\tOID00002\tCXCL9\t0\treference
P1\tOID00003\tCD274\t0\treference
P1\tOID00004\tGZMB\t0\treference
P1\tOID00005\tTNF\t0\treference
P1\tOID00006\tIL10\t0\treference
P2\tOID00001\tIL6\t0.1\tbridge
P2\tOID00002\tCXCL9\t-0.2\tbridge
P2\tOID00003\tCD274\t0.4\tbridge
P2\tOID00004\tGZMB\t1.5\tbridge
P2\tOID00005\tTNF\t-3\tbridge
P2\tOID00006\tIL10\tNA\tbridge
";

const BRIDGE_RUN: &str = r#"{"tool": "npxkit", "version": "0.1.0", "subcommand": "normalize",
 "command_line": ["npxkit", "normalize"],
 "options": {"npx": ["p1.csv", "p2.csv"], "reference": 1, "drop_bridge_copies": true},
 "inputs": [{"path": "p1.csv", "sha256": "00"}, {"path": "p2.csv", "sha256": "11"}],
 "results": {"removed_assays": [], "removed_bridge_rows": 12, "rows": 100,
  "steps": [{"project": "P2", "normalized_to": "P1", "method": "bridge",
             "reference_samples": ["A", "B", "C"], "samples": ["A", "B", "C"]}]}}"#;

const CROSS_ADJ: &str = "Project\tOlinkID\tAssay\tAdj_factor\tmethod
P2\tOID40001_OID20001\tPROT1\t0\treference
P2\tOID40002_OID20002\tPROT2\t0\treference
P2\tOID40003_OID20003\tPROT3\t0\treference
P1\tOID40001_OID20001\tPROT1\t0.05\tMedianCentering
P1\tOID40002_OID20002\tPROT2\t1.2\tQuantileSmoothing
P1\tOID20003\tPROT3\t0.6\tNotBridgeable
P1\tOID29999\tPROTX\tNA\tNotOverlapping
";

const CROSS_BRIDGE: &str = "OlinkID\tOlinkID_HT\tOlinkID_E3072\tAssay\tn_bridge_pairs\trange_reference\trange_other\trange_diff\trange_check\tmedian_count_reference\tmedian_count_other\tcount_check\tn_outliers\tr2\tr2_check\tks_d\tqs_bridge_pairs\tBridgingRecommendation
OID40001_OID20001\tOID40001\tOID20001\tPROT1\t48\t3.1\t3.0\t0.1\tpass\t990\t1068\tpass\t0\t0.95\tpass\t0.1\t48\tMedianCentering
OID40002_OID20002\tOID40002\tOID20002\tPROT2\t48\t3.4\t3.5\t0.1\tpass\t1042\t1263\tpass\t0\t0.93\tpass\t0.45\t48\tQuantileSmoothing
OID40003_OID20003\tOID40003\tOID20003\tPROT3\t30\t1.0\t2.5\t1.5\tfail\t40\t90\tfail\t1\t0.2\tfail\t0.6\t30\tNotBridgeable
OID29999\tNA\tOID29999\tPROTX\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNotOverlapping
";

const CROSS_RUN: &str = r#"{"tool": "npxkit", "version": "0.1.0", "subcommand": "normalize",
 "command_line": ["npxkit", "normalize"],
 "options": {"npx": ["e3072.csv", "ht.csv"], "reference": 2},
 "inputs": [],
 "results": {"rows": 10, "cross_product": {
   "reference": {"project": "P2", "product": "HT"},
   "other": {"project": "P1", "product": "E3072"},
   "bridge_samples": ["B1", "B2", "B3", "B4"], "min_bridge_samples_qs": 40,
   "MedianCentering": 1, "QuantileSmoothing": 1, "NotBridgeable": 1, "NotOverlapping": 1,
   "qs_too_few_bridge_samples": ["OID40003_OID20003"], "qs_rank_deficient": []}}}"#;

/// A de.tsv so the report has something besides the normalisation.
const DE: &str = "OlinkID\tAssay\tlogFC\tAveExpr\tt\tP.Value\tadj.P.Val\tB
OID00001\tIL6\t1.2\t5\t4\t0.001\t0.01\t2
OID00002\tCXCL9\t-0.5\t4\t-2\t0.05\t0.2\t-1
";

fn write(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The HTML of one section.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    &html[start..start + html[start..].find("</section>").unwrap()]
}

fn report(dirs: &[&Path]) -> npxkit_report::Report {
    let dirs: Vec<_> = dirs.iter().map(|d| d.to_path_buf()).collect();
    build(&Results::load(&dirs).unwrap(), &ReportOptions::default()).unwrap()
}

/// The figure is drawn and rasterises.
fn check_figure(r: &npxkit_report::Report, name: &str) {
    let f = r
        .figures
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no figure {name}"));
    assert!(f.figure.svg.contains("<svg"), "{name}: SVG");
    let png = f.figure.to_png(1.0).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: PNG");
    assert!(
        r.html.contains(&format!("id=\"fig-{name}\"")),
        "{name} inline"
    );
}

#[test]
fn bridge_section_from_the_normalize_subfolder() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("run");
    write(&run, &[("de.tsv", DE)]);
    write(
        &run.join("normalize"),
        &[("adjustments.tsv", BRIDGE_ADJ), ("run.json", BRIDGE_RUN)],
    );
    let r = report(&[&run]);
    assert!(r.filled.contains(&"normalisation"), "{:?}", r.missing);
    let s = section(&r.html, "normalisation");
    // What was done.
    assert!(s.contains("P1 = <code>p1.csv</code>"), "{s}");
    assert!(s.contains("Reference: <b>P1</b>"), "{s}");
    assert!(
        s.contains("P2 → P1: bridge normalisation over 3 bridge samples"),
        "{s}"
    );
    assert!(s.contains("12 rows of the non-reference copies"), "{s}");
    // The summary of P2: 6 assays, 5 with a factor, median 0.1, Q1 -0.2, Q3 0.4,
    // min -3, max 1.5.
    let p2 = &s[s.find("<td>P2</td>").expect("P2 row")..];
    let p2 = &p2[..p2.find("</tr>").unwrap()];
    for cell in [
        "<td>bridge (6)</td>",
        "data-v=\"6\"",
        "data-v=\"5\"",
        "data-v=\"0.1\"",
        "data-v=\"-0.2\"",
        "data-v=\"0.4\"",
        "data-v=\"-3\"",
        "data-v=\"1.5\"",
    ] {
        assert!(p2.contains(cell), "{cell} in {p2}");
    }
    // The largest |Adj_factor| first: TNF (-3), then GZMB (1.5); no reference rows.
    let top = &s[s.find("id=\"norm-top\"").expect("top table")..];
    let (tnf, gzmb, il6) = (
        top.find("TNF").unwrap(),
        top.find("GZMB").unwrap(),
        top.find("IL6").unwrap(),
    );
    assert!(tnf < gzmb && gzmb < il6);
    assert!(!top[..top.find("</table>").unwrap()].contains("reference"));
    check_figure(&r, "norm_adjustment_factors");
    assert!(!r.figures.iter().any(|f| f.name == "norm_bridgeability"));
    // Methods and provenance.
    let m = section(&r.html, "methods");
    assert!(m.contains("olink_normalization"), "{m}");
    assert!(
        m.contains("P2 was bridged to P1 by adding, per assay, the median over 3 bridge samples"),
        "{m}"
    );
    assert!(m.contains("OlinkAnalyze: Facilitate Analysis"));
    assert!(section(&r.html, "provenance").contains("normalize"));
    assert!(r.html.contains("href=\"#normalisation\""));
}

#[test]
fn cross_product_section_from_the_normalize_folder_itself() {
    let d = tempfile::tempdir().unwrap();
    let norm = d.path().join("norm");
    write(
        &norm,
        &[
            ("adjustments.tsv", CROSS_ADJ),
            ("bridgeability.tsv", CROSS_BRIDGE),
            ("run.json", CROSS_RUN),
        ],
    );
    // A normalize folder alone is enough for a report.
    let r = report(&[&norm]);
    assert!(r.filled.contains(&"normalisation"));
    let s = section(&r.html, "normalisation");
    assert!(
        s.contains("Cross-product bridge of P1 (Explore 3072) to the reference P2 (Explore HT) over 4 bridge samples"),
        "{s}"
    );
    assert!(s.contains("Fewer than 40 usable bridge samples"), "{s}");
    for (k, what) in [
        ("1", "assays median-centred"),
        ("1", "assays quantile-smoothed"),
        ("1", "assays not bridgeable"),
        ("1", "assays in one product only"),
    ] {
        assert!(
            s.contains(&format!("<b>{k}</b><span>{what}</span>")),
            "{what}"
        );
    }
    // The full bridgeability table, searchable.
    assert!(s.contains("data-table=\"norm-bridge\""));
    let bt = &s[s.find("id=\"norm-bridge\"").unwrap()..];
    assert_eq!(bt.matches("<tr>").count(), 1 + 4, "header + 4 assays");
    assert!(s.contains("<td>MedianCentering (1), QuantileSmoothing (1), NotBridgeable (1), NotOverlapping (1)</td>"), "{s}");
    check_figure(&r, "norm_adjustment_factors");
    check_figure(&r, "norm_bridgeability");
    let m = section(&r.html, "methods");
    assert!(
        m.contains("The Explore 3072 data were bridged to the Explore HT data (reference) over 4 bridge samples"),
        "{m}"
    );
    assert!(m.contains("1 were median-centred, 1 quantile-smoothed and 1 not bridgeable"));
}

#[test]
fn no_normalisation_no_section() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("run");
    write(&run, &[("de.tsv", DE)]);
    let r = report(&[&run]);
    assert!(!r.filled.contains(&"normalisation"));
    let (_, why) = r
        .missing
        .iter()
        .find(|(id, _)| *id == "normalisation")
        .expect("listed among the sections without data");
    assert!(why.contains("not normalised"), "{why}");
    assert!(!r.figures.iter().any(|f| f.name.starts_with("norm_")));
    assert!(!section(&r.html, "methods").contains("olink_normalization"));
}

#[test]
fn malformed_adjustments_name_the_file() {
    let d = tempfile::tempdir().unwrap();
    let run = d.path().join("run");
    write(&run, &[("de.tsv", DE)]);
    write(
        &run.join("normalize"),
        &[("adjustments.tsv", "Project\tOlinkID\tfactor\nP1\tOID1\t0\n")],
    );
    let e = Results::load(std::slice::from_ref(&run)).unwrap_err();
    assert!(matches!(e, ReportError::Table { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains("adjustments.tsv") && msg.contains("no column `Assay`"),
        "{msg}"
    );
    // An unknown recommendation in bridgeability.tsv, too.
    write(
        &run.join("normalize"),
        &[
            ("adjustments.tsv", CROSS_ADJ),
            (
                "bridgeability.tsv",
                &CROSS_BRIDGE.replace("\tMedianCentering\n", "\tMaybe\n"),
            ),
        ],
    );
    let results = Results::load(&[run]).unwrap();
    let e = build(&results, &ReportOptions::default()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("bridgeability.tsv") && msg.contains("`Maybe`"),
        "{msg}"
    );
}
