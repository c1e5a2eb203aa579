//! Explore HT / Explore 3072 parquet deliveries. Only the columns npxkit uses are
//! read (parquet is columnar, so a 50,000-sample delivery costs what NPX costs).

use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

use crate::error::{IoError, Result};
use crate::npx_long::{canonical_names, col, normalise_qc};
use crate::text::parse_number;

/// Extra (non-canonical) parquet columns worth keeping: those QC, normalisation and
/// `--lod negative-controls` (olink_lod: PCNormalizedNPX, ExtNPX, reagent lot) read.
const KEPT_EXTRAS: &[&str] = &[
    "Normalization",
    "Block",
    "WellID",
    "AssayType",
    "Count",
    "PCNormalizedNPX",
    "ExtNPX",
    "DataAnalysisRefID",
];

/// Reads the NPX table of a parquet delivery from bytes in memory.
pub fn read_parquet(bytes: &[u8], path: &Path) -> Result<DataFrame> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = reader
        .schema()
        .map_err(|e| IoError::engine(path, format!("not a readable parquet file: {e}")))?;
    let names: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    let canonical = canonical_names(&names);
    for required in col::REQUIRED {
        if !canonical.contains(&Some(required)) {
            return Err(IoError::MissingColumn {
                path: path.into(),
                line: 0,
                column: required.into(),
                found: names.join(", "),
                hint: "Explore parquet deliveries have SampleID, OlinkID, Assay and NPX; is this an NPX file (not a counts or LOD file)?".into(),
            });
        }
    }
    let wanted: Vec<usize> = (0..names.len())
        .filter(|&i| canonical[i].is_some() || KEPT_EXTRAS.contains(&names[i].as_str()))
        .collect();
    let df = reader
        .with_columns(Some(wanted.iter().map(|&i| names[i].clone()).collect()))
        .finish()
        .map_err(|e| IoError::engine(path, e))?;
    let mut out = Vec::with_capacity(df.width());
    for column in df.columns() {
        let i = names
            .iter()
            .position(|n| n == column.name().as_str())
            .unwrap_or(0);
        out.push(match canonical[i] {
            Some(c) if col::NUMERIC.contains(&c) => float_column(column, c, path)?,
            Some(c) if c == col::SAMPLE_QC || c == col::ASSAY_QC => {
                let s = text_column(column, path)?;
                let ca: StringChunked = s
                    .str()
                    .map_err(|e| IoError::engine(path, e))?
                    .iter()
                    .map(|v| v.and_then(normalise_qc))
                    .collect();
                ca.with_name(c.into()).into_column()
            }
            Some(c) => text_column(column, path)?.with_name(c.into()),
            None => column.clone(),
        });
    }
    DataFrame::new_infer_height(out).map_err(|e| IoError::engine(path, e))
}

fn text_column(column: &Column, path: &Path) -> Result<Column> {
    column
        .cast(&DataType::String)
        .map_err(|e| IoError::engine(path, format!("column `{}`: {e}", column.name())))
}

/// Casts a numeric column to `Float64` with NaN for null; text columns are parsed so
/// that a bad value is reported with its row.
fn float_column(column: &Column, name: &str, path: &Path) -> Result<Column> {
    let values: Vec<f64> = if column.dtype().is_primitive_numeric() {
        let cast = column
            .cast(&DataType::Float64)
            .map_err(|e| IoError::engine(path, e))?;
        let ca = cast.f64().map_err(|e| IoError::engine(path, e))?;
        ca.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
    } else {
        let s = text_column(column, path)?;
        let ca = s.str().map_err(|e| IoError::engine(path, e))?;
        let mut out = Vec::with_capacity(ca.len());
        for (row, v) in ca.iter().enumerate() {
            out.push(
                parse_number(v.unwrap_or("")).map_err(|_| IoError::InvalidValue {
                    path: path.into(),
                    line: row + 1,
                    column: column.name().to_string(),
                    message: format!("row {}: `{}` is not a number", row + 1, v.unwrap_or("")),
                })?,
            );
        }
        out
    };
    Ok(Column::new(name.into(), values))
}
