//! Clusters a term list written by `test-data/reference/cluster.R` and prints
//! the clusters with their labels and the time taken.
//!
//! ```sh
//! cargo run --release -p npxkit-network --example cluster_terms -- \
//!     test-data/reference/cluster/bp400_terms.tsv [GO_BP.gmt for the IDF] [OUT_DIR]
//! ```
//! With `OUT_DIR`, the four output files are written there.

use npxkit_network::{cluster_terms, Params, Term};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .expect("usage: cluster_terms TERMS.tsv [COLLECTION.gmt]");
    let text = std::fs::read_to_string(path).expect("read terms");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    let terms: Vec<Term> = lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Term {
                id: f[col("id")].into(),
                name: f[col("name")].into(),
                statistic: num(f[col("statistic")]),
                p_value: num(f[col("P.Value")]),
                adj_p_value: num(f[col("adj.P.Val")]),
                direction: Some(f[col("direction")].into()),
                members: f[col("members")].split(',').map(str::to_string).collect(),
            }
        })
        .collect();
    // names of the whole collection (second GMT column), for the IDF
    let collection: Option<Vec<String>> = args.get(2).map(|gmt| {
        std::fs::read_to_string(gmt)
            .expect("read collection")
            .lines()
            .filter_map(|l| l.split('\t').nth(1).map(str::to_string))
            .collect()
    });
    let n_terms = terms.len();
    let start = std::time::Instant::now();
    let net = cluster_terms(terms, collection.as_deref(), Params::default()).expect("cluster");
    let elapsed = start.elapsed();
    println!(
        "{n_terms} terms, {} edges, {} clusters, modularity {:.4}, {:.3} s",
        net.edges.len(),
        net.clusters.len(),
        net.modularity,
        elapsed.as_secs_f64()
    );
    if let Some(out) = args.get(3) {
        use npxkit_network::output::*;
        std::fs::create_dir_all(out).expect("out dir");
        for (name, text) in [
            ("clusters.tsv", clusters_tsv(&net)),
            ("cluster_words.tsv", cluster_words_tsv(&net)),
            ("network.json", network_json(&net)),
            ("network.graphml", network_graphml(&net)),
        ] {
            std::fs::write(std::path::Path::new(out).join(name), text).expect("write");
        }
    }
    for c in net.clusters.iter().take(15) {
        println!(
            "{:>3}  {:>3} terms  {:<45} {}",
            c.id,
            c.members.len(),
            c.label,
            net.terms[c.representative].name
        );
    }
}
