//! `npxkit genesets`: what gene-set collections are built in, and what is in them.

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::path::Path;

use crate::cli::{GenesetsAction, GenesetsArgs, GoNamespaceArg};
use crate::UsageError;
use npxkit_genesets::{builtin_info, builtins, go, write_gmt, GeneSetCollection};

/// Runs `npxkit genesets`.
pub fn run(args: GenesetsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match args.action {
        GenesetsAction::List => {
            writeln!(out, "name\tversion\tsets\tdescription")?;
            for b in builtins() {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    b.name, b.version, b.n_sets, b.description
                )?;
            }
        }
        GenesetsAction::Show { name, set, gmt } => {
            let info = builtin_info(&name).ok_or_else(|| {
                let names: Vec<&str> = builtins().iter().map(|b| b.name).collect();
                UsageError(format!(
                    "no built-in gene-set collection `{name}`; choose one of {}",
                    names.join(", ")
                ))
            })?;
            let collection = info.load()?;
            match (set, gmt) {
                (_, true) => write_gmt(&collection, &mut out)?,
                (Some(id), false) => show_set(&collection, &id, &mut out)?,
                (None, false) => {
                    writeln!(out, "id\tsize\tname")?;
                    for s in collection.sets() {
                        writeln!(out, "{}\t{}\t{}", s.id(), s.len(), s.name())?;
                    }
                }
            }
        }
        GenesetsAction::BuildGo {
            obo,
            gaf,
            namespace,
            exclude_evidence,
            min_size,
            out: path,
        } => {
            let line = build_go(&obo, &gaf, namespace, exclude_evidence, min_size, &path)?;
            writeln!(out, "{line}")?;
        }
    }
    out.flush()?;
    Ok(())
}

/// `genesets build-go`: reads the OBO and the (possibly gzipped) GAF, writes the GMT.
fn build_go(
    obo: &Path,
    gaf: &Path,
    namespace: GoNamespaceArg,
    exclude_evidence: Vec<String>,
    min_size: usize,
    out: &Path,
) -> Result<String> {
    let read_text = |p: &Path| -> Result<String> {
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut s = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut s)
                .with_context(|| format!("{}: a damaged gzip file", p.display()))?;
            s
        } else {
            bytes
        };
        String::from_utf8(bytes).map_err(|_| {
            anyhow::anyhow!("{}: not UTF-8 text; is this the right file?", p.display())
        })
    };
    let onto = go::parse_obo(&read_text(obo)?, &obo.display().to_string())?;
    let annotations = go::parse_gaf(&read_text(gaf)?, &gaf.display().to_string())?;
    let ns = match namespace {
        GoNamespaceArg::Bp => go::Namespace::BiologicalProcess,
        GoNamespaceArg::Mf => go::Namespace::MolecularFunction,
        GoNamespaceArg::Cc => go::Namespace::CellularComponent,
    };
    let opts = go::BuildOptions {
        exclude_evidence,
        min_size,
    };
    let collection = go::build_go_sets(&onto, &annotations, ns, &opts, &obo.display().to_string())?;
    if collection.is_empty() {
        anyhow::bail!(
            "no GO {} set has an annotated gene: check that the GAF's GO ids are in the OBO",
            ns.short()
        );
    }
    npxkit_io::write_atomic(out, |w| write_gmt(&collection, w))
        .with_context(|| format!("writing {}", out.display()))?;
    Ok(format!(
        "build-go: {} GO {} sets from {} annotations (ontology {}) written to {}",
        collection.len(),
        ns.short(),
        annotations.len(),
        onto.version.as_deref().unwrap_or("version not stated"),
        out.display()
    ))
}

fn show_set(collection: &GeneSetCollection, id: &str, out: &mut dyn Write) -> Result<()> {
    let set = collection.get(id).ok_or_else(|| {
        UsageError(format!(
            "collection `{}` has no set `{id}`; `npxkit genesets show {}` lists them",
            collection.name(),
            collection.name()
        ))
    })?;
    for gene in set.genes() {
        writeln!(out, "{gene}")?;
    }
    Ok(())
}
