//! Design matrices from the sample manifest, as R's `model.matrix` with treatment
//! contrasts, and the contrast vectors `npxkit de --contrast B-A` asks for.
//!
//! The model is `~ pair + group + covariates` (limma's standard paired design puts the
//! subject first: `~ subject + timepoint`). Columns, in this order:
//! 1. `(Intercept)`;
//! 2. with a pair column, one indicator per subject but the first (`subjectP002`, …);
//!    subjects with a single sample stay in, as in limma (their indicator fits that
//!    sample exactly, so they add nothing but do no harm);
//! 3. one indicator per group level but the reference (`timepointC2D1`, …);
//! 4. per covariate: a numeric column named as the covariate (`age`) when every present
//!    value parses as a finite number, else a factor with treatment contrasts
//!    (`sexM`, …).
//!
//! Names are `{column}{level}` with the manifest's column name, as R names them.
//!
//! **Level order.** Factor levels are sorted by byte order of their UTF-8 text (R's
//! `sort()` in the C locale; R in a UTF-8 locale may order mixed-case or accented
//! levels differently). The first level is the reference, except for the group: its
//! reference is the second level of the first contrast (`--contrast C2D1-C1D1` →
//! `C1D1`, as `relevel()` would make it). Level order changes only the names of the
//! columns, never the estimated contrasts.
//!
//! **Missing values.** Samples with no value in a used column are dropped from the
//! model (R's `na.omit`), with a warning in [`Design::warnings`]. Levels are taken
//! from the samples that stay.

use std::collections::BTreeSet;

use ndarray::Array2;

use crate::error::{examples, CoreError};
use crate::matrix::NpxMatrix;

/// Name of the intercept column, as R's `model.matrix`.
pub const INTERCEPT: &str = "(Intercept)";

/// What to build the design from: manifest column names and contrast texts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DesignSpec {
    /// Column with the group (timepoint, treatment arm) compared by the contrasts.
    pub group: String,
    /// Column with the subject, a blocking fixed effect (paired design).
    pub pair: Option<String>,
    /// Further columns adjusted for (numeric or categorical).
    pub covariates: Vec<String>,
    /// Contrasts as `B-A` (level B minus level A of the group), at least one.
    pub contrasts: Vec<String>,
}

/// One contrast of group levels expressed over the design's coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    /// The contrast as given (`C2D1-C1D1`).
    pub name: String,
    /// The level whose mean comes first (`C2D1`).
    pub level: String,
    /// The level subtracted (`C1D1`).
    pub baseline: String,
    /// Weight of each coefficient (limma's contrast matrix column).
    pub weights: Vec<f64>,
    /// The coefficient the contrast equals, when it is a single coefficient with
    /// weight +1 (the baseline is the reference level): no `contrasts.fit` needed.
    pub coef: Option<usize>,
}

/// A design matrix over the samples that have every used value.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Samples × coefficients.
    pub matrix: Array2<f64>,
    /// Column names (see the module documentation).
    pub coef_names: Vec<String>,
    /// Matrix columns (samples of the [`NpxMatrix`]) the rows stand for, in order.
    pub samples: Vec<usize>,
    /// Matrix columns dropped for a missing value in a used column.
    pub dropped: Vec<usize>,
    /// Group levels present, the reference first, then byte order.
    pub group_levels: Vec<String>,
    /// The contrasts, in the order given.
    pub contrasts: Vec<Contrast>,
    /// Things the user should know (dropped samples).
    pub warnings: Vec<String>,
}

impl Design {
    /// The contrast matrix (coefficients × contrasts), as limma's `makeContrasts`.
    pub fn contrast_matrix(&self) -> Array2<f64> {
        let mut c = Array2::zeros((self.coef_names.len(), self.contrasts.len()));
        for (k, con) in self.contrasts.iter().enumerate() {
            for (j, &w) in con.weights.iter().enumerate() {
                c[[j, k]] = w;
            }
        }
        c
    }
}

/// A manifest column's values for the matrix's samples.
struct Column<'a> {
    name: String,
    values: Vec<Option<&'a str>>,
}

/// How a column enters the model.
enum Term {
    /// One column per level but the first (the reference).
    Factor { name: String, levels: Vec<String> },
    /// The values as they are.
    Numeric { name: String },
}

/// Builds the design matrix for `spec` over the samples of `m`.
///
/// # Errors
/// No manifest; a column the manifest lacks ([`CoreError::NoSuchColumn`]); a column
/// used twice, a malformed contrast or a factor with a single level
/// ([`CoreError::InvalidOption`]); a contrast naming a level the group does not have
/// ([`CoreError::UnknownLevel`]).
pub fn build_design(m: &NpxMatrix, spec: &DesignSpec) -> Result<Design, CoreError> {
    let manifest = m.manifest.as_ref().ok_or_else(|| {
        CoreError::InvalidOption("a design needs a sample manifest (--samples)".into())
    })?;
    if spec.contrasts.is_empty() {
        return Err(CoreError::InvalidOption(
            "give at least one --contrast, e.g. --contrast C2D1-C1D1".into(),
        ));
    }
    let column = |name: &str| -> Result<Column<'_>, CoreError> {
        let j = manifest
            .column_index(name)
            .ok_or_else(|| CoreError::NoSuchColumn {
                column: name.to_string(),
                available: manifest.columns().join(", "),
            })?;
        Ok(Column {
            name: manifest.columns()[j].clone(),
            values: m.sample_values(j),
        })
    };
    let group = column(&spec.group)?;
    let pair = spec.pair.as_deref().map(column).transpose()?;
    let covariates: Vec<Column<'_>> = spec
        .covariates
        .iter()
        .map(|c| column(c))
        .collect::<Result<_, _>>()?;
    check_distinct(&group, pair.as_ref(), &covariates)?;

    // Samples with every used value (R's na.omit), with a warning per column.
    let used: Vec<&Column<'_>> = pair
        .iter()
        .chain(std::iter::once(&group))
        .chain(&covariates)
        .collect();
    let mut warnings = Vec::new();
    let mut drop = vec![false; m.n_samples()];
    for c in &used {
        let missing: Vec<usize> = (0..m.n_samples())
            .filter(|&j| c.values[j].is_none())
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "{} sample(s) dropped from the model: no value in column `{}` ({})",
                missing.len(),
                c.name,
                examples(
                    missing.iter().map(|&j| m.samples[j].sample_id.clone()),
                    missing.len()
                )
            ));
            missing.iter().for_each(|&j| drop[j] = true);
        }
    }
    let samples: Vec<usize> = (0..m.n_samples()).filter(|&j| !drop[j]).collect();
    let dropped: Vec<usize> = (0..m.n_samples()).filter(|&j| drop[j]).collect();
    let kept = |c: &Column<'_>| -> Vec<String> {
        samples
            .iter()
            .map(|&j| c.values[j].unwrap_or_default().to_string())
            .collect()
    };

    // Group levels and contrasts; the reference is the first contrast's baseline.
    let group_values = kept(&group);
    let mut group_levels = sorted_levels(&group_values);
    let parsed: Vec<(String, String)> = spec
        .contrasts
        .iter()
        .map(|c| parse_contrast(c, &group.name, &group_levels))
        .collect::<Result<_, _>>()?;
    let reference = parsed[0].1.clone();
    group_levels.retain(|l| *l != reference);
    group_levels.insert(0, reference);

    let mut terms = Vec::new();
    if let Some(p) = &pair {
        let levels = single_level_check(&p.name, sorted_levels(&kept(p)))?;
        terms.push((
            Term::Factor {
                name: p.name.clone(),
                levels,
            },
            kept(p),
        ));
    }
    let group_at = terms.len();
    terms.push((
        Term::Factor {
            name: group.name.clone(),
            levels: group_levels.clone(),
        },
        group_values,
    ));
    for c in &covariates {
        let values = kept(c);
        let term = if values.iter().all(|v| parse_number(v).is_some()) {
            Term::Numeric {
                name: c.name.clone(),
            }
        } else {
            Term::Factor {
                name: c.name.clone(),
                levels: single_level_check(&c.name, sorted_levels(&values))?,
            }
        };
        terms.push((term, values));
    }

    let (matrix, coef_names, group_first) = assemble(samples.len(), &terms, group_at);
    let contrasts = parsed
        .into_iter()
        .zip(&spec.contrasts)
        .map(|((level, baseline), name)| {
            let mut weights = vec![0.0; coef_names.len()];
            let at = |l: &str| {
                group_levels
                    .iter()
                    .position(|g| g == l)
                    .filter(|&i| i > 0)
                    .map(|i| group_first + i - 1)
            };
            let plus = at(&level);
            let minus = at(&baseline);
            if let Some(j) = plus {
                weights[j] += 1.0;
            }
            if let Some(j) = minus {
                weights[j] -= 1.0;
            }
            Contrast {
                name: name.trim().to_string(),
                level,
                baseline,
                weights,
                coef: if minus.is_none() { plus } else { None },
            }
        })
        .collect();
    Ok(Design {
        matrix,
        coef_names,
        samples,
        dropped,
        group_levels,
        contrasts,
        warnings,
    })
}

/// Fills the matrix from the terms; returns it, the column names and the index of
/// the group's first column.
fn assemble(
    n: usize,
    terms: &[(Term, Vec<String>)],
    group_at: usize,
) -> (Array2<f64>, Vec<String>, usize) {
    let mut names = vec![INTERCEPT.to_string()];
    let mut columns: Vec<Vec<f64>> = vec![vec![1.0; n]];
    let mut group_first = 0;
    for (t, (term, values)) in terms.iter().enumerate() {
        if t == group_at {
            group_first = names.len();
        }
        match term {
            Term::Numeric { name } => {
                names.push(name.clone());
                columns.push(values.iter().map(|v| parse_number(v).unwrap()).collect());
            }
            Term::Factor { name, levels } => {
                for level in &levels[1..] {
                    names.push(format!("{name}{level}"));
                    columns.push(
                        values
                            .iter()
                            .map(|v| if v == level { 1.0 } else { 0.0 })
                            .collect(),
                    );
                }
            }
        }
    }
    let mut matrix = Array2::zeros((n, columns.len()));
    for (j, col) in columns.iter().enumerate() {
        for (i, &v) in col.iter().enumerate() {
            matrix[[i, j]] = v;
        }
    }
    (matrix, names, group_first)
}

/// Fails when one manifest column is used twice.
fn check_distinct(
    group: &Column<'_>,
    pair: Option<&Column<'_>>,
    covariates: &[Column<'_>],
) -> Result<(), CoreError> {
    let mut seen = BTreeSet::new();
    for c in std::iter::once(group).chain(pair).chain(covariates) {
        if !seen.insert(c.name.as_str()) {
            return Err(CoreError::InvalidOption(format!(
                "column `{}` is used twice in the model (--group, --pair, --covariates); name each column once",
                c.name
            )));
        }
    }
    Ok(())
}

/// Distinct values in byte order (R's `sort()` in the C locale).
fn sorted_levels(values: &[String]) -> Vec<String> {
    values
        .iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Fails for a factor with fewer than two levels (R: "contrasts can be applied only
/// to factors with 2 or more levels").
fn single_level_check(name: &str, levels: Vec<String>) -> Result<Vec<String>, CoreError> {
    if levels.len() < 2 {
        return Err(CoreError::InvalidOption(format!(
            "column `{name}` has {} level(s) ({}) among the analysed samples; a factor in the model needs at least two — leave it out",
            levels.len(),
            levels.join(", ")
        )));
    }
    Ok(levels)
}

/// A covariate value as a number, when it is one.
fn parse_number(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Splits `B-A` into (B, A), two levels of the group column `column`. Level names may contain `-`: every
/// split point is tried, and exactly one must give two known levels.
pub fn parse_contrast(
    text: &str,
    column: &str,
    levels: &[String],
) -> Result<(String, String), CoreError> {
    let text = text.trim();
    let unknown = || CoreError::UnknownLevel {
        contrast: text.to_string(),
        column: column.to_string(),
        levels: levels.join(", "),
    };
    if !text.contains('-') {
        return Err(CoreError::InvalidOption(format!(
            "--contrast `{text}` is not of the form B-A (level B minus level A of `{column}`); levels: {}",
            levels.join(", ")
        )));
    }
    let is_level = |s: &str| levels.iter().any(|l| l == s);
    let splits: Vec<(String, String)> = text
        .match_indices('-')
        .map(|(i, _)| (text[..i].trim(), text[i + 1..].trim()))
        .filter(|(b, a)| is_level(b) && is_level(a))
        .map(|(b, a)| (b.to_string(), a.to_string()))
        .collect();
    match splits.as_slice() {
        [] => Err(unknown()),
        [(b, a)] if b == a => Err(CoreError::InvalidOption(format!(
            "--contrast `{text}` compares level `{b}` with itself; name two different levels of `{column}`"
        ))),
        [(b, a)] => Ok((b.clone(), a.clone())),
        _ => Err(CoreError::InvalidOption(format!(
            "--contrast `{text}` can be read in more than one way with the levels of `{column}` ({}); rename the levels so that `-` separates them once",
            levels.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::SampleInfo;
    use npxkit_io::Manifest;
    use std::path::Path;

    fn matrix(manifest: &str) -> NpxMatrix {
        let man = Manifest::parse(manifest, Path::new("m.tsv")).unwrap();
        let samples: Vec<SampleInfo> = man
            .sample_ids()
            .iter()
            .enumerate()
            .map(|(i, id)| SampleInfo {
                sample_id: id.clone(),
                plate_id: None,
                qc_status: None,
                manifest_row: Some(i),
            })
            .collect();
        NpxMatrix {
            values: Array2::zeros((1, samples.len())),
            assays: vec![],
            samples,
            manifest: Some(man),
        }
    }

    const PAIRED: &str = "SampleID\tsubject\ttime\tage\tsex\n\
        S1\tP2\tC1D1\t50\tM\n\
        S2\tP2\tC2D1\t50\tM\n\
        S3\tP1\tC1D1\t61.5\tF\n\
        S4\tP1\tC2D1\t61.5\tF\n\
        S5\tP3\tC1D1\tNA\tF\n\
        S6\tP3\tEOT\t40\tF\n";

    fn spec(contrasts: &[&str]) -> DesignSpec {
        DesignSpec {
            group: "time".into(),
            pair: None,
            covariates: vec![],
            contrasts: contrasts.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn test_build_design_paired() {
        let m = matrix(PAIRED);
        let s = DesignSpec {
            pair: Some("subject".into()),
            ..spec(&["C2D1-C1D1"])
        };
        let d = build_design(&m, &s).unwrap();
        assert_eq!(
            d.coef_names,
            [
                "(Intercept)",
                "subjectP2",
                "subjectP3",
                "timeC2D1",
                "timeEOT"
            ]
        );
        assert_eq!(d.matrix.row(0).to_vec(), [1.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(d.matrix.row(5).to_vec(), [1.0, 0.0, 1.0, 0.0, 1.0]);
        assert_eq!(d.contrasts[0].coef, Some(3));
        assert_eq!(d.group_levels, ["C1D1", "C2D1", "EOT"]);
        assert!(d.dropped.is_empty() && d.warnings.is_empty());
    }

    #[test]
    fn test_build_design_reference_from_first_contrast() {
        let m = matrix(PAIRED);
        let d = build_design(&m, &spec(&["C1D1-EOT", "C2D1-C1D1"])).unwrap();
        assert_eq!(d.coef_names, ["(Intercept)", "timeC1D1", "timeC2D1"]);
        assert_eq!(d.contrasts[0].coef, Some(1));
        assert_eq!(d.contrasts[1].weights, [0.0, -1.0, 1.0]);
        assert_eq!(d.contrasts[1].coef, None);
        let c = d.contrast_matrix();
        assert_eq!(c.column(1).to_vec(), [0.0, -1.0, 1.0]);
        // Baseline minus reference needs a sign change: not a plain coefficient.
        let d = build_design(&m, &spec(&["C2D1-C1D1", "C1D1-C2D1"])).unwrap();
        assert_eq!(d.contrasts[1].weights, [0.0, -1.0, 0.0]);
        assert_eq!(d.contrasts[1].coef, None);
    }

    #[test]
    fn test_build_design_covariates_and_missing() {
        let m = matrix(PAIRED);
        let s = DesignSpec {
            covariates: vec!["age".into(), "sex".into()],
            ..spec(&["C2D1-C1D1"])
        };
        let d = build_design(&m, &s).unwrap();
        assert_eq!(
            d.coef_names,
            ["(Intercept)", "timeC2D1", "timeEOT", "age", "sexM"]
        );
        assert_eq!(d.samples, [0, 1, 2, 3, 5]);
        assert_eq!(d.dropped, [4]);
        assert!(d.warnings[0].contains("`age`") && d.warnings[0].contains("S5"));
        assert_eq!(d.matrix.row(2).to_vec(), [1.0, 0.0, 0.0, 61.5, 0.0]);
    }

    #[test]
    fn test_parse_contrast() {
        let lv: Vec<String> = ["A", "A-1", "B"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            parse_contrast("A-1-B", "g", &lv).unwrap(),
            ("A-1".into(), "B".into())
        );
        assert_eq!(
            parse_contrast(" B - A ", "g", &lv).unwrap(),
            ("B".into(), "A".into())
        );
        assert!(matches!(
            parse_contrast("C-A", "g", &lv),
            Err(CoreError::UnknownLevel { .. })
        ));
        assert!(matches!(
            parse_contrast("AB", "g", &lv),
            Err(CoreError::InvalidOption(_))
        ));
        assert!(matches!(
            parse_contrast("A-A", "g", &lv),
            Err(CoreError::InvalidOption(_))
        ));
    }

    #[test]
    fn test_build_design_errors() {
        let m = matrix(PAIRED);
        let e = build_design(&m, &spec(&["C3D1-C1D1"])).unwrap_err();
        assert!(e.to_string().contains("C1D1, C2D1, EOT"), "{e}");
        let s = DesignSpec {
            group: "visit".into(),
            ..spec(&["C2D1-C1D1"])
        };
        assert!(matches!(
            build_design(&m, &s),
            Err(CoreError::NoSuchColumn { .. })
        ));
        let s = DesignSpec {
            covariates: vec!["time".into()],
            ..spec(&["C2D1-C1D1"])
        };
        assert!(matches!(
            build_design(&m, &s),
            Err(CoreError::InvalidOption(_))
        ));
        let one = matrix("SampleID\ttime\tsex\nS1\tA\tF\nS2\tB\tF\nS3\tB\tF\n");
        let s = DesignSpec {
            covariates: vec!["sex".into()],
            ..spec(&["B-A"])
        };
        let e = build_design(&one, &s).unwrap_err();
        assert!(e.to_string().contains("`sex` has 1 level"), "{e}");
        assert!(build_design(&one, &spec(&[])).is_err());
    }
}
