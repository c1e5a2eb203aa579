//! [`LongTable`]: a long NPX table built in memory (by the simulator, or later by
//! normalisation) and written as Olink writes its deliveries: `;`-separated long CSV
//! (NPX Signature style) or parquet (Explore HT style).

use polars::prelude::*;
use std::io::Write;
use std::path::Path;

use crate::error::{IoError, Result};
use crate::write::{fmt_f64, write_atomic};

/// One column of a [`LongTable`].
#[derive(Debug, Clone, PartialEq)]
pub enum LongColumn {
    /// Text cells (`None` written as `NA`).
    Text(Vec<Option<String>>),
    /// Numbers (NaN written as `NA`).
    Number(Vec<f64>),
}

impl LongColumn {
    fn len(&self) -> usize {
        match self {
            LongColumn::Text(v) => v.len(),
            LongColumn::Number(v) => v.len(),
        }
    }
}

/// Named columns of equal length.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LongTable {
    columns: Vec<(String, LongColumn)>,
}

impl LongTable {
    /// An empty table.
    pub fn new() -> Self {
        LongTable::default()
    }

    /// Adds a column; all columns must have the same length.
    pub fn push(&mut self, name: &str, column: LongColumn) {
        if let Some((_, first)) = self.columns.first() {
            assert_eq!(
                first.len(),
                column.len(),
                "column `{name}` has a different length"
            );
        }
        self.columns.push((name.to_string(), column));
    }

    /// Number of rows.
    pub fn height(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    /// Writes delimited text (numbers at full precision, `NA` for missing).
    pub fn write_delimited(&self, w: &mut dyn Write, separator: u8) -> std::io::Result<()> {
        let sep = [separator];
        let sep = std::str::from_utf8(&sep).unwrap_or(";");
        let header: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        writeln!(w, "{}", header.join(sep))?;
        let mut line = String::new();
        for r in 0..self.height() {
            line.clear();
            for (k, (_, c)) in self.columns.iter().enumerate() {
                if k > 0 {
                    line.push_str(sep);
                }
                match c {
                    LongColumn::Text(v) => line.push_str(v[r].as_deref().unwrap_or("NA")),
                    LongColumn::Number(v) => line.push_str(&fmt_f64(v[r])),
                }
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    }

    /// Converts to a polars data frame; NaN numbers become nulls, as Olink's parquet
    /// deliveries store missing NPX.
    pub fn to_frame(&self) -> PolarsResult<DataFrame> {
        let cols: Vec<Column> = self
            .columns
            .iter()
            .map(|(n, c)| match c {
                LongColumn::Text(v) => Column::new(n.as_str().into(), v),
                LongColumn::Number(v) => {
                    let opt: Vec<Option<f64>> =
                        v.iter().map(|x| (!x.is_nan()).then_some(*x)).collect();
                    Column::new(n.as_str().into(), opt)
                }
            })
            .collect();
        DataFrame::new_infer_height(cols)
    }

    /// Writes delimited text to `path` atomically.
    pub fn write_delimited_file(&self, path: &Path, separator: u8) -> Result<()> {
        write_atomic(path, |w| self.write_delimited(w, separator))
    }

    /// Writes parquet (zstd-compressed) to `path` atomically.
    pub fn write_parquet_file(&self, path: &Path) -> Result<()> {
        let mut df = self.to_frame().map_err(|e| IoError::engine(path, e))?;
        let mut buf = Vec::new();
        ParquetWriter::new(&mut buf)
            .with_compression(ParquetCompression::Zstd(None))
            .finish(&mut df)
            .map_err(|e| IoError::engine(path, e))?;
        write_atomic(path, |w| w.write_all(&buf))
    }
}
