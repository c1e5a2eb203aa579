//! Reading and writing the GMT (Gene Matrix Transposed) format.
//!
//! GMT is the gene-set format of GSEA/MSigDB (Broad Institute): one set per
//! line, tab-separated,
//!
//! ```text
//! set_id <TAB> description <TAB> gene_1 <TAB> gene_2 ... <TAB> gene_n
//! ```
//!
//! What this reader accepts beyond the strict format, because real files
//! have it: `\n`, `\r\n` or bare `\r` line ends; a UTF-8 byte-order mark;
//! blank lines (skipped); trailing tabs and empty gene fields (ignored);
//! spaces around fields (trimmed); an empty description; repeated genes in a
//! set (the first occurrence is kept, later ones dropped and counted in
//! [`GmtDiagnostics`]). What it rejects, with the line number: a line with
//! fewer than three non-empty fields, an empty set id, a set id used twice,
//! and input that is not UTF-8 text (compressed, binary, UTF-16).
//!
//! Sets keep file order. There is no comment syntax in GMT: a `#` line is a set.
//!
//! # References
//! GMT format description, GSEA documentation (Broad Institute),
//! <https://software.broadinstitute.org/cancer/software/gsea/wiki/index.php/Data_formats>

use std::collections::HashMap;
use std::io::{BufRead, Write};

use crate::{GeneSet, GeneSetCollection, GeneSetError};

/// Non-fatal findings of the GMT reader, for the caller to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GmtDiagnostics {
    /// Sets in which repeated genes were dropped.
    pub duplicate_genes: Vec<DuplicateGenes>,
    /// Number of blank lines skipped.
    pub blank_lines: usize,
}

/// Repeated genes dropped from one set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateGenes {
    /// 1-based line of the set.
    pub line: usize,
    /// The set id.
    pub id: String,
    /// How many repeated entries were dropped.
    pub removed: usize,
}

/// Parses GMT text into a collection named `origin` (usually the file path),
/// with no version and source text `GMT file <origin>`.
///
/// # Errors
/// [`GeneSetError::TooFewFields`], [`GeneSetError::EmptyId`],
/// [`GeneSetError::DuplicateId`], [`GeneSetError::NotText`] (a NUL byte) and
/// [`GeneSetError::Empty`] (no set at all).
///
/// ```
/// let gmt = "S1\tfirst\tIL6\tTNF\nS2\tsecond\tCXCL8\t\n";
/// let c = npxkit_genesets::parse_gmt(gmt, "demo.gmt").unwrap();
/// assert_eq!(c.len(), 2);
/// assert_eq!(c.get("S1").unwrap().genes(), ["IL6", "TNF"]);
/// ```
pub fn parse_gmt(text: &str, origin: &str) -> Result<GeneSetCollection, GeneSetError> {
    parse_gmt_with_diagnostics(text, origin).map(|(c, _)| c)
}

/// As [`parse_gmt`], also returning what was tolerated (repeated genes, blank lines).
///
/// # Errors
/// As [`parse_gmt`].
pub fn parse_gmt_with_diagnostics(
    text: &str,
    origin: &str,
) -> Result<(GeneSetCollection, GmtDiagnostics), GeneSetError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut diagnostics = GmtDiagnostics::default();
    let mut sets = Vec::new();
    let mut first_lines: HashMap<String, usize> = HashMap::new();
    let mut index = HashMap::new();
    for (i, raw) in lines(text).enumerate() {
        let line = i + 1;
        if raw.contains('\0') {
            return Err(not_text(
                origin,
                line,
                "a NUL byte (binary data)",
                HINT_TEXT,
            ));
        }
        if raw.trim().is_empty() {
            diagnostics.blank_lines += 1;
            continue;
        }
        let mut fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
        while fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        if fields.len() < 3 {
            return Err(GeneSetError::TooFewFields {
                origin: origin.to_owned(),
                line,
                found: fields.len(),
            });
        }
        let id = fields[0];
        if id.is_empty() {
            return Err(GeneSetError::EmptyId {
                origin: origin.to_owned(),
                line,
            });
        }
        if let Some(&first_line) = first_lines.get(id) {
            return Err(GeneSetError::DuplicateId {
                origin: origin.to_owned(),
                id: id.to_owned(),
                first_line,
                line,
            });
        }
        first_lines.insert(id.to_owned(), line);
        let genes: Vec<String> = fields[2..]
            .iter()
            .filter(|g| !g.is_empty())
            .map(|g| (*g).to_owned())
            .collect();
        let n_raw = genes.len();
        let set = GeneSet::from_parts_unchecked(id.to_owned(), fields[1].to_owned(), genes);
        if set.len() < n_raw {
            diagnostics.duplicate_genes.push(DuplicateGenes {
                line,
                id: id.to_owned(),
                removed: n_raw - set.len(),
            });
        }
        index.insert(id.to_owned(), sets.len());
        sets.push(set);
    }
    if sets.is_empty() {
        return Err(GeneSetError::Empty {
            origin: origin.to_owned(),
        });
    }
    let collection = GeneSetCollection::from_checked(
        origin.to_owned(),
        None,
        format!("GMT file {origin}"),
        sets,
        index,
    );
    Ok((collection, diagnostics))
}

/// Parses GMT bytes, first checking that they are UTF-8 text.
///
/// Compressed files (gzip, zstd, zip/xlsx), UTF-16 text and invalid UTF-8
/// give [`GeneSetError::NotText`] with a hint, instead of a confusing field
/// error.
///
/// # Errors
/// As [`parse_gmt`], plus [`GeneSetError::NotText`].
pub fn parse_gmt_bytes(bytes: &[u8], origin: &str) -> Result<GeneSetCollection, GeneSetError> {
    parse_gmt(check_text(bytes, origin)?, origin)
}

/// Reads GMT from a reader (the CLI opens the file) and parses it as
/// [`parse_gmt_bytes`] does.
///
/// # Errors
/// As [`parse_gmt_bytes`], plus [`GeneSetError::Read`] when reading fails.
pub fn read_gmt<R: BufRead>(
    mut reader: R,
    origin: &str,
) -> Result<GeneSetCollection, GeneSetError> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .map_err(|e| GeneSetError::Read {
            origin: origin.to_owned(),
            reason: e.to_string(),
        })?;
    parse_gmt_bytes(&bytes, origin)
}

/// Writes a collection as GMT: one line per set, `\n` line ends, sets and
/// genes in collection order. [`parse_gmt`] reads it back to an equal
/// collection (apart from name, version and source, which GMT cannot hold).
///
/// # Errors
/// An [`std::io::ErrorKind::InvalidInput`] error for a set with no genes
/// (GMT cannot express it), or the writer's error.
pub fn write_gmt<W: Write>(collection: &GeneSetCollection, mut out: W) -> std::io::Result<()> {
    for set in collection.sets() {
        if set.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "gene set `{}` has no genes; GMT cannot hold an empty set",
                    set.id()
                ),
            ));
        }
        out.write_all(set.id().as_bytes())?;
        out.write_all(b"\t")?;
        out.write_all(set.name().as_bytes())?;
        for g in set.genes() {
            out.write_all(b"\t")?;
            out.write_all(g.as_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}

const HINT_TEXT: &str = "give a tab-separated GMT text file (UTF-8)";

fn not_text(origin: &str, line: usize, reason: &str, hint: &'static str) -> GeneSetError {
    GeneSetError::NotText {
        origin: origin.to_owned(),
        line,
        reason: reason.to_owned(),
        hint,
    }
}

/// Returns the bytes as `&str` if they look like UTF-8 text.
pub(crate) fn check_text<'a>(bytes: &'a [u8], origin: &str) -> Result<&'a str, GeneSetError> {
    const MAGIC: [(&[u8], &str, &str); 5] = [
        (
            b"\x1f\x8b",
            "gzip-compressed data",
            "decompress it first (gunzip)",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            "zstd-compressed data",
            "decompress it first (unzstd)",
        ),
        (
            b"PK\x03\x04",
            "a zip archive (or xlsx workbook)",
            "extract the GMT file, or save the sheet as tab-separated text",
        ),
        (b"\xff\xfe", "UTF-16 text", "save it as UTF-8"),
        (b"\xfe\xff", "UTF-16 text", "save it as UTF-8"),
    ];
    for (magic, what, hint) in MAGIC {
        if bytes.starts_with(magic) {
            return Err(GeneSetError::NotText {
                origin: origin.to_owned(),
                line: 1,
                reason: what.to_owned(),
                hint,
            });
        }
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        not_text(origin, line, "invalid UTF-8", "save it as UTF-8 text")
    })
}

/// Splits on `\n`, `\r\n` and bare `\r`, without the terminators. A final
/// terminator does not start an extra line.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.find(['\n', '\r']) {
            None => Some(std::mem::take(&mut rest)),
            Some(i) => {
                let line = &rest[..i];
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
                Some(line)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> GeneSetError {
        parse_gmt(text, "t.gmt").unwrap_err()
    }

    #[test]
    fn test_lines() {
        let v: Vec<&str> = lines("a\r\nb\rc\n\nd").collect();
        assert_eq!(v, ["a", "b", "c", "", "d"]);
        assert_eq!(lines("a\n").count(), 1);
        assert_eq!(lines("").count(), 0);
    }

    #[test]
    fn test_parse_gmt_basic() {
        let c = parse_gmt("A\tdesc a\tX\tY\nB\tdesc b\tZ\n", "t.gmt").unwrap();
        assert_eq!(c.name(), "t.gmt");
        assert_eq!(c.version(), None);
        assert_eq!(c.source(), "GMT file t.gmt");
        assert_eq!(c.sets()[0].id(), "A");
        assert_eq!(c.sets()[0].name(), "desc a");
        assert_eq!(c.sets()[0].genes(), ["X", "Y"]);
        assert_eq!(c.sets()[1].genes(), ["Z"]);
    }

    #[test]
    fn test_parse_gmt_tolerates_crlf_cr_bom_blank_trailing_tabs() {
        let text = "\u{feff}A\td\tX\tY\t\t\r\n\r\n  \nB\td\tZ\t\tW \rC\t\tV";
        let (c, diag) = parse_gmt_with_diagnostics(text, "t.gmt").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.get("A").unwrap().genes(), ["X", "Y"]);
        assert_eq!(c.get("B").unwrap().genes(), ["Z", "W"]);
        assert_eq!(c.get("C").unwrap().name(), "");
        assert_eq!(c.get("C").unwrap().genes(), ["V"]);
        assert_eq!(diag.blank_lines, 2);
    }

    #[test]
    fn test_parse_gmt_dedupes_genes_keeping_first_order() {
        let (c, diag) = parse_gmt_with_diagnostics("A\td\tY\tX\tY\tZ\tX\n", "t.gmt").unwrap();
        assert_eq!(c.get("A").unwrap().genes(), ["Y", "X", "Z"]);
        assert_eq!(
            diag.duplicate_genes,
            vec![DuplicateGenes {
                line: 1,
                id: "A".into(),
                removed: 2
            }]
        );
    }

    #[test]
    fn test_parse_gmt_too_few_fields() {
        assert_eq!(
            err("A\td\tX\nB\td\n"),
            GeneSetError::TooFewFields {
                origin: "t.gmt".into(),
                line: 2,
                found: 2
            }
        );
        // Trailing tabs do not make a gene.
        assert_eq!(
            err("A\td\t\t\n"),
            GeneSetError::TooFewFields {
                origin: "t.gmt".into(),
                line: 1,
                found: 2
            }
        );
        // Spaces instead of tabs: one field.
        let e = err("\nA d X Y\n");
        assert_eq!(
            e,
            GeneSetError::TooFewFields {
                origin: "t.gmt".into(),
                line: 2,
                found: 1
            }
        );
        assert!(e.to_string().contains("not spaces"));
    }

    #[test]
    fn test_parse_gmt_empty_id() {
        assert_eq!(
            err("A\td\tX\n\td\tY\n"),
            GeneSetError::EmptyId {
                origin: "t.gmt".into(),
                line: 2
            }
        );
    }

    #[test]
    fn test_parse_gmt_duplicate_id() {
        let e = err("A\td\tX\nB\td\tY\r\n\r\nA\te\tZ\n");
        assert_eq!(
            e,
            GeneSetError::DuplicateId {
                origin: "t.gmt".into(),
                id: "A".into(),
                first_line: 1,
                line: 4
            }
        );
        assert!(e.to_string().contains("lines 1 and 4"));
    }

    #[test]
    fn test_parse_gmt_empty() {
        assert_eq!(
            err(""),
            GeneSetError::Empty {
                origin: "t.gmt".into()
            }
        );
        assert_eq!(
            err("\n \r\n"),
            GeneSetError::Empty {
                origin: "t.gmt".into()
            }
        );
    }

    #[test]
    fn test_parse_gmt_not_text() {
        assert!(matches!(
            err("A\td\tX\nB\0\td\tY"),
            GeneSetError::NotText { line: 2, .. }
        ));
        let gz = parse_gmt_bytes(b"\x1f\x8b\x08\x00rest", "t.gmt.gz").unwrap_err();
        assert!(
            matches!(&gz, GeneSetError::NotText { line: 1, reason, .. } if reason.contains("gzip"))
        );
        assert!(gz.to_string().contains("gunzip"));
        let zip = parse_gmt_bytes(b"PK\x03\x04....", "t.xlsx").unwrap_err();
        assert!(matches!(zip, GeneSetError::NotText { .. }));
        let bad = parse_gmt_bytes(b"A\td\tX\nB\td\t\xff\xfe\n", "t.gmt").unwrap_err();
        assert!(
            matches!(&bad, GeneSetError::NotText { line: 2, reason, .. } if reason == "invalid UTF-8")
        );
    }

    #[test]
    fn test_read_gmt() {
        let c = read_gmt(&b"A\td\tX\tY\n"[..], "t.gmt").unwrap();
        assert_eq!(c.get("A").unwrap().len(), 2);
    }

    #[test]
    fn test_read_gmt_read_error() {
        struct Failing;
        impl std::io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let e = read_gmt(std::io::BufReader::new(Failing), "t.gmt").unwrap_err();
        assert_eq!(
            e,
            GeneSetError::Read {
                origin: "t.gmt".into(),
                reason: "disk on fire".into()
            }
        );
    }

    #[test]
    fn test_write_gmt_round_trip() {
        let text = "A\tfirst set\tX\tY\tZ\nB\t\tW\nGO:1\tsome process\tY\n";
        let c = parse_gmt(text, "t.gmt").unwrap();
        let mut out = Vec::new();
        write_gmt(&c, &mut out).unwrap();
        assert_eq!(String::from_utf8(out.clone()).unwrap(), text);
        let again = parse_gmt_bytes(&out, "t.gmt").unwrap();
        assert_eq!(again, c);
    }

    #[test]
    fn test_write_gmt_rejects_empty_set() {
        let c = GeneSetCollection::new(
            "x",
            None,
            "",
            vec![GeneSet::new("A", "a", Vec::<String>::new()).unwrap()],
        )
        .unwrap();
        let e = write_gmt(&c, Vec::new()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
    }
}
