//! Parity with vissE's similarity formulas and igraph 1.3.5's
//! `cluster_walktrap` / `cluster_louvain`, on the outputs of
//! `test-data/reference/cluster.R` (committed; R is not needed here).

use npxkit_network::{
    cluster_terms, louvain, modularity, walktrap::walktrap, GeneSets, Params, Similarity, Term,
    WeightedGraph,
};
use std::collections::HashMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test-data/reference/cluster")
}

struct Table {
    header: HashMap<String, usize>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn read(name: &str) -> Table {
        let text =
            std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut lines = text.lines();
        let header = lines
            .next()
            .unwrap()
            .split('\t')
            .enumerate()
            .map(|(i, h)| (h.to_string(), i))
            .collect();
        let rows = lines
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        Table { header, rows }
    }
    fn col(&self, row: &[String], name: &str) -> String {
        row[self.header[name]].clone()
    }
    fn num(&self, row: &[String], name: &str) -> f64 {
        let s = self.col(row, name);
        if s == "NA" {
            f64::NAN
        } else {
            s.parse().unwrap_or_else(|_| panic!("{name}: {s}"))
        }
    }
    fn int(&self, row: &[String], name: &str) -> usize {
        self.col(row, name).parse().unwrap()
    }
}

fn terms(case: &str) -> Vec<Term> {
    let t = Table::read(&format!("{case}_terms.tsv"));
    t.rows
        .iter()
        .map(|r| Term {
            id: t.col(r, "id"),
            name: t.col(r, "name"),
            statistic: t.num(r, "statistic"),
            p_value: t.num(r, "P.Value"),
            adj_p_value: t.num(r, "adj.P.Val"),
            direction: Some(t.col(r, "direction")),
            members: t.col(r, "members").split(',').map(str::to_string).collect(),
        })
        .collect()
}

fn gene_sets(terms: &[Term]) -> GeneSets {
    GeneSets::new(&terms.iter().map(|t| t.members.clone()).collect::<Vec<_>>())
}

struct RefGraph {
    name: String,
    case: String,
    measure: Similarity,
    threshold: f64,
    n_vertices: usize,
    n_edges: usize,
    walktrap_q: f64,
    walktrap_q_igraph: f64,
    louvain_q: f64,
    leiden_q: f64,
    disjoint_ari_max: f64,
    walktrap_seconds: f64,
}

fn summary() -> Vec<RefGraph> {
    let t = Table::read("summary.tsv");
    t.rows
        .iter()
        .map(|r| RefGraph {
            name: t.col(r, "graph"),
            case: t.col(r, "case"),
            measure: t.col(r, "measure").parse().unwrap(),
            threshold: t.num(r, "threshold"),
            n_vertices: t.int(r, "n_vertices"),
            n_edges: t.int(r, "n_edges"),
            walktrap_q: t.num(r, "walktrap_modularity"),
            walktrap_q_igraph: t.num(r, "walktrap_modularity_igraph"),
            louvain_q: t.num(r, "louvain_modularity"),
            leiden_q: t.num(r, "leiden_modularity"),
            disjoint_ari_max: t.num(r, "disjoint_ari_max"),
            walktrap_seconds: t.num(r, "walktrap_seconds"),
        })
        .collect()
}

/// R's edges (term indices, exact weights) and the linked terms as vertices.
fn ref_edges(name: &str) -> Vec<(usize, usize, f64)> {
    let t = Table::read(&format!("{name}_edges.tsv"));
    t.rows
        .iter()
        .map(|r| (t.int(r, "i"), t.int(r, "j"), t.num(r, "weight")))
        .collect()
}

fn to_graph(edges: &[(usize, usize, f64)], n_terms: usize) -> (WeightedGraph, Vec<usize>) {
    let mut vertex_of = vec![usize::MAX; n_terms];
    for &(i, j, _) in edges {
        vertex_of[i] = 0;
        vertex_of[j] = 0;
    }
    let mut verts = Vec::new();
    for (t, v) in vertex_of.iter_mut().enumerate() {
        if *v == 0 {
            *v = verts.len();
            verts.push(t);
        }
    }
    let g = WeightedGraph::new(
        verts.len(),
        edges
            .iter()
            .map(|&(i, j, w)| (vertex_of[i], vertex_of[j], w))
            .collect(),
    )
    .unwrap();
    (g, verts)
}

#[test]
fn similarities_match_visse_formulas() {
    let strides: HashMap<&str, usize> = [("bp150", 5), ("bp400", 17)].into_iter().collect();
    let mut checked = 0;
    for case in ["bridges", "syn80", "syn200", "bp150", "bp400"] {
        let ts = terms(case);
        let gs = gene_sets(&ts);
        let mut rust: HashMap<(usize, usize), [f64; 3]> = HashMap::new();
        let mut overlaps: HashMap<(usize, usize), usize> = HashMap::new();
        for (k, m) in [Similarity::Ari, Similarity::Jaccard, Similarity::Overlap]
            .into_iter()
            .enumerate()
        {
            for e in gs.edges(m, f64::NEG_INFINITY) {
                rust.entry((e.i, e.j)).or_insert([f64::NAN; 3])[k] = e.weight;
                overlaps.insert((e.i, e.j), e.overlap);
            }
        }
        let t = Table::read(&format!("{case}_pairs.tsv"));
        for r in &t.rows {
            let (i, j) = (t.int(r, "i"), t.int(r, "j"));
            let got = rust[&(i, j)];
            assert_eq!(overlaps[&(i, j)], t.int(r, "overlap"), "{case} ({i},{j})");
            for (k, col) in ["ari", "jaccard", "overlap_coef"].into_iter().enumerate() {
                let want = t.num(r, col);
                assert!(
                    (got[k] - want).abs() <= 1e-12,
                    "{case} ({i},{j}) {col}: {} vs R {want}",
                    got[k]
                );
            }
            checked += 1;
        }
        // every pair sharing a gene is listed (all, or the deterministic subsample)
        let expected = overlaps
            .iter()
            .filter(|(&(i, j), &x)| {
                x > 0 && strides.get(case).is_none_or(|&s| (i + j + 2) % s == 0)
            })
            .count();
        assert_eq!(expected, t.rows.len(), "{case}: pairs sharing genes");
    }
    assert!(checked > 5000, "{checked} pairs checked");
}

#[test]
fn thresholded_edges_match_r() {
    for g in summary() {
        let ts = terms(&g.case);
        let gs = gene_sets(&ts);
        let ours = gs.edges(g.measure, g.threshold);
        let theirs = ref_edges(&g.name);
        assert_eq!(ours.len(), g.n_edges, "{}", g.name);
        assert_eq!(theirs.len(), g.n_edges, "{}", g.name);
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!((a.i, a.j), (b.0, b.1), "{}", g.name);
            assert!(
                (a.weight - b.2).abs() <= 1e-12,
                "{} ({},{})",
                g.name,
                a.i,
                a.j
            );
        }
        // the largest ARI among disjoint pairs, which the sparse path must bound
        if !g.disjoint_ari_max.is_nan() {
            let n = gs.n_genes();
            let all = gs.edges(Similarity::Ari, f64::NEG_INFINITY);
            let max = all
                .iter()
                .filter(|e| e.overlap == 0)
                .map(|e| e.weight)
                .fold(f64::NEG_INFINITY, f64::max);
            assert!(
                (max - g.disjoint_ari_max).abs() <= 1e-12,
                "{}: {max} vs {}",
                g.name,
                g.disjoint_ari_max
            );
            assert!(n > 0);
        }
    }
}

#[test]
fn walktrap_matches_igraph() {
    let mut graphs = 0;
    for g in summary() {
        let ts = terms(&g.case);
        let mem = Table::read(&format!("{}_membership.tsv", g.name));
        let want: Vec<usize> = mem.rows.iter().map(|r| mem.int(r, "walktrap")).collect();
        let want_terms: Vec<usize> = mem.rows.iter().map(|r| mem.int(r, "term")).collect();
        // on R's exact weights, and on the weights computed here
        let ours = gene_sets(&ts)
            .edges(g.measure, g.threshold)
            .iter()
            .map(|e| (e.i, e.j, e.weight))
            .collect::<Vec<_>>();
        for (source, edges) in [("R weights", ref_edges(&g.name)), ("own weights", ours)] {
            let (graph, verts) = to_graph(&edges, ts.len());
            assert_eq!(verts, want_terms, "{}: vertices", g.name);
            assert_eq!(graph.n_vertices(), g.n_vertices);
            let wt = walktrap(&graph, 4).unwrap();
            let got: Vec<usize> = wt.membership.iter().map(|m| m + 1).collect();
            assert_eq!(
                got, want,
                "{} ({source}): walktrap membership differs from igraph",
                g.name
            );
            let q = wt.max_modularity();
            assert!(
                (q - g.walktrap_q).abs() <= 1e-10,
                "{} ({source}): Q {q} vs {}",
                g.name,
                g.walktrap_q
            );
            let q2 = modularity(&graph, &wt.membership);
            assert!(
                (q2 - g.walktrap_q_igraph).abs() <= 1e-10,
                "{}: {q2} vs {}",
                g.name,
                g.walktrap_q_igraph
            );
        }
        graphs += 1;
    }
    assert_eq!(graphs, 12);
}

#[test]
fn louvain_and_leiden_reach_igraph_modularity() {
    for g in summary() {
        let ts = terms(&g.case);
        let (graph, _) = to_graph(&ref_edges(&g.name), ts.len());
        let lv = modularity(&graph, &louvain::louvain(&graph, 1, 10));
        let ld = modularity(&graph, &louvain::leiden(&graph, 1, 10));
        println!(
            "{:<22} louvain {lv:.6} (igraph {:.6})  leiden {ld:.6} (igraph leiden {:.6})",
            g.name, g.louvain_q, g.leiden_q
        );
        assert!(
            lv >= g.louvain_q - 1e-12,
            "{}: louvain {lv} < igraph {}",
            g.name,
            g.louvain_q
        );
        assert!(
            ld >= g.louvain_q - 1e-12,
            "{}: leiden {ld} < igraph louvain {}",
            g.name,
            g.louvain_q
        );
    }
}

#[test]
fn outputs_do_not_depend_on_thread_count() {
    let ts = terms("bp150");
    let run = |threads: usize, method: npxkit_network::Method| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let p = Params {
                method,
                layout: Some(Default::default()),
                ..Params::default()
            };
            let net = cluster_terms(ts.clone(), None, p).unwrap();
            use npxkit_network::output::*;
            [
                clusters_tsv(&net),
                cluster_words_tsv(&net),
                network_json(&net),
                network_graphml(&net),
            ]
        })
    };
    for method in [
        npxkit_network::Method::Walktrap,
        npxkit_network::Method::Leiden,
    ] {
        let one = run(1, method);
        assert_eq!(one, run(3, method), "{method:?}");
        assert!(one[0].lines().count() == ts.len() + 1);
    }
}

#[test]
fn cluster_terms_uses_igraph_communities() {
    let ts = terms("bp400");
    let mem = Table::read("bp400_ari_0.25_membership.tsv");
    let net = cluster_terms(
        ts.clone(),
        None,
        Params {
            layout: None,
            ..Params::default()
        },
    )
    .unwrap();
    let summary = summary();
    let g = summary.iter().find(|g| g.name == "bp400_ari_0.25").unwrap();
    assert!((net.modularity - g.walktrap_q).abs() <= 1e-10);
    let mut linked = 0;
    for r in &mem.rows {
        let t = mem.int(r, "term");
        assert_eq!(net.nodes[t].community, Some(mem.int(r, "walktrap")));
        linked += 1;
    }
    assert_eq!(net.nodes.iter().filter(|n| !n.unlinked).count(), linked);
    assert_eq!(
        ts.len() - linked,
        2,
        "two unlinked GO terms, kept and flagged"
    );
    // clusters: communities of >= 2 terms, numbered 1.. in priority order
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    for r in &mem.rows {
        *sizes.entry(mem.int(r, "walktrap")).or_insert(0) += 1;
    }
    assert_eq!(
        net.clusters.len(),
        sizes.values().filter(|&&s| s >= 2).count()
    );
    for (k, c) in net.clusters.iter().enumerate() {
        assert_eq!(c.id, k + 1);
        assert!(!c.label.is_empty());
        assert!(c
            .members
            .iter()
            .all(|&t| net.nodes[t].cluster == Some(c.id)));
    }
}

/// Timing on 2,000 GO BP terms (run with `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn timing_2000_terms() {
    let ts = terms("bp2000");
    let g = summary()
        .into_iter()
        .find(|g| g.name == "bp2000_ari_0.25")
        .unwrap();
    let collection: Vec<String> = ts.iter().map(|t| t.name.clone()).collect();
    let start = std::time::Instant::now();
    let gs = gene_sets(&ts);
    let edges = gs.edges(Similarity::Ari, 0.25);
    let t_sim = start.elapsed();
    let (graph, _) = to_graph(
        &edges
            .iter()
            .map(|e| (e.i, e.j, e.weight))
            .collect::<Vec<_>>(),
        ts.len(),
    );
    let start = std::time::Instant::now();
    let wt = walktrap(&graph, 4).unwrap();
    let t_wt = start.elapsed();
    let start = std::time::Instant::now();
    let lv = louvain::louvain(&graph, 1, 10);
    let t_lv = start.elapsed();
    let start = std::time::Instant::now();
    let ld = louvain::leiden(&graph, 1, 10);
    let t_ld = start.elapsed();
    println!(
        "similarity {:.3} s, walktrap {:.3} s (Q {:.6}), louvain x10 {:.3} s, leiden x10 {:.3} s ({} / {} communities)",
        t_sim.as_secs_f64(),
        t_wt.as_secs_f64(),
        wt.max_modularity(),
        t_lv.as_secs_f64(),
        t_ld.as_secs_f64(),
        lv.iter().max().unwrap() + 1,
        ld.iter().max().unwrap() + 1
    );
    let start = std::time::Instant::now();
    let net = cluster_terms(
        ts.clone(),
        Some(&collection),
        Params {
            layout: None,
            ..Params::default()
        },
    )
    .unwrap();
    let t_cluster = start.elapsed();
    let start = std::time::Instant::now();
    let net2 = cluster_terms(ts, Some(&collection), Params::default()).unwrap();
    let t_all = start.elapsed();
    println!(
        "2000 terms, {} edges, {} clusters: similarity+graph+walktrap+labels {:.3} s; with layout {:.3} s; igraph walktrap alone {:.3} s",
        net.edges.len(),
        net.clusters.len(),
        t_cluster.as_secs_f64(),
        t_all.as_secs_f64(),
        g.walktrap_seconds
    );
    assert_eq!(net.edges.len(), g.n_edges);
    assert!((net.modularity - g.walktrap_q).abs() <= 1e-10);
    assert_eq!(net2.clusters.len(), net.clusters.len());
}
