//! Optional mapping of old gene symbols to current ones (e.g. `INDO` → `IDO1`).
//!
//! Gene sets published years ago use the symbols of their day: the Bindea
//! 2013 sets have `INDO`, `GPR44`, `KIAA0125`…, while Olink assays carry
//! current HGNC symbols (`IDO1`, `PTGDR2`…). Without mapping, such genes
//! never match an assay. Alias use is **explicit**: nothing in this crate
//! renames a symbol unless the caller calls
//! [`SymbolAliases::resolve_collection`] (the CLI exposes it as an option),
//! and every rename is reported.
//!
//! # The rule
//! For each gene of each set, in order:
//! 1. a symbol that is *protected* (given by the caller: pass the measured
//!    genes, [`crate::AssayGeneMap::genes`]) or *current* (in the table's
//!    `symbol` column, or in the list of current symbols added with
//!    [`SymbolAliases::with_current_symbols`]) is kept as it is;
//! 2. otherwise, an alias of exactly one current symbol is replaced by it;
//! 3. an alias of several symbols (`IL8RA` → CXCR1, CXCR2) is kept and
//!    reported as ambiguous; an unknown symbol is kept silently.
//!
//! A renamed gene that is already in the set is dropped (first occurrence
//! kept). Step 1 matters: the table leaves out `alias = symbol` rows, so a
//! current symbol that is also some other gene's old alias would otherwise
//! be moved to that other gene; the built-in table therefore also knows the
//! protein-coding symbols of org.Hs.eg.db 3.16.
//!
//! # Source
//! [`SymbolAliases::builtin`]: Bioconductor org.Hs.eg.db 3.16.0 (Debian 12),
//! `ALIAS2EG` joined to `SYMBOL`, 72,443 rows (alias ≠ symbol); plus the
//! 20,598 protein-coding symbols (`GENETYPE == "protein-coding"`) as current
//! symbols. Format (read by [`parse_aliases`]): a header `alias<TAB>symbol`,
//! then one `alias<TAB>symbol` row per pair; an alias may have several rows.

use std::collections::{HashMap, HashSet};

use crate::builtin::decompress;
use crate::gmt::{check_text, lines};
use crate::{GeneSetCollection, GeneSetError};

const ALIASES: &[u8] = include_bytes!("../data/symbol_aliases_orghs3.16.tsv.zst");
const PROTEIN_CODING: &[u8] = include_bytes!("../data/protein_coding_symbols.txt.zst");

/// Version of the built-in alias table.
pub const BUILTIN_ALIASES_VERSION: &str = "org.Hs.eg.db 3.16.0";
/// SHA-256 of `symbol_aliases_orghs3.16.tsv`, the built-in alias table.
pub const BUILTIN_ALIASES_SHA256: &str =
    "2984ab7145a1229c2f1fdffa8d7ad56ed33b6925fd25e610d4dd07a02cbfa71c";
/// SHA-256 of `protein_coding_symbols.txt`, the built-in current symbols.
pub const BUILTIN_PROTEIN_CODING_SHA256: &str =
    "21aedcdab0d137323e5e6a03ea15555688d6470133a9d8c838e080fc468e1424";

/// An alias table: old or alternative symbols → current symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolAliases {
    name: String,
    version: Option<String>,
    to_current: HashMap<String, Vec<String>>,
    current: HashSet<String>,
}

/// What [`SymbolAliases::resolve`] makes of one symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution<'a> {
    /// A current or protected symbol: kept.
    Current,
    /// An alias of exactly one current symbol: replaced by it.
    Renamed(&'a str),
    /// An alias of several current symbols (sorted): kept.
    Ambiguous(&'a [String]),
    /// Not in the table: kept.
    Unknown,
}

/// One symbol replaced in one set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasChange {
    /// The set id.
    pub set_id: String,
    /// The symbol as it was.
    pub from: String,
    /// The current symbol it became.
    pub to: String,
}

/// One symbol left as it was because it is an alias of several genes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmbiguousAlias {
    /// The set id.
    pub set_id: String,
    /// The symbol.
    pub symbol: String,
    /// The current symbols it may stand for, sorted.
    pub candidates: Vec<String>,
}

/// The result of [`SymbolAliases::resolve_collection`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasedCollection {
    /// The collection with symbols replaced; name kept, version and source
    /// extended with the alias table's.
    pub collection: GeneSetCollection,
    /// Every replacement, in set then gene order.
    pub renamed: Vec<AliasChange>,
    /// Every ambiguous alias left as it was, in set then gene order.
    pub ambiguous: Vec<AmbiguousAlias>,
}

/// Parses an alias table (`alias<TAB>symbol` header, then rows).
///
/// Tolerates CRLF or CR line ends, a byte-order mark, blank lines and
/// repeated rows. An alias equal to its symbol is ignored.
///
/// # Errors
/// [`GeneSetError::AliasHeader`] for another header,
/// [`GeneSetError::AliasFields`] for a row without exactly two non-empty
/// fields, [`GeneSetError::Empty`] for an empty input.
pub fn parse_aliases(text: &str, origin: &str) -> Result<SymbolAliases, GeneSetError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut it = lines(text)
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = it.next() else {
        return Err(GeneSetError::Empty {
            origin: origin.to_owned(),
        });
    };
    let cols: Vec<&str> = header.split('\t').map(str::trim).collect();
    if cols != ["alias", "symbol"] {
        return Err(GeneSetError::AliasHeader {
            origin: origin.to_owned(),
            found: header.escape_debug().to_string(),
        });
    }
    let mut to_current: HashMap<String, Vec<String>> = HashMap::new();
    let mut current = HashSet::new();
    for (i, raw) in it {
        let fields: Vec<&str> = raw.split('\t').map(str::trim).collect();
        if fields.len() != 2 || fields.iter().any(|f| f.is_empty()) {
            return Err(GeneSetError::AliasFields {
                origin: origin.to_owned(),
                line: i + 1,
                found: fields.iter().filter(|f| !f.is_empty()).count(),
            });
        }
        let (alias, symbol) = (fields[0], fields[1]);
        current.insert(symbol.to_owned());
        if alias != symbol {
            to_current
                .entry(alias.to_owned())
                .or_default()
                .push(symbol.to_owned());
        }
    }
    for targets in to_current.values_mut() {
        targets.sort_unstable();
        targets.dedup();
    }
    Ok(SymbolAliases {
        name: origin.to_owned(),
        version: None,
        to_current,
        current,
    })
}

impl SymbolAliases {
    /// The embedded human alias table of org.Hs.eg.db 3.16.0, with its
    /// protein-coding symbols also known as current (see the module docs).
    /// Decompresses and parses on each call (about 50 ms in debug builds).
    ///
    /// # Errors
    /// [`GeneSetError::CorruptBuiltin`] if the embedded data do not decode.
    ///
    /// ```
    /// use npxkit_genesets::{Resolution, SymbolAliases};
    /// let a = SymbolAliases::builtin().unwrap();
    /// assert_eq!(a.resolve("INDO", &[]), Resolution::Renamed("IDO1"));
    /// assert_eq!(a.resolve("IDO1", &[]), Resolution::Current);
    /// ```
    pub fn builtin() -> Result<Self, GeneSetError> {
        let corrupt = |e: GeneSetError| GeneSetError::CorruptBuiltin {
            name: "symbol_aliases_orghs3.16.tsv".into(),
            reason: e.to_string(),
        };
        let table = decompress("symbol_aliases_orghs3.16.tsv", ALIASES)?;
        let table = check_text(&table, "symbol_aliases_orghs3.16.tsv").map_err(corrupt)?;
        let aliases = parse_aliases(table, "org.Hs.eg.db aliases").map_err(corrupt)?;
        let coding = decompress("protein_coding_symbols.txt", PROTEIN_CODING)?;
        let coding = check_text(&coding, "protein_coding_symbols.txt").map_err(corrupt)?;
        let mut aliases = aliases.with_current_symbols(lines(coding).map(str::trim));
        aliases.version = Some(BUILTIN_ALIASES_VERSION.to_owned());
        Ok(aliases)
    }

    /// Adds symbols known to be current (e.g. a list of official symbols),
    /// so that they are never renamed. Empty strings are ignored.
    pub fn with_current_symbols<'a>(mut self, symbols: impl IntoIterator<Item = &'a str>) -> Self {
        self.current.extend(
            symbols
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        self
    }

    /// The table's name (the origin given to [`parse_aliases`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version, for the built-in table `org.Hs.eg.db 3.16.0`.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Number of distinct aliases.
    pub fn n_aliases(&self) -> usize {
        self.to_current.len()
    }

    /// Whether `symbol` is known as current.
    pub fn is_current(&self, symbol: &str) -> bool {
        self.current.contains(symbol)
    }

    /// Applies the rule of the module docs to one symbol. `protected`
    /// symbols (e.g. the measured genes) are never renamed.
    pub fn resolve<'a>(&'a self, symbol: &str, protected: &[&str]) -> Resolution<'a> {
        if self.current.contains(symbol) || protected.contains(&symbol) {
            return Resolution::Current;
        }
        self.resolve_unprotected(symbol)
    }

    fn resolve_unprotected(&self, symbol: &str) -> Resolution<'_> {
        if self.current.contains(symbol) {
            return Resolution::Current;
        }
        match self.to_current.get(symbol).map(Vec::as_slice) {
            Some([one]) => Resolution::Renamed(one),
            Some(many) if many.len() > 1 => Resolution::Ambiguous(many),
            _ => Resolution::Unknown,
        }
    }

    /// Maps every gene of every set to its current symbol by the rule of the
    /// module docs, reporting each rename and each ambiguous alias.
    /// `protected` symbols are never renamed: pass the measured genes
    /// ([`crate::AssayGeneMap::genes`]).
    ///
    /// The result keeps the collection's name and set order; its version
    /// becomes `<version> + aliases <table version>`.
    pub fn resolve_collection(
        &self,
        collection: &GeneSetCollection,
        protected: &[&str],
    ) -> AliasedCollection {
        let protected: HashSet<&str> = protected.iter().copied().collect();
        let mut out = collection.clone();
        let (mut renamed, mut ambiguous) = (Vec::new(), Vec::new());
        for set in out.sets_mut() {
            let set_id = set.id().to_owned();
            let mut changed = false;
            for gene in set.genes_mut().iter_mut() {
                if protected.contains(gene.as_str()) {
                    continue;
                }
                match self.resolve_unprotected(gene) {
                    Resolution::Renamed(to) => {
                        renamed.push(AliasChange {
                            set_id: set_id.clone(),
                            from: std::mem::replace(gene, to.to_owned()),
                            to: to.to_owned(),
                        });
                        changed = true;
                    }
                    Resolution::Ambiguous(c) => ambiguous.push(AmbiguousAlias {
                        set_id: set_id.clone(),
                        symbol: gene.clone(),
                        candidates: c.to_vec(),
                    }),
                    Resolution::Current | Resolution::Unknown => {}
                }
            }
            if changed {
                set.dedupe_genes();
            }
        }
        let table = self.version().unwrap_or(&self.name);
        let version = Some(match collection.version() {
            Some(v) => format!("{v} + aliases {table}"),
            None => format!("aliases {table}"),
        });
        let source = format!(
            "{}; old symbols mapped to current ones with the alias table {} ({} renamed, {} ambiguous left)",
            collection.source(),
            table,
            renamed.len(),
            ambiguous.len()
        );
        AliasedCollection {
            collection: out.with_provenance(version, source),
            renamed,
            ambiguous,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_gmt;
    use sha2::{Digest, Sha256};

    const TABLE: &str = "alias\tsymbol\r\nINDO\tIDO1\r\nIL8RA\tCXCR1\r\nIL8RA\tCXCR2\r\nIL8RB\tCXCR2\r\nOLD\tNEW\r\nNEW\tOTHER\r\n\r\nIDO1\tIDO1\r\n";

    #[test]
    fn test_parse_aliases() {
        let a = parse_aliases(TABLE, "t.tsv").unwrap();
        assert_eq!(a.n_aliases(), 5);
        assert!(a.is_current("IDO1") && a.is_current("CXCR2") && !a.is_current("INDO"));
        assert_eq!(a.resolve("INDO", &[]), Resolution::Renamed("IDO1"));
        assert_eq!(
            a.resolve("IL8RA", &[]),
            Resolution::Ambiguous(&["CXCR1".to_owned(), "CXCR2".to_owned()])
        );
        assert_eq!(a.resolve("IDO1", &[]), Resolution::Current);
        assert_eq!(a.resolve("XYZ", &[]), Resolution::Unknown);
    }

    #[test]
    fn test_resolve_protects_current_and_given_symbols() {
        let a = parse_aliases(TABLE, "t.tsv").unwrap();
        // NEW is current (it has an alias OLD), so it is not moved to OTHER.
        assert_eq!(a.resolve("NEW", &[]), Resolution::Current);
        let b = parse_aliases("alias\tsymbol\nNEW\tOTHER\n", "t.tsv").unwrap();
        assert_eq!(b.resolve("NEW", &[]), Resolution::Renamed("OTHER"));
        assert_eq!(b.resolve("NEW", &["NEW"]), Resolution::Current);
        let b = b.with_current_symbols(["NEW"]);
        assert_eq!(b.resolve("NEW", &[]), Resolution::Current);
    }

    #[test]
    fn test_parse_aliases_bad_header() {
        let e = parse_aliases("from\tto\nA\tB\n", "t.tsv").unwrap_err();
        assert!(matches!(e, GeneSetError::AliasHeader { .. }));
        assert!(e.to_string().contains("alias<TAB>symbol"));
    }

    #[test]
    fn test_parse_aliases_bad_row() {
        let e = parse_aliases("alias\tsymbol\nA\tB\nC\n", "t.tsv").unwrap_err();
        assert_eq!(
            e,
            GeneSetError::AliasFields {
                origin: "t.tsv".into(),
                line: 3,
                found: 1
            }
        );
        let e = parse_aliases("alias\tsymbol\nA\tB\tC\n", "t.tsv").unwrap_err();
        assert!(matches!(
            e,
            GeneSetError::AliasFields {
                line: 2,
                found: 3,
                ..
            }
        ));
    }

    #[test]
    fn test_parse_aliases_empty() {
        assert!(matches!(
            parse_aliases("\n\n", "t.tsv"),
            Err(GeneSetError::Empty { .. })
        ));
    }

    #[test]
    fn test_resolve_collection() {
        let a = parse_aliases(TABLE, "t.tsv").unwrap();
        let c = parse_gmt("S\td\tINDO\tIL8RA\tIDO1\tIL8RB\tZZZ\nT\td\tOLD\n", "s.gmt").unwrap();
        let r = a.resolve_collection(&c, &[]);
        // INDO -> IDO1 duplicates IDO1, so the renamed copy takes INDO's place
        // and the later IDO1 is dropped.
        assert_eq!(
            r.collection.get("S").unwrap().genes(),
            ["IDO1", "IL8RA", "CXCR2", "ZZZ"]
        );
        assert_eq!(r.collection.get("T").unwrap().genes(), ["NEW"]);
        assert_eq!(r.renamed.len(), 3);
        assert_eq!(
            r.renamed[0],
            AliasChange {
                set_id: "S".into(),
                from: "INDO".into(),
                to: "IDO1".into()
            }
        );
        assert_eq!(r.ambiguous.len(), 1);
        assert_eq!(r.ambiguous[0].symbol, "IL8RA");
        assert_eq!(r.collection.version(), Some("aliases t.tsv"));
        assert!(r.collection.source().contains("3 renamed"));
        // Protected symbols are left alone.
        let p = a.resolve_collection(&c, &["OLD"]);
        assert_eq!(p.collection.get("T").unwrap().genes(), ["OLD"]);
    }

    #[test]
    fn test_builtin_aliases_checksums() {
        let hex = |b: &[u8]| -> String {
            Sha256::digest(b)
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect()
        };
        let t = decompress("a", ALIASES).unwrap();
        assert_eq!(hex(&t), BUILTIN_ALIASES_SHA256);
        let p = decompress("p", PROTEIN_CODING).unwrap();
        assert_eq!(hex(&p), BUILTIN_PROTEIN_CODING_SHA256);
    }

    #[test]
    fn test_builtin_aliases_on_bindea() {
        let a = SymbolAliases::builtin().unwrap();
        assert_eq!(a.version(), Some("org.Hs.eg.db 3.16.0"));
        assert_eq!(a.n_aliases(), 67_615);
        assert_eq!(a.resolve("INDO", &[]), Resolution::Renamed("IDO1"));
        assert_eq!(a.resolve("GPR44", &[]), Resolution::Renamed("PTGDR2"));
        assert_eq!(a.resolve("MARCH6", &[]), Resolution::Renamed("MARCHF6"));
        assert!(matches!(a.resolve("IL8RA", &[]), Resolution::Ambiguous(_)));
        let b = GeneSetCollection::builtin("bindea2013").unwrap();
        let r = a.resolve_collection(&b, &[]);
        let dc = r.collection.get("activated_Dendritic_cells").unwrap();
        assert!(dc.contains("IDO1") && !dc.contains("INDO"));
        assert_eq!(
            r.collection.version(),
            Some("Bindea 2013 (ConsensusTME) + aliases org.Hs.eg.db 3.16.0")
        );
        // Current protein-coding symbols of Bindea are never renamed.
        assert!(r.renamed.iter().all(|c| !a.is_current(&c.from)));
        assert_eq!(r.collection.len(), 24);
    }
}
