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
//! - **log2err**: the standard deviation of log2(p) estimated as fgsea does;
//!   for a permutation p-value `(m + 1) / (n + 1)` (m extreme of n same-sign
//!   permutations) it is `sqrt(ψ₁(m + 1) − ψ₁(n + 1)) / ln 2`.
//!
//! The smallest permutation p-value is `1 / (#same-sign permutations + 1)`,
//! about `2 / permutations`. With `multilevel` (the default) the sets for
//! which the permutation estimate is coarse are refined as below; with
//! `multilevel: false` the permutation p-value is reported as is, and a value
//! at the floor means "at most this".
//!
//! # Multilevel refinement (fgsea's `fgseaMultilevel`)
//! A set's p-value is refined when fgsea's rule says the multilevel estimate
//! is the more accurate one: when the permutation log2err exceeds the
//! multilevel log2err expected for that p-value,
//! `sqrt(⌊−log2 p + 1⌋ · (ψ₁((s + 1)/2) − ψ₁(s + 1))) / ln 2` (`s` the
//! `sample_size`); with 10,000 permutations, about when fewer than 10
//! permutation ES are as extreme. For ES ≥ 0 the quantity estimated is
//! `P(ES ≥ x | ES ≥ 0)` over random sets of the same size (x the observed
//! ES), for ES < 0 `P(ES ≤ x | ES < 0)`: each side separately, conditioned on
//! the sign, as the permutation p-value and fgsea are. The unconditional
//! probability is estimated by adaptive multilevel splitting and divided by
//! the permutation estimate of `P(same sign)`, `(n + 1) / (#valid + 1)`.
//!
//! Splitting works on the side's deviation D (the running sum's maximum for
//! ES ≥ 0, minus its minimum for ES < 0): `sample_size` random sets of the
//! size are drawn; while the median D of the population is below x, the
//! median becomes the next level, the sets with D above it are kept and
//! copied round-robin back to `sample_size`, and each copy is moved by MCMC
//! (swap a random member for a random position; keep the swap when the
//! position was not a member and D stays above the level), `2k` proposals
//! per set of size k. The number of proposals is fixed: fgsea instead counts
//! accepted swaps (about k per set), but stopping after a number of accepted
//! swaps favours sets far above the level, and here gave p-values about 5
//! times too large at p ≈ 1e-3. A level costs `sample_size · 2k` checks of
//! O(k) each (stopping at the first member past the level). Each
//! level's conditional probability `c / s` (c sets of s above the median) is
//! estimated in log as `ψ(c + 1) − ψ(s + 1)`, the mean log of the
//! corresponding uniform order statistic (fgsea's `betaMeanLog`); the last
//! population, the first whose median reaches x, contributes
//! `ψ(j + 1) − ψ(s + 1)` with j its sets whose **signed** ES is on the
//! side and at least x, which also applies the sign condition (fgsea applies
//! it as a separate correction factor). The p-value is `exp(Σ) / P(same
//! sign)`, at most 1.
//!
//! One ladder of levels is built per set size and side, extended up to the
//! most extreme ES of the sets being refined, from the ChaCha8 stream keyed
//! by the seed with stream number `k + 2³²` (ES ≥ 0) or `k + 2·2³²` (ES < 0).
//! A set's p-value depends only on the levels below its ES, so it does not
//! depend on the other sets tested, nor on the number of threads.
//!
//! `eps` bounds the effort: the ladder stops once the probability of
//! reaching its level is below `eps` (times `P(same sign)`), and a p-value
//! below `eps` is reported as `eps` with log2err NaN (fgsea's convention;
//! `eps = 0` has no bound). log2err is also NaN when the ladder could not
//! reach the ES (the median stopped rising: ties at the largest possible
//! ES), so the p-value may be overestimated.
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

use npxkit_stats::special::{digamma, trigamma};
use npxkit_stats::{p_adjust, AdjustMethod};

use super::{check_members, Direction, EnrichError};

/// Default number of permutations per set size.
pub const DEFAULT_PERMUTATIONS: usize = 10_000;
/// Default seed of the permutations.
pub const DEFAULT_SEED: u64 = 42;
/// Default weight exponent p of the running sum (1: weighted by |t|).
pub const DEFAULT_WEIGHT: f64 = 1.0;
/// Default population of the multilevel splitting (fgsea's `sampleSize`).
pub const DEFAULT_SAMPLE_SIZE: usize = 101;
/// Default lower bound of the multilevel p-values (fgsea's `eps`).
pub const DEFAULT_EPS: f64 = 1e-50;

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
    /// Refine coarse permutation p-values by multilevel splitting (fgsea's
    /// `fgseaMultilevel`); `false` keeps fgsea's simple method.
    pub multilevel: bool,
    /// Random sets in each multilevel population (≥ 3; fgsea's `sampleSize`).
    pub sample_size: usize,
    /// Lower bound of the multilevel p-values, in [0, 1); smaller ones are
    /// reported as `eps` (0: no bound).
    pub eps: f64,
}

impl Default for GseaOptions {
    fn default() -> Self {
        Self {
            weight: DEFAULT_WEIGHT,
            permutations: DEFAULT_PERMUTATIONS,
            seed: DEFAULT_SEED,
            multilevel: true,
            sample_size: DEFAULT_SAMPLE_SIZE,
            eps: DEFAULT_EPS,
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
    /// p-value: the permutation p-value, or its multilevel refinement (NaN
    /// for a degenerate set).
    pub p_value: f64,
    /// Estimated standard deviation of log2(p_value), as fgsea's `log2err`;
    /// NaN for a degenerate set, no permutation ES of the set's sign, a
    /// p-value at `eps`, or a multilevel ladder that could not reach the ES.
    pub log2err: f64,
    /// Whether the p-value comes from the multilevel splitting.
    pub multilevel: bool,
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
            let mut rows: Vec<GseaRow> = members
                .iter()
                .map(|&i| score_set(&ranked, i, &positions[i], null.as_ref()))
                .collect();
            if let (true, Some(null)) = (opts.multilevel, null.as_ref()) {
                refine(&ranked, *k, null, &mut rows, opts);
            }
            rows
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
    if opts.sample_size < 3 {
        return Err(EnrichError::InvalidOption {
            option: "sample_size",
            reason: format!("{} random sets; at least 3 are needed", opts.sample_size),
        });
    }
    if !(0.0..1.0).contains(&opts.eps) {
        return Err(EnrichError::InvalidOption {
            option: "eps",
            reason: format!("{} is not in [0, 1)", opts.eps),
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
    /// Permutation ES ≥ 0, ascending.
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

    /// (NES, p-value, permutations of the same sign, of them as extreme) of
    /// an observed ES.
    fn test(&self, es: f64) -> (f64, f64, usize, usize) {
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
        (nes, p, side.len(), extreme)
    }

    /// The permutation estimate of P(ES ≥ 0) (`up`) or P(ES < 0), as fgsea's
    /// `denomProb`.
    fn same_sign_probability(&self, up: bool) -> f64 {
        let side = if up { &self.positive } else { &self.negative };
        let valid = self.positive.len() + self.negative.len();
        (side.len() + 1) as f64 / (valid + 1) as f64
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
        log2err: f64::NAN,
        multilevel: false,
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
    let (nes, p, n_same_sign, extreme) = null.test(es);
    row.leading_edge = if es >= 0.0 {
        pos[..=peak].iter().map(|&q| ranked.order[q]).collect()
    } else {
        pos[peak..].iter().rev().map(|&q| ranked.order[q]).collect()
    };
    row.es = es;
    row.nes = nes;
    row.p_value = p;
    row.log2err = permutation_log2err(extreme, n_same_sign);
    row.direction = Some(if es >= 0.0 {
        Direction::Up
    } else {
        Direction::Down
    });
    row.n_same_sign = n_same_sign;
    row
}

/// fgsea's log2err of a permutation p-value `(m + 1) / (n + 1)`: the
/// standard deviation of the log2 of a Beta(m + 1, n − m) variable; NaN
/// without permutations of the side.
fn permutation_log2err(extreme: usize, n: usize) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    let var = trigamma(extreme as f64 + 1.0) - trigamma(n as f64 + 1.0);
    var.max(0.0).sqrt() / std::f64::consts::LN_2
}

/// fgsea's log2err of a multilevel p-value `p` from populations of
/// `sample_size`: ⌊−log2 p + 1⌋ levels, each the log of a uniform order
/// statistic near the median.
fn multilevel_log2err(p: f64, sample_size: usize) -> f64 {
    let s = sample_size as f64;
    let levels = (-p.log2() + 1.0).floor();
    (levels * (trigamma((s + 1.0) / 2.0) - trigamma(s + 1.0))).sqrt() / std::f64::consts::LN_2
}

/// Refines the p-values of the rows of size `k` for which the multilevel
/// estimate is expected to be more accurate than the permutation one
/// (fgsea's rule), each side with its own ladder.
fn refine(ranked: &Ranked, k: usize, null: &NullEs, rows: &mut [GseaRow], opts: &GseaOptions) {
    let s = opts.sample_size;
    for up in [true, false] {
        let targets: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                let r = &rows[i];
                r.es.is_finite()
                    && (r.es >= 0.0) == up
                    && r.n_same_sign > 0
                    && multilevel_log2err(r.p_value, s) < r.log2err
            })
            .collect();
        let Some(x_max) = targets.iter().map(|&i| rows[i].es.abs()).reduce(f64::max) else {
            continue;
        };
        let same_sign = null.same_sign_probability(up);
        let log_floor = if opts.eps > 0.0 {
            (opts.eps * same_sign).ln()
        } else {
            f64::NEG_INFINITY
        };
        let ladder = Ladder::build(ranked, k, up, x_max, log_floor, opts);
        for i in targets {
            let r = &mut rows[i];
            let (log_p, reached) = ladder.log_probability(r.es.abs());
            let p = (log_p.exp() / same_sign).min(1.0);
            r.multilevel = true;
            if p < opts.eps {
                r.p_value = opts.eps;
                r.log2err = f64::NAN;
            } else {
                r.p_value = p;
                r.log2err = if reached {
                    multilevel_log2err(p, s)
                } else {
                    f64::NAN
                };
            }
        }
    }
}

/// MCMC proposals per member of the set, per set and level (fgsea keeps
/// about one accepted swap per member).
const PROPOSALS_PER_MEMBER: usize = 2;

/// One population of the multilevel splitting, all of whose sets have a
/// deviation D above the previous level.
struct Step {
    /// Estimated log probability that a random set's D exceeds the previous
    /// level (0 for the first population, of unconditioned random sets).
    log_reach: f64,
    /// The sets' D, ascending (−∞ for a set of total weight 0).
    deviation: Vec<f64>,
    /// The sets' |ES| when ES is on the ladder's side, else −∞; ascending.
    side_es: Vec<f64>,
}

impl Step {
    fn median(&self) -> f64 {
        self.deviation[self.deviation.len() / 2]
    }
}

/// The populations of the multilevel splitting of one set size and side.
struct Ladder {
    steps: Vec<Step>,
    sample_size: usize,
}

impl Ladder {
    /// Raises the level until the population's median D reaches `x_max`, the
    /// probability of reaching the level falls below `exp(log_floor)`, or no
    /// set is above the median.
    fn build(
        ranked: &Ranked,
        k: usize,
        up: bool,
        x_max: f64,
        log_floor: f64,
        opts: &GseaOptions,
    ) -> Self {
        let (n, s, weight) = (ranked.len(), opts.sample_size, &ranked.weight[..]);
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(((if up { 1 } else { 2 }) << 32) | k as u64);
        let mut sampler = Sampler::new(n);
        let mut population: Vec<Vec<usize>> = (0..s)
            .map(|_| sampler.sorted_sample(&mut rng, k).to_vec())
            .collect();
        let proposals = PROPOSALS_PER_MEMBER * k;
        let mut steps = Vec::new();
        let mut log_reach = 0.0;
        loop {
            let scores: Vec<(f64, f64)> = population
                .iter()
                .map(|pos| side_scores(pos, weight, n, up))
                .collect();
            let mut deviation: Vec<f64> = scores.iter().map(|v| v.0).collect();
            let mut side_es: Vec<f64> = scores.iter().map(|v| v.1).collect();
            deviation.sort_by(f64::total_cmp);
            side_es.sort_by(f64::total_cmp);
            let step = Step {
                log_reach,
                deviation,
                side_es,
            };
            let level = step.median();
            steps.push(step);
            if level >= x_max || log_reach < log_floor {
                break;
            }
            let survivors: Vec<usize> = (0..s).filter(|&i| scores[i].0 > level).collect();
            let c = survivors.len();
            if c == 0 {
                break;
            }
            log_reach += digamma(c as f64 + 1.0) - digamma(s as f64 + 1.0);
            population = (0..s)
                .map(|i| population[survivors[i % c]].clone())
                .collect();
            for pos in &mut population {
                walk(pos, weight, n, up, level, proposals, &mut rng);
            }
        }
        Self {
            steps,
            sample_size: s,
        }
    }

    /// Estimated log P(ES on the side with |ES| ≥ x) and whether the ladder
    /// reached x (the estimate is then from the first population whose
    /// median D is at least x; otherwise from the last, and an upper bound
    /// at best).
    fn log_probability(&self, x: f64) -> (f64, bool) {
        let last = self.steps.len() - 1;
        let at = self
            .steps
            .iter()
            .position(|st| st.median() >= x)
            .unwrap_or(last);
        let st = &self.steps[at];
        let j = st.side_es.len() - st.side_es.partition_point(|&v| v < x);
        let s = self.sample_size as f64;
        let log_p = st.log_reach + digamma(j as f64 + 1.0) - digamma(s + 1.0);
        (log_p, st.median() >= x)
    }
}

/// A random set's deviation D on the side (`up`: the running sum's maximum;
/// else minus its minimum), and |ES| if ES is on that side (else −∞); both
/// −∞ for a set of total weight 0. Bit-identical to [`permutation_es`]'s ES.
fn side_scores(pos: &[usize], weight: &[f64], n: usize, up: bool) -> (f64, f64) {
    let Some((total, scale)) = running_sum_scale(pos, weight, n) else {
        return (f64::NEG_INFINITY, f64::NEG_INFINITY);
    };
    let (mut cum, mut top, mut bottom) = (0.0, 0.0_f64, 0.0_f64);
    for (i, &p) in pos.iter().enumerate() {
        let fall = (p - i) as i64 as f64 * scale;
        let before = cum - fall;
        bottom = if before < bottom { before } else { bottom };
        cum += weight[p];
        let after = cum - fall;
        top = if after > top { after } else { top };
    }
    let up_wins = top >= -bottom;
    let d = if up { top / total } else { -(bottom / total) };
    (d, if up == up_wins { d } else { f64::NEG_INFINITY })
}

/// Whether the set's deviation D on the side is above `level` (≥ 0 or −∞),
/// by the operations of [`side_scores`] (so the two agree to the bit),
/// stopping at the first position past the level.
fn is_above(pos: &[usize], weight: &[f64], n: usize, up: bool, level: f64) -> bool {
    let Some((total, scale)) = running_sum_scale(pos, weight, n) else {
        return false;
    };
    if level < 0.0 {
        // D ≥ 0 for a set of positive weight.
        return true;
    }
    let mut cum = 0.0;
    for (i, &p) in pos.iter().enumerate() {
        let fall = (p - i) as i64 as f64 * scale;
        if !up && -((cum - fall) / total) > level {
            return true;
        }
        cum += weight[p];
        if up && (cum - fall) / total > level {
            return true;
        }
    }
    false
}

/// Replaces the member at index `i` of the ascending `pos` by the
/// non-member `new`, keeping `pos` ascending; returns `new`'s index.
fn replace_member(pos: &mut [usize], i: usize, new: usize) -> usize {
    let j = pos.partition_point(|&v| v < new);
    if j > i {
        pos.copy_within(i + 1..j, i);
        pos[j - 1] = new;
        j - 1
    } else {
        pos.copy_within(j..i, j + 1);
        pos[j] = new;
        j
    }
}

/// `proposals` MCMC steps of one set (ascending positions, D above
/// `level`) within {D > level}: a random member is swapped for a random
/// position of the list, and the swap kept when the position was not a
/// member and D stays above the level. The proposal is symmetric, so each
/// step keeps the uniform distribution on the region (Metropolis); the
/// number of steps is fixed, not the number of kept swaps, which would
/// favour sets with many possible swaps (those far above the level).
fn walk(
    pos: &mut [usize],
    weight: &[f64],
    n: usize,
    up: bool,
    level: f64,
    proposals: usize,
    rng: &mut ChaCha8Rng,
) {
    let k = pos.len() as u32;
    for _ in 0..proposals {
        let i = below(rng, k) as usize;
        let new = below(rng, n as u32) as usize;
        if pos.binary_search(&new).is_ok() {
            continue;
        }
        let old = pos[i];
        let at = replace_member(pos, i, new);
        if !is_above(pos, weight, n, up, level) {
            replace_member(pos, at, old);
        }
    }
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
            GseaOptions {
                sample_size: 2,
                ..o
            },
            GseaOptions { eps: 1.0, ..o },
            GseaOptions { eps: -1e-9, ..o },
            GseaOptions { eps: f64::NAN, ..o },
        ] {
            assert!(matches!(
                gsea(&s, &[vec![0]], &bad),
                Err(EnrichError::InvalidOption { .. })
            ));
        }
    }

    #[test]
    fn test_is_above_agrees_with_side_scores() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let n = 300;
        let weight: Vec<f64> = (0..n)
            .map(|i| ((n - i) as f64 / 23.0).cos().abs())
            .collect();
        let mut s = Sampler::new(n);
        for k in [1, 3, 20, 150, 299] {
            for _ in 0..40 {
                let pos = s.sorted_sample(&mut rng, k).to_vec();
                for up in [true, false] {
                    let (d, side) = side_scores(&pos, &weight, n, up);
                    // D at the level itself, just below it and at −∞.
                    assert!(!is_above(&pos, &weight, n, up, d));
                    assert!(is_above(&pos, &weight, n, up, d - 1e-9) || d < 1e-9);
                    assert!(is_above(&pos, &weight, n, up, f64::NEG_INFINITY));
                    // The side's |ES| equals ES when ES is on the side.
                    let es = permutation_es(&pos, &weight, n).unwrap();
                    if (es >= 0.0) == up {
                        assert_eq!(side.to_bits(), es.abs().to_bits());
                    } else {
                        assert_eq!(side, f64::NEG_INFINITY);
                    }
                }
            }
        }
    }

    #[test]
    fn test_replace_member_keeps_order() {
        let mut rng = ChaCha8Rng::seed_from_u64(13);
        let mut pos = vec![2, 5, 9, 14, 20];
        for _ in 0..500 {
            let i = below(&mut rng, 5) as usize;
            let new = below(&mut rng, 30) as usize;
            if pos.contains(&new) {
                continue;
            }
            let old = pos[i];
            let at = replace_member(&mut pos, i, new);
            assert_eq!(pos[at], new);
            assert!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
            assert!(!pos.contains(&old));
        }
    }

    #[test]
    fn test_log2err() {
        // fgsea: 0 extreme of 10,000 gives sqrt(ψ₁(1) − ψ₁(10001)) / ln 2.
        let e = permutation_log2err(0, 10_000);
        assert!((e - 1.8501).abs() < 1e-3, "{e}");
        assert!(permutation_log2err(0, 0).is_nan());
        // p = 1e-10 with 101 sets: ⌊33.2 + 1⌋ = 34 levels.
        let m = multilevel_log2err(1e-10, 101);
        let want = (34.0 * (trigamma(51.0) - trigamma(102.0))).sqrt() / std::f64::consts::LN_2;
        assert_eq!(m, want);
        assert!((0.8..0.9).contains(&m), "{m}");
    }
}
