//! Renders a [`Network`] as the files of `npxkit cluster`. Each function
//! returns the whole file as a `String` so the caller can write it
//! atomically. Tables are tab-separated with `NA` for missing values and
//! numbers in shortest round-trip form; the output depends only on the
//! network, never on thread count or hash order.

use crate::{Network, Term};
use serde::Serialize;

/// Shortest round-trip text of a number, exponent form outside
/// [1e-5, 1e16), `NA` for NaN, `Inf`/`-Inf` as R writes them.
pub fn fmt_f64(x: f64) -> String {
    if x.is_nan() {
        "NA".to_string()
    } else if x == f64::INFINITY {
        "Inf".to_string()
    } else if x == f64::NEG_INFINITY {
        "-Inf".to_string()
    } else if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x}")
    } else {
        format!("{x:?}")
    }
}

fn text(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map_or_else(|| "NA".to_string(), |v| v.to_string())
}

fn r_bool(b: bool) -> &'static str {
    if b {
        "TRUE"
    } else {
        "FALSE"
    }
}

/// Row order of `clusters.tsv`: clustered terms by cluster id and
/// significance, then the others by significance (ties in input order).
fn row_order(net: &Network) -> Vec<usize> {
    let mut rows: Vec<usize> = net
        .clusters
        .iter()
        .flat_map(|c| c.members.iter().copied())
        .collect();
    let mut rest: Vec<usize> = (0..net.terms.len())
        .filter(|&t| net.nodes[t].cluster.is_none())
        .collect();
    rest.sort_by(|&a, &b| {
        let s = |t: &Term| {
            if t.statistic.is_nan() {
                f64::NEG_INFINITY
            } else {
                t.statistic
            }
        };
        s(&net.terms[b])
            .total_cmp(&s(&net.terms[a]))
            .then(a.cmp(&b))
    });
    rows.extend(rest);
    rows
}

/// `clusters.tsv`: one row per term with columns `id name cluster
/// cluster_label representative n_terms unlinked community direction
/// statistic P.Value adj.P.Val`. `representative` and `n_terms` describe the
/// term's cluster (the representative's name); `cluster`, `cluster_label`,
/// `representative` and `n_terms` are `NA` for unlinked and set-aside terms;
/// `community` is the algorithm's own label (`NA` if unlinked).
pub fn clusters_tsv(net: &Network) -> String {
    let mut out = String::from(
        "id\tname\tcluster\tcluster_label\trepresentative\tn_terms\tunlinked\tcommunity\tdirection\tstatistic\tP.Value\tadj.P.Val\n",
    );
    for t in row_order(net) {
        let term = &net.terms[t];
        let node = &net.nodes[t];
        let cl = node.cluster.map(|id| &net.clusters[id - 1]);
        let cells = [
            text(&term.id),
            text(&term.name),
            opt(node.cluster),
            cl.map_or_else(|| "NA".into(), |c| text(&c.label)),
            cl.map_or_else(|| "NA".into(), |c| text(&net.terms[c.representative].name)),
            opt(cl.map(|c| c.members.len())),
            r_bool(node.unlinked).to_string(),
            opt(node.community),
            term.direction.as_deref().map_or_else(|| "NA".into(), text),
            fmt_f64(term.statistic),
            fmt_f64(term.p_value),
            fmt_f64(term.adj_p_value),
        ];
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// `cluster_words.tsv`: `cluster word score rank`, every scored word of every
/// cluster, clusters in id order and words by rank (1 = top).
pub fn cluster_words_tsv(net: &Network) -> String {
    let mut out = String::from("cluster\tword\tscore\trank\n");
    for c in &net.clusters {
        for (r, w) in c.words.iter().enumerate() {
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                c.id,
                text(&w.word),
                fmt_f64(w.score),
                r + 1
            ));
        }
    }
    out
}

#[derive(Serialize)]
struct JsonNetwork<'a> {
    parameters: &'a crate::Params,
    n_terms: usize,
    n_genes: usize,
    n_edges: usize,
    n_clusters: usize,
    modularity: Option<f64>,
    clusters: Vec<JsonCluster<'a>>,
    nodes: Vec<JsonNode<'a>>,
    edges: Vec<JsonEdge<'a>>,
}

#[derive(Serialize)]
struct JsonCluster<'a> {
    id: usize,
    label: &'a str,
    representative: &'a str,
    representative_name: &'a str,
    n_terms: usize,
    median_abs_statistic: Option<f64>,
    members: Vec<&'a str>,
    words: Vec<JsonWord<'a>>,
}

#[derive(Serialize)]
struct JsonWord<'a> {
    word: &'a str,
    score: Option<f64>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    index: usize,
    id: &'a str,
    name: &'a str,
    cluster: Option<usize>,
    cluster_label: Option<&'a str>,
    community: Option<usize>,
    unlinked: bool,
    size: usize,
    direction: Option<&'a str>,
    statistic: Option<f64>,
    p_value: Option<f64>,
    adj_p_value: Option<f64>,
    x: Option<f64>,
    y: Option<f64>,
}

#[derive(Serialize)]
struct JsonEdge<'a> {
    source: usize,
    target: usize,
    source_id: &'a str,
    target_id: &'a str,
    weight: Option<f64>,
    overlap: usize,
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `network.json`: parameters, cluster summaries (label, representative,
/// members, word scores), nodes (with layout coordinates) and weighted
/// edges (by node index and term id). Non-finite numbers are `null`.
pub fn network_json(net: &Network) -> String {
    let doc = JsonNetwork {
        parameters: &net.params,
        n_terms: net.terms.len(),
        n_genes: net.n_genes,
        n_edges: net.edges.len(),
        n_clusters: net.clusters.len(),
        modularity: finite(net.modularity),
        clusters: net
            .clusters
            .iter()
            .map(|c| JsonCluster {
                id: c.id,
                label: &c.label,
                representative: &net.terms[c.representative].id,
                representative_name: &net.terms[c.representative].name,
                n_terms: c.members.len(),
                median_abs_statistic: finite(c.median_abs_statistic),
                members: c
                    .members
                    .iter()
                    .map(|&t| net.terms[t].id.as_str())
                    .collect(),
                words: c
                    .words
                    .iter()
                    .map(|w| JsonWord {
                        word: &w.word,
                        score: finite(w.score),
                    })
                    .collect(),
            })
            .collect(),
        nodes: net
            .terms
            .iter()
            .zip(&net.nodes)
            .enumerate()
            .map(|(i, (t, n))| JsonNode {
                index: i,
                id: &t.id,
                name: &t.name,
                cluster: n.cluster,
                cluster_label: n.cluster.map(|id| net.clusters[id - 1].label.as_str()),
                community: n.community,
                unlinked: n.unlinked,
                size: n.size,
                direction: t.direction.as_deref(),
                statistic: finite(t.statistic),
                p_value: finite(t.p_value),
                adj_p_value: finite(t.adj_p_value),
                x: finite(n.x),
                y: finite(n.y),
            })
            .collect(),
        edges: net
            .edges
            .iter()
            .map(|e| JsonEdge {
                source: e.i,
                target: e.j,
                source_id: &net.terms[e.i].id,
                target_id: &net.terms[e.j].id,
                weight: finite(e.weight),
                overlap: e.overlap,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("network serialises");
    s.push('\n');
    s
}

/// Escapes text for XML 1.0 content and attributes; drops characters XML
/// 1.0 cannot hold.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `network.graphml`: GraphML with typed keys (node: term_id, name, cluster,
/// cluster_label, community, unlinked, size, direction, statistic, p_value,
/// adj_p_value, x, y; edge: weight, overlap), readable by Cytoscape, Gephi
/// and igraph. Missing values are left out, as GraphML intends.
pub fn network_graphml(net: &Network) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    let node_keys = [
        ("term_id", "string"),
        ("name", "string"),
        ("cluster", "int"),
        ("cluster_label", "string"),
        ("community", "int"),
        ("unlinked", "boolean"),
        ("size", "int"),
        ("direction", "string"),
        ("statistic", "double"),
        ("p_value", "double"),
        ("adj_p_value", "double"),
        ("x", "double"),
        ("y", "double"),
    ];
    for (k, ty) in node_keys {
        s.push_str(&format!(
            "  <key id=\"{k}\" for=\"node\" attr.name=\"{k}\" attr.type=\"{ty}\"/>\n"
        ));
    }
    s.push_str("  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n");
    s.push_str("  <key id=\"overlap\" for=\"edge\" attr.name=\"overlap\" attr.type=\"int\"/>\n");
    s.push_str("  <graph id=\"terms\" edgedefault=\"undirected\">\n");
    let data = |s: &mut String, key: &str, v: String| {
        s.push_str(&format!(
            "      <data key=\"{key}\">{}</data>\n",
            xml_escape(&v)
        ));
    };
    let num = |s: &mut String, key: &str, v: f64| {
        if v.is_finite() {
            s.push_str(&format!(
                "      <data key=\"{key}\">{}</data>\n",
                fmt_f64(v)
            ));
        }
    };
    for (i, (t, n)) in net.terms.iter().zip(&net.nodes).enumerate() {
        s.push_str(&format!("    <node id=\"n{i}\">\n"));
        data(&mut s, "term_id", t.id.clone());
        data(&mut s, "name", t.name.clone());
        if let Some(c) = n.cluster {
            data(&mut s, "cluster", c.to_string());
            data(&mut s, "cluster_label", net.clusters[c - 1].label.clone());
        }
        if let Some(c) = n.community {
            data(&mut s, "community", c.to_string());
        }
        data(&mut s, "unlinked", n.unlinked.to_string());
        data(&mut s, "size", n.size.to_string());
        if let Some(d) = &t.direction {
            data(&mut s, "direction", d.clone());
        }
        num(&mut s, "statistic", t.statistic);
        num(&mut s, "p_value", t.p_value);
        num(&mut s, "adj_p_value", t.adj_p_value);
        num(&mut s, "x", n.x);
        num(&mut s, "y", n.y);
        s.push_str("    </node>\n");
    }
    for (k, e) in net.edges.iter().enumerate() {
        s.push_str(&format!(
            "    <edge id=\"e{k}\" source=\"n{}\" target=\"n{}\">\n",
            e.i, e.j
        ));
        num(&mut s, "weight", e.weight);
        data(&mut s, "overlap", e.overlap.to_string());
        s.push_str("    </edge>\n");
    }
    s.push_str("  </graph>\n</graphml>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cluster_terms, Params, Term};

    fn net() -> Network {
        let set =
            |p: &str, a: usize, b: usize| (a..b).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        let t = |id: &str, name: &str, stat: f64, members: Vec<String>| Term {
            id: id.into(),
            name: name.into(),
            statistic: stat,
            p_value: 10f64.powf(-stat),
            adj_p_value: f64::NAN,
            direction: Some("Up".into()),
            members,
        };
        cluster_terms(
            vec![
                t("GO:1", "a <b> & \"c\"\ttab", 3.0, set("A", 0, 10)),
                t("GO:2", "angiogenesis", 2.0, set("A", 1, 10)),
                t("GO:3", "lonely", 12.5, set("B", 0, 3)),
                t("GO:4", "other", 0.5, set("C", 0, 40)),
            ],
            None,
            // Jaccard: under ARI a set covering most of this tiny universe
            // would be "similar" to the disjoint ones (see `similarity`)
            Params {
                similarity: crate::Similarity::Jaccard,
                ..Params::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn tables_have_expected_shape() {
        let n = net();
        let tsv = clusters_tsv(&n);
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(lines.len(), 5, "{tsv}");
        assert!(lines.iter().all(|l| l.split('\t').count() == 12));
        assert!(lines[1].starts_with("GO:1\ta <b> & \"c\" tab\t1\t"));
        assert!(
            lines[3].starts_with("GO:3\tlonely\tNA\tNA\tNA\tNA\tTRUE\tNA\tUp\t12.5\t"),
            "{tsv}"
        );
        assert!(lines[3].ends_with("\tNA"));
        let words = cluster_words_tsv(&n);
        assert!(words.starts_with("cluster\tword\tscore\trank\n1\t"));
        let json: serde_json::Value = serde_json::from_str(&network_json(&n)).unwrap();
        assert_eq!(json["nodes"].as_array().unwrap().len(), 4);
        assert_eq!(json["edges"][0]["source_id"], "GO:1");
        assert_eq!(json["nodes"][2]["unlinked"], true);
        assert!(json["nodes"][0]["adj_p_value"].is_null());
        assert!(json["nodes"][0]["x"].is_number());
        let g = network_graphml(&n);
        assert!(g.contains("a &lt;b&gt; &amp; &quot;c&quot;\ttab"));
        assert_eq!(g.matches("<node ").count(), 4);
        assert_eq!(g.matches("<edge ").count(), 1);
        assert_eq!(fmt_f64(1e-300), "1e-300");
        assert_eq!(fmt_f64(0.25), "0.25");
        assert_eq!(fmt_f64(3.0), "3");
    }
}
