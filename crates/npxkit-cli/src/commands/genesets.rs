//! `npxkit genesets`: what gene-set collections are built in, and what is in them.

use anyhow::Result;
use std::io::Write;

use crate::cli::{GenesetsAction, GenesetsArgs};
use crate::UsageError;
use npxkit_genesets::{builtin_info, builtins, write_gmt, GeneSetCollection};

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
    }
    out.flush()?;
    Ok(())
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
