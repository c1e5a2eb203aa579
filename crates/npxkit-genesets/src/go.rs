//! GO gene sets built from the GO Consortium's own files: the ontology (`go-basic.obo`
//! or `go.obo`) and a GO annotation file (`goa_human.gaf`, GAF 2.x).
//!
//! The rules are those of GO.db / org.Hs.eg.db's `GO2ALLEGS` (how the embedded
//! `go-bp`/`go-mf`/`go-cc` were made), so a fresh build is comparable to them:
//! - **true-path rule**: a gene annotated to a term belongs to every ancestor of that
//!   term within the same namespace, following `is_a` and `part_of` edges;
//! - annotations with a `NOT` qualifier are dropped;
//! - optional evidence filter (`exclude`, e.g. IEA for manually reviewed annotations
//!   only);
//! - obsolete terms are skipped; annotations to an `alt_id` count for its primary term;
//! - genes are the GAF's `DB_Object_Symbol` (column 3), sorted; sets are ordered by id;
//!   a term with no gene is not written.
//!
//! Parsers take text; reading and decompressing files is the caller's job.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::collection::{GeneSet, GeneSetCollection};

/// A GO namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Namespace {
    /// biological_process (GAF aspect P).
    BiologicalProcess,
    /// molecular_function (GAF aspect F).
    MolecularFunction,
    /// cellular_component (GAF aspect C).
    CellularComponent,
}

impl Namespace {
    fn from_obo(s: &str) -> Option<Namespace> {
        match s.trim() {
            "biological_process" => Some(Namespace::BiologicalProcess),
            "molecular_function" => Some(Namespace::MolecularFunction),
            "cellular_component" => Some(Namespace::CellularComponent),
            _ => None,
        }
    }

    /// Short name as in `go-bp`.
    pub fn short(self) -> &'static str {
        match self {
            Namespace::BiologicalProcess => "bp",
            Namespace::MolecularFunction => "mf",
            Namespace::CellularComponent => "cc",
        }
    }
}

/// Errors of the OBO and GAF readers.
#[derive(Debug, thiserror::Error)]
pub enum GoError {
    /// A malformed line.
    #[error("{origin} line {line}: {message}")]
    Format {
        /// The input's name.
        origin: String,
        /// 1-based line.
        line: usize,
        /// What is wrong and what to do.
        message: String,
    },
    /// The ontology has no term of the namespace.
    #[error("{origin}: no {namespace} term; is this a GO OBO file (go-basic.obo)?")]
    NoTerms {
        /// The input's name.
        origin: String,
        /// The namespace asked for.
        namespace: &'static str,
    },
}

/// One ontology term.
#[derive(Debug, Clone)]
pub struct Term {
    /// `GO:0006955`.
    pub id: String,
    /// `immune response`.
    pub name: String,
    /// Its namespace.
    pub namespace: Namespace,
    /// Parents by `is_a` and `part_of`.
    pub parents: Vec<String>,
    /// `is_obsolete: true`.
    pub obsolete: bool,
}

/// The ontology: terms by id, and alternative ids to primary ids.
#[derive(Debug, Default)]
pub struct Ontology {
    /// Terms by id.
    pub terms: HashMap<String, Term>,
    /// `alt_id` → primary id.
    pub alt: HashMap<String, String>,
    /// `data-version:` of the header, if any.
    pub version: Option<String>,
}

/// Reads an OBO 1.2/1.4 file: `[Term]` stanzas with `id`, `name`, `namespace`,
/// `is_a`, `relationship: part_of`, `alt_id`, `is_obsolete`. Other stanzas and tags are
/// skipped.
pub fn parse_obo(text: &str, origin: &str) -> Result<Ontology, GoError> {
    let mut onto = Ontology::default();
    let mut current: Option<(usize, Vec<(String, String)>)> = None;
    let mut in_term = false;
    let flush = |stanza: Option<(usize, Vec<(String, String)>)>,
                 onto: &mut Ontology|
     -> Result<(), GoError> {
        let Some((line, tags)) = stanza else {
            return Ok(());
        };
        let get = |k: &str| tags.iter().find(|(t, _)| t == k).map(|(_, v)| v.clone());
        let id = get("id").ok_or_else(|| GoError::Format {
            origin: origin.into(),
            line,
            message: "a [Term] without an id".into(),
        })?;
        let Some(namespace) = get("namespace").and_then(|n| Namespace::from_obo(&n)) else {
            return Ok(()); // terms of other ontologies in the same file
        };
        let mut parents = Vec::new();
        for (t, v) in &tags {
            let value = v.split('!').next().unwrap_or("").trim();
            if t == "is_a" {
                parents.push(value.split_whitespace().next().unwrap_or("").to_string());
            } else if t == "relationship" {
                let mut w = value.split_whitespace();
                if w.next() == Some("part_of") {
                    if let Some(p) = w.next() {
                        parents.push(p.to_string());
                    }
                }
            } else if t == "alt_id" {
                onto.alt.insert(value.to_string(), id.clone());
            }
        }
        onto.terms.insert(
            id.clone(),
            Term {
                name: get("name").unwrap_or_default(),
                obsolete: get("is_obsolete").is_some_and(|v| v.trim() == "true"),
                id,
                namespace,
                parents,
            },
        );
        Ok(())
    };
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.starts_with('[') {
            flush(current.take(), &mut onto)?;
            in_term = line == "[Term]";
            if in_term {
                current = Some((i + 1, Vec::new()));
            }
            continue;
        }
        if line.is_empty() || line.starts_with('!') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(GoError::Format {
                origin: origin.into(),
                line: i + 1,
                message: format!("`{line}` is not a `tag: value` line; is this an OBO file?"),
            });
        };
        if !in_term {
            if tag == "data-version" {
                onto.version = Some(value.trim().to_string());
            }
            continue;
        }
        if let Some((_, tags)) = current.as_mut() {
            tags.push((tag.trim().to_string(), value.trim().to_string()));
        }
    }
    flush(current.take(), &mut onto)?;
    Ok(onto)
}

/// One usable annotation of a GAF file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Gene symbol (column 3).
    pub symbol: String,
    /// GO id (column 5).
    pub go_id: String,
    /// Evidence code (column 7).
    pub evidence: String,
}

/// Reads a GAF 2.x file: comment lines start with `!`; annotations with a `NOT`
/// qualifier (column 4) are dropped.
pub fn parse_gaf(text: &str, origin: &str) -> Result<Vec<Annotation>, GoError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('!') {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 15 {
            return Err(GoError::Format {
                origin: origin.into(),
                line: i + 1,
                message: format!(
                    "{} tab-separated columns where GAF 2.x has 15 (or 17); is this a GAF file (goa_human.gaf)?",
                    f.len()
                ),
            });
        }
        if f[3].split('|').any(|q| q.eq_ignore_ascii_case("NOT")) {
            continue;
        }
        if !f[4].starts_with("GO:") {
            return Err(GoError::Format {
                origin: origin.into(),
                line: i + 1,
                message: format!("column 5 is `{}`, not a GO id", f[4]),
            });
        }
        out.push(Annotation {
            symbol: f[2].to_string(),
            go_id: f[4].to_string(),
            evidence: f[6].to_string(),
        });
    }
    Ok(out)
}

/// How [`build_go_sets`] filters.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Evidence codes to drop (e.g. `IEA`).
    pub exclude_evidence: Vec<String>,
    /// Smallest set written (after propagation).
    pub min_size: usize,
}

/// The sets of one namespace, by the true-path rule.
pub fn build_go_sets(
    onto: &Ontology,
    annotations: &[Annotation],
    namespace: Namespace,
    opts: &BuildOptions,
    origin: &str,
) -> Result<GeneSetCollection, GoError> {
    let in_ns = |id: &str| {
        onto.terms
            .get(id)
            .is_some_and(|t| t.namespace == namespace && !t.obsolete)
    };
    if !onto.terms.values().any(|t| t.namespace == namespace) {
        return Err(GoError::NoTerms {
            origin: origin.into(),
            namespace: match namespace {
                Namespace::BiologicalProcess => "biological_process",
                Namespace::MolecularFunction => "molecular_function",
                Namespace::CellularComponent => "cellular_component",
            },
        });
    }
    // Ancestors (self included) of every term, memoised.
    let mut ancestors: HashMap<String, BTreeSet<String>> = HashMap::new();
    fn walk(
        id: &str,
        onto: &Ontology,
        ns: Namespace,
        memo: &mut HashMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
    ) -> BTreeSet<String> {
        if let Some(a) = memo.get(id) {
            return a.clone();
        }
        let mut out = BTreeSet::new();
        out.insert(id.to_string());
        if stack.iter().any(|s| s == id) {
            return out; // a cycle (never in GO); stop rather than loop
        }
        stack.push(id.to_string());
        if let Some(t) = onto.terms.get(id) {
            for p in &t.parents {
                let same_ns = onto
                    .terms
                    .get(p)
                    .is_some_and(|pt| pt.namespace == ns && !pt.obsolete);
                if same_ns {
                    out.extend(walk(p, onto, ns, memo, stack));
                }
            }
        }
        stack.pop();
        memo.insert(id.to_string(), out.clone());
        out
    }
    let mut genes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in annotations {
        if opts.exclude_evidence.iter().any(|e| e == &a.evidence) || a.symbol.is_empty() {
            continue;
        }
        let id = onto.alt.get(&a.go_id).unwrap_or(&a.go_id);
        if !in_ns(id) {
            continue;
        }
        for anc in walk(id, onto, namespace, &mut ancestors, &mut Vec::new()) {
            genes.entry(anc).or_default().insert(a.symbol.clone());
        }
    }
    let mut sets = Vec::new();
    for (id, g) in genes {
        if g.len() < opts.min_size.max(1) {
            continue;
        }
        let name = onto.terms.get(&id).map_or("", |t| t.name.as_str());
        let set = GeneSet::new(id.clone(), name, g).map_err(|e| GoError::Format {
            origin: origin.into(),
            line: 0,
            message: e.to_string(),
        })?;
        sets.push(set);
    }
    let version = onto.version.clone();
    GeneSetCollection::new(
        format!("go-{}", namespace.short()),
        version,
        format!(
            "built by npxkit genesets build-go from {origin} (true-path over is_a and part_of; NOT dropped{})",
            if opts.exclude_evidence.is_empty() {
                String::new()
            } else {
                format!("; evidence {} excluded", opts.exclude_evidence.join(","))
            }
        ),
        sets,
    )
    .map_err(|e| GoError::Format {
        origin: origin.into(),
        line: 0,
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OBO: &str = "format-version: 1.2\ndata-version: releases/2026-10-01\n\n\
[Term]\nid: GO:0000001\nname: root process\nnamespace: biological_process\n\n\
[Term]\nid: GO:0000002\nname: child process\nnamespace: biological_process\nis_a: GO:0000001 ! root process\nalt_id: GO:0000099\n\n\
[Term]\nid: GO:0000003\nname: part of child\nnamespace: biological_process\nrelationship: part_of GO:0000002 ! child process\n\n\
[Term]\nid: GO:0000004\nname: old process\nnamespace: biological_process\nis_obsolete: true\n\n\
[Term]\nid: GO:0000005\nname: a function\nnamespace: molecular_function\n\n\
[Term]\nid: GO:0000006\nname: regulates child\nnamespace: biological_process\nrelationship: regulates GO:0000002\n\n\
[Typedef]\nid: part_of\nname: part of\n";

    fn gaf_line(symbol: &str, qualifier: &str, go: &str, evidence: &str) -> String {
        let mut f = vec![""; 17];
        f[0] = "UniProtKB";
        f[1] = "P00001";
        f[2] = symbol;
        f[3] = qualifier;
        f[4] = go;
        f[5] = "PMID:1";
        f[6] = evidence;
        f[8] = "P";
        f[11] = "protein";
        f[12] = "taxon:9606";
        f[13] = "20200101";
        f[14] = "UniProt";
        f.join("\t")
    }

    #[test]
    fn true_path_not_evidence_alt_and_obsolete() {
        let onto = parse_obo(OBO, "test.obo").unwrap();
        let gaf = [
            "!gaf-version: 2.2".to_string(),
            gaf_line("A", "involved_in", "GO:0000003", "IDA"),
            gaf_line("B", "NOT|involved_in", "GO:0000002", "IDA"),
            gaf_line("C", "involved_in", "GO:0000099", "IEA"),
            gaf_line("D", "involved_in", "GO:0000004", "IDA"),
            gaf_line("E", "involved_in", "GO:0000006", "IMP"),
        ]
        .join("\n");
        let ann = parse_gaf(&gaf, "test.gaf").unwrap();
        assert_eq!(ann.len(), 4, "the NOT annotation is dropped");
        let c = build_go_sets(
            &onto,
            &ann,
            Namespace::BiologicalProcess,
            &BuildOptions::default(),
            "t",
        )
        .unwrap();
        let genes = |id: &str| c.get(id).map(|s| s.genes().to_vec()).unwrap_or_default();
        // A via part_of to 2 and is_a to 1; C via alt_id to 2 and 1; E only its own term
        // (regulates is not propagated); D's term is obsolete.
        assert_eq!(genes("GO:0000003"), ["A"]);
        assert_eq!(genes("GO:0000002"), ["A", "C"]);
        assert_eq!(genes("GO:0000001"), ["A", "C"]);
        assert_eq!(genes("GO:0000006"), ["E"]);
        assert!(c.get("GO:0000004").is_none());
        assert_eq!(c.version(), Some("releases/2026-10-01"));
        let no_iea = BuildOptions {
            exclude_evidence: vec!["IEA".into()],
            min_size: 1,
        };
        let c = build_go_sets(&onto, &ann, Namespace::BiologicalProcess, &no_iea, "t").unwrap();
        assert_eq!(c.get("GO:0000002").unwrap().genes(), ["A"]);
        let mf = build_go_sets(&onto, &ann, Namespace::MolecularFunction, &no_iea, "t").unwrap();
        assert_eq!(mf.len(), 0);
    }

    #[test]
    fn format_errors_name_the_line() {
        let e = parse_gaf("!c\nA\tB\tC\n", "x.gaf").unwrap_err().to_string();
        assert!(e.contains("x.gaf line 2") && e.contains("GAF"), "{e}");
        let e = parse_obo("[Term]\nnot a tag line\n", "x.obo")
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.obo line 2"), "{e}");
        let onto = parse_obo("format-version: 1.2\n", "y.obo").unwrap();
        let e = build_go_sets(
            &onto,
            &[],
            Namespace::BiologicalProcess,
            &BuildOptions::default(),
            "y.obo",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no biological_process term"), "{e}");
    }
}
