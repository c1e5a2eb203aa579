//! **npxkit-genesets** provides the gene-set collections that npxkit scores
//! and tests: GMT files, embedded defaults (GO and the Bindea 2013 immune
//! cell signatures), optional alias mapping of old symbols, and the
//! restriction of sets to the proteins an Olink panel measured.
//!
//! The main type is [`GeneSetCollection`]: a name, a version, provenance
//! text and an ordered list of [`GeneSet`]s (id, name, genes). Collections
//! come from [`parse_gmt`] (any GMT file, e.g. from MSigDB) or
//! [`GeneSetCollection::builtin`]:
//!
//! | name | version | sets |
//! |---|---|---|
//! | `bindea2013` | Bindea 2013 (ConsensusTME) | 24 |
//! | `go-bp` | GO.db 3.16.0 / org.Hs.eg.db 3.16.0 | 11,391 |
//! | `go-mf` | GO.db 3.16.0 / org.Hs.eg.db 3.16.0 | 2,682 |
//! | `go-cc` | GO.db 3.16.0 / org.Hs.eg.db 3.16.0 | 1,494 |
//!
//! Where they come from (papers, packages, licences, checksums) is in
//! [`builtin`] and `crates/npxkit-genesets/data/README.md`.
//!
//! **The universe is the measured proteins**: before any test, [`restrict()`]
//! keeps only the genes measured by some assay ([`AssayGeneMap`], which
//! splits multi-gene assays such as `IL12A_IL12B`) and filters sets by size
//! after that. Using the genome as the universe is the most common mistake
//! in Olink enrichment analyses.
//!
//! Nothing here touches files: parsers take `&str`/`&[u8]`/`impl BufRead`,
//! writers take `impl Write`; the CLI opens files. The enrichment numerics
//! ([`enrich`]: ORA, camera, camera-pr, fry, GSEA) take the restricted members of
//! [`RestrictedSets`] as assay rows.
//!
//! # Sections
//! - [`collection`]: [`GeneSet`], [`GeneSetCollection`].
//! - [`gmt`]: [`parse_gmt`], [`write_gmt`].
//! - [`go`]: GO sets from the GO Consortium's OBO and GAF files (true-path rule).
//! - [`builtin`]: embedded collections, [`builtin_names`], [`builtins`].
//! - [`restrict`](mod@restrict): [`AssayGeneMap`], [`restrict()`], the rule for genes
//!   measured by several assays.
//! - [`aliases`]: optional old-symbol → current-symbol mapping ([`SymbolAliases`]).
//! - [`enrich`]: [`ora()`] (limma's `kegga`/`goana`), [`camera()`],
//!   [`camera_pr()`] and [`fry()`] (limma's), with [`phyper_upper`]; preranked
//!   [`gsea()`] (Subramanian 2005, fgsea's simple p-values).
//!
//! # Example
//! ```
//! use npxkit_genesets::{restrict, AssayGeneMap, GeneSetCollection};
//! let bindea = GeneSetCollection::builtin("bindea2013").unwrap();
//! let assays = ["MS4A1", "CD19", "IL12A_IL12B", "GZMA", "PRF1"];
//! let map = AssayGeneMap::new(&assays);
//! let r = restrict(&bindea, &map, 2, 500).unwrap();
//! let b = r.get("B_cells").unwrap();
//! assert_eq!((b.size_before, b.size_after), (33, 2));
//! assert_eq!(b.members, [0, 1]);
//! ```

pub mod aliases;
pub mod builtin;
pub mod collection;
pub mod enrich;
mod error;
pub mod gmt;
pub mod go;
pub mod restrict;

pub use aliases::{
    parse_aliases, AliasChange, AliasedCollection, AmbiguousAlias, Resolution, SymbolAliases,
};
pub use builtin::{builtin_info, builtin_names, builtins, BuiltinInfo};
pub use collection::{GeneSet, GeneSetCollection};
pub use enrich::{
    camera, camera_pr, fry, gsea, ora, phyper_upper, CameraOptions, CameraPrOptions, CameraRow,
    Contrast, Direction, EnrichError, FryRow, GseaOptions, GseaRow, OraRow,
};
pub use error::GeneSetError;
pub use gmt::{
    parse_gmt, parse_gmt_bytes, parse_gmt_with_diagnostics, read_gmt, write_gmt, DuplicateGenes,
    GmtDiagnostics,
};
pub use restrict::{restrict, AssayGeneMap, DropReason, DroppedSet, RestrictedSet, RestrictedSets};
