//! **npxkit-io** reads Olink NPX deliveries and sample manifests, and writes npxkit's
//! tables atomically.
//!
//! The entry point is [`read_npx`]: it detects the format from the content (never only
//! the extension) and returns an [`NpxLong`] whose recognised columns carry canonical
//! names ([`col`]), whatever product or software version wrote the file:
//!
//! | format | detected by | reader |
//! |---|---|---|
//! | long CSV/TSV (`;`, `,`, tab; decimal point or comma) | header line | [`long`] |
//! | Target 96 wide CSV | `Panel` / `Assay` / `OlinkID` header rows | [`wide`] |
//! | Excel workbook (wide or long NPX sheet) | `PK` magic with `xl/` parts | [`xlsx`] |
//! | Explore HT / 3072 parquet | `PAR1` magic | [`parquet`] |
//! | zip delivery (NPX file + MD5/SHA-256 file) | `PK` magic | [`zip`] |
//!
//! Wide sample × assay matrices (SampleID, then one column per OlinkID; parquet or
//! text) are read by [`read_wide_matrix`] straight to values, without a long table.
//!
//! Errors ([`IoError`]) name the file, the line and column where they apply, and say
//! what to do. [`Manifest`] reads sample sheets; [`write`] holds the atomic writer and
//! the TSV conventions (`NA`, full precision) shared by every output table.

pub mod detect;
pub mod error;
pub mod long;
pub mod long_table;
pub mod manifest;
pub mod matrix;
pub mod npx_long;
pub mod parquet;
pub mod text;
pub mod wide;
pub mod write;
pub mod xlsx;
pub mod zip;

pub use detect::{detect_format, Format};
pub use error::{IoError, Result};
pub use long_table::{LongColumn, LongTable};
pub use manifest::Manifest;
pub use matrix::{
    detect_wide_matrix, read_assay_table, read_wide_matrix, AssayMeta, WideMatrix, WideMatrixFormat,
};
pub use npx_long::{col, NpxLong, Source};
pub use write::{fmt_f64, fmt_text, write_atomic, TsvTable};

use std::io::Read;
use std::path::Path;

/// Reads all bytes of `path`, or of standard input when `path` is `-`.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| IoError::io(path, e))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| IoError::io(path, e))
    }
}

/// Reads an Olink NPX file of any supported format.
pub fn read_npx(path: &Path) -> Result<NpxLong> {
    let bytes = read_bytes(path)?;
    read_npx_bytes(&bytes, path)
}

/// Reads an Olink NPX file already in memory; `path` names it in messages.
pub fn read_npx_bytes(bytes: &[u8], path: &Path) -> Result<NpxLong> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(IoError::Empty { path: path.into() });
    }
    if detect_wide_matrix(bytes).is_some() {
        return Err(IoError::Layout {
            path: path.into(),
            message: "a wide sample × assay matrix (SampleID and OlinkID columns), which this step cannot use: it needs an Olink long or Target 96 file (qc, de, score, enrich and run read wide matrices)".into(),
        });
    }
    let format = detect_format(bytes).map_err(|reason| IoError::UnknownFormat {
        path: path.into(),
        reason,
    })?;
    let source = |member: Option<String>, format| Source {
        path: path.into(),
        member,
        format,
    };
    let df = match format {
        Format::LongCsv { separator } => guard(path, "the CSV reader", || {
            long::read_long(bytes, separator, path)
        })?,
        Format::WideCsv { separator } => wide::read_wide(bytes, separator, path)?,
        Format::Parquet => guard(path, "the parquet decoder", || {
            parquet::read_parquet(bytes, path)
        })?,
        Format::Xlsx => guard(path, "the Excel reader", || xlsx::read_xlsx(bytes, path))?,
        Format::Zip => {
            let member = zip::read_zip_delivery(bytes, path)?;
            let inner_path = path.join(&member.name);
            let inner = read_npx_bytes(&member.bytes, &inner_path)?;
            if let Some(alg) = member.verified_with {
                log::info!("{}: `{}` verified with {alg}", path.display(), member.name);
            }
            let format = inner.source().format;
            return Ok(NpxLong::new(
                inner.into_frame(),
                source(Some(member.name), format),
            ));
        }
    };
    Ok(NpxLong::new(df, source(None, format)))
}

/// Runs a reader that calls into polars, turning a panic inside the engine (it asserts
/// on some malformed parquet pages rather than returning an error) into a clear error.
pub(crate) fn guard<T>(path: &Path, engine: &str, read: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown failure".into());
            Err(IoError::engine(
                path,
                format!("{engine} failed on malformed data ({detail}); the file is corrupt or truncated: export or download it again"),
            ))
        }
    }
}
