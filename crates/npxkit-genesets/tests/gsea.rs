//! Preranked GSEA (`npxkit_genesets::enrich::gsea`): the enrichment score
//! against a brute-force walk of the whole ranked list written here, and the
//! permutation statistics (NES, p-values) for stability across seeds, thread
//! counts and planted signals. There is no R reference: fgsea is not
//! installed, and its permutations could not be reproduced anyway.

use npxkit_genesets::enrich::{gsea, Direction, GseaOptions, GseaRow};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Absolute tolerance of ES against the brute-force walk: the two sum the
/// same weights in the same order and differ only in where they evaluate
/// the running sum.
const ES_TOL: f64 = 1e-12;

/// Largest |ΔNES| between two seeds for a set with 10,000 permutations.
const NES_SEED_TOL: f64 = 0.05;

/// Standard normal draws (Box–Muller) from a seeded stream.
fn normals(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut unif = || (f64::from(rng.next_u32()) + 0.5) / 4_294_967_296.0;
    (0..n)
        .map(|_| {
            let (u, v) = (unif(), unif());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        })
        .collect()
}

/// `k` distinct rows of 0..n, ascending, from a seeded stream.
fn random_set(rng: &mut ChaCha8Rng, n: usize, k: usize) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + (rng.next_u64() % (n - i) as u64) as usize;
        rows.swap(i, j);
    }
    let mut s = rows[..k].to_vec();
    s.sort_unstable();
    s
}

/// The brute-force walk of one set: the largest and the smallest value of
/// the running sum, and the leading edge for each position where the sum is
/// within [`ES_TOL`] of either (so near-ties in exact arithmetic, common
/// with weight 0, admit every candidate peak).
struct Walk {
    max: f64,
    min: f64,
    edges_max: Vec<Vec<usize>>,
    edges_min: Vec<Vec<usize>>,
}

/// Brute force: rank by decreasing statistic, ties by input order; walk all
/// N positions keeping the hit weight and miss count so far, evaluating
/// P_hit − P_miss at every position.
fn brute_force(stat: &[f64], set: &[usize], p: f64) -> Option<Walk> {
    let n = stat.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        stat[b]
            .partial_cmp(&stat[a])
            .unwrap()
            .then_with(|| a.cmp(&b))
    });
    let in_set: Vec<bool> = (0..n).map(|r| set.contains(&r)).collect();
    let k = set.len();
    let total: f64 = order
        .iter()
        .filter(|&&r| in_set[r])
        .map(|&r| stat[r].abs().powf(p))
        .sum();
    if k == 0 || k == n || total <= 0.0 {
        return None;
    }
    let mut sums = Vec::with_capacity(n);
    let (mut hit, mut misses) = (0.0, 0usize);
    for &r in &order {
        if in_set[r] {
            hit += stat[r].abs().powf(p);
        } else {
            misses += 1;
        }
        sums.push(hit / total - misses as f64 / (n - k) as f64);
    }
    // The walk starts at 0 before the first position.
    let max = sums.iter().copied().fold(0.0, f64::max);
    let min = sums.iter().copied().fold(0.0, f64::min);
    let members =
        |range: &[usize]| -> Vec<usize> { range.iter().copied().filter(|&r| in_set[r]).collect() };
    let edges_max = (0..n)
        .filter(|&j| (sums[j] - max).abs() <= ES_TOL)
        .map(|j| members(&order[..=j]))
        .collect();
    let mut edges_min: Vec<Vec<usize>> = (0..n)
        .filter(|&j| (sums[j] - min).abs() <= ES_TOL)
        .map(|j| members(&order[j + 1..]).into_iter().rev().collect())
        .collect();
    if min.abs() <= ES_TOL {
        edges_min.push(members(&order).into_iter().rev().collect());
    }
    Some(Walk {
        max,
        min,
        edges_max,
        edges_min,
    })
}

fn opts(permutations: usize, seed: u64) -> GseaOptions {
    GseaOptions {
        permutations,
        seed,
        ..Default::default()
    }
}

/// ES equals the brute-force walk to [`ES_TOL`], and the leading edge is the
/// walk's (one of them at a tie within [`ES_TOL`]), for 400 random
/// sets (sizes 1..N−1) on statistics with ties and zeros, for weight
/// exponents 0, 1, 1.5 and 2.
#[test]
fn es_matches_brute_force() {
    let n = 300;
    // Rounded to 1 decimal: many ties, some exact zeros.
    let stat: Vec<f64> = normals(11, n)
        .iter()
        .map(|x| (x * 10.0).round() / 10.0)
        .collect();
    assert!(stat.iter().filter(|&&x| x == 0.0).count() > 3);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut sets: Vec<Vec<usize>> = [1, 2, 3, 5, 10, 40, 150, 298, 299]
        .iter()
        .map(|&k| random_set(&mut rng, n, k))
        .collect();
    for _ in 0..391 {
        let k = 1 + (rng.next_u32() as usize % 120);
        sets.push(random_set(&mut rng, n, k));
    }
    let mut worst = 0.0_f64;
    for p in [0.0, 1.0, 1.5, 2.0] {
        let o = GseaOptions {
            weight: p,
            ..opts(1, 1)
        };
        let rows = gsea(&stat, &sets, &o).unwrap();
        for (set, row) in sets.iter().zip(&rows) {
            match brute_force(&stat, set, p) {
                None => assert!(row.es.is_nan(), "p {p} set {set:?}"),
                Some(w) => {
                    // ES is the larger deviation; when the two are tied
                    // within the tolerance either sign is right.
                    let positive = w.max >= -w.min;
                    let tie = (w.max + w.min).abs() <= ES_TOL;
                    let (es, edges, dir) = if row.es >= 0.0 && (positive || tie) {
                        (w.max, &w.edges_max, Direction::Up)
                    } else {
                        assert!(!positive || tie, "p {p}: ES {} should be ≥ 0", row.es);
                        (w.min, &w.edges_min, Direction::Down)
                    };
                    let e = (row.es - es).abs();
                    assert!(e <= ES_TOL, "p {p} size {}: {} vs {es}", set.len(), row.es);
                    worst = worst.max(e);
                    assert!(
                        edges.contains(&row.leading_edge),
                        "p {p} size {}: leading edge {:?}",
                        set.len(),
                        row.leading_edge
                    );
                    assert_eq!(row.direction, Some(dir));
                }
            }
        }
    }
    eprintln!("ES: worst absolute difference from the brute force {worst:e}");
}

/// Statistics with a planted up set (rows 0..40, +1.5), a planted down set
/// (rows 40..80, −1.5), a weakly shifted set (rows 80..130, +0.2) and
/// null sets, N = 3000.
fn planted() -> (Vec<f64>, Vec<Vec<usize>>) {
    let n = 3000;
    let mut stat = normals(2026, n);
    stat[..40].iter_mut().for_each(|x| *x += 1.5);
    stat[40..80].iter_mut().for_each(|x| *x -= 1.5);
    stat[80..130].iter_mut().for_each(|x| *x += 0.2);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let mut sets = vec![
        (0..40).collect(),
        (40..80).collect(),
        (80..130).collect::<Vec<usize>>(),
    ];
    for k in [15, 25, 40, 50, 60] {
        sets.push(random_set(&mut rng, n, k));
    }
    (stat, sets)
}

/// The planted up set is `Up` with p at the permutation floor, the down set
/// `Down`; both have |NES| > 2 and FDR < 0.01.
#[test]
fn planted_sets_are_found() {
    let (stat, sets) = planted();
    let rows = gsea(&stat, &sets, &GseaOptions::default()).unwrap();
    let (up, down) = (&rows[0], &rows[1]);
    assert_eq!(up.direction, Some(Direction::Up));
    assert_eq!(down.direction, Some(Direction::Down));
    for r in [up, down] {
        // No permutation of the same sign reaches the planted ES.
        assert_eq!(r.p_value, 1.0 / (r.n_same_sign + 1) as f64, "{r:?}");
        assert!(r.nes.abs() > 2.0 && r.fdr < 0.01, "{r:?}");
        assert!(r.leading_edge.len() >= 20 && r.leading_edge.len() <= 40);
    }
    assert!(up.nes > 0.0 && down.nes < 0.0);
    // Leading-edge members of the up set are planted rows, strongest first.
    assert!(up.leading_edge.iter().all(|&r| r < 40));
    assert!(up.leading_edge.windows(2).all(|w| stat[w[0]] >= stat[w[1]]));
    assert!(down
        .leading_edge
        .windows(2)
        .all(|w| stat[w[0]] <= stat[w[1]]));
    assert!(rows.iter().all(|r| r.p_value > 0.0 && r.p_value <= 1.0));
}

/// Two seeds give the same ES, NES within [`NES_SEED_TOL`] and p-values
/// within 5 binomial standard errors of their difference,
/// 5·sqrt(2·p(1−p)/n), for every set (including the weak set, whose p-value
/// is between 1e-3 and 0.2 so the check has teeth).
#[test]
fn nes_and_p_are_stable_across_seeds() {
    let (stat, sets) = planted();
    let a = gsea(&stat, &sets, &opts(10_000, 42)).unwrap();
    let b = gsea(&stat, &sets, &opts(10_000, 7)).unwrap();
    assert!(
        a[2].p_value > 1e-3 && a[2].p_value < 0.2,
        "weak set p {}",
        a[2].p_value
    );
    let mut worst_nes = 0.0_f64;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.es, y.es);
        let d = (x.nes - y.nes).abs();
        worst_nes = worst_nes.max(d);
        assert!(
            d < NES_SEED_TOL,
            "set {}: NES {} vs {}",
            x.set,
            x.nes,
            y.nes
        );
        let p = 0.5 * (x.p_value + y.p_value);
        let se = (2.0 * p * (1.0 - p) / x.n_same_sign.min(y.n_same_sign) as f64).sqrt();
        assert!(
            (x.p_value - y.p_value).abs() <= 5.0 * se + 1e-12,
            "set {}: p {} vs {} (se {se:e})",
            x.set,
            x.p_value,
            y.p_value
        );
    }
    // Different seeds do draw different permutations.
    assert!(a.iter().zip(&b).any(|(x, y)| x.nes != y.nes));
    eprintln!("worst |ΔNES| between seeds 42 and 7: {worst_nes:e}");
}

/// Bit-identical results with 1 and 2 threads, for sets of many sizes.
#[test]
fn results_do_not_depend_on_thread_count() {
    let n = 1500;
    let stat = normals(3, n);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let sets: Vec<Vec<usize>> = (0..120)
        .map(|i| random_set(&mut rng, n, 5 + (i * 7) % 300))
        .collect();
    let run = |threads: usize| -> Vec<GseaRow> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| gsea(&stat, &sets, &opts(2000, 42)).unwrap())
    };
    let bits = |rows: &[GseaRow]| -> Vec<(u64, u64, u64, u64, Vec<usize>)> {
        rows.iter()
            .map(|r| {
                (
                    r.es.to_bits(),
                    r.nes.to_bits(),
                    r.p_value.to_bits(),
                    r.fdr.to_bits(),
                    r.leading_edge.clone(),
                )
            })
            .collect()
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(bits(&one), bits(&two));
    // A set's result does not depend on the other sets tested with it.
    let alone = gsea(&stat, &sets[7..8], &opts(2000, 42)).unwrap();
    assert_eq!(alone[0].nes.to_bits(), one[7].nes.to_bits());
    assert_eq!(alone[0].p_value.to_bits(), one[7].p_value.to_bits());
}

/// Under the null (random sets on random statistics) p-values are roughly
/// uniform: of 400 sets of size 20, between 2% and 9% have p < 0.05
/// (expected 5%; 20 ± 4.4 sets, so the band is about ±3.4 SD).
#[test]
fn null_p_values_are_calibrated() {
    let n = 2000;
    let stat = normals(17, n);
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    let sets: Vec<Vec<usize>> = (0..400).map(|_| random_set(&mut rng, n, 20)).collect();
    let rows = gsea(&stat, &sets, &opts(2000, 42)).unwrap();
    let small = rows.iter().filter(|r| r.p_value < 0.05).count();
    assert!((8..=36).contains(&small), "{small} of 400 with p < 0.05");
    let mean_nes: f64 = rows.iter().map(|r| r.nes.abs()).sum::<f64>() / 400.0;
    // |NES| of null sets averages about 1 by construction.
    assert!((0.85..1.15).contains(&mean_nes), "mean |NES| {mean_nes}");
}

/// Degenerate sets give NaN and no direction, without a panic, and leave the
/// other sets' results and FDR alone: an empty set, every assay, a set whose
/// only member has statistic 0 (weight 0).
#[test]
fn degenerate_sets_give_nan() {
    let mut stat = normals(4, 200);
    stat[10] = 0.0;
    let sets = vec![vec![], (0..200).collect(), vec![10], (20..40).collect()];
    let rows = gsea(&stat, &sets, &opts(500, 42)).unwrap();
    for r in &rows[..3] {
        assert!(r.es.is_nan() && r.nes.is_nan() && r.p_value.is_nan() && r.fdr.is_nan());
        assert_eq!(r.direction, None);
        assert!(r.leading_edge.is_empty());
    }
    assert_eq!(rows[2].size, 1);
    assert!(rows[3].p_value > 0.0 && rows[3].p_value <= 1.0);
    // BH over the one testable set: FDR = p.
    assert_eq!(rows[3].fdr, rows[3].p_value);
    // With weight 0 the zero statistic counts like any other.
    let o = GseaOptions {
        weight: 0.0,
        ..opts(500, 42)
    };
    assert!(gsea(&stat, &sets[2..3], &o).unwrap()[0].es.is_finite());
    // No assays at all: every set is empty.
    let none = gsea(&[], &[vec![]], &opts(10, 1)).unwrap();
    assert!(none[0].p_value.is_nan());
}
