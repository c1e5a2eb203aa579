//! Wide sample × assay matrices, as population studies deliver NPX: one row per sample,
//! a first column `SampleID` and one column per assay named by its OlinkID (`OID` and
//! five digits), in parquet or delimited text, with the assay information (OlinkID,
//! UniProt, Assay, Panel) in a separate table ([`read_assay_table`]).
//!
//! The reader goes straight to the values, assays × samples (`f64`, NaN for missing),
//! without a long table: parquet is read a batch of columns at a time, so memory stays
//! near the size of the matrix itself (3,000 × 50,000 values are 1.2 GB).

use polars::prelude::*;
use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::detect::{separator_name, truncate};
use crate::error::{IoError, Result};
use crate::npx_long::normalise_header;
use crate::text::{guess_separator, parse_number, records, split_fields, NumberError};
use crate::write::write_atomic;

/// How a wide matrix file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WideMatrixFormat {
    /// Parquet, one column per assay.
    Parquet,
    /// Delimited text (`,`, `;` or tab).
    Delimited {
        /// Field separator.
        separator: u8,
    },
}

impl WideMatrixFormat {
    /// A short human name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            WideMatrixFormat::Parquet => "wide matrix (parquet)",
            WideMatrixFormat::Delimited { .. } => "wide matrix (delimited text)",
        }
    }
}

/// What is known about one assay of a wide matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssayMeta {
    /// Olink assay identifier (the column name).
    pub olink_id: String,
    /// UniProt accession(s).
    pub uniprot: Option<String>,
    /// Gene symbol(s).
    pub assay: Option<String>,
    /// Panel.
    pub panel: Option<String>,
}

/// A wide matrix read into memory: `values[assay * n_samples + sample]`, NaN missing.
#[derive(Debug, Clone)]
pub struct WideMatrix {
    /// The file it came from.
    pub path: PathBuf,
    /// How it was stored.
    pub format: WideMatrixFormat,
    /// SampleIDs in file order (unique).
    pub sample_ids: Vec<String>,
    /// Assays in column order.
    pub assays: Vec<AssayMeta>,
    /// Values, assays × samples, row-major.
    pub values: Vec<f64>,
}

impl WideMatrix {
    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.sample_ids.len()
    }

    /// Attaches UniProt, Assay and Panel from an assay table (see
    /// [`read_assay_table`]); assays it does not list keep their OlinkID as symbol.
    /// Returns the OlinkIDs the table lacks.
    pub fn attach_assays(&mut self, table: &[AssayMeta]) -> Vec<String> {
        let by_id: HashMap<&str, &AssayMeta> =
            table.iter().map(|m| (m.olink_id.as_str(), m)).collect();
        let mut missing = Vec::new();
        for a in &mut self.assays {
            match by_id.get(a.olink_id.as_str()) {
                Some(m) => {
                    a.uniprot = m.uniprot.clone();
                    a.assay = m.assay.clone().or_else(|| Some(a.olink_id.clone()));
                    a.panel = m.panel.clone();
                }
                None => missing.push(a.olink_id.clone()),
            }
        }
        missing
    }
}

/// Is `name` an OlinkID: `OID` followed by five digits?
pub fn is_olink_id(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 8 && b.starts_with(b"OID") && b[3..].iter().all(u8::is_ascii_digit)
}

/// Does this header describe a wide matrix? The first column is SampleID, no column is
/// a long-format one (OlinkID, NPX), and at least one is an OlinkID.
fn is_wide_header(names: &[String]) -> bool {
    let Some(first) = names.first() else {
        return false;
    };
    normalise_header(first) == "sampleid"
        && !names[1..].iter().any(|n| {
            let h = normalise_header(n);
            h == "olinkid" || h == "npx"
        })
        && names[1..].iter().any(|n| is_olink_id(n.trim()))
}

/// Detects a wide matrix from the file's content; `None` when it is not one.
pub fn detect_wide_matrix(bytes: &[u8]) -> Option<WideMatrixFormat> {
    if bytes.starts_with(b"PAR1") {
        // The engine panics on some corrupt footers: not a wide matrix then (the long
        // reader reports the corruption).
        let names = std::panic::catch_unwind(|| parquet_names(bytes))
            .ok()?
            .ok()?;
        return is_wide_header(&names).then_some(WideMatrixFormat::Parquet);
    }
    if bytes.starts_with(b"PK") || bytes[..bytes.len().min(8192)].contains(&0) {
        return None;
    }
    let head = &bytes[..bytes.len().min(1 << 20)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The header must be complete within the sniffed bytes.
    let header = records(text).next()?;
    if header.text.len() + 1 >= text.len() && head.len() < bytes.len() {
        return None;
    }
    let separator = guess_separator(header.text)?;
    let names: Vec<String> = split_fields(header.text, separator)
        .into_iter()
        .map(|c| c.into_owned())
        .collect();
    is_wide_header(&names).then_some(WideMatrixFormat::Delimited { separator })
}

fn parquet_names(bytes: &[u8]) -> PolarsResult<Vec<String>> {
    let mut reader = ParquetReader::new(Cursor::new(bytes));
    let schema = reader.schema()?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Checks the assay columns: all OlinkIDs, none twice.
fn check_assay_names(names: &[String], path: &Path) -> Result<()> {
    let bad: Vec<&str> = names[1..]
        .iter()
        .map(|n| n.trim())
        .filter(|n| !is_olink_id(n))
        .collect();
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(|n| format!("`{n}`")).collect();
        return Err(IoError::Layout {
            path: path.into(),
            message: format!(
                "a wide matrix has SampleID first and one column per assay named by its OlinkID (OID and five digits), but {} column(s) are not OlinkIDs: {}{}; move sample variables (age, sex, ...) to the manifest (--samples) and name assay columns by OlinkID (symbols go in --assays)",
                bad.len(),
                shown.join(", "),
                if bad.len() > 5 { ", ..." } else { "" }
            ),
        });
    }
    let mut seen = HashSet::new();
    for n in &names[1..] {
        if !seen.insert(n.trim()) {
            return Err(IoError::Layout {
                path: path.into(),
                message: format!(
                    "assay column `{}` appears twice; keep one column per OlinkID",
                    n.trim()
                ),
            });
        }
    }
    Ok(())
}

fn check_unique_samples(
    ids: &[String],
    path: &Path,
    line_of: impl Fn(usize) -> usize,
) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (j, id) in ids.iter().enumerate() {
        if id.is_empty() {
            return Err(IoError::InvalidValue {
                path: path.into(),
                line: line_of(j),
                column: "SampleID".into(),
                message: "empty SampleID; every row needs one".into(),
            });
        }
        if let Some(&k) = seen.get(id.as_str()) {
            return Err(IoError::InvalidValue {
                path: path.into(),
                line: line_of(j),
                column: "SampleID".into(),
                message: format!(
                    "SampleID `{id}` appears twice (rows {} and {}); a wide matrix has one row per sample: keep one (re-runs) or rename",
                    k + 1,
                    j + 1
                ),
            });
        }
        seen.insert(id, j);
    }
    Ok(())
}

/// Reads a wide matrix (detected with [`detect_wide_matrix`]) from bytes in memory.
pub fn read_wide_matrix(bytes: &[u8], path: &Path) -> Result<WideMatrix> {
    match detect_wide_matrix(bytes) {
        Some(WideMatrixFormat::Parquet) => crate::guard(path, "the parquet decoder", || {
            read_parquet_matrix(bytes, path)
        }),
        Some(WideMatrixFormat::Delimited { separator }) => {
            read_delimited_matrix(bytes, separator, path)
        }
        None => Err(IoError::Layout {
            path: path.into(),
            message: "not a wide matrix: the first column must be SampleID and the others OlinkIDs (OID and five digits)".into(),
        }),
    }
}

/// Columns of a parquet matrix converted per batch (bounds the engine's copy).
const PARQUET_BATCH: usize = 64;

fn read_parquet_matrix(bytes: &[u8], path: &Path) -> Result<WideMatrix> {
    let names = parquet_names(bytes)
        .map_err(|e| IoError::engine(path, format!("not a readable parquet file: {e}")))?;
    check_assay_names(&names, path)?;
    let read = |cols: &[String]| -> Result<DataFrame> {
        ParquetReader::new(Cursor::new(bytes))
            .with_columns(Some(cols.to_vec()))
            .finish()
            .map_err(|e| IoError::engine(path, e))
    };
    let ids_df = read(&names[..1])?;
    let ids_col = ids_df.columns()[0]
        .cast(&DataType::String)
        .map_err(|e| IoError::engine(path, format!("column `{}`: {e}", names[0])))?;
    let sample_ids: Vec<String> = ids_col
        .str()
        .map_err(|e| IoError::engine(path, e))?
        .iter()
        .map(|v| v.unwrap_or("").trim().to_string())
        .collect();
    drop(ids_df);
    check_unique_samples(&sample_ids, path, |j| j + 1)?;
    let n = sample_ids.len();
    let n_assays = names.len() - 1;
    let mut values = vec![f64::NAN; n_assays * n];
    for (b, batch) in names[1..].chunks(PARQUET_BATCH).enumerate() {
        let df = read(batch)?;
        for (k, column) in df.columns().iter().enumerate() {
            let a = b * PARQUET_BATCH + k;
            let out = &mut values[a * n..(a + 1) * n];
            fill_column(column, out, path)?;
        }
    }
    let assays = names[1..].iter().map(|n| default_meta(n.trim())).collect();
    Ok(WideMatrix {
        path: path.into(),
        format: WideMatrixFormat::Parquet,
        sample_ids,
        assays,
        values,
    })
}

fn default_meta(olink_id: &str) -> AssayMeta {
    AssayMeta {
        olink_id: olink_id.to_string(),
        uniprot: None,
        assay: Some(olink_id.to_string()),
        panel: None,
    }
}

/// Copies one parquet column into `out` (NaN for null); text is parsed, and a cell that
/// is not a number is reported with its row and column.
fn fill_column(column: &Column, out: &mut [f64], path: &Path) -> Result<()> {
    if column.dtype().is_primitive_numeric() {
        let cast = column
            .cast(&DataType::Float64)
            .map_err(|e| IoError::engine(path, e))?;
        let ca = cast.f64().map_err(|e| IoError::engine(path, e))?;
        for (o, v) in out.iter_mut().zip(ca.iter()) {
            *o = v.unwrap_or(f64::NAN);
        }
        return Ok(());
    }
    if column.dtype().is_null() {
        return Ok(());
    }
    let s = column
        .cast(&DataType::String)
        .map_err(|e| IoError::engine(path, format!("column `{}`: {e}", column.name())))?;
    let ca = s.str().map_err(|e| IoError::engine(path, e))?;
    for (row, (o, v)) in out.iter_mut().zip(ca.iter()).enumerate() {
        *o = parse_cell(v.unwrap_or(""), path, row + 1, row + 1, column.name())?;
    }
    Ok(())
}

fn parse_cell(raw: &str, path: &Path, line: usize, row: usize, column: &str) -> Result<f64> {
    parse_number(raw).map_err(|e| IoError::InvalidValue {
        path: path.into(),
        line,
        column: column.to_string(),
        message: format!(
            "row {row}: `{}` is {}; NPX cells hold numbers, or NA/empty when missing",
            truncate(raw, 40),
            match e {
                NumberError::NotANumber => "not a number",
                NumberError::NotFinite => "not a finite number",
            }
        ),
    })
}

fn read_delimited_matrix(bytes: &[u8], separator: u8, path: &Path) -> Result<WideMatrix> {
    let text = std::str::from_utf8(bytes).map_err(|e| IoError::Layout {
        path: path.into(),
        message: format!(
            "not UTF-8 text after byte {}; re-export the file as UTF-8",
            e.valid_up_to()
        ),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut recs = records(text);
    let header = recs
        .next()
        .ok_or_else(|| IoError::Empty { path: path.into() })?;
    let names: Vec<String> = split_fields(header.text, separator)
        .into_iter()
        .map(|c| c.into_owned())
        .collect();
    check_assay_names(&names, path)?;
    let n_assays = names.len() - 1;
    // Count the rows first, so that values go straight to their place.
    let n = records(text).count() - 1;
    let mut values = vec![f64::NAN; n_assays * n];
    let mut sample_ids = Vec::with_capacity(n);
    let mut lines = Vec::with_capacity(n);
    for (j, rec) in recs.enumerate() {
        let mut fields = 0usize;
        for (k, field) in split_fields(rec.text, separator).into_iter().enumerate() {
            fields += 1;
            if k == 0 {
                sample_ids.push(field.trim().to_string());
            } else if k <= n_assays {
                values[(k - 1) * n + j] = parse_cell(&field, path, rec.line, j + 1, &names[k])?;
            }
        }
        if fields != names.len() {
            return Err(IoError::FieldCount {
                path: path.into(),
                line: rec.line,
                found: fields,
                expected: names.len(),
                hint: format!(
                    "every row needs a SampleID and one value per assay column, separated by {}",
                    separator_name(separator)
                ),
            });
        }
        lines.push(rec.line);
    }
    check_unique_samples(&sample_ids, path, |j| lines[j])?;
    let assays = names[1..].iter().map(|n| default_meta(n.trim())).collect();
    Ok(WideMatrix {
        path: path.into(),
        format: WideMatrixFormat::Delimited { separator },
        sample_ids,
        assays,
        values,
    })
}

/// Reads an assay-information table (TSV or CSV): OlinkID (required), UniProt, Assay,
/// Panel (optional; other columns ignored).
pub fn read_assay_table(path: &Path) -> Result<Vec<AssayMeta>> {
    let bytes = std::fs::read(path).map_err(|e| IoError::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|_| IoError::Layout {
        path: path.into(),
        message: "the assay table is not UTF-8 text; save it as UTF-8 TSV or CSV".into(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut recs = records(text);
    let header = recs
        .next()
        .ok_or_else(|| IoError::Empty { path: path.into() })?;
    let sep = guess_separator(header.text).unwrap_or(b'\t');
    let names: Vec<String> = split_fields(header.text, sep)
        .into_iter()
        .map(|c| normalise_header(&c))
        .collect();
    let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
    let Some(oid) = find(&["olinkid"]) else {
        return Err(IoError::MissingColumn {
            path: path.into(),
            line: header.line,
            column: "OlinkID".into(),
            found: split_fields(header.text, sep).join(", "),
            hint: "the assay table (--assays) needs OlinkID, and may have UniProt, Assay and Panel"
                .into(),
        });
    };
    let (uni, assay, panel) = (
        find(&["uniprot", "uniprotid"]),
        find(&["assay", "assayname"]),
        find(&["panel"]),
    );
    let mut out = Vec::new();
    for rec in recs {
        let f = split_fields(rec.text, sep);
        let get = |i: Option<usize>| {
            i.and_then(|i| f.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty() && *s != "NA")
                .map(str::to_string)
        };
        let Some(id) = get(Some(oid)) else { continue };
        out.push(AssayMeta {
            olink_id: id,
            uniprot: get(uni),
            assay: get(assay),
            panel: get(panel),
        });
    }
    Ok(out)
}

/// Writes a wide matrix as parquet (zstd), atomically: `values[assay * n + sample]`,
/// NaN written as null; row groups of at most `row_group` samples, built one at a time
/// so that no copy of the whole matrix is made.
pub fn write_wide_parquet(
    path: &Path,
    sample_ids: &[String],
    olink_ids: &[String],
    values: &[f64],
    row_group: usize,
) -> Result<()> {
    let n = sample_ids.len();
    assert_eq!(values.len(), n * olink_ids.len());
    let mut schema = Schema::default();
    schema.insert("SampleID".into(), DataType::String);
    for id in olink_ids {
        schema.insert(id.as_str().into(), DataType::Float64);
    }
    write_atomic(path, |w| {
        let err = std::io::Error::other;
        let writer = ParquetWriter::new(w)
            .with_compression(ParquetCompression::Zstd(None))
            .with_row_group_size(Some(row_group.max(1)));
        let mut batched = writer.batched(&schema).map_err(err)?;
        let mut start = 0;
        while start < n {
            let end = (start + row_group.max(1)).min(n);
            let mut cols = Vec::with_capacity(olink_ids.len() + 1);
            cols.push(Column::new("SampleID".into(), &sample_ids[start..end]));
            for (a, id) in olink_ids.iter().enumerate() {
                let v: Float64Chunked = values[a * n + start..a * n + end]
                    .iter()
                    .map(|x| (!x.is_nan()).then_some(*x))
                    .collect();
                cols.push(v.with_name(id.as_str().into()).into_column());
            }
            let df = DataFrame::new_infer_height(cols).map_err(err)?;
            batched.write_batch(&df).map_err(err)?;
            start = end;
        }
        batched.finish().map_err(err)?;
        Ok(())
    })
}

/// Writes a wide matrix as delimited text, atomically (`NA` for missing).
pub fn write_wide_delimited(
    path: &Path,
    sample_ids: &[String],
    olink_ids: &[String],
    values: &[f64],
    separator: u8,
) -> Result<()> {
    let n = sample_ids.len();
    assert_eq!(values.len(), n * olink_ids.len());
    let sep = separator as char;
    write_atomic(path, |w| {
        let mut line = String::from("SampleID");
        for id in olink_ids {
            line.push(sep);
            line.push_str(id);
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
        for (j, sid) in sample_ids.iter().enumerate() {
            line.clear();
            line.push_str(sid);
            for a in 0..olink_ids.len() {
                line.push(sep);
                line.push_str(&crate::write::fmt_f64(values[a * n + j]));
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_detect_and_read_delimited() {
        let text = "SampleID,OID40001,OID40002\nS1,1.5,NA\nS2,,2.25\nS3,3,4\n";
        let f = detect_wide_matrix(text.as_bytes());
        assert_eq!(f, Some(WideMatrixFormat::Delimited { separator: b',' }));
        let m = read_wide_matrix(text.as_bytes(), Path::new("w.csv")).unwrap();
        assert_eq!(m.sample_ids, ["S1", "S2", "S3"]);
        assert_eq!(m.assays[1].olink_id, "OID40002");
        assert_eq!(m.assays[1].assay.as_deref(), Some("OID40002"));
        let v: Vec<String> = m.values.iter().map(|x| format!("{x}")).collect();
        assert_eq!(v, ["1.5", "NaN", "3", "NaN", "2.25", "4"]);
        // Long files are not wide matrices.
        assert_eq!(
            detect_wide_matrix(b"SampleID;OlinkID;NPX\nA;OID40001;1\n"),
            None
        );
        assert_eq!(detect_wide_matrix(b"SampleID;Assay;NPX\n"), None);
    }

    #[test]
    fn test_errors_name_place() {
        let p = Path::new("w.tsv");
        let bad = "SampleID\tOID40001\tage\nS1\t1\t40\n";
        let e = read_wide_matrix(bad.as_bytes(), p).unwrap_err().to_string();
        assert!(e.contains("`age`") && e.contains("not OlinkIDs"), "{e}");
        let bad = "SampleID\tOID40001\tOID40002\nS1\t1\t2\nS2\t1\tabc\n";
        let e = read_wide_matrix(bad.as_bytes(), p).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("OID40002") && e.contains("`abc`"),
            "{e}"
        );
        let bad = "SampleID\tOID40001\nS1\t1\nS1\t2\n";
        let e = read_wide_matrix(bad.as_bytes(), p).unwrap_err().to_string();
        assert!(e.contains("`S1` appears twice"), "{e}");
    }

    #[test]
    fn test_parquet_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.parquet");
        let ids: Vec<String> = (1..=5).map(|i| format!("S{i}")).collect();
        let oids: Vec<String> = (0..70).map(|a| format!("OID{}", 40001 + a)).collect();
        let values: Vec<f64> = (0..70 * 5)
            .map(|k| {
                if k % 7 == 3 {
                    f64::NAN
                } else {
                    k as f64 * 0.25
                }
            })
            .collect();
        write_wide_parquet(&path, &ids, &oids, &values, 2).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(detect_wide_matrix(&bytes), Some(WideMatrixFormat::Parquet));
        let m = read_wide_matrix(&bytes, &path).unwrap();
        assert_eq!(m.sample_ids, ids);
        assert_eq!(m.assays.len(), 70);
        for (a, b) in m.values.iter().zip(&values) {
            assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
        }
    }
}
