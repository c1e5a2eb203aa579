//! Small, quote-aware helpers for delimited text: splitting a file into records and
//! records into fields, counting fields without allocating, and parsing numbers as
//! Olink exports write them (decimal point or comma, Excel scientific notation, `NA`).
//!
//! Written here rather than taken from a crate because the readers need the 1-based
//! line of every record for error messages, and because the wide Target 96 layout is
//! ragged and positional, which row-oriented CSV crates do not model.

use std::borrow::Cow;

/// One record of a delimited text file.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// 1-based line on which the record starts.
    pub line: usize,
    /// The record's text without its line ending.
    pub text: &'a str,
}

/// Splits `text` into records at line endings outside double quotes, skipping blank
/// lines. `\r\n` and `\n` endings are both accepted.
pub fn records(text: &str) -> impl Iterator<Item = Record<'_>> {
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    let mut line = 1usize;
    std::iter::from_fn(move || loop {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let start_line = line;
        let mut in_quotes = false;
        while pos < bytes.len() {
            match bytes[pos] {
                b'"' => in_quotes = !in_quotes,
                b'\n' => {
                    line += 1;
                    if !in_quotes {
                        break;
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        let mut end = pos;
        pos += 1; // skip the newline
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let rec = &text[start..end];
        if !rec.trim().is_empty() {
            return Some(Record {
                line: start_line,
                text: rec,
            });
        }
    })
}

/// Counts the fields of a record (separators outside quotes, plus one).
pub fn count_fields(record: &str, sep: u8) -> usize {
    let mut n = 1;
    let mut in_quotes = false;
    for &b in record.as_bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == sep && !in_quotes {
            n += 1;
        }
    }
    n
}

/// Splits a record into fields, removing surrounding quotes and undoubling `""`.
pub fn split_fields(record: &str, sep: u8) -> Vec<Cow<'_, str>> {
    let bytes = record.as_bytes();
    let mut fields = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == sep && !in_quotes {
            fields.push(unquote(&record[start..i]));
            start = i + 1;
        }
    }
    fields.push(unquote(&record[start..]));
    fields
}

fn unquote(field: &str) -> Cow<'_, str> {
    let t = field.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        let inner = &t[1..t.len() - 1];
        if inner.contains("\"\"") {
            Cow::Owned(inner.replace("\"\"", "\""))
        } else {
            Cow::Borrowed(inner)
        }
    } else {
        Cow::Borrowed(t)
    }
}

/// Guesses the separator of a header line: the most frequent of `;`, tab and `,`
/// outside quotes, or `None` when the line has none of them.
pub fn guess_separator(header: &str) -> Option<u8> {
    let mut best: Option<(u8, usize)> = None;
    for sep in [b';', b'\t', b','] {
        let n = count_fields(header, sep) - 1;
        if n > 0 && best.is_none_or(|(_, m)| n > m) {
            best = Some((sep, n));
        }
    }
    best.map(|(s, _)| s)
}

/// Why a text could not be read as a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Neither a number nor a missing-value marker.
    NotANumber,
    /// Infinite or otherwise not finite.
    NotFinite,
}

/// Is this text one of the markers exports use for a missing value?
pub fn is_missing_marker(s: &str) -> bool {
    matches!(
        s,
        "" | "NA" | "NaN" | "nan" | "NAN" | "N/A" | "#N/A" | "na" | "null" | "NULL" | "-"
    )
}

/// Parses a number as Olink exports write it: `12.96`, `12,96` (decimal comma),
/// `-5.62397E-05`, `9%` (percent, returned as a fraction); missing markers give NaN.
pub fn parse_number(raw: &str) -> Result<f64, NumberError> {
    let s = raw.trim();
    if is_missing_marker(s) {
        return Ok(f64::NAN);
    }
    let (s, scale) = match s.strip_suffix('%') {
        Some(rest) => (rest.trim_end(), 0.01),
        None => (s, 1.0),
    };
    let value = if s.contains(',') {
        if s.contains('.') || s.matches(',').count() > 1 {
            return Err(NumberError::NotANumber);
        }
        s.replacen(',', ".", 1).parse::<f64>()
    } else {
        s.parse::<f64>()
    };
    match value {
        Ok(v) if v.is_finite() => Ok(v * scale),
        Ok(_) => Err(NumberError::NotFinite),
        Err(_) => Err(NumberError::NotANumber),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_records_skip_blank_and_track_lines() {
        let text = "a;b\r\n\n1;\"x\ny\"\n2;3";
        let recs: Vec<_> = records(text).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!((recs[0].line, recs[0].text), (1, "a;b"));
        assert_eq!((recs[1].line, recs[1].text), (3, "1;\"x\ny\""));
        assert_eq!((recs[2].line, recs[2].text), (5, "2;3"));
    }

    #[test]
    fn test_split_and_count_fields() {
        let r = "\"A 1\";\"x;y\";\"say \"\"hi\"\"\";;3";
        assert_eq!(count_fields(r, b';'), 5);
        let f = split_fields(r, b';');
        assert_eq!(f, vec!["A 1", "x;y", "say \"hi\"", "", "3"]);
    }

    #[test]
    fn test_guess_separator() {
        assert_eq!(guess_separator("SampleID;OlinkID;NPX"), Some(b';'));
        assert_eq!(guess_separator("SampleID,OlinkID,NPX"), Some(b','));
        assert_eq!(guess_separator("SampleID\tOlinkID\tNPX"), Some(b'\t'));
        assert_eq!(guess_separator("\"a,b\";c"), Some(b';'));
        assert_eq!(guess_separator("SampleID"), None);
    }

    #[test]
    fn test_parse_number() {
        assert_eq!(parse_number("12.5"), Ok(12.5));
        assert_eq!(parse_number(" 12,5 "), Ok(12.5));
        assert_eq!(parse_number("-5.62397E-05"), Ok(-5.62397e-05));
        assert_eq!(parse_number("9%"), Ok(0.09));
        assert!(parse_number("NA").unwrap().is_nan());
        assert!(parse_number("").unwrap().is_nan());
        assert_eq!(parse_number("1,234.5"), Err(NumberError::NotANumber));
        assert_eq!(parse_number("abc"), Err(NumberError::NotANumber));
        assert_eq!(parse_number("inf"), Err(NumberError::NotFinite));
    }
}
