//! Walktrap community detection (Pons & Latapy 2006, "Computing communities
//! in large networks using random walks", J. Graph Alg. Appl. 10(2)).
//!
//! Written to give the same merges, modularity trace and membership as
//! igraph's `cluster_walktrap` in R igraph 1.3.5 (C core 0.9), because vissE
//! clusters with it and the study's themes must be reproducible. That needs
//! more than the algorithm: the same floating-point order (every vertex gets
//! a self-loop weighted by its mean incident weight; walk probabilities are
//! propagated in the order igraph visits vertices), the same lazy
//! lower-bound updates of Δσ after a merge, and the same binary-heap layout,
//! since ties between equal Δσ are broken by heap position. The cut is the
//! first merge step with maximal modularity; membership labels are numbered
//! as igraph's `community_to_membership` numbers them.

use crate::graph::WeightedGraph;

const NIL: usize = usize::MAX;

/// Result of [`walktrap`].
#[derive(Debug, Clone, PartialEq)]
pub struct Walktrap {
    /// The merges in order: pairs of community ids, where ids `< n` are
    /// vertices and id `n + k` is the community made by merge `k`
    /// (0-based, as igraph's C `merges`; R adds 1).
    pub merges: Vec<(usize, usize)>,
    /// Modularity before any merge and after each merge
    /// (`merges.len() + 1` values; NaN for a graph without edges).
    pub modularity: Vec<f64>,
    /// 0-based community of each vertex at the first step of maximal
    /// modularity, numbered as igraph numbers them (R's labels minus 1).
    pub membership: Vec<usize>,
}

impl Walktrap {
    /// The maximal modularity, what R's `modularity(cluster_walktrap(g))`
    /// returns (NaN for a graph without edges).
    pub fn max_modularity(&self) -> f64 {
        self.modularity
            .iter()
            .copied()
            .fold(f64::NAN, |a, b| if a.is_nan() || b > a { b } else { a })
    }
}

/// Runs walktrap with random walks of `steps` steps (4 in vissE and igraph).
///
/// Edge weights must be finite and non-negative; a vertex without edges is
/// given a self-loop of weight 1 (as igraph does) and stays a singleton.
/// Returns an error message for `steps == 0`, bad weights, or a vertex whose
/// only edges have weight 0.
pub fn walktrap(graph: &WeightedGraph, steps: usize) -> Result<Walktrap, String> {
    if steps == 0 {
        return Err("walktrap needs random walks of at least one step".into());
    }
    for e in graph.edges() {
        if !(e.2.is_finite() && e.2 >= 0.0) {
            return Err(format!(
                "walktrap needs finite non-negative weights, found {}",
                e.2
            ));
        }
    }
    let n = graph.n_vertices();
    let g = WGraph::new(graph)?;
    let n_comp = graph.n_components();
    let n_merges = n - n_comp;
    let mut c = Communities::new(g, steps, n_merges);
    while c.heap.size > 0 {
        c.merge_nearest();
    }
    let mut modularity = c.modularity;
    let merges = c.merges;
    let m = if n > 0 { which_max(&modularity) } else { 0 };
    let membership = to_membership(&merges, n, m);
    if graph.edges().is_empty() && !modularity.is_empty() {
        modularity[0] = f64::NAN;
    }
    Ok(Walktrap {
        merges,
        modularity,
        membership,
    })
}

/// First index of the maximum (NaN-free input), as igraph_vector_which_max.
fn which_max(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Membership after the first `steps` merges, numbered as igraph's
/// `igraph_community_to_membership`: communities found walking the merges
/// backwards first, then untouched vertices in vertex order.
pub fn to_membership(merges: &[(usize, usize)], n: usize, steps: usize) -> Vec<usize> {
    let mut membership = vec![0usize; n];
    let mut tmp = vec![0usize; steps];
    let mut found = 0usize;
    for i in (0..steps).rev() {
        let (c1, c2) = merges[i];
        if tmp[i] == 0 {
            found += 1;
            tmp[i] = found;
        }
        for c in [c1, c2] {
            if c < n {
                membership[c] = tmp[i];
            } else {
                tmp[c - n] = tmp[i];
            }
        }
    }
    for m in membership.iter_mut() {
        if *m != 0 {
            *m -= 1;
        } else {
            *m = found;
            found += 1;
        }
    }
    membership
}

struct WVertex {
    /// (neighbour, weight), sorted by neighbour, self-loop included.
    edges: Vec<(usize, f64)>,
    total_weight: f64,
}

struct WGraph {
    vertices: Vec<WVertex>,
    total_weight: f64,
    n_edges: usize,
}

impl WGraph {
    fn new(graph: &WeightedGraph) -> Result<Self, String> {
        let n = graph.n_vertices();
        let mut degree = vec![0usize; n];
        let mut strength = vec![0.0f64; n];
        let mut total = 0.0;
        for &(a, b, w) in graph.edges() {
            degree[a] += 1;
            degree[b] += 1;
            strength[a] += w;
            strength[b] += w;
            total += w;
        }
        let mut vertices: Vec<WVertex> = (0..n)
            .map(|i| {
                let loop_w = if degree[i] == 0 {
                    1.0
                } else {
                    strength[i] / degree[i] as f64
                };
                let mut edges = Vec::with_capacity(degree[i] + 1);
                edges.push((i, loop_w));
                WVertex {
                    edges,
                    total_weight: strength[i] + loop_w,
                }
            })
            .collect();
        for &(a, b, w) in graph.edges() {
            vertices[a].edges.push((b, w));
            vertices[b].edges.push((a, w));
        }
        for v in vertices.iter_mut() {
            if v.total_weight == 0.0 {
                return Err("walktrap needs every vertex to have positive strength".into());
            }
            v.edges.sort_by_key(|e| e.0);
            // merge multi-edges
            let mut merged: Vec<(usize, f64)> = Vec::with_capacity(v.edges.len());
            for &(nb, w) in &v.edges {
                match merged.last_mut() {
                    Some(last) if last.0 == nb => last.1 += w,
                    _ => merged.push((nb, w)),
                }
            }
            v.edges = merged;
        }
        Ok(WGraph {
            vertices,
            total_weight: total,
            n_edges: graph.edges().len(),
        })
    }
}

/// A probability vector `P^t_{C.} / sqrt(d)`: dense (`vertices == None`) or
/// sparse with ascending vertex ids.
struct Prob {
    vertices: Option<Vec<usize>>,
    p: Vec<f64>,
}

impl Prob {
    /// Squared distance; every representation sums over ascending vertex ids,
    /// so one merge-walk gives the same bits as igraph's four cases.
    fn distance(&self, other: &Prob) -> f64 {
        let mut r = 0.0;
        match (&self.vertices, &other.vertices) {
            (None, None) => {
                for i in 0..self.p.len() {
                    let d = self.p[i] - other.p[i];
                    r += d * d;
                }
            }
            (Some(v1), Some(v2)) => {
                let (mut i, mut j) = (0, 0);
                while i < v1.len() && j < v2.len() {
                    if v1[i] < v2[j] {
                        r += self.p[i] * self.p[i];
                        i += 1;
                    } else if v1[i] > v2[j] {
                        r += other.p[j] * other.p[j];
                        j += 1;
                    } else {
                        let d = self.p[i] - other.p[j];
                        r += d * d;
                        i += 1;
                        j += 1;
                    }
                }
                for k in j..v2.len() {
                    r += other.p[k] * other.p[k];
                }
                for k in i..v1.len() {
                    r += self.p[k] * self.p[k];
                }
            }
            (Some(v1), None) => r = sparse_dense_distance(v1, &self.p, &other.p),
            (None, Some(v2)) => r = dense_sparse_distance(&self.p, v2, &other.p),
        }
        r
    }
}

fn sparse_dense_distance(vs: &[usize], ps: &[f64], pd: &[f64]) -> f64 {
    let mut r = 0.0;
    let mut i = 0;
    for (j, &v) in vs.iter().enumerate() {
        while i < v {
            r += pd[i] * pd[i];
            i += 1;
        }
        let d = ps[j] - pd[i];
        r += d * d;
        i += 1;
    }
    while i < pd.len() {
        r += pd[i] * pd[i];
        i += 1;
    }
    r
}

fn dense_sparse_distance(pd: &[f64], vs: &[usize], ps: &[f64]) -> f64 {
    let mut r = 0.0;
    let mut i = 0;
    for (j, &v) in vs.iter().enumerate() {
        while i < v {
            r += pd[i] * pd[i];
            i += 1;
        }
        let d = pd[i] - ps[j];
        r += d * d;
        i += 1;
    }
    while i < pd.len() {
        r += pd[i] * pd[i];
        i += 1;
    }
    r
}

#[derive(Clone)]
struct Neighbor {
    c1: usize,
    c2: usize,
    delta_sigma: f64,
    weight: f64,
    exact: bool,
    next1: usize,
    prev1: usize,
    next2: usize,
    prev2: usize,
    heap_index: usize,
}

/// igraph's walktrap heap: root at 0, children of `i` at `2i` and `2i + 1`
/// (kept as is because tie-breaking depends on it).
struct Heap {
    h: Vec<usize>,
    size: usize,
}

struct Community {
    first_neighbor: usize,
    last_neighbor: usize,
    first_member: usize,
    last_member: usize,
    size: usize,
    p: Option<Prob>,
    internal_weight: f64,
    total_weight: f64,
    /// `Some(0)`-like flag of igraph: true while the community is active.
    active: bool,
}

impl Community {
    fn empty() -> Self {
        Community {
            first_neighbor: NIL,
            last_neighbor: NIL,
            first_member: NIL,
            last_member: NIL,
            size: 0,
            p: None,
            internal_weight: 0.0,
            total_weight: 0.0,
            active: false,
        }
    }
}

struct Scratch {
    tmp1: Vec<f64>,
    tmp2: Vec<f64>,
    id: Vec<u64>,
    vertices1: Vec<usize>,
    vertices2: Vec<usize>,
    current_id: u64,
}

struct Communities {
    g: WGraph,
    length: usize,
    members: Vec<usize>,
    nbrs: Vec<Neighbor>,
    free: Vec<usize>,
    heap: Heap,
    communities: Vec<Community>,
    nb_communities: usize,
    scratch: Scratch,
    merges: Vec<(usize, usize)>,
    modularity: Vec<f64>,
}

impl Communities {
    fn new(g: WGraph, length: usize, n_merges: usize) -> Self {
        let n = g.vertices.len();
        let mut communities: Vec<Community> = (0..2 * n).map(|_| Community::empty()).collect();
        for (i, c) in communities.iter_mut().enumerate().take(n) {
            c.first_member = i;
            c.last_member = i;
            c.size = 1;
            c.active = true;
        }
        let heap = Heap {
            h: vec![0; g.n_edges],
            size: 0,
        };
        let mut c = Communities {
            length,
            members: vec![NIL; n],
            nbrs: Vec::new(),
            free: Vec::new(),
            heap,
            communities,
            nb_communities: n,
            scratch: Scratch {
                tmp1: vec![0.0; n],
                tmp2: vec![0.0; n],
                id: vec![0; n],
                vertices1: vec![0; n],
                vertices2: vec![0; n],
                current_id: 0,
            },
            merges: Vec::with_capacity(n_merges),
            modularity: vec![0.0; n_merges + 1],
            g,
        };
        for i in 0..n {
            for k in 0..c.g.vertices[i].edges.len() {
                let (nb, w) = c.g.vertices[i].edges[k];
                if i < nb {
                    c.communities[i].total_weight += w / 2.0;
                    c.communities[nb].total_weight += w / 2.0;
                    let deg_min = c.g.vertices[i]
                        .edges
                        .len()
                        .min(c.g.vertices[nb].edges.len());
                    let id = c.alloc(Neighbor {
                        c1: i,
                        c2: nb,
                        delta_sigma: -1.0 / deg_min as f64,
                        weight: w,
                        exact: false,
                        next1: NIL,
                        prev1: NIL,
                        next2: NIL,
                        prev2: NIL,
                        heap_index: NIL,
                    });
                    c.add_neighbor(id);
                }
            }
        }
        if c.heap.size > 0 {
            let mut nid = c.heap.h[0];
            while !c.nbrs[nid].exact {
                let ds = c.compute_delta_sigma(c.nbrs[nid].c1, c.nbrs[nid].c2);
                c.update_neighbor(nid, ds);
                c.nbrs[nid].exact = true;
                nid = c.heap.h[0];
            }
        }
        if !c.modularity.is_empty() {
            c.modularity[0] = c.current_modularity();
        }
        c
    }

    fn current_modularity(&self) -> f64 {
        let tw = self.g.total_weight;
        let mut q = 0.0;
        for c in &self.communities[..self.nb_communities] {
            if c.active {
                q += c.internal_weight - c.total_weight * c.total_weight / tw;
            }
        }
        q / tw
    }

    fn alloc(&mut self, n: Neighbor) -> usize {
        if let Some(id) = self.free.pop() {
            self.nbrs[id] = n;
            id
        } else {
            self.nbrs.push(n);
            self.nbrs.len() - 1
        }
    }

    // ---- heap ----
    fn heap_move_up(&mut self, mut index: usize) {
        while self.nbrs[self.heap.h[index / 2]].delta_sigma
            > self.nbrs[self.heap.h[index]].delta_sigma
        {
            let parent = index / 2;
            self.heap.h.swap(parent, index);
            self.nbrs[self.heap.h[parent]].heap_index = parent;
            self.nbrs[self.heap.h[index]].heap_index = index;
            index = parent;
        }
    }

    fn heap_move_down(&mut self, mut index: usize) {
        loop {
            let mut min = index;
            let size = self.heap.size;
            if 2 * index < size
                && self.nbrs[self.heap.h[2 * index]].delta_sigma
                    < self.nbrs[self.heap.h[min]].delta_sigma
            {
                min = 2 * index;
            }
            if 2 * index + 1 < size
                && self.nbrs[self.heap.h[2 * index + 1]].delta_sigma
                    < self.nbrs[self.heap.h[min]].delta_sigma
            {
                min = 2 * index + 1;
            }
            if min == index {
                break;
            }
            self.heap.h.swap(min, index);
            self.nbrs[self.heap.h[min]].heap_index = min;
            self.nbrs[self.heap.h[index]].heap_index = index;
            index = min;
        }
    }

    fn heap_add(&mut self, id: usize) {
        if self.heap.size >= self.heap.h.len() {
            return;
        }
        let idx = self.heap.size;
        self.heap.size += 1;
        self.nbrs[id].heap_index = idx;
        self.heap.h[idx] = id;
        self.heap_move_up(idx);
    }

    fn heap_remove(&mut self, id: usize) {
        let hi = self.nbrs[id].heap_index;
        if hi == NIL || self.heap.size == 0 {
            return;
        }
        self.heap.size -= 1;
        let last = self.heap.h[self.heap.size];
        self.heap.h[hi] = last;
        self.nbrs[last].heap_index = hi;
        self.heap_move_up(hi);
        let hi2 = self.nbrs[last].heap_index;
        self.heap_move_down(hi2);
        self.nbrs[id].heap_index = NIL;
    }

    fn heap_update(&mut self, id: usize) {
        let hi = self.nbrs[id].heap_index;
        if hi == NIL {
            return;
        }
        self.heap_move_up(hi);
        let hi2 = self.nbrs[id].heap_index;
        self.heap_move_down(hi2);
    }

    // ---- neighbour lists ----
    fn comm_add_neighbor(&mut self, c: usize, id: usize) {
        let last = self.communities[c].last_neighbor;
        if last != NIL {
            if self.nbrs[last].c1 == c {
                self.nbrs[last].next1 = id;
            } else {
                self.nbrs[last].next2 = id;
            }
            if self.nbrs[id].c1 == c {
                self.nbrs[id].prev1 = last;
            } else {
                self.nbrs[id].prev2 = last;
            }
        } else {
            self.communities[c].first_neighbor = id;
            if self.nbrs[id].c1 == c {
                self.nbrs[id].prev1 = NIL;
            } else {
                self.nbrs[id].prev2 = NIL;
            }
        }
        self.communities[c].last_neighbor = id;
    }

    fn comm_remove_neighbor(&mut self, c: usize, id: usize) {
        let (next, prev) = if self.nbrs[id].c1 == c {
            (self.nbrs[id].next1, self.nbrs[id].prev1)
        } else {
            (self.nbrs[id].next2, self.nbrs[id].prev2)
        };
        if next != NIL {
            if self.nbrs[next].c1 == c {
                self.nbrs[next].prev1 = prev;
            } else {
                self.nbrs[next].prev2 = prev;
            }
        } else {
            self.communities[c].last_neighbor = prev;
        }
        if prev != NIL {
            if self.nbrs[prev].c1 == c {
                self.nbrs[prev].next1 = next;
            } else {
                self.nbrs[prev].next2 = next;
            }
        } else {
            self.communities[c].first_neighbor = next;
        }
    }

    fn add_neighbor(&mut self, id: usize) {
        let (c1, c2) = (self.nbrs[id].c1, self.nbrs[id].c2);
        self.comm_add_neighbor(c1, id);
        self.comm_add_neighbor(c2, id);
        self.heap_add(id);
    }

    fn remove_neighbor(&mut self, id: usize) {
        let (c1, c2) = (self.nbrs[id].c1, self.nbrs[id].c2);
        self.comm_remove_neighbor(c1, id);
        self.comm_remove_neighbor(c2, id);
        self.heap_remove(id);
    }

    fn update_neighbor(&mut self, id: usize, ds: f64) {
        self.nbrs[id].delta_sigma = ds;
        self.heap_update(id);
    }

    fn next_of(&self, id: usize, c: usize) -> usize {
        if self.nbrs[id].c1 == c {
            self.nbrs[id].next1
        } else {
            self.nbrs[id].next2
        }
    }

    fn other_of(&self, id: usize, c: usize) -> usize {
        if self.nbrs[id].c1 == c {
            self.nbrs[id].c2
        } else {
            self.nbrs[id].c1
        }
    }

    // ---- probability vectors ----
    fn walk(&mut self, community: usize) -> Prob {
        let n = self.g.vertices.len();
        let s = &mut self.scratch;
        let g = &self.g;
        let mut nb1 = 0usize;
        let initial = 1.0 / self.communities[community].size as f64;
        let last = self.members[self.communities[community].last_member];
        let mut m = self.communities[community].first_member;
        while m != last {
            s.tmp1[m] = initial;
            s.vertices1[nb1] = m;
            nb1 += 1;
            m = self.members[m];
        }
        for _ in 0..self.length {
            s.current_id += 1;
            let nb2;
            if nb1 > n / 2 {
                nb2 = n;
                s.tmp2.iter_mut().for_each(|x| *x = 0.0);
                if nb1 == n {
                    for i in 0..n {
                        let proba = s.tmp1[i] / g.vertices[i].total_weight;
                        for &(nb, w) in &g.vertices[i].edges {
                            s.tmp2[nb] += proba * w;
                        }
                    }
                } else {
                    for k in 0..nb1 {
                        let v1 = s.vertices1[k];
                        let proba = s.tmp1[v1] / g.vertices[v1].total_weight;
                        for &(nb, w) in &g.vertices[v1].edges {
                            s.tmp2[nb] += proba * w;
                        }
                    }
                }
            } else {
                let mut cnt = 0;
                for k in 0..nb1 {
                    let v1 = s.vertices1[k];
                    let proba = s.tmp1[v1] / g.vertices[v1].total_weight;
                    for &(v2, w) in &g.vertices[v1].edges {
                        if s.id[v2] == s.current_id {
                            s.tmp2[v2] += proba * w;
                        } else {
                            s.tmp2[v2] = proba * w;
                            s.id[v2] = s.current_id;
                            s.vertices2[cnt] = v2;
                            cnt += 1;
                        }
                    }
                }
                nb2 = cnt;
            }
            std::mem::swap(&mut s.tmp1, &mut s.tmp2);
            std::mem::swap(&mut s.vertices1, &mut s.vertices2);
            nb1 = nb2;
        }
        if nb1 > n / 2 {
            let mut p = vec![0.0; n];
            if nb1 == n {
                for (i, x) in p.iter_mut().enumerate() {
                    *x = s.tmp1[i] / g.vertices[i].total_weight.sqrt();
                }
            } else {
                for k in 0..nb1 {
                    let v = s.vertices1[k];
                    p[v] = s.tmp1[v] / g.vertices[v].total_weight.sqrt();
                }
            }
            Prob { vertices: None, p }
        } else {
            let mut p = Vec::with_capacity(nb1);
            let mut vs = Vec::with_capacity(nb1);
            for i in 0..n {
                if s.id[i] == s.current_id {
                    p.push(s.tmp1[i] / g.vertices[i].total_weight.sqrt());
                    vs.push(i);
                }
            }
            Prob {
                vertices: Some(vs),
                p,
            }
        }
    }

    fn merged_prob(&mut self, c1: usize, c2: usize) -> Prob {
        let n = self.g.vertices.len();
        let s1 = self.communities[c1].size as f64;
        let s2 = self.communities[c2].size as f64;
        let w1 = s1 / (s1 + s2);
        let w2 = s2 / (s1 + s2);
        let p1 = self.communities[c1].p.as_ref().expect("probability vector");
        let p2 = self.communities[c2].p.as_ref().expect("probability vector");
        match (&p1.vertices, &p2.vertices) {
            (None, None) => Prob {
                vertices: None,
                p: (0..n).map(|i| p1.p[i] * w1 + p2.p[i] * w2).collect(),
            },
            (None, Some(v2)) => {
                let mut p: Vec<f64> = p1.p.iter().map(|x| x * w1).collect();
                for (k, &v) in v2.iter().enumerate() {
                    p[v] = p1.p[v] * w1 + p2.p[k] * w2;
                }
                Prob { vertices: None, p }
            }
            (Some(v1), None) => {
                let mut p: Vec<f64> = p2.p.iter().map(|x| x * w2).collect();
                for (k, &v) in v1.iter().enumerate() {
                    p[v] = p1.p[k] * w1 + p2.p[v] * w2;
                }
                Prob { vertices: None, p }
            }
            (Some(v1), Some(v2)) => {
                let mut vs = Vec::with_capacity(v1.len() + v2.len());
                let mut ps = Vec::with_capacity(v1.len() + v2.len());
                let (mut i, mut j) = (0, 0);
                while i < v1.len() && j < v2.len() {
                    if v1[i] < v2[j] {
                        vs.push(v1[i]);
                        ps.push(p1.p[i] * w1);
                        i += 1;
                    } else if v1[i] > v2[j] {
                        vs.push(v2[j]);
                        ps.push(p2.p[j] * w2);
                        j += 1;
                    } else {
                        vs.push(v1[i]);
                        ps.push(p1.p[i] * w1 + p2.p[j] * w2);
                        i += 1;
                        j += 1;
                    }
                }
                for (&v, &p) in v2[j..].iter().zip(&p2.p[j..]) {
                    vs.push(v);
                    ps.push(p * w2);
                }
                for (&v, &p) in v1[i..].iter().zip(&p1.p[i..]) {
                    vs.push(v);
                    ps.push(p * w1);
                }
                if vs.len() > n / 2 {
                    let mut p = vec![0.0; n];
                    for (k, &v) in vs.iter().enumerate() {
                        p[v] = ps[k];
                    }
                    Prob { vertices: None, p }
                } else {
                    Prob {
                        vertices: Some(vs),
                        p: ps,
                    }
                }
            }
        }
    }

    fn compute_delta_sigma(&mut self, c1: usize, c2: usize) -> f64 {
        if self.communities[c1].p.is_none() {
            let p = self.walk(c1);
            self.communities[c1].p = Some(p);
        }
        if self.communities[c2].p.is_none() {
            let p = self.walk(c2);
            self.communities[c2].p = Some(p);
        }
        let d = {
            let p1 = self.communities[c1].p.as_ref().expect("computed");
            let p2 = self.communities[c2].p.as_ref().expect("computed");
            p1.distance(p2)
        };
        let s1 = self.communities[c1].size as f64;
        let s2 = self.communities[c2].size as f64;
        d * s1 * s2 / (s1 + s2)
    }

    // ---- merging ----
    fn new_neighbor(&mut self, c1: usize, c2: usize, weight: f64, ds: f64, exact: bool) {
        let id = self.alloc(Neighbor {
            c1,
            c2,
            delta_sigma: ds,
            weight,
            exact,
            next1: NIL,
            prev1: NIL,
            next2: NIL,
            prev2: NIL,
            heap_index: NIL,
        });
        self.add_neighbor(id);
    }

    fn merge_communities(&mut self, merge: usize) {
        let c1 = self.nbrs[merge].c1;
        let c2 = self.nbrs[merge].c2;
        let merge_ds = self.nbrs[merge].delta_sigma;
        let merge_w = self.nbrs[merge].weight;
        let nc = self.nb_communities;

        let (c1_first, c1_last) = (
            self.communities[c1].first_member,
            self.communities[c1].last_member,
        );
        let (c2_first, c2_last) = (
            self.communities[c2].first_member,
            self.communities[c2].last_member,
        );
        self.members[c1_last] = c2_first;
        let size1 = self.communities[c1].size;
        let size2 = self.communities[c2].size;
        {
            let tw = self.communities[c1].total_weight + self.communities[c2].total_weight;
            let iw = self.communities[c1].internal_weight
                + self.communities[c2].internal_weight
                + merge_w;
            let new = &mut self.communities[nc];
            new.first_member = c1_first;
            new.last_member = c2_last;
            new.size = size1 + size2;
            new.active = true;
            new.total_weight = tw;
            new.internal_weight = iw;
        }
        self.communities[c1].active = false;
        self.communities[c2].active = false;

        if self.communities[c1].p.is_some() && self.communities[c2].p.is_some() {
            let p = self.merged_prob(c1, c2);
            self.communities[nc].p = Some(p);
        }
        self.communities[c1].p = None;
        self.communities[c2].p = None;

        let s1 = size1 as f64;
        let s2 = size2 as f64;
        let mut n1 = self.communities[c1].first_neighbor;
        let mut n2 = self.communities[c2].first_neighbor;
        while n1 != NIL && n2 != NIL {
            let nc1 = self.other_of(n1, c1);
            let nc2 = self.other_of(n2, c2);
            if nc1 < nc2 {
                let tmp = n1;
                n1 = self.next_of(n1, c1);
                self.remove_neighbor(tmp);
                let sn = self.communities[nc1].size as f64;
                let ds = ((s1 + sn) * self.nbrs[tmp].delta_sigma + s2 * merge_ds) / (s1 + s2 + sn);
                let w = self.nbrs[tmp].weight;
                self.free.push(tmp);
                self.new_neighbor(nc1, nc, w, ds, false);
            }
            if nc2 < nc1 {
                let tmp = n2;
                n2 = self.next_of(n2, c2);
                self.remove_neighbor(tmp);
                let sn = self.communities[nc2].size as f64;
                let ds = (s1 * merge_ds + (s2 + sn) * self.nbrs[tmp].delta_sigma) / (s1 + s2 + sn);
                let w = self.nbrs[tmp].weight;
                self.free.push(tmp);
                self.new_neighbor(nc2, nc, w, ds, false);
            }
            if nc1 == nc2 {
                let (t1, t2) = (n1, n2);
                let exact = self.nbrs[n1].exact && self.nbrs[n2].exact;
                n1 = self.next_of(n1, c1);
                n2 = self.next_of(n2, c2);
                self.remove_neighbor(t1);
                self.remove_neighbor(t2);
                let sn = self.communities[nc1].size as f64;
                let ds = ((s1 + sn) * self.nbrs[t1].delta_sigma
                    + (s2 + sn) * self.nbrs[t2].delta_sigma
                    - sn * merge_ds)
                    / (s1 + s2 + sn);
                let w = self.nbrs[t1].weight + self.nbrs[t2].weight;
                self.free.push(t1);
                self.free.push(t2);
                self.new_neighbor(nc1, nc, w, ds, exact);
            }
        }
        while n2 != NIL {
            let nb = self.other_of(n2, c2);
            let tmp = n2;
            n2 = self.next_of(n2, c2);
            self.remove_neighbor(tmp);
            let sn = self.communities[nb].size as f64;
            let ds = (s1 * merge_ds + (s2 + sn) * self.nbrs[tmp].delta_sigma) / (s1 + s2 + sn);
            let w = self.nbrs[tmp].weight;
            self.free.push(tmp);
            self.new_neighbor(nb, nc, w, ds, false);
        }
        while n1 != NIL {
            let nb = self.other_of(n1, c1);
            let tmp = n1;
            n1 = self.next_of(n1, c1);
            self.remove_neighbor(tmp);
            let sn = self.communities[nb].size as f64;
            let ds = ((s1 + sn) * self.nbrs[tmp].delta_sigma + s2 * merge_ds) / (s1 + s2 + sn);
            let w = self.nbrs[tmp].weight;
            self.free.push(tmp);
            self.new_neighbor(nb, nc, w, ds, false);
        }
        self.nb_communities += 1;
    }

    fn merge_nearest(&mut self) {
        let mut nid = self.heap.h[0];
        while !self.nbrs[nid].exact {
            let ds = self.compute_delta_sigma(self.nbrs[nid].c1, self.nbrs[nid].c2);
            self.update_neighbor(nid, ds);
            self.nbrs[nid].exact = true;
            nid = self.heap.h[0];
        }
        self.remove_neighbor(nid);
        self.merge_communities(nid);
        self.merges.push((self.nbrs[nid].c1, self.nbrs[nid].c2));
        self.free.push(nid);
        let q = self.current_modularity();
        let k = self.merges.len();
        if k < self.modularity.len() {
            self.modularity[k] = q;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_triangles_split_at_the_bridge() {
        let g = WeightedGraph::new(
            6,
            vec![
                (0, 1, 1.0),
                (0, 2, 1.0),
                (1, 2, 1.0),
                (3, 4, 1.0),
                (3, 5, 1.0),
                (4, 5, 1.0),
                (2, 3, 0.1),
            ],
        )
        .unwrap();
        let wt = walktrap(&g, 4).unwrap();
        assert_eq!(wt.merges.len(), 5);
        assert_eq!(wt.modularity.len(), 6);
        let m = &wt.membership;
        assert_eq!(m[0], m[1]);
        assert_eq!(m[1], m[2]);
        assert_eq!(m[3], m[4]);
        assert_eq!(m[4], m[5]);
        assert_ne!(m[0], m[3]);
        let q = crate::graph::modularity(&g, m);
        assert!((wt.max_modularity() - q).abs() < 1e-12);
    }

    #[test]
    fn edgeless_graph_gives_singletons_and_nan() {
        let g = WeightedGraph::new(3, vec![]).unwrap();
        let wt = walktrap(&g, 4).unwrap();
        assert!(wt.merges.is_empty());
        assert_eq!(wt.membership, vec![0, 1, 2]);
        assert!(wt.modularity[0].is_nan());
    }

    #[test]
    fn membership_numbering_follows_igraph() {
        // merges: (0,1)->4, (2,3)->5; after 1 step: {0,1} found first = 0, then 2, 3
        let merges = vec![(0, 1), (2, 3), (4, 5)];
        assert_eq!(to_membership(&merges, 4, 1), vec![0, 0, 1, 2]);
        assert_eq!(to_membership(&merges, 4, 2), vec![1, 1, 0, 0]);
        assert_eq!(to_membership(&merges, 4, 0), vec![0, 1, 2, 3]);
    }
}
