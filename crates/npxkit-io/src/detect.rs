//! Format detection from content: magic bytes for binary containers, then the shape of
//! the first lines for text. Extensions are never trusted (deliveries get renamed).

use crate::npx_long::normalise_header;
use crate::text::{guess_separator, records, split_fields};

/// The supported kinds of Olink NPX file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Long delimited text, one row per sample × assay (NPX Signature / Manager, Explore).
    LongCsv {
        /// Field separator.
        separator: u8,
    },
    /// Target 96 wide export: header rows, one row per sample, LOD footer rows.
    WideCsv {
        /// Field separator.
        separator: u8,
    },
    /// Explore HT / Explore 3072 parquet delivery.
    Parquet,
    /// Zip delivery holding one NPX file and a checksum file.
    Zip,
    /// Excel workbook (a zip container with `xl/` parts).
    Xlsx,
}

impl Format {
    /// A short human name for messages and `run.json`.
    pub fn name(&self) -> &'static str {
        match self {
            Format::LongCsv { .. } => "long CSV",
            Format::WideCsv { .. } => "wide CSV",
            Format::Parquet => "parquet",
            Format::Zip => "zip delivery",
            Format::Xlsx => "Excel workbook",
        }
    }
}

/// How many leading bytes are inspected for binary content.
const SNIFF_BYTES: usize = 8192;
/// How many leading bytes are read as text to find header rows: a Target 96 export
/// with 8 panels has header rows of several KiB each.
const TEXT_SNIFF_BYTES: usize = 1 << 20;
/// How many leading records may precede the `OlinkID` row of a wide export.
pub(crate) const WIDE_HEADER_ROWS: usize = 20;

/// Detects the format of `bytes`, or says why it is none of the supported ones.
pub fn detect_format(bytes: &[u8]) -> Result<Format, String> {
    if bytes.starts_with(b"PAR1") {
        return Ok(Format::Parquet);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(1 << 16)];
        let is_xlsx =
            windows_contains(head, b"[Content_Types].xml") && windows_contains(head, b"xl/");
        return Ok(if is_xlsx { Format::Xlsx } else { Format::Zip });
    }
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
        return Err("binary content that is neither parquet nor zip".into());
    }
    let head = &bytes[..bytes.len().min(TEXT_SNIFF_BYTES)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut at the sniff boundary is fine.
        Err(e) if e.valid_up_to() + 4 >= head.len() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => {
            return Err("text that is not UTF-8 (or binary); re-export the file as UTF-8".into())
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first: Vec<_> = records(text).take(WIDE_HEADER_ROWS).collect();
    let Some(header) = first.first() else {
        return Err("no text lines".into());
    };
    if is_wide(&first) {
        // The panel row has the most separators; the title row may have few.
        let sep = first
            .iter()
            .find(|r| first_cell_is(r.text, "panel"))
            .and_then(|r| guess_separator(r.text))
            .unwrap_or(b';');
        return Ok(Format::WideCsv { separator: sep });
    }
    match guess_separator(header.text) {
        Some(separator) => Ok(Format::LongCsv { separator }),
        None => Err(format!(
            "the first line has no `;`, `,` or tab separator: `{}`",
            truncate(header.text, 60)
        )),
    }
}

fn is_wide(first: &[crate::text::Record<'_>]) -> bool {
    first.iter().any(|r| first_cell_is(r.text, "olinkid"))
        && first.iter().any(|r| first_cell_is(r.text, "assay"))
}

fn first_cell_is(record: &str, name: &str) -> bool {
    let sep = guess_separator(record).unwrap_or(b';');
    split_fields(record, sep)
        .first()
        .is_some_and(|c| normalise_header(c) == name)
}

fn windows_contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// How a separator is named in messages.
pub(crate) fn separator_name(sep: u8) -> &'static str {
    match sep {
        b'\t' => "tab",
        b';' => "`;`",
        b',' => "`,`",
        b'|' => "`|`",
        _ => "the detected separator",
    }
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_detect_format() {
        assert_eq!(detect_format(b"PAR1xxxx"), Ok(Format::Parquet));
        assert_eq!(detect_format(b"PK\x03\x04abc"), Ok(Format::Zip));
        assert_eq!(
            detect_format(b"SampleID;OlinkID;NPX\nA;B;1\n"),
            Ok(Format::LongCsv { separator: b';' })
        );
        assert_eq!(
            detect_format(b"SampleID,OlinkID,NPX\n"),
            Ok(Format::LongCsv { separator: b',' })
        );
        let wide =
            "t;v;;\nNPX Data;;;\nPanel;P;P;P\nAssay;A;B;C\nUniprot ID;u;v;w\nOlinkID;O1;O2;O3\n";
        assert_eq!(
            detect_format(wide.as_bytes()),
            Ok(Format::WideCsv { separator: b';' })
        );
        assert!(detect_format(b"\x00\x01\x02garbage").is_err());
        assert!(detect_format(b"just one column\n").is_err());
        assert!(detect_format(b"\n\n").is_err());
    }
}
