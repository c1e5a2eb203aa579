//! Excel workbooks (`.xlsx`) as NPX Manager and NPX Signature export them.
//!
//! The workbook is opened from the bytes in memory with `calamine`. The NPX sheet is the
//! first worksheet whose leading rows look like an NPX table:
//!
//! - **wide** (Target 96 "NPX Data"): rows labelled `Assay` and `OlinkID` in the first
//!   column among the first 20 non-blank rows; read by [`crate::wide`];
//! - **long**: a header row (among the first 20 non-blank rows) naming `SampleID`,
//!   `OlinkID` and `NPX`; read by the long reader's canonicalisation ([`crate::long`]).
//!
//! Cells become the text the CSV readers would see: numbers in their shortest round-trip
//! form (`12.9561425886431`, `3`), empty cells empty, booleans `TRUE`/`FALSE`, errors as
//! Excel writes them (`#N/A` is a missing value, others are reported), text trimmed as
//! the wide CSV reader trims fields. Dates are not expected in NPX sheets; a
//! date-formatted cell is read as its serial number. Errors name the sheet and the cell:
//! `npx.xlsx sheet "NPX Data" cell D12, column …: …`.

use calamine::{Data, Range, Reader, SheetType, Xlsx};
use polars::prelude::*;
use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;

use crate::error::{IoError, Origin, Result};
use crate::long::{canonicalise, check_required};
use crate::npx_long::{canonical_names, col};
use crate::wide::{looks_wide, read_wide_rows, Row};
use crate::write::fmt_f64;

/// Which NPX layout a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Target 96 wide: header rows, one row per sample.
    Wide,
    /// One row per sample × assay; the header is the `header`-th non-blank row.
    Long { header: usize },
}

/// One worksheet turned into rows of text.
struct Sheet {
    /// Non-blank rows, numbered by sheet row.
    rows: Vec<Row>,
    /// Sheet column (0-based) of each row's first cell.
    first_col: usize,
}

/// Reads the NPX sheet of an Excel workbook into the long layout.
pub fn read_xlsx(bytes: &[u8], path: &Path) -> Result<DataFrame> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        IoError::layout(
            path,
            format!("not a readable Excel workbook ({e}); the file may be truncated or corrupt: download or export it again, or save the NPX sheet as CSV"),
        )
    })?;
    let names: Vec<String> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    for name in &names {
        let range = book.worksheet_range(name).map_err(|e| IoError::Sheet {
            path: path.into(),
            sheet: name.clone(),
            at: None,
            column: None,
            message: format!(
                "cannot read the sheet ({e}); the workbook may be corrupt: export it again"
            ),
        })?;
        let sheet = sheet_rows(&range);
        let Some(layout) = layout_of(&sheet.rows) else {
            log::debug!("{}: sheet \"{name}\" is not an NPX table", path.display());
            continue;
        };
        let origin = Origin::Sheet {
            name,
            first_col: sheet.first_col,
        };
        log::info!(
            "{}: reading sheet \"{name}\" ({} layout)",
            path.display(),
            match layout {
                Layout::Wide => "Target 96 wide",
                Layout::Long { .. } => "long",
            }
        );
        return match layout {
            Layout::Wide => read_wide_rows(&sheet.rows, origin, path),
            Layout::Long { header } => read_long_rows(&sheet.rows, header, origin, path),
        };
    }
    let listed: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    Err(IoError::layout(
        path,
        format!(
            "no sheet of the workbook looks like an Olink NPX table (sheets: {}); npxkit reads the Target 96 wide layout (rows labelled Panel, Assay, Uniprot ID and OlinkID in the first column) or a long table whose header row names SampleID, OlinkID and NPX; check that the NPX sheet is in the workbook, or save it as CSV",
            if listed.is_empty() { "none".to_string() } else { listed.join(", ") }
        ),
    ))
}

/// The non-blank rows of a sheet as text, numbered by sheet row. Cells are trimmed, as
/// the CSV splitter trims fields.
fn sheet_rows(range: &Range<Data>) -> Sheet {
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| Row {
            line: row0 as usize + i + 1,
            cells: cells
                .iter()
                .map(|c| cell_text(c).trim().to_string())
                .collect(),
        })
        .filter(|r| !r.is_blank())
        .collect();
    Sheet {
        rows,
        first_col: col0 as usize,
    }
}

/// A cell as the text a CSV export would hold.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(x) => fmt_f64(*x),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(d) => fmt_f64(d.as_f64()),
    }
}

/// Which NPX layout the leading rows of a sheet show, if any.
fn layout_of(rows: &[Row]) -> Option<Layout> {
    if looks_wide(rows) {
        return Some(Layout::Wide);
    }
    rows.iter()
        .take(crate::detect::WIDE_HEADER_ROWS)
        .position(|r| {
            let canonical = canonical_names(&r.cells);
            [col::SAMPLE_ID, col::OLINK_ID, col::NPX]
                .iter()
                .all(|c| canonical.contains(&Some(*c)))
        })
        .map(|header| Layout::Long { header })
}

/// Reads a long table whose header is `rows[header]`: the rows below it become text
/// columns (null for an empty cell) and go through the long reader's canonicalisation.
/// Columns without a header cell are dropped, as R's row names are in CSV.
fn read_long_rows(
    rows: &[Row],
    header: usize,
    origin: Origin<'_>,
    path: &Path,
) -> Result<DataFrame> {
    let head = &rows[header];
    let width = head
        .cells
        .iter()
        .rposition(|c| !c.is_empty())
        .map_or(0, |j| j + 1);
    let names: Vec<String> = head.cells[..width].to_vec();
    let canonical = canonical_names(&names);
    check_required(&names, &canonical, head.line, None, origin, path)?;
    let data = &rows[header + 1..];
    if data.is_empty() {
        return Err(origin.layout(
            path,
            "the header is there but no data rows follow; the export is empty",
        ));
    }
    let lines: Vec<u32> = data.iter().map(|r| r.line as u32).collect();
    let mut seen = HashSet::new();
    let columns: Vec<Column> = names
        .iter()
        .enumerate()
        .map(|(j, name)| {
            let values: Vec<Option<&str>> = data
                .iter()
                .map(|r| r.cells.get(j).map(String::as_str).filter(|c| !c.is_empty()))
                .collect();
            Column::new(unique_name(name, j, &mut seen).into(), values)
        })
        .collect();
    let df = DataFrame::new_infer_height(columns).map_err(|e| IoError::engine(path, e))?;
    canonicalise(df, &names, &canonical, &lines, origin, path)
}

/// A column name no other column has: repeated names get `_duplicated_<k>` as polars'
/// CSV reader gives them; unnamed columns (dropped later) a placeholder.
fn unique_name(name: &str, index: usize, seen: &mut HashSet<String>) -> String {
    let mut candidate = if name.is_empty() {
        format!("__unnamed_{index}")
    } else {
        name.to_string()
    };
    let mut k = 0;
    while !seen.insert(candidate.clone()) {
        candidate = format!("{name}_duplicated_{k}");
        k += 1;
    }
    candidate
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
    fn test_cell_text() {
        assert_eq!(
            cell_text(&Data::Float(12.9561425886431)),
            "12.9561425886431"
        );
        assert_eq!(cell_text(&Data::Float(3.0)), "3");
        assert_eq!(cell_text(&Data::Float(-5.62397e-5)), "-5.62397e-5");
        assert_eq!(cell_text(&Data::Int(7)), "7");
        assert_eq!(cell_text(&Data::Empty), "");
        assert_eq!(cell_text(&Data::Bool(true)), "TRUE");
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), "#N/A");
        assert_eq!(cell_text(&Data::String("S 1".into())), "S 1");
    }

    #[test]
    fn test_layout_of() {
        let wide = [
            row(1, &["Panel", "P"]),
            row(2, &["Assay", "IL6"]),
            row(3, &["Uniprot ID", "P05231"]),
            row(4, &["OlinkID", "OID1"]),
        ];
        assert_eq!(layout_of(&wide), Some(Layout::Wide));
        let long = [row(1, &["title"]), row(3, &["Sample_ID", "OlinkID", "NPX"])];
        assert_eq!(layout_of(&long), Some(Layout::Long { header: 1 }));
        assert_eq!(layout_of(&[row(1, &["Notes", "x"])]), None);
        assert_eq!(layout_of(&[]), None);
    }

    #[test]
    fn test_unique_name() {
        let mut seen = HashSet::new();
        assert_eq!(unique_name("NPX", 0, &mut seen), "NPX");
        assert_eq!(unique_name("NPX", 1, &mut seen), "NPX_duplicated_0");
        assert_eq!(unique_name("", 2, &mut seen), "__unnamed_2");
    }
}
