//! The result tables the report reads: tab-separated, header row, `NA` for missing,
//! as every npxkit subcommand writes them. Small on purpose: no dataframe engine is
//! needed to read a few tables once.

use std::path::{Path, PathBuf};

use crate::ReportError;

/// A TSV table held as text cells.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it was read from.
    pub path: PathBuf,
    /// Column names.
    pub header: Vec<String>,
    /// Rows of cells (same length as the header).
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads `path`; a ragged row is an error naming the line.
    pub fn read(path: &Path) -> Result<Table, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|e| ReportError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .ok_or_else(|| ReportError::Table {
                path: path.to_path_buf(),
                message: "empty file (no header row)".into(),
            })?
            .split('\t')
            .map(String::from)
            .collect();
        let mut rows = Vec::new();
        for (i, line) in lines.enumerate() {
            if line.is_empty() {
                continue;
            }
            let row: Vec<String> = line.split('\t').map(String::from).collect();
            if row.len() != header.len() {
                return Err(ReportError::Table {
                    path: path.to_path_buf(),
                    message: format!(
                        "line {}: {} fields where the header has {}",
                        i + 2,
                        row.len(),
                        header.len()
                    ),
                });
            }
            rows.push(row);
        }
        Ok(Table {
            path: path.to_path_buf(),
            header,
            rows,
        })
    }

    /// Index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Index of a column that must exist.
    pub fn require(&self, name: &str) -> Result<usize, ReportError> {
        self.col(name).ok_or_else(|| ReportError::Table {
            path: self.path.clone(),
            message: format!(
                "no column `{name}` (found: {}); was it written by npxkit?",
                self.header.join(", ")
            ),
        })
    }

    /// A cell as a number (`NA` and unparsable → NaN).
    pub fn num(&self, row: usize, col: usize) -> f64 {
        num(&self.rows[row][col])
    }

    /// A cell as text, `None` for `NA`.
    pub fn text(&self, row: usize, col: usize) -> Option<&str> {
        let v = self.rows[row][col].as_str();
        (v != "NA").then_some(v)
    }

    /// The rows whose `contrast` column equals `contrast` (all rows without the column).
    pub fn rows_of_contrast(&self, contrast: Option<&str>) -> Vec<usize> {
        match (self.col("contrast"), contrast) {
            (Some(c), Some(want)) => (0..self.rows.len())
                .filter(|&r| self.rows[r][c] == want)
                .collect(),
            _ => (0..self.rows.len()).collect(),
        }
    }
}

/// A TSV number (`NA`, `Inf`, `-Inf` as R writes them).
pub fn num(s: &str) -> f64 {
    match s {
        "NA" | "" => f64::NAN,
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().unwrap_or(f64::NAN),
    }
}
