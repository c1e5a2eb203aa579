//! Sample manifests: a TSV or CSV file with a `SampleID` column matching the NPX file
//! and free columns (subject, timepoint, covariates) that options refer to by name.

use std::collections::HashMap;
use std::path::Path;

use crate::error::{IoError, Result};
use crate::npx_long::normalise_header;
use crate::text::{count_fields, guess_separator, is_missing_marker, records, split_fields};

/// A sample manifest, one row per sample, all values as text (`None` for missing).
#[derive(Debug, Clone)]
pub struct Manifest {
    columns: Vec<String>,
    sample_ids: Vec<String>,
    values: Vec<Vec<Option<String>>>,
    index: HashMap<String, usize>,
}

impl Manifest {
    /// Parses a manifest from text; `path` is used in messages only.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut recs = records(text);
        let header = recs
            .next()
            .ok_or_else(|| IoError::Empty { path: path.into() })?;
        let sep = guess_separator(header.text).unwrap_or(b'\t');
        let names: Vec<String> = split_fields(header.text, sep)
            .into_iter()
            .map(|c| c.into_owned())
            .collect();
        let id_col = names
            .iter()
            .position(|n| normalise_header(n) == "sampleid")
            .ok_or_else(|| IoError::MissingColumn {
                path: path.into(),
                line: header.line,
                column: "SampleID".into(),
                found: names.join(", "),
                hint: "name the column holding the NPX file's sample IDs `SampleID`".into(),
            })?;
        let mut sample_ids = Vec::new();
        let mut values = Vec::new();
        let mut index = HashMap::new();
        for rec in recs {
            let n = count_fields(rec.text, sep);
            if n != names.len() {
                return Err(IoError::FieldCount {
                    path: path.into(),
                    line: rec.line,
                    found: n,
                    expected: names.len(),
                    hint: format!(
                        "check the separator (`{}`) and quoting on that line",
                        sep as char
                    ),
                });
            }
            let fields = split_fields(rec.text, sep);
            let id = fields[id_col].trim().to_string();
            if id.is_empty() {
                return Err(IoError::InvalidValue {
                    path: path.into(),
                    line: rec.line,
                    column: names[id_col].clone(),
                    message: "empty SampleID".into(),
                });
            }
            if let Some(&first) = index.get(&id) {
                return Err(IoError::InvalidValue {
                    path: path.into(),
                    line: rec.line,
                    column: names[id_col].clone(),
                    message: format!(
                        "SampleID `{id}` already appears on data row {}; each sample needs one row",
                        first + 1
                    ),
                });
            }
            index.insert(id.clone(), sample_ids.len());
            sample_ids.push(id);
            values.push(
                fields
                    .iter()
                    .map(|f| Some(f.trim().to_string()).filter(|v| !is_missing_marker(v)))
                    .collect(),
            );
        }
        let mut columns = names;
        columns[id_col] = "SampleID".into();
        Ok(Manifest {
            columns,
            sample_ids,
            values,
            index,
        })
    }

    /// Reads a manifest file.
    pub fn from_path(path: &Path) -> Result<Manifest> {
        let bytes = std::fs::read(path).map_err(|e| IoError::io(path, e))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            IoError::layout(
                path,
                "the manifest is not UTF-8 text; save it as UTF-8 TSV or CSV",
            )
        })?;
        Manifest::parse(&text, path)
    }

    /// Column names in file order (the ID column is called `SampleID`).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Sample IDs in file order.
    pub fn sample_ids(&self) -> &[String] {
        &self.sample_ids
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.sample_ids.len()
    }

    /// True when the manifest lists no sample.
    pub fn is_empty(&self) -> bool {
        self.sample_ids.is_empty()
    }

    /// Row of a sample, if listed.
    pub fn row_of(&self, sample_id: &str) -> Option<usize> {
        self.index.get(sample_id).copied()
    }

    /// Position of a column by exact name, or by name ignoring case and punctuation.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name).or_else(|| {
            let n = normalise_header(name);
            self.columns.iter().position(|c| normalise_header(c) == n)
        })
    }

    /// A value by row and column position.
    pub fn value(&self, row: usize, column: usize) -> Option<&str> {
        self.values[row][column].as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_parse_tsv_and_csv() {
        let p = Path::new("m.tsv");
        let m = Manifest::parse("SampleID\tsubject\ttime\nS1\tP1\tC1D1\nS2\tP1\tNA\n", p).unwrap();
        assert_eq!(m.sample_ids(), ["S1", "S2"]);
        let t = m.column_index("TIME").unwrap();
        assert_eq!(m.value(0, t), Some("C1D1"));
        assert_eq!(m.value(1, t), None);
        let m = Manifest::parse("\"Sample_ID\";\"Subject\"\n\"A 1\";\"ID1\"\n", p).unwrap();
        assert_eq!(m.sample_ids(), ["A 1"]);
        assert_eq!(m.columns()[0], "SampleID");
    }

    #[test]
    fn test_parse_errors() {
        let p = Path::new("m.tsv");
        let e = Manifest::parse("sample\tsubject\nS1\tP1\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no column `SampleID`"), "{e}");
        let e = Manifest::parse("SampleID\tsubject\nS1\tP1\nS1\tP2\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("already appears"), "{e}");
        let e = Manifest::parse("SampleID\tsubject\nS1\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("1 fields"), "{e}");
        assert!(matches!(Manifest::parse("", p), Err(IoError::Empty { .. })));
    }
}
