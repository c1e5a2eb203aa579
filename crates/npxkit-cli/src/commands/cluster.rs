//! `npxkit cluster`: enriched terms → overlap network → themes, as vissE does.
//!
//! The numerics are `npxkit-network`'s; this module selects the terms from an
//! enrichment.tsv, fetches their members from the gene-set collection, and writes the
//! four result files atomically. The statistic of a term (its node size, its weight in
//! the labels and the clusters' order) is −log10 P.Value, as vissE is used with ORA
//! results; a P.Value of 0 is capped at 1e-300.

use anyhow::{Context, Result};
use serde_json::json;
use std::path::Path;

use crate::cli::{AlgorithmArg, ClusterArgs, DirectionArg, MembersArg, SimilarityArg};
use crate::commands::ensure_out_dir;
use crate::commands::score::load_collection;
use crate::provenance::RunRecord;
use crate::UsageError;
use npxkit_network::{cluster_terms, output, Method, Params, Similarity, Term};

/// The collection used when neither --genesets nor a run.json names one.
const DEFAULT_COLLECTION: &str = "go-bp";

/// Runs `npxkit cluster`.
pub fn run(args: ClusterArgs) -> Result<()> {
    check_args(&args)?;
    ensure_out_dir(&args.out)?;
    let mut record = RunRecord::start("cluster", options_json(&args));
    let summary = execute(&args, &args.out, &mut record)?;
    record.finish(&args.out)?;
    println!("{summary}");
    Ok(())
}

fn check_args(args: &ClusterArgs) -> Result<()> {
    if !(args.fdr > 0.0 && args.fdr <= 1.0) {
        return Err(UsageError(format!("--fdr must be in (0, 1], got {}", args.fdr)).into());
    }
    if !args.min_similarity.is_finite() {
        return Err(UsageError("--min-similarity must be a number".into()).into());
    }
    if args.top == Some(0) {
        return Err(UsageError("--top must be at least 1".into()).into());
    }
    if let Some(g) = &args.genesets {
        crate::commands::score::check_collection_spec(g)?;
    }
    Ok(())
}

/// The options of `npxkit cluster` as recorded in `run.json`.
pub fn options_json(args: &ClusterArgs) -> serde_json::Value {
    json!({
        "genesets": args.genesets, "fdr": args.fdr, "top": args.top,
        "direction": format!("{:?}", args.direction).to_lowercase(),
        "members": format!("{:?}", args.members).to_lowercase(),
        "similarity": format!("{:?}", args.similarity).to_lowercase(),
        "min_similarity": args.min_similarity,
        "algorithm": format!("{:?}", args.algorithm).to_lowercase(),
        "min_cluster_size": args.min_cluster_size, "seed": args.seed,
        "statistic": "-log10(P.Value)",
    })
}

/// One selectable row of enrichment.tsv.
struct Row {
    id: String,
    name: String,
    direction: Option<String>,
    p: f64,
    adj: f64,
    genes: Vec<String>,
}

/// Clusters the enriched terms and writes clusters.tsv, cluster_words.tsv,
/// network.json and network.graphml into `out`; returns the summary line. Shared by
/// `npxkit cluster` and `npxkit run`.
pub fn execute(args: &ClusterArgs, out: &Path, record: &mut RunRecord) -> Result<String> {
    check_args(args)?;
    let bytes = std::fs::read(&args.enrichment)
        .with_context(|| format!("cannot read {}", args.enrichment.display()))?;
    record.input(&args.enrichment, &bytes);
    let rows = parse_enrichment(&String::from_utf8_lossy(&bytes), &args.enrichment)?;
    let spec = match &args.genesets {
        Some(g) => g.clone(),
        None => collection_from_run_json(&args.enrichment).unwrap_or_else(|| {
            log::warn!(
                "no --genesets and no run.json naming the collection next to {}: using {DEFAULT_COLLECTION}",
                args.enrichment.display()
            );
            DEFAULT_COLLECTION.to_string()
        }),
    };
    let collection = load_collection(&spec, record)?;

    let mut selected: Vec<&Row> = rows
        .iter()
        .filter(|r| r.adj <= args.fdr)
        .filter(|r| match args.direction {
            DirectionArg::Both => true,
            DirectionArg::Up => r.direction.as_deref() == Some("Up"),
            DirectionArg::Down => r.direction.as_deref() == Some("Down"),
        })
        .collect();
    // Terms stay in file order (walktrap, like igraph, depends on the vertex order);
    // --top keeps the N smallest P.Value among them.
    if let Some(n) = args.top {
        if selected.len() > n {
            let mut by_p: Vec<usize> = (0..selected.len()).collect();
            by_p.sort_by(|&a, &b| selected[a].p.total_cmp(&selected[b].p).then(a.cmp(&b)));
            let mut keep = vec![false; selected.len()];
            by_p[..n].iter().for_each(|&k| keep[k] = true);
            let mut k = 0;
            selected.retain(|_| {
                k += 1;
                keep[k - 1]
            });
        }
    }
    let mut terms = Vec::with_capacity(selected.len());
    for r in &selected {
        let members = match args.members {
            MembersArg::Measured => r.genes.clone(),
            MembersArg::All => collection
                .get(&r.id)
                .with_context(|| {
                    format!(
                        "{}: term {} is not in the collection `{spec}`; pass the collection the enrichment used with --genesets, or --members measured",
                        args.enrichment.display(),
                        r.id
                    )
                })?
                .genes()
                .to_vec(),
        };
        terms.push(Term {
            id: r.id.clone(),
            name: r.name.clone(),
            statistic: -(r.p.max(1e-300)).log10(),
            p_value: r.p,
            adj_p_value: r.adj,
            direction: r.direction.clone(),
            members,
        });
    }
    let names: Vec<String> = collection
        .sets()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    let params = Params {
        similarity: match args.similarity {
            SimilarityArg::Ari => Similarity::Ari,
            SimilarityArg::Jaccard => Similarity::Jaccard,
            SimilarityArg::Overlap => Similarity::Overlap,
        },
        min_similarity: args.min_similarity,
        method: match args.algorithm {
            AlgorithmArg::Walktrap => Method::Walktrap,
            AlgorithmArg::Louvain => Method::Louvain,
            AlgorithmArg::Leiden => Method::Leiden,
        },
        seed: args.seed,
        min_cluster_size: args.min_cluster_size,
        ..Params::default()
    };
    let n_terms = terms.len();
    let net = cluster_terms(terms, Some(&names), params).context("clustering the terms")?;
    for (name, text) in [
        ("clusters.tsv", output::clusters_tsv(&net)),
        ("cluster_words.tsv", output::cluster_words_tsv(&net)),
        ("network.json", output::network_json(&net)),
        ("network.graphml", output::network_graphml(&net)),
    ] {
        npxkit_io::write_atomic(&out.join(name), |w| w.write_all(text.as_bytes()))
            .with_context(|| format!("writing {name}"))?;
        record.output(name);
    }
    let unlinked = net.nodes.iter().filter(|n| n.unlinked).count();
    let top: Vec<String> = net
        .clusters
        .iter()
        .take(3)
        .map(|c| format!("{} ({} terms)", c.label, c.members.len()))
        .collect();
    Ok(format!(
        "cluster: {n_terms} of {} terms selected (adj.P.Val <= {}); {} edges, {} clusters, {unlinked} unlinked; modularity {:.4}{}{}",
        rows.len(),
        args.fdr,
        net.edges.len(),
        net.clusters.len(),
        net.modularity,
        if top.is_empty() { "" } else { "; top: " },
        top.join("; ")
    ))
}

/// The collection named by the run.json beside the enrichment table, if any.
fn collection_from_run_json(enrichment: &Path) -> Option<String> {
    let dir = enrichment.parent()?;
    let text = std::fs::read_to_string(dir.join("run.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let o = &v["options"];
    o["genesets"]
        .as_str()
        .or_else(|| o["enrich"]["genesets"].as_str())
        .map(String::from)
}

fn parse_enrichment(text: &str, path: &Path) -> Result<Vec<Row>> {
    let path = path.display();
    let mut lines = text.lines().enumerate();
    let (_, header) = lines
        .next()
        .ok_or_else(|| anyhow::anyhow!("{path}: empty file"))?;
    let cols: Vec<&str> = header.split('\t').collect();
    let col = |name: &str| {
        cols.iter().position(|c| *c == name).ok_or_else(|| {
            anyhow::anyhow!(
                "{path} line 1: no column `{name}` (found: {}); pass the enrichment.tsv of `npxkit enrich`",
                cols.join(", ")
            )
        })
    };
    let (id, name, p, adj) = (col("id")?, col("name")?, col("P.Value")?, col("adj.P.Val")?);
    let direction = cols.iter().position(|c| *c == "direction");
    let genes = cols.iter().position(|c| *c == "genes");
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != cols.len() {
            anyhow::bail!(
                "{path} line {}: {} fields where the header has {}",
                i + 1,
                f.len(),
                cols.len()
            );
        }
        let num = |j: usize, what: &str| -> Result<f64> {
            match f[j] {
                "NA" => Ok(f64::NAN),
                v => v.parse::<f64>().map_err(|_| {
                    anyhow::anyhow!("{path} line {}: {what} `{v}` is not a number", i + 1)
                }),
            }
        };
        rows.push(Row {
            id: f[id].to_string(),
            name: f[name].to_string(),
            direction: direction
                .map(|d| f[d].to_string())
                .filter(|d| d != "NA" && !d.is_empty()),
            p: num(p, "P.Value")?,
            adj: num(adj, "adj.P.Val")?,
            genes: genes.map_or_else(Vec::new, |g| {
                f[g].split(',')
                    .filter(|s| !s.is_empty() && *s != "NA")
                    .map(String::from)
                    .collect()
            }),
        });
    }
    Ok(rows)
}
