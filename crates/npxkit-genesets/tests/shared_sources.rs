//! Fixture tests against the uncompressed source files in
//! `../shared/data/genesets/` (see `data/README.md`). Each test reads the
//! real file it names and skips, with a printed reason, when it is absent.

use std::path::PathBuf;

use npxkit_genesets::{builtins, parse_aliases, parse_gmt_bytes, SymbolAliases};

fn source(file: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/genesets")
        .join(file);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) => {
            eprintln!("skipped: cannot read {} ({e})", path.display());
            None
        }
    }
}

/// Each built-in collection equals its source GMT parsed directly.
#[test]
fn builtins_equal_their_source_files() {
    for b in builtins() {
        let Some(bytes) = source(b.file) else {
            continue;
        };
        let direct = parse_gmt_bytes(&bytes, b.name).unwrap();
        let embedded = b.load().unwrap();
        assert_eq!(direct.sets(), embedded.sets(), "{}", b.name);
    }
}

/// The built-in alias table knows every alias of the source table.
#[test]
fn builtin_aliases_equal_source_file() {
    let Some(bytes) = source("symbol_aliases_orghs3.16.tsv") else {
        return;
    };
    let direct = parse_aliases(std::str::from_utf8(&bytes).unwrap(), "src").unwrap();
    let embedded = SymbolAliases::builtin().unwrap();
    assert_eq!(direct.n_aliases(), embedded.n_aliases());
    assert_eq!(direct.n_aliases(), 67_615);
}
