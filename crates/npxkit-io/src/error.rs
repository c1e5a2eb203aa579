//! Error type of `npxkit-io`: every variant names the file and, where it makes sense,
//! the line and column, and ends with what the user can do about it.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while reading or writing Olink files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IoError {
    /// The file could not be opened, read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating-system error (shown in the message, so not chained again).
        error: std::io::Error,
    },
    /// The file is empty (or holds only blank lines).
    #[error("{path}: the file is empty; check that the export finished and that you passed the right file")]
    Empty {
        /// The file concerned.
        path: PathBuf,
    },
    /// The content matches none of the supported Olink formats.
    #[error("{path}: not a recognised Olink NPX file ({reason}); supported: long CSV/TSV (`;`, `,` or tab), Target 96 wide CSV, Excel workbook (.xlsx), Explore parquet, zip delivery")]
    UnknownFormat {
        /// The file concerned.
        path: PathBuf,
        /// What was seen instead.
        reason: String,
    },
    /// A required column is absent from the header.
    #[error("{path} line {line}: no column `{column}` (found: {found}); {hint}")]
    MissingColumn {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line of the header.
        line: usize,
        /// The canonical name of the missing column.
        column: String,
        /// The columns that are there.
        found: String,
        /// What to do.
        hint: String,
    },
    /// A value could not be parsed.
    #[error("{path} line {line}, column `{column}`: {message}")]
    InvalidValue {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Column name.
        column: String,
        /// What was wrong and what to do.
        message: String,
    },
    /// A row has a different number of fields from the header.
    #[error("{path} line {line}: {found} fields where the header has {expected}; {hint}")]
    FieldCount {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Fields in this row.
        found: usize,
        /// Fields in the header.
        expected: usize,
        /// What probably happened.
        hint: String,
    },
    /// The layout of a file is not what its format requires.
    #[error("{path}: {message}")]
    Layout {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// A problem in one sheet of an Excel workbook, at a cell or row where one applies.
    #[error("{path} sheet \"{sheet}\"{}: {message}", sheet_place(.at, .column))]
    Sheet {
        /// The workbook.
        path: PathBuf,
        /// The sheet's name.
        sheet: String,
        /// Where in the sheet: `cell D12` or `row 3`, when one place is at fault.
        at: Option<String>,
        /// The column's name, when a cell is at fault.
        column: Option<String>,
        /// What is wrong and what to do.
        message: String,
    },
    /// A checksum in a zip delivery does not match its NPX file.
    #[error("{path}: checksum mismatch for `{member}`: the delivery says {expected}, the file has {actual}; the download is corrupt or incomplete, fetch the delivery again")]
    ChecksumMismatch {
        /// The zip file.
        path: PathBuf,
        /// The NPX file inside it.
        member: String,
        /// Checksum written in the delivery.
        expected: String,
        /// Checksum computed here.
        actual: String,
    },
    /// An error reported by the parquet or CSV engine.
    #[error("{path}: {message}")]
    Engine {
        /// The file concerned.
        path: PathBuf,
        /// The engine's message, with context.
        message: String,
    },
}

impl IoError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Io {
            path: path.into(),
            error: source,
        }
    }

    pub(crate) fn layout(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        IoError::Layout {
            path: path.into(),
            message: message.into(),
        }
    }

    pub(crate) fn engine(path: impl Into<PathBuf>, err: impl std::fmt::Display) -> Self {
        IoError::Engine {
            path: path.into(),
            message: err.to_string(),
        }
    }
}

fn sheet_place(at: &Option<String>, column: &Option<String>) -> String {
    let mut out = String::new();
    if let Some(at) = at {
        out.push(' ');
        out.push_str(at);
    }
    if let Some(column) = column {
        out.push_str(&format!(", column `{column}`"));
    }
    out
}

/// Where a table's rows came from, so that an error names a line of a text file or a
/// cell of an Excel sheet. Readers that share their parsing core between CSV and xlsx
/// (`wide`, `long`) build every error through it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// Delimited text: rows are numbered by 1-based line.
    Text,
    /// An Excel sheet: rows are 1-based sheet rows; cell 0 of a row is in the sheet
    /// column `first_col` (0-based, `A` = 0).
    Sheet {
        /// The sheet's name.
        name: &'a str,
        /// The sheet column of the first cell of each row.
        first_col: usize,
    },
}

impl Origin<'_> {
    /// The table as a whole is wrong.
    pub(crate) fn layout(self, path: &Path, message: impl Into<String>) -> IoError {
        match self {
            Origin::Text => IoError::layout(path, message),
            Origin::Sheet { name, .. } => IoError::Sheet {
                path: path.into(),
                sheet: name.into(),
                at: None,
                column: None,
                message: message.into(),
            },
        }
    }

    /// One row (1-based line or sheet row) is out of place.
    pub(crate) fn row(self, path: &Path, line: usize, message: impl std::fmt::Display) -> IoError {
        match self {
            Origin::Text => IoError::layout(path, format!("line {line}: {message}")),
            Origin::Sheet { name, .. } => IoError::Sheet {
                path: path.into(),
                sheet: name.into(),
                at: Some(format!("row {line}")),
                column: None,
                message: message.to_string(),
            },
        }
    }

    /// Cell `index` (0-based within the row) of row `line` holds a bad value; `column`
    /// names its column for the reader.
    pub(crate) fn cell(
        self,
        path: &Path,
        line: usize,
        index: usize,
        column: impl Into<String>,
        message: impl Into<String>,
    ) -> IoError {
        match self {
            Origin::Text => IoError::InvalidValue {
                path: path.into(),
                line,
                column: column.into(),
                message: message.into(),
            },
            Origin::Sheet { name, first_col } => IoError::Sheet {
                path: path.into(),
                sheet: name.into(),
                at: Some(format!("cell {}{line}", column_letters(first_col + index))),
                column: Some(column.into()),
                message: message.into(),
            },
        }
    }
}

/// Excel's name of a 0-based column: `A`, …, `Z`, `AA`, ….
pub(crate) fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Shorthand for results of this crate.
pub type Result<T, E = IoError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_column_letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(188), "GG");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn test_origin_sheet_cell() {
        let e = Origin::Sheet {
            name: "NPX Data",
            first_col: 0,
        }
        .cell(
            Path::new("npx.xlsx"),
            12,
            3,
            "IL6 (OID00482)",
            "`x` is not a number",
        );
        assert_eq!(
            e.to_string(),
            "npx.xlsx sheet \"NPX Data\" cell D12, column `IL6 (OID00482)`: `x` is not a number"
        );
    }
}
