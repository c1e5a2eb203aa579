//! Target 96 wide exports (NPX Manager / NPX Signature "NPX Data" sheets saved as CSV).
//!
//! Layout, as in Olink's own example `npx_data_wide_csv.csv`:
//! ```text
//! <project>;<software>;;…                     title rows (any number, optional)
//! NPX Data;;…
//! Panel;<panel>;<panel>;…;<panel>;<panel>     one cell per column
//! Assay;<symbol>;…;Plate ID;Plate ID;QC Warning;QC Warning
//! Uniprot ID;<accession>;…
//! OlinkID;<OID>;…
//! ;;;…                                         separator row
//! <SampleID>;<NPX>;…;<plate>;<plate>;Pass;Pass one row per sample
//! ;;;…
//! LOD;<lod>;…                                  footers: LOD / Plate LOD / Max LOD,
//! Missing Data freq.;<freq or %>;…             Missing Data freq., Normalization
//! ```
//! `Plate ID` and `QC Warning` columns belong to the panel named above them, so each
//! measurement gets its own panel's plate and QC flag. Columns without an OlinkID
//! (internal controls, QC deviations) are kept out of the NPX table.

use polars::prelude::*;
use std::path::Path;

use crate::error::{IoError, Result};
use crate::npx_long::{col, normalise_header, normalise_qc};
use crate::text::{parse_number, records, split_fields, Record};

/// What a column of the wide table holds.
#[derive(Debug, Clone, PartialEq)]
enum WideColumn {
    Assay {
        olink_id: String,
        uniprot: String,
        assay: String,
        panel: String,
    },
    PlateId {
        panel: String,
    },
    QcWarning {
        panel: String,
    },
    Other,
}

/// One footer row's values, spread over the long table's rows.
struct FooterValues<'a> {
    target: &'a str,
    numbers: Vec<f64>,
    texts: Vec<Option<String>>,
}

/// Footer rows and the canonical column each fills.
const FOOTERS: &[(&str, &str)] = &[
    ("lod", col::LOD),
    ("platelod", col::LOD),
    ("maxlod", col::LOD),
    ("missingdatafreq", col::MISSING_FREQ),
    ("normalization", "Normalization"),
];

/// Reads a wide Target 96 export into the long layout.
pub fn read_wide(bytes: &[u8], separator: u8, path: &Path) -> Result<DataFrame> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| IoError::layout(path, "invalid UTF-8; re-export the file as UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let recs: Vec<Record<'_>> = records(text).collect();
    let find = |name: &str| {
        recs.iter()
            .take(crate::detect::WIDE_HEADER_ROWS)
            .position(|r| {
                split_fields(r.text, separator)
                    .first()
                    .is_some_and(|c| normalise_header(c) == name)
            })
    };
    let missing = |what: &str| {
        IoError::layout(
            path,
            format!("wide export without a `{what}` header row in its first lines; is this an Olink Target 96 NPX export?"),
        )
    };
    let panel_row = find("panel").ok_or_else(|| missing("Panel"))?;
    let assay_row = find("assay").ok_or_else(|| missing("Assay"))?;
    let uniprot_row = find("uniprotid")
        .or_else(|| find("uniprot"))
        .ok_or_else(|| missing("Uniprot ID"))?;
    let oid_row = find("olinkid").ok_or_else(|| missing("OlinkID"))?;
    let header = |i: usize| -> Vec<String> {
        split_fields(recs[i].text, separator)
            .into_iter()
            .map(|c| c.into_owned())
            .collect()
    };
    let (panels, assays, uniprots, oids) = (
        header(panel_row),
        header(assay_row),
        header(uniprot_row),
        header(oid_row),
    );
    let width = assays.len();
    let cell = |v: &Vec<String>, j: usize| v.get(j).cloned().unwrap_or_default();
    let columns: Vec<WideColumn> = (0..width)
        .map(|j| {
            let a = cell(&assays, j);
            match normalise_header(&a).as_str() {
                _ if j == 0 => WideColumn::Other,
                "plateid" => WideColumn::PlateId {
                    panel: cell(&panels, j),
                },
                "qcwarning" => WideColumn::QcWarning {
                    panel: cell(&panels, j),
                },
                _ if cell(&oids, j).trim().is_empty() => WideColumn::Other,
                _ => WideColumn::Assay {
                    olink_id: cell(&oids, j),
                    uniprot: cell(&uniprots, j),
                    assay: a,
                    panel: cell(&panels, j),
                },
            }
        })
        .collect();
    let n_assays = columns
        .iter()
        .filter(|c| matches!(c, WideColumn::Assay { .. }))
        .count();
    if n_assays == 0 {
        return Err(IoError::layout(
            path,
            "the OlinkID header row names no assay",
        ));
    }

    let mut footers: Vec<(&str, Vec<String>, usize)> = Vec::new();
    let mut samples: Vec<(usize, Vec<String>)> = Vec::new();
    for rec in &recs[oid_row + 1..] {
        let fields: Vec<String> = split_fields(rec.text, separator)
            .into_iter()
            .map(|c| c.into_owned())
            .collect();
        if fields.iter().all(|f| f.is_empty()) {
            continue;
        }
        let first = normalise_header(&fields[0]);
        if let Some((_, target)) = FOOTERS.iter().find(|(k, _)| *k == first) {
            footers.push((target, fields, rec.line));
            continue;
        }
        if !footers.is_empty() {
            return Err(IoError::layout(
                path,
                format!("line {}: sample row `{}` after the footer rows; sample rows must come before LOD / Missing Data freq.", rec.line, fields[0]),
            ));
        }
        if fields.len() != width {
            return Err(IoError::FieldCount {
                path: path.into(),
                line: rec.line,
                found: fields.len(),
                expected: width,
                hint: "sample rows must have one cell per header column; the file may be truncated or edited".into(),
            });
        }
        if fields[0].trim().is_empty() {
            return Err(IoError::InvalidValue {
                path: path.into(),
                line: rec.line,
                column: "SampleID".into(),
                message: "empty sample ID in the first column".into(),
            });
        }
        samples.push((rec.line, fields));
    }
    if samples.is_empty() {
        return Err(IoError::layout(
            path,
            "no sample rows after the OlinkID header row",
        ));
    }
    build_long(&columns, &samples, &footers, path)
}

fn build_long(
    columns: &[WideColumn],
    samples: &[(usize, Vec<String>)],
    footers: &[(&str, Vec<String>, usize)],
    path: &Path,
) -> Result<DataFrame> {
    let n = samples.len() * columns.len();
    let mut sample_id = Vec::with_capacity(n);
    let mut index = Vec::with_capacity(n);
    let (mut oid, mut uniprot, mut assay, mut panel) = (vec![], vec![], vec![], vec![]);
    let (mut plate, mut qc, mut npx) = (vec![], vec![], Vec::with_capacity(n));
    let mut footer_values: Vec<FooterValues<'_>> = footers
        .iter()
        .map(|(target, _, _)| FooterValues {
            target,
            numbers: vec![],
            texts: vec![],
        })
        .collect();
    // Each assay column's panel-specific plate and QC columns, found once.
    let panel_column = |j: usize, want_plate: bool| {
        let WideColumn::Assay { panel: p, .. } = &columns[j] else {
            return None;
        };
        columns.iter().position(|c| match c {
            WideColumn::PlateId { panel } if want_plate => panel == p,
            WideColumn::QcWarning { panel } if !want_plate => panel == p,
            _ => false,
        })
    };
    let plate_col: Vec<Option<usize>> = (0..columns.len()).map(|j| panel_column(j, true)).collect();
    let qc_col: Vec<Option<usize>> = (0..columns.len()).map(|j| panel_column(j, false)).collect();
    for (s, (line, fields)) in samples.iter().enumerate() {
        for (j, c) in columns.iter().enumerate() {
            let WideColumn::Assay {
                olink_id,
                uniprot: u,
                assay: a,
                panel: p,
            } = c
            else {
                continue;
            };
            let value = parse_number(&fields[j]).map_err(|_| IoError::InvalidValue {
                path: path.into(),
                line: *line,
                column: format!("column {} ({a}, {olink_id})", j + 1),
                message: format!(
                    "`{}` is not a number; write NPX like 3.14 and NA for missing",
                    fields[j]
                ),
            })?;
            sample_id.push(fields[0].clone());
            index.push(s as u32 + 1);
            oid.push(olink_id.clone());
            uniprot.push(u.clone());
            assay.push(a.clone());
            panel.push(p.clone());
            plate.push(
                plate_col[j]
                    .map(|k| fields[k].clone())
                    .filter(|v| !v.is_empty()),
            );
            qc.push(qc_col[j].and_then(|k| normalise_qc(&fields[k])));
            npx.push(value);
            for (k, (target, fvals, _)) in footers.iter().enumerate() {
                let raw = fvals.get(j).map(|s| s.as_str()).unwrap_or("");
                if *target == "Normalization" {
                    footer_values[k]
                        .texts
                        .push(Some(raw.to_string()).filter(|s| !s.is_empty()));
                } else {
                    let v = parse_number(raw).map_err(|_| IoError::InvalidValue {
                        path: path.into(),
                        line: footers[k].2,
                        column: format!("{a} ({olink_id})"),
                        message: format!("`{raw}` in the {target} footer is not a number"),
                    })?;
                    footer_values[k].numbers.push(v);
                }
            }
        }
    }
    let mut cols: Vec<Column> = vec![
        Column::new(col::SAMPLE_ID.into(), sample_id),
        Column::new("Index".into(), index),
        Column::new(col::OLINK_ID.into(), oid),
        Column::new(col::UNIPROT.into(), uniprot),
        Column::new(col::ASSAY.into(), assay),
        Column::new(col::PANEL.into(), panel),
        Column::new(col::PLATE_ID.into(), plate),
        Column::new(col::SAMPLE_QC.into(), qc),
        Column::new(col::NPX.into(), npx),
    ];
    for FooterValues {
        target,
        numbers,
        texts,
    } in footer_values
    {
        if cols.iter().any(|c| c.name().as_str() == target) {
            continue; // first LOD-like footer wins (LOD before Max LOD)
        }
        if target == "Normalization" {
            cols.push(Column::new(target.into(), texts));
        } else {
            cols.push(Column::new(target.into(), numbers));
        }
    }
    DataFrame::new_infer_height(cols).map_err(|e| IoError::engine(path, e))
}
