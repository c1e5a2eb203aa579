//! Parity with R's GSVA 1.46.0: each test reads one case written by
//! `test-data/reference/gsva.R` (inputs `expr.tsv`, `counts.tsv`,
//! `sets.gmt`; scores `<case>.tsv`, sets × samples) and compares every score
//! with a named tolerance.
//!
//! As `gsva()` in R, the tests map set members to rows by name (dropping
//! names absent from the matrix) and, for every method but ssGSEA, drop
//! constant genes first with `filter_constant_rows` (the data have two:
//! G299 is constant, G300 varies by 1e-12).

use ndarray::{Array2, ArrayView2};
use npxkit_gsva::{
    filter_constant_rows, gsva, gsva_from_density, kernel_cdf_exact, plage, ssgsea, zscore,
    ExactSum, GsvaOptions, Kcdf, KcdfMode, SsgseaOptions,
};
use std::path::PathBuf;

/// Relative tolerance for compat-mode GSVA, ssGSEA, z-scores and PLAGE.
const TOL_REL: f64 = 1e-10;
/// Absolute tolerance for scores near zero, where relative error is meaningless.
const TOL_ABS_NEAR_ZERO: f64 = 1e-12;
/// Largest |exact − compat| GSVA score on the reference data (Gaussian
/// kernel, default options), as documented in `npxkit_gsva::kcdf`.
const EXACT_VS_COMPAT_MAX_ABS_DIFF: f64 = 0.005_625_241_180_247_376;
/// Scores (of 16 × 24) that differ between exact and compat mode.
const EXACT_VS_COMPAT_CHANGED: usize = 29;
/// Tolerance on the documented exact-vs-compat difference.
const TOL_DOCUMENTED_DIFF: f64 = 1e-12;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/gsva")
}

/// A TSV with a header row and a first column of row names.
struct Table {
    columns: Vec<String>,
    rows: Vec<String>,
    values: Array2<f64>,
}

fn read_text(name: &str) -> String {
    let path = reference_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run `Rscript test-data/reference/gsva.R` from the project root",
            path.display()
        )
    })
}

fn read_table(name: &str) -> Table {
    let text = read_text(name);
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
        flat.extend(fields.map(|f| f.parse::<f64>().unwrap()));
    }
    let values = Array2::from_shape_vec((rows.len(), columns.len()), flat).unwrap();
    Table {
        columns,
        rows,
        values,
    }
}

/// Set names and members mapped to rows of `genes` (unknown names dropped).
fn read_sets(genes: &[String]) -> (Vec<String>, Vec<Vec<usize>>) {
    let text = read_text("sets.gmt");
    let mut names = Vec::new();
    let mut sets = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        names.push(fields[0].to_string());
        sets.push(
            fields[2..]
                .iter()
                .filter_map(|g| genes.iter().position(|x| x == g))
                .collect(),
        );
    }
    (names, sets)
}

/// Inputs of one case: the matrix as the method sees it, the sets, their names.
struct Input {
    x: Array2<f64>,
    sets: Vec<Vec<usize>>,
    names: Vec<String>,
    samples: Vec<String>,
}

fn input(file: &str, drop_constant: bool) -> Input {
    let t = read_table(file);
    let (names, sets) = read_sets(&t.rows);
    if !drop_constant {
        return Input {
            x: t.values,
            sets,
            names,
            samples: t.columns,
        };
    }
    let f = filter_constant_rows(t.values.view(), &sets);
    let dropped: Vec<&str> = f.dropped.iter().map(|&i| t.rows[i].as_str()).collect();
    if file == "expr.tsv" {
        assert_eq!(dropped, ["G299", "G300"]);
    } else {
        assert_eq!(dropped, ["G299"]);
    }
    Input {
        x: f.apply(t.values.view()),
        sets: f.sets,
        names,
        samples: t.columns,
    }
}

/// Largest relative error (over scores with |R| > the absolute floor),
/// failing on any score outside the tolerances.
fn compare(what: &str, ours: ArrayView2<f64>, r: &Table, input: &Input) -> f64 {
    assert_eq!(r.rows, input.names, "{what}: set names");
    assert_eq!(r.columns, input.samples, "{what}: sample names");
    assert_eq!(ours.dim(), r.values.dim(), "{what}: shape");
    let mut worst = 0.0f64;
    for ((s, j), &b) in r.values.indexed_iter() {
        let a = ours[[s, j]];
        let diff = (a - b).abs();
        assert!(
            diff <= TOL_ABS_NEAR_ZERO || diff <= TOL_REL * b.abs(),
            "{what}[{}, {}]: ours {a:.17e}, R {b:.17e}, rel {:e}",
            r.rows[s],
            r.columns[j],
            diff / b.abs()
        );
        if b.abs() > TOL_ABS_NEAR_ZERO {
            worst = worst.max(diff / b.abs());
        }
    }
    eprintln!("{what}: worst relative error {worst:e}");
    worst
}

fn gsva_case(case: &str, file: &str, opts: GsvaOptions) {
    let input = input(file, true);
    let es = gsva(input.x.view(), &input.sets, &opts).unwrap();
    compare(case, es.view(), &read_table(&format!("{case}.tsv")), &input);
}

#[test]
fn gsva_gaussian() {
    gsva_case("gsva_gaussian", "expr.tsv", GsvaOptions::default());
}

#[test]
fn gsva_poisson() {
    let opts = GsvaOptions {
        kcdf: Kcdf::Poisson,
        ..GsvaOptions::default()
    };
    gsva_case("gsva_poisson", "counts.tsv", opts);
}

#[test]
fn gsva_none() {
    let opts = GsvaOptions {
        kcdf: Kcdf::None,
        ..GsvaOptions::default()
    };
    gsva_case("gsva_none", "expr.tsv", opts);
}

#[test]
fn gsva_max_dev() {
    let opts = GsvaOptions {
        mx_diff: false,
        ..GsvaOptions::default()
    };
    gsva_case("gsva_max_dev", "expr.tsv", opts);
}

#[test]
fn gsva_tau_half() {
    let opts = GsvaOptions {
        tau: 0.5,
        ..GsvaOptions::default()
    };
    gsva_case("gsva_tau_0.5", "expr.tsv", opts);
}

#[test]
fn gsva_abs_ranking() {
    let opts = GsvaOptions {
        abs_ranking: true,
        ..GsvaOptions::default()
    };
    gsva_case("gsva_abs_ranking", "expr.tsv", opts);
}

/// Exact mode against the plain-R brute force with `pnorm()`.
#[test]
fn gsva_gaussian_exact_bruteforce() {
    let opts = GsvaOptions {
        kcdf_mode: KcdfMode::Exact,
        ..GsvaOptions::default()
    };
    gsva_case("gsva_gaussian_exact_bruteforce", "expr.tsv", opts);
}

/// Exact mode by the series (the algorithm `gsva()` uses from
/// `SERIES_MIN_SAMPLES` samples) against the same R brute force, at the same
/// tolerances, and identical to the all-pairs sum's scores.
#[test]
fn gsva_gaussian_exact_series_bruteforce() {
    let opts = GsvaOptions {
        kcdf_mode: KcdfMode::Exact,
        ..GsvaOptions::default()
    };
    let input = input("expr.tsv", true);
    let series = kernel_cdf_exact(input.x.view(), ExactSum::Series);
    let es = gsva_from_density(series.view(), &input.sets, &opts).unwrap();
    let r = read_table("gsva_gaussian_exact_bruteforce.tsv");
    compare("gsva_gaussian_exact_series", es.view(), &r, &input);
    let all_pairs = gsva(input.x.view(), &input.sets, &opts).unwrap();
    assert_eq!(es, all_pairs);
}

/// The size of the exact-vs-compat difference stated in the docs.
#[test]
fn gsva_exact_vs_compat_difference() {
    let input = input("expr.tsv", true);
    let compat = gsva(input.x.view(), &input.sets, &GsvaOptions::default()).unwrap();
    let exact_opts = GsvaOptions {
        kcdf_mode: KcdfMode::Exact,
        ..GsvaOptions::default()
    };
    let exact = gsva(input.x.view(), &input.sets, &exact_opts).unwrap();
    let diffs: Vec<f64> = exact
        .iter()
        .zip(&compat)
        .map(|(a, b)| (a - b).abs())
        .collect();
    let max = diffs.iter().copied().fold(0.0, f64::max);
    let changed = diffs.iter().filter(|&&d| d > 0.0).count();
    eprintln!(
        "exact vs compat: max |diff| {max:.17e}, {changed} of {} changed",
        diffs.len()
    );
    assert!((max - EXACT_VS_COMPAT_MAX_ABS_DIFF).abs() <= TOL_DOCUMENTED_DIFF);
    assert_eq!(changed, EXACT_VS_COMPAT_CHANGED);
}

#[test]
fn ssgsea_normalized() {
    let input = input("expr.tsv", false);
    let es = ssgsea(input.x.view(), &input.sets, &SsgseaOptions::default()).unwrap();
    compare("ssgsea", es.view(), &read_table("ssgsea.tsv"), &input);
}

#[test]
fn ssgsea_unnormalized() {
    let input = input("expr.tsv", false);
    let opts = SsgseaOptions {
        normalize: false,
        ..SsgseaOptions::default()
    };
    let es = ssgsea(input.x.view(), &input.sets, &opts).unwrap();
    compare(
        "ssgsea_unnormalized",
        es.view(),
        &read_table("ssgsea_unnormalized.tsv"),
        &input,
    );
}

#[test]
fn zscore_combined() {
    let input = input("expr.tsv", true);
    let es = zscore(input.x.view(), &input.sets).unwrap();
    compare("zscore", es.view(), &read_table("zscore.tsv"), &input);
}

/// PLAGE up to sign: R's sign is LAPACK's; each of our rows is compared with
/// R's row flipped to our sign (npxkit-gsva's rule is in `npxkit_gsva::plage`).
#[test]
fn plage_up_to_sign() {
    let input = input("expr.tsv", true);
    let es = plage(input.x.view(), &input.sets).unwrap();
    let mut r = read_table("plage.tsv");
    let mut agree = 0;
    for (s, mut row) in r.values.outer_iter_mut().enumerate() {
        let dot: f64 = row.iter().zip(es.row(s)).map(|(a, b)| a * b).sum();
        if dot < 0.0 {
            row.mapv_inplace(|v| -v);
        } else {
            agree += 1;
        }
    }
    eprintln!(
        "plage: R's sign agrees with ours for {agree} of {} sets",
        es.nrows()
    );
    compare("plage", es.view(), &r, &input);
}

/// Results do not depend on the number of threads.
#[test]
fn same_for_any_thread_count() {
    let input = input("expr.tsv", true);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            (
                gsva(input.x.view(), &input.sets, &GsvaOptions::default()).unwrap(),
                ssgsea(input.x.view(), &input.sets, &SsgseaOptions::default()).unwrap(),
                zscore(input.x.view(), &input.sets).unwrap(),
                plage(input.x.view(), &input.sets).unwrap(),
            )
        })
    };
    let one = run(1);
    for threads in [2, 3] {
        assert_eq!(one, run(threads), "{threads} threads");
    }
}
