//! Gene-set similarity as vissE's `computeMsigOverlap`: the adjusted Rand
//! index (ARI) of the two sets' membership indicator vectors over every gene
//! in the union of the sets compared (vissE's default), the Jaccard index,
//! or the overlap coefficient.
//!
//! Pairs are found through an inverted gene → set index, so only pairs that
//! share a gene are visited (in parallel, in a fixed order). Jaccard and
//! overlap are 0 for disjoint sets. The ARI of two disjoint sets depends only
//! on their sizes and can be positive when the union is small (both vectors
//! agree on the many genes in neither set); the shortcut stays exact by
//! evaluating that value for every pair of set sizes present and visiting
//! all pairs when any of them reaches the threshold.

use rayon::prelude::*;
use std::collections::HashMap;

/// A similarity measure between two gene sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Similarity {
    /// Adjusted Rand index of the indicator vectors (vissE's `ari`, default).
    Ari,
    /// |A ∩ B| / |A ∪ B| (vissE's `jaccard`).
    Jaccard,
    /// |A ∩ B| / min(|A|, |B|) (vissE's `ovlapcoef`).
    Overlap,
}

impl Similarity {
    /// The name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Similarity::Ari => "ari",
            Similarity::Jaccard => "jaccard",
            Similarity::Overlap => "overlap",
        }
    }

    /// Similarity of sets of sizes `a` and `b` sharing `x` genes, out of `n`
    /// genes in total, with vissE's formulas and order of operations.
    pub fn value(self, a: usize, b: usize, x: usize, n: usize) -> f64 {
        let (a, b, x, n) = (a as f64, b as f64, x as f64, n as f64);
        match self {
            Similarity::Jaccard => x / (a + b - x),
            Similarity::Overlap => x / a.min(b),
            Similarity::Ari => {
                let sum_a = a * (a - 1.0) + (n - a) * (n - a - 1.0);
                let sum_b = b * (b - 1.0) + (n - b) * (n - b - 1.0);
                let sum_ab = sum_a + sum_b;
                let prod_ab = sum_a * sum_b / (n * (n - 1.0));
                let mut sum_nij = x * (x - 1.0);
                let t = n - (a + b) + x;
                sum_nij += t * (t - 1.0);
                let t = a - x;
                sum_nij += t * (t - 1.0);
                let t = b - x;
                sum_nij += t * (t - 1.0);
                (sum_nij - prod_ab) / (sum_ab / 2.0 - prod_ab)
            }
        }
    }
}

impl std::str::FromStr for Similarity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "ari" => Ok(Similarity::Ari),
            "jaccard" => Ok(Similarity::Jaccard),
            "overlap" | "ovlapcoef" => Ok(Similarity::Overlap),
            _ => Err(format!(
                "unknown similarity '{s}' (expected ari, jaccard or overlap)"
            )),
        }
    }
}

/// A pair of sets with their similarity; `i < j` index the input sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimilarityEdge {
    /// First set (smaller index).
    pub i: usize,
    /// Second set.
    pub j: usize,
    /// Number of shared genes.
    pub overlap: usize,
    /// The similarity.
    pub weight: f64,
}

/// Gene sets mapped to integer gene ids, deduplicated and sorted.
#[derive(Debug, Clone)]
pub struct GeneSets {
    sets: Vec<Vec<u32>>,
    n_genes: usize,
}

impl GeneSets {
    /// Maps member names to ids; duplicate members of a set count once.
    pub fn new<S: AsRef<str>>(sets: &[Vec<S>]) -> Self {
        let mut ids: HashMap<&str, u32> = HashMap::new();
        let mapped = sets
            .iter()
            .map(|s| {
                let mut v: Vec<u32> = s
                    .iter()
                    .map(|g| {
                        let next = ids.len() as u32;
                        *ids.entry(g.as_ref()).or_insert(next)
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        GeneSets {
            sets: mapped,
            n_genes: ids.len(),
        }
    }

    /// Number of distinct genes over all sets (vissE's `n`).
    pub fn n_genes(&self) -> usize {
        self.n_genes
    }

    /// Number of sets.
    pub fn len(&self) -> usize {
        self.sets.len()
    }

    /// True when there are no sets.
    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// Size of set `i` (distinct genes).
    pub fn size(&self, i: usize) -> usize {
        self.sets[i].len()
    }

    /// Every pair `i < j` with similarity `>= min_similarity` (NaN never
    /// passes), ordered by `(i, j)`. Exact: see the module notes on disjoint
    /// pairs under ARI.
    pub fn edges(&self, measure: Similarity, min_similarity: f64) -> Vec<SimilarityEdge> {
        let k = self.sets.len();
        let n = self.n_genes;
        let disjoint_may_pass = match measure {
            Similarity::Ari => {
                let mut sizes: Vec<usize> = self.sets.iter().map(Vec::len).collect();
                sizes.sort_unstable();
                sizes.dedup();
                sizes.iter().enumerate().any(|(ia, &a)| {
                    sizes[ia..]
                        .iter()
                        .any(|&b| a + b <= n && measure.value(a, b, 0, n) >= min_similarity)
                })
            }
            _ => 0.0 >= min_similarity,
        };
        let mut by_gene: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, s) in self.sets.iter().enumerate() {
            for &g in s {
                by_gene[g as usize].push(i as u32);
            }
        }
        (0..k)
            .into_par_iter()
            .map_init(
                || (vec![0u32; k], Vec::<u32>::new()),
                |(counts, touched), i| {
                    touched.clear();
                    for &g in &self.sets[i] {
                        for &j in &by_gene[g as usize] {
                            if (j as usize) > i {
                                if counts[j as usize] == 0 {
                                    touched.push(j);
                                }
                                counts[j as usize] += 1;
                            }
                        }
                    }
                    let a = self.sets[i].len();
                    let mut out = Vec::new();
                    let mut push = |j: usize, x: usize| {
                        let w = measure.value(a, self.sets[j].len(), x, n);
                        if w >= min_similarity {
                            out.push(SimilarityEdge {
                                i,
                                j,
                                overlap: x,
                                weight: w,
                            });
                        }
                    };
                    if disjoint_may_pass {
                        for (j, &x) in counts.iter().enumerate().skip(i + 1) {
                            push(j, x as usize);
                        }
                    } else {
                        touched.sort_unstable();
                        for &j in touched.iter() {
                            push(j as usize, counts[j as usize] as usize);
                        }
                    }
                    for &j in touched.iter() {
                        counts[j as usize] = 0;
                    }
                    out
                },
            )
            .flatten_iter()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ARI from the pair-counting definition on explicit indicator vectors.
    fn ari_brute(v1: &[bool], v2: &[bool]) -> f64 {
        let n = v1.len();
        let c2 = |m: f64| m * (m - 1.0) / 2.0;
        let mut table = [[0.0f64; 2]; 2];
        for g in 0..n {
            table[v1[g] as usize][v2[g] as usize] += 1.0;
        }
        let index: f64 = table.iter().flatten().map(|&c| c2(c)).sum();
        let rows: f64 = (0..2).map(|r| c2(table[r][0] + table[r][1])).sum();
        let cols: f64 = (0..2).map(|c| c2(table[0][c] + table[1][c])).sum();
        let expected = rows * cols / c2(n as f64);
        (index - expected) / ((rows + cols) / 2.0 - expected)
    }

    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *state >> 33
    }

    #[test]
    fn formulas_match_brute_force() {
        let mut st = 42u64;
        let n_genes = 60;
        let sets: Vec<Vec<String>> = (0..40)
            .map(|_| {
                let size = 1 + (lcg(&mut st) % 20) as usize;
                (0..size)
                    .map(|_| format!("g{}", lcg(&mut st) % n_genes))
                    .collect()
            })
            .collect();
        let gs = GeneSets::new(&sets);
        let n = gs.n_genes();
        let universe: Vec<String> = {
            let mut u: Vec<String> = sets.iter().flatten().cloned().collect();
            u.sort();
            u.dedup();
            u
        };
        assert_eq!(universe.len(), n);
        for measure in [Similarity::Ari, Similarity::Jaccard, Similarity::Overlap] {
            let edges = gs.edges(measure, f64::NEG_INFINITY);
            assert_eq!(edges.len(), 40 * 39 / 2, "all pairs pass a -inf threshold");
            for e in &edges {
                let (s1, s2) = (&sets[e.i], &sets[e.j]);
                let v1: Vec<bool> = universe.iter().map(|g| s1.contains(g)).collect();
                let v2: Vec<bool> = universe.iter().map(|g| s2.contains(g)).collect();
                let x = v1.iter().zip(&v2).filter(|(a, b)| **a && **b).count();
                let a = v1.iter().filter(|v| **v).count();
                let b = v2.iter().filter(|v| **v).count();
                assert_eq!(e.overlap, x);
                let expect = match measure {
                    Similarity::Ari => ari_brute(&v1, &v2),
                    Similarity::Jaccard => x as f64 / (a + b - x) as f64,
                    Similarity::Overlap => x as f64 / a.min(b) as f64,
                };
                assert!(
                    (e.weight - expect).abs() < 1e-12,
                    "{measure:?} {e:?} vs {expect}"
                );
            }
            // the sparse path returns exactly the dense pairs above a threshold
            for t in [0.0, 0.01, 0.1, 0.25] {
                let dense: Vec<_> = edges.iter().filter(|e| e.weight >= t).copied().collect();
                assert_eq!(gs.edges(measure, t), dense, "{measure:?} at {t}");
            }
        }
    }

    #[test]
    fn disjoint_small_sets_can_have_positive_ari() {
        // sets of 2 and 7 genes out of 12, disjoint: ARI ~0.2 (the indicator
        // vectors nearly partition the genes the same way); must be found.
        let sets = vec![
            vec!["a", "b"],
            vec!["c", "d", "e", "f", "g", "h", "i"],
            vec!["j", "k", "l"],
        ];
        let gs = GeneSets::new(&sets);
        let v = Similarity::Ari.value(2, 7, 0, 12);
        assert!(v > 0.0);
        let edges = gs.edges(Similarity::Ari, v);
        assert!(edges.iter().any(|e| (e.i, e.j) == (0, 1)));
        assert!(edges.iter().all(|e| e.overlap == 0));
    }
}
