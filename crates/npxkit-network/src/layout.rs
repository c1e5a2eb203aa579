//! Force-directed layout (Fruchterman & Reingold 1991, "Graph drawing by
//! force-directed placement"), seeded, for drawing the term network.
//!
//! Start positions come from ChaCha8 with the given seed; each iteration
//! computes every node's displacement from all others in a fixed order
//! (parallel over nodes, so the result does not depend on the thread
//! count), and the temperature cools linearly. Attraction is scaled by the
//! edge weight. A weak pull to the centre keeps separate components and
//! unlinked terms on the canvas instead of drifting apart. Repulsion is
//! exact up to 1,000 nodes; above that, as in Fruchterman & Reingold's grid
//! variant (and igraph's), only nodes within twice the ideal distance repel,
//! found through a square grid, which keeps 2,000 terms well under a second.
//! Coordinates are scaled to [-1, 1].

use crate::graph::WeightedGraph;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::HashMap;

/// Layout settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LayoutParams {
    /// Number of iterations (default 300).
    pub iterations: usize,
    /// Seed of the start positions.
    pub seed: u64,
    /// Strength of the pull to the centre, relative to attraction (default 0.05).
    pub gravity: f64,
}

impl Default for LayoutParams {
    fn default() -> Self {
        LayoutParams {
            iterations: 300,
            seed: 1,
            gravity: 0.05,
        }
    }
}

/// Positions `(x, y)` in [-1, 1] for every vertex.
pub fn fruchterman_reingold(g: &WeightedGraph, params: &LayoutParams) -> Vec<(f64, f64)> {
    let n = g.n_vertices();
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![(0.0, 0.0)];
    }
    let side = (n as f64).sqrt();
    let k = 1.0; // ideal distance; area = n
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|_| {
            (
                rng.random_range(-side / 2.0..side / 2.0),
                rng.random_range(-side / 2.0..side / 2.0),
            )
        })
        .collect();
    let adj = g.adjacency();
    let max_w = g.edges().iter().map(|e| e.2).fold(0.0f64, f64::max);
    let scale_w = if max_w > 0.0 { 1.0 / max_w } else { 1.0 };
    let t0 = side / 10.0;
    let use_grid = n > 1000;
    let cell = 2.0 * k;
    let cell_of = |p: (f64, f64)| ((p.0 / cell).floor() as i64, (p.1 / cell).floor() as i64);
    for it in 0..params.iterations {
        let temp = t0 * (1.0 - it as f64 / params.iterations as f64);
        let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
        if use_grid {
            for (v, &p) in pos.iter().enumerate() {
                grid.entry(cell_of(p)).or_default().push(v);
            }
        }
        let disp: Vec<(f64, f64)> = (0..n)
            .into_par_iter()
            .map(|v| {
                let (xv, yv) = pos[v];
                let (mut dx, mut dy) = (0.0, 0.0);
                let mut repel = |u: usize| {
                    if u == v {
                        return;
                    }
                    let (xu, yu) = pos[u];
                    let (ddx, ddy) = (xv - xu, yv - yu);
                    let d2 = (ddx * ddx + ddy * ddy).max(1e-9);
                    if use_grid && d2 > cell * cell {
                        return;
                    }
                    let f = k * k / d2; // repulsion k²/d, along unit vector
                    dx += ddx * f;
                    dy += ddy * f;
                };
                if use_grid {
                    let (cx, cy) = cell_of(pos[v]);
                    for gx in cx - 1..=cx + 1 {
                        for gy in cy - 1..=cy + 1 {
                            if let Some(us) = grid.get(&(gx, gy)) {
                                us.iter().for_each(|&u| repel(u));
                            }
                        }
                    }
                } else {
                    (0..n).for_each(&mut repel);
                }
                for &(u, w) in &adj[v] {
                    let (xu, yu) = pos[u];
                    let (ddx, ddy) = (xv - xu, yv - yu);
                    let d = (ddx * ddx + ddy * ddy).sqrt();
                    let f = d / k * w * scale_w; // attraction d²/k, along unit vector
                    dx -= ddx * f;
                    dy -= ddy * f;
                }
                let r = (xv * xv + yv * yv).sqrt();
                dx -= params.gravity * xv * r / k;
                dy -= params.gravity * yv * r / k;
                (dx, dy)
            })
            .collect();
        for (p, (dx, dy)) in pos.iter_mut().zip(disp) {
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 {
                let step = len.min(temp) / len;
                p.0 += dx * step;
                p.1 += dy * step;
            }
        }
    }
    let ext = pos
        .iter()
        .fold(0.0f64, |m, p| m.max(p.0.abs()).max(p.1.abs()));
    let s = if ext > 0.0 { 1.0 / ext } else { 1.0 };
    pos.into_iter().map(|(x, y)| (x * s, y * s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_seeded_and_separates_components() {
        let mut edges = Vec::new();
        for a in 0..5 {
            for b in a + 1..5 {
                edges.push((a, b, 1.0));
                edges.push((a + 5, b + 5, 1.0));
            }
        }
        let g = WeightedGraph::new(10, edges).unwrap();
        let p = LayoutParams {
            iterations: 200,
            ..Default::default()
        };
        let a = fruchterman_reingold(&g, &p);
        assert_eq!(a, fruchterman_reingold(&g, &p));
        assert!(a.iter().all(|q| q.0.abs() <= 1.0 && q.1.abs() <= 1.0));
        let dist =
            |i: usize, j: usize| ((a[i].0 - a[j].0).powi(2) + (a[i].1 - a[j].1).powi(2)).sqrt();
        let within = dist(0, 1).max(dist(5, 6));
        let between = dist(0, 5);
        assert!(between > within, "clusters apart: {between} vs {within}");
    }

    #[test]
    fn grid_layout_for_large_graphs_is_finite_and_seeded() {
        // 60 cliques of 20 nodes (1,200 nodes, grid repulsion)
        let mut edges = Vec::new();
        for c in 0..60 {
            for a in 0..20 {
                for b in a + 1..20 {
                    edges.push((c * 20 + a, c * 20 + b, 0.5));
                }
            }
        }
        let g = WeightedGraph::new(1200, edges).unwrap();
        let p = LayoutParams {
            iterations: 50,
            ..Default::default()
        };
        let a = fruchterman_reingold(&g, &p);
        assert!(a.iter().all(|q| q.0.is_finite() && q.1.is_finite()));
        assert_eq!(a, fruchterman_reingold(&g, &p));
    }
}
