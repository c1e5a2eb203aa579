//! The model description and the fixed-effect design, built as R's
//! `model.matrix` builds it under OlinkAnalyze's settings (the default
//! `options(contrasts = c("contr.treatment", "contr.poly"))`): an intercept,
//! treatment-coded factors (first level is the reference), numeric covariates
//! as they are, and factor × factor interactions as products of the
//! non-reference indicators with the first factor varying fastest. Column
//! names are R's (`timeV2`, `age`, `timeV2:armPlacebo`).
//!
//! Terms are put in R's order: by the number of variables (main effects
//! before two-way interactions), keeping the given order within a degree, as
//! `terms()` orders `y ~ time * arm + age` into `time, arm, age, time:arm`.

use ndarray::Array2;

use crate::error::LmmError;

/// One variable measured on every sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Name as it appears in the formula and in R's column names.
    pub name: String,
    /// Values.
    pub kind: VariableKind,
}

/// What a variable holds.
#[derive(Debug, Clone, PartialEq)]
pub enum VariableKind {
    /// A factor: its levels in R's order (the first is the reference) and one
    /// code (index into `levels`) per sample.
    Factor {
        /// Levels, reference first.
        levels: Vec<String>,
        /// One level index per sample.
        codes: Vec<usize>,
    },
    /// A numeric covariate (must be finite).
    Numeric(Vec<f64>),
}

impl Variable {
    /// A factor from its levels and per-sample codes.
    pub fn factor(name: &str, levels: Vec<String>, codes: Vec<usize>) -> Self {
        Variable {
            name: name.to_string(),
            kind: VariableKind::Factor { levels, codes },
        }
    }

    /// A factor from per-sample labels, levels sorted as R's `factor()` sorts
    /// them in the C locale (byte order). R in a UTF-8 locale sorts letters
    /// case-insensitively first; pass `factor` with explicit levels when that
    /// matters.
    pub fn factor_from_labels<S: AsRef<str>>(name: &str, labels: &[S]) -> Self {
        let mut levels: Vec<String> = labels.iter().map(|s| s.as_ref().to_string()).collect();
        levels.sort();
        levels.dedup();
        let codes = labels
            .iter()
            .map(|s| levels.iter().position(|l| l == s.as_ref()).unwrap_or(0))
            .collect();
        Variable::factor(name, levels, codes)
    }

    /// A numeric covariate.
    pub fn numeric(name: &str, values: Vec<f64>) -> Self {
        Variable {
            name: name.to_string(),
            kind: VariableKind::Numeric(values),
        }
    }

    fn len(&self) -> usize {
        match &self.kind {
            VariableKind::Factor { codes, .. } => codes.len(),
            VariableKind::Numeric(v) => v.len(),
        }
    }
}

/// A fixed-effect term: one variable (a main effect) or several factors (their
/// interaction, R's `a:b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Variable names.
    pub vars: Vec<String>,
}

impl Term {
    /// A main effect.
    pub fn main(var: &str) -> Self {
        Term {
            vars: vec![var.to_string()],
        }
    }

    /// An interaction `a:b`.
    pub fn interaction(vars: &[&str]) -> Self {
        Term {
            vars: vars.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// R's crossing `a * b * …`: every main effect and interaction, in R's order.
    pub fn crossed(vars: &[&str]) -> Vec<Term> {
        let k = vars.len();
        let mut out = Vec::new();
        for size in 1..=k {
            for mask in 1u32..(1u32 << k) {
                if mask.count_ones() as usize == size {
                    let v: Vec<&str> = (0..k)
                        .filter(|i| mask & (1 << i) != 0)
                        .map(|i| vars[i])
                        .collect();
                    out.push(Term::interaction(&v));
                }
            }
        }
        // Within one size R orders subsets with the earlier variables first
        // (a:b, a:c, b:c); the bit order above gives a:b, a:c, b:c for size 2.
        out
    }

    /// The label R gives the term (`time`, `time:arm`).
    pub fn label(&self) -> String {
        self.vars.join(":")
    }
}

/// A mixed model `y ~ fixed + (1 | g1) + (1 | g2) …`, fitted by maximum
/// likelihood (OlinkAnalyze's `REML = FALSE`) or REML.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// The variables (one value per sample each).
    pub variables: Vec<Variable>,
    /// Fixed-effect terms (an intercept is always included).
    pub fixed: Vec<Term>,
    /// Grouping factors of the random intercepts, in formula order.
    pub random: Vec<String>,
    /// REML instead of maximum likelihood.
    pub reml: bool,
}

/// A column of the design: what it multiplies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ColumnDef {
    Intercept,
    /// Product of (variable, level) indicators for factors, times the
    /// numeric variables listed.
    Product {
        factors: Vec<(usize, usize)>,
        numeric: Vec<usize>,
    },
}

/// The validated model: variables resolved, columns defined.
#[derive(Debug, Clone)]
pub(crate) struct Design {
    pub n_samples: usize,
    pub variables: Vec<Variable>,
    /// Terms in R's order, as variable indices.
    pub terms: Vec<Vec<usize>>,
    pub term_labels: Vec<String>,
    /// Columns of X, their names and term assignment (0 = intercept, t + 1 = term t).
    pub columns: Vec<ColumnDef>,
    pub column_names: Vec<String>,
    pub assign: Vec<usize>,
    /// Columns of lmerTest's reduced design `rdX` (intercept then, per term,
    /// the full indicator coding) and their names.
    pub rd_columns: Vec<ColumnDef>,
    pub rd_names: Vec<String>,
    /// Grouping factors (variable indices).
    pub groups: Vec<usize>,
    pub reml: bool,
}

impl Design {
    pub(crate) fn new(spec: ModelSpec) -> Result<Self, LmmError> {
        let n = spec.variables.first().map(|v| v.len()).unwrap_or(0);
        for v in &spec.variables {
            if v.len() != n {
                return Err(LmmError::LengthMismatch {
                    name: v.name.clone(),
                    len: v.len(),
                    samples: n,
                });
            }
            match &v.kind {
                VariableKind::Factor { levels, codes } => {
                    if let Some((sample, &code)) =
                        codes.iter().enumerate().find(|(_, &c)| c >= levels.len())
                    {
                        return Err(LmmError::BadFactorCode {
                            name: v.name.clone(),
                            sample,
                            code,
                            levels: levels.len(),
                        });
                    }
                }
                VariableKind::Numeric(x) => {
                    if let Some(sample) = x.iter().position(|v| !v.is_finite()) {
                        return Err(LmmError::NonFiniteCovariate {
                            name: v.name.clone(),
                            sample,
                        });
                    }
                }
            }
        }
        let find = |name: &str| {
            spec.variables
                .iter()
                .position(|v| v.name == name)
                .ok_or_else(|| LmmError::UnknownVariable(name.to_string()))
        };
        let is_factor = |i: usize| matches!(spec.variables[i].kind, VariableKind::Factor { .. });
        let levels_of = |i: usize| match &spec.variables[i].kind {
            VariableKind::Factor { levels, .. } => levels.clone(),
            VariableKind::Numeric(_) => Vec::new(),
        };

        // Terms in R's order (stable by degree).
        let mut terms: Vec<Vec<usize>> = Vec::new();
        for t in &spec.fixed {
            let idx = t
                .vars
                .iter()
                .map(|v| find(v))
                .collect::<Result<Vec<_>, _>>()?;
            if idx.len() > 1 {
                if let Some(&i) = idx.iter().find(|&&i| !is_factor(i)) {
                    return Err(LmmError::NotAFactor(spec.variables[i].name.clone()));
                }
            }
            let mut sorted = idx.clone();
            sorted.sort_unstable();
            if terms.iter().any(|u| {
                let mut s = u.clone();
                s.sort_unstable();
                s == sorted
            }) {
                return Err(LmmError::DuplicateTerm(t.label()));
            }
            terms.push(idx);
        }
        for t in &terms {
            if t.len() > 1 {
                for &v in t {
                    if !terms.iter().any(|u| u.len() == 1 && u[0] == v) {
                        let label: Vec<&str> =
                            t.iter().map(|&i| spec.variables[i].name.as_str()).collect();
                        return Err(LmmError::MissingMainEffect(label.join(":")));
                    }
                }
            }
        }
        terms.sort_by_key(|t| t.len());
        for t in &terms {
            for &v in t {
                if is_factor(v) && levels_of(v).len() < 2 {
                    return Err(LmmError::FactorTooFewLevels(spec.variables[v].name.clone()));
                }
            }
        }
        let term_labels: Vec<String> = terms
            .iter()
            .map(|t| {
                t.iter()
                    .map(|&i| spec.variables[i].name.clone())
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();

        let mut columns = vec![ColumnDef::Intercept];
        let mut column_names = vec!["(Intercept)".to_string()];
        let mut assign = vec![0];
        let mut rd_columns = vec![ColumnDef::Intercept];
        let mut rd_names = vec!["(Intercept)".to_string()];
        for (ti, t) in terms.iter().enumerate() {
            for (full, cols, names) in [
                (false, &mut columns, &mut column_names),
                (true, &mut rd_columns, &mut rd_names),
            ] {
                let combos = level_combos(t, &spec.variables, full);
                for combo in combos {
                    let mut factors = Vec::new();
                    let mut numeric = Vec::new();
                    let mut parts = Vec::new();
                    for (&v, lev) in t.iter().zip(&combo) {
                        let var = &spec.variables[v];
                        match lev {
                            Some(l) => {
                                factors.push((v, *l));
                                parts.push(format!("{}{}", var.name, levels_of(v)[*l]));
                            }
                            None => {
                                numeric.push(v);
                                parts.push(var.name.clone());
                            }
                        }
                    }
                    cols.push(ColumnDef::Product { factors, numeric });
                    names.push(parts.join(":"));
                    if !full {
                        assign.push(ti + 1);
                    }
                }
            }
        }
        if spec.random.is_empty() {
            return Err(LmmError::NoRandomEffect);
        }
        let mut groups = Vec::new();
        for g in &spec.random {
            let i = find(g)?;
            if !is_factor(i) {
                return Err(LmmError::NotAFactor(g.clone()));
            }
            groups.push(i);
        }
        Ok(Design {
            n_samples: n,
            variables: spec.variables,
            terms,
            term_labels,
            columns,
            column_names,
            assign,
            rd_columns,
            rd_names,
            groups,
            reml: spec.reml,
        })
    }

    /// Value of a column for one sample.
    pub(crate) fn value(&self, col: &ColumnDef, sample: usize) -> f64 {
        match col {
            ColumnDef::Intercept => 1.0,
            ColumnDef::Product { factors, numeric } => {
                let mut v = 1.0;
                for &(var, lev) in factors {
                    if let VariableKind::Factor { codes, .. } = &self.variables[var].kind {
                        if codes[sample] != lev {
                            return 0.0;
                        }
                    }
                }
                for &var in numeric {
                    if let VariableKind::Numeric(x) = &self.variables[var].kind {
                        v *= x[sample];
                    }
                }
                v
            }
        }
    }

    /// Value of a column at given factor levels and numeric values (per variable).
    pub(crate) fn value_at(&self, col: &ColumnDef, levels: &[usize], numerics: &[f64]) -> f64 {
        match col {
            ColumnDef::Intercept => 1.0,
            ColumnDef::Product { factors, numeric } => {
                let mut v = 1.0;
                for &(var, lev) in factors {
                    if levels[var] != lev {
                        return 0.0;
                    }
                }
                for &var in numeric {
                    v *= numerics[var];
                }
                v
            }
        }
    }

    /// X (or rdX with `rd`) on the given samples.
    pub(crate) fn matrix(&self, rows: &[usize], rd: bool) -> Array2<f64> {
        let cols = if rd { &self.rd_columns } else { &self.columns };
        let mut x = Array2::<f64>::zeros((rows.len(), cols.len()));
        for (i, &s) in rows.iter().enumerate() {
            for (j, c) in cols.iter().enumerate() {
                x[[i, j]] = self.value(c, s);
            }
        }
        x
    }

    /// Number of fixed effects.
    pub(crate) fn p(&self) -> usize {
        self.columns.len()
    }

    pub(crate) fn factor_levels(&self, var: usize) -> &[String] {
        match &self.variables[var].kind {
            VariableKind::Factor { levels, .. } => levels,
            VariableKind::Numeric(_) => &[],
        }
    }

    pub(crate) fn factor_codes(&self, var: usize) -> &[usize] {
        match &self.variables[var].kind {
            VariableKind::Factor { codes, .. } => codes,
            VariableKind::Numeric(_) => &[],
        }
    }
}

/// Level combinations of a term's columns, first variable fastest; `None`
/// marks a numeric variable. `full` gives every level (rdX), else the
/// non-reference levels (treatment coding).
fn level_combos(term: &[usize], vars: &[Variable], full: bool) -> Vec<Vec<Option<usize>>> {
    let mut combos: Vec<Vec<Option<usize>>> = vec![Vec::new()];
    for &v in term {
        let choices: Vec<Option<usize>> = match &vars[v].kind {
            VariableKind::Factor { levels, .. } => {
                let start = if full { 0 } else { 1 };
                (start..levels.len()).map(Some).collect()
            }
            VariableKind::Numeric(_) => vec![None],
        };
        let mut next = Vec::new();
        for c in &choices {
            for prev in &combos {
                let mut p = prev.clone();
                p.push(*c);
                next.push(p);
            }
        }
        combos = next;
    }
    combos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_column_names() {
        let vars = vec![
            Variable::factor_from_labels("time", &["V1", "V2", "V3", "V1"]),
            Variable::factor_from_labels("arm", &["Drug", "Placebo", "Drug", "Placebo"]),
            Variable::numeric("age", vec![1.0, 2.0, 3.0, 4.0]),
            Variable::factor_from_labels("subject", &["a", "a", "b", "b"]),
        ];
        let mut fixed = Term::crossed(&["time", "arm"]);
        fixed.insert(0, Term::main("age"));
        let d = Design::new(ModelSpec {
            variables: vars,
            fixed,
            random: vec!["subject".into()],
            reml: false,
        })
        .unwrap();
        assert_eq!(d.term_labels, ["age", "time", "arm", "time:arm"]);
        assert_eq!(
            d.column_names,
            [
                "(Intercept)",
                "age",
                "timeV2",
                "timeV3",
                "armPlacebo",
                "timeV2:armPlacebo",
                "timeV3:armPlacebo"
            ]
        );
        assert_eq!(d.assign, [0, 1, 2, 2, 3, 4, 4]);
        assert_eq!(d.rd_names.len(), 1 + 1 + 3 + 2 + 6);
    }
}
