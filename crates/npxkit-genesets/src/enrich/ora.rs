//! Over-representation analysis of up- and down-regulated assays, as limma's
//! `kegga`/`goana` with a user gene–set table and universe.
//!
//! For each set, with N assays in the universe, of which `n_up` are up and
//! `n_down` down, and a set of `n` assays in the universe holding `up` up and
//! `down` down ones, limma reports
//! `P.Up = phyper(up - 0.5, n_up, N - n_up, n, lower.tail = FALSE)`, i.e.
//! P(X ≥ up) for X hypergeometric: one-sided, over-representation only.
//! Sets and DE lists are restricted to the universe first (kegga's
//! `de[[s]] %in% universe` and `GeneID.PathID[, 1] %in% universe`).
//!
//! # References
//! Young, M. D., Wakefield, M. J., Smyth, G. K. and Oshlack, A. (2010). Gene
//! ontology analysis for RNA-seq: accounting for selection bias. *Genome
//! Biology* 11, R14. doi:10.1186/gb-2010-11-2-r14

/// A summed term below this fraction of the running sum ends the summation
/// of the hypergeometric tail (well under one unit in the last place).
const TAIL_SUM_REL_TOL: f64 = 1e-18;

/// Series cap of `bd0` (R's 1000).
const BD0_MAX_TERMS: usize = 1000;

/// One set's over-representation result (limma's `N Up Down P.Up P.Down`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OraRow {
    /// Index of the set in the input.
    pub set: usize,
    /// Set members in the universe (`N`).
    pub n: usize,
    /// Up-regulated members in the universe (`Up`).
    pub up: usize,
    /// Down-regulated members in the universe (`Down`).
    pub down: usize,
    /// P(X ≥ up), X ~ hypergeometric (`P.Up`).
    pub p_up: f64,
    /// P(X ≥ down) (`P.Down`).
    pub p_down: f64,
}

/// Over-representation of `up` and `down` assays in each set, within
/// `universe`, as limma's `kegga`/`goana` (`N Up Down P.Up P.Down`).
///
/// All arguments are assay rows; duplicates are ignored; sets and DE lists
/// are restricted to the universe. Rows come back in set order. A set with
/// no member in the universe gets `n = 0` and p-values 1 (kegga leaves such
/// a set out); with no DE assays both p-values of every set are 1.
///
/// ```
/// use npxkit_genesets::enrich::ora;
/// let sets = vec![vec![0, 1, 2], vec![3, 4, 9]];
/// let r = ora(&sets, &[0, 1], &[5], &(0..8).collect::<Vec<_>>());
/// assert_eq!((r[0].n, r[0].up, r[0].down), (3, 2, 0));
/// assert!((r[0].p_up - 3.0 / 28.0).abs() < 1e-15); // P(X >= 2), X ~ Hyper(2, 6, 3)
/// assert_eq!((r[1].n, r[1].p_up), (2, 1.0)); // row 9 is outside the universe
/// ```
///
/// # References
/// Young, M. D., Wakefield, M. J., Smyth, G. K. and Oshlack, A. (2010).
/// doi:10.1186/gb-2010-11-2-r14
pub fn ora(sets: &[Vec<usize>], up: &[usize], down: &[usize], universe: &[usize]) -> Vec<OraRow> {
    let len = universe.iter().max().map_or(0, |&m| m + 1);
    let mut in_universe = vec![false; len];
    universe.iter().for_each(|&r| in_universe[r] = true);
    let n_genes = in_universe.iter().filter(|&&b| b).count();
    let mark = |rows: &[usize]| {
        let mut v = vec![false; len];
        rows.iter()
            .filter(|&&r| r < len && in_universe[r])
            .for_each(|&r| v[r] = true);
        v
    };
    let (is_up, is_down) = (mark(up), mark(down));
    let n_up = is_up.iter().filter(|&&b| b).count();
    let n_down = is_down.iter().filter(|&&b| b).count();
    sets.iter()
        .enumerate()
        .map(|(set, members)| {
            let mut m: Vec<usize> = members
                .iter()
                .copied()
                .filter(|&r| r < len && in_universe[r])
                .collect();
            m.sort_unstable();
            m.dedup();
            let k_up = m.iter().filter(|&&r| is_up[r]).count();
            let k_down = m.iter().filter(|&&r| is_down[r]).count();
            OraRow {
                set,
                n: m.len(),
                up: k_up,
                down: k_down,
                p_up: phyper_upper(k_up, n_up, n_genes - n_up, m.len()),
                p_down: phyper_upper(k_down, n_down, n_genes - n_down, m.len()),
            }
        })
        .collect()
}

/// P(X ≥ q) for X hypergeometric: `k` draws without replacement from an urn
/// of `m` white and `n` black balls, X the white ones; R's
/// `phyper(q - 0.5, m, n, k, lower.tail = FALSE)`. NaN when `k > m + n`.
///
/// The smaller tail is summed from its inner end outwards, term ratios from
/// the recurrence of the probability mass function, times the mass at that
/// end (R's `dhyper`, Loader's saddle-point method); so p-values keep their
/// relative accuracy down to 1e-300. The larger tail is one minus the
/// smaller, as R's `phyper` does.
///
/// ```
/// use npxkit_genesets::enrich::phyper_upper;
/// assert_eq!(phyper_upper(0, 10, 30, 5), 1.0);
/// assert_eq!(phyper_upper(6, 10, 30, 5), 0.0);
/// assert!((phyper_upper(1, 1, 9, 1) - 0.1).abs() < 1e-16);
/// ```
///
/// # References
/// Johnson, N. L., Kemp, A. W. and Kotz, S. (2005). *Univariate Discrete
/// Distributions*, 3rd ed., Wiley, ch. 6. doi:10.1002/0471715816
pub fn phyper_upper(q: usize, m: usize, n: usize, k: usize) -> f64 {
    if k > m + n {
        return f64::NAN;
    }
    let (lo, hi) = (k.saturating_sub(n), m.min(k));
    if q <= lo {
        return 1.0;
    }
    if q > hi {
        return 0.0;
    }
    // x = q - 1 against the mean k m / (m + n), in exact integer arithmetic.
    let x = q - 1;
    if (x as u128) * ((m + n) as u128) > (k as u128) * (m as u128) {
        upper_sum(q, m, n, k, hi)
    } else {
        1.0 - lower_sum(x, m, n, k, lo)
    }
}

/// ln P(X = x) (R's `dhyper(x, m, n, k, log = TRUE)`), `x` in the support,
/// by Loader's saddle-point expansion as R computes it: the ratio of three
/// binomial probabilities at p = k / (m + n), each from `stirlerr` and `bd0`,
/// so no large `lgamma` values cancel.
///
/// # References
/// Loader, C. (2000). Fast and accurate computation of binomial
/// probabilities. Technical report, Bell Labs.
fn log_dhyper(x: usize, m: usize, n: usize, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    let total = (m + n) as f64;
    let (p, q) = (k as f64 / total, (m + n - k) as f64 / total);
    log_dbinom_raw(x as f64, m as f64, p, q) + log_dbinom_raw((k - x) as f64, n as f64, p, q)
        - log_dbinom_raw(k as f64, total, p, q)
}

/// ln of the binomial probability of x successes in n trials (R's
/// `dbinom_raw(x, n, p, q, log = TRUE)`), 0 ≤ x ≤ n integers.
fn log_dbinom_raw(x: f64, n: f64, p: f64, q: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 0.0 } else { f64::NEG_INFINITY };
    }
    if q == 0.0 {
        return if x == n { 0.0 } else { f64::NEG_INFINITY };
    }
    if x == 0.0 {
        if n == 0.0 {
            return 0.0;
        }
        return if p < 0.1 {
            -bd0(n, n * q) - n * p
        } else {
            n * q.ln()
        };
    }
    if x == n {
        return if q < 0.1 {
            -bd0(n, n * p) - n * q
        } else {
            n * p.ln()
        };
    }
    let lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
    let lf = (2.0 * std::f64::consts::PI).ln() + x.ln() + (-x / n).ln_1p();
    lc - 0.5 * lf
}

/// ln(n!) − ln(√(2π) n^(n+½) e^(−n)), the error of Stirling's formula, for
/// integer n ≥ 0 (R's `stirlerr`: a table up to 15, then the series).
fn stirlerr(n: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    /// R's `sferr_halves` at the integers 0..=15 (0 is a placeholder, as in R),
    /// with R's digits.
    #[allow(clippy::excessive_precision)]
    const TABLE: [f64; 16] = [
        0.0,
        0.081_061_466_795_327_258_219_670_2,
        0.041_340_695_955_409_294_093_822_1,
        0.027_677_925_684_998_339_148_789_29,
        0.020_790_672_103_765_093_111_522_77,
        0.016_644_691_189_821_192_163_194_87,
        0.013_876_128_823_070_747_998_745_73,
        0.011_896_709_945_891_770_095_055_72,
        0.010_411_265_261_972_096_497_478_567,
        0.009_255_462_182_712_732_917_728_637,
        0.008_330_563_433_362_871_256_469_318,
        0.007_573_675_487_951_840_794_972_024,
        0.006_942_840_107_209_529_865_664_152,
        0.006_408_994_188_004_207_068_439_631,
        0.005_951_370_112_758_847_735_624_416,
        0.005_554_733_551_962_801_371_038_690,
    ];
    if n <= 15.0 {
        return TABLE[n as usize];
    }
    let nn = n * n;
    if n > 500.0 {
        (S0 - S1 / nn) / n
    } else if n > 80.0 {
        (S0 - (S1 - S2 / nn) / nn) / n
    } else if n > 35.0 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
    }
}

/// x ln(x / np) + np − x, without cancellation near x = np (R's `bd0`).
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        if s.abs() < f64::MIN_POSITIVE {
            return s;
        }
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..BD0_MAX_TERMS {
            ej *= v;
            let s1 = s + ej / (2 * j + 1) as f64;
            if s1 == s {
                return s1;
            }
            s = s1;
        }
    }
    x * (x / np).ln() + np - x
}

/// P(X ≥ q), summed upwards from q (q above the mean, so terms decrease).
fn upper_sum(q: usize, m: usize, n: usize, k: usize, hi: usize) -> f64 {
    let (mut term, mut sum) = (1.0_f64, 1.0_f64);
    for x in q..hi {
        // P(x + 1) / P(x)
        let (xf, mf, nf, kf) = (x as f64, m as f64, n as f64, k as f64);
        term *= (mf - xf) * (kf - xf) / ((xf + 1.0) * (nf - kf + xf + 1.0));
        sum += term;
        if term < sum * TAIL_SUM_REL_TOL {
            break;
        }
    }
    (log_dhyper(q, m, n, k) + sum.ln()).exp()
}

/// P(X ≤ x), summed downwards from x (x at or below the mean).
fn lower_sum(x: usize, m: usize, n: usize, k: usize, lo: usize) -> f64 {
    let (mut term, mut sum) = (1.0_f64, 1.0_f64);
    let (mf, nf, kf) = (m as f64, n as f64, k as f64);
    for i in ((lo + 1)..=x).rev() {
        // P(i - 1) / P(i)
        let fi = i as f64;
        term *= fi * (nf - kf + fi) / ((mf - fi + 1.0) * (kf - fi + 1.0));
        sum += term;
        if term < sum * TAIL_SUM_REL_TOL && term < 1.0 {
            break;
        }
    }
    (log_dhyper(x, m, n, k) + sum.ln()).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    use npxkit_stats::special::lgamma;

    /// Brute force: sum of the pmf from its definition with `lgamma`.
    fn brute(q: usize, m: usize, n: usize, k: usize) -> f64 {
        let lchoose = |a: usize, b: usize| {
            lgamma(a as f64 + 1.0) - lgamma(b as f64 + 1.0) - lgamma((a - b) as f64 + 1.0)
        };
        let hi = m.min(k);
        (q..=hi)
            .filter(|&x| k - x <= n)
            .map(|x| (lchoose(m, x) + lchoose(n, k - x) - lchoose(m + n, k)).exp())
            .sum()
    }

    #[test]
    fn test_stirlerr_and_bd0() {
        // The series branch against the table's definition via lgamma (small n).
        for n in [16.0_f64, 20.0, 36.0, 50.0] {
            let direct =
                lgamma(n + 1.0) - (n + 0.5) * n.ln() + n - 0.5 * (2.0 * std::f64::consts::PI).ln();
            // The direct formula cancels ~100-sized terms: agreement to ~1e-13 absolute.
            let e = (stirlerr(n) - direct).abs();
            assert!(e < 1e-13, "{n}: {e:e}");
        }
        assert_eq!(bd0(5.0, 5.0), 0.0);
        assert!((bd0(10.0, 3.0) - (10.0 * (10.0f64 / 3.0).ln() + 3.0 - 10.0)).abs() < 1e-14);
    }

    #[test]
    fn test_phyper_upper() {
        for &(m, n, k) in &[(10, 30, 5), (3, 2, 4), (40, 360, 20), (7, 0, 5), (0, 5, 3)] {
            for q in 0..=k + 1 {
                let (g, w) = (phyper_upper(q, m, n, k), brute(q, m, n, k).min(1.0));
                // The brute force adds lgamma round-off per term (~1e-13);
                // R parity at 1e-10 is in tests/enrich_reference.rs.
                assert!(
                    (g - w).abs() <= 1e-11 * w.max(1e-300),
                    "{q} {m} {n} {k}: {g} {w}"
                );
            }
        }
        assert!(phyper_upper(1, 2, 2, 5).is_nan());
        // k = 0: X = 0 surely.
        assert_eq!(phyper_upper(0, 4, 4, 0), 1.0);
        assert_eq!(phyper_upper(1, 4, 4, 0), 0.0);
    }

    #[test]
    fn test_ora_degenerate() {
        let universe: Vec<usize> = (0..10).collect();
        // Empty set, set outside the universe, set covering the universe.
        let sets = vec![vec![], vec![20, 21], universe.clone()];
        let r = ora(&sets, &[1, 2, 2], &[], &universe);
        assert_eq!((r[0].n, r[0].p_up, r[0].p_down), (0, 1.0, 1.0));
        assert_eq!((r[1].n, r[1].p_up), (0, 1.0));
        // The whole universe holds every up assay: P(X >= 2) = 1.
        assert_eq!((r[2].n, r[2].up, r[2].p_up), (10, 2, 1.0));
        // No DE assays: all p-values 1.
        assert_eq!(r[2].p_down, 1.0);
        // Empty universe.
        let e = ora(&sets, &[1], &[2], &[]);
        assert!(e
            .iter()
            .all(|r| r.n == 0 && r.p_up == 1.0 && r.p_down == 1.0));
        assert_eq!(e[2].set, 2);
    }
}
