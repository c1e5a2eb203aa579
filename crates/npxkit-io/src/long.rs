//! Long delimited NPX exports (NPX Signature, NPX Manager, Explore 3072 CSV), one row
//! per sample × assay.
//!
//! Parsing is two passes over the bytes held in memory: a quote-aware scan that checks
//! every record has the header's field count (so a truncated file or a wrong separator
//! is reported with its line), then polars' parallel CSV parser reading every column as
//! text. Numbers are converted here rather than by polars so that a bad value is
//! reported with its line and column, and so that decimal commas and Excel notation
//! are accepted whatever the separator.
//!
//! [`canonicalise`] and [`check_required`] work on text columns with the line (or sheet
//! row) of every value, so the Excel reader ([`crate::xlsx`]) shares them.

use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

use crate::detect::{separator_name, truncate};
use crate::error::{IoError, Origin, Result};
use crate::npx_long::{canonical_names, col, normalise_qc};
use crate::text::{count_fields, parse_number, records, split_fields, NumberError};

/// Reads a long NPX table from text already in memory.
pub fn read_long(bytes: &[u8], separator: u8, path: &Path) -> Result<DataFrame> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        IoError::layout(
            path,
            format!(
                "line {}: invalid UTF-8 text; re-export the file as UTF-8",
                line_of_offset(bytes, e.valid_up_to())
            ),
        )
    })?;
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut recs = records(body);
    let header = recs
        .next()
        .ok_or_else(|| IoError::Empty { path: path.into() })?;
    let names: Vec<String> = split_fields(header.text, separator)
        .into_iter()
        .map(|c| c.into_owned())
        .collect();
    let canonical = canonical_names(&names);
    check_required(
        &names,
        &canonical,
        header.line,
        Some(separator),
        Origin::Text,
        path,
    )?;

    // Pass 1: field counts and the starting line of every record.
    let mut lines: Vec<u32> = Vec::new();
    for rec in recs {
        let n = count_fields(rec.text, separator);
        if n != names.len() {
            return Err(field_count_error(
                body,
                rec.line,
                rec.text,
                n,
                names.len(),
                separator,
                path,
            ));
        }
        lines.push(rec.line as u32);
    }
    if lines.is_empty() {
        return Err(IoError::layout(
            path,
            "the header is there but no data rows follow; the export is empty",
        ));
    }

    // Pass 2: polars, every column as text.
    let start = bytes.len() - body.len();
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .with_parse_options(
            CsvParseOptions::default()
                .with_separator(separator)
                .with_quote_char(Some(b'"'))
                .with_missing_is_null(true),
        )
        .into_reader_with_file_handle(Cursor::new(&bytes[start..]))
        .finish()
        .map_err(|e| IoError::engine(path, e))?;
    if df.height() != lines.len() {
        return Err(IoError::layout(
            path,
            format!(
                "read {} rows where {} records were counted; check quoting in the file",
                df.height(),
                lines.len()
            ),
        ));
    }
    canonicalise(df, &names, &canonical, &lines, Origin::Text, path)
}

/// Checks that the header names every required column; `separator` is the one the
/// header was split on (`None` for a sheet, whose cells need no splitting).
pub(crate) fn check_required(
    names: &[String],
    canonical: &[Option<&'static str>],
    line: usize,
    separator: Option<u8>,
    origin: Origin<'_>,
    path: &Path,
) -> Result<()> {
    for required in col::REQUIRED {
        if canonical.contains(&Some(required)) {
            continue;
        }
        let hint = if let Some(separator) = separator.filter(|_| names.len() < 3) {
            format!(
                "the header split into {} field(s) on {}; is the separator right?",
                names.len(),
                separator_name(separator)
            )
        } else if required == col::NPX
            && names
                .iter()
                .any(|n| n.eq_ignore_ascii_case("Quantified_value"))
        {
            "this looks like a Target 48 quantification export; npxkit needs NPX values".into()
        } else {
            format!(
                "npxkit needs {}; rename the column if your export spells it differently",
                col::REQUIRED.join(", ")
            )
        };
        let found = truncate(&names.join(", "), 200);
        return Err(match origin {
            Origin::Text => IoError::MissingColumn {
                path: path.into(),
                line,
                column: required.into(),
                found,
                hint,
            },
            Origin::Sheet { .. } => origin.row(
                path,
                line,
                format!("no column `{required}` in the header row (found: {found}); {hint}"),
            ),
        });
    }
    Ok(())
}

fn field_count_error(
    body: &str,
    line: usize,
    record: &str,
    found: usize,
    expected: usize,
    separator: u8,
    path: &Path,
) -> IoError {
    let at_end = body.trim_end_matches(['\n', '\r']).ends_with(record);
    let separator_hint = format!(
        "check the separator ({} detected from the header) and the quoting on that line",
        separator_name(separator)
    );
    let hint = if found == 1 || found > expected || !at_end {
        separator_hint
    } else if !body.ends_with('\n') {
        "the last row stops early: the file looks truncated; export or download it again"
            .to_string()
    } else {
        format!("the last row is short: the file may be truncated (export or download it again), or {separator_hint}")
    };
    IoError::FieldCount {
        path: path.into(),
        line,
        found,
        expected,
        hint,
    }
}

/// Renames recognised columns, converts numbers and QC flags, drops R row names.
///
/// `df` holds the table as text columns (null for an empty cell) named `names`;
/// `canonical` is [`canonical_names`] of them and `lines[i]` the 1-based line (or sheet
/// row) of data row `i`, which errors name through `origin`.
pub(crate) fn canonicalise(
    df: DataFrame,
    names: &[String],
    canonical: &[Option<&'static str>],
    lines: &[u32],
    origin: Origin<'_>,
    path: &Path,
) -> Result<DataFrame> {
    let mut out: Vec<Column> = Vec::with_capacity(names.len());
    for (i, column) in df.columns().iter().enumerate() {
        let original = &names[i];
        let strings = column.str().map_err(|e| IoError::engine(path, e))?;
        match canonical[i] {
            Some(c) if col::NUMERIC.contains(&c) => {
                let at = (i, original.as_str(), lines);
                out.push(numbers(strings, c, at, origin, path)?.into_column());
            }
            Some(c) if c == col::SAMPLE_QC || c == col::ASSAY_QC => {
                let ca: StringChunked = strings.iter().map(|v| v.and_then(normalise_qc)).collect();
                out.push(ca.with_name(c.into()).into_column());
            }
            Some(c) => {
                if c == col::SAMPLE_ID || c == col::OLINK_ID {
                    if let Some(row) = strings
                        .iter()
                        .position(|v| v.is_none_or(|s| s.trim().is_empty()))
                    {
                        return Err(origin.cell(
                            path,
                            lines[row] as usize,
                            i,
                            original.as_str(),
                            format!("empty {c}; every row needs one"),
                        ));
                    }
                }
                out.push(column.clone().with_name(c.into()));
            }
            None if original.is_empty() => {} // R's write.csv row names
            None => out.push(column.clone()),
        }
    }
    DataFrame::new_infer_height(out).map_err(|e| IoError::engine(path, e))
}

/// Converts a text column to `Float64`, naming the line of the first bad value. `at` is
/// the column's 0-based position and name in the file and the line of each value.
fn numbers(
    strings: &StringChunked,
    name: &str,
    at: (usize, &str, &[u32]),
    origin: Origin<'_>,
    path: &Path,
) -> Result<Float64Chunked> {
    let (index, original, lines) = at;
    let mut values = Vec::with_capacity(strings.len());
    for (row, v) in strings.iter().enumerate() {
        let parsed = match v {
            None => Ok(f64::NAN),
            Some(s) => parse_number(s),
        };
        match parsed {
            Ok(x) => values.push(x),
            Err(kind) => {
                let what = match kind {
                    NumberError::NotANumber => "not a number",
                    NumberError::NotFinite => "not a finite number",
                };
                return Err(origin.cell(
                    path,
                    lines.get(row).map_or(row + 2, |&l| l as usize),
                    index,
                    original,
                    format!(
                        "`{}` is {what}; write numbers like 3.14 or 3,14, and NA for missing",
                        truncate(v.unwrap_or(""), 40)
                    ),
                ));
            }
        }
    }
    Ok(Float64Chunked::from_vec(name.into(), values))
}

fn line_of_offset(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}
