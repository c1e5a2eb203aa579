//! Reader tests: official Olink example deliveries (skipped with a printed reason when
//! `../shared` is absent), synthetic variants of each layout, and bad input.

use npxkit_io::{col, read_npx, read_npx_bytes, Format, IoError, NpxLong};
use std::path::{Path, PathBuf};

fn examples() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/olink-examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "skipped: {} is absent (official Olink examples live in ../shared)",
            dir.display()
        );
        None
    }
}

fn npx_values(t: &NpxLong) -> Vec<f64> {
    t.f64_column(col::NPX)
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect()
}

fn str_at<'a>(t: &'a NpxLong, c: &str, row: usize) -> Option<&'a str> {
    t.str_column(c).unwrap().get(row)
}

#[test]
fn official_long_csv() {
    let Some(dir) = examples() else { return };
    let t = read_npx(&dir.join("npx_data_long_csv.csv")).unwrap();
    assert_eq!(t.source().format, Format::LongCsv { separator: b';' });
    assert_eq!(t.height(), 1000);
    assert_eq!(str_at(&t, col::SAMPLE_ID, 0), Some("S01"));
    assert_eq!(str_at(&t, col::OLINK_ID, 0), Some("OID31341"));
    assert_eq!(str_at(&t, col::SAMPLE_TYPE, 0), Some("CONTROL"));
    assert_eq!(str_at(&t, col::SAMPLE_QC, 0), Some("PASS"));
    assert_eq!(npx_values(&t)[0], -3.9891);
    assert_eq!(t.f64_column(col::LOD).unwrap().get(0), Some(-3.8925));
    assert!(t.extra_columns().contains(&"Panel_Lot_Nr".to_string()));
    assert!(t.extra_columns().contains(&"ExploreVersion".to_string()));
}

#[test]
fn official_wide_csv() {
    let Some(dir) = examples() else { return };
    for file in [
        "npx_data_wide_csv.csv",
        "alt-versions/dd2d55f/npx_data_wide_csv.csv",
    ] {
        let t = read_npx(&dir.join(file)).unwrap();
        assert_eq!(t.source().format, Format::WideCsv { separator: b';' });
        // 160 sample rows × 184 assays (the 4 Plate ID / QC Warning columns are not assays)
        assert_eq!(t.height(), 160 * 184, "{file}");
        assert_eq!(str_at(&t, col::SAMPLE_ID, 0), Some("A1"));
        assert_eq!(str_at(&t, col::ASSAY, 0), Some("CHL1"));
        assert_eq!(str_at(&t, col::UNIPROT, 0), Some("O00533"));
        assert_eq!(str_at(&t, col::PANEL, 0), Some("Olink CARDIOMETABOLIC"));
        assert_eq!(str_at(&t, col::PLATE_ID, 0), Some("Example_Data_1_CAM.csv"));
        assert_eq!(npx_values(&t)[0], 12.95614259);
        // An INFLAMMATION assay takes the INFLAMMATION plate.
        let inf = (0..184)
            .find(|&j| str_at(&t, col::PANEL, j) == Some("Olink INFLAMMATION"))
            .unwrap();
        assert_eq!(
            str_at(&t, col::PLATE_ID, inf),
            Some("Example_Data_13_INFI.csv")
        );
        assert_eq!(t.f64_column(col::LOD).unwrap().get(0), Some(2.368466582));
        let freq = t.f64_column(col::MISSING_FREQ).unwrap().get(0).unwrap();
        assert!((freq - 0.01875).abs() < 0.006, "{file}: {freq}"); // 2% in the alt version
    }
}

#[test]
fn official_small_examples() {
    let Some(dir) = examples() else { return };
    for (file, sep) in [
        ("Example_NPX_Data.csv", b','),
        ("Example_NPX_Data2_1.csv", b';'),
        ("cran-OlinkAnalyze/Example_NPX_Data.csv", b','),
    ] {
        let t = read_npx(&dir.join(file)).unwrap();
        assert_eq!(
            t.source().format,
            Format::LongCsv { separator: sep },
            "{file}"
        );
        assert_eq!(t.height(), 1, "{file}");
        assert_eq!(str_at(&t, col::SAMPLE_ID, 0), Some("A1"));
        assert_eq!(npx_values(&t), [12.9561425886431]);
        assert_eq!(str_at(&t, col::SAMPLE_QC, 0), Some("PASS"));
        // R's row-name column (header "") is dropped.
        assert!(!t.extra_columns().iter().any(|c| c.is_empty()), "{file}");
    }
}

#[test]
fn official_package_data() {
    let Some(dir) = examples() else { return };
    let t = read_npx(&dir.join("package-data/npx_data1.csv")).unwrap();
    assert_eq!(t.height(), 29440);
    assert!(t.extra_columns().contains(&"Panel_Version".to_string()));
    let t = read_npx(&dir.join("package-data/npx_data2.csv")).unwrap();
    assert_eq!(t.height(), 32384);
}

#[test]
fn official_parquet() {
    let Some(dir) = examples() else { return };
    let t = read_npx(&dir.join("cran-OlinkAnalyze/npx_data_ext.parquet")).unwrap();
    assert_eq!(t.source().format, Format::Parquet);
    assert_eq!(t.height(), 1);
    for c in [
        col::SAMPLE_ID,
        col::OLINK_ID,
        col::ASSAY,
        col::SAMPLE_TYPE,
        col::SAMPLE_QC,
    ] {
        assert!(str_at(&t, c, 0).is_some(), "{c}");
    }
    assert!(npx_values(&t)[0].is_finite());
}

#[test]
fn official_xlsx_is_reported_clearly() {
    let Some(dir) = examples() else { return };
    let e = read_npx(&dir.join("cran-OlinkAnalyze/npx_data1.xlsx"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Excel workbook") && e.contains("save the NPX sheet as CSV"),
        "{e}"
    );
}

fn read_str(text: &str) -> Result<NpxLong, IoError> {
    read_npx_bytes(text.as_bytes(), Path::new("test.csv"))
}

const LONG: &str = "SampleID;Index;OlinkID;UniProt;Assay;MissingFreq;Panel;Panel_Version;PlateID;QC_Warning;LOD;NPX\n\
S1;1;OID1;P1;IL6;0;Infl;v1;Plate1;Pass;1,5;3,25\n\
S2;2;OID1;P1;IL6;0;Infl;v1;Plate1;Warning;1,5;NA\n";

#[test]
fn decimal_comma_and_qc_flags() {
    let t = read_str(LONG).unwrap();
    assert_eq!(t.f64_column(col::NPX).unwrap().get(0), Some(3.25));
    assert!(t.f64_column(col::NPX).unwrap().get(1).unwrap().is_nan());
    assert_eq!(t.f64_column(col::LOD).unwrap().get(0), Some(1.5));
    assert_eq!(str_at(&t, col::SAMPLE_QC, 1), Some("WARN"));
}

#[test]
fn comma_separated_with_crlf() {
    let text =
        "SampleID,OlinkID,UniProt,Assay,NPX\r\nS1,OID1,P1,IL6,2.5\r\nS2,OID1,P1,IL6,-1e-3\r\n";
    let t = read_str(text).unwrap();
    assert_eq!(npx_values(&t), [2.5, -0.001]);
}

fn err(text: &str) -> String {
    format!("{}", read_str(text).unwrap_err())
}

#[test]
fn bad_input_truncated_file() {
    let truncated = &LONG[..LONG.len() - 12];
    let e = err(truncated);
    assert!(e.contains("line 3") && e.contains("truncated"), "{e}");
}

#[test]
fn bad_input_wrong_separator() {
    let e = err("SampleID|OlinkID|Assay|NPX\nS1|O1|A|1\n");
    assert!(e.contains("no `;`, `,` or tab separator"), "{e}");
    let e = err("SampleID;OlinkID;Assay;NPX\nS1,O1,A,1\n");
    assert!(
        e.contains("line 2") && e.contains("1 fields where the header has 4"),
        "{e}"
    );
}

#[test]
fn bad_input_missing_npx_column() {
    let e = err("SampleID;OlinkID;Assay;Value\nS1;O1;A;1\n");
    assert!(
        e.contains("no column `NPX`") && e.contains("found: SampleID, OlinkID, Assay, Value"),
        "{e}"
    );
}

#[test]
fn bad_input_non_numeric_npx() {
    let e = err("SampleID;OlinkID;Assay;NPX\nS1;O1;A;1.5\nS2;O1;A;high\n");
    assert!(
        e.contains("line 3") && e.contains("`NPX`") && e.contains("`high` is not a number"),
        "{e}"
    );
}

#[test]
fn bad_input_empty_file() {
    assert!(matches!(read_str(""), Err(IoError::Empty { .. })));
    assert!(matches!(read_str("\n \n"), Err(IoError::Empty { .. })));
    let e = err("SampleID;OlinkID;Assay;NPX\n");
    assert!(e.contains("no data rows"), "{e}");
}

#[test]
fn bad_input_binary_garbage() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let e = read_npx_bytes(&garbage, Path::new("x.bin"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a recognised Olink NPX file"), "{e}");
}

#[test]
fn bad_input_empty_sample_id() {
    let e = err("SampleID;OlinkID;Assay;NPX\n;O1;A;1.5\n");
    assert!(e.contains("line 2") && e.contains("empty SampleID"), "{e}");
}

#[test]
fn wide_with_header_rows_longer_than_the_sniff_window() {
    // 8 panels × 92 assays: the Panel row alone is over 8 KiB.
    let n = 8 * 92;
    let row = |first: &str, f: &dyn Fn(usize) -> String| {
        let cells: Vec<String> = (0..n).map(f).collect();
        format!("{first};{};Plate ID;QC Warning\n", cells.join(";"))
    };
    let mut text = String::from("Big project;NPX Manager\nNPX Data\n");
    text += &row("Panel", &|j| {
        format!("Olink TARGET 96 PANEL NUMBER {}", j / 92)
    });
    text += &row("Assay", &|j| format!("GENE{j}"));
    text += &row("Uniprot ID", &|j| format!("P{j:05}"));
    text += &row("OlinkID", &|j| format!("OID{j:05}"));
    text += &format!("S1;{};P1;Pass\n", vec!["1.5"; n].join(";"));
    text += &format!("LOD;{};;\n", vec!["0.5"; n].join(";"));
    assert!(text.find("Assay").unwrap() > 8192);
    let t = read_npx_bytes(text.as_bytes(), Path::new("big.csv")).unwrap();
    assert_eq!(t.source().format, Format::WideCsv { separator: b';' });
    assert_eq!(t.height(), n);
    assert_eq!(t.f64_column(col::LOD).unwrap().get(n - 1), Some(0.5));
}

#[test]
fn wrong_separator_on_last_row_is_not_called_truncation() {
    let e = err("SampleID;OlinkID;Assay;NPX\nS1,O1,A,1\n");
    assert!(e.contains("check the separator (`;` detected"), "{e}");
    assert!(!e.contains("truncated"), "{e}");
}

#[test]
fn missing_file_names_the_os_error_once() {
    let e = read_npx(Path::new("/nonexistent/npx.csv"))
        .unwrap_err()
        .to_string();
    assert_eq!(e.matches("No such file").count(), 1, "{e}");
}

/// Every prefix-truncation and a set of single-byte corruptions of real deliveries
/// must give Ok or a clear error — never a panic.
#[test]
fn truncated_and_corrupted_official_files_never_panic() {
    let Some(dir) = examples() else { return };
    for file in [
        "npx_data_long_csv.csv",
        "npx_data_wide_csv.csv",
        "Example_NPX_Data.csv",
        "cran-OlinkAnalyze/npx_data_ext.parquet",
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let n = bytes.len();
        let step = (n / 150).max(1);
        let mut cuts: Vec<usize> = (0..n).step_by(step).collect();
        cuts.extend([1, 2, 3, 4, n.saturating_sub(1)]);
        for cut in cuts {
            let r = std::panic::catch_unwind(|| read_npx_bytes(&bytes[..cut], Path::new(file)));
            assert!(r.is_ok(), "{file} truncated at {cut} panicked");
            if let Ok(Err(e)) = r {
                assert!(e.to_string().contains(file), "{file} at {cut}: {e}");
            }
        }
        for k in 0..60 {
            let pos = (k * 7919 + 13) % n;
            for b in [0u8, b';', b'\n', b'"', 0xff] {
                let mut v = bytes.clone();
                v[pos] = b;
                let r = std::panic::catch_unwind(|| read_npx_bytes(&v, Path::new(file)));
                assert!(r.is_ok(), "{file} with byte {b} at {pos} panicked");
            }
        }
    }
}
