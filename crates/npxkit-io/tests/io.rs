//! Reader tests: official Olink example deliveries (skipped with a printed reason when
//! `../shared` is absent), synthetic variants of each layout, and bad input.

use npxkit_io::{col, read_npx, read_npx_bytes, Format, IoError, NpxLong};
use rust_xlsxwriter::{Workbook, Worksheet};
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
fn official_xlsx_loads() {
    let Some(dir) = examples() else { return };
    let t = read_npx(&dir.join("cran-OlinkAnalyze/npx_data1.xlsx")).unwrap();
    assert_eq!(t.source().format, Format::Xlsx);
    assert_eq!(t.height(), 160 * 184);
    // The same data as the wide CSV, which prints numbers rounded to 10 significant
    // digits and at most 9 decimals (12.95614259, -0.687671799): half a unit in the last
    // printed place is at most 5e-9 · max(1, |x|).
    let csv = read_npx(&dir.join("npx_data_wide_csv.csv")).unwrap();
    assert_eq!(t.height(), csv.height());
    for c in [
        col::SAMPLE_ID,
        col::OLINK_ID,
        col::ASSAY,
        col::UNIPROT,
        col::PANEL,
        col::PLATE_ID,
        col::SAMPLE_QC,
    ] {
        assert_eq!(t.str_values(c), csv.str_values(c), "{c}");
    }
    for c in [col::NPX, col::LOD, col::MISSING_FREQ] {
        let (x, y) = (t.f64_values(c).unwrap(), csv.f64_values(c).unwrap());
        for (i, (a, b)) in x.iter().zip(&y).enumerate() {
            let close = (a.is_nan() && b.is_nan()) || (a - b).abs() <= 5e-9 * b.abs().max(1.0);
            assert!(close, "{c} row {i}: xlsx {a}, csv {b}");
        }
    }
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

// ---- Excel workbooks written here with rust_xlsxwriter (no committed binaries) ----

/// Writes one sheet row: numbers as numbers, `""` as no cell, anything else as text.
fn write_row(ws: &mut Worksheet, row: u32, cells: &[&str]) {
    for (j, c) in cells.iter().enumerate() {
        let j = j as u16;
        if c.is_empty() {
            continue;
        }
        match c.parse::<f64>() {
            Ok(x) => ws.write_number(row, j, x).map(|_| ()),
            Err(_) => ws.write_string(row, j, *c).map(|_| ()),
        }
        .unwrap();
    }
}

/// A workbook with a summary sheet, then `name` holding `rows` (row 0 = sheet row 1).
fn workbook(name: &str, rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let summary = wb.add_worksheet();
    summary.set_name("Summary").unwrap();
    write_row(summary, 0, &["Olink project summary", "see the NPX sheet"]);
    let ws = wb.add_worksheet();
    ws.set_name(name).unwrap();
    for (i, r) in rows.iter().enumerate() {
        write_row(ws, i as u32, r);
    }
    wb.save_to_buffer().unwrap()
}

/// A Target 96 wide sheet as NPX Manager writes it: two panels side by side, IL6 on
/// both, internal-control columns (UniProt `-`, no OlinkID), an empty column, QC
/// deviation columns, blank rows, sample IDs with spaces and non-ASCII characters.
fn wide_sheet() -> Vec<Vec<&'static str>> {
    let p1 = "Olink INFLAMMATION";
    let p2 = "Olink ONCOLOGY II";
    let dev = "QC Deviation from median";
    vec![
        vec!["My project", "NPX Manager 2.1"],
        vec!["NPX Data"],
        vec![],
        vec!["Panel", p1, p1, p1, "", p2, p2, p1, p2, p1, p2, p1, p2],
        vec![
            "Assay",
            "IL6",
            "Inc Ctrl 1",
            "CXCL9",
            "",
            "IL6",
            "Det Ctrl",
            "Plate ID",
            "Plate ID",
            "QC Warning",
            "QC Warning",
            dev,
            dev,
        ],
        vec!["Uniprot ID", "P05231", "-", "Q07325", "", "P05231", "-"],
        vec![
            "OlinkID",
            "OID00482",
            "",
            "OID00497",
            "",
            "OID05001",
            "",
            "",
            "",
            "",
            "",
            "QC Deviation Inc Ctrl",
            "QC Deviation Det Ctrl",
        ],
        vec![],
        vec![
            "S 1", "3.25", "10.5", "NA", "", "4.5", "11", "Plate1", "Plate2", "Pass", "Warning",
            "0.1", "-0.2",
        ],
        vec![
            "Échantillon-2 ü",
            "2.9",
            "10.1",
            "8.44",
            "",
            "4.75",
            "11.2",
            "Plate1",
            "Plate2",
            "Pass",
            "Pass",
            "0",
            "0",
        ],
        vec![],
        vec![
            "CONTROL_SAMPLE_AS 1",
            "4.01",
            "10.2",
            "7.9",
            "",
            "5",
            "11",
            "Plate1",
            "Plate2",
            "Pass",
            "Pass",
            "0",
            "0",
        ],
        vec![],
        vec!["LOD", "1.02", "", "2.5", "", "0.75"],
        vec!["Missing Data freq.", "0", "", "0.3333", "", "0"],
        vec![
            "Normalization",
            "Intensity",
            "",
            "Intensity",
            "",
            "Plate control",
        ],
    ]
}

fn read_xlsx_bytes(bytes: &[u8]) -> Result<NpxLong, IoError> {
    read_npx_bytes(bytes, Path::new("npx.xlsx"))
}

#[test]
fn wide_xlsx_with_panels_controls_and_blank_rows() {
    let t = read_xlsx_bytes(&workbook("NPX Data", &wide_sheet())).unwrap();
    assert_eq!(t.source().format, Format::Xlsx);
    assert_eq!(t.height(), 3 * 3, "3 samples × 3 assays");
    let ids = t.str_values(col::SAMPLE_ID).unwrap();
    assert_eq!(ids[0], Some("S 1"));
    assert_eq!(ids[3], Some("Échantillon-2 ü"));
    assert_eq!(ids[6], Some("CONTROL_SAMPLE_AS 1"));
    let oids = t.str_values(col::OLINK_ID).unwrap();
    assert_eq!(
        &oids[..3],
        [Some("OID00482"), Some("OID00497"), Some("OID05001")]
    );
    assert_eq!(str_at(&t, col::ASSAY, 2), Some("IL6"));
    assert_eq!(str_at(&t, col::PANEL, 2), Some("Olink ONCOLOGY II"));
    // Each panel's own plate and QC columns.
    assert_eq!(str_at(&t, col::PLATE_ID, 0), Some("Plate1"));
    assert_eq!(str_at(&t, col::PLATE_ID, 2), Some("Plate2"));
    assert_eq!(str_at(&t, col::SAMPLE_QC, 0), Some("PASS"));
    assert_eq!(str_at(&t, col::SAMPLE_QC, 2), Some("WARN"));
    let npx = npx_values(&t);
    assert_eq!(npx[0], 3.25);
    assert!(npx[1].is_nan(), "text NA is missing");
    assert_eq!(&npx[3..6], [2.9, 8.44, 4.75]);
    assert_eq!(t.f64_values(col::LOD).unwrap()[..3], [1.02, 2.5, 0.75]);
    assert_eq!(t.f64_values(col::MISSING_FREQ).unwrap()[1], 0.3333);
    assert_eq!(str_at(&t, "Normalization", 2), Some("Plate control"));
}

#[test]
fn wide_xlsx_bad_cell_names_sheet_and_cell() {
    let mut rows = wide_sheet();
    rows[9][3] = "high"; // sheet row 10, column D
    let e = read_xlsx_bytes(&workbook("NPX Data", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("npx.xlsx sheet \"NPX Data\" cell D10, column `CXCL9 (OID00497)`: `high` is not a number"),
        "{e}"
    );
    let mut rows = wide_sheet();
    rows[9][0] = "";
    let e = read_xlsx_bytes(&workbook("NPX Data", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sheet \"NPX Data\" cell A10") && e.contains("empty sample ID"),
        "{e}"
    );
}

fn long_sheet() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "SampleID",
            "Index",
            "OlinkID",
            "UniProt",
            "Assay",
            "MissingFreq",
            "Panel",
            "PlateID",
            "QC_Warning",
            "LOD",
            "NPX",
        ],
        vec![
            "S1",
            "1",
            "OID00482",
            "P05231",
            "IL6",
            "0",
            "Olink INFLAMMATION",
            "Plate1",
            "Pass",
            "1.02",
            "3.25",
        ],
        vec![],
        vec![
            "S 2 ü",
            "2",
            "OID00482",
            "P05231",
            "IL6",
            "0",
            "Olink INFLAMMATION",
            "Plate1",
            "Warning",
            "1.02",
            "",
        ],
        vec![
            "S3",
            "3",
            "OID00482",
            "P05231",
            "IL6",
            "0",
            "Olink INFLAMMATION",
            "Plate1",
            "Pass",
            "1.02",
            "4,5",
        ],
    ]
}

#[test]
fn long_xlsx_loads_like_long_csv() {
    let t = read_xlsx_bytes(&workbook("NPX long", &long_sheet())).unwrap();
    assert_eq!(t.source().format, Format::Xlsx);
    assert_eq!(t.height(), 3);
    assert_eq!(t.str_values(col::SAMPLE_ID).unwrap()[1], Some("S 2 ü"));
    assert_eq!(str_at(&t, col::SAMPLE_QC, 1), Some("WARN"));
    let npx = npx_values(&t);
    assert_eq!(npx[0], 3.25);
    assert!(npx[1].is_nan(), "an empty cell is missing");
    assert_eq!(npx[2], 4.5, "text with a decimal comma");
    assert_eq!(t.f64_values(col::LOD).unwrap(), [1.02; 3]);
    // Unrecognised columns keep their names and text, numbers as a CSV would show them.
    assert_eq!(str_at(&t, "Index", 2), Some("3"));
}

#[test]
fn long_xlsx_errors_name_sheet_and_cell() {
    let mut rows = long_sheet();
    rows[3][0] = "";
    let e = read_xlsx_bytes(&workbook("NPX long", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sheet \"NPX long\" cell A4, column `SampleID`: empty SampleID"),
        "{e}"
    );
    let mut rows = long_sheet();
    rows[4][10] = "high";
    let e = read_xlsx_bytes(&workbook("NPX long", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sheet \"NPX long\" cell K5, column `NPX`: `high` is not a number"),
        "{e}"
    );
    let mut rows = long_sheet();
    rows[0][4] = "Gene";
    let e = read_xlsx_bytes(&workbook("NPX long", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sheet \"NPX long\" row 1: no column `Assay`"),
        "{e}"
    );
}

#[test]
fn xlsx_without_npx_sheet_is_a_clear_error() {
    let rows = vec![vec!["Plot data", "1", "2"], vec!["x", "3", "4"]];
    let e = read_xlsx_bytes(&workbook("Plots", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no sheet of the workbook looks like an Olink NPX table")
            && e.contains("(sheets: \"Summary\", \"Plots\")"),
        "{e}"
    );
}

/// Truncations and byte corruptions of the official workbook give a clear error naming
/// the file, never a panic.
#[test]
fn truncated_and_corrupted_official_xlsx_never_panics() {
    let Some(dir) = examples() else { return };
    let file = "cran-OlinkAnalyze/npx_data1.xlsx";
    let bytes = std::fs::read(dir.join(file)).unwrap();
    let n = bytes.len();
    let mut cuts: Vec<usize> = (0..n).step_by(n / 40).collect();
    cuts.extend([4, 100, n - 22, n - 1]);
    for cut in cuts {
        let r = std::panic::catch_unwind(|| read_npx_bytes(&bytes[..cut], Path::new(file)));
        assert!(r.is_ok(), "truncated at {cut} panicked");
        if let Ok(Err(e)) = r {
            assert!(e.to_string().contains(file), "at {cut}: {e}");
        }
    }
    for k in 0..40 {
        let pos = (k * 7919 * 13 + 101) % n;
        let mut v = bytes.clone();
        v[pos] ^= 0x5a;
        let r = std::panic::catch_unwind(|| read_npx_bytes(&v, Path::new(file)));
        assert!(r.is_ok(), "byte flip at {pos} panicked");
        if let Ok(Err(e)) = r {
            assert!(e.to_string().contains(file), "flip at {pos}: {e}");
        }
    }
}

/// The CSV path shares the wide core: internal-control columns written with an OlinkID
/// of `-` and QC-deviation columns are not assays.
#[test]
fn wide_csv_skips_internal_controls_and_qc_deviations() {
    let text = "Panel;P;P;P;P;P\n\
Assay;IL6;Inc Ctrl 1;Plate ID;QC Warning;QC Deviation from median\n\
Uniprot ID;P05231;-;;;\n\
OlinkID;OID1;-;;;QC Deviation Inc Ctrl\n\
;;;;;\n\
S 1;1.5;9;Plate1;Pass;0.1\n\
LOD;0.5;;;;\n";
    let t = read_npx_bytes(text.as_bytes(), Path::new("w.csv")).unwrap();
    assert_eq!(t.source().format, Format::WideCsv { separator: b';' });
    assert_eq!(t.height(), 1);
    assert_eq!(str_at(&t, col::OLINK_ID, 0), Some("OID1"));
    assert_eq!(str_at(&t, col::SAMPLE_ID, 0), Some("S 1"));
}

/// A long table that starts below a title and right of an empty column A: the header is
/// found, and cells are named by their place in the sheet.
#[test]
fn long_xlsx_offset_table_names_true_cells() {
    let mut rows: Vec<Vec<&str>> = vec![vec!["", "NPX export, long format"], vec![]];
    for r in long_sheet() {
        let mut shifted = vec![""];
        shifted.extend(r);
        rows.push(shifted);
    }
    let t = read_xlsx_bytes(&workbook("Data", &rows)).unwrap();
    assert_eq!(t.height(), 3);
    rows[6][11] = "n/d"; // sheet row 7, column L
    let e = read_xlsx_bytes(&workbook("Data", &rows))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("sheet \"Data\" cell L7, column `NPX`: `n/d` is not a number"),
        "{e}"
    );
}

/// Explore HT parquet keeps the columns `--lod negative-controls` needs (olink_lod reads
/// PCNormalizedNPX, ExtNPX and the reagent lot), and drops columns npxkit never reads.
#[test]
fn parquet_keeps_the_columns_lod_needs() {
    use npxkit_io::{LongColumn, LongTable};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ht.parquet");
    let text = |v: &[&str]| LongColumn::Text(v.iter().map(|s| Some(s.to_string())).collect());
    let mut t = LongTable::new();
    t.push("SampleID", text(&["S1", "NC1"]));
    t.push("SampleType", text(&["SAMPLE", "NEGATIVE_CONTROL"]));
    t.push("OlinkID", text(&["OID40001", "OID40001"]));
    t.push("Assay", text(&["CD274", "CD274"]));
    t.push("NPX", LongColumn::Number(vec![3.5, 0.2]));
    t.push("PCNormalizedNPX", LongColumn::Number(vec![3.4, 0.1]));
    t.push("ExtNPX", LongColumn::Number(vec![9.0, 8.0]));
    t.push("DataAnalysisRefID", text(&["D10001", "D10001"]));
    t.push("Unused", text(&["x", "y"]));
    t.write_parquet_file(&path).unwrap();
    let long = read_npx(&path).unwrap();
    let extras = long.extra_columns();
    for c in ["PCNormalizedNPX", "ExtNPX", "DataAnalysisRefID"] {
        assert!(extras.iter().any(|e| e == c), "{c} missing from {extras:?}");
    }
    assert!(!extras.iter().any(|e| e == "Unused"), "{extras:?}");
}
