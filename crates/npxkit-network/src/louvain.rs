//! Modularity optimisation by Louvain (Blondel et al. 2008, "Fast unfolding
//! of communities in large networks") and Leiden (Traag, Waltman & van Eck
//! 2019, "From Louvain to Leiden: guaranteeing well-connected communities").
//!
//! Offered next to walktrap because they usually reach higher modularity.
//! Both are seeded (ChaCha8 node orders) and run `restarts` independent
//! orders in parallel, keeping the best modularity (ties: lowest restart), so
//! results do not depend on the thread count. Leiden's refinement merges a
//! node into the well-connected sub-community with the largest gain (the
//! greedy limit of the paper's randomised choice), and whole Leiden passes
//! repeat from the previous partition until modularity stops improving (as
//! igraph's `n_iterations = -1`).

use crate::graph::{modularity, relabel_by_first_appearance, WeightedGraph};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Aggregated graph: adjacency without self-loops, node strengths.
struct Level {
    adj: Vec<Vec<(usize, f64)>>,
    strength: Vec<f64>,
}

impl Level {
    fn from_graph(g: &WeightedGraph) -> Self {
        let adj = g.adjacency();
        let strength = adj.iter().map(|a| a.iter().map(|e| e.1).sum()).collect();
        Level { adj, strength }
    }

    fn n(&self) -> usize {
        self.strength.len()
    }

    /// Collapses nodes by `part` (labels `0..k`).
    fn aggregate(&self, part: &[usize], k: usize) -> Level {
        let mut strength = vec![0.0; k];
        let mut maps: Vec<std::collections::BTreeMap<usize, f64>> = vec![Default::default(); k];
        for v in 0..self.n() {
            strength[part[v]] += self.strength[v];
            for &(u, w) in &self.adj[v] {
                let (cv, cu) = (part[v], part[u]);
                if cv != cu {
                    *maps[cv].entry(cu).or_insert(0.0) += w;
                }
            }
        }
        let adj = maps.into_iter().map(|m| m.into_iter().collect()).collect();
        Level { adj, strength }
    }
}

/// Scratch for summing a node's edge weight per neighbouring community.
struct Acc {
    w: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<usize>,
}

impl Acc {
    fn new(n: usize) -> Self {
        Acc {
            w: vec![0.0; n],
            seen: vec![false; n],
            touched: Vec::new(),
        }
    }
    fn add(&mut self, c: usize, w: f64) {
        if !self.seen[c] {
            self.seen[c] = true;
            self.touched.push(c);
        }
        self.w[c] += w;
    }
    fn clear(&mut self) {
        for &c in &self.touched {
            self.w[c] = 0.0;
            self.seen[c] = false;
        }
        self.touched.clear();
    }
}

/// Moves nodes to the neighbouring community of largest modularity gain
/// until no move helps. `queue`: Leiden's fast local moving (revisit only
/// neighbours of moved nodes); otherwise Louvain's repeated sweeps.
fn local_moving(
    level: &Level,
    part: &mut [usize],
    m2: f64,
    rng: &mut ChaCha8Rng,
    queue: bool,
) -> bool {
    let n = level.n();
    let mut tot = vec![0.0; n];
    for v in 0..n {
        tot[part[v]] += level.strength[v];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut acc = Acc::new(n);
    let mut any_move = false;
    let try_move = |v: usize, part: &mut [usize], tot: &mut [f64], acc: &mut Acc| -> bool {
        let cv = part[v];
        let kv = level.strength[v];
        for &(u, w) in &level.adj[v] {
            acc.add(part[u], w);
        }
        tot[cv] -= kv;
        let mut best = cv;
        let mut best_gain = acc.w[cv] - kv * tot[cv] / m2;
        for &c in &acc.touched {
            let gain = acc.w[c] - kv * tot[c] / m2;
            if gain > best_gain {
                best_gain = gain;
                best = c;
            }
        }
        tot[best] += kv;
        part[v] = best;
        acc.clear();
        best != cv
    };
    if queue {
        let mut in_queue = vec![true; n];
        let mut q: std::collections::VecDeque<usize> = order.into_iter().collect();
        while let Some(v) = q.pop_front() {
            in_queue[v] = false;
            if try_move(v, part, &mut tot, &mut acc) {
                any_move = true;
                for &(u, _) in &level.adj[v] {
                    if !in_queue[u] && part[u] != part[v] {
                        in_queue[u] = true;
                        q.push_back(u);
                    }
                }
            }
        }
    } else {
        for _ in 0..1000 {
            let mut moved = false;
            for &v in &order {
                moved |= try_move(v, part, &mut tot, &mut acc);
            }
            any_move |= moved;
            if !moved {
                break;
            }
        }
    }
    any_move
}

/// Leiden refinement: inside each community, merge singleton nodes into
/// well-connected sub-communities (greedy, non-negative gain).
fn refine(level: &Level, part: &[usize], m2: f64, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let n = level.n();
    let mut comm_tot = vec![0.0; n];
    for v in 0..n {
        comm_tot[part[v]] += level.strength[v];
    }
    // weight from each node to the rest of its community
    let mut w_to_comm = vec![0.0; n];
    for v in 0..n {
        for &(u, w) in &level.adj[v] {
            if part[u] == part[v] {
                w_to_comm[v] += w;
            }
        }
    }
    let mut refined: Vec<usize> = (0..n).collect();
    let mut r_tot: Vec<f64> = level.strength.clone();
    // weight from each refined community to the rest of its community
    let mut r_ext: Vec<f64> = w_to_comm.clone();
    let mut singleton = vec![true; n];
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut acc = Acc::new(n);
    for &v in &order {
        if !singleton[v] {
            continue;
        }
        let kv = level.strength[v];
        let kc = comm_tot[part[v]];
        if w_to_comm[v] < kv * (kc - kv) / m2 {
            continue;
        }
        for &(u, w) in &level.adj[v] {
            if part[u] == part[v] {
                acc.add(refined[u], w);
            }
        }
        let rv = refined[v];
        let mut best = rv;
        let mut best_gain = 0.0;
        for &t in &acc.touched {
            if t == rv {
                continue;
            }
            if r_ext[t] < r_tot[t] * (kc - r_tot[t]) / m2 {
                continue;
            }
            let gain = acc.w[t] - kv * r_tot[t] / m2;
            if gain > best_gain || (gain == best_gain && best != rv && t < best) {
                best_gain = gain;
                best = t;
            }
        }
        if best != rv {
            // update external weights: edges between v and best become internal
            r_ext[best] += w_to_comm[v] - 2.0 * acc.w[best];
            r_tot[best] += kv;
            r_tot[rv] = 0.0;
            refined[v] = best;
            singleton[v] = false;
            for &(u, _) in &level.adj[v] {
                if refined[u] == best {
                    singleton[u] = false;
                }
            }
        }
        acc.clear();
    }
    refined
}

fn compact(labels: &[usize]) -> (Vec<usize>, usize) {
    let r = relabel_by_first_appearance(labels);
    let k = r.iter().copied().max().map_or(0, |m| m + 1);
    (r, k)
}

/// One Louvain or Leiden run from `init` (labels on the graph's vertices).
fn run(g: &WeightedGraph, init: Vec<usize>, leiden: bool, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let m2 = 2.0 * g.edges().iter().map(|e| e.2).sum::<f64>();
    let n = g.n_vertices();
    if m2 == 0.0 {
        return (0..n).collect();
    }
    let mut level = Level::from_graph(g);
    // node of the current level for each vertex
    let mut node_of: Vec<usize> = (0..n).collect();
    let (mut part, _) = compact(&init);
    loop {
        local_moving(&level, &mut part, m2, rng, leiden);
        let (p, k) = compact(&part);
        part = p;
        if k == level.n() {
            break;
        }
        let (agg_by, agg_k) = if leiden {
            compact(&refine(&level, &part, m2, rng))
        } else {
            (part.clone(), k)
        };
        if agg_k == level.n() {
            break;
        }
        // partition of the aggregated nodes: the (non-refined) community
        let mut next_part = vec![0; agg_k];
        for v in 0..level.n() {
            next_part[agg_by[v]] = part[v];
        }
        level = level.aggregate(&agg_by, agg_k);
        for x in node_of.iter_mut() {
            *x = agg_by[*x];
        }
        part = next_part;
    }
    let membership: Vec<usize> = node_of.iter().map(|&x| part[x]).collect();
    relabel_by_first_appearance(&membership)
}

fn best_of<F: Fn(u64) -> Vec<usize> + Sync>(
    g: &WeightedGraph,
    restarts: usize,
    f: F,
    seed: u64,
) -> Vec<usize> {
    let runs: Vec<(f64, Vec<usize>)> = (0..restarts.max(1) as u64)
        .into_par_iter()
        .map(|r| {
            let m = f(seed.wrapping_add(r.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
            (modularity(g, &m), m)
        })
        .collect();
    let mut best = 0;
    for (i, r) in runs.iter().enumerate() {
        if r.0 > runs[best].0 {
            best = i;
        }
    }
    runs.into_iter().nth(best).map(|r| r.1).unwrap_or_default()
}

/// Louvain (multi-level) communities: 0-based labels numbered by first
/// appearance, best of `restarts` seeded runs.
pub fn louvain(g: &WeightedGraph, seed: u64, restarts: usize) -> Vec<usize> {
    let n = g.n_vertices();
    best_of(
        g,
        restarts,
        |s| {
            let mut rng = ChaCha8Rng::seed_from_u64(s);
            run(g, (0..n).collect(), false, &mut rng)
        },
        seed,
    )
}

/// Leiden communities (modularity objective), iterated until modularity no
/// longer improves: 0-based labels numbered by first appearance, best of
/// `restarts` seeded runs.
pub fn leiden(g: &WeightedGraph, seed: u64, restarts: usize) -> Vec<usize> {
    let n = g.n_vertices();
    best_of(
        g,
        restarts,
        |s| {
            let mut rng = ChaCha8Rng::seed_from_u64(s);
            let mut part = run(g, (0..n).collect(), true, &mut rng);
            let mut q = modularity(g, &part);
            for _ in 0..100 {
                let next = run(g, part.clone(), true, &mut rng);
                let qn = modularity(g, &next);
                if qn > q {
                    part = next;
                    q = qn;
                } else {
                    break;
                }
            }
            part
        },
        seed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_of_cliques(k: usize, size: usize) -> WeightedGraph {
        let mut edges = Vec::new();
        for c in 0..k {
            for a in 0..size {
                for b in a + 1..size {
                    edges.push((c * size + a, c * size + b, 1.0));
                }
            }
            edges.push((c * size, ((c + 1) % k) * size + 1, 1.0));
        }
        WeightedGraph::new(k * size, edges).unwrap()
    }

    #[test]
    fn ring_of_cliques_is_split_into_cliques() {
        let g = ring_of_cliques(8, 5);
        for m in [louvain(&g, 1, 4), leiden(&g, 1, 4)] {
            for c in 0..8 {
                let first = m[c * 5];
                assert!((0..5).all(|a| m[c * 5 + a] == first));
            }
            assert_eq!(m.iter().max(), Some(&7));
        }
        // deterministic
        assert_eq!(louvain(&g, 7, 3), louvain(&g, 7, 3));
        assert_eq!(leiden(&g, 7, 3), leiden(&g, 7, 3));
    }
}
