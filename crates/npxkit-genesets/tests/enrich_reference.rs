//! Parity of `npxkit_genesets::enrich` with R 4.2.2 / limma 3.54.1.
//!
//! The reference files are written by `test-data/reference/enrich.R` into
//! `test-data/reference/enrich/` (see its header for the data and each
//! file). One test per case; tolerances are relative, per quantity.

use std::collections::HashMap;
use std::path::PathBuf;

use ndarray::Array2;
use npxkit_genesets::enrich::{
    camera, camera_pr, fry, ora, phyper_upper, CameraOptions, CameraPrOptions, CameraRow, Contrast,
    Direction,
};

/// Relative tolerance for statistics, counts and correlations.
const STAT_TOL: f64 = 1e-10;
/// Relative tolerance for p-values and FDRs.
const P_TOL: f64 = 1e-8;

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-data/reference/enrich")
        .join(file)
}

/// A TSV file: header and rows of fields.
fn read_tsv(file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path(file)).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (header, rows)
}

/// A column of a table by name, as numbers (`NA` → NaN).
fn col(table: &(Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<f64> {
    let j = table.0.iter().position(|h| h == name).unwrap();
    table
        .1
        .iter()
        .map(|r| {
            if r[j] == "NA" {
                f64::NAN
            } else {
                r[j].parse().unwrap()
            }
        })
        .collect()
}

fn col_str(table: &(Vec<String>, Vec<Vec<String>>), name: &str) -> Vec<String> {
    let j = table.0.iter().position(|h| h == name).unwrap();
    table.1.iter().map(|r| r[j].clone()).collect()
}

fn rows_list(s: &str) -> Vec<usize> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.parse().unwrap())
        .collect()
}

fn matrix(file: &str) -> Array2<f64> {
    let (h, rows) = read_tsv(file);
    Array2::from_shape_fn((rows.len(), h.len() - 1), |(i, j)| {
        rows[i][j + 1].parse().unwrap()
    })
}

/// Set ids and 0-based member rows, in file order.
fn sets() -> (Vec<String>, Vec<Vec<usize>>) {
    let t = read_tsv("sets.tsv");
    let ids = col_str(&t, "id");
    let members = col_str(&t, "members")
        .iter()
        .map(|s| rows_list(s))
        .collect();
    (ids, members)
}

/// Relative error of `got` against `want` (both NaN → 0; exact zero → absolute).
fn rel(got: f64, want: f64) -> f64 {
    if got.is_nan() && want.is_nan() {
        return 0.0;
    }
    if want == 0.0 {
        return got.abs();
    }
    ((got - want) / want).abs()
}

/// Asserts every pair within `tol` and returns the worst relative error.
fn check(what: &str, got: &[f64], want: &[f64], tol: f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let mut worst = 0.0_f64;
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let e = rel(g, w);
        assert!(
            e <= tol,
            "{what}[{i}]: got {g:e}, R {w:e}, relative error {e:e} > {tol:e}"
        );
        worst = worst.max(e);
    }
    eprintln!("{what}: worst relative error {worst:e}");
    worst
}

/// `test-data/reference/enrich/phyper.tsv`: R's
/// `phyper(q - 0.5, m, n, k, lower.tail = FALSE)` from 1 down to 1e-304;
/// tolerance [`P_TOL`].
#[test]
fn phyper_grid() {
    let t = read_tsv("phyper.tsv");
    let (q, m, n, k) = (col(&t, "q"), col(&t, "m"), col(&t, "n"), col(&t, "k"));
    let got: Vec<f64> = (0..q.len())
        .map(|i| phyper_upper(q[i] as usize, m[i] as usize, n[i] as usize, k[i] as usize))
        .collect();
    check("phyper", &got, &col(&t, "p"), P_TOL);
}

/// `kegga.tsv`: `kegga(list(Up, Down), universe, gene.pathway)` against
/// [`ora`] on the same rows; counts exact, p-values [`P_TOL`].
#[test]
fn ora_matches_kegga() {
    let (ids, members) = sets();
    let de = std::fs::read_to_string(path("de.tsv")).unwrap();
    let lists: HashMap<&str, Vec<usize>> = de
        .lines()
        .map(|l| {
            let (name, rows) = l.split_once('\t').unwrap();
            (name, rows_list(rows))
        })
        .collect();
    let universe = rows_list(
        std::fs::read_to_string(path("universe.tsv"))
            .unwrap()
            .trim(),
    );
    let rows = ora(&members, &lists["up"], &lists["down"], &universe);
    let t = read_tsv("kegga.tsv");
    let kid = col_str(&t, "id");
    // kegga leaves out sets with no member in the universe.
    let mine: Vec<_> = kid
        .iter()
        .map(|id| rows[ids.iter().position(|x| x == id).unwrap()])
        .collect();
    assert_eq!(rows.iter().filter(|r| r.n > 0).count(), kid.len());
    let f = |g: fn(&npxkit_genesets::OraRow) -> f64| mine.iter().map(g).collect::<Vec<f64>>();
    check("ora N", &f(|r| r.n as f64), &col(&t, "N"), 0.0);
    check("ora Up", &f(|r| r.up as f64), &col(&t, "Up"), 0.0);
    check("ora Down", &f(|r| r.down as f64), &col(&t, "Down"), 0.0);
    check("ora P.Up", &f(|r| r.p_up), &col(&t, "P.Up"), P_TOL);
    check("ora P.Down", &f(|r| r.p_down), &col(&t, "P.Down"), P_TOL);
}

fn camera_case(file: &str, opts: CameraOptions) {
    camera_case_with(file, "design.tsv", &Contrast::Coef(1), opts);
}

fn camera_case_with(file: &str, design: &str, contrast: &Contrast, opts: CameraOptions) {
    let (_, members) = sets();
    let y = matrix("expr.tsv");
    let design = matrix(design);
    let rows = camera(y.view(), design.view(), contrast, &members, &opts).unwrap();
    check_camera_rows(file, &rows);
}

/// Compares camera-style rows with an R table: counts and directions exact,
/// correlations [`STAT_TOL`], p-values and FDR [`P_TOL`].
fn check_camera_rows(file: &str, rows: &[CameraRow]) {
    let t = read_tsv(file);
    let f = |g: fn(&CameraRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    check(
        &format!("{file} NGenes"),
        &f(|r| r.n_genes as f64),
        &col(&t, "NGenes"),
        0.0,
    );
    check(
        &format!("{file} Correlation"),
        &f(|r| r.correlation),
        &col(&t, "Correlation"),
        STAT_TOL,
    );
    check(
        &format!("{file} PValue"),
        &f(|r| r.p_value),
        &col(&t, "PValue"),
        P_TOL,
    );
    check(
        &format!("{file} FDR"),
        &f(|r| r.fdr),
        &col(&t, "FDR"),
        P_TOL,
    );
    let dir: Vec<String> = rows.iter().map(|r| r.direction.to_string()).collect();
    assert_eq!(dir, col_str(&t, "Direction"), "{file} Direction");
}

/// `camera.tsv`: `camera(y, sets, design, contrast = 2)`, inter.gene.cor 0.01.
#[test]
fn camera_default() {
    camera_case("camera.tsv", CameraOptions::default());
}

/// `camera_ranks.tsv`: `use.ranks = TRUE`.
#[test]
fn camera_ranks() {
    camera_case(
        "camera_ranks.tsv",
        CameraOptions {
            use_ranks: true,
            ..Default::default()
        },
    );
}

/// `camera_est.tsv`: `inter.gene.cor = NA` (estimated per set).
#[test]
fn camera_estimated_correlation() {
    camera_case(
        "camera_est.tsv",
        CameraOptions {
            inter_gene_cor: None,
            ..Default::default()
        },
    );
}

/// `camera_est_ranks.tsv`: `inter.gene.cor = NA, use.ranks = TRUE`.
#[test]
fn camera_estimated_correlation_ranks() {
    camera_case(
        "camera_est_ranks.tsv",
        CameraOptions {
            inter_gene_cor: None,
            use_ranks: true,
            ..Default::default()
        },
    );
}

/// `camera_contrast.tsv`: `camera(y, sets, design_cell, contrast = c(-1, 1, 0))`.
#[test]
fn camera_contrast_vector() {
    camera_case_with(
        "camera_contrast.tsv",
        "design_cell.tsv",
        &Contrast::Vector(vec![-1.0, 1.0, 0.0]),
        CameraOptions::default(),
    );
}

/// `camera_trend.tsv`: `trend.var = TRUE` (prior variance trended on the assay means).
#[test]
fn camera_trend_var() {
    camera_case(
        "camera_trend.tsv",
        CameraOptions {
            trend_var: true,
            ..Default::default()
        },
    );
}

/// `camera_trend_est.tsv`: `trend.var = TRUE, inter.gene.cor = NA`.
#[test]
fn camera_trend_var_estimated_correlation() {
    camera_case(
        "camera_trend_est.tsv",
        CameraOptions {
            trend_var: true,
            inter_gene_cor: None,
            ..Default::default()
        },
    );
}

fn camera_pr_case(file: &str, opts: CameraPrOptions) {
    let (_, members) = sets();
    let stat = col(&read_tsv("statistic.tsv"), "t");
    let rows = camera_pr(&stat, &members, &opts).unwrap();
    check_camera_rows(file, &rows);
}

/// `camera_pr.tsv`: `cameraPR(t, sets)` on the moderated t of `statistic.tsv`.
#[test]
fn camera_pr_default() {
    camera_pr_case("camera_pr.tsv", CameraPrOptions::default());
}

/// `camera_pr_ranks.tsv`: `cameraPR(t, sets, use.ranks = TRUE)`.
#[test]
fn camera_pr_ranks() {
    camera_pr_case(
        "camera_pr_ranks.tsv",
        CameraPrOptions {
            use_ranks: true,
            ..Default::default()
        },
    );
}

/// `camera_pr_cor.tsv`: `cameraPR(t, sets, inter.gene.cor = 0.2)`.
#[test]
fn camera_pr_correlation() {
    camera_pr_case(
        "camera_pr_cor.tsv",
        CameraPrOptions {
            inter_gene_cor: 0.2,
            ..Default::default()
        },
    );
}

/// `camera_pr_negcor_ranks.tsv`: a negative correlation is used as given
/// (`inter.gene.cor = -0.005, use.ranks = TRUE`).
#[test]
fn camera_pr_negative_correlation_ranks() {
    camera_pr_case(
        "camera_pr_negcor_ranks.tsv",
        CameraPrOptions {
            inter_gene_cor: -0.005,
            use_ranks: true,
        },
    );
}

/// `fry.tsv`: `fry(y, sets, design, contrast = 2)`; p-values [`P_TOL`].
#[test]
fn fry_default() {
    fry_case("fry.tsv", "design.tsv", &Contrast::Coef(1));
}

/// `fry_contrast.tsv`: `fry(y, sets, design_cell, contrast = c(-1, 1, 0))`.
#[test]
fn fry_contrast_vector() {
    fry_case(
        "fry_contrast.tsv",
        "design_cell.tsv",
        &Contrast::Vector(vec![-1.0, 1.0, 0.0]),
    );
}

fn fry_case(file: &str, design: &str, contrast: &Contrast) {
    let (_, members) = sets();
    let y = matrix("expr.tsv");
    let design = matrix(design);
    let rows = fry(y.view(), design.view(), contrast, &members).unwrap();
    let t = read_tsv(file);
    let f = |g: fn(&npxkit_genesets::FryRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
    check(
        "fry NGenes",
        &f(|r| r.n_genes as f64),
        &col(&t, "NGenes"),
        0.0,
    );
    check(
        &format!("{file} PValue"),
        &f(|r| r.p_value),
        &col(&t, "PValue"),
        P_TOL,
    );
    check(
        &format!("{file} FDR"),
        &f(|r| r.fdr),
        &col(&t, "FDR"),
        P_TOL,
    );
    check(
        "fry PValue.Mixed",
        &f(|r| r.p_value_mixed),
        &col(&t, "PValue.Mixed"),
        P_TOL,
    );
    check(
        "fry FDR.Mixed",
        &f(|r| r.fdr_mixed),
        &col(&t, "FDR.Mixed"),
        P_TOL,
    );
    let dir: Vec<String> = rows.iter().map(|r| r.direction.to_string()).collect();
    assert_eq!(dir, col_str(&t, "Direction"));
    assert!(rows.iter().any(|r| r.direction == Direction::Down));
}
