//! A small undirected weighted graph (vertex count + edge list) and
//! Newman–Girvan modularity. The community algorithms need nothing more, and
//! the edge order is kept because walktrap's floating-point sums follow it.

/// Undirected weighted graph: vertices `0..n`, edges `(a, b, weight)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedGraph {
    n: usize,
    edges: Vec<(usize, usize, f64)>,
}

impl WeightedGraph {
    /// Builds a graph; fails when an edge names a vertex `>= n`, is a
    /// self-loop, or has a weight that is not finite and `>= 0`.
    pub fn new(n: usize, edges: Vec<(usize, usize, f64)>) -> Result<Self, String> {
        for &(a, b, w) in &edges {
            if a >= n || b >= n {
                return Err(format!("edge ({a}, {b}) names a vertex outside 0..{n}"));
            }
            if a == b {
                return Err(format!("self-loop on vertex {a}"));
            }
            if !(w.is_finite() && w >= 0.0) {
                return Err(format!(
                    "edge ({a}, {b}) has weight {w}; weights must be finite and >= 0"
                ));
            }
        }
        Ok(WeightedGraph { n, edges })
    }

    /// Number of vertices.
    pub fn n_vertices(&self) -> usize {
        self.n
    }

    /// The edges in the order given.
    pub fn edges(&self) -> &[(usize, usize, f64)] {
        &self.edges
    }

    /// Number of connected components (isolated vertices count as one each).
    pub fn n_components(&self) -> usize {
        let mut parent: Vec<usize> = (0..self.n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        let mut count = self.n;
        for &(a, b, _) in &self.edges {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
                count -= 1;
            }
        }
        count
    }

    /// Adjacency lists `(neighbour, weight)` per vertex, in edge order.
    pub fn adjacency(&self) -> Vec<Vec<(usize, f64)>> {
        let mut adj = vec![Vec::new(); self.n];
        for &(a, b, w) in &self.edges {
            adj[a].push((b, w));
            adj[b].push((a, w));
        }
        adj
    }
}

/// Weighted modularity (resolution 1) of a membership vector, as igraph's
/// `modularity(g, membership, weights)`: Σ_c [w_in(c)/m − (s_c / 2m)²], where
/// `m` is the total edge weight and `s_c` the summed strength of community c.
/// NaN for a graph whose total weight is 0.
pub fn modularity(graph: &WeightedGraph, membership: &[usize]) -> f64 {
    assert_eq!(
        membership.len(),
        graph.n_vertices(),
        "one membership per vertex"
    );
    let k = membership.iter().copied().max().map_or(0, |m| m + 1);
    let mut inside = vec![0.0; k];
    let mut strength = vec![0.0; k];
    let mut m = 0.0;
    for &(a, b, w) in graph.edges() {
        let (ca, cb) = (membership[a], membership[b]);
        if ca == cb {
            inside[ca] += 2.0 * w;
        }
        strength[ca] += w;
        strength[cb] += w;
        m += w;
    }
    if m == 0.0 {
        return f64::NAN;
    }
    let two_m = 2.0 * m;
    let mut q = 0.0;
    for c in 0..k {
        q += inside[c] / two_m - (strength[c] / two_m) * (strength[c] / two_m);
    }
    q
}

/// Renumbers labels `0..k` in order of first appearance.
pub fn relabel_by_first_appearance(membership: &[usize]) -> Vec<usize> {
    let mut map = std::collections::HashMap::new();
    membership
        .iter()
        .map(|&m| {
            let next = map.len();
            *map.entry(m).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modularity_of_two_cliques() {
        // two disjoint edges: Q = 2 * (1/2 - (2/4)^2) = 0.5
        let g = WeightedGraph::new(4, vec![(0, 1, 1.0), (2, 3, 1.0)]).unwrap();
        assert!((modularity(&g, &[0, 0, 1, 1]) - 0.5).abs() < 1e-15);
        assert!((modularity(&g, &[0, 0, 0, 0]) - 0.0).abs() < 1e-15);
        assert_eq!(g.n_components(), 2);
        assert!(WeightedGraph::new(2, vec![(0, 2, 1.0)]).is_err());
        assert!(WeightedGraph::new(2, vec![(0, 1, f64::NAN)]).is_err());
        assert_eq!(relabel_by_first_appearance(&[5, 2, 5, 7]), vec![0, 1, 0, 2]);
    }
}
