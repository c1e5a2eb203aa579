//! Pairing samples by subject across the levels of a group (timepoints).

use std::collections::BTreeMap;

use crate::error::{examples, CoreError};
use crate::matrix::NpxMatrix;

/// Subjects with one sample at every level, and the samples left over.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairing {
    /// The manifest column naming the subject.
    pub subject_column: String,
    /// The levels, in the order given (or sorted, when none were given).
    pub levels: Vec<String>,
    /// Complete subjects: name and the matrix column of its sample at each level.
    pub complete: Vec<(String, Vec<usize>)>,
    /// Columns of samples whose subject lacks a level, or that have no subject/group.
    pub unpaired: Vec<usize>,
}

/// Finds complete subjects: `pair_col` names the subject, `group_col` the timepoint;
/// `levels` restricts and orders the levels (all levels, sorted, when `None`).
/// A subject with two samples at one level is an error.
pub fn pair_samples(
    m: &NpxMatrix,
    pair_col: &str,
    group_col: &str,
    levels: Option<&[String]>,
) -> Result<Pairing, CoreError> {
    let manifest = m.manifest.as_ref().ok_or_else(|| {
        CoreError::InvalidOption("pairing needs a sample manifest (--samples)".into())
    })?;
    let column = |name: &str| {
        manifest
            .column_index(name)
            .ok_or_else(|| CoreError::NoSuchColumn {
                column: name.to_string(),
                available: manifest.columns().join(", "),
            })
    };
    let subjects = m.sample_values(column(pair_col)?);
    let groups = m.sample_values(column(group_col)?);
    let levels: Vec<String> = match levels {
        Some(l) => l.to_vec(),
        None => {
            let mut l: Vec<String> = groups.iter().flatten().map(|s| s.to_string()).collect();
            l.sort();
            l.dedup();
            l
        }
    };
    let mut by_subject: BTreeMap<&str, Vec<Vec<usize>>> = BTreeMap::new();
    let mut unpaired = Vec::new();
    for (j, (s, g)) in subjects.iter().zip(&groups).enumerate() {
        let (Some(s), Some(g)) = (s, g) else {
            unpaired.push(j);
            continue;
        };
        let Some(level) = levels.iter().position(|l| l == g) else {
            continue; // a level outside the comparison
        };
        by_subject
            .entry(s)
            .or_insert_with(|| vec![vec![]; levels.len()])[level]
            .push(j);
    }
    let mut complete = Vec::new();
    for (subject, per_level) in by_subject {
        if let Some((l, cols)) = per_level.iter().enumerate().find(|(_, c)| c.len() > 1) {
            return Err(CoreError::AmbiguousPair {
                subject: subject.to_string(),
                level: levels[l].clone(),
                count: cols.len(),
                samples: examples(
                    cols.iter().map(|&j| m.samples[j].sample_id.clone()),
                    cols.len(),
                ),
            });
        }
        if per_level.iter().all(|c| c.len() == 1) {
            complete.push((
                subject.to_string(),
                per_level.iter().map(|c| c[0]).collect(),
            ));
        } else {
            unpaired.extend(per_level.iter().flatten());
        }
    }
    unpaired.sort_unstable();
    Ok(Pairing {
        subject_column: pair_col.to_string(),
        levels,
        complete,
        unpaired,
    })
}
