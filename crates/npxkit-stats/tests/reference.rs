//! Parity with R: compares npxkit-stats with the values R 4.2 wrote into
//! `test-data/reference/stats/` (made by `test-data/reference/stats.R`), and
//! the t tails, t quantiles and polygamma functions with the values R 4.2 /
//! limma 3.54.1 wrote into `test-data/reference/limma/` (made by
//! `test-data/reference/limma.R`; the tests moved here with the functions).
//!
//! Each test names the file it reads and the tolerance it applies. Relative
//! errors are `|got - want| / |want|`; both `NaN` (R's `NA`) counts as equal.

use std::collections::HashMap;
use std::path::PathBuf;

use npxkit_stats::dist::{pnorm, psignrank, pt, pt_log, pwilcox, qt};
use npxkit_stats::special::{digamma, tetragamma, trigamma};
use npxkit_stats::{
    p_adjust, t_test_one_sample, t_test_paired, t_test_two_sample, wilcox_test_one_sample,
    wilcox_test_paired, wilcox_test_two_sample, AdjustMethod, Alternative, TTest, TTestOptions,
    Tail, WilcoxonOptions, WilcoxonTest,
};

/// t statistics, degrees of freedom, means and standard errors: relative.
/// The brief asks for 1e-10; the largest error seen is 5e-16 (R sums in
/// long double, we use compensated sums).
const STAT_RTOL: f64 = 1e-14;
/// Confidence interval end points: relative. They go through `qt` and can
/// lie near zero, where relative error grows; the largest seen is 3e-13.
const CONF_RTOL: f64 = 1e-12;
/// p-values of the tests and the distribution functions: relative. The brief
/// asks for 1e-8; the largest error seen is 2.3e-13 (t, from the incomplete
/// beta), exact Wilcoxon and normal values agree to 1e-14 or bit for bit.
const P_RTOL: f64 = 1e-12;
/// Adjusted p-values: the same arithmetic as R, up to R's long-double sum in
/// BY (bit-identical on the machine that made the reference).
const ADJUST_RTOL: f64 = 1e-14;
/// `qt` quantiles: relative; the largest error seen is 4e-14.
const QT_RTOL: f64 = 1e-12;
/// `limma/special.tsv` polygamma functions: relative (limma's TOL_SPECIAL).
const SPECIAL_RTOL: f64 = 1e-13;
/// `limma/t_tails.tsv` and `t_quantiles.tsv`: relative (limma's TOL_T_TAIL);
/// the largest error seen is 2.8e-12, at df = 5e5.
const T_TAIL_RTOL: f64 = 1e-11;
/// Absolute tolerance of the `limma/` comparisons, used only where R's value
/// is exactly 0 (limma's ABS_FLOOR_AT_ZERO).
const LIMMA_ABS_FLOOR_AT_ZERO: f64 = 1e-14;
/// Absolute floor for quantities that R gives as (nearly) zero, e.g.
/// `qt(0.5, df)`, which R returns as about 1e-16 rather than 0.
const ZERO_ATOL: f64 = 1e-14;

/// A parsed TSV file: column name to column of strings.
struct Table {
    rows: Vec<HashMap<String, String>>,
}

impl Table {
    /// A file of `test-data/reference/stats/`.
    fn read(name: &str) -> Table {
        Table::read_from("stats", name)
    }

    /// A file of `test-data/reference/<dir>/`, written by `<dir>.R`.
    fn read_from(dir: &str, name: &str) -> Table {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../test-data/reference")
            .join(dir)
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run `Rscript test-data/reference/{dir}.R`",
                path.display()
            )
        });
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split('\t')
            .map(String::from)
            .collect();
        let rows = lines
            .map(|l| {
                header
                    .iter()
                    .cloned()
                    .zip(l.split('\t').map(String::from))
                    .collect()
            })
            .collect();
        Table { rows }
    }
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    let s = row
        .get(col)
        .unwrap_or_else(|| panic!("no column {col}"))
        .trim();
    match s {
        "NA" | "NaN" => f64::NAN,
        "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        _ => s
            .parse()
            .unwrap_or_else(|_| panic!("{col}: bad number {s}")),
    }
}

fn text<'a>(row: &'a HashMap<String, String>, col: &str) -> &'a str {
    row.get(col).unwrap_or_else(|| panic!("no column {col}"))
}

/// Relative error, 0 for equal values (including equal infinities and NaNs).
fn rel_err(got: f64, want: f64) -> f64 {
    if got == want || (got.is_nan() && want.is_nan()) {
        0.0
    } else {
        (got - want).abs() / want.abs()
    }
}

#[track_caller]
fn check(what: &str, got: f64, want: f64, rtol: f64) {
    let err = rel_err(got, want);
    assert!(
        err <= rtol || (got - want).abs() <= ZERO_ATOL && want.abs() <= ZERO_ATOL,
        "{what}: got {got:e}, R {want:e}, relative error {err:e} > {rtol:e}"
    );
}

/// The x and y samples of a case in `samples.tsv`.
fn samples(case: &str) -> (Vec<f64>, Vec<f64>) {
    let table = Table::read("samples.tsv");
    let mut x = Vec::new();
    let mut y = Vec::new();
    for row in table.rows.iter().filter(|r| text(r, "case") == case) {
        match text(row, "group") {
            "x" => x.push(num(row, "value")),
            _ => y.push(num(row, "value")),
        }
    }
    assert!(!x.is_empty(), "no samples for case {case}");
    (x, y)
}

/// Checks every `ttest.tsv` row of `case`; returns the number of rows.
fn check_t_case(case: &str) -> usize {
    let (x, y) = samples(case);
    let table = Table::read("ttest.tsv");
    let rows: Vec<_> = table
        .rows
        .iter()
        .filter(|r| text(r, "case") == case)
        .collect();
    for row in &rows {
        let test = text(row, "test");
        let mut opts = TTestOptions {
            mu: num(row, "mu"),
            conf_level: num(row, "conf_level"),
            var_equal: false,
        };
        let got: TTest = match test {
            "one_sample" => t_test_one_sample(&x, &opts),
            "paired" => t_test_paired(&x, &y, &opts),
            "welch" => t_test_two_sample(&x, &y, &opts),
            "student" => {
                opts.var_equal = true;
                t_test_two_sample(&x, &y, &opts)
            }
            other => panic!("unknown test {other}"),
        }
        .unwrap();
        let what = |field: &str| format!("ttest.tsv {case} {test} mu={} {field}", opts.mu);
        assert_eq!(got.note, None, "{}", what("note"));
        check(
            &what("statistic"),
            got.statistic,
            num(row, "statistic"),
            STAT_RTOL,
        );
        check(&what("df"), got.df, num(row, "df"), STAT_RTOL);
        check(
            &what("p_two_sided"),
            got.p_two_sided,
            num(row, "p_two_sided"),
            P_RTOL,
        );
        check(&what("p_less"), got.p_less, num(row, "p_less"), P_RTOL);
        check(
            &what("p_greater"),
            got.p_greater,
            num(row, "p_greater"),
            P_RTOL,
        );
        check(
            &what("conf_low"),
            got.conf_int[0],
            num(row, "conf_low"),
            CONF_RTOL,
        );
        check(
            &what("conf_high"),
            got.conf_int[1],
            num(row, "conf_high"),
            CONF_RTOL,
        );
        let less = got.conf_int_for(Alternative::Less);
        let greater = got.conf_int_for(Alternative::Greater);
        check(
            &what("less_conf_high"),
            less[1],
            num(row, "less_conf_high"),
            CONF_RTOL,
        );
        check(
            &what("greater_conf_low"),
            greater[0],
            num(row, "greater_conf_low"),
            CONF_RTOL,
        );
        check(
            &what("estimate"),
            got.estimate,
            num(row, "estimate"),
            STAT_RTOL,
        );
        let est_y = got.estimate_y.unwrap_or(f64::NAN);
        check(
            &what("estimate_y"),
            est_y,
            num(row, "estimate_y"),
            STAT_RTOL,
        );
        check(&what("stderr"), got.stderr, num(row, "stderr"), STAT_RTOL);
    }
    rows.len()
}

/// Checks every `wilcox.tsv` row of `case`; returns the number of rows.
fn check_wilcox_case(case: &str) -> usize {
    let (x, y) = samples(case);
    let table = Table::read("wilcox.tsv");
    let rows: Vec<_> = table
        .rows
        .iter()
        .filter(|r| text(r, "case") == case)
        .collect();
    for row in &rows {
        let test = text(row, "test");
        let opts = WilcoxonOptions {
            mu: num(row, "mu"),
            exact: match text(row, "exact_arg") {
                "NULL" => None,
                "TRUE" => Some(true),
                _ => Some(false),
            },
            correct: text(row, "correct") == "TRUE",
        };
        let got: WilcoxonTest = match test {
            "one_sample" => wilcox_test_one_sample(&x, &opts),
            "paired" => wilcox_test_paired(&x, &y, &opts),
            "rank_sum" => wilcox_test_two_sample(&x, &y, &opts),
            other => panic!("unknown test {other}"),
        }
        .unwrap();
        let what = |field: &str| format!("wilcox.tsv {case} {test} {opts:?} {field}");
        assert_eq!(got.note, None, "{}", what("note"));
        assert_eq!(
            got.exact,
            text(row, "exact_used") == "TRUE",
            "{}",
            what("exact_used")
        );
        check(
            &what("statistic"),
            got.statistic,
            num(row, "statistic"),
            STAT_RTOL,
        );
        check(
            &what("p_two_sided"),
            got.p_two_sided,
            num(row, "p_two_sided"),
            P_RTOL,
        );
        check(&what("p_less"), got.p_less, num(row, "p_less"), P_RTOL);
        check(
            &what("p_greater"),
            got.p_greater,
            num(row, "p_greater"),
            P_RTOL,
        );
    }
    rows.len()
}

/// One test per input case, checking all its t-test and Wilcoxon rows.
macro_rules! case_tests {
    ($($name:ident => $case:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let n = check_t_case($case) + check_wilcox_case($case);
                assert!(n > 0, "no reference rows for case {}", $case);
            }
        )*
    };
}

case_tests! {
    case_small => "small",
    case_paired_small => "paired_small",
    case_ties => "ties",
    case_paired_ties => "paired_ties",
    case_large => "large",
    case_paired_large => "paired_large",
    case_exact49 => "exact49",
    case_extreme => "extreme",
    case_paired_extreme => "paired_extreme",
    case_missing => "missing",
    case_unequal => "unequal",
    case_tiny => "tiny",
    case_single_y => "single_y",
}

/// `padjust.tsv`, every method, tolerance [`ADJUST_RTOL`].
#[test]
fn p_adjust_all_methods() {
    let table = Table::read("padjust.tsv");
    let mut cases: Vec<&str> = table.rows.iter().map(|r| text(r, "case")).collect();
    cases.dedup();
    for case in cases {
        let rows: Vec<_> = table
            .rows
            .iter()
            .filter(|r| text(r, "case") == case)
            .collect();
        let p: Vec<f64> = rows.iter().map(|r| num(r, "p")).collect();
        for method in AdjustMethod::ALL {
            let got = p_adjust(&p, method);
            for (i, row) in rows.iter().enumerate() {
                let what = format!("padjust.tsv {case} {method} i={}", i + 1);
                check(&what, got[i], num(row, method.r_name()), ADJUST_RTOL);
            }
        }
    }
}

/// `pt.tsv`, both tails, tolerance [`P_RTOL`] (down to p ~ 1e-300).
#[test]
fn pt_grid() {
    for row in Table::read("pt.tsv").rows {
        let (q, df) = (num(&row, "q"), num(&row, "df"));
        let what = format!("pt.tsv q={q:e} df={df}");
        check(
            &format!("{what} lower"),
            pt(q, df, Tail::Lower),
            num(&row, "lower"),
            P_RTOL,
        );
        check(
            &format!("{what} upper"),
            pt(q, df, Tail::Upper),
            num(&row, "upper"),
            P_RTOL,
        );
    }
}

/// `qt.tsv`, both tails, tolerance [`QT_RTOL`].
#[test]
fn qt_grid() {
    for row in Table::read("qt.tsv").rows {
        let (p, df) = (num(&row, "p"), num(&row, "df"));
        let what = format!("qt.tsv p={p:e} df={df}");
        check(
            &format!("{what} lower"),
            qt(p, df, Tail::Lower),
            num(&row, "lower"),
            QT_RTOL,
        );
        check(
            &format!("{what} upper"),
            qt(p, df, Tail::Upper),
            num(&row, "upper"),
            QT_RTOL,
        );
    }
}

/// `pnorm.tsv`, both tails, tolerance [`P_RTOL`].
#[test]
fn pnorm_grid() {
    for row in Table::read("pnorm.tsv").rows {
        let q = num(&row, "q");
        let what = format!("pnorm.tsv q={q:e}");
        check(
            &format!("{what} lower"),
            pnorm(q, Tail::Lower),
            num(&row, "lower"),
            P_RTOL,
        );
        check(
            &format!("{what} upper"),
            pnorm(q, Tail::Upper),
            num(&row, "upper"),
            P_RTOL,
        );
    }
}

/// `psignrank.tsv`, both tails, tolerance [`P_RTOL`].
#[test]
fn psignrank_grid() {
    for row in Table::read("psignrank.tsv").rows {
        let (q, n) = (num(&row, "q"), num(&row, "n") as usize);
        let what = format!("psignrank.tsv q={q} n={n}");
        check(
            &format!("{what} lower"),
            psignrank(q, n, Tail::Lower),
            num(&row, "lower"),
            P_RTOL,
        );
        check(
            &format!("{what} upper"),
            psignrank(q, n, Tail::Upper),
            num(&row, "upper"),
            P_RTOL,
        );
    }
}

/// `pwilcox.tsv`, both tails, tolerance [`P_RTOL`].
#[test]
fn pwilcox_grid() {
    for row in Table::read("pwilcox.tsv").rows {
        let (q, m, n) = (
            num(&row, "q"),
            num(&row, "m") as usize,
            num(&row, "n") as usize,
        );
        let what = format!("pwilcox.tsv q={q} m={m} n={n}");
        check(
            &format!("{what} lower"),
            pwilcox(q, m, n, Tail::Lower),
            num(&row, "lower"),
            P_RTOL,
        );
        check(
            &format!("{what} upper"),
            pwilcox(q, m, n, Tail::Upper),
            num(&row, "upper"),
            P_RTOL,
        );
    }
}

/// Largest relative error over a column of `test-data/reference/limma/`,
/// failing on any value outside `tol`, with limma's rules: `NaN` must match
/// `NaN`, and where R's value is exactly 0 ours must be within
/// [`LIMMA_ABS_FLOOR_AT_ZERO`].
fn compare_limma(what: &str, ours: &[f64], r: &[f64], tol: f64) -> f64 {
    assert_eq!(ours.len(), r.len(), "{what}: lengths");
    let mut worst = 0.0f64;
    for (i, (&a, &b)) in ours.iter().zip(r).enumerate() {
        if b.is_nan() || a.is_nan() {
            assert!(a.is_nan() && b.is_nan(), "{what}[{i}]: ours {a:e}, R {b:e}");
            continue;
        }
        if b == 0.0 {
            assert!(
                a.abs() <= LIMMA_ABS_FLOOR_AT_ZERO,
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

/// Column `col` of a `test-data/reference/limma/` table.
fn limma_col(table: &Table, col: &str) -> Vec<f64> {
    table.rows.iter().map(|r| num(r, col)).collect()
}

/// `limma/special.tsv`: digamma, trigamma, tetragamma, tolerance
/// [`SPECIAL_RTOL`]. (Its `trigamma_inverse` column is checked in
/// npxkit-limma, where limma's `trigammaInverse` lives.)
#[test]
fn special_functions_match_r() {
    let t = Table::read_from("limma", "special.tsv");
    let x = limma_col(&t, "x");
    let ours = |f: fn(f64) -> f64| x.iter().map(|&v| f(v)).collect::<Vec<_>>();
    let worst = [
        compare_limma(
            "digamma",
            &ours(digamma),
            &limma_col(&t, "digamma"),
            SPECIAL_RTOL,
        ),
        compare_limma(
            "trigamma",
            &ours(trigamma),
            &limma_col(&t, "trigamma"),
            SPECIAL_RTOL,
        ),
        compare_limma(
            "tetragamma",
            &ours(tetragamma),
            &limma_col(&t, "tetragamma"),
            SPECIAL_RTOL,
        ),
    ];
    eprintln!("special functions: worst rel. errors {worst:?}");
}

/// `limma/t_tails.tsv`: upper, log upper and two-sided t tails (down to
/// 1e-100 and beyond), tolerance [`T_TAIL_RTOL`].
#[test]
fn t_tails_match_r() {
    let tab = Table::read_from("limma", "t_tails.tsv");
    let (t, df) = (limma_col(&tab, "t"), limma_col(&tab, "df"));
    let ours = |f: &dyn Fn(f64, f64) -> f64| {
        t.iter()
            .zip(&df)
            .map(|(&a, &b)| f(a, b))
            .collect::<Vec<_>>()
    };
    let w1 = compare_limma(
        "pt upper",
        &ours(&|a, b| pt(a, b, Tail::Upper)),
        &limma_col(&tab, "upper"),
        T_TAIL_RTOL,
    );
    let w2 = compare_limma(
        "pt log upper",
        &ours(&|a, b| pt_log(a, b, Tail::Upper)),
        &limma_col(&tab, "log_upper"),
        T_TAIL_RTOL,
    );
    let w3 = compare_limma(
        "two-sided",
        &ours(&|a, b| 2.0 * pt(-a.abs(), b, Tail::Lower)),
        &limma_col(&tab, "two_sided"),
        T_TAIL_RTOL,
    );
    let smallest = limma_col(&tab, "upper").iter().copied().fold(1.0, f64::min);
    assert!(smallest < 1e-100, "the reference reaches far into the tail");
    eprintln!("t tails: worst rel. errors {w1:.1e} {w2:.1e} {w3:.1e}");
}

/// `limma/t_quantiles.tsv`: upper-tail t quantiles, tolerance
/// [`T_TAIL_RTOL`].
#[test]
fn t_quantiles_match_r() {
    let tab = Table::read_from("limma", "t_quantiles.tsv");
    let (p, df) = (limma_col(&tab, "p"), limma_col(&tab, "df"));
    let ours: Vec<f64> = p
        .iter()
        .zip(&df)
        .map(|(&a, &b)| qt(a, b, Tail::Upper))
        .collect();
    let w = compare_limma("qt upper", &ours, &limma_col(&tab, "qt_upper"), T_TAIL_RTOL);
    eprintln!("t quantiles: worst rel. error {w:.1e}");
}
