//! **npxkit-network** groups enriched gene-set terms (GO BP and the like)
//! into biological themes the way vissE 1.12 does (Bhuva et al. 2024,
//! "vissE: a versatile tool to identify and visualise higher-order
//! molecular phenotypes from functional enrichment analysis", BMC
//! Bioinformatics 25:64), so a study clustered with vissE on igraph can be
//! reproduced without R.
//!
//! Steps of [`cluster_terms`]:
//! 1. [`similarity`]: gene overlap between every pair of terms (ARI by
//!    default), sparse and parallel.
//! 2. Terms are nodes, pairs with similarity ≥ `min_similarity` (0.25) are
//!    weighted edges. Terms without an edge are kept and flagged `unlinked`;
//!    vissE drops them from its graph, here they stay in every output.
//! 3. Communities on the linked terms: [`walktrap`] (default, identical to
//!    igraph 1.3.5's `cluster_walktrap(steps = 4)`), or seeded
//!    [`louvain::louvain`] / [`louvain::leiden`].
//! 4. Communities smaller than `min_cluster_size` (2) are set aside; the
//!    others are ordered as vissE's `findMsigClusters` orders them and
//!    numbered 1.. in that order.
//! 5. [`labels`]: each cluster is labelled with its top TF-IDF words from
//!    the term names; its most significant term is its representative.
//! 6. [`layout`]: seeded Fruchterman–Reingold coordinates for plotting.
//!
//! [`output`] renders `clusters.tsv`, `cluster_words.tsv`, `network.json`
//! and `network.graphml` as strings; writing them is the caller's job.
//! Results are identical for any number of threads.

pub mod graph;
pub mod labels;
pub mod layout;
pub mod louvain;
pub mod output;
pub mod similarity;
pub mod walktrap;

pub use graph::{modularity, WeightedGraph};
pub use labels::{Idf, WordScore};
pub use layout::LayoutParams;
pub use similarity::{GeneSets, Similarity, SimilarityEdge};
pub use walktrap::Walktrap;

use std::collections::HashSet;

/// Errors of [`cluster_terms`].
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// Two input terms share an id.
    #[error("term id '{0}' appears more than once")]
    DuplicateId(String),
    /// A parameter is out of range.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The community algorithm rejected the graph.
    #[error("community detection failed: {0}")]
    Community(String),
}

/// One enriched term (a node of the network).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Term {
    /// Identifier, e.g. `GO:0006954`.
    pub id: String,
    /// Name, e.g. `inflammatory response`; used for labels.
    pub name: String,
    /// Ordering and word weight, e.g. −log10 P (larger = more significant).
    pub statistic: f64,
    /// P-value (NaN if unknown).
    pub p_value: f64,
    /// Adjusted p-value (NaN if unknown).
    pub adj_p_value: f64,
    /// Direction of the enrichment (`Up`/`Down`), if any.
    pub direction: Option<String>,
    /// Member genes (measured ones); duplicates count once.
    pub members: Vec<String>,
}

/// Community detection algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Walktrap (vissE's default), identical to igraph 1.3.5.
    Walktrap,
    /// Louvain, best of `restarts` seeded runs.
    Louvain,
    /// Leiden (modularity), best of `restarts` seeded runs.
    Leiden,
}

impl Method {
    /// Name used on the command line and in outputs.
    pub fn name(self) -> &'static str {
        match self {
            Method::Walktrap => "walktrap",
            Method::Louvain => "louvain",
            Method::Leiden => "leiden",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "walktrap" => Ok(Method::Walktrap),
            "louvain" | "multilevel" => Ok(Method::Louvain),
            "leiden" => Ok(Method::Leiden),
            _ => Err(format!(
                "unknown method '{s}' (expected walktrap, louvain or leiden)"
            )),
        }
    }
}

/// Settings of [`cluster_terms`]; `Default` is vissE's.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Params {
    /// Similarity measure (ARI).
    pub similarity: Similarity,
    /// Edge threshold: similarity ≥ this (0.25).
    pub min_similarity: f64,
    /// Community algorithm (walktrap).
    pub method: Method,
    /// Random-walk length of walktrap (4).
    pub walktrap_steps: usize,
    /// Seed of Louvain/Leiden node orders and of the layout (1).
    pub seed: u64,
    /// Independent Louvain/Leiden runs; the best modularity is kept (10).
    pub restarts: usize,
    /// Smallest cluster kept (2); smaller communities are set aside.
    pub min_cluster_size: usize,
    /// Number of top words joined into a cluster label (3).
    pub label_words: usize,
    /// Layout settings; `None` skips the layout (coordinates NaN).
    pub layout: Option<LayoutParams>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            similarity: Similarity::Ari,
            min_similarity: 0.25,
            method: Method::Walktrap,
            walktrap_steps: 4,
            seed: 1,
            restarts: 10,
            min_cluster_size: 2,
            label_words: 3,
            layout: Some(LayoutParams::default()),
        }
    }
}

/// Per-term result, in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Cluster id (1 = top priority); `None` for unlinked or set-aside terms.
    pub cluster: Option<usize>,
    /// The algorithm's community label (1-based, igraph's numbering for
    /// walktrap), also for set-aside communities; `None` if unlinked.
    pub community: Option<usize>,
    /// True when the term has no edge at the threshold.
    pub unlinked: bool,
    /// Number of distinct member genes.
    pub size: usize,
    /// Layout x in [-1, 1] (NaN without layout).
    pub x: f64,
    /// Layout y in [-1, 1] (NaN without layout).
    pub y: f64,
}

/// A theme: a community of at least `min_cluster_size` terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// 1-based id, in vissE's priority order.
    pub id: usize,
    /// Term indices, most significant first (ties in input order).
    pub members: Vec<usize>,
    /// Top words joined by ", ".
    pub label: String,
    /// Index of the most significant term.
    pub representative: usize,
    /// Median |statistic| of the members.
    pub median_abs_statistic: f64,
    /// Every word with its score, highest first.
    pub words: Vec<WordScore>,
}

/// Result of [`cluster_terms`].
#[derive(Debug, Clone)]
pub struct Network {
    /// The input terms.
    pub terms: Vec<Term>,
    /// One node per term, in input order.
    pub nodes: Vec<Node>,
    /// Weighted edges between term indices (`i < j`), ordered by `(i, j)`.
    pub edges: Vec<SimilarityEdge>,
    /// Clusters in priority order (`clusters[k].id == k + 1`).
    pub clusters: Vec<Cluster>,
    /// Modularity of the partition of the linked terms (for walktrap its own
    /// maximum, as R's `modularity(cluster_walktrap(g))`); NaN without edges.
    pub modularity: f64,
    /// Genes in the union of all terms (the ARI's universe).
    pub n_genes: usize,
    /// The settings used.
    pub params: Params,
}

/// Builds the network, finds and orders the clusters, labels them and lays
/// the network out. `collection`: names of every term of the gene-set
/// collection (e.g. all GO BP), for the labels' IDF; without it words are
/// scored by weighted term frequency alone.
pub fn cluster_terms(
    terms: Vec<Term>,
    collection: Option<&[String]>,
    params: Params,
) -> Result<Network, NetworkError> {
    if params.min_similarity.is_nan() {
        return Err(NetworkError::InvalidParameter(
            "min_similarity is NaN".into(),
        ));
    }
    if params.walktrap_steps == 0 {
        return Err(NetworkError::InvalidParameter(
            "walktrap_steps must be at least 1".into(),
        ));
    }
    let mut ids = HashSet::new();
    for t in &terms {
        if !ids.insert(t.id.as_str()) {
            return Err(NetworkError::DuplicateId(t.id.clone()));
        }
    }
    let members: Vec<Vec<&str>> = terms
        .iter()
        .map(|t| t.members.iter().map(String::as_str).collect())
        .collect();
    let sets = GeneSets::new(&members);
    let edges = sets.edges(params.similarity, params.min_similarity);

    // graph on the linked terms, in input order
    let n = terms.len();
    let mut vertex_of = vec![usize::MAX; n];
    for e in &edges {
        vertex_of[e.i] = 0;
        vertex_of[e.j] = 0;
    }
    let mut linked = Vec::new();
    for (t, v) in vertex_of.iter_mut().enumerate() {
        if *v == 0 {
            *v = linked.len();
            linked.push(t);
        }
    }
    let graph = WeightedGraph::new(
        linked.len(),
        edges
            .iter()
            .map(|e| (vertex_of[e.i], vertex_of[e.j], e.weight))
            .collect(),
    )
    .map_err(NetworkError::Community)?;

    let (membership, q) = communities(&graph, &params)?;

    let mut nodes: Vec<Node> = (0..n)
        .map(|t| Node {
            cluster: None,
            community: None,
            unlinked: vertex_of[t] == usize::MAX,
            size: sets.size(t),
            x: f64::NAN,
            y: f64::NAN,
        })
        .collect();
    let k = membership.iter().copied().max().map_or(0, |m| m + 1);
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (v, &c) in membership.iter().enumerate() {
        groups[c].push(linked[v]);
        nodes[linked[v]].community = Some(c + 1);
    }
    let groups: Vec<Vec<usize>> = groups
        .into_iter()
        .filter(|g| g.len() >= params.min_cluster_size.max(1))
        .collect();
    let order = prioritise(&groups, &terms);

    let idf = collection.map(Idf::new);
    let mut clusters = Vec::with_capacity(order.len());
    for (rank, &g) in order.iter().enumerate() {
        let id = rank + 1;
        let mut m = groups[g].clone();
        m.sort_by(|&a, &b| cmp_significance(&terms[a], &terms[b]).then(a.cmp(&b)));
        for &t in &m {
            nodes[t].cluster = Some(id);
        }
        let names: Vec<&str> = m.iter().map(|&t| terms[t].name.as_str()).collect();
        let weights: Vec<f64> = m.iter().map(|&t| terms[t].statistic).collect();
        let words = labels::word_scores(&names, &weights, idf.as_ref());
        let label = words
            .iter()
            .take(params.label_words)
            .map(|w| w.word.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        clusters.push(Cluster {
            id,
            representative: m[0],
            median_abs_statistic: median(m.iter().map(|&t| terms[t].statistic.abs()).collect()),
            members: m,
            label,
            words,
        });
    }

    if let Some(lp) = &params.layout {
        let full = WeightedGraph::new(n, edges.iter().map(|e| (e.i, e.j, e.weight)).collect())
            .map_err(NetworkError::Community)?;
        for (node, (x, y)) in nodes
            .iter_mut()
            .zip(layout::fruchterman_reingold(&full, lp))
        {
            node.x = x;
            node.y = y;
        }
    }

    Ok(Network {
        terms,
        nodes,
        edges,
        clusters,
        modularity: q,
        n_genes: sets.n_genes(),
        params,
    })
}

/// Communities (0-based labels) and modularity of the linked graph.
fn communities(graph: &WeightedGraph, params: &Params) -> Result<(Vec<usize>, f64), NetworkError> {
    if graph.n_vertices() == 0 {
        return Ok((Vec::new(), f64::NAN));
    }
    Ok(match params.method {
        Method::Walktrap => {
            let wt = walktrap::walktrap(graph, params.walktrap_steps)
                .map_err(NetworkError::Community)?;
            let q = wt.max_modularity();
            (wt.membership, q)
        }
        Method::Louvain => {
            let m = louvain::louvain(graph, params.seed, params.restarts);
            let q = modularity(graph, &m);
            (m, q)
        }
        Method::Leiden => {
            let m = louvain::leiden(graph, params.seed, params.restarts);
            let q = modularity(graph, &m);
            (m, q)
        }
    })
}

/// More significant first: larger statistic, then smaller p-value; NaN last.
fn cmp_significance(a: &Term, b: &Term) -> std::cmp::Ordering {
    let stat = |t: &Term| {
        if t.statistic.is_nan() {
            f64::NEG_INFINITY
        } else {
            t.statistic
        }
    };
    let p = |t: &Term| {
        if t.p_value.is_nan() {
            f64::INFINITY
        } else {
            t.p_value
        }
    };
    stat(b).total_cmp(&stat(a)).then(p(a).total_cmp(&p(b)))
}

/// R's `median` of finite values (NaN for none).
fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = v.len() / 2;
    if v.len() % 2 == 1 {
        v[h]
    } else {
        (v[h - 1] + v[h]) / 2.0
    }
}

/// R's `rank(x)` with ties averaged.
fn rank_average(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// vissE's `findMsigClusters` order: rank of size × rank of median
/// |statistic| (ranks with averaged ties), highest first; ties keep the
/// community order. Size alone when some statistic is missing (NaN).
fn prioritise(groups: &[Vec<usize>], terms: &[Term]) -> Vec<usize> {
    let sizes: Vec<f64> = groups.iter().map(|g| g.len() as f64).collect();
    let mut score = rank_average(&sizes);
    if terms.iter().all(|t| !t.statistic.is_nan()) {
        let med: Vec<f64> = groups
            .iter()
            .map(|g| median(g.iter().map(|&t| terms[t].statistic.abs()).collect()))
            .collect();
        let r = rank_average(&med);
        let prod: Vec<f64> = score.iter().zip(&r).map(|(a, b)| a * b).collect();
        score = rank_average(&prod);
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_medians_as_r() {
        assert_eq!(
            rank_average(&[3.0, 1.0, 3.0, 2.0]),
            vec![3.5, 1.0, 3.5, 2.0]
        );
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(vec![5.0, 1.0, 3.0]), 3.0);
    }

    fn term(id: &str, name: &str, stat: f64, members: &[&str]) -> Term {
        Term {
            id: id.into(),
            name: name.into(),
            statistic: stat,
            p_value: 10f64.powf(-stat),
            adj_p_value: 10f64.powf(-stat),
            direction: None,
            members: members.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn prioritisation_follows_visse() {
        // sizes 3, 2, 2; medians 1, 5, 2  -> size ranks 3, 1.5, 1.5; stat ranks 1, 3, 2
        // products 3, 4.5, 3 -> order: group 1, then groups 0 and 2 tied (kept in order)
        let terms: Vec<Term> = [1.0, 1.0, 1.0, 5.0, 5.0, 2.0, 2.0]
            .iter()
            .map(|&s| term("x", "x", s, &[]))
            .collect();
        let groups = vec![vec![0, 1, 2], vec![3, 4], vec![5, 6]];
        assert_eq!(prioritise(&groups, &terms), vec![1, 0, 2]);
    }

    #[test]
    fn end_to_end_small_network() {
        let g =
            |p: &str, r: std::ops::Range<usize>| r.map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let mk = |id: &str, name: &str, stat: f64, m: Vec<String>| Term {
            members: m,
            ..term(id, name, stat, &[])
        };
        let terms = vec![
            mk("T1", "angiogenesis", 6.0, g("A", 0..20)),
            mk("T2", "sprouting angiogenesis", 4.0, g("A", 2..20)),
            mk("T3", "blood vessel morphogenesis", 3.0, g("A", 0..18)),
            mk("T4", "T cell activation", 5.0, g("B", 0..20)),
            mk("T5", "T cell differentiation", 2.0, g("B", 1..20)),
            mk("T6", "lonely term", 9.0, g("C", 0..5)),
        ];
        let net = cluster_terms(terms, None, Params::default()).unwrap();
        assert_eq!(net.clusters.len(), 2);
        assert!(net.nodes[5].unlinked && net.nodes[5].cluster.is_none());
        // sizes 3 and 2; medians 4 and 3.5 -> angiogenesis first
        assert_eq!(net.clusters[0].members, vec![0, 1, 2]);
        assert_eq!(net.clusters[0].representative, 0);
        assert_eq!(net.clusters[0].words[0].word, "angiogenesis");
        assert_eq!(net.clusters[1].label, "cell, activation, differentiation");
        assert!(net.nodes.iter().all(|n| n.x.is_finite()));
        assert!(matches!(
            cluster_terms(
                vec![term("a", "a", 1.0, &[]), term("a", "b", 1.0, &[])],
                None,
                Params::default()
            ),
            Err(NetworkError::DuplicateId(_))
        ));
    }
}
