//! Writing outputs: atomically (a temporary file in the target folder, renamed into
//! place when complete, so a failed run never leaves half a table) and as npxkit's
//! tab-separated tables (header row, `NA` for missing, full-precision numbers).

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{IoError, Result};

/// Writes `path` atomically: `fill` writes into a temporary file next to it, which
/// replaces `path` only when `fill` and the flush succeed.
pub fn write_atomic<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".npxkit-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| IoError::io(dir, e))?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        fill(&mut w).map_err(|e| IoError::io(path, e))?;
        w.flush().map_err(|e| IoError::io(path, e))?;
    }
    tmp.as_file().sync_all().map_err(|e| IoError::io(path, e))?;
    // Temporary files are created private (0600); results are ordinary files.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(tmp.path(), perms).map_err(|e| IoError::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| IoError::io(path, e.error))?;
    Ok(())
}

/// Formats a number for a table: the shortest text that reads back to the same
/// `f64` (full precision, deterministic), in exponent form outside [1e-4, 1e16) as R
/// and most readers expect (`2.5e-12`, not 2.5 with eleven leading zeros); integers
/// without a decimal point; `NA` for NaN, `Inf`/`-Inf` as R writes them.
pub fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        "NA".to_string()
    } else if x == f64::INFINITY {
        "Inf".to_string()
    } else if x == f64::NEG_INFINITY {
        "-Inf".to_string()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x}")
    } else {
        // Debug gives the shortest round-trip digits and switches to exponent form
        // for exponents outside [-5, 16].
        format!("{x:?}")
    }
}

/// Formats an optional text cell: `NA` for `None`; tabs and newlines become spaces so
/// the table stays rectangular.
pub fn fmt_text(s: Option<&str>) -> String {
    match s {
        None => "NA".to_string(),
        Some(v) => v.replace(['\t', '\n', '\r'], " "),
    }
}

/// A small tab-separated table builder: header, then rows of preformatted cells.
#[derive(Debug, Clone, Default)]
pub struct TsvTable {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TsvTable {
    /// A table with these column names.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        TsvTable {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }

    /// Number of data rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no data rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Serialises the table.
    pub fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        writeln!(w, "{}", self.header.join("\t"))?;
        for r in &self.rows {
            writeln!(w, "{}", r.join("\t"))?;
        }
        Ok(())
    }

    /// Writes the table to `path` atomically.
    pub fn write_atomic(&self, path: &Path) -> Result<()> {
        write_atomic(path, |w| self.write_to(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_fmt_f64_round_trips() {
        for x in [0.1, 1.0 / 3.0, -5.62397e-05, 1e-300, 12.9561425886431] {
            assert_eq!(fmt_f64(x).parse::<f64>().unwrap(), x);
        }
        assert_eq!(fmt_f64(f64::NAN), "NA");
        assert_eq!(fmt_f64(5.0), "5");
        assert_eq!(fmt_f64(-0.25), "-0.25");
        assert_eq!(fmt_f64(2.08993e-9), "2.08993e-9");
        assert_eq!(fmt_f64(1e-300), "1e-300");
        assert_eq!(fmt_f64(0.0001), "0.0001");
    }

    #[test]
    fn test_write_atomic_leaves_nothing_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.tsv");
        let err = write_atomic(&p, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("boom"))
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut t = TsvTable::new(["a", "b"]);
        t.push(vec!["1".into(), fmt_f64(f64::NAN)]);
        t.write_atomic(&p).unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a\tb\n1\tNA\n");
    }
}
