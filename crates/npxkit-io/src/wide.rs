//! Target 96 wide exports (NPX Manager / NPX Signature "NPX Data" sheets saved as CSV).
//!
//! Layout, as in Olink's own example `npx_data_wide_csv.csv`:
//! ```text
//! <project>;<software>;;…                     title rows (any number, optional)
//! NPX Data;;…
//! Panel;<panel>;<panel>;…;<panel>;<panel>     one cell per column
//! Assay;<symbol>;…;Plate ID;Plate ID;QC Warning;QC Warning
//! Uniprot ID;<accession>;…
//! OlinkID;<OID>;…
//! ;;;…                                         separator row
//! <SampleID>;<NPX>;…;<plate>;<plate>;Pass;Pass one row per sample
//! ;;;…
//! LOD;<lod>;…                                  footers: LOD / Plate LOD / Max LOD,
//! Missing Data freq.;<freq or %>;…             Missing Data freq., Normalization
//! ```
//! `Plate ID` and `QC Warning` columns belong to the panel named above them, so each
//! measurement gets its own panel's plate and QC flag. Columns without an OlinkID
//! (internal controls such as `Inc Ctrl 1` with UniProt `-`, QC deviations, empty
//! columns) are kept out of the NPX table.
//!
//! The same layout arrives as an Excel sheet ([`crate::xlsx`]). Both readers turn the
//! table into [`Row`]s of text cells and share [`read_wide_rows`].

use polars::prelude::*;
use std::path::Path;

use crate::error::{IoError, Origin, Result};
use crate::npx_long::{col, normalise_header, normalise_qc};
use crate::text::{is_missing_marker, parse_number, records, split_fields};

/// One non-blank row of a table: its 1-based line (or sheet row) and its cells as text,
/// as the CSV splitter gives them (trimmed, unquoted; empty for an empty cell).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// 1-based line of a text file, or 1-based row of a sheet.
    pub line: usize,
    /// The cells, left to right.
    pub cells: Vec<String>,
}

impl Row {
    /// Does this row hold nothing but empty cells?
    pub(crate) fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }

    /// The first cell, normalised as a header (`Uniprot ID` → `uniprotid`).
    pub(crate) fn label(&self) -> String {
        self.cells
            .first()
            .map(|c| normalise_header(c))
            .unwrap_or_default()
    }
}

/// Do these leading rows look like a wide export (rows labelled `OlinkID` and `Assay`)?
pub(crate) fn looks_wide(rows: &[Row]) -> bool {
    let first = &rows[..rows.len().min(crate::detect::WIDE_HEADER_ROWS)];
    first.iter().any(|r| r.label() == "olinkid") && first.iter().any(|r| r.label() == "assay")
}

/// What a column of the wide table holds.
#[derive(Debug, Clone, PartialEq)]
enum WideColumn {
    Assay {
        olink_id: String,
        uniprot: String,
        assay: String,
        panel: String,
    },
    PlateId {
        panel: String,
    },
    QcWarning {
        panel: String,
    },
    Other,
}

/// One footer row's values, spread over the long table's rows.
struct FooterValues<'a> {
    target: &'a str,
    numbers: Vec<f64>,
    texts: Vec<Option<String>>,
}

/// Footer rows and the canonical column each fills.
const FOOTERS: &[(&str, &str)] = &[
    ("lod", col::LOD),
    ("platelod", col::LOD),
    ("maxlod", col::LOD),
    ("missingdatafreq", col::MISSING_FREQ),
    ("normalization", "Normalization"),
];

/// Reads a wide Target 96 export saved as delimited text into the long layout.
pub fn read_wide(bytes: &[u8], separator: u8, path: &Path) -> Result<DataFrame> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| IoError::layout(path, "invalid UTF-8; re-export the file as UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rows: Vec<Row> = records(text)
        .map(|r| Row {
            line: r.line,
            cells: split_fields(r.text, separator)
                .into_iter()
                .map(|c| c.into_owned())
                .collect(),
        })
        .collect();
    read_wide_rows(&rows, Origin::Text, path)
}

/// Reads the rows of a wide Target 96 table (from text or a sheet) into the long layout.
/// Blank rows are skipped; the header rows must be among the first 20 others.
pub(crate) fn read_wide_rows(rows: &[Row], origin: Origin<'_>, path: &Path) -> Result<DataFrame> {
    let rows: Vec<&Row> = rows.iter().filter(|r| !r.is_blank()).collect();
    let find = |name: &str| {
        rows.iter()
            .take(crate::detect::WIDE_HEADER_ROWS)
            .position(|r| r.label() == name)
    };
    let missing = |what: &str| {
        origin.layout(
            path,
            format!("wide export without a `{what}` header row in its first lines; is this an Olink Target 96 NPX export?"),
        )
    };
    let panel_row = find("panel").ok_or_else(|| missing("Panel"))?;
    let assay_row = find("assay").ok_or_else(|| missing("Assay"))?;
    let uniprot_row = find("uniprotid")
        .or_else(|| find("uniprot"))
        .ok_or_else(|| missing("Uniprot ID"))?;
    let oid_row = find("olinkid").ok_or_else(|| missing("OlinkID"))?;
    let (panels, assays, uniprots, oids) = (
        &rows[panel_row].cells,
        &rows[assay_row].cells,
        &rows[uniprot_row].cells,
        &rows[oid_row].cells,
    );
    let width = assays.len();
    let cell = |v: &Vec<String>, j: usize| v.get(j).cloned().unwrap_or_default();
    let columns: Vec<WideColumn> = (0..width)
        .map(|j| {
            let a = cell(assays, j);
            let oid = cell(oids, j);
            match normalise_header(&a).as_str() {
                _ if j == 0 => WideColumn::Other,
                "plateid" => WideColumn::PlateId {
                    panel: cell(panels, j),
                },
                "qcwarning" => WideColumn::QcWarning {
                    panel: cell(panels, j),
                },
                h if h.starts_with("qcdeviation") => WideColumn::Other,
                _ if is_internal_control(&oid, &cell(uniprots, j)) => WideColumn::Other,
                _ => WideColumn::Assay {
                    olink_id: oid,
                    uniprot: cell(uniprots, j),
                    assay: a,
                    panel: cell(panels, j),
                },
            }
        })
        .collect();
    let n_assays = columns
        .iter()
        .filter(|c| matches!(c, WideColumn::Assay { .. }))
        .count();
    if n_assays == 0 {
        return Err(origin.layout(path, "the OlinkID header row names no assay"));
    }

    let mut footers: Vec<(&str, &Row)> = Vec::new();
    let mut samples: Vec<&Row> = Vec::new();
    for &row in &rows[oid_row + 1..] {
        if let Some((_, target)) = FOOTERS.iter().find(|(k, _)| *k == row.label()) {
            footers.push((target, row));
            continue;
        }
        let first = &row.cells[0];
        if !footers.is_empty() {
            return Err(origin.row(
                path,
                row.line,
                format!("sample row `{first}` after the footer rows; sample rows must come before LOD / Missing Data freq."),
            ));
        }
        if row.cells.len() != width {
            return Err(IoError::FieldCount {
                path: path.into(),
                line: row.line,
                found: row.cells.len(),
                expected: width,
                hint: "sample rows must have one cell per header column; the file may be truncated or edited".into(),
            });
        }
        if first.trim().is_empty() {
            return Err(origin.cell(
                path,
                row.line,
                0,
                "SampleID",
                "empty sample ID in the first column",
            ));
        }
        samples.push(row);
    }
    if samples.is_empty() {
        return Err(origin.layout(path, "no sample rows after the OlinkID header row"));
    }
    build_long(&columns, &samples, &footers, origin, path)
}

/// Internal-control columns (`Inc Ctrl 1`, `Det Ctrl`, `Ext Ctrl`) have no OlinkID and
/// UniProt `-`; neither is an assay.
fn is_internal_control(olink_id: &str, uniprot: &str) -> bool {
    is_missing_marker(olink_id.trim()) || uniprot.trim() == "-"
}

fn build_long(
    columns: &[WideColumn],
    samples: &[&Row],
    footers: &[(&str, &Row)],
    origin: Origin<'_>,
    path: &Path,
) -> Result<DataFrame> {
    let n = samples.len() * columns.len();
    let mut sample_id = Vec::with_capacity(n);
    let mut index = Vec::with_capacity(n);
    let (mut oid, mut uniprot, mut assay, mut panel) = (vec![], vec![], vec![], vec![]);
    let (mut plate, mut qc, mut npx) = (vec![], vec![], Vec::with_capacity(n));
    let mut footer_values: Vec<FooterValues<'_>> = footers
        .iter()
        .map(|(target, _)| FooterValues {
            target,
            numbers: vec![],
            texts: vec![],
        })
        .collect();
    // Each assay column's panel-specific plate and QC columns, found once.
    let panel_column = |j: usize, want_plate: bool| {
        let WideColumn::Assay { panel: p, .. } = &columns[j] else {
            return None;
        };
        columns.iter().position(|c| match c {
            WideColumn::PlateId { panel } if want_plate => panel == p,
            WideColumn::QcWarning { panel } if !want_plate => panel == p,
            _ => false,
        })
    };
    let plate_col: Vec<Option<usize>> = (0..columns.len()).map(|j| panel_column(j, true)).collect();
    let qc_col: Vec<Option<usize>> = (0..columns.len()).map(|j| panel_column(j, false)).collect();
    for (s, row) in samples.iter().enumerate() {
        let fields = &row.cells;
        for (j, c) in columns.iter().enumerate() {
            let WideColumn::Assay {
                olink_id,
                uniprot: u,
                assay: a,
                panel: p,
            } = c
            else {
                continue;
            };
            let value = parse_number(&fields[j]).map_err(|_| {
                let column = match origin {
                    Origin::Text => format!("column {} ({a}, {olink_id})", j + 1),
                    Origin::Sheet { .. } => format!("{a} ({olink_id})"),
                };
                origin.cell(
                    path,
                    row.line,
                    j,
                    column,
                    format!(
                        "`{}` is not a number; write NPX like 3.14 and NA for missing",
                        fields[j]
                    ),
                )
            })?;
            sample_id.push(fields[0].clone());
            index.push(s as u32 + 1);
            oid.push(olink_id.clone());
            uniprot.push(u.clone());
            assay.push(a.clone());
            panel.push(p.clone());
            plate.push(
                plate_col[j]
                    .map(|k| fields[k].clone())
                    .filter(|v| !v.is_empty()),
            );
            qc.push(qc_col[j].and_then(|k| normalise_qc(&fields[k])));
            npx.push(value);
            for (k, (target, footer)) in footers.iter().enumerate() {
                let raw = footer.cells.get(j).map(|s| s.as_str()).unwrap_or("");
                if *target == "Normalization" {
                    footer_values[k]
                        .texts
                        .push(Some(raw.to_string()).filter(|s| !s.is_empty()));
                } else {
                    let v = parse_number(raw).map_err(|_| {
                        origin.cell(
                            path,
                            footer.line,
                            j,
                            format!("{a} ({olink_id})"),
                            format!("`{raw}` in the {target} footer is not a number"),
                        )
                    })?;
                    footer_values[k].numbers.push(v);
                }
            }
        }
    }
    let mut cols: Vec<Column> = vec![
        Column::new(col::SAMPLE_ID.into(), sample_id),
        Column::new("Index".into(), index),
        Column::new(col::OLINK_ID.into(), oid),
        Column::new(col::UNIPROT.into(), uniprot),
        Column::new(col::ASSAY.into(), assay),
        Column::new(col::PANEL.into(), panel),
        Column::new(col::PLATE_ID.into(), plate),
        Column::new(col::SAMPLE_QC.into(), qc),
        Column::new(col::NPX.into(), npx),
    ];
    for FooterValues {
        target,
        numbers,
        texts,
    } in footer_values
    {
        if cols.iter().any(|c| c.name().as_str() == target) {
            continue; // first LOD-like footer wins (LOD before Max LOD)
        }
        if target == "Normalization" {
            cols.push(Column::new(target.into(), texts));
        } else {
            cols.push(Column::new(target.into(), numbers));
        }
    }
    DataFrame::new_infer_height(cols).map_err(|e| IoError::engine(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: usize, cells: &[&str]) -> Row {
        Row {
            line,
            cells: cells.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn test_is_internal_control() {
        assert!(is_internal_control("", "-"));
        assert!(is_internal_control("-", "-"));
        assert!(is_internal_control(" ", ""));
        assert!(is_internal_control("OID1", "-"));
        assert!(!is_internal_control("OID00482", "P05231"));
    }

    #[test]
    fn test_looks_wide() {
        let rows = [
            row(1, &["Panel", "P"]),
            row(2, &["Assay", "A"]),
            row(4, &["OlinkID", "O"]),
        ];
        assert!(looks_wide(&rows));
        assert!(!looks_wide(&rows[..2]));
        assert!(!looks_wide(&[]));
        assert!(row(3, &["", " "]).is_blank());
        assert_eq!(row(5, &["Uniprot ID"]).label(), "uniprotid");
    }

    #[test]
    fn test_read_wide_rows_sample_after_footer() {
        let rows = [
            row(1, &["Panel", "P"]),
            row(2, &["Assay", "A"]),
            row(3, &["Uniprot ID", "U"]),
            row(4, &["OlinkID", "O"]),
            row(5, &["S1", "1"]),
            row(6, &["LOD", "0.5"]),
            row(7, &["S2", "1"]),
        ];
        let sheet = Origin::Sheet {
            name: "NPX",
            first_col: 0,
        };
        let e = read_wide_rows(&rows, sheet, Path::new("x.xlsx")).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x.xlsx sheet \"NPX\" row 7: sample row `S2` after the footer rows"),
            "{e}"
        );
        let e = read_wide_rows(&rows, Origin::Text, Path::new("x.csv")).unwrap_err();
        assert!(
            e.to_string().starts_with("x.csv: line 7: sample row `S2`"),
            "{e}"
        );
    }
}
