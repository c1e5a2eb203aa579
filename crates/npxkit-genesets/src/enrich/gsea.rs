//! Preranked gene-set enrichment analysis (GSEA), as Subramanian et al.
//! (2005) define it and fgsea's "simple" method computes its p-values.
//!
//! # The statistic
//! Assays are ranked by their statistic (the moderated t of a de.tsv),
//! **decreasing**; ties keep the input order (a stable sort), so the ranking
//! and everything after it is deterministic. Walking down the ranked list of
//! N assays, a running sum rises by `|s|^p / NR` at each member of the set
//! (`s` its statistic, `p` the weight exponent, `NR` the sum of `|s|^p` over
//! the members) and falls by `1 / (N - k)` at each of the `N - k` other
//! assays. The enrichment score **ES** is the running sum's largest
//! deviation from zero, with its sign (a tie between the largest positive and
//! the largest negative deviation goes to the positive one). The maximum can
//! only sit just after a member and the minimum just before one, so ES is
//! computed from the k member positions alone, in O(k) once they are sorted
//! (a random set's positions are sorted by marking them in a bitmap of the
//! list and reading it back, N/64 words, or by sorting when k is tiny).
//!
//! The **leading edge** is the set's members from the top of the list down to
//! the peak (positive ES), or from the trough to the bottom (negative ES),
//! strongest first.
//!
//! # Permutations, NES and p-values
//! The null distribution permutes gene labels: random sets of the same size
//! k, drawn without replacement from the ranked list, scored as above. All
//! sets of one size share the same `permutations` random sets, drawn from a
//! ChaCha8 stream keyed by the seed with the size as stream number, so the
//! results do not depend on the number of threads or on which other sets are
//! tested. Sizes are processed in parallel (rayon).
//! - **NES** = ES / the mean of the permutation ES of the same sign (for a
//!   negative ES, the mean of their absolute values, so NES keeps ES's sign).
//! - **p-value** (fgsea's simple method): for ES ≥ 0,
//!   `(#{perm ES ≥ ES} + 1) / (#{perm ES ≥ 0} + 1)`; for ES < 0,
//!   `(#{perm ES ≤ ES} + 1) / (#{perm ES < 0} + 1)`. BH adjustment over sets.
//!
//! The smallest p-value a set can get is `1 / (#same-sign permutations + 1)`,
//! about `2 / permutations`: this module does **not** implement fgsea's
//! multilevel splitting for smaller p-values. A p-value at that floor means
//! "at most this"; raise `permutations` to resolve it. Nothing is clamped.
//!
//! # Degenerate sets
//! An empty set, a set of every ranked assay (no assay outside it), or a set
//! whose members all have weight 0 has no ES: ES, NES and the p-value are NaN
//! and the direction is `None`. Random sets with total weight 0 (possible
//! only with many zero statistics) are left out of the null distribution.
//!
//! # References
//! - Subramanian, A., Tamayo, P., Mootha, V. K., Mukherjee, S., Ebert, B. L.
//!   et al. (2005). Gene set enrichment analysis: a knowledge-based approach
//!   for interpreting genome-wide expression profiles. *PNAS* 102,
//!   15545–15550. doi:10.1073/pnas.0506580102
//! - Korotkevich, G., Sukhov, V., Budin, N., Shpak, B., Artyomov, M. N. and
//!   Sergushichev, A. (2021). Fast gene set enrichment analysis. *bioRxiv*
//!   060012. doi:10.1101/060012

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use npxkit_stats::{p_adjust, AdjustMethod};

use super::{check_members, Direction, EnrichError};

/// Default number of permutations per set size.
pub const DEFAULT_PERMUTATIONS: usize = 10_000;
/// Default seed of the permutations.
pub const DEFAULT_SEED: u64 = 42;
/// Default weight exponent p of the running sum (1: weighted by |t|).
pub const DEFAULT_WEIGHT: f64 = 1.0;

/// Options of [`gsea()`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GseaOptions {
    /// Weight exponent p: members step up by `|s|^p` (0 gives the classic
    /// unweighted Kolmogorov–Smirnov statistic); finite, ≥ 0.
    pub weight: f64,
    /// Random sets per set size (≥ 1).
    pub permutations: usize,
    /// Seed of the random sets.
    pub seed: u64,
}

impl Default for GseaOptions {
    fn default() -> Self {
        Self {
            weight: DEFAULT_WEIGHT,
            permutations: DEFAULT_PERMUTATIONS,
            seed: DEFAULT_SEED,
        }
    }
}

/// One set's GSEA result.
#[derive(Debug, Clone, PartialEq)]
pub struct GseaRow {
    /// Index of the set in the input.
    pub set: usize,
    /// Members of the set.
    pub size: usize,
    /// Enrichment score (NaN for a degenerate set).
    pub es: f64,
    /// Normalised enrichment score (NaN when ES is, or no permutation ES has its sign).
    pub nes: f64,
    /// Permutation p-value (NaN for a degenerate set).
    pub p_value: f64,
    /// Benjamini–Hochberg FDR over the sets with a p-value.
    pub fdr: f64,
    /// `Up` for ES ≥ 0, `Down` for ES < 0, `None` when ES is NaN.
    pub direction: Option<Direction>,
    /// Leading-edge members (rows of the statistic), strongest first.
    pub leading_edge: Vec<usize>,
    /// Permutation ES of the same sign as ES (the p-value's denominator − 1).
    pub n_same_sign: usize,
}

/// Preranked GSEA of `statistic` (one finite value per assay) for `sets`
/// (distinct rows of `statistic`); rows come back in set order.
///
/// # Errors
/// A non-finite statistic, a set member out of range or listed twice, a
/// weight that is negative or not finite, no permutations, or more assays
/// than 2³² − 1.
///
/// # References
/// Subramanian et al. (2005). doi:10.1073/pnas.0506580102
pub fn gsea(
    statistic: &[f64],
    sets: &[Vec<usize>],
    opts: &GseaOptions,
) -> Result<Vec<GseaRow>, EnrichError> {
    let n = statistic.len();
    check_options(opts, n)?;
    if let Some(row) = statistic.iter().position(|v| !v.is_finite()) {
        return Err(EnrichError::NonFiniteStatistic { row });
    }
    check_members(sets, n)?;
    let ranked = Ranked::new(statistic, opts.weight);
    let positions = member_positions(&ranked, sets)?;
    // Sets grouped by size; degenerate sizes get no null distribution.
    let mut by_size: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, p) in positions.iter().enumerate() {
        by_size.entry(p.len()).or_default().push(i);
    }
    let groups: Vec<(usize, Vec<usize>)> = by_size.into_iter().rev().collect();
    let evaluated: Vec<Vec<GseaRow>> = groups
        .par_iter()
        .map(|(k, members)| {
            let null = (*k > 0 && *k < n).then(|| NullEs::draw(&ranked, *k, opts));
            members
                .iter()
                .map(|&i| score_set(&ranked, i, &positions[i], null.as_ref()))
                .collect()
        })
        .collect();
    let mut rows: Vec<GseaRow> = evaluated.into_iter().flatten().collect();
    rows.sort_by_key(|r| r.set);
    let p: Vec<f64> = rows.iter().map(|r| r.p_value).collect();
    for (r, q) in rows.iter_mut().zip(p_adjust(&p, AdjustMethod::BH)) {
        r.fdr = q;
    }
    Ok(rows)
}

fn check_options(opts: &GseaOptions, n: usize) -> Result<(), EnrichError> {
    if !(opts.weight.is_finite() && opts.weight >= 0.0) {
        return Err(EnrichError::InvalidOption {
            option: "weight",
            reason: format!("{} is not a finite number ≥ 0", opts.weight),
        });
    }
    if opts.permutations == 0 {
        return Err(EnrichError::InvalidOption {
            option: "permutations",
            reason: "at least one permutation is needed".into(),
        });
    }
    if u32::try_from(n).is_err() {
        return Err(EnrichError::InvalidOption {
            option: "statistic",
            reason: format!("{n} assays; at most {} can be ranked", u32::MAX),
        });
    }
    Ok(())
}

/// The ranked list: rows by decreasing statistic (ties in input order),
/// each row's position, and the weight `|s|^p` at each position.
struct Ranked {
    order: Vec<usize>,
    position: Vec<usize>,
    weight: Vec<f64>,
}

impl Ranked {
    fn new(statistic: &[f64], p: f64) -> Self {
        let mut order: Vec<usize> = (0..statistic.len()).collect();
        // Finite values (checked): -0 and +0 tie, as in R.
        order.sort_by(|&a, &b| {
            statistic[b]
                .partial_cmp(&statistic[a])
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut position = vec![0; statistic.len()];
        for (pos, &row) in order.iter().enumerate() {
            position[row] = pos;
        }
        let weight = order.iter().map(|&r| statistic[r].abs().powf(p)).collect();
        Self {
            order,
            position,
            weight,
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

/// Each set's member positions in the ranked list, ascending.
fn member_positions(ranked: &Ranked, sets: &[Vec<usize>]) -> Result<Vec<Vec<usize>>, EnrichError> {
    sets.iter()
        .enumerate()
        .map(|(set, members)| {
            let mut pos: Vec<usize> = members.iter().map(|&r| ranked.position[r]).collect();
            pos.sort_unstable();
            if let Some(w) = pos.windows(2).find(|w| w[0] == w[1]) {
                let row = ranked.order[w[0]];
                return Err(EnrichError::DuplicateMember { set, row });
            }
            Ok(pos)
        })
        .collect()
}

/// ES of a set from its ascending member positions: `(ES, peak)` where
/// `peak` indexes `pos` (the last leading-edge member for ES ≥ 0, the first
/// for ES < 0); `None` for a degenerate set.
///
/// The running sum is tracked multiplied by `NR` (the members' total
/// weight), which saves a division per member; [`permutation_es`] computes
/// the same value by the same operations, so an observed ES and a
/// permutation ES of the same set are equal to the last bit.
fn enrichment_score(pos: &[usize], weight: &[f64], n: usize) -> Option<(f64, usize)> {
    let (total, scale) = running_sum_scale(pos, weight, n)?;
    let (mut cum, mut top, mut bottom) = (0.0, 0.0_f64, 0.0_f64);
    let (mut top_i, mut bottom_i) = (0, 0);
    for (i, &p) in pos.iter().enumerate() {
        // Assays before position p outside the set: p - i.
        let fall = (p - i) as i64 as f64 * scale; // i64 → f64 converts in one instruction
        let before = cum - fall;
        cum += weight[p];
        let after = cum - fall;
        if after > top {
            (top, top_i) = (after, i);
        }
        if before < bottom {
            (bottom, bottom_i) = (before, i);
        }
    }
    Some(if top >= -bottom {
        (top / total, top_i)
    } else {
        (bottom / total, bottom_i)
    })
}

/// [`enrichment_score`] without the peak, for the random sets.
fn permutation_es(pos: &[usize], weight: &[f64], n: usize) -> Option<f64> {
    let (total, scale) = running_sum_scale(pos, weight, n)?;
    let (mut cum, mut top, mut bottom) = (0.0, 0.0_f64, 0.0_f64);
    for (i, &p) in pos.iter().enumerate() {
        let fall = (p - i) as i64 as f64 * scale; // i64 → f64 converts in one instruction
        let before = cum - fall;
        bottom = if before < bottom { before } else { bottom };
        cum += weight[p];
        let after = cum - fall;
        top = if after > top { after } else { top };
    }
    Some(if top >= -bottom {
        top / total
    } else {
        bottom / total
    })
}

/// The members' total weight NR and the fall per outside assay in units of
/// NR, `NR / (N − k)`; `None` for an empty set, a set of every assay, or a
/// set of total weight 0.
fn running_sum_scale(pos: &[usize], weight: &[f64], n: usize) -> Option<(f64, f64)> {
    let k = pos.len();
    if k == 0 || k >= n {
        return None;
    }
    let total = weight_sum(pos, weight);
    (total > 0.0).then(|| (total, total / (n - k) as f64))
}

/// The weights at `pos`, summed in four interleaved partial sums (members
/// 0, 4, 8, … in the first), which shortens the chain of dependent additions.
fn weight_sum(pos: &[usize], weight: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let mut chunks = pos.chunks_exact(4);
    for c in &mut chunks {
        for (a, &p) in acc.iter_mut().zip(c) {
            *a += weight[p];
        }
    }
    for (a, &p) in acc.iter_mut().zip(chunks.remainder()) {
        *a += weight[p];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// The permutation ES of one set size: non-negative ones and the absolute
/// values of negative ones, each sorted ascending, with their sums.
struct NullEs {
    positive: Vec<f64>,
    negative: Vec<f64>,
    positive_sum: f64,
    negative_sum: f64,
}

impl NullEs {
    /// `opts.permutations` random sets of size `k` (0 < k < N) from the
    /// stream `k` of the seed.
    fn draw(ranked: &Ranked, k: usize, opts: &GseaOptions) -> Self {
        let n = ranked.len();
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(k as u64);
        let mut sampler = Sampler::new(n);
        let (mut positive, mut negative) = (Vec::new(), Vec::new());
        for _ in 0..opts.permutations {
            let pos = sampler.sorted_sample(&mut rng, k);
            match permutation_es(pos, &ranked.weight, n) {
                Some(es) if es >= 0.0 => positive.push(es),
                Some(es) => negative.push(-es),
                None => {}
            }
        }
        let positive_sum = positive.iter().sum();
        let negative_sum = negative.iter().sum();
        positive.sort_by(f64::total_cmp);
        negative.sort_by(f64::total_cmp);
        Self {
            positive,
            negative,
            positive_sum,
            negative_sum,
        }
    }

    /// (NES, p-value, permutations of the same sign) of an observed ES.
    fn test(&self, es: f64) -> (f64, f64, usize) {
        let (side, sum, sign) = if es >= 0.0 {
            (&self.positive, self.positive_sum, 1.0)
        } else {
            (&self.negative, self.negative_sum, -1.0)
        };
        let x = es.abs();
        let extreme = side.len() - side.partition_point(|&v| v < x);
        let p = (extreme + 1) as f64 / (side.len() + 1) as f64;
        let nes = if side.is_empty() {
            f64::NAN
        } else {
            sign * x / (sum / side.len() as f64)
        };
        (nes, p, side.len())
    }
}

/// The result row of set `i` with ascending member positions `pos`.
fn score_set(ranked: &Ranked, i: usize, pos: &[usize], null: Option<&NullEs>) -> GseaRow {
    let mut row = GseaRow {
        set: i,
        size: pos.len(),
        es: f64::NAN,
        nes: f64::NAN,
        p_value: f64::NAN,
        fdr: f64::NAN,
        direction: None,
        leading_edge: Vec::new(),
        n_same_sign: 0,
    };
    let (Some((es, peak)), Some(null)) =
        (enrichment_score(pos, &ranked.weight, ranked.len()), null)
    else {
        return row;
    };
    let (nes, p, n_same_sign) = null.test(es);
    row.leading_edge = if es >= 0.0 {
        pos[..=peak].iter().map(|&q| ranked.order[q]).collect()
    } else {
        pos[peak..].iter().rev().map(|&q| ranked.order[q]).collect()
    };
    row.es = es;
    row.nes = nes;
    row.p_value = p;
    row.direction = Some(if es >= 0.0 {
        Direction::Up
    } else {
        Direction::Down
    });
    row.n_same_sign = n_same_sign;
    row
}

/// Set bits of a bitmap word read back without a data-dependent branch.
const SCAN_UNROLL: usize = 8;

/// Draws sets of distinct positions in 0..N and returns them ascending.
struct Sampler {
    n: usize,
    /// One bit per position, all clear between draws.
    bits: Vec<u64>,
    /// The valid bits of the last word.
    last_mask: u64,
    drawn: Vec<usize>,
    out: Vec<usize>,
}

impl Sampler {
    fn new(n: usize) -> Self {
        let words = n.div_ceil(64);
        let tail = n - 64 * words.saturating_sub(1);
        Self {
            n,
            bits: vec![0; words],
            last_mask: if tail == 64 {
                u64::MAX
            } else {
                (1 << tail) - 1
            },
            drawn: Vec::new(),
            out: Vec::new(),
        }
    }

    /// Marks `m` distinct uniformly drawn positions (rejection on the
    /// bitmap); with `keep`, also lists them in `drawn`, in drawing order.
    fn mark(&mut self, rng: &mut ChaCha8Rng, m: usize, keep: bool) {
        self.drawn.clear();
        let n = self.n as u32;
        let mut marked = 0;
        while marked < m {
            let x = below(rng, n) as usize;
            let (w, b) = (x / 64, 1u64 << (x % 64));
            if self.bits[w] & b == 0 {
                self.bits[w] |= b;
                marked += 1;
                if keep {
                    self.drawn.push(x);
                }
            }
        }
    }

    /// A uniformly random k-subset of 0..N (0 < k < N), ascending. More than
    /// half of the list is drawn as the complement of a random (N − k)-subset.
    fn sorted_sample(&mut self, rng: &mut ChaCha8Rng, k: usize) -> &[usize] {
        let complement = 2 * k > self.n;
        // Few members: sorting them beats reading the bitmap back.
        let sort = !complement && k * 8 < self.bits.len();
        self.mark(rng, if complement { self.n - k } else { k }, sort);
        if sort {
            self.out.clear();
            self.out.extend_from_slice(&self.drawn);
            self.out.sort_unstable();
        } else {
            // Each word's first SCAN_UNROLL set bits are written unconditionally
            // (positions past the word's count are overwritten or cut off), so
            // the loop seldom branches on the data.
            self.out.resize(k + SCAN_UNROLL, 0);
            let flip = if complement { u64::MAX } else { 0 };
            let last = self.bits.len() - 1;
            let mut len = 0;
            for (w, &word) in self.bits.iter().enumerate() {
                let mut word = word ^ flip;
                if w == last {
                    word &= self.last_mask;
                }
                let base = w * 64;
                let count = word.count_ones() as usize;
                for slot in &mut self.out[len..len + SCAN_UNROLL] {
                    *slot = base + word.trailing_zeros() as usize;
                    word &= word.wrapping_sub(1);
                }
                len += count.min(SCAN_UNROLL);
                while word != 0 {
                    self.out[len] = base + word.trailing_zeros() as usize;
                    len += 1;
                    word &= word - 1;
                }
            }
            debug_assert_eq!(len, k);
            self.out.truncate(k);
        }
        self.bits.fill(0);
        &self.out
    }
}

/// A uniform integer in 0..n (n ≥ 1) from 32-bit draws, without bias
/// (Lemire's multiply-and-reject), independent of the `rand` crate's own
/// distributions so the stream of sets is fixed by ChaCha8 alone.
///
/// # References
/// Lemire, D. (2019). Fast random integer generation in an interval. *ACM
/// Transactions on Modeling and Computer Simulation* 29, 3.
/// doi:10.1145/3230636
fn below(rng: &mut ChaCha8Rng, n: u32) -> u32 {
    let mut m = u64::from(rng.next_u32()) * u64::from(n);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = u64::from(rng.next_u32()) * u64::from(n);
        }
    }
    (m >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_below_is_in_range_and_covers_it() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[below(&mut rng, 7) as usize] += 1;
        }
        // Each of 7 values expected 1000 times; 5 binomial SDs is about ±150.
        assert!(seen.iter().all(|&c| (850..=1150).contains(&c)), "{seen:?}");
    }

    #[test]
    fn test_sorted_sample() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for n in [1usize, 2, 63, 64, 65, 200] {
            let mut s = Sampler::new(n);
            for k in 1..n {
                let got = s.sorted_sample(&mut rng, k).to_vec();
                assert_eq!(got.len(), k, "n {n} k {k}");
                assert!(got.windows(2).all(|w| w[0] < w[1]), "n {n} k {k}");
                assert!(got.iter().all(|&x| x < n));
                assert!(s.bits.iter().all(|&w| w == 0), "bitmap cleared");
            }
        }
    }

    #[test]
    fn test_enrichment_score_small_cases() {
        // Unweighted, N = 4, members at the top two positions: the running
        // sum reaches 1 after them, ES = 1 with both in the leading edge.
        let w = [1.0; 4];
        assert_eq!(enrichment_score(&[0, 1], &w, 4), Some((1.0, 1)));
        // Members at the bottom: the sum falls to -1 before them.
        assert_eq!(enrichment_score(&[2, 3], &w, 4), Some((-1.0, 0)));
        assert_eq!(enrichment_score(&[], &w, 4), None);
        assert_eq!(enrichment_score(&[0, 1, 2, 3], &w, 4), None);
        assert_eq!(enrichment_score(&[1], &[1.0, 0.0, 1.0], 3), None);
    }

    #[test]
    fn test_permutation_es_equals_enrichment_score() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let n = 500;
        let weight: Vec<f64> = (0..n)
            .map(|i| ((n - i) as f64 / 37.0).sin().abs())
            .collect();
        let mut s = Sampler::new(n);
        for k in [1, 2, 7, 30, 120, 260, 499] {
            for _ in 0..50 {
                let pos = s.sorted_sample(&mut rng, k).to_vec();
                let a = enrichment_score(&pos, &weight, n).map(|(es, _)| es.to_bits());
                assert_eq!(a, permutation_es(&pos, &weight, n).map(f64::to_bits));
            }
        }
    }

    #[test]
    fn test_gsea_errors() {
        let s = [1.0, 0.5, -0.2, -1.0];
        let o = GseaOptions::default();
        assert!(matches!(
            gsea(&[1.0, f64::NAN], &[vec![0]], &o),
            Err(EnrichError::NonFiniteStatistic { row: 1 })
        ));
        assert!(matches!(
            gsea(&s, &[vec![0, 4]], &o),
            Err(EnrichError::MemberOutOfRange { set: 0, row: 4, .. })
        ));
        assert!(matches!(
            gsea(&s, &[vec![1], vec![2, 2]], &o),
            Err(EnrichError::DuplicateMember { set: 1, row: 2 })
        ));
        for bad in [
            GseaOptions { weight: -1.0, ..o },
            GseaOptions {
                weight: f64::NAN,
                ..o
            },
            GseaOptions {
                permutations: 0,
                ..o
            },
        ] {
            assert!(matches!(
                gsea(&s, &[vec![0]], &bad),
                Err(EnrichError::InvalidOption { .. })
            ));
        }
    }
}
