//! `ptukey` / `qtukey` against R's values (`test-data/reference/lmer/ptukey.tsv`,
//! `qtukey.tsv`, written by `test-data/reference/lmer.R`).
//!
//! Tolerance: relative 1e-8 ([`REL`]). The upper tail is `1 − P` in R too, so
//! its absolute error is that of the lower tail: about 1e-14 (a sum of up to
//! 800 quadrature terms whose `exp`/`pnorm` come from another libm), hence an
//! absolute floor of 1e-13 ([`UPPER_ABS`]) where the upper tail is tiny
//! (e.g. `ptukey(8, 2, 5000, lower.tail = FALSE)` = 9.25073e-9 in R,
//! 9.25072e-9 here).

use std::path::PathBuf;

use npxkit_lmm::{ptukey, qtukey};
use npxkit_stats::Tail;

/// Relative tolerance against R.
const REL: f64 = 1e-8;
/// Absolute floor for upper-tail probabilities (cancellation in `1 − P`).
const UPPER_ABS: f64 = 1e-13;

fn read(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../test-data/reference/lmer")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap()
        .split('\t')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| {
            l.split('\t')
                .map(|v| match v {
                    "Inf" => f64::INFINITY,
                    _ => v.parse().unwrap(),
                })
                .collect()
        })
        .collect();
    (header, rows)
}

#[test]
fn ptukey_matches_r() {
    let (h, rows) = read("ptukey.tsv");
    assert_eq!(h, ["q", "nmeans", "df", "ptukey", "ptukey_upper"]);
    let mut worst = 0.0_f64;
    for r in &rows {
        let lower = ptukey(r[0], r[1], r[2], Tail::Lower);
        worst = worst.max((lower - r[3]).abs() / r[3]);
        assert!(
            (lower - r[3]).abs() <= REL * r[3].abs(),
            "ptukey({}, {}, {}) = {lower:e}, R {:e}",
            r[0],
            r[1],
            r[2],
            r[3]
        );
        let upper = ptukey(r[0], r[1], r[2], Tail::Upper);
        assert!(
            (upper - r[4]).abs() <= (REL * r[4].abs()).max(UPPER_ABS),
            "upper ptukey({}, {}, {}) = {upper:e}, R {:e}",
            r[0],
            r[1],
            r[2],
            r[4]
        );
    }
    eprintln!("ptukey: largest relative difference to R (lower tail) {worst:.2e}");
}

#[test]
fn qtukey_matches_r() {
    let (h, rows) = read("qtukey.tsv");
    assert_eq!(h, ["p", "nmeans", "df", "qtukey"]);
    let mut worst = 0.0_f64;
    for r in &rows {
        let q = qtukey(r[0], r[1], r[2]);
        worst = worst.max((q - r[3]).abs() / r[3]);
        assert!(
            (q - r[3]).abs() <= REL * r[3].abs(),
            "qtukey({}, {}, {}) = {q:e}, R {:e}",
            r[0],
            r[1],
            r[2],
            r[3]
        );
    }
    eprintln!("qtukey: largest relative difference to R {worst:.2e}");
}

#[test]
fn ptukey_edge_cases() {
    assert_eq!(ptukey(0.0, 3.0, 10.0, Tail::Lower), 0.0);
    assert_eq!(ptukey(-1.0, 3.0, 10.0, Tail::Upper), 1.0);
    assert!(ptukey(1.0, 1.0, 10.0, Tail::Lower).is_nan());
    assert!(ptukey(1.0, 3.0, 1.0, Tail::Lower).is_nan());
    assert_eq!(qtukey(0.0, 3.0, 10.0), 0.0);
    assert_eq!(qtukey(1.0, 3.0, 10.0), f64::INFINITY);
}
