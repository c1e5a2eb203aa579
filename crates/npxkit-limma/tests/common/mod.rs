//! What the R-parity test files share: reading the reference tables the scripts in
//! `test-data/reference/` write, and the relative comparison with R.

#![allow(dead_code)]

use ndarray::Array2;
use std::path::Path;

/// A reference table: first column the row names, then numeric columns (`NA` = NaN).
pub struct Table {
    /// Column names after the first.
    pub columns: Vec<String>,
    /// First-column values.
    pub rows: Vec<String>,
    /// rows × columns.
    pub values: Array2<f64>,
}

impl Table {
    /// A column by name.
    pub fn col(&self, name: &str) -> Vec<f64> {
        let j = self
            .columns
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        self.values.column(j).to_vec()
    }
}

/// Reads a table written by `test-data/reference/<script>`.
pub fn read_table(path: &Path, script: &str) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `Rscript test-data/reference/{script}`",
            path.display()
        )
    });
    let mut lines = text.lines();
    let columns: Vec<String> = lines
        .next()
        .unwrap()
        .split('\t')
        .skip(1)
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    let mut flat = Vec::new();
    for line in lines {
        let mut fields = line.split('\t');
        rows.push(fields.next().unwrap().to_string());
        flat.extend(fields.map(|f| {
            if f == "NA" {
                f64::NAN
            } else {
                f.parse::<f64>().unwrap()
            }
        }));
    }
    let values = Array2::from_shape_vec((rows.len(), columns.len()), flat).unwrap();
    Table {
        columns,
        rows,
        values,
    }
}

/// Largest relative error, failing on any value outside `tol`; where R is exactly 0,
/// ours must be within `abs_at_zero` of it; NaN must match NaN.
pub fn compare(what: &str, ours: &[f64], r: &[f64], tol: f64, abs_at_zero: f64) -> f64 {
    assert_eq!(ours.len(), r.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for (i, (&a, &b)) in ours.iter().zip(r).enumerate() {
        if b.is_nan() || a.is_nan() {
            assert!(a.is_nan() && b.is_nan(), "{what}[{i}]: ours {a:e}, R {b:e}");
            continue;
        }
        if b == 0.0 {
            assert!(
                a.abs() <= abs_at_zero,
                "{what}[{i}]: ours {a:e}, R exactly 0"
            );
            continue;
        }
        let rel = ((a - b) / b).abs();
        assert!(
            rel <= tol,
            "{what}[{i}]: ours {a:.17e}, R {b:.17e}, rel {rel:e} > {tol:e}"
        );
        worst = worst.max(rel);
    }
    worst
}
