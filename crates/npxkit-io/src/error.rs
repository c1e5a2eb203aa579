//! Error type of `npxkit-io`: every variant names the file and, where it makes sense,
//! the line and column, and ends with what the user can do about it.

use std::path::PathBuf;

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
    #[error("{path}: not a recognised Olink NPX file ({reason}); supported: long CSV/TSV (`;`, `,` or tab), Target 96 wide CSV, Explore parquet, zip delivery")]
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

/// Shorthand for results of this crate.
pub type Result<T, E = IoError> = std::result::Result<T, E>;
